/* tests/core/wasm: WebAssembly SIPs on a kernel -- the example apps end to end (logs, exit
 * codes) and the hostile SIP zoo (each contained, the others keep running, nothing leaks).
 * Modules come from $(BUILD)/sips (built by the SDK rules before this program). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "tests/cunit_main.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/hosted/deploy.h"
#include "node-kernel/hosted/loglines.h"
#include "node-kernel/hosted/runloop.h"
#include "node-kernel/core/platform.h"
#include "node-kernel/core/wasm_sip.h"
#include "tests/core/wasm/bad_modules.h"

#ifndef SIPS_DIR
#define SIPS_DIR "build/sips"
#endif

/* ---- a kernel that records logs and endings ------------------------------------------- */

typedef struct ending {
    char name[SIP_NAME_MAX];
    sip_end end;
    int32_t code;
    char fault[192];
} ending;

static kernel *K;
static deployment D;
static char logbuf[65536];
static size_t loglen;
static ending endings[64];
static int nendings;

static void add_line(void *arg, const sip *s, const char *line, size_t n)
{
    int w = snprintf(logbuf + loglen, sizeof logbuf - loglen, "[%s] %.*s\n", s->name, (int)n, line);
    if (w > 0 && loglen + (size_t)w < sizeof logbuf)
        loglen += (size_t)w;
}

static void on_log(void *arg, sip *s, int fd, const char *text, size_t n)
{
    loglines_feed(s, text, n, add_line, NULL);
}

static void on_exit_cb(void *arg, sip *s)
{
    loglines_flush(s, add_line, NULL);
    if (nendings == 64)
        return;
    ending *e = &endings[nendings++];
    snprintf(e->name, sizeof e->name, "%s", s->name);
    e->end = s->end;
    e->code = s->exit_code;
    snprintf(e->fault, sizeof e->fault, "%s", s->fault);
}

static const ending *ending_of(const char *name)
{
    for (int i = 0; i < nendings; i++)
        if (!strcmp(endings[i].name, name))
            return &endings[i];
    return NULL;
}

static void setup(void)
{
    K = kernel_new(0);
    K->on_log = on_log;
    K->on_exit = on_exit_cb;
    memset(&D, 0, sizeof D);
    loglen = 0;
    logbuf[0] = 0;
    nendings = 0;
}

static void teardown(void)
{
    kernel_free(K);
    K = NULL;
    deploy_free(&D);
}

static void check_invariant(void)
{
    char why[256];
    int r = kernel_check(K, why, sizeof why);
    if (r)
        fprintf(stderr, "\ninvariant: %s\n", why);
    CU_ASSERT_EQUAL(r, 0);
}

/* Deploy manifest text; returns 0 or prints the error. */
static int deploy_text(const char *text)
{
    manifest m;
    char err[512];
    if (manifest_parse(text, "test.sipm", &m, err, sizeof err)) {
        fprintf(stderr, "\nmanifest: %s\n", err);
        return -1;
    }
    int r = deploy(K, &m, &D, err, sizeof err);
    if (r)
        fprintf(stderr, "\ndeploy: %s\n", err);
    manifest_free(&m);
    return r;
}

static void expect_exit(const char *name, int32_t code)
{
    const ending *e = ending_of(name);
    CU_ASSERT_PTR_NOT_NULL(e);
    if (!e)
        return;
    if (e->end != SIP_END_EXIT || e->code != code)
        fprintf(stderr, "\n%s: end %d code %d fault '%s'\n", name, e->end, e->code, e->fault);
    CU_ASSERT_EQUAL(e->end, SIP_END_EXIT);
    CU_ASSERT_EQUAL(e->code, code);
}

static void expect_trap(const char *name, const char *why)
{
    const ending *e = ending_of(name);
    CU_ASSERT_PTR_NOT_NULL(e);
    if (!e)
        return;
    if (e->end != SIP_END_TRAP || !strstr(e->fault, why))
        fprintf(stderr, "\n%s: end %d fault '%s' (want a trap with '%s')\n", name, e->end, e->fault, why);
    CU_ASSERT_EQUAL(e->end, SIP_END_TRAP);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->fault, why));
}

static void expect_log(const char *text)
{
    if (!strstr(logbuf, text))
        fprintf(stderr, "\nlog lacks '%s'; log:\n%s\n", text, logbuf);
    CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, text));
}

/* The memory bomb either sees malloc fail and exits, or traps on the memory limit. */
static void membomb_ended(void)
{
    const ending *e = ending_of("membomb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    if (e->end == SIP_END_EXIT)
        expect_log("[membomb] membomb: malloc refused after");
    else
        expect_trap("membomb", "memory");
}

static void run_to_end(void)
{
    kernel_run(K, 1000000);
    CU_ASSERT_EQUAL(K->nsips_live, 0);
    check_invariant();
    CU_ASSERT_EQUAL(K->heap.live_blocks, 0);
    CU_ASSERT_EQUAL(K->live_endpoints, 0);
}

/* ---- the example apps ------------------------------------------------------------------ */

#define M(x) SIPS_DIR "/" x

static void test_echo(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy_text(
        "contract contracts/lib/echo.contract\n"
        "sip server " M("echo_server.wasm") "\n"
        "sip client " M("echo_client.wasm") " one two\n"
        "channel Echo client.server server.clients\n"), 0);
    run_to_end();
    expect_exit("client", 0);
    expect_exit("server", 0);
    expect_log("[client] echo: one");
    expect_log("[client] echo: two");
    expect_log("[server] served 2 requests");
}

static void test_kv(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy_text(
        "contract contracts/lib/keyvalue.contract\n"
        "sip store " M("kv_server.wasm") "\n"
        "sip client " M("kv_client.wasm") "\n"
        "channel KeyValue client.store store.clients\n"), 0);
    run_to_end();
    expect_exit("client", 0);
    expect_exit("store", 0);
    expect_log("all answers right");
}

static void test_pipeline(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy_text(
        "contract sips/apps/stage.contract\n"
        "sip source " M("pipe_source.wasm") " 20\n"
        "sip upper " M("pipe_upper.wasm") "\n"
        "sip sink " M("pipe_sink.wasm") "\n"
        "channel Stage source.down upper.up\n"
        "channel Stage upper.down sink.up\n"), 0);
    run_to_end();
    expect_exit("source", 0);
    expect_exit("upper", 0);
    expect_exit("sink", 0);
    expect_log("[sink] sink: #19 ITEM 20 OF 20");
    expect_log("sink: 20 blocks, in order");
}

static void test_endpoint_pass(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy_text(
        "contract contracts/lib/echo.contract\n"
        "contract contracts/lib/endpointpass.contract\n"
        "sip broker " M("ep_broker.wasm") "\n"
        "sip client " M("ep_client.wasm") "\n"
        "channel EndpointPass client.broker broker.clients\n"), 0);
    run_to_end();
    expect_exit("client", 0);
    expect_exit("broker", 0);
    expect_log("client: echo over passed endpoint: work");
    expect_log("broker: echoed 3 requests");
}

static void test_bad_module_refused(void)
{
    FILE *f = fopen("build/tests/core/not_a_module.wasm", "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("\0asm garbage", f);
    fclose(f);
    manifest m;
    char err[512] = "";
    int parsed = manifest_parse("sip x build/tests/core/not_a_module.wasm\n", "t", &m, err, sizeof err);
    CU_ASSERT_EQUAL(parsed, 0);
    if (parsed == 0) {
        CU_ASSERT_EQUAL(deploy(K, &m, &D, err, sizeof err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "not_a_module.wasm"));
        manifest_free(&m);
    }
    remove("build/tests/core/not_a_module.wasm");   /* on every path */
    CU_ASSERT_EQUAL(K->nsips_live, 0);
}

/* ---- the hostile SIP zoo ---------------------------------------------------------------- */

#define Z(x) SIPS_DIR "/tests/core/zoo/" x

static void test_zoo(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy_text(
        "contract contracts/lib/echo.contract\n"
        /* bystanders: an echo pair that must finish normally */
        "sip server " M("echo_server.wasm") "\n"
        "sip client " M("echo_client.wasm") " still alive\n"
        "channel Echo client.server server.clients\n"
        "sip loop " Z("loop.wasm") "\n"
        "quota loop fuel=20000\n"
        "sip membomb " Z("membomb.wasm") "\n"
        "quota membomb memory=8M\n"
        "sip heapbomb " Z("heapbomb.wasm") "\n"
        "quota heapbomb heap=1M\n"
        "sip oob " Z("oob.wasm") "\n"
        "sip stack " Z("stack.wasm") "\n"
        "sip violator " Z("violator.wasm") "\n"
        "sip vserver " M("echo_server.wasm") "\n"
        "channel Echo violator.server vserver.clients\n"
        "sip uas " Z("use_after_send.wasm") "\n"
        "sip uaserver " M("echo_server.wasm") "\n"
        "channel Echo uas.server uaserver.clients\n"
        "sip double_free " Z("double_free.wasm") "\n"
        "sip forged " Z("forged.wasm") "\n"
        "sip bad_pointer " Z("bad_pointer.wasm") "\n"), 0);
    /* run until only the looper is left (bounded), then give it some more slices */
    for (int i = 0; i < 2000 && K->nsips_live > 1; i++)
        kernel_run(K, 100);
    kernel_run(K, 50);
    /* everyone but the looper is done; the looper is still being preempted */
    CU_ASSERT_EQUAL(K->nsips_live, 1);
    sip *loop = sip_by_name(K, "loop");
    CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
    CU_ASSERT(loop->slices > 10);
    CU_ASSERT(loop->fuel_used > 10 * 20000ull - 1);
    check_invariant();
    sip_kill(loop, "test over");
    CU_ASSERT_EQUAL(K->nsips_live, 0);

    expect_exit("client", 0);
    expect_exit("server", 0);
    expect_log("[client] echo: alive");
    membomb_ended();
    expect_exit("heapbomb", 0);
    expect_log("[heapbomb] heapbomb: got 16 blocks of 64 KiB, 9984 refused");
    expect_trap("oob", "out of bounds");
    const ending *st = ending_of("stack");
    CU_ASSERT(st && st->end == SIP_END_TRAP);
    expect_trap("violator", "contract");
    expect_exit("vserver", 0);                    /* its peer trapped: it saw the close */
    expect_trap("uas", "block_write");
    expect_exit("uaserver", 0);
    expect_trap("double_free", "block_free");
    expect_trap("forged", "block_read");
    expect_trap("bad_pointer", "pointer outside");
    check_invariant();
    CU_ASSERT_EQUAL(K->heap.live_blocks, 0);
    CU_ASSERT_EQUAL(K->heap.used_bytes, 0);
    CU_ASSERT_EQUAL(K->live_endpoints, 0);
}

static void test_membomb_quota(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy_text(
        "sip membomb " Z("membomb.wasm") "\n"
        "quota membomb memory=4M\n"), 0);
    run_to_end();
    membomb_ended();
    /* 4 MiB of linear memory: program data + stack + heap leave room for under 4 MiB */
    const char *p = strstr(logbuf, "after ");
    if (p)
        CU_ASSERT(atoi(p + 6) < 4);
}

static void expect_refused(const uint8_t *bytes, size_t len, const char *why)
{
    char err[256] = "";
    wasm_module *m = wasm_sip_load_module(bytes, len, err, sizeof err);
    CU_ASSERT_PTR_NULL(m);
    if (m)
        wasm_module_free(m);
    if (!strstr(err, why))
        fprintf(stderr, "\n got '%s', want '%s'\n", err, why);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
}

static void test_forbidden_imports_refused(void)
{
    expect_refused(BAD_IMPORT, sizeof BAD_IMPORT, "\"env.evil\" is not allowed");
    expect_refused(BAD_SIP, sizeof BAD_SIP, "sip.launch_missiles is not a function of the sip ABI");
    expect_refused(BAD_SIG, sizeof BAD_SIG, "sip.send has the wrong signature");
    expect_refused((const uint8_t *)"\0asm\1\0\0\0\1", 9, "malformed");
}

/* Run sipnode as a process; returns its exit status and its combined output in out. */
static int run_sipnode(const char *args, char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "build/bin/sipnode %s 2>&1", args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_sipnode_program(void)
{
    char out[8192];
    CU_ASSERT_EQUAL(run_sipnode("sips/apps/echo.sipm", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "[client] echo: hello\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "sipnode: server exited with status 0"));
    CU_ASSERT_EQUAL(run_sipnode("-q sips/apps/endpoint_pass.sipm", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "[client] client: echo over passed endpoint: work"));
    /* a hostile SIP makes the node's status 1, but the node reports it and finishes */
    CU_ASSERT_EQUAL(run_sipnode(Z("double_free.wasm"), out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "sipnode: double_free trapped: block_free: invalid handle"));
    /* usage and deployment errors: status 2 and a clear message */
    CU_ASSERT_EQUAL(run_sipnode("", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "usage: sipnode"));
    CU_ASSERT_EQUAL(run_sipnode("/nonexistent.sipm", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "/nonexistent.sipm: No such file"));
}

/* A sleeping SIP is off the run queue until its deadline; the node sleeps meanwhile. */
static void test_sleeper(void)
{
    CU_ASSERT_EQUAL_FATAL(deploy_text("sip sleeper " Z("sleeper.wasm") "\n"), 0);
    sip *s = sip_by_name(K, "sleeper");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    uint64_t t0 = plat_time_ns(1);
    kernel_run(K, 0);
    CU_ASSERT_EQUAL(K->nsips_live, 1);               /* asleep, not runnable: idle */
    CU_ASSERT_FALSE(kernel_busy(K));
    CU_ASSERT(kernel_next_wake(K) > t0);
    CU_ASSERT(s->slices <= 2);
    CU_ASSERT_EQUAL(hosted_run(K), 0);
    uint64_t t1 = plat_time_ns(1);
    CU_ASSERT(t1 - t0 >= 60000000ull);
    expect_exit("sleeper", 0);
    expect_log("[sleeper] sleeper: woke up 3 times");
    check_invariant();
    CU_ASSERT_EQUAL(K->nsleepers, 0);
}

/* 40 chaos SIPs with different seeds beside an echo pair: each ends (exit or trap), the
 * pair finishes normally, and the kernel is left clean. */
static void test_chaos(void)
{
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text,
        "contract contracts/lib/echo.contract\n"
        "contract contracts/lib/keyvalue.contract\n"
        "sip server " M("echo_server.wasm") "\n"
        "sip client " M("echo_client.wasm") " through the storm\n"
        "channel Echo client.server server.clients\n");
    for (int i = 1; i <= 40; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "sip chaos%d " Z("chaos.wasm") " %d\n"
                              "quota chaos%d heap=2M handles=128\n", i, i * 7919, i);
    CU_ASSERT_EQUAL_FATAL(deploy_text(text), 0);
    run_to_end();
    expect_exit("client", 0);
    expect_exit("server", 0);
    expect_log("[client] echo: storm");
    int ended = 0;
    for (int i = 0; i < nendings; i++)
        if (!strncmp(endings[i].name, "chaos", 5))
            ended++;
    CU_ASSERT_EQUAL(ended, 40);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite a = CU_add_suite_with_setup_and_teardown("wasm apps", NULL, NULL, setup, teardown);
    CU_add_test(a, "echo", test_echo);
    CU_add_test(a, "key-value store", test_kv);
    CU_add_test(a, "three-stage pipeline", test_pipeline);
    CU_add_test(a, "endpoint passing", test_endpoint_pass);
    CU_add_test(a, "a bad module is refused clearly", test_bad_module_refused);
    CU_add_test(a, "a sleeping SIP is not scheduled", test_sleeper);
    CU_add_test(a, "forbidden imports are refused at load", test_forbidden_imports_refused);
    CU_add_test(a, "the sipnode program", test_sipnode_program);
    CU_pSuite z = CU_add_suite_with_setup_and_teardown("hostile SIP zoo", NULL, NULL, setup, teardown);
    CU_add_test(z, "every hostile SIP is contained", test_zoo);
    CU_add_test(z, "memory bomb stays within quotas", test_membomb_quota);
    CU_add_test(z, "40 SIPs making random system calls", test_chaos);
    return cunit_run_all("build/tests/core/test_wasm_sips");
}
