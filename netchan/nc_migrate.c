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
    for (uint32_t i = 0; i < img->next; i++) {
        endpoint *p = img->ext[i]->peer;
        if (p && p->remote == &nc_proxy_ops) {
            nc_end *pe = p->remote_arg;
            if (pe->peer && !strcmp(pe->peer->id, target)) {
                snprintf(err, errlen, "netchan: a channel end's peer lives on %s: moving next to "
                         "its peer is not supported yet", target);
                return -1;
            }
        }
    }
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
    if (!es->peer_closed && !strcmp(es->peer->node_id, n->id)) {
        snprintf(why, wl, "endpoint's peer lives on this node (not supported yet)");
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
    char why[160];
    int rc = -1;
    if (cm->n_handles != next) {
        snprintf(err, errlen, "netchan: %zu migrated ends, the image has %u", cm->n_handles, next);
        goto out;
    }
    for (uint32_t i = 0; i < next; i++)
        if (check_end(n, cm->handles[i], ext[i], why, sizeof why)) {
            snprintf(err, errlen, "netchan: migrated end %u refused: %s", i, why);
            goto out;
        }
    cm->tag = 0;
    cm->payload.len = 0;
    message *m = nc_unmarshal_msg(n, cm, from, why, sizeof why);
    if (!m) {
        snprintf(err, errlen, "netchan: migrated ends: %s", why);
        goto out;
    }
    for (uint32_t i = 0; i < next; i++) {
        endpoint *x = m->h[i].obj, *t = ext[i];
        m->h[i].kind = HK_FREE;
        m->h[i].obj = NULL;
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
    msg_free(n->k, m);
    rc = 0;
out:
    netchan__channel_message__free_unpacked(cm, NULL);
    return rc;
}
