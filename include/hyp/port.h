/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file port.h
 * @brief What a board provides beyond its device tree.
 *
 * Each board is a folder under `ports/` with a `port.c` that defines
 * ::hyp_port and the `port_*` hooks below, and a `port.cmake` that gives the
 * load address, CPU flags and (for emulated boards) the QEMU command line.
 * Everything else (memory, CPUs, GIC, UART, timer) comes from the DTB.
 * The hooks are bound at link time; the porting guide (docs/porting.md)
 * lists when each is called.
 */
#ifndef HYP_PORT_H
#define HYP_PORT_H

#include <stdint.h>

/** The board's PSCI firmware has no CPU_SUSPEND. */
#define HYP_PORT_QUIRK_NO_CPU_SUSPEND (1u << 0)
/** The board's firmware cannot power the system off (SYSTEM_OFF returns). */
#define HYP_PORT_QUIRK_NO_SYSTEM_OFF  (1u << 1)

/**
 * @brief A board's constant description.
 *
 * The layout of the first two fields is relied on by the early boot assembly
 * (checked with static_assert); add new fields at the end.
 */
struct hyp_port {
    const char *name;    /**< Board name, printed at boot. */
    uint64_t early_uart; /**< PL011 base used before the DTB is parsed; 0 for none. */
    uint32_t
        early_uart_clock_hz; /**< Its reference clock, 0 to leave the baud rate alone. */
    uint32_t quirks;         /**< HYP_PORT_QUIRK_* flags. */
};

/** The board this image was linked for (defined by `ports/<board>/port.c`). */
extern const struct hyp_port hyp_port;

struct hyp_platform;

/**
 * @brief Board-specific setup on the boot CPU, after platform discovery.
 *
 * Called once, with the console up and before `main()`. Return ::HYP_OK or
 * a negative ::hyp_err code, which stops the boot with a message.
 *
 * @param plat The platform found in the boot DTB; the port may correct it
 *             (quirks the DTB gets wrong).
 * @return ::HYP_OK or a negative error code.
 */
int port_init(struct hyp_platform *plat);

/**
 * @brief What to do after a fatal error (panic, unexpected exception).
 *
 * Called on the failing CPU after the diagnostic has been printed, with
 * interrupts masked. Must not return. Typical choices: halt this CPU, reset
 * the board, or power it off.
 */
_Noreturn void port_fatal(void);

#endif /* HYP_PORT_H */
