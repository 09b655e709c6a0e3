/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The physical GIC at EL2, whatever its version: hyp_gic_init() picks the
 * GICv3 (gicv3.c) or GICv2 (gicv2.c) driver from the platform, the other
 * hyp_gic_* calls go to it, and the handler table and dispatch loop below
 * serve both.
 */
#include <stdbool.h>
#include <stdio.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/gic.h>
#include "../core/percpu.h"
#include "gic_internal.h"

bool hyp_gic_is_v2;

int hyp_gic_init(const struct hyp_platform *plat)
{
    if (plat->gic.version == 3)
        return gicv3_init(plat);
    if (plat->gic.version == 2) {
        int rc = gicv2_init(plat);

        if (rc == HYP_OK)
            hyp_gic_is_v2 = true;
        return rc;
    }
    return HYP_ENOTSUP;
}

unsigned hyp_gic_version(void)
{
    return hyp_gic_is_v2 ? 2 : 3;
}

int hyp_gic_cpu_init(void)
{
    return hyp_gic_is_v2 ? gicv2_cpu_init() : gicv3_cpu_init();
}

bool hyp_gic_cpu_ready(void)
{
    return hyp_gic_is_v2 ? gicv2_cpu_ready() : gicv3_cpu_ready();
}

void hyp_gic_cpu_disable(void)
{
    if (hyp_gic_is_v2)
        gicv2_cpu_disable();
    else
        gicv3_cpu_disable();
}

int hyp_gic_enable_ppi(uint32_t intid, uint8_t priority)
{
    return hyp_gic_is_v2 ? gicv2_enable_ppi(intid, priority)
                         : gicv3_enable_ppi(intid, priority);
}

int hyp_gic_enable_spi(uint32_t intid, uint8_t priority, uint64_t mpidr, bool edge)
{
    return hyp_gic_is_v2 ? gicv2_enable_spi(intid, priority, mpidr, edge)
                         : gicv3_enable_spi(intid, priority, mpidr, edge);
}

/* Inline in the dispatch loops: no call on the exit fast path. */
static inline uint32_t gic_ack(void)
{
    return __builtin_expect(hyp_gic_is_v2, 0) ? gicv2_ack() : gicv3_ack();
}

uint32_t hyp_gic_ack(void)
{
    return gic_ack();
}

void hyp_gic_priority_drop(uint32_t intid)
{
    gic_priority_drop(intid);
}

void hyp_gic_deactivate(uint32_t intid)
{
    if (__builtin_expect(hyp_gic_is_v2, 0))
        gicv2_deactivate(intid);
    else
        gicv3_deactivate(intid);
}

void hyp_gic_eoi(uint32_t intid)
{
    if (intid >= 1020 && intid <= 1023)
        return;
    if (__builtin_expect(hyp_gic_is_v2, 0)) {
        gicv2_eoi(intid);
        return;
    }
    gicv3_priority_drop(intid);
    gicv3_deactivate(intid);
}

bool hyp_gic_is_pending(uint32_t intid)
{
    return hyp_gic_is_v2 ? gicv2_is_pending(intid) : gicv3_is_pending(intid);
}

void hyp_gic_send_sgi(uint64_t mpidr, unsigned sgi)
{
    if (hyp_gic_is_v2)
        gicv2_send_sgi(mpidr, sgi);
    else
        gicv3_send_sgi(mpidr, sgi);
}

void hyp_gic_send_sgi_cpu(unsigned cpu, unsigned sgi)
{
    if (hyp_gic_is_v2)
        gicv2_send_sgi_cpu(cpu, sgi);
    else
        gicv3_send_sgi_cpu(cpu, sgi);
}

struct irq_slot {
    hyp_irq_fn fn;
    void *arg;
    hyp_irq_fast_fn fast; /* may it run on the exit fast path now? */
    bool reported;
};

static struct irq_slot irq_table[1020];
/* An interrupt the fast path acknowledged but left to hyp_handle_irq(), + 1. */
static uint32_t deferred[HYP_MAX_CPUS];

int hyp_irq_register(uint32_t intid, hyp_irq_fn fn, void *arg)
{
    if (intid >= 1020 || fn == NULL)
        return HYP_EINVAL;
    if (irq_table[intid].fn != NULL)
        return HYP_EBUSY;
    irq_table[intid].arg = arg;
    __atomic_store_n(&irq_table[intid].fn, fn, __ATOMIC_RELEASE);
    return HYP_OK;
}

int hyp_irq_set_fast(uint32_t intid, hyp_irq_fast_fn ok)
{
    if (intid >= 1020 || irq_table[intid].fn == NULL)
        return HYP_EINVAL;
    __atomic_store_n(&irq_table[intid].fast, ok, __ATOMIC_RELEASE);
    return HYP_OK;
}

bool hyp_handle_irq_fast(void)
{
    uint32_t intid = gic_ack();
    const struct irq_slot *slot;
    hyp_irq_fast_fn ok;

    if (intid == HYP_GIC_SPURIOUS)
        return true;
    slot = &irq_table[intid];
    ok = __atomic_load_n(&slot->fast, __ATOMIC_ACQUIRE);
    if (ok != NULL && ok(intid, slot->arg)) {
        slot->fn(intid, slot->arg);
        return true;
    }
    deferred[hyp_cpu_id()] = intid + 1;
    return false;
}

static void dispatch(uint32_t intid)
{
    hyp_irq_fn fn = __atomic_load_n(&irq_table[intid].fn, __ATOMIC_ACQUIRE);

    if (fn != NULL) {
        fn(intid, irq_table[intid].arg);
        return;
    }
    if (!irq_table[intid].reported) {
        irq_table[intid].reported = true;
        printf("libhyp: physical interrupt %u has no handler\n", intid);
    }
    hyp_gic_eoi(intid);
}

/* Bound on interrupts dispatched per call: a source that stays asserted must
 * not keep the CPU at EL2 for ever. */
#define IRQ_BATCH 16

unsigned hyp_handle_irq(void)
{
    unsigned count = 0, cpu = hyp_cpu_id();
    uint32_t intid;

    if (cpu < HYP_MAX_CPUS && deferred[cpu] != 0) {
        intid = deferred[cpu] - 1;
        deferred[cpu] = 0;
        dispatch(intid);
        count++;
    }
    while (count < IRQ_BATCH && (intid = hyp_gic_ack()) != HYP_GIC_SPURIOUS) {
        count++;
        dispatch(intid);
    }
    return count;
}
