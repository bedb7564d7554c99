/* zmtp_client.c: drives the project's sans-I/O ZMTP connection (netchan/zmtp) over an
 * lwIP raw TCP connection, as a DEALER. It sends two netchan NodeEnvelopes (protobuf-c,
 * netchan/proto/node.proto): a Hello naming this node, then a Heartbeat with a random
 * nonce. The peer (a libzmq ROUTER) must answer with a Heartbeat reply carrying the same
 * nonce; then the kernel prints "ZMTP OK" and how long after kernel entry the first
 * message was confirmed delivered ("BOOT-TIME"). */
#include <string.h>
#include "lwip/tcp.h"
#include "lwip/netif.h"
#include "lwip/ip_addr.h"
#include "netchan/zmtp/zmtp.h"
#include "netchan/proto/node.pb-c.h"
#include "node-kernel/metal/zmtp_client.h"
#include "node-kernel/metal/net.h"
#include "node-kernel/metal/nic.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/timer.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/x86.h"

extern uint64_t boot_tsc;
uint32_t metal_random32(void);

static struct tcp_pcb *pcb;
static zmtp_conn *conn;
static int done;
static uint64_t nonce;
static char node_id[32], address[48];

static void finish(const char *failure)
{
    if (failure) kprintf("ZMTP FAILED: %s\n", failure);
    if (pcb) {
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        tcp_sent(pcb, NULL);
        tcp_err(pcb, NULL);
        if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
        pcb = NULL;
    }
    if (conn) { zmtp_conn_free(conn); conn = NULL; }
    done = 1;
}

/* Moves as much queued ZMTP output into the TCP send buffer as fits. */
static void flush(void)
{
    if (!conn || !pcb) return;
    for (;;) {
        const uint8_t *data;
        size_t n;
        zmtp_output(conn, &data, &n);
        size_t room = tcp_sndbuf(pcb);
        if (!n || !room) break;
        if (n > room) n = room;
        if (n > 0xFFFF) n = 0xFFFF;
        if (tcp_write(pcb, data, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) break;
        zmtp_consumed(conn, n);
    }
    tcp_output(pcb);
}

static int send_envelope(Netchan__NodeEnvelope *env)
{
    size_t len = netchan__node_envelope__get_packed_size(env);
    uint8_t *buf = heap_alloc(len ? len : 1);
    if (!buf) return -1;
    netchan__node_envelope__pack(env, buf);
    zmtp_iov frame = { buf, len };
    zmtp_error e = zmtp_send(conn, &frame, 1);
    heap_free(buf);
    return e == ZMTP_OK ? 0 : -1;
}

static int send_hello_and_heartbeat(void)
{
    Netchan__Hello hello = NETCHAN__HELLO__INIT;
    hello.wire_version = NETCHAN__WIRE_VERSION__WIRE_VERSION;
    hello.node_id = node_id;
    hello.address = address;
    hello.boot_id = ((uint64_t)metal_random32() << 32) | metal_random32();
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    env.from_node = node_id;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    if (send_envelope(&env)) return -1;

    Netchan__Heartbeat hb = NETCHAN__HEARTBEAT__INIT;
    nonce = ((uint64_t)metal_random32() << 32) | metal_random32();
    hb.nonce = nonce;
    hb.sent_ns = timer_ns();
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    return send_envelope(&env);
}

static void on_message(const zmtp_msg *m)
{
    if (m->nframes != 1) { kprintf("zmtp: ignoring a message of %u frames\n", (unsigned)m->nframes); return; }
    Netchan__NodeEnvelope *env = netchan__node_envelope__unpack(NULL, m->frames[0].len, m->frames[0].data);
    if (!env) { kprintf("zmtp: dropped a message that is not a NodeEnvelope (%u bytes)\n", (unsigned)m->frames[0].len); return; }
    if (env->body_case == NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT && env->heartbeat->reply) {
        if (env->heartbeat->nonce == nonce) {
            uint64_t since_entry_us = timer_tsc_to_ns(rdtsc() - boot_tsc) / 1000;
            kprintf("ZMTP OK: heartbeat reply from %s, nonce %lx\n", env->from_node, (unsigned long)nonce);
            kprintf("BOOT-TIME: first message delivered %lu us after kernel entry\n", since_entry_us);
            netchan__node_envelope__free_unpacked(env, NULL);
            finish(NULL);
            return;
        }
        kprintf("zmtp: heartbeat reply with a wrong nonce ignored\n");
    } else {
        kprintf("zmtp: envelope of kind %d from %s ignored\n", env->body_case, env->from_node);
    }
    netchan__node_envelope__free_unpacked(env, NULL);
}

static void handle_events(void)
{
    zmtp_event ev;
    while (conn && zmtp_next_event(conn, &ev)) {
        switch (ev.type) {
        case ZMTP_EV_READY:
            kprintf("zmtp: handshake done (ZMTP 3.%d peer)\n", ev.peer_minor);
            break;
        case ZMTP_EV_MESSAGE:
            on_message(&ev.msg);
            zmtp_msg_free(&ev.msg);
            break;
        case ZMTP_EV_ERROR:
            flush();
            finish(ev.reason ? ev.reason : "connection error");
            return;
        default:
            break;
        }
    }
}

static err_t on_recv(void *arg, struct tcp_pcb *tpcb, struct pbuf *p, err_t err)
{
    if (!p) { finish("peer closed the connection"); return ERR_OK; }
    for (struct pbuf *q = p; q && conn; q = q->next) {
        size_t off = 0;
        while (conn && off < q->len) {
            size_t k = zmtp_feed(conn, (const uint8_t *)q->payload + off, q->len - off);
            off += k;
            handle_events();
            if (!k && conn && zmtp_is_closed(conn)) break;
        }
    }
    if (pcb) tcp_recved(tpcb, p->tot_len);
    pbuf_free(p);
    flush();
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *tpcb, u16_t len) { flush(); return ERR_OK; }

static void on_err(void *arg, err_t err)
{
    pcb = NULL;                                     /* lwIP freed it already */
    kprintf("zmtp: tcp error %d\n", err);
    finish("tcp connection failed");
}

static err_t on_connected(void *arg, struct tcp_pcb *tpcb, err_t err)
{
    kprintf("zmtp: connected\n");
    tcp_recv(tpcb, on_recv);
    tcp_sent(tpcb, on_sent);
    if (send_hello_and_heartbeat()) { finish("could not queue the first messages"); return ERR_OK; }
    flush();
    return ERR_OK;
}

int zmtp_client_start(uint32_t ip, uint16_t port)
{
    const uint8_t *mac = net_netif()->hwaddr;
    ksnprintf(node_id, sizeof node_id, "metal-%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    ksnprintf(address, sizeof address, "tcp://%s:5600", ip4addr_ntoa(netif_ip4_addr(net_netif())));
    zmtp_config cfg = { 0 };
    cfg.type = ZMTP_DEALER;
    cfg.identity = (const uint8_t *)node_id;
    cfg.identity_len = strlen(node_id);
    cfg.max_msg_size = 1u << 20;
    conn = zmtp_conn_new(&cfg);
    if (!conn) return -1;
    pcb = tcp_new();
    if (!pcb) { zmtp_conn_free(conn); conn = NULL; return -1; }
    ip_addr_t addr;
    IP_ADDR4(&addr, ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
    tcp_err(pcb, on_err);
    tcp_nagle_disable(pcb);
    kprintf("zmtp: connecting to %s:%u as DEALER %s\n", ipaddr_ntoa(&addr), port, node_id);
    if (tcp_connect(pcb, &addr, port, on_connected) != ERR_OK) { finish("tcp_connect refused"); return -1; }
    return 0;
}

void zmtp_client_poll(void)
{
    if (!conn) return;
    zmtp_tick(conn, timer_ns() / 1000000u);
    handle_events();
    flush();
}

int zmtp_client_done(void) { return done; }
