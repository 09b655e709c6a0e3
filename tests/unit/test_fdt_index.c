/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the device-tree node index (libhyp/fdt/fdt_index.c): on
 * every DTB of the platform tests (QEMU's own among them) and on generated
 * trees too large or too deep to index whole, each node's parent and each
 * phandle's node must be exactly what libfdt's own (slow) lookups say.
 *
 * Usage: test_fdt_index DTB_DIR
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "../../libhyp/fdt/fdt_index.h"

static const char *dtb_dir;
static struct hyp_fdt_index idx;

/* Every lookup the index answers, against libfdt. Returns the nodes seen. */
static unsigned compare_all(const void *fdt)
{
    unsigned nodes = 0;
    uint32_t max_ph = 0;

    for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
         node = fdt_next_node(fdt, node, NULL)) {
        uint32_t ph = fdt_get_phandle(fdt, node);

        assert_int_equal(hyp_fdt_index_parent(&idx, node), fdt_parent_offset(fdt, node));
        if (ph != 0) {
            assert_int_equal(hyp_fdt_index_by_phandle(&idx, ph), node);
            if (ph > max_ph)
                max_ph = ph;
        }
        nodes++;
    }
    /* Phandles no node has, and the reserved values. */
    assert_int_equal(hyp_fdt_index_by_phandle(&idx, max_ph + 1),
                     fdt_node_offset_by_phandle(fdt, max_ph + 1));
    assert_true(hyp_fdt_index_by_phandle(&idx, 0) < 0);
    assert_true(hyp_fdt_index_by_phandle(&idx, 0xffffffffu) < 0);
    /* An offset that is no node: whatever libfdt says. */
    assert_int_equal(hyp_fdt_index_parent(&idx, 3), fdt_parent_offset(fdt, 3));
    return nodes;
}

static void *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    void *buf;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

static void every_test_dtb(void **state)
{
    DIR *dir = opendir(dtb_dir);
    struct dirent *e;
    unsigned checked = 0, qemu = 0;

    (void)state;
    assert_non_null(dir);
    while ((e = readdir(dir)) != NULL) {
        char path[4096];
        size_t len = strlen(e->d_name);
        void *fdt;

        if (len < 5 || strcmp(e->d_name + len - 4, ".dtb") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dtb_dir, e->d_name);
        fdt = load(path);
        if (fdt_check_full(fdt, fdt_totalsize(fdt)) == 0) {
            unsigned nodes;

            assert_int_equal(hyp_fdt_index_build(&idx, fdt), 0);
            assert_true(idx.complete);
            nodes = compare_all(fdt);
            assert_int_equal(nodes, idx.count);
            checked++;
            if (strncmp(e->d_name, "qemu-virt", 9) == 0) {
                qemu++;
                assert_true(nodes > 50); /* QEMU's trees are the big ones */
            }
        }
        free(fdt);
    }
    closedir(dir);
    assert_true(checked >= 5);
    assert_int_equal(qemu, 2);
}

/* A tree of @width nodes under the root, each with a phandle, and a chain
 * @depth nodes deep under the last of them. */
static void *generate(unsigned width, unsigned depth)
{
    size_t size = 64 + (width + depth) * 64u + 4096;
    void *fdt = malloc(size);
    char name[32];

    assert_non_null(fdt);
    assert_int_equal(fdt_create(fdt, (int)size), 0);
    assert_int_equal(fdt_finish_reservemap(fdt), 0);
    assert_int_equal(fdt_begin_node(fdt, ""), 0);
    for (unsigned i = 0; i < width; i++) {
        snprintf(name, sizeof(name), "n@%x", i);
        assert_int_equal(fdt_begin_node(fdt, name), 0);
        assert_int_equal(fdt_property_u32(fdt, "phandle", i + 1), 0);
        if (i + 1 == width)
            for (unsigned d = 0; d < depth; d++) {
                snprintf(name, sizeof(name), "d%u", d);
                assert_int_equal(fdt_begin_node(fdt, name), 0);
                assert_int_equal(fdt_property_u32(fdt, "phandle", 0x10000 + d), 0);
            }
        for (unsigned d = 0; i + 1 == width && d < depth; d++)
            assert_int_equal(fdt_end_node(fdt), 0);
        assert_int_equal(fdt_end_node(fdt), 0);
    }
    assert_int_equal(fdt_end_node(fdt), 0);
    assert_int_equal(fdt_finish(fdt), 0);
    return fdt;
}

static void too_many_nodes(void **state)
{
    void *fdt = generate(HYP_FDT_INDEX_MAX + 200, 3);

    (void)state;
    assert_int_equal(hyp_fdt_index_build(&idx, fdt), 0);
    assert_false(idx.complete);
    assert_int_equal(idx.count, HYP_FDT_INDEX_MAX);
    /* Nodes past the index, and their phandles, come from libfdt. */
    assert_int_equal(compare_all(fdt), HYP_FDT_INDEX_MAX + 200 + 1 + 3);
    free(fdt);
}

static void too_deep(void **state)
{
    void *fdt = generate(4, HYP_FDT_INDEX_DEPTH + 10);

    (void)state;
    assert_int_equal(hyp_fdt_index_build(&idx, fdt), 0);
    assert_false(idx.complete);
    compare_all(fdt);
    free(fdt);
}

static void small_tree_whole(void **state)
{
    void *fdt = generate(10, 5);

    (void)state;
    assert_int_equal(hyp_fdt_index_build(&idx, fdt), 0);
    assert_true(idx.complete);
    assert_int_equal(compare_all(fdt), 16);
    /* The root has no parent; the deepest node's parent is the one above. */
    assert_int_equal(hyp_fdt_index_parent(&idx, 0), -FDT_ERR_NOTFOUND);
    assert_int_equal(hyp_fdt_index_parent(&idx, hyp_fdt_index_by_phandle(&idx, 0x10004)),
                     hyp_fdt_index_by_phandle(&idx, 0x10003));
    free(fdt);
}

static void broken_tree(void **state)
{
    void *fdt = generate(3, 0);

    (void)state;
    /* Cut the structure block short: the walk fails, nothing is indexed,
     * and every lookup is libfdt's own. */
    fdt_set_size_dt_struct(fdt, 24);
    assert_true(hyp_fdt_index_build(&idx, fdt) < 0);
    assert_int_equal(idx.count, 0);
    assert_false(idx.complete);
    free(fdt);
}

/* The cached index follows the tree: another tree, or the same buffer edited
 * in place, is indexed anew. */
static void cache_follows_the_tree(void **state)
{
    void *a = generate(6, 2), *b = generate(9, 0);
    const struct hyp_fdt_index *ia;
    int node;

    (void)state;
    ia = hyp_fdt_index_for(a);
    assert_ptr_equal(ia->fdt, a);
    node = hyp_fdt_index_by_phandle(ia, 3);
    assert_true(node > 0);
    assert_int_equal(hyp_fdt_index_by_phandle(hyp_fdt_index_for(b), 9),
                     fdt_node_offset_by_phandle(b, 9));
    /* Back to a, then change a phandle in place: same size, same offsets. */
    assert_int_equal(hyp_fdt_index_by_phandle(hyp_fdt_index_for(a), 3), node);
    assert_int_equal(fdt_setprop_inplace_u32(a, node, "phandle", 0x77), 0);
    assert_int_equal(hyp_fdt_index_by_phandle(hyp_fdt_index_for(a), 0x77), node);
    assert_int_equal(hyp_fdt_index_by_phandle(hyp_fdt_index_for(a), 3),
                     -FDT_ERR_NOTFOUND);
    /* A blob that is not a DTB: nothing indexed, libfdt answers. */
    memset(b, 0, 64);
    assert_int_equal(hyp_fdt_index_for(b)->count, 0);
    assert_true(hyp_fdt_index_parent(hyp_fdt_index_for(b), 8) < 0);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_test_dtb), cmocka_unit_test(small_tree_whole),
        cmocka_unit_test(too_many_nodes), cmocka_unit_test(too_deep),
        cmocka_unit_test(broken_tree),    cmocka_unit_test(cache_follows_the_tree),
    };

    if (argc != 2) {
        fprintf(stderr, "usage: %s DTB_DIR\n", argv[0]);
        return 2;
    }
    dtb_dir = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
