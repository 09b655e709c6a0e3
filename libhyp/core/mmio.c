/* SPDX-License-Identifier: BSD-2-Clause */
/* A guest's access done on a device for it (target only; see hyp/mmio.h). */
#include <hyp/mmio.h>

uint64_t hyp_mmio_access(uintptr_t addr, unsigned size, bool write, uint64_t val)
{
    /* 32-bit first: the usual size of device registers. */
    if (size == 4 && !write)
        return *(volatile const uint32_t *)addr;
    if (size == 4)
        *(volatile uint32_t *)addr = (uint32_t)val;
    else if (size == 1 && write)
        *(volatile uint8_t *)addr = (uint8_t)val;
    else if (size == 1)
        return *(volatile const uint8_t *)addr;
    else if (size == 2 && write)
        *(volatile uint16_t *)addr = (uint16_t)val;
    else if (size == 2)
        return *(volatile const uint16_t *)addr;
    else if (write)
        *(volatile uint64_t *)addr = val;
    else
        return *(volatile const uint64_t *)addr;
    return val;
}
