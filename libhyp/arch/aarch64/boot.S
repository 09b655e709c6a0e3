/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * EL2 entry for the boot CPU and for secondaries started through PSCI.
 *
 * The image starts with an arm64 Linux Image header, so QEMU's -kernel and
 * U-Boot's booti load it at a 2 MiB aligned base and jump to its first byte
 * at EL2 with x0 = the DTB. Everything here runs with the MMU off.
 */
#include "asm_offsets.h"
#include <hyp/config.h>

    .section .text.boot, "ax"
    .globl _start
_start:
    b       primary_entry            /* code0 */
    .long   0                        /* code1 */
    .quad   0                        /* text_offset: at the 2 MiB aligned base */
    .quad   __hyp_image_size         /* image_size, including BSS */
    .quad   (1 << 1)                 /* flags: little endian, 4 KiB pages */
    .quad   0, 0, 0                  /* res2..res4 */
    .ascii  "ARM\x64"                /* magic */
    .long   0                        /* res5 */

/* One-time EL2 state every CPU needs before it runs C. Clobbers x9. */
.macro el2_init
    msr     daifset, #0xf
    mov_imm x9, SCTLR_EL2_BOOT
    msr     sctlr_el2, x9
    mov_imm x9, HCR_EL2_BOOT
    msr     hcr_el2, x9
    mov_imm x9, CPTR_EL2_BOOT
    msr     cptr_el2, x9
    msr     vttbr_el2, xzr
    msr     tpidr_el2, xzr           /* no per-CPU data yet */
    mov     x9, #3                   /* CNTHCTL_EL2: EL1 may use the counter and physical timer */
    msr     cnthctl_el2, x9
    msr     cntvoff_el2, xzr
    adr_l   x9, hyp_vectors
    msr     vbar_el2, x9
    isb
.endm

.macro mov_imm reg, val
    movz    \reg, #((\val) & 0xffff)
    movk    \reg, #(((\val) >> 16) & 0xffff), lsl #16
.endm

.macro adr_l reg, sym
    adrp    \reg, \sym
    add     \reg, \reg, :lo12:\sym
.endm

/* Point SP at the top of CPU \cpu's stack. Clobbers x9, x10. */
.macro set_stack cpu
    adr_l   x9, hyp_stacks
    add     x10, \cpu, #1
    mov_imm x11, HYP_STACK_SIZE
    madd    x9, x10, x11, x9
    mov     sp, x9
.endm

primary_entry:
    mov     x19, x0                  /* DTB */
    mrs     x9, CurrentEL
    cmp     x9, #(2 << 2)
    adr     x0, msg_not_el2
    b.ne    early_fail

    /* Linked to run where it is loaded: compare run-time and link-time address. */
    adr     x9, _start
    ldr     x10, =_start
    cmp     x9, x10
    adr     x0, msg_bad_load
    b.ne    early_fail

    el2_init

    /* Clear BSS (16-byte aligned and sized by the linker script). */
    adr_l   x9, __hyp_bss_start
    adr_l   x10, __hyp_bss_end
1:  cmp     x9, x10
    b.hs    2f
    stp     xzr, xzr, [x9], #16
    b       1b
2:
    mov     x20, #0
    set_stack x20
    mov     x0, x19
    bl      hyp_boot_primary         /* does not return */
    b       hyp_halt_cpu

/*
 * Secondary CPUs: PSCI CPU_ON enters here at EL2 with x0 = the context id,
 * which libhyp sets to the logical CPU index.
 */
    .globl hyp_secondary_entry
hyp_secondary_entry:
    mov     x19, x0
    el2_init
    cmp     x19, #HYP_MAX_CPUS
    b.hs    hyp_halt_cpu
    /* Join the boot CPU's EL2 address space before touching shared data. */
    adr_l   x0, hyp_el2_mmu_regs
    ldr     x9, [x0, #MMU_REGS_TTBR0]
    cbz     x9, 1f
    bl      arch_el2_mmu_enable
1:  set_stack x19
    mov     x0, x19
    bl      hyp_boot_secondary       /* does not return */
    b       hyp_halt_cpu

/* Stop this CPU for good: interrupts masked, waiting forever. */
    .globl hyp_halt_cpu
hyp_halt_cpu:
    msr     daifset, #0xf
1:  wfi
    b       1b

/*
 * Something is wrong before C can run: print the string at x0 on the port's
 * early PL011 (found PC-relative, so this works even if loaded at the wrong
 * address) and halt. A port with its own console driver gets no message.
 */
early_fail:
    adr_l   x1, hyp_port
    ldr     x2, [x1, #PORT_CONSOLE]
    cbnz    x2, hyp_halt_cpu         /* not a PL011: stay silent */
    ldr     x1, [x1, #PORT_EARLY_UART]
    cbz     x1, hyp_halt_cpu
1:  ldrb    w2, [x0], #1
    cbz     w2, hyp_halt_cpu
2:  ldr     w3, [x1, #0x18]          /* UARTFR */
    tbnz    w3, #5, 2b               /* TXFF */
    str     w2, [x1]                 /* UARTDR */
    b       1b

msg_not_el2:
    .asciz  "libhyp: not entered at EL2; halting\r\n"
msg_bad_load:
    .asciz  "libhyp: image not loaded at its link address; halting\r\n"
    .balign 8
    .ltorg
