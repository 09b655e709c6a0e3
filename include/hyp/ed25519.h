/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file ed25519.h
 * @brief Ed25519 signatures (RFC 8032, section 5.1): verification for the
 *        hypervisor, key derivation and signing for host tools and tests.
 *
 * Pure logic, no allocation; builds for host and target. Verification works
 * on public data only, so it is not written to be constant-time. Signing is
 * not constant-time either: it is meant for signing test images with test
 * keys on the build host, never for secrets inside a hypervisor.
 */
#ifndef HYP_ED25519_H
#define HYP_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Bytes of a public key (an encoded curve point). */
#define HYP_ED25519_PUBLIC_KEY_SIZE 32
/** Bytes of a secret key (the seed RFC 8032 calls the private key). */
#define HYP_ED25519_SECRET_KEY_SIZE 32
/** Bytes of a signature (R, then S). */
#define HYP_ED25519_SIGNATURE_SIZE  64

/**
 * @brief Check a signature (RFC 8032, section 5.1.7, cofactorless).
 *
 * Refuses a public key or R that does not decode to a curve point (including
 * non-canonical y), and an S that is not below the group order L.
 *
 * @param sig The 64-byte signature.
 * @param msg The message (may be NULL when @p len is 0).
 * @param len Its length.
 * @param pub The 32-byte public key.
 * @return true if @p sig is a valid signature of @p msg under @p pub.
 */
bool hyp_ed25519_verify(const uint8_t sig[HYP_ED25519_SIGNATURE_SIZE], const void *msg,
                        size_t len, const uint8_t pub[HYP_ED25519_PUBLIC_KEY_SIZE]);

/**
 * @brief The public key of a secret key (RFC 8032, section 5.1.5).
 * @param pub    The 32-byte public key.
 * @param secret The 32-byte secret key.
 */
void hyp_ed25519_public_key(uint8_t pub[HYP_ED25519_PUBLIC_KEY_SIZE],
                            const uint8_t secret[HYP_ED25519_SECRET_KEY_SIZE]);

/**
 * @brief Sign a message (RFC 8032, section 5.1.6); host tools and tests only.
 * @param sig    The 64-byte signature.
 * @param msg    The message (may be NULL when @p len is 0).
 * @param len    Its length.
 * @param secret The 32-byte secret key.
 */
void hyp_ed25519_sign(uint8_t sig[HYP_ED25519_SIGNATURE_SIZE], const void *msg,
                      size_t len, const uint8_t secret[HYP_ED25519_SECRET_KEY_SIZE]);

#endif /* HYP_ED25519_H */
