/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hypervisor console: picolibc's stdio streams on the port's console UART
 * (a PL011 unless hyp_port::console names another driver), with output
 * assembled into whole lines per CPU and written under one lock.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/pl011.h>
#include <hyp/port.h>
#include <hyp/spinlock.h>
#include <hyp/sysreg.h>
#include "percpu.h"

static uintptr_t uart_base;
static const struct hyp_console_ops *uart;
static struct hyp_spinlock console_lock = HYP_SPINLOCK_INIT;
static bool console_emergency;
static bool console_lock_dead;    /* an emergency writer gave up waiting for it */
static const char *console_tag;   /* prefix of hypervisor lines, or NULL */
static bool at_line_start = true; /* the physical UART's cursor is at column 0 */
/* Tagged lines held back while the guest is in the middle of a line, so
 * that they do not split it; written after the guest's newline, or by
 * hyp_console_sync() once the guest has paused. */
static char pending[2048];
static size_t pending_len;
static bool guest_wrote; /* guest output since the last hyp_console_sync() */
/* The tag of the VM whose partial line the UART's cursor ends (see
 * hyp_console_tagged_write()), NULL for anyone else's. */
static const char *line_owner;

/* The library's PL011 behind the console's driver interface. */
static const struct hyp_console_ops pl011_ops = {
    .init = pl011_init,
    .tx = pl011_putc,
    .rx = pl011_getc,
};

void hyp_console_init(uint64_t base, uint32_t clock_hz)
{
    hyp_spin_lock(&console_lock);
    uart = hyp_port.console != NULL ? hyp_port.console : &pl011_ops;
    uart_base = (uintptr_t)base;
    if (uart_base != 0)
        uart->init(uart_base, clock_hz);
    hyp_spin_unlock(&console_lock);
}

static inline void uart_putc(char c)
{
    if (uart_base != 0)
        uart->tx(uart_base, c);
}

static inline bool uart_getc(char *c)
{
    return uart_base != 0 && uart->rx(uart_base, c);
}

static void emit_raw(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            uart_putc('\r');
        uart_putc(buf[i]);
    }
    if (len != 0)
        at_line_start = buf[len - 1] == '\n';
    line_owner = NULL;
}

static void emit_tagged(const char *buf, size_t len);

/* Write the held-back lines, ending the guest's partial line if need be. */
static void flush_pending(void)
{
    size_t len = pending_len;

    pending_len = 0;
    if (len != 0)
        emit_tagged(pending, len);
}

/* Hypervisor output: with a tag, each line starts fresh and tagged (a line
 * longer than HYP_CONSOLE_LINE arrives in pieces and is split). */
static void emit(const char *buf, size_t len)
{
    if (console_tag == NULL) {
        emit_raw(buf, len);
        return;
    }
    if (!at_line_start && !__atomic_load_n(&console_emergency, __ATOMIC_RELAXED)) {
        if (len <= sizeof(pending) - pending_len) {
            memcpy(pending + pending_len, buf, len);
            pending_len += len;
            return;
        }
    }
    flush_pending();
    emit_tagged(buf, len);
}

/* Each line that starts at column 0 gets @tag first. */
static void emit_lines(const char *tag, const char *buf, size_t len)
{
    while (len != 0) {
        size_t n = 0;

        while (n < len && buf[n] != '\n')
            n++;
        n += n < len; /* include the newline */
        if (at_line_start) {
            for (const char *t = tag; *t != '\0'; t++)
                uart_putc(*t);
        }
        emit_raw(buf, n);
        buf += n;
        len -= n;
    }
}

static void emit_tagged(const char *buf, size_t len)
{
    /* Never continue a partial line the guest left. */
    if (!at_line_start)
        emit_raw("\n", 1);
    emit_lines(console_tag, buf, len);
}

static void emit_locked(const char *buf, size_t len)
{
    if (__atomic_load_n(&console_emergency, __ATOMIC_RELAXED)) {
        /* A holder that kept the lock for a second of counter time is
         * taken for dead (halted with it, or crashed), and later emergency
         * lines do not wait for it again. Time, not a spin count: a holder
         * that the host merely descheduled must not be, or lines interleave. */
        uint64_t start = read_sysreg(cntpct_el0), second = read_sysreg(cntfrq_el0);
        bool locked = false;

        while (!locked && !__atomic_load_n(&console_lock_dead, __ATOMIC_RELAXED)) {
            locked = hyp_spin_trylock(&console_lock);
            if (!locked && read_sysreg(cntpct_el0) - start > (second ? second : 1u << 26))
                __atomic_store_n(&console_lock_dead, true, __ATOMIC_RELAXED);
        }
        emit(buf, len);
        if (locked)
            hyp_spin_unlock(&console_lock);
        return;
    }
    hyp_spin_lock(&console_lock);
    emit(buf, len);
    hyp_spin_unlock(&console_lock);
}

static void flush_line(struct hyp_percpu *cpu)
{
    if (cpu->line_len != 0) {
        emit_locked(cpu->line, cpu->line_len);
        cpu->line_len = 0;
    }
}

void hyp_console_write(const char *buf, size_t len)
{
    struct hyp_percpu *cpu = hyp_this_cpu();

    if (cpu == NULL) {
        emit_locked(buf, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        cpu->line[cpu->line_len++] = buf[i];
        if (buf[i] == '\n' || cpu->line_len == sizeof(cpu->line))
            flush_line(cpu);
    }
}

void hyp_console_flush(void)
{
    struct hyp_percpu *cpu = hyp_this_cpu();

    if (cpu != NULL)
        flush_line(cpu);
    hyp_spin_lock(&console_lock);
    flush_pending();
    hyp_spin_unlock(&console_lock);
}

void hyp_console_sync(void)
{
    if (!hyp_spin_trylock(&console_lock))
        return;
    if (!guest_wrote)
        flush_pending();
    guest_wrote = false;
    hyp_spin_unlock(&console_lock);
}

void hyp_console_set_tag(const char *tag)
{
    hyp_spin_lock(&console_lock);
    console_tag = tag;
    hyp_spin_unlock(&console_lock);
}

void hyp_console_guest_write(const char *buf, size_t len)
{
    hyp_spin_lock(&console_lock);
    emit_raw(buf, len);
    guest_wrote = true;
    if (at_line_start)
        flush_pending();
    hyp_spin_unlock(&console_lock);
}

void hyp_console_tagged_write(const char *tag, const char *buf, size_t len)
{
    hyp_spin_lock(&console_lock);
    /* Another writer's partial line is ended first; our own continues. */
    if (len != 0 && !at_line_start && line_owner != tag)
        emit_raw("\n", 1);
    emit_lines(tag, buf, len);
    line_owner = at_line_start ? NULL : tag;
    guest_wrote = true;
    if (at_line_start)
        flush_pending();
    hyp_spin_unlock(&console_lock);
}

size_t hyp_console_read(char *buf, size_t max)
{
    size_t n = 0;

    hyp_spin_lock(&console_lock);
    while (n < max && uart_getc(&buf[n]))
        n++;
    hyp_spin_unlock(&console_lock);
    return n;
}

void hyp_console_emergency(void)
{
    struct hyp_percpu *cpu = hyp_this_cpu();

    __atomic_store_n(&console_emergency, true, __ATOMIC_RELAXED);
    /* Whatever this CPU had half-written goes out first. */
    if (cpu != NULL)
        flush_line(cpu);
}

/* picolibc stdio glue: one write-only stream serves stdout and stderr (and
 * stdin, which reads nothing: input goes through hyp_console_read()). */
static int console_put(char c, FILE *file)
{
    (void)file;
    hyp_console_write(&c, 1);
    return (unsigned char)c;
}

static int console_fflush(FILE *file)
{
    (void)file;
    hyp_console_flush();
    return 0;
}

static FILE console_stream =
    FDEV_SETUP_STREAM(console_put, NULL, console_fflush, _FDEV_SETUP_WRITE);
FILE *const stdin = &console_stream;
FILE *const stdout = &console_stream;
FILE *const stderr = &console_stream;
