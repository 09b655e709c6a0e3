// SPDX-License-Identifier: BSD-2-Clause
/*
 * Test guest for the TEE pairer (examples/tee-pairer): a general-purpose VM
 * that calls its trusted OS through the OP-TEE SMC ABI, as Linux's optee
 * driver would (examples/tee-pairer/configs/qemu-virt-bare.dts).
 *
 * Command line: "build-id=<hex>" is the build id its own TEE must report
 * (each pair's TEE has its own); "build-id=none" says the VM has no TEE, so
 * every Trusted OS call must get SMCCC NOT_SUPPORTED. "bench" adds the
 * round trip of an empty call (a figure, never judged); "fault" ends by
 * making the TEE fault, then loop past the pairer's budget: each time the
 * call fails and the next one reaches the TEE restarted from its image;
 * "stays-down" (a TEE with on-failure = "stop") makes it fault, checks that
 * it stays down, then resets the VM: after the VM's restart its TEE is
 * back, restarted with it. "neighbour=<pa>" names a page shared with the
 * other pair's GPOS: the "fault" VM says there when its TEE starts looping,
 * and the "bench" VM checks that its own TEE answers meanwhile.
 *
 * With a TEE: the DTB's /firmware/optee and the shared region; the API's
 * UID and revision; the OS revision with the pair's build id; capabilities
 * and the shared-memory config (the region the DTB gives); sessions to the
 * test service (echo), the RNG service (info, two reads that differ) and
 * the device-enumeration pseudo-TA (short buffer, then the RNG's UUID);
 * refused message addresses and sessions; a 300 ms call interrupted by the
 * VM's own 1 kHz timer, resumed with CALL_RETURN_FROM_RPC after each
 * foreign-interrupt return, while ticks keep coming. "ticks" runs only the
 * probe and that call, and checks that the VM took every tick within a
 * stated bound of its deadline: for deterministic guest time (QEMU -icount)
 * with no other busy CPU (configs/qemu-virt-ticks.dts). Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include "lib/guest.h"
#include "../../examples/tee-pairer/optee.h"

#define BENCH_CALLS 1000u
#define BUSY_MS     300u
#define TICK_US     1000u

static uint64_t shm_base, shm_size;
/* "neighbour=<pa>": a page shared with the other pair's GPOS. The one
 * whose TEE loops ("fault") waits for the other to be ready, then says when
 * it started the call that loops (both VMs read the same counter: the
 * pairer gives every VM a zero CNTVOFF). */
static uint64_t neighbour;
struct nb_page {
    volatile uint32_t ready;   /* NB_READY: the "bench" VM waits for the loop */
    volatile uint32_t looping; /* NB_LOOPING: since at, the TEE loops */
    volatile uint64_t at;      /* counter */
};
#define NB_READY   0x52454459u /* "REDY" */
#define NB_LOOPING 0x4c4f4f50u /* "LOOP" */
#define NB_WAIT_US 60000000u   /* for the other VM */

static struct nb_page *nb(void)
{
    return (struct nb_page *)(uintptr_t)neighbour;
}
static uint32_t timer_intid;

static const uint8_t uuid_enum[16] = PTA_DEVICE_ENUM_UUID;
static const uint8_t uuid_rng[16] = TA_RNG_UUID;
static const uint8_t uuid_test[16] = TA_TEST_UUID;

static struct smccc_res smc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return smccc_call(CONDUIT_SMC, fid, a1, a2, a3);
}

static void on_tick(uint64_t now);

static void on_irq(uint32_t intid)
{
    if (intid == timer_intid)
        on_tick(sysreg_read(cntvct_el0));
}

/* The message, at the start of the shared region. */
static struct optee_msg_arg *msg(uint32_t cmd, uint32_t func, uint32_t session,
                                 unsigned n)
{
    struct optee_msg_arg *a = (struct optee_msg_arg *)(uintptr_t)shm_base;

    memset(a, 0, sizeof(*a) + n * sizeof(a->params[0]));
    a->cmd = cmd, a->func = func, a->session = session, a->num_params = n;
    return a;
}

/* CALL_WITH_ARG for the message at @pa; foreign-interrupt returns are
 * resumed (counted in @foreign). */
static uint32_t call(uint64_t pa, unsigned *foreign)
{
    struct smccc_res r = smc(OPTEE_SMC_CALL_WITH_ARG, pa >> 32, (uint32_t)pa, 0);

    while ((uint32_t)r.a0 == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR) {
        if (foreign)
            (*foreign)++;
        /* The interrupt was taken as the SMC returned (IRQs unmasked). */
        r = smc(OPTEE_SMC_CALL_RETURN_FROM_RPC, r.a1, r.a2, r.a3);
    }
    return (uint32_t)r.a0;
}

static uint32_t open_session(const uint8_t uuid[16], uint32_t *session)
{
    struct optee_msg_arg *a = msg(OPTEE_MSG_CMD_OPEN_SESSION, 0, 0, 2);
    uint32_t rc;

    a->params[0].attr = OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_IN;
    memcpy(a->params[0].u, uuid, 16);
    a->params[1].attr = OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_IN;
    rc = call(shm_base, NULL);
    *session = a->session;
    return rc != OPTEE_SMC_RETURN_OK ? TEEC_ERROR_COMMUNICATION : a->ret;
}

static uint32_t close_session(uint32_t session)
{
    struct optee_msg_arg *a = msg(OPTEE_MSG_CMD_CLOSE_SESSION, 0, session, 0);

    return call(shm_base, NULL) != OPTEE_SMC_RETURN_OK ? TEEC_ERROR_COMMUNICATION
                                                       : a->ret;
}

/* Invoke with one parameter @p (in and out). */
static uint32_t invoke(uint32_t session, uint32_t func, struct optee_msg_param *p,
                       unsigned *foreign)
{
    struct optee_msg_arg *a = msg(OPTEE_MSG_CMD_INVOKE_COMMAND, func, session, 1);

    a->params[0] = *p;
    if (call(shm_base, foreign) != OPTEE_SMC_RETURN_OK)
        return TEEC_ERROR_COMMUNICATION;
    *p = a->params[0];
    return a->ret;
}

static void no_tee(void)
{
    const void *fdt = guest_fdt();
    struct smccc_res r = smc(OPTEE_SMC_CALLS_UID, 0, 0, 0);

    tap_ok(fdt_path_offset(fdt, "/firmware/optee") < 0, "no /firmware/optee in the DTB");
    tap_ok((int32_t)r.a0 == SMCCC_RET_NOT_SUPPORTED, "CALLS_UID: NOT_SUPPORTED (%d)",
           (int)(int32_t)r.a0);
    r = smc(OPTEE_SMC_CALL_WITH_ARG, 0, 0x7f000000, 0);
    tap_ok((int32_t)r.a0 == SMCCC_RET_NOT_SUPPORTED, "CALL_WITH_ARG: NOT_SUPPORTED");
}

static void probe(uint32_t want_build)
{
    const void *fdt = guest_fdt();
    int node = fdt_path_offset(fdt, "/firmware/optee");
    const char *method = node >= 0 ? fdt_getprop(fdt, node, "method", NULL) : NULL;
    struct smccc_res r;

    tap_ok(node >= 0 && method != NULL && strcmp(method, "smc") == 0,
           "/firmware/optee, method \"%s\"", method ? method : "(none)");
    r = smc(OPTEE_SMC_CALLS_UID, 0, 0, 0);
    tap_ok((uint32_t)r.a0 == OPTEE_MSG_UID_0 && (uint32_t)r.a1 == OPTEE_MSG_UID_1 &&
               (uint32_t)r.a2 == OPTEE_MSG_UID_2 && (uint32_t)r.a3 == OPTEE_MSG_UID_3,
           "CALLS_UID: the OP-TEE API's UID");
    r = smc(OPTEE_SMC_CALLS_REVISION, 0, 0, 0);
    tap_ok(r.a0 == OPTEE_MSG_REVISION_MAJOR && r.a1 == OPTEE_MSG_REVISION_MINOR,
           "CALLS_REVISION: %lld.%lld", (long long)r.a0, (long long)r.a1);
    r = smc(OPTEE_SMC_GET_OS_REVISION, 0, 0, 0);
    tap_ok((uint32_t)r.a2 == want_build,
           "GET_OS_REVISION: %lld.%lld, build id %08x: this pair's TEE", (long long)r.a0,
           (long long)r.a1, (unsigned)r.a2);
    r = smc(OPTEE_SMC_GET_OS_UUID, 0, 0, 0);
    tap_ok(r.a0 != 0 && (uint32_t)r.a0 != OPTEE_SMC_RETURN_UNKNOWN_FUNCTION,
           "GET_OS_UUID: %08x-...", (unsigned)r.a0);
    r = smc(OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 0, 0);
    tap_ok(r.a0 == OPTEE_SMC_RETURN_OK && (r.a1 & OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM),
           "EXCHANGE_CAPABILITIES: reserved shared memory (caps 0x%llx)",
           (unsigned long long)r.a1);
    r = smc(OPTEE_SMC_GET_SHM_CONFIG, 0, 0, 0);
    tap_ok(r.a0 == OPTEE_SMC_RETURN_OK && (uint64_t)r.a1 == shm_base &&
               (uint64_t)r.a2 == shm_size && r.a3 == OPTEE_SMC_SHM_CACHED,
           "GET_SHM_CONFIG: 0x%llx+0x%llx, the region the DTB shares",
           (unsigned long long)r.a1, (unsigned long long)r.a2);
    r = smc(OPTEE_SMC_ENABLE_SHM_CACHE, 0, 0, 0);
    tap_ok(r.a0 == OPTEE_SMC_RETURN_OK, "ENABLE_SHM_CACHE: OK");
    r = smc(0xb20000ffu, 0, 0, 0);
    tap_ok((uint32_t)r.a0 == OPTEE_SMC_RETURN_UNKNOWN_FUNCTION,
           "an unknown function: UNKNOWN_FUNCTION");
    r = smccc_call(CONDUIT_HVC, OPTEE_SMC_CALLS_UID, 0, 0, 0);
    tap_ok((int32_t)r.a0 == SMCCC_RET_NOT_SUPPORTED,
           "HVC with tee-method \"smc\": NOT_SUPPORTED");
}

static void sessions(uint32_t want_build)
{
    struct optee_msg_param p = {0};
    uint32_t s_test, s_rng, s_enum, rc;
    uint8_t first[32];
    uint8_t *out = (uint8_t *)(uintptr_t)(shm_base + 0x1000);
    static const uint8_t zero[32];

    tap_ok(open_session(uuid_test, &s_test) == TEEC_SUCCESS && s_test != 0,
           "open a session to the test service (%u)", (unsigned)s_test);
    p.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
    p.u[0] = 41;
    rc = invoke(s_test, TA_TEST_CMD_ECHO, &p, NULL);
    tap_ok(rc == TEEC_SUCCESS && p.u[0] == 42 && p.u[1] == want_build,
           "echo: 41 -> %llu, from build %08llx", (unsigned long long)p.u[0],
           (unsigned long long)p.u[1]);

    tap_ok(open_session(uuid_rng, &s_rng) == TEEC_SUCCESS, "open the RNG service");
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUT};
    rc = invoke(s_rng, TA_RNG_CMD_GET_RNG_INFO, &p, NULL);
    tap_ok(rc == TEEC_SUCCESS && p.u[1] <= 1024, "RNG info: rate %llu, quality %llu",
           (unsigned long long)p.u[0], (unsigned long long)p.u[1]);
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
                                 .u = {shm_base + 0x1000, 32, 0}};
    memset(out, 0, 32);
    rc = invoke(s_rng, TA_RNG_CMD_GET_ENTROPY, &p, NULL);
    memcpy(first, out, 32);
    tap_ok(rc == TEEC_SUCCESS && p.u[1] == 32 && memcmp(first, zero, 32) != 0,
           "32 random bytes, first %02x%02x%02x%02x", first[0], first[1], first[2],
           first[3]);
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
                                 .u = {shm_base + 0x1000, 32, 0}};
    rc = invoke(s_rng, TA_RNG_CMD_GET_ENTROPY, &p, NULL);
    tap_ok(rc == TEEC_SUCCESS && memcmp(first, out, 32) != 0, "the next 32 differ");
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
                                 .u = {0x40000000, 32, 0}};
    rc = invoke(s_rng, TA_RNG_CMD_GET_ENTROPY, &p, NULL);
    tap_ok(rc == TEEC_ERROR_BAD_PARAMETERS,
           "a buffer in the VM's private RAM is refused (0x%08x)", (unsigned)rc);

    tap_ok(open_session(uuid_enum, &s_enum) == TEEC_SUCCESS,
           "open the device-enumeration pseudo-TA");
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUT};
    rc = invoke(s_enum, PTA_CMD_GET_DEVICES, &p, NULL);
    tap_ok(rc == TEEC_ERROR_SHORT_BUFFER && p.u[1] == 16,
           "device list: short buffer, %llu bytes needed", (unsigned long long)p.u[1]);
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUT,
                                 .u = {shm_base + 0x1000, 16, 0}};
    rc = invoke(s_enum, PTA_CMD_GET_DEVICES, &p, NULL);
    tap_ok(rc == TEEC_SUCCESS && p.u[1] == 16 && memcmp(out, uuid_rng, 16) == 0,
           "device list: the RNG service's UUID, for optee-rng");

    tap_ok(close_session(s_enum) == TEEC_SUCCESS && close_session(s_rng) == TEEC_SUCCESS,
           "close sessions");
    tap_ok(close_session(s_rng) == TEEC_ERROR_BAD_STATE, "a closed session is refused");
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT};
    tap_ok(invoke(s_rng, TA_RNG_CMD_GET_ENTROPY, &p, NULL) == TEEC_ERROR_BAD_STATE,
           "... also for an invoke");
    {
        const uint8_t nobody[16] = {1, 2, 3};

        tap_ok(open_session(nobody, &s_enum) == TEEC_ERROR_ITEM_NOT_FOUND,
               "an unknown TA: ITEM_NOT_FOUND");
    }
    tap_ok(call(0x40000000, NULL) == OPTEE_SMC_RETURN_EBADADDR,
           "a message outside the shared region: EBADADDR");
    tap_ok(call(shm_base + shm_size - 8, NULL) == OPTEE_SMC_RETURN_EBADADDR,
           "a message running off its end: EBADADDR");
    tap_ok(close_session(s_test) == TEEC_SUCCESS, "close the test session");
}

/*
 * A long call while the VM's timer ticks: it yields to each tick, and the
 * VM misses none. The timer is run on absolute deadlines (CVAL += period),
 * so a tick taken late is still counted once and its lateness is measured
 * against the deadline it was due at. With @exact ("ticks": QEMU -icount
 * shift=0,sleep=off, one busy CPU) these are exact checks, not timing
 * guesses: over the call's D us the VM takes floor(D / period)
 * ticks (+-1 for the deadlines at its two ends); a tick due once the call
 * is TEE_PAIRER_PREEMPT_US old is taken within TICK_LATENCY_US of its
 * deadline; one due earlier (the pairer does not preempt a younger call)
 * by the time the call is that old plus TICK_LATENCY_US; so the VM never
 * goes longer than period + TEE_PAIRER_PREEMPT_US + TICK_LATENCY_US
 * without a tick. TICK_LATENCY_US is the VM stack's slice
 * (libhyp/vm/vmstack_run.c): the pairer brings the CPU back to EL2 at the
 * VM's deadline (hyp_vmstack_ops::wake_by), and no later than a slice
 * after it when that deadline had passed at the TEE's entry; the rest is
 * the exit path and the VM's vector, a few thousand instructions.
 */
#define TICK_LATENCY_US 100u

static struct {
    bool on;            /* the call is in flight: record */
    uint64_t period;    /* counter ticks */
    uint64_t due;       /* the deadline armed */
    uint64_t begun;     /* the call's start */
    uint64_t last;      /* the last tick (or the call's start) */
    uint64_t max_gap;   /* between two ticks (or the start and the first) */
    uint64_t max_late;  /* past its deadline, of ticks due when preemptible */
    uint64_t max_taken; /* after the call's start, of ticks due earlier */
    uint64_t worst;     /* the latest one's deadline, from the call's start */
    unsigned n;         /* ticks taken in the call */
} tk;

static void on_tick(uint64_t now)
{
    uint64_t head = sysreg_read(cntfrq_el0) * TEE_PAIRER_PREEMPT_US / 1000000;

    if (tk.on) {
        tk.n++;
        if (now - tk.last > tk.max_gap)
            tk.max_gap = now - tk.last;
        if (tk.due - tk.begun >= head) {
            if (now - tk.due > tk.max_late) {
                tk.max_late = now - tk.due;
                tk.worst = tk.due - tk.begun;
            }
        } else if (now - tk.begun > tk.max_taken) {
            tk.max_taken = now - tk.begun;
        }
        tk.last = now;
    }
    tk.due += tk.period;
    sysreg_write(cntv_cval_el0, tk.due);
    sysreg_write(cntv_ctl_el0, 1); /* the runtime masked it */
}

static uint64_t to_us(uint64_t ticks)
{
    return ticks * 1000000 / sysreg_read(cntfrq_el0);
}

static void foreign_interrupts(bool exact)
{
    struct optee_msg_param p = {.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, .u = {BUSY_MS}};
    unsigned foreign = 0;
    uint32_t s, rc;
    uint64_t end, d, want, lim;

    timer_intid = guest_virtual_timer_intid();
    if (!guest_gic_init_ppi(timer_intid))
        tap_bail("no usable GICv3");
    guest_set_irq_handler(on_irq);
    tap_ok(open_session(uuid_test, &s) == TEEC_SUCCESS, "open a session for a long call");
    tk.period = sysreg_read(cntfrq_el0) / (1000000 / TICK_US);
    tk.begun = tk.last = sysreg_read(cntvct_el0);
    tk.due = tk.begun + tk.period;
    sysreg_write(cntv_cval_el0, tk.due);
    sysreg_write(cntv_ctl_el0, 1);
    tk.on = true;
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    rc = invoke(s, TA_TEST_CMD_BUSY, &p, &foreign);
    __asm__ volatile("msr daifset, #2" ::: "memory");
    end = sysreg_read(cntvct_el0);
    tk.on = false;
    sysreg_write(cntv_ctl_el0, 0);
    if (end - tk.last > tk.max_gap)
        tk.max_gap = end - tk.last;
    d = end - tk.begun;
    want = d / tk.period;
    tap_ok(rc == TEEC_SUCCESS && to_us(d) >= BUSY_MS * 1000u,
           "a %u ms call completes (%llu us)", BUSY_MS, (unsigned long long)to_us(d));
    tap_ok(foreign > 0, "it returned for a foreign interrupt %u times", foreign);
    if (!exact) {
        tap_ok(tk.n > 0, "the VM took %u timer ticks during it", tk.n);
    } else {
        tap_ok(tk.n + 1 >= want && tk.n <= want + 1,
               "the VM took every tick: %u of floor(%llu us / %u us) = %llu", tk.n,
               (unsigned long long)to_us(d), TICK_US, (unsigned long long)want);
        tap_ok(to_us(tk.max_late) <= TICK_LATENCY_US,
               "once the call may be preempted, each tick is taken within %u us of its "
               "deadline (at most %llu us late)",
               TICK_LATENCY_US, (unsigned long long)to_us(tk.max_late));
        tap_ok(
            to_us(tk.max_taken) <= TEE_PAIRER_PREEMPT_US + TICK_LATENCY_US,
            "ticks due earlier are taken by the time the call is %u + %u us old (at %llu "
            "us)",
            TEE_PAIRER_PREEMPT_US, TICK_LATENCY_US,
            (unsigned long long)to_us(tk.max_taken));
        lim = TICK_US + TEE_PAIRER_PREEMPT_US + TICK_LATENCY_US;
        tap_ok(to_us(tk.max_gap) <= lim,
               "no gap between ticks over %llu us (longest %llu us)",
               (unsigned long long)lim, (unsigned long long)to_us(tk.max_gap));
    }
    tap_diag(
        "bench tee-busy: %u ticks of %u us in %llu us, %u foreign-interrupt returns, "
        "max late %llu us (the tick due at %llu us), max gap %llu us",
        tk.n, TICK_US, (unsigned long long)to_us(d), foreign,
        (unsigned long long)to_us(tk.max_late), (unsigned long long)to_us(tk.worst),
        (unsigned long long)to_us(tk.max_gap));
    close_session(s);
    guest_set_irq_handler(NULL);
}

/*
 * While the other pair's TEE loops, this VM's calls to its own TEE go on.
 * That TEE's call began at nb()->at and loops until the pairer's budget
 * (TEE_PAIRER_BUDGET_US) fails it; in the first half of that window this VM
 * makes calls to its TEE and at least NB_MIN_CALLS must be answered in it.
 * A call takes microseconds (thousands fit), so a pairer that held this
 * VM's calls back while the other TEE runs (one lock for all calls, say)
 * gets almost none in.
 */
#define NB_MIN_CALLS 100u

static void neighbour_runs_on(void)
{
    uint64_t t0 = guest_now_us(), end;
    unsigned inside = 0, calls = 0;
    struct smccc_res r;

    nb()->ready = NB_READY;
    __asm__ volatile("dsb sy" ::: "memory");
    while (nb()->looping != NB_LOOPING && guest_now_us() - t0 < NB_WAIT_US)
        __asm__ volatile("yield");
    end = nb()->at + sysreg_read(cntfrq_el0) * (TEE_PAIRER_BUDGET_US / 2) / 1000000;
    while (nb()->looping == NB_LOOPING && sysreg_read(cntvct_el0) < end) {
        r = smc(OPTEE_SMC_CALLS_REVISION, 0, 0, 0);
        calls++;
        if (r.a0 == OPTEE_MSG_REVISION_MAJOR && sysreg_read(cntvct_el0) < end)
            inside++;
    }
    tap_ok(inside >= NB_MIN_CALLS,
           "while the other pair's TEE loops, this VM's TEE answers (%u of %u calls in "
           "%u ms, at least %u)",
           inside, calls, TEE_PAIRER_BUDGET_US / 2000, NB_MIN_CALLS);
}

static void bench(void)
{
    uint64_t min = UINT64_MAX, max = 0, total = 0, freq = sysreg_read(cntfrq_el0);

    for (unsigned i = 0; i < BENCH_CALLS; i++) {
        uint64_t t0 = sysreg_read(cntvct_el0), dt;

        smc(OPTEE_SMC_CALLS_REVISION, 0, 0, 0);
        dt = sysreg_read(cntvct_el0) - t0;
        min = dt < min ? dt : min;
        max = dt > max ? dt : max;
        total += dt;
    }
    printf("# bench tee-call min=%llu avg=%llu max=%llu n=%u\n",
           (unsigned long long)(min * 1000000000ULL / freq),
           (unsigned long long)(total / BENCH_CALLS * 1000000000ULL / freq),
           (unsigned long long)(max * 1000000000ULL / freq), BENCH_CALLS);
}

/* The TEE fails (@p cmd: it faults, or it loops past the pairer's budget
 * with no interrupt for this VM to yield to): the call fails; the next one
 * reaches the same TEE restarted from its image (its sessions gone). */
static void fail_and_restart(uint32_t cmd, const char *how, uint32_t want_build)
{
    struct optee_msg_param p = {.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, .u = {5000}};
    uint32_t s, rc;
    struct smccc_res r;

    tap_ok(open_session(uuid_test, &s) == TEEC_SUCCESS,
           "open a session (the TEE %s next)", how);
    if (cmd == TA_TEST_CMD_BUSY && neighbour != 0) {
        uint64_t t0 = guest_now_us();

        while (nb()->ready != NB_READY && guest_now_us() - t0 < NB_WAIT_US)
            __asm__ volatile("yield");
        nb()->at = sysreg_read(cntvct_el0);
        __asm__ volatile("dsb sy" ::: "memory");
        nb()->looping = NB_LOOPING;
        __asm__ volatile("dsb sy" ::: "memory");
    }
    rc = invoke(s, cmd, &p, NULL);
    tap_ok(rc == TEEC_ERROR_COMMUNICATION, "a TEE that %s fails the call (0x%08x)", how,
           (unsigned)rc);
    r = smc(OPTEE_SMC_GET_OS_REVISION, 0, 0, 0);
    tap_ok(r.a0 == 1 && (uint32_t)r.a2 == want_build,
           "the next call reaches it restarted (build id %08x)", (unsigned)r.a2);
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, .u = {1}};
    tap_ok(invoke(s, TA_TEST_CMD_ECHO, &p, NULL) == TEEC_ERROR_BAD_STATE,
           "its sessions from before are gone");
    p = (struct optee_msg_param){.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, .u = {7}};
    tap_ok(open_session(uuid_test, &s) == TEEC_SUCCESS &&
               invoke(s, TA_TEST_CMD_ECHO, &p, NULL) == TEEC_SUCCESS && p.u[0] == 8,
           "a new session works");
    close_session(s);
}

/* A word in the shared region that survives the VM's restart (only its RAM
 * is cleared): "stays-down" resets the VM once. */
#define RESET_MARK     0x52455345u /* "RESE" */
#define RESET_MARK_OFF 0x3000u

/* With on-failure = "stop": after the fault, the TEE stays down. */
static void fail_and_stay_down(void)
{
    struct optee_msg_param p = {.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT};
    uint32_t s;
    struct smccc_res r;

    tap_ok(open_session(uuid_test, &s) == TEEC_SUCCESS,
           "open a session (the TEE faults next)");
    tap_ok(invoke(s, TA_TEST_CMD_FAULT, &p, NULL) == TEEC_ERROR_COMMUNICATION,
           "a TEE that faults fails the call");
    for (unsigned i = 0; i < 3; i++) {
        r = smc(OPTEE_SMC_CALLS_UID, 0, 0, 0);
        tap_ok((uint32_t)r.a0 == OPTEE_SMC_RETURN_UNKNOWN_FUNCTION,
               "call %u after it fails too: the TEE stays down", i + 1);
    }
}

void guest_main(void)
{
    const void *fdt = guest_fdt();
    int chosen = fdt ? fdt_path_offset(fdt, "/chosen") : -1;
    const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
    const char *b = args ? strstr(args, "build-id=") : NULL;
    const char *nb = args ? strstr(args, "neighbour=") : NULL;
    int shm = -1;
    uint32_t build;

    if (b == NULL)
        tap_bail("no build-id= on the command line");
    if (strncmp(b + 9, "none", 4) == 0) {
        tap_diag("tee-client: a VM without a trusted OS");
        no_tee();
        return;
    }
    tap_diag("tee-client: a VM with a trusted OS, build id %s", b + 9);
    if (nb != NULL)
        neighbour = strtoull(nb + 10, NULL, 16);
    /* The region shared with the TEE: not the neighbours' page. */
    while ((shm = fdt_node_offset_by_compatible(fdt, shm, "libhyp,shared-memory")) >= 0 &&
           guest_fdt_reg(fdt, shm, 0, &shm_base, &shm_size) && shm_base == neighbour)
        ;
    if (shm < 0 || !guest_fdt_reg(fdt, shm, 0, &shm_base, &shm_size) || shm_size < 0x2000)
        tap_bail("no region shared with the trusted OS in the DTB");
    build = (uint32_t)strtoul(b + 9, NULL, 16);
    probe(build);
    if (strstr(args, "stays-down") != NULL) {
        volatile uint32_t *mark =
            (volatile uint32_t *)(uintptr_t)(shm_base + RESET_MARK_OFF);
        uint32_t s = 0;

        if (*mark == RESET_MARK) {
            /* Second boot: the VM's reset restarted its TEE too. */
            *mark = 0;
            tap_ok(open_session(uuid_test, &s) == TEEC_SUCCESS && s == 1,
                   "after the VM's reset its TEE is back, restarted (session %u)",
                   (unsigned)s);
            close_session(s);
            return;
        }
        sessions(build);
        fail_and_stay_down();
        *mark = RESET_MARK;
        __asm__ volatile("dsb sy" ::: "memory");
        tap_diag("resetting the VM (PSCI SYSTEM_RESET)");
        smccc_call(CONDUIT_HVC, 0x84000009u, 0, 0, 0);
        tap_bail("SYSTEM_RESET returned");
    }
    if (strstr(args, "ticks") != NULL) {
        foreign_interrupts(true);
        return;
    }
    sessions(build);
    foreign_interrupts(false);
    if (strstr(args, "bench") != NULL)
        bench();
    if (strstr(args, "fault") != NULL) {
        fail_and_restart(TA_TEST_CMD_FAULT, "faults", build);
        fail_and_restart(TA_TEST_CMD_BUSY, "loops", build);
    }
    if (strstr(args, "bench") != NULL && neighbour != 0)
        neighbour_runs_on();
}
