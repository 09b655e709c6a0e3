/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PSCI 1.1 for guests, served as the SMCCC standard-service owner (4).
 *
 * Power states live in struct hyp_vcpu and change only under the VM's lock.
 * CPU_ON marks the target ON_PENDING and wakes its physical CPU, which
 * applies entry point and context id in hyp_vcpu_wait_power_on() and runs it.
 * Whole-VM requests (SYSTEM_OFF, SYSTEM_RESET) are recorded in the VM for the
 * hypervisor's run loop to act on.
 */
#include <stddef.h>
#include <hyp/arch.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/vm.h>

#define PSCI_FN(fid)              ((fid)&SMCCC_FUNC_MASK)
#define PSCI_FN_VERSION           0x0
#define PSCI_FN_CPU_SUSPEND       0x1
#define PSCI_FN_CPU_OFF           0x2
#define PSCI_FN_CPU_ON            0x3
#define PSCI_FN_AFFINITY_INFO     0x4
#define PSCI_FN_MIGRATE_INFO_TYPE 0x6
#define PSCI_FN_SYSTEM_OFF        0x8
#define PSCI_FN_SYSTEM_RESET      0x9
#define PSCI_FN_FEATURES          0xa

/* PSCI 1.1 */
#define HYP_PSCI_VERSION                0x10001u
/* MIGRATE_INFO_TYPE: no Trusted OS needing migration. */
#define PSCI_TOS_NOT_PRESENT            2
/* AFFINITY_INFO results. */
#define PSCI_AFF_ON                     0
#define PSCI_AFF_OFF                    1
#define PSCI_AFF_ON_PENDING             2
/* CPU_SUSPEND power_state, original format. */
#define PSCI_POWER_STATE_TYPE_POWERDOWN (1u << 16)
#define PSCI_POWER_STATE_RESERVED       0xfcfe0000u

/* Which function IDs exist, in which widths: bit n of each mask is function n. */
static bool psci_fid_valid(uint32_t fid)
{
    const uint32_t smc64 =
        1u << PSCI_FN_CPU_SUSPEND | 1u << PSCI_FN_CPU_ON | 1u << PSCI_FN_AFFINITY_INFO;
    const uint32_t smc32 = smc64 | 1u << PSCI_FN_VERSION | 1u << PSCI_FN_CPU_OFF |
                           1u << PSCI_FN_MIGRATE_INFO_TYPE | 1u << PSCI_FN_SYSTEM_OFF |
                           1u << PSCI_FN_SYSTEM_RESET | 1u << PSCI_FN_FEATURES;
    uint32_t fn = PSCI_FN(fid);

    if ((fid & ~(SMCCC_64 | SMCCC_FUNC_MASK)) != 0x84000000u || fn >= 32)
        return false;
    return (((fid & SMCCC_64) ? smc64 : smc32) >> fn) & 1;
}

static bool entry_valid(struct hyp_vm *vm, uint64_t entry)
{
    uint64_t pa;

    return (entry & 3) == 0 && hyp_vm_ram_to_pa(vm, entry, 4, &pa);
}

static int64_t cpu_on(struct hyp_vcpu *caller, uint64_t mpidr, uint64_t entry,
                      uint64_t context)
{
    struct hyp_vm *vm = caller->vm;
    struct hyp_vcpu *target = hyp_vm_vcpu_by_mpidr(vm, mpidr);
    int64_t ret;

    if (target == NULL)
        return PSCI_RET_INVALID_PARAMETERS;
    if (!entry_valid(vm, entry))
        return PSCI_RET_INVALID_ADDRESS;
    hyp_spin_lock(&vm->lock);
    switch (__atomic_load_n(&target->power, __ATOMIC_RELAXED)) {
    case HYP_VCPU_ON:
        ret = PSCI_RET_ALREADY_ON;
        break;
    case HYP_VCPU_ON_PENDING:
        ret = PSCI_RET_ON_PENDING;
        break;
    default:
        target->boot_entry = entry;
        target->boot_context = context;
        __atomic_store_n(&target->power, HYP_VCPU_ON_PENDING, __ATOMIC_RELEASE);
        ret = PSCI_RET_SUCCESS;
        break;
    }
    hyp_spin_unlock(&vm->lock);
    if (ret == PSCI_RET_SUCCESS)
        arch_send_event();
    return ret;
}

static int64_t affinity_info(struct hyp_vcpu *caller, uint64_t mpidr, uint64_t level)
{
    struct hyp_vcpu *target = hyp_vm_vcpu_by_mpidr(caller->vm, mpidr);

    if (target == NULL || level != 0)
        return PSCI_RET_INVALID_PARAMETERS;
    switch (__atomic_load_n(&target->power, __ATOMIC_ACQUIRE)) {
    case HYP_VCPU_ON:
        return PSCI_AFF_ON;
    case HYP_VCPU_ON_PENDING:
        return PSCI_AFF_ON_PENDING;
    default:
        return PSCI_AFF_OFF;
    }
}

static int64_t cpu_suspend(struct hyp_vcpu *caller, uint64_t power_state, uint64_t entry,
                           uint64_t context)
{
    struct hyp_vm *vm = caller->vm;

    if (power_state & PSCI_POWER_STATE_RESERVED)
        return PSCI_RET_INVALID_PARAMETERS;
    /* Standby: like WFI, we may wake at once; nothing was lost. */
    if (!(power_state & PSCI_POWER_STATE_TYPE_POWERDOWN))
        return PSCI_RET_SUCCESS;
    /* Power-down: the vCPU "wakes" at once through its warm-boot entry. */
    if (!entry_valid(vm, entry))
        return PSCI_RET_INVALID_ADDRESS;
    hyp_spin_lock(&vm->lock);
    caller->boot_entry = entry;
    caller->boot_context = context;
    __atomic_store_n(&caller->power, HYP_VCPU_ON_PENDING, __ATOMIC_RELEASE);
    hyp_spin_unlock(&vm->lock);
    return PSCI_RET_SUCCESS;
}

/* For CPU_SUSPEND, 0: original power_state format, platform-coordinated mode. */
static int64_t features(uint32_t query)
{
    return query == SMCCC_VERSION_FID || psci_fid_valid(query) ? PSCI_RET_SUCCESS
                                                               : PSCI_RET_NOT_SUPPORTED;
}

static void vpsci_service(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                          uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    struct hyp_vm *vm = vcpu->vm;
    int64_t r = PSCI_RET_NOT_SUPPORTED;

    (void)conduit;
    if (!psci_fid_valid(fid)) {
        ret[0] = (uint64_t)r;
        return;
    }
    switch (PSCI_FN(fid)) {
    case PSCI_FN_VERSION:
        r = HYP_PSCI_VERSION;
        break;
    case PSCI_FN_CPU_SUSPEND:
        r = cpu_suspend(vcpu, args[0], args[1], args[2]);
        break;
    case PSCI_FN_CPU_OFF:
        hyp_spin_lock(&vm->lock);
        __atomic_store_n(&vcpu->power, HYP_VCPU_OFF, __ATOMIC_RELEASE);
        hyp_spin_unlock(&vm->lock);
        r = PSCI_RET_SUCCESS; /* never seen: the vCPU does not run again */
        break;
    case PSCI_FN_CPU_ON:
        r = cpu_on(vcpu, args[0], args[1], args[2]);
        break;
    case PSCI_FN_AFFINITY_INFO:
        r = affinity_info(vcpu, args[0], args[1]);
        break;
    case PSCI_FN_MIGRATE_INFO_TYPE:
        r = PSCI_TOS_NOT_PRESENT;
        break;
    case PSCI_FN_SYSTEM_OFF:
        __atomic_store_n(&vm->shutdown, HYP_VM_POWER_OFF, __ATOMIC_RELEASE);
        r = PSCI_RET_SUCCESS;
        break;
    case PSCI_FN_SYSTEM_RESET:
        __atomic_store_n(&vm->shutdown, HYP_VM_RESET, __ATOMIC_RELEASE);
        r = PSCI_RET_SUCCESS;
        break;
    case PSCI_FN_FEATURES:
        r = features((uint32_t)args[0]);
        break;
    default:
        break;
    }
    ret[0] = (uint64_t)r;
}

/* Constant answers, given in place on the exit fast path; the rest (queries
 * that look at vCPUs, calls that change power states) go to the run loop. */
static bool vpsci_fast(struct hyp_vcpu *vcpu, uint32_t fid)
{
    switch (fid) { /* exact IDs: the valid forms only */
    case PSCI_0_2_FN_PSCI_VERSION:
        hyp_smccc_answer(vcpu, fid, HYP_PSCI_VERSION);
        return true;
    case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
        hyp_smccc_answer(vcpu, fid, (uint64_t)(int64_t)PSCI_TOS_NOT_PRESENT);
        return true;
    default:
        return false;
    }
}

const struct hyp_smccc_service hyp_vpsci_service = {
    .name = "psci",
    .owner_first = SMCCC_OWNER_STANDARD,
    .owner_last = SMCCC_OWNER_STANDARD,
    .handler = vpsci_service,
    .fast = vpsci_fast,
};
