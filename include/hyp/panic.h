/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file panic.h
 * @brief Stop on a broken hypervisor invariant.
 *
 * `panic` is for bugs in the hypervisor only; bad guest input yields an
 * error code to the guest instead (see DESIGN.md, "Guest input is hostile").
 */
#ifndef HYP_PANIC_H
#define HYP_PANIC_H

/**
 * @brief Print `PANIC on CPU n: <message>` and call port_fatal().
 *
 * Safe to call with the console lock held by another CPU: the message is
 * written even if the lock cannot be taken.
 *
 * @param fmt printf-style format (integer conversions only).
 */
_Noreturn void hyp_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Panic with the source location if @p cond is false. */
#define HYP_ASSERT(cond)                                                                 \
    do {                                                                                 \
        if (!(cond))                                                                     \
            hyp_panic("assertion '%s' failed at %s:%d", #cond, __FILE__, __LINE__);      \
    } while (0)

#endif /* HYP_PANIC_H */
