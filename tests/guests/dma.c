/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dma: two partitioned VMs and a DMA-capable PCI device confined by the
 * SMMU (examples/partitioner/configs/qemu-virt-smmu.dts, QEMU 10 with
 * virt,iommu=smmuv3, arm-smmuv3.stage=2 and an `edu` device, whose DMA
 * engine copies between its 4 KiB buffer and memory).
 *
 * With `dma=device victim=<pa>` on its command line the VM drives the edu
 * device behind the PCIe host bridge it was given: it checks that its DTB
 * describes the bridge without the SMMU (no iommu-map, no msi-map), finds
 * the device on bus 0, places its BAR in the bridge's 32-bit window, and
 * then DMAs from and to its own RAM (which must work: the SMMU translates
 * by its stage 2), to the other VM's physical address <pa>, and just past
 * its own RAM (both must not land: the partitioner reports the faults).
 * With `dma=victim` the VM fills a page of its RAM (the one at <pa>) with a
 * pattern, says so in the memory both share, waits until the device VM
 * says it is done, and checks the page is unchanged. Each prints TAP.
 */
#include "guest.h"

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define PAGE        4096u
#define EDU_ID      0x11e81234u /* device 0x11e8, vendor 0x1234 */
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_BUF     0x40000ULL /* the buffer, in the device's DMA space */
#define EDU_RUN     1u
#define EDU_TO_RAM  2u
#define XFER        256u
#define VICTIM_OFF  0x800000u /* the victim's page: 8 MiB into its RAM */
#define WAIT_US     20000000u
#define READY       0x52454459u /* "REDY" */
#define DONE        0x444f4e45u /* "DONE" */

/* The shared region: each side's word on its own cache line. */
struct mailbox {
    volatile uint32_t victim_ready;
    uint32_t pad0[15];
    volatile uint32_t device_done;
};

static uint64_t ram_base, ram_size;

static void wr64(uint64_t a, uint64_t v)
{
    *(volatile uint64_t *)(uintptr_t)a = v;
}

static uint32_t rd32(uint64_t a)
{
    return *(volatile uint32_t *)(uintptr_t)a;
}

static void wr32(uint64_t a, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)a = v;
}

static struct mailbox *mailbox(const void *fdt)
{
    int shm = fdt_node_offset_by_compatible(fdt, -1, "libhyp,shared-memory");
    uint64_t base;

    if (shm < 0 || !guest_fdt_reg(fdt, shm, 0, &base, NULL))
        tap_bail("no shared-memory node in the DTB");
    return (struct mailbox *)(uintptr_t)base;
}

static bool word_is(void *arg)
{
    const volatile uint32_t *w = arg;

    return *w == READY || *w == DONE;
}

/* Run one edu DMA and wait for it (QEMU completes it on a timer). */
static bool edu_dma(uint64_t bar, uint64_t src, uint64_t dst, uint32_t cmd)
{
    uint64_t start = guest_now_us();

    wr64(bar + EDU_DMA_SRC, src);
    wr64(bar + EDU_DMA_DST, dst);
    wr64(bar + EDU_DMA_CNT, XFER);
    wr64(bar + EDU_DMA_CMD, cmd | EDU_RUN);
    while (rd32(bar + EDU_DMA_CMD) & EDU_RUN)
        if (guest_now_us() - start > 5000000u)
            return false;
    return true;
}

/* The bridge's 32-bit memory window (CPU address) from its ranges. */
static uint64_t mem32_window(const void *fdt, int pci)
{
    int len;
    const fdt32_t *r = fdt_getprop(fdt, pci, "ranges", &len);

    for (int i = 0; r && i + 7 <= len / 4; i += 7)
        if (((fdt32_ld(r + i) >> 24) & 3) == 2)
            return ((uint64_t)fdt32_ld(r + i + 3) << 32) | fdt32_ld(r + i + 4);
    return 0;
}

static void device(const void *fdt, const char *args)
{
    int pci = fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");
    const char *v = strstr(args, "victim=");
    uint64_t victim = v ? strtoull(v + 7, NULL, 0) : 0, ecam = 0, cfg = 0, bar;
    struct mailbox *mb = mailbox(fdt);
    uint8_t *ram = (uint8_t *)(uintptr_t)(ram_base + ram_size / 2);
    uint64_t ram_ipa = ram_base + ram_size / 2;

    if (pci < 0 || !guest_fdt_reg(fdt, pci, 0, &ecam, NULL) || victim == 0)
        tap_bail("no PCIe host bridge in the DTB, or no victim= on the command line");
    tap_ok(fdt_getprop(fdt, pci, "iommu-map", NULL) == NULL &&
               fdt_getprop(fdt, pci, "msi-map", NULL) == NULL,
           "the guest's PCIe node has no iommu-map and no msi-map");
    tap_ok(fdt_getprop(fdt, pci, "interrupt-map", NULL) != NULL,
           "the guest's PCIe node has an interrupt-map (INTx)");
    bar = mem32_window(fdt, pci);
    for (uint32_t devfn = 0; devfn < 256 && cfg == 0; devfn += 8)
        if (rd32(ecam + ((uint64_t)devfn << 12)) == EDU_ID)
            cfg = ecam + ((uint64_t)devfn << 12);
    tap_ok(cfg != 0 && bar != 0, "edu found on bus 0 at config 0x%llx, window 0x%llx",
           (unsigned long long)cfg, (unsigned long long)bar);
    if (cfg == 0 || bar == 0)
        tap_done();
    wr32(cfg + 0x10, (uint32_t)bar); /* BAR0 */
    wr32(cfg + 0x04, 0x6);           /* memory space + bus master */

    for (unsigned i = 0; i < XFER; i++)
        ram[i] = (uint8_t)(0xa5 ^ i);
    memset(ram + PAGE, 0, XFER);
    tap_ok(edu_dma(bar, ram_ipa, EDU_BUF, 0) &&
               edu_dma(bar, EDU_BUF, ram_ipa + PAGE, EDU_TO_RAM),
           "DMA from its RAM at 0x%llx and back to 0x%llx completes",
           (unsigned long long)ram_ipa, (unsigned long long)(ram_ipa + PAGE));
    tap_ok(memcmp(ram, ram + PAGE, XFER) == 0,
           "the device read and wrote its own RAM (through its stage 2)");

    if (!guest_wait(word_is, (void *)&mb->victim_ready, WAIT_US))
        tap_bail("the victim VM never said it was ready");
    tap_ok(edu_dma(bar, EDU_BUF, victim, EDU_TO_RAM),
           "DMA towards the other VM's memory at 0x%llx completes (the victim checks "
           "it did not land)",
           (unsigned long long)victim);
    tap_ok(edu_dma(bar, EDU_BUF, ram_base + ram_size, EDU_TO_RAM),
           "DMA just past its RAM, to 0x%llx, completes (the partitioner reports it)",
           (unsigned long long)(ram_base + ram_size));
    mb->device_done = DONE;
    tap_done();
}

static void victim(const void *fdt)
{
    struct mailbox *mb = mailbox(fdt);
    uint8_t *page = (uint8_t *)(uintptr_t)(ram_base + VICTIM_OFF);
    unsigned changed = 0;

    memset(page, 0x5b, PAGE);
    mb->victim_ready = READY;
    tap_diag("dma: victim page at 0x%llx filled",
             (unsigned long long)(ram_base + VICTIM_OFF));
    tap_ok(guest_wait(word_is, (void *)&mb->device_done, WAIT_US),
           "the device VM says its DMA is done");
    for (unsigned i = 0; i < PAGE; i++)
        changed += page[i] != 0x5b;
    tap_ok(changed == 0, "its page is unchanged (%u bytes differ)", changed);
    tap_done();
}

void guest_main(void)
{
    const void *fdt = guest_fdt();
    int chosen = fdt ? fdt_path_offset(fdt, "/chosen") : -1;
    const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
    int mem =
        fdt ? fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7) : -1;

    if (args == NULL || mem < 0 || !guest_fdt_reg(fdt, mem, 0, &ram_base, &ram_size))
        tap_bail("no bootargs or no memory node in the DTB");
    if (strstr(args, "dma=device") != NULL)
        device(fdt, args);
    else if (strstr(args, "dma=victim") != NULL)
        victim(fdt);
    tap_bail("bootargs say neither dma=device nor dma=victim");
}
