/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the child-VM helpers (include/hyp/childvm.h): the child
 * configuration parser on blobs built here with libfdt (good ones, every
 * refusal, hostile blobs), the launch measurement against SHA-256 of the
 * documented layout, and the ABI's status codes.
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
#include <hyp/error.h>
#include <hyp/sha256.h>

#define BLOB_MAX 4096

/* A good child configuration: label "child-a", 1 MiB, a console. */
static void *good_blob(void)
{
    const fdt32_t mem[2] = {0, cpu_to_fdt32(0x100000)};
    void *fdt = calloc(1, BLOB_MAX);
    int vm;

    assert_non_null(fdt);
    assert_int_equal(fdt_create_empty_tree(fdt, BLOB_MAX), 0);
    vm = fdt_add_subnode(fdt, 0, "vm");
    assert_true(vm >= 0);
    assert_int_equal(fdt_setprop_string(fdt, vm, "compatible", "libhyp,vm"), 0);
    assert_int_equal(fdt_setprop_string(fdt, vm, "label", "child-a"), 0);
    assert_int_equal(fdt_setprop(fdt, vm, "memory", mem, sizeof(mem)), 0);
    assert_int_equal(fdt_setprop_empty(fdt, vm, "vpl011"), 0);
    return fdt;
}

static int vm_node(void *fdt)
{
    int vm = fdt_path_offset(fdt, "/vm");

    assert_true(vm >= 0);
    return vm;
}

static void set_u32(void *fdt, const char *name, uint32_t v)
{
    assert_int_equal(fdt_setprop_u32(fdt, vm_node(fdt), name, v), 0);
}

static void set_u64(void *fdt, const char *name, uint64_t v)
{
    assert_int_equal(fdt_setprop_u64(fdt, vm_node(fdt), name, v), 0);
}

static void set_str(void *fdt, const char *name, const char *v)
{
    assert_int_equal(fdt_setprop_string(fdt, vm_node(fdt), name, v), 0);
}

/* Parse @fdt (packed) and expect @rc with refusal line @line. */
static void expect(void *fdt, int rc, const char *line)
{
    struct hyp_childvm_config cfg;
    char err[HYP_CHILDVM_ERRLEN];
    int got;

    assert_int_equal(fdt_pack(fdt), 0);
    got = hyp_childvm_config_parse(fdt, fdt_totalsize(fdt), &cfg, err);
    if (got != rc || strcmp(err, line) != 0)
        print_error("got %s \"%s\"\nwant %s \"%s\"\n", hyp_strerror(got), err,
                    hyp_strerror(rc), line);
    assert_int_equal(got, rc);
    assert_string_equal(err, line);
    if (rc != HYP_OK)
        assert_int_equal(cfg.memory, 0); /* nothing half-filled */
    free(fdt);
}

static void test_good(void **state)
{
    (void)state;
    struct hyp_childvm_config cfg;
    char err[HYP_CHILDVM_ERRLEN];
    void *fdt = good_blob();

    assert_int_equal(hyp_childvm_config_parse(fdt, BLOB_MAX, &cfg, err), HYP_OK);
    assert_string_equal(err, "");
    assert_string_equal(cfg.name, "child-a");
    assert_int_equal(cfg.memory, 0x100000);
    assert_true(cfg.console);
    assert_int_equal(cfg.caps, 0);
    assert_int_equal(cfg.max_child_depth, 0);
    /* A child that creates children itself; a vm@<id> name; a reg. */
    assert_int_equal(fdt_set_name(fdt, vm_node(fdt), "vm@7"), 0);
    int vm = fdt_path_offset(fdt, "/vm@7");
    assert_true(vm >= 0);
    assert_int_equal(fdt_delprop(fdt, vm, "vpl011"), 0);
    assert_int_equal(fdt_setprop_u32(fdt, vm, "reg", 7), 0);
    assert_int_equal(fdt_setprop_string(fdt, vm, "capabilities", "create-vms"), 0);
    assert_int_equal(fdt_setprop_u32(fdt, vm, "max-child-vms", 2), 0);
    assert_int_equal(fdt_setprop_u64(fdt, vm, "max-child-memory", 0x40000), 0);
    assert_int_equal(fdt_setprop_u32(fdt, vm, "max-child-depth", 2), 0);
    assert_int_equal(hyp_childvm_config_parse(fdt, BLOB_MAX, &cfg, NULL), HYP_OK);
    assert_false(cfg.console);
    assert_int_equal(cfg.caps, HYP_VMCONFIG_CAP_CREATE_VMS);
    assert_int_equal(cfg.max_child_vms, 2);
    assert_int_equal(cfg.max_child_memory, 0x40000);
    assert_int_equal(cfg.max_child_depth, 2);
    assert_int_equal(hyp_childvm_config_parse(NULL, BLOB_MAX, &cfg, err), HYP_EINVAL);
    assert_int_equal(hyp_childvm_config_parse(fdt, BLOB_MAX, NULL, err), HYP_EINVAL);
    free(fdt);
}

static void test_blob_refusals(void **state)
{
    (void)state;
    struct hyp_childvm_config cfg;
    char err[HYP_CHILDVM_ERRLEN];
    void *fdt = good_blob();
    uint8_t junk[256];
    size_t size;

    assert_int_equal(fdt_pack(fdt), 0);
    size = fdt_totalsize(fdt);
    /* Too short for a header, garbage, truncated, claiming too much. */
    assert_int_equal(hyp_childvm_config_parse(fdt, 39, &cfg, err), HYP_EFORMAT);
    assert_string_equal(err, "vm: blob: not a flattened device tree");
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    assert_int_equal(hyp_childvm_config_parse(junk, sizeof(junk), &cfg, err),
                     HYP_EFORMAT);
    assert_string_equal(err, "vm: blob: not a flattened device tree");
    assert_int_equal(hyp_childvm_config_parse(fdt, size - 1, &cfg, err), HYP_EFORMAT);
    assert_non_null(strstr(err, "more than the"));
    fdt_set_totalsize(fdt, HYP_CHILDVM_CONFIG_MAX + 8);
    assert_int_equal(hyp_childvm_config_parse(fdt, HYP_CHILDVM_CONFIG_MAX + 8, &cfg, err),
                     HYP_EFORMAT);
    fdt_set_totalsize(fdt, (uint32_t)size);
    /* A structure block that ends early. */
    fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) - 8);
    assert_int_equal(hyp_childvm_config_parse(fdt, size, &cfg, err), HYP_EFORMAT);
    assert_string_equal(err, "vm: blob: malformed device tree");
    fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) + 8);
    /* Every single-byte corruption is refused or parsed, never a crash, and
     * an accepted blob still has a sane result. */
    for (size_t i = 0; i < size; i++) {
        uint8_t *b = fdt;
        uint8_t saved = b[i];

        b[i] ^= 0xa5;
        if (hyp_childvm_config_parse(fdt, size, &cfg, err) == HYP_OK)
            assert_true(cfg.memory != 0 && cfg.memory % 4096 == 0 && cfg.name[0] != 0);
        b[i] = saved;
    }
    assert_int_equal(hyp_childvm_config_parse(fdt, size, &cfg, err), HYP_OK);
    /* A property length near 2^32, which libfdt 1.6.1's own walk takes as a
     * step backwards and loops on forever (found by fuzz_childcfg): refused,
     * and at once (a hang here is this test's ctest timeout). */
    {
        int vm = vm_node(fdt), len;
        const struct fdt_property *prop = fdt_get_property(fdt, vm, "label", &len);
        uint8_t *lenp = (uint8_t *)prop + 4;

        assert_non_null(prop);
        lenp[0] = 0xff, lenp[1] = 0xff, lenp[2] = 0xff, lenp[3] = 0xf4;
        assert_int_equal(hyp_childvm_config_parse(fdt, size, &cfg, err), HYP_EFORMAT);
        assert_string_equal(err, "vm: blob: malformed device tree");
    }
    free(fdt);
}

static void test_duplicate_property(void **state)
{
    (void)state;
    struct hyp_childvm_config cfg;
    char err[HYP_CHILDVM_ERRLEN];
    void *fdt = calloc(1, BLOB_MAX);
    const fdt32_t mem[2] = {0, cpu_to_fdt32(0x100000)};

    /* Sequential writing does not refuse a second "memory", nor does
     * fdt_check_full(). */
    assert_non_null(fdt);
    assert_int_equal(fdt_create(fdt, BLOB_MAX), 0);
    assert_int_equal(fdt_finish_reservemap(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, ""), 0);
    assert_int_equal(fdt_begin_node(fdt, "vm"), 0);
    assert_int_equal(fdt_property_string(fdt, "compatible", "libhyp,vm"), 0);
    assert_int_equal(fdt_property_string(fdt, "label", "dup"), 0);
    assert_int_equal(fdt_property(fdt, "memory", mem, sizeof(mem)), 0);
    assert_int_equal(fdt_property(fdt, "memory", mem, sizeof(mem)), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_finish(fdt), 0);
    assert_int_equal(hyp_childvm_config_parse(fdt, BLOB_MAX, &cfg, err), HYP_EFORMAT);
    assert_string_equal(err, "vm: memory: appears twice");
    free(fdt);
}

static void test_tree_refusals(void **state)
{
    (void)state;
    void *fdt;

    fdt = good_blob();
    assert_int_equal(fdt_setprop_string(fdt, 0, "chosen-one", "x"), 0);
    expect(fdt, HYP_EFORMAT, "vm: /: unknown property \"chosen-one\"");
    fdt = good_blob();
    assert_true(fdt_add_subnode(fdt, 0, "chosen") >= 0);
    expect(fdt, HYP_EFORMAT, "vm: /: a node other than vm or vm@<id>");
    fdt = good_blob();
    assert_true(fdt_add_subnode(fdt, 0, "vm@1") >= 0);
    expect(fdt, HYP_EFORMAT, "vm: /: 2 VM nodes, expected exactly one");
    fdt = good_blob();
    assert_int_equal(fdt_del_node(fdt, vm_node(fdt)), 0);
    expect(fdt, HYP_EFORMAT, "vm: /: 0 VM nodes, expected exactly one");
    fdt = good_blob();
    assert_true(fdt_add_subnode(fdt, vm_node(fdt), "module@0") >= 0);
    expect(fdt, HYP_EFORMAT,
           "vm: vm: has a child node (a child VM has no modules or others)");
}

/* One change to the good blob: set (or, with DEL, delete) a property. */
enum edit_kind { U32, U64, STR, DEL };

struct edit {
    enum edit_kind kind;
    const char *prop;
    uint64_t num;
    const char *str;
};

struct refusal {
    struct edit edits[4]; /* applied in order; prop NULL ends */
    const char *line;     /* "" for a blob that is accepted */
};

#define CREATE_VMS                                                                       \
    {                                                                                    \
        STR, "capabilities", 0, "create-vms"                                             \
    }

static const struct refusal vm_refusals[] = {
    {{{U32, "cpus", 1, NULL}},
     "vm: cpus: not for a child VM (it runs on its parent's CPU)"},
    {{{U64, "memory-base", 0x50000000, NULL}},
     "vm: memory-base: not for a child VM (its memory is what its parent donates)"},
    {{{U32, "passthrough", 3, NULL}},
     "vm: passthrough: not for a child VM (it has no devices but its console)"},
    {{{STR, "memroy", 0, "x"}}, "vm: vm: unknown property \"memroy\""},
    {{{STR, "compatible", 0, "xen,domain"}},
     "vm: compatible: does not contain \"libhyp,vm\""},
    {{{DEL, "label", 0, NULL}}, "vm: label: missing (every VM needs a name)"},
    {{{STR, "label", 0, "child a"}},
     "vm: label: character 5 is not a letter, digit, '-' or '_'"},
    {{{STR, "label", 0, "a-very-long-label"}},
     "vm: label: not one string of 1..15 characters"},
    {{{STR, "label", 0, ""}}, "vm: label: not one string of 1..15 characters"},
    {{{DEL, "memory", 0, NULL}}, "vm: memory: missing (size in bytes)"},
    {{{U32, "memory", 0x100000, NULL}}, "vm: memory: 4 bytes, expected 8"},
    {{{U64, "memory", 0, NULL}}, "vm: memory: 0x0 is not a non-zero multiple of 4 KiB"},
    {{{U64, "memory", 0x100800, NULL}},
     "vm: memory: 0x100800 is not a non-zero multiple of 4 KiB"},
    {{{U32, "vpl011", 1, NULL}}, "vm: vpl011: 4 bytes, expected 0"},
    {{{STR, "capabilities", 0, "system-reset"}},
     "vm: capabilities: \"system-reset\": a child may only have \"create-vms\""},
    {{{U32, "max-child-vms", 1, NULL}},
     "vm: max-child-vms: without the \"create-vms\" capability"},
    {{{U32, "max-child-depth", 1, NULL}},
     "vm: max-child-depth: without the \"create-vms\" capability"},
    {{CREATE_VMS, {U32, "max-child-vms", 1, NULL}},
     "vm: capabilities: \"create-vms\" needs non-zero max-child-vms and "
     "max-child-memory"},
    {{CREATE_VMS,
      {U32, "max-child-vms", 1, NULL},
      {U64, "max-child-memory", 0x200000, NULL}},
     "vm: max-child-memory: 0x200000 is not a multiple of 4 KiB within the VM's memory"},
    {{CREATE_VMS,
      {U32, "max-child-vms", 1, NULL},
      {U64, "max-child-memory", 0x1000, NULL},
      {U32, "max-child-depth", 5, NULL}},
     "vm: max-child-depth: 5 is not 1 to 4"},
    {{CREATE_VMS,
      {U32, "max-child-vms", 1, NULL},
      {U64, "max-child-memory", 0x1000, NULL}},
     ""},
};

static void test_vm_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vm_refusals) / sizeof(vm_refusals[0]); i++) {
        const struct refusal *r = &vm_refusals[i];
        void *fdt = good_blob();

        for (const struct edit *e = r->edits; e < r->edits + 4 && e->prop; e++) {
            if (e->kind == U32)
                set_u32(fdt, e->prop, (uint32_t)e->num);
            else if (e->kind == U64)
                set_u64(fdt, e->prop, e->num);
            else if (e->kind == STR)
                set_str(fdt, e->prop, e->str);
            else
                assert_int_equal(fdt_delprop(fdt, vm_node(fdt), e->prop), 0);
        }
        expect(fdt, r->line[0] ? HYP_EFORMAT : HYP_OK, r->line);
    }
}

static void test_measure(void **state)
{
    (void)state;
    static const uint8_t cfg[] = {1, 2, 3, 4, 5};
    static const uint8_t img[] = {'i', 'm', 'a', 'g', 'e', 0, 0xff};
    uint8_t buf[16 + 8 + sizeof(cfg) + 8 + sizeof(img)], want[32], got[32], other[32];
    uint64_t regs[4];
    size_t at = 0;

    /* The documented layout, assembled by hand. */
    memcpy(buf, "libhyp-child-v1", 16);
    at = 16;
    buf[at] = sizeof(cfg);
    memset(buf + at + 1, 0, 7);
    at += 8;
    memcpy(buf + at, cfg, sizeof(cfg));
    at += sizeof(cfg);
    buf[at] = sizeof(img);
    memset(buf + at + 1, 0, 7);
    at += 8;
    memcpy(buf + at, img, sizeof(img));
    hyp_sha256(buf, sizeof(buf), want);
    hyp_childvm_measure(cfg, sizeof(cfg), img, sizeof(img), got);
    assert_memory_equal(got, want, 32);
    /* Moving the boundary between config and image changes it. */
    hyp_childvm_measure(cfg, sizeof(cfg) - 1, cfg + sizeof(cfg) - 1, 1, other);
    hyp_childvm_measure(cfg, sizeof(cfg), cfg, 0, want);
    assert_memory_not_equal(other, want, 32);
    hyp_childvm_digest_regs(got, regs);
    for (unsigned i = 0; i < 32; i++)
        assert_int_equal((regs[i / 8] >> (56 - 8 * (i % 8))) & 0xff, got[i]);
}

static void test_abi_errors(void **state)
{
    (void)state;
    assert_int_equal(hyp_childvm_abi_error(HYP_OK), 0);
    assert_int_equal(hyp_childvm_abi_error(HYP_EINVAL), HYP_CHILDVM_INVALID);
    assert_int_equal(hyp_childvm_abi_error(HYP_EALIGN), HYP_CHILDVM_INVALID);
    assert_int_equal(hyp_childvm_abi_error(HYP_ERANGE), HYP_CHILDVM_INVALID);
    assert_int_equal(hyp_childvm_abi_error(HYP_EEXIST), HYP_CHILDVM_INVALID);
    assert_int_equal(hyp_childvm_abi_error(HYP_EPERM), HYP_CHILDVM_DENIED);
    assert_int_equal(hyp_childvm_abi_error(HYP_ENOMEM), HYP_CHILDVM_NO_MEMORY);
    assert_int_equal(hyp_childvm_abi_error(HYP_EFORMAT), HYP_CHILDVM_BAD_CONFIG);
    assert_int_equal(hyp_childvm_abi_error(HYP_EBUSY), HYP_CHILDVM_BUSY);
    assert_int_equal(hyp_childvm_abi_error(HYP_ENOENT), HYP_CHILDVM_NO_CHILD);
    assert_int_equal(hyp_childvm_abi_error(HYP_ENOTSUP), HYP_CHILDVM_NOT_SUPPORTED);
    assert_int_equal(hyp_childvm_abi_error(12345), HYP_CHILDVM_NOT_SUPPORTED);
    assert_int_equal(HYP_CHILDVM_NOT_SUPPORTED, -1); /* SMCCC's own values */
    assert_int_equal(HYP_CHILDVM_INVALID, -2);
    /* The block is SMC64 fast calls of owner 6 and misses the doorbell. */
    for (uint32_t fid = HYP_CHILDVM_FID_VERSION; fid <= HYP_CHILDVM_FID_LAST; fid++) {
        assert_int_equal(fid >> 24, 0xC6);
        assert_int_not_equal(fid & 0xbfffffffu, 0x86000010u & 0xbfffffffu);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_blob_refusals),
        cmocka_unit_test(test_duplicate_property),
        cmocka_unit_test(test_tree_refusals),
        cmocka_unit_test(test_vm_refusals),
        cmocka_unit_test(test_measure),
        cmocka_unit_test(test_abi_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
