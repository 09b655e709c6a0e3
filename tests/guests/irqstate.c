/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest: interrupt state that is always true.
 *
 * What the GIC reports as pending must follow the source: an EL1 timer whose
 * condition is met is pending in ISPENDR0 (GICv2: the distributor's
 * banked GICD_ISPENDR0) (even with IRQs masked in
 * PSTATE), and is no longer pending, nor taken, once CTL.ENABLE is cleared or
 * CTL.IMASK set; set back to ENABLE it is taken exactly once. The same for
 * the virtual and the physical timer. A level-triggered device interrupt
 * (the PL031 RTC's match interrupt, an SPI) that the handler clears at the
 * device is delivered once per assertion, and not at all when it is cleared
 * at the device before IRQs are unmasked. Runs on a GICv3 or a GICv2.
 * Prints TAP.
 */
#include <libfdt.h>
#include "lib/guest.h"

/* GICv3 distributor and redistributor (Arm IHI 0069). */
#define GICD_CTLR          0x0000
#define GICD_CTLR_RWP      (1U << 31)
#define GICD_CTLR_ARE      (1U << 4)
#define GICD_CTLR_GRP1     (1U << 1)
#define GICD_IGROUPR(n)    (0x0080 + 4 * (n))
#define GICD_ISENABLER(n)  (0x0100 + 4 * (n))
#define GICD_ICENABLER(n)  (0x0180 + 4 * (n))
#define GICD_ISPENDR(n)    (0x0200 + 4 * (n))
#define GICD_ICPENDR(n)    (0x0280 + 4 * (n))
#define GICD_IPRIORITYR(i) (0x0400 + (i))
#define GICD_ICFGR(n)      (0x0c00 + 4 * (n))
#define GICD_IROUTER(i)    (0x6000 + 8 * (i))
#define GICD_ITARGETSR(i)  (0x0800 + (i)) /* GICv2 */
#define GICD_V2_ENABLE     (1U << 0)      /* GICv2: group 0 on */
#define GICR_TYPER         0x0008
#define GICR_TYPER_VLPIS   (1ULL << 1)
#define GICR_TYPER_LAST    (1ULL << 4)
#define GICR_SGI_BASE      0x10000
#define GICR_ISPENDR0      0x0200
#define GICR_FRAME         0x20000
#define GICR_FRAME_VLPI    0x40000
#define IRQ_PRIORITY       0xa0

/* CNT{V,P}_CTL_EL0. */
#define CTL_ENABLE (1U << 0)
#define CTL_IMASK  (1U << 1)

/* PL031 RTC (Arm DDI 0224). */
#define RTC_DR        0x00
#define RTC_MR        0x04
#define RTC_CR        0x0c
#define RTC_IMSC      0x10
#define RTC_RIS       0x14
#define RTC_ICR       0x1c
#define RTC_PERIPHID0 0xfe0
#define RTC_DEFAULT   0x09010000ULL /* QEMU virt */
#define RTC_INTID_DEF 34            /* SPI 2 */

#define PHYS_TIMER_INTID_DEF 30 /* PPI 14 */
#define PENDING_WAIT_US      1000000
#define CLEAR_WAIT_US        10000
#define QUIET_US             2000
#define RTC_WAIT_US          2500000
#define RTC_QUIET_US         50000
#define RTC_CLEAR_WAIT_US    10000
#define MAX_INTID            1020

/* One EL1 timer: its registers, through functions so both share the checks. */
struct timer {
    const char *name;
    uint32_t intid;
    uint64_t (*count)(void);
    void (*set_cval)(uint64_t cval);
    void (*set_ctl)(uint64_t ctl);
};

static uint64_t gicd;     /* the distributor */
static uint64_t gicr_sgi; /* this CPU's redistributor, its SGI/PPI frame */
static bool gic_v2;       /* a GICv2: private interrupts banked in the distributor */
static volatile unsigned intid_count[MAX_INTID];
static volatile uint32_t rtc_intid = MAX_INTID; /* no PL031 set up yet */
static uint64_t rtc_base;

static inline uint32_t rd32(uint64_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void wr32(uint64_t addr, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)addr = v;
}

static inline uint64_t rd64(uint64_t addr)
{
    return *(volatile uint64_t *)(uintptr_t)addr;
}

static inline void wr64(uint64_t addr, uint64_t v)
{
    *(volatile uint64_t *)(uintptr_t)addr = v;
}

static inline void wr8(uint64_t addr, uint8_t v)
{
    *(volatile uint8_t *)(uintptr_t)addr = v;
}

static void irqs_unmask(void)
{
    __asm__ volatile("msr daifclr, #2\n"
                     "isb" ::
                         : "memory");
}

static void irqs_mask(void)
{
    __asm__ volatile("msr daifset, #2\n"
                     "isb" ::
                         : "memory");
}

/* Spins for `us` of counter time (YIELD, no WFE/WFI: QEMU's icount). */
static void spin_us(uint64_t us)
{
    uint64_t start = guest_now_us();

    while (guest_now_us() - start < us)
        __asm__ volatile("yield" ::: "memory");
}

/* --- the timers' registers ---------------------------------------------------------- */

static uint64_t vcount(void)
{
    uint64_t v;

    __asm__ volatile("isb\n"
                     "mrs %0, cntvct_el0"
                     : "=r"(v));
    return v;
}

static void vset_cval(uint64_t cval)
{
    __asm__ volatile("msr cntv_cval_el0, %0\n"
                     "isb" ::"r"(cval)
                     : "memory");
}

static void vset_ctl(uint64_t ctl)
{
    __asm__ volatile("msr cntv_ctl_el0, %0\n"
                     "isb" ::"r"(ctl)
                     : "memory");
}

static uint64_t pcount(void)
{
    uint64_t v;

    __asm__ volatile("isb\n"
                     "mrs %0, cntpct_el0"
                     : "=r"(v));
    return v;
}

static void pset_cval(uint64_t cval)
{
    __asm__ volatile("msr cntp_cval_el0, %0\n"
                     "isb" ::"r"(cval)
                     : "memory");
}

static void pset_ctl(uint64_t ctl)
{
    __asm__ volatile("msr cntp_ctl_el0, %0\n"
                     "isb" ::"r"(ctl)
                     : "memory");
}

static uint64_t pget_ctl(void)
{
    uint64_t v;

    __asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(v));
    return v;
}

/* INTIDs from the DTB, set before the handler can see them. */
static struct timer vtimer = {"virtual timer", 27, vcount, vset_cval, vset_ctl};
static struct timer ptimer = {"physical timer", PHYS_TIMER_INTID_DEF, pcount, pset_cval,
                              pset_ctl};

/* --- IRQ handler -------------------------------------------------------------------- */

/* Quiets the source (the runtime EOIs after this) and counts per INTID. */
static void on_irq(uint32_t intid)
{
    if (intid == vtimer.intid)
        vset_ctl(CTL_IMASK);
    else if (intid == ptimer.intid)
        pset_ctl(CTL_IMASK);
    else if (intid == rtc_intid)
        wr32(rtc_base + RTC_ICR, 1); /* RIS drops, the line goes low */
    if (intid < MAX_INTID)
        intid_count[intid]++;
}

/* --- device tree and GIC ------------------------------------------------------------ */

/* INTID of the `index`-th 3-cell GIC interrupt of `node`, or `def`. */
static uint32_t node_intid(const void *fdt, int node, unsigned index, uint32_t def)
{
    int len;
    const fdt32_t *irqs = node >= 0 ? fdt_getprop(fdt, node, "interrupts", &len) : NULL;

    if (irqs == NULL || len < (int)((index + 1) * 3 * sizeof(fdt32_t)))
        return def;
    irqs += 3 * index;
    switch (fdt32_to_cpu(irqs[0])) {
    case 0: /* SPI */
        return 32 + fdt32_to_cpu(irqs[1]);
    case 1: /* PPI */
        return 16 + fdt32_to_cpu(irqs[1]);
    default:
        return def;
    }
}

static uint64_t affinity(void)
{
    return guest_read_mpidr() & 0xff00ffffffULL; /* Aff3, Aff2..Aff0 as IROUTER */
}

/* The distributor and this CPU's redistributor from the DTB's GICv3 node;
 * on a GICv2 only the distributor, whose first words are this CPU's. */
static bool gic_find(void)
{
    const void *fdt = guest_fdt();
    uint64_t gicr, size, aff = affinity();
    int node;

    gic_v2 = guest_gic_version() == 2;
    if (gic_v2) {
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-400");
        if (node < 0)
            node = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic");
        gicr_sgi = 0;
        return node >= 0 && guest_fdt_reg(fdt, node, 0, &gicd, NULL);
    }
    node = fdt ? fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3") : -1;
    if (node < 0 || !guest_fdt_reg(fdt, node, 0, &gicd, NULL) ||
        !guest_fdt_reg(fdt, node, 1, &gicr, &size))
        return false;
    aff = (aff >> 32) << 24 | (aff & 0xffffff);
    for (uint64_t off = 0; off < size;) {
        uint64_t typer = rd64(gicr + off + GICR_TYPER);

        if ((typer >> 32) == aff) {
            gicr_sgi = gicr + off + GICR_SGI_BASE;
            return true;
        }
        if (typer & GICR_TYPER_LAST)
            break;
        off += (typer & GICR_TYPER_VLPIS) ? GICR_FRAME_VLPI : GICR_FRAME;
    }
    return false;
}

static bool ppi_pending(uint32_t intid)
{
    if (gic_v2)
        return rd32(gicd + GICD_ISPENDR(0)) & (1U << intid);
    return rd32(gicr_sgi + GICR_ISPENDR0) & (1U << intid);
}

static bool cond_pending(void *arg)
{
    return ppi_pending(((const struct timer *)arg)->intid);
}

static bool cond_clear(void *arg)
{
    return !ppi_pending(((const struct timer *)arg)->intid);
}

static bool gicd_settled(void *arg)
{
    (void)arg;
    return gic_v2 || !(rd32(gicd + GICD_CTLR) & GICD_CTLR_RWP);
}

/* --- timers ------------------------------------------------------------------------- */

/* Fires the timer (CVAL = now, CTL = ENABLE), IRQs masked; true once pending. */
static bool timer_fire(const struct timer *t, uint64_t *waited_us)
{
    uint64_t start;
    bool pending;

    t->set_ctl(0);
    t->set_cval(t->count());
    start = guest_now_us();
    t->set_ctl(CTL_ENABLE);
    pending = guest_wait(cond_pending, (void *)t, PENDING_WAIT_US);
    *waited_us = guest_now_us() - start;
    return pending;
}

/*
 * With the timer pending, `ctl` turns its output off: it must leave
 * GICR_ISPENDR0 and, once IRQs are unmasked, not be taken.
 */
static void timer_quiet(const struct timer *t, uint64_t ctl, const char *how)
{
    uint64_t waited;
    unsigned before, intid_before;
    bool pending, clear;

    pending = timer_fire(t, &waited);
    tap_ok(pending, "%s pending in ISPENDR0 (INTID %u, after %llu us)", t->name, t->intid,
           (unsigned long long)waited);

    t->set_ctl(ctl);
    clear = guest_wait(cond_clear, (void *)t, CLEAR_WAIT_US);
    tap_ok(clear, "%s not pending in ISPENDR0 after %s (ISPENDR0 0x%08x)", t->name, how,
           (unsigned)rd32(gicr_sgi + GICR_ISPENDR0));

    before = guest_irq_count();
    intid_before = intid_count[t->intid];
    irqs_unmask();
    spin_us(QUIET_US);
    irqs_mask();
    tap_ok(guest_irq_count() == before,
           "%s: no interrupt taken in %d ms unmasked after %s (%u taken, INTID %u "
           "%u times)",
           t->name, QUIET_US / 1000, how, guest_irq_count() - before, t->intid,
           intid_count[t->intid] - intid_before);
}

/* After timer_quiet(..., ENABLE|IMASK): CTL = ENABLE must deliver it once. */
static void timer_reenable(const struct timer *t)
{
    unsigned before = guest_irq_count(), intid_before = intid_count[t->intid];
    uint64_t start;
    bool taken;

    t->set_ctl(CTL_ENABLE); /* CVAL is still in the past */
    start = guest_now_us();
    irqs_unmask();
    while (intid_count[t->intid] == intid_before &&
           guest_now_us() - start < PENDING_WAIT_US)
        __asm__ volatile("yield" ::: "memory");
    taken = intid_count[t->intid] != intid_before;
    spin_us(QUIET_US);
    irqs_mask();
    t->set_ctl(0);
    tap_ok(taken && intid_count[t->intid] - intid_before == 1 &&
               guest_irq_count() - before == 1,
           "%s interrupt taken once after CTL.ENABLE=1 IMASK=0 (INTID %u %u times, %u "
           "IRQs in all)",
           t->name, t->intid, intid_count[t->intid] - intid_before,
           guest_irq_count() - before);
}

static void check_timer(const struct timer *t)
{
    tap_diag("%s, INTID %u", t->name, t->intid);
    if (!guest_gic_init_ppi(t->intid)) {
        tap_ok(false, "%s: GIC set up for INTID %u", t->name, t->intid);
        return;
    }
    timer_quiet(t, 0, "CTL.ENABLE=0");
    timer_quiet(t, CTL_ENABLE | CTL_IMASK, "CTL.IMASK=1");
    timer_reenable(t);
}

static void check_physical_timer(struct timer *t)
{
    const void *fdt = guest_fdt();
    struct guest_exception exc;
    int node;

    /* interrupts = <secure phys>, <non-secure phys>, <virtual>, <hyp>. */
    node = fdt ? fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer") : -1;
    t->intid = node_intid(fdt, node, 1, PHYS_TIMER_INTID_DEF);

    guest_expect_exception();
    (void)pcount();
    (void)pget_ctl();
    if (guest_took_exception(&exc)) {
        tap_ok(false, "EL1 physical timer accessible (ESR_EL1 0x%08llx, EC 0x%02llx)",
               (unsigned long long)exc.esr, (unsigned long long)ESR_EC(exc.esr));
        return;
    }
    check_timer(t);
}

/* --- PL031 -------------------------------------------------------------------------- */

static bool cond_rtc_irq(void *arg)
{
    return intid_count[rtc_intid] >= (unsigned)(uintptr_t)arg;
}

static bool spi_pending(uint32_t intid)
{
    return rd32(gicd + GICD_ISPENDR(intid / 32)) & (1U << (intid % 32));
}

static bool cond_rtc_pending(void *arg)
{
    (void)arg;
    return spi_pending(rtc_intid);
}

static bool cond_rtc_clear(void *arg)
{
    (void)arg;
    return !spi_pending(rtc_intid);
}

/* Arms a match one second ahead: MR = DR + 1, the interrupt unmasked. */
static void rtc_arm(void)
{
    wr32(rtc_base + RTC_IMSC, 0);
    wr32(rtc_base + RTC_ICR, 1);
    wr32(rtc_base + RTC_MR, rd32(rtc_base + RTC_DR) + 1);
    wr32(rtc_base + RTC_IMSC, 1);
}

/* GICv2: routes SPI `intid` to this CPU (its own bit reads in ITARGETSR0)
 * as group 0, level-sensitive, and enables it. */
static void spi_enable_v2(uint32_t intid)
{
    unsigned n = intid / 32;
    uint32_t bit = 1U << (intid % 32);

    wr32(gicd + GICD_CTLR, rd32(gicd + GICD_CTLR) | GICD_V2_ENABLE);
    wr32(gicd + GICD_ICENABLER(n), bit);
    wr8(gicd + GICD_IPRIORITYR(intid), IRQ_PRIORITY);
    wr32(gicd + GICD_ICFGR(intid / 16),
         rd32(gicd + GICD_ICFGR(intid / 16)) & ~(2U << (2 * (intid % 16))));
    wr8(gicd + GICD_ITARGETSR(intid), (uint8_t)rd32(gicd + GICD_ITARGETSR(0)));
    wr32(gicd + GICD_ICPENDR(n), bit);
    wr32(gicd + GICD_ISENABLER(n), bit);
}

/* Routes SPI `intid` to this CPU as group 1, level-sensitive, and enables it. */
static void spi_enable(uint32_t intid)
{
    unsigned n = intid / 32;
    uint32_t bit = 1U << (intid % 32);

    if (gic_v2) {
        spi_enable_v2(intid);
        return;
    }
    wr32(gicd + GICD_CTLR, rd32(gicd + GICD_CTLR) | GICD_CTLR_ARE | GICD_CTLR_GRP1);
    if (!guest_wait(gicd_settled, NULL, 100000))
        tap_diag("GICD_CTLR.RWP stuck");
    wr32(gicd + GICD_ICENABLER(n), bit);
    if (!guest_wait(gicd_settled, NULL, 100000))
        tap_diag("GICD_CTLR.RWP stuck");
    wr32(gicd + GICD_IGROUPR(n), rd32(gicd + GICD_IGROUPR(n)) | bit);
    wr8(gicd + GICD_IPRIORITYR(intid), IRQ_PRIORITY);
    wr32(gicd + GICD_ICFGR(intid / 16),
         rd32(gicd + GICD_ICFGR(intid / 16)) & ~(2U << (2 * (intid % 16))));
    wr64(gicd + GICD_IROUTER(intid), affinity());
    wr32(gicd + GICD_ICPENDR(n), bit);
    wr32(gicd + GICD_ISENABLER(n), bit);
}

/* One RTC match (MR = DR + 1) with IRQs unmasked, then RTC_QUIET_US more. */
static void rtc_match(unsigned want_total, const char *what)
{
    uint64_t start;
    bool taken;

    irqs_mask();
    rtc_arm();
    start = guest_now_us();
    irqs_unmask();
    taken = guest_wait(cond_rtc_irq, (void *)(uintptr_t)want_total, RTC_WAIT_US);
    tap_diag("PL031 match interrupt %s after %llu us", taken ? "taken" : "not taken",
             (unsigned long long)(guest_now_us() - start));
    spin_us(RTC_QUIET_US);
    irqs_mask();
    tap_diag("INTID %u delivered %u times in all, RTCRIS %u", rtc_intid,
             intid_count[rtc_intid], (unsigned)(rd32(rtc_base + RTC_RIS) & 1));
    tap_ok(taken && intid_count[rtc_intid] == want_total,
           "PL031 match interrupt delivered %s (INTID %u, %u in all, want %u)", what,
           rtc_intid, intid_count[rtc_intid], want_total);
}

/*
 * The match asserts with IRQs masked and is cleared at the device before they
 * are unmasked: the level has gone, so the interrupt is neither pending nor
 * taken (a GIC that latched it would deliver an interrupt nobody raised).
 */
static void rtc_withdrawn(void)
{
    unsigned before = intid_count[rtc_intid], all = guest_irq_count();
    uint64_t start;
    bool pending, clear;

    irqs_mask();
    rtc_arm();
    start = guest_now_us();
    pending = guest_wait(cond_rtc_pending, NULL, RTC_WAIT_US);
    tap_ok(pending,
           "PL031 match interrupt pending in GICD_ISPENDR%u with IRQs masked "
           "(after %llu us)",
           rtc_intid / 32, (unsigned long long)(guest_now_us() - start));
    wr32(rtc_base + RTC_ICR, 1);
    clear = guest_wait(cond_rtc_clear, NULL, RTC_CLEAR_WAIT_US);
    tap_ok(clear, "PL031 match interrupt not pending after RTCICR=1 (RTCRIS %u)",
           (unsigned)(rd32(rtc_base + RTC_RIS) & 1));
    irqs_unmask();
    spin_us(RTC_QUIET_US);
    irqs_mask();
    tap_ok(intid_count[rtc_intid] == before && guest_irq_count() == all,
           "PL031 match interrupt cleared at the device while masked is not taken "
           "(INTID %u %u times, %u IRQs in all)",
           rtc_intid, intid_count[rtc_intid] - before, guest_irq_count() - all);
}

static void check_pl031(void)
{
    const void *fdt = guest_fdt();
    struct guest_exception exc = {0};
    uint32_t intid = RTC_INTID_DEF;
    uint32_t id0 = 0;
    int node;

    rtc_base = RTC_DEFAULT;
    node = fdt ? fdt_node_offset_by_compatible(fdt, -1, "arm,pl031") : -1;
    if (node >= 0) {
        if (!guest_fdt_reg(fdt, node, 0, &rtc_base, NULL))
            rtc_base = RTC_DEFAULT;
        intid = node_intid(fdt, node, 0, RTC_INTID_DEF);
    } else {
        tap_diag("no arm,pl031 node in the DTB; QEMU virt's at 0x%llx, INTID %u",
                 (unsigned long long)rtc_base, intid);
    }
    if (intid < 32 || intid >= MAX_INTID) {
        tap_ok(false, "PL031 has an SPI (INTID %u)", intid);
        return;
    }
    guest_expect_exception();
    id0 = rd32(rtc_base + RTC_PERIPHID0);
    if (guest_took_exception(&exc)) {
        tap_ok(false, "PL031 at 0x%llx reachable (ESR_EL1 0x%08llx)",
               (unsigned long long)rtc_base, (unsigned long long)exc.esr);
        return;
    }
    if (id0 != 0x31) {
        tap_ok(false, "PL031 at 0x%llx has PeriphID0 0x31 (reads 0x%x)",
               (unsigned long long)rtc_base, (unsigned)id0);
        return;
    }
    tap_diag("PL031 at 0x%llx, INTID %u", (unsigned long long)rtc_base, intid);

    wr32(rtc_base + RTC_IMSC, 0);
    wr32(rtc_base + RTC_ICR, 1);
    if (!(rd32(rtc_base + RTC_CR) & 1))
        wr32(rtc_base + RTC_CR, 1);
    rtc_intid = intid;
    spi_enable(intid);

    rtc_match(1, "once");
    rtc_match(2, "again, once");
    rtc_withdrawn();

    wr32(rtc_base + RTC_IMSC, 0);
    wr32(rtc_base + RTC_ICR, 1);
    wr32(gicd + GICD_ICENABLER(intid / 32), 1U << (intid % 32));
}

void guest_main(void)
{
    tap_diag("irqstate: pending state of the EL1 timers and a level-triggered SPI");
    vtimer.intid = guest_virtual_timer_intid();
    guest_set_irq_handler(on_irq);
    /* Distributor, redistributor and CPU interface on, then their addresses. */
    if (!guest_gic_init_ppi(vtimer.intid) || !gic_find())
        tap_bail("no usable GIC");
    check_timer(&vtimer);
    check_physical_timer(&ptimer);
    check_pl031();
    guest_set_irq_handler(NULL);
}
