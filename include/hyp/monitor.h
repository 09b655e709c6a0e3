/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file monitor.h
 * @brief Security monitor: catch a guest's security-sensitive events.
 *
 * A monitor watches one VM according to a ::hyp_policy (policy.h, read from
 * the boot DTB) and reports what it catches as event lines (events.h):
 *
 * - **MMIO watch**: a watched device region is unmapped from stage 2; every
 *   guest access traps, is logged and then performed on the device by EL2
 *   (action "log") or refused (action "deny": reads return 0, writes are
 *   dropped, the instruction completes).
 * - **Memory integrity**: guest RAM ranges made read-only and/or
 *   execute-never in stage 2, from the policy or by the guest itself with
 *   the ::HYP_MON_PROTECT_FID hypercall, which can only add protection.
 *   A write is dropped (the instruction completes) and an execution gets a
 *   synchronous external abort; an access that cannot be decoded (pairs,
 *   atomics) also gets an abort.
 * - **Control registers**: with HCR_EL2.TVM, writes to SCTLR_EL1, TTBR0_EL1,
 *   TTBR1_EL1, TCR_EL1 and MAIR_EL1 trap and are logged and performed; after
 *   the guest's ::HYP_MON_LOCK_FID call, a write turning the MMU or WXN off
 *   is refused. VBAR_EL1 cannot be trapped on Armv8.0 (TVM does not cover
 *   it): it is compared with its last value at every exit of the vCPU, a
 *   change is logged and, after the lock, undone.
 * - **System calls**: SVC from guest EL0 is caught with a hardware
 *   breakpoint at VBAR_EL1 + 0x400 (the guest's "synchronous exception from
 *   lower EL" vector; debug exceptions go to EL2 through MDCR_EL2.TDE): on a
 *   hit whose ESR_EL1 is an SVC, the number (x8, AArch32 r7) and x0..x3 are
 *   logged, then the breakpoint is disabled for one single-stepped
 *   instruction and re-armed. While on, the guest's own debug registers are
 *   RAZ/WI (MDSCR_EL1 and the OS lock are kept as shadows), so it cannot use
 *   hardware breakpoints, watchpoints or single-step; its BRK instructions
 *   still reach it. Switching on or off takes effect at each vCPU's next
 *   exit.
 * - **Interrupts**: every physical interrupt forwarded to the guest is
 *   counted per INTID and can be logged.
 *
 * Functions named `hyp_monitor_*` other than hyp_monitor_init() run on the
 * CPU of the vCPU they are given, from its run loop; they may run on all
 * CPUs at once.
 */
#ifndef HYP_MONITOR_H
#define HYP_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hyp/config.h>
#include <hyp/events.h>
#include <hyp/policy.h>
#include <hyp/spinlock.h>
#include <hyp/vm.h>

/** Hypercall (HVC #0, SMC64 vendor hypervisor service): x0 = 0x10000 if present. */
#define HYP_MON_VERSION_FID 0xc6000000u
/**
 * Hypercall: protect guest RAM. x1 = IPA (4 KiB aligned), x2 = size (non-zero
 * multiple of 4 KiB), x3 = ::HYP_POLICY_NO_WRITE | ::HYP_POLICY_NO_EXEC.
 * Protection is only ever added (0 is a no-op). Returns x0 = 0; -2 for bad
 * arguments or a range that is not entirely guest RAM; -3 when the
 * monitor's table of ranges is full.
 */
#define HYP_MON_PROTECT_FID 0xc6000001u
/**
 * Hypercall: lock the control registers. SCTLR_EL1 and VBAR_EL1 of the
 * calling vCPU are recorded; from then on writes that turn the MMU or WXN
 * off, and any change of VBAR_EL1, are refused (if the policy's
 * control-register action includes deny). No unlock. Returns x0 = 0.
 */
#define HYP_MON_LOCK_FID    0xc6000002u
/** Version answered by ::HYP_MON_VERSION_FID (1.0). */
#define HYP_MON_VERSION     0x10000u

/** Most protected ranges (policy and hypercalls together). */
#define HYP_MONITOR_MAX_RANGES 16
/** Interrupts counted per INTID: 0 .. HYP_MONITOR_MAX_INTID - 1. */
#define HYP_MONITOR_MAX_INTID  1020

/** A protected range. */
struct hyp_monitor_range {
    uint64_t ipa;    /**< Guest-physical start. */
    uint64_t size;   /**< Bytes. */
    unsigned prot;   /**< ::HYP_POLICY_NO_WRITE, ::HYP_POLICY_NO_EXEC. */
    unsigned action; /**< ::HYP_ACT_LOG, ::HYP_ACT_DENY bits. */
};

/** A watched MMIO region. */
struct hyp_monitor_watch {
    struct hyp_monitor *mon; /**< Back pointer for the MMIO handler. */
    uint64_t base;           /**< Start (guest-physical == physical). */
    uint64_t size;           /**< Bytes. */
    unsigned action;         /**< ::HYP_ACT_LOG, ::HYP_ACT_DENY bits. */
};

/** Per-vCPU state of the system-call catcher. @private */
struct hyp_monitor_vcpu {
    bool armed;     /**< System calls caught on the vCPU's CPU (either way). */
    bool fgt_svc;   /**< ... through HFGITR_EL2.SVC_EL0, not a breakpoint. */
    bool fgt_vbar;  /**< HFGWTR_EL2.VBAR_EL1 set on the vCPU's CPU. */
    bool stepping;  /**< Stepping over the vector's first instruction. */
    bool oslk;      /**< The guest's OS lock (shadow). */
    uint64_t bp;    /**< Breakpoint address programmed. */
    uint64_t mdscr; /**< The guest's MDSCR_EL1 (shadow). */
    uint64_t vbar;  /**< VBAR_EL1 last seen at an exit. */
};

/** A monitor. Fields are private. */
struct hyp_monitor {
    struct hyp_vm *vm;        /**< @private */
    struct hyp_policy policy; /**< @private */
    struct hyp_event_log log; /**< @private */
    struct hyp_spinlock lock; /**< @private ranges, stage 2, lock state */
    struct hyp_monitor_range ranges[HYP_MONITOR_MAX_RANGES]; /**< @private */
    unsigned range_count;                                    /**< @private */
    struct hyp_monitor_watch watch[HYP_POLICY_MAX_WATCH];    /**< @private */
    unsigned watch_count;                                    /**< @private */
    struct hyp_creg_lock creg;                               /**< @private */
    int syscalls; /**< @private atomic: catching on */
    /** @private With FEAT_FGT traps in use (hyp_monitor_use_fgt()): the exit hook. */
    bool (*fgt_exit)(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                     const struct hyp_exit *exit, bool handled);
    int key_state;                              /**< @private console escape state */
    uint64_t irq_count[HYP_MONITOR_MAX_INTID];  /**< @private */
    struct hyp_monitor_vcpu vcpu[HYP_MAX_CPUS]; /**< @private */
};

/** Console escape byte for monitor keys: Ctrl-] (then `s`: syscall events). */
#define HYP_MONITOR_KEY_ESCAPE 0x1d

/**
 * @brief Start monitoring a VM.
 *
 * Call after the VM's RAM and devices are in place and before its guest
 * runs. Unmaps each watched region from stage 2 and emulates it (it must
 * not be guest RAM), applies the policy's protected ranges (they must be
 * guest RAM) and sets the vCPUs' trap bits. The hypercalls are not served,
 * event lines not rate-limited and interrupts not observed until
 * hyp_monitor_serve_calls(), hyp_monitor_limit_rate() and
 * hyp_monitor_watch_irqs() are called, nor FEAT_FGT used without
 * hyp_monitor_use_fgt(): an image that leaves them out does not link their
 * code.
 *
 * @param mon  The monitor (storage; initialised here).
 * @param vm   The VM.
 * @param pol  Its policy (copied).
 * @param sink Where event lines go (one call per line, no newline).
 * @param ctx  The sink's argument.
 * @param err  Receives a message naming the policy node at fault
 *             (::HYP_POLICY_ERRLEN bytes); "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for a range the policy may not name;
 *         errors of the stage-2 table, hyp_vm_add_mmio() or hyp_el2_map().
 */
int hyp_monitor_init(struct hyp_monitor *mon, struct hyp_vm *vm,
                     const struct hyp_policy *pol, hyp_event_sink_fn sink, void *ctx,
                     char *err);

/**
 * @brief Serve the monitor's hypercalls (::HYP_MON_PROTECT_FID,
 *        ::HYP_MON_LOCK_FID) as the SMCCC vendor-specific hypervisor service
 *        (owner 6).
 *
 * Call after hyp_monitor_init(), before the guest runs.
 * @param mon The monitor.
 * @return ::HYP_OK; ::HYP_ENOMEM with 4 monitors serving already; errors of
 *         hyp_smccc_register().
 */
int hyp_monitor_serve_calls(struct hyp_monitor *mon);

/**
 * @brief Catch system calls and VBAR_EL1 writes with FEAT_FGT's fine-grained
 *        traps (HFGITR_EL2.SVC_EL0, HFGWTR_EL2.VBAR_EL1) when the CPU has it
 *        and the policy does not say no-fgt.
 *
 * Without this call (or without FEAT_FGT) the monitor uses a breakpoint on
 * the guest's EL1 vector and compares VBAR_EL1 at every exit. Call after
 * hyp_monitor_init(), before the guest runs.
 * @param mon The monitor.
 */
void hyp_monitor_use_fgt(struct hyp_monitor *mon);

/**
 * @brief Limit event lines to the policy's rate and burst (hyp_event_log_limit()).
 *
 * Call after hyp_monitor_init(), before the guest runs.
 * @param mon The monitor.
 */
void hyp_monitor_limit_rate(struct hyp_monitor *mon);

/**
 * @brief Count (and with the policy's irq-log, log) every physical interrupt
 *        forwarded to the VM (hyp_vm_set_irq_hook()).
 *
 * Call after hyp_monitor_init(), before the guest runs.
 * @param mon The monitor.
 */
void hyp_monitor_watch_irqs(struct hyp_monitor *mon);

/**
 * @brief Apply the monitor's policy to an exit before the default handling.
 *
 * Call for every exit, on the vCPU's CPU, right after hyp_vcpu_run(); it
 * also keeps the system-call breakpoint and the VBAR_EL1 check up to date.
 *
 * @param mon  The monitor.
 * @param vcpu The vCPU that exited.
 * @param exit Its exit.
 * @return true if the exit was handled completely (do not pass it to
 *         hyp_handle_exit()); false to continue with hyp_handle_exit().
 */
bool hyp_monitor_handle_exit(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                             const struct hyp_exit *exit);

/**
 * @brief Take the monitor's key sequences out of console input for the guest.
 *
 * `Ctrl-] s` toggles system-call events; `Ctrl-] Ctrl-]` passes one Ctrl-]
 * on; `Ctrl-]` and any other key prints the list of keys. A sequence may be
 * split across calls.
 *
 * @param mon The monitor.
 * @param buf Console bytes; the guest's bytes are compacted to its front.
 * @param len Number of bytes in @p buf.
 * @return Number of bytes left for the guest.
 */
size_t hyp_monitor_console_filter(struct hyp_monitor *mon, char *buf, size_t len);

/**
 * @brief Switch system-call events on or off (each vCPU follows at its next exit).
 * @param mon The monitor.
 * @param on  true to catch system calls.
 */
void hyp_monitor_set_syscalls(struct hyp_monitor *mon, bool on);

/**
 * @brief Print the per-kind event counters (hyp_event_log_table()).
 * @param mon  The monitor.
 * @param sink Where the lines go.
 * @param ctx  The sink's argument.
 */
void hyp_monitor_report(struct hyp_monitor *mon, hyp_event_sink_fn sink, void *ctx);

/**
 * @brief Print the per-INTID counts of interrupts forwarded to the guest
 *        (hyp_monitor_watch_irqs()), one line per INTID seen.
 * @param mon  The monitor.
 * @param sink Where the lines go.
 * @param ctx  The sink's argument.
 */
void hyp_monitor_report_irqs(struct hyp_monitor *mon, hyp_event_sink_fn sink, void *ctx);

#endif /* HYP_MONITOR_H */
