/* Migration across nodes, the netchan half (see nc_migrate.h). */
#include "netchan/nc_migrate.h"
#include "netchan/nc_impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nc_migrate_check(nc_node *n, const migrate_image *img, const char *target,
                     char *err, size_t errlen)
{
    if (!nc_peer_find(n, target)) {
        snprintf(err, errlen, "netchan: migration target '%s' is not a known node", target);
        return -1;
    }
    /* an end whose peer lives on the target joins it there (join_end) */
    (void)err;
    (void)errlen;
    return 0;
}

/* Detach an endpoint from the handle table or message that holds it. */
static void detach(endpoint *ep)
{
    if (ep->own.kind == OWNER_TABLE) {
        handle_table *t = ep->own.owner;
        htab_take(t, htab_handle_at(t, ep->own.slot), HK_ENDPOINT);
    } else if (ep->own.kind == OWNER_MESSAGE) {
        message *m = ep->own.owner;
        m->h[ep->own.slot].kind = HK_FREE;
        m->h[ep->own.slot].obj = NULL;
    }
    ep->own.kind = OWNER_NONE;
    ep->own.owner = NULL;
}

int nc_migrate_export(nc_node *n, sip *s, const migrate_image *img, const char *target,
                      uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    nc_peer *dest = nc_peer_find(n, target);
    if (!dest) {
        snprintf(err, errlen, "netchan: migration target '%s' is not a known node", target);
        return -1;
    }
    /* first every end leaves its holder (one may travel inside another's queue), then the
     * imaged part of each queue is dropped: the target has it from the image */
    for (uint32_t i = 0; i < img->next; i++)
        detach(img->ext[i]);
    for (uint32_t i = 0; i < img->next; i++)
        for (uint32_t q = 0; q < img->ext_queued[i]; q++) {
            message *m = chan_dequeue(img->ext[i]);
            if (m)
                msg_free(n->k, m);
        }
    nc_arena ar;
    ar_init(&ar);
    Netchan__ChannelMessage all = NETCHAN__CHANNEL_MESSAGE__INIT;
    all.handles = ar_alloc(&ar, (img->next + 1) * sizeof *all.handles);
    for (uint32_t i = 0; i < img->next; i += SIP_MAX_HANDLES) {
        message *carrier = msg_new(0, NULL, 0);
        if (!carrier)
            abort();
        for (uint32_t j = i; j < img->next && j < i + SIP_MAX_HANDLES; j++)
            msg_add_handle(carrier, HK_ENDPOINT, img->ext[j], &img->ext[j]->own);
        Netchan__ChannelMessage *cm = ar_alloc(&ar, sizeof *cm);
        netchan__channel_message__init(cm);
        nc_marshal_msg(n, carrier, NULL, dest, cm, &ar, 0);
        for (size_t j = 0; j < cm->n_handles; j++)
            all.handles[all.n_handles++] = cm->handles[j];
        msg_free(n->k, carrier);                /* empty: its handles left with the frame */
    }
    all.name = "migration";
    size_t size = netchan__channel_message__get_packed_size(&all);
    uint8_t *out = malloc(size ? size : 1);
    if (!out)
        abort();
    netchan__channel_message__pack(&all, out);
    ar_free(&ar);
    *buf = out;
    *len = size;
    (void)s;
    return 0;
}

/* What check_endpoint in marshal.c verifies, for ends arriving with a migration. */
static int check_end(nc_node *n, const Netchan__Handle *h, const endpoint *slot,
                     char *why, size_t wl)
{
    if (!h || h->kind_case != NETCHAN__HANDLE__KIND_ENDPOINT || !h->endpoint) {
        snprintf(why, wl, "handle is not an endpoint");
        return -1;
    }
    const Netchan__EndpointState *es = h->endpoint;
    int side = es->end ? nc_local_side(es->end->side) : -1;
    if (side < 0 || !es->end->channel_id) {
        snprintf(why, wl, "endpoint without a valid channel end");
        return -1;
    }
    const contract *c = nc_find_contract(n, es->contract_name, es->contract_fingerprint);
    if (!c || c != slot->c || side != slot->side) {
        snprintf(why, wl, "endpoint does not match the image's (contract or side)");
        return -1;
    }
    if (es->state != slot->state) {
        snprintf(why, wl, "endpoint of contract %s: state %u, the image says %u", c->name,
                 es->state, slot->state);
        return -1;
    }
    if (nc_end_find(n, es->end->channel_id, (uint8_t)side)) {
        snprintf(why, wl, "endpoint already lives on this node");
        return -1;
    }
    if (!es->peer_closed && (!es->peer || !es->peer->node_id || !es->peer->node_id[0])) {
        snprintf(why, wl, "endpoint of contract %s: bad peer location", c->name);
        return -1;
    }
    int peer_side = side == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP;
    if (es->n_queued > n->k->max_queue) {
        snprintf(why, wl, "endpoint carries %zu queued messages", es->n_queued);
        return -1;
    }
    for (size_t i = 0; i < es->n_queued; i++)
        if (nc_check_msg(n, c, peer_side, es->queued[i], 1, why, wl))
            return -1;
    uint64_t last = 0;
    for (size_t i = 0; i < es->n_unacked; i++) {
        const Netchan__ChannelData *d = es->unacked[i];
        if (!d || d->seq <= last || (es->next_send_seq && d->seq >= es->next_send_seq)) {
            snprintf(why, wl, "endpoint of contract %s: bad unacknowledged message list", c->name);
            return -1;
        }
        last = d->seq;
        if (nc_check_msg(n, c, side, d->msg, 1, why, wl))
            return -1;
    }
    return 0;
}

/* True if the end's peer lives on this node: the two become one local channel again. */
static bool peer_is_here(nc_node *n, const Netchan__EndpointState *es)
{
    return !es->peer_closed && es->peer && es->peer->node_id && !strcmp(es->peer->node_id, n->id);
}

static void deliver_copy(nc_node *n, nc_peer *from, endpoint *to, const Netchan__ChannelMessage *cm)
{
    char why[160];
    message *m = nc_unmarshal_msg(n, cm, from, why, sizeof why);
    if (m)
        chan_deliver(to, m);
    else
        nc_log(n, "message lost joining a migrated channel end: %s", why);
}

/* The migrated end t (restored from the image, holding its imaged queue) meets its peer,
 * which lives here behind netchan end e: what reached the source after the image goes
 * behind t's queue, then what e sent that the source never received (e's unacknowledged
 * frames past es->recv_seq); what the source sent that e never received (es->unacked past
 * e->recv_seq) goes to the peer. Then e is dropped and the two endpoints are joined
 * directly; the source's forwarding ends with a RouteAck (copies it still forwards find
 * no end here and are dropped: each was delivered once, above). */
static void join_end(nc_node *n, nc_peer *from, const Netchan__EndpointState *es, endpoint *t)
{
    uint8_t side = (uint8_t)nc_local_side(es->end->side);
    uint8_t pside = side == CONTRACT_IMP ? CONTRACT_EXP : CONTRACT_IMP;
    nc_end *e = nc_end_find(n, es->end->channel_id, pside);
    for (size_t q = 0; q < es->n_queued; q++)
        deliver_copy(n, from, t, es->queued[q]);
    endpoint *p = e ? e->local : NULL;
    bool closed = !p;
    for (nc_frame *f = e ? e->uh : NULL; f; f = f->next) {
        if (f->seq <= es->recv_seq)
            continue;                           /* the source had it: in t's queue */
        if (f->is_close) {
            closed = true;
            break;
        }
        Netchan__NodeEnvelope *env = netchan__node_envelope__unpack(NULL, f->len, f->buf);
        if (env && env->body_case == NETCHAN__NODE_ENVELOPE__BODY_DATA && env->data && env->data->msg)
            deliver_copy(n, from, t, env->data->msg);
        if (env)
            netchan__node_envelope__free_unpacked(env, NULL);
    }
    if (p && p->c != t->c) {
        nc_log(n, "channel %016llx: migrated end and its peer here disagree on the contract; closed",
               (unsigned long long)es->end->channel_id);
        closed = true;
    }
    for (size_t u = 0; p && !closed && u < es->n_unacked; u++)
        if (es->unacked[u]->seq > e->recv_seq && es->unacked[u]->msg)
            deliver_copy(n, from, p, es->unacked[u]->msg);
    if (e)
        nc_end_free(n, e);                      /* p keeps its queue; the proxy goes quietly */
    if (p && !closed) {
        t->peer = p;
        p->peer = t;
        t->peer_closed = p->peer_closed = false;
        chan_wake_owner(p);
    } else {
        t->peer_closed = true;
        if (p)
            chan_peer_closed(p);
    }
    Netchan__RouteAck ra = NETCHAN__ROUTE_ACK__INIT;
    Netchan__EndRef ref = NETCHAN__END_REF__INIT;
    ref.channel_id = es->end->channel_id;
    ref.side = es->end->side;
    ra.end = &ref;
    ra.epoch = es->location_epoch + 1;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_ROUTE_ACK;
    env.route_ack = &ra;
    nc_send_env(n, from, &env);
}

/* What import_cm checks before it changes anything. */
static int check_ends(nc_node *n, Netchan__ChannelMessage *cm, endpoint **ext, uint32_t next,
                      char *err, size_t errlen)
{
    char why[160];
    if (cm->n_handles != next) {
        snprintf(err, errlen, "netchan: %zu migrated ends, the image has %u", cm->n_handles, next);
        return -1;
    }
    for (uint32_t i = 0; i < next; i++)
        if (check_end(n, cm->handles[i], ext[i], why, sizeof why)) {
            snprintf(err, errlen, "netchan: migrated end %u refused: %s", i, why);
            return -1;
        }
    return 0;
}

/* Put the endpoints of cm (checked here first) in place of ext[0..next). */
static int import_cm(nc_node *n, nc_peer *from, Netchan__ChannelMessage *cm, endpoint **ext,
                     uint32_t next, char *err, size_t errlen)
{
    char why[160];
    if (cm->n_handles != next) {
        snprintf(err, errlen, "netchan: %zu migrated ends, the image has %u", cm->n_handles, next);
        return -1;
    }
    for (uint32_t i = 0; i < next; i++)
        if (check_end(n, cm->handles[i], ext[i], why, sizeof why)) {
            snprintf(err, errlen, "netchan: migrated end %u refused: %s", i, why);
            return -1;
        }
    cm->tag = 0;
    cm->payload.len = 0;
    /* ends whose peer is elsewhere are built as netchan builds a received endpoint; those
     * whose peer is here are joined to it afterwards (join_end) */
    Netchan__Handle **all = cm->handles, **rest = calloc(next + 1, sizeof *rest);
    uint32_t *idx = calloc(next + 1, sizeof *idx), nrest = 0;
    if (!rest || !idx)
        abort();
    for (uint32_t i = 0; i < next; i++)
        if (!peer_is_here(n, all[i]->endpoint)) {
            idx[nrest] = i;
            rest[nrest++] = all[i];
        }
    cm->handles = rest;
    cm->n_handles = nrest;
    message *m = nc_unmarshal_msg(n, cm, from, why, sizeof why);
    cm->handles = all;
    cm->n_handles = next;
    free(rest);
    if (!m) {
        free(idx);
        snprintf(err, errlen, "netchan: migrated ends: %s", why);
        return -1;
    }
    for (uint32_t i = 0; i < next; i++)
        if (peer_is_here(n, all[i]->endpoint))
            join_end(n, from, all[i]->endpoint, ext[i]);
    for (uint32_t k = 0; k < nrest; k++) {
        uint32_t i = idx[k];
        endpoint *x = m->h[k].obj, *t = ext[i];
        m->h[k].kind = HK_FREE;
        m->h[k].obj = NULL;
        /* the image's queued messages first, then those that came with the end */
        if (t->qhead) {
            t->qtail->next = x->qhead;
            if (!x->qhead)
                x->qtail = t->qtail;
            x->qhead = t->qhead;
            x->qlen += t->qlen;
            t->qhead = t->qtail = NULL;
            t->qlen = 0;
        }
        x->state = t->state;
        /* x takes t's place in the SIP's table or in the message that carries it */
        x->own = t->own;
        if (t->own.kind == OWNER_TABLE) {
            handle_table *ht = t->own.owner;
            ht->e[t->own.slot].obj = x;
            ht->e[t->own.slot].own = &x->own;
        } else if (t->own.kind == OWNER_MESSAGE) {
            message *carrier = t->own.owner;
            carrier->h[t->own.slot].obj = x;
        }
        t->own.kind = OWNER_NONE;
        chan_close(t);                          /* no peer, empty queue: nobody hears it */
        ext[i] = x;
    }
    free(idx);
    msg_free(n->k, m);
    return 0;
}

int nc_migrate_import(nc_node *n, const char *source, const uint8_t *buf, size_t len,
                      endpoint **ext, uint32_t next, char *err, size_t errlen)
{
    nc_peer *from = nc_peer_find(n, source);
    if (!from) {
        snprintf(err, errlen, "netchan: migration source '%s' is not a known node", source);
        return -1;
    }
    Netchan__ChannelMessage *cm = netchan__channel_message__unpack(NULL, len, buf);
    if (!cm) {
        snprintf(err, errlen, "netchan: migration ends do not decode");
        return -1;
    }
    int rc = import_cm(n, from, cm, ext, next, err, errlen);
    netchan__channel_message__free_unpacked(cm, NULL);
    return rc;
}

/* ---- the node-to-node session over netchan links ---------------------------------------- */

#define DEFAULT_TIMEOUT_MS 5000

typedef struct out_mig {               /* a SIP leaving this node */
    struct out_mig *next;
    uint64_t id;
    sip *s;
    uint32_t sip_id;
    char target[NC_ID_MAX];
    migrate_image img;
    bool ends_sent;                    /* ends sent; the paused SIP and its image kept until
                                        * the target says it holds them */
    uint8_t *ends; size_t ends_len;    /* the ends as sent (packed ChannelMessage) */
    bool committed;                    /* "go" sent, SIP released; waiting for "resumed" */
    uint64_t t0, deadline;
    char name[SIP_NAME_MAX];
    char cluster_id[128];              /* the cluster's name for it (MigrationSnapshot.sip_id) */
} out_mig;

typedef struct in_mig {                /* a SIP arriving here, restored and paused */
    struct in_mig *next;
    uint64_t id;
    char source[NC_ID_MAX];
    sip *t;
    endpoint **ext;
    uint32_t next_ext;
    uint64_t deadline;
    char sip_id[128];
    uint8_t *ends; size_t ends_len;    /* checked ends, waiting for the source's "go" */
} in_mig;

typedef struct mig_node {
    struct mig_node *next;
    nc_node *n;
    nc_migrate_hooks h;
    out_mig *outs;
    in_mig *ins;
} mig_node;

static mig_node *nodes;

static mig_node *mig_of(nc_node *n, bool create)
{
    for (mig_node *m = nodes; m; m = m->next)
        if (m->n == n)
            return m;
    if (!create)
        return NULL;
    mig_node *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->n = n;
    m->next = nodes;
    nodes = m;
    return m;
}

void nc_migrate_set_hooks(nc_node *n, const nc_migrate_hooks *h)
{
    mig_of(n, true)->h = *h;
}

static uint64_t timeout_ns(const mig_node *m)
{
    return (uint64_t)(m->h.timeout_ms ? m->h.timeout_ms : DEFAULT_TIMEOUT_MS) * 1000000ull;
}

static void send_result(nc_node *n, nc_peer *to, uint64_t id, bool ok, const char *error)
{
    Netchan__MigrationResult r = NETCHAN__MIGRATION_RESULT__INIT;
    r.migration_id = id;
    r.ok = ok;
    r.error = (char *)(error ? error : "");
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_MIGRATION_RESULT;
    env.migration_result = &r;
    nc_send_env(n, to, &env);
}

static void out_done(mig_node *m, out_mig *o, bool ok, const char *error)
{
    uint64_t bytes = o->img.len;
    for (out_mig **pp = &m->outs; *pp; pp = &(*pp)->next)
        if (*pp == o) {
            *pp = o->next;
            break;
        }
    if (!o->committed) {                      /* still ours, paused: it runs on here */
        migrate_image_free(&o->img);
        if (sip_by_id(m->n->k, o->sip_id) == o->s)
            migrate_resume(o->s);
    }
    if (m->h.done)
        m->h.done(m->h.done_arg, o->name, o->id, ok, error, nc_now() - o->t0, bytes);
    migrate_image_free(&o->img);
    free(o->ends);
    free(o);
}

int nc_migrate_start(nc_node *n, sip *s, const char *target, uint64_t migration_id,
                     const char *sip_id, char *err, size_t errlen)
{
    mig_node *m = mig_of(n, true);
    nc_peer *p = nc_peer_find(n, target);
    if (!p || p->dead) {
        snprintf(err, errlen, "netchan: migration target '%s' is not a live node", target);
        return -1;
    }
    for (out_mig *o = m->outs; o; o = o->next)
        if (o->id == migration_id || o->s == s) {
            snprintf(err, errlen, "netchan: migration %llu or of %s already under way",
                     (unsigned long long)migration_id, s->name);
            return -1;
        }
    out_mig *o = calloc(1, sizeof *o);
    if (!o)
        abort();
    o->t0 = nc_now();
    if (migrate_pause(s) < 0) {
        snprintf(err, errlen, "%s cannot be paused (not a running WebAssembly SIP)", s->name);
        free(o);
        return -1;
    }
    if (migrate_save(s, &o->img, err, errlen) < 0 ||
        nc_migrate_check(n, &o->img, target, err, errlen) < 0) {
        migrate_image_free(&o->img);
        migrate_resume(s);
        free(o);
        return -1;
    }
    o->id = migration_id;
    o->s = s;
    o->sip_id = s->id;
    snprintf(o->target, sizeof o->target, "%s", target);
    snprintf(o->name, sizeof o->name, "%s", s->name);
    snprintf(o->cluster_id, sizeof o->cluster_id, "%s", sip_id ? sip_id : s->name);
    o->deadline = nc_now() + timeout_ns(m);
    migrate_info info;
    migrate_peek(o->img.buf, o->img.len, &info, err, errlen);
    Netchan__MigrationSnapshot ms = NETCHAN__MIGRATION_SNAPSHOT__INIT;
    ms.migration_id = migration_id;
    ms.sip_id = o->cluster_id;
    ms.module_hash.data = info.module_hash;
    ms.module_hash.len = MIGRATE_HASH_LEN;
    ms.engine_state.data = o->img.buf;            /* the whole SIP image */
    ms.engine_state.len = o->img.len;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_MIGRATION;
    env.migration = &ms;
    o->next = m->outs;
    m->outs = o;
    if (nc_send_env(n, p, &env)) {
        snprintf(err, errlen, "netchan: cannot send the image to %s", target);
        out_done(m, o, false, err);
        return -1;
    }
    return 0;
}

/* Source: the target restored the image -- send the ends. The paused SIP (without its
 * ends now) and its image stay here until the target says it holds them (go()). */
static void send_ends(mig_node *m, out_mig *o, nc_peer *to)
{
    nc_node *n = m->n;
    char err[256];
    uint8_t *ends;
    size_t len;
    if (sip_by_id(n->k, o->sip_id) != o->s) {     /* killed meanwhile: tell the target */
        send_result(n, to, o->id, false, "the SIP ended on the source");
        out_done(m, o, false, "the SIP ended on the source during the migration");
        return;
    }
    nc_migrate_export(n, o->s, &o->img, o->target, &ends, &len, err, sizeof err);
    Netchan__ChannelMessage *cm = netchan__channel_message__unpack(NULL, len, ends);
    if (!cm)
        abort();                                  /* we packed it ourselves */
    Netchan__MigrationSnapshot ms = NETCHAN__MIGRATION_SNAPSHOT__INIT;
    ms.migration_id = o->id;
    ms.sip_id = o->cluster_id;
    Netchan__MigrationSnapshot__OwnedEndpoint **oe = calloc(cm->n_handles + 1, sizeof *oe);
    Netchan__MigrationSnapshot__OwnedEndpoint *ov = calloc(cm->n_handles + 1, sizeof *ov);
    if (!oe || !ov)
        abort();
    for (size_t i = 0; i < cm->n_handles; i++) {
        netchan__migration_snapshot__owned_endpoint__init(&ov[i]);
        ov[i].handle = (int32_t)i;                /* external end index */
        ov[i].state = cm->handles[i]->endpoint;
        oe[i] = &ov[i];
    }
    ms.n_endpoints = cm->n_handles;
    ms.endpoints = oe;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_MIGRATION;
    env.migration = &ms;
    nc_send_env(n, to, &env);
    free(oe);
    free(ov);
    netchan__channel_message__free_unpacked(cm, NULL);
    o->ends = ends;
    o->ends_len = len;
    o->ends_sent = true;
    o->deadline = nc_now() + timeout_ns(m);
}

/* Source: the target holds the ends -- tell it to go on, and let the SIP go. */
static void go(mig_node *m, out_mig *o, nc_peer *to)
{
    send_result(m->n, to, o->id, true, NULL);
    if (sip_by_id(m->n->k, o->sip_id) == o->s)
        migrate_release(o->s, NULL, NULL);
    o->committed = true;
    o->s = NULL;
    free(o->ends);
    o->ends = NULL;
    o->deadline = nc_now() + timeout_ns(m);
}

/* Source: the ends went out but the target never said it holds them (it died, refused
 * them, or is too slow): rebuild the SIP here from its image and the ends as they were
 * sent -- the peers are re-routed back here (a higher epoch) and resend what was not
 * acknowledged -- and tell the target to drop its copy. The old paused SIP goes. */
static void rollback(mig_node *m, out_mig *o, const char *why)
{
    nc_node *n = m->n;
    char err[256] = "", msg[400];
    endpoint **ext = NULL;
    uint32_t next = 0;
    nc_peer *tp = nc_peer_find(n, o->target);
    sip *t = tp ? migrate_restore(n->k, o->img.buf, o->img.len, NULL, m->h.find, m->h.find_arg,
                                  &ext, &next, err, sizeof err) : NULL;
    if (t && nc_migrate_import(n, o->target, o->ends, o->ends_len, ext, next, err, sizeof err)) {
        kernel_exit_fn fn = n->k->on_exit;
        n->k->on_exit = NULL;
        sip_kill(t, "migration rollback failed");
        n->k->on_exit = fn;
        t = NULL;
    }
    free(ext);
    if (tp)
        send_result(n, tp, o->id, false, "the source took the SIP back");
    if (sip_by_id(n->k, o->sip_id) == o->s)
        migrate_release(o->s, NULL, NULL);    /* its ends left; t replaces it */
    o->committed = true;                      /* nothing for out_done to resume */
    o->s = NULL;
    uint64_t id = o->id;
    char cid[sizeof o->cluster_id];
    snprintf(cid, sizeof cid, "%s", o->cluster_id);
    if (t)
        snprintf(msg, sizeof msg, "%s (taken back from the target)", why);
    else
        snprintf(msg, sizeof msg, "%s; taking it back failed, SIP lost: %s", why, err);
    nc_log(n, "migration %llu: %s", (unsigned long long)id, msg);
    out_done(m, o, false, msg);
    if (t) {
        migrate_resume(t);
        if (m->h.arrived)
            m->h.arrived(m->h.arrived_arg, t, cid, id);
    }
}

static in_mig *in_find(mig_node *m, uint64_t id)
{
    for (in_mig *i = m->ins; i; i = i->next)
        if (i->id == id)
            return i;
    return NULL;
}

static void in_drop(mig_node *m, in_mig *im, bool discard)
{
    for (in_mig **pp = &m->ins; *pp; pp = &(*pp)->next)
        if (*pp == im) {
            *pp = im->next;
            break;
        }
    if (discard && im->t) {                       /* never committed: it was never here */
        for (uint32_t i = 0; i < im->next_ext; i++)
            im->ext[i]->peer_closed = true;
        kernel *k = im->t->k;
        kernel_exit_fn fn = k->on_exit;
        k->on_exit = NULL;
        sip_kill(im->t, "migration abandoned");
        k->on_exit = fn;
    }
    free(im->ext);
    free(im->ends);
    free(im);
}

/* Target: an image arrives (phase 1) or the ends that commit it (phase 2). */
static void on_snapshot(mig_node *m, nc_peer *from, const Netchan__MigrationSnapshot *ms)
{
    nc_node *n = m->n;
    char err[256];
    in_mig *im = in_find(m, ms->migration_id);
    if (!im && ms->engine_state.len) {
        endpoint **ext;
        uint32_t next;
        sip *t = migrate_restore(n->k, ms->engine_state.data, ms->engine_state.len, NULL,
                                 m->h.find, m->h.find_arg, &ext, &next, err, sizeof err);
        if (!t) {
            nc_log(n, "migration %llu from %s refused: %s", (unsigned long long)ms->migration_id,
                   from->id, err);
            send_result(n, from, ms->migration_id, false, err);
            return;
        }
        im = calloc(1, sizeof *im);
        if (!im)
            abort();
        im->id = ms->migration_id;
        snprintf(im->source, sizeof im->source, "%s", from->id);
        snprintf(im->sip_id, sizeof im->sip_id, "%s", ms->sip_id ? ms->sip_id : "");
        im->t = t;
        im->ext = ext;
        im->next_ext = next;
        im->deadline = nc_now() + 2 * timeout_ns(m);
        im->next = m->ins;
        m->ins = im;
        send_result(n, from, im->id, true, NULL);
        return;
    }
    if (!im || ms->engine_state.len || strcmp(im->source, from->id)) {
        nc_log(n, "migration %llu: unexpected snapshot from %s dropped",
               (unsigned long long)ms->migration_id, from->id);
        return;
    }
    if (m->h.fault_ignore_ends)
        return;                                   /* tests: "died" as the ends came */
    /* the ends, in image order */
    Netchan__ChannelMessage cm = NETCHAN__CHANNEL_MESSAGE__INIT;
    Netchan__Handle **hp = calloc(ms->n_endpoints + 1, sizeof *hp);
    Netchan__Handle *hv = calloc(ms->n_endpoints + 1, sizeof *hv);
    if (!hp || !hv)
        abort();
    bool ordered = true;
    for (size_t i = 0; i < ms->n_endpoints; i++) {
        const Netchan__MigrationSnapshot__OwnedEndpoint *e = ms->endpoints[i];
        ordered = ordered && e && e->handle == (int32_t)i && e->state;
        netchan__handle__init(&hv[i]);
        hv[i].kind_case = NETCHAN__HANDLE__KIND_ENDPOINT;
        hv[i].endpoint = e ? e->state : NULL;
        hp[i] = &hv[i];
    }
    cm.n_handles = ms->n_endpoints;
    cm.handles = hp;
    int rc = ordered ? check_ends(n, &cm, im->ext, im->next_ext, err, sizeof err) : -1;
    if (!ordered)
        snprintf(err, sizeof err, "migrated ends out of order");
    if (!rc && !im->ends) {                   /* hold them until the source says go */
        im->ends_len = netchan__channel_message__get_packed_size(&cm);
        im->ends = malloc(im->ends_len + 1);
        if (!im->ends)
            abort();
        netchan__channel_message__pack(&cm, im->ends);
    }
    free(hp);
    free(hv);
    if (rc) {                                 /* the source still has it: it takes it back */
        nc_log(n, "migration %llu: ends refused: %s", (unsigned long long)im->id, err);
        send_result(n, from, im->id, false, err);
        in_drop(m, im, true);
        return;
    }
    im->deadline = nc_now() + 2 * timeout_ns(m);
    send_result(n, from, im->id, true, NULL);
}

/* Target: the source's answer to "I hold the ends": go (import them, resume) or drop. */
static void on_go(mig_node *m, nc_peer *from, in_mig *im, const Netchan__MigrationResult *r)
{
    nc_node *n = m->n;
    char err[256];
    if (!r->ok || !im->ends) {
        nc_log(n, "migration %llu: the source %s: %s", (unsigned long long)im->id, from->id,
               r->error && r->error[0] ? r->error : "abandoned");
        in_drop(m, im, true);
        return;
    }
    if (nc_migrate_import(n, im->source, im->ends, im->ends_len, im->ext, im->next_ext, err, sizeof err)) {
        /* checked before: only running out of memory gets here; the source let go */
        nc_log(n, "migration %llu: ends refused, SIP lost: %s", (unsigned long long)im->id, err);
        send_result(n, from, im->id, false, err);
        in_drop(m, im, true);
        return;
    }
    sip *t = im->t;
    uint64_t id = im->id;
    char sid[128];
    snprintf(sid, sizeof sid, "%s", im->sip_id);
    in_drop(m, im, false);
    migrate_resume(t);
    send_result(n, from, id, true, NULL);
    if (m->h.arrived)
        m->h.arrived(m->h.arrived_arg, t, sid, id);
}

static void on_result(mig_node *m, nc_peer *from, const Netchan__MigrationResult *r)
{
    out_mig *o = m->outs;
    while (o && (o->id != r->migration_id || strcmp(o->target, from->id)))
        o = o->next;
    if (!o) {
        in_mig *im = in_find(m, r->migration_id);
        if (im && !strcmp(im->source, from->id))
            on_go(m, from, im, r);
        return;
    }
    const char *why = r->error && r->error[0] ? r->error : "refused by the target";
    if (!r->ok && o->ends_sent && !o->committed)
        rollback(m, o, why);
    else if (!r->ok)
        out_done(m, o, false, why);
    else if (!o->ends_sent)
        send_ends(m, o, from);
    else if (!o->committed)
        go(m, o, from);
    else
        out_done(m, o, true, NULL);               /* resumed on the target */
}

void nc_migrate_on_envelope(nc_node *n, nc_peer *from, const Netchan__NodeEnvelope *env)
{
    mig_node *m = mig_of(n, true);
    if (env->body_case == NETCHAN__NODE_ENVELOPE__BODY_MIGRATION && env->migration)
        on_snapshot(m, from, env->migration);
    else if (env->body_case == NETCHAN__NODE_ENVELOPE__BODY_MIGRATION_RESULT && env->migration_result)
        on_result(m, from, env->migration_result);
}

void nc_migrate_poll(nc_node *n)
{
    mig_node *m = mig_of(n, false);
    if (!m)
        return;
    uint64_t now = nc_now();
    for (out_mig *o = m->outs, *next; o; o = next) {
        next = o->next;
        if (now < o->deadline)
            continue;
        if (o->committed)
            out_done(m, o, true, "resumed on the target (not confirmed in time)");
        else if (o->ends_sent)
            rollback(m, o, "no answer from the target in time: the SIP runs on here");
        else
            out_done(m, o, false, "no answer from the target in time: the SIP runs on here");
    }
    for (in_mig *i = m->ins, *next; i; i = next) {
        next = i->next;
        if (now >= i->deadline) {
            nc_log(n, "migration %llu from %s never committed: dropped",
                   (unsigned long long)i->id, i->source);
            in_drop(m, i, true);
        }
    }
}

uint32_t nc_migrate_pending(nc_node *n)
{
    mig_node *m = mig_of(n, false);
    uint32_t k = 0;
    for (out_mig *o = m ? m->outs : NULL; o; o = o->next)
        k++;
    for (in_mig *i = m ? m->ins : NULL; i; i = i->next)
        k++;
    return k;
}

void nc_migrate_forget(nc_node *n)
{
    mig_node *m = mig_of(n, false);
    if (!m)
        return;
    while (m->outs)
        out_done(m, m->outs, false, "node shutting down");
    while (m->ins)
        in_drop(m, m->ins, true);
    for (mig_node **pp = &nodes; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    free(m);
}
