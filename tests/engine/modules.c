/* The test modules as byte arrays (generated from tests/engine/wat by build.mk) and the
 * helpers declared in engine_test.h. */
#include "tests/engine/engine_test.h"
#include <string.h>

const uint8_t prog_wasm[] = {
#include "tests/engine/prog.wasm.inc"
};
const uint8_t callee_wasm[] = {
#include "tests/engine/callee.wasm.inc"
};
const uint8_t caller_wasm[] = {
#include "tests/engine/caller.wasm.inc"
};
const size_t prog_wasm_len = sizeof prog_wasm;
const size_t callee_wasm_len = sizeof callee_wasm;
const size_t caller_wasm_len = sizeof caller_wasm;

static wasm_host_status host_yieldy(wasm_call_ctx *ctx, void *env, const wasm_val *args, wasm_val *res)
{
    (void)ctx;
    host_state *hs = env;
    hs->yieldy_calls++;
    hs->last_arg = (int32_t)args[0].of.i32;
    if (hs->yield_times > 0) {
        hs->yield_times--;
        return WASM_HOST_YIELD;
    }
    res[0].of.i32 = args[0].of.i32 * 2;
    return WASM_HOST_OK;
}

static wasm_host_status host_fail(wasm_call_ctx *ctx, void *env, const wasm_val *args, wasm_val *res)
{
    (void)env; (void)args; (void)res;
    wasm_host_set_trap(ctx, "host says no");
    return WASM_HOST_TRAP;
}

static wasm_host_status host_quit(wasm_call_ctx *ctx, void *env, const wasm_val *args, wasm_val *res)
{
    (void)env; (void)res;
    wasm_host_set_exit(ctx, args[0].of.i32);
    return WASM_HOST_EXIT;
}

void prog_host_imports(wasm_store *s, host_state *hs, wasm_extern out[3])
{
    static const uint8_t i32[1] = { WASM_I32 };
    wasm_functype t_ii = { 1, 1, i32, i32 }, t_v = { 0, 0, NULL, NULL }, t_i = { 1, 0, i32, NULL };
    out[0] = wasm_store_host_func(s, &t_ii, host_yieldy, hs);
    out[1] = wasm_store_host_func(s, &t_v, host_fail, hs);
    out[2] = wasm_store_host_func(s, &t_i, host_quit, hs);
}

bool prog_open(prog_env *e, const wasm_limits_cfg *lim)
{
    wasm_err err;
    memset(e, 0, sizeof *e);
    if (wasm_module_load(prog_wasm, prog_wasm_len, &e->m, &err) != WASM_OK)
        return false;
    e->s = wasm_store_new(lim);
    if (!e->s)
        return false;
    prog_host_imports(e->s, &e->hs, e->imports);
    return wasm_instantiate(e->s, e->m, e->imports, 3, true, 0, &e->inst, &err) == WASM_OK;
}

void prog_close(prog_env *e)
{
    wasm_store_free(e->s);
    wasm_module_free(e->m);
    memset(e, 0, sizeof *e);
}

uint32_t export_func(wasm_instance *inst, const char *name)
{
    wasm_extern x;
    if (!wasm_instance_export(inst, name, (uint32_t)strlen(name), &x) || x.kind != WASM_EXTERN_FUNC)
        return UINT32_MAX;
    return x.addr;
}

wasm_run_status call1(prog_env *e, const char *name, const wasm_val *arg, wasm_val *result)
{
    wasm_err err;
    uint32_t f = export_func(e->inst, name);
    if (f == UINT32_MAX || wasm_invoke_begin(e->s, f, arg, arg ? 1 : 0, &err) != WASM_OK)
        return WASM_RUN_TRAP;
    wasm_run_status st = wasm_run(e->s, UINT64_MAX);
    if (st == WASM_RUN_DONE && result)
        wasm_results(e->s, result, 1);
    return st;
}
