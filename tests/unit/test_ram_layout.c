/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Guest RAM placement (libhyp/vm/ram_layout.c): hand-picked layouts (the
 * thin monitor's, holes, overlaps, widening, limits, bad arguments) and
 * random layouts checked page by page against a bitmap model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hyp/error.h>
#include <hyp/ram_layout.h>

#define MiB (1ULL << 20)
#define PG  0x1000ULL

/* The thin monitor on QEMU virt: 16 MiB kept at the start of the bank. */
static void test_monitor(void **state)
{
    struct hyp_range bank = {0x40000000, 272 * MiB};
    struct hyp_range keep = {0x40000000, 16 * MiB};
    struct hyp_vm_ram out[4];
    unsigned n = 99;

    (void)state;
    assert_int_equal(hyp_ram_layout(&bank, 1, &keep, 1, HYP_RAM_IDENTITY, 0, out, 4, &n),
                     HYP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].ipa, 0x41000000);
    assert_int_equal(out[0].pa, 0x41000000);
    assert_int_equal(out[0].size, 256 * MiB);
    /* Packed: the guest's RAM starts where the board's does. */
    n = 99;
    assert_int_equal(hyp_ram_layout(&bank, 1, &keep, 1, HYP_RAM_PACKED, 0, out, 4, &n),
                     HYP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].ipa, 0x40000000);
    assert_int_equal(out[0].pa, 0x41000000);
    assert_int_equal(out[0].size, 256 * MiB);
}

/* A hole in the middle, reserved ranges that overlap each other and stick
 * out of the bank, and one that is not page aligned (widened). */
static void test_holes(void **state)
{
    struct hyp_range banks[2] = {{0x80000000, 64 * MiB}, {0x10000, 0x10000}};
    struct hyp_range keep[4] = {
        {0x80000000 + 8 * MiB, 2 * MiB},
        {0x80000000 + 9 * MiB, 2 * MiB},      /* overlaps the one above */
        {0x80000000 + 63 * MiB, 4 * MiB},     /* runs past the bank's end */
        {0x80000000 + 20 * MiB + 0x10, 0x20}, /* widened to one page */
    };
    struct hyp_vm_ram out[8];
    unsigned n = 0;

    (void)state;
    assert_int_equal(hyp_ram_layout(banks, 2, keep, 4, HYP_RAM_IDENTITY, 0, out, 8, &n),
                     HYP_OK);
    assert_int_equal(n, 4);
    assert_int_equal(out[0].pa, 0x80000000);
    assert_int_equal(out[0].size, 8 * MiB);
    assert_int_equal(out[1].pa, 0x80000000 + 11 * MiB);
    assert_int_equal(out[1].size, 9 * MiB);
    assert_int_equal(out[2].pa, 0x80000000 + 20 * MiB + PG);
    assert_int_equal(out[2].size, 43 * MiB - PG);
    assert_int_equal(out[3].pa, 0x10000); /* second bank, untouched */
    assert_int_equal(out[3].size, 0x10000);
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(out[i].ipa, out[i].pa);

    assert_int_equal(hyp_ram_layout(banks, 2, keep, 4, HYP_RAM_PACKED, 0, out, 8, &n),
                     HYP_OK);
    assert_int_equal(n, 4);
    assert_int_equal(out[0].ipa, 0x80000000);
    assert_int_equal(out[1].ipa, 0x80000000 + 8 * MiB);
    assert_int_equal(out[2].ipa, 0x80000000 + 17 * MiB);
    assert_int_equal(out[2].pa, 0x80000000 + 20 * MiB + PG);
    assert_int_equal(out[3].ipa, 0x10000);

    /* min_size drops the 8 MiB and 9 MiB pieces. */
    assert_int_equal(
        hyp_ram_layout(banks, 1, keep, 4, HYP_RAM_IDENTITY, 10 * MiB, out, 8, &n),
        HYP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].pa, 0x80000000 + 20 * MiB + PG);
}

static void test_errors(void **state)
{
    struct hyp_range bank = {0x40000000, 16 * MiB};
    struct hyp_range all = {0x3f000000, 64 * MiB};
    struct hyp_range two[2] = {{0x40000000, 16 * MiB}, {0x40800000, 16 * MiB}};
    struct hyp_range odd = {0x40000800, 16 * MiB};
    struct hyp_range wrap = {UINT64_MAX - PG, 2 * PG};
    struct hyp_range mid = {0x40400000, PG};
    struct hyp_vm_ram out[2];
    unsigned n;

    (void)state;
    assert_int_equal(hyp_ram_layout(&bank, 1, &all, 1, HYP_RAM_IDENTITY, 0, out, 2, &n),
                     HYP_ENOENT);
    assert_int_equal(hyp_ram_layout(two, 2, NULL, 0, HYP_RAM_IDENTITY, 0, out, 2, &n),
                     HYP_EINVAL);
    assert_int_equal(hyp_ram_layout(&odd, 1, NULL, 0, HYP_RAM_IDENTITY, 0, out, 2, &n),
                     HYP_EINVAL);
    assert_int_equal(hyp_ram_layout(&bank, 1, &wrap, 1, HYP_RAM_IDENTITY, 0, out, 2, &n),
                     HYP_EINVAL);
    assert_int_equal(hyp_ram_layout(&bank, 0, NULL, 0, HYP_RAM_IDENTITY, 0, out, 2, &n),
                     HYP_EINVAL);
    assert_int_equal(hyp_ram_layout(&bank, 1, NULL, 1, HYP_RAM_IDENTITY, 0, out, 2, &n),
                     HYP_EINVAL);
    assert_int_equal(
        hyp_ram_layout(&bank, 1, NULL, 0, (enum hyp_ram_placement)7, 0, out, 2, &n),
        HYP_EINVAL);
    /* Two pieces, room for one. */
    assert_int_equal(hyp_ram_layout(&bank, 1, &mid, 1, HYP_RAM_IDENTITY, 0, out, 1, &n),
                     HYP_ENOMEM);
    assert_int_equal(hyp_ram_layout(&bank, 1, &mid, 1, HYP_RAM_IDENTITY, 0, out, 2, &n),
                     HYP_OK);
    assert_int_equal(n, 2);
}

/* Random banks and reserved ranges, one page per bit in a model. */
#define MODEL_PAGES 512

static void test_random_model(void **state)
{
    (void)state;
    srand(19);
    for (int iter = 0; iter < 2000; iter++) {
        static bool ram[MODEL_PAGES], got[MODEL_PAGES];
        struct hyp_range banks[2], keep[5];
        struct hyp_vm_ram out[64];
        unsigned nb = 1 + (unsigned)(rand() % 2), nk = (unsigned)(rand() % 6), n = 0;
        enum hyp_ram_placement pl = rand() % 2 ? HYP_RAM_IDENTITY : HYP_RAM_PACKED;
        int rc;

        memset(ram, 0, sizeof(ram));
        memset(got, 0, sizeof(got));
        /* Bank 0 in pages [0, 256), bank 1 in [256, 512): never overlapping. */
        for (unsigned b = 0; b < nb; b++) {
            unsigned start = b * 256 + (unsigned)(rand() % 128);
            unsigned len = 1 + (unsigned)(rand() % 128);

            banks[b] = (struct hyp_range){start * PG, len * PG};
            for (unsigned p = start; p < start + len; p++)
                ram[p] = true;
        }
        for (unsigned k = 0; k < nk; k++) {
            uint64_t base = (uint64_t)(rand() % (MODEL_PAGES * 4)) * (PG / 4);
            uint64_t size = (uint64_t)(rand() % 64) * (PG / 2);

            keep[k] = (struct hyp_range){base, size};
            if (size == 0)
                continue;
            for (uint64_t p = base / PG; p <= (base + size - 1) / PG && p < MODEL_PAGES;
                 p++)
                ram[p] = false;
        }
        rc = hyp_ram_layout(banks, nb, keep, nk, pl, 0, out, 64, &n);
        if (rc == HYP_ENOENT) {
            for (unsigned p = 0; p < MODEL_PAGES; p++)
                assert_false(ram[p]);
            continue;
        }
        assert_int_equal(rc, HYP_OK);
        for (unsigned i = 0; i < n; i++) {
            assert_true(out[i].size > 0 && out[i].size % PG == 0 && out[i].pa % PG == 0);
            if (pl == HYP_RAM_IDENTITY)
                assert_int_equal(out[i].ipa, out[i].pa);
            /* Pieces are maximal: never two adjacent ones. */
            if (i > 0)
                assert_true(out[i - 1].pa + out[i - 1].size < out[i].pa ||
                            out[i].pa < out[i - 1].pa);
            for (uint64_t p = out[i].pa / PG; p < (out[i].pa + out[i].size) / PG; p++) {
                assert_false(got[p]);
                got[p] = true;
            }
        }
        for (unsigned p = 0; p < MODEL_PAGES; p++)
            assert_int_equal(got[p], ram[p]);
        if (pl == HYP_RAM_PACKED) /* each bank's pieces follow from its base */
            for (unsigned i = 0, b = 0; b < nb; b++) {
                uint64_t ipa = banks[b].base;

                for (; i < n && out[i].pa >= banks[b].base &&
                       out[i].pa < banks[b].base + banks[b].size;
                     i++) {
                    assert_int_equal(out[i].ipa, ipa);
                    ipa += out[i].size;
                }
            }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monitor),
        cmocka_unit_test(test_holes),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_random_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
