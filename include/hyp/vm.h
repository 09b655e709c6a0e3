/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vm.h
 * @brief Virtual machines: stage-2 address space, vCPUs, default exit handling.
 *
 * A VM owns a stage-2 table (tagged with its VMID), a list of guest RAM
 * ranges and an array of vCPUs supplied by the caller (no allocation). Guest
 * RAM is mapped IPA -> PA with a per-range offset, so a guest can see RAM
 * where the board has it while the hypervisor keeps the physical pages it
 * needs. Devices are mapped IPA == PA.
 */
#ifndef HYP_VM_H
#define HYP_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>
#include <hyp/platform.h>
#include <hyp/spinlock.h>
#include <hyp/trap.h>
#include <hyp/vcpu.h>

/** Most guest RAM ranges a VM has. */
#define HYP_VM_MAX_RAM  4
/** Most emulated MMIO regions a VM has. */
#define HYP_VM_MAX_MMIO 8

/**
 * @brief An emulated device's access handler.
 *
 * @param vcpu   The vCPU that accessed it (loaded on the calling CPU).
 * @param offset Byte offset of the access in the region.
 * @param size   Access size in bytes: 1, 2, 4 or 8.
 * @param write  true for a store.
 * @param val    Store: the value written (truncated to @p size). Load: set it
 *               to the value read (bits above @p size are ignored).
 * @param arg    The argument given to hyp_vm_add_mmio().
 * @return ::HYP_OK; any error makes the guest take a synchronous external
 *         abort for the access.
 */
typedef int (*hyp_mmio_fn)(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size,
                           bool write, uint64_t *val, void *arg);

/** An emulated MMIO region of a VM. */
struct hyp_vm_mmio {
    uint64_t ipa;   /**< Guest-physical start. */
    uint64_t size;  /**< Bytes. */
    hyp_mmio_fn fn; /**< Its handler. */
    void *arg;      /**< The handler's argument. */
    bool fast;      /**< Emulated on the exit fast path (hyp_vm_set_mmio_fast()). */
};

struct hyp_colour_layout;

/** One range of guest RAM. */
struct hyp_vm_ram {
    uint64_t ipa;  /**< Guest-physical start. */
    uint64_t pa;   /**< Physical start backing it (the span's, if coloured). */
    uint64_t size; /**< Bytes. */
    /** Coloured RAM (hyp_vm_add_ram_coloured()): its pages, one by one; the
     *  physical range is then not contiguous. NULL for contiguous RAM. */
    const struct hyp_colour_layout *colour;
};

/** Parameters of hyp_vm_init(). */
struct hyp_vm_config {
    uint16_t vmid; /**< VMID tagging its TLB entries (1..255; 0 is the hypervisor's). */
    unsigned ipa_bits;      /**< Guest-physical address size, 32..48 (40 is typical). */
    unsigned pa_bits;       /**< Physical address size of the machine, >= ipa_bits. */
    struct hyp_vcpu *vcpus; /**< Storage for its vCPUs. */
    unsigned vcpu_count;    /**< How many; at least 1. */
    const unsigned *vcpu_pcpu;  /**< Physical CPU of each vCPU (logical indices). */
    struct hyp_page_pool *pool; /**< Page pool for its stage-2 tables. */
};

struct hyp_vgic;
struct hyp_vgic_cpu;
struct hyp_vm;

/**
 * @brief Observer of physical interrupts handed to a VM's guest.
 * @param vm    The VM.
 * @param vcpu  The vCPU loaded on the CPU where it fired (its index), or 0.
 * @param intid The INTID (the guest sees the same one).
 * @param arg   The argument given to hyp_vm_set_irq_hook().
 */
typedef void (*hyp_vm_irq_hook_fn)(struct hyp_vm *vm, unsigned vcpu, uint32_t intid,
                                   void *arg);

/** A virtual machine. Fields are read-only outside libhyp. */
struct hyp_vm {
    uint16_t vmid;                         /**< Its VMID. */
    struct hyp_pgtable s2;                 /**< Its stage-2 table. */
    uint64_t vtcr;                         /**< VTCR_EL2 for it. */
    uint64_t vttbr;                        /**< VTTBR_EL2 for it. */
    struct hyp_spinlock lock;              /**< Serialises PSCI power-state changes. */
    struct hyp_vcpu *vcpus;                /**< Its vCPUs. */
    unsigned vcpu_count;                   /**< Number of vCPUs. */
    struct hyp_vm_ram ram[HYP_VM_MAX_RAM]; /**< Guest RAM ranges. */
    unsigned ram_count;                    /**< Valid entries in @ref ram. */
    /** Physical address of byte @p off of coloured RAM @p r, if @p size bytes
     *  from there are physically contiguous (set by hyp_vm_add_ram_coloured(),
     *  so that images without coloured RAM do not link colour.c). */
    bool (*coloured_pa)(const struct hyp_vm_ram *r, uint64_t off, uint64_t size,
                        uint64_t *pa);
    struct hyp_vm_mmio mmio[HYP_VM_MAX_MMIO]; /**< Emulated devices. */
    unsigned mmio_count;                      /**< Valid entries in @ref mmio. */
    struct hyp_vgic *vgic;                    /**< Its virtual GIC, or NULL. */
    int shutdown;                /**< ::hyp_vm_shutdown: what a vCPU asked for. */
    hyp_vm_irq_hook_fn irq_hook; /**< See hyp_vm_set_irq_hook(); NULL for none. */
    void *irq_hook_arg;          /**< Its argument. */
    bool irq_hook_fast;          /**< The hook may run on the exit fast path. */
    bool fast_exits;             /**< See hyp_vm_set_fast_exits(); on by default. */
};

/** Whole-VM power requests made by a guest through PSCI. */
enum hyp_vm_shutdown {
    HYP_VM_RUNNING = 0, /**< Nothing requested. */
    HYP_VM_POWER_OFF,   /**< SYSTEM_OFF. */
    HYP_VM_RESET,       /**< SYSTEM_RESET. */
};

/**
 * @brief Create a VM with an empty stage 2 and its vCPUs off.
 *
 * vCPU i gets virtual MPIDR i (Aff0 = i) and runs on `cfg->vcpu_pcpu[i]`.
 *
 * @param vm  The VM to initialise.
 * @param cfg Parameters.
 * @return ::HYP_OK; ::HYP_EINVAL for bad parameters; errors of
 *         hyp_pgtable_init().
 */
int hyp_vm_init(struct hyp_vm *vm, const struct hyp_vm_config *cfg);

/**
 * @brief Give the guest RAM: map `[ipa, ipa + size)` to `[pa, pa + size)` RWX.
 * @param vm   The VM.
 * @param ipa  Guest-physical start; 4 KiB aligned.
 * @param pa   Physical start; 4 KiB aligned.
 * @param size Bytes; a non-zero multiple of 4 KiB.
 * @return ::HYP_OK; ::HYP_ENOMEM when ::HYP_VM_MAX_RAM ranges exist; errors
 *         of hyp_pgtable_map().
 */
int hyp_vm_add_ram(struct hyp_vm *vm, uint64_t ipa, uint64_t pa, uint64_t size);

/**
 * @brief Give the guest coloured RAM: `[ipa, ipa + layout->size)` backed page
 *        by page by the pages of the layout (colour.h), RWX.
 *
 * Guest RAM is contiguous, physical memory is not: stage 2 maps runs of
 * consecutive pages (as long as the VM's colours are consecutive), with
 * 4 KiB pages unless the layout has every colour.
 *
 * @param vm     The VM.
 * @param ipa    Guest-physical start; 4 KiB aligned.
 * @param layout The layout (hyp_colour_layout_init()); it must outlive the VM.
 * @return ::HYP_OK; ::HYP_EINVAL for a NULL or empty layout; ::HYP_ENOMEM when
 *         ::HYP_VM_MAX_RAM ranges exist; errors of hyp_pgtable_map() (the
 *         pages mapped so far stay mapped).
 */
int hyp_vm_add_ram_coloured(struct hyp_vm *vm, uint64_t ipa,
                            const struct hyp_colour_layout *layout);

/**
 * @brief Pass a device through: map `[pa, pa + size)` at the same IPA, RW, Device.
 * @param vm   The VM.
 * @param pa   Start; 4 KiB aligned.
 * @param size Bytes; a non-zero multiple of 4 KiB.
 * @return ::HYP_OK or the error of hyp_pgtable_map().
 */
int hyp_vm_map_device(struct hyp_vm *vm, uint64_t pa, uint64_t size);

/**
 * @brief Emulate a device: guest accesses to `[ipa, ipa + size)` call @p fn.
 *
 * The range must not be mapped in stage 2 (so accesses fault to EL2). Loads
 * and stores with a valid syndrome are emulated directly; for the others
 * (ISV = 0) the instruction is fetched from guest memory and decoded with
 * hyp_trap_decode_insn(), and whatever that cannot decode (pairs, atomics,
 * SIMD) gets a synchronous external abort.
 *
 * @param vm   The VM.
 * @param ipa  Guest-physical start.
 * @param size Bytes (non-zero).
 * @param fn   Handler.
 * @param arg  Its argument.
 * @return ::HYP_OK; ::HYP_EINVAL for a bad range or NULL @p fn; ::HYP_EEXIST
 *         if it overlaps another emulated region; ::HYP_ENOMEM when
 *         ::HYP_VM_MAX_MMIO regions exist.
 */
int hyp_vm_add_mmio(struct hyp_vm *vm, uint64_t ipa, uint64_t size, hyp_mmio_fn fn,
                    void *arg);

/**
 * @brief The emulated region containing `[ipa, ipa + size)`, if any.
 * @param vm   The VM.
 * @param ipa  Guest-physical address.
 * @param size Access size.
 * @return The region, or NULL.
 */
const struct hyp_vm_mmio *hyp_vm_find_mmio(const struct hyp_vm *vm, uint64_t ipa,
                                           uint64_t size);

/**
 * @brief Give the VM a virtual GIC at the given guest-physical frames.
 *
 * Initialises @p vgic for every vCPU of the VM, emulates its distributor
 * (64 KiB) and redistributors (128 KiB per vCPU, contiguous) through
 * hyp_vm_add_mmio(), and from then on hyp_vcpu_run() loads the VM's virtual
 * interrupts into the list registers and reads them back, hyp_handle_exit()
 * serves trapped ICC_SGI1R_EL1 writes and lets WFI wait until the vCPU has
 * an interrupt to take. The virtual and physical EL1 timer PPIs are
 * delivered to the vCPU running on the CPU where they fire, hardware-linked.
 * Every physical CPU that runs the VM's vCPUs calls hyp_vgic_cpu_prepare().
 *
 * @param vm        The VM (its vCPUs initialised).
 * @param vgic      Storage for the virtual GIC.
 * @param cpus      Storage for one redistributor state per vCPU.
 * The vGIC has the physical GIC's version (hyp_gic_version()). On a GICv2
 * the distributor frame is 4 KiB and @p gicr is where the guest's CPU
 * interface (GICC) is: the hardware's GICV frame is mapped there, 8 KiB.
 *
 * @param gicd      Guest-physical distributor base (64 KiB aligned; GICv2: 4 KiB).
 * @param gicr      Guest-physical base of the redistributors (64 KiB aligned);
 *                  GICv2: of the CPU interface (4 KiB aligned).
 * @param nr_spis   Number of SPIs (a multiple of 32).
 * @return ::HYP_OK or the error of hyp_vgic_init() / hyp_vm_add_mmio().
 */
int hyp_vm_attach_vgic(struct hyp_vm *vm, struct hyp_vgic *vgic,
                       struct hyp_vgic_cpu *cpus, uint64_t gicd, uint64_t gicr,
                       unsigned nr_spis);

/**
 * @brief Give the VM a virtual GIC of the host's kind where the host's is.
 *
 * The examples' way to attach a vGIC without knowing the GIC version: on a
 * GICv3 host the distributor and the redistributors sit at the host's
 * addresses (one 128 KiB frame per vCPU from the first redistributor); on a
 * GICv2 host the distributor (4 KiB) is emulated at the host's and the
 * hardware's virtual CPU interface (GICV) is mapped where the host's GICC
 * is. Every physical CPU that runs the VM's vCPUs calls
 * hyp_vgic_cpu_prepare().
 *
 * @param vm      The VM (its vCPUs initialised).
 * @param vgic    Storage for the virtual GIC.
 * @param cpus    Storage for one per-vCPU state per vCPU.
 * @param host    The host's GIC (the platform's).
 * @param nr_spis Number of SPIs (a multiple of 32).
 * @param guest   If not NULL, receives the GIC the guest sees, for its DTB
 *                (hyp_vm_guest_gic()).
 * @return As hyp_vm_attach_vgic(); ::HYP_ENOTSUP on a GICv2 without GICV.
 */
int hyp_vm_attach_host_vgic(struct hyp_vm *vm, struct hyp_vgic *vgic,
                            struct hyp_vgic_cpu *cpus, const struct hyp_gic *host,
                            unsigned nr_spis, struct hyp_gic *guest);

/**
 * @brief The GIC a guest with a vGIC from hyp_vm_attach_host_vgic() sees.
 *
 * The host's, with the frames the vGIC presents: GICv3, one redistributor
 * region of 128 KiB per vCPU; GICv2, a 4 KiB distributor, an 8 KiB CPU
 * interface, no GICH and GICV.
 * @param host       The host's GIC.
 * @param vcpu_count The guest's vCPUs.
 * @param guest      Receives the guest's view.
 */
void hyp_vm_guest_gic(const struct hyp_gic *host, unsigned vcpu_count,
                      struct hyp_gic *guest);

/**
 * @brief Give a passed-through device's SPI to the VM, hardware-linked.
 *
 * The physical SPI is enabled at EL2 and routed to the physical CPU of the
 * VM's first vCPU; when it fires, it is injected into the VM's virtual GIC
 * (which routes it by the guest's GICD_IROUTER) linked to the physical one,
 * so the guest's EOI deactivates it.
 *
 * @param vm    The VM (with a virtual GIC).
 * @param intid The SPI (32..1019); the guest sees the same INTID.
 * @param edge  true for an edge-triggered interrupt.
 * @return ::HYP_OK; ::HYP_EINVAL without a virtual GIC or for a bad INTID;
 *         ::HYP_EBUSY if the SPI already has a handler.
 */
int hyp_vm_forward_spi(struct hyp_vm *vm, uint32_t intid, bool edge);

/**
 * @brief Print a VM's exits by kind: a header line, then one line per kind
 *        that occurred with its count over all vCPUs (hyp_vcpu::exits),
 *        each line starting with @p prefix. For a report at power-off, never
 *        on an exit path. Target only.
 * @param vm     The VM.
 * @param prefix Printed before every line, e.g. "thin-monitor: ".
 */
void hyp_vm_print_exits(const struct hyp_vm *vm, const char *prefix);

/**
 * @brief Give a VM a device: its registers and its interrupts.
 *
 * Each register range is mapped at its own address (hyp_vm_map_device(),
 * widened to whole pages), then, when the VM has a virtual GIC, each SPI is
 * forwarded (hyp_vm_forward_spi(); trigger from the DT flags, 1 or 2 being
 * edge). What the VM builder (vmbuild.h) does for every device it passes
 * through, for the partitioner's VMs and the thin monitor's. Target only.
 * @param vm        The VM.
 * @param regs      The device's register ranges (CPU physical).
 * @param reg_count Entries in @p regs.
 * @param irqs      Its SPIs (may be NULL when @p irq_count is 0).
 * @param irq_count Entries in @p irqs.
 * @return ::HYP_OK; the error of the first range that could not be mapped
 *         (nothing forwarded then), else of the first SPI that could not be
 *         forwarded (the others are).
 */
int hyp_vm_pass_device(struct hyp_vm *vm, const struct hyp_range *regs,
                       unsigned reg_count, const struct hyp_irq *irqs,
                       unsigned irq_count);

/**
 * @brief Observe every physical interrupt forwarded to the VM's guest.
 *
 * @p fn is called in interrupt context at EL2 (on the CPU where the
 * interrupt fired) for each forwarded SPI (hyp_vm_forward_spi()) and timer
 * PPI injected into the virtual GIC. Set it before any guest runs.
 *
 * @param vm  The VM.
 * @param fn  The observer, or NULL.
 * @param arg Its argument.
 */
void hyp_vm_set_irq_hook(struct hyp_vm *vm, hyp_vm_irq_hook_fn fn, void *arg);

/**
 * @brief Say whether the interrupt hook may run on the exit fast path.
 *
 * Forwarded interrupts are injected on the fast path (see
 * hyp_vm_set_fast_exits()) only while the VM has no hook or its hook obeys
 * the fast path's rules (it only counts, say). A hook that prints must not:
 * its interrupts then go through the run loop. Off until set.
 * @param vm   The VM.
 * @param fast True if the hook is safe there.
 */
void hyp_vm_set_irq_hook_fast(struct hyp_vm *vm, bool fast);

/**
 * @brief Let an emulated region be handled on the exit fast path.
 *
 * A load or store with a valid syndrome to it is then emulated before the
 * run loop sees the exit (hyp_vcpu_run() does not return for it), so its
 * handler must obey the fast path's rules (see hyp_vm_set_fast_exits()).
 * Accesses without a syndrome, and faults the handler refuses, still behave
 * as hyp_vm_add_mmio() says; a handler that refuses an access must leave
 * everything as it was (the run loop calls it again for the same access).
 * @param vm   The VM.
 * @param ipa  The start of a region added with hyp_vm_add_mmio().
 * @param fast True to allow it.
 * @return ::HYP_OK; ::HYP_ENOENT if no region starts at @p ipa.
 */
int hyp_vm_set_mmio_fast(struct hyp_vm *vm, uint64_t ipa, bool fast);

/**
 * @brief Turn the exit fast path on or off for a VM (on after hyp_vm_init()).
 *
 * With it on, hyp_vcpu_run() finishes some exits itself, in a lighter
 * context, and re-enters the guest without returning: SMCCC calls whose
 * service allows it (hyp_smccc_service::fast: PSCI and SMCCC queries),
 * ICC_SGI1R_EL1 writes, accesses to regions marked with
 * hyp_vm_set_mmio_fast() (the vGIC's), WFI (waited for at EL2 in place,
 * when the VM has a vGIC; the physical interrupt that ends the wait is taken
 * there, and one that hyp_handle_irq() must handle makes the exit a
 * ::HYP_EXIT_IRQ exit, the WFI complete) and WFE (completed at once),
 * and the physical interrupts the vGIC forwards (timers, passed-through
 * SPIs, kicks). Everything else returns to the run loop as before. The fast path's
 * context has the guest's FP/SIMD registers and TPIDR_EL0 live: code that runs there must
 * not print, use FP/SIMD or thread-local storage (errno), or block; it may take
 * spinlocks. Per-kind exit counts include fast exits (hyp_vcpu::exits). Turn it off for a
 * VM whose run loop must see every exit.
 * @param vm The VM.
 * @param on True for on.
 */
void hyp_vm_set_fast_exits(struct hyp_vm *vm, bool on);

/**
 * @brief Prepare the calling physical CPU to run vCPUs with a virtual GIC.
 *
 * Enables, at EL2, the virtual interface (ICH_*), the maintenance interrupt,
 * the timer PPIs forwarded to guests and the SGI used to kick CPUs. Needs
 * hyp_gic_init() and hyp_gic_cpu_init() first.
 *
 * @param plat The platform (timer and maintenance INTIDs).
 * @return ::HYP_OK or an error from the GIC driver.
 */
int hyp_vgic_cpu_prepare(const struct hyp_platform *plat);

/**
 * @brief Translate a guest RAM range to physical, if it lies inside one RAM range.
 *
 * In coloured RAM the range must also be physically contiguous (within one
 * run of consecutive pages, at least within one 4 KiB page).
 *
 * @param vm   The VM.
 * @param ipa  Guest-physical start.
 * @param size Bytes (may be 0).
 * @param pa   Receives the physical address of @p ipa.
 * @return true if `[ipa, ipa + size)` is guest RAM.
 */
bool hyp_vm_ram_to_pa(const struct hyp_vm *vm, uint64_t ipa, uint64_t size, uint64_t *pa);

/**
 * @brief The vCPU whose virtual MPIDR is @p mpidr.
 * @param vm    The VM.
 * @param mpidr Affinity fields (other bits are ignored).
 * @return The vCPU, or NULL.
 */
struct hyp_vcpu *hyp_vm_vcpu_by_mpidr(struct hyp_vm *vm, uint64_t mpidr);

/**
 * @brief The access of a stage-2 data abort: from the syndrome or the instruction.
 *
 * With a valid syndrome (ISV) that is copied; otherwise, once
 * hyp_vm_decode_insns() has been called, the faulting A64 instruction is
 * fetched through the guest's own translation and decoded with
 * hyp_trap_decode_insn() (which also gives base-register writeback).
 *
 * @param vcpu   The vCPU that exited (loaded on the calling CPU).
 * @param exit   Its ::HYP_EXIT_DABT exit.
 * @param access Out: the access (size, register, direction, writeback).
 * @return ::HYP_OK; ::HYP_EINVAL for another exit or no valid IPA;
 *         ::HYP_ENOTSUP when the instruction cannot be fetched or decoded
 *         (pairs, atomics, SIMD, AArch32), or without hyp_vm_decode_insns().
 */
int hyp_vm_access_decode(struct hyp_vcpu *vcpu, const struct hyp_exit *exit,
                         struct hyp_exit_dabt *access);

/**
 * @brief Let hyp_vm_access_decode() decode the instruction of an access
 *        without a syndrome (no ISV: writeback addressing, for instance),
 *        for every VM of the image.
 *
 * hyp_vmbuild_setup() calls it. An image that never does (thin-monitor-min)
 * links neither the instruction decoder nor the guest instruction fetch: its
 * guests' accesses without a syndrome to emulated devices or protected
 * ranges get a synchronous external abort, as pairs and atomics do. Call
 * before any guest runs.
 */
void hyp_vm_decode_insns(void);

/**
 * @brief Finish an access emulated (or refused) on the guest's behalf.
 *
 * Applies the base-register writeback of @p access and moves the guest's PC
 * past the instruction.
 *
 * @param vcpu   The vCPU.
 * @param exit   Its exit.
 * @param access The access, from hyp_vm_access_decode().
 */
void hyp_vm_access_complete(struct hyp_vcpu *vcpu, const struct hyp_exit *exit,
                            const struct hyp_exit_dabt *access);

/**
 * @brief The library's default handling of a guest exit.
 *
 * Examples call it after their own policy. It serves HVC and SMC through the
 * SMCCC dispatcher (SMCCC arch calls, PSCI 1.1), completes WFI/WFE, emulates
 * accesses to the VM's emulated devices (hyp_vm_add_mmio()), dispatches
 * physical interrupts (hyp_handle_irq()), injects a synchronous external
 * abort for guest accesses outside its memory and devices, performs the EL1
 * register writes trapped by HCR_EL2.TVM (see hyp_vcpu::hcr_set), gives a
 * guest's BRK back to it (it reaches EL2 while MDCR_EL2.TDE is set), and
 * injects an Undefined Instruction for trapped instructions it does not
 * emulate. Never fails: anything the
 * guest does wrong is reflected back to the guest.
 *
 * @param vcpu The vCPU that exited (loaded on the calling CPU).
 * @param exit Its decoded exit.
 */
void hyp_handle_exit(struct hyp_vcpu *vcpu, const struct hyp_exit *exit);

/**
 * @brief Wait on the calling CPU until @p vcpu is powered on, then prepare it.
 *
 * For a vCPU in ::HYP_VCPU_ON_PENDING (after a guest's CPU_ON), applies the
 * entry point and context id and marks it ::HYP_VCPU_ON. Returns false if
 * the VM was powered off while waiting.
 *
 * @param vcpu The vCPU, pinned to the calling CPU.
 * @return true when the vCPU is ready to run.
 */
bool hyp_vcpu_wait_power_on(struct hyp_vcpu *vcpu);

#endif /* HYP_VM_H */
