/* SPDX-License-Identifier: BSD-2-Clause */
/* The VM stack's logic: push, pop and queries (hyp/vmstack.h; host and target). */
#include <stddef.h>
#include <hyp/error.h>
#include <hyp/vmstack.h>

void hyp_vmstack_init(struct hyp_vmstack *s)
{
    s->depth = 0;
    s->last = HYP_VMSTACK_NONE;
    s->last_callee = NULL;
    for (unsigned i = 0; i < HYP_VMSTACK_DEPTH; i++)
        s->frames[i] = (struct hyp_vmstack_frame){NULL, NULL};
}

bool hyp_vmstack_contains(const struct hyp_vmstack *s, const struct hyp_vcpu *vcpu)
{
    for (unsigned i = 0; i < s->depth; i++)
        if (s->frames[i].caller == vcpu || s->frames[i].callee == vcpu)
            return true;
    return false;
}

int hyp_vmstack_push(struct hyp_vmstack *s, struct hyp_vcpu *caller,
                     struct hyp_vcpu *callee, const uint64_t *args, unsigned nargs)
{
    if (caller == NULL || callee == NULL || caller->vm == callee->vm ||
        caller->pcpu != callee->pcpu || nargs > HYP_VMSTACK_MAX_REGS ||
        (nargs != 0 && args == NULL))
        return HYP_EINVAL;
    if (s->depth != 0 && s->frames[s->depth - 1].callee != caller)
        return HYP_EINVAL;
    if (hyp_vmstack_contains(s, callee))
        return HYP_EBUSY;
    if (s->depth == HYP_VMSTACK_DEPTH)
        return HYP_ENOMEM;
    for (unsigned i = 0; i < nargs; i++)
        callee->regs.x[i] = args[i];
    s->frames[s->depth++] = (struct hyp_vmstack_frame){caller, callee};
    return HYP_OK;
}

struct hyp_vcpu *hyp_vmstack_pop(struct hyp_vmstack *s, enum hyp_vmstack_reason reason,
                                 const uint64_t *ret, unsigned nret)
{
    struct hyp_vmstack_frame *f;

    if (s->depth == 0 || reason == HYP_VMSTACK_NONE || reason > HYP_VMSTACK_FOREIGN_IRQ ||
        nret > HYP_VMSTACK_MAX_REGS || (nret != 0 && ret == NULL))
        return NULL;
    f = &s->frames[--s->depth];
    for (unsigned i = 0; i < nret; i++)
        f->caller->regs.x[i] = ret[i];
    s->last = reason;
    s->last_callee = f->callee;
    return f->caller;
}

struct hyp_vcpu *hyp_vmstack_current(const struct hyp_vmstack *s, struct hyp_vcpu *base)
{
    return s->depth != 0 ? s->frames[s->depth - 1].callee : base;
}

struct hyp_vcpu *hyp_vmstack_caller(const struct hyp_vmstack *s)
{
    return s->depth != 0 ? s->frames[s->depth - 1].caller : NULL;
}
