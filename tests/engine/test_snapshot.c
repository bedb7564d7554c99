/* Snapshot/restore: a computation paused by fuel is saved, restored in a fresh process
 * (this test binary re-executed with --snapshot-child) and finished there with the same
 * result as an uninterrupted run; a store paused in a host yield restores and retries;
 * damaged buffers are refused with WASM_ERR_SNAPSHOT. */
#include "tests/engine/engine_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORK_N 3000

/* Fresh process side: restore the snapshot in FILE, finish, print the result. */
int snapshot_child(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 2;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return 2;
    }
    fclose(f);
    wasm_module *m;
    wasm_err err;
    if (wasm_module_load(prog_wasm, prog_wasm_len, &m, &err) != WASM_OK)
        return 3;
    wasm_store *s = wasm_store_new(NULL);
    host_state hs = { 0 };
    wasm_extern im[3];
    prog_host_imports(s, &hs, im);
    wasm_instance *inst;
    if (wasm_snapshot_restore(m, buf, (size_t)n, im, 3, s, &inst, &err) != WASM_OK) {
        fprintf(stderr, "restore: %s\n", err.msg);
        return 4;
    }
    if (wasm_run(s, UINT64_MAX) != WASM_RUN_DONE)
        return 5;
    wasm_val r;
    if (wasm_results(s, &r, 1) != 1)
        return 6;
    printf("%llu %llu\n", (unsigned long long)r.of.i64, (unsigned long long)wasm_fuel_used(s));
    free(buf);
    wasm_store_free(s);
    wasm_module_free(m);
    return 0;
}

/* Run work(WORK_N) until about `fraction` of its fuel is used; return the paused env. */
static bool pause_work(prog_env *e, uint64_t stop_at)
{
    wasm_err err;
    if (!prog_open(e, NULL))
        return false;
    wasm_val n = vi32(WORK_N);
    if (wasm_invoke_begin(e->s, export_func(e->inst, "work"), &n, 1, &err) != WASM_OK)
        return false;
    while (wasm_fuel_used(e->s) < stop_at)
        if (wasm_run(e->s, 700) != WASM_RUN_FUEL)
            return false;
    return true;
}

static uint64_t whole_run(uint64_t *fuel)
{
    prog_env e;
    *fuel = 0;
    wasm_val n = vi32(WORK_N), r = { 0 };
    if (!prog_open(&e, NULL))
        return 0;
    CU_ASSERT_EQUAL(call1(&e, "work", &n, &r), WASM_RUN_DONE);
    *fuel = wasm_fuel_used(e.s);
    prog_close(&e);
    return r.of.i64;
}

static void test_fresh_process(void)
{
    uint64_t fuel_whole = 0;
    uint64_t want = whole_run(&fuel_whole);
    CU_ASSERT_FATAL(want != 0);
    prog_env e;
    /* past the memory.grow half-way, so the snapshot holds grown memory and zero pages */
    CU_ASSERT_FATAL(pause_work(&e, fuel_whole * 7 / 10));
    uint8_t *buf;
    size_t len;
    wasm_err err;
    CU_ASSERT_FATAL(wasm_snapshot_save(e.s, &buf, &len, &err) == WASM_OK);
    uint64_t mem_size;
    wasm_instance_memory(e.inst, &mem_size);
    CU_ASSERT(mem_size == 3 * 65536);
    CU_ASSERT(len < mem_size);                 /* page 1 is all zero and left out */

    char path[] = "/tmp/engine-snapshot-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    bool written = write(fd, buf, len) == (ssize_t)len;
    close(fd);
    wasm_free(buf);
    CU_ASSERT(written);
    int out[2];
    CU_ASSERT_FATAL(pipe(out) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execl(engine_test_self, engine_test_self, "--snapshot-child", path, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[128] = { 0 };
    ssize_t got = 0, k;
    while (got < (ssize_t)sizeof line - 1 && (k = read(out[0], line + got, sizeof line - 1 - got)) > 0)
        got += k;
    close(out[0]);
    int status = -1;
    if (pid > 0)
        waitpid(pid, &status, 0);
    unlink(path);
    CU_ASSERT_FATAL(pid > 0);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unsigned long long result = 0, fuel = 0;
    CU_ASSERT_EQUAL(sscanf(line, "%llu %llu", &result, &fuel), 2);
    CU_ASSERT_EQUAL(result, want);
    CU_ASSERT_EQUAL(fuel, fuel_whole);        /* the fuel counter travelled with it */
    prog_close(&e);
}

static void test_yield_snapshot(void)
{
    prog_env e;
    wasm_err err;
    CU_ASSERT_FATAL(prog_open(&e, NULL));
    e.hs.yield_times = 1;
    wasm_val a = vi32(5), r;
    CU_ASSERT_FATAL(wasm_invoke_begin(e.s, export_func(e.inst, "call_yieldy"), &a, 1, &err) == WASM_OK);
    CU_ASSERT_EQUAL_FATAL(wasm_run(e.s, UINT64_MAX), WASM_RUN_YIELD);
    uint8_t *buf;
    size_t len;
    CU_ASSERT_FATAL(wasm_snapshot_save(e.s, &buf, &len, &err) == WASM_OK);
    wasm_store *s = wasm_store_new(NULL);
    host_state hs = { 0 };
    wasm_extern im[3];
    prog_host_imports(s, &hs, im);
    wasm_instance *inst;
    CU_ASSERT_EQUAL(wasm_snapshot_restore(e.m, buf, len, im, 3, s, &inst, &err), WASM_OK);
    CU_ASSERT_EQUAL(wasm_run(s, UINT64_MAX), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(hs.yieldy_calls, 1);       /* the pending call was retried */
    CU_ASSERT_EQUAL(hs.last_arg, 5);
    wasm_results(s, &r, 1);
    CU_ASSERT_EQUAL(r.of.i32, 11);
    wasm_store_free(s);
    wasm_free(buf);
    prog_close(&e);
}

static wasm_errcode try_restore(const wasm_module *m, const uint8_t *buf, size_t len)
{
    wasm_store *s = wasm_store_new(NULL);
    host_state hs = { 0 };
    wasm_extern im[3];
    prog_host_imports(s, &hs, im);
    wasm_instance *inst;
    wasm_err err;
    wasm_errcode rc = wasm_snapshot_restore(m, buf, len, im, 3, s, &inst, &err);
    wasm_store_free(s);
    return rc;
}

static void test_corrupt(void)
{
    prog_env e;
    CU_ASSERT_FATAL(pause_work(&e, 20000));
    uint8_t *buf;
    size_t len;
    wasm_err err;
    CU_ASSERT_FATAL(wasm_snapshot_save(e.s, &buf, &len, &err) == WASM_OK);
    CU_ASSERT_EQUAL(try_restore(e.m, buf, len), WASM_OK);
    unsigned refused = 0, tries = 0;
    for (size_t n = 0; n < len; n += n < 256 ? 1 : len / 97 + 1) {
        tries++;
        refused += try_restore(e.m, buf, n) == WASM_ERR_SNAPSHOT;
    }
    uint8_t *copy = malloc(len);
    CU_ASSERT_FATAL(copy != NULL);
    for (size_t i = 0; i < len; i += i < 256 ? 1 : len / 89 + 1) {
        memcpy(copy, buf, len);
        copy[i] ^= 0x10;
        tries++;
        refused += try_restore(e.m, copy, len) == WASM_ERR_SNAPSHOT;
    }
    CU_ASSERT_EQUAL(refused, tries);
    /* the snapshot names its module */
    wasm_module *other;
    CU_ASSERT_FATAL(wasm_module_load(callee_wasm, callee_wasm_len, &other, &err) == WASM_OK);
    wasm_store *s = wasm_store_new(NULL);
    wasm_instance *inst;
    CU_ASSERT_EQUAL(wasm_snapshot_restore(other, buf, len, NULL, 0, s, &inst, &err), WASM_ERR_SNAPSHOT);
    wasm_store_free(s);
    wasm_module_free(other);
    free(copy);
    wasm_free(buf);
    prog_close(&e);
}

static void test_idle_small(void)
{
    prog_env e;
    CU_ASSERT_FATAL(prog_open(&e, NULL));
    uint8_t *buf;
    size_t len;
    wasm_err err;
    CU_ASSERT_FATAL(wasm_snapshot_save(e.s, &buf, &len, &err) == WASM_OK);
    CU_ASSERT(len < 1024);                     /* the untouched page is elided */
    wasm_free(buf);
    prog_close(&e);
}

void add_snapshot_suite(void)
{
    CU_pSuite s = CU_add_suite("engine_snapshot", NULL, NULL);
    CU_add_test(s, "paused run finishes in a fresh process", test_fresh_process);
    CU_add_test(s, "yield-paused store restores and retries", test_yield_snapshot);
    CU_add_test(s, "damaged buffers are refused", test_corrupt);
    CU_add_test(s, "zero pages are elided", test_idle_small);
}
