/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hello-child: the child VM tools/linux/childvm creates from Linux
 * userspace (with hello-child.dts). A raw image that starts at its first
 * byte, at the base of the child's memory (0x40000000), MMU off, with
 * x0 = its DTB and x1..x3 = the invocation's arguments: x1 = where it sees
 * the page its parent shares, x2 = that page's size, x3 = a number. It
 * says hello on its console, works for 50 ms (so that interrupts for its
 * parent stop it at least once) (a virtual PL011 whose lines the hypervisor
 * tags with its label), writes a line into the shared page and returns
 * with CHILD_RETURN: x1 = the bytes it wrote, x2 = x3 + 1, x3 = its DTB.
 *
 * Built by scripts/mkinitramfs with the Linux cross compiler, freestanding;
 * with the MMU off every access is to Device memory, hence -mstrict-align.
 */
#include <stdint.h>

#define UART         0x09000000ul /* where the child's DTB puts its PL011 */
#define UART_FR_TXFF (1u << 5)
#define FID_RETURN   0xC6000026ul

void child_main(uint64_t dtb, uint64_t shared, uint64_t size, uint64_t n);

/* Entry: a stack in the child's memory (the image is a few KiB; its DTB is
 * at the end of the memory), then C. */
__asm__(".section .text.entry, \"ax\"\n"
        ".global _start\n"
        "_start:\n"
        "    movz x9, #0x4001, lsl #16\n" /* sp = 0x40010000 */
        "    mov sp, x9\n"
        "    bl child_main\n"
        "1:  wfi\n"
        "    b 1b\n"
        ".text\n");

static void putc_uart(char c)
{
    volatile uint32_t *uart = (volatile uint32_t *)UART;

    while (uart[0x18 / 4] & UART_FR_TXFF)
        ;
    uart[0] = (uint32_t)(unsigned char)c;
}

static void puts_uart(const char *s)
{
    while (*s)
        putc_uart(*s++);
}

/* Append decimal @v at @p; returns the end. */
static char *put_dec(char *p, uint64_t v)
{
    char buf[24];
    unsigned n = 0;

    do
        buf[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *p++ = buf[--n];
    return p;
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static __attribute__((noreturn)) void child_return(uint64_t r1, uint64_t r2, uint64_t r3)
{
    for (;;) {
        register uint64_t x0 __asm__("x0") = FID_RETURN;
        register uint64_t x1 __asm__("x1") = r1;
        register uint64_t x2 __asm__("x2") = r2;
        register uint64_t x3 __asm__("x3") = r3;

        __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    }
}

void child_main(uint64_t dtb, uint64_t shared, uint64_t size, uint64_t n)
{
    char line[128], *p = line;
    volatile uint64_t *out = (volatile uint64_t *)shared;
    uint64_t len, t0, t, hz;

    puts_uart("hello from a child VM created by Linux userspace\n");
    /* Work for 50 ms of the counter, long enough that an interrupt for the
     * parent (its timer tick) stops the invocation at least once: the
     * parent invokes again and this goes on where it was. */
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t0));
    do
        __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t));
    while (t - t0 < hz / 20);
    p = put_str(p, "hello, parent: child-hello ran on your CPU; ");
    p = put_dec(p, n);
    p = put_str(p, " + 1 = ");
    p = put_dec(p, n + 1);
    len = (uint64_t)(p - line);
    while ((uint64_t)(p - line) % 8 != 0 || (uint64_t)(p - line) == len)
        *p++ = '\0';
    /* Aligned 64-bit stores: the page is Device memory for the child too. */
    for (uint64_t i = 0; i < (uint64_t)(p - line) && i + 8 <= size; i += 8) {
        uint64_t w = 0;

        for (unsigned k = 0; k < 8; k++)
            w |= (uint64_t)(unsigned char)line[i + k] << (8 * k);
        out[i / 8] = w;
    }
    child_return(len, n + 1, dtb);
}
