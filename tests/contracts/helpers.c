/* Helpers for the contracts tests: parsing, running programs, scratch directories. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/contracts/helpers.h"

contract_set *parse_text(const char *src, contract_error *err)
{
    contract_set *s = NULL;
    contract_parse(src, strlen(src), "test.contract", &s, err);
    return s;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    return buf;
}

/* CU_ASSERT only inside a test: parse_library also runs in suite set-up functions. */
#define LIB_CHECK(cond, what) do { \
        if (CU_get_current_test()) CU_assertImplementation((cond), __LINE__, what, __FILE__, "", CU_FALSE); \
        else if (!(cond)) fprintf(stderr, "parse_library: %s\n", what); \
    } while (0)

contract_set *parse_library(void)
{
    contract_set *s = contract_set_new();
    if (!s) return NULL;
    DIR *d = opendir("contracts/lib");
    LIB_CHECK(d != NULL, "cannot open contracts/lib");
    struct dirent *e;
    int files = 0;
    contract_error err = { 0 };
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 9 || strcmp(e->d_name + n - 9, ".contract")) continue;
        char path[512];
        snprintf(path, sizeof path, "contracts/lib/%s", e->d_name);
        size_t len;
        char *src = slurp(path, &len);
        LIB_CHECK(src != NULL, "cannot read a library contract");
        if (src && contract_set_add(s, src, len, path, &err)) {
            fprintf(stderr, "%s\n", err.text);
            LIB_CHECK(false, "library contract does not parse");
        }
        free(src);
        files++;
    }
    if (d) closedir(d);
    LIB_CHECK(files >= 5, "too few library contracts");
    if (contract_set_finish(s, &err)) {
        fprintf(stderr, "%s\n", err.text);
        LIB_CHECK(false, "library does not check");
        contract_set_free(s);
        return NULL;
    }
    return s;
}

int run_program(char *const argv[], const char *output)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);       /* never outlive the test program */
        int fd = open(output ? output : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *read_text(const char *path)
{
    size_t len;
    char *buf = slurp(path, &len);
    if (!buf) return NULL;
    char *text = realloc(buf, len + 1);
    if (!text) { free(buf); return NULL; }
    text[len] = 0;
    return text;
}

char *scratch_dir(void)
{
    char tmpl[] = "/tmp/contracts-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

void remove_dir(const char *dir)
{
    if (!dir) return;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0) remove_dir(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}
