/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the trap decoder over arbitrary ESR/FAR/HPFAR values,
 * instruction words and x0. The input is read as esr(8) far(8) hpfar(8)
 * insn(4) x0(8) data(8) flags(1), little-endian, zero-padded when short.
 * Decoding must never fail or crash and every decoded field must stay within
 * its architectural range; a rejected instruction must leave the exit as it
 * was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/trap.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond))                                                                     \
            abort();                                                                     \
    } while (0)

static uint64_t take(const uint8_t *buf, size_t *pos, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)buf[*pos + i] << (8 * i);
    *pos += n;
    return v;
}

static void check_fault(const struct hyp_fault *f)
{
    CHECK((unsigned)f->type < HYP_FAULT_TYPE_COUNT);
    CHECK(f->code < 64);
    if (f->has_level)
        CHECK(f->level >= -1 && f->level <= 3);
    else
        CHECK(f->level == 0 && !f->walk);
}

static void check_access(const struct hyp_exit_dabt *d)
{
    if (!d->isv) {
        CHECK(d->size == 0 && d->reg == 0 && !d->sign_extend && !d->reg64 && !d->acqrel);
        return;
    }
    CHECK(d->size == 1 || d->size == 2 || d->size == 4 || d->size == 8);
    CHECK(d->reg <= 31);
}

static void check_values(const struct hyp_exit_dabt *d, uint64_t raw)
{
    uint64_t mask = d->size >= 8 ? ~0ull : (1ull << (d->size * 8)) - 1;
    uint64_t ld = hyp_trap_load_value(d, raw);
    uint64_t st = hyp_trap_store_value(d, raw);

    /* A W register keeps 32 bits even if the syndrome claims 8 bytes. */
    uint64_t kept = mask & (d->reg64 ? ~0ull : 0xffffffffull);

    if (!d->reg64)
        CHECK(ld <= 0xffffffffull);
    if (!d->sign_extend)
        CHECK(ld == (raw & kept));
    else
        CHECK((ld & kept) == (raw & kept));
    CHECK(st == (d->reg == 31 ? 0 : (raw & mask)));
}

static void check_insn(struct hyp_exit *e, uint32_t insn, uint64_t raw)
{
    struct hyp_exit before = *e;
    int rc = hyp_trap_decode_insn(insn, e);
    const struct hyp_exit_dabt *d = &e->u.dabt;

    if (rc != HYP_OK) {
        CHECK(rc == HYP_ENOTSUP || rc == HYP_EINVAL);
        CHECK(memcmp(&before, e, sizeof(*e)) == 0);
        return;
    }
    CHECK(e->kind == HYP_EXIT_DABT && e->insn_len == 4);
    CHECK(d->isv && d->from_insn);
    CHECK(d->write == before.u.dabt.write);
    check_access(d);
    if (d->sign_extend)
        CHECK(!d->write && d->size < 8);
    if (!d->reg64)
        CHECK(d->size <= 4);
    if (d->size == 8)
        CHECK(d->reg64);
    if (d->writeback) {
        CHECK(d->wb_reg <= 31 && (d->wb_reg != d->reg || d->wb_reg == 31));
        CHECK(d->wb_offset >= -256 && d->wb_offset <= 255);
        CHECK(!d->acqrel);
    } else {
        CHECK(d->wb_reg == 0 && d->wb_offset == 0);
    }
    /* Syndrome-side fields are untouched. */
    CHECK(d->ipa == before.u.dabt.ipa && d->ipa_valid == before.u.dabt.ipa_valid);
    CHECK(memcmp(&d->fault, &before.u.dabt.fault, sizeof(d->fault)) == 0);
    check_values(d, raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t buf[45] = {0};
    size_t pos = 0;
    struct hyp_exit e;
    struct hyp_smccc_fid fid;

    memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
    uint64_t esr = take(buf, &pos, 8);
    uint64_t far = take(buf, &pos, 8);
    uint64_t hpfar = take(buf, &pos, 8);
    uint32_t insn = (uint32_t)take(buf, &pos, 4);
    uint64_t x0 = take(buf, &pos, 8);
    uint64_t raw = take(buf, &pos, 8);
    uint8_t flags = (uint8_t)take(buf, &pos, 1);

    CHECK(hyp_trap_decode(esr, far, hpfar, NULL) == HYP_EINVAL);
    CHECK(hyp_trap_decode(esr, far, hpfar, &e) == HYP_OK);
    CHECK(e.esr == esr && e.far == far && e.hpfar == hpfar);
    CHECK(e.ec == ((esr >> 26) & 0x3f));
    CHECK(e.kind < HYP_EXIT_KIND_COUNT && e.kind != HYP_EXIT_IRQ &&
          e.kind != HYP_EXIT_FIQ);
    CHECK(strcmp(hyp_exit_kind_name(e.kind), "invalid") != 0);
    CHECK(e.insn_len == (((esr >> 25) & 1) ? 4 : 2));
    CHECK(e.skip == 0 || e.skip == e.insn_len);

    switch (e.kind) {
    case HYP_EXIT_DABT:
        check_fault(&e.u.dabt.fault);
        check_access(&e.u.dabt);
        CHECK(e.u.dabt.va == far && !e.u.dabt.from_insn && !e.u.dabt.writeback);
        if (e.u.dabt.ipa_valid)
            CHECK((e.u.dabt.ipa & 0xfff) == (far & 0xfff) && !e.same_el &&
                  !e.u.dabt.fnv && e.u.dabt.ipa < (1ull << 56));
        else
            CHECK(e.u.dabt.ipa == 0);
        if (e.u.dabt.isv)
            check_values(&e.u.dabt, raw);
        CHECK(e.skip == e.insn_len);
        check_insn(&e, insn, raw);
        break;
    case HYP_EXIT_IABT:
        check_fault(&e.u.iabt.fault);
        if (e.u.iabt.ipa_valid)
            CHECK((e.u.iabt.ipa & 0xfff) == (far & 0xfff) && !e.same_el);
        CHECK(e.skip == 0);
        break;
    case HYP_EXIT_SYSREG: {
        const struct hyp_exit_sysreg *s = &e.u.sysreg;
        CHECK(s->op0 <= 3 && s->op1 <= 7 && s->crn <= 15 && s->crm <= 15 && s->op2 <= 7 &&
              s->rt <= 31);
        CHECK(s->key == HYP_SYSREG(s->op0, s->op1, s->crn, s->crm, s->op2));
        CHECK(e.skip == e.insn_len);
        break;
    }
    case HYP_EXIT_HVC:
    case HYP_EXIT_SVC:
        CHECK(e.skip == 0);
        break;
    case HYP_EXIT_SMC:
        CHECK(e.skip == e.insn_len);
        break;
    case HYP_EXIT_WFI:
    case HYP_EXIT_WFE:
        CHECK(e.u.wfx.reg <= 31 && (e.u.wfx.reg_valid || e.u.wfx.reg == 0));
        break;
    case HYP_EXIT_DEBUG:
        CHECK(e.u.debug.kind <= HYP_DEBUG_VECTOR_CATCH);
        CHECK(e.skip == 0);
        break;
    case HYP_EXIT_SERROR:
        CHECK(e.u.serror.aet <= 7 && e.u.serror.dfsc < 64);
        break;
    default:
        CHECK(e.skip == 0);
        break;
    }

    /* Any instruction against a synthetic ISV = 0 abort in either direction. */
    CHECK(hyp_trap_decode(0x92000000ull | ((flags & 1u) << 6) | 0x07, far, hpfar, &e) ==
          HYP_OK);
    check_insn(&e, insn, raw);

    CHECK(hyp_trap_decode_fid(x0, &fid) == HYP_OK);
    CHECK(fid.raw == (uint32_t)x0);
    CHECK(((uint32_t)fid.fast << 31 | (uint32_t)fid.smc64 << 30 |
           (uint32_t)fid.owner << 24 | fid.number) == (fid.raw & 0xff00ffffu));
    CHECK(fid.valid == (!fid.fast || (fid.raw & 0x00fe0000u) == 0));
    return 0;
}
