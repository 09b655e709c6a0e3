/* SPDX-License-Identifier: BSD-2-Clause */
/* One VM on the whole machine, described from the boot DTB (target only). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/guest.h>
#include <hyp/mm.h>
#include <hyp/mmio.h>
#include <hyp/ram_layout.h>
#include <hyp/vgic.h>
#include <hyp/vmsingle.h>

#define PAGE 4096ULL

/* What was decided about a device node (hyp_vmsingle_node::state). */
enum { GIVEN, WITHHELD, SHARES_PAGE };

static uint64_t page_down(uint64_t x)
{
    return x & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t x)
{
    return (x + PAGE - 1) & ~(PAGE - 1);
}

__attribute__((format(printf, 2, 3))) static void say(const struct hyp_vmsingle_opts *o,
                                                      const char *fmt, ...)
{
    char line[HYP_GUEST_ERRLEN];
    va_list ap;

    if (o->report == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    o->report(o->report_arg, line);
}

/* A virtio-mmio transport with no device behind it (DeviceID 0, as QEMU virt
 * leaves the slots nobody plugged) cannot master DMA. Read at boot, before
 * the guest can touch it. */
static bool virtio_populated(uint64_t base)
{
    uint32_t magic, id;

    if (hyp_el2_map(page_down(base), PAGE, HYP_PROT_R | HYP_PROT_DEVICE) != HYP_OK)
        return true; /* cannot tell: assume the worst */
    magic = mmio_read32((uintptr_t)base);
    id = mmio_read32((uintptr_t)base + 8);
    hyp_el2_unmap(page_down(base), PAGE);
    return magic != 0x74726976 || id != 0; /* "virt" */
}

/* The board's device ranges, walked once (a walk of the DTB costs about a
 * million instructions of boot time). */
static int collect(const struct hyp_device *dev, void *arg)
{
    struct hyp_vmsingle *s = arg;

    if (s->extra.device_count == HYP_VMSINGLE_MAX_RANGES)
        return HYP_ENOMEM;
    s->ranges[s->extra.device_count++] = *dev;
    return 0;
}

static struct hyp_vmsingle_node *node_of(struct hyp_vmsingle *s, int node)
{
    for (unsigned i = 0; i < s->board_nodes; i++)
        if (s->nodes[i].node == node)
            return &s->nodes[i];
    return NULL;
}

/* Pass 1, per range: decide each node at its first range; a range holding
 * the console UART withholds its node. */
static void decide(struct hyp_vmsingle *s, const void *dtb, const struct hyp_device *dev,
                   const struct hyp_vmsingle_opts *o)
{
    struct hyp_vmsingle_node *n = node_of(s, dev->node);
    uint64_t uart = s->config.plat.uart.regs.base;
    char why[HYP_GUEST_ERRLEN];

    if (n == NULL) {
        enum hyp_vmsingle_verdict v = HYP_VMSINGLE_GIVE;

        n = &s->nodes[s->board_nodes++];
        *n = (struct hyp_vmsingle_node){.node = dev->node, .state = GIVEN};
        if (fdt_node_check_compatible(dtb, dev->node, "qemu,fw-cfg-mmio") == 0) {
            n->state = WITHHELD;
        } else if (hyp_guest_dtb_check_device(dtb, dev->node, why) != HYP_OK) {
            say(o, "withheld, cannot be described: %s", why);
            n->state = WITHHELD;
        } else if (o->device != NULL) {
            v = o->device(o->device_arg, dtb, dev->node);
        }
        if (v == HYP_VMSINGLE_WITHHOLD)
            n->state = WITHHELD;
        else if (v == HYP_VMSINGLE_GIVE_DMA)
            n->dma = fdt_node_check_compatible(dtb, dev->node, "virtio,mmio") != 0 ||
                     virtio_populated(dev->reg.base);
    }
    if (uart != 0 && dev->reg.base <= uart && uart < dev->reg.base + dev->reg.size)
        n->state = WITHHELD;
}

/* Pass 2: a given device sharing a page with one withheld in pass 1 is
 * withheld too. */
static void share_check(struct hyp_vmsingle *s, const struct hyp_device *dev,
                        const struct hyp_vmsingle_opts *o)
{
    struct hyp_vmsingle_node *n = node_of(s, dev->node);

    if (n->state != GIVEN)
        return;
    for (unsigned k = 0; k < s->extra.device_count; k++) {
        const struct hyp_device *w = &s->ranges[k];

        if (node_of(s, w->node)->state == WITHHELD &&
            page_down(dev->reg.base) < page_up(w->reg.base + w->reg.size) &&
            page_down(w->reg.base) < page_up(dev->reg.base + dev->reg.size)) {
            say(o, "withheld %s: it shares a page with a withheld device", dev->name);
            n->state = SHARES_PAGE;
            return;
        }
    }
}

/* Decide every device; keep the given ranges, in DT order, at the front. */
static int classify(struct hyp_vmsingle *s, const void *dtb,
                    const struct hyp_vmsingle_opts *o, char *err)
{
    unsigned given = 0;
    int rc = hyp_platform_for_each_device(dtb, collect, s);

    if (rc == HYP_ENOMEM)
        snprintf(err, HYP_GUEST_ERRLEN, "devices: the board has more than %u ranges",
                 HYP_VMSINGLE_MAX_RANGES);
    else if (rc != HYP_OK)
        snprintf(err, HYP_GUEST_ERRLEN, "devices: cannot walk the boot DTB: %s",
                 hyp_strerror(rc));
    if (rc != HYP_OK)
        return rc;
    for (unsigned i = 0; i < s->extra.device_count; i++)
        decide(s, dtb, &s->ranges[i], o);
    for (unsigned i = 0; i < s->extra.device_count; i++)
        share_check(s, &s->ranges[i], o);
    for (unsigned i = 0; i < s->extra.device_count; i++)
        if (node_of(s, s->ranges[i].node)->state == GIVEN)
            s->ranges[given++] = s->ranges[i];
    s->extra.device_count = given;
    for (unsigned i = 0; i < s->board_nodes; i++) {
        s->node_count += s->nodes[i].state == GIVEN;
        s->dma = s->dma || (s->nodes[i].state == GIVEN && s->nodes[i].dma);
    }
    if (s->node_count > HYP_VMBUILD_MAX_NODES) {
        snprintf(err, HYP_GUEST_ERRLEN, "devices: %u given, at most %u", s->node_count,
                 HYP_VMBUILD_MAX_NODES);
        return HYP_ENOMEM;
    }
    return HYP_OK;
}

static int spi_count(const void *dtb, const char *prop, unsigned *spis, char *err)
{
    int chosen = fdt_path_offset(dtb, "/chosen"), len;
    const fdt32_t *p =
        chosen >= 0 && prop != NULL ? fdt_getprop(dtb, chosen, prop, &len) : NULL;
    uint32_t n = p != NULL && len == 4 ? fdt32_to_cpu(*p) : 0;

    *spis = HYP_VMBUILD_SPIS;
    if (p == NULL)
        return HYP_OK;
    if (n == 0 || n % 32 != 0 || n > HYP_VGIC_MAX_SPIS) {
        snprintf(err, HYP_GUEST_ERRLEN,
                 "/chosen/%s: want one cell, a multiple of 32 from 32 to %u", prop,
                 HYP_VGIC_MAX_SPIS);
        return HYP_EINVAL;
    }
    *spis = n;
    return HYP_OK;
}

int hyp_vmsingle_describe(struct hyp_vmsingle *s, const struct hyp_platform *plat,
                          const void *dtb, const struct hyp_vmsingle_opts *o, char *err)
{
    struct hyp_vmconfig_vm *v = &s->config.vms[0];
    struct hyp_range forbidden[3] = {o->keep, hyp_image_range(), plat->dtb};
    struct hyp_guest_modules mods;
    struct hyp_vm_ram ram;
    unsigned pieces;
    int rc;

    err[0] = '\0';
    memset(s, 0, sizeof(*s));
    s->config.plat = *plat;
    s->config.vm_count = 1;
    snprintf(s->config.path, sizeof(s->config.path), "%s", HYP_VMSINGLE_NODE);
    if (hyp_cpu_count() > HYP_VMCONFIG_MAX_VCPUS) {
        snprintf(err, HYP_GUEST_ERRLEN, "%u CPUs, at most %u vCPUs", hyp_cpu_count(),
                 HYP_VMCONFIG_MAX_VCPUS);
        return HYP_EINVAL;
    }
    rc = spi_count(dtb, o->spis_property, &s->extra.spis, err);
    if (rc == HYP_OK)
        rc = classify(s, dtb, o, err);
    if (rc != HYP_OK)
        return rc;
    /* DMA-capable devices use physical addresses: guest RAM must then be
     * where it is physically. Otherwise keep the board's RAM base. */
    rc = hyp_ram_layout(&plat->mem[0], 1, &o->keep, 1,
                        s->dma ? HYP_RAM_IDENTITY : HYP_RAM_PACKED, 0, &ram, 1, &pieces);
    if (rc != HYP_OK) {
        snprintf(err, HYP_GUEST_ERRLEN, "cannot lay out guest RAM: %s", hyp_strerror(rc));
        return rc;
    }
    rc = hyp_guest_modules_find(dtb, plat->dtb.size, forbidden, 3, &mods, err);
    if (rc != HYP_OK)
        return rc;

    snprintf(v->node, sizeof(v->node), "%s", HYP_VMSINGLE_NODE);
    snprintf(v->name, sizeof(v->name), "%s", HYP_VMSINGLE_NAME);
    v->offset = fdt_path_offset(dtb, "/chosen");
    v->vcpu_count = hyp_cpu_count();
    for (unsigned i = 0; i < v->vcpu_count; i++)
        v->vcpus[i] = (struct hyp_vmconfig_vcpu){i, hyp_cpu_mpidr(i)};
    v->mem = (struct hyp_range){ram.pa, ram.size};
    v->mem_ipa = ram.ipa;
    v->mem_fixed = true;
    v->direct_map = ram.ipa == ram.pa;
    v->kernel = (struct hyp_vmconfig_module){mods.kernel, mods.kernel_node};
    v->ramdisk = (struct hyp_vmconfig_module){mods.ramdisk, mods.ramdisk_node};
    v->bootargs = mods.bootargs;
    v->console = plat->uart.regs.base != 0;
    v->console_regs = plat->uart.regs;
    v->console_intid = plat->uart.irq.intid;
    s->extra.devices = s->ranges;
    s->extra.hidden = s->hidden;
    s->extra.console = hyp_vmbuild_console_raw;
    s->extra.report = o->report;
    s->extra.report_arg = o->report_arg;
    return HYP_OK;
}

int hyp_vmsingle_hide(struct hyp_vmsingle *s, uint64_t ipa, uint64_t pa, uint64_t size)
{
    if (size == 0 || ((ipa | pa | size) & (PAGE - 1)) != 0)
        return HYP_EINVAL;
    if (s->extra.hidden_count == HYP_VMSINGLE_MAX_HIDDEN)
        return HYP_ENOMEM;
    s->hidden[s->extra.hidden_count++] =
        (struct hyp_vm_ram){.ipa = ipa, .pa = pa, .size = size};
    return HYP_OK;
}
