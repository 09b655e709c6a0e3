/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM stack's logic (libhyp/vm/vmstack.c): calls and returns with their
 * registers, nesting, every refusal (self calls, cycles, other CPUs, depth,
 * callers not on top), pops with each reason, and random call/return
 * sequences checked against a simple model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hyp/error.h>
#include <hyp/vm.h>
#include <hyp/vmstack.h>

#define VMS 6

static struct hyp_vm vms[VMS];
static struct hyp_vcpu vcpus[VMS][2]; /* vCPU n of each VM runs on CPU n */

static int setup(void **state)
{
    (void)state;
    memset(vms, 0, sizeof(vms));
    memset(vcpus, 0, sizeof(vcpus));
    for (unsigned v = 0; v < VMS; v++)
        for (unsigned n = 0; n < 2; n++) {
            vcpus[v][n].vm = &vms[v];
            vcpus[v][n].id = n;
            vcpus[v][n].pcpu = n;
        }
    return 0;
}

/* A call passes arguments, a return delivers the answer, nothing else moves. */
static void test_call_return(void **state)
{
    struct hyp_vmstack s;
    struct hyp_vcpu *gpos = &vcpus[0][0], *tee = &vcpus[1][0];
    const uint64_t args[4] = {0x32000004, 1, 2, 3};
    const uint64_t ans[4] = {0, 0xa, 0xb, 0xc};

    (void)state;
    hyp_vmstack_init(&s);
    assert_ptr_equal(hyp_vmstack_current(&s, gpos), gpos);
    assert_null(hyp_vmstack_caller(&s));
    gpos->regs.x[4] = 44;
    tee->regs.x[4] = 55;
    tee->regs.pc = 0x1234;
    assert_int_equal(hyp_vmstack_push(&s, gpos, tee, args, 4), HYP_OK);
    assert_int_equal(s.depth, 1);
    assert_ptr_equal(hyp_vmstack_current(&s, gpos), tee);
    assert_ptr_equal(hyp_vmstack_caller(&s), gpos);
    assert_true(hyp_vmstack_contains(&s, gpos));
    assert_true(hyp_vmstack_contains(&s, tee));
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(tee->regs.x[i], args[i]);
    assert_int_equal(tee->regs.x[4], 55);   /* beyond nargs: untouched */
    assert_int_equal(tee->regs.pc, 0x1234); /* resumed where it left off */
    assert_ptr_equal(hyp_vmstack_pop(&s, HYP_VMSTACK_RETURNED, ans, 4), gpos);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(gpos->regs.x[i], ans[i]);
    assert_int_equal(gpos->regs.x[4], 44);
    assert_int_equal(s.depth, 0);
    assert_int_equal(s.last, HYP_VMSTACK_RETURNED);
    assert_ptr_equal(s.last_callee, tee);
    assert_false(hyp_vmstack_contains(&s, tee));
    assert_ptr_equal(hyp_vmstack_current(&s, gpos), gpos);
    /* Popping an empty stack changes nothing. */
    assert_null(hyp_vmstack_pop(&s, HYP_VMSTACK_RETURNED, NULL, 0));
    assert_int_equal(s.last, HYP_VMSTACK_RETURNED);
}

/* Each reason is kept; a pop without values leaves the caller's registers. */
static void test_reasons(void **state)
{
    static const enum hyp_vmstack_reason reasons[] = {
        HYP_VMSTACK_RETURNED, HYP_VMSTACK_YIELDED, HYP_VMSTACK_FAULTED,
        HYP_VMSTACK_FOREIGN_IRQ};
    struct hyp_vmstack s;
    struct hyp_vcpu *a = &vcpus[0][1], *b = &vcpus[2][1];

    (void)state;
    hyp_vmstack_init(&s);
    for (unsigned i = 0; i < 4; i++) {
        a->regs.x[0] = 0x77;
        assert_int_equal(hyp_vmstack_push(&s, a, b, NULL, 0), HYP_OK);
        assert_ptr_equal(hyp_vmstack_pop(&s, reasons[i], NULL, 0), a);
        assert_int_equal(s.last, reasons[i]);
        assert_int_equal(a->regs.x[0], 0x77);
    }
    /* A bad reason or too many values: refused, the call stays. */
    assert_int_equal(hyp_vmstack_push(&s, a, b, NULL, 0), HYP_OK);
    assert_null(hyp_vmstack_pop(&s, HYP_VMSTACK_NONE, NULL, 0));
    assert_null(hyp_vmstack_pop(&s, (enum hyp_vmstack_reason)99, NULL, 0));
    assert_null(hyp_vmstack_pop(&s, HYP_VMSTACK_RETURNED, NULL, 1));
    assert_null(
        hyp_vmstack_pop(&s, HYP_VMSTACK_RETURNED, a->regs.x, HYP_VMSTACK_MAX_REGS + 1));
    assert_int_equal(s.depth, 1);
    assert_int_equal(s.last, HYP_VMSTACK_FOREIGN_IRQ);
}

/* Nested calls unwind in order; a callee's callee returns to it. */
static void test_nesting(void **state)
{
    struct hyp_vmstack s;
    const uint64_t one = 1, two = 2;

    (void)state;
    hyp_vmstack_init(&s);
    for (unsigned v = 0; v + 1 < HYP_VMSTACK_DEPTH + 1; v++)
        assert_int_equal(hyp_vmstack_push(&s, &vcpus[v][0], &vcpus[v + 1][0], NULL, 0),
                         HYP_OK);
    assert_int_equal(s.depth, HYP_VMSTACK_DEPTH);
    /* Full. */
    assert_int_equal(hyp_vmstack_push(&s, &vcpus[HYP_VMSTACK_DEPTH][0],
                                      &vcpus[HYP_VMSTACK_DEPTH + 1][0], NULL, 0),
                     HYP_ENOMEM);
    assert_ptr_equal(hyp_vmstack_pop(&s, HYP_VMSTACK_RETURNED, &one, 1),
                     &vcpus[HYP_VMSTACK_DEPTH - 1][0]);
    assert_int_equal(vcpus[HYP_VMSTACK_DEPTH - 1][0].regs.x[0], 1);
    assert_ptr_equal(hyp_vmstack_current(&s, &vcpus[0][0]),
                     &vcpus[HYP_VMSTACK_DEPTH - 1][0]);
    for (unsigned d = HYP_VMSTACK_DEPTH - 1; d > 0; d--)
        assert_ptr_equal(hyp_vmstack_pop(&s, HYP_VMSTACK_RETURNED, &two, 1),
                         &vcpus[d - 1][0]);
    assert_int_equal(vcpus[0][0].regs.x[0], 2);
    assert_int_equal(s.depth, 0);
}

/* What a push refuses, leaving the stack as it was. */
static void test_refusals(void **state)
{
    struct hyp_vmstack s;
    struct hyp_vcpu *a = &vcpus[0][0], *b = &vcpus[1][0], *c = &vcpus[2][0];
    struct hyp_vcpu other_cpu = vcpus[3][1], same_vm = vcpus[0][1];
    uint64_t args[HYP_VMSTACK_MAX_REGS + 1] = {0};

    (void)state;
    same_vm.pcpu = 0;
    hyp_vmstack_init(&s);
    assert_int_equal(hyp_vmstack_push(&s, NULL, b, NULL, 0), HYP_EINVAL);
    assert_int_equal(hyp_vmstack_push(&s, a, NULL, NULL, 0), HYP_EINVAL);
    assert_int_equal(hyp_vmstack_push(&s, a, a, NULL, 0), HYP_EINVAL);
    assert_int_equal(hyp_vmstack_push(&s, a, &same_vm, NULL, 0), HYP_EINVAL);
    assert_int_equal(hyp_vmstack_push(&s, a, &other_cpu, NULL, 0), HYP_EINVAL);
    assert_int_equal(hyp_vmstack_push(&s, a, b, NULL, 1), HYP_EINVAL);
    assert_int_equal(hyp_vmstack_push(&s, a, b, args, HYP_VMSTACK_MAX_REGS + 1),
                     HYP_EINVAL);
    assert_int_equal(s.depth, 0);
    assert_int_equal(hyp_vmstack_push(&s, a, b, args, HYP_VMSTACK_MAX_REGS), HYP_OK);
    /* Only the callee on top calls; nobody calls into the stack again. */
    assert_int_equal(hyp_vmstack_push(&s, a, c, NULL, 0), HYP_EINVAL);
    assert_int_equal(hyp_vmstack_push(&s, b, a, NULL, 0), HYP_EBUSY);
    assert_int_equal(hyp_vmstack_push(&s, b, c, NULL, 0), HYP_OK);
    assert_int_equal(hyp_vmstack_push(&s, c, a, NULL, 0), HYP_EBUSY);
    assert_int_equal(hyp_vmstack_push(&s, c, b, NULL, 0), HYP_EBUSY);
    assert_int_equal(s.depth, 2);
    assert_ptr_equal(hyp_vmstack_current(&s, a), c);
    assert_ptr_equal(hyp_vmstack_caller(&s), b);
}

/* Random calls and returns against a model of who waits for whom. */
static void test_random_model(void **state)
{
    struct hyp_vcpu *model[HYP_VMSTACK_DEPTH + 1];
    unsigned depth = 0; /* model[0] is the bottom vCPU, model[depth] on top */
    struct hyp_vmstack s;

    (void)state;
    srand(15);
    hyp_vmstack_init(&s);
    model[0] = &vcpus[0][0];
    for (unsigned step = 0; step < 20000; step++) {
        struct hyp_vcpu *top = model[depth];

        if (rand() % 2) {
            struct hyp_vcpu *callee = &vcpus[rand() % VMS][0];
            bool on = false;
            uint64_t arg = step;
            int want, rc;

            for (unsigned i = 0; i <= depth; i++)
                on = on || model[i] == callee || model[i]->vm == callee->vm;
            /* Same VM as the caller: EINVAL; anyone else already waiting: EBUSY. */
            want = callee->vm == top->vm        ? HYP_EINVAL
                   : on                         ? HYP_EBUSY
                   : depth == HYP_VMSTACK_DEPTH ? HYP_ENOMEM
                                                : HYP_OK;
            rc = hyp_vmstack_push(&s, top, callee, &arg, 1);
            assert_int_equal(rc, want);
            if (rc == HYP_OK) {
                model[++depth] = callee;
                assert_int_equal(callee->regs.x[0], step);
            }
        } else {
            uint64_t ans = ~(uint64_t)step;
            struct hyp_vcpu *back = hyp_vmstack_pop(&s, HYP_VMSTACK_RETURNED, &ans, 1);

            if (depth == 0) {
                assert_null(back);
            } else {
                assert_ptr_equal(back, model[--depth]);
                assert_int_equal(back->regs.x[0], ans);
            }
        }
        assert_int_equal(s.depth, depth);
        assert_ptr_equal(hyp_vmstack_current(&s, model[0]), model[depth]);
        assert_ptr_equal(hyp_vmstack_caller(&s), depth ? model[depth - 1] : NULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_call_return, setup),
        cmocka_unit_test_setup(test_reasons, setup),
        cmocka_unit_test_setup(test_nesting, setup),
        cmocka_unit_test_setup(test_refusals, setup),
        cmocka_unit_test_setup(test_random_model, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
