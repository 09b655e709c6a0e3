/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hyp-config: check what a hypervisor is booted with on the host, with the
 * very validators the hypervisor runs at boot:
 *
 *   hyp-config check [--hyp BASE,SIZE]... BOARD.dtb          hyp_vmconfig_parse()
 *   hyp-config check-modules [--hyp BASE,SIZE]... BOARD.dtb  hyp_guest_modules_find()
 *   hyp-config check-policy BOARD.dtb                        hyp_policy_parse()
 *   hyp-config check-child CONFIG.dtb                        hyp_childvm_config_parse()
 *   hyp-config ckpt show FILE      (a VM checkpoint: ckpt.c)
 *   hyp-config ckpt check [--hyp BASE,SIZE]... BOARD.dtb VM [FILE]
 *
 * Prints what it found and exits 0 when the input is valid; prints every
 * refusal (the others: the first), one line each, and exits 1 when it is not
 * (a malformed DTB included); exits 2 on a usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/childvm.h>
#include <hyp/error.h>
#include <hyp/guest.h>
#include <hyp/policy.h>
#include <hyp/vmconfig.h>

#include "ckpt.h"

/** Largest DTB read (the arm64 boot protocol allows 2 MiB). */
#define DTB_MAX (2u << 20)

static const char usage[] =
    "usage: hyp-config check [--hyp BASE,SIZE]... BOARD.dtb\n"
    "       hyp-config check-modules [--hyp BASE,SIZE]... BOARD.dtb\n"
    "       hyp-config check-policy BOARD.dtb\n"
    "       hyp-config check-child CONFIG.dtb\n"
    "       hyp-config ckpt show FILE\n"
    "       hyp-config ckpt check [--hyp BASE,SIZE]... BOARD.dtb VM [FILE]\n"
    "\n"
    "check: the partitioner configuration (/hypervisor, see\n"
    "docs/bindings/partitioner.md) in BOARD.dtb against that board. Valid: prints\n"
    "the partition map, exits 0. Refused: prints each refusal on stderr, exits 1.\n"
    "check-modules: the guest modules in /chosen (docs/bindings/multiboot-modules.md).\n"
    "check-policy: the thin monitor's policy (docs/bindings/monitor-policy.md).\n"
    "check-child: a child VM's configuration blob (docs/bindings/child-vms.md).\n"
    "\n"
    "  --hyp BASE,SIZE  memory the hypervisor keeps for itself (repeatable, at\n"
    "                   most 4); SIZE may end in K, M or G, e.g. 0x40000000,16M\n"
    "\n"
    "`ckpt show` checks a VM checkpoint (docs/checkpoint.md) and prints what it\n"
    "holds: exits 0; a damaged or unreadable one is refused with the reason, exit 1.\n"
    "`ckpt check` says whether VM (label, node name or index) of the configuration\n"
    "may be checkpointed, and whether checkpoint FILE fits it: exits 0 if so, else\n"
    "prints why and exits 1.\n";

/** Parse a number with an optional K/M/G suffix. @return 0 on success. */
static int parse_number(const char *s, unsigned long long *out, int suffix)
{
    char *end;

    errno = 0;
    *out = strtoull(s, &end, 0);
    if (errno || end == s)
        return -1;
    if (suffix && *end && strchr("KMG", *end) && end[1] == '\0') {
        unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;

        if (*out >> (64 - shift))
            return -1;
        *out <<= shift;
        end++;
    }
    return *end == '\0' ? 0 : -1;
}

int parse_hyp(const char *arg, struct hyp_range *r)
{
    char base[64];
    const char *comma = strchr(arg, ',');
    unsigned long long b, s;

    if (!comma || (size_t)(comma - arg) >= sizeof(base))
        return -1;
    memcpy(base, arg, (size_t)(comma - arg));
    base[comma - arg] = '\0';
    if (parse_number(base, &b, 0) || parse_number(comma + 1, &s, 1))
        return -1;
    r->base = b;
    r->size = s;
    return 0;
}

/** Read @p path whole into a malloc'd (so 8-byte aligned) buffer. */
void *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    size_t n;

    if (!f)
        return NULL;
    buf = malloc(DTB_MAX + 1);
    if (buf) {
        n = fread(buf, 1, DTB_MAX + 1, f);
        if (ferror(f) || n > DTB_MAX) {
            free(buf);
            buf = NULL;
            errno = ferror(f) ? EIO : EFBIG;
        }
        *size = n;
    }
    fclose(f);
    return buf;
}

static void print_line(void *arg, const char *line)
{
    fprintf(arg, "%s\n", line);
}

/** check-modules, check-policy, check-child: one validator, one verdict line.
 *  @return The exit status. */
static int check_other(const char *cmd, const char *file, const void *dtb, size_t size,
                       const struct hyp_range *hyp, unsigned hyp_count)
{
    char err[HYP_GUEST_ERRLEN > HYP_POLICY_ERRLEN ? HYP_GUEST_ERRLEN : HYP_POLICY_ERRLEN];
    int rc;

    err[0] = '\0';
    if (strcmp(cmd, "check-modules") == 0) {
        struct hyp_guest_modules mods;

        rc = hyp_guest_modules_find(dtb, size, hyp, hyp_count, &mods, err);
        if (rc == HYP_OK)
            printf("kernel %#llx+%#llx, ramdisk %#llx+%#llx, bootargs \"%s\"\n",
                   (unsigned long long)mods.kernel.base,
                   (unsigned long long)mods.kernel.size,
                   (unsigned long long)mods.ramdisk.base,
                   (unsigned long long)mods.ramdisk.size,
                   mods.bootargs != NULL ? mods.bootargs : "");
    } else if (strcmp(cmd, "check-policy") == 0) {
        static struct hyp_policy pol;

        rc = hyp_policy_parse(dtb, size, &pol, err);
        if (rc == HYP_OK && !pol.present)
            printf("no policy node: the defaults\n");
        else if (rc == HYP_OK)
            printf("policy %s: %u watched, %u protected, rate %u/s burst %u\n", pol.path,
                   pol.watch_count, pol.protect_count, (unsigned)pol.rate,
                   (unsigned)pol.burst);
    } else {
        struct hyp_childvm_config child;

        _Static_assert(sizeof(err) >= HYP_CHILDVM_ERRLEN, "room for a refusal");
        rc = hyp_childvm_config_parse(dtb, size, &child, err);
        if (rc == HYP_OK)
            printf("child %s: memory %#llx, console %s, %u children at most\n",
                   child.name, (unsigned long long)child.memory,
                   child.console ? "yes" : "no", child.max_child_vms);
    }
    if (rc == HYP_OK)
        return 0;
    fprintf(stderr, "%s\nhyp-config: %s: refused (%s)\n", err, file, hyp_strerror(rc));
    return 1;
}

int main(int argc, char **argv)
{
    static struct hyp_vmconfig cfg;
    struct hyp_range hyp[HYP_VMCONFIG_MAX_HYP];
    unsigned hyp_count = 0;
    const char *file = NULL;
    size_t size = 0;
    void *dtb;
    int rc;

    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "ckpt") == 0)
        return ckpt_main(argc, argv);
    if (argc < 3 ||
        (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "check-modules") != 0 &&
         strcmp(argv[1], "check-policy") != 0 && strcmp(argv[1], "check-child") != 0)) {
        fputs(usage, stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--hyp") == 0 && i + 1 < argc) {
            if (hyp_count == HYP_VMCONFIG_MAX_HYP ||
                parse_hyp(argv[++i], &hyp[hyp_count])) {
                fprintf(stderr, "hyp-config: --hyp %s: expected BASE,SIZE (at most %d)\n",
                        argv[i], HYP_VMCONFIG_MAX_HYP);
                return 2;
            }
            hyp_count++;
        } else if (argv[i][0] == '-' || file) {
            fputs(usage, stderr);
            return 2;
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        fputs(usage, stderr);
        return 2;
    }
    dtb = read_file(file, &size);
    if (!dtb) {
        fprintf(stderr, "hyp-config: %s: %s\n", file, strerror(errno));
        return 2;
    }
    if (strcmp(argv[1], "check") != 0) {
        rc = check_other(argv[1], file, dtb, size, hyp, hyp_count);
        free(dtb);
        return rc;
    }
    rc = hyp_vmconfig_parse(dtb, size, hyp, hyp_count, &cfg, print_line, stderr);
    if (rc == HYP_OK)
        hyp_vmconfig_print(&cfg, print_line, stdout);
    else
        fprintf(stderr, "hyp-config: %s: refused (%u problem%s, first: %s)\n", file,
                cfg.error_count, cfg.error_count == 1 ? "" : "s", hyp_strerror(rc));
    free(dtb);
    return rc == HYP_OK ? 0 : 1;
}
