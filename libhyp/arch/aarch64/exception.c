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
#define EC_IABT_LOW  0x20
#define EC_IABT_CUR  0x21
#define EC_DABT_LOW  0x24
#define EC_DABT_CUR  0x25

const char *hyp_esr_class_name(unsigned ec)
{
    static const char *const names[64] = {
        [0x00] = "unknown reason (undefined instruction?)",
        [0x01] = "WFI/WFE",
        [0x07] = "FP/SIMD access",
        [0x0e] = "illegal execution state",
        [0x15] = "SVC (AArch64)",
        [0x16] = "HVC (AArch64)",
        [0x17] = "SMC (AArch64)",
        [0x18] = "MSR/MRS/system instruction",
        [0x19] = "SVE access",
        [EC_IABT_LOW] = "instruction abort (lower EL)",
        [EC_IABT_CUR] = "instruction abort (same EL)",
        [0x22] = "PC alignment fault",
        [EC_DABT_LOW] = "data abort (lower EL)",
        [EC_DABT_CUR] = "data abort (same EL)",
        [0x26] = "SP alignment fault",
        [0x2c] = "FP exception",
        [0x2f] = "SError",
        [0x30] = "breakpoint",
        [0x31] = "breakpoint",
        [0x32] = "software step",
        [0x33] = "software step",
        [0x34] = "watchpoint",
        [0x35] = "watchpoint",
        [0x3c] = "BRK instruction",
    };

    return ec < 64 && names[ec] != NULL ? names[ec] : "reserved/other";
}

static const char *fault_status_name(unsigned fsc)
{
    switch (fsc & 0x3c) {
    case 0x00:
        return "address size fault";
    case 0x04:
        return "translation fault";
    case 0x08:
        return "access flag fault";
    case 0x0c:
        return "permission fault";
    default:
        break;
    }
    switch (fsc) {
    case 0x10:
        return "synchronous external abort";
    case 0x21:
        return "alignment fault";
    case 0x30:
        return "TLB conflict abort";
    default:
        return "other fault";
    }
}

void hyp_dump_regs(unsigned vector, const struct hyp_regs *regs)
{
    static const char *const kinds[] = {"synchronous", "IRQ", "FIQ", "SError"};
    static const char *const origins[] = {"current EL, SP_EL0", "current EL, SP_ELx",
                                          "lower EL, AArch64", "lower EL, AArch32"};
    unsigned ec = ESR_EC(regs->esr);
    unsigned from_el = (unsigned)((regs->spsr >> 2) & 3);

    printf("\n*** libhyp: unexpected %s exception (%s) on CPU %u\n", kinds[vector & 3],
           origins[(vector >> 2) & 3], hyp_cpu_id());
    printf("*** from EL%u, ESR_EL2 0x%08llx: EC 0x%02x %s, ISS 0x%07llx\n", from_el,
           (unsigned long long)regs->esr, ec, hyp_esr_class_name(ec),
           (unsigned long long)ESR_ISS(regs->esr));
    if (ec == EC_IABT_LOW || ec == EC_IABT_CUR || ec == EC_DABT_LOW ||
        ec == EC_DABT_CUR) {
        unsigned fsc = (unsigned)(regs->esr & 0x3f);
        bool data = ec == EC_DABT_LOW || ec == EC_DABT_CUR;
        const char *access = !data ? "fetch" : (regs->esr & (1u << 6)) ? "write" : "read";

        printf("*** %s on %s, level %u, FAR_EL2 0x%016llx\n", fault_status_name(fsc),
               access, fsc & 3, (unsigned long long)regs->far);
    } else {
        printf("*** FAR_EL2 0x%016llx\n", (unsigned long long)regs->far);
    }
    printf("*** ELR_EL2 0x%016llx  SPSR_EL2 0x%08llx  SP 0x%016llx\n",
           (unsigned long long)regs->elr, (unsigned long long)regs->spsr,
           (unsigned long long)regs->sp);
    for (unsigned i = 0; i < 31; i += 2) {
        if (i == 30)
            printf("    x30 0x%016llx\n", (unsigned long long)regs->x[30]);
        else
            printf("    x%-2u 0x%016llx  x%-2u 0x%016llx\n", i,
                   (unsigned long long)regs->x[i], i + 1,
                   (unsigned long long)regs->x[i + 1]);
    }
}

void hyp_exception(unsigned vector, struct hyp_regs *regs)
{
    __asm__ volatile("msr daifset, #0xf" ::: "memory");
    hyp_console_emergency();
    hyp_dump_regs(vector, regs);
    printf("*** CPU %u halted\n", hyp_cpu_id());
    port_fatal();
}
