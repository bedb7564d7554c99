/* CUnit wrapper that runs the zmtp_feed libFuzzer target (zmtp_fuzz, built next to this
 * program) for a short, bounded time on a small seed corpus in a temporary directory,
 * and fails if the fuzzer finds a crash, leak or sanitizer error. The directory and its
 * contents are removed afterwards, pass or fail. */
#define _GNU_SOURCE
#include <dirent.h>
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

#define FUZZ_SECONDS "8"

static char tmpdir[] = "/tmp/zmtp-fuzz-XXXXXX";

static void write_seed(const char *name, const void *data, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/corpus/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* The fuzzer binary sits next to this program. */
static void fuzzer_path(char *out, size_t size)
{
    char self[PATH_MAX - 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    snprintf(out, size, "%s/zmtp_fuzz", self);
}

static void test_fuzz_bounded_run(void)
{
    char fuzzer[PATH_MAX];
    fuzzer_path(fuzzer, sizeof fuzzer);
    CU_ASSERT_EQUAL_FATAL(access(fuzzer, X_OK), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
    char corpus[PATH_MAX], artifacts[PATH_MAX + 16];
    snprintf(corpus, sizeof corpus, "%s/corpus", tmpdir);
    snprintf(artifacts, sizeof artifacts, "-artifact_prefix=%s/", tmpdir);
    mkdir(corpus, 0700);

    /* seeds: a whole session from a raw peer, and frames after the built-in handshake */
    static const uint8_t session[] = {
        0x00, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1, 'N', 'U', 'L', 'L', 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x04, 28, 5, 'R', 'E', 'A', 'D', 'Y',
        11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 6,
        'R', 'O', 'U', 'T', 'E', 'R',
        0x01, 0x00, 0x00, 0x02, 'h', 'i',
    };
    static const uint8_t frames[] = {
        0x80, 0x01, 1, 'a', 0x02, 0, 0, 0, 0, 0, 0, 0, 3, 'b', 'c', 'd',
        0x04, 8, 4, 'P', 'I', 'N', 'G', 0, 10, 'x',
        0x04, 6, 4, 'P', 'O', 'N', 'G', 'y',
        0x04, 10, 5, 'E', 'R', 'R', 'O', 'R', 3, 'b', 'y', 'e',
    };
    write_seed("session", session, sizeof session);
    write_seed("frames", frames, sizeof frames);

    pid_t pid = fork();
    if (pid == 0) {
        execl(fuzzer, fuzzer, corpus, artifacts, "-max_total_time=" FUZZ_SECONDS,
              "-max_len=4096", "-rss_limit_mb=1024", "-timeout=10", "-print_final_stats=1",
              (char *)NULL);
        _exit(127);
    }
    CU_ASSERT_FATAL(pid > 0);
    int status = 0;
    /* bounded: the fuzzer stops itself; kill it if it overstays by a lot */
    for (int waited = 0; waited < 600; waited++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        if (waited == 599) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        usleep(100000);
    }
    CU_ASSERT_TRUE(WIFEXITED(status));
    CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
    remove_tree(tmpdir);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("zmtp_fuzz", NULL, NULL);
    CU_add_test(s, "libFuzzer zmtp_feed, bounded run", test_fuzz_bounded_run);
    int rc = cunit_run_all("build/tests/zmtp/zmtp_fuzz_test");
    if (tmpdir[strlen(tmpdir) - 1] != 'X')
        remove_tree(tmpdir);            /* also after a fatal assertion */
    return rc;
}
