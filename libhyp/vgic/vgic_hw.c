/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual GICv3 CPU interface control at EL2: the ICH_* system registers
 * (target only). Encodings from the Arm ARM (op0=3, op1=4, CRn=12):
 *   ICH_AP0R0_EL2  C8  op2 0      ICH_AP1R0_EL2  C9  op2 0
 *   ICH_HCR_EL2    C11 op2 0      ICH_VTR_EL2    C11 op2 1
 *   ICH_MISR_EL2   C11 op2 2      ICH_EISR_EL2   C11 op2 3
 *   ICH_ELRSR_EL2  C11 op2 5      ICH_VMCR_EL2   C11 op2 7
 *   ICH_LR<n>_EL2  C12 op2 n (n = 0..7), C13 op2 n-8 (n = 8..15)
 * Writes take effect for the guest at the exception return that enters it,
 * which is a context synchronisation event; only hyp_vgic_hw_cpu_init(),
 * which may run long before that, adds an ISB.
 *
 * On a GICv2 host (hyp_gic_init() found one) each function hands over to
 * its GICH twin in vgic_hw_v2.c.
 */

#define V2 __builtin_expect(hyp_gic_is_v2, 0)
#include <stdint.h>
#include <hyp/sysreg.h>
#include <hyp/vgic.h>
#include "../core/percpu.h"
#include "../gic/gic_internal.h"
#include "vgic_hw_lr.h"
#include "vgic_hw_v2.h"

#define ICH_VTR_LISTREGS(v) ((unsigned)((v)&0x1fu))

uint64_t hyp_vgic_hw_read_lr(unsigned n)
{
    return vgic_hw_read_lr(n);
}

void hyp_vgic_hw_read_lrs(uint64_t *lr, uint32_t used)
{
    used &= (1u << HYP_VGIC_MAX_LRS) - 1;
    if (V2) {
        /* The CPU's row of written values and the first GICH_LR, once. */
        const uint64_t *written = vgic_v2_lrs();
        uintptr_t gich_lr = vgic_v2_gich + VGIC_GICH_LR0;

        for (; used; used &= used - 1) {
            unsigned i = (unsigned)__builtin_ctz(used);

            lr[i] = vgic_lr_from_gich(written[i], mmio_read32(gich_lr + 4 * i));
        }
        return;
    }
    for (; used; used &= used - 1) {
        unsigned i = (unsigned)__builtin_ctz(used);

        lr[i] = vgic_v3_read_lr(i);
    }
}

void hyp_vgic_hw_write_lr(unsigned n, uint64_t v)
{
    vgic_hw_write_lr(n, v);
}

unsigned hyp_vgic_hw_nr_lrs(void)
{
    unsigned n;

    if (V2)
        return vgic_v2_nr_lrs();
    n = ICH_VTR_LISTREGS(read_sysreg(S3_4_C12_C11_1)) + 1;
    return n < HYP_VGIC_MAX_LRS ? n : HYP_VGIC_MAX_LRS;
}

void hyp_vgic_hw_write_hcr(uint64_t hcr)
{
    if (V2) {
        vgic_v2_write_hcr(hcr);
        return;
    }
    write_sysreg(S3_4_C12_C11_0, hcr);
}

uint64_t hyp_vgic_hw_read_misr(void)
{
    if (V2)
        return vgic_v2_read_misr();
    return read_sysreg(S3_4_C12_C11_2);
}

uint64_t hyp_vgic_hw_read_eisr(void)
{
    if (V2)
        return vgic_v2_read_eisr();
    return read_sysreg(S3_4_C12_C11_3);
}

uint64_t hyp_vgic_hw_read_elrsr(void)
{
    if (V2)
        return vgic_v2_read_elrsr();
    return read_sysreg(S3_4_C12_C11_5);
}

void hyp_vgic_hw_save(struct hyp_vgic_hw_state *st)
{
    if (V2) {
        vgic_v2_save(st);
        return;
    }
    st->vmcr = read_sysreg(S3_4_C12_C11_7);
    st->ap0r0 = read_sysreg(S3_4_C12_C8_0);
    st->ap1r0 = read_sysreg(S3_4_C12_C9_0);
}

void hyp_vgic_hw_restore(const struct hyp_vgic_hw_state *st)
{
    if (V2) {
        vgic_v2_restore(st);
        return;
    }
    write_sysreg(S3_4_C12_C11_7, st->vmcr);
    write_sysreg(S3_4_C12_C8_0, st->ap0r0);
    write_sysreg(S3_4_C12_C9_0, st->ap1r0);
}

void hyp_vgic_hw_cpu_init(void)
{
    unsigned n;

    if (V2) {
        hyp_this_cpu()->nr_lrs = vgic_v2_cpu_init();
        return;
    }
    n = hyp_vgic_hw_nr_lrs();

    hyp_this_cpu()->nr_lrs = n; /* read once: the exit paths use it */
    for (unsigned i = 0; i < n; i++)
        hyp_vgic_hw_write_lr(i, 0);
    write_sysreg(S3_4_C12_C8_0, 0);  /* ICH_AP0R0_EL2 */
    write_sysreg(S3_4_C12_C9_0, 0);  /* ICH_AP1R0_EL2 */
    write_sysreg(S3_4_C12_C11_7, 0); /* ICH_VMCR_EL2: groups off, VPMR 0 */
    write_sysreg(S3_4_C12_C11_0, HYP_ICH_HCR_EN);
    __asm__ volatile("isb" ::: "memory");
}
