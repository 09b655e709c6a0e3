/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * child-sign: sign child-VM images for a parent with a `public-key`
 * (docs/bindings/child-vms.md, "Signed images"), with the library's own
 * Ed25519 (hyp/ed25519.h) and launch measurement (hyp_childvm_measure()).
 *
 *   child-sign pubkey SECRET
 *   child-sign sign   SECRET CONFIG.dtb IMAGE OUT
 *   child-sign verify PUBLIC CONFIG.dtb SIGNED-IMAGE
 *
 * SECRET and PUBLIC are 64 hex digits (32 bytes). `pubkey` prints the public
 * key as hex and as a DTS byte string for `public-key`. `sign` checks
 * CONFIG.dtb with the child binding, then writes IMAGE followed by the
 * 64-byte signature of the measurement of (CONFIG.dtb, IMAGE) to OUT, and
 * prints the measurement. `verify` does what CHILD_CREATE does with such an
 * image: exits 0 if the signature is good, 1 if not. Exit 2: usage, I/O
 * error, or a configuration the hypervisor would refuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/childvm.h>
#include <hyp/ed25519.h>
#include <hyp/error.h>

/** Largest image read. */
#define IMAGE_MAX (256u << 20)

static const char usage[] =
    "usage: child-sign pubkey SECRET\n"
    "       child-sign sign SECRET CONFIG.dtb IMAGE OUT\n"
    "       child-sign verify PUBLIC CONFIG.dtb SIGNED-IMAGE\n"
    "SECRET, PUBLIC: 64 hex digits. See docs/bindings/child-vms.md.\n";

/** 64 hex digits into 32 bytes. @return 0 on success. */
static int parse_key(const char *hex, uint8_t key[32])
{
    if (strlen(hex) != 64)
        return -1;
    for (unsigned i = 0; i < 32; i++) {
        char byte[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
        char *end;

        key[i] = (uint8_t)strtoul(byte, &end, 16);
        if (*end != '\0' || byte[0] == '+' || byte[0] == '-' || byte[0] == ' ')
            return -1;
    }
    return 0;
}

/** Read @p path whole (at most @p max bytes) into a malloc'd buffer. */
static uint8_t *read_file(const char *path, size_t max, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = f ? malloc(max + 1) : NULL;

    if (buf != NULL) {
        *size = fread(buf, 1, max + 1, f);
        if (ferror(f) || *size > max) {
            free(buf);
            buf = NULL;
        }
    }
    if (f != NULL)
        fclose(f);
    if (buf == NULL)
        fprintf(stderr, "child-sign: %s: cannot read (or larger than %zu bytes)\n", path,
                max);
    return buf;
}

static void print_hex(const char *what, const uint8_t *b, size_t n)
{
    printf("%s", what);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

/** Read and check the configuration, and measure it with @p image. */
static uint8_t *config_measure(const char *path, const uint8_t *image, size_t image_size,
                               uint8_t digest[HYP_SHA256_SIZE])
{
    struct hyp_childvm_config cfg;
    char err[HYP_CHILDVM_ERRLEN];
    size_t size;
    uint8_t *blob = read_file(path, HYP_CHILDVM_CONFIG_MAX, &size);

    if (blob == NULL)
        return NULL;
    if (hyp_childvm_config_parse(blob, size, &cfg, err) != HYP_OK) {
        fprintf(stderr, "child-sign: %s: %s\n", path, err);
        free(blob);
        return NULL;
    }
    hyp_childvm_measure(blob, size, image, image_size, digest);
    return blob;
}

static int cmd_sign(const uint8_t secret[32], char **argv)
{
    uint8_t digest[HYP_SHA256_SIZE], sig[HYP_CHILDVM_SIG_SIZE], *cfg, *img;
    size_t size;
    FILE *out;
    int rc = 2;

    img = read_file(argv[1], IMAGE_MAX, &size);
    cfg = img ? config_measure(argv[0], img, size, digest) : NULL;
    if (cfg != NULL) {
        hyp_ed25519_sign(sig, digest, sizeof(digest), secret);
        out = fopen(argv[2], "wb");
        if (out != NULL && fwrite(img, 1, size, out) == size &&
            fwrite(sig, 1, sizeof(sig), out) == sizeof(sig) && fclose(out) == 0) {
            print_hex("measurement ", digest, sizeof(digest));
            rc = 0;
        } else {
            fprintf(stderr, "child-sign: %s: cannot write\n", argv[2]);
        }
    }
    free(cfg);
    free(img);
    return rc;
}

static int cmd_verify(const uint8_t pub[32], char **argv)
{
    uint8_t digest[HYP_SHA256_SIZE], *cfg = NULL, *img;
    size_t size;
    int rc = 2;

    img = read_file(argv[1], IMAGE_MAX + HYP_CHILDVM_SIG_SIZE, &size);
    if (img != NULL && size <= HYP_CHILDVM_SIG_SIZE)
        fprintf(stderr, "child-sign: %s: no room for an image and a signature\n",
                argv[1]);
    else if (img != NULL)
        cfg = config_measure(argv[0], img, size - HYP_CHILDVM_SIG_SIZE, digest);
    if (cfg != NULL) {
        bool good = hyp_ed25519_verify(img + size - HYP_CHILDVM_SIG_SIZE, digest,
                                       sizeof(digest), pub);

        print_hex("measurement ", digest, sizeof(digest));
        printf("signature %s\n", good ? "good" : "BAD");
        rc = good ? 0 : 1;
    }
    free(cfg);
    free(img);
    return rc;
}

int main(int argc, char **argv)
{
    uint8_t key[32], pub[32];

    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc < 3 || parse_key(argv[2], key) != 0) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[1], "pubkey") == 0 && argc == 3) {
        hyp_ed25519_public_key(pub, key);
        print_hex("", pub, sizeof(pub));
        printf("public-key = [");
        for (unsigned i = 0; i < sizeof(pub); i++)
            printf("%s%02x", i ? " " : "", pub[i]);
        printf("];\n");
        return 0;
    }
    if (strcmp(argv[1], "sign") == 0 && argc == 6)
        return cmd_sign(key, argv + 3);
    if (strcmp(argv[1], "verify") == 0 && argc == 5)
        return cmd_verify(key, argv + 3);
    fputs(usage, stderr);
    return 2;
}
