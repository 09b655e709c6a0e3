/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hypervisor console: picolibc's stdio streams on a PL011, with output
 * assembled into whole lines per CPU and written under one lock.
 */
#include <stdbool.h>
#include <stdio.h>
#include <hyp/console.h>
#include <hyp/pl011.h>
#include <hyp/spinlock.h>
#include "percpu.h"

/* Spins an emergency writer waits for the lock before writing regardless. */
#define EMERGENCY_LOCK_SPINS 1000000

static struct hyp_pl011 console_uart;
static struct hyp_spinlock console_lock = HYP_SPINLOCK_INIT;
static bool console_emergency;

void hyp_console_init(uint64_t base, uint32_t clock_hz)
{
    hyp_spin_lock(&console_lock);
    console_uart.base = (uintptr_t)base;
    pl011_init(&console_uart, clock_hz);
    hyp_spin_unlock(&console_lock);
}

static void emit(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            pl011_putc(&console_uart, '\r');
        pl011_putc(&console_uart, buf[i]);
    }
}

static void emit_locked(const char *buf, size_t len)
{
    if (__atomic_load_n(&console_emergency, __ATOMIC_RELAXED)) {
        bool locked = false;

        for (unsigned i = 0; i < EMERGENCY_LOCK_SPINS && !locked; i++)
            locked = hyp_spin_trylock(&console_lock);
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
}

void hyp_console_emergency(void)
{
    struct hyp_percpu *cpu = hyp_this_cpu();

    __atomic_store_n(&console_emergency, true, __ATOMIC_RELAXED);
    /* Whatever this CPU had half-written goes out first. */
    if (cpu != NULL)
        flush_line(cpu);
}

/* picolibc stdio glue: one stream serves stdin, stdout and stderr. */
static int console_put(char c, FILE *file)
{
    (void)file;
    hyp_console_write(&c, 1);
    return (unsigned char)c;
}

static int console_get(FILE *file)
{
    char c;

    (void)file;
    hyp_console_flush();
    while (!pl011_getc(&console_uart, &c))
        hyp_cpu_relax();
    return (unsigned char)c;
}

static int console_fflush(FILE *file)
{
    (void)file;
    hyp_console_flush();
    return 0;
}

static FILE console_stream =
    FDEV_SETUP_STREAM(console_put, console_get, console_fflush, _FDEV_SETUP_RW);
FILE *const stdin = &console_stream;
FILE *const stdout = &console_stream;
FILE *const stderr = &console_stream;
