/* Netchan link faults over real networking: two sipnodes in their own network namespaces
 * joined by a veth pair stream numbered messages (seq_src -> seq_sink, Stream contract).
 * Mid-stream the link is cut with iptables DROP rules in both namespaces:
 *  - for longer than the resend timeout but shorter than the dead-node time, then restored:
 *    every message arrives exactly once and in order, nothing stays unacknowledged;
 *  - past the dead-node time: both nodes see the channel close with CLOSE_NODE_DEAD within
 *    a bound, and exit.
 * And on 127.0.0.1 without namespaces: a stream losing every 9th data frame (built-in fault
 * injection) still arrives exactly once and in order, and only lost frames are resent.
 * Processes are killed by PID, namespaces (with their rules and the veth) removed, pass or
 * fail, also when the program is killed. Skipped (with a message) where `ip netns add` is
 * not permitted. Run from the repository root as root. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "tests/netchan/netns.h"
#include "tests/netchan/nodes.h"

#define STREAM_C "bench/netchan/stream.contract"
#define SRC_WASM "build/sips/tests/netchan/sips/seq_src.wasm"
#define SINK_WASM "build/sips/tests/netchan/sips/seq_sink.wasm"
#define PORT 5601

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

/* Wait until p's output contains s: ms from t0 to when it was seen, or -1 once more
 * than limit_ms have passed since t0. */
static long wait_output_since(const node_proc *p, const char *s, uint64_t t0, int limit_ms)
{
    for (;;) {
        char *out = node_output(p);
        bool hit = strstr(out, s) != NULL;
        free(out);
        if (hit)
            return (long)(now_ms() - t0);
        if (now_ms() - t0 > (uint64_t)limit_ms)
            return -1;
        sleep_ms(10);
    }
}

static long wait_output(const node_proc *p, const char *s, int timeout_ms)
{
    return wait_output_since(p, s, now_ms(), timeout_ms);
}

/* The sink printed "got m1" ... "got mN" once each, in order, and nothing else numbered:
 * 0, or the first number that is missing, duplicated or out of place. */
static int check_sequence(const char *out, int n)
{
    int want = 1;
    for (const char *p = strstr(out, "got m"); p; p = strstr(p + 1, "got m")) {
        int v = atoi(p + 5);
        if (v != want)
            return want;
        want++;
    }
    return want == n + 1 ? 0 : want;
}

static bool skip_unless_netns(netns_pair *np, const char *tag)
{
    char why[160] = "";
    int r = netns_pair_make(np, tag, why, sizeof why);
    if (r == -1) {
        fprintf(stderr, "\nSKIPPED: %s\n", why);
        CU_PASS("skipped: ip netns add not permitted");
        return false;
    }
    CU_ASSERT_EQUAL_FATAL(r, 0);
    return true;
}

/* Start the sink in namespace 1 (node B) and the source in namespace 0 (node A). */
static void start_pair(netns_pair *np, node_proc *na, node_proc *nb, const char *name,
                       const char *count, const char *interval_us, const char *dead_ms)
{
    char peer_a[80], peer_b[80], listen_a[64], listen_b[64];
    snprintf(peer_a, sizeof peer_a, "A=%s", netns_addr(np, 0, PORT));
    snprintf(peer_b, sizeof peer_b, "B=%s", netns_addr(np, 1, PORT));
    snprintf(listen_a, sizeof listen_a, "%s", netns_addr(np, 0, PORT));
    snprintf(listen_b, sizeof listen_b, "%s", netns_addr(np, 1, PORT));
    const char *b[] = { "--node", "B", "--listen", listen_b, "--nc-check", "-c", STREAM_C,
                        "--peer", peer_a, "--hb-ms", "100", "--rto-ms", "100", "--dead-ms", dead_ms,
                        "--wire", "Stream:1:exp:seq_sink.in@A", SINK_WASM, NULL };
    const char *a[] = { "--node", "A", "--listen", listen_a, "--nc-check", "-c", STREAM_C,
                        "--peer", peer_b, "--hb-ms", "100", "--rto-ms", "100", "--dead-ms", dead_ms,
                        "--wire", "Stream:1:imp:seq_src.out@B", SRC_WASM, count, interval_us, NULL };
    char nm[32];
    snprintf(nm, sizeof nm, "%s_B", name);
    CU_ASSERT_EQUAL_FATAL(node_start_in(nb, nm, np->ns[1], b), 0);
    snprintf(nm, sizeof nm, "%s_A", name);
    CU_ASSERT_EQUAL_FATAL(node_start_in(na, nm, np->ns[0], a), 0);
}

static void dump(const node_proc *p)
{
    char *out = node_output(p);
    size_t len = strlen(out);
    fprintf(stderr, "\n--- %s (last lines) ---\n%s\n", p->name, len > 3000 ? out + len - 3000 : out);
    free(out);
}

/* Cut 1.2 s (resend timeout 100 ms, dead-node time 6 s) at message 60 of 300. */
static void test_outage_shorter_than_dead_time(void)
{
    netns_pair np;
    if (!skip_unless_netns(&np, "short"))
        return;
    node_proc na, nb;
    start_pair(&np, &na, &nb, "lf_short", "300", "5000", "6000");
    long t = wait_output(&nb, "got m60\n", 20000);
    CU_ASSERT(t >= 0);
    CU_ASSERT_EQUAL(netns_pair_block(&np, true), 0);
    sleep_ms(1200);
    char *mid = node_output(&nb);
    int during = 0;
    for (const char *p = strstr(mid, "got m"); p; p = strstr(p + 1, "got m"))
        during++;
    free(mid);
    CU_ASSERT_EQUAL(netns_pair_block(&np, false), 0);
    CU_ASSERT(during < 300);                     /* the cut really stopped the stream */

    CU_ASSERT_EQUAL(node_wait(&na, 30000), 0);
    CU_ASSERT_EQUAL(node_wait(&nb, 30000), 0);
    CU_ASSERT_EQUAL(na.status, 0);
    CU_ASSERT_EQUAL(nb.status, 0);
    char *out_b = node_output(&nb), *out_a = node_output(&na);
    int bad = check_sequence(out_b, 300);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_a, "seq_src: sent 300, sink counted 300"));
    CU_ASSERT_PTR_NULL(strstr(out_a, "CLOSE_NODE_DEAD"));
    CU_ASSERT_PTR_NULL(strstr(out_b, "CLOSE_NODE_DEAD"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_a, "invariant=ok"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_b, "invariant=ok"));
    if (bad || na.status || nb.status) {
        fprintf(stderr, "\nsequence broken at %d\n", bad);
        dump(&na);
        dump(&nb);
    }
    free(out_a);
    free(out_b);
    fprintf(stderr, "\n  cut after m60 for 1200 ms: %d delivered by its end, A resent %lld frames\n",
            during, node_stat(&na, "resent"));
    CU_ASSERT(node_stat(&na, "resent") > 0);       /* the lost frames came again */
    CU_ASSERT(node_stat(&na, "resent") < 100);     /* the oldest only, backing off (was ~2000) */
    CU_ASSERT_EQUAL(node_stat(&na, "blocks_out"), 300);
    CU_ASSERT_EQUAL(node_stat(&nb, "blocks_in"), 300);
    CU_ASSERT_EQUAL(node_stat(&na, "sent"), node_stat(&nb, "delivered"));
    CU_ASSERT_EQUAL(node_stat(&na, "unacked"), 0);
    CU_ASSERT_EQUAL(node_stat(&nb, "unacked"), 0);
    CU_ASSERT_EQUAL(node_stat(&na, "heap_used"), 0);
    CU_ASSERT_EQUAL(node_stat(&nb, "heap_used"), 0);
    node_kill(&na);
    node_kill(&nb);
    netns_pair_destroy(&np);
}

/* Cut for good (dead-node time 1 s): both sides see the close with the reason within
 * dead time + 1.5 s of the cut, and both nodes end. */
static void test_outage_past_dead_time(void)
{
    netns_pair np;
    if (!skip_unless_netns(&np, "dead"))
        return;
    node_proc na, nb;
    start_pair(&np, &na, &nb, "lf_dead", "100000", "5000", "1000");
    CU_ASSERT(wait_output(&nb, "got m30\n", 20000) >= 0);
    CU_ASSERT_EQUAL(netns_pair_block(&np, true), 0);
    uint64_t cut = now_ms();
    long ta = wait_output_since(&na, "closed: CLOSE_NODE_DEAD", cut, 2500);
    long tb = wait_output_since(&nb, "closed: CLOSE_NODE_DEAD", cut, 2500);
    CU_ASSERT(ta >= 0);
    CU_ASSERT(tb >= 0);
    fprintf(stderr, "\n  close seen %ld ms (A), %ld ms (B) after the cut; dead-ms 1000\n", ta, tb);
    CU_ASSERT_EQUAL(node_wait(&na, 5000), 0);
    CU_ASSERT_EQUAL(node_wait(&nb, 5000), 0);
    char *out_a = node_output(&na), *out_b = node_output(&nb);
    CU_ASSERT_PTR_NOT_NULL(strstr(out_a, "node B declared dead"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_b, "node A declared dead"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_a, "seq_src: channel closed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_b, "seq_sink: channel closed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_a, "invariant=ok"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out_b, "invariant=ok"));
    if (ta < 0 || tb < 0 || !na.done || !nb.done) {
        dump(&na);
        dump(&nb);
    }
    free(out_a);
    free(out_b);
    CU_ASSERT_EQUAL(node_stat(&na, "heap_used"), 0);
    CU_ASSERT_EQUAL(node_stat(&nb, "heap_used"), 0);
    node_kill(&na);
    node_kill(&nb);
    netns_pair_destroy(&np);
}

/* Selective resend: the receiver holds frames past a gap and its repeated ack names the
 * missing one, so the sender resends about one frame per loss (go-back-N resent every
 * frame after the loss). */
static void test_lost_frames_selective(void)
{
    const char *b[] = { "--node", "B", "--listen", strdup(nodes_addr(1)), "--nc-check",
                        "-c", STREAM_C, "--peer", NULL, "--wire", "Stream:1:exp:seq_sink.in@A",
                        SINK_WASM, NULL };
    const char *a[] = { "--node", "A", "--listen", strdup(nodes_addr(0)), "--nc-check",
                        "-c", STREAM_C, "--peer", NULL, "--nc-fault", "drop=9",
                        "--wire", "Stream:1:imp:seq_src.out@B", SRC_WASM, "400", "200", NULL };
    char peer_a[80], peer_b[80];
    snprintf(peer_a, sizeof peer_a, "A=%s", nodes_addr(0));
    snprintf(peer_b, sizeof peer_b, "B=%s", nodes_addr(1));
    b[8] = peer_a;
    a[8] = peer_b;
    node_proc na, nb;
    CU_ASSERT_EQUAL_FATAL(node_start(&nb, "lf_sel_B", b), 0);
    CU_ASSERT_EQUAL_FATAL(node_start(&na, "lf_sel_A", a), 0);
    CU_ASSERT_EQUAL(node_wait(&na, 30000), 0);
    CU_ASSERT_EQUAL(node_wait(&nb, 30000), 0);
    CU_ASSERT_EQUAL(na.status, 0);
    CU_ASSERT_EQUAL(nb.status, 0);
    char *out_b = node_output(&nb);
    int bad = check_sequence(out_b, 400);
    CU_ASSERT_EQUAL(bad, 0);
    free(out_b);
    long long faults = node_stat(&na, "faults"), resent = node_stat(&na, "resent");
    fprintf(stderr, "\n  %lld frames lost, %lld resent\n", faults, resent);
    CU_ASSERT(faults >= 40);
    CU_ASSERT(resent >= faults / 2);
    CU_ASSERT(resent <= 2 * faults);
    CU_ASSERT_EQUAL(node_stat(&na, "sent"), node_stat(&nb, "delivered"));
    CU_ASSERT_EQUAL(node_stat(&na, "unacked"), 0);
    if (bad || na.status || nb.status) {
        dump(&na);
        dump(&nb);
    }
    node_kill(&na);
    node_kill(&nb);
}

static int suite_init(void) { return nodes_init(); }
static int suite_clean(void) { nodes_cleanup(); return 0; }

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("netchan_linkfault", suite_init, suite_clean);
    CU_add_test(s, "every 9th frame lost: once, in order, only lost frames resent",
                test_lost_frames_selective);
    CU_add_test(s, "link cut shorter than the dead-node time: exactly once, in order",
                test_outage_shorter_than_dead_time);
    CU_add_test(s, "link cut past the dead-node time: both sides close with a reason",
                test_outage_past_dead_time);
    return cunit_run_all("build/tests/netchan/test_linkfault");
}
