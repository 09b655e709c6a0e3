/* SPDX-License-Identifier: BSD-2-Clause */
/* panic(): report a broken invariant and hand over to the port. */
#include <stdarg.h>
#include <stdio.h>
#include <hyp/console.h>
#include <hyp/cpu.h>
#include <hyp/panic.h>
#include <hyp/port.h>

_Noreturn void hyp_panic(const char *fmt, ...)
{
    va_list ap;

    __asm__ volatile("msr daifset, #0xf" ::: "memory");
    hyp_console_emergency();
    printf("\n*** libhyp PANIC on CPU %u: ", hyp_cpu_id());
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    port_fatal();
}

/* Called by code built with -fstack-protector (Debian's libfdt is). */
_Noreturn void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
    hyp_panic("stack smashing detected");
}
