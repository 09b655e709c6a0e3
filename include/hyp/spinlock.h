/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file spinlock.h
 * @brief A ticket spinlock: fair, small, usable before the MMU is on in QEMU.
 *
 * Waiters execute a CPU-relax hint (`yield` on AArch64) in their loop, so
 * that under QEMU's deterministic `-icount` scheduling the holder gets to run.
 */
#ifndef HYP_SPINLOCK_H
#define HYP_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

/** A ticket lock. Zero-initialised means unlocked. */
struct hyp_spinlock {
    uint32_t next;  /**< Next ticket to hand out. */
    uint32_t owner; /**< Ticket now holding the lock. */
};

/** Static initialiser for an unlocked ::hyp_spinlock. */
#define HYP_SPINLOCK_INIT                                                                \
    {                                                                                    \
        0, 0                                                                             \
    }

/** Hint to the CPU that we are spinning. */
static inline void hyp_cpu_relax(void)
{
#if defined(__aarch64__)
    __asm__ volatile("yield" ::: "memory");
#endif
}

/**
 * @brief Take a lock, spinning until it is ours.
 * @param lock The lock.
 */
static inline void hyp_spin_lock(struct hyp_spinlock *lock)
{
    uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
        hyp_cpu_relax();
}

/**
 * @brief Take a lock if it is free.
 * @param lock The lock.
 * @return true if the lock is now held by the caller.
 */
static inline bool hyp_spin_trylock(struct hyp_spinlock *lock)
{
    uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
    uint32_t expected = owner;

    return __atomic_compare_exchange_n(&lock->next, &expected, owner + 1, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/**
 * @brief Release a lock held by the caller.
 * @param lock The lock.
 */
static inline void hyp_spin_unlock(struct hyp_spinlock *lock)
{
    uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);

    __atomic_store_n(&lock->owner, owner + 1, __ATOMIC_RELEASE);
}

#endif /* HYP_SPINLOCK_H */
