/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pausing a VM built by vmbuild.c and writing its checkpoint
 * (docs/checkpoint.md) into a RAM region outside every VM. Target only:
 * reads the FP/SIMD registers, the virtual CPU interface and the counter.
 */
#include <stdio.h>
#include <string.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/sysreg.h>
#include <hyp/vmckpt.h>

#include <libfdt.h>

#include "../fdt/fdt_util.h"

/* Pause bookkeeping and the state only the VM's own CPUs can read or write
 * (paused: saved from them; resumed: to load into them), per VM. */
struct pause {
    unsigned paused;    /* vCPUs parked for the checkpoint (atomic) */
    unsigned writer;    /* set by the vCPU that writes it (atomic) */
    unsigned written;   /* the checkpoint is out (atomic) */
    bool resumed;       /* restored from a checkpoint module */
    uint64_t vcount;    /* its guest count at the pause */
    unsigned off_claim; /* a CPU of it is setting @cntvoff (atomic) */
    unsigned off_set;   /* @cntvoff is set (atomic) */
    uint64_t cntvoff;   /* CNTVOFF_EL2 of a resumed VM, the same on all its CPUs */
    struct hyp_ckpt_fp fp[HYP_VMCONFIG_MAX_VCPUS];
    struct hyp_vgic_hw_state gic[HYP_VMCONFIG_MAX_VCPUS];
};

static struct pause pauses[HYP_VMCONFIG_MAX_VMS];

int hyp_vmckpt_store(const void *dtb, struct hyp_range *store)
{
    int node = fdt_node_offset_by_compatible(dtb, -1, "libhyp,checkpoint-store");
    int parent, ac, sc, len;
    const fdt32_t *reg;

    if (node < 0)
        return HYP_ENOENT;
    parent = fdt_parent_offset(dtb, node);
    ac = fdt_address_cells(dtb, parent);
    sc = fdt_size_cells(dtb, parent);
    reg = fdt_getprop(dtb, node, "reg", &len);
    if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < 4 * (ac + sc))
        return HYP_EFORMAT;
    store->base = hyp_fdt_cells(reg, (unsigned)ac);
    store->size = hyp_fdt_cells(reg + ac, (unsigned)sc);
    if (store->size == 0 || (store->base | store->size) & (HYP_CKPT_PAGE_SIZE - 1))
        return HYP_EFORMAT;
    return HYP_OK;
}

/* q8..q31, FPSR and FPCR: the FP/SIMD state the world switch leaves live. */
static void fp_save(struct hyp_ckpt_fp *fp)
{
    uint64_t *q = fp->q;

    __asm__ volatile("stp q8, q9, [%0, #0]\n\t"
                     "stp q10, q11, [%0, #32]\n\t"
                     "stp q12, q13, [%0, #64]\n\t"
                     "stp q14, q15, [%0, #96]\n\t"
                     "stp q16, q17, [%0, #128]\n\t"
                     "stp q18, q19, [%0, #160]\n\t"
                     "stp q20, q21, [%0, #192]\n\t"
                     "stp q22, q23, [%0, #224]\n\t"
                     "stp q24, q25, [%0, #256]\n\t"
                     "stp q26, q27, [%0, #288]\n\t"
                     "stp q28, q29, [%0, #320]\n\t"
                     "stp q30, q31, [%0, #352]\n\t" ::"r"(q)
                     : "memory");
    __asm__ volatile("mrs %0, fpsr" : "=r"(fp->fpsr));
    __asm__ volatile("mrs %0, fpcr" : "=r"(fp->fpcr));
}

static void fp_restore(const struct hyp_ckpt_fp *fp)
{
    const uint64_t *q = fp->q;

    __asm__ volatile("ldp q8, q9, [%0, #0]\n\t"
                     "ldp q10, q11, [%0, #32]\n\t"
                     "ldp q12, q13, [%0, #64]\n\t"
                     "ldp q14, q15, [%0, #96]\n\t"
                     "ldp q16, q17, [%0, #128]\n\t"
                     "ldp q18, q19, [%0, #160]\n\t"
                     "ldp q20, q21, [%0, #192]\n\t"
                     "ldp q22, q23, [%0, #224]\n\t"
                     "ldp q24, q25, [%0, #256]\n\t"
                     "ldp q26, q27, [%0, #288]\n\t"
                     "ldp q28, q29, [%0, #320]\n\t"
                     "ldp q30, q31, [%0, #352]\n\t" ::"r"(q)
                     : "memory");
    __asm__ volatile("msr fpsr, %0" ::"r"(fp->fpsr));
    __asm__ volatile("msr fpcr, %0" ::"r"(fp->fpcr));
}

/* Milliseconds of the physical counter since @start (a figure for the
 * console line, never a decision). */
static uint64_t ms_since(uint64_t start)
{
    return (read_sysreg(cntpct_el0) - start) * 1000 / read_sysreg(cntfrq_el0);
}

static unsigned vcpus_not_off(const struct hyp_vmbuild *b)
{
    unsigned n = 0;

    for (unsigned i = 0; i < b->cfg->vcpu_count; i++)
        n += __atomic_load_n(&b->vcpus[i].power, __ATOMIC_ACQUIRE) != HYP_VCPU_OFF;
    return n;
}

/* Write the checkpoint of the paused VM @b into @store. */
static int write_ckpt(struct hyp_vmbuild *b, struct pause *p,
                      const struct hyp_range *store, uint64_t vcount, uint64_t *size)
{
    struct hyp_ckpt_mem mem = {(uint8_t *)(uintptr_t)store->base, store->size, 0};
    struct hyp_ckpt_header h;
    struct hyp_ckpt_writer w;
    const struct hyp_vmconfig_vm *v = b->cfg;
    int rc;

    memset(&h, 0, sizeof(h));
    rc = hyp_ckpt_vm_fingerprint(b->config, b->index, HYP_VMBUILD_SPIS, &h.fp);
    if (rc != HYP_OK)
        return rc;
    h.cntfrq = read_sysreg(cntfrq_el0);
    h.vcount = vcount;
    snprintf(h.name, sizeof(h.name), "%s", v->name);
    hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &mem, &h);
    for (unsigned i = 0; i < v->vcpu_count; i++) {
        static struct hyp_ckpt_vcpu s;
        const struct hyp_vcpu *vc = &b->vcpus[i];

        memset(&s, 0, sizeof(s));
        s.regs = vc->regs;
        s.el1 = vc->el1;
        s.fp = p->fp[i];
        s.gic = p->gic[i];
        s.power = (uint32_t)vc->power;
        s.vmpidr = vc->vmpidr;
        s.boot_entry = vc->boot_entry;
        s.boot_context = vc->boot_context;
        hyp_ckpt_write_vcpu(&w, i, &s);
    }
    hyp_ckpt_write_vgic(&w, &b->vgic);
    if (v->console) {
        hyp_spin_lock(&b->uart_lock);
        hyp_ckpt_write_vuart(&w, 0, &b->uart);
        hyp_spin_unlock(&b->uart_lock);
    }
    rc = hyp_el2_map(v->mem.base, v->mem.size, HYP_PROT_R);
    if (rc != HYP_OK)
        return rc;
    hyp_ckpt_write_ram(&w, 0, (const void *)(uintptr_t)v->mem.base);
    hyp_el2_unmap(v->mem.base, v->mem.size);
    rc = hyp_ckpt_write_end(&w, size);
    if (rc == HYP_OK)
        hyp_el2_sync_for_guest(store->base, *size); /* to the point of coherency */
    return rc;
}

int hyp_vmckpt_pause(struct hyp_vmbuild *b, struct hyp_vcpu *vcpu,
                     const struct hyp_range *store, char *msg, size_t msg_len)
{
    struct pause *p = &pauses[b->index];
    unsigned expected = 0;
    uint64_t vcount, start, size = 0;
    int rc;

    msg[0] = '\0';
    /* This vCPU's part: what lives in its CPU goes into memory. */
    hyp_vcpu_save_el1(vcpu);
    fp_save(&p->fp[vcpu->id]);
    hyp_vgic_hw_save(&p->gic[vcpu->id]);
    __atomic_add_fetch(&p->paused, 1, __ATOMIC_ACQ_REL);
    /* The last of the vCPUs that are on writes; the others wait for it. */
    for (;;) {
        if (__atomic_load_n(&p->written, __ATOMIC_ACQUIRE))
            return HYP_OK;
        if (__atomic_load_n(&p->paused, __ATOMIC_ACQUIRE) >= vcpus_not_off(b) &&
            __atomic_compare_exchange_n(&p->writer, &expected, 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
        expected = 0;
        __asm__ volatile("yield" ::: "memory");
    }
    vcount = read_sysreg(cntvct_el0); /* the guest's count: CNTPCT - CNTVOFF_EL2 */
    start = read_sysreg(cntpct_el0);
    rc = write_ckpt(b, p, store, vcount, &size);
    if (rc == HYP_OK)
        snprintf(msg, msg_len,
                 "%s (%s) paused; checkpoint %llu bytes at %#llx, guest count %llu, "
                 "written in %llu ms",
                 b->cfg->node, b->cfg->name, (unsigned long long)size,
                 (unsigned long long)store->base, (unsigned long long)vcount,
                 (unsigned long long)ms_since(start));
    else
        snprintf(msg, msg_len, "%s (%s) paused; its checkpoint failed: %s", b->cfg->node,
                 b->cfg->name, hyp_strerror(rc));
    __atomic_store_n(&p->written, 1, __ATOMIC_RELEASE);
    return rc;
}

/* Map a module's pages at EL2 for reading; its page-rounded range. */
static struct hyp_range module_pages(const struct hyp_range *m)
{
    uint64_t base = m->base & ~(uint64_t)(HYP_CKPT_PAGE_SIZE - 1);
    uint64_t end = (m->base + m->size + HYP_CKPT_PAGE_SIZE - 1) &
                   ~(uint64_t)(HYP_CKPT_PAGE_SIZE - 1);

    return (struct hyp_range){base, end - base};
}

#define REFUSE(...) (snprintf(msg, msg_len, __VA_ARGS__), rc = HYP_EINVAL)

int hyp_vmckpt_resume(struct hyp_vmbuild *b, char *msg, size_t msg_len)
{
    static struct hyp_ckpt ck;
    static struct hyp_ckpt_vcpu s;
    const struct hyp_vmconfig_vm *v = b->cfg;
    struct pause *p = &pauses[b->index];
    struct hyp_ckpt_fingerprint fp;
    struct hyp_range mod;
    uint64_t start = read_sysreg(cntpct_el0);
    int rc;

    msg[0] = '\0';
    if (v->checkpoint.node < 0)
        return HYP_ENOENT;
    mod = module_pages(&v->checkpoint.range);
    rc = hyp_el2_map(mod.base, mod.size, HYP_PROT_R);
    if (rc != HYP_OK) {
        snprintf(msg, msg_len, "%s (%s): its checkpoint cannot be mapped: %s", v->node,
                 v->name, hyp_strerror(rc));
        return rc;
    }
    rc = hyp_ckpt_parse(&ck, (const void *)(uintptr_t)v->checkpoint.range.base,
                        v->checkpoint.range.size);
    if (rc == HYP_OK)
        rc = hyp_ckpt_vm_fingerprint(b->config, b->index, HYP_VMBUILD_SPIS, &fp);
    if (rc == HYP_OK)
        rc = hyp_ckpt_match(&ck, &fp);
    if (rc != HYP_OK)
        snprintf(msg, msg_len, "%s (%s): checkpoint refused: %s", v->node, v->name,
                 ck.error);
    else if (ck.hdr.cntfrq != read_sysreg(cntfrq_el0))
        REFUSE("%s (%s): checkpoint refused: counter at %llu Hz, this board's at %llu Hz",
               v->node, v->name, (unsigned long long)ck.hdr.cntfrq,
               (unsigned long long)read_sysreg(cntfrq_el0));
    for (unsigned i = 0; rc == HYP_OK && i < v->vcpu_count; i++) {
        hyp_ckpt_vcpu(&ck, i, &s);
        if (s.vmpidr != b->vcpus[i].vmpidr)
            REFUSE("%s (%s): checkpoint refused: vCPU %u had MPIDR %#llx, now %#llx",
                   v->node, v->name, i, (unsigned long long)s.vmpidr,
                   (unsigned long long)b->vcpus[i].vmpidr);
    }
    if (rc == HYP_OK && hyp_ckpt_restore_vgic(&ck, &b->vgic) != HYP_OK)
        REFUSE("%s (%s): checkpoint refused: %s", v->node, v->name, ck.error);
    if (rc != HYP_OK) {
        hyp_el2_unmap(mod.base, mod.size);
        return rc;
    }
    if (v->console) {
        hyp_spin_lock(&b->uart_lock);
        hyp_ckpt_restore_vuart(&ck, 0, &b->uart);
        hyp_spin_unlock(&b->uart_lock);
    }
    rc = hyp_el2_map(v->mem.base, v->mem.size, HYP_PROT_RW);
    if (rc == HYP_OK) {
        hyp_ckpt_restore_ram(&ck, 0, (void *)(uintptr_t)v->mem.base);
        hyp_el2_sync_for_guest(v->mem.base, v->mem.size);
        hyp_el2_unmap(v->mem.base, v->mem.size);
    }
    for (unsigned i = 0; rc == HYP_OK && i < v->vcpu_count; i++) {
        struct hyp_vcpu *vc = &b->vcpus[i];

        hyp_ckpt_vcpu(&ck, i, &s);
        vc->regs = s.regs;
        vc->el1 = s.el1;
        vc->boot_entry = s.boot_entry;
        vc->boot_context = s.boot_context;
        p->fp[i] = s.fp;
        p->gic[i] = s.gic;
        __atomic_store_n(&vc->power, (int)s.power, __ATOMIC_RELEASE);
    }
    if (rc == HYP_OK) {
        p->vcount = ck.hdr.vcount;
        p->resumed = true;
        snprintf(msg, msg_len,
                 "%s (%s) resumes from its checkpoint (%llu bytes, guest count %llu, "
                 "restored in %llu ms)",
                 v->node, v->name, (unsigned long long)ck.size,
                 (unsigned long long)ck.hdr.vcount, (unsigned long long)ms_since(start));
    } else {
        snprintf(msg, msg_len, "%s (%s): its RAM cannot be mapped: %s", v->node, v->name,
                 hyp_strerror(rc));
    }
    hyp_el2_unmap(mod.base, mod.size);
    return rc;
}

void hyp_vmckpt_resume_cpu(struct hyp_vmbuild *b, unsigned vcpu)
{
    struct pause *p = &pauses[b->index];

    unsigned expected = 0;

    if (!p->resumed)
        return;
    /* The first of its CPUs to get here fixes the offset, as late as can be:
     * the guest's count goes on from the pause at its first entry. */
    if (__atomic_compare_exchange_n(&p->off_claim, &expected, 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        p->cntvoff = read_sysreg(cntpct_el0) - p->vcount;
        __atomic_store_n(&p->off_set, 1, __ATOMIC_RELEASE);
    }
    while (!__atomic_load_n(&p->off_set, __ATOMIC_ACQUIRE))
        __asm__ volatile("yield" ::: "memory");
    write_sysreg(cntvoff_el2, p->cntvoff);
    fp_restore(&p->fp[vcpu]);
    hyp_vgic_hw_restore(&p->gic[vcpu]);
    __asm__ volatile("isb" ::: "memory");
}
