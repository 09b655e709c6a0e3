/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmsmmu.h
 * @brief The SMMU confining the DMA of the partitioner's devices to their VMs.
 *
 * A device passed through to a VM whose DMA an SMMUv3 translates (its
 * `iommus` or `iommu-map` in the board DT name an `"arm,smmu-v3"`, as QEMU
 * `virt,iommu=smmuv3` does for its PCIe host bridge) gets its stream IDs
 * pointed at that VM's stage 2 (smmuv3.h: the STE shares the VM's VTTBR,
 * VTCR and VMID), so that its DMA reaches only the VM's guest-physical
 * address space; everything else on the SMMU aborts. The validator
 * (vmconfig.h) has read the stream IDs and refuses a DMA-capable device that
 * no SMMU covers unless its VM says `dma-unconfined`.
 *
 * hyp_vmsmmu_setup() brings the SMMU up and attaches every such device's
 * streams once the VMs are built; hyp_vmsmmu_poll(), called from the tick,
 * drains the SMMU's event queue and reports each fault as a line naming
 * the VM and the stream; hyp_vmsmmu_detach_vm() makes a VM's streams abort
 * when the VM ends. One SMMU is supported (the first the VMs' devices name).
 * Streams of PCI bus 0 are attached one by one; whole buses above 0 (up to
 * bus 255) are given to their VM through the SMMU's two-level stream table
 * (hyp_smmuv3_attach_buses(); at most ::HYP_SMMUV3_VM_TABLES VMs). Without
 * one, or for a part of a bus above 0, those streams abort.
 *
 * The driver's tables live in ::hyp_vmsmmu (static storage), which must be
 * identity-mapped at EL2: not in a hypervisor whose image was moved to
 * coloured pages (hyp_el2_relocate()); hyp_vmsmmu_setup() checks. Target
 * only; none of these runs on an exit path.
 */
#ifndef HYP_VMSMMU_H
#define HYP_VMSMMU_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/smmuv3.h>
#include <hyp/vmbuild.h>

/** The SMMU and the VMs whose devices it translates. Fields are private. */
struct hyp_vmsmmu {
    struct hyp_smmuv3 smmu;        /**< @private The driver (its tables). */
    uint64_t base;                 /**< @private Its registers; 0: not in use. */
    const struct hyp_vmbuild *vms; /**< @private The VMs, by index. */
    unsigned vm_count;             /**< @private Entries in @ref vms. */
    hyp_vmconfig_line_fn report;   /**< @private Where lines go. */
    void *arg;                     /**< @private Its argument. */
    uint32_t run_sid;              /**< @private Stream of the fault run. */
    uint8_t run_type;              /**< @private Its event type. */
    uint64_t run_page;             /**< @private Its 4 KiB page of addresses. */
    bool run_active;               /**< @private A run was reported. */
    unsigned run_more;             /**< @private Faults of it not yet reported. */
    unsigned faults;               /**< @private Faults drained (atomic). */
    bool polling;                  /**< @private A CPU is in hyp_vmsmmu_poll(). */
};

/**
 * @brief Bring the SMMU up and point each confined device's streams at its VM.
 *
 * Finds the first device of @p vms with an SMMU (::hyp_vmconfig_device::smmu),
 * maps its registers at EL2, initialises it with every stream aborting
 * (hyp_smmuv3_init()), then attaches each stream of bus 0 and each whole
 * bus above it of every such device to its VM's stage 2, and reports one
 * line per device, e.g. `SMMU at 0x9050000: vm@0 (dma) /pcie@10000000
 * streams 0x0..0xffff by its stage 2 (VMID 1)` (0x0..0xff: bus 0 only, the
 * SMMU has no two-level table).
 *
 * @param s        Storage, in static memory.
 * @param vms      The VMs, built (hyp_vmbuild_create()).
 * @param count    Entries in @p vms.
 * @param report   Receives each line (and later, from hyp_vmsmmu_poll(),
 *                 each fault); may print.
 * @param arg      Its argument.
 * @param err      Receives a message on failure (::HYP_GUEST_ERRLEN bytes).
 * @return ::HYP_OK; ::HYP_ENOENT when no VM has a device behind an SMMU
 *         (nothing done); ::HYP_ENOTSUP for a second SMMU, an SMMU without
 *         stage 2 (e.g. QEMU's default `arm-smmuv3.stage=1`) or tables not
 *         identity-mapped; errors of hyp_el2_map() and the driver.
 */
int hyp_vmsmmu_setup(struct hyp_vmsmmu *s, const struct hyp_vmbuild *vms, unsigned count,
                     hyp_vmconfig_line_fn report, void *arg, char *err);

/**
 * @brief Report the SMMU's new faults, each naming its VM and stream.
 *
 * Drains the event queue (hyp_smmuv3_poll()). The first record of a run of
 * faults of one stream and type is reported whole, e.g. `SMMU fault: vm@0
 * (dma) stream 0x10 (00:02.0 of /pcie@10000000): translation fault, stage
 * 2, write at 0x70000000`; the rest of the run is counted and reported as
 * one line when another record, or the end of the queue, ends it.
 * Cheap when nothing happened (one register read); a CPU that finds
 * another polling returns at once. Call it from the tick.
 *
 * @param s The SMMU (hyp_vmsmmu_setup() done; otherwise nothing happens).
 * @return Records drained by this call.
 */
unsigned hyp_vmsmmu_poll(struct hyp_vmsmmu *s);

/**
 * @brief Make the streams of VM @p b's devices abort (when the VM ends).
 * @param s The SMMU.
 * @param b The VM.
 * @return ::HYP_OK; errors of hyp_smmuv3_detach().
 */
int hyp_vmsmmu_detach_vm(struct hyp_vmsmmu *s, const struct hyp_vmbuild *b);

/**
 * @brief Faults drained so far.
 * @param s The SMMU.
 * @return The count.
 */
unsigned hyp_vmsmmu_faults(const struct hyp_vmsmmu *s);

#endif /* HYP_VMSMMU_H */
