/* SPDX-License-Identifier: BSD-2-Clause */
/* One-pass device-tree node index: see fdt_index.h. */
#include "fdt_index.h"

#include <libfdt.h>

int hyp_fdt_index_build(struct hyp_fdt_index *idx, const void *fdt)
{
    /* The offsets of the nodes on the path from the root to the current one. */
    int stack[HYP_FDT_INDEX_DEPTH];
    int node, depth = -1; /* fdt_next_node() counts the root as depth 0 */

    idx->fdt = fdt;
    idx->fingerprint = 0;
    idx->count = 0;
    idx->complete = false;
    for (node = fdt_next_node(fdt, -1, &depth); node >= 0;
         node = fdt_next_node(fdt, node, &depth)) {
        unsigned i = idx->count;

        if (depth < 0)
            break; /* past the root's end: that was every node */
        if (depth >= HYP_FDT_INDEX_DEPTH || i == HYP_FDT_INDEX_MAX)
            return 0; /* partial: lookups past it fall back to libfdt */
        stack[depth] = node;
        idx->offset[i] = node;
        idx->parent[i] = depth == 0 ? -FDT_ERR_NOTFOUND : stack[depth - 1];
        idx->phandle[i] = fdt_get_phandle(fdt, node);
        idx->count = i + 1;
    }
    if (node < 0 && node != -FDT_ERR_NOTFOUND) {
        idx->count = 0;
        return node;
    }
    idx->complete = true;
    return 0;
}

/* Bytes of the block [off, off + size) that lie inside the blob (an old
 * header's size fields are not checked by fdt_check_header()). */
static uint32_t clamp(const void *fdt, uint32_t off, uint32_t size)
{
    uint32_t total = fdt_totalsize(fdt);

    return off >= total ? 0 : size < total - off ? size : total - off;
}

/* FNV-1a over the header and the structure block a word at a time (both
 * 4-byte aligned in a valid blob), and over the strings block a byte at a
 * time (it has no alignment). */
uint64_t hyp_fdt_fingerprint(const void *fdt)
{
    uint32_t soff = fdt_off_dt_struct(fdt) & ~3u;
    uint32_t slen = clamp(fdt, soff, fdt_size_dt_struct(fdt));
    uint32_t toff = fdt_off_dt_strings(fdt);
    uint32_t tlen = clamp(fdt, toff, fdt_size_dt_strings(fdt));
    const uint32_t *w = __builtin_assume_aligned(fdt, 4);
    const uint32_t *sw = __builtin_assume_aligned((const uint8_t *)fdt + soff, 4);
    const uint8_t *str = (const uint8_t *)fdt + toff;
    uint64_t h = 0xcbf29ce484222325ULL;

    for (unsigned i = 0; i < sizeof(struct fdt_header) / 4; i++)
        h = (h ^ w[i]) * 0x100000001b3ULL;
    for (uint32_t i = 0; i < slen / 4; i++)
        h = (h ^ sw[i]) * 0x100000001b3ULL;
    for (uint32_t i = 0; i < tlen; i++)
        h = (h ^ str[i]) * 0x100000001b3ULL;
    return h;
}

const struct hyp_fdt_index *hyp_fdt_index_for(const void *fdt)
{
    static struct hyp_fdt_index cache;
    uint64_t fp;

    if (fdt_check_header(fdt) != 0) {
        /* Nothing indexed: every lookup is libfdt's own. */
        cache = (struct hyp_fdt_index){.fdt = fdt};
        cache.count = 0;
        return &cache;
    }
    fp = hyp_fdt_fingerprint(fdt);
    if (cache.fdt != fdt || cache.fingerprint != fp || cache.count == 0) {
        hyp_fdt_index_build(&cache, fdt);
        cache.fingerprint = fp;
    }
    return &cache;
}

/* Position of @node in the index, or -1. */
static int find(const struct hyp_fdt_index *idx, int node)
{
    unsigned lo = 0, hi = idx->count;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        if (idx->offset[mid] == node)
            return (int)mid;
        if (idx->offset[mid] < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int hyp_fdt_index_parent(const struct hyp_fdt_index *idx, int node)
{
    int i = find(idx, node);

    if (i < 0)
        return fdt_parent_offset(idx->fdt, node);
    return idx->parent[i];
}

int hyp_fdt_index_by_phandle(const struct hyp_fdt_index *idx, uint32_t phandle)
{
    if (phandle == 0 || phandle == (uint32_t)-1)
        return -FDT_ERR_BADPHANDLE;
    for (unsigned i = 0; i < idx->count; i++)
        if (idx->phandle[i] == phandle)
            return idx->offset[i];
    if (idx->complete)
        return -FDT_ERR_NOTFOUND;
    return fdt_node_offset_by_phandle(idx->fdt, phandle);
}
