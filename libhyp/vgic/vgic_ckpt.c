/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The GICv3 model's checkpoint record (docs/checkpoint.md): written from,
 * checked against and restored into struct hyp_vgic. Stored flags are the
 * format's (CKPT_IRQ_*), not the model's own bits, so that the model may
 * change its bookkeeping without changing the format.
 */
#include <string.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>

#include "../vm/ckpt_internal.h"
#include "vgic_internal.h"

#define CTLR_ALL (VGIC_CTLR_GRP0 | VGIC_CTLR_GRP1 | VGIC_CTLR_ARE | VGIC_CTLR_DS)

static uint32_t to_ckpt(const struct hyp_vgic_irq *irq)
{
    uint32_t f = irq->flags, out = 0;

    out |= (f & VGIC_F_ENABLED) ? CKPT_IRQ_ENABLED : 0;
    out |= (f & VGIC_F_ACTIVE) ? CKPT_IRQ_ACTIVE : 0;
    out |= (f & VGIC_F_GROUP1) ? CKPT_IRQ_GROUP1 : 0;
    out |= (f & VGIC_F_EDGE) ? CKPT_IRQ_EDGE : 0;
    /* A hardware-backed interrupt's pending state belongs to its source,
     * which the restored VM asserts again; only software state is kept. */
    if (!(f & VGIC_F_HW)) {
        out |= (f & VGIC_F_LATCH) ? CKPT_IRQ_PENDING : 0;
        out |= (f & VGIC_F_LINE) ? CKPT_IRQ_LINE : 0;
    }
    return out;
}

static uint16_t from_ckpt(uint32_t c)
{
    uint16_t f = 0;

    f |= (c & CKPT_IRQ_ENABLED) ? VGIC_F_ENABLED : 0;
    f |= (c & CKPT_IRQ_PENDING) ? VGIC_F_LATCH : 0;
    f |= (c & CKPT_IRQ_LINE) ? VGIC_F_LINE : 0;
    f |= (c & CKPT_IRQ_ACTIVE) ? VGIC_F_ACTIVE : 0;
    f |= (c & CKPT_IRQ_GROUP1) ? VGIC_F_GROUP1 : 0;
    f |= (c & CKPT_IRQ_EDGE) ? VGIC_F_EDGE : 0;
    return f;
}

static void put_irq(struct hyp_ckpt_writer *w, const struct hyp_vgic_irq *irq)
{
    uint8_t b[CKPT_VGIC_IRQ] = {0};

    ckpt_put32(b, to_ckpt(irq) | (uint32_t)irq->priority << 16);
    ckpt_put(w, b, sizeof(b));
}

int hyp_ckpt_write_vgic(struct hyp_ckpt_writer *w, const struct hyp_vgic *vgic)
{
    uint8_t b[CKPT_VGIC_HEAD] = {0};

    if (w->error)
        return w->error;
    /* Version 1 of the format holds a GICv3 only (docs/checkpoint.md). */
    if (w->vgic_done || vgic->version == 2 || vgic->vcpu_count != w->hdr.fp.vcpu_count ||
        vgic->nr_spis != w->hdr.fp.nr_spis) {
        w->error = HYP_EINVAL;
        return w->error;
    }
    w->vgic_done = true;
    ckpt_record(w, CKPT_REC_VGIC, 0, ckpt_vgic_size(vgic->vcpu_count, vgic->nr_spis));
    ckpt_put32(b, vgic->vcpu_count);
    ckpt_put32(b + 4, vgic->nr_spis);
    ckpt_put32(b + 8, vgic->ctlr & CTLR_ALL);
    ckpt_put(w, b, sizeof(b));
    for (unsigned i = 0; i < vgic->vcpu_count; i++) {
        const struct hyp_vgic_cpu *c = &vgic->cpus[i];
        uint8_t h[16] = {0};

        ckpt_put64(h, c->mpidr);
        ckpt_put32(h + 8, c->waker);
        ckpt_put(w, h, sizeof(h));
        for (unsigned n = 0; n < HYP_VGIC_NR_PRIVATE; n++)
            put_irq(w, &c->priv[n]);
    }
    for (unsigned s = 0; s < vgic->nr_spis; s++) {
        uint8_t r[8];

        put_irq(w, &vgic->spi[s]);
        ckpt_put64(r, vgic->irouter[s]);
        ckpt_put(w, r, sizeof(r));
    }
    return w->error;
}

/* One stored interrupt of INTID @intid: 0, or -1 with the reason set. */
static int check_irq(struct hyp_ckpt *ck, const uint8_t *p, unsigned cpu, unsigned intid)
{
    uint32_t word = ckpt_get32(p), flags = word & 0xffff;

    if ((word >> 24) != 0 || ckpt_get32(p + 4) != 0 || (flags & ~CKPT_IRQ_ALL) != 0) {
        ckpt_fail(ck, "vgic record: INTID %u (vCPU %u) has unknown flags 0x%x", intid,
                  cpu, word & 0xff00ffffu);
        return -1;
    }
    if (intid < 16 && !(flags & CKPT_IRQ_EDGE)) {
        ckpt_fail(ck, "vgic record: SGI %u (vCPU %u) is not edge-triggered", intid, cpu);
        return -1;
    }
    return 0;
}

int ckpt_vgic_check(struct hyp_ckpt *ck, const uint8_t *p)
{
    const struct hyp_ckpt_fingerprint *fp = &ck->hdr.fp;
    uint32_t ctlr = ckpt_get32(p + 8);

    if (ckpt_get32(p) != fp->vcpu_count || ckpt_get32(p + 4) != fp->nr_spis ||
        ckpt_get32(p + 12) != 0)
        return ckpt_fail(ck, "vgic record: its counts differ from the header's"), -1;
    if ((ctlr & ~CTLR_ALL) ||
        (ctlr & (VGIC_CTLR_ARE | VGIC_CTLR_DS)) != (VGIC_CTLR_ARE | VGIC_CTLR_DS))
        return ckpt_fail(ck, "vgic record: GICD_CTLR 0x%x not possible", ctlr), -1;
    p += CKPT_VGIC_HEAD;
    for (unsigned i = 0; i < fp->vcpu_count; i++, p += CKPT_VGIC_CPU) {
        if ((ckpt_get32(p + 8) & ~(uint32_t)(VGIC_WAKER_PS | VGIC_WAKER_CA)) ||
            ckpt_get32(p + 12) != 0)
            return ckpt_fail(ck, "vgic record: vCPU %u GICR_WAKER 0x%x not possible", i,
                             ckpt_get32(p + 8)),
                   -1;
        for (unsigned n = 0; n < HYP_VGIC_NR_PRIVATE; n++)
            if (check_irq(ck, p + 16 + n * CKPT_VGIC_IRQ, i, n))
                return -1;
    }
    for (unsigned s = 0; s < fp->nr_spis; s++, p += CKPT_VGIC_SPI) {
        uint64_t irouter = ckpt_get64(p + CKPT_VGIC_IRQ);

        if (check_irq(ck, p, 0, VGIC_SPI_BASE + s))
            return -1;
        if (irouter & ~VGIC_IROUTER_MASK)
            return ckpt_fail(ck, "vgic record: INTID %u GICD_IROUTER 0x%llx not possible",
                             VGIC_SPI_BASE + s, (unsigned long long)irouter),
                   -1;
    }
    return 0;
}

static void restore_irq(struct hyp_vgic_irq *irq, const uint8_t *p)
{
    uint32_t word = ckpt_get32(p);

    irq->flags = from_ckpt(word & 0xffff);
    irq->priority = (uint8_t)(word >> 16);
    irq->pintid = 0;
}

int hyp_ckpt_restore_vgic(struct hyp_ckpt *ck, struct hyp_vgic *vgic)
{
    const uint8_t *p = ck->vgic + CKPT_VGIC_HEAD, *cpu = p;
    uint32_t kick = 0;

    if (vgic->version == 2)
        return ckpt_fail(ck, "vgic: the VM's GIC is a GICv2; checkpoints hold a GICv3"),
               HYP_ENOTSUP;
    if (vgic->vcpu_count != ck->hdr.fp.vcpu_count || vgic->nr_spis != ck->hdr.fp.nr_spis)
        return ckpt_fail(ck,
                         "vgic: the VM's GIC has %u vCPUs and %u SPIs, the "
                         "checkpoint's %u and %u",
                         vgic->vcpu_count, vgic->nr_spis, ck->hdr.fp.vcpu_count,
                         ck->hdr.fp.nr_spis),
               HYP_EINVAL;
    for (unsigned i = 0; i < vgic->vcpu_count; i++, cpu += CKPT_VGIC_CPU)
        if (ckpt_get64(cpu) != vgic->cpus[i].mpidr)
            return ckpt_fail(ck,
                             "vgic: vCPU %u has affinity 0x%llx, the checkpoint's 0x%llx",
                             i, (unsigned long long)vgic->cpus[i].mpidr,
                             (unsigned long long)ckpt_get64(cpu)),
                   HYP_EINVAL;

    hyp_spin_lock(&vgic->lock);
    vgic->ctlr = ckpt_get32(ck->vgic + 8);
    for (unsigned i = 0; i < vgic->vcpu_count; i++, p += CKPT_VGIC_CPU) {
        struct hyp_vgic_cpu *c = &vgic->cpus[i];

        hyp_spin_lock(&c->lock);
        c->waker = ckpt_get32(p + 8);
        for (unsigned n = 0; n < HYP_VGIC_NR_PRIVATE; n++) {
            restore_irq(&c->priv[n], p + 16 + n * CKPT_VGIC_IRQ);
            vgic_update(vgic, &c->priv[n], &kick);
        }
        hyp_spin_unlock(&c->lock);
    }
    for (unsigned s = 0; s < vgic->nr_spis; s++, p += CKPT_VGIC_SPI) {
        restore_irq(&vgic->spi[s], p);
        vgic->irouter[s] = ckpt_get64(p + CKPT_VGIC_IRQ);
        vgic_spi_retarget(vgic, s);
        vgic_update(vgic, &vgic->spi[s], &kick);
    }
    vgic_bump_gen(vgic);
    hyp_spin_unlock(&vgic->lock);
    return HYP_OK;
}

static void count_irq(struct hyp_ckpt_vgic_stats *st, uint32_t word)
{
    st->enabled += (word & CKPT_IRQ_ENABLED) != 0;
    st->pending += (word & (CKPT_IRQ_PENDING | CKPT_IRQ_LINE)) != 0;
    st->active += (word & CKPT_IRQ_ACTIVE) != 0;
}

void hyp_ckpt_vgic_stats(const struct hyp_ckpt *ck, struct hyp_ckpt_vgic_stats *st)
{
    const uint8_t *p = ck->vgic + CKPT_VGIC_HEAD;

    memset(st, 0, sizeof(*st));
    st->ctlr = ckpt_get32(ck->vgic + 8);
    for (unsigned i = 0; i < ck->hdr.fp.vcpu_count; i++, p += CKPT_VGIC_CPU)
        for (unsigned n = 0; n < HYP_VGIC_NR_PRIVATE; n++)
            count_irq(st, ckpt_get32(p + 16 + n * CKPT_VGIC_IRQ));
    for (unsigned s = 0; s < ck->hdr.fp.nr_spis; s++, p += CKPT_VGIC_SPI)
        count_irq(st, ckpt_get32(p));
}
