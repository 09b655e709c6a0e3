/* SPDX-License-Identifier: BSD-2-Clause */
/* The guide's VM-stack page (docs/guide-vmstack.md): VM A calls VM B on the
 * same CPU. Compiled and linked by install.guide-snippets. */
#include <hyp/hyp.h>
#include <hyp/smccc.h>
#include <hyp/vmbuild.h>
#include <hyp/vmstack.h>
#include "snippets.h"

/* [abi] */
/* A's call into B, and B's answer (vendor hypervisor calls, SMC32/HVC32). */
#define CALL_FID (SMCCC_FAST_CALL | (SMCCC_OWNER_VENDOR_HYP << SMCCC_OWNER_SHIFT) | 0x10)
#define ANSWER_FID                                                                       \
    (SMCCC_FAST_CALL | (SMCCC_OWNER_VENDOR_HYP << SMCCC_OWNER_SHIFT) | 0x11)
/* [abi] */

/* [callee] */
/* Each exit of B while it runs for A: its ANSWER call pops it, x1 going
 * back to A as the result; everything else goes to the defaults. */
static bool callee_exit(struct hyp_vmstack *s, struct hyp_vcpu *callee,
                        const struct hyp_exit *exit, void *arg)
{
    uint64_t ret[2];

    (void)arg;
    if (exit->kind != HYP_EXIT_HVC || (uint32_t)callee->regs.x[0] != ANSWER_FID)
        return false;
    ret[0] = SMCCC_RET_SUCCESS;
    ret[1] = (uint32_t)callee->regs.x[1];
    hyp_vmstack_pop(s, HYP_VMSTACK_RETURNED, ret, 2); /* B resumes here next time */
    return true;
}

static const struct hyp_vmstack_ops callee_ops = {.exit = callee_exit};
/* [callee] */

/* [caller] */
/* A's run-loop policy (hyp_run_hooks::policy, with arg = B): A's CALL runs
 * B's vCPU pinned to this CPU until it answers. A runs nowhere meanwhile. */
static bool caller_policy(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, void *arg)
{
    struct hyp_vmbuild *b = arg;
    struct hyp_vmstack *s = hyp_vmstack_this_cpu();
    struct hyp_vcpu *callee = NULL;
    uint64_t args[2] = {CALL_FID, (uint32_t)vcpu->regs.x[1]};

    if (exit->kind != HYP_EXIT_HVC || (uint32_t)vcpu->regs.x[0] != CALL_FID)
        return false;
    for (unsigned i = 0; i < b->vm.vcpu_count; i++)
        if (b->vcpus[i].pcpu == vcpu->pcpu)
            callee = &b->vcpus[i];
    if (callee == NULL || hyp_vmstack_push(s, vcpu, callee, args, 2) != HYP_OK) {
        vcpu->regs.x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
        return true;
    }
    /* FAULTED and FOREIGN_IRQ pops leave A's x0 to the ABI: here, an error. */
    if (hyp_vmstack_run(s, &callee_ops) != HYP_VMSTACK_RETURNED)
        vcpu->regs.x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
    return true;
}

const struct hyp_run_hooks *guide_caller_hooks(struct hyp_vmbuild *b)
{
    static struct hyp_run_hooks hooks = {.policy = caller_policy};

    hooks.arg = b;
    return &hooks;
}
/* [caller] */
