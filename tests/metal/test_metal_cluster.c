/* test_metal_cluster.c: the metal kernel as a cluster node, booted in QEMU (KVM when
 * usable, else TCG):
 *   - the example applications of sips/apps, run from the manifests embedded in the
 *     image, print what sipnode prints for them (sipnode is run here for comparison);
 *   - with orch=PORT it registers with an orchestrator stand-in on 127.0.0.1 (reached
 *     as 10.0.2.2), heartbeats, fetches modules by hash (whole and in chunks), runs the
 *     SIPs it is told to -- two of them wired by a local channel -- and reports their
 *     ends and logs; unknown and malformed modules and a stop are reported as such, a
 *     channel to a node that never answers closes, and a garbage frame is dropped;
 *   - a wrong join token is refused and the node says so; after an orchestrator restart
 *     the node registers again;
 *   - with the real orchestrator daemon (orchd), `sipctl apply` runs an application on
 *     the node and `sipctl logs` shows its output; and a channel connects a SIP on the
 *     metal node to a SIP on a hosted sipnode, and SIPs on two metal nodes (netchan).
 * No test may see "PANIC" on the console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "tests/metal/qemu_vm.h"
#include "tests/metal/orch_standin.h"
#include "tests/metal/orchd_proc.h"
#include <time.h>
#include "netchan/proto/orch.pb-c.h"

#define BOOT_TIMEOUT_S 150

static int contains(const char *out, const char *text) { return strstr(out, text) != NULL; }

static const char *const apps[] = { "echo", "kv", "pipeline", "endpoint_pass" };
#define NAPPS (sizeof apps / sizeof *apps)

/* sipnode's stdout for one application (malloc'd), run from the repository root. */
static char *sipnode_output(const char *app)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s sips/apps/%s.sipm 2>/dev/null",
             getenv("MULT_SIPNODE") ? getenv("MULT_SIPNODE") : "build/bin/sipnode", app);
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t got;
    while (n + 1 < cap && (got = fread(out + n, 1, cap - 1 - n, p)) > 0) n += got;
    out[n] = 0;
    int status = pclose(p);
    if (status != 0) { free(out); return NULL; }
    return out;
}

/* Every line of `expected` appears in `log` between `from` and `to`, and the lines of each
 * SIP ("[name] ...") appear in the same order as in sipnode. */
static int same_lines(const char *expected, const char *from, const char *to, const char *app)
{
    struct { char name[64]; const char *pos; } last[8];
    int nlast = 0, ok = 1;
    for (const char *line = expected; *line; ) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char want[1100];
        snprintf(want, sizeof want, "%.*s\n", (int)len, line);
        char name[64] = "";
        sscanf(want, "[%63[^]]", name);
        int i = 0;
        while (i < nlast && strcmp(last[i].name, name)) i++;
        if (i == nlast && nlast < 8) { snprintf(last[nlast].name, sizeof last[nlast].name, "%s", name); last[nlast++].pos = from; }
        const char *at = strstr(last[i].pos, want);
        if (!at || at >= to) { fprintf(stderr, "\napp %s: sipnode line not seen on metal (in order): %s", app, want); ok = 0; }
        else last[i].pos = at + strlen(want);
        line = nl ? nl + 1 : line + len;
    }
    return ok;
}

static void test_apps_like_sipnode(void)
{
    char *expected[NAPPS];
    for (size_t i = 0; i < NAPPS; i++) {
        expected[i] = sipnode_output(apps[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(expected[i]);
        CU_ASSERT(strlen(expected[i]) > 0);
    }
    struct qemu_vm vm;
    CU_ASSERT_EQUAL_FATAL(qemu_start(&vm, qemu_accel(), "virtio", "app=echo,kv,pipeline,endpoint_pass,nosuch"), 0);
    int seen = qemu_wait_for(&vm, "APP nosuch:", BOOT_TIMEOUT_S);
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    CU_ASSERT(seen);
    for (size_t i = 0; i < NAPPS; i++) {
        char start[64], end[64];
        snprintf(start, sizeof start, "APP %s: deployed", apps[i]);
        snprintf(end, sizeof end, "APP %s: finished, status 0", apps[i]);
        const char *a = strstr(out, start), *b = a ? strstr(a, end) : NULL;
        CU_ASSERT_PTR_NOT_NULL(a);
        CU_ASSERT_PTR_NOT_NULL(b);
        if (a && b) CU_ASSERT(same_lines(expected[i], a, b, apps[i]));
        free(expected[i]);
    }
    CU_ASSERT(contains(out, "metal: kernel invariant holds"));
    CU_ASSERT(!contains(out, "invariant broken"));
    CU_ASSERT(contains(out, "APP nosuch: sips/apps/nosuch.sipm: No such file"));
    CU_ASSERT(!contains(out, "PANIC"));
    if (!seen) fprintf(stderr, "\n--- serial log ---\n%s\n---\n", out);
    free(out);
}

enum { S_HELLO, S_CHUNKED, S_SERVER, S_CLIENT, S_MISSING, S_BAD, S_REMOTE, S_STOP, S_COUNT };

static int three_heartbeats(const struct orch_standin *o) { return o->heartbeats >= 3; }

static void test_orchestrated_node(void)
{
    static struct orch_standin o;
    memset(&o, 0, sizeof o);
    o.token = "s3cret";
    const char *hello = "build/sips/node-kernel/metal/sips/hello_metal.wasm";
    o.sips[S_HELLO]   = (struct standin_sip){ .id = "demo/hello/0", .name = "hello", .module = hello };
    o.sips[S_CHUNKED] = (struct standin_sip){ .id = "demo/hello/1", .name = "hello2", .module = hello };
    o.sips[S_SERVER]  = (struct standin_sip){ .id = "echo/server/0", .name = "server", .module = "build/sips/echo_server.wasm",
                                              .channel = 7, .imp = 0, .bind_name = "clients", .contract = "Echo" };
    o.sips[S_CLIENT]  = (struct standin_sip){ .id = "echo/client/0", .name = "client", .module = "build/sips/echo_client.wasm",
                                              .args = { "over", "the", "cluster" }, .chunk = 4096,
                                              .channel = 7, .imp = 1, .bind_name = "server", .contract = "Echo" };
    o.sips[S_MISSING] = (struct standin_sip){ .id = "demo/missing/0", .name = "missing", .module = NULL };
    o.sips[S_BAD]     = (struct standin_sip){ .id = "demo/bad/0", .name = "bad", .module = "sips/apps/echo.sipm" };
    o.sips[S_REMOTE]  = (struct standin_sip){ .id = "demo/remote/0", .name = "remote", .module = "build/sips/echo_client.wasm",
                                              .channel = 9, .imp = 1, .bind_name = "server", .contract = "Echo",
                                              .peer_node = "some-other-node" };
    o.sips[S_STOP]    = (struct standin_sip){ .id = "demo/waiter/0", .name = "waiter", .module = "build/sips/echo_server.wasm",
                                              .channel = 11, .imp = 0, .bind_name = "clients", .contract = "Echo",
                                              .stop_when_created = 1 };
    o.nsips = S_COUNT;
    CU_ASSERT_EQUAL_FATAL(orch_standin_start(&o), 0);
    char append[128];
    snprintf(append, sizeof append, "orch=%d token=s3cret labels=zone=lab,rack=2", o.port);
    struct qemu_vm vm;
    if (qemu_start(&vm, qemu_accel(), "virtio", append) != 0) { orch_standin_stop(&o); CU_FAIL_FATAL("qemu"); }
    int finished = orch_standin_wait(&o, BOOT_TIMEOUT_S);
    int beating = orch_standin_wait_for(&o, three_heartbeats, 20);
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    orch_standin_stop(&o);

    CU_ASSERT(finished);
    CU_ASSERT_EQUAL(o.registers, 1);
    CU_ASSERT_EQUAL(o.refused, 0);
    CU_ASSERT_STRING_EQUAL(o.identity, "metal-525400123456");
    CU_ASSERT_STRING_EQUAL(o.mac, "52:54:00:12:34:56");
    CU_ASSERT_STRING_EQUAL(o.platform, "metal");
    CU_ASSERT_STRING_EQUAL(o.address, "tcp://10.0.2.15:5600");
    CU_ASSERT(contains(o.labels, "zone=lab;") && contains(o.labels, "rack=2;"));
    CU_ASSERT(o.memory > (1u << 20));
    CU_ASSERT(beating);
    CU_ASSERT(o.heartbeats >= 3);
    CU_ASSERT(o.heartbeat_sips >= 1);
    CU_ASSERT_EQUAL(o.bad_frames, 0);
    /* two SIPs of one module (fetched once); the client's module came in 4 KiB chunks */
    for (int i = S_HELLO; i <= S_CHUNKED; i++) {
        CU_ASSERT_EQUAL(o.sips[i].state, ORCH__SIP_STATE__SIP_EXITED);
        CU_ASSERT_EQUAL(o.sips[i].exit_code, 7);
        CU_ASSERT(o.sips[i].create_answered);
        CU_ASSERT(contains(o.sips[i].log, "hello from SIP "));
    }
    CU_ASSERT(o.fetches >= 6);
    /* echo over a channel wired on the node */
    CU_ASSERT_EQUAL(o.sips[S_SERVER].state, ORCH__SIP_STATE__SIP_EXITED);
    CU_ASSERT_EQUAL(o.sips[S_SERVER].exit_code, 0);
    CU_ASSERT_EQUAL(o.sips[S_CLIENT].state, ORCH__SIP_STATE__SIP_EXITED);
    CU_ASSERT_EQUAL(o.sips[S_CLIENT].exit_code, 0);
    CU_ASSERT(contains(o.sips[S_CLIENT].log, "echo: over\necho: the\necho: cluster\n"));
    CU_ASSERT(contains(o.sips[S_SERVER].log, "served 3 requests"));
    /* failures, each with its reason */
    CU_ASSERT_EQUAL(o.sips[S_MISSING].state, ORCH__SIP_STATE__SIP_FAILED);
    CU_ASSERT(contains(o.sips[S_MISSING].error, "not found"));
    CU_ASSERT_EQUAL(o.sips[S_BAD].state, ORCH__SIP_STATE__SIP_FAILED);
    CU_ASSERT(strlen(o.sips[S_BAD].error) > 0);
    /* its channel goes through netchan to a node that never answers: declared dead, the
     * channel closes, the client gives up (echo_client exits 1) */
    CU_ASSERT_EQUAL(o.sips[S_REMOTE].state, ORCH__SIP_STATE__SIP_EXITED);
    CU_ASSERT_EQUAL(o.sips[S_REMOTE].exit_code, 1);
    CU_ASSERT(contains(out, "netchan[metal-525400123456]: node some-other-node declared dead"));
    CU_ASSERT_EQUAL(o.sips[S_STOP].state, ORCH__SIP_STATE__SIP_KILLED);
    CU_ASSERT(contains(o.sips[S_STOP].error, "stopped by the test"));
    /* the console */
    CU_ASSERT(contains(out, "ORCH: registered as metal-525400123456"));
    CU_ASSERT(contains(out, "ORCH: dropped a message that is not an OrchToNode"));
    CU_ASSERT(contains(out, "[hello] "));
    CU_ASSERT(!contains(out, "PANIC"));
    if (getenv("MULT_METAL_SHOW")) fprintf(stderr, "\nnode clock minus host clock: %lld ms\n", (long long)o.skew_ms);
    if (!finished || getenv("MULT_METAL_SHOW")) {
        fprintf(stderr, "\n--- serial log ---\n%s\n---\n", out);
        for (int i = 0; i < S_COUNT; i++)
            fprintf(stderr, "%s: state %d exit %d error '%s'\n", o.sips[i].id, o.sips[i].state,
                    o.sips[i].exit_code, o.sips[i].error);
    }
    free(out);
}

static void test_wrong_token_refused(void)
{
    static struct orch_standin o;
    memset(&o, 0, sizeof o);
    o.token = "right";
    CU_ASSERT_EQUAL_FATAL(orch_standin_start(&o), 0);
    char append[64];
    snprintf(append, sizeof append, "orch=10.0.2.2:%d token=wrong", o.port);
    struct qemu_vm vm;
    if (qemu_start(&vm, qemu_accel(), "virtio", append) != 0) { orch_standin_stop(&o); CU_FAIL_FATAL("qemu"); }
    int seen = qemu_wait_for(&vm, "ORCH: registration refused", BOOT_TIMEOUT_S);
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    orch_standin_stop(&o);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "registration refused: bad join token"));
    CU_ASSERT(o.refused >= 1);
    CU_ASSERT_EQUAL(o.heartbeats, 0);
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static int waiter_created(const struct orch_standin *o) { return o->sips[0].state == ORCH__SIP_STATE__SIP_CREATED; }
static int registered(const struct orch_standin *o) { return o->registers > 0 && o->heartbeats > 0; }

/* The orchestrator goes away and comes back on the same port: the node notices, connects
 * again, registers again and lists the SIP it still holds. */
static void test_orchestrator_restart(void)
{
    static struct orch_standin first, second;
    memset(&first, 0, sizeof first);
    memset(&second, 0, sizeof second);
    first.sips[0] = (struct standin_sip){ .id = "keep/waiter/0", .name = "waiter", .module = "build/sips/echo_server.wasm",
                                          .channel = 5, .imp = 0, .bind_name = "clients", .contract = "Echo" };
    first.nsips = 1;
    CU_ASSERT_EQUAL_FATAL(orch_standin_start(&first), 0);
    char append[64];
    snprintf(append, sizeof append, "orch=%d", first.port);
    struct qemu_vm vm;
    if (qemu_start(&vm, qemu_accel(), "virtio", append) != 0) { orch_standin_stop(&first); CU_FAIL_FATAL("qemu"); }
    int created = orch_standin_wait_for(&first, waiter_created, BOOT_TIMEOUT_S);
    orch_standin_stop(&first);
    second.want_port = first.port;
    int restarted = orch_standin_start(&second) == 0;
    int again = restarted && orch_standin_wait_for(&second, registered, 60);
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    orch_standin_stop(&second);
    CU_ASSERT(created);
    CU_ASSERT(restarted);
    CU_ASSERT(again);
    CU_ASSERT_EQUAL(first.registers, 1);
    CU_ASSERT_EQUAL(second.registers, 1);
    CU_ASSERT_STRING_EQUAL(second.identity, "metal-525400123456");
    CU_ASSERT(contains(second.register_sips, "keep/waiter/0=1;"));
    CU_ASSERT(contains(out, "ORCH: link down"));
    CU_ASSERT(!contains(out, "PANIC"));
    if (!again) fprintf(stderr, "\n--- serial log ---\n%s\n---\n", out);
    free(out);
}

static int settled(const struct orch_standin *o) { return o->finished && o->heartbeats >= 12; }

/* Hundreds of random and truncated frames on the orchestrator link, then twenty SIPs at
 * once: the node drops the garbage, runs all twenty, and its heap comes back to where it
 * was (the one module it keeps cached aside). */
static void test_garbage_then_many_sips(void)
{
    static struct orch_standin o;
    memset(&o, 0, sizeof o);
    o.fuzz_frames = 300;
    o.copies = 20;
    o.sips[0] = (struct standin_sip){ .id = "many/hello/0", .name = "hello",
                                      .module = "build/sips/node-kernel/metal/sips/hello_metal.wasm" };
    o.nsips = 1;
    CU_ASSERT_EQUAL_FATAL(orch_standin_start(&o), 0);
    char append[64];
    snprintf(append, sizeof append, "orch=%d", o.port);
    struct qemu_vm vm;
    if (qemu_start(&vm, qemu_accel(), "virtio", append) != 0) { orch_standin_stop(&o); CU_FAIL_FATAL("qemu"); }
    int done = orch_standin_wait_for(&o, settled, BOOT_TIMEOUT_S);
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    orch_standin_stop(&o);
    CU_ASSERT(done);
    CU_ASSERT_EQUAL(o.sips[0].ended, 20);
    CU_ASSERT_EQUAL(o.sips[0].state, ORCH__SIP_STATE__SIP_EXITED);
    CU_ASSERT_EQUAL(o.sips[0].exit_code, 7);
    CU_ASSERT_EQUAL(o.registers, 1);
    CU_ASSERT(contains(out, "ORCH: dropped a message that is not an OrchToNode"));
    CU_ASSERT(o.mem_first > 0);
    CU_ASSERT(o.mem_last < o.mem_first + (512u << 10));     /* the cached module: ~150 KiB */
    CU_ASSERT(!contains(out, "PANIC"));
    if (!done || getenv("MULT_METAL_SHOW"))
        fprintf(stderr, "\nheap used: first heartbeat %llu, last %llu; ended %d\n",
                (unsigned long long)o.mem_first, (unsigned long long)o.mem_last, o.sips[0].ended);
    free(out);
}

static const char echo_app[] =
    "app: echo\n"
    "contracts: [contracts/lib/echo.contract]\n"
    "sips:\n"
    "  - name: server\n"
    "    module: build/sips/echo_server.wasm\n"
    "    memory: 8M\n"
    "    endpoints: [{name: clients, contract: Echo}]\n"
    "    placement: {labels: {platform: metal}}\n"
    "  - name: client\n"
    "    module: build/sips/echo_client.wasm\n"
    "    memory: 8M\n"
    "    args: [hello, from, orchd]\n"
    "    endpoints: [{name: server, contract: Echo}]\n"
    "    placement: {labels: {platform: metal}}\n"
    "channels:\n"
    "  - {from: client.server, to: server.clients, contract: Echo}\n";

/* Polls `sipctl ARGS` until its output contains `want` (or timeout_s passes). */
static int sipctl_until(struct orchd_proc *o, const char *args, const char *want, int timeout_s)
{
    for (int i = 0; i < timeout_s * 4; i++) {
        int status;
        char *out = orchd_sipctl(o, args, &status);
        int ok = status == 0 && contains(out, want);
        free(out);
        if (ok) return 1;
        struct timespec ts = { 0, 250 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* The real orchestrator: the node registers with orchd, `sipctl apply` places an echo
 * application on it (label platform=metal), the SIPs run there, their output reaches
 * `sipctl logs` and orchd records both ends (the guest's clock lags the host's by up to
 * a second and both SIPs end within about a second: orchd matches reports by the SIPs'
 * incarnations, not by time). */
static void test_real_orchd(void)
{
    struct orchd_proc o;
    CU_ASSERT_EQUAL_FATAL(orchd_start(&o), 0);
    char append[96];
    snprintf(append, sizeof append, "orch=%d labels=platform=metal", o.node_port);
    struct qemu_vm vm;
    if (qemu_start(&vm, qemu_accel(), "virtio", append) != 0) { orchd_stop(&o); CU_FAIL_FATAL("qemu"); }
    int node = sipctl_until(&o, "get nodes", "metal-525400123456  ready", BOOT_TIMEOUT_S);
    const char *yaml = orchd_write_file(&o, "app.yaml", echo_app);
    char args[192];
    snprintf(args, sizeof args, "apply -f %s", yaml ? yaml : "/nonexistent");
    int status = -1;
    char *applied = node ? orchd_sipctl(&o, args, &status) : calloc(1, 1);
    int ran = node && qemu_wait_for(&vm, "ORCH: SIP echo/server/0 exited with status 0", 60);
    int logs = node && sipctl_until(&o, "logs echo/client/0", "echo: orchd", 20);
    int placed = node && sipctl_until(&o, "get sips", "metal-525400123456", 5);
    int ended = node && sipctl_until(&o, "get sips", "echo/server/0  metal-525400123456  exited  0", 10) &&
                sipctl_until(&o, "get sips", "echo/client/0  metal-525400123456  exited  0", 5);
    char *sips = orchd_sipctl(&o, "get sips", &(int){0});
    char *nodes = orchd_sipctl(&o, "get nodes", &(int){0});
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    orchd_stop(&o);
    CU_ASSERT(node);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT(contains(applied, "applied"));
    CU_ASSERT(placed);
    CU_ASSERT(ran);
    CU_ASSERT(logs);
    CU_ASSERT(ended);
    if (!ended) fprintf(stderr, "\n--- sipctl get sips ---\n%s\n", sips);
    free(sips);
    CU_ASSERT(contains(nodes, "{\"platform\":\"metal\"}"));
    CU_ASSERT(contains(out, "[client] echo: hello\n[client] echo: from\n[client] echo: orchd\n"));
    CU_ASSERT(contains(out, "ORCH: SIP echo/client/0 exited with status 0"));
    CU_ASSERT(!contains(out, "PANIC"));
    if (!ran || !logs) fprintf(stderr, "\n--- serial log ---\n%s\n--- sipctl apply ---\n%s\n---\n", out, applied);
    free(applied);
    free(nodes);
    free(out);
}

static const char cross_app[] =
    "app: cross\n"
    "contracts: [contracts/lib/echo.contract]\n"
    "sips:\n"
    "  - name: server\n"
    "    module: build/sips/echo_server.wasm\n"
    "    memory: 8M\n"
    "    endpoints: [{name: clients, contract: Echo}]\n"
    "    placement: {labels: {role: server}}\n"
    "  - name: client\n"
    "    module: build/sips/echo_client.wasm\n"
    "    memory: 8M\n"
    "    args: [across, two, nodes]\n"
    "    endpoints: [{name: server, contract: Echo}]\n"
    "    placement: {labels: {role: client}}\n"
    "channels:\n"
    "  - {from: client.server, to: server.clients, contract: Echo}\n";

/* netchan between platforms: orchd places an echo server on the metal node and its
 * client on a hosted sipnode; the channel between them crosses nodes (the hosted node
 * reaches the kernel through QEMU's port forwarding, the kernel reaches the host as
 * 10.0.2.2) and the client gets its three answers. */
static void test_channel_metal_to_hosted(void)
{
    struct orchd_proc o;
    CU_ASSERT_EQUAL_FATAL(orchd_start(&o), 0);
    int nc_hosted = orchd_free_port(), nc_metal = orchd_free_port();
    pid_t hosted = orchd_start_sipnode(&o, "hosted-1", nc_hosted, "role=client");
    char append[192];
    snprintf(append, sizeof append, "orch=%d labels=role=server ncaddr=tcp://127.0.0.1:%d hostalias=10.0.2.2",
             o.node_port, nc_metal);
    struct qemu_vm vm;
    if (hosted < 0 || qemu_start_fwd(&vm, qemu_accel(), "virtio", append, nc_metal, nc_metal, NULL) != 0) {
        orchd_stop_pid(hosted);
        orchd_stop(&o);
        CU_FAIL_FATAL("cannot start the hosted node or QEMU");
    }
    int nodes = sipctl_until(&o, "get nodes", "metal-525400123456  ready", BOOT_TIMEOUT_S) &&
                sipctl_until(&o, "get nodes", "hosted-1", 10);
    const char *yaml = orchd_write_file(&o, "app.yaml", cross_app);
    char args[192];
    snprintf(args, sizeof args, "apply -f %s", yaml ? yaml : "/nonexistent");
    int status = -1;
    free(nodes ? orchd_sipctl(&o, args, &status) : NULL);
    int served = nodes && qemu_wait_for(&vm, "[server] served 3 requests", 60);
    int logs = nodes && sipctl_until(&o, "logs cross/client/0", "echo: nodes", 20);
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    orchd_stop_pid(hosted);
    char *hosted_log = orchd_read_file(&o, "hosted-1.log");
    orchd_stop(&o);
    CU_ASSERT(nodes);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT(served);
    CU_ASSERT(logs);
    CU_ASSERT(contains(hosted_log, "[client] echo: across\n[client] echo: two\n[client] echo: nodes\n"));
    CU_ASSERT(contains(hosted_log, "cross/client/0 exited with status 0"));
    CU_ASSERT(contains(out, "metal: server exited with status 0"));
    CU_ASSERT(!contains(out, "PANIC"));
    if (!served || !logs) fprintf(stderr, "\n--- serial log ---\n%s\n--- hosted node ---\n%s\n---\n", out, hosted_log);
    free(out);
    free(hosted_log);
}

/* Two metal nodes (two QEMUs, each reaching the other through the host): orchd puts the
 * server on one and the client on the other, by label, and the channel joins them. */
static void test_channel_metal_to_metal(void)
{
    struct orchd_proc o;
    CU_ASSERT_EQUAL_FATAL(orchd_start(&o), 0);
    static const char *const macs[2] = { "52:54:00:00:00:0a", "52:54:00:00:00:0b" };
    static const char *const labels[2] = { "role=server", "role=client" };
    struct qemu_vm vm[2];
    int started = 0;
    for (int i = 0; i < 2; i++) {
        int port = orchd_free_port();
        char append[192];
        snprintf(append, sizeof append, "orch=%d labels=%s ncaddr=tcp://127.0.0.1:%d hostalias=10.0.2.2",
                 o.node_port, labels[i], port);
        if (qemu_start_fwd(&vm[i], qemu_accel(), "virtio", append, port, port, macs[i]) != 0) break;
        started++;
    }
    if (started < 2) {
        while (started--) qemu_stop(&vm[started]);
        orchd_stop(&o);
        CU_FAIL_FATAL("cannot start two VMs");
    }
    int nodes = sipctl_until(&o, "get nodes", "metal-52540000000a  ready", BOOT_TIMEOUT_S) &&
                sipctl_until(&o, "get nodes", "metal-52540000000b  ready", 30);
    const char *yaml = orchd_write_file(&o, "app.yaml", cross_app);
    char args[192];
    snprintf(args, sizeof args, "apply -f %s", yaml ? yaml : "/nonexistent");
    int status = -1;
    free(nodes ? orchd_sipctl(&o, args, &status) : NULL);
    int served = nodes && qemu_wait_for(&vm[0], "[server] served 3 requests", 60);
    int answered = nodes && qemu_wait_for(&vm[1], "ORCH: SIP cross/client/0 exited with status 0", 30);
    char *out0 = qemu_output(&vm[0]), *out1 = qemu_output(&vm[1]);
    qemu_stop(&vm[0]);
    qemu_stop(&vm[1]);
    orchd_stop(&o);
    CU_ASSERT(nodes);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT(served);
    CU_ASSERT(answered);
    CU_ASSERT(contains(out1, "[client] echo: across\n[client] echo: two\n[client] echo: nodes\n"));
    CU_ASSERT(!contains(out0, "PANIC") && !contains(out1, "PANIC"));
    if (!served || !answered) fprintf(stderr, "\n--- node a ---\n%s\n--- node b ---\n%s\n---\n", out0, out1);
    free(out0);
    free(out1);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("metal cluster node", NULL, NULL);
    CU_add_test(s, "example applications print what sipnode prints", test_apps_like_sipnode);
    CU_add_test(s, "registers, runs and reports orchestrated SIPs", test_orchestrated_node);
    CU_add_test(s, "a wrong join token is refused", test_wrong_token_refused);
    CU_add_test(s, "the node registers again after an orchestrator restart", test_orchestrator_restart);
    CU_add_test(s, "garbage frames, then twenty SIPs at once; heap back afterwards", test_garbage_then_many_sips);
    CU_add_test(s, "the real orchd places an application on the node (sipctl)", test_real_orchd);
    CU_add_test(s, "a channel between a SIP on metal and a SIP on a hosted node", test_channel_metal_to_hosted);
    CU_add_test(s, "a channel between SIPs on two metal nodes", test_channel_metal_to_metal);
    return cunit_run_all("build/tests/metal/test_metal_cluster");
}
