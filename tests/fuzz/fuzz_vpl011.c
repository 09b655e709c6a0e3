/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the virtual PL011 under arbitrary sequences of guest
 * MMIO accesses and console input bursts. Each step starts with an opcode
 * byte; bit 7 clear is an access (offset, width and value follow, most often
 * aimed at a real register), bit 7 set is an input burst (length and bytes
 * follow). After every step the harness checks that the return code matches
 * the documented access rules, that read values fit their width, that the
 * receive FIFO stays within bounds and hands back exactly the bytes that were
 * stored, in order, that UARTMIS is UARTRIS & UARTIMSC, and that the interrupt
 * callback fires exactly on level changes and agrees with
 * hyp_vpl011_irq_level().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/vpl011.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond))                                                                     \
            abort();                                                                     \
    } while (0)

#define DR      0x000u
#define FR      0x018u
#define CR      0x030u
#define IMSC    0x038u
#define RIS     0x03cu
#define MIS     0x040u
#define FR_RXFE 0x10u
#define CR_LBE  0x80u
#define CR_RXE  0x200u

struct world {
    struct hyp_vpl011 u;
    bool level;         /* what the irq callback last said */
    unsigned irq_calls; /* callbacks seen */
    size_t tx_bytes;
    /* Shadow of the receive FIFO: the bytes the model said it stored. */
    uint8_t shadow[HYP_VPL011_FIFO_DEPTH];
    unsigned sh_head, sh_count;
};

static void on_tx(void *ctx, const char *buf, size_t len)
{
    struct world *w = ctx;

    CHECK(buf != NULL && len >= 1);
    w->tx_bytes += len;
}

static void on_irq(void *ctx, bool level)
{
    struct world *w = ctx;

    CHECK(level != w->level); /* only real changes are reported */
    w->level = level;
    w->irq_calls++;
}

static const struct hyp_vpl011_ops ops = {.tx = on_tx, .irq = on_irq};

/* Offsets worth hitting most of the time. */
static const uint16_t interesting[] = {0x000, 0x004, 0x018, 0x020, 0x024, 0x028,
                                       0x02c, 0x030, 0x034, 0x038, 0x03c, 0x040,
                                       0x044, 0x048, 0x080, 0xfe0, 0xfe8, 0xffc};

struct input {
    const uint8_t *p;
    size_t left;
};

static uint8_t byte(struct input *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

static uint32_t peek(struct world *w, uint32_t off)
{
    uint64_t v = 0;

    CHECK(hyp_vpl011_mmio(&w->u, off, 4, false, &v) == HYP_OK);
    CHECK(v <= 0xffffffffu);
    return (uint32_t)v;
}

static void shadow_push(struct world *w, uint8_t b)
{
    CHECK(w->sh_count < HYP_VPL011_FIFO_DEPTH);
    w->shadow[(w->sh_head + w->sh_count) % HYP_VPL011_FIFO_DEPTH] = b;
    w->sh_count++;
}

static void check_invariants(struct world *w)
{
    uint32_t ris = peek(w, RIS), imsc = peek(w, IMSC), fr = peek(w, FR);

    CHECK(w->u.rx_count <= HYP_VPL011_FIFO_DEPTH);
    CHECK(w->u.rx_count == w->sh_count);
    CHECK(w->u.rx_head < HYP_VPL011_FIFO_DEPTH);
    CHECK(ris <= 0x7ffu && imsc <= 0x7ffu);
    CHECK(peek(w, MIS) == (ris & imsc));
    CHECK(((fr & FR_RXFE) != 0) == (w->sh_count == 0));
    CHECK((fr & 0xa8u) == 0x80u); /* TXFE set; TXFF, BUSY clear */
    CHECK(hyp_vpl011_irq_level(&w->u) == ((ris & imsc) != 0));
    CHECK(hyp_vpl011_irq_level(&w->u) == w->level);
    CHECK(hyp_vpl011_rx_room(&w->u) <= HYP_VPL011_FIFO_DEPTH - w->u.rx_count);
}

static void step_mmio(struct world *w, uint8_t op, struct input *in)
{
    static const unsigned sizes[8] = {4, 4, 2, 1, 4, 8, 3, 0};
    unsigned size = sizes[op & 7];
    bool write = (op & 8) != 0;
    uint64_t off;
    uint64_t val = 0;
    uint32_t cr = peek(w, CR);
    size_t room = hyp_vpl011_rx_room(&w->u);
    size_t tx_before = w->tx_bytes;
    int rc, expect;

    if (op & 0x40) {
        off = interesting[byte(in) % (sizeof(interesting) / sizeof(interesting[0]))];
    } else {
        off = byte(in);
        off |= (uint64_t)byte(in) << 8;
        if (op & 0x20)
            off |= (uint64_t)byte(in) << 56; /* far outside the window */
    }
    for (unsigned i = 0; i < 8; i++)
        val |= (uint64_t)byte(in) << (8 * i);

    if (off >= HYP_VPL011_MMIO_SIZE)
        expect = HYP_ERANGE;
    else if ((size != 1 && size != 2 && size != 4) || (off & 3))
        expect = HYP_EINVAL;
    else
        expect = HYP_OK;

    rc = hyp_vpl011_mmio(&w->u, off, size, write, &val);
    CHECK(rc == expect);
    if (rc != HYP_OK) {
        CHECK(w->tx_bytes == tx_before);
        return;
    }
    if (write) {
        if (off == DR && !(cr & CR_LBE))
            CHECK(w->tx_bytes == tx_before + 1);
        else
            CHECK(w->tx_bytes == tx_before);
        if (off == DR && (cr & CR_LBE) && (cr & CR_RXE) && room > 0)
            shadow_push(w, (uint8_t)val);
        return;
    }
    CHECK(size == 4 || val < (1ull << (8 * size)));
    if (off == DR && w->sh_count > 0) {
        /* A narrow read still pops the entry; compare what it shows. */
        uint8_t want = w->shadow[w->sh_head];

        CHECK(size == 1 ? val == want : (val & 0xffu) == want);
        CHECK((val & 0x700u) == 0); /* no framing, parity or break errors */
        w->sh_head = (w->sh_head + 1) % HYP_VPL011_FIFO_DEPTH;
        w->sh_count--;
    } else if (off == DR) {
        CHECK(val == 0);
    }
}

static void step_rx(struct world *w, struct input *in)
{
    uint8_t buf[64];
    size_t len = byte(in) % (sizeof(buf) + 1);
    size_t room = hyp_vpl011_rx_room(&w->u);
    size_t stored;

    for (size_t i = 0; i < len; i++)
        buf[i] = byte(in);
    stored = hyp_vpl011_rx(&w->u, (const char *)buf, len);
    CHECK(stored == (len < room ? len : room));
    for (size_t i = 0; i < stored; i++)
        shadow_push(w, buf[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct world w;
    struct input in = {data, size};

    memset(&w, 0, sizeof(w));
    hyp_vpl011_init(&w.u, &ops, &w);
    check_invariants(&w);
    while (in.left > 0) {
        uint8_t op = byte(&in);

        if (op & 0x80)
            step_rx(&w, &in);
        else
            step_mmio(&w, op, &in);
        check_invariants(&w);
    }
    return 0;
}
