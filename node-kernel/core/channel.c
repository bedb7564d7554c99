/* Channel endpoints, message queues, delivery and close (see channel.h). */
#include "node-kernel/core/channel.h"
#include "node-kernel/core/handles.h"
#include "node-kernel/core/platform.h"
#include "node-kernel/core/proc.h"

static endpoint *ep_new(kernel *k, const contract *c, uint8_t side)
{
    endpoint *ep = plat_alloc(sizeof *ep);
    if (!ep)
        return NULL;
    __builtin_memset(ep, 0, sizeof *ep);
    ep->k = k;
    ep->id = ++k->next_ep_id;
    ep->c = c;
    ep->state = c ? c->initial : 0;
    ep->side = side;
    ep->next = k->eps;
    if (k->eps)
        k->eps->prev = ep;
    k->eps = ep;
    k->live_endpoints++;
    return ep;
}

static void ep_unlink(endpoint *ep)
{
    kernel *k = ep->k;
    if (ep->prev)
        ep->prev->next = ep->next;
    else
        k->eps = ep->next;
    if (ep->next)
        ep->next->prev = ep->prev;
    k->live_endpoints--;
}

int chan_create(kernel *k, const contract *c, endpoint **imp, endpoint **exp)
{
    endpoint *a = ep_new(k, c, CONTRACT_IMP);
    if (!a)
        return SIP_ENOMEM;
    endpoint *b = ep_new(k, c, CONTRACT_EXP);
    if (!b) {
        ep_unlink(a);
        plat_free(a);
        return SIP_ENOMEM;
    }
    a->peer = b;
    b->peer = a;
    *imp = a;
    *exp = b;
    return 0;
}

endpoint *chan_endpoint_new(kernel *k, const contract *c, uint8_t side)
{
    return ep_new(k, c, side);
}

owner_ref *obj_owner(uint8_t kind, void *obj)
{
    return kind == HK_BLOCK ? &((xblock *)obj)->own : &((endpoint *)obj)->own;
}

message *msg_new(uint32_t tag, const void *payload, uint32_t payload_len)
{
    message *m = plat_alloc(sizeof *m + payload_len);
    if (!m)
        return NULL;
    m->next = NULL;
    m->tag = tag;
    m->payload_len = payload_len;
    m->nhandles = 0;
    if (payload_len)
        __builtin_memcpy(m->payload, payload, payload_len);
    return m;
}

void msg_add_handle(message *m, uint8_t kind, void *obj, owner_ref *own)
{
    uint32_t i = m->nhandles++;
    m->h[i].kind = kind;
    m->h[i].obj = obj;
    own->kind = OWNER_MESSAGE;
    own->owner = m;
    own->slot = i;
}

void msg_free(kernel *k, message *m)
{
    for (uint32_t i = 0; i < m->nhandles; i++) {
        if (m->h[i].kind == HK_BLOCK) {
            exheap_free(&k->heap, m->h[i].obj);
        } else if (m->h[i].kind == HK_ENDPOINT) {
            endpoint *ep = m->h[i].obj;
            ep->own.kind = OWNER_NONE;
            chan_close(ep);
        }
    }
    plat_free(m);
}

void chan_wake_owner(endpoint *ep)
{
    sip *s = owner_sip(&ep->own);
    if (s)
        sched_wake(s);
}

void chan_deliver(endpoint *to, message *m)
{
    if (to->remote) {
        to->remote->deliver(to, m, to->remote_arg);
        return;
    }
    m->next = NULL;
    if (to->qtail)
        to->qtail->next = m;
    else
        to->qhead = m;
    to->qtail = m;
    to->qlen++;
    chan_wake_owner(to);
}

message *chan_dequeue(endpoint *ep)
{
    message *m = ep->qhead;
    if (!m)
        return NULL;
    ep->qhead = m->next;
    if (!ep->qhead)
        ep->qtail = NULL;
    ep->qlen--;
    m->next = NULL;
    return m;
}

void chan_peer_closed(endpoint *ep)
{
    ep->peer = NULL;
    ep->peer_closed = true;
    if (ep->remote && ep->remote->closed)
        ep->remote->closed(ep, ep->remote_arg);
    chan_wake_owner(ep);
}

void chan_close(endpoint *ep)
{
    endpoint *peer = ep->peer;
    ep->peer = NULL;
    if (peer)
        chan_peer_closed(peer);
    /* Ownership forms a tree rooted in handle tables, so freeing the queue (which may
     * close endpoints carried in it) never comes back to this endpoint. */
    message *m;
    while ((m = chan_dequeue(ep)))
        msg_free(ep->k, m);
    ep_unlink(ep);
    plat_free(ep);
}

/* Reachability: roots are endpoints held by SIP tables or the kernel; a message queued at
 * a reachable endpoint makes the endpoints it carries reachable. */
static void mark_from(endpoint *ep, uint32_t epoch)
{
    /* iterative via an explicit worklist would be nicer; depth is bounded by nesting */
    if (ep->mark == epoch)
        return;
    ep->mark = epoch;
    for (message *m = ep->qhead; m; m = m->next)
        for (uint32_t i = 0; i < m->nhandles; i++)
            if (m->h[i].kind == HK_ENDPOINT)
                mark_from(m->h[i].obj, epoch);
}

uint32_t chan_sweep(kernel *k)
{
    static uint32_t epoch_counter;
    uint32_t epoch = ++epoch_counter ? epoch_counter : ++epoch_counter;
    for (endpoint *ep = k->eps; ep; ep = ep->next)
        if (ep->own.kind == OWNER_TABLE || ep->own.kind == OWNER_KERNEL || ep->remote)
            mark_from(ep, epoch);
    uint32_t freed = 0;
    for (;;) {
        endpoint *victim = NULL;
        for (endpoint *ep = k->eps; ep; ep = ep->next)
            if (ep->mark != epoch && ep->own.kind == OWNER_MESSAGE) {
                victim = ep;
                break;
            }
        if (!victim)
            break;
        /* Detach it from the message that holds it, then close it. */
        message *m = victim->own.owner;
        m->h[victim->own.slot].kind = HK_FREE;
        m->h[victim->own.slot].obj = NULL;
        victim->own.kind = OWNER_NONE;
        chan_close(victim);
        freed++;
    }
    return freed;
}
