/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file ram_layout.h
 * @brief Where a VM's RAM goes: guest-physical addresses for the machine's
 *        RAM minus what the hypervisor keeps.
 *
 * A hypervisor hands a guest the RAM banks of the board minus its own
 * reserved ranges (its image, page tables, other VMs). Two placements:
 *
 * - ::HYP_RAM_IDENTITY: every free piece keeps its physical address
 *   (IPA == PA). Required as soon as the guest is given a DMA-capable
 *   device without an IOMMU: the guest programs the device with guest-
 *   physical addresses and the device uses them as physical ones, so any
 *   other placement makes DMA land beside the guest's buffers. The reserved
 *   ranges are then holes in the guest's RAM (leave them out of its
 *   `/memory`, as hyp_vm_add_ram() of only the pieces does for stage 2).
 * - ::HYP_RAM_PACKED: each bank's free pieces are packed, in order, from
 *   the bank's own base upward, so the guest sees RAM starting where the
 *   board's does, with its size less the reserved bytes: guests linked for
 *   the bare board run unchanged. Only safe while no DMA-capable device is
 *   given to the guest.
 *
 * hyp_ram_layout() is a pure function: no allocation, host-tested.
 */
#ifndef HYP_RAM_LAYOUT_H
#define HYP_RAM_LAYOUT_H

#include <stdint.h>
#include <hyp/platform.h>
#include <hyp/vm.h>

/** Granule of the placement: reserved ranges are widened to it (4 KiB). */
#define HYP_RAM_LAYOUT_GRANULE 0x1000ULL

/** How guest-physical addresses relate to the physical RAM behind them. */
enum hyp_ram_placement {
    HYP_RAM_IDENTITY = 0, /**< IPA == PA for every piece (DMA-safe). */
    HYP_RAM_PACKED,       /**< Pieces of a bank packed from the bank's base. */
};

/**
 * @brief Lay out guest RAM: the banks minus the reserved ranges.
 *
 * Each reserved range is widened to whole 4 KiB pages (ranges of size 0 are
 * skipped; reserved ranges may overlap each other and may lie partly or
 * wholly outside the banks). What remains of each bank is cut into maximal
 * free pieces, lowest first; pieces smaller than @p min_size are dropped
 * (they stay unmapped, like the reserved ranges). The pieces are written to
 * @p out in bank order, lowest address first within a bank, each as
 * `{ipa, pa, size}` ready for hyp_vm_add_ram():
 * - ::HYP_RAM_IDENTITY: `ipa == pa`;
 * - ::HYP_RAM_PACKED: the first kept piece of a bank at the bank's base,
 *   each next one right after the previous one's end.
 *
 * @param banks          Physical RAM banks, each 4 KiB aligned in base and
 *                       size, non-empty, not wrapping, not overlapping.
 * @param bank_count     Entries in @p banks (at least 1).
 * @param reserved       Ranges the guest must not get; NULL if
 *                       @p reserved_count is 0.
 * @param reserved_count Entries in @p reserved.
 * @param placement      ::HYP_RAM_IDENTITY or ::HYP_RAM_PACKED.
 * @param min_size       Smallest piece kept, in bytes (0 or 4096 keep all).
 * @param out            Receives the pieces; unspecified on failure.
 * @param max            Room in @p out.
 * @param count          Receives the number of pieces written.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL pointers, no bank, a misaligned,
 *         empty, wrapping or overlapping bank, a wrapping reserved range or
 *         an unknown placement; ::HYP_ENOMEM when more than @p max pieces
 *         remain; ::HYP_ENOENT when no piece remains.
 */
int hyp_ram_layout(const struct hyp_range *banks, unsigned bank_count,
                   const struct hyp_range *reserved, unsigned reserved_count,
                   enum hyp_ram_placement placement, uint64_t min_size,
                   struct hyp_vm_ram *out, unsigned max, unsigned *count);

#endif /* HYP_RAM_LAYOUT_H */
