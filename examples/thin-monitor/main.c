/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * thin-monitor: one guest on all CPUs, no scheduler, a minimal TCB.
 *
 * The guest is the kernel (and initrd) the bootloader left in memory and
 * described in /chosen/module@... nodes of the boot DTB. The library
 * describes it (hyp_vmsingle_describe(): vCPU n on physical CPU n, the first
 * RAM bank but the first MONITOR_RESERVE bytes, which hold the monitor and
 * its page tables, every board device but what is withheld, a virtual PL011
 * where the console UART is) and builds it (hyp_vmbuild_create_with(): a
 * virtual GIC of the board's kind, v3 or v2, stage 2, guest DTB, kernel
 * and initrd); PSCI and SMCCC
 * calls are served by libhyp. A 100 Hz tick on the EL2 physical timer brings
 * every CPU back to the monitor even while its guest never traps.
 *
 * What is left here is the monitor's policy. The security monitor
 * (include/hyp/monitor.h) watches the guest as the policy in the boot DTB
 * says (docs/bindings/monitor-policy.md): watched MMIO, protected memory,
 * control registers, system calls, interrupts, one "[hyp] EV ..." line per
 * event. The policy also decides which DMA-capable devices the guest gets
 * (given one, its RAM is identity-mapped), and protected ranges outside the
 * guest's RAM are backed with hidden RAM from the end of the monitor's
 * reserve. At power-off the monitor prints how many exits of each kind the
 * guest caused and its event counters.
 */
#include <stdio.h>
#include <hyp/hyp.h>
#include <hyp/mm.h>
#include <hyp/monitor.h>
#include <hyp/policy.h>
#include <hyp/vmsingle.h>

/* The monitor's own tick: the EL2 physical timer, so that it regains control
 * even from a guest that never traps. */
#define TICK_HZ 100

/* RAM at the start of the first bank kept by the monitor (image + tables). */
#define MONITOR_RESERVE    (16ULL << 20)
#define PAGE               4096ULL
/* Most RAM the monitor lends to protected ranges outside guest RAM. */
#define MONITOR_HIDDEN_MAX (4ULL << 20)

static struct hyp_vmsingle single;
static struct hyp_vmbuild guest;
static struct hyp_page_pool s2_pool;
static bool ticking; /* the library's tick runs (a GIC it drives and the EL2 timer) */

/* The security monitor and its policy (from the boot DTB). */
static struct hyp_policy policy;
static struct hyp_monitor monitor;
static unsigned withheld_dma;

static void event_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    printf("%.*s\n", (int)len, line);
}

static void boot_line(void *arg, const char *line)
{
    (void)arg;
    printf("thin-monitor: %s\n", line);
}

static _Noreturn void end_of_guest(int request)
{
    static int ending;
    unsigned hz;
    uint64_t ticks;

    /* The first CPU to see the request ends the run; the others stop. */
    if (__atomic_exchange_n(&ending, 1, __ATOMIC_ACQ_REL) != 0)
        hyp_halt_cpu();
    hyp_console_flush();
    ticks = hyp_vmbuild_ticks(&hz);
    printf("thin-monitor: %llu ticks at %u Hz\n", (unsigned long long)ticks, hz);
    hyp_vm_print_exits(&guest.vm, "thin-monitor: ");
    hyp_monitor_report(&monitor, event_line, NULL);
    hyp_monitor_report_irqs(&monitor, event_line, NULL);
    if (request == HYP_VM_RESET) {
        int rc;

        printf("thin-monitor: guest asked for a reset\n");
        hyp_console_flush();
        rc = psci_fw_system_reset();
        printf("thin-monitor: SYSTEM_RESET failed (%s)\n", hyp_strerror(rc));
    } else {
        printf("thin-monitor: guest powered off\n");
    }
    hyp_system_off();
}

/* The run loop's hooks: the monitor's policy first, then the library's
 * default handling (hyp_vmbuild_run_vcpu()); console input, through the
 * monitor's keys, after IRQ exits on CPU 0 (at least every tick). */
static bool monitor_policy(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, void *arg)
{
    (void)arg;
    return hyp_monitor_handle_exit(&monitor, vcpu, exit);
}

static size_t monitor_keys(void *arg, char *buf, size_t len)
{
    (void)arg;
    return hyp_monitor_console_filter(&monitor, buf, len);
}

static void after_exit(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, bool tick,
                       void *arg)
{
    (void)tick, (void)arg;
    if (vcpu->pcpu == 0 && exit->kind == HYP_EXIT_IRQ && guest.cfg->console)
        hyp_vmbuild_console_input(&guest, monitor_keys, NULL);
}

/* The loop every physical CPU runs for its one vCPU. */
static _Noreturn void run_vcpu(void *arg)
{
    static const struct hyp_run_hooks hooks = {.policy = monitor_policy,
                                               .after = after_exit};
    struct hyp_vcpu *vcpu = arg;
    int rc = ticking ? hyp_vmbuild_cpu_prepare() : HYP_OK;

    if (rc != HYP_OK)
        hyp_panic("CPU %u: GIC not usable: %s", hyp_cpu_id(), hyp_strerror(rc));
    rc = hyp_vmbuild_run_vcpu(vcpu, &hooks);
    if (rc < 0)
        hyp_panic("vCPU %u cannot run on CPU %u", vcpu->id, hyp_cpu_id());
    end_of_guest(rc);
}

/* The policy's say on devices: DMA-capable ones are withheld when it says
 * dma-devices = "withhold", else given (and guest RAM identity-mapped). */
static enum hyp_vmsingle_verdict device_policy(void *arg, const void *dtb, int node)
{
    (void)arg;
    if (!hyp_policy_dma_capable(&policy, dtb, node))
        return HYP_VMSINGLE_GIVE;
    if (!policy.dma_withhold)
        return HYP_VMSINGLE_GIVE_DMA;
    withheld_dma++;
    return HYP_VMSINGLE_WITHHOLD;
}

/*
 * Protected ranges outside the guest's RAM are backed with RAM from the end
 * of the monitor's reserve (at most MONITOR_HIDDEN_MAX), mapped at their IPA
 * but left out of the guest's /memory: the guest reaches them only by address
 * (e.g. /dev/mem in Linux). Returns where the reserve now ends.
 */
static uint64_t hide_protected(uint64_t reserve_end)
{
    const struct hyp_vmconfig_vm *v = &single.config.vms[0];
    uint64_t ram = v->mem_ipa, ram_end = ram + v->mem.size, total = 0, pa;

    for (unsigned i = 0; i < policy.protect_count; i++) {
        const struct hyp_policy_protect *p = &policy.protect[i];

        if (p->base >= ram_end || p->base + p->size <= ram)
            total += p->size;
        else if (p->base < ram || p->base + p->size > ram_end)
            hyp_panic("monitor policy %s/%s: reg: the range is partly guest RAM (RAM "
                      "%#llx..%#llx)",
                      policy.path, p->name, (unsigned long long)ram,
                      (unsigned long long)ram_end - 1);
    }
    if (total > MONITOR_HIDDEN_MAX)
        hyp_panic("monitor policy %s: protected ranges outside guest RAM take %llu KiB, "
                  "more than the %llu KiB the monitor can back",
                  policy.path, (unsigned long long)total >> 10, MONITOR_HIDDEN_MAX >> 10);
    pa = reserve_end - total;
    for (unsigned i = 0; i < policy.protect_count; i++) {
        const struct hyp_policy_protect *p = &policy.protect[i];

        if (p->base < ram_end && p->base + p->size > ram)
            continue;
        if (hyp_vmsingle_hide(&single, p->base, pa, p->size) != HYP_OK)
            hyp_panic("monitor policy %s/%s: cannot back the range with RAM", policy.path,
                      p->name);
        pa += p->size;
    }
    return reserve_end - total;
}

static void print_policy(void)
{
    static const char *const creg[] = {"off", "log", "deny", "log-deny"};

    if (!policy.present) {
        printf("thin-monitor: no monitor policy in the boot DTB: events off\n");
        return;
    }
    printf("thin-monitor: policy %s: %u watched, %u protected, syscalls %s, control "
           "registers %s, interrupts %s, rate limit %u/s burst %u, DMA-capable devices "
           "%s\n",
           policy.path, policy.watch_count, policy.protect_count,
           policy.syscalls ? "on" : "off", creg[policy.creg_action & 3],
           policy.irq_log ? "logged" : "counted", (unsigned)policy.rate,
           (unsigned)policy.burst, policy.dma_withhold ? "withheld" : "passed");
}

int main(void)
{
    const struct hyp_platform *plat = hyp_platform_get();
    const void *dtb = (const void *)(uintptr_t)plat->dtb.base;
    const struct hyp_range *bank = &plat->mem[0];
    const struct hyp_vmconfig_vm *v = &single.config.vms[0];
    struct hyp_range keep = {bank->base, MONITOR_RESERVE};
    struct hyp_vmsingle_opts opts = {
        .keep = keep,
        .device = device_policy,
        .spis_property = "thin-monitor,guest-spis",
        .report = boot_line,
    };
    char err[HYP_GUEST_ERRLEN > HYP_POLICY_ERRLEN ? HYP_GUEST_ERRLEN : HYP_POLICY_ERRLEN];
    int rc;

    rc = hyp_policy_parse(dtb, plat->dtb.size, &policy, err);
    if (rc != HYP_OK)
        hyp_panic("monitor policy rejected (%s): %s", hyp_strerror(rc), err);
    rc = hyp_vmsingle_describe(&single, plat, dtb, &opts, err);
    if (rc != HYP_OK)
        hyp_panic("no guest to run (%s): %s", hyp_strerror(rc), err);
    if (withheld_dma != 0)
        printf("thin-monitor: policy %s: %u DMA-capable devices withheld "
               "(dma-devices = \"withhold\")\n",
               policy.path, withheld_dma);
    /* Stage-2 tables come from the rest of the monitor's reserved RAM. */
    rc = hyp_vmbuild_pool_init(&s2_pool, keep, hide_protected(keep.base + keep.size),
                               64 * PAGE);
    if (rc != HYP_OK || bank->size <= 2 * MONITOR_RESERVE)
        hyp_panic("the monitor must sit in the first %llu MiB of a RAM bank larger than "
                  "%llu MiB (image %#llx, bank %#llx+%#llx): %s",
                  MONITOR_RESERVE >> 20, 2 * MONITOR_RESERVE >> 20,
                  (unsigned long long)hyp_image_range().base,
                  (unsigned long long)bank->base, (unsigned long long)bank->size,
                  hyp_strerror(rc));
    printf("thin-monitor: %u CPUs, guest RAM %#llx..%#llx %s\n", v->vcpu_count,
           (unsigned long long)v->mem_ipa,
           (unsigned long long)(v->mem_ipa + v->mem.size - 1),
           single.dma ? "at its own physical address (DMA-capable devices given)"
                      : "backed 16 MiB higher (no DMA-capable device given)");
    print_policy();
    printf(
        "thin-monitor: kernel module %#llx+%#llx, initrd %#llx+%#llx, bootargs \"%s\"\n",
        (unsigned long long)v->kernel.range.base,
        (unsigned long long)v->kernel.range.size,
        (unsigned long long)v->ramdisk.range.base,
        (unsigned long long)v->ramdisk.range.size,
        v->bootargs != NULL ? v->bootargs : "");

    /* SMCCC services, the physical GIC at EL2 (tick, forwarded timers) and,
     * a virtual GIC of the board's kind for the guest where the board's is. */
    rc = hyp_vmbuild_setup(plat, TICK_HZ);
    if (rc != HYP_OK && rc != HYP_ENOTSUP)
        hyp_panic("cannot set up SMCCC, the GIC and the tick: %s", hyp_strerror(rc));
    ticking = rc == HYP_OK;
    if (!ticking)
        printf("thin-monitor: no tick and no virtual GIC (needs a GICv3 or a GICv2 with "
               "virtualization extensions, and the EL2 timer)\n");
    rc = hyp_vmbuild_create_with(&guest, &single.config, 0, dtb, &s2_pool, &single.extra,
                                 err);
    if (rc != HYP_OK)
        hyp_panic("cannot build the guest (%s): %s", hyp_strerror(rc), err);
    printf("thin-monitor: %s guest entry %#llx%s, DTB %#llx, stage 2 uses %llu pages\n",
           guest.boot.kind == HYP_GUEST_IMAGE_LINUX ? "Linux Image" : "raw",
           (unsigned long long)guest.boot.entry, guest.boot.in_place ? " (in place)" : "",
           (unsigned long long)guest.boot.dtb,
           (unsigned long long)hyp_page_pool_used(&s2_pool));

    rc = hyp_monitor_init(&monitor, &guest.vm, &policy, event_line, NULL, err);
    if (rc != HYP_OK)
        hyp_panic("monitor policy not applicable (%s): %s", hyp_strerror(rc), err);
    rc = hyp_monitor_serve_calls(&monitor);
    if (rc != HYP_OK)
        hyp_panic("monitor hypercalls not served: %s", hyp_strerror(rc));
    hyp_monitor_use_fgt(&monitor);
    hyp_monitor_limit_rate(&monitor);
    hyp_monitor_watch_irqs(&monitor);
    for (unsigned i = 1; i < guest.vm.vcpu_count; i++)
        if ((rc = hyp_cpu_start(i, run_vcpu, &guest.vcpus[i])) != HYP_OK)
            hyp_panic("cannot start CPU %u: %s", i, hyp_strerror(rc));
    printf("thin-monitor: starting the guest; monitor lines are tagged [hyp]\n");
    hyp_console_set_tag("[hyp] ");
    run_vcpu(&guest.vcpus[0]);
}
