/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Barriers and TLB maintenance for AArch64 EL2 (the `arch` seam of
 * include/hyp/arch.h).
 *
 * Stage-2 invalidation by IPA acts on the VMID in VTTBR_EL2, so the range
 * functions briefly install the target VMID there. Callers run with
 * interrupts masked (as all EL2 code does) so nothing observes the
 * temporary VTTBR_EL2 value; EL2's own translation regime does not use it.
 */
#include <stdint.h>

#include <hyp/arch.h>

/* Above this many invalidations by address, invalidate everything instead. */
#define TLBI_MAX_OPS 64u

#define PAGE_SHIFT       12u
#define VTTBR_VMID_SHIFT 48u
#define VTTBR_VMID_MASK  ((uint64_t)0xffff << VTTBR_VMID_SHIFT)

void arch_dsb_ish(void)
{
    __asm__ volatile("dsb ish" ::: "memory");
}

void arch_pte_sync(void)
{
    __asm__ volatile("dsb ishst" ::: "memory");
}

void arch_isb(void)
{
    __asm__ volatile("isb" ::: "memory");
}

/* Distance between two invalidations: one per leaf entry. A block leaf is
 * invalidated by any address inside it. */
static uint64_t tlbi_stride(unsigned level)
{
    if (level == 1 || level == 2)
        return (uint64_t)1 << (PAGE_SHIFT + 9u * (3u - level));
    return (uint64_t)1 << PAGE_SHIFT;
}

static uint64_t read_vttbr(void)
{
    uint64_t val;

    __asm__ volatile("mrs %0, vttbr_el2" : "=r"(val));
    return val;
}

static void write_vttbr(uint64_t val)
{
    __asm__ volatile("msr vttbr_el2, %0\n\tisb" : : "r"(val) : "memory");
}

void arch_tlbi_s2_range(uint16_t vmid, uint64_t ipa, uint64_t size, unsigned level)
{
    uint64_t stride = tlbi_stride(level);
    uint64_t saved = read_vttbr();

    __asm__ volatile("dsb ishst" ::: "memory");
    write_vttbr((saved & ~VTTBR_VMID_MASK) | ((uint64_t)vmid << VTTBR_VMID_SHIFT));

    if (size / stride > TLBI_MAX_OPS) {
        __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    } else {
        uint64_t start = ipa & ~(stride - 1);
        for (uint64_t addr = start; addr < ipa + size; addr += stride)
            __asm__ volatile("tlbi ipas2e1is, %0" : : "r"(addr >> PAGE_SHIFT) : "memory");
        /* Stage-1 entries combined with the old stage-2 ones. */
        __asm__ volatile("dsb ish\n\ttlbi vmalle1is" ::: "memory");
    }
    __asm__ volatile("dsb ish\n\tisb" ::: "memory");
    write_vttbr(saved);
}

void arch_tlbi_s2_all(uint16_t vmid)
{
    uint64_t saved = read_vttbr();

    __asm__ volatile("dsb ishst" ::: "memory");
    write_vttbr((saved & ~VTTBR_VMID_MASK) | ((uint64_t)vmid << VTTBR_VMID_SHIFT));
    __asm__ volatile("tlbi vmalls12e1is\n\tdsb ish\n\tisb" ::: "memory");
    write_vttbr(saved);
}

void arch_tlbi_el2_range(uint64_t va, uint64_t size, unsigned level)
{
    uint64_t stride = tlbi_stride(level);

    __asm__ volatile("dsb ishst" ::: "memory");
    if (size / stride > TLBI_MAX_OPS) {
        __asm__ volatile("tlbi alle2is" ::: "memory");
    } else {
        uint64_t start = va & ~(stride - 1);
        for (uint64_t addr = start; addr < va + size; addr += stride)
            __asm__ volatile("tlbi vae2is, %0" : : "r"(addr >> PAGE_SHIFT) : "memory");
    }
    __asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

void arch_tlbi_el2_all(void)
{
    __asm__ volatile("dsb ishst\n\ttlbi alle2is\n\tdsb ish\n\tisb" ::: "memory");
}
