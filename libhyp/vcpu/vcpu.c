/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vCPU run, reset and exception injection (target only).
 *
 * EL1 state is loaded lazily: it stays in the CPU's registers across exits
 * and is saved only when another vCPU is loaded on the same CPU.
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/smccc.h>
#include <hyp/gic.h>
#include <hyp/sysreg.h>
#include <hyp/trap.h>
#include "../arch/aarch64/asm_offsets.h"
#include "vcpu_internal.h"

/* vcpu_vgic.c, the vGIC and the GIC driver are reached by weak references,
 * all behind a vgic_cpu/vgic check or on interrupt exits: an image whose VMs
 * never get a vGIC (examples/thin-monitor-min, IMO clear) links none;
 * hyp_vm_attach_vgic() makes the linker take them (libhyp/vgic/vgic_vm.c). */
#pragma weak hyp_vcpu_vgic_load
#pragma weak hyp_vcpu_vgic_enter
#pragma weak hyp_vcpu_vgic_exit
#pragma weak hyp_vcpu_vgic_refill
#pragma weak hyp_vcpu_sgi1r_fast
#pragma weak hyp_vcpu_wfx_fast
#pragma weak hyp_vgic_hw_read_lrs
#pragma weak hyp_handle_irq_fast

static_assert(offsetof(struct hyp_vcpu, regs) == 0, "regs first");
static_assert(offsetof(struct hyp_vcpu_regs, x) == VCPU_REGS_X0, "VCPU_REGS_X0");
static_assert(offsetof(struct hyp_vcpu_regs, pc) == VCPU_REGS_PC, "VCPU_REGS_PC");
static_assert(offsetof(struct hyp_vcpu_regs, pstate) == VCPU_REGS_PSTATE,
              "VCPU_REGS_PSTATE");
static_assert(offsetof(struct hyp_vcpu_regs, q) == VCPU_REGS_Q, "VCPU_REGS_Q");
static_assert(offsetof(struct hyp_percpu, guest_regs) == PERCPU_GUEST_REGS,
              "PERCPU_GUEST_REGS");

/* HCR_EL2 while a guest runs: stage 2 on; IRQ, FIQ and SError to EL2; SMC,
 * WFI and WFE trapped; set/way invalidation upgraded to clean+invalidate;
 * guest TLB and barrier operations broadcast in the inner shareable domain;
 * EL1 is AArch64. */
#define HCR_VM     (1ULL << 0)
#define HCR_SWIO   (1ULL << 1)
#define HCR_FMO    (1ULL << 3)
#define HCR_IMO    (1ULL << 4)
#define HCR_AMO    (1ULL << 5)
#define HCR_FB     (1ULL << 9)
#define HCR_BSU_IS (1ULL << 10)
#define HCR_TWI    (1ULL << 13)
#define HCR_TWE    (1ULL << 14)
#define HCR_TSC    (1ULL << 19)
#define HCR_RW     (1ULL << 31)
#define HCR_GUEST                                                                        \
    (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI |   \
     HCR_TWE | HCR_TSC | HCR_RW)

/* SCTLR_EL1 at reset: RES1 bits only (MMU, caches, alignment checks off). */
#define SCTLR_EL1_RESET    0x30d00800ULL
/* CPACR_EL1: FP/SIMD not trapped, so simple guests may use it at once. */
#define CPACR_EL1_FPEN     (3ULL << 20)
/* PSTATE: EL1 with SP_EL1, D, A, I and F masked. */
#define PSTATE_EL1H_MASKED 0x3c5ULL
#define PSTATE_MODE_MASK   0xfULL
#define PSTATE_EL0T        0x0ULL
#define PSTATE_EL1T        0x4ULL

/* guest.S: returns the vector index (8..15) of the exit. */
unsigned arch_guest_enter(struct hyp_vcpu_regs *regs);

#define ESR_IL            (1ULL << 25)
#define ESR_EC_SHIFT      26
#define FSC_SYNC_EXTERNAL 0x10
#define ESR_WNR           (1ULL << 6)

/* The EL1 registers a vCPU switch saves and restores, as X(hyp_vcpu_el1
 * field, register), in the order they are restored: CNTV_CVAL_EL0 before
 * CNTV_CTL_EL0, so that a timer turned on never sees the last compare value. */
#define EL1_REGS(X)                                                                      \
    X(sctlr, sctlr_el1)                                                                  \
    X(ttbr0, ttbr0_el1)                                                                  \
    X(ttbr1, ttbr1_el1)                                                                  \
    X(tcr, tcr_el1)                                                                      \
    X(mair, mair_el1)                                                                    \
    X(amair, amair_el1)                                                                  \
    X(vbar, vbar_el1)                                                                    \
    X(contextidr, contextidr_el1)                                                        \
    X(tpidrro_el0, tpidrro_el0)                                                          \
    X(tpidr_el1, tpidr_el1)                                                              \
    X(sp_el0, sp_el0)                                                                    \
    X(sp_el1, sp_el1)                                                                    \
    X(elr_el1, elr_el1)                                                                  \
    X(spsr_el1, spsr_el1)                                                                \
    X(esr, esr_el1)                                                                      \
    X(far, far_el1)                                                                      \
    X(afsr0, afsr0_el1)                                                                  \
    X(afsr1, afsr1_el1)                                                                  \
    X(par, par_el1)                                                                      \
    X(cpacr, cpacr_el1)                                                                  \
    X(csselr, csselr_el1)                                                                \
    X(cntkctl, cntkctl_el1)                                                              \
    X(cntv_cval, cntv_cval_el0)                                                          \
    X(cntv_ctl, cntv_ctl_el0)                                                            \
    X(mdscr, mdscr_el1)

#define EL1_SAVE(field, reg)    s->field = read_sysreg(reg);
#define EL1_RESTORE(field, reg) write_sysreg(reg, s->field);

static void el1_save(struct hyp_vcpu_el1 *s)
{
    EL1_REGS(EL1_SAVE)
}

static void el1_restore(const struct hyp_vcpu_el1 *s)
{
    EL1_REGS(EL1_RESTORE)
}

/* Make @vcpu's EL1 state and its VM's stage 2 the live ones on this CPU. */
static void vcpu_load(struct hyp_percpu *cpu, struct hyp_vcpu *vcpu)
{
    struct hyp_vcpu *old = cpu->loaded_vcpu;

    if (old == vcpu)
        return;
    if (old != NULL) {
        el1_save(&old->el1);
        old->loaded = false;
    }
    /* The list registers are the vCPU's; also after hyp_vcpu_put() left the
     * CPU without a loaded vCPU. */
    if (vcpu->vm->vgic != NULL || (old != NULL && old->vm->vgic != NULL))
        hyp_vcpu_vgic_load(vcpu);
    write_sysreg(vttbr_el2, vcpu->vm->vttbr);
    write_sysreg(vtcr_el2, vcpu->vm->vtcr);
    write_sysreg(vmpidr_el2, (1ULL << 31) | vcpu->vmpidr);
    el1_restore(&vcpu->el1);
    __asm__ volatile("isb" ::: "memory");
    cpu->loaded_vcpu = vcpu;
    vcpu->loaded = true;
}

void hyp_vcpu_put(struct hyp_vcpu *vcpu)
{
    struct hyp_percpu *cpu = hyp_this_cpu();

    if (cpu == NULL || cpu->loaded_vcpu != vcpu)
        return;
    el1_save(&vcpu->el1);
    vcpu->loaded = false;
    cpu->loaded_vcpu = NULL;
}

void hyp_vcpu_save_el1(struct hyp_vcpu *vcpu)
{
    struct hyp_percpu *cpu = hyp_this_cpu();

    if (vcpu->loaded && cpu != NULL && cpu->loaded_vcpu == vcpu)
        el1_save(&vcpu->el1);
}

void hyp_vcpu_reset(struct hyp_vcpu *vcpu, uint64_t entry, uint64_t context)
{
    memset(&vcpu->regs, 0, sizeof(vcpu->regs));
    memset(&vcpu->el1, 0, sizeof(vcpu->el1));
    vcpu->regs.x[0] = context;
    vcpu->regs.pc = entry;
    vcpu->regs.pstate = PSTATE_EL1H_MASKED;
    vcpu->el1.sctlr = SCTLR_EL1_RESET;
    vcpu->el1.cpacr = CPACR_EL1_FPEN;
    if (vcpu->loaded)
        el1_restore(&vcpu->el1);
}

/* The vCPU's trap configuration, written only when it changes. */
static void apply_traps(struct hyp_percpu *cpu, const struct hyp_vcpu *vcpu)
{
    uint64_t hcr = (HCR_GUEST | vcpu->hcr_set) & ~vcpu->hcr_clear, mdcr;

    if (!cpu->mdcr_el2_read) {
        cpu->mdcr_el2_boot = read_sysreg(mdcr_el2);
        cpu->mdcr_el2 = cpu->mdcr_el2_boot;
        cpu->hcr_el2 = ~hcr;
        cpu->mdcr_el2_read = true;
    }
    mdcr = cpu->mdcr_el2_boot | vcpu->mdcr_set;
    if (cpu->hcr_el2 != hcr) {
        write_sysreg(hcr_el2, hcr);
        cpu->hcr_el2 = hcr;
    }
    if (cpu->mdcr_el2 != mdcr) {
        write_sysreg(mdcr_el2, mdcr);
        cpu->mdcr_el2 = mdcr;
    }
}

/* ESR_EL2 classes. */
#define EC_HVC64       0x16
#define EC_SMC64       0x17
#define EC_SYSREG      0x18
#define EC_WFX         0x01
#define EC_DABT_LOW    0x24
#define ESR_IMM16_MASK 0xffffULL

/*
 * The exit fast path's handlers, called by guest.S with the guest's
 * registers saved in @regs as the narrow path leaves them (x0..x18 and
 * x30; PC and PSTATE live in ELR_EL2 and SPSR_EL2) and its FP/SIMD
 * registers and TPIDR_EL0 live. Each finishes its exit and returns @regs to
 * re-enter the guest at once, or returns NULL to take it to the run loop.
 * See hyp_vm_set_fast_exits() for what runs here.
 */
struct hyp_vcpu_regs *hyp_vcpu_sync_fast(struct hyp_vcpu_regs *regs, uint64_t esr);
struct hyp_vcpu_regs *hyp_vcpu_dabt_fast(struct hyp_vcpu_regs *regs, uint64_t esr);
struct hyp_vcpu_regs *hyp_vcpu_irq_fast(struct hyp_vcpu_regs *regs);
struct hyp_vcpu_regs *hyp_vcpu_smccc_fast(struct hyp_vcpu_regs *regs, uint64_t esr);

/* Whether the vCPU's VM takes fast exits (hyp_vm_set_fast_exits()). A plain
 * load: the VM's regions and hooks were set up before its vCPUs were
 * powered on, which orders them; a change while they run takes effect at
 * the next exit that sees it. */
static inline bool fast_exits_on(const struct hyp_vcpu *vcpu)
{
    return *(const volatile bool *)&vcpu->vm->fast_exits;
}

/* The access's size, transfer register and direction, from its syndrome. */
#define DABT_SIZE(esr)  (1u << (((esr) >> 22) & 3))
#define DABT_REG(esr)   ((unsigned)((esr) >> 16) & 0x1f)
#define DABT_WRITE(esr) (((esr) & (1u << 6)) != 0)

/* A load's value for X[SRT]: the bytes read truncated to the access size,
 * sign-extended if SSE, 32-bit unless SF (hyp_trap_mmio_load()), with the
 * common 32-bit zero-extended load first. */
static inline uint64_t mmio_load_value(uint64_t esr, uint64_t val)
{
    if (__builtin_expect((esr & (3u << 22 | 1u << 21)) == 2u << 22, 1)) /* 32 bits */
        return (uint32_t)val;
    return hyp_trap_mmio_load(esr, val);
}

/*
 * A load or store with a syndrome that took a stage-2 translation fault in
 * a region marked with hyp_vm_set_mmio_fast(): the handler runs, the load's
 * register is written and the PC, live in ELR_EL2, advanced. A handler that
 * refuses the access changed nothing: the run loop runs it again and
 * injects the abort. Only the access's transfer register is read or written.
 * The exit's cost is mostly calls and the registers they make the compiler
 * save, so this is inlined into the dispatch and only @vcpu and @esr live
 * across the handler's call: the rest is decoded again from @esr.
 */
static inline __attribute__((always_inline)) struct hyp_vcpu_regs *
mmio_emulate(struct hyp_vcpu *vcpu, uint64_t esr, const struct hyp_vm_mmio *m,
             uint64_t off)
{
    uint64_t val = 0;

    if (!m->fast)
        return NULL;
    if (DABT_WRITE(esr) && DABT_REG(esr) != 31) {
        unsigned size = DABT_SIZE(esr);

        val = vcpu->regs.x[DABT_REG(esr)];
        if (size < 8)
            val &= (1ULL << (size * 8)) - 1;
    }
    if (m->fn(vcpu, off, DABT_SIZE(esr), DABT_WRITE(esr), &val, m->arg) != HYP_OK)
        return NULL;
    __asm__("" : "+r"(esr)); /* decoded again, not kept across the call */
    if (!DABT_WRITE(esr) && DABT_REG(esr) != 31)
        vcpu->regs.x[DABT_REG(esr)] = mmio_load_value(esr, val);
    write_sysreg(elr_el2, read_sysreg(elr_el2) + 4);
    return fast_done(vcpu, HYP_EXIT_DABT);
}

/* mmio_emulate() when @vcpu's hint missed: the region is looked up (and
 * becomes the hint). Out of line, so that the hit path needs no register
 * to survive the lookup. */
static __attribute__((noinline)) struct hyp_vcpu_regs *mmio_miss(struct hyp_vcpu *vcpu,
                                                                 uint64_t esr)
{
    uint64_t ipa = hyp_trap_mmio_ipa(read_sysreg(hpfar_el2), read_sysreg(far_el2));
    const struct hyp_vm_mmio *m = hyp_vm_find_mmio(vcpu->vm, ipa, DABT_SIZE(esr));

    if (m == NULL)
        return NULL;
    vcpu->mmio_last = m;
    return mmio_emulate(vcpu, esr, m, ipa - m->ipa);
}

/* A data abort: emulated here if hyp_trap_mmio_fast_ok() accepts it. */
static inline __attribute__((always_inline)) struct hyp_vcpu_regs *
mmio_fast(struct hyp_vcpu *vcpu, uint64_t esr)
{
    const struct hyp_vm_mmio *m;
    uint64_t off;

    /* guest.S came here for EC 0x24 with ISV set (so IL too); the rest of
     * hyp_trap_mmio_fast_ok() is checked here: FnV, EA, CM, S1PTW, DFSC. */
    if ((esr & HYP_TRAP_MMIO_FAST_MASK & 0x7ff) != (HYP_TRAP_MMIO_FAST_VALUE & 0x7ff))
        return NULL;
    /* The model must know what the guest did with its list registers
     * before a vGIC register shows it. A refused access leaves the run loop
     * to sync again: sync is idempotent. */
    if (vcpu->vgic_cpu != NULL)
        vgic_exit(vcpu);
    m = vcpu->mmio_last;
    /* Most of the time the region it hit last: a driver touches one device
     * many times in a row. */
    off = hyp_trap_mmio_ipa(read_sysreg(hpfar_el2), read_sysreg(far_el2)) - m->ipa;
    if (off >= m->size || m->size - off < DABT_SIZE(esr))
        return mmio_miss(vcpu, esr);
    return mmio_emulate(vcpu, esr, m, off);
}

/* A data abort with a syndrome: guest.S calls it directly for EC 0x24 with
 * ISV set, hyp_vcpu_sync_fast() for one hyp_trap_mmio_fast_ok() accepted. */
struct hyp_vcpu_regs *hyp_vcpu_dabt_fast(struct hyp_vcpu_regs *regs, uint64_t esr)
{
    struct hyp_vcpu *vcpu = (struct hyp_vcpu *)(void *)regs;

    if (!fast_exits_on(vcpu))
        return NULL;
    return mmio_fast(vcpu, esr);
}

/* A data abort with a syndrome, or a trapped system-register access (the
 * narrow path saved its transfer register), or WFI/WFE. */
struct hyp_vcpu_regs *hyp_vcpu_sync_fast(struct hyp_vcpu_regs *regs, uint64_t esr)
{
    struct hyp_vcpu *vcpu = (struct hyp_vcpu *)(void *)regs;
    struct hyp_vgic *vgic;

    if (!fast_exits_on(vcpu))
        return NULL;
    if ((esr >> ESR_EC_SHIFT) == EC_DABT_LOW) /* from the full path: any syndrome */
        return hyp_trap_mmio_fast_ok(esr) ? hyp_vcpu_dabt_fast(regs, esr) : NULL;
    vgic = vcpu->vm->vgic;
    if (vgic == NULL) /* the rest is the vGIC's (vcpu_vgic.c) */
        return NULL;
    if ((esr >> ESR_EC_SHIFT) == EC_SYSREG)
        return hyp_vcpu_sgi1r_fast(vcpu, esr, vgic);
    if ((esr >> ESR_EC_SHIFT) == EC_WFX)
        return hyp_vcpu_wfx_fast(vcpu, esr, vgic);
    return NULL;
}

/* A physical interrupt: those the vGIC forwards are injected here. */
struct hyp_vcpu_regs *hyp_vcpu_irq_fast(struct hyp_vcpu_regs *regs)
{
    struct hyp_vcpu *vcpu = (struct hyp_vcpu *)(void *)regs;
    struct hyp_vgic *vgic = vcpu->vm->vgic;

    if (!fast_exits_on(vcpu))
        return NULL;
    if (vgic != NULL) {
        /* The list registers are read, but the model is synced only when it
         * must be: re-arming a timer's list register needs no sync
         * (hyp_vgic_inject_direct()). */
        uint32_t used = vcpu->vgic_cpu->lr_used;

        vcpu->vgic_synced = used == 0;
        hyp_vgic_hw_read_lrs(vcpu->lrs, used);
    }
    if (!hyp_handle_irq_fast())
        return NULL; /* the run loop syncs, and its hyp_handle_irq() takes it */
    return fast_done(vcpu, HYP_EXIT_IRQ);
}

/* An SMCCC call (HVC64 or SMC64). The vGIC is neither synced nor flushed: a
 * fast SMCCC handler leaves its caller's interrupt state alone. */

struct hyp_vcpu_regs *hyp_vcpu_smccc_fast(struct hyp_vcpu_regs *regs, uint64_t esr)
{
    struct hyp_vcpu *vcpu = (struct hyp_vcpu *)(void *)regs;
    bool smc = (esr >> ESR_EC_SHIFT) == EC_SMC64;

    if ((esr & ESR_IMM16_MASK) != 0 || !fast_exits_on(vcpu) ||
        !hyp_smccc_dispatch_fast(vcpu, smc ? HYP_SMCCC_SMC : HYP_SMCCC_HVC))
        return NULL;
    if (smc) /* a trapped SMC returns to itself */
        write_sysreg(elr_el2, read_sysreg(elr_el2) + 4);
    vcpu->exits[smc ? HYP_EXIT_SMC : HYP_EXIT_HVC]++;
    return regs;
}

int hyp_vcpu_run(struct hyp_vcpu *vcpu, struct hyp_exit *exit)
{
    struct hyp_percpu *cpu = hyp_this_cpu();
    struct hyp_vgic *vgic = vcpu->vm->vgic;
    unsigned vector;

    if (cpu == NULL || vcpu->pcpu != cpu->id ||
        __atomic_load_n(&vcpu->power, __ATOMIC_ACQUIRE) != HYP_VCPU_ON)
        return HYP_EINVAL;
    vcpu_load(cpu, vcpu);
    apply_traps(cpu, vcpu);
    if (vgic != NULL && !vgic_quiet(cpu, vcpu, vgic))
        hyp_vcpu_vgic_enter(cpu, vcpu, vgic);
    /* TPIDR_EL0 is shared with EL2 (picolibc's TLS pointer): switch it. */
    write_sysreg(tpidr_el0, vcpu->el1.tpidr_el0);
    vector = arch_guest_enter(&vcpu->regs); /* may finish exits on the fast path */
    vcpu->el1.tpidr_el0 = read_sysreg(tpidr_el0);
    write_sysreg(tpidr_el0, cpu->tpidr_el0);
    if (vgic != NULL)
        vgic_exit(vcpu);

    /* Synchronous exits first, the run loop's commonest; but one whose
     * hyp_vcpu_wfx_fast() left the interrupt that ended its wait to hyp_handle_irq()
     * is an interrupt exit. */
    if (__builtin_expect((vector & 3) == 0 && !cpu->wfi_irq, 1)) {
        hyp_trap_decode(read_sysreg(esr_el2), read_sysreg(far_el2),
                        read_sysreg(hpfar_el2), exit);
    } else if ((vector & 3) <= 1) {
        cpu->wfi_irq = false;
        memset(exit, 0, sizeof(*exit));
        exit->kind = HYP_EXIT_IRQ;
    } else if ((vector & 3) == 2) {
        memset(exit, 0, sizeof(*exit));
        exit->kind = HYP_EXIT_FIQ;
    } else {
        /* SError: ESR_EL2 holds its syndrome, decoded as EC 0x2f. */
        hyp_trap_decode((0x2fULL << ESR_EC_SHIFT) | (read_sysreg(esr_el2) & 0x1ffffff), 0,
                        0, exit);
    }
    exit->aarch32 = exit->aarch32 || vector >= 12;
    vcpu->exits[exit->kind]++;
    return HYP_OK;
}

/* Take an exception to the guest's EL1 as its hardware would. */
static void inject_sync(struct hyp_vcpu *vcpu, unsigned ec_same, unsigned ec_lower,
                        uint64_t iss, uint64_t far, bool set_far)
{
    uint64_t mode = vcpu->regs.pstate & PSTATE_MODE_MASK;
    bool from_el0 = mode == PSTATE_EL0T;
    uint64_t offset = from_el0 ? 0x400 : mode == PSTATE_EL1T ? 0x000 : 0x200;
    uint64_t ec = from_el0 ? ec_lower : ec_same;

    write_sysreg(esr_el1, (ec << ESR_EC_SHIFT) | ESR_IL | iss);
    if (set_far)
        write_sysreg(far_el1, far);
    write_sysreg(elr_el1, vcpu->regs.pc);
    write_sysreg(spsr_el1, vcpu->regs.pstate);
    vcpu->regs.pc = read_sysreg(vbar_el1) + offset;
    vcpu->regs.pstate = PSTATE_EL1H_MASKED;
}

void hyp_vcpu_inject_sea(struct hyp_vcpu *vcpu, const struct hyp_exit *exit)
{
    if (exit->kind == HYP_EXIT_IABT)
        inject_sync(vcpu, 0x21, 0x20, FSC_SYNC_EXTERNAL, exit->u.iabt.va, true);
    else
        inject_sync(vcpu, 0x25, 0x24,
                    FSC_SYNC_EXTERNAL | (exit->u.dabt.write ? ESR_WNR : 0),
                    exit->u.dabt.va, true);
}

void hyp_vcpu_inject_undef(struct hyp_vcpu *vcpu)
{
    inject_sync(vcpu, 0x00, 0x00, 0, 0, false);
}

void hyp_vcpu_inject_sync(struct hyp_vcpu *vcpu, uint64_t esr)
{
    unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT) & 0x3f;

    inject_sync(vcpu, ec, ec, esr & ((1ULL << ESR_EC_SHIFT) - 1), 0, false);
}
