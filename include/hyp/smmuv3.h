/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file smmuv3.h
 * @brief Arm SMMUv3, stage 2 only: a device's DMA translated by a VM's stage 2.
 *
 * The SMMU sits between DMA-capable devices (on QEMU `virt,iommu=smmuv3`,
 * everything behind the PCIe host bridge) and memory. Each device is named
 * by a stream ID (for PCI its requester ID, bus << 8 | devfn). This driver
 * keeps a stream table of 2^::HYP_SMMUV3_SID_BITS entries for PCI bus 0 in
 * which every stream starts *aborting* (its DMA is refused), and
 * hyp_smmuv3_attach() points one stream at a VM's stage 2: the stream table
 * entry (STE) shares the VM's translation table base (VTTBR_EL2.BADDR), its
 * VTCR_EL2 fields (T0SZ, SL0, cacheability, shareability, granule, PS) and
 * its VMID, so the device sees exactly the guest-physical address space the
 * VM's CPUs see, and a DMA outside it faults. Stage-2 faults are recorded
 * (STE.S2R) in the event queue, which hyp_smmuv3_poll() drains.
 *
 * Stream IDs of higher buses (up to 16 bits) need the SMMU's two-level
 * stream table (IDR0.ST_LEVEL): the bus-0 table is then the level-2 table
 * of the first level-1 descriptor, and hyp_smmuv3_attach_buses() gives
 * whole buses to a VM, every bus of one VM sharing one level-2 table of
 * ::HYP_SMMUV3_BUS_STES identical entries (at most ::HYP_SMMUV3_VM_TABLES
 * VMs). Streams of a bus nobody was given are recorded as bad stream IDs.
 *
 * Register layout, queue and STE formats: Arm IHI 0070 (SMMUv3). Registers
 * are reached with 32-bit accesses only (include/hyp/mmio.h), the 64-bit ones
 * as two halves. The tables live inside struct hyp_smmuv3 (no allocation):
 * put it in static storage, which libhyp maps at its physical address.
 * Without IDR0.COHACC the tables would need cache maintenance; this driver
 * requires a coherent SMMU and refuses others.
 *
 * Stage-2 tables shared with an SMMU: after changing a VM's stage 2 (unmap
 * or protect), call hyp_smmuv3_invalidate_vmid() as well as the CPU's TLB
 * maintenance, or the device may keep using stale translations.
 *
 * Locking: one lock per SMMU serialises the command queue; hyp_smmuv3_poll()
 * takes it too. None of these is called on an exit path.
 */
#ifndef HYP_SMMUV3_H
#define HYP_SMMUV3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hyp/spinlock.h>

/** Stream ID bits of the linear stream table (256 streams: PCI bus 0). */
#define HYP_SMMUV3_SID_BITS    8
/** Stream table entries per PCI bus: one level-2 table. */
#define HYP_SMMUV3_BUS_STES    (1u << HYP_SMMUV3_SID_BITS)
/** Stream ID bits with a two-level table (PCI segment 0: 256 buses). */
#define HYP_SMMUV3_SID_BITS_2L 16
/** VMs that can be given buses above 0 (one shared level-2 table each). */
#define HYP_SMMUV3_VM_TABLES   2
/** log2 of the command queue's entries. */
#define HYP_SMMUV3_CMDQ_BITS   8
/** log2 of the event queue's entries. */
#define HYP_SMMUV3_EVTQ_BITS   7

/** Event record types this driver names (IHI 0070, "Event records"). */
enum hyp_smmuv3_event_type {
    HYP_SMMUV3_EVT_BAD_STREAMID = 0x02,    /**< C_BAD_STREAMID: SID beyond the table. */
    HYP_SMMUV3_EVT_BAD_STE = 0x04,         /**< C_BAD_STE: a malformed STE. */
    HYP_SMMUV3_EVT_STREAM_DISABLED = 0x06, /**< F_STREAM_DISABLED. */
    HYP_SMMUV3_EVT_TRANSLATION = 0x10,     /**< F_TRANSLATION: no mapping. */
    HYP_SMMUV3_EVT_ADDR_SIZE = 0x11,       /**< F_ADDR_SIZE: address out of range. */
    HYP_SMMUV3_EVT_ACCESS = 0x12,          /**< F_ACCESS: access flag. */
    HYP_SMMUV3_EVT_PERMISSION = 0x13,      /**< F_PERMISSION: mapped, not allowed. */
};

/** One decoded event record. */
struct hyp_smmuv3_event {
    uint8_t type;    /**< Its ::hyp_smmuv3_event_type (or another code). */
    uint32_t sid;    /**< Stream ID of the device that caused it. */
    uint64_t addr;   /**< The input address the device used (translation faults). */
    bool write;      /**< The access was a write (translation faults). */
    bool stage2;     /**< The fault was in stage 2 (translation faults). */
    uint64_t raw[4]; /**< The record as read. */
};

/** Stream table entry: eight 64-bit words. */
struct hyp_smmuv3_ste {
    uint64_t w[8]; /**< The words, little-endian in memory. */
};

/** An SMMUv3. Fields are private. */
struct hyp_smmuv3 {
    /** @private Bus 0's stream table (linear, or level 2 of the first
     *  level-1 descriptor). */
    struct hyp_smmuv3_ste strtab[HYP_SMMUV3_BUS_STES]
        __attribute__((aligned(64u << HYP_SMMUV3_SID_BITS)));
    /** @private Shared level-2 tables of the VMs given whole buses. */
    struct hyp_smmuv3_ste vm_tables[HYP_SMMUV3_VM_TABLES][HYP_SMMUV3_BUS_STES]
        __attribute__((aligned(64u << HYP_SMMUV3_SID_BITS)));
    /** @private Level-1 descriptors, one per bus (two-level table only). */
    uint64_t l1[1u << (HYP_SMMUV3_SID_BITS_2L - HYP_SMMUV3_SID_BITS)]
        __attribute__((aligned(8u << (HYP_SMMUV3_SID_BITS_2L - HYP_SMMUV3_SID_BITS))));
    /** @private VMID whose STE fills vm_tables[i] (valid if vm_table_used[i]). */
    uint16_t vm_table_vmid[HYP_SMMUV3_VM_TABLES];
    bool vm_table_used[HYP_SMMUV3_VM_TABLES]; /**< @private */
    bool two_level;                           /**< @private l1 in use. */
    /** @private Command queue, two words per command. */
    uint64_t cmdq[2u << HYP_SMMUV3_CMDQ_BITS]
        __attribute__((aligned(16u << HYP_SMMUV3_CMDQ_BITS)));
    /** @private Event queue, four words per record. */
    uint64_t evtq[4u << HYP_SMMUV3_EVTQ_BITS]
        __attribute__((aligned(32u << HYP_SMMUV3_EVTQ_BITS)));
    uintptr_t base;           /**< @private Register page 0. */
    unsigned sid_bits;        /**< @private Stream ID bits in use. */
    uint32_t cmdq_prod;       /**< @private Our producer index (with wrap bit). */
    uint32_t evtq_cons;       /**< @private Our consumer index (with wrap bit). */
    uint32_t events;          /**< @private Records drained so far. */
    struct hyp_spinlock lock; /**< @private */
};

/**
 * @brief The STE of a stream translated by a VM's stage 2 (pure; host-tested).
 *
 * Config = stage 1 bypass, stage 2 translate; S2VMID = @p vmid; the VTCR_EL2
 * fields T0SZ, SL0, IRGN0, ORGN0, SH0, TG0 and PS copied; AArch64 tables,
 * little-endian, access-flag faults disabled (libhyp's stage-2 entries have
 * AF set), faults recorded (S2R); S2TTB = VTTBR_EL2.BADDR.
 *
 * @param ste   Receives the entry.
 * @param vmid  The VM's VMID.
 * @param vttbr Its VTTBR_EL2 (the VMID bits are ignored).
 * @param vtcr  Its VTCR_EL2.
 */
void hyp_smmuv3_ste_s2(struct hyp_smmuv3_ste *ste, uint16_t vmid, uint64_t vttbr,
                       uint64_t vtcr);

/**
 * @brief The STE of a stream whose every transaction is refused (pure).
 * @param ste Receives the entry: valid, Config = abort.
 */
void hyp_smmuv3_ste_abort(struct hyp_smmuv3_ste *ste);

/**
 * @brief Decode one event record (pure).
 * @param rec The record's four words.
 * @param ev  Receives it.
 */
void hyp_smmuv3_decode_event(const uint64_t rec[4], struct hyp_smmuv3_event *ev);

/**
 * @brief Bring an SMMU up with every stream aborting.
 *
 * Disables it, checks IDR0 (stage 2, AArch64 tables, coherent access,
 * linear stream table) and IDR5 (4 KiB granule), programs the stream table,
 * command and event queues, enables the queues, invalidates every cached
 * configuration and TLB entry, then enables translation. Stream IDs beyond
 * the table, and those nothing was attached to, abort.
 *
 * @param s    Storage (its tables must be at their physical addresses).
 * @param base Physical address of its registers (mapped Device at EL2).
 * @return ::HYP_OK; ::HYP_ENOTSUP if it lacks what this driver needs;
 *         ::HYP_EBUSY if it does not acknowledge a change or a command.
 */
int hyp_smmuv3_init(struct hyp_smmuv3 *s, uintptr_t base);

/**
 * @brief Translate stream @p sid by a VM's stage 2 (see hyp_smmuv3_ste_s2()).
 *
 * Writes the STE (valid bit last), then invalidates the SMMU's copy of it
 * and the VMID's TLB entries and waits for completion.
 *
 * @param s     The SMMU.
 * @param sid   Stream ID, below 2^::HYP_SMMUV3_SID_BITS.
 * @param vmid  The VM's VMID.
 * @param vttbr Its VTTBR_EL2.
 * @param vtcr  Its VTCR_EL2.
 * @return ::HYP_OK; ::HYP_EINVAL for a stream ID beyond the table;
 *         ::HYP_EBUSY if the SMMU does not complete the commands.
 */
int hyp_smmuv3_attach(struct hyp_smmuv3 *s, uint32_t sid, uint16_t vmid, uint64_t vttbr,
                      uint64_t vtcr);

/**
 * @brief Translate every stream of PCI buses @p first..@p last by a VM's stage 2.
 *
 * Needs the two-level stream table. The buses' level-1 descriptors point at
 * the VM's shared level-2 table (filled with hyp_smmuv3_ste_s2() the first
 * time), then the SMMU's copies of their entries and the VMID's TLB entries
 * are invalidated.
 *
 * @param s     The SMMU.
 * @param first First bus, at least 1 (bus 0 is hyp_smmuv3_attach()'s).
 * @param last  Last bus, at most 2^(::HYP_SMMUV3_SID_BITS_2L - 8) - 1 and
 *              within the SMMU's stream ID size.
 * @param vmid  The VM's VMID.
 * @param vttbr Its VTTBR_EL2.
 * @param vtcr  Its VTCR_EL2.
 * @return ::HYP_OK; ::HYP_ENOTSUP without a two-level table; ::HYP_EINVAL
 *         for buses out of range; ::HYP_ENOMEM when
 *         ::HYP_SMMUV3_VM_TABLES other VMs already have buses;
 *         ::HYP_EBUSY if the SMMU does not complete the commands.
 */
int hyp_smmuv3_attach_buses(struct hyp_smmuv3 *s, unsigned first, unsigned last,
                            uint16_t vmid, uint64_t vttbr, uint64_t vtcr);

/**
 * @brief Take buses @p first..@p last away again (hyp_smmuv3_attach_buses()).
 *
 * Their level-1 descriptors become invalid (their streams' DMA is refused
 * and recorded as bad stream IDs); a VM's shared table no bus uses any
 * more is freed.
 *
 * @param s     The SMMU.
 * @param first First bus (at least 1).
 * @param last  Last bus.
 * @return As hyp_smmuv3_attach_buses().
 */
int hyp_smmuv3_detach_buses(struct hyp_smmuv3 *s, unsigned first, unsigned last);

/**
 * @brief Make stream @p sid abort again (its in-flight translations end).
 * @param s   The SMMU.
 * @param sid Stream ID.
 * @return As hyp_smmuv3_attach().
 */
int hyp_smmuv3_detach(struct hyp_smmuv3 *s, uint32_t sid);

/**
 * @brief Drop the SMMU's TLB entries of a VMID (after a stage-2 change).
 * @param s    The SMMU.
 * @param vmid The VMID.
 * @return ::HYP_OK or ::HYP_EBUSY.
 */
int hyp_smmuv3_invalidate_vmid(struct hyp_smmuv3 *s, uint16_t vmid);

/**
 * @brief Drain the event queue: call @p fn for each new record, oldest first.
 *
 * Not for exit paths: call it from a tick or an interrupt of the SMMU's
 * event queue. An overflow (records lost) is acknowledged and reported as
 * its own return.
 *
 * @param s   The SMMU.
 * @param fn  Called once per record (may print).
 * @param arg Its argument.
 * @return Number of records drained.
 */
unsigned hyp_smmuv3_poll(struct hyp_smmuv3 *s,
                         void (*fn)(const struct hyp_smmuv3_event *ev, void *arg),
                         void *arg);

#endif /* HYP_SMMUV3_H */
