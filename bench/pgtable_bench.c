/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host benchmark of libhyp/pgtable, linked against the recording fake arch
 * (tests/unit/fake_arch.c). Prints figures; asserts nothing about time.
 *
 *   ns per 4 KiB map and unmap (averaged), the time to map 4 GiB with 2 MiB
 *   and with 1 GiB aligned output addresses in one call, and 4 GiB page by
 *   page at scattered output addresses; table pages used against the
 *   analytic minimum.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime() */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <hyp/error.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>

#include "fake_arch.h"

#define PAGE ((uint64_t)4096)
#define MiB  ((uint64_t)1 << 20)
#define GiB  ((uint64_t)1 << 30)

#define POOL_BYTES (64 * MiB)
#define IA_BITS    40u
#define BASE       (64 * GiB)

static struct hyp_page_pool pool;
static void *pool_mem;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void table_new(struct hyp_pgtable *pt)
{
    struct hyp_pgtable_config cfg = {
        .format = HYP_PGTABLE_S2,
        .ia_bits = IA_BITS,
        .pa_bits = 48,
        .vmid = 1,
        .mm = &hyp_pgtable_page_pool_ops,
        .mm_ctx = &pool,
    };
    if (hyp_page_pool_init(&pool, pool_mem, POOL_BYTES) != HYP_OK ||
        hyp_pgtable_init(pt, &cfg) != HYP_OK) {
        fprintf(stderr, "pgtable_bench: init failed\n");
        exit(1);
    }
}

static void check(int ret, const char *what)
{
    if (ret != HYP_OK) {
        fprintf(stderr, "pgtable_bench: %s failed: %d\n", what, ret);
        exit(1);
    }
}

/* Scatter page i of n over the output space: no two neighbours contiguous. */
static uint64_t scattered_pa(uint64_t i, uint64_t n)
{
    return 16 * GiB + ((i * 7919u) % n) * 2 * PAGE;
}

int main(void)
{
    struct hyp_pgtable pt;
    const uint64_t small_n = 1u << 16; /* 256 MiB of single pages */
    const uint64_t big = 4 * GiB;
    const uint64_t big_pages = big / PAGE;

    pool_mem = aligned_alloc(64 * 1024, POOL_BYTES);
    if (pool_mem == NULL)
        return 1;

    /* 4 KiB map / unmap, one page per call */
    table_new(&pt);
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < small_n; i++)
        check(hyp_pgtable_map(&pt, hyp_ia(BASE + i * PAGE), PAGE,
                              hyp_pa(scattered_pa(i, small_n)), HYP_PROT_RW),
              "map 4K");
    uint64_t t1 = now_ns();
    for (uint64_t i = 0; i < small_n; i++)
        check(hyp_pgtable_unmap(&pt, hyp_ia(BASE + i * PAGE), PAGE), "unmap 4K");
    uint64_t t2 = now_ns();
    printf("4 KiB map:    %8.1f ns/op (%llu ops)\n", (double)(t1 - t0) / (double)small_n,
           (unsigned long long)small_n);
    printf("4 KiB unmap:  %8.1f ns/op (%llu ops)\n", (double)(t2 - t1) / (double)small_n,
           (unsigned long long)small_n);
    hyp_pgtable_destroy(&pt);

    /* 4 GiB in one call, 2 MiB aligned output: one L2 table per GiB */
    table_new(&pt);
    t0 = now_ns();
    check(
        hyp_pgtable_map(&pt, hyp_ia(BASE), big, hyp_pa(16 * GiB + 2 * MiB), HYP_PROT_RW),
        "map 4G/2M");
    t1 = now_ns();
    printf("map 4 GiB, 2 MiB aligned:   %10.4f ms, table pages %zu (minimum %llu)\n",
           (double)(t1 - t0) / 1e6, hyp_pgtable_page_count(&pt),
           (unsigned long long)(2 + big / GiB));
    t0 = now_ns();
    check(hyp_pgtable_unmap(&pt, hyp_ia(BASE), big), "unmap 4G/2M");
    t1 = now_ns();
    printf("unmap it:                   %10.4f ms, table pages %zu\n",
           (double)(t1 - t0) / 1e6, hyp_pgtable_page_count(&pt));
    hyp_pgtable_destroy(&pt);

    /* 4 GiB in one call, 1 GiB aligned output: only the root */
    table_new(&pt);
    t0 = now_ns();
    check(hyp_pgtable_map(&pt, hyp_ia(BASE), big, hyp_pa(16 * GiB), HYP_PROT_RW),
          "map 4G/1G");
    t1 = now_ns();
    printf("map 4 GiB, 1 GiB aligned:   %10.4f ms, table pages %zu (minimum 2)\n",
           (double)(t1 - t0) / 1e6, hyp_pgtable_page_count(&pt));
    hyp_pgtable_destroy(&pt);

    /* 4 GiB page by page at scattered output addresses: no blocks */
    table_new(&pt);
    t0 = now_ns();
    for (uint64_t i = 0; i < big_pages; i++)
        check(hyp_pgtable_map(&pt, hyp_ia(BASE + i * PAGE), PAGE,
                              hyp_pa(scattered_pa(i, big_pages)), HYP_PROT_RW),
              "map 4G/4K");
    t1 = now_ns();
    printf("map 4 GiB, 4 KiB scattered: %10.3f ms (%.1f ns/page), table pages %zu "
           "(minimum %llu)\n",
           (double)(t1 - t0) / 1e6, (double)(t1 - t0) / (double)big_pages,
           hyp_pgtable_page_count(&pt),
           (unsigned long long)(2 + big / GiB + big / (2 * MiB)));
    t0 = now_ns();
    check(hyp_pgtable_unmap(&pt, hyp_ia(BASE), big), "unmap 4G/4K");
    t1 = now_ns();
    printf("unmap it in one call:       %10.4f ms, table pages %zu\n",
           (double)(t1 - t0) / 1e6, hyp_pgtable_page_count(&pt));
    hyp_pgtable_destroy(&pt);

    printf("pool high water: %zu pages; TLB range invalidations logged: %zu\n",
           hyp_page_pool_high_water(&pool), fake_arch_count(FAKE_TLBI_S2_RANGE));
    free(pool_mem);
    return 0;
}
