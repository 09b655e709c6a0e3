/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * make_ckpt: write sample checkpoints for the `hyp-config ckpt` tests and
 * the checkpoint fuzzer's seed corpus, with the library's own writer.
 *
 *   make_ckpt DIR
 *
 * writes DIR/good.ckpt (one vCPU, 32 SPIs, one UART with input waiting,
 * 64 KiB of RAM of which one page is not zero), DIR/damaged.ckpt (one
 * RAM byte flipped), DIR/truncated.ckpt (the last 100 bytes cut) and
 * DIR/trailing.ckpt (8 bytes too many).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>

static unsigned char out[64 << 10] __attribute__((aligned(8)));
static size_t out_len;
static unsigned char ram[64 << 10] __attribute__((aligned(8)));

static int sink(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    if (out_len + len > sizeof(out))
        return HYP_ENOMEM;
    memcpy(out + out_len, buf, len);
    out_len += len;
    return HYP_OK;
}

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

    if (argc != 2) {
        fputs("usage: make_ckpt DIR\n", stderr);
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

    hyp_ckpt_write_begin(&w, sink, NULL, &h);
    hyp_ckpt_write_vcpu(&w, 0, &v);
    hyp_ckpt_write_vgic(&w, &vgic);
    hyp_ckpt_write_vuart(&w, 0, &uart);
    hyp_ckpt_write_ram(&w, 0, ram);
    if (hyp_ckpt_write_end(&w, NULL) != HYP_OK) {
        fputs("make_ckpt: writing failed\n", stderr);
        return 1;
    }
    save(argv[1], "good.ckpt", out, out_len);
    save(argv[1], "truncated.ckpt", out, out_len - 100);
    memset(out + out_len, 0, 8);
    save(argv[1], "trailing.ckpt", out, out_len + 8);
    out[out_len - 48 - 200] ^= 0x10; /* a byte of the stored RAM page */
    save(argv[1], "damaged.ckpt", out, out_len);
    return 0;
}
