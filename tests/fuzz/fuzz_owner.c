/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the memory-ownership component (hyp/owner.h) driven by
 * arbitrary sequences of operations over real stage-2 tables (the recording
 * fake arch of the unit tests stands in for TLB maintenance). Whatever the
 * sequence, after every call:
 * - no VM's stage 2 maps a tracked page unless the VM holds it, or it is
 *   SHARED with that VM; a page being reclaimed is mapped nowhere;
 * - every page's state agrees with its holder (OWNED for the hypervisor or
 *   a root VM, DONATED for a child), and a SHARED page's peer is registered;
 * - pages are conserved: the counts held by each VM add up to the region.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/error.h>
#include <hyp/owner.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE     4096u
#define PAGES    32u
#define NVM      6u /* VM numbers 1..5 */
#define IPA(k)   (0x40000000ull + (uint64_t)(k)*PAGE)
/* Every IPA the harness uses lies in [IPA(0), IPA(0) + IPA_SPAN). */
#define IPA_SPAN ((uint64_t)256 * PAGE)
/* Operations per input: long enough for deep states, short enough to run fast. */
#define MAX_OPS  24u

static uint8_t *g_ram;  /* PAGES pages: the tracked region */
static uint8_t *g_pool; /* table pages */

static struct hyp_owner g_own;
static struct hyp_owner_page g_recs[PAGES];
static struct hyp_page_pool g_tables;
static struct hyp_pgtable g_s2[NVM];
static bool g_live[NVM];
/* VMs 1 and 2 are roots; 3 is 1's child, 4 is 3's, 5 is 2's. */
static const unsigned k_parents[NVM] = {0, 0, 0, 1, 3, 2};

static void new_s2(unsigned vm)
{
    struct hyp_pgtable_config cfg = {
        .format = HYP_PGTABLE_S2,
        .ia_bits = 40,
        .pa_bits = 48,
        .vmid = (uint16_t)vm,
        .mm = &hyp_pgtable_page_pool_ops,
        .mm_ctx = &g_tables,
    };

    if (hyp_pgtable_init(&g_s2[vm], &cfg) != HYP_OK)
        abort();
}

struct leaf_ctx {
    unsigned vm;
};

static int check_leaf(const struct hyp_pgtable_visit *v, void *arg)
{
    const struct leaf_ctx *c = arg;
    uint64_t base = (uint64_t)(uintptr_t)g_ram;

    for (uint64_t off = 0; off < v->size; off += PAGE) {
        uint64_t pa = v->pa.val + off;
        struct hyp_owner_info info;

        if (pa < base || pa >= base + PAGES * PAGE)
            abort(); /* only region pages are ever mapped here */
        if (hyp_owner_query(&g_own, pa, &info) != HYP_OK)
            abort();
        if (info.state == HYP_PAGE_RECLAIMING)
            abort();
        if (info.holder != c->vm &&
            !(info.state == HYP_PAGE_SHARED && info.peer == c->vm))
            abort();
    }
    return 0;
}

static void check(void)
{
    uint64_t base = (uint64_t)(uintptr_t)g_ram, total = 0;

    for (unsigned p = 0; p < PAGES; p++) {
        struct hyp_owner_info info;
        int parent;

        if (hyp_owner_query(&g_own, base + p * PAGE, &info) != HYP_OK)
            abort();
        parent =
            info.holder == HYP_OWNER_HYP ? -1 : hyp_owner_vm_parent(&g_own, info.holder);
        if (info.holder != HYP_OWNER_HYP && parent < 0)
            abort(); /* held by a VM that is gone */
        switch (info.state) {
        case HYP_PAGE_OWNED:
            if (parent > 0)
                abort();
            break;
        case HYP_PAGE_DONATED:
        case HYP_PAGE_RECLAIMING:
            if (parent <= 0 || info.donor != (unsigned)parent)
                abort();
            break;
        case HYP_PAGE_SHARED:
            if (info.peer == info.holder || hyp_owner_vm_parent(&g_own, info.peer) < 0)
                abort();
            break;
        default:
            abort();
        }
    }
    for (unsigned v = 0; v < NVM; v++)
        total += hyp_owner_held(&g_own, v);
    if (total != PAGES)
        abort();
    for (unsigned v = 1; v < NVM; v++) {
        struct leaf_ctx c = {v};

        if (g_live[v] && hyp_pgtable_walk(&g_s2[v], hyp_ia(IPA(0)), IPA_SPAN,
                                          HYP_PGTABLE_VISIT_LEAF, check_leaf, &c) != 0)
            abort();
    }
}

static void setup(void)
{
    uint64_t base;

    if (g_ram == NULL) {
        g_ram = aligned_alloc(PAGE, PAGES * PAGE);
        g_pool = aligned_alloc(64 * 1024, 256 * PAGE);
        if (g_ram == NULL || g_pool == NULL)
            abort();
    }
    base = (uint64_t)(uintptr_t)g_ram;
    if (hyp_page_pool_init(&g_tables, g_pool, 256 * PAGE) != HYP_OK ||
        hyp_owner_init(&g_own) != HYP_OK ||
        hyp_owner_add_region(&g_own, base, PAGES * PAGE, g_recs, PAGES) != HYP_OK)
        abort();
    for (unsigned v = 1; v < NVM; v++) {
        new_s2(v);
        g_live[v] = true;
        if (hyp_owner_vm_add(&g_own, v, k_parents[v], &g_s2[v]) != HYP_OK)
            abort();
    }
    /* Half the pages to VM 1, a quarter to VM 2, mapped at IPA(page). */
    for (unsigned p = 0; p < PAGES * 3 / 4; p++) {
        unsigned vm = p < PAGES / 2 ? 1 : 2;

        if (hyp_owner_assign(&g_own, base + p * PAGE, PAGE, vm) != HYP_OK ||
            hyp_pgtable_map(&g_s2[vm], hyp_ia(IPA(p)), PAGE, hyp_pa(base + p * PAGE),
                            HYP_PROT_RWX) != HYP_OK)
            abort();
    }
}

static void teardown(void)
{
    for (unsigned v = 1; v < NVM; v++)
        if (g_live[v])
            hyp_pgtable_destroy(&g_s2[v]);
    if (hyp_page_pool_used(&g_tables) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t base;

    setup();
    base = (uint64_t)(uintptr_t)g_ram;
    /* Each operation takes 6 bytes: kind, two VMs, first page, pages, IPAs. */
    for (size_t i = 0; i + 6 <= size && i < 6 * MAX_OPS; i += 6) {
        const uint8_t *b = &data[i];
        unsigned a = b[1] % NVM, c = b[2] % NVM, first = b[3] % (PAGES + 2);
        uint64_t pa = base + first * PAGE, len = (uint64_t)(b[4] % 9) * PAGE;
        uint64_t ipa1 = IPA(b[5] & 0x3f), ipa2 = IPA(first + (b[5] >> 6) * 64);

        if (b[4] & 0x80)
            pa += 0x10;
        switch (b[0] % 6) {
        case 0:
            (void)hyp_owner_donate(&g_own, a, pa, len, ipa2, c, ipa1);
            break;
        case 1:
            (void)hyp_owner_share(&g_own, a, pa, len, c, ipa1,
                                  b[0] & 0x80 ? HYP_PROT_R : HYP_PROT_RW);
            break;
        case 2:
            (void)hyp_owner_unshare(&g_own, a, pa, len, ipa1);
            break;
        case 3:
            (void)hyp_owner_reclaim(&g_own, a, pa, len, ipa1, ipa2);
            break;
        case 4:
            (void)hyp_owner_assign(&g_own, pa, len, a);
            break;
        default:
            if (a != 0 && hyp_owner_vm_remove(&g_own, a) == HYP_OK) {
                /* Re-register it, empty, in the same place of the tree. */
                hyp_pgtable_destroy(&g_s2[a]);
                new_s2(a);
                if (hyp_owner_vm_add(&g_own, a, k_parents[a], &g_s2[a]) != HYP_OK)
                    abort();
            }
            break;
        }
        check();
    }
    teardown();
    return 0;
}
