/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sha256.h
 * @brief SHA-256 (FIPS 180-4), for deriving per-guest secrets and measuring
 *        images.
 *
 * Pure logic, no allocation; builds for host and target. Not constant-time
 * with respect to the message length (lengths are not secret here).
 */
#ifndef HYP_SHA256_H
#define HYP_SHA256_H

#include <stddef.h>
#include <stdint.h>

/** Bytes of a SHA-256 digest. */
#define HYP_SHA256_SIZE 32

/** A SHA-256 computation in progress. Fields are private. */
struct hyp_sha256 {
    uint32_t h[8];     /**< Chaining value. */
    uint64_t bytes;    /**< Message bytes so far. */
    uint8_t block[64]; /**< Bytes of the block being filled. */
    unsigned fill;     /**< How many of @ref block are filled. */
};

/**
 * @brief Start a digest.
 * @param s The state.
 */
void hyp_sha256_init(struct hyp_sha256 *s);

/**
 * @brief Add message bytes.
 * @param s    The state.
 * @param data The bytes (may be NULL when @p len is 0).
 * @param len  How many.
 */
void hyp_sha256_update(struct hyp_sha256 *s, const void *data, size_t len);

/**
 * @brief Finish the digest; @p s must be initialised again to be reused.
 * @param s   The state.
 * @param out The 32-byte digest.
 */
void hyp_sha256_final(struct hyp_sha256 *s, uint8_t out[HYP_SHA256_SIZE]);

/**
 * @brief The digest of one buffer.
 * @param data The bytes.
 * @param len  How many.
 * @param out  The 32-byte digest.
 */
void hyp_sha256(const void *data, size_t len, uint8_t out[HYP_SHA256_SIZE]);

#endif /* HYP_SHA256_H */
