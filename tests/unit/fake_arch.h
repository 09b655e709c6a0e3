/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fake `arch` seam for host tests: records every barrier and TLB
 * invalidation, and calls an optional hook at each invalidation so a test
 * can inspect the page tables at that exact moment.
 */
#ifndef HYP_TESTS_FAKE_ARCH_H
#define HYP_TESTS_FAKE_ARCH_H

#include <stddef.h>
#include <stdint.h>

enum fake_arch_op {
    FAKE_DSB_ISH,
    FAKE_PTE_SYNC,
    FAKE_ISB,
    FAKE_TLBI_S2_RANGE,
    FAKE_TLBI_S2_ALL,
    FAKE_TLBI_EL2_RANGE,
    FAKE_TLBI_EL2_ALL,
    FAKE_SEND_EVENT,
    FAKE_WAIT_EVENT,
    FAKE_OP_COUNT,
};

struct fake_arch_call {
    enum fake_arch_op op;
    uint16_t vmid;  /* S2 operations */
    uint64_t addr;  /* range operations */
    uint64_t size;  /* range operations */
    unsigned level; /* range operations */
};

/* Called for every TLB invalidation, before it is logged. */
typedef void (*fake_arch_hook_fn)(const struct fake_arch_call *call, void *arg);

/* Most calls kept in the log; later calls are only counted. */
#define FAKE_ARCH_LOG_MAX 4096u

/* Forget the log and the counters (the hook stays). */
void fake_arch_reset(void);
void fake_arch_set_hook(fake_arch_hook_fn hook, void *arg);
/* Number of calls logged (at most FAKE_ARCH_LOG_MAX) and the i-th one. */
size_t fake_arch_log_count(void);
const struct fake_arch_call *fake_arch_log(size_t i);
/* Number of calls of one kind since the last reset (not capped). */
size_t fake_arch_count(enum fake_arch_op op);

#endif /* HYP_TESTS_FAKE_ARCH_H */
