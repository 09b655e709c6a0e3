/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file console.h
 * @brief The hypervisor console: picolibc's stdio on a PL011.
 *
 * After boot, `printf` and `puts` write to the console UART from the DTB (or
 * the port's early UART before that). Output is assembled per CPU into lines
 * and each line is written whole under a lock, so lines from different CPUs
 * never interleave.
 */
#ifndef HYP_CONSOLE_H
#define HYP_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief Point the console at a PL011.
 * @param base     MMIO base of the UART.
 * @param clock_hz Its reference clock; 0 leaves the baud rate as firmware set it.
 */
void hyp_console_init(uint64_t base, uint32_t clock_hz);

/**
 * @brief Write bytes to the console (through the calling CPU's line buffer).
 * @param buf Bytes to write.
 * @param len How many.
 */
void hyp_console_write(const char *buf, size_t len);

/**
 * @brief Write out the calling CPU's partial line and any held-back lines.
 */
void hyp_console_flush(void);

/**
 * @brief Let held-back tagged lines out once the guest has paused.
 *
 * Call periodically (e.g. from a 100 Hz tick): if the guest wrote nothing
 * since the previous call, the tagged lines waiting for the end of its
 * partial line are written now (after a newline). Never waits for the lock.
 */
void hyp_console_sync(void);

/**
 * @brief Tag every hypervisor line from now on (when a guest shares the UART).
 *
 * Each line the hypervisor prints then starts with @p tag, on a line of its
 * own. While the guest is in the middle of a line, tagged lines are held
 * back (up to 2 KiB) until the guest ends it or pauses (see
 * hyp_console_sync()); if they overflow, the guest's line is ended with a
 * newline and they are written at once. Guest output
 * (hyp_console_guest_write()) passes through unchanged.
 *
 * @param tag A static string such as "[hyp] ", or NULL for no tag.
 */
void hyp_console_set_tag(const char *tag);

/**
 * @brief Write a guest's console output: raw bytes, no tag, no line assembly.
 * @param buf Bytes.
 * @param len How many.
 */
void hyp_console_guest_write(const char *buf, size_t len);

/**
 * @brief Write a VM's console output as tagged lines (several VMs, one UART).
 *
 * Each line starts with @p tag. A line the UART's cursor has left open is
 * continued only by the same tag (compared by pointer); anyone else's
 * output first ends it with a newline, so lines of different writers never
 * mix within a line. Feed whole lines (hyp_vcons_line_put() assembles
 * them); a partial line stays open for its writer. Takes the console lock;
 * no formatting, no allocation.
 * @param tag A static string such as "[linux-a] ".
 * @param buf Bytes.
 * @param len How many.
 */
void hyp_console_tagged_write(const char *tag, const char *buf, size_t len);

/**
 * @brief Read whatever console input is waiting, without blocking.
 * @param buf Receives the bytes.
 * @param max Room in @p buf.
 * @return Bytes read (0 if none).
 */
size_t hyp_console_read(char *buf, size_t max);

/**
 * @brief Switch the console to emergency mode for the rest of the run.
 *
 * Crash paths call this: it writes out the calling CPU's partial line, and
 * from then on lines are written even if the console lock cannot be taken
 * within a bounded spin, so a CPU that died holding the lock cannot silence
 * the diagnostic. Lines stay whole per CPU.
 */
void hyp_console_emergency(void);

#endif /* HYP_CONSOLE_H */
