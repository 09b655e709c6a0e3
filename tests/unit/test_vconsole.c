/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Several VMs on one UART (libhyp/uart/vconsole.c): output assembled into
 * whole lines, partial lines let out once idle, and the input focus moved
 * by Ctrl-] sequences.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/vconsole.h>

#define CTRL_RBRACKET '\x1d'

/* What the emit callback received, pieces separated by '|'. */
struct sink {
    char out[1024];
    size_t len;
    unsigned calls;
};

static void sink_emit(void *arg, const char *buf, size_t len)
{
    struct sink *s = arg;

    assert_true(len >= 1);
    assert_true(s->len + len + 1 < sizeof(s->out));
    memcpy(s->out + s->len, buf, len);
    s->len += len;
    s->out[s->len++] = '|';
    s->out[s->len] = '\0';
    s->calls++;
}

static void put(struct hyp_vcons_line *l, struct sink *s, const char *text)
{
    hyp_vcons_line_put(l, text, strlen(text), sink_emit, s);
}

static void whole_lines_only(void **state)
{
    struct hyp_vcons_line l = {0};
    struct sink s = {0};

    (void)state;
    put(&l, &s, "hel");
    assert_int_equal(s.calls, 0);
    put(&l, &s, "lo\r\nwor");
    assert_string_equal(s.out, "hello\n|");
    put(&l, &s, "ld\nsecond\nthi");
    assert_string_equal(s.out, "hello\n|world\n|second\n|");
    assert_int_equal(l.len, 3);
}

static void carriage_returns_dropped(void **state)
{
    struct hyp_vcons_line l = {0};
    struct sink s = {0};

    (void)state;
    put(&l, &s, "\r\r\na\rb\r\n");
    assert_string_equal(s.out, "\n|ab\n|");
}

static void long_line_in_pieces(void **state)
{
    struct hyp_vcons_line l = {0};
    struct sink s = {0};
    char text[HYP_VCONS_LINE + 11];

    (void)state;
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    put(&l, &s, text);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.len, HYP_VCONS_LINE + 1);
    assert_int_equal(l.len, 10);
    put(&l, &s, "\n");
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.len, HYP_VCONS_LINE + 1 + 11 + 1);
}

static void idle_partial_line_goes_out(void **state)
{
    struct hyp_vcons_line l = {0};
    struct sink s = {0};

    (void)state;
    assert_false(hyp_vcons_line_tick(&l, sink_emit, &s)); /* nothing to send */
    put(&l, &s, "/ # ");
    for (unsigned i = 1; i < HYP_VCONS_IDLE_TICKS; i++)
        assert_false(hyp_vcons_line_tick(&l, sink_emit, &s));
    /* A byte restarts the wait. */
    put(&l, &s, "e");
    for (unsigned i = 1; i < HYP_VCONS_IDLE_TICKS; i++)
        assert_false(hyp_vcons_line_tick(&l, sink_emit, &s));
    assert_true(hyp_vcons_line_tick(&l, sink_emit, &s));
    assert_string_equal(s.out, "/ # e|");
    assert_int_equal(l.len, 0);
    assert_false(hyp_vcons_line_tick(&l, sink_emit, &s));
    put(&l, &s, "cho\n");
    assert_string_equal(s.out, "/ # e|cho\n|");
}

static void focus_keys(void **state)
{
    struct hyp_vcons_focus f;

    (void)state;
    hyp_vcons_focus_init(&f, 3);
    assert_int_equal(f.focus, 0);
    assert_int_equal(hyp_vcons_focus_key(&f, 'a'), HYP_VCONS_KEY_DELIVER);
    /* Ctrl-] n: the next VM, wrapping. */
    assert_int_equal(hyp_vcons_focus_key(&f, CTRL_RBRACKET), HYP_VCONS_KEY_DROP);
    assert_int_equal(f.focus, 0);
    assert_int_equal(hyp_vcons_focus_key(&f, 'n'), HYP_VCONS_KEY_SWITCHED);
    assert_int_equal(f.focus, 1);
    assert_int_equal(hyp_vcons_focus_key(&f, 'n'), HYP_VCONS_KEY_DELIVER);
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    hyp_vcons_focus_key(&f, 'n');
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    assert_int_equal(hyp_vcons_focus_key(&f, 'n'), HYP_VCONS_KEY_SWITCHED);
    assert_int_equal(f.focus, 0);
    /* Ctrl-] <digit>: that VM, if it exists. */
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    assert_int_equal(hyp_vcons_focus_key(&f, '2'), HYP_VCONS_KEY_SWITCHED);
    assert_int_equal(f.focus, 2);
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    assert_int_equal(hyp_vcons_focus_key(&f, '3'), HYP_VCONS_KEY_DROP);
    assert_int_equal(f.focus, 2);
    assert_int_equal(hyp_vcons_focus_key(&f, '3'), HYP_VCONS_KEY_DELIVER);
    /* Ctrl-] Ctrl-]: a literal Ctrl-]; Ctrl-] x: dropped. */
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    assert_int_equal(hyp_vcons_focus_key(&f, CTRL_RBRACKET), HYP_VCONS_KEY_DELIVER);
    assert_int_equal(hyp_vcons_focus_key(&f, 'x'), HYP_VCONS_KEY_DELIVER);
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    assert_int_equal(hyp_vcons_focus_key(&f, 'x'), HYP_VCONS_KEY_DROP);
    assert_int_equal(hyp_vcons_focus_key(&f, 'x'), HYP_VCONS_KEY_DELIVER);
    assert_int_equal(f.focus, 2);
    /* Ctrl-] c: checkpoint the VM with the focus, which stays; c alone is a key. */
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    assert_int_equal(hyp_vcons_focus_key(&f, 'c'), HYP_VCONS_KEY_CHECKPOINT);
    assert_int_equal(f.focus, 2);
    assert_int_equal(hyp_vcons_focus_key(&f, 'c'), HYP_VCONS_KEY_DELIVER);
}

static void focus_single_vm(void **state)
{
    struct hyp_vcons_focus f;

    (void)state;
    hyp_vcons_focus_init(&f, 0); /* taken as 1 */
    assert_int_equal(f.count, 1);
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    assert_int_equal(hyp_vcons_focus_key(&f, 'n'), HYP_VCONS_KEY_SWITCHED);
    assert_int_equal(f.focus, 0);
    hyp_vcons_focus_key(&f, CTRL_RBRACKET);
    assert_int_equal(hyp_vcons_focus_key(&f, '1'), HYP_VCONS_KEY_DROP);
    assert_int_equal(f.focus, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_lines_only),
        cmocka_unit_test(carriage_returns_dropped),
        cmocka_unit_test(long_line_in_pieces),
        cmocka_unit_test(idle_partial_line_goes_out),
        cmocka_unit_test(focus_keys),
        cmocka_unit_test(focus_single_vm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
