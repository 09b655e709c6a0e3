/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The security monitor's mechanisms (target only): watched MMIO, protected
 * ranges in stage 2, control-register traps, system calls caught by FEAT_FGT
 * (HFGITR_EL2.SVC_EL0, with VBAR_EL1 writes trapped by HFGWTR_EL2) or else by
 * a breakpoint on the EL1 vector, interrupt counting and the monitor's
 * hypercalls. What to catch comes from
 * policy.c, how events are printed from events.c.
 */
#include <stdio.h>
#include <string.h>
#include <hyp/arch.h>
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/mmio.h>
#include <hyp/monitor.h>
#include <hyp/smccc.h>
#include <hyp/sysreg.h>
#include <hyp/vcpu.h>
#include "monitor_internal.h"

#define PAGE 4096ULL

#define HCR_TVM       (1ULL << 26)
#define MDCR_TDE      (1ULL << 8)
#define MDSCR_SS      (1ULL << 0)
#define MDSCR_KDE     (1ULL << 13)
#define MDSCR_MDE     (1ULL << 15)
#define PSTATE_SS     (1ULL << 21)
#define OSLSR_OSLM1   (1ULL << 3)
#define OSLSR_OSLK    (1ULL << 1)
/* DBGBCR: enabled, BAS = 0b1111, PMC = 0b01 (EL1 only), unlinked address. */
#define DBGBCR_EL1_BP 0x1e3ULL
#define VECTOR_LOWER  0x400ULL
#define ESR_EC(esr)   ((unsigned)((esr) >> 26) & 0x3f)
#define EC_SVC64      0x15
#define EC_SVC32      0x11
#define ESR_IL        (1ULL << 25)

static uint64_t now(void)
{
    return read_sysreg(cntpct_el0);
}

static void record(struct hyp_monitor *mon, struct hyp_event *ev, bool print)
{
    hyp_event_record(&mon->log, ev, print, now());
}

/* ---- Protected ranges ---------------------------------------------------- */

/* Union of the protection of every range containing @ipa (lock held). */
static unsigned prot_at(const struct hyp_monitor *mon, uint64_t ipa, unsigned *action)
{
    unsigned prot = 0, act = 0;

    for (unsigned i = 0; i < mon->range_count; i++) {
        const struct hyp_monitor_range *r = &mon->ranges[i];

        if (ipa >= r->ipa && ipa - r->ipa < r->size) {
            prot |= r->prot;
            act |= r->action;
        }
    }
    if (action != NULL)
        *action = act;
    return prot;
}

/* Stage-2 permissions of guest RAM pages under @prot. */
static unsigned s2_prot(unsigned prot)
{
    unsigned p = HYP_PROT_RWX;

    if (prot & HYP_POLICY_NO_WRITE)
        p &= ~(unsigned)HYP_PROT_W;
    if (prot & HYP_POLICY_NO_EXEC)
        p &= ~(unsigned)HYP_PROT_X;
    return p;
}

static bool is_guest_ram(const struct hyp_vm *vm, uint64_t ipa, uint64_t size)
{
    uint64_t pa;

    return hyp_vm_ram_to_pa(vm, ipa, size, &pa);
}

/* Add a range and tighten stage 2 over it, page by page where other ranges
 * overlap (lock held). The guest may be running: the table code does
 * break-before-make with TLB maintenance. */
int hyp_monitor_protect(struct hyp_monitor *mon, uint64_t ipa, uint64_t size,
                        unsigned prot, unsigned action)
{
    int rc = HYP_OK;

    if (mon->range_count == HYP_MONITOR_MAX_RANGES)
        return HYP_ENOMEM;
    mon->ranges[mon->range_count++] = (struct hyp_monitor_range){
        .ipa = ipa, .size = size, .prot = prot, .action = action};
    for (uint64_t off = 0; off < size && rc == HYP_OK;) {
        uint64_t at = ipa + off, run = PAGE;
        unsigned p = prot_at(mon, at, NULL);

        /* Extend over pages with the same resulting protection. */
        while (off + run < size && prot_at(mon, at + run, NULL) == p)
            run += PAGE;
        rc = hyp_pgtable_protect(&mon->vm->s2, hyp_ia(at), run, s2_prot(p));
        off += run;
    }
    return rc;
}

/* ---- Watched MMIO -------------------------------------------------------- */

static int watch_mmio(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                      uint64_t *val, void *arg)
{
    struct hyp_monitor_watch *w = arg;
    uint64_t pa = w->base + offset;
    bool deny = (w->action & HYP_ACT_DENY) != 0;
    struct hyp_event ev = {.kind = HYP_EV_MMIO, .vcpu = vcpu->id, .pc = vcpu->regs.pc};

    if (deny && !write)
        *val = 0;
    else if (!deny)
        *val = hyp_mmio_access((uintptr_t)pa, size, write, *val);
    ev.denied = deny;
    ev.u.mmio =
        (struct hyp_event_mmio){.ipa = pa, .val = *val, .size = size, .write = write};
    record(w->mon, &ev, (w->action & HYP_ACT_LOG) != 0);
    return HYP_OK;
}

/* ---- Interrupts ---------------------------------------------------------- */

static void on_irq(struct hyp_vm *vm, unsigned vcpu, uint32_t intid, void *arg)
{
    struct hyp_monitor *mon = arg;

    (void)vm;
    if (intid < HYP_MONITOR_MAX_INTID)
        __atomic_fetch_add(&mon->irq_count[intid], 1, __ATOMIC_RELAXED);
    if (mon->policy.irq_log) {
        struct hyp_event ev = {.kind = HYP_EV_IRQ, .vcpu = vcpu, .u.irq.intid = intid};

        record(mon, &ev, true);
    } else {
        hyp_event_count(&mon->log, HYP_EV_IRQ); /* on the exit fast path */
    }
}

/* ---- Set-up -------------------------------------------------------------- */

/* "<policy>/<entry>: <what>[: <error>]" in @err (HYP_POLICY_ERRLEN bytes); returns @rc.
 */
static int policy_error(char *err, const struct hyp_policy *pol, const char *name,
                        const char *what, int rc)
{
    snprintf(err, HYP_POLICY_ERRLEN, "%s/%s: %s%s%s", pol->path, name, what,
             rc == HYP_EINVAL ? "" : ": ", rc == HYP_EINVAL ? "" : hyp_strerror(rc));
    return rc;
}

int hyp_monitor_init(struct hyp_monitor *mon, struct hyp_vm *vm,
                     const struct hyp_policy *pol, hyp_event_sink_fn sink, void *ctx,
                     char *err)
{
    int rc;

    memset(mon, 0, sizeof(*mon));
    if (err != NULL)
        err[0] = '\0';
    mon->vm = vm;
    mon->policy = *pol;
    mon->lock = (struct hyp_spinlock)HYP_SPINLOCK_INIT;
    hyp_event_log_init_unlimited(&mon->log, sink, ctx);

    for (unsigned i = 0; i < pol->watch_count; i++) {
        const struct hyp_policy_watch *w = &pol->watch[i];
        struct hyp_monitor_watch *mw = &mon->watch[mon->watch_count];

        if (is_guest_ram(vm, w->base, 1) || is_guest_ram(vm, w->base + w->size - 1, 1))
            return policy_error(err, pol, w->name,
                                "reg: a watched region cannot be guest RAM", HYP_EINVAL);
        *mw = (struct hyp_monitor_watch){mon, w->base, w->size, w->action};
        rc = hyp_pgtable_unmap(&vm->s2, hyp_ia(w->base), w->size);
        if (rc == HYP_OK)
            rc = hyp_el2_map(w->base, w->size, HYP_PROT_RW | HYP_PROT_DEVICE);
        if (rc == HYP_OK)
            rc = hyp_vm_add_mmio(vm, w->base, w->size, watch_mmio, mw);
        if (rc != HYP_OK)
            return policy_error(err, pol, w->name, "cannot watch the region", rc);
        mon->watch_count++;
    }
    for (unsigned i = 0; i < pol->protect_count; i++) {
        const struct hyp_policy_protect *p = &pol->protect[i];

        if (!is_guest_ram(vm, p->base, p->size))
            return policy_error(err, pol, p->name, "reg: not entirely guest RAM",
                                HYP_EINVAL);
        rc = hyp_monitor_protect(mon, p->base, p->size, p->prot, p->action);
        if (rc != HYP_OK)
            return policy_error(err, pol, p->name, "cannot protect the range", rc);
    }
    for (unsigned i = 0; i < vm->vcpu_count && pol->creg_trap; i++)
        vm->vcpus[i].hcr_set |= HCR_TVM;
    mon->syscalls = pol->syscalls;
    return HYP_OK;
}

void hyp_monitor_limit_rate(struct hyp_monitor *mon)
{
    hyp_event_log_limit(&mon->log, mon->policy.rate, mon->policy.burst,
                        read_sysreg(cntfrq_el0));
}

void hyp_monitor_watch_irqs(struct hyp_monitor *mon)
{
    hyp_vm_set_irq_hook(mon->vm, on_irq, mon);
    /* Counting obeys the exit fast path's rules; printing a line does not. */
    hyp_vm_set_irq_hook_fast(mon->vm, !mon->policy.irq_log);
}

/* ---- System calls -------------------------------------------------------- */

static void set_breakpoint(struct hyp_monitor_vcpu *mv, uint64_t addr)
{
    write_sysreg(dbgbcr0_el1, 0);
    write_sysreg(dbgbvr0_el1, addr);
    write_sysreg(dbgbcr0_el1, addr != 0 ? DBGBCR_EL1_BP : 0);
    mv->bp = addr;
}

/* The real MDSCR_EL1 while armed: the guest's bits, our MDE and SS. */
static void write_mdscr(const struct hyp_monitor_vcpu *mv)
{
    write_sysreg(mdscr_el1, (mv->mdscr & ~(MDSCR_SS | MDSCR_KDE | MDSCR_MDE)) |
                                MDSCR_MDE | (mv->stepping ? MDSCR_SS : 0));
}

static void arm(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                struct hyp_monitor_vcpu *mv)
{
    (void)mon;
    mv->armed = true;
    mv->mdscr = read_sysreg(mdscr_el1);
    mv->oslk = (read_sysreg(oslsr_el1) & OSLSR_OSLK) != 0;
    write_sysreg(oslar_el1, 0);
    mv->stepping = false;
    write_mdscr(mv);
    vcpu->mdcr_set |= MDCR_TDE;
    set_breakpoint(mv, 0);
}

static void disarm(struct hyp_vcpu *vcpu, struct hyp_monitor_vcpu *mv)
{
    set_breakpoint(mv, 0);
    write_sysreg(mdscr_el1, mv->mdscr);
    write_sysreg(oslar_el1, mv->oslk ? 1 : 0);
    vcpu->mdcr_set &= ~MDCR_TDE;
    mv->armed = false;
}

/* One system call: its SVC at @pc, syndrome @esr (EC 0x15 or 0x11). */
void hyp_monitor_record_svc(struct hyp_monitor *mon, struct hyp_vcpu *vcpu, uint64_t pc,
                            uint64_t esr)
{
    struct hyp_event ev = {.kind = HYP_EV_SVC, .vcpu = vcpu->id, .pc = pc};
    bool a64 = ESR_EC(esr) == EC_SVC64;

    ev.u.svc.nr = a64 ? vcpu->regs.x[8] : vcpu->regs.x[7];
    for (unsigned i = 0; i < 4; i++)
        ev.u.svc.args[i] = vcpu->regs.x[i];
    record(mon, &ev, true);
}

/* Breakpoint at the lower-EL synchronous vector: an SVC if ESR_EL1 says so. */
static void on_breakpoint(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                          struct hyp_monitor_vcpu *mv)
{
    uint64_t esr = read_sysreg(esr_el1);
    unsigned ec = ESR_EC(esr);

    if (ec == EC_SVC64 || ec == EC_SVC32)
        hyp_monitor_record_svc(
            mon, vcpu, read_sysreg(elr_el1) - (ec == EC_SVC64 || (esr & ESR_IL) ? 4 : 2),
            esr);
    /* Step over the vector's first instruction with the breakpoint off. */
    write_sysreg(dbgbcr0_el1, 0);
    mv->stepping = true;
    write_mdscr(mv);
    vcpu->regs.pstate |= PSTATE_SS;
}

static void on_step(struct hyp_vcpu *vcpu, struct hyp_monitor_vcpu *mv)
{
    mv->stepping = false;
    write_mdscr(mv);
    vcpu->regs.pstate &= ~PSTATE_SS;
    set_breakpoint(mv, mv->bp);
}

/* Guest accesses to debug registers while TDE is set: shadows and RAZ/WI. */
static void debug_sysreg(struct hyp_vcpu *vcpu, struct hyp_monitor_vcpu *mv,
                         const struct hyp_exit *exit)
{
    const struct hyp_exit_sysreg *s = &exit->u.sysreg;
    uint64_t val = s->read ? 0 : hyp_vcpu_reg(vcpu, s->rt);

    switch (s->key) {
    case HYP_SYSREG_MDSCR_EL1:
        if (s->read) {
            val = mv->mdscr;
        } else {
            mv->mdscr = val;
            write_mdscr(mv);
        }
        break;
    case HYP_SYSREG_OSLAR_EL1:
        if (!s->read)
            mv->oslk = (val & 1) != 0;
        break;
    case HYP_SYSREG_OSLSR_EL1:
        val = OSLSR_OSLM1 | (mv->oslk ? OSLSR_OSLK : 0);
        break;
    default:
        val = 0;
        break;
    }
    if (s->read)
        hyp_vcpu_set_reg(vcpu, s->rt, val);
    vcpu->regs.pc += exit->skip;
}

void hyp_monitor_set_syscalls(struct hyp_monitor *mon, bool on)
{
    __atomic_store_n(&mon->syscalls, on, __ATOMIC_RELEASE);
    hyp_event_toggle(&mon->log, "syscalls", on);
}

/* ---- Control registers --------------------------------------------------- */

static uint64_t read_creg(uint16_t key)
{
    switch (key) {
    case HYP_SYSREG_SCTLR_EL1:
        return read_sysreg(sctlr_el1);
    case HYP_SYSREG_TTBR0_EL1:
        return read_sysreg(ttbr0_el1);
    case HYP_SYSREG_TTBR1_EL1:
        return read_sysreg(ttbr1_el1);
    case HYP_SYSREG_TCR_EL1:
        return read_sysreg(tcr_el1);
    default:
        return read_sysreg(mair_el1);
    }
}

/* A change of control register @key from @old to @val: recorded; true if the
 * policy refuses it. */
static bool creg_event(struct hyp_monitor *mon, struct hyp_vcpu *vcpu, uint16_t key,
                       uint64_t old, uint64_t val)
{
    struct hyp_event ev = {.kind = HYP_EV_CREG, .vcpu = vcpu->id, .pc = vcpu->regs.pc};
    unsigned action = mon->policy.creg_action;

    ev.denied = (action & HYP_ACT_DENY) &&
                __atomic_load_n(&mon->creg.locked, __ATOMIC_ACQUIRE) &&
                !hyp_creg_write_allowed(&mon->creg, key, val);
    ev.u.creg = (struct hyp_event_creg){.key = key, .old_val = old, .new_val = val};
    record(mon, &ev, (action & HYP_ACT_LOG) != 0);
    return ev.denied;
}

/* A trapped control-register write: true if refused (then it is skipped). */
static bool creg_write(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                       const struct hyp_exit *exit)
{
    uint16_t key = exit->u.sysreg.key;

    if (key != HYP_SYSREG_SCTLR_EL1 && key != HYP_SYSREG_TTBR0_EL1 &&
        key != HYP_SYSREG_TTBR1_EL1 && key != HYP_SYSREG_TCR_EL1 &&
        key != HYP_SYSREG_MAIR_EL1)
        return false;
    return creg_event(mon, vcpu, key, read_creg(key),
                      hyp_vcpu_reg(vcpu, exit->u.sysreg.rt));
}

/* VBAR_EL1 is not trapped (no FEAT_FGT): compare it at every exit. Returns its value
 * from now on (the locked one if the change was refused). */
static uint64_t check_vbar(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                           struct hyp_monitor_vcpu *mv, uint64_t vbar)
{
    if (vbar == mv->vbar)
        return vbar;
    if (creg_event(mon, vcpu, HYP_SYSREG_VBAR_EL1, mv->vbar, vbar)) {
        vbar = mon->creg.vbar;
        write_sysreg(vbar_el1, vbar);
    }
    mv->vbar = vbar;
    return vbar;
}

/* ---- Faults on protected ranges ------------------------------------------ */

static bool protected_fault(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                            const struct hyp_exit *exit)
{
    struct hyp_event ev = {.kind = HYP_EV_MEM, .vcpu = vcpu->id, .pc = vcpu->regs.pc};
    bool exec = exit->kind == HYP_EXIT_IABT;
    uint64_t ipa = exec ? exit->u.iabt.ipa : exit->u.dabt.ipa;
    unsigned prot, action;
    struct hyp_exit_dabt access;

    if (exec ? !exit->u.iabt.ipa_valid || exit->u.iabt.fault.type != HYP_FAULT_PERMISSION
             : !exit->u.dabt.ipa_valid ||
                   exit->u.dabt.fault.type != HYP_FAULT_PERMISSION || !exit->u.dabt.write)
        return false;
    hyp_spin_lock(&mon->lock);
    prot = prot_at(mon, ipa, &action);
    hyp_spin_unlock(&mon->lock);
    if (!(prot & (exec ? HYP_POLICY_NO_EXEC : HYP_POLICY_NO_WRITE)))
        return false;
    ev.denied = true;
    ev.u.mem = (struct hyp_event_mem){.ipa = ipa, .size = 4, .exec = exec};
    if (exec || exit->u.dabt.s1ptw ||
        hyp_vm_access_decode(vcpu, exit, &access) != HYP_OK) {
        /* Nothing to skip safely: the guest takes an external abort. */
        hyp_vcpu_inject_sea(vcpu, exit);
    } else {
        ev.u.mem.size = access.size;
        ev.u.mem.val = hyp_trap_store_value(&access, hyp_vcpu_reg(vcpu, access.reg));
        hyp_vm_access_complete(vcpu, exit, &access);
    }
    record(mon, &ev, (action & HYP_ACT_LOG) != 0);
    return true;
}

/* ---- The exit hook ------------------------------------------------------- */

/* What both ways of catching system calls handle alike: faults on
 * protected ranges and trapped control-register writes (the TVM ones). */
static bool common_exit(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                        const struct hyp_exit *exit)
{
    switch (exit->kind) {
    case HYP_EXIT_DABT:
    case HYP_EXIT_IABT:
        return protected_fault(mon, vcpu, exit);
    case HYP_EXIT_SYSREG:
        if (mon->policy.creg_trap && !exit->u.sysreg.read &&
            creg_write(mon, vcpu, exit)) {
            vcpu->regs.pc += exit->skip;
            return true;
        }
        return false;
    default:
        return false;
    }
}

bool hyp_monitor_handle_exit(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                             const struct hyp_exit *exit)
{
    struct hyp_monitor_vcpu *mv = &mon->vcpu[vcpu->id];
    bool handled;

    handled = common_exit(mon, vcpu, exit);
    /* With FEAT_FGT (hyp_monitor_use_fgt()), VBAR_EL1 writes and system calls
     * trap: monitor_fgt.c follows them, with no breakpoint. */
    if (mon->fgt_exit != NULL)
        return mon->fgt_exit(mon, vcpu, exit, handled);
    if (!handled && exit->kind == HYP_EXIT_SYSREG && mv->armed &&
        exit->u.sysreg.op0 == 2) {
        debug_sysreg(vcpu, mv, exit);
        handled = true;
    } else if (!handled && exit->kind == HYP_EXIT_DEBUG) {
        if (mv->armed && exit->u.debug.kind == HYP_DEBUG_BREAKPOINT) {
            on_breakpoint(mon, vcpu, mv);
            handled = true;
        } else if (mv->stepping && exit->u.debug.kind == HYP_DEBUG_STEP) {
            on_step(vcpu, mv);
            handled = true;
        }
    }

    uint64_t vbar = read_sysreg(vbar_el1);

    if (mon->policy.creg_trap && vbar != mv->vbar) /* the check's common case inline */
        vbar = check_vbar(mon, vcpu, mv, vbar);
    /* Follow the system-call switch and the vector base, never mid-step. */
    if (!mv->stepping) {
        bool on = __atomic_load_n(&mon->syscalls, __ATOMIC_ACQUIRE) != 0;

        if (on && !mv->armed)
            arm(mon, vcpu, mv);
        else if (!on && mv->armed)
            disarm(vcpu, mv);
        if (mv->armed) {
            uint64_t bp = vbar != 0 ? vbar + VECTOR_LOWER : 0;

            if (bp != mv->bp)
                set_breakpoint(mv, bp);
            /* A vCPU reset (PSCI CPU_ON) clears MDSCR_EL1. */
            if (!(read_sysreg(mdscr_el1) & MDSCR_MDE))
                write_mdscr(mv);
        }
    }
    return handled;
}

/* For monitor_fgt.c; the exit hook above has its own inlined copy. */
uint64_t hyp_monitor_check_vbar(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                                struct hyp_monitor_vcpu *mv, uint64_t vbar)
{
    return check_vbar(mon, vcpu, mv, vbar);
}

/* ---- Console keys and report --------------------------------------------- */

size_t hyp_monitor_console_filter(struct hyp_monitor *mon, char *buf, size_t len)
{
    size_t out = 0;

    for (size_t i = 0; i < len; i++) {
        char c = buf[i];

        if (!mon->key_state) {
            if (c == HYP_MONITOR_KEY_ESCAPE)
                mon->key_state = 1;
            else
                buf[out++] = c;
            continue;
        }
        mon->key_state = 0;
        if (c == HYP_MONITOR_KEY_ESCAPE) {
            buf[out++] = c;
        } else if (c == 's') {
            hyp_monitor_set_syscalls(mon,
                                     !__atomic_load_n(&mon->syscalls, __ATOMIC_ACQUIRE));
        } else {
            hyp_event_note(&mon->log,
                           "monitor keys: Ctrl-] s toggles syscall events, Ctrl-] Ctrl-] "
                           "sends Ctrl-]");
        }
    }
    return out;
}

void hyp_monitor_report(struct hyp_monitor *mon, hyp_event_sink_fn sink, void *ctx)
{
    hyp_event_log_table(&mon->log, sink, ctx);
}

void hyp_monitor_report_irqs(struct hyp_monitor *mon, hyp_event_sink_fn sink, void *ctx)
{
    char line[96];
    int n;

    for (unsigned i = 0; i < HYP_MONITOR_MAX_INTID; i++) {
        uint64_t c = __atomic_load_n(&mon->irq_count[i], __ATOMIC_RELAXED);

        if (c == 0)
            continue;
        n = snprintf(line, sizeof(line), "interrupts to the guest: intid %u: %llu", i,
                     (unsigned long long)c);
        sink(line, n > 0 ? (size_t)n : 0, ctx);
    }
}
