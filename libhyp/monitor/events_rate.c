/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file events_rate.c
 * @brief The event log's rate limit (see hyp/events.h): a token bucket per
 *        event kind. Images that print every event do not link it.
 *
 * The token bucket keeps whole tokens and a partial token. Time is split
 * into whole seconds and leftover ticks so that no product can overflow:
 * the counter frequency is first brought below 2^32 by a right shift (losing
 * nothing: the ticks shifted out stay in the elapsed time of the next call).
 */
#include <hyp/events.h>

/** 2^32: the counter frequency is shifted below this. */
#define TICK_HZ_LIMIT (UINT64_C(1) << 32)

/** Add the tokens @p b earned since its last refill. Called with the lock held. */
static void refill(const struct hyp_event_log *log, struct hyp_event_bucket *b,
                   uint64_t now)
{
    uint64_t ticks, secs, rem, add, acc;
    uint32_t room;

    if (now < b->last) {
        b->last = now; /* time went backwards: no time elapsed */
        return;
    }
    ticks = (now - b->last) >> log->tick_shift;
    b->last += ticks << log->tick_shift;
    room = log->burst - b->tokens;
    if (room == 0) {
        b->frac = 0;
        return;
    }
    secs = ticks / log->tick_hz;
    rem = ticks % log->tick_hz;
    if (secs >= room) { /* rate >= 1, so that many seconds fill the bucket */
        b->tokens = log->burst;
        b->frac = 0;
        return;
    }
    /* secs < 2^32 and rate < 2^32; rem < tick_hz < 2^32 and frac < tick_hz. */
    add = secs * log->rate;
    acc = b->frac + rem * log->rate;
    add += acc / log->tick_hz;
    b->frac = acc % log->tick_hz;
    if (add >= room) {
        b->tokens = log->burst;
        b->frac = 0;
    } else {
        b->tokens += (uint32_t)add;
    }
}

/** Take a token of @p kind's bucket if it has one. Called with the lock held. */
static bool take_token(struct hyp_event_log *log, enum hyp_event_kind kind, uint64_t now)
{
    struct hyp_event_bucket *b = &log->bucket[kind];

    if (log->rate == 0)
        return true;
    refill(log, b, now);
    if (b->tokens == 0)
        return false;
    b->tokens--;
    return true;
}

void hyp_event_log_limit(struct hyp_event_log *log, uint32_t rate, uint32_t burst,
                         uint64_t counter_hz)
{
    log->rate = rate;
    log->burst = burst;
    if (counter_hz == 0)
        counter_hz = 1;
    log->tick_shift = 0;
    while ((counter_hz >> log->tick_shift) >= TICK_HZ_LIMIT)
        log->tick_shift++;
    log->tick_hz = counter_hz >> log->tick_shift;
    for (unsigned k = 0; k < HYP_EV_KIND_COUNT; k++)
        log->bucket[k] = (struct hyp_event_bucket){.tokens = burst};
    log->take_token = take_token;
}

void hyp_event_log_init(struct hyp_event_log *log, uint32_t rate, uint32_t burst,
                        uint64_t counter_hz, hyp_event_sink_fn sink, void *ctx)
{
    hyp_event_log_init_unlimited(log, sink, ctx);
    hyp_event_log_limit(log, rate, burst, counter_hz);
}
