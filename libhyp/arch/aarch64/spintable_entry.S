/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Secondary CPUs released from a spin table (hyp_spin_table_cpu_on(), for
 * boards without PSCI): the firmware's holding pen branches here at EL2 with
 * x0 = 0, MMU and caches off. Find this CPU's MPIDR in hyp_spin_boot (pairs
 * of MPIDR with bit 63 set as a "valid" tag, context id; cleaned to memory by
 * the releasing CPU) and go on as if PSCI CPU_ON had passed that context id;
 * a CPU not in the table halts. Apart from boot.S so that images whose CPUs
 * all start through PSCI link neither this nor core/spintable.c.
 */
#include <hyp/config.h>

    .section .text.hyp_spin_table_entry, "ax"
    .globl hyp_spin_table_entry
hyp_spin_table_entry:
    mrs     x1, mpidr_el1
    and     x2, x1, #0x00ffffff      /* Aff2..Aff0 */
    ubfx    x1, x1, #32, #8          /* Aff3 */
    orr     x1, x2, x1, lsl #32
    orr     x1, x1, #(1 << 63)
    adrp    x2, hyp_spin_boot
    add     x2, x2, :lo12:hyp_spin_boot
    mov     x3, #HYP_MAX_CPUS
1:  ldp     x4, x5, [x2], #16
    cmp     x4, x1
    b.eq    2f
    subs    x3, x3, #1
    b.ne    1b
    b       hyp_halt_cpu
2:  mov     x0, x5
    b       hyp_secondary_entry
