/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The generic table walker, the reserved-page cache and the
 * break-before-make helpers every table change goes through.
 */
#include <hyp/arch.h>
#include <hyp/error.h>

#include "pgtable_internal.h"

uint64_t pgt_virt_to_phys(const struct hyp_pgtable *pt, const void *va)
{
    if (pt->mm->virt_to_phys != NULL)
        return pt->mm->virt_to_phys(pt->mm_ctx, va);
    return (uint64_t)(uintptr_t)va;
}

uint64_t *pgt_phys_to_virt(const struct hyp_pgtable *pt, uint64_t pa)
{
    if (pt->mm->phys_to_virt != NULL)
        return pt->mm->phys_to_virt(pt->mm_ctx, pa);
    return (uint64_t *)(uintptr_t)pa;
}

void pgt_walker_init(struct pgt_walker *w, const struct hyp_pgtable *pt,
                     struct hyp_pgtable *mpt, uint64_t start, uint64_t end,
                     const struct pgt_visitor *vis, void *arg)
{
    *w = (struct pgt_walker){
        .pt = pt,
        .mpt = mpt,
        .start = start,
        .end = end,
        .vis = vis,
        .arg = arg,
    };
}

/* ---- Reserved pages ---------------------------------------------------- */

static void cache_release(struct pgt_walker *w)
{
    while (w->cache != NULL) {
        uint64_t *page = w->cache;
        w->cache = (uint64_t *)(uintptr_t)page[0];
        page[0] = 0;
        w->pt->mm->free_pages(w->pt->mm_ctx, page, 1);
    }
    w->cache_count = 0;
}

int pgt_reserve(struct pgt_walker *w, size_t count)
{
    while (w->cache_count < count) {
        uint64_t *page = w->pt->mm->alloc_pages(w->pt->mm_ctx, 1);
        if (page == NULL) {
            cache_release(w);
            return HYP_ENOMEM;
        }
        page[0] = (uint64_t)(uintptr_t)w->cache;
        w->cache = page;
        w->cache_count++;
    }
    return HYP_OK;
}

static uint64_t *cache_take(struct pgt_walker *w)
{
    uint64_t *page = w->cache;

    if (page == NULL)
        return NULL;
    w->cache = (uint64_t *)(uintptr_t)page[0];
    page[0] = 0;
    w->cache_count--;
    w->mpt->page_count++;
    return page;
}

void pgt_free_tree(struct hyp_pgtable *pt, uint64_t *table, unsigned level)
{
    if (level < PGT_LAST_LEVEL) {
        for (unsigned i = 0; i < PGT_ENTRIES; i++) {
            uint64_t pte = pte_load(&table[i]);
            if (pte_is_table(pte, level))
                pgt_free_tree(pt, pgt_phys_to_virt(pt, pte_oa(pte)), level + 1);
        }
    }
    pt->mm->free_pages(pt->mm_ctx, table, 1);
    pt->page_count--;
}

int pgt_new_table(struct pgt_visit *v)
{
    uint64_t *table = cache_take(v->w);

    if (table == NULL)
        return HYP_ENOMEM; /* the reservation was miscounted */
    if (pte_valid(v->old) && pte_is_leaf(v->old, v->level)) {
        unsigned cl = v->level + 1;
        uint64_t step = pgt_level_size(cl);
        uint64_t base = (v->old & PTE_ATTR_MASK) | pte_oa(v->old) | pte_leaf_type(cl);
        for (unsigned i = 0; i < PGT_ENTRIES; i++)
            table[i] = base + i * step;
    }
    v->child = table;
    v->child_new = true;
    return HYP_OK;
}

void pgt_drop_new_table(struct pgt_visit *v)
{
    pgt_free_tree(v->w->mpt, v->child, v->level + 1);
    v->child = NULL;
    v->child_new = false;
}

/* ---- Break-before-make ------------------------------------------------- */

void pgt_flush(struct pgt_walker *w)
{
    if (w->tlbi_pending) {
        uint64_t size = w->tlbi_hi - w->tlbi_lo;
        if (w->pt->format == HYP_PGTABLE_S2)
            arch_tlbi_s2_range(w->pt->vmid, w->tlbi_lo, size, w->tlbi_level);
        else
            arch_tlbi_el2_range(w->tlbi_lo, size, w->tlbi_level);
        w->tlbi_pending = false;
    }
    /* No TLB holds the old translations: make the new ones. */
    for (unsigned i = 0; i < w->make_count; i++)
        pte_store(w->make_ptep[i], w->make_val[i]);
    if (w->make_count != 0)
        w->need_sync = true;
    w->make_count = 0;
    /* Nothing can walk into the unlinked tables any more. */
    for (unsigned i = 0; i < w->defer_count; i++)
        pgt_free_tree(w->mpt, w->defer[i], w->defer_level[i]);
    w->defer_count = 0;
}

/* Queue the invalidation of [addr, addr + size); adjacent or overlapping
 * ranges share one invalidation. */
static void tlbi_queue(struct pgt_walker *w, uint64_t addr, uint64_t size, unsigned level)
{
    uint64_t end = addr + size;

    if (w->tlbi_pending && (addr > w->tlbi_hi || end < w->tlbi_lo))
        pgt_flush(w);
    if (!w->tlbi_pending) {
        w->tlbi_pending = true;
        w->tlbi_lo = addr;
        w->tlbi_hi = end;
        w->tlbi_level = level;
        return;
    }
    if (addr < w->tlbi_lo)
        w->tlbi_lo = addr;
    if (end > w->tlbi_hi)
        w->tlbi_hi = end;
    if (w->tlbi_level != level)
        w->tlbi_level = 0;
}

/* Break: make a live valid entry invalid and queue its invalidation. */
static void pte_break(struct pgt_visit *v)
{
    struct pgt_walker *w = v->w;
    bool table = pte_is_table(v->old, v->level);

    pte_store(v->ptep, 0);
    tlbi_queue(w, v->addr, pgt_level_size(v->level), table ? 0u : v->level);
    if (table) {
        if (w->defer_count == PGT_DEFER_MAX)
            pgt_flush(w);
        w->defer[w->defer_count] = pgt_phys_to_virt(w->pt, pte_oa(v->old));
        w->defer_level[w->defer_count] = v->level + 1;
        w->defer_count++;
    }
}

/* Make: write a valid entry once no TLB can hold the old translation, at
 * the next flush. The invalidation starts with DSB ISHST, which also
 * publishes the contents of a new table before the entry pointing to it. */
static void pte_make(struct pgt_visit *v, uint64_t val)
{
    struct pgt_walker *w = v->w;

    w->make_ptep[w->make_count] = v->ptep;
    w->make_val[w->make_count] = val;
    w->make_count++;
    if (w->make_count == PGT_MAKE_MAX)
        pgt_flush(w);
}

void pgt_set(struct pgt_visit *v, uint64_t val)
{
    struct pgt_walker *w = v->w;
    uint64_t old = v->old;

    if (val == old)
        return;
    if (v->live && pte_valid(old)) {
        pte_break(v);
        if (pte_valid(val))
            pte_make(v, val);
    } else {
        /* Not live, or invalid: nobody can be using the old value. (A table
         * entry is never invalid, and unlinked tables only hold leaves.) */
        if (v->live && pte_valid(val)) {
            pgt_flush(w);
            if (pte_is_table(val, v->level))
                arch_pte_sync(); /* the new table's entries first */
            w->need_sync = true;
        }
        pte_store(v->ptep, val);
    }
    v->old = val;
}

void pgt_walker_finish(struct pgt_walker *w)
{
    pgt_flush(w);
    if (w->need_sync)
        arch_pte_sync();
    w->need_sync = false;
    cache_release(w);
}

/* ---- The walker -------------------------------------------------------- */

static bool walk_stops(int ret)
{
    return ret < 0 || ret == PGT_STOP;
}

static int walk_table(struct pgt_walker *w, uint64_t *table, unsigned level,
                      uint64_t base, uint64_t entries, bool live)
{
    const struct pgt_visitor *vis = w->vis;
    uint64_t shift = pgt_level_shift(level);
    uint64_t span = (uint64_t)1 << shift;
    uint64_t lo = w->start > base ? w->start : base;
    uint64_t tbl_end = base + entries * span;
    uint64_t hi = w->end < tbl_end ? w->end : tbl_end;

    if (lo >= hi)
        return PGT_NEXT;

    uint64_t last = (hi - 1 - base) >> shift;
    for (uint64_t idx = (lo - base) >> shift; idx <= last; idx++) {
        struct pgt_visit v = {
            .w = w,
            .ptep = &table[idx],
            .addr = base + idx * span,
            .level = level,
            .live = live,
        };
        int ret = PGT_NEXT;

        v.old = pte_load(v.ptep);
        v.full = v.addr >= w->start && v.addr + span <= w->end;

        if (pte_is_table(v.old, level)) {
            v.child = pgt_phys_to_virt(w->pt, pte_oa(v.old));
            if (vis->table_pre != NULL) {
                ret = vis->table_pre(&v);
                if (walk_stops(ret))
                    return ret;
                if (ret == PGT_SKIP)
                    continue;
            }
            ret = walk_table(w, v.child, level + 1, v.addr, PGT_ENTRIES, live);
            if (walk_stops(ret))
                return ret;
            if (vis->table_post != NULL) {
                if (w->make_count != 0)
                    pgt_flush(w); /* let table_post see the children as made */
                ret = vis->table_post(&v);
            }
        } else if (vis->leaf != NULL) {
            ret = vis->leaf(&v);
            if (ret == PGT_DESCEND) {
                ret = walk_table(w, v.child, level + 1, v.addr, PGT_ENTRIES, false);
                if (walk_stops(ret)) {
                    pgt_drop_new_table(&v);
                    return ret;
                }
                if (w->make_count != 0)
                    pgt_flush(w);
                ret = vis->table_post(&v);
            }
        }
        if (walk_stops(ret))
            return ret;
    }
    return PGT_NEXT;
}

int pgt_walk(struct pgt_walker *w)
{
    const struct hyp_pgtable *pt = w->pt;
    uint64_t entries = (uint64_t)1 << (pt->ia_bits - pgt_level_shift(pt->start_level));

    return walk_table(w, pt->root, pt->start_level, 0, entries, true);
}
