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

#include <stdint.h>

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

/** SMCCC status: the function is not implemented. */
#define SMCCC_RET_NOT_SUPPORTED (-1)

#endif /* HYP_SMCCC_H */
