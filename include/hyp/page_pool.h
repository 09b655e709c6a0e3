/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file page_pool.h
 * @brief Fixed-block pool of 4 KiB pages with usage accounting.
 *
 * A pool manages one page-aligned memory region handed over at init. It
 * hands out single zeroed 4 KiB pages, or small naturally aligned runs of
 * pages (for concatenated stage-2 root tables), and counts pages in use and
 * the high-water mark. The pool never calls malloc: its allocation bitmap
 * lives in the first pages of the region itself.
 *
 * Alignment is of the pointer value. libhyp runs EL2 with an identity map,
 * and host tests use the pointer value as the physical address, so pointer
 * alignment is physical alignment in both cases.
 *
 * The pool does no locking; callers that share one pool between CPUs
 * serialise access themselves.
 */
#ifndef HYP_PAGE_POOL_H
#define HYP_PAGE_POOL_H

#include <stddef.h>
#include <stdint.h>

/** Size of one pool page in bytes. */
#define HYP_PAGE_SIZE 4096u

/** Largest run of contiguous pages hyp_page_pool_alloc_contig() accepts. */
#define HYP_PAGE_POOL_MAX_CONTIG 256u

/**
 * @brief A page pool. Treat every field as private; use the accessors.
 */
struct hyp_page_pool {
    uintptr_t base;    /**< @private Address of the first managed page. */
    size_t page_count; /**< @private Managed pages (excluding the bitmap). */
    uint64_t *bitmap;  /**< @private One bit per page, set when allocated. */
    size_t used;       /**< @private Pages currently allocated. */
    size_t high_water; /**< @private Largest value `used` has reached. */
    size_t hint;       /**< @private Bitmap word where the next search starts. */
    size_t withheld;   /**< @private Pages of other colours, never handed out. */
    unsigned period;   /**< @private Colours of the geometry; 0: uncoloured. */
    uint64_t colours;  /**< @private Colours it hands out (bit c: colour c). */
};

/**
 * @brief Seed a pool with a memory region.
 *
 * The first pages of the region hold the allocation bitmap; the rest are
 * managed. The region must stay valid for as long as the pool is used.
 *
 * @param pool Pool to initialise.
 * @param mem  Start of the region; 4 KiB aligned.
 * @param size Size of the region in bytes; a multiple of 4 KiB.
 * @return ::HYP_OK; ::HYP_EINVAL if `pool` or `mem` is NULL or the region is
 *         too small to hold its bitmap and at least one page;
 *         ::HYP_EALIGN if `mem` or `size` is not a multiple of 4 KiB;
 *         ::HYP_ERANGE if the region wraps around the address space.
 */
int hyp_page_pool_init(struct hyp_page_pool *pool, void *mem, size_t size);

/**
 * @brief Restrict a pool to pages of some cache colours.
 *
 * For memory that must have cache colours of its own (colour.h): the
 * colour of a page is its page number (address / 4 KiB) modulo @p period,
 * and every managed page of another colour is withheld for good: never
 * handed out, not counted by hyp_page_pool_total() or
 * hyp_page_pool_free_count(), and refused by hyp_page_pool_free(). Runs
 * from hyp_page_pool_alloc_contig() then exist only where enough
 * consecutive colours are in the set. The bitmap pages themselves keep
 * whatever colour they have. Call right after hyp_page_pool_init(), before
 * anything is allocated.
 *
 * @param pool    Pool to restrict.
 * @param period  Colours of the geometry (pages in one colour period),
 *                1 to 64.
 * @param colours The colours to keep: bit c stands for colour c.
 * @return ::HYP_OK; ::HYP_EINVAL for a period out of range, an empty set or
 *         one with colours the period does not have, a pool that already
 *         has pages in use or colours, or a set that leaves no page.
 */
int hyp_page_pool_keep_colours(struct hyp_page_pool *pool, unsigned period,
                               uint64_t colours);

/**
 * @brief Allocate one zeroed 4 KiB page.
 * @param pool Pool to allocate from.
 * @return The page, or NULL when the pool is exhausted.
 */
void *hyp_page_pool_alloc(struct hyp_page_pool *pool);

/**
 * @brief Allocate a naturally aligned run of zeroed pages.
 *
 * @param pool  Pool to allocate from.
 * @param count Number of pages: a power of two, 1 to ::HYP_PAGE_POOL_MAX_CONTIG.
 *              The run is aligned to `count * 4 KiB`.
 * @return The first page, or NULL when no such run is free or `count` is
 *         invalid.
 */
void *hyp_page_pool_alloc_contig(struct hyp_page_pool *pool, size_t count);

/**
 * @brief Return one page to the pool.
 * @param pool Pool the page came from.
 * @param page Page returned by an earlier allocation.
 * @return ::HYP_OK; ::HYP_EINVAL if `page` is not a page of this pool or is
 *         not allocated (double free). The pool is unchanged on error.
 */
int hyp_page_pool_free(struct hyp_page_pool *pool, void *page);

/**
 * @brief Return a run of pages allocated with hyp_page_pool_alloc_contig().
 * @param pool  Pool the pages came from.
 * @param pages First page of the run.
 * @param count Number of pages in the run.
 * @return ::HYP_OK; ::HYP_EINVAL if any page of the run is not an allocated
 *         page of this pool. The pool is unchanged on error.
 */
int hyp_page_pool_free_contig(struct hyp_page_pool *pool, void *pages, size_t count);

/**
 * @brief Number of pages the pool manages (allocated or free).
 * @param pool The pool.
 * @return Pages managed.
 */
size_t hyp_page_pool_total(const struct hyp_page_pool *pool);

/**
 * @brief Number of pages currently allocated.
 * @param pool The pool.
 * @return Pages allocated now.
 */
size_t hyp_page_pool_used(const struct hyp_page_pool *pool);

/**
 * @brief Number of pages currently free.
 * @param pool The pool.
 * @return Pages free now.
 */
size_t hyp_page_pool_free_count(const struct hyp_page_pool *pool);

/**
 * @brief Largest number of pages ever allocated at the same time.
 * @param pool The pool.
 * @return The high-water mark.
 */
size_t hyp_page_pool_high_water(const struct hyp_page_pool *pool);

#endif /* HYP_PAGE_POOL_H */
