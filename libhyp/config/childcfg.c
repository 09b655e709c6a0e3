/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A child VM's configuration blob (include/hyp/childvm.h,
 * docs/bindings/child-vms.md): one `libhyp,vm` node, checked property by
 * property; the blob comes from a guest, so nothing in it is trusted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <hyp/childvm.h>
#include <hyp/error.h>

#include "../fdt/fdt_check.h"
#include "../fdt/fdt_util.h"

/* Properties a child's node may have; the static binding's others are
 * refused with a reason, anything else as unknown. */
static const char *const child_props[] = {
    "compatible",      "reg",          "label",         "memory",
    "vpl011",          "capabilities", "max-child-vms", "max-child-memory",
    "max-child-depth", "phandle",      "linux,phandle", "name",
};

static const struct {
    const char *name;
    const char *why;
} static_only[] = {
    {"cpus", "it runs on its parent's CPU"},
    {"memory-base", "its memory is what its parent donates"},
    {"direct-map", "its memory is what its parent donates"},
    {"passthrough", "it has no devices but its console"},
};

static const char *const root_props[] = {
    "#address-cells", "#size-cells", "compatible", "model", "name",
};

struct cctx {
    const void *fdt;
    char *err;
};

static int PRINTF_LIKE(3, 4)
    refuse(struct cctx *c, const char *prop, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (c->err == NULL)
        return HYP_EFORMAT;
    n = snprintf(c->err, HYP_CHILDVM_ERRLEN, "vm: %s: ", prop);
    if (n < 0 || n >= HYP_CHILDVM_ERRLEN)
        return HYP_EFORMAT;
    va_start(ap, fmt);
    vsnprintf(c->err + n, HYP_CHILDVM_ERRLEN - (size_t)n, fmt, ap);
    va_end(ap);
    return HYP_EFORMAT;
}

/* Property @name of @node with exactly @len bytes (any length if @len < 0),
 * NULL if absent; a wrong length is refused (@rc set). */
static const void *prop(struct cctx *c, int node, const char *name, int len, int *rc)
{
    int got;
    const void *p = fdt_getprop(c->fdt, node, name, &got);

    *rc = HYP_OK;
    if (p == NULL)
        return NULL;
    if (len >= 0 && got != len)
        *rc = refuse(c, name, "%d bytes, expected %d", got, len);
    return p;
}

/* @name is also the name of a property of @node before @off (libfdt's own
 * checks let a repeated property through). */
static bool twice(const void *fdt, int node, int off, const char *name)
{
    int other;

    fdt_for_each_property_offset(other, fdt, node)
    {
        const char *n2;

        if (other == off)
            return false;
        if (fdt_getprop_by_offset(fdt, other, &n2, NULL) != NULL && n2 != NULL &&
            strcmp(n2, name) == 0)
            return true;
    }
    return false;
}

/* Every property of @node is in @list, else refused (@what names the node). */
static int known_props(struct cctx *c, int node, const char *const *list, size_t n,
                       const char *what)
{
    int off;

    fdt_for_each_property_offset(off, c->fdt, node)
    {
        const char *name;
        char shown[HYP_FDT_QUOTE_MAX + 4];

        if (fdt_getprop_by_offset(c->fdt, off, &name, NULL) == NULL || name == NULL)
            return refuse(c, what, "unreadable property");
        if (twice(c->fdt, node, off, name))
            return refuse(c, name, "appears twice");
        if (hyp_fdt_name_in(name, list, n))
            continue;
        for (size_t k = 0; k < ARRAY_LEN(static_only); k++)
            if (strcmp(name, static_only[k].name) == 0)
                return refuse(c, name, "not for a child VM (%s)", static_only[k].why);
        hyp_fdt_quote(shown, sizeof(shown), name);
        return refuse(c, what, "unknown property \"%s\"", shown);
    }
    return HYP_OK;
}

/* The blob as a whole and its root; the VM node's offset in *@vm. */
static int check_blob(struct cctx *c, size_t size, int *vm)
{
    int child, count = 0;

    if (size < sizeof(struct fdt_header) || fdt_check_header(c->fdt) != 0)
        return refuse(c, "blob", "not a flattened device tree");
    if (fdt_totalsize(c->fdt) > size || fdt_totalsize(c->fdt) > HYP_CHILDVM_CONFIG_MAX)
        return refuse(c, "blob", "%u bytes, more than the %zu given (at most %u)",
                      (unsigned)fdt_totalsize(c->fdt), size, HYP_CHILDVM_CONFIG_MAX);
    if (hyp_fdt_check_full(c->fdt, fdt_totalsize(c->fdt)) != 0)
        return refuse(c, "blob", "malformed device tree");
    if (known_props(c, 0, root_props, ARRAY_LEN(root_props), "/") != HYP_OK)
        return HYP_EFORMAT;
    fdt_for_each_subnode(child, c->fdt, 0)
    {
        const char *name = fdt_get_name(c->fdt, child, NULL);

        if (name == NULL || (strcmp(name, "vm") != 0 && strncmp(name, "vm@", 3) != 0))
            return refuse(c, "/", "a node other than vm or vm@<id>");
        *vm = child;
        count++;
    }
    if (count != 1)
        return refuse(c, "/", "%d VM nodes, expected exactly one", count);
    if (fdt_first_subnode(c->fdt, *vm) >= 0)
        return refuse(c, "vm", "has a child node (a child VM has no modules or others)");
    return HYP_OK;
}

static int check_label(struct cctx *c, int vm, struct hyp_childvm_config *cfg)
{
    int len;
    const char *s = fdt_getprop(c->fdt, vm, "label", &len);

    if (s == NULL)
        return refuse(c, "label", "missing (every VM needs a name)");
    if (len < 2 || len > HYP_VMCONFIG_NAME_LEN || s[len - 1] != '\0' ||
        strlen(s) != (size_t)len - 1)
        return refuse(c, "label", "not one string of 1..%d characters",
                      HYP_VMCONFIG_NAME_LEN - 1);
    for (int i = 0; i < len - 1; i++) {
        char ch = s[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
            return refuse(c, "label", "character %d is not a letter, digit, '-' or '_'",
                          i);
    }
    hyp_fdt_copy(cfg->name, sizeof(cfg->name), s);
    return HYP_OK;
}

static int check_caps(struct cctx *c, int vm, struct hyp_childvm_config *cfg)
{
    int len, rc;
    const char *s = fdt_getprop(c->fdt, vm, "capabilities", &len);
    const fdt32_t *n, *mem, *depth;

    if (s && (len < 1 || s[len - 1] != '\0'))
        return refuse(c, "capabilities", "not a list of strings");
    for (int at = 0; s && at < len; at += (int)strlen(s + at) + 1) {
        char shown[HYP_FDT_QUOTE_MAX + 4];

        if (strcmp(s + at, "create-vms") != 0) {
            hyp_fdt_quote(shown, sizeof(shown), s + at);
            return refuse(c, "capabilities",
                          "\"%s\": a child may only have \"create-vms\"", shown);
        }
        cfg->caps |= HYP_VMCONFIG_CAP_CREATE_VMS;
    }
    n = prop(c, vm, "max-child-vms", 4, &rc);
    if (rc == HYP_OK)
        mem = prop(c, vm, "max-child-memory", 8, &rc);
    if (rc == HYP_OK)
        depth = prop(c, vm, "max-child-depth", 4, &rc);
    if (rc != HYP_OK)
        return rc;
    if (!cfg->caps) {
        if (n || mem || depth)
            return refuse(c,
                          n     ? "max-child-vms"
                          : mem ? "max-child-memory"
                                : "max-child-depth",
                          "without the \"create-vms\" capability");
        return HYP_OK;
    }
    if (!n || !mem || fdt32_ld(n) == 0 || hyp_fdt_cells(mem, 2) == 0)
        return refuse(c, "capabilities",
                      "\"create-vms\" needs non-zero max-child-vms and max-child-memory");
    cfg->max_child_vms = fdt32_ld(n);
    cfg->max_child_memory = hyp_fdt_cells(mem, 2);
    cfg->max_child_depth = depth ? fdt32_ld(depth) : 1;
    if (cfg->max_child_memory % HYP_VMCONFIG_GRANULE ||
        cfg->max_child_memory > cfg->memory)
        return refuse(c, "max-child-memory",
                      "0x%llx is not a multiple of 4 KiB within the VM's memory",
                      (unsigned long long)cfg->max_child_memory);
    if (cfg->max_child_depth == 0 || cfg->max_child_depth > HYP_VMCONFIG_MAX_DEPTH)
        return refuse(c, "max-child-depth", "%u is not 1 to %u", cfg->max_child_depth,
                      HYP_VMCONFIG_MAX_DEPTH);
    return HYP_OK;
}

static int parse(struct cctx *c, size_t size, struct hyp_childvm_config *cfg)
{
    const void *blob = c->fdt;
    const fdt32_t *mem;
    const void *p;
    int vm = -1, rc;

    rc = check_blob(c, size, &vm);
    if (rc == HYP_OK)
        rc = known_props(c, vm, child_props, ARRAY_LEN(child_props), "vm");
    if (rc != HYP_OK)
        return rc;
    if (fdt_node_check_compatible(blob, vm, HYP_VMCONFIG_VM_COMPATIBLE) != 0)
        return refuse(c, "compatible",
                      "does not contain \"" HYP_VMCONFIG_VM_COMPATIBLE "\"");
    rc = check_label(c, vm, cfg);
    if (rc != HYP_OK)
        return rc;
    mem = prop(c, vm, "memory", 8, &rc);
    if (rc != HYP_OK)
        return rc;
    if (mem == NULL)
        return refuse(c, "memory", "missing (size in bytes)");
    cfg->memory = hyp_fdt_cells(mem, 2);
    if (cfg->memory == 0 || cfg->memory % HYP_VMCONFIG_GRANULE)
        return refuse(c, "memory", "0x%llx is not a non-zero multiple of 4 KiB",
                      (unsigned long long)cfg->memory);
    p = prop(c, vm, "vpl011", 0, &rc);
    if (rc != HYP_OK)
        return rc;
    cfg->console = p != NULL;
    return check_caps(c, vm, cfg);
}

int hyp_childvm_config_parse(const void *blob, size_t size,
                             struct hyp_childvm_config *cfg, char *err)
{
    struct cctx c = {.fdt = blob, .err = err};
    int rc;

    if (err != NULL)
        err[0] = '\0';
    if (blob == NULL || cfg == NULL)
        return HYP_EINVAL;
    memset(cfg, 0, sizeof(*cfg));
    rc = parse(&c, size, cfg);
    if (rc != HYP_OK)
        memset(cfg, 0, sizeof(*cfg));
    return rc;
}
