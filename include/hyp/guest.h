/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file guest.h
 * @brief Loading one guest: boot modules, kernel images, placement, guest DTB.
 *
 * The thin monitor boots one guest from what the bootloader left in memory,
 * described Xen dom0less-style under `/chosen` of the boot DTB:
 *
 * @code
 * chosen {
 *     #address-cells = <2>;
 *     #size-cells = <2>;
 *     module@48000000 {
 *         compatible = "multiboot,kernel", "multiboot,module";
 *         reg = <0x0 0x48000000 0x0 0x01000000>;
 *         bootargs = "console=ttyAMA0 root=/dev/vda";
 *     };
 *     module@4a000000 {
 *         compatible = "multiboot,ramdisk", "multiboot,module";
 *         reg = <0x0 0x4a000000 0x0 0x00800000>;
 *     };
 * };
 * @endcode
 *
 * The steps, all pure functions without allocation:
 * 1. hyp_guest_modules_find() locates the kernel (and initrd) modules;
 * 2. hyp_guest_image_parse() reads the kernel's arm64 Image header, or treats
 *    the module as a raw binary;
 * 3. hyp_guest_layout() picks guest-physical addresses for kernel, initrd
 *    and DTB inside guest RAM following the arm64 Linux boot protocol;
 * 4. hyp_guest_dtb_build() writes the guest's device tree.
 *
 * Every function that can fail writes a NUL-terminated message of at most
 * ::HYP_GUEST_ERRLEN bytes to its `err` argument (when not NULL) that names
 * the node and property, or the configuration field, at fault.
 */
#ifndef HYP_GUEST_H
#define HYP_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyp/platform.h>

/** Room for a guest-loading error message, including the terminating NUL. */
#define HYP_GUEST_ERRLEN 160

/** Size of the arm64 Linux Image header, in bytes. */
#define HYP_GUEST_IMAGE_HEADER_SIZE 64

/** Where a raw (headerless) binary goes: guest RAM base plus this, as QEMU does. */
#define HYP_GUEST_RAW_OFFSET 0x80000ULL

/** text_offset assumed for a Linux Image whose header has image_size 0. */
#define HYP_GUEST_LEGACY_TEXT_OFFSET 0x80000ULL

/** Largest DTB the arm64 boot protocol allows (2 MiB). */
#define HYP_GUEST_DTB_MAX (2ULL << 20)

/** Most memory ranges a guest DTB describes. */
#define HYP_GUEST_MAX_MEM HYP_PLATFORM_MAX_MEM

/** Most shared-memory regions a guest DTB describes. */
#define HYP_GUEST_MAX_SHARED 8

/*
 * Boot modules
 */

/** The guest's boot modules found under `/chosen` of the boot DTB. */
struct hyp_guest_modules {
    /** Kernel module (`multiboot,kernel`): physical range it occupies. */
    struct hyp_range kernel;
    /** Initrd module (`multiboot,ramdisk`); size 0 when there is none. */
    struct hyp_range ramdisk;
    /** The kernel module's `bootargs`, pointing into the DTB; NULL if absent. */
    const char *bootargs;
    int kernel_node;  /**< DT offset of the kernel module node. */
    int ramdisk_node; /**< DT offset of the ramdisk module node, -1 if none. */
};

/**
 * @brief Find the guest kernel and initrd modules in the boot DTB.
 *
 * Looks at the enabled direct subnodes of `/chosen`: one must be compatible
 * with `"multiboot,kernel"`, at most one with `"multiboot,ramdisk"`; others
 * (plain `"multiboot,module"`, device-tree or policy modules) are ignored.
 * Each module's `reg` must hold exactly one (address, size) pair decoded
 * with `/chosen`'s own `#address-cells` / `#size-cells`, or the root's when
 * `/chosen` has none (1 or 2 cells each). The guest's command line is the
 * kernel module's `bootargs`; `/chosen/bootargs` belongs to the hypervisor
 * and is never used.
 *
 * Rejected: no kernel module, two kernel or two ramdisk modules, a `reg`
 * of the wrong length, a module of size 0 or that wraps around the address
 * space, a `bootargs` that is not a string, kernel and ramdisk overlapping,
 * and any module overlapping one of the @p forbidden ranges.
 *
 * @param dtb             The boot DTB, 8-byte aligned.
 * @param dtb_max         Bytes that may be read at @p dtb (its totalsize is
 *                        checked against this, and the blob is fully checked).
 * @param forbidden       Ranges no module may overlap, e.g. the hypervisor
 *                        image and the DTB itself; may be NULL if
 *                        @p forbidden_count is 0. Ranges of size 0 are skipped.
 * @param forbidden_count Number of entries in @p forbidden.
 * @param mods            Filled on success; contents unspecified on failure.
 * @param err             If not NULL, receives a message naming the node and
 *                        property at fault (::HYP_GUEST_ERRLEN bytes); "" on
 *                        success.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL @p dtb or @p mods (or NULL
 *         @p forbidden with a non-zero count); ::HYP_EALIGN for a misaligned
 *         @p dtb; ::HYP_EFORMAT for a malformed blob or module node;
 *         ::HYP_ENOENT when there is no `/chosen` or no kernel module;
 *         ::HYP_EEXIST for a second kernel or ramdisk module; ::HYP_EBUSY for
 *         overlapping modules or a module over a forbidden range.
 */
int hyp_guest_modules_find(const void *dtb, size_t dtb_max,
                           const struct hyp_range *forbidden, unsigned forbidden_count,
                           struct hyp_guest_modules *mods, char *err);

/*
 * Kernel images
 */

/** What kind of kernel image hyp_guest_image_parse() found. */
enum hyp_guest_image_kind {
    HYP_GUEST_IMAGE_RAW = 0, /**< No Image header: a flat binary entered at byte 0. */
    HYP_GUEST_IMAGE_LINUX,   /**< An arm64 Linux `Image` (magic "ARM\x64" at 56). */
};

/** A parsed kernel image. */
struct hyp_guest_image {
    enum hyp_guest_image_kind kind; /**< Linux Image or raw binary. */
    uint64_t file_size;             /**< Bytes of the file (to copy). */
    /**
     * Linux: offset of the image from a 2 MiB-aligned base (the header's
     * text_offset, or 0x80000 for a pre-3.17 header with image_size 0).
     * Raw: ::HYP_GUEST_RAW_OFFSET, relative to guest RAM base.
     */
    uint64_t text_offset;
    /**
     * Bytes the kernel needs from its load address, BSS included (the
     * header's image_size). Equal to @ref file_size for raw binaries and for
     * Linux headers with image_size 0 (then @ref image_size_known is false).
     */
    uint64_t image_size;
    bool image_size_known; /**< The header gave a non-zero image_size. */
    /** Kernel page size from the header flags: 4096, 16384, 65536, or 0 if
     *  unspecified (and for raw binaries). */
    uint32_t page_size;
    /** Header flag bit 3: the 2 MiB-aligned base may be anywhere in RAM
     *  (else it should be as close as possible to the start of RAM). */
    bool phys_base_anywhere;
};

/**
 * @brief Recognise and check a guest kernel image.
 *
 * An image whose bytes 56..59 are "ARM\x64" is an arm64 Linux Image: its
 * 64-byte little-endian header is decoded and checked. Anything else is a
 * raw binary, loaded at guest RAM base + ::HYP_GUEST_RAW_OFFSET and entered
 * at its first byte.
 *
 * Rejected Linux Images: fewer than 64 bytes (header cut short), the
 * big-endian flag (flags bit 0), a text_offset that is not a multiple of 4,
 * and a file larger than a non-zero image_size (the header then cannot be
 * describing this file: a corrupted or mismatched image).
 *
 * @param img  The image bytes (any alignment).
 * @param size Number of bytes at @p img; 0 is rejected.
 * @param info Filled on success; contents unspecified on failure.
 * @param err  If not NULL, receives a message on failure
 *             (::HYP_GUEST_ERRLEN bytes); "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL @p img or @p info; ::HYP_EFORMAT
 *         for an empty, truncated or inconsistent image; ::HYP_ENOTSUP for a
 *         big-endian kernel.
 */
int hyp_guest_image_parse(const void *img, uint64_t size, struct hyp_guest_image *info,
                          char *err);

/**
 * @brief Choose where a parsed kernel image goes in guest RAM.
 *
 * Linux Image: at the first 2 MiB-aligned address at or above @p ram_base,
 * plus text_offset (as close to the start of RAM as the protocol allows,
 * which satisfies either value of the placement flag). Raw binary: at
 * @p ram_base + ::HYP_GUEST_RAW_OFFSET. The entry point is the load address.
 * All of image_size (BSS included) must fit below @p ram_base + @p ram_size.
 *
 * @param info      A result of hyp_guest_image_parse().
 * @param ram_base  Guest-physical base of the guest RAM bank the kernel goes in.
 * @param ram_size  Its size in bytes.
 * @param load_addr Receives the guest-physical address to copy the file to.
 * @param entry     Receives the guest-physical entry point (x0 = DTB).
 * @param err       If not NULL, receives a message on failure
 *                  (::HYP_GUEST_ERRLEN bytes); "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL pointers or a bank that wraps
 *         around; ::HYP_ERANGE when the kernel does not fit in the bank.
 */
int hyp_guest_image_place(const struct hyp_guest_image *info, uint64_t ram_base,
                          uint64_t ram_size, uint64_t *load_addr, uint64_t *entry,
                          char *err);

/** Guest-physical placement of everything the guest boots with. */
struct hyp_guest_layout {
    uint64_t kernel_load;    /**< Copy the kernel file here. */
    uint64_t kernel_entry;   /**< Start the boot vCPU here (x0 = @ref dtb base). */
    struct hyp_range kernel; /**< `[load, load + image_size)`: kernel incl. BSS. */
    struct hyp_range initrd; /**< Initrd; size 0 when there is none. */
    struct hyp_range dtb;    /**< Guest DTB (size as requested). */
};

/**
 * @brief Lay out kernel, initrd and DTB in one bank of guest RAM.
 *
 * The kernel goes where hyp_guest_image_place() puts it. The initrd starts
 * at the first 2 MiB boundary after the kernel's image_size; the DTB at the
 * first 2 MiB boundary after the initrd (or the kernel), so that it is
 * 8-byte aligned and shares no 2 MiB block with anything else. Nothing
 * overlaps and everything lies inside `[ram_base, ram_base + ram_size)`.
 * As the boot protocol asks, the initrd must lie inside the 32 GiB window
 * that starts at the 1 GiB boundary at or below the kernel.
 *
 * @param kernel      A result of hyp_guest_image_parse().
 * @param initrd_size Bytes of initrd, 0 for none.
 * @param dtb_size    Bytes of guest DTB to reserve, 1 .. ::HYP_GUEST_DTB_MAX.
 * @param ram_base    Guest-physical base of the RAM bank.
 * @param ram_size    Its size in bytes.
 * @param out         Filled on success; contents unspecified on failure.
 * @param err         If not NULL, receives a message naming what does not fit
 *                    (::HYP_GUEST_ERRLEN bytes); "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL pointers, a zero or oversized
 *         @p dtb_size, or a bank that wraps around; ::HYP_ERANGE when
 *         something does not fit.
 */
int hyp_guest_layout(const struct hyp_guest_image *kernel, uint64_t initrd_size,
                     uint64_t dtb_size, uint64_t ram_base, uint64_t ram_size,
                     struct hyp_guest_layout *out, char *err);

/**
 * @brief hyp_guest_layout(), but leaving the kernel and the initrd where they
 *        already lie in guest RAM when the boot protocol allows it.
 *
 * Copying Debian's 26 MiB kernel into place, then cleaning it to the point
 * of coherency, costs a guest tens of milliseconds at boot; a boot loader
 * that put the modules in guest RAM with room to spare saves both.
 *
 * The kernel stays at @p kernel_at if it is a Linux Image whose header
 * gives its image_size and allows any physical placement (flags bit 3),
 * `kernel_at - text_offset` is 2 MiB aligned and its image_size bytes lie in
 * guest RAM clear of the initrd. The initrd stays at @p initrd_at if it
 * then lies in guest RAM, clear of the kernel's image_size bytes and inside
 * the kernel's 32 GiB window. The DTB goes to the lowest 2 MiB boundary
 * where it shares no 2 MiB block with either. If anything cannot stay,
 * this is exactly hyp_guest_layout() (everything is to be copied).
 *
 * @param kernel      A result of hyp_guest_image_parse().
 * @param kernel_at   Guest-physical address of the kernel module's first
 *                    byte; ::HYP_GUEST_NOWHERE if it is not in guest RAM.
 * @param initrd_size Bytes of initrd, 0 for none.
 * @param initrd_at   Guest-physical address of the initrd module, or
 *                    ::HYP_GUEST_NOWHERE.
 * @param dtb_size    As for hyp_guest_layout().
 * @param ram_base    As for hyp_guest_layout().
 * @param ram_size    As for hyp_guest_layout().
 * @param out         The layout: `kernel_load == kernel_at` (and
 *                    `initrd.base == initrd_at`) when they stay.
 * @param err         As for hyp_guest_layout().
 * @return As hyp_guest_layout().
 */
int hyp_guest_layout_in_place(const struct hyp_guest_image *kernel, uint64_t kernel_at,
                              uint64_t initrd_size, uint64_t initrd_at, uint64_t dtb_size,
                              uint64_t ram_base, uint64_t ram_size,
                              struct hyp_guest_layout *out, char *err);

/** A module address for hyp_guest_layout_in_place(): not in guest RAM. */
#define HYP_GUEST_NOWHERE UINT64_MAX

/** Randomness for one guest, derived from the boot loader's (hyp_guest_seeds()). */
struct hyp_guest_seeds {
    uint8_t rng[32];  /**< For `/chosen/rng-seed` (a SHA-256 digest). */
    unsigned rng_len; /**< Bytes of the rng-seed: 32, or 0 without a boot seed. */
    uint64_t kaslr;   /**< For `/chosen/kaslr-seed`; 0 without a boot seed. */
};

/**
 * @brief Derive guest @p guest's own `rng-seed` and `kaslr-seed` from the
 *        boot loader's.
 *
 * Each is a SHA-256 digest over a label, the guest's number and the boot
 * DTB's `/chosen/rng-seed` and `kaslr-seed` (hyp_platform::rng_seed,
 * hyp_platform::kaslr_seed): different for every guest, and telling a guest nothing of
 * the boot seed or of another guest's, as long as the boot seed is secret
 * and has entropy. Without a boot seed there is nothing to derive from and
 * both are empty (the guest gathers its own entropy).
 * @param plat  The platform (its seeds).
 * @param guest The guest's number, e.g. its VM index.
 * @param out   The seeds.
 */
void hyp_guest_seeds(const struct hyp_platform *plat, unsigned guest,
                     struct hyp_guest_seeds *out);

/*
 * Guest device tree
 */

/** What the guest's device tree describes (all addresses guest-physical). */
struct hyp_guest_dtb_cfg {
    /** Guest RAM ranges, one `/memory@...` node each; nothing else is RAM. */
    const struct hyp_range *mem;
    unsigned mem_count; /**< Entries in @ref mem, 1 .. ::HYP_GUEST_MAX_MEM. */
    /** Virtual MPIDR (affinity bits only) of each vCPU, boot vCPU first. */
    const uint64_t *mpidr;
    unsigned vcpu_count; /**< Entries in @ref mpidr, 1 .. ::HYP_PLATFORM_MAX_CPUS. */
    enum hyp_psci_conduit psci; /**< ::HYP_PSCI_HVC or ::HYP_PSCI_SMC. */
    /**
     * The virtual GIC: @c version (2 or 3, must match the host's GIC),
     * @c gicd, GICv3 @c gicr[0 .. gicr_count), GICv2 @c gicc. Optional
     * later frames (GICv3 @c gicc, then @c gich, @c gicv) are described while
     * non-empty. @c maintenance is ignored: the host's is copied.
     */
    struct hyp_gic gic;
    /** Virtual PL011 registers; size 0 for no UART (then no stdout-path). */
    struct hyp_range uart;
    /** The UART's interrupt (PPI or SPI INTID); flags 0 means level-high. */
    struct hyp_irq uart_irq;
    const char *bootargs; /**< `/chosen/bootargs`, or NULL for none. */
    /** Initrd placed by hyp_guest_layout(); size 0 for none. */
    struct hyp_range initrd;
    /**
     * Host device nodes (offsets in the host DTB) to describe in the guest's
     * tree, for devices passed through at the same address. Each must pass
     * hyp_guest_dtb_check_device(). Each is written as a child of the root
     * under its host name with every property copied, except: `reg` is
     * re-encoded with the guest root's 2 address and 2 size cells;
     * `interrupt-parent` points at the guest's GIC; `clocks` points at
     * copies of the host's fixed clocks (a 24 MHz one is the UART's
     * `apb-pclk` when a UART is described; others are copied under their host
     * name, with `-<n>` appended if that is taken); `phandle` and
     * `linux,phandle` are dropped. Subnodes are not copied. May be NULL.
     */
    const int *passthrough;
    unsigned passthrough_count; /**< Entries in @ref passthrough. */
    /**
     * Host PCIe host bridges (generic ECAM, children of a root with 2
     * address and 2 size cells) passed through whole: each is copied with
     * every property as it is (`reg`, `ranges`, `bus-range`, ...) except
     * `iommu-map`, `iommu-map-mask`, `msi-map`, `msi-map-mask`, `msi-parent`
     * and the phandles, which are dropped (the guest gets neither the SMMU
     * nor an MSI controller: its devices use INTx), and `interrupt-map`,
     * rewritten for the guest's GIC (its phandle, no parent address cells).
     * May be NULL.
     */
    const int *pci_hosts;
    unsigned pci_host_count; /**< Entries in @ref pci_hosts. */
    /**
     * `/chosen/rng-seed` for the guest (NULL or length 0: none). Give each
     * guest its own randomness: a seed handed to two guests makes their
     * kernels' placement and early random numbers alike.
     */
    const uint8_t *rng_seed;
    unsigned rng_seed_len; /**< Bytes at @ref rng_seed. */
    uint64_t kaslr_seed;   /**< `/chosen/kaslr-seed`, or 0 for none. */
    /**
     * Memory the guest shares with another VM, outside its RAM: each range
     * becomes a `/reserved-memory/shared-memory@<base>` node (compatible
     * `"libhyp,shared-memory"`, `no-map`), which Linux leaves alone; may be
     * NULL.
     */
    const struct hyp_range *shared;
    /**
     * The SPI INTID that rings the guest for each shared range (its doorbell,
     * described as that node's edge-rising `interrupts`), 0 for none; may be
     * NULL.
     */
    const uint32_t *shared_doorbell;
    unsigned shared_count; /**< Entries in @ref shared, 0..::HYP_GUEST_MAX_SHARED. */
    /**
     * A trusted OS the guest calls through Linux's OP-TEE driver: its
     * conduit, `"smc"` or `"hvc"`, written as `/firmware/optee` (compatible
     * `"linaro,optee-tz"`, `method`); NULL for none.
     */
    const char *optee_method;
    /**
     * A hypercall page (hcpage.h): written as `/hypercall@<base>`
     * (compatible `"libhyp,hypercall-page"`, `reg`); must not overlap RAM,
     * the GIC, the UART or a shared range. Size 0: none.
     */
    struct hyp_range hcpage;
    /**
     * Guest RAM kept from the OS for child VMs: written as
     * `/reserved-memory/child-vm-pool@<base>` (compatible
     * `"libhyp,child-vm-pool"`, `no-map`), which Linux neither maps nor
     * counts as System RAM; must lie inside one RAM range. Size 0: none.
     */
    struct hyp_range child_pool;
};

/**
 * @brief Write a fresh device tree for the guest.
 *
 * The tree has: a root with 2 address and 2 size cells, compatible
 * `"libhyp,guest", "linux,dummy-virt"`, the host's model plus
 * " (libhyp guest)" and the GIC as interrupt parent; `/chosen` (bootargs,
 * stdout-path, 64-bit linux,initrd-start/-end, rng-seed and kaslr-seed when
 * given); `/aliases` (serial0);
 * one `/memory@<base>` node per configured range; `/cpus` with one
 * `cpu@<mpidr>` per vCPU (`arm,armv8`, enable-method psci); `/psci`
 * (1.0 and 0.2, per @ref hyp_guest_dtb_cfg::psci); the GIC at the
 * configured addresses with the host's maintenance interrupt and without
 * ITS or MSI subnodes (GICv3: "arm,gic-v3"; GICv2: the host's compatible);
 * the timer with the host's interrupts, `always-on` and `clock-frequency`
 * when the host has them; a PL011 clocked by a 24 MHz fixed clock
 * `apb-pclk`. GICv2 PPI specifiers carry a CPU mask for @c vcpu_count CPUs.
 * `/reserved-memory` with the shared ranges and the child-VM pool, if any
 * (shared ranges must not overlap RAM, the GIC or the UART; the pool lies
 * in RAM); `/hypercall@<base>` for the hypercall page, if any.
 *
 * Then the passed-through devices (::hyp_guest_dtb_cfg::passthrough), after
 * copies of the fixed clocks they use.
 *
 * Reads from @p host_dtb only its model, its GIC node, its timer node, the
 * passed-through device nodes and their clocks.
 * Not reentrant: call it on one CPU at a time (boot, VM creation), like the
 * library's other device-tree parsers, which share an index of the tree.
 *
 * @param host_dtb The boot DTB (already validated by hyp_platform_discover()).
 * @param cfg      What to describe; checked (ranges non-empty, not wrapping,
 *                 not overlapping; MPIDRs unique affinity values; conduit).
 * @param out      Output buffer, 8-byte aligned.
 * @param out_size Bytes available at @p out (at most INT32_MAX are used). On
 *                 success the blob's totalsize is the bytes actually written.
 * @param err      If not NULL, receives a message naming the node, property or
 *                 configuration field at fault (::HYP_GUEST_ERRLEN bytes); ""
 *                 on success.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL pointers or a bad @p cfg;
 *         ::HYP_EALIGN for a misaligned @p out; ::HYP_EFORMAT for a malformed
 *         host DTB; ::HYP_ENOENT when the host has no GIC of @c cfg->gic.version
 *         or no timer; ::HYP_ENOTSUP (or ::HYP_EFORMAT) for a passed-through
 *         node hyp_guest_dtb_check_device() refuses, or one more distinct
 *         clock than 8; ::HYP_ENOMEM when @p out is too small.
 */
int hyp_guest_dtb_build(const void *host_dtb, const struct hyp_guest_dtb_cfg *cfg,
                        void *out, size_t out_size, char *err);

/**
 * @brief Whether a host device node can be described in a guest DTB.
 *
 * A hypervisor that passes a device through should describe it to the
 * guest (::hyp_guest_dtb_cfg::passthrough) and should not pass through what
 * it cannot describe. A node qualifies when:
 * - it is a child of the root, or of a chain of `simple-bus` nodes with an
 *   empty `ranges` (so its `reg` holds CPU addresses), whose
 *   `#address-cells` and `#size-cells` are 1 or 2;
 * - it has a `reg` of 1 to 8 (address, size) pairs;
 * - the interrupt parent that governs its `interrupts`, if any, is a GIC
 *   with 3 interrupt cells;
 * - each `clocks` entry names a `fixed-clock` with `#clock-cells = <0>`
 *   (at most 4 entries);
 * - it has none of the properties that refer to nodes the guest does not
 *   get: `interrupts-extended`, `interrupt-map`, `interrupt-map-mask`,
 *   `msi-parent`, `msi-map`, `iommus`, `iommu-map`, `resets`,
 *   `power-domains`, `dmas`, `phys`, `memory-region`, `gpios`, `*-gpios`,
 *   `pinctrl-*`, `assigned-clocks`, and no `ranges` (a bus or bridge, such
 *   as a PCIe host, whose children and windows are not copied).
 *
 * @param host_dtb The boot DTB (checked whole by the caller).
 * @param node     Offset of the device node.
 * @param err      If not NULL, receives a message naming the node and what
 *                 disqualifies it (::HYP_GUEST_ERRLEN bytes); "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for a NULL or invalid @p host_dtb or a bad
 *         @p node; ::HYP_EFORMAT for a malformed `reg`, `clocks` or
 *         interrupt parent; ::HYP_ENOTSUP for a node that does not qualify.
 */
int hyp_guest_dtb_check_device(const void *host_dtb, int node, char *err);

#endif /* HYP_GUEST_H */
