/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SMCCC architecture service (owner 0: SMCCC_VERSION, SMCCC_ARCH_FEATURES,
 * the workarounds) and the registration of libhyp's default services.
 */
#include <stddef.h>
#include <hyp/error.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/vcpu.h>

/* Firmware's SMCCC_ARCH_FEATURES answers for the three workarounds. */
static int32_t fw_workaround[3] = {SMCCC_RET_NOT_SUPPORTED, SMCCC_RET_NOT_SUPPORTED,
                                   SMCCC_RET_NOT_SUPPORTED};

static int workaround_index(uint32_t fid)
{
    switch (fid) {
    case SMCCC_ARCH_WORKAROUND_1_FID:
        return 0;
    case SMCCC_ARCH_WORKAROUND_2_FID:
        return 1;
    case SMCCC_ARCH_WORKAROUND_3_FID:
        return 2;
    default:
        return -1;
    }
}

int32_t hyp_smccc_firmware_feature(uint32_t fid)
{
    int i = workaround_index(fid);

    return i < 0 ? SMCCC_RET_NOT_SUPPORTED : fw_workaround[i];
}

void hyp_smccc_set_firmware_answer(uint32_t fid, int32_t answer)
{
    int i = workaround_index(fid);

    if (i >= 0)
        fw_workaround[i] = answer;
}

void hyp_smccc_probe_firmware(void)
{
    static const uint32_t workarounds[] = {SMCCC_ARCH_WORKAROUND_1_FID,
                                           SMCCC_ARCH_WORKAROUND_2_FID,
                                           SMCCC_ARCH_WORKAROUND_3_FID};

    /* SMCCC 1.1 is needed for ARCH_FEATURES; PSCI_FEATURES says if it is there. */
    if (hyp_firmware_call(PSCI_1_0_FN_PSCI_FEATURES, SMCCC_VERSION_FID, 0, 0) != 0 ||
        hyp_firmware_call(SMCCC_VERSION_FID, 0, 0, 0) < (int64_t)HYP_SMCCC_VERSION)
        return;
    for (unsigned i = 0; i < sizeof(workarounds) / sizeof(workarounds[0]); i++)
        hyp_smccc_set_firmware_answer(
            workarounds[i],
            (int32_t)hyp_firmware_call(SMCCC_ARCH_FEATURES_FID, workarounds[i], 0, 0));
}

static void arch_service(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                         uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    (void)vcpu;
    (void)conduit;
    switch (fid) {
    case SMCCC_VERSION_FID:
        ret[0] = HYP_SMCCC_VERSION;
        break;
    case SMCCC_ARCH_FEATURES_FID: {
        uint32_t query = (uint32_t)args[0];

        if (query == SMCCC_VERSION_FID || query == SMCCC_ARCH_FEATURES_FID)
            ret[0] = SMCCC_RET_SUCCESS;
        else if (workaround_index(query) >= 0)
            ret[0] = (uint64_t)(int64_t)hyp_smccc_firmware_feature(query);
        break;
    }
    case SMCCC_ARCH_WORKAROUND_1_FID:
    case SMCCC_ARCH_WORKAROUND_2_FID:
    case SMCCC_ARCH_WORKAROUND_3_FID:
        /* Only offered when firmware implements it: then it mitigates for
         * the whole CPU, guest included; forward it. */
        if (hyp_smccc_firmware_feature(fid) == SMCCC_RET_SUCCESS)
            ret[0] = (uint64_t)hyp_firmware_call(fid, args[0], 0, 0);
        break;
    default:
        break;
    }
}

/* SMCCC_VERSION, answered in place; the rest goes to arch_service. */
static bool arch_fast(struct hyp_vcpu *vcpu, uint32_t fid)
{
    if (fid != SMCCC_VERSION_FID)
        return false;
    hyp_smccc_answer(vcpu, fid, HYP_SMCCC_VERSION);
    return true;
}

static const struct hyp_smccc_service arch_svc = {
    .name = "arch",
    .owner_first = SMCCC_OWNER_ARCH,
    .owner_last = SMCCC_OWNER_ARCH,
    .handler = arch_service,
    .fast = arch_fast,
};

int hyp_smccc_register_defaults(void)
{
    int rc = hyp_smccc_register(&arch_svc);

    return rc != HYP_OK ? rc : hyp_smccc_register(&hyp_vpsci_service);
}
