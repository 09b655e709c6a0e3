/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Raspberry Pi 4 Model B (BCM2711) and QEMU's raspi4b: everything else comes
 * from the board's own DTB (Debian's broadcom/bcm2711-rpi-4-b.dtb, which the
 * firmware completes). What the DTB does not give a hypervisor, the port
 * does: the console is the PL011 (UART0), not the mini UART stdout-path
 * names; secondaries are released from the firmware's spin table (no PSCI);
 * power-off is the PM block's watchdog.
 */
#include <stdint.h>
#include <string.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/pgtable.h>
#include <hyp/platform.h>
#include <hyp/port.h>
#include <hyp/spinlock.h>

/* BCM2711 peripherals at their CPU ("low peripheral mode") addresses. */
#define RPI4_UART0               0xfe201000u /* PL011; bus address 0x7e201000 */
#define RPI4_UART0_IRQ           (32 + 121)  /* GIC SPI 121, level high */
#define RPI4_UART0_HZ            48000000u   /* the firmware's UART clock */
#define RPI4_PM                  0xfe100000u /* power management, watchdog */
#define PM_RSTC                  0x1c
#define PM_RSTS                  0x20
#define PM_WDOG                  0x24
#define PM_PASSWORD              0x5a000000u
#define PM_RSTC_WRCFG_FULL_RESET 0x20u
#define PM_RSTC_WRCFG_MASK       0x30u
#define PM_RSTS_PARTITION_MASK   0x555u /* bits 0, 2, .. 10 */

/*
 * The DTB's stdout-path is the mini UART (serial1), which a guest's PL011
 * driver cannot use and whose registers share a page with the SPI masters:
 * the hypervisor takes UART0, the PL011, as its console and the guests'
 * virtual PL011 goes there.
 */
static void rpi4_platform_fixup(struct hyp_platform *plat)
{
    struct hyp_uart *u = &plat->uart;

    if (strcmp(u->compatible, "arm,pl011") == 0)
        return;
    memset(u, 0, sizeof(*u));
    u->regs.base = RPI4_UART0;
    u->regs.size = 0x1000;
    u->irq.intid = RPI4_UART0_IRQ;
    u->irq.flags = 4;
    u->clock_hz = RPI4_UART0_HZ;
    memcpy(u->compatible, "arm,pl011", sizeof("arm,pl011"));
}

/*
 * No PSCI: stop the board with the watchdog, as Linux's bcm2835-wdt does for
 * power-off: partition 63 tells the firmware to halt instead of booting
 * again, and a full reset after 10 ticks. QEMU resets the machine (and exits
 * with -no-reboot).
 */
static void rpi4_system_off(void)
{
    volatile uint32_t *pm = (volatile uint32_t *)(uintptr_t)RPI4_PM;
    uint32_t v;

    if (hyp_el2_map(RPI4_PM, 0x1000, HYP_PROT_RW | HYP_PROT_DEVICE) != HYP_OK)
        return;
    v = pm[PM_RSTS / 4] & ~PM_RSTS_PARTITION_MASK;
    pm[PM_RSTS / 4] = PM_PASSWORD | v | PM_RSTS_PARTITION_MASK; /* partition 63 */
    pm[PM_WDOG / 4] = PM_PASSWORD | 10;
    v = pm[PM_RSTC / 4] & ~PM_RSTC_WRCFG_MASK;
    pm[PM_RSTC / 4] = PM_PASSWORD | v | PM_RSTC_WRCFG_FULL_RESET;
    for (int i = 0; i < 1000000; i++)
        hyp_cpu_relax();
}

const struct hyp_port hyp_port = {
    .name = "rpi4",
    .early_uart = RPI4_UART0,
    .early_uart_clock_hz = 0, /* the firmware set the baud rate */
    .quirks = 0,
    .console = NULL, /* the library's PL011 */
    .platform_fixup = rpi4_platform_fixup,
    .cpu_on = hyp_spin_table_cpu_on,
    .system_off = rpi4_system_off,
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
