/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file loader.h
 * @brief Loading a guest found in the boot DTB into a VM.
 *
 * Ties the guest-loading logic (guest.h) to a VM: copies the kernel and
 * initrd modules from where the bootloader put them to where the arm64 boot
 * protocol wants them in guest RAM, writes the guest DTB there, and returns
 * the entry point. Runs at boot, before any guest does.
 */
#ifndef HYP_LOADER_H
#define HYP_LOADER_H

#include <stdint.h>
#include <hyp/guest.h>
#include <hyp/vm.h>

/** Where and how a loaded guest starts. */
struct hyp_guest_boot {
    uint64_t entry;                 /**< Guest-physical entry point of the boot vCPU. */
    uint64_t dtb;                   /**< Guest-physical address of its DTB (x0). */
    struct hyp_guest_layout layout; /**< Everything placed in guest RAM. */
    enum hyp_guest_image_kind kind; /**< Linux Image or raw binary. */
    /** The kernel boots where its module lies (not copied): see
     *  hyp_guest_layout_in_place(). */
    bool in_place;
};

/**
 * @brief Load the kernel (and initrd) modules into @p vm's first RAM range.
 *
 * Modules are read through temporary EL2 mappings that are removed again;
 * the copies are cleaned to the point of coherency for a guest starting with
 * its MMU off. A destination that would overwrite another module's source is
 * refused (place modules high in RAM, as `scripts/run` does). Loads and
 * hyp_guest_ram_clear() calls on several CPUs wait for each other (they
 * share the DTB buffer and their EL2 windows may overlap). Coloured RAM
 * (hyp_vm_add_ram_coloured()) is written page run by page run; modules are
 * never booted in place there, and must lie outside its span.
 *
 * @param vm       The VM; its RAM must already be added (hyp_vm_add_ram()).
 * @param host_dtb The boot DTB.
 * @param mods     Modules found by hyp_guest_modules_find().
 * @param dtb_cfg  The guest DTB description; its @c mem, @c initrd and
 *                 @c bootargs are filled in here from the VM and modules.
 * @param boot     Filled on success.
 * @param err      Receives a message on failure (::HYP_GUEST_ERRLEN bytes).
 * @return ::HYP_OK or the error of the step that failed.
 */
int hyp_guest_load(struct hyp_vm *vm, const void *host_dtb,
                   const struct hyp_guest_modules *mods,
                   struct hyp_guest_dtb_cfg *dtb_cfg, struct hyp_guest_boot *boot,
                   char *err);

/**
 * @brief Writes a guest's DTB: the callback of hyp_guest_load_with().
 *
 * @param arg      The callback's argument.
 * @param mem      The guest's RAM (guest-physical), one range.
 * @param bootargs The kernel command line from the modules, or NULL.
 * @param initrd   Where the initrd lies in guest RAM (size 0: none).
 * @param buf      Where the DTB goes.
 * @param size     Bytes at @p buf (the DTB's room in guest RAM).
 * @param err      Receives a message on failure (::HYP_GUEST_ERRLEN bytes).
 * @return ::HYP_OK, or an error that hyp_guest_load_with() returns.
 */
typedef int (*hyp_guest_dtb_fn)(void *arg, const struct hyp_range *mem,
                                const char *bootargs, struct hyp_range initrd, void *buf,
                                size_t size, char *err);

/**
 * @brief hyp_guest_load() with the guest DTB made by the caller.
 *
 * Places and copies the modules as hyp_guest_load() does, but calls
 * @p make_dtb for the guest's DTB instead of hyp_guest_dtb_build(): for a
 * hypervisor that hands its guest an edited copy of the board's DTB and need
 * not link the DTB builder.
 *
 * @param vm       The VM; its RAM must already be added (hyp_vm_add_ram()).
 * @param mods     Modules found by hyp_guest_modules_find().
 * @param make_dtb Writes the guest DTB.
 * @param arg      Its argument.
 * @param boot     Filled on success.
 * @param err      Receives a message on failure (::HYP_GUEST_ERRLEN bytes).
 * @return ::HYP_OK or the error of the step that failed.
 */
int hyp_guest_load_with(struct hyp_vm *vm, const struct hyp_guest_modules *mods,
                        hyp_guest_dtb_fn make_dtb, void *arg, struct hyp_guest_boot *boot,
                        char *err);

/**
 * @brief Clear a range of guest RAM, every page of it (coloured or not),
 *        cleaned to the point of coherency for the guest.
 *
 * Maps the RAM (for coloured RAM, its whole span) at EL2 for the time of it.
 * For a VM that is not running (a restart).
 *
 * @param ram The range, e.g. `&vm->ram[0]`.
 * @return ::HYP_OK or the error of hyp_el2_map().
 */
int hyp_guest_ram_clear(const struct hyp_vm_ram *ram);

#endif /* HYP_LOADER_H */
