/* Suite location, wast2json conversion and scratch directories (see spec_convert.h). */
#define _GNU_SOURCE
#include "tests/spec/spec_convert.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

void spec_repo_root(char *out, size_t len)
{
    char exe[SPEC_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *bin = dirname(exe);                   /* <root>/build/bin */
        char cand[SPEC_PATH_MAX + 16], real[SPEC_PATH_MAX];
        snprintf(cand, sizeof cand, "%s/../..", bin);
        if (strcmp(basename(bin), "bin") == 0 && realpath(cand, real)) {
            snprintf(out, len, "%s", real);
            return;
        }
    }
    if (!getcwd(out, len)) snprintf(out, len, ".");
}

bool spec_find_suite(const char *root, char *out, size_t len, char *why, size_t whylen)
{
    const char *env = getenv("MULT_WASM_TESTSUITE");
    if (env && *env) {
        if (is_dir(env)) { snprintf(out, len, "%s", env); return true; }
        snprintf(why, whylen, "MULT_WASM_TESTSUITE=%s is not a directory", env);
        return false;
    }
    char cand[SPEC_PATH_MAX + 64];
    snprintf(cand, sizeof cand, "%s/../shared/wasm-testsuite", root);
    if (!is_dir(cand)) snprintf(cand, sizeof cand, "../shared/wasm-testsuite");
    if (!is_dir(cand)) {
        snprintf(why, whylen, "no spec suite: neither %s/../shared/wasm-testsuite nor "
                 "./../shared/wasm-testsuite exists (set MULT_WASM_TESTSUITE)", root);
        return false;
    }
    if (!realpath(cand, out)) snprintf(out, len, "%s", cand);
    return true;
}

/* Run wast2json with one optional flag; stderr goes to errpath. Returns the exit status
 * (or -1 if it could not run). */
static int run_wast2json(const char *wast, const char *json, const char *flag, const char *errpath)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) { dup2(fd, 2); dup2(fd, 1); close(fd); }
        if (flag) execlp("wast2json", "wast2json", flag, wast, "-o", json, (char *)NULL);
        else execlp("wast2json", "wast2json", wast, "-o", json, (char *)NULL);
        fprintf(stderr, "cannot run wast2json: %s (install Debian's wabt)\n", strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void first_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    out[0] = 0;
    if (!f) return;
    if (fgets(out, (int)len, f)) out[strcspn(out, "\n")] = 0;
    fclose(f);
}

bool spec_wast2json(const char *wast, const char *outdir, char *json_out, size_t json_len,
                    char *why, size_t whylen)
{
    char stem[256], tmp[SPEC_PATH_MAX], errpath[SPEC_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s", wast);
    snprintf(stem, sizeof stem, "%s", basename(tmp));
    char *dot = strrchr(stem, '.');
    if (dot) *dot = 0;
    snprintf(json_out, json_len, "%s/%s.json", outdir, stem);
    snprintf(errpath, sizeof errpath, "%s/wast2json.err", outdir);

    static const char *attempts[] = { NULL, "--enable-all" };
    int rc = -1;
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        rc = run_wast2json(wast, json_out, attempts[i], errpath);
        if (rc == 0) { unlink(errpath); return true; }
    }
    char line[512];
    first_line(errpath, line, sizeof line);
    snprintf(why, whylen, "wast2json failed (exit %d): %s", rc, line[0] ? line : "no message");
    return false;
}

bool spec_make_tmpdir(char *out, size_t len)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    snprintf(out, len, "%s/mult-spec-XXXXXX", base);
    return mkdtemp(out) != NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

void spec_remove_tree(const char *dir)
{
    if (dir && *dir) nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool spec_is_simd(const char *name)
{
    return strncmp(name, "simd_", 5) == 0;
}
