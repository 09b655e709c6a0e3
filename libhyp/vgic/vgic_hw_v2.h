/* SPDX-License-Identifier: BSD-2-Clause */
/* The GICH side of the hyp_vgic_hw_* functions on a GICv2 host (internal). */
#ifndef HYP_VGIC_HW_V2_H
#define HYP_VGIC_HW_V2_H

#include <stdint.h>
#include <hyp/vgic.h>

/* This CPU's GICH frame (every CPU sees its own at the same address); set by
 * hyp_vgic_cpu_prepare() before the first vgic_v2_cpu_init(). */
extern uintptr_t vgic_v2_gich;

uint64_t vgic_v2_read_lr(unsigned n);
void vgic_v2_write_lr(unsigned n, uint64_t v);
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
