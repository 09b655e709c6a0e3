/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual GICv3 list-register bookkeeping, as pure functions over an array of
 * ICH_LR<n>_EL2 values.
 *
 * Each vCPU remembers which INTID it put in each list register and in which
 * state (hyp_vgic_cpu::lr_intid, lr_state). hyp_vgic_sync() compares that with
 * what the guest left there: pending -> not pending means acknowledged,
 * active -> not active means deactivated; everything else the model already
 * knows. hyp_vgic_flush() then rewrites every list register from the model,
 * so changes made meanwhile (MMIO, injections from other CPUs) take effect.
 *
 * An edge that arrives while its interrupt sits in a list register sets
 * VGIC_F_PEND_NEW: if the guest acknowledged the interrupt before the next
 * sync, the edge is kept and delivered again instead of being merged (at worst
 * one extra interrupt, never a lost one).
 */
#include <stddef.h>
#include <hyp/vgic.h>
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

static void consider(const struct hyp_vgic *vgic, struct hyp_vgic_irq *irq,
                     uint32_t intid, struct cand *best)
{
    struct cand c = {irq, intid, 0};

    if (irq->flags & VGIC_F_INLR)
        return;
    c.state = wanted_state(vgic, irq);
    if (c.state && (!best->irq || better(&c, best)))
        *best = c;
}

/* The interrupt of @vcpu not in a list register that most needs one. */
static struct cand pick(struct hyp_vgic *vgic, unsigned vcpu)
{
    struct cand best = {NULL, 0, 0};

    for (uint32_t i = 0; i < HYP_VGIC_NR_PRIVATE; i++)
        consider(vgic, &vgic->cpus[vcpu].priv[i], i, &best);
    for (unsigned s = 0; s < vgic->nr_spis; s++)
        if (!(vgic->spi[s].flags & VGIC_F_INLR) && vgic_spi_target(vgic, s) == vcpu)
            consider(vgic, &vgic->spi[s], VGIC_SPI_BASE + s, &best);
    return best;
}

static void release(struct hyp_vgic *vgic, unsigned vcpu, unsigned i, uint64_t *lr)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[vcpu];
    struct hyp_vgic_irq *irq = vgic_irq(vgic, vcpu, c->lr_intid[i]);

    if (irq)
        irq->flags &= (uint16_t) ~(VGIC_F_INLR | VGIC_F_PEND_NEW);
    c->lr_used &= ~(1u << i);
    c->lr_state[i] = 0;
    if (lr)
        lr[i] = 0;
}

static void load(struct hyp_vgic *vgic, unsigned vcpu, unsigned i, const struct cand *cd,
                 uint64_t *lr)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[vcpu];

    cd->irq->flags |= VGIC_F_INLR;
    if (cd->state & ST_PENDING) /* the list register now carries every edge seen */
        cd->irq->flags &= (uint16_t)~VGIC_F_PEND_NEW;
    cd->irq->lr = (uint8_t)i;
    cd->irq->lr_vcpu = (uint8_t)vcpu;
    c->lr_used |= 1u << i;
    c->lr_intid[i] = (uint16_t)cd->intid;
    c->lr_state[i] = (uint8_t)cd->state;
    lr[i] = lr_value(cd->irq, cd->intid, cd->state);
}

/* A pending-only list register holding something less urgent than @cd, or -1. */
static int victim(struct hyp_vgic *vgic, unsigned vcpu, unsigned nr,
                  const struct cand *cd)
{
    struct hyp_vgic_cpu *c = &vgic->cpus[vcpu];
    int worst = -1;
    struct cand wc = {NULL, 0, 0};

    for (unsigned i = 0; i < nr; i++) {
        struct cand lc = {vgic_irq(vgic, vcpu, c->lr_intid[i]), c->lr_intid[i],
                          c->lr_state[i]};

        if (!(c->lr_used & (1u << i)) || lc.state != ST_PENDING || !lc.irq)
            continue;
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

void hyp_vgic_flush(struct hyp_vgic *vgic, unsigned vcpu, uint64_t *lr, unsigned nr_lr,
                    uint64_t *ich_hcr)
{
    unsigned nr = nr_lr < HYP_VGIC_MAX_LRS ? nr_lr : HYP_VGIC_MAX_LRS;
    bool overflow = false;
    struct hyp_vgic_cpu *c;

    *ich_hcr = HYP_ICH_HCR_EN;
    if (vcpu >= vgic->vcpu_count) {
        for (unsigned i = 0; i < nr; i++)
            lr[i] = 0;
        return;
    }
    c = &vgic->cpus[vcpu];
    hyp_spin_lock(&vgic->lock);

    /* Interrupts already in list registers keep theirs, in the model's state. */
    for (unsigned i = 0; i < HYP_VGIC_MAX_LRS; i++) {
        struct cand cd;

        if (!(c->lr_used & (1u << i))) {
            if (i < nr)
                lr[i] = 0;
            continue;
        }
        cd.intid = c->lr_intid[i];
        cd.irq = vgic_irq(vgic, vcpu, cd.intid);
        cd.state = cd.irq ? wanted_state(vgic, cd.irq) : 0;
        if (i >= nr || !cd.state)
            release(vgic, vcpu, i, i < nr ? lr : NULL);
        else
            load(vgic, vcpu, i, &cd, lr);
    }

    /* Free list registers take the most urgent of the rest. */
    for (unsigned round = 0; round < FLUSH_ROUNDS; round++) {
        struct cand cd = pick(vgic, vcpu);
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
            release(vgic, vcpu, (unsigned)slot, lr);
        }
        load(vgic, vcpu, (unsigned)slot, &cd, lr);
    }
    if (!overflow && pick(vgic, vcpu).irq)
        overflow = true; /* round limit reached */
    if (overflow)
        *ich_hcr |= HYP_ICH_HCR_UIE;
    hyp_spin_unlock(&vgic->lock);
}

void hyp_vgic_sync(struct hyp_vgic *vgic, unsigned vcpu, const uint64_t *lr,
                   unsigned nr_lr)
{
    unsigned nr = nr_lr < HYP_VGIC_MAX_LRS ? nr_lr : HYP_VGIC_MAX_LRS;
    struct hyp_vgic_cpu *c;

    if (vcpu >= vgic->vcpu_count)
        return;
    c = &vgic->cpus[vcpu];
    hyp_spin_lock(&vgic->lock);
    for (unsigned i = 0; i < nr; i++) {
        unsigned now = (unsigned)(lr[i] >> HYP_ICH_LR_STATE_SHIFT);
        unsigned was = c->lr_state[i];
        struct hyp_vgic_irq *irq;

        if (!(c->lr_used & (1u << i)))
            continue;
        irq = vgic_irq(vgic, vcpu, c->lr_intid[i]);
        if (!irq) {
            release(vgic, vcpu, i, NULL);
            continue;
        }
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
        if (!now)
            release(vgic, vcpu, i, NULL);
    }
    hyp_spin_unlock(&vgic->lock);
}
