/* SPDX-License-Identifier: BSD-2-Clause */
/* Per-CPU data of the runtime (internal to libhyp). */
#ifndef HYP_CORE_PERCPU_H
#define HYP_CORE_PERCPU_H

#include <stddef.h>
#include <stdint.h>
#include <hyp/config.h>
#include <hyp/cpu.h>
#include <hyp/sysreg.h>

/* Bytes of thread-local storage (picolibc's errno) per CPU; hyp.ld checks it. */
#define HYP_TLS_AREA     256
/* Longest console line assembled before it is written out. */
#define HYP_CONSOLE_LINE 160

enum hyp_cpu_state {
    HYP_CPU_OFF = 0,
    HYP_CPU_STARTING,
    HYP_CPU_RUNNING,
};

struct hyp_vcpu;
struct hyp_vcpu_regs;

struct hyp_percpu {
    /* Registers of the guest running on this CPU, NULL at EL2 (assembly). */
    struct hyp_vcpu_regs *guest_regs;
    /* The vCPU whose EL1 state is live in this CPU's registers. */
    struct hyp_vcpu *loaded_vcpu;
    /* EL2's own TPIDR_EL0 (picolibc's TLS pointer), restored after exits. */
    uint64_t tpidr_el0;
    /* HCR_EL2 and MDCR_EL2 as last written for a guest; MDCR_EL2 at boot. */
    uint64_t hcr_el2;
    uint64_t mdcr_el2;
    uint64_t mdcr_el2_boot;
    bool mdcr_el2_read;
    /* An EL2 WFI ended by an interrupt the fast path left to hyp_handle_irq():
     * hyp_vcpu_run() reports the exit as an interrupt exit (vcpu.c). */
    bool wfi_irq;
    /* ICH_HCR_EL2 as last written (hyp_vgic_hw_cpu_init() leaves En). */
    uint64_t ich_hcr;
    unsigned nr_lrs; /* list registers (ICH_VTR_EL2), set by hyp_vgic_hw_cpu_init() */
    /* GICv2: the ICH_LR-format value last written to each GICH_LR<n>
     * (HYP_VGIC_MAX_LRS of them; libhyp/vgic/vgic_hw_v2.h). */
    uint64_t gich_written[16];
    /* Thread pointer target: TPIDR_EL0 points here minus the TCB offset. */
    uint8_t tls[HYP_TLS_AREA] __attribute__((aligned(16)));
    unsigned id;
    uint64_t mpidr;
    int state; /* enum hyp_cpu_state, accessed atomically */
    hyp_cpu_fn fn;
    void *arg;
    size_t line_len;
    char line[HYP_CONSOLE_LINE];
};

/* The calling CPU's data; NULL before the boot code has set it up. */
static inline struct hyp_percpu *hyp_this_cpu(void)
{
    return (struct hyp_percpu *)read_sysreg(tpidr_el2);
}

#endif /* HYP_CORE_PERCPU_H */
