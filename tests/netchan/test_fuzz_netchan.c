/* CUnit wrapper that runs the netchan dispatcher fuzz target (fuzz_dispatch, next to this
 * program) for a short bounded time on seeds made here with protobuf-c: hello, heartbeat,
 * data for both wired ends (a block, an endpoint carrying a queued message), a wrong tag,
 * acks, closes, route updates. It fails on any crash, leak or sanitizer report. The
 * temporary directory is removed afterwards, pass or fail. */
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "netchan/proto/node.pb-c.h"

#define FUZZ_SECONDS "6"

static char tmpdir[] = "/tmp/nc-fuzz-XXXXXX";
static uint8_t seed[8192];
static size_t seed_len;

static void add_frame(Netchan__NodeEnvelope *env)
{
    env->from_node = "P";
    size_t len = netchan__node_envelope__get_packed_size(env);
    if (seed_len + 2 + len > sizeof seed)
        return;
    seed[seed_len++] = (uint8_t)len;
    seed[seed_len++] = (uint8_t)(len >> 8);
    netchan__node_envelope__pack(env, seed + seed_len);
    seed_len += len;
}

static void write_seed(const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/corpus/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(seed, 1, seed_len, f);
        fclose(f);
    }
    seed_len = 0;
}

static void make_seeds(void)
{
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__Hello h = NETCHAN__HELLO__INIT;
    h.wire_version = 1;
    h.node_id = "P";
    h.address = "tcp://127.0.0.1:1";
    h.boot_id = 42;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HELLO;
    env.hello = &h;
    add_frame(&env);

    /* Echo.Ready (tag 2) to end 1/imp, then a Response with a block, then a duplicate */
    Netchan__EndRef to = NETCHAN__END_REF__INIT;
    to.channel_id = 1;
    to.side = NETCHAN__SIDE__SIDE_IMP;
    Netchan__ChannelMessage cm = NETCHAN__CHANNEL_MESSAGE__INIT;
    cm.tag = 2;
    cm.name = "Ready";
    Netchan__ChannelData d = NETCHAN__CHANNEL_DATA__INIT;
    d.to = &to;
    d.seq = 1;
    d.msg = &cm;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_DATA;
    env.data = &d;
    add_frame(&env);
    Netchan__Block blk = NETCHAN__BLOCK__INIT;
    blk.data.data = (uint8_t *)"hello";
    blk.data.len = 5;
    Netchan__Handle hb = NETCHAN__HANDLE__INIT;
    hb.kind_case = NETCHAN__HANDLE__KIND_BLOCK;
    hb.block = &blk;
    Netchan__Handle *hs[1] = { &hb };
    cm.tag = 1;
    cm.name = "Response";
    cm.n_handles = 1;
    cm.handles = hs;
    d.seq = 2;
    add_frame(&env);
    add_frame(&env);
    write_seed("echo");

    /* EndpointPass: Publish (tag 1) carrying an exp<Echo> endpoint with a queued Request */
    add_frame((env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HELLO, env.hello = &h, &env));
    Netchan__EndRef eref = NETCHAN__END_REF__INIT;
    eref.channel_id = 77;
    eref.side = NETCHAN__SIDE__SIDE_EXP;
    Netchan__Location loc = NETCHAN__LOCATION__INIT;
    loc.node_id = "Q";
    loc.address = "tcp://127.0.0.1:2";
    loc.epoch = 1;
    Netchan__ChannelMessage q = NETCHAN__CHANNEL_MESSAGE__INIT;
    q.tag = 0;
    q.name = "Request";
    q.n_handles = 1;
    q.handles = hs;
    Netchan__ChannelMessage *qs[1] = { &q };
    Netchan__EndpointState es = NETCHAN__ENDPOINT_STATE__INIT;
    es.end = &eref;
    es.contract_name = "Echo";
    es.contract_fingerprint = 0;          /* the fuzzer has to find it; also tests refusal */
    es.state = 1;
    es.peer = &loc;
    es.n_queued = 1;
    es.queued = qs;
    es.next_send_seq = 1;
    Netchan__Handle he = NETCHAN__HANDLE__INIT;
    he.kind_case = NETCHAN__HANDLE__KIND_ENDPOINT;
    he.endpoint = &es;
    Netchan__Handle *hs2[2] = { &hb, &he };
    Netchan__ChannelMessage pub = NETCHAN__CHANNEL_MESSAGE__INIT;
    pub.tag = 1;
    pub.name = "Publish";
    pub.n_handles = 2;
    pub.handles = hs2;
    Netchan__EndRef to2 = NETCHAN__END_REF__INIT;
    to2.channel_id = 2;
    to2.side = NETCHAN__SIDE__SIDE_EXP;
    d.to = &to2;
    d.seq = 1;
    d.msg = &pub;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_DATA;
    env.data = &d;
    add_frame(&env);
    write_seed("endpoint");

    /* acks, closes, route updates, a heartbeat */
    Netchan__ChannelAck a = NETCHAN__CHANNEL_ACK__INIT;
    Netchan__EndRef by = NETCHAN__END_REF__INIT;
    by.channel_id = 1;
    by.side = NETCHAN__SIDE__SIDE_EXP;
    a.by = &by;
    a.seq = 3;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_ACK;
    env.ack = &a;
    add_frame(&env);
    Netchan__RouteUpdate ru = NETCHAN__ROUTE_UPDATE__INIT;
    ru.end = &by;
    ru.location = &loc;
    loc.epoch = 2;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_ROUTE_UPDATE;
    env.route_update = &ru;
    add_frame(&env);
    Netchan__ChannelClose c = NETCHAN__CHANNEL_CLOSE__INIT;
    c.to = &to;
    c.from = &by;
    c.reason = NETCHAN__CLOSE_REASON__CLOSE_PEER_EXITED;
    c.last_seq = 0;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_CLOSE;
    env.close = &c;
    add_frame(&env);
    Netchan__Heartbeat hbt = NETCHAN__HEARTBEAT__INIT;
    hbt.nonce = 9;
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hbt;
    add_frame(&env);
    write_seed("control");
}

static void fuzzer_path(char *out, size_t size)
{
    char self[PATH_MAX - 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    snprintf(out, size, "%s/fuzz_dispatch", self);
}

static void test_fuzz_bounded_run(void)
{
    char fuzzer[PATH_MAX], corpus[PATH_MAX], artifacts[PATH_MAX + 32], cmd[PATH_MAX + 16];
    fuzzer_path(fuzzer, sizeof fuzzer);
    CU_ASSERT_EQUAL_FATAL(access(fuzzer, X_OK), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
    snprintf(corpus, sizeof corpus, "%s/corpus", tmpdir);
    snprintf(artifacts, sizeof artifacts, "-artifact_prefix=%s/", tmpdir);
    mkdir(corpus, 0700);
    make_seeds();
    pid_t pid = fork();
    if (pid == 0) {
        execl(fuzzer, fuzzer, corpus, artifacts, "-max_total_time=" FUZZ_SECONDS, "-max_len=4096",
              "-rss_limit_mb=1024", "-timeout=10", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid > 0) {
        for (int waited = 0; waited < 600; waited++) {
            if (waitpid(pid, &status, WNOHANG) == pid)
                break;
            if (waited == 599) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
            }
            usleep(100000);
        }
    }
    CU_ASSERT(pid > 0);
    CU_ASSERT_TRUE(WIFEXITED(status));
    CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("netchan_fuzz", NULL, NULL);
    CU_add_test(s, "bounded libFuzzer run over decode + dispatch", test_fuzz_bounded_run);
    return cunit_run_all("build/tests/netchan/test_fuzz_netchan");
}
