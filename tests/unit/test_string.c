/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * EL2's memcpy, memmove and memset (libhyp/core/string.c), built here under
 * other names, against byte-by-byte references: every alignment of source
 * and destination, lengths around the word and block sizes, overlapping
 * moves in both directions, and the bytes around the range left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#define memcpy  el2_memcpy
#define memmove el2_memmove
#define memset  el2_memset
#include "../../libhyp/core/string.c"
#undef memcpy
#undef memmove
#undef memset

#define AREA 512

static unsigned char buf[AREA], want[AREA];

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 3));
}

static const size_t lengths[] = {0,  1,  7,   8,   9,   31,  32,  33, 63,
                                 64, 65, 100, 127, 128, 129, 255, 300};

static void test_memcpy(void **state)
{
    static unsigned char src[AREA];

    (void)state;
    fill(src, AREA, 1);
    for (size_t so = 0; so < 16; so++)
        for (size_t d = 0; d < 16; d++)
            for (size_t li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
                size_t n = lengths[li];

                fill(buf, AREA, 2);
                fill(want, AREA, 2);
                for (size_t i = 0; i < n; i++)
                    want[64 + d + i] = src[so + i];
                assert_ptr_equal(el2_memcpy(buf + 64 + d, src + so, n), buf + 64 + d);
                assert_memory_equal(buf, want, AREA);
            }
}

static void test_memmove_overlap(void **state)
{
    (void)state;
    for (size_t so = 0; so < 24; so++)
        for (size_t d = 0; d < 24; d++)
            for (size_t li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
                size_t n = lengths[li];
                unsigned char tmp[AREA];

                /* Source and destination in the same buffer, either way round. */
                fill(buf, AREA, 3);
                memcpy(want, buf, AREA);
                for (size_t i = 0; i < n; i++)
                    tmp[i] = buf[100 + so + i];
                for (size_t i = 0; i < n; i++)
                    want[100 + d + i] = tmp[i];
                assert_ptr_equal(el2_memmove(buf + 100 + d, buf + 100 + so, n),
                                 buf + 100 + d);
                assert_memory_equal(buf, want, AREA);
            }
}

static void test_memset(void **state)
{
    (void)state;
    for (size_t d = 0; d < 16; d++)
        for (size_t li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
            size_t n = lengths[li];

            fill(buf, AREA, 4);
            memcpy(want, buf, AREA);
            for (size_t i = 0; i < n; i++)
                want[32 + d + i] = 0xa5;
            assert_ptr_equal(el2_memset(buf + 32 + d, 0x1a5, n), buf + 32 + d);
            assert_memory_equal(buf, want, AREA);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy),
        cmocka_unit_test(test_memmove_overlap),
        cmocka_unit_test(test_memset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
