/* The execution API: begin a call on the store's thread, run it with a fuel budget
 * (interp.c does the work), fetch results, report traps and exits. */
#include "sips/engine/internal.h"

const char *wasm_trap_text(wasm_trap t)
{
    switch (t) {
    case WASM_TRAP_NONE: return "no trap";
    case WASM_TRAP_UNREACHABLE: return "unreachable";
    case WASM_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case WASM_TRAP_TABLE_OOB: return "out of bounds table access";
    case WASM_TRAP_DIV_ZERO: return "integer divide by zero";
    case WASM_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case WASM_TRAP_UNINITIALIZED: return "uninitialized element";
    case WASM_TRAP_INDIRECT_MISMATCH: return "indirect call type mismatch";
    case WASM_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case WASM_TRAP_MEMORY_LIMIT: return "memory limit exceeded";
    case WASM_TRAP_HOST: return "host trap";
    case WASM_TRAP_EXIT: return "exit";
    }
    return "unknown trap";
}

void thread_reset(wasm_store *s)
{
    s->th.state = THREAD_IDLE;
    s->th.depth = 0;
    s->th.pc = NULL;
    s->th.fn = NULL;
    s->th.fp = s->stack;
}

void thread_trap(wasm_store *s, wasm_trap t, const char *msg)
{
    thread_reset(s);
    s->th.trap = t;
    if (!msg && t != WASM_TRAP_HOST)
        msg = wasm_trap_text(t);
    if (msg) {
        size_t n = engine_strlen(msg);
        if (n >= sizeof s->th.trap_msg)
            n = sizeof s->th.trap_msg - 1;
        rt_memcpy(s->th.trap_msg, msg, n);
        s->th.trap_msg[n] = 0;
    }
}

bool wasm_thread_idle(const wasm_store *s)
{
    return s && (s->th.state == THREAD_IDLE || s->th.state == THREAD_DONE);
}

wasm_errcode wasm_invoke_begin(wasm_store *s, uint32_t funcaddr, const wasm_val *args,
                               uint32_t nargs, wasm_err *err)
{
    if (!s)
        return engine_err(err, WASM_ERR_ARG, "null store");
    if (!wasm_thread_idle(s))
        return engine_err(err, WASM_ERR_ARG, "store thread is busy");
    if (funcaddr >= s->nfuncs)
        return engine_err(err, WASM_ERR_ARG, "no such function");
    store_func *f = s->funcs[funcaddr];
    if (nargs != f->type.nparams || (nargs && !args))
        return engine_err(err, WASM_ERR_ARG, "wrong number of arguments");
    uint32_t need = nargs > f->type.nresults ? nargs : f->type.nresults;
    if (need > s->stack_slots)
        return engine_err(err, WASM_ERR_LIMIT, "arguments exceed the stack");
    for (uint32_t i = 0; i < nargs; i++) {
        if (args[i].type != f->type.params[i])
            return engine_err(err, WASM_ERR_ARG, "argument type mismatch");
        if (!engine_ref_ok(s, args[i].type, args[i].of.ref))
            return engine_err(err, WASM_ERR_ARG, "funcref argument is not a function of the store");
        s->stack[i] = engine_val_bits(args[i]);
    }
    thread_reset(s);
    s->th.trap = WASM_TRAP_NONE;
    s->th.trap_msg[0] = 0;
    s->th.invoked = f;
    s->th.fn = f;
    s->th.state = f->code ? THREAD_READY : THREAD_HOSTCALL;
    return WASM_OK;
}

wasm_run_status wasm_run(wasm_store *s, uint64_t fuel)
{
    if (!s)
        return WASM_RUN_TRAP;
    switch (s->th.state) {
    case THREAD_READY:
        return wasm_interp_run(s, fuel);
    case THREAD_HOSTCALL: {
        wasm_host_status st;
        engine_host_call(s, s->th.fn, NULL, (char *)s->stack, &st);
        switch (st) {
        case WASM_HOST_OK:
            s->th.state = THREAD_DONE;
            return WASM_RUN_DONE;
        case WASM_HOST_YIELD:
            return WASM_RUN_YIELD;
        case WASM_HOST_EXIT:
            thread_reset(s);
            s->th.trap = WASM_TRAP_EXIT;
            return WASM_RUN_EXIT;
        default:
            thread_trap(s, WASM_TRAP_HOST, NULL);
            return WASM_RUN_TRAP;
        }
    }
    case THREAD_DONE:
        return WASM_RUN_DONE;
    default:
        return WASM_RUN_TRAP;
    }
}

uint64_t wasm_fuel_used(const wasm_store *s) { return s ? s->fuel_used : 0; }

uint32_t wasm_results(const wasm_store *s, wasm_val *out, uint32_t max)
{
    if (!s || s->th.state != THREAD_DONE || !s->th.invoked)
        return 0;
    const wasm_functype *t = &s->th.invoked->type;
    uint32_t n = t->nresults < max ? t->nresults : max;
    for (uint32_t i = 0; i < n; i++)
        out[i] = engine_bits_val(t->results[i], s->stack[i]);
    return t->nresults;
}

wasm_trap wasm_run_trap(const wasm_store *s, const char **msg)
{
    if (!s)
        return WASM_TRAP_NONE;
    if (msg)
        *msg = s->th.trap_msg;
    return s->th.trap;
}

uint32_t wasm_run_exit_code(const wasm_store *s) { return s ? s->th.exit_code : 0; }

wasm_errcode wasm_invoke(wasm_store *s, uint32_t funcaddr, const wasm_val *args, uint32_t nargs,
                         wasm_val *results, uint32_t nresults, wasm_err *err)
{
    wasm_errcode rc = wasm_invoke_begin(s, funcaddr, args, nargs, err);
    if (rc)
        return rc;
    wasm_run_status st = wasm_run(s, UINT64_MAX);
    switch (st) {
    case WASM_RUN_DONE:
        wasm_results(s, results, nresults);
        s->th.state = THREAD_IDLE;
        return WASM_OK;
    case WASM_RUN_TRAP:
        return engine_err(err, WASM_ERR_TRAP, s->th.trap_msg);
    case WASM_RUN_EXIT:
        return engine_err(err, WASM_ERR_TRAP, "exit");
    default:
        thread_reset(s);
        return engine_err(err, WASM_ERR_ARG, "host function yielded inside wasm_invoke");
    }
}
