/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the page-table component (libhyp/pgtable) and the page pool
 * (libhyp/mm), against the recording fake arch (fake_arch.c).
 *
 * Every TLB range invalidation goes through bbm_hook(), which checks that
 * the invalidated range is unmapped at that moment. The randomized test
 * also diffs the table between invalidations to catch a valid entry that
 * changed without break-before-make.
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
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>

#include "fake_arch.h"
#include "t_assert.h"

#define KiB  ((uint64_t)1 << 10)
#define MiB  ((uint64_t)1 << 20)
#define GiB  ((uint64_t)1 << 30)
#define TiB  ((uint64_t)1 << 40)
#define PAGE ((uint64_t)4096)

/* Descriptor bits, written here from the Arm ARM independently of the
 * library's own definitions. */
#define D_VALID ((uint64_t)1)
#define D_TYPE  ((uint64_t)3)
#define D_OA    ((uint64_t)0x0000fffffffff000)
#define D_AF    ((uint64_t)1 << 10)
#define D_SH_IS ((uint64_t)3 << 8)
#define D_XN    ((uint64_t)1 << 54)
#define D_ATTRS (~(D_OA | D_TYPE))

/* aligned_alloc() wants a size that is a multiple of the alignment. */
static void *alloc_aligned(size_t align, size_t size)
{
    return aligned_alloc(align, (size + align - 1) / align * align);
}

static uint64_t level_size(unsigned level)
{
    return (uint64_t)1 << (12 + 9 * (3 - level));
}

/* ---- A pool-backed allocator that can be told to fail ----------------- */

#define FAKE_PA_BASE ((uint64_t)0x40000000) /* for the translating allocator */

struct test_mm {
    struct hyp_page_pool pool;
    void *mem;
    size_t mem_size;
    long budget; /* allocations still allowed; negative: unlimited */
    size_t alloc_calls;
    size_t live_pages;
    int misalign; /* hand out a misaligned run once */
};

static void *tmm_alloc(void *ctx, size_t count)
{
    struct test_mm *m = ctx;

    m->alloc_calls++;
    if (m->budget == 0)
        return NULL;
    if (m->budget > 0)
        m->budget--;
    if (m->misalign) {
        m->misalign = 0;
        uint8_t *p = hyp_page_pool_alloc_contig(&m->pool, count * 2);
        T_ASSERT(p != NULL);
        /* keep pages [1, count]: page aligned, not run aligned */
        T_EQ(hyp_page_pool_free(&m->pool, p), HYP_OK);
        if (count > 1)
            T_EQ(hyp_page_pool_free_contig(&m->pool, p + (count + 1) * PAGE, count - 1),
                 HYP_OK);
        m->live_pages += count;
        return p + PAGE;
    }
    void *p = hyp_page_pool_alloc_contig(&m->pool, count);
    if (p != NULL)
        m->live_pages += count;
    return p;
}

static void tmm_free(void *ctx, void *pages, size_t count)
{
    struct test_mm *m = ctx;

    T_EQ(hyp_page_pool_free_contig(&m->pool, pages, count), HYP_OK);
    m->live_pages -= count;
}

/* Translating variant: table memory appears at FAKE_PA_BASE physically. */
static uint64_t tmm_v2p(void *ctx, const void *va)
{
    struct test_mm *m = ctx;
    return (uint64_t)((uintptr_t)va - (uintptr_t)m->mem) + FAKE_PA_BASE;
}

static void *tmm_p2v(void *ctx, uint64_t pa)
{
    struct test_mm *m = ctx;
    T_ASSERT(pa >= FAKE_PA_BASE && pa - FAKE_PA_BASE < m->mem_size);
    return (uint8_t *)m->mem + (pa - FAKE_PA_BASE);
}

static const struct hyp_pgtable_mm_ops tmm_ops = {
    .alloc_pages = tmm_alloc,
    .free_pages = tmm_free,
};

static const struct hyp_pgtable_mm_ops tmm_translating_ops = {
    .alloc_pages = tmm_alloc,
    .free_pages = tmm_free,
    .virt_to_phys = tmm_v2p,
    .phys_to_virt = tmm_p2v,
};

static void tmm_init(struct test_mm *m, size_t bytes)
{
    memset(m, 0, sizeof(*m));
    m->mem = alloc_aligned(64 * KiB, bytes);
    T_ASSERT(m->mem != NULL);
    m->mem_size = bytes;
    m->budget = -1;
    T_EQ(hyp_page_pool_init(&m->pool, m->mem, bytes), HYP_OK);
}

static void tmm_fini(struct test_mm *m)
{
    T_EQ(m->live_pages, 0);
    T_EQ(hyp_page_pool_used(&m->pool), 0);
    free(m->mem);
}

/* ---- Test environment: one table, its allocator, the BBM hook ----------- */

struct env {
    struct test_mm mm;
    struct hyp_pgtable pt;
};

struct bbm_checker;
static struct env *g_env;             /* table the hook inspects */
static struct bbm_checker *g_checker; /* optional diffing checker */
static void checker_on_tlbi(struct bbm_checker *c, uint64_t addr, uint64_t size);

static int count_leaf(const struct hyp_pgtable_visit *v, void *arg)
{
    (void)v;
    (*(size_t *)arg)++;
    return 0;
}

static size_t leaf_count(const struct hyp_pgtable *pt, uint64_t addr, uint64_t size)
{
    size_t n = 0;
    T_EQ(hyp_pgtable_walk(pt, hyp_ia(addr), size, HYP_PGTABLE_VISIT_LEAF, count_leaf, &n),
         0);
    return n;
}

static void bbm_hook(const struct fake_arch_call *call, void *arg)
{
    (void)arg;
    if (g_env == NULL)
        return;
    const struct hyp_pgtable *pt = &g_env->pt;
    bool s2 = pt->format == HYP_PGTABLE_S2;

    if (call->op == FAKE_TLBI_S2_ALL || call->op == FAKE_TLBI_EL2_ALL)
        return;
    T_EQ(call->op, s2 ? FAKE_TLBI_S2_RANGE : FAKE_TLBI_EL2_RANGE);
    if (s2)
        T_EQ(call->vmid, pt->vmid);
    T_ASSERT(call->size != 0);
    T_EQ(call->addr % PAGE, 0);
    T_EQ(call->size % PAGE, 0);
    T_ASSERT(call->level <= 3);
    /* Break-before-make: nothing in the range is mapped while it is
     * being invalidated. */
    T_EQ(leaf_count(pt, call->addr, call->size), 0);
    if (g_checker != NULL)
        checker_on_tlbi(g_checker, call->addr, call->size);
}

static struct env *env_new_ops(enum hyp_pgtable_format fmt, unsigned ia, unsigned pa,
                               uint16_t vmid, size_t pool_bytes,
                               const struct hyp_pgtable_mm_ops *ops)
{
    struct env *e = calloc(1, sizeof(*e));
    T_ASSERT(e != NULL);
    tmm_init(&e->mm, pool_bytes);
    struct hyp_pgtable_config cfg = {
        .format = fmt,
        .ia_bits = ia,
        .pa_bits = pa,
        .vmid = vmid,
        .mm = ops,
        .mm_ctx = &e->mm,
    };
    T_EQ(hyp_pgtable_init(&e->pt, &cfg), HYP_OK);
    g_env = e;
    fake_arch_set_hook(bbm_hook, NULL);
    fake_arch_reset();
    return e;
}

static struct env *env_new(enum hyp_pgtable_format fmt, unsigned ia, unsigned pa,
                           uint16_t vmid)
{
    return env_new_ops(fmt, ia, pa, vmid, 16 * MiB, &tmm_ops);
}

static void env_free(struct env *e)
{
    hyp_pgtable_destroy(&e->pt);
    T_EQ(hyp_pgtable_page_count(&e->pt), 0);
    tmm_fini(&e->mm);
    if (g_env == e)
        g_env = NULL;
    free(e);
}

static int map(struct env *e, uint64_t ia, uint64_t size, uint64_t pa, unsigned prot)
{
    return hyp_pgtable_map(&e->pt, hyp_ia(ia), size, hyp_pa(pa), prot);
}

static int unmap(struct env *e, uint64_t ia, uint64_t size)
{
    return hyp_pgtable_unmap(&e->pt, hyp_ia(ia), size);
}

static int protect(struct env *e, uint64_t ia, uint64_t size, unsigned prot)
{
    return hyp_pgtable_protect(&e->pt, hyp_ia(ia), size, prot);
}

/* Expect `ia` to map to `pa` with `prot` through a leaf at `level` (0: any). */
static void expect_map(struct env *e, uint64_t ia, uint64_t pa, unsigned prot,
                       unsigned level)
{
    struct hyp_pgtable_mapping m;
    T_EQ(hyp_pgtable_lookup(&e->pt, hyp_ia(ia), &m), HYP_OK);
    T_EQ(m.pa.val, pa);
    T_EQ(m.prot, prot);
    if (level != 0)
        T_EQ(m.level, level);
    T_EQ(m.size, level_size(m.level));
    T_EQ(m.base.val, ia & ~(m.size - 1));
}

static void expect_unmapped(struct env *e, uint64_t ia)
{
    T_EQ(hyp_pgtable_lookup(&e->pt, hyp_ia(ia), NULL), HYP_ENOENT);
}

struct leaf_capture {
    struct hyp_pgtable_visit v;
    size_t n;
};

static int capture_leaf(const struct hyp_pgtable_visit *v, void *arg)
{
    struct leaf_capture *c = arg;
    c->v = *v;
    c->n++;
    return 0;
}

static uint64_t leaf_desc(struct env *e, uint64_t ia)
{
    struct leaf_capture c = {0};
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(ia & ~(PAGE - 1)), PAGE, HYP_PGTABLE_VISIT_LEAF,
                          capture_leaf, &c),
         0);
    T_EQ(c.n, 1);
    return c.v.desc;
}

/* ---- Snapshots of the leaves in a range -------------------------------- */

struct leaf {
    uint64_t addr, size, desc;
};

struct leafvec {
    struct leaf *v;
    size_t n, cap;
};

static int push_leaf(const struct hyp_pgtable_visit *v, void *arg)
{
    struct leafvec *lv = arg;
    if (lv->n == lv->cap) {
        lv->cap = lv->cap ? lv->cap * 2 : 256;
        lv->v = realloc(lv->v, lv->cap * sizeof(*lv->v));
        T_ASSERT(lv->v != NULL);
    }
    lv->v[lv->n++] = (struct leaf){v->addr.val, v->size, v->desc};
    return 0;
}

static void snapshot(const struct hyp_pgtable *pt, uint64_t lo, uint64_t hi,
                     struct leafvec *lv)
{
    lv->n = 0;
    T_EQ(hyp_pgtable_walk(pt, hyp_ia(lo), hi - lo, HYP_PGTABLE_VISIT_LEAF, push_leaf, lv),
         0);
}

static void expect_same_snapshot(const struct leafvec *a, const struct leafvec *b)
{
    T_EQ(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        T_EQ(a->v[i].addr, b->v[i].addr);
        T_EQ(a->v[i].size, b->v[i].size);
        T_EQ(a->v[i].desc, b->v[i].desc);
    }
}

/* ---- Structural invariants ---------------------------------------------- */

struct frame {
    unsigned level; /* level of the table entry */
    uint64_t addr;
    size_t children; /* valid entries in the table below */
    size_t leaves;   /* of which leaves following the first contiguously */
    uint64_t first;  /* first child's descriptor */
    bool uniform;
};

struct shape {
    uint64_t lo, hi; /* walked range */
    struct frame stack[5];
    int depth;
    size_t tables;
    size_t leaves_at[4];
};

static void shape_child(struct shape *s, const struct hyp_pgtable_visit *v, bool leaf)
{
    if (s->depth == 0)
        return;
    struct frame *f = &s->stack[s->depth - 1];
    if (!leaf) {
        f->uniform = false;
    } else if (f->children == 0) {
        f->first = v->desc;
        f->uniform = (v->pa.val & (level_size(f->level) - 1)) == 0;
    } else if (v->desc != f->first + f->children * v->size) {
        f->uniform = false;
    }
    f->children++;
}

static int shape_visit(const struct hyp_pgtable_visit *v, void *arg)
{
    struct shape *s = arg;

    switch (v->kind) {
    case HYP_PGTABLE_VISIT_LEAF:
        T_ASSERT(v->level >= 1);
        T_EQ(v->addr.val % v->size, 0);
        T_EQ(v->pa.val % v->size, 0);
        T_EQ(v->desc & D_TYPE, v->level == 3 ? 3 : 1);
        s->leaves_at[v->level]++;
        shape_child(s, v, true);
        break;
    case HYP_PGTABLE_VISIT_TABLE_PRE:
        T_ASSERT(v->level <= 2);
        T_EQ(v->desc, v->pa.val | 3); /* no table attributes */
        shape_child(s, v, false);
        T_ASSERT(s->depth < 5);
        s->stack[s->depth++] = (struct frame){.level = v->level, .addr = v->addr.val};
        s->tables++;
        break;
    default: {
        struct frame *f = &s->stack[--s->depth];
        T_EQ(f->addr, v->addr.val);
        /* only tables wholly inside the walked range were seen entirely */
        if (f->addr < s->lo || f->addr + v->size > s->hi)
            break;
        /* no empty table is kept */
        T_ASSERT(f->children > 0);
        /* no table that a block could replace is kept */
        if (f->level == 1 || f->level == 2)
            T_ASSERT(!(f->uniform && f->children == 512));
        break;
    }
    }
    return 0;
}

/* Check the invariants over [lo, hi); returns the number of tables below
 * the root in that range. */
static size_t check_shape(const struct hyp_pgtable *pt, uint64_t lo, uint64_t hi,
                          struct shape *out)
{
    struct shape s;
    memset(&s, 0, sizeof(s));
    s.lo = lo;
    s.hi = hi;
    T_EQ(hyp_pgtable_walk(pt, hyp_ia(lo), hi - lo,
                          HYP_PGTABLE_VISIT_LEAF | HYP_PGTABLE_VISIT_TABLE_PRE |
                              HYP_PGTABLE_VISIT_TABLE_POST,
                          shape_visit, &s),
         0);
    T_EQ(s.depth, 0);
    if (out != NULL)
        *out = s;
    return s.tables;
}

static void check_all_shape(struct env *e)
{
    size_t tables = check_shape(&e->pt, 0, (uint64_t)1 << e->pt.ia_bits, NULL);
    T_EQ(hyp_pgtable_page_count(&e->pt), tables + e->pt.root_pages);
    T_EQ(e->mm.live_pages, hyp_pgtable_page_count(&e->pt));
}

/* ===================================================================== */
/* Page pool                                                               */
/* ===================================================================== */

static void test_pool_init_errors(void **state)
{
    (void)state;
    struct hyp_page_pool pool;
    uint8_t *mem = alloc_aligned(PAGE, 4 * PAGE);

    T_EQ(hyp_page_pool_init(NULL, mem, 4 * PAGE), HYP_EINVAL);
    T_EQ(hyp_page_pool_init(&pool, NULL, 4 * PAGE), HYP_EINVAL);
    T_EQ(hyp_page_pool_init(&pool, mem + 8, 3 * PAGE), HYP_EALIGN);
    T_EQ(hyp_page_pool_init(&pool, mem, 3 * PAGE + 8), HYP_EALIGN);
    T_EQ(hyp_page_pool_init(&pool, mem, PAGE), HYP_EINVAL); /* bitmap only */
    T_EQ(hyp_page_pool_init(&pool, mem, 0), HYP_EINVAL);
    T_EQ(hyp_page_pool_init(&pool, (void *)(uintptr_t)(UINTPTR_MAX - PAGE + 1), 2 * PAGE),
         HYP_ERANGE);
    T_EQ(hyp_page_pool_init(&pool, mem, 4 * PAGE), HYP_OK);
    T_EQ(hyp_page_pool_total(&pool), 3);
    free(mem);
}

static void test_pool_alloc_free(void **state)
{
    (void)state;
    struct hyp_page_pool pool;
    size_t pages = 200; /* bitmap fits one page; 199 managed */
    uint8_t *mem = alloc_aligned(PAGE, pages * PAGE);
    void *got[199];

    memset(mem, 0xa5, pages * PAGE);
    T_EQ(hyp_page_pool_init(&pool, mem, pages * PAGE), HYP_OK);
    T_EQ(hyp_page_pool_total(&pool), 199);
    T_EQ(hyp_page_pool_free_count(&pool), 199);
    for (size_t i = 0; i < 199; i++) {
        got[i] = hyp_page_pool_alloc(&pool);
        T_ASSERT(got[i] != NULL);
        T_EQ((uintptr_t)got[i] % PAGE, 0);
        T_ASSERT((uint8_t *)got[i] >= mem + PAGE &&
                 (uint8_t *)got[i] < mem + pages * PAGE);
        for (size_t b = 0; b < PAGE; b++)
            T_EQ(((uint8_t *)got[i])[b], 0);
        memset(got[i], 0xff, PAGE);
        for (size_t j = 0; j < i; j++)
            T_ASSERT(got[j] != got[i]);
    }
    T_EQ(hyp_page_pool_used(&pool), 199);
    T_EQ(hyp_page_pool_free_count(&pool), 0);
    T_ASSERT(hyp_page_pool_alloc(&pool) == NULL);
    T_ASSERT(hyp_page_pool_alloc_contig(&pool, 2) == NULL);
    T_EQ(hyp_page_pool_high_water(&pool), 199);

    /* errors leave the pool unchanged */
    T_EQ(hyp_page_pool_free(&pool, mem), HYP_EINVAL);                   /* bitmap */
    T_EQ(hyp_page_pool_free(&pool, (uint8_t *)got[3] + 8), HYP_EINVAL); /* misaligned */
    T_EQ(hyp_page_pool_free(&pool, mem + pages * PAGE), HYP_EINVAL);    /* past end */
    T_EQ(hyp_page_pool_free_contig(&pool, got[0], 0), HYP_EINVAL);
    T_EQ(hyp_page_pool_free_contig(&pool, got[198], 2), HYP_EINVAL);
    T_EQ(hyp_page_pool_used(&pool), 199);

    T_EQ(hyp_page_pool_free(&pool, got[100]), HYP_OK);
    T_EQ(hyp_page_pool_free(&pool, got[100]), HYP_EINVAL); /* double free */
    T_EQ(hyp_page_pool_used(&pool), 198);
    void *again = hyp_page_pool_alloc(&pool);
    T_ASSERT(again == got[100]);
    for (size_t b = 0; b < PAGE; b++)
        T_EQ(((uint8_t *)again)[b], 0); /* zeroed again */
    for (size_t i = 0; i < 199; i++)
        T_EQ(hyp_page_pool_free(&pool, got[i]), HYP_OK);
    T_EQ(hyp_page_pool_used(&pool), 0);
    T_EQ(hyp_page_pool_high_water(&pool), 199);
    free(mem);
}

static void test_pool_contig(void **state)
{
    (void)state;
    struct hyp_page_pool pool;
    const size_t max = HYP_PAGE_POOL_MAX_CONTIG;
    size_t pages = 2 * max + 2;
    uint8_t *mem = alloc_aligned(64 * KiB, pages * PAGE);

    T_EQ(hyp_page_pool_init(&pool, mem, pages * PAGE), HYP_OK);
    T_ASSERT(hyp_page_pool_alloc_contig(&pool, 0) == NULL);
    T_ASSERT(hyp_page_pool_alloc_contig(&pool, 3) == NULL);
    T_ASSERT(hyp_page_pool_alloc_contig(&pool, 2 * max) == NULL);
    void *one = hyp_page_pool_alloc(&pool); /* first page: breaks alignment */
    for (size_t count = 2; count <= HYP_PAGE_POOL_MAX_CONTIG; count *= 2) {
        uint8_t *p = hyp_page_pool_alloc_contig(&pool, count);
        T_ASSERT(p != NULL);
        T_EQ((uintptr_t)p % (count * PAGE), 0);
        for (size_t b = 0; b < count * PAGE; b++)
            T_EQ(p[b], 0);
        size_t used = hyp_page_pool_used(&pool);
        T_EQ(hyp_page_pool_free_contig(&pool, p, count), HYP_OK);
        T_EQ(hyp_page_pool_used(&pool), used - count);
    }
    /* 2 * max + 1 managed pages after the bitmap's page, 64 KiB aligned:
     * they hold only one aligned run of max pages, so a second is refused */
    uint8_t *a = hyp_page_pool_alloc_contig(&pool, max);
    T_ASSERT(a != NULL);
    T_ASSERT(hyp_page_pool_alloc_contig(&pool, max) == NULL);
    T_EQ(hyp_page_pool_free_contig(&pool, a, max), HYP_OK);
    T_EQ(hyp_page_pool_free(&pool, one), HYP_OK);
    T_EQ(hyp_page_pool_high_water(&pool), max + 1);
    free(mem);
}

/* ===================================================================== */
/* Geometry and control registers                                         */
/* ===================================================================== */

static void test_geometry(void **state)
{
    (void)state;
    unsigned sl, pages;

    for (unsigned ia = 32; ia <= 48; ia++) {
        T_EQ(hyp_pgtable_geometry(HYP_PGTABLE_S2, ia, &sl, &pages), HYP_OK);
        if (ia <= 39) {
            T_EQ(sl, 1);
            T_EQ(pages, 1);
        } else if (ia <= 43) {
            T_EQ(sl, 1);
            T_EQ(pages, 1u << (ia - 39)); /* 40: 2, 41: 4, 42: 8, 43: 16 */
        } else {
            T_EQ(sl, 0);
            T_EQ(pages, 1);
        }
        T_EQ(hyp_pgtable_geometry(HYP_PGTABLE_EL2_S1, ia, &sl, &pages), HYP_OK);
        T_EQ(sl, ia <= 39 ? 1 : 0);
        T_EQ(pages, 1);
    }
    T_EQ(hyp_pgtable_geometry(HYP_PGTABLE_S2, 31, &sl, &pages), HYP_EINVAL);
    T_EQ(hyp_pgtable_geometry(HYP_PGTABLE_S2, 49, &sl, &pages), HYP_EINVAL);
    T_EQ(hyp_pgtable_geometry((enum hyp_pgtable_format)7, 40, &sl, &pages), HYP_EINVAL);
    T_EQ(hyp_pgtable_geometry(HYP_PGTABLE_S2, 40, NULL, &pages), HYP_EINVAL);
    T_EQ(hyp_pgtable_geometry(HYP_PGTABLE_S2, 40, &sl, NULL), HYP_EINVAL);
}

static void test_vtcr(void **state)
{
    (void)state;
    uint64_t v;
    const uint64_t common = (1ull << 31) | (3ull << 12) | (1ull << 10) | (1ull << 8);

    /* 40-bit IPA, 40-bit PA: T0SZ 24, SL0 1 (level 1), PS 2 */
    T_EQ(hyp_pgtable_vtcr(40, 40, &v), HYP_OK);
    T_EQ(v, common | (2ull << 16) | (1ull << 6) | 24);
    /* 32-bit IPA: T0SZ 32, SL0 1, PS 0 */
    T_EQ(hyp_pgtable_vtcr(32, 32, &v), HYP_OK);
    T_EQ(v, common | (0ull << 16) | (1ull << 6) | 32);
    /* 43-bit IPA: level 1 with 16 pages */
    T_EQ(hyp_pgtable_vtcr(43, 44, &v), HYP_OK);
    T_EQ(v, common | (4ull << 16) | (1ull << 6) | 21);
    /* 44-bit IPA: level 0, SL0 2 */
    T_EQ(hyp_pgtable_vtcr(44, 44, &v), HYP_OK);
    T_EQ(v, common | (4ull << 16) | (2ull << 6) | 20);
    /* 48-bit IPA */
    T_EQ(hyp_pgtable_vtcr(48, 48, &v), HYP_OK);
    T_EQ(v, common | (5ull << 16) | (2ull << 6) | 16);
    T_EQ(hyp_pgtable_vtcr(36, 36, &v), HYP_OK);
    T_EQ(v, common | (1ull << 16) | (1ull << 6) | 28);
    T_EQ(hyp_pgtable_vtcr(42, 42, &v), HYP_OK);
    T_EQ(v, common | (3ull << 16) | (1ull << 6) | 22);

    T_EQ(hyp_pgtable_vtcr(40, 36, &v), HYP_EINVAL); /* IPA wider than PA */
    T_EQ(hyp_pgtable_vtcr(40, 52, &v), HYP_EINVAL); /* no FEAT_LPA */
    T_EQ(hyp_pgtable_vtcr(40, 41, &v), HYP_EINVAL);
    T_EQ(hyp_pgtable_vtcr(31, 40, &v), HYP_EINVAL);
    T_EQ(hyp_pgtable_vtcr(49, 48, &v), HYP_EINVAL);
    T_EQ(hyp_pgtable_vtcr(40, 40, NULL), HYP_EINVAL);
    T_EQ(HYP_VTCR_EL2_VS, 1ull << 19);
}

static void test_tcr_mair(void **state)
{
    (void)state;
    uint64_t v;
    const uint64_t common =
        (1ull << 31) | (1ull << 23) | (3ull << 12) | (1ull << 10) | (1ull << 8);

    T_EQ(hyp_pgtable_tcr_el2(48, 48, &v), HYP_OK);
    T_EQ(v, common | (5ull << 16) | 16);
    T_EQ(hyp_pgtable_tcr_el2(39, 40, &v), HYP_OK);
    T_EQ(v, common | (2ull << 16) | 25);
    T_EQ(hyp_pgtable_tcr_el2(32, 44, &v), HYP_OK); /* VA may exceed nothing */
    T_EQ(v, common | (4ull << 16) | 32);
    T_EQ(hyp_pgtable_tcr_el2(48, 32, &v), HYP_OK); /* VA size is independent of PS */
    T_EQ(v, common | 16);
    T_EQ(hyp_pgtable_tcr_el2(31, 48, &v), HYP_EINVAL);
    T_EQ(hyp_pgtable_tcr_el2(49, 48, &v), HYP_EINVAL);
    T_EQ(hyp_pgtable_tcr_el2(48, 33, &v), HYP_EINVAL);
    T_EQ(hyp_pgtable_tcr_el2(48, 48, NULL), HYP_EINVAL);

    /* Attr0 Normal WB RA WA, Attr1 Device-nGnRE, Attr2 nGnRnE, Attr3 NC */
    T_EQ(HYP_PGTABLE_MAIR_EL2, 0x440004ffull);
    T_EQ((HYP_PGTABLE_MAIR_EL2 >> (8 * HYP_MAIR_IDX_NORMAL)) & 0xff, 0xff);
    T_EQ((HYP_PGTABLE_MAIR_EL2 >> (8 * HYP_MAIR_IDX_DEVICE)) & 0xff, 0x04);
}

/* ===================================================================== */
/* Init, destroy, allocator ops                                            */
/* ===================================================================== */

static void test_init_errors(void **state)
{
    (void)state;
    struct test_mm mm;
    struct hyp_pgtable pt;
    struct hyp_pgtable_mm_ops no_free = {.alloc_pages = tmm_alloc};
    struct hyp_pgtable_mm_ops no_alloc = {.free_pages = tmm_free};
    struct hyp_pgtable_config cfg = {
        .format = HYP_PGTABLE_S2,
        .ia_bits = 40,
        .pa_bits = 40,
        .mm = &tmm_ops,
    };

    tmm_init(&mm, 1 * MiB);
    cfg.mm_ctx = &mm;
    T_EQ(hyp_pgtable_init(NULL, &cfg), HYP_EINVAL);
    T_EQ(hyp_pgtable_init(&pt, NULL), HYP_EINVAL);
    cfg.mm = NULL;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EINVAL);
    cfg.mm = &no_free;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EINVAL);
    cfg.mm = &no_alloc;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EINVAL);
    cfg.mm = &tmm_ops;
    cfg.ia_bits = 31;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EINVAL);
    cfg.ia_bits = 49;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EINVAL);
    cfg.ia_bits = 40;
    cfg.pa_bits = 39;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EINVAL);
    cfg.pa_bits = 36; /* stage 2: IPA wider than PA */
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EINVAL);
    cfg.format = HYP_PGTABLE_EL2_S1; /* fine for EL2 VAs */
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_OK);
    hyp_pgtable_destroy(&pt);
    hyp_pgtable_destroy(&pt); /* twice is harmless */
    hyp_pgtable_destroy(NULL);
    cfg.format = (enum hyp_pgtable_format)5;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EINVAL);
    T_EQ(mm.alloc_calls, 1);

    /* root allocation failure: concatenated 16-page root */
    cfg.format = HYP_PGTABLE_S2;
    cfg.ia_bits = 43;
    cfg.pa_bits = 44;
    mm.budget = 0;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_ENOMEM);
    mm.budget = -1;
    /* a misaligned concatenated root is refused and freed */
    mm.misalign = 1;
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_EALIGN);
    T_EQ(mm.live_pages, 0);
    T_EQ(hyp_page_pool_used(&mm.pool), 0);
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&pt), 16);
    T_EQ(hyp_pgtable_root(&pt).val % (16 * PAGE), 0);
    hyp_pgtable_destroy(&pt);
    tmm_fini(&mm);
}

static void test_root_and_vttbr(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 40, 40, 0x1234);
    uint64_t root = hyp_pgtable_root(&e->pt).val;

    T_EQ(root % (2 * PAGE), 0);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    T_EQ(hyp_pgtable_vttbr(&e->pt), root | (0x1234ull << 48));
    T_EQ(e->mm.alloc_calls, 1);
    env_free(e);

    e = env_new(HYP_PGTABLE_EL2_S1, 48, 48, 77);
    T_EQ(hyp_pgtable_vttbr(&e->pt), hyp_pgtable_root(&e->pt).val); /* no VMID */
    env_free(e);
}

static void test_destroy_frees_everything(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 48, 48, 9);

    T_EQ(map(e, 0, 4 * PAGE, 0x100000, HYP_PROT_RW), HYP_OK);
    T_EQ(map(e, 5 * GiB + 12 * KiB, 3 * MiB, 0x7000, HYP_PROT_RW), HYP_OK);
    T_EQ(map(e, 200 * TiB, GiB, 0, HYP_PROT_R), HYP_OK);
    T_EQ(map(e, (1ull << 48) - PAGE, PAGE, 0, HYP_PROT_R), HYP_OK);
    T_ASSERT(hyp_pgtable_page_count(&e->pt) > 8);
    T_EQ(e->mm.live_pages, hyp_pgtable_page_count(&e->pt));
    fake_arch_reset();
    hyp_pgtable_destroy(&e->pt);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 1);
    T_EQ(fake_arch_log(0)->vmid, 9);
    T_EQ(e->mm.live_pages, 0);
    T_EQ(hyp_page_pool_used(&e->mm.pool), 0);
    env_free(e);

    e = env_new(HYP_PGTABLE_EL2_S1, 39, 40, 0);
    T_EQ(map(e, 0, 4 * PAGE, 0x100000, HYP_PROT_RW), HYP_OK);
    fake_arch_reset();
    hyp_pgtable_destroy(&e->pt);
    T_EQ(fake_arch_count(FAKE_TLBI_EL2_ALL), 1);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 0);
    env_free(e);
}

static void test_pool_ops_and_translation(void **state)
{
    (void)state;
    /* the shipped pool ops */
    struct hyp_page_pool pool;
    struct hyp_pgtable pt;
    size_t bytes = 1 * MiB;
    void *mem = alloc_aligned(64 * KiB, bytes);
    T_EQ(hyp_page_pool_init(&pool, mem, bytes), HYP_OK);
    struct hyp_pgtable_config cfg = {
        .format = HYP_PGTABLE_S2,
        .ia_bits = 42,
        .pa_bits = 42,
        .vmid = 3,
        .mm = &hyp_pgtable_page_pool_ops,
        .mm_ctx = &pool,
    };
    T_EQ(hyp_pgtable_init(&pt, &cfg), HYP_OK);
    T_EQ(hyp_page_pool_used(&pool), 8);
    T_EQ(hyp_pgtable_map(&pt, hyp_ia(3 * TiB + 2 * MiB), 8 * KiB, hyp_pa(0x5000),
                         HYP_PROT_RW),
         HYP_OK);
    T_EQ(hyp_page_pool_used(&pool), 10);
    T_EQ(hyp_pgtable_unmap(&pt, hyp_ia(3 * TiB + 2 * MiB), 8 * KiB), HYP_OK);
    T_EQ(hyp_page_pool_used(&pool), 8);
    hyp_pgtable_destroy(&pt);
    T_EQ(hyp_page_pool_used(&pool), 0);
    T_EQ(hyp_page_pool_high_water(&pool), 10);
    free(mem);

    /* an allocator whose physical addresses differ from pointers */
    struct env *e = env_new_ops(HYP_PGTABLE_S2, 48, 48, 1, 1 * MiB, &tmm_translating_ops);
    uint64_t root = hyp_pgtable_root(&e->pt).val;
    T_ASSERT(root >= FAKE_PA_BASE && root < FAKE_PA_BASE + MiB);
    T_EQ(map(e, 7 * TiB + 4 * PAGE, PAGE, 0x9000, HYP_PROT_R), HYP_OK);
    expect_map(e, 7 * TiB + 4 * PAGE + 5, 0x9005, HYP_PROT_R, 3);
    struct shape s;
    T_EQ(check_shape(&e->pt, 0, 1ull << 48, &s), 3);
    /* table descriptors hold the translated addresses */
    struct leaf_capture c = {0};
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(7 * TiB), PAGE, HYP_PGTABLE_VISIT_TABLE_PRE,
                          capture_leaf, &c),
         0);
    T_EQ(c.n, 3);
    T_ASSERT(c.v.pa.val >= FAKE_PA_BASE && c.v.pa.val < FAKE_PA_BASE + MiB);
    T_EQ(unmap(e, 7 * TiB + 4 * PAGE, PAGE), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 1);
    env_free(e);
}

/* ===================================================================== */
/* Attribute encodings                                                     */
/* ===================================================================== */

static void test_s2_encoding(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 40, 48, 1);
    uint64_t pa = 0xabcdef000ull;

    for (unsigned prot = 0; prot < 16; prot++) {
        uint64_t ia = (uint64_t)prot * 2 * MiB + 3 * PAGE;
        int ret = map(e, ia, PAGE, pa, prot);
        if ((prot & HYP_PROT_X) && (prot & HYP_PROT_DEVICE)) {
            T_EQ(ret, HYP_EPERM);
            continue;
        }
        T_EQ(ret, HYP_OK);
        uint64_t expect = pa | 3 /* page */ | D_AF | D_SH_IS;
        expect |= (prot & HYP_PROT_DEVICE) ? (0x1ull << 2) : (0xfull << 2); /* MemAttr */
        expect |= (prot & HYP_PROT_R) ? (1ull << 6) : 0;                    /* S2AP[0] */
        expect |= (prot & HYP_PROT_W) ? (1ull << 7) : 0;                    /* S2AP[1] */
        expect |= (prot & HYP_PROT_X) ? 0 : (1ull << 54);                   /* XN */
        T_EQ(leaf_desc(e, ia), expect);
        expect_map(e, ia, pa, prot, 3);

        /* the same attributes in 2 MiB and 1 GiB blocks */
        uint64_t bia = 64 * GiB + prot * 2 * MiB;
        T_EQ(map(e, bia, 2 * MiB, 0x40000000ull + prot * 2 * MiB, prot), HYP_OK);
        T_EQ(leaf_desc(e, bia),
             (expect & D_ATTRS) | 1 | (0x40000000ull + prot * 2 * MiB));
        uint64_t gia = 128 * GiB + prot * GiB;
        T_EQ(map(e, gia, GiB, prot * GiB, prot), HYP_OK);
        T_EQ(leaf_desc(e, gia), (expect & D_ATTRS) | 1 | (prot * GiB));
        expect_map(e, gia + 5 * MiB, prot * GiB + 5 * MiB, prot, 1);
    }
    T_EQ(map(e, 0, PAGE, 0, 1u << 4), HYP_EINVAL);
    T_EQ(map(e, 0, PAGE, 0, ~0u), HYP_EINVAL);
    T_EQ(protect(e, 0, PAGE, HYP_PROT_X | HYP_PROT_DEVICE), HYP_EPERM);
    T_EQ(protect(e, 0, PAGE, 1u << 5), HYP_EINVAL);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 0);
    env_free(e);
}

static void test_el2_encoding(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_EL2_S1, 48, 48, 0);
    uint64_t pa = 0xfedcba000ull;

    for (unsigned prot = 0; prot < 16; prot++) {
        uint64_t va = (uint64_t)prot * 2 * MiB + 5 * PAGE;
        int ret = map(e, va, PAGE, pa, prot);
        if ((prot & HYP_PROT_X) && (prot & (HYP_PROT_DEVICE | HYP_PROT_W))) {
            T_EQ(ret, HYP_EPERM);
            continue;
        }
        if (!(prot & HYP_PROT_R)) {
            T_EQ(ret, HYP_EINVAL);
            continue;
        }
        T_EQ(ret, HYP_OK);
        uint64_t expect = pa | 3 | D_AF | D_SH_IS;
        expect |= (uint64_t)((prot & HYP_PROT_DEVICE) ? 1 : 0) << 2; /* AttrIndx */
        expect |= (prot & HYP_PROT_W) ? (1ull << 6) : (3ull << 6);   /* AP[2:1] */
        expect |= (prot & HYP_PROT_X) ? 0 : (1ull << 54);            /* XN */
        T_EQ(leaf_desc(e, va), expect);
        expect_map(e, va, pa, prot, 3);
        uint64_t bva = 64 * GiB + prot * GiB;
        T_EQ(map(e, bva, GiB, prot * GiB, prot), HYP_OK);
        T_EQ(leaf_desc(e, bva), (expect & D_ATTRS) | 1 | (prot * GiB));
    }
    T_EQ(protect(e, 0, PAGE, HYP_PROT_RWX), HYP_EPERM);
    T_EQ(protect(e, 0, PAGE, HYP_PROT_W), HYP_EINVAL);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_RANGE) + fake_arch_count(FAKE_TLBI_S2_ALL), 0);
    env_free(e);
}

/* ===================================================================== */
/* Ranges and their errors                                                 */
/* ===================================================================== */

static void test_range_errors(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 40, 40, 1);
    const uint64_t top = 1ull << 40;

    T_EQ(map(e, 0, 0, 0, HYP_PROT_R), HYP_EINVAL);
    T_EQ(map(e, 1, PAGE, 0, HYP_PROT_R), HYP_EALIGN);
    T_EQ(map(e, 0, PAGE + 1, 0, HYP_PROT_R), HYP_EALIGN);
    T_EQ(map(e, 0, PAGE, 0x800, HYP_PROT_R), HYP_EALIGN);
    T_EQ(map(e, top, PAGE, 0, HYP_PROT_R), HYP_ERANGE);
    T_EQ(map(e, top - PAGE, 2 * PAGE, 0, HYP_PROT_R), HYP_ERANGE);
    T_EQ(map(e, UINT64_MAX - PAGE + 1, 2 * PAGE, 0, HYP_PROT_R), HYP_ERANGE); /* wraps */
    T_EQ(map(e, 0, PAGE, top, HYP_PROT_R), HYP_ERANGE);                       /* PA */
    T_EQ(map(e, 0, 2 * PAGE, top - PAGE, HYP_PROT_R), HYP_ERANGE);
    T_EQ(map(e, 0, 2 * PAGE, UINT64_MAX - PAGE + 1, HYP_PROT_R), HYP_ERANGE);
    T_EQ(unmap(e, 0, 0), HYP_EINVAL);
    T_EQ(unmap(e, 0x10, PAGE), HYP_EALIGN);
    T_EQ(unmap(e, top - PAGE, 2 * PAGE), HYP_ERANGE);
    T_EQ(protect(e, 0, 0, HYP_PROT_R), HYP_EINVAL);
    T_EQ(protect(e, 0, 0x1800, HYP_PROT_R), HYP_EALIGN);
    T_EQ(protect(e, top, PAGE, HYP_PROT_R), HYP_ERANGE);
    T_EQ(hyp_pgtable_lookup(&e->pt, hyp_ia(top), NULL), HYP_ERANGE);
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(0), PAGE, HYP_PGTABLE_VISIT_LEAF, NULL, NULL),
         HYP_EINVAL);
    size_t n = 0;
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(0), 0, 1, count_leaf, &n), HYP_EINVAL);
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(8), PAGE, 1, count_leaf, &n), HYP_EALIGN);
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(top), PAGE, 1, count_leaf, &n), HYP_ERANGE);
    /* nothing was touched */
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    T_EQ(e->mm.alloc_calls, 1);
    T_EQ(fake_arch_log_count(), 0);
    env_free(e);
}

/* First and last page of every supported input size, both formats. */
static void test_range_edges(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < 2; fmt++) {
        for (unsigned ia = 32; ia <= 48; ia++) {
            unsigned pa_bits = ia <= 32   ? 32
                               : ia <= 36 ? 36
                               : ia <= 40 ? 40
                               : ia <= 42 ? 42
                               : ia <= 44 ? 44
                                          : 48;
            struct env *e = env_new((enum hyp_pgtable_format)fmt, ia, pa_bits, 2);
            uint64_t top = 1ull << ia;
            uint64_t pa_top = 1ull << pa_bits;
            T_EQ(map(e, 0, PAGE, pa_top - PAGE, HYP_PROT_R), HYP_OK);
            T_EQ(map(e, top - PAGE, PAGE, 0, HYP_PROT_RW), HYP_OK);
            expect_map(e, 0, pa_top - PAGE, HYP_PROT_R, 3);
            expect_map(e, top - 1, PAGE - 1, HYP_PROT_RW, 3);
            expect_unmapped(e, PAGE);
            expect_unmapped(e, top - 2 * PAGE);
            check_all_shape(e);
            T_EQ(unmap(e, 0, top), HYP_OK);
            T_EQ(hyp_pgtable_page_count(&e->pt), e->pt.root_pages);
            env_free(e);
        }
    }
}

/* The whole input space in one call. */
static void test_max_size(void **state)
{
    (void)state;
    unsigned cases[][2] = {{32, 32}, {39, 40}, {40, 40}, {43, 44}, {48, 48}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned ia = cases[i][0];
        struct env *e = env_new(HYP_PGTABLE_S2, ia, cases[i][1], 4);
        uint64_t top = 1ull << ia;
        T_EQ(map(e, 0, top, 0, HYP_PROT_RWX), HYP_OK);
        size_t blocks[4];
        struct shape s;
        check_shape(&e->pt, 0, top, &s);
        memcpy(blocks, s.leaves_at, sizeof(blocks));
        T_EQ(blocks[1], top / GiB);
        T_EQ(blocks[2] + blocks[3], 0);
        /* level 1 tables under a level-0 root: one per 512 GiB */
        size_t l1_tables = e->pt.start_level == 0 ? (size_t)(top >> 39) : 0;
        T_EQ(hyp_pgtable_page_count(&e->pt), e->pt.root_pages + l1_tables);
        expect_map(e, top - 1, top - 1, HYP_PROT_RWX, 1);
        T_EQ(protect(e, 0, top, HYP_PROT_R), HYP_OK);
        expect_map(e, top / 2, top / 2, HYP_PROT_R, 1);
        T_EQ(unmap(e, 0, top), HYP_OK);
        T_EQ(hyp_pgtable_page_count(&e->pt), e->pt.root_pages);
        T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 0);
        env_free(e);
    }
}

/* ===================================================================== */
/* Blocks, splitting, merging                                              */
/* ===================================================================== */

/* Canonical decomposition: biggest aligned leaf that fits, left to right. */
static void greedy_levels(uint64_t ia, uint64_t pa, uint64_t size, size_t counts[4])
{
    memset(counts, 0, 4 * sizeof(size_t));
    while (size != 0) {
        for (unsigned l = 1; l <= 3; l++) {
            uint64_t bs = level_size(l);
            if (ia % bs == 0 && pa % bs == 0 && size >= bs) {
                counts[l]++;
                ia += bs;
                pa += bs;
                size -= bs;
                break;
            }
        }
    }
}

static void test_block_alignment(void **state)
{
    (void)state;
    const uint64_t ia_offs[] = {0,          PAGE,         2 * MiB, 2 * MiB + PAGE,
                                GiB - PAGE, GiB - 2 * MiB};
    const uint64_t pa_offs[] = {0, PAGE, 2 * MiB, 6 * MiB + 3 * PAGE, GiB - 2 * MiB};
    const uint64_t sizes[] = {PAGE,
                              2 * MiB,
                              2 * MiB + PAGE,
                              4 * MiB - PAGE,
                              GiB,
                              GiB + 2 * MiB,
                              2 * GiB + 6 * MiB + 2 * PAGE};

    for (size_t i = 0; i < sizeof(ia_offs) / sizeof(ia_offs[0]); i++) {
        for (size_t j = 0; j < sizeof(pa_offs) / sizeof(pa_offs[0]); j++) {
            for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
                struct env *e = env_new(HYP_PGTABLE_S2, 40, 40, 1);
                uint64_t ia = 8 * GiB + ia_offs[i];
                uint64_t pa = 16 * GiB + pa_offs[j];
                uint64_t size = sizes[k];
                snprintf(g_ctx, sizeof(g_ctx), "ia=%#llx pa=%#llx size=%#llx",
                         (unsigned long long)ia, (unsigned long long)pa,
                         (unsigned long long)size);
                T_EQ(map(e, ia, size, pa, HYP_PROT_RW), HYP_OK);
                size_t want[4], got[4];
                greedy_levels(ia, pa, size, want);
                struct shape s;
                check_shape(&e->pt, 0, 1ull << 40, &s);
                memcpy(got, s.leaves_at, sizeof(got));
                for (unsigned l = 1; l <= 3; l++)
                    T_EQ(got[l], want[l]);
                check_all_shape(e);
                expect_map(e, ia, pa, HYP_PROT_RW, 0);
                expect_map(e, ia + size - 1, pa + size - 1, HYP_PROT_RW, 0);
                expect_unmapped(e, ia - PAGE);
                expect_unmapped(e, ia + size);
                /* the map reserved the pages it kept and at most two more
                 * per level (the counting pass's bound); the rest went back */
                size_t kept = 1 + hyp_pgtable_page_count(&e->pt) - 2;
                T_ASSERT(e->mm.alloc_calls >= kept);
                T_ASSERT(e->mm.alloc_calls <= kept + 6);
                T_EQ(e->mm.live_pages, hyp_pgtable_page_count(&e->pt));
                env_free(e);
            }
        }
    }
    g_ctx[0] = 0;
}

/* Unmap / protect / remap one page in a 1 GiB block, then restore it. */
static void test_split_and_merge(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 40, 40, 5);
    const uint64_t ia = 3 * GiB, pa = 7 * GiB;
    const uint64_t hole = ia + 300 * MiB + 5 * PAGE;

    T_EQ(map(e, ia, GiB, pa, HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);

    /* unmap: block -> L2 table of blocks + one L3 table */
    fake_arch_reset();
    T_EQ(unmap(e, hole, PAGE), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 4);
    expect_unmapped(e, hole);
    expect_map(e, hole - PAGE, pa + (hole - PAGE - ia), HYP_PROT_RW, 3);
    expect_map(e, hole + PAGE, pa + (hole + PAGE - ia), HYP_PROT_RW, 3);
    expect_map(e, ia, pa, HYP_PROT_RW, 2);
    expect_map(e, ia + GiB - 1, pa + GiB - 1, HYP_PROT_RW, 2);
    T_EQ(leaf_count(&e->pt, ia, GiB), 511 + 511);
    /* one break of the 1 GiB block, nothing else */
    T_EQ(fake_arch_count(FAKE_TLBI_S2_RANGE), 1);
    T_EQ(fake_arch_log(0)->op, FAKE_TLBI_S2_RANGE);
    T_EQ(fake_arch_log(0)->addr, ia);
    T_EQ(fake_arch_log(0)->size, GiB);
    T_EQ(fake_arch_log(0)->level, 1);
    T_EQ(fake_arch_log(0)->vmid, 5);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 0);
    check_all_shape(e);

    /* remapping the hole with the block's output address merges back */
    fake_arch_reset();
    T_EQ(map(e, hole, PAGE, pa + (hole - ia), HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    expect_map(e, hole, pa + (hole - ia), HYP_PROT_RW, 1);
    check_all_shape(e);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 0);

    /* a different output address does not merge */
    T_EQ(map(e, hole, PAGE, 0x1000, HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 4);
    expect_map(e, hole, 0x1000, HYP_PROT_RW, 3);
    T_EQ(map(e, hole, PAGE, pa + (hole - ia), HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);

    /* protect a sub-range, then protect it back */
    T_EQ(protect(e, hole, 5 * MiB, HYP_PROT_R), HYP_OK);
    expect_map(e, hole, pa + (hole - ia), HYP_PROT_R, 3);
    expect_map(e, ia + 302 * MiB, pa + 302 * MiB, HYP_PROT_R, 2);
    expect_map(e, hole + 5 * MiB - 1, pa + (hole + 5 * MiB - 1 - ia), HYP_PROT_R, 3);
    expect_map(e, hole + 5 * MiB, pa + (hole + 5 * MiB - ia), HYP_PROT_RW, 3);
    expect_map(e, hole - 1, pa + (hole - 1 - ia), HYP_PROT_RW, 3);
    check_all_shape(e);
    T_EQ(protect(e, ia, GiB, HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    expect_map(e, hole, pa + (hole - ia), HYP_PROT_RW, 1);

    /* protect with the same permissions does not split or invalidate */
    fake_arch_reset();
    T_EQ(protect(e, hole, PAGE, HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    T_EQ(fake_arch_log_count(), 0);
    /* nor does mapping part of a block the way it is already mapped */
    T_EQ(map(e, hole, 5 * MiB, pa + (hole - ia), HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    T_EQ(fake_arch_log_count(), 0);
    /* nor does re-mapping a whole block identically */
    T_EQ(map(e, ia, GiB, pa, HYP_PROT_RW), HYP_OK);
    T_EQ(fake_arch_log_count(), 0);

    /* protect of holes is fine and keeps them unmapped */
    T_EQ(protect(e, ia + GiB, 4 * GiB, HYP_PROT_R), HYP_OK);
    expect_unmapped(e, ia + GiB);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);

    /* map a 2 MiB region page by page: merges into a block on the last one */
    for (uint64_t off = 0; off < 2 * MiB; off += PAGE)
        T_EQ(map(e, 20 * GiB + off, PAGE, 40 * GiB + off, HYP_PROT_RX), HYP_OK);
    expect_map(e, 20 * GiB, 40 * GiB, HYP_PROT_RX, 2);
    T_EQ(hyp_pgtable_page_count(&e->pt), 3);
    /* ... and 512 of those blocks merge into a 1 GiB block */
    T_EQ(map(e, 20 * GiB + 2 * MiB, GiB - 2 * MiB, 40 * GiB + 2 * MiB, HYP_PROT_RX),
         HYP_OK);
    expect_map(e, 20 * GiB, 40 * GiB, HYP_PROT_RX, 1);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    check_all_shape(e);

    /* unmap both ends of a 3 GiB run of blocks */
    T_EQ(map(e, 30 * GiB, 3 * GiB, 60 * GiB, HYP_PROT_RW), HYP_OK);
    T_EQ(unmap(e, 31 * GiB - PAGE, GiB + 2 * PAGE), HYP_OK);
    expect_unmapped(e, 31 * GiB - PAGE);
    expect_unmapped(e, 32 * GiB);
    expect_map(e, 31 * GiB - 2 * PAGE, 61 * GiB - 2 * PAGE, HYP_PROT_RW, 3);
    expect_map(e, 32 * GiB + PAGE, 62 * GiB + PAGE, HYP_PROT_RW, 3);
    expect_map(e, 30 * GiB, 60 * GiB, HYP_PROT_RW, 2);
    check_all_shape(e);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 0);
    env_free(e);
}

/* Replacing a table by a block, and freeing tables that become empty. */
static void test_replace_and_free(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 48, 48, 5);

    T_EQ(map(e, 5 * GiB + 3 * PAGE, PAGE, 0x3000, HYP_PROT_R), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 4);
    T_EQ(unmap(e, 5 * GiB + 3 * PAGE, PAGE), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 1);
    T_EQ(e->mm.live_pages, 1);

    /* map over scattered pages with a 1 GiB block: the subtree goes */
    for (int i = 0; i < 10; i++)
        T_EQ(map(e, 5 * GiB + (uint64_t)i * 77 * MiB, PAGE, (uint64_t)(i + 1) * 3 * PAGE,
                 HYP_PROT_R),
             HYP_OK);
    T_ASSERT(hyp_pgtable_page_count(&e->pt) > 10);
    fake_arch_reset();
    T_EQ(map(e, 5 * GiB, GiB, 9 * GiB, HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    expect_map(e, 5 * GiB + 77 * MiB, 9 * GiB + 77 * MiB, HYP_PROT_RW, 1);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_RANGE), 1);
    T_EQ(fake_arch_log(0)->size, GiB);
    T_EQ(fake_arch_log(0)->level, 0); /* a table was replaced */
    check_all_shape(e);

    /* unmapping a whole table range frees its subtree in one go */
    T_EQ(map(e, 600 * GiB + PAGE, 5 * PAGE, 0x10000, HYP_PROT_R), HYP_OK);
    T_EQ(map(e, 600 * GiB + 3 * MiB, 5 * PAGE, 0x20000, HYP_PROT_R), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2 + 4);
    fake_arch_reset();
    T_EQ(unmap(e, 512 * GiB, 512 * GiB), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), 2);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_RANGE), 1);
    T_EQ(fake_arch_log(0)->addr, 512 * GiB);
    T_EQ(fake_arch_log(0)->size, 512 * GiB);
    expect_map(e, 5 * GiB, 9 * GiB, HYP_PROT_RW, 1);
    check_all_shape(e);
    env_free(e);
}

/* ===================================================================== */
/* Break-before-make and TLB maintenance                                   */
/* ===================================================================== */

static void test_bbm_single_page(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 40, 40, 42);
    const uint64_t ia = 10 * GiB + 6 * PAGE;

    /* a new mapping with new tables: the new tables are published (sync)
     * before the root entry pointing to them is written, then synced */
    T_EQ(map(e, ia, PAGE, 0x5000, HYP_PROT_RW), HYP_OK);
    T_EQ(fake_arch_log_count(), 2);
    T_EQ(fake_arch_log(0)->op, FAKE_PTE_SYNC);
    T_EQ(fake_arch_log(1)->op, FAKE_PTE_SYNC);

    /* a new mapping in an existing table: one sync */
    fake_arch_reset();
    T_EQ(map(e, ia + PAGE, PAGE, 0x8000, HYP_PROT_RW), HYP_OK);
    T_EQ(fake_arch_log_count(), 1);
    T_EQ(fake_arch_log(0)->op, FAKE_PTE_SYNC);

    /* changing a live page: break, invalidate that page, make, sync */
    fake_arch_reset();
    T_EQ(map(e, ia, PAGE, 0x9000, HYP_PROT_R), HYP_OK);
    T_EQ(fake_arch_log_count(), 2);
    T_EQ(fake_arch_log(0)->op, FAKE_TLBI_S2_RANGE);
    T_EQ(fake_arch_log(0)->vmid, 42);
    T_EQ(fake_arch_log(0)->addr, ia);
    T_EQ(fake_arch_log(0)->size, PAGE);
    T_EQ(fake_arch_log(0)->level, 3);
    T_EQ(fake_arch_log(1)->op, FAKE_PTE_SYNC);
    expect_map(e, ia, 0x9000, HYP_PROT_R, 3);

    fake_arch_reset();
    T_EQ(protect(e, ia, PAGE, HYP_PROT_RWX), HYP_OK);
    T_EQ(fake_arch_log_count(), 2);
    T_EQ(fake_arch_log(0)->op, FAKE_TLBI_S2_RANGE);
    T_EQ(fake_arch_log(0)->size, PAGE);
    expect_map(e, ia, 0x9000, HYP_PROT_RWX, 3);

    /* unmapping one page of two: invalidation, no sync needed */
    fake_arch_reset();
    T_EQ(unmap(e, ia, PAGE), HYP_OK);
    T_EQ(fake_arch_log_count(), 1);
    T_EQ(fake_arch_log(0)->op, FAKE_TLBI_S2_RANGE);
    T_EQ(fake_arch_log(0)->size, PAGE);
    T_EQ(fake_arch_log(0)->level, 3);

    /* unmapping an unmapped page: nothing at all */
    fake_arch_reset();
    T_EQ(unmap(e, ia, PAGE), HYP_OK);
    T_EQ(fake_arch_log_count(), 0);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 0);
    env_free(e);

    /* EL2 tables use the EL2 invalidation */
    e = env_new(HYP_PGTABLE_EL2_S1, 48, 48, 0);
    T_EQ(map(e, ia, PAGE, 0x5000, HYP_PROT_RW), HYP_OK);
    fake_arch_reset();
    T_EQ(map(e, ia, PAGE, 0x6000, HYP_PROT_RW), HYP_OK);
    T_EQ(fake_arch_log_count(), 2);
    T_EQ(fake_arch_log(0)->op, FAKE_TLBI_EL2_RANGE);
    T_EQ(fake_arch_log(0)->addr, ia);
    T_EQ(fake_arch_log(0)->size, PAGE);
    T_EQ(fake_arch_log(0)->level, 3);
    T_EQ(fake_arch_count(FAKE_TLBI_EL2_ALL), 0);
    env_free(e);
}

/* Consecutive pages made invalid share one range invalidation. */
static void test_bbm_batched_unmap(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 40, 40, 7);
    const uint64_t base = 4 * GiB + 8 * MiB;

    T_EQ(map(e, base + 100 * PAGE, PAGE, 0x100000, HYP_PROT_RW), HYP_OK); /* keeps L3 */
    for (int i = 0; i < 16; i++)
        T_EQ(map(e, base + (uint64_t)i * PAGE, PAGE, (uint64_t)(i * 2 + 1) * PAGE,
                 HYP_PROT_RW),
             HYP_OK);
    fake_arch_reset();
    T_EQ(unmap(e, base, 16 * PAGE), HYP_OK);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_RANGE), 1);
    T_EQ(fake_arch_log(0)->addr, base);
    T_EQ(fake_arch_log(0)->size, 16 * PAGE);
    T_EQ(fake_arch_log(0)->level, 3);
    expect_map(e, base + 100 * PAGE, 0x100000, HYP_PROT_RW, 3);
    T_EQ(unmap(e, base + 100 * PAGE, PAGE), HYP_OK);

    /* pages in 40 different L3 tables of one L2 table: the tables are freed
     * after invalidation, in several batches */
    T_EQ(map(e, base - 4 * MiB, PAGE, 0x100000, HYP_PROT_RW), HYP_OK);
    size_t before = hyp_pgtable_page_count(&e->pt);
    for (int i = 0; i < 40; i++)
        T_EQ(map(e, base + (uint64_t)i * 2 * MiB + 7 * PAGE, PAGE, 0x3000, HYP_PROT_RW),
             HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), before + 40);
    fake_arch_reset();
    T_EQ(unmap(e, base, 80 * MiB), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), before);
    T_EQ(e->mm.live_pages, before);
    T_ASSERT(fake_arch_count(FAKE_TLBI_S2_RANGE) >= 2);
    T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL), 0);
    check_all_shape(e);
    env_free(e);
}

/* ===================================================================== */
/* Running out of table memory at every allocation                        */
/* ===================================================================== */

struct oom_case {
    const char *name;
    enum hyp_pgtable_format fmt;
    unsigned ia;
    void (*setup)(struct env *e);
    int (*op)(struct env *e);
    void (*verify)(struct env *e);
    size_t pages; /* allocations the op needs */
};

static void setup_none(struct env *e)
{
    (void)e;
}

static int op_map_page_high(struct env *e)
{
    return map(e, 0xfedcba987000ull, PAGE, 0x1000, HYP_PROT_R);
}

static void verify_map_page_high(struct env *e)
{
    expect_map(e, 0xfedcba987000ull, 0x1000, HYP_PROT_R, 3);
}

static int op_map_misaligned(struct env *e)
{
    /* 4 KiB-aligned PA over a 1 GiB boundary: two L2 + four L3 tables */
    return map(e, 2 * GiB - 2 * MiB - PAGE, 4 * MiB + 2 * PAGE, 0x7000, HYP_PROT_RW);
}

static void verify_map_misaligned(struct env *e)
{
    expect_map(e, 2 * GiB - 2 * MiB - PAGE, 0x7000, HYP_PROT_RW, 3);
    expect_map(e, 2 * GiB + 2 * MiB, 0x7000 + 4 * MiB + PAGE, HYP_PROT_RW, 3);
}

static void setup_blocks(struct env *e)
{
    T_EQ(map(e, GiB, 2 * GiB, 5 * GiB, HYP_PROT_RW), HYP_OK);
    T_EQ(map(e, 3 * GiB + 2 * MiB, 2 * MiB, 0x7000, HYP_PROT_RW), HYP_OK);
    T_EQ(map(e, 4 * GiB, 4 * MiB, 8 * GiB, HYP_PROT_RW), HYP_OK);
}

static int op_unmap_middle(struct env *e)
{
    return unmap(e, GiB + 300 * MiB + PAGE, PAGE);
}

static void verify_unmap_middle(struct env *e)
{
    expect_unmapped(e, GiB + 300 * MiB + PAGE);
    expect_map(e, GiB + 300 * MiB, 5 * GiB + 300 * MiB, HYP_PROT_RW, 3);
}

static int op_protect_straddle(struct env *e)
{
    return protect(e, 2 * GiB - PAGE, 2 * PAGE, HYP_PROT_R);
}

static void verify_protect_straddle(struct env *e)
{
    expect_map(e, 2 * GiB - PAGE, 6 * GiB - PAGE, HYP_PROT_R, 3);
    expect_map(e, 2 * GiB, 6 * GiB, HYP_PROT_R, 3);
    expect_map(e, 2 * GiB + PAGE, 6 * GiB + PAGE, HYP_PROT_RW, 3);
}

static int op_map_over(struct env *e)
{
    return map(e, GiB + 5 * PAGE, 3 * GiB, 0x3000, HYP_PROT_RX);
}

static void verify_map_over(struct env *e)
{
    expect_map(e, GiB + 5 * PAGE, 0x3000, HYP_PROT_RX, 3);
    expect_map(e, 4 * GiB + 4 * PAGE, 0x3000 + 3 * GiB - PAGE, HYP_PROT_RX, 3);
    expect_map(e, 4 * GiB + 5 * PAGE, 8 * GiB + 5 * PAGE, HYP_PROT_RW, 3);
    expect_map(e, GiB, 5 * GiB, HYP_PROT_RW, 3);
}

static int op_unmap_ends(struct env *e)
{
    return unmap(e, GiB + PAGE, 3 * GiB + 2 * MiB);
}

static void verify_unmap_ends(struct env *e)
{
    expect_map(e, GiB, 5 * GiB, HYP_PROT_RW, 3);
    expect_unmapped(e, GiB + PAGE);
    expect_unmapped(e, 4 * GiB + 2 * MiB);
    expect_map(e, 4 * GiB + 2 * MiB + PAGE, 8 * GiB + 2 * MiB + PAGE, HYP_PROT_RW, 3);
}

static void run_oom_case(const struct oom_case *c)
{
    struct env *e = env_new_ops(c->fmt, c->ia, 48, 3, 16 * MiB, &tmm_ops);
    struct leafvec before = {0}, after = {0};
    size_t k;

    snprintf(g_ctx, sizeof(g_ctx), "oom case %s", c->name);
    c->setup(e);
    snapshot(&e->pt, 0, 1ull << c->ia, &before);
    size_t pages = hyp_pgtable_page_count(&e->pt);
    size_t pool_used = hyp_page_pool_used(&e->mm.pool);
    for (k = 0;; k++) {
        fake_arch_reset();
        e->mm.budget = (long)k;
        e->mm.alloc_calls = 0;
        int ret = c->op(e);
        e->mm.budget = -1;
        if (ret == HYP_ENOMEM) {
            /* the table is exactly as before, nothing leaked */
            T_EQ(e->mm.alloc_calls, k + 1);
            snapshot(&e->pt, 0, 1ull << c->ia, &after);
            expect_same_snapshot(&before, &after);
            T_EQ(hyp_pgtable_page_count(&e->pt), pages);
            T_EQ(hyp_page_pool_used(&e->mm.pool), pool_used);
            T_EQ(e->mm.live_pages, pages);
            T_EQ(fake_arch_log_count(), 0);
            T_ASSERT(k < 100000);
            continue;
        }
        T_EQ(ret, HYP_OK);
        /* the reservation was all the allocations; those not used went back */
        T_EQ(e->mm.alloc_calls, k);
        break;
    }
    /* it reserved the pages it needed and at most two more per level (the
     * counting pass's bound); those not kept went back */
    T_ASSERT(k >= c->pages && k <= c->pages + 6);
    T_EQ(e->mm.live_pages, hyp_pgtable_page_count(&e->pt));
    c->verify(e);
    check_all_shape(e);
    free(before.v);
    free(after.v);
    env_free(e);
    g_ctx[0] = 0;
}

static void test_oom_every_allocation(void **state)
{
    (void)state;
    const struct oom_case cases[] = {
        {"map high page", HYP_PGTABLE_S2, 48, setup_none, op_map_page_high,
         verify_map_page_high, 3},
        {"map high page el2", HYP_PGTABLE_EL2_S1, 48, setup_none, op_map_page_high,
         verify_map_page_high, 3},
        {"map misaligned", HYP_PGTABLE_S2, 40, setup_none, op_map_misaligned,
         verify_map_misaligned, 2 + 4},
        {"unmap middle", HYP_PGTABLE_S2, 40, setup_blocks, op_unmap_middle,
         verify_unmap_middle, 2},
        {"protect straddle", HYP_PGTABLE_S2, 40, setup_blocks, op_protect_straddle,
         verify_protect_straddle, 4},
        /* L2 tables for [1G, 2G), [2G, 3G), and the 3 KiB-offset PA makes every
         * 2 MiB of the 3 GiB range an L3 table */
        {"map over", HYP_PGTABLE_S2, 40, setup_blocks, op_map_over, verify_map_over,
         2 + 3 * 512 - 1 /* [3G,3G+4M) has an L2 table already */ + 1},
        {"unmap ends", HYP_PGTABLE_S2, 39, setup_blocks, op_unmap_ends, verify_unmap_ends,
         3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_oom_case(&cases[i]);
}

/* ===================================================================== */
/* Minimum table pages for large mappings                                  */
/* ===================================================================== */

/* Tables a mapping of [ia, ia + size) with leaves at `leaf_level` needs:
 * the root, plus at each level below the root one table per region of the
 * level above that the range touches. */
static size_t min_pages(const struct hyp_pgtable *pt, uint64_t ia, uint64_t size,
                        unsigned leaf_level)
{
    size_t n = pt->root_pages;
    for (unsigned l = pt->start_level + 1; l <= leaf_level; l++) {
        uint64_t span = level_size(l - 1);
        n += (size_t)((ia + size - 1) / span - ia / span + 1);
    }
    return n;
}

/* The same for the canonical (greedy) decomposition of a mapping, whose
 * leaves may be at several levels: a table at level l exists for every
 * level-(l-1) region holding a leaf at level l or deeper. */
static size_t min_pages_greedy(const struct hyp_pgtable *pt, uint64_t ia, uint64_t pa,
                               uint64_t size)
{
    size_t n = pt->root_pages;
    uint64_t last[4] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};

    while (size != 0) {
        unsigned leaf = 3;
        for (unsigned l = 1; l <= 3; l++) {
            uint64_t bs = level_size(l);
            if (ia % bs == 0 && pa % bs == 0 && size >= bs) {
                leaf = l;
                break;
            }
        }
        for (unsigned l = pt->start_level + 1; l <= leaf; l++) {
            uint64_t region = ia / level_size(l - 1);
            if (region != last[l]) {
                last[l] = region;
                n++;
            }
        }
        ia += level_size(leaf);
        pa += level_size(leaf);
        size -= level_size(leaf);
    }
    return n;
}

static void test_min_pages(void **state)
{
    (void)state;
    const uint64_t gib_counts[] = {1, 3, 4, 16, 512};
    const unsigned ias[] = {40, 48};

    for (size_t a = 0; a < 2; a++) {
        for (size_t i = 0; i < sizeof(gib_counts) / sizeof(gib_counts[0]); i++) {
            for (int pa_1g = 0; pa_1g < 2; pa_1g++) {
                for (int ia_off = 0; ia_off < 2; ia_off++) {
                    struct env *e = env_new(HYP_PGTABLE_S2, ias[a], 48, 1);
                    uint64_t n = gib_counts[i];
                    uint64_t ia = 256 * GiB + (ia_off ? 2 * MiB : 0);
                    /* output 1 GiB aligned or only 2 MiB aligned, relative to
                     * the input address */
                    uint64_t pa = (pa_1g ? 3 * GiB : 3 * GiB + 2 * MiB) + (ia % GiB);
                    uint64_t size = n * GiB;
                    snprintf(g_ctx, sizeof(g_ctx), "ia_bits=%u n=%llu pa_1g=%d ia_off=%d",
                             ias[a], (unsigned long long)n, pa_1g, ia_off);
                    T_EQ(map(e, ia, size, pa, HYP_PROT_RW), HYP_OK);
                    struct shape s;
                    check_shape(&e->pt, 0, 1ull << ias[a], &s);
                    if (pa_1g && !ia_off) {
                        T_EQ(s.leaves_at[1], n);
                        T_EQ(s.leaves_at[2], 0);
                        T_EQ(hyp_pgtable_page_count(&e->pt),
                             min_pages(&e->pt, ia, size, 1));
                    } else if (pa_1g) {
                        /* 2 MiB blocks up to the first 1 GiB boundary and
                         * after the last one, 1 GiB blocks in between */
                        T_EQ(s.leaves_at[1], n - 1);
                        T_EQ(s.leaves_at[2], 511 + 1);
                    } else {
                        T_EQ(s.leaves_at[1], 0);
                        T_EQ(s.leaves_at[2], n * 512);
                        T_EQ(hyp_pgtable_page_count(&e->pt),
                             min_pages(&e->pt, ia, size, 2));
                    }
                    T_EQ(s.leaves_at[3], 0);
                    T_EQ(hyp_pgtable_page_count(&e->pt),
                         min_pages_greedy(&e->pt, ia, pa, size));
                    T_EQ(e->mm.live_pages, hyp_pgtable_page_count(&e->pt));
                    expect_map(e, ia + size - 1, pa + size - 1, HYP_PROT_RW, 0);
                    env_free(e);
                }
            }
        }
    }
    /* 4 KiB-aligned output: one L3 table per 2 MiB */
    struct env *e = env_new(HYP_PGTABLE_S2, 40, 40, 1);
    T_EQ(map(e, 5 * GiB, GiB, 0x1000, HYP_PROT_RW), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), min_pages(&e->pt, 5 * GiB, GiB, 3));
    T_EQ(hyp_pgtable_page_count(&e->pt), 2 + 1 + 512);
    env_free(e);
    g_ctx[0] = 0;
}

/* ===================================================================== */
/* Lookup and walk                                                         */
/* ===================================================================== */

static int stop_at_third(const struct hyp_pgtable_visit *v, void *arg)
{
    (void)v;
    return ++*(int *)arg == 3 ? 42 : 0;
}

struct kinds_log {
    unsigned kinds[16];
    unsigned levels[16];
    int n;
};

static int log_kinds(const struct hyp_pgtable_visit *v, void *arg)
{
    struct kinds_log *k = arg;
    if (k->n < 16) {
        k->kinds[k->n] = v->kind;
        k->levels[k->n] = v->level;
    }
    k->n++;
    return 0;
}

static void test_walk_and_lookup(void **state)
{
    (void)state;
    struct env *e = env_new(HYP_PGTABLE_S2, 40, 40, 1);
    struct hyp_pgtable_mapping m;

    T_EQ(map(e, GiB, 4 * MiB + PAGE, 8 * GiB, HYP_PROT_RW), HYP_OK);
    /* lookup reports the byte's address */
    T_EQ(hyp_pgtable_lookup(&e->pt, hyp_ia(GiB + 2 * MiB + 0x123), &m), HYP_OK);
    T_EQ(m.pa.val, 8 * GiB + 2 * MiB + 0x123);
    T_EQ(m.level, 2);
    T_EQ(m.base.val, GiB + 2 * MiB);
    T_EQ(m.size, 2 * MiB);
    T_EQ(hyp_pgtable_lookup(&e->pt, hyp_ia(GiB + 4 * MiB + 0xfff), &m), HYP_OK);
    T_EQ(m.pa.val, 8 * GiB + 4 * MiB + 0xfff);
    T_EQ(m.level, 3);
    T_EQ(hyp_pgtable_lookup(&e->pt, hyp_ia(GiB + 4 * MiB + PAGE), &m), HYP_ENOENT);
    T_EQ(hyp_pgtable_lookup(&e->pt, hyp_ia(0), &m), HYP_ENOENT);

    /* kinds are filtered; order is pre, children, post */
    struct kinds_log k = {0};
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(0), 8 * GiB,
                          HYP_PGTABLE_VISIT_LEAF | HYP_PGTABLE_VISIT_TABLE_PRE |
                              HYP_PGTABLE_VISIT_TABLE_POST,
                          log_kinds, &k),
         0);
    T_EQ(k.n, 7);
    const unsigned want_kinds[] = {
        HYP_PGTABLE_VISIT_TABLE_PRE, HYP_PGTABLE_VISIT_LEAF, HYP_PGTABLE_VISIT_LEAF,
        HYP_PGTABLE_VISIT_TABLE_PRE, HYP_PGTABLE_VISIT_LEAF, HYP_PGTABLE_VISIT_TABLE_POST,
        HYP_PGTABLE_VISIT_TABLE_POST};
    const unsigned want_levels[] = {1, 2, 2, 2, 3, 2, 1};
    for (int i = 0; i < 7; i++) {
        T_EQ(k.kinds[i], want_kinds[i]);
        T_EQ(k.levels[i], want_levels[i]);
    }
    memset(&k, 0, sizeof(k));
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(0), 8 * GiB, HYP_PGTABLE_VISIT_TABLE_POST,
                          log_kinds, &k),
         0);
    T_EQ(k.n, 2);
    memset(&k, 0, sizeof(k));
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(GiB + 2 * MiB), PAGE, HYP_PGTABLE_VISIT_LEAF,
                          log_kinds, &k),
         0);
    T_EQ(k.n, 1);
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(0), PAGE, 0, log_kinds, &k), 0);

    /* a visitor can stop the walk */
    int count = 0;
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(0), 8 * GiB,
                          HYP_PGTABLE_VISIT_LEAF | HYP_PGTABLE_VISIT_TABLE_PRE,
                          stop_at_third, &count),
         42);
    T_EQ(count, 3);
    count = 0;
    T_EQ(hyp_pgtable_walk(&e->pt, hyp_ia(0), 8 * GiB, HYP_PGTABLE_VISIT_TABLE_POST,
                          stop_at_third, &count),
         0);
    env_free(e);
}

/* ===================================================================== */
/* Randomized differential test against a flat reference model            */
/* ===================================================================== */

#define WIN_BASE  (256 * GiB)
#define WIN_SIZE  (4 * GiB)
#define WIN_PAGES (WIN_SIZE / PAGE)

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
    return rnd() % n;
}

/* Model entry: 0, or output address | prot << 1 | 1. */
static uint64_t *model;

static uint64_t model_entry(uint64_t pa, unsigned prot)
{
    return pa | ((uint64_t)prot << 1) | 1;
}

/* Check [lo, hi) of the table against the model. */
static void check_model(const struct hyp_pgtable *pt, uint64_t lo, uint64_t hi)
{
    static struct leafvec lv;
    size_t covered = 0, mapped = 0;

    snapshot(pt, lo, hi, &lv);
    for (size_t i = 0; i < lv.n; i++) {
        const struct leaf *l = &lv.v[i];
        T_ASSERT(l->addr >= lo && l->addr + l->size <= hi);
        struct hyp_pgtable_visit v = {.desc = l->desc};
        (void)v;
        unsigned prot = 0;
        /* decode the same way the model stores it: via lookup of the first page */
        struct hyp_pgtable_mapping m;
        T_EQ(hyp_pgtable_lookup(pt, hyp_ia(l->addr), &m), HYP_OK);
        prot = m.prot;
        uint64_t first = (l->addr - WIN_BASE) / PAGE;
        uint64_t want = model_entry(l->desc & D_OA, prot);
        for (uint64_t p = 0; p < l->size / PAGE; p++) {
            if (model[first + p] != want + p * PAGE) {
                snprintf(g_ctx + strlen(g_ctx), 64, " page %#llx",
                         (unsigned long long)(l->addr + p * PAGE));
                T_EQ(model[first + p], want + p * PAGE);
            }
        }
        covered += l->size / PAGE;
    }
    for (uint64_t p = (lo - WIN_BASE) / PAGE; p < (hi - WIN_BASE) / PAGE; p++)
        mapped += model[p] != 0;
    T_EQ(covered, mapped);
}

/*
 * BBM checker. Records every range invalidation of an operation (the hook
 * has already checked that the range was unmapped at that moment) and:
 * - at the end, checks that every translation that changed or went away
 *   was covered by an invalidation, which, being issued while it was
 *   unmapped, came after the break and before the make;
 * - while the region holds few leaves, also diffs the table at every
 *   invalidation: a valid translation may not change into another valid
 *   one between two invalidations, and a translation that went invalid may
 *   not become valid before an invalidation covered it.
 */
#define CHECKER_FULL_MAX_LEAVES 4096u
#define CHECKER_MAX_IVALS       65536u

struct ival {
    uint64_t lo, hi;
};

struct ivec {
    struct ival *v;
    size_t n, cap;
};

struct bbm_checker {
    const struct hyp_pgtable *pt;
    uint64_t lo, hi;
    bool full;
    struct leafvec first, prev, cur;
    struct ivec pending, tlbis;
    size_t checkpoints;
};

static void ivec_push(struct ivec *iv, uint64_t lo, uint64_t hi)
{
    if (iv->n > 0 && iv->v[iv->n - 1].hi >= lo && iv->v[iv->n - 1].lo <= hi) {
        struct ival *p = &iv->v[iv->n - 1];
        p->lo = p->lo < lo ? p->lo : lo;
        p->hi = p->hi > hi ? p->hi : hi;
        return;
    }
    if (iv->n == iv->cap) {
        iv->cap = iv->cap ? iv->cap * 2 : 64;
        T_ASSERT(iv->cap <= CHECKER_MAX_IVALS);
        iv->v = realloc(iv->v, iv->cap * sizeof(*iv->v));
        T_ASSERT(iv->v != NULL);
    }
    iv->v[iv->n++] = (struct ival){lo, hi};
}

static bool ivec_hits(const struct ivec *iv, uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < iv->n; i++) {
        if (iv->v[i].lo < hi && lo < iv->v[i].hi)
            return true;
    }
    return false;
}

/* Is [lo, hi) inside the union of the intervals? */
static bool ivec_covers(const struct ivec *iv, uint64_t lo, uint64_t hi)
{
    bool progress = true;
    while (lo < hi && progress) {
        progress = false;
        for (size_t i = 0; i < iv->n; i++) {
            if (iv->v[i].lo <= lo && lo < iv->v[i].hi) {
                lo = iv->v[i].hi;
                progress = true;
            }
        }
    }
    return lo >= hi;
}

static void ivec_remove(struct ivec *iv, uint64_t lo, uint64_t hi)
{
    struct ivec out = {0};
    for (size_t i = 0; i < iv->n; i++) {
        struct ival p = iv->v[i];
        if (p.hi <= lo || p.lo >= hi) {
            ivec_push(&out, p.lo, p.hi);
            continue;
        }
        if (p.lo < lo)
            ivec_push(&out, p.lo, lo);
        if (p.hi > hi)
            ivec_push(&out, hi, p.hi);
    }
    free(iv->v);
    *iv = out;
}

/* Leaf of `lv` containing x, advancing *i; *next is where the answer may
 * change. */
static const struct leaf *leaf_at(const struct leafvec *lv, size_t *i, uint64_t x,
                                  uint64_t *next)
{
    while (*i < lv->n && lv->v[*i].addr + lv->v[*i].size <= x)
        (*i)++;
    if (*i < lv->n && lv->v[*i].addr <= x) {
        *next = lv->v[*i].addr + lv->v[*i].size;
        return &lv->v[*i];
    }
    *next = *i < lv->n ? lv->v[*i].addr : UINT64_MAX;
    return NULL;
}

static bool same_translation(const struct leaf *a, const struct leaf *b, uint64_t x)
{
    return (a->desc & D_OA) + (x - a->addr) == (b->desc & D_OA) + (x - b->addr) &&
           (a->desc & D_ATTRS) == (b->desc & D_ATTRS);
}

typedef void (*segment_fn)(struct bbm_checker *c, const struct leaf *a,
                           const struct leaf *b, uint64_t x, uint64_t nx);

/* Call fn for each piece of [lo, hi) over which neither list changes. */
static void diff_leaves(struct bbm_checker *c, const struct leafvec *pa,
                        const struct leafvec *pb, segment_fn fn)
{
    size_t i = 0, j = 0;
    uint64_t x = c->lo;

    while (x < c->hi) {
        uint64_t na, nb;
        const struct leaf *a = leaf_at(pa, &i, x, &na);
        const struct leaf *b = leaf_at(pb, &j, x, &nb);
        uint64_t nx = c->hi;
        nx = na < nx ? na : nx;
        nx = nb < nx ? nb : nx;
        if (a != NULL || b != NULL)
            fn(c, a, b, x, nx);
        x = nx;
    }
}

static void step_segment(struct bbm_checker *c, const struct leaf *a,
                         const struct leaf *b, uint64_t x, uint64_t nx)
{
    if (a != NULL && b != NULL) {
        /* valid to a different valid translation without a break */
        T_ASSERT(same_translation(a, b, x));
    } else if (a != NULL) {
        ivec_push(&c->pending, x, nx);
    } else {
        /* made valid again before the old translation was invalidated */
        T_ASSERT(!ivec_hits(&c->pending, x, nx));
    }
}

static void end_segment(struct bbm_checker *c, const struct leaf *a, const struct leaf *b,
                        uint64_t x, uint64_t nx)
{
    if (a != NULL && (b == NULL || !same_translation(a, b, x)))
        T_ASSERT(ivec_covers(&c->tlbis, x, nx));
}

static void checker_step(struct bbm_checker *c)
{
    snapshot(c->pt, c->lo, c->hi, &c->cur);
    diff_leaves(c, &c->prev, &c->cur, step_segment);
    struct leafvec t = c->prev;
    c->prev = c->cur;
    c->cur = t;
    c->checkpoints++;
}

static void checker_on_tlbi(struct bbm_checker *c, uint64_t addr, uint64_t size)
{
    if (c->full) {
        checker_step(c);
        ivec_remove(&c->pending, addr, addr + size);
    }
    ivec_push(&c->tlbis, addr, addr + size);
}

static void checker_begin(struct bbm_checker *c, const struct hyp_pgtable *pt,
                          uint64_t lo, uint64_t hi)
{
    c->pt = pt;
    c->lo = lo;
    c->hi = hi;
    c->pending.n = 0;
    c->tlbis.n = 0;
    snapshot(pt, lo, hi, &c->first);
    c->full = c->first.n <= CHECKER_FULL_MAX_LEAVES;
    if (c->full)
        snapshot(pt, lo, hi, &c->prev);
    g_checker = c;
}

static void checker_end(struct bbm_checker *c)
{
    g_checker = NULL;
    if (c->full) {
        checker_step(c);
        /* every translation that went invalid was invalidated */
        T_EQ(c->pending.n, 0);
    } else {
        snapshot(c->pt, c->lo, c->hi, &c->prev);
    }
    diff_leaves(c, &c->first, &c->prev, end_segment);
}

static void checker_free(struct bbm_checker *c)
{
    free(c->first.v);
    free(c->prev.v);
    free(c->cur.v);
    free(c->pending.v);
    free(c->tlbis.v);
    free(c);
}

struct rand_cfg {
    enum hyp_pgtable_format fmt;
    unsigned ia_bits;
    unsigned ops;
};

static const unsigned s2_prots[] = {HYP_PROT_RW,  HYP_PROT_RW,
                                    HYP_PROT_R,   HYP_PROT_RWX,
                                    HYP_PROT_RX,  HYP_PROT_RW | HYP_PROT_DEVICE,
                                    HYP_PROT_NONE};
static const unsigned el2_prots[] = {HYP_PROT_RW, HYP_PROT_RW, HYP_PROT_R, HYP_PROT_RX,
                                     HYP_PROT_R | HYP_PROT_DEVICE};

static void random_op(uint64_t *start, uint64_t *size)
{
    unsigned g = (unsigned)rnd_below(100);
    uint64_t s, n;

    if (g < 35) {
        s = rnd_below(WIN_PAGES) * PAGE;
        n = (rnd_below(4) == 0 ? 1 + rnd_below(1024) : 1 + rnd_below(16)) * PAGE;
    } else if (g < 75) {
        s = rnd_below(WIN_SIZE / (2 * MiB)) * 2 * MiB;
        n = (1 + rnd_below(8)) * 2 * MiB;
    } else if (g < 90) {
        s = rnd_below(WIN_SIZE / GiB) * GiB;
        n = (1 + rnd_below(2)) * GiB;
    } else {
        s = rnd_below(WIN_PAGES) * PAGE;
        n = (1 + rnd_below(5 * GiB / 4 / PAGE)) * PAGE;
    }
    if (s + n > WIN_SIZE)
        n = WIN_SIZE - s;
    *start = WIN_BASE + s;
    *size = n;
}

static void run_random(const struct rand_cfg *rc, uint64_t seed)
{
    static const char *names[] = {"map", "unmap", "protect"};
    struct env *e = env_new_ops(rc->fmt, rc->ia_bits, 40, 11, 64 * MiB, &tmm_ops);
    struct bbm_checker *chk = calloc(1, sizeof(*chk));
    const unsigned *prots = rc->fmt == HYP_PGTABLE_S2 ? s2_prots : el2_prots;
    size_t nprots = rc->fmt == HYP_PGTABLE_S2 ? sizeof(s2_prots) / sizeof(s2_prots[0])
                                              : sizeof(el2_prots) / sizeof(el2_prots[0]);
    /* a few shared output offsets so that neighbouring maps can merge */
    const uint64_t deltas[] = {8 * GiB, 64 * GiB + 2 * MiB, 128 * GiB + 12 * KiB};
    size_t oom_hits = 0, merges = 0, splits = 0;

    T_ASSERT(chk != NULL);
    model = calloc(WIN_PAGES, sizeof(*model));
    T_ASSERT(model != NULL);
    rng_state = seed;

    for (unsigned step = 0; step < rc->ops; step++) {
        uint64_t start, size, pa = 0;
        unsigned kind = (unsigned)rnd_below(100);
        kind = kind < 50 ? 0 : kind < 75 ? 1 : 2;
        unsigned prot = prots[rnd_below(nprots)];
        random_op(&start, &size);
        if (kind == 0) {
            /* mostly block-friendly output offsets; 4 KiB-only offsets and
             * scattered pages for small ranges */
            unsigned r = (unsigned)rnd_below(100);
            uint64_t d = deltas[r < 50 ? 0 : 1];
            if (size <= 4 * MiB && r < 15)
                d = deltas[2];
            else if (size <= 64 * PAGE && r >= 90)
                d = rnd_below(1u << 20) * PAGE + PAGE - start;
            pa = start + d;
        }
        snprintf(g_ctx, sizeof(g_ctx),
                 "LIBHYP_SEED=%llu fmt=%d step=%u %s [%#llx, +%#llx) pa=%#llx prot=%#x",
                 (unsigned long long)seed, (int)rc->fmt, step, names[kind],
                 (unsigned long long)start, (unsigned long long)size,
                 (unsigned long long)pa, prot);

        uint64_t lo = start & ~(GiB - 1);
        uint64_t hi = (start + size + GiB - 1) & ~(GiB - 1);

        /* sometimes run out of memory first: nothing may change */
        if (rnd_below(20) == 0) {
            size_t pages = hyp_pgtable_page_count(&e->pt);
            e->mm.budget = (long)rnd_below(3);
            fake_arch_reset();
            int ret = kind == 0   ? map(e, start, size, pa, prot)
                      : kind == 1 ? unmap(e, start, size)
                                  : protect(e, start, size, prot);
            e->mm.budget = -1;
            if (ret == HYP_ENOMEM) {
                oom_hits++;
                T_EQ(hyp_pgtable_page_count(&e->pt), pages);
                T_EQ(e->mm.live_pages, pages);
                T_EQ(fake_arch_log_count(), 0);
                check_model(&e->pt, lo, hi);
                /* redo it with memory */
            } else {
                T_EQ(ret, HYP_OK);
                goto apply_model;
            }
        }

        size_t pages_before = hyp_pgtable_page_count(&e->pt);
        fake_arch_reset();
        checker_begin(chk, &e->pt, lo, hi);
        int ret = kind == 0   ? map(e, start, size, pa, prot)
                  : kind == 1 ? unmap(e, start, size)
                              : protect(e, start, size, prot);
        checker_end(chk);
        T_EQ(ret, HYP_OK);
        T_EQ(fake_arch_count(FAKE_TLBI_S2_ALL) + fake_arch_count(FAKE_TLBI_EL2_ALL), 0);
        if (kind != 1 && hyp_pgtable_page_count(&e->pt) < pages_before)
            merges++;
        if (kind != 0 && hyp_pgtable_page_count(&e->pt) > pages_before)
            splits++;

    apply_model:;
        uint64_t first = (start - WIN_BASE) / PAGE;
        for (uint64_t p = 0; p < size / PAGE; p++) {
            uint64_t *m = &model[first + p];
            if (kind == 0)
                *m = model_entry(pa + p * PAGE, prot);
            else if (kind == 1)
                *m = 0;
            else if (*m != 0)
                *m = model_entry(*m & D_OA, prot);
        }

        /* the touched gigabytes against the model, and shape invariants */
        check_model(&e->pt, lo, hi);
        check_shape(&e->pt, lo, hi, NULL);
        /* lookups at the edges and inside */
        uint64_t probes[12] = {start, start + size - PAGE, start - PAGE, start + size};
        for (int i = 4; i < 12; i++)
            probes[i] = start + rnd_below(size / PAGE) * PAGE;
        for (int i = 0; i < 12; i++) {
            uint64_t a = probes[i];
            if (a < WIN_BASE || a >= WIN_BASE + WIN_SIZE)
                continue;
            uint64_t want = model[(a - WIN_BASE) / PAGE];
            struct hyp_pgtable_mapping m;
            int r = hyp_pgtable_lookup(&e->pt, hyp_ia(a + 0x10), &m);
            if (want == 0) {
                T_EQ(r, HYP_ENOENT);
            } else {
                T_EQ(r, HYP_OK);
                T_EQ(model_entry(m.pa.val - 0x10, m.prot), want);
            }
        }
        if (step % 256 == 255 || step + 1 == rc->ops) {
            check_model(&e->pt, WIN_BASE, WIN_BASE + WIN_SIZE);
            check_all_shape(e);
        }
    }
    g_ctx[0] = 0;
    print_message("random fmt=%d ia=%u: %u ops, %zu injected OOMs, %zu merging, %zu "
                  "splitting, %zu diff checkpoints, %zu table pages at end, pool high "
                  "water %zu\n",
                  (int)rc->fmt, rc->ia_bits, rc->ops, oom_hits, merges, splits,
                  chk->checkpoints, hyp_pgtable_page_count(&e->pt),
                  hyp_page_pool_high_water(&e->mm.pool));
    T_EQ(unmap(e, WIN_BASE, WIN_SIZE), HYP_OK);
    T_EQ(hyp_pgtable_page_count(&e->pt), e->pt.root_pages);
    checker_free(chk);
    free(model);
    model = NULL;
    env_free(e);
}

static uint64_t test_seed(void)
{
    const char *env = getenv("LIBHYP_SEED");
    if (env != NULL && *env != 0)
        return strtoull(env, NULL, 0);
    return 0x5eed0001ull;
}

static unsigned test_ops(unsigned dflt)
{
    const char *env = getenv("LIBHYP_PGTABLE_OPS");
    if (env != NULL && *env != 0)
        return (unsigned)strtoul(env, NULL, 0);
    return dflt;
}

static void test_random_s2(void **state)
{
    (void)state;
    uint64_t seed = test_seed();
    struct rand_cfg rc = {HYP_PGTABLE_S2, 40, test_ops(3000)};
    print_message("seed %llu (override with LIBHYP_SEED)\n", (unsigned long long)seed);
    run_random(&rc, seed);
}

static void test_random_el2(void **state)
{
    (void)state;
    uint64_t seed = test_seed() + 1;
    struct rand_cfg rc = {HYP_PGTABLE_EL2_S1, 48, test_ops(1500)};
    print_message("seed %llu (override with LIBHYP_SEED; EL2 uses seed + 1)\n",
                  (unsigned long long)seed - 1);
    run_random(&rc, seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_init_errors),
        cmocka_unit_test(test_pool_alloc_free),
        cmocka_unit_test(test_pool_contig),
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_vtcr),
        cmocka_unit_test(test_tcr_mair),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_root_and_vttbr),
        cmocka_unit_test(test_destroy_frees_everything),
        cmocka_unit_test(test_pool_ops_and_translation),
        cmocka_unit_test(test_s2_encoding),
        cmocka_unit_test(test_el2_encoding),
        cmocka_unit_test(test_range_errors),
        cmocka_unit_test(test_range_edges),
        cmocka_unit_test(test_max_size),
        cmocka_unit_test(test_block_alignment),
        cmocka_unit_test(test_split_and_merge),
        cmocka_unit_test(test_replace_and_free),
        cmocka_unit_test(test_bbm_single_page),
        cmocka_unit_test(test_bbm_batched_unmap),
        cmocka_unit_test(test_oom_every_allocation),
        cmocka_unit_test(test_min_pages),
        cmocka_unit_test(test_walk_and_lookup),
        cmocka_unit_test(test_random_s2),
        cmocka_unit_test(test_random_el2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
