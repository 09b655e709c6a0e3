/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Polled driver for the Cadence UART of Xilinx Zynq and ZynqMP (UG1085):
 * 64-byte FIFOs behind one data register, a channel status register, and a
 * baud rate of clock / (CD * (BDIV + 1)).
 */
#include <hyp/cdns_uart.h>
#include <hyp/mmio.h>

#define CDNS_CR       0x00
#define CDNS_CR_RXRES (1u << 0)
#define CDNS_CR_TXRES (1u << 1)
#define CDNS_CR_RXEN  (1u << 2)
#define CDNS_CR_RXDIS (1u << 3)
#define CDNS_CR_TXEN  (1u << 4)
#define CDNS_CR_TXDIS (1u << 5)
#define CDNS_MR       0x04
#define CDNS_MR_8N1   (4u << 3) /* 8 data bits, no parity, 1 stop bit */
#define CDNS_IDR      0x0c
#define CDNS_IDR_ALL  0x3fffu
#define CDNS_BAUDGEN  0x18
#define CDNS_SR       0x2c
#define CDNS_SR_RXEMP (1u << 1)
#define CDNS_SR_TXFUL (1u << 4)
#define CDNS_FIFO     0x30
#define CDNS_BAUDDIV  0x34

#define CDNS_BAUD 115200u
#define CDNS_BDIV 4u /* BAUDDIV: divide by 5 */

static void cdns_init(uintptr_t base, uint32_t clock_hz)
{
    uint32_t cr = mmio_read32(base + CDNS_CR);

    mmio_write32(base + CDNS_IDR, CDNS_IDR_ALL);
    if (clock_hz != 0) {
        uint32_t cd =
            (clock_hz + CDNS_BAUD * (CDNS_BDIV + 1) / 2) / (CDNS_BAUD * (CDNS_BDIV + 1));

        mmio_write32(base + CDNS_CR, CDNS_CR_TXDIS | CDNS_CR_RXDIS);
        mmio_write32(base + CDNS_MR, CDNS_MR_8N1);
        mmio_write32(base + CDNS_BAUDGEN, cd);
        mmio_write32(base + CDNS_BAUDDIV, CDNS_BDIV);
        cr = CDNS_CR_TXRES | CDNS_CR_RXRES;
    }
    /* Enabled, whatever the bootloader (or reset: both disabled) left. */
    cr &= ~(CDNS_CR_TXDIS | CDNS_CR_RXDIS);
    mmio_write32(base + CDNS_CR, cr | CDNS_CR_TXEN | CDNS_CR_RXEN);
}

static void cdns_putc(uintptr_t base, char c)
{
    while (mmio_read32(base + CDNS_SR) & CDNS_SR_TXFUL)
        ;
    mmio_write32(base + CDNS_FIFO, (uint8_t)c);
}

static bool cdns_getc(uintptr_t base, char *c)
{
    if (mmio_read32(base + CDNS_SR) & CDNS_SR_RXEMP)
        return false;
    *c = (char)(mmio_read32(base + CDNS_FIFO) & 0xff);
    return true;
}

const struct hyp_console_ops hyp_cdns_uart_console = {
    .init = cdns_init,
    .tx = cdns_putc,
    .rx = cdns_getc,
};
