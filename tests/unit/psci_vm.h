/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM the PSCI tests (test_vpsci.c, test_psci_proxy.c) call from: vCPUs on
 * the given physical CPUs, 64 MiB of RAM at PSCI_VM_RAM_IPA; and a guest's
 * HVC into the SMCCC dispatcher.
 */
#ifndef PSCI_VM_H
#define PSCI_VM_H

#include <stdlib.h>
#include <hyp/error.h>
#include <hyp/smccc.h>
#include <hyp/vm.h>

#define PSCI_VM_RAM_IPA    0x40000000ULL
#define PSCI_VM_RAM_PA     0x80000000ULL
#define PSCI_VM_RAM_SIZE   (64ULL << 20)
#define PSCI_VM_POOL_PAGES 64

/* PSCI function IDs the tests call. */
#define FN_VERSION           0x84000000u
#define FN_CPU_SUSPEND32     0x84000001u
#define FN_CPU_SUSPEND64     0xc4000001u
#define FN_CPU_OFF           0x84000002u
#define FN_CPU_ON32          0x84000003u
#define FN_CPU_ON64          0xc4000003u
#define FN_AFFINITY_INFO32   0x84000004u
#define FN_AFFINITY_INFO64   0xc4000004u
#define FN_MIGRATE           0x84000005u
#define FN_MIGRATE_INFO_TYPE 0x84000006u
#define FN_SYSTEM_OFF        0x84000008u
#define FN_SYSTEM_RESET      0x84000009u
#define FN_FEATURES          0x8400000au
#define FN_CPU_FREEZE        0x8400000bu
#define FN_SYSTEM_SUSPEND64  0xc400000eu

struct psci_vm {
    struct hyp_vm vm;
    struct hyp_page_pool pool;
    void *pool_mem;
};

static inline void psci_vm_init(struct psci_vm *p, struct hyp_vcpu *vcpus, unsigned count,
                                const unsigned *pcpus)
{
    struct hyp_vm_config cfg = {
        .vmid = 1,
        .ipa_bits = 40,
        .pa_bits = 40,
        .vcpus = vcpus,
        .vcpu_count = count,
        .vcpu_pcpu = pcpus,
        .pool = &p->pool,
    };

    p->pool_mem = aligned_alloc(4096, PSCI_VM_POOL_PAGES * 4096);
    assert_non_null(p->pool_mem);
    assert_int_equal(hyp_page_pool_init(&p->pool, p->pool_mem, PSCI_VM_POOL_PAGES * 4096),
                     HYP_OK);
    assert_int_equal(hyp_vm_init(&p->vm, &cfg), HYP_OK);
    assert_int_equal(
        hyp_vm_add_ram(&p->vm, PSCI_VM_RAM_IPA, PSCI_VM_RAM_PA, PSCI_VM_RAM_SIZE),
        HYP_OK);
    hyp_smccc_reset();
}

/* The test's VM (each test file has its own). */
static struct psci_vm pv;

/* CMocka teardown for tests whose setup called psci_vm_init(&pv, ...). */
static inline int psci_vm_teardown(void **state)
{
    (void)state;
    hyp_pgtable_destroy(&pv.vm.s2);
    free(pv.pool_mem);
    return 0;
}

/* Make a call from @caller as its HVC would; returns x0 as a signed value. */
static inline int64_t psci_vm_call(struct hyp_vcpu *caller, uint64_t fid, uint64_t a1,
                                   uint64_t a2, uint64_t a3)
{
    caller->regs.x[0] = fid;
    caller->regs.x[1] = a1;
    caller->regs.x[2] = a2;
    caller->regs.x[3] = a3;
    hyp_smccc_dispatch(caller, HYP_SMCCC_HVC);
    return (fid & SMCCC_64) ? (int64_t)caller->regs.x[0] : (int32_t)caller->regs.x[0];
}

#endif /* PSCI_VM_H */
