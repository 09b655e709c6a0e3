/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file events.h
 * @brief The thin monitor's event log: one greppable line per guest event,
 *        per-kind counters and a rate limit.
 *
 * The monitor describes what it saw in a ::hyp_event and hands it to
 * hyp_event_record(), which counts it and, when asked to print it and the
 * rate limit allows, formats it as one line and passes that to a sink (the
 * console, which adds its "[hyp] " tag). At power-off hyp_event_log_table()
 * prints the counters.
 *
 * @par Event lines
 * A line has no trailing newline and no console tag. Fields are separated by
 * one space and appear in exactly this order:
 * @verbatim
 line    = "EV " event
 event   = mmio / mem / creg / svc / irq / hvc / toggle / dropped
 mmio    = "mmio vcpu=" DEC " pc=" HEX " ipa=" HEX " size=" DEC
           " op=" ("read" / "write") " val=" HEX " action=" ("allow" / "deny")
 mem     = "mem vcpu=" DEC " pc=" HEX " ipa=" HEX " op=" ("write" / "exec")
           " size=" DEC " val=" HEX " action=" ("allow" / "deny")
 creg    = "creg vcpu=" DEC " pc=" HEX " reg=" REG " old=" HEX " new=" HEX
           " action=" ("allow" / "deny")
 svc     = "svc vcpu=" DEC " pc=" HEX " nr=" DEC " a0=" HEX " a1=" HEX
           " a2=" HEX " a3=" HEX
 irq     = "irq vcpu=" DEC " intid=" DEC
 hvc     = "hvc vcpu=" DEC " pc=" HEX " call=protect ipa=" HEX " size=" HEX
           " prot=" ("w" / "x" / "wx" / "-") " ret=" SDEC
         / "hvc vcpu=" DEC " pc=" HEX " call=lock ret=" SDEC
 toggle  = "toggle " NAME "=" ("on" / "off")
 dropped = "dropped n=" DEC
 REG     = "SCTLR_EL1" / "TTBR0_EL1" / "TTBR1_EL1" / "TCR_EL1" / "MAIR_EL1"
         / "VBAR_EL1" / "S" DEC "_" DEC "_C" DEC "_C" DEC "_" DEC
 HEX     = "0x" 1*(DIGIT / "a"-"f")     ; lower case, no leading zeros: 0x0, 0x9000000
 DEC     = 1*DIGIT                      ; unsigned decimal
 SDEC    = ["-"] DEC                    ; signed decimal
 NAME    = 1*(ALPHA / DIGIT / "-" / "_")
 @endverbatim
 * `mem` events with op=exec always show size=4 val=0x0 (an instruction
 * fetch). The monitor records `mem` events as refused (action=deny):
 * protected ranges are always enforced. In `hvc` protect lines, `prot` names
 * the accesses the call removes: `w` writes (::HYP_POLICY_NO_WRITE), `x`
 * instruction fetches (::HYP_POLICY_NO_EXEC), `-` none. `REG` is the
 * register's architectural name for the six control registers and the
 * generic `S<op0>_<op1>_C<n>_C<m>_<op2>` spelling for any other. `dropped`
 * reports how many lines the rate limit suppressed since the last printed
 * line, just before the next printed line. `toggle` lines come from
 * hyp_event_toggle(), e.g. `EV toggle syscalls=on`.
 *
 * @par Rate limit
 * One token bucket per event kind: each holds at most `burst` tokens, starts
 * full, and refills at `rate` tokens per second of counter time. Each
 * printed event line takes one token of its kind's bucket; an event that
 * finds its bucket empty is counted as dropped. Per kind, so that a flood of
 * one kind (a guest with KPTI writes TTBR1_EL1 on every kernel entry, which
 * `control-registers` logs) cannot silence a rare one, such as a refused
 * write to protected memory. `EV dropped` lines, hyp_event_note() and
 * hyp_event_toggle() lines take no token. A rate of 0 means unlimited.
 *
 * @par Concurrency
 * All functions taking a ::hyp_event_log may be called from any CPU. The
 * seen and denied counters are updated atomically without the lock, so an
 * event that is only counted (`print` false) takes no lock at all; printing
 * takes the log's spinlock around the token bucket and the other counters
 * and calls the log's sink *with the lock held*, so lines from different CPUs never
 * interleave and an `EV dropped` line always directly precedes the line that
 * reported it. The sink must therefore not call back into the same log.
 * hyp_event_log_table() calls its sink after releasing the lock.
 */
#ifndef HYP_EVENTS_H
#define HYP_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyp/spinlock.h>

/** A buffer of this many bytes holds any event line and its NUL. */
#define HYP_EVENT_LINE_MAX 192

/** Kinds of guest events, for ::hyp_event and the per-kind counters. */
enum hyp_event_kind {
    HYP_EV_MMIO,       /**< Access to a watched MMIO region. */
    HYP_EV_MEM,        /**< Refused access to a protected memory range. */
    HYP_EV_CREG,       /**< Write to an EL1 control register. */
    HYP_EV_SVC,        /**< System call (SVC) from guest EL0. */
    HYP_EV_IRQ,        /**< Physical interrupt delivered to the guest. */
    HYP_EV_HVC,        /**< Monitor hypercall (protect, lock). */
    HYP_EV_KIND_COUNT, /**< Number of kinds. */
};

/** ::HYP_EV_MMIO: an access to a watched region. */
struct hyp_event_mmio {
    uint64_t ipa;  /**< Guest physical address accessed. */
    uint64_t val;  /**< Value written, or read (0 if refused). */
    unsigned size; /**< Access size in bytes. */
    bool write;    /**< A write (else a read). */
};

/** ::HYP_EV_MEM: an access to a protected range. */
struct hyp_event_mem {
    uint64_t ipa;  /**< Guest physical address accessed. */
    uint64_t val;  /**< Value written (ignored for exec). */
    unsigned size; /**< Access size in bytes (ignored for exec: printed as 4). */
    bool exec;     /**< An instruction fetch (else a write). */
};

/** ::HYP_EV_CREG: a write to a control register. */
struct hyp_event_creg {
    uint16_t key;     /**< Register, an `HYP_SYSREG_*` key (hyp/trap.h). */
    uint64_t old_val; /**< Value before the write. */
    uint64_t new_val; /**< Value the guest wrote. */
};

/** ::HYP_EV_SVC: a system call. */
struct hyp_event_svc {
    uint64_t nr;      /**< System call number (x8 for Linux). */
    uint64_t args[4]; /**< First four arguments (x0..x3). */
};

/** ::HYP_EV_IRQ: a physical interrupt delivered to the guest. */
struct hyp_event_irq {
    uint32_t intid; /**< GIC INTID. */
};

/** Which monitor hypercall an ::HYP_EV_HVC event reports. */
enum hyp_event_hvc_call {
    HYP_EV_HVC_PROTECT, /**< Protect a range: ipa, size, prot are meaningful. */
    HYP_EV_HVC_LOCK,    /**< Lock the control registers. */
};

/** ::HYP_EV_HVC: a monitor hypercall. */
struct hyp_event_hvc {
    enum hyp_event_hvc_call call; /**< Which call. */
    uint64_t ipa;                 /**< Protect: first byte. */
    uint64_t size;                /**< Protect: length in bytes. */
    unsigned prot; /**< Protect: ::HYP_POLICY_NO_WRITE, ::HYP_POLICY_NO_EXEC. */
    int64_t ret;   /**< Value returned to the guest. */
};

/** One guest event. */
struct hyp_event {
    enum hyp_event_kind kind; /**< Which member of @ref u is valid. */
    unsigned vcpu;            /**< vCPU index. */
    uint64_t pc;              /**< Guest PC of the instruction (unused for IRQ). */
    bool denied;              /**< The monitor refused the access (action=deny). */
    /** Per-kind details. */
    union {
        struct hyp_event_mmio mmio; /**< ::HYP_EV_MMIO. */
        struct hyp_event_mem mem;   /**< ::HYP_EV_MEM. */
        struct hyp_event_creg creg; /**< ::HYP_EV_CREG. */
        struct hyp_event_svc svc;   /**< ::HYP_EV_SVC. */
        struct hyp_event_irq irq;   /**< ::HYP_EV_IRQ. */
        struct hyp_event_hvc hvc;   /**< ::HYP_EV_HVC. */
    } u;
};

/**
 * @brief Format an event as one line (see the file comment for the grammar).
 *
 * Behaves like snprintf(): at most @p len bytes are written, always
 * NUL-terminated when @p len > 0, and the return value is the length of the
 * full line, so a result >= @p len means it was truncated. @p buf may be
 * NULL when @p len is 0.
 *
 * @param ev  The event.
 * @param buf Where to write the line (no newline).
 * @param len Size of @p buf; ::HYP_EVENT_LINE_MAX is always enough.
 * @return Length of the full line, or a negative value (and "" in @p buf if
 *         @p len > 0) for a NULL @p ev, an unknown kind or an unknown
 *         hypercall.
 */
int hyp_event_format(const struct hyp_event *ev, char *buf, size_t len);

/**
 * @brief Name of an event kind, as it appears in lines and the table.
 * @param k A kind.
 * @return "mmio", "mem", "creg", "svc", "irq", "hvc"; "?" for other values.
 */
const char *hyp_event_kind_name(enum hyp_event_kind k);

/**
 * @brief Receives one output line.
 * @param line The line, NUL-terminated, without a trailing newline.
 * @param len  strlen(@p line).
 * @param ctx  The context given with the sink.
 */
typedef void (*hyp_event_sink_fn)(const char *line, size_t len, void *ctx);

/** Counters of one event kind. */
struct hyp_event_counts {
    uint64_t seen;    /**< Events recorded. */
    uint64_t logged;  /**< Lines printed. */
    uint64_t denied;  /**< Events whose access was refused. */
    uint64_t dropped; /**< Lines suppressed by the rate limit. */
};

/** A token bucket of a ::hyp_event_log (see the file comment). */
struct hyp_event_bucket {
    uint32_t tokens; /**< Tokens in the bucket. */
    uint64_t frac;   /**< Partial token, in units of the log's counter ticks. */
    uint64_t last;   /**< Counter value the bucket was last refilled at. */
};

/** The event log. Initialise with hyp_event_log_init(); treat as opaque. */
struct hyp_event_log {
    struct hyp_spinlock lock;                          /**< Guards everything below. */
    struct hyp_event_counts counts[HYP_EV_KIND_COUNT]; /**< Per-kind counters. */
    uint32_t rate;       /**< Tokens per second; 0 means unlimited. */
    uint32_t burst;      /**< Bucket capacity in tokens. */
    uint64_t tick_hz;    /**< Counter frequency after @ref tick_shift (< 2^32). */
    unsigned tick_shift; /**< Counter ticks are shifted right by this much. */
    /** One token bucket per ::hyp_event_kind. */
    struct hyp_event_bucket bucket[HYP_EV_KIND_COUNT];
    uint64_t pending_drops; /**< Lines dropped since the last printed line. */
    hyp_event_sink_fn sink; /**< Where lines go (NULL: count only). */
    void *ctx;              /**< Passed to @ref sink. */
    /** The rate limit (events_rate.c), or NULL for none: true if a line of
     * the kind may be printed at the time given. */
    bool (*take_token)(struct hyp_event_log *log, enum hyp_event_kind kind, uint64_t now);
};

/**
 * @brief Initialise an event log without a rate limit: counters zero, every
 *        line printed.
 *
 * An image that never calls hyp_event_log_limit() or hyp_event_log_init()
 * does not link the rate limit's code.
 * @param log  The log.
 * @param sink Receives printed lines; NULL counts without printing.
 * @param ctx  Passed to @p sink.
 */
void hyp_event_log_init_unlimited(struct hyp_event_log *log, hyp_event_sink_fn sink,
                                  void *ctx);

/**
 * @brief Give an event log a rate limit, buckets full.
 * @param log        The log.
 * @param rate       Event lines per second; 0 means unlimited.
 * @param burst      Bucket capacity (with @p rate > 0, 0 drops every line).
 * @param counter_hz Frequency of the `now` values given to hyp_event_record()
 *                   (CNTFRQ_EL0); 0 is taken as 1.
 */
void hyp_event_log_limit(struct hyp_event_log *log, uint32_t rate, uint32_t burst,
                         uint64_t counter_hz);

/**
 * @brief Initialise an event log with a rate limit: hyp_event_log_init_unlimited()
 *        then hyp_event_log_limit().
 * @param log        The log.
 * @param rate       Event lines per second; 0 means unlimited.
 * @param burst      Bucket capacity (with @p rate > 0, 0 drops every line).
 * @param counter_hz Frequency of the `now` values given to hyp_event_record()
 *                   (CNTFRQ_EL0); 0 is taken as 1.
 * @param sink       Receives printed lines; NULL counts without printing.
 * @param ctx        Passed to @p sink.
 */
void hyp_event_log_init(struct hyp_event_log *log, uint32_t rate, uint32_t burst,
                        uint64_t counter_hz, hyp_event_sink_fn sink, void *ctx);

/**
 * @brief Count an event of @p kind without printing it.
 *
 * What hyp_event_record() does with `print` false for an event that is
 * not denied: one atomic add, lock-free, for exit paths.
 * @param log  The log.
 * @param kind The event's kind (a valid ::hyp_event_kind).
 */
static inline void hyp_event_count(struct hyp_event_log *log, enum hyp_event_kind kind)
{
    __atomic_fetch_add(&log->counts[kind].seen, 1, __ATOMIC_RELAXED);
}

/**
 * @brief Count an event and, if asked, print it subject to the rate limit.
 *
 * Counts the event as seen (and denied if ::hyp_event::denied). If @p print,
 * refills the bucket for the time since the last refill and, if a token is
 * left, takes it and prints the line (preceded by `EV dropped n=<count>` if
 * lines were dropped since the last printed line); otherwise counts the
 * event as dropped. Events of an unknown kind are ignored.
 *
 * @param log   The log.
 * @param ev    The event.
 * @param print Whether the policy wants a line for this event.
 * @param now   Current counter value (CNTPCT_EL0), in counter_hz ticks. A
 *              value lower than the previous one counts as no time elapsed;
 *              any uint64_t is safe.
 */
void hyp_event_record(struct hyp_event_log *log, const struct hyp_event *ev, bool print,
                      uint64_t now);

/**
 * @brief Print an out-of-band line, e.g. "EV toggle syscalls=on".
 *
 * Printed whatever the rate limit (after any pending `EV dropped` line),
 * takes no token and counts nothing.
 *
 * @param log  The log.
 * @param line The line, without newline.
 */
void hyp_event_note(struct hyp_event_log *log, const char *line);

/**
 * @brief Print `EV toggle <what>=on` or `EV toggle <what>=off` as a note.
 * @param log  The log.
 * @param what What was switched, e.g. "syscalls".
 * @param on   Its new state.
 */
void hyp_event_toggle(struct hyp_event_log *log, const char *what, bool on);

/**
 * @brief Snapshot the counters of one kind.
 * @param log  The log.
 * @param kind The kind.
 * @param out  Receives the counters (all zero for an unknown kind).
 */
void hyp_event_log_counts(struct hyp_event_log *log, enum hyp_event_kind kind,
                          struct hyp_event_counts *out);

/**
 * @brief Print the counters as a table (at power-off).
 *
 * One header line, then one line per kind in ::hyp_event_kind order, each
 * formatted as `"%-6s %12s %12s %12s %12s"`: kind name, then seen, logged,
 * denied and dropped in decimal:
 * @verbatim
 kind           seen       logged       denied      dropped
 mmio             12           12            2            0
 @endverbatim
 * The counters are read under the lock; @p sink is called after releasing it.
 *
 * @param log  The log.
 * @param sink Receives the lines.
 * @param ctx  Passed to @p sink.
 */
void hyp_event_log_table(struct hyp_event_log *log, hyp_event_sink_fn sink, void *ctx);

#endif /* HYP_EVENTS_H */
