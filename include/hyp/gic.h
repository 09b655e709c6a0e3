/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file gic.h
 * @brief The physical GIC as the hypervisor uses it (GICv3).
 *
 * libhyp takes physical interrupts at EL2 (HCR_EL2.IMO/FMO are set while a
 * guest runs): an interrupt arriving during guest execution ends
 * hyp_vcpu_run() with a ::HYP_EXIT_IRQ exit, and the hypervisor acknowledges
 * it with hyp_gic_ack(). At EL2 itself interrupts stay masked, so they wait
 * for the next guest entry. GICv2 boards are not supported by this driver
 * yet: hyp_gic_init() returns ::HYP_ENOTSUP for them.
 */
#ifndef HYP_GIC_H
#define HYP_GIC_H

#include <stdint.h>
#include <hyp/platform.h>

/** INTID hyp_gic_ack() returns when no interrupt is pending. */
#define HYP_GIC_SPURIOUS 1023u

/**
 * @brief Enable the distributor (affinity routing, group 1). Boot CPU, once.
 * @param plat The platform (GIC version and frames).
 * @return ::HYP_OK; ::HYP_ENOTSUP for a GIC other than GICv3.
 */
int hyp_gic_init(const struct hyp_platform *plat);

/**
 * @brief Wake this CPU's redistributor and enable its CPU interface at EL2.
 *
 * Call on every CPU that takes interrupts, after hyp_gic_init().
 * @return ::HYP_OK; ::HYP_ENOENT if no redistributor matches this CPU.
 */
int hyp_gic_cpu_init(void);

/**
 * @brief Enable a private interrupt (PPI 16..31) on the calling CPU, group 1.
 * @param intid    The PPI.
 * @param priority Its priority (lower is more urgent; 0x80 is typical).
 * @return ::HYP_OK; ::HYP_EINVAL for an INTID that is not a PPI;
 *         ::HYP_EBUSY before hyp_gic_cpu_init() on this CPU.
 */
int hyp_gic_enable_ppi(uint32_t intid, uint8_t priority);

/**
 * @brief Acknowledge the highest-priority pending group-1 interrupt.
 * @return Its INTID, or ::HYP_GIC_SPURIOUS if none.
 */
uint32_t hyp_gic_ack(void);

/**
 * @brief Signal the end of an interrupt returned by hyp_gic_ack().
 * @param intid The INTID (spurious INTIDs are ignored).
 */
void hyp_gic_eoi(uint32_t intid);

#endif /* HYP_GIC_H */
