/* SPDX-License-Identifier: BSD-2-Clause */
/* The guide's VM-building page (docs/guide-build-vms.md). Compiled and linked
 * by install.guide-snippets. */
#include <libfdt.h>
#include <hyp/hyp.h>
#include <hyp/vmbuild.h>
#include <hyp/vmconfig.h>
#include <hyp/vmsingle.h>
#include "snippets.h"

/* [policy] */
/* One VM on the whole machine (vmsingle.h), with a device policy: virtio
 * transports are given as DMA masters (the guest's RAM is then mapped at its
 * own physical address), a watchdog is withheld, the rest is given. */
static enum hyp_vmsingle_verdict my_devices(void *arg, const void *dtb, int node)
{
    (void)arg;
    if (fdt_node_check_compatible(dtb, node, "virtio,mmio") == 0)
        return HYP_VMSINGLE_GIVE_DMA;
    if (fdt_node_check_compatible(dtb, node, "arm,sbsa-gwdt") == 0)
        return HYP_VMSINGLE_WITHHOLD;
    return HYP_VMSINGLE_GIVE;
}

static void print_line(void *arg, const char *line)
{
    (void)arg;
    printf("guide: %s\n", line);
}

static struct hyp_vmsingle single;

int guide_describe_single(struct hyp_range keep, char *err)
{
    const struct hyp_platform *plat = hyp_platform_get();
    const struct hyp_vmsingle_opts opts = {
        .keep = keep,          /* this image and its page pool */
        .device = my_devices,  /* NULL: every device, none DMA-capable */
        .spis_property = NULL, /* HYP_VMBUILD_SPIS SPIs in its virtual GIC */
        .report = print_line,  /* why the library withheld a device */
    };
    int rc = hyp_vmsingle_describe(&single, plat, (const void *)(uintptr_t)plat->dtb.base,
                                   &opts, err);

    /* RAM the guest is not told about, backed by the last MiB of keep (which
     * the page pool must then leave alone), reached only by address. */
    if (rc == HYP_OK)
        rc = hyp_vmsingle_hide(&single, 0xc0000000, keep.base + keep.size - (1 << 20),
                               1 << 20);
    return rc;
}
/* [policy] */

/* [partitioned] */
/* Several VMs described under /hypervisor (docs/bindings/partitioner.md):
 * each says its CPUs, RAM, devices (with their interrupts), console and
 * modules; hyp_vmconfig_parse() has checked them all before anything runs. */
#define RESERVE (16ULL << 20)
static uint8_t dtb_copy[256 << 10] __attribute__((aligned(8)));
static struct hyp_vmconfig cfg;
static struct hyp_page_pool pool;
static struct hyp_vmbuild vms[HYP_VMCONFIG_MAX_VMS];

int guide_build_partitions(char *err)
{
    int rc = hyp_vmbuild_boot(dtb_copy, sizeof(dtb_copy), RESERVE, 100, &cfg, &pool,
                              print_line, NULL, err);

    for (unsigned i = 0; rc == HYP_OK && i < cfg.vm_count; i++)
        rc = hyp_vmbuild_create(&vms[i], &cfg, i, dtb_copy, &pool, err);
    return rc;
}

/* Each CPU then runs the vCPU the configuration pins to it, if any. */
int guide_run_partition_cpu(void)
{
    unsigned vcpu;
    struct hyp_vmbuild *b = hyp_vmbuild_of_this_cpu(vms, cfg.vm_count, &vcpu);
    int rc = hyp_vmbuild_cpu_prepare();

    if (rc != HYP_OK || b == NULL)
        return rc != HYP_OK ? rc : HYP_ENOENT; /* no VM here: park the CPU */
    return hyp_vmbuild_run(b, vcpu, NULL);
}
/* [partitioned] */
