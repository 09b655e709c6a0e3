/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Turning the EL2 stage-1 MMU on. The tables map the running code at its
 * physical address (identity), so execution continues across the switch.
 */
#include "asm_offsets.h"

#define SCTLR_EL2_M (1 << 0)
#define SCTLR_EL2_C (1 << 2)
#define SCTLR_EL2_I (1 << 12)
#define SCTLR_EL2_WXN (1 << 19)

/*
 * void arch_el2_mmu_enable(const struct hyp_el2_mmu_regs *regs)
 * Uses no stack, so boot.S can call it before SP points anywhere useful.
 */
    .text
    .globl arch_el2_mmu_enable
    .type arch_el2_mmu_enable, %function
arch_el2_mmu_enable:
    ldp     x1, x2, [x0, #MMU_REGS_MAIR]
    ldr     x3, [x0, #MMU_REGS_TTBR0]
    msr     mair_el2, x1
    msr     tcr_el2, x2
    msr     ttbr0_el2, x3
    isb
    tlbi    alle2
    dsb     ish
    isb
    mrs     x1, sctlr_el2
    mov     x2, #(SCTLR_EL2_M | SCTLR_EL2_C)
    orr     x2, x2, #SCTLR_EL2_I
    orr     x2, x2, #SCTLR_EL2_WXN
    orr     x1, x1, x2
    msr     sctlr_el2, x1
    isb
    ret

/* The body of both range operations below: DC <op> on every data cache line
 * of [x0, x1), then DSB SY. */
.macro dcache_range op
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4          /* DminLine: log2(words) */
    mov     x2, #4
    lsl     x2, x2, x3               /* line size in bytes */
    sub     x3, x2, #1
    bic     x0, x0, x3
1:  cmp     x0, x1
    b.hs    2f
    dc      \op, x0
    add     x0, x0, x2
    b       1b
2:  dsb     sy
    ret
.endm

/*
 * void arch_dcache_inval_range(uint64_t start, uint64_t end)
 * Invalidate (without cleaning) the data cache lines of [start, end) to the
 * point of coherency. For memory written with the MMU off before caches come
 * on: stale lines the bootloader may have left must not shadow it.
 */
    .globl arch_dcache_inval_range
    .type arch_dcache_inval_range, %function
arch_dcache_inval_range:
    dcache_range ivac

/*
 * void arch_dcache_clean_range(uint64_t start, uint64_t end)
 * Clean [start, end) to the point of coherency, so a CPU that still has its
 * MMU and caches off (a secondary being started) reads what we wrote.
 */
    .globl arch_dcache_clean_range
    .type arch_dcache_clean_range, %function
arch_dcache_clean_range:
    dcache_range cvac
