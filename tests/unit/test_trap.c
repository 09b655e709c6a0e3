/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The trap decoder against syndromes built field by field from the Arm ARM's
 * ESR_EL2 layouts, a few hand-computed literal ESR values, and A64
 * load/store words taken from the GNU assembler.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/error.h>
#include <hyp/trap.h>

/* ---- syndrome builders ------------------------------------------------ */

static uint64_t mkesr(unsigned ec, unsigned il, uint32_t iss)
{
    return (uint64_t)ec << 26 | (uint64_t)il << 25 | (iss & 0x1ffffffu);
}

/* ISS for a data abort (EC 0x24/0x25). */
struct dabt_iss {
    unsigned isv, sas, sse, srt, sf, ar, fnv, ea, cm, s1ptw, wnr, dfsc;
};

static uint32_t dabt_iss(struct dabt_iss f)
{
    return f.isv << 24 | f.sas << 22 | f.sse << 21 | f.srt << 16 | f.sf << 15 |
           f.ar << 14 | f.fnv << 10 | f.ea << 9 | f.cm << 8 | f.s1ptw << 7 | f.wnr << 6 |
           f.dfsc;
}

/* ISS for a trapped MSR/MRS (EC 0x18). */
static uint32_t sysreg_iss(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                           unsigned op2, unsigned rt, unsigned read)
{
    return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | rt << 5 | crm << 1 | read;
}

static struct hyp_exit decode(uint64_t esr, uint64_t far, uint64_t hpfar)
{
    struct hyp_exit e;

    memset(&e, 0xa5, sizeof(e)); /* the decoder must overwrite everything */
    assert_int_equal(hyp_trap_decode(esr, far, hpfar, &e), HYP_OK);
    assert_true(e.esr == esr && e.far == far && e.hpfar == hpfar);
    return e;
}

#define DFSC_TRANSLATION_L3 0x07

/* ---- data aborts ------------------------------------------------------ */

static void null_exit_is_einval(void **state)
{
    (void)state;
    assert_int_equal(hyp_trap_decode(0x93830047, 0, 0, NULL), HYP_EINVAL);
    assert_int_equal(hyp_trap_decode_insn(0xb9400823, NULL), HYP_EINVAL);
    assert_int_equal(hyp_trap_decode_fid(0, NULL), HYP_EINVAL);
}

static void dabt_literal_word_store(void **state)
{
    /*
     * Data abort from a lower EL, 32-bit instruction, "str w3, [xN]" to an
     * unmapped IPA:
     *   EC 0x24 << 26          = 0x90000000
     *   IL (bit 25)            = 0x02000000
     *   ISV (bit 24)           = 0x01000000
     *   SAS = 2 (word) << 22   = 0x00800000
     *   SRT = 3 << 16          = 0x00030000
     *   WnR (bit 6)            = 0x00000040
     *   DFSC = 0b000111 (translation fault, level 3) = 0x07
     *   ESR                    = 0x93830047
     */
    const uint64_t esr = 0x93830047;
    struct hyp_exit e = decode(esr, 0xffff000012345678, 0x9000 << 4);

    assert_int_equal(
        esr,
        mkesr(0x24, 1,
              dabt_iss((struct dabt_iss){
                  .isv = 1, .sas = 2, .srt = 3, .wnr = 1, .dfsc = DFSC_TRANSLATION_L3})));
    assert_int_equal(e.kind, HYP_EXIT_DABT);
    assert_int_equal(e.ec, 0x24);
    assert_int_equal(e.insn_len, 4);
    assert_int_equal(e.skip, 4);
    assert_false(e.same_el);
    assert_false(e.aarch32);
    assert_true(e.u.dabt.isv);
    assert_false(e.u.dabt.from_insn);
    assert_int_equal(e.u.dabt.size, 4);
    assert_false(e.u.dabt.sign_extend);
    assert_int_equal(e.u.dabt.reg, 3);
    assert_false(e.u.dabt.reg64);
    assert_false(e.u.dabt.acqrel);
    assert_true(e.u.dabt.write);
    assert_false(e.u.dabt.s1ptw);
    assert_false(e.u.dabt.cache_maint);
    assert_false(e.u.dabt.ext_abort);
    assert_false(e.u.dabt.fnv);
    assert_false(e.u.dabt.writeback);
    assert_int_equal(e.u.dabt.fault.type, HYP_FAULT_TRANSLATION);
    assert_int_equal(e.u.dabt.fault.level, 3);
    assert_true(e.u.dabt.fault.has_level);
    assert_int_equal(e.u.dabt.fault.code, 0x07);
    assert_true(e.u.dabt.ipa_valid);
    assert_int_equal(e.u.dabt.ipa, 0x9000678);
    assert_int_equal(e.u.dabt.va, 0xffff000012345678);
    /* A word store writes the low 32 bits of Xt. */
    assert_int_equal(hyp_trap_store_value(&e.u.dabt, 0x1122334455667788), 0x55667788);
}

static void dabt_store_of_xzr(void **state)
{
    /* str xzr, [x1]: SRT = 31 is XZR, the stored value is 0 whatever is passed. */
    uint64_t esr =
        mkesr(0x24, 1,
              dabt_iss((struct dabt_iss){
                  .isv = 1, .sas = 3, .srt = 31, .sf = 1, .wnr = 1, .dfsc = 0x06}));
    struct hyp_exit e = decode(esr, 0x1000, 0x10 << 4);

    assert_int_equal(e.u.dabt.reg, 31);
    assert_int_equal(e.u.dabt.size, 8);
    assert_true(e.u.dabt.reg64);
    assert_true(e.u.dabt.write);
    assert_int_equal(e.u.dabt.fault.level, 2);
    assert_int_equal(hyp_trap_store_value(&e.u.dabt, 0xdeadbeefcafef00d), 0);
}

static void dabt_32bit_register_load(void **state)
{
    /* ldr w5, [x0]: SF = 0, load: the upper half of X5 is cleared. */
    uint64_t esr = mkesr(
        0x24, 1, dabt_iss((struct dabt_iss){.isv = 1, .sas = 2, .srt = 5, .dfsc = 7}));
    struct hyp_exit e = decode(esr, 0, 0);

    assert_false(e.u.dabt.reg64);
    assert_false(e.u.dabt.write);
    assert_int_equal(e.u.dabt.size, 4);
    assert_int_equal(hyp_trap_load_value(&e.u.dabt, 0xffffffff80000001), 0x80000001);
}

static void dabt_sign_extending_loads(void **state)
{
    /* ldrsh w2: SSE = 1, SF = 0 -> sign-extend to 32 bits only. */
    struct hyp_exit e =
        decode(mkesr(0x24, 1,
                     dabt_iss((struct dabt_iss){
                         .isv = 1, .sas = 1, .sse = 1, .srt = 2, .dfsc = 7})),
               0, 0);
    assert_true(e.u.dabt.sign_extend);
    assert_false(e.u.dabt.reg64);
    assert_int_equal(e.u.dabt.size, 2);
    assert_int_equal(hyp_trap_load_value(&e.u.dabt, 0x8001), 0xffff8001);
    assert_int_equal(hyp_trap_load_value(&e.u.dabt, 0x12347001), 0x7001);

    /* ldrsb x4: SSE = 1, SF = 1 -> sign-extend to 64 bits. */
    e = decode(mkesr(0x24, 1,
                     dabt_iss((struct dabt_iss){
                         .isv = 1, .sas = 0, .sse = 1, .srt = 4, .sf = 1, .dfsc = 7})),
               0, 0);
    assert_true(e.u.dabt.sign_extend);
    assert_true(e.u.dabt.reg64);
    assert_int_equal(e.u.dabt.size, 1);
    assert_int_equal(hyp_trap_load_value(&e.u.dabt, 0x80), 0xffffffffffffff80);
    assert_int_equal(hyp_trap_load_value(&e.u.dabt, 0x7f), 0x7f);

    /* ldrsw x4: word, SF = 1. */
    e = decode(mkesr(0x24, 1,
                     dabt_iss((struct dabt_iss){
                         .isv = 1, .sas = 2, .sse = 1, .srt = 4, .sf = 1, .dfsc = 7})),
               0, 0);
    assert_int_equal(hyp_trap_load_value(&e.u.dabt, 0x80000000), 0xffffffff80000000);

    /* Unsigned 64-bit load passes everything through. */
    e = decode(mkesr(0x24, 1,
                     dabt_iss((struct dabt_iss){.isv = 1, .sas = 3, .sf = 1, .dfsc = 7})),
               0, 0);
    assert_int_equal(hyp_trap_load_value(&e.u.dabt, 0x8000000000000001),
                     0x8000000000000001);
}

static void dabt_acquire_release(void **state)
{
    /* ldar x7, [x0]: AR = 1. */
    struct hyp_exit e =
        decode(mkesr(0x24, 1,
                     dabt_iss((struct dabt_iss){
                         .isv = 1, .sas = 3, .srt = 7, .sf = 1, .ar = 1, .dfsc = 0x05})),
               0, 0);
    assert_true(e.u.dabt.acqrel);
    assert_int_equal(e.u.dabt.reg, 7);
    assert_int_equal(e.u.dabt.fault.type, HYP_FAULT_TRANSLATION);
    assert_int_equal(e.u.dabt.fault.level, 1);
}

static void dabt_s1ptw_and_cache_maint(void **state)
{
    /* Stage-2 fault on the guest's own table walk: ISV is 0, HPFAR is the table's page.
     */
    struct hyp_exit e = decode(
        mkesr(0x24, 1, dabt_iss((struct dabt_iss){.s1ptw = 1, .wnr = 1, .dfsc = 0x05})),
        0x4000123, 0x40042ull << 4);
    assert_true(e.u.dabt.s1ptw);
    assert_false(e.u.dabt.isv);
    assert_int_equal(e.u.dabt.size, 0);
    assert_true(e.u.dabt.ipa_valid);
    assert_int_equal(e.u.dabt.ipa, 0x40042123);

    e = decode(
        mkesr(0x24, 1, dabt_iss((struct dabt_iss){.cm = 1, .wnr = 1, .dfsc = 0x0f})), 0,
        0);
    assert_true(e.u.dabt.cache_maint);
    assert_false(e.u.dabt.s1ptw);
    assert_int_equal(e.u.dabt.fault.type, HYP_FAULT_PERMISSION);
    assert_int_equal(e.u.dabt.fault.level, 3);
}

static void dabt_fnv_invalidates_ipa(void **state)
{
    struct hyp_exit e = decode(
        mkesr(0x24, 1, dabt_iss((struct dabt_iss){.fnv = 1, .ea = 1, .dfsc = 0x10})),
        0x1234, 0x5678 << 4);
    assert_true(e.u.dabt.fnv);
    assert_true(e.u.dabt.ext_abort);
    assert_false(e.u.dabt.ipa_valid);
    assert_int_equal(e.u.dabt.ipa, 0);
    assert_int_equal(e.u.dabt.fault.type, HYP_FAULT_EXTERNAL);
    assert_false(e.u.dabt.fault.has_level);

    /* FnV on a translation fault: the HPFAR page is known but FAR[11:0] is not. */
    e = decode(mkesr(0x24, 1, dabt_iss((struct dabt_iss){.fnv = 1, .dfsc = 0x07})),
               0x1234, 0x5678 << 4);
    assert_false(e.u.dabt.ipa_valid);
}

static void dabt_ipa_48bit(void **state)
{
    /* IPA 0x8765_4321_0abc (bit 47 set): HPFAR.FIPA = IPA[47:12] in bits 43:4. */
    const uint64_t ipa = 0x876543210abcull;
    const uint64_t hpfar = (ipa >> 12) << 4; /* 0x8765432100 */
    struct hyp_exit e;

    assert_int_equal(hpfar, 0x8765432100ull);
    e = decode(mkesr(0x24, 1, dabt_iss((struct dabt_iss){.dfsc = 0x04})),
               0xffff800000001abcull, hpfar | 1ull << 63 /* NS, not part of the IPA */);
    assert_true(e.u.dabt.ipa_valid);
    assert_int_equal(e.u.dabt.ipa, ipa);
    assert_int_equal(e.u.dabt.fault.level, 0);
    assert_int_equal(e.u.dabt.va, 0xffff800000001abcull);

    /* A 52-bit IPA (FEAT_LPA) needs FIPA bits 43:40 as well. */
    e = decode(mkesr(0x24, 1, dabt_iss((struct dabt_iss){.dfsc = 0x0b})), 0x123,
               (0xf876543210abcull >> 12) << 4);
    assert_int_equal(e.u.dabt.ipa, 0xf876543210123ull);
}

static void dabt_every_dfsc_class(void **state)
{
    static const struct {
        uint8_t code;
        enum hyp_fault_type type;
        int8_t level;
        bool has_level, walk, ipa_valid;
    } cases[] = {
        {0x00, HYP_FAULT_ADDR_SIZE, 0, true, false, true},
        {0x03, HYP_FAULT_ADDR_SIZE, 3, true, false, true},
        {0x29, HYP_FAULT_ADDR_SIZE, -1, true, false, true},
        {0x04, HYP_FAULT_TRANSLATION, 0, true, false, true},
        {0x05, HYP_FAULT_TRANSLATION, 1, true, false, true},
        {0x06, HYP_FAULT_TRANSLATION, 2, true, false, true},
        {0x07, HYP_FAULT_TRANSLATION, 3, true, false, true},
        {0x2b, HYP_FAULT_TRANSLATION, -1, true, false, true},
        {0x08, HYP_FAULT_ACCESS, 0, true, false, true},
        {0x09, HYP_FAULT_ACCESS, 1, true, false, true},
        {0x0b, HYP_FAULT_ACCESS, 3, true, false, true},
        {0x0c, HYP_FAULT_PERMISSION, 0, true, false, true},
        {0x0d, HYP_FAULT_PERMISSION, 1, true, false, true},
        {0x0e, HYP_FAULT_PERMISSION, 2, true, false, true},
        {0x10, HYP_FAULT_EXTERNAL, 0, false, false, false},
        {0x13, HYP_FAULT_EXTERNAL, -1, true, true, false},
        {0x14, HYP_FAULT_EXTERNAL, 0, true, true, false},
        {0x17, HYP_FAULT_EXTERNAL, 3, true, true, false},
        {0x18, HYP_FAULT_EXTERNAL, 0, false, false, false},
        {0x1b, HYP_FAULT_EXTERNAL, -1, true, true, false},
        {0x1d, HYP_FAULT_EXTERNAL, 1, true, true, false},
        {0x21, HYP_FAULT_ALIGNMENT, 0, false, false, false},
        {0x11, HYP_FAULT_OTHER, 0, false, false, false}, /* tag check */
        {0x23, HYP_FAULT_OTHER, -1, true, true, false},  /* GPF on walk */
        {0x26, HYP_FAULT_OTHER, 2, true, true, false},
        {0x28, HYP_FAULT_OTHER, 0, false, false, false}, /* GPF */
        {0x30, HYP_FAULT_OTHER, 0, false, false, false}, /* TLB conflict */
        {0x31, HYP_FAULT_OTHER, 0, false, false, false}, /* atomic HW update */
        {0x35, HYP_FAULT_OTHER, 0, false, false, false},
        {0x3f, HYP_FAULT_OTHER, 0, false, false, false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hyp_exit e =
            decode(mkesr(0x24, 1, dabt_iss((struct dabt_iss){.dfsc = cases[i].code})),
                   0xabc, 0x77 << 4);
        const struct hyp_fault *f = &e.u.dabt.fault;

        if (f->code != cases[i].code || f->type != cases[i].type ||
            f->level != cases[i].level || f->has_level != cases[i].has_level ||
            f->walk != cases[i].walk || e.u.dabt.ipa_valid != cases[i].ipa_valid)
            fail_msg("DFSC 0x%02x: type %d level %d has_level %d walk %d ipa_valid %d",
                     cases[i].code, f->type, f->level, f->has_level, f->walk,
                     e.u.dabt.ipa_valid);
        if (cases[i].ipa_valid)
            assert_int_equal(e.u.dabt.ipa, 0x77abc);

        /* Instruction aborts share the status code table. */
        e = decode(mkesr(0x20, 1, cases[i].code), 0xabc, 0x77 << 4);
        assert_int_equal(e.kind, HYP_EXIT_IABT);
        assert_int_equal(e.u.iabt.fault.type, cases[i].type);
        assert_int_equal(e.u.iabt.fault.level, cases[i].level);
        assert_int_equal(e.u.iabt.ipa_valid, cases[i].ipa_valid);
    }
}

static void dabt_same_el_has_no_ipa(void **state)
{
    struct hyp_exit e =
        decode(0x96000045 /* EC 0x25, IL, WnR, translation L1 */, 0x1000, 0x1 << 4);
    assert_int_equal(e.kind, HYP_EXIT_DABT);
    assert_true(e.same_el);
    assert_true(e.u.dabt.write);
    assert_int_equal(e.u.dabt.fault.type, HYP_FAULT_TRANSLATION);
    assert_false(e.u.dabt.ipa_valid);
}

static void dabt_isv0_leaves_access_fields_zero(void **state)
{
    /* ISV = 0 but garbage in the ISV-only fields: they must not leak through. */
    struct hyp_exit e =
        decode(mkesr(0x24, 1,
                     dabt_iss((struct dabt_iss){
                         .sas = 3, .sse = 1, .srt = 9, .sf = 1, .ar = 1, .dfsc = 7})),
               0, 0);
    assert_false(e.u.dabt.isv);
    assert_int_equal(e.u.dabt.size, 0);
    assert_false(e.u.dabt.sign_extend);
    assert_int_equal(e.u.dabt.reg, 0);
    assert_false(e.u.dabt.reg64);
    assert_false(e.u.dabt.acqrel);
}

static void dabt_il0_is_16bit(void **state)
{
    /* AArch32 T16 "strh r1, [r0]" faulting: IL = 0 -> advance by 2. */
    struct hyp_exit e =
        decode(mkesr(0x24, 0,
                     dabt_iss((struct dabt_iss){
                         .isv = 1, .sas = 1, .srt = 1, .wnr = 1, .dfsc = 7})),
               0, 0);
    assert_int_equal(e.insn_len, 2);
    assert_int_equal(e.skip, 2);
    assert_int_equal(e.u.dabt.size, 2);
    /* A 16-bit instruction is not an A64 one. */
    assert_int_equal(hyp_trap_decode_insn(0x79000001, &e), HYP_ENOTSUP);
}

static void iabt_lower_el(void **state)
{
    /* Instruction abort, permission fault level 3, on a S1 walk: skip nothing. */
    struct hyp_exit e =
        decode(mkesr(0x20, 1, 1u << 7 | 0x0f), 0xffff000000400ff0, 0x80400ull << 4);
    assert_int_equal(e.kind, HYP_EXIT_IABT);
    assert_int_equal(e.skip, 0);
    assert_false(e.same_el);
    assert_true(e.u.iabt.s1ptw);
    assert_false(e.u.iabt.fnv);
    assert_int_equal(e.u.iabt.fault.type, HYP_FAULT_PERMISSION);
    assert_int_equal(e.u.iabt.fault.level, 3);
    assert_true(e.u.iabt.ipa_valid);
    assert_int_equal(e.u.iabt.ipa, 0x80400ff0);
    assert_int_equal(e.u.iabt.va, 0xffff000000400ff0);

    e = decode(mkesr(0x21, 1, 1u << 10 | 1u << 9 | 0x10), 0, 0);
    assert_true(e.same_el);
    assert_true(e.u.iabt.fnv);
    assert_true(e.u.iabt.ext_abort);
    assert_false(e.u.iabt.ipa_valid);
}

/* ---- calls ------------------------------------------------------------ */

static void hvc_with_immediate(void **state)
{
    /* hvc #0: EC 0x16 << 26 | IL = 0x5a000000 */
    struct hyp_exit e = decode(0x5a000000, 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_HVC);
    assert_int_equal(e.u.call.imm, 0);
    assert_int_equal(e.skip, 0);
    assert_false(e.aarch32);

    e = decode(mkesr(0x16, 1, 0xbeef), 0, 0);
    assert_int_equal(e.u.call.imm, 0xbeef);
    assert_int_equal(e.esr, 0x5a00beef);

    /* AArch32 HVC #0x1234. */
    e = decode(mkesr(0x12, 1, 0x1234), 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_HVC);
    assert_true(e.aarch32);
    assert_int_equal(e.u.call.imm, 0x1234);
    assert_int_equal(e.skip, 0);
}

static void smc32_vs_smc64(void **state)
{
    /* smc #0 from AArch64: EC 0x17 << 26 | IL = 0x5e000000; ELR is at the SMC. */
    struct hyp_exit e = decode(0x5e000000, 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_SMC);
    assert_false(e.aarch32);
    assert_int_equal(e.u.call.imm, 0);
    assert_int_equal(e.skip, 4);

    e = decode(mkesr(0x17, 1, 0x55), 0, 0);
    assert_int_equal(e.u.call.imm, 0x55);

    /* AArch32 SMC: CV/COND/CCKNOWNPASS in the ISS are not an immediate. */
    e = decode(mkesr(0x13, 1, 1u << 24 | 0xeu << 20 | 1u << 19), 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_SMC);
    assert_true(e.aarch32);
    assert_int_equal(e.u.call.imm, 0);
    assert_int_equal(e.skip, 4);
}

static void svc_routed_to_el2(void **state)
{
    struct hyp_exit e = decode(mkesr(0x15, 1, 0x80), 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_SVC);
    assert_int_equal(e.u.call.imm, 0x80);
    assert_int_equal(e.skip, 0);
    e = decode(mkesr(0x11, 0, 0), 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_SVC);
    assert_true(e.aarch32);
}

static void smccc_function_ids(void **state)
{
    struct hyp_smccc_fid f;

    /* PSCI_VERSION: fast, SMC32, owner 4 (standard secure), number 0. */
    assert_int_equal(hyp_trap_decode_fid(0x84000000, &f), HYP_OK);
    assert_true(f.fast && !f.smc64 && f.valid && !f.sve_hint);
    assert_int_equal(f.owner, 4);
    assert_int_equal(f.number, 0);
    assert_int_equal(f.raw, 0x84000000);

    /* PSCI CPU_ON (SMC64), with junk in x0[63:32] that must be ignored. */
    assert_int_equal(hyp_trap_decode_fid(0xdeadbeefc4000003ull, &f), HYP_OK);
    assert_true(f.fast && f.smc64 && f.valid);
    assert_int_equal(f.owner, 4);
    assert_int_equal(f.number, 3);
    assert_int_equal(f.raw, 0xc4000003);

    /* Owner 63, number 0xffff. */
    assert_int_equal(hyp_trap_decode_fid(0xbf00ffff, &f), HYP_OK);
    assert_int_equal(f.owner, 63);
    assert_int_equal(f.number, 0xffff);
    assert_true(f.valid);

    /* Bit 16 on a fast call is the SVE hint, still valid. */
    assert_int_equal(hyp_trap_decode_fid(0x84010000, &f), HYP_OK);
    assert_true(f.sve_hint && f.valid);
    assert_int_equal(f.number, 0);

    /* Bits 23:17 are must-be-zero for fast calls. */
    for (unsigned b = 17; b <= 23; b++) {
        assert_int_equal(hyp_trap_decode_fid(0x84000000u | 1u << b, &f), HYP_OK);
        assert_false(f.valid);
    }
    /* ...but not for yielding calls. */
    assert_int_equal(hyp_trap_decode_fid(0x32fe0001, &f), HYP_OK);
    assert_true(!f.fast && f.valid && !f.sve_hint);
    assert_int_equal(f.owner, 0x32);
    assert_int_equal(f.number, 1);
}

/* ---- system registers ------------------------------------------------- */

static void sysreg_literal_mrs_cntpct(void **state)
{
    /*
     * mrs x1, cntpct_el0 (op0 3, op1 3, CRn 14, CRm 0, op2 1):
     *   EC 0x18 << 26 | IL          = 0x62000000
     *   op0 3 << 20                 = 0x00300000
     *   op2 1 << 17                 = 0x00020000
     *   op1 3 << 14                 = 0x0000c000
     *   CRn 14 << 10                = 0x00003800
     *   Rt 1 << 5                   = 0x00000020
     *   CRm 0 << 1, Direction 1     = 0x00000001
     *   ESR                         = 0x6232f821
     */
    struct hyp_exit e = decode(0x6232f821, 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_SYSREG);
    assert_int_equal(e.u.sysreg.key, HYP_SYSREG_CNTPCT_EL0);
    assert_int_equal(e.u.sysreg.rt, 1);
    assert_true(e.u.sysreg.read);
    assert_int_equal(e.skip, 4);
    /* The key is the MRS encoding's bits 20:5 (mrs x1, cntpct_el0 = 0xd53be021). */
    assert_int_equal(HYP_SYSREG_CNTPCT_EL0, (0xd53be021u >> 5) & 0xffff);
}

static void sysreg_each_monitored_register(void **state)
{
    static const struct {
        const char *name;
        uint16_t key;
        unsigned op0, op1, crn, crm, op2;
    } regs[] = {
        {"SCTLR_EL1", HYP_SYSREG_SCTLR_EL1, 3, 0, 1, 0, 0},
        {"TTBR0_EL1", HYP_SYSREG_TTBR0_EL1, 3, 0, 2, 0, 0},
        {"TTBR1_EL1", HYP_SYSREG_TTBR1_EL1, 3, 0, 2, 0, 1},
        {"TCR_EL1", HYP_SYSREG_TCR_EL1, 3, 0, 2, 0, 2},
        {"MAIR_EL1", HYP_SYSREG_MAIR_EL1, 3, 0, 10, 2, 0},
        {"AMAIR_EL1", HYP_SYSREG_AMAIR_EL1, 3, 0, 10, 3, 0},
        {"VBAR_EL1", HYP_SYSREG_VBAR_EL1, 3, 0, 12, 0, 0},
        {"CONTEXTIDR_EL1", HYP_SYSREG_CONTEXTIDR_EL1, 3, 0, 13, 0, 1},
        {"ICC_SGI1R_EL1", HYP_SYSREG_ICC_SGI1R_EL1, 3, 0, 12, 11, 5},
        {"CNTP_CTL_EL0", HYP_SYSREG_CNTP_CTL_EL0, 3, 3, 14, 2, 1},
        {"CNTP_CVAL_EL0", HYP_SYSREG_CNTP_CVAL_EL0, 3, 3, 14, 2, 2},
        {"CNTP_TVAL_EL0", HYP_SYSREG_CNTP_TVAL_EL0, 3, 3, 14, 2, 0},
        {"CNTPCT_EL0", HYP_SYSREG_CNTPCT_EL0, 3, 3, 14, 0, 1},
    };
    const size_t n = sizeof(regs) / sizeof(regs[0]);

    for (size_t i = 0; i < n; i++) {
        for (unsigned read = 0; read <= 1; read++) {
            unsigned rt = (unsigned)(i * 2 + read) % 32;
            struct hyp_exit e =
                decode(mkesr(0x18, 1,
                             sysreg_iss(regs[i].op0, regs[i].op1, regs[i].crn,
                                        regs[i].crm, regs[i].op2, rt, read)),
                       0, 0);
            const struct hyp_exit_sysreg *s = &e.u.sysreg;

            if (e.kind != HYP_EXIT_SYSREG || s->key != regs[i].key ||
                s->op0 != regs[i].op0 || s->op1 != regs[i].op1 || s->crn != regs[i].crn ||
                s->crm != regs[i].crm || s->op2 != regs[i].op2 || s->rt != rt ||
                s->read != (read == 1))
                fail_msg("%s %s: key 0x%04x want 0x%04x", read ? "MRS" : "MSR",
                         regs[i].name, s->key, regs[i].key);
            /* No other register in the list shares the key. */
            for (size_t j = 0; j < n; j++)
                if (j != i && regs[j].key == s->key)
                    fail_msg("%s and %s share key 0x%04x", regs[i].name, regs[j].name,
                             s->key);
        }
    }
    /* A spot check against the assembler: msr icc_sgi1r_el1, x0 = 0xd518cba0. */
    assert_int_equal(HYP_SYSREG_ICC_SGI1R_EL1, (0xd518cba0u >> 5) & 0xffff);
    assert_int_equal(HYP_SYSREG_SCTLR_EL1, 0xc080);
}

/* ---- WFx, debug, SError, FP, unknown --------------------------------- */

static void wfi_vs_wfe(void **state)
{
    struct hyp_exit e = decode(0x06000000, 0, 0); /* wfi: EC 0x01, IL, TI 0b00 */
    assert_int_equal(e.kind, HYP_EXIT_WFI);
    assert_int_equal(e.skip, 4);
    assert_false(e.u.wfx.timeout);

    e = decode(0x06000001, 0, 0); /* wfe: TI 0b01 */
    assert_int_equal(e.kind, HYP_EXIT_WFE);
    assert_int_equal(e.skip, 4);

    e = decode(mkesr(0x01, 1, 5u << 5 | 1u << 2 | 3), 0, 0); /* wfet x5 */
    assert_int_equal(e.kind, HYP_EXIT_WFE);
    assert_true(e.u.wfx.timeout);
    assert_true(e.u.wfx.reg_valid);
    assert_int_equal(e.u.wfx.reg, 5);

    e = decode(mkesr(0x01, 0, 2), 0, 0); /* wfit from T16... IL=0 */
    assert_int_equal(e.kind, HYP_EXIT_WFI);
    assert_true(e.u.wfx.timeout);
    assert_false(e.u.wfx.reg_valid);
    assert_int_equal(e.skip, 2);
}

static void debug_exceptions(void **state)
{
    /* brk #1000: EC 0x3c << 26 | IL | 0x3e8 = 0xf20003e8 */
    struct hyp_exit e = decode(0xf20003e8, 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_DEBUG);
    assert_int_equal(e.u.debug.kind, HYP_DEBUG_BRK);
    assert_int_equal(e.u.debug.comment, 1000);
    assert_int_equal(e.skip, 0);
    assert_false(e.aarch32);

    e = decode(mkesr(0x38, 0, 0xab), 0, 0); /* T16 bkpt #0xab */
    assert_int_equal(e.u.debug.kind, HYP_DEBUG_BRK);
    assert_int_equal(e.u.debug.comment, 0xab);
    assert_true(e.aarch32);

    e = decode(mkesr(0x30, 1, 0x22), 0, 0);
    assert_int_equal(e.u.debug.kind, HYP_DEBUG_BREAKPOINT);
    assert_false(e.same_el);
    e = decode(mkesr(0x31, 1, 0x22), 0, 0);
    assert_int_equal(e.u.debug.kind, HYP_DEBUG_BREAKPOINT);
    assert_true(e.same_el);

    e = decode(mkesr(0x32, 1, 0x22), 0, 0);
    assert_int_equal(e.u.debug.kind, HYP_DEBUG_STEP);
    assert_int_equal(e.u.debug.comment, 0);

    e = decode(mkesr(0x34, 1, 1u << 6 | 0x22), 0x80001008, 0);
    assert_int_equal(e.u.debug.kind, HYP_DEBUG_WATCHPOINT);
    assert_true(e.u.debug.write);
    assert_int_equal(e.u.debug.addr, 0x80001008);
    e = decode(mkesr(0x35, 1, 0x22), 0x10, 0);
    assert_false(e.u.debug.write);
    assert_true(e.same_el);

    e = decode(mkesr(0x3a, 1, 0), 0, 0);
    assert_int_equal(e.u.debug.kind, HYP_DEBUG_VECTOR_CATCH);
    assert_true(e.aarch32);
}

static void serror(void **state)
{
    /* AET 0b010 (restartable), EA, DFSC 0x11 asynchronous SError. */
    struct hyp_exit e = decode(mkesr(0x2f, 1, 2u << 10 | 1u << 9 | 0x11), 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_SERROR);
    assert_false(e.u.serror.impdef);
    assert_int_equal(e.u.serror.aet, 2);
    assert_true(e.u.serror.ext_abort);
    assert_int_equal(e.u.serror.dfsc, 0x11);
    assert_int_equal(e.skip, 0);

    /* AET 0b110 (corrected): bit 12 belongs to the field too. */
    e = decode(mkesr(0x2f, 1, 6u << 10 | 0x11), 0, 0);
    assert_int_equal(e.u.serror.aet, 6);
    assert_false(e.u.serror.ext_abort);

    e = decode(mkesr(0x2f, 1, 1u << 24 | 0xabcd), 0, 0);
    assert_true(e.u.serror.impdef);
    assert_int_equal(e.u.serror.aet, 0);
    assert_int_equal(e.u.serror.dfsc, 0);
}

static void fp_and_unknown_classes(void **state)
{
    struct hyp_exit e = decode(mkesr(0x07, 1, 0), 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_FP);
    assert_int_equal(e.skip, 0);

    static const unsigned unknown[] = {0x00, 0x02, 0x0e, 0x19, 0x22, 0x26, 0x2c, 0x3f};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        e = decode(mkesr(unknown[i], 1, 0x1ffffff), 0, 0);
        assert_int_equal(e.kind, HYP_EXIT_UNKNOWN);
        assert_int_equal(e.ec, unknown[i]);
        assert_int_equal(e.skip, 0);
        assert_false(e.aarch32);
    }
    e = decode(mkesr(0x03, 1, 0), 0, 0); /* MCR/MRC cp15 */
    assert_int_equal(e.kind, HYP_EXIT_UNKNOWN);
    assert_true(e.aarch32);

    /* ISS2 and RES0 bits above bit 31 do not change the class. */
    e = decode(0xffffffe000000000ull | 0x1full << 32 | 0x5a000007, 0, 0);
    assert_int_equal(e.kind, HYP_EXIT_HVC);
    assert_int_equal(e.u.call.imm, 7);
}

static void kind_names(void **state)
{
    for (int i = 0; i < HYP_EXIT_KIND_COUNT; i++) {
        const char *n = hyp_exit_kind_name((enum hyp_exit_kind)i);
        assert_non_null(n);
        assert_string_not_equal(n, "invalid");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(n, hyp_exit_kind_name((enum hyp_exit_kind)j));
    }
    assert_string_equal(hyp_exit_kind_name(HYP_EXIT_DABT), "dabt");
    assert_string_equal(hyp_exit_kind_name(HYP_EXIT_KIND_COUNT), "invalid");
    assert_string_equal(hyp_exit_kind_name((enum hyp_exit_kind) - 1), "invalid");
    for (int i = 0; i < HYP_FAULT_TYPE_COUNT; i++)
        assert_string_not_equal(hyp_fault_type_name((enum hyp_fault_type)i), "invalid");
    assert_string_equal(hyp_fault_type_name(HYP_FAULT_TRANSLATION), "translation");
    assert_string_equal(hyp_fault_type_name(HYP_FAULT_TYPE_COUNT), "invalid");
}

/* ---- ISV = 0: instruction decoding ------------------------------------ */

static struct hyp_exit isv0_abort(bool write)
{
    return decode(mkesr(0x24, 1, dabt_iss((struct dabt_iss){.wnr = write, .dfsc = 0x07})),
                  0x9000010, 0x9000 << 4);
}

struct insn_case {
    uint32_t insn;
    const char *text;
    bool write;
    uint8_t size, reg;
    bool sse, reg64, acqrel, wb;
    uint8_t wb_reg;
    int64_t wb_offset;
};

static void insn_supported_forms(void **state)
{
    static const struct insn_case cases[] = {
        /* unsigned offset */
        {0xb9400823, "ldr w3, [x1, #8]", false, 4, 3, false, false, false, false, 0, 0},
        {0xf947fc45, "ldr x5, [x2, #4088]", false, 8, 5, false, true, false, false, 0, 0},
        {0x39000007, "strb w7, [x0]", true, 1, 7, false, false, false, false, 0, 0},
        {0x79000c89, "strh w9, [x4, #6]", true, 2, 9, false, false, false, false, 0, 0},
        {0x39400441, "ldrb w1, [x2, #1]", false, 1, 1, false, false, false, false, 0, 0},
        {0x79400441, "ldrh w1, [x2, #2]", false, 2, 1, false, false, false, false, 0, 0},
        {0x39c00c23, "ldrsb w3, [x1, #3]", false, 1, 3, true, false, false, false, 0, 0},
        {0x39800c23, "ldrsb x3, [x1, #3]", false, 1, 3, true, true, false, false, 0, 0},
        {0x79c00c23, "ldrsh w3, [x1, #6]", false, 2, 3, true, false, false, false, 0, 0},
        {0x79800c23, "ldrsh x3, [x1, #6]", false, 2, 3, true, true, false, false, 0, 0},
        {0xb9800c23, "ldrsw x3, [x1, #12]", false, 4, 3, true, true, false, false, 0, 0},
        {0xf900083f, "str xzr, [x1, #16]", true, 8, 31, false, true, false, false, 0, 0},
        {0xb900003f, "str wzr, [x1]", true, 4, 31, false, false, false, false, 0, 0},
        {0xf9400400, "ldr x0, [x0, #8]", false, 8, 0, false, true, false, false, 0, 0},
        /* pre-index */
        {0xf8410c22, "ldr x2, [x1, #16]!", false, 8, 2, false, true, false, true, 1, 16},
        {0xb81f0fe2, "str w2, [sp, #-16]!", true, 4, 2, false, false, false, true, 31,
         -16},
        /* post-index */
        {0xf85f8422, "ldr x2, [x1], #-8", false, 8, 2, false, true, false, true, 1, -8},
        {0x380ff422, "strb w2, [x1], #255", true, 1, 2, false, false, false, true, 1,
         255},
        {0x78900483, "ldrsh x3, [x4], #-256", false, 2, 3, true, true, false, true, 4,
         -256},
        {0xf84107e3, "ldr x3, [sp], #16", false, 8, 3, false, true, false, true, 31, 16},
        /* unscaled */
        {0xb85fc023, "ldur w3, [x1, #-4]", false, 4, 3, false, false, false, false, 0, 0},
        {0xf8003023, "stur x3, [x1, #3]", true, 8, 3, false, true, false, false, 0, 0},
        {0x38dff0a4, "ldursb w4, [x5, #-1]", false, 1, 4, true, false, false, false, 0,
         0},
        /* register offset */
        {0xb8626823, "ldr w3, [x1, x2]", false, 4, 3, false, false, false, false, 0, 0},
        {0xf8625823, "ldr x3, [x1, w2, uxtw #3]", false, 8, 3, false, true, false, false,
         0, 0},
        {0x78227823, "strh w3, [x1, x2, lsl #1]", true, 2, 3, false, false, false, false,
         0, 0},
        {0x38a2c823, "ldrsb x3, [x1, w2, sxtw]", false, 1, 3, true, true, false, false, 0,
         0},
        {0x38627820, "ldrb w0, [x1, x2, lsl #0]", false, 1, 0, false, false, false, false,
         0, 0},
        /* unprivileged */
        {0xf8408841, "ldtr x1, [x2, #8]", false, 8, 1, false, true, false, false, 0, 0},
        {0x38000841, "sttrb w1, [x2]", true, 1, 1, false, false, false, false, 0, 0},
        /* literal */
        {0x18000083, "ldr w3, <label>", false, 4, 3, false, false, false, false, 0, 0},
        {0x58ffffc3, "ldr x3, <label>", false, 8, 3, false, true, false, false, 0, 0},
        {0x98000203, "ldrsw x3, <label>", false, 4, 3, true, true, false, false, 0, 0},
        /* load-acquire / store-release */
        {0x88dffc22, "ldar w2, [x1]", false, 4, 2, false, false, true, false, 0, 0},
        {0xc89ffc62, "stlr x2, [x3]", true, 8, 2, false, true, true, false, 0, 0},
        {0x08dffc22, "ldarb w2, [x1]", false, 1, 2, false, false, true, false, 0, 0},
        {0x489ffc22, "stlrh w2, [x1]", true, 2, 2, false, false, true, false, 0, 0},
        {0xc8df7c22, "ldlar x2, [x1]", false, 8, 2, false, true, true, false, 0, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct insn_case *c = &cases[i];
        struct hyp_exit e = isv0_abort(c->write);
        const struct hyp_exit_dabt *d = &e.u.dabt;
        int rc = hyp_trap_decode_insn(c->insn, &e);

        if (rc != HYP_OK)
            fail_msg("%08x %s: rc %d", c->insn, c->text, rc);
        if (!d->isv || !d->from_insn || d->write != c->write || d->size != c->size ||
            d->reg != c->reg || d->sign_extend != c->sse || d->reg64 != c->reg64 ||
            d->acqrel != c->acqrel || d->writeback != c->wb || d->wb_reg != c->wb_reg ||
            d->wb_offset != c->wb_offset)
            fail_msg("%08x %s: size %u reg %u sse %d sf %d ar %d wb %d Rn %u off %lld",
                     c->insn, c->text, d->size, d->reg, d->sign_extend, d->reg64,
                     d->acqrel, d->writeback, d->wb_reg, (long long)d->wb_offset);
        /* The syndrome-side fields survive. */
        assert_true(d->ipa_valid);
        assert_int_equal(d->ipa, 0x9000010);
        assert_int_equal(d->fault.type, HYP_FAULT_TRANSLATION);
        assert_int_equal(e.skip, 4);
    }
}

static void insn_unsupported_forms(void **state)
{
    static const struct {
        uint32_t insn;
        const char *text;
        bool write;
    } cases[] = {
        {0xa9400861, "ldp x1, x2, [x3]", false},
        {0x29be0be1, "stp w1, w2, [sp, #-16]!", true},
        {0xc85f7c41, "ldxr x1, [x2]", false},
        {0xc8037c41, "stxr w3, x1, [x2]", true},
        {0x885ffc41, "ldaxr w1, [x2]", false},
        {0x4c407000, "ld1 {v0.16b}, [x0]", false},
        {0xf8210062, "ldadd x1, x2, [x3]", true},
        {0x3dc00020, "ldr q0, [x1]", false},
        {0xfd000421, "str d1, [x1, #8]", true},
        {0xbc626820, "ldr s0, [x1, x2]", false},
        {0xf9800020, "prfm pldl1keep, [x1]", false},
        {0xf8a26820, "prfm pldl1keep, [x1, x2]", false},
        {0xf8408c21, "ldr x1, [x1, #8]! (unpredictable)", false},
        {0xf8008421, "str x1, [x1], #8 (unpredictable)", true},
        {0xf8200441, "ldraa x1, [x2]", false},
        {0xc8a17c62, "cas x1, x2, [x3]", true},
        {0xf8bfc041, "ldapr x1, [x2]", false},
        {0x88c0fc22, "ldar w2, [x1] with Rs = 0 (not all ones)", false},
        {0x88dfbc22, "ldar w2, [x1] with Rt2 = 15 (not all ones)", false},
        {0x99400041, "ldapur w1, [x2]", false},
        {0x8b030041, "add x1, x2, x3", false},
        {0xd50b7e21, "dc civac, x1", true},
        {0xb9c00023, "size 2 opc 3 (unallocated)", false},
        {0xb8620823, "ldr, register offset with option 000", false},
        {0x00000000, "udf #0", false},
        {0xffffffff, "all ones", false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hyp_exit e = isv0_abort(cases[i].write);
        struct hyp_exit before = e;
        int rc = hyp_trap_decode_insn(cases[i].insn, &e);

        if (rc != HYP_ENOTSUP)
            fail_msg("%08x %s: rc %d, want ENOTSUP", cases[i].insn, cases[i].text, rc);
        assert_memory_equal(&e, &before, sizeof(e));
    }
}

static void insn_rejects_mismatch_and_non_dabt(void **state)
{
    /* The guest swapped the faulting store for a load: the syndrome says write. */
    struct hyp_exit e = isv0_abort(true);
    struct hyp_exit before = e;

    assert_int_equal(hyp_trap_decode_insn(0xb9400823 /* ldr w3, [x1, #8] */, &e),
                     HYP_EINVAL);
    assert_memory_equal(&e, &before, sizeof(e));

    e = decode(0x5a000000, 0, 0); /* an HVC, not a data abort */
    assert_int_equal(hyp_trap_decode_insn(0xb9400823, &e), HYP_EINVAL);
}

static void insn_then_emulate_load(void **state)
{
    /* ldrsh w3, [x1, #6] reading 0xfffe from the device: W3 = 0xfffffffe. */
    struct hyp_exit e = isv0_abort(false);

    assert_int_equal(hyp_trap_decode_insn(0x79c00c23, &e), HYP_OK);
    assert_int_equal(hyp_trap_load_value(&e.u.dabt, 0xfffe), 0xfffffffe);
    /* strb w2, [x1], #255: stores the low byte, then X1 += 255. */
    e = isv0_abort(true);
    assert_int_equal(hyp_trap_decode_insn(0x380ff422, &e), HYP_OK);
    assert_int_equal(hyp_trap_store_value(&e.u.dabt, 0x1234), 0x34);
    assert_int_equal(e.u.dabt.wb_offset, 255);
}

/* hyp_trap_decode_mmio() against the full decoder over random syndromes: it
 * accepts exactly the stage-2 translation faults with a valid syndrome,
 * from AArch64, FAR valid, no S1PTW/EA/CM, and then agrees field by field. */
static void mmio_fast_matches_full(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned accepted = 0;

    (void)state;
    for (unsigned n = 0; n < 200000; n++) {
        struct hyp_exit full;
        struct hyp_exit_dabt fast;
        uint64_t esr, far, hpfar;
        bool want, got;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        /* Mostly EC 0x24 with IL; sometimes anything. */
        esr =
            n % 8 ? (0x24ull << 26 | 1ull << 25 | (x & 0x1ffffff)) : (x & 0xffffffffull);
        if (n % 3 == 0) /* often a translation fault with ISV */
            esr = (esr & ~0x3full & ~(0xfull << 7)) | 1ull << 24 | (0x4 | (x >> 40 & 3));
        far = x * 0x2545f4914f6cdd1dull;
        hpfar = (x >> 3) & 0xffffffffff0ull;
        assert_int_equal(hyp_trap_decode(esr, far, hpfar, &full), HYP_OK);
        want = full.kind == HYP_EXIT_DABT && !full.aarch32 && !full.same_el &&
               full.insn_len == 4 && full.u.dabt.isv && full.u.dabt.ipa_valid &&
               !full.u.dabt.s1ptw && !full.u.dabt.ext_abort && !full.u.dabt.cache_maint &&
               !full.u.dabt.fnv && full.u.dabt.fault.type == HYP_FAULT_TRANSLATION &&
               full.u.dabt.fault.code < 0x08;
        got = hyp_trap_decode_mmio(esr, far, hpfar, &fast);
        assert_int_equal(got, want);
        assert_int_equal(hyp_trap_mmio_fast_ok(esr), want);
        if (!got)
            continue;
        accepted++;
        assert_int_equal(fast.ipa, full.u.dabt.ipa);
        assert_int_equal(fast.va, full.u.dabt.va);
        assert_int_equal(fast.size, full.u.dabt.size);
        assert_int_equal(fast.sign_extend, full.u.dabt.sign_extend);
        assert_int_equal(fast.reg, full.u.dabt.reg);
        assert_int_equal(fast.reg64, full.u.dabt.reg64);
        assert_int_equal(fast.acqrel, full.u.dabt.acqrel);
        assert_int_equal(fast.write, full.u.dabt.write);
        assert_int_equal(fast.fault.level, full.u.dabt.fault.level);
        assert_int_equal(fast.fault.code, full.u.dabt.fault.code);
        assert_int_equal(hyp_trap_mmio_ipa(hpfar, far), full.u.dabt.ipa);
        /* The register value of a load, from the syndrome alone. */
        assert_int_equal(hyp_trap_mmio_load(esr, far), hyp_trap_load_value(&fast, far));
    }
    assert_true(accepted > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(null_exit_is_einval),
        cmocka_unit_test(dabt_literal_word_store),
        cmocka_unit_test(dabt_store_of_xzr),
        cmocka_unit_test(dabt_32bit_register_load),
        cmocka_unit_test(dabt_sign_extending_loads),
        cmocka_unit_test(dabt_acquire_release),
        cmocka_unit_test(dabt_s1ptw_and_cache_maint),
        cmocka_unit_test(dabt_fnv_invalidates_ipa),
        cmocka_unit_test(dabt_ipa_48bit),
        cmocka_unit_test(dabt_every_dfsc_class),
        cmocka_unit_test(dabt_same_el_has_no_ipa),
        cmocka_unit_test(dabt_isv0_leaves_access_fields_zero),
        cmocka_unit_test(dabt_il0_is_16bit),
        cmocka_unit_test(iabt_lower_el),
        cmocka_unit_test(hvc_with_immediate),
        cmocka_unit_test(smc32_vs_smc64),
        cmocka_unit_test(svc_routed_to_el2),
        cmocka_unit_test(smccc_function_ids),
        cmocka_unit_test(sysreg_literal_mrs_cntpct),
        cmocka_unit_test(sysreg_each_monitored_register),
        cmocka_unit_test(wfi_vs_wfe),
        cmocka_unit_test(debug_exceptions),
        cmocka_unit_test(serror),
        cmocka_unit_test(fp_and_unknown_classes),
        cmocka_unit_test(kind_names),
        cmocka_unit_test(insn_supported_forms),
        cmocka_unit_test(insn_unsupported_forms),
        cmocka_unit_test(insn_rejects_mismatch_and_non_dabt),
        cmocka_unit_test(insn_then_emulate_load),
        cmocka_unit_test(mmio_fast_matches_full),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
