/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file exception.h
 * @brief EL2 exceptions: the saved register frame and the crash dump.
 *
 * Every EL2 vector saves a ::hyp_regs and calls hyp_exception(). An
 * exception nobody handles prints a dump (registers, ESR with its exception
 * class, FAR, the EL it came from) and halts the CPU through port_fatal().
 */
#ifndef HYP_EXCEPTION_H
#define HYP_EXCEPTION_H

#include <stdint.h>

/** Registers saved by an EL2 vector entry. */
struct hyp_regs {
    uint64_t x[31]; /**< x0..x30 at the time of the exception. */
    uint64_t sp;    /**< SP_EL2 before the exception. */
    uint64_t elr;   /**< ELR_EL2: where the exception was taken. */
    uint64_t spsr;  /**< SPSR_EL2: the interrupted PSTATE. */
    uint64_t esr;   /**< ESR_EL2: the syndrome. */
    uint64_t far;   /**< FAR_EL2: the faulting virtual address, if any. */
};

/** The vector an exception came through (index into the 16-entry table). */
enum hyp_vector {
    HYP_VEC_CUR_SP0_SYNC = 0, /**< Current EL with SP_EL0, synchronous. */
    HYP_VEC_CUR_SPX_SYNC = 4, /**< Current EL with SP_ELx, synchronous. */
    HYP_VEC_CUR_SPX_IRQ = 5,  /**< Current EL with SP_ELx, IRQ. */
    HYP_VEC_LOWER64_SYNC = 8, /**< Lower EL using AArch64, synchronous. */
    HYP_VEC_LOWER64_IRQ = 9,  /**< Lower EL using AArch64, IRQ. */
};

/**
 * @brief C entry for every EL2 vector (called from vectors.S).
 *
 * An EL2 exception is a bug in the hypervisor: it prints the crash dump and
 * halts the CPU. (Exceptions from a guest go to the world switch instead.)
 *
 * @param vector Index of the vector entry (0..15), see ::hyp_vector.
 * @param regs   The saved registers.
 */
_Noreturn void hyp_exception(unsigned vector, struct hyp_regs *regs);

/**
 * @brief Print a register dump of @p regs taken through @p vector.
 * @param vector Vector index (0..15).
 * @param regs   The saved registers.
 */
void hyp_dump_regs(unsigned vector, const struct hyp_regs *regs);

#endif /* HYP_EXCEPTION_H */
