/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * guest-clock: print the arm64 virtual counter as seconds since the machine
 * started ("1.234567"), for the test initramfs. A static Linux program with
 * no C library: the counter is readable at EL0 (Linux sets CNTKCTL_EL1.EL0VCTEN
 * for its vDSO), and two system calls (write, exit) are all it needs.
 */
#include <stdint.h>

static long sys3(long nr, long a, long b, long c)
{
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;

    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}

void _start(void)
{
    uint64_t cnt, frq, us;
    char buf[32], *p = buf + sizeof(buf);

    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(cnt));
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    us = frq ? cnt / frq * 1000000u + cnt % frq * 1000000u / frq : 0;
    *--p = '\n';
    for (int i = 0; i < 6; i++, us /= 10)
        *--p = (char)('0' + us % 10);
    *--p = '.';
    do {
        *--p = (char)('0' + us % 10);
        us /= 10;
    } while (us);
    sys3(64, 1, (long)p, buf + sizeof(buf) - p); /* write(1, ...) */
    sys3(93, 0, 0, 0);                          /* exit(0) */
    for (;;)
        ;
}
