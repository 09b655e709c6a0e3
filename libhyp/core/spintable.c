/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Starting secondary CPUs through a spin table (the DT's `enable-method =
 * "spin-table"`), for boards whose firmware has no PSCI: the firmware parks
 * each secondary in a holding pen that waits for a non-zero address at the
 * CPU's `cpu-release-addr` and branches there. The pen passes no argument,
 * so hyp_spin_table_entry (boot.S) finds its context id in hyp_spin_boot by
 * MPIDR.
 */
#include <stdbool.h>
#include <stdint.h>
#include <hyp/config.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/pgtable.h>
#include <hyp/platform.h>
#include <hyp/port.h>
#include <hyp/spinlock.h>
#include "el2_mmu.h"

/** Marks a used hyp_spin_boot entry (an MPIDR never has bit 63 set). */
#define SPIN_VALID (1ULL << 63)

/** One released CPU: read by hyp_spin_table_entry with the MMU off. */
struct spin_boot {
    uint64_t mpidr; /**< MPIDR affinity | SPIN_VALID; 0 for a free entry. */
    uint64_t context;
};

struct spin_boot hyp_spin_boot[HYP_MAX_CPUS] __attribute__((aligned(64)));

void hyp_spin_table_entry(void);

static struct hyp_spinlock spin_lock;
/** Release pages mapped into EL2 so far (each once). */
static uint64_t mapped[HYP_MAX_CPUS];
static unsigned mapped_count;

static int map_release_page(uint64_t page)
{
    int rc;

    for (unsigned i = 0; i < mapped_count; i++)
        if (mapped[i] == page)
            return HYP_OK;
    if (mapped_count == HYP_MAX_CPUS)
        return HYP_ENOMEM;
    /* Device memory: the store reaches the parked CPU, whose caches are off,
     * without cache maintenance. */
    rc = hyp_el2_map(page, 4096, HYP_PROT_RW | HYP_PROT_DEVICE);
    if (rc == HYP_OK)
        mapped[mapped_count++] = page;
    return rc;
}

int hyp_spin_table_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
    const struct hyp_platform *plat = hyp_platform_get();
    uint64_t release = 0;
    unsigned slot = HYP_MAX_CPUS;
    int rc;

    (void)entry; /* the pen passes no argument: hyp_spin_table_entry finds it */
    for (unsigned i = 0; i < plat->cpu_count; i++)
        if (plat->cpus[i].mpidr == mpidr)
            release = plat->cpus[i].release_addr;
    if (release == 0 || (release & 7) != 0)
        return HYP_ENOTSUP;

    hyp_spin_lock(&spin_lock);
    for (unsigned i = 0; i < HYP_MAX_CPUS; i++) {
        if (hyp_spin_boot[i].mpidr == (mpidr | SPIN_VALID) ||
            hyp_spin_boot[i].mpidr == 0) {
            slot = i;
            break;
        }
    }
    rc = slot < HYP_MAX_CPUS ? map_release_page(release & ~0xfffULL) : HYP_ENOMEM;
    if (rc == HYP_OK) {
        hyp_spin_boot[slot].context = context;
        hyp_spin_boot[slot].mpidr = mpidr | SPIN_VALID;
        arch_dcache_clean_range((uintptr_t)&hyp_spin_boot[slot],
                                (uintptr_t)&hyp_spin_boot[slot + 1]);
        __asm__ volatile("dsb sy" ::: "memory");
        *(volatile uint64_t *)(uintptr_t)release =
            (uint64_t)(uintptr_t)hyp_spin_table_entry;
        __asm__ volatile("dsb sy\n\tsev" ::: "memory");
    }
    hyp_spin_unlock(&spin_lock);
    return rc;
}
