/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers the device-tree parsers share (internal). */
#ifndef HYP_FDT_UTIL_H
#define HYP_FDT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libfdt.h>

/* printf-style checking of a message builder's format. */
#if defined(__GNUC__)
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PRINTF_LIKE(fmt, args)
#endif

/* Entries of an array. */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Longest string value hyp_fdt_quote() copies before it writes "...". */
#define HYP_FDT_QUOTE_MAX 24

/* @n (0..2) big-endian cells as one value. */
uint64_t hyp_fdt_cells(const fdt32_t *p, unsigned n);

/*
 * Copy a string taken from a DTB for quoting in a message: at most
 * HYP_FDT_QUOTE_MAX characters then "...", unprintable ones as '?'. @size
 * of HYP_FDT_QUOTE_MAX + 4 holds any result.
 */
void hyp_fdt_quote(char *out, size_t size, const char *s);

/* @name is one of the @n strings of @list. */
bool hyp_fdt_name_in(const char *name, const char *const *list, size_t n);

/* Copy @src into @dst of @size bytes, truncating; always terminated. */
void hyp_fdt_copy(char *dst, size_t size, const char *src);

/* The path of @node into @buf, or "node '<name>'" when it does not fit. */
void hyp_fdt_path(const void *fdt, int node, char *buf, size_t size);

#endif /* HYP_FDT_UTIL_H */
