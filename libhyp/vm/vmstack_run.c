/* SPDX-License-Identifier: BSD-2-Clause */
/* The VM stack on the target: each CPU's stack, and running its top (hyp/vmstack.h). */
#include <stddef.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/smccc.h>
#include <hyp/sysreg.h>
#include <hyp/vgic.h>
#include <hyp/vm.h>
#include <hyp/vmstack.h>

/* The slice a callee gets when its caller's timer has expired already:
 * 1 / HYP_VMSTACK_SLICE_DIV of a second (100 us). */
#define HYP_VMSTACK_SLICE_DIV 10000

static struct hyp_vmstack stacks[HYP_MAX_CPUS];

struct hyp_vmstack *hyp_vmstack_this_cpu(void)
{
    unsigned cpu = hyp_cpu_id();

    return cpu < HYP_MAX_CPUS ? &stacks[cpu] : NULL;
}

/* The callee cannot go on: its caller gets SMCCC NOT_SUPPORTED. */
static void fail(struct hyp_vmstack *s)
{
    const uint64_t ret = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;

    hyp_vmstack_pop(s, HYP_VMSTACK_FAULTED, &ret, 1);
}

/* CNTV_CTL_EL0: ENABLE, IMASK, ISTATUS. */
#define CNTV_ENABLE 1u
#define CNTV_IMASK  2u

/* Whether @v's virtual timer is armed; *cval its deadline. Its EL1 state is
 * live in this CPU while it is loaded, saved in hyp_vcpu::el1 otherwise. */
static bool vtimer_armed(const struct hyp_vcpu *v, uint64_t *cval)
{
    uint64_t ctl = v->loaded ? read_sysreg(cntv_ctl_el0) : v->el1.cntv_ctl;

    *cval = v->loaded ? read_sysreg(cntv_cval_el0) : v->el1.cntv_cval;
    return (ctl & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE;
}

/*
 * Whether @v has an interrupt to take: one pending in its virtual GIC, or
 * its virtual timer expired. A suspended caller's timer is not armed in
 * the hardware (its EL1 state is saved while the callee's is loaded), so
 * its expiry is read from the saved registers.
 */
static bool caller_interrupted(struct hyp_vcpu *v)
{
    if (v->vm->vgic == NULL)
        return false;
    if (!v->loaded && (v->el1.cntv_ctl & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE &&
        read_sysreg(cntvct_el0) >= v->el1.cntv_cval)
        return true;
    return hyp_vgic_pending(v->vm->vgic, v->id);
}

/* After an interrupt exit: a foreign interrupt, or a callee that overran. */
static void after_irq(struct hyp_vmstack *s, const struct hyp_vmstack_ops *ops,
                      struct hyp_vcpu *caller, struct hyp_vcpu *callee)
{
    uint64_t ret[HYP_VMSTACK_MAX_REGS];
    unsigned n = 0;
    void *arg = ops != NULL ? ops->arg : NULL;

    if (caller_interrupted(caller) && (ops == NULL || ops->foreign_ok == NULL ||
                                       ops->foreign_ok(caller, callee, arg))) {
        if (ops != NULL && ops->foreign_ret != NULL)
            n = ops->foreign_ret(caller, callee, ret, arg);
        hyp_vmstack_pop(s, HYP_VMSTACK_FOREIGN_IRQ, ret,
                        n <= HYP_VMSTACK_MAX_REGS ? n : HYP_VMSTACK_MAX_REGS);
        return;
    }
    if (ops != NULL && ops->overdue != NULL && ops->overdue(caller, callee, ret, &n, arg))
        hyp_vmstack_pop(s, HYP_VMSTACK_FAULTED, ret,
                        n <= HYP_VMSTACK_MAX_REGS ? n : HYP_VMSTACK_MAX_REGS);
}

enum hyp_vmstack_reason hyp_vmstack_run(struct hyp_vmstack *s,
                                        const struct hyp_vmstack_ops *ops)
{
    unsigned floor;

    if (s == NULL || s->depth == 0)
        return HYP_VMSTACK_NONE;
    floor = s->depth - 1;
    while (s->depth > floor) {
        struct hyp_vmstack_frame *f = &s->frames[s->depth - 1];
        struct hyp_vcpu *callee = f->callee, *caller = f->caller;
        struct hyp_exit exit;

        uint64_t cval;

        /* A deadline that passed already: the callee still gets a slice
         * (waking at once would stop a callee that may not yield for good). */
        if (ops != NULL && ops->wake_by != NULL && caller->vm->vgic != NULL &&
            vtimer_armed(caller, &cval)) {
            uint64_t now = read_sysreg(cntpct_el0);
            uint64_t slice = read_sysreg(cntfrq_el0) / HYP_VMSTACK_SLICE_DIV;

            ops->wake_by(cval > now ? cval : now + slice, ops->arg);
        }
        if (__atomic_load_n(&callee->vm->shutdown, __ATOMIC_ACQUIRE) != HYP_VM_RUNNING ||
            hyp_vcpu_run(callee, &exit) != HYP_OK) {
            fail(s);
            continue;
        }
        if (exit.kind == HYP_EXIT_IRQ || exit.kind == HYP_EXIT_FIQ) {
            hyp_handle_exit(callee, &exit);
            after_irq(s, ops, caller, callee);
            continue;
        }
        if (ops == NULL || ops->exit == NULL || !ops->exit(s, callee, &exit, ops->arg))
            hyp_handle_exit(callee, &exit);
        /* Still the callee's turn, but its VM asked to stop: end the call. */
        if (s->depth > floor && s->frames[s->depth - 1].callee == callee &&
            __atomic_load_n(&callee->vm->shutdown, __ATOMIC_ACQUIRE) != HYP_VM_RUNNING)
            fail(s);
    }
    return s->last;
}
