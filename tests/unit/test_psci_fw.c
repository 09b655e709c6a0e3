/* SPDX-License-Identifier: BSD-2-Clause */
/* PSCI calls to firmware: function IDs, arguments, conduits, return codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/error.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>

/* Fake conduits: record the last call, answer with a programmed x0. */
static struct hyp_smccc_regs last;
static unsigned smc_calls, hvc_calls;
static uint64_t answer;

void arch_smc_call(struct hyp_smccc_regs *regs)
{
    smc_calls++;
    last = *regs;
    regs->x[0] = answer;
}

void arch_hvc_call(struct hyp_smccc_regs *regs)
{
    hvc_calls++;
    last = *regs;
    regs->x[0] = answer;
}

static int reset(void **state)
{
    (void)state;
    smc_calls = hvc_calls = 0;
    answer = 0;
    last = (struct hyp_smccc_regs){{0}};
    return 0;
}

static void no_conduit_makes_no_call(void **state)
{
    psci_fw_init(HYP_PSCI_NONE);
    assert_int_equal(psci_fw_cpu_on(1, 0x40000000, 1), HYP_ENOTSUP);
    assert_int_equal(psci_fw_version(), HYP_ENOTSUP);
    assert_int_equal(psci_fw_system_off(), HYP_ENOTSUP);
    assert_int_equal(psci_fw_system_reset(), HYP_ENOTSUP);
    assert_int_equal(smc_calls + hvc_calls, 0);
}

static void cpu_on_passes_affinity_entry_and_context(void **state)
{
    psci_fw_init(HYP_PSCI_SMC);
    /* Bit 31 (RES1 in MPIDR_EL1) and the MT/U bits must not reach firmware. */
    assert_int_equal(psci_fw_cpu_on(0xc1000302ULL | (0xabULL << 32), 0x40201000, 7),
                     HYP_OK);
    assert_int_equal(smc_calls, 1);
    assert_int_equal(hvc_calls, 0);
    assert_int_equal(last.x[0], PSCI_0_2_FN_CPU_ON_64);
    assert_int_equal(last.x[1], 0xab00000302ULL);
    assert_int_equal(last.x[2], 0x40201000);
    assert_int_equal(last.x[3], 7);
}

static void hvc_conduit_uses_hvc(void **state)
{
    psci_fw_init(HYP_PSCI_HVC);
    answer = 0x10001;
    assert_int_equal(psci_fw_version(), 0x10001);
    assert_int_equal(hvc_calls, 1);
    assert_int_equal(smc_calls, 0);
    assert_int_equal(last.x[0], PSCI_0_2_FN_PSCI_VERSION);
}

static void return_codes_are_32_bit_and_mapped(void **state)
{
    psci_fw_init(HYP_PSCI_SMC);
    /* Firmware may leave the upper half of x0 as garbage: only w0 counts. */
    answer = 0xdead0000fffffffcULL; /* ALREADY_ON */
    assert_int_equal(psci_fw_cpu_on(1, 0, 0), HYP_EBUSY);
    answer = (uint32_t)PSCI_RET_INVALID_PARAMETERS;
    assert_int_equal(psci_fw_cpu_on(1, 0, 0), HYP_EINVAL);
    answer = (uint32_t)PSCI_RET_DENIED;
    assert_int_equal(psci_fw_system_off(), HYP_EPERM);
    answer = (uint32_t)PSCI_RET_NOT_SUPPORTED;
    assert_int_equal(psci_fw_system_reset(), HYP_ENOTSUP);
    assert_int_equal(last.x[0], PSCI_0_2_FN_SYSTEM_RESET);
    answer = (uint32_t)PSCI_RET_INTERNAL_FAILURE;
    assert_int_equal(psci_fw_version(), HYP_EFIRMWARE);
}

static void every_psci_code_maps(void **state)
{
    assert_int_equal(psci_to_hyp_err(PSCI_RET_SUCCESS), HYP_OK);
    assert_int_equal(psci_to_hyp_err(PSCI_RET_ON_PENDING), HYP_EBUSY);
    assert_int_equal(psci_to_hyp_err(PSCI_RET_NOT_PRESENT), HYP_EINVAL);
    assert_int_equal(psci_to_hyp_err(PSCI_RET_INVALID_ADDRESS), HYP_EINVAL);
    assert_int_equal(psci_to_hyp_err(PSCI_RET_DISABLED), HYP_EPERM);
    assert_int_equal(psci_to_hyp_err(-1000), HYP_EFIRMWARE);
    assert_string_equal(hyp_strerror(HYP_EBUSY), "EBUSY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(no_conduit_makes_no_call, reset),
        cmocka_unit_test_setup(cpu_on_passes_affinity_entry_and_context, reset),
        cmocka_unit_test_setup(hvc_conduit_uses_hvc, reset),
        cmocka_unit_test_setup(return_codes_are_32_bit_and_mapped, reset),
        cmocka_unit_test_setup(every_psci_code_maps, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
