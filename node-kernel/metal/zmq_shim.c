/* zmq_shim.c: the ZeroMQ subset of libc/include/zmq.h over zlink (our ZMTP on lwIP), so
 * that netchan's own link code runs unchanged on metal. A ROUTER listens with lwIP and
 * keeps one zlink per accepted peer; what they send waits in one queue as (identity,
 * body) pairs for zmq_msg_recv. A DEALER keeps one zlink to its peer, queues what is
 * sent while it is not connected, and connects again after a failure, as libzmq does.
 * Messages are single frames (netchan's envelopes); anything else is dropped. */
#include <string.h>
#include <stdlib.h>
#include <zmq.h>
#include "lwip/tcp.h"
#include "node-kernel/metal/zlink.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/timer.h"

#define SHIM_EAGAIN 11
#define SHIM_EINVAL 22
#define SHIM_ENOMEM 12
#define MAX_ID      255
#define MAX_QUEUED  4096            /* a DEALER's messages waiting for a connection */

struct qmsg {
    struct qmsg *next;
    size_t idlen, len;
    uint8_t id[MAX_ID];
    uint8_t data[];
};

struct zsock;
struct rconn {                      /* one peer connected to a ROUTER */
    struct rconn *next;
    struct zsock *owner;
    struct zlink *link;
    uint8_t id[MAX_ID];
    size_t idlen;
    int down;
};

struct zsock {
    struct zsock *next;
    int type;
    char identity[MAX_ID + 1];
    struct qmsg *qh, *qt;           /* ROUTER: received; DEALER: waiting to be sent */
    uint32_t nq;
    /* ROUTER */
    struct tcp_pcb *listener;
    struct rconn *conns;
    struct qmsg *cur;               /* being received: identity given, body next */
    /* DEALER */
    uint32_t ip;
    uint16_t port;
    struct zlink *link;
    int ready, down;
    uint32_t reconnect_ms;
    uint64_t retry_at_ms;
};

/* what a zmq_msg_t holds here */
struct shim_msg { uint8_t *data; size_t size; int more; };

static struct zsock *sockets;
static int last_errno;
static uint32_t loopback_alias;
static int ctx_token;

static uint64_t now_ms(void) { return timer_ns() / 1000000u; }
static int fail(int err) { last_errno = err; return -1; }

void zmq_shim_set_loopback_alias(uint32_t ip) { loopback_alias = ip; }

void *zmq_ctx_new(void) { return &ctx_token; }
int   zmq_ctx_term(void *ctx) { (void)ctx; return 0; }
int   zmq_errno(void) { return last_errno; }

const char *zmq_strerror(int err)
{
    return err == SHIM_EAGAIN ? "resource temporarily unavailable" : err == SHIM_ENOMEM ? "out of memory" :
           err == SHIM_EINVAL ? "invalid argument (metal: tcp://A.B.C.D:PORT only)" : "error";
}

static void enqueue(struct zsock *s, struct qmsg *m)
{
    m->next = NULL;
    if (s->qt) s->qt->next = m; else s->qh = m;
    s->qt = m;
    s->nq++;
}

static struct qmsg *dequeue(struct zsock *s)
{
    struct qmsg *m = s->qh;
    if (!m) return NULL;
    s->qh = m->next;
    if (!s->qh) s->qt = NULL;
    s->nq--;
    return m;
}

static struct qmsg *qmsg_new(const void *id, size_t idlen, const void *data, size_t len)
{
    struct qmsg *m = malloc(sizeof *m + (len ? len : 1));
    if (!m) return NULL;
    m->idlen = idlen < MAX_ID ? idlen : MAX_ID;
    if (id) memcpy(m->id, id, m->idlen);
    m->len = len;
    memcpy(m->data, data, len);
    return m;
}

/* ---- ROUTER: accepted connections ------------------------------------------------------ */

static void rconn_ready(void *arg, const zmtp_event *ev)
{
    struct rconn *c = arg;
    c->idlen = ev->identity_len < MAX_ID ? ev->identity_len : MAX_ID;
    memcpy(c->id, ev->identity, c->idlen);
}

static void rconn_message(void *arg, const zmtp_msg *m)
{
    struct rconn *c = arg;
    if (m->nframes != 1) { kprintf("zmq: dropped a message of %u frames\n", (unsigned)m->nframes); return; }
    struct qmsg *q = qmsg_new(c->id, c->idlen, m->frames[0].data, m->frames[0].len);
    if (q) enqueue(c->owner, q);
}

static void rconn_down(void *arg, const char *why) { ((struct rconn *)arg)->down = 1; }

static const struct zlink_ops rconn_ops = { rconn_ready, rconn_message, rconn_down };

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct zsock *s = arg;
    if (err != ERR_OK || !pcb) return ERR_VAL;
    struct rconn *c = calloc(1, sizeof *c);
    if (!c) { tcp_abort(pcb); return ERR_ABRT; }
    c->owner = s;
    c->link = zlink_accept(pcb, ZMTP_ROUTER, &rconn_ops, c);
    if (!c->link) { free(c); tcp_abort(pcb); return ERR_ABRT; }
    c->next = s->conns;
    s->conns = c;
    return ERR_OK;
}

/* ---- DEALER ---------------------------------------------------------------------------- */

static void dealer_ready(void *arg, const zmtp_event *ev) { ((struct zsock *)arg)->ready = 1; }
static void dealer_message(void *arg, const zmtp_msg *m) { (void)arg; (void)m; }   /* netchan reads ROUTERs only */
static void dealer_down(void *arg, const char *why) { ((struct zsock *)arg)->down = 1; }

static const struct zlink_ops dealer_ops = { dealer_ready, dealer_message, dealer_down };

static void dealer_flush(struct zsock *s)
{
    while (s->ready && s->qh) {
        if (zlink_send(s->link, s->qh->data, s->qh->len)) return;
        free(dequeue(s));
    }
}

/* ---- the API --------------------------------------------------------------------------- */

void *zmq_socket(void *ctx, int type)
{
    if (type != ZMQ_ROUTER && type != ZMQ_DEALER) { last_errno = SHIM_EINVAL; return NULL; }
    struct zsock *s = calloc(1, sizeof *s);
    if (!s) { last_errno = SHIM_ENOMEM; return NULL; }
    s->type = type;
    s->reconnect_ms = 100;
    s->next = sockets;
    sockets = s;
    return s;
}

int zmq_setsockopt(void *sock, int option, const void *value, size_t len)
{
    struct zsock *s = sock;
    if (option == ZMQ_ROUTING_ID) {
        if (len > MAX_ID) return fail(SHIM_EINVAL);
        memcpy(s->identity, value, len);
        s->identity[len] = 0;
    } else if (option == ZMQ_RECONNECT_IVL && len == sizeof(int)) {
        int ms = *(const int *)value;
        s->reconnect_ms = ms > 0 ? (uint32_t)ms : 100;
    }
    return 0;                       /* LINGER, HWMs, HANDOVER: nothing to do here */
}

/* "tcp://A.B.C.D:PORT" (A.B.C.D may be * or 0.0.0.0 for bind) */
static int parse_endpoint(const char *ep, uint32_t *ip, uint16_t *port)
{
    if (strncmp(ep, "tcp://", 6)) return -1;
    const char *h = ep + 6, *colon = strrchr(h, ':');
    if (!colon) return -1;
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (*end || !p || p > 65535) return -1;
    *port = (uint16_t)p;
    *ip = 0;
    if (*h == '*' && h + 1 == colon) return 0;
    for (int i = 0; i < 4; i++) {
        unsigned long b = strtoul(h, &end, 10);
        if (b > 255 || end == h || (i < 3 && *end != '.') || (i == 3 && end != colon)) return -1;
        *ip = *ip << 8 | (uint32_t)b;
        h = end + 1;
    }
    return 0;
}

/* Listens on the endpoint's port on every address (the host part may be an address
 * other nodes see, not ours: QEMU's hostfwd). */
int zmq_bind(void *sock, const char *endpoint)
{
    struct zsock *s = sock;
    uint32_t ip;
    uint16_t port;
    if (s->type != ZMQ_ROUTER || s->listener || parse_endpoint(endpoint, &ip, &port)) return fail(SHIM_EINVAL);
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb) return fail(SHIM_ENOMEM);
    if (tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) { tcp_close(pcb); return fail(SHIM_EINVAL); }
    s->listener = tcp_listen(pcb);
    if (!s->listener) { tcp_close(pcb); return fail(SHIM_ENOMEM); }
    tcp_arg(s->listener, s);
    tcp_accept(s->listener, on_accept);
    return 0;
}

int zmq_connect(void *sock, const char *endpoint)
{
    struct zsock *s = sock;
    if (s->type != ZMQ_DEALER || s->port || parse_endpoint(endpoint, &s->ip, &s->port) || !s->ip)
        return fail(SHIM_EINVAL);
    if ((s->ip >> 24) == 127 && loopback_alias) s->ip = loopback_alias;
    s->retry_at_ms = 0;                 /* connects at the next zmq_shim_poll */
    return 0;
}

int zmq_send(void *sock, const void *buf, size_t len, int flags)
{
    struct zsock *s = sock;
    if (s->type != ZMQ_DEALER || (flags & ZMQ_SNDMORE)) return fail(SHIM_EINVAL);
    if (s->ready && !s->qh && zlink_send(s->link, buf, len) == 0) return (int)len;
    if (s->nq >= MAX_QUEUED) return fail(SHIM_EAGAIN);
    struct qmsg *m = qmsg_new(NULL, 0, buf, len);
    if (!m) return fail(SHIM_ENOMEM);
    enqueue(s, m);
    return (int)len;
}

int zmq_poll(zmq_pollitem_t *items, int n, long timeout_ms)
{
    (void)timeout_ms;                   /* never blocks: the kernel's loop polls again */
    int ready = 0;
    for (int i = 0; i < n; i++) {
        struct zsock *s = items[i].socket;
        items[i].revents = 0;
        if ((items[i].events & ZMQ_POLLIN) && s && s->type == ZMQ_ROUTER && (s->cur || s->qh)) {
            items[i].revents = ZMQ_POLLIN;
            ready++;
        }
    }
    return ready;
}

int zmq_msg_init(zmq_msg_t *m) { memset(m, 0, sizeof *m); return 0; }

int zmq_getsockopt(void *s, int option, void *value, size_t *len) { return fail(SHIM_EINVAL); }

int zmq_recv(void *s, void *buf, size_t len, int flags)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    int n = zmq_msg_recv(&m, s, flags);
    if (n >= 0) memcpy(buf, zmq_msg_data(&m), (size_t)n < len ? (size_t)n : len);
    zmq_msg_close(&m);
    return n;
}

int zmq_msg_recv(zmq_msg_t *m, void *sock, int flags)
{
    struct zsock *s = sock;
    struct shim_msg *sm = (struct shim_msg *)m;
    if (s->type != ZMQ_ROUTER) return fail(SHIM_EAGAIN);
    free(sm->data);
    memset(sm, 0, sizeof *sm);
    if (!s->cur) {                      /* the identity frame first */
        if (!(s->cur = dequeue(s))) return fail(SHIM_EAGAIN);
        sm->data = malloc(s->cur->idlen ? s->cur->idlen : 1);
        if (!sm->data) return fail(SHIM_ENOMEM);
        memcpy(sm->data, s->cur->id, s->cur->idlen);
        sm->size = s->cur->idlen;
        sm->more = 1;
        return (int)sm->size;
    }
    sm->data = malloc(s->cur->len ? s->cur->len : 1);
    if (!sm->data) return fail(SHIM_ENOMEM);
    memcpy(sm->data, s->cur->data, s->cur->len);
    sm->size = s->cur->len;
    free(s->cur);
    s->cur = NULL;
    return (int)sm->size;
}

int    zmq_msg_more(const zmq_msg_t *m) { return ((const struct shim_msg *)m)->more; }
size_t zmq_msg_size(const zmq_msg_t *m) { return ((const struct shim_msg *)m)->size; }
void  *zmq_msg_data(zmq_msg_t *m) { return ((struct shim_msg *)m)->data; }

int zmq_msg_move(zmq_msg_t *dest, zmq_msg_t *src)
{
    zmq_msg_close(dest);
    *dest = *src;
    memset(src, 0, sizeof *src);
    return 0;
}

int zmq_msg_close(zmq_msg_t *m)
{
    struct shim_msg *sm = (struct shim_msg *)m;
    free(sm->data);
    memset(sm, 0, sizeof *sm);
    return 0;
}

int zmq_close(void *sock)
{
    struct zsock *s = sock;
    for (struct zsock **pp = &sockets; *pp; pp = &(*pp)->next)
        if (*pp == s) { *pp = s->next; break; }
    if (s->listener) { tcp_arg(s->listener, NULL); tcp_accept(s->listener, NULL); tcp_close(s->listener); }
    while (s->conns) {
        struct rconn *c = s->conns;
        s->conns = c->next;
        zlink_free(c->link);
        free(c);
    }
    if (s->link) zlink_free(s->link);
    struct qmsg *m;
    while ((m = dequeue(s))) free(m);
    free(s->cur);
    free(s);
    return 0;
}

void zmq_shim_poll(void)
{
    uint64_t now = now_ms();
    for (struct zsock *s = sockets; s; s = s->next) {
        for (struct rconn **pp = &s->conns; *pp;) {
            struct rconn *c = *pp;
            if (zlink_poll(c->link) && !c->down) { pp = &c->next; continue; }
            *pp = c->next;
            zlink_free(c->link);
            free(c);
        }
        if (s->type != ZMQ_DEALER || !s->port) continue;
        if (s->link && (!zlink_poll(s->link) || s->down)) {
            zlink_free(s->link);
            s->link = NULL;
            s->ready = s->down = 0;
            s->retry_at_ms = now + s->reconnect_ms;
        }
        if (!s->link && now >= s->retry_at_ms)
            s->link = zlink_open(s->ip, s->port, s->identity, &dealer_ops, s);
        dealer_flush(s);
    }
}
