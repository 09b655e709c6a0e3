/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Runtime shared by the bare-metal EL1 test guests: console, TAP output,
 * exception capture, SMCCC/PSCI calls, secondary CPUs, timing, the device
 * tree and a minimal GICv3 set-up.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_MAX_CPUS  8
#define GUEST_UART_BASE 0x09000000UL
/* The PL011 the runtime writes to: GUEST_UART_BASE, or the DTB's first
 * arm,pl011 once guest_boot() has seen it. */
extern uint64_t guest_uart_base;

/* SMCCC and PSCI function identifiers (Arm DEN 0028, DEN 0022). */
#define SMCCC_VERSION           0x80000000U
#define SMCCC_ARCH_FEATURES     0x80000001U
#define SMCCC_ARCH_WORKAROUND_1 0x80008000U
#define PSCI_VERSION            0x84000000U
#define PSCI_CPU_OFF            0x84000002U
#define PSCI_CPU_ON_64          0xC4000003U
#define PSCI_AFFINITY_INFO_64   0xC4000004U
#define PSCI_MIGRATE_INFO_TYPE  0x84000006U
#define PSCI_SYSTEM_OFF         0x84000008U
#define PSCI_FEATURES           0x8400000AU

/* SMCCC and PSCI return codes. */
#define SMCCC_RET_SUCCESS         0
#define SMCCC_RET_NOT_SUPPORTED   (-1)
#define PSCI_RET_SUCCESS          0
#define PSCI_RET_NOT_SUPPORTED    (-1)
#define PSCI_RET_INVALID_PARAMS   (-2)
#define PSCI_RET_DENIED           (-3)
#define PSCI_RET_ALREADY_ON       (-4)
#define PSCI_RET_ON_PENDING       (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)

/* AFFINITY_INFO results. */
#define PSCI_AFF_ON         0
#define PSCI_AFF_OFF        1
#define PSCI_AFF_ON_PENDING 2

/* ESR_ELx fields. */
#define ESR_EC(esr)         (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr)        ((esr)&0x1ffffff)
#define EC_UNKNOWN          0x00
#define EC_SVC64            0x15
#define EC_HVC64            0x16
#define EC_SMC64            0x17
#define EC_IABT_CUR         0x21
#define EC_DABT_CUR         0x25
#define IABT_IFSC(esr)      ((esr)&0x3f)
#define DABT_DFSC(esr)      ((esr)&0x3f)
#define DABT_WNR            (1U << 6)
#define DABT_FNV            (1U << 10)
#define DFSC_SYNC_EXT_ABORT 0x10

enum smccc_conduit { CONDUIT_HVC, CONDUIT_SMC };

/* What the EL1 vectors saw for one synchronous exception. */
struct guest_exception {
    uint64_t esr;
    uint64_t far;
    uint64_t elr;
};

/* One SVC from EL0 as the runtime's EL1 handler saw it. */
struct guest_svc {
    uint64_t nr;      /* x8 */
    uint64_t args[6]; /* x0..x5 */
    uint64_t pc;      /* ELR_EL1: the instruction after the SVC (EL0 address) */
    uint32_t imm;     /* the SVC's immediate */
};

/* An SMCCC call's result: `undefined` when the instruction itself trapped. */
struct smccc_res {
    int64_t a0, a1, a2, a3;
    bool undefined;
    uint64_t esr;
};

/* System registers by name, e.g. sysreg_read(cntvct_el0). */
#define sysreg_read(name)                                                                \
    ({                                                                                   \
        uint64_t v_;                                                                     \
        __asm__ volatile("mrs %0, " #name : "=r"(v_));                                   \
        v_;                                                                              \
    })
#define sysreg_write(name, v)                                                            \
    __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)) : "memory")

/* --- console and TAP ---------------------------------------------------- */

/* printf() goes to the PL011, whole lines under one lock. */
void tap_ok(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the plan line and powers the system off. */
__attribute__((noreturn)) void tap_done(void);
/* Reports an unexpected event as a failure, bails out and powers off. */
__attribute__((noreturn)) void tap_bail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* --- exceptions ---------------------------------------------------------- */

/*
 * Arms this CPU's vectors to absorb the next synchronous exception from EL1:
 * it is recorded and the faulting instruction is skipped. An instruction
 * abort (EC 0x21) has no instruction to skip (ELR_EL1 is the address that
 * could not be executed): it resumes at x30 instead, i.e. after the BL/BLR
 * that branched there. Any other synchronous exception is fatal (tap_bail).
 */
void guest_expect_exception(void);
/* Disarms; true (and *out filled) when an exception was absorbed. */
bool guest_took_exception(struct guest_exception *out);

/* IRQs taken on this CPU, and the last INTID acknowledged. */
unsigned guest_irq_count(void);
uint32_t guest_last_intid(void);

/* --- EL0 ----------------------------------------------------------------------- */

/*
 * Runs fn(arg) at EL0 (DAIF masked) on this CPU and returns its result at
 * EL1. fn runs from a read-only, EL0-executable alias of the guest image
 * (outside the identity map, at 4 GiB) on a small EL0 stack there: it may
 * call other functions of the image (PC-relative) and read its data, but not
 * write it, not follow absolute pointers into the identity map, and must not
 * use more than 8 KiB of stack. An SVC from fn is recorded (guest_svc_*) and
 * returns with the registers unchanged; any other exception from EL0 is
 * fatal. One CPU at a time.
 */
uint64_t guest_run_el0(uint64_t (*fn)(uint64_t arg), uint64_t arg);
/* SVCs from EL0 on this CPU so far (the exit SVC of guest_run_el0 excluded). */
unsigned guest_svc_count(void);
/* The n-th SVC (0 = first); false once it has left the 8-entry log. */
bool guest_svc_get(unsigned n, struct guest_svc *out);

/* --- console input ------------------------------------------------------------ */

/* A byte received on the PL011, or -1 when its receive FIFO is empty. */
int guest_console_getc(void);

/* --- SMCCC / PSCI ---------------------------------------------------------- */

struct smccc_res smccc_call(enum smccc_conduit conduit, uint32_t fid, uint64_t a1,
                            uint64_t a2, uint64_t a3);
/* True once the SMC probe at boot found no hypervisor (SMC is UNDEFINED). */
bool guest_bare_metal(void);
/* True once the probe at boot saw SMCCC_VERSION >= 1.1 through HVC. */
bool guest_smccc_1_1(void);
__attribute__((noreturn)) void psci_system_off(void);

/* --- CPUs ------------------------------------------------------------------- */

/* This CPU's runtime slot (0 = boot CPU). */
unsigned guest_cpu_slot(void);
/*
 * Prepares slot `slot` for a secondary with MPIDR `mpidr` that will run
 * fn(context_id) once CPU_ON(mpidr, guest_secondary_entry_pa(), context_id)
 * starts it.
 */
void guest_cpu_prepare(unsigned slot, uint64_t mpidr, void (*fn)(uint64_t context_id));
uint64_t guest_secondary_entry_pa(void);
uint64_t guest_read_mpidr(void);

/* Simple ticket-free test-and-set spinlock; spins with YIELD. */
struct guest_spinlock {
    uint32_t locked;
};
void guest_spin_lock(struct guest_spinlock *lock);
void guest_spin_unlock(struct guest_spinlock *lock);

/* --- time ------------------------------------------------------------------- */

uint64_t guest_now_us(void);
/* Polls cond(arg) with YIELD until true or `timeout_us` passed. */
bool guest_wait(bool (*cond)(void *arg), void *arg, uint64_t timeout_us);

/* --- device tree ------------------------------------------------------------ */

/* The DTB x0 pointed at on entry (NULL if its header is not valid). */
const void *guest_fdt(void);
uint64_t guest_fdt_addr(void);
/* INTID of the virtual timer from the DTB's arm,armv8-timer node (27 if absent). */
uint32_t guest_virtual_timer_intid(void);
/*
 * The `index`-th (address, size) entry of `node`'s reg, in its parent's
 * #address-cells/#size-cells (1 or 2 each); `size` may be NULL. False when
 * the node has no such entry.
 */
bool guest_fdt_reg(const void *fdt, int node, unsigned index, uint64_t *addr,
                   uint64_t *size);

/* --- GIC (v3 or v2) --------------------------------------------------------- */

/*
 * Enables the distributor, this CPU's redistributor (GICv3) and CPU
 * interface and the PPI `intid`, all from the DTB's GIC node: GICv3 with
 * its system-register interface and group 1, or GICv2 with the memory-mapped
 * CPU interface and group 0. The IRQ handler then acknowledges through the
 * one set up. Returns false (with a TAP diagnostic) if there is no usable GIC.
 */
bool guest_gic_init_ppi(uint32_t intid);

/* The version of the DTB's GIC node: 3, 2, or 0 if none. */
unsigned guest_gic_version(void);

/* The guest's test entry point, on the boot CPU, after the runtime is up. */
void guest_main(void);

/* --- IRQ handler hook ------------------------------------------------------- */

/*
 * fn(intid) runs for every IRQ taken at EL1 (spurious INTIDs 1020..1023
 * excluded), on the CPU that took it, with IRQs masked: after the runtime
 * has counted it and masked the virtual timer, before the EOI. It must quiet
 * the source of a level-triggered interrupt (the runtime EOIs on return).
 * One handler for all CPUs; NULL removes it.
 */
void guest_set_irq_handler(void (*fn)(uint32_t intid));

#endif
