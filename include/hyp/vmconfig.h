/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmconfig.h
 * @brief The partitioner's VMs, read from the boot device tree and validated.
 *
 * A static partitioning hypervisor describes its VMs under a `/hypervisor`
 * node of the boot DTB (compatible ::HYP_VMCONFIG_COMPATIBLE), one `vm@<id>`
 * child per VM and one `shm-<name>` child per memory region two VMs share; the
 * binding is specified in `docs/bindings/partitioner.md`.
 *
 * hyp_vmconfig_parse() reads that node together with the board it names
 * (CPUs, RAM, devices, interrupts) and checks the whole partition before
 * anything runs: no CPU, byte of RAM, device or interrupt belongs to two VMs
 * or to a VM and the hypervisor, every reference resolves, every module is
 * well formed and every property is known. Each refusal is one line that
 * names the VM (and the other VM, where two are involved) and the property,
 * e.g.
 * `/hypervisor/vm@1 (linux-b): memory: overlaps vm@0 (linux-a) at
 * 0x50000000..0x50ffffff`.
 *
 * On success ::hyp_vmconfig holds everything a VM builder needs (vCPU to
 * physical CPU pinning, RAM ranges with their guest addresses, modules,
 * devices with their MMIO ranges and interrupts, the console, shared
 * regions, capabilities), so that building the VMs needs no more DT parsing.
 * Nothing is allocated: the caller provides the storage, whose fixed limits
 * are the `HYP_VMCONFIG_MAX_*` constants. The same code runs in the host tool
 * `hyp-config`.
 */
#ifndef HYP_VMCONFIG_H
#define HYP_VMCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyp/colour.h>
#include <hyp/platform.h>

/** The `compatible` string of the `/hypervisor` node. */
#define HYP_VMCONFIG_COMPATIBLE     "libhyp,hypervisor"
/** The `compatible` string of a VM node. */
#define HYP_VMCONFIG_VM_COMPATIBLE  "libhyp,vm"
/** The `compatible` string of a shared-memory node. */
#define HYP_VMCONFIG_SHM_COMPATIBLE "libhyp,shared-memory"

/** Most VMs a configuration may describe. */
#define HYP_VMCONFIG_MAX_VMS         8
/** Most vCPUs of one VM. */
#define HYP_VMCONFIG_MAX_VCPUS       8
/** Most devices passed through to one VM. */
#define HYP_VMCONFIG_MAX_DEVICES     8
/** Most `reg` entries of one passed-through device. */
#define HYP_VMCONFIG_MAX_DEV_REGS    4
/** Most interrupts of one passed-through device. */
#define HYP_VMCONFIG_MAX_DEV_IRQS    4
/** Most stream-ID ranges of one device's DMA (`iommus`, `iommu-map` entries). */
#define HYP_VMCONFIG_MAX_DEV_STREAMS 4
/** Most shared-memory regions of a configuration. */
#define HYP_VMCONFIG_MAX_SHM         8
/** Most ranges of hypervisor memory hyp_vmconfig_parse() accepts. */
#define HYP_VMCONFIG_MAX_HYP         4
/** Bytes of `public-key` (an Ed25519 public key, hyp/ed25519.h). */
#define HYP_VMCONFIG_KEY_SIZE        32u
/** Largest `max-child-depth`. */
#define HYP_VMCONFIG_MAX_DEPTH       4
/** Room for a VM's `label`, including the NUL (so at most 15 characters). */
#define HYP_VMCONFIG_NAME_LEN        16
/** Room for a node path stored in the configuration, including the NUL. */
#define HYP_VMCONFIG_PATH_LEN        64
/** Room for one refusal line, including the NUL. */
#define HYP_VMCONFIG_ERRLEN          224

/** Granule of VM memory, shared regions and modules (4 KiB). */
#define HYP_VMCONFIG_GRANULE     0x1000u
/** Alignment of the base the validator picks for VM memory without `memory-base`. */
#define HYP_VMCONFIG_PLACE_ALIGN 0x200000u

/** Capability `"system-reset"`: PSCI SYSTEM_RESET from this VM resets the machine. */
#define HYP_VMCONFIG_CAP_SYSTEM_RESET 1u
/** Capability `"system-off"`: PSCI SYSTEM_OFF from this VM powers the machine off. */
#define HYP_VMCONFIG_CAP_SYSTEM_OFF   2u
/** Capability `"create-vms"`: the VM may create child VMs within its limits. */
#define HYP_VMCONFIG_CAP_CREATE_VMS   4u

/** What a VM is for (`role`). */
enum hyp_vmconfig_role {
    HYP_VMCONFIG_ROLE_GPOS = 0, /**< `"general-purpose"` (the default). */
    HYP_VMCONFIG_ROLE_TEE,      /**< `"trusted-os"`: runs only when its GPOS calls. */
};

/** One vCPU of a VM, pinned to one physical CPU. */
struct hyp_vmconfig_vcpu {
    unsigned cpu;   /**< Physical CPU: its index in ::hyp_platform::cpus (DT order). */
    uint64_t mpidr; /**< That CPU's affinity (its `reg`). */
};

/** A range of SMMU stream IDs, `[base, base + count)`. */
struct hyp_vmconfig_streams {
    uint32_t base;  /**< First stream ID. */
    uint32_t count; /**< Stream IDs in the range (at least 1). */
};

/** A device passed through to a VM (a board DT node given by phandle). */
struct hyp_vmconfig_device {
    char path[HYP_VMCONFIG_PATH_LEN]; /**< Its path in the board DT (truncated). */
    int node;                         /**< Its node offset in the DTB parsed. */
    /** Its MMIO ranges (CPU physical; mapped at the same guest address). */
    struct hyp_range regs[HYP_VMCONFIG_MAX_DEV_REGS];
    unsigned reg_count; /**< Valid entries in @ref regs. */
    /** Its interrupts: GIC SPIs (INTID 32..1019) with their trigger flags. */
    struct hyp_irq irqs[HYP_VMCONFIG_MAX_DEV_IRQS];
    unsigned irq_count; /**< Valid entries in @ref irqs. */
    /** A PCIe host bridge (`device_type = "pci"`, generic ECAM): @ref regs
     *  are its ECAM then its `ranges` windows, @ref irqs the SPIs its
     *  `interrupt-map` routes INTx to. */
    bool pci_host;
    /** The registers of the SMMUv3 (`"arm,smmu-v3"`) that translates its DMA,
     *  named by its `iommus` or `iommu-map`; size 0 if none does. */
    struct hyp_range smmu;
    /** Its stream IDs on that SMMU (from `iommus` or `iommu-map`). */
    struct hyp_vmconfig_streams streams[HYP_VMCONFIG_MAX_DEV_STREAMS];
    unsigned stream_count; /**< Valid entries in @ref streams. */
};

/** A boot module of a VM (`module@` child with `multiboot,kernel` or `,ramdisk`). */
struct hyp_vmconfig_module {
    struct hyp_range
        range; /**< Where the bootloader put it (physical); size 0 if absent. */
    int node;  /**< Its node offset, -1 if absent. */
};

/** One VM (`vm@<id>` node). */
struct hyp_vmconfig_vm {
    unsigned id; /**< Its `reg`, the unit address of `vm@<id>`. */
    char node[HYP_VMCONFIG_NAME_LEN * 2]; /**< Node name, e.g. "vm@1". */
    char name[HYP_VMCONFIG_NAME_LEN];     /**< Its `label`, e.g. "linux-b". */
    int offset;                           /**< Its node offset in the DTB parsed. */
    /** vCPU n runs on physical CPU vcpus[n].cpu, always. */
    struct hyp_vmconfig_vcpu vcpus[HYP_VMCONFIG_MAX_VCPUS];
    unsigned vcpu_count; /**< Valid entries in @ref vcpus (at least 1). */
    /** Its RAM (physical): `memory-base` if given, else placed by the validator. */
    struct hyp_range mem;
    /** Guest physical address of the RAM: its base with `direct-map`, else the
     *  base of the board's first memory bank. */
    uint64_t mem_ipa;
    bool mem_fixed;  /**< `memory-base` was given. */
    bool direct_map; /**< `direct-map`: guest physical addresses equal physical ones. */
    /** Its cache colours (`colours`, or the colours left over for a VM without
     *  them in a coloured partition); 0: not coloured, @ref mem is contiguous. */
    hyp_colour_set colours;
    bool colours_left;  /**< @ref colours are what no coloured VM took. */
    bool share_colours; /**< `share-colours`: may share colours with such VMs. */
    /** With colours (@ref colours): its RAM's physical span and pages (@ref mem
     *  has the span's base and the RAM's size). */
    struct hyp_colour_layout layout;
    /** `dma-unconfined`: DMA-capable devices allowed without an SMMU confining them. */
    bool dma_unconfined;
    struct hyp_vmconfig_module kernel;  /**< `multiboot,kernel` (always present). */
    struct hyp_vmconfig_module ramdisk; /**< `multiboot,ramdisk` (size 0 if none). */
    /** `multiboot,checkpoint`: resume from it (size 0 if none; checkpoint.h). */
    struct hyp_vmconfig_module checkpoint;
    /** The kernel module's `bootargs`, pointing into the DTB; NULL if absent. */
    const char *bootargs;
    /** `vpl011`: a virtual PL011 at the board console's address and interrupt. */
    bool console;
    struct hyp_range
        console_regs;       /**< Where the virtual PL011 appears (if @ref console). */
    uint32_t console_intid; /**< Its (virtual) SPI INTID (if @ref console). */
    /** Devices passed through, in `passthrough` order. */
    struct hyp_vmconfig_device devices[HYP_VMCONFIG_MAX_DEVICES];
    unsigned device_count; /**< Valid entries in @ref devices. */
    /** Indices into ::hyp_vmconfig::shm of the regions this VM shares. */
    unsigned shm[HYP_VMCONFIG_MAX_SHM];
    unsigned shm_count;        /**< Valid entries in @ref shm. */
    unsigned caps;             /**< `HYP_VMCONFIG_CAP_*` bits from `capabilities`. */
    unsigned max_child_vms;    /**< `max-child-vms` (0 without "create-vms"). */
    uint64_t max_child_memory; /**< `max-child-memory` in bytes (0 without it). */
    unsigned max_child_depth;  /**< `max-child-depth`: generations allowed below it
                                    (1 if absent; 0 without "create-vms"). */
    /** `public-key` given: CHILD_CREATE takes only images signed with it. */
    bool signed_children;
    /** `public-key`: the Ed25519 key children's images are checked with. */
    uint8_t public_key[HYP_VMCONFIG_KEY_SIZE];
    /** `hypercall-page`: guest address of its hypercall page (hcpage.h), 0:
     *  none. */
    uint64_t hcpage_ipa;
    /** `child-vm-pool`: bytes at the end of its RAM that its guest DTB keeps
     *  from the OS (`/reserved-memory`, no-map) for child VMs; 0: none. */
    uint64_t child_pool;
    unsigned role; /**< ::hyp_vmconfig_role. */
    /** A general-purpose VM's trusted OS (`tee`): its index in
     *  ::hyp_vmconfig::vms, or -1. */
    int tee;
    /** A trusted OS's general-purpose VM, whose CPUs (@ref vcpus) it runs on
     *  when called: its index in ::hyp_vmconfig::vms; -1 for a GPOS. */
    int gpos;
    bool tee_hvc; /**< `tee-method = "hvc"`: its HVCs reach its trusted OS too. */
    /** A trusted OS's `on-failure = "stop"`: after a failure it stays down
     *  (the default, `"restart"`, restarts it from its images). */
    bool tee_stop;
};

/** A memory region shared by two VMs (`shm-<name>` node). */
struct hyp_vmconfig_shm {
    char node[HYP_VMCONFIG_NAME_LEN * 2]; /**< Node name, e.g. "shm-b-bare". */
    unsigned vm[2];                       /**< Indices into ::hyp_vmconfig::vms. */
    struct hyp_range range;               /**< Physical range, mapped at the same
                                               guest address in both VMs. */
    uint32_t doorbell[2];                 /**< SPI INTID by which vm[i] is rung. */
};

/** A parsed and validated partition. */
struct hyp_vmconfig {
    char path[HYP_VMCONFIG_PATH_LEN]; /**< Path of the `/hypervisor` node. */
    struct hyp_platform plat;         /**< The board it was checked against. */
    /** The LLC's colouring (from the board or the `llc-*` override of the
     *  `/hypervisor` node); `colours` is 0 when neither describes one. */
    struct hyp_colour_geom geom;
    /** The hypervisor's own colours (`colours` of `/hypervisor`), which no VM
     *  may have; 0 if none. */
    hyp_colour_set hyp_colours;
    /** The hypervisor's own memory, as passed to hyp_vmconfig_parse(). */
    struct hyp_range hyp[HYP_VMCONFIG_MAX_HYP];
    unsigned hyp_count;                                /**< Valid entries in @ref hyp. */
    struct hyp_vmconfig_vm vms[HYP_VMCONFIG_MAX_VMS];  /**< VMs in DT order. */
    unsigned vm_count;                                 /**< Valid entries in @ref vms. */
    struct hyp_vmconfig_shm shm[HYP_VMCONFIG_MAX_SHM]; /**< Shared regions, DT order. */
    unsigned shm_count;                                /**< Valid entries in @ref shm. */
    unsigned error_count;                              /**< Refusals reported. */
    char error[HYP_VMCONFIG_ERRLEN]; /**< The first refusal, "" if none. */
};

/**
 * @brief Receives one line of text (a refusal, or a line of the map).
 * @param arg  The caller's argument.
 * @param line A NUL-terminated line without its newline.
 */
typedef void (*hyp_vmconfig_line_fn)(void *arg, const char *line);

/**
 * @brief Read and validate the partition described in a boot DTB.
 *
 * Checks the blob whole, discovers the board (hyp_platform_discover()), finds
 * the first node compatible with ::HYP_VMCONFIG_COMPATIBLE and validates it
 * as `docs/bindings/partitioner.md` specifies. Validation goes on after a
 * refusal where it can (with the next VM or region), so that one call
 * reports every independent problem; each is one line passed to @p report
 * and counted in ::hyp_vmconfig::error_count, and the first is kept in
 * ::hyp_vmconfig::error. VM memory without `memory-base` is placed in free
 * RAM (lowest ::HYP_VMCONFIG_PLACE_ALIGN aligned address outside the
 * hypervisor, reserved memory, modules, fixed VM memory and shared regions),
 * in DT order. Nothing is allocated (about 5 KiB of stack); the DTB is
 * only read.
 *
 * @param dtb       The boot DTB, 8-byte aligned.
 * @param dtb_max   Bytes that may be read at @p dtb.
 * @param hyp       The hypervisor's own memory (image, page pool, the DTB):
 *                  no VM memory, module or shared region may overlap it;
 *                  NULL if @p hyp_count is 0. Ranges of size 0 are ignored.
 * @param hyp_count Entries in @p hyp, at most ::HYP_VMCONFIG_MAX_HYP.
 * @param cfg       Filled; complete only on success.
 * @param report    Called with each refusal line; may be NULL.
 * @param arg       Passed to @p report.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL @p dtb or @p cfg or bad @p hyp
 *         arguments; ::HYP_EALIGN for a misaligned @p dtb; ::HYP_ENOENT when
 *         there is no `/hypervisor` node; ::HYP_ENOMEM when a fixed limit is
 *         exceeded or VM memory does not fit; ::HYP_EFORMAT for a malformed
 *         blob or an invalid configuration (the first refusal's code when
 *         there are several).
 */
int hyp_vmconfig_parse(const void *dtb, size_t dtb_max, const struct hyp_range *hyp,
                       unsigned hyp_count, struct hyp_vmconfig *cfg,
                       hyp_vmconfig_line_fn report, void *arg);

/**
 * @brief The VM a physical CPU belongs to.
 * @param cfg A configuration accepted by hyp_vmconfig_parse().
 * @param cpu A physical CPU index (as in ::hyp_vmconfig_vcpu::cpu).
 * @param vcpu If not NULL, receives the vCPU index within that VM.
 * @return The VM, or NULL if no VM runs on @p cpu.
 */
const struct hyp_vmconfig_vm *hyp_vmconfig_vm_of_cpu(const struct hyp_vmconfig *cfg,
                                                     unsigned cpu, unsigned *vcpu);

/**
 * @brief Write the partition map of an accepted configuration, line by line.
 *
 * Per VM: its CPUs, memory (physical and guest addresses), modules, console,
 * devices with their MMIO ranges and interrupts, shared regions with their
 * doorbells, and capabilities; then the hypervisor's ranges and the CPUs no
 * VM uses. The format is shown in `docs/bindings/partitioner.md`.
 *
 * @param cfg  A configuration accepted by hyp_vmconfig_parse().
 * @param out  Called once per line.
 * @param arg  Passed to @p out.
 */
void hyp_vmconfig_print(const struct hyp_vmconfig *cfg, hyp_vmconfig_line_fn out,
                        void *arg);

#endif /* HYP_VMCONFIG_H */
