/* SPDX-License-Identifier: BSD-2-Clause */
/* The guide's device page (docs/guide-mmio.md): a device emulated with
 * hyp_vm_add_mmio(). Compiled and linked by install.guide-snippets. */
#include <hyp/hyp.h>
#include <hyp/vm.h>
#include "snippets.h"

/* [device] */
/* A 4 KiB page with two registers: ID (read-only) and SCRATCH (read-write).
 * Everything else reads as zero and ignores writes. */
#define DEV_ID      0x00
#define DEV_SCRATCH 0x08
#define DEV_ID_VAL  0x6c696268u /* "libh" */

struct scratch_dev {
    struct hyp_spinlock lock; /* vCPUs of one VM run on several CPUs */
    uint64_t scratch;
};

static int scratch_mmio(struct hyp_vcpu *vcpu, uint64_t offset, unsigned size, bool write,
                        uint64_t *val, void *arg)
{
    struct scratch_dev *d = arg;

    (void)vcpu;
    if (size < 4 || offset % size != 0)
        return HYP_EINVAL; /* the guest takes an external abort, we don't crash */
    hyp_spin_lock(&d->lock);
    if (offset == DEV_ID && !write)
        *val = DEV_ID_VAL;
    else if (offset == DEV_SCRATCH && write)
        d->scratch = *val;
    else if (offset == DEV_SCRATCH)
        *val = d->scratch;
    else if (!write)
        *val = 0;
    hyp_spin_unlock(&d->lock);
    return HYP_OK;
}
/* [device] */

/* [attach] */
static struct scratch_dev scratch = {.lock = HYP_SPINLOCK_INIT};

/* After the VM is built, before any of its vCPUs runs: at an IPA where the
 * VM has neither RAM nor a device. */
int guide_add_scratch(struct hyp_vm *vm, uint64_t ipa)
{
    return hyp_vm_add_mmio(vm, ipa, 0x1000, scratch_mmio, &scratch);
}
/* [attach] */
