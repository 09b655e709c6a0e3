/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * partitioner: several VMs side by side, each on physical CPUs of its own,
 * described under /hypervisor in the boot DTB (docs/bindings/partitioner.md).
 *
 * The whole partition is validated before anything runs
 * (hyp_vmconfig_parse()); each VM is then built from its description by the
 * library (hyp_vmbuild_create(): stage 2, RAM, virtual GIC, virtual PL011,
 * devices, shared memory, guest DTB, kernel and initrd), and every CPU
 * runs the one vCPU pinned to it. Each VM's console lines are tagged with
 * its name, the hypervisor's with [hyp]; Ctrl-] n (or Ctrl-] <digit>) moves
 * the console's input to the next VM (or VM <digit>). A VM that powers off
 * stops alone; the machine powers off with the last one, or at once for a
 * VM with the "system-off" capability. A VM's SYSTEM_RESET resets the
 * machine if it has "system-reset", else restarts that VM alone, from its
 * images, with its memory cleared.
 */
#include <stdio.h>
#include <string.h>
#include <hyp/childvm.h>
#include <hyp/hyp.h>
#include <hyp/mm.h>
#include <hyp/psci.h>
#include <hyp/sysreg.h>
#include <hyp/vmbuild.h>

/* RAM at the start of the first bank kept by the hypervisor (image, tables). */
#define HYP_RESERVE (16ULL << 20)
#define TICK_HZ     100
#define DTB_MAX     (256u << 10)

/* The boot DTB is copied here first: VM RAM may cover where it was loaded. */
static uint8_t dtb[DTB_MAX] __attribute__((aligned(8)));
static struct hyp_vmconfig cfg;
static struct hyp_vmbuild vms[HYP_VMCONFIG_MAX_VMS];
static struct hyp_page_pool pool;
static struct hyp_vcons_focus focus;
/* Child VMs (docs/bindings/child-vms.md); the ownership records for the RAM
 * of the VMs that may create them come from the page pool. */
static struct hyp_owner owner;
static struct hyp_childvm_table children;
static unsigned vms_running;

static void report(void *arg, const char *line)
{
    (void)arg;
    printf("partitioner: %s\n", line);
}

/* A coloured VM's stage 2 checked against its colours, at creation and
 * when it ends (tests read the verdict). */
static void audit_colours(const struct hyp_vmbuild *b, const char *when)
{
    char line[192];

    if (hyp_vmbuild_audit_colours(b, when, line, sizeof(line)) != HYP_ENOENT)
        printf("partitioner: %s (%s) %s\n", b->cfg->node, b->cfg->name, line);
}

/* The pages of stage-2 tables (all VMs', or one's at its end) and of EL2's
 * own tables checked against the hypervisor's colours (tests read it). */
static void audit_tables(const struct hyp_vmbuild *b, unsigned count, const char *who)
{
    char line[192];

    if (hyp_vmbuild_audit_tables(&cfg, b, count, line, sizeof(line)) != HYP_ENOENT)
        printf("partitioner: %s%s\n", who, line);
}

/* Microseconds of the physical counter. */
static uint64_t now_us(void)
{
    return read_sysreg(cntpct_el0) * 1000000 / read_sysreg(cntfrq_el0);
}

/* After every exit: console input and idle output, once per tick. */
static void after_exit(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, bool tick,
                       void *arg)
{
    (void)vcpu, (void)exit, (void)arg;
    if (tick)
        hyp_vmbuild_console_poll(vms, cfg.vm_count, &focus);
}
static const struct hyp_run_hooks hooks = {.after = after_exit};

static _Noreturn void run_cpu(void *arg)
{
    unsigned vcpu;
    struct hyp_vmbuild *b = hyp_vmbuild_of_this_cpu(vms, cfg.vm_count, &vcpu);
    int rc = hyp_vmbuild_cpu_prepare(), end;
    unsigned left;
    char err[HYP_GUEST_ERRLEN];

    (void)arg;
    if (rc != HYP_OK)
        hyp_panic("CPU %u cannot run vCPUs: %s", hyp_cpu_id(), hyp_strerror(rc));
    if (b == NULL)
        hyp_vmbuild_cpu_park(); /* no VM here */
    if (vcpu == 0)              /* the counter starts at 0 at reset on QEMU */
        printf("partitioner: %s (%s) starts %llu us after reset\n", b->cfg->node,
               b->cfg->name, (unsigned long long)now_us());
    for (;;) {
        end = hyp_vmbuild_run(b, vcpu, &hooks);
        if (end == HYP_VM_RUNNING)
            hyp_vmbuild_cpu_park(); /* vCPU 0 reports the VM's end */
        if (end != HYP_VM_RESET)
            break;
        if (b->cfg->caps & HYP_VMCONFIG_CAP_SYSTEM_RESET) {
            printf("partitioner: %s (%s) resets the machine\n", b->cfg->node,
                   b->cfg->name);
            hyp_console_flush();
            psci_fw_system_reset();
        }
        printf("partitioner: %s (%s) restarts\n", b->cfg->node, b->cfg->name);
        if (hyp_vmbuild_restart(b, err) == HYP_OK)
            continue;
        printf("partitioner: cannot restart it: %s\n", err);
        hyp_vmbuild_stop(b);
        break;
    }
    printf("partitioner: %s (%s) stage 2 at its end: %zu table pages\n", b->cfg->node,
           b->cfg->name, hyp_pgtable_page_count(&b->vm.s2));
    audit_colours(b, "at its end");
    if (b->cfg->colours) {
        char who[64];

        snprintf(who, sizeof(who), "%s (%s) at its end: ", b->cfg->node, b->cfg->name);
        audit_tables(b, 1, who);
    }
    left = __atomic_sub_fetch(&vms_running, 1, __ATOMIC_ACQ_REL);
    printf("partitioner: %s (%s) %s; %u VMs left\n", b->cfg->node, b->cfg->name,
           end == HYP_VM_RESET       ? "stopped"
           : end == HYP_VM_POWER_OFF ? "powered off"
                                     : "failed to run",
           left);
    if (left == 0 ||
        (end == HYP_VM_POWER_OFF && (b->cfg->caps & HYP_VMCONFIG_CAP_SYSTEM_OFF))) {
        printf("partitioner: powering off\n");
        hyp_system_off();
    }
    hyp_vmbuild_cpu_park();
}

static void print_map_line(void *arg, const char *line)
{
    (void)arg;
    printf("  %s\n", line);
}

int main(void)
{
    char err[HYP_GUEST_ERRLEN];
    int rc = hyp_vmbuild_boot(dtb, sizeof(dtb), HYP_RESERVE, TICK_HZ, &cfg, &pool, report,
                              NULL, err);

    if (rc != HYP_OK)
        hyp_panic("%s", err);
    printf("partitioner: %u VMs on %u CPUs\n", cfg.vm_count, hyp_cpu_count());
    hyp_vmconfig_print(&cfg, print_map_line, NULL);
    for (unsigned i = 0; i < cfg.vm_count; i++) {
        struct hyp_vmbuild *b = &vms[i];
        uint64_t start = now_us();

        rc = hyp_vmbuild_create(b, &cfg, i, dtb, &pool, err);
        if (rc != HYP_OK)
            hyp_panic("cannot build a VM: %s", err);
        printf("partitioner: %s (%s) VMID %u: %s entry %#llx, DTB %#llx\n", b->cfg->node,
               b->cfg->name, b->vm.vmid,
               b->boot.kind == HYP_GUEST_IMAGE_LINUX ? "arm64 Image" : "raw",
               (unsigned long long)b->boot.entry, (unsigned long long)b->boot.dtb);
        printf("partitioner: %s (%s) built in %llu us, stage 2: %zu table pages\n",
               b->cfg->node, b->cfg->name, (unsigned long long)(now_us() - start),
               hyp_pgtable_page_count(&b->vm.s2));
        audit_colours(b, "built");
    }
    audit_tables(vms, cfg.vm_count, "");
    rc = hyp_childvm_service_start(&children, &owner, vms, cfg.vm_count, &pool, NULL, 0);
    if (rc != HYP_OK)
        hyp_panic("cannot serve child VMs: %s", hyp_strerror(rc));
    vms_running = cfg.vm_count;
    hyp_vcons_focus_init(&focus, cfg.vm_count);
    printf("partitioner: starting; lines are tagged [<VM>], console input goes to "
           "%s (Ctrl-] n: next VM)\n",
           vms[0].cfg->name);
    hyp_console_set_tag("[hyp] ");
    for (unsigned i = 1; i < hyp_cpu_count(); i++)
        if ((rc = hyp_cpu_start(i, run_cpu, NULL)) != HYP_OK)
            hyp_panic("cannot start CPU %u: %s", i, hyp_strerror(rc));
    run_cpu(NULL);
}
