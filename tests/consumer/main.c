/* SPDX-License-Identifier: BSD-2-Clause */
/* An out-of-tree hypervisor: prints one line and powers off. */
#include <stdio.h>
#include <hyp/hyp.h>

int main(void)
{
    printf("consumer: hello from an out-of-tree hypervisor on %u CPUs\n",
           hyp_cpu_count());
    return 0;
}
