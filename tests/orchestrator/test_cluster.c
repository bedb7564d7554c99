/* The orchestrator with real processes on 127.0.0.1: orchd and three sipnodes (--orch).
 * A pipeline spread over the three nodes delivers its data; an invalid manifest is
 * refused with file and line and changes nothing; garbage on the node socket and bad
 * HTTP requests are refused or counted; a module larger than one message arrives in
 * chunks; node labels steer placement; a crash-looping SIP is restarted with
 * growing back-off; orchd killed with -9 in the middle of a deploy restarts from its
 * database and every SIP runs exactly once; a node killed with -9 is declared dead and
 * its SIP runs again elsewhere; SIPs joined by a channel restart together when one's node
 * dies (new channel id, traffic flows again); a node frozen past the dead time has its
 * stale copy stopped when it wakes; /metrics counts; the status page, loaded in headless
 * Chromium, shows nodes and SIPs. Every process is ended by PID and the temporary
 * directory removed, pass or fail. A create lost on the way is sent again. orchd matches
 * node reports to SIP incarnations, not clocks (a node played by the test with its clock
 * an hour off, stale reports of an earlier incarnation; a sipnode reporting times an hour
 * late); a sipnode given a newer incarnation of a SIP it runs replaces it (orchd played
 * by the test). Run from the repository root. */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tests/cunit_main.h"
#include "tests/orchestrator/procs.h"
#include "netchan/proto/orch.pb-c.h"
#include <zmq.h>

#define DEAD_MS "1000"

static int http_port, node_port;
static pid_t orchd_pid, node_pids[4];
static char db[128], orch_addr[64], http_arg[16], server[64];

static void start_orchd_with(const char *drop_creates)
{
    char *argv[] = { "build/bin/orchd", "--db", db, "--listen", orch_addr, "--http", http_arg,
                     "--dead-ms", DEAD_MS, "--hb-ms", "200", "--fault-drop-creates", (char *)drop_creates, NULL };
    orchd_pid = tp_spawn("orchd", argv);
}

static void start_orchd(void) { start_orchd_with("0"); }

static pid_t start_node(int i)
{
    char id[8], nc[64], label[16], name[16];
    snprintf(id, sizeof id, "n%d", i + 1);
    snprintf(nc, sizeof nc, "tcp://127.0.0.1:%d", tp_free_port());
    snprintf(label, sizeof label, "zone=z%d", i + 1);
    snprintf(name, sizeof name, "n%d", i + 1);
    char *argv[] = { "build/bin/sipnode", "-c", "contracts/lib/echo.contract", "-c", "sips/apps/stage.contract",
                     "--orch", orch_addr, "--orch-id", id, "--orch-nc", nc, "--orch-label", label,
                     "--orch-memory", "512M", NULL };
    if (i == 3) {       /* n1-n3 know the contracts (-c); n4 gets them from orchd with its creates */
        argv[4] = argv[0];
        return tp_spawn(name, argv + 4);
    }
    return tp_spawn(name, argv);
}

/* Poll a JSON path until pred(j) holds or ms pass. */
typedef bool (*pred_fn)(json_t *j, const void *arg);

static bool wait_for(const char *path, pred_fn pred, const void *arg, int ms)
{
    long long end = tp_ms() + ms;
    do {
        json_t *j = tp_get_json(http_port, path);
        bool ok = j && pred(j, arg);
        json_decref(j);
        if (ok)
            return true;
        usleep(50000);
    } while (tp_ms() < end);
    return false;
}

static json_t *find_row(json_t *rows, const char *key, const char *value)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        if (json_string_value(json_object_get(r, key)) && !strcmp(json_string_value(json_object_get(r, key)), value))
            return r;
    return NULL;
}

static const char *sfield(json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

static bool n_ready(json_t *nodes, const void *arg)
{
    size_t n = 0, i;
    json_t *r;
    json_array_foreach(nodes, i, r)
        n += !strcmp(sfield(r, "state"), "ready");
    return n == (size_t)(long)arg;
}

static bool all_exited_ok(json_t *sips, const void *app)
{
    size_t n = 0, i;
    json_t *r;
    json_array_foreach(sips, i, r) {
        if (strcmp(sfield(r, "app"), app))
            continue;
        if (strcmp(sfield(r, "observed"), "exited") || json_integer_value(json_object_get(r, "exit_code")))
            return false;
        n++;
    }
    return n > 0;
}

static bool sip_running(json_t *sips, const void *id)
{
    json_t *r = find_row(sips, "id", id);
    return r && !strcmp(sfield(r, "observed"), "running");
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
    start_orchd();
    for (int i = 0; i < 3; i++)
        node_pids[i] = start_node(i);
    return wait_for("/api/v1/nodes", n_ready, (void *)3L, 10000) ? 0 : -1;
}

static int teardown(void)
{
    tp_cleanup();
    curl_global_cleanup();
    return 0;
}

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tp_tmpdir(), name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void write_bytes(const char *name, const void *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tp_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static int sipctl(const char *args, char **out)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "build/bin/sipctl %s 2>&1", args);
    return tp_run(cmd, out);
}

static void test_pipeline_across_nodes(void)
{
    char *out = NULL;
    CU_ASSERT_EQUAL(sipctl("apply -f orchestrator/examples/pipeline.yaml", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "pipeline applied: 3 SIPs, 2 channels"));
    free(out);
    CU_ASSERT_FATAL(wait_for("/api/v1/sips", all_exited_ok, "pipeline", 15000));
    json_t *sips = tp_get_json(http_port, "/api/v1/sips?app=pipeline");
    const char *a = sfield(find_row(sips, "name", "source"), "node");
    const char *b = sfield(find_row(sips, "name", "upper"), "node");
    const char *c = sfield(find_row(sips, "name", "sink"), "node");
    CU_ASSERT(a[0] && b[0] && c[0] && strcmp(a, b) && strcmp(b, c) && strcmp(a, c));   /* anti-affinity */
    json_decref(sips);
    CU_ASSERT_EQUAL(sipctl("logs pipeline/sink", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "sink: 12 blocks, in order"));
    free(out);
    CU_ASSERT_EQUAL(sipctl("get sips", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "pipeline/upper/0"));
    free(out);
    CU_ASSERT_EQUAL(sipctl("get channels -o json", &out), 0);
    json_t *ch = json_loads(out, 0, NULL);
    CU_ASSERT_EQUAL(json_array_size(ch), 2);
    json_decref(ch);
    free(out);
    CU_ASSERT_EQUAL(sipctl("apply -f orchestrator/examples/pipeline.yaml", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unchanged"));
    free(out);
    CU_ASSERT_EQUAL(sipctl("delete pipeline", &out), 0);
    free(out);
    CU_ASSERT_EQUAL(sipctl("describe app pipeline", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "no app named 'pipeline'"));
    free(out);
}

static void test_invalid_manifest(void)
{
    write_file("bad.yaml", "app: bad\nsips:\n  - name: s\n    module: build/sips/echo_server.wasm\n"
                           "    restart: {policy: sometimes}\n");
    write_file("badmod.yaml", "app: badmod\nsips:\n  - name: s\n    module: Makefile\n");
    write_file("badc.yaml", "app: badc\ncontracts: [contracts/lib/echo.contract]\nsips:\n"
                            "  - {name: s, module: build/sips/echo_server.wasm, endpoints: [{name: e, contract: Echoo}]}\n");
    char cmd[256], *out = NULL;
    json_t *before = tp_get_json(http_port, "/api/v1/apps");
    snprintf(cmd, sizeof cmd, "apply -f %s/bad.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL(sipctl(cmd, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "bad.yaml:5: restart.policy: expected never, on-failure or always"));
    free(out);
    snprintf(cmd, sizeof cmd, "apply -f %s/badmod.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL(sipctl(cmd, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "badmod.yaml:3: module: Makefile: not a WebAssembly module"));
    free(out);
    /* modules a node would refuse are refused at apply: a forbidden import, a broken body */
    static const uint8_t evil[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
                                    2, 10, 1, 4, 'e', 'v', 'i', 'l', 1, 'f', 0, 0 };
    static const uint8_t broken[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 1, 9, 1 };
    write_bytes("evil.wasm", evil, sizeof evil);
    write_bytes("broken.wasm", broken, sizeof broken);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "app: evil\nsips:\n  - name: s\n    module: %s/evil.wasm\n"
             "  - name: t\n    module: %s/broken.wasm\n", tp_tmpdir(), tp_tmpdir());
    write_file("evil.yaml", yaml);
    snprintf(cmd, sizeof cmd, "apply -f %s/evil.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL(sipctl(cmd, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "imports \"evil.f\": a SIP may import only from sip and wasi_snapshot_preview1"));
    free(out);
    snprintf(yaml, sizeof yaml, "app: broken\nsips:\n  - name: t\n    module: %s/broken.wasm\n", tp_tmpdir());
    write_file("broken.yaml", yaml);
    snprintf(cmd, sizeof cmd, "apply -f %s/broken.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL(sipctl(cmd, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "not a valid WebAssembly module"));
    free(out);
    snprintf(cmd, sizeof cmd, "apply -f %s/badc.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL(sipctl(cmd, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "badc.yaml:4: endpoints.contract: no contract 'Echoo' in the manifest's contracts"));
    free(out);
    json_t *after = tp_get_json(http_port, "/api/v1/apps");
    CU_ASSERT(before && after && json_equal(before, after));
    json_decref(before);
    json_decref(after);
    CU_ASSERT_EQUAL(sipctl("get widgets", &out), 2);
    free(out);
}

static long long metric(const char *name)
{
    char *text = tp_get_text(http_port, "/metrics");
    long long v = -1;
    char pat[128];
    snprintf(pat, sizeof pat, "\n%s ", name);         /* the sample line, not # HELP */
    char *p = text ? strstr(text, pat) : NULL;
    if (p)
        v = atoll(p + strlen(pat));
    free(text);
    return v;
}

static long post(const char *path, const char *body, const char *method)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", http_port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    FILE *devnull = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (devnull)
        fclose(devnull);
    return status;
}

/* Garbage and odd messages on the node socket, and bad HTTP requests: answered or
 * counted, never a crash. */
static void test_bad_frames_and_requests(void)
{
    long long bad0 = metric("orchd_bad_frames_total");
    void *ctx = zmq_ctx_new(), *d = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    CU_ASSERT_FATAL(zmq_connect(d, orch_addr) == 0);
    zmq_send(d, "\xff\xff\xff garbage", 12, 0);
    zmq_send(d, "", 0, 0);                                   /* empty: NOT_SET body */
    Orch__Register r = ORCH__REGISTER__INIT;                  /* no identity */
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_REGISTER;
    m.register_ = &r;
    uint8_t buf[256];
    size_t len = orch__node_to_orch__pack(&m, buf);
    zmq_send(d, buf, len, 0);
    Orch__NodeHeartbeat h = ORCH__NODE_HEARTBEAT__INIT;       /* from a node nobody knows */
    h.node_id = "stranger";
    m.body_case = ORCH__NODE_TO_ORCH__BODY_HEARTBEAT;
    m.heartbeat = &h;
    len = orch__node_to_orch__pack(&m, buf);
    zmq_send(d, buf, len, 0);
    Orch__ModuleFetch f = ORCH__MODULE_FETCH__INIT;           /* hash of the wrong size */
    f.hash.data = (uint8_t *)"abc";
    f.hash.len = 3;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_MODULE_FETCH;
    m.module_fetch = &f;
    len = orch__node_to_orch__pack(&m, buf);
    zmq_send(d, buf, len, 0);
    /* answers: register refused, heartbeat refused, module not found */
    int refused = 0, notfound = 0;
    for (int i = 0; i < 3; i++) {
        zmq_pollitem_t it = { d, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&it, 1, 3000) <= 0)
            break;
        int n = zmq_recv(d, buf, sizeof buf, 0);
        Orch__OrchToNode *a = n > 0 ? orch__orch_to_node__unpack(NULL, (size_t)n, buf) : NULL;
        if (a && a->body_case == ORCH__ORCH_TO_NODE__BODY_REGISTER_ACK && !a->register_ack->accepted)
            refused++;
        if (a && a->body_case == ORCH__ORCH_TO_NODE__BODY_MODULE_DATA && !a->module_data->found)
            notfound++;
        if (a)
            orch__orch_to_node__free_unpacked(a, NULL);
    }
    CU_ASSERT_EQUAL(refused, 2);
    CU_ASSERT_EQUAL(notfound, 1);
    zmq_close(d);
    zmq_ctx_term(ctx);
    CU_ASSERT(metric("orchd_bad_frames_total") >= bad0 + 2);
    CU_ASSERT_EQUAL(post("/api/v1/apply", "{not json", "POST"), 400);
    CU_ASSERT_EQUAL(post("/api/v1/apply", "{\"text\": 5}", "POST"), 400);
    CU_ASSERT_EQUAL(post("/api/v1/apply", "{\"file\": \"x.yaml\", \"text\": \"app: [\"}", "POST"), 400);
    CU_ASSERT_EQUAL(post("/api/v1/apps/nosuch", NULL, "DELETE"), 404);
    CU_ASSERT_EQUAL(post("/api/v1/describe?kind=planet&name=x", NULL, "GET"), 400);
    CU_ASSERT_EQUAL(post("/nowhere", NULL, "GET"), 404);
    json_t *nodes = tp_get_json(http_port, "/api/v1/nodes");
    CU_ASSERT_PTR_NULL(find_row(nodes, "id", "stranger"));
    CU_ASSERT(n_ready(nodes, (void *)3L));                  /* orchd alive, nodes still there */
    json_decref(nodes);
}

/* A module larger than one ModuleData message arrives in chunks and runs. */
static void test_module_in_chunks(void)
{
    write_file("big.yaml", "app: big\nsips:\n  - {name: b, module: build/sips/tests/orchestrator/sips/big.wasm}\n");
    char cmd[256], *out = NULL;
    snprintf(cmd, sizeof cmd, "apply -f %s/big.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL_FATAL(sipctl(cmd, &out), 0);
    free(out);
    CU_ASSERT(wait_for("/api/v1/sips", all_exited_ok, "big", 10000));
    CU_ASSERT_EQUAL(sipctl("logs big/b", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "big: 131072 bytes"));
    free(out);
    CU_ASSERT_EQUAL(sipctl("delete big", &out), 0);
    free(out);
}

static bool placed_as_asked(json_t *sips, const void *arg)
{
    (void)arg;
    json_t *a = find_row(sips, "id", "labels/z2/0"), *b = find_row(sips, "id", "labels/none/0");
    return a && b && !strcmp(sfield(a, "observed"), "exited") && !strcmp(sfield(a, "node"), "n2") &&
           !strcmp(sfield(b, "observed"), "pending") && strstr(sfield(b, "error"), "1 lack labels") == NULL &&
           strstr(sfield(b, "error"), "3 lack labels");
}

/* Node labels steer placement; a SIP no node fits stays pending with the reason. */
static void test_label_placement(void)
{
    write_file("labels.yaml", "app: labels\nsips:\n"
               "  - {name: z2, module: build/sips/tests/orchestrator/sips/ticker.wasm, args: ['1'],"
               " placement: {labels: {zone: z2}}}\n"
               "  - {name: none, module: build/sips/tests/orchestrator/sips/ticker.wasm,"
               " placement: {labels: {zone: mars}}}\n");
    char cmd[256], *out = NULL;
    snprintf(cmd, sizeof cmd, "apply -f %s/labels.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL_FATAL(sipctl(cmd, &out), 0);
    free(out);
    CU_ASSERT(wait_for("/api/v1/sips", placed_as_asked, NULL, 10000));
    CU_ASSERT_EQUAL(sipctl("describe sip labels/none", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unplaceable: no node fits none"));
    free(out);
    CU_ASSERT_EQUAL(sipctl("delete labels", &out), 0);
    free(out);
}

static bool restarted_4(json_t *sips, const void *id)
{
    json_t *r = find_row(sips, "id", id);
    return r && json_integer_value(json_object_get(r, "restarts")) >= 4;
}

static void test_crash_loop_backoff(void)
{
    write_file("crash.yaml", "app: crash\nsips:\n  - name: c\n    module: build/sips/tests/orchestrator/sips/crasher.wasm\n"
                             "    restart: {policy: on-failure, backoff_ms: 100, max_backoff_ms: 400}\n");
    char cmd[256], *out = NULL;
    snprintf(cmd, sizeof cmd, "apply -f %s/crash.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL_FATAL(sipctl(cmd, &out), 0);
    free(out);
    long long t0 = tp_ms();
    CU_ASSERT_FATAL(wait_for("/api/v1/sips", restarted_4, "crash/c/0", 10000));
    long long took = tp_ms() - t0;
    /* back-off 100 + 200 + 400 (+ the 4th is only scheduled): at least 700 ms */
    CU_ASSERT(took >= 650);
    json_t *ev = tp_get_json(http_port, "/api/v1/events");
    int delays[8], n = 0;
    size_t i;
    json_t *r;
    json_array_foreach(ev, i, r) {
        const char *m = sfield(r, "message");
        int k, d;
        if (!strcmp(sfield(r, "object"), "crash/c/0") && n < 8 &&
            sscanf(m, "restart #%d (on-failure) in %d ms", &k, &d) == 2)
            delays[n++] = d;
    }
    json_decref(ev);
    CU_ASSERT(n >= 4);
    if (n >= 4) {
        CU_ASSERT_EQUAL(delays[0], 100);
        CU_ASSERT_EQUAL(delays[1], 200);
        CU_ASSERT_EQUAL(delays[2], 400);
        CU_ASSERT_EQUAL(delays[3], 400);       /* capped */
    }
    CU_ASSERT_EQUAL(sipctl("logs crash/c/0", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "crasher: failing on purpose"));
    free(out);
    CU_ASSERT_EQUAL(sipctl("delete crash", &out), 0);
    free(out);
}

/* How many times nodes logged "started ID" (each create that ran). */
static int times_started(const char *id)
{
    int n = 0;
    char pat[160];
    snprintf(pat, sizeof pat, "started %s\n", id);
    for (int i = 1; i <= 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d.err", i);
        char *t = tp_read(name);
        for (char *p = t; (p = strstr(p, pat)); p++)
            n++;
        free(t);
    }
    return n;
}

static void test_orchd_kill9_mid_deploy(void)
{
    write_file("tick.yaml", "app: tick\nsips:\n"
               "  - {name: a, module: build/sips/tests/orchestrator/sips/ticker.wasm, memory: 8M}\n"
               "  - {name: b, module: build/sips/tests/orchestrator/sips/ticker.wasm, memory: 8M}\n"
               "  - {name: c, module: build/sips/tests/orchestrator/sips/ticker.wasm, memory: 8M, replicas: 2,"
               " placement: {anti_affinity: [c]}}\n");
    char cmd[256], *out = NULL;
    snprintf(cmd, sizeof cmd, "apply -f %s/tick.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL_FATAL(sipctl(cmd, &out), 0);
    free(out);
    usleep(60000);                    /* some creates sent, maybe not all */
    tp_kill(orchd_pid, SIGKILL);
    usleep(300000);
    start_orchd();
    const char *ids[] = { "tick/a/0", "tick/b/0", "tick/c/0", "tick/c/1" };
    for (int i = 0; i < 4; i++)
        CU_ASSERT(wait_for("/api/v1/sips", sip_running, ids[i], 10000));
    sleep(4);                         /* resends and reconciliation have run by now */
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(times_started(ids[i]), 1);
    }
    json_t *sips = tp_get_json(http_port, "/api/v1/sips?app=tick");
    CU_ASSERT_EQUAL(json_array_size(sips), 4);
    CU_ASSERT_STRING_NOT_EQUAL(sfield(find_row(sips, "id", "tick/c/0"), "node"),
                               sfield(find_row(sips, "id", "tick/c/1"), "node"));
    json_decref(sips);
    CU_ASSERT_EQUAL(sipctl("logs tick/a/0", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "tick 3\n"));
    free(out);
}

static bool http_up(json_t *j, const void *arg) { (void)arg; return json_is_array(j); }

/* A create lost on the way (orchd restarted with --fault-drop-creates 1): the node's
 * heartbeats do not list the SIP, so orchd sends the create again; it runs once. */
static void test_lost_create_is_sent_again(void)
{
    tp_kill(orchd_pid, SIGTERM);
    start_orchd_with("1");
    CU_ASSERT_FATAL(wait_for("/api/v1/nodes", http_up, NULL, 5000));
    write_file("lost.yaml", "app: lost\nsips:\n  - {name: t, module: build/sips/tests/orchestrator/sips/ticker.wasm, memory: 8M}\n");
    char cmd[256], *out = NULL;
    snprintf(cmd, sizeof cmd, "apply -f %s/lost.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL_FATAL(sipctl(cmd, &out), 0);
    free(out);
    long long t0 = tp_ms();
    CU_ASSERT(wait_for("/api/v1/sips", sip_running, "lost/t/0", 10000));
    CU_ASSERT(tp_ms() - t0 >= 2500);          /* it took the resend, not the first create */
    usleep(500000);
    CU_ASSERT_EQUAL(times_started("lost/t/0"), 1);
    json_t *ev = tp_get_json(http_port, "/api/v1/events");
    char *text = json_dumps(ev, 0);
    CU_ASSERT(text && strstr(text, "does not know it: create sent again"));
    free(text);
    json_decref(ev);
    CU_ASSERT_EQUAL(sipctl("delete lost", &out), 0);
    free(out);
}

static bool moved_off(json_t *sips, const void *arg)
{
    const char *const *a = arg;       /* { id, old node } */
    json_t *r = find_row(sips, "id", a[0]);
    return r && !strcmp(sfield(r, "observed"), "running") && json_is_string(json_object_get(r, "node")) &&
           strcmp(sfield(r, "node"), a[1]);
}

static void test_node_death_reschedules(void)
{
    json_t *sips = tp_get_json(http_port, "/api/v1/sips");
    json_t *r = find_row(sips, "id", "tick/a/0");
    char node[16] = "";
    snprintf(node, sizeof node, "%s", sfield(r, "node"));
    json_decref(sips);
    CU_ASSERT_FATAL(node[0] == 'n');
    int idx = node[1] - '1';
    CU_ASSERT_FATAL(idx >= 0 && idx < 3);
    long long t0 = tp_ms();
    tp_kill(node_pids[idx], SIGKILL);
    node_pids[idx] = 0;
    const char *arg[2] = { "tick/a/0", node };
    CU_ASSERT(wait_for("/api/v1/sips", moved_off, arg, 8000));
    /* declared dead only after the dead time (1 s) without heartbeats, and in good time */
    CU_ASSERT(tp_ms() - t0 < 6000);
    json_t *ev = tp_get_json(http_port, "/api/v1/events");
    int silent = -1;
    size_t i;
    json_t *e;
    json_array_foreach(ev, i, e)
        if (!strcmp(sfield(e, "object"), node))
            sscanf(sfield(e, "message"), "dead: no heartbeat for %d ms", &silent);
    json_decref(ev);
    CU_ASSERT(silent >= 1000);
    json_t *nodes = tp_get_json(http_port, "/api/v1/nodes");
    CU_ASSERT_STRING_EQUAL(sfield(find_row(nodes, "id", node), "state"), "dead");
    json_decref(nodes);
    /* replica c/1 and c/0 are anti-affine: with two live nodes they still both run */
    CU_ASSERT(wait_for("/api/v1/sips", sip_running, "tick/c/0", 5000));
    CU_ASSERT(wait_for("/api/v1/sips", sip_running, "tick/c/1", 5000));
    char *text = tp_get_text(http_port, "/metrics");
    CU_ASSERT(text && strstr(text, "orchd_node_deaths_total 1\n"));
    CU_ASSERT(text && strstr(text, "orchd_nodes{state=\"dead\"} 1\n"));
    free(text);
}

static bool group_moved(json_t *sips, const void *arg)
{
    const char *old = arg;
    json_t *srv = find_row(sips, "id", "loop/server/0"), *cl = find_row(sips, "id", "loop/client/0");
    return srv && cl && !strcmp(sfield(srv, "observed"), "running") && !strcmp(sfield(cl, "observed"), "running") &&
           json_is_string(json_object_get(srv, "node")) && strcmp(sfield(srv, "node"), old);
}

static int count(const char *text, const char *pat)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, pat)); p++)
        n++;
    return n;
}

static void test_channel_group_follows_dead_node(void)
{
    node_pids[3] = start_node(3);                 /* n4 replaces the node killed before */
    CU_ASSERT_FATAL(wait_for("/api/v1/nodes", n_ready, (void *)3L, 10000));
    write_file("loop.yaml", "app: loop\ncontracts: [contracts/lib/echo.contract]\nsips:\n"
               "  - {name: server, module: build/sips/echo_server.wasm, restart: always,\n"
               "     endpoints: [{name: clients, contract: Echo}]}\n"
               "  - {name: client, module: build/sips/tests/orchestrator/sips/echo_loop.wasm,\n"
               "     restart: {policy: on-failure, backoff_ms: 100}, placement: {anti_affinity: [server]},\n"
               "     endpoints: [{name: server, contract: Echo}]}\n"
               "channels:\n  - {from: client.server, to: server.clients, contract: Echo}\n");
    char cmd[256], *out = NULL;
    snprintf(cmd, sizeof cmd, "apply -f %s/loop.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL_FATAL(sipctl(cmd, &out), 0);
    free(out);
    CU_ASSERT_FATAL(wait_for("/api/v1/sips", sip_running, "loop/client/0", 10000));
    usleep(500000);
    json_t *sips = tp_get_json(http_port, "/api/v1/sips?app=loop");
    char node[16] = "";
    snprintf(node, sizeof node, "%s", sfield(find_row(sips, "id", "loop/server/0"), "node"));
    /* client is placed first (name order); the server must still avoid it: symmetric rule */
    CU_ASSERT_STRING_NOT_EQUAL(node, sfield(find_row(sips, "id", "loop/client/0"), "node"));
    json_decref(sips);
    json_t *ch = tp_get_json(http_port, "/api/v1/channels");
    json_int_t old_chan = json_integer_value(json_object_get(find_row(ch, "app", "loop"), "id"));
    json_decref(ch);
    int idx = node[0] == 'n' ? node[1] - '1' : -1;
    CU_ASSERT_FATAL(idx >= 0 && idx < 4 && node_pids[idx] > 0);
    tp_kill(node_pids[idx], SIGKILL);
    node_pids[idx] = 0;
    CU_ASSERT_FATAL(wait_for("/api/v1/sips", group_moved, node, 10000));
    sips = tp_get_json(http_port, "/api/v1/sips?app=loop");
    CU_ASSERT_STRING_NOT_EQUAL(sfield(find_row(sips, "id", "loop/server/0"), "node"),
                               sfield(find_row(sips, "id", "loop/client/0"), "node"));
    json_decref(sips);
    ch = tp_get_json(http_port, "/api/v1/channels");
    CU_ASSERT(json_integer_value(json_object_get(find_row(ch, "app", "loop"), "id")) != old_chan);
    json_decref(ch);
    sleep(1);
    CU_ASSERT_EQUAL(sipctl("logs loop/client/0", &out), 0);
    CU_ASSERT(count(out, "echo: ping 1\n") >= 2);     /* ran, then ran again from the start */
    CU_ASSERT(count(out, "echo: ping 3\n") >= 2);     /* and talks to the moved server */
    free(out);
    json_t *ev = tp_get_json(http_port, "/api/v1/events");
    char *evtext = json_dumps(ev, 0);
    CU_ASSERT(evtext && strstr(evtext, "channel group [server, client] restarts together"));
    free(evtext);
    json_decref(ev);
    CU_ASSERT_EQUAL(sipctl("delete loop", &out), 0);
    free(out);
}

/* A node frozen (SIGSTOP) past the dead time loses its SIP to another node; when it wakes
 * up (SIGCONT) orchd stops its stale copy: one copy runs, not two. */
static void test_frozen_node_comes_back(void)
{
    json_t *sips = tp_get_json(http_port, "/api/v1/sips");
    char node[16] = "";
    snprintf(node, sizeof node, "%s", sfield(find_row(sips, "id", "tick/b/0"), "node"));
    json_decref(sips);
    int idx = node[0] == 'n' ? node[1] - '1' : -1;
    CU_ASSERT_FATAL(idx >= 0 && idx < 4 && node_pids[idx] > 0);
    int starts = times_started("tick/b/0");
    kill(node_pids[idx], SIGSTOP);
    const char *arg[2] = { "tick/b/0", node };
    bool moved = wait_for("/api/v1/sips", moved_off, arg, 8000);
    kill(node_pids[idx], SIGCONT);
    CU_ASSERT_FATAL(moved);
    sleep(2);
    char name[16];
    snprintf(name, sizeof name, "%s.err", node);
    char *log = tp_read(name);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "stopping tick/b/0: not placed on this node"));
    free(log);
    CU_ASSERT_EQUAL(times_started("tick/b/0"), starts + 1);     /* once more, on the new node */
    json_t *nodes = tp_get_json(http_port, "/api/v1/nodes");
    CU_ASSERT_STRING_EQUAL(sfield(find_row(nodes, "id", node), "state"), "ready");
    json_decref(nodes);
    sips = tp_get_json(http_port, "/api/v1/sips");
    json_t *r = find_row(sips, "id", "tick/b/0");
    CU_ASSERT_STRING_EQUAL(sfield(r, "observed"), "running");
    CU_ASSERT_STRING_NOT_EQUAL(sfield(r, "node"), node);
    json_decref(sips);
}

static void test_status_page_in_chromium(void)
{
    if (access("/usr/bin/chromium", X_OK)) {
        fprintf(stderr, "\n  chromium not installed (make deps): checking the page text only\n");
        char *page = tp_get_text(http_port, "/");
        CU_ASSERT(page && strstr(page, "<table id=\"nodes\">") && strstr(page, "tick/a/0"));
        free(page);
        return;
    }
    char cmd[1024], *dom = NULL;
    snprintf(cmd, sizeof cmd, "timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run "
             "--disable-background-networking --disable-component-update --disable-sync "
             "--user-data-dir=%s/chromium --dump-dom http://127.0.0.1:%d/ 2>/dev/null", tp_tmpdir(), http_port);
    CU_ASSERT_EQUAL(tp_run(cmd, &dom), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dom);
    CU_ASSERT_PTR_NOT_NULL(strstr(dom, "<h1>Multiplicity cluster</h1>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dom, "live nodes"));
    char *nodes = strstr(dom, "id=\"nodes\""), *sips = strstr(dom, "id=\"sips\"");
    CU_ASSERT(nodes && sips && nodes < sips);
    if (nodes && sips) {
        *sips = 0;                 /* nodes table: the three nodes, one dead */
        CU_ASSERT(strstr(nodes, "<td>n1</td>") && strstr(nodes, "<td>n2</td>") && strstr(nodes, "<td>n3</td>"));
        CU_ASSERT_PTR_NOT_NULL(strstr(nodes, "<td>dead</td>"));
        *sips = 'i';
        CU_ASSERT_PTR_NOT_NULL(strstr(sips, "<td>tick/a/0</td>"));
        CU_ASSERT_PTR_NOT_NULL(strstr(sips, "<td>running</td>"));
    }
    free(dom);
}

/* ---- incarnations: orchd matches a node's reports to instances, not clocks ------------ */

typedef struct fake_node {          /* a node played by the test over orch.proto */
    void *ctx, *sock;
    long long next_hb;
    uint64_t hb_seq;
} fake_node;

static void fake_send(fake_node *f, Orch__NodeToOrch *m)
{
    size_t len = orch__node_to_orch__get_packed_size(m);
    uint8_t *buf = malloc(len + 1);
    orch__node_to_orch__pack(m, buf);
    zmq_send(f->sock, buf, len, 0);
    free(buf);
}

static void fake_report(fake_node *f, const char *sip_id, Orch__SipState st, int code,
                        uint64_t incarnation, long long clock_offset_ms)
{
    Orch__SipStatus s = ORCH__SIP_STATUS__INIT;
    s.sip_id = (char *)sip_id;
    s.state = st;
    s.exit_code = code;
    s.error = st == ORCH__SIP_STATE__SIP_TRAPPED ? "trap on purpose" : "";
    s.incarnation = incarnation;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s.changed_at_ms = (uint64_t)((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms);
    Orch__SipReport r = ORCH__SIP_REPORT__INIT;
    r.status = &s;
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_SIP_REPORT;
    m.sip_report = &r;
    fake_send(f, &m);
}

/* Heartbeats (no SIP list) for ms; the incarnation of the first SipCreate for sip_id
 * that arrives meanwhile (0: none). Returns early once one came if stop_on_create. */
static uint64_t fake_pump(fake_node *f, const char *sip_id, int ms, bool stop_on_create)
{
    uint64_t inc = 0;
    long long end = tp_ms() + ms;
    while (tp_ms() < end && !(inc && stop_on_create)) {
        if (tp_ms() >= f->next_hb) {
            Orch__NodeHeartbeat h = ORCH__NODE_HEARTBEAT__INIT;
            h.node_id = "skewed";
            h.seq = ++f->hb_seq;
            Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
            m.body_case = ORCH__NODE_TO_ORCH__BODY_HEARTBEAT;
            m.heartbeat = &h;
            fake_send(f, &m);
            f->next_hb = tp_ms() + 150;
        }
        zmq_pollitem_t it = { f->sock, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&it, 1, 20) <= 0)
            continue;
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, f->sock, 0) >= 0) {
            Orch__OrchToNode *a = orch__orch_to_node__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
            if (a && a->body_case == ORCH__ORCH_TO_NODE__BODY_SIP_CREATE &&
                !strcmp(a->sip_create->sip_id, sip_id) && !inc)
                inc = a->sip_create->incarnation;
            if (a)
                orch__orch_to_node__free_unpacked(a, NULL);
        }
        zmq_msg_close(&msg);
    }
    return inc;
}

static const char *observed_of(const char *id, char *buf, size_t len)
{
    json_t *sips = tp_get_json(http_port, "/api/v1/sips");
    snprintf(buf, len, "%s", sfield(find_row(sips, "id", id), "observed"));
    json_decref(sips);
    return buf;
}

/* A node whose clock is an hour ahead of orchd's (and then reports times an hour behind):
 * orchd records the ends of its short-lived SIP anyway, because it matches each report to
 * the SIP's incarnation; a report about the previous incarnation, arriving after the
 * restart, is ignored however recent its time. The node is played by the test. */
static void test_incarnations_not_clocks(void)
{
    fake_node f = { 0 };
    f.ctx = zmq_ctx_new();
    f.sock = zmq_socket(f.ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(f.sock, ZMQ_LINGER, &linger, sizeof linger);
    CU_ASSERT_FATAL(zmq_connect(f.sock, orch_addr) == 0);
    Orch__Label lab = ORCH__LABEL__INIT;
    lab.key = "zone";
    lab.value = "skewed";
    Orch__Label *labs[1] = { &lab };
    Orch__Register r = ORCH__REGISTER__INIT;
    r.identity = "skewed";
    r.mac = "52:54:00:00:00:99";
    r.memory_bytes = 256u << 20;
    r.cpus = 1;
    r.labels = labs;
    r.n_labels = 1;
    r.boot_id = 99;
    r.platform = "hosted";
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_REGISTER;
    m.register_ = &r;
    fake_send(&f, &m);
    fake_pump(&f, "", 300, false);
    write_file("skew.yaml", "app: skew\nsips:\n  - name: s\n    module: build/sips/tests/orchestrator/sips/crasher.wasm\n"
                            "    placement: {labels: {zone: skewed}}\n"
                            "    restart: {policy: on-failure, backoff_ms: 100}\n");
    char cmd[256], *out = NULL, obs[32];
    snprintf(cmd, sizeof cmd, "apply -f %s/skew.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL(sipctl(cmd, &out), 0);
    free(out);
    const long long HOUR = 3600 * 1000;
    uint64_t inc1 = fake_pump(&f, "skew/s/0", 3000, true);
    CU_ASSERT(inc1 > 0);
    fake_report(&f, "skew/s/0", ORCH__SIP_STATE__SIP_RUNNING, 0, inc1, HOUR);
    fake_pump(&f, "", 200, false);
    CU_ASSERT_STRING_EQUAL(observed_of("skew/s/0", obs, sizeof obs), "running");
    /* it fails at once; the node's clock says an hour from now */
    fake_report(&f, "skew/s/0", ORCH__SIP_STATE__SIP_TRAPPED, 0, inc1, HOUR);
    uint64_t inc2 = fake_pump(&f, "skew/s/0", 3000, true);     /* restarted: a new create */
    CU_ASSERT(inc2 > inc1);
    json_t *sips = tp_get_json(http_port, "/api/v1/sips");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(find_row(sips, "id", "skew/s/0"), "restarts")), 1);
    json_decref(sips);
    fake_report(&f, "skew/s/0", ORCH__SIP_STATE__SIP_RUNNING, 0, inc2, -HOUR);
    /* late news about the first instance, stamped "now" by a correct clock: stale */
    fake_report(&f, "skew/s/0", ORCH__SIP_STATE__SIP_EXITED, 7, inc1, 0);
    fake_report(&f, "skew/s/0", ORCH__SIP_STATE__SIP_TRAPPED, 0, 0, 0);      /* no incarnation */
    fake_pump(&f, "", 300, false);
    CU_ASSERT_STRING_EQUAL(observed_of("skew/s/0", obs, sizeof obs), "running");
    /* the current one ends; its time is an hour in the past */
    fake_report(&f, "skew/s/0", ORCH__SIP_STATE__SIP_EXITED, 0, inc2, -HOUR);
    fake_pump(&f, "", 300, false);
    CU_ASSERT_STRING_EQUAL(observed_of("skew/s/0", obs, sizeof obs), "exited");
    sips = tp_get_json(http_port, "/api/v1/sips");
    json_t *row = find_row(sips, "id", "skew/s/0");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "exit_code")), 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "restarts")), 1);
    json_decref(sips);
    CU_ASSERT_EQUAL(sipctl("delete skew", &out), 0);
    free(out);
    zmq_close(f.sock);
    zmq_ctx_term(f.ctx);
}

static bool sip_exited(json_t *sips, const void *id)
{
    json_t *r = find_row(sips, "id", id);
    return r && !strcmp(sfield(r, "observed"), "exited");
}

/* A real sipnode whose reported times are an hour behind (SIPNODE_CLOCK_OFFSET_MS):
 * a SIP that ends well within a second of its start is recorded as exited. */
static void test_skewed_sipnode_short_sip(void)
{
    char nc[64];
    snprintf(nc, sizeof nc, "tcp://127.0.0.1:%d", tp_free_port());
    char *argv[] = { "build/bin/sipnode", "--orch", orch_addr, "--orch-id", "late", "--orch-nc", nc,
                     "--orch-label", "zone=late", NULL };
    setenv("SIPNODE_CLOCK_OFFSET_MS", "-3600000", 1);
    pid_t late = tp_spawn("late", argv);
    unsetenv("SIPNODE_CLOCK_OFFSET_MS");
    CU_ASSERT_FATAL(late > 0);
    write_file("late.yaml", "app: late\nsips:\n  - name: t\n    module: build/sips/tests/orchestrator/sips/ticker.wasm\n"
                            "    args: [\"2\"]\n    placement: {labels: {zone: late}}\n");
    char cmd[256], *out = NULL;
    snprintf(cmd, sizeof cmd, "apply -f %s/late.yaml", tp_tmpdir());
    CU_ASSERT_EQUAL(sipctl(cmd, &out), 0);
    free(out);
    CU_ASSERT(wait_for("/api/v1/sips", sip_exited, "late/t/0", 10000));
    json_t *sips = tp_get_json(http_port, "/api/v1/sips");
    json_t *row = find_row(sips, "id", "late/t/0");
    CU_ASSERT_STRING_EQUAL(sfield(row, "node"), "late");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "exit_code")), 0);
    json_decref(sips);
    CU_ASSERT_EQUAL(sipctl("delete late", &out), 0);
    free(out);
    tp_kill(late, SIGTERM);
}

/* ---- orchd played by the test: a sipnode and incarnations ------------------------------ */

typedef struct fake_orchd {
    void *ctx, *sock;
    uint8_t ident[256]; size_t identlen;
    uint8_t *module; size_t module_len; uint8_t hash[32];
    int registered;
    /* the SipReports seen: state, incarnation, error */
    int n; Orch__SipState state[64]; uint64_t inc[64]; char error[64][96];
} fake_orchd;

static void fo_send(fake_orchd *f, Orch__OrchToNode *m)
{
    size_t len = orch__orch_to_node__get_packed_size(m);
    uint8_t *buf = malloc(len + 1);
    orch__orch_to_node__pack(m, buf);
    zmq_send(f->sock, f->ident, f->identlen, ZMQ_SNDMORE);
    zmq_send(f->sock, buf, len, 0);
    free(buf);
}

/* Handle what the node sends for ms: registration, module fetches, reports (recorded). */
static void fo_pump(fake_orchd *f, int ms)
{
    long long end = tp_ms() + ms;
    while (tp_ms() < end) {
        zmq_pollitem_t it = { f->sock, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&it, 1, 20) <= 0)
            continue;
        uint8_t buf[1 << 16];
        int il = zmq_recv(f->sock, f->ident, sizeof f->ident, 0);
        int more = 0;
        size_t ml = sizeof more;
        zmq_getsockopt(f->sock, ZMQ_RCVMORE, &more, &ml);
        if (il <= 0 || !more)
            continue;
        f->identlen = (size_t)il;
        int n = zmq_recv(f->sock, buf, sizeof buf, 0);
        Orch__NodeToOrch *m = n >= 0 ? orch__node_to_orch__unpack(NULL, (size_t)n, buf) : NULL;
        if (!m)
            continue;
        Orch__OrchToNode a = ORCH__ORCH_TO_NODE__INIT;
        if (m->body_case == ORCH__NODE_TO_ORCH__BODY_REGISTER) {
            Orch__RegisterAck ack = ORCH__REGISTER_ACK__INIT;
            ack.accepted = 1;
            ack.node_id = m->register_->identity;
            ack.heartbeat_interval_ms = 200;
            a.body_case = ORCH__ORCH_TO_NODE__BODY_REGISTER_ACK;
            a.register_ack = &ack;
            fo_send(f, &a);
            f->registered = 1;
        } else if (m->body_case == ORCH__NODE_TO_ORCH__BODY_MODULE_FETCH) {
            Orch__ModuleData d = ORCH__MODULE_DATA__INIT;
            d.hash.data = f->hash;
            d.hash.len = 32;
            d.found = 1;
            d.total_size = f->module_len;
            d.data.data = f->module;
            d.data.len = f->module_len;
            a.body_case = ORCH__ORCH_TO_NODE__BODY_MODULE_DATA;
            a.module_data = &d;
            fo_send(f, &a);
        } else if (m->body_case == ORCH__NODE_TO_ORCH__BODY_SIP_REPORT && m->sip_report->status && f->n < 64) {
            f->state[f->n] = m->sip_report->status->state;
            f->inc[f->n] = m->sip_report->status->incarnation;
            snprintf(f->error[f->n], sizeof f->error[0], "%s", m->sip_report->status->error);
            f->n++;
        }
        orch__node_to_orch__free_unpacked(m, NULL);
    }
}

static void fo_create(fake_orchd *f, const char *id, uint64_t incarnation)
{
    Orch__SipCreate c = ORCH__SIP_CREATE__INIT;
    c.sip_id = (char *)id;
    c.app = "repl";
    c.name = "t";
    c.module_hash.data = f->hash;
    c.module_hash.len = 32;
    c.start = 1;
    c.incarnation = incarnation;
    Orch__OrchToNode m = ORCH__ORCH_TO_NODE__INIT;
    m.request_id = incarnation;
    m.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_CREATE;
    m.sip_create = &c;
    fo_send(f, &m);
}

static int fo_seen(fake_orchd *f, Orch__SipState st, uint64_t incarnation)
{
    int n = 0;
    for (int i = 0; i < f->n; i++)
        n += f->state[i] == st && f->inc[i] == incarnation;
    return n;
}

static int count_in(const char *text, const char *pat)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, pat)); p++)
        n++;
    return n;
}

/* A create with a newer incarnation for a SIP the node still runs: the node ends the old
 * instance (its end reported with the old incarnation) and runs the new one; the same
 * create sent again is only answered. Every report echoes its incarnation. */
static void test_node_replaces_old_incarnation(void)
{
    static const char mod[] = "build/sips/tests/orchestrator/sips/ticker.wasm";
    fake_orchd *f = calloc(1, sizeof *f);
    char cmd[256], *out = NULL, addr[64];
    snprintf(cmd, sizeof cmd, "sha256sum %s", mod);
    CU_ASSERT_FATAL(tp_run(cmd, &out) == 0 && out && strlen(out) >= 64);
    for (int i = 0; i < 32; i++)
        sscanf(out + 2 * i, "%2hhx", &f->hash[i]);
    free(out);
    FILE *mf = fopen(mod, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mf);
    f->module = malloc(1 << 20);
    f->module_len = fread(f->module, 1, 1 << 20, mf);
    fclose(mf);
    f->ctx = zmq_ctx_new();
    f->sock = zmq_socket(f->ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(f->sock, ZMQ_LINGER, &linger, sizeof linger);
    snprintf(addr, sizeof addr, "tcp://127.0.0.1:%d", tp_free_port());
    pid_t pid = -1;
    if (zmq_bind(f->sock, addr) == 0) {
        char *argv[] = { "build/bin/sipnode", "--orch", addr, "--orch-id", "repl", NULL };
        pid = tp_spawn("repl", argv);
    }
    CU_ASSERT(pid > 0);
    for (int i = 0; pid > 0 && i < 100 && !f->registered; i++)
        fo_pump(f, 50);
    CU_ASSERT(f->registered);
    if (f->registered) {
        fo_create(f, "repl/t/0", 1);
        for (int i = 0; i < 100 && !fo_seen(f, ORCH__SIP_STATE__SIP_RUNNING, 1); i++)
            fo_pump(f, 50);
        CU_ASSERT(fo_seen(f, ORCH__SIP_STATE__SIP_RUNNING, 1) == 1);
        fo_create(f, "repl/t/0", 2);            /* orchd made a new instance */
        for (int i = 0; i < 100 && !fo_seen(f, ORCH__SIP_STATE__SIP_RUNNING, 2); i++)
            fo_pump(f, 50);
        CU_ASSERT(fo_seen(f, ORCH__SIP_STATE__SIP_RUNNING, 2) == 1);
        int killed = -1;
        for (int i = 0; i < f->n; i++)
            if (f->state[i] == ORCH__SIP_STATE__SIP_KILLED)
                killed = i;
        CU_ASSERT(killed >= 0 && f->inc[killed] == 1 && strstr(f->error[killed], "newer incarnation"));
        fo_create(f, "repl/t/0", 2);            /* the same create again: answered, not run */
        fo_pump(f, 400);
        CU_ASSERT(fo_seen(f, ORCH__SIP_STATE__SIP_RUNNING, 2) == 2);
        CU_ASSERT(fo_seen(f, ORCH__SIP_STATE__SIP_KILLED, 2) == 0);
    }
    if (pid > 0)
        tp_kill(pid, SIGTERM);
    char *log = tp_read("repl.err");
    CU_ASSERT_EQUAL(count_in(log, "started repl/t/0\n"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "repl/t/0 incarnation 2 replaces 1"));
    free(log);
    zmq_close(f->sock);
    zmq_ctx_term(f->ctx);
    free(f->module);
    free(f);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("cluster", setup, teardown);
    CU_add_test(s, "pipeline across three nodes", test_pipeline_across_nodes);
    CU_add_test(s, "invalid manifest changes nothing", test_invalid_manifest);
    CU_add_test(s, "bad frames and requests", test_bad_frames_and_requests);
    CU_add_test(s, "module in chunks", test_module_in_chunks);
    CU_add_test(s, "label placement", test_label_placement);
    CU_add_test(s, "crash loop honours back-off", test_crash_loop_backoff);
    CU_add_test(s, "orchd kill -9 mid-deploy", test_orchd_kill9_mid_deploy);
    CU_add_test(s, "lost create is sent again", test_lost_create_is_sent_again);
    CU_add_test(s, "node death reschedules", test_node_death_reschedules);
    CU_add_test(s, "channel group follows a dead node", test_channel_group_follows_dead_node);
    CU_add_test(s, "frozen node comes back", test_frozen_node_comes_back);
    CU_add_test(s, "status page in headless chromium", test_status_page_in_chromium);
    CU_add_test(s, "incarnations, not clocks: skewed node, stale report", test_incarnations_not_clocks);
    CU_add_test(s, "skewed sipnode: a short SIP's end is recorded", test_skewed_sipnode_short_sip);
    CU_add_test(s, "a node replaces an old incarnation, answers a repeated create", test_node_replaces_old_incarnation);
    int rc = cunit_run_all("build/tests/orchestrator/test_cluster");
    tp_cleanup();           /* also if a suite setup failed */
    return rc;
}
