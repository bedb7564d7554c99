/* Executes one converted spec-suite file (see spec_file.h). All modules of a file live in
 * one store, as in the spec's own interpreter, so that registered modules can share
 * functions, tables, memories and globals. Named modules ("$M") and registered names
 * ("register") map to instances; "spectest" is the host module of spectest_host.c.
 *
 * Verdict rules (docs/spec-tests.md explains them):
 *   assert_trap / assert_exhaustion  the call must trap with the trap kind that the expected
 *       text names; differing message wording is only a NOTE.
 *   assert_malformed / assert_invalid  the load must fail with exactly that error class
 *       (WASM_ERR_MALFORMED / WASM_ERR_INVALID); text-format modules are skipped.
 *   assert_unlinkable  an unknown import, or instantiation failing with WASM_ERR_LINK.
 *   assert_uninstantiable (and assert_trap on a module)  instantiation fails with
 *       WASM_ERR_TRAP. */
#include "tests/spec/spec_file.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sips/engine/engine.h"
#include "tests/spec/spec_values.h"
#include "tests/spec/spectest_host.h"

#define MAX_RESULTS 256
#define DETAIL_LEN 1024
#define DEFAULT_FUEL_SLICE (1ull << 26)

typedef struct {
    char *name;
    size_t len;
    wasm_instance *inst;        /* NULL: the module of that name failed to instantiate */
} binding;

typedef struct {
    binding *items;
    size_t n, cap;
} binding_list;

typedef struct {
    const spec_file_options *opt;
    spec_sink *sink;
    char dir[4096];             /* directory of the .json: the .wasm files are there */
    wasm_store *store;
    spectest_host host;
    bool host_ok;
    char host_why[256];
    wasm_instance *current;     /* the most recent module, target of unnamed actions */
    binding_list named, registered;
    wasm_module **modules;      /* every loaded module; freed after the store */
    size_t nmodules, capmodules;
    bool stuck;                 /* an invoke timed out: the store's thread is not idle */
} spec_ctx;

/* ---- small helpers -------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) { fprintf(stderr, "spec: out of memory\n"); abort(); }
    return q;
}

static binding *binding_find(binding_list *l, const char *name, size_t len)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].len == len && memcmp(l->items[i].name, name, len) == 0) return &l->items[i];
    return NULL;
}

static void binding_set(binding_list *l, const char *name, size_t len, wasm_instance *inst)
{
    binding *b = binding_find(l, name, len);
    if (!b) {
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 8;
            l->items = xrealloc(l->items, l->cap * sizeof *l->items);
        }
        b = &l->items[l->n++];
        b->name = xrealloc(NULL, len + 1);
        memcpy(b->name, name, len);
        b->name[len] = 0;
        b->len = len;
    }
    b->inst = inst;
}

static void binding_free(binding_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->items[i].name);
    free(l->items);
}

static void keep_module(spec_ctx *c, wasm_module *m)
{
    if (c->nmodules == c->capmodules) {
        c->capmodules = c->capmodules ? 2 * c->capmodules : 16;
        c->modules = xrealloc(c->modules, c->capmodules * sizeof *c->modules);
    }
    c->modules[c->nmodules++] = m;
}

static const char *errcode_name(wasm_errcode e)
{
    switch (e) {
    case WASM_OK: return "ok";
    case WASM_ERR_MALFORMED: return "malformed";
    case WASM_ERR_INVALID: return "invalid";
    case WASM_ERR_LINK: return "link error";
    case WASM_ERR_TRAP: return "trap";
    case WASM_ERR_LIMIT: return "limit";
    case WASM_ERR_NOMEM: return "out of memory";
    case WASM_ERR_ARG: return "bad argument";
    case WASM_ERR_SNAPSHOT: return "snapshot";
    }
    return "unknown error";
}

/* The spec's messages are prefixes of what an engine may say; an engine that adds context
 * in front ("section 3: unexpected end") still matches, so containment is enough. */
static bool message_matches(const char *expected, const char *got)
{
    if (!expected || !*expected) return true;
    return got && strstr(got, expected) != NULL;
}

/* Which trap kind an assert_trap text names; WASM_TRAP_NONE if none we know. */
static wasm_trap trap_kind_of_text(const char *text)
{
    static const struct { const char *prefix; wasm_trap kind; } map[] = {
        { "unreachable", WASM_TRAP_UNREACHABLE },
        { "out of bounds memory access", WASM_TRAP_MEMORY_OOB },
        { "out of bounds table access", WASM_TRAP_TABLE_OOB },
        { "undefined element", WASM_TRAP_UNDEFINED_ELEMENT },
        { "uninitialized element", WASM_TRAP_UNINITIALIZED },
        { "indirect call type mismatch", WASM_TRAP_INDIRECT_MISMATCH },
        { "integer divide by zero", WASM_TRAP_DIV_ZERO },
        { "integer overflow", WASM_TRAP_INT_OVERFLOW },
        { "invalid conversion to integer", WASM_TRAP_INVALID_CONVERSION },
        { "call stack exhausted", WASM_TRAP_STACK_EXHAUSTED },
    };
    if (!text) return WASM_TRAP_NONE;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strncmp(text, map[i].prefix, strlen(map[i].prefix)) == 0) return map[i].kind;
    return WASM_TRAP_NONE;
}

static void report(spec_ctx *c, const json_t *cmd, spec_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(spec_ctx *c, const json_t *cmd, spec_verdict v, const char *fmt, ...)
{
    char detail[DETAIL_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    int line = (int)json_integer_value(json_object_get(cmd, "line"));
    const char *type = json_string_value(json_object_get(cmd, "type"));
    c->sink->verdict(c->sink, line, type ? type : "?", v, detail);
}

/* ---- modules ------------------------------------------------------------------------------ */

typedef enum { MOD_OK, MOD_READ_ERROR, MOD_LOAD_FAILED, MOD_UNKNOWN_IMPORT, MOD_INST_FAILED } mod_stage;

typedef struct {
    mod_stage stage;
    wasm_errcode code;          /* engine's answer at that stage */
    char msg[512];
    wasm_module *module;
    wasm_instance *inst;
} mod_result;

static bool read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) { cap = cap ? 2 * cap : 65536; buf = xrealloc(buf, cap); }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    bool ok = !ferror(f);
    fclose(f);
    if (!ok) { free(buf); return false; }
    *data = buf;
    *len = n;
    return true;
}

/* Load cmd's "filename"; on success the module is owned by c (kept until the end). */
static bool load_module(spec_ctx *c, const json_t *cmd, mod_result *r)
{
    memset(r, 0, sizeof *r);
    const char *fn = json_string_value(json_object_get(cmd, "filename"));
    if (!fn) { r->stage = MOD_READ_ERROR; snprintf(r->msg, sizeof r->msg, "command has no filename"); return false; }
    if (strchr(fn, '/')) {
        r->stage = MOD_READ_ERROR;
        snprintf(r->msg, sizeof r->msg, "filename \"%.200s\" is not a plain file name", fn);
        return false;
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", c->dir, fn);
    uint8_t *bytes;
    size_t len;
    if (!read_file(path, &bytes, &len)) {
        r->stage = MOD_READ_ERROR;
        snprintf(r->msg, sizeof r->msg, "cannot read %s", fn);
        return false;
    }
    wasm_err err = { 0 };
    r->code = wasm_module_load(bytes, len, &r->module, &err);
    free(bytes);
    if (r->code != WASM_OK || !r->module) {
        r->stage = MOD_LOAD_FAILED;
        if (r->code == WASM_OK) r->code = WASM_ERR_ARG;
        snprintf(r->msg, sizeof r->msg, "%.*s", (int)sizeof err.msg, err.msg);
        r->module = NULL;
        return false;
    }
    keep_module(c, r->module);
    return true;
}

/* Resolve the imports of r->module against registered instances and spectest, then
 * instantiate with the start function. */
static bool instantiate_module(spec_ctx *c, mod_result *r)
{
    uint32_t n = wasm_module_num_imports(r->module);
    wasm_extern *imports = n ? xrealloc(NULL, n * sizeof *imports) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        wasm_importdesc d;
        wasm_module_import(r->module, i, &d);
        binding *b = binding_find(&c->registered, d.module, d.module_len);
        bool found = false;
        if (b && b->inst)
            found = wasm_instance_export(b->inst, d.name, d.name_len, &imports[i]);
        else if (!b && d.module_len == 8 && memcmp(d.module, "spectest", 8) == 0 && c->host_ok)
            found = spectest_lookup(&c->host, d.name, d.name_len, &imports[i]);
        if (!found) {
            r->stage = MOD_UNKNOWN_IMPORT;
            snprintf(r->msg, sizeof r->msg, "unknown import \"%.*s\" \"%.*s\"%s%s%s",
                     (int)d.module_len, d.module, (int)d.name_len, d.name,
                     (!b && !c->host_ok) ? " (spectest unavailable: " : "",
                     (!b && !c->host_ok) ? c->host_why : "", (!b && !c->host_ok) ? ")" : "");
            free(imports);
            return false;
        }
    }
    wasm_err err = { 0 };
    r->code = wasm_instantiate(c->store, r->module, imports, n, true, 0, &r->inst, &err);
    free(imports);
    if (r->code != WASM_OK || !r->inst) {
        if (r->code == WASM_OK) r->code = WASM_ERR_ARG;
        r->stage = MOD_INST_FAILED;
        r->inst = NULL;
        snprintf(r->msg, sizeof r->msg, "%.*s", (int)sizeof err.msg, err.msg);
        return false;
    }
    r->stage = MOD_OK;
    return true;
}

static const char *describe_failure(const mod_result *r, char *buf, size_t len)
{
    switch (r->stage) {
    case MOD_OK: snprintf(buf, len, "module loaded and instantiated"); break;
    case MOD_READ_ERROR: snprintf(buf, len, "%s", r->msg); break;
    case MOD_LOAD_FAILED: snprintf(buf, len, "load failed (%s): %s", errcode_name(r->code), r->msg); break;
    case MOD_UNKNOWN_IMPORT: snprintf(buf, len, "%s", r->msg); break;
    case MOD_INST_FAILED: snprintf(buf, len, "instantiation failed (%s): %s", errcode_name(r->code), r->msg); break;
    }
    return buf;
}

/* ---- actions -------------------------------------------------------------------------------- */

typedef enum { ACT_RETURNED, ACT_TRAPPED, ACT_ERROR, ACT_TIMEOUT } act_status;

typedef struct {
    act_status status;
    wasm_val vals[MAX_RESULTS];
    uint32_t nvals;
    wasm_trap trap;
    char msg[512];
} act_result;

static act_status act_error(act_result *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static act_status act_error(act_result *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    va_end(ap);
    return a->status = ACT_ERROR;
}

static act_status run_action(spec_ctx *c, const json_t *action, act_result *a)
{
    memset(a, 0, sizeof *a);
    const char *type = json_string_value(json_object_get(action, "type"));
    const json_t *jmod = json_object_get(action, "module");
    const json_t *jfield = json_object_get(action, "field");
    if (!type || !json_is_string(jfield)) return act_error(a, "action without type or field");
    const char *field = json_string_value(jfield);
    size_t field_len = json_string_length(jfield);

    wasm_instance *inst = c->current;
    if (json_is_string(jmod)) {
        binding *b = binding_find(&c->named, json_string_value(jmod), json_string_length(jmod));
        if (!b) return act_error(a, "unknown module \"%s\"", json_string_value(jmod));
        inst = b->inst;
        if (!inst) return act_error(a, "module \"%s\" did not instantiate", json_string_value(jmod));
    }
    if (!inst) return act_error(a, "no module instantiated");

    wasm_extern ext;
    if (!wasm_instance_export(inst, field, field_len, &ext))
        return act_error(a, "no export \"%.*s\"", (int)field_len, field);

    if (strcmp(type, "get") == 0) {
        if (ext.kind != WASM_EXTERN_GLOBAL) return act_error(a, "export \"%s\" is not a global", field);
        a->vals[0] = wasm_global_get(c->store, ext.addr);
        a->nvals = 1;
        return a->status = ACT_RETURNED;
    }
    if (strcmp(type, "invoke") != 0) return act_error(a, "unknown action type %s", type);
    if (ext.kind != WASM_EXTERN_FUNC) return act_error(a, "export \"%s\" is not a function", field);

    const json_t *jargs = json_object_get(action, "args");
    size_t nargs = json_array_size(jargs);
    wasm_val args[MAX_RESULTS];
    if (nargs > MAX_RESULTS) return act_error(a, "too many arguments (%zu)", nargs);
    for (size_t i = 0; i < nargs; i++) {
        char why[128];
        if (!spec_parse_arg(json_array_get(jargs, i), &args[i], why, sizeof why))
            return act_error(a, "argument %zu: %s", i, why);
    }
    if (c->stuck || !wasm_thread_idle(c->store))
        return act_error(a, "store thread busy (an earlier call timed out or yielded)");

    wasm_err err = { 0 };
    wasm_errcode ec = wasm_invoke_begin(c->store, ext.addr, args, (uint32_t)nargs, &err);
    if (ec != WASM_OK) return act_error(a, "invoke refused (%s): %.*s", errcode_name(ec), (int)sizeof err.msg, err.msg);

    double start = now_s();
    uint64_t slice = c->opt->fuel_slice ? c->opt->fuel_slice : DEFAULT_FUEL_SLICE;
    for (;;) {
        wasm_run_status st = wasm_run(c->store, slice);
        switch (st) {
        case WASM_RUN_DONE:
            a->nvals = wasm_results(c->store, a->vals, MAX_RESULTS);
            if (a->nvals > MAX_RESULTS) a->nvals = MAX_RESULTS;
            return a->status = ACT_RETURNED;
        case WASM_RUN_TRAP: {
            const char *msg = NULL;
            a->trap = wasm_run_trap(c->store, &msg);
            snprintf(a->msg, sizeof a->msg, "%s", msg ? msg : "");
            return a->status = ACT_TRAPPED;
        }
        case WASM_RUN_FUEL:
            if (c->opt->command_timeout_s > 0 && now_s() - start > c->opt->command_timeout_s) {
                c->stuck = true;
                snprintf(a->msg, sizeof a->msg, "still running after %.0f s", c->opt->command_timeout_s);
                return a->status = ACT_TIMEOUT;
            }
            continue;
        case WASM_RUN_YIELD:
            c->stuck = true;
            return act_error(a, "a host function yielded");
        case WASM_RUN_EXIT:
            return act_error(a, "a host function exited with %u", wasm_run_exit_code(c->store));
        }
        return act_error(a, "wasm_run returned unknown status %d", (int)st);
    }
}

static const char *describe_action(const act_result *a, char *buf, size_t len)
{
    size_t off = 0;
    switch (a->status) {
    case ACT_RETURNED:
        off += snprintf(buf, len, "returned (");
        for (uint32_t i = 0; i < a->nvals && off < len; i++) {
            char v[64];
            off += snprintf(buf + off, len - off, "%s%s", i ? " " : "", spec_format_value(&a->vals[i], v, sizeof v));
        }
        if (off < len) snprintf(buf + off, len - off, ")");
        break;
    case ACT_TRAPPED:
        snprintf(buf, len, "trap %s: \"%s\"", wasm_trap_text(a->trap), a->msg);
        break;
    case ACT_ERROR:
        snprintf(buf, len, "error: %s", a->msg);
        break;
    case ACT_TIMEOUT:
        snprintf(buf, len, "timeout: %s", a->msg);
        break;
    }
    return buf;
}

/* ---- commands ----------------------------------------------------------------------------- */

static void cmd_module(spec_ctx *c, const json_t *cmd)
{
    mod_result r;
    const json_t *jname = json_object_get(cmd, "name");
    bool ok = load_module(c, cmd, &r) && instantiate_module(c, &r);
    c->current = ok ? r.inst : NULL;
    if (json_is_string(jname))
        binding_set(&c->named, json_string_value(jname), json_string_length(jname), c->current);
    if (ok) { report(c, cmd, SPEC_PASS, "%s", ""); return; }
    char d[700];
    report(c, cmd, SPEC_FAIL, "expected module to instantiate; got %s", describe_failure(&r, d, sizeof d));
}

static void cmd_register(spec_ctx *c, const json_t *cmd)
{
    const json_t *jname = json_object_get(cmd, "name");
    const json_t *jas = json_object_get(cmd, "as");
    wasm_instance *inst = c->current;
    if (!json_is_string(jas)) { report(c, cmd, SPEC_FAIL, "register without \"as\""); return; }
    if (json_is_string(jname)) {
        binding *b = binding_find(&c->named, json_string_value(jname), json_string_length(jname));
        if (!b) { report(c, cmd, SPEC_FAIL, "unknown module \"%s\"", json_string_value(jname)); return; }
        inst = b->inst;
    }
    /* register even a failed module (as "absent") so imports from it say "unknown import" */
    binding_set(&c->registered, json_string_value(jas), json_string_length(jas), inst);
    if (inst) report(c, cmd, SPEC_PASS, "%s", "");
    else report(c, cmd, SPEC_FAIL, "nothing to register: the module did not instantiate");
}

static void cmd_action(spec_ctx *c, const json_t *cmd)
{
    act_result a;
    char d[DETAIL_LEN];
    run_action(c, json_object_get(cmd, "action"), &a);
    if (a.status == ACT_RETURNED) report(c, cmd, SPEC_PASS, "%s", "");
    else report(c, cmd, SPEC_FAIL, "expected the call to return; got %s", describe_action(&a, d, sizeof d));
}

static void cmd_assert_return(spec_ctx *c, const json_t *cmd)
{
    const json_t *jexp = json_object_get(cmd, "expected");
    size_t nexp = json_array_size(jexp);
    spec_expect exp[MAX_RESULTS];
    char d[DETAIL_LEN], e[DETAIL_LEN];
    if (nexp > MAX_RESULTS) { report(c, cmd, SPEC_FAIL, "too many expected values"); return; }
    for (size_t i = 0; i < nexp; i++) {
        char why[128];
        if (!spec_parse_expect(json_array_get(jexp, i), &exp[i], why, sizeof why)) {
            report(c, cmd, SPEC_FAIL, "expected value %zu: %s", i, why);
            return;
        }
    }
    act_result a;
    run_action(c, json_object_get(cmd, "action"), &a);
    bool ok = a.status == ACT_RETURNED && a.nvals == nexp;
    for (size_t i = 0; ok && i < nexp; i++) ok = spec_value_matches(&exp[i], &a.vals[i]);
    if (ok) { report(c, cmd, SPEC_PASS, "%s", ""); return; }
    size_t off = snprintf(e, sizeof e, "(");
    for (size_t i = 0; i < nexp && off < sizeof e; i++) {
        char v[64];
        off += snprintf(e + off, sizeof e - off, "%s%s", i ? " " : "", spec_format_expect(&exp[i], v, sizeof v));
    }
    if (off < sizeof e) snprintf(e + off, sizeof e - off, ")");
    report(c, cmd, SPEC_FAIL, "expected %s; got %s", e, describe_action(&a, d, sizeof d));
}

static void cmd_assert_trap_action(spec_ctx *c, const json_t *cmd)
{
    const char *text = json_string_value(json_object_get(cmd, "text"));
    act_result a;
    char d[DETAIL_LEN];
    run_action(c, json_object_get(cmd, "action"), &a);
    if (a.status != ACT_TRAPPED) {
        report(c, cmd, SPEC_FAIL, "expected trap \"%s\"; got %s", text ? text : "", describe_action(&a, d, sizeof d));
        return;
    }
    wasm_trap want = trap_kind_of_text(text);
    if (want != WASM_TRAP_NONE && a.trap != want) {
        report(c, cmd, SPEC_FAIL, "expected trap \"%s\"; got %s", text, describe_action(&a, d, sizeof d));
        return;
    }
    report(c, cmd, SPEC_PASS, "%s", "");
    if (!message_matches(text, a.msg))
        report(c, cmd, SPEC_NOTE, "trap message: expected \"%s\"; got \"%s\"", text ? text : "", a.msg);
}

static void cmd_assert_module_error(spec_ctx *c, const json_t *cmd, wasm_errcode want)
{
    const char *mt = json_string_value(json_object_get(cmd, "module_type"));
    const char *text = json_string_value(json_object_get(cmd, "text"));
    if (mt && strcmp(mt, "binary") != 0) {
        report(c, cmd, SPEC_SKIP, "%s-format module (a binary engine cannot load it)", mt);
        return;
    }
    mod_result r;
    char d[700];
    if (load_module(c, cmd, &r)) {
        report(c, cmd, SPEC_FAIL, "expected %s (\"%s\"); got module loaded", errcode_name(want), text ? text : "");
        return;
    }
    if (r.stage != MOD_LOAD_FAILED || r.code != want) {
        report(c, cmd, SPEC_FAIL, "expected %s (\"%s\"); got %s", errcode_name(want), text ? text : "",
               describe_failure(&r, d, sizeof d));
        return;
    }
    report(c, cmd, SPEC_PASS, "%s", "");
    if (!message_matches(text, r.msg))
        report(c, cmd, SPEC_NOTE, "%s message: expected \"%s\"; got \"%s\"", errcode_name(want), text ? text : "", r.msg);
}

static void cmd_assert_instantiation(spec_ctx *c, const json_t *cmd, wasm_errcode want)
{
    const char *text = json_string_value(json_object_get(cmd, "text"));
    mod_result r;
    char d[700];
    bool ok = load_module(c, cmd, &r) && instantiate_module(c, &r);
    bool right = (want == WASM_ERR_LINK && r.stage == MOD_UNKNOWN_IMPORT) ||
                 (r.stage == MOD_INST_FAILED && r.code == want);
    if (ok || !right) {
        report(c, cmd, SPEC_FAIL, "expected %s (\"%s\"); got %s", errcode_name(want), text ? text : "",
               describe_failure(&r, d, sizeof d));
        return;
    }
    report(c, cmd, SPEC_PASS, "%s", "");
    if (!message_matches(text, r.msg))
        report(c, cmd, SPEC_NOTE, "%s message: expected \"%s\"; got \"%s\"", errcode_name(want), text ? text : "", r.msg);
}

/* True if any value the command mentions is v128 (only SIMD files have them). */
static bool mentions_v128(const json_t *cmd)
{
    const json_t *lists[2] = { json_object_get(cmd, "expected"),
                               json_object_get(json_object_get(cmd, "action"), "args") };
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < json_array_size(lists[l]); i++)
            if (spec_json_is_v128(json_array_get(lists[l], i))) return true;
    return false;
}

static void run_command(spec_ctx *c, const json_t *cmd)
{
    const char *type = json_string_value(json_object_get(cmd, "type"));
    if (!type) { report(c, cmd, SPEC_FAIL, "command without a type"); return; }
    if (mentions_v128(cmd)) { report(c, cmd, SPEC_SKIP, "v128 values (SIMD)"); return; }
    if (strcmp(type, "module") == 0) cmd_module(c, cmd);
    else if (strcmp(type, "register") == 0) cmd_register(c, cmd);
    else if (strcmp(type, "action") == 0) cmd_action(c, cmd);
    else if (strcmp(type, "assert_return") == 0) cmd_assert_return(c, cmd);
    else if (strcmp(type, "assert_trap") == 0 || strcmp(type, "assert_exhaustion") == 0) {
        if (json_object_get(cmd, "filename")) cmd_assert_instantiation(c, cmd, WASM_ERR_TRAP);
        else cmd_assert_trap_action(c, cmd);
    }
    else if (strcmp(type, "assert_malformed") == 0) cmd_assert_module_error(c, cmd, WASM_ERR_MALFORMED);
    else if (strcmp(type, "assert_invalid") == 0) cmd_assert_module_error(c, cmd, WASM_ERR_INVALID);
    else if (strcmp(type, "assert_unlinkable") == 0) cmd_assert_instantiation(c, cmd, WASM_ERR_LINK);
    else if (strcmp(type, "assert_uninstantiable") == 0) cmd_assert_instantiation(c, cmd, WASM_ERR_TRAP);
    else report(c, cmd, SPEC_FAIL, "unknown command type \"%s\"", type);
}

/* ---- the file ------------------------------------------------------------------------------ */

bool spec_file_run(const char *json_path, const spec_file_options *opt, spec_sink *sink)
{
    json_error_t jerr;
    json_t *root = json_load_file(json_path, JSON_ALLOW_NUL, &jerr);
    const json_t *cmds = root ? json_object_get(root, "commands") : NULL;
    if (!json_is_array(cmds)) {
        char d[DETAIL_LEN];
        if (!root) snprintf(d, sizeof d, "cannot parse %s: %s (line %d)", json_path, jerr.text, jerr.line);
        else snprintf(d, sizeof d, "%s has no \"commands\" array", json_path);
        sink->begin(sink, 1);
        sink->verdict(sink, 0, "file", SPEC_FAIL, d);
        json_decref(root);
        return false;
    }

    spec_ctx c = { .opt = opt, .sink = sink };
    snprintf(c.dir, sizeof c.dir, "%s", json_path);
    char *slash = strrchr(c.dir, '/');
    if (slash) *slash = 0; else snprintf(c.dir, sizeof c.dir, ".");

    c.store = wasm_store_new(NULL);
    if (c.store) c.host_ok = spectest_create(&c.host, c.store, opt->log_prints, c.host_why, sizeof c.host_why);
    if (!c.host_ok && !c.host_why[0]) snprintf(c.host_why, sizeof c.host_why, "wasm_store_new failed");

    size_t n = json_array_size(cmds);
    sink->begin(sink, (unsigned)n);
    for (size_t i = 0; i < n; i++) {
        const json_t *cmd = json_array_get(cmds, i);
        const char *type = json_string_value(json_object_get(cmd, "type"));
        sink->start(sink, (int)json_integer_value(json_object_get(cmd, "line")), type ? type : "?");
        if (!c.store) { report(&c, cmd, SPEC_FAIL, "no store: wasm_store_new failed"); continue; }
        run_command(&c, cmd);
    }

    if (c.store) wasm_store_free(c.store);
    for (size_t i = 0; i < c.nmodules; i++) wasm_module_free(c.modules[i]);
    free(c.modules);
    binding_free(&c.named);
    binding_free(&c.registered);
    json_decref(root);
    return true;
}
