/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for guest loading: boot modules (libhyp/fdt/modules.c), kernel
 * images and layout (libhyp/fdt/image.c) and the guest DTB builder
 * (libhyp/fdt/guest_dtb.c).
 *
 * Usage: test_guest [DTB_DIR]   (DTBs compiled from tests/unit/dts-guest)
 *
 * Module error cases start from a good board and change one property with
 * libfdt. Kernel images are synthetic headers built here. Built guest DTBs
 * are read back with libfdt and with hyp_platform_discover().
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
#include <hyp/guest.h>
#include <hyp/platform.h>

/** Output buffer for built guest DTBs. */
#define OUT_SIZE 65536

/*
 * Helpers
 */

/** @p rc must be @p code and @p err must contain @p want1 (and @p want2). */
static void check_fail(int rc, const char *err, int code, const char *want1,
                       const char *want2)
{
    assert_non_null(memchr(err, '\0', HYP_GUEST_ERRLEN));
    if (rc != code || !strstr(err, want1) || (want2 && !strstr(err, want2)))
        print_error("got %s \"%s\"; want %s with \"%s\"%s%s\n", hyp_strerror(rc), err,
                    hyp_strerror(code), want1, want2 ? " and " : "", want2 ? want2 : "");
    assert_int_equal(rc, code);
    assert_non_null(strstr(err, want1));
    if (want2)
        assert_non_null(strstr(err, want2));
}

static void check_ok(int rc, const char *err)
{
    if (rc != HYP_OK)
        print_error("got %s \"%s\"\n", hyp_strerror(rc), err);
    assert_int_equal(rc, HYP_OK);
    assert_string_equal(err, "");
}

#define assert_range(r, b, s)                                                            \
    do {                                                                                 \
        assert_int_equal((r).base, (b));                                                 \
        assert_int_equal((r).size, (s));                                                 \
    } while (0)

/*
 * Boot modules
 */

static int find_mods(const void *fdt, const struct hyp_range *forbidden, unsigned n,
                     struct hyp_guest_modules *m, char *err)
{
    memset(err, 'x', HYP_GUEST_ERRLEN);
    return hyp_guest_modules_find(fdt, fdt_totalsize(fdt), forbidden, n, m, err);
}

static void expect_mods_fail(const void *fdt, const struct hyp_range *forbidden,
                             unsigned n, int code, const char *want1, const char *want2)
{
    struct hyp_guest_modules m;
    char err[HYP_GUEST_ERRLEN];

    check_fail(find_mods(fdt, forbidden, n, &m, err), err, code, want1, want2);
}

static void test_modules_dom0less(void **state)
{
    struct hyp_guest_modules m;
    char err[HYP_GUEST_ERRLEN];
    void *fdt = load("host-dom0less", 0);

    (void)state;
    check_ok(find_mods(fdt, NULL, 0, &m, err), err);
    assert_range(m.kernel, 0x49000000, 0x01200000);
    assert_range(m.ramdisk, 0x4b000000, 0x00345678);
    assert_non_null(m.bootargs);
    assert_string_equal(m.bootargs, "console=ttyAMA0 root=/dev/vda rw");
    assert_int_equal(m.kernel_node, fdt_path_offset(fdt, "/chosen/module@49000000"));
    assert_int_equal(m.ramdisk_node, fdt_path_offset(fdt, "/chosen/module@4b000000"));
    free(fdt);
}

static void test_modules_root_cells(void **state)
{
    struct hyp_guest_modules m;
    char err[HYP_GUEST_ERRLEN];
    void *fdt = load("host-dom0less-gicv2", 0);

    (void)state;
    check_ok(find_mods(fdt, NULL, 0, &m, err), err);
    assert_range(m.kernel, 0x20000000, 0x00800000);
    assert_range(m.ramdisk, 0, 0);
    assert_null(m.bootargs);
    assert_int_equal(m.ramdisk_node, -1);
    free(fdt);
}

static void test_modules_chosen_cells(void **state)
{
    struct hyp_guest_modules m;
    char err[HYP_GUEST_ERRLEN];
    void *fdt = load("modules-chosen-cells", 0);

    (void)state;
    check_ok(find_mods(fdt, NULL, 0, &m, err), err);
    assert_range(m.kernel, 0xa0000000, 0x300000);
    assert_range(m.ramdisk, 0x90000000, 0x2000);
    free(fdt);
}

static void test_modules_no_kernel(void **state)
{
    void *fdt = load("modules-no-kernel", 0);

    (void)state;
    expect_mods_fail(fdt, NULL, 0, HYP_ENOENT, "/chosen: ", "\"multiboot,kernel\"");
    free(fdt);
}

static void test_modules_two_kernels(void **state)
{
    void *fdt = load("modules-two-kernels", 0);

    (void)state;
    expect_mods_fail(fdt, NULL, 0, HYP_EEXIST,
                     "/chosen/module@90000000: ", "first is /chosen/module@80000000");
    free(fdt);
}

static void test_modules_two_ramdisks(void **state)
{
    void *fdt = edit("host-dom0less");
    int chosen = node_at(fdt, "/chosen");
    int node = fdt_add_subnode(fdt, chosen, "module@4e000000");
    static const char compat[] = "multiboot,ramdisk\0multiboot,module";

    (void)state;
    assert_true(node >= 0);
    assert_int_equal(fdt_setprop(fdt, node, "compatible", compat, sizeof(compat)), 0);
    SET_CELLS(fdt, "/chosen/module@4e000000", "reg", 0, 0x4e000000, 0, 0x1000);
    /* libfdt adds the new node first, so the original one is the second. */
    expect_mods_fail(fdt, NULL, 0, HYP_EEXIST,
                     "/chosen/module@4b000000: property 'compatible': a second "
                     "\"multiboot,ramdisk\"",
                     "first is /chosen/module@4e000000");
    free(fdt);
}

static void test_modules_no_chosen(void **state)
{
    void *fdt = edit("host-dom0less");

    (void)state;
    assert_int_equal(fdt_del_node(fdt, node_at(fdt, "/chosen")), 0);
    expect_mods_fail(fdt, NULL, 0, HYP_ENOENT, "/chosen: node missing", NULL);
    free(fdt);
}

static void test_modules_bad_reg_length(void **state)
{
    void *fdt = edit("host-dom0less");

    (void)state;
    SET_CELLS(fdt, "/chosen/module@49000000", "reg", 0, 0x49000000, 0x1000);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT, "/chosen/module@49000000: property 'reg'",
                     "length 12, expected 16");
    /* Two entries are not one module. */
    SET_CELLS(fdt, "/chosen/module@49000000", "reg", 0, 0x49000000, 0, 0x1000, 0,
              0x4a000000, 0, 0x1000);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT, "/chosen/module@49000000: property 'reg'",
                     "length 32");
    free(fdt);
}

static void test_modules_missing_reg(void **state)
{
    void *fdt = edit("host-dom0less");

    (void)state;
    assert_int_equal(fdt_delprop(fdt, node_at(fdt, "/chosen/module@4b000000"), "reg"), 0);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT,
                     "/chosen/module@4b000000: property 'reg': missing", NULL);
    free(fdt);
}

static void test_modules_zero_size(void **state)
{
    void *fdt = edit("host-dom0less");

    (void)state;
    SET_CELLS(fdt, "/chosen/module@4b000000", "reg", 0, 0x4b000000, 0, 0);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT, "/chosen/module@4b000000: property 'reg'",
                     "has size 0");
    free(fdt);
}

static void test_modules_wrap(void **state)
{
    void *fdt = edit("host-dom0less");

    (void)state;
    SET_CELLS(fdt, "/chosen/module@49000000", "reg", 0xffffffff, 0xfffff000, 0, 0x2000);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT, "/chosen/module@49000000: property 'reg'",
                     "wraps around");
    /* Ending exactly at the top of the address space is fine. */
    SET_CELLS(fdt, "/chosen/module@49000000", "reg", 0xffffffff, 0xfffff000, 0, 0x1000);
    {
        struct hyp_guest_modules m;
        char err[HYP_GUEST_ERRLEN];

        check_ok(find_mods(fdt, NULL, 0, &m, err), err);
        assert_range(m.kernel, 0xfffffffffffff000ULL, 0x1000);
    }
    free(fdt);
}

static void test_modules_overlap(void **state)
{
    void *fdt = edit("host-dom0less");

    (void)state;
    /* Ramdisk starts at the kernel's last byte. */
    SET_CELLS(fdt, "/chosen/module@4b000000", "reg", 0, 0x4a1fffff, 0, 0x1000);
    expect_mods_fail(fdt, NULL, 0, HYP_EBUSY, "/chosen/module@4b000000: property 'reg'",
                     "overlaps the kernel module 0x49000000+0x1200000");
    /* Right after it: no overlap. */
    SET_CELLS(fdt, "/chosen/module@4b000000", "reg", 0, 0x4a200000, 0, 0x1000);
    {
        struct hyp_guest_modules m;
        char err[HYP_GUEST_ERRLEN];

        check_ok(find_mods(fdt, NULL, 0, &m, err), err);
    }
    free(fdt);
}

static void test_modules_forbidden(void **state)
{
    struct hyp_guest_modules m;
    char err[HYP_GUEST_ERRLEN];
    void *fdt = load("host-dom0less", 0);
    struct hyp_range forbidden[3] = {
        {0x40000000, 0x00200000}, /* hypervisor image, away from modules */
        {0x4b345678, 0x00010000}, /* DTB, right after the ramdisk */
        {0x48fff000, 0x00001000}, /* right below the kernel */
    };

    (void)state;
    check_ok(find_mods(fdt, forbidden, 3, &m, err), err);

    forbidden[1].base = 0x4b345000; /* now over the ramdisk's tail */
    expect_mods_fail(fdt, forbidden, 3, HYP_EBUSY, "/chosen/module@4b000000: ",
                     "overlaps forbidden range 1 (0x4b345000+0x10000)");
    forbidden[1].base = 0x4b345678;
    forbidden[2].size = 0x1001; /* one byte into the kernel */
    expect_mods_fail(fdt, forbidden, 3, HYP_EBUSY,
                     "/chosen/module@49000000: ", "forbidden range 2");
    /* An empty forbidden range is skipped. */
    forbidden[2] = (struct hyp_range){0x49000000, 0};
    check_ok(find_mods(fdt, forbidden, 3, &m, err), err);
    free(fdt);
}

static void test_modules_bad_bootargs(void **state)
{
    static const char two[] = "a\0b";
    void *fdt = edit("host-dom0less");

    (void)state;
    assert_int_equal(fdt_setprop(fdt, node_at(fdt, "/chosen/module@49000000"), "bootargs",
                                 two, sizeof(two)),
                     0);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT,
                     "/chosen/module@49000000: property 'bootargs'",
                     "not a single string");
    SET_CELLS(fdt, "/chosen/module@49000000", "bootargs", 0x41424344);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT,
                     "/chosen/module@49000000: property 'bootargs'", NULL);
    free(fdt);
}

static void test_modules_bad_cells(void **state)
{
    void *fdt = edit("host-dom0less");

    (void)state;
    SET_CELLS(fdt, "/chosen", "#address-cells", 3);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT, "/chosen: property '#address-cells'",
                     "3 cells");
    SET_CELLS(fdt, "/chosen", "#address-cells", 2);
    SET_CELLS(fdt, "/chosen", "#size-cells", 0);
    expect_mods_fail(fdt, NULL, 0, HYP_EFORMAT, "/chosen: property '#size-cells'", NULL);
    free(fdt);
}

static void test_modules_blob_checks(void **state)
{
    struct hyp_guest_modules m;
    char err[HYP_GUEST_ERRLEN];
    void *fdt = load("host-dom0less", 8);
    struct hyp_range one = {0, 1};
    int rc;

    (void)state;
    rc = hyp_guest_modules_find(fdt, fdt_totalsize(fdt) - 1, NULL, 0, &m, err);
    check_fail(rc, err, HYP_EFORMAT, "DTB truncated", NULL);
    rc = hyp_guest_modules_find(fdt, 16, NULL, 0, &m, err);
    check_fail(rc, err, HYP_EFORMAT, "smaller than its header", NULL);
    rc = hyp_guest_modules_find(NULL, 100, NULL, 0, &m, err);
    check_fail(rc, err, HYP_EINVAL, "NULL DTB", NULL);
    rc = hyp_guest_modules_find(fdt, fdt_totalsize(fdt), NULL, 1, &m, err);
    check_fail(rc, err, HYP_EINVAL, "NULL forbidden", NULL);
    rc = hyp_guest_modules_find(fdt, fdt_totalsize(fdt), &one, 1, NULL, err);
    check_fail(rc, err, HYP_EINVAL, "NULL modules", NULL);

    memmove((char *)fdt + 4, fdt, fdt_totalsize(fdt));
    rc = hyp_guest_modules_find((char *)fdt + 4, 100000, NULL, 0, &m, err);
    check_fail(rc, err, HYP_EALIGN, "not 8-byte aligned", NULL);
    ((unsigned char *)fdt)[0] ^= 0xff;
    rc = hyp_guest_modules_find(fdt, 100000, NULL, 0, &m, err);
    check_fail(rc, err, HYP_EFORMAT, "bad magic", NULL);
    /* A NULL err is allowed. */
    assert_int_equal(hyp_guest_modules_find(fdt, 100000, NULL, 0, &m, NULL), HYP_EFORMAT);
    free(fdt);
}

/*
 * Kernel images
 */

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/** An arm64 Image header at the start of @p buf (which holds @p size >= 64). */
static void make_image(unsigned char *buf, size_t size, uint64_t text_offset,
                       uint64_t image_size, uint64_t flags)
{
    memset(buf, 0xa5, size);
    buf[0] = 0x4d; /* "MZ", as an EFI-stub kernel starts */
    buf[1] = 0x5a;
    put_le64(buf + 8, text_offset);
    put_le64(buf + 16, image_size);
    put_le64(buf + 24, flags);
    memset(buf + 32, 0, 24);
    memcpy(buf + 56, "ARM\x64", 4);
    memset(buf + 60, 0, 4);
}

static int parse(const void *img, uint64_t size, struct hyp_guest_image *info, char *err)
{
    memset(err, 'x', HYP_GUEST_ERRLEN);
    return hyp_guest_image_parse(img, size, info, err);
}

static void test_image_linux(void **state)
{
    static unsigned char img[4096];
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];

    (void)state;
    /* A modern kernel: text_offset 0, 4K pages, base anywhere. */
    make_image(img, sizeof(img), 0, 0x1a30000, 0xa);
    check_ok(parse(img, sizeof(img), &info, err), err);
    assert_int_equal(info.kind, HYP_GUEST_IMAGE_LINUX);
    assert_int_equal(info.file_size, 4096);
    assert_int_equal(info.text_offset, 0);
    assert_int_equal(info.image_size, 0x1a30000);
    assert_true(info.image_size_known);
    assert_int_equal(info.page_size, 4096);
    assert_true(info.phys_base_anywhere);

    /* An older one: text_offset 0x80000, 64K pages, base near start of RAM. */
    make_image(img, sizeof(img), 0x80000, 0x1000000, 3 << 1);
    check_ok(parse(img, sizeof(img), &info, err), err);
    assert_int_equal(info.text_offset, 0x80000);
    assert_int_equal(info.image_size, 0x1000000);
    assert_int_equal(info.page_size, 65536);
    assert_false(info.phys_base_anywhere);

    make_image(img, sizeof(img), 0, 0x1000000, 2 << 1);
    check_ok(parse(img, sizeof(img), &info, err), err);
    assert_int_equal(info.page_size, 16384);
    make_image(img, sizeof(img), 0, 0x1000000, 0);
    check_ok(parse(img, sizeof(img), &info, err), err);
    assert_int_equal(info.page_size, 0);

    /* The file may be exactly image_size (no BSS) but no larger. */
    make_image(img, sizeof(img), 0, sizeof(img), 0);
    check_ok(parse(img, sizeof(img), &info, err), err);
    assert_int_equal(info.image_size, 4096);
}

static void test_image_legacy(void **state)
{
    static unsigned char img[8192];
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];

    (void)state;
    /* image_size 0: text_offset's endianness is unknown, 0x80000 assumed. */
    make_image(img, sizeof(img), 0x12345, 0, 0);
    check_ok(parse(img, 5000, &info, err), err);
    assert_int_equal(info.kind, HYP_GUEST_IMAGE_LINUX);
    assert_int_equal(info.text_offset, 0x80000);
    assert_int_equal(info.image_size, 5000);
    assert_false(info.image_size_known);
    assert_int_equal(info.file_size, 5000);
}

static void test_image_big_endian(void **state)
{
    static unsigned char img[256];
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];

    (void)state;
    make_image(img, sizeof(img), 0, 0x100000, 0xb);
    check_fail(parse(img, sizeof(img), &info, err), err, HYP_ENOTSUP, "flags 0xb",
               "big-endian");
}

static void test_image_truncated(void **state)
{
    static unsigned char img[64];
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];

    (void)state;
    make_image(img, sizeof(img), 0, 0x100000, 0xa);
    check_ok(parse(img, 64, &info, err), err);
    /* The magic is there but the header is cut short. */
    check_fail(parse(img, 63, &info, err), err, HYP_EFORMAT, "truncated, 63 bytes of 64",
               NULL);
    check_fail(parse(img, 60, &info, err), err, HYP_EFORMAT, "truncated, 60 bytes", NULL);
    /* Without the whole magic it is just a short raw binary. */
    check_ok(parse(img, 59, &info, err), err);
    assert_int_equal(info.kind, HYP_GUEST_IMAGE_RAW);
    check_fail(parse(img, 0, &info, err), err, HYP_EFORMAT, "empty", NULL);
}

static void test_image_inconsistent(void **state)
{
    static unsigned char img[4096];
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];

    (void)state;
    make_image(img, sizeof(img), 0, 4095, 0xa);
    check_fail(parse(img, sizeof(img), &info, err), err, HYP_EFORMAT,
               "file is 0x1000 bytes, more than its image_size 0xfff", NULL);
    make_image(img, sizeof(img), 0x80002, 0x100000, 0xa);
    check_fail(parse(img, sizeof(img), &info, err), err, HYP_EFORMAT,
               "text_offset 0x80002 is not a multiple of 4", NULL);
}

static void test_image_raw(void **state)
{
    static const unsigned char code[12] = {0x1f, 0x20, 0x03, 0xd5}; /* nop ... */
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];
    uint64_t load, entry;

    (void)state;
    check_ok(parse(code, sizeof(code), &info, err), err);
    assert_int_equal(info.kind, HYP_GUEST_IMAGE_RAW);
    assert_int_equal(info.text_offset, HYP_GUEST_RAW_OFFSET);
    assert_int_equal(info.image_size, 12);
    assert_int_equal(info.page_size, 0);
    check_ok(hyp_guest_image_place(&info, 0x40000000, 0x100000, &load, &entry, err), err);
    assert_int_equal(load, 0x40080000);
    assert_int_equal(entry, 0x40080000);
    /* A raw binary is not moved to a 2 MiB boundary. */
    check_ok(hyp_guest_image_place(&info, 0x40010000, 0x100000, &load, &entry, err), err);
    assert_int_equal(load, 0x40090000);
    /* ... but must fit after the 0x80000 offset. */
    check_fail(hyp_guest_image_place(&info, 0x40000000, 0x80000, &load, &entry, err), err,
               HYP_ERANGE, "do not fit in guest RAM 0x40000000+0x80000", NULL);
}

static void test_image_null(void **state)
{
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];
    uint64_t load, entry;

    (void)state;
    check_fail(parse(NULL, 10, &info, err), err, HYP_EINVAL, "NULL image", NULL);
    check_fail(parse("x", 1, NULL, err), err, HYP_EINVAL, "NULL image info", NULL);
    assert_int_equal(hyp_guest_image_place(NULL, 0, 1, &load, &entry, err), HYP_EINVAL);
}

static void test_image_place(void **state)
{
    static unsigned char img[4096];
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];
    uint64_t load, entry;

    (void)state;
    make_image(img, sizeof(img), 0, 0x1000000, 0xa);
    check_ok(parse(img, sizeof(img), &info, err), err);
    check_ok(hyp_guest_image_place(&info, 0x40000000, 0x8000000, &load, &entry, err),
             err);
    assert_int_equal(load, 0x40000000);
    assert_int_equal(entry, 0x40000000);
    /* An unaligned RAM base moves the kernel up to the next 2 MiB. */
    check_ok(hyp_guest_image_place(&info, 0x40010000, 0x8000000, &load, &entry, err),
             err);
    assert_int_equal(load, 0x40200000);

    make_image(img, sizeof(img), 0x80000, 0x1000000, 0x2);
    check_ok(parse(img, sizeof(img), &info, err), err);
    check_ok(hyp_guest_image_place(&info, 0x40000000, 0x8000000, &load, &entry, err),
             err);
    assert_int_equal(load, 0x40080000);
    assert_int_equal(entry, 0x40080000);
    check_ok(hyp_guest_image_place(&info, 0x40010000, 0x8000000, &load, &entry, err),
             err);
    assert_int_equal(load, 0x40280000);

    /* Fits exactly, then one byte short. */
    check_ok(hyp_guest_image_place(&info, 0x40000000, 0x1080000, &load, &entry, err),
             err);
    check_fail(hyp_guest_image_place(&info, 0x40000000, 0x107ffff, &load, &entry, err),
               err, HYP_ERANGE, "0x1000000 bytes at offset 0x80000", "do not fit");
    /* Larger than all of guest RAM. */
    check_fail(hyp_guest_image_place(&info, 0x40000000, 0x800000, &load, &entry, err),
               err, HYP_ERANGE, "do not fit", NULL);
    /* The 2 MiB round-up can leave the bank entirely. */
    check_fail(hyp_guest_image_place(&info, 0x40010000, 0x100000, &load, &entry, err),
               err, HYP_ERANGE, "do not fit", NULL);
    check_fail(
        hyp_guest_image_place(&info, 0xfffffffffff00000ULL, 0x100000, &load, &entry, err),
        err, HYP_ERANGE, "no 2 MiB boundary", NULL);
    check_fail(
        hyp_guest_image_place(&info, 0xfffffffffff00000ULL, 0x200000, &load, &entry, err),
        err, HYP_EINVAL, "wraps around", NULL);
    check_fail(hyp_guest_image_place(&info, 0x40000000, 0, &load, &entry, err), err,
               HYP_EINVAL, "size 0", NULL);
}

/*
 * Layout
 */

static struct hyp_guest_image linux_image(uint64_t text_offset, uint64_t image_size)
{
    static unsigned char img[4096];
    struct hyp_guest_image info;
    char err[HYP_GUEST_ERRLEN];

    make_image(img, sizeof(img), text_offset, image_size, 0xa);
    check_ok(parse(img, sizeof(img), &info, err), err);
    return info;
}

static void test_layout_fits(void **state)
{
    struct hyp_guest_image k = linux_image(0, 0x1400000);
    struct hyp_guest_layout l;
    char err[HYP_GUEST_ERRLEN];

    (void)state;
    check_ok(hyp_guest_layout(&k, 0x345678, 0x2000, 0x40000000, 0x8000000, &l, err), err);
    assert_int_equal(l.kernel_load, 0x40000000);
    assert_int_equal(l.kernel_entry, 0x40000000);
    assert_range(l.kernel, 0x40000000, 0x1400000);
    assert_range(l.initrd, 0x41400000, 0x345678);
    assert_range(l.dtb, 0x41800000, 0x2000);

    /* No initrd: the DTB follows the kernel (its BSS included). */
    k = linux_image(0x80000, 0x1410000);
    check_ok(hyp_guest_layout(&k, 0, 0x10000, 0x40000000, 0x8000000, &l, err), err);
    assert_range(l.kernel, 0x40080000, 0x1410000);
    assert_range(l.initrd, 0, 0);
    assert_range(l.dtb, 0x41600000, 0x10000);

    /* Everything ends exactly at the top of RAM. */
    k = linux_image(0, 0x200000);
    check_ok(
        hyp_guest_layout(&k, 0x200000, HYP_GUEST_DTB_MAX, 0x40000000, 0x600000, &l, err),
        err);
    assert_range(l.dtb, 0x40400000, HYP_GUEST_DTB_MAX);
}

static void test_layout_does_not_fit(void **state)
{
    struct hyp_guest_image k = linux_image(0, 0x1400000);
    struct hyp_guest_layout l;
    char err[HYP_GUEST_ERRLEN];

    (void)state;
    /* RAM 0x40000000..0x42000000: kernel to 0x41400000, 12 MiB left. */
    check_fail(hyp_guest_layout(&k, 0xc00001, 0x1000, 0x40000000, 0x2000000, &l, err),
               err, HYP_ERANGE, "initrd: 0xc00001 bytes do not fit", NULL);
    check_fail(hyp_guest_layout(&k, 0xa00001, 0x1000, 0x40000000, 0x2000000, &l, err),
               err, HYP_ERANGE, "guest DTB: 0x1000 bytes do not fit", NULL);
    check_ok(hyp_guest_layout(&k, 0xa00000, 0x1000, 0x40000000, 0x2000000, &l, err), err);
    assert_range(l.dtb, 0x41e00000, 0x1000);
    check_fail(hyp_guest_layout(&k, 0, 0x1000, 0x40000000, 0x1000000, &l, err), err,
               HYP_ERANGE, "kernel image", "do not fit");
    check_fail(
        hyp_guest_layout(&k, 0, HYP_GUEST_DTB_MAX + 1, 0x40000000, 0x8000000, &l, err),
        err, HYP_EINVAL, "guest DTB: size 0x200001", NULL);
    check_fail(hyp_guest_layout(&k, 0, 0, 0x40000000, 0x8000000, &l, err), err,
               HYP_EINVAL, "guest DTB: size 0x0", NULL);
    check_fail(hyp_guest_layout(NULL, 0, 1, 0x40000000, 0x8000000, &l, err), err,
               HYP_EINVAL, "NULL", NULL);
}

/* Same layout as hyp_guest_layout() gives. */
static void assert_standard(const struct hyp_guest_image *k, uint64_t initrd_size,
                            const struct hyp_guest_layout *got)
{
    struct hyp_guest_layout want;
    char err[HYP_GUEST_ERRLEN];

    check_ok(
        hyp_guest_layout(k, initrd_size, 0x10000, 0x40000000, 0x10000000, &want, err),
        err);
    assert_memory_equal(got, &want, sizeof(want));
}

/* Modules already in guest RAM stay there when the boot protocol allows;
 * otherwise the layout is the ordinary one (everything copied). */
static void test_layout_in_place(void **state)
{
    struct hyp_guest_image k = linux_image(0, 0x1400000), raw;
    struct hyp_guest_layout l;
    char err[HYP_GUEST_ERRLEN];
    static unsigned char bin[4096];

    (void)state;
    /* RAM 0x40000000..0x50000000; kernel at 0x4e000000 (image to 0x4f400000),
     * initrd at 0x4f500000: both stay, the DTB goes to RAM's base. */
    check_ok(hyp_guest_layout_in_place(&k, 0x4e000000, 0x100000, 0x4f500000, 0x10000,
                                       0x40000000, 0x10000000, &l, err),
             err);
    assert_int_equal(l.kernel_load, 0x4e000000);
    assert_int_equal(l.kernel_entry, 0x4e000000);
    assert_range(l.kernel, 0x4e000000, 0x1400000);
    assert_range(l.initrd, 0x4f500000, 0x100000);
    assert_range(l.dtb, 0x40000000, 0x10000);

    /* Kernel at RAM's base: the DTB after it, in a 2 MiB block of its own
     * (the initrd's block starts at 0x41400000). */
    check_ok(hyp_guest_layout_in_place(&k, 0x40000000, 0x100000, 0x41500000, 0x10000,
                                       0x40000000, 0x10000000, &l, err),
             err);
    assert_range(l.dtb, 0x41600000, 0x10000);

    /* Not 2 MiB aligned, BSS running into the initrd, outside RAM, nowhere:
     * the ordinary layout. */
    check_ok(hyp_guest_layout_in_place(&k, 0x4e001000, 0x100000, 0x4f500000, 0x10000,
                                       0x40000000, 0x10000000, &l, err),
             err);
    assert_standard(&k, 0x100000, &l);
    check_ok(hyp_guest_layout_in_place(&k, 0x4e000000, 0x100000, 0x4f300000, 0x10000,
                                       0x40000000, 0x10000000, &l, err),
             err);
    assert_standard(&k, 0x100000, &l);
    check_ok(hyp_guest_layout_in_place(&k, 0x4f000000, 0, HYP_GUEST_NOWHERE, 0x10000,
                                       0x40000000, 0x10000000, &l, err),
             err);
    assert_standard(&k, 0, &l);
    check_ok(hyp_guest_layout_in_place(&k, HYP_GUEST_NOWHERE, 0x100000, 0x4f500000,
                                       0x10000, 0x40000000, 0x10000000, &l, err),
             err);
    assert_standard(&k, 0x100000, &l);
    /* The initrd outside RAM: copied, and then the kernel too. */
    check_ok(hyp_guest_layout_in_place(&k, 0x4e000000, 0x100000, HYP_GUEST_NOWHERE,
                                       0x10000, 0x40000000, 0x10000000, &l, err),
             err);
    assert_standard(&k, 0x100000, &l);

    /* A header that asks to sit near the base of RAM, and a raw binary, are
     * never left where they are. */
    k.phys_base_anywhere = false;
    check_ok(hyp_guest_layout_in_place(&k, 0x4e000000, 0, HYP_GUEST_NOWHERE, 0x10000,
                                       0x40000000, 0x10000000, &l, err),
             err);
    assert_standard(&k, 0, &l);
    check_ok(parse(bin, sizeof(bin), &raw, err), err);
    assert_int_equal(raw.kind, HYP_GUEST_IMAGE_RAW);
    check_ok(hyp_guest_layout_in_place(&raw, 0x40000000, 0, HYP_GUEST_NOWHERE, 0x10000,
                                       0x40000000, 0x10000000, &l, err),
             err);
    assert_standard(&raw, 0, &l);
}

static void test_layout_initrd_window(void **state)
{
    struct hyp_guest_image k = linux_image(0, 0x1400000);
    struct hyp_guest_layout l;
    char err[HYP_GUEST_ERRLEN];

    (void)state;
    /* 64 GiB of RAM at 1 GiB: the initrd must end by 33 GiB. */
    check_ok(hyp_guest_layout(&k, (32ULL << 30) - 0x1400000, 0x1000, 0x40000000,
                              64ULL << 30, &l, err),
             err);
    assert_int_equal(l.initrd.base + l.initrd.size, 0x40000000 + (32ULL << 30));
    check_fail(hyp_guest_layout(&k, (32ULL << 30) - 0x13fffff, 0x1000, 0x40000000,
                                64ULL << 30, &l, err),
               err, HYP_ERANGE, "32 GiB window at 0x40000000", NULL);
}

static void test_layout_initrd_window_unaligned(void **state)
{
    struct hyp_guest_image k = linux_image(0, 0x1400000);
    struct hyp_guest_layout l;
    char err[HYP_GUEST_ERRLEN];
    uint64_t room = 0x40000000 + (32ULL << 30) - 0x51400000;

    (void)state;
    /* RAM at 0x50000000: the window starts at the 1 GiB boundary below. */
    check_ok(hyp_guest_layout(&k, room, 0x1000, 0x50000000, 64ULL << 30, &l, err), err);
    assert_range(l.initrd, 0x51400000, room);
    check_fail(hyp_guest_layout(&k, room + 1, 0x1000, 0x50000000, 64ULL << 30, &l, err),
               err, HYP_ERANGE, "32 GiB window at 0x40000000", NULL);
}

/** Many sizes: the three ranges never overlap and always lie in RAM. */
static void test_layout_property(void **state)
{
    static const uint64_t kernels[] = {0x1000, 0x1fffff, 0x200000, 0x200001, 0x1234567};
    static const uint64_t initrds[] = {0, 1, 0x1000, 0x1fffff, 0x200000, 0x789abc};
    static const uint64_t dtbs[] = {1, 0x40, 0x1000, 0x1ff000, HYP_GUEST_DTB_MAX};
    static const uint64_t bases[] = {0x40000000, 0x40001000, 0x801ff000};
    unsigned ok = 0, refused = 0;

    (void)state;
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 6; b++)
            for (size_t d = 0; d < 5; d++)
                for (size_t r = 0; r < 3; r++)
                    for (uint64_t off = 0; off <= 0x80000; off += 0x80000) {
                        struct hyp_guest_image k = linux_image(off, kernels[a]);
                        struct hyp_guest_layout l;
                        char err[HYP_GUEST_ERRLEN];
                        uint64_t ram = 0x1c00000, end = bases[r] + ram;
                        int rc = hyp_guest_layout(&k, initrds[b], dtbs[d], bases[r], ram,
                                                  &l, err);

                        if (rc != HYP_OK) {
                            assert_int_equal(rc, HYP_ERANGE);
                            refused++;
                            continue;
                        }
                        ok++;
                        assert_int_equal(l.kernel_load % 0x200000, off);
                        assert_true(l.kernel.base >= bases[r]);
                        assert_true(l.kernel.base + l.kernel.size <= l.dtb.base);
                        assert_true(l.dtb.base % 8 == 0);
                        assert_true(l.dtb.base + l.dtb.size <= end);
                        if (initrds[b]) {
                            assert_true(l.kernel.base + l.kernel.size <= l.initrd.base);
                            assert_true(l.initrd.base + l.initrd.size <= l.dtb.base);
                        }
                    }
    /* Both outcomes occur, so the loop tests something. */
    assert_true(ok > 100);
    assert_true(refused > 10);
}

/*
 * Guest DTB builder
 */

static const struct hyp_range v3_mem[2] = {
    {0x80000000, 0x10000000}, /* listed first, discovery sorts */
    {0x40000000, 0x20000000},
};
static const uint64_t v3_mpidr[3] = {0x0, 0x1, 0x100};

static struct hyp_guest_dtb_cfg v3_cfg(void)
{
    struct hyp_guest_dtb_cfg cfg = {
        .mem = v3_mem,
        .mem_count = 2,
        .mpidr = v3_mpidr,
        .vcpu_count = 3,
        .psci = HYP_PSCI_HVC,
        .gic =
            {
                .version = 3,
                .gicd = {0x08000000, 0x10000},
                .gicr = {{0x080a0000, 3 * 0x20000}},
                .gicr_count = 1,
            },
        .uart = {0x09000000, 0x1000},
        .uart_irq = {.intid = 33, .flags = 0},
        .bootargs = "console=ttyAMA0 earlycon",
        .initrd = {0x41000000, 0x345678},
    };
    return cfg;
}

static void *out_buf(void)
{
    void *out = aligned_alloc(8, OUT_SIZE);

    assert_non_null(out);
    memset(out, 0xee, OUT_SIZE);
    return out;
}

static int build(const void *host, const struct hyp_guest_dtb_cfg *cfg, void *out,
                 size_t size, char *err)
{
    memset(err, 'x', HYP_GUEST_ERRLEN);
    return hyp_guest_dtb_build(host, cfg, out, size, err);
}

static const char *get_str(const void *fdt, const char *path, const char *prop)
{
    int len;
    const char *s = fdt_getprop(fdt, node_at(fdt, path), prop, &len);

    if (!s)
        print_error("%s: no property %s\n", path, prop);
    assert_non_null(s);
    assert_true(len > 0 && s[len - 1] == '\0');
    return s;
}

static uint64_t get_u64(const void *fdt, const char *path, const char *prop)
{
    int len;
    const fdt64_t *p = fdt_getprop(fdt, node_at(fdt, path), prop, &len);

    assert_non_null(p);
    assert_int_equal(len, 8);
    return fdt64_ld(p);
}

/** All enabled device_type = "memory" ranges of @p fdt (2+2 cells). */
static unsigned memory_nodes(const void *fdt, struct hyp_range *out, unsigned max)
{
    unsigned n = 0;

    for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
         node = fdt_next_node(fdt, node, NULL)) {
        int len;
        const char *dt = fdt_getprop(fdt, node, "device_type", &len);
        const fdt32_t *reg;

        if (!dt || strcmp(dt, "memory") != 0)
            continue;
        reg = fdt_getprop(fdt, node, "reg", &len);
        assert_non_null(reg);
        for (int i = 0; i + 16 <= len; i += 16) {
            const fdt32_t *e = reg + i / 4;

            assert_true(n < max);
            out[n].base = ((uint64_t)fdt32_ld(e) << 32) | fdt32_ld(e + 1);
            out[n].size = ((uint64_t)fdt32_ld(e + 2) << 32) | fdt32_ld(e + 3);
            n++;
        }
    }
    return n;
}

/* Passed-through device nodes are copied with their references remapped to
 * the guest's own GIC and clock; nodes that are not root children are not. */
static void test_dtb_passthrough(void **state)
{
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    char err[HYP_GUEST_ERRLEN];
    void *host = load("host-dom0less", 0);
    void *out = out_buf();
    int nodes[2], dev, len;
    const fdt32_t *p;
    uint32_t gic_ph, clk_ph;

    (void)state;
    nodes[0] = node_at(host, "/pl011@9040000");
    nodes[1] = node_at(host, "/cpus/cpu@0");
    cfg.passthrough = nodes;
    cfg.passthrough_count = 2;
    /* /cpus/cpu@0 is not a device the guest can be given. */
    assert_int_equal(build(host, &cfg, out, OUT_SIZE, err), HYP_ENOTSUP);
    assert_non_null(strstr(err, "/cpus/cpu@0: not a child of the root"));
    cfg.passthrough_count = 1;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_int_equal(fdt_check_full(out, fdt_totalsize(out)), 0);

    gic_ph = fdt_get_phandle(out, fdt_node_offset_by_compatible(out, -1, "arm,gic-v3"));
    clk_ph = fdt_get_phandle(out, node_at(out, "/apb-pclk"));
    assert_true(gic_ph != 0 && clk_ph != 0 && gic_ph != clk_ph);
    dev = node_at(out, "/pl011@9040000");
    p = fdt_getprop(out, dev, "interrupts", &len);
    assert_non_null(p);
    assert_int_equal(len, 12);
    assert_int_equal(fdt32_ld(p + 1), 8);
    p = fdt_getprop(out, dev, "clocks", &len);
    assert_non_null(p);
    assert_int_equal(len, 8);
    assert_int_equal(fdt32_ld(p), clk_ph);
    assert_int_equal(fdt32_ld(p + 1), clk_ph);
    p = fdt_getprop(out, dev, "reg", &len);
    assert_non_null(p);
    assert_int_equal(fdt32_ld(p + 1), 0x09040000);
    assert_null(fdt_getprop(out, dev, "phandle", &len));
    /* The root's interrupt parent governs it: the guest GIC. */
    p = fdt_getprop(out, 0, "interrupt-parent", &len);
    assert_non_null(p);
    assert_int_equal(fdt32_ld(p), gic_ph);
    assert_int_equal(fdt_path_offset(out, "/cpu@0"), -FDT_ERR_NOTFOUND);
    free(out);
    free(host);
}

/** `reg` of @p node in @p fdt as 2+2 cells: entry @p i. */
static struct hyp_range reg_at(const void *fdt, int node, int i)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, "reg", &len);

    assert_non_null(p);
    assert_true(len >= 16 * (i + 1));
    p += 4 * i;
    return (struct hyp_range){((uint64_t)fdt32_ld(p) << 32) | fdt32_ld(p + 1),
                              ((uint64_t)fdt32_ld(p + 2) << 32) | fdt32_ld(p + 3)};
}

/* Which host nodes can be described, and why the others cannot. */
static void test_check_device(void **state)
{
    static const struct {
        const char *path;
        int rc;
        const char *why;
    } cases[] = {
        {"/virtio_mmio@a000000", HYP_OK, ""},
        {"/soc/rtc@9010000", HYP_OK, ""},
        {"/pl061@9030000", HYP_OK, ""},
        {"/soc/bad-gpio-user@9100000", HYP_ENOTSUP, "interrupts go to 'pl061@9030000'"},
        {"/msi-user@9200000", HYP_ENOTSUP, "property 'msi-parent' refers to nodes"},
        {"/divided-clock-user@9400000", HYP_ENOTSUP,
         "'clock-controller@9300000' is not a fixed clock"},
        {"/xlate-bus@20000000/behind@1000", HYP_ENOTSUP,
         "parent 'xlate-bus@20000000' translates"},
        {"/xlate-bus@20000000", HYP_ENOTSUP, "property 'ranges'"},
        {"/timer", HYP_EFORMAT, "property 'reg': missing"},
    };
    char err[HYP_GUEST_ERRLEN];
    void *host = load("host-devices", 0);

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(err, 'x', sizeof(err));
        assert_int_equal(
            hyp_guest_dtb_check_device(host, node_at(host, cases[i].path), err),
            cases[i].rc);
        if (strstr(err, cases[i].why) == NULL ||
            (cases[i].rc != HYP_OK && strstr(err, cases[i].path) == NULL))
            print_error("%s: message \"%s\"\n", cases[i].path, err);
        assert_non_null(strstr(err, cases[i].why));
        if (cases[i].rc != HYP_OK)
            assert_non_null(strstr(err, cases[i].path));
    }
    assert_int_equal(hyp_guest_dtb_check_device(host, 0, err), HYP_EINVAL);
    assert_int_equal(hyp_guest_dtb_check_device(NULL, 1, err), HYP_EINVAL);
    free(host);
}

/* virtio-mmio transports, a bus child re-encoded to 2+2 cells, and clocks:
 * the 24 MHz one is the UART's apb-pclk, the 33 MHz one is copied. */
static void test_dtb_devices(void **state)
{
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    char err[HYP_GUEST_ERRLEN];
    void *host = load("host-devices", 0);
    void *out = out_buf();
    int nodes[4], dev, clk, len;
    const fdt32_t *p;
    struct hyp_range r;
    uint32_t uart_clk;

    (void)state;
    nodes[0] = node_at(host, "/virtio_mmio@a000000");
    nodes[1] = node_at(host, "/virtio_mmio@a000200");
    nodes[2] = node_at(host, "/soc/rtc@9010000");
    nodes[3] = node_at(host, "/pl061@9030000");
    cfg.passthrough = nodes;
    cfg.passthrough_count = 4;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_int_equal(fdt_check_full(out, fdt_totalsize(out)), 0);

    dev = node_at(out, "/virtio_mmio@a000200");
    assert_int_equal(fdt_node_check_compatible(out, dev, "virtio,mmio"), 0);
    assert_non_null(fdt_getprop(out, dev, "dma-coherent", &len));
    r = reg_at(out, dev, 0);
    assert_int_equal(r.base, 0x0a000200);
    assert_int_equal(r.size, 0x200);
    p = fdt_getprop(out, dev, "interrupts", &len);
    assert_true(p != NULL && len == 12 && fdt32_ld(p + 1) == 17 && fdt32_ld(p + 2) == 1);

    /* The bus child is a root child now, its reg in 2+2 cells. */
    dev = node_at(out, "/rtc@9010000");
    r = reg_at(out, dev, 0);
    assert_int_equal(r.base, 0x09010000);
    assert_int_equal(r.size, 0x1000);
    uart_clk = fdt_get_phandle(out, node_at(out, "/apb-pclk"));
    p = fdt_getprop(out, dev, "clocks", &len);
    assert_true(p != NULL && len == 4 && fdt32_ld(p) == uart_clk);

    /* The PL061's 33 MHz clock is copied with a phandle of its own. */
    dev = node_at(out, "/pl061@9030000");
    clk = node_at(out, "/apb-pclk-33");
    p = fdt_getprop(out, dev, "clocks", &len);
    assert_true(p != NULL && len == 4);
    assert_int_equal(fdt32_ld(p), fdt_get_phandle(out, clk));
    assert_true(fdt32_ld(p) != uart_clk && fdt32_ld(p) != 0);
    p = fdt_getprop(out, clk, "clock-frequency", &len);
    assert_true(p != NULL && len == 4 && fdt32_ld(p) == 33000000);
    assert_non_null(fdt_getprop(out, dev, "gpio-controller", &len));
    assert_null(fdt_getprop(out, dev, "phandle", &len));

    /* Without a UART the 24 MHz clock is copied under its own name too. */
    cfg.uart.size = 0;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    clk = node_at(out, "/apb-pclk");
    p = fdt_getprop(out, node_at(out, "/rtc@9010000"), "clocks", &len);
    assert_true(p != NULL && len == 4);
    assert_int_equal(fdt32_ld(p), fdt_get_phandle(out, clk));

    /* A device that cannot be described fails the whole build. */
    nodes[3] = node_at(host, "/msi-user@9200000");
    assert_int_equal(build(host, &cfg, out, OUT_SIZE, err), HYP_ENOTSUP);
    assert_non_null(strstr(err, "/msi-user@9200000: property 'msi-parent'"));
    free(out);
    free(host);
}

/* hyp_platform_for_each_device() reports each reg entry with the node's SPIs. */
static int collect(const struct hyp_device *dev, void *arg)
{
    struct hyp_device *seen = arg;

    if (dev->reg.base == 0x09040000)
        *seen = *dev;
    return 0;
}

static void test_platform_devices(void **state)
{
    struct hyp_device seen = {0};
    void *host = load("host-dom0less", 0);

    (void)state;
    assert_int_equal(hyp_platform_for_each_device(host, collect, &seen), 0);
    assert_string_equal(seen.name, "pl011@9040000");
    assert_int_equal(seen.node, node_at(host, "/pl011@9040000"));
    assert_int_equal(seen.reg_index, 0);
    assert_int_equal(seen.reg.size, 0x1000);
    assert_int_equal(seen.irq_count, 1);
    assert_int_equal(seen.irqs[0].intid, 40);
    assert_int_equal(seen.irqs[0].flags, 4);
    free(host);
}

static void test_dtb_gicv3_round_trip(void **state)
{
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    struct hyp_platform p;
    struct hyp_range mem[8];
    char err[HYP_GUEST_ERRLEN], perr[HYP_PLATFORM_ERRLEN];
    void *host = load("host-dom0less", 0);
    void *out = out_buf();
    int gic, rc;

    (void)state;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_int_equal(fdt_check_full(out, fdt_totalsize(out)), 0);
    assert_true(fdt_totalsize(out) < OUT_SIZE);

    rc = hyp_platform_discover(out, fdt_totalsize(out), &p, perr);
    if (rc != HYP_OK)
        print_error("discover: %s\n", perr);
    assert_int_equal(rc, HYP_OK);
    assert_string_equal(p.model, "libhyp test board (GICv3) (libhyp guest)");
    assert_int_equal(p.mem_count, 2);
    assert_range(p.mem[0], 0x40000000, 0x20000000);
    assert_range(p.mem[1], 0x80000000, 0x10000000);
    assert_int_equal(p.cpu_count, 3);
    assert_int_equal(p.cpus[0].mpidr, 0x0);
    assert_int_equal(p.cpus[1].mpidr, 0x1);
    assert_int_equal(p.cpus[2].mpidr, 0x100);
    assert_int_equal(p.gic.version, 3);
    assert_range(p.gic.gicd, 0x08000000, 0x10000);
    assert_int_equal(p.gic.gicr_count, 1);
    assert_range(p.gic.gicr[0], 0x080a0000, 0x60000);
    assert_range(p.gic.gicc, 0, 0);
    assert_int_equal(p.gic.maintenance.intid, 25); /* host's <1 9 4> */
    assert_int_equal(p.gic.maintenance.flags, 4);
    assert_int_equal(p.timer.sec_phys.intid, 29);
    assert_int_equal(p.timer.phys.intid, 30);
    assert_int_equal(p.timer.virt.intid, 27);
    assert_int_equal(p.timer.hyp_phys.intid, 26);
    assert_int_equal(p.timer.virt.flags, 4);
    assert_int_equal(p.timer.frequency_hz, 62500000);
    assert_range(p.uart.regs, 0x09000000, 0x1000);
    assert_int_equal(p.uart.irq.intid, 33);
    assert_int_equal(p.uart.irq.flags, 4);
    assert_int_equal(p.uart.clock_hz, 24000000);
    assert_string_equal(p.uart.compatible, "arm,pl011");
    assert_int_equal(p.psci, HYP_PSCI_HVC);
    assert_int_equal(p.reserved_count, 0); /* the host's /memreserve/ stays behind */

    /* Only the configured RAM: the host's banks (and the hypervisor in them)
     * are not described. */
    assert_int_equal(memory_nodes(out, mem, 8), 2);
    assert_range(mem[0], 0x80000000, 0x10000000);
    assert_range(mem[1], 0x40000000, 0x20000000);
    assert_true(fdt_path_offset(out, "/memory@100000000") < 0);
    node_at(out, "/memory@80000000");
    node_at(out, "/memory@40000000");

    assert_string_equal(get_str(out, "/chosen", "bootargs"), "console=ttyAMA0 earlycon");
    assert_string_equal(get_str(out, "/chosen", "stdout-path"), "/serial@9000000");
    assert_string_equal(get_str(out, "/aliases", "serial0"), "/serial@9000000");
    assert_int_equal(get_u64(out, "/chosen", "linux,initrd-start"), 0x41000000);
    assert_int_equal(get_u64(out, "/chosen", "linux,initrd-end"), 0x41345678);
    assert_true(fdt_path_offset(out, "/chosen/module@49000000") < 0);
    assert_string_equal(get_str(out, "/cpus/cpu@100", "enable-method"), "psci");
    assert_string_equal(get_str(out, "/cpus/cpu@1", "compatible"), "arm,armv8");
    assert_string_equal(get_str(out, "/psci", "method"), "hvc");
    assert_int_equal(
        fdt_node_check_compatible(out, node_at(out, "/psci"), "arm,psci-0.2"), 0);
    assert_string_equal(get_str(out, "/", "compatible"), "libhyp,guest");

    gic = node_at(out, "/interrupt-controller@8000000");
    assert_true(fdt_first_subnode(out, gic) < 0); /* no ITS */
    assert_null(fdt_getprop(out, gic, "msi-controller", NULL));
    assert_string_equal(get_str(out, "/interrupt-controller@8000000", "compatible"),
                        "arm,gic-v3");
    assert_non_null(fdt_getprop(out, node_at(out, "/timer"), "always-on", NULL));
    assert_int_equal(
        fdt_node_check_compatible(out, node_at(out, "/serial@9000000"), "arm,primecell"),
        0);
    assert_int_equal(fdt_stringlist_search(out, node_at(out, "/serial@9000000"),
                                           "clock-names", "apb_pclk"),
                     1);
    free(out);
    free(host);
}

static void test_dtb_gicv2_round_trip(void **state)
{
    static const struct hyp_range mem[1] = {{0x40000000, 0x8000000}};
    static const uint64_t mpidr[2] = {0x0, 0x1};
    struct hyp_guest_dtb_cfg cfg = {
        .mem = mem,
        .mem_count = 1,
        .mpidr = mpidr,
        .vcpu_count = 2,
        .psci = HYP_PSCI_SMC,
        .gic = {.version = 2, .gicd = {0x08000000, 0x1000}, .gicc = {0x08010000, 0x2000}},
    };
    struct hyp_platform p;
    char err[HYP_GUEST_ERRLEN], perr[HYP_PLATFORM_ERRLEN];
    void *host = load("host-dom0less-gicv2", 0);
    void *out = out_buf();
    const fdt32_t *irq;
    int len, rc;

    (void)state;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_int_equal(fdt_check_full(out, fdt_totalsize(out)), 0);
    rc = hyp_platform_discover(out, fdt_totalsize(out), &p, perr);
    if (rc != HYP_OK)
        print_error("discover: %s\n", perr);
    assert_int_equal(rc, HYP_OK);
    assert_string_equal(p.model, "libhyp test board (GICv2) (libhyp guest)");
    assert_int_equal(p.mem_count, 1);
    assert_range(p.mem[0], 0x40000000, 0x8000000);
    assert_int_equal(p.cpu_count, 2);
    assert_int_equal(p.gic.version, 2);
    assert_range(p.gic.gicd, 0x08000000, 0x1000);
    assert_range(p.gic.gicc, 0x08010000, 0x2000);
    assert_range(p.gic.gich, 0, 0);
    assert_int_equal(p.gic.maintenance.intid, 25);
    assert_int_equal(p.timer.phys.intid, 30);
    assert_int_equal(p.timer.phys.flags, 8);
    assert_int_equal(p.timer.frequency_hz, 0);
    assert_range(p.uart.regs, 0, 0);
    assert_int_equal(p.psci, HYP_PSCI_SMC);

    assert_string_equal(get_str(out, "/interrupt-controller@8000000", "compatible"),
                        "arm,gic-400");
    /* The host's 0xf08 (four CPUs) becomes a two-CPU mask. */
    irq = fdt_getprop(out, node_at(out, "/timer"), "interrupts", &len);
    assert_non_null(irq);
    assert_int_equal(len, 4 * 3 * 4);
    assert_int_equal(fdt32_ld(irq + 0), 1);
    assert_int_equal(fdt32_ld(irq + 1), 13);
    assert_int_equal(fdt32_ld(irq + 2), 0x308);
    assert_null(fdt_getprop(out, node_at(out, "/timer"), "always-on", NULL));
    irq = fdt_getprop(out, node_at(out, "/interrupt-controller@8000000"), "interrupts",
                      &len);
    assert_non_null(irq);
    assert_int_equal(len, 12);
    assert_int_equal(fdt32_ld(irq + 2), 0x304);
    /* No UART: no stdout-path, no aliases, no clock; no initrd, no bootargs. */
    assert_null(fdt_getprop(out, node_at(out, "/chosen"), "stdout-path", NULL));
    assert_null(fdt_getprop(out, node_at(out, "/chosen"), "bootargs", NULL));
    assert_null(fdt_getprop(out, node_at(out, "/chosen"), "linux,initrd-start", NULL));
    assert_true(fdt_path_offset(out, "/aliases") < 0);
    assert_true(fdt_path_offset(out, "/apb-pclk") < 0);
    free(out);
    free(host);
}

static void test_dtb_v3_optional_frames(void **state)
{
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    struct hyp_platform p;
    char err[HYP_GUEST_ERRLEN], perr[HYP_PLATFORM_ERRLEN];
    void *host = load("host-dom0less", 0);
    void *out = out_buf();

    (void)state;
    cfg.gic.gicr[1] = (struct hyp_range){0x0a000000, 0x20000};
    cfg.gic.gicr_count = 2;
    cfg.gic.gicc = (struct hyp_range){0x2c000000, 0x2000};
    cfg.gic.gicv = (struct hyp_range){0x2c02f000, 0x2000}; /* no GICH: not described */
    cfg.mpidr = (const uint64_t[]){0x100000000ULL};
    cfg.vcpu_count = 1;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_int_equal(hyp_platform_discover(out, fdt_totalsize(out), &p, perr), HYP_OK);
    assert_int_equal(p.gic.gicr_count, 2);
    assert_range(p.gic.gicr[1], 0x0a000000, 0x20000);
    assert_range(p.gic.gicc, 0x2c000000, 0x2000);
    assert_range(p.gic.gicv, 0, 0);
    assert_int_equal(p.cpus[0].mpidr, 0x100000000ULL);
    node_at(out, "/cpus/cpu@100000000");
    free(out);
    free(host);
}

/* Randomness for the guest's kernel lands in its /chosen, and only when given;
 * platform discovery of the guest's own tree reads it back. */
static void test_dtb_seeds(void **state)
{
    static const uint8_t seed[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    struct hyp_platform p;
    char err[HYP_GUEST_ERRLEN], perr[HYP_PLATFORM_ERRLEN];
    void *host = load("host-dom0less", 0);
    void *out = out_buf();
    const void *v;
    int len;

    (void)state;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_null(fdt_getprop(out, node_at(out, "/chosen"), "rng-seed", &len));
    assert_null(fdt_getprop(out, node_at(out, "/chosen"), "kaslr-seed", &len));

    cfg.rng_seed = seed;
    cfg.rng_seed_len = sizeof(seed);
    cfg.kaslr_seed = 0xfedcba9876543210ULL;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    v = fdt_getprop(out, node_at(out, "/chosen"), "rng-seed", &len);
    assert_non_null(v);
    assert_int_equal(len, sizeof(seed));
    assert_memory_equal(v, seed, sizeof(seed));
    assert_int_equal(hyp_platform_discover(out, fdt_totalsize(out), &p, perr), HYP_OK);
    assert_int_equal(p.rng_seed_len, sizeof(seed));
    assert_true(p.kaslr_seed == 0xfedcba9876543210ULL);
    free(out);
    free(host);
}

/* Each guest's seeds are its own, the same every time, and none is the boot
 * loader's; without a boot seed there are none. */
static void test_guest_seeds(void **state)
{
    struct hyp_platform p = {0};
    struct hyp_guest_seeds a, b, a2;

    (void)state;
    hyp_guest_seeds(&p, 0, &a);
    assert_int_equal(a.rng_len, 0);
    assert_true(a.kaslr == 0);
    for (unsigned i = 0; i < 32; i++)
        p.rng_seed[i] = (uint8_t)(i + 1);
    p.rng_seed_len = 32;
    p.kaslr_seed = 0x1122334455667788ULL;
    hyp_guest_seeds(&p, 0, &a);
    hyp_guest_seeds(&p, 1, &b);
    hyp_guest_seeds(&p, 0, &a2);
    assert_int_equal(a.rng_len, 32);
    assert_memory_equal(a.rng, a2.rng, 32);
    assert_true(a.kaslr == a2.kaslr);
    assert_memory_not_equal(a.rng, b.rng, 32);
    assert_true(a.kaslr != b.kaslr && a.kaslr != 0 && a.kaslr != p.kaslr_seed);
    assert_memory_not_equal(a.rng, p.rng_seed, 32);
    /* A different boot seed, different guest seeds. */
    p.rng_seed[0] ^= 1;
    hyp_guest_seeds(&p, 0, &a2);
    assert_memory_not_equal(a.rng, a2.rng, 32);
    assert_true(a.kaslr != a2.kaslr);
}

static void test_dtb_too_small(void **state)
{
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    char err[HYP_GUEST_ERRLEN];
    void *host = load("host-dom0less", 0);
    void *out = out_buf();
    size_t need;

    (void)state;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    need = fdt_totalsize(out);
    /* Exactly the size it needs is enough ... */
    check_ok(build(host, &cfg, out, need, err), err);
    assert_int_equal(fdt_totalsize(out), need);
    assert_int_equal(fdt_check_full(out, need), 0);
    /* ... and every smaller size fails cleanly. */
    for (size_t size = 0; size < need; size++) {
        int rc = build(host, &cfg, out, size, err);

        if (rc != HYP_ENOMEM || !strstr(err, "guest DTB: node"))
            print_error("size %zu: %s \"%s\"\n", size, hyp_strerror(rc), err);
        assert_int_equal(rc, HYP_ENOMEM);
        assert_non_null(strstr(err, "too small"));
    }
    build(host, &cfg, out, need - 1, err);
    assert_non_null(strstr(err, "guest DTB: node '"));
    free(out);
    free(host);
}

static void expect_build_fail(const void *host, const struct hyp_guest_dtb_cfg *cfg,
                              int code, const char *want1, const char *want2)
{
    char err[HYP_GUEST_ERRLEN];
    void *out = out_buf();

    check_fail(build(host, cfg, out, OUT_SIZE, err), err, code, want1, want2);
    free(out);
}

/* Shared regions: one /reserved-memory child each, no-map, its doorbell as an
 * edge SPI; they stay out of the memory nodes; overlaps and non-SPI doorbells
 * are refused. */
static void test_dtb_shared(void **state)
{
    static const struct hyp_range shared[2] = {{0x7f000000, 0x200000},
                                               {0x7e000000, 0x1000}};
    static const uint32_t bells[2] = {132, 0};
    static const uint32_t bad_bell[2] = {27, 0};
    static const struct hyp_range over_ram[1] = {{0x4ffff000, 0x2000}};
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    struct hyp_range mem[4];
    char err[HYP_GUEST_ERRLEN];
    void *host = load("host-dom0less", 0);
    void *out = out_buf();
    const fdt32_t *p;
    int node, len;

    (void)state;
    cfg.shared = shared;
    cfg.shared_doorbell = bells;
    cfg.shared_count = 2;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    node = node_at(out, "/reserved-memory");
    p = fdt_getprop(out, node, "#address-cells", &len);
    assert_true(p != NULL && len == 4 && fdt32_ld(p) == 2);
    assert_non_null(fdt_getprop(out, node, "ranges", &len));
    assert_int_equal(len, 0);
    assert_string_equal(
        get_str(out, "/reserved-memory/shared-memory@7f000000", "compatible"),
        "libhyp,shared-memory");
    node = node_at(out, "/reserved-memory/shared-memory@7f000000");
    assert_non_null(fdt_getprop(out, node, "no-map", &len));
    p = fdt_getprop(out, node, "reg", &len);
    assert_true(p != NULL && len == 16);
    assert_int_equal(fdt32_ld(p + 1), 0x7f000000);
    assert_int_equal(fdt32_ld(p + 3), 0x200000);
    p = fdt_getprop(out, node, "interrupts", &len);
    assert_true(p != NULL && len == 12);
    assert_int_equal(fdt32_ld(p), 0);       /* SPI */
    assert_int_equal(fdt32_ld(p + 1), 100); /* INTID 132 */
    assert_int_equal(fdt32_ld(p + 2), 1);   /* edge rising */
    node = node_at(out, "/reserved-memory/shared-memory@7e000000");
    assert_null(fdt_getprop(out, node, "interrupts", &len));
    assert_int_equal(memory_nodes(out, mem, 4), 2);

    cfg.shared_doorbell = NULL;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    cfg.shared_doorbell = bad_bell;
    expect_build_fail(host, &cfg, HYP_EINVAL, "shared_doorbell[0] 27", "not an SPI");
    cfg.shared_doorbell = NULL;
    cfg.shared = over_ram;
    cfg.shared_count = 1;
    expect_build_fail(host, &cfg, HYP_EINVAL, "shared[0]", "overlaps mem[");
    cfg.shared = NULL;
    expect_build_fail(host, &cfg, HYP_EINVAL, "shared_count 1", "NULL");
    free(out);
    free(host);
}

/* A trusted OS for Linux's OP-TEE driver: /firmware/optee with its method. */
static void test_dtb_optee(void **state)
{
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    char err[HYP_GUEST_ERRLEN];
    void *host = load("host-dom0less", 0);
    void *out = out_buf();

    (void)state;
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_true(fdt_path_offset(out, "/firmware") < 0);
    cfg.optee_method = "smc";
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_string_equal(get_str(out, "/firmware/optee", "compatible"), "linaro,optee-tz");
    assert_string_equal(get_str(out, "/firmware/optee", "method"), "smc");
    cfg.optee_method = "hvc";
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_string_equal(get_str(out, "/firmware/optee", "method"), "hvc");
    cfg.optee_method = "svc";
    expect_build_fail(host, &cfg, HYP_EINVAL, "optee_method", "\"smc\" or \"hvc\"");
    free(out);
    free(host);
}

static void test_dtb_bad_cfg(void **state)
{
    void *host = load("host-dom0less", 0);
    struct hyp_guest_dtb_cfg cfg;
    struct hyp_range mem[2];

    (void)state;
    cfg = v3_cfg();
    cfg.mem_count = 0;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: mem_count 0", NULL);
    cfg = v3_cfg();
    mem[0] = v3_mem[0];
    mem[1] = (struct hyp_range){0x8ffff000, 0x2000};
    cfg.mem = mem;
    expect_build_fail(host, &cfg, HYP_EINVAL,
                      "cfg: mem[1] 0x8ffff000+0x2000 overlaps mem[0]", NULL);
    mem[1] = (struct hyp_range){0x40000000, 0};
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: mem[1] 0x40000000+0x0 is empty",
                      NULL);
    mem[1] = (struct hyp_range){0x09000000, 0x1000000};
    expect_build_fail(host, &cfg, HYP_EINVAL,
                      "cfg: uart 0x9000000+0x1000 overlaps mem[1]", NULL);

    cfg = v3_cfg();
    cfg.mpidr = (const uint64_t[]){0x0, 0x1, 0x0};
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: mpidr[0] and mpidr[2] are both 0x0",
                      NULL);
    cfg.mpidr = (const uint64_t[]){0x0, 0x80000001, 0x2};
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: mpidr[1] 0x80000001", "Aff3..Aff0");
    cfg = v3_cfg();
    cfg.vcpu_count = 0;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: vcpu_count 0", NULL);

    cfg = v3_cfg();
    cfg.psci = HYP_PSCI_NONE;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: psci conduit 0", NULL);

    cfg = v3_cfg();
    cfg.gic.version = 4;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: gic.version 4", NULL);
    cfg = v3_cfg();
    cfg.gic.gicr_count = 0;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: gic.gicr_count 0", NULL);
    cfg = v3_cfg();
    cfg.gic.gicr[0].base = 0x08008000;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: gic.gicr[0] 0x8008000+0x60000",
                      "overlaps gic.gicd");
    cfg = v3_cfg();
    cfg.gic.version = 2;
    cfg.gic.gicc = (struct hyp_range){0x08010000, 0x2000};
    expect_build_fail(host, &cfg, HYP_ENOENT, "host DTB: no enabled GICv2 node", NULL);
    cfg.gic.gicc.size = 0;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: gic.gicc 0x8010000+0x0 is empty",
                      NULL);

    cfg = v3_cfg();
    cfg.uart_irq.intid = 5;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: uart_irq.intid 5", NULL);
    cfg.uart_irq.intid = 1020;
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: uart_irq.intid 1020", NULL);

    cfg = v3_cfg();
    cfg.initrd = (struct hyp_range){0x5fff0000, 0x20000}; /* straddles the end of RAM */
    expect_build_fail(host, &cfg, HYP_EINVAL, "cfg: initrd 0x5fff0000+0x20000",
                      "not inside one guest RAM range");
    free(host);
}

static void test_dtb_bad_args(void **state)
{
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    char err[HYP_GUEST_ERRLEN];
    void *host = edit("host-dom0less");
    char *out = out_buf();

    (void)state;
    check_fail(build(NULL, &cfg, out, OUT_SIZE, err), err, HYP_EINVAL, "NULL host DTB",
               NULL);
    check_fail(build(host, NULL, out, OUT_SIZE, err), err, HYP_EINVAL, "NULL cfg", NULL);
    check_fail(build(host, &cfg, NULL, OUT_SIZE, err), err, HYP_EINVAL,
               "NULL output buffer", NULL);
    check_fail(build(host, &cfg, out + 4, OUT_SIZE - 4, err), err, HYP_EALIGN,
               "not 8-byte aligned", NULL);

    /* A host without a timer cannot give the guest one. */
    assert_int_equal(fdt_del_node(host, node_at(host, "/timer")), 0);
    check_fail(build(host, &cfg, out, OUT_SIZE, err), err, HYP_ENOENT,
               "\"arm,armv8-timer\"", NULL);
    free(host);
    host = edit("host-dom0less");
    SET_CELLS(host, "/intc@8000000", "interrupts", 1, 9);
    check_fail(build(host, &cfg, out, OUT_SIZE, err), err, HYP_EFORMAT,
               "/intc@8000000: property 'interrupts'", "length 8");
    SET_CELLS(host, "/intc@8000000", "interrupts", 1, 16, 4);
    check_fail(build(host, &cfg, out, OUT_SIZE, err), err, HYP_EFORMAT,
               "/intc@8000000: property 'interrupts'",
               "number 16 out of range for type 1");
    SET_CELLS(host, "/intc@8000000", "interrupts", 4, 1, 4);
    check_fail(build(host, &cfg, out, OUT_SIZE, err), err, HYP_EFORMAT,
               "/intc@8000000: property 'interrupts'", "unknown interrupt type 4");
    ((unsigned char *)host)[0] ^= 0xff;
    check_fail(build(host, &cfg, out, OUT_SIZE, err), err, HYP_EFORMAT,
               "host DTB:", NULL);
    free(out);
    free(host);
}

static void test_dtb_long_model(void **state)
{
    char model[300];
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    struct hyp_platform p;
    char err[HYP_GUEST_ERRLEN], perr[HYP_PLATFORM_ERRLEN];
    void *host = edit("host-dom0less");
    void *out = out_buf();
    const char *m;

    (void)state;
    memset(model, 'M', sizeof(model) - 1);
    model[sizeof(model) - 1] = '\0';
    assert_int_equal(fdt_setprop_string(host, 0, "model", model), 0);
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    m = get_str(out, "/", "model");
    assert_int_equal(strlen(m), 127);
    assert_non_null(strstr(m, "MMM (libhyp guest)"));
    assert_int_equal(fdt_delprop(host, 0, "model"), 0);
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    assert_int_equal(hyp_platform_discover(out, fdt_totalsize(out), &p, perr), HYP_OK);
    assert_string_equal(p.model, "libhyp guest");
    free(out);
    free(host);
}

/** The modules and image steps feed the builder and layout, end to end. */
static void test_end_to_end(void **state)
{
    static unsigned char img[4096];
    struct hyp_guest_dtb_cfg cfg = v3_cfg();
    struct hyp_guest_modules mods;
    struct hyp_guest_image k;
    struct hyp_guest_layout l;
    struct hyp_platform p;
    char err[HYP_GUEST_ERRLEN], perr[HYP_PLATFORM_ERRLEN];
    void *host = load("host-dom0less", 0);
    void *out = out_buf();

    (void)state;
    check_ok(find_mods(host, NULL, 0, &mods, err), err);
    make_image(img, sizeof(img), 0, 0x1a30000, 0xa);
    check_ok(parse(img, sizeof(img), &k, err), err);
    cfg.bootargs = mods.bootargs;
    cfg.initrd = (struct hyp_range){0, 0};
    check_ok(build(host, &cfg, out, OUT_SIZE, err), err);
    /* Lay out with a DTB of the size the final one will have (initrd props
     * add 2 x 8 bytes plus their names; round up generously). */
    check_ok(hyp_guest_layout(&k, mods.ramdisk.size, fdt_totalsize(out) + 256, 0x40000000,
                              0x20000000, &l, err),
             err);
    assert_range(l.initrd, 0x41c00000, 0x345678);
    cfg.initrd = l.initrd;
    check_ok(build(host, &cfg, out, l.dtb.size, err), err);
    assert_int_equal(hyp_platform_discover(out, fdt_totalsize(out), &p, perr), HYP_OK);
    assert_string_equal(get_str(out, "/chosen", "bootargs"),
                        "console=ttyAMA0 root=/dev/vda rw");
    assert_int_equal(get_u64(out, "/chosen", "linux,initrd-end"), 0x41c00000 + 0x345678);
    free(out);
    free(host);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modules_dom0less),
        cmocka_unit_test(test_modules_root_cells),
        cmocka_unit_test(test_modules_chosen_cells),
        cmocka_unit_test(test_modules_no_kernel),
        cmocka_unit_test(test_modules_two_kernels),
        cmocka_unit_test(test_modules_two_ramdisks),
        cmocka_unit_test(test_modules_no_chosen),
        cmocka_unit_test(test_modules_bad_reg_length),
        cmocka_unit_test(test_modules_missing_reg),
        cmocka_unit_test(test_modules_zero_size),
        cmocka_unit_test(test_modules_wrap),
        cmocka_unit_test(test_modules_overlap),
        cmocka_unit_test(test_modules_forbidden),
        cmocka_unit_test(test_modules_bad_bootargs),
        cmocka_unit_test(test_modules_bad_cells),
        cmocka_unit_test(test_modules_blob_checks),
        cmocka_unit_test(test_image_linux),
        cmocka_unit_test(test_image_legacy),
        cmocka_unit_test(test_image_big_endian),
        cmocka_unit_test(test_image_truncated),
        cmocka_unit_test(test_image_inconsistent),
        cmocka_unit_test(test_image_raw),
        cmocka_unit_test(test_image_null),
        cmocka_unit_test(test_image_place),
        cmocka_unit_test(test_layout_fits),
        cmocka_unit_test(test_layout_does_not_fit),
        cmocka_unit_test(test_layout_in_place),
        cmocka_unit_test(test_layout_initrd_window),
        cmocka_unit_test(test_layout_initrd_window_unaligned),
        cmocka_unit_test(test_layout_property),
        cmocka_unit_test(test_dtb_gicv3_round_trip),
        cmocka_unit_test(test_dtb_gicv2_round_trip),
        cmocka_unit_test(test_dtb_v3_optional_frames),
        cmocka_unit_test(test_dtb_seeds),
        cmocka_unit_test(test_dtb_shared),
        cmocka_unit_test(test_dtb_optee),
        cmocka_unit_test(test_guest_seeds),
        cmocka_unit_test(test_dtb_too_small),
        cmocka_unit_test(test_dtb_bad_cfg),
        cmocka_unit_test(test_dtb_bad_args),
        cmocka_unit_test(test_dtb_long_model),
        cmocka_unit_test(test_dtb_passthrough),
        cmocka_unit_test(test_check_device),
        cmocka_unit_test(test_dtb_devices),
        cmocka_unit_test(test_platform_devices),
        cmocka_unit_test(test_end_to_end),
    };

#ifdef HYP_TEST_GUEST_DTB_DIR
    dtb_dir = HYP_TEST_GUEST_DTB_DIR;
#endif
    if (argc > 1)
        dtb_dir = argv[1];
    if (!dtb_dir) {
        fprintf(stderr, "usage: %s DTB_DIR\n", argv[0]);
        return 2;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
