/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file policy.h
 * @brief The thin monitor's policy, read from the boot device tree.
 *
 * The policy is the first node whose `compatible` contains
 * ::HYP_POLICY_COMPATIBLE (conventionally `/chosen/monitor-policy`); the
 * binding is specified in `docs/bindings/monitor-policy.md`. It says which
 * guest events the monitor reports and refuses: writes to the EL1
 * control registers, system calls from guest EL0, physical interrupts,
 * accesses to watched MMIO regions and to protected memory ranges, how
 * many event lines per second may be printed, and whether DMA-capable
 * devices are given to the guest at all (hyp_policy_dma_capable()).
 *
 * hyp_policy_parse() validates everything strictly: unknown properties,
 * unknown child nodes, malformed values and inconsistent ranges are errors
 * with a message that names the node path and the property, so that a typo
 * never silently weakens the policy. Nothing is allocated.
 *
 * hyp_creg_write_allowed() is the pure check the monitor applies to trapped
 * control-register writes once the guest has locked its configuration.
 */
#ifndef HYP_POLICY_H
#define HYP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The `compatible` string that marks the policy node. */
#define HYP_POLICY_COMPATIBLE "libhyp,monitor-policy"

/** Most `watch@` nodes a policy may have. */
#define HYP_POLICY_MAX_WATCH      4
/** Most `protect@` nodes a policy may have. */
#define HYP_POLICY_MAX_PROTECT    8
/** Most compatible strings in `dma-capable`. */
#define HYP_POLICY_MAX_DMA_COMPAT 8
/** Room for one of them, including the terminating NUL. */
#define HYP_POLICY_COMPAT_LEN     48
/** Room for a parse error message, including the terminating NUL. */
#define HYP_POLICY_ERRLEN         160

/** Events per second when `rate-limit` is absent. */
#define HYP_POLICY_DEFAULT_RATE  100
/** Burst (token bucket capacity) when `rate-limit` is absent. */
#define HYP_POLICY_DEFAULT_BURST 200

/** Granule that watched and protected ranges must be aligned to (4 KiB). */
#define HYP_POLICY_GRANULE 0x1000u

/** Action bit: emit an event line. */
#define HYP_ACT_LOG  1u
/** Action bit: refuse the access. */
#define HYP_ACT_DENY 2u

/** Protection flag: writes to the range are refused (`no-write`). */
#define HYP_POLICY_NO_WRITE 1u
/** Protection flag: instruction fetches from the range are refused (`no-exec`). */
#define HYP_POLICY_NO_EXEC  2u

/** A watched MMIO region (`watch@<addr>` node). */
struct hyp_policy_watch {
    uint64_t base;   /**< First byte (guest physical), 4 KiB aligned. */
    uint64_t size;   /**< Length in bytes, non-zero, 4 KiB aligned. */
    unsigned action; /**< ::HYP_ACT_LOG and/or ::HYP_ACT_DENY, never 0. */
    char name[32];   /**< Node name, e.g. "watch@9010000" (truncated to 31 chars). */
};

/** A protected memory range (`protect@<addr>` node). */
struct hyp_policy_protect {
    uint64_t base;   /**< First byte (guest physical), 4 KiB aligned. */
    uint64_t size;   /**< Length in bytes, non-zero, 4 KiB aligned. */
    unsigned prot;   /**< ::HYP_POLICY_NO_WRITE and/or ::HYP_POLICY_NO_EXEC, never 0. */
    unsigned action; /**< Always has ::HYP_ACT_DENY; ::HYP_ACT_LOG too for "log-deny". */
    char name[32];   /**< Node name, e.g. "protect@40000000" (truncated to 31 chars). */
};

/**
 * What the `control-registers` property selects. The values other than
 * ::HYP_POLICY_CREG_OFF are the `HYP_ACT_*` bit sets stored in
 * ::hyp_policy::creg_action.
 */
enum hyp_policy_creg {
    HYP_POLICY_CREG_OFF = 0,             /**< "off": not trapped. */
    HYP_POLICY_CREG_LOG = HYP_ACT_LOG,   /**< "log": log every write. */
    HYP_POLICY_CREG_DENY = HYP_ACT_DENY, /**< "deny": refuse violations. */
    HYP_POLICY_CREG_LOG_DENY = HYP_ACT_LOG | HYP_ACT_DENY /**< "log-deny": both. */
};

/** A parsed monitor policy. */
struct hyp_policy {
    bool present;         /**< A policy node was found. */
    char path[64];        /**< Its path, for messages ("" if absent; truncated). */
    uint32_t rate;        /**< Event lines per second; 0 means unlimited. */
    uint32_t burst;       /**< Token bucket capacity (lines printed back to back). */
    bool syscalls;        /**< SVC events from guest EL0 are caught from boot on. */
    bool creg_trap;       /**< Writes to the EL1 control registers are trapped. */
    unsigned creg_action; /**< A ::hyp_policy_creg value (0 when not trapped). */
    bool irq_log;         /**< Each physical interrupt is logged, not only counted. */
    /** `fine-grained-traps = "off"`: catch system calls and VBAR_EL1 writes the
     *  FEAT_FGT-less way even where the CPU has FEAT_FGT. */
    bool no_fgt;
    struct hyp_policy_watch watch[HYP_POLICY_MAX_WATCH]; /**< Watched regions. */
    unsigned watch_count; /**< Valid entries in @ref watch. */
    struct hyp_policy_protect protect[HYP_POLICY_MAX_PROTECT]; /**< Protected ranges. */
    unsigned protect_count; /**< Valid entries in @ref protect. */
    /** `dma-devices = "withhold"`: DMA-capable devices are not given to the guest. */
    bool dma_withhold;
    /** `dma-capable`: further compatibles whose devices count as DMA-capable. */
    char dma_compat[HYP_POLICY_MAX_DMA_COMPAT][HYP_POLICY_COMPAT_LEN];
    unsigned dma_compat_count; /**< Valid entries in @ref dma_compat. */
};

/**
 * @brief Fill @p pol with the defaults of an absent policy.
 *
 * present = false, path "", rate-limit 100 lines per second with a burst of
 * 200, syscalls off, control registers not trapped, interrupts counted only,
 * no watched or protected ranges.
 *
 * @param pol The policy to fill (not NULL).
 */
void hyp_policy_defaults(struct hyp_policy *pol);

/**
 * @brief Read the monitor policy from a DTB.
 *
 * The blob is first checked whole (header, size, structure). The policy
 * node is the first node compatible with ::HYP_POLICY_COMPATIBLE; if there
 * is none, @p pol gets the defaults (hyp_policy_defaults()) and the call
 * succeeds. Otherwise every property and child of the node is validated as
 * `docs/bindings/monitor-policy.md` specifies; ranges are stored in DT order.
 *
 * @param dtb     The flattened device tree, 8-byte aligned.
 * @param dtb_max Bytes that may be read at @p dtb (the header's totalsize
 *                must not exceed it).
 * @param pol     Filled on success; holds the defaults after a failure.
 * @param err     If not NULL, receives a NUL-terminated message of at most
 *                ::HYP_POLICY_ERRLEN bytes on failure, naming the node path and
 *                property at fault, e.g.
 *                `/chosen/monitor-policy/watch@9010000: reg: size is 0`;
 *                set to "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for a NULL @p dtb or @p pol; ::HYP_EALIGN for
 *         a misaligned @p dtb; ::HYP_ENOMEM for more than
 *         ::HYP_POLICY_MAX_WATCH watched or ::HYP_POLICY_MAX_PROTECT protected
 *         ranges; ::HYP_EFORMAT for a malformed blob or any invalid policy.
 */
int hyp_policy_parse(const void *dtb, size_t dtb_max, struct hyp_policy *pol, char *err);

/**
 * @brief The watched region containing an address.
 * @param pol  A parsed policy.
 * @param addr A guest physical address.
 * @return The entry of ::hyp_policy::watch containing @p addr, or NULL.
 */
const struct hyp_policy_watch *hyp_policy_find_watch(const struct hyp_policy *pol,
                                                     uint64_t addr);

/**
 * @brief The protected range containing an address.
 * @param pol  A parsed policy.
 * @param addr A guest physical address.
 * @return The entry of ::hyp_policy::protect containing @p addr, or NULL.
 */
const struct hyp_policy_protect *hyp_policy_find_protect(const struct hyp_policy *pol,
                                                         uint64_t addr);

/**
 * @brief Whether a device node of the boot DTB can master DMA.
 *
 * Without an IOMMU such a device reaches any physical address the guest
 * programs into it: the thin monitor identity-maps guest RAM when it gives
 * one to the guest, or withholds them all with `dma-devices = "withhold"`.
 * A node counts as DMA-capable when it is compatible with `"virtio,mmio"`
 * or with one of the policy's `dma-capable` strings, or has any of the
 * properties `dma-coherent`, `dma-noncoherent`, `dma-ranges`, `iommus` or
 * `iommu-map`. A non-coherent DMA master that says none of this in its node
 * is not recognised: list its compatible in `dma-capable`.
 *
 * @param pol  A parsed policy (its `dma-capable` list), or NULL for none.
 * @param dtb  The boot DTB (already checked, e.g. by hyp_policy_parse()).
 * @param node Offset of the device node in @p dtb.
 * @return true if the device is DMA-capable; false otherwise or for a bad
 *         @p dtb or @p node.
 */
bool hyp_policy_dma_capable(const struct hyp_policy *pol, const void *dtb, int node);

/** SCTLR_EL1.M: the stage 1 MMU enable bit the lock preserves. */
#define HYP_SCTLR_EL1_M   (UINT64_C(1) << 0)
/** SCTLR_EL1.WXN: write implies execute-never, which the lock preserves. */
#define HYP_SCTLR_EL1_WXN (UINT64_C(1) << 19)

/** The guest's control-register configuration at the time it locked it. */
struct hyp_creg_lock {
    bool locked;    /**< The guest has locked its control registers. */
    uint64_t sctlr; /**< SCTLR_EL1 at lock time. */
    uint64_t vbar;  /**< VBAR_EL1 at lock time. */
};

/**
 * @brief Whether a trapped control-register write respects the lock.
 *
 * Unlocked (or @p lock NULL): every write is allowed. Locked:
 *  - SCTLR_EL1: refused if it clears M while M was set at lock time, or
 *    clears WXN while WXN was set at lock time; other bits may change;
 *  - VBAR_EL1: refused unless @p val equals the value at lock time;
 *  - any other register (TTBR0_EL1, TTBR1_EL1, TCR_EL1, MAIR_EL1, ...):
 *    allowed.
 *
 * @param lock The lock state.
 * @param key  The register, as an `HYP_SYSREG_*` key from hyp/trap.h.
 * @param val  The value the guest writes.
 * @return true if the write may proceed.
 */
bool hyp_creg_write_allowed(const struct hyp_creg_lock *lock, uint16_t key, uint64_t val);

#endif /* HYP_POLICY_H */
