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
#include <hyp/gic.h>
#include <hyp/platform.h>
#include <hyp/sysreg.h>

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
void gicv3_cpu_disable(void);

int gicv2_init(const struct hyp_platform *plat);
int gicv2_cpu_init(void);
bool gicv2_cpu_ready(void);
int gicv2_enable_ppi(uint32_t intid, uint8_t priority);
int gicv2_enable_spi(uint32_t intid, uint8_t priority, uint64_t mpidr, bool edge);
uint32_t gicv2_ack(void);
void gicv2_priority_drop(uint32_t intid);
void gicv2_deactivate(uint32_t intid);
void gicv2_eoi(uint32_t intid);
bool gicv2_is_pending(uint32_t intid);
void gicv2_send_sgi(uint64_t mpidr, unsigned sgi);
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

#endif /* HYP_GIC_INTERNAL_H */
