/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file events.c
 * @brief The thin monitor's event log (see hyp/events.h); its rate limit is
 *        in events_rate.c, linked only by the images that set one.
 */
#include <hyp/events.h>
#include <hyp/error.h>
#include <hyp/policy.h>
#include <hyp/trap.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/** Control registers named in `EV creg` lines. */
static const struct {
    uint16_t key;
    const char *name;
} creg_names[] = {
    {HYP_SYSREG_SCTLR_EL1, "SCTLR_EL1"}, {HYP_SYSREG_TTBR0_EL1, "TTBR0_EL1"},
    {HYP_SYSREG_TTBR1_EL1, "TTBR1_EL1"}, {HYP_SYSREG_TCR_EL1, "TCR_EL1"},
    {HYP_SYSREG_MAIR_EL1, "MAIR_EL1"},   {HYP_SYSREG_VBAR_EL1, "VBAR_EL1"},
};

static const char *const kind_names[HYP_EV_KIND_COUNT] = {
    [HYP_EV_MMIO] = "mmio", [HYP_EV_MEM] = "mem", [HYP_EV_CREG] = "creg",
    [HYP_EV_SVC] = "svc",   [HYP_EV_IRQ] = "irq", [HYP_EV_HVC] = "hvc",
};

const char *hyp_event_kind_name(enum hyp_event_kind k)
{
    if ((unsigned)k >= HYP_EV_KIND_COUNT)
        return "?";
    return kind_names[k];
}

/*
 * Formatting
 */

typedef unsigned long long ull;

/** The register's name, or S<op0>_<op1>_C<n>_C<m>_<op2> in @p tmp. */
static const char *creg_name(uint16_t key, char *tmp, size_t size)
{
    for (size_t i = 0; i < sizeof(creg_names) / sizeof(creg_names[0]); i++)
        if (creg_names[i].key == key)
            return creg_names[i].name;
    snprintf(tmp, size, "S%u_%u_C%u_C%u_%u", (unsigned)(key >> 14) & 3u,
             (unsigned)(key >> 11) & 7u, (unsigned)(key >> 7) & 15u,
             (unsigned)(key >> 3) & 15u, (unsigned)key & 7u);
    return tmp;
}

static const char *prot_name(unsigned prot)
{
    static const char *const names[4] = {"-", "w", "x", "wx"};

    return names[prot & (HYP_POLICY_NO_WRITE | HYP_POLICY_NO_EXEC)];
}

/* Append to a line @n characters long so far (longer than @len when cut
 * short); returns its new length, as snprintf() counts it, or -1. */
static int append(char *buf, size_t len, int n, const char *fmt, ...)
{
    size_t at = (size_t)n < len ? (size_t)n : len;
    va_list ap;
    int m;

    if (n < 0)
        return -1;
    va_start(ap, fmt);
    m = vsnprintf(len ? buf + at : NULL, len - at, fmt, ap);
    va_end(ap);
    return m < 0 ? -1 : n + m;
}

/* Every line is "EV <kind> vcpu=<n>", then " pc=" but for interrupts, then the
 * kind's fields, then " action=" for the accesses a policy may refuse. */
int hyp_event_format(const struct hyp_event *ev, char *buf, size_t len)
{
    const struct hyp_event_hvc *h;
    char tmp[24];
    int n;

    if (!buf)
        len = 0;
    if (len)
        buf[0] = '\0';
    if (!ev || (unsigned)ev->kind >= HYP_EV_KIND_COUNT ||
        (ev->kind == HYP_EV_HVC && ev->u.hvc.call != HYP_EV_HVC_PROTECT &&
         ev->u.hvc.call != HYP_EV_HVC_LOCK))
        return HYP_EINVAL;
    h = &ev->u.hvc;
    n = append(buf, len, 0, "EV %s vcpu=%u", kind_names[ev->kind], ev->vcpu);
    if (ev->kind != HYP_EV_IRQ)
        n = append(buf, len, n, " pc=0x%llx", (ull)ev->pc);
    switch (ev->kind) {
    case HYP_EV_MMIO:
        n = append(buf, len, n, " ipa=0x%llx size=%u op=%s val=0x%llx",
                   (ull)ev->u.mmio.ipa, ev->u.mmio.size,
                   ev->u.mmio.write ? "write" : "read", (ull)ev->u.mmio.val);
        break;
    case HYP_EV_MEM:
        n = append(buf, len, n, " ipa=0x%llx op=%s size=%u val=0x%llx",
                   (ull)ev->u.mem.ipa, ev->u.mem.exec ? "exec" : "write",
                   ev->u.mem.exec ? 4u : ev->u.mem.size,
                   ev->u.mem.exec ? 0ull : (ull)ev->u.mem.val);
        break;
    case HYP_EV_CREG:
        n = append(buf, len, n, " reg=%s old=0x%llx new=0x%llx",
                   creg_name(ev->u.creg.key, tmp, sizeof(tmp)), (ull)ev->u.creg.old_val,
                   (ull)ev->u.creg.new_val);
        break;
    case HYP_EV_SVC:
        n = append(buf, len, n, " nr=%llu a0=0x%llx a1=0x%llx a2=0x%llx a3=0x%llx",
                   (ull)ev->u.svc.nr, (ull)ev->u.svc.args[0], (ull)ev->u.svc.args[1],
                   (ull)ev->u.svc.args[2], (ull)ev->u.svc.args[3]);
        break;
    case HYP_EV_IRQ:
        n = append(buf, len, n, " intid=%u", (unsigned)ev->u.irq.intid);
        break;
    default: /* HYP_EV_HVC */
        if (h->call == HYP_EV_HVC_PROTECT)
            n = append(buf, len, n,
                       " call=protect ipa=0x%llx size=0x%llx prot=%s ret=%lld",
                       (ull)h->ipa, (ull)h->size, prot_name(h->prot), (long long)h->ret);
        else
            n = append(buf, len, n, " call=lock ret=%lld", (long long)h->ret);
        break;
    }
    if (ev->kind == HYP_EV_MMIO || ev->kind == HYP_EV_MEM || ev->kind == HYP_EV_CREG)
        n = append(buf, len, n, " action=%s", ev->denied ? "deny" : "allow");
    if (n < 0 && len)
        buf[0] = '\0';
    return n < 0 ? HYP_EINVAL : n;
}

/*
 * The log
 */

void hyp_event_log_init_unlimited(struct hyp_event_log *log, hyp_event_sink_fn sink,
                                  void *ctx)
{
    memset(log, 0, sizeof(*log));
    log->sink = sink;
    log->ctx = ctx;
}

static void emit(struct hyp_event_log *log, const char *line, int n)
{
    if (log->sink && n >= 0)
        log->sink(line, (size_t)n, log->ctx);
}

/** Print the pending `EV dropped` line, if any. Called with the lock held. */
static void flush_drops(struct hyp_event_log *log)
{
    char line[48];
    int n;

    if (log->pending_drops == 0)
        return;
    n = snprintf(line, sizeof(line), "EV dropped n=%llu", (ull)log->pending_drops);
    log->pending_drops = 0;
    emit(log, line, n);
}

void hyp_event_record(struct hyp_event_log *log, const struct hyp_event *ev, bool print,
                      uint64_t now)
{
    struct hyp_event_counts *c;
    char line[HYP_EVENT_LINE_MAX];
    int n;

    if (!log || !ev || (unsigned)ev->kind >= HYP_EV_KIND_COUNT)
        return;
    c = &log->counts[ev->kind];
    /* Counting alone takes no lock: it may run on the exit fast path for
     * every interrupt. */
    __atomic_fetch_add(&c->seen, 1, __ATOMIC_RELAXED);
    if (ev->denied)
        __atomic_fetch_add(&c->denied, 1, __ATOMIC_RELAXED);
    if (!print)
        return;
    n = hyp_event_format(ev, line, sizeof(line));
    if (n < 0)
        return; /* an unknown hypercall: counted as seen, nothing to print */
    if (n >= (int)sizeof(line))
        n = (int)sizeof(line) - 1;
    hyp_spin_lock(&log->lock);
    if (log->take_token == NULL || log->take_token(log, ev->kind, now)) {
        flush_drops(log);
        emit(log, line, n);
        c->logged++;
    } else {
        c->dropped++;
        log->pending_drops++;
    }
    hyp_spin_unlock(&log->lock);
}

void hyp_event_note(struct hyp_event_log *log, const char *line)
{
    if (!log || !line)
        return;
    hyp_spin_lock(&log->lock);
    flush_drops(log);
    emit(log, line, (int)strlen(line));
    hyp_spin_unlock(&log->lock);
}

void hyp_event_toggle(struct hyp_event_log *log, const char *what, bool on)
{
    char line[64];

    snprintf(line, sizeof(line), "EV toggle %s=%s", what ? what : "?", on ? "on" : "off");
    hyp_event_note(log, line);
}

void hyp_event_log_counts(struct hyp_event_log *log, enum hyp_event_kind kind,
                          struct hyp_event_counts *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof(*out));
    if (!log || (unsigned)kind >= HYP_EV_KIND_COUNT)
        return;
    hyp_spin_lock(&log->lock);
    *out = log->counts[kind];
    hyp_spin_unlock(&log->lock);
}

static void table_line(hyp_event_sink_fn sink, void *ctx, const char *line, int n)
{
    if (n < 0)
        return;
    sink(line, strlen(line), ctx); /* strlen: a line cut short reports its real length */
}

void hyp_event_log_table(struct hyp_event_log *log, hyp_event_sink_fn sink, void *ctx)
{
    struct hyp_event_counts snap[HYP_EV_KIND_COUNT];
    char line[96];
    int n;

    if (!log || !sink)
        return;
    hyp_spin_lock(&log->lock);
    memcpy(snap, log->counts, sizeof(snap));
    hyp_spin_unlock(&log->lock);

    n = snprintf(line, sizeof(line), "%-6s %12s %12s %12s %12s", "kind", "seen", "logged",
                 "denied", "dropped");
    table_line(sink, ctx, line, n);
    for (unsigned k = 0; k < HYP_EV_KIND_COUNT; k++) {
        n = snprintf(line, sizeof(line), "%-6s %12llu %12llu %12llu %12llu",
                     kind_names[k], (ull)snap[k].seen, (ull)snap[k].logged,
                     (ull)snap[k].denied, (ull)snap[k].dropped);
        table_line(sink, ctx, line, n);
    }
}
