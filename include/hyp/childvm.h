/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file childvm.h
 * @brief Child VMs created at run time: the hypercall ABI's constants, the
 *        child configuration, the launch measurement.
 *
 * The interface is specified in `docs/bindings/child-vms.md`: SMC64 fast
 * calls of the vendor-specific hypervisor service, function IDs
 * ::HYP_CHILDVM_FID_VERSION to ::HYP_CHILDVM_FID_UNSHARE, with which a VM
 * that has the `"create-vms"` capability creates a child from a
 * configuration blob and an image in its own memory, invokes it on its own
 * CPU, and destroys it. The memory the child runs in moves through the
 * memory-ownership component (owner.h).
 *
 * The numbers of the interface are in hyp/abi/childvm.h, which guest
 * programs include alone. This header adds hyp_childvm_config_parse() for the child's
 * configuration (a DTB with one `libhyp,vm` node, the static binding restricted to what a
 * child can have), hyp_childvm_measure() for the launch measurement, and
 * hyp_childvm_abi_error() for turning library errors into the ABI's codes.
 * All of it is logic, for host and target alike; none of it allocates.
 */
#ifndef HYP_CHILDVM_H
#define HYP_CHILDVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hyp/abi/childvm.h>
#include <hyp/owner.h>
#include <hyp/page_pool.h>
#include <hyp/sha256.h>
#include <hyp/spinlock.h>
#include <hyp/vm.h>
#include <hyp/vmconfig.h>

/** Room for a refusal line of hyp_childvm_config_parse(), with its NUL. */
#define HYP_CHILDVM_ERRLEN 160

/** A child's configuration, as read by hyp_childvm_config_parse(). */
struct hyp_childvm_config {
    char name[HYP_VMCONFIG_NAME_LEN]; /**< Its `label`: its console tag. */
    uint64_t memory;                  /**< `memory` in bytes. */
    bool console;                     /**< `vpl011`. */
    unsigned caps;                    /**< Only ::HYP_VMCONFIG_CAP_CREATE_VMS. */
    unsigned max_child_vms;           /**< `max-child-vms` (0 without the cap). */
    uint64_t max_child_memory;        /**< `max-child-memory` (0 without the cap). */
    unsigned max_child_depth; /**< `max-child-depth` (1 if absent; 0 without the cap). */
};

/**
 * @brief Read and check a child's configuration blob.
 *
 * The blob must be a whole, well-formed DTB (header, structure, strings,
 * no duplicate property) of at most ::HYP_CHILDVM_CONFIG_MAX bytes that
 * fits in @p size, whose root has only `#address-cells`, `#size-cells`,
 * `compatible` and `model` and exactly one child node, `vm` or `vm@<id>`,
 * with the properties of `docs/bindings/child-vms.md`. The blob is only
 * read, never trusted beyond @p size.
 *
 * @param blob Where the blob is (any alignment is fine on the host; the
 *             target reads it 8-byte aligned).
 * @param size Bytes readable at @p blob.
 * @param cfg  Filled on success (zeroed first).
 * @param err  If not NULL, receives one refusal line
 *             (::HYP_CHILDVM_ERRLEN bytes), e.g. `vm: cpus: not for a child
 *             VM (it runs on its parent's CPU)`; "" on success.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL @p blob or @p cfg;
 *         ::HYP_EFORMAT for a refused blob.
 */
int hyp_childvm_config_parse(const void *blob, size_t size,
                             struct hyp_childvm_config *cfg, char *err);

/**
 * @brief The launch measurement of a child: SHA-256 over
 *        ::HYP_CHILDVM_MEASURE_TAG (with its NUL), the configuration's size
 *        (8 bytes, little endian), the configuration, the image's size
 *        (likewise) and the image.
 * @param config      The configuration blob.
 * @param config_size Its size.
 * @param image       The image.
 * @param image_size  Its size.
 * @param digest      Out: the digest.
 */
void hyp_childvm_measure(const void *config, size_t config_size, const void *image,
                         size_t image_size, uint8_t digest[HYP_SHA256_SIZE]);

/**
 * @brief Pack a digest into the four result registers of
 *        ::HYP_CHILDVM_FID_MEASURE: regs[i] holds bytes 8i..8i+7, the first
 *        in the most significant position.
 * @param digest The digest.
 * @param regs   Out: x1..x4.
 */
void hyp_childvm_digest_regs(const uint8_t digest[HYP_SHA256_SIZE], uint64_t regs[4]);

/**
 * @brief The ABI's status code for a library error.
 *
 * ::HYP_OK gives ::HYP_CHILDVM_SUCCESS; ::HYP_EINVAL, ::HYP_EALIGN,
 * ::HYP_ERANGE and ::HYP_EEXIST give ::HYP_CHILDVM_INVALID; ::HYP_EPERM
 * ::HYP_CHILDVM_DENIED; ::HYP_ENOMEM ::HYP_CHILDVM_NO_MEMORY;
 * ::HYP_EFORMAT ::HYP_CHILDVM_BAD_CONFIG; ::HYP_EBUSY
 * ::HYP_CHILDVM_BUSY; ::HYP_ENOENT ::HYP_CHILDVM_NO_CHILD; anything else
 * ::HYP_CHILDVM_NOT_SUPPORTED.
 * @param err A ::hyp_err value.
 * @return A ::hyp_childvm_status value.
 */
int hyp_childvm_abi_error(int err);

/* ---- The children of a machine ------------------------------------------ */

/** Most child VMs alive at once, in the whole machine. */
#define HYP_CHILDVM_MAX        8
/** Handle, VMID and ownership number of the first child slot. */
#define HYP_CHILDVM_FIRST_ID   16
/** Most ranges a parent shares with one child at once. */
#define HYP_CHILDVM_MAX_SHARES 4

/** One range a parent shares with a child. Private. */
struct hyp_childvm_share {
    uint64_t pa;       /**< @private Physical start; 0: slot free. */
    uint64_t size;     /**< @private Bytes. */
    uint64_t ipa;      /**< @private Where the caller sees it. */
    uint64_t peer_ipa; /**< @private Where the child sees it. */
};

/** A child VM. Fields are read-only outside libhyp. */
struct hyp_childvm {
    bool live;                       /**< The slot holds a child. */
    unsigned id;                     /**< Its handle, VMID and ownership number. */
    unsigned parent;                 /**< Its creator's ownership number. */
    unsigned depth_left;             /**< Generations it may still create (0: none). */
    enum hyp_childvm_state state;    /**< Its state. */
    struct hyp_childvm_config cfg;   /**< Its configuration. */
    uint64_t pa;                     /**< Physical start of its memory. */
    uint64_t size;                   /**< Its memory in bytes. */
    uint64_t parent_ipa;             /**< Where its parent had that memory. */
    uint64_t image_size;             /**< Image bytes copied to its memory's start. */
    uint8_t digest[HYP_SHA256_SIZE]; /**< Its launch measurement. */
    struct hyp_vm vm;     /**< Its VM: stage 2 (memory at ::HYP_CHILDVM_RAM_IPA). */
    struct hyp_vcpu vcpu; /**< Its one vCPU (boot_entry, boot_context set). */
    unsigned vcpu_pcpu;   /**< Its vCPU's physical CPU (the invoker's). */
    struct hyp_childvm_share shares[HYP_CHILDVM_MAX_SHARES]; /**< Shared by its parent. */
    uint64_t results[3]; /**< x1..x3 of its last CHILD_RETURN / CHILD_YIELD. */
};

/** What one VM may still do as a creator. Private. */
struct hyp_childvm_creator {
    struct hyp_vm *vm;   /**< @private Its VM (IPA to PA), NULL: not registered. */
    unsigned max_vms;    /**< @private `max-child-vms`; 0: may not create. */
    uint64_t max_memory; /**< @private `max-child-memory`. */
    unsigned depth_left; /**< @private Generations it may create below it. */
    unsigned count;      /**< @private Children alive. */
    uint64_t memory;     /**< @private Memory they hold. */
    bool signed_only;    /**< @private Images must be signed with @ref key. */
    uint8_t key[HYP_VMCONFIG_KEY_SIZE]; /**< @private Its `public-key`. */
};

/** The child VMs of a machine and the limits of their creators. */
struct hyp_childvm_table {
    struct hyp_spinlock lock;   /**< Serialises every call. */
    struct hyp_owner *own;      /**< The memory-ownership state. */
    struct hyp_page_pool *pool; /**< Pages for the children's stage-2 tables. */
    unsigned ipa_bits;          /**< Their IPA size. */
    unsigned pa_bits;           /**< The machine's PA size. */
    struct hyp_childvm_creator creators[HYP_OWNER_MAX_VMS]; /**< By ownership number. */
    struct hyp_childvm children[HYP_CHILDVM_MAX];           /**< The slots. */
    uint8_t config[HYP_CHILDVM_CONFIG_MAX]; /**< Copy of the blob being parsed. */
    uint64_t console_base; /**< Where a child with `vpl011` sees its PL011 (its DTB
                                says so); 0: nowhere. */
    /** Called by hyp_childvm_create() for each new child before anybody can
     *  reach it (e.g. to give it its console); NULL for none. */
    void (*on_create)(struct hyp_childvm *ch, void *arg);
    void *on_create_arg; /**< Passed to @ref on_create. */
};

/**
 * @brief Start with no VM and no child.
 * @param t        The table (large: static storage).
 * @param own      The memory-ownership state (hyp_owner_init() done).
 * @param pool     Pages for the children's stage-2 tables.
 * @param ipa_bits Children's IPA size (e.g. 40).
 * @param pa_bits  The machine's physical address size.
 * @return ::HYP_OK; ::HYP_EINVAL for NULL.
 */
int hyp_childvm_table_init(struct hyp_childvm_table *t, struct hyp_owner *own,
                           struct hyp_page_pool *pool, unsigned ipa_bits,
                           unsigned pa_bits);

/**
 * @brief Register a VM of the static configuration.
 *
 * It becomes ownership number @p id (its VMID, below
 * ::HYP_CHILDVM_FIRST_ID) with its stage 2. With `"create-vms"`, its RAM
 * (one range, hyp_vm::ram[0]) becomes a tracked region assigned to it
 * (@p pages: one record per 4 KiB of it), and its limits are its
 * `max-child-vms`, `max-child-memory` and `max-child-depth`, and with a
 * `public-key` it may create children only from images signed with it
 * (and so may its children, their children, ...).
 * @param t     The table.
 * @param id    Its VMID, 1 to ::HYP_CHILDVM_FIRST_ID - 1.
 * @param vm    The VM, built (its RAM mapped).
 * @param cfg   Its description.
 * @param pages Records for its RAM (NULL without "create-vms").
 * @param page_count Entries in @p pages.
 * @return ::HYP_OK; ::HYP_EINVAL for bad arguments; errors of
 *         hyp_owner_vm_add(), hyp_owner_add_region(), hyp_owner_assign().
 */
int hyp_childvm_add_vm(struct hyp_childvm_table *t, unsigned id, struct hyp_vm *vm,
                       const struct hyp_vmconfig_vm *cfg, struct hyp_owner_page *pages,
                       size_t page_count);

/**
 * @brief `CHILD_CREATE` for VM @p caller (docs/bindings/child-vms.md).
 *
 * Checks the ranges, copies and parses the configuration, checks the
 * limits, builds the child's stage 2, donates the memory (it leaves the
 * caller's stage 2 first), copies the image into it, measures the copies,
 * checks the signature when the caller has a key (the last
 * ::HYP_CHILDVM_SIG_SIZE bytes of the image, over the measurement; the
 * memory goes back to the caller, zeroed, if it is missing or bad),
 * writes the child's DTB in the last ::HYP_CHILDVM_DTB_SIZE bytes of its
 * memory (its memory, `/chosen`, and with `vpl011` an `arm,pl011` at
 * hyp_childvm_table::console_base) and leaves the child
 * ::HYP_CHILDVM_CREATED with its vCPU's entry at ::HYP_CHILDVM_RAM_IPA and
 * x0 = its DTB's address. On failure the caller is as it was.
 * @param t        The table.
 * @param caller   The calling VM's ownership number.
 * @param cfg_ipa  The blob, in the caller's memory.
 * @param cfg_size Its size.
 * @param img_ipa  The image, in the caller's memory.
 * @param img_size Its size (with the signature, for a caller with a key).
 * @param mem_ipa  The memory to donate.
 * @param mem_size Its size.
 * @param handle   Out: the child's handle.
 * @param err      If not NULL, a refusal line of the configuration
 *                 (::HYP_CHILDVM_ERRLEN bytes).
 * @return A ::hyp_childvm_status code.
 */
int hyp_childvm_create(struct hyp_childvm_table *t, unsigned caller, uint64_t cfg_ipa,
                       uint64_t cfg_size, uint64_t img_ipa, uint64_t img_size,
                       uint64_t mem_ipa, uint64_t mem_size, unsigned *handle, char *err);

/**
 * @brief `CHILD_DESTROY`: the child, its descendants first, and their
 *        memory back to each one's parent, zeroed.
 * @param t      The table.
 * @param caller The calling VM.
 * @param handle The child.
 * @return ::HYP_CHILDVM_SUCCESS, ::HYP_CHILDVM_NO_CHILD or
 *         ::HYP_CHILDVM_BUSY (it or a descendant is running; nothing
 *         changed), or the code of a failed reclaim (see hyp_owner_reclaim()).
 */
int hyp_childvm_destroy(struct hyp_childvm_table *t, unsigned caller, unsigned handle);

/**
 * @brief A child of @p caller, for `CHILD_QUERY`, `CHILD_MEASURE` and `CHILD_INVOKE`.
 * @param t      The table.
 * @param caller The calling VM.
 * @param handle The handle it passed.
 * @return The child, or NULL if @p handle names no child of @p caller.
 */
struct hyp_childvm *hyp_childvm_find(struct hyp_childvm_table *t, unsigned caller,
                                     unsigned handle);

/**
 * @brief Number of live children of a VM.
 * @param t  The table.
 * @param vm An ownership number.
 * @return The count.
 */
unsigned hyp_childvm_count(const struct hyp_childvm_table *t, unsigned vm);

/**
 * @brief `CHILD_SHARE`: pages of the caller, seen by its child too.
 * @param t         The table.
 * @param caller    The calling VM.
 * @param handle    Its child.
 * @param ipa       The pages, in the caller's memory.
 * @param size      Bytes.
 * @param child_ipa Where the child sees them: outside its memory.
 * @param writable  The child may write them.
 * @return A ::hyp_childvm_status code.
 */
int hyp_childvm_share(struct hyp_childvm_table *t, unsigned caller, unsigned handle,
                      uint64_t ipa, uint64_t size, uint64_t child_ipa, bool writable);

/**
 * @brief `CHILD_UNSHARE`: end a share made with hyp_childvm_share().
 * @param t      The table.
 * @param caller The calling VM.
 * @param handle Its child.
 * @param ipa    The first address passed to the share.
 * @param size   Its size.
 * @return A ::hyp_childvm_status code (::HYP_CHILDVM_INVALID if no share
 *         of the child matches).
 */
int hyp_childvm_unshare(struct hyp_childvm_table *t, unsigned caller, unsigned handle,
                        uint64_t ipa, uint64_t size);

struct hyp_vmbuild;

/**
 * @brief Serve the child-VM hypercalls for VMs built with vmbuild.h.
 *
 * Starts @p own and @p t, registers every VM of @p vms in them (those
 * with `"create-vms"` get their RAM tracked, with records taken from
 * @p pages, and mapped at EL2 for copying and zeroing), and registers an
 * SMCCC service for the vendor-specific hypervisor owner that serves
 * ::HYP_CHILDVM_FID_VERSION to ::HYP_CHILDVM_FID_LAST and passes every
 * other call of that owner to hyp_vmbuild_doorbell(). CHILD_INVOKE runs
 * the child on the calling CPU's VM stack (vmstack.h) until it returns,
 * yields, aborts, overruns its budget (2 s) or an interrupt for the caller
 * arrives. Call once, after the VMs are built and before they run.
 * Target only.
 * @param t          The table (static storage).
 * @param own        The ownership state (static storage).
 * @param vms        The VMs built.
 * @param count      Entries in @p vms.
 * @param pool       Pages for the children's stage-2 tables.
 * @param pages      Ownership records for the RAM of the VMs that may create;
 *                   NULL to take them from @p pool instead, one block of
 *                   (a power of two of) pages per such VM, at most
 *                   ::HYP_PAGE_POOL_MAX_CONTIG pages (4 bytes per 4 KiB of its
 *                   RAM).
 * @param page_count Entries in @p pages (one per 4 KiB of that RAM).
 * @return ::HYP_OK; ::HYP_ENOMEM when @p pages is too short; errors of
 *         hyp_childvm_add_vm(), hyp_el2_map() or hyp_smccc_register().
 */
int hyp_childvm_service_start(struct hyp_childvm_table *t, struct hyp_owner *own,
                              struct hyp_vmbuild *vms, unsigned count,
                              struct hyp_page_pool *pool, struct hyp_owner_page *pages,
                              size_t page_count);

#endif /* HYP_CHILDVM_H */
