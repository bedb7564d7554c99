/* netchan links: the peer table, one DEALER per peer (identity = our node id) connected
 * to the peer's ROUTER, sending envelopes (with the test-only fault injection), Hello
 * with resume points, link resets, and receiving on our ROUTER. */
#include "netchan/nc_impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

nc_peer *nc_peer_find(nc_node *n, const char *id)
{
    for (nc_peer *p = n->peers; p; p = p->next)
        if (!strcmp(p->id, id))
            return p;
    return NULL;
}

nc_peer *nc_peer_get(nc_node *n, const char *id, const char *addr)
{
    if (!id || !id[0] || strlen(id) >= NC_ID_MAX)
        return NULL;
    nc_peer *p = nc_peer_find(n, id);
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p)
            return NULL;
        snprintf(p->id, sizeof p->id, "%s", id);
        p->last_heard_ns = nc_now();      /* grace period from first mention */
        p->next = n->peers;
        n->peers = p;
    }
    if (addr && addr[0] && strlen(addr) < NC_ADDR_MAX && strcmp(p->addr, addr)) {
        bool had = p->addr[0] != 0;
        snprintf(p->addr, sizeof p->addr, "%s", addr);
        if (had && p->dealer)
            nc_link_reset(n, p);          /* it moved: reconnect to the new address */
    }
    return p;
}

static void open_dealer(nc_node *n, nc_peer *p)
{
    p->dealer = zmq_socket(n->zctx, ZMQ_DEALER);
    int zero = 0, ivl = 50;
    zmq_setsockopt(p->dealer, ZMQ_ROUTING_ID, n->id, strlen(n->id));
    zmq_setsockopt(p->dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(p->dealer, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(p->dealer, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    if (zmq_connect(p->dealer, p->addr)) {
        nc_log(n, "cannot connect to %s at %s: %s", p->id, p->addr, zmq_strerror(zmq_errno()));
        zmq_close(p->dealer);
        p->dealer = NULL;
    }
}

void nc_peer_connect(nc_node *n, nc_peer *p)
{
    if (p->dealer || !p->addr[0] || !n->zctx || p->dead)
        return;
    open_dealer(n, p);
    if (p->dealer)
        nc_send_hello(n, p);
}

/* Drop the connection (and whatever it still queued) and start a fresh one; the Hello on
 * the new link tells the peer where to resume, and it tells us the same. */
void nc_link_reset(nc_node *n, nc_peer *p)
{
    if (p->dealer) {
        zmq_close(p->dealer);
        p->dealer = NULL;
    }
    nc_peer_connect(n, p);
}

void nc_link_close_all(nc_node *n)
{
    for (nc_peer *p = n->peers; p; p = p->next)
        if (p->dealer) {
            zmq_close(p->dealer);
            p->dealer = NULL;
        }
}

void nc_link_send(nc_node *n, nc_peer *p, const uint8_t *buf, size_t len, bool is_data)
{
    if (!p || p->dead)
        return;
    if (!p->dealer)
        nc_peer_connect(n, p);
    if (!p->dealer)
        return;
    p->frames_out++;
    if (is_data && n->o.fault_drop && ++p->data_out % n->o.fault_drop == 0) {
        n->st.faults_injected++;
        return;                            /* "lost" on the wire */
    }
    if (zmq_send(p->dealer, buf, len, ZMQ_DONTWAIT) < 0 && zmq_errno() != EAGAIN)
        nc_log(n, "send to %s: %s", p->id, zmq_strerror(zmq_errno()));
    if (n->o.fault_reset && p->frames_out % n->o.fault_reset == 0) {
        n->st.faults_injected++;
        nc_link_reset(n, p);
    }
    p->last_hb_ns = nc_now();              /* traffic counts as a heartbeat */
}

uint8_t *nc_pack_env(nc_node *n, Netchan__NodeEnvelope *env, size_t *len)
{
    env->from_node = n->id;
    *len = netchan__node_envelope__get_packed_size(env);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (!buf)
        abort();
    netchan__node_envelope__pack(env, buf);
    return buf;
}

int nc_send_env(nc_node *n, nc_peer *p, Netchan__NodeEnvelope *env)
{
    size_t len;
    uint8_t *buf = nc_pack_env(n, env, &len);
    nc_link_send(n, p, buf, len, false);
    free(buf);
    return 0;
}

void nc_send_hello(nc_node *n, nc_peer *p)
{
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__Hello h = NETCHAN__HELLO__INIT;
    h.wire_version = NETCHAN__WIRE_VERSION__WIRE_VERSION;
    h.node_id = n->id;
    h.address = n->addr;
    h.boot_id = n->boot_id;
    nc_arena ar;
    ar_init(&ar);
    size_t cnt = 0;
    for (nc_end *e = n->ends; e; e = e->next)
        if (e->peer == p)
            cnt++;
    h.resume = ar_alloc(&ar, (cnt + 1) * sizeof *h.resume);
    for (nc_end *e = n->ends; e; e = e->next) {
        if (e->peer != p)
            continue;
        Netchan__Hello__Resume *r = ar_alloc(&ar, sizeof *r);
        netchan__hello__resume__init(r);
        Netchan__EndRef *ref = ar_alloc(&ar, sizeof *ref);
        netchan__end_ref__init(ref);
        ref->channel_id = e->chan;
        ref->side = nc_wire_side(e->side);
        r->end = ref;
        r->recv_seq = e->recv_seq;
        h.resume[h.n_resume++] = r;
    }
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HELLO;
    env.hello = &h;
    nc_send_env(n, p, &env);
    ar_free(&ar);
}

/* Read what is waiting on the ROUTER. With timeout_ms > 0 and nothing to read, wait up
 * to timeout_ms for the first frame in the receive itself (one wake-up, no zmq_poll), and
 * return as soon as it is handled: trying for a second frame that is not there costs a
 * poll(2) in libzmq, and the next call reads whatever queued meanwhile without one.
 * Pending acks go out when there is nothing more to read, before any wait. */
int nc_link_recv_all(nc_node *n, int timeout_ms)
{
    if (!n->router)
        return 0;
    if (timeout_ms > 0 && n->rcvtimeo != timeout_ms) {
        zmq_setsockopt(n->router, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
        n->rcvtimeo = timeout_ms;
    }
    int got = 0;
    for (int i = 0; i < 1024; i++) {
        zmq_msg_t ident, body;
        zmq_msg_init(&ident);
        bool wait = got == 0 && timeout_ms > 0 && !nc_acks_due(n);
        if (zmq_msg_recv(&ident, n->router, wait ? 0 : ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ident);
            bool due = nc_acks_due(n);
            if (due)
                nc_flush(n);                  /* idle: the delayed acks go now */
            if (due && got == 0 && timeout_ms > 0)
                continue;                     /* and then wait */
            break;
        }
        zmq_msg_init(&body);
        int more = zmq_msg_more(&ident);
        if (!more || zmq_msg_recv(&body, n->router, ZMQ_DONTWAIT) < 0) {
            nc_log(n, "dropped a message without a body frame");
            n->st.dropped++;
        } else {
            char from[NC_ID_MAX] = "";
            size_t il = zmq_msg_size(&ident);
            if (il < sizeof from) {
                memcpy(from, zmq_msg_data(&ident), il);
                from[il] = 0;
            }
            /* any further frames of a multi-frame message are not ours: skip them */
            bool extra = zmq_msg_more(&body);
            if (extra) {
                nc_log(n, "dropped a multi-frame message from '%s'", from);
                n->st.dropped++;
                zmq_msg_t skip;
                zmq_msg_init(&skip);
                while (zmq_msg_more(&body) && zmq_msg_recv(&skip, n->router, ZMQ_DONTWAIT) >= 0) {
                    zmq_msg_close(&body);
                    zmq_msg_init(&body);
                    zmq_msg_move(&body, &skip);
                }
                zmq_msg_close(&skip);
            } else if (!from[0] || il >= sizeof from || memchr(from, 0, il)) {
                nc_log(n, "dropped a message from a link with a bad identity");
                n->st.dropped++;
            } else {
                nc_dispatch(n, from, zmq_msg_data(&body), zmq_msg_size(&body));
                got++;
            }
        }
        zmq_msg_close(&ident);
        zmq_msg_close(&body);
        if (wait)
            break;                            /* woke up for it: let the SIPs run first */
    }
    return got;
}
