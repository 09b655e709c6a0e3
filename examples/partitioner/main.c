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
 * images, with its memory cleared. Ctrl-] c pauses the VM with the focus on
 * all its CPUs and writes its checkpoint into the board's checkpoint store
 * (docs/checkpoint.md), if its configuration allows; the others run on.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <hyp/childvm.h>
#include <hyp/hyp.h>
#include <hyp/mm.h>
#include <hyp/psci.h>
#include <hyp/sysreg.h>
#include <hyp/vmbuild.h>
#include <hyp/checkpoint.h>
#include <hyp/vmckpt.h>
#include <hyp/vmsmmu.h>

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
/* The checkpoint store (size 0 without one), and why each VM may not be
 * checkpointed ("" when it may), decided once at boot. */
static struct hyp_range ckpt_store;
static char ckpt_refusal[HYP_VMCONFIG_MAX_VMS][192];
/* The SMMU confining passed-through devices' DMA to their VMs, if any. */
static struct hyp_vmsmmu smmu;
/* VMs whose checkpoint module was refused: they do not run. */
static bool vm_refused[HYP_VMCONFIG_MAX_VMS];

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

/* Ctrl-] c for the VM of @vcpu: refuse it, or pause this CPU for the
 * checkpoint (the VM does not run again on this boot). */
static void checkpoint(struct hyp_vmbuild *b, struct hyp_vcpu *vcpu)
{
    char msg[160];
    bool want = true;

    if (ckpt_refusal[b->index][0]) {
        if (__atomic_compare_exchange_n(&b->checkpoint_request, &want, false, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            printf("partitioner: %s; it runs on\n", ckpt_refusal[b->index]);
        return;
    }
    hyp_vmckpt_pause(b, vcpu, &ckpt_store, msg, sizeof(msg));
    if (msg[0])
        printf("partitioner: %s\n", msg);
    hyp_console_flush(); /* no tick of this CPU will let it out any more */
    hyp_vmbuild_cpu_park();
}

/* After every exit: console input and idle output, once per tick, and a
 * checkpoint asked for on the console (noticed on the tick, so an exit
 * pays nothing for it). */
static void after_exit(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, bool tick,
                       void *arg)
{
    struct hyp_vmbuild *b;

    (void)exit, (void)arg;
    if (!tick)
        return;
    hyp_vmbuild_console_poll(vms, cfg.vm_count, &focus);
    hyp_vmsmmu_poll(&smmu); /* its faults, as console lines */
    b = (struct hyp_vmbuild *)(void *)((char *)vcpu->vm -
                                       offsetof(struct hyp_vmbuild, vm));
    if (__atomic_load_n(&b->checkpoint_request, __ATOMIC_ACQUIRE))
        checkpoint(b, vcpu);
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
    if (b == NULL || vm_refused[b->index])
        hyp_vmbuild_cpu_park();     /* no VM here, or one that must not run */
    hyp_vmckpt_resume_cpu(b, vcpu); /* a VM resumed from a checkpoint */
    if (vcpu == 0)                  /* the counter starts at 0 at reset on QEMU */
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
    if (hyp_vmsmmu_detach_vm(&smmu, b) != HYP_OK)
        printf("partitioner: %s (%s): its devices' SMMU streams stay attached\n",
               b->cfg->node, b->cfg->name);
    hyp_vmsmmu_poll(&smmu);
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
    rc = hyp_vmsmmu_setup(&smmu, vms, cfg.vm_count, report, NULL, err);
    if (rc != HYP_OK && rc != HYP_ENOENT)
        hyp_panic("cannot confine DMA: %s", err);
    rc = hyp_childvm_service_start(&children, &owner, vms, cfg.vm_count, &pool, NULL, 0);
    if (rc != HYP_OK)
        hyp_panic("cannot serve child VMs: %s", hyp_strerror(rc));
    rc = hyp_vmckpt_store(dtb, &ckpt_store);
    if (rc == HYP_OK)
        rc = hyp_el2_map(ckpt_store.base, ckpt_store.size, HYP_PROT_RW);
    if (rc == HYP_OK)
        printf("partitioner: checkpoint store %#llx..%#llx\n",
               (unsigned long long)ckpt_store.base,
               (unsigned long long)(ckpt_store.base + ckpt_store.size - 1));
    else
        ckpt_store.size = 0;
    for (unsigned i = 0; i < cfg.vm_count; i++) {
        char *why = ckpt_refusal[i];

        if (ckpt_store.size == 0)
            snprintf(why, sizeof(ckpt_refusal[i]),
                     "%s (%s) cannot be checkpointed: the board has no checkpoint store",
                     cfg.vms[i].node, cfg.vms[i].name);
        else if (hyp_ckpt_vm_allowed(dtb, &cfg, i, why, sizeof(ckpt_refusal[i])) ==
                 HYP_OK)
            why[0] = '\0';
    }
    vms_running = cfg.vm_count;
    for (unsigned i = 0; i < cfg.vm_count; i++) {
        char msg[256];

        rc = hyp_vmckpt_resume(&vms[i], msg, sizeof(msg));
        if (rc != HYP_OK && rc != HYP_ENOENT) {
            vm_refused[i] = true; /* the others start anyway */
            vms_running--;
        }
        if (msg[0])
            printf("partitioner: %s%s\n", msg,
                   vm_refused[i] ? "; it does not start" : "");
    }
    if (vms_running == 0)
        hyp_panic("no VM can start");
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
