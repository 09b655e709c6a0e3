/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file mmio.h
 * @brief The `mmio` seam: device register accessors.
 *
 * On the target these are single, non-tearing volatile accesses. Host builds
 * (LIBHYP_HOST defined) declare them as functions that unit tests provide,
 * so device drivers and models can be tested against fake registers.
 */
#ifndef HYP_MMIO_H
#define HYP_MMIO_H

#include <stdint.h>

#if defined(LIBHYP_HOST)
/** Read a 32-bit device register. @param addr Its address. @return The value. */
uint32_t mmio_read32(uintptr_t addr);
/** Write a 32-bit device register. @param addr Its address. @param val The value. */
void mmio_write32(uintptr_t addr, uint32_t val);
#else
/** Read a 32-bit device register. @param addr Its address. @return The value. */
static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}
/** Write a 32-bit device register. @param addr Its address. @param val The value. */
static inline void mmio_write32(uintptr_t addr, uint32_t val)
{
    *(volatile uint32_t *)addr = val;
}
#endif

#endif /* HYP_MMIO_H */
