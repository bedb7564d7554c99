/* SIP table and scheduler with native bodies: round robin, blocking and waking, exits,
 * traps, preemption of a looping SIP, full reclamation. */
#include <string.h>
#include "tests/core/fixture.h"

/* exit records */
static int exits, traps, kills;
static char last_fault[192];
static void on_exit_cb(void *arg, sip *s)
{
    (void)arg;
    if (s->end == SIP_END_EXIT) exits++;
    if (s->end == SIP_END_TRAP) { traps++; strcpy(last_fault, s->fault); }
    if (s->end == SIP_END_KILLED) kills++;
}

static void setup(void)
{
    fx_setup();
    exits = traps = kills = 0;
    last_fault[0] = 0;
    K->on_exit = on_exit_cb;
}

/* A Ping client: sends `rounds` Pings, each with a block, and waits for each Pong. */
typedef struct { int32_t ep; uint32_t sent, got, rounds; bool awaiting; } client_state;
static sip_run_result client_step(sip *s, void *arg, uint64_t fuel)
{
    client_state *c = arg;
    if (!c->ep)
        c->ep = sys_bind(s, "server", 6);
    for (;;) {
        if (c->awaiting) {
            uint32_t tag, n;
            int32_t h[1];
            int32_t r = sys_recv(s, c->ep, &tag, &n, 4, h, 1, NULL, true);
            if (r == SIP_EAGAIN)
                return SIP_RUN_YIELD;
            if (r < 0)
                return SIP_RUN_TRAP;
            sys_block_free(s, h[0]);
            c->got++;
            c->awaiting = false;
        }
        if (c->sent == c->rounds)
            return SIP_RUN_EXIT;
        int32_t b = sys_block_alloc(s, 32);
        if (sys_send(s, c->ep, 0, &c->sent, 4, &b, 1, true) < 0)
            return SIP_RUN_TRAP;
        c->sent++;
        c->awaiting = true;
    }
}

/* A Ping server: answers every Ping with a Pong carrying the same block, until closed. */
typedef struct { int32_t ep; uint32_t served; } server_state;
static sip_run_result server_step(sip *s, void *arg, uint64_t fuel)
{
    server_state *v = arg;
    if (!v->ep)
        v->ep = sys_bind(s, "clients", 7);
    for (;;) {
        uint32_t tag, n;
        int32_t h[1];
        int32_t r = sys_recv(s, v->ep, &tag, &n, 4, h, 1, NULL, true);
        if (r == SIP_EAGAIN)
            return SIP_RUN_YIELD;
        if (r == SIP_ECLOSED)
            return SIP_RUN_EXIT;
        if (r < 0)
            return SIP_RUN_TRAP;
        v->served++;
        r = sys_send(s, v->ep, 1, &n, 4, h, 1, true);
        if (r == SIP_ECLOSED)
            sys_block_free(s, h[0]);              /* the client left: keep draining */
        else if (r < 0)
            return SIP_RUN_TRAP;
    }
}

static void wire_ping(sip *client, sip *server)
{
    endpoint *imp, *exp;
    CU_ASSERT_EQUAL_FATAL(chan_create(K, kernel_find_contract(K, "Ping", 4), &imp, &exp), 0);
    sip_wire(client, "server", imp);
    sip_wire(server, "clients", exp);
}

static void test_ping_pong(void)
{
    client_state cs = { .rounds = 1000 };
    server_state ss = { 0 };
    sip *c = fx_sip("client"), *v = fx_sip("server");
    native_attach(c, client_step, &cs);
    native_attach(v, server_step, &ss);
    wire_ping(c, v);
    CU_ASSERT_EQUAL(sip_start(v), 0);
    CU_ASSERT_EQUAL(sip_start(c), 0);
    CU_ASSERT_EQUAL(sip_start(c), SIP_EINVAL);        /* only once */
    kernel_run(K, 0);
    CU_ASSERT_EQUAL(cs.got, 1000);
    CU_ASSERT_EQUAL(ss.served, 1000);
    CU_ASSERT_EQUAL(exits, 2);                        /* the server saw the close and ended */
    CU_ASSERT_EQUAL(K->nsips_live, 0);
    CU_ASSERT_EQUAL(K->heap.live_blocks, 0);
    CU_ASSERT_EQUAL(K->live_endpoints, 0);
    FX_CHECK();
}

static void test_idle_when_all_blocked(void)
{
    server_state ss = { 0 };
    sip *v = fx_sip("server"), *c = fx_sip("silent");
    native_attach(v, server_step, &ss);
    wire_ping(c, v);                                  /* c never runs: v waits forever */
    sip_start(v);
    uint64_t n = kernel_run(K, 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_FALSE(kernel_busy(K));
    CU_ASSERT_EQUAL(v->state, SIP_BLOCKED);
    /* the silent SIP dies: v is woken, sees the close and exits */
    sip_kill(c, "test");
    CU_ASSERT_TRUE(kernel_busy(K));
    kernel_run(K, 0);
    CU_ASSERT_EQUAL(exits, 1);
    CU_ASSERT_EQUAL(kills, 1);
    FX_CHECK();
}

static sip_run_result spin_step(sip *s, void *arg, uint64_t fuel)
{
    (*(uint64_t *)arg) += fuel;                       /* "spends" the whole slice */
    return SIP_RUN_FUEL;
}

static void test_looping_sip_is_preempted(void)
{
    uint64_t spun = 0;
    client_state cs = { .rounds = 200 };
    server_state ss = { 0 };
    sip *spin = fx_sip("spin"), *c = fx_sip("client"), *v = fx_sip("server");
    native_attach(spin, spin_step, &spun);
    native_attach(c, client_step, &cs);
    native_attach(v, server_step, &ss);
    wire_ping(c, v);
    sip_start(spin);
    sip_start(v);
    sip_start(c);
    kernel_run(K, 5000);
    CU_ASSERT_EQUAL(cs.got, 200);                     /* others progressed */
    CU_ASSERT(spun > 0);
    CU_ASSERT_EQUAL(spin->state, SIP_RUNNABLE);
    CU_ASSERT_TRUE(kernel_busy(K));
    sip_kill(spin, "runaway");
    CU_ASSERT_FALSE(kernel_busy(K));
    CU_ASSERT_EQUAL(K->nsips_live, 0);
    FX_CHECK();
}

/* A SIP that holds blocks and an endpoint, then uses a forged handle. */
static sip_run_result forger_step(sip *s, void *arg, uint64_t fuel)
{
    for (int i = 0; i < 10; i++)
        sys_block_alloc(s, 100);
    int32_t ep = sys_bind(s, "server", 6);
    int32_t b = sys_block_alloc(s, 8);
    sys_send(s, ep, 0, &fuel, 4, &b, 1, false);
    sys_block_write(s, b, 0, "x", 1);                 /* use after send: faults */
    return SIP_RUN_YIELD;                             /* whatever it claims, it traps */
}

static void test_fault_traps_and_reclaims(void)
{
    server_state ss = { 0 };
    sip *f = fx_sip("forger"), *v = fx_sip("server");
    native_attach(f, forger_step, NULL);
    native_attach(v, server_step, &ss);
    wire_ping(f, v);
    sip_start(f);
    sip_start(v);
    kernel_run(K, 0);
    CU_ASSERT_EQUAL(traps, 1);
    CU_ASSERT(strstr(last_fault, "block_write") != NULL);
    CU_ASSERT_EQUAL(ss.served, 1);                    /* got the message; its reply was dropped */
    CU_ASSERT_EQUAL(exits, 1);                        /* server saw the close */
    CU_ASSERT_EQUAL(K->heap.live_blocks, 0);
    CU_ASSERT_EQUAL(K->live_endpoints, 0);
    FX_CHECK();
}

/* Sends a message the contract forbids: the sender traps and the peer sees the close. */
static sip_run_result violator_step(sip *s, void *arg, uint64_t fuel)
{
    int32_t ep = sys_bind(s, "server", 6);
    int32_t b = sys_block_alloc(s, 8);
    uint32_t n = 0;
    sys_send(s, ep, 1, &n, 4, &b, 1, false);          /* Pong from the importer */
    return SIP_RUN_EXIT;
}

static void test_contract_violation_traps(void)
{
    server_state ss = { 0 };
    sip *f = fx_sip("violator"), *v = fx_sip("server");
    native_attach(f, violator_step, NULL);
    native_attach(v, server_step, &ss);
    wire_ping(f, v);
    sip_start(v);
    sip_start(f);
    kernel_run(K, 0);
    CU_ASSERT_EQUAL(traps, 1);
    CU_ASSERT(strstr(last_fault, "contract") != NULL);
    CU_ASSERT_EQUAL(exits, 1);
    CU_ASSERT_EQUAL(ss.served, 0);
    FX_CHECK();
}

/* Allocates blocks until its quota stops it, then keeps asking. */
static sip_run_result hog_step(sip *s, void *arg, uint64_t fuel)
{
    int *refused = arg;
    for (int i = 0; i < 100000; i++)
        if (sys_block_alloc(s, 4096) == SIP_EQUOTA)
            (*refused)++;
    return SIP_RUN_EXIT;
}

static void test_heap_bomb_is_contained(void)
{
    int refused = 0;
    sip *h = fx_sip_quota("hog", 1 << 20, 0);
    native_attach(h, hog_step, &refused);
    sip_start(h);
    kernel_run(K, 0);
    CU_ASSERT(refused > 0);
    CU_ASSERT_EQUAL(K->heap.used_bytes, 0);
    CU_ASSERT_EQUAL(exits, 1);
    FX_CHECK();
}

static void test_many_sips_reclaimed(void)
{
    for (int i = 0; i < 300; i++) {
        client_state *cs = calloc(1, sizeof *cs);
        server_state *ss = calloc(1, sizeof *ss);
        cs->rounds = 3;
        sip *c = fx_sip("c"), *v = fx_sip("v");
        native_attach(c, client_step, cs);
        native_attach(v, server_step, ss);
        wire_ping(c, v);
        sip_start(c);
        sip_start(v);
        kernel_run(K, 0);
        free(cs);
        free(ss);
    }
    CU_ASSERT_EQUAL(exits, 600);
    CU_ASSERT_EQUAL(K->nsips_live, 0);
    CU_ASSERT_EQUAL(K->live_endpoints, 0);
    CU_ASSERT_EQUAL(K->heap.live_blocks, 0);
    FX_CHECK();
}

/* A fast producer against a slow consumer: the producer blocks on the full queue and is
 * woken when the consumer makes room. */
typedef struct { int32_t ep; uint64_t next, total; } producer_state;
static sip_run_result producer_step(sip *s, void *arg, uint64_t fuel)
{
    producer_state *p = arg;
    while (p->next < p->total) {
        int32_t r = sys_send(s, p->ep, 0, &p->next, 8, NULL, 0, true);
        if (r == SIP_EAGAIN)
            return SIP_RUN_YIELD;
        if (r < 0)
            return SIP_RUN_TRAP;
        p->next++;
    }
    return SIP_RUN_EXIT;
}

typedef struct { int32_t ep; uint64_t got; bool in_order; } consumer_state;
static sip_run_result consumer_step(sip *s, void *arg, uint64_t fuel)
{
    consumer_state *c = arg;
    for (int i = 0; i < 3; i++) {                     /* slow: 3 messages per slice */
        uint32_t tag;
        uint64_t v;
        int32_t r = sys_recv(s, c->ep, &tag, &v, 8, NULL, 0, NULL, true);
        if (r == SIP_EAGAIN)
            return SIP_RUN_YIELD;
        if (r == SIP_ECLOSED)
            return SIP_RUN_EXIT;
        if (r < 0)
            return SIP_RUN_TRAP;
        if (v != c->got++)
            c->in_order = false;
    }
    return SIP_RUN_FUEL;
}

static void test_full_queue_blocks_sender(void)
{
    K->max_queue = 16;
    sip *p = fx_sip("producer"), *c = fx_sip("consumer");
    endpoint *imp, *exp;
    chan_create(K, kernel_find_contract(K, "Stream", 6), &imp, &exp);
    sip_wire(p, "out", imp);
    sip_wire(c, "in", exp);
    producer_state ps = { sys_bind(p, "out", 3), 0, 5000 };
    consumer_state cs = { sys_bind(c, "in", 2), 0, true };
    native_attach(p, producer_step, &ps);
    native_attach(c, consumer_step, &cs);
    sip_start(p);
    sip_start(c);
    kernel_run(K, 0);
    CU_ASSERT_EQUAL(ps.next, 5000);
    CU_ASSERT_EQUAL(cs.got, 5000);
    CU_ASSERT_TRUE(cs.in_order);
    CU_ASSERT_EQUAL(exits, 2);
    FX_CHECK();
}

void register_sched_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("scheduler", NULL, NULL, setup, fx_teardown);
    CU_add_test(s, "ping-pong between two SIPs", test_ping_pong);
    CU_add_test(s, "idle when every SIP is blocked", test_idle_when_all_blocked);
    CU_add_test(s, "a looping SIP is preempted", test_looping_sip_is_preempted);
    CU_add_test(s, "use after send traps and reclaims", test_fault_traps_and_reclaims);
    CU_add_test(s, "contract violation traps, peer sees close", test_contract_violation_traps);
    CU_add_test(s, "heap bomb is contained", test_heap_bomb_is_contained);
    CU_add_test(s, "a full queue blocks the sender until there is room", test_full_queue_blocks_sender);
    CU_add_test(s, "create/run/exit 600 SIPs, nothing leaks", test_many_sips_reclaimed);
}
