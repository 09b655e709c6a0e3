/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PSCI for guests and SMCCC dispatch, through hyp_smccc_dispatch() as a
 * guest's HVC reaches them: function IDs and widths, the power-state machine
 * (OFF -> ON_PENDING -> ON -> OFF), argument checks, whole-VM requests, the
 * arch service, and two threads racing CPU_ON for the same vCPU.
 */
#define _POSIX_C_SOURCE 200809L /* pthread barriers */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hyp/error.h>
#include <hyp/psci.h>
#include <hyp/smccc.h>
#include <hyp/vm.h>
#include "psci_vm.h"

#define NVCPU    4
#define RAM_IPA  PSCI_VM_RAM_IPA
#define RAM_PA   PSCI_VM_RAM_PA
#define RAM_SIZE PSCI_VM_RAM_SIZE

static struct hyp_vcpu vcpus[NVCPU];
static const unsigned pcpus[NVCPU] = {0, 1, 2, 3};
static unsigned events_sent;
static unsigned smc_calls;
static struct hyp_smccc_regs last_smc;

/* The arch seam pieces these tests reach. */
void arch_send_event(void)
{
    __atomic_fetch_add(&events_sent, 1, __ATOMIC_RELAXED);
}
void arch_wait_event(void) {}
void arch_smc_call(struct hyp_smccc_regs *regs)
{
    smc_calls++;
    last_smc = *regs;
    regs->x[0] = 0;
}
void arch_hvc_call(struct hyp_smccc_regs *regs)
{
    regs->x[0] = (uint64_t)-1;
}

static int setup(void **state)
{
    (void)state;
    psci_vm_init(&pv, vcpus, NVCPU, pcpus);
    assert_int_equal(hyp_smccc_register_defaults(), HYP_OK);
    hyp_smccc_set_firmware_answer(SMCCC_ARCH_WORKAROUND_1_FID, SMCCC_RET_NOT_SUPPORTED);
    hyp_smccc_set_firmware_answer(SMCCC_ARCH_WORKAROUND_2_FID, SMCCC_RET_NOT_SUPPORTED);
    hyp_smccc_set_firmware_answer(SMCCC_ARCH_WORKAROUND_3_FID, SMCCC_RET_NOT_SUPPORTED);
    psci_fw_init(HYP_PSCI_SMC);
    vcpus[0].power = HYP_VCPU_ON;
    events_sent = smc_calls = 0;
    return 0;
}

static void version_and_widths(void **state)
{
    (void)state;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_VERSION, 0, 0, 0), 0x10001);
    /* VERSION has no SMC64 form. */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_VERSION | SMCCC_64, 0, 0, 0),
                     PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
    /* 32-bit callers get 32-bit results: -1 is 0xffffffff, upper half zero. */
    psci_vm_call(&vcpus[0], 0x8400001fu, 0, 0, 0);
    assert_int_equal(vcpus[0].regs.x[0], 0xffffffffu);
}

static void features(void **state)
{
    (void)state;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, FN_CPU_ON64, 0, 0), 0);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, FN_CPU_ON32, 0, 0), 0);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, FN_SYSTEM_RESET, 0, 0), 0);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, SMCCC_VERSION_FID, 0, 0), 0);
    assert_int_equal(
        psci_vm_call(&vcpus[0], FN_FEATURES, 0x8400000bu /* CPU_FREEZE */, 0, 0),
        PSCI_RET_NOT_SUPPORTED);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_FEATURES, FN_SYSTEM_OFF | SMCCC_64, 0, 0),
                     PSCI_RET_NOT_SUPPORTED);
}

static void cpu_on_state_machine(void **state)
{
    struct hyp_vcpu *t = &vcpus[2];

    (void)state;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_AFFINITY_INFO64, 2, 0, 0), 1); /* OFF */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 2, RAM_IPA + 0x1000, 0xc0ffee),
                     0);
    assert_int_equal(t->power, HYP_VCPU_ON_PENDING);
    assert_int_equal(t->boot_entry, RAM_IPA + 0x1000);
    assert_int_equal(t->boot_context, 0xc0ffee);
    assert_int_equal(events_sent, 1);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_AFFINITY_INFO64, 2, 0, 0),
                     2); /* ON_PENDING */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 2, RAM_IPA, 1),
                     PSCI_RET_ON_PENDING);
    assert_int_equal(t->boot_context, 0xc0ffee); /* the loser changed nothing */
    /* Its CPU picks it up (what hyp_vcpu_wait_power_on() does). */
    t->power = HYP_VCPU_ON;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 2, RAM_IPA, 1),
                     PSCI_RET_ALREADY_ON);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_AFFINITY_INFO64, 2, 0, 0), 0); /* ON */
    /* It turns itself off. */
    psci_vm_call(t, FN_CPU_OFF, 0, 0, 0);
    assert_int_equal(t->power, HYP_VCPU_OFF);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_AFFINITY_INFO64, 2, 0, 0), 1);
    /* And can be started again. */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 2, RAM_IPA + 0x2000, 7), 0);
    assert_int_equal(t->boot_entry, RAM_IPA + 0x2000);
    assert_int_equal(events_sent, 2);
}

static void cpu_on_checks_arguments(void **state)
{
    (void)state;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 0xff, RAM_IPA, 0),
                     PSCI_RET_INVALID_PARAMETERS);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, NVCPU, RAM_IPA, 0),
                     PSCI_RET_INVALID_PARAMETERS);
    /* Entry outside guest RAM, just past its end, misaligned. */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 1, RAM_PA, 0),
                     PSCI_RET_INVALID_ADDRESS);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 1, RAM_IPA + RAM_SIZE, 0),
                     PSCI_RET_INVALID_ADDRESS);
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 1, RAM_IPA + 2, 0),
                     PSCI_RET_INVALID_ADDRESS);
    assert_int_equal(vcpus[1].power, HYP_VCPU_OFF);
    assert_int_equal(events_sent, 0);
    /* The last word of RAM is a valid entry. */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON64, 1, RAM_IPA + RAM_SIZE - 4, 0),
                     0);
    /* AFFINITY_INFO only knows level 0. */
    assert_int_equal(psci_vm_call(&vcpus[0], FN_AFFINITY_INFO64, 1, 1, 0),
                     PSCI_RET_INVALID_PARAMETERS);
}

static void cpu_on_32bit_uses_low_halves(void **state)
{
    (void)state;
    assert_int_equal(psci_vm_call(&vcpus[0], FN_CPU_ON32, (0xdeadULL << 32) | 3,
                                  (0xbeefULL << 32) | (RAM_IPA + 0x40),
                                  (0x1ULL << 32) | 5),
                     0);
    assert_int_equal(vcpus[3].boot_entry, RAM_IPA + 0x40);
    assert_int_equal(vcpus[3].boot_context, 5);
}

static void cpu_suspend(void **state)
{
    struct hyp_vcpu *v = &vcpus[0];

    (void)state;
    /* Standby: returns, nothing changes. */
    assert_int_equal(psci_vm_call(v, FN_CPU_SUSPEND64, 0x0, 0, 0), 0);
    assert_int_equal(v->power, HYP_VCPU_ON);
    /* Reserved bits. */
    assert_int_equal(psci_vm_call(v, FN_CPU_SUSPEND64, 1u << 30, 0, 0),
                     PSCI_RET_INVALID_PARAMETERS);
    /* Power-down with an entry outside RAM. */
    assert_int_equal(psci_vm_call(v, FN_CPU_SUSPEND64, 1u << 16, 0x1000, 0),
                     PSCI_RET_INVALID_ADDRESS);
    assert_int_equal(v->power, HYP_VCPU_ON);
    /* Power-down: resumes through the entry point with the context id. */
    assert_int_equal(psci_vm_call(v, FN_CPU_SUSPEND32, 1u << 16, RAM_IPA + 0x800, 9), 0);
    assert_int_equal(v->power, HYP_VCPU_ON_PENDING);
    assert_int_equal(v->boot_entry, RAM_IPA + 0x800);
    assert_int_equal(v->boot_context, 9);
}

static void system_requests(void **state)
{
    (void)state;
    assert_int_equal(pv.vm.shutdown, HYP_VM_RUNNING);
    psci_vm_call(&vcpus[0], FN_SYSTEM_RESET, 0, 0, 0);
    assert_int_equal(pv.vm.shutdown, HYP_VM_RESET);
    psci_vm_call(&vcpus[0], FN_SYSTEM_OFF, 0, 0, 0);
    assert_int_equal(pv.vm.shutdown, HYP_VM_POWER_OFF);
}

static void arch_service(void **state)
{
    (void)state;
    assert_int_equal(psci_vm_call(&vcpus[0], SMCCC_VERSION_FID, 0, 0, 0), 0x10001);
    assert_int_equal(
        psci_vm_call(&vcpus[0], SMCCC_ARCH_FEATURES_FID, SMCCC_ARCH_FEATURES_FID, 0, 0),
        0);
    assert_int_equal(psci_vm_call(&vcpus[0], SMCCC_ARCH_FEATURES_FID, 0x8000ff00u, 0, 0),
                     -1);
    /* Workarounds: whatever firmware said, and forwarded only if it has them. */
    assert_int_equal(psci_vm_call(&vcpus[0], SMCCC_ARCH_FEATURES_FID,
                                  SMCCC_ARCH_WORKAROUND_1_FID, 0, 0),
                     -1);
    assert_int_equal(psci_vm_call(&vcpus[0], SMCCC_ARCH_WORKAROUND_1_FID, 0, 0, 0), -1);
    assert_int_equal(smc_calls, 0);
    hyp_smccc_set_firmware_answer(SMCCC_ARCH_WORKAROUND_1_FID, SMCCC_RET_SUCCESS);
    hyp_smccc_set_firmware_answer(SMCCC_ARCH_WORKAROUND_2_FID, SMCCC_RET_NOT_REQUIRED);
    assert_int_equal(psci_vm_call(&vcpus[0], SMCCC_ARCH_FEATURES_FID,
                                  SMCCC_ARCH_WORKAROUND_1_FID, 0, 0),
                     0);
    assert_int_equal(psci_vm_call(&vcpus[0], SMCCC_ARCH_FEATURES_FID,
                                  SMCCC_ARCH_WORKAROUND_2_FID, 0, 0),
                     -2);
    assert_int_equal(psci_vm_call(&vcpus[0], SMCCC_ARCH_WORKAROUND_1_FID, 0, 0, 0), 0);
    assert_int_equal(smc_calls, 1);
    assert_int_equal(last_smc.x[0], SMCCC_ARCH_WORKAROUND_1_FID);
}

static unsigned sip_calls;
static void sip_handler(struct hyp_vcpu *vcpu, uint32_t fid, const uint64_t args[7],
                        uint64_t ret[4], enum hyp_smccc_conduit conduit)
{
    (void)vcpu;
    sip_calls++;
    ret[0] = 0;
    ret[1] = fid;
    ret[2] = args[0] + args[6];
    ret[3] = conduit;
}

static void dispatch_and_registration(void **state)
{
    static const struct hyp_smccc_service sip = {"sip", SMCCC_OWNER_SIP, SMCCC_OWNER_OEM,
                                                 sip_handler, NULL};
    static const struct hyp_smccc_service bad_range = {"bad", 5, 64, sip_handler, NULL};
    static const struct hyp_smccc_service no_handler = {"none", 2, 2, NULL, NULL};

    (void)state;
    /* Unknown owner before registration. */
    assert_int_equal(psci_vm_call(&vcpus[0], 0xc2000001u, 0, 0, 0), -1);
    assert_int_equal(hyp_smccc_register(&bad_range), HYP_EINVAL);
    assert_int_equal(hyp_smccc_register(&no_handler), HYP_EINVAL);
    assert_int_equal(hyp_smccc_register(&sip), HYP_OK);
    vcpus[0].regs.x[7] = 10;
    assert_int_equal(psci_vm_call(&vcpus[0], 0xc3000001u, 32, 0, 0), 0);
    assert_int_equal(sip_calls, 1);
    assert_int_equal(vcpus[0].regs.x[1], 0xc3000001u);
    assert_int_equal(vcpus[0].regs.x[2], 42);
    assert_int_equal(vcpus[0].regs.x[3], HYP_SMCCC_HVC);
    /* A fast call with bits 23:17 set is malformed: nobody sees it. */
    assert_int_equal(psci_vm_call(&vcpus[0], 0xc2020001u, 0, 0, 0), -1);
    assert_int_equal(sip_calls, 1);
    /* The table has room for HYP_SMCCC_MAX_SERVICES in all. */
    for (unsigned i = 3; i < HYP_SMCCC_MAX_SERVICES; i++)
        assert_int_equal(hyp_smccc_register(&sip), HYP_OK);
    assert_int_equal(hyp_smccc_register(&sip), HYP_ENOMEM);
}

/* Two CPUs race CPU_ON for the same vCPU: exactly one wins each round. */
struct racer {
    struct hyp_vcpu caller;
    pthread_barrier_t *barrier;
    int64_t result[2000];
};

static void *race_main(void *arg)
{
    struct racer *r = arg;

    for (unsigned round = 0; round < 2000; round++) {
        pthread_barrier_wait(r->barrier);
        r->result[round] =
            psci_vm_call(&r->caller, FN_CPU_ON64, 1, RAM_IPA + 0x100, round);
        pthread_barrier_wait(r->barrier);
        pthread_barrier_wait(r->barrier); /* main thread resets the target */
    }
    return NULL;
}

static void cpu_on_race(void **state)
{
    static struct racer racers[2];
    pthread_barrier_t barrier;
    pthread_t threads[2];

    (void)state;
    pthread_barrier_init(&barrier, NULL, 3);
    for (unsigned i = 0; i < 2; i++) {
        racers[i].caller = vcpus[0];
        racers[i].caller.vm = &pv.vm;
        racers[i].barrier = &barrier;
        pthread_create(&threads[i], NULL, race_main, &racers[i]);
    }
    for (unsigned round = 0; round < 2000; round++) {
        pthread_barrier_wait(&barrier);
        pthread_barrier_wait(&barrier);
        int64_t a = racers[0].result[round], b = racers[1].result[round];
        assert_true((a == 0) != (b == 0));
        assert_int_equal(a == 0 ? b : a, PSCI_RET_ON_PENDING);
        assert_int_equal(vcpus[1].power, HYP_VCPU_ON_PENDING);
        assert_int_equal(vcpus[1].boot_context, round);
        vcpus[1].power = HYP_VCPU_OFF;
        pthread_barrier_wait(&barrier);
    }
    for (unsigned i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&barrier);
}

static void vm_ram_and_mpidr(void **state)
{
    uint64_t pa = 0;

    (void)state;
    assert_true(hyp_vm_ram_to_pa(&pv.vm, RAM_IPA, RAM_SIZE, &pa));
    assert_int_equal(pa, RAM_PA);
    assert_true(hyp_vm_ram_to_pa(&pv.vm, RAM_IPA + RAM_SIZE - 8, 8, &pa));
    assert_int_equal(pa, RAM_PA + RAM_SIZE - 8);
    assert_false(hyp_vm_ram_to_pa(&pv.vm, RAM_IPA + RAM_SIZE - 8, 9, &pa));
    assert_false(hyp_vm_ram_to_pa(&pv.vm, RAM_IPA - 1, 1, &pa));
    assert_false(hyp_vm_ram_to_pa(&pv.vm, RAM_IPA + RAM_SIZE, 0, &pa));
    assert_false(hyp_vm_ram_to_pa(&pv.vm, UINT64_MAX, 2, &pa));
    assert_ptr_equal(hyp_vm_vcpu_by_mpidr(&pv.vm, 3), &vcpus[3]);
    assert_ptr_equal(hyp_vm_vcpu_by_mpidr(&pv.vm, 0x80000003ULL), &vcpus[3]);
    assert_null(hyp_vm_vcpu_by_mpidr(&pv.vm, 0x100));
}

/* Serves function 7 in place, declines the rest. */
static bool sip_fast(struct hyp_vcpu *vcpu, uint32_t fid)
{
    if ((fid & 0xffff) != 7)
        return false;
    sip_calls++;
    hyp_smccc_answer(vcpu, fid, 0x77);
    return true;
}

/* The exit fast path serves only what a service's fast predicate accepts,
 * exactly as the run loop's dispatch would; the rest is left untouched. */
static void fast_dispatch(void **state)
{
    static const struct hyp_smccc_service sip = {"sip", SMCCC_OWNER_SIP, SMCCC_OWNER_SIP,
                                                 sip_handler, sip_fast};
    struct hyp_vcpu *v = &vcpus[0];

    (void)state;
    /* Constant PSCI answers are fast; queries on vCPUs and power changes are not. */
    v->regs.x[0] = 0x84000000u; /* PSCI_VERSION */
    assert_true(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    assert_int_equal(v->regs.x[0], 0x10001); /* PSCI 1.1 */
    v->regs.x[0] = 0x8400000au;              /* PSCI_FEATURES(CPU_ON) */
    v->regs.x[1] = 0xc4000003u;
    assert_false(hyp_smccc_dispatch_fast(v, HYP_SMCCC_SMC));
    assert_int_equal(v->regs.x[0], 0x8400000au);
    v->regs.x[0] = 0xc4000004u; /* AFFINITY_INFO */
    assert_false(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    v->regs.x[0] = 0xc4000003u; /* CPU_ON */
    v->regs.x[1] = 1;
    assert_false(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    assert_int_equal(v->regs.x[0], 0xc4000003u);
    assert_int_equal(v->regs.x[1], 1);
    v->regs.x[0] = 0x84000008u; /* SYSTEM_OFF */
    assert_false(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    assert_int_equal(v->vm->shutdown, HYP_VM_RUNNING);
    /* SMCCC_VERSION (arch service) is fast, ARCH_FEATURES is not. */
    v->regs.x[0] = 0x80000000u;
    assert_true(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    assert_int_equal(v->regs.x[0], HYP_SMCCC_VERSION);
    v->regs.x[0] = 0x80000001u;
    assert_false(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    /* A registered service: its predicate decides; unknown owners never. */
    assert_int_equal(hyp_smccc_register(&sip), HYP_OK);
    sip_calls = 0;
    v->regs.x[0] = 0xc2000007u;
    v->regs.x[1] = 5;
    assert_true(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    assert_int_equal(sip_calls, 1);
    assert_int_equal(v->regs.x[0], 0x77);
    assert_int_equal(v->regs.x[1], 0);
    v->regs.x[0] = 0xc2000008u;
    assert_false(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    assert_int_equal(sip_calls, 1);
    v->regs.x[0] = 0xc4000007u; /* owner 4 (trusted app): nobody */
    assert_false(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    /* Malformed fast calls (bits 23:17) are left to the slow path. */
    v->regs.x[0] = 0xc2020007u;
    assert_false(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
    /* Fast and slow answers agree, 32-bit results for SMC32 included. */
    static const uint32_t same[][2] = {
        {0x84000000u, 0}, {0x84000006u, 0}, {0x80000000u, 0}};
    for (unsigned i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        uint64_t fast[4], slow[4];

        for (int pass = 0; pass < 2; pass++) {
            v->regs.x[0] = same[i][0];
            v->regs.x[1] = same[i][1] | 0xff00000000ull;
            v->regs.x[2] = 0;
            v->regs.x[3] = 0x55;
            if (pass == 0)
                assert_true(hyp_smccc_dispatch_fast(v, HYP_SMCCC_HVC));
            else
                hyp_smccc_dispatch(v, HYP_SMCCC_HVC);
            memcpy(pass == 0 ? fast : slow, v->regs.x, sizeof(fast));
        }
        assert_memory_equal(fast, slow, sizeof(fast));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(version_and_widths, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(features, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(cpu_on_state_machine, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(cpu_on_checks_arguments, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(cpu_on_32bit_uses_low_halves, setup,
                                        psci_vm_teardown),
        cmocka_unit_test_setup_teardown(cpu_suspend, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(system_requests, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(arch_service, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(dispatch_and_registration, setup,
                                        psci_vm_teardown),
        cmocka_unit_test_setup_teardown(cpu_on_race, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(vm_ram_and_mpidr, setup, psci_vm_teardown),
        cmocka_unit_test_setup_teardown(fast_dispatch, setup, psci_vm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
