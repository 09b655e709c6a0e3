/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file hcpage.h
 * @brief The hypercall page: SMCCC calls made by MMIO, for code that cannot
 *        issue HVC (e.g. Linux userspace through `/dev/mem`).
 *
 * A hypercall page is a 4 KiB emulated MMIO region of a VM. Writing a
 * function ID and arguments into one of its call *slots*, then writing the
 * slot's CALL register, makes exactly the SMCCC call that an HVC with those
 * registers would make (hyp_smccc_dispatch()), on the vCPU that wrote CALL;
 * when that store completes, the slot's result registers hold what x0..x4
 * would have held after the HVC. The guest's own registers do not change.
 * Only the SMCCC owners a hypervisor allows (e.g. the vendor-specific
 * hypervisor service, owner 6) are served; other calls return
 * NOT_SUPPORTED without reaching any service.
 *
 * The layout (`docs/bindings/child-vms.md`, "From Linux userspace"); every
 * register is 64 bits wide and accessed with aligned 64-bit loads and
 * stores only (any other access is refused: the guest takes an external
 * abort):
 *
 * | offset | register | |
 * |--------|----------|-|
 * | 0x000 | MAGIC (RO) | ::HYP_HCPAGE_MAGIC |
 * | 0x008 | VERSION (RO) | ::HYP_HCPAGE_VERSION |
 * | 0x010 | SLOTS (RO) | ::HYP_HCPAGE_SLOTS |
 * | 0x018 | OWNERS (RO) | bit n set: SMCCC owner n is served |
 * | 0x100 × (n + 1) | slot n | n < ::HYP_HCPAGE_SLOTS |
 *
 * A slot: FID at +0x00, ARG1..ARG7 (x1..x7) at +0x08..+0x38 (RW, read back
 * as written), RES0..RES4 (x0..x4 after the call) at +0x40..+0x60 (RO),
 * CALL at +0x78 (a write of any value makes the call; reads 0). Slots are
 * independent, so a program that moves between vCPUs between its stores
 * still makes the call it wrote, and programs on several vCPUs use several
 * slots; a slot's registers are copied under a lock, so racing writers
 * get some writer's values, never a torn register.
 *
 * The logic is host-testable; nothing here allocates or prints. The call
 * runs wherever the MMIO exit is handled (the run loop, not the exit fast
 * path: a call may run another VM, as CHILD_INVOKE does).
 */
#ifndef HYP_HCPAGE_H
#define HYP_HCPAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/abi/hcpage.h>
#include <hyp/spinlock.h>

struct hyp_vcpu;

/** One call slot. Private. */
struct hyp_hcpage_slot {
    uint64_t fid;     /**< @private FID as written. */
    uint64_t args[7]; /**< @private ARG1..ARG7 as written. */
    uint64_t res[5];  /**< @private RES0..RES4 of the last call. */
};

/** A hypercall page's state: one per VM that has one. */
struct hyp_hcpage {
    struct hyp_spinlock lock; /**< Guards @ref slots (never held during a call). */
    uint64_t owners;          /**< Bit n: SMCCC owner n is served. */
    struct hyp_hcpage_slot slots[HYP_HCPAGE_SLOTS]; /**< The call slots. */
};

/**
 * @brief Start a page with cleared slots.
 * @param p      The page.
 * @param owners Bit n set: calls of SMCCC owner n (0..63) are served;
 *               e.g. `1ull << SMCCC_OWNER_VENDOR_HYP`.
 */
void hyp_hcpage_init(struct hyp_hcpage *p, uint64_t owners);

/**
 * @brief The region's MMIO handler (a ::hyp_mmio_fn; @p arg is the page).
 *
 * Reads and writes the registers above; a write of CALL makes the slot's
 * call for @p vcpu through hyp_smccc_dispatch() with x0 = FID and x1..x7 =
 * ARG1..ARG7 (@p vcpu's x0..x7 are restored afterwards), or answers
 * NOT_SUPPORTED in RES0 (RES1..RES3 = 0, RES4 = ARG4) for a function ID
 * above 32 bits or of an owner not served. Writes to read-only registers
 * are ignored.
 *
 * @param vcpu   The vCPU that accessed the page.
 * @param offset Offset in the page.
 * @param size   Access size in bytes.
 * @param write  A store.
 * @param val    The value stored, or where the value loaded goes.
 * @param arg    The ::hyp_hcpage.
 * @return ::HYP_OK; ::HYP_EINVAL for an access that is not an aligned
 *         64-bit one inside the page, or to no register.
 */
int hyp_hcpage_mmio(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                    uint64_t *val, void *arg);

#endif /* HYP_HCPAGE_H */
