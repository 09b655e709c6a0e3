/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: platform discovery over arbitrary bytes. Discovery must
 * never crash or read out of bounds, must always leave a terminated message on
 * failure, and on success must report a platform within its own limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/platform.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hyp_platform plat;
    char err[HYP_PLATFORM_ERRLEN];
    /* libfdt needs 8-byte alignment; ASan sees overreads past `size`. */
    uint64_t *copy = malloc(size ? size : 1);
    int rc;

    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    memset(err, 'x', sizeof(err));
    rc = hyp_platform_discover(copy, size, &plat, err);
    if (memchr(err, '\0', sizeof(err)) == NULL)
        abort();
    if (rc == HYP_OK) {
        if (plat.mem_count == 0 || plat.mem_count > HYP_PLATFORM_MAX_MEM ||
            plat.cpu_count == 0 || plat.cpu_count > HYP_PLATFORM_MAX_CPUS ||
            plat.reserved_count > HYP_PLATFORM_MAX_RESERVED ||
            plat.gic.gicr_count > HYP_PLATFORM_MAX_GICR ||
            (plat.gic.version != 2 && plat.gic.version != 3))
            abort();
        for (unsigned i = 0; i < plat.mem_count; i++)
            if (plat.mem[i].size == 0 ||
                plat.mem[i].base + plat.mem[i].size < plat.mem[i].base)
                abort();
    } else if (rc >= 0 || err[0] == '\0') {
        abort();
    }
    free(copy);
    return 0;
}
