/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Moving the running EL2 image to other pages (hyp_el2_relocate(), cache
 * colouring). Apart from mmu.S so that images without colouring do not
 * link it.
 */
    .text
/*
 * void arch_el2_relocate(const uint64_t *runs, uint64_t count, uint64_t ttbr0)
 * The boot CPU alone, with the tables in ttbr0 mapping the image at its new
 * pages: copy each run (runs[3i] source address, runs[3i+1] destination
 * address, both mapped now, runs[3i+2] bytes, a multiple of 16), then
 * switch TTBR0_EL2 and drop every EL2 TLB entry and instruction cache line.
 * Between the first copy and the switch nothing else is stored, stack
 * included, so the copies are the image as it is at the switch.
 */
    .globl arch_el2_relocate
    .type arch_el2_relocate, %function
arch_el2_relocate:
    mrs     x9, daif
    msr     daifset, #0xf
1:  cbz     x1, 3f
    ldp     x3, x4, [x0], #16        /* source, destination */
    ldr     x5, [x0], #8             /* bytes */
2:  ldp     x6, x7, [x3], #16
    stp     x6, x7, [x4], #16
    subs    x5, x5, #16
    b.ne    2b
    sub     x1, x1, #1
    b       1b
3:  dsb     ish
    msr     ttbr0_el2, x2
    isb
    tlbi    alle2
    dsb     ish
    ic      iallu
    dsb     ish
    isb
    msr     daif, x9
    ret

