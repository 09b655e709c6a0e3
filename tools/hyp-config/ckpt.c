/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hyp-config ckpt show FILE`: check a VM checkpoint (docs/checkpoint.md)
 * with the very parser the hypervisor restores it with (hyp_ckpt_parse())
 * and print what it holds.
 * `hyp-config ckpt check [--hyp BASE,SIZE]... BOARD.dtb VM [FILE]`: whether
 * a VM of a partitioner configuration may be checkpointed
 * (hyp_ckpt_vm_allowed()) and whether FILE fits it (hyp_ckpt_match()).
 * Both exit 0 when all is well, 1 for a refusal (the reason on stderr), 2 on
 * a usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>
#include <hyp/vmconfig.h>

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

/* SPIs of a partitioner VM's virtual GIC (HYP_VMBUILD_SPIS, target-only vmbuild.h). */
#define PARTITIONER_SPIS 256

static const char ckpt_usage[] =
    "usage: hyp-config ckpt show FILE\n"
    "       hyp-config ckpt check [--hyp BASE,SIZE]... BOARD.dtb VM [FILE]\n";

/* Index of the VM named @p name (label, node name or index); -1 if none. */
static int find_vm(const struct hyp_vmconfig *cfg, const char *name)
{
    char *end;
    unsigned long n = strtoul(name, &end, 10);

    for (unsigned i = 0; i < cfg->vm_count; i++)
        if (!strcmp(cfg->vms[i].name, name) || !strcmp(cfg->vms[i].node, name))
            return (int)i;
    return (*name && !*end && n < cfg->vm_count) ? (int)n : -1;
}

/* Parse and check checkpoint @p file into @p ck; 0, 1 refused, 2 I/O. */
static int load(struct hyp_ckpt *ck, const char *file, void **buf)
{
    size_t size = 0;

    *buf = slurp(file, &size);
    if (!*buf) {
        fprintf(stderr, "hyp-config: %s: %s\n", file, strerror(errno));
        return 2;
    }
    if (hyp_ckpt_parse(ck, *buf, size) != HYP_OK) {
        fprintf(stderr, "hyp-config: %s: refused: %s\n", file, ck->error);
        return 1;
    }
    return 0;
}

static int check(int argc, char **argv)
{
    static struct hyp_vmconfig cfg;
    static struct hyp_ckpt ck;
    struct hyp_range hyp[HYP_VMCONFIG_MAX_HYP];
    struct hyp_ckpt_fingerprint fp;
    unsigned hyp_count = 0, nargs = 0;
    const char *args[3] = {NULL, NULL, NULL};
    char why[256];
    size_t size = 0;
    void *dtb, *buf = NULL;
    int vm, rc;

    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--hyp") && i + 1 < argc &&
            hyp_count < HYP_VMCONFIG_MAX_HYP &&
            !parse_hyp(argv[i + 1], &hyp[hyp_count])) {
            hyp_count++;
            i++;
        } else if (argv[i][0] != '-' && nargs < 3) {
            args[nargs++] = argv[i];
        } else {
            fputs(ckpt_usage, stderr);
            return 2;
        }
    }
    if (nargs < 2) {
        fputs(ckpt_usage, stderr);
        return 2;
    }
    dtb = read_file(args[0], &size);
    if (!dtb) {
        fprintf(stderr, "hyp-config: %s: %s\n", args[0], strerror(errno));
        return 2;
    }
    rc = hyp_vmconfig_parse(dtb, size, hyp, hyp_count, &cfg, NULL, NULL);
    if (rc != HYP_OK) {
        fprintf(stderr, "hyp-config: %s: configuration refused: %s\n", args[0],
                cfg.error);
        free(dtb);
        return 1;
    }
    vm = find_vm(&cfg, args[1]);
    if (vm < 0) {
        fprintf(stderr, "hyp-config: %s: no VM %s\n", args[0], args[1]);
        free(dtb);
        return 1;
    }
    rc = hyp_ckpt_vm_allowed(dtb, &cfg, (unsigned)vm, why, sizeof(why));
    if (rc != HYP_OK) {
        fprintf(stderr, "hyp-config: %s\n", why);
        free(dtb);
        return 1;
    }
    printf("%s (%s): checkpointable\n", cfg.vms[vm].node, cfg.vms[vm].name);
    if (args[2]) {
        hyp_ckpt_vm_fingerprint(&cfg, (unsigned)vm, PARTITIONER_SPIS, &fp);
        rc = load(&ck, args[2], &buf);
        if (rc == 0 && hyp_ckpt_match(&ck, &fp) != HYP_OK) {
            fprintf(stderr, "hyp-config: %s: refused for %s (%s): %s\n", args[2],
                    cfg.vms[vm].node, cfg.vms[vm].name, ck.error);
            rc = 1;
        } else if (rc == 0) {
            printf("%s: fits %s (%s)\n", args[2], cfg.vms[vm].node, cfg.vms[vm].name);
        }
        free(buf);
    }
    free(dtb);
    return rc;
}

int ckpt_main(int argc, char **argv)
{
    static struct hyp_ckpt ck;
    void *buf = NULL;
    int rc;

    if (argc >= 3 && strcmp(argv[2], "check") == 0)
        return check(argc, argv);
    if (argc != 4 || strcmp(argv[2], "show") != 0) {
        fputs(ckpt_usage, stderr);
        return 2;
    }
    rc = load(&ck, argv[3], &buf);
    if (rc == 0)
        show(&ck, argv[3]);
    free(buf);
    return rc;
}
