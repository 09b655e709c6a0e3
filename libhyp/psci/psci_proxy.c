/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PSCI and the SMCCC arch calls for one guest that owns every CPU, as a
 * filter in front of the firmware's (SMCCC owners 0 to 4) instead of an
 * emulation of them.
 *
 * The guest's calls go to the firmware, except where EL2 must keep control:
 * CPU_ON starts the physical CPU at the hypervisor's own entry
 * (hyp_cpu_start()), which enters the guest at the entry and context id the
 * guest asked for; CPU_OFF powers the calling CPU off from EL2
 * (hyp_cpu_off()); SYSTEM_OFF and SYSTEM_RESET are recorded in the VM for the
 * run loop, which ends the guest and then asks the firmware. MPIDRs are
 * translated from the guest's to the physical CPU's. The arch calls
 * (SMCCC_VERSION, SMCCC_ARCH_FEATURES, the three workarounds) go to the
 * firmware only if it has them (its PSCI_FEATURES knows SMCCC_VERSION): an
 * SMC it does not know may be UNDEFINED at EL2. Anything else, among them
 * CPU_SUSPEND and whatever would let a CPU start at an entry EL2 did not
 * choose, is refused with NOT_SUPPORTED.
 */
#include <stddef.h>
#include <hyp/arch.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/vm.h>

/* The calls the guest may make (forwarded or served here) and query with
 * PSCI_FEATURES, bit n for PSCI function n: in SMC32 form VERSION, CPU_OFF,
 * CPU_ON, AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET and
 * PSCI_FEATURES; in SMC64 form CPU_ON and AFFINITY_INFO. */
#define ALLOWED_SMC32 0x75du
#define ALLOWED_SMC64 0x18u

static hyp_cpu_fn run_vcpu;
static uint32_t fw_version;
static bool fw_smccc_1_1;

void hyp_psci_proxy_init(hyp_cpu_fn run)
{
    run_vcpu = run;
    fw_version = (uint32_t)hyp_firmware_call(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);
    fw_smccc_1_1 = hyp_firmware_call(PSCI_1_0_FN_PSCI_FEATURES, SMCCC_VERSION_FID, 0,
                                     0) == PSCI_RET_SUCCESS;
}

static bool is_allowed(uint32_t fid)
{
    uint32_t fn = fid - (fid & SMCCC_64 ? PSCI_0_2_FN_PSCI_VERSION | SMCCC_64
                                        : PSCI_0_2_FN_PSCI_VERSION);

    if (fid >> 24 == SMCCC_VERSION_FID >> 24) /* arch calls, SMC32 */
        return fw_smccc_1_1 &&
               (fid <= SMCCC_ARCH_FEATURES_FID || fid == SMCCC_ARCH_WORKAROUND_1_FID ||
                fid == SMCCC_ARCH_WORKAROUND_2_FID || fid == SMCCC_ARCH_WORKAROUND_3_FID);
    return fn < 32 && ((fid & SMCCC_64 ? ALLOWED_SMC64 : ALLOWED_SMC32) >> fn & 1);
}

/* The target's physical CPU runs run_vcpu(target) from the hypervisor's entry;
 * the guest's entry and context id are applied there, at EL2. */
static int64_t cpu_on(struct hyp_vcpu *target, uint64_t entry, uint64_t context)
{
    uint64_t pa;
    int rc;

    if (target == NULL)
        return PSCI_RET_INVALID_PARAMETERS;
    if (__atomic_load_n(&target->power, __ATOMIC_ACQUIRE) != HYP_VCPU_OFF)
        return PSCI_RET_ALREADY_ON;
    if ((entry & 3) != 0 || !hyp_vm_ram_to_pa(target->vm, entry, 4, &pa))
        return PSCI_RET_INVALID_ADDRESS;
    /* Only one CPU_ON for the target gets past this; its CPU waits for
     * ON_PENDING (hyp_vcpu_wait_power_on()). */
    rc = hyp_cpu_start(target->pcpu, run_vcpu, target);
    if (rc != HYP_OK)
        return rc == HYP_EBUSY ? PSCI_RET_ALREADY_ON : PSCI_RET_INTERNAL_FAILURE;
    target->boot_entry = entry;
    target->boot_context = context;
    __atomic_store_n(&target->power, HYP_VCPU_ON_PENDING, __ATOMIC_RELEASE);
    arch_send_event();
    return PSCI_RET_SUCCESS;
}

static void proxy_service(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                          uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    struct hyp_vm *vm = vcpu->vm;
    struct hyp_vcpu *target = hyp_vm_vcpu_by_mpidr(vm, args[0]);
    int64_t r = PSCI_RET_NOT_SUPPORTED;

    (void)conduit;
    switch (is_allowed(fid) ? fid & ~SMCCC_64 : 0) {
    case 0:
        break;
    case PSCI_0_2_FN_CPU_OFF:
        __atomic_store_n(&vcpu->power, HYP_VCPU_OFF, __ATOMIC_RELEASE);
        hyp_cpu_off(); /* does not return */
    case PSCI_0_2_FN_CPU_ON_64 & ~SMCCC_64:
        r = cpu_on(target, args[1], args[2]);
        break;
    case PSCI_0_2_FN_AFFINITY_INFO_64 & ~SMCCC_64:
        r = target == NULL
                ? PSCI_RET_INVALID_PARAMETERS
                : hyp_firmware_call(fid, hyp_cpu_mpidr(target->pcpu), args[1], 0);
        break;
    case PSCI_0_2_FN_SYSTEM_OFF:
    case PSCI_0_2_FN_SYSTEM_RESET:
        __atomic_store_n(&vm->shutdown,
                         fid == PSCI_0_2_FN_SYSTEM_OFF ? HYP_VM_POWER_OFF : HYP_VM_RESET,
                         __ATOMIC_RELEASE);
        r = PSCI_RET_SUCCESS;
        break;
    case PSCI_1_0_FN_PSCI_FEATURES:
        if (is_allowed((uint32_t)args[0]))
            r = hyp_firmware_call(fid, args[0], 0, 0);
        break;
    default: /* PSCI_VERSION, MIGRATE_INFO_TYPE, the arch calls */
        r = hyp_firmware_call(fid, args[0], 0, 0);
        break;
    }
    ret[0] = (uint64_t)r;
}

/* PSCI_VERSION, the one call made often, answered on the exit fast path with
 * the firmware's version read at start. */
static bool proxy_fast(struct hyp_vcpu *vcpu, uint32_t fid)
{
    if (fid != PSCI_0_2_FN_PSCI_VERSION)
        return false;
    hyp_smccc_answer(vcpu, fid, fw_version);
    return true;
}

const struct hyp_smccc_service hyp_psci_proxy_service = {
    .name = "psci-proxy",
    .owner_first = SMCCC_OWNER_ARCH,
    .owner_last = SMCCC_OWNER_STANDARD,
    .handler = proxy_service,
    .fast = proxy_fast,
};
