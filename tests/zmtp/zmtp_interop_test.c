/* CUnit interop tests: our ZMTP (netchan/zmtp over the POSIX driver) against libzmq on
 * 127.0.0.1, in both directions -- our DEALER/REQ to libzmq ROUTER/REP, libzmq DEALER/REQ
 * to our ROUTER/REP -- with multipart, long-frame and many messages, PING/PONG with
 * libzmq heartbeats, and refusal of an incompatible libzmq socket type. libzmq runs its
 * I/O in its own threads, so one test thread drives both sides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <zmq.h>
#include <CUnit/CUnit.h>
#include "netchan/zmtp/zmtp_posix.h"
#include "tests/cunit_main.h"

#define WAIT_MS 5000

static void *zctx;

static void *zsock(int type)
{
    void *s = zmq_socket(zctx, type);
    int linger = 0, timeout = WAIT_MS;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    return s;
}

/* Binds a libzmq socket to an ephemeral loopback port and returns the port. */
static uint16_t zbind(void *s)
{
    char ep[128];
    size_t len = sizeof ep;
    if (zmq_bind(s, "tcp://127.0.0.1:*") != 0)
        return 0;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len);
    const char *colon = strrchr(ep, ':');
    return colon ? (uint16_t)atoi(colon + 1) : 0;
}

static void zconnect(void *s, uint16_t port)
{
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%u", port);
    zmq_connect(s, ep);
}

/* Receives one whole libzmq message into parts (each malloc'd); returns the part count. */
static int zrecv_msg(void *s, char **parts, size_t *lens, int max)
{
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, 0) < 0) {
            zmq_msg_close(&m);
            return n ? n : -1;
        }
        if (n < max) {
            lens[n] = zmq_msg_size(&m);
            parts[n] = malloc(lens[n] + 1);
            memcpy(parts[n], zmq_msg_data(&m), lens[n]);
            parts[n][lens[n]] = 0;
            n++;
        }
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
    }
    return n;
}

static void free_parts(char **parts, int n)
{
    for (int i = 0; i < n; i++)
        free(parts[i]);
}

/* Our next MESSAGE event (skipping PING/PONG); false on timeout or error. */
static bool our_recv(zmtp_posix *s, zmtp_msg *m)
{
    zmtp_event ev;
    for (;;) {
        int r = zmtp_posix_next(s, &ev, WAIT_MS);
        if (r <= 0)
            return false;
        if (ev.type == ZMTP_EV_MESSAGE) {
            *m = ev.msg;
            return true;
        }
        if (ev.type == ZMTP_EV_ERROR)
            return false;
    }
}

static zmtp_config cfg_of(zmtp_socket_type t, const char *identity)
{
    zmtp_config cfg = { .type = t };
    if (identity) {
        cfg.identity = (const uint8_t *)identity;
        cfg.identity_len = strlen(identity);
    }
    return cfg;
}

/* Our DEALER connects to a libzmq ROUTER: identity, multipart both ways. */
static void test_our_dealer_libzmq_router(void)
{
    void *router = zsock(ZMQ_ROUTER);
    uint16_t port = zbind(router);
    CU_ASSERT_FATAL(port != 0);
    zmtp_config cfg = cfg_of(ZMTP_DEALER, "our-dealer");
    zmtp_posix *s = zmtp_posix_connect("127.0.0.1", port, &cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    zmtp_event ev;
    CU_ASSERT_TRUE(zmtp_posix_wait_ready(s, &ev, WAIT_MS));
    CU_ASSERT_EQUAL(ev.peer_type, ZMTP_ROUTER);

    zmtp_iov req[] = { { "hello", 5 }, { "", 0 }, { "world", 5 } };
    CU_ASSERT_EQUAL(zmtp_posix_send(s, req, 3), ZMTP_OK);
    char *parts[8];
    size_t lens[8];
    int n = zrecv_msg(router, parts, lens, 8);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_EQUAL(lens[0], 10);
    CU_ASSERT_STRING_EQUAL(parts[0], "our-dealer");   /* our Identity became the routing id */
    CU_ASSERT_STRING_EQUAL(parts[1], "hello");
    CU_ASSERT_EQUAL(lens[2], 0);
    CU_ASSERT_STRING_EQUAL(parts[3], "world");

    /* reply through the ROUTER, addressed by our identity */
    zmq_send(router, parts[0], lens[0], ZMQ_SNDMORE);
    zmq_send(router, "re", 2, ZMQ_SNDMORE);
    zmq_send(router, "ply", 3, 0);
    free_parts(parts, n);
    zmtp_msg m;
    CU_ASSERT_TRUE_FATAL(our_recv(s, &m));
    CU_ASSERT_EQUAL(m.nframes, 2);
    CU_ASSERT_NSTRING_EQUAL(m.frames[0].data, "re", 2);
    CU_ASSERT_NSTRING_EQUAL(m.frames[1].data, "ply", 3);
    zmtp_msg_free(&m);
    zmtp_posix_close(s);
    zmq_close(router);
}

/* The driver speaks IPv6 too: our PAIR to a libzmq PAIR on [::1]. */
static void test_ipv6_loopback(void)
{
    void *z = zsock(ZMQ_PAIR);
    int on = 1;
    zmq_setsockopt(z, ZMQ_IPV6, &on, sizeof on);
    char ep[128];
    size_t len = sizeof ep;
    if (zmq_bind(z, "tcp://[::1]:*") != 0) {
        zmq_close(z);
        CU_FAIL("cannot bind libzmq to [::1]");
        return;
    }
    zmq_getsockopt(z, ZMQ_LAST_ENDPOINT, ep, &len);
    uint16_t port = (uint16_t)atoi(strrchr(ep, ':') + 1);
    zmtp_config cfg = cfg_of(ZMTP_PAIR, NULL);
    zmtp_posix *s = zmtp_posix_connect("::1", port, &cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE(zmtp_posix_wait_ready(s, NULL, WAIT_MS));
    zmtp_iov f = { "v6", 2 };
    CU_ASSERT_EQUAL(zmtp_posix_send(s, &f, 1), ZMTP_OK);
    char buf[8];
    CU_ASSERT_EQUAL(zmq_recv(z, buf, sizeof buf, 0), 2);
    zmtp_posix_close(s);
    zmq_close(z);
}

/* A libzmq DEALER connects to our ROUTER (we listen). */
static void test_libzmq_dealer_our_router(void)
{
    uint16_t port = 0;
    int lfd = zmtp_posix_listen("127.0.0.1", 0, &port);
    CU_ASSERT_FATAL(lfd >= 0);
    void *dealer = zsock(ZMQ_DEALER);
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "zmq-dealer", 10);
    zconnect(dealer, port);
    zmtp_config cfg = cfg_of(ZMTP_ROUTER, NULL);
    cfg.as_server = true;
    zmtp_posix *s = zmtp_posix_accept(lfd, &cfg, WAIT_MS);
    close(lfd);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    zmtp_event ev;
    CU_ASSERT_TRUE_FATAL(zmtp_posix_wait_ready(s, &ev, WAIT_MS));
    CU_ASSERT_EQUAL(ev.peer_type, ZMTP_DEALER);
    CU_ASSERT_EQUAL(ev.identity_len, 10);
    CU_ASSERT_NSTRING_EQUAL(ev.identity, "zmq-dealer", 10);

    zmq_send(dealer, "a", 1, ZMQ_SNDMORE);
    zmq_send(dealer, "bb", 2, ZMQ_SNDMORE);
    zmq_send(dealer, "ccc", 3, 0);
    zmtp_msg m;
    CU_ASSERT_TRUE_FATAL(our_recv(s, &m));
    CU_ASSERT_EQUAL_FATAL(m.nframes, 3);
    CU_ASSERT_EQUAL(m.frames[2].len, 3);
    CU_ASSERT_NSTRING_EQUAL(m.frames[2].data, "ccc", 3);
    zmtp_msg_free(&m);

    zmtp_iov rep[] = { { "x", 1 }, { "yz", 2 } };
    CU_ASSERT_EQUAL(zmtp_posix_send(s, rep, 2), ZMTP_OK);
    char *parts[4];
    size_t lens[4];
    int n = zrecv_msg(dealer, parts, lens, 4);
    CU_ASSERT_EQUAL(n, 2);
    if (n == 2) {
        CU_ASSERT_STRING_EQUAL(parts[0], "x");
        CU_ASSERT_STRING_EQUAL(parts[1], "yz");
    }
    free_parts(parts, n > 0 ? n : 0);
    zmtp_posix_close(s);
    zmq_close(dealer);
}

/* Connected pair: our DEALER to a libzmq DEALER that we bind. */
static void *pair_up(zmtp_posix **out, int ztype, zmtp_config cfg)
{
    void *z = zsock(ztype);
    uint16_t port = zbind(z);
    *out = port ? zmtp_posix_connect("127.0.0.1", port, &cfg) : NULL;
    if (!*out || !zmtp_posix_wait_ready(*out, NULL, WAIT_MS)) {
        zmtp_posix_close(*out);
        *out = NULL;
    }
    return z;
}

/* Long frames (300 B, 64 KiB, 4 MiB) in both directions. */
static void test_large_messages(void)
{
    zmtp_posix *s;
    void *z = pair_up(&s, ZMQ_DEALER, cfg_of(ZMTP_DEALER, NULL));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    static const size_t sizes[] = { 256, 300, 65536, 4u << 20 };
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t len = sizes[k];
        uint8_t *buf = malloc(len);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)(i * 31 + k);
        zmtp_iov f = { buf, len };
        CU_ASSERT_EQUAL(zmtp_posix_send(s, &f, 1), ZMTP_OK);
        zmtp_posix_flush(s, WAIT_MS);
        zmq_msg_t m;
        zmq_msg_init(&m);
        CU_ASSERT_EQUAL(zmq_msg_recv(&m, z, 0), (int)len);
        CU_ASSERT(zmq_msg_size(&m) == len && memcmp(zmq_msg_data(&m), buf, len) == 0);
        /* echo it back */
        CU_ASSERT_EQUAL(zmq_msg_send(&m, z, 0), (int)len);
        zmtp_msg got;
        CU_ASSERT_TRUE_FATAL(our_recv(s, &got));
        CU_ASSERT(got.nframes == 1 && got.frames[0].len == len &&
                  memcmp(got.frames[0].data, buf, len) == 0);
        zmtp_msg_free(&got);
        free(buf);
    }
    zmtp_posix_close(s);
    zmq_close(z);
}

/* 20000 messages each way, order checked. */
static void test_many_messages(void)
{
    enum { N = 20000 };
    zmtp_posix *s;
    void *z = pair_up(&s, ZMQ_PULL, cfg_of(ZMTP_PUSH, NULL));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    int sent_ok = 1, order_ok = 1;
    for (uint32_t i = 0; i < N; i++) {
        zmtp_iov f = { &i, sizeof i };
        sent_ok &= zmtp_posix_send(s, &f, 1) == ZMTP_OK;
        if (i % 1000 == 999)
            zmtp_posix_flush(s, WAIT_MS);
    }
    zmtp_posix_flush(s, WAIT_MS);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t v = ~0u;
        if (zmq_recv(z, &v, sizeof v, 0) != 4 || v != i) {
            order_ok = 0;
            break;
        }
    }
    CU_ASSERT_TRUE(sent_ok);
    CU_ASSERT_TRUE(order_ok);
    zmtp_posix_close(s);
    zmq_close(z);

    /* and the other way: libzmq PUSH to our PULL */
    z = pair_up(&s, ZMQ_PUSH, cfg_of(ZMTP_PULL, NULL));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (uint32_t i = 0; i < N; i++)
        zmq_send(z, &i, sizeof i, 0);
    order_ok = 1;
    for (uint32_t i = 0; i < N && order_ok; i++) {
        zmtp_msg m;
        if (!our_recv(s, &m)) {
            order_ok = 0;
            break;
        }
        uint32_t v;
        memcpy(&v, m.frames[0].data, 4);
        order_ok = m.nframes == 1 && m.frames[0].len == 4 && v == i;
        zmtp_msg_free(&m);
    }
    CU_ASSERT_TRUE(order_ok);
    zmtp_posix_close(s);
    zmq_close(z);
}

/* REQ/REP both ways: the delimiter frame is handled on each side. */
static void test_req_rep(void)
{
    zmtp_posix *s;
    void *rep = pair_up(&s, ZMQ_REP, cfg_of(ZMTP_REQ, NULL));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    zmtp_iov q = { "question", 8 };
    CU_ASSERT_EQUAL(zmtp_posix_send(s, &q, 1), ZMTP_OK);
    char buf[32];
    CU_ASSERT_EQUAL(zmq_recv(rep, buf, sizeof buf, 0), 8);
    CU_ASSERT_NSTRING_EQUAL(buf, "question", 8);
    zmq_send(rep, "answer", 6, 0);
    zmtp_msg m;
    CU_ASSERT_TRUE_FATAL(our_recv(s, &m));
    CU_ASSERT(m.nframes == 1 && m.frames[0].len == 6 && memcmp(m.frames[0].data, "answer", 6) == 0);
    zmtp_msg_free(&m);
    zmtp_posix_close(s);
    zmq_close(rep);

    void *req = pair_up(&s, ZMQ_REQ, cfg_of(ZMTP_REP, NULL));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (int round = 0; round < 3; round++) {
        zmq_send(req, "ping?", 5, 0);
        CU_ASSERT_TRUE_FATAL(our_recv(s, &m));
        CU_ASSERT(m.nframes == 1 && m.frames[0].len == 5);
        zmtp_msg_free(&m);
        zmtp_iov a = { "pong!", 5 };
        CU_ASSERT_EQUAL(zmtp_posix_send(s, &a, 1), ZMTP_OK);
        CU_ASSERT_EQUAL(zmq_recv(req, buf, sizeof buf, 0), 5);
        CU_ASSERT_NSTRING_EQUAL(buf, "pong!", 5);
    }
    zmtp_posix_close(s);
    zmq_close(req);
}

/* libzmq with ZMTP heartbeats: it PINGs us every 50 ms with a TTL and drops the
 * connection if we fail to answer within 200 ms; we must answer every PING with a
 * PONG, see its TTL, and the link must outlive many timeouts. Then we PING libzmq. */
static void test_heartbeats(void)
{
    void *z = zsock(ZMQ_DEALER);
    int ivl = 50, timeout = 200, ttl = 1000;
    zmq_setsockopt(z, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(z, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout);
    zmq_setsockopt(z, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl);
    uint16_t port = zbind(z);
    zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
    zmtp_posix *s = zmtp_posix_connect("127.0.0.1", port, &cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE_FATAL(zmtp_posix_wait_ready(s, NULL, WAIT_MS));

    int pings = 0, errors = 0;
    uint32_t ttl_seen = 0;
    for (int i = 0; i < 200 && pings < 15; i++) {   /* about 750 ms of heartbeats */
        zmtp_event ev;
        int r = zmtp_posix_next(s, &ev, 100);
        if (r < 0) {
            errors++;
            break;
        }
        if (r > 0 && ev.type == ZMTP_EV_PING) {
            pings++;
            ttl_seen = ev.ttl_ms;
        }
        if (r > 0 && ev.type == ZMTP_EV_ERROR)
            errors++;
        if (r > 0 && ev.type == ZMTP_EV_MESSAGE)
            zmtp_msg_free(&ev.msg);
    }
    CU_ASSERT(pings >= 10);
    CU_ASSERT_EQUAL(ttl_seen, 1000);
    CU_ASSERT_EQUAL(errors, 0);

    /* still the same connection: a message goes through */
    zmq_send(z, "alive", 5, 0);
    zmtp_msg m;
    CU_ASSERT_TRUE_FATAL(our_recv(s, &m));
    CU_ASSERT(m.frames[0].len == 5 && memcmp(m.frames[0].data, "alive", 5) == 0);
    zmtp_msg_free(&m);

    /* our PING, libzmq's PONG echoes the context */
    CU_ASSERT_EQUAL(zmtp_send_ping(zmtp_posix_conn(s), "ctx-42", 6), ZMTP_OK);
    int pong = 0;
    for (int i = 0; i < 50 && !pong; i++) {
        zmtp_event ev;
        int r = zmtp_posix_next(s, &ev, 100);
        if (r < 0)
            break;
        if (r > 0 && ev.type == ZMTP_EV_PONG)
            pong = ev.context_len == 6 && memcmp(ev.context, "ctx-42", 6) == 0;
        if (r > 0 && ev.type == ZMTP_EV_MESSAGE)
            zmtp_msg_free(&ev.msg);
    }
    CU_ASSERT_TRUE(pong);
    zmtp_posix_close(s);
    zmq_close(z);
}

/* Our side's heartbeats keep a libzmq peer informed; when libzmq goes away our timeout
 * (or the closed socket) ends the connection instead of a silent hang. */
static void test_our_heartbeat_detects_loss(void)
{
    void *z = zsock(ZMQ_DEALER);
    uint16_t port = zbind(z);
    zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
    cfg.heartbeat_ivl_ms = 50;
    cfg.heartbeat_ttl_ms = 500;
    cfg.heartbeat_timeout_ms = 300;
    zmtp_posix *s = zmtp_posix_connect("127.0.0.1", port, &cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE_FATAL(zmtp_posix_wait_ready(s, NULL, WAIT_MS));
    /* libzmq answers our PINGs: no timeout over 600 ms (twice the timeout) */
    int pongs = 0, ended = 0;
    for (int i = 0; i < 12; i++) {
        zmtp_event ev;
        int r = zmtp_posix_next(s, &ev, 50);
        if (r < 0 || (r > 0 && ev.type == ZMTP_EV_ERROR))
            ended = 1;
        if (r > 0 && ev.type == ZMTP_EV_PONG)
            pongs++;
    }
    CU_ASSERT_EQUAL(ended, 0);
    CU_ASSERT(pongs >= 3);
    zmq_close(z);          /* peer gone */
    ended = 0;
    for (int i = 0; i < 40 && !ended; i++) {
        zmtp_event ev;
        int r = zmtp_posix_next(s, &ev, 50);
        ended = r < 0 || (r > 0 && ev.type == ZMTP_EV_ERROR);
    }
    CU_ASSERT_TRUE(ended);
    zmtp_posix_close(s);
}

/* A peer that completes the handshake and then falls silent (a raw socket here, since
 * libzmq always answers) is detected by our heartbeat timeout, not waited on forever. */
static void test_silent_peer_times_out(void)
{
    uint16_t port = 0;
    int lfd = zmtp_posix_listen("127.0.0.1", 0, &port);
    CU_ASSERT_FATAL(lfd >= 0);
    zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
    cfg.heartbeat_ivl_ms = 50;
    cfg.heartbeat_timeout_ms = 300;
    zmtp_posix *s = zmtp_posix_connect("127.0.0.1", port, &cfg);
    int raw = accept(lfd, NULL, NULL);
    close(lfd);
    CU_ASSERT_FATAL(s != NULL && raw >= 0);
    static const uint8_t hello[] = {
        0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1, 'N', 'U', 'L', 'L', 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x04, 28, 5, 'R', 'E', 'A', 'D', 'Y',
        11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 6,
        'R', 'O', 'U', 'T', 'E', 'R',
    };
    CU_ASSERT_EQUAL(write(raw, hello, sizeof hello), (ssize_t)sizeof hello);
    CU_ASSERT_TRUE(zmtp_posix_wait_ready(s, NULL, WAIT_MS));
    zmtp_error err = ZMTP_OK;
    for (int i = 0; i < 40 && err == ZMTP_OK; i++) {   /* at most 2 s */
        zmtp_event ev;
        int r = zmtp_posix_next(s, &ev, 50);
        if (r > 0 && ev.type == ZMTP_EV_ERROR)
            err = ev.err;
        if (r < 0)
            break;
    }
    CU_ASSERT_EQUAL(err, ZMTP_E_TIMEOUT);
    zmtp_posix_close(s);
    close(raw);
}

/* A libzmq message over our max_msg_size ends the connection with ZMTP_E_TOO_BIG;
 * smaller ones before it arrive intact. */
static void test_oversized_from_libzmq(void)
{
    zmtp_posix *s;
    zmtp_config cfg = cfg_of(ZMTP_PULL, NULL);
    cfg.max_msg_size = 1000;
    void *push = pair_up(&s, ZMQ_PUSH, cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    static char blob[2000];
    zmq_send(push, blob, 1000, 0);
    zmq_send(push, blob, 2000, 0);
    zmtp_msg m;
    CU_ASSERT_TRUE_FATAL(our_recv(s, &m));
    CU_ASSERT_EQUAL(m.frames[0].len, 1000);
    zmtp_msg_free(&m);
    zmtp_event ev;
    int r = zmtp_posix_next(s, &ev, WAIT_MS);
    CU_ASSERT_EQUAL(r, 1);
    CU_ASSERT(r == 1 && ev.type == ZMTP_EV_ERROR && ev.err == ZMTP_E_TOO_BIG);
    CU_ASSERT_EQUAL(zmtp_posix_next(s, &ev, 100), -1);   /* nothing after the end */
    zmtp_posix_close(s);
    zmq_close(push);
}

/* A libzmq PUSH connecting to our DEALER is refused with an ERROR. */
static void test_incompatible_libzmq_peer(void)
{
    uint16_t port = 0;
    int lfd = zmtp_posix_listen("127.0.0.1", 0, &port);
    CU_ASSERT_FATAL(lfd >= 0);
    void *push = zsock(ZMQ_PUSH);
    zconnect(push, port);
    zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
    zmtp_posix *s = zmtp_posix_accept(lfd, &cfg, WAIT_MS);
    close(lfd);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    zmtp_event ev;
    CU_ASSERT_FALSE(zmtp_posix_wait_ready(s, &ev, WAIT_MS));
    CU_ASSERT_EQUAL(ev.type, ZMTP_EV_ERROR);
    CU_ASSERT_EQUAL(ev.err, ZMTP_E_SOCKET_TYPE);
    zmtp_posix_close(s);
    zmq_close(push);
}

static int suite_init(void)
{
    zctx = zmq_ctx_new();
    return zctx ? 0 : 1;
}

static int suite_clean(void)
{
    zmq_ctx_term(zctx);
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("zmtp_interop_libzmq", suite_init, suite_clean);
    CU_add_test(s, "our DEALER -> libzmq ROUTER", test_our_dealer_libzmq_router);
    CU_add_test(s, "libzmq DEALER -> our ROUTER", test_libzmq_dealer_our_router);
    CU_add_test(s, "IPv6 loopback", test_ipv6_loopback);
    CU_add_test(s, "large messages both ways", test_large_messages);
    CU_add_test(s, "20000 messages each way", test_many_messages);
    CU_add_test(s, "REQ/REP both ways", test_req_rep);
    CU_add_test(s, "libzmq heartbeats: PING/PONG", test_heartbeats);
    CU_add_test(s, "our heartbeats detect a lost peer", test_our_heartbeat_detects_loss);
    CU_add_test(s, "silent peer times out", test_silent_peer_times_out);
    CU_add_test(s, "oversized libzmq message refused", test_oversized_from_libzmq);
    CU_add_test(s, "incompatible libzmq peer refused", test_incompatible_libzmq_peer);
    return cunit_run_all("build/tests/zmtp/zmtp_interop_test");
}
