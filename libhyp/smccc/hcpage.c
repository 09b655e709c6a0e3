/* SPDX-License-Identifier: BSD-2-Clause */
/* The hypercall page: SMCCC calls made by MMIO (hyp/hcpage.h; host and target). */
#include <string.h>
#include <hyp/error.h>
#include <hyp/hcpage.h>
#include <hyp/smccc.h>
#include <hyp/vcpu.h>

void hyp_hcpage_init(struct hyp_hcpage *p, uint64_t owners)
{
    memset(p, 0, sizeof(*p));
    p->owners = owners;
}

/* Make slot @s's call for @vcpu: copied out under the lock, made without it
 * (it may run another VM for a long time), answered under it. */
static void call(struct hyp_hcpage *p, struct hyp_vcpu *vcpu, struct hyp_hcpage_slot *s)
{
    uint64_t fid, args[7], res[5], saved[8];
    unsigned owner;

    hyp_spin_lock(&p->lock);
    fid = s->fid;
    memcpy(args, s->args, sizeof(args));
    hyp_spin_unlock(&p->lock);

    owner = (unsigned)(fid >> SMCCC_OWNER_SHIFT) & SMCCC_OWNER_MASK;
    if ((fid >> 32) != 0 || !(p->owners & (1ull << owner))) {
        res[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
        res[1] = res[2] = res[3] = 0;
        res[4] = args[3];
    } else {
        /* The call sees the registers an HVC would have had; the guest's
         * own come back afterwards (its store changed none of them). */
        memcpy(saved, vcpu->regs.x, sizeof(saved));
        vcpu->regs.x[0] = fid;
        memcpy(&vcpu->regs.x[1], args, sizeof(args));
        hyp_smccc_dispatch(vcpu, HYP_SMCCC_HVC);
        memcpy(res, vcpu->regs.x, sizeof(res));
        memcpy(vcpu->regs.x, saved, sizeof(saved));
    }

    hyp_spin_lock(&p->lock);
    memcpy(s->res, res, sizeof(res));
    hyp_spin_unlock(&p->lock);
}

int hyp_hcpage_mmio(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                    uint64_t *val, void *arg)
{
    struct hyp_hcpage *p = arg;
    struct hyp_hcpage_slot *s;
    unsigned n, reg;

    if (size != 8 || (offset & 7) != 0 || offset >= HYP_HCPAGE_SIZE)
        return HYP_EINVAL;
    if (offset < HYP_HCPAGE_SLOT(0)) {
        if (write)
            return offset <= HYP_HCPAGE_REG_OWNERS ? HYP_OK : HYP_EINVAL;
        switch (offset) {
        case HYP_HCPAGE_REG_MAGIC:
            *val = HYP_HCPAGE_MAGIC;
            return HYP_OK;
        case HYP_HCPAGE_REG_VERSION:
            *val = HYP_HCPAGE_VERSION;
            return HYP_OK;
        case HYP_HCPAGE_REG_SLOTS:
            *val = HYP_HCPAGE_SLOTS;
            return HYP_OK;
        case HYP_HCPAGE_REG_OWNERS:
            *val = p->owners;
            return HYP_OK;
        default:
            return HYP_EINVAL;
        }
    }
    n = (unsigned)(offset / HYP_HCPAGE_SLOT(0)) - 1;
    reg = (unsigned)(offset % HYP_HCPAGE_SLOT(0));
    if (n >= HYP_HCPAGE_SLOTS || (reg > HYP_HCPAGE_RES(4) && reg != HYP_HCPAGE_CALL))
        return HYP_EINVAL;
    s = &p->slots[n];
    if (reg == HYP_HCPAGE_CALL) {
        if (write)
            call(p, vcpu, s);
        else
            *val = 0;
        return HYP_OK;
    }
    hyp_spin_lock(&p->lock);
    if (reg == HYP_HCPAGE_FID) {
        if (write)
            s->fid = *val;
        else
            *val = s->fid;
    } else if (reg < HYP_HCPAGE_RES(0)) {
        if (write)
            s->args[reg / 8 - 1] = *val;
        else
            *val = s->args[reg / 8 - 1];
    } else if (!write) {
        *val = s->res[(reg - HYP_HCPAGE_RES(0)) / 8];
    }
    hyp_spin_unlock(&p->lock);
    return HYP_OK;
}
