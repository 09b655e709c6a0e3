// SPDX-License-Identifier: BSD-2-Clause
/*
 * A small trusted OS for the TEE pairer: a bare-metal EL1 guest (on the
 * test guests' runtime, tests/guests/lib) that speaks the part of the OP-TEE
 * SMC and message ABI (../optee.h) that Linux 6.1's optee driver needs, and
 * offers the device-enumeration pseudo-TA, an RNG service for optee-rng and
 * a test service.
 *
 * It runs only when its general-purpose VM (GPOS) calls it: each vCPU
 * answers with TEE_PAIRER_RETURN_FID and gets the next call back in its
 * registers. vCPU 0 boots at reset, reads its DTB (its name and build id
 * from the command line "tee=<name> build-id=<hex>", the memory it shares
 * with its GPOS, a seed of its own in /chosen/rng-seed), powers its other
 * vCPUs on (the pairer runs each on its GPOS vCPU's CPU at that vCPU's
 * first call) and says it is ready.
 *
 * Messages (CALL_WITH_ARG) and their buffers must lie inside the shared
 * region (the GPOS is hostile: every address and size is checked, every
 * field read once). Random bytes come from SHA-256 over the seed, a
 * counter and the call's number (a deterministic generator: a TEE of this
 * example has no entropy source of its own beyond its seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <hyp/sha256.h>
#include "guest.h"
#include "../optee.h"

#define MAX_SESSIONS 16
#define MAX_PARAMS   6
#define NAME_LEN     16

enum ta { TA_NONE, TA_DEVICE_ENUM, TA_RNG, TA_TEST };

static const uint8_t uuid_enum[16] = PTA_DEVICE_ENUM_UUID;
static const uint8_t uuid_rng[16] = TA_RNG_UUID;
static const uint8_t uuid_test[16] = TA_TEST_UUID;
/* This trusted OS's own UUID (GET_OS_UUID), not OP-TEE's. */
static const uint32_t os_uuid[4] = {0x11beef15, 0x7ee0a1b2, 0x9c3d0002, 0x4c1b4a59};

static struct guest_spinlock lock;
static char name[NAME_LEN] = "tee";
static uint32_t build_id;
static uint64_t shm_base, shm_size;
static uint8_t sessions[MAX_SESSIONS]; /* enum ta of each open session, by id - 1 */
static uint8_t seed[HYP_SHA256_SIZE];
static uint64_t rng_counter, rng_bytes;
static uint64_t calls;

struct regs {
    uint64_t x[8];
};

/* Answer with x[0..3]; come back with the next call in x[0..7]. */
static void tee_return(struct regs *r)
{
    register uint64_t x0 __asm__("x0") = TEE_PAIRER_RETURN_FID;
    register uint64_t x1 __asm__("x1") = r->x[0];
    register uint64_t x2 __asm__("x2") = r->x[1];
    register uint64_t x3 __asm__("x3") = r->x[2];
    register uint64_t x4 __asm__("x4") = r->x[3];
    register uint64_t x5 __asm__("x5") = 0;
    register uint64_t x6 __asm__("x6") = 0;
    register uint64_t x7 __asm__("x7") = 0;

    __asm__ volatile(
        "hvc #0"
        : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6), "+r"(x7)
        :
        : "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    r->x[0] = x0, r->x[1] = x1, r->x[2] = x2, r->x[3] = x3;
    r->x[4] = x4, r->x[5] = x5, r->x[6] = x6, r->x[7] = x7;
}

/* [addr, addr + len) inside the region shared with the GPOS. */
static bool in_shm(uint64_t addr, uint64_t len)
{
    return shm_size != 0 && addr >= shm_base && len <= shm_size &&
           addr - shm_base <= shm_size - len;
}

/* ---- the services -------------------------------------------------------------- */

static void rng_fill(uint8_t *out, uint64_t len)
{
    struct hyp_sha256 h;
    uint8_t block[HYP_SHA256_SIZE];

    guest_spin_lock(&lock);
    while (len != 0) {
        uint64_t n = len < sizeof(block) ? len : sizeof(block);

        hyp_sha256_init(&h);
        hyp_sha256_update(&h, seed, sizeof(seed));
        hyp_sha256_update(&h, &rng_counter, sizeof(rng_counter));
        hyp_sha256_final(&h, block);
        rng_counter++;
        memcpy(out, block, n);
        out += n;
        len -= n;
    }
    guest_spin_unlock(&lock);
}

static void rng_log(const uint8_t *buf, uint64_t len)
{
    char hex[17] = "";
    uint64_t total;

    /* The last 8 bytes: what a short read of /dev/hwrng hands out first. */
    for (unsigned i = 0; i < 8 && len >= 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", buf[len - 8 + i]);
    guest_spin_lock(&lock);
    rng_bytes += len;
    total = rng_bytes;
    guest_spin_unlock(&lock);
    printf("%s: rng: %llu bytes (%llu in all), last 8: %s\n", name,
           (unsigned long long)len, (unsigned long long)total, hex);
}

/* Memory parameter @p of a message: its buffer, checked. */
static uint8_t *tmem(const struct optee_msg_param *p, uint64_t *size)
{
    uint64_t addr = p->u[0];

    *size = p->u[1];
    if (*size == 0)
        return NULL;
    return in_shm(addr, *size) ? (uint8_t *)(uintptr_t)addr : NULL;
}

static uint32_t ta_device_enum(uint32_t func, struct optee_msg_param *p, unsigned n)
{
    uint64_t size;
    uint8_t *buf;

    if (n < 1 || (p[0].attr & OPTEE_MSG_ATTR_TYPE_MASK) != OPTEE_MSG_ATTR_TYPE_TMEM_OUT)
        return TEEC_ERROR_BAD_PARAMETERS;
    if (func == PTA_CMD_GET_DEVICES_SUPP) { /* nothing needs tee-supplicant */
        p[0].u[1] = 0;
        return TEEC_SUCCESS;
    }
    if (func != PTA_CMD_GET_DEVICES)
        return TEEC_ERROR_NOT_SUPPORTED;
    buf = tmem(&p[0], &size);
    if (size < sizeof(uuid_rng)) {
        p[0].u[1] = sizeof(uuid_rng);
        return TEEC_ERROR_SHORT_BUFFER;
    }
    if (buf == NULL)
        return TEEC_ERROR_BAD_PARAMETERS;
    memcpy(buf, uuid_rng, sizeof(uuid_rng));
    p[0].u[1] = sizeof(uuid_rng);
    return TEEC_SUCCESS;
}

static uint32_t ta_rng(uint32_t func, struct optee_msg_param *p, unsigned n)
{
    uint64_t size;
    uint8_t *buf;

    if (n < 1)
        return TEEC_ERROR_BAD_PARAMETERS;
    if (func == TA_RNG_CMD_GET_RNG_INFO) {
        if ((p[0].attr & OPTEE_MSG_ATTR_TYPE_MASK) != OPTEE_MSG_ATTR_TYPE_VALUE_OUT)
            return TEEC_ERROR_BAD_PARAMETERS;
        p[0].u[0] = 0;   /* data rate: unlimited, no waiting */
        p[0].u[1] = 128; /* entropy per 1024 bits: a seeded generator */
        p[0].u[2] = 0;
        return TEEC_SUCCESS;
    }
    if (func != TA_RNG_CMD_GET_ENTROPY)
        return TEEC_ERROR_NOT_SUPPORTED;
    if ((p[0].attr & OPTEE_MSG_ATTR_TYPE_MASK) != OPTEE_MSG_ATTR_TYPE_TMEM_INOUT)
        return TEEC_ERROR_BAD_PARAMETERS;
    buf = tmem(&p[0], &size);
    if (buf == NULL || size > 4096)
        return TEEC_ERROR_BAD_PARAMETERS;
    rng_fill(buf, size);
    rng_log(buf, size);
    return TEEC_SUCCESS;
}

static uint32_t ta_test(uint32_t func, struct optee_msg_param *p, unsigned n)
{
    if (n < 1 ||
        (p[0].attr & OPTEE_MSG_ATTR_TYPE_MASK) != OPTEE_MSG_ATTR_TYPE_VALUE_INOUT)
        return TEEC_ERROR_BAD_PARAMETERS;
    switch (func) {
    case TA_TEST_CMD_ECHO:
        p[0].u[0] += 1;
        p[0].u[1] = build_id;
        return TEEC_SUCCESS;
    case TA_TEST_CMD_BUSY: {
        uint64_t end = guest_now_us() + p[0].u[0] * 1000;

        while (guest_now_us() < end)
            __asm__ volatile("yield");
        return TEEC_SUCCESS;
    }
    case TA_TEST_CMD_FAULT:
        printf("%s: test: faulting on purpose\n", name);
        /* Outside its memory: the hypervisor gives it an external abort,
         * which the runtime does not expect: it bails out. */
        return *(volatile uint32_t *)(uintptr_t)0x10000000;
    default:
        return TEEC_ERROR_NOT_SUPPORTED;
    }
}

/* ---- messages ----------------------------------------------------------------- */

static enum ta ta_of(const uint64_t uuid_words[2])
{
    uint8_t uuid[16];

    memcpy(uuid, uuid_words, sizeof(uuid));
    if (memcmp(uuid, uuid_enum, 16) == 0)
        return TA_DEVICE_ENUM;
    if (memcmp(uuid, uuid_rng, 16) == 0)
        return TA_RNG;
    if (memcmp(uuid, uuid_test, 16) == 0)
        return TA_TEST;
    return TA_NONE;
}

static uint32_t open_session(struct optee_msg_param *p, unsigned n, uint32_t *id)
{
    enum ta ta;

    if (n < 2 || !(p[0].attr & OPTEE_MSG_ATTR_META) || !(p[1].attr & OPTEE_MSG_ATTR_META))
        return TEEC_ERROR_BAD_PARAMETERS;
    ta = ta_of(p[0].u);
    if (ta == TA_NONE)
        return TEEC_ERROR_ITEM_NOT_FOUND;
    guest_spin_lock(&lock);
    for (unsigned i = 0; i < MAX_SESSIONS; i++)
        if (sessions[i] == TA_NONE) {
            sessions[i] = (uint8_t)ta;
            guest_spin_unlock(&lock);
            *id = i + 1;
            return TEEC_SUCCESS;
        }
    guest_spin_unlock(&lock);
    return TEEC_ERROR_OUT_OF_MEMORY;
}

static enum ta session_ta(uint32_t id)
{
    enum ta ta = TA_NONE;

    guest_spin_lock(&lock);
    if (id >= 1 && id <= MAX_SESSIONS)
        ta = (enum ta)sessions[id - 1];
    guest_spin_unlock(&lock);
    return ta;
}

/* CALL_WITH_ARG: the message at @pa, in the shared region. */
static uint32_t call_with_arg(uint64_t pa)
{
    struct optee_msg_arg *arg = (struct optee_msg_arg *)(uintptr_t)pa;
    struct optee_msg_param p[MAX_PARAMS];
    uint32_t cmd, n, ret = TEEC_SUCCESS, session = 0;

    if (pa % 8 != 0 || !in_shm(pa, sizeof(*arg)))
        return OPTEE_SMC_RETURN_EBADADDR;
    cmd = __atomic_load_n(&arg->cmd, __ATOMIC_RELAXED);
    n = __atomic_load_n(&arg->num_params, __ATOMIC_RELAXED);
    if (n > MAX_PARAMS || !in_shm(pa, sizeof(*arg) + n * sizeof(p[0])))
        return OPTEE_SMC_RETURN_EBADADDR;
    memcpy(p, arg->params, n * sizeof(p[0])); /* read once */
    switch (cmd) {
    case OPTEE_MSG_CMD_OPEN_SESSION:
        ret = open_session(p, n, &session);
        arg->session = session;
        break;
    case OPTEE_MSG_CMD_INVOKE_COMMAND: {
        uint32_t func = arg->func;

        switch (session_ta(arg->session)) {
        case TA_DEVICE_ENUM:
            ret = ta_device_enum(func, p, n);
            break;
        case TA_RNG:
            ret = ta_rng(func, p, n);
            break;
        case TA_TEST:
            ret = ta_test(func, p, n);
            break;
        default:
            ret = TEEC_ERROR_BAD_STATE;
            break;
        }
        break;
    }
    case OPTEE_MSG_CMD_CLOSE_SESSION:
        if (session_ta(arg->session) == TA_NONE) {
            ret = TEEC_ERROR_BAD_STATE;
            break;
        }
        guest_spin_lock(&lock);
        sessions[arg->session - 1] = TA_NONE;
        guest_spin_unlock(&lock);
        break;
    case OPTEE_MSG_CMD_CANCEL:
        break;
    default:
        return OPTEE_SMC_RETURN_EBADCMD;
    }
    memcpy(arg->params, p, n * sizeof(p[0]));
    arg->ret = ret;
    arg->ret_origin = TEEC_ORIGIN_TEE;
    return OPTEE_SMC_RETURN_OK;
}

/* One call: x[0] is its function ID, x[1..7] its arguments. */
static void serve(struct regs *r)
{
    uint32_t fid = (uint32_t)r->x[0];
    uint64_t a1 = (uint32_t)r->x[1], a2 = (uint32_t)r->x[2];

    memset(r->x, 0, sizeof(r->x));
    __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    switch (fid) {
    case OPTEE_SMC_CALLS_UID:
        r->x[0] = OPTEE_MSG_UID_0, r->x[1] = OPTEE_MSG_UID_1;
        r->x[2] = OPTEE_MSG_UID_2, r->x[3] = OPTEE_MSG_UID_3;
        break;
    case OPTEE_SMC_CALLS_REVISION:
        r->x[0] = OPTEE_MSG_REVISION_MAJOR, r->x[1] = OPTEE_MSG_REVISION_MINOR;
        break;
    case OPTEE_SMC_GET_OS_UUID:
        for (unsigned i = 0; i < 4; i++)
            r->x[i] = os_uuid[i];
        break;
    case OPTEE_SMC_GET_OS_REVISION:
        r->x[0] = 1, r->x[1] = 0, r->x[2] = build_id;
        break;
    case OPTEE_SMC_EXCHANGE_CAPABILITIES:
        r->x[0] = OPTEE_SMC_RETURN_OK;
        r->x[1] = shm_size != 0 ? OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM : 0;
        break;
    case OPTEE_SMC_GET_SHM_CONFIG:
        if (shm_size == 0) {
            r->x[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
            break;
        }
        r->x[0] = OPTEE_SMC_RETURN_OK, r->x[1] = shm_base, r->x[2] = shm_size;
        r->x[3] = OPTEE_SMC_SHM_CACHED;
        break;
    case OPTEE_SMC_DISABLE_SHM_CACHE: /* it caches nothing */
        r->x[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
        break;
    case OPTEE_SMC_ENABLE_SHM_CACHE:
        r->x[0] = OPTEE_SMC_RETURN_OK;
        break;
    case OPTEE_SMC_CALL_WITH_ARG:
        r->x[0] = call_with_arg(a1 << 32 | a2);
        break;
    case OPTEE_SMC_CALL_RETURN_FROM_RPC: /* it never asks normal world for anything */
        r->x[0] = OPTEE_SMC_RETURN_ERESUME;
        break;
    default:
        r->x[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
        break;
    }
}

static _Noreturn void serve_forever(void)
{
    struct regs r = {{0}};

    for (;;) {
        tee_return(&r);
        serve(&r);
    }
}

static void secondary(uint64_t context)
{
    (void)context;
    serve_forever();
}

/* ---- boot ---------------------------------------------------------------------- */

static void read_dtb(const void *fdt)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
    const void *rng = chosen >= 0 ? fdt_getprop(fdt, chosen, "rng-seed", NULL) : NULL;
    int len = 0, shm = fdt_node_offset_by_compatible(fdt, -1, "libhyp,shared-memory");
    const char *s;

    if (args && (s = strstr(args, "tee=")) != NULL) {
        size_t n = strcspn(s + 4, " ");

        snprintf(name, sizeof(name), "%.*s", (int)(n < NAME_LEN - 1 ? n : NAME_LEN - 1),
                 s + 4);
    }
    if (args && (s = strstr(args, "build-id=")) != NULL)
        build_id = (uint32_t)strtoul(s + 9, NULL, 16);
    if (rng != NULL)
        fdt_getprop(fdt, chosen, "rng-seed", &len);
    /* Its seed: the boot loader's share for this VM (hyp_guest_seeds()). */
    hyp_sha256(rng != NULL ? rng : (const void *)name,
               rng != NULL ? (size_t)len : strlen(name), seed);
    if (shm >= 0 && !guest_fdt_reg(fdt, shm, 0, &shm_base, &shm_size))
        shm_base = shm_size = 0;
}

void guest_main(void)
{
    const void *fdt = guest_fdt();
    int cpus = fdt ? fdt_path_offset(fdt, "/cpus") : -1, node;
    unsigned slot = 1, started = 0;

    if (fdt == NULL)
        tap_bail("trusted OS: no DTB");
    read_dtb(fdt);
    fdt_for_each_subnode(node, fdt, cpus)
    {
        int len;
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        uint64_t mpidr;

        if (reg == NULL || len != 8 || slot >= GUEST_MAX_CPUS)
            continue;
        mpidr = (uint64_t)fdt32_ld(reg) << 32 | fdt32_ld(reg + 1);
        if (mpidr == guest_read_mpidr())
            continue;
        guest_cpu_prepare(slot, mpidr, secondary);
        if (smccc_call(CONDUIT_HVC, PSCI_CPU_ON_64, mpidr, guest_secondary_entry_pa(),
                       slot)
                .a0 == PSCI_RET_SUCCESS)
            started++;
        slot++;
    }
    printf("%s: trusted OS ready, build id %08x, %u vCPUs, shared memory "
           "0x%llx..0x%llx\n",
           name, (unsigned)build_id, started + 1, (unsigned long long)shm_base,
           (unsigned long long)(shm_base + shm_size - (shm_size != 0)));
    serve_forever();
}
