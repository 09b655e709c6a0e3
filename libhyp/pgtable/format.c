/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Descriptor formats (stage 2, EL2 stage 1), geometry, and the translation
 * control register values that go with them.
 */
#include <hyp/error.h>

#include "pgtable_internal.h"

#define PROT_ALL (HYP_PROT_R | HYP_PROT_W | HYP_PROT_X | HYP_PROT_DEVICE)

int pgt_prot_to_attrs(enum hyp_pgtable_format format, unsigned prot, uint64_t *attrs)
{
    uint64_t a = PTE_AF | PTE_SH_INNER;

    if ((prot & ~(unsigned)PROT_ALL) != 0)
        return HYP_EINVAL;
    if ((prot & HYP_PROT_X) && (prot & HYP_PROT_DEVICE))
        return HYP_EPERM;
    if (!(prot & HYP_PROT_X))
        a |= PTE_XN;

    if (format == HYP_PGTABLE_S2) {
        a |= (prot & HYP_PROT_DEVICE) ? PTE_S2_MEMATTR_DEV_NGNRE
                                      : PTE_S2_MEMATTR_NORMAL_WB;
        if (prot & HYP_PROT_R)
            a |= PTE_S2AP_R;
        if (prot & HYP_PROT_W)
            a |= PTE_S2AP_W;
    } else {
        if ((prot & HYP_PROT_W) && (prot & HYP_PROT_X))
            return HYP_EPERM;
        if (!(prot & HYP_PROT_R))
            return HYP_EINVAL;
        unsigned idx =
            (prot & HYP_PROT_DEVICE) ? HYP_MAIR_IDX_DEVICE : HYP_MAIR_IDX_NORMAL;
        a |= (uint64_t)idx << PTE_S1_ATTRIDX_SHIFT;
        a |= PTE_S1_AP1;
        if (!(prot & HYP_PROT_W))
            a |= PTE_S1_AP_RO;
    }
    *attrs = a;
    return HYP_OK;
}

unsigned pgt_attrs_to_prot(enum hyp_pgtable_format format, uint64_t pte)
{
    unsigned prot = 0;

    if (!(pte & PTE_XN))
        prot |= HYP_PROT_X;
    if (format == HYP_PGTABLE_S2) {
        if (pte & PTE_S2AP_R)
            prot |= HYP_PROT_R;
        if (pte & PTE_S2AP_W)
            prot |= HYP_PROT_W;
        /* MemAttr[3:2] == 0b00 is Device memory. */
        if (((pte >> (PTE_S2_MEMATTR_SHIFT + 2)) & 3) == 0)
            prot |= HYP_PROT_DEVICE;
    } else {
        prot |= HYP_PROT_R;
        if (!(pte & PTE_S1_AP_RO))
            prot |= HYP_PROT_W;
        uint64_t idx = (pte & PTE_S1_ATTRIDX_MASK) >> PTE_S1_ATTRIDX_SHIFT;
        if (idx != HYP_MAIR_IDX_NORMAL)
            prot |= HYP_PROT_DEVICE;
    }
    return prot;
}

int hyp_pgtable_geometry(enum hyp_pgtable_format format, unsigned ia_bits,
                         unsigned *start_level, unsigned *root_pages)
{
    if (start_level == NULL || root_pages == NULL)
        return HYP_EINVAL;
    if (ia_bits < HYP_PGTABLE_IA_BITS_MIN || ia_bits > HYP_PGTABLE_IA_BITS_MAX)
        return HYP_EINVAL;

    unsigned l1_bits = (unsigned)pgt_level_shift(1) + 9; /* one full L1 table: 39 */
    if (format == HYP_PGTABLE_S2) {
        if (ia_bits <= l1_bits + 4) { /* at most 16 concatenated L1 tables */
            *start_level = 1;
            *root_pages = ia_bits > l1_bits ? 1u << (ia_bits - l1_bits) : 1u;
        } else {
            *start_level = 0;
            *root_pages = 1;
        }
        return HYP_OK;
    }
    if (format == HYP_PGTABLE_EL2_S1) {
        *start_level = ia_bits <= l1_bits ? 1 : 0;
        *root_pages = 1;
        return HYP_OK;
    }
    return HYP_EINVAL;
}

/* PS / PARange encoding of an output address size. */
static int ps_encode(unsigned pa_bits, uint64_t *ps)
{
    /* The PS/IPS field's values 0..5, by physical address size. */
    static const uint8_t sizes[] = {32, 36, 40, 42, 44, 48};

    for (unsigned i = 0; i < sizeof(sizes); i++) {
        if (sizes[i] == pa_bits) {
            *ps = i;
            return HYP_OK;
        }
    }
    return HYP_EINVAL;
}

/* Fields shared by VTCR_EL2 and TCR_EL2 (same positions). */
#define TCR_T0SZ(bits)  ((uint64_t)(64u - (bits)))
#define TCR_IRGN0_WBWA  ((uint64_t)1 << 8)
#define TCR_ORGN0_WBWA  ((uint64_t)1 << 10)
#define TCR_SH0_INNER   ((uint64_t)3 << 12)
#define TCR_TG0_4K      ((uint64_t)0 << 14)
#define TCR_PS_SHIFT    16u
#define TCR_RES1_BIT31  ((uint64_t)1 << 31)
#define TCR_EL2_RES1_23 ((uint64_t)1 << 23)
#define VTCR_SL0_SHIFT  6u

int hyp_pgtable_vtcr(unsigned ia_bits, unsigned pa_bits, uint64_t *vtcr)
{
    unsigned sl, pages;
    uint64_t ps;

    if (vtcr == NULL || ia_bits > pa_bits || ps_encode(pa_bits, &ps) != HYP_OK ||
        hyp_pgtable_geometry(HYP_PGTABLE_S2, ia_bits, &sl, &pages) != HYP_OK)
        return HYP_EINVAL;
    /* With a 4 KiB granule, SL0 = 2 - start level. */
    *vtcr = TCR_T0SZ(ia_bits) | ((uint64_t)(2u - sl) << VTCR_SL0_SHIFT) | TCR_IRGN0_WBWA |
            TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K | (ps << TCR_PS_SHIFT) |
            TCR_RES1_BIT31;
    return HYP_OK;
}

int hyp_pgtable_tcr_el2(unsigned va_bits, unsigned pa_bits, uint64_t *tcr)
{
    uint64_t ps;

    if (tcr == NULL || va_bits < HYP_PGTABLE_IA_BITS_MIN ||
        va_bits > HYP_PGTABLE_IA_BITS_MAX || ps_encode(pa_bits, &ps) != HYP_OK)
        return HYP_EINVAL;
    *tcr = TCR_T0SZ(va_bits) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |
           TCR_TG0_4K | (ps << TCR_PS_SHIFT) | TCR_EL2_RES1_23 | TCR_RES1_BIT31;
    return HYP_OK;
}
