/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vconsole.h
 * @brief Several VMs on one physical UART: line assembly and input focus.
 *
 * Pure logic, no hardware and no allocation (host-tested). A hypervisor that
 * gives several VMs a virtual PL011 each and one physical UART to all of
 * them keeps one ::hyp_vcons_line per VM, fed with what that VM transmits:
 * it hands back whole lines, so the output of two VMs never mixes within a
 * line, and a partial line (a shell prompt) once the VM has paused. The
 * lines are then written tagged with the VM's name
 * (hyp_console_tagged_write()).
 *
 * Console input goes to one VM at a time, the one with the *focus*. The key
 * sequence that moves it is Ctrl-] (0x1d, ::HYP_VCONS_ESCAPE) followed by:
 * - a digit `0`..`9`: the VM with that index (in configuration order);
 * - `n`: the next VM (wrapping around);
 * - `c`: checkpoint the VM with the focus (::HYP_VCONS_KEY_CHECKPOINT; the
 *   focus stays);
 * - Ctrl-] again: a literal Ctrl-] for the VM that has the focus.
 *
 * Any other key after Ctrl-] is dropped, as is a digit naming no VM.
 * hyp_vcons_focus_key() decides, key by key, what happens.
 */
#ifndef HYP_VCONSOLE_H
#define HYP_VCONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/** Bytes of one assembled line; a longer line is handed over in pieces. */
#define HYP_VCONS_LINE 192

/** Ticks (calls of hyp_vcons_line_tick()) a partial line waits before it goes out. */
#define HYP_VCONS_IDLE_TICKS 2

/** The key that starts a focus command: Ctrl-]. */
#define HYP_VCONS_ESCAPE 0x1d

/**
 * @brief Receives assembled output of one VM.
 * @param arg The argument given with the line.
 * @param buf Bytes: a whole line ending in '\n', or part of one.
 * @param len Number of bytes (at least 1).
 */
typedef void (*hyp_vcons_emit_fn)(void *arg, const char *buf, size_t len);

/** One VM's output being assembled into lines. Zero-initialise it. */
struct hyp_vcons_line {
    char buf[HYP_VCONS_LINE]; /**< The line so far. */
    size_t len;               /**< Bytes in @ref buf. */
    unsigned idle;            /**< Ticks since the last byte. */
};

/**
 * @brief Add output of the VM; hand over every line it completes.
 *
 * Carriage returns are dropped (the console adds its own before each
 * newline). Each '\n' ends a line, which goes to @p emit with its newline;
 * a line that fills ::HYP_VCONS_LINE bytes goes out as a piece without one.
 * @param line The VM's line.
 * @param buf  Bytes the VM transmitted; may be NULL when @p len is 0.
 * @param len  How many.
 * @param emit Called for each completed line or piece.
 * @param arg  Passed to @p emit.
 */
void hyp_vcons_line_put(struct hyp_vcons_line *line, const char *buf, size_t len,
                        hyp_vcons_emit_fn emit, void *arg);

/**
 * @brief Count a tick; hand over a partial line the VM has left idle.
 *
 * A partial line (a prompt, a line being typed) goes out once no byte came
 * for ::HYP_VCONS_IDLE_TICKS calls.
 * @param line The VM's line.
 * @param emit Called with the partial line, if it goes out.
 * @param arg  Passed to @p emit.
 * @return true if a partial line went out.
 */
bool hyp_vcons_line_tick(struct hyp_vcons_line *line, hyp_vcons_emit_fn emit, void *arg);

/** Which VM console input goes to. */
struct hyp_vcons_focus {
    unsigned count; /**< Number of VMs (at least 1). */
    unsigned focus; /**< Index of the VM with the focus. */
    bool escape;    /**< Ctrl-] was the last key. */
};

/** What to do with one key of console input. */
enum hyp_vcons_key {
    HYP_VCONS_KEY_DELIVER = 0, /**< Give the key to the VM with the focus. */
    HYP_VCONS_KEY_DROP,        /**< Part of a focus command, or a bad one: drop it. */
    HYP_VCONS_KEY_SWITCHED,    /**< The focus moved (to hyp_vcons_focus::focus). */
    /** Ctrl-] c: checkpoint the VM with the focus (docs/checkpoint.md). */
    HYP_VCONS_KEY_CHECKPOINT,
};

/**
 * @brief Start with the focus on VM 0.
 * @param focus The state.
 * @param count Number of VMs (0 is taken as 1).
 */
void hyp_vcons_focus_init(struct hyp_vcons_focus *focus, unsigned count);

/**
 * @brief Decide what one key of console input does (see the file comment).
 * @param focus The state.
 * @param key   The key.
 * @return What to do with it; for ::HYP_VCONS_KEY_DELIVER the key to deliver
 *         is @p key (Ctrl-] for Ctrl-] Ctrl-]).
 */
enum hyp_vcons_key hyp_vcons_focus_key(struct hyp_vcons_focus *focus, char key);

#endif /* HYP_VCONSOLE_H */
