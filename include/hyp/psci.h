/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file psci.h
 * @brief PSCI calls from the hypervisor to the firmware below it.
 *
 * Used for the hypervisor's own physical CPUs: starting secondaries,
 * powering the system off or resetting it. The conduit (SMC or HVC) comes
 * from the boot DTB's `/psci` node. Return codes are converted from PSCI
 * codes to ::hyp_err at this edge.
 */
#ifndef HYP_PSCI_H
#define HYP_PSCI_H

#include <stdint.h>
#include <hyp/cpu.h>
#include <hyp/platform.h>

/** @name PSCI function IDs (SMC32 unless noted)
 *  @{ */
#define PSCI_0_2_FN_PSCI_VERSION      0x84000000u /**< PSCI_VERSION */
#define PSCI_0_2_FN_CPU_SUSPEND_64    0xc4000001u /**< CPU_SUSPEND (SMC64) */
#define PSCI_0_2_FN_CPU_OFF           0x84000002u /**< CPU_OFF */
#define PSCI_0_2_FN_CPU_ON_64         0xc4000003u /**< CPU_ON (SMC64) */
#define PSCI_0_2_FN_AFFINITY_INFO_64  0xc4000004u /**< AFFINITY_INFO (SMC64) */
#define PSCI_0_2_FN_MIGRATE_INFO_TYPE 0x84000006u /**< MIGRATE_INFO_TYPE */
#define PSCI_0_2_FN_SYSTEM_OFF        0x84000008u /**< SYSTEM_OFF */
#define PSCI_0_2_FN_SYSTEM_RESET      0x84000009u /**< SYSTEM_RESET */
#define PSCI_1_0_FN_PSCI_FEATURES     0x8400000au /**< PSCI_FEATURES */
/** @} */

/** @name PSCI return codes
 *  @{ */
#define PSCI_RET_SUCCESS            0    /**< Success. */
#define PSCI_RET_NOT_SUPPORTED      (-1) /**< Not supported. */
#define PSCI_RET_INVALID_PARAMETERS (-2) /**< Invalid parameters. */
#define PSCI_RET_DENIED             (-3) /**< Denied. */
#define PSCI_RET_ALREADY_ON         (-4) /**< The target CPU is already on. */
#define PSCI_RET_ON_PENDING         (-5) /**< A CPU_ON for the target is in progress. */
#define PSCI_RET_INTERNAL_FAILURE   (-6) /**< Firmware internal failure. */
#define PSCI_RET_NOT_PRESENT        (-7) /**< The target CPU is not present. */
#define PSCI_RET_DISABLED           (-8) /**< The target CPU is disabled. */
#define PSCI_RET_INVALID_ADDRESS    (-9) /**< The entry address is invalid. */
/** @} */

struct hyp_smccc_service;

/**
 * @brief PSCI 1.1 for guests, as an SMCCC service for owner 4.
 *
 * Serves PSCI_VERSION, PSCI_FEATURES, CPU_ON, CPU_OFF, CPU_SUSPEND (standby
 * returns at once; power-down resumes at the given entry point),
 * AFFINITY_INFO (level 0), MIGRATE_INFO_TYPE (2: no Trusted OS to migrate),
 * SYSTEM_OFF and SYSTEM_RESET (recorded in ::hyp_vm::shutdown for the run
 * loop). CPU_ON answers INVALID_PARAMETERS for an unknown MPIDR and, as the
 * PSCI specification says, INVALID_ADDRESS for an entry point outside guest
 * RAM. Registered by hyp_smccc_register_defaults().
 */
extern const struct hyp_smccc_service hyp_vpsci_service;

/**
 * @brief PSCI and the SMCCC arch calls for one guest that owns every CPU: a
 *        filter in front of the firmware's, as an SMCCC service for owners
 *        0 (arch) to 4 (standard).
 *
 * For a thin monitor with one guest, vCPU n pinned to physical CPU
 * hyp_vcpu::pcpu, and no scheduler. Register it with hyp_smccc_register()
 * after hyp_psci_proxy_init(), instead of hyp_smccc_register_defaults().
 * - PSCI_VERSION (the firmware's, read at init, answered on the fast path)
 *   and MIGRATE_INFO_TYPE go to the firmware.
 * - AFFINITY_INFO goes to the firmware for the target vCPU's physical CPU
 *   (INVALID_PARAMETERS for an unknown MPIDR).
 * - CPU_ON (SMC32 and SMC64) checks the entry point is 4-byte aligned guest
 *   RAM (else INVALID_ADDRESS) and the target vCPU is off (else
 *   ALREADY_ON), then starts the physical CPU with hyp_cpu_start(): the
 *   firmware sees the hypervisor's entry, never the guest's. That CPU runs
 *   the function given to hyp_psci_proxy_init(), which enters the guest at
 *   the guest's entry with its context id in x0 (hyp_vcpu_wait_power_on()).
 * - CPU_OFF marks the vCPU off and powers its CPU off (hyp_cpu_off()).
 * - SYSTEM_OFF and SYSTEM_RESET are recorded in ::hyp_vm::shutdown; the run
 *   loop then asks the firmware.
 * - SMCCC_VERSION, SMCCC_ARCH_FEATURES and SMCCC_ARCH_WORKAROUND_1/2/3 go to
 *   the firmware if its PSCI_FEATURES, asked at init, knows SMCCC_VERSION;
 *   otherwise they are refused (the guest sees SMCCC 1.0, as the firmware
 *   is).
 * - PSCI_FEATURES answers NOT_SUPPORTED for what the proxy refuses and the
 *   firmware's answer for the rest.
 * - Every other call (CPU_SUSPEND among them) answers NOT_SUPPORTED.
 *
 * A vCPU on CPU 0 (the boot CPU) cannot be started again once off.
 */
extern const struct hyp_smccc_service hyp_psci_proxy_service;

/**
 * @brief Set up ::hyp_psci_proxy_service: read the firmware's PSCI version
 *        and SMCCC support, and choose what a CPU started by the guest's
 *        CPU_ON runs.
 * @param run Run loop for one vCPU, called on its physical CPU with the
 *            ::hyp_vcpu as argument (waits in hyp_vcpu_wait_power_on()).
 */
void hyp_psci_proxy_init(hyp_cpu_fn run);

/**
 * @brief Choose how firmware calls are made.
 * @param conduit From the platform's `/psci` node.
 */
void psci_fw_init(enum hyp_psci_conduit conduit);

/**
 * @brief Firmware's PSCI version.
 * @return Major version in bits 31:16, minor in 15:0; or a negative
 *         ::hyp_err (::HYP_ENOTSUP without a conduit).
 */
int64_t psci_fw_version(void);

/**
 * @brief Power on a physical CPU at EL2.
 * @param mpidr   Target affinity (Aff3..Aff0 only; never bit 31).
 * @param entry   Physical address it starts at.
 * @param context Value it receives in x0.
 * @return ::HYP_OK; ::HYP_EBUSY if already on or pending; ::HYP_EINVAL for a
 *         bad MPIDR or address; ::HYP_ENOTSUP without a conduit;
 *         ::HYP_EFIRMWARE otherwise.
 */
int psci_fw_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);

/**
 * @brief Power the system off. Returns only if firmware refuses.
 * @return A negative ::hyp_err explaining the refusal.
 */
int psci_fw_system_off(void);

/**
 * @brief Reset the system. Returns only if firmware refuses.
 * @return A negative ::hyp_err explaining the refusal.
 */
int psci_fw_system_reset(void);

/**
 * @brief Make an SMCCC fast call to firmware through the PSCI conduit.
 * @param fid Function ID.
 * @param a1  x1.
 * @param a2  x2.
 * @param a3  x3.
 * @return x0 sign-extended from 32 bits for SMC32 IDs, x0 as is for SMC64
 *         IDs; PSCI_RET_NOT_SUPPORTED (-1) without a conduit.
 */
int64_t hyp_firmware_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

/**
 * @brief Convert a PSCI return code to a ::hyp_err.
 * @param ret A PSCI_RET_* value.
 * @return The matching ::hyp_err (::HYP_OK for success).
 */
int psci_to_hyp_err(int64_t ret);

#endif /* HYP_PSCI_H */
