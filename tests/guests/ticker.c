/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticker: counts, and prints its count and its virtual counter time every
 * 100 ms of counter time, for 60 s, then powers off. Its output is the
 * proof that a VM paused for a checkpoint stops (no more lines) while
 * another ticker runs on (tests/qemu: partitioner-checkpoint), and, once
 * restored, that its count and time go on from where they were.
 */
#include "guest.h"

#define PERIOD_US 100000
#define TICKS     600

void guest_main(void)
{
    uint64_t next = guest_now_us();

    tap_diag("ticker: a line every %d ms", PERIOD_US / 1000);
    for (unsigned n = 1; n <= TICKS; n++) {
        next += PERIOD_US;
        while (guest_now_us() < next)
            __asm__ volatile("yield" ::: "memory");
        tap_diag("tick %u at %llu us", n, (unsigned long long)guest_now_us());
    }
    tap_ok(true, "%d ticks", TICKS);
    tap_done();
}
