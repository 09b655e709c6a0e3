/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * QEMU virt as constants, for images that parse no device tree at EL2
 * (static_platform.c, examples/thin-monitor-min). The addresses are those of
 * QEMU's virt memory map (the DTB `-machine dumpdtb` writes shows them); what
 * varies from run to run (RAM size, the guest's entry) comes in the boot
 * record that scripts/run writes with QEMU's generic loader.
 */
#ifndef QEMU_VIRT_STATIC_PLATFORM_H
#define QEMU_VIRT_STATIC_PLATFORM_H

#include <stdint.h>

#define VIRT_RAM_BASE  0x40000000ULL
#define VIRT_GICD      0x08000000ULL /* distributor, 64 KiB */
#define VIRT_GICC      0x08010000ULL /* GICv2 CPU interface, 64 KiB */
#define VIRT_GICR      0x080a0000ULL /* GICv3 redistributors, 123 x 128 KiB */
#define VIRT_GICR_SIZE 0x00f60000ULL
#define VIRT_GIC_FRAME 0x00010000ULL
#define VIRT_UART      0x09000000ULL /* PL011, the console */
#define VIRT_RTC       0x09010000ULL /* PL031 */
#define VIRT_GPIO      0x09030000ULL /* PL061: Linux's power button */
#define VIRT_PAGE      0x1000ULL

/*
 * The boot record: at VIRT_BOOT_RECORD (the last page of the 16 MiB the
 * monitor keeps at the start of RAM), three little-endian 64-bit words that
 * scripts/run takes from the machine it starts and the boot DTB it makes.
 */
#define VIRT_MONITOR_RESERVE (16ULL << 20)
#define VIRT_BOOT_RECORD     (VIRT_RAM_BASE + VIRT_MONITOR_RESERVE - VIRT_PAGE)
#define VIRT_BOOT_MAGIC      0x544f4f4250594848ULL /* "HHYPBOOT" */

struct virt_boot_record {
    uint64_t magic;     /* VIRT_BOOT_MAGIC */
    uint64_t ram_size;  /* bytes of RAM from VIRT_RAM_BASE */
    uint64_t entry_ipa; /* the guest kernel's entry, in guest addresses */
};

/* The record as read at boot (hyp_boot_platform() checked its magic). */
extern struct virt_boot_record virt_boot;

#endif /* QEMU_VIRT_STATIC_PLATFORM_H */
