/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a partitioner VM's configuration says about checkpoints
 * (docs/checkpoint.md): its fingerprint, and whether it may be checkpointed
 * at all (passed-through devices must be listed in `checkpoint-detach`, no
 * shared regions). Logic only; host and target.
 */
#include <stdio.h>
#include <string.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>
#include <hyp/sha256.h>
#include <hyp/vmconfig.h>

#include <libfdt.h>

#include "../vm/ckpt_internal.h"

/* Add a u64, little-endian, to the device digest. */
static void add64(struct hyp_sha256 *s, uint64_t v)
{
    uint8_t b[8];

    ckpt_put64(b, v);
    hyp_sha256_update(s, b, sizeof(b));
}

/* Add a string with its terminating NUL. */
static void add_str(struct hyp_sha256 *s, const char *str)
{
    hyp_sha256_update(s, str, strlen(str) + 1);
}

int hyp_ckpt_vm_fingerprint(const struct hyp_vmconfig *cfg, unsigned vm, unsigned nr_spis,
                            struct hyp_ckpt_fingerprint *fp)
{
    const struct hyp_vmconfig_vm *v;
    struct hyp_sha256 s;

    if (vm >= cfg->vm_count)
        return HYP_EINVAL;
    v = &cfg->vms[vm];
    memset(fp, 0, sizeof(*fp));
    fp->vcpu_count = v->vcpu_count;
    fp->nr_spis = nr_spis;
    fp->gic_version = 3;
    fp->ram_count = 1;
    fp->ram[0].base = v->mem_ipa;
    fp->ram[0].size = v->mem.size;

    hyp_sha256_init(&s);
    add_str(&s, "libhyp partitioner devices v1");
    add64(&s, v->console);
    if (v->console) {
        add64(&s, v->console_regs.base);
        add64(&s, v->console_regs.size);
        add64(&s, v->console_intid);
    }
    add64(&s, v->device_count);
    for (unsigned i = 0; i < v->device_count; i++) {
        const struct hyp_vmconfig_device *d = &v->devices[i];

        add_str(&s, d->path);
        add64(&s, d->reg_count);
        for (unsigned r = 0; r < d->reg_count; r++) {
            add64(&s, d->regs[r].base);
            add64(&s, d->regs[r].size);
        }
        add64(&s, d->irq_count);
        for (unsigned q = 0; q < d->irq_count; q++) {
            add64(&s, d->irqs[q].intid);
            add64(&s, d->irqs[q].flags);
        }
    }
    add64(&s, v->shm_count);
    for (unsigned i = 0; i < v->shm_count; i++) {
        const struct hyp_vmconfig_shm *m = &cfg->shm[v->shm[i]];

        add_str(&s, m->node);
        add64(&s, m->range.base);
        add64(&s, m->range.size);
    }
    hyp_sha256_final(&s, fp->devices);
    return HYP_OK;
}

int hyp_ckpt_vm_allowed(const void *dtb, const struct hyp_vmconfig *cfg, unsigned vm,
                        char *why, size_t size)
{
    const struct hyp_vmconfig_vm *v;
    const fdt32_t *list;
    uint32_t safe = 0;
    int len = 0;

    if (vm >= cfg->vm_count) {
        snprintf(why, size, "no VM %u", vm);
        return HYP_EINVAL;
    }
    v = &cfg->vms[vm];
    list = fdt_getprop(dtb, v->offset, "checkpoint-detach", &len);
    if (list == NULL)
        len = 0;
    if (len % 4 != 0) {
        snprintf(why, size, "%s (%s): checkpoint-detach: not a list of phandles", v->node,
                 v->name);
        return HYP_EINVAL;
    }
    for (int i = 0; i < len / 4; i++) {
        int node = fdt_node_offset_by_phandle(dtb, fdt32_to_cpu(list[i]));
        unsigned d;

        for (d = 0; d < v->device_count && v->devices[d].node != node; d++)
            ;
        if (node < 0 || d == v->device_count) {
            snprintf(why, size,
                     "%s (%s): checkpoint-detach: entry %d is not one of its passthrough "
                     "devices",
                     v->node, v->name, i);
            return HYP_EINVAL;
        }
        safe |= 1u << d;
    }
    for (unsigned d = 0; d < v->device_count; d++)
        if (!(safe & (1u << d))) {
            snprintf(why, size,
                     "%s (%s): not checkpointable: passed-through %s is not marked safe "
                     "to detach (checkpoint-detach)",
                     v->node, v->name, v->devices[d].path);
            return HYP_EPERM;
        }
    if (v->shm_count) {
        snprintf(why, size,
                 "%s (%s): not checkpointable: it shares %s with another VM, whose "
                 "half of it a checkpoint cannot hold",
                 v->node, v->name, cfg->shm[v->shm[0]].node);
        return HYP_EPERM;
    }
    if (size)
        why[0] = '\0';
    return HYP_OK;
}
