/* SPDX-License-Identifier: BSD-2-Clause */
/* Guest RAM placement: the banks minus the reserved ranges (see hyp/ram_layout.h). */
#include <stdbool.h>
#include <stddef.h>
#include <hyp/error.h>
#include <hyp/ram_layout.h>

#define GRANULE HYP_RAM_LAYOUT_GRANULE

/* [*start, *end) of a reserved range widened to whole pages; false if it wraps. */
static bool widen(const struct hyp_range *r, uint64_t *start, uint64_t *end)
{
    uint64_t last = r->base + (r->size - 1);

    if (last < r->base || last > UINT64_MAX - GRANULE)
        return false;
    *start = r->base & ~(GRANULE - 1);
    *end = (last | (GRANULE - 1)) + 1;
    return true;
}

static bool bank_ok(const struct hyp_range *b)
{
    return b->size != 0 && b->base % GRANULE == 0 && b->size % GRANULE == 0 &&
           b->base + b->size > b->base;
}

/* The lowest reserved range overlapping [from, to), clipped to start at
 * @p from or later; false if there is none. */
static bool next_reserved(const struct hyp_range *reserved, unsigned n, uint64_t from,
                          uint64_t to, uint64_t *rs, uint64_t *re)
{
    bool found = false;

    for (unsigned i = 0; i < n; i++) {
        uint64_t s, e;

        if (reserved[i].size == 0 || !widen(&reserved[i], &s, &e))
            continue;
        if (e <= from || s >= to)
            continue;
        if (s < from)
            s = from;
        if (!found || s < *rs) {
            *rs = s;
            *re = e;
            found = true;
        }
    }
    return found;
}

int hyp_ram_layout(const struct hyp_range *banks, unsigned bank_count,
                   const struct hyp_range *reserved, unsigned reserved_count,
                   enum hyp_ram_placement placement, uint64_t min_size,
                   struct hyp_vm_ram *out, unsigned max, unsigned *count)
{
    unsigned n = 0;

    if (banks == NULL || bank_count == 0 || out == NULL || count == NULL ||
        (reserved == NULL && reserved_count != 0) ||
        (placement != HYP_RAM_IDENTITY && placement != HYP_RAM_PACKED))
        return HYP_EINVAL;
    for (unsigned i = 0; i < bank_count; i++) {
        if (!bank_ok(&banks[i]))
            return HYP_EINVAL;
        for (unsigned k = 0; k < i; k++)
            if (banks[i].base < banks[k].base + banks[k].size &&
                banks[k].base < banks[i].base + banks[i].size)
                return HYP_EINVAL;
    }
    for (unsigned i = 0; i < reserved_count; i++) {
        uint64_t s, e;

        if (reserved[i].size != 0 && !widen(&reserved[i], &s, &e))
            return HYP_EINVAL;
    }

    for (unsigned b = 0; b < bank_count; b++) {
        uint64_t cursor = banks[b].base, end = banks[b].base + banks[b].size;
        uint64_t ipa = banks[b].base;

        while (cursor < end) {
            uint64_t rs = end, re = end, piece_end;

            if (!next_reserved(reserved, reserved_count, cursor, end, &rs, &re))
                rs = re = end;
            piece_end = rs;
            if (piece_end > cursor && piece_end - cursor >= min_size) {
                if (n == max)
                    return HYP_ENOMEM;
                out[n].pa = cursor;
                out[n].size = piece_end - cursor;
                out[n].ipa = placement == HYP_RAM_IDENTITY ? cursor : ipa;
                ipa += out[n].size;
                n++;
            }
            cursor = re > end ? end : re;
        }
    }
    *count = n;
    return n == 0 ? HYP_ENOENT : HYP_OK;
}
