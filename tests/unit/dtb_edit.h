/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers of the host tests that read DTB fixtures and edit them with libfdt
 * (test_platform, test_guest, test_policy). Every helper asserts (CMocka) on
 * failure, so a test never goes on with a half-made tree.
 */
#ifndef LIBHYP_TESTS_DTB_EDIT_H
#define LIBHYP_TESTS_DTB_EDIT_H

#include <stddef.h>
#include <stdint.h>

/** Room added to a DTB opened for editing. */
#define EDIT_SLACK 16384

/** Directory of the compiled fixtures; each test's main() sets it. */
extern const char *dtb_dir;

/** Read dtb_dir/NAME.dtb into a heap buffer with @p slack spare bytes. */
void *load(const char *name, size_t slack);
/** A fixture opened with EDIT_SLACK bytes of room for libfdt edits. */
void *edit(const char *name);
/** Offset of the node at @p path, which must exist. */
int node_at(const void *fdt, const char *path);
/** Set @p prop of @p path to @p n big-endian cells. */
void set_cells(void *fdt, const char *path, const char *prop, const uint32_t *v,
               size_t n);
/** set_cells() with the cells as arguments. */
#define SET_CELLS(fdt, path, prop, ...)                                                  \
    set_cells(fdt, path, prop, (const uint32_t[]){__VA_ARGS__},                          \
              sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))
/** Set @p prop of @p path to a string. */
void set_string(void *fdt, const char *path, const char *prop, const char *value);
/** Delete @p prop of @p path, which must exist. */
void del_prop(void *fdt, const char *path, const char *prop);

#endif
