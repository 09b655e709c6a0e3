/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * World switch: enter a guest at EL1 and come back on its next exception.
 *
 * Only what changes on every entry/exit is switched here: x0..x30, PC,
 * PSTATE and q0..q7 (which picolibc's printf family uses at EL2). EL1
 * system registers stay in the CPU while the vCPU is loaded (vcpu.c). The
 * host's callee-saved registers live on the EL2 stack, whose pointer SP_EL2
 * the guest cannot touch, so the exit path finds them there.
 */
#include "asm_offsets.h"

    .arch_extension fp
    .arch_extension simd

/*
 * Load the guest's registers from x0 = struct hyp_vcpu_regs * (all but
 * q0..q7) and enter it.
 */
.macro enter_guest
    ldp     x2, x3, [x0, #VCPU_REGS_PC]
    msr     elr_el2, x2
    msr     spsr_el2, x3
    ldp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
    ldp     x4, x5, [x0, #(VCPU_REGS_X0 + 4 * 8)]
    ldp     x6, x7, [x0, #(VCPU_REGS_X0 + 6 * 8)]
    ldp     x8, x9, [x0, #(VCPU_REGS_X0 + 8 * 8)]
    ldp     x10, x11, [x0, #(VCPU_REGS_X0 + 10 * 8)]
    ldp     x12, x13, [x0, #(VCPU_REGS_X0 + 12 * 8)]
    ldp     x14, x15, [x0, #(VCPU_REGS_X0 + 14 * 8)]
    ldp     x16, x17, [x0, #(VCPU_REGS_X0 + 16 * 8)]
    ldp     x18, x19, [x0, #(VCPU_REGS_X0 + 18 * 8)]
    ldp     x20, x21, [x0, #(VCPU_REGS_X0 + 20 * 8)]
    ldp     x22, x23, [x0, #(VCPU_REGS_X0 + 22 * 8)]
    ldp     x24, x25, [x0, #(VCPU_REGS_X0 + 24 * 8)]
    ldp     x26, x27, [x0, #(VCPU_REGS_X0 + 26 * 8)]
    ldp     x28, x29, [x0, #(VCPU_REGS_X0 + 28 * 8)]
    ldr     x30, [x0, #(VCPU_REGS_X0 + 30 * 8)]
    ldp     x0, x1, [x0, #VCPU_REGS_X0]
    eret
    dsb     nsh                      /* no straight-line speculation past eret */
    isb
.endm

/*
 * unsigned arch_guest_enter(struct hyp_vcpu_regs *regs)
 * Returns the index (8..15) of the vector the exit that the fast path did
 * not finish came through.
 */
    .text
    .globl arch_guest_enter
    .type arch_guest_enter, %function
arch_guest_enter:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mrs     x1, tpidr_el2
    str     x0, [x1, #PERCPU_GUEST_REGS]
    add     x2, x0, #VCPU_REGS_Q
    ldp     q0, q1, [x2]
    ldp     q2, q3, [x2, #32]
    ldp     q4, q5, [x2, #64]
    ldp     q6, q7, [x2, #96]
    enter_guest

/*
 * Exit paths, branched to from the lower-EL vectors with:
 *   x0 = struct hyp_vcpu_regs *, x1 = vector index,
 *   the guest's x0 and x1 pushed on the stack.
 *
 * hyp_guest_exit_sync (vector 8, synchronous from AArch64) first looks at
 * the syndrome: an SMCCC call (HVC64 or SMC64) saves only what the SMC
 * Calling Convention lets the callee use, x0..x17 (and x18, x30, which C
 * code clobbers), and goes to hyp_vcpu_smccc_fast() (vcpu.c). Guest
 * x19..x29 stay in their registers, which C code preserves, and PC and
 * PSTATE stay in ELR_EL2 and SPSR_EL2. If it answers the call, the guest is
 * re-entered at once; otherwise the rest is saved and the exit takes the
 * full path below from there.
 *
 * The full path saves every general register, PC and PSTATE. Synchronous
 * and IRQ exits from AArch64 then go to hyp_vcpu_exit_fast() (vcpu.c),
 * which may finish them and have the guest re-entered here at once: the
 * guest's q0..q7 never left their registers, since C code at EL2 uses none.
 * The others, and those it declines, save q0..q7 and return from
 * arch_guest_enter() with the vector index.
 */
#define EC_HVC64 0x16 /* ESR_EL2.EC; EC_HVC64 + 1 is SMC64 */

    .globl hyp_guest_exit_sync
hyp_guest_exit_sync:
    stp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
    mrs     x2, esr_el2
    lsr     x3, x2, #26
    sub     x3, x3, #EC_HVC64
    cmp     x3, #1
    b.hi    3f                       /* not an SMCCC call: the full path */
    stp     x4, x5, [x0, #(VCPU_REGS_X0 + 4 * 8)]
    stp     x6, x7, [x0, #(VCPU_REGS_X0 + 6 * 8)]
    stp     x8, x9, [x0, #(VCPU_REGS_X0 + 8 * 8)]
    stp     x10, x11, [x0, #(VCPU_REGS_X0 + 10 * 8)]
    stp     x12, x13, [x0, #(VCPU_REGS_X0 + 12 * 8)]
    stp     x14, x15, [x0, #(VCPU_REGS_X0 + 14 * 8)]
    stp     x16, x17, [x0, #(VCPU_REGS_X0 + 16 * 8)]
    stp     x18, x19, [x0, #(VCPU_REGS_X0 + 18 * 8)]
    str     x30, [x0, #(VCPU_REGS_X0 + 30 * 8)]
    ldp     x4, x5, [sp], #16        /* the guest's x0, x1 */
    stp     x4, x5, [x0, #VCPU_REGS_X0]
    mov     x1, x2
    bl      hyp_vcpu_smccc_fast      /* (regs, esr): regs if answered, or NULL */
    cbz     x0, 4f
    ldp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
    ldp     x4, x5, [x0, #(VCPU_REGS_X0 + 4 * 8)]
    ldp     x6, x7, [x0, #(VCPU_REGS_X0 + 6 * 8)]
    ldp     x8, x9, [x0, #(VCPU_REGS_X0 + 8 * 8)]
    ldp     x10, x11, [x0, #(VCPU_REGS_X0 + 10 * 8)]
    ldp     x12, x13, [x0, #(VCPU_REGS_X0 + 12 * 8)]
    ldp     x14, x15, [x0, #(VCPU_REGS_X0 + 14 * 8)]
    ldp     x16, x17, [x0, #(VCPU_REGS_X0 + 16 * 8)]
    ldr     x18, [x0, #(VCPU_REGS_X0 + 18 * 8)]
    ldr     x30, [x0, #(VCPU_REGS_X0 + 30 * 8)]
    ldp     x0, x1, [x0, #VCPU_REGS_X0]
    eret
    dsb     nsh
    isb
    /* Declined: save the rest and take the full path's exit to the run loop. */
4:  mrs     x0, tpidr_el2
    ldr     x0, [x0, #PERCPU_GUEST_REGS]
    stp     x20, x21, [x0, #(VCPU_REGS_X0 + 20 * 8)]
    stp     x22, x23, [x0, #(VCPU_REGS_X0 + 22 * 8)]
    stp     x24, x25, [x0, #(VCPU_REGS_X0 + 24 * 8)]
    stp     x26, x27, [x0, #(VCPU_REGS_X0 + 26 * 8)]
    stp     x28, x29, [x0, #(VCPU_REGS_X0 + 28 * 8)]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x0, #VCPU_REGS_PC]
    mov     x1, #8
    b       2f

    .globl hyp_guest_exit
hyp_guest_exit:
    stp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
3:  stp     x4, x5, [x0, #(VCPU_REGS_X0 + 4 * 8)]
    stp     x6, x7, [x0, #(VCPU_REGS_X0 + 6 * 8)]
    stp     x8, x9, [x0, #(VCPU_REGS_X0 + 8 * 8)]
    stp     x10, x11, [x0, #(VCPU_REGS_X0 + 10 * 8)]
    stp     x12, x13, [x0, #(VCPU_REGS_X0 + 12 * 8)]
    stp     x14, x15, [x0, #(VCPU_REGS_X0 + 14 * 8)]
    stp     x16, x17, [x0, #(VCPU_REGS_X0 + 16 * 8)]
    stp     x18, x19, [x0, #(VCPU_REGS_X0 + 18 * 8)]
    stp     x20, x21, [x0, #(VCPU_REGS_X0 + 20 * 8)]
    stp     x22, x23, [x0, #(VCPU_REGS_X0 + 22 * 8)]
    stp     x24, x25, [x0, #(VCPU_REGS_X0 + 24 * 8)]
    stp     x26, x27, [x0, #(VCPU_REGS_X0 + 26 * 8)]
    stp     x28, x29, [x0, #(VCPU_REGS_X0 + 28 * 8)]
    str     x30, [x0, #(VCPU_REGS_X0 + 30 * 8)]
    ldp     x2, x3, [sp], #16        /* the guest's x0, x1 */
    stp     x2, x3, [x0, #VCPU_REGS_X0]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x0, #VCPU_REGS_PC]
    cmp     x1, #9                   /* AArch64 synchronous or IRQ */
    b.hi    2f
    mov     x19, x0                  /* the guest's x19, x20 are saved */
    mov     x20, x1
    bl      hyp_vcpu_exit_fast
    cbz     w0, 1f
    mov     x0, x19
    enter_guest
1:  mov     x0, x19
    mov     x1, x20
2:  add     x2, x0, #VCPU_REGS_Q
    stp     q0, q1, [x2]
    stp     q2, q3, [x2, #32]
    stp     q4, q5, [x2, #64]
    stp     q6, q7, [x2, #96]
    mrs     x2, tpidr_el2
    str     xzr, [x2, #PERCPU_GUEST_REGS]
    mov     x0, x1
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret
