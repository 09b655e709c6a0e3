/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test image (QEMU 10 virt,iommu=smmuv3 with arm-smmuv3.stage=2 and an `edu`
 * PCI device, whose DMA engine copies between its 4 KiB buffer and memory):
 * two VMs, A and B, each with 64 KiB of RAM at IPA 0x80000000; the edu
 * device's stream is given to VM A through the SMMU (hyp_smmuv3_attach()
 * with A's VTTBR/VTCR/VMID). Prints TAP:
 *   - DMA to and from IPAs inside A's RAM lands in A's backing memory;
 *   - DMA to B's physical address, and just past A's RAM, is blocked: B's
 *     memory is unchanged and the SMMU reports a stage-2 translation fault
 *     naming the device's stream and the address;
 *   - after hyp_smmuv3_detach() the stream's DMA no longer reaches A.
 * Guests never run: what is tested is the SMMU sharing a VM's stage 2.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <hyp/hyp.h>
#include <hyp/mm.h>
#include <hyp/mmio.h>
#include <hyp/page_pool.h>
#include <hyp/pgtable.h>
#include <hyp/smmuv3.h>
#include <hyp/sysreg.h>
#include <hyp/vm.h>

#define PAGE        4096u
#define VM_RAM      (64u * 1024)
#define VM_IPA      0x80000000ULL
#define PCI_MMIO    0x10000000ULL /* QEMU virt's 32-bit PCI window (CPU = PCI address) */
#define EDU_VENDOR  0x1234u
#define EDU_DEVICE  0x11e8u
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_BUF     0x40000ULL
#define EDU_RUN     1u
#define EDU_TO_RAM  2u
#define XFER        256u

static uint8_t pool_mem[64 * PAGE] __attribute__((aligned(PAGE)));
static uint8_t ram_a[VM_RAM] __attribute__((aligned(PAGE)));
static uint8_t ram_b[VM_RAM] __attribute__((aligned(PAGE)));
static struct hyp_page_pool pool;
static struct hyp_vm vm_a, vm_b;
static struct hyp_vcpu vcpu_a, vcpu_b;
static struct hyp_smmuv3 smmu;
static unsigned tests, failures;

struct seen {
    unsigned count;
    struct hyp_smmuv3_event first;
};

static void ok(bool cond, const char *what, unsigned long long a, unsigned long long b)
{
    tests++;
    if (!cond)
        failures++;
    printf("%sok %u - %s (0x%llx, 0x%llx)\n", cond ? "" : "not ", tests, what, a, b);
}

static uint64_t reg_of(const void *dtb, const char *compatible, uint64_t *size)
{
    int node = fdt_node_offset_by_compatible(dtb, -1, compatible), len;
    const fdt32_t *reg = node >= 0 ? fdt_getprop(dtb, node, "reg", &len) : NULL;

    if (reg == NULL || len < 16)
        return 0;
    *size = ((uint64_t)fdt32_to_cpu(reg[2]) << 32) | fdt32_to_cpu(reg[3]);
    return ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
}

static void edu_wr64(uint64_t bar, unsigned off, uint64_t v)
{
    *(volatile uint64_t *)(uintptr_t)(bar + off) = v;
}

/* Run one edu DMA and wait for it (QEMU completes it 100 ms later). */
static bool edu_dma(uint64_t bar, uint64_t src, uint64_t dst, uint32_t cmd)
{
    uint64_t freq = read_sysreg(cntfrq_el0), start = read_sysreg(cntpct_el0);

    edu_wr64(bar, EDU_DMA_SRC, src);
    edu_wr64(bar, EDU_DMA_DST, dst);
    edu_wr64(bar, EDU_DMA_CNT, XFER);
    edu_wr64(bar, EDU_DMA_CMD, cmd | EDU_RUN);
    while (mmio_read32((uintptr_t)(bar + EDU_DMA_CMD)) & EDU_RUN)
        if (read_sysreg(cntpct_el0) - start > 5 * freq)
            return false;
    return true;
}

static void on_event(const struct hyp_smmuv3_event *ev, void *arg)
{
    struct seen *seen = arg;

    /* QEMU's edu writes memory 4 bytes at a time: one fault per chunk. */
    if (seen->count++ == 0) {
        seen->first = *ev;
        printf("smmu-dma: event type 0x%02x sid 0x%x addr 0x%llx %s%s\n", ev->type,
               ev->sid, (unsigned long long)ev->addr, ev->write ? "write" : "read",
               ev->stage2 ? " stage 2" : "");
    }
}

static void make_vm(struct hyp_vm *vm, struct hyp_vcpu *vcpu, uint16_t vmid, uint8_t *ram)
{
    static const unsigned pcpu[1] = {0};
    struct hyp_vm_config cfg = {.vmid = vmid,
                                .ipa_bits = 40,
                                .pa_bits = hyp_pa_bits(),
                                .vcpus = vcpu,
                                .vcpu_count = 1,
                                .vcpu_pcpu = pcpu,
                                .pool = &pool};
    int rc = hyp_vm_init(vm, &cfg);

    if (rc == HYP_OK)
        rc = hyp_vm_add_ram(vm, VM_IPA, (uintptr_t)ram, VM_RAM);
    if (rc != HYP_OK)
        hyp_panic("smmu-dma: VM %u: %s", vmid, hyp_strerror(rc));
}

/* A DMA to @iova that must be blocked with a stage-2 translation fault. */
static void blocked(uint64_t bar, uint32_t sid, uint64_t iova, const char *what)
{
    struct seen seen = {0};
    uint8_t before[XFER];
    bool done;

    memcpy(before, ram_b, sizeof(before));
    done = edu_dma(bar, EDU_BUF, iova, EDU_TO_RAM);
    ok(done, "edu DMA towards a blocked address completes", iova, 0);
    ok(memcmp(before, ram_b, sizeof(before)) == 0, "VM B's memory unchanged", iova,
       (uintptr_t)ram_b);
    hyp_smmuv3_poll(&smmu, on_event, &seen);
    printf("smmu-dma: %u event records\n", seen.count);
    ok(seen.count >= 1 && seen.first.type == HYP_SMMUV3_EVT_TRANSLATION &&
           seen.first.sid == sid && seen.first.addr == iova && seen.first.write &&
           seen.first.stage2,
       what, seen.first.addr, seen.count);
}

int main(void)
{
    const struct hyp_platform *plat = hyp_platform_get();
    const void *dtb = (const void *)(uintptr_t)plat->dtb.base;
    uint64_t smmu_size = 0, ecam_size = 0, ecam, smmu_base, cfg = 0;
    uint32_t sid = 0;
    int rc;

    smmu_base = reg_of(dtb, "arm,smmu-v3", &smmu_size);
    ecam = reg_of(dtb, "pci-host-ecam-generic", &ecam_size);
    if (smmu_base == 0 || ecam == 0)
        hyp_panic(
            "smmu-dma: no arm,smmu-v3 or PCIe host in the DTB (want virt,iommu=smmuv3)");
    rc = hyp_el2_map(smmu_base, smmu_size, HYP_PROT_RW | HYP_PROT_DEVICE);
    if (rc == HYP_OK)
        rc = hyp_el2_map(ecam, 1u << 20, HYP_PROT_RW | HYP_PROT_DEVICE); /* bus 0 */
    if (rc == HYP_OK)
        rc = hyp_el2_map(PCI_MMIO, 1u << 20, HYP_PROT_RW | HYP_PROT_DEVICE);
    if (rc == HYP_OK)
        rc = hyp_page_pool_init(&pool, pool_mem, sizeof(pool_mem));
    if (rc != HYP_OK)
        hyp_panic("smmu-dma: set-up: %s", hyp_strerror(rc));
    make_vm(&vm_a, &vcpu_a, 1, ram_a);
    make_vm(&vm_b, &vcpu_b, 2, ram_b);
    printf(
        "smmu-dma: SMMUv3 at 0x%llx, ECAM at 0x%llx; VM A RAM 0x%llx, VM B RAM 0x%llx\n",
        (unsigned long long)smmu_base, (unsigned long long)ecam,
        (unsigned long long)(uintptr_t)ram_a, (unsigned long long)(uintptr_t)ram_b);

    rc = hyp_smmuv3_init(&smmu, smmu_base);
    ok(rc == HYP_OK, "hyp_smmuv3_init", (unsigned long long)rc, smmu_base);
    for (uint32_t devfn = 0; devfn < 256 && cfg == 0; devfn += 8) {
        uint32_t id = mmio_read32((uintptr_t)(ecam + ((uint64_t)devfn << 12)));

        if (id == (EDU_DEVICE << 16 | EDU_VENDOR)) {
            cfg = ecam + ((uint64_t)devfn << 12);
            sid = devfn; /* bus 0: requester ID = devfn */
        }
    }
    ok(cfg != 0, "edu device found on bus 0", sid, cfg);
    if (rc != HYP_OK || cfg == 0)
        goto out;
    mmio_write32((uintptr_t)(cfg + 0x10), (uint32_t)PCI_MMIO); /* BAR0 */
    mmio_write32((uintptr_t)(cfg + 0x04), 0x6);                /* memory + bus master */

    rc = hyp_smmuv3_attach(&smmu, sid, vm_a.vmid, vm_a.vttbr, vm_a.vtcr);
    ok(rc == HYP_OK, "edu's stream attached to VM A's stage 2", sid, vm_a.vttbr);
    for (unsigned i = 0; i < XFER; i++)
        ram_a[i] = (uint8_t)(0xa5 ^ i);
    memset(ram_a + PAGE, 0, XFER);
    memset(ram_b, 0x5b, sizeof(ram_b));
    ok(edu_dma(PCI_MMIO, VM_IPA, EDU_BUF, 0) &&
           edu_dma(PCI_MMIO, EDU_BUF, VM_IPA + PAGE, EDU_TO_RAM),
       "edu DMA from IPA 0x80000000 and back to IPA 0x80001000", VM_IPA, VM_IPA + PAGE);
    ok(memcmp(ram_a, ram_a + PAGE, XFER) == 0,
       "VM A's page at IPA 0x80001000 holds what the device read at IPA 0x80000000",
       ram_a[PAGE], ram_a[PAGE + XFER - 1]);
    blocked(PCI_MMIO, sid, (uintptr_t)ram_b,
            "DMA to VM B's physical address: stage-2 translation fault reported");
    blocked(PCI_MMIO, sid, VM_IPA + VM_RAM,
            "DMA just past VM A's RAM: stage-2 translation fault reported");

    rc = hyp_smmuv3_detach(&smmu, sid);
    memset(ram_a + PAGE, 0, XFER);
    edu_dma(PCI_MMIO, EDU_BUF, VM_IPA + PAGE, EDU_TO_RAM);
    ok(rc == HYP_OK && ram_a[PAGE] == 0 && ram_a[PAGE + 1] == 0,
       "after detach the device's DMA no longer reaches VM A", (unsigned long long)rc,
       ram_a[PAGE]);
out:
    printf("1..%u\n", tests);
    printf("smmu-dma: %u of %u checks passed\n", tests - failures, tests);
    return 0;
}
