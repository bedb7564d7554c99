/* Migration across nodes with netchan: three node kernels in this process, each with its
 * own netchan node on 127.0.0.1, SIPs talking over cross-node channels. A numbered stream
 * keeps every message, once, in order while its ends move: with the peer on a third node,
 * with a peer that was local on the source (the channel is split across nodes), back to
 * the first node. Moving a SIP next to its own peer is refused up front and the SIP runs on
 * where it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/migrate/fixture.h"
#include "tests/migrate/xfer.h"
#include "netchan/nc_migrate.h"
#include "node-kernel/core/platform.h"

static nc_node *NC[NKERNELS];
static deployment DN[NKERNELS];
static const char *const ID[NKERNELS] = { "A", "B", "C" };
static char ADDR[NKERNELS][64];

static const wasm_module *find_any(void *arg, const uint8_t *hash, char *err, size_t errlen)
{
    for (int d = 0; d < NKERNELS; d++)
        for (uint32_t i = 0; i < DN[d].nmods; i++)
            if (!memcmp(wasm_module_hash(DN[d].mods[i]), hash, 32))
                return DN[d].mods[i];
    snprintf(err, errlen, "no module with that hash");
    return NULL;
}

static void quiet(void *arg, const char *line) { (void)arg; (void)line; }

/* outcome of the last session-driven migration */
static int done_state;                  /* 0 pending, 1 ok, 2 failed */
static char done_error[256];
static uint64_t done_ns;

static void on_done(void *arg, const char *name, uint64_t id, bool ok, const char *error,
                    uint64_t elapsed_ns, uint64_t bytes)
{
    done_state = ok ? 1 : 2;
    snprintf(done_error, sizeof done_error, "%s", error ? error : "");
    done_ns = elapsed_ns;
}

static bool nodes_up(void)
{
    fx_setup();
    memset(DN, 0, sizeof DN);
    for (int i = 0; i < NKERNELS; i++) {
        uint16_t port;
        int s = xfer_listen(&port);        /* a free port on loopback */
        if (s < 0)
            return false;
        close(s);
        snprintf(ADDR[i], sizeof ADDR[i], "tcp://127.0.0.1:%u", port);
    }
    for (int i = 0; i < NKERNELS; i++) {
        nc_options o = { .node_id = ID[i], .listen = ADDR[i], .check = true, .log = quiet };
        char err[256];
        NC[i] = nc_new(KN[i], &o, err, sizeof err);
        if (!NC[i]) {
            fprintf(stderr, "\n%s\n", err);
            return false;
        }
    }
    for (int i = 0; i < NKERNELS; i++)
        for (int j = 0; j < NKERNELS; j++)
            if (i != j)
                nc_add_peer(NC[i], ID[j], ADDR[j]);
    for (int i = 0; i < NKERNELS; i++) {
        nc_migrate_hooks h = { .find = find_any, .done = on_done, .timeout_ms = 800 };
        nc_migrate_set_hooks(NC[i], &h);
    }
    return true;
}

static void nodes_down(void)
{
    for (int i = 0; i < NKERNELS; i++) {
        if (NC[i])
            nc_migrate_forget(NC[i]);
        nc_free(NC[i]);
        NC[i] = NULL;
    }
    fx_teardown();
    for (int i = 0; i < NKERNELS; i++)
        deploy_free(&DN[i]);
}

static int deploy_on(int i, const char *text)
{
    manifest m;
    char err[512];
    if (manifest_parse(text, "nc-test.sipm", &m, err, sizeof err)) {
        fprintf(stderr, "\nmanifest: %s\n", err);
        return -1;
    }
    int r = deploy(KN[i], &m, &DN[i], err, sizeof err);
    if (r)
        fprintf(stderr, "\ndeploy: %s\n", err);
    manifest_free(&m);
    return r;
}

static void step(void)
{
    uint64_t ran = 0;
    for (int i = 0; i < NKERNELS; i++) {
        if (!NC[i])
            continue;                       /* a node that "died" */
        ran += kernel_run(KN[i], 8);
        nc_flush(NC[i]);
        nc_poll(NC[i], 0);
        nc_migrate_poll(NC[i]);
    }
    if (!ran)
        usleep(200);
}

static int where(const char *name)
{
    int ki = -1;
    return fx_find(name, &ki) ? ki : -1;
}

/* Move `name` to node `to`; false if refused up front (it then runs on where it was). */
static bool move(const char *name, int to)
{
    int from = where(name);
    sip *s = from >= 0 ? sip_by_name(KN[from], name) : NULL;
    if (!s || from == to)
        return false;
    char err[256];
    migrate_image img;
    CU_ASSERT_EQUAL_FATAL(migrate_pause(s), 0);
    CU_ASSERT_EQUAL_FATAL(migrate_save(s, &img, err, sizeof err), 0);
    if (nc_migrate_check(NC[from], &img, ID[to], err, sizeof err)) {
        migrate_image_free(&img);
        migrate_resume(s);
        return false;
    }
    endpoint **ext;
    uint32_t next;
    sip *t = migrate_restore(KN[to], img.buf, img.len, NULL, find_any, NULL, &ext, &next, err, sizeof err);
    if (!t)
        fprintf(stderr, "\nrestore: %s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    uint8_t *ends;
    size_t len;
    CU_ASSERT_EQUAL_FATAL(nc_migrate_export(NC[from], s, &img, ID[to], &ends, &len, err, sizeof err), 0);
    migrate_release(s, NULL, NULL);
    migrate_image_free(&img);
    int r = nc_migrate_import(NC[to], ID[from], ends, len, ext, next, err, sizeof err);
    if (r)
        fprintf(stderr, "\nimport: %s\n", err);
    CU_ASSERT_EQUAL(r, 0);
    free(ends);
    plat_free(ext);
    migrate_resume(t);
    return true;
}

static void run_steps(int n)
{
    for (int i = 0; i < n && fx_live(); i++)
        step();
}

static void finish_and_check(void)
{
    uint64_t end = plat_time_ns(1) + 20000000000ull;
    while (fx_live() && plat_time_ns(1) < end)
        step();
    CU_ASSERT_EQUAL(fx_live(), 0);
    int32_t code = -1;
    CU_ASSERT_EQUAL(fx_ending("sink", &code, NULL), 1);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_EQUAL(fx_ending("source", &code, NULL), 1);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fx_log("sink"), "sink: 300 in order"));
    CU_ASSERT_PTR_NOT_NULL(strstr(fx_log("source"), "sent 300 blocks"));
    if (!strstr(fx_log("sink"), "300 in order"))
        fprintf(stderr, "\nsink log: %.300s\n", fx_log("sink"));
    fx_check_all();
    for (int i = 0; i < NKERNELS; i++) {
        nc_stats st;
        nc_get_stats(NC[i], &st);
        if (getenv("MIGRATE_VERBOSE"))
            fprintf(stderr, "\n  node %s: sent %llu delivered %llu dup %llu resent %llu fwd %llu "
                    "dropped %llu eps out/in %llu/%llu", ID[i], (unsigned long long)st.data_sent,
                    (unsigned long long)st.data_delivered, (unsigned long long)st.duplicates,
                    (unsigned long long)st.resent, (unsigned long long)st.forwarded,
                    (unsigned long long)st.dropped, (unsigned long long)st.endpoints_out,
                    (unsigned long long)st.endpoints_in);
        CU_ASSERT_EQUAL(st.dropped, 0);
    }
}

static const char *SOURCE_ONLY =
    "contract sips/apps/stage.contract\n"
    "sip source " SIPS_DIR "/pipe_source.wasm 300\n";
static const char *SINK_ONLY =
    "contract sips/apps/stage.contract\n"
    "sip sink " MIG_SIPS "/stream_sink.wasm\n";
static const char *BOTH =
    "contract sips/apps/stage.contract\n"
    "sip source " SIPS_DIR "/pipe_source.wasm 300\n"
    "sip sink " MIG_SIPS "/stream_sink.wasm\n"
    "channel Stage source.down sink.up\n";

/* source on A, sink on B over netchan; the sink moves to C (its peer is then on a third
 * node), the source to B, the sink next to it on B (the two ends join into a local
 * channel), then to A (split again) */
static void test_peer_on_third_node(void)
{
    CU_ASSERT_FATAL(nodes_up());
    CU_ASSERT_FATAL(deploy_on(0, SOURCE_ONLY) == 0 && deploy_on(1, SINK_ONLY) == 0);
    for (int i = 1; i < NKERNELS; i++)
        kernel_add_contracts(KN[i == 1 ? 2 : 1], DN[i == 1 ? 1 : 0].cset);
    kernel_add_contracts(KN[0], DN[1].cset);
    kernel_add_contracts(KN[2], DN[0].cset);
    const contract *st = kernel_find_contract(KN[0], "Stage", 5);
    char err[256];
    CU_ASSERT_FATAL(nc_wire(NC[0], sip_by_name(KN[0], "source"), "down", st, 77, CONTRACT_IMP, "B", err, sizeof err) == 0);
    CU_ASSERT_FATAL(nc_wire(NC[1], sip_by_name(KN[1], "sink"), "up", kernel_find_contract(KN[1], "Stage", 5),
                            77, CONTRACT_EXP, "A", err, sizeof err) == 0);
    run_steps(30);
    CU_ASSERT(move("sink", 2));                   /* B -> C: peer on A */
    run_steps(30);
    CU_ASSERT(move("source", 1));                 /* A -> B: peer on C */
    run_steps(30);
    CU_ASSERT(move("sink", 1));                   /* C -> B, next to its peer: joined */
    CU_ASSERT_EQUAL(where("sink"), 1);
    run_steps(10);
    CU_ASSERT(move("sink", 0));                   /* C -> A: peer on B */
    run_steps(20);
    CU_ASSERT(move("source", 2));                 /* B -> C: peer on A */
    finish_and_check();
    nodes_down();
}

/* both on A over a local channel; the sink leaves (the channel is split across nodes),
 * then moves on, then the source moves too */
static void test_local_peer_becomes_remote(void)
{
    CU_ASSERT_FATAL(nodes_up());
    CU_ASSERT_FATAL(deploy_on(0, BOTH) == 0);
    kernel_add_contracts(KN[1], DN[0].cset);
    kernel_add_contracts(KN[2], DN[0].cset);
    run_steps(20);
    CU_ASSERT(move("sink", 1));                   /* A -> B: its peer stays on A */
    run_steps(30);
    CU_ASSERT(move("sink", 2));                   /* B -> C */
    run_steps(30);
    CU_ASSERT(move("source", 1));                 /* A -> B */
    finish_and_check();
    nodes_down();
}

/* The whole migration over netchan links (MigrationSnapshot / MigrationResult): returns
 * the outcome (1 ok, 2 failed) after stepping every node until it is known. */
static int session_move(const char *name, int to, uint64_t id)
{
    int from = where(name);
    sip *s = from >= 0 ? sip_by_name(KN[from], name) : NULL;
    if (!s)
        return 0;
    char err[256];
    done_state = 0;
    if (nc_migrate_start(NC[from], s, ID[to], id, NULL, err, sizeof err)) {
        fprintf(stderr, "\nnc_migrate_start: %s\n", err);
        return 2;
    }
    uint64_t end = plat_time_ns(1) + 10000000000ull;
    while (!done_state && plat_time_ns(1) < end)
        step();
    return done_state;
}

static const wasm_module *no_module(void *arg, const uint8_t *hash, char *err, size_t errlen)
{
    snprintf(err, errlen, "module not available here");
    return NULL;
}

/* Source on A, sink on B; the sink moves B -> C -> A by netchan messages; a target that
 * cannot get the module refuses and the SIP runs on; a target that takes the image and
 * then never answers the ends: the source takes the SIP back; a target node that dies
 * before answering makes the source resume the SIP after the timeout. */
static void test_session_over_links(void)
{
    CU_ASSERT_FATAL(nodes_up());
    CU_ASSERT_FATAL(deploy_on(0, SOURCE_ONLY) == 0 && deploy_on(1, SINK_ONLY) == 0);
    kernel_add_contracts(KN[0], DN[1].cset);
    kernel_add_contracts(KN[2], DN[0].cset);
    kernel_add_contracts(KN[1], DN[0].cset);
    char err[256];
    CU_ASSERT_FATAL(nc_wire(NC[0], sip_by_name(KN[0], "source"), "down",
                            kernel_find_contract(KN[0], "Stage", 5), 91, CONTRACT_IMP, "B", err, sizeof err) == 0);
    CU_ASSERT_FATAL(nc_wire(NC[1], sip_by_name(KN[1], "sink"), "up",
                            kernel_find_contract(KN[1], "Stage", 5), 91, CONTRACT_EXP, "A", err, sizeof err) == 0);
    run_steps(30);
    CU_ASSERT_EQUAL(session_move("sink", 2, 1), 1);          /* B -> C */
    CU_ASSERT_EQUAL(where("sink"), 2);
    if (getenv("MIGRATE_VERBOSE"))
        fprintf(stderr, "\n  B -> C over netchan: %.3f ms", done_ns / 1e6);
    run_steps(20);
    /* B cannot get the module: refused, the sink runs on at C */
    nc_migrate_hooks h = { .find = no_module, .done = on_done, .timeout_ms = 800 };
    nc_migrate_set_hooks(NC[0], &h);
    nc_migrate_set_hooks(NC[1], &h);
    CU_ASSERT_EQUAL(session_move("sink", 1, 2), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(done_error, "module not available"));
    CU_ASSERT_EQUAL(where("sink"), 2);
    h.find = find_any;
    nc_migrate_set_hooks(NC[1], &h);
    run_steps(20);
    CU_ASSERT_EQUAL(session_move("sink", 1, 3), 1);          /* C -> B */
    CU_ASSERT_EQUAL(where("sink"), 1);
    run_steps(20);
    /* the source moves to C, which takes the image and then "dies" as the ends come: A
     * takes it back from its image and the ends it sent; the peers re-route back to A */
    h.find = find_any;
    nc_migrate_set_hooks(NC[0], &h);
    h.fault_ignore_ends = true;
    nc_migrate_set_hooks(NC[2], &h);
    CU_ASSERT_EQUAL(session_move("source", 2, 5), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(done_error, "taken back from the target"));
    CU_ASSERT_EQUAL(where("source"), 0);
    h.fault_ignore_ends = false;
    nc_migrate_set_hooks(NC[2], &h);
    run_steps(20);
    /* the source moves to C, which dies before it can answer: A resumes it */
    sip *src = sip_by_name(KN[0], "source");
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    done_state = 0;
    CU_ASSERT_EQUAL(nc_migrate_start(NC[0], src, "C", 4, "app/source/0", err, sizeof err), 0);
    CU_ASSERT_EQUAL(src->state, SIP_PAUSED);
    nc_migrate_forget(NC[2]);                                /* node C "crashes" */
    nc_free(NC[2]);
    NC[2] = NULL;
    uint64_t end = plat_time_ns(1) + 10000000000ull;
    while (!done_state && plat_time_ns(1) < end)
        step();
    CU_ASSERT_EQUAL(done_state, 2);
    CU_ASSERT_PTR_EQUAL(sip_by_name(KN[0], "source"), src);
    CU_ASSERT(src->state != SIP_PAUSED);
    /* everything still arrives, once, in order */
    end = plat_time_ns(1) + 20000000000ull;
    while (fx_live() && plat_time_ns(1) < end)
        step();
    int32_t code = -1;
    CU_ASSERT_EQUAL(fx_ending("sink", &code, NULL), 1);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_EQUAL(fx_ending("source", &code, NULL), 1);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fx_log("sink"), "sink: 300 in order"));
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(nc_migrate_pending(NC[i]), 0);
    nodes_down();
}

void register_netchan_tests(void)
{
    CU_pSuite s = CU_add_suite("migration across nodes (netchan, loopback)", NULL, NULL);
    CU_add_test(s, "stream with the peer on a third node", test_peer_on_third_node);
    CU_add_test(s, "a local peer becomes a remote one", test_local_peer_becomes_remote);
    CU_add_test(s, "over netchan links: moves, refusal, target node dies", test_session_over_links);
}
