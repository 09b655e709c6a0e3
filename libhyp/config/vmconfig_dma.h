/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal to libhyp/config: a passed-through PCIe host bridge (its windows
 * and INTx routing) and the SMMU stream IDs of a DMA-capable device, read
 * from the board DT for hyp_vmconfig_parse(). Each function fills part of a
 * ::hyp_vmconfig_device and, on a refusal, writes why into @p why (the text
 * after "passthrough: <path>: ").
 */
#ifndef HYP_CONFIG_VMCONFIG_DMA_H
#define HYP_CONFIG_VMCONFIG_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hyp/vmconfig.h>

/** Room for a refusal's text. */
#define HYP_VMCONFIG_DMA_WHY 160

/** @p node is a PCI host bridge (`device_type = "pci"`). */
bool hyp_vmconfig_is_pci_host(const void *fdt, int node);

/** @p node is an SMMUv3 (`"arm,smmu-v3"`): the partitioner's own device. */
bool hyp_vmconfig_is_smmu(const void *fdt, int node);

/**
 * A PCIe host bridge's CPU-side windows (`ranges`, appended to @p d's
 * regs after its ECAM) and the SPIs of its `interrupt-map` (whose parents
 * must all be the GIC whose distributor is at @p gicd).
 * @return HYP_OK, or HYP_ENOTSUP / HYP_EFORMAT / HYP_ENOMEM with @p why.
 */
int hyp_vmconfig_pci_host(const void *fdt, int node, uint64_t gicd,
                          struct hyp_vmconfig_device *d, char *why);

/**
 * The SMMU and stream IDs of @p node's DMA: its `iommus` (one stream per
 * specifier) or `iommu-map` (rid-base, iommu, iommu-base, length), every
 * specifier naming one enabled `"arm,smmu-v3"` node with `#iommu-cells = 1`.
 * @return HYP_OK with ::hyp_vmconfig_device::smmu and streams set;
 *         HYP_ENOENT when the node has neither property; HYP_ENOTSUP or
 *         HYP_EFORMAT with @p why otherwise.
 */
int hyp_vmconfig_dma_streams(const void *fdt, int node, struct hyp_vmconfig_device *d,
                             char *why);

/** Two devices' stream ranges on the same SMMU meet: the first shared ID in @p sid. */
bool hyp_vmconfig_streams_meet(const struct hyp_vmconfig_device *a,
                               const struct hyp_vmconfig_device *b, uint32_t *sid);

#endif /* HYP_CONFIG_VMCONFIG_DMA_H */
