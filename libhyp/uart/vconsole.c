/* SPDX-License-Identifier: BSD-2-Clause */
/* Several VMs on one UART: per-VM line assembly and the input focus. */
#include <hyp/vconsole.h>

static void line_out(struct hyp_vcons_line *line, hyp_vcons_emit_fn emit, void *arg)
{
    if (line->len != 0 && emit != 0)
        emit(arg, line->buf, line->len);
    line->len = 0;
}

void hyp_vcons_line_put(struct hyp_vcons_line *line, const char *buf, size_t len,
                        hyp_vcons_emit_fn emit, void *arg)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\r')
            continue;
        line->buf[line->len++] = buf[i];
        if (buf[i] == '\n' || line->len == sizeof(line->buf))
            line_out(line, emit, arg);
    }
    line->idle = 0;
}

bool hyp_vcons_line_tick(struct hyp_vcons_line *line, hyp_vcons_emit_fn emit, void *arg)
{
    if (line->len == 0)
        return false;
    if (++line->idle < HYP_VCONS_IDLE_TICKS)
        return false;
    line_out(line, emit, arg);
    line->idle = 0;
    return true;
}

void hyp_vcons_focus_init(struct hyp_vcons_focus *focus, unsigned count)
{
    focus->count = count != 0 ? count : 1;
    focus->focus = 0;
    focus->escape = false;
}

enum hyp_vcons_key hyp_vcons_focus_key(struct hyp_vcons_focus *focus, char key)
{
    unsigned next;

    if (!focus->escape) {
        if (key != HYP_VCONS_ESCAPE)
            return HYP_VCONS_KEY_DELIVER;
        focus->escape = true;
        return HYP_VCONS_KEY_DROP;
    }
    focus->escape = false;
    if (key == HYP_VCONS_ESCAPE)
        return HYP_VCONS_KEY_DELIVER;
    if (key == 'c')
        return HYP_VCONS_KEY_CHECKPOINT;
    if (key == 'n')
        next = (focus->focus + 1) % focus->count;
    else if (key >= '0' && key <= '9' && (unsigned)(key - '0') < focus->count)
        next = (unsigned)(key - '0');
    else
        return HYP_VCONS_KEY_DROP;
    focus->focus = next;
    return HYP_VCONS_KEY_SWITCHED;
}
