/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file arch.h
 * @brief The `arch` seam: barriers, TLB and cache maintenance.
 *
 * Logic components (page tables, vGIC, ...) reach the hardware only through
 * these functions. The target links `libhyp/arch/aarch64`, host unit tests
 * link a fake that records every call so tests can check ordering such as
 * break-before-make.
 *
 * Each TLB maintenance function contains the barriers it needs: it first
 * makes prior page-table stores visible to the table walker (DSB ISHST), then
 * invalidates, then waits for completion (DSB ISH) and synchronises the
 * instruction stream (ISB). Callers therefore never issue barriers around a
 * TLB invalidation themselves.
 */
#ifndef HYP_ARCH_H
#define HYP_ARCH_H

#include <stdint.h>

/** Full-system data synchronisation barrier, inner shareable (DSB ISH). */
void arch_dsb_ish(void);

/**
 * @brief Make prior page-table stores visible to table walkers (DSB ISHST).
 *
 * Called after writing a new valid descriptor, so that the next translation
 * by any CPU in the inner shareable domain sees it.
 */
void arch_pte_sync(void);

/** Instruction synchronisation barrier (ISB). */
void arch_isb(void);

/**
 * @brief Invalidate stage-2 TLB entries for an IPA range of one VMID.
 *
 * Invalidates, on every CPU of the inner shareable domain, the stage-2 and
 * combined stage-1+2 entries that may cache translations of
 * `[ipa, ipa + size)` for `vmid`.
 *
 * @param vmid  VMID the stage-2 table is installed with.
 * @param ipa   Start of the range; 4 KiB aligned.
 * @param size  Size of the range in bytes; a non-zero multiple of 4 KiB.
 * @param level Translation level of the leaf entries being invalidated
 *              (1, 2 or 3), or 0 when unknown. A hint only.
 */
void arch_tlbi_s2_range(uint16_t vmid, uint64_t ipa, uint64_t size, unsigned level);

/**
 * @brief Invalidate every TLB entry of one VMID (stage 2 and combined).
 * @param vmid VMID to invalidate.
 */
void arch_tlbi_s2_all(uint16_t vmid);

/**
 * @brief Invalidate EL2 stage-1 TLB entries for a VA range.
 * @param va    Start of the range; 4 KiB aligned.
 * @param size  Size in bytes; a non-zero multiple of 4 KiB.
 * @param level Leaf level hint (1, 2 or 3), or 0 when unknown.
 */
void arch_tlbi_el2_range(uint64_t va, uint64_t size, unsigned level);

/** Invalidate every EL2 stage-1 TLB entry. */
void arch_tlbi_el2_all(void);

/**
 * @brief Wake CPUs waiting in arch_wait_event() (DSB then SEV).
 *
 * Prior stores are visible to the woken CPUs.
 */
void arch_send_event(void);

/** @brief Wait for an event or interrupt (WFE); may return spuriously. */
void arch_wait_event(void);

#endif /* HYP_ARCH_H */
