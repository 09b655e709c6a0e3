/* SPDX-License-Identifier: BSD-2-Clause */
/* Building a VM from its validated description, and running it (target only). */
#include <stdio.h>
#include <string.h>
#include <hyp/arch.h>
#include <hyp/cpu.h>
#include <hyp/console.h>
#include <hyp/error.h>
#include <hyp/gic.h>
#include <hyp/mm.h>
#include <hyp/smccc.h>
#include <hyp/sysreg.h>
#include <hyp/vmbuild.h>
#include "../core/percpu.h"

#define PAGE 4096ULL

/* CNTHP_CTL_EL2, CNTHP_CVAL_EL2: the EL2 physical timer drives the tick. */
#define CNTHP_CTL(v)  write_sysreg(S3_4_C14_C2_1, v)
#define CNTHP_CVAL(v) write_sysreg(S3_4_C14_C2_2, v)

static const struct hyp_platform *platform;
static uint32_t tick_intid;
static uint64_t tick_period;
static unsigned tick_hz_set;              /* 0: no tick */
static uint64_t ticks[HYP_MAX_CPUS];      /* ticks taken per CPU */
static uint64_t ticks_seen[HYP_MAX_CPUS]; /* ... of which the run loop knows */
static struct hyp_spinlock poll_lock = HYP_SPINLOCK_INIT;
static bool set_up; /* hyp_vmbuild_setup() registered the SMCCC services */
/* The VMs built, by index: the doorbell call finds its caller and peer here. */
static struct hyp_vmbuild *built[HYP_VMCONFIG_MAX_VMS];

static void on_tick(uint32_t intid, void *arg)
{
    (void)arg;
    ticks[hyp_cpu_id()]++;
    /* Held-back [hyp] lines go out once the guests pause. */
    if (hyp_cpu_id() == 0)
        hyp_console_sync();
    CNTHP_CVAL(read_sysreg(cntpct_el0) + tick_period);
    hyp_gic_eoi(intid);
}

void hyp_vmbuild_tick_by(uint64_t cval)
{
    if (tick_hz_set != 0 && cval < read_sysreg(S3_4_C14_C2_2)) /* CNTHP_CVAL_EL2 */
        CNTHP_CVAL(cval);
}

int hyp_vmbuild_setup(const struct hyp_platform *plat, unsigned tick_hz)
{
    int rc = hyp_smccc_register_defaults();

    hyp_vm_decode_insns();
    if (rc != HYP_OK)
        return rc;
    hyp_smccc_probe_firmware();
    set_up = true;
    if (plat->timer.hyp_phys.intid == 0 || tick_hz == 0)
        return HYP_ENOTSUP;
    rc = hyp_gic_init(plat);
    if (rc == HYP_OK)
        rc = hyp_irq_register(plat->timer.hyp_phys.intid, on_tick, NULL);
    if (rc != HYP_OK)
        return rc;
    platform = plat;
    tick_hz_set = tick_hz;
    tick_intid = plat->timer.hyp_phys.intid;
    tick_period = read_sysreg(cntfrq_el0) / tick_hz;
    return HYP_OK;
}

uint64_t hyp_vmbuild_ticks(unsigned *hz)
{
    uint64_t total = 0;

    for (unsigned i = 0; i < HYP_MAX_CPUS; i++)
        total += __atomic_load_n(&ticks[i], __ATOMIC_RELAXED);
    if (hz != NULL)
        *hz = tick_hz_set;
    return total;
}

int hyp_vmbuild_cpu_prepare(void)
{
    int rc;

    if (platform == NULL)
        return HYP_EINVAL;
    rc = hyp_gic_cpu_init();
    if (rc == HYP_OK)
        rc = hyp_vgic_cpu_prepare(platform);
    if (rc == HYP_OK)
        rc = hyp_gic_enable_ppi(tick_intid, 0x80);
    if (rc != HYP_OK)
        return rc;
    CNTHP_CVAL(read_sysreg(cntpct_el0) + tick_period);
    CNTHP_CTL(1);
    return HYP_OK;
}

_Noreturn void hyp_vmbuild_cpu_park(void)
{
    CNTHP_CTL(0);
    write_sysreg(cntv_ctl_el0, 0);
    write_sysreg(cntp_ctl_el0, 0);
    hyp_gic_cpu_disable();
    hyp_halt_cpu();
}

/* ---- the virtual PL011 ---------------------------------------------------- */

static void line_emit(void *arg, const char *buf, size_t len)
{
    struct hyp_vmbuild *b = arg;

    hyp_console_tagged_write(b->tag, buf, len);
}

void hyp_vmbuild_console_tagged(struct hyp_vmbuild *b, const char *buf, size_t len)
{
    hyp_vcons_line_put(&b->line, buf, len, line_emit, b);
}

void hyp_vmbuild_console_raw(struct hyp_vmbuild *b, const char *buf, size_t len)
{
    (void)b;
    hyp_console_guest_write(buf, len);
}

/* Called with uart_lock held (from the model). */
static void uart_tx(void *ctx, const char *buf, size_t len)
{
    struct hyp_vmbuild *b = ctx;

    b->extra->console(b, buf, len);
}

static void uart_irq(void *ctx, bool level)
{
    struct hyp_vmbuild *b = ctx;

    if (b->vm.vgic != NULL)
        hyp_vgic_inject(b->vm.vgic, 0, b->cfg->console_intid, level, 0);
}

static int uart_mmio(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                     uint64_t *val, void *arg)
{
    struct hyp_vmbuild *b = arg;
    int rc;

    (void)vcpu;
    hyp_spin_lock(&b->uart_lock);
    rc = hyp_vpl011_mmio(&b->uart, offset, size, write, val);
    hyp_spin_unlock(&b->uart_lock);
    return rc;
}

static const struct hyp_vpl011_ops uart_ops = {.tx = uart_tx, .irq = uart_irq};

/* ---- doorbells ---------------------------------------------------------------- */

#define SMCCC_RET_INVALID_PARAMETERS (-2)

static struct hyp_vmbuild *built_vm(const struct hyp_vm *vm)
{
    for (unsigned i = 0; i < HYP_VMCONFIG_MAX_VMS; i++)
        if (built[i] != NULL && &built[i]->vm == vm)
            return built[i];
    return NULL;
}

/* Make the peer's doorbell SPI pending: an edge (up, then down), under the
 * lock that keeps hyp_vmbuild_restart() off its vGIC meanwhile. */
static bool ring(struct hyp_vmbuild *caller, uint64_t base)
{
    const struct hyp_vmconfig_vm *v = caller->cfg;

    for (unsigned i = 0; i < v->shm_count; i++) {
        const struct hyp_vmconfig_shm *shm = &caller->config->shm[v->shm[i]];
        unsigned other = shm->vm[0] == caller->index ? 1 : 0;
        struct hyp_vmbuild *peer;

        if (shm->range.base != base)
            continue;
        peer = shm->vm[other] < HYP_VMCONFIG_MAX_VMS ? built[shm->vm[other]] : NULL;
        if (peer == NULL || peer->vm.vgic == NULL)
            return true; /* nobody to ring: rung all the same */
        hyp_spin_lock(&peer->uart_lock);
        hyp_vgic_inject(peer->vm.vgic, 0, shm->doorbell[other], true, 0);
        hyp_vgic_inject(peer->vm.vgic, 0, shm->doorbell[other], false, 0);
        hyp_spin_unlock(&peer->uart_lock);
        return true;
    }
    return false;
}

void hyp_vmbuild_doorbell(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                          uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    struct hyp_vmbuild *b = built_vm(vcpu->vm);

    (void)conduit;
    if (fid != HYP_VMBUILD_DOORBELL_FID || b == NULL)
        return; /* NOT_SUPPORTED, prefilled */
    ret[0] = (uint64_t)(int64_t)(ring(b, args[0]) ? SMCCC_RET_SUCCESS
                                                  : SMCCC_RET_INVALID_PARAMETERS);
}

static const struct hyp_smccc_service doorbell_service = {
    .name = "vmbuild-doorbell",
    .owner_first = SMCCC_OWNER_VENDOR_HYP,
    .owner_last = SMCCC_OWNER_VENDOR_HYP,
    .handler = hyp_vmbuild_doorbell,
};

/* ---- building ------------------------------------------------------------- */

/* The hypervisor's logical index of the CPU with affinity @mpidr. */
static int logical_cpu(uint64_t mpidr)
{
    for (unsigned i = 0; i < hyp_cpu_count(); i++)
        if (hyp_cpu_mpidr(i) == mpidr)
            return (int)i;
    return -1;
}

static int fail(const struct hyp_vmconfig_vm *v, char *err, int rc, const char *what)
{
    snprintf(err, HYP_GUEST_ERRLEN, "%s (%s): %s: %s", v->node, v->name, what,
             hyp_strerror(rc));
    return rc;
}

static int add_devices(struct hyp_vmbuild *b, char *err)
{
    const struct hyp_vmconfig_vm *v = b->cfg;

    for (unsigned d = 0; d < v->device_count; d++) {
        const struct hyp_vmconfig_device *dev = &v->devices[d];
        int rc = hyp_vm_pass_device(&b->vm, dev->regs, dev->reg_count, dev->irqs,
                                    dev->irq_count);

        if (rc != HYP_OK)
            return fail(v, err, rc, dev->path);
    }
    for (unsigned d = 0; d < b->extra->device_count; d++) {
        const struct hyp_device *dev = &b->extra->devices[d];
        int rc = hyp_vm_pass_device(&b->vm, &dev->reg, 1, NULL, 0);

        if (rc != HYP_OK)
            return fail(v, err, rc, dev->name);
        /* The node's SPIs with its first range; one that cannot be
         * forwarded costs the guest that interrupt, not the device. */
        if (dev->reg_index == 0)
            rc = hyp_vm_pass_device(&b->vm, NULL, 0, dev->irqs, dev->irq_count);
        if (rc != HYP_OK && b->extra->report != NULL) {
            char line[HYP_GUEST_ERRLEN];

            snprintf(line, sizeof(line), "%s: an SPI not forwarded: %s", dev->name,
                     hyp_strerror(rc));
            b->extra->report(b->extra->report_arg, line);
        }
    }
    return HYP_OK;
}

/* Zero guest RAM from EL2 and make it visible to a guest with its MMU off. */
static int zero_ram(uint64_t pa, uint64_t size)
{
    int rc = hyp_el2_map(pa, size, HYP_PROT_RW);

    if (rc != HYP_OK)
        return rc;
    memset((void *)(uintptr_t)pa, 0, size);
    hyp_el2_sync_for_guest(pa, size);
    hyp_el2_unmap(pa, size);
    return HYP_OK;
}

/* RAM the guest is not told about: only where the VM has nothing yet. */
static int add_hidden(struct hyp_vmbuild *b, char *err)
{
    for (unsigned i = 0; i < b->extra->hidden_count; i++) {
        const struct hyp_vm_ram *r = &b->extra->hidden[i];
        int rc = HYP_OK;

        for (uint64_t off = 0; off < r->size && rc == HYP_OK; off += PAGE)
            if (hyp_pgtable_lookup(&b->vm.s2, hyp_ia(r->ipa + off), NULL) != HYP_ENOENT ||
                hyp_vm_find_mmio(&b->vm, r->ipa + off, PAGE) != NULL)
                rc = HYP_EEXIST;
        if (rc == HYP_OK)
            rc = zero_ram(r->pa, r->size);
        if (rc == HYP_OK)
            rc = hyp_vm_add_ram(&b->vm, r->ipa, r->pa, r->size);
        if (rc != HYP_OK) {
            snprintf(err, HYP_GUEST_ERRLEN, "%s (%s): hidden RAM %#llx+%#llx: %s",
                     b->cfg->node, b->cfg->name, (unsigned long long)r->ipa,
                     (unsigned long long)r->size,
                     rc == HYP_EEXIST ? "over its RAM, a device or an emulated region"
                                      : hyp_strerror(rc));
            return rc;
        }
    }
    return HYP_OK;
}

static int add_console(struct hyp_vmbuild *b, char *err)
{
    const struct hyp_vmconfig_vm *v = b->cfg;
    uint64_t base = v->console_regs.base;
    int rc;

    hyp_vpl011_init(&b->uart, &uart_ops, b);
    rc = hyp_vm_add_mmio(&b->vm, base, HYP_VPL011_MMIO_SIZE, uart_mmio, b);
    /* Its handler takes spinlocks and writes the UART: fast-path safe. */
    if (rc == HYP_OK)
        rc = hyp_vm_set_mmio_fast(&b->vm, base, true);
    return rc == HYP_OK ? HYP_OK : fail(v, err, rc, "vpl011");
}

/* Whether what the guest boots with lies in @r (e.g. its child-VM pool). */
static bool boot_overlaps(const struct hyp_guest_layout *l, const struct hyp_range *r)
{
    const struct hyp_range *parts[3] = {&l->kernel, &l->initrd, &l->dtb};

    for (unsigned i = 0; i < 3; i++)
        if (parts[i]->size != 0 && parts[i]->base < r->base + r->size &&
            r->base < parts[i]->base + parts[i]->size)
            return true;
    return false;
}

/* Describe the VM in a fresh guest DTB, load its modules, make vCPU 0 ready. */
static int load(struct hyp_vmbuild *b, char *err)
{
    const struct hyp_vmconfig_vm *v = b->cfg;
    const struct hyp_platform *plat = &b->config->plat;
    struct hyp_guest_modules mods;
    struct hyp_guest_dtb_cfg dc = {0};
    uint64_t mpidr[HYP_VMCONFIG_MAX_VCPUS];
    int nodes[HYP_VMBUILD_MAX_NODES], pci[HYP_VMCONFIG_MAX_DEVICES];
    unsigned node_count = 0, pci_count = 0;
    struct hyp_range shared[HYP_VMCONFIG_MAX_SHM];
    uint32_t bells[HYP_VMCONFIG_MAX_SHM];
    struct hyp_guest_seeds seeds;
    int rc;

    for (unsigned i = 0; i < v->vcpu_count; i++)
        mpidr[i] = b->vcpus[i].vmpidr;
    for (unsigned d = 0; d < v->device_count; d++) {
        if (v->devices[d].pci_host) /* described whole, without its SMMU */
            pci[pci_count++] = v->devices[d].node;
        else
            nodes[node_count++] = v->devices[d].node;
    }
    for (unsigned d = 0; d < b->extra->device_count; d++) {
        if (b->extra->devices[d].reg_index != 0)
            continue;
        if (node_count == HYP_VMBUILD_MAX_NODES)
            return fail(v, err, HYP_ENOMEM, "devices");
        nodes[node_count++] = b->extra->devices[d].node;
    }
    for (unsigned i = 0; i < v->shm_count; i++) {
        const struct hyp_vmconfig_shm *shm = &b->config->shm[v->shm[i]];

        shared[i] = shm->range;
        bells[i] = shm->doorbell[shm->vm[0] == b->index ? 0 : 1];
    }
    mods = (struct hyp_guest_modules){
        .kernel = v->kernel.range,
        .ramdisk = v->ramdisk.range,
        .bootargs = v->bootargs,
        .kernel_node = v->kernel.node,
        .ramdisk_node = v->ramdisk.node,
    };
    dc.mpidr = mpidr;
    dc.vcpu_count = v->vcpu_count;
    dc.psci = HYP_PSCI_HVC;
    if (b->vm.vgic != NULL)
        hyp_vm_guest_gic(&plat->gic, v->vcpu_count, &dc.gic);
    else
        dc.gic = plat->gic;
    if (v->console) {
        dc.uart = v->console_regs;
        dc.uart_irq = (struct hyp_irq){v->console_intid, 4};
    }
    dc.passthrough = nodes;
    dc.passthrough_count = node_count;
    dc.pci_hosts = pci;
    dc.pci_host_count = pci_count;
    dc.shared = shared;
    dc.shared_doorbell = bells;
    dc.shared_count = v->shm_count;
    if (v->hcpage_ipa)
        dc.hcpage = (struct hyp_range){v->hcpage_ipa, HYP_HCPAGE_SIZE};
    if (v->child_pool)
        dc.child_pool =
            (struct hyp_range){v->mem_ipa + v->mem.size - v->child_pool, v->child_pool};
    if (v->tee >= 0) /* its trusted OS answers Linux's OP-TEE driver */
        dc.optee_method = v->tee_hvc ? "hvc" : "smc";
    /* Randomness of its own, derived from the boot loader's, or the boot
     * loader's own for the machine's only guest. */
    dc.rng_seed = plat->rng_seed;
    dc.rng_seed_len = plat->rng_seed_len;
    dc.kaslr_seed = plat->kaslr_seed;
    if (b->extra->seeds != NULL) {
        b->extra->seeds(plat, b->index, &seeds);
        dc.rng_seed = seeds.rng;
        dc.rng_seed_len = seeds.rng_len;
        dc.kaslr_seed = seeds.kaslr;
    }
    rc = hyp_guest_load(&b->vm, b->dtb, &mods, &dc, &b->boot, err);
    if (rc != HYP_OK) {
        char why[HYP_GUEST_ERRLEN];

        memcpy(why, err, sizeof(why));
        snprintf(err, HYP_GUEST_ERRLEN, "%s (%s): loading: %.100s", v->node, v->name,
                 why);
        return rc;
    }
    if (v->child_pool && boot_overlaps(&b->boot.layout, &dc.child_pool)) {
        snprintf(err, HYP_GUEST_ERRLEN,
                 "%s (%s): child-vm-pool: its kernel, initrd or DTB lie in the pool at "
                 "guest 0x%llx; give it more memory or a smaller pool",
                 v->node, v->name, (unsigned long long)dc.child_pool.base);
        return HYP_ERANGE;
    }
    b->vcpus[0].boot_entry = b->boot.entry;
    b->vcpus[0].boot_context = b->boot.dtb;
    __atomic_store_n(&b->vcpus[0].power, HYP_VCPU_ON_PENDING, __ATOMIC_RELEASE);
    return HYP_OK;
}

int hyp_vmbuild_create(struct hyp_vmbuild *b, const struct hyp_vmconfig *cfg,
                       unsigned index, const void *dtb, struct hyp_page_pool *pool,
                       char *err)
{
    static const struct hyp_vmbuild_extra partition = {
        .console = hyp_vmbuild_console_tagged,
        .seeds = hyp_guest_seeds,
    };
    bool first = true;
    int rc = hyp_vmbuild_create_with(b, cfg, index, dtb, pool, &partition, err);

    if (rc != HYP_OK || index >= HYP_VMCONFIG_MAX_VMS)
        return rc;
    for (unsigned i = 0; i < HYP_VMCONFIG_MAX_VMS; i++)
        first = first && built[i] == NULL;
    if (first && cfg->shm_count != 0 &&
        (rc = hyp_smccc_register(&doorbell_service)) != HYP_OK)
        return fail(b->cfg, err, rc, "doorbell service");
    built[index] = b;
    return HYP_OK;
}

int hyp_vmbuild_create_with(struct hyp_vmbuild *b, const struct hyp_vmconfig *cfg,
                            unsigned index, const void *dtb, struct hyp_page_pool *pool,
                            const struct hyp_vmbuild_extra *extra, char *err)
{
    const struct hyp_vmconfig_vm *v;
    const struct hyp_platform *plat = &cfg->plat;
    struct hyp_vm_config vmc;
    int rc;

    err[0] = '\0';
    if (index >= cfg->vm_count || !set_up || extra == NULL || extra->console == NULL) {
        snprintf(err, HYP_GUEST_ERRLEN,
                 "VM %u: no such VM, no hyp_vmbuild_setup() or no console function",
                 index);
        return HYP_EINVAL;
    }
    v = &cfg->vms[index];
    memset(b, 0, sizeof(*b));
    b->cfg = v;
    b->index = index;
    b->extra = extra;
    b->uart_lock = (struct hyp_spinlock)HYP_SPINLOCK_INIT;
    snprintf(b->tag, sizeof(b->tag), "[%s] ", v->name);
    snprintf(b->focus_msg, sizeof(b->focus_msg),
             "console input goes to %s (%s); Ctrl-] n: next VM, Ctrl-] <digit>: VM n\n",
             v->name, v->node);
    for (unsigned i = 0; i < v->vcpu_count; i++) {
        int cpu = logical_cpu(v->vcpus[i].mpidr);

        if (cpu < 0) {
            snprintf(err, HYP_GUEST_ERRLEN, "%s (%s): cpus: CPU %#llx is not running",
                     v->node, v->name, (unsigned long long)v->vcpus[i].mpidr);
            return HYP_EINVAL;
        }
        b->vcpu_pcpu[i] = (unsigned)cpu;
    }
    vmc = (struct hyp_vm_config){
        .vmid = (uint16_t)(index + 1),
        .ipa_bits = HYP_VMBUILD_IPA_BITS,
        .pa_bits = hyp_pa_bits(),
        .vcpus = b->vcpus,
        .vcpu_count = v->vcpu_count,
        .vcpu_pcpu = b->vcpu_pcpu,
        .pool = pool,
    };
    rc = hyp_vm_init(&b->vm, &vmc);
    if (rc == HYP_OK)
        rc = v->colours ? hyp_vm_add_ram_coloured(&b->vm, v->mem_ipa, &v->layout)
                        : hyp_vm_add_ram(&b->vm, v->mem_ipa, v->mem.base, v->mem.size);
    if (rc != HYP_OK)
        return fail(v, err, rc, "memory");
    if (platform != NULL) /* hyp_vmbuild_setup() set the GIC up */
        rc = hyp_vm_attach_host_vgic(&b->vm, &b->vgic, b->vgic_cpus, &plat->gic,
                                     extra->spis != 0 ? extra->spis : HYP_VMBUILD_SPIS,
                                     NULL);
    if (rc != HYP_OK)
        return fail(v, err, rc, "virtual GIC");
    if (v->console && (rc = add_console(b, err)) != HYP_OK)
        return rc;
    if ((rc = add_devices(b, err)) != HYP_OK)
        return rc;
    for (unsigned s = 0; s < v->shm_count; s++) {
        const struct hyp_vmconfig_shm *shm = &cfg->shm[v->shm[s]];

        rc = hyp_vm_add_ram(&b->vm, shm->range.base, shm->range.base, shm->range.size);
        if (rc != HYP_OK)
            return fail(v, err, rc, shm->node);
    }
    if ((rc = add_hidden(b, err)) != HYP_OK)
        return rc;
    if (v->hcpage_ipa) {
        hyp_hcpage_init(&b->hcpage, 1ull << SMCCC_OWNER_VENDOR_HYP);
        rc = hyp_vm_add_mmio(&b->vm, v->hcpage_ipa, HYP_HCPAGE_SIZE, hyp_hcpage_mmio,
                             &b->hcpage);
        if (rc != HYP_OK)
            return fail(v, err, rc, "hypercall-page");
    }

    b->dtb = dtb;
    b->config = cfg;
    return load(b, err);
}

struct hyp_vmbuild *hyp_vmbuild_of_this_cpu(struct hyp_vmbuild *vms, unsigned count,
                                            unsigned *vcpu)
{
    unsigned cpu = hyp_cpu_id();

    for (unsigned i = 0; i < count; i++)
        for (unsigned n = 0; n < vms[i].vm.vcpu_count; n++)
            if (vms[i].vcpu_pcpu[n] == cpu) {
                *vcpu = n;
                return &vms[i];
            }
    return NULL;
}

/* ---- running -------------------------------------------------------------- */

static void flush_output(struct hyp_vmbuild *b)
{
    hyp_spin_lock(&b->uart_lock);
    b->line.idle = HYP_VCONS_IDLE_TICKS;
    hyp_vcons_line_tick(&b->line, line_emit, b);
    hyp_spin_unlock(&b->uart_lock);
}

int hyp_vmbuild_run_vcpu(struct hyp_vcpu *vcpu, const struct hyp_run_hooks *hooks)
{
    struct hyp_vm *vm = vcpu->vm;
    unsigned cpu = hyp_cpu_id();
    struct hyp_exit exit;

    if (vcpu->pcpu != cpu || cpu >= HYP_MAX_CPUS)
        return HYP_EINVAL;
    while (hyp_vcpu_wait_power_on(vcpu)) {
        while (__atomic_load_n(&vcpu->power, __ATOMIC_ACQUIRE) == HYP_VCPU_ON) {
            bool tick;

            if (hyp_vcpu_run(vcpu, &exit) != HYP_OK)
                return HYP_EINVAL;
            if (hooks == NULL || hooks->policy == NULL ||
                !hooks->policy(vcpu, &exit, hooks->arg))
                hyp_handle_exit(vcpu, &exit);
            tick = ticks[cpu] != ticks_seen[cpu];
            ticks_seen[cpu] = ticks[cpu];
            if (hooks != NULL && hooks->after != NULL)
                hooks->after(vcpu, &exit, tick, hooks->arg);
            if (__atomic_load_n(&vm->shutdown, __ATOMIC_ACQUIRE) != HYP_VM_RUNNING)
                return __atomic_load_n(&vm->shutdown, __ATOMIC_ACQUIRE);
        }
    }
    return __atomic_load_n(&vm->shutdown, __ATOMIC_ACQUIRE);
}

/* What the calling CPU holds for the vCPU that just left the run loop: its
 * list registers, the physical interrupts linked to them (active until a
 * guest EOI that will never come), the EL1 timers. */
static void quiesce_cpu(struct hyp_vcpu *vcpu)
{
    unsigned n = hyp_vgic_hw_nr_lrs();

    for (unsigned i = 0; i < n; i++) {
        uint64_t lr = hyp_vgic_hw_read_lr(i);

        if ((lr & HYP_ICH_LR_HW) && (lr & (HYP_ICH_LR_PENDING | HYP_ICH_LR_ACTIVE)))
            hyp_gic_deactivate(
                (uint32_t)((lr & HYP_ICH_LR_PINTID_MASK) >> HYP_ICH_LR_PINTID_SHIFT));
    }
    hyp_vgic_hw_cpu_init();
    hyp_this_cpu()->ich_hcr = HYP_ICH_HCR_EN;
    memset(vcpu->lrs, 0, sizeof(vcpu->lrs));
    write_sysreg(cntv_ctl_el0, 0);
    write_sysreg(cntp_ctl_el0, 0);
}

int hyp_vmbuild_run(struct hyp_vmbuild *b, unsigned index,
                    const struct hyp_run_hooks *hooks)
{
    if (index >= b->vm.vcpu_count)
        return HYP_EINVAL;
    for (;;) {
        unsigned gen = __atomic_load_n(&b->generation, __ATOMIC_ACQUIRE);
        int request = hyp_vmbuild_run_vcpu(&b->vcpus[index], hooks);

        if (request < 0)
            return request;
        if (b->vm.vgic != NULL)
            quiesce_cpu(&b->vcpus[index]);
        __atomic_add_fetch(&b->parked, 1, __ATOMIC_ACQ_REL);
        if (index == 0) {
            flush_output(b);
            return request;
        }
        if (request != HYP_VM_RESET)
            return HYP_VM_RUNNING;
        while (__atomic_load_n(&b->generation, __ATOMIC_ACQUIRE) == gen &&
               !__atomic_load_n(&b->stopped, __ATOMIC_ACQUIRE))
            hyp_cpu_relax();
        if (__atomic_load_n(&b->stopped, __ATOMIC_ACQUIRE))
            return HYP_VM_RUNNING;
    }
}

void hyp_vmbuild_stop(struct hyp_vmbuild *b)
{
    __atomic_store_n(&b->stopped, true, __ATOMIC_RELEASE);
}

/* Reset the VM's virtual GIC: the same frames, callbacks and vCPUs. */
static int vgic_reset(struct hyp_vmbuild *b)
{
    uint64_t mpidr[HYP_VMCONFIG_MAX_VCPUS];
    struct hyp_vgic_config vc = {
        .gicd_base = b->vgic.gicd_base,
        .gicr_base = b->vgic.gicr_base,
        .vcpu_count = b->vgic.vcpu_count,
        .vcpu_mpidr = mpidr,
        .nr_spis = b->vgic.nr_spis,
        .cpus = b->vgic_cpus,
        .kick = b->vgic.kick,
        .kick_arg = b->vgic.kick_arg,
        .line = b->vgic.line,
        .deactivate = b->vgic.deactivate,
    };

    for (unsigned i = 0; i < b->vm.vcpu_count; i++)
        mpidr[i] = b->vcpus[i].vmpidr;
    return hyp_vgic_init(&b->vgic, &vc);
}

int hyp_vmbuild_restart(struct hyp_vmbuild *b, char *err)
{
    const struct hyp_vmconfig_vm *v = b->cfg;
    const struct hyp_vm_ram *ram = &b->vm.ram[0];
    int rc;

    err[0] = '\0';
    if (b->vcpus[0].pcpu != hyp_cpu_id() ||
        __atomic_load_n(&b->vm.shutdown, __ATOMIC_ACQUIRE) != HYP_VM_RESET)
        return fail(v, err, HYP_EINVAL, "restart");
    while (__atomic_load_n(&b->parked, __ATOMIC_ACQUIRE) != b->vm.vcpu_count)
        hyp_cpu_relax();
    /* Its SPIs are routed to this CPU, which takes no interrupt meanwhile:
     * nothing but the console poller (under uart_lock) reaches its vGIC. */
    for (unsigned d = 0; d < v->device_count; d++)
        for (unsigned i = 0; i < v->devices[d].irq_count; i++)
            hyp_gic_deactivate(v->devices[d].irqs[i].intid);
    for (unsigned d = 0; d < b->extra->device_count; d++)
        for (unsigned i = 0; i < b->extra->devices[d].irq_count; i++)
            hyp_gic_deactivate(b->extra->devices[d].irqs[i].intid);
    rc = hyp_guest_ram_clear(ram);
    for (unsigned i = 0; i < b->extra->hidden_count && rc == HYP_OK; i++)
        rc = zero_ram(b->extra->hidden[i].pa, b->extra->hidden[i].size);
    if (rc != HYP_OK)
        return fail(v, err, rc, "clearing its memory");
    hyp_spin_lock(&b->uart_lock);
    rc = b->vm.vgic != NULL ? vgic_reset(b) : HYP_OK;
    if (v->console)
        hyp_vpl011_init(&b->uart, &uart_ops, b);
    hyp_spin_unlock(&b->uart_lock);
    if (rc != HYP_OK)
        return fail(v, err, rc, "virtual GIC");
    for (unsigned i = 0; i < b->vm.vcpu_count; i++)
        __atomic_store_n(&b->vcpus[i].power, HYP_VCPU_OFF, __ATOMIC_RELEASE);
    rc = load(b, err);
    if (rc != HYP_OK)
        return rc;
    __atomic_store_n(&b->parked, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&b->vm.shutdown, HYP_VM_RUNNING, __ATOMIC_RELEASE);
    __atomic_add_fetch(&b->generation, 1, __ATOMIC_ACQ_REL);
    return HYP_OK;
}

void hyp_vmbuild_console_poll(struct hyp_vmbuild *vms, unsigned count,
                              struct hyp_vcons_focus *focus)
{
    char buf[HYP_VPL011_FIFO_DEPTH];
    size_t n;

    if (!hyp_spin_trylock(&poll_lock))
        return;
    n = hyp_console_read(buf, sizeof(buf));
    for (size_t i = 0; i < n; i++) {
        struct hyp_vmbuild *b;

        switch (hyp_vcons_focus_key(focus, buf[i])) {
        case HYP_VCONS_KEY_SWITCHED:
            b = &vms[focus->focus < count ? focus->focus : 0];
            hyp_console_tagged_write("[hyp] ", b->focus_msg, strlen(b->focus_msg));
            break;
        case HYP_VCONS_KEY_CHECKPOINT:
            b = &vms[focus->focus < count ? focus->focus : 0];
            __atomic_store_n(&b->checkpoint_request, true, __ATOMIC_RELEASE);
            break;
        case HYP_VCONS_KEY_DELIVER:
            b = &vms[focus->focus < count ? focus->focus : 0];
            if (!b->cfg->console)
                break;
            hyp_spin_lock(&b->uart_lock);
            if (hyp_vpl011_rx_room(&b->uart) != 0)
                hyp_vpl011_rx(&b->uart, &buf[i], 1);
            hyp_spin_unlock(&b->uart_lock);
            break;
        default:
            break;
        }
    }
    for (unsigned i = 0; i < count; i++) {
        if (!hyp_spin_trylock(&vms[i].uart_lock))
            continue;
        hyp_vcons_line_tick(&vms[i].line, line_emit, &vms[i]);
        hyp_spin_unlock(&vms[i].uart_lock);
    }
    /* [hyp] lines held back behind a VM's open partial line go out now. */
    hyp_console_sync();
    hyp_spin_unlock(&poll_lock);
}

void hyp_vmbuild_console_input(struct hyp_vmbuild *b, hyp_vmbuild_input_fn filter,
                               void *arg)
{
    char buf[HYP_VPL011_FIFO_DEPTH];
    size_t room, n;

    hyp_spin_lock(&b->uart_lock);
    room = hyp_vpl011_rx_room(&b->uart);
    n = room != 0 ? hyp_console_read(buf, room < sizeof(buf) ? room : sizeof(buf)) : 0;
    if (filter != NULL)
        n = filter(arg, buf, n);
    if (n != 0)
        hyp_vpl011_rx(&b->uart, buf, n);
    hyp_spin_unlock(&b->uart_lock);
}

int hyp_vmbuild_pool_init(struct hyp_page_pool *pool, struct hyp_range keep, uint64_t end,
                          uint64_t min)
{
    struct hyp_range image = hyp_image_range();
    uint64_t base = (image.base + image.size + PAGE - 1) & ~(PAGE - 1);
    int rc;

    if (image.base < keep.base || base > end || end - base < min ||
        end - keep.base > keep.size)
        return HYP_ERANGE;
    rc = hyp_el2_map(base, end - base, HYP_PROT_RW);
    return rc == HYP_OK ? hyp_page_pool_init(pool, (void *)(uintptr_t)base, end - base)
                        : rc;
}
