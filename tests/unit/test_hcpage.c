/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hypercall page (libhyp/smccc/hcpage.c): its header, slots that read
 * back what was written, a call that reaches the SMCCC service exactly as
 * an HVC with those registers would and leaves the guest's registers
 * alone, x4 results, owners not served, 32-bit function IDs, independent
 * slots, and every access it must refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <hyp/error.h>
#include <hyp/hcpage.h>
#include <hyp/smccc.h>
#include <hyp/vm.h>

/* Firmware conduits the library links (no firmware call happens here). */
void arch_smc_call(struct hyp_smccc_regs *regs)
{
    regs->x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
}
void arch_hvc_call(struct hyp_smccc_regs *regs)
{
    regs->x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
}

static struct hyp_vm vm;
static struct hyp_vcpu vcpu;
static struct hyp_hcpage page;
static unsigned served;
static uint64_t seen[8];

/* A vendor-hypervisor service: answers x1 + x2 in x0, the args back in
 * x1..x3, and, like CHILD_MEASURE, a fifth result in x4. */
static void vendor(struct hyp_vcpu *v, uint32_t fid, const uint64_t args[7],
                   uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    (void)conduit;
    served++;
    seen[0] = fid;
    memcpy(&seen[1], args, 7 * sizeof(uint64_t));
    ret[0] = args[0] + args[1];
    ret[1] = args[2];
    ret[2] = args[3];
    ret[3] = args[6];
    if (fid == 0xC6000025u)
        v->regs.x[4] = 0x4444;
}

static const struct hyp_smccc_service svc = {
    .name = "test-vendor",
    .owner_first = SMCCC_OWNER_VENDOR_HYP,
    .owner_last = SMCCC_OWNER_VENDOR_HYP,
    .handler = vendor,
};

static uint64_t rd(uint64_t off)
{
    uint64_t v = 0xdead;

    assert_int_equal(hyp_hcpage_mmio(&vcpu, off, 8, false, &v, &page), HYP_OK);
    return v;
}

static void wr(uint64_t off, uint64_t v)
{
    assert_int_equal(hyp_hcpage_mmio(&vcpu, off, 8, true, &v, &page), HYP_OK);
}

static int setup(void **state)
{
    (void)state;
    memset(&vm, 0, sizeof(vm));
    memset(&vcpu, 0, sizeof(vcpu));
    vcpu.vm = &vm;
    for (unsigned i = 0; i < 31; i++)
        vcpu.regs.x[i] = 0x1000 + i;
    hyp_smccc_reset();
    assert_int_equal(hyp_smccc_register(&svc), HYP_OK);
    hyp_hcpage_init(&page, 1ull << SMCCC_OWNER_VENDOR_HYP);
    served = 0;
    return 0;
}

static void test_header(void **state)
{
    (void)state;
    assert_int_equal(rd(HYP_HCPAGE_REG_MAGIC), HYP_HCPAGE_MAGIC);
    assert_int_equal(rd(HYP_HCPAGE_REG_VERSION), HYP_HCPAGE_VERSION);
    assert_int_equal(rd(HYP_HCPAGE_REG_SLOTS), HYP_HCPAGE_SLOTS);
    assert_int_equal(rd(HYP_HCPAGE_REG_OWNERS), 1ull << SMCCC_OWNER_VENDOR_HYP);
    wr(HYP_HCPAGE_REG_MAGIC, 0); /* ignored */
    assert_int_equal(rd(HYP_HCPAGE_REG_MAGIC), HYP_HCPAGE_MAGIC);
    assert_int_equal(rd(HYP_HCPAGE_SLOT(0) + HYP_HCPAGE_CALL), 0);
}

/* Makes slot @n's call with FID @fid and arguments 1..7 scaled by @k. */
static void make_call(unsigned n, uint64_t fid, uint64_t k)
{
    uint64_t s = HYP_HCPAGE_SLOT(n);

    wr(s + HYP_HCPAGE_FID, fid);
    for (unsigned i = 1; i <= 7; i++)
        wr(s + HYP_HCPAGE_ARG(i), i * k);
    wr(s + HYP_HCPAGE_CALL, 1);
}

static void test_call(void **state)
{
    uint64_t before[31], s = HYP_HCPAGE_SLOT(3);

    (void)state;
    memcpy(before, vcpu.regs.x, sizeof(before));
    make_call(3, 0xC6000025u, 10);
    assert_int_equal(served, 1);
    assert_int_equal(seen[0], 0xC6000025u);
    for (unsigned i = 1; i <= 7; i++)
        assert_int_equal(seen[i], i * 10);
    assert_int_equal(rd(s + HYP_HCPAGE_RES(0)), 30);
    assert_int_equal(rd(s + HYP_HCPAGE_RES(1)), 30);
    assert_int_equal(rd(s + HYP_HCPAGE_RES(2)), 40);
    assert_int_equal(rd(s + HYP_HCPAGE_RES(3)), 70);
    assert_int_equal(rd(s + HYP_HCPAGE_RES(4)), 0x4444);
    /* The guest's registers are its own again. */
    assert_memory_equal(vcpu.regs.x, before, sizeof(before));
    /* The slot reads back as written; other slots are untouched. */
    assert_int_equal(rd(s + HYP_HCPAGE_FID), 0xC6000025u);
    assert_int_equal(rd(s + HYP_HCPAGE_ARG(7)), 70);
    assert_int_equal(rd(HYP_HCPAGE_SLOT(2) + HYP_HCPAGE_RES(0)), 0);
    /* A call without an x4 result leaves ARG4 there, as SMCCC preserves x4. */
    make_call(2, 0xC6000024u, 1);
    assert_int_equal(rd(HYP_HCPAGE_SLOT(2) + HYP_HCPAGE_RES(4)), 4);
    assert_int_equal(rd(s + HYP_HCPAGE_RES(4)), 0x4444);
    /* SMC32 calls of the owner get 32-bit arguments, as by HVC. */
    wr(HYP_HCPAGE_SLOT(1) + HYP_HCPAGE_ARG(1), 0x100000001ull);
    wr(HYP_HCPAGE_SLOT(1) + HYP_HCPAGE_FID, 0x86000010u);
    wr(HYP_HCPAGE_SLOT(1) + HYP_HCPAGE_CALL, 0);
    assert_int_equal(seen[1], 1);
}

static void test_refused_calls(void **state)
{
    uint64_t s = HYP_HCPAGE_SLOT(0);

    (void)state;
    /* PSCI (owner 4) is served by HVC but not by this page. */
    make_call(0, 0x84000000u, 1);
    assert_int_equal(served, 0);
    assert_int_equal((int64_t)rd(s + HYP_HCPAGE_RES(0)), SMCCC_RET_NOT_SUPPORTED);
    assert_int_equal(rd(s + HYP_HCPAGE_RES(4)), 4);
    /* Bits above 31 of FID: no call. */
    make_call(0, 0x1C6000020ull, 1);
    assert_int_equal(served, 0);
    assert_int_equal((int64_t)rd(s + HYP_HCPAGE_RES(0)), SMCCC_RET_NOT_SUPPORTED);
    /* A page that serves no owner serves nothing. */
    hyp_hcpage_init(&page, 0);
    make_call(0, 0xC6000020u, 1);
    assert_int_equal(served, 0);
}

static void test_bad_accesses(void **state)
{
    uint64_t v = 0;

    (void)state;
    /* Not 64-bit, unaligned, outside the page, no register. */
    assert_int_equal(hyp_hcpage_mmio(&vcpu, 0, 4, false, &v, &page), HYP_EINVAL);
    assert_int_equal(hyp_hcpage_mmio(&vcpu, 0x104, 8, true, &v, &page), HYP_EINVAL);
    assert_int_equal(hyp_hcpage_mmio(&vcpu, HYP_HCPAGE_SIZE, 8, false, &v, &page),
                     HYP_EINVAL);
    assert_int_equal(hyp_hcpage_mmio(&vcpu, 0x20, 8, false, &v, &page), HYP_EINVAL);
    assert_int_equal(hyp_hcpage_mmio(&vcpu, 0x20, 8, true, &v, &page), HYP_EINVAL);
    assert_int_equal(
        hyp_hcpage_mmio(&vcpu, HYP_HCPAGE_SLOT(0) + 0x68, 8, false, &v, &page),
        HYP_EINVAL);
    assert_int_equal(
        hyp_hcpage_mmio(&vcpu, HYP_HCPAGE_SLOT(HYP_HCPAGE_SLOTS), 8, false, &v, &page),
        HYP_EINVAL);
    /* Results are read-only: a write leaves them. */
    make_call(5, 0xC6000020u, 2);
    wr(HYP_HCPAGE_SLOT(5) + HYP_HCPAGE_RES(0), 77);
    assert_int_equal(rd(HYP_HCPAGE_SLOT(5) + HYP_HCPAGE_RES(0)), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_header, setup),
        cmocka_unit_test_setup(test_call, setup),
        cmocka_unit_test_setup(test_refused_calls, setup),
        cmocka_unit_test_setup(test_bad_accesses, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
