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

static int format_hvc(const struct hyp_event *ev, char *buf, size_t len)
{
    const struct hyp_event_hvc *h = &ev->u.hvc;

    switch (h->call) {
    case HYP_EV_HVC_PROTECT:
        return snprintf(buf, len,
                        "EV hvc vcpu=%u pc=0x%llx call=protect ipa=0x%llx size=0x%llx "
                        "prot=%s ret=%lld",
                        ev->vcpu, (ull)ev->pc, (ull)h->ipa, (ull)h->size,
                        prot_name(h->prot), (long long)h->ret);
    case HYP_EV_HVC_LOCK:
        return snprintf(buf, len, "EV hvc vcpu=%u pc=0x%llx call=lock ret=%lld", ev->vcpu,
                        (ull)ev->pc, (long long)h->ret);
    }
    return HYP_EINVAL;
}

int hyp_event_format(const struct hyp_event *ev, char *buf, size_t len)
{
    const char *action;
    char tmp[24];
    int n = HYP_EINVAL;

    if (!buf)
        len = 0;
    if (len)
        buf[0] = '\0';
    if (!ev)
        return HYP_EINVAL;
    action = ev->denied ? "deny" : "allow";
    switch (ev->kind) {
    case HYP_EV_MMIO:
        n = snprintf(buf, len,
                     "EV mmio vcpu=%u pc=0x%llx ipa=0x%llx size=%u op=%s val=0x%llx "
                     "action=%s",
                     ev->vcpu, (ull)ev->pc, (ull)ev->u.mmio.ipa, ev->u.mmio.size,
                     ev->u.mmio.write ? "write" : "read", (ull)ev->u.mmio.val, action);
        break;
    case HYP_EV_MEM:
        n = snprintf(buf, len,
                     "EV mem vcpu=%u pc=0x%llx ipa=0x%llx op=%s size=%u val=0x%llx "
                     "action=%s",
                     ev->vcpu, (ull)ev->pc, (ull)ev->u.mem.ipa,
                     ev->u.mem.exec ? "exec" : "write",
                     ev->u.mem.exec ? 4u : ev->u.mem.size,
                     ev->u.mem.exec ? 0ull : (ull)ev->u.mem.val, action);
        break;
    case HYP_EV_CREG:
        n = snprintf(buf, len,
                     "EV creg vcpu=%u pc=0x%llx reg=%s old=0x%llx new=0x%llx action=%s",
                     ev->vcpu, (ull)ev->pc, creg_name(ev->u.creg.key, tmp, sizeof(tmp)),
                     (ull)ev->u.creg.old_val, (ull)ev->u.creg.new_val, action);
        break;
    case HYP_EV_SVC:
        n = snprintf(buf, len,
                     "EV svc vcpu=%u pc=0x%llx nr=%llu a0=0x%llx a1=0x%llx a2=0x%llx "
                     "a3=0x%llx",
                     ev->vcpu, (ull)ev->pc, (ull)ev->u.svc.nr, (ull)ev->u.svc.args[0],
                     (ull)ev->u.svc.args[1], (ull)ev->u.svc.args[2],
                     (ull)ev->u.svc.args[3]);
        break;
    case HYP_EV_IRQ:
        n = snprintf(buf, len, "EV irq vcpu=%u intid=%u", ev->vcpu,
                     (unsigned)ev->u.irq.intid);
        break;
    case HYP_EV_HVC:
        n = format_hvc(ev, buf, len);
        break;
    case HYP_EV_KIND_COUNT:
        break;
    }
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
