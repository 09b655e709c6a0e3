/* SPDX-License-Identifier: BSD-2-Clause */
/* The GICH side of the hyp_vgic_hw_* functions on a GICv2 host (internal). */
#ifndef HYP_VGIC_HW_V2_H
#define HYP_VGIC_HW_V2_H

#include <stdint.h>
#include <hyp/config.h>
#include <hyp/mmio.h>
#include <hyp/vgic.h>
#include "../core/percpu.h"
#include "vgic_gich.h"

/* This CPU's GICH frame (every CPU sees its own at the same address); set by
 * hyp_vgic_cpu_prepare() before the first vgic_v2_cpu_init(). */
extern uintptr_t vgic_v2_gich;

#define VGIC_GICH_LR0 0x100u

/* The ICH_LR-format value last written to each of this CPU's list registers
 * (a guest changes only a list register's state): in its per-CPU data, one
 * system-register read away. */
static inline uint64_t *vgic_v2_lrs(void)
{
    return hyp_this_cpu()->gich_written;
}

/* The exit paths' list-register accesses, inline in vgic_hw.c: one MMIO
 * access and the translation, no call. */
static inline uint64_t vgic_v2_read_lr(unsigned n)
{
    n %= HYP_VGIC_MAX_LRS;
    return vgic_lr_from_gich(vgic_v2_lrs()[n],
                             mmio_read32(vgic_v2_gich + VGIC_GICH_LR0 + 4 * n));
}

static inline void vgic_v2_write_lr(unsigned n, uint64_t v)
{
    n %= HYP_VGIC_MAX_LRS;
    vgic_v2_lrs()[n] = v;
    mmio_write32(vgic_v2_gich + VGIC_GICH_LR0 + 4 * n, vgic_lr_to_gich(v));
}

unsigned vgic_v2_nr_lrs(void);
void vgic_v2_write_hcr(uint64_t hcr);
uint64_t vgic_v2_read_misr(void);
uint64_t vgic_v2_read_eisr(void);
uint64_t vgic_v2_read_elrsr(void);
void vgic_v2_save(struct hyp_vgic_hw_state *st);
void vgic_v2_restore(const struct hyp_vgic_hw_state *st);
/* Clears the list registers and active priorities, sets GICH_HCR = En;
 * returns the number of list registers. */
unsigned vgic_v2_cpu_init(void);

#endif /* HYP_VGIC_HW_V2_H */
