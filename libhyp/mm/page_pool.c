/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fixed-block page pool: a bitmap over a page-aligned region, with the
 * bitmap stored in the region's first pages. Single pages are found by
 * scanning bitmap words from a moving hint; aligned runs by scanning
 * aligned groups of bits.
 */
#include <stdbool.h>
#include <string.h>

#include <hyp/error.h>
#include <hyp/page_pool.h>

#define PAGE_MASK ((uintptr_t)HYP_PAGE_SIZE - 1)
#define WORD_BITS 64u

static size_t word_count(size_t pages)
{
    return (pages + WORD_BITS - 1) / WORD_BITS;
}

static int bit_test(const struct hyp_page_pool *pool, size_t idx)
{
    return (int)((pool->bitmap[idx / WORD_BITS] >> (idx % WORD_BITS)) & 1u);
}

static void bit_set(struct hyp_page_pool *pool, size_t idx)
{
    pool->bitmap[idx / WORD_BITS] |= (uint64_t)1 << (idx % WORD_BITS);
}

static void bit_clear(struct hyp_page_pool *pool, size_t idx)
{
    pool->bitmap[idx / WORD_BITS] &= ~((uint64_t)1 << (idx % WORD_BITS));
}

/* Hand out the @count free pages from @idx on, zeroed. */
static void *take(struct hyp_page_pool *pool, size_t idx, size_t count)
{
    void *pages = (void *)(pool->base + idx * HYP_PAGE_SIZE);

    for (size_t i = 0; i < count; i++)
        bit_set(pool, idx + i);
    pool->used += count;
    if (pool->used > pool->high_water)
        pool->high_water = pool->used;
    memset(pages, 0, count * HYP_PAGE_SIZE);
    return pages;
}

int hyp_page_pool_init(struct hyp_page_pool *pool, void *mem, size_t size)
{
    uintptr_t start = (uintptr_t)mem;

    if (pool == NULL || mem == NULL)
        return HYP_EINVAL;
    if ((start & PAGE_MASK) != 0 || (size & PAGE_MASK) != 0)
        return HYP_EALIGN;
    if (start + size < start)
        return HYP_ERANGE;

    size_t total = size / HYP_PAGE_SIZE;
    size_t bitmap_bytes = word_count(total) * sizeof(uint64_t);
    size_t bitmap_pages = (bitmap_bytes + HYP_PAGE_SIZE - 1) / HYP_PAGE_SIZE;
    if (total <= bitmap_pages)
        return HYP_EINVAL;

    *pool = (struct hyp_page_pool){.base = start + bitmap_pages * HYP_PAGE_SIZE,
                                   .page_count = total - bitmap_pages,
                                   .bitmap = mem};
    memset(pool->bitmap, 0, word_count(pool->page_count) * sizeof(uint64_t));
    return HYP_OK;
}

void *hyp_page_pool_alloc(struct hyp_page_pool *pool)
{
    size_t words = word_count(pool->page_count);

    for (size_t n = 0; n < words; n++) {
        size_t w = (pool->hint + n) % words;
        uint64_t free_bits = ~pool->bitmap[w];
        if (free_bits == 0)
            continue;
        size_t idx = w * WORD_BITS + (size_t)__builtin_ctzll(free_bits);
        if (idx >= pool->page_count)
            continue; /* only the unused tail bits of the last word */
        pool->hint = w;
        return take(pool, idx, 1);
    }
    return NULL;
}

void *hyp_page_pool_alloc_contig(struct hyp_page_pool *pool, size_t count)
{
    if (count == 0 || count > HYP_PAGE_POOL_MAX_CONTIG || (count & (count - 1)) != 0)
        return NULL;
    if (count == 1)
        return hyp_page_pool_alloc(pool);

    uintptr_t align = (uintptr_t)count * HYP_PAGE_SIZE;
    size_t first = (size_t)((((pool->base + align - 1) & ~(align - 1)) - pool->base) /
                            HYP_PAGE_SIZE);

    for (size_t idx = first; idx + count <= pool->page_count; idx += count) {
        size_t i;
        for (i = 0; i < count; i++) {
            if (bit_test(pool, idx + i))
                break;
        }
        if (i == count)
            return take(pool, idx, count);
    }
    return NULL;
}

/* A page the pool hands out: always when uncoloured, else by its colour. */
static bool colour_kept(const struct hyp_page_pool *pool, size_t idx)
{
    uint64_t page = pool->base / HYP_PAGE_SIZE + idx;

    return pool->period == 0 || ((pool->colours >> (page % pool->period)) & 1u) != 0;
}

int hyp_page_pool_keep_colours(struct hyp_page_pool *pool, unsigned period,
                               uint64_t colours)
{
    size_t withheld = 0;

    if (pool == NULL || period == 0 || period > 64 || colours == 0 ||
        (period < 64 && (colours >> period) != 0) || pool->used != 0 || pool->period != 0)
        return HYP_EINVAL;
    pool->period = period;
    pool->colours = colours;
    for (size_t idx = 0; idx < pool->page_count; idx++)
        withheld += !colour_kept(pool, idx);
    if (withheld == pool->page_count) {
        pool->period = 0;
        pool->colours = 0;
        return HYP_EINVAL;
    }
    for (size_t idx = 0; idx < pool->page_count; idx++)
        if (!colour_kept(pool, idx))
            bit_set(pool, idx);
    pool->withheld = withheld;
    return HYP_OK;
}

int hyp_page_pool_free_contig(struct hyp_page_pool *pool, void *pages, size_t count)
{
    uintptr_t addr = (uintptr_t)pages;

    if (count == 0 || addr < pool->base || (addr & PAGE_MASK) != 0)
        return HYP_EINVAL;
    size_t idx = (addr - pool->base) / HYP_PAGE_SIZE;
    if (idx >= pool->page_count || count > pool->page_count - idx)
        return HYP_EINVAL;
    for (size_t i = 0; i < count; i++) {
        if (!bit_test(pool, idx + i) || !colour_kept(pool, idx + i))
            return HYP_EINVAL;
    }
    for (size_t i = 0; i < count; i++)
        bit_clear(pool, idx + i);
    pool->used -= count;
    if (idx / WORD_BITS < pool->hint)
        pool->hint = idx / WORD_BITS;
    return HYP_OK;
}

int hyp_page_pool_free(struct hyp_page_pool *pool, void *page)
{
    return hyp_page_pool_free_contig(pool, page, 1);
}

size_t hyp_page_pool_total(const struct hyp_page_pool *pool)
{
    return pool->page_count - pool->withheld;
}

size_t hyp_page_pool_used(const struct hyp_page_pool *pool)
{
    return pool->used;
}

size_t hyp_page_pool_free_count(const struct hyp_page_pool *pool)
{
    return pool->page_count - pool->withheld - pool->used;
}

size_t hyp_page_pool_high_water(const struct hyp_page_pool *pool)
{
    return pool->high_water;
}
