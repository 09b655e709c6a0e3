/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual GICv3 register model: the distributor frame and the RD_base and
 * SGI_base frames of every redistributor (offsets from IHI 0069, chapter 12);
 * and the GICv2 distributor, whose private interrupts are banked per
 * accessing vCPU (IHI 0048B, chapter 4).
 *
 * Each access is first classified by the widths its register allows; a
 * width outside that set is refused with HYP_EINVAL before any state is
 * touched. Distributor accesses take the distributor lock (but reads of its
 * constant registers, which take none); redistributor accesses take that
 * vCPU's lock. Private interrupts (INTIDs 0..31) are reached only through the
 * redistributors: the distributor's banked words for them are RAZ/WI, as
 * with affinity routing enabled.
 */
#include <stddef.h>
#include <hyp/error.h>
#include <hyp/vcpu.h>
#include <hyp/vgic.h>
#include "vgic_internal.h"

/* Distributor offsets. */
#define GICD_CTLR        0x0000u
#define GICD_TYPER       0x0004u
#define GICD_IIDR        0x0008u
#define GICD_TYPER2      0x000cu
#define GICD_IGROUPR     0x0080u
#define GICD_ISENABLER   0x0100u
#define GICD_ICENABLER   0x0180u
#define GICD_ISPENDR     0x0200u
#define GICD_ICPENDR     0x0280u
#define GICD_ISACTIVER   0x0300u
#define GICD_ICACTIVER   0x0380u
#define GICD_IPRIORITYR  0x0400u
#define GICD_ITARGETSR   0x0800u
#define GICD_ICFGR       0x0c00u
#define GICD_SGIR        0x0f00u
#define GICD_CPENDSGIR   0x0f10u
#define GICD_SPENDSGIR   0x0f20u
#define GICD_IROUTER     0x6000u
#define GICD_IROUTER_END 0x7fe0u /* INTID 1020 */

/* Redistributor RD_base offsets. */
#define GICR_CTLR      0x0000u
#define GICR_IIDR      0x0004u
#define GICR_TYPER     0x0008u
#define GICR_WAKER     0x0014u
#define GICR_SETLPIR   0x0040u
#define GICR_CLRLPIR   0x0048u
#define GICR_PROPBASER 0x0070u
#define GICR_PENDBASER 0x0078u
#define GICR_INVLPIR   0x00a0u
#define GICR_INVALLR   0x00b0u
#define GICR_SGI_BASE  0x10000u

/* Redistributor SGI_base offsets (same layout as the distributor's word 0). */
#define GICR_ICFGR0 0x0c00u
#define GICR_ICFGR1 0x0c04u

/* Identification registers, common to both frames. */
#define ID_BASE     0xffd0u
#define ID_PIDR2    0xffe8u
#define PIDR2_GICV3 0x3bu /* ArchRev 3, JEDEC, DES_1 = 3 */
#define PIDR2_GICV2 0x2bu /* ArchRev 2 */
/* GICv2: the identification registers end the 4 KiB frame. */
#define V2_ID_BASE  0x0fd0u
#define V2_ID_OFF   0xf000u /* V2 offset + this = the GICv3 frame's offset */

/* GICD_TYPER fields. */
#define TYPER_IDBITS_10 (9u << 19)
#define TYPER_A3V       (1u << 24)
#define TYPER_RSS       (1u << 26)

/* GICR_TYPER fields. */
#define GICR_TYPER_LAST (1ull << 4)

/* GICD_IIDR and GICR_IIDR: ProductID 'H', implementer code 0 (a software model). */
#define VGIC_IIDR 0x48000000u

#define SZ1 (1u << 1)
#define SZ4 (1u << 4)
#define SZ8 (1u << 8)

enum bitreg {
    BR_GROUP,
    BR_SENABLE,
    BR_CENABLE,
    BR_SPEND,
    BR_CPEND,
    BR_SACTIVE,
    BR_CACTIVE
};

struct access {
    struct hyp_vgic *vgic;
    unsigned vcpu; /* the accessing vCPU */
    unsigned rd;   /* redistributor whose private interrupts are addressed */
    unsigned size; /* 1, 4 or 8 */
    bool write;
    uint64_t val; /* value written or read */
    uint32_t kick;
};

static uint32_t id_reg(uint32_t off)
{
    static const uint8_t cidr[4] = {0x0d, 0xf0, 0x05, 0xb1};

    if (off == ID_PIDR2)
        return PIDR2_GICV3;
    if (off == ID_PIDR2 - V2_ID_OFF)
        return PIDR2_GICV2;
    if (off < ID_BASE) /* GICv2 */
        off += V2_ID_OFF;
    if (off >= 0xfff0u)
        return cidr[(off - 0xfff0u) / 4];
    return 0;
}

/* Allowed access sizes of the 8-bit-accessible arrays and 64-bit registers. */
static unsigned gicd_widths(uint32_t off)
{
    if (off >= GICD_IPRIORITYR && off < GICD_ICFGR)
        return SZ1 | SZ4; /* IPRIORITYR, ITARGETSR */
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10)
        return SZ1 | SZ4;
    if (off >= GICD_IROUTER && off < GICD_IROUTER_END)
        return SZ4 | SZ8;
    return SZ4;
}

static unsigned gicr_widths(uint32_t off)
{
    switch (off & ~7u) {
    case GICR_TYPER:
    case GICR_SETLPIR:
    case GICR_CLRLPIR:
    case GICR_PROPBASER:
    case GICR_PENDBASER:
    case GICR_INVLPIR:
    case GICR_INVALLR:
        return SZ4 | SZ8;
    default:
        break;
    }
    if (off >= GICR_SGI_BASE + GICD_IPRIORITYR &&
        off < GICR_SGI_BASE + GICD_IPRIORITYR + 32)
        return SZ1 | SZ4;
    return SZ4;
}

static bool bitreg_get(const struct hyp_vgic_irq *irq, enum bitreg kind)
{
    switch (kind) {
    case BR_GROUP:
        return irq->flags & VGIC_F_GROUP1;
    case BR_SENABLE:
    case BR_CENABLE:
        return irq->flags & VGIC_F_ENABLED;
    case BR_SPEND:
    case BR_CPEND:
        return vgic_irq_pending(irq);
    default:
        return irq->flags & VGIC_F_ACTIVE;
    }
}

static void bitreg_set(struct hyp_vgic *vgic, struct hyp_vgic_irq *irq, enum bitreg kind,
                       bool bit)
{
    switch (kind) {
    case BR_GROUP:
        if (bit)
            irq->flags |= VGIC_F_GROUP1;
        else
            irq->flags &= (uint16_t)~VGIC_F_GROUP1;
        break;
    case BR_SENABLE:
        if (bit)
            irq->flags |= VGIC_F_ENABLED;
        break;
    case BR_CENABLE:
        if (bit)
            irq->flags &= (uint16_t)~VGIC_F_ENABLED;
        break;
    case BR_SPEND:
        if (bit)
            vgic_set_latch(vgic, irq);
        break;
    case BR_CPEND:
        /* A level-sensitive line still high keeps the interrupt pending. */
        if (bit)
            vgic_clear_latch(vgic, irq);
        break;
    case BR_SACTIVE:
        if (bit)
            irq->flags |= VGIC_F_ACTIVE;
        break;
    case BR_CACTIVE:
        if (bit)
            vgic_clear_active(vgic, irq);
        break;
    }
}

/* One 32-bit word of a one-bit-per-INTID register, INTIDs first..first+31. */
static void bitreg(struct access *a, uint32_t first, enum bitreg kind)
{
    uint32_t word = 0;

    for (unsigned i = 0; i < 32; i++) {
        struct hyp_vgic_irq *irq = vgic_irq(a->vgic, a->rd, first + i);

        if (!irq)
            continue;
        if (a->write) {
            bitreg_set(a->vgic, irq, kind, (a->val >> i) & 1);
            if ((a->val >> i) & 1)
                vgic_update(a->vgic, irq, &a->kick);
            continue;
        }
        /* What the guest reads of a hardware line is its level now; a PPI's
         * source can be read only on its own vCPU's CPU. */
        if ((kind == BR_SPEND || kind == BR_CPEND) &&
            (first + i >= VGIC_SPI_BASE || a->rd == a->vcpu))
            vgic_resample(a->vgic, a->rd, irq);
        if (bitreg_get(irq, kind)) {
            word |= 1u << i;
        }
    }
    if (!a->write)
        a->val = word;
}

/* IPRIORITYR bytes for INTIDs first..first+size-1. */
static void priority(struct access *a, uint32_t first)
{
    uint64_t out = 0;

    for (unsigned i = 0; i < a->size; i++) {
        struct hyp_vgic_irq *irq = vgic_irq(a->vgic, a->rd, first + i);

        if (!irq)
            continue;
        if (a->write) {
            irq->priority = (uint8_t)(a->val >> (8 * i));
            vgic_update(a->vgic, irq, &a->kick);
        } else {
            out |= (uint64_t)irq->priority << (8 * i);
        }
    }
    if (!a->write)
        a->val = out;
}

/* ICFGR word for INTIDs first..first+15: Int_config[1] (bit 2n+1) is edge. */
static void config(struct access *a, uint32_t first)
{
    uint32_t word = 0;

    for (unsigned i = 0; i < 16; i++) {
        struct hyp_vgic_irq *irq = vgic_irq(a->vgic, a->rd, first + i);

        if (!irq)
            continue;
        if (a->write && first + i >= 16) { /* SGIs stay edge-triggered */
            if ((a->val >> (2 * i + 1)) & 1)
                irq->flags |= VGIC_F_EDGE;
            else
                irq->flags &= (uint16_t)~VGIC_F_EDGE;
            vgic_update(a->vgic, irq, &a->kick);
        }
        if (irq->flags & VGIC_F_EDGE)
            word |= 2u << (2 * i);
    }
    if (!a->write)
        a->val = word;
}

/* A 64-bit register at offset `reg` accessed at `off` as a whole or as a half. */
static uint64_t half64(struct access *a, uint32_t off, uint32_t reg, uint64_t cur)
{
    unsigned shift = (off - reg) * 8;

    if (!a->write) {
        a->val = a->size == 8 ? cur : (cur >> shift) & 0xffffffffu;
        return cur;
    }
    if (a->size == 8)
        return a->val;
    return (cur & ~(0xffffffffull << shift)) | (a->val & 0xffffffffu) << shift;
}

static void irouter(struct access *a, uint32_t off)
{
    struct hyp_vgic *vgic = a->vgic;
    uint32_t intid = (off - GICD_IROUTER) / 8;
    unsigned spi = intid - VGIC_SPI_BASE;
    uint64_t v;

    if (intid < VGIC_SPI_BASE || spi >= vgic->nr_spis) {
        a->val = 0; /* reserved: RAZ/WI */
        return;
    }
    v = half64(a, off, GICD_IROUTER + intid * 8, vgic->irouter[spi]);
    if (a->write) {
        vgic->irouter[spi] = v & VGIC_IROUTER_MASK;
        vgic_spi_retarget(vgic, spi);
        vgic_update(vgic, &vgic->spi[spi], &a->kick);
    }
}

uint32_t vgic_typer(const struct hyp_vgic *vgic)
{
    uint32_t v = vgic->nr_spis / 32 | TYPER_IDBITS_10 | TYPER_A3V;

    if (vgic->version == 2) /* ITLinesNumber, CPUNumber */
        return vgic->nr_spis / 32 | (uint32_t)(vgic->vcpu_count - 1) << 5;

    for (unsigned i = 0; i < vgic->vcpu_count; i++)
        if ((vgic->cpus[i].mpidr & 0xff) > 15)
            v |= TYPER_RSS;
    return v;
}

/* The bit registers in offset order, 0x80 bytes apart from GICD_IGROUPR on. */
static const enum bitreg bitreg_kinds[7] = {BR_GROUP, BR_SENABLE, BR_CENABLE, BR_SPEND,
                                            BR_CPEND, BR_SACTIVE, BR_CACTIVE};

/* The words of GICD_IGROUPR .. GICD_ICACTIVER and GICR_IGROUPR0 .. ICACTIVER0. */
static bool bitregs(struct access *a, uint32_t off, bool private_only)
{
    uint32_t n;

    if (off < GICD_IGROUPR || off >= GICD_IPRIORITYR)
        return false;
    n = (off & 0x7f) / 4;
    /* Word 0 (private INTIDs) lives in the redistributors; the rest in the distributor.
     */
    if ((n == 0) != private_only)
        return false;
    bitreg(a, n * 32, bitreg_kinds[(off - GICD_IGROUPR) / 0x80]);
    return true;
}

/* GICD_CTLR, TYPER and IIDR, as both versions have them (a GICv3's CTLR
 * keeps ARE and DS set). Returns false for another offset. */
static bool gicd_common(struct access *a, uint32_t off)
{
    struct hyp_vgic *vgic = a->vgic;

    switch (off) {
    case GICD_CTLR:
        if (a->write) {
            uint32_t old = vgic->ctlr;
            uint32_t now = (uint32_t)a->val & (VGIC_CTLR_GRP0 | VGIC_CTLR_GRP1);

            if (vgic->version != 2)
                now |= VGIC_CTLR_ARE | VGIC_CTLR_DS;
            __atomic_store_n(&vgic->ctlr, now, __ATOMIC_RELAXED);
            if (old != now)
                a->kick |= (uint32_t)((1ull << vgic->vcpu_count) - 1);
        }
        a->val = vgic->ctlr;
        return true;
    case GICD_TYPER:
        a->val = vgic->typer;
        return true;
    case GICD_IIDR:
        a->val = VGIC_IIDR;
        return true;
    default:
        return false;
    }
}

static void gicd_access(struct access *a, uint32_t off)
{
    if (bitregs(a, off, false))
        return;
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
        if (off - GICD_IPRIORITYR >= VGIC_SPI_BASE)
            priority(a, off - GICD_IPRIORITYR);
        else if (!a->write)
            a->val = 0;
        return;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100 && off - GICD_ICFGR >= 8) {
        config(a, (off - GICD_ICFGR) / 4 * 16);
        return;
    }
    if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
        irouter(a, off);
        return;
    }
    if (gicd_common(a, off))
        return;
    /* TYPER2, STATUSR, ITARGETSR, IGRPMODR, NSACR, SGIR, [CS]PENDSGIR, reserved. */
    a->val = off >= ID_BASE ? id_reg(off) : 0;
}

static uint64_t gicr_typer(const struct hyp_vgic *vgic, unsigned rd)
{
    uint64_t m = vgic->cpus[rd].mpidr;
    uint64_t aff = (m >> 8 & 0xffff) | (m >> 32 & 0xff) << 16; /* Aff3.Aff2.Aff1 */
    uint64_t v = (aff << 8 | (m & 0xff)) << 32 | (uint64_t)rd << 8;

    if (rd == vgic->vcpu_count - 1)
        v |= GICR_TYPER_LAST;
    return v;
}

static void gicr_rd_access(struct access *a, uint32_t off)
{
    struct hyp_vgic_cpu *c = &a->vgic->cpus[a->rd];

    switch (off) {
    case GICR_IIDR:
        a->val = VGIC_IIDR;
        return;
    case GICR_TYPER:
    case GICR_TYPER + 4:
        half64(a, off, GICR_TYPER, gicr_typer(a->vgic, a->rd)); /* read-only */
        return;
    case GICR_WAKER:
        if (a->write) /* ChildrenAsleep follows ProcessorSleep at once */
            __atomic_store_n(&c->waker,
                             a->val & VGIC_WAKER_PS ? VGIC_WAKER_PS | VGIC_WAKER_CA : 0,
                             __ATOMIC_RELAXED);
        a->val = c->waker;
        return;
    default:
        break;
    }
    /* CTLR (no LPIs), STATUSR, the LPI registers, SYNCR (never busy), reserved. */
    a->val = off >= ID_BASE ? id_reg(off) : 0;
}

static void gicr_sgi_access(struct access *a, uint32_t off)
{
    if (bitregs(a, off, true))
        return;
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32) {
        priority(a, off - GICD_IPRIORITYR);
        return;
    }
    if (off == GICR_ICFGR0 || off == GICR_ICFGR1) {
        config(a, (off - GICR_ICFGR0) / 4 * 16);
        return;
    }
    /* IGRPMODR0, NSACR, extended PPI ranges and reserved space: RAZ/WI. */
    a->val = off >= ID_BASE ? id_reg(off) : 0;
}

/* Width, alignment and vCPU checks common to both frames. */
static inline bool access_ok(const struct hyp_vgic *vgic, unsigned vcpu, uint32_t off,
                             unsigned size, const uint64_t *val)
{
    return vcpu < vgic->vcpu_count && val != NULL &&
           (size == 1 || size == 4 || size == 8) && (off & (size - 1)) == 0;
}

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* The distributor registers with state: under the distributor lock. */
static __attribute__((noinline)) int gicd_locked(struct hyp_vgic *vgic, unsigned vcpu,
                                                 uint32_t off, unsigned size, bool write,
                                                 uint64_t *val)
{
    struct access a = {.vgic = vgic, .vcpu = vcpu, .size = size, .write = write};

    a.val = write ? *val & size_mask(size) : 0;
    hyp_spin_lock(&vgic->lock);
    gicd_access(&a, off);
    vgic_bump_gen(vgic);
    hyp_spin_unlock(&vgic->lock);
    vgic_kick(vgic, a.kick);
    if (!write)
        *val = a.val & size_mask(size);
    return HYP_OK;
}

/* ---- GICv2 distributor ----------------------------------------------------- */

/* GICD_ITARGETSR bytes for INTIDs first..first+size-1: the private ones read
 * as the accessing vCPU's own bit. */
static void targets(struct access *a, uint32_t first)
{
    struct hyp_vgic *vgic = a->vgic;
    uint64_t out = 0;

    for (unsigned i = 0; i < a->size; i++) {
        uint32_t intid = first + i;
        unsigned spi = intid - VGIC_SPI_BASE;

        if (intid < VGIC_SPI_BASE) {
            out |= (uint64_t)(1u << a->vcpu) << (8 * i);
            continue;
        }
        if (spi >= vgic->nr_spis)
            continue;
        if (a->write) {
            vgic->irouter[spi] = (a->val >> (8 * i)) & 0xff;
            vgic_spi_retarget(vgic, spi);
            vgic_update(vgic, &vgic->spi[spi], &a->kick);
        } else {
            out |= (vgic->irouter[spi] & 0xff) << (8 * i);
        }
    }
    if (!a->write)
        a->val = out;
}

/* GICD_SGIR (write-only, vgic_v2_sgir()). */
static void sgir(struct access *a)
{
    if (a->write)
        (void)vgic_v2_sgir(a->vgic, a->vcpu, (uint32_t)a->val);
    a->val = 0;
}

/* GICD_CPENDSGIR / SPENDSGIR bytes: one per SGI, one bit per source CPU. The
 * model keeps one pending state per SGI, shown as coming from CPU 0. */
static void pendsgi(struct access *a, uint32_t off)
{
    bool set = off >= GICD_SPENDSGIR;
    unsigned first = off & 0xfu;
    uint64_t out = 0;

    for (unsigned i = 0; i < a->size; i++) {
        struct hyp_vgic_irq *irq = &a->vgic->cpus[a->vcpu].priv[first + i];

        if (!a->write) {
            out |= (uint64_t)(vgic_irq_pending(irq) ? 1 : 0) << (8 * i);
            continue;
        }
        if (((a->val >> (8 * i)) & 0xff) == 0)
            continue;
        if (set)
            vgic_set_latch(a->vgic, irq);
        else
            vgic_clear_latch(a->vgic, irq);
        vgic_update(a->vgic, irq, &a->kick);
    }
    if (!a->write)
        a->val = out;
}

static void gicd_v2_access(struct access *a, uint32_t off)
{
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
        bitreg(a, (off & 0x7f) / 4 * 32, bitreg_kinds[(off - GICD_IGROUPR) / 0x80]);
        return;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
        priority(a, off - GICD_IPRIORITYR);
        return;
    }
    if (off >= GICD_ITARGETSR && off < GICD_ICFGR) {
        targets(a, off - GICD_ITARGETSR);
        return;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
        config(a, (off - GICD_ICFGR) / 4 * 16);
        return;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10) {
        pendsgi(a, off);
        return;
    }
    if (off == GICD_SGIR)
        sgir(a);
    else if (!gicd_common(a, off))
        a->val = off >= V2_ID_BASE ? id_reg(off) : 0;
}

/* Whether a GICv2 distributor access reaches the accessing vCPU's private
 * interrupts (banked words and bytes, the SGI pending bytes). */
static bool v2_private(uint32_t off)
{
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR)
        return (off & 0x7f) < 4;
    return (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32) ||
           (off >= GICD_ICFGR && off < GICD_ICFGR + 8) ||
           (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10);
}

/* A GICv2 distributor access: under the distributor lock, and the accessing
 * vCPU's lock too when it reaches its private interrupts. */
static __attribute__((noinline)) int gicd_v2(struct hyp_vgic *vgic, unsigned vcpu,
                                             uint32_t off, unsigned size, bool write,
                                             uint64_t *val)
{
    struct access a = {
        .vgic = vgic, .vcpu = vcpu, .rd = vcpu, .size = size, .write = write};
    bool priv = v2_private(off);

    if (off >= HYP_VGIC_V2_GICD_SIZE)
        return HYP_ENOENT;
    if (size == 8)
        return HYP_EINVAL;
    a.val = write ? *val & size_mask(size) : 0;
    hyp_spin_lock(&vgic->lock);
    if (priv)
        hyp_spin_lock(&vgic->cpus[vcpu].lock);
    gicd_v2_access(&a, off);
    vgic_bump_gen(vgic);
    if (priv)
        hyp_spin_unlock(&vgic->cpus[vcpu].lock);
    hyp_spin_unlock(&vgic->lock);
    vgic_kick(vgic, a.kick);
    if (!write)
        *val = a.val & size_mask(size);
    return HYP_OK;
}

/* A distributor access that passed the checks: stateful registers under the
 * lock, constant ones without. Inlined with @size and @version constant
 * where it can be, so that the common aligned 32-bit access of a GICv3's
 * exit path tests neither; the accessing vCPU's index is read through
 * @vcpu only where it is needed (not for a constant register). */
static inline __attribute__((always_inline)) int
gicd_checked(struct hyp_vgic *vgic, const unsigned *vcpu, uint32_t off, unsigned size,
             bool write, uint64_t *val, unsigned version)
{
    if (version == 3) {
        if (write || !(off == GICD_IIDR || off == GICD_TYPER || off >= ID_BASE))
            return gicd_locked(vgic, *vcpu, off, size, write, val);
    } else if (write || !(off == GICD_IIDR || off == GICD_TYPER)) {
        /* A GICv2's frame ends before the GICv3 identification registers:
         * its own are in gicd_v2(). An SGI touches only its targets'
         * private state, under their own locks, and marks them for a flush
         * itself: neither the distributor lock nor a VM-wide flush (the
         * guest's IPIs come this way). */
        if (write && off == GICD_SGIR && size == 4)
            return vgic_v2_sgir(vgic, *vcpu, (uint32_t)*val);
        return gicd_v2(vgic, *vcpu, off, size, write, val);
    }
    /* Constant registers (both versions: GICD_TYPER knows which): no lock. */
    *val = (off == GICD_IIDR    ? VGIC_IIDR
            : off == GICD_TYPER ? vgic->typer
                                : id_reg(off)) &
           size_mask(size);
    return HYP_OK;
}

static inline __attribute__((always_inline)) int
gicd_mmio(struct hyp_vgic *vgic, const unsigned *vcpu, uint64_t offset, unsigned size,
          bool write, uint64_t *val, unsigned version, bool region)
{
    uint32_t off = (uint32_t)offset;

    /* From the VM's MMIO region (@region), the offset is inside the frame,
     * the vCPU one of the VM's and @val its exit's: not checked again. */
    if (!region && offset >= HYP_VGIC_GICD_SIZE)
        return HYP_ENOENT;
    /* Every register allows an aligned 32-bit access: the common case. */
    if (size == 4 && (off & 3) == 0 &&
        (region || (*vcpu < vgic->vcpu_count && val != NULL)))
        return gicd_checked(vgic, vcpu, off, 4, write, val, version);
    if (!access_ok(vgic, *vcpu, off, size, val) || !(gicd_widths(off) & (1u << size)))
        return version == 2 && offset >= HYP_VGIC_V2_GICD_SIZE ? HYP_ENOENT : HYP_EINVAL;
    return gicd_checked(vgic, vcpu, off, size, write, val, version);
}

int hyp_vgic_mmio_gicd(struct hyp_vgic *vgic, unsigned vcpu, uint64_t offset,
                       unsigned size, bool write, uint64_t *val)
{
    return vgic->version == 2
               ? gicd_mmio(vgic, &vcpu, offset, size, write, val, 2, false)
               : gicd_mmio(vgic, &vcpu, offset, size, write, val, 3, false);
}

/* The region handlers answer a 32-bit read of the constant GICD_TYPER and
 * GICD_IIDR (what a driver probes) before anything else: the register
 * shuffle for the general path then runs only on the others. */
static inline __attribute__((always_inline)) bool
gicd_const_read(const struct hyp_vgic *vgic, uint64_t offset, unsigned size, bool write,
                uint64_t *val)
{
    if (write || size != 4 || (offset != GICD_TYPER && offset != GICD_IIDR))
        return false;
    *val = offset == GICD_IIDR ? VGIC_IIDR : vgic->typer;
    return true;
}

int vgic_gicd_region(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                     uint64_t *val, void *vgic)
{
    if (gicd_const_read(vgic, offset, size, write, val))
        return HYP_OK;
    return gicd_mmio(vgic, &vcpu->id, offset, size, write, val, 3, true);
}

int vgic_gicd_v2_region(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                        uint64_t *val, void *vgic)
{
    if (gicd_const_read(vgic, offset, size, write, val))
        return HYP_OK;
    return gicd_mmio(vgic, &vcpu->id, offset, size, write, val, 2, true);
}

static inline __attribute__((always_inline)) int gicr_mmio(struct hyp_vgic *vgic,
                                                           unsigned vcpu, uint64_t offset,
                                                           unsigned size, bool write,
                                                           uint64_t *val)
{
    struct access a = {.vgic = vgic, .vcpu = vcpu, .size = size, .write = write};
    uint32_t off = (uint32_t)(offset % HYP_VGIC_GICR_STRIDE);

    if (offset >= (uint64_t)vgic->vcpu_count * HYP_VGIC_GICR_STRIDE)
        return HYP_ENOENT;
    a.rd = (unsigned)(offset / HYP_VGIC_GICR_STRIDE);
    /* As for the distributor: aligned 32-bit accesses are always allowed. */
    if (!(size == 4 && (off & 3) == 0 && vcpu < vgic->vcpu_count && val != NULL) &&
        (!access_ok(vgic, vcpu, off, size, val) || !(gicr_widths(off) & (1u << size))))
        return HYP_EINVAL;
    a.val = write ? *val & size_mask(size) : 0;
    if (write && off == GICR_WAKER) {
        /* Waking or sleeping changes where 1-of-N SPIs go. */
        hyp_spin_lock(&vgic->lock);
        hyp_spin_lock(&vgic->cpus[a.rd].lock);
        gicr_rd_access(&a, off);
        hyp_spin_unlock(&vgic->cpus[a.rd].lock);
        for (unsigned s = 0; s < vgic->nr_spis; s++)
            if (vgic->irouter[s] & VGIC_IROUTER_IRM)
                vgic_update(vgic, &vgic->spi[s], &a.kick);
        vgic_bump_gen(vgic);
        hyp_spin_unlock(&vgic->lock);
    } else {
        hyp_spin_lock(&vgic->cpus[a.rd].lock);
        if (off < GICR_SGI_BASE)
            gicr_rd_access(&a, off);
        else
            gicr_sgi_access(&a, off - GICR_SGI_BASE);
        /* The SGI frame holds the private interrupts' state; RD_base only
         * identification and power (GICR_WAKER is handled above). */
        if (off >= GICR_SGI_BASE)
            vgic_bump_gen(vgic);
        hyp_spin_unlock(&vgic->cpus[a.rd].lock);
    }
    vgic_kick(vgic, a.kick);
    if (!write)
        *val = a.val & size_mask(size);
    return HYP_OK;
}

int hyp_vgic_mmio_gicr(struct hyp_vgic *vgic, unsigned vcpu, uint64_t offset,
                       unsigned size, bool write, uint64_t *val)
{
    return gicr_mmio(vgic, vcpu, offset, size, write, val);
}

int vgic_gicr_region(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                     uint64_t *val, void *vgic)
{
    return gicr_mmio(vgic, vcpu->id, offset, size, write, val);
}

int hyp_vgic_mmio(struct hyp_vgic *vgic, unsigned vcpu, uint64_t ipa, unsigned size,
                  bool write, uint64_t *val)
{
    if (vgic->version == 2) /* no redistributors */
        return ipa - vgic->gicd_base < HYP_VGIC_V2_GICD_SIZE
                   ? hyp_vgic_mmio_gicd(vgic, vcpu, ipa - vgic->gicd_base, size, write,
                                        val)
                   : HYP_ENOENT;
    if (ipa - vgic->gicd_base < HYP_VGIC_GICD_SIZE)
        return hyp_vgic_mmio_gicd(vgic, vcpu, ipa - vgic->gicd_base, size, write, val);
    return hyp_vgic_mmio_gicr(vgic, vcpu, ipa - vgic->gicr_base, size, write, val);
}
