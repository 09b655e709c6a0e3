/* SPDX-License-Identifier: BSD-2-Clause */
/* The guide's snippets, as functions that main.c references so that the
 * linker resolves every libhyp call they make (install.guide-snippets). */
#ifndef GUIDE_SNIPPETS_H
#define GUIDE_SNIPPETS_H

#include <stdint.h>
#include <stdio.h>
#include <hyp/hyp.h>
#include <hyp/vmbuild.h>

int guide_run_cpu(struct hyp_vmbuild *vm, unsigned vcpu);
uint64_t guide_wfi_exits(void);
int guide_add_scratch(struct hyp_vm *vm, uint64_t ipa);
int guide_register_service(void);
uint64_t guide_guest_add(uint64_t a, uint64_t b);
int guide_owner_setup(struct hyp_vm *a, struct hyp_vm *b, uint64_t pa);
int guide_owner_lend(uint64_t pa, uint64_t peer_ipa);
int guide_owner_end_loan(uint64_t pa, uint64_t peer_ipa);
const struct hyp_run_hooks *guide_caller_hooks(struct hyp_vmbuild *b);
int guide_describe_single(struct hyp_range keep, char *err);
int guide_build_partitions(char *err);
int guide_run_partition_cpu(void);

#endif /* GUIDE_SNIPPETS_H */
