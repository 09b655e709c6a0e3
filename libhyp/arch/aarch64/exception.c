/* SPDX-License-Identifier: BSD-2-Clause */
/* EL2 exception entry from vectors.S and the crash dump. */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <hyp/console.h>
#include <hyp/cpu.h>
#include <hyp/exception.h>
#include <hyp/port.h>
#include <hyp/sysreg.h>
#include "asm_offsets.h"

static_assert(offsetof(struct hyp_regs, x) == REGS_X0, "REGS_X0");
static_assert(offsetof(struct hyp_regs, sp) == REGS_SP, "REGS_SP");
static_assert(offsetof(struct hyp_regs, elr) == REGS_ELR, "REGS_ELR");
static_assert(offsetof(struct hyp_regs, spsr) == REGS_SPSR, "REGS_SPSR");
static_assert(offsetof(struct hyp_regs, esr) == REGS_ESR, "REGS_ESR");
static_assert(offsetof(struct hyp_regs, far) == REGS_FAR, "REGS_FAR");
static_assert(sizeof(struct hyp_regs) == REGS_SIZE, "REGS_SIZE");
static_assert(REGS_SIZE % 16 == 0, "frame keeps SP 16-byte aligned");
static_assert(offsetof(struct hyp_port, early_uart) == PORT_EARLY_UART,
              "PORT_EARLY_UART");
static_assert(offsetof(struct hyp_port, console) == PORT_CONSOLE, "PORT_CONSOLE");

#define ESR_EC(esr)  (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr)&0x1ffffff)

void hyp_dump_regs(unsigned vector, const struct hyp_regs *regs)
{
    static const char *const kinds[] = {"synchronous", "IRQ", "FIQ", "SError"};
    static const char *const origins[] = {"current EL, SP_EL0", "current EL, SP_ELx",
                                          "lower EL, AArch64", "lower EL, AArch32"};
    unsigned from_el = (unsigned)((regs->spsr >> 2) & 3);

    printf("\n*** libhyp: unexpected %s exception (%s) on CPU %u\n", kinds[vector & 3],
           origins[(vector >> 2) & 3], hyp_cpu_id());
    /* The Arm ARM's description of ESR_EL2 decodes EC and ISS (for an abort,
     * WnR is ISS bit 6 and the fault status code bits 5:0). */
    printf("*** from EL%u, ESR_EL2 0x%08llx: EC 0x%02x, ISS 0x%07llx\n", from_el,
           (unsigned long long)regs->esr, (unsigned)ESR_EC(regs->esr),
           (unsigned long long)ESR_ISS(regs->esr));
    printf("*** FAR_EL2 0x%016llx\n", (unsigned long long)regs->far);
    printf("*** ELR_EL2 0x%016llx  SPSR_EL2 0x%08llx  SP 0x%016llx\n",
           (unsigned long long)regs->elr, (unsigned long long)regs->spsr,
           (unsigned long long)regs->sp);
    for (unsigned i = 0; i < 31; i++) /* two registers a line */
        printf("%sx%-2u 0x%016llx%s", i % 2 ? "  " : "    ", i,
               (unsigned long long)regs->x[i], i % 2 || i == 30 ? "\n" : "");
}

_Noreturn void hyp_exception(unsigned vector, struct hyp_regs *regs)
{
    __asm__ volatile("msr daifset, #0xf" ::: "memory");
    hyp_console_emergency();
    hyp_dump_regs(vector, regs);
    printf("*** CPU %u halted\n", hyp_cpu_id());
    port_fatal();
}
