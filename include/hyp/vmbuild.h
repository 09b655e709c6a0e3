/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmbuild.h
 * @brief Building a VM from its validated description, and running it.
 *
 * What a hypervisor with several VMs does for each of them, given one
 * ::hyp_vmconfig_vm accepted by hyp_vmconfig_parse() (vmconfig.h):
 * hyp_vmbuild_create() gives the VM its stage 2 (VMID = its index + 1), its
 * RAM at ::hyp_vmconfig_vm::mem_ipa, a virtual GICv3 where the board's GIC
 * is, a virtual PL011 where the board's console is (its output tagged with
 * the VM's name, see vconsole.h), its passed-through devices mapped at their
 * own addresses with their SPIs hardware-linked, its shared regions mapped
 * at their physical addresses, a generated guest DTB that describes only
 * that, and its kernel (and initrd) loaded; its first vCPU is then ready
 * to start. Every vCPU runs, always, on the physical CPU the config pins it
 * to: each such CPU calls hyp_vmbuild_cpu_prepare() and then
 * hyp_vmbuild_run(), which returns when the VM has powered off or asked
 * for a reset; what happens then is the caller's policy.
 *
 * Setup, once, on the boot CPU, before any VM is created:
 * hyp_vmbuild_setup() (physical GIC, the EL2 tick, SMCCC services).
 * Everything here runs at boot or VM creation, except hyp_vmbuild_run()
 * and hyp_vmbuild_console_poll(), which neither print nor allocate.
 * Target only.
 */
#ifndef HYP_VMBUILD_H
#define HYP_VMBUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/loader.h>
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
 * no region at that base. The service is registered with the first VM
 * built, for the owner ::SMCCC_OWNER_VENDOR_HYP.
 */
#define HYP_VMBUILD_DOORBELL_FID 0x86000010u

/** Room for the line announcing that a VM has the console's input focus. */
#define HYP_VMBUILD_FOCUS_LEN 96

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
    unsigned parked;     /**< vCPUs out of the run loop since its end (atomic). */
    unsigned generation; /**< Restarts so far (atomic). */
    bool stopped;        /**< It will not run again (atomic). */
    /** A checkpoint was asked for (Ctrl-] c, hyp_vmbuild_console_poll());
     *  the hypervisor's run-loop hook acts on it (atomic). */
    bool checkpoint_request;
};

/**
 * @brief Prepare the machine for VMs: the SMCCC services (PSCI for guests),
 *        the physical GIC and a periodic EL2 tick.
 *
 * The SMCCC services are registered in any case. The tick (the EL2 physical
 * timer, needing a GICv3) brings each CPU back to EL2 @p tick_hz times a
 * second even from a guest that never traps, so that console input is
 * polled, held-back `[hyp]` lines go out (hyp_console_sync() on CPU 0) and a
 * VM that powered off is noticed on all of its CPUs. Call once on the boot
 * CPU.
 * @param plat    The platform.
 * @param tick_hz Tick frequency (e.g. 100).
 * @return ::HYP_OK; ::HYP_ENOTSUP without a GICv3 or an EL2 timer (SMCCC is
 *         set up, the GIC and the tick are not, VMs cannot be built);
 *         errors of hyp_smccc_register_defaults() or the GIC driver.
 */
int hyp_vmbuild_setup(const struct hyp_platform *plat, unsigned tick_hz);

/**
 * @brief Ticks taken so far, on all CPUs together.
 * @param hz If not NULL, receives the tick's frequency (0 without a tick).
 * @return The count.
 */
uint64_t hyp_vmbuild_ticks(unsigned *hz);

/**
 * @brief Build one VM of a validated configuration.
 *
 * See the file comment for what the VM gets. Its guest DTB lists its vCPUs
 * (MPIDR 0, 1, ...), its RAM, a GICv3 with one redistributor per vCPU, the
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
 * @return ::HYP_OK; ::HYP_EINVAL for a bad @p index or a CPU the hypervisor
 *         did not bring up; errors of hyp_vm_init(), hyp_vm_add_ram(),
 *         hyp_vm_attach_vgic(), hyp_vm_map_device(), hyp_vm_forward_spi()
 *         or hyp_guest_load().
 */
int hyp_vmbuild_create(struct hyp_vmbuild *b, const struct hyp_vmconfig *cfg,
                       unsigned index, const void *dtb, struct hyp_page_pool *pool,
                       char *err);

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

#endif /* HYP_VMBUILD_H */
