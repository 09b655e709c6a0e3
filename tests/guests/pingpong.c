/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest for the partitioner: two VMs ping-pong through the memory they
 * share and its doorbells (examples/partitioner/configs/qemu-virt-pingpong.dts).
 *
 * Each finds in its DTB the shared region
 * (/reserved-memory/shared-memory@<base>, compatible "libhyp,shared-memory")
 * and the SPI that rings it (that node's interrupts), enables that SPI as an
 * edge interrupt routed to itself, and rings the other VM with the
 * partitioner's doorbell call (HVC, function 0x86000010, x1 = the region's
 * base). Its role is its command line: "pingpong=ping" or "pingpong=pong".
 * pong announces itself ready in the region; ping then writes sequence
 * numbers 1..ROUNDS one at a time and rings; pong copies each into its own
 * slot and rings back; ping waits for every answer (with a timeout: a lost
 * doorbell fails the test) and reports the round-trip time as
 * "# bench pingpong min=.. avg=.. max=.. n=.." in ns of guest counter time.
 * Prints TAP.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include "lib/guest.h"

#define ROUNDS         10000u
#define DOORBELL_FID   0x86000010u
#define WAIT_US        2000000u
#define READY          0x52454459u /* "REDY" */
#define GICD_CTLR      0x0000
#define GICD_CTLR_ARE  (1U << 4)
#define GICD_CTLR_GRP1 (1U << 1)
#define GICD_IGROUPR   0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICPENDR   0x0280
#define GICD_IPRIO     0x0400
#define GICD_ICFGR     0x0c00
#define GICD_IROUTER   0x6000

/* The shared region's layout: each side's word on its own cache line. */
struct mailbox {
    volatile uint32_t ready;
    uint32_t pad0[15];
    volatile uint32_t ping;
    uint32_t pad1[15];
    volatile uint32_t pong;
};

static volatile unsigned rung; /* doorbells taken */
static uint32_t bell_intid;

static void on_irq(uint32_t intid)
{
    if (intid == bell_intid)
        rung++;
}

static void wr32(uint64_t a, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)a = v;
}

static uint32_t rd32(uint64_t a)
{
    return *(volatile uint32_t *)(uintptr_t)a;
}

/* The doorbell SPI: group 1, edge, routed here, enabled. */
static void enable_bell(uint64_t gicd)
{
    unsigned n = bell_intid / 32;
    uint32_t bit = 1u << (bell_intid % 32);
    uint64_t mpidr = guest_read_mpidr();

    wr32(gicd + GICD_CTLR, rd32(gicd + GICD_CTLR) | GICD_CTLR_ARE | GICD_CTLR_GRP1);
    wr32(gicd + GICD_IGROUPR + 4 * n, rd32(gicd + GICD_IGROUPR + 4 * n) | bit);
    *(volatile uint8_t *)(uintptr_t)(gicd + GICD_IPRIO + bell_intid) = 0xa0;
    wr32(gicd + GICD_ICFGR + 4 * (bell_intid / 16),
         rd32(gicd + GICD_ICFGR + 4 * (bell_intid / 16)) | 2u << (2 * (bell_intid % 16)));
    *(volatile uint64_t *)(uintptr_t)(gicd + GICD_IROUTER + 8 * bell_intid) =
        mpidr & 0xff00ffffffULL;
    wr32(gicd + GICD_ICPENDR + 4 * n, bit);
    wr32(gicd + GICD_ISENABLER + 4 * n, bit);
}

static bool ring(uint64_t base)
{
    return smccc_call(CONDUIT_HVC, DOORBELL_FID, base, 0, 0).a0 == 0;
}

/* Sleep until @word holds @want (doorbells wake us), at most WAIT_US. */
static bool wait_for(volatile uint32_t *word, uint32_t want)
{
    uint64_t end = guest_now_us() + WAIT_US;

    while (*word != want) {
        if (guest_now_us() > end)
            return false;
        __asm__ volatile("wfi" ::: "memory");
    }
    return true;
}

static uint64_t ns(uint64_t ticks)
{
    return ticks * 1000000000ULL / sysreg_read(cntfrq_el0);
}

static void ping(uint64_t base, struct mailbox *mb)
{
    uint64_t min = UINT64_MAX, max = 0, total = 0;
    unsigned done = 0;

    tap_ok(wait_for(&mb->ready, READY), "pong is ready");
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        uint64_t t0 = sysreg_read(cntvct_el0), dt;

        mb->ping = i;
        __asm__ volatile("dsb ish" ::: "memory");
        if (!ring(base) || !wait_for(&mb->pong, i))
            break;
        dt = sysreg_read(cntvct_el0) - t0;
        min = dt < min ? dt : min;
        max = dt > max ? dt : max;
        total += dt;
        done++;
    }
    tap_ok(done == ROUNDS, "%u of %u round trips, none lost (%u doorbells taken)", done,
           ROUNDS, (unsigned)rung);
    if (done != 0)
        printf("# bench pingpong min=%llu avg=%llu max=%llu n=%u\n",
               (unsigned long long)ns(min), (unsigned long long)ns(total / done),
               (unsigned long long)ns(max), done);
    mb->ready = 0;
}

static void pong(uint64_t base, struct mailbox *mb)
{
    uint32_t seen = 0;

    mb->pong = 0;
    __asm__ volatile("dsb ish" ::: "memory");
    mb->ready = READY;
    while (seen < ROUNDS) {
        uint32_t now;

        if (!wait_for(&mb->ping, seen + 1))
            break;
        now = mb->ping;
        mb->pong = now;
        __asm__ volatile("dsb ish" ::: "memory");
        if (!ring(base))
            break;
        seen = now;
    }
    tap_ok(seen == ROUNDS, "answered %u of %u pings (%u doorbells taken)", seen, ROUNDS,
           (unsigned)rung);
}

void guest_main(void)
{
    const void *fdt = guest_fdt();
    int chosen = fdt ? fdt_path_offset(fdt, "/chosen") : -1;
    const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
    int shm = fdt ? fdt_node_offset_by_compatible(fdt, -1, "libhyp,shared-memory") : -1;
    int gic = fdt ? fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3") : -1;
    const fdt32_t *irq = shm >= 0 ? fdt_getprop(fdt, shm, "interrupts", NULL) : NULL;
    bool is_ping = args != NULL && strstr(args, "pingpong=ping") != NULL;
    uint64_t base = 0, size = 0, gicd = 0;

    tap_diag("pingpong: %s over a shared region and its doorbells",
             is_ping ? "ping" : "pong");
    if (shm < 0 || !guest_fdt_reg(fdt, shm, 0, &base, &size) || irq == NULL || gic < 0 ||
        !guest_fdt_reg(fdt, gic, 0, &gicd, NULL))
        tap_bail("no shared-memory node with a doorbell, or no GICv3, in the DTB");
    bell_intid = fdt32_ld(irq + 1) + 32;
    tap_ok(size >= sizeof(struct mailbox),
           "shared region 0x%llx+0x%llx, rung by INTID %u", (unsigned long long)base,
           (unsigned long long)size, bell_intid);
    if (!guest_gic_init_ppi(guest_virtual_timer_intid()))
        tap_bail("no usable GICv3");
    guest_set_irq_handler(on_irq);
    enable_bell(gicd);
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    tap_ok((int32_t)smccc_call(CONDUIT_HVC, DOORBELL_FID, base + 0x1000, 0, 0).a0 == -2,
           "a base that is not a shared region is refused");
    if (is_ping)
        ping(base, (struct mailbox *)(uintptr_t)base);
    else
        pong(base, (struct mailbox *)(uintptr_t)base);
    __asm__ volatile("msr daifset, #2" ::: "memory");
    guest_set_irq_handler(NULL);
}
