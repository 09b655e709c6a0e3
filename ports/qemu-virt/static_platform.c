/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * QEMU virt's platform from constants (static_platform.h) instead of the
 * boot DTB, for images that link no DT parser: linked in place of the
 * library's hyp_boot_platform() (libhyp/core/boot_dt.c). RAM size comes from
 * the boot record, the CPUs from PSCI: every MPIDR of the first cluster that
 * AFFINITY_INFO does not reject is a CPU.
 */
#include <stdio.h>
#include <hyp/config.h>
#include <hyp/error.h>
#include <hyp/platform.h>
#include <hyp/psci.h>
#include <hyp/sysreg.h>
#include "static_platform.h"

/* ID_AA64PFR0_EL1.GIC: the GICv3 system-register interface is there. */
#define PFR0_GIC_SHIFT 24

struct virt_boot_record virt_boot;

int hyp_boot_platform(uint64_t dtb, struct hyp_platform *plat, char *err)
{
    const volatile struct virt_boot_record *rec =
        (const volatile struct virt_boot_record *)(uintptr_t)VIRT_BOOT_RECORD;

    virt_boot = (struct virt_boot_record){rec->magic, rec->ram_size, rec->entry_ipa};
    if (virt_boot.magic != VIRT_BOOT_MAGIC ||
        virt_boot.ram_size <= VIRT_MONITOR_RESERVE) {
        snprintf(err, HYP_PLATFORM_ERRLEN,
                 "no boot record at %#llx (boot with scripts/run, which writes it)",
                 VIRT_BOOT_RECORD);
        return HYP_ENOENT;
    }
    *plat = (struct hyp_platform){
        .mem = {{VIRT_RAM_BASE, virt_boot.ram_size}},
        .mem_count = 1,
        .uart.regs = {VIRT_UART, VIRT_PAGE},
        .psci = HYP_PSCI_SMC,
        .dtb = {dtb, 0},
        .gic.gicd = {VIRT_GICD, VIRT_GIC_FRAME},
    };
    if ((read_sysreg(id_aa64pfr0_el1) >> PFR0_GIC_SHIFT) & 0xf) {
        plat->gic.version = 3;
        plat->gic.gicr[0] = (struct hyp_range){VIRT_GICR, VIRT_GICR_SIZE};
        plat->gic.gicr_count = 1;
    } else {
        plat->gic.version = 2;
        plat->gic.gicc = (struct hyp_range){VIRT_GICC, VIRT_GIC_FRAME};
    }
    psci_fw_init(HYP_PSCI_SMC);
    for (uint64_t mpidr = 0; mpidr < HYP_MAX_CPUS; mpidr++) {
        if (hyp_firmware_call(PSCI_0_2_FN_AFFINITY_INFO_64, mpidr, 0, 0) < 0)
            break;
        plat->cpus[plat->cpu_count++].mpidr = mpidr;
    }
    return HYP_OK;
}
