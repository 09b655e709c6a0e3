/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The monitor's hypercalls (target only): PROTECT and LOCK as the SMCCC
 * vendor-specific hypervisor service (hyp/monitor.h). Linked only by images
 * that call hyp_monitor_serve_calls().
 */
#include <hyp/arch.h>
#include <hyp/error.h>
#include <hyp/monitor.h>
#include <hyp/smccc.h>
#include <hyp/sysreg.h>
#include <hyp/vcpu.h>
#include "monitor_internal.h"

#define PAGE 4096ULL

#define SMCCC_INVALID_PARAMETER (-2)
#define SMCCC_NO_ROOM           (-3)

/* Monitors the vendor hypervisor service answers for, by VM. */
#define MAX_MONITORS 4
static struct hyp_monitor *monitors[MAX_MONITORS];

static struct hyp_monitor *monitor_of(const struct hyp_vm *vm)
{
    for (unsigned i = 0; i < MAX_MONITORS; i++)
        if (monitors[i] != NULL && monitors[i]->vm == vm)
            return monitors[i];
    return NULL;
}

/* ---- Hypercalls ---------------------------------------------------------- */

static void monitor_call(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                         uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    struct hyp_monitor *mon = monitor_of(vcpu->vm);
    struct hyp_event ev = {.kind = HYP_EV_HVC, .vcpu = vcpu->id, .pc = vcpu->regs.pc};
    uint64_t pa;
    int64_t r;

    (void)conduit;
    if (mon == NULL)
        return; /* NOT_SUPPORTED */
    switch (fid) {
    case HYP_MON_VERSION_FID:
        ret[0] = HYP_MON_VERSION;
        return;
    case HYP_MON_PROTECT_FID: {
        uint64_t ipa = args[0], size = args[1], flags = args[2];

        r = SMCCC_RET_SUCCESS;
        if ((ipa | size) & (PAGE - 1) || size == 0 || ipa + size < ipa ||
            (flags & ~(uint64_t)(HYP_POLICY_NO_WRITE | HYP_POLICY_NO_EXEC)) != 0 ||
            !hyp_vm_ram_to_pa(vcpu->vm, ipa, size, &pa)) {
            r = SMCCC_INVALID_PARAMETER;
        } else if (flags != 0) {
            hyp_spin_lock(&mon->lock);
            int rc = hyp_monitor_protect(mon, ipa, size, (unsigned)flags,
                                         HYP_ACT_LOG | HYP_ACT_DENY);
            hyp_spin_unlock(&mon->lock);
            r = rc == HYP_OK ? SMCCC_RET_SUCCESS : SMCCC_NO_ROOM;
        }
        ev.u.hvc = (struct hyp_event_hvc){.call = HYP_EV_HVC_PROTECT,
                                          .ipa = ipa,
                                          .size = size,
                                          .prot = (unsigned)flags,
                                          .ret = r};
        break;
    }
    case HYP_MON_LOCK_FID:
        hyp_spin_lock(&mon->lock);
        if (!mon->creg.locked) {
            mon->creg.sctlr = read_sysreg(sctlr_el1);
            mon->creg.vbar = read_sysreg(vbar_el1);
            __atomic_store_n(&mon->creg.locked, true, __ATOMIC_RELEASE);
        }
        hyp_spin_unlock(&mon->lock);
        r = SMCCC_RET_SUCCESS;
        ev.u.hvc = (struct hyp_event_hvc){.call = HYP_EV_HVC_LOCK, .ret = r};
        break;
    default:
        return;
    }
    ret[0] = (uint64_t)r;
    hyp_event_record(&mon->log, &ev, true, read_sysreg(cntpct_el0));
}

static const struct hyp_smccc_service monitor_service = {
    .name = "libhyp monitor",
    .owner_first = SMCCC_OWNER_VENDOR_HYP,
    .owner_last = SMCCC_OWNER_VENDOR_HYP,
    .handler = monitor_call,
};

int hyp_monitor_serve_calls(struct hyp_monitor *mon)
{
    unsigned slot = MAX_MONITORS;
    int rc;

    for (unsigned i = 0; i < MAX_MONITORS; i++)
        if (monitors[i] == NULL || monitors[i]->vm == mon->vm)
            slot = i < slot ? i : slot;
    if (slot == MAX_MONITORS)
        return HYP_ENOMEM;
    rc = hyp_smccc_register(&monitor_service);
    if (rc == HYP_OK)
        monitors[slot] = mon;
    return rc;
}
