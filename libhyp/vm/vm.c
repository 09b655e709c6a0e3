/* SPDX-License-Identifier: BSD-2-Clause */
/* VM objects: stage-2 address space, guest RAM ranges and vCPU lookup. */
#include <stddef.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/vm.h>

int hyp_vm_init(struct hyp_vm *vm, const struct hyp_vm_config *cfg)
{
    struct hyp_pgtable_config pt = {
        .format = HYP_PGTABLE_S2,
        .mm = &hyp_pgtable_page_pool_ops,
    };
    int rc;

    if (vm == NULL || cfg == NULL || cfg->vcpus == NULL || cfg->vcpu_count == 0 ||
        cfg->vcpu_pcpu == NULL || cfg->pool == NULL || cfg->vmid == 0)
        return HYP_EINVAL;
    memset(vm, 0, sizeof(*vm));
    pt.ia_bits = cfg->ipa_bits;
    pt.pa_bits = cfg->pa_bits;
    pt.vmid = cfg->vmid;
    pt.mm_ctx = cfg->pool;
    rc = hyp_pgtable_init(&vm->s2, &pt);
    if (rc == HYP_OK)
        rc = hyp_pgtable_vtcr(cfg->ipa_bits, cfg->pa_bits, &vm->vtcr);
    if (rc != HYP_OK)
        return rc;
    vm->vmid = cfg->vmid;
    vm->vttbr = hyp_pgtable_vttbr(&vm->s2);
    vm->vcpus = cfg->vcpus;
    vm->vcpu_count = cfg->vcpu_count;
    vm->fast_exits = true;
    for (unsigned i = 0; i < cfg->vcpu_count; i++) {
        struct hyp_vcpu *vcpu = &cfg->vcpus[i];

        memset(vcpu, 0, sizeof(*vcpu));
        vcpu->vm = vm;
        vcpu->mmio_last = &vm->mmio[0]; /* size 0 until regions are added */
        vcpu->id = i;
        vcpu->pcpu = cfg->vcpu_pcpu[i];
        vcpu->vmpidr = i;
        vcpu->power = HYP_VCPU_OFF;
    }
    return HYP_OK;
}

int hyp_vm_add_ram(struct hyp_vm *vm, uint64_t ipa, uint64_t pa, uint64_t size)
{
    int rc;

    if (vm->ram_count == HYP_VM_MAX_RAM)
        return HYP_ENOMEM;
    rc = hyp_pgtable_map(&vm->s2, hyp_ia(ipa), size, hyp_pa(pa), HYP_PROT_RWX);
    if (rc != HYP_OK)
        return rc;
    vm->ram[vm->ram_count++] = (struct hyp_vm_ram){.ipa = ipa, .pa = pa, .size = size};
    return HYP_OK;
}

int hyp_vm_map_device(struct hyp_vm *vm, uint64_t pa, uint64_t size)
{
    return hyp_pgtable_map(&vm->s2, hyp_ia(pa), size, hyp_pa(pa),
                           HYP_PROT_RW | HYP_PROT_DEVICE);
}

int hyp_vm_add_mmio(struct hyp_vm *vm, uint64_t ipa, uint64_t size, hyp_mmio_fn fn,
                    void *arg)
{
    if (fn == NULL || size == 0 || ipa + size < ipa)
        return HYP_EINVAL;
    for (unsigned i = 0; i < vm->mmio_count; i++)
        if (ipa < vm->mmio[i].ipa + vm->mmio[i].size && vm->mmio[i].ipa < ipa + size)
            return HYP_EEXIST;
    if (vm->mmio_count == HYP_VM_MAX_MMIO)
        return HYP_ENOMEM;
    vm->mmio[vm->mmio_count++] = (struct hyp_vm_mmio){ipa, size, fn, arg, false};
    return HYP_OK;
}

int hyp_vm_set_mmio_fast(struct hyp_vm *vm, uint64_t ipa, bool fast)
{
    for (unsigned i = 0; i < vm->mmio_count; i++)
        if (vm->mmio[i].ipa == ipa) {
            vm->mmio[i].fast = fast;
            return HYP_OK;
        }
    return HYP_ENOENT;
}

void hyp_vm_set_fast_exits(struct hyp_vm *vm, bool on)
{
    __atomic_store_n(&vm->fast_exits, on, __ATOMIC_RELEASE);
}

void hyp_vm_set_irq_hook(struct hyp_vm *vm, hyp_vm_irq_hook_fn fn, void *arg)
{
    vm->irq_hook_arg = arg;
    vm->irq_hook = fn;
}

void hyp_vm_set_irq_hook_fast(struct hyp_vm *vm, bool fast)
{
    __atomic_store_n(&vm->irq_hook_fast, fast, __ATOMIC_RELEASE);
}

const struct hyp_vm_mmio *hyp_vm_find_mmio(const struct hyp_vm *vm, uint64_t ipa,
                                           uint64_t size)
{
    for (unsigned i = 0; i < vm->mmio_count; i++) {
        const struct hyp_vm_mmio *m = &vm->mmio[i];

        if (ipa >= m->ipa && ipa - m->ipa < m->size && size <= m->size - (ipa - m->ipa))
            return m;
    }
    return NULL;
}

bool hyp_vm_ram_to_pa(const struct hyp_vm *vm, uint64_t ipa, uint64_t size, uint64_t *pa)
{
    for (unsigned i = 0; i < vm->ram_count; i++) {
        const struct hyp_vm_ram *r = &vm->ram[i];

        if (ipa >= r->ipa && ipa - r->ipa <= r->size &&
            size <= r->size - (ipa - r->ipa) && (size > 0 || ipa - r->ipa < r->size)) {
            if (r->colour != NULL)
                return vm->coloured_pa(r, ipa - r->ipa, size, pa);
            *pa = r->pa + (ipa - r->ipa);
            return true;
        }
    }
    return false;
}

struct hyp_vcpu *hyp_vm_vcpu_by_mpidr(struct hyp_vm *vm, uint64_t mpidr)
{
    /* Aff3 (39:32) and Aff2..Aff0 (23:0); U, MT and bit 31 are not identity. */
    uint64_t aff = mpidr & 0xff00ffffffULL;

    for (unsigned i = 0; i < vm->vcpu_count; i++)
        if (vm->vcpus[i].vmpidr == aff)
            return &vm->vcpus[i];
    return NULL;
}
