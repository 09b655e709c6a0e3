/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the monitor's event log (libhyp/monitor/events.c): the exact
 * line format of every event kind, truncation, the token bucket, counters,
 * the power-off table and concurrent use.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/error.h>
#include <hyp/events.h>
#include <hyp/policy.h>
#include <hyp/trap.h>

/*
 * Helpers
 */

#define CAPTURE_LINES 64

/** Lines a sink received (the first CAPTURE_LINES kept). */
struct capture {
    char lines[CAPTURE_LINES][HYP_EVENT_LINE_MAX];
    unsigned n;
};

static void capture_sink(const char *line, size_t len, void *ctx)
{
    struct capture *cap = ctx;

    assert_int_equal(strlen(line), len);
    assert_true(len < HYP_EVENT_LINE_MAX);
    if (cap->n < CAPTURE_LINES)
        memcpy(cap->lines[cap->n], line, len + 1);
    cap->n++;
}

/** The capture must hold exactly the NULL-terminated list of lines. */
static void expect_lines(const struct capture *cap, ...)
{
    const char *want;
    unsigned i = 0;
    va_list ap;

    va_start(ap, cap);
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (i >= cap->n)
            print_error("line %u missing, expected \"%s\"\n", i, want);
        assert_true(i < cap->n);
        assert_string_equal(cap->lines[i], want);
        i++;
    }
    va_end(ap);
    assert_int_equal(cap->n, i);
}

static void expect_format(const struct hyp_event *ev, const char *want)
{
    char buf[HYP_EVENT_LINE_MAX];
    int n;

    memset(buf, 'x', sizeof(buf));
    n = hyp_event_format(ev, buf, sizeof(buf));
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static struct hyp_event irq_event(uint32_t intid)
{
    struct hyp_event ev = {.kind = HYP_EV_IRQ, .vcpu = 0};

    ev.u.irq.intid = intid;
    return ev;
}

static void record_irqs(struct hyp_event_log *log, unsigned count, uint64_t now)
{
    struct hyp_event ev = irq_event(27);

    for (unsigned i = 0; i < count; i++)
        hyp_event_record(log, &ev, true, now);
}

static void assert_counts(struct hyp_event_log *log, enum hyp_event_kind kind,
                          uint64_t seen, uint64_t logged, uint64_t denied,
                          uint64_t dropped)
{
    struct hyp_event_counts c;

    hyp_event_log_counts(log, kind, &c);
    assert_int_equal(c.seen, seen);
    assert_int_equal(c.logged, logged);
    assert_int_equal(c.denied, denied);
    assert_int_equal(c.dropped, dropped);
}

/*
 * Formatting
 */

static void test_format_mmio(void **state)
{
    struct hyp_event ev = {.kind = HYP_EV_MMIO, .vcpu = 1, .pc = 0xffff800010001234ull};

    (void)state;
    ev.u.mmio.ipa = 0x9010000;
    ev.u.mmio.val = 0x41;
    ev.u.mmio.size = 4;
    ev.u.mmio.write = true;
    expect_format(&ev, "EV mmio vcpu=1 pc=0xffff800010001234 ipa=0x9010000 size=4 "
                       "op=write val=0x41 action=allow");
    ev.vcpu = 0;
    ev.pc = 0x1000;
    ev.denied = true;
    ev.u.mmio.ipa = 0xa000008;
    ev.u.mmio.val = 0;
    ev.u.mmio.size = 8;
    ev.u.mmio.write = false;
    expect_format(&ev, "EV mmio vcpu=0 pc=0x1000 ipa=0xa000008 size=8 op=read val=0x0 "
                       "action=deny");
}

static void test_format_mem(void **state)
{
    struct hyp_event ev = {
        .kind = HYP_EV_MEM, .vcpu = 3, .pc = 0x40080000, .denied = true};

    (void)state;
    ev.u.mem.ipa = 0x40001008;
    ev.u.mem.val = 0xdeadbeef;
    ev.u.mem.size = 8;
    expect_format(&ev, "EV mem vcpu=3 pc=0x40080000 ipa=0x40001008 op=write size=8 "
                       "val=0xdeadbeef action=deny");
    /* An instruction fetch: size 4, value 0, whatever the fields say. */
    ev.vcpu = 0;
    ev.pc = 0x40000000;
    ev.u.mem.ipa = 0x40000000;
    ev.u.mem.exec = true;
    ev.u.mem.size = 99;
    ev.u.mem.val = 7;
    expect_format(&ev, "EV mem vcpu=0 pc=0x40000000 ipa=0x40000000 op=exec size=4 "
                       "val=0x0 action=deny");
}

static void test_format_creg(void **state)
{
    static const struct {
        uint16_t key;
        const char *name;
    } regs[] = {
        {HYP_SYSREG_SCTLR_EL1, "SCTLR_EL1"},
        {HYP_SYSREG_TTBR0_EL1, "TTBR0_EL1"},
        {HYP_SYSREG_TTBR1_EL1, "TTBR1_EL1"},
        {HYP_SYSREG_TCR_EL1, "TCR_EL1"},
        {HYP_SYSREG_MAIR_EL1, "MAIR_EL1"},
        {HYP_SYSREG_VBAR_EL1, "VBAR_EL1"},
        /* Others by their generic name. */
        {HYP_SYSREG(3, 0, 5, 2, 0), "S3_0_C5_C2_0"},
        {HYP_SYSREG(3, 7, 15, 15, 7), "S3_7_C15_C15_7"},
    };
    struct hyp_event ev = {
        .kind = HYP_EV_CREG, .vcpu = 2, .pc = 0xffff8000080a0000ull, .denied = true};
    char want[HYP_EVENT_LINE_MAX];

    (void)state;
    ev.u.creg.key = HYP_SYSREG_SCTLR_EL1;
    ev.u.creg.old_val = 0x30d0198d;
    ev.u.creg.new_val = 0x30d0198c;
    expect_format(&ev,
                  "EV creg vcpu=2 pc=0xffff8000080a0000 reg=SCTLR_EL1 old=0x30d0198d "
                  "new=0x30d0198c action=deny");
    ev.denied = false;
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        ev.u.creg.key = regs[i].key;
        snprintf(want, sizeof(want),
                 "EV creg vcpu=2 pc=0xffff8000080a0000 reg=%s old=0x30d0198d "
                 "new=0x30d0198c action=allow",
                 regs[i].name);
        expect_format(&ev, want);
    }
}

static void test_format_svc(void **state)
{
    struct hyp_event ev = {.kind = HYP_EV_SVC, .vcpu = 0, .pc = 0x400123};

    (void)state;
    ev.u.svc.nr = 64;
    ev.u.svc.args[0] = 1;
    ev.u.svc.args[1] = 0x7ffff000;
    ev.u.svc.args[2] = 12;
    ev.u.svc.args[3] = 0;
    expect_format(&ev,
                  "EV svc vcpu=0 pc=0x400123 nr=64 a0=0x1 a1=0x7ffff000 a2=0xc a3=0x0");
}

static void test_format_irq(void **state)
{
    struct hyp_event ev = irq_event(27);

    (void)state;
    ev.vcpu = 1;
    ev.pc = 0x1234; /* not printed */
    expect_format(&ev, "EV irq vcpu=1 intid=27");
    ev.u.irq.intid = 1019;
    ev.vcpu = 12;
    expect_format(&ev, "EV irq vcpu=12 intid=1019");
}

static void test_format_hvc(void **state)
{
    static const char *const prots[] = {"-", "w", "x", "wx"};
    struct hyp_event ev = {.kind = HYP_EV_HVC, .vcpu = 0, .pc = 0x40001000};
    char want[HYP_EVENT_LINE_MAX];

    (void)state;
    ev.u.hvc.call = HYP_EV_HVC_PROTECT;
    ev.u.hvc.ipa = 0x40200000;
    ev.u.hvc.size = 0x200000;
    ev.u.hvc.prot = HYP_POLICY_NO_WRITE | HYP_POLICY_NO_EXEC;
    ev.u.hvc.ret = 0;
    expect_format(&ev, "EV hvc vcpu=0 pc=0x40001000 call=protect ipa=0x40200000 "
                       "size=0x200000 prot=wx ret=0");
    ev.u.hvc.ret = -2;
    for (unsigned p = 0; p < 4; p++) {
        ev.u.hvc.prot = p;
        snprintf(want, sizeof(want),
                 "EV hvc vcpu=0 pc=0x40001000 call=protect ipa=0x40200000 "
                 "size=0x200000 prot=%s ret=-2",
                 prots[p]);
        expect_format(&ev, want);
    }
    assert_int_equal(HYP_POLICY_NO_WRITE, 1);
    assert_int_equal(HYP_POLICY_NO_EXEC, 2);

    ev.vcpu = 1;
    ev.pc = 0x40001004;
    ev.u.hvc.call = HYP_EV_HVC_LOCK;
    ev.u.hvc.ret = 0;
    expect_format(&ev, "EV hvc vcpu=1 pc=0x40001004 call=lock ret=0");
}

static void test_format_invalid(void **state)
{
    struct hyp_event ev = irq_event(30);
    char buf[32];

    (void)state;
    memset(buf, 'x', sizeof(buf));
    ev.kind = HYP_EV_KIND_COUNT;
    assert_true(hyp_event_format(&ev, buf, sizeof(buf)) < 0);
    assert_string_equal(buf, "");
    ev.kind = (enum hyp_event_kind)77;
    assert_true(hyp_event_format(&ev, buf, sizeof(buf)) < 0);
    ev.kind = HYP_EV_HVC;
    ev.u.hvc.call = (enum hyp_event_hvc_call)9;
    memset(buf, 'x', sizeof(buf));
    assert_true(hyp_event_format(&ev, buf, sizeof(buf)) < 0);
    assert_string_equal(buf, "");
    memset(buf, 'x', sizeof(buf));
    assert_true(hyp_event_format(NULL, buf, sizeof(buf)) < 0);
    assert_string_equal(buf, "");
}

/** Every kind with every field at its widest fits HYP_EVENT_LINE_MAX. */
static void test_format_widest(void **state)
{
    char buf[HYP_EVENT_LINE_MAX];

    (void)state;
    for (unsigned k = 0; k < HYP_EV_KIND_COUNT; k++) {
        for (unsigned call = 0; call < 2; call++) {
            struct hyp_event ev;
            int n;

            memset(&ev, 0, sizeof(ev));
            ev.kind = (enum hyp_event_kind)k;
            ev.vcpu = UINT32_MAX;
            ev.pc = UINT64_MAX;
            switch (ev.kind) {
            case HYP_EV_MMIO:
                ev.u.mmio =
                    (struct hyp_event_mmio){UINT64_MAX, UINT64_MAX, UINT32_MAX, true};
                break;
            case HYP_EV_MEM:
                ev.u.mem =
                    (struct hyp_event_mem){UINT64_MAX, UINT64_MAX, UINT32_MAX, false};
                break;
            case HYP_EV_CREG:
                ev.u.creg = (struct hyp_event_creg){HYP_SYSREG(3, 7, 15, 15, 7),
                                                    UINT64_MAX, UINT64_MAX};
                break;
            case HYP_EV_SVC:
                ev.u.svc.nr = UINT64_MAX;
                for (int i = 0; i < 4; i++)
                    ev.u.svc.args[i] = UINT64_MAX;
                break;
            case HYP_EV_IRQ:
                ev.u.irq.intid = UINT32_MAX;
                break;
            case HYP_EV_HVC:
                ev.u.hvc = (struct hyp_event_hvc){(enum hyp_event_hvc_call)call,
                                                  UINT64_MAX, UINT64_MAX, 3, INT64_MIN};
                break;
            case HYP_EV_KIND_COUNT:
                break;
            }
            n = hyp_event_format(&ev, buf, sizeof(buf));
            assert_true(n > 0);
            assert_true(n < HYP_EVENT_LINE_MAX);
            assert_int_equal(strlen(buf), n);
        }
    }
}

/** Every buffer size: snprintf semantics, no byte written past the end. */
static void test_format_truncation(void **state)
{
    struct hyp_event ev = {.kind = HYP_EV_SVC, .vcpu = 7, .pc = 0xffff000012345678ull};
    char full[HYP_EVENT_LINE_MAX];
    int n;

    (void)state;
    ev.u.svc.nr = 221;
    ev.u.svc.args[0] = 0xffffffffffffff9cull;
    n = hyp_event_format(&ev, full, sizeof(full));
    assert_true(n > 0);
    assert_int_equal(hyp_event_format(&ev, NULL, 0), n);
    assert_int_equal(hyp_event_format(&ev, NULL, 10), n);
    for (size_t len = 0; len <= (size_t)n + 2; len++) {
        /* Exactly len bytes on the heap: ASan catches any overrun. */
        char *buf = malloc(len ? len : 1);

        assert_non_null(buf);
        if (len == 0)
            buf[0] = 'z';
        else
            memset(buf, 'z', len);
        assert_int_equal(hyp_event_format(&ev, buf, len), n);
        if (len == 0) {
            assert_int_equal(buf[0], 'z');
        } else {
            size_t kept = len - 1 < (size_t)n ? len - 1 : (size_t)n;

            assert_int_equal(strlen(buf), kept);
            assert_memory_equal(buf, full, kept);
        }
        free(buf);
    }
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(hyp_event_kind_name(HYP_EV_MMIO), "mmio");
    assert_string_equal(hyp_event_kind_name(HYP_EV_MEM), "mem");
    assert_string_equal(hyp_event_kind_name(HYP_EV_CREG), "creg");
    assert_string_equal(hyp_event_kind_name(HYP_EV_SVC), "svc");
    assert_string_equal(hyp_event_kind_name(HYP_EV_IRQ), "irq");
    assert_string_equal(hyp_event_kind_name(HYP_EV_HVC), "hvc");
    assert_string_equal(hyp_event_kind_name(HYP_EV_KIND_COUNT), "?");
    assert_string_equal(hyp_event_kind_name((enum hyp_event_kind) - 1), "?");
}

/*
 * Token bucket
 */

static void test_burst_then_drop(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;

    (void)state;
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 1, 3, 1000, capture_sink, &cap);
    record_irqs(&log, 5, 0);
    expect_lines(&cap, "EV irq vcpu=0 intid=27", "EV irq vcpu=0 intid=27",
                 "EV irq vcpu=0 intid=27", NULL);
    assert_counts(&log, HYP_EV_IRQ, 5, 3, 0, 2);

    /* 999 ms at 1 per second: not yet a token. */
    record_irqs(&log, 1, 999);
    assert_int_equal(cap.n, 3);
    assert_counts(&log, HYP_EV_IRQ, 6, 3, 0, 3);

    /* One second: one token; the drop count comes first, without a token. */
    record_irqs(&log, 1, 1000);
    expect_lines(&cap, "EV irq vcpu=0 intid=27", "EV irq vcpu=0 intid=27",
                 "EV irq vcpu=0 intid=27", "EV dropped n=3", "EV irq vcpu=0 intid=27",
                 NULL);
    record_irqs(&log, 1, 1000);
    assert_int_equal(cap.n, 5);
    assert_counts(&log, HYP_EV_IRQ, 8, 4, 0, 4);

    /* A note is printed at once and flushes the pending drop count. */
    hyp_event_toggle(&log, "syscalls", true);
    assert_int_equal(cap.n, 7);
    assert_string_equal(cap.lines[5], "EV dropped n=1");
    assert_string_equal(cap.lines[6], "EV toggle syscalls=on");
    /* Notes are not counted and take no token. */
    hyp_event_note(&log, "EV toggle syscalls=off");
    assert_int_equal(cap.n, 8);
    assert_string_equal(cap.lines[7], "EV toggle syscalls=off");
    assert_counts(&log, HYP_EV_IRQ, 8, 4, 0, 4);

    /* Long after: the bucket is full again (3), not more. */
    record_irqs(&log, 5, 1000000);
    assert_int_equal(cap.n, 11);
    assert_counts(&log, HYP_EV_IRQ, 13, 7, 0, 6);
}

/* Each kind has its own bucket: a flood of one kind leaves the others'
 * lines alone (a guest can't hide a refused write behind noise). */
static void test_buckets_per_kind(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;
    struct hyp_event mem = {.kind = HYP_EV_MEM, .vcpu = 1, .pc = 0x1000, .denied = true};

    (void)state;
    memset(&cap, 0, sizeof(cap));
    mem.u.mem.ipa = 0xc0000000;
    mem.u.mem.size = 4;
    hyp_event_log_init(&log, 1, 2, 1000, capture_sink, &cap);
    record_irqs(&log, 50, 0);
    assert_counts(&log, HYP_EV_IRQ, 50, 2, 0, 48);
    hyp_event_record(&log, &mem, true, 1);
    assert_counts(&log, HYP_EV_MEM, 1, 1, 1, 0);
    assert_int_equal(cap.n, 4); /* 2 irq lines, the drop count, the mem line */
    assert_string_equal(cap.lines[2], "EV dropped n=48");
    assert_true(strncmp(cap.lines[3], "EV mem vcpu=1 ", 14) == 0);
    /* The interrupts' bucket is still empty; the memory one has a token. */
    record_irqs(&log, 1, 2);
    assert_counts(&log, HYP_EV_IRQ, 51, 2, 0, 49);
    hyp_event_record(&log, &mem, true, 3);
    assert_counts(&log, HYP_EV_MEM, 2, 2, 2, 0);
}

/* Partial tokens carry over between calls (while the bucket is not full). */
static void test_refill_fraction(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;

    (void)state;
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 3, 2, 1000, capture_sink, &cap);
    record_irqs(&log, 2, 0);
    record_irqs(&log, 1, 333); /* 0.999 tokens */
    assert_int_equal(cap.n, 2);
    record_irqs(&log, 1, 334); /* 1.002 tokens */
    expect_lines(&cap, "EV irq vcpu=0 intid=27", "EV irq vcpu=0 intid=27",
                 "EV dropped n=1", "EV irq vcpu=0 intid=27", NULL);
    /* 0.002 carried: 332 more ticks give 0.998, 333 give 1.001. */
    record_irqs(&log, 1, 666);
    assert_int_equal(cap.n, 4);
    record_irqs(&log, 1, 667);
    assert_int_equal(cap.n, 6);
    assert_string_equal(cap.lines[4], "EV dropped n=1");

    /* A full bucket keeps no partial token: at 1 token per 333.33 ticks,
     * 2000 ticks fill it and the next line needs 334 more. */
    record_irqs(&log, 2, 2667);
    assert_int_equal(cap.n, 8);
    record_irqs(&log, 1, 3000);
    assert_int_equal(cap.n, 8);
    record_irqs(&log, 1, 3001);
    assert_int_equal(cap.n, 10);
}

static void test_unlimited(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;

    (void)state;
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 0, 0, 1000, capture_sink, &cap);
    record_irqs(&log, 1000, 0);
    record_irqs(&log, 10, UINT64_MAX);
    record_irqs(&log, 10, 5);
    assert_int_equal(cap.n, 1020);
    assert_counts(&log, HYP_EV_IRQ, 1020, 1020, 0, 0);
    for (unsigned i = 0; i < CAPTURE_LINES; i++)
        assert_string_equal(cap.lines[i], "EV irq vcpu=0 intid=27");
}

/* A rate with an empty bucket prints nothing. */
static void test_burst_zero(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;

    (void)state;
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 10, 0, 1000, capture_sink, &cap);
    record_irqs(&log, 3, 0);
    record_irqs(&log, 3, 1000000);
    assert_int_equal(cap.n, 0);
    assert_counts(&log, HYP_EV_IRQ, 6, 0, 0, 6);
}

static void test_time_backwards(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;

    (void)state;
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 1, 2, 100, capture_sink, &cap);
    record_irqs(&log, 3, 10000);
    assert_int_equal(cap.n, 2);
    /* Back in time: no refill, and the clock restarts from there. */
    record_irqs(&log, 1, 5000);
    record_irqs(&log, 1, 5099);
    assert_int_equal(cap.n, 2);
    record_irqs(&log, 1, 5100);
    assert_int_equal(cap.n, 4);
    assert_string_equal(cap.lines[2], "EV dropped n=3");
    assert_counts(&log, HYP_EV_IRQ, 6, 3, 0, 3);
    /* Backwards to 0 after the bucket was left empty. */
    record_irqs(&log, 1, 0);
    assert_int_equal(cap.n, 4);
    record_irqs(&log, 1, 100);
    assert_int_equal(cap.n, 6);
}

static void test_huge_jump(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;

    (void)state;
    memset(&cap, 0, sizeof(cap));
    /* Largest rate and burst, from 0 to the end of time. */
    hyp_event_log_init(&log, UINT32_MAX, UINT32_MAX, 1, capture_sink, &cap);
    record_irqs(&log, 3, 0);
    record_irqs(&log, 3, UINT64_MAX);
    assert_int_equal(cap.n, 6);

    /* Near the top of the counter. */
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 1000000, 5, 1000, capture_sink, &cap);
    record_irqs(&log, 6, UINT64_MAX - 10);
    assert_int_equal(cap.n, 5);
    record_irqs(&log, 6, UINT64_MAX);
    assert_int_equal(cap.n, 11); /* dropped line + 5 */
    assert_string_equal(cap.lines[5], "EV dropped n=1");
    assert_counts(&log, HYP_EV_IRQ, 12, 10, 0, 2);

    /* One tick short of a token after a huge idle time is still exact. */
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 7, 1, 1000000000, capture_sink, &cap);
    record_irqs(&log, 1, 0x8000000000000000ull);
    record_irqs(&log, 1, 0x8000000000000000ull + 142857142);
    assert_int_equal(cap.n, 1);
    record_irqs(&log, 1, 0x8000000000000000ull + 142857143);
    assert_int_equal(cap.n, 3);
}

/* Counter frequencies of 2^32 and above, and 0. */
static void test_counter_hz_extremes(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;

    (void)state;
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 2, 1, UINT64_MAX, capture_sink, &cap);
    record_irqs(&log, 1, 0);
    record_irqs(&log, 1, 1ull << 62); /* a quarter second: half a token */
    assert_int_equal(cap.n, 1);
    record_irqs(&log, 1, (1ull << 63) + (1ull << 33)); /* just over half a second */
    assert_int_equal(cap.n, 3);

    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 1, 1, 1ull << 40, capture_sink, &cap);
    record_irqs(&log, 1, 0);
    record_irqs(&log, 1, (1ull << 40) - 1);
    assert_int_equal(cap.n, 1);
    record_irqs(&log, 1, 1ull << 40);
    assert_int_equal(cap.n, 3);

    /* 0 Hz is taken as 1 Hz. */
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 1, 1, 0, capture_sink, &cap);
    record_irqs(&log, 2, 0);
    record_irqs(&log, 1, 1);
    assert_int_equal(cap.n, 3);
}

/* Events not printed take no token. */
static void test_not_printed(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;
    struct hyp_event ev = irq_event(30);

    (void)state;
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 1, 1, 1000, capture_sink, &cap);
    for (int i = 0; i < 10; i++)
        hyp_event_record(&log, &ev, false, 0);
    assert_int_equal(cap.n, 0);
    hyp_event_record(&log, &ev, true, 0);
    expect_lines(&cap, "EV irq vcpu=0 intid=30", NULL);
    assert_counts(&log, HYP_EV_IRQ, 11, 1, 0, 0);
}

/*
 * Counters and table
 */

static void test_counters(void **state)
{
    static struct capture cap;
    struct hyp_event_log log;
    struct hyp_event ev = {.kind = HYP_EV_MMIO, .vcpu = 0, .pc = 0x1000, .denied = true};
    struct hyp_event_counts c;

    (void)state;
    memset(&cap, 0, sizeof(cap));
    hyp_event_log_init(&log, 1, 2, 1000, capture_sink, &cap);
    ev.u.mmio.ipa = 0x9000000;
    ev.u.mmio.size = 4;
    hyp_event_record(&log, &ev, true, 0);
    hyp_event_record(&log, &ev, false, 0);
    ev.denied = false;
    hyp_event_record(&log, &ev, true, 0);
    hyp_event_record(&log, &ev, true, 0);
    ev.kind = HYP_EV_CREG;
    ev.denied = true;
    ev.u.creg.key = HYP_SYSREG_VBAR_EL1;
    hyp_event_record(&log, &ev, false, 0);
    assert_counts(&log, HYP_EV_MMIO, 4, 2, 2, 1);
    assert_counts(&log, HYP_EV_CREG, 1, 0, 1, 0);
    assert_counts(&log, HYP_EV_SVC, 0, 0, 0, 0);

    /* Unknown kinds are ignored. */
    ev.kind = HYP_EV_KIND_COUNT;
    hyp_event_record(&log, &ev, true, 0);
    ev.kind = HYP_EV_HVC;
    ev.u.hvc.call = (enum hyp_event_hvc_call)5; /* counted, not printed */
    hyp_event_record(&log, &ev, true, 0);
    assert_counts(&log, HYP_EV_HVC, 1, 0, 1, 0);
    memset(&c, 0xff, sizeof(c));
    hyp_event_log_counts(&log, HYP_EV_KIND_COUNT, &c);
    assert_int_equal(c.seen, 0);
    assert_int_equal(c.dropped, 0);
    assert_int_equal(cap.n, 2);

    /* NULLs are harmless. */
    hyp_event_record(NULL, &ev, true, 0);
    hyp_event_record(&log, NULL, true, 0);
    hyp_event_note(&log, NULL);
    hyp_event_note(NULL, "EV x");
    hyp_event_log_counts(&log, HYP_EV_MMIO, NULL);
    hyp_event_log_table(&log, NULL, NULL);
}

/* Without a sink, events are still counted as logged. */
static void test_no_sink(void **state)
{
    struct hyp_event_log log;

    (void)state;
    hyp_event_log_init(&log, 1, 2, 1000, NULL, NULL);
    record_irqs(&log, 3, 0);
    hyp_event_note(&log, "EV toggle syscalls=on");
    assert_counts(&log, HYP_EV_IRQ, 3, 2, 0, 1);
}

static void test_table(void **state)
{
    static struct capture cap, table;
    struct hyp_event_log log;
    struct hyp_event ev = {.kind = HYP_EV_MMIO, .vcpu = 0, .pc = 0x1000};
    char want[128];

    (void)state;
    memset(&cap, 0, sizeof(cap));
    memset(&table, 0, sizeof(table));
    hyp_event_log_init(&log, 1, 2, 1000, capture_sink, &cap);
    ev.denied = true;
    hyp_event_record(&log, &ev, true, 0);
    ev.denied = false;
    hyp_event_record(&log, &ev, true, 0);
    hyp_event_record(&log, &ev, true, 0);
    for (int i = 0; i < 12345; i++) {
        struct hyp_event irq = irq_event(27);

        hyp_event_record(&log, &irq, false, 0);
    }
    hyp_event_log_table(&log, capture_sink, &table);
    assert_int_equal(table.n, 1 + HYP_EV_KIND_COUNT);
    assert_string_equal(table.lines[0],
                        "kind           seen       logged       denied      dropped");
    assert_string_equal(table.lines[1],
                        "mmio              3            2            1            1");
    assert_string_equal(table.lines[2],
                        "mem               0            0            0            0");
    assert_string_equal(table.lines[5],
                        "irq           12345            0            0            0");
    for (unsigned k = 0; k < HYP_EV_KIND_COUNT; k++) {
        struct hyp_event_counts c;

        hyp_event_log_counts(&log, (enum hyp_event_kind)k, &c);
        snprintf(want, sizeof(want), "%-6s %12llu %12llu %12llu %12llu",
                 hyp_event_kind_name((enum hyp_event_kind)k), (unsigned long long)c.seen,
                 (unsigned long long)c.logged, (unsigned long long)c.denied,
                 (unsigned long long)c.dropped);
        assert_string_equal(table.lines[1 + k], want);
    }
    /* The table does not go through the log's own sink. */
    assert_int_equal(cap.n, 2);
}

/*
 * Concurrency
 */

/* Two threads: a ticket lock with more spinning threads than host CPUs
 * makes every hand-over wait for the scheduler (minutes under ASan). */
#define THREADS    2
#define PER_THREAD 10000

struct worker {
    struct hyp_event_log *log;
    unsigned id;
};

static unsigned long sink_lines; /* only touched by the sink, under the log's lock */

static void count_sink(const char *line, size_t len, void *ctx)
{
    (void)line;
    (void)len;
    (void)ctx;
    sink_lines++;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct hyp_event ev = irq_event(27);

    ev.vcpu = w->id;
    for (unsigned i = 0; i < PER_THREAD; i++) {
        ev.denied = (i & 1) != 0;
        hyp_event_record(w->log, &ev, true, 0);
    }
    return NULL;
}

static void run_workers(struct hyp_event_log *log)
{
    pthread_t threads[THREADS];
    struct worker workers[THREADS];

    for (unsigned i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){log, i};
        assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
    }
    for (unsigned i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
}

static void test_concurrent(void **state)
{
    static struct hyp_event_log log;

    (void)state;
    sink_lines = 0;
    hyp_event_log_init(&log, 0, 0, 1000, count_sink, NULL);
    run_workers(&log);
    assert_int_equal(sink_lines, THREADS * PER_THREAD);
    assert_counts(&log, HYP_EV_IRQ, THREADS * PER_THREAD, THREADS * PER_THREAD,
                  THREADS * PER_THREAD / 2, 0);

    /* Without a rate limit at all (no events_rate.c): the same. */
    sink_lines = 0;
    hyp_event_log_init_unlimited(&log, count_sink, NULL);
    run_workers(&log);
    assert_int_equal(sink_lines, THREADS * PER_THREAD);
    assert_counts(&log, HYP_EV_IRQ, THREADS * PER_THREAD, THREADS * PER_THREAD,
                  THREADS * PER_THREAD / 2, 0);

    /* A limit added to a log made without one: the burst gets through. */
    sink_lines = 0;
    hyp_event_log_init_unlimited(&log, count_sink, NULL);
    hyp_event_log_limit(&log, 1, 100, 1000000000);
    run_workers(&log);
    assert_int_equal(sink_lines, 100);

    /* Rate limited: exactly the burst gets through. */
    sink_lines = 0;
    hyp_event_log_init(&log, 1, 100, 1000000000, count_sink, NULL);
    run_workers(&log);
    assert_int_equal(sink_lines, 100);
    assert_counts(&log, HYP_EV_IRQ, THREADS * PER_THREAD, 100, THREADS * PER_THREAD / 2,
                  THREADS * PER_THREAD - 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_mmio),
        cmocka_unit_test(test_format_mem),
        cmocka_unit_test(test_format_creg),
        cmocka_unit_test(test_format_svc),
        cmocka_unit_test(test_format_irq),
        cmocka_unit_test(test_format_hvc),
        cmocka_unit_test(test_format_invalid),
        cmocka_unit_test(test_format_widest),
        cmocka_unit_test(test_format_truncation),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_burst_then_drop),
        cmocka_unit_test(test_refill_fraction),
        cmocka_unit_test(test_buckets_per_kind),
        cmocka_unit_test(test_unlimited),
        cmocka_unit_test(test_burst_zero),
        cmocka_unit_test(test_time_backwards),
        cmocka_unit_test(test_huge_jump),
        cmocka_unit_test(test_counter_hz_extremes),
        cmocka_unit_test(test_not_printed),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_no_sink),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_concurrent),
    };

    return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
