/* CUnit tests of the sans-I/O ZMTP connection (netchan/zmtp/zmtp.h) with no sockets:
 * two connections wired back to back, and hand-made peer bytes for every kind of bad
 * input (garbage, old versions, other mechanisms, malformed frames and commands, size
 * limits, truncation at every offset). */
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "netchan/zmtp/zmtp.h"
#include "tests/cunit_main.h"

/* ---- helpers ---- */

#define LOG_MAX 4096
typedef struct {
    zmtp_event ev[LOG_MAX];
    int n;
} evlog;

static void log_free(evlog *l)
{
    for (int i = 0; i < l->n; i++)
        if (l->ev[i].type == ZMTP_EV_MESSAGE)
            zmtp_msg_free(&l->ev[i].msg);
    l->n = 0;
}

static void drain(zmtp_conn *c, evlog *l)
{
    zmtp_event ev;
    while (zmtp_next_event(c, &ev)) {
        if (l->n < LOG_MAX)
            l->ev[l->n++] = ev;
        else if (ev.type == ZMTP_EV_MESSAGE)
            zmtp_msg_free(&ev.msg);
    }
}

/* Feeds all of data (chunk bytes at a time), draining events as needed. */
static void feed_all(zmtp_conn *c, const uint8_t *data, size_t n, size_t chunk, evlog *l)
{
    size_t off = 0;
    while (off < n) {
        size_t k = n - off < chunk ? n - off : chunk;
        size_t used = zmtp_feed(c, data + off, k);
        off += used;
        drain(c, l);
        if (used == 0 && zmtp_is_closed(c))
            break;
    }
    drain(c, l);
}

/* Moves output from one connection into the other until neither has anything to say. */
static void pump_chunked(zmtp_conn *a, evlog *la, zmtp_conn *b, evlog *lb, size_t chunk)
{
    for (int round = 0; round < 1000; round++) {
        const uint8_t *p;
        size_t n, moved = 0;
        zmtp_output(a, &p, &n);
        if (n) {
            uint8_t *copy = malloc(n);
            memcpy(copy, p, n);
            zmtp_consumed(a, n);
            feed_all(b, copy, n, chunk, lb);
            free(copy);
            moved += n;
        }
        zmtp_output(b, &p, &n);
        if (n) {
            uint8_t *copy = malloc(n);
            memcpy(copy, p, n);
            zmtp_consumed(b, n);
            feed_all(a, copy, n, chunk, la);
            free(copy);
            moved += n;
        }
        if (!moved)
            return;
    }
}

static void pump(zmtp_conn *a, evlog *la, zmtp_conn *b, evlog *lb)
{
    pump_chunked(a, la, b, lb, 1 << 20);
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

static int count_type(const evlog *l, zmtp_event_type t)
{
    int n = 0;
    for (int i = 0; i < l->n; i++)
        n += l->ev[i].type == t;
    return n;
}

static const zmtp_event *find_type(const evlog *l, zmtp_event_type t)
{
    for (int i = 0; i < l->n; i++)
        if (l->ev[i].type == t)
            return &l->ev[i];
    return NULL;
}

static evlog la, lb;   /* static: too big for the stack */

/* ---- hand-made peer bytes ---- */

typedef struct {
    uint8_t b[1 << 16];
    size_t n;
} bytes;

static void put(bytes *o, const void *p, size_t n)
{
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put_greeting(bytes *o, uint8_t major, uint8_t minor, const char *mech)
{
    uint8_t g[64] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, major, minor };
    memcpy(g + 12, mech, strlen(mech));
    put(o, g, 64);
}

static void put_frame(bytes *o, uint8_t flags, const void *body, size_t len)
{
    uint8_t h[9];
    if (len > 255 || (flags & 0x02)) {
        h[0] = flags | 0x02;
        for (int i = 0; i < 8; i++)
            h[1 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
        put(o, h, 9);
    } else {
        h[0] = flags;
        h[1] = (uint8_t)len;
        put(o, h, 2);
    }
    put(o, body, len);
}

/* READY body with the given Socket-Type (NULL: none). */
static void put_ready(bytes *o, const char *type)
{
    uint8_t body[300];
    size_t n = 0;
    body[n++] = 5;
    memcpy(body + n, "READY", 5); n += 5;
    if (type) {
        body[n++] = 11;
        memcpy(body + n, "Socket-Type", 11); n += 11;
        size_t tl = strlen(type);
        body[n++] = 0; body[n++] = 0; body[n++] = 0; body[n++] = (uint8_t)tl;
        memcpy(body + n, type, tl); n += tl;
    }
    put_frame(o, 0x04, body, n);
}

static zmtp_error first_error(const evlog *l)
{
    const zmtp_event *e = find_type(l, ZMTP_EV_ERROR);
    return e ? e->err : ZMTP_OK;
}

/* Feeds raw peer bytes into a fresh DEALER and returns the error it reported. */
static zmtp_error feed_raw(const bytes *in, size_t chunk)
{
    zmtp_config cfg = cfg_of(ZMTP_DEALER, "me");
    zmtp_conn *c = zmtp_conn_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    log_free(&la);
    feed_all(c, in->b, in->n, chunk, &la);
    zmtp_error e = first_error(&la);
    log_free(&la);
    zmtp_conn_free(c);
    return e;
}

/* ---- tests: two connections ---- */

static void test_handshake_dealer_router(void)
{
    zmtp_config ca = cfg_of(ZMTP_DEALER, "alice"), cb = cfg_of(ZMTP_ROUTER, "bob");
    cb.as_server = true;
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_FALSE(zmtp_is_ready(a));
    pump(a, &la, b, &lb);
    CU_ASSERT_TRUE(zmtp_is_ready(a));
    CU_ASSERT_TRUE(zmtp_is_ready(b));
    const zmtp_event *ra = find_type(&la, ZMTP_EV_READY), *rb = find_type(&lb, ZMTP_EV_READY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
    CU_ASSERT_EQUAL(ra->peer_type, ZMTP_ROUTER);
    CU_ASSERT_EQUAL(rb->peer_type, ZMTP_DEALER);
    CU_ASSERT_EQUAL(rb->identity_len, 5);
    CU_ASSERT_NSTRING_EQUAL(rb->identity, "alice", 5);
    CU_ASSERT_NSTRING_EQUAL(ra->identity, "bob", 3);
    CU_ASSERT_EQUAL(ra->peer_minor, 1);
    const zmtp_event *ga = find_type(&la, ZMTP_EV_GREETING), *gb = find_type(&lb, ZMTP_EV_GREETING);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ga);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gb);
    CU_ASSERT_TRUE(ga->peer_as_server);      /* b said it is the server */
    CU_ASSERT_FALSE(gb->peer_as_server);
    CU_ASSERT_EQUAL(count_type(&la, ZMTP_EV_ERROR) + count_type(&lb, ZMTP_EV_ERROR), 0);
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

/* Sends a three-part message with short, empty and long frames from a to b, with the
 * bytes delivered chunk at a time. */
static void check_multipart(size_t chunk)
{
    zmtp_config ca = cfg_of(ZMTP_DEALER, NULL), cb = cfg_of(ZMTP_ROUTER, NULL);
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    static uint8_t big[70000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    zmtp_iov parts[] = { { "head", 4 }, { "", 0 }, { big, 300 }, { big, sizeof big } };
    CU_ASSERT_EQUAL(zmtp_send(a, parts, 4), ZMTP_OK);   /* held until the handshake */
    pump_chunked(a, &la, b, &lb, chunk);
    CU_ASSERT_EQUAL_FATAL(count_type(&lb, ZMTP_EV_MESSAGE), 1);
    const zmtp_msg *m = &find_type(&lb, ZMTP_EV_MESSAGE)->msg;
    CU_ASSERT_EQUAL_FATAL(m->nframes, 4);
    CU_ASSERT_EQUAL(m->frames[0].len, 4);
    CU_ASSERT_NSTRING_EQUAL(m->frames[0].data, "head", 4);
    CU_ASSERT_EQUAL(m->frames[1].len, 0);
    CU_ASSERT_EQUAL(m->frames[2].len, 300);
    CU_ASSERT_EQUAL(memcmp(m->frames[2].data, big, 300), 0);
    CU_ASSERT_EQUAL(m->frames[3].len, sizeof big);
    CU_ASSERT_EQUAL(memcmp(m->frames[3].data, big, sizeof big), 0);
    /* greeting, then READY, then the held message */
    CU_ASSERT_EQUAL(lb.ev[0].type, ZMTP_EV_GREETING);
    CU_ASSERT_EQUAL(lb.ev[1].type, ZMTP_EV_READY);
    CU_ASSERT_EQUAL(lb.ev[2].type, ZMTP_EV_MESSAGE);
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

static void test_multipart_long_frames(void) { check_multipart(1 << 20); }
static void test_multipart_byte_at_a_time(void) { check_multipart(1); }
static void test_multipart_odd_chunks(void) { check_multipart(7); }

static void test_many_messages_one_feed(void)
{
    zmtp_config ca = cfg_of(ZMTP_PUSH, NULL), cb = cfg_of(ZMTP_PULL, NULL);
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    pump(a, &la, b, &lb);
    log_free(&lb);
    for (uint32_t i = 0; i < 3000; i++) {
        zmtp_iov f = { &i, sizeof i };
        CU_ASSERT_EQUAL_FATAL(zmtp_send(a, &f, 1), ZMTP_OK);
    }
    const uint8_t *p;
    size_t n;
    zmtp_output(a, &p, &n);
    /* one feed cannot take it all: the event ring pushes back */
    size_t used = zmtp_feed(b, p, n);
    CU_ASSERT(used > 0 && used < n);
    drain(b, &lb);
    feed_all(b, p + used, n - used, n, &lb);
    zmtp_consumed(a, n);
    CU_ASSERT_EQUAL_FATAL(count_type(&lb, ZMTP_EV_MESSAGE), 3000);
    int in_order = 1;
    for (int i = 0; i < lb.n; i++) {
        uint32_t v;
        memcpy(&v, lb.ev[i].msg.frames[0].data, 4);
        in_order &= v == (uint32_t)i;
    }
    CU_ASSERT_TRUE(in_order);
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

static void test_req_rep_envelope(void)
{
    zmtp_config ca = cfg_of(ZMTP_REQ, NULL), cb = cfg_of(ZMTP_REP, NULL);
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    zmtp_iov hi = { "hi", 2 }, yo = { "yo", 2 };
    CU_ASSERT_EQUAL(zmtp_send(b, &yo, 1), ZMTP_E_NOT_READY);   /* REP: nothing to answer */
    CU_ASSERT_EQUAL(zmtp_send(a, &hi, 1), ZMTP_OK);
    pump(a, &la, b, &lb);
    const zmtp_event *e = find_type(&lb, ZMTP_EV_MESSAGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->msg.nframes, 1);      /* delimiter stripped */
    CU_ASSERT_NSTRING_EQUAL(e->msg.frames[0].data, "hi", 2);
    CU_ASSERT_EQUAL(zmtp_send(b, &yo, 1), ZMTP_OK);
    pump(a, &la, b, &lb);
    e = find_type(&la, ZMTP_EV_MESSAGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->msg.nframes, 1);
    CU_ASSERT_NSTRING_EQUAL(e->msg.frames[0].data, "yo", 2);
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

static void test_ping_pong(void)
{
    zmtp_config ca = cfg_of(ZMTP_DEALER, NULL), cb = cfg_of(ZMTP_DEALER, NULL);
    ca.heartbeat_ttl_ms = 2500;
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    CU_ASSERT_EQUAL(zmtp_send_ping(a, "x", 1), ZMTP_E_NOT_READY);
    pump(a, &la, b, &lb);
    CU_ASSERT_EQUAL(zmtp_send_ping(a, "0123456789abcdefg", 17), ZMTP_E_ARG);
    CU_ASSERT_EQUAL(zmtp_send_ping(a, "ctx!", 4), ZMTP_OK);
    pump(a, &la, b, &lb);
    const zmtp_event *pi = find_type(&lb, ZMTP_EV_PING), *po = find_type(&la, ZMTP_EV_PONG);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pi);
    CU_ASSERT_PTR_NOT_NULL_FATAL(po);
    CU_ASSERT_EQUAL(pi->ttl_ms, 2500);
    CU_ASSERT_EQUAL(pi->context_len, 4);
    CU_ASSERT_EQUAL(po->context_len, 4);
    CU_ASSERT_NSTRING_EQUAL(po->context, "ctx!", 4);
    CU_ASSERT_TRUE(zmtp_is_ready(a) && zmtp_is_ready(b));
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

static void test_heartbeat_and_timeout(void)
{
    zmtp_config ca = cfg_of(ZMTP_DEALER, NULL), cb = cfg_of(ZMTP_DEALER, NULL);
    ca.heartbeat_ivl_ms = 100;
    ca.heartbeat_timeout_ms = 350;
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    zmtp_tick(a, 1000);
    pump(a, &la, b, &lb);
    CU_ASSERT_EQUAL(zmtp_tick(a, 1000), 100);   /* next PING due in 100 ms */
    CU_ASSERT_EQUAL(zmtp_tick(a, 1100), 100);   /* sent PING */
    pump(a, &la, b, &lb);                      /* b answers: a hears from it */
    CU_ASSERT_EQUAL(count_type(&lb, ZMTP_EV_PING), 1);
    CU_ASSERT_EQUAL(count_type(&la, ZMTP_EV_PONG), 1);
    zmtp_tick(a, 1200);                        /* PONG seen at 1200 */
    zmtp_tick(a, 1300);
    zmtp_tick(a, 1400);                        /* b now silent (not pumped) */
    CU_ASSERT_FALSE(zmtp_is_closed(a));
    zmtp_tick(a, 1560);
    drain(a, &la);
    CU_ASSERT_TRUE(zmtp_is_closed(a));
    CU_ASSERT_EQUAL(first_error(&la), ZMTP_E_TIMEOUT);
    CU_ASSERT_EQUAL(zmtp_tick(a, 2000), UINT32_MAX);
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

/* With no timeout of our own, the TTL the peer announced in its PING applies. */
static void test_peer_ttl_timeout(void)
{
    zmtp_config ca = cfg_of(ZMTP_DEALER, NULL), cb = cfg_of(ZMTP_DEALER, NULL);
    cb.heartbeat_ttl_ms = 1000;
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    zmtp_tick(a, 0);
    pump(a, &la, b, &lb);
    CU_ASSERT_EQUAL(zmtp_tick(a, 0), UINT32_MAX);   /* nothing to time out yet */
    CU_ASSERT_EQUAL(zmtp_send_ping(b, NULL, 0), ZMTP_OK);
    pump(a, &la, b, &lb);
    CU_ASSERT_EQUAL(zmtp_tick(a, 100), 1000);       /* TTL counts from the PING */
    zmtp_tick(a, 1050);
    CU_ASSERT_FALSE(zmtp_is_closed(a));
    zmtp_tick(a, 1100);
    drain(a, &la);
    CU_ASSERT_EQUAL(first_error(&la), ZMTP_E_TIMEOUT);
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

static void test_incompatible_types(void)
{
    zmtp_config ca = cfg_of(ZMTP_PUSH, NULL), cb = cfg_of(ZMTP_DEALER, NULL);
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    pump(a, &la, b, &lb);
    CU_ASSERT_EQUAL(first_error(&la), ZMTP_E_SOCKET_TYPE);
    CU_ASSERT(first_error(&lb) == ZMTP_E_SOCKET_TYPE || first_error(&lb) == ZMTP_E_PEER_ERROR);
    CU_ASSERT_FALSE(zmtp_is_ready(a));
    zmtp_iov f = { "x", 1 };
    CU_ASSERT_EQUAL(zmtp_send(a, &f, 1), ZMTP_E_CLOSED);
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

static void test_send_error_reaches_peer(void)
{
    zmtp_config ca = cfg_of(ZMTP_DEALER, NULL), cb = cfg_of(ZMTP_DEALER, NULL);
    zmtp_conn *a = zmtp_conn_new(&ca), *b = zmtp_conn_new(&cb);
    pump(a, &la, b, &lb);
    zmtp_send_error(a, "going away\n");
    CU_ASSERT_TRUE(zmtp_is_closed(a));
    pump(a, &la, b, &lb);
    const zmtp_event *e = find_type(&lb, ZMTP_EV_ERROR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->err, ZMTP_E_PEER_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->reason, "going away?"));   /* control char masked */
    log_free(&la); log_free(&lb);
    zmtp_conn_free(a); zmtp_conn_free(b);
}

static void test_output_backlog(void)
{
    zmtp_config ca = cfg_of(ZMTP_DEALER, NULL);
    ca.max_output = 1000;
    zmtp_conn *a = zmtp_conn_new(&ca);
    static uint8_t blob[600];
    zmtp_iov f = { blob, sizeof blob };
    CU_ASSERT_EQUAL(zmtp_send(a, &f, 1), ZMTP_OK);
    CU_ASSERT_EQUAL(zmtp_send(a, &f, 1), ZMTP_E_BACKLOG);
    CU_ASSERT_EQUAL(zmtp_send(a, NULL, 1), ZMTP_E_ARG);
    CU_ASSERT_EQUAL(zmtp_send(a, &f, 0), ZMTP_E_ARG);
    zmtp_conn_free(a);
    zmtp_config bad = cfg_of(ZMTP_SOCKET_TYPE_COUNT, NULL);
    CU_ASSERT_PTR_NULL(zmtp_conn_new(&bad));
    CU_ASSERT_PTR_NULL(zmtp_conn_new(NULL));
}

/* ---- tests: bad input ---- */

static void test_garbage_greeting(void)
{
    bytes in = { .n = 0 };
    put(&in, "GET / HTTP/1.1\r\n\r\n", 18);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_SIGNATURE);
    in.n = 0;
    uint8_t sig[10] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7E };   /* low bit clear */
    put(&in, sig, 10);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_SIGNATURE);
}

static void test_old_version(void)
{
    bytes in = { .n = 0 };
    put_greeting(&in, 2, 0, "NULL");
    CU_ASSERT_EQUAL(feed_raw(&in, 3), ZMTP_E_VERSION);
}

static void test_other_mechanism(void)
{
    bytes in = { .n = 0 };
    put_greeting(&in, 3, 1, "PLAIN");
    zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
    zmtp_conn *c = zmtp_conn_new(&cfg);
    feed_all(c, in.b, in.n, 64, &la);
    CU_ASSERT_EQUAL(first_error(&la), ZMTP_E_MECHANISM);
    const uint8_t *p;
    size_t n;
    zmtp_output(c, &p, &n);
    CU_ASSERT(n > 64 && p[64] == 0x04 && memcmp(p + 67, "ERROR", 5) == 0);
    log_free(&la);
    zmtp_conn_free(c);
}

static void test_zmtp30_peer(void)
{
    bytes in = { .n = 0 };
    put_greeting(&in, 3, 0, "NULL");
    put_ready(&in, "ROUTER");
    zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
    zmtp_conn *c = zmtp_conn_new(&cfg);
    feed_all(c, in.b, in.n, 5, &la);
    const zmtp_event *r = find_type(&la, ZMTP_EV_READY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->peer_minor, 0);
    CU_ASSERT_EQUAL(zmtp_send_ping(c, NULL, 0), ZMTP_E_NOT_READY);  /* 3.0 has no PING */
    log_free(&la);
    zmtp_conn_free(c);
}

static void test_bad_frames(void)
{
    bytes in = { .n = 0 };
    put_greeting(&in, 3, 1, "NULL");
    put_ready(&in, "DEALER");
    size_t base = in.n;

    uint8_t reserved[2] = { 0x80, 0 };
    put(&in, reserved, 2);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_FRAME);

    in.n = base;     /* 2^62-byte frame: refused before any allocation */
    uint8_t huge[9] = { 0x02, 0x40, 0, 0, 0, 0, 0, 0, 0 };
    put(&in, huge, 9);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_TOO_BIG);

    in.n = base;     /* command with MORE */
    put_frame(&in, 0x05, "\4PING\0\1", 7);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_FRAME);

    in.n = base;     /* empty command */
    put_frame(&in, 0x04, "", 0);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_COMMAND);

    in.n = base;     /* command name longer than its frame */
    put_frame(&in, 0x04, "\x09PING", 5);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_COMMAND);

    in.n = base;     /* PING without TTL; PING with a 17-byte context */
    put_frame(&in, 0x04, "\4PING\1", 6);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_COMMAND);
    in.n = base;
    put_frame(&in, 0x04, "\4PING\0\1" "0123456789abcdefg", 24);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_COMMAND);

    in.n = base;     /* second READY */
    put_ready(&in, "DEALER");
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_UNEXPECTED);

    in.n = base;     /* unknown commands are ignored; a good message still arrives */
    put_frame(&in, 0x04, "\5HELLOxyz", 9);
    put_frame(&in, 0x00, "ok", 2);
    zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
    zmtp_conn *c = zmtp_conn_new(&cfg);
    feed_all(c, in.b, in.n, 1000, &la);
    CU_ASSERT_EQUAL(count_type(&la, ZMTP_EV_MESSAGE), 1);
    CU_ASSERT_EQUAL(count_type(&la, ZMTP_EV_ERROR), 0);
    log_free(&la);
    zmtp_conn_free(c);
}

static void test_bad_handshake(void)
{
    bytes in = { .n = 0 };
    put_greeting(&in, 3, 1, "NULL");
    size_t base = in.n;

    put_frame(&in, 0x00, "early", 5);                   /* message before READY */
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_UNEXPECTED);

    in.n = base;
    put_frame(&in, 0x04, "\4PING\0\0", 7);              /* not READY */
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_UNEXPECTED);

    in.n = base;
    put_ready(&in, NULL);                               /* no Socket-Type */
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_SOCKET_TYPE);

    in.n = base;
    put_ready(&in, "TOASTER");
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_SOCKET_TYPE);

    in.n = base;
    put_ready(&in, "PULL");                             /* DEALER cannot talk to PULL */
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_SOCKET_TYPE);

    in.n = base;                                        /* value size past the end */
    put_frame(&in, 0x04, "\5READY\x0bSocket-Type\0\0\1\0DEALER", 27);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_COMMAND);

    in.n = base;                                        /* truncated value size */
    put_frame(&in, 0x04, "\5READY\x0bSocket-Type\0\0", 20);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_COMMAND);

    in.n = base;                                        /* zero-length property name */
    put_frame(&in, 0x04, "\5READY\0", 7);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_COMMAND);

    in.n = base;                                        /* peer ERROR during handshake */
    put_frame(&in, 0x04, "\5ERROR\4nope", 11);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_PEER_ERROR);

    in.n = base;                                        /* malformed ERROR */
    put_frame(&in, 0x04, "\5ERROR\x40nope", 11);
    CU_ASSERT_EQUAL(feed_raw(&in, 1000), ZMTP_E_PEER_ERROR);
}

static void test_size_limits(void)
{
    bytes in = { .n = 0 };
    put_greeting(&in, 3, 1, "NULL");
    put_ready(&in, "DEALER");
    static uint8_t blob[2000];
    put_frame(&in, 0x01, blob, 600);
    put_frame(&in, 0x00, blob, 600);                    /* 1200 bytes in all */
    zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
    cfg.max_msg_size = 1000;
    zmtp_conn *c = zmtp_conn_new(&cfg);
    feed_all(c, in.b, in.n, 100, &la);
    CU_ASSERT_EQUAL(first_error(&la), ZMTP_E_TOO_BIG);
    CU_ASSERT_EQUAL(count_type(&la, ZMTP_EV_MESSAGE), 0);
    log_free(&la);
    zmtp_conn_free(c);

    in.n = 0;
    put_greeting(&in, 3, 1, "NULL");
    put_ready(&in, "DEALER");
    for (int i = 0; i < 5; i++)
        put_frame(&in, 0x01, "x", 1);
    cfg.max_frames = 4;
    c = zmtp_conn_new(&cfg);
    feed_all(c, in.b, in.n, 100, &la);
    CU_ASSERT_EQUAL(first_error(&la), ZMTP_E_TOO_BIG);
    log_free(&la);
    zmtp_conn_free(c);
}

/* A valid session cut at every length: no crash, no error, no message from a partial
 * frame, exactly one message once the whole stream is there. */
static void test_truncation_everywhere(void)
{
    bytes in = { .n = 0 };
    put_greeting(&in, 3, 1, "NULL");
    put_ready(&in, "ROUTER");
    put_frame(&in, 0x04, "\4PING\0\5ab", 9);
    static uint8_t blob[400];
    put_frame(&in, 0x01, "id", 2);
    put_frame(&in, 0x00, blob, sizeof blob);
    int bad = 0;
    for (size_t cut = 0; cut <= in.n; cut++) {
        zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
        zmtp_conn *c = zmtp_conn_new(&cfg);
        feed_all(c, in.b, cut, 13, &la);
        int msgs = count_type(&la, ZMTP_EV_MESSAGE);
        if (count_type(&la, ZMTP_EV_ERROR) || msgs != (cut == in.n))
            bad++;
        log_free(&la);
        zmtp_conn_free(c);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* Random bytes after a good handshake, and random mutations of a good stream. */
static void test_random_garbage(void)
{
    srand(12345);
    bytes good = { .n = 0 };
    put_greeting(&good, 3, 1, "NULL");
    put_ready(&good, "DEALER");
    size_t base = good.n;
    put_frame(&good, 0x01, "abc", 3);
    put_frame(&good, 0x04, "\4PING\0\1", 7);
    put_frame(&good, 0x00, "def", 3);
    int survived = 0;
    for (int iter = 0; iter < 2000; iter++) {
        bytes in = good;
        if (iter % 2) {
            in.n = base;
            size_t extra = (size_t)(rand() % 200);
            for (size_t i = 0; i < extra; i++)
                in.b[in.n++] = (uint8_t)rand();
        } else {
            for (int k = 0; k < 1 + rand() % 4; k++)
                in.b[rand() % in.n] ^= (uint8_t)(1 + rand() % 255);
        }
        zmtp_config cfg = cfg_of(ZMTP_DEALER, NULL);
        cfg.max_msg_size = 1 << 16;
        zmtp_conn *c = zmtp_conn_new(&cfg);
        feed_all(c, in.b, in.n, (size_t)(1 + rand() % 64), &la);
        log_free(&la);
        zmtp_conn_free(c);
        survived++;
    }
    CU_ASSERT_EQUAL(survived, 2000);
}

static void test_names(void)
{
    zmtp_socket_type t;
    CU_ASSERT_TRUE(zmtp_socket_type_parse((const uint8_t *)"ROUTER", 6, &t));
    CU_ASSERT_EQUAL(t, ZMTP_ROUTER);
    CU_ASSERT_FALSE(zmtp_socket_type_parse((const uint8_t *)"router", 6, &t));
    CU_ASSERT_STRING_EQUAL(zmtp_socket_type_name(ZMTP_PULL), "PULL");
    CU_ASSERT_TRUE(zmtp_socket_types_compatible(ZMTP_REQ, ZMTP_ROUTER));
    CU_ASSERT_FALSE(zmtp_socket_types_compatible(ZMTP_REQ, ZMTP_REQ));
    CU_ASSERT_FALSE(zmtp_socket_types_compatible(ZMTP_PUSH, 99));
    CU_ASSERT_STRING_EQUAL(zmtp_strerror(ZMTP_E_TIMEOUT), "heartbeat timeout: peer silent");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("zmtp_conn", NULL, NULL);
    CU_add_test(s, "handshake DEALER/ROUTER", test_handshake_dealer_router);
    CU_add_test(s, "multipart, long frames", test_multipart_long_frames);
    CU_add_test(s, "multipart, byte at a time", test_multipart_byte_at_a_time);
    CU_add_test(s, "multipart, 7-byte chunks", test_multipart_odd_chunks);
    CU_add_test(s, "3000 messages in one feed", test_many_messages_one_feed);
    CU_add_test(s, "REQ/REP envelope", test_req_rep_envelope);
    CU_add_test(s, "PING/PONG", test_ping_pong);
    CU_add_test(s, "heartbeat and timeout", test_heartbeat_and_timeout);
    CU_add_test(s, "peer TTL timeout", test_peer_ttl_timeout);
    CU_add_test(s, "incompatible socket types", test_incompatible_types);
    CU_add_test(s, "ERROR reaches the peer", test_send_error_reaches_peer);
    CU_add_test(s, "output backlog and bad args", test_output_backlog);
    CU_add_test(s, "names", test_names);
    CU_pSuite b = CU_add_suite("zmtp_bad_input", NULL, NULL);
    CU_add_test(b, "garbage greeting", test_garbage_greeting);
    CU_add_test(b, "ZMTP 2.0 peer", test_old_version);
    CU_add_test(b, "PLAIN mechanism", test_other_mechanism);
    CU_add_test(b, "ZMTP 3.0 peer accepted", test_zmtp30_peer);
    CU_add_test(b, "bad frames", test_bad_frames);
    CU_add_test(b, "bad handshake", test_bad_handshake);
    CU_add_test(b, "size limits", test_size_limits);
    CU_add_test(b, "truncation at every offset", test_truncation_everywhere);
    CU_add_test(b, "random garbage", test_random_garbage);
    return cunit_run_all("build/tests/zmtp/zmtp_conn_test");
}
