/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VM checkpoints (libhyp/vm/checkpoint.c, libhyp/vgic/vgic_ckpt.c): a VM
 * state written, parsed and restored into fresh objects must read back the
 * same through the models' own register interfaces; damaged, truncated,
 * trailing, foreign and impossible checkpoints are refused with a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/checkpoint.h>
#include <hyp/error.h>
#include <hyp/vmconfig.h>

#define GICD  0x08000000ull
#define GICR  0x080a0000ull
#define NCPU  2
#define NSPI  64
#define NLR   4
#define RAM0  0x40000000ull
#define RAM0S 0x10000ull /* 16 pages */
#define RAM1  0x48000000ull
#define RAM1S 0x8000ull /* 8 pages, all zero */

static const uint64_t mpidrs[NCPU] = {0x0, 0x1};

/* One VM's worth of state. */
struct vmstate {
    struct hyp_vgic vgic;
    struct hyp_vgic_cpu cpus[NCPU];
    struct hyp_vpl011 uart;
    struct hyp_ckpt_vcpu vcpu[NCPU];
    uint8_t ram0[RAM0S] __attribute__((aligned(8)));
    uint8_t ram1[RAM1S] __attribute__((aligned(8)));
};

static struct vmstate a, b;
static uint8_t out[256 << 10] __attribute__((aligned(8)));
static struct hyp_ckpt_mem mem = {out, sizeof(out), 0};
static struct hyp_ckpt ck;

static void init_vm(struct vmstate *s)
{
    struct hyp_vgic_config c = {.gicd_base = GICD,
                                .gicr_base = GICR,
                                .vcpu_count = NCPU,
                                .vcpu_mpidr = mpidrs,
                                .nr_spis = NSPI,
                                .cpus = s->cpus};

    memset(s, 0, sizeof(*s));
    assert_int_equal(hyp_vgic_init(&s->vgic, &c), HYP_OK);
    hyp_vpl011_init(&s->uart, NULL, NULL);
}

static struct hyp_ckpt_header header(void)
{
    struct hyp_ckpt_header h;

    memset(&h, 0, sizeof(h));
    h.fp.vcpu_count = NCPU;
    h.fp.nr_spis = NSPI;
    h.fp.gic_version = 3;
    h.fp.ram_count = 2;
    h.fp.ram[0] = (struct hyp_range){RAM0, RAM0S};
    h.fp.ram[1] = (struct hyp_range){RAM1, RAM1S};
    memset(h.fp.devices, 0xab, sizeof(h.fp.devices));
    h.cntfrq = 62500000;
    h.vcount = 0x123456789ull;
    snprintf(h.name, sizeof(h.name), "bare");
    return h;
}

static uint64_t mmio(struct vmstate *s, unsigned vcpu, uint64_t ipa, unsigned size,
                     bool write, uint64_t v)
{
    assert_int_equal(hyp_vgic_mmio(&s->vgic, vcpu, ipa, size, write, &v), HYP_OK);
    return v;
}

static uint64_t uart(struct vmstate *s, uint64_t off, bool write, uint64_t v)
{
    assert_int_equal(hyp_vpl011_mmio(&s->uart, off, 4, write, &v), HYP_OK);
    return v;
}

/* Give VM @s a varied state: interrupts enabled, pending, active, routed,
 * prioritised; a UART with input waiting; registers; sparse RAM. */
static void populate(struct vmstate *s)
{
    uint64_t lr[NLR] = {0}, hcr;

    mmio(s, 0, GICD + 0x0, 4, true, 0x12 | 0x2 | 0x1);       /* CTLR: ARE, Grp0, Grp1 */
    mmio(s, 0, GICD + 0x80 + 4, 4, true, 0xffffffff);        /* IGROUPR1: group 1 */
    mmio(s, 0, GICD + 0x100 + 4, 4, true, 0x00000f0f);       /* ISENABLER1 */
    mmio(s, 0, GICD + 0x400 + 40, 4, true, 0x80a0c0e0);      /* IPRIORITYR 40..43 */
    mmio(s, 0, GICD + 0xc00 + 8, 4, true, 0x00aa0000);       /* ICFGR2: some edges */
    mmio(s, 0, GICD + 0x6000 + 8 * 41, 8, true, 1);          /* IROUTER 41 -> vCPU 1 */
    mmio(s, 0, GICD + 0x6000 + 8 * 42, 8, true, 1ull << 31); /* IROUTER 42: any */
    for (unsigned i = 0; i < NCPU; i++) {
        uint64_t rd = GICR + i * HYP_VGIC_GICR_STRIDE;

        mmio(s, i, rd + 0x14, 4, true, 0);                    /* WAKER: awake */
        mmio(s, i, rd + 0x10000 + 0x80, 4, true, 0xffffffff); /* IGROUPR0 */
        mmio(s, i, rd + 0x10000 + 0x100, 4, true, 0x08000003 << i);
        mmio(s, i, rd + 0x10000 + 0x400 + 24, 4, true, 0x10203040u + i);
    }
    assert_int_equal(hyp_vgic_inject(&s->vgic, 0, 40, true, 0), HYP_OK);
    assert_int_equal(hyp_vgic_inject(&s->vgic, 0, 41, true, 0), HYP_OK);
    assert_int_equal(hyp_vgic_inject(&s->vgic, 0, 34, true, 0), HYP_OK); /* disabled */
    assert_int_equal(hyp_vgic_inject(&s->vgic, 1, 1, true, 0), HYP_OK);  /* SGI 1 */
    /* vCPU 0 takes SPI 40: its list register goes active. */
    hyp_vgic_flush(&s->vgic, 0, lr, NLR, &hcr);
    for (unsigned i = 0; i < NLR; i++)
        if ((lr[i] & HYP_ICH_LR_VINTID_MASK) == 40)
            lr[i] = (lr[i] & ~(3ull << HYP_ICH_LR_STATE_SHIFT)) | HYP_ICH_LR_ACTIVE;
    hyp_vgic_sync(&s->vgic, 0, lr, NLR);

    uart(s, 0x30, true, 0x301); /* CR: UARTEN, TXE, RXE */
    uart(s, 0x2c, true, 0x70);  /* LCR_H: FEN, 8 bits */
    uart(s, 0x38, true, 0x50);  /* IMSC: RX, RT */
    uart(s, 0x24, true, 13);    /* IBRD */
    hyp_vpl011_rx(&s->uart, "hello", 5);

    for (unsigned i = 0; i < NCPU; i++) {
        struct hyp_ckpt_vcpu *v = &s->vcpu[i];
        uint64_t *el1 = (uint64_t *)&v->el1;

        for (unsigned r = 0; r < 31; r++)
            v->regs.x[r] = 0x1000ull * i + r;
        for (unsigned r = 0; r < 16; r++)
            v->regs.q[r] = ~0ull - r - i;
        for (unsigned r = 0; r < sizeof(v->el1) / 8; r++)
            el1[r] = 0xe1000000ull + 0x100 * i + r;
        for (unsigned r = 0; r < 48; r++)
            v->fp.q[r] = 0xf0f0000000000000ull + 0x100 * i + r;
        v->fp.fpsr = 0x8000000;
        v->fp.fpcr = 0x3000000;
        v->regs.pc = 0x40080000 + i;
        v->regs.pstate = 0x3c5;
        v->gic.vmcr = 0xf0000001;
        v->gic.ap1r0 = 1u << i;
        v->power = HYP_VCPU_ON;
        v->vmpidr = 0x80000000u | i;
        v->boot_entry = 0x40080000;
    }
    memset(s->ram0 + 0 * 4096, 0x11, 4096);
    s->ram0[3 * 4096 + 4095] = 0x33; /* a page with one byte set */
    s->ram0[15 * 4096] = 0xff;
}

static int write_all(struct vmstate *s, const struct hyp_ckpt_header *h)
{
    struct hyp_ckpt_writer w;
    uint64_t size = 0;
    int rc;

    mem.used = 0;
    hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &mem, h);
    hyp_ckpt_write_vcpu(&w, 1, &s->vcpu[1]); /* any order */
    hyp_ckpt_write_vcpu(&w, 0, &s->vcpu[0]);
    hyp_ckpt_write_ram(&w, 1, s->ram1);
    hyp_ckpt_write_vgic(&w, &s->vgic);
    hyp_ckpt_write_vuart(&w, 0, &s->uart);
    hyp_ckpt_write_ram(&w, 0, s->ram0);
    rc = hyp_ckpt_write_end(&w, &size);
    if (rc == HYP_OK)
        assert_int_equal(size, mem.used);
    return rc;
}

static int setup(void **state)
{
    struct hyp_ckpt_header h = header();

    (void)state;
    init_vm(&a);
    populate(&a);
    return write_all(&a, &h);
}

/* Compare what the guest can read of both vGICs, register by register. */
static void same_vgic(void)
{
    static const uint32_t bit_regs[] = {0x80, 0x100, 0x200, 0x300}; /* 1 bit per INTID */

    assert_int_equal(mmio(&a, 0, GICD, 4, false, 0), mmio(&b, 0, GICD, 4, false, 0));
    for (unsigned r = 0; r < sizeof(bit_regs) / sizeof(bit_regs[0]); r++)
        for (unsigned n = 32; n < 32 + NSPI; n += 32)
            assert_int_equal(mmio(&a, 0, GICD + bit_regs[r] + n / 8, 4, false, 0),
                             mmio(&b, 0, GICD + bit_regs[r] + n / 8, 4, false, 0));
    for (unsigned n = 32; n < 32 + NSPI; n += 16) /* ICFGR: 2 bits per INTID */
        assert_int_equal(mmio(&a, 0, GICD + 0xc00 + n / 4, 4, false, 0),
                         mmio(&b, 0, GICD + 0xc00 + n / 4, 4, false, 0));
    for (unsigned n = 32; n < 32 + NSPI; n += 4)
        assert_int_equal(mmio(&a, 0, GICD + 0x400 + n, 4, false, 0),
                         mmio(&b, 0, GICD + 0x400 + n, 4, false, 0));
    for (unsigned n = 32; n < 32 + NSPI; n++)
        assert_int_equal(mmio(&a, 0, GICD + 0x6000 + 8 * n, 8, false, 0),
                         mmio(&b, 0, GICD + 0x6000 + 8 * n, 8, false, 0));
    for (unsigned i = 0; i < NCPU; i++) {
        static const uint32_t sgi_regs[] = {0x80,  0x100, 0x200, 0x300, 0xc00,
                                            0xc04, 0x400, 0x404, 0x418, 0x41c};
        uint64_t rd = GICR + i * HYP_VGIC_GICR_STRIDE;

        assert_int_equal(mmio(&a, i, rd + 0x14, 4, false, 0),
                         mmio(&b, i, rd + 0x14, 4, false, 0));
        for (unsigned r = 0; r < sizeof(sgi_regs) / sizeof(sgi_regs[0]); r++)
            assert_int_equal(mmio(&a, i, rd + 0x10000 + sgi_regs[r], 4, false, 0),
                             mmio(&b, i, rd + 0x10000 + sgi_regs[r], 4, false, 0));
    }
}

static void round_trip(void **state)
{
    struct hyp_ckpt_header h = header();
    uint64_t lr[NLR] = {0}, hcr = 0;
    bool saw_active = false, saw_sgi = false;

    (void)state;
    assert_int_equal(hyp_ckpt_parse(&ck, out, mem.used), HYP_OK);
    assert_int_equal(hyp_ckpt_match(&ck, &h.fp), HYP_OK);
    assert_int_equal(ck.version, HYP_CKPT_VERSION);
    assert_string_equal(ck.hdr.name, "bare");
    assert_int_equal(ck.hdr.vcount, h.vcount);
    assert_int_equal(ck.hdr.cntfrq, h.cntfrq);
    assert_int_equal(ck.vuart_count, 1);
    /* Sparse: three pages of the first range are stored, none of the second. */
    assert_int_equal(ck.ram[0].pages, 3);
    assert_int_equal(ck.ram[1].pages, 0);
    assert_true(mem.used < 4 * 4096 + 4096);

    init_vm(&b);
    memset(b.ram0, 0x5a, sizeof(b.ram0)); /* restore must zero what is not stored */
    memset(b.ram1, 0x5a, sizeof(b.ram1));
    assert_int_equal(hyp_ckpt_restore_vgic(&ck, &b.vgic), HYP_OK);
    assert_int_equal(hyp_ckpt_restore_vuart(&ck, 0, &b.uart), HYP_OK);
    assert_int_equal(hyp_ckpt_restore_vuart(&ck, 1, &b.uart), HYP_ENOENT);
    hyp_ckpt_restore_ram(&ck, 0, b.ram0);
    hyp_ckpt_restore_ram(&ck, 1, b.ram1);
    for (unsigned i = 0; i < NCPU; i++) {
        hyp_ckpt_vcpu(&ck, i, &b.vcpu[i]);
        assert_memory_equal(&a.vcpu[i], &b.vcpu[i], sizeof(a.vcpu[i]));
    }
    assert_memory_equal(a.ram0, b.ram0, sizeof(a.ram0));
    assert_memory_equal(a.ram1, b.ram1, sizeof(a.ram1));
    same_vgic();
    /* The UART: same registers, same bytes waiting, in order. */
    for (uint64_t off = 0x18; off <= 0x40; off += 4)
        assert_int_equal(uart(&a, off, false, 0), uart(&b, off, false, 0));
    assert_int_equal(hyp_vpl011_irq_level(&a.uart), hyp_vpl011_irq_level(&b.uart));
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(uart(&a, 0, false, 0), uart(&b, 0, false, 0));
    /* The restored model hands vCPU 0 its active SPI 40 again, and vCPU 1 its SGI. */
    hyp_vgic_flush(&b.vgic, 0, lr, NLR, &hcr);
    for (unsigned i = 0; i < NLR; i++)
        if ((lr[i] & HYP_ICH_LR_VINTID_MASK) == 40)
            saw_active = (lr[i] & HYP_ICH_LR_ACTIVE) != 0;
    memset(lr, 0, sizeof(lr));
    hyp_vgic_flush(&b.vgic, 1, lr, NLR, &hcr);
    for (unsigned i = 0; i < NLR; i++)
        saw_sgi |= (lr[i] & HYP_ICH_LR_VINTID_MASK) == 1 && (lr[i] & HYP_ICH_LR_PENDING);
    assert_true(saw_active);
    assert_true(saw_sgi);
}

/* Recompute the digest after an edit, so that only value checks can refuse. */
static void redigest(uint8_t *buf, size_t len)
{
    hyp_sha256(buf, len - HYP_SHA256_SIZE, buf + len - HYP_SHA256_SIZE);
}

static uint8_t copy[sizeof(out)] __attribute__((aligned(8)));

static void damaged(void **state)
{
    (void)state;
    for (size_t off = 0; off < mem.used; off += 3) {
        memcpy(copy, out, mem.used);
        copy[off] ^= (uint8_t)(1u << (off % 8));
        assert_int_not_equal(hyp_ckpt_parse(&ck, copy, mem.used), HYP_OK);
        assert_true(ck.error[0] != '\0');
    }
    /* A flipped page byte, seen only by the digest. */
    memcpy(copy, out, mem.used);
    copy[mem.used - HYP_SHA256_SIZE - 100] ^= 1;
    assert_int_equal(hyp_ckpt_parse(&ck, copy, mem.used), HYP_EFORMAT);
    assert_non_null(strstr(ck.error, "digest mismatch"));
}

static void truncated(void **state)
{
    (void)state;
    for (size_t len = 0; len < mem.used; len += (len < 256 ? 1 : 37)) {
        assert_int_equal(hyp_ckpt_parse(&ck, out, len), HYP_EFORMAT);
        assert_non_null(strstr(ck.error, "truncated"));
    }
    assert_int_equal(hyp_ckpt_parse(&ck, out, mem.used - 1), HYP_EFORMAT);
    assert_non_null(strstr(ck.error, "truncated"));
}

static void trailing_magic_version(void **state)
{
    (void)state;
    memcpy(copy, out, mem.used);
    copy[mem.used] = 0;
    assert_int_equal(hyp_ckpt_parse(&ck, copy, mem.used + 8), HYP_EFORMAT);
    assert_non_null(strstr(ck.error, "after the end record"));

    memcpy(copy, out, mem.used);
    copy[0] = 'X';
    assert_int_equal(hyp_ckpt_parse(&ck, copy, mem.used), HYP_EFORMAT);
    assert_non_null(strstr(ck.error, "bad magic"));

    memcpy(copy, out, mem.used);
    copy[8] = 2;
    redigest(copy, mem.used);
    assert_int_equal(hyp_ckpt_parse(&ck, copy, mem.used), HYP_ENOTSUP);
    assert_non_null(strstr(ck.error, "format version 2"));
}

/* Offset of the first record of @type, or 0. */
static size_t find_record(uint32_t type)
{
    size_t off = 176;

    while (off + 16 <= mem.used) {
        uint32_t t = (uint32_t)copy[off] | (uint32_t)copy[off + 1] << 8 |
                     (uint32_t)copy[off + 2] << 16;
        uint64_t len = 0;

        for (unsigned i = 0; i < 8; i++)
            len |= (uint64_t)copy[off + 8 + i] << (8 * i);
        if (t == type)
            return off;
        off += 16 + len;
    }
    return 0;
}

/* Values no model can hold are refused even with a good digest. */
static void impossible_values(void **state)
{
    size_t off;

    (void)state;
    memcpy(copy, out, mem.used);
    off = find_record(1); /* vcpu: PSTATE at 32 + 32 * 8 into the payload */
    assert_true(off != 0);
    copy[off + 16 + 32 + 32 * 8] = 0x09; /* EL2h */
    redigest(copy, mem.used);
    assert_int_equal(hyp_ckpt_parse(&ck, copy, mem.used), HYP_EFORMAT);
    assert_non_null(strstr(ck.error, "PSTATE.M"));

    memcpy(copy, out, mem.used);
    off = find_record(3); /* vuart: rx_head at 64 */
    assert_true(off != 0);
    copy[off + 16 + 64] = HYP_VPL011_FIFO_DEPTH;
    redigest(copy, mem.used);
    assert_int_equal(hyp_ckpt_parse(&ck, copy, mem.used), HYP_EFORMAT);
    assert_non_null(strstr(ck.error, "vuart record 0"));

    memcpy(copy, out, mem.used);
    off = find_record(2); /* vgic: SGI 0 of vCPU 0 made level */
    assert_true(off != 0);
    copy[off + 16 + 16 + 16] &= (uint8_t)~0x20;
    redigest(copy, mem.used);
    assert_int_equal(hyp_ckpt_parse(&ck, copy, mem.used), HYP_EFORMAT);
    assert_non_null(strstr(ck.error, "not edge-triggered"));

    memcpy(copy, out, mem.used);
    off = find_record(4); /* ram: stored page count off by one */
    assert_true(off != 0);
    copy[off + 16 + 16] ^= 1;
    redigest(copy, mem.used);
    assert_int_equal(hyp_ckpt_parse(&ck, copy, mem.used), HYP_EFORMAT);
    assert_non_null(strstr(ck.error, "ram record"));
}

static void other_config(void **state)
{
    struct hyp_ckpt_header h = header();
    struct hyp_ckpt_fingerprint fp;

    (void)state;
    assert_int_equal(hyp_ckpt_parse(&ck, out, mem.used), HYP_OK);
    fp = h.fp;
    fp.vcpu_count = 1;
    assert_int_equal(hyp_ckpt_match(&ck, &fp), HYP_EINVAL);
    assert_string_equal(ck.error, "taken with 2 vCPUs, the VM has 1");
    fp = h.fp;
    fp.ram[0].size *= 2;
    assert_int_equal(hyp_ckpt_match(&ck, &fp), HYP_EINVAL);
    assert_non_null(strstr(ck.error, "taken with RAM 0x40000000+0x10000"));
    fp = h.fp;
    fp.devices[5] ^= 1;
    assert_int_equal(hyp_ckpt_match(&ck, &fp), HYP_EINVAL);
    assert_non_null(strstr(ck.error, "other devices"));
    fp = h.fp;
    fp.nr_spis = 32;
    assert_int_equal(hyp_ckpt_match(&ck, &fp), HYP_EINVAL);
    assert_non_null(strstr(ck.error, "SPIs"));
}

static int failing_sink(void *ctx, const void *buf, size_t len)
{
    unsigned *left = ctx;

    (void)buf;
    (void)len;
    return (*left)-- == 0 ? HYP_ENOMEM : HYP_OK;
}

static void writer_misuse(void **state)
{
    struct hyp_ckpt_header h = header();
    struct hyp_ckpt_writer w;
    unsigned left = 3;

    (void)state;
    /* A missing vCPU. */
    mem.used = 0;
    hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &mem, &h);
    hyp_ckpt_write_vcpu(&w, 0, &a.vcpu[0]);
    hyp_ckpt_write_vgic(&w, &a.vgic);
    hyp_ckpt_write_ram(&w, 0, a.ram0);
    hyp_ckpt_write_ram(&w, 1, a.ram1);
    assert_int_equal(hyp_ckpt_write_end(&w, NULL), HYP_EINVAL);
    /* A vCPU twice, one past the count. */
    hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &mem, &h);
    assert_int_equal(hyp_ckpt_write_vcpu(&w, 0, &a.vcpu[0]), HYP_OK);
    assert_int_equal(hyp_ckpt_write_vcpu(&w, 0, &a.vcpu[0]), HYP_EINVAL);
    hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &mem, &h);
    assert_int_equal(hyp_ckpt_write_vcpu(&w, NCPU, &a.vcpu[0]), HYP_EINVAL);
    /* A bad header. */
    h.fp.ram[0].base |= 1;
    assert_int_equal(hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &mem, &h), HYP_EINVAL);
    /* The sink's error sticks and is returned at the end. */
    h = header();
    assert_int_equal(write_all(&a, &h), HYP_OK);
    hyp_ckpt_write_begin(&w, failing_sink, &left, &h);
    hyp_ckpt_write_vcpu(&w, 0, &a.vcpu[0]);
    hyp_ckpt_write_vcpu(&w, 1, &a.vcpu[1]);
    hyp_ckpt_write_vgic(&w, &a.vgic);
    hyp_ckpt_write_ram(&w, 0, a.ram0);
    hyp_ckpt_write_ram(&w, 1, a.ram1);
    assert_int_equal(hyp_ckpt_write_end(&w, NULL), HYP_ENOMEM);
}

/* ---- the partitioner's configuration ------------------------------------ */

static const char *dtb_dir;
static struct hyp_vmconfig cfgs[2];
static uint8_t dtbs[2][64 << 10] __attribute__((aligned(8)));

/* Parse tests/unit/dts-config/<name>.dtb into cfgs[slot]. */
static void config(unsigned slot, const char *name)
{
    static const struct hyp_range hyp = {0x40000000, 16 << 20};
    char path[512];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s.dtb", dtb_dir, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(dtbs[slot], 1, sizeof(dtbs[slot]), f);
    fclose(f);
    assert_int_equal(hyp_vmconfig_parse(dtbs[slot], n, &hyp, 1, &cfgs[slot], NULL, NULL),
                     HYP_OK);
}

/* The fingerprint follows what the guest sees, not how the VM is marked. */
static void fingerprints(void **state)
{
    struct hyp_ckpt_fingerprint a0, a1, b0;

    (void)state;
    config(0, "good-3vm");
    config(1, "ckpt-detach"); /* only checkpoint-detach added */
    assert_int_equal(hyp_ckpt_vm_fingerprint(&cfgs[0], 0, 256, &a0), HYP_OK);
    assert_int_equal(hyp_ckpt_vm_fingerprint(&cfgs[1], 0, 256, &a1), HYP_OK);
    assert_memory_equal(&a0, &a1, sizeof(a0));
    assert_int_equal(a0.vcpu_count, 2);
    assert_int_equal(a0.ram_count, 1);
    assert_int_equal(a0.ram[0].base, 0x40000000);
    assert_int_equal(a0.ram[0].size, 0x10000000);
    /* linux-b has the same RAM and vCPU count but another device. */
    assert_int_equal(hyp_ckpt_vm_fingerprint(&cfgs[0], 1, 256, &b0), HYP_OK);
    assert_int_equal(a0.ram[0].size, b0.ram[0].size);
    assert_memory_not_equal(a0.devices, b0.devices, sizeof(a0.devices));
    config(1, "ckpt-other"); /* linux-a with half the memory */
    assert_int_equal(hyp_ckpt_vm_fingerprint(&cfgs[1], 0, 256, &a1), HYP_OK);
    assert_int_equal(a1.ram[0].size, 0x8000000);
    assert_int_equal(hyp_ckpt_vm_fingerprint(&cfgs[1], 3, 256, &a1), HYP_EINVAL);
}

static void allowed(void **state)
{
    char why[256];

    (void)state;
    config(0, "good-3vm");
    config(1, "ckpt-detach");
    assert_int_equal(hyp_ckpt_vm_allowed(dtbs[0], &cfgs[0], 0, why, sizeof(why)),
                     HYP_EPERM);
    assert_non_null(strstr(why, "/virtio_mmio@a000000 is not marked safe to detach"));
    assert_int_equal(hyp_ckpt_vm_allowed(dtbs[1], &cfgs[1], 0, why, sizeof(why)), HYP_OK);
    assert_string_equal(why, "");
    assert_int_equal(hyp_ckpt_vm_allowed(dtbs[1], &cfgs[1], 1, why, sizeof(why)),
                     HYP_EPERM);
    assert_non_null(strstr(why, "shares shm-b-bare"));
    assert_int_equal(hyp_ckpt_vm_allowed(dtbs[1], &cfgs[1], 2, why, sizeof(why)),
                     HYP_EINVAL);
    assert_non_null(strstr(why, "not one of its passthrough devices"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(round_trip, setup),
        cmocka_unit_test_setup(damaged, setup),
        cmocka_unit_test_setup(truncated, setup),
        cmocka_unit_test_setup(trailing_magic_version, setup),
        cmocka_unit_test_setup(impossible_values, setup),
        cmocka_unit_test_setup(other_config, setup),
        cmocka_unit_test_setup(writer_misuse, setup),
        cmocka_unit_test(fingerprints),
        cmocka_unit_test(allowed),
    };

    dtb_dir = argc > 1 ? argv[1] : ".";

    return cmocka_run_group_tests(tests, NULL, NULL);
}
