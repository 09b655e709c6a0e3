/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cache colours at VM build time (target only): the check of a coloured
 * VM's stage 2 and the move of the hypervisor's image to colours of its own.
 */
#include <stdio.h>
#include <hyp/colour.h>
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/vmbuild.h>

#define PAGE 4096ULL

/* Where the image runs once moved; hyp_el2_relocate() keeps using it. */
static struct hyp_colour_layout image_layout;

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
    struct hyp_colour_audit a;
    char err[128] = "", set[96];
    int rc;

    hyp_colour_format(cfg->hyp_colours, set, sizeof(set));
    if (span == 0 || *end < pool_base || span > *end - pool_base ||
        base < pool_base + HYP_VMBUILD_POOL_MIN) {
        snprintf(line, len, "no room for the image in colours %s below %#llx", set,
                 (unsigned long long)*end);
        return HYP_ERANGE;
    }
    rc = hyp_colour_layout_init(&image_layout, &cfg->geom, cfg->hyp_colours, base, size);
    if (rc == HYP_OK)
        rc = hyp_el2_relocate(&image_layout, err, sizeof(err));
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
    *end = base;
    return HYP_OK;
}
