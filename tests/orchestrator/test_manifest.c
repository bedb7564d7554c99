/* Manifest parser tests: a full manifest parses into the expected fields; every kind of
 * invalid manifest is refused with a message naming file, line, field and reason. */
#include <CUnit/CUnit.h>
#include <string.h>
#include "tests/cunit_main.h"
#include "orchestrator/manifest.h"

static const char *good =
    "app: echo\n"
    "contracts: [contracts/lib/echo.contract]\n"
    "sips:\n"
    "  - name: server\n"
    "    module: build/sips/echo_server.wasm\n"
    "    memory: 16M\n"
    "    fuel: 50000\n"
    "    env: {GREETING: hi}\n"
    "    endpoints: [{name: clients, contract: Echo}]\n"
    "    restart: {policy: on-failure, backoff_ms: 100, max_backoff_ms: 2000}\n"
    "    placement: {labels: {zone: a}, anti_affinity: [client]}\n"
    "  - name: client\n"
    "    module: build/sips/echo_client.wasm\n"
    "    args: [hello, world]\n"
    "    endpoints:\n"
    "      - name: server\n"
    "        contract: Echo\n"
    "    restart: always\n"
    "channels:\n"
    "  - {from: client.server, to: server.clients, contract: Echo}\n";

static void test_good(void)
{
    om_app a;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(om_parse(good, strlen(good), "good.yaml", &a, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(a.name, "echo");
    CU_ASSERT_EQUAL(a.ncontracts, 1);
    CU_ASSERT_EQUAL_FATAL(a.nsips, 2);
    CU_ASSERT_EQUAL(a.sips[0].memory, 16u << 20);
    CU_ASSERT_EQUAL(a.sips[0].fuel, 50000);
    CU_ASSERT_EQUAL(a.sips[0].restart, OM_RESTART_ON_FAILURE);
    CU_ASSERT_EQUAL(a.sips[0].backoff_ms, 100);
    CU_ASSERT_EQUAL(a.sips[0].max_backoff_ms, 2000);
    CU_ASSERT_EQUAL(a.sips[0].nlabels, 1);
    CU_ASSERT_STRING_EQUAL(a.sips[0].anti[0], "client");
    CU_ASSERT_STRING_EQUAL(a.sips[0].env[0].value, "hi");
    CU_ASSERT_EQUAL(a.sips[1].nargs, 2);
    CU_ASSERT_STRING_EQUAL(a.sips[1].args[1], "world");
    CU_ASSERT_EQUAL(a.sips[1].restart, OM_RESTART_ALWAYS);
    CU_ASSERT_EQUAL(a.sips[1].replicas, 1);
    CU_ASSERT_EQUAL(a.sips[1].line, 12);
    CU_ASSERT_EQUAL_FATAL(a.nchans, 1);
    CU_ASSERT_STRING_EQUAL(a.chans[0].imp_sip, "client");
    CU_ASSERT_STRING_EQUAL(a.chans[0].exp_ep, "clients");
    om_free(&a);
}

/* Each bad manifest and a piece its error must contain (line and field). */
static const struct { const char *text, *want; } bad[] = {
    { "", "x.yaml:1: manifest: empty document" },
    { "app: [1\n", "x.yaml:2: yaml:" },
    { "- a\n- b\n", "x.yaml:1: manifest: expected a mapping" },
    { "sips:\n  - {name: a, module: m}\n", "x.yaml:1: app: missing" },
    { "app: a\n", "sips: missing or empty" },
    { "app: a b\nsips: []\n", "x.yaml:1: app: 'a b' is not a name" },
    { "app: a\ncolour: red\nsips: []\n", "x.yaml:2: manifest: unknown field 'colour'" },
    { "app: a\nsips:\n  - name: s\n", "x.yaml:3: s: missing module" },
    { "app: a\nsips:\n  - module: m\n", "x.yaml:3: sips[0]: missing name" },
    { "app: a\nsips:\n  - {name: s, module: m, memory: lots}\n", "x.yaml:3: memory: expected a number" },
    { "app: a\nsips:\n  - {name: s, module: m, memory: 9G}\n", "memory: '9G' is not a number up to" },
    { "app: a\nsips:\n  - name: s\n    module: m\n    restart: sometimes\n",
      "x.yaml:5: restart.policy: expected never, on-failure or always" },
    { "app: a\nsips:\n  - name: s\n    module: m\n    restart: {policy: always, backoff_ms: 500, max_backoff_ms: 10}\n",
      "restart.max_backoff_ms: smaller than backoff_ms" },
    { "app: a\nsips:\n  - {name: s, module: m}\n  - {name: s, module: n}\n", "x.yaml:4: name: SIP 's' defined twice" },
    { "app: a\nsips:\n  - {name: s, module: m, placement: {affinity: [t]}}\n",
      "placement.affinity: no other SIP named 't'" },
    { "app: a\nsips:\n  - {name: s, module: m, placement: {zone: 1}}\n", "placement: unknown field 'zone'" },
    { "app: a\nsips:\n  - {name: s, module: m, env: [A]}\n", "env: expected a mapping" },
    { "app: a\nsips:\n  - {name: s, module: m, replicas: 0}\n", "replicas: must be at least 1" },
    { "app: a\nsips:\n  - {name: s, module: m}\nchannels:\n  - {from: s.x, to: t.y, contract: C}\n",
      "x.yaml:5: channels.from: SIP 's' declares no endpoint 'x'" },
    { "app: a\nsips:\n  - {name: s, module: m, endpoints: [{name: x, contract: C}]}\nchannels:\n"
      "  - {from: s.x, to: t.y, contract: C}\n", "x.yaml:5: channels.to: no SIP named 't'" },
    { "app: a\nsips:\n  - {name: s, module: m, endpoints: [{name: x, contract: C}]}\n"
      "  - {name: t, module: m, endpoints: [{name: y, contract: D}]}\nchannels:\n"
      "  - {from: s.x, to: t.y, contract: C}\n", "channels.to: endpoint t.y has contract D, the channel C" },
    { "app: a\nsips:\n  - {name: s, module: m}\nchannels:\n  - {from: sx, to: t.y, contract: C}\n",
      "x.yaml:5: channels.from: expected SIP.ENDPOINT" },
    { "app: a\napp: b\nsips: []\n", "x.yaml:2: app: given twice" },
    { "app: a\nsips:\n  - {name: s, module: m}\n---\napp: b\n", "one document per file" },
    { "app: a\nsips: {name: s}\n", "x.yaml:2: sips: expected a list" },
    { "app: a\nsips:\n  - {name: s, module: [m]}\n", "x.yaml:3: module: expected a string" },
};

static void test_bad(void)
{
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        om_app a;
        char err[256] = "";
        int rc = om_parse(bad[i].text, strlen(bad[i].text), "x.yaml", &a, err, sizeof err);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_EQUAL(a.nsips, 0);     /* an invalid manifest yields nothing */
        CU_ASSERT_PTR_NULL(a.name);
        if (!strstr(err, bad[i].want)) {
            fprintf(stderr, "\n  case %zu: got \"%s\", want \"%s\"\n", i, err, bad[i].want);
            CU_FAIL("error message");
        }
    }
}

static void test_load_missing(void)
{
    om_app a;
    char err[256] = "";
    CU_ASSERT_EQUAL(om_load("/nonexistent/app.yaml", &a, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/app.yaml"));
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("manifest", NULL, NULL);
    CU_add_test(s, "full manifest", test_good);
    CU_add_test(s, "invalid manifests", test_bad);
    CU_add_test(s, "missing file", test_load_missing);
    return cunit_run_all("build/tests/orchestrator/test_manifest");
}
