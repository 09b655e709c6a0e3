/* SPDX-License-Identifier: BSD-2-Clause */
/* A whole-tree DTB check that is safe on hostile input. */
#include <string.h>
#include <libfdt.h>
#include "fdt_check.h"
#include "fdt_index.h"

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Every tag of the structure block, in order, with its lengths in bounds.
 * libfdt 1.6.1's own walk (fdt_next_tag()) adds a property's length as a
 * signed int: a length near 2^32 steps it backwards and fdt_check_full()
 * never ends. A guest-given blob (a child VM's configuration) must not be
 * able to hang its CPU, so the walk is done here first, forwards only.
 */
static int check_struct(const void *fdt)
{
    uint32_t total = fdt_totalsize(fdt), start = fdt_off_dt_struct(fdt);
    uint32_t strings = fdt_size_dt_strings(fdt), size, off = 0;
    const uint8_t *base;

    if (start > total)
        return -FDT_ERR_TRUNCATED;
    size = fdt_version(fdt) >= 17 ? fdt_size_dt_struct(fdt) : total - start;
    if (size > total - start)
        return -FDT_ERR_TRUNCATED;
    base = (const uint8_t *)fdt + start;
    for (;;) {
        uint32_t tag, len;
        const uint8_t *nul;

        if (size - off < 4)
            return -FDT_ERR_TRUNCATED;
        tag = be32_at(base + off);
        off += 4;
        switch (tag) {
        case FDT_BEGIN_NODE:
            nul = memchr(base + off, 0, size - off);
            if (nul == NULL)
                return -FDT_ERR_TRUNCATED;
            off = (uint32_t)(nul - base) + 1;
            break;
        case FDT_PROP:
            if (size - off < 8)
                return -FDT_ERR_TRUNCATED;
            len = be32_at(base + off);
            if (be32_at(base + off + 4) >= strings)
                return -FDT_ERR_BADOFFSET;
            off += 8;
            if (len > size - off)
                return -FDT_ERR_TRUNCATED;
            off += len;
            break;
        case FDT_END_NODE:
        case FDT_NOP:
            break;
        case FDT_END:
            return 0;
        default:
            return -FDT_ERR_BADSTRUCTURE;
        }
        off = (off + 3) & ~3u; /* never past size: size is a multiple of 4 */
        if (off > size)
            return -FDT_ERR_TRUNCATED;
    }
}

/* The whole-tree check below, uncached. */
static int check_full(const void *fdt, size_t size)
{
    int offset = 0, next = 0, len;
    uint32_t tag;

    if (fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) > size)
        return fdt_check_header(fdt) != 0 ? fdt_check_header(fdt) : -FDT_ERR_TRUNCATED;
    len = check_struct(fdt);
    if (len != 0)
        return len;

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
