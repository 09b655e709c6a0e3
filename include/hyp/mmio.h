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

#include <stdbool.h>
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

/**
 * @brief Do a guest's access on a device, with the guest's access size.
 *
 * Target only (libhyp/core/mmio.c): for emulated regions that pass accesses
 * through, such as the monitor's watched regions.
 * @param addr  Address of the device register (mapped at EL2).
 * @param size  1, 2, 4 or 8 bytes.
 * @param write A write of @p val (else a read).
 * @param val   The value written.
 * @return The value read, or @p val for a write.
 */
uint64_t hyp_mmio_access(uintptr_t addr, unsigned size, bool write, uint64_t val);

#endif /* HYP_MMIO_H */
