/* Frames for a channel end that is not here (yet). An end can arrive inside a message that
 * was lost and is being resent while traffic for it, forwarded by its old node or sent by
 * a peer that already switched, gets here first. Such frames are parked for a moment and
 * dispatched once the end exists; if it never comes, the sender is told
 * CLOSE_UNKNOWN_CHANNEL, as for any frame naming an unknown end. */
#include "netchan/nc_impl.h"
#include <stdlib.h>
#include <string.h>

#define PARK_MAX 256

typedef struct parked {
    struct parked *next;
    uint64_t chan;
    uint8_t side;
    nc_peer *from;
    uint64_t expires_ns;
    size_t len;
    uint8_t buf[];
} parked;

static parked *head, *tail;     /* one netchan node per process (and per fuzz input) */
static uint32_t count;
static bool replaying;

bool nc_park(nc_node *n, nc_peer *from, uint64_t chan, uint8_t side, const uint8_t *buf, size_t len)
{
    if (replaying || count >= PARK_MAX || !n->zctx)
        return false;
    parked *p = malloc(sizeof *p + len);
    if (!p)
        return false;
    p->next = NULL;
    p->chan = chan;
    p->side = side;
    p->from = from;
    p->expires_ns = nc_now() + 2ull * n->o.rto_ms * 1000000ull;
    p->len = len;
    memcpy(p->buf, buf, len);
    if (tail)
        tail->next = p;
    else
        head = p;
    tail = p;
    count++;
    return true;
}

/* From the timers: dispatch what can go now, refuse what waited too long. */
void nc_park_run(nc_node *n)
{
    uint64_t now = nc_now();
    parked *keep = NULL, *keep_tail = NULL, *p = head;
    head = tail = NULL;
    count = 0;
    while (p) {
        parked *next = p->next;
        p->next = NULL;
        bool here = nc_end_find(n, p->chan, p->side) || nc_fwd_find(n, p->chan, p->side);
        if (here || now >= p->expires_ns) {
            replaying = true;                 /* a second miss answers "unknown" */
            nc_dispatch_env(n, p->from, p->buf, p->len);
            replaying = false;
            free(p);
        } else {
            if (keep_tail)
                keep_tail->next = p;
            else
                keep = p;
            keep_tail = p;
            count++;
        }
        p = next;
    }
    /* frames parked while replaying go after the ones kept */
    if (keep_tail) {
        keep_tail->next = head;
        head = keep;
        if (!tail)
            tail = keep_tail;
    }
}

void nc_park_clear(void)
{
    while (head) {
        parked *p = head;
        head = p->next;
        free(p);
    }
    tail = NULL;
    count = 0;
}
