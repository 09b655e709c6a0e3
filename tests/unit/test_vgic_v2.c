/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtual GICv2 (hyp_vgic_config::version = 2): the distributor's reset
 * values and register map from the GICv2 architecture specification, the
 * private interrupts banked per accessing vCPU, GICD_ITARGETSR routing,
 * GICD_SGIR's three target filters, the SGI pending bytes, the limits a
 * GICv2 puts on the configuration, and the translation between the model's
 * ICH_LR layout and GICH_LR. The list-register logic itself is the v3 one
 * (test_vgic.c); here it is driven through the v2 registers.
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
#define GICC 0x08010000ull
#define NCPU 4
#define NLR  4
#define NSPI 64

/* Distributor offsets (IHI 0048B, 4.1.2). */
#define CTLR       0x000u
#define TYPER      0x004u
#define IIDR       0x008u
#define IGROUPR    0x080u
#define ISENABLER  0x100u
#define ICENABLER  0x180u
#define ISPENDR    0x200u
#define ICPENDR    0x280u
#define ISACTIVER  0x300u
#define IPRIORITYR 0x400u
#define ITARGETSR  0x800u
#define ICFGR      0xc00u
#define SGIR       0xf00u
#define CPENDSGIR  0xf10u
#define SPENDSGIR  0xf20u
#define PIDR2      0xfe8u

static const uint64_t mpidrs[NCPU] = {0, 1, 2, 3};
static struct hyp_vgic vg;
static struct hyp_vgic_cpu cpus[NCPU];
static uint64_t lrs[NCPU][NLR];
static uint32_t kicked;

static void kick(unsigned vcpu, void *arg)
{
    assert_ptr_equal(arg, &vg);
    assert_true(vcpu < NCPU);
    kicked |= 1u << vcpu;
}

static struct hyp_vgic_config cfg(void)
{
    return (struct hyp_vgic_config){
        .gicd_base = GICD,
        .gicr_base = GICC,
        .version = 2,
        .vcpu_count = NCPU,
        .vcpu_mpidr = mpidrs,
        .nr_spis = NSPI,
        .cpus = cpus,
        .kick = kick,
        .kick_arg = &vg,
    };
}

static int setup(void **state)
{
    struct hyp_vgic_config c = cfg();

    (void)state;
    kicked = 0;
    memset(lrs, 0, sizeof(lrs));
    return hyp_vgic_init(&vg, &c);
}

/* Distributor access by @vcpu; asserts success. */
static uint64_t rd(unsigned vcpu, uint32_t off, unsigned size)
{
    uint64_t v = 0xdeadbeefdeadbeefull;

    assert_int_equal(hyp_vgic_mmio(&vg, vcpu, GICD + off, size, false, &v), HYP_OK);
    return v;
}

static void wr(unsigned vcpu, uint32_t off, unsigned size, uint64_t v)
{
    assert_int_equal(hyp_vgic_mmio(&vg, vcpu, GICD + off, size, true, &v), HYP_OK);
}

static uint64_t hcr;

static void flush(unsigned vcpu)
{
    hyp_vgic_flush(&vg, vcpu, lrs[vcpu], NLR, &hcr);
}

static void sync_(unsigned vcpu)
{
    hyp_vgic_sync(&vg, vcpu, lrs[vcpu], NLR);
}

/* Index of the list register of @vcpu holding @intid pending, or -1. */
static int pending_lr(unsigned vcpu, uint32_t intid)
{
    for (int i = 0; i < NLR; i++)
        if ((lrs[vcpu][i] & HYP_ICH_LR_VINTID_MASK) == intid &&
            (lrs[vcpu][i] & HYP_ICH_LR_PENDING))
            return i;
    return -1;
}

/* The vCPUs whose next flush shows @intid pending. */
static uint32_t delivered(uint32_t intid)
{
    uint32_t who = 0;

    for (unsigned v = 0; v < NCPU; v++) {
        flush(v);
        if (pending_lr(v, intid) >= 0)
            who |= 1u << v;
    }
    return who;
}

static void test_init_limits(void **state)
{
    struct hyp_vgic_config c = cfg();
    static const uint64_t nine[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    static struct hyp_vgic_cpu many[9];

    (void)state;
    c.vcpu_count = 9; /* an 8-bit target list */
    c.vcpu_mpidr = nine;
    c.cpus = many;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c.vcpu_count = 8;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_OK);
    c = cfg();
    c.gicd_base = GICD + 0x1000; /* 4 KiB alignment is enough on v2 */
    c.gicr_base = GICD + 0x2000;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_OK);
    c.gicr_base = GICD + 0x1800; /* but not less */
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg();
    c.gicr_base = GICD; /* the CPU interface overlaps the distributor */
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
    c = cfg();
    c.version = 4;
    assert_int_equal(hyp_vgic_init(&vg, &c), HYP_EINVAL);
}

static void test_reset(void **state)
{
    uint64_t v;

    (void)state;
    assert_int_equal(rd(0, CTLR, 4), 0);
    /* ITLinesNumber = 64 / 32 (lines 0..95), CPUNumber = 3. */
    assert_int_equal(rd(0, TYPER, 4), 2 | 3 << 5);
    assert_int_equal(rd(0, PIDR2, 4) >> 4 & 0xf, 2);
    assert_int_equal(rd(0, IIDR, 4), rd(1, IIDR, 4));
    /* SGIs edge (read-only), PPIs and SPIs level. */
    assert_int_equal(rd(0, ICFGR, 4), 0xaaaaaaaa);
    wr(0, ICFGR, 4, 0);
    assert_int_equal(rd(0, ICFGR, 4), 0xaaaaaaaa);
    assert_int_equal(rd(0, ICFGR + 8, 4), 0);
    /* No redistributors, nothing past the 4 KiB frame. */
    assert_int_equal(hyp_vgic_mmio(&vg, 0, GICC, 4, false, &v), HYP_ENOENT);
    assert_int_equal(hyp_vgic_mmio(&vg, 0, GICD + 0x1000, 4, false, &v), HYP_ENOENT);
    assert_int_equal(hyp_vgic_mmio_gicd(&vg, 0, 0x6100, 4, false, &v), HYP_ENOENT);
    /* Widths: bytes only for the byte arrays, never 64 bits. */
    assert_int_equal(hyp_vgic_mmio(&vg, 0, GICD + CTLR, 1, false, &v), HYP_EINVAL);
    assert_int_equal(hyp_vgic_mmio(&vg, 0, GICD + IPRIORITYR, 8, false, &v), HYP_EINVAL);
    assert_int_equal(hyp_vgic_mmio(&vg, 0, GICD + ITARGETSR + 33, 1, false, &v), HYP_OK);
    assert_int_equal(hyp_vgic_mmio(&vg, 0, GICD + ISENABLER + 2, 4, false, &v),
                     HYP_EINVAL);
    assert_int_equal(hyp_vgic_mmio_gicd(&vg, 0, 0xffe8, 4, false, &v), HYP_ENOENT);
    assert_int_equal(hyp_vgic_mmio_gicd(&vg, 0, 0xffe8, 4, true, &v), HYP_ENOENT);
}

/* Word 0 of the bit registers and the first 32 priority bytes are the
 * accessing vCPU's own. */
static void test_banked(void **state)
{
    (void)state;
    wr(1, ISENABLER, 4, 1u << 27 | 1u << 3);
    assert_int_equal(rd(1, ISENABLER, 4), 1u << 27 | 1u << 3);
    assert_int_equal(rd(0, ISENABLER, 4), 0);
    assert_int_equal(rd(2, ISENABLER, 4), 0);
    wr(2, IPRIORITYR + 27, 1, 0xa0);
    assert_int_equal(rd(2, IPRIORITYR + 24, 4), 0xa0000000u);
    assert_int_equal(rd(1, IPRIORITYR + 24, 4), 0);
    /* An SPI's word is shared. */
    wr(3, ISENABLER + 4, 4, 1u << 2);
    assert_int_equal(rd(0, ISENABLER + 4, 4), 1u << 2);
    wr(0, ICENABLER + 4, 4, 1u << 2);
    assert_int_equal(rd(3, ISENABLER + 4, 4), 0);
    /* Pending and active set through the distributor, banked too. */
    wr(1, ISPENDR, 4, 1u << 20);
    assert_int_equal(rd(1, ISPENDR, 4), 1u << 20);
    assert_int_equal(rd(0, ISPENDR, 4), 0);
    wr(1, ICPENDR, 4, 1u << 20);
    assert_int_equal(rd(1, ISPENDR, 4), 0);
    wr(3, ISACTIVER, 4, 1u << 21);
    assert_int_equal(rd(3, ISACTIVER, 4), 1u << 21);
    assert_int_equal(rd(2, ISACTIVER, 4), 0);
}

/* A PPI injected into one vCPU reaches only its list registers once that
 * vCPU enabled it in its own bank and the distributor is on. */
static void test_ppi_delivery(void **state)
{
    (void)state;
    assert_int_equal(hyp_vgic_inject(&vg, 2, 27, true, 27), HYP_OK);
    assert_int_equal(delivered(27), 0); /* disabled, distributor off */
    wr(2, ISENABLER, 4, 1u << 27);
    assert_int_equal(delivered(27), 0); /* distributor off */
    kicked = 0;
    wr(0, CTLR, 4, 1); /* group 0, as Linux does */
    assert_int_equal(rd(0, CTLR, 4), 1);
    assert_int_not_equal(kicked & 1u << 2, 0);
    assert_int_equal(delivered(27), 1u << 2);
    assert_true(lrs[2][pending_lr(2, 27)] & HYP_ICH_LR_HW);
    assert_false(lrs[2][pending_lr(2, 27)] & HYP_ICH_LR_GROUP);
}

/* ITARGETSR: private bytes read as the accessing vCPU's bit; an SPI goes
 * to the lowest existing vCPU of its byte, nowhere without one. */
static void test_targets(void **state)
{
    uint32_t spi = 32 + 5;

    (void)state;
    for (unsigned v = 0; v < NCPU; v++)
        assert_int_equal(rd(v, ITARGETSR + 4, 4), 0x01010101u * (1u << v));
    wr(0, ITARGETSR + 4, 4, 0); /* read-only */
    assert_int_equal(rd(1, ITARGETSR + 4, 1), 2);
    wr(0, CTLR, 4, 1);
    wr(0, ISENABLER + 4, 4, 1u << 5);
    assert_int_equal(rd(0, ITARGETSR + spi, 1), 0);
    assert_int_equal(hyp_vgic_inject(&vg, 0, spi, true, 0), HYP_OK);
    assert_int_equal(delivered(spi), 0); /* no target yet */
    kicked = 0;
    wr(1, ITARGETSR + spi, 1, 0x0c); /* vCPUs 2 and 3 */
    assert_int_equal(rd(0, ITARGETSR + spi, 1), 0x0c);
    assert_int_equal(rd(0, ITARGETSR + (spi & ~3u), 4), 0x0cu << 8 * (spi & 3));
    assert_int_equal(kicked, 1u << 2);
    assert_int_equal(delivered(spi), 1u << 2);
    /* Only vCPUs that exist count. */
    wr(0, ITARGETSR + spi + 1, 1, 0xf0);
    assert_int_equal(hyp_vgic_inject(&vg, 0, spi + 1, true, 0), HYP_OK);
    wr(0, ISENABLER + 4, 4, 1u << 6);
    assert_int_equal(delivered(spi + 1), 0);
    /* Retargeted while waiting: it follows. */
    wr(0, ITARGETSR + spi + 1, 1, 0x02);
    assert_int_equal(delivered(spi + 1), 1u << 1);
    assert_int_equal(delivered(spi), 1u << 2); /* still there, untouched */
}

/* GICD_SGIR: target list, all but self, self only, reserved. */
static void test_sgir(void **state)
{
    (void)state;
    wr(0, CTLR, 4, 1);
    for (unsigned v = 0; v < NCPU; v++)
        wr(v, ISENABLER, 4, 0xffff);
    kicked = 0;
    wr(0, SGIR, 4, 0u << 24 | 0x06u << 16 | 3); /* list: vCPUs 1 and 2 */
    assert_int_equal(kicked, 0x6);
    assert_int_equal(delivered(3), 0x6);
    wr(1, SGIR, 4, 1u << 24 | 4); /* all but vCPU 1 */
    assert_int_equal(delivered(4), 0xd);
    wr(2, SGIR, 4, 2u << 24 | 0xffu << 16 | 5); /* self only, the list ignored */
    assert_int_equal(delivered(5), 0x4);
    wr(3, SGIR, 4, 3u << 24 | 0xffu << 16 | 6); /* reserved filter: nothing */
    assert_int_equal(delivered(6), 0);
    wr(0, SGIR, 4, 0xf0u << 16 | 7); /* bits for vCPUs that don't exist */
    assert_int_equal(delivered(7), 0);
    assert_int_equal(rd(0, SGIR, 4), 0); /* write-only */
    /* A disabled SGI waits. */
    wr(1, ICENABLER, 4, 1u << 8);
    wr(0, SGIR, 4, 0x02u << 16 | 8);
    assert_int_equal(delivered(8), 0);
    wr(1, ISENABLER, 4, 1u << 8);
    assert_int_equal(delivered(8), 1u << 1);
}

/* GICD_SPENDSGIR / CPENDSGIR: one byte per SGI of the accessing vCPU. */
static void test_pendsgi(void **state)
{
    (void)state;
    wr(2, SPENDSGIR + 1, 1, 0x80); /* SGI 1, any source */
    assert_int_equal(rd(2, SPENDSGIR, 4), 0x0100);
    assert_int_equal(rd(2, CPENDSGIR, 4), 0x0100);
    assert_int_equal(rd(1, SPENDSGIR, 4), 0);
    assert_int_equal(rd(2, ISPENDR, 4), 1u << 1);
    wr(2, SPENDSGIR + 4, 4, 0x00ff0000); /* SGI 6 */
    assert_int_equal(rd(2, SPENDSGIR + 4, 4), 0x00010000);
    wr(2, CPENDSGIR, 4, 0x0000ff00);
    assert_int_equal(rd(2, SPENDSGIR, 4), 0);
    assert_int_equal(rd(2, ISPENDR, 4), 1u << 6);
}

/* The SGI from GICD_SGIR goes through a list register and back: the guest
 * acknowledges it (pending -> active), deactivates it (active -> none). */
static void test_lr_cycle(void **state)
{
    int i;

    (void)state;
    wr(0, CTLR, 4, 1);
    wr(1, ISENABLER, 4, 1u << 2);
    wr(1, IPRIORITYR, 4, 0x00a00000);
    wr(0, SGIR, 4, 0x02u << 16 | 2);
    flush(1);
    i = pending_lr(1, 2);
    assert_true(i >= 0);
    assert_int_equal(lrs[1][i] >> HYP_ICH_LR_PRIO_SHIFT & 0xff, 0xa0);
    lrs[1][i] = (lrs[1][i] & ~HYP_ICH_LR_PENDING) | HYP_ICH_LR_ACTIVE;
    sync_(1);
    assert_int_equal(rd(1, ISPENDR, 4), 0);
    assert_int_equal(rd(1, ISACTIVER, 4), 1u << 2);
    lrs[1][i] &= ~HYP_ICH_LR_ACTIVE;
    sync_(1);
    assert_int_equal(rd(1, ISACTIVER, 4), 0);
    assert_true(hyp_vgic_idle(&vg, 1));
}

/* ICH_LR layout <-> GICH_LR (IHI 0048B, 5.3.10). */
static void test_gich_lr(void **state)
{
    uint64_t sw = 34 | 0xa5ull << HYP_ICH_LR_PRIO_SHIFT | HYP_ICH_LR_PENDING |
                  HYP_ICH_LR_GROUP | HYP_ICH_LR_EOI;
    uint64_t hw = 27 | 27ull << HYP_ICH_LR_PINTID_SHIFT | HYP_ICH_LR_HW |
                  HYP_ICH_LR_ACTIVE | HYP_ICH_LR_PENDING;
    uint32_t g;

    (void)state;
    g = hyp_vgic_lr_to_gich(sw);
    assert_int_equal(g & 0x3ff, 34);
    assert_int_equal(g >> 23 & 0x1f, 0xa5 >> 3);
    assert_int_equal(g >> 28 & 3, 1); /* pending */
    assert_true(g & 1u << 30);        /* Grp1 */
    assert_false(g & 1u << 31);       /* HW */
    assert_true(g & 1u << 19);        /* EOI */
    assert_int_equal(g >> 10 & 7, 0); /* CPUID 0 */
    g = hyp_vgic_lr_to_gich(hw);
    assert_int_equal(g & 0x3ff, 27);
    assert_int_equal(g >> 10 & 0x3ff, 27);
    assert_true(g & 1u << 31);
    assert_int_equal(g >> 28 & 3, 3);
    assert_int_equal(hyp_vgic_lr_to_gich(0), 0);
    /* Read back: the written value, with the state the guest left. */
    assert_int_equal(hyp_vgic_lr_from_gich(sw, hyp_vgic_lr_to_gich(sw)), sw);
    assert_int_equal(hyp_vgic_lr_from_gich(sw, 2u << 28 | 0x3ff),
                     (sw & ~HYP_ICH_LR_PENDING) | HYP_ICH_LR_ACTIVE);
    assert_int_equal(hyp_vgic_lr_from_gich(hw, 0), hw & ~(3ull << 62));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_limits),
        T(test_reset),
        T(test_banked),
        T(test_ppi_delivery),
        T(test_targets),
        T(test_sgir),
        T(test_pendsgi),
        T(test_lr_cycle),
        cmocka_unit_test(test_gich_lr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
