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

/* Store (op = stp) or load (op = ldp) the guest's x4..x19 at x0. */
.macro regs_x4_x19 op
    \op     x4, x5, [x0, #(VCPU_REGS_X0 + 4 * 8)]
    \op     x6, x7, [x0, #(VCPU_REGS_X0 + 6 * 8)]
    \op     x8, x9, [x0, #(VCPU_REGS_X0 + 8 * 8)]
    \op     x10, x11, [x0, #(VCPU_REGS_X0 + 10 * 8)]
    \op     x12, x13, [x0, #(VCPU_REGS_X0 + 12 * 8)]
    \op     x14, x15, [x0, #(VCPU_REGS_X0 + 14 * 8)]
    \op     x16, x17, [x0, #(VCPU_REGS_X0 + 16 * 8)]
    \op     x18, x19, [x0, #(VCPU_REGS_X0 + 18 * 8)]
.endm

/* The same for x20..x29. */
.macro regs_x20_x29 op
    \op     x20, x21, [x0, #(VCPU_REGS_X0 + 20 * 8)]
    \op     x22, x23, [x0, #(VCPU_REGS_X0 + 22 * 8)]
    \op     x24, x25, [x0, #(VCPU_REGS_X0 + 24 * 8)]
    \op     x26, x27, [x0, #(VCPU_REGS_X0 + 26 * 8)]
    \op     x28, x29, [x0, #(VCPU_REGS_X0 + 28 * 8)]
.endm

/*
 * Load the guest's registers from x0 = struct hyp_vcpu_regs * (all but
 * q0..q7) and enter it.
 */
.macro enter_guest
    ldp     x2, x3, [x0, #VCPU_REGS_PC]
    msr     elr_el2, x2
    msr     spsr_el2, x3
    ldp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
    regs_x4_x19 ldp
    regs_x20_x29 ldp
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
 * The narrow path saves only x0..x19 and x30 (the registers C code may
 * clobber, and x19) and calls a fast handler in vcpu.c: guest x20..x29
 * stay in their registers, which C code preserves, PC and PSTATE stay in
 * ELR_EL2 and SPSR_EL2, and q0..q7 stay live, since C code at EL2 uses
 * none. It takes IRQs (vector 9, hyp_vcpu_irq_fast()), SMCCC calls
 * (HVC64/SMC64, hyp_vcpu_smccc_fast()), data aborts with a syndrome
 * (hyp_vcpu_dabt_fast()), WFI/WFE and trapped system-register accesses
 * (hyp_vcpu_sync_fast()); for
 * those whose transfer register is one of x20..x29 it saves x20..x29 too
 * and reloads them after the handler. A handler returns the registers to
 * re-enter the guest at once, or NULL: the rest is then saved and the exit
 * goes to the run loop.
 *
 * The full path saves every general register, PC and PSTATE: other
 * synchronous exits from AArch64 still try hyp_vcpu_sync_fast() first;
 * exits from AArch32, FIQs and SErrors go to the run loop. To the run loop
 * means saving q0..q7 and returning from arch_guest_enter() with the vector
 * index.
 */
#define EC_HVC64    0x16 /* ESR_EL2.EC; EC_HVC64 + 1 is SMC64 */
#define EC_SYSREG   0x18
#define EC_WFX      0x01
#define EC_DABT_LOW 0x24
#define ESR_ISV_BIT 24

/*
 * The narrow path, x2 and x3 already saved: save x4..x18 and x30, call
 * \handler(regs, x1) and re-enter the guest if it returns the registers;
 * else save the rest and go to the run loop with vector index \vector.
 */
.macro narrow_exit handler, vector, wide=0
    regs_x4_x19 stp
    str     x30, [x0, #(VCPU_REGS_X0 + 30 * 8)]
    ldp     x4, x5, [sp], #16        /* the guest's x0, x1 */
    stp     x4, x5, [x0, #VCPU_REGS_X0]
    bl      \handler                 /* (regs, x1): regs if done, or NULL */
    cbz     x0, 10f
    ldp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
    regs_x4_x19 ldp                  /* x19 as saved: C code kept it */
    ldr     x30, [x0, #(VCPU_REGS_X0 + 30 * 8)]
.if \wide /* the handler may have loaded one of them */
    regs_x20_x29 ldp
.endif
    ldp     x0, x1, [x0, #VCPU_REGS_X0]
    eret
    dsb     nsh
    isb
10: mrs     x0, tpidr_el2            /* declined: save the rest */
    ldr     x0, [x0, #PERCPU_GUEST_REGS]
    regs_x20_x29 stp
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x0, #VCPU_REGS_PC]
    mov     x1, #\vector
    b       to_run_loop
.endm

/*
 * The narrow path for an exit with transfer register x3 (0..31): if it is
 * one of x20..x29, those are saved too and reloaded after the handler.
 */
.macro narrow_exit_reg handler
    cmp     x3, #20
    b.lo    11f                      /* x0..x19: saved by the narrow path */
    cmp     x3, #30
    b.hs    11f                      /* x30, xzr */
    regs_x20_x29 stp
    narrow_exit \handler, 8, 1
11: narrow_exit \handler, 8
.endm

    .globl hyp_guest_exit_sync
hyp_guest_exit_sync:
    stp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
    mrs     x1, esr_el2              /* the handlers' second argument */
    lsr     x3, x1, #26
    cmp     x3, #EC_DABT_LOW         /* MMIO first: a guest's commonest exit */
    b.eq    6f
    sub     x3, x3, #EC_HVC64
    cmp     x3, #1
    b.hi    5f
    narrow_exit hyp_vcpu_smccc_fast, 8
5:  add     x3, x3, #EC_HVC64
    cmp     x3, #EC_WFX
    b.eq    8f                       /* WFI/WFE: no transfer register */
    cmp     x3, #EC_SYSREG
    b.ne    12f                      /* not one the narrow path takes */
    ubfx    x3, x1, #5, #5           /* Rt */
    b       7f
6:  tbz     x1, #ESR_ISV_BIT, 12f   /* no syndrome: the instruction is decoded */
    ubfx    x3, x1, #16, #5          /* SRT */
    narrow_exit_reg hyp_vcpu_dabt_fast
7:  narrow_exit_reg hyp_vcpu_sync_fast
8:  narrow_exit hyp_vcpu_sync_fast, 8
12: mov     x1, #8                   /* the full path wants the vector index */
    b       full_exit

    .globl hyp_guest_exit_irq
hyp_guest_exit_irq:
    stp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
    narrow_exit hyp_vcpu_irq_fast, 9

    .globl hyp_guest_exit
hyp_guest_exit:
    stp     x2, x3, [x0, #(VCPU_REGS_X0 + 2 * 8)]
full_exit:
    regs_x4_x19 stp
    regs_x20_x29 stp
    str     x30, [x0, #(VCPU_REGS_X0 + 30 * 8)]
    ldp     x2, x3, [sp], #16        /* the guest's x0, x1 */
    stp     x2, x3, [x0, #VCPU_REGS_X0]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x0, #VCPU_REGS_PC]
    cmp     x1, #8                   /* AArch64 synchronous */
    b.ne    to_run_loop
    mov     x19, x0                  /* the guest's x19 is saved */
    mrs     x1, esr_el2
    bl      hyp_vcpu_sync_fast
    cbz     x0, 1f
    mrs     x2, elr_el2              /* the handler may have stepped the PC */
    str     x2, [x0, #VCPU_REGS_PC]
    enter_guest
1:  mov     x0, x19
    mov     x1, #8
to_run_loop:
    add     x2, x0, #VCPU_REGS_Q
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
