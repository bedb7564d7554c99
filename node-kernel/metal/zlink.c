/* zlink.c: a ZMTP DEALER over an lwIP raw TCP connection (see zlink.h). Received pbufs
 * are fed to zmtp_feed; queued ZMTP output is moved into tcp_write as far as the send
 * buffer allows, after every send, in tcp_sent and from the poll loop. Errors only mark
 * the link failed: the teardown happens in zlink_poll, outside lwIP's callbacks. */
#include <string.h>
#include "lwip/tcp.h"
#include "lwip/ip_addr.h"
#include "node-kernel/metal/zlink.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/timer.h"

#define ZLINK_MAX_MSG ((16u << 20) + 4096)    /* a whole 16 MiB module in one ModuleData */

struct zlink {
    struct tcp_pcb *pcb;
    zmtp_conn *conn;
    const struct zlink_ops *ops;
    void *arg;
    int failed, reported;
    char why[96];
};

static void fail(struct zlink *l, const char *why)
{
    if (l->failed) return;
    l->failed = 1;
    ksnprintf(l->why, sizeof l->why, "%s", why);
}

static void flush(struct zlink *l)
{
    if (!l->conn || !l->pcb || l->failed) return;
    for (;;) {
        const uint8_t *data;
        size_t n;
        zmtp_output(l->conn, &data, &n);
        size_t room = tcp_sndbuf(l->pcb);
        if (!n || !room) break;
        if (n > room) n = room;
        if (n > 0xFFFF) n = 0xFFFF;
        if (tcp_write(l->pcb, data, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) break;
        zmtp_consumed(l->conn, n);
    }
    tcp_output(l->pcb);
}

static void handle_events(struct zlink *l)
{
    zmtp_event ev;
    while (!l->failed && zmtp_next_event(l->conn, &ev)) {
        if (ev.type == ZMTP_EV_READY) {
            if (l->ops->ready) l->ops->ready(l->arg, &ev);
        } else if (ev.type == ZMTP_EV_MESSAGE) {
            if (l->ops->message) l->ops->message(l->arg, &ev.msg);
            zmtp_msg_free(&ev.msg);
        } else if (ev.type == ZMTP_EV_ERROR) {
            fail(l, ev.reason ? ev.reason : "ZMTP error");
        }
    }
}

static err_t on_recv(void *arg, struct tcp_pcb *tpcb, struct pbuf *p, err_t err)
{
    struct zlink *l = arg;
    if (!p) { fail(l, "peer closed the connection"); return ERR_OK; }
    for (struct pbuf *q = p; q && !l->failed; q = q->next) {
        size_t off = 0;
        while (!l->failed && off < q->len) {
            size_t k = zmtp_feed(l->conn, (const uint8_t *)q->payload + off, q->len - off);
            off += k;
            handle_events(l);
            if (!k) break;
        }
    }
    tcp_recved(tpcb, p->tot_len);
    pbuf_free(p);
    flush(l);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *tpcb, u16_t len) { flush(arg); return ERR_OK; }

static void on_err(void *arg, err_t err)
{
    struct zlink *l = arg;
    l->pcb = NULL;                              /* lwIP has freed it */
    char why[48];
    ksnprintf(why, sizeof why, "tcp error %d", err);
    fail(l, why);
}

static err_t on_connected(void *arg, struct tcp_pcb *tpcb, err_t err)
{
    struct zlink *l = arg;
    tcp_recv(tpcb, on_recv);
    tcp_sent(tpcb, on_sent);
    flush(l);                                   /* our greeting */
    return ERR_OK;
}

static struct zlink *link_new(zmtp_socket_type type, const char *identity, int as_server,
                              const struct zlink_ops *ops, void *arg)
{
    struct zlink *l = heap_alloc(sizeof *l);
    if (!l) return NULL;
    memset(l, 0, sizeof *l);
    l->ops = ops;
    l->arg = arg;
    zmtp_config cfg = { 0 };
    cfg.type = type;
    cfg.identity = (const uint8_t *)identity;
    cfg.identity_len = identity ? strlen(identity) : 0;
    cfg.as_server = as_server;
    cfg.max_msg_size = ZLINK_MAX_MSG;
    l->conn = zmtp_conn_new(&cfg);
    if (!l->conn) { heap_free(l); return NULL; }
    return l;
}

struct zlink *zlink_accept(struct tcp_pcb *pcb, zmtp_socket_type type, const struct zlink_ops *ops, void *arg)
{
    struct zlink *l = link_new(type, NULL, 1, ops, arg);
    if (!l) return NULL;
    l->pcb = pcb;
    tcp_arg(pcb, l);
    tcp_err(pcb, on_err);
    tcp_nagle_disable(pcb);
    on_connected(l, pcb, ERR_OK);
    return l;
}

struct zlink *zlink_open(uint32_t ip, uint16_t port, const char *identity,
                         const struct zlink_ops *ops, void *arg)
{
    struct zlink *l = link_new(ZMTP_DEALER, identity, 0, ops, arg);
    if (!l) return NULL;
    l->pcb = tcp_new();
    if (!l->pcb) { zlink_free(l); return NULL; }
    tcp_arg(l->pcb, l);
    tcp_err(l->pcb, on_err);
    tcp_nagle_disable(l->pcb);
    ip_addr_t addr;
    IP_ADDR4(&addr, ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
    if (tcp_connect(l->pcb, &addr, port, on_connected) != ERR_OK) fail(l, "tcp_connect refused");
    return l;
}

int zlink_send(struct zlink *l, const void *data, size_t len)
{
    if (l->failed || !zmtp_is_ready(l->conn)) return -1;
    zmtp_iov frame = { data, len };
    if (zmtp_send(l->conn, &frame, 1) != ZMTP_OK) return -1;
    flush(l);
    return 0;
}

int zlink_poll(struct zlink *l)
{
    if (!l->failed) {
        zmtp_tick(l->conn, timer_ns() / 1000000u);
        handle_events(l);
        flush(l);
    }
    if (l->failed && !l->reported) {
        l->reported = 1;
        if (l->ops->down) l->ops->down(l->arg, l->why);
    }
    return !l->failed;
}

void zlink_free(struct zlink *l)
{
    if (!l) return;
    if (l->pcb) {
        tcp_arg(l->pcb, NULL);
        tcp_recv(l->pcb, NULL);
        tcp_sent(l->pcb, NULL);
        tcp_err(l->pcb, NULL);
        if (tcp_close(l->pcb) != ERR_OK) tcp_abort(l->pcb);
    }
    if (l->conn) zmtp_conn_free(l->conn);
    heap_free(l);
}
