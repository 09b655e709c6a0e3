/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for platform discovery (libhyp/fdt/platform.c).
 *
 * Usage: test_platform [DTB_DIR]        hand-written boards (tests/unit/dts)
 *        test_platform --qemu DTB_DIR   DTBs dumped by qemu-system-aarch64
 *        test_platform --real DTB_DIR   the boards' own DTBs from Debian's
 *                                       kernel package (LIBHYP_CACHE/dtbs)
 *
 * DTB_DIR defaults to HYP_TEST_DTB_DIR when the build defines it. Many error
 * cases start from a good board and change one property with libfdt, so each
 * test shows exactly what is broken.
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
#include <unistd.h>

#include <libfdt.h>

#include <hyp/error.h>
#include <hyp/platform.h>

/*
 * Helpers
 */

/** Discover @p fdt, which must succeed; its message must then be empty. */
static void discover_ok(const void *fdt, struct hyp_platform *plat)
{
    char err[HYP_PLATFORM_ERRLEN];
    int rc;

    memset(err, 'x', sizeof(err));
    rc = hyp_platform_discover(fdt, fdt_totalsize(fdt), plat, err);
    if (rc != HYP_OK)
        print_error("discover: %s: %s\n", hyp_strerror(rc), err);
    assert_int_equal(rc, HYP_OK);
    assert_string_equal(err, "");
}

/**
 * Discover @p fdt (reading at most @p max bytes), which must fail with
 * @p code and a message containing @p want1 and, if not NULL, @p want2.
 */
static void expect_fail_max(const void *fdt, size_t max, int code, const char *want1,
                            const char *want2)
{
    struct hyp_platform plat;
    char err[HYP_PLATFORM_ERRLEN];
    int rc;

    memset(err, 'x', sizeof(err));
    rc = hyp_platform_discover(fdt, max, &plat, err);
    assert_non_null(memchr(err, '\0', sizeof(err)));
    if (rc != code || !strstr(err, want1) || (want2 && !strstr(err, want2)))
        print_error("got %s \"%s\"; want %s with \"%s\"%s%s\n", hyp_strerror(rc), err,
                    hyp_strerror(code), want1, want2 ? " and " : "", want2 ? want2 : "");
    assert_int_equal(rc, code);
    assert_non_null(strstr(err, want1));
    if (want2)
        assert_non_null(strstr(err, want2));
}

static void expect_fail(const void *fdt, int code, const char *want1, const char *want2)
{
    expect_fail_max(fdt, fdt_totalsize(fdt), code, want1, want2);
}

static void expect_file_fails(const char *name, int code, const char *want1,
                              const char *want2)
{
    void *fdt = load(name, 0);

    expect_fail(fdt, code, want1, want2);
    free(fdt);
}

#define assert_range(r, b, s)                                                            \
    do {                                                                                 \
        assert_int_equal((r).base, (b));                                                 \
        assert_int_equal((r).size, (s));                                                 \
    } while (0)

#define assert_irq(i, id, fl)                                                            \
    do {                                                                                 \
        assert_int_equal((i).intid, (id));                                               \
        assert_int_equal((i).flags, (fl));                                               \
    } while (0)

/*
 * Good boards
 */

static void test_good_gicv3(void **state)
{
    struct hyp_platform p;
    void *fdt = load("good-gicv3", 0);

    (void)state;
    discover_ok(fdt, &p);

    assert_string_equal(p.model, "libhyp test board (GICv3)");
    assert_int_equal(p.mem_count, 2);
    assert_range(p.mem[0], 0x40000000, 0x40000000);
    assert_range(p.mem[1], 0x100000000ULL, 0x80000000);

    assert_int_equal(p.cpu_count, 4);
    assert_int_equal(p.cpus[0].mpidr, 0x0);
    assert_int_equal(p.cpus[1].mpidr, 0x1);
    assert_int_equal(p.cpus[2].mpidr, 0x100);
    assert_int_equal(p.cpus[3].mpidr, 0x100000000ULL);

    assert_int_equal(p.reserved_count, 2);
    assert_range(p.reserved[0], 0x48000000, 0x100000);
    assert_range(p.reserved[1], 0x4e000000, 0x200000);

    assert_int_equal(p.gic.version, 3);
    assert_range(p.gic.gicd, 0x08000000, 0x10000);
    assert_int_equal(p.gic.gicr_count, 2);
    assert_range(p.gic.gicr[0], 0x080a0000, 0xf60000);
    assert_range(p.gic.gicr[1], 0x0a000000, 0x100000);
    assert_range(p.gic.gicc, 0x2c000000, 0x2000);
    assert_range(p.gic.gich, 0x2c010000, 0x2000);
    assert_range(p.gic.gicv, 0x2c02f000, 0x2000);
    assert_irq(p.gic.maintenance, 25, 4);

    assert_irq(p.timer.sec_phys, 29, 4);
    assert_irq(p.timer.phys, 30, 4);
    assert_irq(p.timer.virt, 27, 4);
    assert_irq(p.timer.hyp_phys, 26, 4);
    assert_irq(p.timer.hyp_virt, 0, 0);
    assert_int_equal(p.timer.frequency_hz, 62500000);

    /* stdout-path "serial0:115200n8" -> alias -> the second PL011. */
    assert_range(p.uart.regs, 0x09000000, 0x1000);
    assert_irq(p.uart.irq, 33, 4);
    assert_int_equal(p.uart.clock_hz, 24000000);
    assert_string_equal(p.uart.compatible, "arm,pl011");

    assert_int_equal(p.psci, HYP_PSCI_SMC);
    assert_int_equal(p.dtb.base, (uintptr_t)fdt);
    assert_int_equal(p.dtb.size, fdt_totalsize(fdt));
    free(fdt);
}

static void test_good_gicv2(void **state)
{
    struct hyp_platform p;
    void *fdt = load("good-gicv2", 0);

    (void)state;
    discover_ok(fdt, &p);

    assert_string_equal(p.model, "libhyp test board (GICv2)");
    assert_int_equal(p.mem_count, 2);
    assert_range(p.mem[0], 0x0, 0x3c000000);
    assert_range(p.mem[1], 0x40000000, 0x40000000);

    /* cpu@2 is disabled; cpu-map and l2-cache are not CPUs. */
    assert_int_equal(p.cpu_count, 4);
    assert_int_equal(p.cpus[0].mpidr, 0x0);
    assert_int_equal(p.cpus[1].mpidr, 0x1);
    assert_int_equal(p.cpus[2].mpidr, 0x100);
    assert_int_equal(p.cpus[3].mpidr, 0x101);

    assert_int_equal(p.reserved_count, 0);

    assert_int_equal(p.gic.version, 2);
    assert_range(p.gic.gicd, 0xff841000, 0x1000);
    assert_range(p.gic.gicc, 0xff842000, 0x2000);
    assert_range(p.gic.gich, 0xff844000, 0x2000);
    assert_range(p.gic.gicv, 0xff846000, 0x2000);
    assert_int_equal(p.gic.gicr_count, 0);
    assert_irq(p.gic.maintenance, 25, 4); /* 0xf04: CPU mask dropped */

    assert_irq(p.timer.sec_phys, 29, 8);
    assert_irq(p.timer.phys, 30, 8);
    assert_irq(p.timer.virt, 27, 8);
    assert_irq(p.timer.hyp_phys, 26, 8);
    assert_int_equal(p.timer.frequency_hz, 0);

    /* No stdout-path: the first enabled PL011; "uartclk" is clocks[1]. */
    assert_range(p.uart.regs, 0xfe201000, 0x200);
    assert_irq(p.uart.irq, 153, 4);
    assert_int_equal(p.uart.clock_hz, 48000000);

    assert_int_equal(p.psci, HYP_PSCI_NONE);
    free(fdt);
}

/*
 * Broken boards from DTS files
 */

static void test_no_gic(void **state)
{
    (void)state;
    expect_file_fails("no-gic", HYP_ENOENT, "no GIC", "arm,gic-v3");
}

static void test_no_memory(void **state)
{
    (void)state;
    expect_file_fails("no-memory", HYP_ENOENT, "no memory", "device_type");
}

static void test_no_cpus(void **state)
{
    (void)state;
    expect_file_fails("no-cpus", HYP_ENOENT, "/cpus", "missing");
}

static void test_no_timer(void **state)
{
    (void)state;
    expect_file_fails("no-timer", HYP_ENOENT, "no timer", "arm,armv8-timer");
}

static void test_bad_reg_cells(void **state)
{
    struct hyp_platform p;
    char err[HYP_PLATFORM_ERRLEN];
    void *fdt = load("bad-reg-cells", 0);

    (void)state;
    assert_int_equal(hyp_platform_discover(fdt, fdt_totalsize(fdt), &p, err),
                     HYP_EFORMAT);
    assert_string_equal(err, "/intc@8000000: property 'reg': length 20 is not a multiple "
                             "of 16 bytes (#address-cells=2, #size-cells=2)");
    free(fdt);
}

static void test_gicv3_no_gicr(void **state)
{
    (void)state;
    expect_file_fails("gicv3-no-gicr", HYP_EFORMAT, "/intc@8000000: property 'reg'",
                      "1 redistributor region");
}

/* A bank behind a translating bus lands at the CPU address its `ranges` gives. */
static void test_ranges_nonidentity(void **state)
{
    struct hyp_platform p;
    void *fdt = load("ranges-nonidentity", 0);

    (void)state;
    discover_ok(fdt, &p);
    /* Banks are sorted by base: the translated one is the lowest. */
    assert_range(p.mem[0], 0x20000000, 0x00100000);
    free(fdt);
}

/* Two entries: the second one translates (child 0x10000000 -> 0x30000000). */
static void test_ranges_second_entry(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("ranges-nonidentity");

    (void)state;
    SET_CELLS(fdt, "/bus@20000000", "ranges", 0x0, 0x0, 0x20000000, 0x1000, 0x10000000,
              0x0, 0x30000000, 0x01000000);
    SET_CELLS(fdt, "/bus@20000000/memory@0", "reg", 0x10080000, 0x00100000);
    discover_ok(fdt, &p);
    assert_range(p.mem[0], 0x30080000, 0x00100000);
    free(fdt);
}

static void test_ranges_outside(void **state)
{
    void *fdt = edit("ranges-nonidentity");

    (void)state;
    /* The window is 512 KiB, the bank 1 MiB: it does not fit. */
    SET_CELLS(fdt, "/bus@20000000", "ranges", 0x0, 0x0, 0x20000000, 0x00080000);
    expect_fail(fdt, HYP_ENOTSUP, "/bus@20000000/memory@0: property 'reg': 0x0+0x100000",
                "outside every entry of the 'ranges' of bus@20000000");
    free(fdt);
}

static void test_ranges_bad_length(void **state)
{
    void *fdt = edit("ranges-nonidentity");

    (void)state;
    SET_CELLS(fdt, "/bus@20000000", "ranges", 0x0, 0x0, 0x20000000, 0x00080000, 0x0);
    expect_fail(fdt, HYP_EFORMAT, "/bus@20000000: property 'ranges': length 20",
                "multiple of 16 bytes");
    free(fdt);
}

static void test_ranges_beyond_2_64(void **state)
{
    void *fdt = edit("ranges-nonidentity");

    (void)state;
    SET_CELLS(fdt, "/bus@20000000", "ranges", 0x0, 0xffffffff, 0xfff80000, 0x01000000);
    expect_fail(fdt, HYP_EFORMAT, "/bus@20000000: property 'ranges': entry 0",
                "beyond 2^64");
    free(fdt);
}

/* Spin-table CPUs: their release addresses are kept; one without fails. */
static void test_cpus_spin_table(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/cpus/cpu@0", "enable-method", "spin-table");
    SET_CELLS(fdt, "/cpus/cpu@0", "cpu-release-addr", 0x0, 0xd8);
    discover_ok(fdt, &p);
    assert_int_equal(p.cpus[0].release_addr, 0xd8);
    assert_int_equal(p.cpus[1].release_addr, 0);
    SET_CELLS(fdt, "/cpus/cpu@0", "cpu-release-addr", 0x0, 0x0, 0xd8);
    expect_fail(fdt, HYP_EFORMAT, "/cpus/cpu@0: property 'cpu-release-addr': length 12",
                NULL);
    /* None at all: the CPU is described but cannot be started. */
    del_prop(fdt, "/cpus/cpu@0", "cpu-release-addr");
    discover_ok(fdt, &p);
    assert_int_equal(p.cpus[0].release_addr, 0);
    free(fdt);
}

static void test_mem_too_many(void **state)
{
    (void)state;
    expect_file_fails("mem-too-many", HYP_ENOMEM, "/memory@200000000",
                      "more than 8 memory banks (HYP_PLATFORM_MAX_MEM)");
}

/*
 * Blob and header checks
 */

static void test_truncated(void **state)
{
    void *fdt = load("good-gicv3", 0);
    size_t size = fdt_totalsize(fdt);

    (void)state;
    expect_fail_max(fdt, size - 1, HYP_EFORMAT, "truncated", "totalsize");
    expect_fail_max(fdt, 20, HYP_EFORMAT, "truncated", "header");
    expect_fail_max(fdt, 0, HYP_EFORMAT, "truncated", NULL);
    free(fdt);
}

static void test_bad_magic(void **state)
{
    void *fdt = load("good-gicv3", 0);
    size_t size = fdt_totalsize(fdt);

    (void)state;
    ((unsigned char *)fdt)[0] ^= 0xff;
    expect_fail_max(fdt, size, HYP_EFORMAT, "bad magic", NULL);
    free(fdt);
}

static void test_corrupt_header(void **state)
{
    void *fdt = load("good-gicv3", 0);
    size_t size = fdt_totalsize(fdt);

    (void)state;
    /* The structure block would start beyond the end of the blob. */
    fdt_set_off_dt_struct(fdt, (uint32_t)size + 64);
    expect_fail_max(fdt, size, HYP_EFORMAT, "DTB header", NULL);
    free(fdt);

    fdt = load("good-gicv3", 0);
    fdt_set_version(fdt, 1);
    fdt_set_last_comp_version(fdt, 1);
    expect_fail_max(fdt, size, HYP_EFORMAT, "DTB header", NULL);
    free(fdt);
}

/* A structure block whose nesting is broken: the first child node's
 * FDT_BEGIN_NODE tag becomes FDT_END_NODE, closing the root early. libfdt's
 * walkers (fdt_get_path in error messages) misbehave on such trees, so
 * discovery must reject it before walking (found by fuzz_platform). */
static void test_corrupt_structure(void **state)
{
    void *fdt = load("good-gicv3", 0);
    size_t size = fdt_totalsize(fdt);
    int child = fdt_first_subnode(fdt, 0);
    uint32_t *tag;

    (void)state;
    assert_true(child > 0);
    tag = (uint32_t *)((char *)fdt + fdt_off_dt_struct(fdt) + child);
    assert_int_equal(fdt32_to_cpu(*tag), FDT_BEGIN_NODE);
    *tag = cpu_to_fdt32(FDT_END_NODE);
    expect_fail_max(fdt, size, HYP_EFORMAT, "DTB structure is malformed", NULL);
    free(fdt);
}

/* A version-9 blob (names are full paths before version 16) whose root is
 * named "": libfdt 1.6.1's fdt_check_full() dereferences the NULL name
 * fdt_get_name() returns for it (found by fuzz_guest); discovery must reject
 * it instead. */
static void test_old_version_root_name(void **state)
{
    void *fdt = load("good-gicv3", 0);
    size_t size = fdt_totalsize(fdt);

    (void)state;
    fdt_set_version(fdt, 9);
    fdt_set_last_comp_version(fdt, 2);
    expect_fail_max(fdt, size, HYP_EFORMAT, "DTB structure is malformed", NULL);
    free(fdt);
}

static void test_misaligned(void **state)
{
    void *fdt = load("good-gicv3", 0);
    size_t size = fdt_totalsize(fdt);
    unsigned char *buf = malloc(size + 8);

    (void)state;
    assert_non_null(buf);
    memcpy(buf + 4, fdt, size);
    expect_fail_max(buf + 4, size, HYP_EALIGN, "8-byte aligned", NULL);
    free(buf);
    free(fdt);
}

static void test_null_args(void **state)
{
    struct hyp_platform p;
    char err[HYP_PLATFORM_ERRLEN];
    void *fdt = load("good-gicv3", 0);

    (void)state;
    assert_int_equal(hyp_platform_discover(NULL, 4096, &p, err), HYP_EINVAL);
    assert_non_null(strstr(err, "DTB"));
    assert_int_equal(hyp_platform_discover(fdt, fdt_totalsize(fdt), NULL, err),
                     HYP_EINVAL);
    /* err may be NULL, on success and on failure. */
    assert_int_equal(hyp_platform_discover(fdt, 10, &p, NULL), HYP_EFORMAT);
    assert_int_equal(hyp_platform_discover(fdt, fdt_totalsize(fdt), &p, NULL), HYP_OK);
    assert_int_equal(p.cpu_count, 4);
    free(fdt);
}

/*
 * Addresses and cells
 */

static void test_address_cells_too_big(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/", "#address-cells", 3);
    expect_fail(fdt, HYP_EFORMAT, "/: property '#address-cells': 3 cells", NULL);
    free(fdt);
}

static void test_size_cells_too_big(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/reserved-memory", "#size-cells", 4);
    expect_fail(fdt, HYP_EFORMAT, "/reserved-memory: property '#size-cells'", NULL);
    free(fdt);
}

static void test_bus_without_ranges(void **state)
{
    void *fdt = edit("good-gicv2");

    (void)state;
    del_prop(fdt, "/soc", "ranges");
    expect_fail(fdt, HYP_ENOTSUP, "/soc: property 'ranges'", "absent");
    free(fdt);
}

/*
 * Memory
 */

static void test_mem_zero_size(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/memory@40000000", "reg", 0x0, 0x40000000, 0x0, 0x0);
    expect_fail(fdt, HYP_EFORMAT, "/memory@40000000: property 'reg'", "size 0");
    free(fdt);
}

static void test_mem_overflow(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/memory@40000000", "reg", 0xffffffff, 0xfffff000, 0x0, 0x2000);
    expect_fail(fdt, HYP_EFORMAT, "/memory@40000000: property 'reg'", "overflows");
    free(fdt);
}

static void test_mem_top_of_space(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    /* Ends exactly at 2^64: legal, must not count as an overflow. */
    SET_CELLS(fdt, "/memory@40000000", "reg", 0xffffffff, 0xfffff000, 0x0, 0x1000);
    discover_ok(fdt, &p);
    assert_int_equal(p.mem_count, 2);
    assert_range(p.mem[1], 0xfffffffffffff000ULL, 0x1000);
    free(fdt);
}

static void test_mem_overlap(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/memory@40000000", "reg", 0x0, 0x40000000, 0x1, 0x0);
    expect_fail(fdt, HYP_EFORMAT, "/memory@40000000: property 'reg'", "overlaps");
    free(fdt);
}

static void test_mem_exactly_max(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    /* 2 banks in the board plus 6 here: exactly HYP_PLATFORM_MAX_MEM, descending. */
    SET_CELLS(fdt, "/memory@c0000000", "reg", 0x3, 0x0, 0x0, 0x1000, 0x2, 0xf000, 0x0,
              0x1000, 0x2, 0xe000, 0x0, 0x1000, 0x2, 0xd000, 0x0, 0x1000, 0x2, 0xc000,
              0x0, 0x1000, 0x2, 0xb000, 0x0, 0x1000);
    del_prop(fdt, "/memory@c0000000", "status");
    discover_ok(fdt, &p);
    assert_int_equal(p.mem_count, HYP_PLATFORM_MAX_MEM);
    for (unsigned i = 1; i < p.mem_count; i++)
        assert_true(p.mem[i - 1].base < p.mem[i].base);
    assert_range(p.mem[2], 0x20000b000ULL, 0x1000);
    assert_range(p.mem[7], 0x300000000ULL, 0x1000);
    free(fdt);
}

/*
 * CPUs
 */

static void test_cpus_all_disabled(void **state)
{
    static const char *const paths[] = {"/cpus/cpu@0", "/cpus/cpu@1", "/cpus/cpu@100",
                                        "/cpus/cpu@100000000"};
    void *fdt = edit("good-gicv3");

    (void)state;
    for (size_t i = 0; i < 4; i++)
        set_string(fdt, paths[i], "status", "disabled");
    expect_fail(fdt, HYP_ENOENT, "/cpus: no enabled node", "cpu");
    free(fdt);
}

/** Add @p n CPU nodes with MPIDRs 0x10000 + i to the GICv2 board. */
static void add_cpus(void *fdt, unsigned n)
{
    int cpus = node_at(fdt, "/cpus");

    for (unsigned i = 0; i < n; i++) {
        char name[32];
        int cpu;

        snprintf(name, sizeof(name), "cpu@%x", 0x10000 + i);
        cpu = fdt_add_subnode(fdt, cpus, name);
        assert_true(cpu >= 0);
        assert_int_equal(fdt_setprop_string(fdt, cpu, "device_type", "cpu"), 0);
        assert_int_equal(fdt_setprop_u32(fdt, cpu, "reg", 0x10000 + i), 0);
    }
}

static void test_cpus_exactly_max(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv2");

    (void)state;
    add_cpus(fdt, HYP_PLATFORM_MAX_CPUS - 4);
    discover_ok(fdt, &p);
    assert_int_equal(p.cpu_count, HYP_PLATFORM_MAX_CPUS);
    free(fdt);
}

static void test_cpus_too_many(void **state)
{
    void *fdt = edit("good-gicv2");

    (void)state;
    add_cpus(fdt, HYP_PLATFORM_MAX_CPUS - 3);
    /* libfdt inserts new subnodes first, so the board's last CPU is the 65th. */
    expect_fail(fdt, HYP_ENOMEM, "/cpus/cpu@101", "more than 64 CPUs");
    free(fdt);
}

static void test_cpu_bad_mpidr(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/cpus/cpu@1", "reg", 0x0, 0x01000001);
    expect_fail(fdt, HYP_EFORMAT, "/cpus/cpu@1: property 'reg'", "MPIDR");
    free(fdt);
}

static void test_cpu_duplicate_mpidr(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/cpus/cpu@1", "reg", 0x0, 0x0);
    expect_fail(fdt, HYP_EFORMAT, "/cpus/cpu@1: property 'reg'", "two CPUs");
    free(fdt);
}

static void test_cpu_reg_wrong_cells(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/cpus", "#address-cells", 1);
    expect_fail(fdt, HYP_EFORMAT, "/cpus/cpu@0: property 'reg': length 8", NULL);
    free(fdt);
}

static void test_cpus_size_cells(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/cpus", "#size-cells", 1);
    expect_fail(fdt, HYP_EFORMAT, "/cpus: #address-cells=2, #size-cells=1", NULL);
    free(fdt);
}

/*
 * GIC
 */

static void test_gic_unknown(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/intc@8000000", "compatible", "acme,fancy-intc");
    expect_fail(fdt, HYP_ENOTSUP, "/intc@8000000: property 'compatible'",
                "'acme,fancy-intc'");
    free(fdt);
}

static void test_gic_without_reg(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    del_prop(fdt, "/intc@8000000", "reg");
    expect_fail(fdt, HYP_EFORMAT, "/intc@8000000: property 'reg': missing", NULL);
    free(fdt);
}

static void test_gic_too_many_gicr(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/intc@8000000", "#redistributor-regions", HYP_PLATFORM_MAX_GICR + 1);
    expect_fail(fdt, HYP_ENOMEM, "/intc@8000000: property '#redistributor-regions'",
                "HYP_PLATFORM_MAX_GICR");
    free(fdt);
}

static void test_gic_one_gicr_region(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    /* Without #redistributor-regions, entry 1 is the only GICR, then GICC, GICH. */
    del_prop(fdt, "/intc@8000000", "#redistributor-regions");
    discover_ok(fdt, &p);
    assert_int_equal(p.gic.gicr_count, 1);
    assert_range(p.gic.gicr[0], 0x080a0000, 0xf60000);
    assert_range(p.gic.gicc, 0x0a000000, 0x100000);
    assert_range(p.gic.gich, 0x2c000000, 0x2000);
    assert_range(p.gic.gicv, 0x2c010000, 0x2000);
    free(fdt);
}

static void test_gicv2_without_gicc(void **state)
{
    void *fdt = edit("good-gicv2");

    (void)state;
    SET_CELLS(fdt, "/soc/interrupt-controller@ff841000", "reg", 0xff841000, 0x1000);
    expect_fail(fdt, HYP_EFORMAT, "/soc/interrupt-controller@ff841000: property 'reg'",
                "GICC");
    free(fdt);
}

static void test_gicv2_no_maintenance(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv2");

    (void)state;
    del_prop(fdt, "/soc/interrupt-controller@ff841000", "interrupts");
    SET_CELLS(fdt, "/soc/interrupt-controller@ff841000", "reg", 0xff841000, 0x1000,
              0xff842000, 0x2000);
    discover_ok(fdt, &p);
    assert_irq(p.gic.maintenance, 0, 0);
    assert_range(p.gic.gicc, 0xff842000, 0x2000);
    assert_range(p.gic.gich, 0, 0);
    assert_range(p.gic.gicv, 0, 0);
    free(fdt);
}

/*
 * Timer and interrupt specifiers
 */

static void test_timer_three_irqs(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/timer", "interrupts", 1, 13, 4, 1, 14, 4, 1, 11, 4);
    expect_fail(fdt, HYP_EFORMAT, "/timer: property 'interrupts': 3 entries", NULL);
    free(fdt);
}

static void test_timer_five_irqs(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/timer", "interrupts", 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4, 1, 12,
              4);
    discover_ok(fdt, &p);
    assert_irq(p.timer.hyp_phys, 26, 4);
    assert_irq(p.timer.hyp_virt, 28, 4);
    free(fdt);
}

static void test_timer_irq_length(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/timer", "interrupts", 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10);
    expect_fail(fdt, HYP_EFORMAT, "/timer: property 'interrupts': length 44",
                "multiple of 12");
    free(fdt);
}

static void test_ppi_out_of_range(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/timer", "interrupts", 1, 13, 4, 1, 16, 4, 1, 11, 4, 1, 10, 4);
    expect_fail(fdt, HYP_EFORMAT, "/timer: property 'interrupts': entry 1",
                "out of range");
    free(fdt);
}

static void test_spi_range(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/pl011@9000000", "interrupts", 0, 987, 1);
    discover_ok(fdt, &p);
    assert_irq(p.uart.irq, 1019, 1);
    SET_CELLS(fdt, "/pl011@9000000", "interrupts", 0, 988, 4);
    expect_fail(fdt, HYP_EFORMAT, "/pl011@9000000: property 'interrupts'",
                "out of range");
    SET_CELLS(fdt, "/pl011@9000000", "interrupts", 7, 1, 4);
    expect_fail(fdt, HYP_EFORMAT, "/pl011@9000000: property 'interrupts'",
                "unknown interrupt type 7");
    free(fdt);
}

static void test_extended_spi(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/pl011@9000000", "interrupts", 2, 5, 4);
    discover_ok(fdt, &p);
    assert_irq(p.uart.irq, 4096 + 5, 4);
    free(fdt);

    /* GICv2 has no extended ranges. */
    fdt = edit("good-gicv2");
    SET_CELLS(fdt, "/soc/serial@fe201000", "interrupts", 2, 5, 4);
    expect_fail(fdt, HYP_EFORMAT, "/soc/serial@fe201000: property 'interrupts'",
                "unknown interrupt type 2");
    free(fdt);
}

/** Add a second, non-GIC interrupt controller with phandle 0x4242. */
static void add_other_intc(void *fdt)
{
    int node = fdt_add_subnode(fdt, 0, "other-intc");

    assert_true(node >= 0);
    assert_int_equal(fdt_setprop_u32(fdt, node, "#interrupt-cells", 2), 0);
    assert_int_equal(fdt_setprop(fdt, node, "interrupt-controller", NULL, 0), 0);
    assert_int_equal(fdt_setprop_u32(fdt, node, "phandle", 0x4242), 0);
}

static void test_timer_not_on_gic(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    add_other_intc(fdt);
    SET_CELLS(fdt, "/timer", "interrupt-parent", 0x4242);
    expect_fail(fdt, HYP_ENOTSUP, "/timer: property 'interrupts'", "not the GIC");
    free(fdt);
}

static void test_uart_not_on_gic(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    add_other_intc(fdt);
    SET_CELLS(fdt, "/pl011@9000000", "interrupt-parent", 0x4242);
    discover_ok(fdt, &p); /* tolerated: the console works without its IRQ */
    assert_irq(p.uart.irq, 0, 0);
    assert_range(p.uart.regs, 0x09000000, 0x1000);
    free(fdt);
}

static void test_dangling_interrupt_parent(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/timer", "interrupt-parent", 0x7777);
    expect_fail(fdt, HYP_EFORMAT, "/timer: property 'interrupt-parent'", "0x7777");
    free(fdt);
}

/*
 * UART
 */

static void test_stdout_path_full(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/chosen", "stdout-path", "/pl011@9040000:9600");
    discover_ok(fdt, &p);
    assert_range(p.uart.regs, 0x09040000, 0x1000);
    assert_irq(p.uart.irq, 40, 4);
    free(fdt);
}

static void test_stdout_path_alias_only(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/chosen", "stdout-path", "serial1");
    discover_ok(fdt, &p);
    assert_range(p.uart.regs, 0x09040000, 0x1000);
    free(fdt);
}

static void test_stdout_path_dangling(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/chosen", "stdout-path", "serial7:115200n8");
    expect_fail(fdt, HYP_EFORMAT, "/chosen: property 'stdout-path'", "'serial7'");
    free(fdt);
}

static void test_uart_fallback_first_pl011(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    del_prop(fdt, "/chosen", "stdout-path");
    discover_ok(fdt, &p);
    assert_range(p.uart.regs, 0x09040000, 0x1000);
    assert_int_equal(p.uart.clock_hz, 24000000);
    free(fdt);
}

static void test_no_uart(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    del_prop(fdt, "/chosen", "stdout-path");
    set_string(fdt, "/pl011@9040000", "status", "disabled");
    set_string(fdt, "/pl011@9000000", "status", "fail");
    discover_ok(fdt, &p);
    assert_range(p.uart.regs, 0, 0);
    assert_string_equal(p.uart.compatible, "");
    free(fdt);
}

static void test_uart_clock_dangling(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    SET_CELLS(fdt, "/pl011@9000000", "clocks", 0x5555);
    expect_fail(fdt, HYP_EFORMAT, "/pl011@9000000: property 'clocks'", "0x5555");
    free(fdt);
}

static void test_uart_clock_cut_short(void **state)
{
    void *fdt = edit("good-gicv2");
    uint32_t ctrl;

    (void)state;
    /* The controller takes one specifier cell, which is missing. */
    ctrl = fdt_get_phandle(fdt, node_at(fdt, "/soc/clock-controller@fe101000"));
    assert_true(ctrl != 0);
    SET_CELLS(fdt, "/soc/serial@fe201000", "clocks", ctrl);
    expect_fail(fdt, HYP_EFORMAT, "/soc/serial@fe201000: property 'clocks'", "cut short");
    free(fdt);
}

static void test_uart_clock_not_fixed(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv2");

    (void)state;
    /* "uartclk" now names the clock controller's output: rate unknown. */
    set_string(fdt, "/soc/serial@fe201000", "clock-names", "uartclk");
    discover_ok(fdt, &p);
    assert_int_equal(p.uart.clock_hz, 0);
    assert_range(p.uart.regs, 0xfe201000, 0x200);
    free(fdt);
}

/*
 * Reserved memory, PSCI, model
 */

static void test_reserved_too_many(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    for (uint64_t i = 0; i < HYP_PLATFORM_MAX_RESERVED - 1; i++)
        assert_int_equal(fdt_add_mem_rsv(fdt, 0x50000000 + i * 0x1000, 0x1000), 0);
    /* 16 /memreserve/ entries fill the table; /reserved-memory/secmon overflows. */
    expect_fail(fdt, HYP_ENOMEM, "/reserved-memory/secmon@4e000000",
                "HYP_PLATFORM_MAX_RESERVED");
    free(fdt);
}

static void test_reserved_disabled_child(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/reserved-memory/secmon@4e000000", "status", "disabled");
    discover_ok(fdt, &p);
    assert_int_equal(p.reserved_count, 1);
    assert_range(p.reserved[0], 0x48000000, 0x100000);
    free(fdt);
}

static void test_psci_hvc(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/psci", "method", "hvc");
    discover_ok(fdt, &p);
    assert_int_equal(p.psci, HYP_PSCI_HVC);
    free(fdt);
}

static void test_psci_bad_method(void **state)
{
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/psci", "method", "svc");
    expect_fail(fdt, HYP_EFORMAT, "/psci: property 'method'", "'svc'");
    del_prop(fdt, "/psci", "method");
    expect_fail(fdt, HYP_EFORMAT, "/psci: property 'method'", "missing");
    free(fdt);
}

static void test_model_truncated(void **state)
{
    static const char model[] = "A board with a very long model name that does not fit "
                                "into the sixty-four byte field";
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    set_string(fdt, "/", "model", model);
    discover_ok(fdt, &p);
    assert_int_equal(strlen(p.model), sizeof(p.model) - 1);
    assert_memory_equal(p.model, model, sizeof(p.model) - 1);
    free(fdt);
}

static void test_seeds(void **state)
{
    uint8_t bytes[HYP_PLATFORM_MAX_SEED + 16];
    uint32_t kaslr[2] = {0x01234567, 0x89abcdef};
    struct hyp_platform p;
    void *fdt = edit("good-gicv3");

    (void)state;
    /* None: both stay empty. */
    fdt_delprop(fdt, node_at(fdt, "/chosen"), "rng-seed");
    fdt_delprop(fdt, node_at(fdt, "/chosen"), "kaslr-seed");
    discover_ok(fdt, &p);
    assert_int_equal(p.rng_seed_len, 0);
    assert_true(p.kaslr_seed == 0);
    /* Both, the rng-seed longer than kept: its first bytes are. */
    for (unsigned i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(
        fdt_setprop(fdt, node_at(fdt, "/chosen"), "rng-seed", bytes, sizeof(bytes)), 0);
    set_cells(fdt, "/chosen", "kaslr-seed", kaslr, 2);
    discover_ok(fdt, &p);
    assert_int_equal(p.rng_seed_len, HYP_PLATFORM_MAX_SEED);
    assert_memory_equal(p.rng_seed, bytes, HYP_PLATFORM_MAX_SEED);
    assert_true(p.kaslr_seed == 0x0123456789abcdefULL);
    /* A short one is kept whole. */
    assert_int_equal(fdt_setprop(fdt, node_at(fdt, "/chosen"), "rng-seed", bytes, 5), 0);
    discover_ok(fdt, &p);
    assert_int_equal(p.rng_seed_len, 5);
    /* A kaslr-seed that is not 64 bits is refused, by name. */
    set_cells(fdt, "/chosen", "kaslr-seed", kaslr, 1);
    expect_fail(fdt, HYP_EFORMAT, "/chosen: property 'kaslr-seed'", "length 4");
    free(fdt);
}

/*
 * Printing and error names
 */

static void test_print(void **state)
{
    struct hyp_platform p;
    void *fdt = load("good-gicv3", 0);
    FILE *tmp = tmpfile();
    char out[4096];
    size_t n;
    int saved;

    (void)state;
    assert_non_null(tmp);
    discover_ok(fdt, &p);
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
    hyp_platform_print(&p);
    fflush(stdout);
    assert_true(dup2(saved, STDOUT_FILENO) >= 0);
    close(saved);
    rewind(tmp);
    n = fread(out, 1, sizeof(out) - 1, tmp);
    out[n] = '\0';
    fclose(tmp);

    assert_non_null(strstr(out, "libhyp test board (GICv3)"));
    assert_non_null(strstr(out, "GICv3"));
    assert_non_null(strstr(out, "0x100000000..0x17fffffff"));
    assert_non_null(strstr(out, "0x0 0x1 0x100 0x100000000"));
    assert_non_null(strstr(out, "intid 27"));
    assert_non_null(strstr(out, "0x9000000..0x9000fff"));
    assert_non_null(strstr(out, "24000000 Hz"));
    assert_non_null(strstr(out, "smc"));
    free(fdt);
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(hyp_strerror(HYP_OK), "OK");
    assert_string_equal(hyp_strerror(HYP_EINVAL), "EINVAL");
    assert_string_equal(hyp_strerror(HYP_EALIGN), "EALIGN");
    assert_string_equal(hyp_strerror(HYP_ERANGE), "ERANGE");
    assert_string_equal(hyp_strerror(HYP_ENOMEM), "ENOMEM");
    assert_string_equal(hyp_strerror(HYP_EEXIST), "EEXIST");
    assert_string_equal(hyp_strerror(HYP_ENOENT), "ENOENT");
    assert_string_equal(hyp_strerror(HYP_EBUSY), "EBUSY");
    assert_string_equal(hyp_strerror(HYP_ENOTSUP), "ENOTSUP");
    assert_string_equal(hyp_strerror(HYP_EFORMAT), "EFORMAT");
    assert_string_equal(hyp_strerror(HYP_EPERM), "EPERM");
    assert_string_equal(hyp_strerror(HYP_EFIRMWARE), "EFIRMWARE");
    assert_string_equal(hyp_strerror(-12), "unknown");
    assert_string_equal(hyp_strerror(1), "unknown");
}

/*
 * DTBs dumped by QEMU
 */

static void test_qemu_gicv3(void **state)
{
    struct hyp_platform p;
    void *fdt = load("qemu-virt-gicv3", 0);

    (void)state;
    discover_ok(fdt, &p);
    assert_int_equal(p.cpu_count, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(p.cpus[i].mpidr, i);
    assert_int_equal(p.mem_count, 1);
    assert_range(p.mem[0], 0x40000000, 1ULL << 30);
    assert_int_equal(p.gic.version, 3);
    assert_range(p.gic.gicd, 0x08000000, 0x10000);
    assert_int_equal(p.gic.gicr_count, 1);
    assert_int_equal(p.gic.gicr[0].base, 0x080a0000);
    assert_irq(p.gic.maintenance, 25, 4);
    assert_int_equal(p.uart.regs.base, 0x09000000);
    assert_irq(p.uart.irq, 33, 4);
    assert_int_equal(p.uart.clock_hz, 24000000);
    assert_int_equal(p.psci, HYP_PSCI_SMC);
    assert_irq(p.timer.virt, 27, 4);
    assert_irq(p.timer.phys, 30, 4);
    assert_irq(p.timer.hyp_phys, 26, 4);
    /* QEMU leaves randomness for the kernel in /chosen. */
    assert_true(p.rng_seed_len > 0);
    free(fdt);
}

static void test_qemu_gicv2(void **state)
{
    struct hyp_platform p;
    void *fdt = load("qemu-virt-gicv2", 0);

    (void)state;
    discover_ok(fdt, &p);
    assert_int_equal(p.cpu_count, 2);
    assert_int_equal(p.mem_count, 1);
    assert_range(p.mem[0], 0x40000000, 512ULL << 20);
    assert_int_equal(p.gic.version, 2);
    assert_range(p.gic.gicd, 0x08000000, 0x10000);
    assert_range(p.gic.gicc, 0x08010000, 0x10000);
    assert_range(p.gic.gich, 0x08030000, 0x10000);
    assert_range(p.gic.gicv, 0x08040000, 0x10000);
    assert_int_equal(p.gic.gicr_count, 0);
    assert_int_equal(p.gic.maintenance.intid, 25);
    assert_int_equal(p.uart.regs.base, 0x09000000);
    assert_int_equal(p.psci, HYP_PSCI_SMC);
    assert_int_equal(p.timer.virt.intid, 27);
    free(fdt);
}

/*
 * The boards' own DTBs, from Debian's linux-image-*-arm64 (scripts/setup puts
 * them in LIBHYP_CACHE/dtbs): parsed as shipped, except for what the boot
 * firmware fills in before any hypervisor sees them (noted where done).
 */

static void test_real_rpi4(void **state)
{
    struct hyp_platform p;
    void *fdt = edit("broadcom/bcm2711-rpi-4-b");

    (void)state;
    /* The Pi's firmware (and QEMU's raspi4b) writes the RAM size into
     * /memory@0, which Debian's DTB ships as <0 0 0>. */
    SET_CELLS(fdt, "/memory@0", "reg", 0x0, 0x0, 0x3c000000);
    discover_ok(fdt, &p);
    assert_string_equal(p.model, "Raspberry Pi 4 Model B");
    assert_int_equal(p.mem_count, 1);
    assert_range(p.mem[0], 0, 0x3c000000);
    /* /memreserve/ 0 0x1000: the spin tables and the firmware's stub. */
    assert_int_equal(p.reserved_count, 1);
    assert_range(p.reserved[0], 0, 0x1000);
    assert_int_equal(p.cpu_count, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(p.cpus[i].mpidr, i);
        assert_int_equal(p.cpus[i].release_addr, 0xd8 + 8 * i);
    }
    /* The GIC-400 behind /soc's ranges: bus 0x40041000 is CPU 0xff841000. */
    assert_int_equal(p.gic.version, 2);
    assert_range(p.gic.gicd, 0xff841000, 0x1000);
    assert_range(p.gic.gicc, 0xff842000, 0x2000);
    assert_range(p.gic.gich, 0xff844000, 0x2000);
    assert_range(p.gic.gicv, 0xff846000, 0x2000);
    assert_irq(p.gic.maintenance, 25, 4);
    /* stdout-path = "serial1:115200n8": the mini UART, bus 0x7e215040. */
    assert_string_equal(p.uart.compatible, "brcm,bcm2835-aux-uart");
    assert_range(p.uart.regs, 0xfe215040, 0x40);
    assert_irq(p.uart.irq, 32 + 93, 4);
    assert_irq(p.timer.sec_phys, 29, 8);
    assert_irq(p.timer.phys, 30, 8);
    assert_irq(p.timer.virt, 27, 8);
    assert_irq(p.timer.hyp_phys, 26, 8);
    assert_int_equal(p.psci, HYP_PSCI_NONE);
    free(fdt);
}

static void test_real_zcu102(void **state)
{
    struct hyp_platform p;
    void *fdt = load("xilinx/zynqmp-zcu102-rev1.0", 0);

    (void)state;
    discover_ok(fdt, &p);
    assert_string_equal(p.model, "ZynqMP ZCU102 Rev1.0");
    assert_int_equal(p.mem_count, 2);
    assert_range(p.mem[0], 0, 0x80000000);
    assert_range(p.mem[1], 0x800000000ULL, 0x80000000);
    assert_int_equal(p.cpu_count, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(p.cpus[i].mpidr, i);
        assert_int_equal(p.cpus[i].release_addr, 0);
    }
    assert_int_equal(p.gic.version, 2);
    assert_range(p.gic.gicd, 0xf9010000, 0x10000);
    assert_range(p.gic.gicc, 0xf9020000, 0x20000);
    assert_range(p.gic.gich, 0xf9040000, 0x20000);
    assert_range(p.gic.gicv, 0xf9060000, 0x20000);
    assert_irq(p.gic.maintenance, 25, 4);
    /* stdout-path = "serial0:115200n8": Cadence UART0. */
    assert_string_equal(p.uart.compatible, "xlnx,zynqmp-uart");
    assert_range(p.uart.regs, 0xff000000, 0x1000);
    assert_irq(p.uart.irq, 32 + 21, 4);
    assert_irq(p.timer.virt, 27, 8);
    assert_irq(p.timer.hyp_phys, 26, 8);
    assert_int_equal(p.psci, HYP_PSCI_SMC);
    free(fdt);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_gicv3),
        cmocka_unit_test(test_good_gicv2),
        cmocka_unit_test(test_no_gic),
        cmocka_unit_test(test_no_memory),
        cmocka_unit_test(test_no_cpus),
        cmocka_unit_test(test_no_timer),
        cmocka_unit_test(test_bad_reg_cells),
        cmocka_unit_test(test_gicv3_no_gicr),
        cmocka_unit_test(test_ranges_nonidentity),
        cmocka_unit_test(test_ranges_second_entry),
        cmocka_unit_test(test_ranges_outside),
        cmocka_unit_test(test_ranges_bad_length),
        cmocka_unit_test(test_ranges_beyond_2_64),
        cmocka_unit_test(test_cpus_spin_table),
        cmocka_unit_test(test_mem_too_many),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_corrupt_header),
        cmocka_unit_test(test_corrupt_structure),
        cmocka_unit_test(test_old_version_root_name),
        cmocka_unit_test(test_misaligned),
        cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_address_cells_too_big),
        cmocka_unit_test(test_size_cells_too_big),
        cmocka_unit_test(test_bus_without_ranges),
        cmocka_unit_test(test_mem_zero_size),
        cmocka_unit_test(test_mem_overflow),
        cmocka_unit_test(test_mem_top_of_space),
        cmocka_unit_test(test_mem_overlap),
        cmocka_unit_test(test_mem_exactly_max),
        cmocka_unit_test(test_cpus_all_disabled),
        cmocka_unit_test(test_cpus_exactly_max),
        cmocka_unit_test(test_cpus_too_many),
        cmocka_unit_test(test_cpu_bad_mpidr),
        cmocka_unit_test(test_cpu_duplicate_mpidr),
        cmocka_unit_test(test_cpu_reg_wrong_cells),
        cmocka_unit_test(test_cpus_size_cells),
        cmocka_unit_test(test_gic_unknown),
        cmocka_unit_test(test_gic_without_reg),
        cmocka_unit_test(test_gic_too_many_gicr),
        cmocka_unit_test(test_gic_one_gicr_region),
        cmocka_unit_test(test_gicv2_without_gicc),
        cmocka_unit_test(test_gicv2_no_maintenance),
        cmocka_unit_test(test_timer_three_irqs),
        cmocka_unit_test(test_timer_five_irqs),
        cmocka_unit_test(test_timer_irq_length),
        cmocka_unit_test(test_ppi_out_of_range),
        cmocka_unit_test(test_spi_range),
        cmocka_unit_test(test_extended_spi),
        cmocka_unit_test(test_timer_not_on_gic),
        cmocka_unit_test(test_uart_not_on_gic),
        cmocka_unit_test(test_dangling_interrupt_parent),
        cmocka_unit_test(test_stdout_path_full),
        cmocka_unit_test(test_stdout_path_alias_only),
        cmocka_unit_test(test_stdout_path_dangling),
        cmocka_unit_test(test_uart_fallback_first_pl011),
        cmocka_unit_test(test_no_uart),
        cmocka_unit_test(test_uart_clock_dangling),
        cmocka_unit_test(test_uart_clock_cut_short),
        cmocka_unit_test(test_uart_clock_not_fixed),
        cmocka_unit_test(test_reserved_too_many),
        cmocka_unit_test(test_reserved_disabled_child),
        cmocka_unit_test(test_psci_hvc),
        cmocka_unit_test(test_psci_bad_method),
        cmocka_unit_test(test_model_truncated),
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_strerror),
    };
    const struct CMUnitTest qemu_tests[] = {
        cmocka_unit_test(test_qemu_gicv3),
        cmocka_unit_test(test_qemu_gicv2),
    };

    const struct CMUnitTest real_tests[] = {
        cmocka_unit_test(test_real_rpi4),
        cmocka_unit_test(test_real_zcu102),
    };

    if (argc == 3 && strcmp(argv[1], "--real") == 0) {
        dtb_dir = argv[2];
        return cmocka_run_group_tests_name("platform_real", real_tests, NULL, NULL);
    }
    if (argc == 3 && strcmp(argv[1], "--qemu") == 0) {
        dtb_dir = argv[2];
        return cmocka_run_group_tests_name("platform_qemu", qemu_tests, NULL, NULL);
    }
    if (argc == 2)
        dtb_dir = argv[1];
#ifdef HYP_TEST_DTB_DIR
    else if (argc == 1)
        dtb_dir = HYP_TEST_DTB_DIR;
#endif
    if (!dtb_dir) {
        fprintf(stderr, "usage: %s [--qemu|--real] DTB_DIR\n", argv[0]);
        return 2;
    }
    return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
