/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internals of the page-table component: descriptor bits, the generic
 * walker and its visitor interface, the break-before-make helpers.
 */
#ifndef HYP_PGTABLE_INTERNAL_H
#define HYP_PGTABLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyp/pgtable.h>

/* ---- Descriptor layout (VMSAv8-64, 4 KiB granule) ---------------------- */

#define PGT_PAGE_SHIFT     12u
#define PGT_PAGE_SIZE      ((uint64_t)1 << PGT_PAGE_SHIFT)
#define PGT_ENTRIES        512u
#define PGT_LAST_LEVEL     3u
#define PGT_MAX_ROOT_PAGES 16u

#define PTE_VALID      ((uint64_t)1 << 0)
#define PTE_TYPE_MASK  ((uint64_t)3)
#define PTE_TYPE_BLOCK ((uint64_t)1)                  /* levels 1, 2 */
#define PTE_TYPE_TABLE ((uint64_t)3)                  /* levels 0..2 */
#define PTE_TYPE_PAGE  ((uint64_t)3)                  /* level 3 */
#define PTE_OA_MASK    ((uint64_t)0x0000fffffffff000) /* bits [47:12] */
#define PTE_ATTR_MASK  (~(PTE_OA_MASK | PTE_TYPE_MASK))

/* Lower and upper attributes common to both formats. */
#define PTE_SH_INNER ((uint64_t)3 << 8)
#define PTE_AF       ((uint64_t)1 << 10)
#define PTE_XN       ((uint64_t)1 << 54) /* S2 XN[1]; EL2 stage-1 XN */

/* Stage 2. */
#define PTE_S2_MEMATTR_SHIFT     2u
#define PTE_S2_MEMATTR_MASK      ((uint64_t)0xf << PTE_S2_MEMATTR_SHIFT)
#define PTE_S2_MEMATTR_NORMAL_WB ((uint64_t)0xf << PTE_S2_MEMATTR_SHIFT)
#define PTE_S2_MEMATTR_DEV_NGNRE ((uint64_t)0x1 << PTE_S2_MEMATTR_SHIFT)
#define PTE_S2AP_R               ((uint64_t)1 << 6)
#define PTE_S2AP_W               ((uint64_t)1 << 7)

/* EL2 stage 1 (single privilege level: AP[1] is RES1). */
#define PTE_S1_ATTRIDX_SHIFT 2u
#define PTE_S1_ATTRIDX_MASK  ((uint64_t)7 << PTE_S1_ATTRIDX_SHIFT)
#define PTE_S1_AP1           ((uint64_t)1 << 6)
#define PTE_S1_AP_RO         ((uint64_t)1 << 7)

static inline uint64_t pgt_level_shift(unsigned level)
{
    return PGT_PAGE_SHIFT + 9u * (PGT_LAST_LEVEL - level);
}

static inline uint64_t pgt_level_size(unsigned level)
{
    return (uint64_t)1 << pgt_level_shift(level);
}

static inline bool pte_valid(uint64_t pte)
{
    return (pte & PTE_VALID) != 0;
}

static inline bool pte_is_table(uint64_t pte, unsigned level)
{
    return level < PGT_LAST_LEVEL && (pte & PTE_TYPE_MASK) == PTE_TYPE_TABLE;
}

static inline bool pte_is_leaf(uint64_t pte, unsigned level)
{
    if (level == PGT_LAST_LEVEL)
        return (pte & PTE_TYPE_MASK) == PTE_TYPE_PAGE;
    return level > 0 && (pte & PTE_TYPE_MASK) == PTE_TYPE_BLOCK;
}

static inline uint64_t pte_oa(uint64_t pte)
{
    return pte & PTE_OA_MASK;
}

/* Level at which a block/page entry is a leaf: type bits for that level. */
static inline uint64_t pte_leaf_type(unsigned level)
{
    return level == PGT_LAST_LEVEL ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK;
}

/* Descriptors are read and written with single 64-bit volatile accesses. */
static inline uint64_t pte_load(const uint64_t *ptep)
{
    return *(const volatile uint64_t *)ptep;
}

static inline void pte_store(uint64_t *ptep, uint64_t val)
{
    *(volatile uint64_t *)ptep = val;
}

/* ---- Formats (format.c) --------------------------------------------- */

/* Attribute bits (everything but OA and type) for `prot`, or an error. */
int pgt_prot_to_attrs(enum hyp_pgtable_format format, unsigned prot, uint64_t *attrs);
/* ::hyp_prot flags of a valid leaf descriptor. */
unsigned pgt_attrs_to_prot(enum hyp_pgtable_format format, uint64_t pte);

/* ---- Generic walker (walk.c) ------------------------------------------ */

/* Visitor return values; negative values are hyp_err codes and abort. */
#define PGT_NEXT    0 /* continue */
#define PGT_SKIP    1 /* table_pre: do not descend into this table */
#define PGT_DESCEND 2 /* leaf: descend into the new table in visit->child */
#define PGT_STOP    3 /* stop the walk (public walk's visitor asked to) */

struct pgt_walker;

/* One entry being visited. */
struct pgt_visit {
    struct pgt_walker *w;
    uint64_t *ptep; /* the entry */
    uint64_t old;   /* its value (kept current by pgt_set()) */
    uint64_t addr;  /* first input address it covers */
    unsigned level;
    bool live;       /* the entry is reachable by hardware walkers */
    bool full;       /* its whole span lies inside the walk range */
    uint64_t *child; /* table below it (existing or new) */
    bool child_new;  /* child is an unlinked table made by pgt_new_table() */
};

typedef int (*pgt_visit_fn)(struct pgt_visit *v);

/*
 * Callbacks; any may be NULL.
 * - leaf: every non-table entry (valid or not) intersecting the range. It
 *   may return PGT_DESCEND after pgt_new_table() to fill a new table below.
 * - table_pre: every table entry intersecting the range, before descending.
 * - table_post: after the children of a table entry were walked (existing
 *   table), or after a new table was filled (v->child_new). For a new table,
 *   table_post must install or free it.
 */
struct pgt_visitor {
    pgt_visit_fn leaf;
    pgt_visit_fn table_pre;
    pgt_visit_fn table_post;
};

#define PGT_DEFER_MAX 16u
#define PGT_MAKE_MAX  64u

struct pgt_walker {
    const struct hyp_pgtable *pt;
    struct hyp_pgtable *mpt; /* NULL for read-only walks */
    uint64_t start, end;     /* [start, end) */
    const struct pgt_visitor *vis;
    void *arg;
    /* Reserved pages (linked through their first word). */
    uint64_t *cache;
    size_t cache_count;
    /* Pending range invalidation of entries made invalid. */
    bool tlbi_pending;
    uint64_t tlbi_lo, tlbi_hi;
    unsigned tlbi_level;
    /* Entries broken and waiting for the invalidation before being made. */
    uint64_t *make_ptep[PGT_MAKE_MAX];
    uint64_t make_val[PGT_MAKE_MAX];
    unsigned make_count;
    /* Tables unlinked but not yet freed (wait for the invalidation). */
    uint64_t *defer[PGT_DEFER_MAX];
    unsigned defer_level[PGT_DEFER_MAX];
    unsigned defer_count;
    bool need_sync;
};

void pgt_walker_init(struct pgt_walker *w, const struct hyp_pgtable *pt,
                     struct hyp_pgtable *mpt, uint64_t start, uint64_t end,
                     const struct pgt_visitor *vis, void *arg);
int pgt_walk(struct pgt_walker *w);
/* Flush pending invalidations and frees, sync stores, release the cache. */
void pgt_walker_finish(struct pgt_walker *w);
/* Issue the pending invalidation, then write the entries waiting for it. */
void pgt_flush(struct pgt_walker *w);

/* Page helpers. */
uint64_t pgt_virt_to_phys(const struct hyp_pgtable *pt, const void *va);
uint64_t *pgt_phys_to_virt(const struct hyp_pgtable *pt, uint64_t pa);
int pgt_reserve(struct pgt_walker *w, size_t count);
void pgt_free_tree(struct hyp_pgtable *pt, uint64_t *table, unsigned level);

/* Make an unlinked table below `v`, filled with what v->old maps (nothing
 * for an invalid entry, the pieces of a block otherwise). */
int pgt_new_table(struct pgt_visit *v);
/* Free an unlinked table made by pgt_new_table(). */
void pgt_drop_new_table(struct pgt_visit *v);

/* The one place entries change: break-before-make when v is live and valid,
 * plain store (then sync) otherwise. A replaced table is freed after the
 * invalidation. Breaks are batched: a broken entry reads as invalid until
 * the next pgt_flush(), which the walker issues before every table_post. */
void pgt_set(struct pgt_visit *v, uint64_t val);

#endif /* HYP_PGTABLE_INTERNAL_H */
