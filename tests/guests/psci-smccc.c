/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest: PSCI and SMCCC as a guest sees them, through HVC and SMC.
 *
 * Checks the DTB the guest was booted with, PSCI_VERSION/FEATURES,
 * MIGRATE_INFO_TYPE, SMCCC_VERSION/ARCH_FEATURES, that unknown calls return
 * NOT_SUPPORTED, CPU_ON/CPU_OFF/AFFINITY_INFO on every secondary CPU, that
 * WFI and WFE return, and ends with SYSTEM_OFF. Prints TAP.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include "lib/guest.h"

#define CONTEXT_MAGIC     0xC0FFEE00ULL
#define UNKNOWN_PSCI_FID  0x8400001FU /* reserved in the PSCI range */
#define UNKNOWN_ARCH_FID  0x8000FF00U /* unallocated Arm architecture call */
#define UNKNOWN_SIP_FID   0x82000123U /* SiP service, fast, SMC32 */
#define UNKNOWN_OEM_FID   0xC3000123U /* OEM service, fast, SMC64 */
#define NONEXISTENT_MPIDR 0xFFULL
#define CPU_WAIT_US       2000000
#define TIMER_WAIT_US     1000000
#define SKIP_BARE         "no hypervisor"
#define SKIP_SMCCC_1_0    "no hypervisor, QEMU's PSCI speaks SMCCC 1.0"

/* One secondary CPU as the test sees it. */
struct secondary {
    uint64_t mpidr;               /* from the DTB */
    volatile uint64_t context;    /* x0 at its entry */
    volatile uint64_t seen_mpidr; /* its MPIDR_EL1 */
    volatile bool up;
    volatile bool go_off;
};

static struct secondary secondaries[GUEST_MAX_CPUS];
static unsigned nr_cpus;
static uint64_t cpu_mpidr[GUEST_MAX_CPUS];

static const char *conduit_name(enum smccc_conduit c)
{
    return c == CONDUIT_HVC ? "HVC" : "SMC";
}

static struct smccc_res call(enum smccc_conduit c, uint32_t fid, uint64_t a1, uint64_t a2,
                             uint64_t a3)
{
    return smccc_call(c, fid, a1, a2, a3);
}

/*
 * Reports an SMCCC call whose result must be `expected` (compared as a
 * 32-bit signed value: SMC32/HVC32 results only define W0). Skips when the
 * instruction is UNDEFINED without a hypervisor.
 */
static void expect_ret(enum smccc_conduit c, uint32_t fid, uint64_t a1, int32_t expected,
                       const char *desc)
{
    struct smccc_res r;

    if (c == CONDUIT_SMC && guest_bare_metal()) {
        tap_skip(SKIP_BARE, "%s via SMC", desc);
        return;
    }
    r = call(c, fid, a1, 0, 0);
    if (r.undefined) {
        if (guest_bare_metal())
            tap_skip(SKIP_BARE, "%s via %s (UNDEFINED without a hypervisor)", desc,
                     conduit_name(c));
        else
            tap_ok(false, "%s via %s: UNDEFINED (ESR_EL1 0x%08llx)", desc,
                   conduit_name(c), (unsigned long long)r.esr);
        return;
    }
    tap_ok((int32_t)r.a0 == expected, "%s via %s: %d (want %d)", desc, conduit_name(c),
           (int)(int32_t)r.a0, (int)expected);
}

/* The same for an SMCCC 1.1 call, which QEMU's own PSCI (SMCCC 1.0) lacks. */
static void expect_ret_1_1(uint32_t fid, uint64_t a1, int32_t expected, const char *desc)
{
    if (guest_bare_metal() && !guest_smccc_1_1()) {
        tap_skip(SKIP_SMCCC_1_0, "%s via HVC", desc);
        return;
    }
    expect_ret(CONDUIT_HVC, fid, a1, expected, desc);
}

/* --- device tree ---------------------------------------------------------------- */

static uint64_t read_cells(const fdt32_t *p, int cells)
{
    uint64_t v = 0;

    for (int i = 0; i < cells; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

static void check_dtb(void)
{
    const void *fdt = guest_fdt();
    extern char __guest_start[], __guest_end[];
    uint64_t img_lo = (uintptr_t)__guest_start, img_hi = (uintptr_t)__guest_end;
    bool covered = false;
    int node, cpus, ac, sc, len;
    const char *method;

    tap_ok(fdt != NULL, "x0 at entry (0x%llx) points at a valid DTB",
           (unsigned long long)guest_fdt_addr());
    if (fdt == NULL) {
        nr_cpus = 1;
        cpu_mpidr[0] = guest_read_mpidr();
        tap_skip("no DTB", "DTB memory node covers the guest image");
        tap_skip("no DTB", "DTB psci node uses method hvc");
        tap_skip("no DTB", "DTB /cpus lists the CPUs");
        return;
    }

    ac = fdt_address_cells(fdt, 0);
    sc = fdt_size_cells(fdt, 0);
    fdt_for_each_subnode(node, fdt, 0)
    {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        const fdt32_t *reg;

        if (type == NULL || strcmp(type, "memory") != 0)
            continue;
        reg = fdt_getprop(fdt, node, "reg", &len);
        for (int i = 0; reg != NULL && (i + 1) * (ac + sc) * 4 <= len; i++) {
            uint64_t base = read_cells(reg + i * (ac + sc), ac);
            uint64_t size = read_cells(reg + i * (ac + sc) + ac, sc);

            tap_diag("memory 0x%llx..0x%llx", (unsigned long long)base,
                     (unsigned long long)(base + size - 1));
            if (base <= img_lo && img_hi <= base + size)
                covered = true;
        }
    }
    tap_ok(covered, "DTB memory node covers the guest image 0x%llx..0x%llx",
           (unsigned long long)img_lo, (unsigned long long)img_hi);

    node = fdt_path_offset(fdt, "/psci");
    method = node >= 0 ? fdt_getprop(fdt, node, "method", NULL) : NULL;
    tap_ok(method != NULL && strcmp(method, "hvc") == 0,
           "DTB /psci node uses method hvc (method %s)", method ? method : "missing");

    cpus = fdt_path_offset(fdt, "/cpus");
    if (cpus >= 0) {
        int cac = fdt_address_cells(fdt, cpus);

        fdt_for_each_subnode(node, fdt, cpus)
        {
            const char *type = fdt_getprop(fdt, node, "device_type", NULL);
            const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

            if (type == NULL || strcmp(type, "cpu") != 0 || reg == NULL ||
                len < cac * 4 || cac < 1 || cac > 2)
                continue;
            if (nr_cpus < GUEST_MAX_CPUS)
                cpu_mpidr[nr_cpus] = read_cells(reg, cac);
            nr_cpus++;
        }
    }
    tap_ok(nr_cpus >= 1 && nr_cpus <= GUEST_MAX_CPUS,
           "DTB /cpus lists %u CPUs (at most %u)", nr_cpus, GUEST_MAX_CPUS);
    if (nr_cpus == 0) {
        nr_cpus = 1;
        cpu_mpidr[0] = guest_read_mpidr();
    }
    if (nr_cpus > GUEST_MAX_CPUS)
        nr_cpus = GUEST_MAX_CPUS;
}

/* --- PSCI / SMCCC queries --------------------------------------------------------- */

static void check_version(enum smccc_conduit c)
{
    struct smccc_res r;
    uint32_t v;

    if (c == CONDUIT_SMC && guest_bare_metal()) {
        tap_skip(SKIP_BARE, "PSCI_VERSION via SMC");
        return;
    }
    r = call(c, PSCI_VERSION, 0, 0, 0);
    v = (uint32_t)r.a0;
    if (r.undefined)
        tap_ok(false, "PSCI_VERSION via %s: UNDEFINED (ESR_EL1 0x%08llx)",
               conduit_name(c), (unsigned long long)r.esr);
    else
        tap_ok((int32_t)v >= 0x10000, "PSCI_VERSION via %s is %u.%u (>= 1.0)",
               conduit_name(c), v >> 16, v & 0xffff);
}

static void check_smccc_version(enum smccc_conduit c)
{
    struct smccc_res r;
    uint32_t v;

    if (c == CONDUIT_SMC && guest_bare_metal()) {
        tap_skip(SKIP_BARE, "SMCCC_VERSION via SMC");
        return;
    }
    r = call(c, SMCCC_VERSION, 0, 0, 0);
    v = (uint32_t)r.a0;
    if (guest_bare_metal() && (r.undefined || (int32_t)v < 0x10001)) {
        tap_skip(SKIP_SMCCC_1_0, "SMCCC_VERSION via %s (got %d)", conduit_name(c),
                 r.undefined ? 0 : (int)(int32_t)v);
        return;
    }
    if (r.undefined)
        tap_ok(false, "SMCCC_VERSION via %s: UNDEFINED (ESR_EL1 0x%08llx)",
               conduit_name(c), (unsigned long long)r.esr);
    else
        tap_ok((int32_t)v >= 0x10001, "SMCCC_VERSION via %s is %u.%u (>= 1.1)",
               conduit_name(c), v >> 16, v & 0xffff);
}

static void check_workaround_1(void)
{
    struct smccc_res r;
    int32_t v;

    if (guest_bare_metal() && !guest_smccc_1_1()) {
        tap_skip(SKIP_SMCCC_1_0, "SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_1) via HVC");
        return;
    }
    r = call(CONDUIT_HVC, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0);
    v = (int32_t)r.a0;
    /* 0: call it, 1: not needed on this PE, -1: not implemented. */
    tap_ok(!r.undefined && (v == 0 || v == 1 || v == -1),
           "SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_1) via HVC: %d (%s)", (int)v,
           v == 0    ? "implemented"
           : v == 1  ? "not required"
           : v == -1 ? "not supported"
                     : "unexpected");
}

/* --- CPUs --------------------------------------------------------------------------- */

static void secondary_main(uint64_t context_id)
{
    unsigned slot = guest_cpu_slot();
    struct secondary *s = &secondaries[slot];

    s->context = context_id;
    s->seen_mpidr = guest_read_mpidr();
    __atomic_store_n(&s->up, true, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&s->go_off, __ATOMIC_ACQUIRE))
        __asm__ volatile("yield");
    /* Returning makes the runtime call CPU_OFF. */
}

static bool secondary_up(void *arg)
{
    return __atomic_load_n(&((struct secondary *)arg)->up, __ATOMIC_ACQUIRE);
}

struct aff_wait {
    uint64_t mpidr;
    int32_t want;
    int32_t last;
};

static bool affinity_is(void *arg)
{
    struct aff_wait *w = arg;
    struct smccc_res r = call(CONDUIT_HVC, PSCI_AFFINITY_INFO_64, w->mpidr, 0, 0);

    w->last = r.undefined ? -100 : (int32_t)r.a0;
    return w->last == w->want;
}

static void check_cpus(void)
{
    uint64_t self = guest_read_mpidr();
    uint64_t any_on = ~0ULL;
    unsigned slot = 1;
    struct aff_wait w;
    struct smccc_res r;

    for (unsigned i = 0; i < nr_cpus; i++) {
        struct secondary *s;
        bool up;

        if (cpu_mpidr[i] == self)
            continue;
        s = &secondaries[slot];
        s->mpidr = cpu_mpidr[i];
        guest_cpu_prepare(slot, s->mpidr, secondary_main);
        r = call(CONDUIT_HVC, PSCI_CPU_ON_64, s->mpidr, guest_secondary_entry_pa(),
                 CONTEXT_MAGIC + slot);
        tap_ok(!r.undefined && r.a0 == PSCI_RET_SUCCESS,
               "CPU_ON MPIDR 0x%llx (context id 0x%llx): %d",
               (unsigned long long)s->mpidr, (unsigned long long)(CONTEXT_MAGIC + slot),
               (int)(int32_t)r.a0);
        up = r.a0 == PSCI_RET_SUCCESS && guest_wait(secondary_up, s, CPU_WAIT_US);
        tap_ok(up && s->context == CONTEXT_MAGIC + slot && s->seen_mpidr == s->mpidr,
               "CPU 0x%llx entered with x0 0x%llx and MPIDR 0x%llx",
               (unsigned long long)s->mpidr, (unsigned long long)s->context,
               (unsigned long long)s->seen_mpidr);
        if (up && any_on == ~0ULL)
            any_on = s->mpidr;
        slot++;
    }
    if (slot == 1) {
        tap_skip("single CPU", "CPU_ON for a CPU that is already on");
    } else if (any_on == ~0ULL) {
        tap_ok(false, "CPU_ON for a CPU that is already on: no secondary came up");
    } else {
        r = call(CONDUIT_HVC, PSCI_CPU_ON_64, any_on, guest_secondary_entry_pa(), 0);
        tap_ok(r.a0 == PSCI_RET_ALREADY_ON,
               "CPU_ON MPIDR 0x%llx again: %d (want ALREADY_ON, -4)",
               (unsigned long long)any_on, (int)(int32_t)r.a0);
    }
    r = call(CONDUIT_HVC, PSCI_CPU_ON_64, NONEXISTENT_MPIDR, guest_secondary_entry_pa(),
             0);
    tap_ok(r.a0 == PSCI_RET_INVALID_PARAMS,
           "CPU_ON MPIDR 0x%llx (no such CPU): %d (want INVALID_PARAMETERS, -2)",
           (unsigned long long)NONEXISTENT_MPIDR, (int)(int32_t)r.a0);

    /* AFFINITY_INFO: ON for this CPU and every secondary that came up. */
    w.mpidr = self;
    w.want = PSCI_AFF_ON;
    bool all_on = affinity_is(&w);
    for (unsigned s = 1; s < slot && all_on; s++) {
        w.mpidr = secondaries[s].mpidr;
        all_on = secondaries[s].up && affinity_is(&w);
    }
    tap_ok(all_on, "AFFINITY_INFO is ON (0) for all %u CPUs%s", slot,
           all_on ? "" : " (failed)");
    if (!all_on)
        tap_diag("AFFINITY_INFO(0x%llx) returned %d", (unsigned long long)w.mpidr,
                 (int)w.last);

    /* CPU_OFF on every secondary, then AFFINITY_INFO must report OFF. */
    if (slot == 1) {
        tap_skip("single CPU", "AFFINITY_INFO is OFF after CPU_OFF");
        return;
    }
    bool all_off = true;
    for (unsigned s = 1; s < slot; s++) {
        __atomic_store_n(&secondaries[s].go_off, true, __ATOMIC_RELEASE);
        w.mpidr = secondaries[s].mpidr;
        w.want = PSCI_AFF_OFF;
        if (!guest_wait(affinity_is, &w, CPU_WAIT_US)) {
            all_off = false;
            tap_diag("AFFINITY_INFO(0x%llx) still %d after CPU_OFF",
                     (unsigned long long)w.mpidr, (int)w.last);
        }
    }
    tap_ok(all_off, "AFFINITY_INFO is OFF (1) for all %u secondaries after their CPU_OFF",
           slot - 1);
}

/* --- WFI / WFE
 * -------------------------------------------------------------------------- */

static bool irq_taken(void *arg)
{
    (void)arg;
    return guest_irq_count() > 0;
}

static void check_wfi_wfe(void)
{
    uint32_t intid = guest_virtual_timer_intid();
    uint64_t freq, start, isr = 0;
    unsigned wfis = 0;

    if (!guest_gic_init_ppi(intid)) {
        /* No GIC reachable: only a hypervisor that traps WFI can make it
         * return; on bare hardware it would wait for ever. */
        if (guest_bare_metal()) {
            tap_skip("no GICv3", "WFI returns once the virtual timer fires");
        } else {
            for (unsigned i = 0; i < 3; i++)
                __asm__ volatile("dsb sy\n"
                                 "wfi" ::
                                     : "memory");
            tap_ok(true, "WFI returns (no GIC reachable; WFI trapped by the hypervisor)");
        }
        tap_skip("no GICv3", "virtual timer interrupt taken");
    } else {
        /* IRQs stay masked in PSTATE: WFI must still wake on the pending one. */
        __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
        if (freq == 0)
            freq = 62500000;
        __asm__ volatile("msr cntv_ctl_el0, xzr\n"
                         "msr cntv_tval_el0, %0\n"
                         "msr cntv_ctl_el0, %1\n"
                         "isb" ::"r"(freq / 1000),
                         "r"(1ULL)
                         : "memory");
        start = guest_now_us();
        while (guest_now_us() - start < TIMER_WAIT_US) {
            __asm__ volatile("dsb sy\n"
                             "wfi" ::
                                 : "memory");
            wfis++;
            __asm__ volatile("mrs %0, isr_el1" : "=r"(isr));
            if (isr & (1U << 7))
                break;
        }
        tap_ok(isr & (1U << 7),
               "WFI returns with the virtual timer (INTID %u) pending "
               "after %u WFI(s), %llu us",
               intid, wfis, (unsigned long long)(guest_now_us() - start));

        __asm__ volatile("msr daifclr, #2\n"
                         "isb" ::
                             : "memory");
        bool taken = guest_wait(irq_taken, NULL, TIMER_WAIT_US);
        __asm__ volatile("msr daifset, #2\n"
                         "isb" ::
                             : "memory");
        __asm__ volatile("msr cntv_ctl_el0, xzr\n"
                         "isb" ::
                             : "memory");
        tap_ok(taken && guest_last_intid() == intid,
               "virtual timer interrupt taken at EL1 (INTID %u, want %u)",
               taken ? guest_last_intid() : 0, intid);
    }

    /* SEVL sets the event register, so the WFE after it returns at once. */
    __asm__ volatile("sevl\n"
                     "wfe" ::
                         : "memory");
    tap_ok(true, "WFE after SEVL returns");
}

/* --- registers a call must preserve ------------------------------------------ */

/*
 * void call_probe(uint64_t fid, uint64_t use_smc, uint64_t out[31]):
 * fills x4..x30 with probe_pattern(n), makes the call (HVC #0 or SMC #0)
 * with x0 = fid and x1..x3 = 0, and stores x0..x30 as they came back.
 */
#define PROBE_PATTERN(n) (0xa5a5000000000000ULL | ((uint64_t)(n) << 8) | (n))
__asm__(".macro probe_fill\n"
        "  .irp "
        "n,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30\n"
        "    mov x\\n, #((\\n << 8) | \\n)\n"
        "    movk x\\n, #0xa5a5, lsl #48\n"
        "  .endr\n"
        ".endm\n"
        "  .text\n"
        "  .type call_probe, %function\n"
        "call_probe:\n"
        "  stp x29, x30, [sp, #-112]!\n"
        "  stp x19, x20, [sp, #16]\n"
        "  stp x21, x22, [sp, #32]\n"
        "  stp x23, x24, [sp, #48]\n"
        "  stp x25, x26, [sp, #64]\n"
        "  stp x27, x28, [sp, #80]\n"
        "  str x2, [sp, #96]\n"
        "  mov x2, #0\n"
        "  mov x3, #0\n"
        "  cbnz x1, 1f\n"
        "  mov x1, #0\n"
        "  probe_fill\n"
        "  hvc #0\n"
        "  b 2f\n"
        "1:\n"
        "  mov x1, #0\n"
        "  probe_fill\n"
        "  smc #0\n"
        "2:\n"
        "  sub sp, sp, #256\n"
        "  stp x0, x1, [sp, #0]\n"
        "  stp x2, x3, [sp, #16]\n"
        "  stp x4, x5, [sp, #32]\n"
        "  stp x6, x7, [sp, #48]\n"
        "  stp x8, x9, [sp, #64]\n"
        "  stp x10, x11, [sp, #80]\n"
        "  stp x12, x13, [sp, #96]\n"
        "  stp x14, x15, [sp, #112]\n"
        "  stp x16, x17, [sp, #128]\n"
        "  stp x18, x19, [sp, #144]\n"
        "  stp x20, x21, [sp, #160]\n"
        "  stp x22, x23, [sp, #176]\n"
        "  stp x24, x25, [sp, #192]\n"
        "  stp x26, x27, [sp, #208]\n"
        "  stp x28, x29, [sp, #224]\n"
        "  str x30, [sp, #240]\n"
        "  ldr x2, [sp, #(256 + 96)]\n"
        "  mov x3, #0\n"
        "3:\n"
        "  ldr x4, [sp, x3, lsl #3]\n"
        "  str x4, [x2, x3, lsl #3]\n"
        "  add x3, x3, #1\n"
        "  cmp x3, #31\n"
        "  b.ne 3b\n"
        "  add sp, sp, #256\n"
        "  ldp x19, x20, [sp, #16]\n"
        "  ldp x21, x22, [sp, #32]\n"
        "  ldp x23, x24, [sp, #48]\n"
        "  ldp x25, x26, [sp, #64]\n"
        "  ldp x27, x28, [sp, #80]\n"
        "  ldp x29, x30, [sp], #112\n"
        "  ret\n"
        "  .size call_probe, . - call_probe\n");
void call_probe(uint64_t fid, uint64_t use_smc, uint64_t out[31]);

/*
 * SMCCC: a call returns results in x0..x3 and leaves x4..x30 as they were
 * (x18..x30 since SMCCC 1.0, x4..x17 too since 1.1, unless a call defines
 * more results). Checked for calls answered on the hypervisor's fast path
 * and for those that go the whole way to its run loop.
 */
static void check_preserved(enum smccc_conduit c, uint32_t fid, int32_t expected,
                            bool at_least, const char *desc)
{
    uint64_t out[31];
    int first_bad = -1;

    if (c == CONDUIT_SMC && guest_bare_metal()) {
        tap_skip(SKIP_BARE, "%s via SMC keeps x4..x30", desc);
        return;
    }
    call_probe(fid, c == CONDUIT_SMC, out);
    for (int n = 30; n >= 4; n--)
        if (out[n] != PROBE_PATTERN(n))
            first_bad = n;
    if (first_bad < 0)
        tap_ok(at_least ? (int32_t)out[0] >= expected : (int32_t)out[0] == expected,
               "%s via %s keeps x4..x30 (x0 %#x, want %s%#x)", desc, conduit_name(c),
               (unsigned)out[0], at_least ? ">= " : "", (unsigned)expected);
    else
        tap_ok(false, "%s via %s keeps x4..x30: x%d is 0x%llx, want 0x%llx", desc,
               conduit_name(c), first_bad, (unsigned long long)out[first_bad],
               (unsigned long long)PROBE_PATTERN(first_bad));
}

void guest_main(void)
{
    tap_diag("psci-smccc: PSCI and SMCCC through HVC and SMC");
    check_dtb();

    check_version(CONDUIT_HVC);
    check_version(CONDUIT_SMC);
    expect_ret(CONDUIT_HVC, PSCI_FEATURES, PSCI_CPU_ON_64, 0, "PSCI_FEATURES(CPU_ON)");
    expect_ret(CONDUIT_HVC, PSCI_FEATURES, PSCI_CPU_OFF, 0, "PSCI_FEATURES(CPU_OFF)");
    expect_ret(CONDUIT_HVC, PSCI_FEATURES, PSCI_SYSTEM_OFF, 0,
               "PSCI_FEATURES(SYSTEM_OFF)");
    expect_ret(CONDUIT_HVC, PSCI_FEATURES, PSCI_AFFINITY_INFO_64, 0,
               "PSCI_FEATURES(AFFINITY_INFO)");
    expect_ret(CONDUIT_HVC, PSCI_FEATURES, UNKNOWN_PSCI_FID, PSCI_RET_NOT_SUPPORTED,
               "PSCI_FEATURES(unknown 0x8400001f)");
    expect_ret(CONDUIT_SMC, PSCI_FEATURES, PSCI_CPU_ON_64, 0, "PSCI_FEATURES(CPU_ON)");
    expect_ret(CONDUIT_HVC, PSCI_MIGRATE_INFO_TYPE, 0, 2,
               "MIGRATE_INFO_TYPE (2: no Trusted OS needing migration)");

    check_smccc_version(CONDUIT_HVC);
    check_smccc_version(CONDUIT_SMC);
    expect_ret_1_1(SMCCC_ARCH_FEATURES, SMCCC_VERSION, SMCCC_RET_SUCCESS,
                   "SMCCC_ARCH_FEATURES(SMCCC_VERSION)");
    check_workaround_1();
    expect_ret_1_1(SMCCC_ARCH_FEATURES, UNKNOWN_ARCH_FID, SMCCC_RET_NOT_SUPPORTED,
                   "SMCCC_ARCH_FEATURES(unknown 0x8000ff00)");

    expect_ret(CONDUIT_HVC, UNKNOWN_SIP_FID, 0, SMCCC_RET_NOT_SUPPORTED,
               "unknown SiP call 0x82000123");
    expect_ret(CONDUIT_HVC, UNKNOWN_OEM_FID, 0, SMCCC_RET_NOT_SUPPORTED,
               "unknown OEM call 0xc3000123");
    expect_ret(CONDUIT_SMC, UNKNOWN_SIP_FID, 0, SMCCC_RET_NOT_SUPPORTED,
               "unknown SiP call 0x82000123");

    /* Answered on the fast path, and in the run loop. */
    check_preserved(CONDUIT_HVC, PSCI_VERSION, 0x10000, true, "PSCI_VERSION");
    check_preserved(CONDUIT_SMC, PSCI_VERSION, 0x10000, true, "PSCI_VERSION");
    check_preserved(CONDUIT_HVC, UNKNOWN_OEM_FID, SMCCC_RET_NOT_SUPPORTED, false,
                    "unknown OEM call 0xc3000123");
    check_preserved(CONDUIT_SMC, UNKNOWN_SIP_FID, SMCCC_RET_NOT_SUPPORTED, false,
                    "unknown SiP call 0x82000123");

    check_cpus();
    check_wfi_wfe();
    tap_diag("psci-smccc: done, SYSTEM_OFF next");
}
