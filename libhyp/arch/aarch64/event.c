/* SPDX-License-Identifier: BSD-2-Clause */
/* Events between CPUs (the arch seam's SEV/WFE). */
#include <hyp/arch.h>

void arch_send_event(void)
{
    __asm__ volatile("dsb ish\n\tsev" ::: "memory");
}

void arch_wait_event(void)
{
    __asm__ volatile("wfe" ::: "memory");
}
