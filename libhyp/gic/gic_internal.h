/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The two physical GIC drivers behind include/hyp/gic.h (internal to libhyp).
 * gic.c holds what does not depend on the version (the handler table, the
 * dispatch loop) and calls the version's functions below; hyp_gic_init()
 * picks the version once, from the platform.
 */
#ifndef HYP_GIC_INTERNAL_H
#define HYP_GIC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/config.h>
#include <hyp/gic.h>
#include <hyp/mmio.h>
#include <hyp/platform.h>
#include <hyp/sysreg.h>
#include "../core/percpu.h"

/* Polls are bounded: a GIC that never settles is reported, not waited on. */
#define GIC_POLL_LIMIT 1000000

/* True once hyp_gic_init() found a GICv2 (read on the exit paths). */
extern bool hyp_gic_is_v2;

int gicv3_init(const struct hyp_platform *plat);
int gicv3_cpu_init(void);
bool gicv3_cpu_ready(void);
int gicv3_enable_ppi(uint32_t intid, uint8_t priority);
int gicv3_enable_spi(uint32_t intid, uint8_t priority, uint64_t mpidr, bool edge);
bool gicv3_is_pending(uint32_t intid);
void gicv3_send_sgi(uint64_t mpidr, unsigned sgi);
/* SGI @sgi to logical CPU @cpu: its target fields learnt at its cpu_init. */
void gicv3_send_sgi_cpu(unsigned cpu, unsigned sgi);
void gicv3_cpu_disable(void);

int gicv2_init(const struct hyp_platform *plat);
int gicv2_cpu_init(void);
bool gicv2_cpu_ready(void);
int gicv2_enable_ppi(uint32_t intid, uint8_t priority);
int gicv2_enable_spi(uint32_t intid, uint8_t priority, uint64_t mpidr, bool edge);
bool gicv2_is_pending(uint32_t intid);
void gicv2_send_sgi(uint64_t mpidr, unsigned sgi);
/* SGI @sgi to logical CPU @cpu: its interface bit, without an affinity search. */
void gicv2_send_sgi_cpu(unsigned cpu, unsigned sgi);
void gicv2_cpu_disable(void);

/* The GICv3 CPU interface's exit-path registers, inline in gic.c. */
static inline uint32_t gicv3_ack(void)
{
    uint32_t intid = (uint32_t)read_sysreg(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */

    __asm__ volatile("dsb sy" ::: "memory");
    return intid >= 1020 && intid <= 1023 ? HYP_GIC_SPURIOUS : intid;
}

static inline void gicv3_priority_drop(uint32_t intid)
{
    write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
    __asm__ volatile("isb" ::: "memory");
}

static inline void gicv3_deactivate(uint32_t intid)
{
    write_sysreg(S3_0_C12_C11_1, intid); /* ICC_DIR_EL1 */
    __asm__ volatile("isb" ::: "memory");
}

/* The GICv2 CPU interface (GICC) and its second page (GICC_DIR), set by
 * gicv2_init(); the exit-path registers below are inline in gic.c too. */
extern uintptr_t gicv2_cpuif, gicv2_cpuif_dir;
/* Source CPU (GICC_IAR.CPUID) of the last SGI of each number acknowledged on
 * each CPU: its EOIR and DIR writes must name it. */
extern uint8_t gicv2_sgi_source[HYP_MAX_CPUS][16];

#define GICV2_GICC_IAR  0x000cu
#define GICV2_GICC_EOIR 0x0010u

/* This CPU's row of gicv2_sgi_source (row 0 before the per-CPU data is set). */
static inline uint8_t *gicv2_sgi_sources(void)
{
    const struct hyp_percpu *cpu = hyp_this_cpu();

    return gicv2_sgi_source[cpu != NULL ? cpu->id % HYP_MAX_CPUS : 0];
}

static inline uint32_t gicv2_ack(void)
{
    uint32_t iar = mmio_read32(gicv2_cpuif + GICV2_GICC_IAR), intid = iar & 0x3ffu;

    if (intid < 16)
        gicv2_sgi_sources()[intid] = (uint8_t)((iar >> 10) & 7u);
    return intid >= 1020 ? HYP_GIC_SPURIOUS : intid;
}

/* The value EOIR and DIR take for @intid: an SGI's with its source CPU. */
static inline uint32_t gicv2_eoi_value(uint32_t intid)
{
    if (intid < 16)
        return intid | (uint32_t)gicv2_sgi_sources()[intid] << 10;
    return intid;
}

static inline void gicv2_priority_drop(uint32_t intid)
{
    mmio_write32(gicv2_cpuif + GICV2_GICC_EOIR, gicv2_eoi_value(intid));
}

static inline void gicv2_deactivate(uint32_t intid)
{
    mmio_write32(gicv2_cpuif_dir, gicv2_eoi_value(intid)); /* GICC_DIR */
}

static inline void gicv2_eoi(uint32_t intid)
{
    uint32_t v = gicv2_eoi_value(intid);

    mmio_write32(gicv2_cpuif + GICV2_GICC_EOIR, v);
    mmio_write32(gicv2_cpuif_dir, v);
}

/* hyp_gic_priority_drop() inline, for the interrupt-forwarding exit paths. */
static inline void gic_priority_drop(uint32_t intid)
{
    if (__builtin_expect(hyp_gic_is_v2, 0))
        gicv2_priority_drop(intid);
    else
        gicv3_priority_drop(intid);
}

#endif /* HYP_GIC_INTERNAL_H */
