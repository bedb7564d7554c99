/* host_peers.c: see host_peers.h. Both peers give up on their own after a bounded
 * time, so a kernel that never connects cannot hang a test. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <zmq.h>
#include "netchan/proto/node.pb-c.h"
#include "tests/metal/host_peers.h"

#define PEER_LIFETIME_MS 240000

static void *echo_thread(void *arg)
{
    struct echo_server *s = arg;
    struct pollfd pfd = { s->listen_fd, POLLIN, 0 };
    if (poll(&pfd, 1, PEER_LIFETIME_MS) <= 0) return NULL;
    int c = accept(s->listen_fd, NULL, NULL);
    if (c < 0) return NULL;
    struct pollfd cfd = { c, POLLIN, 0 };
    while (poll(&cfd, 1, PEER_LIFETIME_MS) > 0) {
        char buf[256];
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        size_t room = sizeof s->received - 1 - (size_t)s->bytes;
        size_t keep = (size_t)n < room ? (size_t)n : room;
        memcpy(s->received + s->bytes, buf, keep);
        s->bytes += (int)keep;
        if (write(c, buf, (size_t)n) != n) break;
    }
    close(c);
    return NULL;
}

int echo_server_start(struct echo_server *s)
{
    memset(s, 0, sizeof *s);
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0) return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) || listen(s->listen_fd, 1) ||
        getsockname(s->listen_fd, (struct sockaddr *)&a, &len) ||
        pthread_create(&s->thread, NULL, echo_thread, s)) {
        close(s->listen_fd);
        s->listen_fd = -1;
        return -1;
    }
    s->port = ntohs(a.sin_port);
    return 0;
}

void echo_server_stop(struct echo_server *s)
{
    if (s->listen_fd < 0) return;
    shutdown(s->listen_fd, SHUT_RDWR);          /* wakes a thread still in poll/accept */
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    s->listen_fd = -1;
}

static void reply_heartbeat(struct router_peer *r, zmq_msg_t *id, uint64_t nonce)
{
    Netchan__Heartbeat hb = NETCHAN__HEARTBEAT__INIT;
    hb.nonce = nonce;
    hb.reply = 1;
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    env.from_node = "host-router";
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    uint8_t buf[128];
    size_t n = netchan__node_envelope__pack(&env, buf);
    if (zmq_send(r->sock, zmq_msg_data(id), zmq_msg_size(id), ZMQ_SNDMORE) >= 0 &&
        zmq_send(r->sock, buf, n, 0) >= 0)
        r->replied++;
}

static void *router_thread(void *arg)
{
    struct router_peer *r = arg;
    for (int waited = 0; !r->stop && waited < PEER_LIFETIME_MS; ) {
        zmq_pollitem_t item = { r->sock, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll(&item, 1, 100);
        if (rc <= 0) { waited += 100; continue; }
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, r->sock, 0) < 0 || !zmq_msg_more(&id) ||
            zmq_msg_recv(&body, r->sock, 0) < 0) {
            r->bad_messages++;
        } else {
            snprintf(r->identity, sizeof r->identity, "%.*s", (int)zmq_msg_size(&id), (char *)zmq_msg_data(&id));
            Netchan__NodeEnvelope *env = netchan__node_envelope__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
            if (!env) r->bad_messages++;
            else {
                if (env->body_case == NETCHAN__NODE_ENVELOPE__BODY_HELLO) {
                    snprintf(r->hello_node, sizeof r->hello_node, "%s", env->hello->node_id);
                    r->hello_wire_version = env->hello->wire_version;
                } else if (env->body_case == NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT && !env->heartbeat->reply) {
                    r->got_heartbeat++;
                    reply_heartbeat(r, &id, env->heartbeat->nonce);
                }
                netchan__node_envelope__free_unpacked(env, NULL);
            }
            while (zmq_msg_more(&body)) {            /* discard extra frames */
                r->bad_messages++;
                if (zmq_msg_recv(&body, r->sock, 0) < 0) break;
            }
        }
        zmq_msg_close(&id);
        zmq_msg_close(&body);
    }
    return NULL;
}

int router_peer_start(struct router_peer *r)
{
    memset(r, 0, sizeof *r);
    r->ctx = zmq_ctx_new();
    if (!r->ctx) return -1;
    r->sock = zmq_socket(r->ctx, ZMQ_ROUTER);
    int linger = 0;
    char endpoint[64];
    size_t len = sizeof endpoint;
    if (!r->sock || zmq_setsockopt(r->sock, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(r->sock, "tcp://127.0.0.1:*") ||
        zmq_getsockopt(r->sock, ZMQ_LAST_ENDPOINT, endpoint, &len) ||
        pthread_create(&r->thread, NULL, router_thread, r)) {
        if (r->sock) zmq_close(r->sock);
        zmq_ctx_term(r->ctx);
        r->ctx = NULL;
        return -1;
    }
    const char *colon = strrchr(endpoint, ':');
    r->port = colon ? atoi(colon + 1) : 0;
    return 0;
}

void router_peer_stop(struct router_peer *r)
{
    if (!r->ctx) return;
    r->stop = 1;
    pthread_join(r->thread, NULL);
    zmq_close(r->sock);
    zmq_ctx_term(r->ctx);
    r->ctx = NULL;
}

static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 4) ||
        getsockname(fd, (struct sockaddr *)&a, &len)) { close(fd); return -1; }
    *port = ntohs(a.sin_port);
    return fd;
}

static void http_answer(struct http_server *h, int c)
{
    char req[1024];
    size_t got = 0;
    struct pollfd pfd = { c, POLLIN, 0 };
    while (got < sizeof req - 1 && poll(&pfd, 1, 5000) > 0) {     /* up to the blank line */
        ssize_t n = read(c, req + got, sizeof req - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        req[got] = 0;
        if (strstr(req, "\r\n\r\n")) break;
    }
    req[got] = 0;
    char want[256];
    snprintf(want, sizeof want, "GET /%s ", h->name);
    int fd = strncmp(req, want, strlen(want)) ? -1 : open(h->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        static const char nf[] = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (write(c, nf, sizeof nf - 1) < 0) { /* the client went away */ }
        h->not_found++;
        if (fd >= 0) close(fd);
        return;
    }
    char head[160];
    int n = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: %lld\r\nConnection: close\r\n\r\n", (long long)st.st_size);
    int ok = write(c, head, (size_t)n) == n;
    char buf[65536];
    ssize_t r;
    while (ok && (r = read(fd, buf, sizeof buf)) > 0) ok = write(c, buf, (size_t)r) == r;
    close(fd);
    if (ok) h->served++;
}

static void *http_thread(void *arg)
{
    struct http_server *h = arg;
    for (int waited = 0; !h->stop && waited < PEER_LIFETIME_MS; ) {
        struct pollfd pfd = { h->listen_fd, POLLIN, 0 };
        if (poll(&pfd, 1, 100) <= 0) { waited += 100; continue; }
        int c = accept(h->listen_fd, NULL, NULL);
        if (c < 0) continue;
        http_answer(h, c);
        close(c);
    }
    return NULL;
}

int http_server_start(struct http_server *h, const char *name, const char *path)
{
    memset(h, 0, sizeof *h);
    h->name = name;
    h->path = path;
    h->listen_fd = listen_loopback(&h->port);
    if (h->listen_fd < 0) return -1;
    if (pthread_create(&h->thread, NULL, http_thread, h)) { close(h->listen_fd); h->listen_fd = -1; return -1; }
    return 0;
}

void http_server_stop(struct http_server *h)
{
    if (h->listen_fd < 0) return;
    h->stop = 1;
    pthread_join(h->thread, NULL);
    close(h->listen_fd);
    h->listen_fd = -1;
}
