/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SMMU confining the partitioner's devices' DMA to their VMs
 * (include/hyp/vmsmmu.h): the glue between the validated configuration,
 * the VMs' stage 2 and the SMMUv3 driver (include/hyp/smmuv3.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/guest.h>
#include <hyp/mm.h>
#include <hyp/sysreg.h>
#include <hyp/vmsmmu.h>

#define PAGE 4096u

static void line(struct hyp_vmsmmu *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void line(struct hyp_vmsmmu *s, const char *fmt, ...)
{
    char buf[224];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (s->report != NULL)
        s->report(s->arg, buf);
}

/* Every page of the driver's storage is where its address says: the SMMU
 * reads its tables by physical address. */
static bool identity_mapped(const void *p, size_t size)
{
    uintptr_t start = (uintptr_t)p & ~(uintptr_t)(PAGE - 1);

    for (uintptr_t va = start; va < (uintptr_t)p + size; va += PAGE) {
        uint64_t par;

        __asm__ volatile("at s1e2r, %0\n\tisb" ::"r"(va) : "memory");
        par = read_sysreg(par_el1);
        if ((par & 1) || (par & 0x0000fffffffff000ull) != va)
            return false;
    }
    return true;
}

/* Stream IDs of range @p r on bus 0, whose table has one entry a stream:
 * [*lo, *hi). */
static bool table_part(const struct hyp_vmconfig_streams *r, uint32_t *lo, uint32_t *hi)
{
    uint64_t end = (uint64_t)r->base + r->count, max = HYP_SMMUV3_BUS_STES;

    *lo = r->base;
    *hi = (uint32_t)(end < max ? end : max);
    return *lo < *hi;
}

/* The whole buses above 0 in range @p r (two-level table): *first..*last. */
static bool bus_part(const struct hyp_vmconfig_streams *r, unsigned *first,
                     unsigned *last)
{
    uint64_t lo = ((uint64_t)r->base + HYP_SMMUV3_BUS_STES - 1) / HYP_SMMUV3_BUS_STES;
    uint64_t end = ((uint64_t)r->base + r->count) / HYP_SMMUV3_BUS_STES;
    uint64_t max = 1u << (HYP_SMMUV3_SID_BITS_2L - HYP_SMMUV3_SID_BITS);

    *first = (unsigned)(lo > 1 ? lo : 1);
    *last = (unsigned)((end < max ? end : max) - 1);
    return end > 0 && *first <= *last;
}

int hyp_vmsmmu_setup(struct hyp_vmsmmu *s, const struct hyp_vmbuild *vms, unsigned count,
                     hyp_vmconfig_line_fn report, void *arg, char *err)
{
    struct hyp_range regs = {0, 0};
    int rc;

    err[0] = '\0';
    s->base = 0;
    s->vms = vms;
    s->vm_count = count;
    s->report = report;
    s->arg = arg;
    s->run_more = 0;
    s->run_active = false;
    for (unsigned i = 0; i < count; i++)
        for (unsigned d = 0; d < vms[i].cfg->device_count; d++) {
            const struct hyp_vmconfig_device *dev = &vms[i].cfg->devices[d];

            if (dev->smmu.size == 0)
                continue;
            if (regs.size == 0)
                regs = dev->smmu;
            else if (dev->smmu.base != regs.base) {
                snprintf(err, HYP_GUEST_ERRLEN,
                         "%s (%s): %s: a second SMMU (at 0x%llx): not supported",
                         vms[i].cfg->node, vms[i].cfg->name, dev->path,
                         (unsigned long long)dev->smmu.base);
                return HYP_ENOTSUP;
            }
        }
    if (regs.size == 0)
        return HYP_ENOENT;
    if (!identity_mapped(&s->smmu, sizeof(s->smmu))) {
        snprintf(err, HYP_GUEST_ERRLEN,
                 "SMMU at 0x%llx: its tables are not identity-mapped (a coloured "
                 "hypervisor image?): not supported",
                 (unsigned long long)regs.base);
        return HYP_ENOTSUP;
    }
    rc = hyp_el2_map(regs.base, regs.size, HYP_PROT_RW | HYP_PROT_DEVICE);
    if (rc == HYP_OK)
        rc = hyp_smmuv3_init(&s->smmu, (uintptr_t)regs.base);
    if (rc != HYP_OK) {
        snprintf(err, HYP_GUEST_ERRLEN, "SMMU at 0x%llx: %s%s",
                 (unsigned long long)regs.base, hyp_strerror(rc),
                 rc == HYP_ENOTSUP ? " (it needs stage 2, AArch64 tables, coherent "
                                     "access; on QEMU -global arm-smmuv3.stage=2)"
                                   : "");
        return rc;
    }
    s->base = regs.base;
    for (unsigned i = 0; i < count; i++) {
        const struct hyp_vmbuild *b = &vms[i];

        for (unsigned d = 0; d < b->cfg->device_count; d++) {
            const struct hyp_vmconfig_device *dev = &b->cfg->devices[d];
            uint32_t first = 0, last = 0;
            bool any = false;

            for (unsigned k = 0; k < dev->stream_count && dev->smmu.size; k++) {
                uint32_t lo, hi;

                if (!table_part(&dev->streams[k], &lo, &hi))
                    continue;
                for (uint32_t sid = lo; sid < hi && rc == HYP_OK; sid++)
                    rc = hyp_smmuv3_attach(&s->smmu, sid, b->vm.vmid, b->vm.vttbr,
                                           b->vm.vtcr);
                if (!any)
                    first = lo;
                last = hi - 1;
                any = true;
            }
            /* Whole buses above 0 where the SMMU has a two-level table;
             * without one (HYP_ENOTSUP) or beyond its stream ID size
             * (HYP_EINVAL) their streams abort. */
            for (unsigned k = 0; k < dev->stream_count && dev->smmu.size && rc == HYP_OK;
                 k++) {
                unsigned lo, hi;
                int brc;

                if (!bus_part(&dev->streams[k], &lo, &hi))
                    continue;
                brc = hyp_smmuv3_attach_buses(&s->smmu, lo, hi, b->vm.vmid, b->vm.vttbr,
                                              b->vm.vtcr);
                if (brc != HYP_OK && brc != HYP_ENOTSUP && brc != HYP_EINVAL)
                    rc = brc;
                if (brc != HYP_OK)
                    continue;
                if (!any)
                    first = lo * HYP_SMMUV3_BUS_STES;
                if (hi * HYP_SMMUV3_BUS_STES + HYP_SMMUV3_BUS_STES - 1 > last)
                    last = hi * HYP_SMMUV3_BUS_STES + HYP_SMMUV3_BUS_STES - 1;
                any = true;
            }
            if (rc != HYP_OK) {
                snprintf(err, HYP_GUEST_ERRLEN, "%s (%s): %s: SMMU: %s", b->cfg->node,
                         b->cfg->name, dev->path, hyp_strerror(rc));
                return rc;
            }
            if (any)
                line(s,
                     "SMMU at 0x%llx: %s (%s) %s streams 0x%x..0x%x by its stage 2 "
                     "(VMID %u)",
                     (unsigned long long)s->base, b->cfg->node, b->cfg->name, dev->path,
                     (unsigned)first, (unsigned)last, (unsigned)b->vm.vmid);
        }
    }
    return HYP_OK;
}

/* The VM and device stream @p sid belongs to. */
static const struct hyp_vmbuild *owner(const struct hyp_vmsmmu *s, uint32_t sid,
                                       const struct hyp_vmconfig_device **dev)
{
    for (unsigned i = 0; i < s->vm_count; i++) {
        const struct hyp_vmconfig_vm *v = s->vms[i].cfg;

        for (unsigned d = 0; d < v->device_count; d++)
            for (unsigned k = 0; k < v->devices[d].stream_count; k++) {
                const struct hyp_vmconfig_streams *r = &v->devices[d].streams[k];

                if (v->devices[d].smmu.base == s->base && sid >= r->base &&
                    (uint64_t)sid < (uint64_t)r->base + r->count) {
                    *dev = &v->devices[d];
                    return &s->vms[i];
                }
            }
    }
    return NULL;
}

static const char *type_name(uint8_t type)
{
    switch (type) {
    case HYP_SMMUV3_EVT_BAD_STREAMID:
        return "bad stream ID";
    case HYP_SMMUV3_EVT_BAD_STE:
        return "bad stream table entry";
    case HYP_SMMUV3_EVT_STREAM_DISABLED:
        return "stream disabled";
    case HYP_SMMUV3_EVT_TRANSLATION:
        return "translation fault";
    case HYP_SMMUV3_EVT_ADDR_SIZE:
        return "address size fault";
    case HYP_SMMUV3_EVT_ACCESS:
        return "access flag fault";
    case HYP_SMMUV3_EVT_PERMISSION:
        return "permission fault";
    default:
        return "event";
    }
}

/* "vm@0 (dma) stream 0x10 of /pcie@10000000", or "no VM's stream 0x10". */
static void who(const struct hyp_vmsmmu *s, uint32_t sid, char *buf, size_t size)
{
    const struct hyp_vmconfig_device *dev = NULL;
    const struct hyp_vmbuild *b = owner(s, sid, &dev);

    if (b != NULL)
        snprintf(buf, size, "%s (%s) stream 0x%x of %s", b->cfg->node, b->cfg->name,
                 (unsigned)sid, dev->path);
    else
        snprintf(buf, size, "stream 0x%x (no VM's)", (unsigned)sid);
}

static void end_run(struct hyp_vmsmmu *s)
{
    char name[128];

    if (s->run_more == 0)
        return;
    who(s, s->run_sid, name, sizeof(name));
    line(s, "SMMU fault: %s: %u more like it", name, s->run_more);
    s->run_more = 0;
}

static void on_event(const struct hyp_smmuv3_event *ev, void *arg)
{
    struct hyp_vmsmmu *s = arg;
    char name[128];
    uint64_t page = ev->addr / PAGE;

    __atomic_add_fetch(&s->faults, 1, __ATOMIC_RELAXED);
    if (s->run_active && s->run_sid == ev->sid && s->run_type == ev->type &&
        s->run_page == page) {
        s->run_more++;
        return;
    }
    end_run(s);
    s->run_sid = ev->sid;
    s->run_type = ev->type;
    s->run_page = page;
    s->run_active = true;
    who(s, ev->sid, name, sizeof(name));
    if (ev->type >= HYP_SMMUV3_EVT_TRANSLATION && ev->type <= HYP_SMMUV3_EVT_PERMISSION)
        line(s, "SMMU fault: %s: %s%s, %s at 0x%llx", name, type_name(ev->type),
             ev->stage2 ? ", stage 2" : "", ev->write ? "write" : "read",
             (unsigned long long)ev->addr);
    else
        line(s, "SMMU fault: %s: %s (type 0x%02x)", name, type_name(ev->type),
             (unsigned)ev->type);
}

unsigned hyp_vmsmmu_poll(struct hyp_vmsmmu *s)
{
    bool idle = false;
    unsigned n;

    if (s->base == 0 || !__atomic_compare_exchange_n(&s->polling, &idle, true, false,
                                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return 0;
    n = hyp_smmuv3_poll(&s->smmu, on_event, s);
    if (n != 0)
        end_run(s);
    __atomic_store_n(&s->polling, false, __ATOMIC_RELEASE);
    return n;
}

int hyp_vmsmmu_detach_vm(struct hyp_vmsmmu *s, const struct hyp_vmbuild *b)
{
    int first = HYP_OK;

    if (s->base == 0)
        return HYP_OK;
    for (unsigned d = 0; d < b->cfg->device_count; d++) {
        const struct hyp_vmconfig_device *dev = &b->cfg->devices[d];

        for (unsigned k = 0; k < dev->stream_count && dev->smmu.base == s->base; k++) {
            uint32_t lo, hi;

            if (!table_part(&dev->streams[k], &lo, &hi))
                continue;
            for (uint32_t sid = lo; sid < hi; sid++) {
                int rc = hyp_smmuv3_detach(&s->smmu, sid);

                if (rc != HYP_OK && first == HYP_OK)
                    first = rc;
            }
        }
        for (unsigned k = 0; k < dev->stream_count && dev->smmu.base == s->base; k++) {
            unsigned lo, hi;
            int rc;

            if (!bus_part(&dev->streams[k], &lo, &hi))
                continue;
            rc = hyp_smmuv3_detach_buses(&s->smmu, lo, hi);
            if (rc != HYP_OK && rc != HYP_ENOTSUP && rc != HYP_EINVAL && first == HYP_OK)
                first = rc;
        }
    }
    return first;
}

unsigned hyp_vmsmmu_faults(const struct hyp_vmsmmu *s)
{
    return __atomic_load_n(&s->faults, __ATOMIC_RELAXED);
}
