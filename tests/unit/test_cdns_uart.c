/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Cadence UART console driver (hyp_cdns_uart_console, the ZCU102 port's)
 * against a fake register file (the host `mmio` seam): what init leaves in
 * the control, mode and baud registers, that a byte waits while the
 * transmit FIFO is full, and that receive reports an empty FIFO.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/cdns_uart.h>
#include <hyp/mmio.h>

#define BASE 0xff000000u

/* Registers (UG1085). */
#define CR      0x00
#define MR      0x04
#define IDR     0x0c
#define BAUDGEN 0x18
#define SR      0x2c
#define FIFO    0x30
#define BAUDDIV 0x34

#define CR_TXEN  (1u << 4)
#define CR_RXEN  (1u << 2)
#define CR_TXDIS (1u << 5)
#define CR_RXDIS (1u << 3)
#define SR_RXEMP (1u << 1)
#define SR_TXFUL (1u << 4)

static uint32_t regs[0x40 / 4];
static unsigned full_reads; /* SR reads that still report TXFULL */
static unsigned early_writes;
static char sent[16];
static unsigned sent_len;

uint32_t mmio_read32(uintptr_t addr)
{
    uint32_t off = (uint32_t)(addr - BASE);

    assert_true(addr >= BASE && off < sizeof(regs) && off % 4 == 0);
    if (off == SR && full_reads > 0) {
        full_reads--;
        return regs[off / 4] | SR_TXFUL;
    }
    return regs[off / 4];
}

void mmio_write32(uintptr_t addr, uint32_t val)
{
    uint32_t off = (uint32_t)(addr - BASE);

    assert_true(addr >= BASE && off < sizeof(regs) && off % 4 == 0);
    if (off == FIFO) {
        early_writes += full_reads > 0;
        sent[sent_len++ % sizeof(sent)] = (char)val;
    }
    regs[off / 4] = val;
}

static int reset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(regs) / 4; i++)
        regs[i] = 0;
    regs[CR / 4] = 0x128; /* reset value: transmitter and receiver disabled */
    regs[SR / 4] = SR_RXEMP;
    full_reads = early_writes = sent_len = 0;
    return 0;
}

/* Clock 0: the bootloader's line settings stay, the UART is enabled. */
static void init_keeps_settings(void **state)
{
    (void)state;
    regs[BAUDGEN / 4] = 0x7c;
    hyp_cdns_uart_console.init(BASE, 0);
    assert_int_equal(regs[CR / 4] & (CR_TXEN | CR_RXEN | CR_TXDIS | CR_RXDIS),
                     CR_TXEN | CR_RXEN);
    assert_int_equal(regs[IDR / 4], 0x3fff); /* every interrupt masked */
    assert_int_equal(regs[BAUDGEN / 4], 0x7c);
}

/* 100 MHz: 8N1 and 115200 baud = 100e6 / (174 * (4 + 1)), within 0.3 %. */
static void init_programs_115200_8n1(void **state)
{
    (void)state;
    hyp_cdns_uart_console.init(BASE, 100000000);
    assert_int_equal(regs[MR / 4], 0x20);
    assert_int_equal(regs[BAUDDIV / 4], 4);
    assert_int_equal(regs[BAUDGEN / 4], 174);
    assert_int_equal(regs[CR / 4] & (CR_TXEN | CR_RXEN | CR_TXDIS | CR_RXDIS),
                     CR_TXEN | CR_RXEN);
}

static void tx_waits_while_full(void **state)
{
    (void)state;
    full_reads = 3;
    hyp_cdns_uart_console.tx(BASE, 'Z');
    assert_int_equal(full_reads, 0);
    assert_int_equal(early_writes, 0);
    assert_int_equal(sent_len, 1);
    assert_int_equal(sent[0], 'Z');
}

static void rx_empty_and_byte(void **state)
{
    char c = 0;

    (void)state;
    assert_false(hyp_cdns_uart_console.rx(BASE, &c));
    regs[SR / 4] = 0;
    regs[FIFO / 4] = 0x141; /* only the low byte is data */
    assert_true(hyp_cdns_uart_console.rx(BASE, &c));
    assert_int_equal(c, 'A');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(init_keeps_settings, reset),
        cmocka_unit_test_setup(init_programs_115200_8n1, reset),
        cmocka_unit_test_setup(tx_waits_while_full, reset),
        cmocka_unit_test_setup(rx_empty_and_byte, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
