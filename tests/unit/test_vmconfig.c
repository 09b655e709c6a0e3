/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the partitioner's configuration validator
 * (libhyp/config/vmconfig.c).
 *
 * Usage: test_vmconfig [DTB_DIR]   (tests/unit/dts-config compiled by dtc;
 *                                   defaults to HYP_TEST_CONFIG_DTB_DIR)
 *
 * good-3vm is a valid partition of a QEMU-virt-like board; every bad-*.dts
 * includes it and breaks one thing. Each refusal must be exactly one line,
 * the expected one, with the expected code. The hypervisor's own range is
 * 0x40000000..0x40ffffff throughout, as the thin monitor has it on QEMU.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "dtb_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <hyp/error.h>
#include <hyp/vmconfig.h>

static const struct hyp_range hyp_mem = {0x40000000, 0x1000000};

/** Lines received through the report or print callback. */
struct lines {
    char text[48][HYP_VMCONFIG_ERRLEN + 64];
    unsigned count;
};

static void collect(void *arg, const char *line)
{
    struct lines *l = arg;

    assert_non_null(line);
    assert_null(strchr(line, '\n'));
    assert_true(strlen(line) < sizeof(l->text[0]));
    assert_true(l->count < 48);
    strcpy(l->text[l->count++], line);
}

static struct hyp_vmconfig cfg; /* large: static, as the hypervisor keeps it */

/** Parse fixture @p name with the hypervisor's range; return the code. */
static int parse_file(const char *name, struct lines *out)
{
    void *fdt = load(name, 0);
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&cfg, 0x5a, sizeof(cfg));
    rc = hyp_vmconfig_parse(fdt, fdt_totalsize(fdt), &hyp_mem, 1, &cfg, collect, out);
    assert_int_equal(cfg.error_count, out->count);
    if (out->count)
        assert_string_equal(cfg.error, out->text[0]);
    else
        assert_string_equal(cfg.error, "");
    free(fdt); /* nothing in cfg may point into it from here on but bootargs */
    return rc;
}

/*
 * The valid partition
 */

/** Parse valid fixture @p name; return its DTB (bootargs point into it). */
static void *parse_valid(const char *name, struct lines *out)
{
    void *fdt = load(name, 0);

    memset(out, 0, sizeof(*out));
    assert_int_equal(
        hyp_vmconfig_parse(fdt, fdt_totalsize(fdt), &hyp_mem, 1, &cfg, collect, out),
        HYP_OK);
    assert_int_equal(out->count, 0);
    return fdt;
}

static void test_good(void **state)
{
    struct lines out;
    const struct hyp_vmconfig_vm *a = &cfg.vms[0], *b = &cfg.vms[1], *c = &cfg.vms[2];
    void *fdt = parse_valid("good-3vm", &out);

    (void)state;
    assert_int_equal(cfg.error_count, 0);
    assert_string_equal(cfg.path, "/hypervisor");
    assert_int_equal(cfg.vm_count, 3);
    assert_int_equal(cfg.shm_count, 1);
    assert_int_equal(cfg.hyp_count, 1);
    assert_int_equal(cfg.plat.cpu_count, 4);

    assert_string_equal(a->node, "vm@0");
    assert_string_equal(a->name, "linux-a");
    assert_int_equal(a->id, 0);
    assert_int_equal(a->vcpu_count, 2);
    assert_int_equal(a->vcpus[0].cpu, 0);
    assert_int_equal(a->vcpus[1].cpu, 1);
    assert_int_equal(a->vcpus[1].mpidr, 1);
    /* Placed: the first 2 MiB-aligned free RAM above the hypervisor. */
    assert_int_equal(a->mem.base, 0x41000000);
    assert_int_equal(a->mem.size, 0x10000000);
    assert_int_equal(a->mem_ipa, 0x40000000);
    assert_false(a->mem_fixed);
    assert_false(a->direct_map);
    assert_int_equal(a->kernel.range.base, 0x78000000);
    assert_int_equal(a->kernel.range.size, 0x2000000);
    assert_int_equal(a->ramdisk.range.base, 0x7a000000);
    assert_true(a->ramdisk.node >= 0);
    assert_string_equal(a->bootargs, "console=ttyAMA0");
    assert_true(a->console);
    assert_int_equal(a->console_regs.base, 0x09000000);
    assert_int_equal(a->console_intid, 33);
    assert_int_equal(a->device_count, 1);
    assert_string_equal(a->devices[0].path, "/virtio_mmio@a000000");
    assert_int_equal(a->devices[0].reg_count, 1);
    assert_int_equal(a->devices[0].regs[0].base, 0x0a000000);
    assert_int_equal(a->devices[0].regs[0].size, 0x200);
    assert_int_equal(a->devices[0].irq_count, 1);
    assert_int_equal(a->devices[0].irqs[0].intid, 48);
    assert_int_equal(a->devices[0].irqs[0].flags, 1);
    assert_int_equal(a->caps,
                     HYP_VMCONFIG_CAP_SYSTEM_RESET | HYP_VMCONFIG_CAP_CREATE_VMS);
    assert_int_equal(a->max_child_vms, 2);
    assert_int_equal(a->max_child_memory, 0x4000000);
    assert_int_equal(a->max_child_depth, 1); /* the default */
    assert_int_equal(cfg.vms[1].max_child_depth, 0);
    assert_int_equal(a->shm_count, 0);

    assert_string_equal(b->name, "linux-b");
    assert_int_equal(b->vcpu_count, 1);
    assert_int_equal(b->vcpus[0].cpu, 2);
    assert_int_equal(b->mem.base, 0x51000000);
    assert_int_equal(b->mem_ipa, 0x40000000);
    assert_int_equal(b->caps, 0);
    assert_int_equal(b->shm_count, 1);
    assert_int_equal(b->shm[0], 0);

    assert_string_equal(c->name, "bare");
    assert_int_equal(c->vcpus[0].cpu, 3);
    assert_int_equal(c->mem.base, 0x70000000);
    assert_int_equal(c->mem.size, 0x1000000);
    assert_int_equal(c->mem_ipa, 0x70000000);
    assert_true(c->mem_fixed);
    assert_true(c->direct_map);
    assert_int_equal(c->ramdisk.range.size, 0);
    assert_int_equal(c->ramdisk.node, -1);
    assert_null(c->bootargs);
    assert_int_equal(c->devices[0].irqs[0].intid, 34);
    assert_int_equal(c->devices[0].irqs[0].flags, 4);

    assert_string_equal(cfg.shm[0].node, "shm-b-bare");
    assert_int_equal(cfg.shm[0].vm[0], 1);
    assert_int_equal(cfg.shm[0].vm[1], 2);
    assert_int_equal(cfg.shm[0].range.base, 0x7f000000);
    assert_int_equal(cfg.shm[0].range.size, 0x200000);
    assert_int_equal(cfg.shm[0].doorbell[0], 72);
    assert_int_equal(cfg.shm[0].doorbell[1], 73);
    free(fdt);
}

static void test_vm_of_cpu(void **state)
{
    struct lines out;
    unsigned vcpu = 99;

    (void)state;
    assert_int_equal(parse_file("good-3vm", &out), HYP_OK);
    assert_ptr_equal(hyp_vmconfig_vm_of_cpu(&cfg, 1, &vcpu), &cfg.vms[0]);
    assert_int_equal(vcpu, 1);
    assert_ptr_equal(hyp_vmconfig_vm_of_cpu(&cfg, 3, &vcpu), &cfg.vms[2]);
    assert_int_equal(vcpu, 0);
    assert_ptr_equal(hyp_vmconfig_vm_of_cpu(&cfg, 2, NULL), &cfg.vms[1]);
    assert_null(hyp_vmconfig_vm_of_cpu(&cfg, 4, &vcpu));
    assert_null(hyp_vmconfig_vm_of_cpu(NULL, 0, &vcpu));
}

static void test_print(void **state)
{
    static const char *const want[] = {
        "/hypervisor: 3 VMs, 1 shared region, 4 CPUs on \"libhyp config test board\"",
        "vm@0 (linux-a)",
        "  cpus      vcpu0=cpu0 vcpu1=cpu1",
        "  memory    0x41000000..0x50ffffff (256 MiB) at guest 0x40000000, "
        "dma-unconfined",
        "  kernel    0x78000000..0x79ffffff (32 MiB) bootargs \"console=ttyAMA0\"",
        "  ramdisk   0x7a000000..0x7a7fffff (8 MiB)",
        "  console   vpl011 at 0x9000000, INTID 33",
        "  device    /virtio_mmio@a000000 mmio 0xa000000..0xa0001ff (512 bytes) INTID 48",
        "  caps      system-reset, create-vms (at most 2 children in 64 MiB)",
        "vm@1 (linux-b)",
        "  cpus      vcpu0=cpu2",
        "  memory    0x51000000..0x60ffffff (256 MiB) at guest 0x40000000, "
        "dma-unconfined",
        "  kernel    0x7b000000..0x7cffffff (32 MiB) bootargs \"console=ttyAMA0 quiet\"",
        "  ramdisk   0x7d000000..0x7d7fffff (8 MiB)",
        "  console   vpl011 at 0x9000000, INTID 33",
        "  device    /virtio_mmio@a000200 mmio 0xa000200..0xa0003ff (512 bytes) INTID 49",
        "  shared    shm-b-bare 0x7f000000..0x7f1fffff (2 MiB) with vm@2 (bare), "
        "doorbell "
        "INTID 72",
        "  caps      none",
        "vm@2 (bare)",
        "  cpus      vcpu0=cpu3",
        "  memory    0x70000000..0x70ffffff (16 MiB) at guest 0x70000000, direct-map, "
        "fixed",
        "  kernel    0x7e000000..0x7e0fffff (1 MiB)",
        "  console   vpl011 at 0x9000000, INTID 33",
        "  device    /pl031@9010000 mmio 0x9010000..0x9010fff (4 KiB) INTID 34",
        "  shared    shm-b-bare 0x7f000000..0x7f1fffff (2 MiB) with vm@1 (linux-b), "
        "doorbell INTID 73",
        "  caps      none",
        "hypervisor  0x40000000..0x40ffffff (16 MiB)",
    };
    void *fdt = load("good-3vm", 0);
    struct lines out;

    (void)state;
    memset(&out, 0, sizeof(out));
    assert_int_equal(
        hyp_vmconfig_parse(fdt, fdt_totalsize(fdt), &hyp_mem, 1, &cfg, NULL, NULL),
        HYP_OK);
    hyp_vmconfig_print(&cfg, collect, &out);
    assert_int_equal(out.count, sizeof(want) / sizeof(want[0]));
    for (unsigned i = 0; i < out.count; i++)
        assert_string_equal(out.text[i], want[i]);
    /* No CPU left over here; a VM fewer leaves one idle. */
    cfg.vms[2].vcpus[0].cpu = 7;
    memset(&out, 0, sizeof(out));
    hyp_vmconfig_print(&cfg, collect, &out);
    assert_string_equal(out.text[out.count - 1], "idle        cpu3 (no VM)");
    hyp_vmconfig_print(NULL, collect, &out); /* no effect, no crash */
    free(fdt);
}

static void test_no_hyp_range(void **state)
{
    void *fdt = load("good-3vm", 0);

    (void)state;
    assert_int_equal(
        hyp_vmconfig_parse(fdt, fdt_totalsize(fdt), NULL, 0, &cfg, NULL, NULL), HYP_OK);
    /* Nothing claims the start of RAM now. */
    assert_int_equal(cfg.vms[0].mem.base, 0x40000000);
    assert_int_equal(cfg.vms[1].mem.base, 0x50000000);
    assert_int_equal(cfg.hyp_count, 0);
    free(fdt);
}

/*
 * Refusals: one fixture, one line
 */

struct refusal {
    const char *file;
    int code;
    const char *line;
};

static const struct refusal refusals[] = {
    {"bad-cpu-shared", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): cpus: /cpus/cpu@1 is also vm@0 (linux-a)'s"},
    {"bad-cpu-twice", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): cpus: /cpus/cpu@0 is given twice"},
    {"bad-cpu-none", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): cpus: missing or empty: the VM has no CPU"},
    {"bad-cpu-notcpu", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): cpus: entry 0: /pl061@9030000 is not an enabled CPU of "
     "/cpus"},
    {"bad-cpu-phandle", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): cpus: entry 0: phandle 0x999 names no node"},
    {"bad-mem-overlap", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): memory: overlaps vm@0 (linux-a) at "
     "0x50000000..0x50ffffff"},
    {"bad-mem-hyp", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): memory: overlaps the hypervisor at "
     "0x40800000..0x40ffffff"},
    {"bad-mem-module", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): memory: overlaps vm@0 (linux-a)'s module@78000000 at "
     "0x78000000..0x78ffffff"},
    {"bad-mem-reserved", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): memory: overlaps reserved memory at "
     "0x7ff00000..0x7fffffff"},
    {"bad-mem-shm", HYP_EFORMAT,
     "/hypervisor/shm-b-bare: shared-mem: overlaps vm@2 (bare) at "
     "0x70f00000..0x70ffffff"},
    {"bad-mem-nofit", HYP_ENOMEM,
     "/hypervisor/vm@0 (linux-a): memory: 0x30000000 bytes do not fit in the RAM left "
     "free"},
    {"bad-mem-outside", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): memory: 0x10000000..0x10ffffff is not inside one memory "
     "bank of the board"},
    {"bad-mem-size", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): memory: size 0x1234 is not a non-zero multiple of 4 "
     "KiB"},
    {"bad-mem-missing", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): memory: missing (the VM's RAM size)"},
    {"bad-direct-map", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): direct-map: needs memory-base (the identity-mapped RAM "
     "must be fixed)"},
    {"bad-ipa", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): memory: guest RAM at guest address "
     "0x40000000..0x4fffffff overlaps shm-b-bare"},
    {"bad-module-none", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): module: no \"multiboot,kernel\" module (every VM needs a "
     "kernel)"},
    {"bad-module-kernel2", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): module@7e800000: compatible: a second kernel module"},
    {"bad-module-compat", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): module@7e000000: compatible: needs exactly one of "
     "\"multiboot,kernel\" and \"multiboot,ramdisk\""},
    {"bad-module-reg", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): module@7d000000: reg: expected one (address, size) "
     "pair "
     "of 2 + 2 cells"},
    {"bad-module-size0", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): module@7d000000: reg: size is 0"},
    {"bad-module-overlap", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): module@7d000000: reg: overlaps vm@0 (linux-a)'s "
     "module@7a000000 at 0x7a400000..0x7a7fffff"},
    {"bad-module-hyp", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): module@7e000000: reg: overlaps the hypervisor at "
     "0x40100000..0x401fffff"},
    {"bad-module-outside", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): module@7e000000: reg: 0x100000..0x1fffff is not inside "
     "one "
     "memory bank of the board"},
    {"bad-module-bootargs", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): module@7a000000: bootargs: only the kernel module has "
     "bootargs"},
    {"bad-module-prop", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): module@78000000: bootarg: unknown property"},
    {"bad-module-cells", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): #address-cells: missing (required when the VM has "
     "modules)"},
    {"bad-module-node", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): modul@1: unknown node (a VM has only module@<addr> "
     "children)"},
    {"bad-dev-twice", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: /virtio_mmio@a000000 is also given to "
     "vm@0 "
     "(linux-a)"},
    {"bad-dev-phandle", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: entry 0: phandle 0x999 names no node"},
    {"bad-dev-console", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: /pl011@9000000: reg: is the hypervisor's "
     "console (give VMs vpl011 instead)"},
    {"bad-dev-gic", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: /intc@8000000 is an interrupt controller"},
    {"bad-dev-dma", HYP_EPERM,
     "/hypervisor/vm@2 (bare): passthrough: /virtio_mmio@a000400 can master DMA and no "
     "SMMU confines it to the VM; dma-unconfined allows it"},
    {"bad-dev-disabled", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: /virtio_mmio@a000400 is disabled"},
    {"bad-dev-mmio", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: /odd@a000100: reg: 0xa000100 overlaps "
     "vm@0 "
     "(linux-a)'s /virtio_mmio@a000000"},
    {"bad-dev-irq", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: /virtio_mmio@a000400: interrupts: SPI 16 "
     "(INTID 48) is also taken by vm@0 (linux-a) with /virtio_mmio@a000000"},
    {"bad-dev-irq-console", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: /virtio_mmio@a000400: interrupts: SPI 1 "
     "(INTID 33) is the hypervisor console's"},
    {"bad-dev-ppi", HYP_ENOTSUP,
     "/hypervisor/vm@1 (linux-b): passthrough: /virtio_mmio@a000400: interrupts: entry 0 "
     "is not an SPI (type 1); only SPIs can be passed through"},
    {"bad-dev-noreg", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): passthrough: /noreg: reg: missing"},
    {"bad-prop-vm", HYP_EFORMAT, "/hypervisor/vm@1 (linux-b): memroy: unknown property"},
    {"bad-prop-hv", HYP_EFORMAT, "/hypervisor: #adress-cells: unknown property"},
    {"bad-prop-shm", HYP_EFORMAT, "/hypervisor/shm-b-bare: dorbell: unknown property"},
    {"bad-node-hv", HYP_EFORMAT,
     "/hypervisor: vmm@3: unknown node (expected vm@<id> or shm-<name>)"},
    {"bad-compat-vm", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): compatible: does not contain \"libhyp,vm\""},
    {"bad-label-missing", HYP_EFORMAT,
     "/hypervisor/vm@1: label: missing (every VM needs a name)"},
    {"bad-label-dup", HYP_EFORMAT,
     "/hypervisor/vm@1: label: \"linux-a\" is also vm@0 (linux-a)'s"},
    {"bad-label-chars", HYP_EFORMAT,
     "/hypervisor/vm@1: label: character 5 is not a letter, digit, '-' or '_'"},
    {"bad-id-dup", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): reg: id 0 is also vm@0 (linux-a)'s"},
    {"bad-shm-vm", HYP_EFORMAT,
     "/hypervisor/shm-b-bare: vms: entry 1: /cpus/cpu@0 is not a vm@ node of "
     "/hypervisor"},
    {"bad-shm-samevm", HYP_EFORMAT, "/hypervisor/shm-b-bare: vms: names vm@1 twice"},
    {"bad-shm-doorbell", HYP_EFORMAT,
     "/hypervisor/shm-b-bare: doorbell: INTID 34 of vm@2 (bare) is also its "
     "/pl031@9010000"},
    {"bad-shm-missing", HYP_EFORMAT,
     "/hypervisor/shm-b-bare: shared-mem: missing (base and size)"},
    {"bad-cap-unknown", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): capabilities: \"system-rest\" is not one of "
     "\"system-reset\", \"system-off\", \"create-vms\""},
    {"bad-cap-limits", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): max-child-vms: without the \"create-vms\" capability"},
    {"bad-cap-memory", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): max-child-memory: 0x20000000 is more than the VM's "
     "memory (0x10000000), which children are carved from"},
    {"bad-colour-nollc", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): colours: the board describes no last-level cache "
     "(give /hypervisor llc-cache-size, llc-cache-line-size and llc-cache-sets)"},
    {"bad-colour-range", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): colours: colour 16 is not one of the LLC's 16 colours "
     "(0..15)"},
    {"bad-colour-twice", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): colours: colour 3 is listed twice"},
    {"bad-colour-shared", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): colours: colour 7 is also vm@0 (linux-a)'s (both need "
     "share-colours to share it)"},
    {"bad-colour-direct", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): colours: a coloured VM cannot have direct-map (its RAM is "
     "not one physical range)"},
    {"bad-colour-full", HYP_ENOMEM,
     "/hypervisor/vm@0 (linux-a): memory: 0x10000000 bytes are more than colours 0-1 "
     "hold "
     "in the board's RAM (0x8000000 bytes)"},
    {"bad-colour-fixed", HYP_EFORMAT,
     "/hypervisor/vm@2 (bare): memory-base: a VM without colours next to coloured VMs "
     "must be placed by the validator (it gets the colours left)"},
    {"bad-colour-none-left", HYP_ENOMEM,
     "/hypervisor/vm@2 (bare): memory: no colours are left for a VM without colours (the "
     "coloured VMs take all 16)"},
    {"bad-colour-geometry", HYP_EFORMAT,
     "/hypervisor: cache geometry: 1000 sets is not a power of two"},
    {"bad-colour-partial", HYP_EFORMAT,
     "/hypervisor: llc-cache-sets: missing (the LLC's geometry needs it)"},
    {"bad-colour-hyp", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): colours: colour 15 is the hypervisor's"},
    {"bad-colour-hyp-all", HYP_EFORMAT,
     "/hypervisor: colours: the hypervisor takes all 16 colours, none is left for VMs"},
    {"bad-colour-share", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): share-colours: without colours"},
    {"bad-tee-cpus", HYP_EFORMAT,
     "/hypervisor/vm@3 (tee-b): cpus: a trusted OS has no CPU of its own: it runs on "
     "its GPOS's when called"},
    {"bad-tee-dev", HYP_EFORMAT,
     "/hypervisor/vm@3 (tee-b): passthrough: a trusted OS is given no device"},
    {"bad-tee-twice", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): tee: vm@3 (tee-b) is also vm@0's trusted OS"},
    {"bad-tee-notee", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): tee: vm@2 (bare) is not a trusted OS (role = "
     "\"trusted-os\")"},
    {"bad-tee-alone", HYP_EFORMAT,
     "/hypervisor/vm@3 (tee-b): role: trusted OS of no general-purpose VM (none names "
     "it in its tee)"},
    {"bad-tee-role", HYP_EFORMAT,
     "/hypervisor/vm@3 (tee-b): role: \"secure\" is not \"general-purpose\" or "
     "\"trusted-os\""},
    {"bad-tee-shm", HYP_EFORMAT,
     "/hypervisor/vm@3 (tee-b): shared memory: shm-b-tee: a trusted OS shares memory "
     "with its general-purpose VM (vm@1) only, not vm@2 (bare)"},
    {"bad-tee-onfailure", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): on-failure: only a trusted OS has it"},
    {"bad-tee-onfailure-value", HYP_EFORMAT,
     "/hypervisor/vm@3 (tee-b): on-failure: \"reboot\" is not \"restart\" or \"stop\""},
    {"bad-tee-method", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): tee-method: without a tee"},
    {"bad-cap-depth", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): max-child-depth: 5 is not 1 to 4 (generations of VMs "
     "below this one)"},
    {"bad-cap-depth-nocap", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): max-child-depth: without the \"create-vms\" "
     "capability"},
    {"bad-cap-key-nocap", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): public-key: without the \"create-vms\" capability"},
    {"bad-cap-key-size", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): public-key: 31 bytes, not 32 (an Ed25519 public key)"},
    {"bad-hcpage-ipa", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): hypercall-page: /virtio_mmio@a000000 at guest address "
     "0xa000000..0xa0001ff overlaps the hypercall page"},
    {"bad-hcpage-align", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): hypercall-page: 0xb000010 is not a non-zero 4 KiB "
     "aligned guest address"},
    {"bad-pool-nocap", HYP_EFORMAT,
     "/hypervisor/vm@1 (linux-b): child-vm-pool: without the \"create-vms\" capability"},
    {"bad-pool-size", HYP_EFORMAT,
     "/hypervisor/vm@0 (linux-a): child-vm-pool: 0x10000000 is not a non-zero multiple "
     "of "
     "4 KiB below the VM's memory (0x10000000)"},
    {"bad-nohv", HYP_ENOENT, "no node is compatible with \"libhyp,hypervisor\""},
    {"bad-novm", HYP_ENOENT, "/hypervisor: no vm@<id> node"},
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const struct refusal *r = &refusals[i];
        struct lines out;
        int rc = parse_file(r->file, &out);

        if (rc != r->code || out.count != 1 || strcmp(out.text[0], r->line) != 0)
            print_error("%s: got %s and %u line(s), first \"%s\"\n  want %s and \"%s\"\n",
                        r->file, hyp_strerror(rc), out.count,
                        out.count ? out.text[0] : "", hyp_strerror(r->code), r->line);
        assert_int_equal(rc, r->code);
        assert_int_equal(out.count, 1);
        assert_string_equal(out.text[0], r->line);
        assert_true(strlen(r->line) < HYP_VMCONFIG_ERRLEN);
    }
}

/** A general-purpose VM and its trusted OS: the TEE runs on the GPOS's CPUs. */
static void test_pair(void **state)
{
    struct lines out;
    const struct hyp_vmconfig_vm *b = &cfg.vms[1], *t = &cfg.vms[3];
    unsigned vcpu = 9;
    bool role_line = false, tee_line = false;
    void *fdt = parse_valid("pair-good", &out);

    (void)state;
    assert_int_equal(cfg.vm_count, 4);
    assert_int_equal(b->role, HYP_VMCONFIG_ROLE_GPOS);
    assert_int_equal(b->tee, 3);
    assert_int_equal(b->gpos, -1);
    assert_true(b->tee_hvc);
    assert_int_equal(t->role, HYP_VMCONFIG_ROLE_TEE);
    assert_int_equal(t->gpos, 1);
    assert_int_equal(t->tee, -1);
    assert_int_equal(t->vcpu_count, b->vcpu_count);
    assert_int_equal(t->vcpus[0].cpu, 2);
    assert_int_equal(t->vcpus[0].mpidr, b->vcpus[0].mpidr);
    assert_int_equal(t->mem.size, 0x1000000);
    assert_int_equal(t->shm_count, 1);
    assert_false(t->tee_stop); /* on-failure defaults to "restart" */
    assert_int_equal(cfg.vms[0].tee, -1);
    assert_false(cfg.vms[0].tee_hvc);
    /* The CPU belongs to the GPOS, not to the trusted OS that borrows it. */
    assert_ptr_equal(hyp_vmconfig_vm_of_cpu(&cfg, 2, &vcpu), b);
    assert_int_equal(vcpu, 0);
    memset(&out, 0, sizeof(out));
    hyp_vmconfig_print(&cfg, collect, &out);
    for (unsigned i = 0; i < out.count; i++) {
        role_line =
            role_line ||
            strcmp(out.text[i], "  role      trusted OS of vm@1 (linux-b), on its "
                                "CPUs when called") == 0;
        tee_line =
            tee_line ||
            strcmp(out.text[i], "  tee       vm@3 (tee-b), called by SMC and HVC") == 0;
    }
    assert_true(role_line);
    assert_true(tee_line);
    free(fdt);
}

/** Independent problems are all reported, the first one kept. */
static void test_two_refusals(void **state)
{
    struct lines out;

    (void)state;
    assert_int_equal(parse_file("bad-two", &out), HYP_EFORMAT);
    assert_int_equal(out.count, 2);
    assert_string_equal(out.text[0],
                        "/hypervisor/vm@1 (linux-b): memroy: unknown property");
    assert_string_equal(
        out.text[1],
        "/hypervisor/vm@2 (bare): cpus: missing or empty: the VM has no CPU");
    assert_string_equal(cfg.error, out.text[0]);
}

/*
 * Arguments and blobs
 */

static void test_arguments(void **state)
{
    void *fdt = load("good-3vm", 16);
    size_t size = fdt_totalsize(fdt);
    struct hyp_range five[5] = {{0}};
    const struct hyp_range wraps = {0xfffffffffffff000ull, 0x2000};
    struct lines out;

    (void)state;
    memset(&out, 0, sizeof(out));
    assert_int_equal(hyp_vmconfig_parse(fdt, size, NULL, 0, NULL, collect, &out),
                     HYP_EINVAL);
    assert_int_equal(out.count, 1);
    assert_int_equal(hyp_vmconfig_parse(NULL, size, NULL, 0, &cfg, NULL, NULL),
                     HYP_EINVAL);
    assert_string_equal(cfg.error, "NULL DTB");
    assert_int_equal(hyp_vmconfig_parse(fdt, size, five, 5, &cfg, NULL, NULL),
                     HYP_EINVAL);
    assert_int_equal(hyp_vmconfig_parse(fdt, size, NULL, 1, &cfg, NULL, NULL),
                     HYP_EINVAL);
    assert_int_equal(hyp_vmconfig_parse(fdt, size, &wraps, 1, &cfg, NULL, NULL),
                     HYP_EINVAL);
    assert_non_null(strstr(cfg.error, "wraps"));
    /* Size-0 hypervisor ranges are ignored. */
    assert_int_equal(hyp_vmconfig_parse(fdt, size, five, 4, &cfg, NULL, NULL), HYP_OK);
    assert_int_equal(cfg.hyp_count, 0);
    /* A blob larger than the bytes given, misaligned, or not a DTB at all. */
    assert_int_equal(hyp_vmconfig_parse(fdt, size - 1, NULL, 0, &cfg, NULL, NULL),
                     HYP_EFORMAT);
    assert_non_null(strstr(cfg.error, "truncated"));
    memmove((char *)fdt + 4, fdt, size);
    assert_int_equal(hyp_vmconfig_parse((char *)fdt + 4, size, NULL, 0, &cfg, NULL, NULL),
                     HYP_EALIGN);
    memset(fdt, 0, size);
    assert_int_equal(hyp_vmconfig_parse(fdt, size, NULL, 0, &cfg, NULL, NULL),
                     HYP_EFORMAT);
    assert_non_null(strstr(cfg.error, "magic"));
    assert_int_equal(cfg.error_count, 1);
    free(fdt);
}

/*
 * Cache colours
 */

/** Pages of the test board's RAM (1 GiB at 0x40000000), one bit each. */
#define RAM_BASE  0x40000000ull
#define RAM_PAGES (0x40000000ull / 4096)

static uint8_t page_owner[RAM_PAGES]; /* 0 free, else VM index + 1 */

/** Claim [base, base + size) for @p owner in page_owner; no page twice. */
static void own(uint64_t base, uint64_t size, uint8_t owner)
{
    for (uint64_t pa = base; pa < base + size; pa += 4096) {
        assert_true(pa >= RAM_BASE && (pa - RAM_BASE) / 4096 < RAM_PAGES);
        if (page_owner[(pa - RAM_BASE) / 4096] != 0)
            print_error("page 0x%llx: owners %u and %u\n", (unsigned long long)pa,
                        page_owner[(pa - RAM_BASE) / 4096], owner);
        assert_int_equal(page_owner[(pa - RAM_BASE) / 4096], 0);
        page_owner[(pa - RAM_BASE) / 4096] = owner;
    }
}

/**
 * The model of an accepted coloured partition: every page of every VM's RAM
 * has one of its colours, lies in its span, and belongs to nothing else (the
 * hypervisor, modules, shared regions, reserved memory or another VM), even
 * where two VMs share colours.
 */
static void check_pages(void)
{
    memset(page_owner, 0, sizeof(page_owner));
    own(hyp_mem.base, hyp_mem.size, 200);
    own(0x7ff00000, 0x100000, 201); /* the board's /memreserve/ */
    for (unsigned s = 0; s < cfg.shm_count; s++)
        own(cfg.shm[s].range.base, cfg.shm[s].range.size, 202);
    for (unsigned i = 0; i < cfg.vm_count; i++) {
        const struct hyp_vmconfig_vm *v = &cfg.vms[i];

        own(v->kernel.range.base & ~4095ull, (v->kernel.range.size + 4095) & ~4095ull,
            203);
        if (v->ramdisk.node >= 0)
            own(v->ramdisk.range.base & ~4095ull,
                (v->ramdisk.range.size + 4095) & ~4095ull, 203);
    }
    for (unsigned i = 0; i < cfg.vm_count; i++) {
        const struct hyp_vmconfig_vm *v = &cfg.vms[i];

        if (!v->colours) {
            own(v->mem.base, v->mem.size, (uint8_t)(i + 1));
            continue;
        }
        assert_int_equal(v->layout.size, v->mem.size);
        assert_int_equal(v->layout.base, v->mem.base);
        for (uint64_t off = 0; off < v->mem.size; off += 4096) {
            uint64_t pa = hyp_colour_pa(&v->layout, off);

            assert_true((v->colours >> hyp_colour_of(&cfg.geom, pa)) & 1);
            assert_true(pa >= v->layout.base && pa - v->layout.base < v->layout.span);
            own(pa, 4096, (uint8_t)(i + 1));
        }
    }
}

static void test_colours(void **state)
{
    struct lines out;
    const struct hyp_vmconfig_vm *a = &cfg.vms[0], *b = &cfg.vms[1], *c = &cfg.vms[2];

    (void)state;
    assert_int_equal(parse_file("good-colour", &out), HYP_OK);
    /* The geometry of the board's /l2-cache, reached from cpu@0. */
    assert_int_equal(cfg.geom.cache_size, 1 << 20);
    assert_int_equal(cfg.geom.ways, 16);
    assert_int_equal(cfg.geom.colours, 16);
    assert_int_equal(a->colours, 0x3f);
    assert_int_equal(b->colours, 0x3f0);
    assert_true(a->share_colours && b->share_colours && !c->share_colours);
    /* bare has no colours: it gets those left, 10-15. */
    assert_int_equal(c->colours, 0xfc00);
    assert_true(c->colours_left && !a->colours_left);
    assert_int_equal(a->mem.size, 0x8000000);
    assert_int_equal(a->layout.span, hyp_colour_span(&cfg.geom, 0x3f, 0x8000000));
    /* linux-a and linux-b share colours 4 and 5: their spans are apart; bare's
     * colours are its own, so its span interleaves with linux-a's. */
    assert_true(b->layout.base >= a->layout.base + a->layout.span);
    assert_int_equal(c->layout.base, a->layout.base);
    check_pages();
}

/** A random number generator for the random partitions. */
static uint64_t rnd(void)
{
    static uint64_t x = 0x9e3779b97f4a7c15ull;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

/**
 * Random colour sets and sizes for the three VMs of good-3vm on 16 colours:
 * an accepted partition must satisfy the page model, and the validator must
 * refuse exactly when the model says a rule is broken.
 */
static void test_colours_random(void **state)
{
    unsigned accepted = 0, refused_sharing = 0;

    (void)state;
    for (int round = 0; round < 60; round++) {
        void *fdt = edit("good-3vm");
        static const char *const vm_path[3] = {"/hypervisor/vm@0", "/hypervisor/vm@1",
                                               "/hypervisor/vm@2"};
        uint32_t colours[3];
        bool share[3], shared_bad = false;
        struct lines out;
        int rc;

        SET_CELLS(fdt, "/hypervisor", "llc-cache-size", 0x100000);
        SET_CELLS(fdt, "/hypervisor", "llc-cache-line-size", 64);
        SET_CELLS(fdt, "/hypervisor", "llc-cache-sets", 1024);
        del_prop(fdt, vm_path[2], "memory-base");
        del_prop(fdt, vm_path[2], "direct-map");
        for (int i = 0; i < 3; i++) {
            uint32_t list[16];
            size_t n = 0;
            uint64_t size = (1 + rnd() % 48) << 20;

            colours[i] = (uint32_t)(rnd() & rnd() & 0xffff); /* about 4 */
            share[i] = rnd() % 2;
            if (i == 2 && rnd() % 2)
                colours[i] = 0; /* bare takes what is left */
            for (uint32_t col = 0; col < 16; col++)
                if ((colours[i] >> col) & 1)
                    list[n++] = col;
            if (n)
                set_cells(fdt, vm_path[i], "colours", list, n);
            if (n && share[i])
                assert_int_equal(
                    fdt_setprop_empty(fdt, node_at(fdt, vm_path[i]), "share-colours"), 0);
            share[i] = n && share[i];
            SET_CELLS(fdt, vm_path[i], "memory", (uint32_t)(size >> 32), (uint32_t)size);
        }
        del_prop(fdt, vm_path[0], "max-child-memory");
        del_prop(fdt, vm_path[0], "max-child-vms");
        set_string(fdt, vm_path[0], "capabilities", "system-reset");
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < i; j++)
                if (colours[i] & colours[j] && !(share[i] && share[j]))
                    shared_bad = true;
        memset(&out, 0, sizeof(out));
        rc =
            hyp_vmconfig_parse(fdt, fdt_totalsize(fdt), &hyp_mem, 1, &cfg, collect, &out);
        if (rc == HYP_OK) {
            assert_false(shared_bad);
            accepted++;
            for (int i = 0; i < 3; i++)
                if (colours[i])
                    assert_int_equal(cfg.vms[i].colours, colours[i]);
            check_pages();
        } else {
            bool sharing = false;

            for (unsigned k = 0; k < out.count; k++)
                sharing = sharing || strstr(out.text[k], "share-colours to share");
            /* Refused for sharing exactly when the model says so; otherwise
             * only for room (colours left, fit, placement). */
            if (!shared_bad)
                for (unsigned k = 0; k < out.count; k++)
                    assert_true(strstr(out.text[k], "no colours are left") ||
                                strstr(out.text[k], "more than colours") ||
                                strstr(out.text[k], "do not fit"));
            else
                assert_true(sharing);
            refused_sharing += sharing;
        }
        free(fdt);
    }
    /* The rounds cover both outcomes. */
    print_message("%u of 60 random partitions accepted, %u refused for sharing\n",
                  accepted, refused_sharing);
    assert_true(accepted > 0 && refused_sharing > 0);
}

/** Limits: more VMs than HYP_VMCONFIG_MAX_VMS is refused, not truncated. */
static void test_too_many_vms(void **state)
{
    void *fdt = edit("good-3vm");
    int hv = node_at(fdt, "/hypervisor");
    struct lines out;

    (void)state;
    /* libfdt adds a node before its siblings: vm@3..vm@8, then vm@0..vm@2. */
    for (int i = HYP_VMCONFIG_MAX_VMS; i >= 3; i--) {
        char name[16];

        snprintf(name, sizeof(name), "vm@%d", i);
        assert_true(fdt_add_subnode(fdt, hv, name) >= 0);
        hv = node_at(fdt, "/hypervisor");
    }
    memset(&out, 0, sizeof(out));
    assert_int_equal(
        hyp_vmconfig_parse(fdt, fdt_totalsize(fdt), &hyp_mem, 1, &cfg, collect, &out),
        HYP_EFORMAT);
    /* vm@3..vm@8 are refused one by one (no label), vm@0 and vm@1 make 8,
     * vm@2 is one too many; the region naming it then says nothing more. */
    assert_int_equal(out.count, HYP_VMCONFIG_MAX_VMS - 3 + 2);
    assert_string_equal(out.text[0],
                        "/hypervisor/vm@3: label: missing (every VM needs a name)");
    assert_string_equal(out.text[out.count - 1],
                        "/hypervisor/vm@2: more than 8 VMs (HYP_VMCONFIG_MAX_VMS)");
    free(fdt);
}

/** `max-child-depth` is read, and the map shows a depth above 1. */
static void test_child_depth(void **state)
{
    void *fdt = edit("good-3vm");
    struct lines out;
    bool shown = false;

    (void)state;
    SET_CELLS(fdt, "/hypervisor/vm@0", "max-child-depth", 3);
    memset(&out, 0, sizeof(out));
    assert_int_equal(
        hyp_vmconfig_parse(fdt, fdt_totalsize(fdt), &hyp_mem, 1, &cfg, collect, &out),
        HYP_OK);
    assert_int_equal(cfg.vms[0].max_child_depth, 3);
    assert_false(cfg.vms[0].signed_children);
    memset(&out, 0, sizeof(out));
    hyp_vmconfig_print(&cfg, collect, &out);
    for (unsigned i = 0; i < out.count; i++)
        shown |= strstr(out.text[i], "caps      system-reset, create-vms (at most 2 "
                                     "children in 64 MiB, 3 generations deep)") != NULL;
    assert_true(shown);
    free(fdt);
}

/** `public-key` is read (32 bytes, kept), and the map says so. */
static void test_child_key(void **state)
{
    void *fdt = edit("good-3vm");
    uint8_t key[HYP_VMCONFIG_KEY_SIZE];
    struct lines out;
    bool shown = false;
    int node;

    (void)state;
    for (unsigned i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0xa0 + i);
    node = fdt_path_offset(fdt, "/hypervisor/vm@0");
    assert_true(node >= 0);
    assert_int_equal(fdt_setprop(fdt, node, "public-key", key, sizeof(key)), 0);
    memset(&out, 0, sizeof(out));
    assert_int_equal(
        hyp_vmconfig_parse(fdt, fdt_totalsize(fdt), &hyp_mem, 1, &cfg, collect, &out),
        HYP_OK);
    assert_true(cfg.vms[0].signed_children);
    assert_memory_equal(cfg.vms[0].public_key, key, sizeof(key));
    assert_false(cfg.vms[1].signed_children);
    memset(&out, 0, sizeof(out));
    hyp_vmconfig_print(&cfg, collect, &out);
    for (unsigned i = 0; i < out.count; i++)
        shown |= strstr(out.text[i], ", signed images only") != NULL;
    assert_true(shown);
    free(fdt);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),           cmocka_unit_test(test_vm_of_cpu),
        cmocka_unit_test(test_print),          cmocka_unit_test(test_no_hyp_range),
        cmocka_unit_test(test_refusals),       cmocka_unit_test(test_two_refusals),
        cmocka_unit_test(test_pair),           cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_too_many_vms),   cmocka_unit_test(test_colours),
        cmocka_unit_test(test_colours_random), cmocka_unit_test(test_child_depth),
        cmocka_unit_test(test_child_key),
    };

    dtb_dir = argc > 1 ? argv[1] : HYP_TEST_CONFIG_DTB_DIR;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
