/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest for the partitioner: a VM that reaches for what is not its own.
 *
 * Run as VM "bare" of examples/partitioner/configs/qemu-virt-3vm.dts (its
 * 16 MiB seen at 0x40000000, the PL031 RTC and 2 MiB shared at 0x7f000000
 * given), it reads and writes the physical addresses of the other VMs'
 * memory and of another VM's boot module, guest addresses past its own RAM,
 * and a device given to another VM: each access must reach the guest's own EL1
 * vectors as a synchronous external abort (its stage 2 maps none of them),
 * after which the guest carries on. What it was given must work: its own
 * RAM, the shared region, its RTC. It also enables, in its own virtual
 * GIC, the SPI of linux-a's device and sends SGIs to CPUs it does not have:
 * that changes nothing outside the VM (the Linux VMs boot on). The
 * hypervisor's own memory (physical 0x40000000..) has no guest address at
 * all: this VM's 0x40000000 is its own RAM at 0x70000000. Prints TAP.
 */
#include <stdio.h>
#include <string.h>
#include "lib/guest.h"

/* The sample config's physical layout (hyp-config's partition map). */
#define LINUX_A_RAM    0x41000000ULL /* vm@0's memory, 0x41000000.. */
#define LINUX_B_RAM    0x59000000ULL /* vm@1's memory, 0x59000000.. */
#define LINUX_A_MODULE 0x71000000ULL /* vm@0's kernel module */
#define LINUX_A_VIRTIO 0x0a003e00ULL /* vm@0's virtio-mmio transport */
#define SHARED         0x7f000000ULL /* shm-b-bare, shared with linux-b */
#define RTC            0x09010000ULL /* the PL031 given to this VM */
#define GICD           0x08000000ULL
#define LINUX_A_SPI    79u /* the INTID of vm@0's device */

static bool aborted(uint64_t pa, bool write)
{
    volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)pa;
    struct guest_exception e;
    uint32_t v = 0;
    bool took;

    guest_expect_exception();
    if (write)
        *p = 0xbadc0ffe;
    else
        v = *p;
    took = guest_took_exception(&e);
    (void)v;
    return took && ESR_EC(e.esr) == EC_DABT_CUR &&
           DABT_DFSC(e.esr) == DFSC_SYNC_EXT_ABORT && !!(e.esr & DABT_WNR) == write;
}

static void check_denied(uint64_t pa, const char *what)
{
    tap_ok(aborted(pa, false), "read of %s (0x%llx) takes an external abort", what,
           (unsigned long long)pa);
    tap_ok(aborted(pa, true), "write to %s (0x%llx) takes an external abort", what,
           (unsigned long long)pa);
}

static bool no_exception(void)
{
    guest_expect_exception();
    return !guest_took_exception(NULL);
}

void guest_main(void)
{
    volatile uint32_t *shared = (volatile uint32_t *)(uintptr_t)SHARED;
    volatile uint32_t *rtc_id = (volatile uint32_t *)(uintptr_t)(RTC + 0xfe0);
    volatile uint32_t *isenabler = (volatile uint32_t *)(uintptr_t)(GICD + 0x100);
    static volatile uint32_t own = 0x11111111;
    uint32_t id;

    tap_diag("trespass: a partitioned VM reaches for other VMs' memory and devices");
    check_denied(LINUX_A_RAM, "linux-a's memory");
    check_denied(LINUX_B_RAM + 0x800000, "linux-b's memory");
    check_denied(LINUX_A_MODULE, "linux-a's kernel module");
    check_denied(0x40200000ULL + 0x01000000ULL, "memory past its own 16 MiB");
    check_denied(LINUX_A_VIRTIO, "linux-a's virtio-mmio device");

    own = own + 1;
    tap_ok(own == 0x11111112 && no_exception(), "its own RAM still works");
    shared[0] = 0x5eed0001;
    tap_ok(shared[0] == 0x5eed0001 && no_exception(), "the shared region is its to use");
    id = *rtc_id;
    tap_ok(id == 0x31 && no_exception(), "its PL031 answers (PeriphID0 0x%x)", id);

    /* Its own virtual distributor takes the write; the physical SPI is not
     * this VM's, and the other VMs notice nothing. */
    isenabler[LINUX_A_SPI / 32] = 1u << (LINUX_A_SPI % 32);
    tap_ok(no_exception(), "enabling linux-a's SPI %u in its own GIC is harmless",
           LINUX_A_SPI);
    /* SGI 1 to affinity 1..3 (no such vCPU here): ignored. */
    sysreg_write(s3_0_c12_c11_5, (1ULL << 24) | 0xeULL);
    __asm__ volatile("isb" ::: "memory");
    tap_ok(no_exception(), "SGIs to CPUs it does not have are ignored");
}
