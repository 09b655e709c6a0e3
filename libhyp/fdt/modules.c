/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file modules.c
 * @brief Boot modules under `/chosen`, dom0less style (see hyp/guest.h).
 */
#include "guest_internal.h"

#include <hyp/error.h>
#include <hyp/guest.h>

#include <libfdt.h>
#include "fdt_check.h"
#include "fdt_util.h"

#include <string.h>

/** What one module node is for. */
enum module_kind { MOD_OTHER, MOD_KERNEL, MOD_RAMDISK };

/** One call's state. */
struct mctx {
    const void *fdt;
    char *err;
    unsigned ac, sc; /**< Cells of a module's `reg` address and size. */
};

static int mfail_blob(struct mctx *c, int code, const char *what, int rc)
{
    return hyp_guest_fail(c->err, NULL, -1, code, "%s: %s", what, fdt_strerror(rc));
}

/** Check the blob against the bytes the caller lets us read. */
static int check_blob(struct mctx *c, size_t dtb_max)
{
    int rc;

    if ((uintptr_t)c->fdt % 8 != 0)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EALIGN,
                              "DTB at %p is not 8-byte aligned", c->fdt);
    if (dtb_max < sizeof(struct fdt_header))
        return hyp_guest_fail(c->err, NULL, -1, HYP_EFORMAT,
                              "DTB truncated: %zu bytes, smaller than its header",
                              dtb_max);
    if (fdt_magic(c->fdt) != FDT_MAGIC)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EFORMAT,
                              "DTB header: bad magic 0x%08x",
                              (unsigned)fdt_magic(c->fdt));
    if (fdt_totalsize(c->fdt) > dtb_max)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EFORMAT,
                              "DTB truncated: totalsize %u exceeds the %zu bytes given",
                              (unsigned)fdt_totalsize(c->fdt), dtb_max);
    rc = fdt_check_header(c->fdt);
    if (rc != 0)
        return mfail_blob(c, HYP_EFORMAT, "DTB header", rc);
    rc = hyp_fdt_check_full(c->fdt, fdt_totalsize(c->fdt));
    if (rc != 0)
        return mfail_blob(c, HYP_EFORMAT, "DTB structure", rc);
    return HYP_OK;
}

/**
 * Read `#address-cells` or `#size-cells` of @p node into @p out (1 or 2).
 * @return HYP_OK, HYP_ENOENT (no message) if absent, HYP_EFORMAT.
 */
static int cells_of(struct mctx *c, int node, const char *name, unsigned *out)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, name, &len);
    uint32_t v;

    if (!p)
        return HYP_ENOENT;
    if (len != (int)sizeof(*p))
        return hyp_guest_fail(c->err, c->fdt, node, HYP_EFORMAT,
                              "property '%s': length %d, expected 4", name, len);
    v = fdt32_ld(p);
    if (v < 1 || v > 2)
        return hyp_guest_fail(c->err, c->fdt, node, HYP_EFORMAT,
                              "property '%s': %u cells, module addresses need 1 or 2",
                              name, (unsigned)v);
    *out = v;
    return HYP_OK;
}

/** Cell counts for module `reg`: /chosen's own, else the root's, else 2 and 1. */
static int module_cells(struct mctx *c, int chosen)
{
    int rc;

    rc = cells_of(c, chosen, "#address-cells", &c->ac);
    if (rc == HYP_ENOENT) {
        rc = cells_of(c, 0, "#address-cells", &c->ac);
        if (rc == HYP_ENOENT) {
            c->ac = 2;
            rc = HYP_OK;
        }
    }
    if (rc != HYP_OK)
        return rc;
    rc = cells_of(c, chosen, "#size-cells", &c->sc);
    if (rc == HYP_ENOENT) {
        rc = cells_of(c, 0, "#size-cells", &c->sc);
        if (rc == HYP_ENOENT) {
            c->sc = 1;
            rc = HYP_OK;
        }
    }
    return rc;
}

/** Absent `status`, "okay" and "ok" mean enabled. */
static bool node_enabled(const struct mctx *c, int node)
{
    int len;
    const char *s = fdt_getprop(c->fdt, node, "status", &len);

    if (!s)
        return true;
    return (len == 5 && memcmp(s, "okay", 5) == 0) ||
           (len == 3 && memcmp(s, "ok", 3) == 0);
}

static enum module_kind module_kind(const struct mctx *c, int node)
{
    if (fdt_node_check_compatible(c->fdt, node, "multiboot,kernel") == 0)
        return MOD_KERNEL;
    if (fdt_node_check_compatible(c->fdt, node, "multiboot,ramdisk") == 0)
        return MOD_RAMDISK;
    return MOD_OTHER;
}

/** Decode a module's single (address, size) `reg` entry. */
static int module_reg(struct mctx *c, int node, struct hyp_range *out)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, "reg", &len);
    int want = (int)((c->ac + c->sc) * sizeof(fdt32_t));

    if (!p)
        return hyp_guest_fail(c->err, c->fdt, node, HYP_EFORMAT,
                              "property 'reg': missing");
    if (len != want)
        return hyp_guest_fail(c->err, c->fdt, node, HYP_EFORMAT,
                              "property 'reg': length %d, expected %d (one entry; "
                              "/chosen #address-cells=%u, #size-cells=%u)",
                              len, want, c->ac, c->sc);
    out->base = hyp_fdt_cells(p, c->ac);
    out->size = hyp_fdt_cells(p + c->ac, c->sc);
    if (out->size == 0)
        return hyp_guest_fail(c->err, c->fdt, node, HYP_EFORMAT,
                              "property 'reg': module at 0x%llx has size 0",
                              (unsigned long long)out->base);
    if (out->base + (out->size - 1) < out->base)
        return hyp_guest_fail(c->err, c->fdt, node, HYP_EFORMAT,
                              "property 'reg': 0x%llx + 0x%llx wraps around",
                              (unsigned long long)out->base,
                              (unsigned long long)out->size);
    return HYP_OK;
}

/** A module must stay clear of every forbidden range. */
static int check_forbidden(struct mctx *c, int node, const struct hyp_range *m,
                           const struct hyp_range *forbidden, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        const struct hyp_range *f = &forbidden[i];

        if (hyp_guest_overlap(m->base, m->size, f->base, f->size))
            return hyp_guest_fail(
                c->err, c->fdt, node, HYP_EBUSY,
                "property 'reg': module 0x%llx+0x%llx overlaps "
                "forbidden range %u (0x%llx+0x%llx)",
                (unsigned long long)m->base, (unsigned long long)m->size, i,
                (unsigned long long)f->base, (unsigned long long)f->size);
    }
    return HYP_OK;
}

/** The kernel module's `bootargs`, which must be a string when present. */
static int module_bootargs(struct mctx *c, int node, const char **out)
{
    int len;
    const char *s = fdt_getprop(c->fdt, node, "bootargs", &len);

    *out = NULL;
    if (!s)
        return HYP_OK;
    if (len < 1 || s[len - 1] != '\0' || memchr(s, '\0', (size_t)len) != s + len - 1)
        return hyp_guest_fail(c->err, c->fdt, node, HYP_EFORMAT,
                              "property 'bootargs': not a single string");
    *out = s;
    return HYP_OK;
}

int hyp_guest_modules_find(const void *dtb, size_t dtb_max,
                           const struct hyp_range *forbidden, unsigned forbidden_count,
                           struct hyp_guest_modules *mods, char *err)
{
    struct mctx c = {.fdt = dtb, .err = err};
    int chosen, node, rc;

    if (err)
        err[0] = '\0';
    if (!dtb || !mods || (!forbidden && forbidden_count))
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL, "NULL %s",
                              !dtb    ? "DTB"
                              : !mods ? "modules"
                                      : "forbidden ranges");
    memset(mods, 0, sizeof(*mods));
    mods->kernel_node = -1;
    mods->ramdisk_node = -1;

    rc = check_blob(&c, dtb_max);
    if (rc != HYP_OK)
        return rc;
    chosen = fdt_path_offset(dtb, "/chosen");
    if (chosen < 0)
        return hyp_guest_fail(err, NULL, -1, HYP_ENOENT,
                              "/chosen: node missing, so no guest kernel module");
    rc = module_cells(&c, chosen);
    if (rc != HYP_OK)
        return rc;

    fdt_for_each_subnode(node, dtb, chosen)
    {
        enum module_kind kind = module_kind(&c, node);
        struct hyp_range r;
        int *slot_node;

        if (kind == MOD_OTHER || !node_enabled(&c, node))
            continue;
        slot_node = kind == MOD_KERNEL ? &mods->kernel_node : &mods->ramdisk_node;
        if (*slot_node >= 0) {
            char first[64];

            if (fdt_get_path(dtb, *slot_node, first, sizeof(first)) != 0)
                strcpy(first, "?");
            return hyp_guest_fail(err, dtb, node, HYP_EEXIST,
                                  "property 'compatible': a second \"multiboot,%s\" "
                                  "module (the first is %s)",
                                  kind == MOD_KERNEL ? "kernel" : "ramdisk", first);
        }
        rc = module_reg(&c, node, &r);
        if (rc == HYP_OK)
            rc = check_forbidden(&c, node, &r, forbidden, forbidden_count);
        if (rc != HYP_OK)
            return rc;
        *slot_node = node;
        if (kind == MOD_KERNEL) {
            mods->kernel = r;
            rc = module_bootargs(&c, node, &mods->bootargs);
            if (rc != HYP_OK)
                return rc;
        } else {
            mods->ramdisk = r;
        }
    }
    if (node < 0 && node != -FDT_ERR_NOTFOUND)
        return hyp_guest_fail(err, dtb, chosen, HYP_EFORMAT, "walking subnodes: %s",
                              fdt_strerror(node));
    if (mods->kernel_node < 0)
        return hyp_guest_fail(err, dtb, chosen, HYP_ENOENT,
                              "no enabled module compatible with \"multiboot,kernel\"");
    if (mods->ramdisk_node >= 0 &&
        hyp_guest_overlap(mods->kernel.base, mods->kernel.size, mods->ramdisk.base,
                          mods->ramdisk.size))
        return hyp_guest_fail(err, dtb, mods->ramdisk_node, HYP_EBUSY,
                              "property 'reg': ramdisk 0x%llx+0x%llx overlaps the "
                              "kernel module 0x%llx+0x%llx",
                              (unsigned long long)mods->ramdisk.base,
                              (unsigned long long)mods->ramdisk.size,
                              (unsigned long long)mods->kernel.base,
                              (unsigned long long)mods->kernel.size);
    if (err)
        err[0] = '\0';
    return HYP_OK;
}
