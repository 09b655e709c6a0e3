/* SPDX-License-Identifier: BSD-2-Clause */
/* Walking the devices a DTB describes (for pass-through). */
#include <stdbool.h>
#include <string.h>
#include <libfdt.h>
#include <hyp/error.h>
#include <hyp/platform.h>

static bool skipped_node(const void *dtb, int node, const char *name)
{
    const char *type = fdt_getprop(dtb, node, "device_type", NULL);
    const char *status = fdt_getprop(dtb, node, "status", NULL);

    if (status != NULL && strcmp(status, "okay") != 0 && strcmp(status, "ok") != 0)
        return true;
    if (type != NULL && strcmp(type, "memory") == 0)
        return true;
    if (fdt_getprop(dtb, node, "interrupt-controller", NULL) != NULL)
        return true;
    return strcmp(name, "cpus") == 0 || strcmp(name, "chosen") == 0 ||
           strcmp(name, "reserved-memory") == 0 || strcmp(name, "aliases") == 0;
}

static uint64_t read_cells(const fdt32_t *p, int cells)
{
    uint64_t v = 0;

    for (int i = 0; i < cells; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

/* A device's SPIs, from 3-cell `interrupts` (type 0 = SPI, number + 32). */
static void read_spis(const void *dtb, int node, struct hyp_device *dev)
{
    int len;
    const fdt32_t *p = fdt_getprop(dtb, node, "interrupts", &len);

    dev->irq_count = 0;
    if (p == NULL || len % 12 != 0)
        return;
    for (int i = 0; i < len / 12 && dev->irq_count < HYP_DEVICE_MAX_IRQS; i++) {
        if (fdt32_to_cpu(p[3 * i]) != 0)
            continue;
        dev->irqs[dev->irq_count].intid = fdt32_to_cpu(p[3 * i + 1]) + 32;
        dev->irqs[dev->irq_count].flags = fdt32_to_cpu(p[3 * i + 2]) & 0xf;
        dev->irq_count++;
    }
}

static int visit_children(const void *dtb, int parent, hyp_device_fn fn, void *arg,
                          int depth)
{
    int ac = fdt_address_cells(dtb, parent);
    int sc = fdt_size_cells(dtb, parent);
    int node, rc;

    if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
        return HYP_EFORMAT;
    fdt_for_each_subnode(node, dtb, parent)
    {
        const char *name = fdt_get_name(dtb, node, NULL);
        const char *compat = fdt_getprop(dtb, node, "compatible", NULL);
        const fdt32_t *reg;
        int len, entry = (ac + sc) * 4;

        if (name == NULL || skipped_node(dtb, node, name))
            continue;
        if (compat != NULL && strcmp(compat, "simple-bus") == 0 && depth == 0) {
            const void *ranges = fdt_getprop(dtb, node, "ranges", &len);

            /* Only identity buses: their children's addresses are CPU ones. */
            if (ranges != NULL && len == 0) {
                rc = visit_children(dtb, node, fn, arg, depth + 1);
                if (rc != 0)
                    return rc;
            }
            continue;
        }
        reg = fdt_getprop(dtb, node, "reg", &len);
        if (reg == NULL || sc == 0 || len % entry != 0)
            continue;
        for (int i = 0; i < len / entry; i++) {
            struct hyp_device dev = {
                .name = name,
                .compatible = compat != NULL ? compat : "",
                .node = node,
                .reg_index = (unsigned)i,
                .reg = {read_cells(reg + i * (ac + sc), ac),
                        read_cells(reg + i * (ac + sc) + ac, sc)},
            };

            read_spis(dtb, node, &dev);

            if (dev.reg.size == 0 || dev.reg.base + dev.reg.size < dev.reg.base)
                continue;
            rc = fn(&dev, arg);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int hyp_platform_for_each_device(const void *dtb, hyp_device_fn fn, void *arg)
{
    if (dtb == NULL || fn == NULL || fdt_check_header(dtb) != 0)
        return HYP_EFORMAT;
    return visit_children(dtb, 0, fn, arg, 0);
}
