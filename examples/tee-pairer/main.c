/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tee-pairer: every general-purpose VM (GPOS) gets a trusted OS (TEE) of
 * its own, described under /hypervisor in the boot DTB as the partitioner's
 * VMs are, plus a role and a pairing (docs/bindings/partitioner.md).
 *
 * A TEE has no CPU of its own: its vCPU n runs on its GPOS's vCPU n's
 * physical CPU, and only when that vCPU calls it. An SMC (or, with
 * tee-method = "hvc", an HVC) of a GPOS in the SMCCC Trusted OS range
 * (owners 50..63) pushes the paired TEE's vCPU on the CPU's VM stack
 * (hyp/vmstack.h) with the call in its x0..x7; the TEE runs until it
 * answers (TEE_PAIRER_RETURN_FID, optee.h), and the answer lands in the
 * GPOS's x0..x3. A GPOS without a TEE, and a TEE calling that range,
 * get SMCCC NOT_SUPPORTED (-1). The GPOS's guest DTB says
 * /firmware/optee, so Linux's stock optee driver talks to its TEE.
 *
 * Policy, all here: a yielding call (CALL_WITH_ARG) that began TEE_PAIRER_PREEMPT_US
 * ago or more while an interrupt waits for the GPOS is suspended and the
 * GPOS gets OP-TEE's foreign-interrupt return; CALL_RETURN_FROM_RPC with
 * its resume value resumes it (a suspended call whose resume never comes,
 * e.g. because the GPOS thread moved to another CPU, is run to its end,
 * its answer dropped, before that TEE vCPU takes another call). A call
 * that runs for more than TEE_PAIRER_BUDGET_US, or a TEE that powers off (its
 * runtime does when it faults), fails with OP-TEE's UNKNOWN_FUNCTION (-1);
 * the TEE is then down until it is restarted from its images
 * (hyp_vmbuild_reload()) on the CPU of its vCPU 0, by its GPOS's next call
 * there or that CPU's next tick; or for good with on-failure = "stop".
 * Other pairs run on meanwhile.
 */
#include <stdio.h>
#include <string.h>
#include <hyp/hyp.h>
#include <hyp/mm.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/sysreg.h>
#include <hyp/vmbuild.h>
#include <hyp/vmstack.h>
#include "optee.h"

#define HYP_RESERVE (16ULL << 20)
#define TICK_HZ     100
#define DTB_MAX     (256u << 10)
#define RESUME_TAG  0x7ee00000u /* a3 of the foreign-interrupt return: tag | vCPU */

static uint8_t dtb[DTB_MAX] __attribute__((aligned(8)));
static struct hyp_vmconfig cfg;
static struct hyp_vmbuild vms[HYP_VMCONFIG_MAX_VMS];
static struct hyp_page_pool pool;
static struct hyp_vcons_focus focus;
static unsigned gpos_running;

/* A TEE vCPU between calls. */
struct tee_vcpu {
    bool ready;     /* it said so after boot */
    bool suspended; /* mid-call, after a foreign interrupt */
    uint64_t begun; /* counter when its current call began */
};
/* A TEE. */
struct tee {
    struct tee_vcpu vcpus[HYP_VMCONFIG_MAX_VCPUS];
    unsigned inflight;        /* its vCPUs on some CPU's VM stack (atomic) */
    bool down;                /* failed; restarted at its GPOS's next call (atomic) */
    unsigned restarts;        /* (atomic) */
    struct hyp_spinlock lock; /* one restart at a time */
};
static struct tee tees[HYP_VMCONFIG_MAX_VMS];

/* The call in flight on each CPU. */
struct call {
    uint64_t answer[4];
    uint64_t start; /* counter at its (re)start */
    uint64_t begun; /* counter when it began, before any suspension */
    bool yielding;  /* may be suspended for a foreign interrupt */
};
static struct call calls[HYP_MAX_CPUS];

static uint64_t us_to_ticks(uint64_t us)
{
    return us * read_sysreg(cntfrq_el0) / 1000000;
}

static struct hyp_vmbuild *built_of(const struct hyp_vm *vm)
{
    for (unsigned i = 0; i < cfg.vm_count; i++)
        if (&vms[i].vm == vm)
            return &vms[i];
    return NULL;
}

/* ---- the VM stack's policy ---------------------------------------------------- */

/* The TEE's answer: x1..x4 of its TEE_PAIRER_RETURN_FID call. */
static bool tee_exit(struct hyp_vmstack *s, struct hyp_vcpu *tee,
                     const struct hyp_exit *exit, void *arg)
{
    struct call *c = &calls[hyp_cpu_id()];

    (void)arg;
    if ((exit->kind != HYP_EXIT_HVC && exit->kind != HYP_EXIT_SMC) ||
        (uint32_t)tee->regs.x[0] != TEE_PAIRER_RETURN_FID)
        return false;
    if (exit->kind == HYP_EXIT_SMC) /* a trapped SMC returns to itself */
        tee->regs.pc += 4;
    for (unsigned i = 0; i < 4; i++)
        c->answer[i] = (uint32_t)tee->regs.x[1 + i];
    hyp_vmstack_pop(s, HYP_VMSTACK_RETURNED, NULL, 0);
    return true;
}

static bool tee_foreign_ok(struct hyp_vcpu *caller, struct hyp_vcpu *tee, void *arg)
{
    const struct call *c = &calls[hyp_cpu_id()];

    (void)caller, (void)tee, (void)arg;
    return c->yielding &&
           read_sysreg(cntpct_el0) - c->begun >= us_to_ticks(TEE_PAIRER_PREEMPT_US);
}

static bool tee_overdue(struct hyp_vcpu *caller, struct hyp_vcpu *tee,
                        uint64_t ret[HYP_VMSTACK_MAX_REGS], unsigned *nret, void *arg)
{
    (void)caller, (void)tee, (void)ret, (void)arg;
    *nret = 0;
    return read_sysreg(cntpct_el0) - calls[hyp_cpu_id()].start >
           us_to_ticks(TEE_PAIRER_BUDGET_US);
}

/* The GPOS's timer is not armed while its TEE runs: the EL2 tick comes at
 * its deadline instead, so that its expiry is seen then. */
static void tee_wake_by(uint64_t cval, void *arg)
{
    (void)arg;
    hyp_vmbuild_tick_by(cval);
}

static const struct hyp_vmstack_ops tee_ops = {
    .exit = tee_exit,
    .foreign_ok = tee_foreign_ok,
    .overdue = tee_overdue,
    .wake_by = tee_wake_by,
};

/* Run @tee on top of this CPU's stack, pushed by @gpos with @args (NULL:
 * resume it as it is), for a call that began at @begun (0: now). */
static enum hyp_vmstack_reason run_tee(struct hyp_vcpu *gpos, struct hyp_vcpu *tee,
                                       const uint64_t *args, unsigned nargs,
                                       bool yielding, uint64_t begun)
{
    struct hyp_vmstack *s = hyp_vmstack_this_cpu();
    struct call *c = &calls[hyp_cpu_id()];

    c->yielding = yielding;
    c->start = read_sysreg(cntpct_el0);
    c->begun = begun != 0 ? begun : c->start;
    if (hyp_vmstack_push(s, gpos, tee, args, nargs) != HYP_OK)
        return HYP_VMSTACK_FAULTED;
    return hyp_vmstack_run(s, &tee_ops);
}

/* The TEE vCPU is ready for a call: booted (run until its first answer),
 * and not holding an abandoned suspended call. */
static bool tee_prepare(struct hyp_vcpu *gpos, struct hyp_vcpu *tee, unsigned t,
                        bool resuming)
{
    struct tee_vcpu *tv = &tees[t].vcpus[tee->id];

    if (!tv->ready) {
        if (__atomic_load_n(&tee->power, __ATOMIC_ACQUIRE) != HYP_VCPU_ON_PENDING ||
            !hyp_vcpu_wait_power_on(tee) ||
            run_tee(gpos, tee, NULL, 0, false, 0) != HYP_VMSTACK_RETURNED) {
            __atomic_store_n(&tees[t].down, true, __ATOMIC_RELEASE);
            return false;
        }
        tv->ready = true;
    }
    while (tv->suspended && !resuming) {
        enum hyp_vmstack_reason r = run_tee(gpos, tee, NULL, 0, false, 0);

        tv->suspended = false;
        if (r != HYP_VMSTACK_RETURNED) {
            __atomic_store_n(&tees[t].down, true, __ATOMIC_RELEASE);
            return false;
        }
    }
    return true;
}

/*
 * A failed TEE, restarted from its images: only on its vCPU 0's CPU, when
 * none of its vCPUs is on a VM stack (calls on other CPUs meanwhile fail);
 * its vCPU 0 boots at once, the others at their first call. Not an exit
 * path of the GPOS's: the call that finds its TEE down pays for it.
 */
static bool tee_restart(struct hyp_vcpu *gpos, unsigned t, bool force)
{
    struct tee *tp = &tees[t];
    char err[HYP_GUEST_ERRLEN];
    bool ok = false;

    if ((vms[t].cfg->tee_stop && !force) || vms[t].vcpus[0].pcpu != hyp_cpu_id() ||
        !hyp_spin_trylock(&tp->lock))
        return false;
    if (force)
        __atomic_store_n(&tp->down, true, __ATOMIC_RELEASE);
    if (!__atomic_load_n(&tp->down, __ATOMIC_ACQUIRE)) {
        ok = true;
    } else if (__atomic_load_n(&tp->inflight, __ATOMIC_ACQUIRE) == 0 &&
               hyp_vmbuild_reload(&vms[t], err) == HYP_OK) {
        memset(tp->vcpus, 0, sizeof(tp->vcpus));
        __atomic_add_fetch(&tp->restarts, 1, __ATOMIC_RELAXED);
        __atomic_store_n(&tp->down, false, __ATOMIC_RELEASE);
        ok = tee_prepare(gpos, &vms[t].vcpus[0], t, false);
    }
    hyp_spin_unlock(&tp->lock);
    return ok;
}

/* The call on its TEE's vCPU; false when the TEE is down. */
static bool tee_run_call(struct hyp_vcpu *vcpu, unsigned t, uint32_t fid,
                         const uint64_t args[7], uint64_t ret[4])
{
    struct hyp_vcpu *tee = &vms[t].vcpus[vcpu->id];
    struct tee_vcpu *tv = &tees[t].vcpus[vcpu->id];
    bool resume = fid == OPTEE_SMC_CALL_RETURN_FROM_RPC && tv->suspended &&
                  args[2] == (RESUME_TAG | vcpu->id);
    uint64_t regs[8];
    enum hyp_vmstack_reason r;

    if (__atomic_load_n(&tees[t].down, __ATOMIC_ACQUIRE) ||
        !tee_prepare(vcpu, tee, t, resume))
        return false;
    regs[0] = fid;
    memcpy(&regs[1], args, 7 * sizeof(regs[0]));
    if (!resume)
        tv->begun = read_sysreg(cntpct_el0);
    r = run_tee(vcpu, tee, resume ? NULL : regs, resume ? 0 : 8,
                !(fid & OPTEE_SMC_FAST_CALL), tv->begun);
    tv->suspended = r == HYP_VMSTACK_FOREIGN_IRQ;
    switch (r) {
    case HYP_VMSTACK_RETURNED:
        memcpy(ret, calls[hyp_cpu_id()].answer, 4 * sizeof(ret[0]));
        break;
    case HYP_VMSTACK_FOREIGN_IRQ:
        ret[0] = OPTEE_SMC_RETURN_RPC_FOREIGN_INTR;
        ret[1] = 0;
        ret[2] = 0;
        ret[3] = RESUME_TAG | vcpu->id; /* a3: resume information */
        break;
    default: /* it faulted, overran or powered off */
        __atomic_store_n(&tees[t].down, true, __ATOMIC_RELEASE);
        return false;
    }
    return true;
}

/* SMCCC service for the Trusted OS owners: a GPOS's call to its TEE. */
static void tee_call(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                     uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    struct hyp_vmbuild *g = built_of(vcpu->vm);
    struct tee *tp;
    bool ok;

    if (g == NULL || g->cfg->tee < 0 || (conduit == HYP_SMCCC_HVC && !g->cfg->tee_hvc))
        return; /* NOT_SUPPORTED, prefilled */
    tp = &tees[g->cfg->tee];
    if (__atomic_load_n(&tp->down, __ATOMIC_ACQUIRE) &&
        !tee_restart(vcpu, (unsigned)g->cfg->tee, false)) {
        ret[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
        return;
    }
    __atomic_add_fetch(&tp->inflight, 1, __ATOMIC_ACQ_REL);
    ok = tee_run_call(vcpu, (unsigned)g->cfg->tee, fid, args, ret);
    __atomic_sub_fetch(&tp->inflight, 1, __ATOMIC_ACQ_REL);
    if (!ok)
        ret[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
}

static const struct hyp_smccc_service tee_service = {
    .name = "tee-pairer",
    .owner_first = SMCCC_OWNER_TRUSTED_OS_FIRST,
    .owner_last = SMCCC_OWNER_TRUSTED_OS_LAST,
    .handler = tee_call,
};

/* ---- running ------------------------------------------------------------------ */

static void report(void *arg, const char *line)
{
    (void)arg;
    printf("tee-pairer: %s\n", line);
}

/* After every exit of a GPOS vCPU: console input and idle output once per
 * tick; on its vCPU 0's CPU, the restart of its TEE if that is down (so
 * that a failed TEE is back before a call from another CPU needs it). */
static void after_exit(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, bool tick,
                       void *arg)
{
    const struct hyp_vmbuild *g;

    (void)exit, (void)arg;
    if (tick)
        hyp_vmbuild_console_poll(vms, cfg.vm_count, &focus);
    if (tick && vcpu->id == 0 && (g = built_of(vcpu->vm)) != NULL && g->cfg->tee >= 0 &&
        __atomic_load_n(&tees[g->cfg->tee].down, __ATOMIC_ACQUIRE))
        tee_restart(vcpu, (unsigned)g->cfg->tee, false);
}
static const struct hyp_run_hooks hooks = {.after = after_exit};

static _Noreturn void run_cpu(void *arg)
{
    unsigned vcpu = 0, left;
    const struct hyp_vmconfig_vm *v = hyp_vmconfig_vm_of_cpu(&cfg, hyp_cpu_id(), &vcpu);
    struct hyp_vmbuild *b = v != NULL ? &vms[v - cfg.vms] : NULL;
    int rc = hyp_vmbuild_cpu_prepare(), end;
    char err[HYP_GUEST_ERRLEN];

    (void)arg;
    if (rc != HYP_OK)
        hyp_panic("CPU %u cannot run vCPUs: %s", hyp_cpu_id(), hyp_strerror(rc));
    if (b == NULL)
        hyp_vmbuild_cpu_park(); /* no VM here */
    /* A TEE's boot CPU starts it before its GPOS, so that it is ready. */
    if (vcpu == 0 && v->tee >= 0 &&
        !tee_prepare(&b->vcpus[0], &vms[v->tee].vcpus[0], (unsigned)v->tee, false))
        printf("tee-pairer: %s (%s) did not start\n", cfg.vms[v->tee].node,
               cfg.vms[v->tee].name);
    for (;;) {
        end = hyp_vmbuild_run(b, vcpu, &hooks);
        if (end == HYP_VM_RUNNING || end == HYP_EINVAL)
            hyp_vmbuild_cpu_park(); /* vCPU 0 reports the VM's end */
        if (end != HYP_VM_RESET)
            break;
        /* SYSTEM_RESET: the VM restarts alone, from its images, and so does
         * its TEE (whatever its on-failure: this is no failure). */
        printf("tee-pairer: %s (%s) restarts%s\n", v->node, v->name,
               v->tee >= 0 ? ", with its trusted OS" : "");
        if (hyp_vmbuild_restart(b, err) != HYP_OK) {
            printf("tee-pairer: cannot restart it: %s\n", err);
            hyp_vmbuild_stop(b);
            break;
        }
        if (v->tee >= 0 && !tee_restart(&b->vcpus[0], (unsigned)v->tee, true))
            printf("tee-pairer: %s (%s) did not restart\n", cfg.vms[v->tee].node,
                   cfg.vms[v->tee].name);
    }
    left = __atomic_sub_fetch(&gpos_running, 1, __ATOMIC_ACQ_REL);
    printf("tee-pairer: %s (%s) %s; %u VMs left\n", v->node, v->name,
           end == HYP_VM_RESET ? "stopped" : "powered off", left);
    if (left == 0) {
        printf("tee-pairer: powering off\n");
        hyp_system_off();
    }
    hyp_vmbuild_cpu_park();
}

int main(void)
{
    char err[HYP_GUEST_ERRLEN];
    int rc = hyp_vmbuild_boot(dtb, sizeof(dtb), HYP_RESERVE, TICK_HZ, &cfg, &pool, report,
                              NULL, err);

    if (rc == HYP_OK && (rc = hyp_smccc_register(&tee_service)) != HYP_OK)
        snprintf(err, sizeof(err), "cannot register the TEE service: %s",
                 hyp_strerror(rc));
    if (rc != HYP_OK)
        hyp_panic("%s", err);
    for (unsigned i = 0; i < cfg.vm_count; i++) {
        const struct hyp_vmconfig_vm *v = &cfg.vms[i];

        rc = hyp_vmbuild_create(&vms[i], &cfg, i, dtb, &pool, err);
        if (rc != HYP_OK)
            hyp_panic("cannot build a VM: %s", err);
        if (v->role == HYP_VMCONFIG_ROLE_TEE) {
            /* Every exit of a TEE comes to the VM stack's loop, interrupts
             * included: that is where foreign interrupts are noticed. */
            hyp_vm_set_fast_exits(&vms[i].vm, false);
            printf("tee-pairer: %s (%s) VMID %u: trusted OS of %s (%s), on its CPUs\n",
                   v->node, v->name, vms[i].vm.vmid, cfg.vms[v->gpos].node,
                   cfg.vms[v->gpos].name);
        } else {
            gpos_running++;
            printf("tee-pairer: %s (%s) VMID %u: general-purpose, %u vCPUs, %s\n",
                   v->node, v->name, vms[i].vm.vmid, v->vcpu_count,
                   v->tee >= 0 ? cfg.vms[v->tee].name : "no trusted OS");
        }
    }
    hyp_vcons_focus_init(&focus, cfg.vm_count);
    printf("tee-pairer: starting; lines are tagged [<VM>]\n");
    hyp_console_set_tag("[hyp] ");
    for (unsigned i = 1; i < hyp_cpu_count(); i++)
        if ((rc = hyp_cpu_start(i, run_cpu, NULL)) != HYP_OK)
            hyp_panic("cannot start CPU %u: %s", i, hyp_strerror(rc));
    run_cpu(NULL);
}
