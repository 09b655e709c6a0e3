/* SPDX-License-Identifier: BSD-2-Clause */
/* A whole-tree DTB check that is safe on hostile input (internal). */
#ifndef HYP_FDT_CHECK_H
#define HYP_FDT_CHECK_H

#include <stddef.h>

/*
 * fdt_check_full(), made safe: Debian's libfdt 1.6.1 dereferences the root
 * node's name without checking that fdt_get_name() found one, so a blob
 * whose first node has an unreadable name crashes it, and it loops forever
 * on a property whose length is near 2^32. Both are checked first.
 * The header must already have passed fdt_check_header() and fit @size.
 * Returns 0 or a negative libfdt error code.
 */
int hyp_fdt_check_full(const void *fdt, size_t size);

#endif /* HYP_FDT_CHECK_H */
