/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Boot in C: per-CPU data, console, platform discovery, then the user's
 * main(). Secondary CPUs arrive through hyp_secondary_entry (boot.S).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/panic.h>
#include <hyp/platform.h>
#include <hyp/port.h>
#include <hyp/psci.h>
#include "el2_mmu.h"
#include "percpu.h"

/* Per-CPU EL2 stacks; boot.S points SP at the top of entry [cpu]. */
uint8_t hyp_stacks[HYP_MAX_CPUS][HYP_STACK_SIZE] __attribute__((aligned(16)));

static struct hyp_percpu percpu[HYP_MAX_CPUS];
static struct hyp_platform platform;
static unsigned cpu_count;

/* picolibc's TLS helpers (errno lives in TLS). */
void _init_tls(void *tls);
void _set_tls(void *tls);
/* From boot.S. */
void hyp_secondary_entry(void);
_Noreturn void hyp_boot_primary(uint64_t dtb);
_Noreturn void hyp_boot_secondary(unsigned id);

static void percpu_setup(unsigned id)
{
    struct hyp_percpu *cpu = &percpu[id];

    cpu->id = id;
    _init_tls(cpu->tls);
    _set_tls(cpu->tls);
    cpu->tpidr_el0 = read_sysreg(tpidr_el0);
    write_sysreg(tpidr_el2, (uint64_t)(uintptr_t)cpu);
}

unsigned hyp_cpu_id(void)
{
    struct hyp_percpu *cpu = hyp_this_cpu();

    return cpu != NULL ? cpu->id : 0;
}

unsigned hyp_cpu_count(void)
{
    return cpu_count;
}

uint64_t hyp_cpu_mpidr(unsigned cpu)
{
    return cpu < cpu_count ? percpu[cpu].mpidr : ~0ULL;
}

const struct hyp_platform *hyp_platform_get(void)
{
    return &platform;
}

/*
 * Logical CPU numbers: the boot CPU is 0, the others follow in DT order.
 * Panics if the boot CPU is not in the DT: nothing else can be trusted then.
 */
static void number_cpus(void)
{
    uint64_t boot_mpidr = read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;
    unsigned next = 1;
    bool found = false;

    for (unsigned i = 0; i < platform.cpu_count; i++) {
        uint64_t mpidr = platform.cpus[i].mpidr;

        if (mpidr == boot_mpidr && !found) {
            percpu[0].mpidr = mpidr;
            found = true;
        } else if (next < HYP_MAX_CPUS) {
            percpu[next++].mpidr = mpidr;
        }
    }
    if (!found)
        hyp_panic("boot CPU (MPIDR %#llx) is not among the DTB's CPUs",
                  (unsigned long long)boot_mpidr);
    if (platform.cpu_count > HYP_MAX_CPUS)
        printf("libhyp: DTB lists %u CPUs; this build uses the first %u (HYP_MAX_CPUS)\n",
               platform.cpu_count, HYP_MAX_CPUS);
    cpu_count = next;
    percpu[0].state = HYP_CPU_RUNNING;
}

/* Also applied where libhyp/config/vmconfig.c reads the boot DTB again. */
void hyp_boot_platform_fixup(struct hyp_platform *plat);
void hyp_boot_platform_fixup(struct hyp_platform *plat)
{
    if (hyp_port.platform_fixup != NULL)
        hyp_port.platform_fixup(plat);
}

_Noreturn void hyp_boot_primary(uint64_t dtb)
{
    char err[HYP_PLATFORM_ERRLEN];
    int rc;

    percpu_setup(0);
    hyp_console_init(hyp_port.early_uart, hyp_port.early_uart_clock_hz);
    printf("libhyp %s on %s: boot CPU at EL%u, DTB at %#llx\n", HYP_VERSION,
           hyp_port.name, (unsigned)((read_sysreg(CurrentEL) >> 2) & 3),
           (unsigned long long)dtb);

    if (dtb == 0 || (dtb & 7) != 0)
        hyp_panic(
            "no usable DTB: x0 = %#llx (must be a non-zero, 8-byte aligned address)",
            (unsigned long long)dtb);
    rc = hyp_boot_platform(dtb, &platform, err);
    if (rc != HYP_OK)
        hyp_panic("boot DTB rejected (%s): %s", hyp_strerror(rc), err);
    hyp_boot_platform_fixup(&platform);

    if (platform.uart.regs.base != 0 && platform.uart.regs.base != hyp_port.early_uart) {
        hyp_console_flush();
        hyp_console_init(platform.uart.regs.base, 0);
    }
    rc = hyp_el2_mmu_init(&platform, err, sizeof(err));
    if (rc != HYP_OK)
        hyp_panic("EL2 MMU not enabled (%s): %s", hyp_strerror(rc), err);
    number_cpus();
    psci_fw_init(platform.psci);
    rc = port_init(&platform);
    if (rc != HYP_OK)
        hyp_panic("port %s failed to initialise: %s", hyp_port.name, hyp_strerror(rc));

    exit(main());
}

_Noreturn void hyp_boot_secondary(unsigned id)
{
    struct hyp_percpu *cpu = &percpu[id];

    /* Started again after hyp_cpu_off(), the CPU lost its registers: forget
     * what it cached of a guest's (loaded vCPU, HCR_EL2, MDCR_EL2, ...), so
     * that all of it is written again before a guest runs here. */
    memset(cpu, 0, offsetof(struct hyp_percpu, tls));
    percpu_setup(id);
    __atomic_store_n(&cpu->state, HYP_CPU_RUNNING, __ATOMIC_RELEASE);
    cpu->fn(cpu->arg);
    hyp_console_flush();
    hyp_halt_cpu();
}

int hyp_cpu_start(unsigned cpu, hyp_cpu_fn fn, void *arg)
{
    int expected = HYP_CPU_OFF;
    int rc;

    if (cpu == 0 || cpu >= cpu_count || cpu == hyp_cpu_id() || fn == NULL)
        return HYP_EINVAL;
    if (!__atomic_compare_exchange_n(&percpu[cpu].state, &expected, HYP_CPU_STARTING,
                                     false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return HYP_EBUSY;
    percpu[cpu].fn = fn;
    percpu[cpu].arg = arg;
    /* The new CPU starts with its MMU and caches off: make our writes reach it. */
    __asm__ volatile("dsb sy" ::: "memory");
    if (hyp_port.cpu_on != NULL)
        rc = hyp_port.cpu_on(percpu[cpu].mpidr, (uint64_t)(uintptr_t)hyp_secondary_entry,
                             cpu);
    else
        rc = psci_fw_cpu_on(percpu[cpu].mpidr, (uint64_t)(uintptr_t)hyp_secondary_entry,
                            cpu);
    if (rc != HYP_OK)
        __atomic_store_n(&percpu[cpu].state, HYP_CPU_OFF, __ATOMIC_RELEASE);
    return rc;
}

_Noreturn void hyp_cpu_off(void)
{
    __atomic_store_n(&percpu[hyp_cpu_id()].state, HYP_CPU_OFF, __ATOMIC_RELEASE);
    hyp_firmware_call(PSCI_0_2_FN_CPU_OFF, 0, 0, 0);
    hyp_halt_cpu();
}

_Noreturn void hyp_system_off(void)
{
    int rc;

    printf("libhyp: powering off\n");
    hyp_console_flush();
    if (hyp_port.system_off != NULL) {
        hyp_port.system_off();
        rc = HYP_EFIRMWARE;
    } else {
        rc = psci_fw_system_off();
    }
    printf("libhyp: SYSTEM_OFF failed (%s); halting\n", hyp_strerror(rc));
    hyp_console_flush();
    hyp_halt_cpu();
}

/* picolibc's exit() ends here: returning from main() powers off. */
_Noreturn void _exit(int status);
_Noreturn void _exit(int status)
{
    (void)status;
    hyp_system_off();
}
