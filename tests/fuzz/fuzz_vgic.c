/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the virtual GICv3, or with the first byte's top bit set
 * the virtual GICv2, driven by a byte stream of operations (MMIO accesses to
 * both frame types, injections, ICC_SGI1R_EL1 writes, flush / guest step /
 * sync cycles). The guest is simulated by legal
 * list-register transitions only (acknowledge: pending -> active; deactivate:
 * active -> inactive, active+pending -> pending). Checked after every step:
 * no crash or sanitizer report, reads fit their width, return codes are the
 * documented ones, every list register is well-formed, and no interrupt sits
 * in two list registers (of one vCPU, or for an SPI of any vCPUs). On a
 * GICv2 the second frame is the (unemulated) CPU interface and the guest's
 * steps go through the GICH_LR translation,
 * which must give back what was written but the state.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/vgic.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond))                                                                     \
            abort();                                                                     \
    } while (0)

#define NCPU_MAX 8
#define GICD     0x08000000ull
#define GICR     0x080a0000ull
#define GICC     0x08010000ull

struct input {
    const uint8_t *p;
    size_t left;
};

static uint64_t take(struct input *in, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n && in->left; i++, in->left--)
        v |= (uint64_t)*in->p++ << (8 * i);
    return v;
}

static struct hyp_vgic vg;
static struct hyp_vgic_cpu cpus[NCPU_MAX];
static uint64_t lrs[NCPU_MAX][HYP_VGIC_MAX_LRS];

static void nokick(unsigned vcpu, void *arg)
{
    CHECK(vcpu < vg.vcpu_count);
}

static void check_lrs(unsigned ncpu, unsigned nr_lr)
{
    static uint8_t seen[32 + HYP_VGIC_MAX_SPIS];

    memset(seen, 0, sizeof(seen));
    for (unsigned c = 0; c < ncpu; c++) {
        for (unsigned i = 0; i < nr_lr; i++) {
            uint64_t lr = lrs[c][i];
            uint32_t intid = (uint32_t)lr;

            if (!(lr >> 62))
                continue;
            CHECK(intid < 32 + vg.nr_spis);
            CHECK((lr & (0x7ull << 45 | 0xfull << 56)) == 0); /* RES0 and NMI */
            if (vg.version == 2) {                            /* GICH_LR round trip */
                CHECK(hyp_vgic_lr_from_gich(lr, hyp_vgic_lr_to_gich(lr)) == lr);
                CHECK((hyp_vgic_lr_to_gich(lr) & 0x3ff) == intid);
            }
            if (lr & HYP_ICH_LR_HW) {
                uint64_t p = (lr & HYP_ICH_LR_PINTID_MASK) >> 32;
                CHECK(p >= 16 && p <= 1019);
                CHECK(lr >> 62 != 3); /* no active+pending for HW */
            } else {
                CHECK((lr & (0xffull << 32)) == 0); /* bits [40:32] RES0 */
            }
            for (unsigned j = 0; j < i; j++)
                CHECK(!(lrs[c][j] >> 62) || (uint32_t)lrs[c][j] != intid);
            if (intid >= 32) {
                CHECK(!seen[intid]);
                seen[intid] = 1;
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    uint64_t mpidr[NCPU_MAX];
    struct hyp_vgic_config cfg = {.gicd_base = GICD, .gicr_base = GICR, .kick = nokick};
    unsigned first = (unsigned)take(&in, 1);
    unsigned ncpu = 1 + first % NCPU_MAX;
    bool v2 = first & 0x80;
    unsigned nr_lr = 1 + (unsigned)take(&in, 1) % HYP_VGIC_MAX_LRS;
    uint64_t hcr;

    for (unsigned i = 0; i < ncpu; i++)
        mpidr[i] = (i & 3) | (uint64_t)(i >> 2) << 8;
    cfg.vcpu_count = ncpu;
    cfg.vcpu_mpidr = mpidr;
    cfg.cpus = cpus;
    cfg.nr_spis = (unsigned)take(&in, 1) % (HYP_VGIC_MAX_SPIS / 32 + 1) * 32;
    if (v2) {
        cfg.version = 2;
        cfg.gicr_base = GICC;
    }
    CHECK(hyp_vgic_init(&vg, &cfg) == HYP_OK);
    memset(lrs, 0, sizeof(lrs));

    while (in.left) {
        unsigned op = (unsigned)take(&in, 1) % 7;
        unsigned vcpu = (unsigned)take(&in, 1) % (ncpu + 1); /* sometimes invalid */

        switch (op) {
        case 0: { /* MMIO */
            uint64_t off = take(&in, 3);
            bool dist = off & 0x800000;
            /* A GICv2's registers are all in its first 4 KiB: mostly there. */
            uint64_t dmask = v2 && !(off & 0x400000) ? 0xfff : 0xffff;
            uint64_t ipa =
                dist ? GICD + (off & dmask) : GICR + (off & 0x7fffff) % 0x120000;
            unsigned sz = 1u << (take(&in, 1) % 4);
            bool write = take(&in, 1) & 1;
            uint64_t v = take(&in, 8);
            int rc = hyp_vgic_mmio(&vg, vcpu, ipa, sz, write, &v);

            CHECK(rc == HYP_OK || rc == HYP_EINVAL || rc == HYP_ENOENT);
            if (!dist && (v2 || ipa >= GICR + ncpu * HYP_VGIC_GICR_STRIDE))
                CHECK(rc == HYP_ENOENT);
            if (v2 && dist && ipa >= GICD + HYP_VGIC_V2_GICD_SIZE)
                CHECK(rc == HYP_ENOENT);
            if (v2 && rc != HYP_ENOENT && sz == 8)
                CHECK(rc == HYP_EINVAL);
            if (rc == HYP_OK && !write && sz < 8)
                CHECK(v >> (8 * sz) == 0);
            if (sz == 2 && rc != HYP_ENOENT)
                CHECK(rc == HYP_EINVAL);
            break;
        }
        case 1: { /* line change from a device or timer */
            uint32_t intid = (uint32_t)take(&in, 2) % 600;
            bool level = take(&in, 1) & 1;
            uint32_t pintid = (uint32_t)take(&in, 2) % 1100;
            int rc = hyp_vgic_inject(&vg, vcpu, intid, level, pintid & 1 ? pintid : 0);

            CHECK(rc == HYP_OK || rc == HYP_EINVAL);
            break;
        }
        case 2:
            CHECK(hyp_vgic_sgi1r(&vg, vcpu, take(&in, 8)) ==
                  (vcpu < ncpu ? HYP_OK : HYP_EINVAL));
            break;
        case 3:
            if (vcpu < ncpu) {
                hyp_vgic_flush(&vg, vcpu, lrs[vcpu], nr_lr, &hcr);
                CHECK((hcr & ~(HYP_ICH_HCR_EN | HYP_ICH_HCR_UIE)) == 0);
            }
            break;
        case 4: { /* the guest acknowledges or deactivates */
            unsigned i = (unsigned)take(&in, 1) % nr_lr;
            uint64_t *lr = &lrs[vcpu % ncpu][i];
            unsigned st = (unsigned)(*lr >> 62);

            uint64_t was = *lr;

            if (st & 2)
                *lr &= ~HYP_ICH_LR_ACTIVE;
            else if (st == 1)
                *lr ^= HYP_ICH_LR_PENDING | HYP_ICH_LR_ACTIVE;
            if (v2) /* what the hardware shows, read back as the run loop does */
                *lr = hyp_vgic_lr_from_gich(was, hyp_vgic_lr_to_gich(*lr));
            break;
        }
        case 5:
            if (vcpu < ncpu)
                hyp_vgic_sync(&vg, vcpu, lrs[vcpu], nr_lr);
            break;
        default:
            (void)hyp_vgic_pending(&vg, vcpu);
            break;
        }
        check_lrs(ncpu, nr_lr);
    }
    return 0;
}
