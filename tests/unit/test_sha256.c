/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for SHA-256 (libhyp/crypto/sha256.c): FIPS 180-4's example
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

#include <hyp/sha256.h>

static void hex(const uint8_t *d, char out[2 * HYP_SHA256_SIZE + 1])
{
    for (unsigned i = 0; i < HYP_SHA256_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void expect(const void *msg, size_t len, const char *want)
{
    uint8_t d[HYP_SHA256_SIZE];
    char got[2 * HYP_SHA256_SIZE + 1];

    hyp_sha256(msg, len, d);
    hex(d, got);
    assert_string_equal(got, want);
}

static void test_vectors(void **state)
{
    static const char two_blocks[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    uint8_t bytes[768];
    char *million = malloc(1000000);

    (void)state;
    expect("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(two_blocks, 56,
           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    for (unsigned i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)i;
    expect(bytes, sizeof(bytes),
           "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363");
    assert_non_null(million);
    memset(million, 'a', 1000000);
    expect(million, 1000000,
           "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

/* Fed in pieces of every size from 1 to 130 bytes (across block and padding
 * boundaries), the digest is the one-shot digest, for every length. */
static void test_chunks(void **state)
{
    uint8_t msg[300], whole[HYP_SHA256_SIZE], parts[HYP_SHA256_SIZE];

    (void)state;
    for (unsigned i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 31 + 7);
    for (size_t len = 0; len <= sizeof(msg); len += 1 + len / 16) {
        hyp_sha256(msg, len, whole);
        for (size_t chunk = 1; chunk <= 130; chunk++) {
            struct hyp_sha256 s;

            hyp_sha256_init(&s);
            for (size_t off = 0; off < len; off += chunk)
                hyp_sha256_update(&s, msg + off, len - off < chunk ? len - off : chunk);
            hyp_sha256_final(&s, parts);
            assert_memory_equal(whole, parts, HYP_SHA256_SIZE);
        }
    }
    /* One bit of difference changes the digest. */
    hyp_sha256(msg, 100, whole);
    msg[50] ^= 1;
    hyp_sha256(msg, 100, parts);
    assert_memory_not_equal(whole, parts, HYP_SHA256_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
