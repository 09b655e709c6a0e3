/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hyp-config: check a partitioner configuration on the host, with the very
 * validator the hypervisor runs at boot (hyp_vmconfig_parse()).
 *
 *   hyp-config check [--hyp BASE,SIZE]... BOARD.dtb
 *   hyp-config ckpt show FILE      (a VM checkpoint: ckpt.c)
 *   hyp-config ckpt check [--hyp BASE,SIZE]... BOARD.dtb VM [FILE]
 *
 * Prints the partition map and exits 0 when the configuration is valid;
 * prints every refusal, one line each, and exits 1 when it is not (a
 * malformed DTB included); exits 2 on a usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/error.h>
#include <hyp/vmconfig.h>

#include "ckpt.h"

/** Largest DTB read (the arm64 boot protocol allows 2 MiB). */
#define DTB_MAX (2u << 20)

static const char usage[] =
    "usage: hyp-config check [--hyp BASE,SIZE]... BOARD.dtb\n"
    "       hyp-config ckpt show FILE\n"
    "       hyp-config ckpt check [--hyp BASE,SIZE]... BOARD.dtb VM [FILE]\n"
    "\n"
    "Checks the partitioner configuration (/hypervisor, see\n"
    "docs/bindings/partitioner.md) in BOARD.dtb against that board. Valid: prints\n"
    "the partition map, exits 0. Refused: prints each refusal on stderr, exits 1.\n"
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
    if (argc < 3 || strcmp(argv[1], "check") != 0) {
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
    rc = hyp_vmconfig_parse(dtb, size, hyp, hyp_count, &cfg, print_line, stderr);
    if (rc == HYP_OK)
        hyp_vmconfig_print(&cfg, print_line, stdout);
    else
        fprintf(stderr, "hyp-config: %s: refused (%u problem%s, first: %s)\n", file,
                cfg.error_count, cfg.error_count == 1 ? "" : "s", hyp_strerror(rc));
    free(dtb);
    return rc == HYP_OK ? 0 : 1;
}
