/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * thin-monitor-min: the thin monitor cut down to what one guest and its
 * security events need (README.md says what it leaves out and what that saves).
 *
 * One guest on all CPUs, vCPU n on physical CPU n, no scheduler. The guest owns
 * the physical GIC: its interrupts go straight to its EL1 (HCR_EL2.IMO and FMO
 * clear) and the monitor takes none, so there is no virtual GIC, no tick and no
 * interrupt event. No device tree is parsed at EL2: the platform is QEMU
 * virt's, compiled in (ports/qemu-virt/static_platform.c), and the guest's
 * kernel, initrd and DTB are where scripts/run put them (the DTB made on the
 * host from QEMU's, with /chosen, the monitor's RAM reserved and the DMA
 * masters removed), handed over unchanged. Stage 2 maps only the guest's RAM,
 * the GIC, the RTC and the GPIO, whatever that DTB says. Its console is the
 * board's UART, passed through with every access trapped: output goes through
 * the monitor's console (so monitor lines start on a fresh line) and input is
 * filtered for the monitor's keys (Ctrl-] s: system-call events on or off).
 * The policy is compiled in (POLICY below, equal to
 * tests/linux/monitor-policy.dts); MMIO watch, protected memory,
 * control-register and system-call events are the full monitor's
 * (libhyp/monitor). Guest RAM starts at the bank's base, where guests linked
 * for the bare board expect it, backed MONITOR_RESERVE higher.
 */
#include <stdio.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/hyp.h>
#include <hyp/mm.h>
#include <hyp/mmio.h>
#include <hyp/monitor.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/vm.h>
#include "static_platform.h"

/* RAM at the start of the bank kept by the monitor (image, tables, boot
 * record); the guest's RAM is the rest, at IPA = PA - MONITOR_RESERVE. */
#define MONITOR_RESERVE VIRT_MONITOR_RESERVE
#define PAGE            VIRT_PAGE
#define IPA_BITS        40

/* HCR_EL2 bits the guest's vCPUs run without: IMO and FMO (its interrupts go
 * to its EL1), TWI and TWE (its WFI sleeps in hardware, woken by them). */
#define HCR_FMO (1ULL << 3)
#define HCR_IMO (1ULL << 4)
#define HCR_TWI (1ULL << 13)
#define HCR_TWE (1ULL << 14)

/* PL011 registers the monitor looks at; the rest go to the device as they are. */
#define UART_DR 0x00

/* The compiled-in policy: that of linux.thin-monitor-events, without its rate
 * limit (this image prints every event line it is asked to). */
static const struct hyp_policy POLICY = {
    .present = true,
    .path = "compiled in",
    .creg_trap = true,
    .creg_action = HYP_ACT_LOG,
    .watch = {{.base = 0x09010000,
               .size = 0x1000,
               .action = HYP_ACT_LOG,
               .name = "watch@9010000"}},
    .watch_count = 1,
    .protect = {{.base = 0xc0000000,
                 .size = 0x10000,
                 .prot = HYP_POLICY_NO_WRITE,
                 .action = HYP_ACT_LOG | HYP_ACT_DENY,
                 .name = "protect@c0000000"}},
    .protect_count = 1,
};

static struct hyp_vm vm;
static struct hyp_vcpu vcpus[HYP_MAX_CPUS];
static unsigned vcpu_pcpu[HYP_MAX_CPUS];
static struct hyp_page_pool s2_pool;
static struct hyp_monitor monitor;
static struct hyp_spinlock uart_lock = HYP_SPINLOCK_INIT;

static void event_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    printf("%.*s\n", (int)len, line);
}

/* ---- The console UART, passed through with every access trapped ---------- */

/* A received byte for the guest, the monitor's keys taken out; 0 when the
 * device has nothing left after them (a key sequence cut in two). */
static uint64_t uart_rx(void)
{
    char c;

    while (hyp_console_read(&c, 1) == 1)
        if (hyp_monitor_console_filter(&monitor, &c, 1) == 1)
            return (uint8_t)c;
    return 0;
}

static int uart_mmio(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                     uint64_t *val, void *arg)
{
    char c = (char)*val;

    (void)vcpu;
    (void)arg;
    if (size == 8)
        return HYP_EINVAL;
    hyp_spin_lock(&uart_lock);
    if (offset == UART_DR && write)
        hyp_console_guest_write(&c, 1);
    else if (offset == UART_DR)
        *val = uart_rx();
    else
        *val = hyp_mmio_access((uintptr_t)(VIRT_UART + offset), size, write, *val);
    hyp_spin_unlock(&uart_lock);
    return HYP_OK;
}

/* ---- Protected ranges outside guest RAM ----------------------------------- */

/* Backed with zeroed RAM from the end of the monitor's reserve, mapped at
 * their IPA and left out of the guest's /memory (reached by address only).
 * Returns the new end of the reserve's free part. */
static uint64_t back_hidden_ranges(uint64_t pool_end)
{
    for (unsigned i = 0; i < POLICY.protect_count; i++) {
        const struct hyp_policy_protect *p = &POLICY.protect[i];
        uint64_t pa;
        int rc;

        if (hyp_vm_ram_to_pa(&vm, p->base, p->size, &pa))
            continue;
        pool_end -= p->size;
        rc = hyp_el2_map(pool_end, p->size, HYP_PROT_RW);
        if (rc == HYP_OK) {
            memset((void *)(uintptr_t)pool_end, 0, p->size);
            hyp_el2_sync_for_guest(pool_end, p->size);
            hyp_el2_unmap(pool_end, p->size);
            rc = hyp_vm_add_ram(&vm, p->base, pool_end, p->size);
        }
        if (rc != HYP_OK)
            hyp_panic("policy %s: cannot back it with RAM: %s", p->name,
                      hyp_strerror(rc));
    }
    return pool_end;
}

/* ---- Running --------------------------------------------------------------- */

static _Noreturn void end_of_guest(int request)
{
    static int ending;

    if (__atomic_exchange_n(&ending, 1, __ATOMIC_ACQ_REL) != 0)
        hyp_halt_cpu();
    hyp_console_flush();
    hyp_monitor_report(&monitor, event_line, NULL);
    if (request == HYP_VM_RESET) {
        printf("thin-monitor: guest asked for a reset\n");
        hyp_console_flush();
        printf("thin-monitor: SYSTEM_RESET failed (%s)\n",
               hyp_strerror(psci_fw_system_reset()));
    } else {
        printf("thin-monitor: guest powered off\n");
    }
    hyp_system_off();
}

/* Run one vCPU on this CPU for good (the secondary CPUs' entry too). */
static void run_vcpu(void *arg)
{
    struct hyp_vcpu *vcpu = arg;
    struct hyp_exit exit;

    while (hyp_vcpu_wait_power_on(vcpu)) {
        while (__atomic_load_n(&vcpu->power, __ATOMIC_ACQUIRE) == HYP_VCPU_ON) {
            if (hyp_vcpu_run(vcpu, &exit) != HYP_OK)
                hyp_panic("vCPU %u cannot run on CPU %u", vcpu->id, hyp_cpu_id());
            if (!hyp_monitor_handle_exit(&monitor, vcpu, &exit))
                hyp_handle_exit(vcpu, &exit);
            if (__atomic_load_n(&vm.shutdown, __ATOMIC_ACQUIRE) != HYP_VM_RUNNING)
                end_of_guest(vm.shutdown);
        }
    }
    hyp_halt_cpu();
}

/* Map [base, base + size) of the board at its own address; panics if it
 * cannot. */
static void pass(uint64_t base, uint64_t size)
{
    int rc = hyp_vm_map_device(&vm, base, size);

    if (rc != HYP_OK)
        hyp_panic("cannot pass %#llx through: %s", (unsigned long long)base,
                  hyp_strerror(rc));
}

int main(void)
{
    const struct hyp_platform *plat = hyp_platform_get();
    const struct hyp_range *bank = &plat->mem[0];
    struct hyp_range image = hyp_image_range();
    uint64_t pool_base = (image.base + image.size + PAGE - 1) & ~(PAGE - 1);
    uint64_t pool_end = VIRT_BOOT_RECORD;
    uint64_t ram_size = bank->size - MONITOR_RESERVE;
    uint64_t dtb = plat->dtb.base - MONITOR_RESERVE;
    struct hyp_vm_config cfg = {.vmid = 1,
                                .ipa_bits = IPA_BITS,
                                .pa_bits = hyp_pa_bits(),
                                .vcpus = vcpus,
                                .vcpu_count = hyp_cpu_count(),
                                .vcpu_pcpu = vcpu_pcpu,
                                .pool = &s2_pool};
    char err[HYP_POLICY_ERRLEN];
    int rc;

    if (image.base < bank->base || image.base + image.size > pool_end)
        hyp_panic("the monitor must sit in the first %llu MiB of RAM",
                  MONITOR_RESERVE >> 20);
    if (plat->dtb.base < bank->base + MONITOR_RESERVE || dtb >= bank->base + ram_size ||
        virt_boot.entry_ipa < bank->base || virt_boot.entry_ipa >= bank->base + ram_size)
        hyp_panic("the guest's DTB (%#llx) and entry (%#llx) must be in its RAM",
                  (unsigned long long)plat->dtb.base,
                  (unsigned long long)virt_boot.entry_ipa);
    printf("thin-monitor: %u CPUs, guest RAM %#llx..%#llx, policy compiled in\n",
           hyp_cpu_count(), (unsigned long long)bank->base,
           (unsigned long long)(bank->base + ram_size - 1));

    for (unsigned i = 0; i < cfg.vcpu_count; i++)
        vcpu_pcpu[i] = i;
    rc = hyp_el2_map(pool_base, pool_end - pool_base, HYP_PROT_RW);
    if (rc == HYP_OK)
        rc = hyp_page_pool_init(&s2_pool, (void *)(uintptr_t)pool_base,
                                pool_end - pool_base);
    if (rc == HYP_OK)
        rc = hyp_vm_init(&vm, &cfg);
    if (rc == HYP_OK)
        rc = hyp_vm_add_ram(&vm, bank->base, bank->base + MONITOR_RESERVE, ram_size);
    if (rc == HYP_OK)
        rc = hyp_vm_add_mmio(&vm, VIRT_UART, PAGE, uart_mmio, NULL);
    if (rc != HYP_OK)
        hyp_panic("cannot create the guest VM: %s", hyp_strerror(rc));
    /* The GIC is the guest's: distributor, redistributors or (GICv2) the CPU
     * interface; then the RTC and the GPIO. Nothing else: no DMA master. */
    pass(plat->gic.gicd.base, plat->gic.gicd.size);
    if (plat->gic.gicr_count != 0)
        pass(plat->gic.gicr[0].base, plat->gic.gicr[0].size);
    if (plat->gic.gicc.size != 0)
        pass(plat->gic.gicc.base, plat->gic.gicc.size);
    pass(VIRT_RTC, PAGE);
    pass(VIRT_GPIO, PAGE);
    back_hidden_ranges(pool_end);

    hyp_psci_proxy_init(run_vcpu);
    rc = hyp_smccc_register(&hyp_psci_proxy_service);
    if (rc == HYP_OK)
        rc = hyp_monitor_init(&monitor, &vm, &POLICY, event_line, NULL, err);
    if (rc != HYP_OK)
        hyp_panic("monitor not started (%s): %s", hyp_strerror(rc), err);
    for (unsigned i = 0; i < vm.vcpu_count; i++)
        vcpus[i].hcr_clear = HCR_IMO | HCR_FMO | HCR_TWI | HCR_TWE;

    vcpus[0].boot_entry = virt_boot.entry_ipa;
    vcpus[0].boot_context = dtb;
    vcpus[0].power = HYP_VCPU_ON_PENDING;
    printf("thin-monitor: starting the guest (entry %#llx); monitor lines are tagged "
           "[hyp]\n",
           (unsigned long long)virt_boot.entry_ipa);
    hyp_console_set_tag("[hyp] ");
    run_vcpu(&vcpus[0]);
    return 0;
}
