/* SPDX-License-Identifier: BSD-2-Clause */
/* A whole-tree DTB check that is safe on hostile input. */
#include <libfdt.h>
#include "fdt_check.h"
#include "fdt_index.h"

/* The whole-tree check below, uncached. */
static int check_full(const void *fdt, size_t size)
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

int hyp_fdt_check_full(const void *fdt, size_t size)
{
    /* The last tree that passed: every parser checks the boot DTB again, and
     * a check costs more than a hundred thousand instructions. */
    static const void *passed;
    static uint64_t passed_fp;
    uint64_t fp;
    int rc;

    if (size < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 ||
        fdt_totalsize(fdt) > size)
        return check_full(fdt, size); /* says what is wrong */
    fp = hyp_fdt_fingerprint(fdt);
    if (fdt == passed && fp == passed_fp)
        return 0;
    rc = check_full(fdt, size);
    if (rc == 0) {
        passed = fdt;
        passed_fp = fp;
    }
    return rc;
}
