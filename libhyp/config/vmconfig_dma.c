/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A passed-through PCIe host bridge and the SMMU stream IDs of DMA-capable
 * devices (vmconfig_dma.h; docs/bindings/partitioner.md, "Devices and
 * interrupts" and "DMA and the SMMU"). Property formats: the DT
 * specification's `ranges` and `interrupt-map`, the PCI bus binding and the
 * `iommus` / `iommu-map` bindings of Linux's Documentation/devicetree.
 */
#include "vmconfig_dma.h"

#include <hyp/error.h>

#include <libfdt.h>
#include "../fdt/fdt_index.h"
#include "../fdt/fdt_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PCI_ADDR_CELLS 3
#define PCI_SIZE_CELLS 2

PRINTF_LIKE(3, 4)
static int why_rc(char *why, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, HYP_VMCONFIG_DMA_WHY, fmt, ap);
    va_end(ap);
    return rc;
}

/* A one-cell property: its value, or @p dflt if absent or malformed. */
static uint32_t cell_or(const void *fdt, int node, const char *name, uint32_t dflt)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

    return p && len == 4 ? fdt32_ld(p) : dflt;
}

static int node_of(const void *fdt, uint32_t phandle)
{
    return hyp_fdt_index_by_phandle(hyp_fdt_index_for(fdt), phandle);
}

static bool is_string(const void *fdt, int node, const char *name, const char *want)
{
    int len;
    const char *s = fdt_getprop(fdt, node, name, &len);

    return s && len > 0 && s[len - 1] == '\0' && strcmp(s, want) == 0;
}

static bool enabled(const void *fdt, int node)
{
    int len;
    const char *s = fdt_getprop(fdt, node, "status", &len);

    return !s || (len > 0 && s[len - 1] == '\0' &&
                  (strcmp(s, "okay") == 0 || strcmp(s, "ok") == 0));
}

bool hyp_vmconfig_is_pci_host(const void *fdt, int node)
{
    return is_string(fdt, node, "device_type", "pci");
}

bool hyp_vmconfig_is_smmu(const void *fdt, int node)
{
    return fdt_node_check_compatible(fdt, node, "arm,smmu-v3") == 0;
}

/* `ranges`: (PCI address, CPU address, size) triplets; the CPU ranges become
 * regs of the device, mapped at the same guest address. */
static int windows(const void *fdt, int node, struct hyp_vmconfig_device *d, char *why)
{
    int len, parent = hyp_fdt_index_parent(hyp_fdt_index_for(fdt), node);
    const fdt32_t *p = fdt_getprop(fdt, node, "ranges", &len);
    uint32_t pac = parent >= 0 ? cell_or(fdt, parent, "#address-cells", 2) : 2;
    unsigned entry = PCI_ADDR_CELLS + pac + PCI_SIZE_CELLS;

    if (pac < 1 || pac > 2 || !p || len == 0 || len % (int)(entry * 4) != 0)
        return why_rc(why, HYP_EFORMAT,
                      "ranges: not a list of (PCI address, CPU address, size) windows");
    for (int i = 0; i < len / (int)(entry * 4); i++, p += entry) {
        struct hyp_range r = {hyp_fdt_cells(p + PCI_ADDR_CELLS, pac),
                              hyp_fdt_cells(p + PCI_ADDR_CELLS + pac, PCI_SIZE_CELLS)};

        if (r.size == 0 || r.base + r.size < r.base)
            return why_rc(why, HYP_EFORMAT, "ranges: window %d is empty or wraps", i);
        if (d->reg_count == HYP_VMCONFIG_MAX_DEV_REGS)
            return why_rc(why, HYP_ENOMEM,
                          "ECAM and windows: more than %d ranges "
                          "(HYP_VMCONFIG_MAX_DEV_REGS)",
                          HYP_VMCONFIG_MAX_DEV_REGS);
        d->regs[d->reg_count++] = r;
    }
    return HYP_OK;
}

/* The interrupt-map parent @p ctl is the board's GIC. */
static bool is_board_gic(const void *fdt, int ctl, uint64_t gicd)
{
    int len, parent = hyp_fdt_index_parent(hyp_fdt_index_for(fdt), ctl);
    const fdt32_t *reg = fdt_getprop(fdt, ctl, "reg", &len);
    uint32_t ac = parent >= 0 ? cell_or(fdt, parent, "#address-cells", 2) : 2;

    return fdt_getprop(fdt, ctl, "interrupt-controller", NULL) && reg && ac >= 1 &&
           ac <= 2 && len >= (int)(ac * 4) && hyp_fdt_cells(reg, ac) == gicd;
}

/* `interrupt-map`: every entry's parent the GIC, its specifier an SPI; the
 * distinct SPIs become the device's interrupts. */
static int intx(const void *fdt, int node, uint64_t gicd, struct hyp_vmconfig_device *d,
                char *why)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, "interrupt-map", &len);
    uint32_t ic = cell_or(fdt, node, "#interrupt-cells", 0);
    int left = p ? len / 4 : 0, i = 0;

    if (!p)
        return HYP_OK; /* no INTx: MSIs only, which the guest does not get */
    if (ic != 1 || len % 4 != 0)
        return why_rc(why, HYP_EFORMAT,
                      "interrupt-map: #interrupt-cells is not 1 or the map is malformed");
    for (; left > 0; i++) {
        unsigned head = PCI_ADDR_CELLS + 1, pac, pic;
        int ctl;
        uint32_t type, num, flags;

        if (left < (int)head + 1)
            return why_rc(why, HYP_EFORMAT, "interrupt-map: entry %d is cut short", i);
        ctl = node_of(fdt, fdt32_ld(p + head));
        if (ctl < 0)
            return why_rc(why, HYP_EFORMAT, "interrupt-map: entry %d: no parent node", i);
        pac = cell_or(fdt, ctl, "#address-cells", 0);
        pic = cell_or(fdt, ctl, "#interrupt-cells", 0);
        if (!is_board_gic(fdt, ctl, gicd) || pic != 3)
            return why_rc(why, HYP_ENOTSUP,
                          "interrupt-map: entry %d goes to %s, not to the GIC", i,
                          fdt_get_name(fdt, ctl, NULL));
        if (left < (int)(head + 1 + pac + pic))
            return why_rc(why, HYP_EFORMAT, "interrupt-map: entry %d is cut short", i);
        type = fdt32_ld(p + head + 1 + pac);
        num = fdt32_ld(p + head + 1 + pac + 1);
        flags = fdt32_ld(p + head + 1 + pac + 2) & 0xf;
        if (type != 0 || num >= 988)
            return why_rc(why, HYP_ENOTSUP, "interrupt-map: entry %d is not an SPI", i);
        p += head + 1 + pac + pic;
        left -= (int)(head + 1 + pac + pic);
        bool seen = false;

        for (unsigned k = 0; k < d->irq_count; k++)
            seen |= d->irqs[k].intid == 32 + num;
        if (seen)
            continue;
        if (d->irq_count == HYP_VMCONFIG_MAX_DEV_IRQS)
            return why_rc(why, HYP_ENOMEM,
                          "interrupt-map: more than %d SPIs (HYP_VMCONFIG_MAX_DEV_IRQS)",
                          HYP_VMCONFIG_MAX_DEV_IRQS);
        d->irqs[d->irq_count].intid = 32 + num;
        d->irqs[d->irq_count++].flags = flags;
    }
    return HYP_OK;
}

int hyp_vmconfig_pci_host(const void *fdt, int node, uint64_t gicd,
                          struct hyp_vmconfig_device *d, char *why)
{
    int rc;

    if (fdt_node_check_compatible(fdt, node, "pci-host-ecam-generic") != 0)
        return why_rc(why, HYP_ENOTSUP,
                      "a PCI host bridge that is not \"pci-host-ecam-generic\"");
    if (cell_or(fdt, node, "#address-cells", 0) != PCI_ADDR_CELLS ||
        cell_or(fdt, node, "#size-cells", 0) != PCI_SIZE_CELLS)
        return why_rc(why, HYP_EFORMAT, "#address-cells/#size-cells are not 3 and 2");
    if (fdt_getprop(fdt, node, "interrupts", NULL))
        return why_rc(why, HYP_ENOTSUP, "interrupts: a host bridge's own interrupts");
    d->pci_host = true;
    rc = windows(fdt, node, d, why);
    return rc == HYP_OK ? intx(fdt, node, gicd, d, why) : rc;
}

/* One (SMMU node, first stream, count) found: the same SMMU every time. */
static int add_streams(const void *fdt, struct hyp_vmconfig_device *d, int *smmu,
                       uint32_t phandle, uint32_t base, uint32_t count, char *why)
{
    int node = node_of(fdt, phandle), len, parent;
    const fdt32_t *reg;
    uint32_t ac, sc;

    if (node < 0)
        return why_rc(why, HYP_EFORMAT, "iommus/iommu-map: phandle 0x%x names no node",
                      (unsigned)phandle);
    if (!hyp_vmconfig_is_smmu(fdt, node) || !enabled(fdt, node) ||
        cell_or(fdt, node, "#iommu-cells", 0) != 1)
        return why_rc(why, HYP_ENOTSUP,
                      "its IOMMU %s is not an enabled \"arm,smmu-v3\" with "
                      "#iommu-cells = 1",
                      fdt_get_name(fdt, node, NULL));
    if (*smmu >= 0 && *smmu != node)
        return why_rc(why, HYP_ENOTSUP, "its DMA goes through two SMMUs");
    if (count == 0)
        return why_rc(why, HYP_EFORMAT, "iommu-map: an entry of length 0");
    if (*smmu < 0) {
        parent = hyp_fdt_index_parent(hyp_fdt_index_for(fdt), node);
        ac = parent >= 0 ? cell_or(fdt, parent, "#address-cells", 2) : 2;
        sc = parent >= 0 ? cell_or(fdt, parent, "#size-cells", 1) : 1;
        reg = fdt_getprop(fdt, node, "reg", &len);
        if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (int)((ac + sc) * 4))
            return why_rc(why, HYP_EFORMAT, "its SMMU %s has no reg",
                          fdt_get_name(fdt, node, NULL));
        d->smmu.base = hyp_fdt_cells(reg, ac);
        d->smmu.size = hyp_fdt_cells(reg + ac, sc);
        *smmu = node;
    }
    if (d->stream_count == HYP_VMCONFIG_MAX_DEV_STREAMS)
        return why_rc(why, HYP_ENOMEM,
                      "more than %d stream ranges (HYP_VMCONFIG_MAX_DEV_STREAMS)",
                      HYP_VMCONFIG_MAX_DEV_STREAMS);
    d->streams[d->stream_count++] = (struct hyp_vmconfig_streams){base, count};
    return HYP_OK;
}

int hyp_vmconfig_dma_streams(const void *fdt, int node, struct hyp_vmconfig_device *d,
                             char *why)
{
    int ilen, mlen, smmu = -1, rc = HYP_OK;
    const fdt32_t *iommus = fdt_getprop(fdt, node, "iommus", &ilen);
    const fdt32_t *map = fdt_getprop(fdt, node, "iommu-map", &mlen);

    d->smmu = (struct hyp_range){0, 0};
    d->stream_count = 0;
    if (!iommus && !map)
        return HYP_ENOENT;
    if ((iommus && (ilen == 0 || ilen % 8 != 0)) ||
        (map && (mlen == 0 || mlen % 16 != 0)))
        return why_rc(why, HYP_EFORMAT,
                      "iommus/iommu-map: not (SMMU, stream) pairs or (rid, SMMU, "
                      "stream, length) quadruples");
    for (int i = 0; iommus && i < ilen / 8 && rc == HYP_OK; i++)
        rc = add_streams(fdt, d, &smmu, fdt32_ld(iommus + 2 * i),
                         fdt32_ld(iommus + 2 * i + 1), 1, why);
    for (int i = 0; map && i < mlen / 16 && rc == HYP_OK; i++)
        rc = add_streams(fdt, d, &smmu, fdt32_ld(map + 4 * i + 1),
                         fdt32_ld(map + 4 * i + 2), fdt32_ld(map + 4 * i + 3), why);
    if (rc != HYP_OK)
        d->smmu = (struct hyp_range){0, 0};
    return rc;
}

bool hyp_vmconfig_streams_meet(const struct hyp_vmconfig_device *a,
                               const struct hyp_vmconfig_device *b, uint32_t *sid)
{
    if (a->smmu.size == 0 || b->smmu.size == 0 || a->smmu.base != b->smmu.base)
        return false;
    for (unsigned i = 0; i < a->stream_count; i++)
        for (unsigned k = 0; k < b->stream_count; k++) {
            const struct hyp_vmconfig_streams *x = &a->streams[i], *y = &b->streams[k];
            uint64_t lo = x->base > y->base ? x->base : y->base;
            uint64_t xe = (uint64_t)x->base + x->count, ye = (uint64_t)y->base + y->count;

            if (lo < (xe < ye ? xe : ye)) {
                *sid = (uint32_t)lo;
                return true;
            }
        }
    return false;
}
