/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for cache colours (libhyp/mm/colour.c, colour_audit.c) and
 * coloured VM RAM (hyp_vm_add_ram_coloured()).
 *
 * Random geometries and colour sets are checked against a simple model: the
 * LLC set of a byte is (pa / line) % sets, two pages that share a set must
 * share a colour, and a coloured RAM is the span's pages of its colours in
 * address order. Every page a coloured VM's stage 2 maps is looked up and
 * checked; the audit must find a page of a wrong colour planted on purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include <hyp/colour.h>
#include <hyp/error.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>
#include <hyp/vm.h>

#include "fake_arch.h"

#define PAGE      4096ull
#define ROUNDS    200
#define POOL_SIZE (8u << 20)

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/** A random valid geometry: line 16..256, 2^6..2^14 sets, 1..32 ways. */
static void random_geom(struct hyp_colour_geom *g, uint32_t *line, uint32_t *sets)
{
    *line = 16u << (rnd() % 5);
    *sets = 64u << (rnd() % 9);
    assert_int_equal(hyp_colour_geom_init(g, (uint64_t)*line * *sets * (1 + rnd() % 32),
                                          *line, *sets, NULL, 0),
                     HYP_OK);
}

/** A random non-empty subset of the geometry's colours. */
static hyp_colour_set random_set(const struct hyp_colour_geom *g)
{
    hyp_colour_set s;

    do
        s = rnd() & hyp_colour_all(g);
    while (s == 0);
    return s;
}

static bool in_set(hyp_colour_set s, unsigned c)
{
    return (s >> c) & 1;
}

static void test_geometry(void **state)
{
    struct hyp_colour_geom g;
    char why[96];

    (void)state;
    /* The ZynqMP's Cortex-A53 L2: 1 MiB, 16 ways, 64-byte lines. */
    assert_int_equal(hyp_colour_geom_init(&g, 1 << 20, 64, 1024, why, sizeof(why)),
                     HYP_OK);
    assert_int_equal(g.ways, 16);
    assert_int_equal(g.colours, 16);
    assert_int_equal(hyp_colour_of(&g, 0x40000000), 0);
    assert_int_equal(hyp_colour_of(&g, 0x4000f000), 15);
    assert_int_equal(hyp_colour_of(&g, 0x40010fff), 0);
    /* A way no larger than a page: one colour. */
    assert_int_equal(hyp_colour_geom_init(&g, 32 << 10, 64, 32, NULL, 0), HYP_OK);
    assert_int_equal(g.colours, 1);
    /* 512 colours are used as 64. */
    assert_int_equal(hyp_colour_geom_init(&g, 32 << 20, 64, 32768, NULL, 0), HYP_OK);
    assert_int_equal(g.cache_colours, 512);
    assert_int_equal(g.colours, HYP_COLOUR_MAX);
    assert_int_equal(hyp_colour_all(&g), ~0ull);
    /* Inconsistent geometries. */
    assert_int_equal(hyp_colour_geom_init(&g, 1 << 20, 48, 1024, why, sizeof(why)),
                     HYP_EINVAL);
    assert_non_null(strstr(why, "line size 48"));
    assert_int_equal(hyp_colour_geom_init(&g, 1 << 20, 64, 1000, why, sizeof(why)),
                     HYP_EINVAL);
    assert_int_equal(hyp_colour_geom_init(&g, 1000000, 64, 1024, why, sizeof(why)),
                     HYP_EINVAL);
    assert_int_equal(hyp_colour_geom_init(&g, 0, 64, 1024, NULL, 0), HYP_EINVAL);
    assert_int_equal(hyp_colour_geom_init(NULL, 1 << 20, 64, 1024, NULL, 0), HYP_EINVAL);
}

/** Pages whose colours differ never share an LLC set, for any geometry. */
static void test_colour_model(void **state)
{
    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        struct hyp_colour_geom g;
        uint32_t line, sets;

        random_geom(&g, &line, &sets);
        for (int i = 0; i < 64; i++) {
            uint64_t pa = (rnd() % (1ull << 40)) & ~(PAGE - 1);
            uint64_t first = (pa / line) % sets; /* the page's first set */
            uint64_t per_page = PAGE / line < sets ? PAGE / line : sets;

            assert_true(hyp_colour_of(&g, pa) < g.colours);
            /* Every byte of the page has the page's colour. */
            assert_int_equal(hyp_colour_of(&g, pa + rnd() % PAGE), hyp_colour_of(&g, pa));
            /* The colour is the slice of sets the page covers. */
            assert_int_equal(hyp_colour_of(&g, pa), (first / per_page) % g.colours);
        }
    }
}

/** The model of a layout: the span's pages of the set, in address order. */
static uint64_t model_page(const struct hyp_colour_geom *g, hyp_colour_set set,
                           uint64_t base, uint64_t index)
{
    uint64_t found = 0;

    for (uint64_t pa = base;; pa += PAGE)
        if (in_set(set, hyp_colour_of(g, pa)) && found++ == index)
            return pa;
}

static void test_layout_model(void **state)
{
    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        struct hyp_colour_geom g;
        struct hyp_colour_layout l;
        uint32_t line, sets;
        hyp_colour_set set;
        uint64_t period, base, size, pages, prev = 0;

        random_geom(&g, &line, &sets);
        set = random_set(&g);
        period = g.colours * PAGE;
        base = (rnd() % 4096) * period;
        pages = 1 + rnd() % 300;
        size = pages * PAGE;
        assert_int_equal(hyp_colour_layout_init(&l, &g, set, base, size), HYP_OK);
        assert_int_equal(l.count, hyp_colour_count(set));
        /* The span: whole periods, enough and not one too many. */
        assert_int_equal(l.span % period, 0);
        assert_true(l.span / period * l.count >= pages);
        assert_true((l.span / period - 1) * l.count < pages);
        for (uint64_t i = 0; i < pages; i++) {
            uint64_t off = i * PAGE + rnd() % PAGE;
            uint64_t pa = hyp_colour_pa(&l, off), run = hyp_colour_run(&l, i * PAGE);

            assert_int_equal(pa, model_page(&g, set, base, i) + off % PAGE);
            assert_true(in_set(set, hyp_colour_of(&g, pa)));
            assert_true(pa >= base && pa < base + l.span);
            assert_true(i == 0 || pa - off % PAGE > prev); /* ascending, distinct */
            prev = pa - off % PAGE;
            /* A run is physically contiguous and inside the RAM. */
            assert_true(run >= PAGE && run % PAGE == 0 && i * PAGE + run <= size);
            for (uint64_t k = 1; k < run / PAGE; k++)
                assert_int_equal(hyp_colour_pa(&l, (i + k) * PAGE),
                                 hyp_colour_pa(&l, i * PAGE) + k * PAGE);
        }
    }
}

static void test_layout_errors(void **state)
{
    struct hyp_colour_geom g;
    struct hyp_colour_layout l;

    (void)state;
    assert_int_equal(hyp_colour_geom_init(&g, 1 << 20, 64, 1024, NULL, 0), HYP_OK);
    assert_int_equal(hyp_colour_layout_init(&l, &g, 0, 0, PAGE), HYP_EINVAL);
    assert_int_equal(hyp_colour_layout_init(&l, &g, 1ull << 16, 0, PAGE), HYP_EINVAL);
    assert_int_equal(hyp_colour_layout_init(&l, &g, 1, 0, 0), HYP_EINVAL);
    assert_int_equal(hyp_colour_layout_init(&l, &g, 1, 0, 100), HYP_EINVAL);
    assert_int_equal(hyp_colour_layout_init(&l, &g, 1, PAGE, PAGE), HYP_EALIGN);
    assert_int_equal(hyp_colour_layout_init(&l, &g, 1, 0xffffffffffff0000ull, 2 * PAGE),
                     HYP_ERANGE);
    assert_int_equal(hyp_colour_span(&g, 0, PAGE), 0);
    assert_int_equal(hyp_colour_span(&g, 3, 5 * PAGE), 3 * 16 * PAGE);
}

static void test_bytes_in(void **state)
{
    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        struct hyp_colour_geom g;
        uint32_t line, sets;
        hyp_colour_set set;
        struct hyp_range r;
        uint64_t want = 0;

        random_geom(&g, &line, &sets);
        set = random_set(&g);
        r.base = rnd() % (1ull << 32);
        r.size = rnd() % (g.colours * PAGE * 5 + 3 * PAGE);
        for (uint64_t at = r.base; at < r.base + r.size; at++)
            if (in_set(set, hyp_colour_of(&g, at)))
                want++;
        assert_int_equal(hyp_colour_bytes_in(&g, set, &r), want);
    }
}

static void test_format(void **state)
{
    char buf[64];

    (void)state;
    hyp_colour_format(0, buf, sizeof(buf));
    assert_string_equal(buf, "none");
    hyp_colour_format(0xf, buf, sizeof(buf));
    assert_string_equal(buf, "0-3");
    hyp_colour_format(0x1 | 0x100 | 0xc00 | (1ull << 63), buf, sizeof(buf));
    assert_string_equal(buf, "0,8,10-11,63");
    hyp_colour_format(~0ull, buf, sizeof(buf));
    assert_string_equal(buf, "0-63");
    hyp_colour_format(0x5555, buf, 6);
    assert_string_equal(buf, "0,2,4");
}

/*
 * Geometry from a DTB
 */

static void *tree(void)
{
    void *fdt = malloc(8192);
    int cpus, cpu;

    assert_int_equal(fdt_create_empty_tree(fdt, 8192), 0);
    cpus = fdt_add_subnode(fdt, 0, "cpus");
    cpu = fdt_add_subnode(fdt, cpus, "cpu@0");
    assert_int_equal(fdt_setprop_string(fdt, cpu, "device_type", "cpu"), 0);
    return fdt;
}

static int add_cache(void *fdt, const char *name, uint32_t phandle, uint32_t size,
                     uint32_t line, uint32_t sets)
{
    int node = fdt_add_subnode(fdt, 0, name);

    assert_true(node >= 0);
    assert_int_equal(fdt_setprop_u32(fdt, node, "phandle", phandle), 0);
    if (size)
        assert_int_equal(fdt_setprop_u32(fdt, node, "cache-size", size), 0);
    if (line)
        assert_int_equal(fdt_setprop_u32(fdt, node, "cache-line-size", line), 0);
    if (sets)
        assert_int_equal(fdt_setprop_u32(fdt, node, "cache-sets", sets), 0);
    return node;
}

static void test_from_dt(void **state)
{
    struct hyp_colour_geom g;
    char why[128];
    void *fdt = tree();
    int hv;

    (void)state;
    /* No cache described: none. */
    assert_int_equal(hyp_colour_geom_from_dt(fdt, -1, &g, why, sizeof(why)), HYP_ENOENT);
    /* cpu -> l2 -> l3: the last level with a size is the LLC. */
    add_cache(fdt, "l2-cache", 2, 256 << 10, 64, 256);
    add_cache(fdt, "l3-cache", 3, 2 << 20, 64, 2048);
    assert_int_equal(
        fdt_setprop_u32(fdt, fdt_path_offset(fdt, "/cpus/cpu@0"), "next-level-cache", 2),
        0);
    assert_int_equal(
        fdt_setprop_u32(fdt, fdt_path_offset(fdt, "/l2-cache"), "next-level-cache", 3),
        0);
    assert_int_equal(hyp_colour_geom_from_dt(fdt, -1, &g, why, sizeof(why)), HYP_OK);
    assert_int_equal(g.cache_size, 2 << 20);
    assert_int_equal(g.ways, 16);
    assert_int_equal(g.colours, 32);
    /* An LLC without sets cannot be coloured. */
    assert_int_equal(fdt_delprop(fdt, fdt_path_offset(fdt, "/l3-cache"), "cache-sets"),
                     0);
    assert_int_equal(hyp_colour_geom_from_dt(fdt, -1, &g, why, sizeof(why)), HYP_EFORMAT);
    assert_string_equal(why,
                        "/l3-cache: cache-sets: missing (the LLC's geometry needs it)");
    /* The override wins, and must be whole. */
    hv = fdt_add_subnode(fdt, 0, "hypervisor");
    assert_int_equal(fdt_setprop_u32(fdt, hv, "llc-cache-size", 1 << 20), 0);
    assert_int_equal(fdt_setprop_u32(fdt, hv, "llc-cache-line-size", 64), 0);
    assert_int_equal(hyp_colour_geom_from_dt(fdt, hv, &g, why, sizeof(why)), HYP_EFORMAT);
    assert_string_equal(
        why, "/hypervisor: llc-cache-sets: missing (the LLC's geometry needs it)");
    assert_int_equal(fdt_setprop_u32(fdt, hv, "llc-cache-sets", 1024), 0);
    assert_int_equal(hyp_colour_geom_from_dt(fdt, hv, &g, why, sizeof(why)), HYP_OK);
    assert_int_equal(g.colours, 16);
    assert_int_equal(fdt_setprop_u32(fdt, hv, "llc-cache-sets", 1000), 0);
    assert_int_equal(hyp_colour_geom_from_dt(fdt, hv, &g, why, sizeof(why)), HYP_EINVAL);
    assert_string_equal(why,
                        "/hypervisor: cache geometry: 1000 sets is not a power of two");
    free(fdt);
}

/*
 * Coloured VM RAM in a stage 2
 */

static struct hyp_page_pool pool;
static struct hyp_vcpu vcpu;
static const unsigned pcpu0 = 0;

static void vm_create(struct hyp_vm *vm, void *pool_mem)
{
    const struct hyp_vm_config cfg = {
        .vmid = 1,
        .ipa_bits = 40,
        .pa_bits = 40,
        .vcpus = &vcpu,
        .vcpu_count = 1,
        .vcpu_pcpu = &pcpu0,
        .pool = &pool,
    };

    assert_int_equal(hyp_page_pool_init(&pool, pool_mem, POOL_SIZE), HYP_OK);
    assert_int_equal(hyp_vm_init(vm, &cfg), HYP_OK);
}

/** Every page a coloured VM maps has one of its colours, as the model says. */
static void test_vm_ram(void **state)
{
    void *pool_mem = aligned_alloc(4096, POOL_SIZE);

    (void)state;
    assert_non_null(pool_mem);
    for (int round = 0; round < 40; round++) {
        struct hyp_colour_geom g;
        struct hyp_colour_layout l;
        struct hyp_colour_audit a;
        struct hyp_vm vm;
        uint32_t line, sets;
        hyp_colour_set set;
        uint64_t ipa = 0x40000000ull + (rnd() % 64) * PAGE, size, pa, base;

        fake_arch_reset();
        random_geom(&g, &line, &sets);
        set = round == 0 ? hyp_colour_all(&g) : random_set(&g);
        base = 0x80000000ull + (rnd() % 64) * g.colours * PAGE;
        size = (1 + rnd() % 2048) * PAGE;
        assert_int_equal(hyp_colour_layout_init(&l, &g, set, base, size), HYP_OK);
        vm_create(&vm, pool_mem);
        assert_int_equal(hyp_vm_add_ram_coloured(&vm, ipa, &l), HYP_OK);
        assert_int_equal(vm.ram_count, 1);
        assert_ptr_equal(vm.ram[0].colour, &l);
        for (uint64_t i = 0; i < size / PAGE; i++) {
            struct hyp_pgtable_mapping m;

            assert_int_equal(hyp_pgtable_lookup(&vm.s2, hyp_ia(ipa + i * PAGE), &m),
                             HYP_OK);
            assert_true(in_set(set, hyp_colour_of(&g, m.pa.val)));
            assert_int_equal(m.pa.val, model_page(&g, set, base, i));
            assert_int_equal(m.prot, HYP_PROT_RWX);
            assert_true(hyp_vm_ram_to_pa(&vm, ipa + i * PAGE + 8, 4, &pa));
            assert_int_equal(pa, m.pa.val + 8);
        }
        /* Nothing beyond the RAM; a range across two runs is not one. */
        assert_int_equal(hyp_pgtable_lookup(&vm.s2, hyp_ia(ipa + size), NULL),
                         HYP_ENOENT);
        assert_false(hyp_vm_ram_to_pa(&vm, ipa + size, 1, &pa));
        if (l.count < l.period && size > hyp_colour_run(&l, 0))
            assert_false(hyp_vm_ram_to_pa(&vm, ipa, hyp_colour_run(&l, 0) + 1, &pa));
        assert_int_equal(hyp_colour_audit(&vm.s2, ipa, size, &l, &a), HYP_OK);
        assert_int_equal(a.pages, size / PAGE);
        assert_int_equal(a.missing + a.wrong + a.outside, 0);
        /* One page remapped to a page of a colour not in the set is caught. */
        if (set != hyp_colour_all(&g)) {
            unsigned bad = (unsigned)__builtin_ctzll(~set & hyp_colour_all(&g));
            uint64_t at = ipa + (rnd() % (size / PAGE)) * PAGE;

            assert_int_equal(hyp_pgtable_map(&vm.s2, hyp_ia(at), PAGE,
                                             hyp_pa(base + bad * PAGE), HYP_PROT_RWX),
                             HYP_OK);
            assert_int_equal(hyp_colour_audit(&vm.s2, ipa, size, &l, &a), HYP_OK);
            assert_int_equal(a.wrong, 1);
            assert_int_equal(a.first_wrong, at);
            assert_int_equal(hyp_pgtable_unmap(&vm.s2, hyp_ia(at), PAGE), HYP_OK);
            assert_int_equal(hyp_colour_audit(&vm.s2, ipa, size, &l, &a), HYP_OK);
            assert_int_equal(a.missing, 1);
        }
        assert_int_equal(hyp_vm_add_ram_coloured(&vm, ipa, NULL), HYP_EINVAL);
        hyp_pgtable_destroy(&vm.s2);
    }
    free(pool_mem);
}

/** The colour of a host page, as the pool reckons it. */
static unsigned page_colour(const void *p, unsigned period)
{
    return (unsigned)(((uintptr_t)p / PAGE) % period);
}

/**
 * A pool restricted to some colours hands out exactly the pages of those
 * colours (counted against a model), runs only of them, refuses to take
 * back a page of another colour, and refuses bad restrictions.
 */
static void test_pool_colours(void **state)
{
    uint8_t *mem = aligned_alloc(4096, POOL_SIZE);
    struct hyp_page_pool p;

    (void)state;
    assert_non_null(mem);
    for (int round = 0; round < ROUNDS; round++) {
        unsigned period = 1 + (unsigned)(rnd() % 64);
        uint64_t all = period == 64 ? ~0ull : (1ull << period) - 1, set;
        size_t skip = (size_t)(rnd() % 64), pages = 2 + (size_t)(rnd() % 1024);
        size_t model = 0, got = 0;
        void *pg, *withheld = NULL;

        do
            set = rnd() & all;
        while (set == 0);
        assert_int_equal(hyp_page_pool_init(&p, mem + skip * PAGE, pages * PAGE), HYP_OK);
        /* The managed pages start after the bitmap's one page. */
        for (size_t i = 1; i < pages; i++) {
            unsigned c = page_colour(mem + (skip + i) * PAGE, period);

            if ((set >> c) & 1)
                model++;
            else if (withheld == NULL)
                withheld = mem + (skip + i) * PAGE;
        }
        if (model == 0) {
            assert_int_equal(hyp_page_pool_keep_colours(&p, period, set), HYP_EINVAL);
            assert_int_equal(hyp_page_pool_total(&p), pages - 1);
            continue;
        }
        assert_int_equal(hyp_page_pool_keep_colours(&p, period, set), HYP_OK);
        assert_int_equal(hyp_page_pool_keep_colours(&p, period, set), HYP_EINVAL);
        assert_int_equal(hyp_page_pool_total(&p), model);
        assert_int_equal(hyp_page_pool_free_count(&p), model);
        if (withheld != NULL)
            assert_int_equal(hyp_page_pool_free(&p, withheld), HYP_EINVAL);
        /* Runs of two: both pages of the set. */
        pg = hyp_page_pool_alloc_contig(&p, 2);
        if (pg != NULL) {
            assert_true((set >> page_colour(pg, period)) & 1);
            assert_true((set >> page_colour((uint8_t *)pg + PAGE, period)) & 1);
            assert_int_equal(hyp_page_pool_free_contig(&p, pg, 2), HYP_OK);
        } else {
            assert_int_not_equal(set, all); /* every aligned pair would do */
        }
        while ((pg = hyp_page_pool_alloc(&p)) != NULL) {
            assert_true((set >> page_colour(pg, period)) & 1);
            got++;
        }
        assert_int_equal(got, model);
        assert_int_equal(hyp_page_pool_free_count(&p), 0);
        assert_int_equal(hyp_page_pool_used(&p), model);
        if (withheld != NULL)
            assert_int_equal(hyp_page_pool_free(&p, withheld), HYP_EINVAL);
        assert_int_equal(hyp_page_pool_used(&p), model);
    }
    /* Bad restrictions, and one after an allocation. */
    assert_int_equal(hyp_page_pool_init(&p, mem, 64 * PAGE), HYP_OK);
    assert_int_equal(hyp_page_pool_keep_colours(&p, 0, 1), HYP_EINVAL);
    assert_int_equal(hyp_page_pool_keep_colours(&p, 65, 1), HYP_EINVAL);
    assert_int_equal(hyp_page_pool_keep_colours(&p, 16, 0), HYP_EINVAL);
    assert_int_equal(hyp_page_pool_keep_colours(&p, 16, 1ull << 16), HYP_EINVAL);
    assert_int_equal(hyp_page_pool_total(&p), 63);
    assert_non_null(hyp_page_pool_alloc(&p));
    assert_int_equal(hyp_page_pool_keep_colours(&p, 16, 1), HYP_EINVAL);
    free(mem);
}

/**
 * A coloured VM's stage 2 built from a pool of other colours: every page of
 * its tables (root included) has one of the pool's colours, and the table
 * audit finds each of them wrong against the complement.
 */
static void test_table_colours(void **state)
{
    void *pool_mem = aligned_alloc(4096, POOL_SIZE);
    int checked = 0;

    (void)state;
    assert_non_null(pool_mem);
    for (int round = 0; round < 40; round++) {
        struct hyp_colour_geom g;
        struct hyp_colour_layout l;
        struct hyp_colour_audit a;
        struct hyp_vm vm;
        uint32_t line, sets;
        hyp_colour_set set, tables;
        uint64_t base, size;

        fake_arch_reset();
        do
            random_geom(&g, &line, &sets);
        while (g.colours < 2);
        tables = random_set(&g);
        set = random_set(&g);
        base = 0x80000000ull + (rnd() % 64) * g.colours * PAGE;
        size = (1 + rnd() % 1024) * PAGE;
        assert_int_equal(hyp_colour_layout_init(&l, &g, set, base, size), HYP_OK);
        vm_create(&vm, pool_mem);
        /* vm_create seeded the pool and made the root: start again, coloured. */
        hyp_pgtable_destroy(&vm.s2);
        assert_int_equal(hyp_page_pool_init(&pool, pool_mem, POOL_SIZE), HYP_OK);
        assert_int_equal(hyp_page_pool_keep_colours(&pool, g.colours, tables), HYP_OK);
        {
            const struct hyp_vm_config cfg = {
                .vmid = 1,
                .ipa_bits = 40,
                .pa_bits = 40,
                .vcpus = &vcpu,
                .vcpu_count = 1,
                .vcpu_pcpu = &pcpu0,
                .pool = &pool,
            };
            int rc = hyp_vm_init(&vm, &cfg);

            if (rc != HYP_OK) { /* no run of root pages of these colours */
                assert_int_equal(rc, HYP_ENOMEM);
                continue;
            }
        }
        if (hyp_vm_add_ram_coloured(&vm, 0x40000000ull, &l) == HYP_OK) {
            assert_int_equal(hyp_colour_audit_tables(&vm.s2, g.colours, tables, &a),
                             HYP_OK);
            assert_int_equal(a.pages, hyp_pgtable_page_count(&vm.s2));
            assert_int_equal(a.wrong, 0);
            checked++;
            if (tables != hyp_colour_all(&g)) {
                assert_int_equal(hyp_colour_audit_tables(
                                     &vm.s2, g.colours, hyp_colour_all(&g) & ~tables, &a),
                                 HYP_OK);
                assert_int_equal(a.wrong, a.pages);
                assert_true((tables >> ((a.first_wrong / PAGE) % g.colours)) & 1);
            }
        }
        hyp_pgtable_destroy(&vm.s2);
    }
    assert_true(checked >= 10);
    assert_int_equal(hyp_colour_audit_tables(NULL, 16, 1, NULL), HYP_EINVAL);
    free(pool_mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),     cmocka_unit_test(test_colour_model),
        cmocka_unit_test(test_layout_model), cmocka_unit_test(test_layout_errors),
        cmocka_unit_test(test_bytes_in),     cmocka_unit_test(test_format),
        cmocka_unit_test(test_from_dt),      cmocka_unit_test(test_vm_ram),
        cmocka_unit_test(test_pool_colours), cmocka_unit_test(test_table_colours),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
