/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file abi/childvm.h
 * @brief The child-VM interface's numbers, for both sides of it.
 *
 * Function IDs, status codes, invocation reasons, child states and the
 * fixed sizes of `docs/bindings/child-vms.md`. The header needs nothing
 * else, so a guest program (a bare-metal VM, or Linux userspace making the
 * calls through the hypercall page, abi/hcpage.h) includes it alone; the
 * library's side is hyp/childvm.h, which includes it.
 */
#ifndef HYP_ABI_CHILDVM_H
#define HYP_ABI_CHILDVM_H

/** @name Function IDs (SMC64 fast calls, owner 6: vendor-specific hypervisor)
 *  Arguments and results: `docs/bindings/child-vms.md`.
 * @{ */
#define HYP_CHILDVM_FID_VERSION 0xC6000020u /**< Version of the interface. */
#define HYP_CHILDVM_FID_CREATE  0xC6000021u /**< Create a child. */
#define HYP_CHILDVM_FID_INVOKE  0xC6000022u /**< Run a child on this CPU. */
#define HYP_CHILDVM_FID_DESTROY 0xC6000023u /**< Destroy a child (and its own). */
#define HYP_CHILDVM_FID_QUERY   0xC6000024u /**< A child's state and size. */
#define HYP_CHILDVM_FID_MEASURE 0xC6000025u /**< A child's launch measurement. */
#define HYP_CHILDVM_FID_RETURN  0xC6000026u /**< A child ends an invocation. */
#define HYP_CHILDVM_FID_YIELD   0xC6000027u /**< A child gives the CPU back. */
#define HYP_CHILDVM_FID_SHARE   0xC6000028u /**< Share pages with a child. */
#define HYP_CHILDVM_FID_UNSHARE 0xC6000029u /**< Stop sharing them. */
#define HYP_CHILDVM_FID_LAST    0xC600002Fu /**< Last ID of the block. */
/** @} */

/** Version returned by ::HYP_CHILDVM_FID_VERSION: major << 16 | minor. */
#define HYP_CHILDVM_VERSION ((1u << 16) | 0u)

/** Status codes returned in x0 (SMCCC's own values for the first two). */
enum hyp_childvm_status {
    HYP_CHILDVM_SUCCESS = 0,        /**< Done. */
    HYP_CHILDVM_NOT_SUPPORTED = -1, /**< Unknown call, or the caller may not. */
    HYP_CHILDVM_INVALID = -2,       /**< A malformed argument (INVALID_PARAMETERS). */
    HYP_CHILDVM_DENIED = -3,        /**< Not the caller's memory; depth limit. */
    HYP_CHILDVM_NO_MEMORY = -4,     /**< Over a limit, or out of slots or tables. */
    HYP_CHILDVM_BAD_CONFIG = -5,    /**< The configuration blob is refused. */
    HYP_CHILDVM_BAD_IMAGE = -6,     /**< The image is empty or does not fit. */
    HYP_CHILDVM_BUSY = -7,          /**< Memory in use; child running elsewhere. */
    HYP_CHILDVM_NO_CHILD = -8,      /**< No child of the caller has that handle. */
    HYP_CHILDVM_BAD_SIGNATURE = -9, /**< The caller needs signed images: none, or bad. */
};

/** Why an invocation ended (x1 of ::HYP_CHILDVM_FID_INVOKE). */
enum hyp_childvm_reason {
    HYP_CHILDVM_RETURNED = 1,    /**< The child called ::HYP_CHILDVM_FID_RETURN. */
    HYP_CHILDVM_YIELDED = 2,     /**< The child called ::HYP_CHILDVM_FID_YIELD. */
    HYP_CHILDVM_FAULTED = 3,     /**< The child died. */
    HYP_CHILDVM_INTERRUPTED = 4, /**< An interrupt for the caller arrived. */
};

/** A child's state (x1 of ::HYP_CHILDVM_FID_QUERY). */
enum hyp_childvm_state {
    HYP_CHILDVM_CREATED = 1,       /**< Never run. */
    HYP_CHILDVM_READY = 2,         /**< Returned or yielded. */
    HYP_CHILDVM_RUNNING = 3,       /**< On a CPU's VM stack. */
    HYP_CHILDVM_STOPPED = 4,       /**< Interrupted; an invocation resumes it. */
    HYP_CHILDVM_STATE_FAULTED = 5, /**< Dead. */
};

/** Largest configuration blob accepted. */
#define HYP_CHILDVM_CONFIG_MAX  (64u * 1024u)
/** Guest-physical address of a child's memory. */
#define HYP_CHILDVM_RAM_IPA     0x40000000ull
/** Bytes at the end of a child's memory kept for its DTB. */
#define HYP_CHILDVM_DTB_SIZE    (64u * 1024u)
/** Bytes of the signature that ends an image when the creator has a
 *  `public-key` (an Ed25519 signature of the launch measurement). */
#define HYP_CHILDVM_SIG_SIZE    64u
/** Prefix of the measured data (16 bytes with its NUL). */
#define HYP_CHILDVM_MEASURE_TAG "libhyp-child-v1"

#endif /* HYP_ABI_CHILDVM_H */
