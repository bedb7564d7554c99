/* Runs the module-loading fuzz target (build/tests/fuzz/fuzz_module) for a bounded time
 * and asserts that it found no crash, sanitizer report, leak or hang. Seeds: every binary
 * module of the non-SIMD spec suite, converted with wast2json into a temporary directory.
 * FUZZ_SECONDS (default 30) sets the budget; WASM_TESTSUITE the suite's location.
 * Everything created lives under one temporary directory, removed at the end; the fuzzer
 * is this program's own child and is killed if it overruns. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/cunit_main.h"

#define FUZZER "build/tests/fuzz/fuzz_module"

static char tmpdir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static int suite_init(void)
{
    strcpy(tmpdir, "/tmp/fuzz-module-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : 1;
}

static int suite_cleanup(void)
{
    if (tmpdir[0])
        nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmpdir[0] = '\0';
    return 0;
}

static const char *suite_dir(void)
{
    const char *env = getenv("WASM_TESTSUITE");
    return env && *env ? env : "../shared/wasm-testsuite";
}

/* Run argv with stdout/stderr to `log`; wait at most `limit` seconds, then kill it. */
static int run(char *const argv[], const char *log, int limit)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    time_t start = time(NULL);
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0)
            return -1;
        if (time(NULL) - start > limit) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -2;
        }
        usleep(50 * 1000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* wast2json each non-SIMD .wast into seeds/, then keep only the .wasm files. */
static unsigned make_seeds(const char *seeds, const char *log)
{
    DIR *dir = opendir(suite_dir());
    if (!dir)
        return 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!has_suffix(e->d_name, ".wast") || strstr(e->d_name, "simd"))
            continue;
        char wast[512], json[512];
        snprintf(wast, sizeof wast, "%s/%s", suite_dir(), e->d_name);
        snprintf(json, sizeof json, "%s/%.*s.json", seeds, (int)strlen(e->d_name) - 5,
                 e->d_name);
        char *argv[] = { "wast2json", wast, "-o", json, NULL };
        run(argv, log, 60);
    }
    closedir(dir);
    unsigned n = 0;
    dir = opendir(seeds);
    if (!dir)
        return 0;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", seeds, e->d_name);
        if (has_suffix(e->d_name, ".wasm"))
            n++;
        else
            remove(path);
    }
    closedir(dir);
    return n;
}

/* Names of crash-/leak-/timeout-/oom- artifacts libFuzzer left in dir. */
static unsigned count_artifacts(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        static const char *const kinds[] = { "crash-", "leak-", "timeout-", "oom-", "slow-unit-" };
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            if (strncmp(e->d_name, kinds[k], strlen(kinds[k])) == 0) {
                fprintf(stderr, "\n  fuzzer artifact: %s/%s", dir, e->d_name);
                n++;
            }
    }
    closedir(d);
    return n;
}

static void print_stats(const char *log)
{
    FILE *f = fopen(log, "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "stat::number_of_executed_units", 30) == 0 ||
            strncmp(line, "stat::peak_rss_mb", 17) == 0 || strstr(line, "ERROR:") ||
            strstr(line, "SUMMARY:"))
            printf("\n  %s", line);
    fclose(f);
}

static void test_fuzz_module_loading(void)
{
    CU_ASSERT_TRUE_FATAL(tmpdir[0] != '\0');
    CU_ASSERT_TRUE_FATAL(access(FUZZER, X_OK) == 0);
    char seeds[128], work[128], log[128], artifacts[128];
    snprintf(seeds, sizeof seeds, "%s/seeds", tmpdir);
    snprintf(work, sizeof work, "%s/work", tmpdir);
    snprintf(log, sizeof log, "%s/fuzz.log", tmpdir);
    snprintf(artifacts, sizeof artifacts, "-artifact_prefix=%s/", tmpdir);
    CU_ASSERT_EQUAL_FATAL(mkdir(seeds, 0755), 0);
    CU_ASSERT_EQUAL_FATAL(mkdir(work, 0755), 0);

    unsigned nseeds = make_seeds(seeds, log);
    printf("\n  %u seeds from the spec suite", nseeds);
    CU_ASSERT_TRUE(nseeds > 1000);

    const char *env = getenv("FUZZ_SECONDS");
    int seconds = env && atoi(env) > 0 ? atoi(env) : 30;
    char total[64];
    snprintf(total, sizeof total, "-max_total_time=%d", seconds);
    char *argv[] = { FUZZER, total, "-rss_limit_mb=2048", "-timeout=10", "-max_len=65536",
                     "-print_final_stats=1", artifacts, work, seeds, NULL };
    int rc = run(argv, log, seconds + 120);
    print_stats(log);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(count_artifacts(tmpdir), 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("fuzz", suite_init, suite_cleanup);
    CU_add_test(s, "fuzz module loading (bounded time)", test_fuzz_module_loading);
    return cunit_run_all("build/tests/fuzz/test_fuzz");
}
