/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PSCI proxy (hyp_psci_proxy_service), through hyp_smccc_dispatch() as a
 * guest's HVC reaches it: which calls reach the firmware and with what
 * arguments, that CPU_ON starts the physical CPU at the hypervisor's entry
 * with the guest's entry kept for EL2, what is refused, and that results
 * come back as the firmware gave them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/cpu.h>
#include <hyp/error.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/vm.h>
#include "psci_vm.h"

#define NVCPU    4
#define RAM_IPA  PSCI_VM_RAM_IPA
#define RAM_PA   PSCI_VM_RAM_PA
#define RAM_SIZE PSCI_VM_RAM_SIZE
#define PHYS_AFF 0x100 /* physical MPIDR of CPU n: PHYS_AFF + n */

static struct hyp_vcpu vcpus[NVCPU];
/* vCPU n on a physical CPU other than n: the proxy must translate. */
static const unsigned pcpus[NVCPU] = {0, 2, 3, 1};

/* Firmware: every call recorded, x0 answered with fw_answer. */
static unsigned fw_calls;
static struct hyp_smccc_regs fw_last;
static uint64_t fw_answer;

/* hyp_cpu_start() and hyp_cpu_off() as the proxy sees them. */
static unsigned starts, cpu_offs;
static unsigned start_cpu;
static hyp_cpu_fn start_fn;
static void *start_arg;
static int start_rc;
static jmp_buf off_jmp;

void arch_send_event(void) {}
void arch_wait_event(void) {}
void arch_smc_call(struct hyp_smccc_regs *regs)
{
    fw_calls++;
    fw_last = *regs;
    regs->x[0] = fw_answer;
}
void arch_hvc_call(struct hyp_smccc_regs *regs)
{
    fail_msg("the firmware conduit is SMC, not HVC (x0 %#llx)",
             (unsigned long long)regs->x[0]);
}

uint64_t hyp_cpu_mpidr(unsigned cpu)
{
    return PHYS_AFF + cpu;
}

int hyp_cpu_start(unsigned cpu, hyp_cpu_fn fn, void *arg)
{
    starts++;
    start_cpu = cpu;
    start_fn = fn;
    start_arg = arg;
    return start_rc;
}

_Noreturn void hyp_cpu_off(void)
{
    cpu_offs++;
    longjmp(off_jmp, 1);
}

static void run_vcpu(void *arg)
{
    (void)arg;
}

static int setup(void **state)
{
    (void)state;
    psci_vm_init(&pv, vcpus, NVCPU, pcpus);
    psci_fw_init(HYP_PSCI_SMC);
    /* PSCI 1.0, not the 1.1 vpsci would say; PSCI_FEATURES(SMCCC_VERSION)
     * is not 0 either: the firmware has SMCCC 1.0 only. */
    fw_answer = 0x10000;
    hyp_psci_proxy_init(run_vcpu);
    assert_int_equal(hyp_smccc_register(&hyp_psci_proxy_service), HYP_OK);
    vcpus[0].power = HYP_VCPU_ON;
    fw_calls = starts = cpu_offs = 0;
    fw_answer = 0;
    start_rc = HYP_OK;
    return 0;
}

static void forwards_results(void **state)
{
    (void)state;
    fw_answer = 0x20003;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_VERSION, 0, 0, 0), 0x20003);
    assert_int_equal(fw_calls, 1);
    assert_int_equal(fw_last.x[0], FN_VERSION);
    fw_answer = 2;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
    assert_int_equal(fw_last.x[0], FN_MIGRATE_INFO_TYPE);

    /* AFFINITY_INFO names the physical CPU of the vCPU asked about. */
    fw_answer = 1;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_AFFINITY_INFO64, 2, 0, 0), 1);
    assert_int_equal(fw_last.x[0], FN_AFFINITY_INFO64);
    assert_int_equal(fw_last.x[1], PHYS_AFF + pcpus[2]);
    assert_int_equal(fw_last.x[2], 0);
    /* A firmware error comes back as is, 32-bit for a 32-bit caller. */
    fw_answer = (uint64_t)(int64_t)PSCI_RET_INVALID_PARAMETERS;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_AFFINITY_INFO32, 1, 1, 0),
                     PSCI_RET_INVALID_PARAMETERS);
    assert_int_equal(fw_last.x[1], PHYS_AFF + pcpus[1]);
    assert_int_equal(fw_last.x[2], 1);
    assert_int_equal(vcpus[0].regs.x[0], 0xfffffffeu);
    /* An MPIDR the VM does not have never reaches the firmware. */
    fw_calls = 0;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_AFFINITY_INFO64, 7, 0, 0),
                     PSCI_RET_INVALID_PARAMETERS);
    assert_int_equal(fw_calls, 0);
}

static void version_fast_path(void **state)
{
    (void)state;
    fw_answer = 0x20003;
    vcpus[1].regs.x[0] = FN_VERSION;
    assert_true(hyp_smccc_dispatch_fast(&vcpus[1], HYP_SMCCC_HVC));
    assert_int_equal(vcpus[1].regs.x[0], 0x10000); /* read at init */
    assert_int_equal(fw_calls, 0);
    vcpus[1].regs.x[0] = FN_MIGRATE_INFO_TYPE;
    assert_false(hyp_smccc_dispatch_fast(&vcpus[1], HYP_SMCCC_HVC));
    vcpus[1].regs.x[0] = FN_CPU_ON64;
    assert_false(hyp_smccc_dispatch_fast(&vcpus[1], HYP_SMCCC_HVC));
}

static void cpu_on_uses_the_hypervisor_entry(void **state)
{
    uint64_t entry = RAM_IPA + 0x200000;

    (void)state;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 2, entry, 0x5555aaaa0000ULL),
                     PSCI_RET_SUCCESS);
    assert_int_equal(starts, 1);
    assert_int_equal(start_cpu, pcpus[2]);
    assert_ptr_equal(start_fn, run_vcpu);
    assert_ptr_equal(start_arg, &vcpus[2]);
    /* The guest's entry and context stay at EL2; the firmware never sees them. */
    assert_int_equal(fw_calls, 0);
    assert_int_equal(vcpus[2].boot_entry, entry);
    assert_int_equal(vcpus[2].boot_context, 0x5555aaaa0000ULL);
    assert_int_equal(vcpus[2].power, HYP_VCPU_ON_PENDING);
    /* Not off: ALREADY_ON, nothing started. */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 2, entry, 0),
                     PSCI_RET_ALREADY_ON);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 0, entry, 0),
                     PSCI_RET_ALREADY_ON);
    assert_int_equal(starts, 1);

    /* 32-bit form: low halves only. */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON32, 0xffffffff00000003ULL,
                                  0xffffffff00000000ULL | (RAM_IPA + 0x1000),
                                  0xffffffff00000007ULL),
                     PSCI_RET_SUCCESS);
    assert_int_equal(start_cpu, pcpus[3]);
    assert_int_equal(vcpus[3].boot_entry, RAM_IPA + 0x1000);
    assert_int_equal(vcpus[3].boot_context, 7);
}

static void cpu_on_refusals(void **state)
{
    /* Unknown MPIDR; entry past the end of RAM; entry misaligned. */
    static const struct {
        uint64_t mpidr, entry;
        int64_t want;
    } bad[] = {{9, RAM_IPA, PSCI_RET_INVALID_PARAMETERS},
               {1, RAM_IPA + RAM_SIZE, PSCI_RET_INVALID_ADDRESS},
               {1, RAM_IPA + 2, PSCI_RET_INVALID_ADDRESS}};

    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(
            psci_vm_call(&vcpus[0], FN_CPU_ON64, bad[i].mpidr, bad[i].entry, 0),
            bad[i].want);
    (void)state;
    assert_int_equal(starts, 0);
    /* The CPU did not start: the vCPU stays off. */
    start_rc = HYP_EBUSY;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 1, RAM_IPA, 0),
                     PSCI_RET_ALREADY_ON);
    start_rc = HYP_EFIRMWARE;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 1, RAM_IPA, 0),
                     PSCI_RET_INTERNAL_FAILURE);
    assert_int_equal(starts, 2);
    assert_int_equal(vcpus[1].power, HYP_VCPU_OFF);
    assert_int_equal(fw_calls, 0);
}

static void refused_calls(void **state)
{
    static const uint32_t refused[] = {
        FN_CPU_SUSPEND32,    FN_CPU_SUSPEND64,      FN_MIGRATE,  FN_CPU_FREEZE,
        FN_SYSTEM_SUSPEND64, FN_VERSION | SMCCC_64, 0x8400001fu, 0xc4000008u,
    };

    (void)state;
    fw_answer = 0;
    for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_int_equal(psci_vm_call(&vcpus[0], refused[i], 1, RAM_IPA, 0),
                         PSCI_RET_NOT_SUPPORTED);
        assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, refused[i], 0, 0),
                         PSCI_RET_NOT_SUPPORTED);
    }
    assert_int_equal(fw_calls, 0);
    assert_int_equal(starts + cpu_offs, 0);
    assert_int_equal(pv.vm.shutdown, HYP_VM_RUNNING);

    /* What the proxy allows, PSCI_FEATURES asks the firmware about. */
    fw_answer = (uint64_t)(int64_t)PSCI_RET_NOT_SUPPORTED;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, FN_CPU_ON64, 0, 0),
                     PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(fw_calls, 1);
    assert_int_equal(fw_last.x[0], FN_FEATURES);
    assert_int_equal(fw_last.x[1], FN_CPU_ON64);
    fw_answer = 0;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, FN_SYSTEM_RESET, 0, 0), 0);
    assert_int_equal(fw_last.x[1], FN_SYSTEM_RESET);
    assert_int_equal(fw_calls, 2);
}

/* The arch calls follow the firmware: refused while it has SMCCC 1.0 (an SMC
 * it does not know could be UNDEFINED), forwarded once it has 1.1. */
static void arch_calls_follow_the_firmware(void **state)
{
    static const uint32_t arch[] = {
        SMCCC_VERSION_FID, SMCCC_ARCH_FEATURES_FID, SMCCC_ARCH_WORKAROUND_1_FID,
        SMCCC_ARCH_WORKAROUND_2_FID, SMCCC_ARCH_WORKAROUND_3_FID};

    (void)state;
    fw_answer = 0x10001;
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(psci_vm_call(&vcpus[0], arch[i], 1, 0, 0),
                         PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, SMCCC_VERSION_FID, 0, 0),
                     PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(fw_calls, 0);

    fw_answer = PSCI_RET_SUCCESS; /* PSCI_FEATURES(SMCCC_VERSION) at init */
    hyp_psci_proxy_init(run_vcpu);
    assert_int_equal(fw_last.x[0], FN_FEATURES);
    assert_int_equal(fw_last.x[1], SMCCC_VERSION_FID);
    for (unsigned i = 0; i < 5; i++) {
        fw_answer = 0x10001 + i;
        assert_int_equal(psci_vm_call(&vcpus[0], arch[i], 0x80008000u, 0, 0),
                         0x10001 + i);
        assert_int_equal(fw_last.x[0], arch[i]);
        assert_int_equal(fw_last.x[1], 0x80008000u);
    }
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, SMCCC_VERSION_FID, 0, 0),
                     0x10005);
    assert_int_equal(fw_last.x[1], SMCCC_VERSION_FID);
    /* Other arch calls and SiP, OEM and SMC64 ones stay refused. */
    fw_calls = 0;
    assert_int_equal(psci_vm_call(&vcpus[0], 0x80000002u, 0, 0, 0),
                     PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(psci_vm_call(&vcpus[0], 0xc0000000u, 0, 0, 0),
                     PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(psci_vm_call(&vcpus[0], 0x82000000u, 0, 0, 0),
                     PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(psci_vm_call(&vcpus[0], 0x83000010u, 0, 0, 0),
                     PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(fw_calls, 0);
}

static void cpu_off_powers_the_cpu_off(void **state)
{
    (void)state;
    vcpus[1].power = HYP_VCPU_ON;
    if (setjmp(off_jmp) == 0) {
        psci_vm_call(&vcpus[1], FN_CPU_OFF, 0, 0, 0);
        fail_msg("CPU_OFF returned to the guest");
    }
    assert_int_equal(cpu_offs, 1);
    assert_int_equal(vcpus[1].power, HYP_VCPU_OFF);
    /* And it can be started again. */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 1, RAM_IPA, 0),
                     PSCI_RET_SUCCESS);
    assert_int_equal(start_cpu, pcpus[1]);
}

static void system_requests(void **state)
{
    (void)state;
    assert_int_equal(psci_vm_call(&vcpus[2], FN_SYSTEM_RESET, 0, 0, 0), PSCI_RET_SUCCESS);
    assert_int_equal(pv.vm.shutdown, HYP_VM_RESET);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_SYSTEM_OFF, 0, 0, 0), PSCI_RET_SUCCESS);
    assert_int_equal(pv.vm.shutdown, HYP_VM_POWER_OFF);
    /* The run loop asks the firmware, after the monitor's report. */
    assert_int_equal(fw_calls, 0);
}

/* Each test on a fresh VM and proxy. */
#define PROXY_TEST(f) cmocka_unit_test_setup_teardown(f, setup, psci_vm_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        PROXY_TEST(forwards_results),
        PROXY_TEST(version_fast_path),
        PROXY_TEST(cpu_on_uses_the_hypervisor_entry),
        PROXY_TEST(cpu_on_refusals),
        PROXY_TEST(refused_calls),
        PROXY_TEST(arch_calls_follow_the_firmware),
        PROXY_TEST(cpu_off_powers_the_cpu_off),
        PROXY_TEST(system_requests),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
