/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * make_ckpt: write sample checkpoints for the `hyp-config ckpt` tests and
 * the checkpoint fuzzer's seed corpus, with the library's own writer.
 *
 *   make_ckpt DIR [BOARD.dtb VM]
 *
 * writes DIR/good.ckpt (one vCPU, 32 SPIs, one UART with input waiting,
 * 64 KiB of RAM of which one page is not zero), DIR/damaged.ckpt (one
 * RAM byte flipped), DIR/truncated.ckpt (the last 100 bytes cut) and
 * DIR/trailing.ckpt (8 bytes too many). With a partitioner configuration
 * (checked with the hypervisor at 0x40000000..0x40ffffff, as the tool tests
 * do) it also writes DIR/<label>.ckpt, an idle checkpoint of VM number VM
 * that fits it: all its RAM zero, its vCPUs off but the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>
#include <hyp/vmconfig.h>

static unsigned char out[64 << 10] __attribute__((aligned(8)));
static struct hyp_ckpt_mem dest = {out, sizeof(out), 0};
static unsigned char ram[64 << 10] __attribute__((aligned(8)));

static void save(const char *dir, const char *name, const void *buf, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* DIR/<label>.ckpt for VM @p vm of the configuration in @p board. */
static int for_config(const char *dir, const char *board, unsigned vm)
{
    static struct hyp_vmconfig cfg;
    static struct hyp_vgic vgic;
    static struct hyp_vgic_cpu cpus[HYP_CKPT_MAX_VCPUS];
    static struct hyp_ckpt_vcpu v;
    static unsigned char dtb[1 << 20] __attribute__((aligned(8)));
    struct hyp_range hyp = {0x40000000, 16 << 20};
    uint64_t mpidr[HYP_CKPT_MAX_VCPUS];
    struct hyp_ckpt_header h = {.cntfrq = 62500000};
    struct hyp_vgic_config gc = {.gicd_base = 0x08000000,
                                 .gicr_base = 0x080a0000,
                                 .vcpu_mpidr = mpidr,
                                 .nr_spis = 256,
                                 .cpus = cpus};
    struct hyp_ckpt_writer w;
    char name[HYP_CKPT_NAME_SIZE + 8];
    FILE *f = fopen(board, "rb");
    size_t n = f ? fread(dtb, 1, sizeof(dtb), f) : 0;
    void *mem;

    if (f)
        fclose(f);
    if (hyp_vmconfig_parse(dtb, n, &hyp, 1, &cfg, NULL, NULL) != HYP_OK ||
        hyp_ckpt_vm_fingerprint(&cfg, vm, 256, &h.fp) != HYP_OK) {
        fprintf(stderr, "make_ckpt: %s: no VM %u in a valid configuration\n", board, vm);
        return 1;
    }
    snprintf(h.name, sizeof(h.name), "%s", cfg.vms[vm].name);
    gc.vcpu_count = h.fp.vcpu_count;
    for (unsigned i = 0; i < gc.vcpu_count; i++)
        mpidr[i] = i;
    mem = calloc(1, h.fp.ram[0].size);
    if (!mem || hyp_vgic_init(&vgic, &gc) != HYP_OK)
        return 1;
    dest.used = 0;
    hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &dest, &h);
    for (unsigned i = 0; i < h.fp.vcpu_count; i++) {
        v.power = i == 0 ? HYP_VCPU_ON : HYP_VCPU_OFF;
        v.vmpidr = i;
        hyp_ckpt_write_vcpu(&w, i, &v);
    }
    hyp_ckpt_write_vgic(&w, &vgic);
    hyp_ckpt_write_ram(&w, 0, mem);
    free(mem);
    if (hyp_ckpt_write_end(&w, NULL) != HYP_OK)
        return 1;
    snprintf(name, sizeof(name), "%s.ckpt", cfg.vms[vm].name);
    save(dir, name, out, dest.used);
    return 0;
}

int main(int argc, char **argv)
{
    static const uint64_t mpidr[1] = {0};
    static struct hyp_vgic vgic;
    static struct hyp_vgic_cpu cpu;
    static struct hyp_vpl011 uart;
    static struct hyp_ckpt_vcpu v;
    struct hyp_vgic_config gc = {.gicd_base = 0x08000000,
                                 .gicr_base = 0x080a0000,
                                 .vcpu_count = 1,
                                 .vcpu_mpidr = mpidr,
                                 .nr_spis = 32,
                                 .cpus = &cpu};
    struct hyp_ckpt_header h = {.fp = {.vcpu_count = 1,
                                       .nr_spis = 32,
                                       .gic_version = 3,
                                       .ram_count = 1,
                                       .ram = {{0x50000000, sizeof(ram)}}},
                                .cntfrq = 62500000,
                                .vcount = 625000000,
                                .name = "sample"};
    struct hyp_ckpt_writer w;
    uint64_t val;

    if (argc != 2 && argc != 4) {
        fputs("usage: make_ckpt DIR [BOARD.dtb VM]\n", stderr);
        return 2;
    }
    if (hyp_vgic_init(&vgic, &gc) != HYP_OK)
        return 1;
    val = 0x13; /* GICD_CTLR: ARE, Grp0, Grp1 */
    hyp_vgic_mmio(&vgic, 0, 0x08000000, 4, true, &val);
    val = 1u << 1; /* GICD_ISENABLER1: SPI 33 (the UART) */
    hyp_vgic_mmio(&vgic, 0, 0x08000104, 4, true, &val);
    hyp_vgic_inject(&vgic, 0, 33, true, 0);
    hyp_vpl011_init(&uart, NULL, NULL);
    val = 0x301;
    hyp_vpl011_mmio(&uart, 0x30, 4, true, &val);
    val = 0x70; /* UARTLCR_H: FIFOs on, 8 bits */
    hyp_vpl011_mmio(&uart, 0x2c, 4, true, &val);
    hyp_vpl011_rx(&uart, "ls\r", 3);
    v.power = HYP_VCPU_ON;
    v.regs.pc = 0x50001000;
    v.regs.pstate = 0x3c5;
    v.el1.sctlr = 0x30d0198d;
    ram[8 * 4096 + 100] = 0x17;

    hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &dest, &h);
    hyp_ckpt_write_vcpu(&w, 0, &v);
    hyp_ckpt_write_vgic(&w, &vgic);
    hyp_ckpt_write_vuart(&w, 0, &uart);
    hyp_ckpt_write_ram(&w, 0, ram);
    if (hyp_ckpt_write_end(&w, NULL) != HYP_OK) {
        fputs("make_ckpt: writing failed\n", stderr);
        return 1;
    }
    save(argv[1], "good.ckpt", out, dest.used);
    save(argv[1], "truncated.ckpt", out, dest.used - 100);
    memset(out + dest.used, 0, 8);
    save(argv[1], "trailing.ckpt", out, dest.used + 8);
    out[dest.used - 48 - 200] ^= 0x10; /* a byte of the stored RAM page */
    save(argv[1], "damaged.ckpt", out, dest.used);
    return argc == 4 ? for_config(argv[1], argv[2], (unsigned)atoi(argv[3])) : 0;
}
