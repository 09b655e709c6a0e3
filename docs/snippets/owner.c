/* SPDX-License-Identifier: BSD-2-Clause */
/* The guide's memory-ownership page (docs/guide-ownership.md). Compiled and
 * linked by install.guide-snippets. */
#include <hyp/hyp.h>
#include <hyp/owner.h>
#include <hyp/vm.h>
#include "snippets.h"

/* [setup] */
#define SHARED_SIZE (64 * 1024)
/* One record per tracked page (static: no malloc at run time). */
static struct hyp_owner_page pages[SHARED_SIZE / HYP_OWNER_PAGE];
static struct hyp_owner owner;

/* Two root VMs (numbers 1 and 2, parent: the hypervisor); the region at
 * @p pa is RAM the hypervisor keeps until it hands it out. */
int guide_owner_setup(struct hyp_vm *a, struct hyp_vm *b, uint64_t pa)
{
    int rc = hyp_owner_init(&owner);

    if (rc == HYP_OK)
        rc = hyp_owner_add_region(&owner, pa, SHARED_SIZE, pages,
                                  sizeof(pages) / sizeof(pages[0]));
    if (rc == HYP_OK)
        rc = hyp_owner_vm_add(&owner, 1, HYP_OWNER_HYP, &a->s2);
    if (rc == HYP_OK)
        rc = hyp_owner_vm_add(&owner, 2, HYP_OWNER_HYP, &b->s2);
    /* VM 1 holds the region: the records say so; mapping it is the VM
     * builder's job (hyp_vm_add_ram() at a's IPA for it). */
    if (rc == HYP_OK)
        rc = hyp_owner_assign(&owner, pa, SHARED_SIZE, 1);
    return rc;
}
/* [setup] */

/* [share] */
/* VM 1 lends one page to VM 2 at @p peer_ipa, read-write (e.g. on a
 * hypercall from VM 1: a, pa and ipa come from the guest, so every error
 * goes back to it, and nothing changes on error). */
int guide_owner_lend(uint64_t pa, uint64_t peer_ipa)
{
    struct hyp_owner_info info;
    int rc = hyp_owner_share(&owner, 1, pa, HYP_OWNER_PAGE, 2, peer_ipa,
                             HYP_PROT_R | HYP_PROT_W);

    if (rc != HYP_OK)
        return rc; /* EPERM: not VM 1's; EBUSY: already shared; ... */
    rc = hyp_owner_query(&owner, pa, &info);
    if (rc == HYP_OK && (info.state != HYP_PAGE_SHARED || info.peer != 2))
        hyp_panic("ownership records disagree with a share just made");
    return rc;
}

/* ... and takes it back: VM 2 loses the mapping, VM 1 keeps its own. */
int guide_owner_end_loan(uint64_t pa, uint64_t peer_ipa)
{
    return hyp_owner_unshare(&owner, 1, pa, HYP_OWNER_PAGE, peer_ipa);
}
/* [share] */
