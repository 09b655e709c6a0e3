/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sha512.h
 * @brief SHA-512 (FIPS 180-4), the hash inside Ed25519 (hyp/ed25519.h).
 *
 * Pure logic, no allocation; builds for host and target. Not constant-time
 * with respect to the message length (lengths are not secret here).
 */
#ifndef HYP_SHA512_H
#define HYP_SHA512_H

#include <stddef.h>
#include <stdint.h>

/** Bytes of a SHA-512 digest. */
#define HYP_SHA512_SIZE 64

/** A SHA-512 computation in progress. Fields are private. */
struct hyp_sha512 {
    uint64_t h[8];      /**< Chaining value. */
    uint64_t bytes;     /**< Message bytes so far (messages below 2^61 bytes). */
    uint8_t block[128]; /**< Bytes of the block being filled. */
    unsigned fill;      /**< How many of @ref block are filled. */
};

/**
 * @brief Start a digest.
 * @param s The state.
 */
void hyp_sha512_init(struct hyp_sha512 *s);

/**
 * @brief Add message bytes.
 * @param s    The state.
 * @param data The bytes (may be NULL when @p len is 0).
 * @param len  How many.
 */
void hyp_sha512_update(struct hyp_sha512 *s, const void *data, size_t len);

/**
 * @brief Finish the digest; @p s must be initialised again to be reused.
 * @param s   The state.
 * @param out The 64-byte digest.
 */
void hyp_sha512_final(struct hyp_sha512 *s, uint8_t out[HYP_SHA512_SIZE]);

/**
 * @brief The digest of one buffer.
 * @param data The bytes.
 * @param len  How many.
 * @param out  The 64-byte digest.
 */
void hyp_sha512(const void *data, size_t len, uint8_t out[HYP_SHA512_SIZE]);

#endif /* HYP_SHA512_H */
