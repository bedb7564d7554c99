/* `sipctl migrate` end to end on 127.0.0.1: orchd and sipnodes n1-n3, plus two faulty
 * targets: n4 freezes after accepting a migration, n5 takes a SIP's image but never
 * answers its channel ends. A client (n1) streams numbered blocks to a server (n2) over
 * netchan; the server's closing line (count, blocks out of order, checksum) from an
 * unmigrated run is the reference. Then: the server moved back and forth between n2 and
 * n3 six times with sipctl mid-stream prints the same line, and after each move `sipctl
 * get sips` shows the new node; the client and the server moved so that each time the
 * moving SIP's peer is on a third node; a target that dies during the migration (n4,
 * killed) leaves the server running on n2 with its placement unchanged and the stream
 * intact; a target that never takes the ends (n5): the source takes the SIP back; moving
 * a SIP next to its peer joins the two ends into a local channel. Every process is ended
 * by PID and the temporary directory removed, pass or fail. Run from the repository
 * root. */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/cunit_main.h"
#include "tests/orchestrator/procs.h"

#define BLOCKS   "600"          /* per stream */
#define PAUSE_MS "3"            /* client's pause between blocks */

static int http_port, node_port;
static pid_t node_pids[5];
static char db[128], orch_addr[64], http_arg[16], server[64];
static char reference[160];     /* the server's line from the unmigrated run */

static pid_t start_node(int i, const char *fault)
{
    char id[8], nc[64], label[16];
    snprintf(id, sizeof id, "n%d", i + 1);
    snprintf(nc, sizeof nc, "tcp://127.0.0.1:%d", tp_free_port());
    snprintf(label, sizeof label, "zone=z%d", i + 1);
    char *argv[] = { getenv("TEST_SIPNODE") ? getenv("TEST_SIPNODE") : "build/bin/sipnode", "--orch", orch_addr, "--orch-id", id, "--orch-nc", nc,
                     "--orch-label", label, "--orch-memory", "512M",
                     fault ? "--orch-fault" : NULL, (char *)fault, NULL };
    return tp_spawn(id, argv);
}

static const char *sfield(json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

static json_t *sip_row(json_t *sips, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(sips, i, r)
        if (!strcmp(sfield(r, "id"), id))
            return r;
    return NULL;
}

static int sipctl(const char *args, char **out)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "build/bin/sipctl %s 2>&1", args);
    return tp_run(cmd, out);
}

/* Wait until every SIP of app has the observed state (ms at most). */
static bool wait_app(const char *app, const char *state, int ms)
{
    long long end = tp_ms() + ms;
    do {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/sips?app=%s", app);
        json_t *rows = tp_get_json(http_port, path);
        size_t i, n = 0, ok = 0;
        json_t *r;
        json_array_foreach(rows, i, r) {
            n++;
            ok += !strcmp(sfield(r, "observed"), state);
        }
        json_decref(rows);
        if (n && n == ok)
            return true;
        usleep(30000);
    } while (tp_ms() < end);
    return false;
}

static bool nodes_ready(int want, int ms)
{
    long long end = tp_ms() + ms;
    do {
        json_t *rows = tp_get_json(http_port, "/api/v1/nodes");
        size_t i;
        int n = 0;
        json_t *r;
        json_array_foreach(rows, i, r)
            n += !strcmp(sfield(r, "state"), "ready");
        json_decref(rows);
        if (n == want)
            return true;
        usleep(50000);
    } while (tp_ms() < end);
    return false;
}

/* What the nodes said (on a failure). */
static void print_node_logs(void)
{
    for (int i = 1; i <= 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d.err", i);
        char *text = tp_read(name);
        fprintf(stderr, "---- %s\n%s", name, text);
        free(text);
    }
}

/* Deploy the stream app `app`: client on zone zc, server on zone zs. */
static int deploy(const char *app, int zc, int zs)
{
    char path[256], cmd[300];
    snprintf(path, sizeof path, "%s/%s.yaml", tp_tmpdir(), app);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "app: %s\ncontracts: [sips/apps/stage.contract]\nsips:\n"
            "  - name: client\n    module: build/sips/tests/orchestrator/sips/stream_client.wasm\n"
            "    args: [\"" BLOCKS "\", \"" PAUSE_MS "\"]\n    memory: 16M\n"
            "    endpoints: [{name: down, contract: Stage}]\n    placement: {labels: {zone: z%d}}\n"
            "  - name: server\n    module: build/sips/tests/orchestrator/sips/stream_server.wasm\n"
            "    memory: 16M\n    endpoints: [{name: up, contract: Stage}]\n"
            "    placement: {labels: {zone: z%d}}\n"
            "channels:\n  - {from: client.down, to: server.up, contract: Stage}\n", app, zc, zs);
    fclose(f);
    snprintf(cmd, sizeof cmd, "apply -f %s", path);
    char *out = NULL;
    int rc = sipctl(cmd, &out);
    if (rc)
        fprintf(stderr, "\nsipctl %s: %s\n", cmd, out);
    free(out);
    if (!rc && !wait_app(app, "running", 10000)) {
        fprintf(stderr, "\n%s: not running after 10 s\n", app);
        print_node_logs();
        rc = -1;
    }
    return rc ? -1 : 0;
}

/* The server's closing line from orchd's logs ("" if none). */
static void server_line(const char *app, char *line, size_t len)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/logs?sip=%s/server", app);
    json_t *rows = tp_get_json(http_port, path);
    size_t i;
    json_t *r;
    line[0] = 0;
    json_array_foreach(rows, i, r) {
        const char *d = strstr(sfield(r, "data"), "server: ");
        if (d) {
            snprintf(line, len, "%s", d);
            line[strcspn(line, "\n")] = 0;
        }
    }
    json_decref(rows);
}

/* The node `sipctl get sips` shows for id (from its table, not the JSON). */
static bool table_shows(const char *id, const char *node)
{
    char *out = NULL;
    sipctl("get sips", &out);
    bool found = false;
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
        char sid[128], snode[32];
        if (sscanf(l, "%127s %31s", sid, snode) == 2 && !strcmp(sid, id))
            found = !strcmp(snode, node);
    }
    free(out);
    return found;
}

static const char *node_of(const char *id)
{
    static char node[32];
    json_t *rows = tp_get_json(http_port, "/api/v1/sips");
    snprintf(node, sizeof node, "%s", sfield(sip_row(rows, id), "node"));
    json_decref(rows);
    return node;
}

/* sipctl migrate; asserts success and the new placement. */
static void migrate_ok(const char *id, const char *to)
{
    char cmd[200], *out = NULL, want[200];
    snprintf(cmd, sizeof cmd, "migrate %s --to %s", id, to);
    const char *from = node_of(id);
    snprintf(want, sizeof want, "migrated %s from %s to %s: downtime ", id, from, to);
    int rc = sipctl(cmd, &out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    if (rc || !strstr(out, want))
        fprintf(stderr, "\nsipctl %s: %s\n", cmd, out);
    free(out);
    CU_ASSERT_STRING_EQUAL(node_of(id), to);
    CU_ASSERT_TRUE(table_shows(id, to));
}

static void check_stream_result(const char *app)
{
    CU_ASSERT_TRUE(wait_app(app, "exited", 30000));
    char line[160];
    server_line(app, line, sizeof line);
    CU_ASSERT_STRING_EQUAL(line, reference);
    if (strcmp(line, reference)) {
        fprintf(stderr, "\n%s: server said '%s'\n", app, line);
        print_node_logs();
    }
    char path[96];
    snprintf(path, sizeof path, "/api/v1/sips?app=%s", app);
    json_t *rows = tp_get_json(http_port, path);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "exit_code")), 0);
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "restarts")), 0);
    }
    json_decref(rows);
}

static int setup(void)
{
    if (!tp_tmpdir()[0])
        return -1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    http_port = tp_free_port();
    node_port = tp_free_port();
    snprintf(db, sizeof db, "%s/orchd.db", tp_tmpdir());
    snprintf(orch_addr, sizeof orch_addr, "tcp://127.0.0.1:%d", node_port);
    snprintf(http_arg, sizeof http_arg, "%d", http_port);
    snprintf(server, sizeof server, "http://127.0.0.1:%d", http_port);
    setenv("SIPCTL_SERVER", server, 1);
    char *argv[] = { "build/bin/orchd", "--db", db, "--listen", orch_addr, "--http", http_arg,
                     "--dead-ms", "1000", "--hb-ms", "200", NULL };
    tp_spawn("orchd", argv);
    for (int i = 0; i < 5; i++)
        node_pids[i] = start_node(i, i == 3 ? "freeze-after-migrate-in" : i == 4 ? "ignore-migration-ends" : NULL);
    return nodes_ready(5, 10000) ? 0 : -1;
}

static int teardown(void)
{
    tp_cleanup();
    curl_global_cleanup();
    return 0;
}

static void test_unmigrated_reference(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy("plain", 1, 2), 0);
    CU_ASSERT_TRUE_FATAL(wait_app("plain", "exited", 30000));
    server_line("plain", reference, sizeof reference);
    /* what stream_server computes for blocks 0..N-1, each once, in order */
    unsigned long long sum = 0, n = strtoull(BLOCKS, NULL, 10);
    for (unsigned long long i = 0; i < n; i++)
        sum = sum * 31 + i + 1;
    char want[160];
    snprintf(want, sizeof want, "server: %llu blocks, 0 out of order or damaged, checksum %016llx", n, sum);
    CU_ASSERT_STRING_EQUAL(reference, want);
}

static void test_back_and_forth(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy("hop", 1, 2), 0);
    for (int i = 0; i < 6; i++) {
        usleep(120000);                         /* let some blocks through */
        json_t *rows = tp_get_json(http_port, "/api/v1/sips?app=hop");
        CU_ASSERT_STRING_EQUAL(sfield(sip_row(rows, "hop/client/0"), "observed"), "running");
        json_decref(rows);
        migrate_ok("hop/server/0", i % 2 ? "n2" : "n3");
    }
    check_stream_result("hop");
    char *out = NULL;
    sipctl("events", &out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "completed: n2 -> n3, downtime "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "completed: n3 -> n2, downtime "));
    free(out);
}

static void test_peer_on_third_node(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy("third", 1, 2), 0);
    usleep(100000);
    migrate_ok("third/client/0", "n3");         /* its peer (server) is on n2 */
    usleep(100000);
    migrate_ok("third/server/0", "n1");         /* its peer (client) is on n3 */
    usleep(100000);
    migrate_ok("third/client/0", "n2");         /* its peer (server) is on n1 */
    check_stream_result("third");
}

static void test_target_dies(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy("dies", 1, 2), 0);
    usleep(100000);
    char *out = NULL;
    long long t0 = tp_ms();
    fflush(NULL);
    FILE *p = popen("build/bin/sipctl migrate dies/server/0 --to n4 2>&1", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    usleep(700000);                             /* n4 accepted and froze: kill it */
    tp_kill(node_pids[3], SIGKILL);
    char buf[1024] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = 0;
    int st = pclose(p);
    CU_ASSERT_EQUAL(WEXITSTATUS(st), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "migration of dies/server/0 from n2 to n4 failed: "));
    CU_ASSERT_TRUE(tp_ms() - t0 < 20000);
    CU_ASSERT_STRING_EQUAL(node_of("dies/server/0"), "n2");
    CU_ASSERT_TRUE(table_shows("dies/server/0", "n2"));
    check_stream_result("dies");
    CU_ASSERT_STRING_EQUAL(node_of("dies/server/0"), "n2");
    sipctl("events", &out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "failed: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "it runs on at n2"));
    free(out);
}

static void test_target_never_takes_the_ends(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy("back", 1, 2), 0);
    usleep(100000);
    char *out = NULL;
    CU_ASSERT_EQUAL(sipctl("migrate back/server --to n5", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "migration of back/server/0 from n2 to n5 failed: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "taken back from the target"));
    free(out);
    CU_ASSERT_STRING_EQUAL(node_of("back/server/0"), "n2");
    CU_ASSERT_TRUE(table_shows("back/server/0", "n2"));
    usleep(100000);
    migrate_ok("back/server/0", "n3");          /* and it still moves */
    check_stream_result("back");
}

static void test_join_peer_node(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy("join", 1, 2), 0);
    usleep(100000);
    migrate_ok("join/server/0", "n1");          /* next to its client: one local channel */
    usleep(100000);
    migrate_ok("join/server/0", "n2");          /* and apart again: split across nodes */
    usleep(100000);
    migrate_ok("join/server/0", "n1");
    usleep(100000);
    migrate_ok("join/client/0", "n3");          /* the client leaves the server's node */
    usleep(100000);
    migrate_ok("join/client/0", "n1");          /* and comes back to it */
    check_stream_result("join");
}

static void test_refusals(void)
{
    char *out = NULL;
    CU_ASSERT_EQUAL(sipctl("migrate nosuch/sip --to n2", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "no SIP named 'nosuch/sip'"));
    free(out);
    CU_ASSERT_EQUAL(sipctl("migrate hop/server --to n3", &out), 1);     /* it has exited */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "not running"));
    free(out);
    CU_ASSERT_EQUAL(sipctl("migrate hop/server", &out), 2);             /* no --to */
    free(out);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("migrate through orchd", setup, teardown);
    CU_add_test(s, "unmigrated reference run", test_unmigrated_reference);
    CU_add_test(s, "server moved back and forth mid-stream", test_back_and_forth);
    CU_add_test(s, "moves with the peer on a third node", test_peer_on_third_node);
    CU_add_test(s, "target dies during the migration", test_target_dies);
    CU_add_test(s, "target never takes the ends: taken back", test_target_never_takes_the_ends);
    CU_add_test(s, "moving next to the peer joins the channel", test_join_peer_node);
    CU_add_test(s, "refusals", test_refusals);
    int rc = cunit_run_all("build/tests/orchestrator/test_migrate_cluster");
    tp_cleanup();
    return rc;
}
