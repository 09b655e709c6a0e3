/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for SHA-512 (libhyp/crypto/sha512.c): FIPS 180-4's example
 * messages and others, whole and fed in every chunking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/sha512.h>

static void expect(const void *msg, size_t len, const char *want)
{
    uint8_t d[HYP_SHA512_SIZE];
    char got[2 * HYP_SHA512_SIZE + 1];

    hyp_sha512(msg, len, d);
    for (unsigned i = 0; i < HYP_SHA512_SIZE; i++)
        snprintf(got + 2 * i, 3, "%02x", d[i]);
    assert_string_equal(got, want);
}

static void test_vectors(void **state)
{
    static const char two_blocks[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghi"
                                     "jklmnhijklmnoijklmnopjklmnopqklmno"
                                     "pqrlmnopqrsmnopqrstnopqrstu";
    uint8_t bytes[768];
    char *million = malloc(1000000);

    (void)state;
    expect("", 0,
           "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
           "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    expect("abc", 3,
           "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
           "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    assert_int_equal(strlen(two_blocks), 112);
    expect(two_blocks, 112,
           "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
           "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
    for (unsigned i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)i;
    expect(bytes, sizeof(bytes),
           "f1721f49518ee462a3d81def26d81037cd474b4254b85ad7c8f1509594d0177b"
           "bb996ee9625813852bacac108c2a72c83a8587050fec1dcda64730d6470953e6");
    assert_non_null(million);
    memset(million, 'a', 1000000);
    expect(million, 1000000,
           "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
           "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
    free(million);
}

/* Fed in pieces of every size from 1 to 260 bytes (across block and padding
 * boundaries), the digest is the one-shot digest, for every length. */
static void test_chunks(void **state)
{
    uint8_t msg[300], whole[HYP_SHA512_SIZE], pieces[HYP_SHA512_SIZE];

    (void)state;
    for (unsigned i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof(msg); len += 13) {
        hyp_sha512(msg, len, whole);
        for (size_t step = 1; step <= 260; step++) {
            struct hyp_sha512 s;

            hyp_sha512_init(&s);
            for (size_t at = 0; at < len; at += step)
                hyp_sha512_update(&s, msg + at, len - at < step ? len - at : step);
            hyp_sha512_final(&s, pieces);
            assert_memory_equal(whole, pieces, sizeof(whole));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_chunks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
