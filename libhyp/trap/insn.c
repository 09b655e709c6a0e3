/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A64 load/store decoding for data aborts the hardware did not describe
 * (ESR.ISV = 0). Only single general-purpose register transfers are decoded;
 * the encodings come from the Arm ARM's "Loads and Stores" instruction class
 * tables. Everything else is HYP_ENOTSUP, and the caller injects an abort.
 */
#include <stddef.h>
#include <hyp/error.h>
#include <hyp/trap.h>

/* What one instruction does, before it is merged into the exit. */
struct ldst {
    bool load;
    uint8_t size; /* bytes */
    bool sign_extend;
    bool reg64;
    bool acqrel;
    uint8_t rt;
    bool writeback;
    uint8_t rn;
    int64_t offset;
};

static inline uint32_t ifield(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((2u << (hi - lo)) - 1);
}

/*
 * size (bits 31:30) and opc (bits 23:22) of the register-addressed
 * LDR/STR family: opc 0 store, 1 zero-extending load, 2 sign-extending load
 * into an X register, 3 sign-extending load into a W register. Rejects
 * PRFM (size 3, opc 2) and the unallocated combinations.
 */
static int size_opc(uint32_t insn, struct ldst *l)
{
    unsigned size = ifield(insn, 31, 30);
    unsigned opc = ifield(insn, 23, 22);

    l->size = (uint8_t)(1u << size);
    switch (opc) {
    case 0:
    case 1:
        l->load = opc == 1;
        l->reg64 = size == 3;
        return HYP_OK;
    case 2: /* LDRSB/LDRSH/LDRSW Xt */
        if (size == 3)
            return HYP_ENOTSUP; /* PRFM */
        l->load = true;
        l->sign_extend = true;
        l->reg64 = true;
        return HYP_OK;
    default: /* LDRSB/LDRSH Wt */
        if (size >= 2)
            return HYP_ENOTSUP;
        l->load = true;
        l->sign_extend = true;
        return HYP_OK;
    }
}

static int decode(uint32_t insn, struct ldst *l)
{
    bool simd = (insn >> 26) & 1;

    l->rt = (uint8_t)ifield(insn, 4, 0);
    l->rn = (uint8_t)ifield(insn, 9, 5);

    /* xx111V01 ... : LDR/STR (immediate, unsigned offset). */
    if ((insn & 0x3b000000u) == 0x39000000u)
        return simd ? HYP_ENOTSUP : size_opc(insn, l);

    /* xx111V00 xx0 imm9 xx ... : unscaled, post-index, unprivileged, pre-index. */
    if ((insn & 0x3b200000u) == 0x38000000u) {
        unsigned mode = ifield(insn, 11, 10);
        int rc;

        if (simd)
            return HYP_ENOTSUP;
        rc = size_opc(insn, l);
        if (rc != HYP_OK)
            return rc;
        if (mode == 1 || mode == 3) { /* post-index, pre-index */
            uint32_t imm9 = ifield(insn, 20, 12);

            /* Writeback onto the transfer register is CONSTRAINED
             * UNPREDICTABLE; refuse rather than pick an outcome. */
            if (l->rn == l->rt && l->rn != 31)
                return HYP_ENOTSUP;
            l->writeback = true;
            l->offset = (int64_t)imm9 - ((imm9 & 0x100u) ? 0x200 : 0);
        }
        return HYP_OK;
    }

    /* xx111V00 xx1 Rm option S 10 ... : LDR/STR (register offset). Bits
     * 11:10 = 00 are the atomics, x1 the pointer-authenticated LDRA*. */
    if ((insn & 0x3b200c00u) == 0x38200800u) {
        if (simd || !(ifield(insn, 15, 13) & 2)) /* option must be x1x */
            return HYP_ENOTSUP;
        return size_opc(insn, l);
    }

    /* opc 011V00 imm19 Rt: LDR (literal); opc 0 W, 1 X, 2 LDRSW, 3 PRFM. */
    if ((insn & 0x3b000000u) == 0x18000000u) {
        unsigned opc = ifield(insn, 31, 30);

        if (simd || opc == 3)
            return HYP_ENOTSUP;
        l->load = true;
        l->size = opc == 1 ? 8 : 4;
        l->reg64 = opc != 0;
        l->sign_extend = opc == 2;
        return HYP_OK;
    }

    /* size 001000 o2 L o1 Rs o0 Rt2 Rn Rt: with o2 = 1, o1 = 0 and Rs, Rt2
     * all ones this is LDAR/STLR (o0 = 1) or LDLAR/STLLR (o0 = 0). o2 = 0 is
     * the exclusives, o1 = 1 compare-and-swap. */
    if ((insn & 0x3fa07c00u) == 0x08807c00u && ifield(insn, 20, 16) == 31) {
        l->size = (uint8_t)(1u << ifield(insn, 31, 30));
        l->load = (insn >> 22) & 1;
        l->reg64 = l->size == 8;
        l->acqrel = true;
        return HYP_OK;
    }
    return HYP_ENOTSUP;
}

int hyp_trap_decode_insn(uint32_t insn, struct hyp_exit *exit)
{
    struct ldst l = {0};
    struct hyp_exit_dabt *d;
    int rc;

    if (exit == NULL || exit->kind != HYP_EXIT_DABT)
        return HYP_EINVAL;
    if (exit->insn_len != 4)
        return HYP_ENOTSUP;
    rc = decode(insn, &l);
    if (rc != HYP_OK)
        return rc;
    d = &exit->u.dabt;
    /* The guest may have rewritten the word since it faulted. */
    if (d->write == l.load)
        return HYP_EINVAL;
    d->isv = true;
    d->from_insn = true;
    d->size = l.size;
    d->sign_extend = l.sign_extend;
    d->reg = l.rt;
    d->reg64 = l.reg64;
    d->acqrel = l.acqrel;
    d->writeback = l.writeback;
    d->wb_reg = l.writeback ? l.rn : 0;
    d->wb_offset = l.writeback ? l.offset : 0;
    return HYP_OK;
}
