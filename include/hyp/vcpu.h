/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vcpu.h
 * @brief Virtual CPUs: context, world switch and the run loop primitive.
 *
 * A vCPU is pinned to one physical CPU (hyp_vcpu::pcpu) and only that CPU
 * runs it. hyp_vcpu_run() enters the guest at EL1 and returns when the guest
 * exits to EL2, with the exit decoded into a ::hyp_exit; the caller applies
 * its own policy first and then usually hyp_handle_exit() (see vm.h).
 *
 * Guest general registers, PC and PSTATE are saved on every exit. The EL1
 * system registers stay live in the CPU while a vCPU is loaded and are
 * saved to ::hyp_vcpu::el1 only when another vCPU is loaded on the same
 * CPU, so an exit costs no system-register traffic. EL2 never touches
 * FP/SIMD registers except q0..q7 in picolibc's printf family (it is built
 * with `-mgeneral-regs-only`), so only those eight are switched (see
 * ::hyp_vcpu_regs) and the rest of the guest's FP state is never saved.
 */
#ifndef HYP_VCPU_H
#define HYP_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/trap.h>

struct hyp_vm;
struct hyp_vm_mmio;
struct hyp_vgic_cpu;

/**
 * Registers the world switch saves and restores on every exit/entry.
 *
 * q0..q7 are switched too: picolibc's printf family copies its va_list and
 * zeroes its FILE with SIMD stores, so EL2 code that prints would otherwise
 * clobber the guest's live q0/q1 (the other FP/SIMD registers are never
 * touched at EL2, see the file comment).
 */
struct hyp_vcpu_regs {
    uint64_t x[31];  /**< x0..x30. */
    uint64_t pc;     /**< Guest PC (ELR_EL2). */
    uint64_t pstate; /**< Guest PSTATE (SPSR_EL2). */
    uint64_t pad;    /**< @private keeps @ref q 16-byte aligned. */
    /** q0..q7, low then high 64 bits of each. */
    uint64_t q[16] __attribute__((aligned(16)));
};

/** EL1/EL0 system registers of a vCPU that is not loaded on a CPU. */
struct hyp_vcpu_el1 {
    uint64_t sctlr;       /**< SCTLR_EL1 */
    uint64_t ttbr0;       /**< TTBR0_EL1 */
    uint64_t ttbr1;       /**< TTBR1_EL1 */
    uint64_t tcr;         /**< TCR_EL1 */
    uint64_t mair;        /**< MAIR_EL1 */
    uint64_t amair;       /**< AMAIR_EL1 */
    uint64_t vbar;        /**< VBAR_EL1 */
    uint64_t contextidr;  /**< CONTEXTIDR_EL1 */
    uint64_t tpidr_el0;   /**< TPIDR_EL0 */
    uint64_t tpidrro_el0; /**< TPIDRRO_EL0 */
    uint64_t tpidr_el1;   /**< TPIDR_EL1 */
    uint64_t sp_el0;      /**< SP_EL0 */
    uint64_t sp_el1;      /**< SP_EL1 */
    uint64_t elr_el1;     /**< ELR_EL1 */
    uint64_t spsr_el1;    /**< SPSR_EL1 */
    uint64_t esr;         /**< ESR_EL1 */
    uint64_t far;         /**< FAR_EL1 */
    uint64_t afsr0;       /**< AFSR0_EL1 */
    uint64_t afsr1;       /**< AFSR1_EL1 */
    uint64_t par;         /**< PAR_EL1 */
    uint64_t cpacr;       /**< CPACR_EL1 */
    uint64_t csselr;      /**< CSSELR_EL1 */
    uint64_t cntkctl;     /**< CNTKCTL_EL1 */
    uint64_t cntv_ctl;    /**< CNTV_CTL_EL0 */
    uint64_t cntv_cval;   /**< CNTV_CVAL_EL0 */
    uint64_t mdscr;       /**< MDSCR_EL1 */
};

/** PSCI power state of a vCPU. */
enum hyp_vcpu_power {
    HYP_VCPU_OFF = 0,    /**< Off; CPU_ON may start it. */
    HYP_VCPU_ON_PENDING, /**< CPU_ON accepted; its CPU has not run it yet. */
    HYP_VCPU_ON,         /**< Running (or runnable). */
};

/** A virtual CPU. */
struct hyp_vcpu {
    struct hyp_vcpu_regs regs; /**< Saved guest registers (first: used by assembly). */
    struct hyp_vm *vm;         /**< The VM it belongs to. */
    unsigned id;               /**< Index within the VM. */
    unsigned pcpu;             /**< Physical CPU (logical index) that runs it. */
    uint64_t vmpidr;           /**< MPIDR the guest reads (affinity fields). */
    int power;                 /**< ::hyp_vcpu_power; changed under the VM's lock. */
    uint64_t boot_entry;       /**< CPU_ON / warm-boot entry point (IPA). */
    uint64_t boot_context;     /**< CPU_ON context id, x0 at entry. */
    struct hyp_vcpu_el1 el1;   /**< EL1 state while not loaded. */
    bool loaded; /**< EL1 state is live in the registers of its physical CPU. */
    /** The region of hyp_vm::mmio it accessed last (a lookup hint; a region
     *  of size 0 until the first access). */
    const struct hyp_vm_mmio *mmio_last;
    /** Its redistributor state in the VM's virtual GIC, or NULL without one
     *  (set by hyp_vm_attach_vgic(); read by the exit path). */
    struct hyp_vgic_cpu *vgic_cpu;
    /** True when the vGIC model knows what the guest did with its list
     *  registers since its last exit (hyp_vgic_sync() ran, or none was in
     *  use). False means a sync is due before a flush: the interrupt exit
     *  path defers it (see hyp_vgic_inject_direct()), and an exit with no
     *  list register in use leaves the flag as it was, a sync of nothing
     *  being harmless. */
    bool vgic_synced;
    /** Exits by ::hyp_exit_kind, those finished on the fast path included. */
    uint64_t exits[HYP_EXIT_KIND_COUNT];
    /**
     * Mirror of the vCPU's list registers (ICH_LR<n>_EL2) for the vGIC;
     * zero at VM creation.
     */
    uint64_t lrs[16];
    /**
     * Extra HCR_EL2 trap bits while this vCPU runs (e.g. TVM), ORed into
     * the library's own; applied at the next hyp_vcpu_run().
     */
    uint64_t hcr_set;
    /**
     * HCR_EL2 bits of the library's own taken away while this vCPU runs
     * (after @ref hcr_set is added), e.g. IMO and FMO for a guest that owns
     * the physical GIC, so that its interrupts go straight to its EL1, or TWI
     * so that its WFI sleeps in hardware; applied at the next hyp_vcpu_run().
     * VM, RW and the stage-2 bits must stay: clearing them is undefined.
     */
    uint64_t hcr_clear;
    /**
     * Extra MDCR_EL2 bits while this vCPU runs (e.g. TDE, which also traps
     * every debug register access), ORed into the CPU's boot value; applied
     * at the next hyp_vcpu_run().
     */
    uint64_t mdcr_set;
};

/**
 * @brief Put a vCPU in its architectural reset state for a (warm) boot.
 *
 * PC = @p entry, x0 = @p context, other registers zero, EL1h with all of
 * DAIF masked, MMU and caches off (SCTLR_EL1 reset value).
 * Must be called on the vCPU's physical CPU if it is loaded there.
 *
 * @param vcpu    The vCPU.
 * @param entry   Guest-physical entry point.
 * @param context Value for x0.
 */
void hyp_vcpu_reset(struct hyp_vcpu *vcpu, uint64_t entry, uint64_t context);

/**
 * @brief Save a vCPU's EL1 state if it is loaded on the calling CPU, and
 *        unload it: its storage may then be reused (a child VM destroyed).
 *        The next hyp_vcpu_run() on this CPU loads in full.
 * @param vcpu The vCPU.
 */
void hyp_vcpu_put(struct hyp_vcpu *vcpu);

/**
 * @brief Copy the EL1 state of a vCPU loaded on this CPU into hyp_vcpu::el1.
 *
 * For taking a checkpoint: the EL1 system registers of a loaded vCPU live
 * in the CPU (see the file comment). Does nothing for a vCPU not loaded.
 * Must be called on the vCPU's physical CPU, between two runs.
 * @param vcpu The vCPU.
 */
void hyp_vcpu_save_el1(struct hyp_vcpu *vcpu);

/**
 * @brief Run a vCPU until it exits to EL2.
 *
 * Must be called on the vCPU's physical CPU (hyp_vcpu::pcpu) with
 * interrupts masked at EL2. Loads the vCPU's EL1 state and its VM's stage 2
 * if they are not already loaded on this CPU.
 *
 * @param vcpu The vCPU; its power state must be ::HYP_VCPU_ON.
 * @param exit Receives the decoded exit (IRQ, FIQ and SError exits too).
 * @return ::HYP_OK, or ::HYP_EINVAL when called on the wrong CPU or for a
 *         vCPU that is not on.
 */
int hyp_vcpu_run(struct hyp_vcpu *vcpu, struct hyp_exit *exit);

/**
 * @brief Inject a synchronous external abort for a guest access that faulted.
 *
 * Emulates the exception the guest's own EL1 would take for @p exit (a data
 * or instruction abort): ESR_EL1 (abort class for the guest's current EL,
 * fault status "synchronous external abort", WnR for data aborts), FAR_EL1
 * (the faulting virtual address), ELR_EL1, SPSR_EL1, then PC = VBAR_EL1 + the
 * vector for the guest's current EL and stack pointer, PSTATE = EL1h with
 * DAIF masked. The vCPU must be loaded on the calling CPU (i.e. called after
 * hyp_vcpu_run() returned on it).
 *
 * @param vcpu The vCPU.
 * @param exit Its exit; ::HYP_EXIT_DABT or ::HYP_EXIT_IABT.
 */
void hyp_vcpu_inject_sea(struct hyp_vcpu *vcpu, const struct hyp_exit *exit);

/**
 * @brief Inject an Undefined Instruction exception into the guest.
 *
 * Same conditions as hyp_vcpu_inject_sea().
 * @param vcpu The vCPU.
 */
void hyp_vcpu_inject_undef(struct hyp_vcpu *vcpu);

/**
 * @brief Inject a synchronous exception with a given syndrome into the guest.
 *
 * Sets ESR_EL1 = @p esr, ELR_EL1 = the guest's PC, SPSR_EL1 = its PSTATE,
 * and enters its EL1 vector for the current EL and stack pointer, with
 * DAIF masked (as hyp_vcpu_inject_sea()). For reflecting a trapped
 * exception the guest would have taken itself, e.g. a BRK while
 * MDCR_EL2.TDE routes debug exceptions to EL2 (EC 0x3C is the same from
 * EL0 and EL1).
 *
 * @param vcpu The vCPU, loaded on the calling CPU.
 * @param esr  The complete ESR_EL1 value (EC, IL, ISS).
 */
void hyp_vcpu_inject_sync(struct hyp_vcpu *vcpu, uint64_t esr);

/**
 * @brief Read the guest's register @p n, with 31 meaning XZR (reads 0).
 * @param vcpu The vCPU.
 * @param n    Register number 0..31.
 * @return Its value.
 */
static inline uint64_t hyp_vcpu_reg(const struct hyp_vcpu *vcpu, unsigned n)
{
    return n < 31 ? vcpu->regs.x[n] : 0;
}

/**
 * @brief Write the guest's register @p n; writes to 31 (XZR) are ignored.
 * @param vcpu The vCPU.
 * @param n    Register number 0..31.
 * @param val  Value.
 */
static inline void hyp_vcpu_set_reg(struct hyp_vcpu *vcpu, unsigned n, uint64_t val)
{
    if (n < 31)
        vcpu->regs.x[n] = val;
}

#endif /* HYP_VCPU_H */
