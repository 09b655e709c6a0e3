/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual GICv2 CPU interface control at EL2: the GICH frame (IHI 0048B,
 * chapter 5), this CPU's view of it (target only). vgic_hw.c calls these on a
 * GICv2 host.
 *
 * The model's list-register mirror keeps the ICH_LR<n>_EL2 layout; the list
 * registers here are GICH_LR<n>, translated by hyp_vgic_lr_to_gich() and
 * hyp_vgic_lr_from_gich() against the value last written to each (a guest
 * changes only the state of a list register).
 */
#include <assert.h>
#include <stdint.h>
#include <hyp/config.h>
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

uintptr_t vgic_v2_gich;

static_assert(sizeof(((struct hyp_percpu *)0)->gich_written) / sizeof(uint64_t) ==
                  HYP_VGIC_MAX_LRS,
              "hyp_percpu::gich_written holds every list register");

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
