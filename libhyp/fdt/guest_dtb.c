/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file guest_dtb.c
 * @brief The guest's device tree, written with libfdt's sequential-write API
 *        (see hyp/guest.h).
 *
 * The configuration is checked completely before the first byte is written,
 * so the only failure while writing is running out of output space. libfdt
 * write errors are sticky in the build context: the writer helpers do
 * nothing once one call failed, and the first failure is reported with the
 * node and property being written.
 */
#include "fdt_index.h"
#include "guest_internal.h"

#include <hyp/error.h>
#include <hyp/guest.h>

#include <libfdt.h>
#include "fdt_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/** Phandles of the nodes others refer to: the GIC, the UART's clock, and
 *  from PHANDLE_FIRST_COPY on the clocks copied for passed-through devices. */
#define PHANDLE_GIC        1
#define PHANDLE_CLK        2
#define PHANDLE_FIRST_COPY 3

/** Most distinct clocks copied for passed-through devices. */
#define MAX_COPIED_CLOCKS 8

/** Rate of the PL011's fixed `apb-pclk`, as QEMU's virt machine describes it. */
#define UART_CLOCK_HZ 24000000

/** Bits of MPIDR_EL1 that are affinity fields: Aff3 [39:32], Aff2..Aff0 [23:0]. */
#define MPIDR_AFF_MASK 0xff00ffffffULL

/** DT interrupt trigger type "level, active high". */
#define IRQ_TYPE_LEVEL_HIGH 4

/** Most interrupt specifiers copied from the host's timer node. */
#define TIMER_MAX_IRQS 5

/** Most cells in one property this writer builds (GICv3 reg: 8 ranges). */
#define MAX_CELLS 32

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const gic_v2_compat[] = {
    "arm,gic-400",       "arm,cortex-a15-gic", "arm,cortex-a9-gic",
    "arm,cortex-a7-gic", "arm,pl390",          "arm,arm11mp-gic",
};

/** One interrupt specifier in the guest's 3-cell GIC format. */
struct spec {
    uint32_t type, num, flags;
};

/** One call's state. */
struct bctx {
    const void *host;
    const struct hyp_fdt_index *idx; /**< Of @ref host, once it is checked. */
    const struct hyp_guest_dtb_cfg *cfg;
    char *err;
    void *fdt;

    /* Read from the host before writing. */
    const char *model;                 /**< Host model, NULL if none. */
    const char *gic_compat;            /**< GICv2: host's compatible list. */
    int gic_compat_len;                /**< Its length in bytes. */
    struct spec maint;                 /**< Maintenance interrupt, if @ref has_maint. */
    bool has_maint;                    /**< The host's GIC has `interrupts`. */
    struct spec timer[TIMER_MAX_IRQS]; /**< Host timer's interrupts. */
    unsigned timer_count;              /**< Valid entries in @ref timer. */
    bool timer_always_on;              /**< Host timer has `always-on`. */
    bool has_timer_freq;               /**< Host timer has `clock-frequency`. */
    uint32_t timer_freq;               /**< Its value. */
    char uart_path[32];                /**< "/serial@<addr>" when a UART is configured. */
    int clk_host[MAX_COPIED_CLOCKS];   /**< Host clocks the devices use. */
    uint32_t clk_phandle[MAX_COPIED_CLOCKS]; /**< Their guest phandles. */
    unsigned clk_count;                      /**< Valid entries in @ref clk_host. */

    /* Sticky libfdt write error. */
    int fdt_rc;            /**< First libfdt error, 0 if none. */
    char node[40];         /**< Node being written. */
    char fail_node[40];    /**< Node at the first error. */
    const char *fail_prop; /**< Property at the first error, or NULL. */
};

/*
 * Checking the configuration
 */

static int cfg_fail_range(struct bctx *c, const char *what, const struct hyp_range *r,
                          const char *why)
{
    return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL, "cfg: %s 0x%llx+0x%llx %s", what,
                          (unsigned long long)r->base, (unsigned long long)r->size, why);
}

/** A labelled range for the overlap check. */
struct labelled {
    char label[24]; /* "gic.gicr[" + up to 10 digits + "]" */
    struct hyp_range r;
};

static void add_labelled(struct labelled *list, unsigned *n, const char *fmt, unsigned i,
                         struct hyp_range r)
{
    if (r.size == 0)
        return;
    snprintf(list[*n].label, sizeof(list[*n].label), fmt, i);
    list[*n].r = r;
    (*n)++;
}

static int check_range(struct bctx *c, const char *label, const struct hyp_range *r)
{
    if (r->size == 0)
        return cfg_fail_range(c, label, r, "is empty");
    if (r->base + (r->size - 1) < r->base)
        return cfg_fail_range(c, label, r, "wraps around");
    return HYP_OK;
}

static int check_gic(struct bctx *c, struct labelled *list, unsigned *n)
{
    const struct hyp_gic *g = &c->cfg->gic;
    int rc;

    if (g->version != 2 && g->version != 3)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                              "cfg: gic.version %u, must be 2 or 3", g->version);
    rc = check_range(c, "gic.gicd", &g->gicd);
    if (rc != HYP_OK)
        return rc;
    add_labelled(list, n, "gic.gicd", 0, g->gicd);
    if (g->version == 3) {
        if (g->gicr_count < 1 || g->gicr_count > HYP_PLATFORM_MAX_GICR)
            return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                                  "cfg: gic.gicr_count %u, must be 1..%d", g->gicr_count,
                                  HYP_PLATFORM_MAX_GICR);
        for (unsigned i = 0; i < g->gicr_count; i++) {
            char label[24]; /* "gic.gicr[" + up to 10 digits + "]" */

            snprintf(label, sizeof(label), "gic.gicr[%u]", i);
            rc = check_range(c, label, &g->gicr[i]);
            if (rc != HYP_OK)
                return rc;
            add_labelled(list, n, "gic.gicr[%u]", i, g->gicr[i]);
        }
    } else {
        rc = check_range(c, "gic.gicc", &g->gicc);
        if (rc != HYP_OK)
            return rc;
    }
    /* Optional frames: each only counts while the ones before it exist. */
    if (g->gicc.size) {
        add_labelled(list, n, "gic.gicc", 0, g->gicc);
        if (g->gich.size) {
            add_labelled(list, n, "gic.gich", 0, g->gich);
            add_labelled(list, n, "gic.gicv", 0, g->gicv);
        }
    }
    for (unsigned i = 0; i < *n; i++) {
        rc = check_range(c, list[i].label, &list[i].r);
        if (rc != HYP_OK)
            return rc;
    }
    return HYP_OK;
}

static int irq_to_spec(struct bctx *c, const char *label, struct hyp_irq irq,
                       struct spec *out)
{
    if (irq.intid >= 16 && irq.intid < 32) {
        out->type = 1;
        out->num = irq.intid - 16;
    } else if (irq.intid >= 32 && irq.intid < 1020) {
        out->type = 0;
        out->num = irq.intid - 32;
    } else {
        return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                              "cfg: %s.intid %u is neither a PPI (16..31) nor an SPI "
                              "(32..1019)",
                              label, (unsigned)irq.intid);
    }
    out->flags = (irq.flags & 0xf) ? (irq.flags & 0xf) : IRQ_TYPE_LEVEL_HIGH;
    return HYP_OK;
}

/* @r (labelled @label) is a valid range inside one of the @mem_n RAM ranges
 * that start @list. */
static int check_in_mem(struct bctx *c, const char *label, const struct hyp_range *r,
                        const struct labelled *list, unsigned mem_n)
{
    int rc = check_range(c, label, r);

    if (rc != HYP_OK)
        return rc;
    for (unsigned i = 0; i < mem_n; i++) {
        const struct hyp_range *m = &list[i].r;

        if (r->base >= m->base && r->size <= m->size &&
            r->base - m->base <= m->size - r->size)
            return HYP_OK;
    }
    return cfg_fail_range(c, label, r, "is not inside one guest RAM range");
}

static int check_cfg(struct bctx *c, struct spec *uart_irq)
{
    const struct hyp_guest_dtb_cfg *cfg = c->cfg;
    struct labelled
        list[HYP_GUEST_MAX_MEM + HYP_PLATFORM_MAX_GICR + 6 + HYP_GUEST_MAX_SHARED];
    unsigned n = 0, mem_n;
    int rc;

    if (!cfg->mem || cfg->mem_count < 1 || cfg->mem_count > HYP_GUEST_MAX_MEM)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                              "cfg: mem_count %u (mem %s), must be 1..%d", cfg->mem_count,
                              cfg->mem ? "given" : "NULL", HYP_GUEST_MAX_MEM);
    for (unsigned i = 0; i < cfg->mem_count; i++) {
        char label[16];

        snprintf(label, sizeof(label), "mem[%u]", i);
        rc = check_range(c, label, &cfg->mem[i]);
        if (rc != HYP_OK)
            return rc;
        add_labelled(list, &n, "mem[%u]", i, cfg->mem[i]);
    }
    mem_n = n;

    if (!cfg->mpidr || cfg->vcpu_count < 1 || cfg->vcpu_count > HYP_PLATFORM_MAX_CPUS)
        return hyp_guest_fail(
            c->err, NULL, -1, HYP_EINVAL, "cfg: vcpu_count %u (mpidr %s), must be 1..%d",
            cfg->vcpu_count, cfg->mpidr ? "given" : "NULL", HYP_PLATFORM_MAX_CPUS);
    for (unsigned i = 0; i < cfg->vcpu_count; i++) {
        if (cfg->mpidr[i] & ~MPIDR_AFF_MASK)
            return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                                  "cfg: mpidr[%u] 0x%llx has bits outside Aff3..Aff0", i,
                                  (unsigned long long)cfg->mpidr[i]);
        for (unsigned k = 0; k < i; k++)
            if (cfg->mpidr[k] == cfg->mpidr[i])
                return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                                      "cfg: mpidr[%u] and mpidr[%u] are both 0x%llx", k,
                                      i, (unsigned long long)cfg->mpidr[i]);
    }

    if (cfg->psci != HYP_PSCI_HVC && cfg->psci != HYP_PSCI_SMC)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                              "cfg: psci conduit %d, must be HYP_PSCI_HVC or "
                              "HYP_PSCI_SMC",
                              (int)cfg->psci);

    rc = check_gic(c, list, &n);
    if (rc != HYP_OK)
        return rc;

    if (cfg->uart.size) {
        rc = check_range(c, "uart", &cfg->uart);
        if (rc == HYP_OK)
            rc = irq_to_spec(c, "uart_irq", cfg->uart_irq, uart_irq);
        if (rc != HYP_OK)
            return rc;
        add_labelled(list, &n, "uart", 0, cfg->uart);
    }
    if (cfg->optee_method && strcmp(cfg->optee_method, "smc") != 0 &&
        strcmp(cfg->optee_method, "hvc") != 0)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                              "cfg: optee_method must be \"smc\" or \"hvc\"");
    if (cfg->shared_count > HYP_GUEST_MAX_SHARED || (cfg->shared_count && !cfg->shared))
        return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                              "cfg: shared_count %u (shared %s), must be 0..%d",
                              cfg->shared_count, cfg->shared ? "given" : "NULL",
                              HYP_GUEST_MAX_SHARED);
    for (unsigned i = 0; i < cfg->shared_count; i++) {
        char label[16];

        snprintf(label, sizeof(label), "shared[%u]", i);
        rc = check_range(c, label, &cfg->shared[i]);
        if (rc == HYP_OK && cfg->shared_doorbell && cfg->shared_doorbell[i] &&
            (cfg->shared_doorbell[i] < 32 || cfg->shared_doorbell[i] > 1019))
            rc = hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                                "cfg: shared_doorbell[%u] %u is not an SPI", i,
                                cfg->shared_doorbell[i]);
        if (rc != HYP_OK)
            return rc;
        add_labelled(list, &n, "shared[%u]", i, cfg->shared[i]);
    }
    if (cfg->hcpage.size) {
        rc = check_range(c, "hcpage", &cfg->hcpage);
        if (rc != HYP_OK)
            return rc;
        add_labelled(list, &n, "hcpage", 0, cfg->hcpage);
    }

    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < i; k++)
            if (hyp_guest_overlap(list[k].r.base, list[k].r.size, list[i].r.base,
                                  list[i].r.size))
                return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                                      "cfg: %s 0x%llx+0x%llx overlaps %s 0x%llx+0x%llx",
                                      list[i].label, (unsigned long long)list[i].r.base,
                                      (unsigned long long)list[i].r.size, list[k].label,
                                      (unsigned long long)list[k].r.base,
                                      (unsigned long long)list[k].r.size);

    rc = cfg->initrd.size ? check_in_mem(c, "initrd", &cfg->initrd, list, mem_n) : HYP_OK;
    if (rc == HYP_OK && cfg->child_pool.size)
        rc = check_in_mem(c, "child_pool", &cfg->child_pool, list, mem_n);
    return rc;
}

/*
 * Reading the host DTB
 */

/** A property that must be a NUL-terminated string; NULL if absent or not one. */
static const char *host_string(const struct bctx *c, int node, const char *name,
                               int *lenp)
{
    int len;
    const char *s = fdt_getprop(c->host, node, name, &len);

    if (!s || len < 1 || s[len - 1] != '\0')
        return NULL;
    if (lenp)
        *lenp = len;
    return s;
}

static bool host_enabled(const struct bctx *c, int node)
{
    const char *s = host_string(c, node, "status", NULL);

    if (!fdt_getprop(c->host, node, "status", NULL))
        return true;
    return s && (strcmp(s, "okay") == 0 || strcmp(s, "ok") == 0);
}

/** First enabled host node compatible with any of @p list, or -1. */
static int host_find(const struct bctx *c, const char *const *list, size_t n)
{
    int node;

    for (node = fdt_next_node(c->host, -1, NULL); node >= 0;
         node = fdt_next_node(c->host, node, NULL)) {
        int len;
        /* Fetched once per node, not once per entry of @p list. */
        const char *compat = fdt_getprop(c->host, node, "compatible", &len);

        if (compat == NULL || !host_enabled(c, node))
            continue;
        for (size_t i = 0; i < n; i++)
            if (fdt_stringlist_contains(compat, len, list[i]))
                return node;
    }
    return -1;
}

/**
 * Read up to @p max specifiers of @p node's `interrupts` (GIC format with
 * @p icells cells each) into @p out, keeping type, number and trigger type.
 */
static int host_irqs(struct bctx *c, int node, unsigned icells, struct spec *out,
                     unsigned max, unsigned *count)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->host, node, "interrupts", &len);
    size_t entry = icells * sizeof(fdt32_t);
    unsigned n;

    *count = 0;
    if (!p)
        return HYP_OK;
    if (len == 0 || (size_t)len % entry != 0)
        return hyp_guest_fail(c->err, c->host, node, HYP_EFORMAT,
                              "property 'interrupts': length %d is not a multiple of %zu "
                              "bytes (#interrupt-cells=%u)",
                              len, entry, icells);
    n = (unsigned)((size_t)len / entry);
    for (unsigned i = 0; i < n && i < max; i++) {
        const fdt32_t *s = p + (size_t)i * icells;
        /* Numbers per type: SPI, PPI, GICv3.1 extended SPI and PPI. */
        static const uint32_t limit[4] = {988, 16, 1024, 64};
        uint32_t type = fdt32_ld(s), num = fdt32_ld(s + 1);

        if (type > (c->cfg->gic.version == 3 ? 3u : 1u))
            return hyp_guest_fail(c->err, c->host, node, HYP_EFORMAT,
                                  "property 'interrupts': entry %u: unknown interrupt "
                                  "type %u",
                                  i, (unsigned)type);
        if (num >= limit[type])
            return hyp_guest_fail(c->err, c->host, node, HYP_EFORMAT,
                                  "property 'interrupts': entry %u: number %u out of "
                                  "range for type %u",
                                  i, (unsigned)num, (unsigned)type);
        out[i].type = type;
        out[i].num = num;
        out[i].flags = fdt32_ld(s + 2) & 0xf; /* drop GICv2 PPI CPU masks */
        (*count)++;
    }
    return HYP_OK;
}

static int read_host(struct bctx *c)
{
    static const char *const timer_compat[] = {"arm,armv8-timer", "arm,armv7-timer"};
    static const char *const v3_compat[] = {"arm,gic-v3"};
    unsigned version = c->cfg->gic.version;
    const fdt32_t *p;
    unsigned count;
    int gic, timer, len, rc;
    uint32_t icells;

    rc = fdt_check_header(c->host);
    if (rc == 0)
        rc = hyp_fdt_check_full(c->host, fdt_totalsize(c->host));
    if (rc != 0)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EFORMAT, "host DTB: %s",
                              fdt_strerror(rc));
    c->idx = hyp_fdt_index_for(c->host);
    c->model = host_string(c, 0, "model", NULL);

    if (version == 3)
        gic = host_find(c, v3_compat, ARRAY_LEN(v3_compat));
    else
        gic = host_find(c, gic_v2_compat, ARRAY_LEN(gic_v2_compat));
    if (gic < 0)
        return hyp_guest_fail(c->err, NULL, -1, HYP_ENOENT,
                              "host DTB: no enabled GICv%u node to copy the vGIC from",
                              version);
    p = fdt_getprop(c->host, gic, "#interrupt-cells", &len);
    if (!p || len != (int)sizeof(*p) || (icells = fdt32_ld(p)) < 3 || icells > 4)
        return hyp_guest_fail(c->err, c->host, gic, HYP_EFORMAT,
                              "property '#interrupt-cells': missing or not 3 or 4");
    if (version == 2) {
        c->gic_compat = host_string(c, gic, "compatible", &c->gic_compat_len);
        if (!c->gic_compat)
            return hyp_guest_fail(c->err, c->host, gic, HYP_EFORMAT,
                                  "property 'compatible': not a string list");
    }
    rc = host_irqs(c, gic, icells, &c->maint, 1, &count);
    if (rc != HYP_OK)
        return rc;
    c->has_maint = count == 1;

    timer = host_find(c, timer_compat, ARRAY_LEN(timer_compat));
    if (timer < 0)
        return hyp_guest_fail(c->err, NULL, -1, HYP_ENOENT,
                              "host DTB: no enabled node compatible with "
                              "\"arm,armv8-timer\"");
    rc = host_irqs(c, timer, icells, c->timer, TIMER_MAX_IRQS, &c->timer_count);
    if (rc != HYP_OK)
        return rc;
    if (c->timer_count < 4)
        return hyp_guest_fail(c->err, c->host, timer, HYP_EFORMAT,
                              "property 'interrupts': %u entries, the timer needs 4",
                              c->timer_count);
    c->timer_always_on = fdt_getprop(c->host, timer, "always-on", NULL) != NULL;
    p = fdt_getprop(c->host, timer, "clock-frequency", &len);
    if (p) {
        if (len != (int)sizeof(*p))
            return hyp_guest_fail(c->err, c->host, timer, HYP_EFORMAT,
                                  "property 'clock-frequency': length %d, expected 4",
                                  len);
        c->has_timer_freq = true;
        c->timer_freq = fdt32_ld(p);
    }
    return HYP_OK;
}

/*
 * Writing
 */

static void note(struct bctx *c, int rc, const char *prop)
{
    if (rc < 0 && c->fdt_rc == 0) {
        c->fdt_rc = rc;
        memcpy(c->fail_node, c->node, sizeof(c->fail_node));
        c->fail_prop = prop;
    }
}

GUEST_PRINTF_LIKE(2, 3)
static void begin(struct bctx *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->node, sizeof(c->node), fmt, ap);
    va_end(ap);
    if (c->fdt_rc == 0)
        note(c, fdt_begin_node(c->fdt, c->node), NULL);
}

static void end(struct bctx *c)
{
    if (c->fdt_rc == 0)
        note(c, fdt_end_node(c->fdt), NULL);
}

static void prop(struct bctx *c, const char *name, const void *val, int len)
{
    if (c->fdt_rc == 0)
        note(c, fdt_property(c->fdt, name, val, len), name);
}

static void prop_str(struct bctx *c, const char *name, const char *s)
{
    prop(c, name, s, (int)strlen(s) + 1);
}

static void prop_u32(struct bctx *c, const char *name, uint32_t v)
{
    fdt32_t cell = cpu_to_fdt32(v);

    prop(c, name, &cell, sizeof(cell));
}

static void prop_u64(struct bctx *c, const char *name, uint64_t v)
{
    fdt64_t cell = cpu_to_fdt64(v);

    prop(c, name, &cell, sizeof(cell));
}

/** `reg` of @p n ranges with 2 address and 2 size cells. */
static void prop_reg(struct bctx *c, const struct hyp_range *r, unsigned n)
{
    fdt32_t cells[MAX_CELLS];

    for (unsigned i = 0; i < n && 4 * i + 3 < MAX_CELLS; i++) {
        cells[4 * i] = cpu_to_fdt32((uint32_t)(r[i].base >> 32));
        cells[4 * i + 1] = cpu_to_fdt32((uint32_t)r[i].base);
        cells[4 * i + 2] = cpu_to_fdt32((uint32_t)(r[i].size >> 32));
        cells[4 * i + 3] = cpu_to_fdt32((uint32_t)r[i].size);
    }
    prop(c, "reg", cells, (int)(n * 4 * sizeof(fdt32_t)));
}

/** `interrupts` in the guest GIC's 3-cell format; GICv2 PPIs get a CPU mask. */
static void prop_irqs(struct bctx *c, const struct spec *s, unsigned n)
{
    fdt32_t cells[MAX_CELLS];
    unsigned vcpus = c->cfg->vcpu_count;
    uint32_t mask = vcpus >= 8 ? 0xff : (1u << vcpus) - 1;

    for (unsigned i = 0; i < n && 3 * i + 2 < MAX_CELLS; i++) {
        uint32_t flags = s[i].flags;

        if (c->cfg->gic.version == 2 && s[i].type == 1)
            flags |= mask << 8;
        cells[3 * i] = cpu_to_fdt32(s[i].type);
        cells[3 * i + 1] = cpu_to_fdt32(s[i].num);
        cells[3 * i + 2] = cpu_to_fdt32(flags);
    }
    prop(c, "interrupts", cells, (int)(n * 3 * sizeof(fdt32_t)));
}

static void write_root_props(struct bctx *c)
{
    static const char compat[] = "libhyp,guest\0linux,dummy-virt";
    static const char suffix[] = " (libhyp guest)";
    char model[128];

    prop_u32(c, "#address-cells", 2);
    prop_u32(c, "#size-cells", 2);
    prop(c, "compatible", compat, sizeof(compat));
    if (c->model)
        snprintf(model, sizeof(model), "%.*s%s", (int)(sizeof(model) - sizeof(suffix)),
                 c->model, suffix);
    else
        snprintf(model, sizeof(model), "libhyp guest");
    prop_str(c, "model", model);
    prop_u32(c, "interrupt-parent", PHANDLE_GIC);
}

static void write_chosen(struct bctx *c)
{
    const struct hyp_guest_dtb_cfg *cfg = c->cfg;

    begin(c, "chosen");
    if (cfg->bootargs)
        prop_str(c, "bootargs", cfg->bootargs);
    if (cfg->uart.size)
        prop_str(c, "stdout-path", c->uart_path);
    if (cfg->initrd.size) {
        prop_u64(c, "linux,initrd-start", cfg->initrd.base);
        prop_u64(c, "linux,initrd-end", cfg->initrd.base + cfg->initrd.size);
    }
    if (cfg->rng_seed != NULL && cfg->rng_seed_len != 0)
        prop(c, "rng-seed", cfg->rng_seed, (int)cfg->rng_seed_len);
    if (cfg->kaslr_seed != 0)
        prop_u64(c, "kaslr-seed", cfg->kaslr_seed);
    end(c);
    if (cfg->uart.size) {
        begin(c, "aliases");
        prop_str(c, "serial0", c->uart_path);
        end(c);
    }
}

static void write_memory(struct bctx *c)
{
    for (unsigned i = 0; i < c->cfg->mem_count; i++) {
        const struct hyp_range *m = &c->cfg->mem[i];

        begin(c, "memory@%llx", (unsigned long long)m->base);
        prop_str(c, "device_type", "memory");
        prop_reg(c, m, 1);
        end(c);
    }
}

static void write_shared(struct bctx *c)
{
    const struct hyp_guest_dtb_cfg *cfg = c->cfg;

    begin(c, "reserved-memory");
    prop_u32(c, "#address-cells", 2);
    prop_u32(c, "#size-cells", 2);
    prop(c, "ranges", NULL, 0);
    if (cfg->child_pool.size) {
        begin(c, "child-vm-pool@%llx", (unsigned long long)cfg->child_pool.base);
        prop_str(c, "compatible", "libhyp,child-vm-pool");
        prop_reg(c, &cfg->child_pool, 1);
        prop(c, "no-map", NULL, 0);
        end(c);
    }
    for (unsigned i = 0; i < cfg->shared_count; i++) {
        const struct hyp_range *r = &cfg->shared[i];
        uint32_t bell = cfg->shared_doorbell ? cfg->shared_doorbell[i] : 0;

        begin(c, "shared-memory@%llx", (unsigned long long)r->base);
        prop_str(c, "compatible", "libhyp,shared-memory");
        prop_reg(c, r, 1);
        prop(c, "no-map", NULL, 0);
        if (bell != 0) {
            /* SPI, edge rising (DT interrupt cells). */
            struct spec s = {.type = 0, .num = bell - 32, .flags = 1};

            prop_irqs(c, &s, 1);
        }
        end(c);
    }
    end(c);
}

/* /firmware/optee: a trusted OS that Linux's OP-TEE driver calls. */
static void write_optee(struct bctx *c)
{
    begin(c, "firmware");
    begin(c, "optee");
    prop_str(c, "compatible", "linaro,optee-tz");
    prop_str(c, "method", c->cfg->optee_method);
    end(c);
    end(c);
}

static void write_cpus(struct bctx *c)
{
    begin(c, "cpus");
    prop_u32(c, "#address-cells", 2);
    prop_u32(c, "#size-cells", 0);
    for (unsigned i = 0; i < c->cfg->vcpu_count; i++) {
        uint64_t mpidr = c->cfg->mpidr[i];
        fdt32_t reg[2] = {cpu_to_fdt32((uint32_t)(mpidr >> 32)),
                          cpu_to_fdt32((uint32_t)mpidr)};

        begin(c, "cpu@%llx", (unsigned long long)mpidr);
        prop_str(c, "device_type", "cpu");
        prop_str(c, "compatible", "arm,armv8");
        prop(c, "reg", reg, sizeof(reg));
        prop_str(c, "enable-method", "psci");
        end(c);
    }
    end(c);
}

static void write_psci(struct bctx *c)
{
    static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

    begin(c, "psci");
    prop(c, "compatible", compat, sizeof(compat));
    prop_str(c, "method", c->cfg->psci == HYP_PSCI_HVC ? "hvc" : "smc");
    end(c);
}

static void write_gic(struct bctx *c)
{
    const struct hyp_gic *g = &c->cfg->gic;
    struct hyp_range reg[1 + HYP_PLATFORM_MAX_GICR + 3];
    unsigned n = 0;

    begin(c, "interrupt-controller@%llx", (unsigned long long)g->gicd.base);
    if (g->version == 3)
        prop_str(c, "compatible", "arm,gic-v3");
    else
        prop(c, "compatible", c->gic_compat, c->gic_compat_len);
    prop_u32(c, "#interrupt-cells", 3);
    prop_u32(c, "#address-cells", 0);
    prop(c, "interrupt-controller", NULL, 0);
    reg[n++] = g->gicd;
    if (g->version == 3) {
        for (unsigned i = 0; i < g->gicr_count; i++)
            reg[n++] = g->gicr[i];
        prop_u32(c, "#redistributor-regions", g->gicr_count);
        if (g->gicc.size)
            reg[n++] = g->gicc;
    } else {
        reg[n++] = g->gicc;
    }
    /* GICH and GICV follow the CPU interface, each only after the previous. */
    if (g->gicc.size && g->gich.size) {
        reg[n++] = g->gich;
        if (g->gicv.size)
            reg[n++] = g->gicv;
    }
    prop_reg(c, reg, n);
    if (c->has_maint)
        prop_irqs(c, &c->maint, 1);
    prop_u32(c, "phandle", PHANDLE_GIC);
    end(c);
}

static void write_timer(struct bctx *c)
{
    begin(c, "timer");
    prop_str(c, "compatible", "arm,armv8-timer");
    prop_irqs(c, c->timer, c->timer_count);
    if (c->timer_always_on)
        prop(c, "always-on", NULL, 0);
    if (c->has_timer_freq)
        prop_u32(c, "clock-frequency", c->timer_freq);
    end(c);
}

static void write_uart(struct bctx *c, const struct spec *irq)
{
    static const char uart_compat[] = "arm,pl011\0arm,primecell";
    static const char clock_names[] = "uartclk\0apb_pclk";
    fdt32_t clocks[2] = {cpu_to_fdt32(PHANDLE_CLK), cpu_to_fdt32(PHANDLE_CLK)};

    begin(c, "apb-pclk");
    prop_str(c, "compatible", "fixed-clock");
    prop_u32(c, "#clock-cells", 0);
    prop_u32(c, "clock-frequency", UART_CLOCK_HZ);
    prop_str(c, "clock-output-names", "clk24mhz");
    prop_u32(c, "phandle", PHANDLE_CLK);
    end(c);

    begin(c, "%s", c->uart_path + 1);
    prop(c, "compatible", uart_compat, sizeof(uart_compat));
    prop_reg(c, &c->cfg->uart, 1);
    prop_irqs(c, irq, 1);
    prop(c, "clocks", clocks, sizeof(clocks));
    prop(c, "clock-names", clock_names, sizeof(clock_names));
    end(c);
}

/* Devices passed through: their host nodes, with references remapped. */

/** The guest phandle of host clock provider @p clk (collected by check). */
static uint32_t clock_phandle(const struct bctx *c, int clk)
{
    for (unsigned i = 0; i < c->clk_count; i++)
        if (c->clk_host[i] == clk)
            return c->clk_phandle[i];
    return 0;
}

/* What check_passthrough() read of the first devices, for write_passthrough():
 * reading a node again costs more than ten thousand instructions. */
#define DEV_CACHE 128
static struct hyp_guest_dev dev_cache[DEV_CACHE];

/* Check every passed-through node and give each fixed clock they use a guest
 * phandle: the UART's apb-pclk for a 24 MHz one when a UART is described. */
static int check_passthrough(struct bctx *c)
{
    if (c->cfg->passthrough_count != 0 && !c->cfg->passthrough)
        return hyp_guest_fail(c->err, NULL, -1, HYP_EINVAL,
                              "cfg: passthrough_count %u with passthrough NULL",
                              c->cfg->passthrough_count);
    for (unsigned i = 0; i < c->cfg->passthrough_count; i++) {
        struct hyp_guest_dev dev;
        int rc = hyp_guest_dev_read(c->idx, c->cfg->passthrough[i], &dev, c->err);

        if (rc != HYP_OK)
            return rc;
        if (i < DEV_CACHE)
            dev_cache[i] = dev;
        for (unsigned k = 0; k < dev.clk_count; k++) {
            int len;
            const fdt32_t *f;

            if (clock_phandle(c, dev.clk[k]) != 0)
                continue;
            if (c->clk_count == MAX_COPIED_CLOCKS)
                return hyp_guest_fail(c->err, c->host, c->cfg->passthrough[i],
                                      HYP_ENOTSUP,
                                      "property 'clocks': more than %d distinct clocks "
                                      "among the passed-through devices",
                                      MAX_COPIED_CLOCKS);
            f = fdt_getprop(c->host, dev.clk[k], "clock-frequency", &len);
            c->clk_host[c->clk_count] = dev.clk[k];
            c->clk_phandle[c->clk_count] =
                c->cfg->uart.size && f && len == 4 && fdt32_ld(f) == UART_CLOCK_HZ
                    ? PHANDLE_CLK
                    : PHANDLE_FIRST_COPY + c->clk_count;
            c->clk_count++;
        }
    }
    return HYP_OK;
}

/* Copy every property of host node @p node except its phandles. */
static void copy_props(struct bctx *c, int node, const struct hyp_guest_dev *dev)
{
    int off;

    fdt_for_each_property_offset(off, c->host, node)
    {
        const char *name;
        int len;
        const void *val = fdt_getprop_by_offset(c->host, off, &name, &len);

        if (val == NULL || strcmp(name, "phandle") == 0 ||
            strcmp(name, "linux,phandle") == 0)
            continue;
        if (dev && strcmp(name, "reg") == 0) {
            prop_reg(c, dev->reg, dev->reg_count);
        } else if (dev && strcmp(name, "interrupt-parent") == 0) {
            prop_u32(c, name, PHANDLE_GIC);
        } else if (dev && strcmp(name, "clocks") == 0) {
            fdt32_t cells[HYP_GUEST_DEV_MAX_CLOCKS];

            for (unsigned k = 0; k < dev->clk_count; k++)
                cells[k] = cpu_to_fdt32(clock_phandle(c, dev->clk[k]));
            prop(c, name, cells, (int)(dev->clk_count * sizeof(fdt32_t)));
        } else {
            prop(c, name, val, len);
        }
    }
}

static bool clock_name_taken(const struct bctx *c, unsigned upto, const char *name)
{
    if (c->cfg->uart.size && strcmp(name, "apb-pclk") == 0)
        return true;
    for (unsigned i = 0; i < upto; i++)
        if (c->clk_phandle[i] != PHANDLE_CLK &&
            strcmp(name, fdt_get_name(c->host, c->clk_host[i], NULL)) == 0)
            return true;
    return false;
}

static void write_clocks(struct bctx *c)
{
    for (unsigned i = 0; i < c->clk_count; i++) {
        const char *name = fdt_get_name(c->host, c->clk_host[i], NULL);

        if (c->clk_phandle[i] == PHANDLE_CLK)
            continue; /* the UART's apb-pclk, written already */
        if (clock_name_taken(c, i, name))
            begin(c, "%s-%u", name, i);
        else
            begin(c, "%s", name);
        copy_props(c, c->clk_host[i], NULL);
        prop_u32(c, "phandle", c->clk_phandle[i]);
        end(c);
    }
}

static void write_passthrough(struct bctx *c)
{
    write_clocks(c);
    for (unsigned i = 0; i < c->cfg->passthrough_count; i++) {
        int node = c->cfg->passthrough[i];
        struct hyp_guest_dev dev;

        if (i < DEV_CACHE)
            dev = dev_cache[i];
        else if (hyp_guest_dev_read(c->idx, node, &dev, NULL) != HYP_OK)
            continue; /* checked before writing: cannot happen */
        begin(c, "%s", fdt_get_name(c->host, node, NULL));
        copy_props(c, node, &dev);
        end(c);
    }
}

/*
 * PCIe host bridges (::hyp_guest_dtb_cfg::pci_hosts)
 */

/* Room for a rewritten interrupt-map: 64 entries of 8 cells. */
#define PCI_IMAP_CELLS 512
static fdt32_t pci_imap[PCI_IMAP_CELLS];

/* One cell of a property, or @p dflt if absent or not one cell. */
static uint32_t cell_or(const void *fdt, int node, const char *name, uint32_t dflt)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

    return p && len == 4 ? fdt32_ld(p) : dflt;
}

/* Rewrite host bridge @p node's interrupt-map for the guest's GIC (phandle
 * PHANDLE_GIC, no address cells) into pci_imap, its cells in @p cells. */
static int pci_imap_rewrite(struct bctx *c, int node, int *cells)
{
    int len, out = 0;
    const fdt32_t *p = fdt_getprop(c->host, node, "interrupt-map", &len);
    int left = p ? len / 4 : 0;

    if (p && (len % 4 != 0 || cell_or(c->host, node, "#interrupt-cells", 0) != 1 ||
              cell_or(c->host, node, "#address-cells", 0) != 3))
        return hyp_guest_fail(c->err, c->host, node, HYP_EFORMAT,
                              "interrupt-map: not a PCI bridge's (3 address cells, 1 "
                              "interrupt cell)");
    while (left > 0) {
        int ctl = left > 4 ? hyp_fdt_index_by_phandle(c->idx, fdt32_ld(p + 4)) : -1;
        uint32_t pac = ctl >= 0 ? cell_or(c->host, ctl, "#address-cells", 0) : 0;
        int entry = 5 + (int)pac + 3;

        if (ctl < 0 || !hyp_guest_is_gic(c->host, ctl) || left < entry ||
            cell_or(c->host, ctl, "#interrupt-cells", 0) != 3 || out + 8 > PCI_IMAP_CELLS)
            return hyp_guest_fail(c->err, c->host, node, HYP_ENOTSUP,
                                  "interrupt-map: an entry that is not a GIC SPI, or "
                                  "more than %d entries",
                                  PCI_IMAP_CELLS / 8);
        memcpy(&pci_imap[out], p, 4 * sizeof(*p)); /* PCI address, INTx pin */
        pci_imap[out + 4] = cpu_to_fdt32(PHANDLE_GIC);
        memcpy(&pci_imap[out + 5], p + 5 + pac, 3 * sizeof(*p));
        out += 8;
        p += entry;
        left -= entry;
    }
    *cells = out;
    return HYP_OK;
}

static bool pci_prop_dropped(const char *name)
{
    static const char *const dropped[] = {
        "phandle", "linux,phandle", "iommu-map",  "iommu-map-mask",
        "msi-map", "msi-map-mask",  "msi-parent", "interrupt-map",
    };

    for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
        if (strcmp(name, dropped[i]) == 0)
            return true;
    return false;
}

static int check_pci_hosts(struct bctx *c)
{
    for (unsigned i = 0; i < c->cfg->pci_host_count; i++) {
        int node = c->cfg->pci_hosts[i];

        if (node <= 0 || fdt_get_name(c->host, node, NULL) == NULL ||
            hyp_fdt_index_parent(c->idx, node) != 0 ||
            cell_or(c->host, 0, "#address-cells", 0) != 2 ||
            cell_or(c->host, 0, "#size-cells", 0) != 2 ||
            fdt_node_check_compatible(c->host, node, "pci-host-ecam-generic") != 0)
            return hyp_guest_fail(c->err, c->host, node > 0 ? node : -1, HYP_ENOTSUP,
                                  "not a generic ECAM PCI host bridge below a root of 2 "
                                  "address and 2 size cells");
        int cells, rc = pci_imap_rewrite(c, node, &cells);

        if (rc != HYP_OK)
            return rc;
    }
    return HYP_OK;
}

/* Every property copied (reg and ranges as they are: the guest's root has
 * the host's cells) but the IOMMU and MSI maps; interrupt-map rewritten. */
static void write_pci_hosts(struct bctx *c)
{
    for (unsigned i = 0; i < c->cfg->pci_host_count; i++) {
        int node = c->cfg->pci_hosts[i], off, n = 0;

        (void)pci_imap_rewrite(c, node, &n); /* checked before writing */
        begin(c, "%s", fdt_get_name(c->host, node, NULL));
        fdt_for_each_property_offset(off, c->host, node)
        {
            const char *name;
            int len;
            const void *val = fdt_getprop_by_offset(c->host, off, &name, &len);

            if (val == NULL || pci_prop_dropped(name))
                continue;
            if (strcmp(name, "interrupt-parent") == 0)
                prop_u32(c, name, PHANDLE_GIC);
            else
                prop(c, name, val, len);
        }
        if (n > 0)
            prop(c, "interrupt-map", pci_imap, n * (int)sizeof(fdt32_t));
        end(c);
    }
}

int hyp_guest_dtb_build(const void *host_dtb, const struct hyp_guest_dtb_cfg *cfg,
                        void *out, size_t out_size, char *err)
{
    struct bctx c = {.host = host_dtb, .cfg = cfg, .err = err, .fdt = out};
    struct spec uart_irq = {0};
    int size = out_size > INT32_MAX ? INT32_MAX : (int)out_size;
    int rc;

    if (err)
        err[0] = '\0';
    if (!host_dtb || !cfg || !out)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL, "NULL %s",
                              !host_dtb ? "host DTB"
                              : !cfg    ? "cfg"
                                        : "output buffer");
    if ((uintptr_t)out % 8 != 0)
        return hyp_guest_fail(err, NULL, -1, HYP_EALIGN,
                              "output buffer %p is not 8-byte aligned", out);
    rc = check_cfg(&c, &uart_irq);
    if (rc == HYP_OK)
        rc = read_host(&c);
    if (rc == HYP_OK)
        rc = check_passthrough(&c);
    if (rc == HYP_OK && cfg->pci_host_count && !cfg->pci_hosts)
        rc = hyp_guest_fail(err, NULL, -1, HYP_EINVAL,
                            "cfg: pci_host_count %u with pci_hosts NULL",
                            cfg->pci_host_count);
    if (rc == HYP_OK)
        rc = check_pci_hosts(&c);
    if (rc != HYP_OK)
        return rc;
    if (cfg->uart.size)
        snprintf(c.uart_path, sizeof(c.uart_path), "/serial@%llx",
                 (unsigned long long)cfg->uart.base);

    snprintf(c.node, sizeof(c.node), "(header)");
    note(&c, fdt_create(out, size), NULL);
    if (c.fdt_rc == 0)
        note(&c, fdt_finish_reservemap(out), NULL);
    begin(&c, "%s", "");
    write_root_props(&c);
    write_chosen(&c);
    write_memory(&c);
    if (cfg->shared_count || cfg->child_pool.size)
        write_shared(&c);
    if (cfg->hcpage.size) {
        begin(&c, "hypercall@%llx", (unsigned long long)cfg->hcpage.base);
        prop_str(&c, "compatible", "libhyp,hypercall-page");
        prop_reg(&c, &cfg->hcpage, 1);
        end(&c);
    }
    if (cfg->optee_method)
        write_optee(&c);
    write_cpus(&c);
    write_psci(&c);
    write_gic(&c);
    write_timer(&c);
    if (cfg->uart.size)
        write_uart(&c, &uart_irq);
    write_passthrough(&c);
    write_pci_hosts(&c);
    snprintf(c.node, sizeof(c.node), "%s", "");
    end(&c);
    if (c.fdt_rc == 0)
        note(&c, fdt_finish(out), NULL);

    if (c.fdt_rc == -FDT_ERR_NOSPACE)
        return hyp_guest_fail(
            err, NULL, -1, HYP_ENOMEM,
            "guest DTB: node '%s'%s%s%s: output buffer of %zu bytes is "
            "too small",
            c.fail_node[0] ? c.fail_node : "/", c.fail_prop ? ", property '" : "",
            c.fail_prop ? c.fail_prop : "", c.fail_prop ? "'" : "", out_size);
    if (c.fdt_rc != 0)
        return hyp_guest_fail(
            err, NULL, -1, HYP_EINVAL, "guest DTB: node '%s'%s%s%s: libfdt: %s",
            c.fail_node[0] ? c.fail_node : "/", c.fail_prop ? ", property '" : "",
            c.fail_prop ? c.fail_prop : "", c.fail_prop ? "'" : "",
            fdt_strerror(c.fdt_rc));
    return HYP_OK;
}
