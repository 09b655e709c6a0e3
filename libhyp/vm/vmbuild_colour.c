/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cache colours at VM build time (target only): the check of a coloured
 * VM's stage 2 and the move of the hypervisor's image to colours of its own.
 */
#include <stdio.h>
#include <hyp/colour.h>
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/page_pool.h>
#include <hyp/vmbuild.h>

#define PAGE 4096ULL

/* Where the image runs once moved; hyp_el2_relocate() keeps using it. */
static struct hyp_colour_layout image_layout;
/* EL2's table pages once the image moved: of the hypervisor's colours. */
static struct hyp_page_pool el2_tables;

static const char *verdict(const struct hyp_colour_audit *a)
{
    return a->missing || a->wrong || a->outside ? "WRONG" : "ok";
}

int hyp_vmbuild_audit_colours(const struct hyp_vmbuild *b, const char *when, char *line,
                              size_t len)
{
    const struct hyp_vmconfig_vm *v = b->cfg;
    struct hyp_colour_audit a;
    char set[96];
    int rc;

    if (!v->colours)
        return HYP_ENOENT;
    hyp_colour_format(v->colours, set, sizeof(set));
    rc = hyp_colour_audit(&b->vm.s2, v->mem_ipa, v->mem.size, &v->layout, &a);
    if (rc != HYP_OK) {
        snprintf(line, len, "colours %s %s: audit failed: %s", set, when,
                 hyp_strerror(rc));
        return rc;
    }
    snprintf(
        line, len,
        "colours %s %s: %llu RAM pages mapped, %llu missing, %llu of another colour, "
        "%llu outside its span: %s",
        set, when, (unsigned long long)a.pages, (unsigned long long)a.missing,
        (unsigned long long)a.wrong, (unsigned long long)a.outside, verdict(&a));
    return a.missing || a.wrong || a.outside ? HYP_EINVAL : HYP_OK;
}

int hyp_vmbuild_move_image(const struct hyp_vmconfig *cfg, uint64_t *end, char *line,
                           size_t len)
{
    struct hyp_range image = hyp_image_range();
    uint64_t pool_base = (image.base + image.size + PAGE - 1) & ~(PAGE - 1);
    uint64_t size = hyp_el2_movable_size();
    uint64_t span = hyp_colour_span(&cfg->geom, cfg->hyp_colours, size);
    uint64_t period = cfg->geom.colours * (uint64_t)HYP_COLOUR_PAGE;
    uint64_t base = (*end - span) & ~(period - 1);
    /* EL2's tables below it: their pages of its colours, and one period
     * more for the pool's bitmap page. */
    uint64_t tspan = hyp_colour_span(&cfg->geom, cfg->hyp_colours,
                                     HYP_VMBUILD_EL2_TABLE_PAGES * PAGE) +
                     period;
    uint64_t tbase = base - tspan;
    struct hyp_colour_audit a;
    char err[128] = "", set[96];
    int rc;

    hyp_colour_format(cfg->hyp_colours, set, sizeof(set));
    if (span == 0 || *end < pool_base || span + tspan > *end - pool_base ||
        tbase < pool_base + HYP_VMBUILD_POOL_MIN) {
        snprintf(line, len,
                 "no room in colours %s below %#llx: image (%llu KiB) and EL2 tables "
                 "span %llu KiB, + %llu KiB of pool: give the hypervisor more colours",
                 set, (unsigned long long)*end, (unsigned long long)(size >> 10),
                 (unsigned long long)((span + tspan) >> 10),
                 (unsigned long long)(HYP_VMBUILD_POOL_MIN >> 10));
        return HYP_ERANGE;
    }
    rc = hyp_colour_layout_init(&image_layout, &cfg->geom, cfg->hyp_colours, base, size);
    if (rc == HYP_OK)
        rc = hyp_el2_map(tbase, tspan, HYP_PROT_RW);
    if (rc == HYP_OK)
        rc = hyp_page_pool_init(&el2_tables, (void *)(uintptr_t)tbase, tspan);
    if (rc == HYP_OK)
        rc = hyp_page_pool_keep_colours(&el2_tables, cfg->geom.colours, cfg->hyp_colours);
    if (rc == HYP_OK)
        rc = hyp_el2_relocate(&image_layout, &el2_tables, err, sizeof(err));
    if (rc != HYP_OK) {
        snprintf(line, len, "cannot move the image to colours %s: %s", set,
                 err[0] != '\0' ? err : hyp_strerror(rc));
        return rc;
    }
    rc = hyp_el2_audit_image(&image_layout, &a);
    snprintf(line, len,
             "image moved to colours %s in %#llx..%#llx: %llu pages, %llu missing, "
             "%llu of another colour, %llu outside its span: %s",
             set, (unsigned long long)base, (unsigned long long)(base + span - 1),
             (unsigned long long)a.pages, (unsigned long long)a.missing,
             (unsigned long long)a.wrong, (unsigned long long)a.outside,
             rc != HYP_OK ? "WRONG" : verdict(&a));
    /* The page pool ends a page below EL2's tables: were their mappings
     * adjacent, mapping the pool could merge both into one 2 MiB block, and
     * the break-before-make of that merge would unmap the very table pages
     * being written (a crash as soon as the image moves to a place that
     * puts a table page there). */
    *end = tbase - PAGE;
    return HYP_OK;
}

int hyp_vmbuild_audit_tables(const struct hyp_vmconfig *cfg,
                             const struct hyp_vmbuild *vms, unsigned count, char *line,
                             size_t len)
{
    struct hyp_colour_audit a;
    uint64_t s2_pages = 0, wrong = 0;
    char set[96];
    int rc = HYP_OK;

    if (!cfg->hyp_colours)
        return HYP_ENOENT;
    hyp_colour_format(cfg->hyp_colours, set, sizeof(set));
    for (unsigned i = 0; i < count; i++) {
        rc = hyp_colour_audit_tables(&vms[i].vm.s2, cfg->geom.colours, cfg->hyp_colours,
                                     &a);
        if (rc != HYP_OK)
            break;
        s2_pages += a.pages;
        wrong += a.wrong;
    }
    if (rc == HYP_OK)
        rc = hyp_el2_audit_tables(cfg->geom.colours, cfg->hyp_colours, &a);
    if (rc != HYP_OK) {
        snprintf(line, len, "tables in colours %s: audit failed: %s", set,
                 hyp_strerror(rc));
        return rc;
    }
    wrong += a.wrong;
    snprintf(line, len,
             "tables in colours %s: %llu stage-2 table pages of %u VM%s, %llu EL2 table "
             "pages, %llu of another colour: %s",
             set, (unsigned long long)s2_pages, count, count == 1 ? "" : "s",
             (unsigned long long)a.pages, (unsigned long long)wrong,
             wrong ? "WRONG" : "ok");
    return wrong ? HYP_EINVAL : HYP_OK;
}
