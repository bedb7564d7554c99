/* Channel ends with a remote peer: the proxy endpoint's callbacks (a local SIP sent a
 * message to the far end, or the local end closed), sequence numbers, the resend buffer,
 * acknowledgements, selective resend (only the frame the peer's ack shows missing, on a
 * backed-off timer or on duplicate acks), frames held past a gap on the receiving side,
 * and the two ways a cross-node channel ends (our side or theirs). */
#include "netchan/nc_impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Send window: a SIP with this much unacknowledged towards one far end waits (the kernel
 * treats the proxy like a full queue while remote_full is set). */
static void update_window(nc_end *e)
{
    bool full = e->nunacked >= NC_WINDOW_FRAMES || e->unacked_bytes >= NC_WINDOW_BYTES;
    if (e->proxy)
        e->proxy->remote_full = full;
}

nc_end *nc_end_find(nc_node *n, uint64_t chan, uint8_t side)
{
    for (nc_end *e = n->ends; e; e = e->next)
        if (e->chan == chan && e->side == side)
            return e;
    return NULL;
}

nc_end *nc_end_new(nc_node *n, endpoint *local, endpoint *proxy, uint64_t chan, nc_peer *peer)
{
    nc_end *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    e->chan = chan;
    e->side = local->side;
    e->local = local;
    e->proxy = proxy;
    e->c = local->c;
    e->peer = peer;
    e->next_send_seq = 1;
    e->last_send_ns = nc_now();
    local->peer = proxy;
    proxy->peer = local;
    proxy->own.kind = OWNER_KERNEL;
    proxy->own.owner = n;
    proxy->own.slot = 0;
    proxy->remote = &nc_proxy_ops;
    proxy->remote_arg = e;
    e->next = n->ends;
    n->ends = e;
    return e;
}

static void free_frames(nc_end *e)
{
    while (e->uh) {
        nc_frame *f = e->uh;
        e->uh = f->next;
        free(f->buf);
        free(f);
    }
    e->ut = NULL;
    e->nunacked = 0;
    e->unacked_bytes = 0;
    while (e->held) {
        nc_held *h = e->held;
        e->held = h->next;
        free(h);
    }
    e->nheld = 0;
}

/* Unlink and free the record and its proxy endpoint (the local end is left alone). */
void nc_end_free(nc_node *n, nc_end *e)
{
    for (nc_end **pp = &n->ends; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    free_frames(e);
    if (e->local && e->local->peer == e->proxy)
        e->local->peer = NULL;
    if (e->proxy) {
        e->proxy->remote = NULL;
        e->proxy->peer = NULL;
        e->proxy->own.kind = OWNER_NONE;
        chan_close(e->proxy);
    }
    free(e);
}

void nc_end_push_frame(nc_node *n, nc_end *e, uint64_t seq, bool is_close, uint8_t *buf, size_t len)
{
    (void)n;
    nc_frame *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    f->seq = seq;
    f->is_close = is_close;
    f->buf = buf;
    f->len = len;
    if (e->ut)
        e->ut->next = f;
    else
        e->uh = f;
    e->ut = f;
    e->nunacked++;
    e->unacked_bytes += len;
    if (e->nunacked == 1)
        e->last_send_ns = nc_now();       /* the resend timer runs from the oldest frame */
    update_window(e);
}

static void resend_frame(nc_node *n, nc_end *e, nc_frame *f)
{
    nc_link_send(n, e->peer, f->buf, f->len, !f->is_close);
    n->st.resent++;
}

/* The far end has everything up to seq: forget those frames. An explicit ack that
 * acknowledges nothing new, twice in a row, means the peer holds frames past a gap (or
 * got a duplicate): the first unacknowledged frame is resent at once, once per hole. */
void nc_end_ack(nc_node *n, nc_end *e, uint64_t seq, bool explicit_ack)
{
    bool progress = false;
    while (e->uh && e->uh->seq <= seq) {
        nc_frame *f = e->uh;
        e->uh = f->next;
        if (!e->uh)
            e->ut = NULL;
        e->nunacked--;
        e->unacked_bytes -= f->len;
        free(f->buf);
        free(f);
        progress = true;
    }
    if (progress) {
        e->last_send_ns = nc_now();
        e->rto_ns = 0;                         /* the link works: back to the base timeout */
        e->dup_acks = 0;
        bool was_full = e->proxy && e->proxy->remote_full;
        update_window(e);
        sip *s = e->local ? owner_sip(&e->local->own) : NULL;
        if (was_full && s)
            sched_wake(s);                     /* the window opened */
    } else if (explicit_ack && e->uh && seq + 1 == e->uh->seq && ++e->dup_acks >= 2 &&
               e->fast_seq != e->uh->seq) {
        e->fast_seq = e->uh->seq;
        e->dup_acks = 0;
        resend_frame(n, e, e->uh);
    }
    if (e->local_closed && !e->uh)
        nc_end_free(n, e);
}

/* Everything unacknowledged (a new route to the far end, or a new link whose Hello said
 * where the peer stands: what the old link still queued is lost). */
void nc_end_resend(nc_node *n, nc_end *e)
{
    for (nc_frame *f = e->uh; f; f = f->next)
        resend_frame(n, e, f);
    e->last_send_ns = nc_now();
}

/* The resend timer expired: the peer's cumulative ack says the oldest frame is missing, so
 * resend that one only (frames after it are held by the peer or still in flight); the
 * timeout doubles each time, up to a quarter of the dead-node time. */
void nc_end_timeout(nc_node *n, nc_end *e)
{
    if (!e->uh)
        return;
    resend_frame(n, e, e->uh);
    uint64_t base = n->o.rto_ms * 1000000ull, cap = n->o.dead_ms * 1000000ull / 4;
    if (cap < base)
        cap = base;
    uint64_t next = (e->rto_ns ? e->rto_ns : base) * 2;
    e->rto_ns = next < cap ? next : cap;
    e->dup_acks = 0;
    e->last_send_ns = nc_now();
}

/* A data frame past a gap: keep a copy (by seq, no duplicates, bounded) to dispatch once
 * the missing ones arrive. False if it was not kept (the sender resends it then). */
bool nc_end_hold(nc_node *n, nc_end *e, nc_peer *from, uint64_t seq, const uint8_t *buf, size_t len)
{
    (void)n;
    if (e->nheld >= NC_HELD_MAX || seq - e->recv_seq > NC_HELD_MAX)
        return false;
    nc_held **pp = &e->held;
    while (*pp && (*pp)->seq < seq)
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq)
        return true;                           /* already held */
    nc_held *h = malloc(sizeof *h + len);
    if (!h)
        return false;
    h->seq = seq;
    h->from = from;
    h->len = len;
    memcpy(h->buf, buf, len);
    h->next = *pp;
    *pp = h;
    e->nheld++;
    return true;
}

/* After each envelope: dispatch the held frames whose turn has come (in seq order),
 * throw away the ones that became duplicates. Dispatching can add or free ends, so the
 * scan starts over after each frame. */
void nc_held_replay(nc_node *n)
{
    static bool replaying;
    if (replaying)
        return;
    replaying = true;
    for (bool again = true; again;) {
        again = false;
        for (nc_end *e = n->ends; e; e = e->next) {
            nc_held *h = e->held;
            if (!h || h->seq > e->recv_seq + 1)
                continue;
            e->held = h->next;
            e->nheld--;
            if (h->seq == e->recv_seq + 1)
                nc_dispatch_env(n, h->from, h->buf, h->len);
            free(h);
            again = true;
            break;
        }
    }
    replaying = false;
}

void nc_send_ack(nc_node *n, nc_end *e)
{
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__ChannelAck a = NETCHAN__CHANNEL_ACK__INIT;
    Netchan__EndRef by = NETCHAN__END_REF__INIT;
    by.channel_id = e->chan;
    by.side = nc_wire_side(e->side);
    a.by = &by;
    a.seq = e->recv_seq;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_ACK;
    env.ack = &a;
    nc_send_env(n, e->peer, &env);
    e->ack_due = false;
    e->acked_seq = e->recv_seq;
}

void nc_send_close_oob(nc_node *n, nc_peer *p, const Netchan__EndRef *to, int reason, const char *detail)
{
    if (!p || !to)
        return;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__ChannelClose c = NETCHAN__CHANNEL_CLOSE__INIT;
    Netchan__EndRef t = NETCHAN__END_REF__INIT, f = NETCHAN__END_REF__INIT;
    t.channel_id = to->channel_id;
    t.side = to->side;
    f.channel_id = to->channel_id;
    f.side = to->side == NETCHAN__SIDE__SIDE_IMP ? NETCHAN__SIDE__SIDE_EXP : NETCHAN__SIDE__SIDE_IMP;
    c.to = &t;
    c.from = &f;
    c.reason = reason;
    c.detail = (char *)detail;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_CLOSE;
    env.close = &c;
    nc_send_env(n, p, &env);
}

/* A local SIP sent message m on the end whose peer is this proxy: marshal it (blocks leave
 * the heap, endpoints leave the node), number it, keep it for resending, send it. */
static void proxy_deliver(endpoint *proxy, message *m, void *arg)
{
    nc_end *e = arg;
    nc_node *n = proxy->own.owner;
    nc_arena ar;
    ar_init(&ar);
    Netchan__ChannelMessage cm = NETCHAN__CHANNEL_MESSAGE__INIT;
    nc_marshal_msg(n, m, e->c, e->peer, &cm, &ar, 0);
    msg_free(n->k, m);                    /* every handle slot was emptied by the marshaller */

    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__ChannelData d = NETCHAN__CHANNEL_DATA__INIT;
    Netchan__EndRef to = NETCHAN__END_REF__INIT;
    to.channel_id = e->chan;
    to.side = nc_wire_side(e->side == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP);
    d.to = &to;
    d.seq = e->next_send_seq++;
    d.ack = e->recv_seq;
    d.contract_fingerprint = e->c ? e->c->fingerprint : 0;
    d.msg = &cm;
    d.route_epoch = e->peer_epoch;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_DATA;
    env.data = &d;
    size_t len;
    uint8_t *buf = nc_pack_env(n, &env, &len);
    ar_free(&ar);
    e->ack_due = false;                   /* the ack rode along */
    e->acked_seq = e->recv_seq;
    nc_end_push_frame(n, e, d.seq, false, buf, len);
    n->st.data_sent++;
    nc_link_send(n, e->peer, buf, len, true);
}

/* Queue our (sequenced) close for the far end; the record lives until it is acked. */
void nc_end_local_gone(nc_node *n, nc_end *e, int reason, const char *detail)
{
    if (e->local_closed)
        return;
    if (e->local) {
        if (e->local->peer == e->proxy)
            e->local->peer = NULL;
        e->local = NULL;
    }
    if (e->proxy)
        e->proxy->peer = NULL;
    e->local_closed = true;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__ChannelClose c = NETCHAN__CHANNEL_CLOSE__INIT;
    Netchan__EndRef to = NETCHAN__END_REF__INIT, from = NETCHAN__END_REF__INIT;
    to.channel_id = from.channel_id = e->chan;
    from.side = nc_wire_side(e->side);
    to.side = nc_wire_side(e->side == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP);
    c.to = &to;
    c.from = &from;
    c.reason = reason;
    c.detail = (char *)detail;
    uint64_t seq = e->next_send_seq++;
    c.last_seq = seq - 1;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_CLOSE;
    env.close = &c;
    size_t len;
    uint8_t *buf = nc_pack_env(n, &env, &len);
    nc_end_push_frame(n, e, seq, true, buf, len);
    if (!e->peer->dead)
        nc_link_send(n, e->peer, buf, len, false);
}

/* The local end closed (its SIP closed it, exited or trapped). Called from inside
 * chan_close(), so the record is only marked here; acks or timers free it. */
static void proxy_closed(endpoint *proxy, void *arg)
{
    nc_end *e = arg;
    nc_node *n = proxy->own.owner;
    nc_end_local_gone(n, e, NETCHAN__CLOSE_REASON__CLOSE_PEER_EXITED, "the owner closed its end");
}

const endpoint_remote nc_proxy_ops = { .deliver = proxy_deliver, .closed = proxy_closed };

static const char *reason_name(int r)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&netchan__close_reason__descriptor, r);
    return v ? v->name : "CLOSE_UNKNOWN_REASON";
}

/* The far end is gone (its close arrived in order, its node died, or it broke the
 * contract): the local end sees its peer closed after what was delivered; free the record. */
void nc_end_remote_gone(nc_node *n, nc_end *e, int reason, const char *detail)
{
    nc_log(n, "channel %016llx %s end closed: %s%s%s", (unsigned long long)e->chan,
           e->side == CONTRACT_IMP ? "imp" : "exp", reason_name(reason),
           detail && detail[0] ? ": " : "", detail ? detail : "");
    if (e->local) {
        endpoint *l = e->local;
        e->local = NULL;
        if (e->proxy)
            e->proxy->peer = NULL;
        chan_peer_closed(l);
    }
    nc_end_free(n, e);
}
