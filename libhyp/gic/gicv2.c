/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Physical GICv2 (GIC-400) at EL2: the distributor and this CPU's memory-mapped
 * CPU interface (behind gic.c, which picks the version). Register offsets
 * from IHI 0048B.
 *
 * Interrupts stay in group 0 (GICD_IGROUPR at its reset value), which a GIC
 * without the Security Extensions (QEMU) signals as IRQ while GICC_CTLR.FIQEn
 * is 0; behind a secure firmware that made everything non-secure group 1,
 * the same writes through the non-secure view enable group 1 instead. The
 * CPU interface runs with EOImode = 1, as for GICv3: EOIR only drops the
 * priority, DIR deactivates.
 *
 * An SGI's acknowledge value names the CPU that sent it (GICC_IAR.CPUID), and
 * its EOIR and DIR writes must name it too: the source of the last SGI of
 * each number acknowledged on a CPU is kept for them.
 */
#include <stdbool.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/gic.h>
#include <hyp/mmio.h>
#include <hyp/sysreg.h>
#include "../core/percpu.h"
#include "gic_internal.h"

#define GICD_CTLR       0x0000
#define GICD_CTLR_EN    0x3u /* EnableGrp0 | EnableGrp1 (non-secure view: Enable) */
#define GICD_TYPER      0x0004
#define GICD_ISENABLER  0x0100
#define GICD_ISPENDR    0x0200
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR  0x0800
#define GICD_ICFGR      0x0c00
#define GICD_SGIR       0x0f00

#define GICC_CTLR    0x0000
/* EnableGrp0, EnableGrp1, EOImodeS (group 0) and EOImodeNS (group 1); in the
 * non-secure view bit 0 is EnableGrp1, bit 9 EOImodeNS, the others reserved. */
#define GICC_CTLR_ON (1u << 0 | 1u << 1 | 1u << 9 | 1u << 10)
#define GICC_PMR     0x0004
#define GICC_BPR     0x0008

static uintptr_t gicd, gicc;
uintptr_t gicv2_cpuif, gicv2_cpuif_dir;
static uint32_t spi_lines;
/* Each logical CPU's interface bit (GICD_ITARGETSR), learnt at its cpu_init. */
static uint8_t cpu_mask[HYP_MAX_CPUS];
uint8_t gicv2_sgi_source[HYP_MAX_CPUS][16];

/*
 * A GIC-400 CPU interface has two 4 KiB pages (GICC_DIR is in the second);
 * boards that alias each page over 64 KiB (ZynqMP) describe 128 KiB, and
 * then the second page starts 64 KiB in.
 */
uint64_t hyp_gic_v2_page1(uint64_t frame_size)
{
    return frame_size >= 0x20000 ? 0x10000 : 0x1000;
}

int gicv2_init(const struct hyp_platform *plat)
{
    if (plat->gic.gicd.base == 0 || plat->gic.gicc.base == 0)
        return HYP_ENOTSUP;
    gicd = (uintptr_t)plat->gic.gicd.base;
    gicc = (uintptr_t)plat->gic.gicc.base;
    gicv2_cpuif = gicc;
    gicv2_cpuif_dir = gicc + (uintptr_t)hyp_gic_v2_page1(plat->gic.gicc.size);
    spi_lines = ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1) * 32;
    mmio_write32(gicd + GICD_CTLR, mmio_read32(gicd + GICD_CTLR) | GICD_CTLR_EN);
    return HYP_OK;
}

int gicv2_cpu_init(void)
{
    unsigned cpu = hyp_cpu_id();
    uint32_t mask = 0;

    if (gicc == 0 || cpu >= HYP_MAX_CPUS)
        return HYP_EBUSY;
    /* The banked GICD_ITARGETSR0..7 read as this CPU interface's own bit. */
    for (unsigned i = 0; i < 8 && mask == 0; i++)
        mask = mmio_read32(gicd + GICD_ITARGETSR + 4 * i) & 0xff;
    if (mask == 0)
        mask = 1u << (hyp_cpu_mpidr(cpu) & 7); /* a uniprocessor GIC reads 0 */
    cpu_mask[cpu] = (uint8_t)mask;
    mmio_write32(gicc + GICC_PMR, 0xff);
    mmio_write32(gicc + GICC_BPR, 0);
    mmio_write32(gicc + GICC_CTLR, GICC_CTLR_ON);
    return HYP_OK;
}

bool gicv2_cpu_ready(void)
{
    unsigned cpu = hyp_cpu_id();

    return cpu < HYP_MAX_CPUS && cpu_mask[cpu] != 0;
}

void gicv2_cpu_disable(void)
{
    if (gicc != 0)
        mmio_write32(gicc + GICC_CTLR, 0);
}

/* The CPU interface bit of the CPU with affinity @mpidr. */
static uint8_t mask_of(uint64_t mpidr)
{
    for (unsigned i = 0; i < hyp_cpu_count() && i < HYP_MAX_CPUS; i++)
        if (hyp_cpu_mpidr(i) == (mpidr & MPIDR_AFFINITY_MASK) && cpu_mask[i] != 0)
            return cpu_mask[i];
    /* Not up yet: interface n is Aff0 = n on the boards we know. */
    return (uint8_t)(1u << (mpidr & 7));
}

static void set_byte(uintptr_t reg_base, uint32_t intid, uint8_t v)
{
    uintptr_t reg = reg_base + (intid & ~3u);
    unsigned shift = 8 * (intid & 3);

    mmio_write32(reg, (mmio_read32(reg) & ~(0xffu << shift)) | (uint32_t)v << shift);
}

int gicv2_enable_ppi(uint32_t intid, uint8_t priority)
{
    if (intid > 31)
        return HYP_EINVAL;
    if (!gicv2_cpu_ready())
        return HYP_EBUSY;
    set_byte(gicd + GICD_IPRIORITYR, intid, priority); /* banked */
    mmio_write32(gicd + GICD_ISENABLER, 1u << intid);
    return HYP_OK;
}

int gicv2_enable_spi(uint32_t intid, uint8_t priority, uint64_t mpidr, bool edge)
{
    uintptr_t cfg = gicd + GICD_ICFGR + 4 * (intid / 16);
    unsigned shift = 2 * (intid % 16);

    if (gicd == 0)
        return HYP_EBUSY;
    if (intid < 32 || intid >= spi_lines || intid > 1019)
        return HYP_EINVAL;
    set_byte(gicd + GICD_IPRIORITYR, intid, priority);
    set_byte(gicd + GICD_ITARGETSR, intid, mask_of(mpidr));
    mmio_write32(cfg, (mmio_read32(cfg) & ~(3u << shift)) | (edge ? 2u << shift : 0));
    mmio_write32(gicd + GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
    return HYP_OK;
}

bool gicv2_is_pending(uint32_t intid)
{
    if (gicd == 0 || intid >= 1020)
        return false;
    return (mmio_read32(gicd + GICD_ISPENDR + 4 * (intid / 32)) >> (intid % 32)) & 1;
}

void gicv2_send_sgi(uint64_t mpidr, unsigned sgi)
{
    __asm__ volatile("dsb ish" ::: "memory");
    mmio_write32(gicd + GICD_SGIR, (uint32_t)mask_of(mpidr) << 16 | (sgi & 0xf));
}

void gicv2_send_sgi_cpu(unsigned cpu, unsigned sgi)
{
    /* The interface bit learnt at that CPU's cpu_init; before it, by affinity. */
    uint32_t mask = cpu < HYP_MAX_CPUS ? cpu_mask[cpu] : 0;

    if (mask == 0) {
        gicv2_send_sgi(hyp_cpu_mpidr(cpu), sgi);
        return;
    }
    __asm__ volatile("dsb ish" ::: "memory");
    mmio_write32(gicd + GICD_SGIR, mask << 16 | (sgi & 0xf));
}
