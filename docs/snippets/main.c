/* SPDX-License-Identifier: BSD-2-Clause */
/* Links every snippet of the guide into one image (never booted): a snippet
 * that no longer compiles or links against the installed libhyp fails
 * install.guide-snippets. */
#include "snippets.h"

int main(void)
{
    static struct hyp_vmbuild a, b;
    char err[HYP_GUEST_ERRLEN];
    struct hyp_range keep = {0x40000000, 16 << 20};
    int rc = guide_register_service();

    /* Calls in an order that makes no sense at run time: only links. */
    rc |= guide_describe_single(keep, err) | guide_build_partitions(err);
    rc |= guide_add_scratch(&a.vm, 0x0a100000) | guide_owner_setup(&a.vm, &b.vm, 0);
    rc |= guide_owner_lend(0, 0) | guide_owner_end_loan(0, 0);
    rc |= hyp_vmbuild_run(&a, 0, guide_caller_hooks(&b)) | guide_run_cpu(&a, 0);
    rc |= guide_run_partition_cpu() | (int)guide_guest_add(2, 40);
    printf("%d %llu\n", rc, (unsigned long long)guide_wfi_exits());
    return 0;
}
