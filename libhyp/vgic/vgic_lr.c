/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual GICv3 list-register bookkeeping, as pure functions over an array of
 * ICH_LR<n>_EL2 values (the vCPU's mirror of its list registers).
 *
 * Each vCPU remembers which interrupt it put in each list register and in
 * which state (hyp_vgic_cpu::lr_irq, lr_state). hyp_vgic_sync() compares that
 * with what the guest left there: pending -> not pending means acknowledged,
 * active -> not active means deactivated; everything else the model already
 * knows. hyp_vgic_flush() then rewrites the list registers in use from the
 * model, so changes made meanwhile (MMIO, injections from other CPUs) take
 * effect, and fills free ones from the vCPU's pending list: the interrupts
 * pending or active for it, and nothing else.
 *
 * An edge that arrives while its interrupt sits in a list register sets
 * VGIC_F_PEND_NEW: if the guest acknowledged the interrupt before the next
 * sync, the edge is kept and delivered again instead of being merged (at worst
 * one extra interrupt, never a lost one).
 */
#include <stddef.h>
#include <hyp/error.h>
#include <hyp/vgic.h>
#include "vgic_gich.h"
#include "vgic_internal.h"

#define ST_PENDING 1u
#define ST_ACTIVE  2u

/* Upper bound on fill/evict rounds in one flush (each round places one interrupt). */
#define FLUSH_ROUNDS (4 * HYP_VGIC_MAX_LRS)

struct cand {
    struct hyp_vgic_irq *irq;
    uint32_t intid;
    unsigned state;
};

/* The list-register state the model wants for @irq (0: none). */
static unsigned wanted_state(const struct hyp_vgic *vgic, const struct hyp_vgic_irq *irq)
{
    bool active = irq->flags & VGIC_F_ACTIVE;
    bool pend = vgic_irq_deliverable(vgic, irq);

    /*
     * Only a software edge-triggered interrupt may be active and pending in a
     * list register: a level-sensitive one is pending again only after its
     * deactivation (EOI maintenance brings us back), and a hardware-backed
     * one cannot fire again while its physical interrupt is active.
     */
    if (active && (!(irq->flags & VGIC_F_EDGE) || (irq->flags & VGIC_F_HW)))
        pend = false;
    return (active ? ST_ACTIVE : 0) | (pend ? ST_PENDING : 0);
}

static uint64_t lr_value(const struct hyp_vgic_irq *irq, uint32_t intid, unsigned state)
{
    uint64_t v = intid | (uint64_t)irq->priority << HYP_ICH_LR_PRIO_SHIFT |
                 (uint64_t)state << HYP_ICH_LR_STATE_SHIFT;

    if (irq->flags & VGIC_F_GROUP1)
        v |= HYP_ICH_LR_GROUP;
    if (irq->flags & VGIC_F_HW)
        v |= HYP_ICH_LR_HW |
             ((uint64_t)irq->pintid << HYP_ICH_LR_PINTID_SHIFT & HYP_ICH_LR_PINTID_MASK);
    else if (!(irq->flags & VGIC_F_EDGE))
        v |= HYP_ICH_LR_EOI;
    return v;
}

/* True if candidate a should get a list register before b. */
static bool better(const struct cand *a, const struct cand *b)
{
    bool aa = a->state & ST_ACTIVE, ba = b->state & ST_ACTIVE;

    if (aa != ba)
        return aa;
    if (a->irq->priority != b->irq->priority)
        return a->irq->priority < b->irq->priority;
    return a->intid < b->intid;
}

/* Returns 1 if @irq wants a list register (and makes it *best if better). */
static unsigned consider(const struct hyp_vgic *vgic, struct hyp_vgic_irq *irq,
                         uint32_t intid, struct cand *best)
{
    struct cand c = {irq, intid, 0};

    if (irq->flags & VGIC_F_INLR)
        return 0;
    c.state = wanted_state(vgic, irq);
    if (!c.state)
        return 0;
    if (!best->irq || better(&c, best))
        *best = c;
    return 1;
}

/*
 * The interrupt on @vcpu's pending list, not in a list register, that most
 * needs one. Interrupts that are no longer pending nor active leave the
 * list here, and SPIs routed elsewhere meanwhile move to their new vCPU.
 */
static struct cand pick(struct hyp_vgic *vgic, unsigned vcpu, uint32_t *kick, bool *more)
{
    struct cand best = {NULL, 0, 0};
    unsigned found = 0;
    struct hyp_vgic_irq *irq = vgic->cpus[vcpu].pending, *next;

    for (; irq; irq = next) {
        next = irq->next;
        if (irq->flags & VGIC_F_INLR)
            continue;
        if (!vgic_irq_pending(irq) && !(irq->flags & VGIC_F_ACTIVE)) {
            vgic_dequeue(vgic, irq);
            continue;
        }
        if (irq->intid >= VGIC_SPI_BASE && !(irq->flags & VGIC_F_ACTIVE) &&
            vgic_spi_target(vgic, irq->intid - VGIC_SPI_BASE) != vcpu) {
            /* The distributor lock is held (SPIs on the list): take the
             * other vCPU's lock while holding ours, as vgic.h allows. */
            vgic_dequeue(vgic, irq);
            vgic_update(vgic, irq, kick);
            continue;
        }
        found += consider(vgic, irq, irq->intid, &best);
    }
    *more = found > 1;
    return best;
}

static void release(struct hyp_vgic *vgic, unsigned vcpu, unsigned i)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[vcpu];
    struct hyp_vgic_irq *irq = c->lr_irq[i];

    irq->flags &= (uint16_t) ~(VGIC_F_INLR | VGIC_F_PEND_NEW);
    if (irq->intid >= VGIC_SPI_BASE)
        c->lr_spis--;
    c->lr_used &= ~(1u << i);
    c->lr_count--;
    c->lr_state[i] = 0;
    c->lr_irq[i] = NULL;
}

/* Put @cd in list register @i (free, or already holding it). */
static void load(struct hyp_vgic *vgic, unsigned vcpu, unsigned i, const struct cand *cd,
                 uint64_t *lr, uint32_t *dirty)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[vcpu];
    uint64_t v = lr_value(cd->irq, cd->intid, cd->state);

    if (!(c->lr_used & (1u << i)) && cd->intid >= VGIC_SPI_BASE)
        c->lr_spis++;
    cd->irq->flags |= VGIC_F_INLR;
    if (cd->state & ST_PENDING) /* the list register now carries every edge seen */
        cd->irq->flags &= (uint16_t)~VGIC_F_PEND_NEW;
    cd->irq->lr = (uint8_t)i;
    if (!(c->lr_used & (1u << i)))
        c->lr_count++;
    c->lr_used |= 1u << i;
    c->lr_irq[i] = cd->irq;
    c->lr_state[i] = (uint8_t)cd->state;
    if (lr[i] != v) {
        lr[i] = v;
        *dirty |= 1u << i;
    }
}

/* A pending-only list register holding something less urgent than @cd, or -1. */
static int victim(struct hyp_vgic *vgic, unsigned vcpu, unsigned nr,
                  const struct cand *cd)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[vcpu];
    int worst = -1;
    struct cand wc = {NULL, 0, 0};

    for (unsigned i = 0; i < nr; i++) {
        struct cand lc = {c->lr_irq[i], 0, c->lr_state[i]};

        if (!(c->lr_used & (1u << i)) || lc.state != ST_PENDING)
            continue;
        lc.intid = lc.irq->intid;
        if (worst < 0 || better(&wc, &lc)) {
            worst = (int)i;
            wc = lc;
        }
    }
    if (worst < 0)
        return -1;
    if (cd->state & ST_ACTIVE || cd->irq->priority < wc.irq->priority)
        return worst;
    return -1;
}

/* Lock what @vcpu's list registers and pending list reach: its own lock, and
 * the distributor's first when SPIs are among them. Returns whether the
 * distributor lock was taken. */
static bool lock_cpu(struct hyp_vgic *vgic, struct hyp_vgic_cpu *c)
{
    hyp_spin_lock(&c->lock);
    if (c->pending_spis == 0 && c->lr_spis == 0)
        return false;
    hyp_spin_unlock(&c->lock);
    hyp_spin_lock(&vgic->lock);
    hyp_spin_lock(&c->lock);
    return true;
}

static void unlock_cpu(struct hyp_vgic *vgic, struct hyp_vgic_cpu *c, bool dist)
{
    hyp_spin_unlock(&c->lock);
    if (dist)
        hyp_spin_unlock(&vgic->lock);
}

uint32_t hyp_vgic_flush(struct hyp_vgic *vgic, unsigned vcpu, uint64_t *lr,
                        unsigned nr_lr, uint64_t *ich_hcr)
{
    unsigned nr = nr_lr < HYP_VGIC_MAX_LRS ? nr_lr : HYP_VGIC_MAX_LRS;
    uint32_t dirty = 0, kick = 0;
    bool overflow = false, more = true, dist;
    struct hyp_vgic_cpu *c;

    *ich_hcr = HYP_ICH_HCR_EN;
    if (vcpu >= vgic->vcpu_count) {
        for (unsigned i = 0; i < nr; i++)
            lr[i] = 0;
        return 0;
    }
    c = &vgic->cpus[vcpu];
    /* What this flush sees is what the list registers will show: a change
     * made after these stores marks the vCPU again (and kicks it). */
    __atomic_store_n(&c->stale, false, __ATOMIC_RELAXED);
    c->seen_gen = __atomic_load_n(&vgic->gen, __ATOMIC_ACQUIRE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* Nothing pending, nothing in a list register: nothing to do but wipe
     * EOI requests left behind. An injection racing with this check kicks
     * the vCPU, which exits again. */
    if (hyp_vgic_idle(vgic, vcpu)) {
        uint32_t wipe = c->lr_wipe & ((1u << nr) - 1);

        c->lr_wipe = 0;
        for (uint32_t w = wipe; w; w &= w - 1)
            lr[__builtin_ctz(w)] = 0;
        return wipe;
    }
    dist = lock_cpu(vgic, c);

    /* Interrupts already in list registers keep theirs, in the model's state. */
    for (uint32_t used = c->lr_used; used; used &= used - 1) {
        unsigned i = (unsigned)__builtin_ctz(used);
        struct cand cd = {c->lr_irq[i], c->lr_irq[i]->intid, 0};

        cd.state = wanted_state(vgic, cd.irq);
        if (i < nr && cd.state) {
            load(vgic, vcpu, i, &cd, lr, &dirty);
            continue;
        }
        release(vgic, vcpu, i);
        if (i < nr && lr[i] != 0) {
            lr[i] = 0;
            dirty |= 1u << i;
        }
    }

    for (unsigned i = 0; i < nr; i++)
        if (!(c->lr_used & (1u << i)) && lr[i] != 0) {
            lr[i] = 0;
            dirty |= 1u << i;
        }
    c->lr_wipe = 0;

    /* One interrupt waiting and every list register free (a timer tick, an
     * IPI): the first register, without the search below. */
    if (c->lr_used == 0 && c->queued == 1 && nr > 0) {
        struct hyp_vgic_irq *irq = c->pending;

        if (irq->intid < VGIC_SPI_BASE || (irq->flags & VGIC_F_ACTIVE) ||
            vgic_spi_target(vgic, irq->intid - VGIC_SPI_BASE) == vcpu) {
            struct cand cd = {irq, irq->intid, wanted_state(vgic, irq)};

            if (cd.state)
                load(vgic, vcpu, 0, &cd, lr, &dirty);
            else if (!vgic_irq_pending(irq))
                vgic_dequeue(vgic, irq); /* neither pending nor active */
            unlock_cpu(vgic, c, dist);
            return dirty;
        }
    }

    /* Free list registers take the most urgent of the rest. */
    for (unsigned round = 0; more && round < FLUSH_ROUNDS; round++) {
        struct cand cd = pick(vgic, vcpu, &kick, &more);
        int slot = -1;

        if (!cd.irq)
            break;
        for (unsigned i = 0; i < nr && slot < 0; i++)
            if (!(c->lr_used & (1u << i)))
                slot = (int)i;
        if (slot < 0) {
            slot = victim(vgic, vcpu, nr, &cd);
            if (slot < 0) {
                overflow = true;
                break;
            }
            release(vgic, vcpu, (unsigned)slot);
            more = true; /* what it held wants a list register again */
        }
        load(vgic, vcpu, (unsigned)slot, &cd, lr, &dirty);
    }
    if (more)
        overflow = true; /* left over, or the round limit reached */
    if (overflow)
        *ich_hcr |= HYP_ICH_HCR_UIE;
    unlock_cpu(vgic, c, dist);
    vgic_kick(vgic, kick);
    return dirty;
}

void hyp_vgic_sync(struct hyp_vgic *vgic, unsigned vcpu, const uint64_t *lr,
                   unsigned nr_lr)
{
    unsigned nr = nr_lr < HYP_VGIC_MAX_LRS ? nr_lr : HYP_VGIC_MAX_LRS;
    struct hyp_vgic_cpu *c;
    uint32_t kick = 0;
    bool dist;

    if (vcpu >= vgic->vcpu_count || vgic->cpus[vcpu].lr_used == 0)
        return;
    c = &vgic->cpus[vcpu];
    dist = lock_cpu(vgic, c);
    for (uint32_t used = c->lr_used & ((1u << nr) - 1); used; used &= used - 1) {
        unsigned i = (unsigned)__builtin_ctz(used);
        unsigned now = (unsigned)(lr[i] >> HYP_ICH_LR_STATE_SHIFT);
        unsigned was = c->lr_state[i];
        struct hyp_vgic_irq *irq = c->lr_irq[i];

        if ((was & ST_PENDING) && !(now & ST_PENDING)) {
            /* Acknowledged: the latched edge is consumed unless a new one came. */
            if (!(irq->flags & VGIC_F_PEND_NEW))
                irq->flags &= (uint16_t)~VGIC_F_LATCH;
            irq->flags &= (uint16_t)~VGIC_F_PEND_NEW;
        }
        if ((was & ST_ACTIVE) && !(now & ST_ACTIVE))
            irq->flags &= (uint16_t)~VGIC_F_ACTIVE;
        else if (!(was & ST_ACTIVE) && (now & ST_ACTIVE))
            irq->flags |= VGIC_F_ACTIVE;
        c->lr_state[i] = (uint8_t)now;
        if (now == ST_PENDING)
            vgic_resample(vgic, vcpu, irq); /* flush drops it if its line fell */
        if (!now) {
            release(vgic, vcpu, i);
            /* An EOI request left in a free list register keeps the
             * maintenance interrupt asserted: the next flush wipes it. */
            if ((lr[i] & (HYP_ICH_LR_EOI | HYP_ICH_LR_HW)) == HYP_ICH_LR_EOI)
                c->lr_wipe |= 1u << i;
            if (!vgic_irq_pending(irq) && !(irq->flags & VGIC_F_ACTIVE)) {
                /* Done with: off the list now, so that the next entry has
                 * nothing to flush for it (hyp_vgic_needs_flush()). */
                vgic_dequeue(vgic, irq);
            } else if (irq->intid >= VGIC_SPI_BASE && !(irq->flags & VGIC_F_ACTIVE) &&
                       vgic_spi_target(vgic, irq->intid - VGIC_SPI_BASE) != vcpu) {
                /* Done here: an SPI routed elsewhere meanwhile goes there now
                 * (the distributor lock is held: lr_spis counted it). */
                vgic_dequeue(vgic, irq);
                vgic_update(vgic, irq, &kick);
            }
        } else if (wanted_state(vgic, irq) != now) {
            /* Still held, but the model wants it shown otherwise (an edge
             * that came meanwhile, a line that fell): the next flush says so. */
            c->stale = true;
        }
    }
    unlock_cpu(vgic, c, dist);
    vgic_kick(vgic, kick);
}

int hyp_vgic_rearm(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid, uint32_t pintid,
                   uint64_t *lr, unsigned nr_lr)
{
    struct hyp_vgic_cpu *c;
    struct hyp_vgic_irq *irq;
    bool spi = intid >= VGIC_SPI_BASE;
    uint32_t grp;
    unsigned i;
    int ret = -1;

    if (vcpu >= vgic->vcpu_count || (spi && intid - VGIC_SPI_BASE >= vgic->nr_spis))
        return -1;
    c = &vgic->cpus[vcpu];
    irq = spi ? &vgic->spi[intid - VGIC_SPI_BASE] : &c->priv[intid];
    if (spi)
        hyp_spin_lock(&vgic->lock);
    hyp_spin_lock(&c->lock);
    i = irq->lr;
    grp = irq->flags & VGIC_F_GROUP1 ? VGIC_CTLR_GRP1 : VGIC_CTLR_GRP0;
    /* Held by this vCPU, hardware-backed by @pintid, enabled with its group,
     * its register invalid now, nothing changed since the flush that put
     * it there (so the register's other fields are what the model says). */
    if ((irq->flags & (VGIC_F_INLR | VGIC_F_HW | VGIC_F_ENABLED)) ==
            (VGIC_F_INLR | VGIC_F_HW | VGIC_F_ENABLED) &&
        irq->queued == vcpu && i < nr_lr && i < HYP_VGIC_MAX_LRS && c->lr_irq[i] == irq &&
        irq->pintid == pintid && (lr[i] >> HYP_ICH_LR_STATE_SHIFT) == 0 &&
        (vgic_ctlr(vgic) & grp) && !__atomic_load_n(&c->stale, __ATOMIC_RELAXED) &&
        __atomic_load_n(&vgic->gen, __ATOMIC_RELAXED) == c->seen_gen) {
        /* What sync, an injection and a flush would have made of it. */
        irq->flags =
            (uint16_t)((irq->flags | VGIC_F_LATCH) & ~(VGIC_F_ACTIVE | VGIC_F_PEND_NEW));
        c->lr_state[i] = ST_PENDING;
        lr[i] |= HYP_ICH_LR_PENDING;
        ret = (int)i;
    }
    hyp_spin_unlock(&c->lock);
    if (spi)
        hyp_spin_unlock(&vgic->lock);
    return ret;
}

int hyp_vgic_inject_direct(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid,
                           uint32_t pintid, uint64_t *lr, unsigned nr_lr, bool *synced)
{
    unsigned nr = nr_lr < HYP_VGIC_MAX_LRS ? nr_lr : HYP_VGIC_MAX_LRS;
    struct hyp_vgic_irq *irq;
    struct hyp_vgic_cpu *c;
    uint32_t dirty = 0, free_lrs, grp;
    bool spi = intid >= VGIC_SPI_BASE;
    int slot = -1, rc;

    if (vcpu >= vgic->vcpu_count || (pintid != 0 && (pintid < 16 || pintid > 1019)))
        return HYP_EINVAL;
    irq = vgic_irq(vgic, vcpu, intid);
    if (irq == NULL)
        return HYP_EINVAL;
    c = &vgic->cpus[vcpu];
    if (spi)
        hyp_spin_lock(&vgic->lock);
    hyp_spin_lock(&c->lock);
    if (!*synced) {
        hyp_spin_unlock(&c->lock);
        if (spi)
            hyp_spin_unlock(&vgic->lock);
        hyp_vgic_sync(vgic, vcpu, lr, nr);
        *synced = true;
        if (spi)
            hyp_spin_lock(&vgic->lock);
        hyp_spin_lock(&c->lock);
    }
    free_lrs = ~c->lr_used & ((1u << nr) - 1);
    grp = irq->flags & VGIC_F_GROUP1 ? VGIC_CTLR_GRP1 : VGIC_CTLR_GRP0;
    /* Idle, enabled with its group, an edge or hardware-backed, routed
     * here, and a vCPU whose list registers show all it has: then a flush
     * would put it, alone, in the first free list register. */
    if (free_lrs != 0 && !hyp_vgic_needs_flush(vgic, vcpu) &&
        !(irq->flags & (VGIC_F_INLR | VGIC_F_ACTIVE | VGIC_F_LATCH)) &&
        irq->queued == VGIC_NO_TARGET && (irq->flags & VGIC_F_ENABLED) &&
        (vgic_ctlr(vgic) & grp) && (pintid != 0 || (irq->flags & VGIC_F_EDGE)) &&
        (!spi || vgic_spi_target(vgic, intid - VGIC_SPI_BASE) == vcpu)) {
        struct cand cd = {irq, intid, ST_PENDING};

        irq->flags |= VGIC_F_LATCH;
        if (pintid != 0) {
            irq->flags |= VGIC_F_HW;
            irq->pintid = (uint16_t)pintid;
        } else {
            irq->flags &= (uint16_t)~VGIC_F_HW;
            irq->pintid = 0;
        }
        slot = __builtin_ctz(free_lrs);
        vgic_list_add(vgic, vcpu, irq);
        load(vgic, vcpu, (unsigned)slot, &cd, lr, &dirty);
    }
    hyp_spin_unlock(&c->lock);
    if (spi)
        hyp_spin_unlock(&vgic->lock);
    if (slot >= 0)
        return slot;
    rc = hyp_vgic_inject(vgic, vcpu, intid, true, pintid);
    return rc == HYP_OK ? HYP_VGIC_QUEUED : rc;
}

uint32_t hyp_vgic_lr_to_gich(uint64_t v)
{
    return vgic_lr_to_gich(v);
}

uint64_t hyp_vgic_lr_from_gich(uint64_t written, uint32_t gich)
{
    return vgic_lr_from_gich(written, gich);
}
