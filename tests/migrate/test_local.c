/* Migration between kernels of one process: a computation moved back and forth gives the
 * result of an unmigrated run; a numbered stream keeps every message, once, in order, while
 * its receiver (and sender) move between three kernels, with traffic arriving while the
 * image travels; a migration that fails leaves the SIP running on its source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/migrate/fixture.h"
#include "tests/cunit_main.h"
#include "node-kernel/core/platform.h"

static const char *COMPUTE =
    "contract contracts/lib/echo.contract\n"
    "sip calc " MIG_SIPS "/compute.wasm 64 30\n"
    "quota calc memory=16M\n";

static const char *STREAM =
    "contract sips/apps/stage.contract\n"
    "sip source " SIPS_DIR "/pipe_source.wasm 400\n"
    "sip sink " MIG_SIPS "/stream_sink.wasm\n"
    "channel Stage source.down sink.up\n";

/* The result line of an unmigrated run of the compute SIP. */
static char *unmigrated_result(void)
{
    fx_setup();
    char *r = NULL;
    if (fx_deploy(COMPUTE) == 0 && fx_run(64, 20000) == 0)
        r = strdup(fx_log("calc"));
    fx_teardown();
    return r;
}

static void test_compute_back_and_forth(void)
{
    char *want = unmigrated_result();
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT(strncmp(want, "result ", 7) == 0);
    fx_setup();
    mlink *l = mlink_new();
    CU_ASSERT_FATAL(fx_deploy(COMPUTE) == 0);
    srand(7);
    int moves = 0, ki = 0;
    sip *s;
    while ((s = fx_find("calc", &ki))) {
        for (int i = rand() % 4; i >= 0; i--)
            fx_step(1);
        if (!(s = fx_find("calc", &ki)))
            break;
        char err[256];
        migrate_stats st;
        sip *t = mlink_migrate(l, s, KN[(ki + 1) % 2], fx_find_module, NULL, &st, err, sizeof err);
        if (!t)
            fprintf(stderr, "\nmigrate: %s\n", err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        CU_ASSERT(st.image_bytes > st.engine_bytes);
        moves++;
        fx_check_all();
    }
    CU_ASSERT(moves >= 6);
    CU_ASSERT_EQUAL(fx_ending("calc", NULL, NULL), 1);
    CU_ASSERT_STRING_EQUAL(fx_log("calc"), want);
    fx_check_all();
    for (int i = 0; i < NKERNELS; i++)
        CU_ASSERT_EQUAL(KN[i]->heap.live_blocks, 0);
    mlink_free(l);
    fx_teardown();
    free(want);
}

/* Move `name` to kernel `to`, letting every kernel run `between` rounds while it travels. */
static bool move(mlink *l, const char *name, int to, int between)
{
    int ki;
    sip *s = fx_find(name, &ki);
    if (!s || ki == to)
        return s != NULL;
    char err[256];
    mlink_move *mv = mlink_begin(s, err, sizeof err);
    if (!mv)
        return false;
    for (int i = 0; i < between; i++)
        fx_step(1);
    sip *t = mlink_finish(l, mv, KN[to], fx_find_module, NULL, NULL, err, sizeof err);
    if (!t)
        fprintf(stderr, "\nmigrate %s: %s\n", name, err);
    return t != NULL;
}

static void test_stream_mid_conversation(void)
{
    fx_setup();
    mlink *l = mlink_new();
    CU_ASSERT_FATAL(fx_deploy(STREAM) == 0);
    /* the sink hops 0 -> 1 -> 2 -> 0 ...; every third hop the source moves too, so the two
     * talk across kernels, side by side, and with the peer on a third kernel */
    int hop = 0, third = 0;
    while (fx_find("sink", NULL) && fx_find("source", NULL) && hop < 60) {
        fx_step(1 + (uint64_t)(hop % 3));
        hop++;
        if (!move(l, "sink", hop % 3, hop % 2)) {
            if (fx_find("sink", NULL))
                CU_FAIL("sink migration failed");
            break;
        }
        if (hop % 3 == 0 && fx_find("source", NULL) && !move(l, "source", (hop / 3) % 3, 1)) {
            if (fx_find("source", NULL))
                CU_FAIL("source migration failed");
            break;
        }
        int ks = -1, kc = -1;
        if (fx_find("sink", &ks) && fx_find("source", &kc) && ks != 0 && kc != 0 && ks != kc)
            third++;
        fx_check_all();
    }
    CU_ASSERT(hop >= 20);
    CU_ASSERT(third > 0);
    CU_ASSERT_EQUAL(fx_run(16, 20000), 0);
    int32_t code = -1;
    CU_ASSERT_EQUAL(fx_ending("sink", &code, NULL), 1);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_EQUAL(fx_ending("source", &code, NULL), 1);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fx_log("sink"), "sink: 400 in order"));
    CU_ASSERT_PTR_NOT_NULL(strstr(fx_log("source"), "sent 400 blocks"));
    fx_check_all();
    mlink_free(l);
    fx_teardown();
}

static const wasm_module *no_module(void *arg, const uint8_t *hash, char *err, size_t errlen)
{
    snprintf(err, errlen, "module fetch failed");
    return NULL;
}

static void test_failed_migration_keeps_running(void)
{
    char *want = unmigrated_result();
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    fx_setup();
    mlink *l = mlink_new();
    CU_ASSERT_FATAL(fx_deploy(COMPUTE) == 0);
    for (int round = 0; fx_find("calc", NULL) && round < 20000; round++) {
        fx_step(2);
        sip *s = fx_find("calc", NULL);
        if (!s)
            break;
        char err[256] = "";
        /* the target cannot get the module: refused, the SIP runs on at the source */
        CU_ASSERT_PTR_NULL(mlink_migrate(l, s, KN[1], no_module, NULL, NULL, err, sizeof err));
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "module fetch failed"));
        CU_ASSERT_EQUAL(s->state == SIP_RUNNABLE || s->state == SIP_BLOCKED, 1);
        CU_ASSERT_EQUAL(KN[1]->nsips_live, 0);
        /* a target that dies after the image was taken (to == NULL): same */
        mlink_move *mv = mlink_begin(s, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(mv);
        CU_ASSERT_EQUAL(s->state, SIP_PAUSED);
        fx_step(1);                                   /* paused: it does not run */
        CU_ASSERT_EQUAL(s->state, SIP_PAUSED);
        CU_ASSERT_PTR_NULL(mlink_finish(l, mv, NULL, fx_find_module, NULL, NULL, err, sizeof err));
        fx_check_all();
    }
    CU_ASSERT_EQUAL(fx_ending("calc", NULL, NULL), 1);
    CU_ASSERT_STRING_EQUAL(fx_log("calc"), want);
    mlink_free(l);
    fx_teardown();
    free(want);
}

/* Pre-copy: rounds of pages while the SIP runs, then a short final image; the result is
 * still that of an unmigrated run. A damaged round, or an image restored without its base,
 * is refused. */
static void test_precopy_back_and_forth(void)
{
    char *want = unmigrated_result();
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    fx_setup();
    mlink *l = mlink_new();
    CU_ASSERT_FATAL(fx_deploy(COMPUTE) == 0);
    int moves = 0, ki = 0;
    sip *s;
    uint64_t first_round = 0, final_image = 0;
    while ((s = fx_find("calc", &ki))) {
        migrate_precopy pc = { 0 };
        migrate_base base = { 0 };
        char err[256];
        bool ok = true;
        for (int r = 0; r < 3 && (s = fx_find("calc", &ki)); r++) {
            uint8_t *buf;
            size_t len;
            uint32_t dirty;
            ok = ok && migrate_precopy_round(s, &pc, &buf, &len, &dirty, err, sizeof err) == 0;
            if (!ok)
                break;
            if (r == 0 && !first_round)
                first_round = len;
            if (r == 1 && len > 40) {
                /* a damaged round is refused */
                buf[len / 2] ^= 1;
                CU_ASSERT(migrate_base_apply(&base, buf, len, err, sizeof err) < 0);
                buf[len / 2] ^= 1;
                CU_ASSERT(migrate_base_apply(&base, buf, len - 1, err, sizeof err) < 0);
            }
            ok = migrate_base_apply(&base, buf, len, err, sizeof err) == 0;
            CU_ASSERT(ok);
            plat_free(buf);
            fx_step(1);                          /* it keeps running between rounds */
        }
        if (ok && (s = fx_find("calc", &ki))) {
            mlink_move *mv = mlink_begin_precopied(s, &pc, err, sizeof err);
            CU_ASSERT_PTR_NOT_NULL_FATAL(mv);
            if (!moves) {
                /* without its base the image is refused */
                const migrate_image *img = mlink_image(mv);
                endpoint **ext;
                uint32_t next;
                CU_ASSERT_PTR_NULL(migrate_restore(KN[2], img->buf, img->len, NULL, fx_find_module,
                                                   NULL, &ext, &next, err, sizeof err));
                CU_ASSERT_PTR_NOT_NULL(strstr(err, "pre-copied"));
                final_image = img->len;
            }
            migrate_stats st;
            sip *t = mlink_finish_base(l, mv, KN[(ki + 1) % 2], &base, fx_find_module, NULL, &st,
                                       err, sizeof err);
            if (!t)
                fprintf(stderr, "\nmigrate: %s\n", err);
            CU_ASSERT_PTR_NOT_NULL_FATAL(t);
            moves++;
        }
        migrate_precopy_free(&pc);
        migrate_base_free(&base);
        fx_step(2);
    }
    CU_ASSERT(moves >= 3);
    CU_ASSERT(final_image > 0 && final_image < first_round + 65536);
    CU_ASSERT_EQUAL(fx_ending("calc", NULL, NULL), 1);
    CU_ASSERT_STRING_EQUAL(fx_log("calc"), want);
    fx_check_all();
    mlink_free(l);
    fx_teardown();
    free(want);
}

void register_local_tests(void)
{
    CU_pSuite s = CU_add_suite("migration between kernels of one process", NULL, NULL);
    CU_add_test(s, "computation moved back and forth: same result", test_compute_back_and_forth);
    CU_add_test(s, "stream mid-conversation, peer on a third kernel", test_stream_mid_conversation);
    CU_add_test(s, "pre-copied memory, moved back and forth: same result", test_precopy_back_and_forth);
    CU_add_test(s, "failed migration: the SIP runs on at the source", test_failed_migration_keeps_running);
}
