/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file smccc.h
 * @brief SMC Calling Convention: register block and conduit calls.
 *
 * The hypervisor's own calls to firmware (PSCI for its CPUs, SMCCC queries)
 * go through arch_smc_call() or arch_hvc_call(). Function IDs follow the
 * SMCCC layout: bit 31 fast call, bit 30 SMC64, bits 29:24 owner,
 * bits 15:0 function number.
 */
#ifndef HYP_SMCCC_H
#define HYP_SMCCC_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/vcpu.h>

/** Argument and result registers x0..x7 of one SMCCC call. */
struct hyp_smccc_regs {
    uint64_t x[8]; /**< x[0] is the function ID on entry and the status on return. */
};

/**
 * @brief Issue `SMC #0` with @p regs as x0..x7 and store x0..x7 back into it.
 * @param regs In: arguments. Out: results.
 */
void arch_smc_call(struct hyp_smccc_regs *regs);

/**
 * @brief Issue `HVC #0` with @p regs as x0..x7 and store x0..x7 back into it.
 * @param regs In: arguments. Out: results.
 */
void arch_hvc_call(struct hyp_smccc_regs *regs);

/** @name SMCCC function-ID fields
 *  @{ */
#define SMCCC_FAST_CALL     (1u << 31)  /**< Fast (atomic) call; else yielding. */
#define SMCCC_64            (1u << 30)  /**< SMC64/HVC64 calling convention. */
#define SMCCC_OWNER_SHIFT   24          /**< Owning entity, bits 29:24. */
#define SMCCC_OWNER_MASK    0x3fu       /**< Owning entity field mask. */
#define SMCCC_FUNC_MASK     0xffffu     /**< Function number, bits 15:0. */
#define SMCCC_FAST_MBZ_MASK 0x00fe0000u /**< Bits 23:17 must be zero in fast calls. */
/** @} */

/** @name SMCCC owning entities
 *  @{ */
#define SMCCC_OWNER_ARCH              0  /**< Arm architecture calls. */
#define SMCCC_OWNER_CPU               1  /**< CPU service calls. */
#define SMCCC_OWNER_SIP               2  /**< Silicon partner. */
#define SMCCC_OWNER_OEM               3  /**< OEM. */
#define SMCCC_OWNER_STANDARD          4  /**< Standard secure service (PSCI). */
#define SMCCC_OWNER_STANDARD_HYP      5  /**< Standard hypervisor service. */
#define SMCCC_OWNER_VENDOR_HYP        6  /**< Vendor-specific hypervisor service. */
#define SMCCC_OWNER_TRUSTED_APP_FIRST 48 /**< First trusted-application owner. */
#define SMCCC_OWNER_TRUSTED_OS_FIRST  50 /**< First trusted-OS owner. */
#define SMCCC_OWNER_TRUSTED_OS_LAST   63 /**< Last trusted-OS owner. */
/** @} */

/** @name SMCCC architecture calls
 *  @{ */
#define SMCCC_VERSION_FID           0x80000000u /**< SMCCC_VERSION */
#define SMCCC_ARCH_FEATURES_FID     0x80000001u /**< SMCCC_ARCH_FEATURES */
#define SMCCC_ARCH_SOC_ID_FID       0x80000002u /**< SMCCC_ARCH_SOC_ID */
#define SMCCC_ARCH_WORKAROUND_1_FID 0x80008000u /**< Spectre v2 (CVE-2017-5715) */
#define SMCCC_ARCH_WORKAROUND_2_FID 0x80007fffu /**< Spectre v4 (CVE-2018-3639) */
#define SMCCC_ARCH_WORKAROUND_3_FID 0x80003fffu /**< Spectre-BHB (CVE-2022-23960) */
/** @} */

/** SMCCC status: success. */
#define SMCCC_RET_SUCCESS       0
/** SMCCC status: the function is not implemented. */
#define SMCCC_RET_NOT_SUPPORTED (-1)
/** SMCCC status (ARCH_WORKAROUND_2/3 queries): not required on this CPU. */
#define SMCCC_RET_NOT_REQUIRED  (-2)

/** SMCCC version libhyp implements for guests: 1.1. */
#define HYP_SMCCC_VERSION 0x10001u

/** How a guest's call reached the hypervisor. */
enum hyp_smccc_conduit {
    HYP_SMCCC_HVC = 0, /**< HVC #0. */
    HYP_SMCCC_SMC,     /**< SMC #0 trapped by HCR_EL2.TSC. */
};

struct hyp_vcpu;

/**
 * @brief A service's handler for one call.
 *
 * @param vcpu    Caller; its x1..x7 hold the arguments (already truncated to
 *                32 bits for SMC32/HVC32 calls by the dispatcher's copy).
 * @param fid     Function ID (x0).
 * @param args    x1..x7 of the call (args[0] is x1).
 * @param ret     Results for x0..x3; prefilled with NOT_SUPPORTED, 0, 0, 0.
 * @param conduit How the call arrived.
 */
typedef void (*hyp_smccc_handler_fn)(struct hyp_vcpu *vcpu, uint32_t fid,
                                     const uint64_t args[7], uint64_t ret[4],
                                     enum hyp_smccc_conduit conduit);

/** A range of SMCCC owners served by one handler. */
struct hyp_smccc_service {
    const char *name;             /**< For logs. */
    unsigned owner_first;         /**< First owning entity number served. */
    unsigned owner_last;          /**< Last owning entity number served (inclusive). */
    hyp_smccc_handler_fn handler; /**< The handler. */
    /**
     * Serves calls on the exit fast path (see hyp_smccc_dispatch_fast()), or
     * NULL. Given a valid function ID of the service's owners, it either
     * answers the call in place (arguments in x1.. of vcpu->regs, results to
     * x0..x3, 32-bit results for SMC32/HVC32 calls) and returns true, or
     * touches nothing and returns false, leaving the call to @ref handler
     * in the run loop. It must not print, use FP/SIMD or thread-local
     * storage, change a vCPU's power state or the VM's shutdown request, or
     * switch to another vCPU.
     *
     * On the SMCCC exit path only x0..x17 of vcpu->regs hold the caller's
     * registers (those SMCCC lets a callee use); x18..x30, pc and pstate
     * there are stale, so a fast handler reads and writes x0..x17 only. It
     * may make interrupts pending for other vCPUs (the vGIC kicks them) but
     * not for its caller, whose list registers are not refilled before the
     * guest is re-entered.
     */
    bool (*fast)(struct hyp_vcpu *vcpu, uint32_t fid);
};

/**
 * @brief Answer a call with one result, as hyp_smccc_dispatch() would.
 *
 * x0 = @p r0 (its low 32 bits for an SMC32/HVC32 call), x1..x3 = 0.
 * For hyp_smccc_service::fast handlers.
 * @param vcpu The caller.
 * @param fid  The call's function ID.
 * @param r0   The result.
 */
static inline void hyp_smccc_answer(struct hyp_vcpu *vcpu, uint32_t fid, uint64_t r0)
{
    vcpu->regs.x[0] = fid & SMCCC_64 ? r0 : (uint32_t)r0;
    vcpu->regs.x[1] = 0;
    vcpu->regs.x[2] = 0;
    vcpu->regs.x[3] = 0;
}

/**
 * @brief Serve a call on the exit fast path, if its service allows it.
 *
 * Gives a well-formed call to its service's hyp_smccc_service::fast, if
 * it has one; otherwise (or if that declines) nothing is done and the call
 * goes to the run loop's hyp_smccc_dispatch(). Called by the library before
 * the run loop sees the exit.
 *
 * @param vcpu    The calling vCPU.
 * @param conduit How it called.
 * @return True when the call was served (results in x0..x3).
 */
bool hyp_smccc_dispatch_fast(struct hyp_vcpu *vcpu, enum hyp_smccc_conduit conduit);

/** Most services hyp_smccc_register() accepts. */
#define HYP_SMCCC_MAX_SERVICES 8

/**
 * @brief Add a service (before any guest runs; not thread-safe).
 *
 * Later registrations take precedence over earlier ones for the owners they
 * cover, so an example can replace a default service.
 *
 * @param svc The service; must stay valid.
 * @return ::HYP_OK; ::HYP_EINVAL for a bad owner range or NULL handler;
 *         ::HYP_ENOMEM when ::HYP_SMCCC_MAX_SERVICES are registered.
 */
int hyp_smccc_register(const struct hyp_smccc_service *svc);

/** @brief Remove every registered service (host tests and re-initialisation). */
void hyp_smccc_reset(void);

/**
 * @brief Serve the SMCCC call a vCPU made: read x0..x7, dispatch by owner,
 *        write x0..x3.
 *
 * Unknown owners, malformed function IDs (non-zero bits 23:17 in a fast
 * call) and yielding calls nobody serves return NOT_SUPPORTED (-1) in x0.
 * The default services (arch calls and PSCI) are registered by
 * hyp_smccc_register_defaults().
 *
 * @param vcpu    The caller.
 * @param conduit How the call arrived.
 */
void hyp_smccc_dispatch(struct hyp_vcpu *vcpu, enum hyp_smccc_conduit conduit);

/**
 * @brief Register libhyp's arch-call service (owner 0) and PSCI (owner 4).
 * @return ::HYP_OK or the error of hyp_smccc_register().
 */
int hyp_smccc_register_defaults(void);

/**
 * @brief What firmware says of an SMCCC_ARCH_WORKAROUND_n (for honest answers).
 *
 * The target build asks the firmware once (SMCCC_VERSION, then
 * SMCCC_ARCH_FEATURES) and caches the answers; guests get the same answer
 * and their workaround calls are forwarded to firmware when it implements
 * them. Host builds may set answers with hyp_smccc_set_firmware_answer().
 *
 * @param fid An SMCCC_ARCH_WORKAROUND_n function ID.
 * @return The firmware's SMCCC_ARCH_FEATURES result for it.
 */
int32_t hyp_smccc_firmware_feature(uint32_t fid);

/**
 * @brief Ask firmware which SMCCC_ARCH_WORKAROUND_n it implements.
 *
 * Called once at boot (needs the firmware conduit, psci_fw_init()). Without
 * SMCCC 1.1 firmware every workaround stays NOT_SUPPORTED.
 */
void hyp_smccc_probe_firmware(void);

/**
 * @brief Set the cached firmware answer for a workaround query.
 * @param fid    An SMCCC_ARCH_WORKAROUND_n function ID.
 * @param answer What SMCCC_ARCH_FEATURES returned for it.
 */
void hyp_smccc_set_firmware_answer(uint32_t fid, int32_t answer);

#endif /* HYP_SMCCC_H */
