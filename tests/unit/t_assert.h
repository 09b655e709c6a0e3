/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Assertions for randomized host tests: on failure they print the failing
 * expression together with g_ctx, a line the test keeps up to date with the
 * case it is running (seed, step, operation), then fail the CMocka test.
 * Include after <cmocka.h>.
 */
#ifndef HYP_TESTS_T_ASSERT_H
#define HYP_TESTS_T_ASSERT_H

#include <stdio.h>

/* What the test is doing now, printed with every failure. */
static char g_ctx[256];

#define T_ASSERT(cond)                                                                   \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            print_error("%s:%d: %s [%s]\n", __FILE__, __LINE__, #cond, g_ctx);           \
            fail();                                                                      \
        }                                                                                \
    } while (0)

/* Compares as 64-bit integers; prints both in decimal (error codes) and hex. */
#define T_EQ(a, b)                                                                       \
    do {                                                                                 \
        unsigned long long a_ = (unsigned long long)(a);                                 \
        unsigned long long b_ = (unsigned long long)(b);                                 \
        if (a_ != b_) {                                                                  \
            print_error("%s:%d: %s == %s: %lld (%#llx) != %lld (%#llx) [%s]\n",          \
                        __FILE__, __LINE__, #a, #b, (long long)a_, a_, (long long)b_,    \
                        b_, g_ctx);                                                      \
            fail();                                                                      \
        }                                                                                \
    } while (0)

#endif /* HYP_TESTS_T_ASSERT_H */
