/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtual GICv3: register reset values and access rules against the
 * GICv3 architecture specification's register map, interrupt state
 * transitions through the set/clear registers, SPI routing, ICC_SGI1R_EL1
 * decoding, and list-register bookkeeping through flush/sync cycles in which
 * the test plays the guest by editing the list-register state field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/error.h>
#include <hyp/vgic.h>

#define GICD 0x08000000ull
#define GICR 0x080a0000ull
#define NCPU 4
#define NLR  4

/* vCPU affinities: 0.0.0.0, 0.0.0.1, 0.0.0.2, 1.0.1.0 (Aff3 = 1, Aff1 = 1). */
static const uint64_t mpidrs[NCPU] = {0x0, 0x1, 0x2, 0x100000100ull};

static struct hyp_vgic vg;
static struct hyp_vgic_cpu cpus[NCPU];
static uint32_t kicked;

static void kick(unsigned vcpu, void *arg)
{
    assert_ptr_equal(arg, &vg);
    assert_true(vcpu < NCPU);
    kicked |= 1u << vcpu;
}

static struct hyp_vgic_config cfg(void)
{
    struct hyp_vgic_config c = {
        .gicd_base = GICD,
        .gicr_base = GICR,
        .vcpu_count = NCPU,
        .vcpu_mpidr = mpidrs,
        .nr_spis = 256,
        .cpus = cpus,
        .kick = kick,
        .kick_arg = &vg,
    };
    return c;
}

static uint64_t lrs[NCPU][NLR];

static int setup(void **state)
{
    struct hyp_vgic_config c = cfg();

    kicked = 0;
    memset(lrs, 0, sizeof(lrs)); /* each vCPU's mirror starts zeroed */
    return hyp_vgic_init(&vg, &c);
}

/* ---- register access helpers --------------------------------------------- */

static int acc(unsigned vcpu, uint64_t ipa, unsigned size, bool write, uint64_t *v)
{
    return hyp_vgic_mmio(&vg, vcpu, ipa, size, write, v);
}

static uint64_t rdx(uint64_t ipa, unsigned size)
{
    uint64_t v = 0xdeadbeefdeadbeefull;

    assert_int_equal(acc(0, ipa, size, false, &v), HYP_OK);
    if (size < 8)
        assert_true(v >> (size * 8) == 0);
    return v;
}

static void wrx(uint64_t ipa, unsigned size, uint64_t v)
{
    assert_int_equal(acc(0, ipa, size, true, &v), HYP_OK);
}

static uint32_t dr(uint32_t off)
{
    return (uint32_t)rdx(GICD + off, 4);
}

static void dw(uint32_t off, uint32_t v)
{
    wrx(GICD + off, 4, v);
}

static uint64_t rr(unsigned rd, uint32_t off, unsigned size)
{
    return rdx(GICR + rd * 0x20000ull + off, size);
}

static void rw(unsigned rd, uint32_t off, unsigned size, uint64_t v)
{
    wrx(GICR + rd * 0x20000ull + off, size, v);
}

#define SGI 0x10000u

/* ---- list register helpers ----------------------------------------------- */
static uint64_t hcr;

static void flush(unsigned vcpu)
{
    hyp_vgic_flush(&vg, vcpu, lrs[vcpu], NLR, &hcr);
}

static void sync_(unsigned vcpu)
{
    hyp_vgic_sync(&vg, vcpu, lrs[vcpu], NLR);
}

static unsigned lr_state(uint64_t lr)
{
    return (unsigned)(lr >> 62);
}

/* Index of the LR holding @intid, or -1; fails on duplicates. */
static int find_lr(unsigned vcpu, uint32_t intid)
{
    int at = -1;

    for (int i = 0; i < NLR; i++) {
        if (lr_state(lrs[vcpu][i]) && (uint32_t)lrs[vcpu][i] == intid) {
            assert_int_equal(at, -1);
            at = i;
        }
    }
    return at;
}

/* The guest acknowledges (pending -> active) the interrupt in LR @i. */
static void guest_ack(unsigned vcpu, uint32_t intid)
{
    int i = find_lr(vcpu, intid);

    assert_true(i >= 0);
    assert_true(lrs[vcpu][i] & HYP_ICH_LR_PENDING);
    lrs[vcpu][i] = (lrs[vcpu][i] & ~HYP_ICH_LR_PENDING) | HYP_ICH_LR_ACTIVE;
}

/* The guest deactivates it (active -> inactive, active+pending -> pending). */
static void guest_eoi(unsigned vcpu, uint32_t intid)
{
    int i = find_lr(vcpu, intid);

    assert_true(i >= 0);
    assert_true(lrs[vcpu][i] & HYP_ICH_LR_ACTIVE);
    lrs[vcpu][i] &= ~HYP_ICH_LR_ACTIVE;
}

static void enable_dist(void)
{
    dw(0x0, 0x3);
}

static void enable_spi(uint32_t intid, uint8_t prio)
{
    wrx(GICD + 0x400 + intid, 1, prio);
    dw(0x100 + intid / 32 * 4, 1u << (intid % 32));
}

static void enable_ppi(unsigned rd, uint32_t intid, uint8_t prio)
{
    rw(rd, SGI + 0x400 + intid, 1, prio);
    rw(rd, SGI + 0x100, 4, 1u << intid);
}

/* ---- configuration -------------------------------------------------------- */

static void test_init_rejects(void **state)
{
    struct hyp_vgic_config c;
    uint64_t dup[2] = {0x1, 0x80000001ull}; /* same affinity, different MT/RES1 */

    c = cfg(), c.vcpu_count = 0;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg(), c.vcpu_count = HYP_VGIC_MAX_VCPUS + 1;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg(), c.nr_spis = 33;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg(), c.nr_spis = HYP_VGIC_MAX_SPIS + 32;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg(), c.gicd_base = GICD + 0x1000;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg(), c.gicr_base = GICD + 0x10000 - 0x20000 * NCPU + 0x10000; /* overlaps */
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg(), c.vcpu_mpidr = dup, c.vcpu_count = 2;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg(), c.cpus = NULL;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg(), c.nr_spis = HYP_VGIC_MAX_SPIS;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_OK);
    assert_int_equal(dr(0x4) & 0x1f, HYP_VGIC_MAX_SPIS / 32);
}

/* ---- distributor reset values ------------------------------------------- */

static void test_gicd_reset(void **state)
{
    /* CTLR: ARE (4) and DS (6) set, groups disabled, RWP clear. */
    assert_int_equal(dr(0x0), 0x50);
    /* TYPER: ITLinesNumber 8 (288 INTIDs), IDbits 9, A3V; no LPIs, MBIS, SecurityExtn. */
    assert_int_equal(dr(0x4), 8u | 9u << 19 | 1u << 24);
    assert_int_equal(dr(0x8), 0x48000000u);
    assert_int_equal(dr(0xc), 0);  /* TYPER2 */
    assert_int_equal(dr(0x10), 0); /* STATUSR */
    for (uint32_t off = 0x80; off < 0x400; off += 4)
        assert_int_equal(dr(off), 0); /* group 0, disabled, idle */
    for (uint32_t off = 0x400; off < 0x800; off += 4)
        assert_int_equal(dr(off), 0);
    for (uint32_t off = 0xc00; off < 0xd00; off += 4)
        assert_int_equal(dr(off), 0); /* level-sensitive */
    for (uint32_t intid = 32; intid < 288; intid++)
        assert_int_equal(rdx(GICD + 0x6000 + 8 * intid, 8), 0);
    assert_int_equal(dr(0xffe8), 0x3b); /* PIDR2.ArchRev = 3 */
    assert_int_equal(dr(0xffe8) >> 4 & 0xf, 3);
    assert_int_equal(dr(0xfff0), 0x0d);
    assert_int_equal(dr(0xfff4), 0xf0);
    assert_int_equal(dr(0xfff8), 0x05);
    assert_int_equal(dr(0xfffc), 0xb1);
    assert_int_equal(dr(0xffd0), 0);
}

static void test_gicd_ctlr(void **state)
{
    dw(0x0, 0xffffffffu);
    assert_int_equal(dr(0x0), 0x53); /* only the group enables are writable */
    dw(0x0, 0);
    assert_int_equal(dr(0x0), 0x50); /* ARE and DS stay set */
}

static void test_typer_rss(void **state)
{
    static const uint64_t big[2] = {0x0, 0x10}; /* Aff0 16 needs RS */
    struct hyp_vgic_config c = cfg();

    c.vcpu_count = 2, c.vcpu_mpidr = big, c.nr_spis = 0;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_OK);
    assert_int_equal(dr(0x4), 9u << 19 | 1u << 24 | 1u << 26);
}

/* ---- redistributor reset values ------------------------------------------ */

static void test_gicr_reset(void **state)
{
    for (unsigned rd = 0; rd < NCPU; rd++) {
        uint64_t t = rr(rd, 0x8, 8);
        uint64_t aff = (mpidrs[rd] >> 32 & 0xff) << 24 | (mpidrs[rd] & 0xffffff);

        assert_int_equal(t >> 32, aff);
        assert_int_equal(t >> 8 & 0xffff, rd); /* Processor_Number */
        assert_int_equal(t >> 4 & 1, rd == NCPU - 1);
        assert_int_equal(t & 0xf, 0); /* no PLPIS, VLPIS, DirectLPI */
        assert_int_equal(rr(rd, 0x8, 4), t & 0xffffffffu);
        assert_int_equal(rr(rd, 0xc, 4), t >> 32);
        assert_int_equal(rr(rd, 0x0, 4), 0); /* CTLR */
        assert_int_equal(rr(rd, 0x4, 4), 0x48000000u);
        assert_int_equal(rr(rd, 0x10, 4), 0);
        assert_int_equal(rr(rd, 0x14, 4), 0x6); /* WAKER: asleep */
        assert_int_equal(rr(rd, 0x70, 8), 0);
        assert_int_equal(rr(rd, 0x78, 8), 0);
        assert_int_equal(rr(rd, 0xffe8, 4), 0x3b);
        assert_int_equal(rr(rd, SGI + 0x80, 4), 0);
        assert_int_equal(rr(rd, SGI + 0x100, 4), 0);
        assert_int_equal(rr(rd, SGI + 0x200, 4), 0);
        assert_int_equal(rr(rd, SGI + 0x300, 4), 0);
        for (uint32_t off = 0x400; off < 0x420; off += 4)
            assert_int_equal(rr(rd, SGI + off, 4), 0);
        assert_int_equal(rr(rd, SGI + 0xc00, 4), 0xaaaaaaaau); /* SGIs edge */
        assert_int_equal(rr(rd, SGI + 0xc04, 4), 0);
    }
    /* The last frame is vCPU 3's, wherever the access comes from. */
    uint64_t v;
    assert_int_equal(acc(2, GICR + 3 * 0x20000 + 8, 8, false, &v), HYP_OK);
    assert_int_equal(v >> 8 & 0xffff, 3);
    assert_true(v & 0x10);
}

static void test_waker(void **state)
{
    rw(1, 0x14, 4, 0);
    assert_int_equal(rr(1, 0x14, 4), 0);
    assert_int_equal(rr(0, 0x14, 4), 6);
    rw(1, 0x14, 4, 0x2);
    assert_int_equal(rr(1, 0x14, 4), 6);
    rw(1, 0x14, 4, 0x5); /* ChildrenAsleep is read-only, bit 0 RAZ/WI */
    assert_int_equal(rr(1, 0x14, 4), 0);
}

/* ---- access rules -------------------------------------------------------- */

static void test_widths(void **state)
{
    uint64_t v = 0;

    /* 32-bit registers: no 8, 16 or 64-bit access, no misalignment. */
    assert_int_equal(acc(0, GICD + 0x0, 8, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICD + 0x0, 1, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICD + 0x0, 2, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICD + 0x102, 4, true, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICD + 0x100, 3, true, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICD + 0xc00, 1, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICR + 0x14, 8, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICR + SGI + 0x100, 1, false, &v), HYP_EINVAL);
    /* Byte registers. */
    assert_int_equal(acc(0, GICD + 0x423, 1, false, &v), HYP_OK);
    assert_int_equal(acc(0, GICD + 0x802, 1, false, &v), HYP_OK);
    assert_int_equal(acc(0, GICD + 0xf11, 1, false, &v), HYP_OK);
    assert_int_equal(acc(0, GICD + 0x422, 2, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICD + 0x420, 8, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICR + SGI + 0x41f, 1, false, &v), HYP_OK);
    /* 64-bit registers and their halves. */
    assert_int_equal(acc(0, GICD + 0x6100, 8, false, &v), HYP_OK);
    assert_int_equal(acc(0, GICD + 0x6104, 4, false, &v), HYP_OK);
    assert_int_equal(acc(0, GICD + 0x6104, 8, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICD + 0x6100, 1, false, &v), HYP_EINVAL);
    assert_int_equal(acc(0, GICR + 0x8, 8, false, &v), HYP_OK);
    assert_int_equal(acc(0, GICR + 0xc, 4, false, &v), HYP_OK);
    assert_int_equal(acc(0, GICR + 0x8, 2, false, &v), HYP_EINVAL);
    /* A bad vCPU index. */
    assert_int_equal(acc(NCPU, GICD + 0x0, 4, false, &v), HYP_EINVAL);
    /* Not ours. */
    assert_int_equal(acc(0, GICD - 4, 4, false, &v), HYP_ENOENT);
    assert_int_equal(acc(0, GICD + 0x10000, 4, false, &v), HYP_ENOENT);
    assert_int_equal(acc(0, GICR - 4, 4, false, &v), HYP_ENOENT);
    assert_int_equal(acc(0, GICR + NCPU * 0x20000ull, 4, false, &v), HYP_ENOENT);
    assert_int_equal(acc(0, 0, 4, false, &v), HYP_ENOENT);
    /* Reserved offsets: RAZ/WI for 32-bit, refused otherwise. */
    v = 0xffffffff;
    assert_int_equal(acc(0, GICD + 0x1000, 4, true, &v), HYP_OK);
    assert_int_equal(dr(0x1000), 0);
    assert_int_equal(dr(0xa000), 0);
    assert_int_equal(rr(0, 0x1000, 4), 0);
    assert_int_equal(rr(0, SGI + 0x2000, 4), 0);
    assert_int_equal(acc(0, GICD + 0x1000, 8, false, &v), HYP_EINVAL);
}

static void test_raz_wi(void **state)
{
    static const uint32_t gicd_raz[] = {
        0x80,   0x100,  0x180,  0x200, 0x280, 0x300, 0x380, /* private words */
        0x800,  0x820,  0xbf8,                              /* ITARGETSR */
        0xc00,  0xc04,                                      /* ICFGR0/1 */
        0xd00,  0xd04,  0xe00,  0xe04,                      /* IGRPMODR, NSACR */
        0xf00,  0xf10,  0xf20,                              /* SGIR, [CS]PENDSGIR */
        0x10,   0xc,    0x40,   0x48,                       /* STATUSR, TYPER2, SETSPI */
        0x6000, 0x60f8, 0x7fd8,                             /* IROUTER private/absent */
    };
    for (size_t i = 0; i < sizeof(gicd_raz) / sizeof(gicd_raz[0]); i++) {
        dw(gicd_raz[i], 0xffffffffu);
        assert_int_equal(dr(gicd_raz[i]), 0);
    }
    /* Priorities of private INTIDs in the distributor; SPIs beyond nr_spis. */
    dw(0x400, 0xffffffffu);
    assert_int_equal(dr(0x400), 0);
    dw(0x100 + 9 * 4, 0xffffffffu); /* INTIDs 288.. */
    assert_int_equal(dr(0x100 + 9 * 4), 0);
    dw(0x400 + 288, 0xffffffffu);
    assert_int_equal(dr(0x400 + 288), 0);
    /* Redistributor. */
    rw(0, 0x0, 4, 0xffffffffu);
    assert_int_equal(rr(0, 0x0, 4), 0);
    rw(0, 0x70, 8, ~0ull);
    assert_int_equal(rr(0, 0x70, 8), 0);
    rw(0, 0x8, 8, ~0ull); /* TYPER read-only */
    assert_int_equal(rr(0, 0x8, 8) >> 32, 0);
    rw(0, SGI + 0xd00, 4, ~0u);
    assert_int_equal(rr(0, SGI + 0xd00, 4), 0);
    rw(0, SGI + 0xe00, 4, ~0u);
    assert_int_equal(rr(0, SGI + 0xe00, 4), 0);
    rw(0, SGI + 0xc00, 4, 0);
    assert_int_equal(rr(0, SGI + 0xc00, 4), 0xaaaaaaaau);
    rw(0, SGI + 0x84, 4, ~0u); /* extended PPI range absent */
    assert_int_equal(rr(0, SGI + 0x84, 4), 0);
}

/* ---- set/clear semantics --------------------------------------------------- */

/* Set/clear pair at @set/@set+0x80 over the word covering bit @bit. */
static void check_pair(uint64_t base, uint32_t set, unsigned bit)
{
    wrx(base + set, 4, 1u << bit | 1u << (bit ^ 1));
    assert_int_equal(rdx(base + set, 4), 1u << bit | 1u << (bit ^ 1));
    assert_int_equal(rdx(base + set + 0x80, 4), 1u << bit | 1u << (bit ^ 1));
    wrx(base + set, 4, 0); /* zeros do nothing */
    assert_int_equal(rdx(base + set, 4), 1u << bit | 1u << (bit ^ 1));
    wrx(base + set + 0x80, 4, 1u << bit);
    assert_int_equal(rdx(base + set, 4), 1u << (bit ^ 1));
    wrx(base + set + 0x80, 4, ~0u);
    assert_int_equal(rdx(base + set, 4), 0);
}

static void test_set_clear(void **state)
{
    static const uint32_t pairs[] = {0x100, 0x200, 0x300};

    for (size_t p = 0; p < 3; p++) {
        check_pair(GICR + 2 * 0x20000ull + SGI, pairs[p], 3);  /* SGI 3 of vCPU 2 */
        check_pair(GICR + 1 * 0x20000ull + SGI, pairs[p], 27); /* PPI 27 of vCPU 1 */
        check_pair(GICD + 4, pairs[p], 8);                     /* SPI 40 */
        check_pair(GICD + 8 * 4, pairs[p], 31);                /* SPI 287 */
    }
    /* Banked: vCPU 1's PPI is not vCPU 0's. */
    rw(1, SGI + 0x100, 4, 1u << 27);
    assert_int_equal(rr(0, SGI + 0x100, 4), 0);
    /* IGROUPR is a plain read/write register. */
    dw(0x84, 0x12345678);
    assert_int_equal(dr(0x84), 0x12345678);
    rw(3, SGI + 0x80, 4, 0xffff0001u);
    assert_int_equal(rr(3, SGI + 0x80, 4), 0xffff0001u);
}

static void test_level_pending(void **state)
{
    /* ICPENDR clears the latch, not an asserted line. */
    assert_int_equal(hyp_vgic_inject(&vg, 0, 50, true, 0), HYP_OK);
    assert_int_equal(dr(0x204), 1u << 18);
    dw(0x284, 1u << 18);
    assert_int_equal(dr(0x204), 1u << 18);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 50, false, 0), HYP_OK);
    assert_int_equal(dr(0x204), 0);
    dw(0x204, 1u << 18); /* latch */
    assert_int_equal(dr(0x204), 1u << 18);
    dw(0x284, 1u << 18);
    assert_int_equal(dr(0x204), 0);
    /* Edge: inject latches, lowering the line does nothing. */
    dw(0xc00 + 50 / 16 * 4, 2u << (2 * (50 % 16)));
    assert_int_equal(dr(0xc0c), 2u << 4);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 50, true, 0), HYP_OK);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 50, false, 0), HYP_OK);
    assert_int_equal(dr(0x204), 1u << 18);
}

static void test_priority_bytes(void **state)
{
    dw(0x420, 0x44332211); /* INTIDs 32..35 */
    assert_int_equal(rdx(GICD + 0x420, 1), 0x11);
    assert_int_equal(rdx(GICD + 0x423, 1), 0x44);
    wrx(GICD + 0x422, 1, 0xa0);
    assert_int_equal(dr(0x420), 0x44a02211);
    rw(2, SGI + 0x41b, 1, 0xf0); /* PPI 27 */
    assert_int_equal(rr(2, SGI + 0x418, 4), 0xf0000000u);
    assert_int_equal(rr(1, SGI + 0x418, 4), 0);
    /* ICFGR1: PPIs configurable, Int_config[0] RES0. */
    rw(2, SGI + 0xc04, 4, 0xffffffffu);
    assert_int_equal(rr(2, SGI + 0xc04, 4), 0xaaaaaaaau);
}

/* ---- routing and injection ----------------------------------------------- */

static void test_irouter(void **state)
{
    enable_dist();
    enable_spi(40, 0x80);
    wrx(GICD + 0x6000 + 8 * 40, 8, 0x100000100ull); /* Aff3 1, Aff1 1: vCPU 3 */
    assert_int_equal(rdx(GICD + 0x6000 + 8 * 40, 8), 0x100000100ull);
    assert_int_equal(rdx(GICD + 0x6000 + 8 * 40 + 4, 4), 1);
    kicked = 0;
    assert_int_equal(hyp_vgic_inject(&vg, 0, 40, true, 0), HYP_OK);
    assert_int_equal(kicked, 1u << 3);
    assert_true(hyp_vgic_pending(&vg, 3));
    assert_false(hyp_vgic_pending(&vg, 0));
    flush(0);
    assert_int_equal(find_lr(0, 40), -1);
    flush(3);
    assert_true(find_lr(3, 40) >= 0);
    sync_(3);

    /* Writable bits only; halves. */
    wrx(GICD + 0x6000 + 8 * 41, 8, ~0ull);
    assert_int_equal(rdx(GICD + 0x6000 + 8 * 41, 8), 0xff80ffffffull);
    wrx(GICD + 0x6000 + 8 * 41 + 4, 4, 0);
    assert_int_equal(rdx(GICD + 0x6000 + 8 * 41, 8), 0x80ffffffull);

    /* IRM = 1: the first awake vCPU, else vCPU 0. */
    enable_spi(42, 0x80);
    wrx(GICD + 0x6000 + 8 * 42, 8, 1ull << 31);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 42, true, 0), HYP_OK);
    assert_true(hyp_vgic_pending(&vg, 0));
    rw(2, 0x14, 4, 0);
    assert_false(hyp_vgic_pending(&vg, 0));
    assert_true(hyp_vgic_pending(&vg, 2));

    /* An affinity no vCPU has: never delivered. */
    enable_spi(43, 0x80);
    wrx(GICD + 0x6000 + 8 * 43, 8, 0x7);
    kicked = 0;
    assert_int_equal(hyp_vgic_inject(&vg, 0, 43, true, 0), HYP_OK);
    assert_int_equal(kicked, 0);
    flush(1);
    assert_int_equal(find_lr(1, 43), -1);
    /* Rerouting it kicks the new target. */
    wrx(GICD + 0x6000 + 8 * 43, 8, 0x1);
    assert_int_equal(kicked, 1u << 1);
    flush(1);
    assert_true(find_lr(1, 43) >= 0);
}

static void test_inject_rejects(void **state)
{
    assert_int_equal(hyp_vgic_inject(&vg, 0, 288, true, 0), HYP_EINVAL);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 1023, true, 0), HYP_EINVAL);
    assert_int_equal(hyp_vgic_inject(&vg, NCPU, 27, true, 0), HYP_EINVAL);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 27, true, 15), HYP_EINVAL);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 27, true, 1020), HYP_EINVAL);
    assert_int_equal(hyp_vgic_inject(&vg, NCPU, 100, true, 0),
                     HYP_OK); /* SPI: vcpu ignored */
    assert_int_equal(hyp_vgic_sgi1r(&vg, NCPU, 0), HYP_EINVAL);
}

static void test_disabled_dist(void **state)
{
    enable_ppi(0, 27, 0x20);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 27, true, 0), HYP_OK);
    assert_false(hyp_vgic_pending(&vg, 0)); /* distributor groups off */
    flush(0);
    assert_int_equal(find_lr(0, 27), -1);
    assert_int_equal(hcr, HYP_ICH_HCR_EN);
    kicked = 0;
    enable_dist();
    assert_true(kicked & 1);
    assert_true(hyp_vgic_pending(&vg, 0));
    /* Group 1 needs EnableGrp1. */
    rw(0, SGI + 0x80, 4, 1u << 27);
    dw(0x0, 0x1);
    assert_false(hyp_vgic_pending(&vg, 0));
    dw(0x0, 0x2);
    assert_true(hyp_vgic_pending(&vg, 0));
}

/* ---- SGIs ------------------------------------------------------------------ */

static uint32_t sgi_pending_mask(unsigned intid)
{
    uint32_t m = 0;

    for (unsigned rd = 0; rd < NCPU; rd++)
        if (rr(rd, SGI + 0x200, 4) & (1u << intid))
            m |= 1u << rd;
    return m;
}

static void clear_sgis(void)
{
    for (unsigned rd = 0; rd < NCPU; rd++)
        rw(rd, SGI + 0x280, 4, 0xffff);
}

static void test_sgi1r(void **state)
{
    /* TargetList bits 1 and 2 at Aff3.Aff2.Aff1 = 0.0.0: vCPUs 1 and 2, INTID 5. */
    assert_int_equal(hyp_vgic_sgi1r(&vg, 0, 5ull << 24 | 0x6), HYP_OK);
    assert_int_equal(sgi_pending_mask(5), 0x6);
    clear_sgis();
    /* Aff3 1, Aff1 1, target 0: vCPU 3; target 1 there does not exist. */
    assert_int_equal(hyp_vgic_sgi1r(&vg, 0, 1ull << 48 | 1ull << 16 | 7ull << 24 | 0x3),
                     HYP_OK);
    assert_int_equal(sgi_pending_mask(7), 0x8);
    clear_sgis();
    /* Aff2 mismatch: nobody. */
    assert_int_equal(hyp_vgic_sgi1r(&vg, 0, 1ull << 32 | 0xffff), HYP_OK);
    assert_int_equal(sgi_pending_mask(0), 0);
    /* RS = 1 names Aff0 16..31: nobody here. */
    assert_int_equal(hyp_vgic_sgi1r(&vg, 0, 1ull << 44 | 0xffff), HYP_OK);
    assert_int_equal(sgi_pending_mask(0), 0);
    /* IRM: everybody but the sender, whatever the other fields say. */
    enable_dist();
    for (unsigned rd = 0; rd < NCPU; rd++)
        enable_ppi(rd, 15, 0x10);
    kicked = 0;
    assert_int_equal(hyp_vgic_sgi1r(&vg, 2, 1ull << 40 | 15ull << 24 | 0x1), HYP_OK);
    assert_int_equal(sgi_pending_mask(15), 0xb);
    assert_int_equal(kicked, 0xb);
}

/* vCPUs with affinities 0.0.0.0 .. 0.0.0.3 (the usual layout): the O(1)
 * lookup finds the same targets the search would. */
static void test_sgi1r_linear(void **state)
{
    static const uint64_t linear[NCPU] = {0, 1, 2, 3};
    struct hyp_vgic_config c = cfg();

    (void)state;
    c.vcpu_mpidr = linear;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_OK);
    assert_true(vg.linear_affinity);
    assert_int_equal(hyp_vgic_sgi1r(&vg, 0, 5ull << 24 | 0xc), HYP_OK);
    assert_int_equal(sgi_pending_mask(5), 0xc);
    clear_sgis();
    /* Aff0 4..15 and any other Aff1: nobody. */
    assert_int_equal(hyp_vgic_sgi1r(&vg, 0, 6ull << 24 | 0xfff0), HYP_OK);
    assert_int_equal(hyp_vgic_sgi1r(&vg, 0, 1ull << 16 | 6ull << 24 | 0x1), HYP_OK);
    assert_int_equal(sgi_pending_mask(6), 0);
    /* The test's own layout is not linear: the search. */
    assert_int_equal(setup(NULL), HYP_OK);
    assert_false(vg.linear_affinity);
}

static void test_sgi1r_rs(void **state)
{
    static const uint64_t m[3] = {0x0, 0x11, 0x100};
    struct hyp_vgic_config c = cfg();

    c.vcpu_count = 3, c.vcpu_mpidr = m;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_OK);
    assert_int_equal(hyp_vgic_sgi1r(&vg, 0, 1ull << 44 | 3ull << 24 | 0x2), HYP_OK);
    assert_int_equal(rr(1, SGI + 0x200, 4), 1u << 3);
    assert_int_equal(rr(0, SGI + 0x200, 4), 0);
    assert_int_equal(hyp_vgic_sgi1r(&vg, 1, 1ull << 16 | 4ull << 24 | 0x1), HYP_OK);
    assert_int_equal(rr(2, SGI + 0x200, 4), 1u << 4);
}

/* ---- list registers -------------------------------------------------------- */

static void test_lr_encoding(void **state)
{
    uint64_t want;
    int i;

    enable_dist();
    /* Virtual timer: PPI 27 backed by physical 27, group 1, priority 0xa0. */
    enable_ppi(1, 27, 0xa0);
    rw(1, SGI + 0x80, 4, 1u << 27);
    assert_int_equal(hyp_vgic_inject(&vg, 1, 27, true, 27), HYP_OK);
    flush(1);
    i = find_lr(1, 27);
    assert_true(i >= 0);
    want = 27ull | 27ull << 32 | 0xa0ull << 48 | 1ull << 60 | 1ull << 61 | 1ull << 62;
    assert_int_equal(lrs[1][i], want);
    assert_int_equal(hcr, HYP_ICH_HCR_EN);

    /* Software level SPI, group 0: EOI maintenance (bit 41), no HW, no pINTID. */
    enable_spi(100, 0x48);
    wrx(GICD + 0x6000 + 8 * 100, 8, 0x1);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 100, true, 0), HYP_OK);
    flush(1);
    i = find_lr(1, 100);
    assert_true(i >= 0);
    assert_int_equal(lrs[1][i], 100ull | 1ull << 41 | 0x48ull << 48 | 1ull << 62);

    /* Software edge SPI: no EOI bit. */
    enable_spi(101, 0x50);
    dw(0xc00 + 101 / 16 * 4, 2u << (2 * (101 % 16)));
    wrx(GICD + 0x6000 + 8 * 101, 8, 0x1);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 101, true, 0), HYP_OK);
    flush(1);
    i = find_lr(1, 101);
    assert_int_equal(lrs[1][i], 101ull | 0x50ull << 48 | 1ull << 62);

    /* A hardware SPI with the highest pINTID, priority 0. */
    enable_spi(102, 0x00);
    wrx(GICD + 0x6000 + 8 * 102, 8, 0x1);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 102, true, 1019), HYP_OK);
    flush(1);
    i = find_lr(1, 102);
    assert_int_equal(lrs[1][i], 102ull | 1019ull << 32 | 1ull << 61 | 1ull << 62);
    /* All four LRs hold one interrupt each. */
    for (i = 0; i < NLR; i++)
        assert_int_equal(lr_state(lrs[1][i]), 1);
}

static void test_lr_priority_overflow(void **state)
{
    static const uint8_t prio[6] = {0x80, 0x10, 0x40, 0x10, 0xf0, 0x20};

    enable_dist();
    for (unsigned k = 0; k < 6; k++) {
        enable_spi(32 + k, prio[k]);
        assert_int_equal(hyp_vgic_inject(&vg, 0, 32 + k, true, 0), HYP_OK);
    }
    flush(0);
    /* Four LRs: 33 and 35 (0x10, lower INTID first), 37 (0x20), 34 (0x40). */
    assert_true(find_lr(0, 33) >= 0 && find_lr(0, 35) >= 0);
    assert_true(find_lr(0, 37) >= 0 && find_lr(0, 34) >= 0);
    assert_int_equal(find_lr(0, 32), -1);
    assert_int_equal(find_lr(0, 36), -1);
    assert_int_equal(hcr, HYP_ICH_HCR_EN | HYP_ICH_HCR_UIE);
    assert_true(hyp_vgic_pending(&vg, 0));

    /* A re-flush changes nothing. */
    uint64_t before[NLR];
    memcpy(before, lrs[0], sizeof(before));
    sync_(0);
    flush(0);
    assert_memory_equal(before, lrs[0], sizeof(before));

    /* The guest takes 33 and 35 to completion: 32 and 36 get their LRs. */
    guest_ack(0, 33);
    guest_ack(0, 35);
    sync_(0);
    flush(0);
    assert_true(lr_state(lrs[0][find_lr(0, 33)]) == 2); /* level: active, not pending */
    guest_eoi(0, 33);
    guest_eoi(0, 35);
    /* Lower the lines first so they do not come back. */
    assert_int_equal(hyp_vgic_inject(&vg, 0, 33, false, 0), HYP_OK);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 35, false, 0), HYP_OK);
    sync_(0);
    flush(0);
    assert_int_equal(find_lr(0, 33), -1);
    assert_int_equal(find_lr(0, 35), -1);
    assert_true(find_lr(0, 32) >= 0 && find_lr(0, 36) >= 0);
    assert_true(find_lr(0, 37) >= 0 && find_lr(0, 34) >= 0);
    assert_int_equal(hcr, HYP_ICH_HCR_EN);
}

static void test_lr_evict(void **state)
{
    enable_dist();
    for (unsigned k = 0; k < NLR; k++) {
        enable_spi(40 + k, 0xc0);
        assert_int_equal(hyp_vgic_inject(&vg, 0, 40 + k, true, 0), HYP_OK);
    }
    flush(0);
    guest_ack(0, 40); /* active: cannot be evicted */
    sync_(0);
    enable_spi(60, 0xc0); /* same priority: waits */
    assert_int_equal(hyp_vgic_inject(&vg, 0, 60, true, 0), HYP_OK);
    flush(0);
    assert_int_equal(find_lr(0, 60), -1);
    assert_true(hcr & HYP_ICH_HCR_UIE);
    enable_spi(61, 0x08); /* more urgent: takes the LR of the worst pending one (43) */
    assert_int_equal(hyp_vgic_inject(&vg, 0, 61, true, 0), HYP_OK);
    sync_(0);
    flush(0);
    assert_true(find_lr(0, 61) >= 0);
    assert_true(find_lr(0, 40) >= 0);
    assert_int_equal(find_lr(0, 43), -1);
    assert_true(hcr & HYP_ICH_HCR_UIE);
    /* 43 is still pending in the model. */
    assert_int_equal(dr(0x204) >> (43 - 32) & 1, 1);
}

static void test_lr_level_eoi(void **state)
{
    enable_dist();
    enable_spi(48, 0x80);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 48, true, 0), HYP_OK);
    flush(0);
    guest_ack(0, 48);
    sync_(0);
    assert_int_equal(dr(0x304) >> 16 & 1, 1); /* active */
    flush(0);
    assert_int_equal(lr_state(lrs[0][find_lr(0, 48)]), 2);
    assert_false(hyp_vgic_pending(&vg, 0)); /* held back until EOI */
    guest_eoi(0, 48);
    sync_(0);
    assert_int_equal(dr(0x304), 0);
    flush(0); /* line still high: pending again */
    assert_int_equal(lr_state(lrs[0][find_lr(0, 48)]), 1);
    guest_ack(0, 48);
    sync_(0);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 48, false, 0), HYP_OK);
    flush(0);
    guest_eoi(0, 48);
    sync_(0);
    /* Nothing is pending any more, but the free list register still asks
     * for EOI maintenance, which would stay asserted: a flush must wipe it. */
    assert_true(hyp_vgic_needs_flush(&vg, 0));
    flush(0);
    assert_int_equal(find_lr(0, 48), -1);
    for (unsigned i = 0; i < NLR; i++)
        assert_false(lrs[0][i] & HYP_ICH_LR_EOI);
    assert_false(hyp_vgic_needs_flush(&vg, 0));
    assert_false(hyp_vgic_pending(&vg, 0));
    /* The line rises again (the next byte at a UART): pending again, in a
     * list register at the next entry. */
    assert_int_equal(hyp_vgic_inject(&vg, 0, 48, true, 0), HYP_OK);
    assert_true(hyp_vgic_needs_flush(&vg, 0));
    flush(0);
    assert_int_equal(lr_state(lrs[0][find_lr(0, 48)]), 1);
    assert_true(hyp_vgic_pending(&vg, 0));
    /* Acknowledged, line low, EOI, all between two exits. */
    guest_ack(0, 48);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 48, false, 0), HYP_OK);
    guest_eoi(0, 48);
    sync_(0);
    flush(0);
    assert_int_equal(find_lr(0, 48), -1);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 48, true, 0), HYP_OK);
    flush(0);
    assert_int_equal(lr_state(lrs[0][find_lr(0, 48)]), 1);
}

static void test_lr_edge_active_pending(void **state)
{
    enable_dist();
    rw(0, SGI + 0x100, 4, 1u << 1);
    assert_int_equal(hyp_vgic_sgi1r(&vg, 1, 1ull << 24 | 0x1), HYP_OK);
    flush(0);
    assert_int_equal(lr_state(lrs[0][find_lr(0, 1)]), 1);
    guest_ack(0, 1);
    sync_(0);
    assert_int_equal(rr(0, SGI + 0x200, 4), 0); /* edge consumed */
    assert_int_equal(hyp_vgic_sgi1r(&vg, 1, 1ull << 24 | 0x1), HYP_OK);
    flush(0);
    assert_int_equal(lr_state(lrs[0][find_lr(0, 1)]), 3); /* active + pending */
    guest_eoi(0, 1);
    sync_(0);
    flush(0);
    assert_int_equal(lr_state(lrs[0][find_lr(0, 1)]), 1);
    guest_ack(0, 1);
    guest_eoi(0, 1);
    sync_(0);
    flush(0);
    assert_int_equal(find_lr(0, 1), -1);

    /* An edge arriving while the LR is live and the guest acknowledges: kept. */
    assert_int_equal(hyp_vgic_sgi1r(&vg, 1, 1ull << 24 | 0x1), HYP_OK);
    flush(0);
    guest_ack(0, 1);                                                    /* guest runs */
    assert_int_equal(hyp_vgic_sgi1r(&vg, 1, 1ull << 24 | 0x1), HYP_OK); /* other CPU */
    sync_(0);
    flush(0);
    assert_int_equal(lr_state(lrs[0][find_lr(0, 1)]), 3);
}

static void test_lr_hw_no_active_pending(void **state)
{
    enable_dist();
    enable_ppi(0, 27, 0x80);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 27, true, 27), HYP_OK);
    flush(0);
    guest_ack(0, 27);
    sync_(0);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 27, true, 27), HYP_OK);
    flush(0);
    int i = find_lr(0, 27);
    assert_int_equal(lr_state(lrs[0][i]), 2);
    assert_true(lrs[0][i] & HYP_ICH_LR_HW);
    assert_false(lrs[0][i] & HYP_ICH_LR_EOI);
    guest_eoi(0, 27);
    sync_(0);
    flush(0);
    assert_int_equal(lr_state(lrs[0][find_lr(0, 27)]), 1);
}

static void test_lr_disable_removes(void **state)
{
    enable_dist();
    enable_spi(70, 0x80);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 70, true, 0), HYP_OK);
    flush(0);
    assert_true(find_lr(0, 70) >= 0);
    sync_(0);
    kicked = 0;
    dw(0x180 + 70 / 32 * 4, 1u << (70 % 32));
    assert_int_equal(kicked, 1); /* the holder must refresh its LRs */
    flush(0);
    assert_int_equal(find_lr(0, 70), -1);
    for (int i = 0; i < NLR; i++)
        assert_int_equal(lrs[0][i], 0);
    /* ICPENDR on an edge interrupt in an LR drops it as well. */
    dw(0xc00 + 70 / 16 * 4, 2u << (2 * (70 % 16)));
    dw(0x100 + 70 / 32 * 4, 1u << (70 % 32));
    dw(0x200 + 70 / 32 * 4, 1u << (70 % 32));
    flush(0);
    assert_true(find_lr(0, 70) >= 0);
    sync_(0);
    dw(0x280 + 70 / 32 * 4, 1u << (70 % 32));
    flush(0);
    assert_int_equal(find_lr(0, 70), -1);
}

static void test_lr_active_loaded(void **state)
{
    /* An interrupt made active by ISACTIVER gets an LR so it can be deactivated. */
    enable_dist();
    dw(0x300 + 80 / 32 * 4, 1u << (80 % 32));
    flush(0);
    int i = find_lr(0, 80);
    assert_true(i >= 0);
    assert_int_equal(lr_state(lrs[0][i]), 2);
    guest_eoi(0, 80);
    sync_(0);
    assert_int_equal(dr(0x300 + 80 / 32 * 4), 0);
    flush(0);
    assert_int_equal(find_lr(0, 80), -1);
}

/* A hardware interrupt that comes again after the guest took and
 * deactivated it re-arms its own list register without a sync; the model,
 * synced later, agrees with what the hardware shows. */
static void test_lr_rearm(void **state)
{
    bool synced;
    int i, j;

    enable_dist();
    enable_ppi(0, 27, 0xa0);
    flush(0);
    synced = true;
    i = hyp_vgic_inject_direct(&vg, 0, 27, 27, lrs[0], NLR, &synced);
    assert_true(i >= 0 && i < NLR);
    assert_int_equal(lr_state(lrs[0][i]), 1);
    assert_true(lrs[0][i] & HYP_ICH_LR_HW);
    assert_false(hyp_vgic_needs_flush(&vg, 0));

    /* The guest takes it and deactivates it (the physical one too); the
     * timer fires again before any exit: same register, pending, no sync. */
    guest_ack(0, 27);
    guest_eoi(0, 27);
    assert_int_equal(lr_state(lrs[0][i]), 0);
    j = hyp_vgic_rearm(&vg, 0, 27, 27, lrs[0], NLR);
    assert_int_equal(j, i);
    assert_int_equal(lr_state(lrs[0][i]), 1);
    assert_false(hyp_vgic_needs_flush(&vg, 0));
    /* A later sync and flush change nothing; the state reads pending. */
    sync_(0);
    assert_int_equal(hyp_vgic_flush(&vg, 0, lrs[0], NLR, &hcr), 0);
    assert_int_equal(rr(0, SGI + 0x200, 4) >> 27 & 1, 1); /* GICR_ISPENDR0 */
    assert_int_equal(rr(0, SGI + 0x300, 4) >> 27 & 1, 0); /* GICR_ISACTIVER0 */

    /* Still pending in its register (not taken yet): no re-arm (the
     * physical interrupt could not have fired); the ordinary way syncs. */
    assert_int_equal(hyp_vgic_rearm(&vg, 0, 27, 27, lrs[0], NLR), -1);
    synced = false;
    assert_int_equal(hyp_vgic_inject_direct(&vg, 0, 27, 27, lrs[0], NLR, &synced),
                     HYP_VGIC_QUEUED);
    assert_true(synced);

    /* Disabled meanwhile: never re-armed. */
    guest_ack(0, 27);
    guest_eoi(0, 27);
    rw(0, SGI + 0x180, 4, 1u << 27);
    assert_int_equal(hyp_vgic_rearm(&vg, 0, 27, 27, lrs[0], NLR), -1);
    /* Nor another vCPU's, nor a bad vCPU or INTID. */
    assert_int_equal(hyp_vgic_rearm(&vg, 1, 27, 27, lrs[1], NLR), -1);
    assert_int_equal(hyp_vgic_rearm(&vg, NCPU, 27, 27, lrs[0], NLR), -1);
    assert_int_equal(hyp_vgic_rearm(&vg, 0, 1000, 27, lrs[0], NLR), -1);
    flush(0);
    assert_int_equal(find_lr(0, 27), -1);
}

static void test_lr_fewer_lrs(void **state)
{
    enable_dist();
    enable_spi(90, 0x80);
    enable_spi(91, 0x80);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 90, true, 0), HYP_OK);
    assert_int_equal(hyp_vgic_inject(&vg, 0, 91, true, 0), HYP_OK);
    hyp_vgic_flush(&vg, 0, lrs[0], 1, &hcr);
    assert_int_equal((uint32_t)lrs[0][0], 90);
    assert_true(hcr & HYP_ICH_HCR_UIE);
    hyp_vgic_flush(&vg, 0, lrs[0], 0, &hcr); /* no LRs at all */
    assert_true(hcr & HYP_ICH_HCR_UIE);
    hyp_vgic_flush(&vg, 0, lrs[0], 2, &hcr);
    assert_int_equal(find_lr(0, 90) + find_lr(0, 91), 1);
    assert_int_equal(hcr, HYP_ICH_HCR_EN);
}

#define T(f) cmocka_unit_test_setup(f, setup)

/* ---- randomized differential test ---------------------------------------- */

/*
 * Random injections, enables, priorities and routes from "other CPUs", and
 * per vCPU flush / guest acknowledge and EOI / sync cycles, against a plain
 * model that knows every interrupt's state and scans them all. After each
 * flush: the list registers hold exactly the model's state for what they
 * hold; whatever deliverable interrupt is left out is left out for a reason
 * (list registers full, UIE set, nothing evictable or less urgent held);
 * hyp_vgic_pending() agrees with the model. Edge-triggered software
 * interrupts only, injected while neither pending nor active, so the model
 * stays exact.
 */
#define R_SGIS 3  /* SGIs 1..3 */
#define R_PPIS 4  /* PPIs 20..23 */
#define R_SPIS 16 /* SPIs 40..55 */
#define R_N    (R_SGIS + R_PPIS + R_SPIS)

struct ref_irq {
    bool en, pend, act;
    uint8_t prio;
};
static struct ref_irq ref_priv[NCPU][R_SGIS + R_PPIS], ref_spi[R_SPIS];
static unsigned ref_target[R_SPIS];
static uint32_t rng;

static unsigned rnd(unsigned n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % n;
}

static uint32_t r_intid(unsigned k)
{
    return k < R_SGIS            ? 1 + k
           : k < R_SGIS + R_PPIS ? 20 + k - R_SGIS
                                 : 40 + k - R_SGIS - R_PPIS;
}

static struct ref_irq *ref_of(unsigned vcpu, unsigned k)
{
    return k < R_SGIS + R_PPIS ? &ref_priv[vcpu][k] : &ref_spi[k - R_SGIS - R_PPIS];
}

/* The vCPU an interrupt goes to, per the model. */
static unsigned ref_owner(unsigned vcpu, unsigned k)
{
    return k < R_SGIS + R_PPIS ? vcpu : ref_target[k - R_SGIS - R_PPIS];
}

static void r_set_enable(unsigned vcpu, unsigned k, bool en)
{
    uint32_t intid = r_intid(k);

    if (intid < 32)
        rw(vcpu, SGI + (en ? 0x100 : 0x180), 4, 1u << intid);
    else
        dw((en ? 0x100 : 0x180) + intid / 32 * 4, 1u << (intid % 32));
    ref_of(vcpu, k)->en = en;
}

static void r_set_prio(unsigned vcpu, unsigned k, uint8_t prio)
{
    uint32_t intid = r_intid(k);

    if (intid < 32)
        rw(vcpu, SGI + 0x400 + intid, 1, prio);
    else
        wrx(GICD + 0x400 + intid, 1, prio);
    ref_of(vcpu, k)->prio = prio;
}

static void r_check(unsigned v)
{
    bool in_lr[R_N] = {false};
    unsigned used = 0, pend_only_worst = 0;
    bool any_pend_only = false, want_pending = false;

    for (unsigned i = 0; i < NLR; i++) {
        unsigned st = lr_state(lrs[v][i]), k;
        struct ref_irq *r;

        if (!st)
            continue;
        used++;
        for (k = 0; k < R_N && r_intid(k) != (uint32_t)lrs[v][i]; k++)
            ;
        assert_true(k < R_N);
        assert_false(in_lr[k]);
        in_lr[k] = true;
        assert_int_equal(ref_owner(v, k), v);
        r = ref_of(v, k);
        assert_int_equal(st, (r->act ? 2u : 0u) | (r->pend && r->en ? 1u : 0u));
        assert_int_equal((lrs[v][i] >> HYP_ICH_LR_PRIO_SHIFT) & 0xff, r->prio);
        if (st == 1) {
            any_pend_only = true;
            if (r->prio > pend_only_worst)
                pend_only_worst = r->prio;
        }
    }
    for (unsigned k = 0; k < R_N; k++) {
        struct ref_irq *r = ref_of(v, k);

        if (ref_owner(v, k) != v)
            continue;
        want_pending |= r->pend && r->en;
        if (in_lr[k] || !(r->act || (r->pend && r->en)))
            continue;
        /* Left out: only when full, and nothing held could give way. */
        assert_int_equal(used, NLR);
        assert_true(hcr & HYP_ICH_HCR_UIE);
        if (r->act)
            assert_false(any_pend_only);
        else if (any_pend_only)
            assert_true(pend_only_worst <= r->prio);
    }
    assert_int_equal(hyp_vgic_pending(&vg, v), want_pending);
}

/* Whether some vCPU's list registers still name @intid (a guest's EOI is
 * seen by the model only at that vCPU's next sync). */
static bool r_held(uint32_t intid)
{
    for (unsigned v = 0; v < NCPU; v++)
        for (unsigned i = 0; i < NLR; i++)
            if (lrs[v][i] != 0 && (uint32_t)lrs[v][i] == intid)
                return true;
    return false;
}

/* Enter @v as the run loop does: flush only when hyp_vgic_needs_flush()
 * says so. Flush anyway to prove a skipped one would have changed nothing. */
static void r_enter(unsigned v)
{
    bool needed = hyp_vgic_needs_flush(&vg, v);
    uint64_t before[NLR];
    uint32_t dirty;

    memcpy(before, lrs[v], sizeof(before));
    dirty = hyp_vgic_flush(&vg, v, lrs[v], NLR, &hcr);
    if (!needed) {
        /* Only leftovers of released list registers (state invalid) may be
         * wiped: the hardware shows nothing different. */
        for (unsigned i = 0; i < NLR; i++) {
            if (lr_state(before[i]) == 0) {
                /* Never a level interrupt's EOI request: that one must go. */
                assert_false((before[i] & (HYP_ICH_LR_EOI | HYP_ICH_LR_HW)) ==
                             HYP_ICH_LR_EOI);
                assert_int_equal(lr_state(lrs[v][i]), 0);
            } else {
                assert_true(before[i] == lrs[v][i]);
                assert_false(dirty & (1u << i));
            }
        }
        assert_true(hcr == HYP_ICH_HCR_EN);
    }
    /* It may still be needed: more waiting than list registers, or a pending
     * interrupt that is disabled; but nothing is news to the model. */
    assert_false(vg.cpus[v].stale);
    r_check(v);
}

/* Operation weights of one phase: dense (everything at once, list
 * registers overflowing) or sparse (one interrupt at a time, as a timer
 * tick or a device's, where the direct injection path is taken). */
static const uint8_t dense_ops[] = {0, 0, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t sparse_ops[] = {0, 8, 8, 8, 3, 5, 5, 6, 6, 6, 6, 6, 7, 7};

static void random_phase(bool dense, unsigned steps, unsigned *direct)
{
    bool entered[NCPU] = {false};
    const uint8_t *ops = dense ? dense_ops : sparse_ops;
    unsigned nops = dense ? sizeof(dense_ops) : sizeof(sparse_ops);

    for (unsigned step = 0; step < steps; step++) {
        unsigned v = rnd(NCPU), k = rnd(R_N);
        struct ref_irq *r = ref_of(v, k);

        switch (ops[rnd(nops)]) {

        case 0:
        case 1: /* an edge, from a device or another vCPU */
            if (!r->pend && !r->act) {
                assert_int_equal(hyp_vgic_inject(&vg, v, r_intid(k), true, 0), HYP_OK);
                r->pend = true;
            }
            break;
        case 2:
            r_set_enable(v, k, rnd(3) != 0);
            break;
        case 3:
            r_set_prio(v, k, (uint8_t)(rnd(4) * 0x40));
            break;
        case 4: /* reroute an SPI that is nowhere */
            if (k >= R_SGIS + R_PPIS && !r->pend && !r->act && !r_held(r_intid(k))) {
                unsigned t = rnd(NCPU);

                wrx(GICD + 0x6000 + 8 * r_intid(k), 8, mpidrs[t]);
                ref_target[k - R_SGIS - R_PPIS] = t;
            }
            break;
        case 5: /* enter: sync what the guest did, flush, check */
            if (entered[v])
                sync_(v);
            r_enter(v);
            entered[v] = true;
            break;
        case 8: /* an edge for the vCPU running here: an IRQ exit injects it
                 * straight into a list register, or the ordinary way */
            if (entered[v] && ref_owner(v, k) == v && !r->pend && !r->act &&
                !r_held(r_intid(k))) {
                bool synced = true;
                int rc;

                /* The guest ran since its last entry (which flushed). */
                sync_(v);
                r_enter(v);
                sync_(v);
                rc = hyp_vgic_inject_direct(&vg, v, r_intid(k), 0, lrs[v], NLR, &synced);
                assert_true(rc == HYP_VGIC_QUEUED || (rc >= 0 && rc < NLR));
                if (rc >= 0 && rc < NLR) {
                    assert_int_equal((uint32_t)lrs[v][rc], r_intid(k));
                    assert_int_equal(lr_state(lrs[v][rc]), 1);
                    (*direct)++;
                }
                r->pend = true;
                r_enter(v);
            }
            break;
        case 6: /* the guest acknowledges or deactivates one interrupt */
            if (entered[v]) {
                unsigned i = rnd(NLR), st = lr_state(lrs[v][i]);
                uint32_t intid = (uint32_t)lrs[v][i];
                unsigned j;

                for (j = 0; j < R_N && r_intid(j) != intid; j++)
                    ;
                if (st == 1) {
                    guest_ack(v, intid);
                    ref_of(v, j)->pend = false;
                    ref_of(v, j)->act = true;
                } else if (st & 2) {
                    guest_eoi(v, intid);
                    ref_of(v, j)->act = false;
                }
            }
            break;
        default: /* exit */
            if (entered[v]) {
                sync_(v);
                entered[v] = false;
            }
            break;
        }
    }
    /* The guests leave: every list register synced. */
    for (unsigned v = 0; v < NCPU; v++)
        if (entered[v])
            sync_(v);
}

static void test_random_differential(void **state)
{
    unsigned direct = 0;

    rng = 20261204;
    memset(ref_priv, 0, sizeof(ref_priv));
    memset(ref_spi, 0, sizeof(ref_spi));
    enable_dist();
    for (unsigned v = 0; v < NCPU; v++) {
        rw(v, SGI + 0xc04, 4, 0xaaaaaaaau); /* PPIs edge-triggered */
        for (unsigned k = 0; k < R_SGIS + R_PPIS; k++)
            r_set_prio(v, k, 0x80);
    }
    for (unsigned k = R_SGIS + R_PPIS; k < R_N; k++) {
        uint32_t intid = r_intid(k);

        dw(0xc00 + intid / 16 * 4, dr(0xc00 + intid / 16 * 4) | 2u << (2 * (intid % 16)));
        r_set_prio(0, k, 0x80);
        ref_target[k - R_SGIS - R_PPIS] = 0;
    }

    random_phase(true, 40000, &direct);
    /* Everything enabled again, then one interrupt at a time. */
    for (unsigned v = 0; v < NCPU; v++)
        for (unsigned k = 0; k < R_N; k++)
            r_set_enable(v, k, true);
    random_phase(false, 100000, &direct);
    /* Both paths ran, often. */
    print_message("%u direct injections\n", direct);
    assert_true(direct > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_rejects),
        T(test_gicd_reset),
        T(test_gicd_ctlr),
        T(test_typer_rss),
        T(test_gicr_reset),
        T(test_waker),
        T(test_widths),
        T(test_raz_wi),
        T(test_set_clear),
        T(test_level_pending),
        T(test_priority_bytes),
        T(test_irouter),
        T(test_inject_rejects),
        T(test_disabled_dist),
        T(test_sgi1r),
        T(test_sgi1r_rs),
        T(test_sgi1r_linear),
        T(test_lr_encoding),
        T(test_lr_priority_overflow),
        T(test_lr_evict),
        T(test_lr_level_eoi),
        T(test_lr_edge_active_pending),
        T(test_lr_hw_no_active_pending),
        T(test_lr_disable_removes),
        T(test_lr_active_loaded),
        T(test_lr_fewer_lrs),
        T(test_lr_rearm),
        T(test_random_differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
