/* SPDX-License-Identifier: BSD-2-Clause */
/* PSCI calls from the hypervisor to the firmware below it. */
#include <hyp/error.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/sysreg.h>

static enum hyp_psci_conduit fw_conduit;

void psci_fw_init(enum hyp_psci_conduit conduit)
{
    fw_conduit = conduit;
}

int64_t hyp_firmware_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct hyp_smccc_regs regs = {{fid, a1, a2, a3, 0, 0, 0, 0}};

    switch (fw_conduit) {
    case HYP_PSCI_SMC:
        arch_smc_call(&regs);
        break;
    case HYP_PSCI_HVC:
        arch_hvc_call(&regs);
        break;
    default:
        return PSCI_RET_NOT_SUPPORTED;
    }
    if (fid & SMCCC_64)
        return (int64_t)regs.x[0];
    return (int32_t)(uint32_t)regs.x[0];
}

/* PSCI statuses are 32-bit even for SMC64 calls. */
static int64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return (int32_t)(uint32_t)hyp_firmware_call(fid, a1, a2, a3);
}

int psci_to_hyp_err(int64_t ret)
{
    /* Indexed by -ret, PSCI_RET_SUCCESS (0) to PSCI_RET_INVALID_ADDRESS (-9). */
    static const signed char errs[] = {
        HYP_OK,    HYP_ENOTSUP,   HYP_EINVAL, HYP_EPERM, HYP_EBUSY,
        HYP_EBUSY, HYP_EFIRMWARE, HYP_EINVAL, HYP_EPERM, HYP_EINVAL,
    };

    return ret <= 0 && ret >= PSCI_RET_INVALID_ADDRESS ? errs[-ret] : HYP_EFIRMWARE;
}

/* Without a conduit hyp_firmware_call() answers NOT_SUPPORTED: HYP_ENOTSUP. */
int64_t psci_fw_version(void)
{
    int64_t ret = psci_call(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);

    return ret < 0 ? psci_to_hyp_err(ret) : ret;
}

int psci_fw_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
    /* Firmware wants affinity fields only (QEMU rejects bit 31 set). */
    return psci_to_hyp_err(
        psci_call(PSCI_0_2_FN_CPU_ON_64, mpidr & MPIDR_AFFINITY_MASK, entry, context));
}

int psci_fw_system_off(void)
{
    return psci_to_hyp_err(psci_call(PSCI_0_2_FN_SYSTEM_OFF, 0, 0, 0));
}

int psci_fw_system_reset(void)
{
    return psci_to_hyp_err(psci_call(PSCI_0_2_FN_SYSTEM_RESET, 0, 0, 0));
}
