/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file mm.h
 * @brief The hypervisor's own (EL2 stage-1) address space.
 *
 * At boot libhyp maps, at their physical addresses, exactly what the
 * hypervisor needs: its text read-only and executable, read-only data
 * read-only, data, BSS and stacks read-write and never executable, the boot
 * DTB read-only, and the console UART and GIC as Device-nGnRE. Everything
 * else is unmapped, so a stray access is caught by the exception dump.
 * SCTLR_EL2.WXN is set: no writable mapping is ever executable.
 */
#ifndef HYP_MM_H
#define HYP_MM_H

#include <stdint.h>
#include <hyp/platform.h>

/**
 * @brief Map a physical range into the hypervisor's address space.
 *
 * Identity mapping (virtual address == physical address); the range must lie
 * outside the image. Callable on any CPU after boot; TLB maintenance is done
 * for every CPU.
 *
 * @param pa   Start; 4 KiB aligned.
 * @param size Bytes; a non-zero multiple of 4 KiB.
 * @param prot ::hyp_prot flags (see pgtable.h): R required, W+X refused.
 * @return ::HYP_OK or the error of hyp_pgtable_map().
 */
int hyp_el2_map(uint64_t pa, uint64_t size, unsigned prot);

/**
 * @brief Remove a range from the hypervisor's address space.
 * @param pa   Start; 4 KiB aligned.
 * @param size Bytes; a non-zero multiple of 4 KiB.
 * @return ::HYP_OK or the error of hyp_pgtable_unmap().
 */
int hyp_el2_unmap(uint64_t pa, uint64_t size);

/**
 * @brief Physical address size the translation tables use.
 *
 * From ID_AA64MMFR0_EL1.PARange, capped at 48 bits (4 KiB granule without
 * FEAT_LPA2). The EL2 tables and a VM's stage 2 use it as their output size.
 *
 * @return 32, 36, 40, 42, 44 or 48.
 */
unsigned hyp_pa_bits(void);

/**
 * @brief Where the hypervisor image lies in physical memory.
 * @return `[start of text, end of BSS)`, 4 KiB aligned at both ends.
 */
struct hyp_range hyp_image_range(void);

/**
 * @brief Clean a range to the point of coherency and invalidate instruction caches.
 *
 * For memory the hypervisor wrote through its cacheable mapping that a
 * guest will read or execute with its MMU off (loaded kernels, DTBs).
 *
 * @param pa   Start (mapped at EL2).
 * @param size Bytes.
 */
void hyp_el2_sync_for_guest(uint64_t pa, uint64_t size);

/**
 * @brief Table pages the hypervisor's own stage-1 tables use.
 * @return Pages in use (root included).
 */
uint64_t hyp_el2_table_pages(void);

struct hyp_colour_layout;
struct hyp_page_pool;

/**
 * @brief Bytes of the image that hyp_el2_relocate() moves: all of it but
 *        the pages of EL2's own translation tables.
 * @return The bytes (a multiple of 4 KiB).
 */
uint64_t hyp_el2_movable_size(void);

/**
 * @brief Move the running hypervisor image to the pages of a colour layout.
 *
 * For a hypervisor whose own memory must have cache colours of its own
 * (colour.h): its text, read-only data, data, BSS and stacks are copied to
 * the layout's pages, in image order, and a new EL2 table maps the image's
 * unchanged virtual addresses to them; only the pages of EL2's own tables
 * stay where they are (and keep all colours). Everything else mapped stays
 * mapped as it was. Secondary CPUs started afterwards join the new table.
 * Call on the boot CPU before any other CPU is started and before anything
 * takes the physical address of image memory as its virtual one: after it,
 * the image is no longer identity-mapped (hyp_el2_map() windows elsewhere
 * still are). The old pages must stay untouched: secondaries enter there.
 *
 * With @p tables, the new EL2 table is built from that pool's pages, and
 * every table page hyp_el2_map() needs later comes from it too: a pool
 * restricted to the same colours (hyp_page_pool_keep_colours()) gives EL2's
 * tables those colours as well. Without it they come from the pool in the
 * image's BSS, whose pages stay where they are and keep all colours.
 *
 * @param l      A layout of at least hyp_el2_movable_size() bytes, its span
 *               outside the image and unused by anything else.
 * @param tables NULL, or a pool for EL2's table pages from now on: mapped
 *               read-write by hyp_el2_map() (identity), outside @p l and
 *               the image, used by nothing else (EL2 serialises its use).
 * @param err    Receives a message on failure.
 * @param errlen Bytes at @p err.
 * @return ::HYP_OK; ::HYP_EINVAL for a layout too small or overlapping the
 *         image; ::HYP_ENOMEM when EL2's table pool runs out (nothing moved).
 */
int hyp_el2_relocate(const struct hyp_colour_layout *l, struct hyp_page_pool *tables,
                     char *err, unsigned errlen);

struct hyp_colour_audit;

/**
 * @brief Check, page by page, where the MMU takes the image's addresses.
 *
 * Translates every page of the image with `AT S1E2R` and counts those not
 * mapped (::hyp_colour_audit::missing), of a colour outside the layout's
 * (::hyp_colour_audit::wrong; also EL2's own table pages if they moved) or
 * outside its span (::hyp_colour_audit::outside); ::hyp_colour_audit::pages
 * counts the pages checked against the layout, i.e. all but EL2's tables.
 *
 * @param l   The layout given to hyp_el2_relocate().
 * @param out Out: the counts.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL or an empty layout.
 */
int hyp_el2_audit_image(const struct hyp_colour_layout *l, struct hyp_colour_audit *out);

/**
 * @brief Check the pages of EL2's live translation table against colours.
 *
 * hyp_colour_audit_tables() on EL2's own table, under its lock.
 * @param period Colours of the geometry.
 * @param set    The colours the table pages should have.
 * @param out    Out: the counts.
 * @return As hyp_colour_audit_tables().
 */
int hyp_el2_audit_tables(unsigned period, uint64_t set, struct hyp_colour_audit *out);

#endif /* HYP_MM_H */
