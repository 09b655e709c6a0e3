/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SMMUv3 driver (libhyp/iommu/smmuv3.c) against a fake SMMU behind
 * mmio_read32()/mmio_write32(): ID registers, CR0 acknowledged, commands
 * consumed (and recorded) when CMDQ_PROD is written, event records produced
 * by the test. Also the pure STE and event-record encodings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <hyp/error.h>
#include <hyp/mmio.h>
#include <hyp/smmuv3.h>

#define BASE 0x9050000u

/* The fake. */
static uint32_t regs[0x20000 / 4];
static uint64_t cmds[64][2];
static unsigned cmd_count;
static int fail_opcode = -1; /* a command the fake refuses (GERROR.CMDQ_ERR) */

static uint64_t reg64(unsigned off)
{
    return regs[off / 4] | (uint64_t)regs[off / 4 + 1] << 32;
}

uint32_t mmio_read32(uintptr_t addr)
{
    uint32_t off = (uint32_t)(addr - BASE);

    assert_true(addr >= BASE && off < sizeof(regs) && off % 4 == 0);
    return regs[off / 4];
}

static void consume_commands(uint32_t prod)
{
    uint64_t base = reg64(0x90);
    unsigned bits = base & 0x1f;
    uint64_t *q = (uint64_t *)(uintptr_t)(base & 0x000fffffffffffe0ULL);
    uint32_t cons = regs[0x9c / 4], mask = (2u << bits) - 1;

    while ((cons & mask) != (prod & mask)) {
        unsigned i = cons & ((1u << bits) - 1);

        if ((int)(q[2 * i] & 0xff) == fail_opcode) {
            /* GERROR.CMDQ_ERR becomes active (differs from GERRORN's) and
             * the queue stops at the command. */
            if (!((regs[0x60 / 4] ^ regs[0x64 / 4]) & 1))
                regs[0x60 / 4] ^= 1;
            break;
        }
        assert_true(cmd_count < 64);
        cmds[cmd_count][0] = q[2 * i];
        cmds[cmd_count][1] = q[2 * i + 1];
        cmd_count++;
        cons = (cons + 1) & mask;
    }
    regs[0x9c / 4] = cons;
}

void mmio_write32(uintptr_t addr, uint32_t val)
{
    uint32_t off = (uint32_t)(addr - BASE);

    assert_true(addr >= BASE && off < sizeof(regs) && off % 4 == 0);
    regs[off / 4] = val;
    switch (off) {
    case 0x20: /* CR0 */
        regs[0x24 / 4] = val;
        break;
    case 0x44: /* GBPA: update done at once */
        regs[0x44 / 4] = val & ~(1u << 31);
        break;
    case 0x98: /* CMDQ_PROD: consumed while the queue is enabled (CR0.CMDQEN) */
        if (regs[0x20 / 4] & 8)
            consume_commands(val);
        break;
    case 0x64: /* GERRORN: acknowledged, the queue resumes */
        consume_commands(regs[0x98 / 4]);
        break;
    default:
        break;
    }
}

static struct hyp_smmuv3 smmu;

static int setup(void **state)
{
    (void)state;
    memset(regs, 0, sizeof(regs));
    regs[0x00 / 4] = 1u | (2u << 2) | (1u << 4); /* S2P, AArch64 tables, COHACC */
    regs[0x04 / 4] = 16;                         /* SIDSIZE */
    regs[0x14 / 4] = (1u << 4) | 4;              /* GRAN4K, OAS 44 bits */
    cmd_count = 0;
    fail_opcode = -1;
    return 0;
}

static unsigned count_op(unsigned op)
{
    unsigned n = 0;

    for (unsigned i = 0; i < cmd_count; i++)
        n += (cmds[i][0] & 0xff) == op;
    return n;
}

static void test_ste_s2(void **state)
{
    struct hyp_smmuv3_ste ste;
    /* T0SZ 24, SL0 1, IRGN0 1, ORGN0 1, SH0 3, TG0 0, PS 2, VS and RES1 set */
    uint64_t vtcr =
        24 | 1u << 6 | 1u << 8 | 1u << 10 | 3u << 12 | 2u << 16 | 1u << 19 | 1u << 31;

    (void)state;
    hyp_smmuv3_ste_s2(&ste, 5, (5ULL << 48) | 0x40242000, vtcr);
    assert_int_equal(ste.w[0], 1 | 6 << 1); /* valid, S2 translate */
    assert_int_equal(ste.w[2] & 0xffff, 5); /* S2VMID */
    assert_int_equal((ste.w[2] >> 32) & 0x7ffff, vtcr & 0x7ffff);
    assert_true(ste.w[2] >> 51 & 1);        /* S2AA64 */
    assert_true(ste.w[2] >> 58 & 1);        /* S2R: faults recorded */
    assert_false(ste.w[2] >> 52 & 1);       /* little-endian */
    assert_int_equal(ste.w[3], 0x40242000); /* VMID bits not in S2TTB */
    for (unsigned i = 4; i < 8; i++)
        assert_int_equal(ste.w[i], 0);
    hyp_smmuv3_ste_abort(&ste);
    assert_int_equal(ste.w[0], 1);
    for (unsigned i = 1; i < 8; i++)
        assert_int_equal(ste.w[i], 0);
}

static void test_decode_event(void **state)
{
    uint64_t rec[4] = {0x10 | (0x18ULL << 32), 1ULL << 39, 0x80010000, 0};
    struct hyp_smmuv3_event ev;

    (void)state;
    hyp_smmuv3_decode_event(rec, &ev);
    assert_int_equal(ev.type, HYP_SMMUV3_EVT_TRANSLATION);
    assert_int_equal(ev.sid, 0x18);
    assert_int_equal(ev.addr, 0x80010000);
    assert_true(ev.write);
    assert_true(ev.stage2);
    rec[1] = 1ULL << 35; /* a stage-1... read */
    hyp_smmuv3_decode_event(rec, &ev);
    assert_false(ev.write);
    assert_false(ev.stage2);
    rec[0] = HYP_SMMUV3_EVT_BAD_STE | (7ULL << 32);
    hyp_smmuv3_decode_event(rec, &ev);
    assert_int_equal(ev.type, HYP_SMMUV3_EVT_BAD_STE);
    assert_int_equal(ev.sid, 7);
    assert_int_equal(ev.addr, 0); /* not a translation fault: no address */
}

static void test_init(void **state)
{
    (void)state;
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_OK);
    assert_int_equal(regs[0x24 / 4], 1 | 4 | 8); /* SMMUEN, EVENTQEN, CMDQEN acked */
    assert_int_equal(reg64(0x80) & 0x000fffffffffffc0ULL, (uintptr_t)smmu.strtab);
    assert_int_equal(regs[0x88 / 4], HYP_SMMUV3_SID_BITS); /* linear, 8 SID bits */
    assert_int_equal(reg64(0x90) & 0x1f, HYP_SMMUV3_CMDQ_BITS);
    assert_int_equal(reg64(0xa0) & 0x1f, HYP_SMMUV3_EVTQ_BITS);
    assert_int_equal(count_op(0x04), 1);                   /* CFGI_ALL */
    assert_int_equal(count_op(0x30), 1);                   /* TLBI_NSNH_ALL */
    assert_int_equal(cmds[cmd_count - 1][0] & 0xff, 0x46); /* ends with CMD_SYNC */
    for (unsigned i = 0; i < (1u << HYP_SMMUV3_SID_BITS); i++)
        assert_int_equal(smmu.strtab[i].w[0], 1); /* every stream aborts */
    assert_true(regs[0x44 / 4] & (1u << 20));     /* GBPA: abort */
}

static void test_init_refuses(void **state)
{
    (void)state;
    regs[0] &= ~1u; /* no stage 2 */
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_ENOTSUP);
    setup(NULL);
    regs[0] &= ~(1u << 4); /* not coherent */
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_ENOTSUP);
    setup(NULL);
    regs[0x14 / 4] = 0; /* no 4 KiB granule */
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_ENOTSUP);
    assert_int_equal(hyp_smmuv3_init(NULL, BASE), HYP_EINVAL);
}

static void test_attach_detach(void **state)
{
    struct hyp_smmuv3_ste want;
    unsigned first;

    (void)state;
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_OK);
    first = cmd_count;
    assert_int_equal(hyp_smmuv3_attach(&smmu, 0x10, 3, 0x40300000, 0x80023558), HYP_OK);
    hyp_smmuv3_ste_s2(&want, 3, 0x40300000, 0x80023558);
    assert_memory_equal(&smmu.strtab[0x10], &want, sizeof(want));
    /* CFGI_STE for SID 0x10 (leaf) twice: abort first, then the entry. */
    assert_int_equal(count_op(0x03), 2);
    for (unsigned i = first; i < cmd_count; i++) {
        if ((cmds[i][0] & 0xff) == 0x03) {
            assert_int_equal(cmds[i][0] >> 32, 0x10);
            assert_int_equal(cmds[i][1] & 1, 1);
        }
        if ((cmds[i][0] & 0xff) == 0x28)
            assert_int_equal((cmds[i][0] >> 32) & 0xffff, 3); /* TLBI by the VMID */
    }
    assert_int_equal(count_op(0x28), 1);
    assert_int_equal(cmds[cmd_count - 1][0] & 0xff, 0x46);
    assert_int_equal(smmu.strtab[0x11].w[0], 1); /* neighbours untouched */

    assert_int_equal(hyp_smmuv3_detach(&smmu, 0x10), HYP_OK);
    assert_int_equal(smmu.strtab[0x10].w[0], 1);
    assert_int_equal(smmu.strtab[0x10].w[3], 0);
    assert_int_equal(hyp_smmuv3_attach(&smmu, 1u << HYP_SMMUV3_SID_BITS, 3, 0, 0),
                     HYP_EINVAL);
    assert_int_equal(hyp_smmuv3_invalidate_vmid(&smmu, 9), HYP_OK);
    assert_int_equal((cmds[cmd_count - 2][0] >> 32) & 0xffff, 9);
}

/* An SMMU with a two-level stream table: bus 0's table under the first
 * level-1 descriptor, whole buses above it given to VMs by shared tables. */
static void test_two_level(void **state)
{
    const uint64_t span = HYP_SMMUV3_SID_BITS + 1, addr = 0x000fffffffffffc0ULL;
    struct hyp_smmuv3_ste want;
    uint64_t vm3, vm4;

    (void)state;
    regs[0x00 / 4] |= 1u << 27; /* ST_LEVEL: two levels */
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_OK);
    assert_int_equal(reg64(0x80) & addr, (uintptr_t)smmu.l1);
    assert_int_equal(regs[0x88 / 4], 1u << 16 | HYP_SMMUV3_SID_BITS << 6 | 16);
    assert_int_equal(smmu.l1[0], ((uintptr_t)smmu.strtab & addr) | span);
    for (unsigned b = 1; b < 256; b++)
        assert_int_equal(smmu.l1[b], 0); /* no table: bad stream IDs */
    /* Bus 0 as before. */
    assert_int_equal(hyp_smmuv3_attach(&smmu, 0x10, 3, 0x40300000, 0x80023558), HYP_OK);
    assert_int_equal(hyp_smmuv3_attach(&smmu, 0x100, 3, 0x40300000, 0x80023558),
                     HYP_EINVAL);
    /* Buses 1..0xff to VM 3, then 0x10..0x1f to VM 4: two shared tables. */
    assert_int_equal(hyp_smmuv3_attach_buses(&smmu, 1, 0xff, 3, 0x40300000, 0x80023558),
                     HYP_OK);
    hyp_smmuv3_ste_s2(&want, 3, 0x40300000, 0x80023558);
    vm3 = smmu.l1[1];
    assert_int_equal(vm3 & 0x1f, span);
    for (unsigned b = 1; b < 256; b++)
        assert_int_equal(smmu.l1[b], vm3);
    for (unsigned k = 0; k < HYP_SMMUV3_BUS_STES; k++)
        assert_memory_equal((const char *)(uintptr_t)(vm3 & addr) + k * sizeof(want),
                            &want, sizeof(want));
    assert_int_equal(count_op(0x28), 2); /* the VMID's TLB entries, each time */
    assert_int_equal(cmds[cmd_count - 1][0] & 0xff, 0x46);
    assert_int_equal(
        hyp_smmuv3_attach_buses(&smmu, 0x10, 0x1f, 4, 0x40500000, 0x80023558), HYP_OK);
    vm4 = smmu.l1[0x10];
    assert_true(vm4 != vm3);
    assert_int_equal(smmu.l1[0x0f], vm3);
    assert_int_equal(smmu.l1[0x20], vm3);
    /* A third VM: no table left. Out of range: refused. */
    assert_int_equal(hyp_smmuv3_attach_buses(&smmu, 0x30, 0x30, 5, 0x40700000, 0),
                     HYP_ENOMEM);
    assert_int_equal(hyp_smmuv3_attach_buses(&smmu, 0, 1, 3, 0x40300000, 0), HYP_EINVAL);
    assert_int_equal(hyp_smmuv3_attach_buses(&smmu, 2, 1, 3, 0x40300000, 0), HYP_EINVAL);
    assert_int_equal(hyp_smmuv3_attach_buses(&smmu, 1, 0x100, 3, 0x40300000, 0),
                     HYP_EINVAL);
    /* VM 4 ends: its buses have no table, and its table is free again. */
    assert_int_equal(hyp_smmuv3_detach_buses(&smmu, 0x10, 0x1f), HYP_OK);
    assert_int_equal(smmu.l1[0x10], 0);
    assert_int_equal(smmu.l1[0x1f], 0);
    assert_int_equal(smmu.l1[0x20], vm3);
    assert_int_equal(hyp_smmuv3_attach_buses(&smmu, 0x30, 0x30, 5, 0x40700000, 0),
                     HYP_OK);
    assert_int_equal(smmu.l1[0x30], vm4); /* VM 4's old table, refilled for VM 5 */
}

/* Without a two-level table, or with 8 stream ID bits, there are no buses above 0. */
static void test_linear_has_no_buses(void **state)
{
    (void)state;
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_OK);
    assert_int_equal(hyp_smmuv3_attach_buses(&smmu, 1, 1, 3, 0x40300000, 0), HYP_ENOTSUP);
    assert_int_equal(hyp_smmuv3_detach_buses(&smmu, 1, 1), HYP_ENOTSUP);
    regs[0x00 / 4] |= 1u << 27;
    regs[0x04 / 4] = 8;
    cmd_count = 0; /* the fake keeps 64 commands */
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_OK);
    assert_int_equal(regs[0x88 / 4], 8); /* linear */
    assert_int_equal(hyp_smmuv3_attach_buses(&smmu, 1, 1, 3, 0x40300000, 0), HYP_ENOTSUP);
}

static void test_command_error(void **state)
{
    (void)state;
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_OK);
    fail_opcode = 0x03;
    assert_int_equal(hyp_smmuv3_attach(&smmu, 2, 1, 0x40300000, 0x80023558), HYP_EINVAL);
    assert_int_equal(regs[0x64 / 4], regs[0x60 / 4]); /* GERROR acknowledged */
    /* The refused command was replaced: the queue went on and is empty. */
    assert_int_equal(regs[0x9c / 4], regs[0x98 / 4]);
    fail_opcode = -1;
    assert_int_equal(hyp_smmuv3_attach(&smmu, 2, 1, 0x40300000, 0x80023558), HYP_OK);
}

static unsigned seen_sids[300], seen_count;

static void collect(const struct hyp_smmuv3_event *ev, void *arg)
{
    (void)arg;
    assert_true(seen_count < 300);
    seen_sids[seen_count++] = ev->sid;
}

/* The fake SMMU records @n events with SIDs from @sid0 on. */
static void produce(unsigned n, unsigned sid0)
{
    const uint32_t mask = (2u << HYP_SMMUV3_EVTQ_BITS) - 1;
    uint32_t prod = regs[0x100a8 / 4];

    for (unsigned k = 0; k < n; k++) {
        unsigned i = prod & ((1u << HYP_SMMUV3_EVTQ_BITS) - 1);

        smmu.evtq[4 * i] = 0x10 | ((uint64_t)(sid0 + k) << 32);
        smmu.evtq[4 * i + 2] = 0x1000 * k;
        prod = (prod + 1) & mask;
    }
    regs[0x100a8 / 4] = prod;
}

static void test_poll(void **state)
{
    (void)state;
    assert_int_equal(hyp_smmuv3_init(&smmu, BASE), HYP_OK);
    seen_count = 0;
    assert_int_equal(hyp_smmuv3_poll(&smmu, collect, NULL), 0);
    produce(3, 100);
    assert_int_equal(hyp_smmuv3_poll(&smmu, collect, NULL), 3);
    assert_int_equal(seen_sids[0], 100);
    assert_int_equal(seen_sids[2], 102);
    assert_int_equal(regs[0x100ac / 4], 3); /* EVENTQ_CONS follows */
    assert_int_equal(hyp_smmuv3_poll(&smmu, collect, NULL), 0);
    /* Across the queue's end, twice round. */
    for (unsigned round = 0; round < 3; round++) {
        seen_count = 0;
        produce(100, 1000 * round);
        assert_int_equal(hyp_smmuv3_poll(&smmu, collect, NULL), 100);
        for (unsigned k = 0; k < 100; k++)
            assert_int_equal(seen_sids[k], 1000 * round + k);
    }
    /* An overflow flag is copied back to acknowledge it. */
    produce(1, 7);
    regs[0x100a8 / 4] |= 1u << 31;
    assert_int_equal(hyp_smmuv3_poll(&smmu, NULL, NULL), 1);
    assert_true(regs[0x100ac / 4] & (1u << 31));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ste_s2),
        cmocka_unit_test(test_decode_event),
        cmocka_unit_test_setup(test_init, setup),
        cmocka_unit_test_setup(test_init_refuses, setup),
        cmocka_unit_test_setup(test_attach_detach, setup),
        cmocka_unit_test_setup(test_two_level, setup),
        cmocka_unit_test_setup(test_linear_has_no_buses, setup),
        cmocka_unit_test_setup(test_command_error, setup),
        cmocka_unit_test_setup(test_poll, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
