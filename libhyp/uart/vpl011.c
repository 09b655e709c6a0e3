/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual PL011 UART: the register model behind include/hyp/vpl011.h. Register
 * offsets, bit positions and reset values follow the PL011 TRM (DDI 0183);
 * the header lists where the model deliberately departs from real hardware.
 */
#include <hyp/error.h>
#include <hyp/vpl011.h>

/* Register offsets. */
enum {
    REG_DR = 0x000,
    REG_RSR = 0x004, /* UARTRSR on read, UARTECR on write */
    REG_FR = 0x018,
    REG_ILPR = 0x020,
    REG_IBRD = 0x024,
    REG_FBRD = 0x028,
    REG_LCR_H = 0x02c,
    REG_CR = 0x030,
    REG_IFLS = 0x034,
    REG_IMSC = 0x038,
    REG_RIS = 0x03c,
    REG_MIS = 0x040,
    REG_ICR = 0x044,
    REG_DMACR = 0x048,
    REG_ID_FIRST = 0xfe0, /* PeriphID0-3 then PCellID0-3, one byte each */
};

/* UARTDR: the error bits stored with each received byte. */
#define DR_OE (1u << 11)

/* UARTRSR / UARTECR. */
#define RSR_OE 0x8u

/* UARTFR. */
#define FR_CTS  (1u << 0)
#define FR_DSR  (1u << 1)
#define FR_DCD  (1u << 2)
#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)

/* UARTLCR_H. */
#define LCR_H_FEN (1u << 4)

/* UARTCR: only the bits the model acts on; the rest are stored. */
#define CR_LBE      (1u << 7)
#define CR_RXE      (1u << 9)
#define CR_WRITABLE 0xff87u /* bits 6:3 are reserved */
#define CR_RESET    0x0300u

/* UARTIFLS. */
#define IFLS_WRITABLE 0x3fu
#define IFLS_RESET    0x12u

/* Interrupt bits, common to UARTIMSC, UARTRIS, UARTMIS and UARTICR. */
#define INT_RX  (1u << 4)
#define INT_TX  (1u << 5)
#define INT_RT  (1u << 6)
#define INT_OE  (1u << 10)
#define INT_ALL 0x7ffu

/* Identification bytes at 0xFE0-0xFFC: part 0x011, Arm, revision 3 (r1p5). */
static const uint8_t id_bytes[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static unsigned rx_capacity(const struct hyp_vpl011 *u)
{
    return (u->lcr_h & LCR_H_FEN) ? HYP_VPL011_FIFO_DEPTH : 1u;
}

/* Fill level at which RXRIS is raised: 1/8, 1/4, 1/2, 3/4 or 7/8 full. */
static unsigned rx_trigger(const struct hyp_vpl011 *u)
{
    static const uint8_t eighths[5] = {1, 2, 4, 6, 7};
    unsigned sel = (u->ifls >> 3) & 7u;

    if (!(u->lcr_h & LCR_H_FEN))
        return 1; /* one-entry holding register: any byte triggers */
    if (sel > 4)
        sel = 4; /* reserved encodings: treat as 7/8 */
    return HYP_VPL011_FIFO_DEPTH * eighths[sel] / 8u;
}

static void update_irq(struct hyp_vpl011 *u)
{
    bool level = (u->ris & u->imsc & INT_ALL) != 0;

    if (level == u->irq_line)
        return;
    u->irq_line = level;
    if (u->ops.irq)
        u->ops.irq(u->ctx, level);
}

/* One byte arrives at the receiver. Returns whether it was stored. */
static bool rx_push(struct hyp_vpl011 *u, uint8_t byte)
{
    uint16_t entry = byte;

    if (u->rx_count >= rx_capacity(u)) {
        u->rsr |= RSR_OE;
        u->ris |= INT_OE;
        u->rx_overrun = true;
        return false;
    }
    if (u->rx_overrun) {
        entry |= DR_OE;
        u->rx_overrun = false;
    }
    u->rx_fifo[(u->rx_head + u->rx_count) % HYP_VPL011_FIFO_DEPTH] = entry;
    u->rx_count++;
    if (u->rx_count >= rx_trigger(u))
        u->ris |= INT_RX;
    return true;
}

/* Input has gone quiet: with no clock, the receive timeout elapses at once. */
static void rx_idle(struct hyp_vpl011 *u)
{
    if (u->rx_count > 0 && u->rx_count < rx_trigger(u))
        u->ris |= INT_RT;
}

static uint16_t rx_pop(struct hyp_vpl011 *u)
{
    uint16_t entry;

    if (u->rx_count == 0)
        return 0;
    entry = u->rx_fifo[u->rx_head];
    u->rx_head = (uint8_t)((u->rx_head + 1u) % HYP_VPL011_FIFO_DEPTH);
    u->rx_count--;
    /* UARTRSR's FE/PE/BE describe the byte just read; OE stays until ECR. */
    u->rsr = (uint8_t)((u->rsr & RSR_OE) | ((entry >> 8) & 0x7u));
    if (u->rx_count < rx_trigger(u))
        u->ris &= (uint16_t)~INT_RX;
    if (u->rx_count == 0)
        u->ris &= (uint16_t)~INT_RT;
    else
        rx_idle(u);
    return entry;
}

/* The RX trigger level moved (UARTIFLS or FEN changed): re-judge the FIFO. */
static void rx_retrigger(struct hyp_vpl011 *u, unsigned old_trigger)
{
    if (rx_trigger(u) == old_trigger)
        return;
    if (u->rx_count >= rx_trigger(u)) {
        u->ris |= INT_RX;
    } else {
        u->ris &= (uint16_t)~INT_RX;
        rx_idle(u);
    }
}

static void tx_byte(struct hyp_vpl011 *u, uint8_t byte)
{
    if (u->cr & CR_LBE) {
        if (u->cr & CR_RXE) {
            rx_push(u, byte);
            rx_idle(u);
        }
    } else if (u->ops.tx) {
        char c = (char)byte;

        u->ops.tx(u->ctx, &c, 1);
    }
    /* The byte left the transmit FIFO at once: it is empty, so at or below
     * any trigger level. */
    u->ris |= INT_TX;
}

static uint32_t read_flags(const struct hyp_vpl011 *u)
{
    uint32_t fr = FR_CTS | FR_DSR | FR_DCD | FR_TXFE;

    if (u->rx_count == 0)
        fr |= FR_RXFE;
    if (u->rx_count >= rx_capacity(u))
        fr |= FR_RXFF;
    return fr;
}

static uint32_t reg_read(struct hyp_vpl011 *u, unsigned off)
{
    switch (off) {
    case REG_DR:
        return rx_pop(u);
    case REG_RSR:
        return u->rsr;
    case REG_FR:
        return read_flags(u);
    case REG_ILPR:
        return u->ilpr;
    case REG_IBRD:
        return u->ibrd;
    case REG_FBRD:
        return u->fbrd;
    case REG_LCR_H:
        return u->lcr_h;
    case REG_CR:
        return u->cr;
    case REG_IFLS:
        return u->ifls;
    case REG_IMSC:
        return u->imsc;
    case REG_RIS:
        return u->ris;
    case REG_MIS:
        return u->ris & u->imsc;
    default:
        if (off >= REG_ID_FIRST)
            return id_bytes[(off - REG_ID_FIRST) / 4u];
        return 0; /* ICR (write-only), DMACR, test registers, reserved */
    }
}

/* A narrow store replaces only the low bits it covers. */
static uint32_t merge(uint32_t old, uint32_t val, uint32_t mask)
{
    return (old & ~mask) | (val & mask);
}

static void reg_write(struct hyp_vpl011 *u, unsigned off, uint32_t val, uint32_t mask)
{
    unsigned old_trigger = rx_trigger(u);

    switch (off) {
    case REG_DR:
        tx_byte(u, (uint8_t)val);
        break;
    case REG_RSR: /* UARTECR: any write clears the error flags */
        u->rsr = 0;
        break;
    case REG_ILPR:
        u->ilpr = (uint8_t)merge(u->ilpr, val, mask);
        break;
    case REG_IBRD:
        u->ibrd = (uint16_t)merge(u->ibrd, val, mask);
        break;
    case REG_FBRD:
        u->fbrd = (uint8_t)(merge(u->fbrd, val, mask) & 0x3fu);
        break;
    case REG_LCR_H:
        u->lcr_h = (uint8_t)merge(u->lcr_h, val, mask);
        rx_retrigger(u, old_trigger);
        break;
    case REG_CR:
        u->cr = (uint16_t)(merge(u->cr, val, mask) & CR_WRITABLE);
        break;
    case REG_IFLS:
        u->ifls = (uint8_t)(merge(u->ifls, val, mask) & IFLS_WRITABLE);
        rx_retrigger(u, old_trigger);
        break;
    case REG_IMSC:
        u->imsc = (uint16_t)(merge(u->imsc, val, mask) & INT_ALL);
        break;
    case REG_ICR:
        u->ris &= (uint16_t) ~(val & INT_ALL);
        break;
    default:
        break; /* read-only, DMACR, test registers, reserved */
    }
}

void hyp_vpl011_init(struct hyp_vpl011 *uart, const struct hyp_vpl011_ops *ops, void *ctx)
{
    *uart = (struct hyp_vpl011){0};
    if (ops)
        uart->ops = *ops;
    uart->ctx = ctx;
    uart->cr = CR_RESET;
    uart->ifls = IFLS_RESET;
}

int hyp_vpl011_mmio(struct hyp_vpl011 *uart, uint64_t offset, unsigned size, bool write,
                    uint64_t *val)
{
    uint32_t mask;

    if (!uart || !val)
        return HYP_EINVAL;
    if (offset >= HYP_VPL011_MMIO_SIZE)
        return HYP_ERANGE;
    if (size != 1 && size != 2 && size != 4)
        return HYP_EINVAL;
    if (offset & 3u)
        return HYP_EINVAL;

    mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1u;
    if (write)
        reg_write(uart, (unsigned)offset, (uint32_t)*val & mask, mask);
    else
        *val = reg_read(uart, (unsigned)offset) & mask;
    update_irq(uart);
    return HYP_OK;
}

size_t hyp_vpl011_rx(struct hyp_vpl011 *uart, const char *buf, size_t len)
{
    size_t stored = 0;

    if (!uart || !buf || len == 0 || !(uart->cr & CR_RXE))
        return 0;
    for (size_t i = 0; i < len; i++)
        stored += rx_push(uart, (uint8_t)buf[i]);
    rx_idle(uart);
    update_irq(uart);
    return stored;
}

size_t hyp_vpl011_rx_room(const struct hyp_vpl011 *uart)
{
    unsigned cap = rx_capacity(uart);

    if (!(uart->cr & CR_RXE) || uart->rx_count >= cap)
        return 0;
    return cap - uart->rx_count;
}

bool hyp_vpl011_irq_level(const struct hyp_vpl011 *uart)
{
    return (uart->ris & uart->imsc & INT_ALL) != 0;
}
