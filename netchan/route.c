/* Routes of moving channel ends: the RouteUpdate a node sends when an end arrives, the
 * switch on the peer's node, RouteAck, and the forwarding entries an old node keeps (and
 * uses) until a RouteAck confirms the route. They are dropped earlier only with a logged
 * reason: the new node died, more than NC_FWD_MAX entries (the oldest goes), or a route
 * still unconfirmed after NC_FWD_MAX_NS. */
#include "netchan/nc_impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

nc_fwd *nc_fwd_find(nc_node *n, uint64_t chan, uint8_t side)
{
    for (nc_fwd *f = n->fwds; f; f = f->next)
        if (f->chan == chan && f->side == side)
            return f;
    return NULL;
}

void nc_fwd_add(nc_node *n, uint64_t chan, uint8_t side, nc_peer *to, uint64_t epoch)
{
    nc_fwd *f = nc_fwd_find(n, chan, side);
    if (!f) {
        uint32_t count = 0;
        nc_fwd *oldest = NULL;
        for (nc_fwd *g = n->fwds; g; g = g->next, count++)
            if (!oldest || g->since_ns < oldest->since_ns)
                oldest = g;
        if (count >= NC_FWD_MAX && oldest)
            nc_fwd_drop(n, oldest, "too many unconfirmed routes; this is the oldest");
        f = calloc(1, sizeof *f);
        if (!f)
            abort();
        f->next = n->fwds;
        n->fwds = f;
    }
    f->chan = chan;
    f->side = side;
    f->to = to;
    f->epoch = epoch;
    f->since_ns = nc_now();
}

void nc_fwd_remove(nc_node *n, nc_fwd *f)
{
    for (nc_fwd **pp = &n->fwds; *pp; pp = &(*pp)->next)
        if (*pp == f) {
            *pp = f->next;
            free(f);
            return;
        }
}

void nc_fwd_drop(nc_node *n, nc_fwd *f, const char *why)
{
    nc_log(n, "stopped forwarding channel %016llx %s to node %s before its route was confirmed: %s",
           (unsigned long long)f->chan, f->side == CONTRACT_IMP ? "imp" : "exp",
           f->to ? f->to->id : "?", why);
    nc_fwd_remove(n, f);
}

void nc_fwd_expire(nc_node *n, uint64_t now)
{
    for (nc_fwd *f = n->fwds, *next; f; f = next) {
        next = f->next;
        if (now - f->since_ns > NC_FWD_MAX_NS)
            nc_fwd_drop(n, f, "no RouteAck within 600 s");
    }
}

void nc_send_route_update(nc_node *n, nc_end *e, nc_peer *to, nc_peer *previous, uint64_t prev_epoch)
{
    if (!to)
        return;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__RouteUpdate ru = NETCHAN__ROUTE_UPDATE__INIT;
    Netchan__EndRef end = NETCHAN__END_REF__INIT;
    Netchan__Location loc = NETCHAN__LOCATION__INIT, prev = NETCHAN__LOCATION__INIT;
    end.channel_id = e->chan;
    end.side = nc_wire_side(e->side);
    loc.node_id = n->id;
    loc.address = n->addr;
    loc.epoch = e->my_epoch;
    ru.end = &end;
    ru.location = &loc;
    if (previous) {
        prev.node_id = previous->id;
        prev.address = previous->addr;
        prev.epoch = prev_epoch;
        ru.previous = &prev;
    }
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_ROUTE_UPDATE;
    env.route_update = &ru;
    nc_send_env(n, to, &env);
}

static void send_route_ack(nc_node *n, nc_peer *to, const Netchan__EndRef *end, uint64_t epoch)
{
    if (!to)
        return;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__RouteAck ra = NETCHAN__ROUTE_ACK__INIT;
    Netchan__EndRef ref = *end;
    ra.end = &ref;
    ra.epoch = epoch;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_ROUTE_ACK;
    env.route_ack = &ra;
    nc_send_env(n, to, &env);
}

static bool good_loc(const Netchan__Location *l)
{
    return l && l->node_id && l->node_id[0] && strlen(l->node_id) < NC_ID_MAX &&
           (!l->address || strlen(l->address) < NC_ADDR_MAX);
}

void nc_on_route_update(nc_node *n, nc_peer *from, const Netchan__RouteUpdate *ru)
{
    if (!ru->end || nc_local_side(ru->end->side) < 0 || !good_loc(ru->location) || !ru->location->epoch) {
        n->st.dropped++;
        nc_log(n, "dropped a malformed route update from %s", from ? from->id : "?");
        return;
    }
    uint8_t moved = (uint8_t)nc_local_side(ru->end->side);
    uint8_t side = moved == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP;
    nc_peer *newp = nc_peer_get(n, ru->location->node_id, ru->location->address);
    nc_peer *prevp = good_loc(ru->previous) ? nc_peer_get(n, ru->previous->node_id, ru->previous->address) : NULL;
    nc_end *e = nc_end_find(n, ru->end->channel_id, side);
    if (e) {
        if (ru->location->epoch > e->peer_epoch) {
            e->peer = newp;
            e->peer_epoch = ru->location->epoch;
            nc_peer_connect(n, newp);
            nc_send_ack(n, e);                 /* tell the new node what we have */
            if (e->uh)
                nc_end_resend(n, e);
        }
        send_route_ack(n, newp, ru->end, ru->location->epoch);
        if (prevp && prevp != newp)
            send_route_ack(n, prevp, ru->end, ru->location->epoch);
        return;
    }
    if (nc_fwd_find(n, ru->end->channel_id, moved))
        return;                                /* we are the old location: keep forwarding */
    if (good_loc(ru->previous) && !strcmp(ru->previous->node_id, n->id))
        return;     /* we are the old location and the peer's RouteAck (on another link)
                     * came first and ended our forwarding: the route is confirmed */
    nc_log(n, "route update for channel %016llx, whose other end is not here",
           (unsigned long long)ru->end->channel_id);
    nc_send_close_oob(n, newp, ru->end, NETCHAN__CLOSE_REASON__CLOSE_UNKNOWN_CHANNEL, "the peer end is gone");
}

void nc_on_route_ack(nc_node *n, const Netchan__RouteAck *ra)
{
    if (!ra->end || nc_local_side(ra->end->side) < 0)
        return;
    nc_fwd *f = nc_fwd_find(n, ra->end->channel_id, (uint8_t)nc_local_side(ra->end->side));
    if (f && ra->epoch >= f->epoch)
        nc_fwd_remove(n, f);
}
