/* zmq.h: the subset of the ZeroMQ API that netchan (netchan/link.c, node.c, timers.c)
 * uses, implemented by node-kernel/metal/zmq_shim.c over the project's own ZMTP on
 * lwIP: ROUTER sockets that listen, DEALER sockets that connect (and reconnect), single
 * messages, non-blocking receive and poll. Not a general libzmq. */
#ifndef METAL_LIBC_ZMQ_H
#define METAL_LIBC_ZMQ_H
#include <stddef.h>
#include <errno.h>             /* as libzmq's zmq.h does */
#include <stdint.h>

#define ZMQ_ROUTER 6
#define ZMQ_DEALER 5
#define ZMQ_DONTWAIT 1
#define ZMQ_SNDMORE  2
#define ZMQ_POLLIN   1
#define ZMQ_LINGER          17
#define ZMQ_RECONNECT_IVL   18
#define ZMQ_SNDHWM          23
#define ZMQ_RCVHWM          24
#define ZMQ_ROUTING_ID      5
#define ZMQ_ROUTER_HANDOVER 56
#define ZMQ_RCVTIMEO        27      /* accepted and ignored: receives never block here */
#define ZMQ_SNDTIMEO        28

typedef struct zmq_msg_t { unsigned char opaque[64]; } zmq_msg_t;
typedef struct { void *socket; int fd; short events, revents; } zmq_pollitem_t;

void *zmq_ctx_new(void);
int   zmq_ctx_term(void *ctx);
void *zmq_socket(void *ctx, int type);
int   zmq_close(void *s);
int   zmq_setsockopt(void *s, int option, const void *value, size_t len);
int   zmq_getsockopt(void *s, int option, void *value, size_t *len);   /* not supported: -1 */
int   zmq_bind(void *s, const char *endpoint);
int   zmq_connect(void *s, const char *endpoint);
int   zmq_send(void *s, const void *buf, size_t len, int flags);
int   zmq_poll(zmq_pollitem_t *items, int n, long timeout_ms);
int   zmq_msg_init(zmq_msg_t *m);
int   zmq_msg_recv(zmq_msg_t *m, void *s, int flags);     /* never blocks: EAGAIN */
int   zmq_recv(void *s, void *buf, size_t len, int flags);
int   zmq_msg_more(const zmq_msg_t *m);
size_t zmq_msg_size(const zmq_msg_t *m);
void *zmq_msg_data(zmq_msg_t *m);
int   zmq_msg_move(zmq_msg_t *dest, zmq_msg_t *src);
int   zmq_msg_close(zmq_msg_t *m);
int   zmq_errno(void);
const char *zmq_strerror(int err);

/* Metal only: drive every socket (connections, reconnects, queued sends); the poll
 * loop calls it. Addresses 127.x.y.z given to zmq_connect are reached through
 * `loopback_alias` when set (QEMU user networking: 10.0.2.2, the host). */
void zmq_shim_poll(void);
void zmq_shim_set_loopback_alias(uint32_t ip);
#endif
