/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rogue: a partitioned VM that misbehaves for good, to show the others run
 * on (examples/partitioner). With `rogue=spin` on its command line it masks
 * every interrupt and spins; with `rogue=panic` it points its vector table
 * at memory it does not have and takes an exception: every exception entry
 * then faults again, an endless storm of exits; with `rogue=reset` it asks
 * PSCI for a SYSTEM_RESET (its VM restarts, or the machine resets if the
 * config gives it "system-reset"), and spins if that returns.
 */
#include "guest.h"

#include <libfdt.h>
#include <string.h>

void guest_main(void)
{
    const void *fdt = guest_fdt();
    int chosen = fdt ? fdt_path_offset(fdt, "/chosen") : -1;
    const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;

    if (args != NULL && strstr(args, "rogue=panic") != NULL) {
        tap_diag("rogue: an exception with no vector table to take it");
        __asm__ volatile("msr vbar_el1, %0\n\tisb\n\tudf #0" ::"r"(0xdead0000ULL)
                         : "memory");
    }
    if (args != NULL && strstr(args, "rogue=reset") != NULL) {
        tap_diag("rogue: SYSTEM_RESET");
        smccc_call(CONDUIT_HVC, 0x84000009u, 0, 0, 0); /* PSCI SYSTEM_RESET */
    }
    tap_diag("rogue: spinning with interrupts masked");
    __asm__ volatile("msr daifset, #0xf" ::: "memory");
    for (;;)
        __asm__ volatile("" ::: "memory");
}
