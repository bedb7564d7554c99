/* contractc: it checks files and reports errors with file:line; the headers it writes
 * compile for wasm32 (clang-14) and the host (gcc); the table form, compiled into this
 * program at build time, matches what the parser builds; the docs have their tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/contracts/helpers.h"

#define CONTRACTC CONTRACTS_BUILD_DIR "/bin/contractc"

static const char *const lib_files[] = {
    "contracts/lib/echo.contract", "contracts/lib/keyvalue.contract",
    "contracts/lib/pipeline.contract", "contracts/lib/endpointpass.contract",
    "contracts/lib/nameservice.contract", "contracts/lib/timer.contract",
    "contracts/lib/log.contract",
};
#define NLIB (sizeof lib_files / sizeof lib_files[0])
static const char *const lib_contracts[] = {
    "Echo", "KeyValue", "PipelineStage", "EndpointPass", "NameService", "ByteStream",
    "Timer", "Log",
};
#define NCONTRACTS (sizeof lib_contracts / sizeof lib_contracts[0])

static int generate(const char *dir)
{
    char *argv[NLIB + 5];
    int n = 0;
    argv[n++] = CONTRACTC;
    argv[n++] = "-q";
    argv[n++] = "-o";
    argv[n++] = (char *)dir;
    for (size_t i = 0; i < NLIB; i++) argv[n++] = (char *)lib_files[i];
    argv[n] = NULL;
    return run_program(argv, NULL);
}

/* Compile `#include "<header>"` with one compiler configuration. */
static int compile_header(const char *dir, const char *header, char *const flags[], const char *log)
{
    char src[512];
    snprintf(src, sizeof src, "%s/use_%s.c", dir, header);
    FILE *f = fopen(src, "w");
    if (!f) return -1;
    fprintf(f, "#include \"%s/%s\"\n", dir, header);
    fclose(f);
    char *argv[24];
    int n = 0;
    for (; flags[n]; n++) argv[n] = flags[n];
    argv[n++] = src;
    argv[n] = NULL;
    return run_program(argv, log);
}

static void test_generated_headers_compile(void)
{
    char *dir = scratch_dir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    CU_ASSERT_EQUAL(generate(dir), 0);
    char log[512];
    snprintf(log, sizeof log, "%s/compile.log", dir);
    char *wasi[] = { "clang-14", "--target=wasm32-wasi", "--sysroot=/usr", "-std=gnu11", "-Wall",
                     "-Wextra", "-Werror", "-I.", "-fsyntax-only", NULL };
    char *wasm[] = { "clang-14", "--target=wasm32", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                     "-I.", "-fsyntax-only", NULL };
    char *wasm_free[] = { "clang-14", "--target=wasm32", "-ffreestanding", "-std=gnu11", "-Wall",
                          "-Wextra", "-Werror", "-I.", "-fsyntax-only", NULL };
    char *host[] = { "gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I.",
                     "-fsyntax-only", NULL };
    for (size_t i = 0; i < NCONTRACTS; i++) {
        char header[128];
        snprintf(header, sizeof header, "%s.h", lib_contracts[i]);
        int a = compile_header(dir, header, wasi, log);
        int b = compile_header(dir, header, wasm, log);
        int c = compile_header(dir, header, wasm_free, log);
        int d = compile_header(dir, header, host, log);
        if (a || b || c || d) {
            char *text = read_text(log);
            fprintf(stderr, "\n  %s: wasm32-wasi %d, wasm32 %d, wasm32 freestanding %d, gcc %d\n%s",
                    header, a, b, c, d, text ? text : "");
            free(text);
        }
        CU_ASSERT_EQUAL(a, 0);
        CU_ASSERT_EQUAL(b, 0);
        CU_ASSERT_EQUAL(c, 0);
        CU_ASSERT_EQUAL(d, 0);
    }
    remove_dir(dir);
    free(dir);
}

static void test_outputs_written(void)
{
    char *dir = scratch_dir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    CU_ASSERT_EQUAL(generate(dir), 0);
    char path[512];
    for (size_t i = 0; i < NCONTRACTS; i++) {
        const char *suffixes[] = { ".h", ".table.c", ".md" };
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s%s", dir, lib_contracts[i], suffixes[k]);
            char *text = read_text(path);
            CU_ASSERT_PTR_NOT_NULL(text);
            free(text);
        }
    }
    snprintf(path, sizeof path, "%s/Echo.md", dir);
    char *md = read_text(path);        /* no FATAL asserts: the scratch dir must go */
    CU_ASSERT_PTR_NOT_NULL(md);
    CU_ASSERT(md && strstr(md, "## Transitions") != NULL);
    CU_ASSERT(md && strstr(md, "| `Start` | `Ready!` | exp | `Waiting` |") != NULL);
    CU_ASSERT(md && strstr(md, "| 0 | `Request` | in") != NULL);
    free(md);
    snprintf(path, sizeof path, "%s/Echo.h", dir);
    char *h = read_text(path);
    CU_ASSERT_PTR_NOT_NULL(h);
    CU_ASSERT(h && strstr(h, "static inline int32_t Echo_send_Request(sip_ep ep, sip_block data)") != NULL);
    CU_ASSERT(h && strstr(h, "static inline int32_t Echo_recv(sip_ep ep, Echo_msg *m)") != NULL);
    free(h);
    remove_dir(dir);
    free(dir);
}

static void test_cli_reports_errors(void)
{
    char *dir = scratch_dir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char bad[512], log[512];
    snprintf(bad, sizeof bad, "%s/bad.contract", dir);
    snprintf(log, sizeof log, "%s/out.log", dir);
    FILE *f = fopen(bad, "w");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (f) {
        fprintf(f, "contract Bad {\n  in message M();\n  state S { M? -> S; }\n  state Lost { M? -> S; }\n}\n");
        fclose(f);
    }
    char *argv[] = { CONTRACTC, "-c", bad, NULL };
    CU_ASSERT_EQUAL(run_program(argv, log), 1);
    char *text = read_text(log);
    char want[600];
    snprintf(want, sizeof want, "%s:4: state 'Lost' is unreachable", bad);
    CU_ASSERT(text && strstr(text, want) != NULL);
    free(text);
    /* a missing file and a bad option fail cleanly */
    char *missing[] = { CONTRACTC, "-c", "/nonexistent/x.contract", NULL };
    CU_ASSERT_EQUAL(run_program(missing, NULL), 1);
    char *badopt[] = { CONTRACTC, "-z", NULL };
    CU_ASSERT_EQUAL(run_program(badopt, NULL), 2);
    /* the library checks */
    char *ok[] = { CONTRACTC, "-c", "-q", (char *)lib_files[0], (char *)lib_files[3], NULL };
    CU_ASSERT_EQUAL(run_program(ok, NULL), 0);
    remove_dir(dir);
    free(dir);
}

/* Tables generated by contractc from contracts/lib at build time (see contracts/build.mk). */
extern const contract contract_table_Echo, contract_table_EndpointPass, contract_table_KeyValue,
    contract_table_Timer;

static void same_tables(const contract *t, const contract *p)
{
    CU_ASSERT_STRING_EQUAL(t->name, p->name);
    CU_ASSERT_EQUAL(t->fingerprint, p->fingerprint);
    CU_ASSERT_EQUAL(contract_fingerprint(t), p->fingerprint);
    CU_ASSERT_EQUAL_FATAL(t->nmessages, p->nmessages);
    for (uint32_t i = 0; i < t->nmessages; i++) {
        CU_ASSERT_EQUAL(t->messages[i].payload_size, p->messages[i].payload_size);
        CU_ASSERT_EQUAL(t->messages[i].nhandles, p->messages[i].nhandles);
        for (uint32_t h = 0; h < t->messages[i].nhandles; h++)
            CU_ASSERT_EQUAL(contract_handle_arg(&t->messages[i], h)->kind,
                            contract_handle_arg(&p->messages[i], h)->kind);
    }
    CU_ASSERT_EQUAL(t->nstates, p->nstates);
}

static void test_tables_match_parser(void)
{
    contract_set *s = parse_library();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    same_tables(&contract_table_Echo, contract_find(s, "Echo"));
    same_tables(&contract_table_EndpointPass, contract_find(s, "EndpointPass"));
    same_tables(&contract_table_KeyValue, contract_find(s, "KeyValue"));
    same_tables(&contract_table_Timer, contract_find(s, "Timer"));
    /* the compiled tables drive the checker like parsed ones */
    const contract *e = &contract_table_Echo;
    uint32_t st = e->initial;
    CU_ASSERT_EQUAL(contract_step(e, &st, CONTRACT_EXP, true, 2 /* Ready */), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(e, &st, CONTRACT_EXP, true, 2), CONTRACT_E_STATE);
    const contract_message *found = contract_message_by_name(&contract_table_EndpointPass, "Found");
    CU_ASSERT_PTR_EQUAL(found->args[0].peer, &contract_table_Echo);
    contract_handle h = { CONTRACT_IMP_EP, contract_find(s, "KeyValue")->fingerprint };
    CU_ASSERT_EQUAL(contract_check_message(&contract_table_EndpointPass, found->tag, 0, &h, 1),
                    CONTRACT_E_HANDLE_CONTRACT);
    contract_set_free(s);
}

void register_contractc_suite(void)
{
    CU_pSuite s = CU_add_suite("contracts/contractc", NULL, NULL);
    CU_add_test(s, "generated headers compile: clang-14 wasm32(-wasi), gcc", test_generated_headers_compile);
    CU_add_test(s, "writes header, table and docs per contract", test_outputs_written);
    CU_add_test(s, "reports file:line errors, exit status", test_cli_reports_errors);
    CU_add_test(s, "compiled tables match the parser", test_tables_match_parser);
}
