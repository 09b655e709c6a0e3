/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ckpt_bench: what a checkpoint of a given RAM image costs (host).
 *
 *   ckpt_bench RAM.bin...
 *
 * For each RAM image (e.g. a Linux VM's RAM saved with QEMU's `pmemsave`,
 * see bench/checkpoint.py) it writes a checkpoint of a one-vCPU VM with that
 * RAM into memory with the library's writer, parses it (which checks the
 * SHA-256 digest) and restores its RAM, each three times, and prints the
 * checkpoint's size and the fastest time of each step on this host. A
 * benchmark: it prints figures and judges none.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>

static double now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    void *buf;

    if (!f || fseek(f, 0, SEEK_END) != 0)
        return NULL;
    *size = (size_t)ftell(f);
    rewind(f);
    buf = aligned_alloc(4096, (*size + 4095) & ~(size_t)4095);
    if (buf && fread(buf, 1, *size, f) != *size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int bench(const char *path)
{
    static const uint64_t mpidr[1] = {0};
    static struct hyp_vgic vgic;
    static struct hyp_vgic_cpu cpu;
    static struct hyp_ckpt_vcpu v;
    static struct hyp_ckpt ck;
    struct hyp_vgic_config gc = {.gicd_base = 0x08000000,
                                 .gicr_base = 0x080a0000,
                                 .vcpu_count = 1,
                                 .vcpu_mpidr = mpidr,
                                 .nr_spis = 256,
                                 .cpus = &cpu};
    struct hyp_ckpt_header h = {
        .fp = {.vcpu_count = 1, .nr_spis = 256, .gic_version = 3, .ram_count = 1},
        .cntfrq = 62500000,
        .name = "bench"};
    double best[3] = {1e30, 1e30, 1e30};
    struct hyp_ckpt_mem out;
    size_t size;
    uint8_t *ram = slurp(path, &size), *back;

    if (!ram || size == 0 || size % HYP_CKPT_PAGE_SIZE) {
        fprintf(stderr, "ckpt_bench: %s: unreadable or not whole pages\n", path);
        return 1;
    }
    h.fp.ram[0].base = 0x40000000;
    h.fp.ram[0].size = size;
    out.size = size + (1 << 20);
    out.base = aligned_alloc(4096, out.size);
    back = aligned_alloc(4096, size);
    if (!out.base || !back || hyp_vgic_init(&vgic, &gc) != HYP_OK)
        return 1;
    for (int round = 0; round < 3; round++) {
        struct hyp_ckpt_writer w;
        double t0 = now_ms(), t1, t2, t3;

        out.used = 0;
        hyp_ckpt_write_begin(&w, hyp_ckpt_mem_sink, &out, &h);
        hyp_ckpt_write_vcpu(&w, 0, &v);
        hyp_ckpt_write_vgic(&w, &vgic);
        hyp_ckpt_write_ram(&w, 0, ram);
        if (hyp_ckpt_write_end(&w, NULL) != HYP_OK)
            return 1;
        t1 = now_ms();
        if (hyp_ckpt_parse(&ck, out.base, out.used) != HYP_OK) {
            fprintf(stderr, "ckpt_bench: own checkpoint refused: %s\n", ck.error);
            return 1;
        }
        t2 = now_ms();
        hyp_ckpt_restore_ram(&ck, 0, back);
        t3 = now_ms();
        best[0] = t1 - t0 < best[0] ? t1 - t0 : best[0];
        best[1] = t2 - t1 < best[1] ? t2 - t1 : best[1];
        best[2] = t3 - t2 < best[2] ? t3 - t2 : best[2];
    }
    if (memcmp(ram, back, size) != 0) {
        fprintf(stderr, "ckpt_bench: restored RAM differs\n");
        return 1;
    }
    printf("%s: RAM %zu MiB, %llu of %zu pages stored (%.1f%%), checkpoint %zu bytes "
           "(%.1f MiB); host: write %.1f ms, parse+digest %.1f ms, restore RAM %.1f ms\n",
           path, size >> 20, (unsigned long long)ck.ram[0].pages,
           size / HYP_CKPT_PAGE_SIZE,
           100.0 * (double)ck.ram[0].pages / (double)(size / HYP_CKPT_PAGE_SIZE),
           out.used, (double)out.used / (1 << 20), best[0], best[1], best[2]);
    free(ram);
    free(back);
    free(out.base);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0;

    if (argc < 2) {
        fputs("usage: ckpt_bench RAM.bin...\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        rc |= bench(argv[i]);
    return rc;
}
