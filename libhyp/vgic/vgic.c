/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual GICv3: model state, routing, injection and SGI generation.
 *
 * One lock per VM covers the distributor and all redistributors; the model is
 * small and every operation on it is short, so finer locking would buy
 * little. Kicks are collected as a vCPU bitmap while the lock is held and
 * delivered after it is released.
 */
#include <stddef.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/sysreg.h>
#include <hyp/vgic.h>
#include "vgic_internal.h"

/* ICC_SGI1R_EL1 fields. */
#define SGI1R_TARGETS(v) ((unsigned)((v)&0xffffu))
#define SGI1R_AFF1(v)    (((v) >> 16) & 0xffu)
#define SGI1R_INTID(v)   ((unsigned)(((v) >> 24) & 0xfu))
#define SGI1R_AFF2(v)    (((v) >> 32) & 0xffu)
#define SGI1R_IRM        (1ull << 40)
#define SGI1R_RS(v)      ((unsigned)(((v) >> 44) & 0xfu))
#define SGI1R_AFF3(v)    (((v) >> 48) & 0xffu)

struct hyp_vgic_irq *vgic_irq(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid)
{
    if (intid < VGIC_SPI_BASE)
        return vcpu < vgic->vcpu_count ? &vgic->cpus[vcpu].priv[intid] : NULL;
    if (intid - VGIC_SPI_BASE < vgic->nr_spis)
        return &vgic->spi[intid - VGIC_SPI_BASE];
    return NULL;
}

bool vgic_irq_pending(const struct hyp_vgic_irq *irq)
{
    if (irq->flags & VGIC_F_LATCH)
        return true;
    return (irq->flags & (VGIC_F_LINE | VGIC_F_EDGE | VGIC_F_HW)) == VGIC_F_LINE;
}

bool vgic_irq_deliverable(const struct hyp_vgic *vgic, const struct hyp_vgic_irq *irq)
{
    uint32_t grp = irq->flags & VGIC_F_GROUP1 ? VGIC_CTLR_GRP1 : VGIC_CTLR_GRP0;

    return (irq->flags & VGIC_F_ENABLED) && (vgic->ctlr & grp) && vgic_irq_pending(irq);
}

unsigned vgic_vcpu_by_affinity(const struct hyp_vgic *vgic, uint64_t mpidr_aff)
{
    mpidr_aff &= MPIDR_AFFINITY_MASK;
    for (unsigned i = 0; i < vgic->vcpu_count; i++)
        if ((vgic->cpus[i].mpidr & MPIDR_AFFINITY_MASK) == mpidr_aff)
            return i;
    return VGIC_NO_TARGET;
}

unsigned vgic_spi_target(const struct hyp_vgic *vgic, unsigned spi)
{
    if (!(vgic->irouter[spi] & VGIC_IROUTER_IRM))
        return vgic->spi[spi].target;
    /* 1 of N: the first vCPU whose redistributor is awake, else vCPU 0. */
    for (unsigned i = 0; i < vgic->vcpu_count; i++)
        if (!(vgic->cpus[i].waker & VGIC_WAKER_PS))
            return i;
    return 0;
}

void vgic_spi_retarget(struct hyp_vgic *vgic, unsigned spi)
{
    vgic->spi[spi].target = (uint8_t)vgic_vcpu_by_affinity(vgic, vgic->irouter[spi]);
}

void vgic_note(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid, uint32_t *kick)
{
    struct hyp_vgic_irq *irq = vgic_irq(vgic, vcpu, intid);
    unsigned target;

    if (!irq)
        return;
    if (irq->flags & VGIC_F_INLR) {
        *kick |= 1u << irq->lr_vcpu;
        return;
    }
    if (!vgic_irq_deliverable(vgic, irq))
        return;
    target = intid < VGIC_SPI_BASE ? vcpu : vgic_spi_target(vgic, intid - VGIC_SPI_BASE);
    if (target < vgic->vcpu_count)
        *kick |= 1u << target;
}

void vgic_set_latch(struct hyp_vgic_irq *irq)
{
    irq->flags |= VGIC_F_LATCH;
    if (irq->flags & VGIC_F_INLR)
        irq->flags |= VGIC_F_PEND_NEW;
}

void vgic_unlock_kick(struct hyp_vgic *vgic, uint32_t kick)
{
    hyp_vgic_kick_fn fn = vgic->kick;
    void *arg = vgic->kick_arg;

    hyp_spin_unlock(&vgic->lock);
    if (!fn)
        return;
    for (unsigned i = 0; kick; i++, kick >>= 1)
        if (kick & 1)
            fn(i, arg);
}

static bool config_ok(const struct hyp_vgic_config *cfg)
{
    uint64_t gicr_end;

    if (!cfg || !cfg->cpus || !cfg->vcpu_mpidr)
        return false;
    if (cfg->vcpu_count == 0 || cfg->vcpu_count > HYP_VGIC_MAX_VCPUS)
        return false;
    if (cfg->nr_spis % 32 || cfg->nr_spis > HYP_VGIC_MAX_SPIS)
        return false;
    if ((cfg->gicd_base | cfg->gicr_base) & 0xffffu)
        return false;
    gicr_end = cfg->gicr_base + cfg->vcpu_count * HYP_VGIC_GICR_STRIDE;
    if (gicr_end < cfg->gicr_base || cfg->gicd_base + HYP_VGIC_GICD_SIZE < cfg->gicd_base)
        return false;
    if (cfg->gicd_base < gicr_end && cfg->gicr_base < cfg->gicd_base + HYP_VGIC_GICD_SIZE)
        return false;
    for (unsigned i = 0; i < cfg->vcpu_count; i++)
        for (unsigned j = 0; j < i; j++)
            if (((cfg->vcpu_mpidr[i] ^ cfg->vcpu_mpidr[j]) & MPIDR_AFFINITY_MASK) == 0)
                return false;
    return true;
}

int hyp_vgic_init(struct hyp_vgic *vgic, const struct hyp_vgic_config *cfg)
{
    if (!vgic || !config_ok(cfg))
        return HYP_EINVAL;

    memset(vgic, 0, sizeof(*vgic));
    vgic->gicd_base = cfg->gicd_base;
    vgic->gicr_base = cfg->gicr_base;
    vgic->vcpu_count = cfg->vcpu_count;
    vgic->nr_spis = cfg->nr_spis;
    vgic->cpus = cfg->cpus;
    vgic->kick = cfg->kick;
    vgic->kick_arg = cfg->kick_arg;
    vgic->ctlr = VGIC_CTLR_ARE | VGIC_CTLR_DS;

    for (unsigned i = 0; i < cfg->vcpu_count; i++) {
        struct hyp_vgic_cpu *c = &cfg->cpus[i];

        memset(c, 0, sizeof(*c));
        c->mpidr = cfg->vcpu_mpidr[i] & MPIDR_AFFINITY_MASK;
        c->waker = VGIC_WAKER_PS | VGIC_WAKER_CA;
        for (unsigned n = 0; n < 16; n++)
            c->priv[n].flags = VGIC_F_EDGE; /* SGIs are always edge-triggered */
    }
    for (unsigned s = 0; s < cfg->nr_spis; s++)
        vgic_spi_retarget(vgic, s);
    return HYP_OK;
}

int hyp_vgic_inject(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid, bool level,
                    uint32_t pintid)
{
    struct hyp_vgic_irq *irq;
    uint32_t kick = 0;

    if (pintid != 0 && (pintid < 16 || pintid > 1019))
        return HYP_EINVAL;
    hyp_spin_lock(&vgic->lock);
    irq = vgic_irq(vgic, vcpu, intid);
    if (!irq) {
        hyp_spin_unlock(&vgic->lock);
        return HYP_EINVAL;
    }
    /* The mapping of an interrupt held by a list register changes once it left. */
    if (!(irq->flags & VGIC_F_INLR)) {
        if (pintid) {
            irq->flags |= VGIC_F_HW;
            irq->pintid = (uint16_t)pintid;
        } else {
            irq->flags &= (uint16_t)~VGIC_F_HW;
            irq->pintid = 0;
        }
    }
    if (!level)
        irq->flags &= (uint16_t)~VGIC_F_LINE;
    else if (irq->flags & (VGIC_F_EDGE | VGIC_F_HW))
        vgic_set_latch(irq);
    else
        irq->flags |= VGIC_F_LINE;
    vgic_note(vgic, vcpu, intid, &kick);
    vgic_unlock_kick(vgic, kick);
    return HYP_OK;
}

static void send_sgi(struct hyp_vgic *vgic, unsigned target, unsigned intid,
                     uint32_t *kick)
{
    vgic_set_latch(&vgic->cpus[target].priv[intid]);
    vgic_note(vgic, target, intid, kick);
}

int hyp_vgic_sgi1r(struct hyp_vgic *vgic, unsigned src_vcpu, uint64_t value)
{
    unsigned intid = SGI1R_INTID(value);
    uint32_t kick = 0;

    if (src_vcpu >= vgic->vcpu_count)
        return HYP_EINVAL;
    hyp_spin_lock(&vgic->lock);
    if (value & SGI1R_IRM) {
        for (unsigned i = 0; i < vgic->vcpu_count; i++)
            if (i != src_vcpu)
                send_sgi(vgic, i, intid, &kick);
    } else {
        uint64_t aff =
            SGI1R_AFF3(value) << 32 | SGI1R_AFF2(value) << 16 | SGI1R_AFF1(value) << 8;
        unsigned targets = SGI1R_TARGETS(value);

        for (unsigned bit = 0; bit < 16; bit++) {
            unsigned t;

            if (!(targets & (1u << bit)))
                continue;
            t = vgic_vcpu_by_affinity(vgic, aff | (SGI1R_RS(value) * 16 + bit));
            if (t < vgic->vcpu_count)
                send_sgi(vgic, t, intid, &kick);
        }
    }
    vgic_unlock_kick(vgic, kick);
    return HYP_OK;
}

/* Pending for WFI purposes: deliverable and not held back behind its active state. */
static bool takeable(const struct hyp_vgic *vgic, const struct hyp_vgic_irq *irq)
{
    if (!vgic_irq_deliverable(vgic, irq))
        return false;
    if (!(irq->flags & VGIC_F_ACTIVE))
        return true;
    return (irq->flags & (VGIC_F_EDGE | VGIC_F_HW)) == VGIC_F_EDGE;
}

bool hyp_vgic_pending(struct hyp_vgic *vgic, unsigned vcpu)
{
    bool found = false;

    if (vcpu >= vgic->vcpu_count)
        return false;
    hyp_spin_lock(&vgic->lock);
    for (unsigned i = 0; i < HYP_VGIC_NR_PRIVATE && !found; i++)
        found = takeable(vgic, &vgic->cpus[vcpu].priv[i]);
    for (unsigned s = 0; s < vgic->nr_spis && !found; s++) {
        const struct hyp_vgic_irq *irq = &vgic->spi[s];
        unsigned owner =
            irq->flags & VGIC_F_INLR ? irq->lr_vcpu : vgic_spi_target(vgic, s);

        found = owner == vcpu && takeable(vgic, irq);
    }
    hyp_spin_unlock(&vgic->lock);
    return found;
}
