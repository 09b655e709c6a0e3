/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file guest_internal.h
 * @brief Helpers shared by the guest-loading sources (modules, image, DTB).
 */
#ifndef HYP_FDT_GUEST_INTERNAL_H
#define HYP_FDT_GUEST_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/platform.h>

#if defined(__GNUC__)
#define GUEST_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define GUEST_PRINTF_LIKE(fmt, args)
#endif

/** 2 MiB, the arm64 kernel's base alignment and our placement granule. */
#define GUEST_SZ_2M (2ULL << 20)

/**
 * Write "<path of node>: <message>" (just the message when @p fdt is NULL or
 * @p node negative) into @p err, which holds HYP_GUEST_ERRLEN bytes, unless
 * @p err is NULL. @return @p code.
 */
GUEST_PRINTF_LIKE(5, 6)
int hyp_guest_fail(char *err, const void *fdt, int node, int code, const char *fmt, ...);

/** Whether `[a, a + as)` and `[b, b + bs)` share a byte (empty ranges never do). */
bool hyp_guest_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs);

/** Round @p v up to a multiple of @p align (a power of two); false on overflow. */
bool hyp_guest_align_up(uint64_t v, uint64_t align, uint64_t *out);

/** Most `reg` entries of a device copied into a guest DTB. */
#define HYP_GUEST_DEV_MAX_REG    8
/** Most `clocks` specifiers of a device copied into a guest DTB. */
#define HYP_GUEST_DEV_MAX_CLOCKS 4

struct hyp_fdt_index;

/** A host device node checked for copying (hyp_guest_dev_read()). */
struct hyp_guest_dev {
    struct hyp_range reg[HYP_GUEST_DEV_MAX_REG]; /**< `reg`, CPU addresses. */
    unsigned reg_count;                          /**< Valid entries in @ref reg. */
    int clk[HYP_GUEST_DEV_MAX_CLOCKS]; /**< Fixed-clock provider of each specifier. */
    unsigned clk_count;                /**< Valid entries in @ref clk. */
};

/**
 * Check that host node @p node can be described in a guest DTB as
 * hyp_guest_dtb_check_device() says, and decode its `reg` and `clocks`;
 * @p idx indexes the host DTB (hyp_fdt_index_for()).
 * @return HYP_OK, or HYP_ENOTSUP / HYP_EFORMAT with @p err set.
 */
int hyp_guest_dev_read(const struct hyp_fdt_index *idx, int node,
                       struct hyp_guest_dev *dev, char *err);

/** @p node is a GIC (one of the compatibles the guest DTB writer knows). */
bool hyp_guest_is_gic(const void *fdt, int node);

#endif /* HYP_FDT_GUEST_INTERNAL_H */
