/* SPDX-License-Identifier: BSD-2-Clause */
/* The guide's SMCCC page (docs/guide-smccc.md): a service of the hypervisor's
 * own. Compiled and linked by install.guide-snippets. */
#include <hyp/hyp.h>
#include <hyp/smccc.h>
#include "snippets.h"

/* [service] */
/* Vendor-specific hypervisor calls (owner 6), fast, SMC32/HVC32:
 *   0x86000000 GUIDE_VERSION  -> x0 = 1
 *   0x86000001 GUIDE_ADD      x1, x2 -> x0 = SUCCESS, x1 = x1 + x2 (32 bits) */
#define GUIDE_FID(n)                                                                     \
    (SMCCC_FAST_CALL | (SMCCC_OWNER_VENDOR_HYP << SMCCC_OWNER_SHIFT) | (n))
#define GUIDE_VERSION_FID GUIDE_FID(0)
#define GUIDE_ADD_FID     GUIDE_FID(1)

static void guide_call(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                       uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    (void)vcpu, (void)conduit;
    switch (fid) { /* ret[] is prefilled with NOT_SUPPORTED, 0, 0, 0 */
    case GUIDE_VERSION_FID:
        ret[0] = 1;
        break;
    case GUIDE_ADD_FID:
        ret[0] = SMCCC_RET_SUCCESS;
        ret[1] = (uint32_t)(args[0] + args[1]);
        break;
    default:
        break; /* unknown functions of the owner: NOT_SUPPORTED */
    }
}

static const struct hyp_smccc_service guide_service = {
    .name = "guide",
    .owner_first = SMCCC_OWNER_VENDOR_HYP,
    .owner_last = SMCCC_OWNER_VENDOR_HYP,
    .handler = guide_call,
};

/* After hyp_vmbuild_setup() (which registers PSCI and the arch calls),
 * before any guest runs. */
int guide_register_service(void)
{
    return hyp_smccc_register(&guide_service);
}
/* [service] */

/* [guest] */
/* A guest's call (guest code, shown here to be compiled too). */
uint64_t guide_guest_add(uint64_t a, uint64_t b)
{
    register uint64_t x0 __asm__("x0") = GUIDE_ADD_FID;
    register uint64_t x1 __asm__("x1") = a;
    register uint64_t x2 __asm__("x2") = b;

    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1) : "r"(x2) : "x3", "memory");
    return x0 == SMCCC_RET_SUCCESS ? x1 : UINT64_MAX; /* 2 + 40: 42 */
}
/* [guest] */
