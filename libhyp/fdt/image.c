/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file image.c
 * @brief Guest kernel images and their placement in guest RAM (see hyp/guest.h).
 *
 * The arm64 Linux Image header (Documentation/arch/arm64/booting.rst), all
 * fields little-endian:
 *
 *     offset  size  field
 *          0     4  code0 (or the "MZ" of an EFI stub)
 *          4     4  code1
 *          8     8  text_offset   image offset from a 2 MiB-aligned base
 *         16     8  image_size    bytes the kernel uses, BSS included; 0 = old
 *         24     8  flags         bit 0 big-endian, bits 1-2 page size,
 *                                 bit 3 base may be anywhere in RAM
 *         32    24  reserved
 *         56     4  magic         "ARM\x64"
 *         60     4  reserved (PE header offset)
 */
#include "guest_internal.h"

#include <hyp/error.h>
#include <hyp/guest.h>

#include <string.h>

#define HDR_TEXT_OFFSET 8
#define HDR_IMAGE_SIZE  16
#define HDR_FLAGS       24
#define HDR_MAGIC       56

#define FLAG_BE            (1ULL << 0)
#define FLAG_PAGE_SHIFT    1
#define FLAG_PAGE_MASK     3ULL
#define FLAG_PHYS_ANYWHERE (1ULL << 3)

/** 1 GiB and 32 GiB: the window the initrd must share with the kernel. */
#define SZ_1G  (1ULL << 30)
#define SZ_32G (32ULL << 30)

static const unsigned char image_magic[4] = {'A', 'R', 'M', 0x64};

static uint64_t le64_at(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

int hyp_guest_image_parse(const void *img, uint64_t size, struct hyp_guest_image *info,
                          char *err)
{
    static const uint32_t page_sizes[4] = {0, 4096, 16384, 65536};
    const unsigned char *p = img;
    uint64_t flags;

    if (err)
        err[0] = '\0';
    if (!img || !info)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL, "NULL %s",
                              img ? "image info" : "image");
    memset(info, 0, sizeof(*info));
    info->file_size = size;
    if (size == 0)
        return hyp_guest_fail(err, NULL, -1, HYP_EFORMAT,
                              "kernel image: empty (0 bytes)");

    if (size < HDR_MAGIC + sizeof(image_magic) ||
        memcmp(p + HDR_MAGIC, image_magic, sizeof(image_magic)) != 0) {
        info->kind = HYP_GUEST_IMAGE_RAW;
        info->text_offset = HYP_GUEST_RAW_OFFSET;
        info->image_size = size;
        info->image_size_known = false;
        return HYP_OK;
    }

    info->kind = HYP_GUEST_IMAGE_LINUX;
    if (size < HYP_GUEST_IMAGE_HEADER_SIZE)
        return hyp_guest_fail(err, NULL, -1, HYP_EFORMAT,
                              "Linux Image header: truncated, %llu bytes of %d",
                              (unsigned long long)size, HYP_GUEST_IMAGE_HEADER_SIZE);
    flags = le64_at(p + HDR_FLAGS);
    info->text_offset = le64_at(p + HDR_TEXT_OFFSET);
    info->image_size = le64_at(p + HDR_IMAGE_SIZE);
    info->page_size = page_sizes[(flags >> FLAG_PAGE_SHIFT) & FLAG_PAGE_MASK];
    info->phys_base_anywhere = (flags & FLAG_PHYS_ANYWHERE) != 0;

    if (info->image_size == 0) {
        /* Before Linux 3.17 text_offset had the kernel's endianness and
         * image_size was 0; the protocol says to assume 0x80000 then, and
         * the flags field was reserved (zero), so it reads as unspecified. */
        info->text_offset = HYP_GUEST_LEGACY_TEXT_OFFSET;
        info->image_size = size;
        info->image_size_known = false;
        return HYP_OK;
    }
    info->image_size_known = true;
    if (flags & FLAG_BE)
        return hyp_guest_fail(err, NULL, -1, HYP_ENOTSUP,
                              "Linux Image header: flags 0x%llx: big-endian kernel "
                              "(bit 0) is not supported",
                              (unsigned long long)flags);
    if (info->text_offset % 4 != 0)
        return hyp_guest_fail(err, NULL, -1, HYP_EFORMAT,
                              "Linux Image header: text_offset 0x%llx is not a multiple "
                              "of 4",
                              (unsigned long long)info->text_offset);
    if (size > info->image_size)
        return hyp_guest_fail(err, NULL, -1, HYP_EFORMAT,
                              "Linux Image header: file is 0x%llx bytes, more than its "
                              "image_size 0x%llx (corrupt or mismatched image)",
                              (unsigned long long)size,
                              (unsigned long long)info->image_size);
    return HYP_OK;
}

/** `[base, base + size)` must not wrap; @p end receives base + size (0 = 2^64). */
static int bank_end(uint64_t base, uint64_t size, uint64_t *last, char *err)
{
    if (size == 0)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL, "guest RAM: size 0");
    if (base + (size - 1) < base)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL,
                              "guest RAM: 0x%llx + 0x%llx wraps around",
                              (unsigned long long)base, (unsigned long long)size);
    *last = base + (size - 1);
    return HYP_OK;
}

/** Whether `[addr, addr + len)` (len > 0) lies at or below @p last, without wrap. */
static bool fits_below(uint64_t addr, uint64_t len, uint64_t last)
{
    return len != 0 && addr <= last && len - 1 <= last - addr;
}

int hyp_guest_image_place(const struct hyp_guest_image *info, uint64_t ram_base,
                          uint64_t ram_size, uint64_t *load_addr, uint64_t *entry,
                          char *err)
{
    uint64_t last, base, load;
    int rc;

    if (err)
        err[0] = '\0';
    if (!info || !load_addr || !entry)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL, "NULL argument");
    rc = bank_end(ram_base, ram_size, &last, err);
    if (rc != HYP_OK)
        return rc;
    if (info->image_size == 0 || info->image_size < info->file_size)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL,
                              "kernel image: image_size 0x%llx below file size 0x%llx "
                              "(not from hyp_guest_image_parse?)",
                              (unsigned long long)info->image_size,
                              (unsigned long long)info->file_size);

    if (info->kind == HYP_GUEST_IMAGE_LINUX) {
        if (!hyp_guest_align_up(ram_base, GUEST_SZ_2M, &base))
            return hyp_guest_fail(err, NULL, -1, HYP_ERANGE,
                                  "kernel image: no 2 MiB boundary at or above guest "
                                  "RAM base 0x%llx",
                                  (unsigned long long)ram_base);
    } else {
        base = ram_base;
    }
    load = base + info->text_offset;
    if (load < base || base > last || !fits_below(load, info->image_size, last))
        return hyp_guest_fail(err, NULL, -1, HYP_ERANGE,
                              "kernel image: 0x%llx bytes at offset 0x%llx from 0x%llx "
                              "do not fit in guest RAM 0x%llx+0x%llx",
                              (unsigned long long)info->image_size,
                              (unsigned long long)info->text_offset,
                              (unsigned long long)base, (unsigned long long)ram_base,
                              (unsigned long long)ram_size);
    *load_addr = load;
    *entry = load;
    return HYP_OK;
}

/**
 * Place @p len bytes at the first 2 MiB boundary at or after @p from, inside
 * the bank ending at @p last. @return HYP_OK or HYP_ERANGE with a message.
 */
static int place_after(const char *what, uint64_t from, uint64_t len, uint64_t last,
                       uint64_t *at, char *err)
{
    uint64_t a;

    if (!hyp_guest_align_up(from, GUEST_SZ_2M, &a) || !fits_below(a, len, last))
        return hyp_guest_fail(err, NULL, -1, HYP_ERANGE,
                              "%s: 0x%llx bytes do not fit in guest RAM after 0x%llx "
                              "(RAM ends at 0x%llx)",
                              what, (unsigned long long)len, (unsigned long long)from,
                              (unsigned long long)last);
    *at = a;
    return HYP_OK;
}

int hyp_guest_layout(const struct hyp_guest_image *kernel, uint64_t initrd_size,
                     uint64_t dtb_size, uint64_t ram_base, uint64_t ram_size,
                     struct hyp_guest_layout *out, char *err)
{
    uint64_t last, next;
    int rc;

    if (err)
        err[0] = '\0';
    if (!kernel || !out)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL, "NULL argument");
    if (dtb_size == 0 || dtb_size > HYP_GUEST_DTB_MAX)
        return hyp_guest_fail(err, NULL, -1, HYP_EINVAL,
                              "guest DTB: size 0x%llx, must be 1..0x%llx (2 MiB)",
                              (unsigned long long)dtb_size,
                              (unsigned long long)HYP_GUEST_DTB_MAX);
    memset(out, 0, sizeof(*out));
    rc = bank_end(ram_base, ram_size, &last, err);
    if (rc == HYP_OK)
        rc = hyp_guest_image_place(kernel, ram_base, ram_size, &out->kernel_load,
                                   &out->kernel_entry, err);
    if (rc != HYP_OK)
        return rc;
    out->kernel.base = out->kernel_load;
    out->kernel.size = kernel->image_size;
    /* The kernel fits, so its end is at most last + 1 (0 only at 2^64). */
    next = out->kernel.base + out->kernel.size;
    if (next == 0)
        return hyp_guest_fail(err, NULL, -1, HYP_ERANGE,
                              "guest DTB: no room after the kernel at the top of the "
                              "address space");

    if (initrd_size) {
        uint64_t window;

        rc = place_after("initrd", next, initrd_size, last, &out->initrd.base, err);
        if (rc != HYP_OK)
            return rc;
        out->initrd.size = initrd_size;
        window = out->kernel.base & ~(SZ_1G - 1);
        if (out->initrd.base + initrd_size - window > SZ_32G)
            return hyp_guest_fail(err, NULL, -1, HYP_ERANGE,
                                  "initrd: 0x%llx+0x%llx leaves the 32 GiB window "
                                  "at 0x%llx that holds the kernel",
                                  (unsigned long long)out->initrd.base,
                                  (unsigned long long)initrd_size,
                                  (unsigned long long)window);
        next = out->initrd.base + initrd_size;
        if (next == 0)
            return hyp_guest_fail(err, NULL, -1, HYP_ERANGE,
                                  "guest DTB: no room after the initrd at the top of "
                                  "the address space");
    }
    rc = place_after("guest DTB", next, dtb_size, last, &out->dtb.base, err);
    if (rc != HYP_OK)
        return rc;
    out->dtb.size = dtb_size;
    return HYP_OK;
}

/* [a, a + alen) and [b, b + blen), both non-empty and not wrapping, meet. */
static bool meet(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* [addr, addr + len) lies in [base, last]. */
static bool inside(uint64_t addr, uint64_t len, uint64_t base, uint64_t last)
{
    return addr >= base && addr <= last && fits_below(addr, len, last);
}

/* The 2 MiB blocks [addr, addr + len) touches, as a range. */
static void blocks(uint64_t addr, uint64_t len, uint64_t *start, uint64_t *size)
{
    *start = addr & ~(GUEST_SZ_2M - 1);
    *size = ((addr + len - 1) | (GUEST_SZ_2M - 1)) - *start + 1;
}

int hyp_guest_layout_in_place(const struct hyp_guest_image *kernel, uint64_t kernel_at,
                              uint64_t initrd_size, uint64_t initrd_at, uint64_t dtb_size,
                              uint64_t ram_base, uint64_t ram_size,
                              struct hyp_guest_layout *out, char *err)
{
    uint64_t last, kb, ks, ib = 0, is = 0, cand[3];
    bool kernel_ok, initrd_ok;

    if (err)
        err[0] = '\0';
    if (!kernel || !out || dtb_size == 0 || dtb_size > HYP_GUEST_DTB_MAX ||
        bank_end(ram_base, ram_size, &last, NULL) != HYP_OK)
        return hyp_guest_layout(kernel, initrd_size, dtb_size, ram_base, ram_size, out,
                                err); /* its message says what is wrong */
    kernel_ok = kernel->kind == HYP_GUEST_IMAGE_LINUX && kernel->image_size_known &&
                kernel->phys_base_anywhere && kernel_at != HYP_GUEST_NOWHERE &&
                kernel_at >= kernel->text_offset &&
                ((kernel_at - kernel->text_offset) & (GUEST_SZ_2M - 1)) == 0 &&
                inside(kernel_at, kernel->image_size, ram_base, last);
    initrd_ok = initrd_size == 0 || (initrd_at != HYP_GUEST_NOWHERE &&
                                     inside(initrd_at, initrd_size, ram_base, last));
    if (kernel_ok && initrd_size != 0)
        initrd_ok = initrd_ok &&
                    !meet(kernel_at, kernel->image_size, initrd_at, initrd_size) &&
                    initrd_at + initrd_size - (kernel_at & ~(SZ_1G - 1)) <= SZ_32G &&
                    initrd_at >= (kernel_at & ~(SZ_1G - 1));
    if (!kernel_ok || !initrd_ok)
        return hyp_guest_layout(kernel, initrd_size, dtb_size, ram_base, ram_size, out,
                                err);

    memset(out, 0, sizeof(*out));
    out->kernel_load = out->kernel_entry = kernel_at;
    out->kernel.base = kernel_at;
    out->kernel.size = kernel->image_size;
    blocks(kernel_at, kernel->image_size, &kb, &ks);
    if (initrd_size != 0) {
        out->initrd.base = initrd_at;
        out->initrd.size = initrd_size;
        blocks(initrd_at, initrd_size, &ib, &is);
    }
    /* The DTB: the lowest of RAM's first 2 MiB boundary and the boundaries
     * after the kernel and the initrd that is clear of both. Never address 0,
     * which a guest's x0 cannot tell from "no DTB" (RAM at 0: the ZynqMP). */
    cand[0] = ram_base != 0 ? ram_base : GUEST_SZ_2M;
    cand[1] = kb + ks;
    cand[2] = is != 0 ? ib + is : kb + ks;
    out->dtb.size = dtb_size;
    out->dtb.base = HYP_GUEST_NOWHERE;
    for (unsigned i = 0; i < 3; i++) {
        uint64_t a;

        if (!hyp_guest_align_up(cand[i], GUEST_SZ_2M, &a) ||
            !inside(a, dtb_size, ram_base, last) || meet(a, dtb_size, kb, ks) ||
            (is != 0 && meet(a, dtb_size, ib, is)))
            continue;
        if (a < out->dtb.base)
            out->dtb.base = a;
    }
    if (out->dtb.base == HYP_GUEST_NOWHERE)
        return hyp_guest_layout(kernel, initrd_size, dtb_size, ram_base, ram_size, out,
                                err);
    return HYP_OK;
}
