/* The `sip` system calls on kernel memory (see syscall.h). */
#include "node-kernel/core/syscall.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/kstring.h"
#include "node-kernel/core/platform.h"
#include "sips/engine/rt.h"

static int32_t bad_handle(sip *s, const char *what, int32_t h)
{
    char why[96];
    rt_snprintf(why, sizeof why, "%s: invalid handle 0x%x (forged, freed or sent)", what, (unsigned)h);
    return sip_fault(s, SIP_EBADHANDLE, why);
}

static int32_t would_block(sip *s, bool blocking)
{
    if (blocking)
        s->waiting = true;
    return SIP_EAGAIN;
}

int32_t sys_bind(sip *s, const char *name, uint32_t len)
{
    for (uint32_t i = 0; i < s->nbinds; i++) {
        sip_binding *b = &s->binds[i];
        if (k_name_is(b->name, name, len))
            return htab_kind(&s->ht, b->handle) == HK_ENDPOINT ? b->handle : SIP_ENOENT;
    }
    return SIP_ENOENT;
}

int32_t sys_chan_create(sip *s, const char *name, uint32_t len, int32_t *imp, int32_t *exp)
{
    const contract *c = kernel_find_contract(s->k, name, len);
    if (!c)
        return SIP_ENOENT;
    if (!htab_fits(&s->ht, 2, 0))
        return SIP_EQUOTA;
    endpoint *a, *b;
    int r = chan_create(s->k, c, &a, &b);
    if (r < 0)
        return r;
    int32_t ha = htab_put(&s->ht, HK_ENDPOINT, a, &a->own, 0);
    int32_t hb = ha < 0 ? ha : htab_put(&s->ht, HK_ENDPOINT, b, &b->own, 0);
    if (hb < 0) {                         /* cannot happen after htab_fits, but be safe */
        if (ha >= 0)
            htab_take(&s->ht, ha, HK_ENDPOINT);
        chan_close(a);
        chan_close(b);
        return hb;
    }
    *imp = ha;
    *exp = hb;
    return 0;
}

int32_t sys_close(sip *s, int32_t h)
{
    endpoint *ep = htab_take(&s->ht, h, HK_ENDPOINT);
    if (!ep)
        return bad_handle(s, "close", h);
    chan_close(ep);
    chan_sweep(s->k);
    return 0;
}

/* The contract's view of the handle an endpoint or block would travel as. */
static contract_handle handle_shape(uint8_t kind, void *obj)
{
    contract_handle ch = { CONTRACT_BYTES, 0 };
    if (kind == HK_ENDPOINT) {
        endpoint *e = obj;
        ch.kind = e->side == CONTRACT_IMP ? CONTRACT_IMP_EP : CONTRACT_EXP_EP;
        ch.fingerprint = e->c ? e->c->fingerprint : 0;
    }
    return ch;
}

int32_t sys_send(sip *s, int32_t h, uint32_t tag, const void *payload, uint32_t len,
                 const int32_t *handles, uint32_t nh, bool blocking)
{
    endpoint *ep = htab_get(&s->ht, h, HK_ENDPOINT);
    if (!ep)
        return bad_handle(s, "send", h);
    if (len > SIP_MAX_PAYLOAD || nh > SIP_MAX_HANDLES)
        return SIP_EINVAL;
    /* Every handle must be a live block or endpoint of this SIP, listed once, and not the
     * channel it travels on. */
    contract_handle shapes[SIP_MAX_HANDLES];
    uint8_t kinds[SIP_MAX_HANDLES];
    for (uint32_t i = 0; i < nh; i++) {
        kinds[i] = (uint8_t)htab_kind(&s->ht, handles[i]);
        if (kinds[i] == HK_FREE)
            return bad_handle(s, "send", handles[i]);
        for (uint32_t j = 0; j < i; j++)
            if (handles[j] == handles[i])
                return sip_fault(s, SIP_EBADHANDLE, "send: the same handle twice in one message");
        void *obj = htab_get(&s->ht, handles[i], kinds[i]);
        if (obj == ep || (kinds[i] == HK_ENDPOINT && obj == ep->peer && ep->peer))
            return SIP_EINVAL;
        shapes[i] = handle_shape(kinds[i], obj);
    }
    uint32_t next_state = ep->state;
    if (ep->c) {
        int cr = contract_check_message(ep->c, tag, len, shapes, nh);
        if (cr == 0)
            cr = contract_step(ep->c, &next_state, ep->side, true, tag);
        if (cr != 0) {
            char why[160];
            rt_snprintf(why, sizeof why, "contract %s: send of message %u violates the contract: %s",
                        ep->c->name, tag, contract_strerror(cr));
            return sip_fault(s, SIP_ECONTRACT, why);
        }
    }
    if (!ep->peer)
        return SIP_ECLOSED;
    if (!ep->peer->remote && ep->peer->qlen >= s->k->max_queue)
        return would_block(s, blocking);
    if (ep->peer->remote && ep->peer->remote_full)   /* netchan hook: send window */
        return would_block(s, blocking);
    message *m = msg_new(tag, payload, len);
    if (!m)
        return SIP_ENOMEM;
    for (uint32_t i = 0; i < nh; i++) {
        void *obj = htab_take(&s->ht, handles[i], kinds[i]);
        msg_add_handle(m, kinds[i], obj, obj_owner(kinds[i], obj));
    }
    ep->state = next_state;
    chan_deliver(ep->peer, m);
    return 0;
}

int32_t sys_recv(sip *s, int32_t h, uint32_t *tag, void *payload, uint32_t cap,
                 int32_t *handles, uint32_t hcap, uint32_t *nhandles, bool blocking)
{
    endpoint *ep = htab_get(&s->ht, h, HK_ENDPOINT);
    if (!ep)
        return bad_handle(s, "recv", h);
    message *m = ep->qhead;
    if (!m)
        return ep->peer_closed ? SIP_ECLOSED : would_block(s, blocking);
    if (m->payload_len > cap || m->nhandles > hcap)
        return SIP_ETOOBIG;
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < m->nhandles; i++)
        if (m->h[i].kind == HK_BLOCK)
            bytes += ((xblock *)m->h[i].obj)->size;
    if (!htab_fits(&s->ht, m->nhandles, bytes))
        return SIP_EQUOTA;
    /* The receiving side checks again: a proxy may deliver what no local send would. */
    if (ep->c) {
        contract_handle shapes[SIP_MAX_HANDLES];
        for (uint32_t i = 0; i < m->nhandles; i++)
            shapes[i] = handle_shape(m->h[i].kind, m->h[i].obj);
        uint32_t next_state = ep->state;
        int cr = contract_check_message(ep->c, m->tag, m->payload_len, shapes, m->nhandles);
        if (cr == 0)
            cr = contract_step(ep->c, &next_state, ep->side, false, m->tag);
        if (cr != 0) {                    /* drop it and break the channel */
            msg_free(s->k, chan_dequeue(ep));
            if (ep->peer) {
                endpoint *peer = ep->peer;
                ep->peer = NULL;
                peer->peer = NULL;
                chan_peer_closed(peer);
            }
            ep->peer_closed = true;
            return SIP_ECONTRACT;
        }
        ep->state = next_state;
    }
    chan_dequeue(ep);
    if (ep->peer && ep->qlen + 1 >= s->k->max_queue)
        chan_wake_owner(ep->peer);        /* its sender may be waiting for room */
    *tag = m->tag;
    if (m->payload_len)
        __builtin_memcpy(payload, m->payload, m->payload_len);
    for (uint32_t i = 0; i < m->nhandles; i++) {
        uint8_t kind = m->h[i].kind;
        void *obj = m->h[i].obj;
        uint32_t size = kind == HK_BLOCK ? ((xblock *)obj)->size : 0;
        handles[i] = htab_put(&s->ht, kind, obj, obj_owner(kind, obj), size);
    }
    if (nhandles)
        *nhandles = m->nhandles;
    int32_t n = (int32_t)m->payload_len;
    plat_free(m);
    return n;
}

int32_t sys_select(sip *s, const int32_t *eps, uint32_t n, bool blocking)
{
    if (n == 0)
        return SIP_EINVAL;
    for (uint32_t i = 0; i < n; i++)
        if (!htab_get(&s->ht, eps[i], HK_ENDPOINT))
            return bad_handle(s, "select", eps[i]);
    for (uint32_t i = 0; i < n; i++)
        if (chan_ready(htab_get(&s->ht, eps[i], HK_ENDPOINT)))
            return (int32_t)i;
    return would_block(s, blocking);
}

int32_t sys_block_alloc(sip *s, uint32_t size)
{
    if (!htab_fits(&s->ht, 1, size))
        return SIP_EQUOTA;
    xblock *b = exheap_alloc(&s->k->heap, size);
    if (!b)
        return size > s->k->heap.max_block ? SIP_EINVAL : SIP_ENOMEM;
    int32_t h = htab_put(&s->ht, HK_BLOCK, b, &b->own, size);
    if (h < 0)
        exheap_free(&s->k->heap, b);
    return h;
}

int32_t sys_block_free(sip *s, int32_t h)
{
    xblock *b = htab_take(&s->ht, h, HK_BLOCK);
    if (!b)
        return bad_handle(s, "block_free", h);
    exheap_free(&s->k->heap, b);
    return 0;
}

int32_t sys_block_size(sip *s, int32_t h)
{
    xblock *b = htab_get(&s->ht, h, HK_BLOCK);
    if (!b)
        return bad_handle(s, "block_size", h);
    return (int32_t)b->size;
}

uint8_t *sys_block_data(sip *s, int32_t h, uint32_t *size)
{
    xblock *b = htab_get(&s->ht, h, HK_BLOCK);
    if (!b)
        return NULL;
    *size = b->size;
    return b->data;
}

static xblock *block_range(sip *s, const char *what, int32_t h, uint32_t off, uint32_t len, int32_t *err)
{
    xblock *b = htab_get(&s->ht, h, HK_BLOCK);
    if (!b) {
        *err = bad_handle(s, what, h);
        return NULL;
    }
    if ((uint64_t)off + len > b->size) {
        *err = SIP_EINVAL;
        return NULL;
    }
    return b;
}

int32_t sys_block_read(sip *s, int32_t h, uint32_t off, void *dst, uint32_t len)
{
    int32_t err;
    xblock *b = block_range(s, "block_read", h, off, len, &err);
    if (!b)
        return err;
    __builtin_memcpy(dst, b->data + off, len);
    return (int32_t)len;
}

int32_t sys_block_write(sip *s, int32_t h, uint32_t off, const void *src, uint32_t len)
{
    int32_t err;
    xblock *b = block_range(s, "block_write", h, off, len, &err);
    if (!b)
        return err;
    __builtin_memcpy(b->data + off, src, len);
    return (int32_t)len;
}

uint64_t sys_time_ns(sip *s)
{
    (void)s;
    return plat_time_ns(1);
}
