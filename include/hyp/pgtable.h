/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file pgtable.h
 * @brief VMSAv8-64 translation tables, 4 KiB granule: stage 2 and EL2 stage 1.
 *
 * One generic walker drives every operation. A table translates an input
 * address (an IPA at stage 2, an EL2 virtual address at stage 1) of
 * `ia_bits` bits to an output physical address.
 *
 * **Ranges.** Every range is a byte range `[addr, addr + size)`. Nothing is
 * rounded: `addr`, `size` and the output address must be multiples of 4 KiB
 * (else ::HYP_EALIGN), `size` must be non-zero (else ::HYP_EINVAL), and the
 * range must lie inside the input space, the output address range inside the
 * output space of `pa_bits` bits (else ::HYP_ERANGE).
 *
 * **Blocks.** map() uses 1 GiB and 2 MiB blocks wherever the input range and
 * the output address are suitably aligned. Changing part of a block splits
 * it, keeping the rest of it mapped as before. A table left without any
 * valid entry is freed. A table whose 512 entries end up mapping one aligned,
 * physically contiguous region with identical attributes (after map() or
 * protect()) is replaced by a block and freed, so the shape of a table does
 * not depend on the order of the operations that built it.
 *
 * **Memory.** Table pages come from the caller's allocator
 * (::hyp_pgtable_mm_ops). Each of map(), unmap() and protect() first counts
 * the pages it needs and allocates all of them before it changes a single
 * entry; if the allocator fails, the call returns ::HYP_ENOMEM and the table
 * is exactly as before. Pages left over are returned before the call ends.
 *
 * **TLB maintenance.** The table is assumed to be live (installed on some
 * CPU) at all times. Every change of a valid entry is done break-before-make:
 * the entry is written invalid, the TLBs are invalidated for its input range
 * (arch_tlbi_s2_range() with the table's VMID, or arch_tlbi_el2_range()),
 * and only then is the new entry written. Breaks of adjacent entries are
 * batched: they share one range invalidation, after which the new entries
 * (if any) are written. An entry written over an invalid one is followed by
 * arch_pte_sync() only; a new table is synced before the entry pointing to
 * it is written. No operation calls the *_all invalidations except destroy. When map(),
 * unmap() or protect() returns, all of its stores are visible to the table walkers and no
 * TLB holds a stale translation of the range: callers do no maintenance.
 *
 * **Concurrency.** No locking: the caller serialises all calls on one table.
 * Hardware walkers may use the table concurrently; they see either the old
 * or the new translation of an address, or a translation fault while it
 * changes.
 */
#ifndef HYP_PGTABLE_H
#define HYP_PGTABLE_H

#include <stddef.h>
#include <stdint.h>

/** A physical (output) address. A one-field struct so that it cannot be
 *  mixed up with an input address without a compiler error. */
typedef struct {
    uint64_t val; /**< The address. */
} hyp_paddr_t;

/** An input address: an IPA at stage 2, an EL2 virtual address at stage 1. */
typedef struct {
    uint64_t val; /**< The address. */
} hyp_iaddr_t;

/**
 * @brief Make a ::hyp_paddr_t.
 * @param val The address.
 * @return It, typed as a physical address.
 */
static inline hyp_paddr_t hyp_pa(uint64_t val)
{
    hyp_paddr_t pa = {val};
    return pa;
}

/**
 * @brief Make a ::hyp_iaddr_t.
 * @param val The address.
 * @return It, typed as an input address.
 */
static inline hyp_iaddr_t hyp_ia(uint64_t val)
{
    hyp_iaddr_t ia = {val};
    return ia;
}

/** Translation granule and smallest mapping size. */
#define HYP_PGTABLE_PAGE_SIZE 4096u

/** Smallest supported input-address size, in bits. */
#define HYP_PGTABLE_IA_BITS_MIN 32u
/** Largest supported input-address size, in bits. */
#define HYP_PGTABLE_IA_BITS_MAX 48u

/** Table format. */
enum hyp_pgtable_format {
    HYP_PGTABLE_S2 = 0,     /**< Stage 2 (VTTBR_EL2), tagged with a VMID. */
    HYP_PGTABLE_EL2_S1 = 1, /**< EL2 stage 1, non-VHE, TTBR0_EL2 only. */
};

/**
 * @brief Arch-neutral permissions and memory type, OR-ed together.
 *
 * Normal memory is Write-Back cacheable, Inner Shareable. ::HYP_PROT_DEVICE
 * selects Device-nGnRE. Rules enforced by map() and protect():
 * - unknown bits: ::HYP_EINVAL;
 * - X together with DEVICE: ::HYP_EPERM (both formats);
 * - EL2 stage 1: W together with X is ::HYP_EPERM; R is required (EL2 has
 *   no write-only, execute-only or no-access encoding), else ::HYP_EINVAL;
 *   W without R is likewise ::HYP_EINVAL;
 * - stage 2: every other combination is allowed, including W+X for guest
 *   RAM and ::HYP_PROT_NONE (a valid entry that grants no access).
 */
enum hyp_prot {
    HYP_PROT_NONE = 0,         /**< No access (stage 2 only). */
    HYP_PROT_R = 1u << 0,      /**< Readable. */
    HYP_PROT_W = 1u << 1,      /**< Writable. */
    HYP_PROT_X = 1u << 2,      /**< Executable. */
    HYP_PROT_DEVICE = 1u << 3, /**< Device-nGnRE instead of Normal WB memory. */
    HYP_PROT_RW = HYP_PROT_R | HYP_PROT_W,               /**< Read/write. */
    HYP_PROT_RX = HYP_PROT_R | HYP_PROT_X,               /**< Read/execute. */
    HYP_PROT_RWX = HYP_PROT_R | HYP_PROT_W | HYP_PROT_X, /**< Everything. */
};

/**
 * @name MAIR_EL2 layout used by the EL2 stage-1 format
 * Program MAIR_EL2 with ::HYP_PGTABLE_MAIR_EL2; descriptors use these
 * AttrIndx values.
 * @{
 */
#define HYP_MAIR_IDX_NORMAL        0u /**< Normal, Inner/Outer WB RA WA (0xff). */
#define HYP_MAIR_IDX_DEVICE        1u /**< Device-nGnRE (0x04). */
#define HYP_MAIR_IDX_DEVICE_NGNRNE 2u /**< Device-nGnRnE (0x00); not used by map(). */
#define HYP_MAIR_IDX_NORMAL_NC                                                           \
    3u /**< Normal non-cacheable (0x44); not used by map().                              \
        */
/** The MAIR_EL2 value matching the indices above. */
#define HYP_PGTABLE_MAIR_EL2                                                             \
    (((uint64_t)0xff << (8 * HYP_MAIR_IDX_NORMAL)) |                                     \
     ((uint64_t)0x04 << (8 * HYP_MAIR_IDX_DEVICE)) |                                     \
     ((uint64_t)0x00 << (8 * HYP_MAIR_IDX_DEVICE_NGNRNE)) |                              \
     ((uint64_t)0x44 << (8 * HYP_MAIR_IDX_NORMAL_NC)))
/** @} */

/** VTCR_EL2.VS: OR into the hyp_pgtable_vtcr() value to use 16-bit VMIDs
 *  (needs FEAT_VMID16); required when the VMID is above 255. */
#define HYP_VTCR_EL2_VS ((uint64_t)1 << 19)

/**
 * @brief Page allocator used for table pages.
 *
 * All callbacks receive the `mm_ctx` of ::hyp_pgtable_config. They are only
 * called from hyp_pgtable_init(), map(), unmap(), protect() and destroy().
 */
struct hyp_pgtable_mm_ops {
    /**
     * Allocate `count` zeroed, physically contiguous pages, aligned to
     * `count * 4 KiB` in physical address. `count` is a power of two from 1
     * to 16 (more than 1 only for a concatenated stage-2 root). Returns the
     * pages' address as seen by the library, or NULL.
     */
    void *(*alloc_pages)(void *ctx, size_t count);
    /** Free pages obtained from alloc_pages() with the same `count`. */
    void (*free_pages)(void *ctx, void *pages, size_t count);
    /** Physical address of a table page; NULL means "the pointer value". */
    uint64_t (*virt_to_phys)(void *ctx, const void *va);
    /** Inverse of virt_to_phys(); NULL means "the pointer value". */
    void *(*phys_to_virt)(void *ctx, uint64_t pa);
};

/**
 * @brief Allocator ops over a ::hyp_page_pool; pass the pool as `mm_ctx`.
 * Physical address == pointer value (EL2 identity map, host tests).
 */
extern const struct hyp_pgtable_mm_ops hyp_pgtable_page_pool_ops;

/** Parameters of hyp_pgtable_init(). */
struct hyp_pgtable_config {
    enum hyp_pgtable_format format; /**< Table format. */
    unsigned ia_bits;               /**< Input-address bits, 32..48. */
    unsigned pa_bits;               /**< Output-address bits: 32, 36, 40, 42, 44 or 48. At
                                         stage 2 it must be >= ia_bits. */
    uint16_t vmid;                  /**< VMID (stage 2); ignored for EL2 stage 1. */
    const struct hyp_pgtable_mm_ops *mm; /**< Allocator (required). */
    void *mm_ctx;                        /**< Passed to every mm callback. */
};

/** A translation table. Treat every field as private. */
struct hyp_pgtable {
    uint64_t *root;                      /**< @private */
    uint64_t root_pa;                    /**< @private */
    const struct hyp_pgtable_mm_ops *mm; /**< @private */
    void *mm_ctx;                        /**< @private */
    size_t page_count;                   /**< @private */
    enum hyp_pgtable_format format;      /**< @private */
    unsigned ia_bits;                    /**< @private */
    unsigned pa_bits;                    /**< @private */
    unsigned start_level;                /**< @private */
    unsigned root_pages;                 /**< @private */
    uint16_t vmid;                       /**< @private */
};

/** What hyp_pgtable_lookup() reports about a mapped address. */
struct hyp_pgtable_mapping {
    hyp_paddr_t pa;   /**< Output address of the looked-up byte. */
    unsigned prot;    /**< ::hyp_prot flags of the mapping. */
    unsigned level;   /**< Level of the leaf entry: 1 (1 GiB block), 2 (2 MiB
                           block) or 3 (4 KiB page). */
    hyp_iaddr_t base; /**< First input address the leaf entry maps. */
    uint64_t size;    /**< Bytes the leaf entry maps. */
};

/** Kinds of entries hyp_pgtable_walk() reports; OR them into `kinds`. */
enum hyp_pgtable_visit_kind {
    HYP_PGTABLE_VISIT_LEAF = 1u << 0,       /**< Valid block or page entry. */
    HYP_PGTABLE_VISIT_TABLE_PRE = 1u << 1,  /**< Table entry, before its children. */
    HYP_PGTABLE_VISIT_TABLE_POST = 1u << 2, /**< Table entry, after its children. */
};

/** One entry reported by hyp_pgtable_walk(). */
struct hyp_pgtable_visit {
    enum hyp_pgtable_visit_kind kind; /**< What the entry is. */
    hyp_iaddr_t addr;                 /**< First input address the entry covers. */
    uint64_t size;                    /**< Bytes of input space the entry covers. */
    unsigned level;                   /**< Level of the entry (0..3). */
    uint64_t desc;                    /**< Raw descriptor, for inspection only. */
    hyp_paddr_t pa; /**< Leaf: output address; table: next table's address. */
    unsigned prot;  /**< Leaf: ::hyp_prot flags; table: 0. */
};

/**
 * @brief Visitor for hyp_pgtable_walk().
 * @return 0 to continue; any other value stops the walk, which returns it.
 */
typedef int (*hyp_pgtable_visitor_fn)(const struct hyp_pgtable_visit *visit, void *arg);

/**
 * @brief Start level and number of concatenated root pages for a geometry.
 *
 * Stage 2 starts at level 1 while at most 16 concatenated level-1 tables
 * cover the IPA space (32..43 bits: 1, 1, ..., 2, 4, 8, 16 pages), else at
 * level 0 (44..48 bits). EL2 stage 1 starts at level 1 up to 39 bits, else
 * at level 0, with one root page. Level 1 is the deepest start that still
 * allows 1 GiB blocks.
 *
 * @param format     Table format.
 * @param ia_bits    Input-address bits.
 * @param start_level Out: level of the root table (0 or 1).
 * @param root_pages  Out: pages in the (concatenated) root table.
 * @return ::HYP_OK; ::HYP_EINVAL for an unknown format, NULL outputs or
 *         `ia_bits` outside 32..48.
 */
int hyp_pgtable_geometry(enum hyp_pgtable_format format, unsigned ia_bits,
                         unsigned *start_level, unsigned *root_pages);

/**
 * @brief Compute VTCR_EL2 for a stage-2 table of the given geometry.
 *
 * T0SZ = 64 - ia_bits, SL0 from hyp_pgtable_geometry(), table walks Inner
 * and Outer Write-Back Read/Write-Allocate, Inner Shareable, 4 KiB granule,
 * PS from `pa_bits`, RES1 bit 31 set; VS clear (see ::HYP_VTCR_EL2_VS).
 *
 * @param ia_bits IPA bits, 32..48.
 * @param pa_bits Output PA bits: 32, 36, 40, 42, 44 or 48; >= `ia_bits`.
 * @param vtcr    Out: the register value.
 * @return ::HYP_OK; ::HYP_EINVAL for a NULL `vtcr`, `ia_bits` out of range
 *         or above `pa_bits`, or an unencodable `pa_bits` (52 included:
 *         FEAT_LPA is not supported).
 */
int hyp_pgtable_vtcr(unsigned ia_bits, unsigned pa_bits, uint64_t *vtcr);

/**
 * @brief Compute TCR_EL2 (non-VHE) for an EL2 stage-1 table.
 *
 * T0SZ = 64 - va_bits, walks Inner/Outer WB RA WA, Inner Shareable, 4 KiB
 * granule, PS from `pa_bits`, TBI clear, RES1 bits 23 and 31 set.
 *
 * @param va_bits VA bits, 32..48.
 * @param pa_bits Output PA bits: 32, 36, 40, 42, 44 or 48.
 * @param tcr     Out: the register value.
 * @return ::HYP_OK; ::HYP_EINVAL for a NULL `tcr` or out-of-range sizes.
 */
int hyp_pgtable_tcr_el2(unsigned va_bits, unsigned pa_bits, uint64_t *tcr);

/**
 * @brief Create an empty table.
 *
 * Allocates the root (`root_pages` contiguous pages, see
 * hyp_pgtable_geometry()). Does no TLB maintenance.
 *
 * @param pt  Table to initialise.
 * @param cfg Parameters; copied.
 * @return ::HYP_OK; ::HYP_EINVAL for a NULL argument, missing allocator
 *         callbacks, an unknown format, out-of-range `ia_bits`/`pa_bits` or
 *         (stage 2) `ia_bits > pa_bits`; ::HYP_ENOMEM if the root cannot be
 *         allocated; ::HYP_EALIGN if the allocator returned a misaligned root
 *         (which is then freed).
 */
int hyp_pgtable_init(struct hyp_pgtable *pt, const struct hyp_pgtable_config *cfg);

/**
 * @brief Free every table page, root included.
 *
 * First invalidates all TLB entries the table may have produced
 * (arch_tlbi_s2_all() for its VMID, or arch_tlbi_el2_all()). The caller must
 * already have stopped every CPU from using the table (e.g. VTTBR_EL2 no
 * longer points to it). `pt` may be re-initialised afterwards.
 *
 * @param pt Table to destroy.
 */
void hyp_pgtable_destroy(struct hyp_pgtable *pt);

/**
 * @brief Map `[addr, addr + size)` to `[pa, pa + size)`.
 *
 * Any mapping already in the range is replaced (break-before-make); entries
 * already mapping an address to the same output address and attributes are
 * left untouched. Uses the largest blocks alignment allows.
 *
 * @param pt   Table.
 * @param addr First input address; 4 KiB aligned.
 * @param size Bytes; non-zero multiple of 4 KiB.
 * @param pa   First output address; 4 KiB aligned.
 * @param prot ::hyp_prot flags.
 * @return ::HYP_OK; ::HYP_EINVAL (size 0, bad `prot`); ::HYP_EPERM (W+X at
 *         EL2, X+DEVICE); ::HYP_EALIGN; ::HYP_ERANGE (input or output range
 *         outside its space, or wrapping); ::HYP_ENOMEM (table unchanged).
 */
int hyp_pgtable_map(struct hyp_pgtable *pt, hyp_iaddr_t addr, uint64_t size,
                    hyp_paddr_t pa, unsigned prot);

/**
 * @brief Unmap `[addr, addr + size)`. Unmapped holes in the range are fine.
 *
 * Blocks straddling the range's ends are split (which may need table pages);
 * tables left empty are freed.
 *
 * @param pt   Table.
 * @param addr First input address; 4 KiB aligned.
 * @param size Bytes; non-zero multiple of 4 KiB.
 * @return ::HYP_OK; ::HYP_EINVAL (size 0); ::HYP_EALIGN; ::HYP_ERANGE;
 *         ::HYP_ENOMEM (table unchanged).
 */
int hyp_pgtable_unmap(struct hyp_pgtable *pt, hyp_iaddr_t addr, uint64_t size);

/**
 * @brief Change the ::hyp_prot flags of every mapped page in a range.
 *
 * Output addresses are kept; unmapped holes stay unmapped and are not an
 * error. Blocks straddling the range's ends are split; a table that becomes
 * one uniform region is merged back into a block.
 *
 * @param pt   Table.
 * @param addr First input address; 4 KiB aligned.
 * @param size Bytes; non-zero multiple of 4 KiB.
 * @param prot New ::hyp_prot flags.
 * @return As hyp_pgtable_map(), without the output-range check.
 */
int hyp_pgtable_protect(struct hyp_pgtable *pt, hyp_iaddr_t addr, uint64_t size,
                        unsigned prot);

/**
 * @brief Translate one input address.
 * @param pt   Table.
 * @param addr Any input address (no alignment required).
 * @param out  Out (may be NULL): the mapping of `addr`.
 * @return ::HYP_OK; ::HYP_ENOENT if `addr` is not mapped; ::HYP_ERANGE if it
 *         lies outside the input space.
 */
int hyp_pgtable_lookup(const struct hyp_pgtable *pt, hyp_iaddr_t addr,
                       struct hyp_pgtable_mapping *out);

/**
 * @brief Walk the entries that intersect `[addr, addr + size)`, in address order.
 *
 * Invalid entries are not reported. The visitor must not change the table.
 *
 * @param pt    Table.
 * @param addr  First input address; 4 KiB aligned.
 * @param size  Bytes; non-zero multiple of 4 KiB.
 * @param kinds ::hyp_pgtable_visit_kind flags to report.
 * @param fn    Visitor.
 * @param arg   Passed to `fn`.
 * @return 0 after a full walk; the visitor's non-zero value if it stopped
 *         the walk; ::HYP_EINVAL, ::HYP_EALIGN or ::HYP_ERANGE for a bad
 *         range or NULL `fn` (checked before any visit).
 */
int hyp_pgtable_walk(const struct hyp_pgtable *pt, hyp_iaddr_t addr, uint64_t size,
                     unsigned kinds, hyp_pgtable_visitor_fn fn, void *arg);

/**
 * @brief Physical address of the root table (TTBR0_EL2.BADDR).
 * @param pt The table.
 * @return The root's physical address.
 */
hyp_paddr_t hyp_pgtable_root(const struct hyp_pgtable *pt);

/**
 * @brief VTTBR_EL2 value for a stage-2 table: root address and VMID.
 * @param pt A stage-2 table.
 * @return The value to load into VTTBR_EL2.
 */
uint64_t hyp_pgtable_vttbr(const struct hyp_pgtable *pt);

/**
 * @brief Number of pages the table currently holds, root pages included.
 * @param pt The table.
 * @return Pages in use.
 */
size_t hyp_pgtable_page_count(const struct hyp_pgtable *pt);

#endif /* HYP_PGTABLE_H */
