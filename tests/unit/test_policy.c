/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the monitor policy (libhyp/monitor/policy.c).
 *
 * Usage: test_policy [DTB_DIR]   (tests/unit/dts-policy compiled by dtc;
 *                                 defaults to HYP_TEST_POLICY_DTB_DIR)
 *
 * The fixtures are good policies. Each error test opens good-full with room
 * for edits, breaks one thing with libfdt, and checks the return code and
 * that the message names the node and property at fault.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "dtb_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <hyp/error.h>
#include <hyp/policy.h>
#include <hyp/trap.h>

#define POL "/chosen/monitor-policy"
#define W1  POL "/watch@9010000"
#define W2  POL "/watch@a000000"
#define P1  POL "/protect@40000000"
#define P2  POL "/protect@100000000"

/*
 * Helpers
 */

static void set_raw(void *fdt, const char *path, const char *prop, const void *v, int len)
{
    assert_int_equal(fdt_setprop(fdt, node_at(fdt, path), prop, v, len), 0);
}

static void set_empty(void *fdt, const char *path, const char *prop)
{
    assert_int_equal(fdt_setprop_empty(fdt, node_at(fdt, path), prop), 0);
}

static void add_node(void *fdt, const char *parent, const char *name)
{
    assert_true(fdt_add_subnode(fdt, node_at(fdt, parent), name) >= 0);
}

/** Add POL/watch@<base> with a 4 KiB reg (2 address cells, 1 size cell). */
static void add_watch(void *fdt, uint64_t base)
{
    char name[32], path[96];

    snprintf(name, sizeof(name), "watch@%llx", (unsigned long long)base);
    snprintf(path, sizeof(path), POL "/%s", name);
    add_node(fdt, POL, name);
    SET_CELLS(fdt, path, "reg", (uint32_t)(base >> 32), (uint32_t)base, 0x1000);
}

static void add_protect(void *fdt, uint64_t base)
{
    char name[32], path[96];

    snprintf(name, sizeof(name), "protect@%llx", (unsigned long long)base);
    snprintf(path, sizeof(path), POL "/%s", name);
    add_node(fdt, POL, name);
    SET_CELLS(fdt, path, "reg", (uint32_t)(base >> 32), (uint32_t)base, 0x1000);
    set_empty(fdt, path, "no-write");
}

/** The message must be terminated within HYP_POLICY_ERRLEN. */
static void assert_terminated(const char *err)
{
    assert_non_null(memchr(err, '\0', HYP_POLICY_ERRLEN));
}

/** Parse @p fdt, which must succeed with an empty message. */
static void parse_ok(const void *fdt, struct hyp_policy *pol)
{
    char err[HYP_POLICY_ERRLEN];
    int rc;

    memset(err, 'x', sizeof(err));
    rc = hyp_policy_parse(fdt, fdt_totalsize(fdt), pol, err);
    if (rc != HYP_OK)
        print_error("parse: %s: %s\n", hyp_strerror(rc), err);
    assert_int_equal(rc, HYP_OK);
    assert_string_equal(err, "");
}

static void assert_defaults(const struct hyp_policy *pol)
{
    assert_false(pol->present);
    assert_string_equal(pol->path, "");
    assert_int_equal(pol->rate, 100);
    assert_int_equal(pol->burst, 200);
    assert_false(pol->syscalls);
    assert_false(pol->creg_trap);
    assert_int_equal(pol->creg_action, HYP_POLICY_CREG_OFF);
    assert_false(pol->irq_log);
    assert_int_equal(pol->watch_count, 0);
    assert_int_equal(pol->protect_count, 0);
    assert_false(pol->dma_withhold);
    assert_int_equal(pol->dma_compat_count, 0);
    assert_false(pol->no_fgt);
}

/**
 * Parse @p fdt (size @p max), which must fail with @p code and a message
 * containing every string of the NULL-terminated list. The policy must then
 * hold the defaults.
 */
static void expect_fail_max(const void *fdt, size_t max, int code, ...)
{
    struct hyp_policy pol;
    char err[HYP_POLICY_ERRLEN];
    const char *want;
    va_list ap;
    int rc;

    memset(err, 'x', sizeof(err));
    memset(&pol, 0x5a, sizeof(pol));
    rc = hyp_policy_parse(fdt, max, &pol, err);
    assert_terminated(err);
    if (rc != code)
        print_error("expected %s, got %s: %s\n", hyp_strerror(code), hyp_strerror(rc),
                    err);
    assert_int_equal(rc, code);
    va_start(ap, code);
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (!strstr(err, want))
            print_error("message \"%s\" lacks \"%s\"\n", err, want);
        assert_non_null(strstr(err, want));
    }
    va_end(ap);
    assert_defaults(&pol);
}

#define expect_fail(fdt, code, ...)                                                      \
    expect_fail_max(fdt, fdt_totalsize(fdt), code, __VA_ARGS__)

/** Parse @p fdt, which must fail with exactly the message @p msg. */
static void expect_message(const void *fdt, int code, const char *msg)
{
    struct hyp_policy pol;
    char err[HYP_POLICY_ERRLEN];

    assert_int_equal(hyp_policy_parse(fdt, fdt_totalsize(fdt), &pol, err), code);
    assert_string_equal(err, msg);
}

/*
 * Good policies
 */

static void test_good_full(void **state)
{
    void *fdt = load("good-full", 0);
    struct hyp_policy pol;

    (void)state;
    parse_ok(fdt, &pol);
    assert_true(pol.present);
    assert_string_equal(pol.path, POL);
    assert_int_equal(pol.rate, 50);
    assert_int_equal(pol.burst, 10);
    assert_true(pol.syscalls);
    assert_true(pol.creg_trap);
    assert_int_equal(pol.creg_action, HYP_ACT_LOG | HYP_ACT_DENY);
    assert_int_equal(pol.creg_action, HYP_POLICY_CREG_LOG_DENY);
    assert_true(pol.irq_log);

    assert_int_equal(pol.watch_count, 2);
    assert_int_equal(pol.watch[0].base, 0x09010000);
    assert_int_equal(pol.watch[0].size, 0x1000);
    assert_int_equal(pol.watch[0].action, HYP_ACT_LOG | HYP_ACT_DENY);
    assert_string_equal(pol.watch[0].name, "watch@9010000");
    assert_int_equal(pol.watch[1].base, 0x0a000000);
    assert_int_equal(pol.watch[1].size, 0x4000);
    assert_int_equal(pol.watch[1].action, HYP_ACT_LOG);
    assert_string_equal(pol.watch[1].name, "watch@a000000");

    assert_int_equal(pol.protect_count, 2);
    assert_int_equal(pol.protect[0].base, 0x40000000);
    assert_int_equal(pol.protect[0].size, 0x200000);
    assert_int_equal(pol.protect[0].prot, HYP_POLICY_NO_WRITE | HYP_POLICY_NO_EXEC);
    assert_int_equal(pol.protect[0].action, HYP_ACT_DENY);
    assert_string_equal(pol.protect[0].name, "protect@40000000");
    assert_int_equal(pol.protect[1].base, 0x100000000ull);
    assert_int_equal(pol.protect[1].size, 0x10000);
    assert_int_equal(pol.protect[1].prot, HYP_POLICY_NO_EXEC);
    assert_int_equal(pol.protect[1].action, HYP_ACT_LOG | HYP_ACT_DENY);
    assert_string_equal(pol.protect[1].name, "protect@100000000");

    assert_true(pol.dma_withhold);
    assert_int_equal(pol.dma_compat_count, 2);
    assert_string_equal(pol.dma_compat[0], "acme,dma-engine");
    assert_string_equal(pol.dma_compat[1], "acme,nic");

    /* A NULL message buffer is fine. */
    assert_int_equal(hyp_policy_parse(fdt, fdt_totalsize(fdt), &pol, NULL), HYP_OK);
    assert_int_equal(pol.protect_count, 2);
    free(fdt);
}

static void test_absent(void **state)
{
    void *fdt = load("good-absent", 0);
    struct hyp_policy pol;

    (void)state;
    memset(&pol, 0x5a, sizeof(pol));
    parse_ok(fdt, &pol);
    assert_defaults(&pol);
    free(fdt);
}

static void test_defaults(void **state)
{
    struct hyp_policy pol;

    (void)state;
    memset(&pol, 0x5a, sizeof(pol));
    hyp_policy_defaults(&pol);
    assert_defaults(&pol);
    assert_int_equal(pol.rate, HYP_POLICY_DEFAULT_RATE);
    assert_int_equal(pol.burst, HYP_POLICY_DEFAULT_BURST);
}

static void test_minimal(void **state)
{
    void *fdt = load("good-minimal", 0);
    struct hyp_policy pol;

    (void)state;
    parse_ok(fdt, &pol);
    assert_true(pol.present);
    assert_string_equal(pol.path, POL);
    pol.present = false;
    pol.path[0] = '\0';
    assert_defaults(&pol);
    free(fdt);
}

static void test_other_path(void **state)
{
    void *fdt = load("good-other-path", 0);
    struct hyp_policy pol;

    (void)state;
    parse_ok(fdt, &pol);
    assert_true(pol.present);
    assert_string_equal(pol.path, "/hypervisor/policy");
    assert_int_equal(pol.rate, 0);
    assert_int_equal(pol.burst, 0);
    assert_false(pol.syscalls);
    assert_true(pol.creg_trap);
    assert_int_equal(pol.creg_action, HYP_ACT_DENY);
    assert_false(pol.irq_log);
    assert_int_equal(pol.watch_count, 0);
    assert_int_equal(pol.protect_count, 0);
    free(fdt);
}

static void test_string_choices(void **state)
{
    static const struct {
        const char *value;
        bool trap;
        unsigned action;
    } creg[] = {
        {"off", false, HYP_POLICY_CREG_OFF},
        {"log", true, HYP_ACT_LOG},
        {"deny", true, HYP_ACT_DENY},
        {"log-deny", true, HYP_ACT_LOG | HYP_ACT_DENY},
    };
    void *fdt = edit("good-full");
    struct hyp_policy pol;

    (void)state;
    for (size_t i = 0; i < sizeof(creg) / sizeof(creg[0]); i++) {
        set_string(fdt, POL, "control-registers", creg[i].value);
        parse_ok(fdt, &pol);
        assert_int_equal(pol.creg_trap, creg[i].trap);
        assert_int_equal(pol.creg_action, creg[i].action);
    }
    set_string(fdt, POL, "syscalls", "off");
    set_string(fdt, POL, "interrupts", "count");
    set_string(fdt, W1, "action", "deny");
    set_string(fdt, P1, "action", "log-deny");
    parse_ok(fdt, &pol);
    assert_false(pol.syscalls);
    assert_false(pol.irq_log);
    assert_int_equal(pol.watch[0].action, HYP_ACT_DENY);
    assert_int_equal(pol.protect[0].action, HYP_ACT_LOG | HYP_ACT_DENY);
    set_string(fdt, W1, "action", "log");
    parse_ok(fdt, &pol);
    assert_int_equal(pol.watch[0].action, HYP_ACT_LOG);
    free(fdt);
}

/* Properties every node may carry, and no-write alone. */
static void test_allowed_extras(void **state)
{
    void *fdt = edit("good-full");
    struct hyp_policy pol;

    (void)state;
    SET_CELLS(fdt, POL, "phandle", 1);
    SET_CELLS(fdt, POL, "linux,phandle", 1);
    set_string(fdt, POL, "name", "monitor-policy");
    SET_CELLS(fdt, W1, "phandle", 2);
    set_string(fdt, P1, "name", "protect");
    del_prop(fdt, P1, "no-exec");
    parse_ok(fdt, &pol);
    assert_int_equal(pol.protect[0].prot, HYP_POLICY_NO_WRITE);
    free(fdt);
}

/* One cell each, an unlimited rate with a burst, a range ending at 2^32. */
static void test_cells_and_limits(void **state)
{
    void *fdt = edit("good-full");
    struct hyp_policy pol;

    (void)state;
    SET_CELLS(fdt, POL, "#address-cells", 1);
    SET_CELLS(fdt, W1, "reg", 0x09010000, 0x1000);
    SET_CELLS(fdt, W2, "reg", 0xfffff000, 0x1000);
    SET_CELLS(fdt, P1, "reg", 0x40000000, 0x200000);
    SET_CELLS(fdt, P2, "reg", 0x80000000, 0x10000);
    SET_CELLS(fdt, POL, "rate-limit", 0, 7);
    parse_ok(fdt, &pol);
    assert_int_equal(pol.rate, 0);
    assert_int_equal(pol.burst, 7);
    assert_int_equal(pol.watch[1].base, 0xfffff000);
    assert_int_equal(pol.protect[1].base, 0x80000000);

    /* Two size cells: the last page of the address space is allowed. */
    SET_CELLS(fdt, POL, "#address-cells", 2);
    SET_CELLS(fdt, POL, "#size-cells", 2);
    SET_CELLS(fdt, W1, "reg", 0, 0x09010000, 0, 0x1000);
    SET_CELLS(fdt, W2, "reg", 0xffffffff, 0xfffff000, 0, 0x1000);
    SET_CELLS(fdt, P1, "reg", 0, 0x40000000, 0, 0x200000);
    SET_CELLS(fdt, P2, "reg", 0x1, 0, 0x1, 0);
    parse_ok(fdt, &pol);
    assert_int_equal(pol.watch[1].base, 0xfffffffffffff000ull);
    assert_int_equal(pol.protect[1].size, 0x100000000ull);
    free(fdt);
}

/* Exactly the maximum numbers of entries. */
static void test_exactly_max(void **state)
{
    void *fdt = edit("good-full");
    struct hyp_policy pol;

    (void)state;
    add_watch(fdt, 0x0b000000);
    add_watch(fdt, 0x0c000000);
    for (unsigned i = 0; i < HYP_POLICY_MAX_PROTECT - 2; i++)
        add_protect(fdt, 0x50000000ull + i * 0x10000ull);
    parse_ok(fdt, &pol);
    assert_int_equal(pol.watch_count, HYP_POLICY_MAX_WATCH);
    assert_int_equal(pol.protect_count, HYP_POLICY_MAX_PROTECT);
    free(fdt);
}

static void test_find(void **state)
{
    void *fdt = load("good-full", 0);
    struct hyp_policy pol;

    (void)state;
    parse_ok(fdt, &pol);
    assert_ptr_equal(hyp_policy_find_watch(&pol, 0x09010000), &pol.watch[0]);
    assert_ptr_equal(hyp_policy_find_watch(&pol, 0x09010fff), &pol.watch[0]);
    assert_null(hyp_policy_find_watch(&pol, 0x09011000));
    assert_null(hyp_policy_find_watch(&pol, 0x0900ffff));
    assert_ptr_equal(hyp_policy_find_watch(&pol, 0x0a003fff), &pol.watch[1]);
    assert_null(hyp_policy_find_watch(&pol, 0x40000000));
    assert_ptr_equal(hyp_policy_find_protect(&pol, 0x40000000), &pol.protect[0]);
    assert_ptr_equal(hyp_policy_find_protect(&pol, 0x401fffff), &pol.protect[0]);
    assert_null(hyp_policy_find_protect(&pol, 0x40200000));
    assert_ptr_equal(hyp_policy_find_protect(&pol, 0x10000ffffull), &pol.protect[1]);
    assert_null(hyp_policy_find_protect(&pol, 0x09010000));
    assert_null(hyp_policy_find_protect(&pol, UINT64_MAX));
    assert_null(hyp_policy_find_watch(NULL, 0));
    assert_null(hyp_policy_find_protect(NULL, 0));
    free(fdt);
}

/*
 * The policy node's properties
 */

static void test_rate_limit_length(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    SET_CELLS(fdt, POL, "rate-limit", 100);
    expect_fail(fdt, HYP_EFORMAT, POL ": rate-limit: length 4", NULL);
    SET_CELLS(fdt, POL, "rate-limit", 100, 200, 300);
    expect_fail(fdt, HYP_EFORMAT, POL ": rate-limit: length 12", NULL);
    set_empty(fdt, POL, "rate-limit");
    expect_fail(fdt, HYP_EFORMAT, POL ": rate-limit: length 0", NULL);
    free(fdt);
}

static void test_burst_zero(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    SET_CELLS(fdt, POL, "rate-limit", 10, 0);
    expect_fail(fdt, HYP_EFORMAT, POL ": rate-limit: burst is 0", NULL);
    free(fdt);
}

static void test_syscalls_unknown(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_string(fdt, POL, "syscalls", "on");
    expect_fail(fdt, HYP_EFORMAT, POL ": syscalls:", NULL);
    expect_message(fdt, HYP_EFORMAT,
                   POL ": syscalls: \"on\" is not one of \"off\", \"log\"");
    free(fdt);
}

static void test_creg_unknown(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_string(fdt, POL, "control-registers", "logdeny");
    expect_message(fdt, HYP_EFORMAT,
                   POL ": control-registers: \"logdeny\" is not one of \"off\", \"log\", "
                       "\"deny\", \"log-deny\"");
    free(fdt);
}

static void test_interrupts_unknown(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_string(fdt, POL, "interrupts", "");
    expect_message(fdt, HYP_EFORMAT,
                   POL ": interrupts: \"\" is not one of \"count\", \"log\"");
    /* The classic DT form: cells, not a string. */
    SET_CELLS(fdt, POL, "interrupts", 0, 5, 4);
    expect_fail(fdt, HYP_EFORMAT, POL ": interrupts: not a NUL-terminated string", NULL);
    free(fdt);
}

static void test_dma_devices(void **state)
{
    void *fdt = edit("good-full");
    struct hyp_policy pol;

    (void)state;
    set_string(fdt, POL, "dma-devices", "pass");
    parse_ok(fdt, &pol);
    assert_false(pol.dma_withhold);
    set_string(fdt, POL, "dma-devices", "deny");
    expect_message(fdt, HYP_EFORMAT,
                   POL ": dma-devices: \"deny\" is not one of \"pass\", \"withhold\"");
    free(fdt);
}

static void test_fine_grained_traps(void **state)
{
    void *fdt = edit("good-full");
    struct hyp_policy pol;

    (void)state;
    parse_ok(fdt, &pol);
    assert_false(pol.no_fgt);
    set_string(fdt, POL, "fine-grained-traps", "off");
    parse_ok(fdt, &pol);
    assert_true(pol.no_fgt);
    set_string(fdt, POL, "fine-grained-traps", "auto");
    parse_ok(fdt, &pol);
    assert_false(pol.no_fgt);
    set_string(fdt, POL, "fine-grained-traps", "on");
    expect_message(fdt, HYP_EFORMAT,
                   POL ": fine-grained-traps: \"on\" is not one of \"auto\", \"off\"");
    free(fdt);
}

static void test_dma_capable_list(void **state)
{
    static const char eight[] = "a\0b\0c\0d\0e\0f\0g\0h";
    static const char nine[] = "a\0b\0c\0d\0e\0f\0g\0h\0i";
    char longest[HYP_POLICY_COMPAT_LEN + 1];
    void *fdt = edit("good-full");
    struct hyp_policy pol;

    (void)state;
    set_raw(fdt, POL, "dma-capable", eight, sizeof(eight));
    parse_ok(fdt, &pol);
    assert_int_equal(pol.dma_compat_count, HYP_POLICY_MAX_DMA_COMPAT);
    assert_string_equal(pol.dma_compat[7], "h");
    set_raw(fdt, POL, "dma-capable", nine, sizeof(nine));
    expect_message(fdt, HYP_ENOMEM, POL ": dma-capable: more than 8 strings");
    set_raw(fdt, POL, "dma-capable", "a\0\0b", 5);
    expect_message(fdt, HYP_EFORMAT, POL ": dma-capable: string 1 is empty");
    set_raw(fdt, POL, "dma-capable", "ab", 2);
    expect_message(fdt, HYP_EFORMAT, POL ": dma-capable: not a list of strings");
    set_empty(fdt, POL, "dma-capable");
    expect_fail(fdt, HYP_EFORMAT, POL ": dma-capable: not a list of strings", NULL);
    memset(longest, 'x', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    set_string(fdt, POL, "dma-capable", longest + 1); /* 47 bytes: fits */
    parse_ok(fdt, &pol);
    assert_string_equal(pol.dma_compat[0], longest + 1);
    set_string(fdt, POL, "dma-capable", longest); /* 48 bytes: too long */
    expect_fail(fdt, HYP_EFORMAT, POL ": dma-capable: string 0 is 48 bytes long", NULL);
    free(fdt);
}

/* Which devices count as DMA masters: virtio-mmio, DMA/IOMMU properties and
 * the policy's own list; a plain PL031 does not. */
static void test_dma_capable_classify(void **state)
{
    void *fdt = load("good-full", 0);
    struct hyp_policy pol;

    (void)state;
    parse_ok(fdt, &pol);
    assert_true(hyp_policy_dma_capable(&pol, fdt, node_at(fdt, "/virtio_mmio@a000000")));
    assert_true(hyp_policy_dma_capable(&pol, fdt, node_at(fdt, "/fw-cfg@9020000")));
    assert_true(hyp_policy_dma_capable(&pol, fdt, node_at(fdt, "/smmu-client@b000000")));
    assert_true(hyp_policy_dma_capable(&pol, fdt, node_at(fdt, "/dma@c000000")));
    assert_false(hyp_policy_dma_capable(&pol, fdt, node_at(fdt, "/pl031@9010000")));
    /* Without the policy's list the DMA engine is not recognised. */
    assert_false(hyp_policy_dma_capable(NULL, fdt, node_at(fdt, "/dma@c000000")));
    assert_true(hyp_policy_dma_capable(NULL, fdt, node_at(fdt, "/virtio_mmio@a000000")));
    assert_false(hyp_policy_dma_capable(&pol, fdt, -1));
    assert_false(hyp_policy_dma_capable(&pol, NULL, 0));
    free(fdt);
}

/* Long or unprintable values are shortened in the message. */
static void test_value_quoted_safely(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_string(fdt, POL, "syscalls", "a-very-long-value-that-goes-on-and-on-and-on");
    expect_fail(fdt, HYP_EFORMAT, POL ": syscalls: \"a-very-long-value-that-g...\"",
                NULL);
    set_string(fdt, POL, "syscalls", "lo\ng");
    expect_fail(fdt, HYP_EFORMAT, POL ": syscalls: \"lo?g\"", NULL);
    free(fdt);
}

static void test_not_terminated(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_raw(fdt, POL, "syscalls", "log", 3);
    expect_message(fdt, HYP_EFORMAT, POL ": syscalls: not a NUL-terminated string");
    set_raw(fdt, POL, "syscalls", "", 0);
    expect_fail(fdt, HYP_EFORMAT, POL ": syscalls: not a NUL-terminated string", NULL);
    set_raw(fdt, POL, "syscalls", "log\0off", 8);
    expect_fail(fdt, HYP_EFORMAT, POL ": syscalls: must be a single string", NULL);
    free(fdt);
}

static void test_unknown_property(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_string(fdt, POL, "sycalls", "log");
    expect_message(fdt, HYP_EFORMAT, POL ": sycalls: unknown property");
    free(fdt);

    fdt = edit("good-full");
    set_string(fdt, POL, "status", "okay");
    expect_fail(fdt, HYP_EFORMAT, POL ": status: unknown property", NULL);
    free(fdt);

    /* Long names are shortened. */
    fdt = edit("good-full");
    set_empty(fdt, POL, "a-property-name-that-is-far-too-long-to-show");
    expect_message(fdt, HYP_EFORMAT,
                   POL ": a-property-name-that-is-...: unknown property");
    free(fdt);
}

static void test_unknown_child_property(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_string(fdt, W2, "acton", "deny");
    expect_message(fdt, HYP_EFORMAT, W2 ": acton: unknown property");
    free(fdt);

    /* compatible is allowed only on the policy node itself */
    fdt = edit("good-full");
    set_string(fdt, P1, "compatible", "libhyp,monitor-policy");
    expect_fail(fdt, HYP_EFORMAT, P1 ": compatible: unknown property", NULL);
    free(fdt);

    /* no-write and no-exec only on protect nodes */
    fdt = edit("good-full");
    set_empty(fdt, W1, "no-write");
    expect_fail(fdt, HYP_EFORMAT, W1 ": no-write: unknown property", NULL);
    free(fdt);
}

static void test_unknown_child(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    add_node(fdt, POL, "watchdog@1000");
    expect_fail(fdt, HYP_EFORMAT, POL "/watchdog@1000: unknown node", "watch@<addr>",
                NULL);
    free(fdt);

    fdt = edit("good-full");
    add_node(fdt, W1, "extra");
    expect_fail(fdt, HYP_EFORMAT, W1 "/extra: unexpected node", NULL);
    free(fdt);
}

/* Names are matched on the part before '@'; no unit address is fine. */
static void test_child_name_match(void **state)
{
    void *fdt = edit("good-full");
    struct hyp_policy pol;

    (void)state;
    assert_int_equal(fdt_set_name(fdt, node_at(fdt, W2), "watch"), 0);
    parse_ok(fdt, &pol);
    assert_int_equal(pol.watch_count, 2);
    assert_string_equal(pol.watch[1].name, "watch");
    assert_int_equal(pol.watch[1].base, 0x0a000000);
    free(fdt);
}

static void test_cells_missing(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    del_prop(fdt, POL, "#address-cells");
    expect_message(fdt, HYP_EFORMAT,
                   POL ": #address-cells: missing (required when the node has children)");
    free(fdt);

    fdt = edit("good-full");
    del_prop(fdt, POL, "#size-cells");
    expect_fail(fdt, HYP_EFORMAT, POL ": #size-cells: missing", NULL);
    free(fdt);
}

static void test_cells_bad(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    SET_CELLS(fdt, POL, "#size-cells", 3);
    expect_fail(fdt, HYP_EFORMAT, POL ": #size-cells: 3, expected 1 or 2", NULL);
    SET_CELLS(fdt, POL, "#size-cells", 0);
    expect_fail(fdt, HYP_EFORMAT, POL ": #size-cells: 0, expected 1 or 2", NULL);
    SET_CELLS(fdt, POL, "#size-cells", 1, 1);
    expect_fail(fdt, HYP_EFORMAT, POL ": #size-cells: length 8", NULL);
    free(fdt);

    /* Checked even without children. */
    fdt = edit("good-minimal");
    SET_CELLS(fdt, POL, "#address-cells", 4);
    expect_fail(fdt, HYP_EFORMAT, POL ": #address-cells: 4, expected 1 or 2", NULL);
    free(fdt);
}

/*
 * Children
 */

static void test_reg_length(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    SET_CELLS(fdt, W1, "reg", 0x09010000, 0x1000);
    expect_fail(fdt, HYP_EFORMAT, W1 ": reg: length 8, expected 12", NULL);
    SET_CELLS(fdt, W1, "reg", 0, 0x09010000, 0x1000, 0, 0x09020000, 0x1000);
    expect_fail(fdt, HYP_EFORMAT, W1 ": reg: length 24, expected 12", NULL);
    free(fdt);
}

static void test_reg_missing(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    del_prop(fdt, P2, "reg");
    expect_message(fdt, HYP_EFORMAT, P2 ": reg: missing");
    free(fdt);
}

static void test_reg_size_zero(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    SET_CELLS(fdt, W1, "reg", 0, 0x09010000, 0);
    expect_message(fdt, HYP_EFORMAT, W1 ": reg: size is 0");
    free(fdt);
}

static void test_reg_unaligned(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    SET_CELLS(fdt, W1, "reg", 0, 0x09010800, 0x1000);
    expect_fail(fdt, HYP_EFORMAT, W1 ": reg: base 0x9010800 is not 4 KiB aligned", NULL);
    SET_CELLS(fdt, W1, "reg", 0, 0x09010000, 0x800);
    expect_fail(fdt, HYP_EFORMAT, W1 ": reg: size 0x800 is not a multiple of 4 KiB",
                NULL);
    SET_CELLS(fdt, P1, "reg", 0, 0x40000004, 0x200000);
    SET_CELLS(fdt, W1, "reg", 0, 0x09010000, 0x1000);
    expect_fail(fdt, HYP_EFORMAT, P1 ": reg: base 0x40000004", NULL);
    free(fdt);
}

static void test_reg_wrap(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    SET_CELLS(fdt, P2, "reg", 0xffffffff, 0xfffff000, 0x2000);
    expect_fail(fdt, HYP_EFORMAT, P2 ": reg:", "wraps around", NULL);
    free(fdt);
}

static void test_protect_no_flags(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    del_prop(fdt, P2, "no-exec");
    expect_fail(fdt, HYP_EFORMAT, P2 ": no-write, no-exec: neither is present", NULL);
    free(fdt);
}

static void test_protect_flag_with_value(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    SET_CELLS(fdt, P1, "no-write", 1);
    expect_fail(fdt, HYP_EFORMAT, P1 ": no-write: length 4, a boolean property", NULL);
    free(fdt);
}

static void test_protect_action_log(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_string(fdt, P1, "action", "log");
    expect_fail(fdt, HYP_EFORMAT, P1 ": action:", "always enforced", NULL);
    set_string(fdt, P1, "action", "allow");
    expect_message(fdt, HYP_EFORMAT,
                   P1 ": action: \"allow\" is not one of \"deny\", \"log-deny\"");
    free(fdt);
}

static void test_watch_action_unknown(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    set_string(fdt, W2, "action", "allow");
    expect_message(fdt, HYP_EFORMAT,
                   W2
                   ": action: \"allow\" is not one of \"log\", \"deny\", \"log-deny\"");
    free(fdt);
}

static void test_overlap(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    /* watch@a000000 now covers the start of protect@40000000. */
    SET_CELLS(fdt, W2, "reg", 0, 0x3ffff000, 0x2000);
    expect_fail(fdt, HYP_EFORMAT, P1 ": reg:", "overlaps watch@a000000", NULL);
    free(fdt);

    /* Two watches. */
    fdt = edit("good-full");
    SET_CELLS(fdt, W2, "reg", 0, 0x09000000, 0x11000);
    expect_fail(fdt, HYP_EFORMAT, W2 ": reg:", "overlaps watch@9010000", NULL);
    free(fdt);

    /* Two protects, one inside the other. */
    fdt = edit("good-full");
    SET_CELLS(fdt, P2, "reg", 0, 0x40100000, 0x1000);
    expect_fail(fdt, HYP_EFORMAT, P2 ": reg:", "overlaps protect@40000000", NULL);
    free(fdt);

    /* Adjacent ranges do not overlap. */
    fdt = edit("good-full");
    SET_CELLS(fdt, W2, "reg", 0, 0x09011000, 0x1000);
    SET_CELLS(fdt, P2, "reg", 0, 0x40200000, 0x1000);
    {
        struct hyp_policy pol;

        parse_ok(fdt, &pol);
    }
    free(fdt);
}

static void test_too_many_watches(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    add_watch(fdt, 0x0b000000);
    add_watch(fdt, 0x0c000000);
    add_watch(fdt, 0x0d000000);
    expect_fail(fdt, HYP_ENOMEM, POL "/watch@", "more than 4 watch nodes", NULL);
    free(fdt);
}

static void test_too_many_protects(void **state)
{
    void *fdt = edit("good-full");

    (void)state;
    for (unsigned i = 0; i < HYP_POLICY_MAX_PROTECT - 1; i++)
        add_protect(fdt, 0x50000000ull + i * 0x10000ull);
    expect_fail(fdt, HYP_ENOMEM, POL "/protect@", "more than 8 protect nodes", NULL);
    free(fdt);
}

/* A path longer than the message buffer still leaves a terminated message. */
static void test_long_path(void **state)
{
    char name[101], path[256] = POL;
    void *fdt = edit("good-full");

    (void)state;
    memset(name, 'w', sizeof(name) - 1);
    memcpy(name, "watch@", 6);
    name[sizeof(name) - 1] = '\0';
    for (int i = 0; i < 2; i++) {
        assert_true(strlen(path) + 1 + strlen(name) < sizeof(path));
        add_node(fdt, path, name);
        strcat(path, "/");
        strcat(path, name);
    }
    /* The grandchild's path does not fit: its name stands in for it. */
    expect_fail(fdt, HYP_EFORMAT, "watch@wwwwwwww", NULL);
    free(fdt);
}

/* The policy's own path is truncated to fit hyp_policy::path. */
static void test_long_policy_path(void **state)
{
    char name[80];
    void *fdt = edit("good-minimal");
    struct hyp_policy pol;

    (void)state;
    memset(name, 'c', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(fdt_set_name(fdt, node_at(fdt, "/chosen"), name), 0);
    parse_ok(fdt, &pol);
    assert_true(pol.present);
    assert_int_equal(strlen(pol.path), sizeof(pol.path) - 1);
    assert_memory_equal(pol.path, "/ccccccc", 8);
    free(fdt);
}

/*
 * The blob and the arguments
 */

static void test_null_args(void **state)
{
    void *fdt = load("good-full", 0);
    struct hyp_policy pol;
    char err[HYP_POLICY_ERRLEN];

    (void)state;
    assert_int_equal(hyp_policy_parse(NULL, 4096, &pol, err), HYP_EINVAL);
    assert_non_null(strstr(err, "NULL DTB"));
    assert_defaults(&pol);
    assert_int_equal(hyp_policy_parse(fdt, fdt_totalsize(fdt), NULL, err), HYP_EINVAL);
    assert_non_null(strstr(err, "NULL policy"));
    assert_int_equal(hyp_policy_parse(NULL, 0, NULL, NULL), HYP_EINVAL);
    free(fdt);
}

static void test_bad_magic(void **state)
{
    void *fdt = load("good-full", 0);

    (void)state;
    ((uint8_t *)fdt)[0] ^= 0xff;
    expect_fail_max(fdt, 4096, HYP_EFORMAT, "DTB header: bad magic", NULL);
    free(fdt);
}

static void test_truncated(void **state)
{
    void *fdt = load("good-full", 0);

    (void)state;
    expect_fail_max(fdt, fdt_totalsize(fdt) - 1, HYP_EFORMAT, "DTB truncated", NULL);
    expect_fail_max(fdt, 8, HYP_EFORMAT, "DTB truncated", NULL);
    free(fdt);
}

static void test_corrupt_structure(void **state)
{
    void *fdt = load("good-full", 0);
    int child = fdt_first_subnode(fdt, 0);
    uint32_t *tag;

    (void)state;
    assert_true(child > 0);
    tag = (uint32_t *)((char *)fdt + fdt_off_dt_struct(fdt) + child);
    assert_int_equal(fdt32_to_cpu(*tag), FDT_BEGIN_NODE);
    *tag = cpu_to_fdt32(FDT_END_NODE);
    expect_fail(fdt, HYP_EFORMAT, "DTB structure is malformed", NULL);
    free(fdt);
}

static void test_corrupt_header(void **state)
{
    void *fdt = load("good-full", 0);

    (void)state;
    fdt_set_off_dt_strings(fdt, fdt_totalsize(fdt) + 64);
    expect_fail(fdt, HYP_EFORMAT, "DTB header", NULL);
    free(fdt);
}

static void test_misaligned(void **state)
{
    void *fdt = load("good-full", 0);
    size_t size = fdt_totalsize(fdt);
    unsigned char *buf = malloc(size + 8);

    (void)state;
    assert_non_null(buf);
    memcpy(buf + 4, fdt, size);
    expect_fail_max(buf + 4, size, HYP_EALIGN, "8-byte aligned", NULL);
    free(buf);
    free(fdt);
}

/*
 * Control-register lock
 */

#define SCTLR_M   HYP_SCTLR_EL1_M
#define SCTLR_WXN HYP_SCTLR_EL1_WXN
#define SCTLR_C   (UINT64_C(1) << 2)

static void test_creg_unlocked(void **state)
{
    struct hyp_creg_lock lock = {
        .locked = false, .sctlr = SCTLR_M | SCTLR_WXN, .vbar = 0x40001000};

    (void)state;
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, 0));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_VBAR_EL1, 0x1234));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_TTBR0_EL1, 0));
    assert_true(hyp_creg_write_allowed(NULL, HYP_SYSREG_VBAR_EL1, 0));
}

static void test_creg_sctlr_m(void **state)
{
    struct hyp_creg_lock lock = {
        .locked = true, .sctlr = SCTLR_M | SCTLR_C, .vbar = 0x40001000};

    (void)state;
    /* Clearing M after the lock is refused. */
    assert_false(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, SCTLR_C));
    assert_false(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, 0));
    /* Keeping M, changing other bits (C, WXN not set at lock time) is allowed. */
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, SCTLR_M));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1,
                                       SCTLR_M | SCTLR_C | SCTLR_WXN));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, UINT64_MAX));

    /* M clear at lock time: the guest may still turn it on or leave it off. */
    lock.sctlr = SCTLR_C;
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, 0));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, SCTLR_M));
}

static void test_creg_sctlr_wxn(void **state)
{
    struct hyp_creg_lock lock = {.locked = true, .sctlr = SCTLR_M | SCTLR_WXN, .vbar = 0};

    (void)state;
    assert_false(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, SCTLR_M));
    assert_false(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, SCTLR_WXN));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, SCTLR_M | SCTLR_WXN));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1,
                                       SCTLR_M | SCTLR_WXN | SCTLR_C));

    /* WXN clear at lock time: either value is fine. */
    lock.sctlr = SCTLR_M;
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, SCTLR_M));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_SCTLR_EL1, SCTLR_M | SCTLR_WXN));
}

static void test_creg_vbar(void **state)
{
    struct hyp_creg_lock lock = {.locked = true, .sctlr = SCTLR_M, .vbar = 0x40001000};

    (void)state;
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_VBAR_EL1, 0x40001000));
    assert_false(hyp_creg_write_allowed(&lock, HYP_SYSREG_VBAR_EL1, 0x40002000));
    assert_false(hyp_creg_write_allowed(&lock, HYP_SYSREG_VBAR_EL1, 0));
    assert_false(hyp_creg_write_allowed(&lock, HYP_SYSREG_VBAR_EL1, 0x40001800));
}

static void test_creg_other_registers(void **state)
{
    struct hyp_creg_lock lock = {
        .locked = true, .sctlr = SCTLR_M | SCTLR_WXN, .vbar = 0x40001000};

    (void)state;
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_TTBR0_EL1, 0));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_TTBR0_EL1, 0x41000000));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_TTBR1_EL1, UINT64_MAX));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_TCR_EL1, 0));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_MAIR_EL1, 0));
    assert_true(hyp_creg_write_allowed(&lock, HYP_SYSREG_CONTEXTIDR_EL1, 5));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_full),
        cmocka_unit_test(test_absent),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_other_path),
        cmocka_unit_test(test_string_choices),
        cmocka_unit_test(test_allowed_extras),
        cmocka_unit_test(test_cells_and_limits),
        cmocka_unit_test(test_exactly_max),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_dma_devices),
        cmocka_unit_test(test_dma_capable_list),
        cmocka_unit_test(test_dma_capable_classify),
        cmocka_unit_test(test_rate_limit_length),
        cmocka_unit_test(test_burst_zero),
        cmocka_unit_test(test_syscalls_unknown),
        cmocka_unit_test(test_creg_unknown),
        cmocka_unit_test(test_interrupts_unknown),
        cmocka_unit_test(test_value_quoted_safely),
        cmocka_unit_test(test_not_terminated),
        cmocka_unit_test(test_unknown_property),
        cmocka_unit_test(test_unknown_child_property),
        cmocka_unit_test(test_unknown_child),
        cmocka_unit_test(test_child_name_match),
        cmocka_unit_test(test_cells_missing),
        cmocka_unit_test(test_cells_bad),
        cmocka_unit_test(test_reg_length),
        cmocka_unit_test(test_reg_missing),
        cmocka_unit_test(test_reg_size_zero),
        cmocka_unit_test(test_reg_unaligned),
        cmocka_unit_test(test_reg_wrap),
        cmocka_unit_test(test_protect_no_flags),
        cmocka_unit_test(test_protect_flag_with_value),
        cmocka_unit_test(test_protect_action_log),
        cmocka_unit_test(test_watch_action_unknown),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_too_many_watches),
        cmocka_unit_test(test_too_many_protects),
        cmocka_unit_test(test_long_path),
        cmocka_unit_test(test_long_policy_path),
        cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt_structure),
        cmocka_unit_test(test_corrupt_header),
        cmocka_unit_test(test_misaligned),
        cmocka_unit_test(test_creg_unlocked),
        cmocka_unit_test(test_creg_sctlr_m),
        cmocka_unit_test(test_creg_sctlr_wxn),
        cmocka_unit_test(test_creg_vbar),
        cmocka_unit_test(test_fine_grained_traps),
        cmocka_unit_test(test_creg_other_registers),
    };

    if (argc == 2)
        dtb_dir = argv[1];
#ifdef HYP_TEST_POLICY_DTB_DIR
    else if (argc == 1)
        dtb_dir = HYP_TEST_POLICY_DTB_DIR;
#endif
    if (!dtb_dir) {
        fprintf(stderr, "usage: %s DTB_DIR\n", argv[0]);
        return 2;
    }
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
