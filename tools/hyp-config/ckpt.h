/* SPDX-License-Identifier: BSD-2-Clause */
/* hyp-config's `ckpt` subcommand (ckpt.c) and what it shares with `check`. */
#ifndef HYP_CONFIG_CKPT_H
#define HYP_CONFIG_CKPT_H

#include <stddef.h>
#include <hyp/platform.h>

/* `hyp-config ckpt show|check ...`; argv[1] is "ckpt". Returns the exit status. */
int ckpt_main(int argc, char **argv);

/* hyp-config.c: "BASE,SIZE" into @r (0 on success); a DTB read whole
 * (malloc'd, NULL with errno set on failure). */
int parse_hyp(const char *arg, struct hyp_range *r);
void *read_file(const char *path, size_t *size);

#endif
