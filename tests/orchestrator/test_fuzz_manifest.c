/* CUnit wrapper that runs the manifest parser fuzz target (fuzz_manifest, next to this
 * program) for a short bounded time, seeded with the example manifests and a few broken
 * ones. It fails on any crash, leak or sanitizer report. The temporary corpus directory
 * is removed afterwards, pass or fail. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"

#define FUZZ_SECONDS "5"

static char tmpdir[] = "/tmp/orch-fuzz-XXXXXX";

static void seed(const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/corpus/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void seed_file(const char *name, const char *src)
{
    FILE *in = fopen(src, "r");
    if (!in)
        return;
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    fclose(in);
    buf[n] = 0;
    seed(name, buf);
}

static void test_fuzz(void)
{
    char self[PATH_MAX], fuzzer[PATH_MAX + 32], corpus[PATH_MAX], artifacts[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    CU_ASSERT_FATAL(n > 0);
    self[n] = 0;
    *strrchr(self, '/') = 0;
    snprintf(fuzzer, sizeof fuzzer, "%s/fuzz_manifest", self);
    CU_ASSERT_FATAL(access(fuzzer, X_OK) == 0);
    snprintf(corpus, sizeof corpus, "%s/corpus", tmpdir);
    CU_ASSERT_FATAL(mkdir(corpus, 0755) == 0);
    seed_file("pipeline", "orchestrator/examples/pipeline.yaml");
    seed_file("echo", "orchestrator/examples/echo.yaml");
    seed("full", "app: a\nsips:\n  - name: s\n    module: m.wasm\n    memory: 16M\n    fuel: 1000\n"
                 "    env: {A: b}\n    args: [x, y]\n    restart: {policy: always, backoff_ms: 10, max_backoff_ms: 20}\n"
                 "    placement: {labels: {zone: a}, affinity: [t], anti_affinity: [s]}\n    replicas: 2\n"
                 "  - {name: t, module: n.wasm, endpoints: [{name: e, contract: C}]}\n"
                 "  - {name: u, module: n.wasm, endpoints: [{name: f, contract: C}]}\n"
                 "channels:\n  - {from: t.e, to: u.f, contract: C}\n");
    seed("anchors", "app: &x a\nsips:\n  - &s {name: s, module: *x}\n  - *s\n");
    seed("broken", "app: [\n");
    snprintf(artifacts, sizeof artifacts, "-artifact_prefix=%s/", tmpdir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execl(fuzzer, fuzzer, corpus, artifacts, "-max_total_time=" FUZZ_SECONDS, "-max_len=2048",
              "-timeout=10", "-rss_limit_mb=1024", "-print_final_stats=1", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    CU_ASSERT_FATAL(pid > 0);
    waitpid(pid, &st, 0);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("fuzz manifest", NULL, NULL);
    CU_add_test(s, "bounded libFuzzer run", test_fuzz);
    int rc = cunit_run_all("build/tests/orchestrator/test_fuzz_manifest");
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd))
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
