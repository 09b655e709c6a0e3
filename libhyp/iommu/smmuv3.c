/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SMMUv3, stage 2 only (include/hyp/smmuv3.h). Offsets, fields and formats
 * from Arm IHI 0070. Logic code: on the host, mmio_read32()/mmio_write32()
 * are the unit test's fake SMMU.
 */
#include <string.h>
#include <hyp/error.h>
#include <hyp/mmio.h>
#include <hyp/smmuv3.h>

/* Registers, page 0 (and the event queue's indices in page 1). */
#define IDR0            0x00
#define IDR1            0x04
#define IDR5            0x14
#define CR0             0x20
#define CR0ACK          0x24
#define CR1             0x28
#define CR2             0x2c
#define GBPA            0x44
#define GERROR          0x60
#define GERRORN         0x64
#define STRTAB_BASE     0x80
#define STRTAB_BASE_CFG 0x88
#define CMDQ_BASE       0x90
#define CMDQ_PROD       0x98
#define CMDQ_CONS       0x9c
#define EVENTQ_BASE     0xa0
#define EVENTQ_PROD     0x100a8
#define EVENTQ_CONS     0x100ac

#define IDR0_S2P           (1u << 0)
#define IDR0_TTF_SHIFT     2 /* 2 bits: 0b10 AArch64, 0b11 both */
#define IDR0_COHACC        (1u << 4)
#define IDR0_ST_LEVEL_MASK (3u << 27)
#define IDR0_ST_LEVEL_2    (1u << 27)
#define IDR1_SIDSIZE_MASK  0x3fu
#define IDR5_GRAN4K        (1u << 4)

#define CR0_SMMUEN   (1u << 0)
#define CR0_EVENTQEN (1u << 2)
#define CR0_CMDQEN   (1u << 3)
/* CR1: queues and tables inner/outer write-back, inner shareable. */
#define CR1_WB_ISH                                                                       \
    ((1u << 0) | (1u << 2) | (3u << 4) | (1u << 6) | (1u << 8) | (3u << 10))
#define CR2_RECINVSID (1u << 1)
#define GBPA_ABORT    (1u << 20)
#define GBPA_UPDATE   (1u << 31)
#define GERROR_CMDQ   (1u << 0)
#define Q_BASE_RA     (1ULL << 62)
#define Q_BASE_ADDR   0x000ffffffffffe0ULL
#define STRTAB_ADDR   0x000fffffffffffc0ULL
/* STRTAB_BASE_CFG: FMT (17:16) 2-level, SPLIT (10:6) = the bus-0 table's bits. */
#define STRTAB_FMT_2L (1u << 16)
#define STRTAB_SPLIT  ((unsigned)HYP_SMMUV3_SID_BITS << 6)
/* Level-1 descriptor: Span (4:0) = log2(STEs) + 1, L2Ptr (51:6). */
#define L1_SPAN       (HYP_SMMUV3_SID_BITS + 1u)
#define L1_ADDR       0x000fffffffffffc0ULL
#define BUSES         (1u << (HYP_SMMUV3_SID_BITS_2L - HYP_SMMUV3_SID_BITS))
#define Q_OVERFLOW    (1u << 31)

/* Commands (first word: opcode in bits 7:0). */
#define CMD_CFGI_STE       0x03
#define CMD_CFGI_ALL       0x04
#define CMD_TLBI_EL2_ALL   0x20
#define CMD_TLBI_S12_VMALL 0x28
#define CMD_TLBI_NSNH_ALL  0x30
#define CMD_SYNC           0x46

/* STE word 0: V, Config (bits 3:1). */
#define STE_V          (1ULL << 0)
#define STE_CFG_ABORT  (0ULL << 1)
#define STE_CFG_S2     (6ULL << 1)
#define STE_SHCFG_INC  (1ULL << 44) /* word 1: shareability as incoming */
/* Word 2: S2VMID 15:0, then VTCR_EL2 bits 18:0 at 50:32, then flags. */
#define STE_VTCR_MASK  0x7ffffULL
#define STE_S2AA64     (1ULL << 51)
#define STE_S2AFFD     (1ULL << 53)
#define STE_S2R        (1ULL << 58)
/* VTTBR_EL2.BADDR without the VMID (bits 63:48); PAs of at most 48 bits. */
#define STE_S2TTB_MASK 0x0000fffffffffff0ULL

#define POLL_LIMIT 10000000u

static uint32_t rd(const struct hyp_smmuv3 *s, uintptr_t off)
{
    return mmio_read32(s->base + off);
}

static void wr(const struct hyp_smmuv3 *s, uintptr_t off, uint32_t v)
{
    mmio_write32(s->base + off, v);
}

static void wr64(const struct hyp_smmuv3 *s, uintptr_t off, uint64_t v)
{
    wr(s, off, (uint32_t)v);
    wr(s, off + 4, (uint32_t)(v >> 32));
}

static void barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#if !defined(LIBHYP_HOST)
    __asm__ volatile("dsb sy" ::: "memory");
#endif
}

/* ---- Pure parts ---------------------------------------------------------- */

void hyp_smmuv3_ste_abort(struct hyp_smmuv3_ste *ste)
{
    memset(ste, 0, sizeof(*ste));
    ste->w[0] = STE_V | STE_CFG_ABORT;
}

void hyp_smmuv3_ste_s2(struct hyp_smmuv3_ste *ste, uint16_t vmid, uint64_t vttbr,
                       uint64_t vtcr)
{
    memset(ste, 0, sizeof(*ste));
    ste->w[0] = STE_V | STE_CFG_S2;
    ste->w[1] = STE_SHCFG_INC;
    ste->w[2] = vmid | ((vtcr & STE_VTCR_MASK) << 32) | STE_S2AA64 | STE_S2AFFD | STE_S2R;
    ste->w[3] = vttbr & STE_S2TTB_MASK;
}

void hyp_smmuv3_decode_event(const uint64_t rec[4], struct hyp_smmuv3_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    memcpy(ev->raw, rec, sizeof(ev->raw));
    ev->type = (uint8_t)rec[0];
    ev->sid = (uint32_t)(rec[0] >> 32);
    if (ev->type >= HYP_SMMUV3_EVT_TRANSLATION && ev->type <= HYP_SMMUV3_EVT_PERMISSION) {
        ev->write = !((rec[1] >> 35) & 1); /* RnW: 1 for a read */
        ev->stage2 = (rec[1] >> 39) & 1;
        ev->addr = rec[2];
    }
}

/* ---- Commands ------------------------------------------------------------ */

static unsigned q_index(uint32_t v, unsigned bits)
{
    return v & ((1u << bits) - 1);
}

/* Wait for the queue to empty, errors aside (lock held). */
static int cmdq_wait_consumed(struct hyp_smmuv3 *s)
{
    for (unsigned i = 0; i < POLL_LIMIT; i++)
        if ((rd(s, CMDQ_CONS) & ((2u << HYP_SMMUV3_CMDQ_BITS) - 1)) == s->cmdq_prod)
            return HYP_OK;
    return HYP_EBUSY;
}

/* Wait until the SMMU consumed everything we produced (lock held). */
static int cmdq_drain(struct hyp_smmuv3 *s)
{
    for (unsigned i = 0; i < POLL_LIMIT; i++) {
        uint32_t cons = rd(s, CMDQ_CONS);

        uint32_t gerror = rd(s, GERROR), gerrorn = rd(s, GERRORN);

        if ((gerror ^ gerrorn) & GERROR_CMDQ) {
            /* A command it could not run (CONS points at it): make it a
             * CMD_SYNC so that the queue goes on, acknowledge, fail. */
            unsigned bad = q_index(cons, HYP_SMMUV3_CMDQ_BITS);

            s->cmdq[2 * bad] = CMD_SYNC;
            s->cmdq[2 * bad + 1] = 0;
            barrier();
            wr(s, GERRORN, gerrorn ^ GERROR_CMDQ);
            (void)cmdq_wait_consumed(s);
            return HYP_EINVAL;
        }
        if ((cons & ((2u << HYP_SMMUV3_CMDQ_BITS) - 1)) == s->cmdq_prod)
            return HYP_OK;
    }
    return HYP_EBUSY;
}

/* Queue one command (lock held); the queue never has more than a few in it. */
static int cmd(struct hyp_smmuv3 *s, uint64_t w0, uint64_t w1)
{
    unsigned n = 1u << HYP_SMMUV3_CMDQ_BITS;
    uint32_t cons = rd(s, CMDQ_CONS) & ((2u << HYP_SMMUV3_CMDQ_BITS) - 1);
    unsigned i = q_index(s->cmdq_prod, HYP_SMMUV3_CMDQ_BITS);

    /* Full: same index, wrap bits differ. */
    if (q_index(cons, HYP_SMMUV3_CMDQ_BITS) == i && cons != s->cmdq_prod) {
        int rc = cmdq_drain(s);

        if (rc != HYP_OK)
            return rc;
    }
    s->cmdq[2 * i] = w0;
    s->cmdq[2 * i + 1] = w1;
    s->cmdq_prod = (s->cmdq_prod + 1) & ((2u * n) - 1);
    barrier();
    wr(s, CMDQ_PROD, s->cmdq_prod);
    return HYP_OK;
}

/* CMD_SYNC, then wait for the queue to be consumed (lock held). */
static int sync(struct hyp_smmuv3 *s)
{
    int rc = cmd(s, CMD_SYNC, 0);

    return rc == HYP_OK ? cmdq_drain(s) : rc;
}

/* ---- Set-up -------------------------------------------------------------- */

static int set_cr0(struct hyp_smmuv3 *s, uint32_t v)
{
    wr(s, CR0, v);
    for (unsigned i = 0; i < POLL_LIMIT; i++)
        if (rd(s, CR0ACK) == v)
            return HYP_OK;
    return HYP_EBUSY;
}

int hyp_smmuv3_init(struct hyp_smmuv3 *s, uintptr_t base)
{
    uint32_t idr0, idr1, idr5, ttf;
    unsigned sid_size;
    int rc;

    if (s == NULL || base == 0)
        return HYP_EINVAL;
    s->base = base;
    s->lock = (struct hyp_spinlock)HYP_SPINLOCK_INIT;
    idr0 = rd(s, IDR0);
    idr1 = rd(s, IDR1);
    idr5 = rd(s, IDR5);
    ttf = (idr0 >> IDR0_TTF_SHIFT) & 3;
    if (!(idr0 & IDR0_S2P) || !(idr0 & IDR0_COHACC) || !(ttf & 2) ||
        !(idr5 & IDR5_GRAN4K))
        return HYP_ENOTSUP;
    sid_size = idr1 & IDR1_SIDSIZE_MASK;
    /* Linear tables are always supported; two levels only pay off above bus 0. */
    s->two_level =
        (idr0 & IDR0_ST_LEVEL_MASK) == IDR0_ST_LEVEL_2 && sid_size > HYP_SMMUV3_SID_BITS;
    if (s->two_level)
        s->sid_bits =
            sid_size < HYP_SMMUV3_SID_BITS_2L ? sid_size : HYP_SMMUV3_SID_BITS_2L;
    else
        s->sid_bits = sid_size < HYP_SMMUV3_SID_BITS ? sid_size : HYP_SMMUV3_SID_BITS;

    rc = set_cr0(s, 0);
    if (rc != HYP_OK)
        return rc;
    for (unsigned i = 0; i < HYP_SMMUV3_BUS_STES; i++)
        hyp_smmuv3_ste_abort(&s->strtab[i]);
    memset(s->l1, 0, sizeof(s->l1)); /* Span 0: no bus but 0 has a table */
    s->l1[0] = ((uint64_t)(uintptr_t)s->strtab & L1_ADDR) | L1_SPAN;
    memset(s->vm_table_used, 0, sizeof(s->vm_table_used));
    memset(s->cmdq, 0, sizeof(s->cmdq));
    memset(s->evtq, 0, sizeof(s->evtq));
    barrier();

    wr(s, CR1, CR1_WB_ISH);
    wr(s, CR2, CR2_RECINVSID);
    if (s->two_level) {
        wr64(s, STRTAB_BASE, Q_BASE_RA | ((uint64_t)(uintptr_t)s->l1 & STRTAB_ADDR));
        wr(s, STRTAB_BASE_CFG, STRTAB_FMT_2L | STRTAB_SPLIT | s->sid_bits);
    } else {
        wr64(s, STRTAB_BASE, Q_BASE_RA | ((uint64_t)(uintptr_t)s->strtab & STRTAB_ADDR));
        wr(s, STRTAB_BASE_CFG, s->sid_bits); /* FMT 0: linear */
    }
    wr64(s, CMDQ_BASE,
         Q_BASE_RA | ((uint64_t)(uintptr_t)s->cmdq & Q_BASE_ADDR) | HYP_SMMUV3_CMDQ_BITS);
    s->cmdq_prod = 0;
    wr(s, CMDQ_PROD, 0);
    wr(s, CMDQ_CONS, 0);
    wr64(s, EVENTQ_BASE,
         Q_BASE_RA | ((uint64_t)(uintptr_t)s->evtq & Q_BASE_ADDR) | HYP_SMMUV3_EVTQ_BITS);
    s->evtq_cons = 0;
    wr(s, EVENTQ_PROD, 0);
    wr(s, EVENTQ_CONS, 0);
    rc = set_cr0(s, CR0_CMDQEN | CR0_EVENTQEN);
    if (rc != HYP_OK)
        return rc;

    hyp_spin_lock(&s->lock);
    rc = cmd(s, CMD_CFGI_ALL, 31); /* Range 31: every stream */
    if (rc == HYP_OK)
        rc = cmd(s, CMD_TLBI_EL2_ALL, 0);
    if (rc == HYP_OK)
        rc = cmd(s, CMD_TLBI_NSNH_ALL, 0);
    if (rc == HYP_OK)
        rc = sync(s);
    hyp_spin_unlock(&s->lock);
    if (rc != HYP_OK)
        return rc;
    /* Incoming transactions abort while translation is off. */
    wr(s, GBPA, GBPA_UPDATE | GBPA_ABORT);
    for (unsigned i = 0; i < POLL_LIMIT && (rd(s, GBPA) & GBPA_UPDATE); i++)
        ;
    return set_cr0(s, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
}

/* Install @ste for @sid: everything but word 0 first, then word 0. */
static int write_ste(struct hyp_smmuv3 *s, uint32_t sid, const struct hyp_smmuv3_ste *ste,
                     uint16_t vmid, bool tlbi)
{
    struct hyp_smmuv3_ste *slot;
    int rc;

    if (sid >= HYP_SMMUV3_BUS_STES || sid >= (1u << s->sid_bits))
        return HYP_EINVAL;
    slot = &s->strtab[sid];
    hyp_spin_lock(&s->lock);
    /* Make it abort first: the SMMU never sees a half-written entry. */
    __atomic_store_n(&slot->w[0], STE_V | STE_CFG_ABORT, __ATOMIC_RELAXED);
    barrier();
    rc = cmd(s, CMD_CFGI_STE | ((uint64_t)sid << 32), 1);
    if (rc == HYP_OK)
        rc = sync(s);
    if (rc == HYP_OK) {
        for (unsigned i = 1; i < 8; i++)
            slot->w[i] = ste->w[i];
        barrier();
        __atomic_store_n(&slot->w[0], ste->w[0], __ATOMIC_RELAXED);
        barrier();
        rc = cmd(s, CMD_CFGI_STE | ((uint64_t)sid << 32), 1);
    }
    if (rc == HYP_OK && tlbi)
        rc = cmd(s, CMD_TLBI_S12_VMALL | ((uint64_t)vmid << 32), 0);
    if (rc == HYP_OK)
        rc = sync(s);
    hyp_spin_unlock(&s->lock);
    return rc;
}

int hyp_smmuv3_attach(struct hyp_smmuv3 *s, uint32_t sid, uint16_t vmid, uint64_t vttbr,
                      uint64_t vtcr)
{
    struct hyp_smmuv3_ste ste;

    hyp_smmuv3_ste_s2(&ste, vmid, vttbr, vtcr);
    return write_ste(s, sid, &ste, vmid, true);
}

int hyp_smmuv3_detach(struct hyp_smmuv3 *s, uint32_t sid)
{
    struct hyp_smmuv3_ste ste;

    hyp_smmuv3_ste_abort(&ste);
    return write_ste(s, sid, &ste, 0, false);
}

/* Buses @p first..@p last exist in the two-level table. */
static int bus_range(const struct hyp_smmuv3 *s, unsigned first, unsigned last)
{
    if (!s->two_level)
        return HYP_ENOTSUP;
    if (first == 0 || first > last || last >= BUSES ||
        last >= (1u << (s->sid_bits - HYP_SMMUV3_SID_BITS)))
        return HYP_EINVAL;
    return HYP_OK;
}

/* Point the level-1 descriptors of @p first..@p last at @p l2 (NULL: none),
 * then have the SMMU reread them (lock held). */
static int set_l1(struct hyp_smmuv3 *s, unsigned first, unsigned last,
                  const struct hyp_smmuv3_ste *l2, uint16_t vmid)
{
    uint64_t desc = l2 ? ((uint64_t)(uintptr_t)l2 & L1_ADDR) | L1_SPAN : 0;
    int rc;

    barrier(); /* the level-2 table's entries before what points at them */
    for (unsigned b = first; b <= last; b++)
        __atomic_store_n(&s->l1[b], desc, __ATOMIC_RELAXED);
    barrier();
    rc = cmd(s, CMD_CFGI_ALL, 31); /* every stream's configuration reread */
    if (rc == HYP_OK && l2 != NULL)
        rc = cmd(s, CMD_TLBI_S12_VMALL | ((uint64_t)vmid << 32), 0);
    return rc == HYP_OK ? sync(s) : rc;
}

int hyp_smmuv3_attach_buses(struct hyp_smmuv3 *s, unsigned first, unsigned last,
                            uint16_t vmid, uint64_t vttbr, uint64_t vtcr)
{
    int rc = bus_range(s, first, last), t = -1;
    struct hyp_smmuv3_ste ste;

    if (rc != HYP_OK)
        return rc;
    hyp_smmuv3_ste_s2(&ste, vmid, vttbr, vtcr);
    hyp_spin_lock(&s->lock);
    for (int i = 0; i < HYP_SMMUV3_VM_TABLES && t < 0; i++)
        if (s->vm_table_used[i] && s->vm_table_vmid[i] == vmid &&
            memcmp(&s->vm_tables[i][0], &ste, sizeof(ste)) == 0)
            t = i; /* the VM's table: its entries stay as they are */
    for (int i = 0; i < HYP_SMMUV3_VM_TABLES && t < 0; i++)
        if (!s->vm_table_used[i]) {
            t = i;
            for (unsigned k = 0; k < HYP_SMMUV3_BUS_STES; k++)
                s->vm_tables[i][k] = ste;
            s->vm_table_used[i] = true;
            s->vm_table_vmid[i] = vmid;
        }
    rc = t < 0 ? HYP_ENOMEM : set_l1(s, first, last, s->vm_tables[t], vmid);
    hyp_spin_unlock(&s->lock);
    return rc;
}

int hyp_smmuv3_detach_buses(struct hyp_smmuv3 *s, unsigned first, unsigned last)
{
    int rc = bus_range(s, first, last);

    if (rc != HYP_OK)
        return rc;
    hyp_spin_lock(&s->lock);
    rc = set_l1(s, first, last, NULL, 0);
    for (int i = 0; i < HYP_SMMUV3_VM_TABLES && rc == HYP_OK; i++) {
        uint64_t desc = ((uint64_t)(uintptr_t)s->vm_tables[i] & L1_ADDR) | L1_SPAN;
        bool used = false;

        for (unsigned b = 1; b < BUSES && !used; b++)
            used = s->l1[b] == desc;
        s->vm_table_used[i] = s->vm_table_used[i] && used;
    }
    hyp_spin_unlock(&s->lock);
    return rc;
}

int hyp_smmuv3_invalidate_vmid(struct hyp_smmuv3 *s, uint16_t vmid)
{
    int rc;

    hyp_spin_lock(&s->lock);
    rc = cmd(s, CMD_TLBI_S12_VMALL | ((uint64_t)vmid << 32), 0);
    if (rc == HYP_OK)
        rc = sync(s);
    hyp_spin_unlock(&s->lock);
    return rc;
}

/* ---- Events -------------------------------------------------------------- */

unsigned hyp_smmuv3_poll(struct hyp_smmuv3 *s,
                         void (*fn)(const struct hyp_smmuv3_event *ev, void *arg),
                         void *arg)
{
    const uint32_t mask = (2u << HYP_SMMUV3_EVTQ_BITS) - 1;
    unsigned n = 0;

    hyp_spin_lock(&s->lock);
    for (;;) {
        uint32_t prod = rd(s, EVENTQ_PROD);
        struct hyp_smmuv3_event ev;
        uint64_t rec[4];
        unsigned i;

        if ((prod & mask) == s->evtq_cons)
            break;
        barrier();
        i = q_index(s->evtq_cons, HYP_SMMUV3_EVTQ_BITS);
        memcpy(rec, &s->evtq[4 * i], sizeof(rec));
        s->evtq_cons = (s->evtq_cons + 1) & mask;
        /* Acknowledge an overflow by copying its flag back. */
        wr(s, EVENTQ_CONS, s->evtq_cons | (prod & Q_OVERFLOW));
        hyp_smmuv3_decode_event(rec, &ev);
        s->events++;
        n++;
        if (fn != NULL) {
            hyp_spin_unlock(&s->lock);
            fn(&ev, arg);
            hyp_spin_lock(&s->lock);
        }
    }
    hyp_spin_unlock(&s->lock);
    return n;
}
