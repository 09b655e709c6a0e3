/* SPDX-License-Identifier: BSD-2-Clause */
/* The library's default exit handling and vCPU power-on wait (target only). */
#include <stdio.h>
#include <string.h>
#include <hyp/arch.h>
#include <hyp/error.h>
#include <hyp/gic.h>
#include <hyp/mm.h>
#include <hyp/smccc.h>
#include <hyp/sysreg.h>
#include <hyp/trap.h>
#include <hyp/vgic.h>
#include <hyp/vm.h>

/* Weak, as in vcpu.c: an image without a vGIC or GIC driver links neither;
 * without a GIC driver no interrupt reaches EL2 (its VMs run with IMO clear). */
#pragma weak hyp_vgic_sgi1r
#pragma weak hyp_vgic_pending
#pragma weak hyp_handle_irq
#pragma weak hyp_gic_cpu_ready

#define PAGE             4096ULL
#define PSTATE_MODE_MASK 0xfULL
#define PSTATE_EL1H      0x5ULL

/* The decoder of accesses without a syndrome, once hyp_vm_decode_insns()
 * (insn_access.c) has set it. */
int (*hyp_vm_insn_access)(struct hyp_vcpu *vcpu, const struct hyp_exit *exit,
                          struct hyp_exit_dabt *access);

/* Base-register writeback of an emulated load/store (register 31 is SP). */
static void apply_writeback(struct hyp_vcpu *vcpu, const struct hyp_exit_dabt *d)
{
    if (!d->writeback)
        return;
    if (d->wb_reg != 31) {
        vcpu->regs.x[d->wb_reg] += (uint64_t)d->wb_offset;
    } else if ((vcpu->regs.pstate & PSTATE_MODE_MASK) == PSTATE_EL1H) {
        write_sysreg(sp_el1, read_sysreg(sp_el1) + (uint64_t)d->wb_offset);
    } else {
        write_sysreg(sp_el0, read_sysreg(sp_el0) + (uint64_t)d->wb_offset);
    }
}

int hyp_vm_access_decode(struct hyp_vcpu *vcpu, const struct hyp_exit *exit,
                         struct hyp_exit_dabt *access)
{
    if (exit->kind != HYP_EXIT_DABT || !exit->u.dabt.ipa_valid)
        return HYP_EINVAL;
    if (exit->u.dabt.isv) {
        *access = exit->u.dabt;
        return HYP_OK;
    }
    /* No syndrome: decode the instruction itself, if the image does. */
    if (hyp_vm_insn_access == NULL)
        return HYP_ENOTSUP;
    return hyp_vm_insn_access(vcpu, exit, access);
}

void hyp_vm_access_complete(struct hyp_vcpu *vcpu, const struct hyp_exit *exit,
                            const struct hyp_exit_dabt *access)
{
    apply_writeback(vcpu, access);
    vcpu->regs.pc += exit->insn_len;
}

/* A data abort on an emulated device: true if handled (emulated or aborted). */
static bool emulate_mmio(struct hyp_vcpu *vcpu, const struct hyp_exit *exit)
{
    struct hyp_exit_dabt d;
    const struct hyp_vm_mmio *m;
    uint64_t val = 0;
    int rc;

    if (!exit->u.dabt.ipa_valid ||
        hyp_vm_find_mmio(vcpu->vm, exit->u.dabt.ipa, 1) == NULL)
        return false;
    if (hyp_vm_access_decode(vcpu, exit, &d) != HYP_OK) {
        /* Pairs, atomics, SIMD, AArch32: not emulated. */
        hyp_vcpu_inject_sea(vcpu, exit);
        return true;
    }
    m = hyp_vm_find_mmio(vcpu->vm, d.ipa, d.size);
    if (m == NULL) {
        hyp_vcpu_inject_sea(vcpu, exit);
        return true;
    }
    if (d.write)
        val = hyp_trap_store_value(&d, hyp_vcpu_reg(vcpu, d.reg));
    rc = m->fn(vcpu, d.ipa - m->ipa, d.size, d.write, &val, m->arg);
    if (rc != HYP_OK) {
        hyp_vcpu_inject_sea(vcpu, exit);
        return true;
    }
    if (!d.write)
        hyp_vcpu_set_reg(vcpu, d.reg, hyp_trap_load_value(&d, val));
    hyp_vm_access_complete(vcpu, exit, &d);
    return true;
}

/* Writes trapped by HCR_EL2.TVM: perform them (the hook that set TVM has
 * already seen them). */
static bool emulate_vm_reg_write(uint16_t key, uint64_t val)
{
    switch (key) {
    case HYP_SYSREG_SCTLR_EL1:
        write_sysreg(sctlr_el1, val);
        break;
    case HYP_SYSREG_TTBR0_EL1:
        write_sysreg(ttbr0_el1, val);
        break;
    case HYP_SYSREG_TTBR1_EL1:
        write_sysreg(ttbr1_el1, val);
        break;
    case HYP_SYSREG_TCR_EL1:
        write_sysreg(tcr_el1, val);
        break;
    case HYP_SYSREG_ESR_EL1:
        write_sysreg(esr_el1, val);
        break;
    case HYP_SYSREG_FAR_EL1:
        write_sysreg(far_el1, val);
        break;
    case HYP_SYSREG_AFSR0_EL1:
        write_sysreg(afsr0_el1, val);
        break;
    case HYP_SYSREG_AFSR1_EL1:
        write_sysreg(afsr1_el1, val);
        break;
    case HYP_SYSREG_MAIR_EL1:
        write_sysreg(mair_el1, val);
        break;
    case HYP_SYSREG_AMAIR_EL1:
        write_sysreg(amair_el1, val);
        break;
    case HYP_SYSREG_CONTEXTIDR_EL1:
        write_sysreg(contextidr_el1, val);
        break;
    default:
        return false;
    }
    return true;
}

void hyp_handle_exit(struct hyp_vcpu *vcpu, const struct hyp_exit *exit)
{
    switch (exit->kind) {
    case HYP_EXIT_HVC:
        /* SMCCC uses HVC #0; other immediates are not calls we know. */
        if (exit->u.call.imm == 0)
            hyp_smccc_dispatch(vcpu, HYP_SMCCC_HVC);
        else
            vcpu->regs.x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
        vcpu->regs.pc += exit->skip;
        break;
    case HYP_EXIT_SMC:
        if (exit->u.call.imm == 0)
            hyp_smccc_dispatch(vcpu, HYP_SMCCC_SMC);
        else
            vcpu->regs.x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
        vcpu->regs.pc += exit->skip;
        break;
    case HYP_EXIT_WFI:
        /* Wait (interrupts masked at EL2: a pending one still ends WFI) until
         * the vCPU has something to take; then the next entry delivers it. */
        if (vcpu->vm->vgic != NULL && !hyp_vgic_pending(vcpu->vm->vgic, vcpu->id))
            __asm__ volatile("dsb sy\n\twfi" ::: "memory");
        vcpu->regs.pc += exit->skip;
        break;
    case HYP_EXIT_WFE:
        /* Completing at once is architecturally allowed. */
        vcpu->regs.pc += exit->skip;
        break;
    case HYP_EXIT_SYSREG:
        if (vcpu->vm->vgic != NULL && !exit->u.sysreg.read &&
            exit->u.sysreg.key == HYP_SYSREG_ICC_SGI1R_EL1) {
            hyp_vgic_sgi1r(vcpu->vm->vgic, vcpu->id,
                           hyp_vcpu_reg(vcpu, exit->u.sysreg.rt));
            vcpu->regs.pc += exit->skip;
        } else if (!exit->u.sysreg.read &&
                   emulate_vm_reg_write(exit->u.sysreg.key,
                                        hyp_vcpu_reg(vcpu, exit->u.sysreg.rt))) {
            vcpu->regs.pc += exit->skip;
        } else {
            hyp_vcpu_inject_undef(vcpu);
        }
        break;
    case HYP_EXIT_DEBUG:
        /* A BRK reaches EL2 only while MDCR_EL2.TDE routes debug exceptions
         * here: it is the guest's own, give it back. Other debug events
         * belong to whoever set TDE (they never get here unhandled). */
        if (exit->u.debug.kind == HYP_DEBUG_BRK && !exit->aarch32)
            hyp_vcpu_inject_sync(vcpu, exit->esr);
        else
            hyp_vcpu_inject_undef(vcpu);
        break;
    case HYP_EXIT_DABT:
        if (emulate_mmio(vcpu, exit))
            break;
        /* Outside the guest's RAM and devices: what real hardware does for
         * an address nothing decodes. */
        hyp_vcpu_inject_sea(vcpu, exit);
        break;
    case HYP_EXIT_IABT:
        hyp_vcpu_inject_sea(vcpu, exit);
        break;
    case HYP_EXIT_IRQ:
        hyp_handle_irq();
        break;
    case HYP_EXIT_FIQ:
        break;
    case HYP_EXIT_SERROR:
        printf("libhyp: vCPU %u: SError (ESR %#llx) at PC %#llx\n", vcpu->id,
               (unsigned long long)exit->esr, (unsigned long long)vcpu->regs.pc);
        break;
    default:
        /* Trapped instructions nobody emulates, debug events, ...: the guest
         * sees them as undefined. */
        hyp_vcpu_inject_undef(vcpu);
        break;
    }
}

bool hyp_vcpu_wait_power_on(struct hyp_vcpu *vcpu)
{
    struct hyp_vm *vm = vcpu->vm;
    bool ready = false;

    while (!ready) {
        if (__atomic_load_n(&vm->shutdown, __ATOMIC_ACQUIRE) != HYP_VM_RUNNING)
            return false;
        hyp_spin_lock(&vm->lock);
        switch (__atomic_load_n(&vcpu->power, __ATOMIC_ACQUIRE)) {
        case HYP_VCPU_ON_PENDING:
            hyp_vcpu_reset(vcpu, vcpu->boot_entry, vcpu->boot_context);
            __atomic_store_n(&vcpu->power, HYP_VCPU_ON, __ATOMIC_RELEASE);
            ready = true;
            break;
        case HYP_VCPU_ON:
            ready = true;
            break;
        default:
            break;
        }
        hyp_spin_unlock(&vm->lock);
        if (ready)
            break;
        /* Sleep: with a GIC, in WFI until an interrupt (a kick, the
         * hypervisor's tick) and acknowledge it; without, until an event.
         * (QEMU's multi-threaded TCG runs WFE as a no-op, WFI sleeps.) */
        if (hyp_gic_cpu_ready != NULL && hyp_gic_cpu_ready()) {
            __asm__ volatile("dsb sy\n\twfi" ::: "memory");
            hyp_handle_irq();
        } else {
            arch_wait_event();
        }
    }
    return true;
}

void hyp_vm_print_exits(const struct hyp_vm *vm, const char *prefix)
{
    printf("%sguest exits by kind\n", prefix);
    for (unsigned k = 0; k < HYP_EXIT_KIND_COUNT; k++) {
        uint64_t total = 0;

        for (unsigned v = 0; v < vm->vcpu_count; v++)
            total += vm->vcpus[v].exits[k];
        if (total != 0)
            printf("%s  %-8s %llu\n", prefix, hyp_exit_kind_name((enum hyp_exit_kind)k),
                   (unsigned long long)total);
    }
}
