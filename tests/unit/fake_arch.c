/* SPDX-License-Identifier: BSD-2-Clause */
/* Recording implementation of include/hyp/arch.h for host tests. */
#include <hyp/arch.h>

#include "fake_arch.h"

static struct fake_arch_call call_log[FAKE_ARCH_LOG_MAX];
static size_t log_len;
static size_t op_counts[FAKE_OP_COUNT];
static fake_arch_hook_fn tlbi_hook;
static void *tlbi_hook_arg;

void fake_arch_reset(void)
{
    log_len = 0;
    for (unsigned i = 0; i < FAKE_OP_COUNT; i++)
        op_counts[i] = 0;
}

void fake_arch_set_hook(fake_arch_hook_fn hook, void *arg)
{
    tlbi_hook = hook;
    tlbi_hook_arg = arg;
}

size_t fake_arch_log_count(void)
{
    return log_len;
}

const struct fake_arch_call *fake_arch_log(size_t i)
{
    return i < log_len ? &call_log[i] : NULL;
}

size_t fake_arch_count(enum fake_arch_op op)
{
    return op_counts[op];
}

static void record(enum fake_arch_op op, uint16_t vmid, uint64_t addr, uint64_t size,
                   unsigned level)
{
    struct fake_arch_call call = {
        .op = op, .vmid = vmid, .addr = addr, .size = size, .level = level};

    if (op >= FAKE_TLBI_S2_RANGE && op <= FAKE_TLBI_EL2_ALL && tlbi_hook != NULL)
        tlbi_hook(&call, tlbi_hook_arg);
    if (log_len < FAKE_ARCH_LOG_MAX)
        call_log[log_len++] = call;
    op_counts[op]++;
}

void arch_dsb_ish(void)
{
    record(FAKE_DSB_ISH, 0, 0, 0, 0);
}

void arch_pte_sync(void)
{
    record(FAKE_PTE_SYNC, 0, 0, 0, 0);
}

void arch_isb(void)
{
    record(FAKE_ISB, 0, 0, 0, 0);
}

void arch_tlbi_s2_range(uint16_t vmid, uint64_t ipa, uint64_t size, unsigned level)
{
    record(FAKE_TLBI_S2_RANGE, vmid, ipa, size, level);
}

void arch_tlbi_s2_all(uint16_t vmid)
{
    record(FAKE_TLBI_S2_ALL, vmid, 0, 0, 0);
}

void arch_tlbi_el2_range(uint64_t va, uint64_t size, unsigned level)
{
    record(FAKE_TLBI_EL2_RANGE, 0, va, size, level);
}

void arch_tlbi_el2_all(void)
{
    record(FAKE_TLBI_EL2_ALL, 0, 0, 0, 0);
}

/* Weak, so that a test with its own event model (test_vpsci.c) overrides them. */
__attribute__((weak)) void arch_send_event(void)
{
    record(FAKE_SEND_EVENT, 0, 0, 0, 0);
}

__attribute__((weak)) void arch_wait_event(void)
{
    record(FAKE_WAIT_EVENT, 0, 0, 0, 0);
}
