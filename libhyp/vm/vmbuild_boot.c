/* SPDX-License-Identifier: BSD-2-Clause */
/* The start of a hypervisor with VMs from /hypervisor (hyp/vmbuild.h; target only). */
#include <stdio.h>
#include <string.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/loader.h>
#include <hyp/mm.h>
#include <hyp/page_pool.h>
#include <hyp/platform.h>
#include <hyp/vmbuild.h>

#define PAGE 4096ULL

int hyp_vmbuild_boot(void *dtb, size_t dtb_max, uint64_t reserve, unsigned tick_hz,
                     struct hyp_vmconfig *cfg, struct hyp_page_pool *pool,
                     hyp_vmconfig_line_fn report, void *arg, char *err)
{
    const struct hyp_platform *plat = hyp_platform_get();
    struct hyp_range hyp = {plat->mem[0].base, reserve};
    uint64_t dtb_page = plat->dtb.base & ~(PAGE - 1), pool_end = hyp.base + hyp.size;
    int rc;

    err[0] = '\0';
    if (plat->dtb.size > dtb_max) {
        snprintf(err, HYP_GUEST_ERRLEN, "the boot DTB is larger than %zu KiB",
                 dtb_max >> 10);
        return HYP_ENOMEM;
    }
    rc = hyp_el2_map(
        dtb_page, ((plat->dtb.base + plat->dtb.size + PAGE - 1) & ~(PAGE - 1)) - dtb_page,
        HYP_PROT_R);
    if (rc == HYP_OK)
        memcpy(dtb, (const void *)(uintptr_t)plat->dtb.base, plat->dtb.size);
    if (rc == HYP_OK)
        rc = hyp_vmconfig_parse(dtb, dtb_max, &hyp, 1, cfg, report, arg);
    if (rc != HYP_OK) {
        snprintf(err, HYP_GUEST_ERRLEN, "configuration refused (%s): %s",
                 hyp_strerror(rc), cfg->error);
        return rc;
    }
    if (cfg->hyp_colours) { /* the image moves to colours of its own */
        char line[HYP_GUEST_ERRLEN];

        rc = hyp_vmbuild_move_image(cfg, &pool_end, line, sizeof(line));
        if (rc != HYP_OK) {
            snprintf(err, HYP_GUEST_ERRLEN, "%s", line);
            return rc;
        }
        if (report != NULL)
            report(arg, line);
    }
    /* Stage-2 tables come from the rest of the reserve (below the image's
     * new place when it moved). */
    rc = hyp_vmbuild_pool_init(pool, hyp, pool_end, HYP_VMBUILD_POOL_MIN);
    if (rc == HYP_OK && cfg->hyp_colours) /* tables of its colours too */
        rc = hyp_page_pool_keep_colours(pool, cfg->geom.colours, cfg->hyp_colours);
    if (rc != HYP_OK) {
        snprintf(err, HYP_GUEST_ERRLEN,
                 "the hypervisor and 1 MiB of page pool must lie in the first %llu MiB "
                 "of RAM (%s)",
                 (unsigned long long)(reserve >> 20), hyp_strerror(rc));
        return rc;
    }
    rc = hyp_vmbuild_setup(plat, tick_hz);
    if (rc != HYP_OK)
        snprintf(err, HYP_GUEST_ERRLEN, "cannot prepare for VMs: %s", hyp_strerror(rc));
    return rc;
}

int hyp_vmbuild_reload(struct hyp_vmbuild *b, char *err)
{
    err[0] = '\0';
    if (b->vcpus[0].pcpu != hyp_cpu_id()) {
        snprintf(err, HYP_GUEST_ERRLEN, "%s (%s): reload: not on its vCPU 0's CPU",
                 b->cfg->node, b->cfg->name);
        return HYP_EINVAL;
    }
    /* None of its vCPUs is in a run loop: all of them count as parked. */
    __atomic_store_n(&b->vm.shutdown, HYP_VM_RESET, __ATOMIC_RELEASE);
    __atomic_store_n(&b->parked, b->vm.vcpu_count, __ATOMIC_RELEASE);
    return hyp_vmbuild_restart(b, err);
}
