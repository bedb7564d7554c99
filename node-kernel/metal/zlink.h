/* zlink.h: one ZMTP DEALER connection over lwIP TCP (the project's sans-I/O ZMTP of
 * netchan/zmtp driven by lwIP's raw API), for long-lived links such as the one to the
 * orchestrator. Callbacks run from the poll loop or from lwIP's callbacks; a failed link
 * is torn down in zlink_poll, which then calls `down` once. */
#ifndef NODE_KERNEL_METAL_ZLINK_H
#define NODE_KERNEL_METAL_ZLINK_H
#include <stddef.h>
#include <stdint.h>
#include "netchan/zmtp/zmtp.h"

struct tcp_pcb;

struct zlink;
struct zlink_ops {
    void (*ready)(void *arg, const zmtp_event *ev); /* handshake done (peer_minor, identity): may send */
    void (*message)(void *arg, const zmtp_msg *m);  /* one whole message (borrowed) */
    void (*down)(void *arg, const char *why);       /* connection over; then zlink_free */
};

/* Connects to ip:port (host byte order) as a DEALER with the given identity. */
struct zlink *zlink_open(uint32_t ip, uint16_t port, const char *identity,
                         const struct zlink_ops *ops, void *arg);
/* Takes over a connection lwIP accepted (a listening ROUTER's): our side of the
 * handshake as `type` with the as-server bit set. */
struct zlink *zlink_accept(struct tcp_pcb *pcb, zmtp_socket_type type, const struct zlink_ops *ops, void *arg);
/* Queues one single-frame message; 0, or -1 if the link is not ready or out of memory. */
int  zlink_send(struct zlink *l, const void *data, size_t len);
/* Heartbeats, pending events, output; reports a failure through `down`. Returns nonzero
 * while the link exists, 0 once it is down (the caller then calls zlink_free). */
int  zlink_poll(struct zlink *l);
void zlink_free(struct zlink *l);
#endif
