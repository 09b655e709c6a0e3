/* SPDX-License-Identifier: BSD-2-Clause */
/* The PL011 driver against a fake register file (the host `mmio` seam). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/mmio.h>
#include <hyp/pl011.h>

#define BASE 0x9000000u

static uint32_t regs[0x1000 / 4];
static unsigned txff_reads; /* FR reads that still report TXFF */
static unsigned fr_reads;
static char sent[64];
static unsigned sent_len;
static unsigned writes_before_txff_cleared;

uint32_t mmio_read32(uintptr_t addr)
{
    uint32_t off = (uint32_t)(addr - BASE);

    assert_true(addr >= BASE && off < sizeof(regs) && off % 4 == 0);
    if (off == PL011_FR) {
        fr_reads++;
        if (txff_reads > 0) {
            txff_reads--;
            return regs[off / 4] | PL011_FR_TXFF;
        }
    }
    return regs[off / 4];
}

void mmio_write32(uintptr_t addr, uint32_t val)
{
    uint32_t off = (uint32_t)(addr - BASE);

    assert_true(addr >= BASE && off < sizeof(regs) && off % 4 == 0);
    if (off == PL011_DR) {
        if (txff_reads > 0)
            writes_before_txff_cleared++;
        sent[sent_len++] = (char)val;
    }
    regs[off / 4] = val;
}

static int reset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(regs) / 4; i++)
        regs[i] = 0;
    txff_reads = fr_reads = sent_len = writes_before_txff_cleared = 0;
    return 0;
}

static void init_programs_115200_8n1_at_24mhz(void **state)
{
    regs[PL011_IMSC / 4] = 0x7ff;
    pl011_init(BASE, 24000000);
    /* 24 MHz / (16 * 115200) = 13.0208: IBRD 13, FBRD round(0.0208 * 64) = 1. */
    assert_int_equal(regs[PL011_IBRD / 4], 13);
    assert_int_equal(regs[PL011_FBRD / 4], 1);
    assert_int_equal(regs[PL011_LCR_H / 4], (3u << 5) | (1u << 4));
    assert_int_equal(regs[PL011_CR / 4], (1u << 0) | (1u << 8) | (1u << 9));
    assert_int_equal(regs[PL011_IMSC / 4], 0);
}

static void init_without_clock_keeps_divisors(void **state)
{
    regs[PL011_IBRD / 4] = 26;
    regs[PL011_CR / 4] = 0x301;
    pl011_init(BASE, 0);
    assert_int_equal(regs[PL011_IBRD / 4], 26);
    assert_int_equal(regs[PL011_CR / 4], 0x301);
}

static void putc_waits_for_fifo_space(void **state)
{
    txff_reads = 3;
    pl011_putc(BASE, 'A');
    pl011_putc(BASE, 'B');
    assert_int_equal(writes_before_txff_cleared, 0);
    assert_int_equal(fr_reads, 5); /* 3 full + 1 free for 'A', 1 free for 'B' */
    assert_int_equal(sent_len, 2);
    assert_memory_equal(sent, "AB", 2);
}

static void getc_reports_empty_fifo(void **state)
{
    char c = 0;

    regs[PL011_FR / 4] = PL011_FR_RXFE;
    assert_false(pl011_getc(BASE, &c));
    regs[PL011_FR / 4] = 0;
    regs[PL011_DR / 4] = 0x300 | 'x'; /* error bits above the byte are dropped */
    assert_true(pl011_getc(BASE, &c));
    assert_int_equal(c, 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(init_programs_115200_8n1_at_24mhz, reset),
        cmocka_unit_test_setup(init_without_clock_keeps_divisors, reset),
        cmocka_unit_test_setup(putc_waits_for_fifo_space, reset),
        cmocka_unit_test_setup(getc_reports_empty_fifo, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
