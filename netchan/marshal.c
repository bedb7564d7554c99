/* Marshalling between the kernel's messages and the wire: a message's blocks leave this
 * node's heap (their bytes go into the frame), endpoints leave the node as EndpointState
 * (contract state, queued messages, sequence counters, unacknowledged frames); on the
 * receiving side every field is checked before anything is built, then blocks are
 * allocated on this node's heap and endpoints recreated with a proxy for their peer. */
#include "netchan/nc_impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const contract *nc_find_contract(nc_node *n, const char *name, uint64_t fingerprint)
{
    if (!name || !name[0])
        return NULL;
    const contract *c = kernel_find_contract(n->k, name, strlen(name));
    return c && c->fingerprint == fingerprint ? c : NULL;
}

static Netchan__EndRef *mk_ref(nc_arena *ar, uint64_t chan, uint8_t side)
{
    Netchan__EndRef *r = ar_alloc(ar, sizeof *r);
    netchan__end_ref__init(r);
    r->channel_id = chan;
    r->side = nc_wire_side(side);
    return r;
}

static Netchan__Location *mk_loc(nc_arena *ar, const char *node, const char *addr, uint64_t epoch)
{
    Netchan__Location *l = ar_alloc(ar, sizeof *l);
    netchan__location__init(l);
    l->node_id = ar_strdup(ar, node);
    l->address = ar_strdup(ar, addr);
    l->epoch = epoch;
    return l;
}

/* Endpoint x (just taken out of a message bound for `dest`) leaves this node. With
 * pair_chan, its peer travels in the same message: both leave as one channel `pair_chan`
 * whose peer location is dest itself with epoch 0 ("in this message"), and dest joins
 * them into an ordinary local channel: no proxies, routes or forwarding. */
static void marshal_endpoint(nc_node *n, endpoint *x, nc_peer *dest, Netchan__EndpointState *es,
                             nc_arena *ar, int depth, uint64_t pair_chan)
{
    netchan__endpoint_state__init(es);
    es->contract_name = ar_strdup(ar, x->c ? x->c->name : "");
    es->contract_fingerprint = x->c ? x->c->fingerprint : 0;
    es->state = x->state;
    es->state_name = ar_strdup(ar, x->c && x->state < x->c->nstates ? x->c->states[x->state].name : "");
    es->queued = ar_alloc(ar, (x->qlen + 1) * sizeof *es->queued);
    message *q;
    while ((q = chan_dequeue(x))) {
        Netchan__ChannelMessage *qc = ar_alloc(ar, sizeof *qc);
        netchan__channel_message__init(qc);
        nc_marshal_msg(n, q, x->c, dest, qc, ar, depth + 1);
        msg_free(n->k, q);
        es->queued[es->n_queued++] = qc;
    }
    endpoint *peer = x->peer;
    n->st.endpoints_out++;
    if (pair_chan) {
        es->end = mk_ref(ar, pair_chan, x->side);
        es->peer = mk_loc(ar, dest->id, dest->addr, 0);
        es->next_send_seq = 1;
        if (peer && peer->peer == x)
            peer->peer = NULL;                /* its mate leaves right after it */
        x->peer = NULL;
        x->own.kind = OWNER_NONE;
        chan_close(x);
    } else if (peer && peer->remote == &nc_proxy_ops) {
        /* Its peer is on another node: hand over the counters and the unacked frames, and
         * forward what still arrives here for it until the peer's node has switched. */
        nc_end *pe = peer->remote_arg;
        es->end = mk_ref(ar, pe->chan, x->side);
        es->peer = mk_loc(ar, pe->peer->id, pe->peer->addr, pe->peer_epoch);
        es->next_send_seq = pe->next_send_seq;
        es->recv_seq = pe->recv_seq;
        es->location_epoch = pe->my_epoch;
        es->unacked = ar_alloc(ar, (pe->nunacked + 1) * sizeof *es->unacked);
        for (nc_frame *f = pe->uh; f; f = f->next) {
            if (f->is_close)
                continue;
            Netchan__NodeEnvelope *env = netchan__node_envelope__unpack(NULL, f->len, f->buf);
            if (!env)
                continue;
            if (env->body_case == NETCHAN__NODE_ENVELOPE__BODY_DATA && env->data)
                es->unacked[es->n_unacked++] = env->data;
            ar_keep_env(ar, env);             /* freed after the frame is packed */
        }
        nc_fwd_add(n, pe->chan, x->side, dest, pe->my_epoch + 1);
        x->peer = NULL;
        pe->local = NULL;
        nc_end_free(n, pe);
        x->own.kind = OWNER_NONE;
        chan_close(x);
    } else if (peer) {
        /* Its peer stays here: the channel is split across nodes now, and x itself
         * becomes the local proxy standing for the end that moves to dest. */
        uint64_t chan = n->chan_hi | ++n->chan_counter;
        es->end = mk_ref(ar, chan, x->side);
        es->peer = mk_loc(ar, n->id, n->addr, 1);
        es->next_send_seq = 1;
        es->recv_seq = 0;
        es->location_epoch = 0;
        nc_end *e = nc_end_new(n, peer, x, chan, dest);
        e->peer_epoch = 1;
        e->my_epoch = 1;
        nc_peer_connect(n, dest);
    } else {
        es->end = mk_ref(ar, n->chan_hi | ++n->chan_counter, x->side);
        es->peer_closed = true;
        es->peer_close_reason = NETCHAN__CLOSE_REASON__CLOSE_PEER_EXITED;
        x->own.kind = OWNER_NONE;
        chan_close(x);
    }
}

int nc_marshal_msg(nc_node *n, message *m, const contract *c, nc_peer *dest,
                   Netchan__ChannelMessage *cm, nc_arena *ar, int depth)
{
    cm->tag = m->tag;
    cm->name = (char *)(c && m->tag < c->nmessages ? c->messages[m->tag].name : "");
    cm->payload.len = m->payload_len;
    cm->payload.data = ar_alloc(ar, m->payload_len);
    memcpy(cm->payload.data, m->payload, m->payload_len);
    cm->handles = ar_alloc(ar, (m->nhandles + 1) * sizeof *cm->handles);
    /* both ends of one local channel in this message: they travel as a pair */
    uint64_t pair_chan[16] = { 0 };
    if (depth == 0 && m->nhandles <= 16)
        for (uint32_t i = 0; i < m->nhandles; i++)
            for (uint32_t j = i + 1; j < m->nhandles && m->h[i].kind == HK_ENDPOINT; j++) {
                endpoint *x = m->h[i].obj;
                if (m->h[j].kind == HK_ENDPOINT && x->peer && x->peer == m->h[j].obj &&
                    !x->remote && !pair_chan[i] && !pair_chan[j])
                    pair_chan[i] = pair_chan[j] = n->chan_hi | ++n->chan_counter;
            }
    for (uint32_t i = 0; i < m->nhandles; i++) {
        Netchan__Handle *h = ar_alloc(ar, sizeof *h);
        netchan__handle__init(h);
        if (m->h[i].kind == HK_BLOCK) {
            xblock *b = m->h[i].obj;
            Netchan__Block *bl = ar_alloc(ar, sizeof *bl);
            netchan__block__init(bl);
            bl->data.len = b->size;
            bl->data.data = b->data;          /* packed straight from the block, which is */
            b->own.kind = OWNER_NONE;         /* freed from the heap right after packing */
            ar_keep_block(ar, &n->k->heap, b);
            n->st.blocks_out++;
            h->kind_case = NETCHAN__HANDLE__KIND_BLOCK;
            h->block = bl;
        } else if (m->h[i].kind == HK_ENDPOINT) {
            Netchan__EndpointState *es = ar_alloc(ar, sizeof *es);
            marshal_endpoint(n, m->h[i].obj, dest, es, ar, depth, i < 16 ? pair_chan[i] : 0);
            h->kind_case = NETCHAN__HANDLE__KIND_ENDPOINT;
            h->endpoint = es;
        }
        m->h[i].kind = HK_FREE;
        m->h[i].obj = NULL;
        cm->handles[cm->n_handles++] = h;
    }
    return 0;
}

/* ---- receiving: check everything first ---------------------------------------------- */

static int check_endpoint(nc_node *n, const Netchan__EndpointState *es, int depth, char *why, size_t wl);

int nc_check_msg(nc_node *n, const contract *c, int sender_side, const Netchan__ChannelMessage *cm,
                 int depth, char *why, size_t wl)
{
    if (!cm) {
        snprintf(why, wl, "no message");
        return -1;
    }
    if (depth > NC_MAX_DEPTH) {
        snprintf(why, wl, "endpoints nested deeper than %d", NC_MAX_DEPTH);
        return -1;
    }
    if (!c) {
        snprintf(why, wl, "channel has no contract");
        return -1;
    }
    if (cm->tag >= c->nmessages) {
        snprintf(why, wl, "contract %s has no message with tag %u", c->name, cm->tag);
        return -1;
    }
    const contract_message *msg = &c->messages[cm->tag];
    if (cm->name && cm->name[0] && strcmp(cm->name, msg->name)) {
        snprintf(why, wl, "contract %s: message name '%.40s' does not match tag %u (%s)", c->name,
                 cm->name, cm->tag, msg->name);
        return -1;
    }
    contract_dir want = sender_side == CONTRACT_IMP ? CONTRACT_IN : CONTRACT_OUT;
    if (msg->dir != want) {
        snprintf(why, wl, "contract %s: message %s may not be sent by the %s side", c->name, msg->name,
                 sender_side == CONTRACT_IMP ? "imp" : "exp");
        return -1;
    }
    if (cm->payload.len > SIP_MAX_PAYLOAD || cm->n_handles > SIP_MAX_HANDLES) {
        snprintf(why, wl, "message too large (%zu payload bytes, %zu handles)", cm->payload.len,
                 cm->n_handles);
        return -1;
    }
    contract_handle shapes[SIP_MAX_HANDLES];
    for (size_t i = 0; i < cm->n_handles; i++) {
        const Netchan__Handle *h = cm->handles[i];
        if (h && h->kind_case == NETCHAN__HANDLE__KIND_BLOCK && h->block) {
            if (h->block->data.len > n->k->heap.max_block) {
                snprintf(why, wl, "block of %zu bytes exceeds the node's largest block", h->block->data.len);
                return -1;
            }
            shapes[i].kind = CONTRACT_BYTES;
            shapes[i].fingerprint = 0;
        } else if (h && h->kind_case == NETCHAN__HANDLE__KIND_ENDPOINT && h->endpoint) {
            if (check_endpoint(n, h->endpoint, depth + 1, why, wl))
                return -1;
            shapes[i].kind = nc_local_side(h->endpoint->end->side) == CONTRACT_IMP ? CONTRACT_IMP_EP : CONTRACT_EXP_EP;
            shapes[i].fingerprint = h->endpoint->contract_fingerprint;
        } else {
            snprintf(why, wl, "handle slot %zu is empty", i);
            return -1;
        }
    }
    int r = contract_check_message(c, cm->tag, cm->payload.len, shapes, (uint32_t)cm->n_handles);
    if (r) {
        snprintf(why, wl, "contract %s: message %s: %s", c->name, msg->name, contract_strerror(r));
        return -1;
    }
    return 0;
}

static int check_endpoint(nc_node *n, const Netchan__EndpointState *es, int depth, char *why, size_t wl)
{
    if (!es->end || !es->end->channel_id || nc_local_side(es->end->side) < 0) {
        snprintf(why, wl, "endpoint without a valid channel end");
        return -1;
    }
    uint8_t side = (uint8_t)nc_local_side(es->end->side);
    const contract *c = nc_find_contract(n, es->contract_name, es->contract_fingerprint);
    if (!c) {
        snprintf(why, wl, "endpoint of unknown contract '%.40s' (or fingerprint mismatch)",
                 es->contract_name ? es->contract_name : "");
        return -1;
    }
    if (es->state >= c->nstates || (es->state_name && es->state_name[0] &&
                                     strcmp(es->state_name, c->states[es->state].name))) {
        snprintf(why, wl, "endpoint of contract %s: bad state %u", c->name, es->state);
        return -1;
    }
    if (nc_end_find(n, es->end->channel_id, side)) {
        snprintf(why, wl, "endpoint %016llx already lives on this node", (unsigned long long)es->end->channel_id);
        return -1;
    }
    if (!es->peer_closed) {
        const Netchan__Location *l = es->peer;
        if (!l || !l->node_id || !l->node_id[0] || strlen(l->node_id) >= NC_ID_MAX ||
            (l->address && strlen(l->address) >= NC_ADDR_MAX)) {
            snprintf(why, wl, "endpoint of contract %s: bad peer location", c->name);
            return -1;
        }
    }
    if (es->n_queued > n->k->max_queue) {
        snprintf(why, wl, "endpoint carries %zu queued messages", es->n_queued);
        return -1;
    }
    int peer_side = side == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP;
    for (size_t i = 0; i < es->n_queued; i++)
        if (nc_check_msg(n, c, peer_side, es->queued[i], depth + 1, why, wl))
            return -1;
    uint64_t last = 0;
    for (size_t i = 0; i < es->n_unacked; i++) {
        const Netchan__ChannelData *d = es->unacked[i];
        if (!d || d->seq <= last || (es->next_send_seq && d->seq >= es->next_send_seq)) {
            snprintf(why, wl, "endpoint of contract %s: bad unacknowledged message list", c->name);
            return -1;
        }
        last = d->seq;
        if (nc_check_msg(n, c, side, d->msg, depth + 1, why, wl))
            return -1;
    }
    return 0;
}

/* ---- receiving: build ----------------------------------------------------------------- */

/* An end whose peer travels in the same message: the first of the two waits (no peer
 * yet), the second joins it into a local channel. */
static void join_pair(nc_node *n, endpoint *x, uint64_t chan)
{
    for (uint32_t k = 0; k < n->npair; k++) {
        endpoint *mate = n->pair_wait[k];
        if (n->pair_chan[k] == chan && mate->side != x->side && mate->c == x->c) {
            x->peer = mate;
            mate->peer = x;
            n->pair_wait[k] = n->pair_wait[--n->npair];
            n->pair_chan[k] = n->pair_chan[n->npair];
            return;
        }
    }
    if (n->npair < 8) {
        n->pair_wait[n->npair] = x;
        n->pair_chan[n->npair++] = chan;
    } else {
        x->peer_closed = true;
    }
}

/* The message is rebuilt (or refused): an end still waiting for its mate has none. */
static void pairs_done(nc_node *n, bool ok)
{
    for (uint32_t k = 0; k < n->npair; k++)
        if (ok) {
            nc_log(n, "endpoint of channel %016llx arrived without the peer said to come with it",
                   (unsigned long long)n->pair_chan[k]);
            n->pair_wait[k]->peer_closed = true;
        }
    n->npair = 0;
}

static endpoint *unmarshal_endpoint(nc_node *n, const Netchan__EndpointState *es, nc_peer *from)
{
    uint8_t side = (uint8_t)nc_local_side(es->end->side);
    const contract *c = nc_find_contract(n, es->contract_name, es->contract_fingerprint);
    endpoint *x = nc_new_endpoint(n, c, side);
    if (!x)
        return NULL;
    x->state = es->state;
    n->st.endpoints_in++;
    char why[160];
    for (size_t i = 0; i < es->n_queued; i++) {
        message *q = nc_unmarshal_msg(n, es->queued[i], from, why, sizeof why);
        if (q)
            chan_deliver(x, q);
        else
            nc_log(n, "queued message lost moving an endpoint: %s", why);
    }
    if (es->peer_closed) {
        x->peer_closed = true;
        return x;
    }
    if (n->unmarshal_depth == 1 && es->peer->epoch == 0 && !strcmp(es->peer->node_id, n->id)) {
        join_pair(n, x, es->end->channel_id);   /* its peer is in this message too */
        return x;
    }
    endpoint *proxy = nc_new_endpoint(n, c, side == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP);
    nc_peer *p = nc_peer_get(n, es->peer->node_id, es->peer->address);
    if (!proxy || !p) {
        if (proxy)
            chan_close(proxy);
        x->peer_closed = true;
        return x;
    }
    nc_end *e = nc_end_new(n, x, proxy, es->end->channel_id, p);
    e->peer_epoch = es->peer->epoch;
    e->my_epoch = es->location_epoch + 1;
    e->next_send_seq = es->next_send_seq ? es->next_send_seq : 1;
    e->recv_seq = es->recv_seq;
    for (size_t i = 0; i < es->n_unacked; i++) {
        Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
        env.body_case = NETCHAN__NODE_ENVELOPE__BODY_DATA;
        env.data = es->unacked[i];
        size_t len;
        uint8_t *buf = nc_pack_env(n, &env, &len);
        nc_end_push_frame(n, e, es->unacked[i]->seq, false, buf, len);
    }
    nc_peer_connect(n, p);
    nc_send_route_update(n, e, p, from, es->location_epoch);
    if (from && from != p)
        nc_send_route_update(n, e, from, from, es->location_epoch);
    if (e->uh)
        nc_end_resend(n, e);
    return x;
}

static message *unmarshal_msg(nc_node *n, const Netchan__ChannelMessage *cm, nc_peer *from,
                              char *why, size_t wl);

message *nc_unmarshal_msg(nc_node *n, const Netchan__ChannelMessage *cm, nc_peer *from,
                          char *why, size_t wl)
{
    if (n->unmarshal_depth++ == 0)
        n->npair = 0;
    message *m = unmarshal_msg(n, cm, from, why, wl);
    if (--n->unmarshal_depth == 0)
        pairs_done(n, m != NULL);
    return m;
}

static message *unmarshal_msg(nc_node *n, const Netchan__ChannelMessage *cm, nc_peer *from,
                              char *why, size_t wl)
{
    /* room on the heap for every block first, so a refusal leaves nothing behind */
    uint64_t bytes = 0;
    for (size_t i = 0; i < cm->n_handles; i++)
        if (cm->handles[i]->kind_case == NETCHAN__HANDLE__KIND_BLOCK)
            bytes += cm->handles[i]->block->data.len;
    exheap *h = &n->k->heap;
    if (h->max_bytes && h->used_bytes + bytes > h->max_bytes) {
        snprintf(why, wl, "exchange heap full (%llu bytes needed)", (unsigned long long)bytes);
        return NULL;
    }
    message *m = msg_new(cm->tag, cm->payload.data, (uint32_t)cm->payload.len);
    if (!m) {
        snprintf(why, wl, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < cm->n_handles; i++) {
        const Netchan__Handle *hd = cm->handles[i];
        if (hd->kind_case == NETCHAN__HANDLE__KIND_BLOCK) {
            xblock *b = exheap_alloc(h, (uint32_t)hd->block->data.len);
            if (!b) {
                msg_free(n->k, m);
                snprintf(why, wl, "cannot allocate a block of %zu bytes", hd->block->data.len);
                return NULL;
            }
            memcpy(b->data, hd->block->data.data, hd->block->data.len);
            msg_add_handle(m, HK_BLOCK, b, &b->own);
            n->st.blocks_in++;
        } else {
            endpoint *x = unmarshal_endpoint(n, hd->endpoint, from);
            if (!x) {
                msg_free(n->k, m);
                snprintf(why, wl, "out of memory for an endpoint");
                return NULL;
            }
            msg_add_handle(m, HK_ENDPOINT, x, &x->own);
        }
    }
    return m;
}
