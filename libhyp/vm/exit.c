/* SPDX-License-Identifier: BSD-2-Clause */
/* The library's default exit handling and vCPU power-on wait (target only). */
#include <stdio.h>
#include <hyp/arch.h>
#include <hyp/smccc.h>
#include <hyp/vm.h>

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
    case HYP_EXIT_WFE:
        /* Completing at once is architecturally allowed for both. */
        vcpu->regs.pc += exit->skip;
        break;
    case HYP_EXIT_DABT:
    case HYP_EXIT_IABT:
        /* Outside the guest's RAM and devices: what real hardware does for
         * an address nothing decodes. */
        hyp_vcpu_inject_sea(vcpu, exit);
        break;
    case HYP_EXIT_IRQ:
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
        if (!ready)
            arch_wait_event();
    }
    return true;
}
