/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file gic.h
 * @brief The physical GIC as the hypervisor uses it (GICv3 or GICv2).
 *
 * libhyp takes physical interrupts at EL2 (HCR_EL2.IMO/FMO are set while a
 * guest runs): an interrupt arriving during guest execution ends
 * hyp_vcpu_run() with a ::HYP_EXIT_IRQ exit, and the hypervisor acknowledges
 * it with hyp_gic_ack(). At EL2 itself interrupts stay masked, so they wait
 * for the next guest entry.
 *
 * hyp_gic_init() picks the driver from the platform's GIC version: GICv3
 * (distributor, redistributors, system-register CPU interface) or GICv2 /
 * GIC-400 (distributor and the memory-mapped GICC frame). The other calls
 * behave the same on both; on GICv2 an SGI's source CPU, which its EOI must
 * name, is remembered from its acknowledgement.
 */
#ifndef HYP_GIC_H
#define HYP_GIC_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/platform.h>

/** INTID hyp_gic_ack() returns when no interrupt is pending. */
#define HYP_GIC_SPURIOUS 1023u

/**
 * @brief Enable the distributor (GICv3: affinity routing, group 1). Boot CPU,
 *        once.
 * @param plat The platform (GIC version and frames).
 * @return ::HYP_OK; ::HYP_ENOTSUP for a GIC other than GICv3 or GICv2, or a
 *         GICv2 without its CPU interface frame.
 */
int hyp_gic_init(const struct hyp_platform *plat);

/**
 * @brief The version of the GIC hyp_gic_init() set up.
 * @return 2 for a GICv2, otherwise 3.
 */
unsigned hyp_gic_version(void);

/**
 * @brief Offset of the second 4 KiB page of a GICv2 CPU interface frame
 *        (GICC or GICV; GICC_DIR lives there).
 *
 * 0x1000, or 0x10000 for a frame of 128 KiB or more, whose pages are each
 * aliased over 64 KiB (the ZynqMP's GIC-400).
 * @param frame_size The frame's size from the DT.
 * @return The offset.
 */
uint64_t hyp_gic_v2_page1(uint64_t frame_size);

/**
 * @brief Stop this CPU's GIC interface from signalling interrupts (a CPU
 *        being parked).
 */
void hyp_gic_cpu_disable(void);

/**
 * @brief Wake this CPU's redistributor and enable its CPU interface at EL2.
 *
 * Call on every CPU that takes interrupts, after hyp_gic_init().
 * @return ::HYP_OK; ::HYP_ENOENT if no redistributor matches this CPU.
 */
int hyp_gic_cpu_init(void);

/**
 * @brief Whether the calling CPU's GIC interface is set up (hyp_gic_cpu_init()).
 * @return true if interrupts can be taken and acknowledged on this CPU.
 */
bool hyp_gic_cpu_ready(void);

/**
 * @brief Enable a private interrupt (SGI 0..15 or PPI 16..31) on the calling
 *        CPU, group 1.
 * @param intid    The SGI or PPI.
 * @param priority Its priority (lower is more urgent; 0x80 is typical).
 * @return ::HYP_OK; ::HYP_EINVAL for an INTID above 31;
 *         ::HYP_EBUSY before hyp_gic_cpu_init() on this CPU.
 */
int hyp_gic_enable_ppi(uint32_t intid, uint8_t priority);

/**
 * @brief Enable a shared peripheral interrupt, group 1, routed to one CPU.
 * @param intid    The SPI (32..1019).
 * @param priority Its priority.
 * @param mpidr    Affinity of the CPU it is routed to.
 * @param edge     true for edge-triggered, false for level-sensitive.
 * @return ::HYP_OK; ::HYP_EINVAL for an INTID that is not an SPI the
 *         distributor implements; ::HYP_EBUSY before hyp_gic_init().
 */
int hyp_gic_enable_spi(uint32_t intid, uint8_t priority, uint64_t mpidr, bool edge);

/**
 * @brief Acknowledge the highest-priority pending group-1 interrupt.
 * @return Its INTID, or ::HYP_GIC_SPURIOUS if none.
 */
uint32_t hyp_gic_ack(void);

/**
 * @brief End an interrupt returned by hyp_gic_ack(): priority drop and
 *        deactivation.
 * @param intid The INTID (spurious INTIDs are ignored).
 */
void hyp_gic_eoi(uint32_t intid);

/**
 * @brief Priority drop only, leaving the interrupt active.
 *
 * For interrupts handed to a guest as hardware-linked virtual interrupts:
 * the guest's own EOI of the virtual interrupt deactivates the physical one
 * (the CPU interface runs with EOImode = 1).
 * @param intid The INTID.
 */
void hyp_gic_priority_drop(uint32_t intid);

/**
 * @brief Deactivate an interrupt whose priority was dropped earlier.
 *
 * For a hardware-linked interrupt the guest will no longer deactivate
 * itself (the vGIC dropped it).
 * @param intid The INTID.
 */
void hyp_gic_deactivate(uint32_t intid);

/**
 * @brief Whether an interrupt is pending at the physical GIC.
 *
 * For a level-sensitive interrupt that EL2 holds active, this is the level
 * of its line. PPIs and SGIs are read from the calling CPU's redistributor.
 * @param intid The INTID.
 * @return Its pending bit (false before hyp_gic_init() or for a bad INTID).
 */
bool hyp_gic_is_pending(uint32_t intid);

/**
 * @brief Send a software-generated interrupt to a physical CPU.
 * @param mpidr Target CPU's MPIDR affinity.
 * @param sgi   SGI number 0..15.
 */
void hyp_gic_send_sgi(uint64_t mpidr, unsigned sgi);

/**
 * @brief Send an SGI to one logical CPU (hyp_cpu_mpidr() numbering).
 *
 * hyp_gic_send_sgi() for the CPU's own affinity, without looking it up on a
 * GICv2 (whose SGIs name CPU interfaces, not affinities): what a kick on an
 * exit path uses.
 * @param cpu Logical CPU index.
 * @param sgi SGI number 0..15.
 */
void hyp_gic_send_sgi_cpu(unsigned cpu, unsigned sgi);

/** A handler for a physical interrupt taken at EL2. */
typedef void (*hyp_irq_fn)(uint32_t intid, void *arg);

/**
 * @brief Route a physical INTID to a handler (before guests run).
 *
 * hyp_handle_irq() calls the handler after acknowledging the interrupt; the
 * handler ends it with hyp_gic_eoi() or hands it to a guest with
 * hyp_gic_priority_drop(). PPIs and SGIs have one handler for all CPUs.
 *
 * @param intid The INTID (0..1019).
 * @param fn    Handler.
 * @param arg   Its argument.
 * @return ::HYP_OK; ::HYP_EINVAL for a bad INTID; ::HYP_EBUSY if taken.
 */
int hyp_irq_register(uint32_t intid, hyp_irq_fn fn, void *arg);

/**
 * @brief May an interrupt's handler run on the exit fast path now?
 * @param intid The INTID.
 * @param arg   The handler's argument.
 * @return True if it may.
 */
typedef bool (*hyp_irq_fast_fn)(uint32_t intid, void *arg);

/**
 * @brief Let a registered handler run on the exit fast path.
 *
 * hyp_handle_irq_fast() then calls the handler when @p ok says yes at that
 * moment; the handler must obey the fast path's rules (hyp_vm_set_fast_exits()
 * in vm.h).
 * @param intid A registered INTID.
 * @param ok    The predicate, or NULL for never.
 * @return ::HYP_OK; ::HYP_EINVAL for an INTID without a handler.
 */
int hyp_irq_set_fast(uint32_t intid, hyp_irq_fast_fn ok);

/**
 * @brief Acknowledge one physical interrupt on the exit fast path.
 *
 * Its handler runs at once if hyp_irq_set_fast() allowed it; otherwise it
 * is kept, already acknowledged, for the next hyp_handle_irq() on this CPU.
 * @return True if it was handled (or nothing was pending).
 */
bool hyp_handle_irq_fast(void);

/**
 * @brief Acknowledge and dispatch every pending physical interrupt.
 *
 * Called after an IRQ exit (hyp_handle_exit() does). Unregistered INTIDs
 * are reported once each and ended. At most 16 are dispatched per call, so a
 * source that stays asserted cannot hold the CPU at EL2.
 * @return The number of interrupts dispatched.
 */
unsigned hyp_handle_irq(void);

#endif /* HYP_GIC_H */
