/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VM checkpoints, format version 1 (docs/checkpoint.md): the header, the
 * vCPU, UART, RAM and end records, and the parser. The vGIC record is
 * vgic/vgic_ckpt.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <hyp/checkpoint.h>
#include <hyp/error.h>

#include "ckpt_internal.h"

/* Header layout. */
#define HDR_VERSION 8u
#define HDR_SIZE_AT 12u
#define HDR_VCPUS   16u
#define HDR_SPIS    20u
#define HDR_GIC     24u
#define HDR_RAMS    28u
#define HDR_RAM     32u
#define HDR_DEVICES 96u
#define HDR_CNTFRQ  128u
#define HDR_VCOUNT  136u
#define HDR_NAME    144u
#define HDR_SIZE    176u

/* vCPU record: power, reserved, vmpidr, boot entry and context, then the
 * registers as 64-bit words: x0..x30, PC, PSTATE, q0..q7; EL1; GIC; the
 * rest of FP/SIMD. */
#define VCPU_REGS (31u + 2u + 16u)
#define VCPU_EL1  26u
#define VCPU_GIC  3u
#define VCPU_FP   50u
#define VCPU_SIZE (32u + 8u * (VCPU_REGS + VCPU_EL1 + VCPU_GIC + VCPU_FP))
_Static_assert(VCPU_SIZE == 1056, "docs/checkpoint.md gives the vcpu record 1056 bytes");
_Static_assert(sizeof(struct hyp_vcpu_el1) % 8 == 0, "EL1 state is 64-bit words");
_Static_assert(
    sizeof(struct hyp_vcpu_el1) == 26 * 8,
    "struct hyp_vcpu_el1 changed: bump HYP_CKPT_VERSION and docs/checkpoint.md");

/* UART record. */
#define VUART_SIZE 88u

/* RAM record head: base, size, stored page count. */
#define RAM_HEAD 24u

/* Guest PSTATE.M values a vCPU may resume in: EL0t, EL1t, EL1h (AArch64). */
#define PSTATE_M_MASK 0x1full

static const char *const rec_names[] = {[CKPT_REC_VCPU] = "vcpu",
                                        [CKPT_REC_VGIC] = "vgic",
                                        [CKPT_REC_VUART] = "vuart",
                                        [CKPT_REC_RAM] = "ram"};

int ckpt_fail(struct hyp_ckpt *ck, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ck->error, sizeof(ck->error), fmt, ap);
    va_end(ap);
    return HYP_EFORMAT;
}

int hyp_ckpt_mem_sink(void *ctx, const void *buf, size_t len)
{
    struct hyp_ckpt_mem *m = ctx;

    if (len > m->size - m->used)
        return HYP_ENOMEM;
    memcpy(m->base + m->used, buf, len);
    m->used += len;
    return HYP_OK;
}

void ckpt_put(struct hyp_ckpt_writer *w, const void *buf, size_t len)
{
    if (w->error || len == 0)
        return;
    w->error = w->sink(w->ctx, buf, len);
    if (w->error)
        return;
    hyp_sha256_update(&w->sha, buf, len);
    w->size += len;
}

void ckpt_record(struct hyp_ckpt_writer *w, uint32_t type, uint32_t index, uint64_t len)
{
    uint8_t h[CKPT_REC_HDR];

    ckpt_put32(h, type);
    ckpt_put32(h + 4, index);
    ckpt_put64(h + 8, len);
    ckpt_put(w, h, sizeof(h));
}

static bool page_aligned(uint64_t v)
{
    return (v & (HYP_CKPT_PAGE_SIZE - 1)) == 0;
}

/* NULL if the fingerprint is sane, else what is wrong with it. */
static const char *fingerprint_problem(const struct hyp_ckpt_fingerprint *fp)
{
    if (fp->vcpu_count == 0 || fp->vcpu_count > HYP_CKPT_MAX_VCPUS)
        return "vCPU count out of range";
    if (fp->nr_spis % 32 != 0 || fp->nr_spis > HYP_VGIC_MAX_SPIS)
        return "SPI count out of range";
    if (fp->gic_version != 3)
        return "GIC version is not 3";
    if (fp->ram_count == 0 || fp->ram_count > HYP_CKPT_MAX_RAM)
        return "RAM range count out of range";
    for (unsigned i = 0; i < HYP_CKPT_MAX_RAM; i++) {
        const struct hyp_range *r = &fp->ram[i];

        if (i >= fp->ram_count) {
            if (r->base || r->size)
                return "unused RAM range not zero";
            continue;
        }
        if (r->size == 0 || !page_aligned(r->base) || !page_aligned(r->size) ||
            r->base + r->size < r->base)
            return "RAM range empty, unaligned or wrapping";
    }
    return NULL;
}

int hyp_ckpt_write_begin(struct hyp_ckpt_writer *w, hyp_ckpt_sink_fn sink, void *ctx,
                         const struct hyp_ckpt_header *hdr)
{
    uint8_t h[HDR_SIZE];
    const struct hyp_ckpt_fingerprint *fp = &hdr->fp;

    memset(w, 0, sizeof(*w));
    w->sink = sink;
    w->ctx = ctx;
    hyp_sha256_init(&w->sha);
    if (!sink || fingerprint_problem(fp) || hdr->cntfrq == 0 ||
        memchr(hdr->name, '\0', sizeof(hdr->name)) == NULL) {
        w->error = HYP_EINVAL;
        return w->error;
    }
    w->hdr = *hdr;
    memset(h, 0, sizeof(h));
    memcpy(h, HYP_CKPT_MAGIC, 8);
    ckpt_put32(h + HDR_VERSION, HYP_CKPT_VERSION);
    ckpt_put32(h + HDR_SIZE_AT, HDR_SIZE);
    ckpt_put32(h + HDR_VCPUS, fp->vcpu_count);
    ckpt_put32(h + HDR_SPIS, fp->nr_spis);
    ckpt_put32(h + HDR_GIC, fp->gic_version);
    ckpt_put32(h + HDR_RAMS, fp->ram_count);
    for (unsigned i = 0; i < fp->ram_count; i++) {
        ckpt_put64(h + HDR_RAM + 16 * i, fp->ram[i].base);
        ckpt_put64(h + HDR_RAM + 16 * i + 8, fp->ram[i].size);
    }
    memcpy(h + HDR_DEVICES, fp->devices, HYP_SHA256_SIZE);
    ckpt_put64(h + HDR_CNTFRQ, hdr->cntfrq);
    ckpt_put64(h + HDR_VCOUNT, hdr->vcount);
    strncpy((char *)h + HDR_NAME, hdr->name, HYP_CKPT_NAME_SIZE - 1);
    ckpt_put(w, h, sizeof(h));
    return w->error;
}

/* Mark record @bit of @done written; HYP_EINVAL if it was already. */
static int once(struct hyp_ckpt_writer *w, uint32_t *done, unsigned bit, unsigned limit)
{
    if (w->error)
        return w->error;
    if (bit >= limit || (*done & (1u << bit))) {
        w->error = HYP_EINVAL;
        return w->error;
    }
    *done |= 1u << bit;
    return HYP_OK;
}

int hyp_ckpt_write_vcpu(struct hyp_ckpt_writer *w, unsigned id,
                        const struct hyp_ckpt_vcpu *v)
{
    uint8_t rec[VCPU_SIZE];
    const uint64_t *el1 = (const uint64_t *)&v->el1;
    uint8_t *p = rec + 32;

    if (once(w, &w->vcpus_done, id, w->hdr.fp.vcpu_count))
        return w->error;
    memset(rec, 0, sizeof(rec));
    ckpt_put32(rec, v->power == HYP_VCPU_OFF ? HYP_VCPU_OFF : HYP_VCPU_ON);
    ckpt_put64(rec + 8, v->vmpidr);
    ckpt_put64(rec + 16, v->boot_entry);
    ckpt_put64(rec + 24, v->boot_context);
    for (unsigned i = 0; i < 31; i++, p += 8)
        ckpt_put64(p, v->regs.x[i]);
    ckpt_put64(p, v->regs.pc);
    ckpt_put64(p + 8, v->regs.pstate);
    p += 16;
    for (unsigned i = 0; i < 16; i++, p += 8)
        ckpt_put64(p, v->regs.q[i]);
    for (unsigned i = 0; i < VCPU_EL1; i++, p += 8)
        ckpt_put64(p, el1[i]);
    ckpt_put64(p, v->gic.vmcr);
    ckpt_put64(p + 8, v->gic.ap0r0);
    ckpt_put64(p + 16, v->gic.ap1r0);
    p += 24;
    for (unsigned i = 0; i < 48; i++, p += 8)
        ckpt_put64(p, v->fp.q[i]);
    ckpt_put64(p, v->fp.fpsr);
    ckpt_put64(p + 8, v->fp.fpcr);
    ckpt_record(w, CKPT_REC_VCPU, id, sizeof(rec));
    ckpt_put(w, rec, sizeof(rec));
    return w->error;
}

int hyp_ckpt_write_vuart(struct hyp_ckpt_writer *w, unsigned index,
                         const struct hyp_vpl011 *u)
{
    uint8_t rec[VUART_SIZE];

    if (once(w, &w->vuarts_done, index, HYP_CKPT_MAX_VUARTS))
        return w->error;
    memset(rec, 0, sizeof(rec));
    for (unsigned i = 0; i < HYP_VPL011_FIFO_DEPTH; i++) {
        rec[2 * i] = (uint8_t)u->rx_fifo[i];
        rec[2 * i + 1] = (uint8_t)(u->rx_fifo[i] >> 8);
    }
    rec[64] = u->rx_head;
    rec[65] = u->rx_count;
    rec[66] = u->rx_overrun;
    rec[67] = u->irq_line;
    rec[68] = u->rsr;
    rec[69] = u->ilpr;
    rec[70] = u->fbrd;
    rec[71] = u->lcr_h;
    rec[72] = u->ifls;
    ckpt_put32(rec + 76, u->ibrd | (uint32_t)u->cr << 16);
    ckpt_put32(rec + 80, u->imsc | (uint32_t)u->ris << 16);
    ckpt_record(w, CKPT_REC_VUART, index, sizeof(rec));
    ckpt_put(w, rec, sizeof(rec));
    return w->error;
}

static bool page_zero(const uint8_t *page)
{
    const uint64_t *q = (const uint64_t *)(const void *)page;

    for (unsigned i = 0; i < HYP_CKPT_PAGE_SIZE / 8; i++)
        if (q[i])
            return false;
    return true;
}

int hyp_ckpt_write_ram(struct hyp_ckpt_writer *w, unsigned index, const void *ram)
{
    const uint8_t *mem = ram;
    uint64_t npages, stored = 0;
    uint8_t head[RAM_HEAD];

    if (once(w, &w->ram_done, index, w->hdr.fp.ram_count))
        return w->error;
    npages = w->hdr.fp.ram[index].size / HYP_CKPT_PAGE_SIZE;
    for (uint64_t n = 0; n < npages; n++)
        stored += !page_zero(mem + n * HYP_CKPT_PAGE_SIZE);
    ckpt_record(w, CKPT_REC_RAM, index,
                RAM_HEAD + (npages + 63) / 64 * 8 + stored * HYP_CKPT_PAGE_SIZE);
    ckpt_put64(head, w->hdr.fp.ram[index].base);
    ckpt_put64(head + 8, w->hdr.fp.ram[index].size);
    ckpt_put64(head + 16, stored);
    ckpt_put(w, head, sizeof(head));
    for (uint64_t n = 0; n < npages; n += 64) {
        uint64_t word = 0;
        uint8_t b[8];

        for (uint64_t i = 0; i < 64 && n + i < npages; i++)
            if (!page_zero(mem + (n + i) * HYP_CKPT_PAGE_SIZE))
                word |= 1ull << i;
        ckpt_put64(b, word);
        ckpt_put(w, b, sizeof(b));
    }
    for (uint64_t n = 0; n < npages; n++)
        if (!page_zero(mem + n * HYP_CKPT_PAGE_SIZE))
            ckpt_put(w, mem + n * HYP_CKPT_PAGE_SIZE, HYP_CKPT_PAGE_SIZE);
    return w->error;
}

int hyp_ckpt_write_end(struct hyp_ckpt_writer *w, uint64_t *size)
{
    uint8_t digest[HYP_SHA256_SIZE];
    uint32_t all_vcpus = (uint32_t)((1ull << w->hdr.fp.vcpu_count) - 1);
    uint32_t all_ram = (1u << w->hdr.fp.ram_count) - 1;

    if (!w->error && (w->vcpus_done != all_vcpus || w->ram_done != all_ram ||
                      !w->vgic_done || (w->vuarts_done & (w->vuarts_done + 1))))
        w->error = HYP_EINVAL;
    ckpt_record(w, CKPT_REC_END, 0, HYP_SHA256_SIZE);
    if (w->error)
        return w->error;
    hyp_sha256_final(&w->sha, digest);
    /* The digest covers every byte before it, so it is not hashed itself. */
    w->error = w->sink(w->ctx, digest, sizeof(digest));
    if (w->error)
        return w->error;
    w->size += sizeof(digest);
    if (size)
        *size = w->size;
    return HYP_OK;
}

/* ------------------------------------------------------------------ parse */

static int parse_header(struct hyp_ckpt *ck, const uint8_t *b)
{
    struct hyp_ckpt_fingerprint *fp = &ck->hdr.fp;
    const char *why;

    if (ckpt_get32(b + HDR_SIZE_AT) != HDR_SIZE)
        return ckpt_fail(ck, "header: size %u, version 1 has %u",
                         ckpt_get32(b + HDR_SIZE_AT), HDR_SIZE);
    fp->vcpu_count = ckpt_get32(b + HDR_VCPUS);
    fp->nr_spis = ckpt_get32(b + HDR_SPIS);
    fp->gic_version = ckpt_get32(b + HDR_GIC);
    fp->ram_count = ckpt_get32(b + HDR_RAMS);
    for (unsigned i = 0; i < HYP_CKPT_MAX_RAM; i++) {
        fp->ram[i].base = ckpt_get64(b + HDR_RAM + 16 * i);
        fp->ram[i].size = ckpt_get64(b + HDR_RAM + 16 * i + 8);
    }
    memcpy(fp->devices, b + HDR_DEVICES, HYP_SHA256_SIZE);
    ck->hdr.cntfrq = ckpt_get64(b + HDR_CNTFRQ);
    ck->hdr.vcount = ckpt_get64(b + HDR_VCOUNT);
    memcpy(ck->hdr.name, b + HDR_NAME, HYP_CKPT_NAME_SIZE);
    why = fingerprint_problem(fp);
    if (why)
        return ckpt_fail(ck, "header: %s", why);
    if (ck->hdr.cntfrq == 0)
        return ckpt_fail(ck, "header: counter frequency 0");
    if (ck->hdr.name[HYP_CKPT_NAME_SIZE - 1] != '\0')
        return ckpt_fail(ck, "header: VM name not terminated");
    return HYP_OK;
}

/* Lengths the walk recorded, checked once the digest is known good. */
struct walk {
    uint64_t vcpu_len[HYP_CKPT_MAX_VCPUS];
    uint64_t vuart_len[HYP_CKPT_MAX_VUARTS];
    uint64_t ram_len[HYP_CKPT_MAX_RAM];
    uint64_t vgic_len;
    uint32_t vuarts;
};

/* Index one record; its payload [p, p + len) lies inside the buffer. */
static int index_record(struct hyp_ckpt *ck, struct walk *wk, uint32_t type,
                        uint32_t index, const uint8_t *p, uint64_t len, uint64_t off)
{
    const uint8_t **slot;
    uint64_t *slot_len;
    unsigned limit;

    switch (type) {
    case CKPT_REC_VCPU:
        limit = ck->hdr.fp.vcpu_count;
        slot = &ck->vcpu[index < limit ? index : 0];
        slot_len = &wk->vcpu_len[index < limit ? index : 0];
        break;
    case CKPT_REC_VGIC:
        limit = 1;
        slot = &ck->vgic;
        slot_len = &wk->vgic_len;
        break;
    case CKPT_REC_VUART:
        limit = HYP_CKPT_MAX_VUARTS;
        slot = &ck->vuart[index < limit ? index : 0];
        slot_len = &wk->vuart_len[index < limit ? index : 0];
        break;
    case CKPT_REC_RAM:
        limit = ck->hdr.fp.ram_count;
        slot = &ck->ram[index < limit ? index : 0].data;
        slot_len = &wk->ram_len[index < limit ? index : 0];
        break;
    default:
        return ckpt_fail(ck, "record at offset 0x%llx: unknown type 0x%x",
                         (unsigned long long)off, type);
    }
    if (index >= limit)
        return ckpt_fail(ck, "%s record at offset 0x%llx: index %u, at most %u",
                         rec_names[type], (unsigned long long)off, index, limit - 1);
    if (*slot)
        return ckpt_fail(ck, "%s record %u at offset 0x%llx: repeated", rec_names[type],
                         index, (unsigned long long)off);
    *slot = p;
    *slot_len = len;
    if (type == CKPT_REC_VUART)
        wk->vuarts |= 1u << index;
    return HYP_OK;
}

static int check_vcpu(struct hyp_ckpt *ck, unsigned id, uint64_t len)
{
    const uint8_t *p = ck->vcpu[id];
    uint64_t pstate;

    if (len != VCPU_SIZE)
        return ckpt_fail(ck, "vcpu record %u: %llu bytes, expected %u", id,
                         (unsigned long long)len, VCPU_SIZE);
    if (ckpt_get32(p) > HYP_VCPU_ON || ckpt_get32(p + 4) != 0)
        return ckpt_fail(ck, "vcpu record %u: bad power state %u", id, ckpt_get32(p));
    pstate = ckpt_get64(p + 32 + 8 * 32);
    /* Only AArch64 EL0t, EL1t or EL1h: nothing may resume at EL2. */
    if ((pstate & PSTATE_M_MASK) != 0 && (pstate & PSTATE_M_MASK) != 4 &&
        (pstate & PSTATE_M_MASK) != 5)
        return ckpt_fail(ck, "vcpu record %u: PSTATE.M 0x%llx is not EL0t/EL1t/EL1h", id,
                         (unsigned long long)(pstate & PSTATE_M_MASK));
    return HYP_OK;
}

static int check_vuart(struct hyp_ckpt *ck, unsigned i, uint64_t len)
{
    const uint8_t *p = ck->vuart[i];
    uint32_t imsc = ckpt_get32(p + 80) & 0xffff, ris = ckpt_get32(p + 80) >> 16;

    if (len != VUART_SIZE)
        return ckpt_fail(ck, "vuart record %u: %llu bytes, expected %u", i,
                         (unsigned long long)len, VUART_SIZE);
    if (p[64] >= HYP_VPL011_FIFO_DEPTH || p[65] > HYP_VPL011_FIFO_DEPTH || p[66] > 1 ||
        p[67] > 1 || p[68] > 0xf || (imsc | ris) > 0x7ff || p[67] != ((imsc & ris) != 0))
        return ckpt_fail(ck, "vuart record %u: register values no PL011 can hold", i);
    return HYP_OK;
}

static int check_ram(struct hyp_ckpt *ck, unsigned i, uint64_t len)
{
    struct hyp_ckpt_ram *r = &ck->ram[i];
    const uint8_t *p = r->data;
    uint64_t npages, words, count = 0;

    if (len < RAM_HEAD)
        return ckpt_fail(ck, "ram record %u: %llu bytes, shorter than its head", i,
                         (unsigned long long)len);
    r->base = ckpt_get64(p);
    r->size = ckpt_get64(p + 8);
    r->pages = ckpt_get64(p + 16);
    if (r->base != ck->hdr.fp.ram[i].base || r->size != ck->hdr.fp.ram[i].size)
        return ckpt_fail(ck, "ram record %u: range differs from the header's", i);
    npages = r->size / HYP_CKPT_PAGE_SIZE;
    words = (npages + 63) / 64;
    if (r->pages > npages || len != RAM_HEAD + words * 8 + r->pages * HYP_CKPT_PAGE_SIZE)
        return ckpt_fail(ck, "ram record %u: %llu bytes do not hold %llu pages", i,
                         (unsigned long long)len, (unsigned long long)r->pages);
    r->bitmap = p + RAM_HEAD;
    for (uint64_t w = 0; w < words; w++) {
        uint64_t bits = ckpt_get64(r->bitmap + 8 * w);

        if (w == words - 1 && npages % 64 && (bits >> (npages % 64)))
            return ckpt_fail(ck, "ram record %u: bitmap names pages past the range", i);
        count += (uint64_t)__builtin_popcountll(bits);
    }
    if (count != r->pages)
        return ckpt_fail(ck, "ram record %u: bitmap names %llu pages, head says %llu", i,
                         (unsigned long long)count, (unsigned long long)r->pages);
    r->data = r->bitmap + words * 8;
    return HYP_OK;
}

/* Everything once the structure and digest are known good. */
static int check_records(struct hyp_ckpt *ck, const struct walk *wk)
{
    const struct hyp_ckpt_fingerprint *fp = &ck->hdr.fp;
    int rc;

    for (unsigned i = 0; i < fp->vcpu_count; i++) {
        if (!ck->vcpu[i])
            return ckpt_fail(ck, "vcpu record %u missing", i);
        if ((rc = check_vcpu(ck, i, wk->vcpu_len[i])))
            return rc;
    }
    for (unsigned i = 0; i < fp->ram_count; i++) {
        if (!ck->ram[i].data)
            return ckpt_fail(ck, "ram record %u missing", i);
        if ((rc = check_ram(ck, i, wk->ram_len[i])))
            return rc;
    }
    if (!ck->vgic)
        return ckpt_fail(ck, "vgic record missing");
    if (wk->vgic_len != ckpt_vgic_size(fp->vcpu_count, fp->nr_spis))
        return ckpt_fail(ck, "vgic record: %llu bytes, expected %llu",
                         (unsigned long long)wk->vgic_len,
                         (unsigned long long)ckpt_vgic_size(fp->vcpu_count, fp->nr_spis));
    if (ckpt_vgic_check(ck, ck->vgic))
        return HYP_EFORMAT;
    if (wk->vuarts & (wk->vuarts + 1))
        return ckpt_fail(ck, "vuart records not numbered from 0 without gaps");
    ck->vuart_count = (unsigned)__builtin_popcount(wk->vuarts);
    for (unsigned i = 0; i < ck->vuart_count; i++)
        if ((rc = check_vuart(ck, i, wk->vuart_len[i])))
            return rc;
    return HYP_OK;
}

int hyp_ckpt_parse(struct hyp_ckpt *ck, const void *buf, size_t len)
{
    const uint8_t *b = buf;
    struct walk wk;
    uint64_t off = HDR_SIZE;
    uint8_t digest[HYP_SHA256_SIZE];
    int rc;

    memset(ck, 0, sizeof(*ck));
    memset(&wk, 0, sizeof(wk));
    if (len < 8 || memcmp(b, HYP_CKPT_MAGIC, 8) != 0)
        return ckpt_fail(ck,
                         len < 8 ? "truncated: %zu bytes, not even a magic"
                                 : "not a checkpoint: bad magic (%zu bytes)",
                         len);
    if (len < HDR_SIZE)
        return ckpt_fail(ck, "truncated in the header: %zu of %u bytes", len, HDR_SIZE);
    ck->version = ckpt_get32(b + HDR_VERSION);
    if (ck->version != HYP_CKPT_VERSION) {
        ckpt_fail(ck, "format version %u; this build reads version %u", ck->version,
                  HYP_CKPT_VERSION);
        return HYP_ENOTSUP;
    }
    if ((rc = parse_header(ck, b)))
        return rc;
    for (;;) {
        uint32_t type, index;
        uint64_t rlen;

        if (len - off < CKPT_REC_HDR)
            return ckpt_fail(ck, "truncated: %llu bytes end without the end record",
                             (unsigned long long)len);
        type = ckpt_get32(b + off);
        index = ckpt_get32(b + off + 4);
        rlen = ckpt_get64(b + off + 8);
        if (rlen % 8 != 0)
            return ckpt_fail(ck,
                             "record at offset 0x%llx: length %llu not a multiple of 8",
                             (unsigned long long)off, (unsigned long long)rlen);
        if (rlen > len - off - CKPT_REC_HDR)
            return ckpt_fail(ck,
                             "truncated: record of type 0x%x at offset 0x%llx needs %llu "
                             "bytes, %llu left",
                             type, (unsigned long long)off, (unsigned long long)rlen,
                             (unsigned long long)(len - off - CKPT_REC_HDR));
        if (type == CKPT_REC_END) {
            if (rlen != HYP_SHA256_SIZE || index != 0)
                return ckpt_fail(ck, "end record at offset 0x%llx: malformed",
                                 (unsigned long long)off);
            break;
        }
        if ((rc = index_record(ck, &wk, type, index, b + off + CKPT_REC_HDR, rlen, off)))
            return rc;
        off += CKPT_REC_HDR + rlen;
    }
    off += CKPT_REC_HDR;
    if (len - off != HYP_SHA256_SIZE)
        return ckpt_fail(ck, "%llu bytes after the end record",
                         (unsigned long long)(len - off - HYP_SHA256_SIZE));
    hyp_sha256(b, off, digest);
    memcpy(ck->digest, b + off, HYP_SHA256_SIZE);
    if (memcmp(digest, ck->digest, HYP_SHA256_SIZE) != 0)
        return ckpt_fail(ck, "digest mismatch: the checkpoint is damaged");
    ck->size = len;
    return check_records(ck, &wk);
}

/* Refuse a checkpoint for another VM: the reason, and HYP_EINVAL. */
#define MISMATCH(ck, ...) (ckpt_fail(ck, __VA_ARGS__), HYP_EINVAL)

int hyp_ckpt_match(struct hyp_ckpt *ck, const struct hyp_ckpt_fingerprint *fp)
{
    const struct hyp_ckpt_fingerprint *have = &ck->hdr.fp;

    if (have->vcpu_count != fp->vcpu_count)
        return MISMATCH(ck, "taken with %u vCPUs, the VM has %u", have->vcpu_count,
                        fp->vcpu_count);
    if (have->ram_count != fp->ram_count)
        return MISMATCH(ck, "taken with %u RAM ranges, the VM has %u", have->ram_count,
                        fp->ram_count);
    for (unsigned i = 0; i < fp->ram_count; i++)
        if (have->ram[i].base != fp->ram[i].base || have->ram[i].size != fp->ram[i].size)
            return MISMATCH(ck, "taken with RAM 0x%llx+0x%llx, the VM has 0x%llx+0x%llx",
                            (unsigned long long)have->ram[i].base,
                            (unsigned long long)have->ram[i].size,
                            (unsigned long long)fp->ram[i].base,
                            (unsigned long long)fp->ram[i].size);
    if (have->gic_version != fp->gic_version || have->nr_spis != fp->nr_spis)
        return MISMATCH(ck, "taken with a GICv%u of %u SPIs, the VM has a GICv%u of %u",
                        have->gic_version, have->nr_spis, fp->gic_version, fp->nr_spis);
    if (memcmp(have->devices, fp->devices, HYP_SHA256_SIZE) != 0)
        return MISMATCH(ck, "taken with other devices (device digest differs)");
    return HYP_OK;
}

void hyp_ckpt_vcpu(const struct hyp_ckpt *ck, unsigned id, struct hyp_ckpt_vcpu *v)
{
    const uint8_t *p = ck->vcpu[id] + 32;
    uint64_t *el1 = (uint64_t *)&v->el1;

    memset(v, 0, sizeof(*v));
    v->power = ckpt_get32(ck->vcpu[id]);
    v->vmpidr = ckpt_get64(ck->vcpu[id] + 8);
    v->boot_entry = ckpt_get64(ck->vcpu[id] + 16);
    v->boot_context = ckpt_get64(ck->vcpu[id] + 24);
    for (unsigned i = 0; i < 31; i++, p += 8)
        v->regs.x[i] = ckpt_get64(p);
    v->regs.pc = ckpt_get64(p);
    v->regs.pstate = ckpt_get64(p + 8);
    p += 16;
    for (unsigned i = 0; i < 16; i++, p += 8)
        v->regs.q[i] = ckpt_get64(p);
    for (unsigned i = 0; i < VCPU_EL1; i++, p += 8)
        el1[i] = ckpt_get64(p);
    v->gic.vmcr = ckpt_get64(p);
    v->gic.ap0r0 = ckpt_get64(p + 8);
    v->gic.ap1r0 = ckpt_get64(p + 16);
    p += 24;
    for (unsigned i = 0; i < 48; i++, p += 8)
        v->fp.q[i] = ckpt_get64(p);
    v->fp.fpsr = ckpt_get64(p);
    v->fp.fpcr = ckpt_get64(p + 8);
}

int hyp_ckpt_restore_vuart(const struct hyp_ckpt *ck, unsigned index,
                           struct hyp_vpl011 *u)
{
    const uint8_t *p;

    if (index >= ck->vuart_count)
        return HYP_ENOENT;
    p = ck->vuart[index];
    for (unsigned i = 0; i < HYP_VPL011_FIFO_DEPTH; i++)
        u->rx_fifo[i] = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    u->rx_head = p[64];
    u->rx_count = p[65];
    u->rx_overrun = p[66];
    u->irq_line = p[67];
    u->rsr = p[68];
    u->ilpr = p[69];
    u->fbrd = p[70];
    u->lcr_h = p[71];
    u->ifls = p[72];
    u->ibrd = (uint16_t)ckpt_get32(p + 76);
    u->cr = (uint16_t)(ckpt_get32(p + 76) >> 16);
    u->imsc = (uint16_t)ckpt_get32(p + 80);
    u->ris = (uint16_t)(ckpt_get32(p + 80) >> 16);
    return HYP_OK;
}

void hyp_ckpt_restore_ram(const struct hyp_ckpt *ck, unsigned index, void *ram)
{
    const struct hyp_ckpt_ram *r = &ck->ram[index];
    const uint8_t *src = r->data;
    uint8_t *dst = ram;

    for (uint64_t n = 0; n < r->size / HYP_CKPT_PAGE_SIZE; n++) {
        uint8_t *page = dst + n * HYP_CKPT_PAGE_SIZE;

        if (r->bitmap[n / 8] & (1u << (n % 8))) {
            memcpy(page, src, HYP_CKPT_PAGE_SIZE);
            src += HYP_CKPT_PAGE_SIZE;
        } else {
            memset(page, 0, HYP_CKPT_PAGE_SIZE);
        }
    }
}
