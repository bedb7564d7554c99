/* SIP images: a damaged image (truncated, bit-flipped with and without a valid checksum,
 * wrong module, unknown contract) is refused with a clear error, never a crash, and leaves
 * the target kernel as it was; the source SIP is untouched and finishes normally. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/migrate/fixture.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/platform.h"

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

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static bool write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(p, 1, n, f) == n;
    if (f)
        fclose(f);
    return ok;
}

/* Runs the fuzzer as a child with a hard time limit; returns its exit status (or -1). */
static int run_fuzzer(const char *dir, int seconds)
{
    char corpus[160], prefix[160], log[160], maxt[32];
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    snprintf(prefix, sizeof prefix, "-artifact_prefix=%s/", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    snprintf(maxt, sizeof maxt, "-max_total_time=%d", seconds);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl("build/tests/migrate/fuzz_image", "fuzz_image", maxt, "-rss_limit_mb=2048",
              "-timeout=10", prefix, corpus, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int status = 0;
    time_t start = time(NULL);
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 || time(NULL) - start > seconds + 60) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(50000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_libfuzzer_bounded(void)
{
    const char *env = getenv("MIGRATE_FUZZ_SECONDS");
    int seconds = env && atoi(env) > 0 ? atoi(env) : 10;
    char dir[] = "/tmp/migrate-fuzz-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char corpus[160], path[200];
    snprintf(corpus, sizeof corpus, "%s/corpus", dir);
    mkdir(corpus, 0755);
    /* seeds: an image of a SIP holding a channel, a queued message and a block, and one
     * pre-copy round of it */
    fx_setup();
    bool seeded = false;
    if (fx_deploy(COMPUTE) == 0) {
        sip *s = fx_find("calc", NULL);
        for (int i = 0; i < 1000 && s->ht.count < 3; i++)
            fx_step(1);
        migrate_precopy pc = { 0 };
        uint8_t *round;
        size_t rlen;
        uint32_t dirty;
        char err[256];
        migrate_image img;
        if (migrate_precopy_round(s, &pc, &round, &rlen, &dirty, err, sizeof err) == 0) {
            snprintf(path, sizeof path, "%s/round", corpus);
            seeded = write_file(path, round, rlen);
            plat_free(round);
        }
        if (migrate_pause(s) == 0 && migrate_save(s, &img, err, sizeof err) == 0) {
            snprintf(path, sizeof path, "%s/image", corpus);
            seeded = seeded && write_file(path, img.buf, img.len);
            migrate_image_free(&img);
        }
        migrate_precopy_free(&pc);
    }
    fx_teardown();
    CU_ASSERT(seeded);
    int rc = seeded ? run_fuzzer(dir, seconds) : -1;
    CU_ASSERT_EQUAL(rc, 0);
    unsigned artifacts = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "crash-", 6) || !strncmp(e->d_name, "leak-", 5) ||
            !strncmp(e->d_name, "timeout-", 8) || !strncmp(e->d_name, "oom-", 4))
            artifacts++;
    if (d)
        closedir(d);
    CU_ASSERT_EQUAL(artifacts, 0);
    if (rc || artifacts) {                      /* show the end of its log */
        char logp[200], line[512];
        snprintf(logp, sizeof logp, "%s/log", dir);
        FILE *f = fopen(logp, "r");
        long size = 0;
        if (f && !fseek(f, 0, SEEK_END) && (size = ftell(f)) > 4000)
            fseek(f, size - 4000, SEEK_SET);
        else if (f)
            fseek(f, 0, SEEK_SET);
        fprintf(stderr, "\nfuzzer failed (exit %d); end of its log:\n", rc);
        while (f && fgets(line, sizeof line, f))
            fputs(line, stderr);
        if (f)
            fclose(f);
    }
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void register_image_tests(void)
{
    CU_pSuite s = CU_add_suite("SIP images", NULL, NULL);
    CU_add_test(s, "pause, resume and save rules", test_pause_rules);
    CU_add_test(s, "damaged images are refused cleanly", test_damaged_images);
    CU_add_test(s, "libFuzzer on the image reader, bounded run", test_libfuzzer_bounded);
}
