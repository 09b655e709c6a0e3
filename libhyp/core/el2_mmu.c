/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hypervisor's own address space: EL2 stage-1 tables built with the
 * pgtable component from the linker script's sections and the platform.
 */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <hyp/colour.h>
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>
#include <hyp/spinlock.h>
#include <hyp/sysreg.h>
#include "../arch/aarch64/asm_offsets.h"
#include "el2_mmu.h"

static_assert(offsetof(struct hyp_el2_mmu_regs, mair) == MMU_REGS_MAIR, "MMU_REGS_MAIR");
static_assert(offsetof(struct hyp_el2_mmu_regs, tcr) == MMU_REGS_TCR, "MMU_REGS_TCR");
static_assert(offsetof(struct hyp_el2_mmu_regs, ttbr0) == MMU_REGS_TTBR0,
              "MMU_REGS_TTBR0");

/* Table pages for EL2's own map: the image, the DTB and a few devices need a
 * dozen; the rest is room for hyp_el2_map() at run time. */
#define EL2_POOL_PAGES 64

#define PAGE_MASK ((uint64_t)HYP_PAGE_SIZE - 1)

/* Section boundaries from hyp.ld. */
extern char __hyp_image_start[], __hyp_text_end[], __hyp_rodata_start[],
    __hyp_rodata_end[], __hyp_data_start[], __hyp_image_end[];

struct hyp_el2_mmu_regs hyp_el2_mmu_regs;

static uint8_t el2_pool_mem[EL2_POOL_PAGES * HYP_PAGE_SIZE]
    __attribute__((aligned(HYP_PAGE_SIZE)));
static struct hyp_page_pool el2_pool;
static struct hyp_pgtable el2_pt;
/* Where EL2's table pages come from: el2_pool until hyp_el2_relocate() was
 * given a pool of its own colours. */
static struct hyp_page_pool *el2_tables = &el2_pool;
static struct hyp_spinlock el2_pt_lock = HYP_SPINLOCK_INIT;

unsigned hyp_pa_bits(void)
{
    static const unsigned bits[] = {32, 36, 40, 42, 44, 48};
    unsigned parange = (unsigned)(read_sysreg(id_aa64mmfr0_el1) & 0xf);

    return parange < sizeof(bits) / sizeof(bits[0]) ? bits[parange] : 48;
}

static uint64_t round_down(uint64_t x)
{
    return x & ~PAGE_MASK;
}

static uint64_t round_up(uint64_t x)
{
    return (x + PAGE_MASK) & ~PAGE_MASK;
}

static int map_range(const char *what, uint64_t start, uint64_t end, unsigned prot,
                     char *err, unsigned errlen)
{
    uint64_t base = round_down(start);
    uint64_t size = round_up(end) - base;
    int rc;

    if (size == 0)
        return HYP_OK;
    rc = hyp_pgtable_map(&el2_pt, hyp_ia(base), size, hyp_pa(base), prot);
    if (rc != HYP_OK)
        snprintf(err, errlen, "cannot map %s %#llx..%#llx: %s", what,
                 (unsigned long long)base, (unsigned long long)(base + size - 1),
                 hyp_strerror(rc));
    return rc;
}

static int map_device(const char *what, const struct hyp_range *r, char *err,
                      unsigned errlen)
{
    if (r->size == 0)
        return HYP_OK;
    return map_range(what, r->base, r->base + r->size, HYP_PROT_RW | HYP_PROT_DEVICE, err,
                     errlen);
}

int hyp_el2_mmu_init(const struct hyp_platform *plat, char *err, unsigned errlen)
{
    const struct hyp_gic *gic = &plat->gic;
    struct hyp_pgtable_config cfg = {
        .format = HYP_PGTABLE_EL2_S1,
        .mm = &hyp_pgtable_page_pool_ops,
        .mm_ctx = &el2_pool,
    };
    /* The devices EL2 reaches itself (absent ones have size 0). */
    static const char *const names[] = {"UART", "GICD", "GICC", "GICH", "GICV"};
    const struct hyp_range *devices[] = {&plat->uart.regs, &gic->gicd, &gic->gicc,
                                         &gic->gich, &gic->gicv};
    unsigned pa_bits = hyp_pa_bits();
    uint64_t tcr;
    int rc;

    /* Identity map: input addresses as wide as output ones. */
    cfg.pa_bits = pa_bits;
    cfg.ia_bits = cfg.pa_bits;
    rc = hyp_page_pool_init(&el2_pool, el2_pool_mem, sizeof(el2_pool_mem));
    if (rc == HYP_OK)
        rc = hyp_pgtable_init(&el2_pt, &cfg);
    if (rc == HYP_OK)
        rc = hyp_pgtable_tcr_el2(cfg.ia_bits, cfg.pa_bits, &tcr);
    if (rc != HYP_OK) {
        snprintf(err, errlen, "cannot set up EL2 tables (%u-bit PA): %s", pa_bits,
                 hyp_strerror(rc));
        return rc;
    }

    rc = map_range("text", (uintptr_t)__hyp_image_start, (uintptr_t)__hyp_text_end,
                   HYP_PROT_RX, err, errlen);
    if (rc == HYP_OK)
        rc = map_range("rodata", (uintptr_t)__hyp_rodata_start,
                       (uintptr_t)__hyp_rodata_end, HYP_PROT_R, err, errlen);
    if (rc == HYP_OK)
        rc = map_range("data", (uintptr_t)__hyp_data_start, (uintptr_t)__hyp_image_end,
                       HYP_PROT_RW, err, errlen);
    if (rc == HYP_OK)
        rc = map_range("DTB", plat->dtb.base, plat->dtb.base + plat->dtb.size, HYP_PROT_R,
                       err, errlen);
    for (unsigned i = 0; rc == HYP_OK && i < sizeof(names) / sizeof(names[0]); i++)
        rc = map_device(names[i], devices[i], err, errlen);
    for (unsigned i = 0; rc == HYP_OK && i < gic->gicr_count; i++)
        rc = map_device("GICR", &gic->gicr[i], err, errlen);
    if (rc != HYP_OK)
        return rc;

    /* Written with the MMU off, so straight to memory: drop any stale cache
     * lines before caches come on. */
    arch_dcache_inval_range((uintptr_t)__hyp_image_start, (uintptr_t)__hyp_image_end);

    hyp_el2_mmu_regs.mair = HYP_PGTABLE_MAIR_EL2;
    hyp_el2_mmu_regs.tcr = tcr;
    hyp_el2_mmu_regs.ttbr0 = hyp_pgtable_root(&el2_pt).val;
    arch_el2_mmu_enable(&hyp_el2_mmu_regs);
    /* Secondaries read these with their caches off. */
    arch_dcache_clean_range((uintptr_t)&hyp_el2_mmu_regs,
                            (uintptr_t)&hyp_el2_mmu_regs + sizeof(hyp_el2_mmu_regs));
    return HYP_OK;
}

int hyp_el2_map(uint64_t pa, uint64_t size, unsigned prot)
{
    int rc;

    hyp_spin_lock(&el2_pt_lock);
    rc = hyp_pgtable_map(&el2_pt, hyp_ia(pa), size, hyp_pa(pa), prot);
    hyp_spin_unlock(&el2_pt_lock);
    return rc;
}

int hyp_el2_unmap(uint64_t pa, uint64_t size)
{
    int rc;

    hyp_spin_lock(&el2_pt_lock);
    rc = hyp_pgtable_unmap(&el2_pt, hyp_ia(pa), size);
    hyp_spin_unlock(&el2_pt_lock);
    return rc;
}

struct hyp_range hyp_image_range(void)
{
    return (struct hyp_range){(uintptr_t)__hyp_image_start,
                              (uintptr_t)__hyp_image_end - (uintptr_t)__hyp_image_start};
}

void hyp_el2_sync_for_guest(uint64_t pa, uint64_t size)
{
    arch_dcache_clean_range(pa, pa + size);
    __asm__ volatile("ic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}

uint64_t hyp_el2_table_pages(void)
{
    return hyp_page_pool_used(el2_tables);
}

int hyp_el2_audit_tables(unsigned period, hyp_colour_set set,
                         struct hyp_colour_audit *out)
{
    int rc;

    hyp_spin_lock(&el2_pt_lock);
    rc = hyp_colour_audit_tables(&el2_pt, period, set, out);
    hyp_spin_unlock(&el2_pt_lock);
    return rc;
}

/*
 * Moving the image to pages of the hypervisor's own cache colours
 */

/* Where an image page goes: the layout's index of each page but EL2's own
 * table pages (el2_pool_mem), which stay where the descriptors say. */
static bool in_el2_pool(uint64_t va)
{
    return va >= (uintptr_t)el2_pool_mem &&
           va - (uintptr_t)el2_pool_mem < sizeof(el2_pool_mem);
}

static uint64_t moved_pa(const struct hyp_colour_layout *l, uint64_t va)
{
    uint64_t index = (va - (uintptr_t)__hyp_image_start) / HYP_PAGE_SIZE;

    if (va >= (uintptr_t)el2_pool_mem)
        index -= sizeof(el2_pool_mem) / HYP_PAGE_SIZE;
    return hyp_colour_pa(l, index * HYP_PAGE_SIZE) + va % HYP_PAGE_SIZE;
}

uint64_t hyp_el2_movable_size(void)
{
    return (uint64_t)((uintptr_t)__hyp_image_end - (uintptr_t)__hyp_image_start) -
           sizeof(el2_pool_mem);
}

/* Cloning the live table into a new one, image pages moved. */
struct clone {
    struct hyp_pgtable *to;
    const struct hyp_colour_layout *l;
    uint64_t image_start, image_end;
    int rc;
};

static int clone_leaf(const struct hyp_pgtable_visit *v, void *arg)
{
    struct clone *c = arg;
    uint64_t start = v->addr.val, end = start + v->size;

    /* The window onto the destination span is not carried over; what a
     * block around it maps besides (EL2's coloured tables below it) is. */
    if (start < c->l->base + c->l->span && c->l->base < end) {
        uint64_t lo = c->l->base, hi = c->l->base + c->l->span;

        if (start < lo)
            c->rc = hyp_pgtable_map(c->to, v->addr, lo - start, v->pa, v->prot);
        if (c->rc == HYP_OK && hi < end)
            c->rc = hyp_pgtable_map(c->to, hyp_ia(hi), end - hi,
                                    hyp_pa(v->pa.val + (hi - start)), v->prot);
        return c->rc;
    }
    if (end <= c->image_start || start >= c->image_end) {
        c->rc = hyp_pgtable_map(c->to, v->addr, v->size, v->pa, v->prot);
        return c->rc;
    }
    for (uint64_t va = start; va < end; va += HYP_PAGE_SIZE) {
        uint64_t pa = v->pa.val + (va - start);

        if (va >= c->image_start && va < c->image_end && !in_el2_pool(va))
            pa = moved_pa(c->l, va);
        c->rc = hyp_pgtable_map(c->to, hyp_ia(va), HYP_PAGE_SIZE, hyp_pa(pa), v->prot);
        if (c->rc != HYP_OK)
            return c->rc;
    }
    return 0;
}

int hyp_el2_audit_image(const struct hyp_colour_layout *l, struct hyp_colour_audit *out)
{
    uint64_t start = (uintptr_t)__hyp_image_start, end = (uintptr_t)__hyp_image_end;

    if (l == NULL || out == NULL || l->count == 0)
        return HYP_EINVAL;
    memset(out, 0, sizeof(*out));
    for (uint64_t va = start; va < end; va += HYP_PAGE_SIZE) {
        uint64_t par, pa;
        unsigned colour;
        bool mine = false;

        /* What the MMU makes of it, not what the tables were meant to say. */
        __asm__ volatile("at s1e2r, %0\n\tisb" ::"r"(va) : "memory");
        par = read_sysreg(par_el1);
        if (par & 1) {
            out->missing++;
            continue;
        }
        pa = (par & 0x0000fffffffff000ull) | (va & (HYP_PAGE_SIZE - 1));
        if (in_el2_pool(va)) { /* EL2's tables: in place */
            if (pa != va && out->wrong++ == 0)
                out->first_wrong = va;
            continue;
        }
        colour = (unsigned)((pa / HYP_PAGE_SIZE) % l->period);
        for (unsigned i = 0; i < l->count && !mine; i++)
            mine = l->list[i] == colour;
        out->pages++;
        if (!mine && out->wrong++ == 0)
            out->first_wrong = va;
        if (pa < l->base || pa - l->base >= l->span)
            out->outside++;
    }
    return HYP_OK;
}

/* Copy runs (src, dst, bytes) of the image's writable pages, switch
 * TTBR0_EL2 and invalidate: mmu.S, no stack, no other store. */
void arch_el2_relocate(const uint64_t *runs, uint64_t count, uint64_t ttbr0);

int hyp_el2_relocate(const struct hyp_colour_layout *l, struct hyp_page_pool *tables,
                     char *err, unsigned errlen)
{
    uint64_t start = (uintptr_t)__hyp_image_start, end = (uintptr_t)__hyp_image_end;
    uint64_t data = (uintptr_t)__hyp_data_start, *runs, count = 0;
    struct hyp_pgtable old = el2_pt, fresh;
    struct hyp_pgtable_config cfg = {
        .format = HYP_PGTABLE_EL2_S1,
        .mm = &hyp_pgtable_page_pool_ops,
        .mm_ctx = tables != NULL ? tables : &el2_pool,
        .ia_bits = hyp_pa_bits(),
        .pa_bits = hyp_pa_bits(),
    };
    struct clone c;
    int rc;

    if (l == NULL || l->size < hyp_el2_movable_size() ||
        (l->base < end && start < l->base + l->span)) {
        snprintf(err, errlen,
                 "the layout does not hold the image's %llu KiB, or "
                 "overlaps it",
                 (unsigned long long)(hyp_el2_movable_size() >> 10));
        return HYP_EINVAL;
    }
    rc = hyp_el2_map(l->base, l->span, HYP_PROT_RW);
    if (rc == HYP_OK)
        rc = hyp_pgtable_init(&fresh, &cfg);
    if (rc != HYP_OK) {
        snprintf(err, errlen, "cannot map the new pages or make a table: %s",
                 hyp_strerror(rc));
        return rc;
    }
    /* Text and read-only data never change: copied now, cleaned for fetch. */
    for (uint64_t va = start; va < data; va += HYP_PAGE_SIZE) {
        uint64_t pa = moved_pa(l, va);

        memcpy((void *)(uintptr_t)pa, (const void *)(uintptr_t)va, HYP_PAGE_SIZE);
        arch_dcache_clean_range(pa, pa + HYP_PAGE_SIZE);
    }
    c = (struct clone){&fresh, l, start, end, HYP_OK};
    hyp_spin_lock(&el2_pt_lock);
    rc = hyp_pgtable_walk(&old, hyp_ia(0), (uint64_t)1 << cfg.ia_bits,
                          HYP_PGTABLE_VISIT_LEAF, clone_leaf, &c);
    /* The writable pages, as runs of consecutive destinations, listed in a
     * page of EL2's own pool (which does not move). */
    runs = rc == HYP_OK ? hyp_page_pool_alloc_contig(&el2_pool, 4) : NULL;
    for (uint64_t va = data; runs && va < end; va += HYP_PAGE_SIZE) {
        uint64_t pa = moved_pa(l, va);

        if (in_el2_pool(va))
            continue;
        if (count && runs[3 * (count - 1)] + runs[3 * (count - 1) + 2] == va &&
            runs[3 * (count - 1) + 1] + runs[3 * (count - 1) + 2] == pa) {
            runs[3 * (count - 1) + 2] += HYP_PAGE_SIZE;
            continue;
        }
        if (3 * (count + 1) * sizeof(*runs) > 4 * HYP_PAGE_SIZE) {
            rc = HYP_ENOMEM;
            break;
        }
        runs[3 * count] = va;
        runs[3 * count + 1] = pa;
        runs[3 * count + 2] = HYP_PAGE_SIZE;
        count++;
    }
    if (rc == HYP_OK && runs == NULL)
        rc = HYP_ENOMEM;
    if (rc != HYP_OK) {
        hyp_spin_unlock(&el2_pt_lock);
        if (runs)
            hyp_page_pool_free_contig(&el2_pool, runs, 4);
        hyp_pgtable_destroy(&fresh);
        hyp_el2_unmap(l->base, l->span);
        snprintf(err, errlen, "cannot build the moved map: %s", hyp_strerror(rc));
        return rc;
    }
    /* Secondaries read the registers with their MMU off, at the old place. */
    hyp_el2_mmu_regs.ttbr0 = hyp_pgtable_root(&fresh).val;
    arch_dcache_clean_range((uintptr_t)&hyp_el2_mmu_regs,
                            (uintptr_t)&hyp_el2_mmu_regs + sizeof(hyp_el2_mmu_regs));
    el2_pt = fresh; /* copied with the rest: the moved image has it */
    el2_tables = cfg.mm_ctx;
    arch_el2_relocate(runs, count, hyp_el2_mmu_regs.ttbr0);
    /* From here on the image runs from its new pages. */
    hyp_spin_unlock(&el2_pt_lock);
    hyp_page_pool_free_contig(&el2_pool, runs, 4);
    hyp_pgtable_destroy(&old);
    return HYP_OK;
}
