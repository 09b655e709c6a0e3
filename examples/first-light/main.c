/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * first-light: the smallest libhyp hypervisor. It prints the platform found
 * in the boot DTB, starts every secondary CPU through PSCI, has each report
 * its MPIDR and exception level, and powers the machine off.
 */
#include <stdio.h>
#include <hyp/hyp.h>
#include <hyp/sysreg.h>

static unsigned cpus_up;

static void report_cpu(void)
{
    printf("first-light: CPU %u MPIDR 0x%llx at EL%llu\n", hyp_cpu_id(),
           (unsigned long long)(read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK),
           (unsigned long long)((read_sysreg(CurrentEL) >> 2) & 3));
    __atomic_fetch_add(&cpus_up, 1, __ATOMIC_RELEASE);
}

static void secondary_main(void *arg)
{
    (void)arg;
    report_cpu();
}

int main(void)
{
    unsigned count = hyp_cpu_count();

    hyp_platform_print(hyp_platform_get());
    report_cpu();
    for (unsigned cpu = 1; cpu < count; cpu++) {
        int rc = hyp_cpu_start(cpu, secondary_main, NULL);

        if (rc != HYP_OK)
            printf("first-light: CPU %u did not start: %s\n", cpu, hyp_strerror(rc));
    }
    /* Secondaries that started report within a few milliseconds; the QEMU
     * test bounds the whole run, so waiting without a deadline is fine. */
    while (__atomic_load_n(&cpus_up, __ATOMIC_ACQUIRE) < count)
        hyp_cpu_relax();
    printf("first-light: all %u CPUs up\n", count);
    return 0;
}
