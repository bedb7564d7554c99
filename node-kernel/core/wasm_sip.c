/* WebAssembly SIP bodies (see wasm_sip.h): one store + one instance per SIP, the WASI and
 * `sip` import modules bound to it, _start run in slices. */
#include "node-kernel/core/wasm_sip.h"
#include "node-kernel/core/platform.h"
#include "node-kernel/core/sipabi.h"
#include "node-kernel/core/wasi.h"
#include "sips/engine/rt.h"

typedef struct wasm_body {
    const wasm_module *mod;
    wasm_store *store;
    wasm_instance *inst;
    wasi_ctx wasi;
} wasm_body;

static void log_sink(void *user, int fd, const char *data, size_t len)
{
    sip *s = user;
    if (s->k->on_log)
        s->k->on_log(s->k->on_log_arg, s, fd, data, len);
}

static sip_run_result wasm_body_run(sip *s, uint64_t fuel)
{
    wasm_body *b = s->body;
    uint64_t before = wasm_fuel_used(b->store);
    wasm_run_status st = wasm_run(b->store, fuel);
    s->fuel_used += wasm_fuel_used(b->store) - before;
    switch (st) {
    case WASM_RUN_FUEL:
        return SIP_RUN_FUEL;
    case WASM_RUN_YIELD:
        if (b->wasi.sleeping) {          /* a WASI clock wait: sleep until the deadline */
            s->waiting = true;
            s->wake_ns = b->wasi.wake_ns ? b->wasi.wake_ns : 1;
        }
        return SIP_RUN_YIELD;
    case WASM_RUN_DONE:
        s->exit_code = 0;
        return SIP_RUN_EXIT;
    case WASM_RUN_EXIT:
        s->exit_code = (int32_t)wasm_run_exit_code(b->store);
        return SIP_RUN_EXIT;
    case WASM_RUN_TRAP:
    default: {
        const char *msg = NULL;
        wasm_trap t = wasm_run_trap(b->store, &msg);
        if (!s->fault[0])
            rt_snprintf(s->fault, sizeof s->fault, "trap: %s", msg ? msg : wasm_trap_text(t));
        return SIP_RUN_TRAP;
    }
    }
}

static void wasm_body_destroy(sip *s)
{
    wasm_body *b = s->body;
    if (!b)
        return;
    if (b->store)
        wasm_store_free(b->store);
    wasi_ctx_free(&b->wasi);
    plat_free(b);
    s->body = NULL;
}

static const sip_body_ops wasm_ops = { "wasm", wasm_body_run, wasm_body_destroy };

wasm_module *wasm_sip_load_module(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    wasm_module *m = NULL;
    wasm_err e;
    if (wasm_module_load(bytes, len, &m, &e) != WASM_OK) {
        rt_snprintf(err, errlen, "%s module: %s",
                    e.code == WASM_ERR_MALFORMED ? "malformed" : "invalid", e.msg);
        return NULL;
    }
    if (!wasi_check_imports(m, err, errlen) || !sipabi_check_imports(m, err, errlen)) {
        wasm_module_free(m);
        return NULL;
    }
    return m;
}

int wasm_sip_attach(sip *s, const wasm_module *m, uint32_t argc, const char *const *argv,
                    uint32_t envc, const char *const *envp, char *err, size_t errlen)
{
    wasm_body *b = plat_alloc(sizeof *b);
    if (!b) {
        rt_snprintf(err, errlen, "out of memory");
        return SIP_ENOMEM;
    }
    __builtin_memset(b, 0, sizeof *b);
    b->mod = m;
    int rc = SIP_EINVAL;
    wasm_extern *imports = NULL;
    if (!wasi_ctx_init(&b->wasi, argc, argv, envc, envp)) {
        rt_snprintf(err, errlen, "out of memory");
        rc = SIP_ENOMEM;
        goto fail;
    }
    wasi_ctx_set_log(&b->wasi, log_sink, s);
    wasm_limits_cfg lim = { .max_memory_bytes = s->quota.memory_bytes };
    b->store = wasm_store_new(&lim);
    uint32_t n = wasm_module_num_imports(m);
    imports = plat_alloc((n + 1) * sizeof *imports);
    if (!b->store || !imports) {
        rt_snprintf(err, errlen, "out of memory");
        rc = SIP_ENOMEM;
        goto fail;
    }
    if (wasi_bind(b->store, m, &b->wasi, imports, err, errlen) < 0)
        goto fail;
    if (sipabi_bind(b->store, m, s, imports, err, errlen) < 0)
        goto fail;
    wasm_err e;
    /* A start function runs at instantiation with one slice of fuel; it may not block. */
    if (wasm_instantiate(b->store, m, imports, n, true, s->quota.fuel_slice, &b->inst, &e) != WASM_OK) {
        rt_snprintf(err, errlen, "instantiation failed: %s", e.msg);
        goto fail;
    }
    wasm_extern start;
    if (!wasm_instance_export(b->inst, "_start", 6, &start) || start.kind != WASM_EXTERN_FUNC) {
        rt_snprintf(err, errlen, "the module exports no _start function");
        goto fail;
    }
    if (wasm_invoke_begin(b->store, start.addr, NULL, 0, &e) != WASM_OK) {
        rt_snprintf(err, errlen, "cannot call _start: %s", e.msg);
        goto fail;
    }
    plat_free(imports);
    sip_set_body(s, &wasm_ops, b);
    return 0;
fail:
    plat_free(imports);
    if (b->store)
        wasm_store_free(b->store);
    wasi_ctx_free(&b->wasi);
    plat_free(b);
    return rc;
}

/* ---- migration support ------------------------------------------------------------------ */

wasm_store *wasm_sip_store(sip *s)
{
    return s->ops == &wasm_ops && s->body ? ((wasm_body *)s->body)->store : NULL;
}

const wasm_module *wasm_sip_module(sip *s)
{
    return s->ops == &wasm_ops && s->body ? ((wasm_body *)s->body)->mod : NULL;
}

uint8_t *wasm_sip_memory(sip *s, uint64_t *size)
{
    *size = 0;
    if (s->ops != &wasm_ops || !s->body || !((wasm_body *)s->body)->inst)
        return NULL;
    return wasm_instance_memory(((wasm_body *)s->body)->inst, size);
}

wasi_ctx *wasm_sip_wasi(sip *s)
{
    return s->ops == &wasm_ops && s->body ? &((wasm_body *)s->body)->wasi : NULL;
}

int wasm_sip_attach_snapshot(sip *s, const wasm_module *m, const uint8_t *snap, size_t len,
                             wasi_ctx *wasi, char *err, size_t errlen)
{
    wasm_body *b = plat_alloc(sizeof *b);
    uint32_t n = wasm_module_num_imports(m);
    wasm_extern *imports = plat_alloc((n + 1) * sizeof *imports);
    if (!b || !imports) {
        plat_free(b);
        plat_free(imports);
        rt_snprintf(err, errlen, "out of memory");
        return SIP_ENOMEM;
    }
    __builtin_memset(b, 0, sizeof *b);
    b->mod = m;
    b->wasi = *wasi;                       /* moved: the caller's copy is emptied */
    __builtin_memset(wasi, 0, sizeof *wasi);
    wasi_ctx_set_log(&b->wasi, log_sink, s);
    int rc = SIP_EINVAL;
    wasm_limits_cfg lim = { .max_memory_bytes = s->quota.memory_bytes };
    b->store = wasm_store_new(&lim);
    if (!b->store) {
        rt_snprintf(err, errlen, "out of memory");
        rc = SIP_ENOMEM;
        goto fail;
    }
    if (wasi_bind(b->store, m, &b->wasi, imports, err, errlen) < 0)
        goto fail;
    if (sipabi_bind(b->store, m, s, imports, err, errlen) < 0)
        goto fail;
    wasm_err e;
    if (wasm_snapshot_restore(m, snap, len, imports, n, b->store, &b->inst, &e) != WASM_OK) {
        rt_snprintf(err, errlen, "engine snapshot refused: %s", e.msg);
        goto fail;
    }
    plat_free(imports);
    sip_set_body(s, &wasm_ops, b);
    return 0;
fail:
    plat_free(imports);
    if (b->store)
        wasm_store_free(b->store);
    wasi_ctx_free(&b->wasi);
    plat_free(b);
    return rc;
}
