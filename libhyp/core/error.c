/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file error.c
 * @brief Names of the libhyp error codes (see hyp/error.h).
 */
#include <hyp/error.h>

const char *hyp_strerror(int err)
{
    switch (err) {
    case HYP_OK:
        return "OK";
    case HYP_EINVAL:
        return "EINVAL";
    case HYP_EALIGN:
        return "EALIGN";
    case HYP_ERANGE:
        return "ERANGE";
    case HYP_ENOMEM:
        return "ENOMEM";
    case HYP_EEXIST:
        return "EEXIST";
    case HYP_ENOENT:
        return "ENOENT";
    case HYP_EBUSY:
        return "EBUSY";
    case HYP_ENOTSUP:
        return "ENOTSUP";
    case HYP_EFORMAT:
        return "EFORMAT";
    case HYP_EPERM:
        return "EPERM";
    case HYP_EFIRMWARE:
        return "EFIRMWARE";
    default:
        return "unknown";
    }
}
