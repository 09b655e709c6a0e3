/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the checkpoint parser (hyp_ckpt_parse()) and the
 * restore functions over arbitrary bytes. An input refused only for its
 * digest is parsed again with its last 32 bytes replaced by the SHA-256 of
 * the rest, so that mutations get past the digest to the record checks. A
 * checkpoint the parser accepts must then restore without fault: its vCPUs
 * read back, a virtual GIC of its shape takes its vGIC record and flushes
 * every vCPU, its UARTs answer reads and give their input back, small RAM
 * ranges are filled.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/checkpoint.h>
#include <hyp/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond))                                                                     \
            abort();                                                                     \
    } while (0)

/* Largest RAM range the harness restores (the input bounds what is stored). */
#define RAM_MAX (1u << 20)

static uint8_t buf[1 << 16] __attribute__((aligned(8)));
static uint8_t ram[RAM_MAX] __attribute__((aligned(8)));
static struct hyp_ckpt ck;
static struct hyp_vgic vgic;
static struct hyp_vgic_cpu cpus[HYP_CKPT_MAX_VCPUS];

static void restore(void)
{
    const struct hyp_ckpt_fingerprint *fp = &ck.hdr.fp;
    uint64_t mpidr[HYP_CKPT_MAX_VCPUS];
    struct hyp_vgic_config gc = {.gicd_base = 0x08000000,
                                 .gicr_base = 0x080a0000,
                                 .vcpu_count = fp->vcpu_count,
                                 .vcpu_mpidr = mpidr,
                                 .nr_spis = fp->nr_spis,
                                 .cpus = cpus};
    struct hyp_ckpt_vgic_stats st;

    CHECK(hyp_ckpt_match(&ck, fp) == HYP_OK);
    CHECK(fp->vcpu_count >= 1 && fp->vcpu_count <= HYP_CKPT_MAX_VCPUS);
    for (unsigned i = 0; i < fp->vcpu_count; i++) {
        struct hyp_ckpt_vcpu v;

        hyp_ckpt_vcpu(&ck, i, &v);
        CHECK((v.regs.pstate & 0x1f) == 0 || (v.regs.pstate & 0x1f) == 4 ||
              (v.regs.pstate & 0x1f) == 5);
        mpidr[i] = i;
    }
    CHECK(hyp_vgic_init(&vgic, &gc) == HYP_OK);
    hyp_ckpt_vgic_stats(&ck, &st);
    if (hyp_ckpt_restore_vgic(&ck, &vgic) == HYP_OK) {
        for (unsigned i = 0; i < fp->vcpu_count; i++) {
            uint64_t lr[HYP_VGIC_MAX_LRS] = {0}, hcr;

            hyp_vgic_flush(&vgic, i, lr, 4, &hcr);
            hyp_vgic_sync(&vgic, i, lr, 4);
        }
    }
    for (unsigned i = 0; i < ck.vuart_count; i++) {
        struct hyp_vpl011 u;
        uint64_t v = 0;

        hyp_vpl011_init(&u, NULL, NULL);
        CHECK(hyp_ckpt_restore_vuart(&ck, i, &u) == HYP_OK);
        for (unsigned n = 0; n < HYP_VPL011_FIFO_DEPTH + 2; n++)
            CHECK(hyp_vpl011_mmio(&u, 0, 4, false, &v) == HYP_OK);
        CHECK(hyp_vpl011_rx_room(&u) <= HYP_VPL011_FIFO_DEPTH);
    }
    for (unsigned i = 0; i < fp->ram_count; i++)
        if (ck.ram[i].size <= RAM_MAX)
            hyp_ckpt_restore_ram(&ck, i, ram);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > sizeof(buf))
        return 0;
    memcpy(buf, data, size);
    if (hyp_ckpt_parse(&ck, buf, size) == HYP_OK) {
        restore();
        return 0;
    }
    CHECK(ck.error[0] != '\0');
    if (strstr(ck.error, "digest mismatch")) {
        hyp_sha256(buf, size - HYP_SHA256_SIZE, buf + size - HYP_SHA256_SIZE);
        if (hyp_ckpt_parse(&ck, buf, size) == HYP_OK)
            restore();
        else
            CHECK(ck.error[0] != '\0');
    }
    return 0;
}
