/* sipnode's manifest parser: a full example, and every kind of error with its line. */
#include <string.h>
#include "tests/core/fixture.h"
#include "node-kernel/hosted/manifest.h"

static const char GOOD[] =
    "# an echo pair\n"
    "contract contracts/lib/echo.contract\n"
    "sip server build/sips/echo_server.wasm\n"
    "sip client build/sips/echo_client.wasm hello world   # two args\n"
    "env client GREETING=hi MODE=x\n"
    "quota server memory=16M fuel=5000 heap=64K handles=32\n"
    "\n"
    "channel Echo client.server server.clients\n";

static void test_good(void)
{
    manifest m;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(manifest_parse(GOOD, "good.sipm", &m, err, sizeof err), 0);
    CU_ASSERT_EQUAL(m.ncontracts, 1);
    CU_ASSERT_EQUAL(m.nsips, 2);
    CU_ASSERT_STRING_EQUAL(m.sips[1].name, "client");
    CU_ASSERT_EQUAL(m.sips[1].argc, 3);
    CU_ASSERT_STRING_EQUAL(m.sips[1].argv[0], "client");
    CU_ASSERT_STRING_EQUAL(m.sips[1].argv[2], "world");
    CU_ASSERT_EQUAL(m.sips[1].envc, 2);
    CU_ASSERT_EQUAL(m.sips[0].quota.memory_bytes, 16u << 20);
    CU_ASSERT_EQUAL(m.sips[0].quota.fuel_slice, 5000);
    CU_ASSERT_EQUAL(m.sips[0].quota.heap_bytes, 65536);
    CU_ASSERT_EQUAL(m.sips[0].quota.handles, 32);
    CU_ASSERT_EQUAL(m.nchans, 1);
    CU_ASSERT_EQUAL(m.chans[0].imp_sip, 1);
    CU_ASSERT_EQUAL(m.chans[0].exp_sip, 0);
    CU_ASSERT_STRING_EQUAL(m.chans[0].imp_name, "server");
    CU_ASSERT_STRING_EQUAL(m.chans[0].exp_name, "clients");
    manifest_free(&m);
}

static void expect_error(const char *text, const char *want)
{
    manifest m;
    char err[256] = "";
    CU_ASSERT_EQUAL(manifest_parse(text, "bad.sipm", &m, err, sizeof err), -1);
    if (!strstr(err, want))
        fprintf(stderr, "\n  got '%s', want '%s'\n", err, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
}

static void test_errors(void)
{
    expect_error("", "bad.sipm:0: no SIPs");
    expect_error("sip a x.wasm\nfrobnicate\n", "bad.sipm:2: unknown directive 'frobnicate'");
    expect_error("sip a x.wasm\nsip a y.wasm\n", "bad.sipm:2: sip: 'a' declared twice");
    expect_error("sip a/b x.wasm\n", "bad.sipm:1: sip: bad name");
    expect_error("sip a\n", "bad.sipm:1: sip: expected a name and a module");
    expect_error("sip a x.wasm\nenv b K=V\n", "bad.sipm:2: env: unknown SIP 'b'");
    expect_error("sip a x.wasm\nenv a novalue\n", "bad.sipm:2: env: expected KEY=value");
    expect_error("sip a x.wasm\nquota a memory=lots\n", "bad.sipm:2: quota");
    expect_error("sip a x.wasm\nquota a colour=3\n", "bad.sipm:2: quota: unknown key");
    expect_error("sip a x.wasm\nquota a handles=99999\n", "bad.sipm:2: quota");
    expect_error("sip a x.wasm\nchannel Echo a.x b.y\n", "bad.sipm:2: channel: unknown SIP 'b'");
    expect_error("sip a x.wasm\nchannel Echo a b.y\n", "bad.sipm:2: channel: expected SIP.endpoint");
    expect_error("sip a x.wasm\nchannel Echo a.x\n", "bad.sipm:2: channel: expected CONTRACT");
    expect_error("sip a x.wasm\nsip b y.wasm\nchannel E a.x b.y\nchannel E a.x b.z\n",
                 "bad.sipm:4: channel: endpoint name already wired (line 3)");
    expect_error("contract\nsip a x.wasm\n", "bad.sipm:1: contract: expected one file name");
}

static void test_load_missing_file(void)
{
    manifest m;
    char err[256];
    CU_ASSERT_EQUAL(manifest_load("/nonexistent/dir/x.sipm", &m, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
}

/* Random lines built from manifest words and junk: the parser must answer 0 or -1 with a
 * message, never crash (run under ASan/valgrind to see memory errors). */
static void test_random_input(void)
{
    static const char *words[] = { "sip", "contract", "env", "quota", "channel", "a", "b",
        "a.x", "b.y", "x.wasm", "memory=4M", "fuel=0", "heap=1Q", "K=V", "=", ".", "#",
        "handles=70000", "Echo", "\t", "a.", ".x", "\r", "verylongname_verylongname_verylongname_x" };
    unsigned seed = 12345;
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        char text[512];
        size_t n = 0;
        int nwords = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 14;
        for (int w = 0; w < nwords && n < sizeof text - 64; w++) {
            seed = seed * 1103515245u + 12345u;
            const char *word = words[(seed >> 16) % (sizeof words / sizeof words[0])];
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", word, (seed >> 8) % 4 ? " " : "\n");
        }
        text[n] = 0;
        manifest m;
        char err[256] = "";
        if (manifest_parse(text, "rand", &m, err, sizeof err) == 0) {
            ok++;
            manifest_free(&m);
        } else {
            bad++;
            CU_ASSERT(strncmp(err, "rand:", 5) == 0);
        }
    }
    CU_ASSERT(ok + bad == 3000);
}

void register_manifest_tests(void)
{
    CU_pSuite s = CU_add_suite("sipnode manifest", NULL, NULL);
    CU_add_test(s, "a complete manifest", test_good);
    CU_add_test(s, "errors name file, line and reason", test_errors);
    CU_add_test(s, "missing file", test_load_missing_file);
    CU_add_test(s, "random input never crashes", test_random_input);
}
