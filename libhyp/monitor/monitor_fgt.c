/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The monitor with FEAT_FGT (target only): EL0 system calls caught by
 * HFGITR_EL2.SVC_EL0 and VBAR_EL1 writes by HFGWTR_EL2.VBAR_EL1, in place of
 * the breakpoint on the EL1 vector and the VBAR_EL1 comparison at every exit
 * (monitor.c). Linked only by images that call hyp_monitor_use_fgt().
 */
#include <hyp/arch.h>
#include <hyp/monitor.h>
#include <hyp/sysreg.h>
#include <hyp/vcpu.h>
#include "monitor_internal.h"

#define ESR_EC(esr) ((unsigned)((esr) >> 26) & 0x3f)
#define EC_SVC64    0x15
#define EC_SVC32    0x11
#define ESR_IL      (1ULL << 25)

/* FEAT_FGT (Arm ARM D24.2: ID_AA64MMFR0_EL1.FGT, HFGITR_EL2, HFGWTR_EL2),
 * by encoding (HFGITR_EL2 is S3_4_C1_C1_6, HFGWTR_EL2 S3_4_C1_C1_5):
 * binutils 2.40 does not know the names. */
#define ID_MMFR0_FGT_SHIFT 56
#define HFGITR_SVC_EL0     (1ULL << 52)
#define HFGWTR_VBAR_EL1    (1ULL << 38)

static bool cpu_has_fgt(void)
{
    return ((read_sysreg(id_aa64mmfr0_el1) >> ID_MMFR0_FGT_SHIFT) & 0xf) != 0;
}

/* Set or clear @bits of a fine-grained trap register of this CPU, keeping
 * the others (some are negative: 0 would trap). */
static void hfgitr_update(uint64_t bits, bool on)
{
    uint64_t v = read_sysreg(S3_4_C1_C1_6);

    write_sysreg(S3_4_C1_C1_6, on ? v | bits : v & ~bits);
    arch_isb();
}

static void hfgwtr_update(uint64_t bits, bool on)
{
    uint64_t v = read_sysreg(S3_4_C1_C1_5);

    write_sysreg(S3_4_C1_C1_5, on ? v | bits : v & ~bits);
    arch_isb();
}

/* An EL0 SVC trapped by HFGITR_EL2.SVC_EL0: the PC is the SVC itself. Log
 * it, then give the guest's EL1 the exception the SVC would have raised,
 * returning past the SVC (2 bytes for a T32 16-bit SVC; its ESR_EL1 then
 * says IL = 1, as hyp_vcpu_inject_sync() always does). */
static void on_fgt_svc(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                       const struct hyp_exit *exit)
{
    hyp_monitor_record_svc(mon, vcpu, vcpu->regs.pc, exit->esr);
    vcpu->regs.pc += ESR_EC(exit->esr) == EC_SVC64 || (exit->esr & ESR_IL) ? 4 : 2;
    hyp_vcpu_inject_sync(vcpu, exit->esr);
}

/* A VBAR_EL1 write trapped by HFGWTR_EL2.VBAR_EL1: logged, and done unless
 * refused; either way the MSR is skipped. */
static void vbar_write(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                       struct hyp_monitor_vcpu *mv, const struct hyp_exit *exit)
{
    uint64_t val = hyp_vcpu_reg(vcpu, exit->u.sysreg.rt);
    struct hyp_event ev = {.kind = HYP_EV_CREG, .vcpu = vcpu->id, .pc = vcpu->regs.pc};
    unsigned action = mon->policy.creg_action;

    ev.denied = (action & HYP_ACT_DENY) &&
                __atomic_load_n(&mon->creg.locked, __ATOMIC_ACQUIRE) &&
                !hyp_creg_write_allowed(&mon->creg, HYP_SYSREG_VBAR_EL1, val);
    ev.u.creg = (struct hyp_event_creg){
        .key = HYP_SYSREG_VBAR_EL1, .old_val = read_sysreg(vbar_el1), .new_val = val};
    hyp_event_record(&mon->log, &ev, (action & HYP_ACT_LOG) != 0,
                     read_sysreg(cntpct_el0));
    if (!ev.denied) {
        write_sysreg(vbar_el1, val);
        mv->vbar = val;
    }
    vcpu->regs.pc += exit->skip;
}

/* The exit hook's part for FEAT_FGT: @handled says whether the part both
 * ways share (monitor.c) handled the exit. */
static bool fgt_exit(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                     const struct hyp_exit *exit, bool handled)
{
    struct hyp_monitor_vcpu *mv = &mon->vcpu[vcpu->id];

    if (!handled && exit->kind == HYP_EXIT_SVC && mv->fgt_svc &&
        (exit->ec == EC_SVC64 || exit->ec == EC_SVC32)) {
        on_fgt_svc(mon, vcpu, exit);
        handled = true;
    } else if (!handled && exit->kind == HYP_EXIT_SYSREG && mv->fgt_vbar &&
               !exit->u.sysreg.read && exit->u.sysreg.key == HYP_SYSREG_VBAR_EL1) {
        vbar_write(mon, vcpu, mv, exit);
        handled = true;
    }

    /* VBAR_EL1 writes trap from this CPU's first exit on (compared once
     * more here, for a write before it); system calls need no breakpoint. */
    if (mon->policy.creg_trap && !mv->fgt_vbar) {
        hyp_monitor_check_vbar(mon, vcpu, mv, read_sysreg(vbar_el1));
        hfgwtr_update(HFGWTR_VBAR_EL1, true);
        mv->fgt_vbar = true;
    }
    bool on = __atomic_load_n(&mon->syscalls, __ATOMIC_ACQUIRE) != 0;

    if (on != mv->armed) {
        hfgitr_update(HFGITR_SVC_EL0, on);
        mv->fgt_svc = on;
        mv->armed = on;
    }
    return handled;
}

void hyp_monitor_use_fgt(struct hyp_monitor *mon)
{
    if (mon->policy.no_fgt || !cpu_has_fgt())
        return;
    mon->fgt_exit = fgt_exit;
    if (mon->policy.syscalls || mon->policy.creg_trap)
        hyp_event_note(&mon->log, "monitor: FEAT_FGT: system calls and VBAR_EL1 writes "
                                  "caught by fine-grained traps");
}
