/* The netchan node object: creation, static wiring of cross-node channels, the poll step,
 * statistics, logging and the small allocation arena used to build protobuf messages. */
#include "netchan/nc_impl.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

uint64_t nc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void nc_log(nc_node *n, const char *fmt, ...)
{
    char line[512];
    int off = snprintf(line, sizeof line, "netchan[%s]: ", n->id);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + off, sizeof line - (size_t)off, fmt, ap);
    va_end(ap);
    if (n->o.log)
        n->o.log(n->o.log_arg, line);
    else
        fprintf(stderr, "%s\n", line);
}

void nc_check(nc_node *n, const char *where)
{
    if (!n->o.check)
        return;
    char why[256];
    if (kernel_check(n->k, why, sizeof why)) {
        nc_log(n, "kernel invariant broken after %s: %s", where, why);
        abort();
    }
}

void ar_init(nc_arena *a)
{
    a->used = 0;
    a->p = NULL;
    a->n = a->cap = 0;
    a->envs = NULL;
    a->nenvs = 0;
    a->heap = NULL;
    a->blocks = NULL;
    a->nblocks = 0;
}

void *ar_alloc(nc_arena *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need && a->used + need <= sizeof a->small) {
        void *q = a->small + a->used;
        a->used += need;
        memset(q, 0, size);
        return q;
    }
    void *p = calloc(1, size ? size : 1);
    if (!p)
        abort();
    ar_keep(a, p);
    return p;
}

void ar_keep(nc_arena *a, void *p)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->p = realloc(a->p, a->cap * sizeof *a->p);
        if (!a->p)
            abort();
    }
    a->p[a->n++] = p;
}

char *ar_strdup(nc_arena *a, const char *s)
{
    size_t l = strlen(s);
    char *d = ar_alloc(a, l + 1);
    memcpy(d, s, l);
    return d;
}

void ar_keep_env(nc_arena *a, Netchan__NodeEnvelope *env)
{
    Netchan__NodeEnvelope **ne = realloc(a->envs, (a->nenvs + 1) * sizeof *ne);
    if (!ne)
        abort();
    a->envs = ne;
    a->envs[a->nenvs++] = env;
}

void ar_keep_block(nc_arena *a, exheap *heap, xblock *b)
{
    xblock **nb = realloc(a->blocks, (a->nblocks + 1) * sizeof *nb);
    if (!nb)
        abort();
    a->blocks = nb;
    a->heap = heap;
    a->blocks[a->nblocks++] = b;
}

void ar_free(nc_arena *a)
{
    for (uint32_t i = 0; i < a->nblocks; i++)
        exheap_free(a->heap, a->blocks[i]);
    free(a->blocks);
    for (uint32_t i = 0; i < a->nenvs; i++)
        netchan__node_envelope__free_unpacked(a->envs[i], NULL);
    free(a->envs);
    for (uint32_t i = 0; i < a->n; i++)
        free(a->p[i]);
    free(a->p);
    a->envs = NULL;
    a->blocks = NULL;
    a->p = NULL;
    a->nenvs = a->nblocks = a->n = a->cap = 0;
    a->used = 0;
}

/* Unpacking a received envelope makes many small allocations that all die together:
 * bump them from the node's receive region (reset after each envelope), malloc the rest. */
static void *rx_alloc(void *data, size_t size)
{
    nc_node *n = data;
    size_t need = (size + 15) & ~(size_t)15;
    if (n->rx_region && n->rx_used + need <= n->rx_size) {
        void *p = n->rx_region + n->rx_used;
        n->rx_used += need;
        return p;
    }
    return malloc(size ? size : 1);
}

static void rx_free(void *data, void *p)
{
    nc_node *n = data;
    if (n->rx_region && (uint8_t *)p >= n->rx_region && (uint8_t *)p < n->rx_region + n->rx_size)
        return;
    free(p);
}

ProtobufCAllocator nc_rx_allocator(nc_node *n)
{
    ProtobufCAllocator a = { rx_alloc, rx_free, n };
    return a;
}

nc_node *nc_new(kernel *k, const nc_options *o, char *err, size_t errlen)
{
    if (!o->node_id || !o->node_id[0] || strlen(o->node_id) >= NC_ID_MAX) {
        snprintf(err, errlen, "netchan: a node id of 1..%d bytes is required", NC_ID_MAX - 1);
        return NULL;
    }
    if (o->listen && strlen(o->listen) >= NC_ADDR_MAX) {
        snprintf(err, errlen, "netchan: listen address too long");
        return NULL;
    }
    nc_node *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "netchan: out of memory");
        return NULL;
    }
    n->k = k;
    n->o = *o;
    if (!n->o.heartbeat_ms)
        n->o.heartbeat_ms = 200;
    if (!n->o.dead_ms)
        n->o.dead_ms = 3000;
    if (!n->o.rto_ms)
        n->o.rto_ms = 200;
    snprintf(n->id, sizeof n->id, "%s", o->node_id);
    n->o.node_id = n->id;
    FILE *r = fopen("/dev/urandom", "rb");
    if (!r || fread(&n->boot_id, sizeof n->boot_id, 1, r) != 1)
        n->boot_id = nc_now() ^ ((uint64_t)getpid() << 32);
    if (r)
        fclose(r);
    if (!n->boot_id)
        n->boot_id = 1;
    /* channel ids this node makes up when it splits a local channel: random high half */
    n->chan_hi = (n->boot_id >> 32 | 0x80000000u) << 32;
    if (o->listen) {
        snprintf(n->addr, sizeof n->addr, "%s", o->listen);
        n->o.listen = n->addr;
        n->zctx = zmq_ctx_new();
        n->router = zmq_socket(n->zctx, ZMQ_ROUTER);
        int one = 1, zero = 0;
        zmq_setsockopt(n->router, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
        zmq_setsockopt(n->router, ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt(n->router, ZMQ_RCVHWM, &zero, sizeof zero);
        if (zmq_bind(n->router, n->addr)) {
            snprintf(err, errlen, "netchan: cannot listen on %s: %s", n->addr, zmq_strerror(zmq_errno()));
            zmq_close(n->router);
            zmq_ctx_term(n->zctx);
            free(n);
            return NULL;
        }
    }
    n->rx_size = 256u << 10;
    n->rx_region = malloc(n->rx_size);
    n->last_timers_ns = nc_now();
    return n;
}

void nc_free(nc_node *n)
{
    if (!n)
        return;
    while (n->ends) {
        nc_end *e = n->ends;
        /* the kernel keeps the endpoints; they just stop being proxies */
        if (e->proxy)
            e->proxy->remote = NULL;
        e->proxy = NULL;
        e->local = NULL;
        nc_end_free(n, e);
    }
    while (n->fwds)
        nc_fwd_remove(n, n->fwds);
    nc_park_clear();
    nc_link_close_all(n);
    while (n->peers) {
        nc_peer *p = n->peers;
        n->peers = p->next;
        free(p);
    }
    if (n->router)
        zmq_close(n->router);
    if (n->zctx)
        zmq_ctx_term(n->zctx);
    free(n->rx_region);
    free(n);
}

int nc_add_peer(nc_node *n, const char *node_id, const char *address)
{
    if (!node_id[0] || strlen(node_id) >= NC_ID_MAX || strlen(address) >= NC_ADDR_MAX)
        return -1;
    nc_peer *p = nc_peer_get(n, node_id, address);
    if (!p)
        return -1;
    nc_peer_connect(n, p);
    return 0;
}

endpoint *nc_new_endpoint(nc_node *n, const contract *c, uint8_t side)
{
    endpoint *a, *b;
    if (chan_create(n->k, c, &a, &b))
        return NULL;
    endpoint *keep = side == CONTRACT_IMP ? a : b, *drop = side == CONTRACT_IMP ? b : a;
    keep->peer = NULL;
    drop->peer = NULL;
    chan_close(drop);
    return keep;
}

int nc_wire(nc_node *n, sip *s, const char *bind_name, const contract *c,
            uint64_t chan, int side, const char *peer_node, char *err, size_t errlen)
{
    if (side != CONTRACT_IMP && side != CONTRACT_EXP) {
        snprintf(err, errlen, "netchan: wire %s: bad side", bind_name);
        return -1;
    }
    if (!chan) {
        snprintf(err, errlen, "netchan: wire %s: channel id 0 is reserved", bind_name);
        return -1;
    }
    if (nc_end_find(n, chan, (uint8_t)side)) {
        snprintf(err, errlen, "netchan: wire %s: channel %llu side %s wired twice", bind_name,
                 (unsigned long long)chan, side == CONTRACT_IMP ? "imp" : "exp");
        return -1;
    }
    nc_peer *p = nc_peer_get(n, peer_node, NULL);
    if (!p) {
        snprintf(err, errlen, "netchan: wire %s: bad peer node '%s'", bind_name, peer_node);
        return -1;
    }
    endpoint *a, *b;
    if (chan_create(n->k, c, &a, &b)) {
        snprintf(err, errlen, "netchan: wire %s: out of memory", bind_name);
        return -1;
    }
    endpoint *local = side == CONTRACT_IMP ? a : b, *proxy = side == CONTRACT_IMP ? b : a;
    if (sip_wire(s, bind_name, local)) {
        chan_close(local);
        chan_close(proxy);
        snprintf(err, errlen, "netchan: wire %s: cannot wire into SIP %s", bind_name, s->name);
        return -1;
    }
    nc_end *e = nc_end_new(n, local, proxy, chan, p);
    e->peer_epoch = 1;
    e->my_epoch = 1;
    nc_peer_connect(n, p);
    return 0;
}

void nc_flush(nc_node *n)
{
    for (nc_end *e = n->ends; e; e = e->next)
        if (e->ack_due)
            nc_send_ack(n, e);
}

/* Acks are delayed: most ride on the next data frame the other way; the rest go when
 * the link has nothing more to read (nc_link_recv_all), or here once an end has taken
 * NC_ACK_EVERY frames, so the sender's window keeps moving while the node is busy. */
void nc_flush_overdue(nc_node *n)
{
    for (nc_end *e = n->ends; e; e = e->next)
        if (e->ack_due && e->recv_seq - e->acked_seq >= NC_ACK_EVERY)
            nc_send_ack(n, e);
}

bool nc_acks_due(const nc_node *n)
{
    for (const nc_end *e = n->ends; e; e = e->next)
        if (e->ack_due)
            return true;
    return false;
}

void nc_poll(nc_node *n, int timeout_ms)
{
    nc_link_recv_all(n, timeout_ms);
    nc_timers(n);
    nc_check(n, "poll");
}

bool nc_quiescent(const nc_node *n)
{
    return !n->ends && !n->fwds;
}

uint32_t nc_live_ends(const nc_node *n)
{
    uint32_t c = 0;
    for (nc_end *e = n->ends; e; e = e->next)
        if (e->local)
            c++;
    return c;
}

void nc_get_stats(const nc_node *n, nc_stats *st)
{
    *st = n->st;
    st->unacked_frames = st->unacked_bytes = 0;
    st->ends = st->forwards = st->peers_dead = 0;
    for (nc_end *e = n->ends; e; e = e->next) {
        st->ends++;
        st->unacked_frames += e->nunacked;
        st->unacked_bytes += e->unacked_bytes;
    }
    for (nc_fwd *f = n->fwds; f; f = f->next)
        st->forwards++;
    for (nc_peer *p = n->peers; p; p = p->next)
        if (p->dead)
            st->peers_dead++;
}

void nc_dispatch(nc_node *n, const char *from_ident, const uint8_t *buf, size_t len)
{
    nc_peer *from = NULL;
    if (from_ident && from_ident[0] && strlen(from_ident) < NC_ID_MAX) {
        from = nc_peer_get(n, from_ident, NULL);
        if (from)
            from->last_heard_ns = nc_now();
    }
    nc_dispatch_env(n, from, buf, len);
}
