/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest: an "attacker" that triggers every kind of security event of
 * the thin monitor's policy (tests/guests/attacker-policy.dtsi) and checks
 * that what the policy denies was denied:
 *
 *   - watched MMIO: the PL031 RTC is logged and performed, the PL061 GPIO
 *     logged and denied (reads 0, writes dropped, no abort);
 *   - protected memory: a write to the no-write range at 0xc0000000 is
 *     dropped; executing in the no-exec range at 0x48000000 raises an
 *     instruction abort at the guest's own EL1;
 *   - the monitor's hypercalls: MON_PROTECT adds protection but never removes
 *     it and refuses bad arguments; MON_LOCK_CREGS pins SCTLR_EL1 (clearing M
 *     is ignored) and VBAR_EL1 (restored at the next exit);
 *   - system calls from EL0 (SVC), the virtual timer interrupt, the console
 *     toggle that silences syscall events, and a burst of MMIO that the rate
 *     limit must cut.
 *
 * The monitor's own log lines ("[hyp] EV ...") are checked by the QEMU test;
 * the guest checks what it can observe itself. On bare QEMU (no MON_VERSION)
 * the monitor checks are skipped. Prints TAP.
 */
#include <stddef.h>
#include <stdint.h>
#include <libfdt.h>
#include "lib/guest.h"

/* The monitor's vendor-specific hypervisor service (SMC64 fast calls). */
#define MON_VERSION       0xC6000000U
#define MON_PROTECT       0xC6000001U
#define MON_LOCK_CREGS    0xC6000002U
#define MON_VERSION_1_0   0x10000
#define MON_PROT_NO_WRITE (1U << 0)
#define MON_PROT_NO_EXEC  (1U << 1)
#define MON_RET_INVALID   (-2)

/* QEMU virt devices the policy watches. */
#define PL031_BASE     0x09010000ULL
#define PL061_BASE     0x09030000ULL
#define PERIPHID0      0xfe0
#define PL031_DR       0x000
#define PL061_DIR      0x400
#define PL031_ID0      0x31
#define PL061_ID0      0x61
/* The policy's protected ranges, and addresses for MON_PROTECT. */
#define HIDDEN_PA      0xc0000000ULL /* outside guest RAM, no-write */
#define NOEXEC_PA      0x48000000ULL /* guest RAM, no-exec */
#define PROTECT_PA     0x48010000ULL /* guest RAM, protected at run time */
#define NOT_RAM_PA     0x0b000000ULL /* a hole in QEMU virt's map */
#define INSN_RET       0xd65f03c0U
#define SCTLR_M        (1ULL << 0)
/* Syscall numbers (Linux arm64) and the one that must not be logged. */
#define NR_WRITE       64
#define NR_GETPID      172
#define NR_SILENT      999
#define TOGGLE_WAIT_US 30000000ULL
#define TIMER_WAIT_US  1000000ULL
#define FLOOD_READS    2000
#define SKIP_NO_MON    "no hypervisor"

static bool monitor;

/* This guest's own: its writes synchronise (ISB) before the next check. */
#undef sysreg_read
#undef sysreg_write
#define sysreg_read(name)                                                                \
    ({                                                                                   \
        uint64_t v_;                                                                     \
        __asm__ volatile("mrs %0, " #name : "=r"(v_));                                   \
        v_;                                                                              \
    })
#define sysreg_write(name, v)                                                            \
    __asm__ volatile("msr " #name ", %0\n"                                               \
                     "isb" ::"r"((uint64_t)(v))                                          \
                     : "memory")

static inline uint32_t rd32(uint64_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void wr32(uint64_t addr, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)addr = v;
}

static struct smccc_res mon_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return smccc_call(CONDUIT_HVC, fid, a1, a2, a3);
}

/* --- 1. the monitor ----------------------------------------------------------------- */

static void probe_monitor(void)
{
    struct smccc_res r = mon_call(MON_VERSION, 0, 0, 0);

    monitor = !r.undefined && r.a0 == MON_VERSION_1_0;
    if (monitor)
        tap_ok(true, "MON_VERSION via HVC: 0x%llx", (unsigned long long)r.a0);
    else if (guest_bare_metal())
        tap_skip(SKIP_NO_MON, "MON_VERSION via HVC (%s %lld)",
                 r.undefined ? "UNDEFINED" : "returned", (long long)r.a0);
    else
        tap_ok(false, "MON_VERSION via HVC under a hypervisor: %s %lld (want 0x%x)",
               r.undefined ? "UNDEFINED" : "returned", (long long)r.a0, MON_VERSION_1_0);
}

/* --- 2., 3. watched MMIO ---------------------------------------------------------- */

static void check_mmio(void)
{
    struct guest_exception e;
    uint32_t id, dr;
    bool took;

    id = rd32(PL031_BASE + PERIPHID0);
    tap_ok(id == PL031_ID0, "PL031 PeriphID0 reads 0x%x (want 0x%x: logged, performed)",
           id, PL031_ID0);
    dr = rd32(PL031_BASE + PL031_DR);
    tap_ok(dr != 0, "PL031 DR reads %u s since the epoch (non-zero)", dr);

    id = rd32(PL061_BASE + PERIPHID0);
    if (monitor)
        tap_ok(id == 0, "PL061 PeriphID0 reads 0x%x (want 0: denied)", id);
    else
        tap_skip(SKIP_NO_MON, "PL061 PeriphID0 read denied (reads 0x%x)", id);

    guest_expect_exception();
    wr32(PL061_BASE + PL061_DIR, 0xff);
    took = guest_took_exception(&e);
    tap_ok(!took, "write to PL061 GPIODIR completes without an abort%s",
           took ? " (aborted)" : "");
    if (took)
        tap_diag("ESR_EL1 0x%llx FAR_EL1 0x%llx", (unsigned long long)e.esr,
                 (unsigned long long)e.far);
}

/*
 * The monitor prints an event line while the guest's SIMD registers are live:
 * they must come back untouched (picolibc's printf uses q0/q1 at EL2).
 */
static void check_simd_kept(void)
{
    uint64_t v[4];

    __asm__ volatile(".arch_extension simd\n\t"
                     "movi v0.2d, #0xff00ff00ff00ff00\n\t"
                     "movi v1.2d, #0x00ff00ff00ff00ff\n\t"
                     "ldr  w9, [%[dev]]\n\t"
                     "mov  %[a], v0.d[0]\n\t"
                     "mov  %[b], v0.d[1]\n\t"
                     "mov  %[c], v1.d[0]\n\t"
                     "mov  %[d], v1.d[1]"
                     : [a] "=&r"(v[0]), [b] "=&r"(v[1]), [c] "=&r"(v[2]), [d] "=&r"(v[3])
                     : [dev] "r"(PL031_BASE + PERIPHID0)
                     : "x9", "v0", "v1", "memory");
    tap_ok(v[0] == 0xff00ff00ff00ff00ULL && v[1] == 0xff00ff00ff00ff00ULL &&
               v[2] == 0x00ff00ff00ff00ffULL && v[3] == 0x00ff00ff00ff00ffULL,
           "q0/q1 survive a watched access the monitor logs (q0 %016llx%016llx, q1 "
           "%016llx%016llx)",
           (unsigned long long)v[1], (unsigned long long)v[0], (unsigned long long)v[3],
           (unsigned long long)v[2]);
}

/* --- 4., 5. protected memory -------------------------------------------------------- */

static void check_no_write_hidden(void)
{
    struct guest_exception e;
    uint32_t v;
    bool took;

    if (!monitor) {
        tap_skip(SKIP_NO_MON, "write to no-write 0x%llx completes without an abort",
                 (unsigned long long)HIDDEN_PA);
        tap_skip(SKIP_NO_MON, "0x%llx keeps its value after the write",
                 (unsigned long long)HIDDEN_PA);
        return;
    }
    guest_expect_exception();
    wr32(HIDDEN_PA, 0xdeadbeef);
    took = guest_took_exception(&e);
    tap_ok(!took, "write 0xdeadbeef to no-write 0x%llx completes without an abort%s",
           (unsigned long long)HIDDEN_PA, took ? " (aborted)" : "");
    if (took)
        tap_diag("ESR_EL1 0x%llx FAR_EL1 0x%llx", (unsigned long long)e.esr,
                 (unsigned long long)e.far);
    guest_expect_exception();
    v = rd32(HIDDEN_PA);
    took = guest_took_exception(&e);
    tap_ok(!took && v == 0, "0x%llx still reads 0x%x (want 0, the store was dropped)%s",
           (unsigned long long)HIDDEN_PA, v, took ? " (read aborted)" : "");
}

static void sync_icache(uint64_t addr)
{
    __asm__ volatile("dc cvau, %0\n"
                     "dsb ish\n"
                     "ic ivau, %0\n"
                     "dsb ish\n"
                     "isb" ::"r"(addr)
                     : "memory");
}

static void check_no_exec(void)
{
    void (*fn)(void) = (void (*)(void))(uintptr_t)NOEXEC_PA;
    struct guest_exception e;
    bool took;

    /* Bare QEMU with 512 MiB puts its DTB at 0x48000000: leave it alone. */
    if (!monitor) {
        tap_skip(SKIP_NO_MON, "executing at no-exec 0x%llx: instruction abort",
                 (unsigned long long)NOEXEC_PA);
        return;
    }
    wr32(NOEXEC_PA, INSN_RET);
    sync_icache(NOEXEC_PA);
    guest_expect_exception();
    fn();
    took = guest_took_exception(&e);
    if (!took) {
        tap_ok(false, "executing at no-exec 0x%llx: no exception, the ret ran",
               (unsigned long long)NOEXEC_PA);
        return;
    }
    tap_ok(ESR_EC(e.esr) == EC_IABT_CUR && IABT_IFSC(e.esr) == DFSC_SYNC_EXT_ABORT &&
               e.far == NOEXEC_PA,
           "executing at no-exec 0x%llx: ESR_EL1 0x%08llx (EC 0x%02llx, IFSC 0x%02llx; "
           "want EC 0x21 IFSC 0x10), FAR_EL1 0x%llx",
           (unsigned long long)NOEXEC_PA, (unsigned long long)e.esr,
           (unsigned long long)ESR_EC(e.esr), (unsigned long long)IABT_IFSC(e.esr),
           (unsigned long long)e.far);
    tap_diag("ELR_EL1 0x%llx", (unsigned long long)e.elr);
}

/* --- 6. MON_PROTECT --------------------------------------------------------------- */

static void expect_protect(uint64_t ipa, uint64_t size, uint64_t flags, int64_t want,
                           const char *what)
{
    struct smccc_res r = mon_call(MON_PROTECT, ipa, size, flags);

    tap_ok(!r.undefined && r.a0 == want,
           "MON_PROTECT(0x%llx, 0x%llx, %llu) %s: %lld (want %lld)",
           (unsigned long long)ipa, (unsigned long long)size, (unsigned long long)flags,
           what, (long long)r.a0, (long long)want);
}

static void expect_unchanged(uint32_t value, uint32_t old, const char *when)
{
    struct guest_exception e;
    uint32_t v;
    bool took;

    guest_expect_exception();
    wr32(PROTECT_PA, value);
    took = guest_took_exception(&e);
    v = rd32(PROTECT_PA);
    tap_ok(!took && v == old, "write 0x%x to 0x%llx %s: reads 0x%x (want 0x%x)%s", value,
           (unsigned long long)PROTECT_PA, when, v, old, took ? " (aborted)" : "");
}

static void check_protect(void)
{
    const uint32_t old = 0x11111111;

    if (!monitor) {
        tap_skip(SKIP_NO_MON, "MON_PROTECT and its denials");
        return;
    }
    wr32(PROTECT_PA, old);
    expect_protect(PROTECT_PA, 0x1000, MON_PROT_NO_WRITE, 0, "no-write");
    expect_unchanged(0x22222222, old, "after no-write");
    expect_protect(PROTECT_PA, 0x1000, 0, 0, "no flags (a no-op)");
    expect_unchanged(0x33333333, old, "after flags 0 (no loosening)");
    expect_protect(NOT_RAM_PA, 0x1000, MON_PROT_NO_WRITE, MON_RET_INVALID, "not RAM");
    expect_protect(PROTECT_PA + 4, 0x1000, MON_PROT_NO_WRITE, MON_RET_INVALID,
                   "unaligned IPA");
    expect_protect(PROTECT_PA + 0x1000, 0x800, MON_PROT_NO_WRITE, MON_RET_INVALID,
                   "size not a page multiple");
    expect_protect(PROTECT_PA + 0x1000, 0, MON_PROT_NO_WRITE, MON_RET_INVALID, "size 0");
    expect_protect(PROTECT_PA + 0x1000, 0x1000, 4, MON_RET_INVALID, "unknown flag bit");
}

/* --- 7. control registers ----------------------------------------------------------- */

static void check_sctlr_lock(uint64_t locked)
{
    uint64_t after, later;

    /*
     * Clear M and read back in one go, then put the locked value back, with
     * no memory access in between: if the monitor let M be cleared, the
     * identity map keeps the instructions fetchable.
     */
    __asm__ volatile("msr sctlr_el1, %1\n"
                     "isb\n"
                     "mrs %0, sctlr_el1\n"
                     "msr sctlr_el1, %2\n"
                     "isb"
                     : "=&r"(after)
                     : "r"(locked & ~SCTLR_M), "r"(locked)
                     : "memory");
    tap_ok(after & SCTLR_M,
           "clearing SCTLR_EL1.M after the lock is ignored: reads 0x%llx (locked 0x%llx)",
           (unsigned long long)after, (unsigned long long)locked);
    later = sysreg_read(sctlr_el1);
    tap_ok(later == locked, "SCTLR_EL1 is still 0x%llx, the MMU on",
           (unsigned long long)later);
}

static void check_vbar_lock(uint64_t locked)
{
    register uint64_t x0 __asm__("x0") = MON_VERSION;
    uint64_t daif = sysreg_read(daif);
    uint64_t other = locked + 0x800; /* 2 KiB aligned, not a vector table */
    uint64_t after;

    __asm__ volatile("msr daifset, #0xf" ::: "memory");
    __asm__ volatile("msr vbar_el1, %[other]\n"
                     "isb\n"
                     "hvc #0\n"
                     "mrs %[after], vbar_el1"
                     : [after] "=&r"(after), "+r"(x0)
                     : [other] "r"(other)
                     : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                       "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    if (after != locked)
        sysreg_write(vbar_el1, locked);
    sysreg_write(daif, daif);
    tap_ok(after == locked,
           "VBAR_EL1 moved to 0x%llx is back at the locked 0x%llx after an exit "
           "(reads 0x%llx)",
           (unsigned long long)other, (unsigned long long)locked,
           (unsigned long long)after);
}

static void check_cregs(void)
{
    uint64_t tcr = sysreg_read(tcr_el1);
    uint64_t mair = sysreg_read(mair_el1);
    uint64_t sctlr, vbar;
    struct smccc_res r;

    sysreg_write(tcr_el1, tcr);
    tap_ok(sysreg_read(tcr_el1) == tcr, "TCR_EL1 rewritten with 0x%llx before the lock",
           (unsigned long long)tcr);
    sysreg_write(mair_el1, mair);
    tap_ok(sysreg_read(mair_el1) == mair,
           "MAIR_EL1 rewritten with 0x%llx before the lock", (unsigned long long)mair);

    if (!monitor) {
        tap_skip(SKIP_NO_MON, "MON_LOCK_CREGS, then SCTLR_EL1 and VBAR_EL1 locked");
        return;
    }
    sctlr = sysreg_read(sctlr_el1);
    vbar = sysreg_read(vbar_el1);
    r = mon_call(MON_LOCK_CREGS, 0, 0, 0);
    tap_ok(!r.undefined && r.a0 == 0, "MON_LOCK_CREGS: %lld (want 0)", (long long)r.a0);
    check_sctlr_lock(sctlr);
    check_vbar_lock(vbar);
}

/* --- 8., 10. syscalls from EL0 ---------------------------------------------------- */

static uint64_t el0_svc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t x8 __asm__("x8") = nr;
    register uint64_t x0 __asm__("x0") = a0;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;

    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}

/* Runs at EL0 (its SVCs reach the lower-EL vector). */
static uint64_t el0_syscalls(uint64_t arg)
{
    el0_svc(NR_WRITE, 1, 0x1234, 5);
    el0_svc(NR_GETPID, 0, 0, 0);
    return arg;
}

static uint64_t el0_silent_syscall(uint64_t arg)
{
    el0_svc(NR_SILENT, 0, 0, 0);
    return arg;
}

static bool svc_seen(unsigned n, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct guest_svc s;

    if (!guest_svc_get(n, &s)) {
        tap_ok(false, "EL1 handler saw SVC nr=%llu from EL0: not recorded",
               (unsigned long long)nr);
        return false;
    }
    tap_ok(s.imm == 0 && s.nr == nr && s.args[0] == a0 && s.args[1] == a1 &&
               s.args[2] == a2,
           "EL1 handler saw SVC #%u from EL0 at 0x%llx: nr=%llu a0=0x%llx a1=0x%llx "
           "a2=0x%llx (want nr=%llu a0=0x%llx a1=0x%llx a2=0x%llx)",
           s.imm, (unsigned long long)s.pc, (unsigned long long)s.nr,
           (unsigned long long)s.args[0], (unsigned long long)s.args[1],
           (unsigned long long)s.args[2], (unsigned long long)nr, (unsigned long long)a0,
           (unsigned long long)a1, (unsigned long long)a2);
    return true;
}

static void check_syscalls(void)
{
    unsigned first = guest_svc_count();
    uint64_t ret = guest_run_el0(el0_syscalls, 0xe10e10);

    tap_ok(ret == 0xe10e10,
           "EL0 function ran and came back to EL1 with its result 0x%llx",
           (unsigned long long)ret);
    tap_ok(guest_svc_count() - first == 2, "%u SVCs from EL0 (want 2)",
           guest_svc_count() - first);
    svc_seen(first, NR_WRITE, 1, 0x1234, 5);
    svc_seen(first + 1, NR_GETPID, 0, 0, 0);
}

static void check_toggle(void)
{
    uint64_t start;
    unsigned first, others = 0;
    bool got = false;
    int c;

    if (!monitor) {
        tap_skip(SKIP_NO_MON, "'G' typed after the syscall toggle");
        tap_skip(SKIP_NO_MON, "SVC nr=%d from EL0 with syscall events off", NR_SILENT);
        return;
    }
    tap_diag("attacker: waiting for the syscall toggle");
    start = guest_now_us();
    while (guest_now_us() - start < TOGGLE_WAIT_US) {
        c = guest_console_getc();
        if (c == 'G') {
            got = true;
            break;
        }
        if (c >= 0)
            others++;
        __asm__ volatile("yield" ::: "memory");
    }
    tap_ok(got, "'G' typed on the console after the toggle (%llu ms, %u other bytes)",
           (unsigned long long)((guest_now_us() - start) / 1000), others);
    first = guest_svc_count();
    guest_run_el0(el0_silent_syscall, 0);
    svc_seen(first, NR_SILENT, 0, 0, 0);
}

/* --- 9. interrupts ---------------------------------------------------------------- */

static bool irq_taken(void *arg)
{
    return guest_irq_count() > *(unsigned *)arg;
}

static void check_interrupt(void)
{
    uint32_t intid = guest_virtual_timer_intid();
    unsigned before = guest_irq_count();
    uint64_t freq;
    bool taken;

    if (!guest_gic_init_ppi(intid)) {
        tap_ok(false, "virtual timer interrupt: no usable GICv3");
        return;
    }
    freq = sysreg_read(cntfrq_el0);
    if (freq == 0)
        freq = 62500000;
    __asm__ volatile("msr cntv_ctl_el0, xzr\n"
                     "msr cntv_tval_el0, %0\n"
                     "msr cntv_ctl_el0, %1\n"
                     "isb\n"
                     "msr daifclr, #2\n"
                     "isb" ::"r"(freq / 1000),
                     "r"(1ULL)
                     : "memory");
    taken = guest_wait(irq_taken, &before, TIMER_WAIT_US);
    __asm__ volatile("msr daifset, #2\n"
                     "msr cntv_ctl_el0, xzr\n"
                     "isb" ::
                         : "memory");
    tap_ok(taken && guest_last_intid() == intid,
           "virtual timer interrupt taken at EL1 (INTID %u, want %u)",
           taken ? guest_last_intid() : 0, intid);
}

/* --- 11. rate limit --------------------------------------------------------------- */

static bool never(void *arg)
{
    (void)arg;
    return false;
}

static void check_flood(void)
{
    unsigned good = 0;

    if (!monitor) {
        tap_skip(SKIP_NO_MON, "%d watched PL031 reads (rate limit)", FLOOD_READS);
        return;
    }
    for (unsigned i = 0; i < FLOOD_READS; i++)
        good += rd32(PL031_BASE + PERIPHID0) == PL031_ID0;
    tap_ok(good == FLOOD_READS, "%u of %d watched PL031 reads returned 0x%x", good,
           FLOOD_READS, PL031_ID0);
    /* One more event once the limit has refilled, for a report of the drops. */
    guest_wait(never, NULL, 1000000);
    (void)rd32(PL031_BASE + PERIPHID0);
}

void guest_main(void)
{
    tap_diag("attacker: every security event kind of the thin monitor's policy");
    probe_monitor();
    check_mmio();
    check_simd_kept();
    check_no_write_hidden();
    check_no_exec();
    check_protect();
    check_cregs();
    check_syscalls();
    check_interrupt();
    check_toggle();
    check_flood();
    tap_diag("attacker: done, SYSTEM_OFF next");
}
