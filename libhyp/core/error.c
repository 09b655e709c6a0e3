/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file error.c
 * @brief Names of the libhyp error codes (see hyp/error.h).
 */
#include <hyp/error.h>

const char *hyp_strerror(int err)
{
    /* Indexed by -err: the codes run from HYP_OK down to HYP_EFIRMWARE. */
    static const char *const names[] = {
        "OK",     "EINVAL", "EALIGN",  "ERANGE",  "ENOMEM", "EEXIST",
        "ENOENT", "EBUSY",  "ENOTSUP", "EFORMAT", "EPERM",  "EFIRMWARE",
    };

    return err <= 0 && err >= HYP_EFIRMWARE ? names[-err] : "unknown";
}
