/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * busy: runs for 100 ms of counter time without ever trapping (a loop with
 * YIELD and no calls), then powers off. A hypervisor that takes interrupts
 * at EL2 while the guest runs (the thin monitor's 100 Hz tick) must see
 * several IRQ exits meanwhile; one that does not sees none.
 */
#include "guest.h"

#define BUSY_US 100000

void guest_main(void)
{
    uint64_t start = guest_now_us();
    uint64_t spins = 0;

    tap_diag("busy: %d ms without a trap", BUSY_US / 1000);
    while (guest_now_us() - start < BUSY_US) {
        __asm__ volatile("yield" ::: "memory");
        spins++;
    }
    tap_ok(spins > 0, "ran %d ms of counter time (%llu spins)", BUSY_US / 1000,
           (unsigned long long)spins);
    tap_done();
}
