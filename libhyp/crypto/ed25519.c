/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ed25519 (RFC 8032, section 5.1): see hyp/ed25519.h.
 *
 * Field elements mod p = 2^255 - 19 are five 51-bit limbs multiplied through
 * unsigned __int128; points are extended coordinates (X:Y:Z:T) with one
 * addition formula for adding and doubling (RFC 8032, section 5.1.4);
 * scalars mod L are 32 little-endian bytes, reduced one bit at a time (slow
 * but short, and run a few times per signature). The curve constants are
 * computed from their definitions on each call rather than written out.
 */
#include <string.h>
#include <hyp/ed25519.h>
#include <hyp/sha512.h>

#define M51 ((UINT64_C(1) << 51) - 1)

typedef unsigned __int128 u128;

/* An element of GF(p): limb i holds bits 51*i..51*i+50 (limbs may exceed 51
 * bits by a little between operations; every operation carries). */
struct fe {
    uint64_t v[5];
};

/* A point in extended coordinates: x = X/Z, y = Y/Z, x*y = T/Z. */
struct pt {
    struct fe x, y, z, t;
};

/* The constants the curve needs, computed by curve_init(). */
struct curve {
    struct fe d;      /* -121665/121666 */
    struct fe d2;     /* 2*d */
    struct fe sqrtm1; /* 2^((p-1)/4), a square root of -1 */
    struct pt base;   /* B: y = 4/5, x even */
};

/* L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const uint8_t order[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,        0xd6,
    0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10,
};

/* ---- GF(p) ---- */

static void fe_small(struct fe *r, uint64_t n)
{
    memset(r, 0, sizeof(*r));
    r->v[0] = n;
}

/* Carry every limb into the next, the top one into limb 0 times 19
 * (2^255 = 19 mod p); three rounds leave each limb below 2^51. */
static void fe_carry(struct fe *r)
{
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 4; i++) {
            r->v[i + 1] += r->v[i] >> 51;
            r->v[i] &= M51;
        }
        uint64_t c = r->v[4] >> 51;

        r->v[4] &= M51;
        r->v[0] += 19 * c;
    }
}

static void fe_add(struct fe *r, const struct fe *a, const struct fe *b)
{
    for (unsigned i = 0; i < 5; i++)
        r->v[i] = a->v[i] + b->v[i];
    fe_carry(r);
}

/* a - b as a + 4p - b, so that no limb goes below zero (b's limbs are
 * carried, below 2^52). */
static void fe_sub(struct fe *r, const struct fe *a, const struct fe *b)
{
    r->v[0] = a->v[0] + (4 * (M51 - 18)) - b->v[0];
    for (unsigned i = 1; i < 5; i++)
        r->v[i] = a->v[i] + 4 * M51 - b->v[i];
    fe_carry(r);
}

static void fe_mul(struct fe *r, const struct fe *a, const struct fe *b)
{
    const uint64_t *x = a->v, *y = b->v;
    u128 t[5];

    /* Products landing at limb 5 and above wrap to limb - 5, times 19. */
    t[0] = (u128)x[0] * y[0] + 19 * ((u128)x[1] * y[4] + (u128)x[2] * y[3] +
                                     (u128)x[3] * y[2] + (u128)x[4] * y[1]);
    t[1] = (u128)x[0] * y[1] + (u128)x[1] * y[0] +
           19 * ((u128)x[2] * y[4] + (u128)x[3] * y[3] + (u128)x[4] * y[2]);
    t[2] = (u128)x[0] * y[2] + (u128)x[1] * y[1] + (u128)x[2] * y[0] +
           19 * ((u128)x[3] * y[4] + (u128)x[4] * y[3]);
    t[3] = (u128)x[0] * y[3] + (u128)x[1] * y[2] + (u128)x[2] * y[1] + (u128)x[3] * y[0] +
           19 * ((u128)x[4] * y[4]);
    t[4] = (u128)x[0] * y[4] + (u128)x[1] * y[3] + (u128)x[2] * y[2] + (u128)x[3] * y[1] +
           (u128)x[4] * y[0];
    for (unsigned i = 0; i < 4; i++) {
        t[i + 1] += t[i] >> 51;
        t[i] &= M51;
    }
    t[0] += 19 * (t[4] >> 51);
    t[4] &= M51;
    t[1] += t[0] >> 51;
    t[0] &= M51;
    for (unsigned i = 0; i < 5; i++)
        r->v[i] = (uint64_t)t[i];
    fe_carry(r);
}

/* a^e, e given as 32 little-endian bytes. */
static void fe_pow(struct fe *r, const struct fe *a, const uint8_t e[32])
{
    struct fe acc;

    fe_small(&acc, 1);
    for (int bit = 255; bit >= 0; bit--) {
        fe_mul(&acc, &acc, &acc);
        if (e[bit / 8] >> (bit % 8) & 1)
            fe_mul(&acc, &acc, a);
    }
    *r = acc;
}

/* An exponent 2^k - c (c < 256, 248 <= k <= 255) as 32 little-endian bytes. */
static void exponent(uint8_t e[32], unsigned k, unsigned c)
{
    memset(e, 0xff, 32);
    e[31] = (uint8_t)((1u << (k - 248)) - 1);
    e[0] = (uint8_t)(256 - c);
}

static void fe_invert(struct fe *r, const struct fe *a)
{
    uint8_t e[32];

    exponent(e, 255, 21); /* p - 2 */
    fe_pow(r, a, e);
}

/* The canonical encoding: the value reduced below p, little-endian. */
static void fe_tobytes(uint8_t s[32], const struct fe *a)
{
    struct fe r = *a, t;

    fe_carry(&r); /* now below 2^255 */
    /* r >= p exactly when r + 19 reaches 2^255; then r - p = r + 19 - 2^255. */
    t = r;
    t.v[0] += 19;
    for (unsigned i = 0; i < 4; i++) {
        t.v[i + 1] += t.v[i] >> 51;
        t.v[i] &= M51;
    }
    if (t.v[4] >> 51) {
        t.v[4] &= M51;
        r = t;
    }
    uint64_t w[4] = {
        r.v[0] | r.v[1] << 51,
        r.v[1] >> 13 | r.v[2] << 38,
        r.v[2] >> 26 | r.v[3] << 25,
        r.v[3] >> 39 | r.v[4] << 12,
    };

    for (unsigned i = 0; i < 32; i++)
        s[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
}

/* Bits 0..254 of @p s (bit 255 ignored), not necessarily below p. */
static void fe_frombytes(struct fe *r, const uint8_t s[32])
{
    uint64_t w[4] = {0, 0, 0, 0};

    for (unsigned i = 0; i < 32; i++)
        w[i / 8] |= (uint64_t)s[i] << (8 * (i % 8));
    r->v[0] = w[0] & M51;
    r->v[1] = (w[0] >> 51 | w[1] << 13) & M51;
    r->v[2] = (w[1] >> 38 | w[2] << 26) & M51;
    r->v[3] = (w[2] >> 25 | w[3] << 39) & M51;
    r->v[4] = (w[3] >> 12) & M51;
}

static bool fe_equal(const struct fe *a, const struct fe *b)
{
    uint8_t x[32], y[32];

    fe_tobytes(x, a);
    fe_tobytes(y, b);
    return memcmp(x, y, 32) == 0;
}

/* "Negative" in RFC 8032's sense: the canonical value is odd. */
static unsigned fe_odd(const struct fe *a)
{
    uint8_t s[32];

    fe_tobytes(s, a);
    return s[0] & 1;
}

static void fe_neg(struct fe *r, const struct fe *a)
{
    struct fe zero;

    fe_small(&zero, 0);
    fe_sub(r, &zero, a);
}

/* ---- points ---- */

static void pt_identity(struct pt *r)
{
    fe_small(&r->x, 0);
    fe_small(&r->y, 1);
    fe_small(&r->z, 1);
    fe_small(&r->t, 0);
}

/* r = p + q (RFC 8032, section 5.1.4; valid for p == q too). */
static void pt_add(struct pt *r, const struct pt *p, const struct pt *q,
                   const struct curve *c)
{
    struct fe a, b, cc, d, e, f, g, h, u, v;

    fe_sub(&u, &p->y, &p->x);
    fe_sub(&v, &q->y, &q->x);
    fe_mul(&a, &u, &v);
    fe_add(&u, &p->y, &p->x);
    fe_add(&v, &q->y, &q->x);
    fe_mul(&b, &u, &v);
    fe_mul(&cc, &p->t, &q->t);
    fe_mul(&cc, &cc, &c->d2);
    fe_mul(&d, &p->z, &q->z);
    fe_add(&d, &d, &d);
    fe_sub(&e, &b, &a);
    fe_sub(&f, &d, &cc);
    fe_add(&g, &d, &cc);
    fe_add(&h, &b, &a);
    fe_mul(&r->x, &e, &f);
    fe_mul(&r->y, &g, &h);
    fe_mul(&r->t, &e, &h);
    fe_mul(&r->z, &f, &g);
}

/* r = [k]p, k as 32 little-endian bytes (all 256 bits used). */
static void pt_mul(struct pt *r, const uint8_t k[32], const struct pt *p,
                   const struct curve *c)
{
    struct pt acc;

    pt_identity(&acc);
    for (int bit = 255; bit >= 0; bit--) {
        pt_add(&acc, &acc, &acc, c);
        if (k[bit / 8] >> (bit % 8) & 1)
            pt_add(&acc, &acc, p, c);
    }
    *r = acc;
}

static void pt_encode(uint8_t s[32], const struct pt *p)
{
    struct fe zi, x, y;

    fe_invert(&zi, &p->z);
    fe_mul(&x, &p->x, &zi);
    fe_mul(&y, &p->y, &zi);
    fe_tobytes(s, &y);
    s[31] |= (uint8_t)(fe_odd(&x) << 7);
}

/* RFC 8032, section 5.1.3; false for anything that is not a canonical
 * encoding of a curve point. */
static bool pt_decode(struct pt *r, const uint8_t s[32], const struct curve *c)
{
    uint8_t ys[32], canon[32], e[32];
    unsigned sign = s[31] >> 7;
    struct fe one, y2, u, v, v3, x, t;

    memcpy(ys, s, 32);
    ys[31] &= 0x7f;
    fe_frombytes(&r->y, ys);
    fe_tobytes(canon, &r->y);
    if (memcmp(canon, ys, 32) != 0)
        return false; /* y >= p */
    fe_small(&one, 1);
    fe_mul(&y2, &r->y, &r->y);
    fe_sub(&u, &y2, &one); /* u = y^2 - 1 */
    fe_mul(&v, &y2, &c->d);
    fe_add(&v, &v, &one); /* v = d y^2 + 1 */
    /* x = u v^3 (u v^7)^((p-5)/8) */
    fe_mul(&v3, &v, &v);
    fe_mul(&v3, &v3, &v);
    fe_mul(&t, &v3, &v3);
    fe_mul(&t, &t, &v);
    fe_mul(&t, &t, &u);
    exponent(e, 252, 3);
    fe_pow(&t, &t, e);
    fe_mul(&x, &u, &v3);
    fe_mul(&x, &x, &t);
    /* v x^2 = u: a root; = -u: x * sqrt(-1) is; otherwise none. */
    fe_mul(&t, &x, &x);
    fe_mul(&t, &t, &v);
    if (!fe_equal(&t, &u)) {
        fe_neg(&u, &u);
        if (!fe_equal(&t, &u))
            return false;
        fe_mul(&x, &x, &c->sqrtm1);
    }
    fe_small(&t, 0);
    if (sign && fe_equal(&x, &t))
        return false;
    if (fe_odd(&x) != sign)
        fe_neg(&x, &x);
    r->x = x;
    fe_small(&r->z, 1);
    fe_mul(&r->t, &x, &r->y);
    return true;
}

static void curve_init(struct curve *c)
{
    static const uint8_t base_y[32] = {
        0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
        0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
        0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    };
    uint8_t e[32];
    struct fe n, t;

    fe_small(&n, 121666);
    fe_invert(&t, &n);
    fe_small(&n, 121665);
    fe_mul(&t, &t, &n);
    fe_neg(&c->d, &t);
    fe_add(&c->d2, &c->d, &c->d);
    fe_small(&n, 2);
    exponent(e, 253, 5); /* (p - 1) / 4 */
    fe_pow(&c->sqrtm1, &n, e);
    (void)pt_decode(&c->base, base_y, c);
}

/* ---- scalars mod L ---- */

/* The value of @p n bytes (little-endian) mod L, into 32 bytes, one bit at a
 * time: r = 2r + bit, minus L when that reaches L (r stays below 2^254). */
static void sc_reduce(uint8_t out[32], const uint8_t *in, size_t n)
{
    uint32_t r[8] = {0}, l[8];

    for (unsigned i = 0; i < 8; i++)
        l[i] = (uint32_t)order[4 * i] | (uint32_t)order[4 * i + 1] << 8 |
               (uint32_t)order[4 * i + 2] << 16 | (uint32_t)order[4 * i + 3] << 24;
    for (size_t bit = 8 * n; bit-- > 0;) {
        uint32_t in_bit = in[bit / 8] >> (bit % 8) & 1;
        int ge = 1;

        for (unsigned i = 8; i-- > 1;)
            r[i] = r[i] << 1 | r[i - 1] >> 31;
        r[0] = r[0] << 1 | in_bit;
        for (unsigned i = 8; i-- > 0;) {
            if (r[i] != l[i]) {
                ge = r[i] > l[i];
                break;
            }
        }
        if (ge) {
            uint64_t borrow = 0;

            for (unsigned i = 0; i < 8; i++) {
                uint64_t d = (uint64_t)r[i] - l[i] - borrow;

                r[i] = (uint32_t)d;
                borrow = d >> 63;
            }
        }
    }
    for (unsigned i = 0; i < 32; i++)
        out[i] = (uint8_t)(r[i / 4] >> (8 * (i % 4)));
}

/* out = (a * b + c) mod L; a, b, c 32 bytes each. Schoolbook on bytes: a
 * column collects at most 32 products of two bytes, far below 2^64. */
static void sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
                      const uint8_t c[32])
{
    uint64_t col[64] = {0}, carry = 0;
    uint8_t bytes[64];

    for (unsigned i = 0; i < 32; i++) {
        col[i] += c[i];
        for (unsigned j = 0; j < 32; j++)
            col[i + j] += (uint64_t)a[i] * b[j];
    }
    for (unsigned i = 0; i < 64; i++) {
        carry += col[i];
        bytes[i] = (uint8_t)carry;
        carry >>= 8;
    }
    sc_reduce(out, bytes, sizeof(bytes));
}

/* s < L, comparing from the most significant byte. */
static bool sc_canonical(const uint8_t s[32])
{
    for (unsigned i = 32; i-- > 0;) {
        if (s[i] != order[i])
            return s[i] < order[i];
    }
    return false;
}

/* SHA-512(a || b || msg) mod L. */
static void hash_mod_l(uint8_t out[32], const uint8_t *a, size_t alen, const uint8_t *b,
                       size_t blen, const void *msg, size_t len)
{
    struct hyp_sha512 s;
    uint8_t h[HYP_SHA512_SIZE];

    hyp_sha512_init(&s);
    hyp_sha512_update(&s, a, alen);
    hyp_sha512_update(&s, b, blen);
    hyp_sha512_update(&s, msg, len);
    hyp_sha512_final(&s, h);
    sc_reduce(out, h, sizeof(h));
}

/* ---- the API ---- */

bool hyp_ed25519_verify(const uint8_t sig[HYP_ED25519_SIGNATURE_SIZE], const void *msg,
                        size_t len, const uint8_t pub[HYP_ED25519_PUBLIC_KEY_SIZE])
{
    struct curve c;
    struct pt a, sb, ka;
    uint8_t k[32], r[32];

    if (!sc_canonical(sig + 32))
        return false;
    curve_init(&c);
    if (!pt_decode(&a, pub, &c))
        return false;
    /* [S]B - [k]A must encode to R (R's bytes compared: a non-canonical R
     * never matches). */
    hash_mod_l(k, sig, 32, pub, 32, msg, len);
    fe_neg(&a.x, &a.x);
    fe_neg(&a.t, &a.t);
    pt_mul(&sb, sig + 32, &c.base, &c);
    pt_mul(&ka, k, &a, &c);
    pt_add(&sb, &sb, &ka, &c);
    pt_encode(r, &sb);
    return memcmp(r, sig, 32) == 0;
}

/* The secret scalar (clamped) and the nonce prefix of a secret key. */
static void expand(uint8_t scalar[32], uint8_t prefix[32],
                   const uint8_t secret[HYP_ED25519_SECRET_KEY_SIZE])
{
    uint8_t h[HYP_SHA512_SIZE];

    hyp_sha512(secret, HYP_ED25519_SECRET_KEY_SIZE, h);
    memcpy(scalar, h, 32);
    memcpy(prefix, h + 32, 32);
    scalar[0] &= 248;
    scalar[31] &= 127;
    scalar[31] |= 64;
}

void hyp_ed25519_public_key(uint8_t pub[HYP_ED25519_PUBLIC_KEY_SIZE],
                            const uint8_t secret[HYP_ED25519_SECRET_KEY_SIZE])
{
    struct curve c;
    struct pt a;
    uint8_t scalar[32], prefix[32];

    curve_init(&c);
    expand(scalar, prefix, secret);
    pt_mul(&a, scalar, &c.base, &c);
    pt_encode(pub, &a);
}

void hyp_ed25519_sign(uint8_t sig[HYP_ED25519_SIGNATURE_SIZE], const void *msg,
                      size_t len, const uint8_t secret[HYP_ED25519_SECRET_KEY_SIZE])
{
    struct curve c;
    struct pt p;
    uint8_t scalar[32], prefix[32], pub[32], r[32], k[32];

    curve_init(&c);
    expand(scalar, prefix, secret);
    pt_mul(&p, scalar, &c.base, &c);
    pt_encode(pub, &p);
    hash_mod_l(r, prefix, 32, NULL, 0, msg, len);
    pt_mul(&p, r, &c.base, &c);
    pt_encode(sig, &p);
    hash_mod_l(k, sig, 32, pub, 32, msg, len);
    sc_muladd(sig + 32, k, scalar, r);
}
