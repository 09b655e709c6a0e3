/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal helpers of the checkpoint format (checkpoint.c), shared with the
 * vGIC record's writer and reader (vgic/vgic_ckpt.c). The layout is in
 * docs/checkpoint.md.
 */
#ifndef HYP_CKPT_INTERNAL_H
#define HYP_CKPT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <hyp/checkpoint.h>

/* Record types. */
#define CKPT_REC_VCPU  1u
#define CKPT_REC_VGIC  2u
#define CKPT_REC_VUART 3u
#define CKPT_REC_RAM   4u
#define CKPT_REC_END   0x454e44u /* "END" */

/* Bytes of a record header: type, index (u32 each), payload length (u64). */
#define CKPT_REC_HDR 16u

/* vGIC record: a 16-byte head, per vCPU 16 bytes + 32 interrupts, per SPI
 * an interrupt and its IROUTER (8 bytes each). */
#define CKPT_VGIC_HEAD 16u
#define CKPT_VGIC_IRQ  8u
#define CKPT_VGIC_CPU  (16u + HYP_VGIC_NR_PRIVATE * CKPT_VGIC_IRQ)
#define CKPT_VGIC_SPI  (CKPT_VGIC_IRQ + 8u)

/* Interrupt flags as stored (not the model's own bits). */
#define CKPT_IRQ_ENABLED 0x01u
#define CKPT_IRQ_PENDING 0x02u /* latched: edge, ISPENDR */
#define CKPT_IRQ_LINE    0x04u /* level of a level-sensitive software line */
#define CKPT_IRQ_ACTIVE  0x08u
#define CKPT_IRQ_GROUP1  0x10u
#define CKPT_IRQ_EDGE    0x20u
#define CKPT_IRQ_ALL     0x3fu

static inline void ckpt_put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void ckpt_put64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t ckpt_get32(const uint8_t *p)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static inline uint64_t ckpt_get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Write bytes through the sink into the digest (nothing after an error). */
void ckpt_put(struct hyp_ckpt_writer *w, const void *buf, size_t len);

/* Write a record header. */
void ckpt_record(struct hyp_ckpt_writer *w, uint32_t type, uint32_t index, uint64_t len);

/* Payload bytes of the vGIC record for a VM of this shape. */
static inline uint64_t ckpt_vgic_size(uint32_t vcpus, uint32_t spis)
{
    return CKPT_VGIC_HEAD + (uint64_t)vcpus * CKPT_VGIC_CPU +
           (uint64_t)spis * CKPT_VGIC_SPI;
}

/* Check a vGIC record payload (its length already checked against
 * ckpt_vgic_size()); 0, or -1 with the reason in ck->error. */
int ckpt_vgic_check(struct hyp_ckpt *ck, const uint8_t *p);

/* Set ck->error (printf-style); returns HYP_EFORMAT. */
int ckpt_fail(struct hyp_ckpt *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* HYP_CKPT_INTERNAL_H */
