/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: guest loading over arbitrary bytes. The input is tried
 * as a boot DTB with dom0less modules and as a kernel image; whatever is
 * accepted is carried on (a laid-out image, a guest DTB built from the
 * accepted host DTB) and the results are checked against the contracts in
 * hyp/guest.h. Nothing may crash or read out of bounds; every failure must
 * leave a terminated, non-empty message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <hyp/error.h>
#include <hyp/guest.h>
#include <hyp/platform.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Ranges no module may overlap, as a hypervisor would pass them. */
static const struct hyp_range forbidden[2] = {
    {0x40000000, 0x00200000},
    {0x48000000, 0x00100000},
};

static void check_message(int rc, const char *err)
{
    if (memchr(err, '\0', HYP_GUEST_ERRLEN) == NULL)
        abort();
    if (rc == HYP_OK ? err[0] != '\0' : (rc >= 0 || err[0] == '\0'))
        abort();
}

static bool overlap(struct hyp_range a, struct hyp_range b)
{
    return a.size && b.size && a.base <= b.base + (b.size - 1) &&
           b.base <= a.base + (a.size - 1);
}

static bool wraps(struct hyp_range r)
{
    return r.size && r.base + (r.size - 1) < r.base;
}

/** The guest DTB built from an accepted host DTB must read back cleanly. */
static void fuzz_build(const void *host)
{
    static uint64_t out[8192];
    static const struct hyp_range mem[1] = {{0x40000000, 0x10000000}};
    static const uint64_t mpidr[2] = {0, 1};
    static struct hyp_platform plat;
    char err[HYP_GUEST_ERRLEN], perr[HYP_PLATFORM_ERRLEN];
    struct hyp_guest_dtb_cfg cfg = {
        .mem = mem,
        .mem_count = 1,
        .mpidr = mpidr,
        .vcpu_count = 2,
        .psci = HYP_PSCI_HVC,
        .uart = {0x09000000, 0x1000},
        .uart_irq = {.intid = 33},
        .bootargs = "console=ttyAMA0",
        .initrd = {0x48000000, 0x1000},
    };
    int rc;

    for (unsigned v = 2; v <= 3; v++) {
        cfg.gic = (struct hyp_gic){.version = v, .gicd = {0x08000000, 0x10000}};
        if (v == 3) {
            cfg.gic.gicr[0] = (struct hyp_range){0x080a0000, 0x40000};
            cfg.gic.gicr_count = 1;
        } else {
            cfg.gic.gicc = (struct hyp_range){0x08010000, 0x2000};
        }
        memset(err, 'x', sizeof(err));
        rc = hyp_guest_dtb_build(host, &cfg, out, sizeof(out), err);
        check_message(rc, err);
        if (rc != HYP_OK)
            continue;
        if (fdt_check_full(out, fdt_totalsize(out)) != 0)
            abort();
        if (hyp_platform_discover(out, fdt_totalsize(out), &plat, perr) != HYP_OK)
            abort();
        if (plat.mem_count != 1 || plat.mem[0].base != mem[0].base ||
            plat.mem[0].size != mem[0].size || plat.cpu_count != 2 ||
            plat.gic.version != v || plat.psci != HYP_PSCI_HVC ||
            plat.uart.regs.base != cfg.uart.base || plat.uart.irq.intid != 33)
            abort();
    }
}

static void fuzz_modules(const uint8_t *data, size_t size)
{
    struct hyp_guest_modules mods;
    char err[HYP_GUEST_ERRLEN];
    uint64_t *copy = malloc(size ? size : 1); /* libfdt needs 8-byte alignment */
    int rc;

    if (!copy)
        return;
    memcpy(copy, data, size);
    memset(err, 'x', sizeof(err));
    rc = hyp_guest_modules_find(copy, size, forbidden, 2, &mods, err);
    check_message(rc, err);
    if (rc == HYP_OK) {
        if (mods.kernel_node < 0 || mods.kernel.size == 0 || wraps(mods.kernel) ||
            wraps(mods.ramdisk) || overlap(mods.kernel, mods.ramdisk))
            abort();
        if ((mods.ramdisk_node < 0) != (mods.ramdisk.size == 0))
            abort();
        for (unsigned i = 0; i < 2; i++)
            if (overlap(mods.kernel, forbidden[i]) || overlap(mods.ramdisk, forbidden[i]))
                abort();
        if (mods.bootargs) {
            const char *lo = (const char *)copy, *hi = lo + size;

            if (mods.bootargs < lo || mods.bootargs >= hi ||
                !memchr(mods.bootargs, '\0', (size_t)(hi - mods.bootargs)))
                abort();
        }
        fuzz_build(copy);
    }
    free(copy);
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void fuzz_image(const uint8_t *data, size_t size)
{
    struct hyp_guest_image info;
    struct hyp_guest_layout l;
    char err[HYP_GUEST_ERRLEN];
    uint64_t ram_base, ram_size, initrd, dtb, last;
    int rc;

    memset(err, 'x', sizeof(err));
    rc = hyp_guest_image_parse(data, size, &info, err);
    check_message(rc, err);
    if (rc != HYP_OK)
        return;
    if (info.file_size != size || info.image_size < info.file_size ||
        (info.kind != HYP_GUEST_IMAGE_RAW && info.kind != HYP_GUEST_IMAGE_LINUX))
        abort();
    if (info.kind == HYP_GUEST_IMAGE_LINUX &&
        (size < HYP_GUEST_IMAGE_HEADER_SIZE || info.text_offset % 4 != 0))
        abort();

    /* Placement parameters from the image's own bytes (the reserved fields
     * 32..55 of a Linux header), so the fuzzer can steer them. */
    if (size < 56)
        return;
    ram_base = le64(data + 32) & ~0xfffULL;
    ram_size = le64(data + 40) >> (data[0] & 31);
    initrd = le64(data + 48) >> (data[1] & 63);
    dtb = (data[2] | (uint64_t)data[3] << 8 | (uint64_t)data[4] << 16) & 0x3fffff;
    memset(err, 'x', sizeof(err));
    rc = hyp_guest_layout(&info, initrd, dtb, ram_base, ram_size, &l, err);
    check_message(rc, err);
    if (rc != HYP_OK)
        return;
    last = ram_base + (ram_size - 1);
    if (ram_size == 0 || last < ram_base || l.kernel_entry != l.kernel_load ||
        l.kernel.base != l.kernel_load || l.kernel.size != info.image_size ||
        l.dtb.size != dtb || l.dtb.base % 8 != 0 || l.initrd.size != initrd)
        abort();
    {
        const struct hyp_range parts[3] = {l.kernel, l.initrd, l.dtb};

        for (unsigned i = 0; i < 3; i++) {
            if (parts[i].size == 0)
                continue;
            if (parts[i].base < ram_base || parts[i].base > last ||
                parts[i].size - 1 > last - parts[i].base)
                abort();
            for (unsigned k = 0; k < i; k++)
                if (overlap(parts[i], parts[k]))
                    abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_modules(data, size);
    fuzz_image(data, size);
    return 0;
}
