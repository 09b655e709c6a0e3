/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sysreg.h
 * @brief AArch64 system register access (target builds only).
 */
#ifndef HYP_SYSREG_H
#define HYP_SYSREG_H

#include <stdint.h>

/** Read system register @p reg (a bare name such as mpidr_el1). */
#define read_sysreg(reg)                                                                 \
    ({                                                                                   \
        uint64_t rd_val_;                                                                \
        __asm__ volatile("mrs %0, " #reg : "=r"(rd_val_));                               \
        rd_val_;                                                                         \
    })

/** Write @p val to system register @p reg. */
#define write_sysreg(reg, val)                                                           \
    do {                                                                                 \
        uint64_t wr_val_ = (val);                                                        \
        __asm__ volatile("msr " #reg ", %0" ::"r"(wr_val_) : "memory");                  \
    } while (0)

/** Affinity fields Aff3..Aff0 of an MPIDR value (drops U, MT and RES1 bits). */
#define MPIDR_AFFINITY_MASK 0xff00ffffffULL

#endif /* HYP_SYSREG_H */
