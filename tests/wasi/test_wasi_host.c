/* CUnit unit tests of the WASI host functions (node-kernel/core/wasi.c) in isolation: this
 * program links wasi.o against a small stand-in for the engine (defined below) that hands
 * the host functions a plain byte array as guest memory. That lets the tests place guest
 * pointers exactly at the edges of memory, read back the precise bytes WASI writes, and
 * cover the binding table and its refusals without running any wasm. The same functions
 * are exercised end to end through the real engine by test_wasi. */
#include "node-kernel/core/wasi.h"
#include "tests/cunit_main.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the stand-in engine ------------------------------------------------------------------ */

struct wasm_module { uint32_t n; const wasm_importdesc *imports; };
struct wasm_call_ctx { uint8_t *mem; uint64_t size; uint32_t exit_code; bool exited; };

#define MAX_HOST 64
static struct { wasm_host_fn fn; void *env; uint8_t nparams, nresults; } host[MAX_HOST];
static uint32_t nhost;

uint32_t wasm_module_num_imports(const wasm_module *m) { return m->n; }
void wasm_module_import(const wasm_module *m, uint32_t i, wasm_importdesc *out)
{
    *out = m->imports[i];
}

wasm_extern wasm_store_host_func(wasm_store *s, const wasm_functype *t, wasm_host_fn fn, void *env)
{
    wasm_extern e = {0xFF, 0};
    if (nhost == MAX_HOST) return e;
    host[nhost].fn = fn;
    host[nhost].env = env;
    host[nhost].nparams = (uint8_t)t->nparams;
    host[nhost].nresults = (uint8_t)t->nresults;
    e.kind = WASM_EXTERN_FUNC;
    e.addr = nhost++;
    return e;
}

uint8_t *wasm_ctx_memory(wasm_call_ctx *ctx, uint64_t *size)
{
    *size = ctx->size;
    return ctx->mem;
}

void wasm_host_set_exit(wasm_call_ctx *ctx, uint32_t code)
{
    ctx->exited = true;
    ctx->exit_code = code;
}

/* wasi_run_command's engine calls: not used by these tests */
wasm_errcode wasm_instantiate(wasm_store *s, const wasm_module *m, const wasm_extern *i, uint32_t n,
                              bool rs, uint64_t f, wasm_instance **o, wasm_err *e) { return WASM_ERR_ARG; }
bool wasm_instance_export(const wasm_instance *i, const char *n, uint32_t l, wasm_extern *o) { return false; }
wasm_errcode wasm_invoke_begin(wasm_store *s, uint32_t f, const wasm_val *a, uint32_t n, wasm_err *e) { return WASM_ERR_ARG; }
wasm_run_status wasm_run(wasm_store *s, uint64_t fuel) { return WASM_RUN_TRAP; }
uint64_t wasm_fuel_used(const wasm_store *s) { return 0; }
uint32_t wasm_run_exit_code(const wasm_store *s) { return 0; }
wasm_trap wasm_run_trap(const wasm_store *s, const char **msg) { return WASM_TRAP_HOST; }
const char *wasm_trap_text(wasm_trap t) { return "trap"; }

/* ---- fixtures ------------------------------------------------------------------------------ */

#define MEM_SIZE 65536
#define GUARD 4096
/* guest memory with guard zones either side: no host function may touch them */
static struct { uint8_t before[GUARD], mem[MEM_SIZE], after[GUARD]; } arena;
#define memory arena.mem
static wasm_call_ctx call = {memory, MEM_SIZE, 0, false};
static wasi_ctx ctx;
static char logged[4096];
static size_t nlogged;
static int last_fd;

static void log_sink(void *user, int fd, const char *data, size_t len)
{
    size_t room = sizeof logged - 1 - nlogged;
    if (len > room) len = room;          /* the fuzz test writes more than we keep */
    memcpy(logged + nlogged, data, len);
    nlogged += len;
    logged[nlogged] = '\0';
    last_fd = fd;
}

/* The fake module imports every preview1 function the subset provides, with its
 * signature: the tests call them by name, and the fuzz test calls them all. */
typedef struct { const char *name; const char *params; bool result; } fake_import;
static const fake_import fakes[] = {
    {"args_get", "ii", true},
    {"args_sizes_get", "ii", true},
    {"environ_get", "ii", true},
    {"environ_sizes_get", "ii", true},
    {"clock_res_get", "ii", true},
    {"clock_time_get", "iIi", true},
    {"random_get", "ii", true},
    {"sched_yield", "", true},
    {"proc_exit", "i", false},
    {"proc_raise", "i", true},
    {"poll_oneoff", "iiii", true},
    {"fd_write", "iiii", true},
    {"fd_read", "iiii", true},
    {"fd_close", "i", true},
    {"fd_fdstat_get", "ii", true},
    {"fd_filestat_get", "ii", true},
    {"fd_prestat_get", "ii", true},
    {"fd_prestat_dir_name", "iii", true},
    {"fd_seek", "iIii", true},
    {"fd_tell", "ii", true},
    {"fd_pread", "iiiIi", true},
    {"fd_pwrite", "iiiIi", true},
    {"fd_advise", "iIIi", true},
    {"fd_allocate", "iII", true},
    {"fd_datasync", "i", true},
    {"fd_sync", "i", true},
    {"fd_fdstat_set_flags", "ii", true},
    {"fd_fdstat_set_rights", "iII", true},
    {"fd_filestat_set_size", "iI", true},
    {"fd_filestat_set_times", "iIIi", true},
    {"fd_renumber", "ii", true},
    {"fd_readdir", "iiiIi", true},
    {"path_create_directory", "iii", true},
    {"path_filestat_get", "iiiii", true},
    {"path_filestat_set_times", "iiiiIIi", true},
    {"path_link", "iiiiiii", true},
    {"path_open", "iiiiiIIii", true},
    {"path_readlink", "iiiiii", true},
    {"path_remove_directory", "iii", true},
    {"path_rename", "iiiiii", true},
    {"path_symlink", "iiiii", true},
    {"path_unlink_file", "iii", true},
    {"sock_accept", "iii", true},
    {"sock_recv", "iiiiii", true},
    {"sock_send", "iiiii", true},
    {"sock_shutdown", "ii", true},
};
#define NFAKES (sizeof fakes / sizeof fakes[0])
static wasm_importdesc descs[NFAKES];
static uint8_t param_types[NFAKES][12];
static const uint8_t i32_result[1] = {WASM_I32};
static wasm_extern bound[NFAKES];

static wasm_importdesc make_desc(const char *module, const char *name, const char *params,
                                 bool result, uint8_t *types)
{
    wasm_importdesc d;
    memset(&d, 0, sizeof d);
    d.module = module;
    d.module_len = (uint32_t)strlen(module);
    d.name = name;
    d.name_len = (uint32_t)strlen(name);
    d.kind = WASM_EXTERN_FUNC;
    for (size_t i = 0; params[i]; i++) types[i] = params[i] == 'I' ? WASM_I64 : WASM_I32;
    d.func.nparams = (uint32_t)strlen(params);
    d.func.params = types;
    d.func.nresults = result ? 1 : 0;
    d.func.results = i32_result;
    return d;
}

static int setup(void)
{
    static const char *argv[] = {"prog", "alpha", "be ta"};
    static const char *envp[] = {"A=1"};
    if (!wasi_ctx_init(&ctx, 3, argv, 1, envp)) return 1;
    wasi_ctx_set_log(&ctx, log_sink, NULL);
    for (size_t i = 0; i < NFAKES; i++)
        descs[i] = make_desc(WASI_MODULE_NAME, fakes[i].name, fakes[i].params, fakes[i].result,
                             param_types[i]);
    wasm_module m = {NFAKES, descs};
    char err[128];
    return wasi_bind(NULL, &m, &ctx, bound, err, sizeof err) == 0 ? 0 : 1;
}

static int teardown(void)
{
    wasi_ctx_free(&ctx);
    return 0;
}

/* Calls the bound WASI function `name` with i32/i64 arguments; returns the errno result
 * (or -1 for a call without result) and the host status through *st. */
static int64_t call_wasi(const char *name, wasm_host_status *st, const uint64_t *a)
{
    for (size_t i = 0; i < NFAKES; i++) {
        if (strcmp(fakes[i].name, name)) continue;
        uint32_t h = bound[i].addr;
        wasm_val args[12], res[1];
        memset(res, 0, sizeof res);
        for (int k = 0; k < host[h].nparams; k++) {
            args[k].type = fakes[i].params[k] == 'I' ? WASM_I64 : WASM_I32;
            if (args[k].type == WASM_I64) args[k].of.i64 = a[k];
            else args[k].of.i32 = (uint32_t)a[k];
        }
        wasm_host_status s = host[h].fn(&call, host[h].env, args, res);
        if (st) *st = s;
        return host[h].nresults ? (int64_t)res[0].of.i32 : -1;
    }
    CU_FAIL_FATAL("no such fake import");
    return -1;
}

#define CALL(name, ...) call_wasi(name, NULL, (const uint64_t[]){__VA_ARGS__})

static uint32_t rd32(uint32_t at) { uint32_t v; memcpy(&v, memory + at, 4); return v; }
static void wr32(uint32_t at, uint32_t v) { memcpy(memory + at, &v, 4); }

/* ---- tests --------------------------------------------------------------------------------- */

static void test_fd_write_gathers_iovecs(void)
{
    nlogged = 0;
    memcpy(memory + 1000, "hello ", 6);
    memcpy(memory + 2000, "world", 5);
    wr32(100, 1000); wr32(104, 6);
    wr32(108, 2000); wr32(112, 5);
    CU_ASSERT_EQUAL(CALL("fd_write", 1, 100, 2, 200), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(rd32(200), 11);
    CU_ASSERT_STRING_EQUAL(logged, "hello world");
    CU_ASSERT_EQUAL(last_fd, 1);
    CU_ASSERT_EQUAL(CALL("fd_write", 2, 100, 1, 200), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(last_fd, 2);
    CU_ASSERT_EQUAL(CALL("fd_write", 0, 100, 1, 200), WASI_EBADF);   /* stdin is read-only */
    CU_ASSERT_EQUAL(CALL("fd_write", 5, 100, 1, 200), WASI_EBADF);
}

static void test_fd_write_bounds(void)
{
    nlogged = 0;
    logged[0] = '\0';
    /* buffer ends exactly at the end of memory: allowed */
    wr32(100, MEM_SIZE - 4); wr32(104, 4);
    CU_ASSERT_EQUAL(CALL("fd_write", 1, 100, 1, 200), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(nlogged, 4);
    /* one byte past: EFAULT, and a good iovec before it is not written either */
    nlogged = 0;
    wr32(100, 1000); wr32(104, 3);
    wr32(108, MEM_SIZE - 4); wr32(112, 5);
    CU_ASSERT_EQUAL(CALL("fd_write", 1, 100, 2, 200), WASI_EFAULT);
    CU_ASSERT_EQUAL(nlogged, 0);
    /* a length that wraps 32 bits */
    wr32(100, 0xFFFFFF00u); wr32(104, 0x200);
    CU_ASSERT_EQUAL(CALL("fd_write", 1, 100, 1, 200), WASI_EFAULT);
    /* the iovec array itself out of memory, and a huge count */
    CU_ASSERT_EQUAL(CALL("fd_write", 1, MEM_SIZE - 4, 1, 200), WASI_EFAULT);
    CU_ASSERT_EQUAL(CALL("fd_write", 1, 100, 0x40000000u, 200), WASI_EFAULT);
    /* result pointer out of memory */
    wr32(100, 1000); wr32(104, 3);
    CU_ASSERT_EQUAL(CALL("fd_write", 1, 100, 1, MEM_SIZE - 2), WASI_EFAULT);
    CU_ASSERT_EQUAL(nlogged, 0);
}

static void test_args_layout(void)
{
    CU_ASSERT_EQUAL(CALL("args_sizes_get", 300, 304), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(rd32(300), 3);
    CU_ASSERT_EQUAL(rd32(304), strlen("prog") + strlen("alpha") + strlen("be ta") + 3);
    CU_ASSERT_EQUAL(CALL("args_get", 400, 500), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(rd32(400), 500);
    CU_ASSERT_STRING_EQUAL((char *)memory + rd32(400), "prog");
    CU_ASSERT_STRING_EQUAL((char *)memory + rd32(404), "alpha");
    CU_ASSERT_STRING_EQUAL((char *)memory + rd32(408), "be ta");
    /* the string buffer would run off the end of memory */
    CU_ASSERT_EQUAL(CALL("args_get", 400, MEM_SIZE - 5), WASI_EFAULT);
    CU_ASSERT_EQUAL(CALL("args_sizes_get", MEM_SIZE, 304), WASI_EFAULT);

    CU_ASSERT_EQUAL(CALL("environ_sizes_get", 300, 304), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(rd32(300), 1);
    CU_ASSERT_EQUAL(rd32(304), 4);
    CU_ASSERT_EQUAL(CALL("environ_get", 400, 500), WASI_ESUCCESS);
    CU_ASSERT_STRING_EQUAL((char *)memory + rd32(400), "A=1");
}

static void test_clock_random(void)
{
    uint64_t t;
    CU_ASSERT_EQUAL(CALL("clock_time_get", 0, 1, 600), WASI_ESUCCESS);
    memcpy(&t, memory + 600, 8);
    CU_ASSERT(t > 1600000000ull * 1000000000ull);
    CU_ASSERT_EQUAL(CALL("clock_time_get", 1, 1, 600), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(CALL("clock_time_get", 9, 1, 600), WASI_EINVAL);
    CU_ASSERT_EQUAL(CALL("clock_time_get", 0, 1, MEM_SIZE - 7), WASI_EFAULT);

    memset(memory + 700, 0, 64);
    CU_ASSERT_EQUAL(CALL("random_get", 700, 64), WASI_ESUCCESS);
    int nonzero = 0;
    for (int i = 0; i < 64; i++) nonzero += memory[700 + i] != 0;
    CU_ASSERT(nonzero > 0);
    CU_ASSERT_EQUAL(CALL("random_get", 700, MEM_SIZE), WASI_EFAULT);
    CU_ASSERT_EQUAL(CALL("random_get", MEM_SIZE, 0), WASI_ESUCCESS);   /* empty range at the end */
}

static void test_stdio_fds(void)
{
    CU_ASSERT_EQUAL(CALL("fd_fdstat_get", 1, 800), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(memory[800], 2);                    /* character device */
    CU_ASSERT_EQUAL(CALL("fd_fdstat_get", 3, 800), WASI_EBADF);
    CU_ASSERT_EQUAL(CALL("fd_fdstat_get", 1, MEM_SIZE - 8), WASI_EFAULT);
    CU_ASSERT_EQUAL(CALL("fd_seek", 1, 0, 0, 900), WASI_ESPIPE);
    CU_ASSERT_EQUAL(CALL("fd_seek", 4, 0, 0, 900), WASI_EBADF);
    CU_ASSERT_EQUAL(CALL("path_open", 3, 0, 10, 1, 0, 0, 0, 0, 900), WASI_EBADF);
    wr32(100, 1000); wr32(104, 8);
    CU_ASSERT_EQUAL(CALL("fd_read", 0, 100, 1, 200), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(rd32(200), 0);                      /* stdin: end of file */
    CU_ASSERT_EQUAL(CALL("fd_read", 1, 100, 1, 200), WASI_EBADF);

    /* closing stdout: later writes fail with EBADF, a second close too */
    CU_ASSERT_EQUAL(CALL("fd_close", 1), WASI_ESUCCESS);
    CU_ASSERT_EQUAL(CALL("fd_write", 1, 100, 1, 200), WASI_EBADF);
    CU_ASSERT_EQUAL(CALL("fd_close", 1), WASI_EBADF);
    CU_ASSERT_EQUAL(CALL("fd_close", 7), WASI_EBADF);
    ctx.closed_fds = 0;                                 /* reopen for the other tests */
}

static void test_yield_then_return(void)
{
    wasm_host_status st;
    int64_t r = call_wasi("sched_yield", &st, NULL);
    CU_ASSERT_EQUAL(st, WASM_HOST_YIELD);
    r = call_wasi("sched_yield", &st, NULL);
    CU_ASSERT_EQUAL(st, WASM_HOST_OK);
    CU_ASSERT_EQUAL(r, WASI_ESUCCESS);
}

static void put_clock_sub(uint32_t at, uint64_t userdata, uint64_t timeout_ns)
{
    memset(memory + at, 0, 48);
    memcpy(memory + at, &userdata, 8);
    memory[at + 8] = 0;                          /* clock */
    wr32(at + 16, 1);                            /* monotonic */
    memcpy(memory + at + 24, &timeout_ns, 8);
}

static void test_poll_sleep_yields_until_deadline(void)
{
    put_clock_sub(1000, 77, 30 * 1000 * 1000);   /* 30 ms */
    wasm_host_status st;
    const uint64_t args[] = {1000, 2000, 1, 3000};
    uint64_t t0 = 0;
    {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        t0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    }
    int yields = 0;
    int64_t r;
    while ((r = call_wasi("poll_oneoff", &st, args)), st == WASM_HOST_YIELD) yields++;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t t1 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    CU_ASSERT(yields > 0);
    CU_ASSERT_EQUAL(r, WASI_ESUCCESS);
    CU_ASSERT(t1 - t0 >= 30 * 1000 * 1000);
    CU_ASSERT_EQUAL(rd32(3000), 1);
    uint64_t ud;
    memcpy(&ud, memory + 2000, 8);
    CU_ASSERT_EQUAL(ud, 77);
    CU_ASSERT_EQUAL(memory[2010], 0);            /* event type clock */

    /* an fd subscription is ready at once, no yield */
    memset(memory + 1000, 0, 48);
    memory[1000 + 8] = 2;                        /* fd_write */
    wr32(1000 + 16, 1);
    r = call_wasi("poll_oneoff", &st, args);
    CU_ASSERT_EQUAL(st, WASM_HOST_OK);
    CU_ASSERT_EQUAL(r, WASI_ESUCCESS);
    CU_ASSERT_EQUAL(rd32(3000), 1);
    /* bad pointers and no subscriptions */
    CU_ASSERT_EQUAL(CALL("poll_oneoff", MEM_SIZE - 10, 2000, 1, 3000), WASI_EFAULT);
    CU_ASSERT_EQUAL(CALL("poll_oneoff", 1000, 2000, 0, 3000), WASI_EINVAL);
}

static void test_proc_exit(void)
{
    wasm_host_status st;
    call_wasi("proc_exit", &st, (const uint64_t[]){42});
    CU_ASSERT_EQUAL(st, WASM_HOST_EXIT);
    CU_ASSERT_TRUE(call.exited);
    CU_ASSERT_EQUAL(call.exit_code, 42);
    CU_ASSERT_TRUE(ctx.exited);
    CU_ASSERT_EQUAL(ctx.exit_code, 42);
}

static void test_no_memory_is_efault(void)
{
    wasm_call_ctx saved = call;
    call.mem = NULL;
    call.size = 0;
    CU_ASSERT_EQUAL(CALL("args_sizes_get", 0, 4), WASI_EFAULT);
    CU_ASSERT_EQUAL(CALL("fd_write", 1, 0, 0, 0), WASI_EFAULT);
    call = saved;
}

static void test_binding_refusals(void)
{
    uint8_t types[12];
    wasm_extern out[2];
    char err[200];
    struct { const char *module, *name, *params; bool result; const char *needle; int rc; } cases[] = {
        {"env", "abort", "", false, "\"env.abort\" is not allowed", -1},
        {"wasi_unstable", "fd_write", "iiii", true, "\"wasi_unstable.fd_write\" is not allowed", -1},
        {WASI_MODULE_NAME, "fd_write", "iii", true, "wrong signature", -1},
        {WASI_MODULE_NAME, "proc_exit", "i", true, "wrong signature", -1},
        {WASI_MODULE_NAME, "nope", "", true, "is not a wasi_snapshot_preview1 function", -1},
        {SIP_MODULE_NAME, "send", "iiii", true, "", 1},
        {WASI_MODULE_NAME, "sched_yield", "", true, "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wasm_importdesc d = make_desc(cases[i].module, cases[i].name, cases[i].params,
                                      cases[i].result, types);
        wasm_module m = {1, &d};
        CU_ASSERT_EQUAL(wasi_bind(NULL, &m, &ctx, out, err, sizeof err), cases[i].rc);
        CU_ASSERT_EQUAL(wasi_check_imports(&m, err, sizeof err), cases[i].rc >= 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].needle));
    }
    /* a non-function import from wasi, and an unprintable name */
    wasm_importdesc d = make_desc(WASI_MODULE_NAME, "memory", "", false, types);
    d.kind = WASM_EXTERN_MEMORY;
    wasm_module m = {1, &d};
    CU_ASSERT_FALSE(wasi_check_imports(&m, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "is not a function"));
    d = make_desc("e\nv\x01", "x", "", false, types);
    CU_ASSERT_FALSE(wasi_check_imports(&m, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "\"e?v?.x\""));
    /* a tiny error buffer is still terminated */
    d = make_desc("env", "abort", "", false, types);
    CU_ASSERT_FALSE(wasi_check_imports(&m, err, 5));
    CU_ASSERT_EQUAL(strlen(err), 4);
}

static uint64_t fuzz_state = 0x243F6A8885A308D3ull;

static uint64_t fuzz_next(void)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return fuzz_state;
}

/* Argument values that probe the edges: small fds, pointers near the end of memory and
 * past it, lengths that overflow, and plain random bits. */
static uint64_t fuzz_value(bool wide)
{
    uint64_t r = fuzz_next();
    switch (r % 6) {
    case 0:  return r >> 60;                                   /* 0..15: fds, flags */
    case 1:  return (r >> 8) % MEM_SIZE;                       /* a pointer inside */
    case 2:  return MEM_SIZE - (r >> 8) % 64;                  /* at the very end */
    case 3:  return (uint64_t)UINT32_MAX - (r >> 8) % 64;      /* wraps 32 bits */
    case 4:  return (r >> 8) % 4096;                           /* a small length */
    default: return wide ? r : (uint32_t)r;
    }
}

/* Every function, a hundred thousand calls with hostile arguments over random memory:
 * no trap, no write outside guest memory, every result a preview1 errno. */
static void test_fuzz_all_functions(void)
{
    memset(arena.before, 0xA5, GUARD);
    memset(arena.after, 0x5A, GUARD);
    for (size_t i = 0; i < MEM_SIZE; i++) memory[i] = (uint8_t)fuzz_next();
    int bad_results = 0, traps = 0;
    for (int round = 0; round < 100000; round++) {
        size_t f = fuzz_next() % NFAKES;
        uint64_t a[12];
        for (int k = 0; fakes[f].params[k]; k++) a[k] = fuzz_value(fakes[f].params[k] == 'I');
        /* every so often a valid-looking iovec/subscription at a pointer we pass */
        if (round % 7 == 0) {
            wr32((uint32_t)(a[1] % (MEM_SIZE - 8)), (uint32_t)fuzz_value(false));
            wr32((uint32_t)(a[1] % (MEM_SIZE - 8)) + 4, (uint32_t)(fuzz_next() % 64));
        }
        wasm_host_status st;
        nlogged = 0;
        int64_t r = call_wasi(fakes[f].name, &st, a);
        if (st == WASM_HOST_TRAP) traps++;
        if (st == WASM_HOST_OK && fakes[f].result && (r < 0 || r > 76)) bad_results++;
        ctx.sleeping = false;          /* do not let one random sleep hold every later poll */
        ctx.yield_taken = false;
        ctx.closed_fds = 0;
    }
    CU_ASSERT_EQUAL(traps, 0);
    CU_ASSERT_EQUAL(bad_results, 0);
    bool guards_ok = true;
    for (size_t i = 0; i < GUARD; i++)
        guards_ok &= arena.before[i] == 0xA5 && arena.after[i] == 0x5A;
    CU_ASSERT_TRUE(guards_ok);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("wasi_host", setup, teardown);
    CU_add_test(s, "fd_write gathers iovecs into the log", test_fd_write_gathers_iovecs);
    CU_add_test(s, "fd_write checks every range", test_fd_write_bounds);
    CU_add_test(s, "args and environ layout", test_args_layout);
    CU_add_test(s, "clocks and random_get", test_clock_random);
    CU_add_test(s, "stdio fds and the errno stubs", test_stdio_fds);
    CU_add_test(s, "sched_yield yields then returns", test_yield_then_return);
    CU_add_test(s, "poll_oneoff sleeps by yielding", test_poll_sleep_yields_until_deadline);
    CU_add_test(s, "proc_exit ends the program", test_proc_exit);
    CU_add_test(s, "a module without memory gets EFAULT", test_no_memory_is_efault);
    CU_add_test(s, "binding refuses bad imports by name", test_binding_refusals);
    CU_add_test(s, "hostile arguments to every function", test_fuzz_all_functions);
    return cunit_run_all("build/tests/wasi/test_wasi_host");
}
