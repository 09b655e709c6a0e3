/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vgic.h
 * @brief Virtual GICv3 and GICv2: distributor and redistributor model, list
 *        registers.
 *
 * The guest sees a GICv3 with affinity routing always on and a single
 * security state (GICD_CTLR.DS = 1): a distributor frame (64 KiB) and one
 * redistributor per vCPU (RD_base + SGI_base, 128 KiB each, contiguous in
 * vCPU index order, the last one with GICR_TYPER.Last). No LPIs, no ITS, no
 * message-based SPIs. The CPU interface is the hardware's virtual one: the
 * guest reaches ICV_* registers directly and the model feeds it through the
 * ICH_LR<n>_EL2 list registers.
 *
 * @par GICv2
 * With hyp_vgic_config::version = 2 the same model serves a GICv2 guest
 * (up to 8 vCPUs): a 4 KiB distributor with the private interrupts banked
 * per accessing vCPU, GICD_ITARGETSR routing (an SPI goes to the
 * lowest-numbered existing vCPU its target byte names), GICD_SGIR with its
 * target-list filter, and GICD_[CS]PENDSGIR (the source CPU of a virtual SGI
 * is always reported as CPU 0). There are no redistributors: the guest's CPU
 * interface is the hardware's GICV frame, mapped by the caller where the
 * guest expects GICC. The list-register mirror keeps the ICH_LR<n>_EL2
 * layout on both versions; the `hyp_vgic_hw_*` functions translate to and
 * from GICH_LR<n> on a GICv2 host.
 *
 * Everything but the `hyp_vgic_hw_*` functions is pure logic (no system
 * register, no allocation) and builds for host tests. Storage is the
 * caller's: one ::hyp_vgic per VM and one ::hyp_vgic_cpu per vCPU.
 *
 * @par Run-loop contract (per vCPU, on its physical CPU)
 *  1. unless hyp_vgic_needs_flush() says there is nothing to do,
 *     hyp_vgic_flush() into the vCPU's list-register mirror (a `uint64_t
 *     lr[]` array that lives as long as the vCPU and starts zeroed), then
 *     write to the hardware the list registers whose bits flush returned
 *     (hyp_vgic_hw_write_lr()), and ICH_HCR_EL2 (hyp_vgic_hw_write_hcr())
 *     when it changed;
 *  2. run the guest;
 *  3. read back the list registers hyp_vgic_lrs_in_use() names into the
 *     mirror (hyp_vgic_hw_read_lrs()) and call hyp_vgic_sync() with it,
 *     before handling the exit (MMIO emulation, injections, PSCI...). An
 *     exit for an interrupt may defer the sync: hyp_vgic_rearm() needs only
 *     the mirror read back, and hyp_vgic_inject_direct() syncs when it must;
 *     a flush must never run on a model that was not synced since the exit;
 *  4. back to 1.
 *
 * @par Cost
 * Each vCPU keeps a list of the interrupts that are pending or active for
 * it (and those its list registers hold); flush and sync walk only that
 * list and the list registers in use, never the interrupt space. With
 * nothing pending and no list register in use, flush and sync touch no
 * lock and return at once. Sync takes interrupts that are done off the list
 * at once; flush drops those that stopped being pending while waiting. When
 * the list registers already show all a vCPU has and nothing changed,
 * hyp_vgic_needs_flush() lets the run loop skip the flush altogether.
 *
 * The maintenance interrupt (underflow, EOI of a level-triggered interrupt)
 * only has to make the vCPU exit: acknowledge and EOI it at EL2; the next
 * sync/flush does the work.
 *
 * @par Hardware-backed interrupts
 * hyp_vgic_inject() with a non-zero `pintid` puts the interrupt in a list
 * register with HW = 1: the guest's deactivation deactivates the physical
 * interrupt. EL2 must therefore only drop the priority of such an interrupt
 * (ICC_CTLR_EL1.EOImode = 1, write EOIR, not DIR). When the model drops a
 * hardware-backed interrupt that the guest did not deactivate itself (the
 * guest cleared its pending or active state through the distributor, or a
 * resampled line went low), it calls hyp_vgic_config::deactivate so that
 * the physical interrupt does not stay active.
 *
 * @par Resampled lines
 * The pending state of a level-sensitive hardware-backed interrupt (the
 * timers, a passed-through device's level SPI) follows its source: whenever
 * the guest could observe it (a read of its pending bit, a sync after the
 * guest ran, a WFI check), the model asks hyp_vgic_config::line for the
 * current level and forgets a pending state whose line went low, and the
 * physical interrupt is deactivated. So a guest that disables its timer, or
 * clears its device while its interrupts are masked, sees the interrupt no
 * longer pending and does not take it.
 *
 * @par Locking
 * Two kinds of spinlock. hyp_vgic::lock (the distributor lock) protects
 * GICD_CTLR, the SPIs and their routing; each hyp_vgic_cpu::lock protects
 * that vCPU's private interrupts, its GICR_WAKER and its list of pending
 * interrupts. The distributor lock is taken before a vCPU lock; a vCPU
 * lock is never held while waiting for another lock unless the distributor
 * lock is held too. So vCPUs take their own lock on exits with work to do,
 * the distributor lock only when SPIs are involved, and exits of
 * different vCPUs without SPI work never contend. Any CPU may inject into
 * any vCPU. hyp_vgic_flush() and hyp_vgic_sync() for a vCPU must only run on
 * the CPU that runs it. The kick callback is called with every lock
 * released.
 */
#ifndef HYP_VGIC_H
#define HYP_VGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hyp/spinlock.h>

/** Most vCPUs (redistributors) one virtual GIC serves. */
#define HYP_VGIC_MAX_VCPUS    32
/** Most SPIs one virtual GIC models (INTIDs 32 .. 32 + 959; GICv3 allows 988). */
#define HYP_VGIC_MAX_SPIS     960
/** Most list registers the model manages (ICH_VTR_EL2.ListRegs allows 16). */
#define HYP_VGIC_MAX_LRS      16
/** SGIs and PPIs per vCPU (INTIDs 0..31). */
#define HYP_VGIC_NR_PRIVATE   32
/** Size of the distributor frame. */
#define HYP_VGIC_GICD_SIZE    0x10000ull
/** Size of one redistributor (RD_base and SGI_base frames). */
#define HYP_VGIC_GICR_STRIDE  0x20000ull
/** Size of a GICv2 distributor frame. */
#define HYP_VGIC_V2_GICD_SIZE 0x1000ull
/** Size of a GICv2 CPU interface frame as a guest sees it (two 4 KiB pages). */
#define HYP_VGIC_V2_GICC_SIZE 0x2000ull
/** Most vCPUs a virtual GICv2 serves (its target lists have 8 bits). */
#define HYP_VGIC_V2_MAX_VCPUS 8

/** @name ICH_LR<n>_EL2 fields (IHI 0069)
 * @{ */
#define HYP_ICH_LR_VINTID_MASK  0xffffffffull     /**< vINTID [31:0]. */
#define HYP_ICH_LR_PINTID_SHIFT 32                /**< pINTID [44:32] when HW = 1. */
#define HYP_ICH_LR_PINTID_MASK  (0x1fffull << 32) /**< pINTID field. */
#define HYP_ICH_LR_EOI          (1ull << 41)      /**< HW = 0: maintenance on EOI. */
#define HYP_ICH_LR_PRIO_SHIFT   48                /**< Priority [55:48]. */
#define HYP_ICH_LR_GROUP        (1ull << 60)      /**< Group 1. */
#define HYP_ICH_LR_HW           (1ull << 61)      /**< Hardware-backed interrupt. */
#define HYP_ICH_LR_STATE_SHIFT  62                /**< State [63:62]. */
#define HYP_ICH_LR_PENDING      (1ull << 62)      /**< State: pending. */
#define HYP_ICH_LR_ACTIVE       (1ull << 63)      /**< State: active. */
/** @} */

/** @name ICH_HCR_EL2 bits set by hyp_vgic_flush()
 * @{ */
#define HYP_ICH_HCR_EN  (1ull << 0) /**< Virtual CPU interface enable. */
#define HYP_ICH_HCR_UIE (1ull << 1) /**< Underflow maintenance interrupt enable. */
/** @} */

/** State of one virtual interrupt. Private to the model. */
struct hyp_vgic_irq {
    struct hyp_vgic_irq *next; /**< Next on the pending list it is on. */
    struct hyp_vgic_irq *prev; /**< Previous on that list. */
    uint16_t intid;            /**< Its INTID. */
    uint16_t flags;            /**< Internal state bits. */
    uint16_t pintid;           /**< Physical INTID when hardware-backed. */
    uint8_t priority;          /**< GICD/GICR_IPRIORITYR byte. */
    uint8_t lr;                /**< List register holding it, when in one. */
    uint8_t queued;            /**< vCPU whose pending list holds it (0xff: none). */
    uint8_t target;            /**< SPIs: vCPU its IROUTER names (0xff: none);
                                    private ones: their own vCPU. */
};

/** One redistributor and the list-register bookkeeping of one vCPU. */
struct hyp_vgic_cpu {
    struct hyp_spinlock lock;                      /**< See the file comment. */
    uint64_t mpidr;                                /**< Its MPIDR (affinity). */
    uint32_t waker;                                /**< GICR_WAKER. */
    struct hyp_vgic_irq *pending;                  /**< Pending/active list. */
    unsigned pending_spis;                         /**< SPIs on that list. */
    struct hyp_vgic_irq priv[HYP_VGIC_NR_PRIVATE]; /**< SGIs and PPIs. */
    unsigned queued;                               /**< Interrupts on that list. */
    /** Set when the model changed in a way its list registers may not show
     *  yet; cleared by hyp_vgic_flush(). See hyp_vgic_needs_flush(). */
    bool stale;
    unsigned seen_gen; /**< hyp_vgic::gen at the last flush. */
    uint32_t lr_used;  /**< List registers in use. */
    unsigned lr_count; /**< How many (bits of @ref lr_used). */
    /** Free list registers still holding a level interrupt's EOI
     *  maintenance request, which the next flush must wipe. */
    uint32_t lr_wipe;
    unsigned lr_spis;                              /**< How many of those hold SPIs. */
    struct hyp_vgic_irq *lr_irq[HYP_VGIC_MAX_LRS]; /**< What each one holds. */
    uint8_t lr_state[HYP_VGIC_MAX_LRS];            /**< State last seen/loaded. */
};

/**
 * @brief Called when the model makes an interrupt pending for a vCPU.
 *
 * The hypervisor interrupts or wakes the physical CPU running that vCPU so
 * that it exits and flushes. May be called spuriously, and for the calling
 * CPU's own vCPU. Called without the vGIC lock held.
 * @param vcpu Index of the vCPU.
 * @param arg  hyp_vgic_config::kick_arg.
 */
typedef void (*hyp_vgic_kick_fn)(unsigned vcpu, void *arg);

/**
 * @brief The current level of a level-sensitive hardware-backed interrupt.
 *
 * Called with vGIC locks held; it must only read the source (e.g.
 * CNTV_CTL_EL0 for the virtual timer, the physical GIC's pending bit for a
 * level SPI: while EL2 holds the physical interrupt active, that bit shows
 * the line). For a PPI it is called on the physical CPU that runs @p vcpu,
 * with its EL1 state loaded; for an SPI on any CPU.
 * @param vcpu   Index of the vCPU.
 * @param intid  The virtual INTID.
 * @param pintid The physical INTID backing it.
 * @param arg    hyp_vgic_config::kick_arg.
 * @return True while the line is asserted.
 */
typedef bool (*hyp_vgic_line_fn)(unsigned vcpu, uint32_t intid, uint32_t pintid,
                                 void *arg);

/**
 * @brief Deactivate a physical interrupt the guest will not deactivate.
 *
 * Called with vGIC locks held, on any CPU.
 * @param pintid The physical INTID.
 * @param arg    hyp_vgic_config::kick_arg.
 */
typedef void (*hyp_vgic_deactivate_fn)(uint32_t pintid, void *arg);

/** Parameters of hyp_vgic_init(). */
struct hyp_vgic_config {
    /** Guest-physical distributor base, 64 KiB aligned (GICv2: 4 KiB). */
    uint64_t gicd_base;
    /** GICv3: first redistributor, 64 KiB aligned. GICv2: the CPU interface
     *  the guest sees (not emulated: recorded only), 4 KiB aligned. */
    uint64_t gicr_base;
    unsigned version; /**< 3 (or 0) for a GICv3, 2 for a GICv2. */
    /** 1..::HYP_VGIC_MAX_VCPUS (GICv2: ::HYP_VGIC_V2_MAX_VCPUS). */
    unsigned vcpu_count;
    const uint64_t *vcpu_mpidr; /**< Each vCPU's MPIDR; affinities must differ. */
    unsigned nr_spis;           /**< SPIs, a multiple of 32 up to ::HYP_VGIC_MAX_SPIS. */
    struct hyp_vgic_cpu *cpus;  /**< Storage for vcpu_count redistributors. */
    hyp_vgic_kick_fn kick;      /**< May be NULL. */
    void *kick_arg;             /**< Passed to @ref kick, @ref line, @ref deactivate. */
    hyp_vgic_line_fn line;      /**< Levels of hardware lines; may be NULL. */
    hyp_vgic_deactivate_fn deactivate; /**< May be NULL. */
};

/** The virtual GIC of one VM. Fields are private to the model. */
struct hyp_vgic {
    struct hyp_spinlock lock; /**< The distributor lock. */
    uint64_t gicd_base;       /**< Distributor base. */
    uint64_t gicr_base;       /**< Redistributor base (GICv2: CPU interface). */
    unsigned version;         /**< 3 or 2. */
    unsigned vcpu_count;      /**< vCPUs. */
    unsigned nr_spis;         /**< SPIs. */
    uint32_t ctlr;            /**< GICD_CTLR. */
    uint32_t typer;           /**< GICD_TYPER (constant once initialised). */
    bool linear_affinity;     /**< vCPU i has affinity 0.0.0.i (lookups are O(1)). */
    /** Bumped by every register access that may change interrupt state
     *  (see hyp_vgic_needs_flush()). */
    unsigned gen;
    struct hyp_vgic_cpu *cpus;                  /**< Redistributors. */
    hyp_vgic_kick_fn kick;                      /**< Kick callback. */
    void *kick_arg;                             /**< Its argument. */
    hyp_vgic_line_fn line;                      /**< Line callback. */
    hyp_vgic_deactivate_fn deactivate;          /**< Deactivate callback. */
    struct hyp_vgic_irq spi[HYP_VGIC_MAX_SPIS]; /**< SPI state. */
    /** GICD_IROUTER<n> (GICv2: the GICD_ITARGETSR<n> byte). */
    uint64_t irouter[HYP_VGIC_MAX_SPIS];
};

/**
 * @brief Initialise (or reset) a virtual GIC to its architected reset state.
 *
 * Reset values: GICD_CTLR = ARE | DS (distributor disabled; GICv2: 0), all
 * interrupts group 0, disabled, inactive, not pending, priority 0,
 * level-sensitive (SGIs edge), IROUTER 0 (GICv2: ITARGETSR 0, no target);
 * every GICR_WAKER has ProcessorSleep and ChildrenAsleep set.
 * @param vgic The virtual GIC.
 * @param cfg  Parameters.
 * @return ::HYP_OK; ::HYP_EINVAL for a bad count, base alignment, duplicate
 *         affinity or a NULL array.
 */
int hyp_vgic_init(struct hyp_vgic *vgic, const struct hyp_vgic_config *cfg);

/**
 * @brief Emulate a guest access to the distributor or a redistributor.
 *
 * Accepted widths: 32-bit aligned for every register; also 8-bit for the
 * byte registers (IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR); 64-bit
 * aligned for the 64-bit registers (GICD_IROUTER<n>, GICR_TYPER,
 * GICR_PROPBASER, GICR_PENDBASER, GICR_SETLPIR, GICR_CLRLPIR,
 * GICR_INVLPIR, GICR_INVALLR), whose 32-bit halves are accessible too.
 * Reserved and unimplemented offsets inside the frames are RAZ/WI for 32-bit
 * accesses.
 *
 * @param vgic  The virtual GIC.
 * @param vcpu  Index of the accessing vCPU (any redistributor is reachable).
 * @param ipa   Guest-physical address accessed.
 * @param size  Access size in bytes: 1, 2, 4 or 8.
 * @param write True for a store.
 * @param val   Store: the value (low @p size bytes). Load: receives the
 *              value, zero-extended.
 * On a GICv2 only the distributor (::HYP_VGIC_V2_GICD_SIZE) is emulated
 * here; its private interrupts are those of the accessing vCPU.
 *
 * @return ::HYP_OK; ::HYP_ENOENT if @p ipa is in no frame of this GIC (not
 *         ours: nothing was done); ::HYP_EINVAL for a width or alignment the
 *         register does not allow, or a bad @p vcpu (inject an external
 *         abort).
 */
int hyp_vgic_mmio(struct hyp_vgic *vgic, unsigned vcpu, uint64_t ipa, unsigned size,
                  bool write, uint64_t *val);

/**
 * @brief hyp_vgic_mmio() for an access already known to be in the
 *        distributor frame.
 * @param vgic   The virtual GIC.
 * @param vcpu   Index of the accessing vCPU.
 * @param offset Offset from the distributor base (::HYP_ENOENT from
 *               ::HYP_VGIC_GICD_SIZE on; GICv2: ::HYP_VGIC_V2_GICD_SIZE).
 * @param size   Access size in bytes.
 * @param write  True for a store.
 * @param val    As for hyp_vgic_mmio().
 * @return As hyp_vgic_mmio().
 */
int hyp_vgic_mmio_gicd(struct hyp_vgic *vgic, unsigned vcpu, uint64_t offset,
                       unsigned size, bool write, uint64_t *val);

/**
 * @brief hyp_vgic_mmio() for an access already known to be in the
 *        redistributors' frames.
 * @param vgic   The virtual GIC.
 * @param vcpu   Index of the accessing vCPU (any redistributor is reachable).
 * @param offset Offset from the first redistributor's base (::HYP_ENOENT
 *               past the last one's frames). A GICv2 has no
 *               redistributors: its callers do not call this (hyp_vgic_mmio()
 *               says ::HYP_ENOENT).
 * @param size   Access size in bytes.
 * @param write  True for a store.
 * @param val    As for hyp_vgic_mmio().
 * @return As hyp_vgic_mmio().
 */
int hyp_vgic_mmio_gicr(struct hyp_vgic *vgic, unsigned vcpu, uint64_t offset,
                       unsigned size, bool write, uint64_t *val);

/**
 * @brief Drive a virtual interrupt line.
 *
 * Edge-triggered interrupts (per GICD/GICR_ICFGR; SGIs always) become pending
 * on `level == true`; `false` does nothing. Level-sensitive interrupts are
 * pending while their line is high. A hardware-backed interrupt becomes
 * pending on `level == true` whatever its configuration: its physical
 * counterpart stays active until the guest deactivates the virtual one.
 * SPIs go to the vCPU GICD_IROUTER<n> names; with IRM = 1 (any PE) to the
 * lowest-numbered vCPU whose redistributor is awake (GICR_WAKER), or vCPU 0
 * if none is.
 *
 * @param vgic   The virtual GIC.
 * @param vcpu   For SGIs and PPIs (INTID < 32): the vCPU; ignored for SPIs.
 * @param intid  The virtual INTID.
 * @param level  The line level (see above).
 * @param pintid 0 for a software interrupt; otherwise the physical INTID
 *               (16..1019) backing it, recorded for later list registers.
 * @return ::HYP_OK; ::HYP_EINVAL for an INTID that does not exist, a bad
 *         @p vcpu or @p pintid.
 */
int hyp_vgic_inject(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid, bool level,
                    uint32_t pintid);

/**
 * @brief Emulate a guest write to ICC_SGI1R_EL1 (trapped while HCR_EL2.IMO = 1).
 *
 * Sends SGI INTID [27:24] to the vCPUs whose affinity is Aff3.Aff2.Aff1 and
 * whose Aff0 is `RS * 16 + n` for each bit n of TargetList, or, with
 * IRM = 1, to every vCPU but @p src_vcpu. Targets that do not exist are
 * ignored.
 * @param vgic     The virtual GIC.
 * @param src_vcpu Index of the writing vCPU.
 * @param value    The 64-bit value written.
 * @return ::HYP_OK; ::HYP_EINVAL for a bad @p src_vcpu.
 *
 * A GICv2 guest has no ICC_SGI1R_EL1 (its SGIs go through GICD_SGIR); on a
 * GICv2 model this still routes by the vCPUs' affinities.
 */
int hyp_vgic_sgi1r(struct hyp_vgic *vgic, unsigned src_vcpu, uint64_t value);

/**
 * @brief Fill list registers before entering a vCPU.
 *
 * Interrupts already in list registers stay in the same one, rewritten from
 * the model (an interrupt no longer pending or active there frees it). Free
 * list registers take the remaining active interrupts first, then pending,
 * enabled ones whose group the distributor enables, highest priority first
 * (lowest INTID on ties). A pending-only list register is given up to a
 * strictly higher-priority interrupt that did not fit. Level-sensitive
 * software interrupts ask for an EOI maintenance interrupt. Only the
 * vCPU's pending list is looked at.
 *
 * @param vgic    The virtual GIC.
 * @param vcpu    The vCPU about to run.
 * @param lr      The vCPU's list-register mirror: in, the values of the last
 *                sync (or flush); out, those to load (unused ones are zero).
 * @param nr_lr   Number of list registers (ICH_VTR_EL2.ListRegs + 1);
 *                values above ::HYP_VGIC_MAX_LRS are clamped.
 * @param ich_hcr Receives ICH_HCR_EL2: En, plus UIE when deliverable
 *                interrupts were left out.
 * @return Bit n set when lr[n] changed and must be written to the hardware;
 *         the list registers of the other bits are unchanged or invalid
 *         (state 0) in the hardware already.
 */
uint32_t hyp_vgic_flush(struct hyp_vgic *vgic, unsigned vcpu, uint64_t *lr,
                        unsigned nr_lr, uint64_t *ich_hcr);

/**
 * @brief List registers that hold an interrupt for a vCPU (to read back).
 *
 * After the guest ran, only these can hold state the model does not know;
 * read them into the mirror before hyp_vgic_sync(). Lock-free; call on the
 * vCPU's CPU.
 * @param vgic The virtual GIC.
 * @param vcpu The vCPU (a valid index).
 * @return Bit n set for each list register in use.
 */
static inline uint32_t hyp_vgic_lrs_in_use(const struct hyp_vgic *vgic, unsigned vcpu)
{
    return vgic->cpus[vcpu].lr_used;
}

/**
 * @brief Whether a vCPU has nothing for its list registers (lock-free).
 *
 * True when no interrupt is pending or active for it and none is in its
 * list registers: hyp_vgic_flush() then leaves ICH_HCR_EL2 at En and at
 * most wipes free list registers left with an EOI request (whether the
 * run loop may skip the flush is hyp_vgic_needs_flush()'s to say). Call on
 * the vCPU's CPU; an injection racing with it kicks the vCPU, which exits
 * again.
 * @param vgic The virtual GIC.
 * @param vcpu The vCPU (a valid index).
 * @return True if there is nothing to do.
 */
static inline bool hyp_vgic_idle(const struct hyp_vgic *vgic, unsigned vcpu)
{
    const struct hyp_vgic_cpu *c = &vgic->cpus[vcpu];

    return c->lr_used == 0 && __atomic_load_n(&c->pending, __ATOMIC_ACQUIRE) == NULL;
}

/**
 * @brief hyp_vgic_needs_flush() for a vCPU given by its redistributor state.
 *
 * The same answer, for exit paths that hold the vCPU's ::hyp_vgic_cpu
 * already and need not index hyp_vgic::cpus.
 * @param vgic The virtual GIC.
 * @param c    The vCPU's entry of hyp_vgic::cpus.
 * @return True if hyp_vgic_flush() must run before entering the vCPU.
 */
static inline bool hyp_vgic_cpu_needs_flush(const struct hyp_vgic *vgic,
                                            const struct hyp_vgic_cpu *c)
{
    /* Loads without ordering, of fields other CPUs write (volatile: one
     * load each, where GCC's relaxed atomics take an extra add). None
     * needs to be ordered with anything: a change seen leads to a flush,
     * which takes the vCPU's lock before it reads the model, and a change
     * not seen yet is followed by a kick, which brings the vCPU back. */
    return *(const volatile uint8_t *)&c->stale != 0 || c->lr_wipe != 0 ||
           *(const volatile unsigned *)&c->queued != c->lr_count ||
           *(const volatile unsigned *)&vgic->gen != c->seen_gen;
}

/**
 * @brief Whether hyp_vgic_flush() has work for a vCPU (lock-free).
 *
 * False when every interrupt on the vCPU's pending list sits in a list
 * register that already shows its state, and nothing changed since the last
 * flush: no injection or SGI for it (hyp_vgic_inject_direct() excepted,
 * which keeps its list register in step), no free list register left with
 * a level interrupt's EOI maintenance request (it would keep the
 * maintenance interrupt asserted), no change to the state of an
 * interrupt it holds, no distributor or redistributor register access that
 * may change interrupt state. hyp_vgic_flush() would then change nothing,
 * so the run loop skips it and an exit with interrupts in flight touches no
 * vGIC lock. A change racing with the check kicks the vCPU, which exits
 * again. Call on the vCPU's CPU, after hyp_vgic_sync().
 * @param vgic The virtual GIC.
 * @param vcpu The vCPU (a valid index).
 * @return True if hyp_vgic_flush() must run before entering the vCPU.
 */
static inline bool hyp_vgic_needs_flush(const struct hyp_vgic *vgic, unsigned vcpu)
{
    return hyp_vgic_cpu_needs_flush(vgic, &vgic->cpus[vcpu]);
}

/**
 * @brief Re-arm a hardware-backed interrupt in the list register it holds.
 *
 * The cheapest injection, for a timer or passed-through device interrupt
 * of the vCPU that runs on the calling CPU: if the interrupt already holds
 * one of the vCPU's list registers and the hardware shows that register
 * invalid (the guest took and deactivated the last one, which is why the
 * physical interrupt could fire again), the register is made pending again,
 * and the model, which never saw it go, is left as if it had stayed
 * pending. The vCPU's list registers need not have been synced
 * (hyp_vgic_sync()) since it exited, only read back into @p lr. Not done
 * when the interrupt was disabled, or anything changed since the last
 * flush (hyp_vgic_needs_flush()).
 * @param vgic   The virtual GIC.
 * @param vcpu   The vCPU, loaded on the calling CPU.
 * @param intid  The virtual INTID.
 * @param pintid The physical INTID behind it.
 * @param lr     The list-register mirror, the registers in use read back.
 * @param nr_lr  Number of list registers.
 * @return The list register to write to the hardware (from @p lr), or -1
 *         (then use hyp_vgic_inject_direct()).
 */
int hyp_vgic_rearm(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid, uint32_t pintid,
                   uint64_t *lr, unsigned nr_lr);

/** hyp_vgic_inject_direct(): injected without a list register of its own. */
#define HYP_VGIC_QUEUED 0x100

/**
 * @brief Inject an edge, or a hardware-backed interrupt, into the vCPU that
 *        runs on the calling CPU, straight into a list register.
 *
 * The path of a timer or passed-through device interrupt that arrives while
 * its vCPU runs here, when hyp_vgic_rearm() could not. Two ways:
 *  - *Direct*: the interrupt idle (neither pending nor active nor in a list
 *    register), enabled with its group, routed to @p vcpu (SPIs), the vCPU
 *    with nothing else waiting and nothing changed since its last flush
 *    (hyp_vgic_needs_flush() false), a list register free: it goes there
 *    and the model records it there, so no flush is needed.
 *  - Otherwise hyp_vgic_inject() with `level = true`, for hyp_vgic_flush().
 * Both need the model synced: if @p synced says it is not, this calls
 * hyp_vgic_sync() first and says so.
 * @param vgic   The virtual GIC.
 * @param vcpu   The vCPU, loaded on the calling CPU.
 * @param intid  The virtual INTID.
 * @param pintid The physical INTID behind it, or 0 for a software edge.
 * @param lr     The vCPU's list-register mirror, with the registers in use
 *               (hyp_vgic_lrs_in_use()) read back from the hardware since
 *               the vCPU exited.
 * @param nr_lr  Number of list registers.
 * @param synced In: whether hyp_vgic_sync() ran since the vCPU exited; out:
 *               whether it has now (set when this function ran it).
 * @return The index of the list register written (the caller writes
 *         @p lr at that index to the hardware); ::HYP_VGIC_QUEUED if it took
 *         the ordinary path (hyp_vgic_flush() does the rest); ::HYP_EINVAL
 *         as hyp_vgic_inject().
 */
int hyp_vgic_inject_direct(struct hyp_vgic *vgic, unsigned vcpu, uint32_t intid,
                           uint32_t pintid, uint64_t *lr, unsigned nr_lr, bool *synced);

/**
 * @brief Fold list-register state back into the model after an exit.
 *
 * An interrupt whose list register went from pending to active or invalid was
 * acknowledged (edge: consumed; level: pending again while its line is high
 * once deactivated); one that left the active state was deactivated.
 * Interrupts still pending or active keep their list register. A
 * level-sensitive hardware-backed interrupt still pending there is forgotten
 * if its line went low (see the file comment).
 * @param vgic  The virtual GIC.
 * @param vcpu  The vCPU that exited.
 * @param lr    The mirror, with the list registers hyp_vgic_lrs_in_use()
 *              names read from the hardware.
 * @param nr_lr Number of values (same as for hyp_vgic_flush()).
 */
void hyp_vgic_sync(struct hyp_vgic *vgic, unsigned vcpu, const uint64_t *lr,
                   unsigned nr_lr);

/**
 * @brief Whether a vCPU has an interrupt to take (for WFI).
 *
 * True if an interrupt routed to @p vcpu is pending, enabled and its group
 * enabled at the distributor (the virtual CPU interface's priority mask is
 * not considered, so WFI may end early, as the architecture allows).
 * @param vgic The virtual GIC.
 * @param vcpu The vCPU.
 * @return True if the vCPU should not block.
 */
bool hyp_vgic_pending(struct hyp_vgic *vgic, unsigned vcpu);

/**
 * @brief A list-register value in the model's ICH_LR<n>_EL2 layout as a
 *        GICv2 GICH_LR<n>.
 *
 * vINTID [9:0], pINTID [19:10] when HW = 1 (else EOI [19]; CPUID [12:10] 0:
 * the source of a virtual SGI shows as CPU 0), the priority's top five bits
 * [27:23], state [29:28], Grp1 [30], HW [31].
 * @param v The ICH_LR-layout value.
 * @return The GICH_LR value.
 */
uint32_t hyp_vgic_lr_to_gich(uint64_t v);

/**
 * @brief A GICv2 list register read back, in the model's layout.
 *
 * A guest changes only a list register's state: the result is @p written
 * with the state of @p gich, so nothing is lost to GICH_LR's narrower
 * fields.
 * @param written The ICH_LR-layout value last written to that register.
 * @param gich    The GICH_LR value read.
 * @return The ICH_LR-layout value.
 */
uint64_t hyp_vgic_lr_from_gich(uint64_t written, uint32_t gich);

/**
 * @brief Number of list registers the hardware has (target only).
 * @return ICH_VTR_EL2.ListRegs + 1, at most ::HYP_VGIC_MAX_LRS.
 */
unsigned hyp_vgic_hw_nr_lrs(void);

/**
 * @brief Read one list register, ICH_LR<n>_EL2 (target only).
 * @param n 0 .. ::HYP_VGIC_MAX_LRS - 1 (a GICv3 takes it modulo
 *          ::HYP_VGIC_MAX_LRS: the exit paths pay for no bounds check).
 * @return Its value (GICv2: 0 for a bad @p n).
 */
uint64_t hyp_vgic_hw_read_lr(unsigned n);

/**
 * @brief Read several list registers into a mirror (target only): the exit
 *        paths' hyp_vgic_hw_read_lr() loop in one call.
 * @param lr   The mirror: lr[n] gets list register n for each bit n of @p used.
 * @param used Bit n set: read list register n (n < ::HYP_VGIC_MAX_LRS).
 */
void hyp_vgic_hw_read_lrs(uint64_t *lr, uint32_t used);

/**
 * @brief Write one list register, ICH_LR<n>_EL2 (target only).
 * @param n 0 .. ::HYP_VGIC_MAX_LRS - 1 (taken modulo ::HYP_VGIC_MAX_LRS on a
 *          GICv3, as for hyp_vgic_hw_read_lr()).
 * @param v The value.
 */
void hyp_vgic_hw_write_lr(unsigned n, uint64_t v);

/**
 * @brief Write ICH_HCR_EL2 (target only).
 * @param hcr The value, usually from hyp_vgic_flush().
 */
void hyp_vgic_hw_write_hcr(uint64_t hcr);

/**
 * @brief Read ICH_MISR_EL2, the maintenance interrupt status (target only).
 * @return Its value.
 */
uint64_t hyp_vgic_hw_read_misr(void);

/**
 * @brief Read ICH_ELRSR_EL2, the empty list register bitmap (target only).
 * @return Its value.
 */
uint64_t hyp_vgic_hw_read_elrsr(void);

/**
 * @brief Read ICH_EISR_EL2, the EOI-maintenance bitmap (target only).
 * @return Its value.
 */
uint64_t hyp_vgic_hw_read_eisr(void);

/** Virtual CPU interface state that follows a vCPU between CPUs. */
struct hyp_vgic_hw_state {
    uint64_t vmcr;  /**< ICH_VMCR_EL2. */
    uint64_t ap0r0; /**< ICH_AP0R0_EL2. */
    uint64_t ap1r0; /**< ICH_AP1R0_EL2. */
};

/**
 * @brief Save ICH_VMCR_EL2 and the active-priority registers (target only).
 *
 * Needed only when another vCPU is loaded on this CPU (lazy switch).
 * @param st Receives the state.
 */
void hyp_vgic_hw_save(struct hyp_vgic_hw_state *st);

/**
 * @brief Restore state saved by hyp_vgic_hw_save() (target only).
 * @param st The state.
 */
void hyp_vgic_hw_restore(const struct hyp_vgic_hw_state *st);

/**
 * @brief Reset this CPU's virtual CPU interface (target only).
 *
 * Clears every list register and the active priorities, resets
 * ICH_VMCR_EL2 (groups disabled, priority mask 0) and sets
 * ICH_HCR_EL2 = En. Call once per CPU before its first guest entry.
 */
void hyp_vgic_hw_cpu_init(void);

#endif /* HYP_VGIC_H */
