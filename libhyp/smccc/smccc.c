/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SMCCC dispatch for guest calls: services registered by owner range
 * (smccc_arch.c holds the default architecture service).
 */
#include <stddef.h>
#include <hyp/error.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/trap.h>
#include <hyp/vcpu.h>

/* Registrations so far, up to HYP_SMCCC_MAX_SERVICES. */
static unsigned service_count;
/* The service of each owning entity number: the last one registered for it. */
static const struct hyp_smccc_service *by_owner[SMCCC_OWNER_MASK + 1];

int hyp_smccc_register(const struct hyp_smccc_service *svc)
{
    if (svc == NULL || svc->handler == NULL || svc->owner_first > svc->owner_last ||
        svc->owner_last > SMCCC_OWNER_MASK)
        return HYP_EINVAL;
    if (service_count == HYP_SMCCC_MAX_SERVICES)
        return HYP_ENOMEM;
    service_count++;
    for (unsigned o = svc->owner_first; o <= svc->owner_last; o++)
        by_owner[o] = svc;
    return HYP_OK;
}

void hyp_smccc_reset(void)
{
    service_count = 0;
    for (unsigned o = 0; o <= SMCCC_OWNER_MASK; o++)
        by_owner[o] = NULL;
}

/* The newest registration for @owner (examples override the defaults so). */
static inline const struct hyp_smccc_service *find_service(unsigned owner)
{
    return by_owner[owner & SMCCC_OWNER_MASK];
}

/* Run @svc's handler for the call in x0..x7 and put its results in x0..x3. */
static void serve(struct hyp_vcpu *vcpu, const struct hyp_smccc_service *svc,
                  const struct hyp_smccc_fid *fid, enum hyp_smccc_conduit conduit)
{
    uint64_t ret[4] = {(uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED, 0, 0, 0};
    uint64_t args[7];

    for (unsigned i = 0; i < 7; i++)
        /* SMC32/HVC32: only the low halves are arguments. */
        args[i] = fid->smc64 ? vcpu->regs.x[i + 1] : (uint32_t)vcpu->regs.x[i + 1];
    if (svc != NULL && fid->valid)
        svc->handler(vcpu, fid->raw, args, ret, conduit);
    /* A 32-bit caller sees 32-bit results (NOT_SUPPORTED as 0xffffffff). */
    for (unsigned i = 0; i < 4; i++)
        vcpu->regs.x[i] = fid->smc64 ? ret[i] : (uint32_t)ret[i];
}

void hyp_smccc_dispatch(struct hyp_vcpu *vcpu, enum hyp_smccc_conduit conduit)
{
    struct hyp_smccc_fid fid;

    hyp_trap_decode_fid(vcpu->regs.x[0], &fid);
    serve(vcpu, find_service(fid.owner), &fid, conduit);
}

bool hyp_smccc_dispatch_fast(struct hyp_vcpu *vcpu, enum hyp_smccc_conduit conduit)
{
    uint32_t fid = (uint32_t)vcpu->regs.x[0];
    const struct hyp_smccc_service *svc = find_service(fid >> SMCCC_OWNER_SHIFT);

    (void)conduit;
    /* Fast calls with bits 23:17 set are malformed: the slow path answers. */
    if ((fid & SMCCC_FAST_CALL) && (fid & SMCCC_FAST_MBZ_MASK))
        return false;
    return svc != NULL && svc->fast != NULL && svc->fast(vcpu, fid);
}
