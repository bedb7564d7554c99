/* Channels: ownership moves, FIFO, close, endpoint passing, select, binding, contracts. */
#include <string.h>
#include "tests/core/fixture.h"

#define TAG_PING 0
#define TAG_PONG 1

static int32_t send_ping(sip *s, int32_t ep, uint32_t n, int32_t blk)
{
    return sys_send(s, ep, TAG_PING, &n, 4, &blk, 1, false);
}

/* Two SIPs joined by a Ping channel: a holds imp, b holds exp. */
static void pair(sip **a, sip **b, int32_t *ia, int32_t *eb)
{
    *a = fx_sip("a");
    *b = fx_sip("b");
    endpoint *imp, *exp;
    CU_ASSERT_EQUAL_FATAL(chan_create(K, kernel_find_contract(K, "Ping", 4), &imp, &exp), 0);
    CU_ASSERT_EQUAL(sip_wire(*a, "out", imp), 0);
    CU_ASSERT_EQUAL(sip_wire(*b, "in", exp), 0);
    *ia = sys_bind(*a, "out", 3);
    *eb = sys_bind(*b, "in", 2);
    CU_ASSERT(*ia > 0 && *eb > 0);
}

static void test_send_moves_block(void)
{
    sip *a, *b;
    int32_t ia, eb;
    pair(&a, &b, &ia, &eb);
    int32_t blk = sys_block_alloc(a, 64);
    sys_block_write(a, blk, 0, "payload", 7);
    uint32_t sz;
    uint8_t *where = sys_block_data(a, blk, &sz);
    CU_ASSERT_EQUAL(send_ping(a, ia, 7, blk), 0);
    /* the sender's handle is dead: using it faults */
    CU_ASSERT_EQUAL(sys_block_size(a, blk), SIP_EBADHANDLE);
    CU_ASSERT(a->fault[0] != 0);
    a->fault[0] = 0;
    CU_ASSERT_EQUAL(a->ht.bytes, 0);
    FX_CHECK();                                       /* the message owns it now */
    uint32_t tag = 99, n = 0;
    int32_t h[4];
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 4, h, 4, NULL, false), 4);
    CU_ASSERT_EQUAL(tag, TAG_PING);
    CU_ASSERT_EQUAL(n, 7);
    CU_ASSERT_EQUAL(b->ht.bytes, 64);
    uint8_t *there = sys_block_data(b, h[0], &sz);
    CU_ASSERT_PTR_EQUAL(where, there);                /* moved, not copied */
    CU_ASSERT_EQUAL(memcmp(there, "payload", 7), 0);
    FX_CHECK();
}

static void test_fifo_and_wouldblock(void)
{
    sip *a = fx_sip("a");
    int32_t imp, exp;
    CU_ASSERT_EQUAL(sys_chan_create(a, "Stream", 6, &imp, &exp), 0);
    uint32_t tag;
    uint64_t v;
    int32_t h[1];
    CU_ASSERT_EQUAL(sys_recv(a, exp, &tag, &v, 8, h, 1, NULL, false), SIP_EAGAIN);
    CU_ASSERT_FALSE(a->waiting);
    CU_ASSERT_EQUAL(sys_recv(a, exp, &tag, &v, 8, h, 1, NULL, true), SIP_EAGAIN);
    CU_ASSERT_TRUE(a->waiting);
    for (uint64_t i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(sys_send(a, imp, 0, &i, 8, NULL, 0, false), 0);
    for (uint64_t i = 0; i < 100; i++) {
        CU_ASSERT_EQUAL(sys_recv(a, exp, &tag, &v, 8, h, 1, NULL, false), 8);
        CU_ASSERT_EQUAL(v, i);
    }
    FX_CHECK();
}

static void test_queue_limit(void)
{
    sip *a = fx_sip("a");
    int32_t imp, exp;
    K->max_queue = 4;
    sys_chan_create(a, "Stream", 6, &imp, &exp);
    uint64_t v = 1;
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(sys_send(a, imp, 0, &v, 8, NULL, 0, false), 0);
    CU_ASSERT_EQUAL(sys_send(a, imp, 0, &v, 8, NULL, 0, true), SIP_EAGAIN);
    CU_ASSERT_TRUE(a->waiting);
    FX_CHECK();
}

static void test_too_small_buffers_keep_message(void)
{
    sip *a, *b;
    int32_t ia, eb;
    pair(&a, &b, &ia, &eb);
    send_ping(a, ia, 5, sys_block_alloc(a, 4));
    uint32_t tag, n;
    int32_t h[1];
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 2, h, 1, NULL, false), SIP_ETOOBIG);
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 4, h, 0, NULL, false), SIP_ETOOBIG);
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 4, h, 1, NULL, false), 4);
    FX_CHECK();
}

static void test_receive_quota(void)
{
    sip *a = fx_sip("a");
    sip *b = fx_sip_quota("b", 100, 0);
    endpoint *imp, *exp;
    chan_create(K, kernel_find_contract(K, "Ping", 4), &imp, &exp);
    sip_wire(a, "out", imp);
    sip_wire(b, "in", exp);
    int32_t ia = sys_bind(a, "out", 3), eb = sys_bind(b, "in", 2);
    CU_ASSERT_EQUAL(send_ping(a, ia, 1, sys_block_alloc(a, 500)), 0);
    uint32_t tag, n;
    int32_t h[1];
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 4, h, 1, NULL, false), SIP_EQUOTA);
    CU_ASSERT_EQUAL(b->fault[0], 0);
    FX_CHECK();                                       /* still owned by the message */
}

static void test_close_after_drain(void)
{
    sip *a, *b;
    int32_t ia, eb;
    pair(&a, &b, &ia, &eb);
    send_ping(a, ia, 1, sys_block_alloc(a, 10));
    sip_kill(a, "test");                              /* owner dies: its endpoint closes */
    FX_CHECK();
    uint32_t tag, n;
    int32_t h[1];
    CU_ASSERT_EQUAL(sys_select(b, &eb, 1, false), 0);
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 4, h, 1, NULL, false), 4);   /* drained first */
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 4, h, 1, NULL, false), SIP_ECLOSED);
    CU_ASSERT_EQUAL(sys_select(b, &eb, 1, false), 0);                /* closed is ready */
    /* the reply has nowhere to go */
    CU_ASSERT_EQUAL(sys_send(b, eb, TAG_PONG, &n, 4, h, 1, false), SIP_ECLOSED);
    CU_ASSERT_EQUAL(sys_block_size(b, h[0]), 10);     /* failed send keeps the block */
    FX_CHECK();
}

static void test_close_frees_queue(void)
{
    sip *a, *b;
    int32_t ia, eb;
    pair(&a, &b, &ia, &eb);
    send_ping(a, ia, 1, sys_block_alloc(a, 10));
    CU_ASSERT_EQUAL(K->heap.live_blocks, 1);
    CU_ASSERT_EQUAL(sys_close(b, eb), 0);             /* receiver closes with a message queued */
    CU_ASSERT_EQUAL(K->heap.live_blocks, 0);
    CU_ASSERT_EQUAL(K->live_endpoints, 1);
    CU_ASSERT_EQUAL(sys_close(b, eb), SIP_EBADHANDLE);   /* closing twice is a stale handle */
    FX_CHECK();
}

static void test_contract_violation_on_send(void)
{
    sip *a, *b;
    int32_t ia, eb;
    pair(&a, &b, &ia, &eb);
    uint32_t n = 1;
    int32_t blk = sys_block_alloc(a, 4);
    /* the importer may not send Pong */
    CU_ASSERT_EQUAL(sys_send(a, ia, TAG_PONG, &n, 4, &blk, 1, false), SIP_ECONTRACT);
    CU_ASSERT(strstr(a->fault, "contract") != NULL);
    CU_ASSERT_EQUAL(b->fault[0], 0);                  /* the peer did nothing wrong */
    a->fault[0] = 0;
    /* wrong shape: missing the bytes handle, or wrong payload size */
    CU_ASSERT_EQUAL(sys_send(a, ia, TAG_PING, &n, 4, NULL, 0, false), SIP_ECONTRACT);
    a->fault[0] = 0;
    CU_ASSERT_EQUAL(sys_send(a, ia, TAG_PING, &n, 3, &blk, 1, false), SIP_ECONTRACT);
    a->fault[0] = 0;
    CU_ASSERT_EQUAL(sys_send(a, ia, 42, &n, 4, &blk, 1, false), SIP_ECONTRACT);
    a->fault[0] = 0;
    /* ok once, then a second Ping before the Pong violates the state machine */
    CU_ASSERT_EQUAL(send_ping(a, ia, 1, blk), 0);
    blk = sys_block_alloc(a, 4);
    CU_ASSERT_EQUAL(send_ping(a, ia, 2, blk), SIP_ECONTRACT);
    CU_ASSERT(a->fault[0] != 0);
    CU_ASSERT_EQUAL(sys_block_size(a, blk), 4);       /* the failed send moved nothing */
    FX_CHECK();
}

static void test_endpoint_passing(void)
{
    /* a holds a Carrier imp to b; a creates a Ping channel, queues a Ping on it, then
     * sends the exp end (with that queued message) to b. */
    sip *a = fx_sip("a"), *b = fx_sip("b");
    endpoint *ci, *ce;
    chan_create(K, kernel_find_contract(K, "Carrier", 7), &ci, &ce);
    sip_wire(a, "carrier", ci);
    sip_wire(b, "carrier", ce);
    int32_t ca = sys_bind(a, "carrier", 7), cb = sys_bind(b, "carrier", 7);
    int32_t pimp, pexp;
    CU_ASSERT_EQUAL(sys_chan_create(a, "Ping", 4, &pimp, &pexp), 0);
    CU_ASSERT_EQUAL(send_ping(a, pimp, 77, sys_block_alloc(a, 3)), 0);
    /* sending an imp<Stream> where exp<Ping> is declared is a contract violation */
    CU_ASSERT_EQUAL(sys_send(a, ca, 0, NULL, 0, &pimp, 1, false), SIP_ECONTRACT);
    a->fault[0] = 0;
    CU_ASSERT_EQUAL(sys_send(a, ca, 0, NULL, 0, &pexp, 1, false), 0);
    CU_ASSERT_EQUAL(htab_kind(&a->ht, pexp), HK_FREE);
    FX_CHECK();
    uint32_t tag;
    int32_t h[1];
    CU_ASSERT_EQUAL(sys_recv(b, cb, &tag, NULL, 0, h, 1, NULL, false), 0);
    CU_ASSERT_EQUAL(tag, 0);
    /* b now serves Ping: the queued message came along */
    uint32_t n;
    int32_t bh[1];
    CU_ASSERT_EQUAL(sys_recv(b, h[0], &tag, &n, 4, bh, 1, NULL, false), 4);
    CU_ASSERT_EQUAL(n, 77);
    CU_ASSERT_EQUAL(sys_send(b, h[0], TAG_PONG, &n, 4, bh, 1, false), 0);
    CU_ASSERT_EQUAL(sys_recv(a, pimp, &tag, &n, 4, bh, 1, NULL, false), 4);
    CU_ASSERT_EQUAL(tag, TAG_PONG);
    FX_CHECK();
}

static void test_cannot_send_channel_over_itself(void)
{
    sip *a = fx_sip("a");
    int32_t ci, ce;
    sys_chan_create(a, "Carrier", 7, &ci, &ce);
    CU_ASSERT_EQUAL(sys_send(a, ci, 0, NULL, 0, &ci, 1, false), SIP_EINVAL);
    CU_ASSERT_EQUAL(sys_send(a, ci, 0, NULL, 0, &ce, 1, false), SIP_EINVAL);
    int32_t b = sys_block_alloc(a, 1);
    int32_t twice[2] = { b, b };
    CU_ASSERT_EQUAL(sys_send(a, ci, 0, NULL, 0, twice, 2, false), SIP_EBADHANDLE);
    FX_CHECK();
}

static void test_unreachable_cycle_is_reclaimed(void)
{
    /* xe travels in a message queued at ye while ye travels in one queued at xe: once the
     * importing ends close, nothing can reach them; the sweep frees both. */
    sip *a = fx_sip("a");
    int32_t xi, xe, yi, ye;
    sys_chan_create(a, "Box", 3, &xi, &xe);
    sys_chan_create(a, "Box", 3, &yi, &ye);
    CU_ASSERT_EQUAL(sys_send(a, xi, 0, NULL, 0, &ye, 1, false), 0);   /* ye queued at xe */
    CU_ASSERT_EQUAL(sys_send(a, yi, 0, NULL, 0, &xe, 1, false), 0);   /* xe queued at ye */
    CU_ASSERT_EQUAL(K->live_endpoints, 4);
    FX_CHECK();
    sip_kill(a, "test");
    CU_ASSERT_EQUAL(K->live_endpoints, 0);
    FX_CHECK();
}

static void test_bind_by_name(void)
{
    sip *a, *b;
    int32_t ia, eb;
    pair(&a, &b, &ia, &eb);
    CU_ASSERT_EQUAL(sys_bind(a, "nope", 4), SIP_ENOENT);
    CU_ASSERT_EQUAL(sys_bind(a, "ou", 2), SIP_ENOENT);
    CU_ASSERT_EQUAL(sys_bind(a, "out", 3), ia);      /* binding again gives the same */
    endpoint *x, *y;
    chan_create(K, NULL, &x, &y);
    CU_ASSERT_EQUAL(sip_wire(a, "out", x), SIP_EINVAL);   /* names are unique per SIP */
    chan_close(x);
    chan_close(y);
    sys_close(a, ia);
    CU_ASSERT_EQUAL(sys_bind(a, "out", 3), SIP_ENOENT);  /* closed: gone */
    CU_ASSERT_EQUAL(sys_chan_create(a, "NoSuch", 6, &ia, &eb), SIP_ENOENT);
    FX_CHECK();
}

static void test_select(void)
{
    sip *a = fx_sip("a");
    int32_t i1, e1, i2, e2;
    sys_chan_create(a, "Stream", 6, &i1, &e1);
    sys_chan_create(a, "Stream", 6, &i2, &e2);
    int32_t set[2] = { e1, e2 };
    CU_ASSERT_EQUAL(sys_select(a, set, 2, false), SIP_EAGAIN);
    uint64_t v = 5;
    sys_send(a, i2, 0, &v, 8, NULL, 0, false);
    CU_ASSERT_EQUAL(sys_select(a, set, 2, false), 1);
    sys_close(a, i1);
    CU_ASSERT_EQUAL(sys_select(a, set, 2, false), 0);
    int32_t bad[2] = { e1, 777 };
    CU_ASSERT_EQUAL(sys_select(a, bad, 2, false), SIP_EBADHANDLE);
    FX_CHECK();
}

static void test_final_state(void)
{
    sip *a = fx_sip("a");
    int32_t i, e;
    sys_chan_create(a, "Stream", 6, &i, &e);
    CU_ASSERT_EQUAL(sys_send(a, i, 2, NULL, 0, NULL, 0, false), 0);   /* Done */
    uint64_t v = 1;
    CU_ASSERT_EQUAL(sys_send(a, i, 0, &v, 8, NULL, 0, false), SIP_ECONTRACT);
    FX_CHECK();
}

void register_channel_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("channels", NULL, NULL, fx_setup, fx_teardown);
    CU_add_test(s, "send moves a block without copying", test_send_moves_block);
    CU_add_test(s, "FIFO order, would-block", test_fifo_and_wouldblock);
    CU_add_test(s, "queue limit", test_queue_limit);
    CU_add_test(s, "small receive buffers keep the message", test_too_small_buffers_keep_message);
    CU_add_test(s, "receive respects the receiver's quota", test_receive_quota);
    CU_add_test(s, "owner exit: drain then closed", test_close_after_drain);
    CU_add_test(s, "close frees the queue", test_close_frees_queue);
    CU_add_test(s, "contract violations on send", test_contract_violation_on_send);
    CU_add_test(s, "endpoint passing moves state and queue", test_endpoint_passing);
    CU_add_test(s, "no channel over itself", test_cannot_send_channel_over_itself);
    CU_add_test(s, "unreachable endpoints are reclaimed", test_unreachable_cycle_is_reclaimed);
    CU_add_test(s, "bind by name", test_bind_by_name);
    CU_add_test(s, "select", test_select);
    CU_add_test(s, "final state", test_final_state);
}

/* ---- the hooks netchan uses ------------------------------------------------------------ */

static int delivered, closed_seen;
static message *last_msg;
static void proxy_deliver(endpoint *proxy, message *m, void *arg)
{
    delivered++;
    if (last_msg)
        msg_free(proxy->k, last_msg);
    last_msg = m;                                 /* netchan would marshal and free it */
}
static void proxy_closed(endpoint *proxy, void *arg) { closed_seen++; }
static const endpoint_remote PROXY = { proxy_deliver, proxy_closed };

static void test_proxy_hooks(void)
{
    /* a's endpoint is local; its peer is a proxy standing for an endpoint on another node */
    delivered = closed_seen = 0;
    last_msg = NULL;
    sip *a = fx_sip("a");
    endpoint *imp, *proxy;
    chan_create(K, kernel_find_contract(K, "Ping", 4), &imp, &proxy);
    proxy->remote = &PROXY;
    proxy->own.kind = OWNER_KERNEL;
    sip_wire(a, "out", imp);
    int32_t ia = sys_bind(a, "out", 3);
    uint32_t n = 5;
    int32_t blk = sys_block_alloc(a, 8);
    CU_ASSERT_EQUAL(sys_send(a, ia, 0, &n, 4, &blk, 1, false), 0);
    CU_ASSERT_EQUAL(delivered, 1);
    CU_ASSERT_PTR_NOT_NULL(last_msg);
    CU_ASSERT_EQUAL(last_msg->tag, 0);
    CU_ASSERT_EQUAL(last_msg->nhandles, 1);
    msg_free(K, last_msg);                        /* (the block went to the wire) */
    last_msg = NULL;
    /* the far end answers: netchan delivers to the local endpoint */
    message *reply = msg_new(1, &n, 4);
    xblock *b = exheap_alloc(&K->heap, 3);
    msg_add_handle(reply, HK_BLOCK, b, &b->own);
    chan_deliver(imp, reply);
    uint32_t tag, nh;
    int32_t h[1];
    CU_ASSERT_EQUAL(sys_recv(a, ia, &tag, &n, 4, h, 1, &nh, false), 4);
    CU_ASSERT_EQUAL(tag, 1);
    CU_ASSERT_EQUAL(nh, 1);
    CU_ASSERT_EQUAL(sys_block_size(a, h[0]), 3);
    FX_CHECK();
    /* the local SIP ends: the proxy hears about it */
    sip_kill(a, "test");
    CU_ASSERT_EQUAL(closed_seen, 1);
    chan_close(proxy);
    CU_ASSERT_EQUAL(K->live_endpoints, 0);
    FX_CHECK();
}

static void test_receive_side_check(void)
{
    /* a message no correct local sender could produce (as a buggy or hostile remote node
     * might): the receiver's check refuses it and the channel breaks */
    sip *b = fx_sip("b");
    endpoint *imp, *exp;
    chan_create(K, kernel_find_contract(K, "Ping", 4), &imp, &exp);
    imp->own.kind = OWNER_KERNEL;                 /* stands for a remote peer */
    imp->remote = &PROXY;
    sip_wire(b, "in", exp);
    int32_t eb = sys_bind(b, "in", 2);
    uint32_t n = 1;
    chan_deliver(exp, msg_new(1, &n, 4));         /* a Pong sent to the exporter */
    uint32_t tag;
    int32_t h[1];
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 4, h, 1, NULL, false), SIP_ECONTRACT);
    CU_ASSERT_EQUAL(b->fault[0], 0);              /* the receiver did nothing wrong */
    CU_ASSERT_EQUAL(sys_recv(b, eb, &tag, &n, 4, h, 1, NULL, false), SIP_ECLOSED);
    chan_deliver(exp, msg_new(0, &n, 3));         /* wrong payload size */
    FX_CHECK();
    chan_close(imp);
    FX_CHECK();
}

void register_proxy_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("netchan hooks", NULL, NULL, fx_setup, fx_teardown);
    CU_add_test(s, "proxy deliver and closed hooks", test_proxy_hooks);
    CU_add_test(s, "the receiving side checks the contract again", test_receive_side_check);
}
