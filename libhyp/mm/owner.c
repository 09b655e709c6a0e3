/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Memory ownership (include/hyp/owner.h): one record per tracked page, a
 * small VM registry with parents, and transitions that check every page of
 * a range before they change a single record or table.
 */
#include <string.h>

#include <hyp/error.h>
#include <hyp/owner.h>

#define PAGE_MASK ((uint64_t)HYP_OWNER_PAGE - 1)

static bool vm_live(const struct hyp_owner *o, unsigned vm)
{
    return vm != HYP_OWNER_HYP && vm < HYP_OWNER_MAX_VMS && o->vms[vm].live;
}

/* True if `vm` is a (strict) descendant of `anc`; the hypervisor is
 * everybody's ancestor. Parents form a forest, so the walk ends. */
static bool descends_from(const struct hyp_owner *o, unsigned vm, unsigned anc)
{
    for (unsigned n = 0; n < HYP_OWNER_MAX_VMS && vm_live(o, vm); n++) {
        vm = o->vms[vm].parent;
        if (vm == anc)
            return true;
    }
    return false;
}

/* The exclusive state a page has when `holder` holds it unshared. */
static uint8_t own_state(const struct hyp_owner *o, unsigned holder)
{
    return holder != HYP_OWNER_HYP && o->vms[holder].parent != HYP_OWNER_HYP
               ? HYP_PAGE_DONATED
               : HYP_PAGE_OWNED;
}

static bool aligned(uint64_t v)
{
    return (v & PAGE_MASK) == 0;
}

/* The records of `[pa, pa + size)` if the range lies in one region. */
static int range_pages(struct hyp_owner *o, uint64_t pa, uint64_t size,
                       struct hyp_owner_page **pages)
{
    if (size == 0)
        return HYP_EINVAL;
    if (!aligned(pa) || !aligned(size))
        return HYP_EALIGN;
    if (pa + size < pa)
        return HYP_ERANGE;
    for (unsigned i = 0; i < o->region_count; i++) {
        const struct hyp_owner_region *r = &o->regions[i];

        if (pa >= r->pa && pa + size <= r->pa + r->size) {
            *pages = &r->pages[(pa - r->pa) / HYP_OWNER_PAGE];
            return HYP_OK;
        }
    }
    return HYP_ERANGE;
}

/*
 * What one page says about a call by `caller`: HYP_OK, HYP_EBUSY or
 * HYP_EPERM. `first` is the range's first page, for rules that need every
 * page to agree with it.
 */
typedef int (*verdict_fn)(const struct hyp_owner *o, const struct hyp_owner_page *p,
                          const struct hyp_owner_page *first, unsigned caller);

/*
 * The common checks of a transition, after the caller's own (`rc`): the
 * range, then every page's verdict, EPERM beating EBUSY. On HYP_OK,
 * `*pages` and `*count` are the range's records.
 */
static int check_pages(struct hyp_owner *o, int rc, uint64_t pa, uint64_t size,
                       unsigned caller, verdict_fn verdict, struct hyp_owner_page **pages,
                       size_t *count)
{
    struct hyp_owner_page *p = NULL;
    int worst = HYP_OK;

    if (rc == HYP_OK)
        rc = range_pages(o, pa, size, &p);
    if (rc != HYP_OK)
        return rc;
    *pages = p;
    *count = (size_t)(size / HYP_OWNER_PAGE);
    for (size_t i = 0; i < *count && worst != HYP_EPERM; i++) {
        int v = verdict(o, &p[i], &p[0], caller);

        if (v != HYP_OK)
            worst = v;
    }
    return worst;
}

/* Pages the caller gives away (donate, share): it must hold them alone. */
static int verdict_give(const struct hyp_owner *o, const struct hyp_owner_page *p,
                        const struct hyp_owner_page *first, unsigned caller)
{
    (void)first;
    if (p->holder == caller)
        return p->state == HYP_PAGE_OWNED || p->state == HYP_PAGE_DONATED ? HYP_OK
                                                                          : HYP_EBUSY;
    return descends_from(o, p->holder, caller) ? HYP_EBUSY : HYP_EPERM;
}

/* Pages the hypervisor assigns: still its own. */
static int verdict_assign(const struct hyp_owner *o, const struct hyp_owner_page *p,
                          const struct hyp_owner_page *first, unsigned caller)
{
    (void)o;
    (void)first;
    (void)caller;
    return p->holder == HYP_OWNER_HYP ? HYP_OK : HYP_EPERM;
}

/* Pages the caller stops sharing: shared by it, all with the same peer. */
static int verdict_unshare(const struct hyp_owner *o, const struct hyp_owner_page *p,
                           const struct hyp_owner_page *first, unsigned caller)
{
    if (p->holder != caller)
        return descends_from(o, p->holder, caller) ? HYP_EBUSY : HYP_EPERM;
    return p->state == HYP_PAGE_SHARED && p->peer == first->peer ? HYP_OK : HYP_EBUSY;
}

/* Pages the caller takes back: donated to one child of its own, which has
 * neither shared them nor given them further. */
static int verdict_reclaim(const struct hyp_owner *o, const struct hyp_owner_page *p,
                           const struct hyp_owner_page *first, unsigned caller)
{
    if (p->holder == caller)
        return HYP_EBUSY;
    if (!descends_from(o, p->holder, caller))
        return HYP_EPERM;
    if (o->vms[p->holder].parent != caller || p->holder != first->holder)
        return HYP_EBUSY;
    return p->state == HYP_PAGE_DONATED || p->state == HYP_PAGE_RECLAIMING ? HYP_OK
                                                                           : HYP_EBUSY;
}

/* ---- Stage-2 checks ---------------------------------------------------- */

struct maps_ctx {
    uint64_t ipa, pa, end, next;
};

static int maps_visit(const struct hyp_pgtable_visit *v, void *arg)
{
    struct maps_ctx *c = arg;
    uint64_t start = v->addr.val > c->ipa ? v->addr.val : c->ipa;
    uint64_t leaf_end = v->addr.val + v->size;

    if (start != c->next || v->pa.val + (start - v->addr.val) != c->pa + (start - c->ipa))
        return 1;
    c->next = leaf_end < c->end ? leaf_end : c->end;
    return 0;
}

/* OK if `s2` maps [ipa, ipa + size) to [pa, pa + size) without a hole. */
static int s2_maps(const struct hyp_pgtable *s2, uint64_t ipa, uint64_t pa, uint64_t size)
{
    struct maps_ctx c = {.ipa = ipa, .pa = pa, .end = ipa + size, .next = ipa};
    int rc;

    if (s2 == NULL)
        return HYP_OK;
    rc = hyp_pgtable_walk(s2, hyp_ia(ipa), size, HYP_PGTABLE_VISIT_LEAF, maps_visit, &c);
    if (rc < 0)
        return rc;
    return rc == 0 && c.next == c.end ? HYP_OK : HYP_EFORMAT;
}

static int any_leaf(const struct hyp_pgtable_visit *v, void *arg)
{
    (void)v;
    (void)arg;
    return 1;
}

/* OK if `s2` maps nothing in [ipa, ipa + size). */
static int s2_empty(const struct hyp_pgtable *s2, uint64_t ipa, uint64_t size)
{
    int rc;

    if (s2 == NULL)
        return HYP_OK;
    rc = hyp_pgtable_walk(s2, hyp_ia(ipa), size, HYP_PGTABLE_VISIT_LEAF, any_leaf, NULL);
    if (rc < 0)
        return rc;
    return rc == 0 ? HYP_OK : HYP_EFORMAT;
}

static int s2_map(struct hyp_pgtable *s2, uint64_t ipa, uint64_t pa, uint64_t size,
                  unsigned prot)
{
    return s2 ? hyp_pgtable_map(s2, hyp_ia(ipa), size, hyp_pa(pa), prot) : HYP_OK;
}

static int s2_unmap(struct hyp_pgtable *s2, uint64_t ipa, uint64_t size)
{
    return s2 ? hyp_pgtable_unmap(s2, hyp_ia(ipa), size) : HYP_OK;
}

/* Rewrite the records of a range, keeping each VM's counts of pages held
 * and shared with it. */
static void set_range(struct hyp_owner *o, struct hyp_owner_page *p, size_t n,
                      uint8_t state, unsigned holder, unsigned peer)
{
    for (size_t i = 0; i < n; i++) {
        o->vms[p[i].holder].held--;
        if (p[i].state == HYP_PAGE_SHARED)
            o->vms[p[i].peer].peered--;
        p[i] = (struct hyp_owner_page){
            .state = state, .holder = (uint8_t)holder, .peer = (uint8_t)peer};
        o->vms[holder].held++;
        if (state == HYP_PAGE_SHARED)
            o->vms[peer].peered++;
    }
}

/* ---- Setup ------------------------------------------------------------- */

int hyp_owner_init(struct hyp_owner *o)
{
    if (o == NULL)
        return HYP_EINVAL;
    memset(o, 0, sizeof(*o));
    return HYP_OK;
}

int hyp_owner_add_region(struct hyp_owner *o, uint64_t pa, uint64_t size,
                         struct hyp_owner_page *pages, size_t page_count)
{
    int rc = HYP_OK;

    if (o == NULL || pages == NULL || size == 0)
        return HYP_EINVAL;
    if (!aligned(pa) || !aligned(size))
        return HYP_EALIGN;
    if (pa + size < pa)
        return HYP_ERANGE;
    if (page_count < size / HYP_OWNER_PAGE)
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    for (unsigned i = 0; i < o->region_count; i++)
        if (pa < o->regions[i].pa + o->regions[i].size && o->regions[i].pa < pa + size)
            rc = HYP_EEXIST;
    if (rc == HYP_OK && o->region_count == HYP_OWNER_MAX_REGIONS)
        rc = HYP_ENOMEM;
    if (rc == HYP_OK) {
        /* All zero: OWNED by the hypervisor. */
        memset(pages, 0, (size_t)(size / HYP_OWNER_PAGE) * sizeof(*pages));
        o->vms[HYP_OWNER_HYP].held += size / HYP_OWNER_PAGE;
        o->regions[o->region_count++] =
            (struct hyp_owner_region){.pa = pa, .size = size, .pages = pages};
    }
    hyp_spin_unlock(&o->lock);
    return rc;
}

int hyp_owner_vm_add(struct hyp_owner *o, unsigned vm, unsigned parent,
                     struct hyp_pgtable *s2)
{
    int rc = HYP_OK;

    if (o == NULL || vm == HYP_OWNER_HYP || vm >= HYP_OWNER_MAX_VMS || parent == vm)
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    if (parent != HYP_OWNER_HYP && !vm_live(o, parent))
        rc = HYP_EINVAL;
    else if (o->vms[vm].live)
        rc = HYP_EEXIST;
    else
        o->vms[vm] =
            (struct hyp_owner_vm){.live = true, .parent = (uint8_t)parent, .s2 = s2};
    hyp_spin_unlock(&o->lock);
    return rc;
}

int hyp_owner_vm_remove(struct hyp_owner *o, unsigned vm)
{
    int rc = HYP_OK;

    if (o == NULL)
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    if (!vm_live(o, vm))
        rc = HYP_EINVAL;
    for (unsigned i = 1; rc == HYP_OK && i < HYP_OWNER_MAX_VMS; i++)
        if (o->vms[i].live && o->vms[i].parent == vm)
            rc = HYP_EBUSY;
    if (rc == HYP_OK && o->vms[vm].held != 0)
        rc = HYP_EBUSY;
    for (unsigned r = 0; rc == HYP_OK && o->vms[vm].peered != 0 && r < o->region_count;
         r++) {
        const struct hyp_owner_region *reg = &o->regions[r];

        for (uint64_t i = 0; i < reg->size / HYP_OWNER_PAGE; i++) {
            struct hyp_owner_page *p = &reg->pages[i];

            if (p->state == HYP_PAGE_SHARED && p->peer == vm) {
                p->state = own_state(o, p->holder);
                p->peer = 0;
                o->vms[vm].peered--;
            }
        }
    }
    if (rc == HYP_OK)
        o->vms[vm] = (struct hyp_owner_vm){0};
    hyp_spin_unlock(&o->lock);
    return rc;
}

int hyp_owner_vm_parent(const struct hyp_owner *o, unsigned vm)
{
    if (o == NULL || !vm_live(o, vm))
        return -1;
    return o->vms[vm].parent;
}

/* ---- Transitions ------------------------------------------------------- */

int hyp_owner_assign(struct hyp_owner *o, uint64_t pa, uint64_t size, unsigned vm)
{
    struct hyp_owner_page *p;
    size_t n;
    int rc;

    if (o == NULL)
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    rc = vm_live(o, vm) && o->vms[vm].parent == HYP_OWNER_HYP ? HYP_OK : HYP_EINVAL;
    rc = check_pages(o, rc, pa, size, HYP_OWNER_HYP, verdict_assign, &p, &n);
    if (rc == HYP_OK)
        set_range(o, p, n, HYP_PAGE_OWNED, vm, 0);
    hyp_spin_unlock(&o->lock);
    return rc;
}

int hyp_owner_donate(struct hyp_owner *o, unsigned donor, uint64_t pa, uint64_t size,
                     uint64_t donor_ipa, unsigned child, uint64_t child_ipa)
{
    struct hyp_owner_page *p;
    struct hyp_pgtable *ds2, *cs2;
    size_t n;
    int rc = HYP_OK;

    if (o == NULL)
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    if (!vm_live(o, donor) || !vm_live(o, child) || o->vms[child].parent != donor)
        rc = HYP_EINVAL;
    else if (!aligned(donor_ipa) || !aligned(child_ipa))
        rc = HYP_EALIGN;
    rc = check_pages(o, rc, pa, size, donor, verdict_give, &p, &n);
    ds2 = rc == HYP_OK ? o->vms[donor].s2 : NULL;
    cs2 = rc == HYP_OK ? o->vms[child].s2 : NULL;
    if (rc == HYP_OK)
        rc = s2_maps(ds2, donor_ipa, pa, size);
    if (rc == HYP_OK)
        rc = s2_empty(cs2, child_ipa, size);
    /* Out of the donor first: a failure later can leave the pages mapped
     * nowhere, never in two VMs. */
    if (rc == HYP_OK)
        rc = s2_unmap(ds2, donor_ipa, size);
    if (rc == HYP_OK) {
        rc = s2_map(cs2, child_ipa, pa, size, HYP_PROT_RWX);
        if (rc != HYP_OK)
            (void)s2_map(ds2, donor_ipa, pa, size, HYP_PROT_RWX);
    }
    if (rc == HYP_OK)
        set_range(o, p, n, HYP_PAGE_DONATED, child, 0);
    hyp_spin_unlock(&o->lock);
    return rc;
}

int hyp_owner_share(struct hyp_owner *o, unsigned holder, uint64_t pa, uint64_t size,
                    unsigned peer, uint64_t peer_ipa, unsigned prot)
{
    struct hyp_owner_page *p;
    size_t n;
    int rc = HYP_OK;

    if (o == NULL || (prot & ~(unsigned)HYP_PROT_RW) != 0 || !(prot & HYP_PROT_R))
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    if (!vm_live(o, holder) || !vm_live(o, peer) || peer == holder)
        rc = HYP_EINVAL;
    else if (!aligned(peer_ipa))
        rc = HYP_EALIGN;
    rc = check_pages(o, rc, pa, size, holder, verdict_give, &p, &n);
    if (rc == HYP_OK)
        rc = s2_empty(o->vms[peer].s2, peer_ipa, size);
    if (rc == HYP_OK)
        rc = s2_map(o->vms[peer].s2, peer_ipa, pa, size, prot);
    if (rc == HYP_OK)
        set_range(o, p, n, HYP_PAGE_SHARED, holder, peer);
    hyp_spin_unlock(&o->lock);
    return rc;
}

int hyp_owner_unshare(struct hyp_owner *o, unsigned holder, uint64_t pa, uint64_t size,
                      uint64_t peer_ipa)
{
    struct hyp_owner_page *p;
    struct hyp_pgtable *s2 = NULL;
    size_t n;
    int rc = HYP_OK;

    if (o == NULL)
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    if (!vm_live(o, holder))
        rc = HYP_EINVAL;
    else if (!aligned(peer_ipa))
        rc = HYP_EALIGN;
    rc = check_pages(o, rc, pa, size, holder, verdict_unshare, &p, &n);
    if (rc == HYP_OK) {
        s2 = o->vms[p[0].peer].s2;
        rc = s2_maps(s2, peer_ipa, pa, size);
    }
    if (rc == HYP_OK)
        rc = s2_unmap(s2, peer_ipa, size);
    if (rc == HYP_OK)
        set_range(o, p, n, own_state(o, holder), holder, 0);
    hyp_spin_unlock(&o->lock);
    return rc;
}

int hyp_owner_reclaim(struct hyp_owner *o, unsigned parent, uint64_t pa, uint64_t size,
                      uint64_t child_ipa, uint64_t parent_ipa)
{
    struct hyp_owner_page *p;
    struct hyp_pgtable *cs2 = NULL;
    unsigned child = 0;
    size_t n, reclaiming = 0;
    int rc = HYP_OK;

    if (o == NULL)
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    if (!vm_live(o, parent))
        rc = HYP_EINVAL;
    else if (!aligned(child_ipa) || !aligned(parent_ipa))
        rc = HYP_EALIGN;
    rc = check_pages(o, rc, pa, size, parent, verdict_reclaim, &p, &n);
    if (rc == HYP_OK) {
        child = p[0].holder;
        cs2 = o->vms[child].s2;
        for (size_t i = 0; i < n; i++)
            reclaiming += p[i].state == HYP_PAGE_RECLAIMING;
        if (reclaiming != 0 && reclaiming != n)
            rc = HYP_EBUSY; /* half of an earlier, different reclaim */
    }
    if (rc == HYP_OK)
        rc = s2_empty(o->vms[parent].s2, parent_ipa, size);
    if (rc == HYP_OK && reclaiming == 0) {
        rc = s2_maps(cs2, child_ipa, pa, size);
        if (rc == HYP_OK)
            rc = s2_unmap(cs2, child_ipa, size);
        if (rc == HYP_OK)
            set_range(o, p, n, HYP_PAGE_RECLAIMING, child, 0);
    }
    if (rc == HYP_OK) {
        memset((void *)(uintptr_t)pa, 0, (size_t)size);
        if (o->zeroed != NULL)
            o->zeroed(pa, size);
        rc = s2_map(o->vms[parent].s2, parent_ipa, pa, size, HYP_PROT_RWX);
    }
    if (rc == HYP_OK)
        set_range(o, p, n, own_state(o, parent), parent, 0);
    hyp_spin_unlock(&o->lock);
    return rc;
}

/* ---- Queries ----------------------------------------------------------- */

int hyp_owner_query(struct hyp_owner *o, uint64_t pa, struct hyp_owner_info *info)
{
    struct hyp_owner_page *p;
    int rc;

    if (o == NULL || info == NULL)
        return HYP_EINVAL;
    hyp_spin_lock(&o->lock);
    rc = range_pages(o, pa & ~PAGE_MASK, HYP_OWNER_PAGE, &p);
    if (rc == HYP_OK) {
        info->state = (enum hyp_owner_state)p->state;
        info->holder = p->holder;
        info->peer = p->state == HYP_PAGE_SHARED ? p->peer : 0;
        info->donor = p->state == HYP_PAGE_DONATED || p->state == HYP_PAGE_RECLAIMING
                          ? o->vms[p->holder].parent
                          : 0;
    }
    hyp_spin_unlock(&o->lock);
    return rc;
}

uint64_t hyp_owner_held(struct hyp_owner *o, unsigned vm)
{
    uint64_t count;

    if (o == NULL || vm >= HYP_OWNER_MAX_VMS)
        return 0;
    hyp_spin_lock(&o->lock);
    count = o->vms[vm].held;
    hyp_spin_unlock(&o->lock);
    return count;
}
