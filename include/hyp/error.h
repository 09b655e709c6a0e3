/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file error.h
 * @brief The one set of error codes every libhyp function returns.
 *
 * Functions that can fail return an `int`: zero (::HYP_OK) on success or a
 * negative ::hyp_err value. Codes are converted to PSCI or SMCCC return values
 * only at the guest ABI edge, never inside the library.
 */
#ifndef HYP_ERROR_H
#define HYP_ERROR_H

/** Error codes. All failures are negative; success is ::HYP_OK. */
enum hyp_err {
    HYP_OK = 0,          /**< Success. */
    HYP_EINVAL = -1,     /**< An argument is malformed or out of range. */
    HYP_EALIGN = -2,     /**< An address or size is not suitably aligned. */
    HYP_ERANGE = -3,     /**< An address lies outside the space it must fit in. */
    HYP_ENOMEM = -4,     /**< A pool or fixed-size table ran out of space. */
    HYP_EEXIST = -5,     /**< The object (mapping, entry) already exists. */
    HYP_ENOENT = -6,     /**< The object (mapping, node, property) does not exist. */
    HYP_EBUSY = -7,      /**< The resource is in use or in the wrong state. */
    HYP_ENOTSUP = -8,    /**< The operation or configuration is not supported. */
    HYP_EFORMAT = -9,    /**< Input data (DTB, image, descriptor) is malformed. */
    HYP_EPERM = -10,     /**< The caller is not allowed to do this. */
    HYP_EFIRMWARE = -11, /**< Firmware (PSCI, SMCCC) refused or failed a call. */
};

/**
 * @brief Name of an error code, for log messages.
 * @param err A ::hyp_err value (or any int).
 * @return A static string such as "EINVAL"; "unknown" for other values.
 */
const char *hyp_strerror(int err);

#endif /* HYP_ERROR_H */
