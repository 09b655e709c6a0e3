/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file colour_dt.c
 * @brief hyp_colour_geom_from_dt(): the LLC geometry from the board's cache
 *        nodes or the `/hypervisor` override (see hyp/colour.h).
 */
#include <hyp/colour.h>
#include <hyp/error.h>

#include <libfdt.h>

#include <stdio.h>
#include <string.h>

/** Longest `next-level-cache` chain followed (a loop guard). */
#define CACHE_HOPS 8

/** A one-cell property, or -1 if absent, -2 if of the wrong length. */
static int64_t cell(const void *fdt, int node, const char *name)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

    if (!p)
        return -1;
    if (len != (int)sizeof(*p))
        return -2;
    return fdt32_ld(p);
}

/** Geometry from three cells of @p node (either the override or a cache node). */
static int from_cells(const void *fdt, int node, const char *const names[3],
                      struct hyp_colour_geom *g, char *why, size_t why_len)
{
    int64_t v[3];
    char reason[96], path[64];

    for (int i = 0; i < 3; i++) {
        v[i] = cell(fdt, node, names[i]);
        if (i == 1 && v[i] == -1 && strcmp(names[1], "cache-line-size") == 0)
            v[i] = cell(fdt, node, "cache-block-size");
        if (v[i] < 0 || v[i] == 0) {
            if (fdt_get_path(fdt, node, path, sizeof(path)) < 0)
                snprintf(path, sizeof(path), "?");
            snprintf(why, why_len, "%s: %s: %s", path, names[i],
                     v[i] == -1 ? "missing (the LLC's geometry needs it)"
                                : "must be one non-zero cell");
            return HYP_EFORMAT;
        }
    }
    if (hyp_colour_geom_init(g, (uint64_t)v[0], (uint32_t)v[1], (uint32_t)v[2], reason,
                             sizeof(reason)) != HYP_OK) {
        if (fdt_get_path(fdt, node, path, sizeof(path)) < 0)
            snprintf(path, sizeof(path), "?");
        snprintf(why, why_len, "%s: cache geometry: %s", path, reason);
        return HYP_EINVAL;
    }
    return HYP_OK;
}

int hyp_colour_geom_from_dt(const void *fdt, int hv_node, struct hyp_colour_geom *g,
                            char *why, size_t why_len)
{
    static const char *const override[3] = {"llc-cache-size", "llc-cache-line-size",
                                            "llc-cache-sets"};
    static const char *const standard[3] = {"cache-size", "cache-line-size",
                                            "cache-sets"};
    int cpus, cpu, node, llc = -1;
    char dummy[1];

    if (!why) {
        why = dummy;
        why_len = sizeof(dummy);
    }
    why[0] = '\0';
    if (!fdt || !g)
        return HYP_EINVAL;
    memset(g, 0, sizeof(*g));
    if (hv_node >= 0)
        for (int i = 0; i < 3; i++)
            if (fdt_getprop(fdt, hv_node, override[i], NULL))
                return from_cells(fdt, hv_node, override, g, why, why_len);
    cpus = fdt_path_offset(fdt, "/cpus");
    if (cpus < 0)
        return HYP_ENOENT;
    fdt_for_each_subnode(cpu, fdt, cpus)
    {
        const char *type = fdt_getprop(fdt, cpu, "device_type", NULL);

        if (type && strcmp(type, "cpu") == 0)
            break;
    }
    node = cpu;
    for (int hop = 0; node >= 0 && hop < CACHE_HOPS; hop++) {
        int64_t next = cell(fdt, node, "next-level-cache");

        if (next < 0)
            break;
        node = fdt_node_offset_by_phandle(fdt, (uint32_t)next);
        if (node >= 0 && fdt_getprop(fdt, node, "cache-size", NULL))
            llc = node;
    }
    if (llc < 0)
        return HYP_ENOENT;
    return from_cells(fdt, llc, standard, g, why, why_len);
}
