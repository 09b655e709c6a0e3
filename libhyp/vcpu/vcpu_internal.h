/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What vcpu.c and vcpu_vgic.c share (target only). vcpu_vgic.c holds the
 * run loop's virtual-GIC work; vcpu.c reaches it by weak references, and
 * hyp_vm_attach_vgic() (libhyp/vgic/vgic_vm.c) makes the linker take it, so
 * an image whose VMs never get a vGIC links none of it. The checks that
 * decide whether it runs stay inline here, on the exit paths.
 */
#ifndef LIBHYP_VCPU_INTERNAL_H
#define LIBHYP_VCPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/vcpu.h>
#include <hyp/vgic.h>
#include <hyp/vm.h>
#include "../core/percpu.h"

/* vcpu_vgic.c: the list registers reloaded for @vcpu on a vCPU switch. */
void hyp_vcpu_vgic_load(struct hyp_vcpu *vcpu);
/* vcpu_vgic.c: @vcpu's virtual interrupts into the list registers that changed. */
void hyp_vcpu_vgic_enter(struct hyp_percpu *cpu, struct hyp_vcpu *vcpu,
                         struct hyp_vgic *vgic);
/* vcpu_vgic.c: the @used list registers read back into the model. */
void hyp_vcpu_vgic_exit(struct hyp_vcpu *vcpu, uint32_t used);
/* vcpu_vgic.c: a fast exit's list-register refill. */
void hyp_vcpu_vgic_refill(struct hyp_vcpu *vcpu);
/* vcpu_vgic.c: fast exits of a VM with @vgic: a trapped ICC_SGI1R_EL1 write
 * and WFI/WFE (NULL: to the run loop). */
struct hyp_vcpu_regs *hyp_vcpu_sgi1r_fast(struct hyp_vcpu *vcpu, uint64_t esr,
                                          struct hyp_vgic *vgic);
struct hyp_vcpu_regs *hyp_vcpu_wfx_fast(struct hyp_vcpu *vcpu, uint64_t esr,
                                        struct hyp_vgic *vgic);

/* Whether the list registers need no work before entering @vcpu: they show
 * all it has (hyp_vgic_needs_flush()) and no maintenance was requested. */
static inline bool vgic_quiet(const struct hyp_percpu *cpu, const struct hyp_vcpu *vcpu,
                              const struct hyp_vgic *vgic)
{
    return cpu->ich_hcr == HYP_ICH_HCR_EN &&
           !hyp_vgic_cpu_needs_flush(vgic, vcpu->vgic_cpu);
}

/* After an exit: the model learns what the guest did with the list
 * registers in use. With none in use there is nothing to learn, and
 * hyp_vcpu::vgic_synced is left as it is: false there only costs a sync of
 * nothing later (it is never true while the model lags). */
static inline __attribute__((always_inline)) void vgic_exit(struct hyp_vcpu *vcpu)
{
    uint32_t used = vcpu->vgic_cpu->lr_used;

    if (used != 0)
        hyp_vcpu_vgic_exit(vcpu, used);
}

/* The end of a finished fast exit: count it, refill the list registers when
 * they do not show the model. Everything the refill needs it finds again:
 * nothing stays in callee-saved registers for it. */
static inline struct hyp_vcpu_regs *fast_done(struct hyp_vcpu *vcpu,
                                              enum hyp_exit_kind kind)
{
    vcpu->exits[kind]++;
    if (__builtin_expect(vcpu->vgic_cpu != NULL &&
                             !vgic_quiet(hyp_this_cpu(), vcpu, vcpu->vm->vgic),
                         0))
        hyp_vcpu_vgic_refill(vcpu);
    return &vcpu->regs;
}

#endif
