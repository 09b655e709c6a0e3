/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers the device-tree parsers share (see fdt_util.h). */
#include "fdt_util.h"

#include <stdio.h>
#include <string.h>

uint64_t hyp_fdt_cells(const fdt32_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v = (v << 32) | fdt32_ld(p + i);
    return v;
}

void hyp_fdt_quote(char *out, size_t size, const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0' && n < HYP_FDT_QUOTE_MAX && n + 4 < size; n++)
        out[n] = (s[n] >= 0x20 && s[n] < 0x7f) ? s[n] : '?';
    if (s[n] != '\0' && n + 4 <= size) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

bool hyp_fdt_name_in(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

void hyp_fdt_copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (n > size - 1)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void hyp_fdt_path(const void *fdt, int node, char *buf, size_t size)
{
    if (fdt_get_path(fdt, node, buf, (int)size) != 0) {
        const char *name = fdt_get_name(fdt, node, NULL);

        snprintf(buf, size, "node '%s'", name ? name : "?");
    }
    buf[size - 1] = '\0'; /* libfdt does not promise termination on failure */
}
