/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file creg.c
 * @brief The check the monitor applies to trapped control-register writes
 *        once the guest has locked them (see hyp/policy.h). Apart from the
 *        policy parser, so that an image with a compiled-in policy links
 *        only this.
 */
#include <hyp/policy.h>
#include <hyp/trap.h>

bool hyp_creg_write_allowed(const struct hyp_creg_lock *lock, uint16_t key, uint64_t val)
{
    static const uint64_t kept = HYP_SCTLR_EL1_M | HYP_SCTLR_EL1_WXN;

    if (!lock || !lock->locked)
        return true;
    switch (key) {
    case HYP_SYSREG_SCTLR_EL1:
        /* Bits of `kept` set at lock time must stay set. */
        return (lock->sctlr & kept & ~val) == 0;
    case HYP_SYSREG_VBAR_EL1:
        return val == lock->vbar;
    default:
        return true;
    }
}
