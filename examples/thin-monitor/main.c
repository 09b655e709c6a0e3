/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * thin-monitor: one guest on all CPUs, no scheduler, a minimal TCB.
 *
 * The guest is the kernel (and initrd) the bootloader left in memory and
 * described in /chosen/module@... nodes of the boot DTB. It gets all RAM of
 * the first memory bank except the first MONITOR_RESERVE bytes, which hold
 * the monitor and its page tables (at its physical address when it is given
 * a DMA-capable device, else from the bank's base: hyp_ram_layout()), and
 * every device of the board with its interrupts, described in its DTB,
 * except what is withheld (see classify_devices()); the GIC and the console
 * UART it gets as a virtual GIC (v3 or v2, as the board's) and a virtual PL011.
 * vCPU n runs on physical CPU n;
 * PSCI and SMCCC calls are served by libhyp. A 100 Hz tick on the EL2 physical timer
 * brings every CPU back to the monitor even while its guest never traps.
 *
 * The security monitor (include/hyp/monitor.h) watches the guest as the
 * policy in the boot DTB says (docs/bindings/monitor-policy.md): watched
 * MMIO, protected memory, control registers, system calls, interrupts, one
 * "[hyp] EV ..." line per event. Protected ranges outside the guest's RAM
 * are backed with RAM from the end of the monitor's reserve. At power-off
 * the monitor prints how many exits of each kind the guest caused and its
 * event counters.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <hyp/arch.h>
#include <hyp/gic.h>
#include <hyp/hyp.h>
#include <hyp/loader.h>
#include <hyp/mm.h>
#include <hyp/monitor.h>
#include <hyp/mmio.h>
#include <hyp/policy.h>
#include <hyp/ram_layout.h>
#include <hyp/vgic.h>
#include <hyp/vm.h>
#include <hyp/vmbuild.h>
#include <hyp/vpl011.h>

/* The monitor's own tick: the EL2 physical timer, so that it regains control
 * even from a guest that never traps. */
#define TICK_HZ 100

/* RAM at the start of the first bank kept by the monitor (image + tables). */
#define MONITOR_RESERVE    (16ULL << 20)
#define PAGE               4096ULL
/* Most RAM the monitor lends to protected ranges outside guest RAM. */
#define MONITOR_HIDDEN_MAX (4ULL << 20)
#define IPA_BITS           40

static struct hyp_vm vm;
static struct hyp_vcpu vcpus[HYP_MAX_CPUS];
static unsigned vcpu_pcpu[HYP_MAX_CPUS];
static struct hyp_page_pool s2_pool;
static bool ticking; /* the library's tick runs (GICv3 and the EL2 timer) */

/* The guest's console: a virtual PL011 where the board's UART is. */
static struct hyp_vgic vgic;
static struct hyp_vgic_cpu vgic_cpus[HYP_MAX_CPUS];
/* SPIs of the virtual GIC: INTIDs 32..287, as on QEMU virt, unless the boot
 * DTB's /chosen says `thin-monitor,guest-spis = <n>` (a multiple of 32 up to
 * HYP_VGIC_MAX_SPIS; the exit-cost benchmark varies it). */
#define GUEST_SPIS 256

static unsigned guest_spis(const void *dtb)
{
    int chosen = fdt_path_offset(dtb, "/chosen"), len;
    const fdt32_t *p =
        chosen >= 0 ? fdt_getprop(dtb, chosen, "thin-monitor,guest-spis", &len) : NULL;
    uint32_t n;

    if (p == NULL)
        return GUEST_SPIS;
    n = len == 4 ? fdt32_to_cpu(*p) : 0;
    if (n == 0 || n % 32 != 0 || n > HYP_VGIC_MAX_SPIS)
        hyp_panic("/chosen/thin-monitor,guest-spis: want one cell, a multiple of 32 from "
                  "32 to %u",
                  HYP_VGIC_MAX_SPIS);
    return n;
}

/* The security monitor and its policy (from the boot DTB). */
static struct hyp_policy policy;
static struct hyp_monitor monitor;

static void event_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    printf("%.*s\n", (int)len, line);
}

static struct hyp_vpl011 vuart;
static struct hyp_spinlock vuart_lock = HYP_SPINLOCK_INIT;
static uint64_t vuart_base;

static void vuart_tx(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    hyp_console_guest_write(buf, len);
}

/* The vPL011's interrupt output drives its SPI on the virtual GIC. */
static void vuart_irq(void *ctx, bool level)
{
    const struct hyp_platform *plat = ctx;

    if (vm.vgic != NULL && plat->uart.irq.intid >= 32)
        hyp_vgic_inject(vm.vgic, 0, plat->uart.irq.intid, level, 0);
}

static int vuart_mmio(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                      uint64_t *val, void *arg)
{
    int rc;

    (void)vcpu;
    hyp_spin_lock(&vuart_lock);
    rc = hyp_vpl011_mmio(arg, offset, size, write, val);
    hyp_spin_unlock(&vuart_lock);
    return rc;
}

/* Console input for the guest, polled on CPU 0 (every tick and exit). */
static void vuart_poll_input(void)
{
    char buf[HYP_VPL011_FIFO_DEPTH];
    size_t room, n;

    hyp_spin_lock(&vuart_lock);
    room = hyp_vpl011_rx_room(&vuart);
    n = room != 0 ? hyp_console_read(buf, room) : 0;
    n = hyp_monitor_console_filter(&monitor, buf, n);
    if (n != 0)
        hyp_vpl011_rx(&vuart, buf, n);
    hyp_spin_unlock(&vuart_lock);
}

/* Per physical CPU: its GIC interface, the virtual GIC's interrupts, the
 * library's tick. */
static void cpu_prepare(void)
{
    int rc = ticking ? hyp_vmbuild_cpu_prepare() : HYP_OK;

    if (rc != HYP_OK)
        hyp_panic("CPU %u: GIC not usable: %s", hyp_cpu_id(), hyp_strerror(rc));
}

static void print_exit_table(void)
{
    unsigned hz;
    uint64_t total_ticks = hyp_vmbuild_ticks(&hz);

    printf("thin-monitor: %llu ticks at %u Hz\n", (unsigned long long)total_ticks, hz);
    hyp_vm_print_exits(&vm, "thin-monitor: ");
}

static _Noreturn void end_of_guest(int request)
{
    static int ending;

    /* The first CPU to see the request ends the run; the others stop. */
    if (__atomic_exchange_n(&ending, 1, __ATOMIC_ACQ_REL) != 0)
        hyp_halt_cpu();
    hyp_console_flush();
    print_exit_table();
    hyp_monitor_report(&monitor, event_line, NULL);
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
 * default handling (hyp_vmbuild_run_vcpu()); console input after IRQ exits
 * on CPU 0. */
static bool monitor_policy(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, void *arg)
{
    (void)arg;
    return hyp_monitor_handle_exit(&monitor, vcpu, exit);
}

static void after_exit(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, bool tick,
                       void *arg)
{
    (void)tick, (void)arg;
    if (vcpu->pcpu == 0 && exit->kind == HYP_EXIT_IRQ)
        vuart_poll_input();
}

/* The loop every physical CPU runs for its one vCPU. */
static void run_vcpu(struct hyp_vcpu *vcpu)
{
    static const struct hyp_run_hooks hooks = {.policy = monitor_policy,
                                               .after = after_exit};
    int request;

    cpu_prepare();
    request = hyp_vmbuild_run_vcpu(vcpu, &hooks);
    if (request < 0)
        hyp_panic("vCPU %u cannot run on CPU %u", vcpu->id, hyp_cpu_id());
    end_of_guest(request);
}

static void secondary_main(void *arg)
{
    run_vcpu(arg);
}

/*
 * Devices. Every device node of the board goes to the guest, mapped at its
 * own address with its SPIs forwarded and described in the guest's DTB from
 * its board node, except what is withheld: the console UART (the guest gets
 * a virtual PL011 there), QEMU's fw-cfg (the firmware's interface: the
 * monitor is the guest's firmware), nodes the guest DTB cannot describe
 * (hyp_guest_dtb_check_device(): e.g. a PCIe host, whose interrupt-map and
 * MSIs are not virtualised), DMA-capable devices when the policy says
 * dma-devices = "withhold", and any device sharing a 4 KiB page with one of
 * those. Decided before the VM exists (classify_devices()), because guest RAM
 * must be identity-mapped when a DMA-capable device is given.
 */
#define MAX_DEVICES 64
enum dev_state { DEV_GIVEN, DEV_WITHHELD };
static struct {
    int node;
    enum dev_state state;
    bool dma; /* DMA-capable with a device behind it */
} devices[MAX_DEVICES];
static unsigned device_count;
static int described[MAX_DEVICES];
static unsigned described_count;
static struct hyp_range withheld_pages[MAX_DEVICES];
static unsigned withheld_page_count;
static unsigned withheld_dma, given_dma;

static uint64_t page_down(uint64_t x)
{
    return x & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t x)
{
    return (x + PAGE - 1) & ~(PAGE - 1);
}

static int device_index(int node)
{
    for (unsigned i = 0; i < device_count; i++)
        if (devices[i].node == node)
            return (int)i;
    return -1;
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

static void withhold_page(uint64_t base, uint64_t size)
{
    if (withheld_page_count == MAX_DEVICES)
        hyp_panic("more than %u withheld device ranges", MAX_DEVICES);
    withheld_pages[withheld_page_count++] =
        (struct hyp_range){page_down(base), page_up(base + size) - page_down(base)};
}

/* Pass 1, per reg entry: decide each node at its first entry; note the pages
 * of everything withheld. */
static int classify(const struct hyp_device *dev, void *arg)
{
    const void *dtb = arg;
    char err[HYP_GUEST_ERRLEN];
    int i = device_index(dev->node);
    bool dma;

    if (i < 0) {
        if (device_count == MAX_DEVICES)
            hyp_panic("the board has more than %u devices", MAX_DEVICES);
        i = (int)device_count++;
        devices[i].node = dev->node;
        devices[i].state = DEV_GIVEN;
        dma = hyp_policy_dma_capable(&policy, dtb, dev->node);
        if (fdt_node_check_compatible(dtb, dev->node, "qemu,fw-cfg-mmio") == 0) {
            devices[i].state = DEV_WITHHELD;
        } else if (hyp_guest_dtb_check_device(dtb, dev->node, err) != HYP_OK) {
            printf("thin-monitor: withheld, cannot be described: %s\n", err);
            devices[i].state = DEV_WITHHELD;
        } else if (dma && policy.dma_withhold) {
            devices[i].state = DEV_WITHHELD;
            withheld_dma++;
        } else if (dma) {
            devices[i].dma =
                fdt_node_check_compatible(dtb, dev->node, "virtio,mmio") != 0 ||
                virtio_populated(dev->reg.base);
        }
    }
    if (vuart_base != 0 && dev->reg.base <= vuart_base &&
        vuart_base < dev->reg.base + dev->reg.size)
        devices[i].state = DEV_WITHHELD;
    if (devices[i].state == DEV_WITHHELD)
        withhold_page(dev->reg.base, dev->reg.size);
    return 0;
}

/* Pass 2: a device sharing a page with a withheld one is withheld too. */
static int share_check(const struct hyp_device *dev, void *arg)
{
    int i = device_index(dev->node);

    (void)arg;
    if (i < 0 || devices[i].state != DEV_GIVEN)
        return 0;
    for (unsigned k = 0; k < withheld_page_count; k++)
        if (page_down(dev->reg.base) < withheld_pages[k].base + withheld_pages[k].size &&
            withheld_pages[k].base < page_up(dev->reg.base + dev->reg.size)) {
            printf("thin-monitor: withheld %s: it shares a page with a withheld device\n",
                   dev->name);
            devices[i].state = DEV_WITHHELD;
            break;
        }
    return 0;
}

/* The board's device ranges, walked once (each walk of the DTB costs about a
 * million instructions of boot time) and visited by each pass. */
static struct hyp_device ranges[2 * MAX_DEVICES];
static unsigned range_count;

static int collect(const struct hyp_device *dev, void *arg)
{
    (void)arg;
    if (range_count == 2 * MAX_DEVICES)
        hyp_panic("the board has more than %u device ranges", 2 * MAX_DEVICES);
    ranges[range_count++] = *dev;
    return 0;
}

static void for_each_range(hyp_device_fn fn, void *arg)
{
    for (unsigned i = 0; i < range_count; i++)
        fn(&ranges[i], arg);
}

static void classify_devices(const void *dtb)
{
    int rc = hyp_platform_for_each_device(dtb, collect, NULL);

    if (rc != HYP_OK)
        hyp_panic("cannot walk the boot DTB's devices: %s", hyp_strerror(rc));
    for_each_range(classify, (void *)(uintptr_t)dtb);
    for_each_range(share_check, NULL);
    for (unsigned i = 0; i < device_count; i++)
        given_dma += devices[i].state == DEV_GIVEN && devices[i].dma;
    if (withheld_dma != 0)
        printf("thin-monitor: policy %s: %u DMA-capable devices withheld "
               "(dma-devices = \"withhold\")\n",
               policy.path, withheld_dma);
}

/* Pass 3, once the VM has its virtual GIC: map what is given, forward its
 * SPIs, describe it. */
static int pass_through(const struct hyp_device *dev, void *arg)
{
    uint64_t base = page_down(dev->reg.base);
    uint64_t end = page_up(dev->reg.base + dev->reg.size);
    int i = device_index(dev->node), rc;

    if (i < 0 || devices[i].state != DEV_GIVEN)
        return 0;
    /* This range's registers; its SPIs with the first range. */
    rc = hyp_vm_pass_device(arg, &dev->reg, 1, NULL, 0);
    if (rc != HYP_OK)
        hyp_panic("cannot pass %s through (%#llx..%#llx): %s", dev->name,
                  (unsigned long long)base, (unsigned long long)end - 1,
                  hyp_strerror(rc));
    if (dev->reg_index != 0)
        return 0;
    rc = hyp_vm_pass_device(arg, NULL, 0, dev->irqs, dev->irq_count);
    if (rc != HYP_OK)
        printf("thin-monitor: %s: an SPI not forwarded: %s\n", dev->name,
               hyp_strerror(rc));
    described[described_count++] = dev->node;
    return 0;
}

/*
 * Protected ranges outside the guest's RAM are backed with RAM from the end
 * of the monitor's reserve (at most MONITOR_HIDDEN_MAX), mapped at their IPA but left out
 * of the guest's /memory node: the guest reaches them only by address (e.g. /dev/mem in
 * Linux).
 */
static uint64_t hidden_ram_size(uint64_t ram_base, uint64_t ram_end)
{
    uint64_t total = 0;

    for (unsigned i = 0; i < policy.protect_count; i++) {
        const struct hyp_policy_protect *p = &policy.protect[i];

        if (p->base >= ram_end || p->base + p->size <= ram_base)
            total += p->size;
        else if (p->base < ram_base || p->base + p->size > ram_end)
            hyp_panic("monitor policy %s/%s: reg: the range is partly guest RAM (RAM "
                      "%#llx..%#llx)",
                      policy.path, p->name, (unsigned long long)ram_base,
                      (unsigned long long)ram_end - 1);
    }
    return total;
}

static void add_hidden_ram(uint64_t ram_base, uint64_t ram_end, uint64_t pa)
{
    for (unsigned i = 0; i < policy.protect_count; i++) {
        const struct hyp_policy_protect *p = &policy.protect[i];
        int rc = HYP_OK;

        if (p->base < ram_end && p->base + p->size > ram_base)
            continue;
        for (uint64_t off = 0; off < p->size && rc == HYP_OK; off += PAGE)
            if (hyp_pgtable_lookup(&vm.s2, hyp_ia(p->base + off), NULL) != HYP_ENOENT ||
                hyp_vm_find_mmio(&vm, p->base + off, PAGE) != NULL)
                rc = HYP_EEXIST;
        if (rc == HYP_OK)
            rc = hyp_el2_map(pa, p->size, HYP_PROT_RW);
        if (rc == HYP_OK) {
            memset((void *)(uintptr_t)pa, 0, p->size);
            hyp_el2_sync_for_guest(pa, p->size);
            hyp_el2_unmap(pa, p->size);
            rc = hyp_vm_add_ram(&vm, p->base, pa, p->size);
        }
        if (rc != HYP_OK)
            hyp_panic("monitor policy %s/%s: cannot back the range with RAM (it must not "
                      "overlap a device): %s",
                      policy.path, p->name, hyp_strerror(rc));
        pa += p->size;
    }
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
    struct hyp_range image = hyp_image_range();
    struct hyp_range forbidden[3] = {{bank->base, MONITOR_RESERVE}, image, plat->dtb};
    struct hyp_guest_modules mods;
    struct hyp_guest_boot boot;
    struct hyp_guest_dtb_cfg dtb_cfg = {0};
    uint64_t mpidr[HYP_MAX_CPUS];
    uint64_t pool_base = (image.base + image.size + PAGE - 1) & ~(PAGE - 1);
    uint64_t pool_end = bank->base + MONITOR_RESERVE;
    struct hyp_vm_config cfg = {
        .vmid = 1,
        .ipa_bits = IPA_BITS,
        .pa_bits = hyp_pa_bits(),
        .vcpus = vcpus,
        .vcpu_count = hyp_cpu_count(),
        .vcpu_pcpu = vcpu_pcpu,
        .pool = &s2_pool,
    };
    char err[HYP_GUEST_ERRLEN > HYP_POLICY_ERRLEN ? HYP_GUEST_ERRLEN : HYP_POLICY_ERRLEN];
    struct hyp_range keep = {bank->base, MONITOR_RESERVE};
    struct hyp_vm_ram ram;
    unsigned ram_count;
    uint64_t ram_size, hidden;
    int rc;

    rc = hyp_policy_parse(dtb, plat->dtb.size, &policy, err);
    if (rc != HYP_OK)
        hyp_panic("monitor policy rejected (%s): %s", hyp_strerror(rc), err);
    vuart_base = plat->uart.regs.base;
    classify_devices(dtb);
    /* DMA-capable devices use physical addresses: guest RAM must then be
     * where it is physically. Otherwise keep the board's RAM base, so that
     * guests linked for the bare board run unchanged. */
    rc = hyp_ram_layout(bank, 1, &keep, 1, given_dma ? HYP_RAM_IDENTITY : HYP_RAM_PACKED,
                        0, &ram, 1, &ram_count);
    if (rc != HYP_OK)
        hyp_panic("cannot lay out guest RAM: %s", hyp_strerror(rc));
    ram_size = ram.size;
    hidden = hidden_ram_size(ram.ipa, ram.ipa + ram_size);
    if (hidden > MONITOR_HIDDEN_MAX)
        hyp_panic("monitor policy %s: protected ranges outside guest RAM take %llu KiB, "
                  "more than the %llu KiB the monitor can back",
                  policy.path, (unsigned long long)hidden >> 10,
                  MONITOR_HIDDEN_MAX >> 10);
    pool_end -= hidden;
    if (image.base < bank->base || pool_base + 64 * PAGE > pool_end ||
        bank->size <= 2 * MONITOR_RESERVE)
        hyp_panic("the monitor must sit in the first %llu MiB of a RAM bank larger than "
                  "%llu MiB (image %#llx, bank %#llx+%#llx)",
                  MONITOR_RESERVE >> 20, 2 * MONITOR_RESERVE >> 20,
                  (unsigned long long)image.base, (unsigned long long)bank->base,
                  (unsigned long long)bank->size);
    printf("thin-monitor: %u CPUs, guest RAM %#llx..%#llx %s\n", hyp_cpu_count(),
           (unsigned long long)ram.ipa, (unsigned long long)(ram.ipa + ram_size - 1),
           given_dma ? "at its own physical address (DMA-capable devices given)"
                     : "backed 16 MiB higher (no DMA-capable device given)");
    print_policy();

    rc = hyp_guest_modules_find(dtb, plat->dtb.size, forbidden, 3, &mods, err);
    if (rc != HYP_OK)
        hyp_panic("no guest to run (%s): %s", hyp_strerror(rc), err);
    printf(
        "thin-monitor: kernel module %#llx+%#llx, initrd %#llx+%#llx, bootargs \"%s\"\n",
        (unsigned long long)mods.kernel.base, (unsigned long long)mods.kernel.size,
        (unsigned long long)mods.ramdisk.base, (unsigned long long)mods.ramdisk.size,
        mods.bootargs != NULL ? mods.bootargs : "");

    /* Stage-2 tables come from the rest of the monitor's reserved RAM. */
    rc = hyp_el2_map(pool_base, pool_end - pool_base, HYP_PROT_RW);
    if (rc == HYP_OK)
        rc = hyp_page_pool_init(&s2_pool, (void *)(uintptr_t)pool_base,
                                pool_end - pool_base);
    for (unsigned i = 0; i < cfg.vcpu_count; i++) {
        vcpu_pcpu[i] = i;
        mpidr[i] = i;
    }
    if (rc == HYP_OK)
        rc = hyp_vm_init(&vm, &cfg);
    if (rc == HYP_OK)
        rc = hyp_vm_add_ram(&vm, ram.ipa, ram.pa, ram.size);
    if (rc != HYP_OK)
        hyp_panic("cannot create the guest VM: %s", hyp_strerror(rc));
    if (vuart_base != 0) {
        static const struct hyp_vpl011_ops ops = {.tx = vuart_tx, .irq = vuart_irq};

        hyp_vpl011_init(&vuart, &ops, (void *)plat);
        rc = hyp_vm_add_mmio(&vm, vuart_base, HYP_VPL011_MMIO_SIZE, vuart_mmio, &vuart);
        /* Its handler only takes spinlocks and writes the UART: fast-path safe. */
        if (rc == HYP_OK)
            rc = hyp_vm_set_mmio_fast(&vm, vuart_base, true);
        if (rc != HYP_OK)
            hyp_panic("cannot emulate the guest's UART: %s", hyp_strerror(rc));
    }

    /* SMCCC services, the physical GIC at EL2 (tick, forwarded timers) and,
     * a virtual GIC of the board's kind for the guest where the board's is. */
    rc = hyp_vmbuild_setup(plat, TICK_HZ);
    if (rc != HYP_OK && rc != HYP_ENOTSUP)
        hyp_panic("cannot set up SMCCC, the GIC and the tick: %s", hyp_strerror(rc));
    if (rc == HYP_OK) {
        ticking = true;
        rc = hyp_vm_attach_host_vgic(&vm, &vgic, vgic_cpus, &plat->gic, guest_spis(dtb),
                                     &dtb_cfg.gic);
        if (rc != HYP_OK)
            hyp_panic("cannot give the guest a virtual GIC: %s", hyp_strerror(rc));
    } else {
        printf("thin-monitor: no tick and no virtual GIC (needs a GICv2 with "
               "virtualization extensions or a GICv3, and the EL2 timer)\n");
    }

    for_each_range(pass_through, &vm);
    add_hidden_ram(ram.ipa, ram.ipa + ram_size, pool_end);

    dtb_cfg.mpidr = mpidr;
    dtb_cfg.passthrough = described;
    dtb_cfg.passthrough_count = described_count;
    dtb_cfg.vcpu_count = cfg.vcpu_count;
    dtb_cfg.psci = HYP_PSCI_HVC;
    if (vm.vgic == NULL)
        dtb_cfg.gic = plat->gic;
    dtb_cfg.uart = plat->uart.regs;
    dtb_cfg.uart_irq = plat->uart.irq;
    /* The one guest gets the boot loader's randomness, as it would natively. */
    dtb_cfg.rng_seed = plat->rng_seed;
    dtb_cfg.rng_seed_len = plat->rng_seed_len;
    dtb_cfg.kaslr_seed = plat->kaslr_seed;
    rc = hyp_guest_load(&vm, dtb, &mods, &dtb_cfg, &boot, err);
    if (rc != HYP_OK)
        hyp_panic("cannot load the guest (%s): %s", hyp_strerror(rc), err);
    printf("thin-monitor: %s guest entry %#llx%s, DTB %#llx, stage 2 uses %llu pages\n",
           boot.kind == HYP_GUEST_IMAGE_LINUX ? "Linux Image" : "raw",
           (unsigned long long)boot.entry, boot.in_place ? " (in place)" : "",
           (unsigned long long)boot.dtb,
           (unsigned long long)hyp_page_pool_used(&s2_pool));

    rc = hyp_monitor_init(&monitor, &vm, &policy, event_line, NULL, err);
    if (rc != HYP_OK)
        hyp_panic("monitor policy not applicable (%s): %s", hyp_strerror(rc), err);

    for (unsigned i = 1; i < vm.vcpu_count; i++) {
        rc = hyp_cpu_start(i, secondary_main, &vcpus[i]);
        if (rc != HYP_OK)
            hyp_panic("cannot start CPU %u: %s", i, hyp_strerror(rc));
    }
    vcpus[0].boot_entry = boot.entry;
    vcpus[0].boot_context = boot.dtb;
    vcpus[0].power = HYP_VCPU_ON_PENDING;
    printf("thin-monitor: starting the guest; monitor lines are tagged [hyp]\n");
    hyp_console_set_tag("[hyp] ");
    run_vcpu(&vcpus[0]);
    return 0;
}
