/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test image: with the EL2 MMU on, each secondary CPU breaks one rule of the
 * hypervisor's own address space and must be stopped by the exception dump:
 *   CPU 1 reads RAM that is not mapped       -> translation fault
 *   CPU 2 writes read-only data              -> permission fault on write
 *   CPU 3 jumps into writable (XN) data      -> instruction abort
 * CPU 0 first checks hyp_el2_map() makes a new range readable, then waits.
 */
#include <stdio.h>
#include <hyp/hyp.h>
#include <hyp/mm.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>

static const uint32_t read_only_word = 0x1234;
static uint32_t code_in_data[4] __attribute__((aligned(16)));
static unsigned faulted;

static void read_unmapped(void *arg)
{
    volatile const uint32_t *p = arg;

    printf("mmu-fault: CPU %u reading unmapped %p\n", hyp_cpu_id(), (const void *)p);
    __atomic_fetch_add(&faulted, 1, __ATOMIC_RELEASE);
    (void)*p;
    printf("mmu-fault: read of unmapped memory returned\n");
}

static void write_rodata(void *arg)
{
    printf("mmu-fault: CPU %u writing rodata %p\n", hyp_cpu_id(), arg);
    __atomic_fetch_add(&faulted, 1, __ATOMIC_RELEASE);
    *(volatile uint32_t *)arg = 0;
    printf("mmu-fault: write to rodata returned\n");
}

static void exec_data(void *arg)
{
    void (*fn)(void) = (void (*)(void))arg;

    code_in_data[0] = 0xd65f03c0; /* ret */
    printf("mmu-fault: CPU %u executing data %p\n", hyp_cpu_id(), arg);
    __atomic_fetch_add(&faulted, 1, __ATOMIC_RELEASE);
    fn();
    printf("mmu-fault: execution from data returned\n");
}

int main(void)
{
    const struct hyp_platform *plat = hyp_platform_get();
    /* The last page of RAM: far from the image, the DTB and the tables. */
    uint64_t last_page = plat->mem[plat->mem_count - 1].base +
                         plat->mem[plat->mem_count - 1].size - HYP_PAGE_SIZE;
    /* Another page, mapped at run time: must then read without a fault. */
    uint64_t extra_page = last_page - HYP_PAGE_SIZE;
    int rc;

    printf("mmu-fault: EL2 tables use %llu pages\n",
           (unsigned long long)hyp_el2_table_pages());
    rc = hyp_el2_map(extra_page, HYP_PAGE_SIZE, HYP_PROT_R);
    printf("mmu-fault: mapped %#llx: %s, reads %#x\n", (unsigned long long)extra_page,
           hyp_strerror(rc),
           rc == HYP_OK ? *(volatile uint32_t *)(uintptr_t)extra_page : 0);
    if (hyp_cpu_count() < 4) {
        printf("mmu-fault: needs 4 CPUs\n");
        return 1;
    }
    hyp_cpu_start(1, read_unmapped, (void *)(uintptr_t)last_page);
    hyp_cpu_start(2, write_rodata, (void *)&read_only_word);
    hyp_cpu_start(3, exec_data, (void *)code_in_data);
    while (__atomic_load_n(&faulted, __ATOMIC_ACQUIRE) < 3)
        hyp_cpu_relax();
    printf("mmu-fault: CPU 0 still running, rodata word %#x\n", read_only_word);
    hyp_console_flush();
    hyp_halt_cpu();
}
