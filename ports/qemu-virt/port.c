/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * QEMU `virt` with virtualization=on: everything comes from the DTB QEMU
 * generates; the port only names the early console.
 */
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/port.h>

const struct hyp_port hyp_port = {
    .name = "qemu-virt",
    .early_uart = 0x09000000, /* PL011 at the same place on every virt version */
    .early_uart_clock_hz = 0, /* QEMU's PL011 ignores the baud rate */
    .quirks = 0,
};

int port_init(struct hyp_platform *plat)
{
    (void)plat;
    return HYP_OK;
}

_Noreturn void port_fatal(void)
{
    /* Leave the other CPUs and the diagnostic on screen; test runners
     * recognise the dump and stop QEMU. */
    hyp_halt_cpu();
}
