/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file abi/hcpage.h
 * @brief The hypercall page's layout, for the programs that use it.
 *
 * Sizes, identification values and register offsets of the page described
 * in hyp/hcpage.h and `docs/bindings/child-vms.md` ("From Linux
 * userspace"). The header needs nothing else, so a program outside the
 * library (e.g. tools/linux/childvm.c, built against glibc) includes it
 * alone; hyp/hcpage.h includes it for the library's side.
 */
#ifndef HYP_ABI_HCPAGE_H
#define HYP_ABI_HCPAGE_H

/** Bytes of the region. */
#define HYP_HCPAGE_SIZE    0x1000u
/** MAGIC: the ASCII bytes "LIBHYPHC", the first in the most significant byte. */
#define HYP_HCPAGE_MAGIC   0x4c49424859504843ull
/** VERSION of the layout: major << 16 | minor (1.0). */
#define HYP_HCPAGE_VERSION 0x10000u
/** Call slots in a page. */
#define HYP_HCPAGE_SLOTS   8u

/** @name Register offsets
 * @{ */
#define HYP_HCPAGE_REG_MAGIC   0x000u /**< MAGIC (read-only). */
#define HYP_HCPAGE_REG_VERSION 0x008u /**< VERSION (read-only). */
#define HYP_HCPAGE_REG_SLOTS   0x010u /**< SLOTS (read-only). */
#define HYP_HCPAGE_REG_OWNERS  0x018u /**< OWNERS (read-only). */
/** Offset of slot @p n. */
#define HYP_HCPAGE_SLOT(n)     (0x100u * ((n) + 1u))
#define HYP_HCPAGE_FID         0x00u /**< In a slot: the function ID. */
/** In a slot: argument @p i, 1..7 (x1..x7). */
#define HYP_HCPAGE_ARG(i)      (0x08u * (i))
/** In a slot: result @p i, 0..4 (x0..x4 after the call). */
#define HYP_HCPAGE_RES(i)      (0x40u + 0x08u * (i))
#define HYP_HCPAGE_CALL        0x78u /**< In a slot: write to make the call. */
/** @} */

#endif /* HYP_ABI_HCPAGE_H */
