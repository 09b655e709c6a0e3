/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * EL2 exception vectors. Every entry saves the full register state into a
 * struct hyp_regs on the current stack and calls the C handler with the
 * vector's kind (0..15, the entry index in the table). Exceptions from a
 * lower EL while a guest runs go to the world switch's exit path instead.
 */
#include "asm_offsets.h"

.macro ventry kind
    .balign 0x80
    sub     sp, sp, #REGS_SIZE
    stp     x0, x1, [sp, #REGS_X0]
    mov     x0, #\kind
    b       vector_common
.endm

/*
 * Lower-EL entries: a guest exit when a guest is running on this CPU
 * (guest.S), otherwise unexpected like any other.
 */
.macro ventry_guest kind, exit=hyp_guest_exit
    .balign 0x80
    stp     x0, x1, [sp, #-16]!
    mrs     x0, tpidr_el2            /* set before any lower EL runs */
    ldr     x0, [x0, #PERCPU_GUEST_REGS]
    cbz     x0, 1f
    mov     x1, #\kind
    b       \exit
1:  ldp     x0, x1, [sp], #16
    sub     sp, sp, #REGS_SIZE
    stp     x0, x1, [sp, #REGS_X0]
    mov     x0, #\kind
    b       vector_common
.endm

    .section .text.vectors, "ax"
    .balign 0x800
    .globl hyp_vectors
hyp_vectors:
    /* Current EL with SP_EL0 */
    ventry 0
    ventry 1
    ventry 2
    ventry 3
    /* Current EL with SP_ELx */
    ventry 4
    ventry 5
    ventry 6
    ventry 7
    /* Lower EL, AArch64 */
    ventry_guest 8, hyp_guest_exit_sync
    ventry_guest 9, hyp_guest_exit_irq
    ventry_guest 10
    ventry_guest 11
    /* Lower EL, AArch32 */
    ventry_guest 12
    ventry_guest 13
    ventry_guest 14
    ventry_guest 15

vector_common:
    stp     x2, x3, [sp, #(REGS_X0 + 2 * 8)]
    stp     x4, x5, [sp, #(REGS_X0 + 4 * 8)]
    stp     x6, x7, [sp, #(REGS_X0 + 6 * 8)]
    stp     x8, x9, [sp, #(REGS_X0 + 8 * 8)]
    stp     x10, x11, [sp, #(REGS_X0 + 10 * 8)]
    stp     x12, x13, [sp, #(REGS_X0 + 12 * 8)]
    stp     x14, x15, [sp, #(REGS_X0 + 14 * 8)]
    stp     x16, x17, [sp, #(REGS_X0 + 16 * 8)]
    stp     x18, x19, [sp, #(REGS_X0 + 18 * 8)]
    stp     x20, x21, [sp, #(REGS_X0 + 20 * 8)]
    stp     x22, x23, [sp, #(REGS_X0 + 22 * 8)]
    stp     x24, x25, [sp, #(REGS_X0 + 24 * 8)]
    stp     x26, x27, [sp, #(REGS_X0 + 26 * 8)]
    stp     x28, x29, [sp, #(REGS_X0 + 28 * 8)]
    add     x1, sp, #REGS_SIZE       /* SP before the exception */
    stp     x30, x1, [sp, #(REGS_X0 + 30 * 8)]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [sp, #REGS_ELR]
    mrs     x2, esr_el2
    mrs     x3, far_el2
    stp     x2, x3, [sp, #REGS_ESR]
    mov     x1, sp
    bl      hyp_exception            /* (kind, regs); does not return */
