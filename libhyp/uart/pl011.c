/* SPDX-License-Identifier: BSD-2-Clause */
/* Polled driver for the Arm PL011 UART. */
#include <hyp/mmio.h>
#include <hyp/pl011.h>

#define PL011_BAUD        115200u
#define PL011_LCR_H_FEN   (1u << 4)
#define PL011_LCR_H_WLEN8 (3u << 5)
#define PL011_CR_UARTEN   (1u << 0)
#define PL011_CR_TXE      (1u << 8)
#define PL011_CR_RXE      (1u << 9)
#define PL011_ICR_ALL     0x7ffu

void pl011_init(uintptr_t base, uint32_t clock_hz)
{
    if (clock_hz != 0) {
        /* Divisor in 64ths: clock / (16 * baud) * 64, rounded. */
        uint32_t div = (uint32_t)(((uint64_t)clock_hz * 4 + PL011_BAUD / 2) / PL011_BAUD);

        while (mmio_read32(base + PL011_FR) & PL011_FR_BUSY)
            ;
        mmio_write32(base + PL011_CR, 0);
        mmio_write32(base + PL011_ICR, PL011_ICR_ALL);
        mmio_write32(base + PL011_IBRD, div >> 6);
        mmio_write32(base + PL011_FBRD, div & 63);
        mmio_write32(base + PL011_LCR_H, PL011_LCR_H_WLEN8 | PL011_LCR_H_FEN);
        mmio_write32(base + PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
    }
    mmio_write32(base + PL011_IMSC, 0);
}

void pl011_putc(uintptr_t base, char c)
{
    while (mmio_read32(base + PL011_FR) & PL011_FR_TXFF)
        ;
    mmio_write32(base + PL011_DR, (uint8_t)c);
}

bool pl011_getc(uintptr_t base, char *c)
{
    if (mmio_read32(base + PL011_FR) & PL011_FR_RXFE)
        return false;
    *c = (char)(mmio_read32(base + PL011_DR) & 0xff);
    return true;
}
