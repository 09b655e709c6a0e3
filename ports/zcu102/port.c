/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xilinx ZynqMP ZCU102 (and QEMU's xlnx-zcu102 with virtualization=on):
 * everything else comes from the board DTB (zcu102.dts here for QEMU, the
 * vendor's on hardware); the port names the console, a Cadence UART.
 */
#include <hyp/cdns_uart.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/port.h>

const struct hyp_port hyp_port = {
    .name = "zcu102",
    .early_uart = 0xff000000, /* UART0 */
    .early_uart_clock_hz = 0, /* the FSBL or U-Boot set the baud rate */
    .quirks = 0,
    .console = &hyp_cdns_uart_console,
};

int port_init(struct hyp_platform *plat)
{
    (void)plat;
    return HYP_OK;
}

_Noreturn void port_fatal(void)
{
    hyp_halt_cpu();
}
