/* SPDX-License-Identifier: BSD-2-Clause */
/* EL2 stage-1 MMU bring-up (internal to libhyp). */
#ifndef HYP_CORE_EL2_MMU_H
#define HYP_CORE_EL2_MMU_H

#include <stdint.h>
#include <hyp/platform.h>

/* Register values every CPU loads to join the EL2 address space; boot.S reads
 * them on secondaries (offsets in asm_offsets.h). ttbr0 == 0: MMU stays off. */
struct hyp_el2_mmu_regs {
    uint64_t mair;
    uint64_t tcr;
    uint64_t ttbr0;
};

extern struct hyp_el2_mmu_regs hyp_el2_mmu_regs;

/* Build the EL2 tables for @plat and turn the MMU on for the calling CPU. */
int hyp_el2_mmu_init(const struct hyp_platform *plat, char *err, unsigned errlen);

void arch_el2_mmu_enable(const struct hyp_el2_mmu_regs *regs);
void arch_dcache_inval_range(uint64_t start, uint64_t end);
void arch_dcache_clean_range(uint64_t start, uint64_t end);

#endif /* HYP_CORE_EL2_MMU_H */
