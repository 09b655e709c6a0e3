/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The child VMs of a machine (include/hyp/childvm.h): creation from a
 * parent's configuration, image and memory, destruction, sharing. Every
 * page moves through the memory-ownership component (owner.h); this file
 * decides who may ask, and within which limits.
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include <hyp/childvm.h>
#include <hyp/ed25519.h>
#include <hyp/error.h>

#define PAGE 4096ull

static bool aligned(uint64_t v)
{
    return (v & (PAGE - 1)) == 0;
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

int hyp_childvm_table_init(struct hyp_childvm_table *t, struct hyp_owner *own,
                           struct hyp_page_pool *pool, unsigned ipa_bits,
                           unsigned pa_bits)
{
    if (t == NULL || own == NULL || pool == NULL)
        return HYP_EINVAL;
    memset(t, 0, sizeof(*t));
    t->own = own;
    t->pool = pool;
    t->ipa_bits = ipa_bits;
    t->pa_bits = pa_bits;
    return HYP_OK;
}

int hyp_childvm_add_vm(struct hyp_childvm_table *t, unsigned id, struct hyp_vm *vm,
                       const struct hyp_vmconfig_vm *cfg, struct hyp_owner_page *pages,
                       size_t page_count)
{
    struct hyp_childvm_creator *c;
    const struct hyp_vm_ram *ram;
    int rc;

    if (t == NULL || vm == NULL || cfg == NULL || id == 0 || id >= HYP_CHILDVM_FIRST_ID)
        return HYP_EINVAL;
    rc = hyp_owner_vm_add(t->own, id, HYP_OWNER_HYP, &vm->s2);
    if (rc != HYP_OK)
        return rc;
    c = &t->creators[id];
    c->vm = vm;
    if (!(cfg->caps & HYP_VMCONFIG_CAP_CREATE_VMS))
        return HYP_OK;
    if (vm->ram_count == 0) /* its RAM first; shared regions follow */
        return HYP_EINVAL;
    ram = &vm->ram[0];
    rc = hyp_owner_add_region(t->own, ram->pa, ram->size, pages, page_count);
    if (rc == HYP_OK)
        rc = hyp_owner_assign(t->own, ram->pa, ram->size, id);
    if (rc != HYP_OK)
        return rc;
    c->max_vms = cfg->max_child_vms;
    c->max_memory = cfg->max_child_memory;
    c->depth_left = cfg->max_child_depth;
    c->signed_only = cfg->signed_children;
    memcpy(c->key, cfg->public_key, sizeof(c->key));
    return HYP_OK;
}

struct hyp_childvm *hyp_childvm_find(struct hyp_childvm_table *t, unsigned caller,
                                     unsigned handle)
{
    if (t == NULL || handle < HYP_CHILDVM_FIRST_ID ||
        handle >= HYP_CHILDVM_FIRST_ID + HYP_CHILDVM_MAX)
        return NULL;
    struct hyp_childvm *ch = &t->children[handle - HYP_CHILDVM_FIRST_ID];

    return ch->live && ch->parent == caller ? ch : NULL;
}

unsigned hyp_childvm_count(const struct hyp_childvm_table *t, unsigned vm)
{
    unsigned n = 0;

    for (unsigned i = 0; i < HYP_CHILDVM_MAX; i++)
        n += t->children[i].live && t->children[i].parent == vm;
    return n;
}

/* `vm` is a child, grandchild, ... of `anc`. */
static bool descends(const struct hyp_childvm_table *t, unsigned vm, unsigned anc)
{
    for (unsigned n = 0; n < HYP_OWNER_MAX_VMS; n++) {
        int parent = hyp_owner_vm_parent(t->own, vm);

        if (parent <= 0)
            return false;
        if ((unsigned)parent == anc)
            return true;
        vm = (unsigned)parent;
    }
    return false;
}

/* Physical address of the caller's `[ipa, ipa + size)`, if it is RAM the
 * caller holds, page by page (not donated away, not device memory). */
static int caller_range(struct hyp_childvm_table *t, unsigned caller, uint64_t ipa,
                        uint64_t size, uint64_t *pa)
{
    const struct hyp_vm *vm = t->creators[caller].vm;
    uint64_t first, end;

    if (size == 0 || ipa + size < ipa || !hyp_vm_ram_to_pa(vm, ipa, size, pa))
        return HYP_CHILDVM_INVALID;
    first = *pa & ~(PAGE - 1);
    end = *pa + size;
    for (uint64_t p = first; p < end; p += PAGE) {
        struct hyp_owner_info info;

        if (hyp_owner_query(t->own, p, &info) != HYP_OK)
            return HYP_CHILDVM_INVALID;
        if (info.holder != caller)
            return descends(t, info.holder, caller) ? HYP_CHILDVM_BUSY
                                                    : HYP_CHILDVM_DENIED;
    }
    return HYP_CHILDVM_SUCCESS;
}

/* The checks of CHILD_CREATE that change nothing; the configuration is
 * copied to t->config and parsed into ch->cfg. *body: the image without its
 * signature. */
static int create_checks(struct hyp_childvm_table *t, unsigned caller, uint64_t cfg_ipa,
                         uint64_t cfg_size, uint64_t img_ipa, uint64_t img_size,
                         uint64_t mem_ipa, uint64_t mem_size, struct hyp_childvm *ch,
                         uint64_t pa[3], uint64_t *body, char *err)
{
    const struct hyp_childvm_creator *c = &t->creators[caller];
    int rc;

    if (cfg_size > HYP_CHILDVM_CONFIG_MAX || !aligned(mem_ipa) || !aligned(mem_size))
        return HYP_CHILDVM_INVALID;
    rc = caller_range(t, caller, cfg_ipa, cfg_size, &pa[0]);
    if (rc == HYP_CHILDVM_SUCCESS)
        rc = caller_range(t, caller, img_ipa, img_size, &pa[1]);
    if (rc == HYP_CHILDVM_SUCCESS)
        rc = caller_range(t, caller, mem_ipa, mem_size, &pa[2]);
    if (rc != HYP_CHILDVM_SUCCESS)
        return rc;
    if (overlap(cfg_ipa, cfg_size, mem_ipa, mem_size) ||
        overlap(img_ipa, img_size, mem_ipa, mem_size))
        return HYP_CHILDVM_INVALID;
    memcpy(t->config, (const void *)(uintptr_t)pa[0], (size_t)cfg_size);
    if (hyp_childvm_config_parse(t->config, (size_t)cfg_size, &ch->cfg, err) != HYP_OK)
        return HYP_CHILDVM_BAD_CONFIG;
    if (ch->cfg.memory != mem_size)
        return HYP_CHILDVM_INVALID;
    if (c->count >= c->max_vms || mem_size > c->max_memory - c->memory)
        return HYP_CHILDVM_NO_MEMORY;
    /* A child may create children only while its family is not too deep. */
    if (ch->cfg.caps && c->depth_left <= 1)
        return HYP_CHILDVM_DENIED;
    *body = img_size;
    if (c->signed_only) {
        if (img_size <= HYP_CHILDVM_SIG_SIZE)
            return HYP_CHILDVM_BAD_SIGNATURE; /* no room for image and signature */
        *body = img_size - HYP_CHILDVM_SIG_SIZE;
    }
    if (*body >
        mem_size - (mem_size > HYP_CHILDVM_DTB_SIZE ? HYP_CHILDVM_DTB_SIZE : mem_size))
        return HYP_CHILDVM_BAD_IMAGE;
    return HYP_CHILDVM_SUCCESS;
}

/* The child's DTB, at the end of its memory (@dtb, HYP_CHILDVM_DTB_SIZE
 * bytes): what it has, and nothing of its parent's. */
static int write_dtb(const struct hyp_childvm_table *t, const struct hyp_childvm *ch,
                     void *dtb)
{
    int root = 0, node, rc;
    char name[32];

    rc = fdt_create_empty_tree(dtb, HYP_CHILDVM_DTB_SIZE);
    rc = rc ? rc : fdt_setprop_u32(dtb, root, "#address-cells", 2);
    rc = rc ? rc : fdt_setprop_u32(dtb, root, "#size-cells", 2);
    rc = rc ? rc : fdt_setprop_string(dtb, root, "compatible", "libhyp,child-vm");
    rc = rc ? rc : fdt_setprop_string(dtb, root, "model", ch->cfg.name);
    node = rc ? rc : fdt_add_subnode(dtb, root, "chosen");
    if (node < 0)
        return node;
    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)HYP_CHILDVM_RAM_IPA);
    node = fdt_add_subnode(dtb, root, name);
    rc = node < 0 ? node : fdt_setprop_string(dtb, node, "device_type", "memory");
    rc = rc ? rc : fdt_appendprop_u64(dtb, node, "reg", HYP_CHILDVM_RAM_IPA);
    rc = rc ? rc : fdt_appendprop_u64(dtb, node, "reg", ch->size);
    if (rc != 0 || !ch->cfg.console || t->console_base == 0)
        return rc;
    snprintf(name, sizeof(name), "pl011@%llx", (unsigned long long)t->console_base);
    node = fdt_add_subnode(dtb, root, name);
    rc = node < 0 ? node
                  : fdt_setprop(dtb, node, "compatible", "arm,pl011\0arm,primecell",
                                sizeof("arm,pl011\0arm,primecell"));
    rc = rc ? rc : fdt_appendprop_u64(dtb, node, "reg", t->console_base);
    rc = rc ? rc : fdt_appendprop_u64(dtb, node, "reg", 0x1000);
    if (rc == 0 && (node = fdt_path_offset(dtb, "/chosen")) >= 0)
        rc = fdt_setprop_string(dtb, node, "stdout-path", name);
    return rc;
}

int hyp_childvm_create(struct hyp_childvm_table *t, unsigned caller, uint64_t cfg_ipa,
                       uint64_t cfg_size, uint64_t img_ipa, uint64_t img_size,
                       uint64_t mem_ipa, uint64_t mem_size, unsigned *handle, char *err)
{
    struct hyp_childvm *ch = NULL;
    struct hyp_childvm_creator *c;
    struct hyp_vm_config vc;
    uint64_t pa[3], body = 0;
    uint8_t sig[HYP_CHILDVM_SIG_SIZE];
    bool bad_sig = false;
    int rc;

    if (err != NULL)
        err[0] = '\0';
    if (t == NULL || handle == NULL || caller >= HYP_OWNER_MAX_VMS)
        return HYP_CHILDVM_INVALID;
    hyp_spin_lock(&t->lock);
    c = &t->creators[caller];
    if (c->vm == NULL || c->max_vms == 0) {
        hyp_spin_unlock(&t->lock);
        return HYP_CHILDVM_NOT_SUPPORTED;
    }
    for (unsigned i = 0; i < HYP_CHILDVM_MAX && ch == NULL; i++)
        if (!t->children[i].live)
            ch = &t->children[i];
    if (ch == NULL) {
        hyp_spin_unlock(&t->lock);
        return HYP_CHILDVM_NO_MEMORY;
    }
    memset(ch, 0, sizeof(*ch));
    ch->id = HYP_CHILDVM_FIRST_ID + (unsigned)(ch - t->children);
    rc = create_checks(t, caller, cfg_ipa, cfg_size, img_ipa, img_size, mem_ipa, mem_size,
                       ch, pa, &body, err);
    vc = (struct hyp_vm_config){
        .vmid = (uint16_t)ch->id,
        .ipa_bits = t->ipa_bits,
        .pa_bits = t->pa_bits,
        .vcpus = &ch->vcpu,
        .vcpu_count = 1,
        .vcpu_pcpu = &ch->vcpu_pcpu,
        .pool = t->pool,
    };
    if (rc == HYP_CHILDVM_SUCCESS)
        rc = hyp_childvm_abi_error(hyp_vm_init(&ch->vm, &vc));
    if (rc == HYP_CHILDVM_SUCCESS) {
        rc = hyp_childvm_abi_error(hyp_owner_vm_add(t->own, ch->id, caller, &ch->vm.s2));
        if (rc != HYP_CHILDVM_SUCCESS)
            hyp_pgtable_destroy(&ch->vm.s2);
    }
    if (rc == HYP_CHILDVM_SUCCESS) {
        rc = hyp_childvm_abi_error(hyp_owner_donate(
            t->own, caller, pa[2], mem_size, mem_ipa, ch->id, HYP_CHILDVM_RAM_IPA));
        if (rc != HYP_CHILDVM_SUCCESS) {
            (void)hyp_owner_vm_remove(t->own, ch->id);
            hyp_pgtable_destroy(&ch->vm.s2);
        }
    }
    if (rc != HYP_CHILDVM_SUCCESS) {
        memset(ch, 0, sizeof(*ch));
        hyp_spin_unlock(&t->lock);
        return rc;
    }
    /* The memory is the child's now: nobody else can change what is
     * copied into it and measured. */
    memcpy((void *)(uintptr_t)pa[2], (const void *)(uintptr_t)pa[1], (size_t)body);
    hyp_childvm_measure(t->config, (size_t)cfg_size, (const void *)(uintptr_t)pa[2],
                        (size_t)body, ch->digest);
    /* The signature is checked over the measurement of the copies, from a
     * copy of its own: what the caller changes now is not looked at. */
    if (c->signed_only) {
        memcpy(sig, (const void *)(uintptr_t)(pa[1] + body), sizeof(sig));
        bad_sig = !hyp_ed25519_verify(sig, ch->digest, sizeof(ch->digest), c->key);
    }
    if (bad_sig && hyp_owner_reclaim(t->own, caller, pa[2], mem_size, HYP_CHILDVM_RAM_IPA,
                                     mem_ipa) == HYP_OK) {
        (void)hyp_owner_vm_remove(t->own, ch->id);
        hyp_pgtable_destroy(&ch->vm.s2);
        memset(ch, 0, sizeof(*ch));
        hyp_spin_unlock(&t->lock);
        return HYP_CHILDVM_BAD_SIGNATURE;
    }
    ch->vm.ram[0] =
        (struct hyp_vm_ram){.ipa = HYP_CHILDVM_RAM_IPA, .pa = pa[2], .size = mem_size};
    ch->vm.ram_count = 1;
    ch->vcpu.boot_entry = HYP_CHILDVM_RAM_IPA;
    ch->vcpu.boot_context = HYP_CHILDVM_RAM_IPA + mem_size - HYP_CHILDVM_DTB_SIZE;
    ch->parent = caller;
    ch->pa = pa[2];
    ch->size = mem_size;
    /* Fits by construction: a few hundred bytes in 64 KiB. */
    (void)write_dtb(t, ch, (void *)(uintptr_t)(pa[2] + mem_size - HYP_CHILDVM_DTB_SIZE));
    ch->parent_ipa = mem_ipa;
    ch->image_size = body;
    /* A bad signature whose memory could not be given back at once: a dead
     * child holds it until the caller destroys it (handle in *handle). */
    ch->state = bad_sig ? HYP_CHILDVM_STATE_FAULTED : HYP_CHILDVM_CREATED;
    if (t->on_create != NULL)
        t->on_create(ch, t->on_create_arg);
    ch->live = true;
    c->count++;
    c->memory += mem_size;
    /* As a creator: within its configuration and one generation less. */
    t->creators[ch->id] = (struct hyp_childvm_creator){.vm = &ch->vm};
    t->creators[ch->id].signed_only = c->signed_only;
    memcpy(t->creators[ch->id].key, c->key, sizeof(c->key));
    if (ch->cfg.caps) {
        t->creators[ch->id].max_vms = ch->cfg.max_child_vms;
        t->creators[ch->id].max_memory = ch->cfg.max_child_memory;
        t->creators[ch->id].depth_left = ch->cfg.max_child_depth < c->depth_left - 1
                                             ? ch->cfg.max_child_depth
                                             : c->depth_left - 1;
    }
    *handle = ch->id;
    hyp_spin_unlock(&t->lock);
    return bad_sig ? HYP_CHILDVM_BAD_SIGNATURE : HYP_CHILDVM_SUCCESS;
}

/* Children of `vm`, deepest first, appended to `out` (descendants of each
 * child before it). */
static void collect(struct hyp_childvm_table *t, unsigned vm, struct hyp_childvm **out,
                    unsigned *n)
{
    for (unsigned i = 0; i < HYP_CHILDVM_MAX; i++) {
        struct hyp_childvm *ch = &t->children[i];

        if (ch->live && ch->parent == vm) {
            collect(t, ch->id, out, n);
            out[(*n)++] = ch;
        }
    }
}

/* Take one child's memory back and forget it; its children are gone. */
static int teardown(struct hyp_childvm_table *t, struct hyp_childvm *ch)
{
    struct hyp_childvm_creator *c = &t->creators[ch->parent];
    int rc;

    for (unsigned s = 0; s < HYP_CHILDVM_MAX_SHARES; s++) {
        struct hyp_childvm_share *sh = &ch->shares[s];

        if (sh->size != 0 && hyp_owner_unshare(t->own, ch->parent, sh->pa, sh->size,
                                               sh->peer_ipa) == HYP_OK)
            sh->size = 0;
    }
    rc = hyp_owner_reclaim(t->own, ch->parent, ch->pa, ch->size, HYP_CHILDVM_RAM_IPA,
                           ch->parent_ipa);
    if (rc == HYP_OK)
        rc = hyp_owner_vm_remove(t->own, ch->id);
    if (rc != HYP_OK)
        return hyp_childvm_abi_error(rc);
    hyp_pgtable_destroy(&ch->vm.s2);
    c->count--;
    c->memory -= ch->size;
    memset(&t->creators[ch->id], 0, sizeof(t->creators[ch->id]));
    memset(ch, 0, sizeof(*ch));
    return HYP_CHILDVM_SUCCESS;
}

int hyp_childvm_destroy(struct hyp_childvm_table *t, unsigned caller, unsigned handle)
{
    struct hyp_childvm *doomed[HYP_CHILDVM_MAX];
    struct hyp_childvm *ch;
    unsigned n = 0;
    int rc = HYP_CHILDVM_SUCCESS;

    if (t == NULL)
        return HYP_CHILDVM_INVALID;
    hyp_spin_lock(&t->lock);
    ch = hyp_childvm_find(t, caller, handle);
    if (ch == NULL) {
        hyp_spin_unlock(&t->lock);
        return HYP_CHILDVM_NO_CHILD;
    }
    collect(t, ch->id, doomed, &n);
    doomed[n++] = ch;
    for (unsigned i = 0; i < n; i++)
        if (doomed[i]->state == HYP_CHILDVM_RUNNING)
            rc = HYP_CHILDVM_BUSY;
    for (unsigned i = 0; i < n && rc == HYP_CHILDVM_SUCCESS; i++)
        rc = teardown(t, doomed[i]);
    hyp_spin_unlock(&t->lock);
    return rc;
}

/* The child of @caller named @handle, with the lock taken (*@rc:
 * HYP_CHILDVM_NO_CHILD and NULL when there is none), and its share slot
 * for [@ipa, +@size) (@size 0: a free one) in *@slot, or NULL. */
static struct hyp_childvm *lock_child(struct hyp_childvm_table *t, unsigned caller,
                                      unsigned handle, uint64_t ipa, uint64_t size,
                                      struct hyp_childvm_share **slot, int *rc)
{
    struct hyp_childvm *ch;

    hyp_spin_lock(&t->lock);
    ch = hyp_childvm_find(t, caller, handle);
    *rc = ch ? HYP_CHILDVM_SUCCESS : HYP_CHILDVM_NO_CHILD;
    *slot = NULL;
    for (unsigned s = 0; ch && s < HYP_CHILDVM_MAX_SHARES && *slot == NULL; s++)
        if (ch->shares[s].size == size && (size == 0 || ch->shares[s].ipa == ipa))
            *slot = &ch->shares[s];
    return ch;
}

int hyp_childvm_share(struct hyp_childvm_table *t, unsigned caller, unsigned handle,
                      uint64_t ipa, uint64_t size, uint64_t child_ipa, bool writable)
{
    struct hyp_childvm_share *slot;
    struct hyp_childvm *ch;
    uint64_t pa;
    int rc;

    if (t == NULL)
        return HYP_CHILDVM_INVALID;
    ch = lock_child(t, caller, handle, 0, 0, &slot, &rc);
    if (rc == HYP_CHILDVM_SUCCESS && slot == NULL)
        rc = HYP_CHILDVM_NO_MEMORY;
    if (rc == HYP_CHILDVM_SUCCESS &&
        (!aligned(ipa) || !aligned(size) || !aligned(child_ipa) || size == 0 ||
         child_ipa + size < child_ipa ||
         overlap(child_ipa, size, HYP_CHILDVM_RAM_IPA, ch->size)))
        rc = HYP_CHILDVM_INVALID;
    if (rc == HYP_CHILDVM_SUCCESS)
        rc = caller_range(t, caller, ipa, size, &pa);
    if (rc == HYP_CHILDVM_SUCCESS)
        rc = hyp_childvm_abi_error(hyp_owner_share(t->own, caller, pa, size, ch->id,
                                                   child_ipa,
                                                   writable ? HYP_PROT_RW : HYP_PROT_R));
    /* A child address already mapped comes back as EFORMAT from the owner. */
    if (rc == HYP_CHILDVM_BAD_CONFIG)
        rc = HYP_CHILDVM_INVALID;
    if (rc == HYP_CHILDVM_SUCCESS)
        *slot = (struct hyp_childvm_share){
            .pa = pa, .size = size, .ipa = ipa, .peer_ipa = child_ipa};
    hyp_spin_unlock(&t->lock);
    return rc;
}

int hyp_childvm_unshare(struct hyp_childvm_table *t, unsigned caller, unsigned handle,
                        uint64_t ipa, uint64_t size)
{
    struct hyp_childvm_share *slot;
    int rc;

    if (t == NULL)
        return HYP_CHILDVM_INVALID;
    (void)lock_child(t, caller, handle, ipa, size, &slot, &rc);
    if (rc == HYP_CHILDVM_SUCCESS && (slot == NULL || size == 0))
        rc = HYP_CHILDVM_INVALID;
    if (rc == HYP_CHILDVM_SUCCESS)
        rc = hyp_childvm_abi_error(
            hyp_owner_unshare(t->own, caller, slot->pa, slot->size, slot->peer_ipa));
    if (rc == HYP_CHILDVM_SUCCESS)
        memset(slot, 0, sizeof(*slot));
    hyp_spin_unlock(&t->lock);
    return rc;
}
