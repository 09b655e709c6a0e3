/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test image: a secondary CPU takes an unexpected exception at EL2 (an
 * undefined instruction, then nothing), and the boot CPU reports it is still
 * alive afterwards, so the test sees both the dump and that only the faulting
 * CPU stopped. It never powers off; the test runner stops QEMU.
 */
#include <stdio.h>
#include <hyp/hyp.h>

static unsigned crashing;

static void crash_main(void *arg)
{
    (void)arg;
    printf("crash: CPU %u executing UDF\n", hyp_cpu_id());
    __atomic_store_n(&crashing, 1, __ATOMIC_RELEASE);
    __asm__ volatile("udf #0x42");
    printf("crash: UDF returned\n");
}

int main(void)
{
    int rc = hyp_cpu_start(1, crash_main, NULL);

    if (rc != HYP_OK) {
        printf("crash: could not start CPU 1: %s\n", hyp_strerror(rc));
        return 1;
    }
    while (!__atomic_load_n(&crashing, __ATOMIC_ACQUIRE))
        hyp_cpu_relax();
    /* Give CPU 1 time to fault and print its dump. */
    for (volatile unsigned i = 0; i < 2000000; i++)
        hyp_cpu_relax();
    printf("crash: CPU 0 still running\n");
    /* Stay up: the test stops QEMU once it has seen the dump. */
    hyp_console_flush();
    hyp_halt_cpu();
}
