/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file platform.h
 * @brief Platform discovery from the boot device tree.
 *
 * The hypervisor learns the machine it runs on from the DTB the bootloader
 * passes in x0: memory banks, CPUs, the GIC, the console UART, the generic
 * timer's interrupts, reserved memory and the PSCI firmware interface.
 * hyp_platform_discover() fills a ::hyp_platform from it without allocating;
 * a malformed or incomplete DTB is rejected with an error code and a message
 * that names the node and property at fault.
 */
#ifndef HYP_PLATFORM_H
#define HYP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/** Most memory banks ::hyp_platform records. */
#define HYP_PLATFORM_MAX_MEM      8
/** Most CPUs ::hyp_platform records. */
#define HYP_PLATFORM_MAX_CPUS     64
/** Most reserved-memory ranges ::hyp_platform records. */
#define HYP_PLATFORM_MAX_RESERVED 16
/** Most bytes of the boot DTB's `/chosen/rng-seed` kept (the rest is dropped). */
#define HYP_PLATFORM_MAX_SEED     64
/** Most GICv3 redistributor regions ::hyp_platform records. */
#define HYP_PLATFORM_MAX_GICR     4

/** A physical address range `[base, base + size)`. */
struct hyp_range {
    uint64_t base; /**< First byte. */
    uint64_t size; /**< Length in bytes. */
};

/** Where the hypervisor's view of an interrupt comes from in the DT. */
struct hyp_irq {
    uint32_t intid; /**< GIC INTID (PPI 16..31, SPI 32..1019), 0 if absent. */
    /** DT trigger type (IRQ_TYPE_*: 1 edge rising, 4 level high, ...): the low four
     *  bits of the specifier's flags cell; GICv2 PPI CPU-mask bits are dropped. */
    uint32_t flags;
};

/** How PSCI calls reach firmware. */
enum hyp_psci_conduit {
    HYP_PSCI_NONE = 0, /**< No PSCI node: secondary CPUs cannot be started. */
    HYP_PSCI_SMC,      /**< PSCI through SMC (firmware at EL3, or QEMU's built-in). */
    HYP_PSCI_HVC,      /**< PSCI through HVC (only meaningful below EL2). */
};

/** The generic interrupt controller found. */
struct hyp_gic {
    unsigned version;      /**< 2 or 3. */
    struct hyp_range gicd; /**< Distributor. */
    /** GICv3: redistributor regions (count in @ref gicr_count). */
    struct hyp_range gicr[HYP_PLATFORM_MAX_GICR];
    unsigned gicr_count; /**< Number of valid entries in @ref gicr. */
    struct hyp_range
        gicc; /**< GICv2 CPU interface (GICv3: legacy GICC if described, else 0). */
    struct hyp_range gich;      /**< Virtual interface control (GICH), 0 if absent. */
    struct hyp_range gicv;      /**< Virtual CPU interface (GICV), 0 if absent. */
    struct hyp_irq maintenance; /**< Maintenance interrupt, intid 0 if absent. */
};

/** The console UART found (`/chosen/stdout-path`, else the first PL011). */
struct hyp_uart {
    struct hyp_range regs; /**< MMIO registers. */
    struct hyp_irq irq;    /**< Its interrupt. */
    uint32_t clock_hz;     /**< Reference clock from its clocks, 0 if unknown. */
    char compatible[32];   /**< First compatible string, e.g. "arm,pl011". */
};

/** The generic timer's per-CPU interrupts (`arm,armv8-timer`). */
struct hyp_timer {
    struct hyp_irq sec_phys; /**< Secure EL1 physical timer. */
    struct hyp_irq phys;     /**< Non-secure EL1 physical timer. */
    struct hyp_irq virt;     /**< EL1 virtual timer. */
    struct hyp_irq hyp_phys; /**< EL2 physical timer. */
    struct hyp_irq hyp_virt; /**< EL2 virtual timer (Armv8.1 VHE), intid 0 if absent. */
    uint32_t frequency_hz;   /**< `clock-frequency` if given, else 0 (read CNTFRQ_EL0). */
};

/** One CPU of the machine. */
struct hyp_cpu_desc {
    uint64_t mpidr; /**< Affinity fields as in the DT `reg` (MPIDR_EL1 Aff3..Aff0). */
    /** Where a CPU with `enable-method = "spin-table"` waits for its entry
     *  address (`cpu-release-addr`); 0 for any other enable method (PSCI). */
    uint64_t release_addr;
};

/** Everything the hypervisor learned from the boot DTB. */
struct hyp_platform {
    char model[64];                                  /**< `/model`, or "" if absent. */
    struct hyp_range mem[HYP_PLATFORM_MAX_MEM];      /**< Memory banks, sorted by base. */
    unsigned mem_count;                              /**< Valid entries in @ref mem. */
    struct hyp_cpu_desc cpus[HYP_PLATFORM_MAX_CPUS]; /**< CPUs, in DT order. */
    unsigned cpu_count;                              /**< Valid entries in @ref cpus. */
    struct hyp_range reserved[HYP_PLATFORM_MAX_RESERVED]; /**< `/memreserve/` and
                                                             `/reserved-memory`. */
    unsigned reserved_count;    /**< Valid entries in @ref reserved. */
    struct hyp_gic gic;         /**< Interrupt controller. */
    struct hyp_uart uart;       /**< Console UART. */
    struct hyp_timer timer;     /**< Generic timer. */
    enum hyp_psci_conduit psci; /**< PSCI conduit. */
    struct hyp_range dtb;       /**< Where the DTB itself lies. */
    /**
     * Randomness the boot loader left in `/chosen`: `rng-seed` (its first
     * ::HYP_PLATFORM_MAX_SEED bytes) and `kaslr-seed`, for the hypervisor to
     * hand to a guest, which needs it to randomise its kernel's placement
     * and start its entropy pool (without it Linux spends milliseconds
     * gathering entropy at boot). Lengths and values 0 when absent.
     */
    uint8_t rng_seed[HYP_PLATFORM_MAX_SEED];
    unsigned rng_seed_len; /**< Valid bytes in @ref rng_seed. */
    uint64_t kaslr_seed;   /**< `/chosen/kaslr-seed`, or 0. */
};

/** Room for a discovery error message, including the terminating NUL. */
#define HYP_PLATFORM_ERRLEN 160

/**
 * @brief Parse a boot DTB into a platform description.
 *
 * Requires at least one memory bank, one CPU, a GICv2 or GICv3 and the
 * timer node. The UART and PSCI node are optional (the fields stay zero).
 * Addresses are translated to CPU physical addresses through the parents'
 * `#address-cells`/`#size-cells`; `ranges` other than empty (identity) are
 * rejected with ::HYP_ENOTSUP.
 *
 * @param dtb     The flattened device tree, 8-byte aligned (libfdt requires it,
 *                as does the arm64 boot protocol).
 * @param dtb_max Bytes that may be read at @p dtb (the totalsize field is
 *                checked against it, so a truncated blob is caught).
 * @param plat    Filled on success; contents unspecified on failure.
 * @param err     If not NULL, receives a NUL-terminated message naming the node
 *                and property at fault on failure (size ::HYP_PLATFORM_ERRLEN);
 *                set to "" on success.
 * @return ::HYP_OK, ::HYP_EINVAL for a NULL @p dtb or @p plat, ::HYP_EALIGN
 *         for a misaligned @p dtb, ::HYP_EFORMAT for a malformed blob or property,
 *         ::HYP_ENOENT for a missing mandatory node, ::HYP_ENOMEM when a
 *         fixed-size table is too small, ::HYP_ENOTSUP for unsupported
 *         hardware or layouts.
 */
int hyp_platform_discover(const void *dtb, size_t dtb_max, struct hyp_platform *plat,
                          char *err);

/**
 * @brief Where the boot code learns the platform: called once on the boot CPU
 *        with the address the boot loader left in x0, before the EL2 MMU is on.
 *
 * The library's definition (libhyp/core/boot_dt.c) parses that DTB with
 * hyp_platform_discover(). An image may define its own instead, e.g. one that
 * fills @p plat from constants the port compiled in
 * (examples/thin-monitor-min); then neither the DT parser nor libfdt is linked.
 *
 * @param dtb  The boot DTB's physical address (x0 at entry).
 * @param plat Filled on success; the boot code numbers CPUs from
 *             @ref hyp_platform::cpus and maps the UART and GIC found.
 * @param err  Receives a message on failure (size ::HYP_PLATFORM_ERRLEN).
 * @return ::HYP_OK or a negative ::hyp_err code, which stops the boot.
 */
int hyp_boot_platform(uint64_t dtb, struct hyp_platform *plat, char *err);

/** Most interrupts hyp_platform_for_each_device() reports per device. */
#define HYP_DEVICE_MAX_IRQS 4

/** A device the boot DTB describes, for hyp_platform_for_each_device(). */
struct hyp_device {
    const char *name;       /**< Node name, e.g. "pl031@9010000". */
    const char *compatible; /**< First compatible string, "" if none. */
    int node;               /**< Its node offset in the DTB. */
    unsigned reg_index;     /**< Which `reg` entry @ref reg is (0 first). */
    struct hyp_range reg;   /**< One `reg` entry (CPU physical address). */
    /** Its shared peripheral interrupts (3-cell GIC specifiers of type SPI). */
    struct hyp_irq irqs[HYP_DEVICE_MAX_IRQS];
    unsigned irq_count; /**< Valid entries in @ref irqs. */
};

/**
 * @brief Called for each register range of each device.
 * @param dev The device and one of its ranges.
 * @param arg The caller's argument.
 * @return 0 to continue, non-zero to stop the walk with that value.
 */
typedef int (*hyp_device_fn)(const struct hyp_device *dev, void *arg);

/**
 * @brief Visit the MMIO ranges of the devices the DTB describes.
 *
 * Visits enabled children of the root and of `simple-bus` nodes with empty
 * `ranges`, that have a `reg`. Skipped: memory nodes, interrupt
 * controllers, `/cpus`, `/chosen`, `/reserved-memory` and nodes whose
 * registers are not in the CPU's address space. Addresses use the parent's
 * cells; entries that do not fit 64 bits are skipped.
 *
 * @param dtb A DTB already accepted by hyp_platform_discover().
 * @param fn  Called once per (device, reg entry).
 * @param arg Passed to @p fn.
 * @return 0 after a full walk, the first non-zero value @p fn returned, or
 *         ::HYP_EFORMAT if the tree is malformed.
 */
int hyp_platform_for_each_device(const void *dtb, hyp_device_fn fn, void *arg);

/**
 * @brief Print a platform description through `printf`, one fact a line.
 * @param plat The description to print.
 */
void hyp_platform_print(const struct hyp_platform *plat);

#endif /* HYP_PLATFORM_H */
