/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file platform.c
 * @brief Platform discovery from the boot device tree (see hyp/platform.h).
 *
 * Everything is read straight out of the blob through libfdt; the only state
 * is a small context on the stack. Every rejection writes a message that
 * starts with the path of the node at fault.
 */
#include <hyp/platform.h>
#include <hyp/error.h>

#include <libfdt.h>
#include "fdt_check.h"
#include "fdt_index.h"
#include "fdt_util.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/** Longest `interrupt-parent` chain followed before giving up (loops). */
#define IRQ_PARENT_HOPS 32

/** Largest `#address-cells` / `#size-cells` this parser accepts. */
#define MAX_CELLS 2

/** Discovery state for one call. */
struct disc {
    const void *fdt;
    const struct hyp_fdt_index *idx; /**< Parents and phandles of @ref fdt. */
    struct hyp_platform *plat;
    char *err;    /**< Caller's buffer, or NULL. */
    int gic_node; /**< Offset of the GIC node once found, else -1. */
};

/** The `reg` property of one node, decoded against its parent's cell counts. */
struct reg {
    int node;
    const fdt32_t *cells;
    unsigned ac, sc; /**< Parent's #address-cells and #size-cells. */
    int count;       /**< Number of (address, size) entries. */
};

/** The `interrupts` property of one node whose interrupt parent is the GIC. */
struct irqs {
    int node;
    const fdt32_t *cells;
    unsigned icells; /**< The GIC's #interrupt-cells (3, or 4 with PPI partitions). */
    int count;
};

static const char *const gic_v3_compat[] = {"arm,gic-v3"};

static const char *const gic_v2_compat[] = {
    "arm,gic-400",    "arm,cortex-a15-gic", "arm,cortex-a9-gic", "arm,cortex-a7-gic",
    "arm,pl390",      "arm,arm11mp-gic",    "arm,eb11mp-gic",    "arm,tc11mp-gic",
    "qcom,msm-qgic2", "qcom,msm-8660-qgic",
};

static const char *const timer_compat[] = {"arm,armv8-timer", "arm,armv7-timer"};

static const char *const psci_compat[] = {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"};

/*
 * Errors
 */

/**
 * Record an error: "<node path>: <message>" (or just the message when
 * @p node is negative) and return @p code.
 */
PRINTF_LIKE(4, 5)
static int fail(struct disc *d, int code, int node, const char *fmt, ...)
{
    size_t used = 0;
    va_list ap;

    if (!d->err)
        return code;
    d->err[0] = '\0';
    if (node >= 0) {
        if (fdt_get_path(d->fdt, node, d->err, HYP_PLATFORM_ERRLEN) != 0) {
            const char *name = fdt_get_name(d->fdt, node, NULL);

            snprintf(d->err, HYP_PLATFORM_ERRLEN, "node '%s'", name ? name : "?");
        }
        /* libfdt does not promise a terminated buffer for a malformed tree. */
        d->err[HYP_PLATFORM_ERRLEN - 1] = '\0';
        used = strlen(d->err);
        if (used + 2 < HYP_PLATFORM_ERRLEN) {
            memcpy(d->err + used, ": ", 3);
            used += 2;
        }
    }
    if (used + 1 < HYP_PLATFORM_ERRLEN) {
        va_start(ap, fmt);
        vsnprintf(d->err + used, HYP_PLATFORM_ERRLEN - used, fmt, ap);
        va_end(ap);
    }
    return code;
}

/*
 * Property helpers
 */

/** A property that must be a NUL-terminated string; NULL if absent or not one. */
static const char *prop_string(const struct disc *d, int node, const char *name)
{
    int len;
    const char *s = fdt_getprop(d->fdt, node, name, &len);

    if (!s || len < 1 || s[len - 1] != '\0')
        return NULL;
    return s;
}

static bool prop_is(const struct disc *d, int node, const char *name, const char *value)
{
    const char *s = prop_string(d, node, name);

    return s && strcmp(s, value) == 0;
}

/** Absent `status`, "okay" and the legacy "ok" mean the node is in use. */
static bool node_enabled(const struct disc *d, int node)
{
    int len;
    const char *s = fdt_getprop(d->fdt, node, "status", &len);

    if (!s)
        return true;
    return prop_is(d, node, "status", "okay") || prop_is(d, node, "status", "ok");
}

/**
 * Read a one-cell property. @return HYP_OK, HYP_ENOENT if absent (no
 * message), HYP_EFORMAT if not exactly one cell.
 */
static int prop_u32(struct disc *d, int node, const char *name, uint32_t *out)
{
    int len;
    const fdt32_t *p = fdt_getprop(d->fdt, node, name, &len);

    if (!p)
        return HYP_ENOENT;
    if (len != (int)sizeof(*p))
        return fail(d, HYP_EFORMAT, node, "property '%s': length %d, expected 4", name,
                    len);
    *out = fdt32_ld(p);
    return HYP_OK;
}

/** Read `#address-cells` or `#size-cells` of @p node, with @p dflt if absent. */
static int prop_cells(struct disc *d, int node, const char *name, unsigned dflt,
                      unsigned *out)
{
    uint32_t v;
    int rc = prop_u32(d, node, name, &v);

    if (rc == HYP_ENOENT) {
        *out = dflt;
        return HYP_OK;
    }
    if (rc != HYP_OK)
        return rc;
    if (v > MAX_CELLS)
        return fail(d, HYP_EFORMAT, node,
                    "property '%s': %u cells are not supported (at most %d)", name,
                    (unsigned)v, MAX_CELLS);
    *out = v;
    return HYP_OK;
}

static int first_compatible(const struct disc *d, const char *const *list, size_t n,
                            int node)
{
    int len;
    /* Fetched once: looking it up per entry made every scan of the tree cost
     * a property search per node and per entry of the list. */
    const char *compat = fdt_getprop(d->fdt, node, "compatible", &len);

    if (compat == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (fdt_stringlist_contains(compat, len, list[i]))
            return (int)i;
    return -1;
}

/** First enabled node compatible with any entry of @p list, or -1. */
static int find_compatible(const struct disc *d, const char *const *list, size_t n)
{
    int node;

    for (node = fdt_next_node(d->fdt, -1, NULL); node >= 0;
         node = fdt_next_node(d->fdt, node, NULL))
        if (node_enabled(d, node) && first_compatible(d, list, n, node) >= 0)
            return node;
    return -1;
}

/*
 * Addresses
 */

/**
 * Translate one address range of @p node's `reg` into a CPU physical address:
 * through the `ranges` of every bus between @p node and the root, as the
 * Devicetree Specification's section 2.3.8 describes. An empty `ranges` maps
 * 1:1; an absent one means the bus's addresses are not CPU addresses (a
 * rejection); otherwise the range must fall inside one of its entries
 * (child address, parent address, size). On the Raspberry Pi 4, for example,
 * `/soc` maps bus addresses 0x7e000000.. to the CPU's 0xfe000000...
 */
static int translate(struct disc *d, int node, struct hyp_range *rg)
{
    int hops = 0;

    for (int bus = hyp_fdt_index_parent(d->idx, node); bus > 0;
         bus = hyp_fdt_index_parent(d->idx, bus)) {
        int up = hyp_fdt_index_parent(d->idx, bus), len, rc, n;
        unsigned cac, pac, sc;
        size_t entry;
        const fdt32_t *p;
        bool found = false;

        if (++hops > HYP_FDT_INDEX_DEPTH)
            return fail(d, HYP_ENOTSUP, node, "nested deeper than %d nodes",
                        HYP_FDT_INDEX_DEPTH);
        p = fdt_getprop(d->fdt, bus, "ranges", &len);
        if (!p)
            return fail(d, HYP_ENOTSUP, bus,
                        "property 'ranges': absent, so child addresses are not CPU "
                        "addresses");
        if (len == 0)
            continue;
        if (up < 0)
            return fail(d, HYP_EFORMAT, bus, "property 'ranges': bus has no parent");
        rc = prop_cells(d, bus, "#address-cells", 2, &cac);
        if (rc == HYP_OK)
            rc = prop_cells(d, bus, "#size-cells", 1, &sc);
        if (rc == HYP_OK)
            rc = prop_cells(d, up, "#address-cells", 2, &pac);
        if (rc != HYP_OK)
            return rc;
        entry = (size_t)(cac + pac + sc) * sizeof(fdt32_t);
        if (cac == 0 || pac == 0 || (size_t)len % entry != 0)
            return fail(d, HYP_EFORMAT, bus,
                        "property 'ranges': length %d is not a multiple of %zu bytes "
                        "(child #address-cells=%u, parent #address-cells=%u, "
                        "#size-cells=%u)",
                        len, entry, cac, pac, sc);
        n = (int)((size_t)len / entry);
        for (int i = 0; i < n && !found; i++, p += cac + pac + sc) {
            uint64_t child = hyp_fdt_cells(p, cac);
            uint64_t parent = hyp_fdt_cells(p + cac, pac);
            uint64_t size = hyp_fdt_cells(p + cac + pac, sc);
            uint64_t off = rg->base - child;

            /* Inside [child, child + size): compare offsets, so that a range
             * ending at 2^64 does not wrap. */
            if (rg->base < child || size == 0 || off > size - 1 ||
                (rg->size != 0 && rg->size - 1 > size - 1 - off))
                continue;
            if (parent + off < parent ||
                (rg->size != 0 && parent + off + (rg->size - 1) < parent + off))
                return fail(d, HYP_EFORMAT, bus,
                            "property 'ranges': entry %d maps 0x%llx beyond 2^64", i,
                            (unsigned long long)rg->base);
            rg->base = parent + off;
            found = true;
        }
        if (!found)
            return fail(d, HYP_ENOTSUP, node,
                        "property 'reg': 0x%llx+0x%llx is outside every entry of the "
                        "'ranges' of %s",
                        (unsigned long long)rg->base, (unsigned long long)rg->size,
                        fdt_get_name(d->fdt, bus, NULL));
    }
    return HYP_OK;
}

/**
 * Open the `reg` property of @p node. @return HYP_OK; HYP_ENOENT (with a
 * message) if there is no `reg`; HYP_EFORMAT or HYP_ENOTSUP otherwise.
 */
static int reg_open(struct disc *d, int node, struct reg *r)
{
    int len, rc;
    int parent = hyp_fdt_index_parent(d->idx, node);
    size_t entry;

    if (parent < 0)
        return fail(d, HYP_EFORMAT, node, "property 'reg': node has no parent");
    rc = prop_cells(d, parent, "#address-cells", 2, &r->ac);
    if (rc == HYP_OK)
        rc = prop_cells(d, parent, "#size-cells", 1, &r->sc);
    if (rc != HYP_OK)
        return rc;

    r->node = node;
    r->cells = fdt_getprop(d->fdt, node, "reg", &len);
    if (!r->cells)
        return fail(d, HYP_ENOENT, node, "property 'reg': missing");
    entry = (size_t)(r->ac + r->sc) * sizeof(fdt32_t);
    if (r->ac == 0)
        return fail(d, HYP_EFORMAT, node,
                    "property 'reg': parent has #address-cells=0, so no address");
    if (len == 0 || (size_t)len % entry != 0)
        return fail(d, HYP_EFORMAT, node,
                    "property 'reg': length %d is not a multiple of %zu bytes "
                    "(#address-cells=%u, #size-cells=%u)",
                    len, entry, r->ac, r->sc);
    r->count = (int)((size_t)len / entry);
    return HYP_OK;
}

/**
 * Fetch entry @p i of an opened `reg` as a CPU physical range (translated
 * through the buses' `ranges`), rejecting ranges that wrap around.
 */
static int reg_get(struct disc *d, const struct reg *r, int i, struct hyp_range *out)
{
    const fdt32_t *p = r->cells + (size_t)i * (r->ac + r->sc);

    out->base = hyp_fdt_cells(p, r->ac);
    out->size = hyp_fdt_cells(p + r->ac, r->sc);
    if (out->size != 0 && out->base + (out->size - 1) < out->base)
        return fail(d, HYP_EFORMAT, r->node,
                    "property 'reg': entry %d: base 0x%llx + size 0x%llx overflows", i,
                    (unsigned long long)out->base, (unsigned long long)out->size);
    return translate(d, r->node, out);
}

/** Fetch entry @p i of an opened `reg`, which must exist and be non-empty. */
static int reg_one(struct disc *d, const struct reg *r, int i, const char *what,
                   struct hyp_range *out)
{
    int rc = reg_get(d, r, i, out);

    if (rc == HYP_OK && out->size == 0)
        return fail(d, HYP_EFORMAT, r->node, "property 'reg': entry %d (%s) has size 0",
                    i, what);
    return rc;
}

/*
 * Interrupts
 */

/**
 * Find the interrupt controller that serves @p node: follow `interrupt-parent`
 * where present, else the tree parent, until a node with `#interrupt-cells`.
 * @return Its offset, HYP_ENOENT (no message) if none, or HYP_EFORMAT.
 */
static int irq_parent(struct disc *d, int node)
{
    int cur = node;

    for (int hop = 0; hop < IRQ_PARENT_HOPS; hop++) {
        uint32_t ph;
        int next, len;
        int rc = prop_u32(d, cur, "interrupt-parent", &ph);

        if (rc == HYP_OK) {
            next = hyp_fdt_index_by_phandle(d->idx, ph);
            if (next < 0)
                return fail(d, HYP_EFORMAT, cur,
                            "property 'interrupt-parent': phandle 0x%x names no node",
                            (unsigned)ph);
        } else if (rc == HYP_ENOENT) {
            next = hyp_fdt_index_parent(d->idx, cur);
            if (next < 0)
                return HYP_ENOENT;
        } else {
            return rc;
        }
        if (fdt_getprop(d->fdt, next, "#interrupt-cells", &len))
            return next;
        cur = next;
    }
    return fail(d, HYP_EFORMAT, node,
                "property 'interrupt-parent': chain longer than %d hops (a loop?)",
                IRQ_PARENT_HOPS);
}

/**
 * Open the `interrupts` property of @p node. @return HYP_OK; HYP_ENOENT
 * (no message) if absent; HYP_ENOTSUP if its controller is not the GIC;
 * HYP_EFORMAT if malformed.
 */
static int irq_open(struct disc *d, int node, struct irqs *it)
{
    int len, rc;
    uint32_t icells;
    int parent;

    it->node = node;
    it->cells = fdt_getprop(d->fdt, node, "interrupts", &len);
    if (!it->cells)
        return HYP_ENOENT;
    parent = irq_parent(d, node);
    if (parent == HYP_ENOENT)
        return fail(d, HYP_EFORMAT, node,
                    "property 'interrupts': no interrupt controller "
                    "('interrupt-parent' missing on the node and its ancestors)");
    if (parent < 0)
        return parent;
    if (parent != d->gic_node)
        return fail(d, HYP_ENOTSUP, node,
                    "property 'interrupts': interrupt parent is not the GIC");
    rc = prop_u32(d, parent, "#interrupt-cells", &icells);
    if (rc != HYP_OK)
        return rc == HYP_ENOENT ? HYP_EFORMAT : rc;
    if (icells < 3 || icells > 4)
        return fail(d, HYP_EFORMAT, parent,
                    "property '#interrupt-cells': %u, a GIC needs 3 or 4",
                    (unsigned)icells);
    it->icells = icells;
    if (len == 0 || (size_t)len % (icells * sizeof(fdt32_t)) != 0)
        return fail(d, HYP_EFORMAT, node,
                    "property 'interrupts': length %d is not a multiple of %u bytes "
                    "(#interrupt-cells=%u)",
                    len, (unsigned)(icells * sizeof(fdt32_t)), (unsigned)icells);
    it->count = (int)((size_t)len / (icells * sizeof(fdt32_t)));
    return HYP_OK;
}

/** Decode GIC specifier @p i: type 0 SPI, 1 PPI (v3 also 2 ESPI, 3 EPPI). */
static int irq_get(struct disc *d, const struct irqs *it, int i, struct hyp_irq *out)
{
    const fdt32_t *p = it->cells + (size_t)i * it->icells;
    uint32_t type = fdt32_ld(p), num = fdt32_ld(p + 1), flags = fdt32_ld(p + 2);
    bool v3 = d->plat->gic.version == 3;
    uint32_t limit, base;

    switch (type) {
    case 0: /* SPI: INTID 32..1019 */
        base = 32;
        limit = 988;
        break;
    case 1: /* PPI: INTID 16..31 */
        base = 16;
        limit = 16;
        break;
    case 2: /* GICv3.1 extended SPI: INTID 4096..5119 */
        base = 4096;
        limit = v3 ? 1024 : 0;
        break;
    case 3: /* GICv3.1 extended PPI: INTID 1056..1119 */
        base = 1056;
        limit = v3 ? 64 : 0;
        break;
    default:
        limit = 0;
        base = 0;
        break;
    }
    if (limit == 0)
        return fail(d, HYP_EFORMAT, it->node,
                    "property 'interrupts': entry %d: unknown interrupt type %u", i,
                    (unsigned)type);
    if (num >= limit)
        return fail(d, HYP_EFORMAT, it->node,
                    "property 'interrupts': entry %d: number %u out of range for "
                    "type %u",
                    i, (unsigned)num, (unsigned)type);
    out->intid = base + num;
    out->flags = flags & 0xf;
    return HYP_OK;
}

/*
 * The parts of the platform
 */

static int add_mem_bank(struct disc *d, int node, int i, struct hyp_range bank)
{
    struct hyp_platform *plat = d->plat;
    uint64_t last = bank.base + (bank.size - 1);
    unsigned pos;

    if (bank.size == 0)
        return fail(d, HYP_EFORMAT, node,
                    "property 'reg': entry %d: memory bank at 0x%llx has size 0", i,
                    (unsigned long long)bank.base);
    for (unsigned k = 0; k < plat->mem_count; k++) {
        const struct hyp_range *m = &plat->mem[k];

        if (bank.base <= m->base + (m->size - 1) && m->base <= last)
            return fail(d, HYP_EFORMAT, node,
                        "property 'reg': entry %d: bank 0x%llx+0x%llx overlaps bank "
                        "0x%llx+0x%llx",
                        i, (unsigned long long)bank.base, (unsigned long long)bank.size,
                        (unsigned long long)m->base, (unsigned long long)m->size);
    }
    if (plat->mem_count == HYP_PLATFORM_MAX_MEM)
        return fail(d, HYP_ENOMEM, node,
                    "property 'reg': more than %d memory banks "
                    "(HYP_PLATFORM_MAX_MEM)",
                    HYP_PLATFORM_MAX_MEM);
    pos = plat->mem_count;
    while (pos > 0 && plat->mem[pos - 1].base > bank.base) {
        plat->mem[pos] = plat->mem[pos - 1];
        pos--;
    }
    plat->mem[pos] = bank;
    plat->mem_count++;
    return HYP_OK;
}

static int discover_memory(struct disc *d)
{
    int node;

    for (node = fdt_next_node(d->fdt, -1, NULL); node >= 0;
         node = fdt_next_node(d->fdt, node, NULL)) {
        struct reg r;
        int rc;

        if (!prop_is(d, node, "device_type", "memory") || !node_enabled(d, node))
            continue;
        rc = reg_open(d, node, &r);
        if (rc != HYP_OK)
            return rc == HYP_ENOENT ? HYP_EFORMAT : rc;
        for (int i = 0; i < r.count; i++) {
            struct hyp_range bank;

            rc = reg_get(d, &r, i, &bank);
            if (rc == HYP_OK)
                rc = add_mem_bank(d, node, i, bank);
            if (rc != HYP_OK)
                return rc;
        }
    }
    if (d->plat->mem_count == 0)
        return fail(d, HYP_ENOENT, -1,
                    "no memory: no enabled node with device_type = \"memory\"");
    return HYP_OK;
}

/** Bits of MPIDR_EL1 that are affinity fields: Aff3 [39:32], Aff2..Aff0 [23:0]. */
#define MPIDR_AFF_MASK 0xff00ffffffULL

static int discover_cpus(struct disc *d)
{
    struct hyp_platform *plat = d->plat;
    int cpus = fdt_path_offset(d->fdt, "/cpus");
    unsigned ac, sc;
    int node, rc;

    if (cpus < 0)
        return fail(d, HYP_ENOENT, -1, "/cpus: node missing");
    rc = prop_cells(d, cpus, "#address-cells", 2, &ac);
    if (rc == HYP_OK)
        rc = prop_cells(d, cpus, "#size-cells", 1, &sc);
    if (rc != HYP_OK)
        return rc;
    if (ac == 0 || sc != 0)
        return fail(d, HYP_EFORMAT, cpus,
                    "#address-cells=%u, #size-cells=%u: CPU 'reg' needs 1 or 2 "
                    "address cells and 0 size cells",
                    ac, sc);

    fdt_for_each_subnode(node, d->fdt, cpus)
    {
        int len;
        const fdt32_t *reg;
        uint64_t mpidr;

        if (!prop_is(d, node, "device_type", "cpu") || !node_enabled(d, node))
            continue;
        reg = fdt_getprop(d->fdt, node, "reg", &len);
        if (!reg)
            return fail(d, HYP_EFORMAT, node, "property 'reg': missing");
        if ((size_t)len != ac * sizeof(fdt32_t))
            return fail(d, HYP_EFORMAT, node,
                        "property 'reg': length %d, expected %zu bytes "
                        "(#address-cells=%u, #size-cells=0)",
                        len, ac * sizeof(fdt32_t), ac);
        mpidr = hyp_fdt_cells(reg, ac);
        if (mpidr & ~MPIDR_AFF_MASK)
            return fail(d, HYP_EFORMAT, node,
                        "property 'reg': 0x%llx is not an MPIDR affinity value",
                        (unsigned long long)mpidr);
        for (unsigned k = 0; k < plat->cpu_count; k++)
            if (plat->cpus[k].mpidr == mpidr)
                return fail(d, HYP_EFORMAT, node,
                            "property 'reg': MPIDR 0x%llx used by two CPUs",
                            (unsigned long long)mpidr);
        if (plat->cpu_count == HYP_PLATFORM_MAX_CPUS)
            return fail(d, HYP_ENOMEM, node, "more than %d CPUs (HYP_PLATFORM_MAX_CPUS)",
                        HYP_PLATFORM_MAX_CPUS);
        plat->cpus[plat->cpu_count].mpidr = mpidr;
        plat->cpus[plat->cpu_count].release_addr = 0;
        if (prop_is(d, node, "enable-method", "spin-table")) {
            const fdt32_t *rel = fdt_getprop(d->fdt, node, "cpu-release-addr", &len);

            /* Without one the CPU cannot be started (left at 0: the port's
             * start hook refuses it); with a malformed one the DTB is wrong. */
            if (rel && len != 4 && len != 8)
                return fail(d, HYP_EFORMAT, node,
                            "property 'cpu-release-addr': length %d, expected 4 or 8",
                            len);
            if (rel)
                plat->cpus[plat->cpu_count].release_addr =
                    hyp_fdt_cells(rel, (unsigned)len / 4);
        }
        plat->cpu_count++;
    }
    if (node < 0 && node != -FDT_ERR_NOTFOUND)
        return fail(d, HYP_EFORMAT, cpus, "walking subnodes: %s", fdt_strerror(node));
    if (plat->cpu_count == 0)
        return fail(d, HYP_ENOENT, cpus, "no enabled node with device_type = \"cpu\"");
    return HYP_OK;
}

/** No known GIC: say what the interrupt controller is, if there is one. */
static int gic_missing(struct disc *d)
{
    uint32_t ph;
    int intc, len;
    const char *compat;

    if (prop_u32(d, 0, "interrupt-parent", &ph) == HYP_OK) {
        intc = hyp_fdt_index_by_phandle(d->idx, ph);
        if (intc >= 0) {
            compat = fdt_stringlist_get(d->fdt, intc, "compatible", 0, &len);
            return fail(d, HYP_ENOTSUP, intc,
                        "property 'compatible': unknown interrupt controller '%s' "
                        "(not a GICv2 or GICv3)",
                        compat ? compat : "");
        }
    }
    return fail(d, HYP_ENOENT, -1,
                "no GIC: no node compatible with \"arm,gic-v3\" or a GICv2 "
                "(\"arm,gic-400\", \"arm,cortex-a15-gic\", ...)");
}

static int discover_gic(struct disc *d)
{
    struct hyp_gic *gic = &d->plat->gic;
    struct irqs it;
    struct reg r;
    int node, rc, next;

    for (node = fdt_next_node(d->fdt, -1, NULL); node >= 0;
         node = fdt_next_node(d->fdt, node, NULL)) {
        if (!node_enabled(d, node))
            continue;
        if (first_compatible(d, gic_v3_compat, ARRAY_LEN(gic_v3_compat), node) >= 0) {
            gic->version = 3;
            break;
        }
        if (first_compatible(d, gic_v2_compat, ARRAY_LEN(gic_v2_compat), node) >= 0) {
            gic->version = 2;
            break;
        }
    }
    if (node < 0)
        return gic_missing(d);
    d->gic_node = node;

    rc = reg_open(d, node, &r);
    if (rc != HYP_OK)
        return rc == HYP_ENOENT ? HYP_EFORMAT : rc;
    rc = reg_one(d, &r, 0, "GICD", &gic->gicd);
    if (rc != HYP_OK)
        return rc;

    if (gic->version == 3) {
        uint32_t nr = 1;

        rc = prop_u32(d, node, "#redistributor-regions", &nr);
        if (rc != HYP_OK && rc != HYP_ENOENT)
            return rc;
        if (nr == 0)
            return fail(d, HYP_EFORMAT, node, "property '#redistributor-regions': 0");
        if (nr > HYP_PLATFORM_MAX_GICR)
            return fail(d, HYP_ENOMEM, node,
                        "property '#redistributor-regions': %u, more than %d "
                        "(HYP_PLATFORM_MAX_GICR)",
                        (unsigned)nr, HYP_PLATFORM_MAX_GICR);
        if ((uint32_t)r.count < 1 + nr)
            return fail(d, HYP_EFORMAT, node,
                        "property 'reg': %d entries, but a GICv3 needs GICD and %u "
                        "redistributor region(s)",
                        r.count, (unsigned)nr);
        for (unsigned i = 0; i < nr; i++) {
            rc = reg_one(d, &r, (int)(1 + i), "GICR", &gic->gicr[i]);
            if (rc != HYP_OK)
                return rc;
        }
        gic->gicr_count = nr;
        next = (int)(1 + nr);
    } else {
        if (r.count < 2)
            return fail(d, HYP_EFORMAT, node,
                        "property 'reg': %d entries, but a GICv2 needs GICD and GICC",
                        r.count);
        rc = reg_one(d, &r, 1, "GICC", &gic->gicc);
        if (rc != HYP_OK)
            return rc;
        next = 2;
    }
    /* Optional frames after the mandatory ones: (GICv3: GICC,) GICH, GICV. */
    if (gic->version == 3 && next < r.count) {
        rc = reg_get(d, &r, next++, &gic->gicc);
        if (rc != HYP_OK)
            return rc;
    }
    if (next < r.count) {
        rc = reg_get(d, &r, next++, &gic->gich);
        if (rc != HYP_OK)
            return rc;
    }
    if (next < r.count) {
        rc = reg_get(d, &r, next, &gic->gicv);
        if (rc != HYP_OK)
            return rc;
    }

    rc = irq_open(d, node, &it);
    if (rc == HYP_ENOENT)
        return HYP_OK; /* no maintenance interrupt described */
    if (rc == HYP_OK)
        rc = irq_get(d, &it, 0, &gic->maintenance);
    return rc;
}

static int discover_timer(struct disc *d)
{
    struct hyp_timer *t = &d->plat->timer;
    struct hyp_irq *slot[] = {&t->sec_phys, &t->phys, &t->virt, &t->hyp_phys,
                              &t->hyp_virt};
    struct irqs it;
    int node = find_compatible(d, timer_compat, ARRAY_LEN(timer_compat));
    int rc;

    if (node < 0)
        return fail(d, HYP_ENOENT, -1,
                    "no timer: no node compatible with \"arm,armv8-timer\" or "
                    "\"arm,armv7-timer\"");
    rc = irq_open(d, node, &it);
    if (rc == HYP_ENOENT)
        return fail(d, HYP_EFORMAT, node, "property 'interrupts': missing");
    if (rc != HYP_OK)
        return rc;
    if (it.count < 4)
        return fail(d, HYP_EFORMAT, node,
                    "property 'interrupts': %d entries, the timer needs 4 (secure "
                    "phys, non-secure phys, virt, hyp phys)",
                    it.count);
    for (int i = 0; i < it.count && i < (int)ARRAY_LEN(slot); i++) {
        rc = irq_get(d, &it, i, slot[i]);
        if (rc != HYP_OK)
            return rc;
    }
    rc = prop_u32(d, node, "clock-frequency", &t->frequency_hz);
    return rc == HYP_ENOENT ? HYP_OK : rc;
}

/** Find the console: `/chosen/stdout-path` (path or alias), else a PL011. */
static int find_console(struct disc *d, int *out)
{
    int chosen = fdt_path_offset(d->fdt, "/chosen");
    const char *name = "stdout-path";
    const char *path = NULL;
    int len, node;

    *out = -1;
    if (chosen >= 0) {
        path = fdt_getprop(d->fdt, chosen, name, &len);
        if (!path) {
            name = "linux,stdout-path";
            path = fdt_getprop(d->fdt, chosen, name, &len);
        }
    }
    if (path) {
        const char *colon;

        if (len < 1 || path[len - 1] != '\0')
            return fail(d, HYP_EFORMAT, chosen, "property '%s': not a string", name);
        colon = memchr(path, ':', (size_t)len);
        len = colon ? (int)(colon - path) : (int)strlen(path);
        node = fdt_path_offset_namelen(d->fdt, path, len);
        if (node < 0)
            return fail(d, HYP_EFORMAT, chosen, "property '%s': '%.*s' names no node",
                        name, len, path);
        *out = node;
        return HYP_OK;
    }
    *out = find_compatible(d, (const char *const[]){"arm,pl011"}, 1);
    return HYP_OK;
}

/** The rate of clock @p want of @p node if it is a fixed clock, else 0. */
static int clock_rate(struct disc *d, int node, int want, uint32_t *hz)
{
    int len;
    const fdt32_t *c = fdt_getprop(d->fdt, node, "clocks", &len);
    size_t n, pos = 0;

    *hz = 0;
    if (!c)
        return HYP_OK;
    if (len % (int)sizeof(*c) != 0)
        return fail(d, HYP_EFORMAT, node,
                    "property 'clocks': length %d is not a multiple of 4", len);
    n = (size_t)len / sizeof(*c);
    for (int k = 0; pos < n; k++) {
        uint32_t ph = fdt32_ld(c + pos), ccells;
        int prov = hyp_fdt_index_by_phandle(d->idx, ph);
        int rc;

        if (prov < 0)
            return fail(d, HYP_EFORMAT, node,
                        "property 'clocks': phandle 0x%x names no node", (unsigned)ph);
        rc = prop_u32(d, prov, "#clock-cells", &ccells);
        if (rc == HYP_ENOENT)
            return fail(d, HYP_EFORMAT, prov, "property '#clock-cells': missing");
        if (rc != HYP_OK)
            return rc;
        if (ccells >= n - pos)
            return fail(d, HYP_EFORMAT, node,
                        "property 'clocks': entry %d is cut short (#clock-cells=%u)", k,
                        (unsigned)ccells);
        if (k == want) {
            if (fdt_node_check_compatible(d->fdt, prov, "fixed-clock") != 0)
                return HYP_OK;
            rc = prop_u32(d, prov, "clock-frequency", hz);
            return rc == HYP_ENOENT ? HYP_OK : rc;
        }
        pos += 1 + ccells;
    }
    return HYP_OK;
}

static int discover_uart(struct disc *d)
{
    struct hyp_uart *u = &d->plat->uart;
    struct irqs it;
    struct reg r;
    const char *compat;
    int node, rc, len, clk;

    rc = find_console(d, &node);
    if (rc != HYP_OK || node < 0)
        return rc;
    rc = reg_open(d, node, &r);
    if (rc != HYP_OK)
        return rc == HYP_ENOENT ? HYP_EFORMAT : rc;
    rc = reg_one(d, &r, 0, "registers", &u->regs);
    if (rc != HYP_OK)
        return rc;

    compat = fdt_stringlist_get(d->fdt, node, "compatible", 0, &len);
    if (compat) {
        size_t n = (size_t)len < sizeof(u->compatible) - 1 ? (size_t)len
                                                           : sizeof(u->compatible) - 1;
        memcpy(u->compatible, compat, n);
        u->compatible[n] = '\0';
    }

    /* An interrupt routed elsewhere than the GIC is left as "none". */
    rc = irq_open(d, node, &it);
    if (rc == HYP_OK)
        rc = irq_get(d, &it, 0, &u->irq);
    if (rc != HYP_OK && rc != HYP_ENOENT && rc != HYP_ENOTSUP)
        return rc;

    clk = fdt_stringlist_search(d->fdt, node, "clock-names", "uartclk");
    return clock_rate(d, node, clk < 0 ? 0 : clk, &u->clock_hz);
}

static int add_reserved(struct disc *d, int node, uint64_t base, uint64_t size)
{
    struct hyp_platform *plat = d->plat;

    if (size == 0)
        return HYP_OK;
    if (base + (size - 1) < base)
        return fail(d, HYP_EFORMAT, node, "reserved range 0x%llx+0x%llx overflows",
                    (unsigned long long)base, (unsigned long long)size);
    if (plat->reserved_count == HYP_PLATFORM_MAX_RESERVED)
        return fail(d, HYP_ENOMEM, node,
                    "more than %d reserved ranges (HYP_PLATFORM_MAX_RESERVED)",
                    HYP_PLATFORM_MAX_RESERVED);
    plat->reserved[plat->reserved_count].base = base;
    plat->reserved[plat->reserved_count].size = size;
    plat->reserved_count++;
    return HYP_OK;
}

static int discover_reserved(struct disc *d)
{
    int n = fdt_num_mem_rsv(d->fdt);
    int parent, node, rc;

    if (n < 0)
        return fail(d, HYP_EFORMAT, -1, "/memreserve/ table: %s", fdt_strerror(n));
    for (int i = 0; i < n; i++) {
        uint64_t base, size;

        rc = fdt_get_mem_rsv(d->fdt, i, &base, &size);
        if (rc < 0)
            return fail(d, HYP_EFORMAT, -1, "/memreserve/ entry %d: %s", i,
                        fdt_strerror(rc));
        rc = add_reserved(d, -1, base, size);
        if (rc != HYP_OK)
            return rc;
    }

    parent = fdt_path_offset(d->fdt, "/reserved-memory");
    if (parent < 0)
        return HYP_OK;
    fdt_for_each_subnode(node, d->fdt, parent)
    {
        struct reg r;

        if (!node_enabled(d, node) || !fdt_getprop(d->fdt, node, "reg", NULL))
            continue; /* dynamically placed ("size" only) or unused */
        rc = reg_open(d, node, &r);
        if (rc != HYP_OK)
            return rc;
        for (int i = 0; i < r.count; i++) {
            struct hyp_range rg;

            rc = reg_get(d, &r, i, &rg);
            if (rc == HYP_OK)
                rc = add_reserved(d, node, rg.base, rg.size);
            if (rc != HYP_OK)
                return rc;
        }
    }
    return HYP_OK;
}

static int discover_psci(struct disc *d)
{
    int node = find_compatible(d, psci_compat, ARRAY_LEN(psci_compat));
    const char *method;

    d->plat->psci = HYP_PSCI_NONE;
    if (node < 0)
        return HYP_OK;
    method = prop_string(d, node, "method");
    if (!method)
        return fail(d, HYP_EFORMAT, node, "property 'method': missing or not a string");
    if (strcmp(method, "smc") == 0)
        d->plat->psci = HYP_PSCI_SMC;
    else if (strcmp(method, "hvc") == 0)
        d->plat->psci = HYP_PSCI_HVC;
    else
        return fail(d, HYP_EFORMAT, node,
                    "property 'method': '%s' is neither \"smc\" nor \"hvc\"", method);
    return HYP_OK;
}

/** `/chosen/rng-seed` and `/chosen/kaslr-seed`, both optional. */
static int discover_seeds(struct disc *d)
{
    int chosen = fdt_path_offset(d->fdt, "/chosen"), len;
    const uint8_t *rng;
    const fdt64_t *kaslr;

    if (chosen < 0)
        return HYP_OK;
    rng = fdt_getprop(d->fdt, chosen, "rng-seed", &len);
    if (rng != NULL && len > 0) {
        d->plat->rng_seed_len =
            len < HYP_PLATFORM_MAX_SEED ? (unsigned)len : HYP_PLATFORM_MAX_SEED;
        memcpy(d->plat->rng_seed, rng, d->plat->rng_seed_len);
    }
    kaslr = fdt_getprop(d->fdt, chosen, "kaslr-seed", &len);
    if (kaslr != NULL) {
        if (len != (int)sizeof(*kaslr))
            return fail(d, HYP_EFORMAT, chosen,
                        "property 'kaslr-seed': length %d, expected 8", len);
        d->plat->kaslr_seed = fdt64_ld(kaslr);
    }
    return HYP_OK;
}

static void discover_model(struct disc *d)
{
    int len;
    const char *model = fdt_getprop(d->fdt, 0, "model", &len);
    const char *nul;
    size_t n;

    if (!model || len <= 0)
        return;
    nul = memchr(model, '\0', (size_t)len);
    n = nul ? (size_t)(nul - model) : (size_t)len;
    if (n > sizeof(d->plat->model) - 1)
        n = sizeof(d->plat->model) - 1;
    memcpy(d->plat->model, model, n);
    d->plat->model[n] = '\0';
}

/** Validate the blob's header against the bytes the caller lets us read. */
static int check_blob(struct disc *d, size_t dtb_max)
{
    int rc;

    if ((uintptr_t)d->fdt % 8 != 0)
        return fail(d, HYP_EALIGN, -1, "DTB at %p is not 8-byte aligned", d->fdt);
    if (dtb_max < sizeof(struct fdt_header))
        return fail(d, HYP_EFORMAT, -1,
                    "DTB truncated: %zu bytes, smaller than the %zu-byte header", dtb_max,
                    sizeof(struct fdt_header));
    if (fdt_magic(d->fdt) != FDT_MAGIC)
        return fail(d, HYP_EFORMAT, -1, "DTB header: bad magic 0x%08x (expected 0x%08x)",
                    (unsigned)fdt_magic(d->fdt), (unsigned)FDT_MAGIC);
    if (fdt_totalsize(d->fdt) > dtb_max)
        return fail(d, HYP_EFORMAT, -1,
                    "DTB truncated: header totalsize %u exceeds the %zu bytes available",
                    (unsigned)fdt_totalsize(d->fdt), dtb_max);
    rc = fdt_check_header(d->fdt);
    if (rc != 0)
        return fail(d, HYP_EFORMAT, -1, "DTB header: %s", fdt_strerror(rc));
    /* libfdt's read-only walkers (fdt_get_path, fdt_parent_offset, ...)
     * assume a well-formed structure block; check all of it once. */
    rc = hyp_fdt_check_full(d->fdt, fdt_totalsize(d->fdt));
    if (rc != 0)
        return fail(d, HYP_EFORMAT, -1, "DTB structure is malformed: %s",
                    fdt_strerror(rc));
    d->idx = hyp_fdt_index_for(d->fdt);
    return HYP_OK;
}

int hyp_platform_discover(const void *dtb, size_t dtb_max, struct hyp_platform *plat,
                          char *err)
{
    struct disc d = {.fdt = dtb, .plat = plat, .err = err, .gic_node = -1};
    int rc;

    if (err)
        err[0] = '\0';
    if (!dtb || !plat)
        return fail(&d, HYP_EINVAL, -1, "NULL %s", dtb ? "platform" : "DTB");
    memset(plat, 0, sizeof(*plat));

    rc = check_blob(&d, dtb_max);
    if (rc == HYP_OK) {
        discover_model(&d);
        rc = discover_memory(&d);
    }
    if (rc == HYP_OK)
        rc = discover_cpus(&d);
    if (rc == HYP_OK)
        rc = discover_gic(&d);
    if (rc == HYP_OK)
        rc = discover_timer(&d);
    if (rc == HYP_OK)
        rc = discover_uart(&d);
    if (rc == HYP_OK)
        rc = discover_reserved(&d);
    if (rc == HYP_OK)
        rc = discover_psci(&d);
    if (rc == HYP_OK)
        rc = discover_seeds(&d);
    if (rc != HYP_OK)
        return rc;

    plat->dtb.base = (uintptr_t)dtb;
    plat->dtb.size = fdt_totalsize(dtb);
    if (err)
        err[0] = '\0'; /* tolerated problems (a UART IRQ elsewhere) leave no trace */
    return HYP_OK;
}

/*
 * Printing
 */

static void print_range(const char *label, const struct hyp_range *r)
{
    printf("  %-10s 0x%llx..0x%llx (0x%llx bytes)\n", label, (unsigned long long)r->base,
           (unsigned long long)(r->base + (r->size ? r->size - 1 : 0)),
           (unsigned long long)r->size);
}

static void print_irq(const char *label, const struct hyp_irq *irq)
{
    if (irq->intid != 0)
        printf("  %-10s intid %u (flags 0x%x)\n", label, (unsigned)irq->intid,
               (unsigned)irq->flags);
}

void hyp_platform_print(const struct hyp_platform *plat)
{
    static const char *const conduit[] = {"none", "smc", "hvc"};
    const struct hyp_gic *gic = &plat->gic;
    char label[24];

    printf("platform: %s\n", plat->model[0] ? plat->model : "(no model)");
    print_range("dtb", &plat->dtb);
    for (unsigned i = 0; i < plat->mem_count; i++) {
        snprintf(label, sizeof(label), "memory[%u]", i);
        print_range(label, &plat->mem[i]);
    }
    for (unsigned i = 0; i < plat->reserved_count; i++) {
        snprintf(label, sizeof(label), "reserved[%u]", i);
        print_range(label, &plat->reserved[i]);
    }
    printf("  %-10s %u:", "cpus", plat->cpu_count);
    for (unsigned i = 0; i < plat->cpu_count; i++)
        printf(" 0x%llx", (unsigned long long)plat->cpus[i].mpidr);
    printf("\n");
    if (plat->cpu_count > 0 && plat->cpus[0].release_addr != 0) {
        printf("  %-10s", "spin-table");
        for (unsigned i = 0; i < plat->cpu_count; i++)
            printf(" 0x%llx", (unsigned long long)plat->cpus[i].release_addr);
        printf("\n");
    }
    printf("  %-10s GICv%u\n", "gic", gic->version);
    print_range("gicd", &gic->gicd);
    for (unsigned i = 0; i < gic->gicr_count; i++) {
        snprintf(label, sizeof(label), "gicr[%u]", i);
        print_range(label, &gic->gicr[i]);
    }
    if (gic->gicc.size)
        print_range("gicc", &gic->gicc);
    if (gic->gich.size)
        print_range("gich", &gic->gich);
    if (gic->gicv.size)
        print_range("gicv", &gic->gicv);
    print_irq("gic-maint", &gic->maintenance);
    print_irq("timer-sec", &plat->timer.sec_phys);
    print_irq("timer-phys", &plat->timer.phys);
    print_irq("timer-virt", &plat->timer.virt);
    print_irq("timer-hyp", &plat->timer.hyp_phys);
    print_irq("timer-hypv", &plat->timer.hyp_virt);
    if (plat->timer.frequency_hz)
        printf("  %-10s %u Hz\n", "timer-freq", (unsigned)plat->timer.frequency_hz);
    if (plat->uart.regs.size) {
        printf("  %-10s %s, %u Hz\n", "uart", plat->uart.compatible,
               (unsigned)plat->uart.clock_hz);
        print_range("uart-regs", &plat->uart.regs);
        print_irq("uart-irq", &plat->uart.irq);
    } else {
        printf("  %-10s none\n", "uart");
    }
    printf("  %-10s %s\n", "psci",
           (unsigned)plat->psci < ARRAY_LEN(conduit) ? conduit[plat->psci] : "?");
}
