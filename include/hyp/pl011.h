/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file pl011.h
 * @brief Driver for an Arm PL011 UART (polled), in the shape of
 * ::hyp_console_ops (the console's default one).
 */
#ifndef HYP_PL011_H
#define HYP_PL011_H

#include <stdbool.h>
#include <stdint.h>

/** @name PL011 register offsets and bits
 *  @{ */
#define PL011_DR      0x00      /**< Data register. */
#define PL011_FR      0x18      /**< Flag register. */
#define PL011_IBRD    0x24      /**< Integer baud rate divisor. */
#define PL011_FBRD    0x28      /**< Fractional baud rate divisor. */
#define PL011_LCR_H   0x2c      /**< Line control. */
#define PL011_CR      0x30      /**< Control. */
#define PL011_IMSC    0x38      /**< Interrupt mask set/clear. */
#define PL011_ICR     0x44      /**< Interrupt clear. */
#define PL011_FR_BUSY (1u << 3) /**< Transmitting. */
#define PL011_FR_RXFE (1u << 4) /**< Receive FIFO empty. */
#define PL011_FR_TXFF (1u << 5) /**< Transmit FIFO full. */
/** @} */

/**
 * @brief Set the UART up for 115200 8N1 with FIFOs, interrupts masked.
 * @param base     The UART's register base.
 * @param clock_hz Reference clock; 0 keeps the divisors firmware programmed.
 */
void pl011_init(uintptr_t base, uint32_t clock_hz);

/**
 * @brief Send one byte, waiting while the transmit FIFO is full.
 * @param base The UART's register base.
 * @param c    The byte.
 */
void pl011_putc(uintptr_t base, char c);

/**
 * @brief Receive one byte if one is waiting.
 * @param base The UART's register base.
 * @param c    Receives the byte.
 * @return true if a byte was read.
 */
bool pl011_getc(uintptr_t base, char *c);

#endif /* HYP_PL011_H */
