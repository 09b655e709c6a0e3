/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual GICv2 CPU interface control at EL2: the GICH frame (IHI 0048B,
 * chapter 5), this CPU's view of it (target only). vgic_hw.c calls these on a
 * GICv2 host.
 *
 * The model's list-register mirror keeps the ICH_LR<n>_EL2 layout; the list
 * registers here are GICH_LR<n>:
 *   [9:0] VirtualID  [19:10] PhysicalID (HW = 1) or [19] EOI, [12:10] CPUID
 *   [27:23] Priority (its top five bits)  [29:28] State  [30] Grp1  [31] HW
 * A guest changes only the state of a list register, so a read returns the
 * value last written with the state read back: nothing is lost to the
 * narrower fields, and the model sees exactly what it wrote.
 */
#include <stdint.h>
#include <hyp/cpu.h>
#include <hyp/mmio.h>
#include <hyp/vgic.h>
#include "../core/percpu.h"
#include "vgic_hw_v2.h"

#define GICH_HCR    0x000u
#define GICH_VTR    0x004u
#define GICH_VMCR   0x008u
#define GICH_MISR   0x010u
#define GICH_EISR0  0x020u
#define GICH_ELRSR0 0x030u
#define GICH_APR    0x0f0u
#define GICH_LR0    0x100u

#define LR_STATE_SHIFT 28
#define LR_GRP1        (1u << 30)
#define LR_HW          (1u << 31)
#define LR_EOI         (1u << 19)

uintptr_t vgic_v2_gich;
/* The ICH_LR-format value last written to each list register of each CPU. */
static uint64_t shadow[HYP_MAX_CPUS][HYP_VGIC_MAX_LRS];

static uint32_t to_gich(uint64_t v)
{
    uint32_t lr = (uint32_t)(v & 0x3ffu) |
                  (uint32_t)((v >> HYP_ICH_LR_PRIO_SHIFT) & 0xf8u) << (23 - 3) |
                  (uint32_t)((v >> HYP_ICH_LR_STATE_SHIFT) & 3u) << LR_STATE_SHIFT;

    if (v & HYP_ICH_LR_GROUP)
        lr |= LR_GRP1;
    if (v & HYP_ICH_LR_HW)
        lr |= LR_HW | (uint32_t)((v >> HYP_ICH_LR_PINTID_SHIFT) & 0x3ffu) << 10;
    else if (v & HYP_ICH_LR_EOI)
        lr |= LR_EOI;
    return lr;
}

uint64_t vgic_v2_read_lr(unsigned n)
{
    uint32_t lr;

    if (n >= HYP_VGIC_MAX_LRS)
        return 0;
    lr = mmio_read32(vgic_v2_gich + GICH_LR0 + 4 * n);
    return (shadow[hyp_this_cpu()->id][n] & ~(3ull << HYP_ICH_LR_STATE_SHIFT)) |
           (uint64_t)((lr >> LR_STATE_SHIFT) & 3u) << HYP_ICH_LR_STATE_SHIFT;
}

void vgic_v2_write_lr(unsigned n, uint64_t v)
{
    if (n >= HYP_VGIC_MAX_LRS)
        return;
    shadow[hyp_this_cpu()->id][n] = v;
    mmio_write32(vgic_v2_gich + GICH_LR0 + 4 * n, to_gich(v));
}

unsigned vgic_v2_nr_lrs(void)
{
    unsigned n = (mmio_read32(vgic_v2_gich + GICH_VTR) & 0x3fu) + 1;

    return n < HYP_VGIC_MAX_LRS ? n : HYP_VGIC_MAX_LRS;
}

void vgic_v2_write_hcr(uint64_t hcr)
{
    mmio_write32(vgic_v2_gich + GICH_HCR, (uint32_t)hcr); /* En, UIE: same bits */
}

uint64_t vgic_v2_read_misr(void)
{
    return mmio_read32(vgic_v2_gich + GICH_MISR);
}

uint64_t vgic_v2_read_eisr(void)
{
    return mmio_read32(vgic_v2_gich + GICH_EISR0) |
           (uint64_t)mmio_read32(vgic_v2_gich + GICH_EISR0 + 4) << 32;
}

uint64_t vgic_v2_read_elrsr(void)
{
    return mmio_read32(vgic_v2_gich + GICH_ELRSR0) |
           (uint64_t)mmio_read32(vgic_v2_gich + GICH_ELRSR0 + 4) << 32;
}

void vgic_v2_save(struct hyp_vgic_hw_state *st)
{
    st->vmcr = mmio_read32(vgic_v2_gich + GICH_VMCR);
    st->ap0r0 = mmio_read32(vgic_v2_gich + GICH_APR);
    st->ap1r0 = 0;
}

void vgic_v2_restore(const struct hyp_vgic_hw_state *st)
{
    mmio_write32(vgic_v2_gich + GICH_VMCR, (uint32_t)st->vmcr);
    mmio_write32(vgic_v2_gich + GICH_APR, (uint32_t)st->ap0r0);
}

unsigned vgic_v2_cpu_init(void)
{
    unsigned n = vgic_v2_nr_lrs();

    for (unsigned i = 0; i < n; i++)
        vgic_v2_write_lr(i, 0);
    mmio_write32(vgic_v2_gich + GICH_APR, 0);
    mmio_write32(vgic_v2_gich + GICH_VMCR, 0);
    mmio_write32(vgic_v2_gich + GICH_HCR, (uint32_t)HYP_ICH_HCR_EN);
    return n;
}
