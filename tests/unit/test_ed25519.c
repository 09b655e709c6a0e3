/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for Ed25519 (libhyp/crypto/ed25519.c): RFC 8032 section 7.1's
 * test vectors (key derivation, signing, verification), and refusals: every
 * single flipped bit of a signature, of the message, of the public key; S
 * not reduced mod L; a public key that is no curve point or not canonical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <hyp/ed25519.h>
#include <hyp/sha512.h>

struct vector {
    const char *secret, *pub, *msg, *sig;
};

/* RFC 8032, section 7.1: TEST 1, 2, 3 and SHA(abc) (whose message is the
 * SHA-512 of "abc", filled in by the test). */
static const struct vector vectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61"
     "e"
     "39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458"
     "f"
     "3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae6"
     "7"
     "f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", NULL,
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdf"
     "b"
     "c7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

static size_t unhex(uint8_t *out, const char *hex)
{
    size_t n = strlen(hex) / 2;

    for (size_t i = 0; i < n; i++) {
        unsigned v;

        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

struct loaded {
    uint8_t secret[32], pub[32], sig[64], msg[64];
    size_t len;
};

static void load(struct loaded *l, const struct vector *v)
{
    unhex(l->secret, v->secret);
    unhex(l->pub, v->pub);
    unhex(l->sig, v->sig);
    if (v->msg) {
        l->len = unhex(l->msg, v->msg);
    } else {
        hyp_sha512("abc", 3, l->msg);
        l->len = HYP_SHA512_SIZE;
    }
}

static void test_rfc8032(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        struct loaded l;
        uint8_t pub[32], sig[64];

        load(&l, &vectors[i]);
        hyp_ed25519_public_key(pub, l.secret);
        assert_memory_equal(pub, l.pub, 32);
        hyp_ed25519_sign(sig, l.msg, l.len, l.secret);
        assert_memory_equal(sig, l.sig, 64);
        assert_true(hyp_ed25519_verify(l.sig, l.msg, l.len, l.pub));
    }
}

/* Any one bit flipped in the signature, the message or the key: refused. */
static void test_flipped_bits(void **state)
{
    struct loaded l;

    (void)state;
    load(&l, &vectors[2]);
    for (unsigned bit = 0; bit < 512; bit++) {
        l.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len, l.pub));
        l.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (unsigned bit = 0; bit < 8 * l.len; bit++) {
        l.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len, l.pub));
        l.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (unsigned bit = 0; bit < 256; bit++) {
        l.pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len, l.pub));
        l.pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* A longer message and a shorter one (same prefix): refused too. */
    assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len + 1, l.pub));
    assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len - 1, l.pub));
    assert_true(hyp_ed25519_verify(l.sig, l.msg, l.len, l.pub));
}

/* S + L is the same scalar mod L but not the canonical one: RFC 8032 says
 * refuse (else signatures are malleable). */
static void test_s_not_reduced(void **state)
{
    static const uint8_t order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a,       0x63,
                                      0x12, 0x58, 0xd6, 0x9c, 0xf7,       0xa2,
                                      0xde, 0xf9, 0xde, 0x14, [31] = 0x10};
    struct loaded l;
    unsigned carry = 0;

    (void)state;
    load(&l, &vectors[1]);
    for (unsigned i = 0; i < 32; i++) {
        unsigned t = l.sig[32 + i] + order[i] + carry;

        l.sig[32 + i] = (uint8_t)t;
        carry = t >> 8;
    }
    assert_int_equal(carry, 0);
    assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len, l.pub));
    /* S = L exactly, and all ones. */
    memcpy(l.sig + 32, order, 32);
    assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len, l.pub));
    memset(l.sig + 32, 0xff, 32);
    assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len, l.pub));
}

/* Public keys that are not points: y = p (non-canonical 0... encoded as p),
 * y = 2^255 - 1, and a y for which x^2 has no root. */
static void test_bad_keys(void **state)
{
    struct loaded l;
    uint8_t key[32];
    unsigned refused = 0;

    (void)state;
    load(&l, &vectors[0]);
    memset(key, 0xff, 32);
    key[0] = 0xed;
    key[31] = 0x7f; /* p itself */
    assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len, key));
    memset(key, 0xff, 32);
    assert_false(hyp_ed25519_verify(l.sig, l.msg, l.len, key));
    /* About half of all y have no x: among small y some must be refused, and
     * none of them verifies the vector's signature. */
    for (unsigned y = 2; y < 40; y++) {
        memset(key, 0, 32);
        key[0] = (uint8_t)y;
        refused += !hyp_ed25519_verify(l.sig, l.msg, l.len, key);
    }
    assert_int_equal(refused, 38);
}

/* Sign and verify many messages under derived keys: each verifies under its
 * own key only. */
static void test_round_trip(void **state)
{
    uint8_t secret[2][32], pub[2][32], msg[200], sig[64];

    (void)state;
    for (unsigned k = 0; k < 2; k++) {
        for (unsigned i = 0; i < 32; i++)
            secret[k][i] = (uint8_t)(i * 29 + k * 101 + 7);
        hyp_ed25519_public_key(pub[k], secret[k]);
    }
    for (size_t len = 0; len < sizeof(msg); len += 37) {
        for (size_t i = 0; i < len; i++)
            msg[i] = (uint8_t)(len + i * 3);
        hyp_ed25519_sign(sig, msg, len, secret[len % 2]);
        assert_true(hyp_ed25519_verify(sig, msg, len, pub[len % 2]));
        assert_false(hyp_ed25519_verify(sig, msg, len, pub[1 - len % 2]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032),       cmocka_unit_test(test_flipped_bits),
        cmocka_unit_test(test_s_not_reduced), cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
