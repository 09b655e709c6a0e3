/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual GICv3 (and GICv2): model state, routing, injection and SGI generation.
 *
 * Locking as vgic.h says: the distributor lock for SPIs, one lock per vCPU for
 * its private interrupts and its pending list. Kicks are collected as a vCPU
 * bitmap while locks are held and delivered after they are released.
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

    return (irq->flags & VGIC_F_ENABLED) && (vgic_ctlr(vgic) & grp) &&
           vgic_irq_pending(irq);
}

unsigned vgic_vcpu_by_affinity(const struct hyp_vgic *vgic, uint64_t mpidr_aff)
{
    mpidr_aff &= MPIDR_AFFINITY_MASK;
    if (vgic->linear_affinity) /* vCPU i has affinity 0.0.0.i: O(1) */
        return mpidr_aff < vgic->vcpu_count ? (unsigned)mpidr_aff : VGIC_NO_TARGET;
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
        if (!(__atomic_load_n(&vgic->cpus[i].waker, __ATOMIC_RELAXED) & VGIC_WAKER_PS))
            return i;
    return 0;
}

void vgic_spi_retarget(struct hyp_vgic *vgic, unsigned spi)
{
    if (vgic->version == 2) {
        /* ITARGETSR: the lowest-numbered vCPU of the byte that exists. */
        uint32_t mask = (uint32_t)vgic->irouter[spi] & ((1u << vgic->vcpu_count) - 1);

        vgic->spi[spi].target = mask ? (uint8_t)__builtin_ctz(mask) : VGIC_NO_TARGET;
        return;
    }
    vgic->spi[spi].target = (uint8_t)vgic_vcpu_by_affinity(vgic, vgic->irouter[spi]);
}

void vgic_mark_stale(struct hyp_vgic *vgic, unsigned vcpu)
{
    if (vcpu < vgic->vcpu_count)
        __atomic_store_n(&vgic->cpus[vcpu].stale, true, __ATOMIC_RELEASE);
}

void vgic_list_add(struct hyp_vgic *vgic, unsigned vcpu, struct hyp_vgic_irq *irq)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[vcpu];

    irq->queued = (uint8_t)vcpu;
    irq->prev = NULL;
    irq->next = c->pending;
    if (c->pending)
        c->pending->prev = irq;
    /* flush's lock-free emptiness check reads this without the lock */
    __atomic_store_n(&c->pending, irq, __ATOMIC_RELEASE);
    __atomic_store_n(&c->queued, c->queued + 1, __ATOMIC_RELAXED);
    if (irq->intid >= VGIC_SPI_BASE)
        c->pending_spis++;
}

void vgic_dequeue(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[irq->queued];

    if (irq->prev)
        irq->prev->next = irq->next;
    else
        __atomic_store_n(&c->pending, irq->next, __ATOMIC_RELAXED);
    if (irq->next)
        irq->next->prev = irq->prev;
    irq->next = irq->prev = NULL;
    irq->queued = VGIC_NO_TARGET;
    __atomic_store_n(&c->queued, c->queued - 1, __ATOMIC_RELAXED);
    if (irq->intid >= VGIC_SPI_BASE)
        c->pending_spis--;
}

void vgic_update(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq, uint32_t *kick)
{
    bool spi = irq->intid >= VGIC_SPI_BASE;
    unsigned target;

    target = spi ? vgic_spi_target(vgic, irq->intid - VGIC_SPI_BASE) : irq->target;
    vgic_mark_stale(vgic, target);
    if (irq->queued != VGIC_NO_TARGET) {
        unsigned on = irq->queued;

        vgic_mark_stale(vgic, on);
        if ((irq->flags & VGIC_F_INLR) || vgic_irq_deliverable(vgic, irq))
            *kick |= 1u << on;
        /* An SPI waiting on another vCPU's list follows its new route; one in
         * a list register or active stays until it is done there. */
        if (!spi || on == target || (irq->flags & (VGIC_F_INLR | VGIC_F_ACTIVE)))
            return;
        hyp_spin_lock(&vgic->cpus[on].lock);
        vgic_dequeue(vgic, irq);
        hyp_spin_unlock(&vgic->cpus[on].lock);
    }
    if (target >= vgic->vcpu_count ||
        !(vgic_irq_pending(irq) || (irq->flags & VGIC_F_ACTIVE)))
        return;
    if (spi)
        hyp_spin_lock(&vgic->cpus[target].lock);
    vgic_list_add(vgic, target, irq);
    if (spi)
        hyp_spin_unlock(&vgic->cpus[target].lock);
    if (vgic_irq_deliverable(vgic, irq) || (irq->flags & VGIC_F_ACTIVE))
        *kick |= 1u << target;
}

void vgic_set_latch(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq)
{
    irq->flags |= VGIC_F_LATCH;
    if (irq->flags & VGIC_F_INLR)
        irq->flags |= VGIC_F_PEND_NEW;
    if (irq->queued != VGIC_NO_TARGET)
        vgic_mark_stale(vgic, irq->queued);
}

/* A hardware-backed interrupt's physical side is active from EL2's
 * acknowledgement until the guest's deactivation: while it is latched or
 * active in the model. */
static bool phys_active(const struct hyp_vgic_irq *irq)
{
    return (irq->flags & VGIC_F_HW) && (irq->flags & (VGIC_F_LATCH | VGIC_F_ACTIVE));
}

static void end_phys(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq, bool was)
{
    if (was && !phys_active(irq) && vgic->deactivate)
        vgic->deactivate(irq->pintid, vgic->kick_arg);
}

void vgic_clear_latch(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq)
{
    bool was = phys_active(irq);

    irq->flags &= (uint16_t) ~(VGIC_F_LATCH | VGIC_F_PEND_NEW);
    if (irq->queued != VGIC_NO_TARGET)
        vgic_mark_stale(vgic, irq->queued);
    end_phys(vgic, irq, was);
}

void vgic_clear_active(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq)
{
    bool was = phys_active(irq);

    irq->flags &= (uint16_t)~VGIC_F_ACTIVE;
    if (irq->queued != VGIC_NO_TARGET)
        vgic_mark_stale(vgic, irq->queued);
    end_phys(vgic, irq, was);
}

void vgic_resample(struct hyp_vgic *vgic, unsigned vcpu, struct hyp_vgic_irq *irq)
{
    if ((irq->flags & (VGIC_F_HW | VGIC_F_EDGE | VGIC_F_LATCH | VGIC_F_ACTIVE)) !=
            (VGIC_F_HW | VGIC_F_LATCH) ||
        vgic->line == NULL)
        return;
    if (!vgic->line(vcpu, irq->intid, irq->pintid, vgic->kick_arg))
        vgic_clear_latch(vgic, irq);
}

void vgic_kick_all(struct hyp_vgic *vgic, uint32_t kick)
{
    hyp_vgic_kick_fn fn = vgic->kick;
    void *arg = vgic->kick_arg;

    if (!fn)
        return;
    for (unsigned i = 0; kick; i++, kick >>= 1)
        if (kick & 1)
            fn(i, arg);
}

static bool config_ok(const struct hyp_vgic_config *cfg)
{
    uint64_t gicr_end, gicd_size, align;

    if (!cfg || !cfg->cpus || !cfg->vcpu_mpidr)
        return false;
    if (cfg->version != 0 && cfg->version != 2 && cfg->version != 3)
        return false;
    if (cfg->vcpu_count == 0 || cfg->vcpu_count > HYP_VGIC_MAX_VCPUS ||
        (cfg->version == 2 && cfg->vcpu_count > HYP_VGIC_V2_MAX_VCPUS))
        return false;
    if (cfg->nr_spis % 32 || cfg->nr_spis > HYP_VGIC_MAX_SPIS)
        return false;
    align = cfg->version == 2 ? 0xfffu : 0xffffu;
    if ((cfg->gicd_base | cfg->gicr_base) & align)
        return false;
    gicd_size = cfg->version == 2 ? HYP_VGIC_V2_GICD_SIZE : HYP_VGIC_GICD_SIZE;
    gicr_end =
        cfg->gicr_base + (cfg->version == 2 ? HYP_VGIC_V2_GICC_SIZE
                                            : cfg->vcpu_count * HYP_VGIC_GICR_STRIDE);
    if (gicr_end < cfg->gicr_base || cfg->gicd_base + gicd_size < cfg->gicd_base)
        return false;
    if (cfg->gicd_base < gicr_end && cfg->gicr_base < cfg->gicd_base + gicd_size)
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
    vgic->version = cfg->version == 2 ? 2 : 3;
    vgic->vcpu_count = cfg->vcpu_count;
    vgic->nr_spis = cfg->nr_spis;
    vgic->cpus = cfg->cpus;
    vgic->kick = cfg->kick;
    vgic->kick_arg = cfg->kick_arg;
    vgic->line = cfg->line;
    vgic->deactivate = cfg->deactivate;
    vgic->ctlr = vgic->version == 2 ? 0 : VGIC_CTLR_ARE | VGIC_CTLR_DS;

    for (unsigned i = 0; i < cfg->vcpu_count; i++) {
        struct hyp_vgic_cpu *c = &cfg->cpus[i];

        memset(c, 0, sizeof(*c));
        c->mpidr = cfg->vcpu_mpidr[i] & MPIDR_AFFINITY_MASK;
        c->waker = VGIC_WAKER_PS | VGIC_WAKER_CA;
        for (unsigned n = 0; n < HYP_VGIC_NR_PRIVATE; n++) {
            c->priv[n].intid = (uint16_t)n;
            c->priv[n].queued = VGIC_NO_TARGET;
            c->priv[n].target = (uint8_t)i;
            if (n < 16)
                c->priv[n].flags = VGIC_F_EDGE; /* SGIs are always edge-triggered */
        }
    }
    vgic->linear_affinity = true;
    for (unsigned i = 0; i < cfg->vcpu_count; i++)
        vgic->linear_affinity = vgic->linear_affinity && cfg->cpus[i].mpidr == i;
    for (unsigned s = 0; s < cfg->nr_spis; s++) {
        vgic->spi[s].intid = (uint16_t)(VGIC_SPI_BASE + s);
        vgic->spi[s].queued = VGIC_NO_TARGET;
        vgic_spi_retarget(vgic, s);
    }
    vgic->typer = vgic_typer(vgic);
    return HYP_OK;
}

/* The lock that protects INTID @intid's state: the distributor's for SPIs. */
static struct hyp_spinlock *irq_lock(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid)
{
    return intid < VGIC_SPI_BASE ? &vgic->cpus[vcpu].lock : &vgic->lock;
}

int hyp_vgic_inject(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid, bool level,
                    uint32_t pintid)
{
    struct hyp_vgic_irq *irq;
    struct hyp_spinlock *lock;
    uint32_t kick = 0;

    if (pintid != 0 && (pintid < 16 || pintid > 1019))
        return HYP_EINVAL;
    irq = vgic_irq(vgic, vcpu, intid);
    if (!irq)
        return HYP_EINVAL;
    lock = irq_lock(vgic, vcpu, intid);
    hyp_spin_lock(lock);
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
        vgic_set_latch(vgic, irq);
    else
        irq->flags |= VGIC_F_LINE;
    vgic_update(vgic, irq, &kick);
    hyp_spin_unlock(lock);
    vgic_kick(vgic, kick);
    return HYP_OK;
}

static inline void send_sgi(struct hyp_vgic *vgic, unsigned target, unsigned intid,
                            uint32_t *kick)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[target];

    hyp_spin_lock(&c->lock);
    vgic_set_latch(vgic, &c->priv[intid]);
    vgic_update(vgic, &c->priv[intid], kick);
    hyp_spin_unlock(&c->lock);
}

void vgic_send_sgi(struct hyp_vgic *vgic, unsigned target, unsigned intid, uint32_t *kick)
{
    send_sgi(vgic, target, intid, kick);
}

int hyp_vgic_sgi1r(struct hyp_vgic *vgic, unsigned src_vcpu, uint64_t value)
{
    unsigned intid = SGI1R_INTID(value);
    uint32_t kick = 0;

    if (src_vcpu >= vgic->vcpu_count)
        return HYP_EINVAL;
    if (value & SGI1R_IRM) {
        for (unsigned i = 0; i < vgic->vcpu_count; i++)
            if (i != src_vcpu)
                send_sgi(vgic, i, intid, &kick);
    } else {
        uint64_t aff =
            SGI1R_AFF3(value) << 32 | SGI1R_AFF2(value) << 16 | SGI1R_AFF1(value) << 8;
        unsigned targets = SGI1R_TARGETS(value);

        for (unsigned bit = 0; targets; bit++, targets >>= 1) {
            unsigned t;

            if (!(targets & 1))
                continue;
            t = vgic_vcpu_by_affinity(vgic, aff | (SGI1R_RS(value) * 16 + bit));
            if (t < vgic->vcpu_count)
                send_sgi(vgic, t, intid, &kick);
        }
    }
    vgic_kick(vgic, kick);
    return HYP_OK;
}

int vgic_v2_sgir(struct hyp_vgic *vgic, unsigned src_vcpu, uint32_t value)
{
    unsigned filter = (value >> 24) & 3u, intid = value & 0xfu;
    uint32_t list = (value >> 16) & 0xffu, kick = 0;

    if (filter == 1)
        list = 0xffu & ~(1u << src_vcpu);
    else if (filter == 2)
        list = 1u << src_vcpu;
    else if (filter == 3)
        return HYP_OK; /* reserved */
    list &= (1u << vgic->vcpu_count) - 1;
    for (; list; list &= list - 1)
        send_sgi(vgic, (unsigned)__builtin_ctz(list), intid, &kick);
    vgic_kick(vgic, kick);
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
    struct hyp_vgic_cpu *c;
    bool found = false, spis;

    if (vcpu >= vgic->vcpu_count)
        return false;
    c = &vgic->cpus[vcpu];
    if (__atomic_load_n(&c->pending, __ATOMIC_ACQUIRE) == NULL)
        return false;
    hyp_spin_lock(&c->lock);
    spis = c->pending_spis != 0;
    if (spis) { /* lock order: the distributor first */
        hyp_spin_unlock(&c->lock);
        hyp_spin_lock(&vgic->lock);
        hyp_spin_lock(&c->lock);
    }
    for (struct hyp_vgic_irq *irq = c->pending; irq && !found; irq = irq->next) {
        /* An SPI waiting here but routed elsewhere meanwhile is not ours. */
        if (irq->intid >= VGIC_SPI_BASE &&
            !(irq->flags & (VGIC_F_INLR | VGIC_F_ACTIVE)) &&
            vgic_spi_target(vgic, irq->intid - VGIC_SPI_BASE) != vcpu)
            continue;
        vgic_resample(vgic, vcpu, irq);
        found = takeable(vgic, irq);
    }
    hyp_spin_unlock(&c->lock);
    if (spis)
        hyp_spin_unlock(&vgic->lock);
    return found;
}
