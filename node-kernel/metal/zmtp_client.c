/* zmtp_client.c: the ZMTP self-test (peer=PORT). Over a zlink (a ZMTP DEALER on lwIP
 * TCP) it sends two netchan NodeEnvelopes (protobuf-c, netchan/proto/node.proto): a
 * Hello naming this node, then a Heartbeat with a random nonce. The peer (a libzmq
 * ROUTER) must answer with a Heartbeat reply carrying the same nonce; then the kernel
 * prints "ZMTP OK" and how long after kernel entry the first message was confirmed
 * delivered ("BOOT-TIME"). */
#include <string.h>
#include "lwip/netif.h"
#include "lwip/ip_addr.h"
#include "netchan/proto/node.pb-c.h"
#include "node-kernel/metal/zmtp_client.h"
#include "node-kernel/metal/zlink.h"
#include "node-kernel/metal/net.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/timer.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/x86.h"

extern uint64_t boot_tsc;
uint32_t metal_random32(void);

static struct zlink *link;
static int done, over;                  /* over: close the link at the next poll */
static uint64_t nonce;
static char node_id[32], address[48];

static void finish(const char *failure)
{
    if (failure) kprintf("ZMTP FAILED: %s\n", failure);
    over = 1;
}

static int send_envelope(Netchan__NodeEnvelope *env)
{
    size_t len = netchan__node_envelope__get_packed_size(env);
    uint8_t *buf = heap_alloc(len ? len : 1);
    if (!buf) return -1;
    netchan__node_envelope__pack(env, buf);
    int rc = zlink_send(link, buf, len);
    heap_free(buf);
    return rc;
}

static void on_ready(void *arg, const zmtp_event *ev)
{
    kprintf("zmtp: handshake done (ZMTP 3.%d peer)\n", ev->peer_minor);
    Netchan__Hello hello = NETCHAN__HELLO__INIT;
    hello.wire_version = NETCHAN__WIRE_VERSION__WIRE_VERSION;
    hello.node_id = node_id;
    hello.address = address;
    hello.boot_id = ((uint64_t)metal_random32() << 32) | metal_random32();
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    env.from_node = node_id;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    Netchan__Heartbeat hb = NETCHAN__HEARTBEAT__INIT;
    nonce = ((uint64_t)metal_random32() << 32) | metal_random32();
    hb.nonce = nonce;
    hb.sent_ns = timer_ns();
    int rc = send_envelope(&env);
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    if (rc || send_envelope(&env)) finish("could not queue the first messages");
}

static void on_message(void *arg, const zmtp_msg *m)
{
    if (over) return;
    if (m->nframes != 1) { kprintf("zmtp: ignoring a message of %u frames\n", (unsigned)m->nframes); return; }
    Netchan__NodeEnvelope *env = netchan__node_envelope__unpack(NULL, m->frames[0].len, m->frames[0].data);
    if (!env) { kprintf("zmtp: dropped a message that is not a NodeEnvelope (%u bytes)\n", (unsigned)m->frames[0].len); return; }
    if (env->body_case == NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT && env->heartbeat->reply) {
        if (env->heartbeat->nonce == nonce) {
            uint64_t since_entry_us = timer_tsc_to_ns(rdtsc() - boot_tsc) / 1000;
            kprintf("ZMTP OK: heartbeat reply from %s, nonce %lx\n", env->from_node, (unsigned long)nonce);
            kprintf("BOOT-TIME: first message delivered %lu us after kernel entry\n", since_entry_us);
            finish(NULL);
        } else {
            kprintf("zmtp: heartbeat reply with a wrong nonce ignored\n");
        }
    } else {
        kprintf("zmtp: envelope of kind %d from %s ignored\n", env->body_case, env->from_node);
    }
    netchan__node_envelope__free_unpacked(env, NULL);
}

static void on_down(void *arg, const char *why) { if (!over) finish(why); }

static const struct zlink_ops ops = { on_ready, on_message, on_down };

int zmtp_client_start(uint32_t ip, uint16_t port)
{
    const uint8_t *mac = net_netif()->hwaddr;
    ksnprintf(node_id, sizeof node_id, "metal-%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    ksnprintf(address, sizeof address, "tcp://%s:5600", ip4addr_ntoa(netif_ip4_addr(net_netif())));
    kprintf("zmtp: connecting to %u.%u.%u.%u:%u as DEALER %s\n", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
            ip & 255, port, node_id);
    link = zlink_open(ip, port, node_id, &ops, NULL);
    return link ? 0 : -1;
}

void zmtp_client_poll(void)
{
    if (!link) return;
    int up = zlink_poll(link);
    if (!up || over) {
        zlink_free(link);
        link = NULL;
        done = 1;
    }
}

int zmtp_client_done(void) { return done; }
