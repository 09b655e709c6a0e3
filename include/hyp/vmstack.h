/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmstack.h
 * @brief The VM stack: one VM calls another on the same physical CPU.
 *
 * Each physical CPU has a small stack of vCPUs. A *call* pushes the
 * *callee* (a vCPU of another VM, pinned to the same CPU) above its
 * *caller*: the caller stays suspended, its registers saved, while the
 * callee runs on that CPU; the callee leaves the stack (a *pop*) when it
 * answers the call, gives the CPU back, faults, or when an interrupt for
 * its caller arrives (a *foreign* interrupt), and the caller runs again.
 * There is no scheduler: whoever is on top of the stack runs. A TEE pairer
 * pushes a general-purpose VM's trusted OS on the VM's SMC; a parent VM
 * pushes its child to invoke it.
 *
 * Register passing is the caller's business but follows SMCCC: a push
 * may write the call's arguments into the callee's x0..x(n-1), and a pop
 * may write the answer into the caller's x0..x(n-1); the callee then
 * resumes, at its next push, where it left off (e.g. just after the HVC
 * with which it answered), with the new call in its registers.
 *
 * The stack itself (push, pop, queries) is plain logic, host-testable and
 * lock-free: a stack belongs to one physical CPU and only that CPU touches
 * it (hyp_vmstack_this_cpu()). hyp_vmstack_run() (target only) runs the
 * callee on top until it leaves the stack. Nothing here allocates or
 * prints; push, pop and run are fit for exit paths. Physical interrupts
 * must bring the CPU back to EL2 while a callee runs (turn the callee VM's
 * fast exits off, hyp_vm_set_fast_exits()): that is when foreign
 * interrupts are noticed.
 */
#ifndef HYP_VMSTACK_H
#define HYP_VMSTACK_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/trap.h>
#include <hyp/vcpu.h>

/** Most calls in flight on one CPU (VM A calls B, which calls C, ...). */
#define HYP_VMSTACK_DEPTH 4

/** Most registers a push or a pop copies (x0..x17, as SMCCC 1.2 allows). */
#define HYP_VMSTACK_MAX_REGS 18

/** Why a callee left the stack. */
enum hyp_vmstack_reason {
    HYP_VMSTACK_NONE = 0,    /**< Nothing popped yet. */
    HYP_VMSTACK_RETURNED,    /**< It answered the call. */
    HYP_VMSTACK_YIELDED,     /**< It gave the CPU back before answering; it may
                                  be resumed by a later push. */
    HYP_VMSTACK_FAULTED,     /**< It failed (fault, garbage, time out): its
                                  caller gets an error, not its answer. */
    HYP_VMSTACK_FOREIGN_IRQ, /**< An interrupt for the caller arrived while
                                  it ran: it is suspended mid-call, and a
                                  later push resumes it. */
};

/** One call in flight. */
struct hyp_vmstack_frame {
    struct hyp_vcpu *caller; /**< Suspended until the callee leaves. */
    struct hyp_vcpu *callee; /**< Runs on the caller's CPU. */
};

/** A physical CPU's stack of calls. Fields are read-only outside vmstack.c. */
struct hyp_vmstack {
    unsigned depth; /**< Calls in flight (frames in use). */
    struct hyp_vmstack_frame frames[HYP_VMSTACK_DEPTH]; /**< Bottom first. */
    enum hyp_vmstack_reason last;                       /**< Reason of the last pop. */
    struct hyp_vcpu *last_callee;                       /**< Who left at the last pop. */
};

/**
 * @brief Empty a stack.
 * @param s The stack.
 */
void hyp_vmstack_init(struct hyp_vmstack *s);

/**
 * @brief Call: push @p callee above @p caller, optionally passing arguments.
 *
 * The callee must be pinned to the caller's physical CPU (both
 * hyp_vcpu::pcpu equal), belong to another VM, and not be on the stack
 * already (no VM calls itself or one of its callers); when the stack is not
 * empty, @p caller must be the callee on top (only the running vCPU
 * calls). Its power state is the caller's business (see
 * hyp_vmstack_run()). The first @p nargs registers x0.. of the callee are
 * set from @p args; nothing else of it changes.
 *
 * @param s      The stack of the CPU both run on.
 * @param caller The calling vCPU (suspended from now on).
 * @param callee The vCPU to run.
 * @param args   Values for the callee's x0..; may be NULL if @p nargs is 0.
 * @param nargs  How many, at most ::HYP_VMSTACK_MAX_REGS.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL vCPUs, a callee of the caller's
 *         VM or of another CPU, a caller that is not on top, or too many
 *         arguments; ::HYP_EBUSY when the callee is on the stack already;
 *         ::HYP_ENOMEM when ::HYP_VMSTACK_DEPTH calls are in flight.
 */
int hyp_vmstack_push(struct hyp_vmstack *s, struct hyp_vcpu *caller,
                     struct hyp_vcpu *callee, const uint64_t *args, unsigned nargs);

/**
 * @brief The callee leaves the stack: its caller runs again.
 *
 * The first @p nret registers x0.. of the caller are set from @p ret (for
 * ::HYP_VMSTACK_RETURNED its answer; for the other reasons whatever the
 * caller's ABI says, e.g. an error code or a "resume me" value). The
 * callee's registers are left as they are, so that a later push resumes
 * it where it stopped. The reason is kept in hyp_vmstack::last.
 *
 * @param s      The stack.
 * @param reason Why it leaves (not ::HYP_VMSTACK_NONE).
 * @param ret    Values for the caller's x0..; may be NULL if @p nret is 0.
 * @param nret   How many, at most ::HYP_VMSTACK_MAX_REGS.
 * @return The caller, now on top (or the bottom vCPU again); NULL when the
 *         stack is empty or the arguments are bad (nothing changes then).
 */
struct hyp_vcpu *hyp_vmstack_pop(struct hyp_vmstack *s, enum hyp_vmstack_reason reason,
                                 const uint64_t *ret, unsigned nret);

/**
 * @brief Who runs now: the callee on top, or @p base when the stack is empty.
 * @param s    The stack.
 * @param base The vCPU that runs on this CPU when no call is in flight.
 * @return The vCPU to run.
 */
struct hyp_vcpu *hyp_vmstack_current(const struct hyp_vmstack *s, struct hyp_vcpu *base);

/**
 * @brief The caller of the callee on top.
 * @param s The stack.
 * @return The suspended caller, or NULL when the stack is empty.
 */
struct hyp_vcpu *hyp_vmstack_caller(const struct hyp_vmstack *s);

/**
 * @brief Whether a vCPU is on the stack, as a caller or a callee.
 * @param s    The stack.
 * @param vcpu The vCPU.
 * @return True if it is.
 */
bool hyp_vmstack_contains(const struct hyp_vmstack *s, const struct hyp_vcpu *vcpu);

/**
 * @brief The calling physical CPU's stack (target only).
 * @return The stack, or NULL before the CPU runtime is up.
 */
struct hyp_vmstack *hyp_vmstack_this_cpu(void);

/** What hyp_vmstack_run() does with each exit of the callee on top. */
struct hyp_vmstack_ops {
    /**
     * The caller's policy for one exit of the callee @p callee: it may pop
     * (hyp_vmstack_pop(), e.g. on the callee's "answer" call), handle the
     * exit itself (true) or leave it to hyp_handle_exit() (false). Not
     * called for IRQ exits, which the library dispatches. May be NULL.
     */
    bool (*exit)(struct hyp_vmstack *s, struct hyp_vcpu *callee,
                 const struct hyp_exit *exit, void *arg);
    /**
     * Whether an interrupt waiting for @p caller ends the call now (popped
     * as ::HYP_VMSTACK_FOREIGN_IRQ with the values @ref foreign_ret
     * writes). Asked after every IRQ exit of the callee when the caller has
     * an interrupt to take (see hyp_vmstack_run()). NULL: always.
     */
    bool (*foreign_ok)(struct hyp_vcpu *caller, struct hyp_vcpu *callee, void *arg);
    /**
     * Fills the caller's registers for a foreign-interrupt pop: returns
     * how many of @p ret (x0..) to write. NULL: none.
     */
    unsigned (*foreign_ret)(struct hyp_vcpu *caller, struct hyp_vcpu *callee,
                            uint64_t ret[HYP_VMSTACK_MAX_REGS], void *arg);
    /**
     * After every IRQ exit: return true to end the call as
     * ::HYP_VMSTACK_FAULTED (e.g. after too many ticks: a callee that
     * loops), having set @p ret and *@p nret for the caller. May be NULL.
     */
    bool (*overdue)(struct hyp_vcpu *caller, struct hyp_vcpu *callee,
                    uint64_t ret[HYP_VMSTACK_MAX_REGS], unsigned *nret, void *arg);
    /**
     * Called before each entry into the callee while the caller's virtual
     * timer is armed, with its deadline (a CNTPCT_EL0 value: libhyp leaves
     * CNTVOFF_EL2 at 0), or, if that has passed, 100 us from now (so that a
     * callee that may not yield still runs): it should make the CPU come
     * back to EL2 by then (e.g. hyp_vmbuild_tick_by()), since the caller's
     * timer is not armed in the hardware while the callee runs. NULL: the
     * expiry is noticed at the callee's next exit for another reason.
     */
    void (*wake_by)(uint64_t cval, void *arg);
    void *arg; /**< Passed to each. */
};

/**
 * @brief Run the callee on top of the calling CPU's stack until it leaves.
 *
 * Loop: hyp_vcpu_run() the callee on top; IRQ and FIQ exits go to
 * hyp_handle_exit() (the physical interrupt is dispatched: forwarded
 * interrupts reach their VMs, the caller's included), then, if the caller's
 * VM has a virtual GIC and the caller an interrupt to take (pending in its
 * virtual GIC, or its virtual timer expired: a suspended caller's timer is
 * read from its saved registers, as it is not armed in the hardware) and
 * @c foreign_ok agrees, the callee is popped as ::HYP_VMSTACK_FOREIGN_IRQ;
 * then @c overdue may end it as ::HYP_VMSTACK_FAULTED. Other exits go to
 * @c exit and, unless it handled them, to hyp_handle_exit(). A callee whose
 * VM shuts down (PSCI SYSTEM_OFF or SYSTEM_RESET) or which cannot run is
 * popped as ::HYP_VMSTACK_FAULTED with x0 = -1 (SMCCC NOT_SUPPORTED) for the
 * caller. Returns once the frame it started with is gone (a nested call by
 * the callee is run here too). Neither prints nor allocates.
 *
 * @param s   The calling CPU's stack, not empty.
 * @param ops The caller's policy; may be NULL.
 * @return Why the callee left (hyp_vmstack::last); ::HYP_VMSTACK_NONE for
 *         an empty stack.
 */
enum hyp_vmstack_reason hyp_vmstack_run(struct hyp_vmstack *s,
                                        const struct hyp_vmstack_ops *ops);

#endif /* HYP_VMSTACK_H */
