/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest: accesses to a physical address that is neither RAM nor a
 * device must reach the guest's own EL1 vectors as synchronous external
 * aborts (ESR_EL1.EC 0x25, DFSC 0x10), after which the guest carries on.
 *
 * NO_DEVICE_PA lies in a hole of QEMU virt's memory map: above the
 * virtio-mmio transports (0x0a000000..0x0a003fff) and below the platform
 * bus (0x0c000000), and in no DTB node. Under a hypervisor it is not in the
 * guest's stage 2, so the hypervisor has to inject the abort; bare QEMU
 * raises it itself. Prints TAP.
 */
#include <stddef.h>
#include <stdint.h>
#include "lib/guest.h"

#define NO_DEVICE_PA 0x0b000000ULL

static volatile uint32_t ram_word = 0x5a5a5a5a;

static void report(const char *what, bool took, const struct guest_exception *e,
                   bool want_write)
{
    bool ok = took && ESR_EC(e->esr) == EC_DABT_CUR &&
              DABT_DFSC(e->esr) == DFSC_SYNC_EXT_ABORT &&
              !!(e->esr & DABT_WNR) == want_write;

    if (!took) {
        tap_ok(false, "%s 0x%llx: no exception", what, (unsigned long long)NO_DEVICE_PA);
        return;
    }
    tap_ok(
        ok,
        "%s 0x%llx: ESR_EL1 0x%08llx (EC 0x%02llx, DFSC 0x%02llx, WnR %u; want EC 0x25 "
        "DFSC 0x10)",
        what, (unsigned long long)NO_DEVICE_PA, (unsigned long long)e->esr,
        (unsigned long long)ESR_EC(e->esr), (unsigned long long)DABT_DFSC(e->esr),
        (e->esr & DABT_WNR) ? 1U : 0U);
    /* FAR_EL1 is only meaningful when ESR_EL1.FnV is clear. */
    if (e->esr & DABT_FNV)
        tap_diag("FAR_EL1 not valid (FnV set), ELR_EL1 0x%llx",
                 (unsigned long long)e->elr);
    else
        tap_diag("FAR_EL1 0x%llx, ELR_EL1 0x%llx", (unsigned long long)e->far,
                 (unsigned long long)e->elr);
}

void guest_main(void)
{
    volatile uint32_t *hole = (volatile uint32_t *)(uintptr_t)NO_DEVICE_PA;
    volatile uint64_t *hole64 = (volatile uint64_t *)(uintptr_t)NO_DEVICE_PA;
    struct guest_exception e;
    uint64_t value = 0;
    bool took;

    tap_diag("abort: external aborts from an address that is neither RAM nor a device");

    guest_expect_exception();
    value = *hole;
    took = guest_took_exception(&e);
    report("32-bit read from", took, &e, false);
    if (took && !(e.esr & DABT_FNV))
        tap_ok(e.far == NO_DEVICE_PA, "FAR_EL1 of the read is 0x%llx (want 0x%llx)",
               (unsigned long long)e.far, (unsigned long long)NO_DEVICE_PA);
    else
        tap_skip("FAR_EL1 not valid", "FAR_EL1 of the read is the faulting address");

    guest_expect_exception();
    *hole = 0x12345678;
    took = guest_took_exception(&e);
    report("32-bit write to", took, &e, true);

    guest_expect_exception();
    value += *hole64;
    took = guest_took_exception(&e);
    report("64-bit read from", took, &e, false);

    /* The guest is still healthy: RAM works and no exception is pending. */
    ram_word = ram_word + 1;
    guest_expect_exception();
    took = guest_took_exception(NULL);
    tap_ok(ram_word == 0x5a5a5a5b && !took, "guest continues after the aborts (RAM 0x%x)",
           (unsigned)ram_word);
    (void)value;
}
