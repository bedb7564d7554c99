/* Netchan across real sipnode processes on 127.0.0.1: the unchanged example SIPs talk
 * over channels whose ends sit on different nodes. Echo over two nodes; an endpoint whose
 * peer is on C passed from A to B (traffic then flows B<->C); an endpoint made on A handed
 * to B; lost frames and reset links mid-stream with every message arriving once and in
 * order; a killed node whose peers see the channel close with a reason in bounded time;
 * and the ownership counters of every node (invariant checked after every netchan step
 * with --nc-check, heap empty and nothing unacknowledged at the end). Every process is
 * killed by PID and every file removed, pass or fail. Run from the repository root. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "tests/netchan/nodes.h"

#define ECHO_C "contracts/lib/echo.contract"
#define PASS_C "contracts/lib/endpointpass.contract"
#define PAIR_C "tests/netchan/pair.contract"
#define WAIT_MS 30000

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A node ended well: exit 0, invariant ok, nothing left on its heap or unacknowledged. */
static void assert_clean(node_proc *p)
{
    CU_ASSERT_EQUAL(node_wait(p, WAIT_MS), 0);
    CU_ASSERT_EQUAL(p->status, 0);
    char *out = node_output(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "invariant=ok"));
    if (p->status || !strstr(out, "invariant=ok"))
        fprintf(stderr, "\n--- %s ---\n%s\n", p->name, out);
    free(out);
    CU_ASSERT_EQUAL(node_stat(p, "heap_used"), 0);
    CU_ASSERT_EQUAL(node_stat(p, "live_blocks"), 0);
    CU_ASSERT_EQUAL(node_stat(p, "unacked"), 0);
    CU_ASSERT_EQUAL(node_stat(p, "ends"), 0);
}

/* argv for `sipnode --node ID --listen ADDR(i) --nc-check EXTRA... MODULE ARGS...` */
static const char **args(const char **buf, const char *id, int i, const char *const *rest)
{
    int n = 0;
    buf[n++] = "--node";
    buf[n++] = id;
    buf[n++] = "--listen";
    buf[n++] = strdup(nodes_addr(i));
    buf[n++] = "--nc-check";
    while (*rest)
        buf[n++] = *rest++;
    buf[n] = NULL;
    return buf;
}

static char *peer_arg(const char *id, int i)
{
    char *s = malloc(80);
    snprintf(s, 80, "%s=%s", id, nodes_addr(i));
    return s;
}

/* The client's output holds "echo: w1" ... "echo: wN" exactly once each, in order. */
static int check_echo_order(const char *out, int n)
{
    const char *p = out;
    for (int i = 1; i <= n; i++) {
        char want[32];
        snprintf(want, sizeof want, "echo: w%d\n", i);
        const char *hit = strstr(p, want);
        if (!hit)
            return i;
        p = hit + strlen(want);
    }
    return strstr(p, "echo: w") ? -1 : 0;       /* nothing after the last one */
}

static void run_echo(int nwords, const char *fault)
{
    const char *b[32], *a[400];
    const char *brest[] = { "-c", ECHO_C, "--peer", peer_arg("A", 0), "--wire",
                            "Echo:1:exp:echo_server.clients@A", fault ? "--nc-fault" : NULL, fault,
                            NULL, NULL };
    if (!fault)
        brest[6] = NULL;
    else
        brest[8] = NULL;
    const char *tail_b[] = { "build/sips/echo_server.wasm", NULL };
    const char *full_b[40];
    int k = 0;
    for (int i = 0; brest[i]; i++)
        full_b[k++] = brest[i];
    for (int i = 0; tail_b[i]; i++)
        full_b[k++] = tail_b[i];
    full_b[k] = NULL;

    const char *full_a[400];
    k = 0;
    const char *arest[] = { "-c", ECHO_C, "--peer", peer_arg("B", 1), "--wire",
                            "Echo:1:imp:echo_client.server@B", NULL };
    for (int i = 0; arest[i]; i++)
        full_a[k++] = arest[i];
    if (fault) {
        full_a[k++] = "--nc-fault";
        full_a[k++] = fault;
    }
    full_a[k++] = "build/sips/echo_client.wasm";
    for (int i = 1; i <= nwords; i++) {
        char *w = malloc(16);
        snprintf(w, 16, "w%d", i);
        full_a[k++] = w;
    }
    full_a[k] = NULL;

    node_proc nb, na;
    CU_ASSERT_EQUAL_FATAL(node_start(&nb, fault ? "echo_fault_B" : "echo_B", args(b, "B", 1, full_b)), 0);
    CU_ASSERT_EQUAL_FATAL(node_start(&na, fault ? "echo_fault_A" : "echo_A", args(a, "A", 0, full_a)), 0);
    assert_clean(&na);
    assert_clean(&nb);
    char *out = node_output(&na);
    int bad = check_echo_order(out, nwords);
    CU_ASSERT_EQUAL(bad, 0);
    if (bad)
        fprintf(stderr, "\necho order broken at %d\n", bad);
    free(out);
    out = node_output(&nb);
    char served[48];
    snprintf(served, sizeof served, "served %d requests", nwords);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, served));
    free(out);
    /* ownership across nodes: every block that left one node arrived at the other */
    CU_ASSERT_EQUAL(node_stat(&na, "blocks_out"), nwords);
    CU_ASSERT_EQUAL(node_stat(&nb, "blocks_in"), nwords);
    CU_ASSERT_EQUAL(node_stat(&nb, "blocks_out"), nwords);
    CU_ASSERT_EQUAL(node_stat(&na, "blocks_in"), nwords);
    CU_ASSERT_EQUAL(node_stat(&na, "sent"), node_stat(&nb, "delivered"));
    CU_ASSERT_EQUAL(node_stat(&nb, "sent"), node_stat(&na, "delivered"));
    if (fault) {
        CU_ASSERT(node_stat(&na, "faults") > 0);
        CU_ASSERT(node_stat(&na, "resent") + node_stat(&nb, "resent") > 0);
    }
    node_kill(&na);
    node_kill(&nb);
}

static void test_echo_two_nodes(void)
{
    run_echo(50, NULL);
}

static void test_echo_link_faults(void)
{
    /* every 5th data frame lost, every link reset every 7th frame, both directions */
    run_echo(150, "drop=5,reset=7");
}

/* A's relay passes the Echo endpoint whose server is on C to the client on B; with
 * `fault`, every node also loses frames and resets its links meanwhile. */
static void run_endpoint_three_nodes(const char *fault)
{
    const char *a[40], *b[40], *c[40];
    const char *fa = fault ? "--nc-fault" : "--hb-ms", *fv = fault ? fault : "200";
    const char *arest[] = { "-c", ECHO_C, "-c", PASS_C, "--peer", peer_arg("B", 1), "--peer",
                            peer_arg("C", 2), "--wire", "EndpointPass:7:exp:ep_relay.clients@B",
                            "--wire", "Echo:8:imp:ep_relay.echo@C", fa, fv,
                            "build/sips/tests/netchan/sips/ep_relay.wasm", NULL };
    const char *brest[] = { "-c", ECHO_C, "-c", PASS_C, "--peer", peer_arg("A", 0),
                            "--wire", "EndpointPass:7:imp:ep_client.broker@A", fa, fv,
                            "build/sips/ep_client.wasm", NULL };
    const char *crest[] = { "-c", ECHO_C, "--peer", peer_arg("A", 0),
                            "--wire", "Echo:8:exp:echo_server.clients@A", fa, fv,
                            "build/sips/echo_server.wasm", NULL };
    node_proc na, nb, nc;
    CU_ASSERT_EQUAL_FATAL(node_start(&nc, fault ? "ep3f_C" : "ep3_C", args(c, "C", 2, crest)), 0);
    CU_ASSERT_EQUAL_FATAL(node_start(&na, fault ? "ep3f_A" : "ep3_A", args(a, "A", 0, arest)), 0);
    CU_ASSERT_EQUAL_FATAL(node_start(&nb, fault ? "ep3f_B" : "ep3_B", args(b, "B", 1, brest)), 0);
    assert_clean(&nb);
    assert_clean(&nc);
    assert_clean(&na);
    char *out = node_output(&nb);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "client: echo over passed endpoint: passed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "client: echo over passed endpoint: work"));
    free(out);
    out = node_output(&nc);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "served 3 requests"));
    free(out);
    CU_ASSERT_EQUAL(node_stat(&na, "eps_out"), 1);
    CU_ASSERT_EQUAL(node_stat(&nb, "eps_in"), 1);
    /* the three requests went B -> C and their blocks came back: A saw none of them */
    CU_ASSERT_EQUAL(node_stat(&nb, "blocks_out"), 2 + 3);       /* two lookups, three requests */
    CU_ASSERT_EQUAL(node_stat(&nc, "blocks_in"), 3);
    CU_ASSERT_EQUAL(node_stat(&nc, "blocks_out"), 3);
    CU_ASSERT_EQUAL(node_stat(&na, "blocks_out"), 0);
    if (fault)
        CU_ASSERT(node_stat(&na, "faults") + node_stat(&nb, "faults") + node_stat(&nc, "faults") > 0);
    node_kill(&na);
    node_kill(&nb);
    node_kill(&nc);
}

static void test_endpoint_three_nodes(void)
{
    run_endpoint_three_nodes(NULL);
}

static void test_endpoint_three_nodes_faults(void)
{
    run_endpoint_three_nodes("drop=3,reset=5");
}

/* The unchanged endpoint_pass apps: the broker on A makes a channel and hands one end to
 * the client on B; the Ready queued on it travels along. */
static void test_endpoint_made_here(void)
{
    const char *a[40], *b[40];
    const char *arest[] = { "-c", ECHO_C, "-c", PASS_C, "--peer", peer_arg("B", 1),
                            "--wire", "EndpointPass:9:exp:ep_broker.clients@B",
                            "build/sips/ep_broker.wasm", NULL };
    const char *brest[] = { "-c", ECHO_C, "-c", PASS_C, "--peer", peer_arg("A", 0),
                            "--wire", "EndpointPass:9:imp:ep_client.broker@A",
                            "build/sips/ep_client.wasm", NULL };
    node_proc na, nb;
    CU_ASSERT_EQUAL_FATAL(node_start(&na, "ep2_A", args(a, "A", 0, arest)), 0);
    CU_ASSERT_EQUAL_FATAL(node_start(&nb, "ep2_B", args(b, "B", 1, brest)), 0);
    assert_clean(&nb);
    assert_clean(&na);
    char *out = node_output(&nb);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "client: echo over passed endpoint: endpoints"));
    free(out);
    out = node_output(&na);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "broker: echoed 3 requests"));
    free(out);
    node_kill(&na);
    node_kill(&nb);
}

/* kill -9 one node: the server on the other sees its channel close (CLOSE_NODE_DEAD)
 * within a bounded time and ends normally. */
static void test_node_death(void)
{
    const char *a[40], *b[40];
    const char *arest[] = { "-c", ECHO_C, "--peer", peer_arg("B", 1), "--dead-ms", "800",
                            "--hb-ms", "100", "--wire", "Echo:3:exp:echo_server.clients@B",
                            "build/sips/echo_server.wasm", NULL };
    /* B's relay holds the other end and waits forever on a client from a node that never
     * comes (Z, with a long timeout), so only the kill ends it */
    const char *brest[] = { "-c", ECHO_C, "-c", PASS_C, "--peer", peer_arg("A", 0), "--dead-ms", "60000",
                            "--wire", "Echo:3:imp:ep_relay.echo@A",
                            "--wire", "EndpointPass:4:exp:ep_relay.clients@Z",
                            "build/sips/tests/netchan/sips/ep_relay.wasm", NULL };
    node_proc na, nb;
    CU_ASSERT_EQUAL_FATAL(node_start(&nb, "death_B", args(b, "B", 1, brest)), 0);
    CU_ASSERT_EQUAL_FATAL(node_start(&na, "death_A", args(a, "A", 0, arest)), 0);
    /* let the link come up and the Ready cross */
    struct timespec ts = { 1, 0 };
    nanosleep(&ts, NULL);
    CU_ASSERT_EQUAL(node_wait(&na, 0), -1);               /* still serving */
    uint64_t t0 = now_ms();
    node_kill(&nb);
    CU_ASSERT_EQUAL(node_wait(&na, 10000), 0);
    uint64_t took = now_ms() - t0;
    CU_ASSERT(took < 5000);
    CU_ASSERT_EQUAL(na.status, 0);
    char *out = node_output(&na);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "CLOSE_NODE_DEAD"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "served 0 requests"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "invariant=ok"));
    free(out);
    CU_ASSERT_EQUAL(node_stat(&na, "heap_used"), 0);
    printf("(close seen %llu ms after kill -9) ", (unsigned long long)took);
    node_kill(&na);
}

/* A node restarts (kill -9, started again at once with the same id, well inside the
 * dead timeout): its new boot id in Hello tells the other node that the state behind its
 * channel ends is gone, so those ends close with a reason instead of hanging. */
static void test_node_restart(void)
{
    const char *a[40], *b[40];
    const char *arest[] = { "-c", ECHO_C, "--peer", peer_arg("B", 1), "--dead-ms", "60000",
                            "--wire", "Echo:3:exp:echo_server.clients@B",
                            "build/sips/echo_server.wasm", NULL };
    const char *brest[] = { "-c", ECHO_C, "-c", PASS_C, "--peer", peer_arg("A", 0), "--dead-ms", "60000",
                            "--wire", "Echo:3:imp:ep_relay.echo@A",
                            "--wire", "EndpointPass:4:exp:ep_relay.clients@Z",
                            "build/sips/tests/netchan/sips/ep_relay.wasm", NULL };
    node_proc na, nb, nb2;
    CU_ASSERT_EQUAL_FATAL(node_start(&nb, "restart_B", args(b, "B", 1, brest)), 0);
    CU_ASSERT_EQUAL_FATAL(node_start(&na, "restart_A", args(a, "A", 0, arest)), 0);
    struct timespec ts = { 1, 0 };
    nanosleep(&ts, NULL);
    node_kill(&nb);
    CU_ASSERT_EQUAL_FATAL(node_start(&nb2, "restart_B2", args(b, "B", 1, brest)), 0);
    CU_ASSERT_EQUAL(node_wait(&na, 10000), 0);
    CU_ASSERT_EQUAL(na.status, 0);
    char *out = node_output(&na);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "restarted"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "CLOSE_NODE_DEAD"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "served 0 requests"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "invariant=ok"));
    free(out);
    node_kill(&na);
    node_kill(&nb2);
}

/* Bad netchan options are refused with a message, before anything runs. */
static void test_bad_options(void)
{
    const char *a[20];
    const char *rest[] = { "-c", ECHO_C, "--wire", "Echo:0:imp:echo_client.server@B",
                           "build/sips/echo_client.wasm", NULL };
    node_proc p;
    CU_ASSERT_EQUAL_FATAL(node_start(&p, "bad_A", args(a, "A", 0, rest)), 0);
    CU_ASSERT_EQUAL(node_wait(&p, WAIT_MS), 0);
    CU_ASSERT_EQUAL(p.status, 2);
    char *out = node_output(&p);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "bad channel id"));
    free(out);
    const char *rest2[] = { "-c", ECHO_C, "--wire", "Nope:5:imp:echo_client.server@B",
                            "build/sips/echo_client.wasm", NULL };
    CU_ASSERT_EQUAL_FATAL(node_start(&p, "bad2_A", args(a, "A", 0, rest2)), 0);
    CU_ASSERT_EQUAL(node_wait(&p, WAIT_MS), 0);
    CU_ASSERT_EQUAL(p.status, 2);
    out = node_output(&p);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown contract 'Nope'"));
    free(out);
}

/* pair_giver on A makes an Echo channel and sends both its ends in one message to
 * pair_taker on B, which plays client and server over them: B joins them into a local
 * channel (no proxies, no traffic of B with itself, nothing forwarded by A). */
static void test_both_ends_in_one_message(void)
{
    const char *a[40], *b[40];
    const char *arest[] = { "-c", ECHO_C, "-c", PAIR_C, "--peer", peer_arg("B", 1), "--wire",
                            "Pair:9:imp:pair_giver.out@B", "build/sips/tests/netchan/sips/pair_giver.wasm",
                            NULL };
    const char *brest[] = { "-c", ECHO_C, "-c", PAIR_C, "--peer", peer_arg("A", 0), "--wire",
                            "Pair:9:exp:pair_taker.in@A", "build/sips/tests/netchan/sips/pair_taker.wasm",
                            NULL };
    node_proc na, nb;
    CU_ASSERT_EQUAL_FATAL(node_start(&nb, "pair_B", args(b, "B", 1, brest)), 0);
    CU_ASSERT_EQUAL_FATAL(node_start(&na, "pair_A", args(a, "A", 0, arest)), 0);
    assert_clean(&na);
    assert_clean(&nb);
    char *out = node_output(&na);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "giver: pair ok: one two three"));
    free(out);
    CU_ASSERT_EQUAL(node_stat(&na, "eps_out"), 2);
    CU_ASSERT_EQUAL(node_stat(&nb, "eps_in"), 2);
    CU_ASSERT_EQUAL(node_stat(&na, "forwarded"), 0);
    CU_ASSERT_EQUAL(node_stat(&nb, "sent"), 1);          /* only the Result: no self-traffic */
    CU_ASSERT_EQUAL(node_stat(&nb, "delivered"), 1);
    node_kill(&na);
    node_kill(&nb);
}

static int suite_init(void) { return nodes_init(); }
static int suite_clean(void) { nodes_cleanup(); return 0; }

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("netchan_nodes", suite_init, suite_clean);
    CU_add_test(s, "echo across two sipnodes", test_echo_two_nodes);
    CU_add_test(s, "lost frames and reset links mid-stream: once, in order", test_echo_link_faults);
    CU_add_test(s, "endpoint with its peer on C passed from A to B", test_endpoint_three_nodes);
    CU_add_test(s, "the same with lost frames and reset links on all three nodes",
                test_endpoint_three_nodes_faults);
    CU_add_test(s, "endpoint made on A handed to B (unchanged apps)", test_endpoint_made_here);
    CU_add_test(s, "both ends of one channel in one message to another node",
                test_both_ends_in_one_message);
    CU_add_test(s, "kill -9 a node: peers see close with a reason", test_node_death);
    CU_add_test(s, "a node restarts: peers see close with a reason", test_node_restart);
    CU_add_test(s, "bad netchan options refused", test_bad_options);
    return cunit_run_all("build/tests/netchan/test_netchan");
}
