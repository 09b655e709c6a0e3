/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file policy.c
 * @brief The thin monitor's policy from the device tree (see hyp/policy.h and
 *        docs/bindings/monitor-policy.md).
 *
 * The parser reads the blob in place through libfdt and keeps its state in a
 * small context on the stack. Every rejection writes a message of the form
 * "<node path>: <property>: <what is wrong>".
 */
#include <hyp/policy.h>
#include <hyp/error.h>
#include <hyp/trap.h>

#include <libfdt.h>
#include "../fdt/fdt_check.h"
#include "../fdt/fdt_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/** Parser state for one call. */
struct pctx {
    const void *fdt;
    struct hyp_policy *pol;
    char *err; /**< Caller's buffer (HYP_POLICY_ERRLEN bytes), or NULL. */
};

/** One accepted value of a string property. */
struct choice {
    const char *name;
    unsigned value;
};

/*
 * Errors
 */

/**
 * Record "<path of node>: <prop>: <message>" (the parts that are given:
 * @p node < 0 and @p prop NULL leave them out) and return @p code.
 */
PRINTF_LIKE(5, 6)
static int fail(struct pctx *c, int code, int node, const char *prop, const char *fmt,
                ...)
{
    size_t used = 0;
    va_list ap;

    if (!c->err)
        return code;
    c->err[0] = '\0';
    if (node >= 0) {
        hyp_fdt_path(c->fdt, node, c->err, HYP_POLICY_ERRLEN);
        used = strlen(c->err);
        used += (size_t)snprintf(c->err + used, HYP_POLICY_ERRLEN - used, ": ");
    }
    if (prop && used + 1 < HYP_POLICY_ERRLEN)
        used += (size_t)snprintf(c->err + used, HYP_POLICY_ERRLEN - used, "%s: ", prop);
    if (used + 1 < HYP_POLICY_ERRLEN) {
        va_start(ap, fmt);
        vsnprintf(c->err + used, HYP_POLICY_ERRLEN - used, fmt, ap);
        va_end(ap);
    }
    c->err[HYP_POLICY_ERRLEN - 1] = '\0';
    return code;
}

/*
 * Properties
 */

/** Reject any property of @p node whose name is not in @p list. */
static int check_known(struct pctx *c, int node, const char *const *list, size_t n)
{
    int prop;

    fdt_for_each_property_offset(prop, c->fdt, node)
    {
        const char *name = NULL;
        int len;

        if (!fdt_getprop_by_offset(c->fdt, prop, &name, &len) || !name)
            return fail(c, HYP_EFORMAT, node, NULL, "unreadable property (%s)",
                        fdt_strerror(len));
        if (!hyp_fdt_name_in(name, list, n)) {
            char shown[HYP_FDT_QUOTE_MAX + 4];

            hyp_fdt_quote(shown, sizeof(shown), name);
            return fail(c, HYP_EFORMAT, node, shown, "unknown property");
        }
    }
    if (prop != -FDT_ERR_NOTFOUND)
        return fail(c, HYP_EFORMAT, node, NULL, "cannot list properties (%s)",
                    fdt_strerror(prop));
    return HYP_OK;
}

/**
 * Read a property that must hold exactly one string from @p choices.
 * @return HYP_OK with *out set (to @p dflt when absent), or HYP_EFORMAT.
 */
static int prop_choice(struct pctx *c, int node, const char *prop,
                       const struct choice *choices, size_t n, unsigned dflt,
                       unsigned *out)
{
    int len;
    const char *s = fdt_getprop(c->fdt, node, prop, &len);
    char list[64], shown[HYP_FDT_QUOTE_MAX + 4];
    size_t used = 0;

    if (!s) {
        *out = dflt;
        return HYP_OK;
    }
    if (len < 1 || s[len - 1] != '\0')
        return fail(c, HYP_EFORMAT, node, prop, "not a NUL-terminated string");
    if (strlen(s) + 1 != (size_t)len)
        return fail(c, HYP_EFORMAT, node, prop, "must be a single string");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, choices[i].name) == 0) {
            *out = choices[i].value;
            return HYP_OK;
        }
    }
    list[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < sizeof(list); i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
                                 i ? ", " : "", choices[i].name);
    hyp_fdt_quote(shown, sizeof(shown), s);
    return fail(c, HYP_EFORMAT, node, prop, "\"%s\" is not one of %s", shown, list);
}

/**
 * Read `#address-cells` or `#size-cells`: one cell, 1 or 2.
 * @return HYP_OK (*present false if absent) or HYP_EFORMAT.
 */
static int prop_cells(struct pctx *c, int node, const char *prop, bool *present,
                      unsigned *out)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, prop, &len);
    uint32_t v;

    *present = p != NULL;
    if (!p)
        return HYP_OK;
    if (len != (int)sizeof(*p))
        return fail(c, HYP_EFORMAT, node, prop, "length %d, expected 4 (one cell)", len);
    v = fdt32_ld(p);
    if (v != 1 && v != 2)
        return fail(c, HYP_EFORMAT, node, prop, "%u, expected 1 or 2", (unsigned)v);
    *out = v;
    return HYP_OK;
}

/** A boolean property: @return HYP_OK (*set tells presence) or HYP_EFORMAT. */
static int prop_bool(struct pctx *c, int node, const char *prop, bool *set)
{
    int len;

    *set = fdt_getprop(c->fdt, node, prop, &len) != NULL;
    if (*set && len != 0)
        return fail(c, HYP_EFORMAT, node, prop,
                    "length %d, a boolean property must be empty", len);
    return HYP_OK;
}

/*
 * The policy node
 */

static const char *const policy_props[] = {
    "compatible",         "phandle",     "linux,phandle", "name",
    "#address-cells",     "#size-cells", "rate-limit",    "syscalls",
    "control-registers",  "interrupts",  "dma-devices",   "dma-capable",
    "fine-grained-traps",
};

static const char *const watch_props[] = {
    "reg", "action", "phandle", "linux,phandle", "name",
};

static const char *const protect_props[] = {
    "reg", "action", "no-write", "no-exec", "phandle", "linux,phandle", "name",
};

static const struct choice syscalls_choices[] = {{"off", 0}, {"log", 1}};

static const struct choice creg_choices[] = {
    {"off", HYP_POLICY_CREG_OFF},
    {"log", HYP_POLICY_CREG_LOG},
    {"deny", HYP_POLICY_CREG_DENY},
    {"log-deny", HYP_POLICY_CREG_LOG_DENY},
};

static const struct choice irq_choices[] = {{"count", 0}, {"log", 1}};

static const struct choice dma_choices[] = {{"pass", 0}, {"withhold", 1}};

static const struct choice fgt_choices[] = {{"auto", 0}, {"off", 1}};

static const struct choice watch_actions[] = {
    {"log", HYP_ACT_LOG},
    {"deny", HYP_ACT_DENY},
    {"log-deny", HYP_ACT_LOG | HYP_ACT_DENY},
};

static const struct choice protect_actions[] = {
    {"deny", HYP_ACT_DENY},
    {"log-deny", HYP_ACT_LOG | HYP_ACT_DENY},
};

static int parse_rate_limit(struct pctx *c, int node)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, "rate-limit", &len);

    if (!p)
        return HYP_OK;
    if (len != 2 * (int)sizeof(*p))
        return fail(c, HYP_EFORMAT, node, "rate-limit",
                    "length %d, expected 8 (<events-per-second burst>)", len);
    c->pol->rate = fdt32_ld(p);
    c->pol->burst = fdt32_ld(p + 1);
    if (c->pol->rate > 0 && c->pol->burst == 0)
        return fail(c, HYP_EFORMAT, node, "rate-limit",
                    "burst is 0 with a rate of %u per second (burst must be >= 1)",
                    (unsigned)c->pol->rate);
    return HYP_OK;
}

/** `dma-capable`: a list of 1 .. HYP_POLICY_MAX_DMA_COMPAT non-empty strings. */
static int parse_dma_capable(struct pctx *c, int node)
{
    int len;
    const char *s = fdt_getprop(c->fdt, node, "dma-capable", &len);
    unsigned n = 0;

    if (!s)
        return HYP_OK;
    if (len < 1 || s[len - 1] != '\0')
        return fail(c, HYP_EFORMAT, node, "dma-capable", "not a list of strings");
    for (int i = 0; i < len; i += (int)strlen(s + i) + 1) {
        size_t l = strlen(s + i);

        if (l == 0)
            return fail(c, HYP_EFORMAT, node, "dma-capable", "string %u is empty", n);
        if (l >= HYP_POLICY_COMPAT_LEN)
            return fail(c, HYP_EFORMAT, node, "dma-capable",
                        "string %u is %zu bytes long, at most %d allowed", n, l,
                        HYP_POLICY_COMPAT_LEN - 1);
        if (n == HYP_POLICY_MAX_DMA_COMPAT)
            return fail(c, HYP_ENOMEM, node, "dma-capable", "more than %d strings",
                        HYP_POLICY_MAX_DMA_COMPAT);
        memcpy(c->pol->dma_compat[n++], s + i, l + 1);
    }
    c->pol->dma_compat_count = n;
    return HYP_OK;
}

static int parse_node_props(struct pctx *c, int node)
{
    unsigned v;
    int rc = check_known(c, node, policy_props, ARRAY_LEN(policy_props));

    if (rc == HYP_OK)
        rc = parse_rate_limit(c, node);
    if (rc == HYP_OK)
        rc = prop_choice(c, node, "syscalls", syscalls_choices,
                         ARRAY_LEN(syscalls_choices), 0, &v);
    if (rc != HYP_OK)
        return rc;
    c->pol->syscalls = v != 0;
    rc = prop_choice(c, node, "control-registers", creg_choices, ARRAY_LEN(creg_choices),
                     HYP_POLICY_CREG_OFF, &v);
    if (rc != HYP_OK)
        return rc;
    c->pol->creg_trap = v != HYP_POLICY_CREG_OFF;
    c->pol->creg_action = v;
    rc = prop_choice(c, node, "interrupts", irq_choices, ARRAY_LEN(irq_choices), 0, &v);
    if (rc != HYP_OK)
        return rc;
    c->pol->irq_log = v != 0;
    rc = prop_choice(c, node, "dma-devices", dma_choices, ARRAY_LEN(dma_choices), 0, &v);
    if (rc != HYP_OK)
        return rc;
    c->pol->dma_withhold = v != 0;
    rc = prop_choice(c, node, "fine-grained-traps", fgt_choices, ARRAY_LEN(fgt_choices),
                     0, &v);
    if (rc != HYP_OK)
        return rc;
    c->pol->no_fgt = v != 0;
    return parse_dma_capable(c, node);
}

/*
 * Children
 */

/** A child's `reg`: one pair, non-empty, 4 KiB aligned, not wrapping. */
static int parse_reg(struct pctx *c, int node, unsigned ac, unsigned sc, uint64_t *base,
                     uint64_t *size)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, "reg", &len);
    int want = (int)((ac + sc) * sizeof(*p));

    if (!p)
        return fail(c, HYP_EFORMAT, node, "reg", "missing");
    if (len != want)
        return fail(c, HYP_EFORMAT, node, "reg",
                    "length %d, expected %d (one address/size pair with "
                    "#address-cells=%u, #size-cells=%u)",
                    len, want, ac, sc);
    *base = hyp_fdt_cells(p, ac);
    *size = hyp_fdt_cells(p + ac, sc);
    if (*size == 0)
        return fail(c, HYP_EFORMAT, node, "reg", "size is 0");
    if (*base % HYP_POLICY_GRANULE != 0)
        return fail(c, HYP_EFORMAT, node, "reg", "base 0x%llx is not 4 KiB aligned",
                    (unsigned long long)*base);
    if (*size % HYP_POLICY_GRANULE != 0)
        return fail(c, HYP_EFORMAT, node, "reg", "size 0x%llx is not a multiple of 4 KiB",
                    (unsigned long long)*size);
    if (*base + (*size - 1) < *base)
        return fail(c, HYP_EFORMAT, node, "reg",
                    "base 0x%llx + size 0x%llx wraps around the address space",
                    (unsigned long long)*base, (unsigned long long)*size);
    return HYP_OK;
}

static bool overlaps(uint64_t base, uint64_t size, uint64_t obase, uint64_t osize)
{
    return base <= obase + (osize - 1) && obase <= base + (size - 1);
}

/** Reject a new range that overlaps any range already accepted. */
static int check_overlap(struct pctx *c, int node, uint64_t base, uint64_t size)
{
    const struct hyp_policy *pol = c->pol;
    const char *other = NULL;

    for (unsigned i = 0; i < pol->watch_count && !other; i++)
        if (overlaps(base, size, pol->watch[i].base, pol->watch[i].size))
            other = pol->watch[i].name;
    for (unsigned i = 0; i < pol->protect_count && !other; i++)
        if (overlaps(base, size, pol->protect[i].base, pol->protect[i].size))
            other = pol->protect[i].name;
    if (other)
        return fail(c, HYP_EFORMAT, node, "reg", "0x%llx+0x%llx overlaps %s",
                    (unsigned long long)base, (unsigned long long)size, other);
    return HYP_OK;
}

/** Children of watch and protect nodes are errors. */
static int check_leaf(struct pctx *c, int node)
{
    int sub = fdt_first_subnode(c->fdt, node);

    if (sub >= 0)
        return fail(c, HYP_EFORMAT, sub, NULL,
                    "unexpected node (watch and protect nodes have no children)");
    return HYP_OK;
}

static int parse_watch(struct pctx *c, int node, const char *name, unsigned ac,
                       unsigned sc)
{
    struct hyp_policy *pol = c->pol;
    struct hyp_policy_watch w;
    int rc;

    if (pol->watch_count == HYP_POLICY_MAX_WATCH)
        return fail(c, HYP_ENOMEM, node, NULL,
                    "more than %d watch nodes (HYP_POLICY_MAX_WATCH)",
                    HYP_POLICY_MAX_WATCH);
    memset(&w, 0, sizeof(w));
    rc = check_known(c, node, watch_props, ARRAY_LEN(watch_props));
    if (rc == HYP_OK)
        rc = check_leaf(c, node);
    if (rc == HYP_OK)
        rc = parse_reg(c, node, ac, sc, &w.base, &w.size);
    if (rc == HYP_OK)
        rc = prop_choice(c, node, "action", watch_actions, ARRAY_LEN(watch_actions),
                         HYP_ACT_LOG, &w.action);
    if (rc == HYP_OK)
        rc = check_overlap(c, node, w.base, w.size);
    if (rc != HYP_OK)
        return rc;
    hyp_fdt_copy(w.name, sizeof(w.name), name);
    pol->watch[pol->watch_count++] = w;
    return HYP_OK;
}

static int parse_protect(struct pctx *c, int node, const char *name, unsigned ac,
                         unsigned sc)
{
    struct hyp_policy *pol = c->pol;
    struct hyp_policy_protect p;
    bool no_write = false, no_exec = false;
    const char *action;
    int rc, len;

    if (pol->protect_count == HYP_POLICY_MAX_PROTECT)
        return fail(c, HYP_ENOMEM, node, NULL,
                    "more than %d protect nodes (HYP_POLICY_MAX_PROTECT)",
                    HYP_POLICY_MAX_PROTECT);
    memset(&p, 0, sizeof(p));
    rc = check_known(c, node, protect_props, ARRAY_LEN(protect_props));
    if (rc == HYP_OK)
        rc = check_leaf(c, node);
    if (rc == HYP_OK)
        rc = parse_reg(c, node, ac, sc, &p.base, &p.size);
    if (rc == HYP_OK)
        rc = prop_bool(c, node, "no-write", &no_write);
    if (rc == HYP_OK)
        rc = prop_bool(c, node, "no-exec", &no_exec);
    if (rc != HYP_OK)
        return rc;
    if (!no_write && !no_exec)
        return fail(c, HYP_EFORMAT, node, "no-write, no-exec",
                    "neither is present (a protect node needs at least one)");
    action = fdt_getprop(c->fdt, node, "action", &len);
    if (action && len == (int)sizeof("log") && memcmp(action, "log", sizeof("log")) == 0)
        return fail(c, HYP_EFORMAT, node, "action",
                    "\"log\" is not allowed: protected ranges are always enforced "
                    "(use \"deny\" or \"log-deny\")");
    rc = prop_choice(c, node, "action", protect_actions, ARRAY_LEN(protect_actions),
                     HYP_ACT_LOG | HYP_ACT_DENY, &p.action);
    if (rc != HYP_OK)
        return rc;
    rc = check_overlap(c, node, p.base, p.size);
    if (rc != HYP_OK)
        return rc;
    p.prot = (no_write ? HYP_POLICY_NO_WRITE : 0u) | (no_exec ? HYP_POLICY_NO_EXEC : 0u);
    hyp_fdt_copy(p.name, sizeof(p.name), name);
    pol->protect[pol->protect_count++] = p;
    return HYP_OK;
}

static int parse_children(struct pctx *c, int node)
{
    unsigned ac = 0, sc = 0;
    bool has_ac, has_sc;
    int child, rc;

    rc = prop_cells(c, node, "#address-cells", &has_ac, &ac);
    if (rc == HYP_OK)
        rc = prop_cells(c, node, "#size-cells", &has_sc, &sc);
    if (rc != HYP_OK)
        return rc;
    child = fdt_first_subnode(c->fdt, node);
    if (child < 0)
        return child == -FDT_ERR_NOTFOUND
                   ? HYP_OK
                   : fail(c, HYP_EFORMAT, node, NULL, "cannot list children (%s)",
                          fdt_strerror(child));
    if (!has_ac || !has_sc)
        return fail(c, HYP_EFORMAT, node, has_ac ? "#size-cells" : "#address-cells",
                    "missing (required when the node has children)");

    fdt_for_each_subnode(child, c->fdt, node)
    {
        int len;
        const char *name = fdt_get_name(c->fdt, child, &len);
        const char *at;
        size_t base_len;

        if (!name)
            return fail(c, HYP_EFORMAT, node, NULL, "child with an unreadable name");
        at = strchr(name, '@');
        base_len = at ? (size_t)(at - name) : strlen(name);
        if (base_len == 5 && strncmp(name, "watch", 5) == 0)
            rc = parse_watch(c, child, name, ac, sc);
        else if (base_len == 7 && strncmp(name, "protect", 7) == 0)
            rc = parse_protect(c, child, name, ac, sc);
        else
            rc = fail(c, HYP_EFORMAT, child, NULL,
                      "unknown node (expected watch@<addr> or protect@<addr>)");
        if (rc != HYP_OK)
            return rc;
    }
    if (child != -FDT_ERR_NOTFOUND)
        return fail(c, HYP_EFORMAT, node, NULL, "cannot list children (%s)",
                    fdt_strerror(child));
    return HYP_OK;
}

/*
 * Entry points
 */

/** Validate the blob's header and structure against the bytes available. */
static int check_blob(struct pctx *c, size_t dtb_max)
{
    int rc;

    if ((uintptr_t)c->fdt % 8 != 0)
        return fail(c, HYP_EALIGN, -1, NULL, "DTB at %p is not 8-byte aligned", c->fdt);
    if (dtb_max < sizeof(struct fdt_header))
        return fail(c, HYP_EFORMAT, -1, NULL,
                    "DTB truncated: %zu bytes, smaller than the %zu-byte header", dtb_max,
                    sizeof(struct fdt_header));
    if (fdt_magic(c->fdt) != FDT_MAGIC)
        return fail(c, HYP_EFORMAT, -1, NULL, "DTB header: bad magic 0x%08x",
                    (unsigned)fdt_magic(c->fdt));
    if (fdt_totalsize(c->fdt) > dtb_max)
        return fail(c, HYP_EFORMAT, -1, NULL,
                    "DTB truncated: header totalsize %u exceeds the %zu bytes available",
                    (unsigned)fdt_totalsize(c->fdt), dtb_max);
    rc = fdt_check_header(c->fdt);
    if (rc != 0)
        return fail(c, HYP_EFORMAT, -1, NULL, "DTB header: %s", fdt_strerror(rc));
    rc = hyp_fdt_check_full(c->fdt, fdt_totalsize(c->fdt));
    if (rc != 0)
        return fail(c, HYP_EFORMAT, -1, NULL, "DTB structure is malformed: %s",
                    fdt_strerror(rc));
    return HYP_OK;
}

void hyp_policy_defaults(struct hyp_policy *pol)
{
    memset(pol, 0, sizeof(*pol));
    pol->rate = HYP_POLICY_DEFAULT_RATE;
    pol->burst = HYP_POLICY_DEFAULT_BURST;
    pol->creg_action = HYP_POLICY_CREG_OFF;
}

static int parse(struct pctx *c, size_t dtb_max)
{
    char path[256];
    int node, rc;

    rc = check_blob(c, dtb_max);
    if (rc != HYP_OK)
        return rc;
    node = fdt_node_offset_by_compatible(c->fdt, -1, HYP_POLICY_COMPATIBLE);
    if (node == -FDT_ERR_NOTFOUND)
        return HYP_OK;
    if (node < 0)
        return fail(c, HYP_EFORMAT, -1, NULL, "searching for \"%s\": %s",
                    HYP_POLICY_COMPATIBLE, fdt_strerror(node));
    c->pol->present = true;
    hyp_fdt_path(c->fdt, node, path, sizeof(path));
    hyp_fdt_copy(c->pol->path, sizeof(c->pol->path), path);
    rc = parse_node_props(c, node);
    if (rc == HYP_OK)
        rc = parse_children(c, node);
    return rc;
}

int hyp_policy_parse(const void *dtb, size_t dtb_max, struct hyp_policy *pol, char *err)
{
    struct pctx c = {.fdt = dtb, .pol = pol, .err = err};
    int rc;

    if (err)
        err[0] = '\0';
    if (pol)
        hyp_policy_defaults(pol);
    if (!dtb || !pol)
        return fail(&c, HYP_EINVAL, -1, NULL, "NULL %s", dtb ? "policy" : "DTB");
    rc = parse(&c, dtb_max);
    if (rc != HYP_OK) {
        hyp_policy_defaults(pol);
        return rc;
    }
    if (err)
        err[0] = '\0';
    return HYP_OK;
}

const struct hyp_policy_watch *hyp_policy_find_watch(const struct hyp_policy *pol,
                                                     uint64_t addr)
{
    if (!pol)
        return NULL;
    for (unsigned i = 0; i < pol->watch_count && i < HYP_POLICY_MAX_WATCH; i++)
        if (addr - pol->watch[i].base < pol->watch[i].size)
            return &pol->watch[i];
    return NULL;
}

const struct hyp_policy_protect *hyp_policy_find_protect(const struct hyp_policy *pol,
                                                         uint64_t addr)
{
    if (!pol)
        return NULL;
    for (unsigned i = 0; i < pol->protect_count && i < HYP_POLICY_MAX_PROTECT; i++)
        if (addr - pol->protect[i].base < pol->protect[i].size)
            return &pol->protect[i];
    return NULL;
}

bool hyp_policy_dma_capable(const struct hyp_policy *pol, const void *dtb, int node)
{
    static const char *const props[] = {"dma-coherent", "dma-noncoherent", "dma-ranges",
                                        "iommus", "iommu-map"};

    if (!dtb || node < 0 || fdt_check_header(dtb) != 0)
        return false;
    if (fdt_node_check_compatible(dtb, node, "virtio,mmio") == 0)
        return true;
    for (size_t i = 0; i < ARRAY_LEN(props); i++)
        if (fdt_getprop(dtb, node, props[i], NULL) != NULL)
            return true;
    for (unsigned i = 0;
         pol && i < pol->dma_compat_count && i < HYP_POLICY_MAX_DMA_COMPAT; i++)
        if (fdt_node_check_compatible(dtb, node, pol->dma_compat[i]) == 0)
            return true;
    return false;
}
