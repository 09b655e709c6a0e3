/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file guest_util.c
 * @brief Error messages, range arithmetic and seeds for the guest loader.
 */
#include "guest_internal.h"

#include <hyp/guest.h>
#include <hyp/sha256.h>

#include <libfdt.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hyp_guest_fail(char *err, const void *fdt, int node, int code, const char *fmt, ...)
{
    size_t used = 0;
    va_list ap;

    if (!err)
        return code;
    err[0] = '\0';
    if (fdt && node >= 0) {
        if (fdt_get_path(fdt, node, err, HYP_GUEST_ERRLEN) != 0) {
            const char *name = fdt_get_name(fdt, node, NULL);

            snprintf(err, HYP_GUEST_ERRLEN, "node '%s'", name ? name : "?");
        }
        err[HYP_GUEST_ERRLEN - 1] = '\0';
        used = strlen(err);
        if (used + 2 < HYP_GUEST_ERRLEN) {
            memcpy(err + used, ": ", 3);
            used += 2;
        }
    }
    if (used + 1 < HYP_GUEST_ERRLEN) {
        va_start(ap, fmt);
        vsnprintf(err + used, HYP_GUEST_ERRLEN - used, fmt, ap);
        va_end(ap);
    }
    return code;
}

bool hyp_guest_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    if (as == 0 || bs == 0)
        return false;
    /* Compare last bytes so that ranges ending at 2^64 do not wrap. */
    return a <= b + (bs - 1) && b <= a + (as - 1);
}

bool hyp_guest_align_up(uint64_t v, uint64_t align, uint64_t *out)
{
    uint64_t r = (v + (align - 1)) & ~(align - 1);

    if (r < v)
        return false;
    *out = r;
    return true;
}

/* SHA-256 over @label (with its NUL), the guest's number and the boot seeds. */
static void derive(const struct hyp_platform *plat, const char *label, unsigned guest,
                   uint8_t out[HYP_SHA256_SIZE])
{
    struct hyp_sha256 s;
    uint8_t num[4], kaslr[8];

    for (unsigned i = 0; i < 4; i++)
        num[i] = (uint8_t)(guest >> (8 * i));
    for (unsigned i = 0; i < 8; i++)
        kaslr[i] = (uint8_t)(plat->kaslr_seed >> (8 * i));
    hyp_sha256_init(&s);
    hyp_sha256_update(&s, label, strlen(label) + 1);
    hyp_sha256_update(&s, num, sizeof(num));
    hyp_sha256_update(&s, plat->rng_seed, plat->rng_seed_len);
    hyp_sha256_update(&s, kaslr, sizeof(kaslr));
    hyp_sha256_final(&s, out);
}

void hyp_guest_seeds(const struct hyp_platform *plat, unsigned guest,
                     struct hyp_guest_seeds *out)
{
    uint8_t k[HYP_SHA256_SIZE];

    memset(out, 0, sizeof(*out));
    if (plat->rng_seed_len == 0 && plat->kaslr_seed == 0)
        return;
    derive(plat, "libhyp guest rng-seed", guest, out->rng);
    out->rng_len = sizeof(out->rng);
    derive(plat, "libhyp guest kaslr-seed", guest, k);
    for (unsigned i = 0; i < 8; i++)
        out->kaslr = out->kaslr << 8 | k[i];
}
