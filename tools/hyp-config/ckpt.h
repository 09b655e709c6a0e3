/* SPDX-License-Identifier: BSD-2-Clause */
/* hyp-config's `ckpt` subcommand (ckpt.c). */
#ifndef HYP_CONFIG_CKPT_H
#define HYP_CONFIG_CKPT_H

/* `hyp-config ckpt show FILE`; argv[1] is "ckpt". Returns the exit status. */
int ckpt_main(int argc, char **argv);

#endif
