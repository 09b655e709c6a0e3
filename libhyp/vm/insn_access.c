/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Accesses without an instruction syndrome (target only): the faulting A64
 * instruction fetched through the guest's own translation and decoded
 * (trap/insn.c). Linked by images that call hyp_vm_decode_insns(), as
 * hyp_vmbuild_setup() does; without it hyp_vm_access_decode() refuses them.
 */
#include <hyp/error.h>
#include <hyp/mm.h>
#include <hyp/sysreg.h>
#include <hyp/trap.h>
#include <hyp/vm.h>

#define PAGE        4096ULL
#define PAR_F       (1ULL << 0)
#define PAR_PA_MASK 0x0000fffffffff000ULL

extern int (*hyp_vm_insn_access)(struct hyp_vcpu *vcpu, const struct hyp_exit *exit,
                                 struct hyp_exit_dabt *access);

/* Read the 32-bit instruction at the guest's PC: stage 1 through the guest's
 * own translation regime (AT S1E1R), stage 2 through the VM's RAM ranges. */
static bool fetch_guest_insn(struct hyp_vcpu *vcpu, uint32_t *insn)
{
    uint64_t va = vcpu->regs.pc, par, saved_par = read_sysreg(par_el1), ipa, pa;

    __asm__ volatile("at s1e1r, %0\n\tisb" ::"r"(va) : "memory");
    par = read_sysreg(par_el1);
    write_sysreg(par_el1, saved_par);
    if (par & PAR_F)
        return false;
    ipa = (par & PAR_PA_MASK) | (va & (PAGE - 1));
    if (!hyp_vm_ram_to_pa(vcpu->vm, ipa, 4, &pa) || (pa & 3) != 0)
        return false;
    if (hyp_el2_map(pa & ~(PAGE - 1), PAGE, HYP_PROT_R) != HYP_OK)
        return false;
    *insn = *(volatile const uint32_t *)(uintptr_t)pa;
    hyp_el2_unmap(pa & ~(PAGE - 1), PAGE);
    return true;
}

static int insn_access(struct hyp_vcpu *vcpu, const struct hyp_exit *exit,
                       struct hyp_exit_dabt *access)
{
    struct hyp_exit decoded = *exit;
    uint32_t insn;

    if (exit->aarch32 || !fetch_guest_insn(vcpu, &insn) ||
        hyp_trap_decode_insn(insn, &decoded) != HYP_OK)
        return HYP_ENOTSUP;
    *access = decoded.u.dabt;
    return HYP_OK;
}

void hyp_vm_decode_insns(void)
{
    hyp_vm_insn_access = insn_access;
}
