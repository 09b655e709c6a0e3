/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hyp-config ckpt show FILE`: check a VM checkpoint (docs/checkpoint.md)
 * with the very parser the hypervisor restores it with (hyp_ckpt_parse())
 * and print what it holds. Exits 0 for a good checkpoint, 1 for a refused
 * one (the reason on stderr), 2 on a usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>

#include "ckpt.h"

/* Read @p path whole into a malloc'd (so 8-byte aligned) buffer. */
static void *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    void *buf = NULL;

    if (!f)
        return NULL;
    if (stat(path, &st) == 0) {
        buf = malloc(st.st_size ? (size_t)st.st_size : 1);
        if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
            errno = EIO;
        }
        *size = (size_t)st.st_size;
    }
    fclose(f);
    return buf;
}

static const char *power_name(uint32_t power)
{
    return power == HYP_VCPU_OFF ? "off" : "on";
}

static const char *mode_name(uint64_t pstate)
{
    switch (pstate & 0x1f) {
    case 0:
        return "EL0t";
    case 4:
        return "EL1t";
    default:
        return "EL1h";
    }
}

static void show(const struct hyp_ckpt *ck, const char *file)
{
    static struct hyp_ckpt_vcpu v;
    const struct hyp_ckpt_header *h = &ck->hdr;
    struct hyp_ckpt_vgic_stats st;
    uint64_t stored = 0, total = 0;

    printf("%s: checkpoint version %u of VM \"%s\", %llu bytes\n", file, ck->version,
           h->name, (unsigned long long)ck->size);
    printf("guest time: %llu ticks at %llu Hz (%.3f s)\n", (unsigned long long)h->vcount,
           (unsigned long long)h->cntfrq, (double)h->vcount / (double)h->cntfrq);
    for (unsigned i = 0; i < h->fp.vcpu_count; i++) {
        hyp_ckpt_vcpu(ck, i, &v);
        printf("vcpu %u: %s, mpidr 0x%llx, pc 0x%llx %s, sctlr 0x%llx, ttbr1 0x%llx\n", i,
               power_name(v.power), (unsigned long long)v.vmpidr,
               (unsigned long long)v.regs.pc, mode_name(v.regs.pstate),
               (unsigned long long)v.el1.sctlr, (unsigned long long)v.el1.ttbr1);
    }
    for (unsigned i = 0; i < h->fp.ram_count; i++) {
        const struct hyp_ckpt_ram *r = &ck->ram[i];

        printf("ram %u: 0x%llx..0x%llx, %llu of %llu pages stored\n", i,
               (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1),
               (unsigned long long)r->pages,
               (unsigned long long)(r->size / HYP_CKPT_PAGE_SIZE));
        stored += r->pages;
        total += r->size / HYP_CKPT_PAGE_SIZE;
    }
    hyp_ckpt_vgic_stats(ck, &st);
    printf("vgic: GICv%u, %u SPIs, GICD_CTLR 0x%x, %u enabled, %u pending, %u active\n",
           h->fp.gic_version, h->fp.nr_spis, st.ctlr, st.enabled, st.pending, st.active);
    for (unsigned i = 0; i < ck->vuart_count; i++) {
        static struct hyp_vpl011 u;

        hyp_ckpt_restore_vuart(ck, i, &u);
        printf("vuart %u: UARTCR 0x%x, %u input bytes waiting\n", i, u.cr, u.rx_count);
    }
    printf("devices: ");
    for (unsigned i = 0; i < HYP_SHA256_SIZE; i++)
        printf("%02x", h->fp.devices[i]);
    printf("\ndigest: ");
    for (unsigned i = 0; i < HYP_SHA256_SIZE; i++)
        printf("%02x", ck->digest[i]);
    printf("\nsparse RAM: %llu of %llu pages (%.1f%%)\n", (unsigned long long)stored,
           (unsigned long long)total,
           total ? 100.0 * (double)stored / (double)total : 0.0);
}

int ckpt_main(int argc, char **argv)
{
    static struct hyp_ckpt ck;
    size_t size = 0;
    void *buf;
    int rc;

    if (argc != 4 || strcmp(argv[2], "show") != 0) {
        fputs("usage: hyp-config ckpt show FILE\n", stderr);
        return 2;
    }
    buf = slurp(argv[3], &size);
    if (!buf) {
        fprintf(stderr, "hyp-config: %s: %s\n", argv[3], strerror(errno));
        return 2;
    }
    rc = hyp_ckpt_parse(&ck, buf, size);
    if (rc == HYP_OK)
        show(&ck, argv[3]);
    else
        fprintf(stderr, "hyp-config: %s: refused: %s\n", argv[3], ck.error);
    free(buf);
    return rc == HYP_OK ? 0 : 1;
}
