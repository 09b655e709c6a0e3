/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A one-pass index of a flattened device tree's nodes: each node's parent,
 * depth and phandle, so that the parsers (platform discovery, the guest DTB
 * builder, device enumeration) find a parent or follow a phandle in
 * O(log n) instead of libfdt's fdt_parent_offset() and
 * fdt_node_offset_by_phandle(), which rescan the tree from its start on
 * every call and made parsing QEMU's virt DTB quadratic (10 M instructions
 * at boot).
 *
 * Storage is the caller's (no allocation). A tree with more nodes than
 * HYP_FDT_INDEX_MAX is indexed only in part: the lookups then fall back to
 * libfdt, so the answers are the same, only slower. The index describes the
 * tree it was built from and must be rebuilt after the tree changes.
 */
#ifndef HYP_FDT_INDEX_H
#define HYP_FDT_INDEX_H

#include <stdbool.h>
#include <stdint.h>

/* Nodes indexed; QEMU's virt DTB has about 100, real boards' a few hundred. */
#define HYP_FDT_INDEX_MAX   1024
/* Deepest node indexed (the root is depth 0); deeper trees are indexed in part. */
#define HYP_FDT_INDEX_DEPTH 64

struct hyp_fdt_index {
    const void *fdt;
    uint64_t fingerprint; /* of the tree indexed: see hyp_fdt_index_for() */
    unsigned count;       /* nodes indexed, in tree order (ascending offsets) */
    bool complete;        /* every node of the tree is indexed */
    int offset[HYP_FDT_INDEX_MAX];
    int parent[HYP_FDT_INDEX_MAX]; /* parent's offset; -FDT_ERR_NOTFOUND for the root */
    uint32_t phandle[HYP_FDT_INDEX_MAX];
};

/* Index @fdt (already checked with hyp_fdt_check_full()). Returns 0, or a
 * negative libfdt error for a tree that cannot be walked (the index is then
 * empty and every lookup falls back to libfdt). */
int hyp_fdt_index_build(struct hyp_fdt_index *idx, const void *fdt);

/* A 64-bit FNV-1a fingerprint of @fdt's header, structure and strings blocks
 * (the parts of them inside its totalsize): equal for equal trees, and
 * almost surely different after any change to a node or property.
 * fdt_check_header() must have passed, and the blob must be readable up to
 * its totalsize. */
uint64_t hyp_fdt_fingerprint(const void *fdt);

/*
 * The index of @fdt, from a one-entry cache: rebuilt when @fdt is not the
 * tree it holds, by address or by content (a fingerprint of the header and
 * the structure and strings blocks, a few thousand instructions against
 * the tens of thousands one libfdt parent or phandle lookup costs). For the
 * parsers that run at boot or VM creation, one CPU at a time: the pointer
 * stays valid until the next call with another tree. Never NULL; for a tree
 * that cannot be walked the index is empty and lookups fall back to libfdt.
 */
const struct hyp_fdt_index *hyp_fdt_index_for(const void *fdt);

/* fdt_parent_offset(idx->fdt, node), from the index when it can. */
int hyp_fdt_index_parent(const struct hyp_fdt_index *idx, int node);

/* fdt_node_offset_by_phandle(idx->fdt, phandle), from the index when it can. */
int hyp_fdt_index_by_phandle(const struct hyp_fdt_index *idx, uint32_t phandle);

#endif /* HYP_FDT_INDEX_H */
