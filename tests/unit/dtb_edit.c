/* SPDX-License-Identifier: BSD-2-Clause */
/* DTB fixture helpers shared by the host tests (see dtb_edit.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <libfdt.h>
#include "dtb_edit.h"

const char *dtb_dir;

void *load(const char *name, size_t slack)
{
    char path[512];
    FILE *f;
    long len;
    void *buf;

    snprintf(path, sizeof(path), "%s/%s.dtb", dtb_dir, name);
    f = fopen(path, "rb");
    if (!f)
        print_error("cannot open %s\n", path);
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len > 0);
    rewind(f);
    buf = malloc((size_t)len + slack); /* malloc aligns to at least 8 */
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return buf;
}

void *edit(const char *name)
{
    void *buf = load(name, EDIT_SLACK);

    assert_int_equal(fdt_open_into(buf, buf, (int)(fdt_totalsize(buf) + EDIT_SLACK)), 0);
    return buf;
}

int node_at(const void *fdt, const char *path)
{
    int node = fdt_path_offset(fdt, path);

    if (node < 0)
        print_error("no node %s\n", path);
    assert_true(node >= 0);
    return node;
}

void set_cells(void *fdt, const char *path, const char *prop, const uint32_t *v, size_t n)
{
    fdt32_t cells[64];

    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++)
        cells[i] = cpu_to_fdt32(v[i]);
    assert_int_equal(
        fdt_setprop(fdt, node_at(fdt, path), prop, cells, (int)(n * sizeof(fdt32_t))), 0);
}

void set_string(void *fdt, const char *path, const char *prop, const char *value)
{
    assert_int_equal(fdt_setprop_string(fdt, node_at(fdt, path), prop, value), 0);
}

void del_prop(void *fdt, const char *path, const char *prop)
{
    assert_int_equal(fdt_delprop(fdt, node_at(fdt, path), prop), 0);
}
