/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vpl011.h
 * @brief A virtual Arm PL011 UART (r1p5) for guests: a pure register model.
 *
 * The model owns no memory and touches no hardware. The hypervisor traps the
 * guest's accesses to the UART's 4 KiB page and passes each one to
 * hyp_vpl011_mmio(); it feeds console input with hyp_vpl011_rx(); the model
 * hands transmitted bytes and interrupt-line changes back through the
 * callbacks in struct hyp_vpl011_ops. Several instances may coexist.
 *
 * Behaviour a guest can observe, beyond the PL011 TRM (DDI 0183):
 *
 * - **Transmit is instant and unconditional.** Every byte written to UARTDR is
 *   handed to @c tx at once, whatever UARTEN and TXE say (early consoles write
 *   UARTDR without programming UARTCR; a forgiving UART loses nothing). The
 *   transmit FIFO is therefore always empty: UARTFR reads TXFE=1, TXFF=0,
 *   BUSY=0. With LBE (loopback) set in UARTCR the byte goes to the receive
 *   FIFO instead of @c tx.
 * - **Transmit interrupt.** As the byte leaves the FIFO at once, every UARTDR
 *   write lets the FIFO drop to empty, which sets TXRIS (the TRM's "at or below
 *   the trigger level" event). TXRIS stays set until the guest clears it
 *   through UARTICR; it is never set before the first write. An interrupt-
 *   driven driver that unmasks TXIM while it has data queued thus gets its
 *   interrupt.
 * - **Receive.** hyp_vpl011_rx() puts bytes in the 32-entry receive FIFO
 *   (one entry with FEN=0 in UARTLCR_H). UARTEN is ignored; RXE gates input:
 *   with RXE clear nothing is accepted. A byte that arrives while the FIFO is
 *   full is lost and sets OE in UARTRSR and OERIS in UARTRIS; the next byte
 *   stored carries the OE bit (bit 11) in UARTDR.
 * - **Receive timeout.** There is no time: the timeout is taken to elapse as
 *   soon as input stops. RTRIS is set after each hyp_vpl011_rx() call and each
 *   UARTDR read that leaves the FIFO non-empty but below the RX trigger
 *   level; it clears when the FIFO empties or through UARTICR.
 * - **Modem inputs are constant:** CTS, DSR and DCD read 1 (a terminal is
 *   attached and ready), RI reads 0; the modem interrupts never fire.
 * - **DMA is not supported:** UARTDMACR reads as zero, writes are ignored.
 *   The test registers and reserved offsets read as zero, writes are ignored.
 * - **Identification:** UARTPeriphID0-3 read 0x11, 0x10, 0x34, 0x00 (part
 *   0x011, designer Arm, revision 3 = r1p5, which tells Linux the FIFOs hold
 *   32 entries); UARTPCellID0-3 read 0x0D, 0xF0, 0x05, 0xB1.
 */
#ifndef HYP_VPL011_H
#define HYP_VPL011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Size of the UART's register window in bytes (offsets 0x000-0xFFF). */
#define HYP_VPL011_MMIO_SIZE 0x1000u

/** Depth of the receive FIFO when FIFOs are enabled (UARTLCR_H.FEN = 1). */
#define HYP_VPL011_FIFO_DEPTH 32u

/** What the model asks of its owner. Either callback may be NULL. */
struct hyp_vpl011_ops {
    /**
     * @brief Output bytes the guest transmitted.
     * @param ctx The @c ctx given to hyp_vpl011_init().
     * @param buf The bytes, in order.
     * @param len Number of bytes (at least 1).
     */
    void (*tx)(void *ctx, const char *buf, size_t len);
    /**
     * @brief The combined interrupt output (UARTINTR) changed level.
     * @param ctx   The @c ctx given to hyp_vpl011_init().
     * @param level The new level: true when asserted.
     */
    void (*irq)(void *ctx, bool level);
};

/**
 * One virtual PL011. The caller allocates it; its fields are private to the
 * model (read them only through the functions below).
 */
struct hyp_vpl011 {
    struct hyp_vpl011_ops ops;               /**< Callbacks (copied). */
    void *ctx;                               /**< Callback context. */
    uint16_t rx_fifo[HYP_VPL011_FIFO_DEPTH]; /**< Receive FIFO: data and error bits. */
    uint8_t rx_head;                         /**< Index of the oldest entry. */
    uint8_t rx_count;                        /**< Entries in the receive FIFO. */
    bool rx_overrun;                         /**< The next stored byte carries OE. */
    bool irq_line;                           /**< Last level reported to @c irq. */
    uint8_t rsr;                             /**< UARTRSR. */
    uint8_t ilpr;                            /**< UARTILPR. */
    uint16_t ibrd;                           /**< UARTIBRD. */
    uint8_t fbrd;                            /**< UARTFBRD. */
    uint8_t lcr_h;                           /**< UARTLCR_H. */
    uint16_t cr;                             /**< UARTCR. */
    uint8_t ifls;                            /**< UARTIFLS. */
    uint16_t imsc;                           /**< UARTIMSC. */
    uint16_t ris;                            /**< UARTRIS. */
};

/**
 * @brief Put a UART in its reset state and attach its callbacks.
 *
 * Registers take the TRM's reset values (UARTCR = 0x300, UARTIFLS = 0x12,
 * everything else zero, FIFOs empty). No callback is called: the interrupt
 * line is low afterwards, and the caller's view of it must start low too.
 *
 * @param uart The UART to initialise.
 * @param ops  Callbacks, copied; NULL for none.
 * @param ctx  Passed to every callback.
 */
void hyp_vpl011_init(struct hyp_vpl011 *uart, const struct hyp_vpl011_ops *ops,
                     void *ctx);

/**
 * @brief Perform one guest access to the UART's register window.
 *
 * Accesses of 8, 16 or 32 bits at 4-byte aligned offsets are accepted (a
 * narrow access sees or replaces only the register's low 8 or 16 bits). Linux's
 * amba-pl011 driver uses 16-bit accesses, its pl011 earlycon 8-bit writes to UARTDR
 * (32-bit with @c mmio32) and 32-bit reads of UARTFR. Unimplemented offsets read as zero
 * and ignore writes. May call the @c tx and @c irq callbacks.
 *
 * @param uart   The UART.
 * @param offset Byte offset of the access within the window.
 * @param size   Access width in bytes: 1, 2 or 4.
 * @param write  true for a store, false for a load.
 * @param val    For a store, the value (bits above @p size are ignored); for
 *               a load, receives the zero-extended value read.
 * @return ::HYP_OK; ::HYP_ERANGE if @p offset lies outside the window;
 *         ::HYP_EINVAL for another width, an unaligned offset or a NULL
 *         pointer (the UART is then left unchanged).
 */
int hyp_vpl011_mmio(struct hyp_vpl011 *uart, uint64_t offset, unsigned size, bool write,
                    uint64_t *val);

/**
 * @brief Deliver console input to the guest's receive FIFO.
 *
 * With UARTCR.RXE clear nothing is accepted and 0 is returned. Otherwise every
 * byte is received: those that find the FIFO full are lost and set the
 * overrun error (use hyp_vpl011_rx_room() first to avoid that). Updates the
 * receive and timeout interrupts; may call the @c irq callback.
 *
 * @param uart The UART.
 * @param buf  The bytes; may be NULL when @p len is 0.
 * @param len  Number of bytes.
 * @return Number of bytes stored in the FIFO.
 */
size_t hyp_vpl011_rx(struct hyp_vpl011 *uart, const char *buf, size_t len);

/**
 * @brief How many bytes hyp_vpl011_rx() would store now without an overrun.
 * @param uart The UART.
 * @return Free receive FIFO entries; 0 when UARTCR.RXE is clear.
 */
size_t hyp_vpl011_rx_room(const struct hyp_vpl011 *uart);

/**
 * @brief Current level of the combined interrupt output.
 * @param uart The UART.
 * @return true when any masked interrupt status (UARTMIS) bit is set.
 */
bool hyp_vpl011_irq_level(const struct hyp_vpl011 *uart);

#endif /* HYP_VPL011_H */
