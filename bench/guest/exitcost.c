/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Exit-cost benchmark guest: how long the guest-visible operations that a
 * hypervisor may have to handle take, measured from inside the guest with the
 * virtual counter (CNTVCT_EL0, ISB before and after each read).
 *
 * Operations that complete in the issuing instruction (a call, an MMIO read,
 * a trapped system register write) are timed in batches of BATCH back-to-back
 * operations: one sample is a batch's time divided by BATCH, which resolves
 * far below one counter tick (16 ns at QEMU virt's 62.5 MHz). Interrupts are
 * timed one per sample, from the instruction that causes them (or the timer's
 * compare value) to the first counter read in this guest's own IRQ vector.
 * EOIs are timed inside those handlers. Each operation prints
 *
 *   # bench <op> min=<ns> avg=<ns> max=<ns> n=<operations>
 *
 * or `# bench <op> skipped (<reason>)`, then the guest powers off. No TAP
 * results: it is a benchmark, bench/exit-cost.py makes a table of its lines.
 *
 * The guest uses the test-guest runtime (tests/guests/lib) for everything but
 * IRQs: it installs its own EL1 vector table, whose IRQ entry is a lean
 * handler here and whose other entries jump to the runtime's vectors.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include "guest.h"

/* Batched operations: BATCHES recorded batches after WARMUP_BATCHES. */
#define BATCH          10
#define BATCHES        20
#define WARMUP_BATCHES 3
/* Interrupts: EVENTS recorded samples after WARMUP_EVENTS. */
#define EVENTS         200
#define WARMUP_EVENTS  10

/* Time limits, in guest (counter) time. */
#define EVENT_TIMEOUT_US  1000000
#define CPU_ON_TIMEOUT_US 2000000
#define RTC_TIMEOUT_US    3000000
/* The virtual timer's compare value, this far after "now". */
#define TIMER_DELTA_US    20

/* SGI INTIDs: one nobody receives, one for CPU 1. */
#define SGI_NOBODY 1
#define SGI_IPI    2
#define IRQ_PRIO   0xa0

/* GICv3 distributor and redistributor registers (Arm IHI 0069). */
#define GICD_IIDR          0x0008
#define GICD_IGROUPR(n)    (0x0080 + 4 * (n))
#define GICD_ISENABLER(n)  (0x0100 + 4 * (n))
#define GICD_ICENABLER(n)  (0x0180 + 4 * (n))
#define GICD_ICPENDR(n)    (0x0280 + 4 * (n))
#define GICD_IPRIORITYR(i) (0x0400 + (i))
#define GICD_ICFGR(n)      (0x0c00 + 4 * (n))
#define GICD_IROUTER(i)    (0x6000 + 8 * (i))
#define GICR_IIDR          0x0004
#define GICR_TYPER         0x0008
#define GICR_TYPER_VLPIS   (1ULL << 1)
#define GICR_TYPER_LAST    (1ULL << 4)
#define GICR_SGI_BASE      0x10000
#define GICR_IGROUPR0      0x0080
#define GICR_ISENABLER0    0x0100
#define GICR_IPRIORITYR    0x0400
#define GICR_FRAME         0x20000
#define GICR_FRAME_VLPI    0x40000
/* GICv2 (IHI 0048B): distributor extras and the CPU interface. */
#define GICD_ITARGETSR(i)  (0x0800 + (i))
#define GICD_SGIR          0x0f00
#define GICC_IAR           0x000c
#define GICC_EOIR          0x0010

/* ICC_CTLR_EL1.EOImode: EOIR only drops the priority, DIR deactivates. */
#define ICC_CTLR_EOIMODE (1U << 1)

/* PL011 flag register. */
#define UART_FR 0x18

/* PL031 RTC (Arm DDI 0224). */
#define RTC_DR        0x00
#define RTC_MR        0x04
#define RTC_CR        0x0c
#define RTC_IMSC      0x10
#define RTC_RIS       0x14
#define RTC_ICR       0x1c
#define RTC_PERIPHID0 0xfe0

/* CNTV_CTL_EL0 */
#define CTL_ENABLE (1U << 0)
#define CTL_IMASK  (1U << 1)

/* GICv3 CPU interface registers by encoding. */
#define ICC_IAR1_EL1  S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_DIR_EL1   S3_0_C12_C11_1
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_CTLR_EL1  S3_0_C12_C12_4

/* Registers an SMCCC 1.0 callee may change besides x0. */
#define SMCCC_CLOBBERS                                                                   \
    "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",    \
        "x14", "x15", "x16", "x17", "memory"

/* --- time and statistics ------------------------------------------------------------ */

static uint64_t cntfrq;

static inline uint64_t cnt_read(void)
{
    uint64_t v;

    __asm__ volatile("isb\n\t"
                     "mrs %0, cntvct_el0\n\t"
                     "isb"
                     : "=r"(v)
                     :
                     : "memory");
    return v;
}

/*
 * Executes k (0..15) NOPs. Under -icount shift=0 an instruction takes 1 ns,
 * so this moves what follows by k ns against the counter's ticks (16 ns at
 * 62.5 MHz): sample i starts i % 16 ns later than it would, and the average
 * of the tick-quantized samples resolves below a tick instead of repeating
 * one rounding error. Without icount it is a few cycles of noise.
 */
static inline void dither(unsigned k)
{
    __asm__ volatile("adr x16, 1f\n\t"
                     "sub x16, x16, %0, lsl #2\n\t"
                     "br x16\n\t"
                     ".rept 15\n\t"
                     "nop\n\t"
                     ".endr\n"
                     "1:"
                     :
                     : "r"((uint64_t)(k & 15))
                     : "x16", "memory");
}

/* Samples in counter ticks; one sample covers `per` operations. */
struct stats {
    uint64_t min, max, sum;
    unsigned n, per;
};

static void stats_init(struct stats *s, unsigned per)
{
    *s = (struct stats){.min = UINT64_MAX, .per = per};
}

static void stats_add(struct stats *s, uint64_t ticks)
{
    if (ticks < s->min)
        s->min = ticks;
    if (ticks > s->max)
        s->max = ticks;
    s->sum += ticks;
    s->n++;
}

/* ticks / div in nanoseconds, rounded. */
static uint64_t ticks_ns(uint64_t ticks, uint64_t div)
{
    unsigned __int128 num = (unsigned __int128)ticks * 1000000000U;
    unsigned __int128 den = (unsigned __int128)cntfrq * div;

    return (uint64_t)((num + den / 2) / den);
}

static void report(const char *op, const struct stats *s)
{
    if (s->n == 0) {
        printf("# bench %s skipped (no samples)\n", op);
        return;
    }
    printf("# bench %s min=%llu avg=%llu max=%llu n=%u\n", op,
           (unsigned long long)ticks_ns(s->min, s->per),
           (unsigned long long)ticks_ns(s->sum, (uint64_t)s->n * s->per),
           (unsigned long long)ticks_ns(s->max, s->per), s->n * s->per);
}

static void skipped(const char *op, const char *reason)
{
    printf("# bench %s skipped (%s)\n", op, reason);
}

#define REP10(x) x x x x x x x x x x
_Static_assert(BATCH == 10, "REP10 must repeat BATCH times");

/* Times `stmt` in batches of BATCH into *st. */
#define BATCHED(st, stmt)                                                                \
    do {                                                                                 \
        stats_init((st), BATCH);                                                         \
        for (unsigned b_ = 0; b_ < WARMUP_BATCHES + BATCHES; b_++) {                     \
            uint64_t t0_;                                                                \
                                                                                         \
            dither(b_);                                                                  \
            t0_ = cnt_read();                                                            \
            REP10(stmt;)                                                                 \
            uint64_t t1_ = cnt_read();                                                   \
            if (b_ >= WARMUP_BATCHES)                                                    \
                stats_add((st), t1_ - t0_);                                              \
        }                                                                                \
    } while (0)

static inline void cpu_yield(void)
{
    __asm__ volatile("yield" ::: "memory");
}

/* Spins (with YIELD, which lets QEMU run the other vCPUs) until *count moves
 * away from `old`; false after timeout_us of counter time. */
static bool wait_change(volatile uint32_t *count, uint32_t old, uint64_t timeout_us)
{
    uint64_t start = 0;

    /* Nothing but the load and YIELD until the first 64 rounds are over: the
     * event being timed may still be on its way. */
    for (unsigned i = 0; __atomic_load_n(count, __ATOMIC_ACQUIRE) == old; i++) {
        cpu_yield();
        if ((i & 63) == 63) {
            uint64_t now = guest_now_us();

            if (i == 63)
                start = now;
            else if (now - start > timeout_us)
                return __atomic_load_n(count, __ATOMIC_ACQUIRE) != old;
        }
    }
    return true;
}

static inline void irqs_on(void)
{
    __asm__ volatile("msr daifclr, #2\n\tisb" ::: "memory");
}

static inline void irqs_off(void)
{
    __asm__ volatile("msr daifset, #2\n\tisb" ::: "memory");
}

static inline uint32_t mmio_read32(uint64_t addr)
{
    uint32_t v;

    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    __asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

static inline void mmio_write64(uint64_t addr, uint64_t v)
{
    __asm__ volatile("str %0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

static inline uint64_t mmio_read64(uint64_t addr)
{
    uint64_t v;

    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void mmio_write8(uint64_t addr, uint8_t v)
{
    __asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

/* True (and *v read) when a 32-bit read of addr does not fault. */
static bool mmio_probe32(uint64_t addr, uint32_t *v)
{
    struct guest_exception exc;

    guest_expect_exception();
    *v = mmio_read32(addr);
    return !guest_took_exception(&exc);
}

/* --- the operations themselves ------------------------------------------------------ */

static inline void hvc_psci_version(void)
{
    register uint64_t x0 __asm__("x0") = PSCI_VERSION;

    __asm__ volatile("hvc #0" : "+r"(x0) : : SMCCC_CLOBBERS);
}

static inline void smc_psci_version(void)
{
    register uint64_t x0 __asm__("x0") = PSCI_VERSION;

    __asm__ volatile("smc #0" : "+r"(x0) : : SMCCC_CLOBBERS);
}

/* OP-TEE's CALLS_REVISION (fast call, SMC32, Trusted OS owner 63): the
 * empty call to a trusted OS (examples/tee-pairer/optee.h). */
#define OPTEE_CALLS_REVISION 0xbf00ff03u

static inline void smc_tee_revision(void)
{
    register uint64_t x0 __asm__("x0") = OPTEE_CALLS_REVISION;

    __asm__ volatile("smc #0" : "+r"(x0) : : SMCCC_CLOBBERS);
}

/* GICv2: the distributor and CPU interface (set by gic_find()). */
static bool gic_v2;
static uint64_t gic_v2_gicd, gic_v2_gicc;

/* An SGI: ICC_SGI1R_EL1, or on a GICv2 its GICD_SGIR equivalent (the target
 * list from TargetList, Aff0 < 8 being the CPU interface number). */
static inline void sgi1r_write(uint64_t v)
{
    if (gic_v2) {
        mmio_write32(gic_v2_gicd + GICD_SGIR,
                     (uint32_t)(v & 0xff) << 16 | (uint32_t)(v >> 24 & 0xf));
        return;
    }
    sysreg_write(ICC_SGI1R_EL1, v);
}

/* ICC_SGI1R_EL1 value sending SGI `intid` to the CPU with MPIDR `mpidr`. */
static uint64_t sgi1r_for(uint64_t mpidr, unsigned intid)
{
    uint64_t aff0 = mpidr & 0xff, aff1 = (mpidr >> 8) & 0xff;
    uint64_t aff2 = (mpidr >> 16) & 0xff, aff3 = (mpidr >> 32) & 0xff;

    return aff3 << 48 | (aff0 / 16) << 44 | aff2 << 32 | (uint64_t)intid << 24 |
           aff1 << 16 | 1ULL << (aff0 % 16);
}

/* --- device tree -------------------------------------------------------------------- */

static uint64_t cells(const fdt32_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

/* MPIDR of a CPU in /cpus other than this one; false when there is none. */
static bool other_cpu_mpidr(uint64_t *mpidr)
{
    const void *fdt = guest_fdt();
    uint64_t self = guest_read_mpidr();
    int cpus = fdt != NULL ? fdt_path_offset(fdt, "/cpus") : -1;
    int node, ac;

    if (cpus < 0)
        return false;
    ac = fdt_address_cells(fdt, cpus);
    fdt_for_each_subnode(node, fdt, cpus)
    {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        const fdt32_t *reg;
        int len;

        if (type == NULL || strcmp(type, "cpu") != 0)
            continue;
        reg = fdt_getprop(fdt, node, "reg", &len);
        if (reg == NULL || ac < 1 || ac > 2 || len < ac * 4)
            continue;
        if ((cells(reg, ac) & 0xff00ffffffULL) != self) {
            *mpidr = cells(reg, ac) & 0xff00ffffffULL;
            return true;
        }
    }
    return false;
}

/* --- GIC ---------------------------------------------------------------------------- */

static struct {
    bool ok;
    uint64_t gicd, gicr, gicr_size;
    bool eoi_mode; /* ICC_CTLR_EL1.EOImode */
} gic;

static bool gic_find(void)
{
    const void *fdt = guest_fdt();
    uint64_t base[2], size[2];
    int node = fdt != NULL ? fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3") : -1;

    if (node < 0 && fdt != NULL && guest_gic_version() == 2) {
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic");
        if (node < 0)
            node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-400");
        gic_v2 = node >= 0;
    }
    if (node < 0 || !guest_fdt_reg(fdt, node, 0, &base[0], &size[0]) ||
        !guest_fdt_reg(fdt, node, 1, &base[1], &size[1]))
        return false;
    gic.gicd = base[0];
    gic.gicr = base[1];
    gic.gicr_size = size[1];
    if (gic_v2) {
        gic_v2_gicd = base[0];
        gic_v2_gicc = base[1];
        gic.gicr_size = 0; /* no redistributors */
    }
    return true;
}

/* The redistributor of the CPU with MPIDR `mpidr`, or 0. */
static uint64_t gic_rd(uint64_t mpidr)
{
    uint64_t aff = ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff);

    for (uint64_t off = 0; off < gic.gicr_size;) {
        uint64_t typer = mmio_read64(gic.gicr + off + GICR_TYPER);

        if ((typer >> 32) == aff)
            return gic.gicr + off;
        if (typer & GICR_TYPER_LAST)
            break;
        off += (typer & GICR_TYPER_VLPIS) ? GICR_FRAME_VLPI : GICR_FRAME;
    }
    return 0;
}

/* This CPU's GIC: distributor, redistributor, CPU interface (the runtime does
 * that with the timer PPI), then SGI `sgi` enabled in group 1. */
static bool gic_cpu_up(unsigned sgi)
{
    uint64_t rd;

    if (!guest_gic_init_ppi(guest_virtual_timer_intid()))
        return false;
    if (gic_v2) { /* group 0; the banked first words are this CPU's */
        mmio_write8(gic.gicd + GICD_IPRIORITYR(sgi), IRQ_PRIO);
        mmio_write32(gic.gicd + GICD_ISENABLER(0), 1U << sgi);
        return true;
    }
    rd = gic_rd(guest_read_mpidr());
    if (rd == 0)
        return false;
    mmio_write32(rd + GICR_SGI_BASE + GICR_IGROUPR0,
                 mmio_read32(rd + GICR_SGI_BASE + GICR_IGROUPR0) | 1U << sgi);
    mmio_write8(rd + GICR_SGI_BASE + GICR_IPRIORITYR + sgi, IRQ_PRIO);
    mmio_write32(rd + GICR_SGI_BASE + GICR_ISENABLER0, 1U << sgi);
    return true;
}

/* An SPI, level-triggered, group 1, routed to the CPU with MPIDR `mpidr`. */
static void gic_enable_spi(uint32_t intid, uint64_t mpidr)
{
    uint64_t d = gic.gicd;
    uint64_t route = ((mpidr >> 32) & 0xff) << 32 | (mpidr & 0xffffff);
    uint32_t cfg_bit = 1U << (2 * (intid % 16) + 1);

    mmio_write32(d + GICD_ICENABLER(intid / 32), 1U << intid % 32);
    if (gic_v2) { /* group 0, to this CPU's interface (its bit in ITARGETSR0) */
        mmio_write32(d + GICD_ICFGR(intid / 16),
                     mmio_read32(d + GICD_ICFGR(intid / 16)) & ~cfg_bit);
        mmio_write8(d + GICD_IPRIORITYR(intid), IRQ_PRIO);
        mmio_write8(d + GICD_ITARGETSR(intid),
                    (uint8_t)mmio_read32(d + GICD_ITARGETSR(0)));
        mmio_write32(d + GICD_ICPENDR(intid / 32), 1U << intid % 32);
        mmio_write32(d + GICD_ISENABLER(intid / 32), 1U << intid % 32);
        return;
    }
    mmio_write32(d + GICD_IGROUPR(intid / 32),
                 mmio_read32(d + GICD_IGROUPR(intid / 32)) | 1U << intid % 32);
    mmio_write32(d + GICD_ICFGR(intid / 16),
                 mmio_read32(d + GICD_ICFGR(intid / 16)) & ~cfg_bit);
    mmio_write8(d + GICD_IPRIORITYR(intid), IRQ_PRIO);
    mmio_write64(d + GICD_IROUTER(intid), route);
    mmio_write32(d + GICD_ICPENDR(intid / 32), 1U << intid % 32);
    mmio_write32(d + GICD_ISENABLER(intid / 32), 1U << intid % 32);
}

static void gic_disable_spi(uint32_t intid)
{
    mmio_write32(gic.gicd + GICD_ICENABLER(intid / 32), 1U << intid % 32);
}

/* --- IRQs: our own vectors ---------------------------------------------------------- */

/*
 * EL1 vectors for this guest: the IRQ entry from the current EL (SP_EL1,
 * index 5) saves the caller-saved registers and calls exitcost_irq(); every
 * other entry jumps to the runtime's entry of the same index.
 */
void exitcost_irq(void);
__asm__(".pushsection .text.exitcost_vectors, \"ax\"\n"
        ".balign 2048\n"
        ".globl exitcost_vectors\n"
        "exitcost_vectors:\n"
        ".irp i, 0, 1, 2, 3, 4\n"
        ".balign 0x80\n"
        "b guest_vectors + \\i * 0x80\n"
        ".endr\n"
        ".balign 0x80\n"
        "sub sp, sp, #160\n"
        "stp x0, x1, [sp, #0]\n"
        "stp x2, x3, [sp, #16]\n"
        "stp x4, x5, [sp, #32]\n"
        "stp x6, x7, [sp, #48]\n"
        "stp x8, x9, [sp, #64]\n"
        "stp x10, x11, [sp, #80]\n"
        "stp x12, x13, [sp, #96]\n"
        "stp x14, x15, [sp, #112]\n"
        "stp x16, x17, [sp, #128]\n"
        "stp x18, x30, [sp, #144]\n"
        "bl exitcost_irq\n"
        "ldp x18, x30, [sp, #144]\n"
        "ldp x16, x17, [sp, #128]\n"
        "ldp x14, x15, [sp, #112]\n"
        "ldp x12, x13, [sp, #96]\n"
        "ldp x10, x11, [sp, #80]\n"
        "ldp x8, x9, [sp, #64]\n"
        "ldp x6, x7, [sp, #48]\n"
        "ldp x4, x5, [sp, #32]\n"
        "ldp x2, x3, [sp, #16]\n"
        "ldp x0, x1, [sp, #0]\n"
        "add sp, sp, #160\n"
        "eret\n"
        ".irp i, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
        ".balign 0x80\n"
        "b guest_vectors + \\i * 0x80\n"
        ".endr\n"
        ".popsection\n");
extern char exitcost_vectors[];

static void install_vectors(void)
{
    sysreg_write(vbar_el1, (uint64_t)(uintptr_t)exitcost_vectors);
    __asm__ volatile("isb");
}

/* What the handler saw, per source; `count` is published last. */
struct irq_record {
    volatile uint64_t t;   /* CNTVCT at handler entry */
    volatile uint64_t eoi; /* ticks of EOIR (+ DIR) */
    volatile uint32_t count;
};

static struct irq_record rec_sgi, rec_timer, rec_rtc;
/* dither() of the handler before it reads the counter and before the EOI:
 * set by the CPU that measures, before each event. */
static volatile unsigned irq_dither;
static uint32_t timer_intid;
static struct {
    bool ok;
    uint64_t base;
    uint32_t intid;
} rtc;
static volatile uint32_t irq_unexpected;

/* End an interrupt: EOIR (and DIR with EOImode), or GICC_EOIR on a GICv2. */
static inline void eoi(uint64_t iar)
{
    if (gic_v2) {
        mmio_write32(gic_v2_gicc + GICC_EOIR, (uint32_t)iar);
        return;
    }
    sysreg_write(ICC_EOIR1_EL1, iar);
    if (gic.eoi_mode)
        sysreg_write(ICC_DIR_EL1, iar);
}

static void irq_done(struct irq_record *r, uint64_t t, uint64_t iar)
{
    uint64_t t0, t1;

    dither(irq_dither);
    t0 = cnt_read();
    eoi(iar);
    t1 = cnt_read();
    r->t = t;
    r->eoi = t1 - t0;
    __atomic_store_n(&r->count, r->count + 1, __ATOMIC_RELEASE);
}

void exitcost_irq(void)
{
    uint64_t t, iar;
    uint32_t intid;

    dither(irq_dither);
    t = cnt_read();
    iar = gic_v2 ? mmio_read32(gic_v2_gicc + GICC_IAR) : sysreg_read(ICC_IAR1_EL1);
    intid = (uint32_t)(iar & (gic_v2 ? 0x3ff : 0xffffff));

    if (intid >= 1020 && intid <= 1023)
        return; /* spurious */
    if (intid == SGI_IPI) {
        irq_done(&rec_sgi, t, iar);
    } else if (intid == timer_intid) {
        sysreg_write(cntv_ctl_el0, CTL_IMASK); /* the line drops */
        __asm__ volatile("isb");
        irq_done(&rec_timer, t, iar);
    } else if (rtc.ok && intid == rtc.intid) {
        mmio_write32(rtc.base + RTC_IMSC, 0); /* the line drops */
        __asm__ volatile("dsb sy" ::: "memory");
        irq_done(&rec_rtc, t, iar);
    } else {
        irq_unexpected++;
        eoi(iar);
    }
}

/* --- operations 1-6: batched -------------------------------------------------------- */

static void bench_calls(void)
{
    struct stats st;
    struct smccc_res r;

    BATCHED(&st, hvc_psci_version());
    report("hvc-null", &st);

    if (guest_bare_metal()) {
        skipped("smc-null", "bare metal: SMC is UNDEFINED without EL2 or EL3");
    } else {
        r = smccc_call(CONDUIT_SMC, PSCI_VERSION, 0, 0, 0);
        if (r.undefined) {
            skipped("smc-null", "SMC is UNDEFINED");
        } else {
            BATCHED(&st, smc_psci_version());
            report("smc-null", &st);
        }
    }

    /* A round trip to the VM's own trusted OS (the TEE pairer): only when
     * its DTB says there is one. */
    if (guest_fdt() == NULL || fdt_path_offset(guest_fdt(), "/firmware/optee") < 0) {
        skipped("tee-call", "no trusted OS: no /firmware/optee in the DTB");
    } else {
        BATCHED(&st, smc_tee_revision());
        report("tee-call", &st);
    }
}

static void bench_mmio_sysreg(void)
{
    struct stats st;
    uint64_t rd = gic.ok ? gic_rd(guest_read_mpidr()) : 0;
    uint32_t v;

    if (gic.ok) {
        BATCHED(&st, (void)mmio_read32(gic.gicd + GICD_IIDR));
        report("gicd-read", &st);
    } else {
        skipped("gicd-read", "no usable GIC");
    }
    if (rd != 0) {
        BATCHED(&st, (void)mmio_read32(rd + GICR_IIDR));
        report("gicr-read", &st);
    } else {
        skipped("gicr-read",
                gic_v2 ? "GICv2: no redistributors" : "no redistributor for this CPU");
    }
    if (mmio_probe32(GUEST_UART_BASE + UART_FR, &v)) {
        BATCHED(&st, (void)mmio_read32(GUEST_UART_BASE + UART_FR));
        report("uart-read", &st);
    } else {
        skipped("uart-read", "UARTFR not readable");
    }
    if (gic.ok) {
        /* TargetList 0, IRM 0: an SGI for nobody. */
        BATCHED(&st, sgi1r_write((uint64_t)SGI_NOBODY << 24));
        report("sgi1r-write", &st);
    } else {
        skipped("sgi1r-write", "no usable GIC");
    }
}

/* --- operation 7 (and EOI of an SGI): an SGI to another vCPU ------------------------ */

static volatile uint32_t cpu1_state; /* 1: waiting for SGIs, 2: GIC failed, 3: done */
static volatile bool cpu1_quit;

static void cpu1_main(uint64_t context_id)
{
    (void)context_id;
    install_vectors();
    if (!gic_cpu_up(SGI_IPI)) {
        __atomic_store_n(&cpu1_state, 2, __ATOMIC_RELEASE);
        return;
    }
    __atomic_store_n(&cpu1_state, 1, __ATOMIC_RELEASE);
    irqs_on();
    while (!__atomic_load_n(&cpu1_quit, __ATOMIC_ACQUIRE))
        __asm__ volatile("wfi" ::: "memory");
    irqs_off();
    __atomic_store_n(&cpu1_state, 3, __ATOMIC_RELEASE);
    /* Returning powers this CPU off (PSCI CPU_OFF, in the runtime). */
}

static bool cpu1_state_set(void *arg)
{
    (void)arg;
    return __atomic_load_n(&cpu1_state, __ATOMIC_ACQUIRE) != 0;
}

static bool cpu1_done(void *arg)
{
    (void)arg;
    return __atomic_load_n(&cpu1_state, __ATOMIC_ACQUIRE) == 3;
}

static void bench_ipi(void)
{
    char why[80];
    uint64_t mpidr, sgi1r;
    struct smccc_res r;
    struct stats lat, eoi;
    bool timed_out = false;

    if (!gic.ok) {
        skipped("sgi-ipi", "no usable GIC");
        skipped("eoi-sgi", "no usable GIC");
        return;
    }
    if (!other_cpu_mpidr(&mpidr)) {
        skipped("sgi-ipi", "one CPU");
        skipped("eoi-sgi", "one CPU");
        return;
    }
    guest_cpu_prepare(1, mpidr, cpu1_main);
    r = smccc_call(CONDUIT_HVC, PSCI_CPU_ON_64, mpidr, guest_secondary_entry_pa(), 1);
    if (r.undefined || r.a0 != PSCI_RET_SUCCESS ||
        !guest_wait(cpu1_state_set, NULL, CPU_ON_TIMEOUT_US) || cpu1_state != 1) {
        snprintf(why, sizeof(why), "CPU_ON of MPIDR 0x%llx: %lld, CPU state %u",
                 (unsigned long long)mpidr, (long long)r.a0, (unsigned)cpu1_state);
        skipped("sgi-ipi", why);
        skipped("eoi-sgi", why);
        return;
    }

    sgi1r = sgi1r_for(mpidr, SGI_IPI);
    stats_init(&lat, 1);
    stats_init(&eoi, 1);
    for (unsigned i = 0; i < WARMUP_EVENTS + EVENTS; i++) {
        uint32_t before = __atomic_load_n(&rec_sgi.count, __ATOMIC_ACQUIRE);
        uint64_t t0;

        irq_dither = i;
        __asm__ volatile("dmb ish" ::: "memory"); /* CPU 1 reads it */
        t0 = cnt_read();

        sgi1r_write(sgi1r);
        if (!wait_change(&rec_sgi.count, before, EVENT_TIMEOUT_US)) {
            timed_out = true;
            break;
        }
        if (i >= WARMUP_EVENTS) {
            stats_add(&lat, rec_sgi.t - t0);
            stats_add(&eoi, rec_sgi.eoi);
        }
        /* Let CPU 1 get back into WFI. */
        for (unsigned k = 0; k < 8; k++)
            cpu_yield();
    }
    if (timed_out) {
        snprintf(why, sizeof(why), "SGI %u to CPU 1 not handled within %u ms", SGI_IPI,
                 EVENT_TIMEOUT_US / 1000);
        skipped("sgi-ipi", why);
        skipped("eoi-sgi", why);
    } else {
        report("sgi-ipi", &lat);
        report("eoi-sgi", &eoi);
    }

    /* CPU 1 leaves its WFI loop at the next SGI and powers itself off. */
    __atomic_store_n(&cpu1_quit, true, __ATOMIC_RELEASE);
    sgi1r_write(sgi1r);
    if (!guest_wait(cpu1_done, NULL, CPU_ON_TIMEOUT_US))
        tap_diag("exitcost: CPU 1 did not stop");
}

/* --- operation 9 (and EOI of the virtual timer) ------------------------------------- */

static void bench_timer(void)
{
    uint64_t delta = cntfrq * TIMER_DELTA_US / 1000000;
    struct stats lat, eoi;
    bool timed_out = false;

    if (!gic.ok) {
        skipped("vtimer-irq", "no usable GIC");
        skipped("eoi-vtimer", "no usable GIC");
        return;
    }
    stats_init(&lat, 1);
    stats_init(&eoi, 1);
    sysreg_write(cntv_ctl_el0, 0);
    irqs_on();
    for (unsigned i = 0; i < WARMUP_EVENTS + EVENTS; i++) {
        uint32_t before = __atomic_load_n(&rec_timer.count, __ATOMIC_ACQUIRE);
        uint64_t cval;

        irq_dither = i;
        cval = cnt_read() + delta;

        sysreg_write(cntv_cval_el0, cval);
        sysreg_write(cntv_ctl_el0, CTL_ENABLE);
        __asm__ volatile("isb");
        if (!wait_change(&rec_timer.count, before, EVENT_TIMEOUT_US)) {
            timed_out = true;
            break;
        }
        if (i >= WARMUP_EVENTS) {
            stats_add(&lat, rec_timer.t > cval ? rec_timer.t - cval : 0);
            stats_add(&eoi, rec_timer.eoi);
        }
    }
    irqs_off();
    sysreg_write(cntv_ctl_el0, 0);
    if (timed_out) {
        skipped("vtimer-irq", "virtual timer interrupt not taken within 1 s");
        skipped("eoi-vtimer", "virtual timer interrupt not taken within 1 s");
    } else {
        report("vtimer-irq", &lat);
        report("eoi-vtimer", &eoi);
    }
}

/* --- operation 10 (and EOI of an SPI): a passed-through device's interrupt ---------- */

/* The PL031 from the DTB: reg and interrupts (3 cells: SPI/PPI, number, flags). */
static bool rtc_find(void)
{
    const void *fdt = guest_fdt();
    int node = fdt != NULL ? fdt_node_offset_by_compatible(fdt, -1, "arm,pl031") : -1;
    uint64_t base, size;
    const fdt32_t *irq;
    int len;

    if (node < 0 || !guest_fdt_reg(fdt, node, 0, &base, &size))
        return false;
    irq = fdt_getprop(fdt, node, "interrupts", &len);
    if (irq == NULL || len < 12 || fdt32_to_cpu(irq[0]) != 0)
        return false;
    rtc.base = base;
    rtc.intid = 32 + fdt32_to_cpu(irq[1]);
    return rtc.intid < 1020;
}

static bool rtc_raw_set(void *arg)
{
    (void)arg;
    return (mmio_read32(rtc.base + RTC_RIS) & 1) != 0;
}

/*
 * Makes the PL031's raw match interrupt status stay set: with IMSC = 0 the
 * line stays low, and each IMSC = 1 then raises it at once. QEMU's model
 * matches at once when MR is written with the current count; a real PL031
 * matches when the counter next reaches MR, within a second.
 */
static bool rtc_arm(void)
{
    mmio_write32(rtc.base + RTC_IMSC, 0);
    mmio_write32(rtc.base + RTC_ICR, 1);
    mmio_write32(rtc.base + RTC_CR, 1);
    mmio_write32(rtc.base + RTC_MR, mmio_read32(rtc.base + RTC_DR));
    if (rtc_raw_set(NULL))
        return true;
    mmio_write32(rtc.base + RTC_MR, mmio_read32(rtc.base + RTC_DR) + 1);
    return guest_wait(rtc_raw_set, NULL, RTC_TIMEOUT_US);
}

static void bench_rtc(void)
{
    struct stats lat, eoi;
    bool timed_out = false;
    uint32_t id;

    if (!gic.ok) {
        skipped("pl031-irq", "no usable GIC");
        skipped("eoi-spi", "no usable GIC");
        return;
    }
    if (!rtc_find()) {
        skipped("pl031-irq", "no arm,pl031 node with an SPI in the DTB");
        skipped("eoi-spi", "no arm,pl031 node with an SPI in the DTB");
        return;
    }
    if (!mmio_probe32(rtc.base + RTC_PERIPHID0, &id) || (id & 0xff) != 0x31) {
        skipped("pl031-irq", "PL031 not accessible");
        skipped("eoi-spi", "PL031 not accessible");
        return;
    }
    if (!rtc_arm()) {
        skipped("pl031-irq", "PL031 match interrupt never raised");
        skipped("eoi-spi", "PL031 match interrupt never raised");
        return;
    }
    rtc.ok = true;
    gic_enable_spi(rtc.intid, guest_read_mpidr());
    stats_init(&lat, 1);
    stats_init(&eoi, 1);
    irqs_on();
    for (unsigned i = 0; i < WARMUP_EVENTS + EVENTS; i++) {
        uint32_t before = __atomic_load_n(&rec_rtc.count, __ATOMIC_ACQUIRE);
        uint64_t t0;

        irq_dither = i;
        t0 = cnt_read();

        mmio_write32(rtc.base + RTC_IMSC, 1);
        if (!wait_change(&rec_rtc.count, before, EVENT_TIMEOUT_US)) {
            timed_out = true;
            break;
        }
        if (i >= WARMUP_EVENTS) {
            stats_add(&lat, rec_rtc.t - t0);
            stats_add(&eoi, rec_rtc.eoi);
        }
    }
    irqs_off();
    mmio_write32(rtc.base + RTC_IMSC, 0);
    mmio_write32(rtc.base + RTC_ICR, 1);
    gic_disable_spi(rtc.intid);
    rtc.ok = false;
    if (timed_out) {
        skipped("pl031-irq", "PL031 interrupt not taken within 1 s");
        skipped("eoi-spi", "PL031 interrupt not taken within 1 s");
    } else {
        report("pl031-irq", &lat);
        report("eoi-spi", &eoi);
    }
}

/* --- main --------------------------------------------------------------------------- */

void guest_main(void)
{
    cntfrq = sysreg_read(cntfrq_el0);
    if (cntfrq == 0)
        cntfrq = 62500000; /* QEMU virt's, should firmware have left it unset */
    timer_intid = guest_virtual_timer_intid();
    install_vectors();
    printf("# exitcost: CNTFRQ %llu Hz; batched ops: %u x %u after %u warm-up batches; "
           "interrupts: %u after %u warm-up\n",
           (unsigned long long)cntfrq, BATCHES, BATCH, WARMUP_BATCHES, EVENTS,
           WARMUP_EVENTS);

    gic.ok = gic_find() && gic_cpu_up(SGI_IPI);
    if (gic.ok && !gic_v2)
        gic.eoi_mode = (sysreg_read(ICC_CTLR_EL1) & ICC_CTLR_EOIMODE) != 0;
    if (gic.ok)
        printf("# exitcost: GICv%u, GICD 0x%llx, GICR/GICC 0x%llx, EOImode %u\n",
               gic_v2 ? 2u : 3u, (unsigned long long)gic.gicd,
               (unsigned long long)gic.gicr, (unsigned)gic.eoi_mode);

    bench_calls();
    bench_mmio_sysreg();
    bench_ipi();
    bench_timer();
    bench_rtc();
    if (irq_unexpected != 0)
        printf("# exitcost: %u unexpected interrupts\n", (unsigned)irq_unexpected);
    printf("# exitcost: done\n");
}
