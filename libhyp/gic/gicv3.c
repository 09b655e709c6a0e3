/* SPDX-License-Identifier: BSD-2-Clause */
/* Physical GICv3 at EL2: distributor, redistributors, system-register CPU interface. */
#include <stdbool.h>
#include <stdio.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/gic.h>
#include <hyp/mmio.h>
#include <hyp/spinlock.h>
#include <hyp/sysreg.h>
#include "../core/percpu.h"

#define GICD_CTLR      0x0000
#define GICD_CTLR_RWP  (1u << 31)
#define GICD_CTLR_ARE  (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)

#define GICD_TYPER      0x0004
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ISPENDR    0x0200
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR      0x0c00
#define GICD_IROUTER    0x6000

#define GICR_FRAME         0x20000 /* RD_base + SGI_base */
#define GICR_TYPER         0x0008
#define GICR_TYPER_LAST    (1ULL << 4)
#define GICR_TYPER_VLPIS   (1ULL << 1)
#define GICR_WAKER         0x0014
#define GICR_WAKER_PSLEEP  (1u << 1)
#define GICR_WAKER_CASLEEP (1u << 2)
#define GICR_SGI           0x10000
#define GICR_IGROUPR0      (GICR_SGI + 0x0080)
#define GICR_ISENABLER0    (GICR_SGI + 0x0100)
#define GICR_ISPENDR0      (GICR_SGI + 0x0200)
#define GICR_IPRIORITYR    (GICR_SGI + 0x0400)

#define ICC_SRE_SRE    (1ULL << 0)
#define ICC_SRE_ENABLE (1ULL << 3)

/* Polls are bounded: a GIC that never settles is reported, not waited on. */
#define GIC_POLL_LIMIT 1000000

static uintptr_t gicd;
static const struct hyp_platform *gic_plat;
static uintptr_t gicr_of[HYP_MAX_CPUS];

int hyp_gic_init(const struct hyp_platform *plat)
{
    if (plat->gic.version != 3 || plat->gic.gicr_count == 0)
        return HYP_ENOTSUP;
    gic_plat = plat;
    gicd = (uintptr_t)plat->gic.gicd.base;
    mmio_write32(gicd + GICD_CTLR,
                 mmio_read32(gicd + GICD_CTLR) | GICD_CTLR_ARE | GICD_CTLR_GRP1);
    for (unsigned i = 0; mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP; i++)
        if (i == GIC_POLL_LIMIT)
            return HYP_EBUSY;
    return HYP_OK;
}

/* The redistributor whose GICR_TYPER.Affinity is this CPU's MPIDR. */
static uintptr_t find_redistributor(uint64_t mpidr)
{
    uint32_t aff = (uint32_t)(((mpidr >> 8) & 0xff000000) | (mpidr & 0xffffff));

    for (unsigned r = 0; r < gic_plat->gic.gicr_count; r++) {
        uintptr_t frame = (uintptr_t)gic_plat->gic.gicr[r].base;
        uintptr_t end = frame + (uintptr_t)gic_plat->gic.gicr[r].size;

        while (frame < end) {
            uint64_t typer = (uint64_t)mmio_read32(frame + GICR_TYPER) |
                             (uint64_t)mmio_read32(frame + GICR_TYPER + 4) << 32;

            if ((uint32_t)(typer >> 32) == aff)
                return frame;
            if (typer & GICR_TYPER_LAST)
                break;
            frame += GICR_FRAME * ((typer & GICR_TYPER_VLPIS) ? 2 : 1);
        }
    }
    return 0;
}

int hyp_gic_cpu_init(void)
{
    uintptr_t rd;
    unsigned cpu = hyp_cpu_id();

    if (gic_plat == NULL || cpu >= HYP_MAX_CPUS)
        return HYP_EBUSY;
    rd = find_redistributor(read_sysreg(mpidr_el1));
    if (rd == 0)
        return HYP_ENOENT;
    mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PSLEEP);
    for (unsigned i = 0; mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CASLEEP; i++)
        if (i == GIC_POLL_LIMIT)
            return HYP_EBUSY;
    gicr_of[cpu] = rd;

    /* System-register interface at EL2, and let EL1 use it too (a guest's
     * own accesses are virtualised or trapped later, not refused). */
    write_sysreg(S3_4_C12_C9_5,
                 read_sysreg(S3_4_C12_C9_5) | ICC_SRE_SRE | ICC_SRE_ENABLE);
    __asm__ volatile("isb" ::: "memory");
    write_sysreg(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1: everything passes */
    write_sysreg(S3_0_C12_C12_4, 2);  /* ICC_CTLR_EL1.EOImode: EOI only drops */
    write_sysreg(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
    __asm__ volatile("isb" ::: "memory");
    return HYP_OK;
}

int hyp_gic_enable_spi(uint32_t intid, uint8_t priority, uint64_t mpidr, bool edge)
{
    uint32_t lines = ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1) * 32;
    uint32_t bit = 1u << (intid % 32), shift = 2 * (intid % 16);
    uintptr_t cfg = gicd + GICD_ICFGR + 4 * (intid / 16);
    uintptr_t prio = gicd + GICD_IPRIORITYR + (intid & ~3u);
    uint64_t route = ((mpidr >> 32) & 0xff) << 32 | (mpidr & 0xffffff);

    if (gicd == 0)
        return HYP_EBUSY;
    if (intid < 32 || intid >= lines || intid > 1019)
        return HYP_EINVAL;
    mmio_write32(gicd + GICD_IGROUPR + 4 * (intid / 32),
                 mmio_read32(gicd + GICD_IGROUPR + 4 * (intid / 32)) | bit);
    mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << 8 * (intid & 3))) |
                           (uint32_t)priority << 8 * (intid & 3));
    mmio_write32(cfg, (mmio_read32(cfg) & ~(3u << shift)) | (edge ? 2u << shift : 0));
    mmio_write32(gicd + GICD_IROUTER + 8 * intid, (uint32_t)route);
    mmio_write32(gicd + GICD_IROUTER + 8 * intid + 4, (uint32_t)(route >> 32));
    mmio_write32(gicd + GICD_ISENABLER + 4 * (intid / 32), bit);
    return HYP_OK;
}

bool hyp_gic_cpu_ready(void)
{
    unsigned cpu = hyp_cpu_id();

    return cpu < HYP_MAX_CPUS && gicr_of[cpu] != 0;
}

int hyp_gic_enable_ppi(uint32_t intid, uint8_t priority)
{
    unsigned cpu = hyp_cpu_id();
    uintptr_t rd = cpu < HYP_MAX_CPUS ? gicr_of[cpu] : 0;
    uintptr_t prio = rd + GICR_IPRIORITYR + (intid & ~3u);
    unsigned shift = 8 * (intid & 3);

    if (intid > 31)
        return HYP_EINVAL;
    if (rd == 0)
        return HYP_EBUSY;
    mmio_write32(rd + GICR_IGROUPR0, mmio_read32(rd + GICR_IGROUPR0) | (1u << intid));
    mmio_write32(prio,
                 (mmio_read32(prio) & ~(0xffu << shift)) | ((uint32_t)priority << shift));
    mmio_write32(rd + GICR_ISENABLER0, 1u << intid);
    return HYP_OK;
}

uint32_t hyp_gic_ack(void)
{
    uint32_t intid = (uint32_t)read_sysreg(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */

    __asm__ volatile("dsb sy" ::: "memory");
    return intid >= 1020 && intid <= 1023 ? HYP_GIC_SPURIOUS : intid;
}

void hyp_gic_priority_drop(uint32_t intid)
{
    write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
    __asm__ volatile("isb" ::: "memory");
}

void hyp_gic_eoi(uint32_t intid)
{
    if (intid >= 1020 && intid <= 1023)
        return;
    hyp_gic_priority_drop(intid);
    hyp_gic_deactivate(intid);
}

void hyp_gic_deactivate(uint32_t intid)
{
    write_sysreg(S3_0_C12_C11_1, intid); /* ICC_DIR_EL1 */
    __asm__ volatile("isb" ::: "memory");
}

bool hyp_gic_is_pending(uint32_t intid)
{
    unsigned cpu = hyp_cpu_id();
    uintptr_t reg;

    if (intid < 32)
        reg = cpu < HYP_MAX_CPUS && gicr_of[cpu] != 0 ? gicr_of[cpu] + GICR_ISPENDR0 : 0;
    else
        reg = gicd != 0 && intid < 1020 ? gicd + GICD_ISPENDR + 4 * (intid / 32) : 0;
    return reg != 0 && (mmio_read32(reg) >> (intid % 32)) & 1;
}

void hyp_gic_send_sgi(uint64_t mpidr, unsigned sgi)
{
    /* ICC_SGI1R_EL1: Aff3 [55:48], Aff2 [39:32], INTID [27:24], Aff1 [23:16],
     * TargetList [15:0] (bit Aff0; Aff0 < 16 on the boards we support). */
    uint64_t v = ((mpidr >> 32) & 0xff) << 48 | ((mpidr >> 16) & 0xff) << 32 |
                 (uint64_t)(sgi & 0xf) << 24 | ((mpidr >> 8) & 0xff) << 16 |
                 (1ULL << (mpidr & 0xf));

    __asm__ volatile("dsb ish" ::: "memory");
    write_sysreg(S3_0_C12_C11_5, v);
    __asm__ volatile("isb" ::: "memory");
}

struct irq_slot {
    hyp_irq_fn fn;
    void *arg;
    hyp_irq_fast_fn fast; /* may it run on the exit fast path now? */
    bool reported;
};

static struct irq_slot irq_table[1020];
/* An interrupt the fast path acknowledged but left to hyp_handle_irq(), + 1. */
static uint32_t deferred[HYP_MAX_CPUS];

int hyp_irq_register(uint32_t intid, hyp_irq_fn fn, void *arg)
{
    if (intid >= 1020 || fn == NULL)
        return HYP_EINVAL;
    if (irq_table[intid].fn != NULL)
        return HYP_EBUSY;
    irq_table[intid].arg = arg;
    __atomic_store_n(&irq_table[intid].fn, fn, __ATOMIC_RELEASE);
    return HYP_OK;
}

int hyp_irq_set_fast(uint32_t intid, hyp_irq_fast_fn ok)
{
    if (intid >= 1020 || irq_table[intid].fn == NULL)
        return HYP_EINVAL;
    __atomic_store_n(&irq_table[intid].fast, ok, __ATOMIC_RELEASE);
    return HYP_OK;
}

bool hyp_handle_irq_fast(void)
{
    uint32_t intid = hyp_gic_ack();
    const struct irq_slot *slot;
    hyp_irq_fast_fn ok;

    if (intid == HYP_GIC_SPURIOUS)
        return true;
    slot = &irq_table[intid];
    ok = __atomic_load_n(&slot->fast, __ATOMIC_ACQUIRE);
    if (ok != NULL && ok(intid, slot->arg)) {
        slot->fn(intid, slot->arg);
        return true;
    }
    deferred[hyp_cpu_id()] = intid + 1;
    return false;
}

static void dispatch(uint32_t intid)
{
    hyp_irq_fn fn = __atomic_load_n(&irq_table[intid].fn, __ATOMIC_ACQUIRE);

    if (fn != NULL) {
        fn(intid, irq_table[intid].arg);
        return;
    }
    if (!irq_table[intid].reported) {
        irq_table[intid].reported = true;
        printf("libhyp: physical interrupt %u has no handler\n", intid);
    }
    hyp_gic_eoi(intid);
}

/* Bound on interrupts dispatched per call: a source that stays asserted must
 * not keep the CPU at EL2 for ever. */
#define IRQ_BATCH 16

unsigned hyp_handle_irq(void)
{
    unsigned count = 0, cpu = hyp_cpu_id();
    uint32_t intid;

    if (cpu < HYP_MAX_CPUS && deferred[cpu] != 0) {
        intid = deferred[cpu] - 1;
        deferred[cpu] = 0;
        dispatch(intid);
        count++;
    }
    while (count < IRQ_BATCH && (intid = hyp_gic_ack()) != HYP_GIC_SPURIOUS) {
        count++;
        dispatch(intid);
    }
    return count;
}
