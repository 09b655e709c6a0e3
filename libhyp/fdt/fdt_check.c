/* SPDX-License-Identifier: BSD-2-Clause */
/* A whole-tree DTB check that is safe on hostile input. */
#include <libfdt.h>
#include "fdt_check.h"

int hyp_fdt_check_full(const void *fdt, size_t size)
{
    int offset = 0, next = 0, len;
    uint32_t tag;

    /* The first tag that is not a NOP must be the root, with a readable name. */
    do {
        offset = next;
        tag = fdt_next_tag(fdt, offset, &next);
        if (next < 0)
            return next;
    } while (tag == FDT_NOP);
    if (tag != FDT_BEGIN_NODE)
        return -FDT_ERR_BADSTRUCTURE;
    if (fdt_get_name(fdt, offset, &len) == NULL)
        return len < 0 ? len : -FDT_ERR_BADSTRUCTURE;
    return fdt_check_full(fdt, size);
}
