/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file colour_audit.c
 * @brief hyp_colour_audit(): the pages a stage 2 maps for coloured RAM, checked
 *        page by page against the layout (see hyp/colour.h).
 */
#include <hyp/colour.h>
#include <hyp/error.h>
#include <hyp/pgtable.h>

#include <string.h>

/** hyp_colour_audit()'s walk state. */
struct audit {
    const struct hyp_colour_layout *l;
    uint64_t ipa, end;
    struct hyp_colour_audit *out;
};

static int audit_leaf(const struct hyp_pgtable_visit *v, void *arg)
{
    struct audit *a = arg;
    uint64_t lo = v->addr.val > a->ipa ? v->addr.val : a->ipa;
    uint64_t hi = v->addr.val + v->size < a->end ? v->addr.val + v->size : a->end;

    for (uint64_t at = lo; at < hi; at += HYP_COLOUR_PAGE) {
        uint64_t pa = v->pa.val + (at - v->addr.val);
        unsigned colour = (unsigned)((pa / HYP_COLOUR_PAGE) % a->l->period);
        bool mine = false;

        for (unsigned i = 0; i < a->l->count && !mine; i++)
            mine = a->l->list[i] == colour;
        a->out->pages++;
        if (!mine && a->out->wrong++ == 0)
            a->out->first_wrong = at;
        if (pa < a->l->base || pa - a->l->base >= a->l->span)
            a->out->outside++;
    }
    return 0;
}

int hyp_colour_audit(const struct hyp_pgtable *s2, uint64_t ipa, uint64_t size,
                     const struct hyp_colour_layout *l, struct hyp_colour_audit *out)
{
    struct audit a = {l, ipa, ipa + size, out};
    int rc;

    if (!s2 || !l || !out || l->count == 0)
        return HYP_EINVAL;
    memset(out, 0, sizeof(*out));
    rc = hyp_pgtable_walk(s2, hyp_ia(ipa), size, HYP_PGTABLE_VISIT_LEAF, audit_leaf, &a);
    if (rc != HYP_OK)
        return rc;
    out->missing = size / HYP_COLOUR_PAGE - out->pages;
    return HYP_OK;
}

/** hyp_colour_audit_tables()'s walk state. */
struct table_audit {
    unsigned period;
    hyp_colour_set set;
    struct hyp_colour_audit *out;
};

static void table_page(struct table_audit *t, uint64_t pa)
{
    t->out->pages++;
    if (!((t->set >> ((pa / HYP_COLOUR_PAGE) % t->period)) & 1u) && t->out->wrong++ == 0)
        t->out->first_wrong = pa;
}

static int audit_table(const struct hyp_pgtable_visit *v, void *arg)
{
    table_page(arg, v->pa.val);
    return 0;
}

int hyp_colour_audit_tables(const struct hyp_pgtable *pt, unsigned period,
                            hyp_colour_set set, struct hyp_colour_audit *out)
{
    struct table_audit t = {period, set, out};

    if (!pt || !out || period == 0 || period > HYP_COLOUR_MAX || set == 0)
        return HYP_EINVAL;
    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < pt->root_pages; i++)
        table_page(&t, pt->root_pa + (uint64_t)i * HYP_COLOUR_PAGE);
    return hyp_pgtable_walk(pt, hyp_ia(0), (uint64_t)1 << pt->ia_bits,
                            HYP_PGTABLE_VISIT_TABLE_PRE, audit_table, &t);
}
