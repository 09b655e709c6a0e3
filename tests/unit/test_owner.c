/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the memory-ownership component (libhyp/mm/owner.c) with real
 * stage-2 tables over the recording fake arch: hand-written cases for every
 * transition and error, and a randomized differential test against a model
 * that predicts each call's result, every page's state and every VM's
 * stage-2 mappings.
 *
 * "Physical" memory is host memory: a page's physical address is its pointer
 * value, as in the page-table tests, so reclaim really zeroes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hyp/error.h>
#include <hyp/owner.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>

#include "fake_arch.h"
#include "t_assert.h"

#define PAGE     ((uint64_t)4096)
#define MiB      ((uint64_t)1 << 20)
#define IPA_HOME ((uint64_t)0x40000000) /* page i of a region at IPA_HOME + i pages */
#define IPA_SCR  ((uint64_t)0x80000000) /* scratch window for random targets */
#define NVM      8                      /* VM numbers used: 1..7 */

/* ---- Environment: RAM, table pool with a budget, one stage 2 per VM ----- */

struct env {
    uint8_t *ram; /* 2 MiB, 2 MiB aligned: the tracked region */
    uint64_t base;
    struct hyp_owner_page recs[512];
    void *pool_mem;
    struct hyp_page_pool pool;
    long budget; /* table allocations still allowed; negative: unlimited */
    struct hyp_pgtable s2[NVM];
    bool has_s2[NVM];
    struct hyp_owner own;
};

static void *env_alloc(void *ctx, size_t count)
{
    struct env *e = ctx;

    if (e->budget == 0)
        return NULL;
    if (e->budget > 0)
        e->budget--;
    return hyp_page_pool_alloc_contig(&e->pool, count);
}

static void env_free_pages(void *ctx, void *pages, size_t count)
{
    struct env *e = ctx;

    T_EQ(hyp_page_pool_free_contig(&e->pool, pages, count), HYP_OK);
}

static const struct hyp_pgtable_mm_ops env_ops = {
    .alloc_pages = env_alloc,
    .free_pages = env_free_pages,
};

static void env_s2(struct env *e, unsigned vm)
{
    struct hyp_pgtable_config cfg = {
        .format = HYP_PGTABLE_S2,
        .ia_bits = 40,
        .pa_bits = 48,
        .vmid = (uint16_t)vm,
        .mm = &env_ops,
        .mm_ctx = e,
    };

    T_EQ(hyp_pgtable_init(&e->s2[vm], &cfg), HYP_OK);
    e->has_s2[vm] = true;
}

static struct env *env_new(void)
{
    struct env *e = calloc(1, sizeof(*e));

    T_ASSERT(e != NULL);
    e->ram = aligned_alloc(2 * MiB, 2 * MiB);
    e->pool_mem = aligned_alloc(64 * 1024, 2 * MiB);
    T_ASSERT(e->ram != NULL && e->pool_mem != NULL);
    memset(e->ram, 0x5a, 2 * MiB);
    e->base = (uint64_t)(uintptr_t)e->ram;
    e->budget = -1;
    T_EQ(hyp_page_pool_init(&e->pool, e->pool_mem, 2 * MiB), HYP_OK);
    T_EQ(hyp_owner_init(&e->own), HYP_OK);
    T_EQ(hyp_owner_add_region(&e->own, e->base, 2 * MiB, e->recs, 512), HYP_OK);
    return e;
}

static void env_free(struct env *e)
{
    for (unsigned v = 0; v < NVM; v++)
        if (e->has_s2[v])
            hyp_pgtable_destroy(&e->s2[v]);
    T_EQ(hyp_page_pool_used(&e->pool), 0);
    free(e->ram);
    free(e->pool_mem);
    free(e);
}

/* Register `vm` with a fresh stage 2. */
static void env_vm(struct env *e, unsigned vm, unsigned parent)
{
    env_s2(e, vm);
    T_EQ(hyp_owner_vm_add(&e->own, vm, parent, &e->s2[vm]), HYP_OK);
}

static uint64_t pg(const struct env *e, unsigned i)
{
    return e->base + i * PAGE;
}

/* Physical address `vm` sees at `ipa`, or 0 if unmapped. */
static uint64_t seen(const struct env *e, unsigned vm, uint64_t ipa)
{
    struct hyp_pgtable_mapping m;

    if (hyp_pgtable_lookup(&e->s2[vm], hyp_ia(ipa), &m) != HYP_OK)
        return 0;
    return m.pa.val;
}

static struct hyp_owner_info info_of(struct env *e, unsigned i)
{
    struct hyp_owner_info info;

    T_EQ(hyp_owner_query(&e->own, pg(e, i), &info), HYP_OK);
    return info;
}

/* True if the fake arch logged a stage-2 range invalidation by `vmid`
 * covering [ipa, ipa + size). */
static bool tlbi_covers(uint16_t vmid, uint64_t ipa, uint64_t size)
{
    uint64_t next = ipa;

    /* Invalidations of one call may be split; accept any sequence that
     * covers the range. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < fake_arch_log_count(); i++) {
            const struct fake_arch_call *c = fake_arch_log(i);

            if (c->op == FAKE_TLBI_S2_RANGE && c->vmid == vmid && c->addr <= next &&
                c->addr + c->size > next)
                next = c->addr + c->size;
        }
    return next >= ipa + size;
}

/* VM 1 (root) holds the whole region, mapped at IPA_HOME as one block. */
static struct env *env_root(void)
{
    struct env *e = env_new();

    env_vm(e, 1, HYP_OWNER_HYP);
    T_EQ(hyp_owner_assign(&e->own, e->base, 2 * MiB, 1), HYP_OK);
    T_EQ(hyp_pgtable_map(&e->s2[1], hyp_ia(IPA_HOME), 2 * MiB, hyp_pa(e->base),
                         HYP_PROT_RWX),
         HYP_OK);
    return e;
}

/* ---- Hand-written cases ------------------------------------------------- */

static void test_setup_errors(void **state)
{
    (void)state;
    struct env *e = env_new();
    static struct hyp_owner_page few[4];

    T_EQ(hyp_owner_init(NULL), HYP_EINVAL);
    T_EQ(hyp_owner_add_region(&e->own, 0x1000, 0, few, 4), HYP_EINVAL);
    T_EQ(hyp_owner_add_region(&e->own, 0x1000, 4 * PAGE, NULL, 4), HYP_EINVAL);
    T_EQ(hyp_owner_add_region(&e->own, 0x1000, 5 * PAGE, few, 4), HYP_EINVAL);
    T_EQ(hyp_owner_add_region(&e->own, 0x1800, 4 * PAGE, few, 4), HYP_EALIGN);
    T_EQ(hyp_owner_add_region(&e->own, 0x1000, 0x800, few, 4), HYP_EALIGN);
    T_EQ(hyp_owner_add_region(&e->own, UINT64_MAX - PAGE + 1, 4 * PAGE, few, 4),
         HYP_ERANGE);
    T_EQ(hyp_owner_add_region(&e->own, e->base + 2 * MiB - PAGE, 4 * PAGE, few, 4),
         HYP_EEXIST);
    for (unsigned i = 1; i < HYP_OWNER_MAX_REGIONS; i++)
        T_EQ(hyp_owner_add_region(&e->own, 0x10000 * i, PAGE, &few[0], 1), HYP_OK);
    T_EQ(hyp_owner_add_region(&e->own, 0x10000 * 9, PAGE, &few[0], 1), HYP_ENOMEM);

    T_EQ(hyp_owner_vm_add(&e->own, 0, HYP_OWNER_HYP, NULL), HYP_EINVAL);
    T_EQ(hyp_owner_vm_add(&e->own, HYP_OWNER_MAX_VMS, HYP_OWNER_HYP, NULL), HYP_EINVAL);
    T_EQ(hyp_owner_vm_add(&e->own, 2, 2, NULL), HYP_EINVAL);
    T_EQ(hyp_owner_vm_add(&e->own, 2, 1, NULL), HYP_EINVAL); /* parent unknown */
    T_EQ(hyp_owner_vm_add(&e->own, 1, HYP_OWNER_HYP, NULL), HYP_OK);
    T_EQ(hyp_owner_vm_add(&e->own, 1, HYP_OWNER_HYP, NULL), HYP_EEXIST);
    T_EQ(hyp_owner_vm_add(&e->own, 2, 1, NULL), HYP_OK);
    T_EQ(hyp_owner_vm_parent(&e->own, 2), 1);
    T_EQ(hyp_owner_vm_parent(&e->own, 1), HYP_OWNER_HYP);
    T_EQ(hyp_owner_vm_parent(&e->own, 3), -1);
    T_EQ(hyp_owner_vm_remove(&e->own, 1), HYP_EBUSY); /* has a child */
    T_EQ(hyp_owner_vm_remove(&e->own, 2), HYP_OK);
    T_EQ(hyp_owner_vm_remove(&e->own, 2), HYP_EINVAL);
    T_EQ(hyp_owner_vm_remove(&e->own, 1), HYP_OK);

    struct hyp_owner_info info;
    T_EQ(hyp_owner_query(&e->own, e->base + 5, &info), HYP_OK);
    T_EQ(info.state, HYP_PAGE_OWNED);
    T_EQ(info.holder, HYP_OWNER_HYP);
    T_EQ(hyp_owner_query(&e->own, e->base - 1, &info), HYP_ERANGE);
    T_EQ(hyp_owner_query(&e->own, e->base, NULL), HYP_EINVAL);
    T_EQ(hyp_owner_held(&e->own, HYP_OWNER_HYP), 512 + HYP_OWNER_MAX_REGIONS - 1);
    env_free(e);
}

static void test_assign(void **state)
{
    (void)state;
    struct env *e = env_new();

    T_EQ(hyp_owner_vm_add(&e->own, 1, HYP_OWNER_HYP, NULL), HYP_OK);
    T_EQ(hyp_owner_vm_add(&e->own, 2, 1, NULL), HYP_OK);
    T_EQ(hyp_owner_assign(&e->own, pg(e, 0), 8 * PAGE, 2), HYP_EINVAL); /* a child */
    T_EQ(hyp_owner_assign(&e->own, pg(e, 0), 8 * PAGE, 3), HYP_EINVAL); /* unknown */
    T_EQ(hyp_owner_assign(&e->own, pg(e, 0), 0, 1), HYP_EINVAL);
    T_EQ(hyp_owner_assign(&e->own, pg(e, 0) + 8, PAGE, 1), HYP_EALIGN);
    T_EQ(hyp_owner_assign(&e->own, pg(e, 510), 4 * PAGE, 1), HYP_ERANGE);
    T_EQ(hyp_owner_assign(&e->own, 0x09000000, PAGE, 1), HYP_ERANGE); /* a UART */
    T_EQ(hyp_owner_assign(&e->own, pg(e, 0), 8 * PAGE, 1), HYP_OK);
    T_EQ(hyp_owner_assign(&e->own, pg(e, 7), 2 * PAGE, 1), HYP_EPERM);
    T_EQ(info_of(e, 8).holder, HYP_OWNER_HYP); /* nothing changed */
    T_EQ(info_of(e, 7).holder, 1);
    T_EQ(info_of(e, 7).state, HYP_PAGE_OWNED);
    T_EQ(hyp_owner_held(&e->own, 1), 8);
    env_free(e);
}

static void test_donate(void **state)
{
    (void)state;
    struct env *e = env_root();
    uint64_t pa = pg(e, 64), ipa = IPA_HOME + 64 * PAGE, cipa = 0x10000000;

    env_vm(e, 2, HYP_OWNER_HYP);
    env_vm(e, 3, 1);
    /* Errors, each leaving everything as it was. */
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 2, cipa), HYP_EINVAL);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 5, cipa), HYP_EINVAL);
    T_EQ(hyp_owner_donate(&e->own, 3, pa, 16 * PAGE, ipa, 1, cipa), HYP_EINVAL);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 0, ipa, 3, cipa), HYP_EINVAL);
    T_EQ(hyp_owner_donate(&e->own, 1, pa + 0x10, 16 * PAGE, ipa, 3, cipa), HYP_EALIGN);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE + 1, ipa, 3, cipa), HYP_EALIGN);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa + 4, 3, cipa), HYP_EALIGN);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 3, cipa + 4), HYP_EALIGN);
    T_EQ(hyp_owner_donate(&e->own, 1, 0x09000000, PAGE, 0x09000000, 3, cipa),
         HYP_ERANGE); /* device memory */
    T_EQ(hyp_owner_donate(&e->own, 1, pg(e, 500), 16 * PAGE, IPA_HOME + 500 * PAGE, 3,
                          cipa),
         HYP_ERANGE); /* runs off the region */
    T_EQ(hyp_owner_donate(&e->own, 1, UINT64_MAX - PAGE + 1, 2 * PAGE, ipa, 3, cipa),
         HYP_ERANGE);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa + PAGE, 3, cipa),
         HYP_EFORMAT); /* the donor does not map that IPA to that PA */
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, IPA_HOME + 2 * MiB - 8 * PAGE, 3,
                          cipa),
         HYP_EFORMAT); /* half of it unmapped */
    T_EQ(seen(e, 1, ipa), pa);
    T_EQ(info_of(e, 64).state, HYP_PAGE_OWNED);

    fake_arch_reset();
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 3, cipa), HYP_OK);
    /* Out of the donor, TLBs included; in the child. */
    for (unsigned i = 0; i < 16; i++) {
        T_EQ(seen(e, 1, ipa + i * PAGE), 0);
        T_EQ(seen(e, 3, cipa + i * PAGE), pa + i * PAGE);
        T_EQ(info_of(e, 64 + i).state, HYP_PAGE_DONATED);
        T_EQ(info_of(e, 64 + i).holder, 3);
        T_EQ(info_of(e, 64 + i).donor, 1);
    }
    T_ASSERT(tlbi_covers(1, ipa, 16 * PAGE));
    T_EQ(seen(e, 1, ipa - PAGE), pa - PAGE); /* the rest of the block stays */
    T_EQ(seen(e, 1, ipa + 16 * PAGE), pa + 16 * PAGE);
    T_EQ(hyp_owner_held(&e->own, 3), 16);

    /* Already donated, and overlapping it: busy, nothing changes. */
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 3, 0x20000000), HYP_EBUSY);
    T_EQ(hyp_owner_donate(&e->own, 1, pa + 8 * PAGE, 16 * PAGE, ipa + 8 * PAGE, 3,
                          0x20000000),
         HYP_EBUSY);
    T_EQ(seen(e, 1, ipa + 16 * PAGE), pa + 16 * PAGE);
    T_EQ(info_of(e, 80).state, HYP_PAGE_OWNED);
    /* Somebody else's pages. */
    T_EQ(hyp_owner_donate(&e->own, 2, pg(e, 100), PAGE, IPA_HOME + 100 * PAGE, 2, cipa),
         HYP_EINVAL);
    env_vm(e, 4, 2);
    T_EQ(hyp_owner_donate(&e->own, 2, pg(e, 100), PAGE, IPA_HOME + 100 * PAGE, 4, cipa),
         HYP_EPERM);
    T_EQ(hyp_owner_donate(&e->own, 2, pa, PAGE, ipa, 4, cipa), HYP_EPERM);
    /* The child's target already mapped. */
    T_EQ(hyp_owner_donate(&e->own, 1, pg(e, 200), PAGE, IPA_HOME + 200 * PAGE, 3,
                          cipa + 15 * PAGE),
         HYP_EFORMAT);
    T_EQ(seen(e, 1, IPA_HOME + 200 * PAGE), pg(e, 200));

    /* A child gives its pages further, to its own child. */
    env_vm(e, 5, 3);
    T_EQ(hyp_owner_donate(&e->own, 3, pa, 4 * PAGE, cipa, 5, cipa), HYP_OK);
    T_EQ(info_of(e, 64).holder, 5);
    T_EQ(info_of(e, 64).donor, 3);
    T_EQ(seen(e, 3, cipa), 0);
    T_EQ(seen(e, 5, cipa + 3 * PAGE), pa + 3 * PAGE);
    /* ... which its grandparent can no longer donate: busy, not its page. */
    T_EQ(hyp_owner_donate(&e->own, 1, pa, PAGE, ipa, 3, 0x30000000), HYP_EBUSY);
    env_free(e);
}

static void test_donate_rollback(void **state)
{
    (void)state;
    struct env *e = env_root();
    uint64_t pa = pg(e, 64), ipa = IPA_HOME + 64 * PAGE;

    env_vm(e, 3, 1);
    /* Splitting the donor's block takes one page; the child's empty table
     * needs two: the donation fails and the donor gets its pages back. */
    e->budget = 1;
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 3, 0x10000000), HYP_ENOMEM);
    e->budget = -1;
    for (unsigned i = 0; i < 16; i++)
        T_EQ(seen(e, 1, ipa + i * PAGE), pa + i * PAGE);
    T_EQ(seen(e, 3, 0x10000000), 0);
    T_EQ(info_of(e, 64).state, HYP_PAGE_OWNED);
    T_EQ(info_of(e, 64).holder, 1);
    /* Splitting alone fails: nothing changes either. */
    e->budget = 0;
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 3, 0x10000000), HYP_ENOMEM);
    e->budget = -1;
    T_EQ(seen(e, 1, ipa), pa);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 3, 0x10000000), HYP_OK);
    env_free(e);
}

static void test_share(void **state)
{
    (void)state;
    struct env *e = env_root();
    uint64_t pa = pg(e, 10), ipa = IPA_HOME + 10 * PAGE, sipa = 0x20000000;

    env_vm(e, 2, HYP_OWNER_HYP);
    env_vm(e, 3, 1);
    T_EQ(hyp_owner_share(&e->own, 1, pa, 2 * PAGE, 1, sipa, HYP_PROT_RW), HYP_EINVAL);
    T_EQ(hyp_owner_share(&e->own, 1, pa, 2 * PAGE, 6, sipa, HYP_PROT_RW), HYP_EINVAL);
    T_EQ(hyp_owner_share(&e->own, 1, pa, 2 * PAGE, 2, sipa, HYP_PROT_RWX), HYP_EINVAL);
    T_EQ(hyp_owner_share(&e->own, 1, pa, 2 * PAGE, 2, sipa, HYP_PROT_W), HYP_EINVAL);
    T_EQ(hyp_owner_share(&e->own, 1, pa, 2 * PAGE, 2, sipa + 1, HYP_PROT_RW), HYP_EALIGN);
    T_EQ(hyp_owner_share(&e->own, 2, pa, 2 * PAGE, 1, sipa, HYP_PROT_RW), HYP_EPERM);
    T_EQ(hyp_owner_share(&e->own, 1, 0x09000000, PAGE, 2, sipa, HYP_PROT_RW), HYP_ERANGE);

    fake_arch_reset();
    T_EQ(hyp_owner_share(&e->own, 1, pa, 2 * PAGE, 2, sipa, HYP_PROT_RW), HYP_OK);
    T_EQ(seen(e, 1, ipa), pa); /* the holder keeps it */
    T_EQ(seen(e, 2, sipa + PAGE), pa + PAGE);
    T_EQ(info_of(e, 11).state, HYP_PAGE_SHARED);
    T_EQ(info_of(e, 11).peer, 2);
    /* Shared once only, and not donated while shared. */
    T_EQ(hyp_owner_share(&e->own, 1, pa + PAGE, PAGE, 3, sipa, HYP_PROT_R), HYP_EBUSY);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, PAGE, ipa, 3, sipa), HYP_EBUSY);
    /* A child's pages shared with its parent. */
    T_EQ(hyp_owner_donate(&e->own, 1, pg(e, 20), PAGE, IPA_HOME + 20 * PAGE, 3, 0),
         HYP_OK);
    T_EQ(hyp_owner_share(&e->own, 3, pg(e, 20), PAGE, 1, 0x30000000, HYP_PROT_R), HYP_OK);
    T_EQ(seen(e, 1, 0x30000000), pg(e, 20));
    T_EQ(info_of(e, 20).holder, 3);

    /* Unshare: errors, then done. */
    T_EQ(hyp_owner_unshare(&e->own, 2, pa, 2 * PAGE, sipa), HYP_EPERM);
    T_EQ(hyp_owner_unshare(&e->own, 1, pa, 3 * PAGE, sipa), HYP_EBUSY); /* page 12 */
    T_EQ(hyp_owner_unshare(&e->own, 1, pa, 2 * PAGE, sipa + PAGE), HYP_EFORMAT);
    T_EQ(hyp_owner_unshare(&e->own, 1, pa, 2 * PAGE, sipa + 2), HYP_EALIGN);
    T_EQ(hyp_owner_unshare(&e->own, 1, pg(e, 20), PAGE, 0), HYP_EBUSY); /* child's */
    fake_arch_reset();
    T_EQ(hyp_owner_unshare(&e->own, 1, pa, 2 * PAGE, sipa), HYP_OK);
    T_ASSERT(tlbi_covers(2, sipa, 2 * PAGE));
    T_EQ(seen(e, 2, sipa), 0);
    T_EQ(seen(e, 1, ipa), pa);
    T_EQ(info_of(e, 10).state, HYP_PAGE_OWNED);
    T_EQ(hyp_owner_unshare(&e->own, 3, pg(e, 20), PAGE, 0x30000000), HYP_OK);
    T_EQ(info_of(e, 20).state, HYP_PAGE_DONATED); /* a child's own state */
    T_EQ(seen(e, 1, 0x30000000), 0);
    env_free(e);
}

static void test_reclaim(void **state)
{
    (void)state;
    struct env *e = env_root();
    uint64_t pa = pg(e, 64), ipa = IPA_HOME + 64 * PAGE, cipa = 0x10000000;

    env_vm(e, 2, HYP_OWNER_HYP);
    env_vm(e, 3, 1);
    env_vm(e, 4, 3);
    T_EQ(hyp_owner_donate(&e->own, 1, pa, 16 * PAGE, ipa, 3, cipa), HYP_OK);
    memset((void *)(uintptr_t)pa, 0xc5, 16 * PAGE); /* what the child wrote */

    T_EQ(hyp_owner_reclaim(&e->own, 2, pa, 16 * PAGE, cipa, ipa), HYP_EPERM);
    T_EQ(hyp_owner_reclaim(&e->own, 3, pa, 16 * PAGE, cipa, ipa),
         HYP_EBUSY); /* its own */
    T_EQ(hyp_owner_reclaim(&e->own, 1, pg(e, 0), PAGE, 0, IPA_HOME + 0), HYP_EBUSY);
    T_EQ(hyp_owner_reclaim(&e->own, 1, pa, 16 * PAGE, cipa + PAGE, ipa), HYP_EFORMAT);
    T_EQ(hyp_owner_reclaim(&e->own, 1, pa, 16 * PAGE, cipa, IPA_HOME), HYP_EFORMAT);
    T_EQ(hyp_owner_reclaim(&e->own, 1, pa, 16 * PAGE, cipa, ipa + 3), HYP_EALIGN);
    T_EQ(hyp_owner_reclaim(&e->own, 1, 0x09000000, PAGE, cipa, ipa), HYP_ERANGE);
    T_EQ(hyp_owner_reclaim(&e->own, 7, pa, 16 * PAGE, cipa, ipa), HYP_EINVAL);
    /* What the child shared or gave further cannot be taken from under it. */
    T_EQ(hyp_owner_share(&e->own, 3, pa, PAGE, 2, 0, HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_owner_reclaim(&e->own, 1, pa, 16 * PAGE, cipa, ipa), HYP_EBUSY);
    T_EQ(hyp_owner_unshare(&e->own, 3, pa, PAGE, 0), HYP_OK);
    T_EQ(hyp_owner_donate(&e->own, 3, pa + 8 * PAGE, 8 * PAGE, cipa + 8 * PAGE, 4, 0),
         HYP_OK);
    T_EQ(hyp_owner_reclaim(&e->own, 1, pa, 16 * PAGE, cipa, ipa), HYP_EBUSY);
    T_EQ(hyp_owner_vm_remove(&e->own, 3), HYP_EBUSY);
    T_EQ(hyp_owner_reclaim(&e->own, 3, pa + 8 * PAGE, 8 * PAGE, 0, cipa + 8 * PAGE),
         HYP_OK);
    T_EQ(info_of(e, 72).state, HYP_PAGE_DONATED); /* back to the child, a child */
    T_EQ(info_of(e, 72).holder, 3);
    T_EQ(hyp_owner_vm_remove(&e->own, 4), HYP_OK);
    T_EQ(hyp_owner_vm_remove(&e->own, 3), HYP_EBUSY); /* still holds pages */

    fake_arch_reset();
    T_EQ(hyp_owner_reclaim(&e->own, 1, pa, 16 * PAGE, cipa, ipa), HYP_OK);
    T_ASSERT(tlbi_covers(3, cipa, 16 * PAGE));
    for (unsigned i = 0; i < 16; i++) {
        T_EQ(seen(e, 3, cipa + i * PAGE), 0);
        T_EQ(seen(e, 1, ipa + i * PAGE), pa + i * PAGE);
        T_EQ(info_of(e, 64 + i).state, HYP_PAGE_OWNED);
        T_EQ(info_of(e, 64 + i).holder, 1);
    }
    for (uint64_t b = 0; b < 16 * PAGE; b++)
        T_EQ(((uint8_t *)(uintptr_t)pa)[b], 0);
    T_EQ(((uint8_t *)(uintptr_t)pa)[16 * PAGE], 0x5a); /* only the range */
    T_EQ(hyp_owner_vm_remove(&e->own, 3), HYP_OK);
    env_free(e);
}

static void test_reclaim_retry(void **state)
{
    (void)state;
    struct env *e = env_root();
    uint64_t cipa = 0x10000000;
    struct hyp_owner_info info;

    env_vm(e, 3, 1);
    /* The whole 2 MiB: the parent's level-2 table goes, so mapping the pages
     * back needs a table page. */
    T_EQ(hyp_owner_donate(&e->own, 1, e->base, 2 * MiB, IPA_HOME, 3, cipa), HYP_OK);
    memset(e->ram, 0x77, 2 * MiB);
    e->budget = 0;
    T_EQ(hyp_owner_reclaim(&e->own, 1, e->base, 2 * MiB, cipa, IPA_HOME), HYP_ENOMEM);
    e->budget = -1;
    info = info_of(e, 300);
    T_EQ(info.state, HYP_PAGE_RECLAIMING);
    T_EQ(info.holder, 3);
    T_EQ(info.donor, 1);
    T_EQ(seen(e, 3, cipa), 0); /* mapped nowhere ... */
    T_EQ(seen(e, 1, IPA_HOME), 0);
    T_EQ(e->ram[12345], 0); /* ... and zeroed already */
    /* Neither side can use them meanwhile; the child cannot go yet. */
    T_EQ(hyp_owner_share(&e->own, 3, e->base, PAGE, 1, 0, HYP_PROT_R), HYP_EBUSY);
    T_EQ(hyp_owner_donate(&e->own, 1, e->base, PAGE, IPA_HOME, 3, 0), HYP_EBUSY);
    T_EQ(hyp_owner_vm_remove(&e->own, 3), HYP_EBUSY);
    /* Half of it again is not the same reclaim. */
    T_EQ(hyp_owner_reclaim(&e->own, 1, e->base, MiB, cipa, IPA_HOME), HYP_OK);
    T_EQ(hyp_owner_reclaim(&e->own, 1, e->base, 2 * MiB, cipa, IPA_HOME), HYP_EBUSY);
    T_EQ(hyp_owner_reclaim(&e->own, 1, e->base + MiB, MiB, cipa + MiB, IPA_HOME + MiB),
         HYP_OK);
    T_EQ(seen(e, 1, IPA_HOME + 2 * MiB - PAGE), e->base + 2 * MiB - PAGE);
    T_EQ(info_of(e, 511).state, HYP_PAGE_OWNED);
    T_EQ(hyp_owner_vm_remove(&e->own, 3), HYP_OK);
    env_free(e);
}

static void test_remove_ends_shares(void **state)
{
    (void)state;
    struct env *e = env_root();

    env_vm(e, 3, 1);
    T_EQ(hyp_owner_share(&e->own, 1, pg(e, 5), 3 * PAGE, 3, 0, HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_owner_vm_remove(&e->own, 3), HYP_OK);
    T_EQ(info_of(e, 6).state, HYP_PAGE_OWNED);
    T_EQ(info_of(e, 6).peer, 0);
    /* A new VM with that number gets nothing of the old one's. */
    T_EQ(hyp_owner_vm_add(&e->own, 3, 1, NULL), HYP_OK);
    T_EQ(hyp_owner_unshare(&e->own, 1, pg(e, 5), 3 * PAGE, 0), HYP_EBUSY);
    T_EQ(hyp_owner_held(&e->own, 3), 0);
    T_EQ(hyp_owner_vm_remove(&e->own, 3), HYP_OK);
    env_free(e);
}

/* ---- Randomized differential test --------------------------------------- */

#define RP    64  /* pages of the region exercised */
#define SLOTS 128 /* pages of the scratch IPA window */

struct model {
    bool live[NVM];
    unsigned parent[NVM];
    unsigned holder[RP];
    unsigned peer[RP];    /* 0: not shared */
    int64_t ipa[NVM][RP]; /* where each VM maps each page; -1: nowhere */
};

static bool m_desc(const struct model *m, unsigned vm, unsigned anc)
{
    while (vm != HYP_OWNER_HYP && vm < NVM && m->live[vm]) {
        vm = m->parent[vm];
        if (vm == anc)
            return true;
    }
    return false;
}

static bool m_ipa_used(const struct model *m, unsigned vm, uint64_t ipa, unsigned n)
{
    for (unsigned q = 0; q < RP; q++)
        if (m->ipa[vm][q] >= 0 && (uint64_t)m->ipa[vm][q] >= ipa &&
            (uint64_t)m->ipa[vm][q] < ipa + n * PAGE)
            return true;
    return false;
}

static bool m_maps(const struct model *m, unsigned vm, unsigned first, unsigned n,
                   uint64_t ipa)
{
    for (unsigned i = 0; i < n; i++)
        if (m->ipa[vm][first + i] != (int64_t)(ipa + i * PAGE))
            return false;
    return true;
}

/* Errors common to every transition: the range, then the page verdicts. */
struct rop {
    unsigned first, n; /* pages of the range, when well formed */
    int range_rc;      /* HYP_OK or the range's error */
    uint64_t pa, size;
};

static int m_give(const struct model *m, const struct rop *r, unsigned caller)
{
    bool perm = false, busy = false;

    for (unsigned i = 0; i < r->n; i++) {
        unsigned p = r->first + i;

        if (m->holder[p] == caller)
            busy |= m->peer[p] != 0;
        else if (m_desc(m, m->holder[p], caller))
            busy = true;
        else
            perm = true;
    }
    return perm ? HYP_EPERM : busy ? HYP_EBUSY : HYP_OK;
}

enum { OP_DONATE, OP_SHARE, OP_UNSHARE, OP_RECLAIM, OP_ASSIGN, OP_REMOVE, OP_COUNT };

struct rstate {
    struct env *e;
    struct model m;
    uint64_t rng;
    unsigned step;
    unsigned outcome[OP_COUNT][12]; /* calls by operation and -error */
};

static void count(struct rstate *s, unsigned op, int rc)
{
    s->outcome[op][-rc]++;
}

static uint64_t rnd(struct rstate *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return s->rng;
}

static unsigned rnd_below(struct rstate *s, unsigned n)
{
    return (unsigned)(rnd(s) % n);
}

static uint64_t home(unsigned page)
{
    return IPA_HOME + page * PAGE;
}

/* A random range over the region, now and then malformed. */
static struct rop rnd_range(struct rstate *s)
{
    struct rop r = {.first = rnd_below(s, RP), .n = 1 + rnd_below(s, 8)};
    unsigned kind = rnd_below(s, 40);

    r.range_rc = HYP_OK;
    if (r.first + r.n > RP)
        r.n = RP - r.first;
    if (rnd_below(s, 4)) { /* mostly: pages of one holder in one state */
        unsigned n = 1;

        while (n < r.n && s->m.holder[r.first + n] == s->m.holder[r.first] &&
               s->m.peer[r.first + n] == s->m.peer[r.first])
            n++;
        r.n = n;
    }
    r.pa = pg(s->e, r.first);
    r.size = r.n * PAGE;
    if (kind == 0) {
        r.size = 0;
        r.range_rc = HYP_EINVAL;
    } else if (kind == 1) {
        r.pa += 0x40;
        r.range_rc = HYP_EALIGN;
    } else if (kind == 2) {
        r.pa = s->e->base + 2 * MiB; /* just past the region */
        r.range_rc = HYP_ERANGE;
    }
    return r;
}

static unsigned rnd_vm(struct rstate *s)
{
    return 1 + rnd_below(s, NVM - 1); /* 7 is never registered */
}

/* Where to put a range in `vm`: its home or a random scratch slot. */
static uint64_t rnd_target(struct rstate *s, const struct rop *r)
{
    if (rnd_below(s, 2))
        return home(r->first);
    return IPA_SCR + rnd_below(s, SLOTS - 8) * PAGE;
}

static int pred_vm(const struct model *m, unsigned vm)
{
    return vm < NVM && vm != HYP_OWNER_HYP && m->live[vm];
}

static void op_donate(struct rstate *s)
{
    struct model *m = &s->m;
    struct rop r = rnd_range(s);
    unsigned d = rnd_below(s, 4) ? m->holder[r.first] : rnd_vm(s), c = rnd_vm(s);
    uint64_t dipa, cipa;
    int want;

    if (d == HYP_OWNER_HYP)
        d = rnd_vm(s);
    if (rnd_below(s, 5)) { /* mostly: a real child */
        for (unsigned v = 1; v < NVM; v++)
            if (m->live[v] && m->parent[v] == d && rnd_below(s, 2))
                c = v;
    }
    dipa = m->ipa[d < NVM ? d : 0][r.first] >= 0 && rnd_below(s, 8)
               ? (uint64_t)m->ipa[d][r.first]
               : rnd_target(s, &r);
    cipa = rnd_target(s, &r);
    snprintf(g_ctx, sizeof(g_ctx), "step %u donate %u->%u pages %u+%u ipa %#llx->%#llx",
             s->step, d, c, r.first, r.n, (unsigned long long)dipa,
             (unsigned long long)cipa);
    if (!pred_vm(m, d) || !pred_vm(m, c) || m->parent[c] != d)
        want = HYP_EINVAL;
    else if (r.range_rc != HYP_OK)
        want = r.range_rc;
    else if ((want = m_give(m, &r, d)) != HYP_OK)
        ;
    else if (!m_maps(m, d, r.first, r.n, dipa) || m_ipa_used(m, c, cipa, r.n))
        want = HYP_EFORMAT;
    T_EQ(hyp_owner_donate(&s->e->own, d, r.pa, r.size, dipa, c, cipa), want);
    count(s, OP_DONATE, want);
    if (want != HYP_OK)
        return;
    for (unsigned i = 0; i < r.n; i++) {
        unsigned p = r.first + i;

        m->holder[p] = c;
        m->ipa[d][p] = -1;
        m->ipa[c][p] = (int64_t)(cipa + i * PAGE);
        memset((void *)(uintptr_t)pg(s->e, p), 0xc0 + (int)c, 64); /* the child writes */
    }
}

static void op_share(struct rstate *s)
{
    struct model *m = &s->m;
    struct rop r = rnd_range(s);
    unsigned h = rnd_below(s, 4) && m->holder[r.first] ? m->holder[r.first] : rnd_vm(s);
    unsigned peer = rnd_vm(s);
    unsigned prot = rnd_below(s, 2) ? HYP_PROT_RW : HYP_PROT_R;
    uint64_t pipa = rnd_target(s, &r);
    int want;

    snprintf(g_ctx, sizeof(g_ctx), "step %u share %u->%u pages %u+%u ipa %#llx", s->step,
             h, peer, r.first, r.n, (unsigned long long)pipa);
    if (!pred_vm(m, h) || !pred_vm(m, peer) || h == peer)
        want = HYP_EINVAL;
    else if (r.range_rc != HYP_OK)
        want = r.range_rc;
    else if ((want = m_give(m, &r, h)) != HYP_OK)
        ;
    else if (m_ipa_used(m, peer, pipa, r.n))
        want = HYP_EFORMAT;
    T_EQ(hyp_owner_share(&s->e->own, h, r.pa, r.size, peer, pipa, prot), want);
    count(s, OP_SHARE, want);
    if (want != HYP_OK)
        return;
    for (unsigned i = 0; i < r.n; i++) {
        m->peer[r.first + i] = peer;
        m->ipa[peer][r.first + i] = (int64_t)(pipa + i * PAGE);
    }
}

static void op_unshare(struct rstate *s)
{
    struct model *m = &s->m;
    struct rop r = rnd_range(s);
    unsigned h = rnd_below(s, 4) && m->holder[r.first] ? m->holder[r.first] : rnd_vm(s);
    unsigned peer = m->peer[r.first];
    uint64_t pipa = peer && rnd_below(s, 8) && m->ipa[peer][r.first] >= 0
                        ? (uint64_t)m->ipa[peer][r.first]
                        : rnd_target(s, &r);
    bool perm = false, busy = false;
    int want;

    snprintf(g_ctx, sizeof(g_ctx), "step %u unshare %u pages %u+%u ipa %#llx", s->step, h,
             r.first, r.n, (unsigned long long)pipa);
    for (unsigned i = 0; i < r.n; i++) {
        unsigned p = r.first + i;

        if (m->holder[p] != h && m_desc(m, m->holder[p], h))
            busy = true;
        else if (m->holder[p] != h)
            perm = true;
        else if (m->peer[p] == 0 || m->peer[p] != peer)
            busy = true;
    }
    if (!pred_vm(m, h))
        want = HYP_EINVAL;
    else if (r.range_rc != HYP_OK)
        want = r.range_rc;
    else if (perm || busy)
        want = perm ? HYP_EPERM : HYP_EBUSY;
    else
        want = m_maps(m, peer, r.first, r.n, pipa) ? HYP_OK : HYP_EFORMAT;
    T_EQ(hyp_owner_unshare(&s->e->own, h, r.pa, r.size, pipa), want);
    count(s, OP_UNSHARE, want);
    if (want != HYP_OK)
        return;
    for (unsigned i = 0; i < r.n; i++) {
        m->peer[r.first + i] = 0;
        m->ipa[peer][r.first + i] = -1;
    }
}

static void op_reclaim(struct rstate *s)
{
    struct model *m = &s->m;
    struct rop r = rnd_range(s);
    unsigned par = rnd_vm(s), child = m->holder[r.first];
    uint64_t cipa = child < NVM && m->ipa[child][r.first] >= 0 && rnd_below(s, 8)
                        ? (uint64_t)m->ipa[child][r.first]
                        : rnd_target(s, &r);
    uint64_t pipa = rnd_below(s, 6) ? home(r.first) : rnd_target(s, &r);
    bool perm = false, busy = false;
    int want;

    snprintf(g_ctx, sizeof(g_ctx), "step %u reclaim %u pages %u+%u ipa %#llx->%#llx",
             s->step, par, r.first, r.n, (unsigned long long)cipa,
             (unsigned long long)pipa);
    if (!rnd_below(s, 4)) { /* often: the parent of the first page's holder */
        if (child != HYP_OWNER_HYP && m->live[child] && m->parent[child] != HYP_OWNER_HYP)
            par = m->parent[child];
    }
    for (unsigned i = 0; i < r.n; i++) {
        unsigned h = m->holder[r.first + i];

        if (h == par)
            busy = true;
        else if (!m_desc(m, h, par))
            perm = true;
        else if (m->parent[h] != par || h != child || m->peer[r.first + i] != 0)
            busy = true;
    }
    if (!pred_vm(m, par))
        want = HYP_EINVAL;
    else if (r.range_rc != HYP_OK)
        want = r.range_rc;
    else if (perm || busy)
        want = perm ? HYP_EPERM : HYP_EBUSY;
    else if (m_ipa_used(m, par, pipa, r.n) || !m_maps(m, child, r.first, r.n, cipa))
        want = HYP_EFORMAT;
    else
        want = HYP_OK;
    T_EQ(hyp_owner_reclaim(&s->e->own, par, r.pa, r.size, cipa, pipa), want);
    count(s, OP_RECLAIM, want);
    if (want != HYP_OK)
        return;
    for (unsigned i = 0; i < r.n; i++) {
        unsigned p = r.first + i;
        const uint8_t *mem = (const uint8_t *)(uintptr_t)pg(s->e, p);

        m->holder[p] = par;
        m->ipa[child][p] = -1;
        m->ipa[par][p] = (int64_t)(pipa + i * PAGE);
        for (unsigned b = 0; b < PAGE; b += 61)
            T_EQ(mem[b], 0);
    }
}

static void op_assign(struct rstate *s)
{
    struct model *m = &s->m;
    struct rop r = rnd_range(s);
    unsigned vm = rnd_vm(s);
    bool perm = false;
    int want;

    snprintf(g_ctx, sizeof(g_ctx), "step %u assign %u pages %u+%u", s->step, vm, r.first,
             r.n);
    for (unsigned i = 0; i < r.n; i++)
        perm |= m->holder[r.first + i] != HYP_OWNER_HYP;
    if (!pred_vm(m, vm) || m->parent[vm] != HYP_OWNER_HYP)
        want = HYP_EINVAL;
    else if (r.range_rc != HYP_OK)
        want = r.range_rc;
    else
        want = perm ? HYP_EPERM : HYP_OK;
    T_EQ(hyp_owner_assign(&s->e->own, r.pa, r.size, vm), want);
    count(s, OP_ASSIGN, want);
    if (want != HYP_OK)
        return;
    for (unsigned i = 0; i < r.n; i++)
        m->holder[r.first + i] = vm;
    /* The VM builder's part: map them at home, if free there. */
    if (!m_ipa_used(m, vm, home(r.first), r.n)) {
        T_EQ(hyp_pgtable_map(&s->e->s2[vm], hyp_ia(home(r.first)), r.size, hyp_pa(r.pa),
                             HYP_PROT_RWX),
             HYP_OK);
        for (unsigned i = 0; i < r.n; i++)
            m->ipa[vm][r.first + i] = (int64_t)home(r.first + i);
    }
}

static void op_remove(struct rstate *s)
{
    struct model *m = &s->m;
    unsigned vm = rnd_vm(s);
    int want = pred_vm(m, vm) ? HYP_OK : HYP_EINVAL;

    snprintf(g_ctx, sizeof(g_ctx), "step %u remove %u", s->step, vm);
    for (unsigned v = 1; want == HYP_OK && v < NVM; v++)
        if (m->live[v] && m->parent[v] == vm)
            want = HYP_EBUSY;
    for (unsigned p = 0; want == HYP_OK && p < RP; p++)
        if (m->holder[p] == vm)
            want = HYP_EBUSY;
    T_EQ(hyp_owner_vm_remove(&s->e->own, vm), want);
    count(s, OP_REMOVE, want);
    if (want != HYP_OK)
        return;
    for (unsigned p = 0; p < RP; p++) {
        if (m->peer[p] == vm)
            m->peer[p] = 0;
        m->ipa[vm][p] = -1;
    }
    /* Destroy it and create it again, empty, with the same parent. */
    hyp_pgtable_destroy(&s->e->s2[vm]);
    s->e->has_s2[vm] = false;
    env_vm(s->e, vm, m->parent[vm]);
}

static int sum_leaf(const struct hyp_pgtable_visit *v, void *arg)
{
    *(uint64_t *)arg += v->size;
    return 0;
}

/* Every page's state and every VM's stage 2 against the model. */
static void check_all(struct rstate *s)
{
    const struct model *m = &s->m;

    for (unsigned p = 0; p < RP; p++) {
        struct hyp_owner_info info = info_of(s->e, p);
        unsigned h = m->holder[p];
        unsigned mapped = 0;

        snprintf(g_ctx, sizeof(g_ctx), "step %u page %u", s->step, p);
        T_EQ(info.holder, h);
        T_EQ(info.peer, m->peer[p]);
        if (m->peer[p])
            T_EQ(info.state, HYP_PAGE_SHARED);
        else if (h != HYP_OWNER_HYP && m->parent[h] != HYP_OWNER_HYP)
            T_EQ(info.state, HYP_PAGE_DONATED);
        else
            T_EQ(info.state, HYP_PAGE_OWNED);
        for (unsigned v = 1; v < NVM; v++) {
            if (m->ipa[v][p] < 0)
                continue;
            T_EQ(seen(s->e, v, (uint64_t)m->ipa[v][p]), pg(s->e, p));
            T_ASSERT(v == h || v == m->peer[p]); /* the model's own invariant */
            mapped++;
        }
        T_ASSERT(mapped <= (m->peer[p] ? 2u : 1u));
    }
    /* Nothing else mapped: each table holds exactly the model's pages. */
    for (unsigned v = 1; v < NVM; v++) {
        uint64_t want = 0, bytes = 0;

        if (!m->live[v])
            continue;
        for (unsigned p = 0; p < RP; p++)
            want += m->ipa[v][p] >= 0 ? PAGE : 0;
        snprintf(g_ctx, sizeof(g_ctx), "step %u vm %u", s->step, v);
        T_EQ(hyp_pgtable_walk(&s->e->s2[v], hyp_ia(0), (uint64_t)1 << 40,
                              HYP_PGTABLE_VISIT_LEAF, sum_leaf, &bytes),
             0);
        T_EQ(bytes, want);
    }
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);

    return v != NULL && *v != 0 ? strtoull(v, NULL, 0) : dflt;
}

static void test_random(void **state)
{
    (void)state;
    struct rstate *s = calloc(1, sizeof(*s));
    struct model *m;
    uint64_t seed = env_u64("LIBHYP_SEED", 0x0e4e12ull);
    unsigned ops = (unsigned)env_u64("LIBHYP_OWNER_OPS", 4000);
    /* VM tree: 1 and 2 roots; 3 and 6 children of 1; 4 child of 3; 5 of 2. */
    static const unsigned parents[NVM] = {0, 0, 0, 1, 3, 2, 1, 0};

    T_ASSERT(s != NULL);
    print_message("seed %#llx (override with LIBHYP_SEED), %u operations\n",
                  (unsigned long long)seed, ops);
    s->rng = seed * 2 + 1;
    s->e = env_new();
    m = &s->m;
    memset(m->ipa, 0xff, sizeof(m->ipa));
    for (unsigned v = 1; v < NVM - 1; v++) {
        env_vm(s->e, v, parents[v]);
        m->live[v] = true;
        m->parent[v] = parents[v];
    }
    /* Pages 0..23 to VM 1, 24..47 to VM 2 (mapped at home); the rest stays
     * the hypervisor's. */
    for (unsigned p = 0; p < 48; p++) {
        unsigned vm = p < 24 ? 1 : 2;

        T_EQ(hyp_owner_assign(&s->e->own, pg(s->e, p), PAGE, vm), HYP_OK);
        T_EQ(hyp_pgtable_map(&s->e->s2[vm], hyp_ia(home(p)), PAGE, hyp_pa(pg(s->e, p)),
                             HYP_PROT_RWX),
             HYP_OK);
        m->holder[p] = vm;
        m->ipa[vm][p] = (int64_t)home(p);
    }
    for (s->step = 0; s->step < ops; s->step++) {
        switch (rnd_below(s, 16)) {
        case 0 ... 4:
            op_donate(s);
            break;
        case 5 ... 7:
            op_share(s);
            break;
        case 8 ... 9:
            op_unshare(s);
            break;
        case 10 ... 13:
            op_reclaim(s);
            break;
        case 14:
            op_assign(s);
            break;
        default:
            op_remove(s);
            break;
        }
        check_all(s);
    }
    /* Every transition succeeded and failed in several ways. */
    static const char *const names[OP_COUNT] = {"donate",  "share",  "unshare",
                                                "reclaim", "assign", "remove"};
    for (unsigned op = 0; op < OP_COUNT; op++) {
        unsigned kinds = 0;

        print_message("%-8s", names[op]);
        for (unsigned e = 0; e < 12; e++) {
            if (s->outcome[op][e] != 0)
                print_message(" %s:%u", hyp_strerror(-(int)e), s->outcome[op][e]);
            kinds += s->outcome[op][e] != 0;
        }
        print_message("\n");
        snprintf(g_ctx, sizeof(g_ctx), "%s", names[op]);
        if (ops >= 1000) {
            T_ASSERT(s->outcome[op][0] != 0);
            T_ASSERT(kinds >= 3);
        }
    }
    env_free(s->e);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_errors),  cmocka_unit_test(test_assign),
        cmocka_unit_test(test_donate),        cmocka_unit_test(test_donate_rollback),
        cmocka_unit_test(test_share),         cmocka_unit_test(test_reclaim),
        cmocka_unit_test(test_reclaim_retry), cmocka_unit_test(test_remove_ends_shares),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
