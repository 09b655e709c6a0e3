/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtual PL011 against the PL011 TRM (DDI 0183): reset values, the
 * identification registers, the receive FIFO and its flags and errors, the
 * interrupt logic, access widths, and a replay of what Linux's amba-pl011
 * driver does at probe and startup followed by interrupt-driven transmit and
 * receive. Register offsets and bits are spelled out here independently of
 * the model's own definitions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/error.h>
#include <hyp/vpl011.h>

/* ---- register map (TRM section 3.2) ----------------------------------- */

#define DR    0x000
#define RSR   0x004
#define FR    0x018
#define ILPR  0x020
#define IBRD  0x024
#define FBRD  0x028
#define LCR_H 0x02c
#define CR    0x030
#define IFLS  0x034
#define IMSC  0x038
#define RIS   0x03c
#define MIS   0x040
#define ICR   0x044
#define DMACR 0x048

#define FR_CTS  0x001
#define FR_DSR  0x002
#define FR_DCD  0x004
#define FR_BUSY 0x008
#define FR_RXFE 0x010
#define FR_TXFF 0x020
#define FR_RXFF 0x040
#define FR_TXFE 0x080
#define FR_RI   0x100

#define LCR_H_FEN   0x10
#define LCR_H_WLEN8 0x60

#define CR_UARTEN 0x0001
#define CR_LBE    0x0080
#define CR_TXE    0x0100
#define CR_RXE    0x0200
#define CR_DTR    0x0400
#define CR_RTS    0x0800

#define INT_RX 0x010
#define INT_TX 0x020
#define INT_RT 0x040
#define INT_FE 0x080
#define INT_PE 0x100
#define INT_BE 0x200
#define INT_OE 0x400

#define DR_OE  0x800
#define RSR_OE 0x8

/* IFLS: RX select in bits 5:3, TX select in bits 2:0. */
#define IFLS_RX(sel) ((sel) << 3)

/* ---- harness ---------------------------------------------------------- */

struct rec {
    char out[1024];
    size_t n_out;
    unsigned tx_calls;
    unsigned irq_calls;
    bool level;    /* last level the irq callback reported */
    bool bad_call; /* irq callback called without a change */
};

static void rec_tx(void *ctx, const char *buf, size_t len)
{
    struct rec *r = ctx;

    assert_true(len >= 1);
    assert_true(r->n_out + len <= sizeof(r->out));
    memcpy(r->out + r->n_out, buf, len);
    r->n_out += len;
    r->tx_calls++;
}

static void rec_irq(void *ctx, bool level)
{
    struct rec *r = ctx;

    if (level == r->level)
        r->bad_call = true;
    r->level = level;
    r->irq_calls++;
}

static const struct hyp_vpl011_ops rec_ops = {.tx = rec_tx, .irq = rec_irq};

struct fixture {
    struct hyp_vpl011 u;
    struct rec r;
};

static struct fixture fx;

static int setup(void **state)
{
    memset(&fx, 0, sizeof(fx));
    hyp_vpl011_init(&fx.u, &rec_ops, &fx.r);
    *state = &fx;
    return 0;
}

static uint64_t rd_n(struct hyp_vpl011 *u, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeefcafef00dull;

    assert_int_equal(hyp_vpl011_mmio(u, off, size, false, &v), HYP_OK);
    return v;
}

static void wr_n(struct hyp_vpl011 *u, uint64_t off, unsigned size, uint64_t val)
{
    assert_int_equal(hyp_vpl011_mmio(u, off, size, true, &val), HYP_OK);
}

static uint32_t rd(struct hyp_vpl011 *u, uint64_t off)
{
    uint64_t v = rd_n(u, off, 4);

    assert_true(v <= 0xffffffffu);
    return (uint32_t)v;
}

static void wr(struct hyp_vpl011 *u, uint64_t off, uint32_t val)
{
    wr_n(u, off, 4, val);
}

static size_t rx_str(struct hyp_vpl011 *u, const char *s)
{
    return hyp_vpl011_rx(u, s, strlen(s));
}

/* Check the interrupt line: model, callback and MIS agree. */
static void expect_irq(const struct fixture *f, bool level)
{
    assert_int_equal(hyp_vpl011_irq_level(&f->u), level);
    assert_int_equal(f->r.level, level);
    assert_false(f->r.bad_call);
}

/* ---- reset and identification ----------------------------------------- */

static void reset_values(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(rd(&f->u, RSR), 0);
    /* TXFE and RXFE, plus the constant modem inputs CTS, DSR, DCD. */
    assert_int_equal(rd(&f->u, FR), FR_TXFE | FR_RXFE | FR_CTS | FR_DSR | FR_DCD);
    assert_int_equal(rd(&f->u, ILPR), 0);
    assert_int_equal(rd(&f->u, IBRD), 0);
    assert_int_equal(rd(&f->u, FBRD), 0);
    assert_int_equal(rd(&f->u, LCR_H), 0);
    assert_int_equal(rd(&f->u, CR), 0x300);
    assert_int_equal(rd(&f->u, IFLS), 0x12);
    assert_int_equal(rd(&f->u, IMSC), 0);
    assert_int_equal(rd(&f->u, RIS), 0);
    assert_int_equal(rd(&f->u, MIS), 0);
    assert_int_equal(rd(&f->u, ICR), 0);
    assert_int_equal(rd(&f->u, DMACR), 0);
    assert_int_equal(rd(&f->u, DR), 0); /* empty FIFO */
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
    assert_false(hyp_vpl011_irq_level(&f->u));
    assert_int_equal(f->r.irq_calls, 0);
    assert_int_equal(f->r.tx_calls, 0);
}

static void init_resets_a_used_uart(void **state)
{
    struct fixture *f = *state;

    wr(&f->u, CR, 0xff87);
    wr(&f->u, IMSC, 0x7ff);
    wr(&f->u, DR, 'x');
    rx_str(&f->u, "abc");
    hyp_vpl011_init(&f->u, NULL, NULL);
    assert_int_equal(rd(&f->u, CR), 0x300);
    assert_int_equal(rd(&f->u, IMSC), 0);
    assert_int_equal(rd(&f->u, RIS), 0);
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
    /* No callbacks attached: transmitting is harmless. */
    wr(&f->u, DR, 'y');
    assert_int_equal(rx_str(&f->u, "z"), 1);
}

static void id_registers(void **state)
{
    struct fixture *f = *state;
    static const uint8_t expect[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    uint32_t periph = 0, cell = 0;

    for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(rd(&f->u, 0xfe0 + 4 * i), expect[i]);
        assert_int_equal(rd_n(&f->u, 0xfe0 + 4 * i, 1), expect[i]);
        assert_int_equal(rd_n(&f->u, 0xfe0 + 4 * i, 2), expect[i]);
    }
    for (unsigned i = 0; i < 4; i++) {
        periph |= (rd(&f->u, 0xfe0 + 4 * i) & 0xff) << (8 * i);
        cell |= (rd(&f->u, 0xff0 + 4 * i) & 0xff) << (8 * i);
    }
    /* What an AMBA bus matches: part 0x011, designer 0x41 (Arm). */
    assert_int_equal(periph & 0x000fffff, 0x00041011);
    /* Revision 3 (r1p5): Linux then assumes 32-entry FIFOs. */
    assert_int_equal((periph >> 20) & 0xf, 3);
    assert_int_equal(cell, 0xb105f00d);
    /* Read-only: writes are ignored. */
    wr(&f->u, 0xfe0, 0);
    wr(&f->u, 0xffc, 0);
    assert_int_equal(rd(&f->u, 0xfe0), 0x11);
    assert_int_equal(rd(&f->u, 0xffc), 0xb1);
}

static void unimplemented_raz_wi(void **state)
{
    struct fixture *f = *state;
    static const uint64_t offs[] = {0x008, 0x00c, 0x010, 0x014, 0x01c,
                                    DMACR, 0x04c, 0x07c, 0x080, 0x084,
                                    0x088, 0x08c, 0x100, 0x800, 0xfdc};

    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        wr(&f->u, offs[i], 0xffffffff);
        assert_int_equal(rd(&f->u, offs[i]), 0);
    }
    /* Writes to the read-only registers change nothing. */
    wr(&f->u, FR, 0);
    wr(&f->u, RIS, 0x7ff);
    wr(&f->u, MIS, 0x7ff);
    assert_int_equal(rd(&f->u, FR), FR_TXFE | FR_RXFE | FR_CTS | FR_DSR | FR_DCD);
    assert_int_equal(rd(&f->u, RIS), 0);
    assert_int_equal(rd(&f->u, MIS), 0);
    /* None of that touched the other registers. */
    assert_int_equal(rd(&f->u, CR), 0x300);
    assert_int_equal(rd(&f->u, IFLS), 0x12);
    assert_int_equal(f->r.tx_calls, 0);
    assert_int_equal(f->r.irq_calls, 0);
}

static void register_widths(void **state)
{
    struct fixture *f = *state;

    wr(&f->u, ILPR, 0xffffffff);
    wr(&f->u, IBRD, 0xffffffff);
    wr(&f->u, FBRD, 0xffffffff);
    wr(&f->u, LCR_H, 0xffffffff);
    wr(&f->u, CR, 0xffffffff);
    wr(&f->u, IFLS, 0xffffffff);
    assert_int_equal(rd(&f->u, ILPR), 0xff);
    assert_int_equal(rd(&f->u, IBRD), 0xffff);
    assert_int_equal(rd(&f->u, FBRD), 0x3f);
    assert_int_equal(rd(&f->u, LCR_H), 0xff);
    assert_int_equal(rd(&f->u, CR), 0xff87); /* bits 6:3 reserved */
    assert_int_equal(rd(&f->u, IFLS), 0x3f);
    wr(&f->u, IMSC, 0xffffffff);
    assert_int_equal(rd(&f->u, IMSC), 0x7ff);
    wr(&f->u, IMSC, 0);
    wr(&f->u, IBRD, 26);
    wr(&f->u, FBRD, 3);
    assert_int_equal(rd(&f->u, IBRD), 26);
    assert_int_equal(rd(&f->u, FBRD), 3);
}

/* ---- transmit ---------------------------------------------------------- */

static void tx_regardless_of_cr(void **state)
{
    struct fixture *f = *state;

    /* At reset UARTEN is clear: an early console writes anyway. */
    wr_n(&f->u, DR, 1, 'a');
    wr(&f->u, CR, 0); /* everything off */
    wr(&f->u, DR, 'b');
    wr(&f->u, CR, CR_UARTEN | CR_TXE | CR_RXE);
    wr_n(&f->u, DR, 2, 'c');
    assert_int_equal(f->r.n_out, 3);
    assert_memory_equal(f->r.out, "abc", 3);
    /* Only the data byte is sent. */
    wr(&f->u, DR, 0xfff00 | 'd');
    assert_int_equal(f->r.n_out, 4);
    assert_int_equal(f->r.out[3], 'd');
    wr(&f->u, DR, 0xff);
    assert_int_equal((uint8_t)f->r.out[4], 0xff);
    /* The transmitter never looks busy or full. */
    assert_int_equal(rd(&f->u, FR) & (FR_BUSY | FR_TXFF | FR_TXFE), FR_TXFE);
}

static void loopback(void **state)
{
    struct fixture *f = *state;

    wr(&f->u, LCR_H, LCR_H_FEN);
    wr(&f->u, CR, CR_UARTEN | CR_TXE | CR_RXE | CR_LBE);
    wr(&f->u, DR, 'L');
    wr(&f->u, DR, 'B');
    assert_int_equal(f->r.n_out, 0);
    assert_int_equal(rd(&f->u, DR), 'L');
    assert_int_equal(rd(&f->u, DR), 'B');
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
    /* Loopback with the receiver off: the byte goes nowhere. */
    wr(&f->u, CR, CR_UARTEN | CR_TXE | CR_LBE);
    wr(&f->u, DR, 'x');
    assert_int_equal(f->r.n_out, 0);
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
    wr(&f->u, CR, CR_UARTEN | CR_TXE | CR_RXE);
    wr(&f->u, DR, 'y');
    assert_int_equal(f->r.n_out, 1);
    assert_int_equal(f->r.out[0], 'y');
}

/* ---- receive ----------------------------------------------------------- */

static void rx_fifo_order_and_flags(void **state)
{
    struct fixture *f = *state;
    const char *msg = "hello, world";

    wr(&f->u, LCR_H, LCR_H_FEN | LCR_H_WLEN8);
    assert_int_equal(hyp_vpl011_rx_room(&f->u), 32);
    assert_int_equal(rx_str(&f->u, msg), strlen(msg));
    assert_int_equal(hyp_vpl011_rx_room(&f->u), 32 - strlen(msg));
    assert_int_equal(rd(&f->u, FR) & (FR_RXFE | FR_RXFF), 0);
    for (size_t i = 0; msg[i]; i++) {
        assert_int_equal(rd(&f->u, FR) & FR_RXFE, 0);
        assert_int_equal(rd(&f->u, DR), (uint8_t)msg[i]);
        assert_int_equal(rd(&f->u, RSR), 0);
    }
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
    /* A byte with the top bit set keeps its value and flags no error. */
    assert_int_equal(hyp_vpl011_rx(&f->u, "\xe9", 1), 1);
    assert_int_equal(rd(&f->u, DR), 0xe9);
    /* Empty bursts and NULL buffers store nothing. */
    assert_int_equal(hyp_vpl011_rx(&f->u, NULL, 4), 0);
    assert_int_equal(hyp_vpl011_rx(&f->u, "x", 0), 0);
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
}

static void rx_wraps_around(void **state)
{
    struct fixture *f = *state;
    char buf[20];

    wr(&f->u, LCR_H, LCR_H_FEN);
    for (unsigned round = 0; round < 10; round++) {
        for (unsigned i = 0; i < sizeof(buf); i++)
            buf[i] = (char)('A' + (round * 7 + i) % 26);
        assert_int_equal(hyp_vpl011_rx(&f->u, buf, sizeof(buf)), sizeof(buf));
        for (unsigned i = 0; i < sizeof(buf); i++)
            assert_int_equal(rd(&f->u, DR), (uint8_t)buf[i]);
    }
    assert_int_equal(rd(&f->u, RSR), 0);
}

static void rx_full_and_overrun(void **state)
{
    struct fixture *f = *state;
    char buf[40];

    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (char)('0' + i);
    wr(&f->u, LCR_H, LCR_H_FEN);
    assert_int_equal(hyp_vpl011_rx(&f->u, buf, 31), 31);
    assert_int_equal(rd(&f->u, FR) & FR_RXFF, 0);
    assert_int_equal(rd(&f->u, RIS) & INT_OE, 0);
    /* One fits, the other 8 are lost. */
    assert_int_equal(hyp_vpl011_rx(&f->u, buf + 31, 9), 1);
    assert_int_equal(rd(&f->u, FR) & (FR_RXFF | FR_RXFE), FR_RXFF);
    assert_int_equal(hyp_vpl011_rx_room(&f->u), 0);
    assert_int_equal(rd(&f->u, RSR), RSR_OE);
    assert_int_equal(rd(&f->u, RIS) & INT_OE, INT_OE);
    assert_int_equal(rd(&f->u, RIS) & (INT_FE | INT_PE | INT_BE), 0);
    /* The stored bytes stay valid and carry no error. */
    for (unsigned i = 0; i < 32; i++) {
        uint32_t v = rd(&f->u, DR);

        assert_int_equal(v, (uint8_t)buf[i]);
        if (i == 0)
            assert_int_equal(rd(&f->u, FR) & FR_RXFF, 0);
    }
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
    /* OE stays in RSR until ECR is written. */
    assert_int_equal(rd(&f->u, RSR), RSR_OE);
    /* The next byte stored carries OE in bits 11:8, the one after not. */
    assert_int_equal(rx_str(&f->u, "xy"), 2);
    assert_int_equal(rd(&f->u, DR), DR_OE | 'x');
    assert_int_equal(rd(&f->u, DR), 'y');
    wr(&f->u, RSR, 0); /* UARTECR */
    assert_int_equal(rd(&f->u, RSR), 0);
    /* OERIS is cleared through ICR only. */
    assert_int_equal(rd(&f->u, RIS) & INT_OE, INT_OE);
    wr(&f->u, ICR, INT_OE);
    assert_int_equal(rd(&f->u, RIS) & INT_OE, 0);
}

static void rx_gated_by_rxe(void **state)
{
    struct fixture *f = *state;

    wr(&f->u, LCR_H, LCR_H_FEN);
    wr(&f->u, CR, CR_UARTEN | CR_TXE);
    assert_int_equal(hyp_vpl011_rx_room(&f->u), 0);
    assert_int_equal(rx_str(&f->u, "abc"), 0);
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
    assert_int_equal(rd(&f->u, RSR), 0);
    assert_int_equal(rd(&f->u, RIS), 0);
    /* UARTEN alone does not matter. */
    wr(&f->u, CR, CR_RXE);
    assert_int_equal(rx_str(&f->u, "abc"), 3);
    assert_int_equal(rd(&f->u, DR), 'a');
}

static void fen0_is_one_deep(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(rd(&f->u, LCR_H) & LCR_H_FEN, 0); /* reset: FIFOs off */
    assert_int_equal(hyp_vpl011_rx_room(&f->u), 1);
    assert_int_equal(rx_str(&f->u, "pq"), 1);
    assert_int_equal(rd(&f->u, FR) & (FR_RXFF | FR_RXFE), FR_RXFF);
    assert_int_equal(rd(&f->u, RSR), RSR_OE);
    assert_int_equal(rd(&f->u, DR), 'p');
    assert_int_equal(rd(&f->u, FR) & (FR_RXFF | FR_RXFE), FR_RXFE);
    assert_int_equal(rx_str(&f->u, "r"), 1);
    assert_int_equal(rd(&f->u, DR), DR_OE | 'r');
    /* With FEN=0 any byte raises RXRIS, whatever IFLS says. */
    wr(&f->u, ICR, 0x7ff);
    assert_int_equal(rx_str(&f->u, "s"), 1);
    assert_int_equal(rd(&f->u, RIS) & (INT_RX | INT_RT), INT_RX);
    /* Turning the FIFO on keeps the byte; it is now below the 1/2 level. */
    wr(&f->u, LCR_H, LCR_H_FEN);
    assert_int_equal(rd(&f->u, RIS) & (INT_RX | INT_RT), INT_RT);
    assert_int_equal(rx_str(&f->u, "tu"), 2);
    wr(&f->u, LCR_H, 0);
    /* Three bytes in a one-deep FIFO: full, nothing more fits, all readable. */
    assert_int_equal(rd(&f->u, FR) & FR_RXFF, FR_RXFF);
    assert_int_equal(hyp_vpl011_rx_room(&f->u), 0);
    assert_int_equal(rd(&f->u, RIS) & INT_RX, INT_RX);
    assert_int_equal(rd(&f->u, DR), 's');
    assert_int_equal(rd(&f->u, DR), 't');
    assert_int_equal(rd(&f->u, DR), 'u');
    assert_int_equal(rd(&f->u, FR) & FR_RXFE, FR_RXFE);
    assert_int_equal(rd(&f->u, RIS) & (INT_RX | INT_RT), 0);
}

/* ---- interrupts -------------------------------------------------------- */

static void rx_trigger_levels(void **state)
{
    struct fixture *f = *state;
    /* RXIFLSEL 0..4 = 1/8, 1/4, 1/2, 3/4, 7/8 of 32; 5..7 reserved. */
    static const unsigned level[8] = {4, 8, 16, 24, 28, 28, 28, 28};
    char buf[32];

    memset(buf, 'k', sizeof(buf));
    for (unsigned sel = 0; sel < 8; sel++) {
        setup(state);
        wr(&f->u, LCR_H, LCR_H_FEN);
        wr(&f->u, IFLS, IFLS_RX(sel) | 2);
        wr(&f->u, IMSC, INT_RX);
        assert_int_equal(hyp_vpl011_rx(&f->u, buf, level[sel] - 1), level[sel] - 1);
        assert_int_equal(rd(&f->u, RIS) & INT_RX, 0);
        expect_irq(f, false);
        assert_int_equal(hyp_vpl011_rx(&f->u, buf, 1), 1);
        assert_int_equal(rd(&f->u, RIS) & INT_RX, INT_RX);
        assert_int_equal(rd(&f->u, MIS), INT_RX);
        expect_irq(f, true);
        /* Reading to just below the level clears it. */
        rd(&f->u, DR);
        assert_int_equal(rd(&f->u, RIS) & INT_RX, 0);
        expect_irq(f, false);
        assert_int_equal(f->r.irq_calls, 2);
    }
}

static void rx_timeout(void **state)
{
    struct fixture *f = *state;

    wr(&f->u, LCR_H, LCR_H_FEN);
    wr(&f->u, IMSC, INT_RT);
    assert_int_equal(rx_str(&f->u, "ab"), 2); /* below the 1/2 level */
    assert_int_equal(rd(&f->u, RIS) & (INT_RX | INT_RT), INT_RT);
    assert_int_equal(rd(&f->u, MIS), INT_RT);
    expect_irq(f, true);
    /* Partly read: data still waiting, the timeout stays. */
    assert_int_equal(rd(&f->u, DR), 'a');
    expect_irq(f, true);
    /* Empty: gone. */
    assert_int_equal(rd(&f->u, DR), 'b');
    assert_int_equal(rd(&f->u, RIS) & INT_RT, 0);
    expect_irq(f, false);
    /* ICR clears it while data remains; new input raises it again. */
    rx_str(&f->u, "c");
    expect_irq(f, true);
    wr(&f->u, ICR, INT_RT);
    assert_int_equal(rd(&f->u, RIS) & INT_RT, 0);
    expect_irq(f, false);
    rx_str(&f->u, "d");
    expect_irq(f, true);
    assert_int_equal(f->r.irq_calls, 5);
    /* At or above the RX level, data present raises RXRIS too. */
    wr(&f->u, IFLS, IFLS_RX(0));
    rx_str(&f->u, "ef");
    assert_int_equal(rd(&f->u, RIS) & INT_RX, INT_RX);
}

static void ifls_change_rejudges_fifo(void **state)
{
    struct fixture *f = *state;
    char buf[10];

    memset(buf, 'q', sizeof(buf));
    wr(&f->u, LCR_H, LCR_H_FEN);
    wr(&f->u, IMSC, INT_RX);
    hyp_vpl011_rx(&f->u, buf, sizeof(buf)); /* 10 < 16 */
    expect_irq(f, false);
    wr(&f->u, IFLS, IFLS_RX(1)); /* level 8 */
    assert_int_equal(rd(&f->u, RIS) & INT_RX, INT_RX);
    expect_irq(f, true);
    wr(&f->u, IFLS, IFLS_RX(3)); /* level 24 */
    assert_int_equal(rd(&f->u, RIS) & (INT_RX | INT_RT), INT_RT);
    expect_irq(f, false);
}

static void tx_interrupt(void **state)
{
    struct fixture *f = *state;

    wr(&f->u, CR, CR_UARTEN | CR_TXE | CR_RXE);
    /* Never asserted before data has gone through the FIFO. */
    wr(&f->u, IMSC, INT_TX);
    assert_int_equal(rd(&f->u, RIS), 0);
    expect_irq(f, false);
    wr(&f->u, DR, 'z');
    assert_int_equal(rd(&f->u, RIS), INT_TX);
    assert_int_equal(rd(&f->u, MIS), INT_TX);
    expect_irq(f, true);
    /* More writes keep it asserted (the FIFO never fills). */
    wr(&f->u, DR, 'z');
    expect_irq(f, true);
    assert_int_equal(f->r.irq_calls, 1);
    /* Masking drops the line, RIS keeps the bit. */
    wr(&f->u, IMSC, 0);
    expect_irq(f, false);
    assert_int_equal(rd(&f->u, RIS), INT_TX);
    wr(&f->u, IMSC, INT_TX);
    expect_irq(f, true);
    wr(&f->u, ICR, INT_TX);
    assert_int_equal(rd(&f->u, RIS), 0);
    expect_irq(f, false);
    assert_int_equal(f->r.irq_calls, 4);
    /* It also fires with the FIFOs off. */
    wr(&f->u, LCR_H, 0);
    wr(&f->u, DR, 'w');
    expect_irq(f, true);
}

static void mis_is_ris_and_imsc(void **state)
{
    struct fixture *f = *state;

    wr(&f->u, LCR_H, LCR_H_FEN);
    wr(&f->u, DR, '!');                            /* TX */
    hyp_vpl011_rx(&f->u, "0123456789abcdefg", 17); /* RX, level 16 */
    wr(&f->u, ICR, INT_RT);
    wr(&f->u, LCR_H, 0);
    rx_str(&f->u, "xyz"); /* overrun: OE */
    wr(&f->u, LCR_H, LCR_H_FEN);
    assert_int_equal(rd(&f->u, RIS), INT_TX | INT_RX | INT_OE);
    for (uint32_t mask = 0; mask <= 0x7ff; mask += 0x11) {
        wr(&f->u, IMSC, mask);
        assert_int_equal(rd(&f->u, IMSC), mask);
        assert_int_equal(rd(&f->u, MIS), rd(&f->u, RIS) & mask);
        expect_irq(f, (rd(&f->u, RIS) & mask) != 0);
    }
    /* ICR is write-one-to-clear: zeros leave bits alone. */
    wr(&f->u, ICR, 0);
    assert_int_equal(rd(&f->u, RIS), INT_TX | INT_RX | INT_OE);
    wr(&f->u, ICR, INT_TX | INT_OE);
    assert_int_equal(rd(&f->u, RIS), INT_RX);
    wr(&f->u, ICR, 0x7ff);
    assert_int_equal(rd(&f->u, RIS), 0);
    assert_int_equal(rd(&f->u, MIS), 0);
}

static void irq_called_only_on_changes(void **state)
{
    struct fixture *f = *state;

    wr(&f->u, LCR_H, LCR_H_FEN);
    wr(&f->u, IMSC, INT_RX | INT_RT | INT_TX);
    assert_int_equal(f->r.irq_calls, 0);
    rx_str(&f->u, "a"); /* RT: up */
    assert_int_equal(f->r.irq_calls, 1);
    wr(&f->u, DR, 'b'); /* TX as well: still up */
    rx_str(&f->u, "c");
    wr(&f->u, IMSC, INT_RX | INT_RT | INT_TX);
    assert_int_equal(f->r.irq_calls, 1);
    wr(&f->u, ICR, INT_TX);
    assert_int_equal(f->r.irq_calls, 1); /* RT still holds it */
    rd(&f->u, DR);
    rd(&f->u, DR); /* empty: RT gone, line down */
    assert_int_equal(f->r.irq_calls, 2);
    expect_irq(f, false);
    rd(&f->u, DR); /* reading an empty FIFO changes nothing */
    rd(&f->u, FR);
    wr(&f->u, ICR, 0x7ff);
    assert_int_equal(f->r.irq_calls, 2);
    assert_false(f->r.bad_call);
}

/* ---- access widths and range ------------------------------------------- */

static void access_widths(void **state)
{
    struct fixture *f = *state;
    uint64_t v = 'q';

    /* 8-, 16- and 32-bit at aligned offsets. */
    assert_int_equal(rd_n(&f->u, CR, 4), 0x300);
    assert_int_equal(rd_n(&f->u, CR, 2), 0x300);
    assert_int_equal(rd_n(&f->u, CR, 1), 0x00);
    assert_int_equal(rd_n(&f->u, IFLS, 1), 0x12);
    /* A narrow store replaces only the bits it covers. */
    wr_n(&f->u, CR, 1, CR_UARTEN);
    assert_int_equal(rd(&f->u, CR), 0x301);
    wr_n(&f->u, IBRD, 4, 0x1234);
    wr_n(&f->u, IBRD, 1, 0xab);
    assert_int_equal(rd(&f->u, IBRD), 0x12ab);
    wr_n(&f->u, CR, 2, 0x0101);
    assert_int_equal(rd(&f->u, CR), 0x101);

    /* 64-bit, odd sizes and unaligned offsets are refused, harmlessly. */
    assert_int_equal(hyp_vpl011_mmio(&f->u, DR, 8, true, &v), HYP_EINVAL);
    assert_int_equal(hyp_vpl011_mmio(&f->u, DR, 8, false, &v), HYP_EINVAL);
    assert_int_equal(hyp_vpl011_mmio(&f->u, DR, 0, true, &v), HYP_EINVAL);
    assert_int_equal(hyp_vpl011_mmio(&f->u, DR, 3, true, &v), HYP_EINVAL);
    assert_int_equal(hyp_vpl011_mmio(&f->u, DR, 16, true, &v), HYP_EINVAL);
    for (uint64_t off = 1; off < 4; off++)
        for (unsigned size = 1; size <= 4; size *= 2) {
            assert_int_equal(hyp_vpl011_mmio(&f->u, DR + off, size, true, &v),
                             HYP_EINVAL);
            assert_int_equal(hyp_vpl011_mmio(&f->u, CR + off, size, false, &v),
                             HYP_EINVAL);
        }
    assert_int_equal(hyp_vpl011_mmio(&f->u, 0xffe, 2, false, &v), HYP_EINVAL);
    assert_int_equal(f->r.tx_calls, 0);
    /* Values are clipped to the access width. */
    v = 0x1234567890abcdefull;
    assert_int_equal(hyp_vpl011_mmio(&f->u, ILPR, 4, true, &v), HYP_OK);
    assert_int_equal(rd(&f->u, ILPR), 0xef);
    for (unsigned size = 1; size <= 4; size *= 2) {
        v = ~0ull;
        assert_int_equal(hyp_vpl011_mmio(&f->u, 0xff0, size, false, &v), HYP_OK);
        assert_int_equal(v, 0x0d);
    }
}

static void out_of_range(void **state)
{
    struct fixture *f = *state;
    static const uint64_t offs[] = {0x1000,  0x1004,         0x1fe0,
                                    0x10000, UINT64_MAX - 3, UINT64_MAX};
    uint64_t v = 'q';

    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        assert_int_equal(hyp_vpl011_mmio(&f->u, offs[i], 4, true, &v), HYP_ERANGE);
        assert_int_equal(hyp_vpl011_mmio(&f->u, offs[i], 1, false, &v), HYP_ERANGE);
    }
    assert_int_equal(v, 'q');
    assert_int_equal(hyp_vpl011_mmio(&f->u, 0xffc, 4, false, &v), HYP_OK);
    assert_int_equal(hyp_vpl011_mmio(NULL, DR, 4, true, &v), HYP_EINVAL);
    assert_int_equal(hyp_vpl011_mmio(&f->u, DR, 4, true, NULL), HYP_EINVAL);
    assert_int_equal(f->r.tx_calls, 0);
}

/* ---- a Linux-like driver ----------------------------------------------- */

/*
 * What Linux 6.1's amba-pl011 does, in outline: the AMBA bus reads the ID
 * registers; earlycon writes UARTDR with 8-bit stores and polls UARTFR;
 * startup clears and masks interrupts, programs the baud rate, line control
 * and FIFO levels, enables the UART and unmasks RX and RT. It transmits by
 * writing bytes while UARTFR.TXFF is clear, at most half a FIFO per interrupt,
 * unmasking TXIM while data remains and masking it when done. Its handler
 * loops on UARTRIS & its mask, clears all but TX/RX/RT through UARTICR, and
 * drains UARTDR until RXFE. The driver uses 16-bit accesses.
 */
struct drv {
    struct fixture *f;
    uint32_t im; /* the driver's copy of UARTIMSC */
    const char *queue;
    size_t pos, len;
    char got[64];
    size_t n_got;
    unsigned irqs;
};

static uint32_t drv_rd(struct drv *d, uint64_t off)
{
    return (uint32_t)rd_n(&d->f->u, off, 2);
}

static void drv_wr(struct drv *d, uint64_t off, uint32_t val)
{
    wr_n(&d->f->u, off, 2, val);
}

/* Send up to @max bytes; return true if some remain. */
static bool drv_tx_chars(struct drv *d, size_t max)
{
    while (d->pos < d->len && max-- > 0) {
        if (drv_rd(d, FR) & FR_TXFF)
            break;
        drv_wr(d, DR, (uint8_t)d->queue[d->pos++]);
    }
    return d->pos < d->len;
}

static void drv_start_tx(struct drv *d, const char *s)
{
    d->queue = s;
    d->pos = 0;
    d->len = strlen(s);
    /* A first chunk from process context, then the interrupt takes over. */
    if (drv_tx_chars(d, 16)) {
        d->im |= INT_TX;
        drv_wr(d, IMSC, d->im);
    }
}

static void drv_interrupt(struct drv *d)
{
    uint32_t status = drv_rd(d, RIS) & d->im;
    unsigned passes = 256;

    d->irqs++;
    assert_true(status != 0); /* no spurious interrupts */
    while (status && passes--) {
        drv_wr(d, ICR, status & ~(uint32_t)(INT_TX | INT_RX | INT_RT));
        if (status & (INT_RX | INT_RT)) {
            while (!(drv_rd(d, FR) & FR_RXFE)) {
                uint32_t ch = drv_rd(d, DR);

                assert_int_equal(ch & 0xf00, 0);
                assert_true(d->n_got < sizeof(d->got));
                d->got[d->n_got++] = (char)ch;
            }
        }
        if ((status & INT_TX) && !drv_tx_chars(d, 16)) {
            d->im &= ~(uint32_t)INT_TX;
            drv_wr(d, IMSC, d->im);
        }
        status = drv_rd(d, RIS) & d->im;
    }
}

/* The CPU takes the interrupt whenever the line is high. */
static void run_pending(struct drv *d)
{
    for (unsigned guard = 0; hyp_vpl011_irq_level(&d->f->u); guard++) {
        assert_true(guard < 100);
        drv_interrupt(d);
    }
}

static void linux_driver_replay(void **state)
{
    struct fixture *f = *state;
    struct drv d = {.f = f};
    static const char banner[] = "Debian GNU/Linux 12 debian ttyAMA0\r\n\r\n"
                                 "debian login: ";
    uint32_t id = 0;

    /* earlycon=pl011,<addr>: byte stores, 32-bit flag polls, no setup. */
    for (const char *p = "[    0.000000] Booting Linux\n"; *p; p++) {
        while (rd(&f->u, FR) & FR_TXFF)
            ;
        wr_n(&f->u, DR, 1, (uint8_t)*p);
    }
    while (rd(&f->u, FR) & FR_BUSY)
        ;
    assert_int_equal(f->r.n_out, strlen("[    0.000000] Booting Linux\n"));

    /* AMBA probe: the peripheral ID. */
    for (unsigned i = 0; i < 4; i++)
        id |= (rd(&f->u, 0xfe0 + 4 * i) & 0xff) << (8 * i);
    assert_int_equal(id & 0x000fffff, 0x00041011);

    /* Startup. */
    drv_wr(&d, CR, 0);
    drv_wr(&d, ICR, INT_OE | INT_BE | INT_PE | INT_FE | INT_RT | INT_RX);
    d.im = drv_rd(&d, IMSC);
    drv_wr(&d, IMSC, INT_RT | INT_RX);
    drv_wr(&d, IFLS, IFLS_RX(2) | 2);
    drv_wr(&d, CR, CR_UARTEN | CR_TXE | CR_RXE | CR_DTR | CR_RTS);
    drv_wr(&d, ICR, INT_RT | INT_RX);
    for (unsigned i = 0; i < 64 && !(drv_rd(&d, FR) & FR_RXFE); i++)
        drv_rd(&d, DR);
    d.im = INT_RT | INT_RX;
    drv_wr(&d, IMSC, d.im);
    /* set_termios: 115200 8N1 from a 24 MHz clock, FIFOs on. */
    drv_wr(&d, CR, 0);
    drv_wr(&d, IBRD, 13);
    drv_wr(&d, FBRD, 1);
    drv_wr(&d, LCR_H, LCR_H_WLEN8 | LCR_H_FEN);
    drv_wr(&d, CR, CR_UARTEN | CR_TXE | CR_RXE | CR_DTR | CR_RTS);
    assert_int_equal(drv_rd(&d, IBRD), 13);
    assert_int_equal(drv_rd(&d, LCR_H), LCR_H_WLEN8 | LCR_H_FEN);
    run_pending(&d);
    assert_int_equal(d.irqs, 0);
    f->r.n_out = 0;

    /* Interrupt-driven transmit of more than one chunk. */
    drv_start_tx(&d, banner);
    assert_int_equal(d.im & INT_TX, INT_TX);
    expect_irq(f, true);
    run_pending(&d);
    assert_true(d.irqs >= 1);
    assert_int_equal(d.im & INT_TX, 0);
    assert_int_equal(f->r.n_out, strlen(banner));
    assert_memory_equal(f->r.out, banner, strlen(banner));
    expect_irq(f, false);

    /* Interrupt-driven receive: short input (timeout), then a long line. */
    d.irqs = 0;
    assert_int_equal(rx_str(&f->u, "root\r"), 5);
    run_pending(&d);
    assert_int_equal(d.irqs, 1);
    assert_int_equal(d.n_got, 5);
    assert_memory_equal(d.got, "root\r", 5);
    assert_int_equal(rx_str(&f->u, "echo the quick brown fox jumps\r"), 31);
    run_pending(&d);
    assert_int_equal(d.n_got, 36);
    assert_memory_equal(d.got + 5, "echo the quick brown fox jumps\r", 31);
    expect_irq(f, false);

    /* A second transmit after TXRIS was left set restarts cleanly. */
    f->r.n_out = 0;
    drv_start_tx(&d, "0123456789abcdefXYZ");
    run_pending(&d);
    assert_int_equal(f->r.n_out, 19);
    assert_memory_equal(f->r.out, "0123456789abcdefXYZ", 19);
    expect_irq(f, false);
    assert_false(f->r.bad_call);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(reset_values, setup),
        cmocka_unit_test_setup(init_resets_a_used_uart, setup),
        cmocka_unit_test_setup(id_registers, setup),
        cmocka_unit_test_setup(unimplemented_raz_wi, setup),
        cmocka_unit_test_setup(register_widths, setup),
        cmocka_unit_test_setup(tx_regardless_of_cr, setup),
        cmocka_unit_test_setup(loopback, setup),
        cmocka_unit_test_setup(rx_fifo_order_and_flags, setup),
        cmocka_unit_test_setup(rx_wraps_around, setup),
        cmocka_unit_test_setup(rx_full_and_overrun, setup),
        cmocka_unit_test_setup(rx_gated_by_rxe, setup),
        cmocka_unit_test_setup(fen0_is_one_deep, setup),
        cmocka_unit_test_setup(rx_trigger_levels, setup),
        cmocka_unit_test_setup(rx_timeout, setup),
        cmocka_unit_test_setup(ifls_change_rejudges_fifo, setup),
        cmocka_unit_test_setup(tx_interrupt, setup),
        cmocka_unit_test_setup(mis_is_ris_and_imsc, setup),
        cmocka_unit_test_setup(irq_called_only_on_changes, setup),
        cmocka_unit_test_setup(access_widths, setup),
        cmocka_unit_test_setup(out_of_range, setup),
        cmocka_unit_test_setup(linux_driver_replay, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
