/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SMCCC conduit calls: load x0..x7 from a struct hyp_smccc_regs, issue SMC
 * or HVC, store x0..x7 back. SMCCC lets the callee clobber x4..x17, all of
 * which are caller-saved under AAPCS64, so only the struct pointer needs to
 * survive the call (in x19, which we save).
 */
#include "asm_offsets.h"

.macro smccc_call insn
    stp     x19, x30, [sp, #-16]!
    mov     x19, x0
    ldp     x0, x1, [x19, #0]
    ldp     x2, x3, [x19, #16]
    ldp     x4, x5, [x19, #32]
    ldp     x6, x7, [x19, #48]
    \insn   #0
    stp     x0, x1, [x19, #0]
    stp     x2, x3, [x19, #16]
    stp     x4, x5, [x19, #32]
    stp     x6, x7, [x19, #48]
    ldp     x19, x30, [sp], #16
    ret
.endm

    .text
    .globl arch_smc_call
    .type arch_smc_call, %function
arch_smc_call:
    smccc_call smc

    .globl arch_hvc_call
    .type arch_hvc_call, %function
arch_hvc_call:
    smccc_call hvc
