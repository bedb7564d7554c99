/* Received envelopes: decode, then hand each body to its handler. Every check a hostile or
 * buggy node could fail ends in a logged drop (or a channel closed with a reason), never
 * a crash: undecodable frames, unknown channel ends, contract violations, bad sequence
 * numbers, unsupported bodies. */
#include "netchan/nc_impl.h"
#include "netchan/nc_migrate.h"
#include <stdio.h>
#include <string.h>

static const char *side_name(uint8_t side) { return side == CONTRACT_IMP ? "imp" : "exp"; }

static void drop(nc_node *n, nc_peer *from, const char *fmt, const char *detail)
{
    n->st.dropped++;
    nc_log(n, "dropped a frame from %s: %s%s", from ? from->id : "?", fmt, detail ? detail : "");
}

/* The far end broke the contract: both ends see the channel closed. */
static void violation(nc_node *n, nc_end *e, nc_peer *from, const char *why)
{
    n->st.dropped++;
    nc_log(n, "channel %016llx %s: contract violation by node %s: %s; closing the channel",
           (unsigned long long)e->chan, side_name(e->side), from ? from->id : "?", why);
    endpoint *l = e->local;
    nc_end_local_gone(n, e, NETCHAN__CLOSE_REASON__CLOSE_CONTRACT_VIOLATION, why);
    if (l)
        chan_peer_closed(l);
}

static bool forward(nc_node *n, uint64_t chan, uint8_t side, const uint8_t *buf, size_t len)
{
    nc_fwd *f = nc_fwd_find(n, chan, side);
    if (!f)
        return false;
    nc_link_send(n, f->to, buf, len, false);
    n->st.forwarded++;
    return true;
}

static void on_data(nc_node *n, nc_peer *from, const Netchan__ChannelData *d, const uint8_t *buf, size_t len)
{
    if (!d->to || !d->msg || nc_local_side(d->to->side) < 0 || !d->seq) {
        drop(n, from, "data frame without a valid end, message or sequence number", NULL);
        return;
    }
    uint8_t side = (uint8_t)nc_local_side(d->to->side);
    nc_end *e = nc_end_find(n, d->to->channel_id, side);
    if (!e) {
        if (forward(n, d->to->channel_id, side, buf, len))
            return;
        if (nc_park(n, from, d->to->channel_id, side, buf, len))
            return;                            /* the end may be on its way here */
        char detail[64];
        snprintf(detail, sizeof detail, "%016llx %s", (unsigned long long)d->to->channel_id, side_name(side));
        drop(n, from, "data for unknown channel end ", detail);
        Netchan__EndRef sender = NETCHAN__END_REF__INIT;
        sender.channel_id = d->to->channel_id;
        sender.side = nc_wire_side(side == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP);
        nc_send_close_oob(n, from, &sender, NETCHAN__CLOSE_REASON__CLOSE_UNKNOWN_CHANNEL, "no such channel end");
        return;
    }
    if (e->c && d->contract_fingerprint != e->c->fingerprint) {
        violation(n, e, from, "contract fingerprint mismatch");
        return;
    }
    if (d->ack) {
        nc_end_ack(n, e, d->ack, false);
        if (!(e = nc_end_find(n, d->to->channel_id, side)))
            return;                            /* that ack completed our close */
    }
    if (d->seq <= e->recv_seq) {
        n->st.duplicates++;
        e->ack_due = true;
        return;
    }
    if (d->seq != e->recv_seq + 1) {           /* a gap: hold it; the repeated ack of */
        if (e->local)                          /* recv_seq tells the sender what is missing */
            nc_end_hold(n, e, from, d->seq, buf, len);
        e->ack_due = true;
        return;
    }
    if (!e->local) {                           /* our end closed: nobody will take it */
        e->recv_seq++;
        e->ack_due = true;
        return;
    }
    char why[200];
    if (nc_check_msg(n, e->c, e->side == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP, d->msg, 0, why, sizeof why)) {
        violation(n, e, from, why);
        return;
    }
    if (e->local->qlen >= n->k->max_queue)
        return;                                /* full: not acked, so resent later */
    message *m = nc_unmarshal_msg(n, d->msg, from, why, sizeof why);
    if (!m) {
        nc_log(n, "channel %016llx: cannot accept message %llu yet: %s", (unsigned long long)e->chan,
               (unsigned long long)d->seq, why);
        return;
    }
    /* unmarshalling an endpoint may have changed the list, but not freed e */
    e->recv_seq++;
    e->ack_due = true;
    n->st.data_delivered++;
    chan_deliver(e->local, m);
}

static void on_ack(nc_node *n, const Netchan__ChannelAck *a, const uint8_t *buf, size_t len)
{
    if (!a->by || nc_local_side(a->by->side) < 0)
        return;
    uint8_t side = a->by->side == NETCHAN__SIDE__SIDE_IMP ? CONTRACT_EXP : CONTRACT_IMP;
    nc_end *e = nc_end_find(n, a->by->channel_id, side);
    if (e)
        nc_end_ack(n, e, a->seq, true);
    else
        forward(n, a->by->channel_id, side, buf, len);
}

static void on_close(nc_node *n, nc_peer *from, const Netchan__ChannelClose *c, const uint8_t *buf, size_t len)
{
    if (!c->to || nc_local_side(c->to->side) < 0) {
        drop(n, from, "close without a valid end", NULL);
        return;
    }
    uint8_t side = (uint8_t)nc_local_side(c->to->side);
    nc_end *e = nc_end_find(n, c->to->channel_id, side);
    bool oob = c->reason == NETCHAN__CLOSE_REASON__CLOSE_UNKNOWN_CHANNEL;
    if (!e) {
        if (forward(n, c->to->channel_id, side, buf, len) || oob)
            return;
        /* already gone here: acknowledge so the sender stops resending */
        Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
        Netchan__ChannelAck a = NETCHAN__CHANNEL_ACK__INIT;
        Netchan__EndRef by = *c->to;
        a.by = &by;
        a.seq = c->last_seq + 1;
        env.body_case = NETCHAN__NODE_ENVELOPE__BODY_ACK;
        env.ack = &a;
        nc_send_env(n, from, &env);
        return;
    }
    if (oob) {
        nc_end_remote_gone(n, e, c->reason, c->detail);
        return;
    }
    if (e->recv_seq > c->last_seq) {           /* duplicate */
        e->ack_due = true;
        return;
    }
    if (e->recv_seq < c->last_seq) {           /* messages before it are missing */
        e->ack_due = true;
        return;
    }
    e->recv_seq = c->last_seq + 1;
    nc_send_ack(n, e);
    nc_end_remote_gone(n, e, c->reason, c->detail);
}

static void on_hello(nc_node *n, nc_peer *from, const Netchan__Hello *h)
{
    if (h->wire_version != NETCHAN__WIRE_VERSION__WIRE_VERSION) {
        char v[32];
        snprintf(v, sizeof v, "%u", h->wire_version);
        drop(n, from, "hello with unsupported wire version ", v);
        return;
    }
    if (!h->node_id || !h->node_id[0] || strlen(h->node_id) >= NC_ID_MAX ||
        (h->address && strlen(h->address) >= NC_ADDR_MAX)) {
        drop(n, from, "hello with a bad node id or address", NULL);
        return;
    }
    nc_peer *p = nc_peer_get(n, h->node_id, h->address);
    if (!p)
        return;
    if (p->boot_id && p->boot_id != h->boot_id) {
        nc_log(n, "node %s restarted (new boot id): closing its channels", p->id);
        nc_peer_dead(n, p, "the node restarted and lost its state");
        p->dead = false;
    }
    if (p->dead) {
        drop(n, from, "hello from a node declared dead: ", p->id);
        return;
    }
    p->boot_id = h->boot_id;
    p->last_heard_ns = nc_now();
    for (size_t i = 0; i < h->n_resume; i++) {
        const Netchan__Hello__Resume *r = h->resume[i];
        if (!r || !r->end || nc_local_side(r->end->side) < 0)
            continue;
        uint8_t side = r->end->side == NETCHAN__SIDE__SIDE_IMP ? CONTRACT_EXP : CONTRACT_IMP;
        nc_end *e = nc_end_find(n, r->end->channel_id, side);
        if (!e || e->peer != p)
            continue;
        nc_end_ack(n, e, r->recv_seq, false);
        if ((e = nc_end_find(n, r->end->channel_id, side)) && e->uh)
            nc_end_resend(n, e);
    }
}

static void on_heartbeat(nc_node *n, nc_peer *from, const Netchan__Heartbeat *hb)
{
    if (hb->reply || !from)
        return;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__Heartbeat r = NETCHAN__HEARTBEAT__INIT;
    r.nonce = hb->nonce;
    r.sent_ns = hb->sent_ns;
    r.reply = true;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &r;
    nc_send_env(n, from, &env);
}

void nc_dispatch_env(nc_node *n, nc_peer *from, const uint8_t *buf, size_t len)
{
    ProtobufCAllocator rx = nc_rx_allocator(n);
    n->rx_used = 0;
    Netchan__NodeEnvelope *env = netchan__node_envelope__unpack(&rx, len, buf);
    if (!env) {
        char sz[32];
        snprintf(sz, sizeof sz, "%zu bytes", len);
        drop(n, from, "undecodable envelope of ", sz);
        return;
    }
    switch (env->body_case) {
    case NETCHAN__NODE_ENVELOPE__BODY_HELLO:
        on_hello(n, from, env->hello);
        break;
    case NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT:
        on_heartbeat(n, from, env->heartbeat);
        break;
    case NETCHAN__NODE_ENVELOPE__BODY_DATA:
        on_data(n, from, env->data, buf, len);
        break;
    case NETCHAN__NODE_ENVELOPE__BODY_ACK:
        on_ack(n, env->ack, buf, len);
        break;
    case NETCHAN__NODE_ENVELOPE__BODY_CLOSE:
        on_close(n, from, env->close, buf, len);
        break;
    case NETCHAN__NODE_ENVELOPE__BODY_ROUTE_UPDATE:
        nc_on_route_update(n, from, env->route_update);
        break;
    case NETCHAN__NODE_ENVELOPE__BODY_ROUTE_ACK:
        nc_on_route_ack(n, env->route_ack);
        break;
    case NETCHAN__NODE_ENVELOPE__BODY_MIGRATION:
    case NETCHAN__NODE_ENVELOPE__BODY_MIGRATION_RESULT:
        nc_migrate_on_envelope(n, from, env);    /* netchan/nc_migrate.c */
        break;
    default:
        drop(n, from, "envelope without a body", NULL);
        break;
    }
    netchan__node_envelope__free_unpacked(env, &rx);
    n->rx_used = 0;
    nc_held_replay(n);
    nc_check(n, "dispatch");
}
