/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file guest_devices.c
 * @brief Which host device nodes can be copied into a guest DTB, and what
 *        their `reg` and `clocks` say (see hyp_guest_dtb_check_device()).
 */
#include "fdt_index.h"
#include "guest_internal.h"

#include <hyp/error.h>
#include <hyp/guest.h>

#include <libfdt.h>

#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Properties that point at nodes the guest does not get (or that would need
 * a translation this copier does not do): a node with one is not copied. */
static const char *const unsupported[] = {
    "interrupts-extended",
    "interrupt-map",
    "interrupt-map-mask",
    "msi-parent",
    "msi-map",
    "iommus",
    "iommu-map",
    "resets",
    "power-domains",
    "dmas",
    "phys",
    "memory-region",
    "gpios",
    "assigned-clocks",
    "ranges",
};

static const char *const gic_compat[] = {
    "arm,gic-v3",        "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic",
    "arm,cortex-a7-gic", "arm,pl390",   "arm,arm11mp-gic",
};

static bool ends_with(const char *s, const char *tail)
{
    size_t ls = strlen(s), lt = strlen(tail);

    return ls >= lt && strcmp(s + ls - lt, tail) == 0;
}

static bool is_unsupported(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(unsupported); i++)
        if (strcmp(name, unsupported[i]) == 0)
            return true;
    return ends_with(name, "-gpios") || strncmp(name, "pinctrl-", 8) == 0;
}

bool hyp_guest_is_gic(const void *fdt, int node)
{
    for (size_t i = 0; i < ARRAY_LEN(gic_compat); i++)
        if (fdt_node_check_compatible(fdt, node, gic_compat[i]) == 0)
            return true;
    return false;
}

/* One cell of @p node's @p prop: 1 with *v set, 0 if absent, -1 if malformed. */
static int one_cell(const void *fdt, int node, const char *prop, uint32_t *v)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

    if (!p)
        return 0;
    if (len != (int)sizeof(*p))
        return -1;
    *v = fdt32_ld(p);
    return 1;
}

/* Every ancestor below the root must be an identity simple-bus (empty
 * `ranges`), so that `reg` holds CPU addresses. */
static int check_parents(const struct hyp_fdt_index *idx, int node, char *err)
{
    const void *fdt = idx->fdt;

    for (int p = hyp_fdt_index_parent(idx, node); p > 0;
         p = hyp_fdt_index_parent(idx, p)) {
        int len;

        if (fdt_node_check_compatible(fdt, p, "simple-bus") != 0 ||
            !fdt_getprop(fdt, p, "ranges", &len) || len != 0)
            return hyp_guest_fail(err, fdt, node, HYP_ENOTSUP,
                                  "not a child of the root or of an identity "
                                  "simple-bus (its parent '%s' translates addresses)",
                                  fdt_get_name(fdt, p, NULL));
    }
    return HYP_OK;
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = (v << 32) | fdt32_ld(p + i);
    return v;
}

static int read_reg(const struct hyp_fdt_index *idx, int node, struct hyp_guest_dev *dev,
                    char *err)
{
    const void *fdt = idx->fdt;
    int parent = hyp_fdt_index_parent(idx, node);
    int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent), len;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    int entry = (ac + sc) * (int)sizeof(fdt32_t);

    if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
        return hyp_guest_fail(err, fdt, node, HYP_EFORMAT,
                              "its parent's #address-cells/#size-cells are not 1 or 2");
    if (!reg || len == 0 || len % entry != 0)
        return hyp_guest_fail(err, fdt, node, HYP_EFORMAT,
                              "property 'reg': missing or not (address, size) pairs");
    if (len / entry > HYP_GUEST_DEV_MAX_REG)
        return hyp_guest_fail(err, fdt, node, HYP_ENOTSUP,
                              "property 'reg': %d ranges, at most %d copied", len / entry,
                              HYP_GUEST_DEV_MAX_REG);
    dev->reg_count = (unsigned)(len / entry);
    for (unsigned i = 0; i < dev->reg_count; i++) {
        const fdt32_t *e = reg + i * (unsigned)(ac + sc);

        dev->reg[i].base = read_cells(e, ac);
        dev->reg[i].size = read_cells(e + ac, sc);
    }
    return HYP_OK;
}

/* The interrupt parent that governs @p node must be the GIC, with 3 cells. */
static int check_irq_parent(const struct hyp_fdt_index *idx, int node, char *err)
{
    const void *fdt = idx->fdt;
    uint32_t ph = 0, cells = 0;
    int rc = 0, ctl;

    if (!fdt_getprop(fdt, node, "interrupts", NULL))
        return HYP_OK;
    for (int n = node; n >= 0 && rc == 0; n = n == 0 ? -1 : hyp_fdt_index_parent(idx, n))
        rc = one_cell(fdt, n, "interrupt-parent", &ph);
    ctl = rc == 1 ? hyp_fdt_index_by_phandle(idx, ph) : -1;
    if (ctl < 0)
        return hyp_guest_fail(err, fdt, node, HYP_EFORMAT,
                              "no interrupt parent for its 'interrupts'");
    if (!hyp_guest_is_gic(fdt, ctl))
        return hyp_guest_fail(err, fdt, node, HYP_ENOTSUP,
                              "its interrupts go to '%s', not to the GIC",
                              fdt_get_name(fdt, ctl, NULL));
    if (one_cell(fdt, ctl, "#interrupt-cells", &cells) != 1 || cells != 3)
        return hyp_guest_fail(err, fdt, node, HYP_ENOTSUP,
                              "the GIC's #interrupt-cells is not 3");
    return HYP_OK;
}

/* `clocks`: every specifier must name a fixed clock (#clock-cells = 0). */
static int read_clocks(const struct hyp_fdt_index *idx, int node,
                       struct hyp_guest_dev *dev, char *err)
{
    const void *fdt = idx->fdt;
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, "clocks", &len);

    dev->clk_count = 0;
    if (!p)
        return HYP_OK;
    if (len == 0 || len % 4 != 0)
        return hyp_guest_fail(err, fdt, node, HYP_EFORMAT, "property 'clocks': length %d",
                              len);
    for (int i = 0; i < len / 4; i++) {
        int clk = hyp_fdt_index_by_phandle(idx, fdt32_ld(p + i));
        uint32_t cells = 1;

        if (clk < 0)
            return hyp_guest_fail(err, fdt, node, HYP_EFORMAT,
                                  "property 'clocks': entry %d names no node", i);
        if (fdt_node_check_compatible(fdt, clk, "fixed-clock") != 0 ||
            one_cell(fdt, clk, "#clock-cells", &cells) != 1 || cells != 0)
            return hyp_guest_fail(err, fdt, node, HYP_ENOTSUP,
                                  "property 'clocks': '%s' is not a fixed clock",
                                  fdt_get_name(fdt, clk, NULL));
        if (dev->clk_count == HYP_GUEST_DEV_MAX_CLOCKS)
            return hyp_guest_fail(err, fdt, node, HYP_ENOTSUP,
                                  "property 'clocks': more than %d clocks",
                                  HYP_GUEST_DEV_MAX_CLOCKS);
        dev->clk[dev->clk_count++] = clk;
    }
    return HYP_OK;
}

int hyp_guest_dev_read(const struct hyp_fdt_index *idx, int node,
                       struct hyp_guest_dev *dev, char *err)
{
    const void *host = idx->fdt;
    int off, rc;

    if (fdt_get_name(host, node, NULL) == NULL || node == 0)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL, "node %d is not a device node",
                              node);
    fdt_for_each_property_offset(off, host, node)
    {
        const char *name;

        if (fdt_getprop_by_offset(host, off, &name, NULL) && is_unsupported(name))
            return hyp_guest_fail(err, host, node, HYP_ENOTSUP,
                                  "property '%s' refers to nodes the guest does not get",
                                  name);
    }
    rc = check_parents(idx, node, err);
    if (rc == HYP_OK)
        rc = read_reg(idx, node, dev, err);
    if (rc == HYP_OK)
        rc = check_irq_parent(idx, node, err);
    if (rc == HYP_OK)
        rc = read_clocks(idx, node, dev, err);
    return rc;
}

int hyp_guest_dtb_check_device(const void *host_dtb, int node, char *err)
{
    struct hyp_guest_dev dev;

    if (err)
        err[0] = '\0';
    if (!host_dtb || fdt_check_header(host_dtb) != 0)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL, "no valid host DTB");
    return hyp_guest_dev_read(hyp_fdt_index_for(host_dtb), node, &dev, err);
}
