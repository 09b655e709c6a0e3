/* SPDX-License-Identifier: BSD-2-Clause */
/* A guest's access done on a device for it (target only; see hyp/mmio.h). */
#include <hyp/mmio.h>

uint64_t hyp_mmio_access(uintptr_t addr, unsigned size, bool write, uint64_t val)
{
    switch (size) {
    case 1:
        if (write)
            *(volatile uint8_t *)addr = (uint8_t)val;
        return write ? val : *(volatile const uint8_t *)addr;
    case 2:
        if (write)
            *(volatile uint16_t *)addr = (uint16_t)val;
        return write ? val : *(volatile const uint16_t *)addr;
    case 4:
        if (write)
            *(volatile uint32_t *)addr = (uint32_t)val;
        return write ? val : *(volatile const uint32_t *)addr;
    default:
        if (write)
            *(volatile uint64_t *)addr = val;
        return write ? val : *(volatile const uint64_t *)addr;
    }
}
