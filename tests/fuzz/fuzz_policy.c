/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the monitor policy parser over arbitrary bytes taken as
 * a DTB, and the event line formatter over an event built from the same
 * bytes. Parsing must never crash or read out of bounds, must leave a
 * terminated message, and an accepted policy must respect every rule of the
 * binding. Formatting must honour the buffer size it is given.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/error.h>
#include <hyp/events.h>
#include <hyp/policy.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_range(uint64_t base, uint64_t size)
{
    if (size == 0 || base % HYP_POLICY_GRANULE || size % HYP_POLICY_GRANULE ||
        base + (size - 1) < base)
        abort();
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a <= b + (bs - 1) && b <= a + (as - 1);
}

static void check_policy(const struct hyp_policy *pol)
{
    uint64_t base[HYP_POLICY_MAX_WATCH + HYP_POLICY_MAX_PROTECT];
    uint64_t len[HYP_POLICY_MAX_WATCH + HYP_POLICY_MAX_PROTECT];
    unsigned n = 0;

    if (pol->watch_count > HYP_POLICY_MAX_WATCH ||
        pol->protect_count > HYP_POLICY_MAX_PROTECT)
        abort();
    if (!pol->present && (pol->watch_count || pol->protect_count || pol->path[0]))
        abort();
    if (memchr(pol->path, '\0', sizeof(pol->path)) == NULL)
        abort();
    if (pol->rate > 0 && pol->burst == 0)
        abort();
    if (pol->creg_trap != (pol->creg_action != 0) ||
        pol->creg_action > (HYP_ACT_LOG | HYP_ACT_DENY))
        abort();
    for (unsigned i = 0; i < pol->watch_count; i++) {
        const struct hyp_policy_watch *w = &pol->watch[i];

        check_range(w->base, w->size);
        if (w->action == 0 || w->action > (HYP_ACT_LOG | HYP_ACT_DENY) ||
            memchr(w->name, '\0', sizeof(w->name)) == NULL)
            abort();
        if (hyp_policy_find_watch(pol, w->base + w->size - 1) != w)
            abort();
        base[n] = w->base;
        len[n++] = w->size;
    }
    for (unsigned i = 0; i < pol->protect_count; i++) {
        const struct hyp_policy_protect *p = &pol->protect[i];

        check_range(p->base, p->size);
        if (!(p->action & HYP_ACT_DENY) || p->action > (HYP_ACT_LOG | HYP_ACT_DENY) ||
            p->prot == 0 || p->prot > (HYP_POLICY_NO_WRITE | HYP_POLICY_NO_EXEC) ||
            memchr(p->name, '\0', sizeof(p->name)) == NULL)
            abort();
        if (hyp_policy_find_protect(pol, p->base) != p)
            abort();
        base[n] = p->base;
        len[n++] = p->size;
    }
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            if (overlap(base[i], len[i], base[j], len[j]))
                abort();
}

static void fuzz_parse(const uint8_t *data, size_t size)
{
    static struct hyp_policy pol;
    char err[HYP_POLICY_ERRLEN];
    /* libfdt needs 8-byte alignment; ASan sees overreads past `size`. */
    uint64_t *copy = malloc(size ? size : 1);
    int rc;

    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    memset(err, 'x', sizeof(err));
    rc = hyp_policy_parse(copy, size, &pol, err);
    if (memchr(err, '\0', sizeof(err)) == NULL)
        abort();
    if (rc == HYP_OK) {
        if (err[0] != '\0')
            abort();
        check_policy(&pol);
    } else if (rc >= 0 || err[0] == '\0' || pol.present) {
        abort();
    }
    free(copy);
}

/** Little-endian value of up to 8 bytes at *pos, 0 past the end. */
static uint64_t take(const uint8_t *data, size_t size, size_t *pos, unsigned bytes)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < bytes; i++, (*pos)++)
        if (*pos < size)
            v |= (uint64_t)data[*pos] << (8 * i);
    return v;
}

static void fuzz_format(const uint8_t *data, size_t size)
{
    struct hyp_event ev;
    size_t pos = 0, len;
    char full[HYP_EVENT_LINE_MAX];
    char *buf;
    int n, m;

    memset(&ev, 0, sizeof(ev));
    ev.kind = (enum hyp_event_kind)(take(data, size, &pos, 1) % (HYP_EV_KIND_COUNT + 2));
    ev.vcpu = (unsigned)take(data, size, &pos, 4);
    ev.pc = take(data, size, &pos, 8);
    ev.denied = take(data, size, &pos, 1) & 1;
    len = (size_t)take(data, size, &pos, 1);
    switch (ev.kind) {
    case HYP_EV_MMIO:
        ev.u.mmio.ipa = take(data, size, &pos, 8);
        ev.u.mmio.val = take(data, size, &pos, 8);
        ev.u.mmio.size = (unsigned)take(data, size, &pos, 4);
        ev.u.mmio.write = take(data, size, &pos, 1) & 1;
        break;
    case HYP_EV_MEM:
        ev.u.mem.ipa = take(data, size, &pos, 8);
        ev.u.mem.val = take(data, size, &pos, 8);
        ev.u.mem.size = (unsigned)take(data, size, &pos, 4);
        ev.u.mem.exec = take(data, size, &pos, 1) & 1;
        break;
    case HYP_EV_CREG:
        ev.u.creg.key = (uint16_t)take(data, size, &pos, 2);
        ev.u.creg.old_val = take(data, size, &pos, 8);
        ev.u.creg.new_val = take(data, size, &pos, 8);
        break;
    case HYP_EV_SVC:
        ev.u.svc.nr = take(data, size, &pos, 8);
        for (int i = 0; i < 4; i++)
            ev.u.svc.args[i] = take(data, size, &pos, 8);
        break;
    case HYP_EV_IRQ:
        ev.u.irq.intid = (uint32_t)take(data, size, &pos, 4);
        break;
    case HYP_EV_HVC:
        ev.u.hvc.call = (enum hyp_event_hvc_call)(take(data, size, &pos, 1) % 3);
        ev.u.hvc.ipa = take(data, size, &pos, 8);
        ev.u.hvc.size = take(data, size, &pos, 8);
        ev.u.hvc.prot = (unsigned)take(data, size, &pos, 4);
        ev.u.hvc.ret = (int64_t)take(data, size, &pos, 8);
        break;
    default:
        break;
    }

    n = hyp_event_format(&ev, full, sizeof(full));
    if (n >= (int)sizeof(full) || (n >= 0 && strlen(full) != (size_t)n) ||
        (n < 0 && full[0] != '\0') || (n >= 0 && strncmp(full, "EV ", 3) != 0))
        abort();
    /* The same line into a buffer of exactly `len` bytes. */
    buf = malloc(len ? len : 1);
    if (buf == NULL)
        return;
    m = hyp_event_format(&ev, buf, len);
    if (m != n)
        abort();
    if (len > 0 && n >= 0) {
        size_t kept = len - 1 < (size_t)n ? len - 1 : (size_t)n;

        if (strlen(buf) != kept || memcmp(buf, full, kept) != 0)
            abort();
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_parse(data, size);
    fuzz_format(data, size);
    return 0;
}
