/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file cpu.h
 * @brief The hypervisor's physical CPUs: identity, bring-up, system power.
 *
 * CPUs get logical indices: the boot CPU is 0, the others follow in device
 * tree order, up to ::HYP_MAX_CPUS. Secondaries stay off until the
 * hypervisor's `main()` starts them with hyp_cpu_start(); each then runs the
 * given function on its own stack with its own per-CPU data.
 */
#ifndef HYP_CPU_H
#define HYP_CPU_H

#include <stdint.h>
#include <hyp/config.h>
#include <hyp/platform.h>

/** A function a secondary CPU runs after hyp_cpu_start(). */
typedef void (*hyp_cpu_fn)(void *arg);

/**
 * @brief Logical index of the calling CPU.
 * @return 0 for the boot CPU, 1.. for secondaries.
 */
unsigned hyp_cpu_id(void);

/**
 * @brief Number of CPUs the hypervisor can use.
 * @return CPUs in the boot DTB, capped at ::HYP_MAX_CPUS.
 */
unsigned hyp_cpu_count(void);

/**
 * @brief MPIDR affinity of a CPU.
 * @param cpu Logical index, below hyp_cpu_count().
 * @return Its affinity fields (as in the DT), or ~0 for a bad index.
 */
uint64_t hyp_cpu_mpidr(unsigned cpu);

/**
 * @brief Power on a secondary CPU through firmware PSCI and run @p fn on it.
 *
 * Returns once firmware has accepted the request; @p fn may not have
 * started yet. If @p fn returns, the CPU halts.
 *
 * @param cpu Logical index, 1 .. hyp_cpu_count() - 1.
 * @param fn  Function to run at EL2 on that CPU.
 * @param arg Its argument.
 * @return ::HYP_OK; ::HYP_EINVAL for a bad index or the calling CPU;
 *         ::HYP_EBUSY if it is already started; or the firmware's refusal
 *         (see psci_fw_cpu_on()).
 */
int hyp_cpu_start(unsigned cpu, hyp_cpu_fn fn, void *arg);

/**
 * @brief Power the calling CPU off through firmware PSCI CPU_OFF.
 *
 * The CPU can be started again with hyp_cpu_start() once firmware has it
 * off (its AFFINITY_INFO says OFF). If firmware refuses, the CPU halts.
 */
_Noreturn void hyp_cpu_off(void);

/**
 * @brief The platform discovered from the boot DTB.
 * @return A pointer valid for the life of the hypervisor.
 */
const struct hyp_platform *hyp_platform_get(void);

/**
 * @brief Power the machine off through firmware; if that fails, halt.
 *
 * This is what returning from `main()` (or calling `exit()`) does.
 */
_Noreturn void hyp_system_off(void);

/** @brief Halt the calling CPU for good (interrupts masked). */
_Noreturn void hyp_halt_cpu(void);

/**
 * @brief The hypervisor's entry point, written by the user.
 *
 * libhyp's boot code calls it on the boot CPU once the console is up, the
 * platform is discovered and port_init() has run. Returning powers the
 * machine off.
 *
 * @return Ignored (exit status).
 */
int main(void);

#endif /* HYP_CPU_H */
