/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file owner.h
 * @brief Memory ownership: one owner state per page of guest memory.
 *
 * Guest memory moves between VMs only through this component (DESIGN.md,
 * principle 8). It tracks the pages of a few physical regions (the RAM of
 * the VMs that may give memory away) and, for each page, one state:
 *
 * | state | who may access the page |
 * |-------|--------------------------|
 * | ::HYP_PAGE_OWNED | its holder alone (the hypervisor, or a VM it was assigned to) |
 * | ::HYP_PAGE_SHARED | its holder and one named peer VM |
 * | ::HYP_PAGE_DONATED | its holder alone, a child VM that got it from its parent |
 * | ::HYP_PAGE_RECLAIMING | nobody: on its way back from a child to the parent |
 *
 * Transitions (every one over a whole range, all or nothing):
 *
 * | call | from | to | stage 2 |
 * |------|------|----|---------|
 * | hyp_owner_assign() | OWNED by the hypervisor | OWNED by a root VM | none (the VM
 * builder maps it) | | hyp_owner_donate() | OWNED or DONATED, held by the donor |
 * DONATED, held by a child of the donor | mapped in the child, then unmapped from the
 * donor | | hyp_owner_share() | OWNED or DONATED, held by the caller | SHARED with the
 * peer | mapped in the peer | | hyp_owner_unshare() | SHARED by the caller | back to
 * OWNED / DONATED | unmapped from the peer | | hyp_owner_reclaim() | DONATED to a child
 * of the caller | RECLAIMING, then (zeroed) the caller's | unmapped from the child,
 * zeroed, mapped in the caller | | hyp_owner_vm_remove() | SHARED with the removed VM |
 * back to OWNED / DONATED | none (its stage 2 is going away) |
 *
 * A page held by a root VM (whose parent is the hypervisor) is OWNED; a
 * page held by a child VM is DONATED, so the state after an unshare or a
 * reclaim follows from who holds the page.
 *
 * **VMs** are small numbers, 1 to ::HYP_OWNER_MAX_VMS - 1, registered with
 * hyp_owner_vm_add() with their parent (::HYP_OWNER_HYP for the VMs of the
 * static configuration) and their stage-2 table. A VM may be given pages
 * only by its parent, and pages return to the parent only.
 *
 * **Errors**, checked in this order before anything changes:
 * - ::HYP_EINVAL: NULL, size 0, a VM number that is not registered, a peer
 *   that is the caller itself, a child that is not the donor's child;
 * - ::HYP_EALIGN: an address or size that is not a multiple of 4 KiB;
 * - ::HYP_ERANGE: a physical range that wraps, or that is not entirely
 *   inside one tracked region: device memory, the hypervisor's own memory
 *   and any other untracked address give this;
 * - ::HYP_EPERM: a page the caller does not hold and never gave away;
 * - ::HYP_EBUSY: a page the caller holds in the wrong state (already
 *   shared, being reclaimed), or gave away (already donated to a child, or
 *   a child's page the child has itself donated or shared); a range that
 *   overlaps a range already shared or donated therefore gets ::HYP_EBUSY;
 * - ::HYP_EFORMAT: the caller's stage 2 does not map the given guest range
 *   to the given physical range (the hypervisor's caller computed a wrong
 *   address), or a target range is already mapped;
 * - ::HYP_ENOMEM (and other errors of the page tables): a table update
 *   failed; the states and tables are as before the call, except for
 *   hyp_owner_reclaim() (see there).
 *
 * **Stage 2.** Mappings change through hyp_pgtable_map() and
 * hyp_pgtable_unmap(), which invalidate the TLBs of the range by VMID
 * (through the `arch` hooks) before they return, so when a call returns no
 * CPU can still reach a page through a mapping it removed. A VM registered
 * with a NULL table is bookkeeping only (host tests).
 *
 * **Zeroing.** Reclaimed pages are zeroed through their physical address as
 * a pointer (EL2 identity map; the caller maps the regions at EL2 first).
 *
 * **Locking.** Every call takes the component's spinlock; calls may come
 * from any CPU. The caller stops a VM's vCPUs before it takes the VM's
 * pages away (hyp_owner_reclaim()) or removes it.
 *
 * No allocation: the per-page records are the caller's storage, 4 bytes a
 * page (::hyp_owner_page). Nothing here runs on an exit path; the cost of
 * a call is linear in the pages of its range (hyp_owner_vm_remove(): in all
 * tracked pages, only if other VMs still share pages with the VM removed).
 */
#ifndef HYP_OWNER_H
#define HYP_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hyp/pgtable.h>
#include <hyp/spinlock.h>

/** The hypervisor, as holder of pages and as parent of the root VMs. */
#define HYP_OWNER_HYP         0u
/** VM numbers are 1 to HYP_OWNER_MAX_VMS - 1. */
#define HYP_OWNER_MAX_VMS     32u
/** Most physical regions one ::hyp_owner tracks. */
#define HYP_OWNER_MAX_REGIONS 8u
/** Granule of ownership (4 KiB). */
#define HYP_OWNER_PAGE        4096u

/** The state of a page (see the file comment). */
enum hyp_owner_state {
    HYP_PAGE_OWNED = 0,      /**< Its holder's alone. */
    HYP_PAGE_SHARED = 1,     /**< Its holder's, and mapped in one peer VM too. */
    HYP_PAGE_DONATED = 2,    /**< A child's, given by its parent. */
    HYP_PAGE_RECLAIMING = 3, /**< Being taken back from a child; nobody maps it. */
};

/** The record of one page. Treat every field as private. */
struct hyp_owner_page {
    uint8_t state;  /**< @private ::hyp_owner_state. */
    uint8_t holder; /**< @private The VM (or ::HYP_OWNER_HYP) holding it. */
    uint8_t peer;   /**< @private The VM it is shared with (SHARED only). */
    uint8_t pad;    /**< @private Zero. */
};

/** What hyp_owner_query() reports about one page. */
struct hyp_owner_info {
    enum hyp_owner_state state; /**< Its state. */
    unsigned holder;            /**< The VM holding it, or ::HYP_OWNER_HYP. */
    unsigned peer;              /**< SHARED: the other VM; else 0. */
    unsigned donor;             /**< DONATED, RECLAIMING: the holder's parent; else 0. */
};

/** A tracked physical region. Private. */
struct hyp_owner_region {
    uint64_t pa;                  /**< @private First byte. */
    uint64_t size;                /**< @private Bytes. */
    struct hyp_owner_page *pages; /**< @private One record per page. */
};

/** A registered VM. Private. */
struct hyp_owner_vm {
    bool live;              /**< @private Registered. */
    uint8_t parent;         /**< @private Its parent, or ::HYP_OWNER_HYP. */
    struct hyp_pgtable *s2; /**< @private Its stage 2, or NULL. */
    uint64_t held;          /**< @private Pages it holds (any state). */
    uint64_t peered;        /**< @private Pages shared with it. */
};

/** The ownership state of the machine's guest memory. Fields are private. */
struct hyp_owner {
    struct hyp_spinlock lock;                               /**< @private */
    struct hyp_owner_region regions[HYP_OWNER_MAX_REGIONS]; /**< @private */
    unsigned region_count;                                  /**< @private */
    struct hyp_owner_vm vms[HYP_OWNER_MAX_VMS];             /**< @private */
    /**
     * Called by hyp_owner_reclaim() for the pages it has just zeroed,
     * before they are mapped in the parent again; NULL (what
     * hyp_owner_init() sets) for nothing. On hardware with caches, a
     * hypervisor whose VMs may read memory non-cacheable (MMU off, or
     * Linux's `/dev/mem`) cleans the zeroes to the point of coherency
     * here, so that no such reader sees what the child left in DRAM.
     */
    void (*zeroed)(uint64_t pa, uint64_t size);
};

/**
 * @brief Start with no region and no VM.
 * @param o The component.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL.
 */
int hyp_owner_init(struct hyp_owner *o);

/**
 * @brief Track `[pa, pa + size)`: each page held by the hypervisor, OWNED.
 * @param o          The component.
 * @param pa         First byte; 4 KiB aligned.
 * @param size       Bytes; a non-zero multiple of 4 KiB.
 * @param pages      Storage for the records: `size / 4 KiB` entries, which
 *                   this call initialises; they must outlive @p o.
 * @param page_count Entries in @p pages.
 * @return ::HYP_OK; ::HYP_EINVAL (NULL, size 0, too few records);
 *         ::HYP_EALIGN; ::HYP_ERANGE (wraps); ::HYP_EEXIST (overlaps a
 *         tracked region); ::HYP_ENOMEM (::HYP_OWNER_MAX_REGIONS regions).
 */
int hyp_owner_add_region(struct hyp_owner *o, uint64_t pa, uint64_t size,
                         struct hyp_owner_page *pages, size_t page_count);

/**
 * @brief Register a VM.
 * @param o      The component.
 * @param vm     Its number, 1 to ::HYP_OWNER_MAX_VMS - 1.
 * @param parent ::HYP_OWNER_HYP for a VM of the static configuration, else
 *               the registered VM that creates it.
 * @param s2     Its stage-2 table, or NULL for bookkeeping only.
 * @return ::HYP_OK; ::HYP_EINVAL (bad number, parent not registered or
 *         @p vm itself); ::HYP_EEXIST (already registered).
 */
int hyp_owner_vm_add(struct hyp_owner *o, unsigned vm, unsigned parent,
                     struct hyp_pgtable *s2);

/**
 * @brief Unregister a VM whose vCPUs no longer run.
 *
 * Pages other VMs shared with it go back to their holder's own state (not
 * unmapped: the caller destroys the VM's stage 2, which invalidates its
 * TLB entries).
 * @param o  The component.
 * @param vm A registered VM.
 * @return ::HYP_OK; ::HYP_EINVAL (not registered); ::HYP_EBUSY while it
 *         still holds a page (reclaim them first) or has a registered child.
 */
int hyp_owner_vm_remove(struct hyp_owner *o, unsigned vm);

/**
 * @brief The parent of a registered VM.
 * @param o  The component.
 * @param vm A VM number.
 * @return Its parent (::HYP_OWNER_HYP for a root VM); -1 if @p vm is not
 *         registered.
 */
int hyp_owner_vm_parent(const struct hyp_owner *o, unsigned vm);

/**
 * @brief Give a root VM pages of the hypervisor: OWNED by the hypervisor to
 *        OWNED by @p vm. Only the records change; the VM builder maps them.
 * @param o    The component.
 * @param pa   First byte; 4 KiB aligned.
 * @param size Bytes; a non-zero multiple of 4 KiB.
 * @param vm   A registered VM whose parent is ::HYP_OWNER_HYP.
 * @return ::HYP_OK or an error of the file comment's list (a page not held
 *         by the hypervisor is ::HYP_EPERM).
 */
int hyp_owner_assign(struct hyp_owner *o, uint64_t pa, uint64_t size, unsigned vm);

/**
 * @brief Donate pages to a child: they leave the donor's stage 2 for good.
 *
 * The donor must hold every page exclusively (OWNED or DONATED) and map
 * `[donor_ipa, donor_ipa + size)` to exactly `[pa, pa + size)`; the child's
 * stage 2 must map nothing at `[child_ipa, child_ipa + size)`. The pages
 * are mapped in the child (RWX, normal memory), then unmapped from the
 * donor (TLBs invalidated by the donor's VMID) and become DONATED, held by
 * the child. Call it before the child first runs.
 * @param o         The component.
 * @param donor     The giving VM.
 * @param pa        First byte; 4 KiB aligned.
 * @param size      Bytes; a non-zero multiple of 4 KiB.
 * @param donor_ipa Where the donor sees @p pa.
 * @param child     A registered VM whose parent is @p donor.
 * @param child_ipa Where the child will see @p pa.
 * @return ::HYP_OK or an error of the file comment's list.
 */
int hyp_owner_donate(struct hyp_owner *o, unsigned donor, uint64_t pa, uint64_t size,
                     uint64_t donor_ipa, unsigned child, uint64_t child_ipa);

/**
 * @brief Share pages the caller holds with one other VM.
 *
 * The holder keeps its mapping; the peer gets `[peer_ipa, peer_ipa + size)`
 * mapped to `[pa, pa + size)` with @p prot (RW normal memory is typical;
 * X or DEVICE are refused with ::HYP_EINVAL). The peer's range must be
 * unmapped before.
 * @param o        The component.
 * @param holder   The VM holding the pages (OWNED or DONATED).
 * @param pa       First byte; 4 KiB aligned.
 * @param size     Bytes; a non-zero multiple of 4 KiB.
 * @param peer     Another registered VM.
 * @param peer_ipa Where the peer will see @p pa.
 * @param prot     ::hyp_prot flags: ::HYP_PROT_R, optionally ::HYP_PROT_W.
 * @return ::HYP_OK or an error of the file comment's list.
 */
int hyp_owner_share(struct hyp_owner *o, unsigned holder, uint64_t pa, uint64_t size,
                    unsigned peer, uint64_t peer_ipa, unsigned prot);

/**
 * @brief End a share: the peer loses its mapping (TLBs invalidated).
 * @param o        The component.
 * @param holder   The VM that shared the pages.
 * @param pa       First byte; 4 KiB aligned.
 * @param size     Bytes; a non-zero multiple of 4 KiB.
 * @param peer_ipa Where the peer sees @p pa (checked against its stage 2).
 * @return ::HYP_OK or an error of the file comment's list; pages of the
 *         range shared with different peers are ::HYP_EBUSY.
 */
int hyp_owner_unshare(struct hyp_owner *o, unsigned holder, uint64_t pa, uint64_t size,
                      uint64_t peer_ipa);

/**
 * @brief Take donated pages back from a child, zeroed.
 *
 * Every page must be held by one child of @p parent, DONATED (not shared,
 * not given further) or already RECLAIMING. The pages become RECLAIMING,
 * leave the child's stage 2 (TLBs invalidated by the child's VMID), are
 * zeroed, are mapped in the parent at `[parent_ipa, parent_ipa + size)`
 * (RWX, normal memory; the range must be unmapped there) and become the
 * parent's. If mapping them in the parent fails, they stay RECLAIMING
 * (zeroed, mapped nowhere) and the error is returned: calling again with
 * the same arguments finishes the job.
 * @param o          The component.
 * @param parent     The VM taking its pages back.
 * @param pa         First byte; 4 KiB aligned.
 * @param size       Bytes; a non-zero multiple of 4 KiB.
 * @param child_ipa  Where the child sees @p pa (checked against its stage 2).
 * @param parent_ipa Where the parent will see @p pa again.
 * @return ::HYP_OK or an error of the file comment's list.
 */
int hyp_owner_reclaim(struct hyp_owner *o, unsigned parent, uint64_t pa, uint64_t size,
                      uint64_t child_ipa, uint64_t parent_ipa);

/**
 * @brief The state of one page.
 * @param o    The component.
 * @param pa   Any byte of the page.
 * @param info Out: its state.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL; ::HYP_ERANGE if untracked.
 */
int hyp_owner_query(struct hyp_owner *o, uint64_t pa, struct hyp_owner_info *info);

/**
 * @brief Count the pages a VM holds (in any state) in all tracked regions
 *        (kept up to date by every transition: O(1)).
 * @param o  The component.
 * @param vm A VM number, or ::HYP_OWNER_HYP.
 * @return The count.
 */
uint64_t hyp_owner_held(struct hyp_owner *o, unsigned vm);

#endif /* HYP_OWNER_H */
