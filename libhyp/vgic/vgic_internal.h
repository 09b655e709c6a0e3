/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal helpers shared by the virtual GIC's logic files (vgic.c,
 * vgic_mmio.c, vgic_lr.c). Every helper expects hyp_vgic::lock to be held.
 */
#ifndef HYP_VGIC_INTERNAL_H
#define HYP_VGIC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/vgic.h>

/* hyp_vgic_irq::flags */
#define VGIC_F_ENABLED  0x001u /* GICx_ISENABLER bit */
#define VGIC_F_LATCH    0x002u /* pending latch (edge, ISPENDR, HW) */
#define VGIC_F_LINE     0x004u /* input level of a level-sensitive line */
#define VGIC_F_ACTIVE   0x008u
#define VGIC_F_GROUP1   0x010u /* GICx_IGROUPR bit */
#define VGIC_F_EDGE     0x020u /* GICx_ICFGR Int_config[1] */
#define VGIC_F_HW       0x040u /* hardware-backed; pintid valid */
#define VGIC_F_INLR     0x080u /* held by a list register (lr, lr_vcpu) */
#define VGIC_F_PEND_NEW 0x100u /* became pending after its LR was loaded */

/* GICD_CTLR in the single-security-state view (DS = 1). */
#define VGIC_CTLR_GRP0 (1u << 0)
#define VGIC_CTLR_GRP1 (1u << 1)
#define VGIC_CTLR_ARE  (1u << 4)
#define VGIC_CTLR_DS   (1u << 6)

/* GICR_WAKER */
#define VGIC_WAKER_PS (1u << 1) /* ProcessorSleep */
#define VGIC_WAKER_CA (1u << 2) /* ChildrenAsleep */

/* GICD_IROUTER: Aff3 [39:32], IRM [31], Aff2..Aff0 [23:0]. */
#define VGIC_IROUTER_IRM  (1ull << 31)
#define VGIC_IROUTER_MASK 0xff80ffffffull

/* hyp_vgic_irq::target when no vCPU has the affinity. */
#define VGIC_NO_TARGET 0xffu

/* First INTID that is an SPI. */
#define VGIC_SPI_BASE 32u

/* The interrupt state for INTID @intid seen from @vcpu; NULL if none. */
struct hyp_vgic_irq *vgic_irq(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid);

/* Pending, from its latch or (level, software) its line. */
bool vgic_irq_pending(const struct hyp_vgic_irq *irq);

/* Pending, enabled, and its group enabled in GICD_CTLR. */
bool vgic_irq_deliverable(const struct hyp_vgic *vgic, const struct hyp_vgic_irq *irq);

/* Affinity (Aff3.Aff2.Aff1.Aff0 packed as in MPIDR) to vCPU index. */
unsigned vgic_vcpu_by_affinity(const struct hyp_vgic *vgic, uint64_t mpidr_aff);

/* vCPU an SPI (index into hyp_vgic::spi) goes to now; VGIC_NO_TARGET if none. */
unsigned vgic_spi_target(const struct hyp_vgic *vgic, unsigned spi);

/* Recompute hyp_vgic_irq::target of an SPI after its IROUTER changed. */
void vgic_spi_retarget(struct hyp_vgic *vgic, unsigned spi);

/*
 * Add to *kick the vCPU that must look at @intid (seen from @vcpu) if it is
 * deliverable, or if a list register holds it (its state changed under it).
 */
void vgic_note(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid, uint32_t *kick);

/* Mark @irq newly pending through its latch. */
void vgic_set_latch(struct hyp_vgic_irq *irq);

/* Release the lock, then call the kick callback for each bit of @kick. */
void vgic_unlock_kick(struct hyp_vgic *vgic, uint32_t kick);

#endif /* HYP_VGIC_INTERNAL_H */
