/* SPDX-License-Identifier: BSD-2-Clause */
/* Loading the boot DTB's guest modules into a VM (target only). */
#include <stdio.h>
#include <string.h>
#include <hyp/colour.h>
#include <hyp/error.h>
#include <hyp/loader.h>
#include <hyp/mm.h>
#include <hyp/pgtable.h>
#include <hyp/spinlock.h>

#define PAGE           4096ULL
/* The generated guest DTB is small; its room in guest RAM is this. */
#define GUEST_DTB_ROOM (64 * 1024)

static uint8_t guest_dtb_buf[GUEST_DTB_ROOM] __attribute__((aligned(8)));
/* One load or clear at a time: they share guest_dtb_buf, and their EL2
 * windows may overlap (spans of coloured VMs interleave, modules may share a
 * page), so one closing its window must not pull the other's away. VMs
 * restarting on two CPUs at once wait for each other here. */
static struct hyp_spinlock load_lock = HYP_SPINLOCK_INIT;

static uint64_t page_down(uint64_t x)
{
    return x & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t x)
{
    return (x + PAGE - 1) & ~(PAGE - 1);
}

static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
    return asize != 0 && bsize != 0 && a < b + bsize && b < a + asize;
}

/* EL2 access to physical memory outside the image, for the loader only. */
static int el2_window(uint64_t pa, uint64_t size, unsigned prot)
{
    return hyp_el2_map(page_down(pa), page_up(pa + size) - page_down(pa), prot);
}

static void el2_window_close(uint64_t pa, uint64_t size)
{
    hyp_el2_unmap(page_down(pa), page_up(pa + size) - page_down(pa));
}

/* Physical bytes behind @ram: its span if coloured. */
static uint64_t ram_span(const struct hyp_vm_ram *ram)
{
    return ram->colour ? ram->colour->span : ram->size;
}

/* Copy @size bytes to guest RAM at @ipa (in @ram, mapped at EL2), run of
 * consecutive pages by run when coloured, and clean them for the guest. */
static void to_guest(const struct hyp_vm_ram *ram, uint64_t ipa, const void *src,
                     uint64_t size)
{
    const uint8_t *from = src;
    uint64_t off = ipa - ram->ipa;

    if (ram->colour == NULL) {
        memmove((void *)(uintptr_t)(ram->pa + off), src, size);
        hyp_el2_sync_for_guest(ram->pa + off, size);
        return;
    }
    while (size != 0) {
        uint64_t run = hyp_colour_run(ram->colour, off);
        uint64_t pa = hyp_colour_pa(ram->colour, off);

        run = run < size ? run : size;
        memcpy((void *)(uintptr_t)pa, from, run);
        hyp_el2_sync_for_guest(pa, run);
        from += run;
        off += run;
        size -= run;
    }
}

int hyp_guest_ram_clear(const struct hyp_vm_ram *ram)
{
    int rc;

    hyp_spin_lock(&load_lock);
    rc = el2_window(ram->pa, ram_span(ram), HYP_PROT_RW);
    if (rc != HYP_OK) {
        hyp_spin_unlock(&load_lock);
        return rc;
    }
    for (uint64_t off = 0; off < ram->size;) {
        uint64_t run = ram->colour ? hyp_colour_run(ram->colour, off) : ram->size;
        uint64_t pa = ram->colour ? hyp_colour_pa(ram->colour, off) : ram->pa;

        memset((void *)(uintptr_t)pa, 0, run);
        hyp_el2_sync_for_guest(pa, run);
        off += run;
    }
    el2_window_close(ram->pa, ram_span(ram));
    hyp_spin_unlock(&load_lock);
    return HYP_OK;
}

/* Guest-physical address of @mod if it lies wholly in @ram, else none (always
 * none in coloured RAM, whose pages are not the module's). */
static uint64_t module_ipa(const struct hyp_vm_ram *ram, struct hyp_range mod)
{
    if (mod.size == 0 || ram->colour != NULL || mod.base < ram->pa ||
        mod.base - ram->pa >= ram->size || mod.size > ram->size - (mod.base - ram->pa))
        return HYP_GUEST_NOWHERE;
    return ram->ipa + (mod.base - ram->pa);
}

static int load_locked(struct hyp_vm *vm, const struct hyp_guest_modules *mods,
                       hyp_guest_dtb_fn make_dtb, void *arg, struct hyp_guest_boot *boot,
                       char *err)
{
    const struct hyp_vm_ram *ram = &vm->ram[0];
    struct hyp_range mem = {ram->ipa, ram->size};
    struct hyp_guest_image image;
    uint64_t kernel_pa, initrd_pa = 0, dtb_pa, ram_pa;
    int rc;

    if (vm->ram_count == 0) {
        snprintf(err, HYP_GUEST_ERRLEN, "the VM has no RAM");
        return HYP_EINVAL;
    }
    /* EL2 windows while loading: the modules read-only, then all of guest RAM
     * read-write (mapped last: map() replaces, and modules usually lie in
     * guest RAM, where the copies must be writable). */
    rc = el2_window(mods->kernel.base, mods->kernel.size, HYP_PROT_R);
    if (rc == HYP_OK && mods->ramdisk.size != 0)
        rc = el2_window(mods->ramdisk.base, mods->ramdisk.size, HYP_PROT_R);
    if (rc == HYP_OK)
        rc = el2_window(ram->pa, ram_span(ram), HYP_PROT_RW);
    if (rc != HYP_OK) {
        snprintf(err, HYP_GUEST_ERRLEN, "cannot map guest RAM and modules at EL2: %s",
                 hyp_strerror(rc));
        goto out;
    }
    rc = hyp_guest_image_parse((const void *)(uintptr_t)mods->kernel.base,
                               mods->kernel.size, &image, err);
    if (rc != HYP_OK)
        goto out;
    /* Modules already in guest RAM may stay where they are (no copy). */
    rc = hyp_guest_layout_in_place(&image, module_ipa(ram, mods->kernel),
                                   mods->ramdisk.size, module_ipa(ram, mods->ramdisk),
                                   GUEST_DTB_ROOM, ram->ipa, ram->size, &boot->layout,
                                   err);
    if (rc != HYP_OK)
        goto out;
    boot->entry = boot->layout.kernel_entry;
    boot->dtb = boot->layout.dtb.base;
    boot->kind = image.kind;

    /* Physical destinations; none may overwrite a source not yet copied.
     * Coloured RAM is a span no module overlaps (the caller's config says
     * so): nothing to check there. */
    ram_pa = ram->pa - ram->ipa;
    kernel_pa = boot->layout.kernel_load + ram_pa;
    dtb_pa = boot->layout.dtb.base + ram_pa;
    if (mods->ramdisk.size != 0 && ram->colour == NULL) {
        initrd_pa = boot->layout.initrd.base + ram_pa;
        if (overlaps(kernel_pa, image.file_size, mods->ramdisk.base,
                     mods->ramdisk.size) ||
            overlaps(initrd_pa, mods->ramdisk.size, mods->kernel.base,
                     mods->kernel.size)) {
            snprintf(err, HYP_GUEST_ERRLEN,
                     "modules lie where the kernel or initrd must go in guest RAM "
                     "(kernel at PA %#llx, initrd at PA %#llx); load them higher",
                     (unsigned long long)kernel_pa, (unsigned long long)initrd_pa);
            rc = HYP_EBUSY;
            goto out;
        }
    }
    if (ram->colour == NULL &&
        (overlaps(dtb_pa, GUEST_DTB_ROOM, mods->kernel.base, mods->kernel.size) ||
         overlaps(dtb_pa, GUEST_DTB_ROOM, mods->ramdisk.base, mods->ramdisk.size))) {
        snprintf(err, HYP_GUEST_ERRLEN,
                 "a module lies where the guest DTB must go (PA %#llx)",
                 (unsigned long long)dtb_pa);
        rc = HYP_EBUSY;
        goto out;
    }

    rc = make_dtb(arg, &mem, mods->bootargs, boot->layout.initrd, guest_dtb_buf,
                  sizeof(guest_dtb_buf), err);
    if (rc != HYP_OK)
        goto out;

    /* A module in place was written by the boot loader, which cleaned it to
     * the point of coherency as the boot protocol asks; EL2 only read it. */
    boot->in_place = ram->colour == NULL && kernel_pa == mods->kernel.base;
    if (!boot->in_place)
        to_guest(ram, boot->layout.kernel_load,
                 (const void *)(uintptr_t)mods->kernel.base, image.file_size);
    if (mods->ramdisk.size != 0 &&
        (ram->colour != NULL || initrd_pa != mods->ramdisk.base))
        to_guest(ram, boot->layout.initrd.base,
                 (const void *)(uintptr_t)mods->ramdisk.base, mods->ramdisk.size);
    to_guest(ram, boot->layout.dtb.base, guest_dtb_buf, sizeof(guest_dtb_buf));
    err[0] = '\0';
out:
    el2_window_close(ram->pa, ram_span(ram));
    el2_window_close(mods->kernel.base, mods->kernel.size);
    if (mods->ramdisk.size != 0)
        el2_window_close(mods->ramdisk.base, mods->ramdisk.size);
    return rc;
}

int hyp_guest_load_with(struct hyp_vm *vm, const struct hyp_guest_modules *mods,
                        hyp_guest_dtb_fn make_dtb, void *arg, struct hyp_guest_boot *boot,
                        char *err)
{
    int rc;

    hyp_spin_lock(&load_lock);
    rc = load_locked(vm, mods, make_dtb, arg, boot, err);
    hyp_spin_unlock(&load_lock);
    return rc;
}

/* hyp_guest_load()'s DTB: the builder's, from the caller's description. */
struct build_arg {
    const void *host_dtb;
    struct hyp_guest_dtb_cfg *cfg;
};

static int build_dtb(void *arg, const struct hyp_range *mem, const char *bootargs,
                     struct hyp_range initrd, void *buf, size_t size, char *err)
{
    struct build_arg *b = arg;

    b->cfg->mem = mem;
    b->cfg->mem_count = 1;
    b->cfg->bootargs = bootargs;
    b->cfg->initrd = initrd;
    return hyp_guest_dtb_build(b->host_dtb, b->cfg, buf, size, err);
}

int hyp_guest_load(struct hyp_vm *vm, const void *host_dtb,
                   const struct hyp_guest_modules *mods,
                   struct hyp_guest_dtb_cfg *dtb_cfg, struct hyp_guest_boot *boot,
                   char *err)
{
    struct build_arg b = {host_dtb, dtb_cfg};

    return hyp_guest_load_with(vm, mods, build_dtb, &b, boot, err);
}
