/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file colour.h
 * @brief Cache colouring: which last-level-cache sets a physical page can
 *        occupy, and coloured RAM for VMs.
 *
 * A physically indexed last-level cache (LLC) of `sets` sets of
 * `line_size`-byte lines maps a physical address to set
 * `(pa / line_size) % sets`. One *way* of it spans `sets * line_size` bytes
 * of physical address space; a 4 KiB page covers a fixed slice of those
 * sets, its **colour**: `(pa / 4 KiB) % colours` with `colours = way size /
 * 4 KiB`. Two pages of different colours never compete for the same LLC
 * set, so VMs given disjoint colours cannot evict each other's lines.
 *
 * The geometry comes from the board DTB (the LLC reached from the first CPU
 * through `next-level-cache`, with the standard `cache-size`,
 * `cache-line-size` and `cache-sets` properties) or from an override on the
 * `/hypervisor` node (`llc-cache-size`, `llc-cache-line-size`,
 * `llc-cache-sets`; see `docs/bindings/partitioner.md`).
 *
 * Colours are handed out as a bitmap (bit c = colour c), so at most
 * ::HYP_COLOUR_MAX of them are used: a cache with more colours is coloured
 * with ::HYP_COLOUR_MAX, which stays sound (pages whose colours differ
 * modulo 64 differ modulo any multiple of 64) but coarser.
 *
 * A coloured VM's RAM is a **layout**: a physical *span*, aligned to one
 * colour period (`colours` pages), whose pages of the VM's colours, in
 * address order, back its guest-physical RAM one page after another. Guest
 * RAM stays contiguous; only stage 2 maps it page by page. Spans of VMs with
 * disjoint colours may overlap: their pages interleave.
 *
 * Everything here is a pure function (the DT reader reads a blob), for host
 * and target alike; nothing allocates.
 */
#ifndef HYP_COLOUR_H
#define HYP_COLOUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyp/platform.h>

/** Most colours used (the width of a colour bitmap). */
#define HYP_COLOUR_MAX  64u
/** Bytes of a page, the unit of colouring (4 KiB). */
#define HYP_COLOUR_PAGE 4096u

/** A set of colours: bit c stands for colour c. */
typedef uint64_t hyp_colour_set;

/** The LLC's geometry and what colouring makes of it. */
struct hyp_colour_geom {
    uint64_t cache_size;    /**< Bytes of the LLC (`cache-size`). */
    uint32_t line_size;     /**< Bytes of a line (`cache-line-size`). */
    uint32_t sets;          /**< Sets (`cache-sets`). */
    uint32_t ways;          /**< Associativity: cache_size / (sets * line_size). */
    unsigned colours;       /**< Colours used: way size / 4 KiB, 1..::HYP_COLOUR_MAX. */
    unsigned cache_colours; /**< Colours the cache has (before the cap). */
};

/** Where a coloured VM's RAM lies (see the file comment). */
struct hyp_colour_layout {
    uint64_t base;   /**< Physical base of the span; aligned to a colour period. */
    uint64_t span;   /**< Bytes of the span (whole periods). */
    uint64_t size;   /**< Bytes of RAM it backs (a multiple of 4 KiB). */
    unsigned period; /**< Colours of the geometry: pages in one period. */
    unsigned count;  /**< Colours of the VM: entries in @ref list. */
    uint8_t list[HYP_COLOUR_MAX]; /**< The VM's colours, ascending. */
};

/** What hyp_colour_audit() found in a stage 2. */
struct hyp_colour_audit {
    uint64_t pages;       /**< 4 KiB pages of the range that are mapped. */
    uint64_t missing;     /**< Pages of the range that are not mapped. */
    uint64_t wrong;       /**< Mapped pages of a colour not in the set. */
    uint64_t outside;     /**< Mapped pages outside the layout's span. */
    uint64_t first_wrong; /**< Guest address of the first wrong page (if any). */
};

/**
 * @brief Compute the colouring of an LLC from its size, line size and sets.
 * @param g          Out: the geometry.
 * @param cache_size Bytes; a multiple of `sets * line_size`.
 * @param line_size  Bytes; a power of two, 16..4096.
 * @param sets       A power of two.
 * @param why        Receives the reason of a refusal (may be NULL).
 * @param why_len    Bytes at @p why.
 * @return ::HYP_OK; ::HYP_EINVAL for an inconsistent geometry.
 */
int hyp_colour_geom_init(struct hyp_colour_geom *g, uint64_t cache_size,
                         uint32_t line_size, uint32_t sets, char *why, size_t why_len);

/**
 * @brief Read the LLC geometry from a DTB.
 *
 * The override on @p hv_node (all three of `llc-cache-size`,
 * `llc-cache-line-size`, `llc-cache-sets`, one cell each) wins; otherwise
 * the last cache node with a `cache-size` on the `next-level-cache` chain of
 * the first `/cpus` CPU, which must then have `cache-line-size` (or
 * `cache-block-size`) and `cache-sets`.
 *
 * @param fdt     The DTB.
 * @param hv_node Offset of the `/hypervisor` node, or negative for none.
 * @param g       Out: the geometry.
 * @param why     Receives the reason of a refusal: "<prop>: <problem>" or
 *                "<node path>: <problem>" (may be NULL).
 * @param why_len Bytes at @p why.
 * @return ::HYP_OK; ::HYP_ENOENT when the DTB describes no LLC and there is
 *         no override; ::HYP_EFORMAT for a malformed override or cache node;
 *         ::HYP_EINVAL for an inconsistent geometry.
 */
int hyp_colour_geom_from_dt(const void *fdt, int hv_node, struct hyp_colour_geom *g,
                            char *why, size_t why_len);

/**
 * @brief The colour of a physical address.
 * @param g  A geometry from hyp_colour_geom_init().
 * @param pa Any physical address.
 * @return Its colour, below ::hyp_colour_geom::colours.
 */
unsigned hyp_colour_of(const struct hyp_colour_geom *g, uint64_t pa);

/**
 * @brief Colours in a set.
 * @param set A colour set.
 * @return How many.
 */
unsigned hyp_colour_count(hyp_colour_set set);

/**
 * @brief The set of every colour of a geometry.
 * @param g A geometry.
 * @return Bits 0..colours-1.
 */
hyp_colour_set hyp_colour_all(const struct hyp_colour_geom *g);

/**
 * @brief Bytes of a span that holds @p size bytes of RAM of colours @p set.
 * @param g    A geometry.
 * @param set  A non-empty set of its colours.
 * @param size Bytes of RAM (a multiple of 4 KiB).
 * @return Bytes of whole colour periods; 0 for an empty set or on overflow.
 */
uint64_t hyp_colour_span(const struct hyp_colour_geom *g, hyp_colour_set set,
                         uint64_t size);

/**
 * @brief Bytes of a physical range whose pages have a colour of @p set.
 * @param g   A geometry.
 * @param set A colour set.
 * @param r   The range (partial pages at its ends count for what they hold).
 * @return The bytes.
 */
uint64_t hyp_colour_bytes_in(const struct hyp_colour_geom *g, hyp_colour_set set,
                             const struct hyp_range *r);

/**
 * @brief Describe a coloured RAM: span @p base, colours @p set, @p size bytes.
 * @param l    Out: the layout.
 * @param g    A geometry.
 * @param set  A non-empty set of its colours.
 * @param base Physical base of the span, aligned to `colours * 4 KiB`.
 * @param size Bytes of RAM; a non-zero multiple of 4 KiB.
 * @return ::HYP_OK; ::HYP_EINVAL for an empty set, a colour outside the
 *         geometry or a zero or unaligned size; ::HYP_EALIGN for a misaligned
 *         base; ::HYP_ERANGE when the span wraps.
 */
int hyp_colour_layout_init(struct hyp_colour_layout *l, const struct hyp_colour_geom *g,
                           hyp_colour_set set, uint64_t base, uint64_t size);

/**
 * @brief Physical address of the page backing byte @p offset of a coloured RAM.
 * @param l      A layout.
 * @param offset Byte offset into the RAM, below ::hyp_colour_layout::size.
 * @return The physical address of that byte.
 */
uint64_t hyp_colour_pa(const struct hyp_colour_layout *l, uint64_t offset);

/**
 * @brief Bytes from @p offset on that are physically contiguous.
 * @param l      A layout.
 * @param offset Byte offset into the RAM, below ::hyp_colour_layout::size.
 * @return Bytes up to the end of the run of consecutive pages (or of the RAM).
 */
uint64_t hyp_colour_run(const struct hyp_colour_layout *l, uint64_t offset);

/**
 * @brief Write a colour set as ranges, e.g. "0-3,8,10-11" ("none" if empty).
 * @param set  The set.
 * @param buf  Output buffer (always NUL-terminated when @p size > 0).
 * @param size Bytes at @p buf.
 */
void hyp_colour_format(hyp_colour_set set, char *buf, size_t size);

struct hyp_pgtable;

/**
 * @brief Check the pages a stage 2 maps for guest RAM against a layout.
 *
 * Walks the leaves of `[ipa, ipa + size)` and, page by page, counts those
 * mapped, not mapped, of a colour not in the layout's colours, or outside
 * its span. Boot or debug use only: it walks every page.
 *
 * @param s2   The table.
 * @param ipa  Guest-physical start of the RAM (4 KiB aligned).
 * @param size Bytes (a non-zero multiple of 4 KiB).
 * @param l    The layout the RAM should follow.
 * @param out  Out: the counts.
 * @return ::HYP_OK; errors of hyp_pgtable_walk() for a bad range.
 */
int hyp_colour_audit(const struct hyp_pgtable *s2, uint64_t ipa, uint64_t size,
                     const struct hyp_colour_layout *l, struct hyp_colour_audit *out);

/**
 * @brief Check the pages of a translation table itself against colours.
 *
 * Counts the table's pages (the root's pages and every next-level table)
 * in ::hyp_colour_audit::pages and those of a colour not in @p set in
 * ::hyp_colour_audit::wrong, with the physical address of the first in
 * ::hyp_colour_audit::first_wrong; the other counts stay 0. Works for a
 * stage 2 and for EL2's own table alike. Boot or debug use only.
 *
 * @param pt     The table.
 * @param period Colours of the geometry (hyp_colour_geom::colours).
 * @param set    The colours its pages should have.
 * @param out    Out: the counts.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL, an empty set or a bad period.
 */
int hyp_colour_audit_tables(const struct hyp_pgtable *pt, unsigned period,
                            hyp_colour_set set, struct hyp_colour_audit *out);

#endif /* HYP_COLOUR_H */
