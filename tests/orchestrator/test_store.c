/* State store and placement tests: rows survive closing and reopening the database,
 * modules are stored once per content hash, SHA-256 matches known digests, and placement
 * honours labels, memory, affinity and anti-affinity. The temporary database is removed
 * pass or fail. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/cunit_main.h"
#include "orchestrator/placement.h"
#include "orchestrator/sha256.h"
#include "orchestrator/store.h"

static char dir[] = "/tmp/orch-store-XXXXXX";
static char db[256];

static int setup(void)
{
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/state.db", dir);
    return 0;
}

static int teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) ? -1 : 0;
}

static void test_sha256(void)
{
    uint8_t d[32];
    char hex[65];
    sha256("", 0, d);
    sha256_hex(d, hex);
    CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256("abc", 3, d);
    sha256_hex(d, hex);
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256(two, strlen(two), d);
    sha256_hex(d, hex);
    CU_ASSERT_STRING_EQUAL(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    uint8_t back[32];
    CU_ASSERT_EQUAL(sha256_parse(hex, back), 0);
    CU_ASSERT_EQUAL(memcmp(back, d, 32), 0);
    CU_ASSERT_EQUAL(sha256_parse("zz", back), -1);
}

static void test_round_trip(void)
{
    char err[256];
    store *s = store_open(db, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(store_exec(s, "INSERT INTO nodes(id, memory, labels, state) VALUES(%Q, %lld, %Q, 'ready')",
                               "n1", 1LL << 30, "{\"zone\":\"a\"}"), 0);
    CU_ASSERT_EQUAL(store_exec(s, "INSERT INTO sips(id, app, name, desired, observed) VALUES(%Q,%Q,%Q,'run','running')",
                               "app/o'brien/0", "app", "o'brien"), 0);
    CU_ASSERT_EQUAL(store_put_module(s, "00ff", "wasm", 4), 0);
    CU_ASSERT_EQUAL(store_put_module(s, "00ff", "wasm", 4), 0);
    store_event(s, "sip", "app/o'brien/0", "started on %s", "n1");
    CU_ASSERT_EQUAL(store_exec(s, "INSERT INTO nosuchtable VALUES(1)"), -1);
    store_close(s);

    s = store_open(db, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(store_int(s, -1, "SELECT memory FROM nodes WHERE id=%Q", "n1"), 1LL << 30);
    char *name = store_text(s, "SELECT name FROM sips WHERE id=%Q", "app/o'brien/0");
    CU_ASSERT_PTR_NOT_NULL(name);
    if (name)
        CU_ASSERT_STRING_EQUAL(name, "o'brien");
    free(name);
    CU_ASSERT_EQUAL(store_int(s, -1, "SELECT count(*) FROM modules"), 1);
    size_t len = 0;
    char *m = store_get_module(s, "00ff", &len);
    CU_ASSERT_EQUAL(len, 4);
    CU_ASSERT(m && !memcmp(m, "wasm", 4));
    free(m);
    CU_ASSERT_PTR_NULL(store_get_module(s, "ffff", &len));
    json_t *ev = store_query(s, "SELECT kind, object, message FROM events");
    CU_ASSERT_EQUAL(json_array_size(ev), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(ev, 0), "message")), "started on n1");
    json_decref(ev);
    store_close(s);
}

static om_kv zone_a = { "zone", "a" }, zone_b = { "zone", "b" };

static void test_placement(void)
{
    pl_node nodes[3] = {
        { "n1", 256u << 20, 0, &zone_a, 1, 0 },
        { "n2", 256u << 20, 0, &zone_b, 1, 0 },
        { "n3", 64u << 20, 0, &zone_b, 1, 0 },
    };
    char why[256];
    om_sip s = { .name = "web", .memory = 100u << 20 };
    /* fewest SIPs, then most free memory */
    nodes[0].nsips = 2;
    CU_ASSERT_EQUAL(place_sip(&s, nodes, 3, NULL, 0, why, sizeof why), 1);
    nodes[0].nsips = 0;
    /* labels */
    s.labels = &zone_b; s.nlabels = 1;
    CU_ASSERT_EQUAL(place_sip(&s, nodes, 3, NULL, 0, why, sizeof why), 1);   /* n3 too small */
    /* memory: n2 full */
    nodes[1].used = 200u << 20;
    CU_ASSERT_EQUAL(place_sip(&s, nodes, 3, NULL, 0, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "lack memory"));
    nodes[1].used = 0;
    s.labels = NULL; s.nlabels = 0;
    /* anti-affinity with itself spreads replicas; with another SIP avoids its node */
    pl_placed placed[2] = { { "web", "n1" }, { "db", "n2" } };
    char *anti[] = { "db" };
    s.anti = anti; s.nanti = 1;
    s.memory = 32u << 20;
    CU_ASSERT_EQUAL(place_sip(&s, nodes, 3, placed, 2, why, sizeof why), 2);
    s.anti = NULL; s.nanti = 0;
    /* affinity: beside db even if busier */
    char *aff[] = { "db" };
    s.affinity = aff; s.naffinity = 1;
    nodes[1].nsips = 5;
    placed[0].node = "n3";
    CU_ASSERT_EQUAL(place_sip(&s, nodes, 3, placed, 2, why, sizeof why), 1);
    /* no nodes at all */
    CU_ASSERT_EQUAL(place_sip(&s, nodes, 0, NULL, 0, why, sizeof why), -1);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("store", setup, teardown);
    CU_add_test(s, "sha256", test_sha256);
    CU_add_test(s, "round trip and reopen", test_round_trip);
    CU_add_test(s, "placement", test_placement);
    return cunit_run_all("build/tests/orchestrator/test_store");
}
