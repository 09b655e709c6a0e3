/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Constants shared by the assembly and C halves of the aarch64 runtime.
 * Every offset here is checked against the C structure with static_assert in
 * exception.c and smccc_call.c, so a layout change that forgets the assembly
 * fails to compile.
 */
#ifndef HYP_ARCH_AARCH64_ASM_OFFSETS_H
#define HYP_ARCH_AARCH64_ASM_OFFSETS_H

/* struct hyp_regs (include/hyp/exception.h) */
#define REGS_X0   0
#define REGS_SP   (31 * 8)
#define REGS_ELR  (32 * 8)
#define REGS_SPSR (33 * 8)
#define REGS_ESR  (34 * 8)
#define REGS_FAR  (35 * 8)
#define REGS_SIZE (36 * 8)

/* struct hyp_vcpu_regs (include/hyp/vcpu.h), at offset 0 of struct hyp_vcpu */
#define VCPU_REGS_X0     0
#define VCPU_REGS_PC     (31 * 8)
#define VCPU_REGS_PSTATE (32 * 8)
#define VCPU_REGS_Q      (34 * 8)

/* struct hyp_percpu (libhyp/core/percpu.h) */
#define PERCPU_GUEST_REGS 0

/* struct hyp_smccc_regs (include/hyp/smccc.h): x0..x7 */
#define SMCCC_REGS_SIZE (8 * 8)

/* struct hyp_el2_mmu_regs (libhyp/core/el2_mmu.h) */
#define MMU_REGS_MAIR  0
#define MMU_REGS_TCR   8
#define MMU_REGS_TTBR0 16

/* struct hyp_port (include/hyp/port.h) */
#define PORT_EARLY_UART 8
#define PORT_CONSOLE    24

/* SCTLR_EL2 with the MMU and data cache off: RES1 bits, SA, I (alignment checks off). */
#define SCTLR_EL2_BOOT 0x30c51838
/* HCR_EL2: lower ELs are AArch64 (RW); nothing trapped yet. */
#define HCR_EL2_BOOT   (1 << 31)
/* CPTR_EL2: RES1 bits; FP/SIMD not trapped (picolibc's variadic prologues). */
#define CPTR_EL2_BOOT  0x33ff

#endif
