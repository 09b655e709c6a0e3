/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the partitioner's configuration validator over
 * arbitrary bytes taken as a DTB. Parsing must never crash or read out of
 * bounds; a refusal must come as terminated lines, as many as counted; an
 * accepted configuration must keep every promise of hyp/vmconfig.h (no CPU,
 * byte of memory, device or SPI belongs to two VMs, nothing overlaps the
 * hypervisor; a trusted OS runs only on its paired GPOS's CPUs) and print
 * without trouble.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/vmconfig.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the tests pass: the hypervisor at the start of the test board's RAM. */
static const struct hyp_range hyp_mem = {0x40000000, 0x1000000};

static unsigned lines;

static void count_line(void *arg, const char *line)
{
    if (arg != &lines || !memchr(line, '\0', 4096))
        abort();
    lines++;
}

static bool meet(const struct hyp_range *a, const struct hyp_range *b)
{
    return a->size && b->size && a->base <= b->base + (b->size - 1) &&
           b->base <= a->base + (a->size - 1);
}

/* The physical memory a VM's RAM lies in: a coloured VM's whole span. */
static struct hyp_range ram_of(const struct hyp_vmconfig_vm *v)
{
    if (v->colours)
        return (struct hyp_range){v->layout.base, v->layout.span};
    return v->mem;
}

static void check_vm_pair(const struct hyp_vmconfig_vm *a,
                          const struct hyp_vmconfig_vm *b, bool paired)
{
    struct hyp_range ra = ram_of(a), rb = ram_of(b);

    /* RAM ranges meet only as spans of coloured VMs without a common colour;
     * common colours need both VMs' consent. */
    if ((meet(&ra, &rb) && (!a->colours || !b->colours || (a->colours & b->colours))) ||
        ((a->colours & b->colours) && !(a->share_colours && b->share_colours) &&
         !(a->colours_left && b->colours_left)) ||
        !strcmp(a->name, b->name) || a->id == b->id)
        abort();
    /* A trusted OS runs on its GPOS's CPUs, and only its GPOS's. */
    for (unsigned i = 0; i < a->vcpu_count && !paired; i++)
        for (unsigned k = 0; k < b->vcpu_count; k++)
            if (a->vcpus[i].cpu == b->vcpus[k].cpu)
                abort();
    for (unsigned i = 0; i < a->device_count; i++)
        for (unsigned k = 0; k < b->device_count; k++) {
            const struct hyp_vmconfig_device *x = &a->devices[i], *y = &b->devices[k];

            if (x->node == y->node)
                abort();
            for (unsigned r = 0; r < x->reg_count; r++)
                for (unsigned s = 0; s < y->reg_count; s++)
                    if (meet(&x->regs[r], &y->regs[s]))
                        abort();
            for (unsigned r = 0; r < x->irq_count; r++)
                for (unsigned s = 0; s < y->irq_count; s++)
                    if (x->irqs[r].intid == y->irqs[s].intid)
                        abort();
        }
}

static void check_vm(const struct hyp_vmconfig *cfg, const struct hyp_vmconfig_vm *v)
{
    struct hyp_range ram = ram_of(v);

    /* Coloured: within the geometry, a layout that holds the RAM, not
     * identity-mapped; every page of one of its colours, inside its span. */
    if (v->colours &&
        ((v->colours & ~hyp_colour_all(&cfg->geom)) || v->direct_map || v->mem_fixed ||
         v->layout.size != v->mem.size || v->layout.base != v->mem.base ||
         v->layout.span != hyp_colour_span(&cfg->geom, v->colours, v->mem.size)))
        abort();
    for (uint64_t off = 0; v->colours && off < v->mem.size; off += 0x1000 * 61) {
        uint64_t pa = hyp_colour_pa(&v->layout, off);

        if (!((v->colours >> hyp_colour_of(&cfg->geom, pa)) & 1) || pa < ram.base ||
            pa - ram.base >= ram.size)
            abort();
    }
    if (v->vcpu_count == 0 || v->vcpu_count > HYP_VMCONFIG_MAX_VCPUS ||
        v->device_count > HYP_VMCONFIG_MAX_DEVICES ||
        v->shm_count > HYP_VMCONFIG_MAX_SHM || !memchr(v->name, '\0', sizeof(v->name)) ||
        v->name[0] == '\0' || v->mem.size == 0 || v->mem.size % HYP_VMCONFIG_GRANULE ||
        v->kernel.range.size == 0 || meet(&ram, &hyp_mem) ||
        meet(&v->kernel.range, &hyp_mem) || meet(&v->ramdisk.range, &hyp_mem) ||
        meet(&ram, &v->kernel.range) || meet(&ram, &v->ramdisk.range) ||
        (v->direct_map && (!v->mem_fixed || v->mem_ipa != v->mem.base)))
        abort();
    const struct hyp_vmconfig_vm *owner = v;

    if (v->role == HYP_VMCONFIG_ROLE_TEE) {
        /* Paired both ways, on exactly its GPOS's CPUs, with nothing of its own. */
        if (v->gpos < 0 || (unsigned)v->gpos >= cfg->vm_count || v->tee != -1 ||
            v->device_count || v->caps)
            abort();
        owner = &cfg->vms[v->gpos];
        if (owner->role != HYP_VMCONFIG_ROLE_GPOS || owner->tee != (int)(v - cfg->vms) ||
            owner->vcpu_count != v->vcpu_count ||
            memcmp(owner->vcpus, v->vcpus, sizeof(v->vcpus[0]) * v->vcpu_count))
            abort();
        for (unsigned i = 0; i < v->shm_count; i++)
            if (cfg->shm[v->shm[i]].vm[0] != (unsigned)v->gpos &&
                cfg->shm[v->shm[i]].vm[1] != (unsigned)v->gpos)
                abort();
    } else if (v->role != HYP_VMCONFIG_ROLE_GPOS || v->gpos != -1 ||
               (v->tee >= 0 && ((unsigned)v->tee >= cfg->vm_count ||
                                cfg->vms[v->tee].gpos != (int)(v - cfg->vms))) ||
               (v->tee < 0 && (v->tee != -1 || v->tee_hvc))) {
        abort();
    }
    for (unsigned i = 0; i < v->vcpu_count; i++)
        if (v->vcpus[i].cpu >= cfg->plat.cpu_count ||
            hyp_vmconfig_vm_of_cpu(cfg, v->vcpus[i].cpu, NULL) != owner)
            abort();
    for (unsigned i = 0; i < v->device_count; i++)
        for (unsigned k = 0; k < v->devices[i].irq_count; k++)
            if (v->devices[i].irqs[k].intid < 32 || v->devices[i].irqs[k].intid > 1019)
                abort();
    for (unsigned i = 0; i < v->shm_count; i++)
        if (v->shm[i] >= cfg->shm_count || meet(&cfg->shm[v->shm[i]].range, &ram))
            abort();
}

static void line_sink(void *arg, const char *line)
{
    (void)arg;
    if (!memchr(line, '\0', 4096))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hyp_vmconfig cfg;
    uint64_t *copy = malloc(size + 8); /* 8-byte aligned, as the parser needs */
    int rc;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    lines = 0;
    rc = hyp_vmconfig_parse(copy, size, &hyp_mem, 1, &cfg, count_line, &lines);
    if (lines != cfg.error_count || !memchr(cfg.error, '\0', sizeof(cfg.error)))
        abort();
    if (rc != HYP_OK) {
        if (rc > 0 || lines == 0)
            abort();
        free(copy);
        return 0;
    }
    if (lines != 0 || cfg.vm_count == 0 || cfg.vm_count > HYP_VMCONFIG_MAX_VMS ||
        cfg.shm_count > HYP_VMCONFIG_MAX_SHM)
        abort();
    for (unsigned i = 0; i < cfg.vm_count; i++) {
        check_vm(&cfg, &cfg.vms[i]);
        for (unsigned k = i + 1; k < cfg.vm_count; k++)
            check_vm_pair(&cfg.vms[i], &cfg.vms[k],
                          cfg.vms[i].tee == (int)k || cfg.vms[k].tee == (int)i);
    }
    for (unsigned i = 0; i < cfg.shm_count; i++)
        if (cfg.shm[i].vm[0] == cfg.shm[i].vm[1] || cfg.shm[i].vm[0] >= cfg.vm_count ||
            cfg.shm[i].vm[1] >= cfg.vm_count || meet(&cfg.shm[i].range, &hyp_mem))
            abort();
    hyp_vmconfig_print(&cfg, line_sink, NULL);
    free(copy);
    return 0;
}
