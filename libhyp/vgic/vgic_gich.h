/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICH_LR<n>_EL2 (the model's list-register layout) to GICH_LR<n> (GICv2,
 * IHI 0048B 5.3.11) and back, inline for the GICv2 exit paths
 * (vgic_hw_v2.h); hyp_vgic_lr_to_gich() and hyp_vgic_lr_from_gich() are the
 * same functions for the host tests (internal).
 */
#ifndef HYP_VGIC_GICH_H
#define HYP_VGIC_GICH_H

#include <stdint.h>
#include <hyp/vgic.h>

/* GICH_LR<n> (GICv2) fields. */
#define GICH_LR_PRIO_SHIFT   23
#define GICH_LR_STATE_SHIFT  28
#define GICH_LR_GRP1         (1u << 30)
#define GICH_LR_HW           (1u << 31)
#define GICH_LR_EOI          (1u << 19)
#define GICH_LR_PINTID_SHIFT 10

static inline uint32_t vgic_lr_to_gich(uint64_t v)
{
    uint32_t lr = (uint32_t)(v & 0x3ffu) |
                  (uint32_t)((v >> HYP_ICH_LR_PRIO_SHIFT) & 0xf8u)
                      << (GICH_LR_PRIO_SHIFT - 3) |
                  (uint32_t)((v >> HYP_ICH_LR_STATE_SHIFT) & 3u) << GICH_LR_STATE_SHIFT;

    if (v & HYP_ICH_LR_GROUP)
        lr |= GICH_LR_GRP1;
    if (v & HYP_ICH_LR_HW)
        lr |= GICH_LR_HW | (uint32_t)((v >> HYP_ICH_LR_PINTID_SHIFT) & 0x3ffu)
                               << GICH_LR_PINTID_SHIFT;
    else if (v & HYP_ICH_LR_EOI)
        lr |= GICH_LR_EOI;
    return lr;
}

static inline uint64_t vgic_lr_from_gich(uint64_t written, uint32_t gich)
{
    return (written & ~(3ull << HYP_ICH_LR_STATE_SHIFT)) |
           (uint64_t)((gich >> GICH_LR_STATE_SHIFT) & 3u) << HYP_ICH_LR_STATE_SHIFT;
}

#endif /* HYP_VGIC_GICH_H */
