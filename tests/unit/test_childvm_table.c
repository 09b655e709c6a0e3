/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the child-VM table (libhyp/vm/childvm_table.c): create,
 * destroy, share and the creator's limits, with real stage-2 tables over
 * the recording fake arch and host memory as "physical" memory. Each call
 * is made as the hypercall service makes it, with the caller's guest
 * addresses, and its status is the one the ABI returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include <hyp/childvm.h>
#include <hyp/ed25519.h>
#include <hyp/error.h>

#include "fake_arch.h"

#define MiB     ((uint64_t)1 << 20)
#define KiB     ((uint64_t)1 << 10)
#define RAM_IPA ((uint64_t)0x40000000)
#define RAM     (8 * MiB)

/* A static VM: its RAM (host memory), stage 2, vCPU. */
struct svm {
    uint8_t *ram;
    struct hyp_vm vm;
    struct hyp_vcpu vcpu;
    unsigned pcpu;
    struct hyp_vmconfig_vm cfg;
    struct hyp_owner_page recs[RAM / 4096];
};

struct env {
    struct hyp_owner own;
    struct hyp_page_pool pool;
    void *pool_mem;
    struct svm a, b; /* a may create VMs, b may not */
    struct hyp_childvm_table t;
};

static struct env *g;
static unsigned hooked; /* on_create calls */
/* setup_signed(): VM a takes only images signed with this key. */
static bool with_key;
static const uint8_t secret[HYP_ED25519_SECRET_KEY_SIZE] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0xcc, 0xdd, 0xee, 0xff, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67,
    0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0, 0x0f};

static void on_create(struct hyp_childvm *ch, void *arg)
{
    assert_ptr_equal(arg, g);
    assert_false(ch->live); /* nobody can reach it yet */
    hooked++;
}

static void svm_init(struct svm *s, unsigned vmid, bool creator)
{
    struct hyp_vm_config vc = {
        .vmid = (uint16_t)vmid,
        .ipa_bits = 40,
        .pa_bits = 48,
        .vcpus = &s->vcpu,
        .vcpu_count = 1,
        .vcpu_pcpu = &s->pcpu,
        .pool = &g->pool,
    };

    s->ram = aligned_alloc(2 * MiB, RAM);
    assert_non_null(s->ram);
    memset(s->ram, 0x33, RAM);
    assert_int_equal(hyp_vm_init(&s->vm, &vc), HYP_OK);
    assert_int_equal(hyp_vm_add_ram(&s->vm, RAM_IPA, (uint64_t)(uintptr_t)s->ram, RAM),
                     HYP_OK);
    s->cfg.mem.size = RAM;
    if (creator) {
        s->cfg.caps = HYP_VMCONFIG_CAP_CREATE_VMS;
        s->cfg.max_child_vms = 2;
        s->cfg.max_child_memory = 3 * MiB;
        s->cfg.max_child_depth = 2;
        s->cfg.signed_children = with_key;
        hyp_ed25519_public_key(s->cfg.public_key, secret);
    }
    assert_int_equal(hyp_childvm_add_vm(&g->t, vmid, &s->vm, &s->cfg,
                                        creator ? s->recs : NULL, RAM / 4096),
                     HYP_OK);
}

static int setup(void **state)
{
    (void)state;
    g = calloc(1, sizeof(*g));
    assert_non_null(g);
    g->pool_mem = aligned_alloc(64 * KiB, 4 * MiB);
    assert_non_null(g->pool_mem);
    assert_int_equal(hyp_page_pool_init(&g->pool, g->pool_mem, 4 * MiB), HYP_OK);
    assert_int_equal(hyp_owner_init(&g->own), HYP_OK);
    assert_int_equal(hyp_childvm_table_init(&g->t, &g->own, &g->pool, 40, 48), HYP_OK);
    g->t.console_base = 0x9000000;
    g->t.on_create = on_create;
    g->t.on_create_arg = g;
    hooked = 0;
    svm_init(&g->a, 1, true);
    svm_init(&g->b, 2, false);
    return 0;
}

static int setup_signed(void **state)
{
    int rc;

    with_key = true;
    rc = setup(state);
    with_key = false;
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    hyp_pgtable_destroy(&g->a.vm.s2);
    hyp_pgtable_destroy(&g->b.vm.s2);
    assert_int_equal(hyp_page_pool_used(&g->pool), 0); /* no table page leaked */
    free(g->a.ram);
    free(g->b.ram);
    free(g->pool_mem);
    free(g);
    return 0;
}

/* Host pointer of guest address `ipa` of static VM `s`. */
static uint8_t *at(struct svm *s, uint64_t ipa)
{
    return s->ram + (ipa - RAM_IPA);
}

/* Write a child configuration into `dst` (room: 4 KiB); returns its size. */
static size_t put_config(void *dst, const char *label, uint64_t memory, bool create)
{
    assert_int_equal(fdt_create_empty_tree(dst, 4096), 0);
    int vm = fdt_add_subnode(dst, 0, "vm");
    assert_true(vm >= 0);
    assert_int_equal(fdt_setprop_string(dst, vm, "compatible", "libhyp,vm"), 0);
    assert_int_equal(fdt_setprop_string(dst, vm, "label", label), 0);
    assert_int_equal(fdt_setprop_u64(dst, vm, "memory", memory), 0);
    if (create) {
        assert_int_equal(fdt_setprop_string(dst, vm, "capabilities", "create-vms"), 0);
        assert_int_equal(fdt_setprop_u32(dst, vm, "max-child-vms", 1), 0);
        assert_int_equal(fdt_setprop_u64(dst, vm, "max-child-memory", 256 * KiB), 0);
        assert_int_equal(fdt_setprop_u32(dst, vm, "max-child-depth", 3), 0);
    }
    assert_int_equal(fdt_pack(dst), 0);
    return fdt_totalsize(dst);
}

/* Guest addresses in VM a: config, image, two memory ranges. */
#define CFG_IPA  (RAM_IPA + 0x1000)
#define IMG_IPA  (RAM_IPA + 0x10000)
#define IMG_SIZE ((uint64_t)5000)
#define MEM1_IPA (RAM_IPA + 2 * MiB)
#define MEM2_IPA (RAM_IPA + 4 * MiB)

static size_t a_config(uint64_t memory, bool create)
{
    size_t n = put_config(at(&g->a, CFG_IPA), "child-a", memory, create);

    for (uint64_t i = 0; i < IMG_SIZE; i++)
        at(&g->a, IMG_IPA)[i] = (uint8_t)(i * 7 + 1);
    return n;
}

static unsigned create_a(uint64_t mem_ipa, uint64_t mem_size, bool create)
{
    size_t n = a_config(mem_size, create);
    unsigned h = 0;

    assert_int_equal(hyp_childvm_create(&g->t, 1, CFG_IPA, n, IMG_IPA, IMG_SIZE, mem_ipa,
                                        mem_size, &h, NULL),
                     HYP_CHILDVM_SUCCESS);
    return h;
}

static uint64_t seen(struct hyp_vm *vm, uint64_t ipa)
{
    struct hyp_pgtable_mapping m;

    return hyp_pgtable_lookup(&vm->s2, hyp_ia(ipa), &m) == HYP_OK ? m.pa.val : 0;
}

static void test_create_destroy(void **state)
{
    (void)state;
    size_t n = a_config(MiB, false);
    uint8_t want[HYP_SHA256_SIZE];
    struct hyp_childvm *ch;
    unsigned h = 0;
    uint64_t mem_pa = (uint64_t)(uintptr_t)at(&g->a, MEM1_IPA);

    fake_arch_reset();
    assert_int_equal(hyp_childvm_create(&g->t, 1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA,
                                        MiB, &h, NULL),
                     HYP_CHILDVM_SUCCESS);
    assert_int_equal(h, HYP_CHILDVM_FIRST_ID);
    ch = hyp_childvm_find(&g->t, 1, h);
    assert_non_null(ch);
    assert_int_equal(ch->state, HYP_CHILDVM_CREATED);
    assert_string_equal(ch->cfg.name, "child-a");
    /* Out of the parent, in the child, the image at its start. */
    assert_int_equal(seen(&g->a.vm, MEM1_IPA), 0);
    assert_int_equal(seen(&g->a.vm, MEM1_IPA + MiB - 4096), 0);
    assert_int_equal(seen(&g->a.vm, MEM1_IPA + MiB), mem_pa + MiB);
    assert_int_equal(seen(&ch->vm, HYP_CHILDVM_RAM_IPA), mem_pa);
    assert_memory_equal(at(&g->a, MEM1_IPA), at(&g->a, IMG_IPA), IMG_SIZE);
    hyp_childvm_measure(at(&g->a, CFG_IPA), n, at(&g->a, IMG_IPA), IMG_SIZE, want);
    assert_memory_equal(ch->digest, want, sizeof(want));
    assert_int_equal(ch->vcpu.boot_entry, HYP_CHILDVM_RAM_IPA);
    assert_int_equal(ch->vcpu.boot_context, HYP_CHILDVM_RAM_IPA + MiB - 64 * KiB);
    /* Its DTB: its memory, nothing of the parent's; no console asked for. */
    const void *dtb = at(&g->a, MEM1_IPA) + MiB - 64 * KiB;
    int mem = fdt_path_offset(dtb, "/memory@40000000");
    const fdt64_t *reg = mem >= 0 ? fdt_getprop(dtb, mem, "reg", NULL) : NULL;
    assert_int_equal(fdt_check_header(dtb), 0);
    assert_non_null(reg);
    assert_int_equal(fdt64_to_cpu(reg[0]), HYP_CHILDVM_RAM_IPA);
    assert_int_equal(fdt64_to_cpu(reg[1]), MiB);
    assert_true(fdt_path_offset(dtb, "/chosen") >= 0);
    assert_true(fdt_path_offset(dtb, "/pl011@9000000") < 0);
    assert_int_equal(hooked, 1);
    assert_int_equal(hyp_childvm_count(&g->t, 1), 1);
    /* Others cannot reach it. */
    assert_null(hyp_childvm_find(&g->t, 2, h));
    assert_int_equal(hyp_childvm_destroy(&g->t, 2, h), HYP_CHILDVM_NO_CHILD);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h + 1), HYP_CHILDVM_NO_CHILD);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, 3), HYP_CHILDVM_NO_CHILD);
    /* Running elsewhere: not now. */
    ch->state = HYP_CHILDVM_RUNNING;
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_BUSY);
    ch->state = HYP_CHILDVM_READY;
    memset(at(&g->a, MEM1_IPA), 0xee, 100); /* what the child wrote */
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_SUCCESS);
    assert_int_equal(seen(&g->a.vm, MEM1_IPA), mem_pa);
    for (uint64_t i = 0; i < MiB; i++)
        if (at(&g->a, MEM1_IPA)[i] != 0)
            fail_msg("byte %llu of the reclaimed memory is not zero",
                     (unsigned long long)i);
    assert_null(hyp_childvm_find(&g->t, 1, h));
    assert_int_equal(hyp_childvm_count(&g->t, 1), 0);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_NO_CHILD);
}

static void test_create_errors(void **state)
{
    (void)state;
    size_t n = a_config(MiB, false);
    char err[HYP_CHILDVM_ERRLEN];
    unsigned h = 0;

#define CREATE(caller, cfg, cs, img, is, mem, ms)                                        \
    hyp_childvm_create(&g->t, caller, cfg, cs, img, is, mem, ms, &h, err)
    assert_int_equal(CREATE(2, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_NOT_SUPPORTED); /* no "create-vms" */
    assert_int_equal(CREATE(9, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_NOT_SUPPORTED); /* not a VM */
    assert_int_equal(CREATE(1, CFG_IPA, 0, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_INVALID);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, 0, MEM1_IPA, MiB),
                     HYP_CHILDVM_INVALID);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA + 8, MiB),
                     HYP_CHILDVM_INVALID);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB + 1),
                     HYP_CHILDVM_INVALID);
    assert_int_equal(CREATE(1, CFG_IPA, 128 * KiB, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_INVALID); /* over 64 KiB */
    assert_int_equal(CREATE(1, 0x09000000, n, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_INVALID); /* device memory */
    assert_int_equal(
        CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, RAM_IPA + RAM - MiB / 2, MiB),
        HYP_CHILDVM_INVALID); /* runs off its RAM */
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, UINT64_MAX - 4095, 8192),
                     HYP_CHILDVM_INVALID); /* wraps */
    assert_int_equal(CREATE(1, CFG_IPA, n, MEM1_IPA - 100, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_INVALID); /* image overlaps the memory */
    assert_int_equal(CREATE(1, MEM1_IPA + 4096, n, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_INVALID); /* config inside the memory */
    /* Hostile configurations. */
    assert_int_equal(CREATE(1, IMG_IPA, 200, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_BAD_CONFIG);
    assert_string_equal(err, "vm: blob: not a flattened device tree");
    assert_int_equal(CREATE(1, CFG_IPA, n - 1, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_BAD_CONFIG); /* truncated */
    assert_int_equal(fdt_open_into(at(&g->a, CFG_IPA), at(&g->a, CFG_IPA), 4096), 0);
    assert_int_equal(fdt_setprop_u32(at(&g->a, CFG_IPA),
                                     fdt_path_offset(at(&g->a, CFG_IPA), "/vm"), "cpus",
                                     0),
                     0);
    assert_int_equal(CREATE(1, CFG_IPA, 4096, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_BAD_CONFIG);
    assert_string_equal(err,
                        "vm: cpus: not for a child VM (it runs on its parent's CPU)");
    n = a_config(2 * MiB, false);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_INVALID); /* config says 2 MiB, 1 given */
    /* Image larger than the memory (less its DTB). */
    n = a_config(64 * KiB + 4096, false);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA, 64 * KiB + 4096),
                     HYP_CHILDVM_BAD_IMAGE);
    n = a_config(4096, false);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, 1, MEM1_IPA, 4096),
                     HYP_CHILDVM_BAD_IMAGE);
    /* Limits: 3 MiB and 2 children in all. */
    n = a_config(4 * MiB, false);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA, 4 * MiB),
                     HYP_CHILDVM_NO_MEMORY);
    /* Nothing of the parent changed. */
    assert_int_equal(seen(&g->a.vm, MEM1_IPA), (uint64_t)(uintptr_t)at(&g->a, MEM1_IPA));
    assert_int_equal(hyp_childvm_count(&g->t, 1), 0);

    unsigned h1 = create_a(MEM1_IPA, MiB, false);
    /* Memory already donated, or overlapping it; config in it. */
    n = a_config(MiB, false);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA, MiB),
                     HYP_CHILDVM_BUSY);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA + MiB / 2, MiB),
                     HYP_CHILDVM_BUSY);
    assert_int_equal(CREATE(1, MEM1_IPA, n, IMG_IPA, IMG_SIZE, MEM2_IPA, MiB),
                     HYP_CHILDVM_BUSY);
    unsigned h2 = create_a(MEM2_IPA, MiB, false);
    n = a_config(MiB / 2, false);
    assert_int_equal(CREATE(1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM2_IPA + MiB, MiB / 2),
                     HYP_CHILDVM_NO_MEMORY); /* a third child */
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h1), HYP_CHILDVM_SUCCESS);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h2), HYP_CHILDVM_SUCCESS);
#undef CREATE
}

static void test_nested(void **state)
{
    (void)state;
    unsigned h = create_a(MEM1_IPA, MiB, true), gh = 0, ggh = 0;
    struct hyp_childvm *ch = hyp_childvm_find(&g->t, 1, h), *gch;
    uint64_t cfg = HYP_CHILDVM_RAM_IPA + 0x2000, mem = HYP_CHILDVM_RAM_IPA + 512 * KiB;
    uint8_t *cmem = at(&g->a, MEM1_IPA);
    size_t n;

    /* The child creates a grandchild from its own memory. */
    n = put_config(cmem + 0x2000, "grandchild", 256 * KiB, false);
    assert_int_equal(hyp_childvm_create(&g->t, h, cfg, n, HYP_CHILDVM_RAM_IPA, 4096, mem,
                                        256 * KiB, &gh, NULL),
                     HYP_CHILDVM_SUCCESS);
    gch = hyp_childvm_find(&g->t, h, gh);
    assert_non_null(gch);
    assert_null(hyp_childvm_find(&g->t, 1, gh)); /* not the grandparent's */
    assert_int_equal(seen(&ch->vm, mem), 0);
    assert_int_equal(seen(&gch->vm, HYP_CHILDVM_RAM_IPA),
                     (uint64_t)(uintptr_t)(cmem + 512 * KiB));
    /* The grandchild has no "create-vms". */
    n = put_config(at(&g->a, MEM1_IPA) + 512 * KiB + 0x1000, "ggc", 64 * KiB + 4096,
                   true);
    assert_int_equal(hyp_childvm_create(&g->t, gh, HYP_CHILDVM_RAM_IPA + 0x1000, n,
                                        HYP_CHILDVM_RAM_IPA, 16,
                                        HYP_CHILDVM_RAM_IPA + 128 * KiB, 64 * KiB + 4096,
                                        &ggh, NULL),
                     HYP_CHILDVM_NOT_SUPPORTED);
    /* The grandparent cannot destroy the grandchild, nor give its memory. */
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, gh), HYP_CHILDVM_NO_CHILD);
    /* Destroying the child takes the grandchild with it. */
    gch->state = HYP_CHILDVM_RUNNING;
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_BUSY);
    gch->state = HYP_CHILDVM_READY;
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_SUCCESS);
    assert_int_equal(hyp_childvm_count(&g->t, h), 0);
    assert_int_equal(seen(&g->a.vm, MEM1_IPA + 512 * KiB),
                     (uint64_t)(uintptr_t)(cmem + 512 * KiB));
    assert_int_equal(cmem[512 * KiB], 0);
    assert_int_equal(cmem[0], 0);
    assert_int_equal(hyp_owner_held(&g->own, 1), RAM / 4096);
}

static void test_depth(void **state)
{
    (void)state;
    unsigned h = create_a(MEM1_IPA, MiB, true), gh = 0;
    uint8_t *cmem = at(&g->a, MEM1_IPA);
    size_t n = put_config(cmem + 0x2000, "gc", 256 * KiB, true);

    /* A grandchild that would create VMs is one generation too many. */
    assert_int_equal(
        hyp_childvm_create(&g->t, h, HYP_CHILDVM_RAM_IPA + 0x2000, n, HYP_CHILDVM_RAM_IPA,
                           16, HYP_CHILDVM_RAM_IPA + 512 * KiB, 256 * KiB, &gh, NULL),
        HYP_CHILDVM_DENIED);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_SUCCESS);
    /* With a depth of 1, no child may create. */
    g->t.creators[1].depth_left = 1;
    n = a_config(MiB, true);
    assert_int_equal(hyp_childvm_create(&g->t, 1, CFG_IPA, n, IMG_IPA, IMG_SIZE, MEM1_IPA,
                                        MiB, &h, NULL),
                     HYP_CHILDVM_DENIED);
    g->t.creators[1].depth_left = 2;
}

static void test_share(void **state)
{
    (void)state;
    unsigned h = create_a(MEM1_IPA, MiB, false);
    struct hyp_childvm *ch = hyp_childvm_find(&g->t, 1, h);
    uint64_t page = RAM_IPA + 6 * MiB, cipa = 0x10000000;
    uint64_t pa = (uint64_t)(uintptr_t)at(&g->a, page);

    assert_int_equal(hyp_childvm_share(&g->t, 2, h, page, 4096, cipa, true),
                     HYP_CHILDVM_NO_CHILD);
    assert_int_equal(
        hyp_childvm_share(&g->t, 1, h, page, 4096, HYP_CHILDVM_RAM_IPA, true),
        HYP_CHILDVM_INVALID); /* inside its memory */
    assert_int_equal(hyp_childvm_share(&g->t, 1, h, page + 1, 4096, cipa, true),
                     HYP_CHILDVM_INVALID);
    assert_int_equal(hyp_childvm_share(&g->t, 1, h, MEM1_IPA, 4096, cipa, true),
                     HYP_CHILDVM_BUSY); /* donated already */
    assert_int_equal(hyp_childvm_share(&g->t, 1, h, page, 8192, cipa, true),
                     HYP_CHILDVM_SUCCESS);
    assert_int_equal(seen(&ch->vm, cipa + 4096), pa + 4096);
    assert_int_equal(seen(&g->a.vm, page), pa);
    assert_int_equal(hyp_childvm_share(&g->t, 1, h, page, 4096, cipa + 0x10000, true),
                     HYP_CHILDVM_BUSY); /* shared already */
    assert_int_equal(hyp_childvm_share(&g->t, 1, h, page + 8192, 4096, cipa, true),
                     HYP_CHILDVM_INVALID); /* child address taken */
    assert_int_equal(hyp_childvm_unshare(&g->t, 1, h, page, 4096), HYP_CHILDVM_INVALID);
    assert_int_equal(hyp_childvm_unshare(&g->t, 1, h, page, 8192), HYP_CHILDVM_SUCCESS);
    assert_int_equal(seen(&ch->vm, cipa), 0);
    /* A share still in place ends with the child. */
    assert_int_equal(hyp_childvm_share(&g->t, 1, h, page, 4096, cipa, false),
                     HYP_CHILDVM_SUCCESS);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_SUCCESS);
    struct hyp_owner_info info;
    assert_int_equal(hyp_owner_query(&g->own, pa, &info), HYP_OK);
    assert_int_equal(info.state, HYP_PAGE_OWNED);
    assert_int_equal(info.holder, 1);
}

/* A creator with a public key: images end with an Ed25519 signature of
 * the measurement; missing, bad, for another configuration or key:
 * refused, the memory back in the caller, zeroed; its children inherit
 * the rule. */
static void sign_at(uint8_t *cfg, size_t n, uint8_t *img, uint64_t body,
                    const uint8_t key[HYP_ED25519_SECRET_KEY_SIZE])
{
    uint8_t digest[HYP_SHA256_SIZE];

    hyp_childvm_measure(cfg, n, img, (size_t)body, digest);
    hyp_ed25519_sign(img + body, digest, sizeof(digest), key);
}

static void test_signed(void **state)
{
    (void)state;
    size_t n = a_config(MiB, true);
    uint64_t mem_pa = (uint64_t)(uintptr_t)at(&g->a, MEM1_IPA);
    uint8_t *cfg = at(&g->a, CFG_IPA), *img = at(&g->a, IMG_IPA), other[32];
    uint64_t body = IMG_SIZE - HYP_CHILDVM_SIG_SIZE;
    uint8_t want[HYP_SHA256_SIZE];
    struct hyp_childvm *ch;
    unsigned h = 0, gh = 0;

#define CREATE(size)                                                                     \
    hyp_childvm_create(&g->t, 1, CFG_IPA, n, IMG_IPA, size, MEM1_IPA, MiB, &h, NULL)
    /* No signature: the last 64 bytes of the image are not one. */
    assert_int_equal(CREATE(IMG_SIZE), HYP_CHILDVM_BAD_SIGNATURE);
    assert_int_equal(h, 0);
    assert_int_equal(hyp_childvm_count(&g->t, 1), 0);
    assert_int_equal(seen(&g->a.vm, MEM1_IPA), mem_pa);
    assert_int_equal(at(&g->a, MEM1_IPA)[0], 0); /* given back zeroed */
    assert_int_equal(hyp_owner_held(&g->own, 1), RAM / 4096);
    assert_int_equal(CREATE(HYP_CHILDVM_SIG_SIZE), HYP_CHILDVM_BAD_SIGNATURE);
    /* Signed: created, measured without its signature. */
    sign_at(cfg, n, img, body, secret);
    assert_int_equal(CREATE(IMG_SIZE), HYP_CHILDVM_SUCCESS);
    ch = hyp_childvm_find(&g->t, 1, h);
    assert_non_null(ch);
    assert_int_equal(ch->state, HYP_CHILDVM_CREATED);
    hyp_childvm_measure(cfg, n, img, (size_t)body, want);
    assert_memory_equal(ch->digest, want, sizeof(want));
    assert_memory_equal(at(&g->a, MEM1_IPA), img, (size_t)body);
    /* Its children need signed images too. */
    size_t gn = put_config(at(&g->a, MEM1_IPA) + 0x2000, "grandchild", 256 * KiB, false);
    uint8_t *cmem = at(&g->a, MEM1_IPA);

    assert_int_equal(hyp_childvm_create(
                         &g->t, h, HYP_CHILDVM_RAM_IPA + 0x2000, gn, HYP_CHILDVM_RAM_IPA,
                         4096, HYP_CHILDVM_RAM_IPA + 512 * KiB, 256 * KiB, &gh, NULL),
                     HYP_CHILDVM_BAD_SIGNATURE);
    sign_at(cmem + 0x2000, gn, cmem, 4096 - HYP_CHILDVM_SIG_SIZE, secret);
    assert_int_equal(hyp_childvm_create(
                         &g->t, h, HYP_CHILDVM_RAM_IPA + 0x2000, gn, HYP_CHILDVM_RAM_IPA,
                         4096, HYP_CHILDVM_RAM_IPA + 512 * KiB, 256 * KiB, &gh, NULL),
                     HYP_CHILDVM_SUCCESS);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_SUCCESS);
    /* One flipped bit of the signature, of the image, of the configuration. */
    img[IMG_SIZE - 1] ^= 0x80;
    assert_int_equal(CREATE(IMG_SIZE), HYP_CHILDVM_BAD_SIGNATURE);
    img[IMG_SIZE - 1] ^= 0x80;
    img[17] ^= 1;
    assert_int_equal(CREATE(IMG_SIZE), HYP_CHILDVM_BAD_SIGNATURE);
    img[17] ^= 1;
    n = put_config(cfg, "child-b", MiB, true); /* another label, same length */
    assert_int_equal(CREATE(IMG_SIZE), HYP_CHILDVM_BAD_SIGNATURE);
    n = a_config(MiB, true);
    /* A good signature of another key. */
    memcpy(other, secret, sizeof(other));
    other[0] ^= 1;
    sign_at(cfg, n, img, body, other);
    assert_int_equal(CREATE(IMG_SIZE), HYP_CHILDVM_BAD_SIGNATURE);
    assert_int_equal(hyp_childvm_count(&g->t, 1), 0);
    assert_int_equal(hyp_owner_held(&g->own, 1), RAM / 4096);
    /* And the good one again. */
    sign_at(cfg, n, img, body, secret);
    assert_int_equal(CREATE(IMG_SIZE), HYP_CHILDVM_SUCCESS);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_SUCCESS);
#undef CREATE
}

/* Without a key, an image is taken whole (its last bytes are no signature). */
static void test_unsigned_whole(void **state)
{
    (void)state;
    unsigned h = create_a(MEM1_IPA, MiB, false);

    assert_memory_equal(at(&g->a, MEM1_IPA), at(&g->a, IMG_IPA), IMG_SIZE);
    assert_int_equal(hyp_childvm_destroy(&g->t, 1, h), HYP_CHILDVM_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_share, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signed, setup_signed, teardown),
        cmocka_unit_test_setup_teardown(test_unsigned_whole, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
