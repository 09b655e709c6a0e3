/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmsingle.h
 * @brief One VM on the whole machine, described from the boot DTB: its
 *        kernel from the `/chosen` modules, the board's devices, all CPUs.
 *
 * What a single-guest hypervisor (the thin monitor) is booted with, turned
 * into what hyp_vmbuild_create_with() (vmbuild.h) builds: a ::hyp_vmconfig
 * with one VM and a ::hyp_vmbuild_extra with the devices it is given.
 * hyp_vmsingle_describe() gives the VM
 * - vCPU n on physical CPU n, for every CPU the hypervisor brought up;
 * - its kernel (and initrd) from the `/chosen/module@...` nodes
 *   (hyp_guest_modules_find(), `docs/bindings/multiboot-modules.md`);
 * - the first memory bank minus the range the hypervisor keeps, laid out by
 *   hyp_ram_layout(): at its own physical address (::HYP_RAM_IDENTITY) when
 *   a DMA-capable device is given, else packed from the bank's base
 *   (::HYP_RAM_PACKED), so that guests linked for the bare board run
 *   unchanged;
 * - a virtual PL011 where the board's console UART is, with its interrupt,
 *   whose output goes out untagged (hyp_vmbuild_console_raw()), and the
 *   boot loader's own random seeds (no ::hyp_vmbuild_extra::seeds): it is
 *   the machine's only guest;
 * - every device hyp_platform_for_each_device() finds, at its own address
 *   with its SPIs, described in the guest DTB from its board node, except
 *   what is withheld (neither mapped nor described): the console UART; QEMU's
 *   fw-cfg (the firmware's interface, and a DMA master: the hypervisor is
 *   the guest's firmware); a node the guest DTB cannot describe
 *   (hyp_guest_dtb_check_device(), e.g. a PCIe host); what the caller's
 *   ::hyp_vmsingle_device_fn withholds (its policy); and a device sharing a
 *   4 KiB page with one of those (stage 2 cannot split a page).
 *
 * The caller may then add RAM the guest is not told about
 * (hyp_vmsingle_hide()) before building the VM. Runs at boot, before any
 * guest (libfdt; it reads virtio-mmio registers). Target only.
 */
#ifndef HYP_VMSINGLE_H
#define HYP_VMSINGLE_H

#include <stdbool.h>
#include <stdint.h>
#include <hyp/platform.h>
#include <hyp/vm.h>
#include <hyp/vmbuild.h>
#include <hyp/vmconfig.h>

/** Most device register ranges of the board hyp_vmsingle_describe() takes. */
#define HYP_VMSINGLE_MAX_RANGES 128
/** Most hidden RAM ranges (hyp_vmsingle_hide()). */
#define HYP_VMSINGLE_MAX_HIDDEN 8
/** Node name of the VM in messages (::hyp_vmconfig_vm::node). */
#define HYP_VMSINGLE_NODE       "/chosen"
/** Name of the VM in messages (::hyp_vmconfig_vm::name). */
#define HYP_VMSINGLE_NAME       "guest"

/** What the caller's policy says about one device of the board. */
enum hyp_vmsingle_verdict {
    HYP_VMSINGLE_GIVE = 0, /**< Given; it cannot master DMA. */
    HYP_VMSINGLE_GIVE_DMA, /**< Given; it may master DMA (guest RAM identity-mapped,
                                unless it is an empty virtio-mmio transport). */
    HYP_VMSINGLE_WITHHOLD, /**< Withheld: not mapped, not described. */
};

/**
 * @brief Decides about one device node of the board.
 *
 * Called once per node that the library does not withhold anyway (see the
 * file comment), in DT order.
 * @param arg  The caller's argument.
 * @param dtb  The boot DTB.
 * @param node The device's node offset.
 * @return Its verdict.
 */
typedef enum hyp_vmsingle_verdict (*hyp_vmsingle_device_fn)(void *arg, const void *dtb,
                                                            int node);

/** How hyp_vmsingle_describe() describes the VM. */
struct hyp_vmsingle_opts {
    /** RAM of the first bank the hypervisor keeps (its image, page tables,
     *  the backing of hidden RAM): neither guest RAM nor a place for a
     *  module. */
    struct hyp_range keep;
    /** The device policy; NULL gives every device, none DMA-capable. */
    hyp_vmsingle_device_fn device;
    void *device_arg; /**< Passed to @ref device. */
    /** Name of a `/chosen` property that may give the virtual GIC's SPI
     *  count (one cell, a multiple of 32 up to ::HYP_VGIC_MAX_SPIS); NULL to
     *  use ::HYP_VMBUILD_SPIS. */
    const char *spis_property;
    /** Receives a line per device withheld for a reason the caller's policy
     *  did not give; NULL for none. Also passed on to hyp_vmbuild_create_with(). */
    hyp_vmconfig_line_fn report;
    void *report_arg; /**< Passed to @ref report. */
};

/** What hyp_vmsingle_describe() decided about one device node. */
struct hyp_vmsingle_node {
    int node;      /**< Its node offset in the boot DTB. */
    uint8_t state; /**< Given, or why withheld (internal to the library). */
    bool dma;      /**< Given and able to master DMA. */
};

/** One VM on the whole machine, described. Read-only for the caller. */
struct hyp_vmsingle {
    struct hyp_vmconfig config;     /**< Its description: ::hyp_vmconfig::vms[0]. */
    struct hyp_vmbuild_extra extra; /**< Its devices and hidden RAM. */
    bool dma;                       /**< A DMA-capable device is given. */
    unsigned node_count;            /**< Device nodes given. */
    /** Its device ranges: the given ones first (::hyp_vmbuild_extra::devices). */
    struct hyp_device ranges[HYP_VMSINGLE_MAX_RANGES];
    struct hyp_vm_ram hidden[HYP_VMSINGLE_MAX_HIDDEN]; /**< Its hidden RAM. */
    /** Per device node of the board, in DT order: what was decided. */
    struct hyp_vmsingle_node nodes[HYP_VMSINGLE_MAX_RANGES];
    unsigned board_nodes; /**< Valid entries in @ref nodes. */
};

/**
 * @brief Describe the machine's one VM (see the file comment).
 * @param s       Filled (large: static).
 * @param plat    The platform (hyp_platform_get()).
 * @param dtb     The boot DTB, readable up to ::hyp_platform::dtb's size;
 *                it must stay so until the VM is built.
 * @param opts    How.
 * @param err     Receives a message on failure (::HYP_GUEST_ERRLEN bytes);
 *                "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for more CPUs than ::HYP_VMCONFIG_MAX_VCPUS
 *         or a bad SPI count; ::HYP_ENOMEM for more device ranges than
 *         ::HYP_VMSINGLE_MAX_RANGES or more given nodes than
 *         ::HYP_VMBUILD_MAX_NODES; errors of hyp_platform_for_each_device(),
 *         hyp_ram_layout() or hyp_guest_modules_find().
 */
int hyp_vmsingle_describe(struct hyp_vmsingle *s, const struct hyp_platform *plat,
                          const void *dtb, const struct hyp_vmsingle_opts *opts,
                          char *err);

/**
 * @brief Give the VM RAM it is not told about (::hyp_vmbuild_extra::hidden).
 *
 * Mapped at @p ipa, zeroed, left out of its `/memory`; the guest reaches it
 * only by address (e.g. `/dev/mem` in Linux). hyp_vmbuild_create_with()
 * refuses it over anything the VM already has.
 * @param s    A description from hyp_vmsingle_describe().
 * @param ipa  Guest-physical base, 4 KiB aligned.
 * @param pa   Physical base, 4 KiB aligned, RAM the hypervisor keeps.
 * @param size Bytes, a non-zero multiple of 4 KiB.
 * @return ::HYP_OK; ::HYP_EINVAL for a misaligned or empty range;
 *         ::HYP_ENOMEM after ::HYP_VMSINGLE_MAX_HIDDEN ranges.
 */
int hyp_vmsingle_hide(struct hyp_vmsingle *s, uint64_t ipa, uint64_t pa, uint64_t size);

#endif /* HYP_VMSINGLE_H */
