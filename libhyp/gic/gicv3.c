/* SPDX-License-Identifier: BSD-2-Clause */
/* Physical GICv3 at EL2: distributor, redistributors, system-register CPU interface
 * (behind gic.c, which picks the version). */
#include <stdbool.h>
#include <stdio.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/gic.h>
#include <hyp/mmio.h>
#include <hyp/spinlock.h>
#include <hyp/sysreg.h>
#include "../core/percpu.h"
#include "gic_internal.h"

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

static uintptr_t gicd;
static const struct hyp_platform *gic_plat;
static uintptr_t gicr_of[HYP_MAX_CPUS];
/* Each CPU's ICC_SGI1R_EL1 target fields, learnt at its cpu_init (0: not yet). */
static uint64_t sgi1r_of[HYP_MAX_CPUS];

int gicv3_init(const struct hyp_platform *plat)
{
    if (plat->gic.gicr_count == 0)
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

static uint64_t sgi1r_target(uint64_t mpidr);

int gicv3_cpu_init(void)
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
    sgi1r_of[cpu] = sgi1r_target(hyp_cpu_mpidr(cpu));

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

int gicv3_enable_spi(uint32_t intid, uint8_t priority, uint64_t mpidr, bool edge)
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

bool gicv3_cpu_ready(void)
{
    unsigned cpu = hyp_cpu_id();

    return cpu < HYP_MAX_CPUS && gicr_of[cpu] != 0;
}

int gicv3_enable_ppi(uint32_t intid, uint8_t priority)
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

bool gicv3_is_pending(uint32_t intid)
{
    unsigned cpu = hyp_cpu_id();
    uintptr_t reg;

    if (intid < 32)
        reg = cpu < HYP_MAX_CPUS && gicr_of[cpu] != 0 ? gicr_of[cpu] + GICR_ISPENDR0 : 0;
    else
        reg = gicd != 0 && intid < 1020 ? gicd + GICD_ISPENDR + 4 * (intid / 32) : 0;
    return reg != 0 && (mmio_read32(reg) >> (intid % 32)) & 1;
}

/* ICC_SGI1R_EL1 naming the CPU with affinity @mpidr, INTID 0: Aff3 [55:48],
 * Aff2 [39:32], INTID [27:24], Aff1 [23:16], TargetList [15:0] (bit Aff0;
 * Aff0 < 16 on the boards we support). */
static uint64_t sgi1r_target(uint64_t mpidr)
{
    return ((mpidr >> 32) & 0xff) << 48 | ((mpidr >> 16) & 0xff) << 32 |
           ((mpidr >> 8) & 0xff) << 16 | (1ULL << (mpidr & 0xf));
}

static void sgi1r_write(uint64_t v)
{
    __asm__ volatile("dsb ish" ::: "memory");
    write_sysreg(S3_0_C12_C11_5, v);
    __asm__ volatile("isb" ::: "memory");
}

void gicv3_send_sgi(uint64_t mpidr, unsigned sgi)
{
    sgi1r_write(sgi1r_target(mpidr) | (uint64_t)(sgi & 0xf) << 24);
}

void gicv3_send_sgi_cpu(unsigned cpu, unsigned sgi)
{
    /* The target learnt at that CPU's cpu_init; before it, from its affinity. */
    uint64_t v = cpu < HYP_MAX_CPUS ? sgi1r_of[cpu] : 0;

    if (v == 0)
        v = sgi1r_target(hyp_cpu_mpidr(cpu));
    sgi1r_write(v | (uint64_t)(sgi & 0xf) << 24);
}

void gicv3_cpu_disable(void)
{
    write_sysreg(S3_0_C12_C12_7, 0); /* ICC_IGRPEN1_EL1 */
    __asm__ volatile("isb" ::: "memory");
}
