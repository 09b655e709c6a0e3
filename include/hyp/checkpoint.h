/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file checkpoint.h
 * @brief VM checkpoints: write a paused VM's state, read and check it back.
 *
 * A checkpoint holds everything a paused VM needs to continue on another
 * boot, possibly of another board of the same kind: its RAM (sparse: pages
 * that are all zero are not stored), every vCPU's registers and EL1 system
 * state, the guest's virtual counter at the pause (so that its time goes on
 * instead of jumping), its virtual GIC, its virtual UARTs, and a SHA-256
 * digest over all of it. The byte format, version 1, is described in
 * docs/checkpoint.md; this header is its only reader and writer.
 *
 * Pure logic, no allocation, no hardware: builds for host and target.
 *
 * @par Writing
 * The writer streams: hyp_ckpt_write_begin(), then one
 * hyp_ckpt_write_vcpu() per vCPU, hyp_ckpt_write_vgic(), any number of
 * hyp_ckpt_write_vuart(), one hyp_ckpt_write_ram() per RAM range (in any
 * order), and hyp_ckpt_write_end(). Every byte goes to a caller-supplied
 * sink (a RAM region, a flash driver, a file on the host). The first error
 * (of the sink or of an argument) sticks: later calls do nothing and
 * hyp_ckpt_write_end() returns it. The VM must be paused on all its CPUs,
 * its list registers synced into the model (hyp_vgic_sync()) and its EL1
 * state saved (the vCPUs not loaded).
 *
 * @par Reading
 * hyp_ckpt_parse() checks a whole checkpoint in memory: header, version,
 * the layout of every record, the values of the vGIC and UART records, that
 * nothing is missing, duplicated or trailing, and the digest. It keeps
 * pointers into the buffer. hyp_ckpt_match() compares the header with the
 * configuration of the VM it is meant for. The hyp_ckpt_restore_*()
 * functions then fill fresh objects. Every refusal leaves a one-line
 * reason in hyp_ckpt::error.
 */
#ifndef HYP_CHECKPOINT_H
#define HYP_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hyp/platform.h>
#include <hyp/sha256.h>
#include <hyp/vcpu.h>
#include <hyp/vgic.h>
#include <hyp/vpl011.h>

/** The 8 bytes a checkpoint starts with. */
#define HYP_CKPT_MAGIC      "LHYPCKPT"
/** The format version this library writes and reads. */
#define HYP_CKPT_VERSION    1u
/** Most RAM ranges a checkpointed VM may have. */
#define HYP_CKPT_MAX_RAM    4
/** Most virtual UARTs a checkpoint may hold. */
#define HYP_CKPT_MAX_VUARTS 4
/** Most vCPUs a checkpointed VM may have. */
#define HYP_CKPT_MAX_VCPUS  HYP_VGIC_MAX_VCPUS
/** Granule of the sparse RAM record: pages of this size that are all zero are left out.
 */
#define HYP_CKPT_PAGE_SIZE  4096u
/** Bytes of a VM name in the header (NUL-padded; at most this minus one characters). */
#define HYP_CKPT_NAME_SIZE  32

/**
 * What a checkpoint must agree on with the VM that restores it.
 *
 * hyp_ckpt_match() refuses a checkpoint whose fingerprint differs in any
 * field: a VM with another number of vCPUs, other RAM ranges, another GIC
 * or other devices cannot take it over.
 */
struct hyp_ckpt_fingerprint {
    uint32_t vcpu_count;  /**< vCPUs, 1..::HYP_CKPT_MAX_VCPUS. */
    uint32_t nr_spis;     /**< SPIs of its virtual GIC (multiple of 32). */
    uint32_t gic_version; /**< Architecture version of its virtual GIC (3). */
    uint32_t ram_count;   /**< RAM ranges, 1..::HYP_CKPT_MAX_RAM. */
    /** Guest-physical RAM ranges, page-aligned, in the VM's order. */
    struct hyp_range ram[HYP_CKPT_MAX_RAM];
    /** SHA-256 over a description of the VM's devices (the owner chooses
     *  what goes in, the same way on both sides: see docs/checkpoint.md). */
    uint8_t devices[HYP_SHA256_SIZE];
};

/** The header of a checkpoint. */
struct hyp_ckpt_header {
    struct hyp_ckpt_fingerprint fp; /**< The VM's shape. */
    uint64_t cntfrq;                /**< Counter frequency (CNTFRQ_EL0) in Hz. */
    /** The guest's virtual count (CNTVCT_EL0) at the pause; on restore,
     *  CNTVOFF_EL2 = physical count - @ref vcount. */
    uint64_t vcount;
    char name[HYP_CKPT_NAME_SIZE]; /**< The VM's name, NUL-terminated. */
};

/**
 * The FP/SIMD state the world switch leaves in the CPU (vcpu.h): q8..q31,
 * FPSR and FPCR. q0..q7 are in hyp_vcpu_regs::q.
 */
struct hyp_ckpt_fp {
    uint64_t q[48]; /**< q8..q31, low then high 64 bits of each. */
    uint64_t fpsr;  /**< FPSR. */
    uint64_t fpcr;  /**< FPCR. */
};

/** One vCPU's state. */
struct hyp_ckpt_vcpu {
    struct hyp_vcpu_regs regs;    /**< General registers, PC, PSTATE, q0..q7. */
    struct hyp_ckpt_fp fp;        /**< The rest of the FP/SIMD state. */
    struct hyp_vcpu_el1 el1;      /**< EL1 system registers, virtual timer included. */
    struct hyp_vgic_hw_state gic; /**< Virtual CPU interface: VMCR, active priorities. */
    uint32_t power;               /**< ::hyp_vcpu_power (ON_PENDING is stored as ON). */
    uint64_t vmpidr;              /**< The MPIDR the guest reads. */
    uint64_t boot_entry;          /**< CPU_ON entry point. */
    uint64_t boot_context;        /**< CPU_ON context id. */
};

/**
 * @brief Where a writer's bytes go.
 * @param ctx The @c ctx given to hyp_ckpt_write_begin().
 * @param buf The next bytes of the checkpoint.
 * @param len How many (at least 1).
 * @return ::HYP_OK, or a negative error code of error.h (e.g. ::HYP_ENOMEM when the
 *         destination is full), which ends the checkpoint.
 */
typedef int (*hyp_ckpt_sink_fn)(void *ctx, const void *buf, size_t len);

/** A memory destination for hyp_ckpt_mem_sink(). */
struct hyp_ckpt_mem {
    uint8_t *base; /**< Where the checkpoint goes. */
    size_t size;   /**< Bytes there. */
    size_t used;   /**< Bytes written so far (start at 0). */
};

/**
 * @brief A sink that appends to a memory region (a ::hyp_ckpt_mem).
 *
 * The region may be a RAM area outside every VM that a board saves (on
 * QEMU, with the monitor's `pmemsave`), or a buffer on the host.
 * @param ctx The ::hyp_ckpt_mem.
 * @param buf The bytes.
 * @param len How many.
 * @return ::HYP_OK, or ::HYP_ENOMEM when they do not fit (nothing written).
 */
int hyp_ckpt_mem_sink(void *ctx, const void *buf, size_t len);

/** A checkpoint being written. Fields are private. */
struct hyp_ckpt_writer {
    hyp_ckpt_sink_fn sink;      /**< Destination. */
    void *ctx;                  /**< Its argument. */
    struct hyp_sha256 sha;      /**< Digest of every byte written. */
    uint64_t size;              /**< Bytes written. */
    int error;                  /**< First error, sticky. */
    uint32_t vcpus_done;        /**< Bit per vCPU record written. */
    uint32_t ram_done;          /**< Bit per RAM record written. */
    uint32_t vuarts_done;       /**< Bit per UART record written. */
    bool vgic_done;             /**< The vGIC record is written. */
    struct hyp_ckpt_header hdr; /**< The header written. */
};

/**
 * @brief Start a checkpoint: write its header.
 * @param w    The writer (overwritten).
 * @param sink Destination of the bytes.
 * @param ctx  Passed to @p sink.
 * @param hdr  Header; its fingerprint must be sane (counts in range, RAM
 *             ranges page-aligned and non-empty).
 * @return ::HYP_OK, ::HYP_EINVAL for a bad header, or the sink's error.
 */
int hyp_ckpt_write_begin(struct hyp_ckpt_writer *w, hyp_ckpt_sink_fn sink, void *ctx,
                         const struct hyp_ckpt_header *hdr);

/**
 * @brief Write one vCPU's record.
 * @param w  The writer.
 * @param id The vCPU's index, below the header's vcpu_count, each once.
 * @param v  Its state.
 * @return ::HYP_OK, ::HYP_EINVAL (bad or repeated @p id), or an earlier error.
 */
int hyp_ckpt_write_vcpu(struct hyp_ckpt_writer *w, unsigned id,
                        const struct hyp_ckpt_vcpu *v);

/**
 * @brief Write the virtual GIC's record.
 *
 * Stores GICD_CTLR, each redistributor's GICR_WAKER and, for every
 * interrupt, its enable, pending (latch and line), active, group,
 * edge/level and priority, and each SPI's GICD_IROUTER. The model must be
 * synced with the list registers (so that it knows what the guest
 * acknowledged). Hardware-backed interrupts are stored as software ones
 * without the physical binding: a pending one is left out (its source, the
 * restored timer, asserts it again), an active one stays active.
 * @param w    The writer.
 * @param vgic The VM's virtual GIC, a GICv3 (version 1 of the format holds
 *             no GICv2); its vCPU and SPI counts must match the header's.
 * @return ::HYP_OK, ::HYP_EINVAL (a GICv2 too), or an earlier error.
 */
int hyp_ckpt_write_vgic(struct hyp_ckpt_writer *w, const struct hyp_vgic *vgic);

/**
 * @brief Write one virtual UART's record (registers and receive FIFO).
 * @param w     The writer.
 * @param index Which of the VM's UARTs, below ::HYP_CKPT_MAX_VUARTS, each once.
 * @param uart  The UART.
 * @return ::HYP_OK, ::HYP_EINVAL, or an earlier error.
 */
int hyp_ckpt_write_vuart(struct hyp_ckpt_writer *w, unsigned index,
                         const struct hyp_vpl011 *uart);

/**
 * @brief Write one RAM range, leaving out the pages that are all zero.
 * @param w     The writer.
 * @param index Which range of the header's fingerprint, each once.
 * @param ram   Where the hypervisor sees that range's bytes (its whole size
 *              is read three times: count, bitmap, pages).
 * @return ::HYP_OK, ::HYP_EINVAL, or an earlier error.
 */
int hyp_ckpt_write_ram(struct hyp_ckpt_writer *w, unsigned index, const void *ram);

/**
 * @brief Finish a checkpoint: check it is complete and write its digest.
 * @param w    The writer.
 * @param size Receives the checkpoint's size in bytes; may be NULL.
 * @return ::HYP_OK; ::HYP_EINVAL if a vCPU, the vGIC or a RAM range is
 *         missing; or the first error of an earlier call.
 */
int hyp_ckpt_write_end(struct hyp_ckpt_writer *w, uint64_t *size);

/** A RAM record of a parsed checkpoint. */
struct hyp_ckpt_ram {
    uint64_t base;         /**< Guest-physical base. */
    uint64_t size;         /**< Bytes. */
    uint64_t pages;        /**< Pages stored (not all zero). */
    const uint8_t *bitmap; /**< Bit n (little-endian 64-bit words): page n stored. */
    const uint8_t *data;   /**< The stored pages, in order. */
};

/** A checkpoint checked by hyp_ckpt_parse(); points into its buffer. */
struct hyp_ckpt {
    uint32_t version;                        /**< Format version (::HYP_CKPT_VERSION). */
    struct hyp_ckpt_header hdr;              /**< Header. */
    const uint8_t *vcpu[HYP_CKPT_MAX_VCPUS]; /**< Each vCPU's record payload. */
    const uint8_t *vgic;                     /**< The vGIC record payload. */
    unsigned vuart_count; /**< UART records (indices 0 .. count - 1). */
    const uint8_t *vuart[HYP_CKPT_MAX_VUARTS]; /**< Each UART's record payload. */
    struct hyp_ckpt_ram
        ram[HYP_CKPT_MAX_RAM];       /**< RAM records, as the header's ranges. */
    uint64_t size;                   /**< Bytes of the checkpoint. */
    uint8_t digest[HYP_SHA256_SIZE]; /**< Its digest (checked). */
    char error[160];                 /**< Why the last call refused it. */
};

/**
 * @brief Check a checkpoint and index its records.
 *
 * Refuses, with a reason in @c ck->error: a wrong magic, another version,
 * a header or record that does not fit (truncated), a record of an
 * unknown type, a missing, repeated or out-of-range one, values the models
 * cannot hold (e.g. a UART FIFO index past its depth, unknown interrupt
 * flags), bytes after the end record, and a digest that does not match.
 * @param ck  Receives the index.
 * @param buf The checkpoint, 8-byte aligned.
 * @param len Its length in bytes.
 * @return ::HYP_OK, or ::HYP_EFORMAT (::HYP_ENOTSUP for another version).
 */
int hyp_ckpt_parse(struct hyp_ckpt *ck, const void *buf, size_t len);

/**
 * @brief Whether a parsed checkpoint fits a VM of the given shape.
 * @param ck The checkpoint; on refusal @c ck->error names the first field
 *           that differs, with both values.
 * @param fp The VM's fingerprint.
 * @return ::HYP_OK, or ::HYP_EINVAL.
 */
int hyp_ckpt_match(struct hyp_ckpt *ck, const struct hyp_ckpt_fingerprint *fp);

/**
 * @brief Read one vCPU's state.
 * @param ck The checkpoint.
 * @param id The vCPU, below the header's vcpu_count.
 * @param v  Receives its state.
 */
void hyp_ckpt_vcpu(const struct hyp_ckpt *ck, unsigned id, struct hyp_ckpt_vcpu *v);

/**
 * @brief Fill a virtual GIC from the checkpoint.
 * @param ck   The checkpoint.
 * @param vgic A virtual GIC just set up by hyp_vgic_init() for the VM (same
 *             vCPU and SPI counts, same vCPU affinities). Interrupts
 *             pending or active are queued for their vCPUs; the next
 *             hyp_vgic_flush() loads them.
 * @return ::HYP_OK; ::HYP_EINVAL (reason in @c ck->error) if @p vgic does
 *         not have the checkpoint's shape; ::HYP_ENOTSUP for a GICv2.
 */
int hyp_ckpt_restore_vgic(struct hyp_ckpt *ck, struct hyp_vgic *vgic);

/**
 * @brief Fill a virtual UART from the checkpoint; its callbacks stay.
 * @param ck    The checkpoint.
 * @param index Which UART, below @c ck->vuart_count.
 * @param uart  A UART set up by hyp_vpl011_init().
 * @return ::HYP_OK, or ::HYP_ENOENT if the checkpoint has no such UART.
 */
int hyp_ckpt_restore_vuart(const struct hyp_ckpt *ck, unsigned index,
                           struct hyp_vpl011 *uart);

/**
 * @brief Fill a RAM range from the checkpoint: stored pages copied, the
 *        others zeroed.
 * @param ck    The checkpoint.
 * @param index Which range, below the header's ram_count.
 * @param ram   Where the hypervisor sees that range's bytes.
 */
void hyp_ckpt_restore_ram(const struct hyp_ckpt *ck, unsigned index, void *ram);

/** What hyp_ckpt_vgic_stats() counts in a checkpoint's vGIC record. */
struct hyp_ckpt_vgic_stats {
    uint32_t ctlr;    /**< GICD_CTLR. */
    unsigned enabled; /**< Interrupts enabled (SGIs and PPIs once per vCPU). */
    unsigned pending; /**< Interrupts pending (latched or line high). */
    unsigned active;  /**< Interrupts active. */
};

/**
 * @brief Count the enabled, pending and active interrupts of a checkpoint.
 * @param ck The checkpoint, parsed.
 * @param st Receives the counts.
 */
void hyp_ckpt_vgic_stats(const struct hyp_ckpt *ck, struct hyp_ckpt_vgic_stats *st);

struct hyp_vmconfig;

/**
 * @brief The fingerprint of a partitioner VM, from its configuration.
 *
 * vCPU count, its RAM as the guest sees it (one range at
 * hyp_vmconfig_vm::mem_ipa), a GICv3 of @p nr_spis SPIs, and as device
 * digest the SHA-256 of its virtual PL011 (address, INTID), its
 * passed-through devices (path, MMIO ranges, interrupts) and its shared
 * regions (node, range), in configuration order. Two configurations that
 * give a VM the same of all this accept each other's checkpoints of it;
 * its name, CPUs, kernel and physical memory placement may differ.
 * @param cfg     A configuration accepted by hyp_vmconfig_parse().
 * @param vm      Index of the VM in @p cfg.
 * @param nr_spis SPIs of the VM's virtual GIC.
 * @param fp      Receives the fingerprint.
 * @return ::HYP_OK, or ::HYP_EINVAL for a bad @p vm.
 */
int hyp_ckpt_vm_fingerprint(const struct hyp_vmconfig *cfg, unsigned vm, unsigned nr_spis,
                            struct hyp_ckpt_fingerprint *fp);

/**
 * @brief Whether a partitioner VM may be checkpointed at all.
 *
 * A passed-through device keeps state in the hardware that no checkpoint
 * holds, so a VM with one is refused unless its node's `checkpoint-detach`
 * property lists that device's phandle (its driver copes with the device
 * found in its reset state after a restore). A VM that shares memory with
 * another VM is refused: half of that memory's users are not paused.
 * @param dtb  The DTB @p cfg was parsed from.
 * @param cfg  A configuration accepted by hyp_vmconfig_parse().
 * @param vm   Index of the VM.
 * @param why  Receives the reason for a refusal ("" when allowed).
 * @param size Bytes at @p why.
 * @return ::HYP_OK; ::HYP_EPERM when not checkpointable; ::HYP_EINVAL for a
 *         bad @p vm or a `checkpoint-detach` entry that is not one of the
 *         VM's passed-through devices.
 */
int hyp_ckpt_vm_allowed(const void *dtb, const struct hyp_vmconfig *cfg, unsigned vm,
                        char *why, size_t size);

#endif /* HYP_CHECKPOINT_H */
