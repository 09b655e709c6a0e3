/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal helpers shared by the virtual GIC's logic files (vgic.c,
 * vgic_mmio.c, vgic_lr.c). Unless said otherwise a helper that touches an
 * interrupt expects that interrupt's lock to be held: the lock of its vCPU
 * for SGIs and PPIs, the distributor lock for SPIs (see vgic.h).
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

/* hyp_vgic_irq::target when no vCPU has the affinity; ::queued when on no list. */
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
 * After @irq's state changed: put it on its vCPU's pending list if it is now
 * pending or active and on none (moving a waiting SPI whose route changed),
 * and add to *kick the vCPU that must look at it (it is deliverable, or a
 * list register holds it). For SPIs this takes the target vCPU's lock.
 */
void vgic_update(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq, uint32_t *kick);

/* Mark @irq newly pending through its latch. */
void vgic_set_latch(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq);

/* The model of @vcpu's interrupts changed: its next entry must flush (see
 * hyp_vgic_needs_flush()). Any lock; lock-free readers. */
void vgic_mark_stale(struct hyp_vgic *vgic, unsigned vcpu);

/* Put @irq on @vcpu's pending list (whose lock is held, with the
 * distributor's for an SPI). */
void vgic_list_add(struct hyp_vgic *vgic, unsigned vcpu, struct hyp_vgic_irq *irq);

/* A register access that may have changed interrupt state: every vCPU
 * flushes at its next entry. */
static inline void vgic_bump_gen(struct hyp_vgic *vgic)
{
    __atomic_add_fetch(&vgic->gen, 1, __ATOMIC_RELEASE);
}

/* Forget @irq's latched pending state; deactivate a hardware interrupt the
 * guest will not deactivate any more. */
void vgic_clear_latch(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq);

/* Forget @irq's active state (from the distributor, not a list register). */
void vgic_clear_active(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq);

/* If @irq is a latched level-sensitive hardware interrupt, drop the latch
 * when its line is low. For a PPI only on the CPU running @vcpu. */
void vgic_resample(struct hyp_vgic *vgic, unsigned vcpu, struct hyp_vgic_irq *irq);

/* Unlink @irq from the pending list of cpus[irq->queued] (whose lock is held). */
void vgic_dequeue(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq);

/* Make SGI @intid pending on vCPU @target (a valid index); takes its lock. */
void vgic_send_sgi(struct hyp_vgic *vgic, unsigned target, unsigned intid,
                   uint32_t *kick);

/* A GICv2 guest's write of @value to GICD_SGIR from vCPU @src_vcpu (a valid
 * index): TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0].
 * Takes only the targets' locks, and kicks them. Returns HYP_OK (a tail
 * call for the MMIO handler). */
int vgic_v2_sgir(struct hyp_vgic *vgic, unsigned src_vcpu, uint32_t value);

/* Call the kick callback for each bit of @kick (every lock released). */
void vgic_kick_all(struct hyp_vgic *vgic, uint32_t kick);

static inline void vgic_kick(struct hyp_vgic *vgic, uint32_t kick)
{
    if (kick != 0)
        vgic_kick_all(vgic, kick);
}

static inline uint32_t vgic_ctlr(const struct hyp_vgic *vgic)
{
    return __atomic_load_n(&vgic->ctlr, __ATOMIC_RELAXED);
}

/* GICD_TYPER of @vgic, once its vCPUs and SPIs are set (kept in
 * hyp_vgic::typer by hyp_vgic_init(): its RSS bit asks every vCPU). */
uint32_t vgic_typer(const struct hyp_vgic *vgic);

struct hyp_vcpu;

/* The distributor's and the redistributors' MMIO region handlers (the
 * hyp_mmio_fn of vm.h, @vgic its argument): hyp_vgic_mmio_gicd() and
 * hyp_vgic_mmio_gicr() for the accessing vCPU, without a wrapper between
 * the exit path and the register model; the distributor's in one version
 * each (GICv3, GICv2), so that neither asks which it is. */
int vgic_gicd_region(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                     uint64_t *val, void *vgic);
int vgic_gicd_v2_region(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                        uint64_t *val, void *vgic);
int vgic_gicr_region(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                     uint64_t *val, void *vgic);

#endif /* HYP_VGIC_INTERNAL_H */
