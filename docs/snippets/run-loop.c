/* SPDX-License-Identifier: BSD-2-Clause */
/* The guide's run-loop page (docs/guide-run-loop.md): a policy chained in
 * front of the library's default exit handlers. Compiled and linked by the
 * test install.guide-snippets; not booted. */
#include <hyp/hyp.h>
#include <hyp/vmbuild.h>
#include "snippets.h"

/* [policy] */
static uint64_t wfi_exits; /* a figure for the hypervisor's own report */

/* Called first for every exit; true means "handled, skip the defaults". */
static bool my_policy(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, void *arg)
{
    (void)arg;
    switch (exit->kind) {
    case HYP_EXIT_WFI:
        /* Observe, then let hyp_handle_exit() put the vCPU to sleep. */
        __atomic_add_fetch(&wfi_exits, 1, __ATOMIC_RELAXED);
        return false;
    case HYP_EXIT_HVC:
        /* SMCCC uses HVC #0 only; refuse any other immediate here. The
         * preferred return of an HVC is already the next instruction. */
        if (exit->u.call.imm == 0)
            return false;
        hyp_vcpu_inject_undef(vcpu);
        return true;
    default:
        return false; /* the library's defaults: PSCI, vGIC, MMIO, ... */
    }
}
/* [policy] */

/* [after] */
/* Called after each exit, handled by whoever: periodic work goes here. */
static void my_after(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, bool tick,
                     void *arg)
{
    struct hyp_vmbuild *vm = arg;

    if (tick && vcpu->pcpu == 0 && exit->kind == HYP_EXIT_IRQ)
        hyp_vmbuild_console_input(vm, NULL, NULL);
}
/* [after] */

/* [run] */
int guide_run_cpu(struct hyp_vmbuild *vm, unsigned vcpu)
{
    const struct hyp_run_hooks hooks = {
        .policy = my_policy, .after = my_after, .arg = vm};
    int rc = hyp_vmbuild_cpu_prepare(); /* this CPU's GIC interface, its tick */

    if (rc != HYP_OK)
        return rc;
    /* Returns when the VM asks for SYSTEM_OFF or SYSTEM_RESET. */
    return hyp_vmbuild_run(vm, vcpu, &hooks);
}
/* [run] */

uint64_t guide_wfi_exits(void)
{
    return __atomic_load_n(&wfi_exits, __ATOMIC_RELAXED);
}
