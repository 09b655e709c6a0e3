/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run loop's virtual-GIC work (target only): list registers in and out
 * of the model, and the fast exits only a vGIC has (ICC_SGI1R_EL1, WFI).
 * Linked only with a vGIC (vcpu_internal.h).
 */
#include <assert.h>
#include <stdbool.h>
#include <hyp/gic.h>
#include <hyp/sysreg.h>
#include "vcpu_internal.h"

static_assert(sizeof(((struct hyp_vcpu *)0)->lrs) / sizeof(uint64_t) == HYP_VGIC_MAX_LRS,
              "hyp_vcpu::lrs holds every list register");

/* List registers this CPU implements, read by hyp_vgic_hw_cpu_init(). */
static inline unsigned nr_lrs(void)
{
    return hyp_this_cpu()->nr_lrs;
}

/* All of them: zeros for a VM without a virtual GIC, which must not see
 * the last one's. */
void hyp_vcpu_vgic_load(struct hyp_vcpu *vcpu)
{
    for (unsigned i = 0; i < nr_lrs(); i++)
        hyp_vgic_hw_write_lr(i, vcpu->lrs[i]);
}

void hyp_vcpu_vgic_enter(struct hyp_percpu *cpu, struct hyp_vcpu *vcpu,
                         struct hyp_vgic *vgic)
{
    uint64_t hcr;
    uint32_t dirty = hyp_vgic_flush(vgic, vcpu->id, vcpu->lrs, nr_lrs(), &hcr);

    for (; dirty; dirty &= dirty - 1) {
        unsigned i = (unsigned)__builtin_ctz(dirty);

        hyp_vgic_hw_write_lr(i, vcpu->lrs[i]);
    }
    if (hcr != cpu->ich_hcr) {
        hyp_vgic_hw_write_hcr(hcr);
        cpu->ich_hcr = hcr;
    }
}

/* Out of line here too: vgic_exit() keeps its callers' fast paths short. */
__attribute__((noinline)) void hyp_vcpu_vgic_exit(struct hyp_vcpu *vcpu, uint32_t used)
{
    hyp_vgic_hw_read_lrs(vcpu->lrs, used);
    hyp_vgic_sync(vcpu->vm->vgic, vcpu->id, vcpu->lrs, nr_lrs());
    vcpu->vgic_synced = true;
}

void hyp_vcpu_vgic_refill(struct hyp_vcpu *vcpu)
{
    struct hyp_vgic *vgic = vcpu->vm->vgic;

    /* A flush rewrites list registers from the model: the model must know
     * what the guest did with them first. */
    if (!vcpu->vgic_synced) {
        hyp_vgic_sync(vgic, vcpu->id, vcpu->lrs, nr_lrs());
        vcpu->vgic_synced = true;
    }
    hyp_vcpu_vgic_enter(hyp_this_cpu(), vcpu, vgic);
}

/* The ISS of an MSR to ICC_SGI1R_EL1 (op0 3, op1 0, CRn 12, CRm 11, op2 5,
 * write), Rt masked out. */
#define ISS_RT_MASK     (0x1fULL << 5)
#define ISS_SGI1R_W     ((3ULL << 20) | (5ULL << 17) | (12ULL << 10) | (11ULL << 1))
#define ISS_MASK        0x1ffffffULL
/* ESR_EL2.ISS.TI of a WFx trap: 0 WFI, 1 WFE (2, 3: WFIT, WFET). */
#define ESR_WFX_TI_MASK 0x3ULL
#define ESR_WFX_TI_WFE  0x1ULL

struct hyp_vcpu_regs *hyp_vcpu_sgi1r_fast(struct hyp_vcpu *vcpu, uint64_t esr,
                                          struct hyp_vgic *vgic)
{
    if ((esr & ISS_MASK & ~ISS_RT_MASK) != ISS_SGI1R_W)
        return NULL;
    vgic_exit(vcpu);
    hyp_vgic_sgi1r(vgic, vcpu->id, hyp_vcpu_reg(vcpu, (esr >> 5) & 0x1f));
    write_sysreg(elr_el2, read_sysreg(elr_el2) + 4);
    return fast_done(vcpu, HYP_EXIT_SYSREG);
}

/* WFI: wait here, at EL2, until the vCPU has an interrupt to take (or any
 * physical interrupt comes: a kick, its timer, a tick); WFE completes at
 * once. The physical interrupt that ended the wait is taken here, as
 * hyp_vcpu_irq_fast() would take it, rather than by an interrupt exit right
 * after the next entry (a kick then costs no exit of its own): the list
 * registers in use were read back, and nothing ran the guest since. One
 * that must go to hyp_handle_irq() makes this exit an interrupt exit
 * instead (hyp_percpu::wfi_irq). The WFI is complete either way: a guest
 * that looks at its wake-up condition after each WFI must see every
 * wake-up, or an interrupt it took before a WFI run again would leave it
 * asleep. The run loop waits the same way for vCPUs without the fast path.
 * WFIT/WFET go to the run loop. */
struct hyp_vcpu_regs *hyp_vcpu_wfx_fast(struct hyp_vcpu *vcpu, uint64_t esr,
                                        struct hyp_vgic *vgic)
{
    bool wfe = (esr & ESR_WFX_TI_MASK) == ESR_WFX_TI_WFE, taken = true;

    if ((esr & ESR_WFX_TI_MASK) > ESR_WFX_TI_WFE)
        return NULL;
    if (!wfe) {
        vgic_exit(vcpu); /* what the guest took, before asking */
        if (!hyp_vgic_pending(vgic, vcpu->id)) {
            __asm__ volatile("dsb sy\n\twfi" ::: "memory");
            taken = hyp_handle_irq_fast();
        }
    }
    write_sysreg(elr_el2, read_sysreg(elr_el2) + 4);
    if (!taken) {
        hyp_this_cpu()->wfi_irq = true;
        return NULL;
    }
    return fast_done(vcpu, wfe ? HYP_EXIT_WFE : HYP_EXIT_WFI);
}
