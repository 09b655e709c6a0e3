/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file colour.c
 * @brief Cache colours: the LLC geometry, the colour of a page, coloured RAM
 *        layouts and their audit (see hyp/colour.h).
 *
 * A layout's page i lies in period i / count of the span, at the position
 * of the VM's (i % count)-th colour: one division per page, no table. The
 * audit of a stage 2 is in colour_audit.c, so that users of the rest (the
 * config validator, host tools) do not link the page-table walker, and the
 * DT reader in fdt/colour_dt.c, so that this file needs no libfdt.
 */
#include <hyp/colour.h>
#include <hyp/error.h>

#include <stdio.h>
#include <string.h>

static bool power_of_two(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

int hyp_colour_geom_init(struct hyp_colour_geom *g, uint64_t cache_size,
                         uint32_t line_size, uint32_t sets, char *why, size_t why_len)
{
    uint64_t way;
    char dummy[1];

    if (!why) {
        why = dummy;
        why_len = sizeof(dummy);
    }
    if (!g) {
        snprintf(why, why_len, "no geometry to fill");
        return HYP_EINVAL;
    }
    memset(g, 0, sizeof(*g));
    if (!power_of_two(line_size) || line_size < 16 || line_size > HYP_COLOUR_PAGE) {
        snprintf(why, why_len, "line size %u is not a power of two in 16..4096",
                 (unsigned)line_size);
        return HYP_EINVAL;
    }
    if (!power_of_two(sets)) {
        snprintf(why, why_len, "%u sets is not a power of two", (unsigned)sets);
        return HYP_EINVAL;
    }
    way = (uint64_t)sets * line_size;
    if (cache_size == 0 || cache_size % way != 0 || cache_size / way > 0xffffffffu) {
        snprintf(why, why_len,
                 "cache size %llu is not a non-zero multiple of sets x line size (%llu)",
                 (unsigned long long)cache_size, (unsigned long long)way);
        return HYP_EINVAL;
    }
    g->cache_size = cache_size;
    g->line_size = line_size;
    g->sets = sets;
    g->ways = (uint32_t)(cache_size / way);
    g->cache_colours = way > HYP_COLOUR_PAGE ? (unsigned)(way / HYP_COLOUR_PAGE) : 1;
    g->colours = g->cache_colours > HYP_COLOUR_MAX ? HYP_COLOUR_MAX : g->cache_colours;
    return HYP_OK;
}

unsigned hyp_colour_of(const struct hyp_colour_geom *g, uint64_t pa)
{
    return (unsigned)((pa / HYP_COLOUR_PAGE) % g->colours);
}

unsigned hyp_colour_count(hyp_colour_set set)
{
    return (unsigned)__builtin_popcountll(set);
}

hyp_colour_set hyp_colour_all(const struct hyp_colour_geom *g)
{
    return g->colours >= 64 ? ~(hyp_colour_set)0 : ((hyp_colour_set)1 << g->colours) - 1;
}

uint64_t hyp_colour_span(const struct hyp_colour_geom *g, hyp_colour_set set,
                         uint64_t size)
{
    unsigned k = hyp_colour_count(set & hyp_colour_all(g));
    uint64_t pages = (size + HYP_COLOUR_PAGE - 1) / HYP_COLOUR_PAGE, periods;

    if (k == 0)
        return 0;
    periods = (pages + k - 1) / k;
    if (periods > UINT64_MAX / HYP_COLOUR_PAGE / g->colours)
        return 0;
    return periods * g->colours * HYP_COLOUR_PAGE;
}

uint64_t hyp_colour_bytes_in(const struct hyp_colour_geom *g, hyp_colour_set set,
                             const struct hyp_range *r)
{
    uint64_t period = (uint64_t)g->colours * HYP_COLOUR_PAGE, bytes = 0;
    uint64_t at = r->base, end = r->base + r->size;
    unsigned k = hyp_colour_count(set & hyp_colour_all(g));

    if (r->size == 0 || end < r->base)
        return 0;
    /* Page by page up to a period boundary, whole periods, then the tail. */
    while (at < end && at % period != 0) {
        uint64_t next = (at / HYP_COLOUR_PAGE + 1) * HYP_COLOUR_PAGE;

        if (next > end || next < at)
            next = end;
        if (set & ((hyp_colour_set)1 << hyp_colour_of(g, at)))
            bytes += next - at;
        at = next;
    }
    if (at < end && end - at >= period) {
        uint64_t n = (end - at) / period;

        bytes += n * k * HYP_COLOUR_PAGE;
        at += n * period;
    }
    while (at < end) {
        uint64_t next = (at / HYP_COLOUR_PAGE + 1) * HYP_COLOUR_PAGE;

        if (next > end || next < at)
            next = end;
        if (set & ((hyp_colour_set)1 << hyp_colour_of(g, at)))
            bytes += next - at;
        at = next;
    }
    return bytes;
}

int hyp_colour_layout_init(struct hyp_colour_layout *l, const struct hyp_colour_geom *g,
                           hyp_colour_set set, uint64_t base, uint64_t size)
{
    uint64_t span;

    if (!l || !g || g->colours == 0 || set == 0 || (set & ~hyp_colour_all(g)) ||
        size == 0 || size % HYP_COLOUR_PAGE)
        return HYP_EINVAL;
    if (base % ((uint64_t)g->colours * HYP_COLOUR_PAGE))
        return HYP_EALIGN;
    span = hyp_colour_span(g, set, size);
    if (span == 0 || base + span - 1 < base)
        return HYP_ERANGE;
    memset(l, 0, sizeof(*l));
    l->base = base;
    l->span = span;
    l->size = size;
    l->period = g->colours;
    for (unsigned c = 0; c < g->colours; c++)
        if (set & ((hyp_colour_set)1 << c))
            l->list[l->count++] = (uint8_t)c;
    return HYP_OK;
}

uint64_t hyp_colour_pa(const struct hyp_colour_layout *l, uint64_t offset)
{
    uint64_t page = offset / HYP_COLOUR_PAGE;
    uint64_t frame = page / l->count * l->period + l->list[page % l->count];

    return l->base + frame * HYP_COLOUR_PAGE + offset % HYP_COLOUR_PAGE;
}

uint64_t hyp_colour_run(const struct hyp_colour_layout *l, uint64_t offset)
{
    uint64_t page = offset / HYP_COLOUR_PAGE, end;
    unsigned i = (unsigned)(page % l->count), j = i;

    /* Consecutive colours of the list are consecutive pages; the last
     * colour of a period meets the first of the next when both are the
     * period's ends, i.e. when the VM has every colour. */
    if (l->count == l->period)
        return l->size - offset;
    while (j + 1 < l->count && l->list[j + 1] == l->list[j] + 1)
        j++;
    end = (page - i + j + 1) * HYP_COLOUR_PAGE;
    return (end < l->size ? end : l->size) - offset;
}

void hyp_colour_format(hyp_colour_set set, char *buf, size_t size)
{
    size_t used = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    if (set == 0) {
        snprintf(buf, size, "none");
        return;
    }
    for (unsigned c = 0; c < HYP_COLOUR_MAX && used + 1 < size; c++) {
        unsigned e = c;
        int n;

        if (!(set & ((hyp_colour_set)1 << c)))
            continue;
        while (e + 1 < HYP_COLOUR_MAX && (set & ((hyp_colour_set)1 << (e + 1))))
            e++;
        if (e == c)
            n = snprintf(buf + used, size - used, "%s%u", used ? "," : "", c);
        else
            n = snprintf(buf + used, size - used, "%s%u-%u", used ? "," : "", c, e);
        used += n > 0 ? (size_t)n : 0;
        c = e;
    }
}
