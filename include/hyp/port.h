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

#include <stdbool.h>
#include <stdint.h>

/** The board's PSCI firmware has no CPU_SUSPEND. */
#define HYP_PORT_QUIRK_NO_CPU_SUSPEND (1u << 0)
/** The board's firmware cannot power the system off (SYSTEM_OFF returns). */
#define HYP_PORT_QUIRK_NO_SYSTEM_OFF  (1u << 1)

struct hyp_platform;

/**
 * @brief A console UART driver (polled), for boards whose UART is not a PL011.
 *
 * The console calls these under its lock; they must not print. @p base is
 * the UART's register base, from the port (early) and then from the DTB's
 * `/chosen/stdout-path`.
 */
struct hyp_console_ops {
    /**
     * @brief Make the UART ready to send and receive, its interrupts masked.
     * @param base     Register base.
     * @param clock_hz Reference clock to program 115200 8N1 from; 0 keeps the
     *                 bootloader's line settings.
     */
    void (*init)(uintptr_t base, uint32_t clock_hz);
    /**
     * @brief Send one byte, waiting while the transmit FIFO is full.
     * @param base Register base.
     * @param c    The byte.
     */
    void (*tx)(uintptr_t base, char c);
    /**
     * @brief Take one received byte if there is one.
     * @param base Register base.
     * @param c    Receives the byte.
     * @return True if a byte was taken.
     */
    bool (*rx)(uintptr_t base, char *c);
};

/**
 * @brief A board's constant description.
 *
 * The layout of the first two fields is relied on by the early boot assembly
 * (checked with static_assert); add new fields at the end.
 */
struct hyp_port {
    const char *name; /**< Board name, printed at boot. */
    /** Console UART base used before the DTB is parsed (a PL011 unless
     *  @ref console says otherwise); 0 for none. */
    uint64_t early_uart;
    uint32_t
        early_uart_clock_hz; /**< Its reference clock, 0 to leave the baud rate alone. */
    uint32_t quirks;         /**< HYP_PORT_QUIRK_* flags. */
    /** The console UART's driver; NULL for a PL011 (the library's). The
     *  boot code's last-resort messages (wrong EL, wrong load address) only
     *  know a PL011 and stay silent otherwise. */
    const struct hyp_console_ops *console;
    /**
     * Correct what the boot DTB gets wrong for this hypervisor, right after
     * platform discovery and before the console moves to the DTB's UART and
     * the EL2 MMU maps it (e.g. pick another UART than `stdout-path`'s);
     * NULL for none. Runs on the boot CPU with the MMU off.
     */
    void (*platform_fixup)(struct hyp_platform *plat);
    /**
     * Start a secondary CPU at @p entry with x0 = @p context at EL2, for
     * boards whose firmware has no PSCI; NULL: PSCI `CPU_ON` through the
     * DTB's conduit. ::hyp_spin_table_cpu_on releases the CPU from the
     * DTB's spin table. Returns ::HYP_OK or a negative ::hyp_err code.
     */
    int (*cpu_on)(uint64_t mpidr, uint64_t entry, uint64_t context);
    /** Power the board off (or stop it for good) without PSCI; NULL: PSCI
     *  `SYSTEM_OFF`. Returns only if it failed. */
    void (*system_off)(void);
};

/**
 * @brief Start a secondary CPU through the boot DTB's spin table.
 *
 * For ::hyp_port.cpu_on on boards whose CPUs have `enable-method =
 * "spin-table"` (the firmware parks them until an address appears at their
 * `cpu-release-addr`, e.g. the Raspberry Pi 4's, or QEMU's raspi4b): writes
 * the library's spin-table entry there and wakes the CPU (SEV), which then
 * enters like a CPU started by PSCI `CPU_ON`, with x0 = @p context.
 *
 * @param mpidr   The CPU's MPIDR affinity, as in the DTB.
 * @param entry   Ignored: the library's own entry is used (it finds
 *                @p context by MPIDR, as the pen passes none).
 * @param context Passed to the CPU in x0.
 * @return ::HYP_OK; ::HYP_ENOTSUP if the DTB gives the CPU no (8-byte aligned)
 *         release address; ::HYP_ENOMEM if no entry is free; errors of
 *         hyp_el2_map().
 */
int hyp_spin_table_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);

/** The board this image was linked for (defined by `ports/<board>/port.c`). */
extern const struct hyp_port hyp_port;

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
