/* host_peers.h: the host-side peers the booted kernel talks to, each on 127.0.0.1 with
 * an ephemeral port, served by a thread: a TCP echo server and a libzmq ROUTER that
 * answers the kernel's netchan Hello/Heartbeat. */
#ifndef TESTS_METAL_HOST_PEERS_H
#define TESTS_METAL_HOST_PEERS_H
#include <pthread.h>
#include <stdint.h>

struct echo_server {
    int listen_fd;
    int port;
    pthread_t thread;
    char received[256];         /* what the kernel sent */
    int bytes;
};
int  echo_server_start(struct echo_server *s);
void echo_server_stop(struct echo_server *s);      /* joins the thread, closes sockets */

struct router_peer {
    void *ctx, *sock;
    int port;
    pthread_t thread;
    volatile int stop;
    char identity[64];          /* the kernel's ZMTP identity */
    char hello_node[64];        /* Hello.node_id */
    uint32_t hello_wire_version;
    int got_heartbeat, replied;
    int bad_messages;
};
int  router_peer_start(struct router_peer *r);
void router_peer_stop(struct router_peer *r);

/* A one-file HTTP/1.0 server, like the orchestrator's boot server: GET /<name> answers
 * with the file, anything else 404. Serves until stopped. */
struct http_server {
    int listen_fd;
    int port;
    pthread_t thread;
    volatile int stop;
    const char *name, *path;
    int served, not_found;
};
int  http_server_start(struct http_server *h, const char *name, const char *path);
void http_server_stop(struct http_server *h);
#endif
