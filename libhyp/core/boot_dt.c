/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The boot code's default source of the platform: the DTB in x0, parsed at
 * EL2. Its own file, so that an image which defines hyp_boot_platform()
 * itself links neither the parser nor libfdt.
 */
#include <hyp/error.h>
#include <hyp/platform.h>

/* The arm64 boot protocol limits the DTB to 2 MiB. */
#define BOOT_DTB_MAX (2u << 20)

int hyp_boot_platform(uint64_t dtb, struct hyp_platform *plat, char *err)
{
    return hyp_platform_discover((const void *)(uintptr_t)dtb, BOOT_DTB_MAX, plat, err);
}
