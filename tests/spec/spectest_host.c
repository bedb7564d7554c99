/* The "spectest" host module (see spectest_host.h). Values follow the reference
 * interpreter's conventions: the integer globals hold 666, the float globals 666.6. */
#include "tests/spec/spectest_host.h"

#include <stdio.h>
#include <string.h>

static const char *fn_names[] = {
    "print", "print_i32", "print_i64", "print_f32", "print_f64", "print_i32_f32", "print_f64_f64",
};
static const uint8_t fn_params[][2] = {
    { 0, 0 }, { WASM_I32, 0 }, { WASM_I64, 0 }, { WASM_F32, 0 }, { WASM_F64, 0 },
    { WASM_I32, WASM_F32 }, { WASM_F64, WASM_F64 },
};
static const uint32_t fn_nparams[] = { 0, 1, 1, 1, 1, 2, 2 };

static wasm_host_status print_logged(wasm_call_ctx *ctx, void *env, const wasm_val *args, wasm_val *results)
{
    (void)ctx; (void)results;
    unsigned i = (unsigned)(uintptr_t)env;
    fprintf(stderr, "spectest.%s(", fn_names[i]);
    for (uint32_t a = 0; a < fn_nparams[i]; a++) {
        const wasm_val *v = &args[a];
        if (a) fputs(", ", stderr);
        switch (v->type) {
        case WASM_I32: fprintf(stderr, "%d", (int32_t)v->of.i32); break;
        case WASM_I64: fprintf(stderr, "%lld", (long long)v->of.i64); break;
        case WASM_F32: fprintf(stderr, "%g", (double)v->of.f32); break;
        case WASM_F64: fprintf(stderr, "%g", v->of.f64); break;
        default: fputs("?", stderr);
        }
    }
    fputs(")\n", stderr);
    return WASM_HOST_OK;
}

static wasm_host_status print_quiet(wasm_call_ctx *ctx, void *env, const wasm_val *args, wasm_val *results)
{
    (void)ctx; (void)env; (void)args; (void)results;
    return WASM_HOST_OK;
}

static bool add(spectest_host *h, const char *name, wasm_extern ext, char *why, size_t whylen)
{
    if (ext.kind == 0xFF) {
        snprintf(why, whylen, "engine refused to create spectest.%s", name);
        return false;
    }
    h->exports[h->nexports].name = name;
    h->exports[h->nexports].ext = ext;
    h->nexports++;
    return true;
}

bool spectest_create(spectest_host *h, wasm_store *s, bool log_calls, char *why, size_t whylen)
{
    memset(h, 0, sizeof *h);
    for (unsigned i = 0; i < sizeof fn_names / sizeof fn_names[0]; i++) {
        wasm_functype ft = { .nparams = fn_nparams[i], .nresults = 0,
                             .params = fn_params[i], .results = NULL };
        wasm_extern e = wasm_store_host_func(s, &ft, log_calls ? print_logged : print_quiet,
                                             (void *)(uintptr_t)i);
        if (!add(h, fn_names[i], e, why, whylen)) return false;
    }
    wasm_val v;
    v.type = WASM_I32; v.of.i32 = 666;
    if (!add(h, "global_i32", wasm_store_global(s, (wasm_globaltype){ WASM_I32, false }, v), why, whylen)) return false;
    v.type = WASM_I64; v.of.i64 = 666;
    if (!add(h, "global_i64", wasm_store_global(s, (wasm_globaltype){ WASM_I64, false }, v), why, whylen)) return false;
    v.type = WASM_F32; v.of.f32 = 666.6f;
    if (!add(h, "global_f32", wasm_store_global(s, (wasm_globaltype){ WASM_F32, false }, v), why, whylen)) return false;
    v.type = WASM_F64; v.of.f64 = 666.6;
    if (!add(h, "global_f64", wasm_store_global(s, (wasm_globaltype){ WASM_F64, false }, v), why, whylen)) return false;
    wasm_tabletype tt = { .elem = WASM_FUNCREF, .limits = { .min = 10, .max = 20, .has_max = true } };
    if (!add(h, "table", wasm_store_table(s, tt, WASM_REF_NULL), why, whylen)) return false;
    wasm_limits ml = { .min = 1, .max = 2, .has_max = true };
    if (!add(h, "memory", wasm_store_memory(s, ml), why, whylen)) return false;
    return true;
}

bool spectest_lookup(const spectest_host *h, const char *name, size_t len, wasm_extern *out)
{
    for (unsigned i = 0; i < h->nexports; i++) {
        if (strlen(h->exports[i].name) == len && memcmp(h->exports[i].name, name, len) == 0) {
            *out = h->exports[i].ext;
            return true;
        }
    }
    return false;
}
