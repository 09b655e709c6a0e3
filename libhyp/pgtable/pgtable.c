/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Public page-table operations. Each is a visitor of the generic walker
 * (walk.c). map, unmap and protect run twice: a read-only counting pass
 * finds an upper bound of the table pages the change needs, those pages are
 * reserved, and the committing pass then cannot run out of memory (the
 * pages it did not use go back to the pool).
 */
#include <hyp/arch.h>
#include <hyp/error.h>
#include <hyp/page_pool.h>

#include "pgtable_internal.h"

/* ---- Allocator ops over the page pool -------------------------------- */

static void *pool_alloc_pages(void *ctx, size_t count)
{
    return hyp_page_pool_alloc_contig(ctx, count);
}

static void pool_free_pages(void *ctx, void *pages, size_t count)
{
    (void)hyp_page_pool_free_contig(ctx, pages, count);
}

const struct hyp_pgtable_mm_ops hyp_pgtable_page_pool_ops = {
    .alloc_pages = pool_alloc_pages,
    .free_pages = pool_free_pages,
};

/* ---- Map / unmap / protect -------------------------------------------- */

enum op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

struct pgt_op {
    enum op_kind kind;
    uint64_t delta; /* map: output address minus input address (mod 2^64) */
    uint64_t attrs; /* map, protect: attribute bits of the new entries */
    size_t need;    /* counting pass: table pages needed, at most */
};

enum decision { D_KEEP, D_SET, D_SPLIT };

static struct pgt_op *visit_op(const struct pgt_visit *v)
{
    return v->w->arg;
}

/* Can a whole entry at `level` be one leaf for this op? */
static bool leaf_ok(const struct pgt_op *op, unsigned level)
{
    if (op->kind != OP_MAP || level == PGT_LAST_LEVEL)
        return true;
    return level > 0 && (op->delta & (pgt_level_size(level) - 1)) == 0;
}

/* The value an entry fully inside the range gets when leaf_ok(). */
static uint64_t leaf_value(const struct pgt_op *op, const struct pgt_visit *v)
{
    switch (op->kind) {
    case OP_MAP:
        return op->attrs | ((v->addr + op->delta) & PTE_OA_MASK) |
               pte_leaf_type(v->level);
    case OP_UNMAP:
        return 0;
    default:
        return pte_valid(v->old) ? pte_oa(v->old) | pte_leaf_type(v->level) | op->attrs
                                 : 0;
    }
}

/* What to do with a non-table entry. */
static enum decision leaf_decide(const struct pgt_op *op, const struct pgt_visit *v,
                                 uint64_t *val)
{
    if (v->full && leaf_ok(op, v->level)) {
        *val = leaf_value(op, v);
        return *val == v->old ? D_KEEP : D_SET;
    }
    /* Part of the entry, or a mapping that needs smaller entries. */
    if (!pte_valid(v->old))
        return op->kind == OP_MAP ? D_SPLIT : D_KEEP;
    if (op->kind != OP_UNMAP && (v->old & PTE_ATTR_MASK) == op->attrs &&
        (op->kind == OP_PROTECT || pte_oa(v->old) == v->addr + op->delta))
        return D_KEEP; /* the block already maps this part as asked */
    return D_SPLIT;
}

/* Does a table entry fully inside the range become one leaf (or nothing)? */
static bool table_replaced(const struct pgt_op *op, const struct pgt_visit *v)
{
    return v->full && op->kind != OP_PROTECT && leaf_ok(op, v->level);
}

/* Table pages, at most, that applying the op to [s, e), part of one entry at
 * `level` with no table yet (invalid or a block), needs when that entry must
 * become a table: at each level from there, one below every entry [s, e)
 * touches if such an entry cannot be one leaf for the op, else one below
 * each of the (at most two) entries it covers in part. */
static size_t virt_need(const struct pgt_op *op, unsigned level, uint64_t s, uint64_t e)
{
    size_t need = 0;

    for (unsigned l = level; l < PGT_LAST_LEVEL; l++) {
        uint64_t n = ((e - 1) >> pgt_level_shift(l)) - (s >> pgt_level_shift(l)) + 1;

        need += (size_t)(leaf_ok(op, l) && n > 2 ? 2 : n);
    }
    return need;
}

static int count_pre(struct pgt_visit *v)
{
    return table_replaced(visit_op(v), v) ? PGT_SKIP : PGT_NEXT;
}

static int count_leaf(struct pgt_visit *v)
{
    struct pgt_op *op = visit_op(v);
    uint64_t val;

    if (leaf_decide(op, v, &val) == D_SPLIT) {
        uint64_t end = v->addr + pgt_level_size(v->level);
        uint64_t s = v->w->start > v->addr ? v->w->start : v->addr;
        uint64_t e = v->w->end < end ? v->w->end : end;
        op->need += virt_need(op, v->level, s, e);
    }
    return PGT_NEXT;
}

static int op_pre(struct pgt_visit *v)
{
    struct pgt_op *op = visit_op(v);

    if (!table_replaced(op, v))
        return PGT_NEXT;
    pgt_set(v, leaf_value(op, v));
    return PGT_SKIP;
}

static int op_leaf(struct pgt_visit *v)
{
    uint64_t val;

    switch (leaf_decide(visit_op(v), v, &val)) {
    case D_SET:
        pgt_set(v, val);
        return PGT_NEXT;
    case D_SPLIT: {
        int ret = pgt_new_table(v);
        return ret < 0 ? ret : PGT_DESCEND;
    }
    default:
        return PGT_NEXT;
    }
}

static bool table_empty(const uint64_t *table)
{
    /* Tables tend to fill and drain in address order: look at the end first. */
    if (pte_load(&table[PGT_ENTRIES - 1]) != 0)
        return false;
    for (unsigned i = 0; i < PGT_ENTRIES - 1; i++) {
        if (pte_load(&table[i]) != 0)
            return false;
    }
    return true;
}

/* Is the table below an entry at `level` one aligned, contiguous region with
 * uniform attributes? If so, *block is the block entry replacing it. */
static bool table_uniform(const uint64_t *table, unsigned level, uint64_t *block)
{
    unsigned cl = level + 1;
    uint64_t step = pgt_level_size(cl);
    uint64_t first = pte_load(&table[0]);
    uint64_t last_expected = first + (PGT_ENTRIES - 1) * step;

    if (level == 0 || !pte_valid(first) || !pte_is_leaf(first, cl) ||
        (pte_oa(first) & (pgt_level_size(level) - 1)) != 0 ||
        pte_load(&table[PGT_ENTRIES - 1]) != last_expected)
        return false;
    for (unsigned i = 1; i < PGT_ENTRIES - 1; i++) {
        if (pte_load(&table[i]) != first + i * step)
            return false;
    }
    *block = (first & PTE_ATTR_MASK) | pte_oa(first) | PTE_TYPE_BLOCK;
    return true;
}

static int op_post(struct pgt_visit *v)
{
    const struct pgt_op *op = visit_op(v);
    uint64_t val;
    bool replace;

    if (op->kind == OP_UNMAP) {
        replace = table_empty(v->child);
        val = 0;
    } else {
        replace = table_uniform(v->child, v->level, &val);
    }

    if (!replace) {
        if (v->child_new)
            pgt_set(v, pgt_virt_to_phys(v->w->pt, v->child) | PTE_TYPE_TABLE);
        return PGT_NEXT;
    }
    if (v->child_new)
        pgt_drop_new_table(v);
    pgt_set(v, val);
    return PGT_NEXT;
}

static int run_op(struct hyp_pgtable *pt, struct pgt_op *op, uint64_t start,
                  uint64_t size)
{
    static const struct pgt_visitor count_vis = {
        .leaf = count_leaf,
        .table_pre = count_pre,
    };
    static const struct pgt_visitor op_vis = {
        .leaf = op_leaf,
        .table_pre = op_pre,
        .table_post = op_post,
    };
    struct pgt_walker w;
    int ret;

    op->need = 0;
    pgt_walker_init(&w, pt, NULL, start, start + size, &count_vis, op);
    (void)pgt_walk(&w);

    pgt_walker_init(&w, pt, pt, start, start + size, &op_vis, op);
    ret = pgt_reserve(&w, op->need);
    if (ret != HYP_OK)
        return ret;
    ret = pgt_walk(&w);
    pgt_walker_finish(&w);
    return ret < 0 ? ret : HYP_OK;
}

static int check_range(const struct hyp_pgtable *pt, uint64_t addr, uint64_t size)
{
    if (size == 0)
        return HYP_EINVAL;
    if (((addr | size) & (PGT_PAGE_SIZE - 1)) != 0)
        return HYP_EALIGN;
    if (addr + size < addr || addr + size > ((uint64_t)1 << pt->ia_bits))
        return HYP_ERANGE;
    return HYP_OK;
}

int hyp_pgtable_map(struct hyp_pgtable *pt, hyp_iaddr_t addr, uint64_t size,
                    hyp_paddr_t pa, unsigned prot)
{
    struct pgt_op op = {.kind = OP_MAP};
    int ret;

    ret = pgt_prot_to_attrs(pt->format, prot, &op.attrs);
    if (ret != HYP_OK)
        return ret;
    ret = check_range(pt, addr.val, size);
    if (ret != HYP_OK)
        return ret;
    if ((pa.val & (PGT_PAGE_SIZE - 1)) != 0)
        return HYP_EALIGN;
    if (pa.val + size < pa.val || pa.val + size > ((uint64_t)1 << pt->pa_bits))
        return HYP_ERANGE;
    op.delta = pa.val - addr.val;
    return run_op(pt, &op, addr.val, size);
}

int hyp_pgtable_unmap(struct hyp_pgtable *pt, hyp_iaddr_t addr, uint64_t size)
{
    struct pgt_op op = {.kind = OP_UNMAP};
    int ret = check_range(pt, addr.val, size);

    if (ret != HYP_OK)
        return ret;
    return run_op(pt, &op, addr.val, size);
}

int hyp_pgtable_protect(struct hyp_pgtable *pt, hyp_iaddr_t addr, uint64_t size,
                        unsigned prot)
{
    struct pgt_op op = {.kind = OP_PROTECT};
    int ret;

    ret = pgt_prot_to_attrs(pt->format, prot, &op.attrs);
    if (ret != HYP_OK)
        return ret;
    ret = check_range(pt, addr.val, size);
    if (ret != HYP_OK)
        return ret;
    return run_op(pt, &op, addr.val, size);
}

/* ---- Lookup and public walk ------------------------------------------- */

struct lookup_arg {
    uint64_t addr;
    struct hyp_pgtable_mapping *out;
};

static int lookup_leaf(struct pgt_visit *v)
{
    const struct lookup_arg *la = v->w->arg;

    if (!pte_valid(v->old))
        return HYP_ENOENT;
    if (la->out != NULL) {
        la->out->pa = hyp_pa(pte_oa(v->old) + (la->addr - v->addr));
        la->out->prot = pgt_attrs_to_prot(v->w->pt->format, v->old);
        la->out->level = v->level;
        la->out->base = hyp_ia(v->addr);
        la->out->size = pgt_level_size(v->level);
    }
    return PGT_STOP;
}

int hyp_pgtable_lookup(const struct hyp_pgtable *pt, hyp_iaddr_t addr,
                       struct hyp_pgtable_mapping *out)
{
    static const struct pgt_visitor vis = {.leaf = lookup_leaf};
    struct lookup_arg la = {.addr = addr.val, .out = out};
    struct pgt_walker w;

    if (addr.val >= ((uint64_t)1 << pt->ia_bits))
        return HYP_ERANGE;
    uint64_t page = addr.val & ~(PGT_PAGE_SIZE - 1);
    pgt_walker_init(&w, pt, NULL, page, page + PGT_PAGE_SIZE, &vis, &la);
    return pgt_walk(&w) == PGT_STOP ? HYP_OK : HYP_ENOENT;
}

struct user_walk {
    hyp_pgtable_visitor_fn fn;
    void *arg;
    unsigned kinds;
    int ret;
};

static int user_visit(struct pgt_visit *v, enum hyp_pgtable_visit_kind kind)
{
    struct user_walk *uw = v->w->arg;
    struct hyp_pgtable_visit visit = {
        .kind = kind,
        .addr = hyp_ia(v->addr),
        .size = pgt_level_size(v->level),
        .level = v->level,
        .desc = v->old,
        .pa = hyp_pa(pte_oa(v->old)),
    };

    if (!(uw->kinds & kind))
        return PGT_NEXT;
    if (kind == HYP_PGTABLE_VISIT_LEAF)
        visit.prot = pgt_attrs_to_prot(v->w->pt->format, v->old);
    uw->ret = uw->fn(&visit, uw->arg);
    return uw->ret != 0 ? PGT_STOP : PGT_NEXT;
}

static int user_leaf(struct pgt_visit *v)
{
    if (!pte_valid(v->old))
        return PGT_NEXT;
    return user_visit(v, HYP_PGTABLE_VISIT_LEAF);
}

static int user_pre(struct pgt_visit *v)
{
    return user_visit(v, HYP_PGTABLE_VISIT_TABLE_PRE);
}

static int user_post(struct pgt_visit *v)
{
    return user_visit(v, HYP_PGTABLE_VISIT_TABLE_POST);
}

int hyp_pgtable_walk(const struct hyp_pgtable *pt, hyp_iaddr_t addr, uint64_t size,
                     unsigned kinds, hyp_pgtable_visitor_fn fn, void *arg)
{
    static const struct pgt_visitor vis = {
        .leaf = user_leaf,
        .table_pre = user_pre,
        .table_post = user_post,
    };
    struct user_walk uw = {.fn = fn, .arg = arg, .kinds = kinds};
    struct pgt_walker w;
    int ret;

    if (fn == NULL)
        return HYP_EINVAL;
    ret = check_range(pt, addr.val, size);
    if (ret != HYP_OK)
        return ret;
    pgt_walker_init(&w, pt, NULL, addr.val, addr.val + size, &vis, &uw);
    (void)pgt_walk(&w);
    return uw.ret;
}

/* ---- Init and destroy --------------------------------------------------- */

int hyp_pgtable_init(struct hyp_pgtable *pt, const struct hyp_pgtable_config *cfg)
{
    unsigned start_level, root_pages;
    uint64_t ignored;

    if (pt == NULL || cfg == NULL || cfg->mm == NULL || cfg->mm->alloc_pages == NULL ||
        cfg->mm->free_pages == NULL)
        return HYP_EINVAL;
    if (hyp_pgtable_geometry(cfg->format, cfg->ia_bits, &start_level, &root_pages) !=
        HYP_OK)
        return HYP_EINVAL;
    if (hyp_pgtable_tcr_el2(cfg->ia_bits, cfg->pa_bits, &ignored) != HYP_OK)
        return HYP_EINVAL; /* pa_bits not encodable */
    if (cfg->format == HYP_PGTABLE_S2 && cfg->ia_bits > cfg->pa_bits)
        return HYP_EINVAL;

    *pt = (struct hyp_pgtable){
        .mm = cfg->mm,
        .mm_ctx = cfg->mm_ctx,
        .format = cfg->format,
        .ia_bits = cfg->ia_bits,
        .pa_bits = cfg->pa_bits,
        .start_level = start_level,
        .root_pages = root_pages,
        .vmid = cfg->format == HYP_PGTABLE_S2 ? cfg->vmid : 0,
    };
    pt->root = cfg->mm->alloc_pages(cfg->mm_ctx, root_pages);
    if (pt->root == NULL)
        return HYP_ENOMEM;
    pt->root_pa = pgt_virt_to_phys(pt, pt->root);
    if ((pt->root_pa & (root_pages * PGT_PAGE_SIZE - 1)) != 0) {
        cfg->mm->free_pages(cfg->mm_ctx, pt->root, root_pages);
        pt->root = NULL;
        return HYP_EALIGN;
    }
    pt->page_count = root_pages;
    return HYP_OK;
}

static int destroy_post(struct pgt_visit *v)
{
    struct hyp_pgtable *pt = v->w->mpt;

    pt->mm->free_pages(pt->mm_ctx, v->child, 1);
    pt->page_count--;
    return PGT_NEXT;
}

void hyp_pgtable_destroy(struct hyp_pgtable *pt)
{
    static const struct pgt_visitor vis = {.table_post = destroy_post};
    struct pgt_walker w;

    if (pt == NULL || pt->root == NULL)
        return;
    if (pt->format == HYP_PGTABLE_S2)
        arch_tlbi_s2_all(pt->vmid);
    else
        arch_tlbi_el2_all();
    pgt_walker_init(&w, pt, pt, 0, (uint64_t)1 << pt->ia_bits, &vis, NULL);
    (void)pgt_walk(&w);
    pt->mm->free_pages(pt->mm_ctx, pt->root, pt->root_pages);
    pt->page_count -= pt->root_pages;
    pt->root = NULL;
}

/* ---- Register values and accounting ------------------------------------ */

hyp_paddr_t hyp_pgtable_root(const struct hyp_pgtable *pt)
{
    return hyp_pa(pt->root_pa);
}

uint64_t hyp_pgtable_vttbr(const struct hyp_pgtable *pt)
{
    return pt->root_pa | ((uint64_t)pt->vmid << 48);
}

size_t hyp_pgtable_page_count(const struct hyp_pgtable *pt)
{
    return pt->page_count;
}
