/* The decoder against the WebAssembly spec test suite: every non-SIMD .wast file of
 * ../shared/wasm-testsuite (or $WASM_TESTSUITE) is converted with wast2json into a temporary
 * directory, and each binary module is decoded:
 *   module, assert_invalid, assert_unlinkable, assert_uninstantiable, assert_trap/exhaustion
 *   modules   -> must decode (their faults are the validator's or the runtime's);
 *   assert_malformed with a binary module -> must fail as malformed, except the cases whose
 *   fault lies inside a function body (the validator parses instructions), which are counted
 *   and printed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/decode/decode_test.h"

static char tmpdir[64];

static const char *suite_dir(void)
{
    const char *env = getenv("WASM_TESTSUITE");
    return env && *env ? env : "../shared/wasm-testsuite";
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static int corpus_cleanup(void)
{
    if (tmpdir[0])
        nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmpdir[0] = '\0';
    return 0;
}

static int corpus_init(void)
{
    strcpy(tmpdir, "/tmp/decode-spec-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        tmpdir[0] = '\0';
        return 1;
    }
    return 0;
}

static bool run_wast2json(const char *wast, const char *json)
{
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        execlp("wast2json", "wast2json", wast, "-o", json, (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Malformations the decoder cannot see because they sit in instruction streams. */
static bool is_code_level(const char *text)
{
    static const char *const known[] = {
        "zero byte expected", "data count section required", "illegal opcode",
        "unexpected end", "integer representation too long", "integer too large",
        "malformed reference type", "END opcode expected",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(text, known[i]) == 0)
            return true;
    return false;
}

typedef struct {
    unsigned files, modules, decoded, malformed_caught, malformed_code_level, failures;
} tally;

static void check_command(json_t *cmd, const char *wast, tally *t)
{
    const char *type = json_string_value(json_object_get(cmd, "type"));
    const char *file = json_string_value(json_object_get(cmd, "filename"));
    const char *mtype = json_string_value(json_object_get(cmd, "module_type"));
    const char *text = json_string_value(json_object_get(cmd, "text"));
    int line = (int)json_integer_value(json_object_get(cmd, "line"));
    if (!type || !file)
        return;
    if (mtype && strcmp(mtype, "binary") != 0)
        return;                                        /* text-format errors: not ours */
    bool want_ok = strcmp(type, "module") == 0 || strcmp(type, "assert_invalid") == 0 ||
                   strcmp(type, "assert_unlinkable") == 0 ||
                   strcmp(type, "assert_uninstantiable") == 0 ||
                   strcmp(type, "assert_trap") == 0 || strcmp(type, "assert_exhaustion") == 0;
    bool want_malformed = strcmp(type, "assert_malformed") == 0;
    if (!want_ok && !want_malformed)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, file);
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        t->failures++;
        fprintf(stderr, "\n  %s:%d: cannot read %s\n", wast, line, path);
        return;
    }
    t->modules++;
    wasm_decoded d;
    wasm_err err;
    wasm_errcode rc = wasm_decode(bytes, len, &d, &err);
    free(bytes);
    bool has_code = false;
    if (rc == WASM_OK) {
        has_code = d.nfuncs > 0;
        wasm_decoded_free(&d);
    }
    if (want_ok) {
        if (rc == WASM_OK) {
            t->decoded++;
        } else {
            t->failures++;
            fprintf(stderr, "\n  %s:%d (%s): decode failed: %s\n", wast, line, type, err.msg);
        }
    } else if (rc == WASM_ERR_MALFORMED) {
        t->malformed_caught++;
    } else if (rc == WASM_OK && has_code && text && is_code_level(text)) {
        t->malformed_code_level++;
        if (getenv("DECODE_VERBOSE"))
            fprintf(stderr, "\n  %s:%d: left to the validator: %s", wast, line, text);
    } else {
        t->failures++;
        fprintf(stderr, "\n  %s:%d: expected malformed (\"%s\"), got rc=%d\n", wast, line,
                text ? text : "?", (int)rc);
    }
}

static void check_wast(const char *name, tally *t)
{
    char wast[512], json[512];
    snprintf(wast, sizeof wast, "%s/%s", suite_dir(), name);
    snprintf(json, sizeof json, "%s/%.*s.json", tmpdir, (int)(strlen(name) - 5), name);
    if (!run_wast2json(wast, json)) {
        t->failures++;
        fprintf(stderr, "\n  wast2json failed on %s\n", wast);
        return;
    }
    t->files++;
    json_error_t jerr;
    json_t *root = json_load_file(json, JSON_ALLOW_NUL, &jerr);
    if (!root) {
        t->failures++;
        fprintf(stderr, "\n  %s: %s\n", json, jerr.text);
        return;
    }
    json_t *cmds = json_object_get(root, "commands");
    size_t i;
    json_t *cmd;
    json_array_foreach(cmds, i, cmd)
        check_command(cmd, name, t);
    json_decref(root);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_core_wast(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 5 && strcmp(e->d_name + n - 5, ".wast") == 0 && !strstr(e->d_name, "simd");
}

static void test_spec_corpus(void)
{
    CU_ASSERT_TRUE_FATAL(tmpdir[0] != '\0');
    struct dirent **names;
    int n = scandir(suite_dir(), &names, is_core_wast, by_name);
    CU_ASSERT_TRUE_FATAL(n > 0);
    tally t = { 0 };
    for (int i = 0; i < n; i++) {
        check_wast(names[i]->d_name, &t);
        free(names[i]);
    }
    free(names);
    printf("\n  spec corpus: %u files, %u binary modules: %u decoded as expected, "
           "%u malformed caught, %u malformed left to the validator (code level), %u failures\n",
           t.files, t.modules, t.decoded, t.malformed_caught, t.malformed_code_level, t.failures);
    CU_ASSERT_EQUAL(t.failures, 0);
    CU_ASSERT_TRUE(t.files > 50);
    CU_ASSERT_TRUE(t.decoded > 1000);
    CU_ASSERT_TRUE(t.malformed_caught > 50);
}

void register_spec_corpus_tests(void)
{
    CU_pSuite s = CU_add_suite("decode spec corpus", corpus_init, corpus_cleanup);
    CU_add_test(s, "spec suite binary modules", test_spec_corpus);
}
