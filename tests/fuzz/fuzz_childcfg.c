/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: a child VM's configuration blob (hyp/childvm.h), which
 * a guest hands over. Parsing arbitrary bytes must never crash or read past
 * the size given, must leave a terminated refusal line, and an accepted
 * configuration must obey every rule of docs/bindings/child-vms.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/childvm.h>
#include <hyp/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct hyp_childvm_config *c)
{
    if (c->name[0] == '\0' || memchr(c->name, '\0', sizeof(c->name)) == NULL ||
        c->memory == 0 || c->memory % HYP_VMCONFIG_GRANULE != 0 ||
        (c->caps & ~HYP_VMCONFIG_CAP_CREATE_VMS))
        abort();
    if (c->caps
            ? c->max_child_vms == 0 || c->max_child_memory == 0 ||
                  c->max_child_memory > c->memory ||
                  c->max_child_memory % HYP_VMCONFIG_GRANULE || c->max_child_depth == 0 ||
                  c->max_child_depth > HYP_VMCONFIG_MAX_DEPTH
            : c->max_child_vms || c->max_child_memory || c->max_child_depth)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hyp_childvm_config cfg;
    char err[HYP_CHILDVM_ERRLEN];
    /* An exact-size, aligned copy: ASan catches any read past `size`. */
    void *blob = malloc(size ? (size + 7) / 8 * 8 : 8);
    int rc;

    if (blob == NULL)
        return 0;
    memcpy(blob, data, size);
    rc = hyp_childvm_config_parse(blob, size, &cfg, err);
    if (memchr(err, '\0', sizeof(err)) == NULL)
        abort();
    if (rc == HYP_OK)
        check(&cfg);
    else if (rc != HYP_EFORMAT || err[0] == '\0')
        abort();
    free(blob);
    return 0;
}
