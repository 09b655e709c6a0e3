/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmbuild.h
 * @brief Building a VM from its validated description, and running it.
 *
 * What a hypervisor with several VMs does for each of them, given one
 * ::hyp_vmconfig_vm accepted by hyp_vmconfig_parse() (vmconfig.h):
 * hyp_vmbuild_create() gives the VM its stage 2 (VMID = its index + 1), its
 * RAM at ::hyp_vmconfig_vm::mem_ipa, a virtual GIC of the board's kind
 * (v3 or v2, hyp_vm_attach_host_vgic()) where the board's GIC is, a virtual PL011 where
 * the board's console is (its output tagged with the VM's name, see vconsole.h), its
 * passed-through devices mapped at their own addresses with their SPIs hardware-linked,
 * its shared regions mapped at their physical addresses, a generated guest DTB that
 * describes only that, and its kernel (and initrd) loaded; its first vCPU is then ready
 * to start. Every vCPU runs, always, on the physical CPU the config pins it
 * to: each such CPU calls hyp_vmbuild_cpu_prepare() and then
 * hyp_vmbuild_run(), which returns when the VM has powered off or asked
 * for a reset; what happens then is the caller's policy.
 *
 * A VM that no partition describes (the thin monitor's one guest on every
 * CPU, see vmsingle.h) is built by hyp_vmbuild_create_with(): its
 * ::hyp_vmconfig_vm, plus a ::hyp_vmbuild_extra with what a partition
 * cannot say (any number of board devices, RAM the guest is not told
 * about, how its console is written, whether its seeds are derived).
 * What only a partition needs (tagged console lines, derived seeds, the
 * doorbell service) is referenced only by hyp_vmbuild_create(), so that a
 * hypervisor that builds its VM with hyp_vmbuild_create_with() alone does not
 * link it.
 *
 * Setup, once, on the boot CPU, before any VM is created:
 * hyp_vmbuild_setup() (physical GIC, the EL2 tick, SMCCC services, decoding of
 * accesses without a syndrome: hyp_vm_decode_insns()).
 * Everything here runs at boot or VM creation, except hyp_vmbuild_run()
 * and hyp_vmbuild_console_poll(), which neither print nor allocate.
 * Target only.
 */
#ifndef HYP_VMBUILD_H
#define HYP_VMBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hyp/hcpage.h>
#include <hyp/loader.h>
#include <hyp/smccc.h>
#include <hyp/spinlock.h>
#include <hyp/vconsole.h>
#include <hyp/vgic.h>
#include <hyp/vm.h>
#include <hyp/vmconfig.h>
#include <hyp/vpl011.h>

/** SPIs of each VM's virtual GIC: INTIDs 32..287, as on QEMU virt. */
#define HYP_VMBUILD_SPIS         256
/** Guest-physical address size of the VMs built. */
#define HYP_VMBUILD_IPA_BITS     40
/** Room for a VM's console tag, "[<label>] ", with its NUL. */
#define HYP_VMBUILD_TAG_LEN      (HYP_VMCONFIG_NAME_LEN + 4)
/**
 * Function ID of the doorbell call (SMC32/HVC32 fast call, vendor-specific
 * hypervisor service): x1 = the physical base of a shared region of the
 * calling VM (its `/reserved-memory/shared-memory@<base>` node); makes the
 * doorbell SPI of the *other* VM sharing it pending (an edge). Returns in
 * x0 0 (SMCCC success), or -2 (INVALID_PARAMETERS) when the caller shares
 * no region at that base. The service is registered by hyp_vmbuild_create()
 * with the first VM of a configuration with shared regions, for the owner
 * ::SMCCC_OWNER_VENDOR_HYP (which a hypervisor without shared regions, such
 * as the thin monitor, keeps for its own calls).
 */
#define HYP_VMBUILD_DOORBELL_FID 0x86000010u

/**
 * @brief The doorbell call's SMCCC handler (::HYP_VMBUILD_DOORBELL_FID),
 *        for a service of the same owner that serves other calls too and
 *        passes it the ones it does not know (e.g. childvm.h's).
 * @param vcpu    The caller.
 * @param fid     The function ID (others than the doorbell's: NOT_SUPPORTED).
 * @param args    x1..x7.
 * @param ret     x0..x3, prefilled with NOT_SUPPORTED.
 * @param conduit How it called.
 */
void hyp_vmbuild_doorbell(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                          uint64_t ret[4], enum hyp_smccc_conduit conduit);

/** Room for the line announcing that a VM has the console's input focus. */
#define HYP_VMBUILD_FOCUS_LEN 96

/** Most device nodes hyp_vmbuild_create_with() describes in one guest DTB. */
#define HYP_VMBUILD_MAX_NODES 64

struct hyp_vmbuild;

/**
 * @brief Writes a VM's console output (what its guest wrote to its virtual
 *        PL011).
 *
 * Called with the VM's console lock held, possibly on the exit fast path
 * (see hyp_vm_set_fast_exits()): no printing, no FP/SIMD, no blocking.
 * @param b   The VM.
 * @param buf Bytes.
 * @param len How many.
 */
typedef void (*hyp_vmbuild_console_fn)(struct hyp_vmbuild *b, const char *buf,
                                       size_t len);

/**
 * @brief Derives a guest's random seeds from the boot loader's (e.g.
 *        hyp_guest_seeds()).
 * @param plat  The platform (its seeds).
 * @param guest The VM's index.
 * @param out   The seeds.
 */
typedef void (*hyp_vmbuild_seeds_fn)(const struct hyp_platform *plat, unsigned guest,
                                     struct hyp_guest_seeds *out);

/**
 * What a VM gets besides its ::hyp_vmconfig_vm, for hyp_vmbuild_create_with().
 * Everything it points to must outlive the VM.
 */
struct hyp_vmbuild_extra {
    /**
     * Board device ranges given to the VM besides ::hyp_vmconfig_vm::devices,
     * as hyp_platform_for_each_device() reports them: each range is mapped
     * at its own address; the SPIs of a node's first range (reg_index 0)
     * are forwarded (one that cannot be is reported, and the VM is built
     * without it) and that node is described in the guest DTB. A node's
     * ranges are given all or none.
     */
    const struct hyp_device *devices;
    unsigned device_count; /**< Entries in @ref devices. */
    /**
     * RAM mapped at its guest address (::hyp_vm_ram), zeroed, but left out
     * of the guest DTB's `/memory`: the guest reaches it only by address.
     * It must not overlap the VM's RAM, devices or emulated regions.
     */
    const struct hyp_vm_ram *hidden;
    unsigned hidden_count; /**< Entries in @ref hidden. */
    /** SPIs of the virtual GIC, a multiple of 32; 0 for ::HYP_VMBUILD_SPIS. */
    unsigned spis;
    /** Writes its console output: hyp_vmbuild_console_tagged() (a partition's
     *  VMs) or hyp_vmbuild_console_raw() (the machine's only guest). Required. */
    hyp_vmbuild_console_fn console;
    /** Derives its `rng-seed` and `kaslr-seed` (hyp_guest_seeds() for a
     *  partition's VMs); NULL: the boot loader's own (the machine's only
     *  guest). */
    hyp_vmbuild_seeds_fn seeds;
    /** Receives one line per device @ref devices gives whose SPI could not be
     *  forwarded; NULL for none. */
    hyp_vmconfig_line_fn report;
    void *report_arg; /**< Passed to @ref report. */
};

/** One VM built from its description. Fields are read-only for the caller. */
struct hyp_vmbuild {
    const struct hyp_vmconfig_vm *cfg; /**< Its description. */
    unsigned index;                    /**< Its index in ::hyp_vmconfig::vms. */
    struct hyp_vm vm;                  /**< The VM. */
    struct hyp_vcpu vcpus[HYP_VMCONFIG_MAX_VCPUS];         /**< Its vCPUs. */
    unsigned vcpu_pcpu[HYP_VMCONFIG_MAX_VCPUS];            /**< Their physical CPUs. */
    struct hyp_vgic vgic;                                  /**< Its virtual GIC. */
    struct hyp_vgic_cpu vgic_cpus[HYP_VMCONFIG_MAX_VCPUS]; /**< Its redistributors. */
    struct hyp_vpl011 uart;                /**< Its virtual PL011 (with a console). */
    struct hyp_spinlock uart_lock;         /**< Serialises @ref uart and @ref line. */
    struct hyp_vcons_line line;            /**< Its console output being assembled. */
    char tag[HYP_VMBUILD_TAG_LEN];         /**< Its console tag, "[<label>] ". */
    char focus_msg[HYP_VMBUILD_FOCUS_LEN]; /**< Announces it has the input focus. */
    struct hyp_guest_boot boot;            /**< Where its kernel and DTB went. */
    const struct hyp_vmconfig *config;     /**< The configuration it belongs to. */
    const void *dtb;                       /**< The DTB @ref config came from. */
    const struct hyp_vmbuild_extra *extra; /**< What it got besides. */
    unsigned parked;     /**< vCPUs out of the run loop since its end (atomic). */
    unsigned generation; /**< Restarts so far (atomic). */
    bool stopped;        /**< It will not run again (atomic). */
    /** Its hypercall page (`hypercall-page`; hcpage.h): vendor-specific
     *  hypervisor calls (SMCCC owner 6) made by MMIO. */
    struct hyp_hcpage hcpage;
    /** A checkpoint was asked for (Ctrl-] c, hyp_vmbuild_console_poll());
     *  the hypervisor's run-loop hook acts on it (atomic). */
    bool checkpoint_request;
};

/**
 * @brief Prepare the machine for VMs: the SMCCC services (PSCI for guests),
 *        the physical GIC and a periodic EL2 tick.
 *
 * The SMCCC services are registered in any case. The tick (the EL2 physical
 * timer, needing a GICv3 or a GICv2 with virtualization extensions) brings each CPU back
 * to EL2 @p tick_hz times a second even from a guest that never traps, so that console
 * input is polled, held-back `[hyp]` lines go out (hyp_console_sync() on CPU 0) and a VM
 * that powered off is noticed on all of its CPUs. Call once on the boot CPU.
 * @param plat    The platform.
 * @param tick_hz Tick frequency (e.g. 100).
 * @return ::HYP_OK; ::HYP_ENOTSUP without an EL2 timer (SMCCC is
 *         set up, the GIC and the tick are not; VMs are then built without a
 *         virtual GIC, so their devices' interrupts are not forwarded);
 *         errors of hyp_smccc_register_defaults() or the GIC driver.
 */
int hyp_vmbuild_setup(const struct hyp_platform *plat, unsigned tick_hz);

/**
 * @brief Seed the page pool for the VMs' stage-2 tables with the
 *        hypervisor's own RAM after its image.
 *
 * The pool gets `[end of the image (hyp_image_range()), @p end)`, mapped
 * read-write at EL2. That RAM must be in @p keep, the RAM the hypervisor
 * keeps for itself (the `keep` of hyp_vmsingle_describe(), the `hyp` of
 * hyp_vmconfig_parse()), which must hold the image too. Call once, at boot.
 * @param pool The pool.
 * @param keep The hypervisor's RAM.
 * @param end  Where the pool ends, 4 KiB aligned, inside @p keep.
 * @param min  Fewest bytes the pool may have.
 * @return ::HYP_OK; ::HYP_ERANGE when the image is not in @p keep, @p end
 *         is not, or fewer than @p min bytes lie between the image and
 *         @p end; errors of hyp_el2_map() or hyp_page_pool_init().
 */
int hyp_vmbuild_pool_init(struct hyp_page_pool *pool, struct hyp_range keep, uint64_t end,
                          uint64_t min);

/** Fewest bytes hyp_vmbuild_move_image() leaves the page pool. */
#define HYP_VMBUILD_POOL_MIN (1ULL << 20)

/** Pages of the hypervisor's colours hyp_vmbuild_move_image() gives EL2's
 *  own translation tables. */
#define HYP_VMBUILD_EL2_TABLE_PAGES 64u

/**
 * @brief Move the hypervisor's image to colours of its own.
 *
 * For a configuration with hyp_vmconfig::hyp_colours (`colours` on
 * `/hypervisor`): the image (code, data, BSS, stacks) moves to pages of
 * those colours at the end of the hypervisor's RAM, below @p end
 * (hyp_el2_relocate()), and every page of it is then checked through the
 * MMU (hyp_el2_audit_image()). Below it, a pool of
 * ::HYP_VMBUILD_EL2_TABLE_PAGES pages of the same colours holds EL2's own
 * translation tables from then on. The page pool then ends where that
 * starts: seed it with hyp_vmbuild_pool_init() afterwards, with the new
 * @p end, and restrict it to the hypervisor's colours
 * (hyp_page_pool_keep_colours(); hyp_vmbuild_boot() does both). Call once, at boot, on
 * the boot CPU, before other CPUs run.
 * @param cfg  A configuration accepted by hyp_vmconfig_parse(), with
 *             hypervisor colours.
 * @param end  In: where the hypervisor's RAM ends. Out: where the page
 *             pool must end: a page below EL2's tables, which lie below the
 *             moved image (unchanged on failure).
 * @param line Receives one line for the console: "image moved to colours
 *             <set> in <first>..<last>: <n> pages, <m> missing, <w> of
 *             another colour, <o> outside its span: ok" (or WRONG), or
 *             what went wrong.
 * @param len  Room in @p line.
 * @return ::HYP_OK (the verdict is in @p line); ::HYP_ERANGE if the
 *         colours' spans (image and EL2 tables) do not fit between the image
 *         and @p end with ::HYP_VMBUILD_POOL_MIN left for the pool; errors
 *         of hyp_colour_layout_init(), hyp_el2_map(), the pool's or
 *         hyp_el2_relocate().
 */
int hyp_vmbuild_move_image(const struct hyp_vmconfig *cfg, uint64_t *end, char *line,
                           size_t len);

/**
 * @brief Check the pages of every VM's stage-2 tables and of EL2's own
 *        tables against the hypervisor's colours.
 *
 * For a configuration with hyp_vmconfig::hyp_colours, whose page pool and
 * EL2 tables hyp_vmbuild_boot() restricted to them:
 * hyp_colour_audit_tables() on each VM's stage 2 and on EL2's table.
 * Boot, VM end or debug use only (it walks every table).
 * @param cfg   The configuration.
 * @param vms   The VMs built so far.
 * @param count Entries of @p vms.
 * @param line  Receives one line for the console: "tables in colours
 *              <set>: <n> stage-2 table pages of <v> VMs, <e> EL2 table
 *              pages, <w> of another colour: ok" (or WRONG; "1 VM" for
 *              one).
 * @param len   Room in @p line.
 * @return ::HYP_OK; ::HYP_ENOENT without hypervisor colours (no line);
 *         ::HYP_EINVAL when a page has another colour; errors of the walk.
 */
int hyp_vmbuild_audit_tables(const struct hyp_vmconfig *cfg,
                             const struct hyp_vmbuild *vms, unsigned count, char *line,
                             size_t len);

/**
 * @brief Check a coloured VM's stage 2, page by page, against its colours.
 *
 * hyp_colour_audit() over the VM's RAM: every page mapped, of one of its
 * colours, inside its layout's span. Boot or VM end only (it walks the
 * whole stage 2).
 * @param b    A built VM.
 * @param when Said in the line, e.g. "built".
 * @param line Receives, for a coloured VM, "colours <set> <when>: <n> RAM
 *             pages mapped, <m> missing, <w> of another colour, <o> outside
 *             its span: ok" (or WRONG, or "audit failed: <error>").
 * @param len  Room in @p line.
 * @return ::HYP_OK if every page is right; ::HYP_EINVAL if one is not;
 *         ::HYP_ENOENT for a VM without colours (@p line untouched);
 *         errors of hyp_colour_audit().
 */
int hyp_vmbuild_audit_colours(const struct hyp_vmbuild *b, const char *when, char *line,
                              size_t len);

/**
 * @brief Ticks taken so far, on all CPUs together.
 * @param hz If not NULL, receives the tick's frequency (0 without a tick).
 * @return The count.
 */
uint64_t hyp_vmbuild_ticks(unsigned *hz);

/**
 * @brief Make the calling CPU's next EL2 tick come no later than @p cval.
 *
 * For a CPU that runs a vCPU whose own timer is not armed in the hardware
 * meanwhile (a caller suspended on the VM stack, see
 * hyp_vmstack_ops::wake_by): the tick then brings the CPU back to EL2 at
 * its deadline. An early tick counts as a tick; the next comes a period
 * after it. Does nothing without a tick, or for a later @p cval. Fit for
 * exit paths.
 * @param cval A CNTPCT_EL0 value.
 */
void hyp_vmbuild_tick_by(uint64_t cval);

/**
 * @brief Build one VM of a validated configuration.
 *
 * See the file comment for what the VM gets. Its guest DTB lists its vCPUs
 * (MPIDR 0, 1, ...), its RAM, its GIC (a GICv3 with one redistributor per
 * vCPU, or a GICv2 with its CPU interface), the
 * timer, its virtual PL011 (with `vpl011`) and its devices copied from the
 * board's nodes. Modules are copied into guest RAM (or booted in place)
 * with hyp_guest_load(); the DTB they came from must stay readable until
 * every VM is built (a partitioner copies the boot DTB into its own memory:
 * VM RAM may cover where the boot loader left it).
 * @param b      Storage for the VM (may be large: static).
 * @param cfg    A configuration accepted by hyp_vmconfig_parse(); it must
 *               outlive the VM.
 * @param index  Which VM of @p cfg.
 * @param dtb    The DTB @p cfg was parsed from.
 * @param pool   Page pool for its stage-2 tables.
 * @param err    Receives a message naming the VM and the step at fault
 *               (::HYP_GUEST_ERRLEN bytes); "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for a bad @p index, a CPU the hypervisor
 *         did not bring up, or no hyp_vmbuild_setup() before; errors of
 *         hyp_vm_init(), hyp_vm_add_ram(), hyp_vm_attach_vgic(),
 *         hyp_vm_map_device(), hyp_vm_forward_spi() or hyp_guest_load().
 */
int hyp_vmbuild_create(struct hyp_vmbuild *b, const struct hyp_vmconfig *cfg,
                       unsigned index, const void *dtb, struct hyp_page_pool *pool,
                       char *err);

/**
 * @brief Build one VM of a configuration, with what @p extra says.
 *
 * As hyp_vmbuild_create(), in order: stage 2 and RAM, the virtual GIC (with
 * ::hyp_vmbuild_extra::spis SPIs; none if hyp_vmbuild_setup() could not set
 * up the GIC), the virtual PL011 (written by ::hyp_vmbuild_extra::console),
 * the devices of the description and then those of @p extra, the shared
 * regions, the hidden RAM, and the guest DTB (with seeds from
 * ::hyp_vmbuild_extra::seeds) and modules; but no doorbell service.
 * hyp_vmbuild_create() is this with tagged console lines and derived seeds,
 * plus the doorbell service when @p cfg has shared regions.
 * @param b     As for hyp_vmbuild_create().
 * @param cfg   As for hyp_vmbuild_create(); a single VM's description can
 *              come from hyp_vmsingle_describe() (vmsingle.h).
 * @param index As for hyp_vmbuild_create().
 * @param dtb   As for hyp_vmbuild_create().
 * @param pool  As for hyp_vmbuild_create().
 * @param extra What else the VM gets, and how its console is written.
 * @param err   As for hyp_vmbuild_create().
 * @return As hyp_vmbuild_create() (::HYP_EINVAL also for a NULL @p extra or
 *         console function); ::HYP_ENOMEM for more than
 *         ::HYP_VMBUILD_MAX_NODES device nodes; ::HYP_EEXIST for hidden RAM
 *         over something the VM already has.
 */
int hyp_vmbuild_create_with(struct hyp_vmbuild *b, const struct hyp_vmconfig *cfg,
                            unsigned index, const void *dtb, struct hyp_page_pool *pool,
                            const struct hyp_vmbuild_extra *extra, char *err);

/**
 * @brief The VM and vCPU pinned to the calling physical CPU.
 * @param vms   Built VMs.
 * @param count Entries in @p vms.
 * @param vcpu  Receives the vCPU's index in its VM.
 * @return The VM, or NULL if no vCPU is pinned to this CPU.
 */
struct hyp_vmbuild *hyp_vmbuild_of_this_cpu(struct hyp_vmbuild *vms, unsigned count,
                                            unsigned *vcpu);

/**
 * @brief Prepare the calling physical CPU to run vCPUs: its GIC interface,
 *        the virtual GIC's interrupts, the EL2 tick.
 * @return ::HYP_OK; ::HYP_EINVAL if hyp_vmbuild_setup() did not set up a
 *         tick; an error of the GIC driver.
 */
int hyp_vmbuild_cpu_prepare(void);

/**
 * @brief Stop the calling CPU for good, quietly.
 *
 * Switches off what would keep it awake (the EL2 tick, the EL1 timers a
 * guest left armed, its GIC interface's group 1 interrupts) and halts it,
 * so that a CPU whose VM has ended sleeps instead of spinning in WFI with
 * an interrupt pending (on QEMU's single-threaded TCG, such a CPU slows
 * every other one down). Other CPUs run on.
 */
_Noreturn void hyp_vmbuild_cpu_park(void);

/** What a run loop does besides the library's default exit handling. */
struct hyp_run_hooks {
    /**
     * The hypervisor's own policy, called first for each exit the run loop
     * sees (e.g. hyp_monitor_handle_exit()); returns true if it handled the
     * exit, false to let hyp_handle_exit() handle it. May be NULL.
     */
    bool (*policy)(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, void *arg);
    /**
     * Called after each exit has been handled; @p tick is true if the EL2
     * tick of hyp_vmbuild_setup() fired on this CPU since the last call.
     * May be NULL.
     */
    void (*after)(struct hyp_vcpu *vcpu, const struct hyp_exit *exit, bool tick,
                  void *arg);
    void *arg; /**< Passed to both. */
};

/**
 * @brief The library's run loop for one vCPU, pinned to the calling CPU.
 *
 * Waits until the vCPU is powered on (hyp_vcpu_wait_power_on()), runs it,
 * passes each exit to @c policy and, unless that handled it, to
 * hyp_handle_exit(), then to @c after; and again, across the guest's
 * CPU_OFF and CPU_ON, until the VM asks for SYSTEM_OFF or SYSTEM_RESET
 * (seen after this vCPU's next exit). Neither prints nor allocates.
 * @param vcpu  The vCPU (hyp_vcpu::pcpu must be the calling CPU).
 * @param hooks The hooks; NULL for none.
 * @return The VM's request (::HYP_VM_POWER_OFF or ::HYP_VM_RESET);
 *         ::HYP_EINVAL if the vCPU cannot run on this CPU.
 */
int hyp_vmbuild_run_vcpu(struct hyp_vcpu *vcpu, const struct hyp_run_hooks *hooks);

/**
 * @brief Run one vCPU on the calling CPU until its VM powers off or resets.
 *
 * hyp_vmbuild_run_vcpu() for the VM's vCPU @p vcpu (the first vCPU of a VM
 * is powered on once built; the others by the guest's PSCI CPU_ON); it
 * returns when the VM has asked for SYSTEM_OFF or SYSTEM_RESET (the tick
 * bounds the wait for vCPUs that do not trap). Each vCPU leaving the loop
 * then clears what its CPU held for the VM (list registers, hardware-linked
 * interrupts the guest had not deactivated, the EL1 timers). vCPU 0 reports
 * the VM's end, after writing out its pending console output; the others
 * return at once after SYSTEM_OFF, and after SYSTEM_RESET wait until the VM
 * is restarted (hyp_vmbuild_restart(), and then run again) or stopped
 * (hyp_vmbuild_stop()).
 * @param b     The VM.
 * @param vcpu  Index of a vCPU pinned to the calling CPU.
 * @param hooks The run loop's hooks; NULL for none.
 * @return For vCPU 0: the VM's request (::HYP_VM_POWER_OFF or
 *         ::HYP_VM_RESET); for the others ::HYP_VM_RUNNING when the VM will
 *         not run again; ::HYP_EINVAL if @p vcpu is not pinned to this CPU.
 */
int hyp_vmbuild_run(struct hyp_vmbuild *b, unsigned vcpu,
                    const struct hyp_run_hooks *hooks);

/**
 * @brief Restart a VM that asked for SYSTEM_RESET, alone, from its images.
 *
 * Called on vCPU 0's CPU after hyp_vmbuild_run() returned ::HYP_VM_RESET
 * there; waits until every vCPU of the VM has left the run loop, then
 * clears its RAM (not its shared regions), puts its virtual GIC and virtual
 * PL011 in their reset state, deactivates the physical SPIs of its devices,
 * writes a fresh guest DTB, loads its kernel and initrd again from their
 * modules (which no VM can write) and powers vCPU 0 on; the others stay off
 * until the guest's CPU_ON. Its stage 2, devices and console line stay.
 * The caller then calls hyp_vmbuild_run() again. Libfdt and the loader run
 * here, as at VM creation: not an exit path.
 * @param b   The VM.
 * @param err Receives a message on failure (::HYP_GUEST_ERRLEN bytes).
 * @return ::HYP_OK; ::HYP_EINVAL when not called on vCPU 0's CPU or the VM
 *         did not ask for a reset; errors of hyp_el2_map(), hyp_vgic_init()
 *         or the loader (the VM should then be stopped).
 */
int hyp_vmbuild_restart(struct hyp_vmbuild *b, char *err);

/**
 * @brief Say that a VM which asked for SYSTEM_RESET will not run again.
 *
 * Its vCPUs waiting in hyp_vmbuild_run() return ::HYP_VM_RUNNING.
 * @param b The VM.
 */
void hyp_vmbuild_stop(struct hyp_vmbuild *b);

/**
 * @brief Hand console input to the VM with the focus; flush idle output.
 *
 * Reads what waits on the physical UART and passes it key by key through
 * hyp_vcons_focus_key(): keys go to the virtual PL011 of the VM with the
 * focus (dropped when its receive FIFO is full), a focus change is
 * announced with a `[hyp]` line, Ctrl-] c sets the focused VM's
 * hyp_vmbuild::checkpoint_request. Then writes out a partial output line of
 * any VM that has paused (hyp_vcons_line_tick()) and the hypervisor's lines
 * held back behind it (hyp_console_sync()). Call it on each tick from
 * any CPU; concurrent calls return at once. No printing, no allocation.
 * @param vms   Built VMs, in configuration order (the focus indexes them).
 * @param count Entries in @p vms.
 * @param focus The input focus, from hyp_vcons_focus_init().
 */
void hyp_vmbuild_console_poll(struct hyp_vmbuild *vms, unsigned count,
                              struct hyp_vcons_focus *focus);

/**
 * @brief Console output as lines tagged with the VM's name, `[<label>] `
 *        (::hyp_vmbuild_console_fn for several VMs on one UART).
 *
 * Lines are assembled per VM (hyp_vcons_line_put()) and written with
 * hyp_console_tagged_write(); a partial line goes out when the VM pauses
 * (hyp_vmbuild_console_poll()). What hyp_vmbuild_create() uses.
 * @param b   The VM.
 * @param buf Bytes.
 * @param len How many.
 */
void hyp_vmbuild_console_tagged(struct hyp_vmbuild *b, const char *buf, size_t len);

/**
 * @brief Console output as the guest writes it, untagged
 *        (hyp_console_guest_write()): for the machine's only guest.
 * @param b   The VM.
 * @param buf Bytes.
 * @param len How many.
 */
void hyp_vmbuild_console_raw(struct hyp_vmbuild *b, const char *buf, size_t len);

/**
 * @brief Filters console input before a VM gets it (e.g. hypervisor keys).
 * @param arg The filter's argument.
 * @param buf The bytes read; the filter moves those the VM is to get to the
 *            front.
 * @param len Bytes at @p buf.
 * @return How many bytes at @p buf the VM gets.
 */
typedef size_t (*hyp_vmbuild_input_fn)(void *arg, char *buf, size_t len);

/**
 * @brief Hand console input to the one VM that has the console.
 *
 * For a hypervisor whose console input always goes to the same VM (the
 * thin monitor; hyp_vmbuild_console_poll() moves a focus between VMs).
 * Reads from the physical UART at most as many bytes as the VM's virtual
 * PL011 has room for (what waits beyond stays in the UART), passes them
 * through @p filter and gives the VM what it keeps. Holds the VM's console
 * lock meanwhile, so concurrent calls are safe. Allocates nothing; prints
 * only what @p filter prints.
 * @param b      A VM with a console.
 * @param filter The filter; NULL to give the VM every byte.
 * @param arg    Passed to @p filter.
 */
void hyp_vmbuild_console_input(struct hyp_vmbuild *b, hyp_vmbuild_input_fn filter,
                               void *arg);

/**
 * @brief Start a hypervisor whose VMs are described under /hypervisor.
 *
 * What the partitioner and the TEE pairer both do first, on the boot CPU:
 * copy the boot DTB into @p dtb (VM RAM may cover where the boot loader
 * left it), validate its configuration with hyp_vmconfig_parse() (the
 * hypervisor keeping the first @p reserve bytes of the first memory bank),
 * move the hypervisor's image to colours of its own if the configuration
 * gives it some (hyp_vmbuild_move_image(), whose verdict line goes to
 * @p report), seed @p pool with what that reserve has left after the
 * image (hyp_vmbuild_pool_init()), and call hyp_vmbuild_setup(). The VMs are then built
 * with hyp_vmbuild_create() from @p cfg and @p dtb.
 * @param dtb      Buffer for the boot DTB, 8-byte aligned (static: it must
 *                 outlive the VMs).
 * @param dtb_max  Its size.
 * @param reserve  Bytes kept by the hypervisor at the start of RAM (image,
 *                 page pool); the image must lie there with 1 MiB to spare.
 * @param tick_hz  The EL2 tick's frequency (hyp_vmbuild_setup()).
 * @param cfg      Receives the configuration.
 * @param pool     The page pool to seed.
 * @param report   Receives each refusal line, and the image's move; may
 *                 be NULL.
 * @param arg      Passed to @p report.
 * @param err      Receives a message on failure (::HYP_GUEST_ERRLEN bytes).
 * @return ::HYP_OK; ::HYP_ENOMEM for a DTB larger than @p dtb_max;
 *         ::HYP_ERANGE for an image outside the reserve; errors of
 *         hyp_el2_map(), hyp_vmconfig_parse(), hyp_page_pool_init() or
 *         hyp_vmbuild_setup().
 */
int hyp_vmbuild_boot(void *dtb, size_t dtb_max, uint64_t reserve, unsigned tick_hz,
                     struct hyp_vmconfig *cfg, struct hyp_page_pool *pool,
                     hyp_vmconfig_line_fn report, void *arg, char *err);

/**
 * @brief Restart, from its images, a VM whose vCPUs run in no run loop.
 *
 * For a VM run only through the VM stack (a TEE pairer's trusted OS, a
 * child VM): what hyp_vmbuild_restart() does, without waiting for its vCPUs
 * to leave hyp_vmbuild_run(), which they never entered. The caller makes
 * sure that none of them runs meanwhile (none is on any CPU's VM stack).
 * Its vCPU 0 is then ready to boot (::HYP_VCPU_ON_PENDING), the others off.
 * Not an exit path: it clears the VM's RAM and loads its images.
 * @param b   The VM.
 * @param err Receives a message on failure (::HYP_GUEST_ERRLEN bytes).
 * @return ::HYP_OK; ::HYP_EINVAL when not called on its vCPU 0's CPU;
 *         errors of hyp_vmbuild_restart().
 */
int hyp_vmbuild_reload(struct hyp_vmbuild *b, char *err);

#endif /* HYP_VMBUILD_H */
