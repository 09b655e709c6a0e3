/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * List-register access of either GIC version, inline (internal): the
 * ICH_LR<n>_EL2 system registers on a GICv3, GICH_LR<n> through
 * vgic_hw_v2.h on a GICv2. hyp_vgic_hw_read_lr() and hyp_vgic_hw_write_lr()
 * (vgic_hw.c) are these as functions; vgic_vm.c's injection inlines them.
 */
#ifndef HYP_VGIC_HW_LR_H
#define HYP_VGIC_HW_LR_H

#include <stdint.h>
#include <hyp/sysreg.h>
#include <hyp/vgic.h>
#include "../gic/gic_internal.h"
#include "vgic_hw_v2.h"

/* Expands `op` once per list register with its number and sysreg name
 * (op0=3, op1=4, CRn=12: ICH_LR<n>_EL2 is C12 op2 n for n = 0..7, C13 op2
 * n-8 for n = 8..15). */
/* clang-format off */
#define VGIC_FOR_EACH_LR(op)                                                             \
    op(0, S3_4_C12_C12_0)  op(1, S3_4_C12_C12_1)  op(2, S3_4_C12_C12_2)                  \
    op(3, S3_4_C12_C12_3)  op(4, S3_4_C12_C12_4)  op(5, S3_4_C12_C12_5)                  \
    op(6, S3_4_C12_C12_6)  op(7, S3_4_C12_C12_7)  op(8, S3_4_C12_C13_0)                  \
    op(9, S3_4_C12_C13_1)  op(10, S3_4_C12_C13_2) op(11, S3_4_C12_C13_3)                 \
    op(12, S3_4_C12_C13_4) op(13, S3_4_C12_C13_5) op(14, S3_4_C12_C13_6)                 \
    op(15, S3_4_C12_C13_7)
/* clang-format on */

/* The switches cover every value of n modulo 16: no bounds check on the
 * exit paths (the callers pass list registers the CPU has). */
static inline uint64_t vgic_v3_read_lr(unsigned n)
{
    switch (n % HYP_VGIC_MAX_LRS) {
#define LR_READ_CASE(i, reg)                                                             \
    case i:                                                                              \
        return read_sysreg(reg);
        VGIC_FOR_EACH_LR(LR_READ_CASE)
#undef LR_READ_CASE
    default:
        return 0;
    }
}

static inline void vgic_v3_write_lr(unsigned n, uint64_t v)
{
    switch (n % HYP_VGIC_MAX_LRS) {
#define LR_WRITE_CASE(i, reg)                                                            \
    case i:                                                                              \
        write_sysreg(reg, v);                                                            \
        break;
        VGIC_FOR_EACH_LR(LR_WRITE_CASE)
#undef LR_WRITE_CASE
    default:
        break;
    }
}

static inline uint64_t vgic_hw_read_lr(unsigned n)
{
    return __builtin_expect(hyp_gic_is_v2, 0) ? vgic_v2_read_lr(n) : vgic_v3_read_lr(n);
}

static inline void vgic_hw_write_lr(unsigned n, uint64_t v)
{
    if (__builtin_expect(hyp_gic_is_v2, 0))
        vgic_v2_write_lr(n, v);
    else
        vgic_v3_write_lr(n, v);
}

#endif /* HYP_VGIC_HW_LR_H */
