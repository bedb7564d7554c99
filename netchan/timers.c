/* netchan timers, run on every poll: heartbeats to the peers we depend on, declaring
 * silent peers dead (their channel ends close with CLOSE_NODE_DEAD), the resend timer of
 * each channel end (ends.c resends the oldest frame and backs off), the safety bound on
 * unconfirmed forwarding entries. */
#include "netchan/nc_impl.h"
#include <stdio.h>
#include <zmq.h>

static bool depends_on(nc_node *n, nc_peer *p)
{
    for (nc_end *e = n->ends; e; e = e->next)
        if (e->peer == p)
            return true;
    for (nc_fwd *f = n->fwds; f; f = f->next)
        if (f->to == p)
            return true;
    return false;
}

void nc_peer_dead(nc_node *n, nc_peer *p, const char *why)
{
    p->dead = true;
    nc_log(n, "node %s declared dead: %s", p->id, why);
    char detail[160];
    snprintf(detail, sizeof detail, "node %s: %s", p->id, why);
    for (nc_end *e = n->ends, *next; e; e = next) {
        next = e->next;
        if (e->peer == p)
            nc_end_remote_gone(n, e, NETCHAN__CLOSE_REASON__CLOSE_NODE_DEAD, detail);
    }
    for (nc_fwd *f = n->fwds, *next; f; f = next) {
        next = f->next;
        if (f->to == p)
            nc_fwd_drop(n, f, "its new node is dead");
    }
    if (p->dealer) {
        zmq_close(p->dealer);
        p->dealer = NULL;
    }
}

void nc_timers(nc_node *n)
{
    uint64_t now = nc_now();
    if (now - n->last_timers_ns < 2000000ull)      /* at most every 2 ms */
        return;
    n->last_timers_ns = now;
    uint64_t hb = n->o.heartbeat_ms * 1000000ull, dead = n->o.dead_ms * 1000000ull;
    for (nc_peer *p = n->peers; p; p = p->next) {
        if (p->dead)
            continue;
        if (!depends_on(n, p)) {
            p->last_heard_ns = now;                  /* grace starts when we need it */
            continue;
        }
        if (now - p->last_hb_ns >= hb && p->addr[0]) {
            Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
            Netchan__Heartbeat h = NETCHAN__HEARTBEAT__INIT;
            h.nonce = now;
            h.sent_ns = now;
            env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT;
            env.heartbeat = &h;
            nc_send_env(n, p, &env);
            p->last_hb_ns = now;
        }
        if (now - p->last_heard_ns > dead) {
            char why[64];
            snprintf(why, sizeof why, "silent for %llu ms", (unsigned long long)((now - p->last_heard_ns) / 1000000));
            nc_peer_dead(n, p, why);
        }
    }
    uint64_t base_rto = n->o.rto_ms * 1000000ull;
    for (nc_end *e = n->ends, *next; e; e = next) {
        next = e->next;
        if (e->peer->dead) {                          /* a close for a dead node: done */
            if (e->local_closed)
                nc_end_free(n, e);
            continue;
        }
        if (e->uh && now - e->last_send_ns >= (e->rto_ns ? e->rto_ns : base_rto))
            nc_end_timeout(n, e);
    }
    nc_fwd_expire(n, now);
    nc_park_run(n);
}
