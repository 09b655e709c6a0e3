/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tying the virtual GIC to VMs and physical CPUs (target only): MMIO frames,
 * hardware-linked timer interrupts, the maintenance interrupt and kicks. The
 * vGIC's version follows the physical GIC's (hyp_gic_version()): on a GICv2
 * the distributor is emulated and the guest's CPU interface is the GICV
 * frame, mapped where the guest's GICC is.
 */
#include <stdbool.h>
#include <hyp/arch.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/gic.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>
#include <hyp/spinlock.h>
#include <hyp/vgic.h>
#include <hyp/vm.h>
#include "../core/percpu.h"
#include "../gic/gic_internal.h"
#include "../vcpu/vcpu_internal.h"
#include "vgic_hw_lr.h"
#include "vgic_hw_v2.h"
#include "vgic_internal.h"

#define GICD_FRAME 0x10000ULL
#define GICR_FRAME 0x20000ULL
/* SGI a CPU sends another to make it look at its vCPU's interrupts. */
#define KICK_SGI   8

/* The run loop (vcpu.c, exit.c) reaches the vGIC by weak references, so that
 * images without one link none of it; a VM gets its vGIC here, so these make
 * the linker take what the run loop calls. */
__attribute__((used)) static void (*const run_loop_calls[])(void) = {
    (void (*)(void))hyp_vcpu_vgic_load, /* and the rest of vcpu_vgic.c */
    (void (*)(void))hyp_handle_irq,
    (void (*)(void))hyp_gic_cpu_ready,
};

/* Make vCPU @index of the VM look at its interrupts soon. */
static void kick(unsigned index, void *arg)
{
    struct hyp_vm *vm = arg;
    struct hyp_vcpu *vcpu = &vm->vcpus[index];

    if (__atomic_load_n(&vcpu->power, __ATOMIC_ACQUIRE) != HYP_VCPU_ON)
        arch_send_event(); /* a vCPU waiting to be powered on */
    if (vcpu->pcpu != hyp_this_cpu()->id)
        hyp_gic_send_sgi_cpu(vcpu->pcpu, KICK_SGI);
}

/* The timer PPIs forwarded to guests (0: none), set by hyp_vgic_cpu_prepare(). */
static uint32_t timer_virt, timer_phys;

/* CNTx_CTL_EL0: the timer's output is asserted while enabled, not masked and
 * its condition is met. */
#define CNT_CTL_ENABLE  (1u << 0)
#define CNT_CTL_IMASK   (1u << 1)
#define CNT_CTL_ISTATUS (1u << 2)
#define CNT_CTL_LINE_UP (CNT_CTL_ENABLE | CNT_CTL_ISTATUS)

static bool timer_line(uint64_t ctl)
{
    return (ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS)) == CNT_CTL_LINE_UP;
}

/* The level of a hardware line: a timer's from its control register (the
 * vCPU's EL1 timer state is live on this CPU), anything else from the
 * physical GIC, which shows a level interrupt that EL2 holds active as
 * pending while its line is high. */
static bool line_level(unsigned vcpu, uint32_t intid, uint32_t pintid, void *arg)
{
    (void)vcpu;
    (void)intid;
    (void)arg;
    if (pintid != 0 && pintid == timer_virt)
        return timer_line(read_sysreg(cntv_ctl_el0));
    if (pintid != 0 && pintid == timer_phys)
        return timer_line(read_sysreg(cntp_ctl_el0));
    return hyp_gic_is_pending(pintid);
}

static void deactivate(uint32_t pintid, void *arg)
{
    (void)arg;
    hyp_gic_deactivate(pintid);
}

/* One configuration per VM, as many as a partitioner config may have. */
#define MAX_VGIC_VMS 8 /* HYP_VMCONFIG_MAX_VMS */
static struct hyp_vgic_config configs[MAX_VGIC_VMS];
static uint64_t mpidrs[MAX_VGIC_VMS][HYP_VGIC_MAX_VCPUS];
static unsigned config_count;

/* Map the two 4 KiB pages of this CPU's virtual CPU interface (GICV) where
 * the guest's GICC is: page 0 at @gicc, page 1 (GICV_DIR) 4 KiB on. */
static int map_gicv(struct hyp_vm *vm, uint64_t gicc)
{
    const struct hyp_range *gicv = &hyp_platform_get()->gic.gicv;
    int rc;

    if (gicv->base == 0 || gicv->size < HYP_VGIC_V2_GICC_SIZE / 2)
        return HYP_ENOTSUP;
    rc = hyp_pgtable_map(&vm->s2, hyp_ia(gicc), 0x1000, hyp_pa(gicv->base),
                         HYP_PROT_RW | HYP_PROT_DEVICE);
    if (rc == HYP_OK)
        rc = hyp_pgtable_map(&vm->s2, hyp_ia(gicc + 0x1000), 0x1000,
                             hyp_pa(gicv->base + hyp_gic_v2_page1(gicv->size)),
                             HYP_PROT_RW | HYP_PROT_DEVICE);
    return rc;
}

int hyp_vm_attach_vgic(struct hyp_vm *vm, struct hyp_vgic *vgic,
                       struct hyp_vgic_cpu *cpus, uint64_t gicd, uint64_t gicr,
                       unsigned nr_spis)
{
    struct hyp_vgic_config *cfg;
    bool v2 = hyp_gic_version() == 2;
    int rc;

    if (config_count == MAX_VGIC_VMS || vm->vcpu_count > HYP_VGIC_MAX_VCPUS)
        return HYP_ENOMEM;
    cfg = &configs[config_count];
    for (unsigned i = 0; i < vm->vcpu_count; i++)
        mpidrs[config_count][i] = vm->vcpus[i].vmpidr;
    *cfg = (struct hyp_vgic_config){
        .gicd_base = gicd,
        .gicr_base = gicr,
        .version = v2 ? 2 : 3,
        .vcpu_count = vm->vcpu_count,
        .vcpu_mpidr = mpidrs[config_count],
        .nr_spis = nr_spis,
        .cpus = cpus,
        .kick = kick,
        .kick_arg = vm,
        .line = line_level,
        .deactivate = deactivate,
    };
    rc = hyp_vgic_init(vgic, cfg);
    if (rc == HYP_OK)
        rc = hyp_vm_add_mmio(vm, gicd, v2 ? HYP_VGIC_V2_GICD_SIZE : GICD_FRAME,
                             v2 ? vgic_gicd_v2_region : vgic_gicd_region, vgic);
    if (rc == HYP_OK)
        rc = v2 ? map_gicv(vm, gicr)
                : hyp_vm_add_mmio(vm, gicr, GICR_FRAME * vm->vcpu_count, vgic_gicr_region,
                                  vgic);
    /* The register model obeys the fast path's rules (no printing, spinlocks). */
    if (rc == HYP_OK)
        rc = hyp_vm_set_mmio_fast(vm, gicd, true);
    if (rc == HYP_OK && !v2)
        rc = hyp_vm_set_mmio_fast(vm, gicr, true);
    if (rc != HYP_OK)
        return rc;
    config_count++;
    for (unsigned i = 0; i < vm->vcpu_count; i++)
        vm->vcpus[i].vgic_cpu = &cpus[i];
    vm->vgic = vgic;
    return HYP_OK;
}

void hyp_vm_guest_gic(const struct hyp_gic *host, unsigned vcpu_count,
                      struct hyp_gic *guest)
{
    *guest = *host;
    if (host->version == 2) {
        guest->gicd.size = HYP_VGIC_V2_GICD_SIZE;
        guest->gicc.size = HYP_VGIC_V2_GICC_SIZE;
        guest->gich = guest->gicv = (struct hyp_range){0, 0};
    } else {
        /* One 128 KiB redistributor frame per vCPU. */
        guest->gicr[0].size = GICR_FRAME * vcpu_count;
        guest->gicr_count = 1;
    }
}

int hyp_vm_attach_host_vgic(struct hyp_vm *vm, struct hyp_vgic *vgic,
                            struct hyp_vgic_cpu *cpus, const struct hyp_gic *host,
                            unsigned nr_spis, struct hyp_gic *guest)
{
    int rc = hyp_vm_attach_vgic(vm, vgic, cpus, host->gicd.base,
                                host->version == 2 ? host->gicc.base : host->gicr[0].base,
                                nr_spis);

    if (rc == HYP_OK && guest != NULL)
        hyp_vm_guest_gic(host, vm->vcpu_count, guest);
    return rc;
}

/* Inject hardware interrupt @intid into @vcpu, loaded here, whose list
 * registers in use were read back since it exited: into a list register at
 * once when the vGIC allows it, so that its next entry has nothing to
 * flush. Inline in the forwarding handlers, with the list-register write. */
static inline __attribute__((always_inline)) int
inject_here(struct hyp_vcpu *vcpu, struct hyp_vgic *vgic, unsigned nr, uint32_t intid)
{
    int rc;

    rc = hyp_vgic_rearm(vgic, vcpu->id, intid, intid, vcpu->lrs, nr);
    if (rc < 0)
        rc = hyp_vgic_inject_direct(vgic, vcpu->id, intid, intid, vcpu->lrs, nr,
                                    &vcpu->vgic_synced);

    if (rc >= 0 && rc < HYP_VGIC_MAX_LRS)
        vgic_hw_write_lr((unsigned)rc, vcpu->lrs[rc]);
    return rc < 0 ? rc : HYP_OK;
}

/* A timer PPI fired while a guest ran here: hand it to that vCPU, linked to
 * the physical interrupt, which stays active until the guest's EOI. What
 * the injection needs is loaded before the priority drop's barrier. */
static void forward_ppi(uint32_t intid, void *arg)
{
    struct hyp_percpu *cpu = hyp_this_cpu();
    struct hyp_vcpu *vcpu = cpu->loaded_vcpu;
    struct hyp_vgic *vgic = vcpu != NULL ? vcpu->vm->vgic : NULL;
    unsigned nr = cpu->nr_lrs;

    (void)arg;
    if (vgic == NULL) {
        hyp_gic_eoi(intid);
        return;
    }
    gic_priority_drop(intid);
    if (inject_here(vcpu, vgic, nr, intid) != HYP_OK)
        hyp_gic_eoi(intid);
    else if (vcpu->vm->irq_hook != NULL)
        vcpu->vm->irq_hook(vcpu->vm, vcpu->id, intid, vcpu->vm->irq_hook_arg);
}

/* A passed-through device's SPI: priority drop here, deactivation by the
 * guest's EOI through the list register. */
static void forward_spi(uint32_t intid, void *arg)
{
    struct hyp_vm *vm = arg;
    struct hyp_percpu *cpu = hyp_this_cpu();
    struct hyp_vcpu *here = cpu->loaded_vcpu;
    unsigned nr = cpu->nr_lrs;

    gic_priority_drop(intid);
    /* Its vCPU may be the one here (hyp_vgic_inject_direct() checks the
     * route): then straight into a list register. */
    if ((here != NULL && here->vm == vm
             ? inject_here(here, vm->vgic, nr, intid)
             : hyp_vgic_inject(vm->vgic, 0, intid, true, intid)) != HYP_OK)
        hyp_gic_eoi(intid);
    else if (vm->irq_hook != NULL)
        vm->irq_hook(vm, here != NULL && here->vm == vm ? here->id : 0, intid,
                     vm->irq_hook_arg);
}

/* Forwarding may run on the exit fast path unless the VM's hook may not. */
static bool hook_allows_fast(const struct hyp_vm *vm)
{
    return vm->irq_hook == NULL || __atomic_load_n(&vm->irq_hook_fast, __ATOMIC_ACQUIRE);
}

/* Without a vCPU here, or one without a vGIC, forward_ppi() only ends the
 * interrupt, which the fast path may do as well. */
static bool ppi_fast_ok(uint32_t intid, void *arg)
{
    struct hyp_vcpu *vcpu = hyp_this_cpu()->loaded_vcpu;

    (void)intid;
    (void)arg;
    return vcpu == NULL || hook_allows_fast(vcpu->vm);
}

static bool spi_fast_ok(uint32_t intid, void *arg)
{
    (void)intid;
    return hook_allows_fast(arg);
}

static bool always_fast(uint32_t intid, void *arg)
{
    (void)intid;
    (void)arg;
    return true;
}

int hyp_vm_forward_spi(struct hyp_vm *vm, uint32_t intid, bool edge)
{
    int rc;

    if (vm->vgic == NULL || intid < 32 || intid > 1019)
        return HYP_EINVAL;
    rc = hyp_irq_register(intid, forward_spi, vm);
    if (rc == HYP_OK)
        rc = hyp_irq_set_fast(intid, spi_fast_ok);
    if (rc == HYP_OK)
        rc = hyp_gic_enable_spi(intid, 0xa0, hyp_cpu_mpidr(vm->vcpus[0].pcpu), edge);
    return rc;
}

int hyp_vm_pass_device(struct hyp_vm *vm, const struct hyp_range *regs,
                       unsigned reg_count, const struct hyp_irq *irqs, unsigned irq_count)
{
    int first = HYP_OK;

    for (unsigned r = 0; r < reg_count; r++) {
        uint64_t page = HYP_PAGE_SIZE;
        uint64_t base = regs[r].base & ~(page - 1);
        uint64_t end = (regs[r].base + regs[r].size + page - 1) & ~(page - 1);
        int rc = hyp_vm_map_device(vm, base, end - base);

        if (rc != HYP_OK)
            return rc;
    }
    for (unsigned i = 0; i < irq_count && vm->vgic != NULL; i++) {
        int rc = hyp_vm_forward_spi(vm, irqs[i].intid, (irqs[i].flags & 3) != 0);

        if (rc != HYP_OK && first == HYP_OK)
            first = rc;
    }
    return first;
}

/* Kicks only bring the CPU back to EL2: the next flush does the work. */
static void just_end(uint32_t intid, void *arg)
{
    (void)arg;
    hyp_gic_eoi(intid);
}

/* The maintenance interrupt is level: it stays asserted while its condition
 * (e.g. list-register underflow) holds, so switch the virtual interface's
 * maintenance requests off until the next flush sets them again. */
static void maintenance(uint32_t intid, void *arg)
{
    (void)arg;
    hyp_vgic_hw_write_hcr(0);
    hyp_this_cpu()->ich_hcr = 0;
    hyp_gic_eoi(intid);
}

int hyp_vgic_cpu_prepare(const struct hyp_platform *plat)
{
    /* 0: nobody registered the handlers yet, 1: a CPU is at it, 2: done. */
    static int registered;
    int expected = 0;
    uint32_t forwarded[2] = {plat->timer.virt.intid, plat->timer.phys.intid};
    uint32_t maint = plat->gic.maintenance.intid;
    int rc = HYP_OK;

    if (__atomic_compare_exchange_n(&registered, &expected, 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        timer_virt = forwarded[0];
        timer_phys = forwarded[1];
        for (unsigned i = 0; i < 2; i++)
            if (forwarded[i] != 0 &&
                hyp_irq_register(forwarded[i], forward_ppi, NULL) == HYP_OK)
                hyp_irq_set_fast(forwarded[i], ppi_fast_ok);
        if (maint != 0 && hyp_irq_register(maint, maintenance, NULL) == HYP_OK)
            hyp_irq_set_fast(maint, always_fast);
        if (hyp_irq_register(KICK_SGI, just_end, NULL) == HYP_OK)
            hyp_irq_set_fast(KICK_SGI, always_fast);
        __atomic_store_n(&registered, 2, __ATOMIC_RELEASE);
    }
    while (__atomic_load_n(&registered, __ATOMIC_ACQUIRE) != 2)
        hyp_cpu_relax();
    if (hyp_gic_version() == 2) {
        if (plat->gic.gich.base == 0)
            return HYP_ENOTSUP; /* no virtualization extensions */
        vgic_v2_gich = (uintptr_t)plat->gic.gich.base;
    }
    hyp_vgic_hw_cpu_init();
    for (unsigned i = 0; i < 2 && rc == HYP_OK; i++)
        if (forwarded[i] != 0)
            rc = hyp_gic_enable_ppi(forwarded[i], 0xa0);
    if (rc == HYP_OK && maint != 0)
        rc = hyp_gic_enable_ppi(maint, 0x80);
    if (rc == HYP_OK)
        rc = hyp_gic_enable_ppi(KICK_SGI, 0x80);
    return rc;
}
