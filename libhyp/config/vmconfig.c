/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmconfig.c
 * @brief The partitioner's VM descriptions and their validator (see
 *        hyp/vmconfig.h and docs/bindings/partitioner.md).
 *
 * One pass over `/hypervisor` in DT order parses each VM and checks it
 * against everything accepted before it (CPUs, devices, interrupts and
 * physical ranges each have an owner table in the context); shared regions
 * come second, since they name VMs; floating VM memory is placed last, in
 * the RAM nothing else claims. A refusal is reported as one line and the
 * walk goes on with the next node, so one run lists every independent
 * problem.
 */
#include <hyp/vmconfig.h>
#include <hyp/error.h>
#include <hyp/policy.h>

#include <libfdt.h>
#include "../fdt/fdt_util.h"
#include "../fdt/fdt_index.h"
#include "vmconfig_dma.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * The board's corrections to its DTB (struct hyp_port's platform_fixup): the
 * image's boot code (libhyp/core/boot.c) defines this to apply them, so that
 * the VMs see the platform the hypervisor boots on; host builds (hyp-config,
 * tests) keep the DTB as it is.
 */
void hyp_boot_platform_fixup(struct hyp_platform *plat);
__attribute__((weak)) void hyp_boot_platform_fixup(struct hyp_platform *plat)
{
    (void)plat;
}

/** Highest SPI INTID (1019) plus one: the size of the interrupt owner table. */
#define SPI_END  1020u
/** Longest `interrupt-parent` chain followed (a loop guard). */
#define IRQ_HOPS 32

/** Who claims a physical range. */
enum owner { OWN_HYP, OWN_RESERVED, OWN_MEM, OWN_MODULE, OWN_SHM };

/** A physical range with its owner, for the overlap checks and placement. */
struct claim {
    struct hyp_range r;
    enum owner kind;
    int vm;           /**< VM index (OWN_MEM, OWN_MODULE), shm index (OWN_SHM). */
    const char *what; /**< The module's node name, in the DTB (OWN_MODULE). */
    /** A coloured VM's span: only its pages of these colours; 0: every page. */
    hyp_colour_set colours;
};

#define MAX_CLAIMS                                                                       \
    (HYP_VMCONFIG_MAX_HYP + HYP_PLATFORM_MAX_RESERVED + 3 * HYP_VMCONFIG_MAX_VMS +       \
     HYP_VMCONFIG_MAX_SHM)

/** Who owns a physical SPI. */
struct irq_owner {
    int8_t vm;  /**< VM index, -1 free, -2 the hypervisor's console. */
    int8_t dev; /**< Device index within that VM. */
};

/** One call's state. */
struct vctx {
    const void *fdt;
    struct hyp_vmconfig *cfg;
    hyp_vmconfig_line_fn report;
    void *arg;
    int first;                         /**< Code of the first refusal, HYP_OK if none. */
    int root;                          /**< Offset of the `/hypervisor` node. */
    bool has_id[HYP_VMCONFIG_MAX_VMS]; /**< The VM's `reg` (its id) was read. */
    int vm_node[HYP_VMCONFIG_MAX_VMS]; /**< Node offsets of cfg->vms. */
    bool vm_ok[HYP_VMCONFIG_MAX_VMS];  /**< The VM passed its own checks. */
    int cpu_owner[HYP_PLATFORM_MAX_CPUS];
    struct irq_owner irq[SPI_END];
    struct claim claims[MAX_CLAIMS];
    unsigned claim_count;
};

/*
 * Refusals
 */

/** Report one refusal line and remember its code. @return @p code. */
static int refuse_line(struct vctx *c, int code, const char *line)
{
    struct hyp_vmconfig *cfg = c->cfg;

    if (cfg->error_count == 0) {
        snprintf(cfg->error, sizeof(cfg->error), "%s", line);
        c->first = code;
    }
    cfg->error_count++;
    if (c->report)
        c->report(c->arg, line);
    return code;
}

/**
 * Refuse with "<prefix>: <prop>: <message>". The prefix is VM @p vm's path
 * and label when @p vm >= 0, else the path of @p node (nothing if < 0).
 */
PRINTF_LIKE(6, 7)
static int refuse(struct vctx *c, int code, int vm, int node, const char *prop,
                  const char *fmt, ...)
{
    char line[HYP_VMCONFIG_ERRLEN];
    size_t used = 0;
    va_list ap;

    line[0] = '\0';
    if (vm >= 0) {
        const struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];

        used =
            (size_t)snprintf(line, sizeof(line), "%s/%s%s%s%s: ", c->cfg->path, v->node,
                             v->name[0] ? " (" : "", v->name, v->name[0] ? ")" : "");
    } else if (node >= 0) {
        hyp_fdt_path(c->fdt, node, line, sizeof(line));
        used = strlen(line);
        used += (size_t)snprintf(line + used, sizeof(line) - used, ": ");
    }
    if (prop && used + 1 < sizeof(line))
        used += (size_t)snprintf(line + used, sizeof(line) - used, "%s: ", prop);
    if (used + 1 < sizeof(line)) {
        va_start(ap, fmt);
        vsnprintf(line + used, sizeof(line) - used, fmt, ap);
        va_end(ap);
    }
    line[sizeof(line) - 1] = '\0';
    return refuse_line(c, code, line);
}

/** "vm@0 (linux-a)" for messages. */
static const char *vm_ref(const struct vctx *c, int vm, char *buf, size_t size)
{
    const struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];

    if (v->name[0])
        snprintf(buf, size, "%s (%s)", v->node, v->name);
    else
        snprintf(buf, size, "%s", v->node);
    return buf;
}

/*
 * Properties
 */

/**
 * Refuse every property of @p node not in @p list; @p sub (if not NULL)
 * names the child node in the message. @return HYP_OK or the code.
 */
static int known_props(struct vctx *c, int vm, int node, const char *sub,
                       const char *const *list, size_t n)
{
    int prop, rc = HYP_OK;

    fdt_for_each_property_offset(prop, c->fdt, node)
    {
        const char *name = NULL;
        int len;
        char shown[2 * HYP_FDT_QUOTE_MAX + 8];

        if (!fdt_getprop_by_offset(c->fdt, prop, &name, &len) || !name)
            return refuse(c, HYP_EFORMAT, vm, node, sub, "unreadable property (%s)",
                          fdt_strerror(len));
        if (hyp_fdt_name_in(name, list, n))
            continue;
        shown[0] = '\0';
        if (sub)
            snprintf(shown, sizeof(shown), "%s: ", sub);
        hyp_fdt_quote(shown + strlen(shown), sizeof(shown) - strlen(shown), name);
        rc = refuse(c, HYP_EFORMAT, vm, node, shown, "unknown property");
    }
    return rc;
}

/** A property of exactly @p ncells cells. @return the cells, or NULL if absent. */
static const fdt32_t *prop_cells(struct vctx *c, int vm, int node, const char *prop,
                                 unsigned ncells, int *rc)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, prop, &len);

    *rc = HYP_OK;
    if (p && len != (int)(ncells * sizeof(*p))) {
        *rc = refuse(c, HYP_EFORMAT, vm, node, prop, "length %d, expected %u (%u cells)",
                     len, ncells * 4u, ncells);
        return NULL;
    }
    return p;
}

/** A boolean property: present and empty. */
static int prop_flag(struct vctx *c, int vm, int node, const char *prop, bool *set)
{
    int len;

    *set = fdt_getprop(c->fdt, node, prop, &len) != NULL;
    if (*set && len != 0)
        return refuse(c, HYP_EFORMAT, vm, node, prop,
                      "length %d, a boolean property must be empty", len);
    return HYP_OK;
}

/**
 * A single NUL-terminated string, or NULL (with *rc set when malformed);
 * @p shown names the property in the message (NULL: @p prop).
 */
static const char *prop_str(struct vctx *c, int vm, int node, const char *prop,
                            const char *shown, int *rc)
{
    int len;
    const char *s = fdt_getprop(c->fdt, node, prop, &len);

    *rc = HYP_OK;
    if (s && (len < 1 || s[len - 1] != '\0' || strlen(s) + 1 != (size_t)len)) {
        *rc = refuse(c, HYP_EFORMAT, vm, node, shown ? shown : prop,
                     "must be a single string");
        return NULL;
    }
    return s;
}

/** `#address-cells` or `#size-cells` of @p node: 1 or 2 (0 if absent). */
static int node_cells(struct vctx *c, int vm, int node, const char *prop, unsigned lo,
                      unsigned *out)
{
    int rc;
    const fdt32_t *p = prop_cells(c, vm, node, prop, 1, &rc);

    *out = 0;
    if (!p)
        return rc;
    *out = fdt32_ld(p);
    if (*out < lo || *out > 2)
        return refuse(c, HYP_EFORMAT, vm, node, prop, "%u, expected %u..2", *out, lo);
    return HYP_OK;
}

/*
 * Ranges
 */

static uint64_t last_byte(const struct hyp_range *r)
{
    return r->base + (r->size - 1);
}

static bool ranges_meet(const struct hyp_range *a, const struct hyp_range *b)
{
    return a->size && b->size && a->base <= last_byte(b) && b->base <= last_byte(a);
}

static bool range_wraps(const struct hyp_range *r)
{
    return r->size && last_byte(r) < r->base;
}

/** The range lies inside one memory bank of the board. */
static bool in_ram(const struct vctx *c, const struct hyp_range *r)
{
    const struct hyp_platform *p = &c->cfg->plat;

    for (unsigned i = 0; i < p->mem_count; i++)
        if (r->base >= p->mem[i].base && last_byte(r) <= last_byte(&p->mem[i]))
            return true;
    return false;
}

/** Describe claim @p k from the point of view of VM @p self. */
static void describe(const struct vctx *c, const struct claim *k, int self, char *buf,
                     size_t size)
{
    char ref[48];

    switch (k->kind) {
    case OWN_HYP:
        snprintf(buf, size, "the hypervisor");
        break;
    case OWN_RESERVED:
        snprintf(buf, size, "reserved memory");
        break;
    case OWN_MEM:
        if (k->vm == self)
            snprintf(buf, size, "its memory");
        else
            snprintf(buf, size, "%s", vm_ref(c, k->vm, ref, sizeof(ref)));
        break;
    case OWN_MODULE:
        if (k->vm == self)
            snprintf(buf, size, "its %s", k->what);
        else
            snprintf(buf, size, "%s's %s", vm_ref(c, k->vm, ref, sizeof(ref)), k->what);
        break;
    case OWN_SHM:
        snprintf(buf, size, "%s", c->cfg->shm[k->vm].node);
        break;
    }
}

/**
 * The first claim meeting @p r, or NULL. Spans of coloured memory (@p colours
 * and the claim's non-zero) only meet where they share a colour.
 */
static const struct claim *claimed(const struct vctx *c, const struct hyp_range *r,
                                   hyp_colour_set colours)
{
    for (unsigned i = 0; i < c->claim_count; i++)
        if (ranges_meet(&c->claims[i].r, r) &&
            !(colours && c->claims[i].colours && !(colours & c->claims[i].colours)))
            return &c->claims[i];
    return NULL;
}

/**
 * Claim @p r for (@p kind, @p idx) unless someone has it: then refuse at
 * VM @p vm (or @p node) and @p prop, naming the owner and the overlap.
 */
static int claim_coloured(struct vctx *c, int vm, int node, const char *prop,
                          const struct hyp_range *r, enum owner kind, int idx,
                          const char *what, hyp_colour_set colours)
{
    const struct claim *k = claimed(c, r, colours);
    struct claim *n;

    if (k) {
        char owner[80];
        uint64_t lo = k->r.base > r->base ? k->r.base : r->base;
        uint64_t hi = last_byte(&k->r) < last_byte(r) ? last_byte(&k->r) : last_byte(r);

        describe(c, k, vm, owner, sizeof(owner));
        return refuse(c, HYP_EFORMAT, vm, node, prop, "overlaps %s at 0x%llx..0x%llx",
                      owner, (unsigned long long)lo, (unsigned long long)hi);
    }
    if (c->claim_count == ARRAY_LEN(c->claims))
        return refuse(c, HYP_ENOMEM, vm, node, prop, "too many ranges");
    n = &c->claims[c->claim_count++];
    n->r = *r;
    n->kind = kind;
    n->vm = idx;
    n->what = what ? what : "";
    n->colours = colours;
    return HYP_OK;
}

/** claim_coloured() of every colour. */
static int claim(struct vctx *c, int vm, int node, const char *prop,
                 const struct hyp_range *r, enum owner kind, int idx, const char *what)
{
    return claim_coloured(c, vm, node, prop, r, kind, idx, what, 0);
}

/** Read a (base, size) pair of @p ac + @p sc cells and check it is sane. */
static int read_range(struct vctx *c, int vm, int node, const char *prop,
                      const fdt32_t *p, unsigned ac, unsigned sc, bool granule,
                      struct hyp_range *out)
{
    out->base = hyp_fdt_cells(p, ac);
    out->size = hyp_fdt_cells(p + ac, sc);
    if (out->size == 0)
        return refuse(c, HYP_EFORMAT, vm, node, prop, "size is 0");
    if (range_wraps(out))
        return refuse(c, HYP_EFORMAT, vm, node, prop,
                      "0x%llx + 0x%llx wraps around the address space",
                      (unsigned long long)out->base, (unsigned long long)out->size);
    if (granule && (out->base % HYP_VMCONFIG_GRANULE || out->size % HYP_VMCONFIG_GRANULE))
        return refuse(c, HYP_EFORMAT, vm, node, prop,
                      "0x%llx + 0x%llx is not 4 KiB aligned",
                      (unsigned long long)out->base, (unsigned long long)out->size);
    return HYP_OK;
}

/* Parents and phandles through the tree's index: libfdt's own lookups
 * rescan the tree from its start on every call. */
static int parent_of(const void *fdt, int node)
{
    return hyp_fdt_index_parent(hyp_fdt_index_for(fdt), node);
}

static int by_phandle(const void *fdt, uint32_t phandle)
{
    return hyp_fdt_index_by_phandle(hyp_fdt_index_for(fdt), phandle);
}

/*
 * The board: devices, their registers and interrupts
 */

/** Every bus above @p node maps 1:1 (empty `ranges`). */
static bool identity_mapped(const void *fdt, int node)
{
    int len, bus = parent_of(fdt, node);

    while (bus > 0) {
        if (!fdt_getprop(fdt, bus, "ranges", &len) || len != 0)
            return false;
        bus = parent_of(fdt, bus);
    }
    return bus == 0;
}

/** The interrupt controller serving @p node, or a negative value. */
static int irq_controller(const void *fdt, int node)
{
    int cur = node, len;

    for (int hop = 0; hop < IRQ_HOPS; hop++) {
        const fdt32_t *ph = fdt_getprop(fdt, cur, "interrupt-parent", &len);
        int next;

        if (ph && len == (int)sizeof(*ph))
            next = by_phandle(fdt, fdt32_ld(ph));
        else if (ph)
            return -FDT_ERR_BADVALUE;
        else
            next = parent_of(fdt, cur);
        if (next < 0)
            return next;
        if (fdt_getprop(fdt, next, "#interrupt-cells", &len))
            return next;
        cur = next;
    }
    return -FDT_ERR_BADSTRUCTURE;
}

/** The controller is the board's GIC: its first `reg` is the distributor. */
static bool is_gic(const struct vctx *c, int node)
{
    int len;
    const fdt32_t *reg = fdt_getprop(c->fdt, node, "reg", &len);
    int parent = parent_of(c->fdt, node);
    const fdt32_t *ac =
        parent >= 0 ? fdt_getprop(c->fdt, parent, "#address-cells", NULL) : NULL;
    unsigned n = ac ? fdt32_ld(ac) : 2;

    if (!reg || n < 1 || n > 2 || len < (int)(n * sizeof(*reg)) ||
        !fdt_getprop(c->fdt, node, "interrupt-controller", NULL))
        return false;
    return hyp_fdt_cells(reg, n) == c->cfg->plat.gic.gicd.base;
}

/** Decode the SPIs of a device's `interrupts` (3-cell GIC specifiers). */
static int device_irqs(struct vctx *c, int vm, struct hyp_vmconfig_device *d)
{
    int len, gic;
    const fdt32_t *p = fdt_getprop(c->fdt, d->node, "interrupts", &len);
    const fdt32_t *icells;

    if (fdt_getprop(c->fdt, d->node, "interrupts-extended", NULL))
        return refuse(c, HYP_ENOTSUP, vm, -1, "passthrough",
                      "%s: interrupts-extended is not supported", d->path);
    if (!p)
        return HYP_OK;
    gic = irq_controller(c->fdt, d->node);
    if (gic < 0 || !is_gic(c, gic))
        return refuse(c, HYP_ENOTSUP, vm, -1, "passthrough",
                      "%s: interrupts: the interrupt parent is not the GIC", d->path);
    icells = fdt_getprop(c->fdt, gic, "#interrupt-cells", NULL);
    if (!icells || fdt32_ld(icells) != 3 || len == 0 || len % 12 != 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                      "%s: interrupts: not a list of 3-cell GIC specifiers", d->path);
    for (int i = 0; i < len / 12; i++, p += 3) {
        uint32_t type = fdt32_ld(p), num = fdt32_ld(p + 1);

        if (type != 0)
            return refuse(c, HYP_ENOTSUP, vm, -1, "passthrough",
                          "%s: interrupts: entry %d is not an SPI (type %u); only "
                          "SPIs can be passed through",
                          d->path, i, (unsigned)type);
        if (num >= SPI_END - 32)
            return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                          "%s: interrupts: SPI %u is out of range", d->path,
                          (unsigned)num);
        if (d->irq_count == HYP_VMCONFIG_MAX_DEV_IRQS)
            return refuse(c, HYP_ENOMEM, vm, -1, "passthrough",
                          "%s: more than %d interrupts (HYP_VMCONFIG_MAX_DEV_IRQS)",
                          d->path, HYP_VMCONFIG_MAX_DEV_IRQS);
        d->irqs[d->irq_count].intid = 32 + num;
        d->irqs[d->irq_count++].flags = fdt32_ld(p + 2) & 0xf;
    }
    return HYP_OK;
}

/** Read a device's `reg` entries, which must be CPU physical addresses. */
static int device_regs(struct vctx *c, int vm, struct hyp_vmconfig_device *d)
{
    int len, parent = parent_of(c->fdt, d->node);
    const fdt32_t *p = fdt_getprop(c->fdt, d->node, "reg", &len);
    const fdt32_t *acp, *scp;
    unsigned ac, sc;

    if (parent < 0 || !p)
        return refuse(c, HYP_EFORMAT, vm, -1, "passthrough", "%s: reg: missing", d->path);
    acp = fdt_getprop(c->fdt, parent, "#address-cells", NULL);
    scp = fdt_getprop(c->fdt, parent, "#size-cells", NULL);
    ac = acp ? fdt32_ld(acp) : 2;
    sc = scp ? fdt32_ld(scp) : 1;
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || len == 0 ||
        len % (int)((ac + sc) * 4) != 0 || !identity_mapped(c->fdt, d->node))
        return refuse(c, HYP_ENOTSUP, vm, -1, "passthrough",
                      "%s: reg: not a list of CPU physical (address, size) pairs",
                      d->path);
    for (int i = 0; i < len / (int)((ac + sc) * 4); i++) {
        struct hyp_range r = {hyp_fdt_cells(p, ac), hyp_fdt_cells(p + ac, sc)};

        p += ac + sc;
        if (r.size == 0 || range_wraps(&r))
            return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                          "%s: reg: entry %d is empty or wraps", d->path, i);
        if (d->reg_count == HYP_VMCONFIG_MAX_DEV_REGS)
            return refuse(c, HYP_ENOMEM, vm, -1, "passthrough",
                          "%s: more than %d reg entries (HYP_VMCONFIG_MAX_DEV_REGS)",
                          d->path, HYP_VMCONFIG_MAX_DEV_REGS);
        d->regs[d->reg_count++] = r;
    }
    return HYP_OK;
}

/*
 * VM properties
 */

static const char *const hv_props[] = {
    "compatible",     "#address-cells", "#size-cells",    "phandle",
    "linux,phandle",  "name",           "llc-cache-size", "llc-cache-line-size",
    "llc-cache-sets", "colours",
};

/* checkpoint-detach is checked by hyp_ckpt_vm_allowed() (ckpt_config.c). */
static const char *const vm_props[] = {
    "compatible",
    "reg",
    "label",
    "cpus",
    "memory",
    "memory-base",
    "direct-map",
    "vpl011",
    "dma-unconfined",
    "passthrough",
    "capabilities",
    "max-child-vms",
    "max-child-memory",
    "max-child-depth",
    "public-key",
    "hypercall-page",
    "child-vm-pool",
    "#address-cells",
    "#size-cells",
    "phandle",
    "linux,phandle",
    "name",
    "colours",
    "share-colours",
    "role",
    "tee",
    "tee-method",
    "on-failure",
    "checkpoint-detach",
};

static const char *const module_props[] = {
    "compatible", "reg", "bootargs", "phandle", "linux,phandle", "name",
};

static const char *const shm_props[] = {
    "compatible", "reg",     "vms",           "shared-mem",
    "doorbell",   "phandle", "linux,phandle", "name",
};

/** `label`: 1..15 characters of [A-Za-z0-9_-], unique. */
static int vm_label(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    int rc;
    const char *s = prop_str(c, vm, v->offset, "label", NULL, &rc);
    size_t n;

    if (rc != HYP_OK)
        return rc;
    if (!s)
        return refuse(c, HYP_EFORMAT, vm, -1, "label", "missing (every VM needs a name)");
    n = strlen(s);
    if (n == 0 || n >= HYP_VMCONFIG_NAME_LEN)
        return refuse(c, HYP_EFORMAT, vm, -1, "label", "%zu characters, expected 1..%d",
                      n, HYP_VMCONFIG_NAME_LEN - 1);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
            return refuse(c, HYP_EFORMAT, vm, -1, "label",
                          "character %zu is not a letter, digit, '-' or '_'", i);
    }
    for (int i = 0; i < vm; i++) {
        char ref[48];

        if (strcmp(c->cfg->vms[i].name, s) == 0)
            return refuse(c, HYP_EFORMAT, vm, -1, "label", "\"%s\" is also %s's", s,
                          vm_ref(c, i, ref, sizeof(ref)));
    }
    hyp_fdt_copy(v->name, sizeof(v->name), s);
    return HYP_OK;
}

/** `compatible` must list @p want. */
static int need_compatible(struct vctx *c, int vm, int node, const char *want)
{
    if (fdt_node_check_compatible(c->fdt, node, want) != 0)
        return refuse(c, HYP_EFORMAT, vm, node, "compatible", "does not contain \"%s\"",
                      want);
    return HYP_OK;
}

/** `reg`: one cell, the id; unique among nodes of the same kind. */
static int node_id(struct vctx *c, int vm, int node, unsigned *id)
{
    int rc;
    const fdt32_t *p = prop_cells(c, vm, node, "reg", 1, &rc);

    if (rc != HYP_OK)
        return rc;
    if (!p)
        return refuse(c, HYP_EFORMAT, vm, node, "reg",
                      "missing (the id, as in the name)");
    *id = fdt32_ld(p);
    return HYP_OK;
}

/** `cpus`: phandles of /cpus/cpu@ nodes, in vCPU order. */
static int vm_cpus(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    const struct hyp_platform *plat = &c->cfg->plat;
    int len, cpus = fdt_path_offset(c->fdt, "/cpus");
    const fdt32_t *p = fdt_getprop(c->fdt, v->offset, "cpus", &len);
    const fdt32_t *acp =
        cpus >= 0 ? fdt_getprop(c->fdt, cpus, "#address-cells", NULL) : NULL;
    unsigned ac = acp ? fdt32_ld(acp) : 2;

    if (!p || len == 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "cpus",
                      "missing or empty: the VM has no CPU");
    if (len % 4 != 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "cpus",
                      "length %d is not a list of phandles", len);
    if (len / 4 > HYP_VMCONFIG_MAX_VCPUS)
        return refuse(c, HYP_ENOMEM, vm, -1, "cpus",
                      "%d CPUs, at most %d (HYP_VMCONFIG_MAX_VCPUS)", len / 4,
                      HYP_VMCONFIG_MAX_VCPUS);
    for (int i = 0; i < len / 4; i++) {
        uint32_t ph = fdt32_ld(p + i);
        int node = by_phandle(c->fdt, ph);
        const fdt32_t *reg;
        int rlen;
        unsigned k;
        char path[HYP_VMCONFIG_PATH_LEN], ref[48];

        if (node < 0)
            return refuse(c, HYP_EFORMAT, vm, -1, "cpus",
                          "entry %d: phandle 0x%x names no node", i, (unsigned)ph);
        hyp_fdt_path(c->fdt, node, path, sizeof(path));
        reg = fdt_getprop(c->fdt, node, "reg", &rlen);
        k = plat->cpu_count;
        if (parent_of(c->fdt, node) == cpus && reg && ac >= 1 && ac <= 2 &&
            rlen == (int)(ac * 4))
            for (k = 0; k < plat->cpu_count; k++)
                if (plat->cpus[k].mpidr == hyp_fdt_cells(reg, ac))
                    break;
        if (k == plat->cpu_count)
            return refuse(c, HYP_EFORMAT, vm, -1, "cpus",
                          "entry %d: %s is not an enabled CPU of /cpus", i, path);
        if (c->cpu_owner[k] == vm)
            return refuse(c, HYP_EFORMAT, vm, -1, "cpus", "%s is given twice", path);
        if (c->cpu_owner[k] >= 0)
            return refuse(c, HYP_EFORMAT, vm, -1, "cpus", "%s is also %s's", path,
                          vm_ref(c, c->cpu_owner[k], ref, sizeof(ref)));
        c->cpu_owner[k] = vm;
        v->vcpus[v->vcpu_count].cpu = k;
        v->vcpus[v->vcpu_count++].mpidr = plat->cpus[k].mpidr;
    }
    return HYP_OK;
}

/** `memory`, `memory-base`, `direct-map`. Fixed memory is claimed now. */
static int vm_memory(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    int rc;
    const fdt32_t *size = prop_cells(c, vm, v->offset, "memory", 2, &rc);
    const fdt32_t *base;

    if (rc != HYP_OK)
        return rc;
    base = prop_cells(c, vm, v->offset, "memory-base", 2, &rc);
    if (rc != HYP_OK)
        return rc;
    rc = prop_flag(c, vm, v->offset, "direct-map", &v->direct_map);
    if (rc != HYP_OK)
        return rc;
    if (!size)
        return refuse(c, HYP_EFORMAT, vm, -1, "memory", "missing (the VM's RAM size)");
    v->mem.size = hyp_fdt_cells(size, 2);
    v->mem.base = base ? hyp_fdt_cells(base, 2) : 0;
    if (v->mem.size == 0 || v->mem.size % HYP_VMCONFIG_GRANULE)
        return refuse(c, HYP_EFORMAT, vm, -1, "memory",
                      "size 0x%llx is not a non-zero multiple of 4 KiB",
                      (unsigned long long)v->mem.size);
    if (v->direct_map && !base)
        return refuse(c, HYP_EFORMAT, vm, -1, "direct-map",
                      "needs memory-base (the identity-mapped RAM must be fixed)");
    if (!base)
        return HYP_OK;
    v->mem_fixed = true;
    if (v->mem.base % HYP_VMCONFIG_GRANULE || range_wraps(&v->mem))
        return refuse(c, HYP_EFORMAT, vm, -1, "memory-base",
                      "0x%llx is not 4 KiB aligned or the range wraps",
                      (unsigned long long)v->mem.base);
    if (!in_ram(c, &v->mem))
        return refuse(c, HYP_EFORMAT, vm, -1, "memory",
                      "0x%llx..0x%llx is not inside one memory bank of the board",
                      (unsigned long long)v->mem.base,
                      (unsigned long long)last_byte(&v->mem));
    return claim(c, vm, -1, "memory", &v->mem, OWN_MEM, vm, NULL);
}

/*
 * Cache colours (hyp/colour.h)
 */

/**
 * A `colours` list of VM @p vm (or, @p vm < 0, of node @p node) as a set:
 * colours of the geometry, each once. @return HYP_OK or the refusal's code.
 */
static int read_colours(struct vctx *c, int vm, int node, const fdt32_t *p, int len,
                        hyp_colour_set *set)
{
    const struct hyp_colour_geom *g = &c->cfg->geom;

    if (len <= 0 || len % 4 != 0)
        return refuse(c, HYP_EFORMAT, vm, node, "colours",
                      "length %d is not a non-empty list of colour numbers", len);
    if (g->colours == 0)
        return refuse(c, HYP_EFORMAT, vm, node, "colours",
                      "the board describes no last-level cache (give %s "
                      "llc-cache-size, llc-cache-line-size and llc-cache-sets)",
                      c->cfg->path);
    for (int i = 0; i < len / 4; i++) {
        uint32_t col = fdt32_ld(p + i);

        if (col >= g->colours)
            return refuse(c, HYP_EFORMAT, vm, node, "colours",
                          "colour %u is not one of the LLC's %u colours (0..%u)",
                          (unsigned)col, g->colours, g->colours - 1);
        if (*set & ((hyp_colour_set)1 << col))
            return refuse(c, HYP_EFORMAT, vm, node, "colours",
                          "colour %u is listed twice", (unsigned)col);
        *set |= (hyp_colour_set)1 << col;
    }
    return HYP_OK;
}

/**
 * The LLC geometry, from the `llc-*` override or the board's cache nodes,
 * and the hypervisor's own colours (`colours` of `/hypervisor`).
 */
static int colour_geometry(struct vctx *c, int root)
{
    char why[160];
    int len, rc = hyp_colour_geom_from_dt(c->fdt, root, &c->cfg->geom, why, sizeof(why));
    const fdt32_t *p = fdt_getprop(c->fdt, root, "colours", &len);

    if (rc != HYP_OK && rc != HYP_ENOENT) /* ENOENT: no LLC, only colours refused */
        return refuse(c, HYP_EFORMAT, -1, -1, NULL, "%s", why);
    if (!p)
        return HYP_OK;
    rc = read_colours(c, -1, root, p, len, &c->cfg->hyp_colours);
    if (rc == HYP_OK && c->cfg->hyp_colours == hyp_colour_all(&c->cfg->geom))
        rc = refuse(c, HYP_EFORMAT, -1, root, "colours",
                    "the hypervisor takes all %u colours, none is left for VMs",
                    c->cfg->geom.colours);
    return rc;
}

/** The VM's colours hold its memory, in the board's RAM. */
static int colours_fit(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    const struct hyp_platform *p = &c->cfg->plat;
    uint64_t room = 0;
    char set[96];

    for (unsigned b = 0; b < p->mem_count; b++)
        room += hyp_colour_bytes_in(&c->cfg->geom, v->colours, &p->mem[b]);
    v->layout.span = hyp_colour_span(&c->cfg->geom, v->colours, v->mem.size);
    if (room >= v->mem.size && v->layout.span != 0)
        return HYP_OK;
    hyp_colour_format(v->colours, set, sizeof(set));
    return refuse(c, HYP_ENOMEM, vm, -1, "memory",
                  "0x%llx bytes are more than colours %s hold in the board's RAM "
                  "(0x%llx bytes)",
                  (unsigned long long)v->mem.size, set, (unsigned long long)room);
}

/** `colours` (a list of colour numbers) and `share-colours`. */
static int vm_colours(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    int len, rc = prop_flag(c, vm, v->offset, "share-colours", &v->share_colours);
    const fdt32_t *p = fdt_getprop(c->fdt, v->offset, "colours", &len);
    char ref[48];

    if (rc != HYP_OK)
        return rc;
    if (!p)
        return v->share_colours
                   ? refuse(c, HYP_EFORMAT, vm, -1, "share-colours", "without colours")
                   : HYP_OK;
    rc = read_colours(c, vm, -1, p, len, &v->colours);
    if (rc != HYP_OK)
        return rc;
    if (v->colours & c->cfg->hyp_colours)
        return refuse(c, HYP_EFORMAT, vm, -1, "colours", "colour %u is the hypervisor's",
                      (unsigned)__builtin_ctzll(v->colours & c->cfg->hyp_colours));
    if (v->direct_map || v->mem_fixed)
        return refuse(c, HYP_EFORMAT, vm, -1, "colours",
                      "a coloured VM cannot have %s (its RAM is not one physical range)",
                      v->direct_map ? "direct-map" : "memory-base");
    for (int i = 0; i < vm; i++) {
        const struct hyp_vmconfig_vm *o = &c->cfg->vms[i];
        hyp_colour_set both = o->colours & v->colours;

        if (c->vm_ok[i] && both && !(o->share_colours && v->share_colours))
            return refuse(c, HYP_EFORMAT, vm, -1, "colours",
                          "colour %u is also %s's (both need share-colours to share it)",
                          (unsigned)__builtin_ctzll(both),
                          vm_ref(c, i, ref, sizeof(ref)));
    }
    return colours_fit(c, vm);
}

/**
 * In a partition with coloured VMs, every VM without `colours` gets the
 * colours none of them took (and shares them with the others without).
 */
static void colours_left(struct vctx *c)
{
    struct hyp_vmconfig *cfg = c->cfg;
    hyp_colour_set taken = cfg->hyp_colours;
    bool coloured = taken != 0;

    for (unsigned i = 0; i < cfg->vm_count; i++)
        if (c->vm_ok[i] && cfg->vms[i].colours) {
            taken |= cfg->vms[i].colours;
            coloured = true;
        }
    if (!coloured)
        return;
    for (unsigned i = 0; i < cfg->vm_count; i++) {
        struct hyp_vmconfig_vm *v = &cfg->vms[i];

        if (!c->vm_ok[i] || v->colours)
            continue;
        if (v->mem_fixed)
            c->vm_ok[i] =
                refuse(c, HYP_EFORMAT, (int)i, -1, "memory-base",
                       "a VM without colours next to coloured VMs must be "
                       "placed by the validator (it gets the colours left)") == HYP_OK;
        else if ((taken & hyp_colour_all(&cfg->geom)) == hyp_colour_all(&cfg->geom))
            c->vm_ok[i] = refuse(c, HYP_ENOMEM, (int)i, -1, "memory",
                                 "no colours are left for a VM without colours (the "
                                 "coloured VMs take all %u)",
                                 cfg->geom.colours) == HYP_OK;
        else {
            v->colours = hyp_colour_all(&cfg->geom) & ~taken;
            v->colours_left = true;
            c->vm_ok[i] = colours_fit(c, (int)i) == HYP_OK;
        }
    }
}

/** One `module@` child. */
static int vm_module(struct vctx *c, int vm, int node, const char *name, unsigned ac,
                     unsigned sc)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    struct hyp_vmconfig_module *m;
    char mod[HYP_FDT_QUOTE_MAX + 4], prop[HYP_FDT_QUOTE_MAX + 16];
    const fdt32_t *reg;
    int rc, len;
    bool kernel = fdt_node_check_compatible(c->fdt, node, "multiboot,kernel") == 0;
    bool ramdisk = fdt_node_check_compatible(c->fdt, node, "multiboot,ramdisk") == 0;
    /* A checkpoint to resume the VM from (docs/checkpoint.md). */
    bool ckpt = fdt_node_check_compatible(c->fdt, node, "multiboot,checkpoint") == 0;

    hyp_fdt_quote(mod, sizeof(mod), name);
    rc = known_props(c, vm, node, mod, module_props, ARRAY_LEN(module_props));
    if (rc != HYP_OK)
        return rc;
    if (kernel + ramdisk + ckpt != 1)
        return refuse(c, HYP_EFORMAT, vm, -1, mod,
                      "compatible: needs exactly one of \"multiboot,kernel\" and "
                      "\"multiboot,ramdisk\"%s",
                      ckpt ? " (or \"multiboot,checkpoint\")" : "");
    m = kernel ? &v->kernel : ramdisk ? &v->ramdisk : &v->checkpoint;
    if (m->node >= 0)
        return refuse(c, HYP_EFORMAT, vm, -1, mod, "compatible: a second %s module",
                      kernel    ? "kernel"
                      : ramdisk ? "ramdisk"
                                : "checkpoint");
    if (ac == 0 || sc == 0)
        return refuse(c, HYP_EFORMAT, vm, -1, ac ? "#size-cells" : "#address-cells",
                      "missing (required when the VM has modules)");
    snprintf(prop, sizeof(prop), "%s: reg", mod);
    reg = fdt_getprop(c->fdt, node, "reg", &len);
    if (!reg || len != (int)((ac + sc) * 4))
        return refuse(c, HYP_EFORMAT, vm, -1, prop,
                      "expected one (address, size) pair of %u + %u cells", ac, sc);
    rc = read_range(c, vm, -1, prop, reg, ac, sc, false, &m->range);
    if (rc != HYP_OK)
        return rc;
    if (!in_ram(c, &m->range))
        return refuse(c, HYP_EFORMAT, vm, -1, prop,
                      "0x%llx..0x%llx is not inside one memory bank of the board",
                      (unsigned long long)m->range.base,
                      (unsigned long long)last_byte(&m->range));
    snprintf(prop, sizeof(prop), "%s: bootargs", mod);
    if (kernel) {
        v->bootargs = prop_str(c, vm, node, "bootargs", prop, &rc);
        if (rc != HYP_OK)
            return rc;
    } else if (fdt_getprop(c->fdt, node, "bootargs", NULL)) {
        return refuse(c, HYP_EFORMAT, vm, -1, prop,
                      "only the kernel module has bootargs");
    }
    m->node = node;
    snprintf(prop, sizeof(prop), "%s: reg", mod);
    return claim(c, vm, -1, prop, &m->range, OWN_MODULE, vm, name);
}

/** The `module@` children: exactly one kernel, at most one ramdisk. */
static int vm_modules(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    unsigned ac, sc;
    int child, rc = node_cells(c, vm, v->offset, "#address-cells", 1, &ac);

    if (rc == HYP_OK)
        rc = node_cells(c, vm, v->offset, "#size-cells", 1, &sc);
    if (rc != HYP_OK)
        return rc;
    fdt_for_each_subnode(child, c->fdt, v->offset)
    {
        const char *name = fdt_get_name(c->fdt, child, NULL);
        char shown[HYP_FDT_QUOTE_MAX + 4];

        if (!name)
            return refuse(c, HYP_EFORMAT, vm, -1, NULL, "child with an unreadable name");
        if (strncmp(name, "module@", 7) != 0) {
            hyp_fdt_quote(shown, sizeof(shown), name);
            return refuse(c, HYP_EFORMAT, vm, -1, shown,
                          "unknown node (a VM has only module@<addr> children)");
        }
        rc = vm_module(c, vm, child, name, ac, sc);
        if (rc != HYP_OK)
            return rc;
    }
    if (v->kernel.node < 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "module",
                      "no \"multiboot,kernel\" module (every VM needs a kernel)");
    return HYP_OK;
}

/** Where device @p node of VM @p self is already passed through, by index. */
static bool device_owner(const struct vctx *c, int node, int self, int *vm, int *dev)
{
    for (int i = 0; i <= self; i++) {
        const struct hyp_vmconfig_vm *v = &c->cfg->vms[i];

        for (unsigned k = 0; k < v->device_count; k++)
            if (v->devices[k].node == node) {
                *vm = i;
                *dev = (int)k;
                return true;
            }
    }
    return false;
}

/** A device that may not be passed through: say why, or return NULL. */
static const char *forbidden_device(const struct vctx *c, int node)
{
    int len;
    const char *type = fdt_getprop(c->fdt, node, "device_type", &len);
    const char *status = fdt_getprop(c->fdt, node, "status", &len);

    if (node == 0)
        return "is the root node";
    if (fdt_getprop(c->fdt, node, "interrupt-controller", NULL))
        return "is an interrupt controller";
    if (hyp_vmconfig_is_smmu(c->fdt, node))
        return "is an SMMU (the hypervisor's own: it confines the VMs' DMA)";
    if (type && len > 0 && type[len - 1] == '\0' &&
        (strcmp(type, "cpu") == 0 || strcmp(type, "memory") == 0))
        return "is a CPU or memory node";
    if (status && len > 0 && status[len - 1] == '\0' && strcmp(status, "okay") != 0 &&
        strcmp(status, "ok") != 0)
        return "is disabled";
    for (unsigned i = 0; i < c->cfg->vm_count; i++)
        if (c->vm_node[i] == node)
            return "is a VM";
    return NULL;
}

/** Check the MMIO ranges of a new device against the board and other devices. */
static int device_mmio(struct vctx *c, int vm, const struct hyp_vmconfig_device *d)
{
    const struct hyp_platform *p = &c->cfg->plat;
    const struct hyp_range gic[] = {p->gic.gicd,    p->gic.gicc,    p->gic.gich,
                                    p->gic.gicv,    p->gic.gicr[0], p->gic.gicr[1],
                                    p->gic.gicr[2], p->gic.gicr[3]};
    char ref[48];

    for (unsigned r = 0; r < d->reg_count; r++) {
        const struct hyp_range *reg = &d->regs[r];

        if (ranges_meet(reg, &p->uart.regs))
            return refuse(
                c, HYP_EFORMAT, vm, -1, "passthrough",
                "%s: reg: is the hypervisor's console (give VMs vpl011 instead)",
                d->path);
        for (unsigned i = 0; i < ARRAY_LEN(gic); i++)
            if (ranges_meet(reg, &gic[i]))
                return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                              "%s: reg: overlaps the GIC at 0x%llx", d->path,
                              (unsigned long long)gic[i].base);
        for (unsigned i = 0; i < p->mem_count; i++)
            if (ranges_meet(reg, &p->mem[i]))
                return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                              "%s: reg: 0x%llx lies in RAM", d->path,
                              (unsigned long long)reg->base);
        for (int o = 0; o <= vm; o++) {
            const struct hyp_vmconfig_vm *ov = &c->cfg->vms[o];

            for (unsigned k = 0; k < ov->device_count; k++)
                for (unsigned j = 0; j < ov->devices[k].reg_count; j++)
                    if (ranges_meet(reg, &ov->devices[k].regs[j]))
                        return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                                      "%s: reg: 0x%llx overlaps %s%s%s", d->path,
                                      (unsigned long long)reg->base,
                                      o == vm ? "" : vm_ref(c, o, ref, sizeof(ref)),
                                      o == vm ? "" : "'s ", ov->devices[k].path);
        }
    }
    return HYP_OK;
}

/** Claim the SPIs of a new device (index @p dev of VM @p vm). */
static int device_spis(struct vctx *c, int vm, int dev)
{
    const struct hyp_vmconfig_device *d = &c->cfg->vms[vm].devices[dev];
    char ref[48];

    for (unsigned i = 0; i < d->irq_count; i++) {
        uint32_t id = d->irqs[i].intid;
        struct irq_owner *o = &c->irq[id];

        if (o->vm == -2)
            return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                          "%s: interrupts: SPI %u (INTID %u) is the hypervisor "
                          "console's",
                          d->path, (unsigned)(id - 32), (unsigned)id);
        if (o->vm >= 0 && !(o->vm == vm && o->dev == dev))
            return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                          "%s: interrupts: SPI %u (INTID %u) is also taken by %s%s%s",
                          d->path, (unsigned)(id - 32), (unsigned)id,
                          o->vm == vm ? "" : vm_ref(c, o->vm, ref, sizeof(ref)),
                          o->vm == vm ? "" : " with ",
                          c->cfg->vms[o->vm].devices[o->dev].path);
        o->vm = (int8_t)vm;
        o->dev = (int8_t)dev;
    }
    return HYP_OK;
}

/**
 * A DMA-capable device (hyp_policy_dma_capable()) is confined when an SMMUv3
 * translates its DMA by the VM's stage 2 (its `iommus` or `iommu-map` name
 * one, and no other VM's device has its stream IDs); else it is refused
 * unless the VM says `dma-unconfined`.
 */
static int device_dma(struct vctx *c, int vm, struct hyp_vmconfig_device *d)
{
    char why[HYP_VMCONFIG_DMA_WHY], ref[48];
    int rc;

    if (!hyp_policy_dma_capable(NULL, c->fdt, d->node))
        return HYP_OK;
    rc = hyp_vmconfig_dma_streams(c->fdt, d->node, d, why);
    if (rc == HYP_ENOENT) {
        if (c->cfg->vms[vm].dma_unconfined)
            return HYP_OK;
        return refuse(c, HYP_EPERM, vm, -1, "passthrough",
                      "%s can master DMA and no SMMU confines it to the VM; "
                      "dma-unconfined allows it",
                      d->path);
    }
    if (rc != HYP_OK)
        return refuse(c, rc, vm, -1, "passthrough", "%s: %s", d->path, why);
    for (int o = 0; o <= vm; o++) {
        const struct hyp_vmconfig_vm *ov = &c->cfg->vms[o];
        uint32_t sid;

        for (unsigned k = 0; k < ov->device_count; k++)
            if (hyp_vmconfig_streams_meet(d, &ov->devices[k], &sid))
                return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                              "%s: stream 0x%x of its SMMU is also %s%s%s", d->path,
                              (unsigned)sid,
                              o == vm ? "" : vm_ref(c, o, ref, sizeof(ref)),
                              o == vm ? "" : "'s ", ov->devices[k].path);
    }
    return HYP_OK;
}

/** A PCIe host bridge: its windows and INTx SPIs instead of `interrupts`. */
static int device_pci(struct vctx *c, int vm, struct hyp_vmconfig_device *d)
{
    char why[HYP_VMCONFIG_DMA_WHY];
    int rc = hyp_vmconfig_pci_host(c->fdt, d->node, c->cfg->plat.gic.gicd.base, d, why);

    return rc == HYP_OK ? HYP_OK
                        : refuse(c, rc, vm, -1, "passthrough", "%s: %s", d->path, why);
}

/** `passthrough`: phandles of board devices, each given to one VM only. */
static int vm_devices(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, v->offset, "passthrough", &len);
    int rc = prop_flag(c, vm, v->offset, "dma-unconfined", &v->dma_unconfined);

    if (rc != HYP_OK || !p)
        return rc;
    if (len % 4 != 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                      "length %d is not a list of phandles", len);
    for (int i = 0; i < len / 4; i++) {
        uint32_t ph = fdt32_ld(p + i);
        int node = by_phandle(c->fdt, ph), ovm, odev;
        struct hyp_vmconfig_device *d;
        const char *why;
        char ref[48], path[HYP_VMCONFIG_PATH_LEN];

        if (node < 0)
            return refuse(c, HYP_EFORMAT, vm, -1, "passthrough",
                          "entry %d: phandle 0x%x names no node", i, (unsigned)ph);
        hyp_fdt_path(c->fdt, node, path, sizeof(path));
        why = forbidden_device(c, node);
        if (why)
            return refuse(c, HYP_EFORMAT, vm, -1, "passthrough", "%s %s", path, why);
        if (device_owner(c, node, vm, &ovm, &odev))
            return refuse(c, HYP_EFORMAT, vm, -1, "passthrough", "%s is %s%s", path,
                          ovm == vm ? "given twice" : "also given to ",
                          ovm == vm ? "" : vm_ref(c, ovm, ref, sizeof(ref)));
        if (v->device_count == HYP_VMCONFIG_MAX_DEVICES)
            return refuse(c, HYP_ENOMEM, vm, -1, "passthrough",
                          "more than %d devices (HYP_VMCONFIG_MAX_DEVICES)",
                          HYP_VMCONFIG_MAX_DEVICES);
        d = &v->devices[v->device_count];
        memset(d, 0, sizeof(*d));
        d->node = node;
        hyp_fdt_copy(d->path, sizeof(d->path), path);
        rc = device_dma(c, vm, d);
        if (rc == HYP_OK)
            rc = device_regs(c, vm, d);
        if (rc == HYP_OK)
            rc = hyp_vmconfig_is_pci_host(c->fdt, node) ? device_pci(c, vm, d)
                                                        : device_irqs(c, vm, d);
        if (rc == HYP_OK)
            rc = device_mmio(c, vm, d);
        if (rc != HYP_OK)
            return rc;
        v->device_count++;
        rc = device_spis(c, vm, (int)v->device_count - 1);
        if (rc != HYP_OK)
            return rc;
    }
    return HYP_OK;
}

/**
 * A VM whose device the SMMU confines may not create child VMs: the memory
 * it donates leaves its stage 2, but not the SMMU's TLB, which the child
 * VM service does not invalidate.
 */
static int vm_dma_children(struct vctx *c, int vm)
{
    const struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];

    for (unsigned d = 0; d < v->device_count; d++)
        if (v->devices[d].smmu.size && (v->caps & HYP_VMCONFIG_CAP_CREATE_VMS))
            return refuse(c, HYP_ENOTSUP, vm, -1, "capabilities",
                          "\"create-vms\" with %s, whose DMA the SMMU confines: not "
                          "supported (donated memory would stay in the SMMU's TLB)",
                          v->devices[d].path);
    return HYP_OK;
}

/** `vpl011`: a virtual PL011 where the board's console is. */
static int vm_console(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    const struct hyp_platform *p = &c->cfg->plat;
    int rc = prop_flag(c, vm, v->offset, "vpl011", &v->console);

    if (rc != HYP_OK || !v->console)
        return rc;
    if (p->uart.regs.size == 0 || p->uart.irq.intid < 32)
        return refuse(c, HYP_ENOTSUP, vm, -1, "vpl011",
                      "the board has no console UART with an SPI to model");
    v->console_regs = p->uart.regs;
    v->console_intid = p->uart.irq.intid;
    return HYP_OK;
}

static const struct {
    const char *name;
    unsigned bit;
} cap_names[] = {
    {"system-reset", HYP_VMCONFIG_CAP_SYSTEM_RESET},
    {"system-off", HYP_VMCONFIG_CAP_SYSTEM_OFF},
    {"create-vms", HYP_VMCONFIG_CAP_CREATE_VMS},
};

/** `capabilities` (a string list) and the child VM limits. */
static int vm_caps(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    int len, rc;
    const char *s = fdt_getprop(c->fdt, v->offset, "capabilities", &len);
    const fdt32_t *n, *mem, *depth;
    const void *key;

    if (s && (len < 1 || s[len - 1] != '\0'))
        return refuse(c, HYP_EFORMAT, vm, -1, "capabilities", "not a list of strings");
    for (int at = 0; s && at < len; at += (int)strlen(s + at) + 1) {
        unsigned k;
        char shown[HYP_FDT_QUOTE_MAX + 4];

        for (k = 0; k < ARRAY_LEN(cap_names); k++)
            if (strcmp(s + at, cap_names[k].name) == 0)
                break;
        if (k == ARRAY_LEN(cap_names)) {
            hyp_fdt_quote(shown, sizeof(shown), s + at);
            return refuse(c, HYP_EFORMAT, vm, -1, "capabilities",
                          "\"%s\" is not one of \"system-reset\", \"system-off\", "
                          "\"create-vms\"",
                          shown);
        }
        v->caps |= cap_names[k].bit;
    }
    n = prop_cells(c, vm, v->offset, "max-child-vms", 1, &rc);
    if (rc != HYP_OK)
        return rc;
    mem = prop_cells(c, vm, v->offset, "max-child-memory", 2, &rc);
    if (rc != HYP_OK)
        return rc;
    depth = prop_cells(c, vm, v->offset, "max-child-depth", 1, &rc);
    if (rc != HYP_OK)
        return rc;
    key = fdt_getprop(c->fdt, v->offset, "public-key", &len);
    if (!(v->caps & HYP_VMCONFIG_CAP_CREATE_VMS)) {
        if (n || mem || depth || key)
            return refuse(c, HYP_EFORMAT, vm, -1,
                          n     ? "max-child-vms"
                          : mem ? "max-child-memory"
                          : key ? "public-key"
                                : "max-child-depth",
                          "without the \"create-vms\" capability");
        return HYP_OK;
    }
    if (key && len != HYP_VMCONFIG_KEY_SIZE)
        return refuse(c, HYP_EFORMAT, vm, -1, "public-key",
                      "%d bytes, not %u (an Ed25519 public key)", len,
                      HYP_VMCONFIG_KEY_SIZE);
    if (key) {
        v->signed_children = true;
        memcpy(v->public_key, key, HYP_VMCONFIG_KEY_SIZE);
    }
    v->max_child_depth = depth ? fdt32_ld(depth) : 1;
    if (v->max_child_depth == 0 || v->max_child_depth > HYP_VMCONFIG_MAX_DEPTH)
        return refuse(c, HYP_EFORMAT, vm, -1, "max-child-depth",
                      "%u is not 1 to %u (generations of VMs below this one)",
                      v->max_child_depth, HYP_VMCONFIG_MAX_DEPTH);
    if (!n || !mem || fdt32_ld(n) == 0 || hyp_fdt_cells(mem, 2) == 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "capabilities",
                      "\"create-vms\" needs non-zero max-child-vms and max-child-memory");
    v->max_child_vms = fdt32_ld(n);
    v->max_child_memory = hyp_fdt_cells(mem, 2);
    if (v->max_child_memory % HYP_VMCONFIG_GRANULE)
        return refuse(c, HYP_EFORMAT, vm, -1, "max-child-memory",
                      "0x%llx is not a multiple of 4 KiB",
                      (unsigned long long)v->max_child_memory);
    if (v->max_child_memory > v->mem.size)
        return refuse(c, HYP_EFORMAT, vm, -1, "max-child-memory",
                      "0x%llx is more than the VM's memory (0x%llx), which children "
                      "are carved from",
                      (unsigned long long)v->max_child_memory,
                      (unsigned long long)v->mem.size);
    return HYP_OK;
}

/** `hypercall-page` (any VM) and `child-vm-pool` (with "create-vms"). */
static int vm_hcpage(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    int rc;
    const fdt32_t *page = prop_cells(c, vm, v->offset, "hypercall-page", 2, &rc);
    const fdt32_t *pool;

    if (rc != HYP_OK)
        return rc;
    pool = prop_cells(c, vm, v->offset, "child-vm-pool", 2, &rc);
    if (rc != HYP_OK)
        return rc;
    if (page) {
        v->hcpage_ipa = hyp_fdt_cells(page, 2);
        if (v->hcpage_ipa == 0 || v->hcpage_ipa % HYP_VMCONFIG_GRANULE ||
            v->hcpage_ipa > UINT64_MAX - HYP_VMCONFIG_GRANULE)
            return refuse(c, HYP_EFORMAT, vm, -1, "hypercall-page",
                          "0x%llx is not a non-zero 4 KiB aligned guest address",
                          (unsigned long long)v->hcpage_ipa);
    }
    if (!pool)
        return HYP_OK;
    if (!(v->caps & HYP_VMCONFIG_CAP_CREATE_VMS))
        return refuse(c, HYP_EFORMAT, vm, -1, "child-vm-pool",
                      "without the \"create-vms\" capability");
    v->child_pool = hyp_fdt_cells(pool, 2);
    if (v->child_pool == 0 || v->child_pool % HYP_VMCONFIG_GRANULE ||
        v->child_pool >= v->mem.size)
        return refuse(c, HYP_EFORMAT, vm, -1, "child-vm-pool",
                      "0x%llx is not a non-zero multiple of 4 KiB below the VM's "
                      "memory (0x%llx)",
                      (unsigned long long)v->child_pool, (unsigned long long)v->mem.size);
    return HYP_OK;
}

static int vm_role(struct vctx *c, int vm);

/** Parse VM node @p node as cfg->vms[vm]. */
static int parse_vm(struct vctx *c, int vm, int node, const char *name)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    int rc;

    memset(v, 0, sizeof(*v));
    v->tee = v->gpos = -1;
    v->offset = node;
    v->kernel.node = v->ramdisk.node = v->checkpoint.node = -1;
    hyp_fdt_copy(v->node, sizeof(v->node), name);
    c->vm_node[vm] = node;
    c->cfg->vm_count = (unsigned)vm + 1;
    rc = vm_label(c, vm);
    if (rc == HYP_OK)
        rc = known_props(c, vm, node, NULL, vm_props, ARRAY_LEN(vm_props));
    if (rc == HYP_OK)
        rc = need_compatible(c, vm, node, HYP_VMCONFIG_VM_COMPATIBLE);
    if (rc == HYP_OK)
        rc = node_id(c, vm, node, &v->id);
    c->has_id[vm] = rc == HYP_OK;
    for (int i = 0; rc == HYP_OK && i < vm; i++) {
        char ref[48];

        if (c->has_id[i] && c->cfg->vms[i].id == v->id)
            rc = refuse(c, HYP_EFORMAT, vm, -1, "reg", "id %u is also %s's", v->id,
                        vm_ref(c, i, ref, sizeof(ref)));
    }
    if (rc == HYP_OK)
        rc = vm_role(c, vm);
    if (rc == HYP_OK && v->role != HYP_VMCONFIG_ROLE_TEE)
        rc = vm_cpus(c, vm); /* a trusted OS borrows its GPOS's: pair_vms() */
    if (rc == HYP_OK)
        rc = vm_memory(c, vm);
    if (rc == HYP_OK)
        rc = vm_colours(c, vm);
    if (rc == HYP_OK)
        rc = vm_modules(c, vm);
    if (rc == HYP_OK)
        rc = vm_console(c, vm);
    if (rc == HYP_OK)
        rc = vm_devices(c, vm);
    if (rc == HYP_OK)
        rc = vm_caps(c, vm);
    if (rc == HYP_OK)
        rc = vm_hcpage(c, vm);
    if (rc == HYP_OK)
        rc = vm_dma_children(c, vm);
    return rc;
}

/*
 * Shared regions
 */

/** Index of the accepted VM whose node is @p node, or -1. */
static int vm_by_node(const struct vctx *c, int node)
{
    for (unsigned i = 0; i < c->cfg->vm_count; i++)
        if (c->vm_node[i] == node)
            return (int)i;
    return -1;
}

/** A doorbell must be a virtual SPI the VM has no other use for. */
static int doorbell_free(struct vctx *c, int node, int s, int side)
{
    const struct hyp_vmconfig_shm *sh = &c->cfg->shm[s];
    int vm = (int)sh->vm[side];
    const struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    uint32_t id = sh->doorbell[side];
    const char *other = NULL;
    char ref[48];

    for (unsigned k = 0; k < v->device_count && !other; k++)
        for (unsigned i = 0; i < v->devices[k].irq_count; i++)
            if (v->devices[k].irqs[i].intid == id)
                other = v->devices[k].path;
    if (!other && v->console && v->console_intid == id)
        other = "vpl011";
    for (unsigned k = 0; k < v->shm_count && !other; k++) {
        const struct hyp_vmconfig_shm *o = &c->cfg->shm[v->shm[k]];

        if (o->doorbell[o->vm[0] == (unsigned)vm ? 0 : 1] == id)
            other = o->node;
    }
    if (other)
        return refuse(c, HYP_EFORMAT, -1, node, "doorbell",
                      "INTID %u of %s is also its %s", (unsigned)id,
                      vm_ref(c, vm, ref, sizeof(ref)), other);
    return HYP_OK;
}

/** Parse shared-memory node @p node as cfg->shm[s]. */
static int parse_shm(struct vctx *c, int s, int node, const char *name)
{
    struct hyp_vmconfig_shm *sh = &c->cfg->shm[s];
    const fdt32_t *vms, *mem, *db;
    int rc;

    memset(sh, 0, sizeof(*sh));
    hyp_fdt_copy(sh->node, sizeof(sh->node), name);
    rc = known_props(c, -1, node, NULL, shm_props, ARRAY_LEN(shm_props));
    if (rc == HYP_OK)
        rc = need_compatible(c, -1, node, HYP_VMCONFIG_SHM_COMPATIBLE);
    if (rc != HYP_OK)
        return rc;
    vms = prop_cells(c, -1, node, "vms", 2, &rc);
    if (rc != HYP_OK)
        return rc;
    if (!vms)
        return refuse(c, HYP_EFORMAT, -1, node, "vms",
                      "missing (the two VMs sharing it)");
    for (int i = 0; i < 2; i++) {
        uint32_t ph = fdt32_ld(vms + i);
        int target = by_phandle(c->fdt, ph);
        int vm = vm_by_node(c, target);
        char path[HYP_VMCONFIG_PATH_LEN];

        if (target < 0)
            return refuse(c, HYP_EFORMAT, -1, node, "vms",
                          "entry %d: phandle 0x%x names no node", i, (unsigned)ph);
        hyp_fdt_path(c->fdt, target, path, sizeof(path));
        if (vm < 0 && parent_of(c->fdt, target) == c->root &&
            strncmp(fdt_get_name(c->fdt, target, NULL), "vm@", 3) == 0)
            return HYP_EFORMAT; /* a VM over the limit, refused already */
        if (vm < 0)
            return refuse(c, HYP_EFORMAT, -1, node, "vms",
                          "entry %d: %s is not a vm@ node of %s", i, path, c->cfg->path);
        if (!c->vm_ok[vm])
            return HYP_EFORMAT; /* that VM was refused already */
        sh->vm[i] = (unsigned)vm;
    }
    if (sh->vm[0] == sh->vm[1])
        return refuse(c, HYP_EFORMAT, -1, node, "vms", "names %s twice",
                      c->cfg->vms[sh->vm[0]].node);
    mem = prop_cells(c, -1, node, "shared-mem", 4, &rc);
    if (rc != HYP_OK)
        return rc;
    if (!mem)
        return refuse(c, HYP_EFORMAT, -1, node, "shared-mem", "missing (base and size)");
    rc = read_range(c, -1, node, "shared-mem", mem, 2, 2, true, &sh->range);
    if (rc != HYP_OK)
        return rc;
    if (!in_ram(c, &sh->range))
        return refuse(c, HYP_EFORMAT, -1, node, "shared-mem",
                      "0x%llx..0x%llx is not inside one memory bank of the board",
                      (unsigned long long)sh->range.base,
                      (unsigned long long)last_byte(&sh->range));
    rc = claim(c, -1, node, "shared-mem", &sh->range, OWN_SHM, s, NULL);
    if (rc != HYP_OK)
        return rc;
    db = prop_cells(c, -1, node, "doorbell", 2, &rc);
    if (rc != HYP_OK)
        return rc;
    if (!db)
        return refuse(c, HYP_EFORMAT, -1, node, "doorbell",
                      "missing (an SPI number for each VM)");
    for (int i = 0; i < 2; i++) {
        if (fdt32_ld(db + i) >= SPI_END - 32)
            return refuse(c, HYP_EFORMAT, -1, node, "doorbell",
                          "SPI %u is out of range (0..%u)", (unsigned)fdt32_ld(db + i),
                          SPI_END - 33);
        sh->doorbell[i] = 32 + fdt32_ld(db + i);
        rc = doorbell_free(c, node, s, i);
        if (rc != HYP_OK)
            return rc;
    }
    for (int i = 0; i < 2; i++) {
        struct hyp_vmconfig_vm *v = &c->cfg->vms[sh->vm[i]];

        v->shm[v->shm_count++] = (unsigned)s;
    }
    return HYP_OK;
}

/*
 * Pairs: general-purpose VMs and their trusted OSes
 */

/** `role`, `tee`, `tee-method`, and what a trusted OS may not have. */
static int vm_role(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    static const char *const tee_has_none[] = {"cpus", "passthrough", "capabilities",
                                               "tee", "tee-method"};
    static const char *const why[] = {
        "a trusted OS has no CPU of its own: it runs on its GPOS's when called",
        "a trusted OS is given no device", "a trusted OS has no capability",
        "a trusted OS has no trusted OS", "a trusted OS is called, it does not call"};
    int rc;
    const char *s = prop_str(c, vm, v->offset, "role", NULL, &rc);

    if (rc != HYP_OK)
        return rc;
    if (s && strcmp(s, "trusted-os") == 0)
        v->role = HYP_VMCONFIG_ROLE_TEE;
    else if (s && strcmp(s, "general-purpose") != 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "role",
                      "\"%.32s\" is not \"general-purpose\" or \"trusted-os\"", s);
    if (v->role == HYP_VMCONFIG_ROLE_TEE) {
        for (size_t i = 0; i < ARRAY_LEN(tee_has_none); i++)
            if (fdt_getprop(c->fdt, v->offset, tee_has_none[i], NULL))
                return refuse(c, HYP_EFORMAT, vm, -1, tee_has_none[i], "%s", why[i]);
        s = prop_str(c, vm, v->offset, "on-failure", NULL, &rc);
        if (rc == HYP_OK && s && strcmp(s, "stop") == 0)
            v->tee_stop = true;
        else if (rc == HYP_OK && s && strcmp(s, "restart") != 0)
            rc = refuse(c, HYP_EFORMAT, vm, -1, "on-failure",
                        "\"%.32s\" is not \"restart\" or \"stop\"", s);
        return rc;
    }
    if (fdt_getprop(c->fdt, v->offset, "on-failure", NULL))
        return refuse(c, HYP_EFORMAT, vm, -1, "on-failure", "only a trusted OS has it");
    s = prop_str(c, vm, v->offset, "tee-method", NULL, &rc);
    if (rc != HYP_OK)
        return rc;
    if (s && strcmp(s, "hvc") == 0)
        v->tee_hvc = true;
    else if (s && strcmp(s, "smc") != 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "tee-method",
                      "\"%.32s\" is not \"smc\" or \"hvc\"", s);
    if (s && !fdt_getprop(c->fdt, v->offset, "tee", NULL))
        return refuse(c, HYP_EFORMAT, vm, -1, "tee-method", "without a tee");
    return HYP_OK;
}

/** GPOS @p vm's `tee`: a trusted OS nobody else has; it gets the GPOS's CPUs. */
static int pair_vm(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm], *t;
    int rc, tee, node;
    const fdt32_t *p = prop_cells(c, vm, v->offset, "tee", 1, &rc);
    char ref[48];

    if (rc != HYP_OK || !p)
        return rc;
    node = by_phandle(c->fdt, fdt32_ld(p));
    tee = node >= 0 ? vm_by_node(c, node) : -1;
    if (tee < 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "tee", "phandle 0x%x names no vm@ node",
                      (unsigned)fdt32_ld(p));
    if (!c->vm_ok[tee])
        return HYP_EFORMAT; /* refused already */
    t = &c->cfg->vms[tee];
    if (t->role != HYP_VMCONFIG_ROLE_TEE)
        return refuse(c, HYP_EFORMAT, vm, -1, "tee",
                      "%s is not a trusted OS (role = \"trusted-os\")",
                      vm_ref(c, tee, ref, sizeof(ref)));
    if (t->gpos >= 0)
        return refuse(c, HYP_EFORMAT, vm, -1, "tee", "%s is also %s's trusted OS",
                      vm_ref(c, tee, ref, sizeof(ref)), c->cfg->vms[t->gpos].node);
    v->tee = tee;
    t->gpos = vm;
    t->vcpu_count = v->vcpu_count;
    memcpy(t->vcpus, v->vcpus, sizeof(t->vcpus));
    return HYP_OK;
}

/** Pair every GPOS that names a trusted OS; a trusted OS shares only with its GPOS. */
static void pair_vms(struct vctx *c)
{
    struct hyp_vmconfig *cfg = c->cfg;
    char ref[48];

    for (unsigned i = 0; i < cfg->vm_count; i++)
        if (c->vm_ok[i] && cfg->vms[i].role == HYP_VMCONFIG_ROLE_GPOS)
            c->vm_ok[i] = pair_vm(c, (int)i) == HYP_OK;
    for (unsigned i = 0; i < cfg->vm_count; i++) {
        const struct hyp_vmconfig_vm *t = &cfg->vms[i];

        if (!c->vm_ok[i] || t->role != HYP_VMCONFIG_ROLE_TEE)
            continue;
        if (t->gpos < 0) {
            c->vm_ok[i] = false;
            refuse(c, HYP_EFORMAT, (int)i, -1, "role",
                   "trusted OS of no general-purpose VM (none names it in its tee)");
            continue;
        }
        for (unsigned k = 0; k < t->shm_count; k++) {
            const struct hyp_vmconfig_shm *sh = &cfg->shm[t->shm[k]];
            unsigned other = sh->vm[sh->vm[0] == i ? 1 : 0];

            if ((int)other != t->gpos) {
                c->vm_ok[i] = false;
                refuse(c, HYP_EFORMAT, (int)i, -1, "shared memory",
                       "%s: a trusted OS shares memory with its general-purpose VM "
                       "(%s) only, not %s",
                       sh->node, cfg->vms[t->gpos].node,
                       vm_ref(c, (int)other, ref, sizeof(ref)));
                break;
            }
        }
    }
}

/*
 * Placement and guest addresses
 */

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/** Place VM @p vm's floating memory at the lowest free aligned address. */
static int place(struct vctx *c, int vm)
{
    struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    const struct hyp_platform *p = &c->cfg->plat;

    for (unsigned b = 0; b < p->mem_count; b++) {
        struct hyp_range r = {align_up(p->mem[b].base, HYP_VMCONFIG_PLACE_ALIGN),
                              v->colours ? v->layout.span : v->mem.size};

        while (r.base >= p->mem[b].base && !range_wraps(&r) &&
               last_byte(&r) <= last_byte(&p->mem[b])) {
            const struct claim *k = claimed(c, &r, v->colours);

            if (!k && v->colours) {
                v->mem.base = r.base;
                hyp_colour_layout_init(&v->layout, &c->cfg->geom, v->colours, r.base,
                                       v->mem.size);
                return claim_coloured(c, vm, -1, "memory", &r, OWN_MEM, vm, NULL,
                                      v->colours);
            }
            if (!k) {
                v->mem = r;
                return claim(c, vm, -1, "memory", &r, OWN_MEM, vm, NULL);
            }
            if (last_byte(&k->r) + 1 == 0)
                break;
            r.base = align_up(last_byte(&k->r) + 1, HYP_VMCONFIG_PLACE_ALIGN);
        }
    }
    if (v->colours)
        return refuse(c, HYP_ENOMEM, vm, -1, "memory",
                      "0x%llx bytes (a span of 0x%llx) do not fit in the RAM left free",
                      (unsigned long long)v->mem.size,
                      (unsigned long long)v->layout.span);
    return refuse(c, HYP_ENOMEM, vm, -1, "memory",
                  "0x%llx bytes do not fit in the RAM left free",
                  (unsigned long long)v->mem.size);
}

/** A range of a VM's guest physical address space, for the IPA check. */
struct ipa {
    struct hyp_range r;
    const char *what;
};

/** Nothing a VM sees may overlap in its guest physical address space. */
static int check_ipa(struct vctx *c, int vm)
{
    const struct hyp_vmconfig_vm *v = &c->cfg->vms[vm];
    const struct hyp_platform *p = &c->cfg->plat;
    struct ipa map[5 + HYP_PLATFORM_MAX_GICR +
                   HYP_VMCONFIG_MAX_DEVICES * HYP_VMCONFIG_MAX_DEV_REGS +
                   HYP_VMCONFIG_MAX_SHM];
    unsigned n = 0;

    map[n++] = (struct ipa){{v->mem_ipa, v->mem.size}, "guest RAM"};
    map[n++] = (struct ipa){p->gic.gicd, "the GIC distributor"};
    for (unsigned i = 0; i < p->gic.gicr_count; i++)
        map[n++] = (struct ipa){p->gic.gicr[i], "the GIC redistributors"};
    if (p->gic.version == 2)
        map[n++] = (struct ipa){p->gic.gicc, "the GIC CPU interface"};
    if (v->console)
        map[n++] = (struct ipa){v->console_regs, "vpl011"};
    for (unsigned d = 0; d < v->device_count; d++)
        for (unsigned i = 0; i < v->devices[d].reg_count; i++)
            map[n++] = (struct ipa){v->devices[d].regs[i], v->devices[d].path};
    for (unsigned s = 0; s < v->shm_count; s++)
        map[n++] =
            (struct ipa){c->cfg->shm[v->shm[s]].range, c->cfg->shm[v->shm[s]].node};
    if (v->hcpage_ipa)
        map[n++] =
            (struct ipa){{v->hcpage_ipa, HYP_VMCONFIG_GRANULE}, "the hypercall page"};
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            if (ranges_meet(&map[i].r, &map[j].r))
                return refuse(c, HYP_EFORMAT, vm, -1,
                              v->hcpage_ipa && j == n - 1 ? "hypercall-page"
                              : i == 0                    ? "memory"
                                                          : "passthrough",
                              "%s at guest address 0x%llx..0x%llx overlaps %s",
                              map[i].what, (unsigned long long)map[i].r.base,
                              (unsigned long long)last_byte(&map[i].r), map[j].what);
    return HYP_OK;
}

/*
 * Entry points
 */

/** The `/hypervisor` node itself: known properties, 1 address cell, 0 size. */
static int parse_root(struct vctx *c, int node)
{
    unsigned ac, sc;
    int rc = known_props(c, -1, node, NULL, hv_props, ARRAY_LEN(hv_props));

    if (rc == HYP_OK)
        rc = node_cells(c, -1, node, "#address-cells", 1, &ac);
    if (rc == HYP_OK)
        rc = node_cells(c, -1, node, "#size-cells", 0, &sc);
    if (rc == HYP_OK && (ac != 1 || sc != 0))
        rc = refuse(c, HYP_EFORMAT, -1, node, "#address-cells",
                    "expected #address-cells = <1> and #size-cells = <0> (children "
                    "are vm@<id> and shm-<name>)");
    return rc;
}

/** Claim what belongs to the hypervisor and the board before any VM. */
static int claim_board(struct vctx *c, const struct hyp_range *hyp, unsigned hyp_count)
{
    struct hyp_vmconfig *cfg = c->cfg;
    const struct hyp_platform *p = &cfg->plat;

    for (unsigned i = 0; i < SPI_END; i++)
        c->irq[i].vm = -1;
    for (unsigned i = 0; i < HYP_PLATFORM_MAX_CPUS; i++)
        c->cpu_owner[i] = -1;
    if (p->uart.irq.intid >= 32 && p->uart.irq.intid < SPI_END)
        c->irq[p->uart.irq.intid].vm = -2;
    for (unsigned i = 0; i < hyp_count; i++) {
        if (hyp[i].size == 0)
            continue;
        if (range_wraps(&hyp[i]))
            return refuse(
                c, HYP_EINVAL, -1, -1, NULL, "hypervisor range %u: 0x%llx + 0x%llx wraps",
                i, (unsigned long long)hyp[i].base, (unsigned long long)hyp[i].size);
        cfg->hyp[cfg->hyp_count++] = hyp[i];
        c->claims[c->claim_count++] = (struct claim){hyp[i], OWN_HYP, -1, NULL, 0};
    }
    for (unsigned i = 0; i < p->reserved_count; i++)
        if (p->reserved[i].size && !range_wraps(&p->reserved[i]))
            c->claims[c->claim_count++] =
                (struct claim){p->reserved[i], OWN_RESERVED, -1, NULL, 0};
    return HYP_OK;
}

/** Walk the children of `/hypervisor`: VMs first, shared regions second. */
static void parse_children(struct vctx *c, int root)
{
    struct hyp_vmconfig *cfg = c->cfg;
    int shm_nodes[HYP_VMCONFIG_MAX_SHM];
    unsigned shm_count = 0;
    int child;

    fdt_for_each_subnode(child, c->fdt, root)
    {
        const char *name = fdt_get_name(c->fdt, child, NULL);
        char shown[HYP_FDT_QUOTE_MAX + 4];

        if (!name) {
            refuse(c, HYP_EFORMAT, -1, root, NULL, "child with an unreadable name");
        } else if (strncmp(name, "vm@", 3) == 0) {
            int vm = (int)cfg->vm_count;

            if (cfg->vm_count == HYP_VMCONFIG_MAX_VMS) {
                refuse(c, HYP_ENOMEM, -1, child, NULL,
                       "more than %d VMs (HYP_VMCONFIG_MAX_VMS)", HYP_VMCONFIG_MAX_VMS);
                continue;
            }
            c->vm_ok[vm] = parse_vm(c, vm, child, name) == HYP_OK;
        } else if (strcmp(name, "shm") == 0 || strncmp(name, "shm-", 4) == 0) {
            if (shm_count == HYP_VMCONFIG_MAX_SHM)
                refuse(c, HYP_ENOMEM, -1, child, NULL,
                       "more than %d shared regions (HYP_VMCONFIG_MAX_SHM)",
                       HYP_VMCONFIG_MAX_SHM);
            else
                shm_nodes[shm_count++] = child;
        } else {
            hyp_fdt_quote(shown, sizeof(shown), name);
            refuse(c, HYP_EFORMAT, -1, root, shown,
                   "unknown node (expected vm@<id> or shm-<name>)");
        }
    }
    for (unsigned i = 0; i < shm_count; i++) {
        cfg->shm_count = i + 1;
        parse_shm(c, (int)i, shm_nodes[i], fdt_get_name(c->fdt, shm_nodes[i], NULL));
    }
}

static int parse(struct vctx *c, const void *dtb, size_t dtb_max,
                 const struct hyp_range *hyp, unsigned hyp_count)
{
    struct hyp_vmconfig *cfg = c->cfg;
    char msg[HYP_PLATFORM_ERRLEN];
    int root, rc;

    if (!dtb)
        return refuse(c, HYP_EINVAL, -1, -1, NULL, "NULL DTB");
    if (hyp_count > HYP_VMCONFIG_MAX_HYP || (hyp_count && !hyp))
        return refuse(c, HYP_EINVAL, -1, -1, NULL,
                      "%u hypervisor ranges (at most %d, not NULL)", hyp_count,
                      HYP_VMCONFIG_MAX_HYP);
    rc = hyp_platform_discover(dtb, dtb_max, &cfg->plat, msg);
    if (rc != HYP_OK)
        return refuse_line(c, rc, msg);
    hyp_boot_platform_fixup(&cfg->plat);
    root = fdt_node_offset_by_compatible(dtb, -1, HYP_VMCONFIG_COMPATIBLE);
    if (root < 0)
        return refuse(c, HYP_ENOENT, -1, -1, NULL, "no node is compatible with \"%s\"",
                      HYP_VMCONFIG_COMPATIBLE);
    c->root = root;
    hyp_fdt_path(dtb, root, cfg->path, sizeof(cfg->path));
    rc = parse_root(c, root);
    if (rc == HYP_OK)
        rc = claim_board(c, hyp, hyp_count);
    if (rc == HYP_OK)
        rc = colour_geometry(c, root);
    if (rc != HYP_OK)
        return rc;
    parse_children(c, root);
    colours_left(c);
    pair_vms(c);
    if (cfg->vm_count == 0 && c->first == HYP_OK)
        return refuse(c, HYP_ENOENT, -1, root, NULL, "no vm@<id> node");
    for (unsigned i = 0; i < cfg->vm_count; i++)
        if (c->vm_ok[i] && !cfg->vms[i].mem_fixed)
            c->vm_ok[i] = place(c, (int)i) == HYP_OK;
    for (unsigned i = 0; i < cfg->vm_count; i++) {
        struct hyp_vmconfig_vm *v = &cfg->vms[i];

        v->mem_ipa = v->direct_map ? v->mem.base : cfg->plat.mem[0].base;
        if (c->vm_ok[i])
            check_ipa(c, (int)i);
    }
    return c->first;
}

int hyp_vmconfig_parse(const void *dtb, size_t dtb_max, const struct hyp_range *hyp,
                       unsigned hyp_count, struct hyp_vmconfig *cfg,
                       hyp_vmconfig_line_fn report, void *arg)
{
    struct vctx c;

    if (!cfg) {
        if (report)
            report(arg, "NULL configuration");
        return HYP_EINVAL;
    }
    memset(cfg, 0, sizeof(*cfg));
    memset(&c, 0, sizeof(c));
    c.fdt = dtb;
    c.cfg = cfg;
    c.report = report;
    c.arg = arg;
    return parse(&c, dtb, dtb_max, hyp, hyp_count);
}

const struct hyp_vmconfig_vm *hyp_vmconfig_vm_of_cpu(const struct hyp_vmconfig *cfg,
                                                     unsigned cpu, unsigned *vcpu)
{
    for (unsigned i = 0; cfg && i < cfg->vm_count; i++)
        for (unsigned k = 0;
             cfg->vms[i].role != HYP_VMCONFIG_ROLE_TEE && k < cfg->vms[i].vcpu_count; k++)
            if (cfg->vms[i].vcpus[k].cpu == cpu) {
                if (vcpu)
                    *vcpu = k;
                return &cfg->vms[i];
            }
    return NULL;
}

/*
 * The partition map
 */

/** Appends to one line of the map. */
struct line {
    char buf[256];
    size_t used;
};

PRINTF_LIKE(2, 3)
static void add(struct line *l, const char *fmt, ...)
{
    va_list ap;

    if (l->used + 1 >= sizeof(l->buf))
        return;
    va_start(ap, fmt);
    l->used += (size_t)vsnprintf(l->buf + l->used, sizeof(l->buf) - l->used, fmt, ap);
    va_end(ap);
    if (l->used >= sizeof(l->buf))
        l->used = sizeof(l->buf) - 1;
}

static void emit(struct line *l, hyp_vmconfig_line_fn out, void *arg)
{
    out(arg, l->buf);
    l->used = 0;
    l->buf[0] = '\0';
}

/** "256 MiB", "4 KiB" or "512 bytes". */
static void add_size(struct line *l, uint64_t size)
{
    if (size % (1u << 20) == 0)
        add(l, "%llu MiB", (unsigned long long)(size >> 20));
    else if (size % 1024 == 0)
        add(l, "%llu KiB", (unsigned long long)(size >> 10));
    else
        add(l, "%llu bytes", (unsigned long long)size);
}

/** "0x40000000..0x4fffffff (256 MiB)". */
static void add_range(struct line *l, const struct hyp_range *r)
{
    add(l, "0x%llx..0x%llx (", (unsigned long long)r->base,
        (unsigned long long)last_byte(r));
    add_size(l, r->size);
    add(l, ")");
}

static void print_vm(const struct hyp_vmconfig *cfg, unsigned vm, struct line *l,
                     hyp_vmconfig_line_fn out, void *arg)
{
    const struct hyp_vmconfig_vm *v = &cfg->vms[vm];

    add(l, "%s (%s)", v->node, v->name);
    emit(l, out, arg);
    add(l, "  cpus      ");
    for (unsigned k = 0; k < v->vcpu_count; k++)
        add(l, "%svcpu%u=cpu%u", k ? " " : "", k, v->vcpus[k].cpu);
    emit(l, out, arg);
    if (v->role == HYP_VMCONFIG_ROLE_TEE) {
        add(l, "  role      trusted OS of %s (%s), on its CPUs when called%s",
            cfg->vms[v->gpos].node, cfg->vms[v->gpos].name,
            v->tee_stop ? ", stops on failure" : "");
        emit(l, out, arg);
    } else if (v->tee >= 0) {
        add(l, "  tee       %s (%s), called by %s", cfg->vms[v->tee].node,
            cfg->vms[v->tee].name, v->tee_hvc ? "SMC and HVC" : "SMC");
        emit(l, out, arg);
    }
    add(l, "  memory    ");
    if (v->colours) {
        struct hyp_range span = {v->layout.base, v->layout.span};
        char set[96];

        add_size(l, v->mem.size);
        add(l, " in ");
        add_range(l, &span);
        add(l, " at guest 0x%llx%s", (unsigned long long)v->mem_ipa,
            v->dma_unconfined ? ", dma-unconfined" : "");
        emit(l, out, arg);
        hyp_colour_format(v->colours, set, sizeof(set));
        add(l, "  colours   %s (%u of %u)%s%s", set, hyp_colour_count(v->colours),
            cfg->geom.colours, v->colours_left ? ", the colours left" : "",
            v->share_colours ? ", shareable" : "");
    } else {
        add_range(l, &v->mem);
        add(l, " at guest 0x%llx%s%s%s", (unsigned long long)v->mem_ipa,
            v->direct_map ? ", direct-map" : "", v->mem_fixed ? ", fixed" : "",
            v->dma_unconfined ? ", dma-unconfined" : "");
    }
    emit(l, out, arg);
    add(l, "  kernel    ");
    add_range(l, &v->kernel.range);
    if (v->bootargs)
        add(l, " bootargs \"%s\"", v->bootargs);
    emit(l, out, arg);
    if (v->ramdisk.node >= 0) {
        add(l, "  ramdisk   ");
        add_range(l, &v->ramdisk.range);
        emit(l, out, arg);
    }
    if (v->checkpoint.node >= 0) {
        add(l, "  resume    ");
        add_range(l, &v->checkpoint.range);
        emit(l, out, arg);
    }
    if (v->console) {
        add(l, "  console   vpl011 at 0x%llx, INTID %u",
            (unsigned long long)v->console_regs.base, (unsigned)v->console_intid);
        emit(l, out, arg);
    }
    for (unsigned d = 0; d < v->device_count; d++) {
        const struct hyp_vmconfig_device *dev = &v->devices[d];

        add(l, "  device    %s", dev->path);
        for (unsigned i = 0; i < dev->reg_count; i++) {
            add(l, i ? ", " : " mmio ");
            add_range(l, &dev->regs[i]);
        }
        for (unsigned i = 0; i < dev->irq_count; i++)
            add(l, "%s%u", i ? "," : " INTID ", (unsigned)dev->irqs[i].intid);
        emit(l, out, arg);
        if (dev->smmu.size) {
            add(l, "  dma       %s by its stage 2 through the SMMU at 0x%llx, streams",
                dev->path, (unsigned long long)dev->smmu.base);
            for (unsigned i = 0; i < dev->stream_count; i++)
                add(l, "%s0x%x..0x%x", i ? ", " : " ", (unsigned)dev->streams[i].base,
                    (unsigned)(dev->streams[i].base + dev->streams[i].count - 1));
            emit(l, out, arg);
        }
    }
    for (unsigned s = 0; s < v->shm_count; s++) {
        const struct hyp_vmconfig_shm *sh = &cfg->shm[v->shm[s]];
        unsigned me = sh->vm[0] == vm ? 0 : 1;

        add(l, "  shared    %s ", sh->node);
        add_range(l, &sh->range);
        add(l, " with %s (%s), doorbell INTID %u", cfg->vms[sh->vm[1 - me]].node,
            cfg->vms[sh->vm[1 - me]].name, (unsigned)sh->doorbell[me]);
        emit(l, out, arg);
    }
    add(l, "  caps      ");
    if (!v->caps)
        add(l, "none");
    for (unsigned k = 0; k < ARRAY_LEN(cap_names); k++)
        if (v->caps & cap_names[k].bit)
            add(l, "%s%s", l->used > 12 ? ", " : "", cap_names[k].name);
    if (v->caps & HYP_VMCONFIG_CAP_CREATE_VMS) {
        add(l, " (at most %u children in ", v->max_child_vms);
        add_size(l, v->max_child_memory);
        if (v->max_child_depth > 1)
            add(l, ", %u generations deep", v->max_child_depth);
        if (v->signed_children)
            add(l, ", signed images only");
        add(l, ")");
    }
    emit(l, out, arg);
    if (v->hcpage_ipa) {
        add(l, "  hcpage    hypercall page at guest 0x%llx",
            (unsigned long long)v->hcpage_ipa);
        emit(l, out, arg);
    }
    if (v->child_pool) {
        struct hyp_range pool = {v->mem_ipa + v->mem.size - v->child_pool, v->child_pool};

        add(l, "  pool      child-VM pool at guest ");
        add_range(l, &pool);
        add(l, ", kept from the guest OS");
        emit(l, out, arg);
    }
}

void hyp_vmconfig_print(const struct hyp_vmconfig *cfg, hyp_vmconfig_line_fn out,
                        void *arg)
{
    struct line l = {.used = 0};

    if (!cfg || !out)
        return;
    add(&l, "%s: %u VM%s, %u shared region%s, %u CPUs on \"%s\"", cfg->path,
        cfg->vm_count, cfg->vm_count == 1 ? "" : "s", cfg->shm_count,
        cfg->shm_count == 1 ? "" : "s", cfg->plat.cpu_count, cfg->plat.model);
    emit(&l, out, arg);
    for (unsigned i = 0; i < cfg->vm_count; i++)
        print_vm(cfg, i, &l, out, arg);
    if (cfg->geom.colours) {
        const struct hyp_colour_geom *g = &cfg->geom;

        add(&l, "llc         ");
        add_size(&l, g->cache_size);
        add(&l, ", %u ways of %u sets of %u-byte lines: %u colours", (unsigned)g->ways,
            (unsigned)g->sets, (unsigned)g->line_size, g->colours);
        if (g->cache_colours != g->colours)
            add(&l, " (of %u)", g->cache_colours);
        emit(&l, out, arg);
    }
    for (unsigned i = 0; i < cfg->hyp_count; i++) {
        add(&l, "hypervisor  ");
        add_range(&l, &cfg->hyp[i]);
        emit(&l, out, arg);
    }
    if (cfg->hyp_colours) {
        char set[96];

        hyp_colour_format(cfg->hyp_colours, set, sizeof(set));
        add(&l, "hypervisor  colours %s (%u of %u)", set,
            hyp_colour_count(cfg->hyp_colours), cfg->geom.colours);
        emit(&l, out, arg);
    }
    for (unsigned i = 0; i < cfg->plat.cpu_count; i++)
        if (!hyp_vmconfig_vm_of_cpu(cfg, i, NULL)) {
            add(&l, "idle        cpu%u (no VM)", i);
            emit(&l, out, arg);
        }
}
