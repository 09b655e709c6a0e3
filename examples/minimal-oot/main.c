/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minimal: the smallest hypervisor worth booting, built outside libhyp's tree
 * against the installed package (CMakeLists.txt; the guide's first page,
 * docs/guide-boot.md, walks through it).
 *
 * One VM on the whole machine: its kernel and initrd are the boot DTB's
 * /chosen/module@... nodes (docs/bindings/multiboot-modules.md), vCPU n runs
 * on physical CPU n, its RAM is the first bank but the first RESERVE bytes
 * (this image and its stage-2 tables), it gets the board's devices, a virtual
 * GIC and a virtual PL011 where the board's console is. Every exit goes to the
 * library's default handlers (PSCI, the virtual GIC, MMIO emulation); the only
 * policy here is handing console input to the guest.
 */
#include <stdio.h>
#include <hyp/hyp.h>
#include <hyp/vmbuild.h>
#include <hyp/vmsingle.h>

#define RESERVE (16ULL << 20) /* the start of RAM that stays the hypervisor's */
#define TICK_HZ 100           /* the EL2 tick: console input, idle output */

static struct hyp_vmsingle single; /* the VM's description (large: static) */
static struct hyp_vmbuild guest;   /* the VM once built */
static struct hyp_page_pool pool;  /* its stage-2 tables come from here */

/* Called after each exit the library has handled: on CPU 0, console input
 * goes to the guest (at least every tick, which is an IRQ exit). */
static void after_exit(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, bool tick,
                       void *arg)
{
    (void)tick, (void)arg;
    if (vcpu->pcpu == 0 && exit->kind == HYP_EXIT_IRQ)
        hyp_vmbuild_console_input(&guest, NULL, NULL);
}

/* Every CPU runs its own vCPU until the guest powers off or resets. */
static _Noreturn void run_cpu(void *arg)
{
    static const struct hyp_run_hooks hooks = {.after = after_exit};
    unsigned cpu = (unsigned)(uintptr_t)arg;
    int rc = hyp_vmbuild_cpu_prepare();

    if (rc == HYP_OK)
        rc = hyp_vmbuild_run(&guest, cpu, &hooks);
    if (rc < 0)
        hyp_panic("CPU %u cannot run its vCPU: %s", cpu, hyp_strerror(rc));
    if (cpu != 0)
        hyp_vmbuild_cpu_park(); /* CPU 0 has the last word */
    printf("minimal: guest %s\n",
           rc == HYP_VM_RESET ? "asked for a reset" : "powered off");
    hyp_system_off();
}

int main(void)
{
    const struct hyp_platform *plat = hyp_platform_get();
    const void *dtb = (const void *)(uintptr_t)plat->dtb.base;
    struct hyp_range keep = {plat->mem[0].base, RESERVE};
    struct hyp_vmsingle_opts opts = {.keep = keep};
    char err[HYP_GUEST_ERRLEN];
    int rc;

    /* 1. Describe the VM from the boot DTB: modules, RAM, devices, CPUs. */
    rc = hyp_vmsingle_describe(&single, plat, dtb, &opts, err);
    if (rc != HYP_OK)
        hyp_panic("no guest to run (%s): %s", hyp_strerror(rc), err);
    /* 2. Stage-2 tables from what RESERVE has left after this image. */
    rc = hyp_vmbuild_pool_init(&pool, keep, keep.base + keep.size, 64 * 4096);
    if (rc != HYP_OK)
        hyp_panic("this image must sit in the first 16 MiB of RAM: %s", hyp_strerror(rc));
    /* 3. SMCCC (PSCI for the guest), the GIC, the tick; then build the VM. */
    rc = hyp_vmbuild_setup(plat, TICK_HZ);
    if (rc == HYP_OK)
        rc = hyp_vmbuild_create_with(&guest, &single.config, 0, dtb, &pool, &single.extra,
                                     err);
    if (rc != HYP_OK)
        hyp_panic("cannot build the guest (%s): %s", hyp_strerror(rc), err);
    printf("minimal: %u CPUs, guest RAM %#llx+%#llx, entry %#llx\n", guest.vm.vcpu_count,
           (unsigned long long)single.config.vms[0].mem_ipa,
           (unsigned long long)single.config.vms[0].mem.size,
           (unsigned long long)guest.boot.entry);
    /* 4. Run: vCPU n on CPU n. The guest starts its other vCPUs with PSCI. */
    for (unsigned i = 1; i < guest.vm.vcpu_count; i++)
        if ((rc = hyp_cpu_start(i, run_cpu, (void *)(uintptr_t)i)) != HYP_OK)
            hyp_panic("cannot start CPU %u: %s", i, hyp_strerror(rc));
    run_cpu((void *)0);
}
