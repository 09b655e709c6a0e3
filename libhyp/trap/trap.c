/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ESR_EL2 decoding. Field positions follow the Arm ARM's "ISS encoding for an
 * exception from ..." descriptions of ESR_ELx; each class below names the
 * fields it reads.
 */
#include <stddef.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/trap.h>

/* ESR_ELx exception classes (bits 31:26). */
enum {
    EC_UNKNOWN = 0x00,
    EC_WFX = 0x01,
    EC_CP15_32 = 0x03,
    EC_CP15_64 = 0x04,
    EC_CP14_MR = 0x05,
    EC_CP14_LS = 0x06,
    EC_FP = 0x07,
    EC_CP14_64 = 0x0c,
    EC_SVC32 = 0x11,
    EC_HVC32 = 0x12,
    EC_SMC32 = 0x13,
    EC_SVC64 = 0x15,
    EC_HVC64 = 0x16,
    EC_SMC64 = 0x17,
    EC_SYSREG = 0x18,
    EC_IABT_LOWER = 0x20,
    EC_IABT_SAME = 0x21,
    EC_DABT_LOWER = 0x24,
    EC_DABT_SAME = 0x25,
    EC_FP32 = 0x28,
    EC_SERROR = 0x2f,
    EC_BREAKPOINT_LOWER = 0x30,
    EC_BREAKPOINT_SAME = 0x31,
    EC_STEP_LOWER = 0x32,
    EC_STEP_SAME = 0x33,
    EC_WATCHPOINT_LOWER = 0x34,
    EC_WATCHPOINT_SAME = 0x35,
    EC_BKPT32 = 0x38,
    EC_VECTOR_CATCH32 = 0x3a,
    EC_BRK64 = 0x3c,
};

/* Bits hi..lo of v, shifted down. */
static inline uint64_t field(uint64_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((2ull << (hi - lo)) - 1);
}

static inline bool bit(uint64_t v, unsigned n)
{
    return (v >> n) & 1;
}

/* Split a 6-bit DFSC/IFSC into class and lookup level: 0b00TTLL (TT =
 * address size, translation, access flag, permission), 0b0101LL / 0b0111LL
 * (external abort / parity error on a walk), 0b1001LL (granule protection
 * fault on a walk); level -1: 0x13 and 0x1b (external abort / parity error on
 * a walk), 0x23 (GPF on a walk), 0x29 and 0x2b (FEAT_LPA2 address size and
 * translation faults). */
static void decode_fsc(unsigned code, struct hyp_fault *f)
{
    static const enum hyp_fault_type types[4] = {HYP_FAULT_ADDR_SIZE,
                                                 HYP_FAULT_TRANSLATION, HYP_FAULT_ACCESS,
                                                 HYP_FAULT_PERMISSION};
    unsigned group = code & 0x3c;
    bool minus1 =
        code == 0x13 || code == 0x1b || code == 0x23 || code == 0x29 || code == 0x2b;
    bool levelled = code < 0x10 || group == 0x14 || group == 0x1c || group == 0x24;

    f->code = (uint8_t)code;
    f->has_level = minus1 || levelled;
    f->level = (int8_t)(minus1 ? -1 : levelled ? (int)(code & 3) : 0);
    f->walk = minus1 ? code < 0x29 : levelled && code >= 0x10;
    if (code < 0x10)
        f->type = types[code >> 2];
    else if (code == 0x10 || code == 0x18 || (f->walk && code < 0x20))
        f->type = HYP_FAULT_EXTERNAL; /* 0x10, 0x18: not on a walk */
    else if (code == 0x21)
        f->type = HYP_FAULT_ALIGNMENT;
    else if (code == 0x29)
        f->type = HYP_FAULT_ADDR_SIZE;
    else if (code == 0x2b)
        f->type = HYP_FAULT_TRANSLATION;
    else
        f->type = HYP_FAULT_OTHER;
}

/* Is HPFAR_EL2 written for this fault? Only for stage-2 translation, access
 * flag, permission and address size faults on an access from a lower EL. */
static bool hpfar_written(const struct hyp_fault *f, bool same_el)
{
    if (same_el)
        return false;
    return f->type == HYP_FAULT_TRANSLATION || f->type == HYP_FAULT_ACCESS ||
           f->type == HYP_FAULT_PERMISSION || f->type == HYP_FAULT_ADDR_SIZE;
}

/* HPFAR_EL2.FIPA (bits 47:4) holds IPA[55:12]. */
static uint64_t compose_ipa(uint64_t hpfar, uint64_t far)
{
    return field(hpfar, 47, 4) << 12 | (far & 0xfff);
}

static void decode_dabt(struct hyp_exit *e, uint64_t iss)
{
    struct hyp_exit_dabt *d = &e->u.dabt;

    d->va = e->far;
    d->isv = bit(iss, 24);
    if (d->isv) {
        d->size = (uint8_t)(1u << field(iss, 23, 22));
        d->sign_extend = bit(iss, 21);
        d->reg = (uint8_t)field(iss, 20, 16);
        d->reg64 = bit(iss, 15);
        d->acqrel = bit(iss, 14);
    }
    d->fnv = bit(iss, 10);
    d->ext_abort = bit(iss, 9);
    d->cache_maint = bit(iss, 8);
    d->s1ptw = bit(iss, 7);
    d->write = bit(iss, 6);
    decode_fsc((unsigned)field(iss, 5, 0), &d->fault);
    d->ipa_valid = !d->fnv && hpfar_written(&d->fault, e->same_el);
    if (d->ipa_valid)
        d->ipa = compose_ipa(e->hpfar, e->far);
}

static void decode_iabt(struct hyp_exit *e, uint64_t iss)
{
    struct hyp_exit_iabt *a = &e->u.iabt;

    a->va = e->far;
    a->fnv = bit(iss, 10);
    a->ext_abort = bit(iss, 9);
    a->s1ptw = bit(iss, 7);
    decode_fsc((unsigned)field(iss, 5, 0), &a->fault);
    a->ipa_valid = !a->fnv && hpfar_written(&a->fault, e->same_el);
    if (a->ipa_valid)
        a->ipa = compose_ipa(e->hpfar, e->far);
}

static void decode_sysreg(struct hyp_exit *e, uint64_t iss)
{
    struct hyp_exit_sysreg *s = &e->u.sysreg;

    s->op0 = (uint8_t)field(iss, 21, 20);
    s->op2 = (uint8_t)field(iss, 19, 17);
    s->op1 = (uint8_t)field(iss, 16, 14);
    s->crn = (uint8_t)field(iss, 13, 10);
    s->rt = (uint8_t)field(iss, 9, 5);
    s->crm = (uint8_t)field(iss, 4, 1);
    s->read = bit(iss, 0);
    s->key = HYP_SYSREG(s->op0, s->op1, s->crn, s->crm, s->op2);
}

static void decode_wfx(struct hyp_exit *e, uint64_t iss)
{
    /* TI (bits 1:0): 0b00 WFI, 0b01 WFE, 0b10 WFIT, 0b11 WFET. */
    e->kind = bit(iss, 0) ? HYP_EXIT_WFE : HYP_EXIT_WFI;
    e->u.wfx.timeout = bit(iss, 1);
    e->u.wfx.reg_valid = bit(iss, 2);
    if (e->u.wfx.reg_valid)
        e->u.wfx.reg = (uint8_t)field(iss, 9, 5);
}

static void decode_debug(struct hyp_exit *e, enum hyp_debug_kind kind, uint64_t iss)
{
    struct hyp_exit_debug *d = &e->u.debug;

    e->kind = HYP_EXIT_DEBUG;
    d->kind = kind;
    if (kind == HYP_DEBUG_BRK) {
        d->comment = (uint16_t)field(iss, 15, 0);
    } else if (kind == HYP_DEBUG_WATCHPOINT) {
        d->write = bit(iss, 6);
        d->addr = e->far;
    }
}

static void decode_serror(struct hyp_exit *e, uint64_t iss)
{
    struct hyp_exit_serror *s = &e->u.serror;

    s->impdef = bit(iss, 24);
    if (!s->impdef) {
        s->aet = (uint8_t)field(iss, 12, 10);
        s->ext_abort = bit(iss, 9);
        s->dfsc = (uint8_t)field(iss, 5, 0);
    }
}

int hyp_trap_decode(uint64_t esr, uint64_t far, uint64_t hpfar, struct hyp_exit *exit)
{
    uint64_t iss = field(esr, 24, 0);
    unsigned ec = (unsigned)field(esr, 31, 26);

    if (exit == NULL)
        return HYP_EINVAL;
    memset(exit, 0, sizeof(*exit));
    exit->kind = HYP_EXIT_UNKNOWN;
    exit->ec = (uint8_t)ec;
    exit->insn_len = bit(esr, 25) ? 4 : 2;
    exit->esr = esr;
    exit->far = far;
    exit->hpfar = hpfar;

    switch (ec) {
    case EC_DABT_SAME:
        exit->same_el = true;
        /* fall through */
    case EC_DABT_LOWER:
        exit->kind = HYP_EXIT_DABT;
        exit->skip = exit->insn_len;
        decode_dabt(exit, iss);
        break;
    case EC_IABT_SAME:
        exit->same_el = true;
        /* fall through */
    case EC_IABT_LOWER:
        exit->kind = HYP_EXIT_IABT;
        decode_iabt(exit, iss);
        break;
    case EC_HVC32:
    case EC_HVC64:
        exit->kind = HYP_EXIT_HVC;
        exit->aarch32 = ec == EC_HVC32;
        exit->u.call.imm = (uint16_t)field(iss, 15, 0);
        break;
    case EC_SMC32:
        /* The AArch32 syndrome has no immediate, only condition fields. */
        exit->kind = HYP_EXIT_SMC;
        exit->aarch32 = true;
        exit->skip = exit->insn_len;
        break;
    case EC_SMC64:
        exit->kind = HYP_EXIT_SMC;
        exit->skip = exit->insn_len;
        exit->u.call.imm = (uint16_t)field(iss, 15, 0);
        break;
    case EC_SVC32:
    case EC_SVC64:
        exit->kind = HYP_EXIT_SVC;
        exit->aarch32 = ec == EC_SVC32;
        exit->u.call.imm = (uint16_t)field(iss, 15, 0);
        break;
    case EC_SYSREG:
        exit->kind = HYP_EXIT_SYSREG;
        exit->skip = exit->insn_len;
        decode_sysreg(exit, iss);
        break;
    case EC_WFX:
        exit->skip = exit->insn_len;
        decode_wfx(exit, iss);
        break;
    case EC_FP:
        exit->kind = HYP_EXIT_FP;
        break;
    case EC_SERROR:
        exit->kind = HYP_EXIT_SERROR;
        decode_serror(exit, iss);
        break;
    case EC_BREAKPOINT_SAME:
    case EC_BREAKPOINT_LOWER:
        exit->same_el = ec == EC_BREAKPOINT_SAME;
        decode_debug(exit, HYP_DEBUG_BREAKPOINT, iss);
        break;
    case EC_STEP_SAME:
    case EC_STEP_LOWER:
        exit->same_el = ec == EC_STEP_SAME;
        decode_debug(exit, HYP_DEBUG_STEP, iss);
        break;
    case EC_WATCHPOINT_SAME:
    case EC_WATCHPOINT_LOWER:
        exit->same_el = ec == EC_WATCHPOINT_SAME;
        decode_debug(exit, HYP_DEBUG_WATCHPOINT, iss);
        break;
    case EC_BKPT32:
        exit->aarch32 = true;
        decode_debug(exit, HYP_DEBUG_BRK, iss);
        break;
    case EC_BRK64:
        decode_debug(exit, HYP_DEBUG_BRK, iss);
        break;
    case EC_VECTOR_CATCH32:
        exit->aarch32 = true;
        decode_debug(exit, HYP_DEBUG_VECTOR_CATCH, iss);
        break;
    case EC_CP15_32:
    case EC_CP15_64:
    case EC_CP14_MR:
    case EC_CP14_LS:
    case EC_CP14_64:
    case EC_FP32:
        exit->aarch32 = true;
        break;
    default:
        break;
    }
    return HYP_OK;
}

bool hyp_trap_decode_mmio(uint64_t esr, uint64_t far, uint64_t hpfar,
                          struct hyp_exit_dabt *d)
{
    uint64_t iss = field(esr, 24, 0);

    /* EC 0x24 with IL, ISV; DFSC 0b0001LL: translation fault, level LL. */
    if (!hyp_trap_mmio_fast_ok(esr))
        return false;
    *d = (struct hyp_exit_dabt){
        .ipa = hyp_trap_mmio_ipa(hpfar, far),
        .va = far,
        .ipa_valid = true,
        .isv = true,
        .size = (uint8_t)(1u << field(iss, 23, 22)),
        .sign_extend = bit(iss, 21),
        .reg = (uint8_t)field(iss, 20, 16),
        .reg64 = bit(iss, 15),
        .acqrel = bit(iss, 14),
        .write = bit(iss, 6),
        .fault = {.type = HYP_FAULT_TRANSLATION,
                  .level = (int8_t)(iss & 3),
                  .has_level = true,
                  .code = (uint8_t)(iss & 0x3f)},
    };
    return true;
}

uint64_t hyp_trap_load_value(const struct hyp_exit_dabt *dabt, uint64_t data)
{
    unsigned bits = dabt->size >= 8 ? 64 : dabt->size * 8u;
    uint64_t v = data;

    if (bits == 0)
        return 0;
    if (bits < 64) {
        v &= (1ull << bits) - 1;
        if (dabt->sign_extend && bit(v, bits - 1))
            v |= ~0ull << bits;
    }
    if (!dabt->reg64)
        v &= 0xffffffffull;
    return v;
}

uint64_t hyp_trap_store_value(const struct hyp_exit_dabt *dabt, uint64_t xt)
{
    if (dabt->reg >= 31)
        return 0;
    if (dabt->size >= 8)
        return xt;
    return xt & ((1ull << (dabt->size * 8u)) - 1);
}

int hyp_trap_decode_fid(uint64_t x0, struct hyp_smccc_fid *fid)
{
    uint32_t w0 = (uint32_t)x0;

    if (fid == NULL)
        return HYP_EINVAL;
    fid->raw = w0;
    fid->fast = bit(w0, 31);
    fid->smc64 = bit(w0, 30);
    fid->owner = (uint8_t)field(w0, 29, 24);
    fid->number = (uint16_t)field(w0, 15, 0);
    fid->sve_hint = fid->fast && bit(w0, 16);
    fid->valid = !fid->fast || field(w0, 23, 17) == 0;
    return HYP_OK;
}

const char *hyp_exit_kind_name(enum hyp_exit_kind kind)
{
    static const char *const names[HYP_EXIT_KIND_COUNT] = {
        [HYP_EXIT_UNKNOWN] = "unknown", [HYP_EXIT_DABT] = "dabt",
        [HYP_EXIT_IABT] = "iabt",       [HYP_EXIT_HVC] = "hvc",
        [HYP_EXIT_SMC] = "smc",         [HYP_EXIT_SVC] = "svc",
        [HYP_EXIT_SYSREG] = "sysreg",   [HYP_EXIT_WFI] = "wfi",
        [HYP_EXIT_WFE] = "wfe",         [HYP_EXIT_DEBUG] = "debug",
        [HYP_EXIT_SERROR] = "serror",   [HYP_EXIT_IRQ] = "irq",
        [HYP_EXIT_FIQ] = "fiq",         [HYP_EXIT_FP] = "fp",
    };

    if ((unsigned)kind >= HYP_EXIT_KIND_COUNT)
        return "invalid";
    return names[kind];
}

const char *hyp_fault_type_name(enum hyp_fault_type type)
{
    static const char *const names[HYP_FAULT_TYPE_COUNT] = {
        [HYP_FAULT_OTHER] = "other",
        [HYP_FAULT_TRANSLATION] = "translation",
        [HYP_FAULT_ACCESS] = "access flag",
        [HYP_FAULT_PERMISSION] = "permission",
        [HYP_FAULT_ADDR_SIZE] = "address size",
        [HYP_FAULT_EXTERNAL] = "external abort",
        [HYP_FAULT_ALIGNMENT] = "alignment",
    };

    if ((unsigned)type >= HYP_FAULT_TYPE_COUNT)
        return "invalid";
    return names[type];
}
