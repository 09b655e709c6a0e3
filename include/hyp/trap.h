/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file trap.h
 * @brief Trap decoding: ESR_EL2, FAR_EL2 and HPFAR_EL2 into a ::hyp_exit.
 *
 * Everything here is a pure function of its arguments: no system register is
 * read, no guest memory is touched, nothing is allocated. The run loop reads
 * ESR_EL2, FAR_EL2 and HPFAR_EL2 on a synchronous exit and calls
 * hyp_trap_decode(); for IRQ, FIQ and SError taken asynchronously it sets
 * ::hyp_exit::kind itself. Any 64-bit input decodes without fault: syndromes
 * the decoder does not know become ::HYP_EXIT_UNKNOWN with the raw class.
 *
 * @par Completing an emulated instruction
 * ::hyp_exit::skip is the number of bytes a handler adds to ELR_EL2 once it
 * has emulated the trapped instruction. It is zero where the hardware already
 * points past the instruction (HVC, SVC) or where emulation is not the
 * expected outcome (instruction aborts, debug exceptions, SError, FP traps,
 * unknown classes). It is the instruction length (4, or 2 for a 16-bit T32
 * instruction, from ESR.IL) for data aborts, MSR/MRS, WFI/WFE and for SMC:
 * an SMC trapped by HCR_EL2.TSC leaves ELR_EL2 pointing at the SMC itself.
 *
 * @par Data aborts without a syndrome (ISV = 0)
 * The hardware describes only single-register loads and stores in ESR
 * (ISV = 1). For any other access that faults on an emulated region (load or
 * store pair, writeback forms, SIMD/FP registers, exclusives, atomics...)
 * ESR.ISV is 0 and the access fields of ::hyp_exit_dabt are zero. The policy
 * is then:
 *  1. The caller fetches the 32-bit instruction word at ELR_EL2 itself (this
 *     module never reads guest memory) and calls hyp_trap_decode_insn(). The
 *     instruction must be an A64 one: check SPSR_EL2.M[4] == 0 first.
 *  2. If it returns ::HYP_OK the access fields are filled in as if ISV were 1,
 *     plus the base-register writeback, and the handler emulates as usual.
 *  3. Otherwise (::HYP_ENOTSUP for pairs, exclusives, SIMD/FP, atomics,
 *     prefetches, anything not a plain single-register load/store;
 *     ::HYP_EINVAL if the word contradicts the syndrome) the hypervisor does
 *     not emulate: it injects a synchronous external abort into the guest at
 *     the faulting address. Emulating multi-register or atomic accesses to
 *     device regions is not worth the hypervisor code it costs.
 */
#ifndef HYP_TRAP_H
#define HYP_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/** What caused an exit from the guest. */
enum hyp_exit_kind {
    HYP_EXIT_UNKNOWN = 0, /**< An exception class the decoder does not model. */
    HYP_EXIT_DABT,        /**< Data abort (EC 0x24 lower EL, 0x25 same EL). */
    HYP_EXIT_IABT,        /**< Instruction abort (EC 0x20, 0x21). */
    HYP_EXIT_HVC,         /**< HVC (EC 0x16 AArch64, 0x12 AArch32). */
    HYP_EXIT_SMC,         /**< SMC trapped by HCR_EL2.TSC (EC 0x17, 0x13). */
    HYP_EXIT_SVC,         /**< SVC routed to EL2 (HCR_EL2.TGE; EC 0x15, 0x11). */
    HYP_EXIT_SYSREG,      /**< Trapped MSR, MRS or system instruction (EC 0x18). */
    HYP_EXIT_WFI,         /**< Trapped WFI or WFIT (EC 0x01, TI = 0b00/0b10). */
    HYP_EXIT_WFE,         /**< Trapped WFE or WFET (EC 0x01, TI = 0b01/0b11). */
    HYP_EXIT_DEBUG,       /**< Breakpoint, step, watchpoint, BRK/BKPT, vector catch. */
    HYP_EXIT_SERROR,      /**< SError interrupt (EC 0x2F). */
    HYP_EXIT_IRQ,         /**< Physical IRQ (set by the run loop, not decoded). */
    HYP_EXIT_FIQ,         /**< Physical FIQ (set by the run loop, not decoded). */
    HYP_EXIT_FP,          /**< FP/SIMD access trapped by CPTR_EL2 (EC 0x07). */
    HYP_EXIT_KIND_COUNT,  /**< Number of kinds, for per-kind counter arrays. */
};

/** Class of a data or instruction fault status code (DFSC/IFSC). */
enum hyp_fault_type {
    HYP_FAULT_OTHER = 0,   /**< Tag check, TLB conflict, GPF, IMPDEF, reserved... */
    HYP_FAULT_TRANSLATION, /**< Translation fault. */
    HYP_FAULT_ACCESS,      /**< Access flag fault. */
    HYP_FAULT_PERMISSION,  /**< Permission fault. */
    HYP_FAULT_ADDR_SIZE,   /**< Address size fault. */
    HYP_FAULT_EXTERNAL,    /**< Synchronous external abort or parity/ECC error. */
    HYP_FAULT_ALIGNMENT,   /**< Alignment fault. */
    HYP_FAULT_TYPE_COUNT,  /**< Number of fault types. */
};

/** A decoded fault status code. */
struct hyp_fault {
    enum hyp_fault_type type; /**< Class of the fault. */
    int8_t level;             /**< Lookup level -1..3 when @c has_level, else 0. */
    bool has_level;           /**< The code names a translation table level. */
    bool walk;                /**< External/parity abort or GPF during a table walk. */
    uint8_t code;             /**< The raw 6-bit DFSC/IFSC. */
};

/**
 * Data abort. The access fields (@c size to @c acqrel) are valid only when
 * @c isv is set; otherwise they are zero.
 */
struct hyp_exit_dabt {
    uint64_t ipa;     /**< HPFAR_EL2.FIPA << 12 | FAR_EL2[11:0]; see @c ipa_valid. */
    uint64_t va;      /**< FAR_EL2, the guest virtual address (UNKNOWN if @c fnv). */
    bool ipa_valid;   /**< @c ipa holds the faulting IPA (stage-2 fault, FAR valid). */
    bool isv;         /**< Access fields valid (from ESR, or hyp_trap_decode_insn()). */
    bool from_insn;   /**< The access fields were filled by hyp_trap_decode_insn(). */
    uint8_t size;     /**< Access size in bytes: 1, 2, 4 or 8 (ESR.SAS). */
    bool sign_extend; /**< A load that sign-extends its data (ESR.SSE). */
    uint8_t reg;      /**< Transfer register 0..31 (ESR.SRT); 31 is XZR/WZR. */
    bool reg64;       /**< The register is Xn, not Wn (ESR.SF). */
    bool acqrel;      /**< Acquire/release semantics (ESR.AR). */
    bool write;       /**< The access is a write (ESR.WnR). */
    bool s1ptw;       /**< Stage-2 fault on a stage-1 table walk (ESR.S1PTW). */
    bool cache_maint; /**< Caused by a cache maintenance or AT instruction (ESR.CM). */
    bool ext_abort;   /**< External abort type, IMPLEMENTATION DEFINED (ESR.EA). */
    bool fnv;         /**< FAR_EL2 is not valid (ESR.FnV). */
    struct hyp_fault fault; /**< Decoded DFSC. */
    bool writeback;    /**< Base register writeback (only from hyp_trap_decode_insn()). */
    uint8_t wb_reg;    /**< Base register for writeback, 0..31; 31 is SP, not XZR. */
    int64_t wb_offset; /**< Value to add to the base register after the access. */
};

/** Instruction abort. */
struct hyp_exit_iabt {
    uint64_t ipa;   /**< HPFAR_EL2.FIPA << 12 | FAR_EL2[11:0]; see @c ipa_valid. */
    uint64_t va;    /**< FAR_EL2, the guest virtual address (UNKNOWN if @c fnv). */
    bool ipa_valid; /**< @c ipa holds the faulting IPA (stage-2 fault, FAR valid). */
    bool s1ptw;     /**< Stage-2 fault on a stage-1 table walk (ESR.S1PTW). */
    bool ext_abort; /**< External abort type (ESR.EA). */
    bool fnv;       /**< FAR_EL2 is not valid (ESR.FnV). */
    struct hyp_fault fault; /**< Decoded IFSC. */
};

/** HVC, SMC or SVC. The SMCCC function ID is in x0: see hyp_trap_decode_fid(). */
struct hyp_exit_call {
    uint16_t imm; /**< The instruction's 16-bit immediate (0 for AArch32 SMC). */
};

/**
 * Pack a system register encoding into a 16-bit key:
 * op0[15:14] op1[13:11] CRn[10:7] CRm[6:3] op2[2:0] (the layout of MRS/MSR
 * instruction bits 20:5).
 */
#define HYP_SYSREG(op0, op1, crn, crm, op2)                                              \
    ((uint16_t)(((op0)&3u) << 14 | ((op1)&7u) << 11 | ((crn)&15u) << 7 |                 \
                ((crm)&15u) << 3 | ((op2)&7u)))

#define HYP_SYSREG_SCTLR_EL1      HYP_SYSREG(3, 0, 1, 0, 0)   /**< SCTLR_EL1 key. */
#define HYP_SYSREG_TTBR0_EL1      HYP_SYSREG(3, 0, 2, 0, 0)   /**< TTBR0_EL1 key. */
#define HYP_SYSREG_TTBR1_EL1      HYP_SYSREG(3, 0, 2, 0, 1)   /**< TTBR1_EL1 key. */
#define HYP_SYSREG_TCR_EL1        HYP_SYSREG(3, 0, 2, 0, 2)   /**< TCR_EL1 key. */
#define HYP_SYSREG_ESR_EL1        HYP_SYSREG(3, 0, 5, 2, 0)   /**< ESR_EL1 key. */
#define HYP_SYSREG_AFSR0_EL1      HYP_SYSREG(3, 0, 5, 1, 0)   /**< AFSR0_EL1 key. */
#define HYP_SYSREG_AFSR1_EL1      HYP_SYSREG(3, 0, 5, 1, 1)   /**< AFSR1_EL1 key. */
#define HYP_SYSREG_FAR_EL1        HYP_SYSREG(3, 0, 6, 0, 0)   /**< FAR_EL1 key. */
#define HYP_SYSREG_MDSCR_EL1      HYP_SYSREG(2, 0, 0, 2, 2)   /**< MDSCR_EL1 key. */
#define HYP_SYSREG_OSLAR_EL1      HYP_SYSREG(2, 0, 1, 0, 4)   /**< OSLAR_EL1 key. */
#define HYP_SYSREG_OSLSR_EL1      HYP_SYSREG(2, 0, 1, 1, 4)   /**< OSLSR_EL1 key. */
#define HYP_SYSREG_MAIR_EL1       HYP_SYSREG(3, 0, 10, 2, 0)  /**< MAIR_EL1 key. */
#define HYP_SYSREG_AMAIR_EL1      HYP_SYSREG(3, 0, 10, 3, 0)  /**< AMAIR_EL1 key. */
#define HYP_SYSREG_VBAR_EL1       HYP_SYSREG(3, 0, 12, 0, 0)  /**< VBAR_EL1 key. */
#define HYP_SYSREG_CONTEXTIDR_EL1 HYP_SYSREG(3, 0, 13, 0, 1)  /**< CONTEXTIDR_EL1 key. */
#define HYP_SYSREG_ICC_SGI1R_EL1  HYP_SYSREG(3, 0, 12, 11, 5) /**< ICC_SGI1R_EL1 key. */
#define HYP_SYSREG_CNTP_CTL_EL0   HYP_SYSREG(3, 3, 14, 2, 1)  /**< CNTP_CTL_EL0 key. */
#define HYP_SYSREG_CNTP_CVAL_EL0  HYP_SYSREG(3, 3, 14, 2, 2)  /**< CNTP_CVAL_EL0 key. */
#define HYP_SYSREG_CNTP_TVAL_EL0  HYP_SYSREG(3, 3, 14, 2, 0)  /**< CNTP_TVAL_EL0 key. */
#define HYP_SYSREG_CNTPCT_EL0     HYP_SYSREG(3, 3, 14, 0, 1)  /**< CNTPCT_EL0 key. */

/** Trapped MSR/MRS or system instruction (op0 = 1: DC, IC, AT, TLBI, SYS). */
struct hyp_exit_sysreg {
    uint16_t key; /**< HYP_SYSREG(op0, op1, crn, crm, op2), compare with HYP_SYSREG_*. */
    uint8_t op0;  /**< op0, 0..3. */
    uint8_t op1;  /**< op1, 0..7. */
    uint8_t crn;  /**< CRn, 0..15. */
    uint8_t crm;  /**< CRm, 0..15. */
    uint8_t op2;  /**< op2, 0..7. */
    uint8_t rt;   /**< Transfer register 0..31; 31 is XZR. */
    bool read;    /**< MRS (the guest reads into Xt); false for MSR or SYS. */
};

/** Trapped WFI/WFE (also WFIT/WFET from FEAT_WFxT). */
struct hyp_exit_wfx {
    bool timeout;   /**< WFIT or WFET: the instruction has a timeout register. */
    bool reg_valid; /**< @c reg is valid (ESR.RV). */
    uint8_t reg;    /**< Register holding the timeout (ESR.Rn). */
};

/** Sub-kind of ::HYP_EXIT_DEBUG. */
enum hyp_debug_kind {
    HYP_DEBUG_BREAKPOINT = 0, /**< Hardware breakpoint (EC 0x30, 0x31). */
    HYP_DEBUG_STEP,           /**< Software step (EC 0x32, 0x33). */
    HYP_DEBUG_WATCHPOINT,     /**< Watchpoint (EC 0x34, 0x35); @c addr is FAR. */
    HYP_DEBUG_BRK,            /**< BRK (EC 0x3C) or AArch32 BKPT (EC 0x38). */
    HYP_DEBUG_VECTOR_CATCH,   /**< AArch32 vector catch (EC 0x3A). */
};

/** Debug exception. */
struct hyp_exit_debug {
    enum hyp_debug_kind kind; /**< Which debug event. */
    uint16_t comment;         /**< BRK/BKPT immediate; 0 for other kinds. */
    bool write;               /**< Watchpoint hit by a write (ESR.WnR). */
    uint64_t addr;            /**< Watchpoint: FAR_EL2. 0 for other kinds. */
};

/** SError interrupt. */
struct hyp_exit_serror {
    bool impdef;    /**< ESR.IDS: the syndrome is IMPLEMENTATION DEFINED. */
    uint8_t aet;    /**< Asynchronous error type (ESR.AET), when !impdef. */
    bool ext_abort; /**< External abort type (ESR.EA), when !impdef. */
    uint8_t dfsc;   /**< ESR.DFSC (0 uncategorized, 0x11 asynchronous SError). */
};

/** A decoded guest exit. */
struct hyp_exit {
    enum hyp_exit_kind kind; /**< What happened; selects the union member. */
    uint8_t ec;              /**< ESR.EC (bits 31:26), also for ::HYP_EXIT_UNKNOWN. */
    uint8_t insn_len;        /**< Trapped instruction length, 4 or 2 (ESR.IL). */
    uint8_t skip;            /**< Bytes to add to ELR_EL2 after emulation (see above). */
    bool same_el;            /**< Taken from EL2 itself (EC 0x21, 0x25, 0x31...). */
    bool aarch32;            /**< The class says the guest was in AArch32. */
    uint64_t esr;            /**< Raw ESR_EL2. */
    uint64_t far;            /**< Raw FAR_EL2. */
    uint64_t hpfar;          /**< Raw HPFAR_EL2. */
    /** Per-kind details; only the member named after ::hyp_exit::kind is set. */
    union {
        struct hyp_exit_dabt dabt; /**< ::HYP_EXIT_DABT. */
        struct hyp_exit_iabt iabt; /**< ::HYP_EXIT_IABT. */
        struct hyp_exit_call call; /**< ::HYP_EXIT_HVC, ::HYP_EXIT_SMC, ::HYP_EXIT_SVC. */
        struct hyp_exit_sysreg sysreg; /**< ::HYP_EXIT_SYSREG. */
        struct hyp_exit_wfx wfx;       /**< ::HYP_EXIT_WFI, ::HYP_EXIT_WFE. */
        struct hyp_exit_debug debug;   /**< ::HYP_EXIT_DEBUG. */
        struct hyp_exit_serror serror; /**< ::HYP_EXIT_SERROR. */
    } u;
};

/**
 * @brief Decode a synchronous exception syndrome.
 *
 * Fills every field of @p exit (unused union bytes are zero). Never fails on
 * any value of @p esr, @p far or @p hpfar.
 *
 * @param esr   ESR_EL2.
 * @param far   FAR_EL2 (used by aborts and watchpoints).
 * @param hpfar HPFAR_EL2 (used by aborts; meaningful only for stage-2 faults).
 * @param exit  Out: the decoded exit.
 * @return ::HYP_OK, or ::HYP_EINVAL if @p exit is NULL.
 */
int hyp_trap_decode(uint64_t esr, uint64_t far, uint64_t hpfar, struct hyp_exit *exit);

/** ESR_EL2 bits hyp_trap_mmio_fast_ok() looks at: EC, IL, ISV, FnV, EA, CM,
 *  S1PTW and DFSC bits 5:2. */
#define HYP_TRAP_MMIO_FAST_MASK  0xff0007bcULL
/** Their values for an access hyp_trap_decode_mmio() accepts. */
#define HYP_TRAP_MMIO_FAST_VALUE (0x24ULL << 26 | 1ULL << 25 | 1ULL << 24 | 0x04ULL)

/**
 * @brief Whether hyp_trap_decode_mmio() would accept a data abort.
 * @param esr ESR_EL2.
 * @return True for a lower-EL AArch64 load or store with a valid syndrome
 *         that took a stage-2 translation fault (see hyp_trap_decode_mmio()).
 */
static inline bool hyp_trap_mmio_fast_ok(uint64_t esr)
{
    return (esr & HYP_TRAP_MMIO_FAST_MASK) == HYP_TRAP_MMIO_FAST_VALUE;
}

/**
 * @brief The faulting IPA of a stage-2 abort: HPFAR_EL2.FIPA (bits 47:4,
 *        IPA[55:12]) with the page offset from FAR_EL2.
 * @param hpfar HPFAR_EL2.
 * @param far   FAR_EL2.
 * @return The IPA.
 */
static inline uint64_t hyp_trap_mmio_ipa(uint64_t hpfar, uint64_t far)
{
    return (hpfar & 0x0000fffffffffff0ULL) << 8 | (far & 0xfff);
}

/**
 * @brief hyp_trap_load_value() straight from a syndrome hyp_trap_mmio_fast_ok()
 *        accepted: @p data truncated to the access size (SAS), sign-extended
 *        if SSE, and 32-bit unless SF.
 * @param esr  ESR_EL2 of the load.
 * @param data The bytes read, in bits [size*8-1:0].
 * @return The value for X[SRT].
 */
static inline uint64_t hyp_trap_mmio_load(uint64_t esr, uint64_t data)
{
    unsigned shift = 64 - (8u << ((esr >> 22) & 3));

    if (shift != 0)
        data = esr & (1u << 21) ? (uint64_t)((int64_t)(data << shift) >> shift)
                                : data << shift >> shift;
    return esr & (1u << 15) ? data : (uint32_t)data;
}

/**
 * @brief Decode the data aborts an exit fast path can emulate, and only those.
 *
 * A lower-EL AArch64 data abort (EC 0x24) with a valid syndrome (ISV = 1),
 * a stage-2 translation fault at any level, not on a stage-1 table walk,
 * not an external abort or cache maintenance, with FAR valid: an ordinary
 * load or store to an address stage 2 does not map. For those, @p d gets
 * what hyp_trap_decode() would put in hyp_exit::u.dabt; everything else is
 * refused (decode it with hyp_trap_decode()). Pure and cheap: a handful of
 * shifts and masks.
 *
 * @param esr   ESR_EL2.
 * @param far   FAR_EL2.
 * @param hpfar HPFAR_EL2.
 * @param d     Out: the access, when true is returned.
 * @return True for such an access.
 */
bool hyp_trap_decode_mmio(uint64_t esr, uint64_t far, uint64_t hpfar,
                          struct hyp_exit_dabt *d);

/**
 * @brief Fill a data abort's access fields from the faulting A64 instruction.
 *
 * For ISV = 0 data aborts (see the file comment). Supported: LDR/STR of
 * byte, halfword, word and doubleword with an unsigned offset, pre-index,
 * post-index, register offset, unscaled (LDUR/STUR) and unprivileged
 * (LDTR/STTR) addressing; LDRSB/LDRSH/LDRSW in the same forms; LDR (literal)
 * and LDRSW (literal); LDAR/STLR/LDLAR/STLLR. On success sets @c isv and
 * @c from_insn and the writeback fields.
 *
 * @param insn The instruction word the guest executed (fetched by the caller).
 * @param exit In: a ::HYP_EXIT_DABT from hyp_trap_decode(). Out: access fields.
 * @return ::HYP_OK; ::HYP_ENOTSUP for anything else (pairs, exclusives,
 *         SIMD/FP, atomics, prefetch, writeback onto the transfer register,
 *         non-load/store words, a 16-bit instruction); ::HYP_EINVAL if @p exit
 *         is NULL or not a data abort, or the instruction's direction differs
 *         from ESR.WnR. On error @p exit is left unchanged.
 */
int hyp_trap_decode_insn(uint32_t insn, struct hyp_exit *exit);

/**
 * @brief The value a load writes into its transfer register.
 *
 * Truncates @p data to the access size, sign-extends it when
 * @c sign_extend is set and clears bits 63:32 for a W register. The caller
 * discards the result when @c reg is 31 (WZR/XZR).
 *
 * @param dabt A data abort with @c isv set.
 * @param data The bytes read from the emulated device, in bits [size*8-1:0].
 * @return The 64-bit value for X[reg].
 */
uint64_t hyp_trap_load_value(const struct hyp_exit_dabt *dabt, uint64_t data);

/**
 * @brief The value a store writes to the emulated device.
 * @param dabt A data abort with @c isv set.
 * @param xt   The guest's X[reg]; ignored (treated as zero) when @c reg is 31.
 * @return @p xt truncated to the access size.
 */
uint64_t hyp_trap_store_value(const struct hyp_exit_dabt *dabt, uint64_t xt);

/** An SMCCC function identifier split into its fields. */
struct hyp_smccc_fid {
    uint32_t raw;    /**< W0: the 32-bit function ID (bits 63:32 of x0 ignored). */
    bool fast;       /**< Bit 31: fast call (else yielding). */
    bool smc64;      /**< Bit 30: SMC64/HVC64 calling convention. */
    uint8_t owner;   /**< Bits 29:24: owning entity number. */
    uint16_t number; /**< Bits 15:0: function number. */
    bool sve_hint;   /**< Bit 16 of a fast call: no live SVE state (SMCCC 1.3). */
    bool valid;      /**< False if a fast call sets the must-be-zero bits 23:17. */
};

/**
 * @brief Split the SMCCC function ID in a guest's x0.
 *
 * Only W0 is the function ID. An AArch32 caller (::hyp_exit::aarch32) asking
 * for an SMC64 function is the caller's to reject.
 *
 * @param x0  The guest's x0 at the HVC/SMC.
 * @param fid Out: the fields.
 * @return ::HYP_OK; ::HYP_EINVAL if @p fid is NULL.
 */
int hyp_trap_decode_fid(uint64_t x0, struct hyp_smccc_fid *fid);

/**
 * @brief Name of an exit kind, for logs and counters.
 * @param kind A ::hyp_exit_kind.
 * @return A static string such as "dabt"; "invalid" outside the enum.
 */
const char *hyp_exit_kind_name(enum hyp_exit_kind kind);

/**
 * @brief Name of a fault type, for logs.
 * @param type A ::hyp_fault_type.
 * @return A static string such as "translation"; "invalid" outside the enum.
 */
const char *hyp_fault_type_name(enum hyp_fault_type type);

#endif /* HYP_TRAP_H */
