/* SIP images: a damaged image (truncated, bit-flipped with and without a valid checksum,
 * wrong module, unknown contract) is refused with a clear error, never a crash, and leaves
 * the target kernel as it was; the source SIP is untouched and finishes normally. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/migrate/fixture.h"
#include "node-kernel/core/channel.h"

static const char *COMPUTE =
    "contract contracts/lib/echo.contract\n"
    "sip calc " MIG_SIPS "/compute.wasm 16 6\n";

/* Restore buf on KN[1]; a SIP that comes out of it is killed again. Returns true if it was
 * refused. Checks that the kernel is clean afterwards either way. */
static bool try_restore(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    endpoint **ext = NULL;
    uint32_t next = 0;
    err[0] = 0;
    sip *s = migrate_restore(KN[1], buf, len, NULL, fx_find_module, NULL, &ext, &next, err, errlen);
    if (s) {
        for (uint32_t i = 0; i < next; i++)
            ext[i]->peer_closed = true;
        sip_kill(s, "test");
    }
    free(ext);
    char why[256];
    int r = kernel_check(KN[1], why, sizeof why);
    if (r)
        fprintf(stderr, "\ninvariant after restore: %s\n", why);
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT_EQUAL(KN[1]->nsips_live, 0);
    CU_ASSERT_EQUAL(KN[1]->heap.live_blocks, 0);
    CU_ASSERT_EQUAL(KN[1]->live_endpoints, 0);
    return s == NULL;
}

static void test_damaged_images(void)
{
    fx_setup();
    CU_ASSERT_FATAL(fx_deploy(COMPUTE) == 0);
    sip *s = fx_find("calc", NULL);
    /* until it holds its channel (two ends, a queued message) and its block */
    for (int i = 0; i < 1000 && s->ht.count < 3; i++)
        fx_step(1);
    CU_ASSERT_EQUAL_FATAL(s->ht.count, 3);
    CU_ASSERT_FATAL(migrate_pause(s) == 0);
    migrate_image img;
    char err[256];
    CU_ASSERT_FATAL(migrate_save(s, &img, err, sizeof err) == 0);
    CU_ASSERT(img.len > 16 * 1024);
    migrate_info info;
    CU_ASSERT_EQUAL(migrate_peek(img.buf, img.len, &info, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(info.name, "calc");

    /* the intact image restores */
    CU_ASSERT_FALSE(try_restore(img.buf, img.len, err, sizeof err));

    /* every truncation is refused */
    for (size_t n = 0; n < img.len; n += n < 2048 ? 1 : 97) {
        CU_ASSERT(try_restore(img.buf, n, err, sizeof err));
        CU_ASSERT(err[0] != 0);
    }
    uint8_t *copy = malloc(img.len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    /* a flipped bit without resealing: the checksum (or the engine's) catches it */
    srand(11);
    for (int i = 0; i < 300; i++) {
        memcpy(copy, img.buf, img.len);
        copy[(size_t)rand() % img.len] ^= (uint8_t)(1u << (rand() % 8));
        CU_ASSERT(try_restore(copy, img.len, err, sizeof err));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "checksum"));
    /* mutations behind a valid checksum reach the structural checks: never a crash, and
     * the kernel is clean afterwards (try_restore checks) */
    size_t engine_off = img.len - 8 - img.engine_bytes;
    int refused = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(copy, img.buf, img.len);
        int nflip = 1 + rand() % 4;
        for (int j = 0; j < nflip; j++) {
            /* mostly the small sections in front (SIP, WASI, table), sometimes the pages */
            size_t at = (size_t)rand() % (rand() % 4 ? (engine_off < 1024 ? engine_off : 1024)
                                                     : engine_off);
            copy[at] = (uint8_t)(rand() % 3 == 0 ? 0xFF : copy[at] ^ (1u << (rand() % 8)));
        }
        migrate_reseal(copy, img.len);
        refused += try_restore(copy, img.len, err, sizeof err);
    }
    CU_ASSERT(refused > 1000);
    printf(" [%d of 3000 mutated images refused] ", refused);
    /* wrong version, bad magic */
    memcpy(copy, img.buf, img.len);
    copy[4] = 99;
    migrate_reseal(copy, img.len);
    CU_ASSERT(try_restore(copy, img.len, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "version"));
    copy[0] = 'X';
    CU_ASSERT(try_restore(copy, img.len, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a SIP image"));
    free(copy);

    /* a kernel that does not know the Echo contract refuses the SIP's endpoints */
    kernel *bare = kernel_new(0);
    endpoint **ext;
    uint32_t next;
    CU_ASSERT_PTR_NULL(migrate_restore(bare, img.buf, img.len, NULL, fx_find_module, NULL, &ext, &next,
                                       err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "contract"));
    CU_ASSERT_EQUAL(bare->nsips_live, 0);
    CU_ASSERT_EQUAL(bare->live_endpoints, 0);
    kernel_free(bare);

    /* the source was never touched: it resumes and finishes */
    migrate_image_free(&img);
    migrate_resume(s);
    CU_ASSERT_EQUAL(fx_run(64, 20000), 0);
    CU_ASSERT_EQUAL(fx_ending("calc", NULL, NULL), 1);
    CU_ASSERT(strncmp(fx_log("calc"), "result ", 7) == 0);
    fx_check_all();
    fx_teardown();
}

static void test_pause_rules(void)
{
    fx_setup();
    CU_ASSERT_FATAL(fx_deploy(COMPUTE) == 0);
    sip *s = fx_find("calc", NULL);
    migrate_image img;
    char err[256];
    CU_ASSERT(migrate_save(s, &img, err, sizeof err) < 0);      /* not paused */
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "paused"));
    CU_ASSERT_EQUAL(migrate_pause(s), 0);
    CU_ASSERT(migrate_pause(s) < 0);                             /* twice */
    CU_ASSERT_FALSE(kernel_busy(KN[0]));
    migrate_resume(s);
    CU_ASSERT(kernel_busy(KN[0]));
    CU_ASSERT_EQUAL(fx_run(64, 20000), 0);
    fx_teardown();
}

void register_image_tests(void)
{
    CU_pSuite s = CU_add_suite("SIP images", NULL, NULL);
    CU_add_test(s, "pause, resume and save rules", test_pause_rules);
    CU_add_test(s, "damaged images are refused cleanly", test_damaged_images);
}
