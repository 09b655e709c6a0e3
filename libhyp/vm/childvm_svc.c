/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The child-VM hypercalls (docs/bindings/child-vms.md) for VMs built with
 * hyp/vmbuild.h: an SMCCC service of the vendor-specific hypervisor owner
 * that decodes the calls for struct hyp_childvm_table, and CHILD_INVOKE on
 * the calling CPU's VM stack (hyp/vmstack.h). Target only.
 */
#include <string.h>

#include <stdio.h>

#include <hyp/childvm.h>
#include <hyp/console.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/smccc.h>
#include <hyp/sysreg.h>
#include <hyp/vmbuild.h>
#include <hyp/vconsole.h>
#include <hyp/vmstack.h>
#include <hyp/vpl011.h>
#include "../core/el2_mmu.h"

/* How long one invocation may run before the child counts as faulted. */
#define BUDGET_MS 2000u

static struct hyp_childvm_table *table;

/* A child's console: a virtual PL011 whose lines are tagged with its name. */
struct child_console {
    struct hyp_spinlock lock;
    struct hyp_vpl011 uart;
    struct hyp_vcons_line line;
    char tag[HYP_VMCONFIG_NAME_LEN + 4];
};
static struct child_console consoles[HYP_CHILDVM_MAX];
/* When each CPU's current invocation started (counter ticks). */
static uint64_t started[HYP_MAX_CPUS];

static void console_emit(void *arg, const char *buf, size_t len)
{
    struct child_console *c = arg;

    hyp_console_tagged_write(c->tag, buf, len);
}

static void console_tx(void *ctx, const char *buf, size_t len)
{
    struct child_console *c = ctx;

    hyp_vcons_line_put(&c->line, buf, len, console_emit, c);
}

static void console_irq(void *ctx, bool level)
{
    (void)ctx, (void)level; /* a child has no interrupt controller */
}

static const struct hyp_vpl011_ops console_ops = {.tx = console_tx, .irq = console_irq};

static int console_mmio(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                        uint64_t *val, void *arg)
{
    struct child_console *c = arg;
    int rc;

    (void)vcpu;
    hyp_spin_lock(&c->lock);
    rc = hyp_vpl011_mmio(&c->uart, offset, size, write, val);
    hyp_spin_unlock(&c->lock);
    return rc;
}

/*
 * Caches. EL2 reads and writes the VMs' memory through cacheable mappings,
 * while a child starts with its MMU off and a parent may write what it
 * hands over non-cacheable (Linux through /dev/mem maps RAM it does not
 * own as Device memory): what EL2 wrote for such a reader goes to the point
 * of coherency, and what such a writer wrote is read past any line EL2 may
 * hold. (QEMU has no caches; hardware has.)
 */
static void clean_zeroed(uint64_t pa, uint64_t size)
{
    arch_dcache_clean_range(pa, pa + size);
}

/* Clean and invalidate @size bytes at the caller's @ipa, if they lie in its
 * (contiguous) RAM; what does not is refused by the call anyway. */
static void fresh(const struct hyp_vm *vm, uint64_t ipa, uint64_t size)
{
    const struct hyp_vm_ram *ram = &vm->ram[0];
    uint64_t pa;

    if (vm->ram_count == 0 || ram->colour != NULL || ipa < ram->ipa ||
        ipa - ram->ipa >= ram->size || size > ram->size - (ipa - ram->ipa))
        return;
    pa = ram->pa + (ipa - ram->ipa);
    arch_dcache_clean_range(pa, pa + size);
    arch_dcache_inval_range(pa, pa + size);
}

/* A new child (hyp_childvm_table::on_create): its image and DTB to the
 * point of coherency, and with `vpl011` its console where its DTB says. */
static void console_attach(struct hyp_childvm *ch, void *arg)
{
    struct child_console *c = &consoles[ch->id - HYP_CHILDVM_FIRST_ID];

    (void)arg;
    hyp_el2_sync_for_guest(ch->pa, ch->image_size);
    hyp_el2_sync_for_guest(ch->pa + ch->size - HYP_CHILDVM_DTB_SIZE,
                           HYP_CHILDVM_DTB_SIZE);
    if (!ch->cfg.console || table->console_base == 0)
        return;
    memset(c, 0, sizeof(*c));
    snprintf(c->tag, sizeof(c->tag), "[%s] ", ch->cfg.name);
    hyp_vpl011_init(&c->uart, &console_ops, c);
    /* Its first emulated region: there is room. */
    (void)hyp_vm_add_mmio(&ch->vm, table->console_base, HYP_VPL011_MMIO_SIZE,
                          console_mmio, c);
}

static struct hyp_childvm *child_of_vcpu(struct hyp_vcpu *vcpu)
{
    unsigned id = vcpu->vm->vmid;

    if (id < HYP_CHILDVM_FIRST_ID || id >= HYP_CHILDVM_FIRST_ID + HYP_CHILDVM_MAX)
        return NULL;
    return &table->children[id - HYP_CHILDVM_FIRST_ID];
}

/* A child's exits: its CHILD_RETURN / CHILD_YIELD end the call; an abort
 * (it maps nothing but its memory and what it was shared, and emulates
 * nothing but its console) kills it. */
static bool child_exit(struct hyp_vmstack *s, struct hyp_vcpu *callee,
                       const struct hyp_exit *exit, void *arg)
{
    struct hyp_childvm *ch = child_of_vcpu(callee);
    uint32_t fid = (uint32_t)callee->regs.x[0];
    enum hyp_vmstack_reason why;

    (void)arg;
    if (ch == NULL)
        return false;
    if (exit->kind == HYP_EXIT_DABT && exit->u.dabt.ipa_valid &&
        hyp_vm_find_mmio(callee->vm, exit->u.dabt.ipa, 1) != NULL)
        return false; /* its console: emulated */
    if (exit->kind == HYP_EXIT_DABT || exit->kind == HYP_EXIT_IABT) {
        hyp_vmstack_pop(s, HYP_VMSTACK_FAULTED, NULL, 0);
        return true;
    }
    if ((exit->kind != HYP_EXIT_HVC && exit->kind != HYP_EXIT_SMC) ||
        (fid != HYP_CHILDVM_FID_RETURN && fid != HYP_CHILDVM_FID_YIELD))
        return false;
    if (exit->kind == HYP_EXIT_SMC) /* a trapped SMC returns to itself */
        callee->regs.pc += 4;
    for (unsigned i = 0; i < 3; i++)
        ch->results[i] = callee->regs.x[1 + i];
    why = fid == HYP_CHILDVM_FID_RETURN ? HYP_VMSTACK_RETURNED : HYP_VMSTACK_YIELDED;
    hyp_vmstack_pop(s, why, NULL, 0);
    return true;
}

static bool child_overdue(struct hyp_vcpu *caller, struct hyp_vcpu *callee,
                          uint64_t ret[HYP_VMSTACK_MAX_REGS], unsigned *nret, void *arg)
{
    (void)caller, (void)callee, (void)ret, (void)arg;
    *nret = 0;
    return read_sysreg(cntpct_el0) - started[hyp_cpu_id()] >
           read_sysreg(cntfrq_el0) / 1000 * BUDGET_MS;
}

static const struct hyp_vmstack_ops child_ops = {
    .exit = child_exit,
    .overdue = child_overdue,
};

static void invoke(struct hyp_vcpu *vcpu, const uint64_t args[7], uint64_t ret[4])
{
    struct hyp_vmstack *s = hyp_vmstack_this_cpu();
    struct hyp_childvm *ch;
    enum hyp_childvm_state was;
    uint64_t regs[4] = {0, args[1], args[2], args[3]};
    unsigned nregs = 4;
    enum hyp_vmstack_reason why;

    hyp_spin_lock(&table->lock);
    ch = hyp_childvm_find(table, vcpu->vm->vmid, (unsigned)args[0]);
    if (ch == NULL || s == NULL) {
        hyp_spin_unlock(&table->lock);
        ret[0] = (uint64_t)(int64_t)HYP_CHILDVM_NO_CHILD;
        return;
    }
    was = ch->state;
    if (was == HYP_CHILDVM_RUNNING || was == HYP_CHILDVM_STATE_FAULTED) {
        hyp_spin_unlock(&table->lock);
        ret[0] = (uint64_t)(int64_t)(was == HYP_CHILDVM_RUNNING ? HYP_CHILDVM_BUSY
                                                                : HYP_CHILDVM_DENIED);
        return;
    }
    ch->state = HYP_CHILDVM_RUNNING;
    hyp_spin_unlock(&table->lock);

    /* It runs where its parent calls from. */
    ch->vcpu.pcpu = vcpu->pcpu;
    ch->vcpu_pcpu = vcpu->pcpu;
    if (was == HYP_CHILDVM_CREATED) {
        hyp_vm_set_fast_exits(&ch->vm, false); /* interrupts must reach EL2 */
        hyp_vcpu_reset(&ch->vcpu, ch->vcpu.boot_entry, ch->vcpu.boot_context);
        __atomic_store_n(&ch->vcpu.power, HYP_VCPU_ON, __ATOMIC_RELEASE);
        regs[0] = ch->vcpu.boot_context; /* x0: its DTB */
    } else if (was == HYP_CHILDVM_STOPPED) {
        nregs = 0; /* resumed where the interrupt stopped it */
    }
    started[hyp_cpu_id()] = read_sysreg(cntpct_el0);
    if (hyp_vmstack_push(s, vcpu, &ch->vcpu, regs, nregs) != HYP_OK) {
        __atomic_store_n(&ch->state, was, __ATOMIC_RELEASE);
        ret[0] = (uint64_t)(int64_t)HYP_CHILDVM_BUSY;
        return;
    }
    why = hyp_vmstack_run(s, &child_ops);
    /* Its EL1 state leaves this CPU now: the slot may be reused once it is
     * destroyed. */
    hyp_vcpu_put(&ch->vcpu);

    ret[0] = HYP_CHILDVM_SUCCESS;
    switch (why) {
    case HYP_VMSTACK_RETURNED:
    case HYP_VMSTACK_YIELDED:
        ret[1] = why == HYP_VMSTACK_RETURNED ? HYP_CHILDVM_RETURNED : HYP_CHILDVM_YIELDED;
        ret[2] = ch->results[0];
        ret[3] = ch->results[1];
        vcpu->regs.x[4] = ch->results[2];
        was = HYP_CHILDVM_READY;
        break;
    case HYP_VMSTACK_FOREIGN_IRQ:
        ret[1] = HYP_CHILDVM_INTERRUPTED;
        vcpu->regs.x[4] = 0;
        was = HYP_CHILDVM_STOPPED;
        break;
    default:
        ret[1] = HYP_CHILDVM_FAULTED;
        vcpu->regs.x[4] = 0;
        was = HYP_CHILDVM_STATE_FAULTED;
        break;
    }
    __atomic_store_n(&ch->state, was, __ATOMIC_RELEASE);
}

static void query(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                  uint64_t ret[4])
{
    struct hyp_childvm *ch;
    uint64_t digest[4];

    hyp_spin_lock(&table->lock);
    ch = hyp_childvm_find(table, vcpu->vm->vmid, (unsigned)args[0]);
    if (ch == NULL) {
        ret[0] = (uint64_t)(int64_t)HYP_CHILDVM_NO_CHILD;
    } else if (fid == HYP_CHILDVM_FID_QUERY) {
        ret[0] = HYP_CHILDVM_SUCCESS;
        ret[1] = ch->state;
        ret[2] = ch->size;
        ret[3] = hyp_childvm_count(table, ch->id);
    } else {
        hyp_childvm_digest_regs(ch->digest, digest);
        ret[0] = HYP_CHILDVM_SUCCESS;
        memcpy(&ret[1], digest, 3 * sizeof(digest[0]));
        vcpu->regs.x[4] = digest[3];
    }
    hyp_spin_unlock(&table->lock);
}

static void child_call(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                       uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    unsigned caller = vcpu->vm->vmid, handle = 0;

    if (fid < HYP_CHILDVM_FID_VERSION || fid > HYP_CHILDVM_FID_LAST) {
        hyp_vmbuild_doorbell(vcpu, fid, args, ret, conduit);
        return;
    }
    if (fid == HYP_CHILDVM_FID_VERSION) {
        ret[0] = HYP_CHILDVM_VERSION;
        return;
    }
    if (caller >= HYP_OWNER_MAX_VMS || table->creators[caller].vm == NULL)
        return; /* NOT_SUPPORTED, prefilled */
    switch (fid) {
    case HYP_CHILDVM_FID_CREATE:
        if (args[1] <= HYP_CHILDVM_CONFIG_MAX)
            fresh(table->creators[caller].vm, args[0], args[1]);
        if (args[3] <= table->creators[caller].max_memory)
            fresh(table->creators[caller].vm, args[2], args[3]);
        ret[0] = (uint64_t)(int64_t)hyp_childvm_create(table, caller, args[0], args[1],
                                                       args[2], args[3], args[4], args[5],
                                                       &handle, NULL);
        ret[1] = handle;
        break;
    case HYP_CHILDVM_FID_INVOKE:
        invoke(vcpu, args, ret);
        break;
    case HYP_CHILDVM_FID_DESTROY:
        ret[0] = (uint64_t)(int64_t)hyp_childvm_destroy(table, caller, (unsigned)args[0]);
        break;
    case HYP_CHILDVM_FID_QUERY:
    case HYP_CHILDVM_FID_MEASURE:
        query(vcpu, fid, args, ret);
        break;
    case HYP_CHILDVM_FID_SHARE:
        ret[0] = (uint64_t)(int64_t)hyp_childvm_share(
            table, caller, (unsigned)args[0], args[1], args[2], args[3], args[4] == 1);
        break;
    case HYP_CHILDVM_FID_UNSHARE:
        ret[0] = (uint64_t)(int64_t)hyp_childvm_unshare(table, caller, (unsigned)args[0],
                                                        args[1], args[2]);
        break;
    default: /* RETURN and YIELD outside an invocation, reserved IDs */
        break;
    }
}

static const struct hyp_smccc_service child_service = {
    .name = "child-vms",
    .owner_first = SMCCC_OWNER_VENDOR_HYP,
    .owner_last = SMCCC_OWNER_VENDOR_HYP,
    .handler = child_call,
};

int hyp_childvm_service_start(struct hyp_childvm_table *t, struct hyp_owner *own,
                              struct hyp_vmbuild *vms, unsigned count,
                              struct hyp_page_pool *pool, struct hyp_owner_page *pages,
                              size_t page_count)
{
    int rc = hyp_owner_init(own);

    if (rc == HYP_OK)
        rc = hyp_childvm_table_init(t, own, pool, HYP_VMBUILD_IPA_BITS, hyp_pa_bits());
    if (rc == HYP_OK) {
        t->console_base = hyp_platform_get()->uart.regs.base;
        own->zeroed = clean_zeroed;
        t->on_create = console_attach;
    }
    for (unsigned i = 0; rc == HYP_OK && i < count; i++) {
        struct hyp_vmbuild *b = &vms[i];
        size_t need = 0;

        if (b->cfg->caps & HYP_VMCONFIG_CAP_CREATE_VMS) {
            need = (size_t)(b->vm.ram[0].size / HYP_OWNER_PAGE);
            if (pages == NULL) { /* from the pool: one block per VM */
                size_t bytes = need * sizeof(struct hyp_owner_page), n = 1;

                while (n * HYP_PAGE_SIZE < bytes)
                    n <<= 1;
                pages = hyp_page_pool_alloc_contig(pool, n);
                if (pages == NULL)
                    return HYP_ENOMEM;
                page_count = n * HYP_PAGE_SIZE / sizeof(struct hyp_owner_page);
            }
            if (need > page_count)
                return HYP_ENOMEM;
            /* Images are copied into, and memory zeroed in, its RAM. */
            rc = hyp_el2_map(b->vm.ram[0].pa, b->vm.ram[0].size, HYP_PROT_RW);
        }
        if (rc == HYP_OK)
            rc = hyp_childvm_add_vm(t, b->vm.vmid, &b->vm, b->cfg, need ? pages : NULL,
                                    need);
        if (need != 0) {
            pages += need;
            page_count -= need;
            if (page_count == 0)
                pages = NULL; /* all used: the next VM's come from the pool */
        }
    }
    if (rc == HYP_OK)
        rc = hyp_smccc_register(&child_service);
    if (rc == HYP_OK)
        table = t;
    return rc;
}
