/* Public interface of the SIP engine: a freestanding WebAssembly 2.0 (non-SIMD) decoder,
 * validator, pre-decoding interpreter with fuel metering, and snapshot/restore.
 *
 * Object model (after the spec's store):
 *   wasm_module    decoded + validated + compiled code; immutable; may be shared by stores.
 *   wasm_store     owns instances, functions, memories, tables, globals and ONE execution
 *                  thread (value stack, call frames, labels, all in explicit memory).
 *                  A SIP is one store holding one instance whose imports are host functions.
 *   wasm_instance  an instantiated module inside a store.
 *   wasm_extern    a reference to a function/table/memory/global of a store (kind + address).
 *
 * Execution never recurses on the C stack: wasm_invoke_begin() pushes a call, wasm_run()
 * executes until done, trap, host yield or fuel exhaustion, and can be called again to
 * continue exactly where it stopped. A paused store can be serialized with
 * wasm_snapshot_save() and resumed in another process with wasm_snapshot_restore().
 *
 * Freestanding: this header needs only <stdint.h>, <stddef.h>, <stdbool.h>. */
#ifndef SIPS_ENGINE_ENGINE_H
#define SIPS_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- values ------------------------------------------------------------------------- */
typedef enum {
    WASM_I32 = 0x7F, WASM_I64 = 0x7E, WASM_F32 = 0x7D, WASM_F64 = 0x7C,
    WASM_V128 = 0x7B, WASM_FUNCREF = 0x70, WASM_EXTERNREF = 0x6F,
} wasm_valtype;

/* A reference value: WASM_REF_NULL, or for funcref a function address of the store,
 * or for externref an opaque host value (any value but WASM_REF_NULL). */
#define WASM_REF_NULL UINT64_MAX

typedef struct {
    uint8_t type;                 /* wasm_valtype */
    union {
        uint32_t i32;
        uint64_t i64;
        float    f32;
        double   f64;
        uint64_t ref;
    } of;
} wasm_val;

/* ---- errors and traps ----------------------------------------------------------------- */
typedef enum {
    WASM_OK = 0,
    WASM_ERR_MALFORMED,           /* binary does not decode */
    WASM_ERR_INVALID,             /* decodes, but fails validation */
    WASM_ERR_LINK,                /* imports missing or of the wrong type */
    WASM_ERR_TRAP,                /* a trap during instantiation or a call */
    WASM_ERR_LIMIT,               /* a resource limit (memory quota, table size) */
    WASM_ERR_NOMEM,               /* the engine's allocator failed */
    WASM_ERR_ARG,                 /* bad argument to an API call */
    WASM_ERR_SNAPSHOT,            /* snapshot buffer corrupt or does not match the module */
} wasm_errcode;

typedef struct {
    wasm_errcode code;
    char msg[192];                /* human readable; for traps the spec's wording */
} wasm_err;

typedef enum {
    WASM_TRAP_NONE = 0,
    WASM_TRAP_UNREACHABLE,        /* "unreachable" */
    WASM_TRAP_MEMORY_OOB,         /* "out of bounds memory access" */
    WASM_TRAP_TABLE_OOB,          /* "out of bounds table access" */
    WASM_TRAP_DIV_ZERO,           /* "integer divide by zero" */
    WASM_TRAP_INT_OVERFLOW,       /* "integer overflow" */
    WASM_TRAP_INVALID_CONVERSION, /* "invalid conversion to integer" */
    WASM_TRAP_UNDEFINED_ELEMENT,  /* "undefined element" (call_indirect index past table) */
    WASM_TRAP_UNINITIALIZED,      /* "uninitialized element" (call_indirect on null) */
    WASM_TRAP_INDIRECT_MISMATCH,  /* "indirect call type mismatch" */
    WASM_TRAP_STACK_EXHAUSTED,    /* "call stack exhausted" */
    WASM_TRAP_MEMORY_LIMIT,       /* "memory limit exceeded" (store quota) */
    WASM_TRAP_HOST,               /* a host function trapped; message from the host */
    WASM_TRAP_EXIT,               /* a host function ended the program (e.g. proc_exit) */
} wasm_trap;

const char *wasm_trap_text(wasm_trap t);

/* ---- modules ---------------------------------------------------------------------------- */
typedef struct wasm_module wasm_module;

/* Decode, validate and pre-decode a binary module. The bytes are copied; the caller may
 * free them afterwards. On failure *out is NULL and err says why (malformed vs invalid). */
wasm_errcode wasm_module_load(const uint8_t *bytes, size_t len, wasm_module **out, wasm_err *err);
void wasm_module_free(wasm_module *m);
/* SHA-256 of the module's bytes, computed at load. */
const uint8_t *wasm_module_hash(const wasm_module *m);

typedef enum { WASM_EXTERN_FUNC = 0, WASM_EXTERN_TABLE = 1, WASM_EXTERN_MEMORY = 2,
               WASM_EXTERN_GLOBAL = 3 } wasm_externkind;

typedef struct {
    uint32_t nparams, nresults;
    const uint8_t *params, *results;    /* wasm_valtype each */
} wasm_functype;

typedef struct { uint32_t min, max; bool has_max; } wasm_limits;   /* pages or elements */
typedef struct { uint8_t elem; wasm_limits limits; } wasm_tabletype;
typedef struct { uint8_t type; bool mut; } wasm_globaltype;

typedef struct {
    const char *module, *name;          /* not NUL-terminated */
    uint32_t module_len, name_len;
    uint8_t kind;                       /* wasm_externkind */
    wasm_functype func;                 /* kind == FUNC */
    wasm_tabletype table;               /* kind == TABLE */
    wasm_limits memory;                 /* kind == MEMORY */
    wasm_globaltype global;             /* kind == GLOBAL */
} wasm_importdesc;

typedef struct {
    const char *name;                   /* not NUL-terminated */
    uint32_t name_len;
    uint8_t kind;                       /* wasm_externkind */
} wasm_exportdesc;

uint32_t wasm_module_num_imports(const wasm_module *m);
void     wasm_module_import(const wasm_module *m, uint32_t i, wasm_importdesc *out);
uint32_t wasm_module_num_exports(const wasm_module *m);
void     wasm_module_export(const wasm_module *m, uint32_t i, wasm_exportdesc *out);

/* ---- stores, host objects, instances -------------------------------------------------- */
typedef struct wasm_store wasm_store;
typedef struct wasm_instance wasm_instance;

typedef struct { uint8_t kind; uint32_t addr; } wasm_extern;

typedef struct {
    uint64_t max_memory_bytes;     /* quota over all memories of the store; 0 = 4 GiB */
    uint32_t max_stack_bytes;      /* value stack + frames; 0 = engine default (1 MiB) */
    uint32_t max_call_depth;       /* 0 = engine default (10000) */
} wasm_limits_cfg;

wasm_store *wasm_store_new(const wasm_limits_cfg *limits);   /* limits may be NULL */
void        wasm_store_free(wasm_store *s);

/* Host functions. A host function reads its arguments and writes its results. It returns
 *   WASM_HOST_OK     results written, execution continues after the call;
 *   WASM_HOST_YIELD  nothing happened yet: wasm_run() returns WASM_RUN_YIELD with the call
 *                    still pending, and the next wasm_run() calls the host function again
 *                    with the same arguments (this is how a SIP blocks on a channel);
 *   WASM_HOST_TRAP   the call traps with message wasm_host_set_trap() set (or "host trap");
 *   WASM_HOST_EXIT   the program ends (proc_exit); wasm_run() returns WASM_RUN_EXIT. */
typedef enum { WASM_HOST_OK, WASM_HOST_YIELD, WASM_HOST_TRAP, WASM_HOST_EXIT } wasm_host_status;

typedef struct wasm_call_ctx wasm_call_ctx;   /* what a host function may ask about its caller */
typedef wasm_host_status (*wasm_host_fn)(wasm_call_ctx *ctx, void *env,
                                         const wasm_val *args, wasm_val *results);

/* The calling instance and its memory 0 (NULL/0 when it has none). */
wasm_instance *wasm_ctx_instance(wasm_call_ctx *ctx);
uint8_t       *wasm_ctx_memory(wasm_call_ctx *ctx, uint64_t *size_bytes);
void           wasm_host_set_trap(wasm_call_ctx *ctx, const char *msg);
void           wasm_host_set_exit(wasm_call_ctx *ctx, uint32_t code);

/* Each returns an extern whose address is valid for the life of the store. The functype's
 * arrays are copied. On failure the returned extern has kind 0xFF. */
wasm_extern wasm_store_host_func(wasm_store *s, const wasm_functype *type, wasm_host_fn fn, void *env);
wasm_extern wasm_store_memory(wasm_store *s, wasm_limits limits);
wasm_extern wasm_store_table(wasm_store *s, wasm_tabletype type, uint64_t init_ref);
wasm_extern wasm_store_global(wasm_store *s, wasm_globaltype type, wasm_val value);

/* Instantiate: imports[] matches the module's imports in order. Runs the active element and
 * data segment initialisation; if run_start, also runs the start function to completion
 * (with fuel limited to start_fuel, 0 = unlimited). A trap leaves the store usable. */
wasm_errcode wasm_instantiate(wasm_store *s, const wasm_module *m, const wasm_extern *imports,
                              uint32_t nimports, bool run_start, uint64_t start_fuel,
                              wasm_instance **out, wasm_err *err);

/* Look up an export by name; returns false if absent. */
bool wasm_instance_export(const wasm_instance *inst, const char *name, uint32_t name_len,
                          wasm_extern *out);
const wasm_module *wasm_instance_module(const wasm_instance *inst);
/* Memory 0 of the instance (NULL if none); the pointer is invalidated by memory.grow. */
uint8_t *wasm_instance_memory(wasm_instance *inst, uint64_t *size_bytes);

/* Accessors for externs of a store. */
bool     wasm_func_type(const wasm_store *s, uint32_t funcaddr, wasm_functype *out);
wasm_val wasm_global_get(const wasm_store *s, uint32_t globaladdr);
bool     wasm_global_set(wasm_store *s, uint32_t globaladdr, wasm_val v);   /* false if immutable or wrong type */
uint8_t *wasm_memory_data(wasm_store *s, uint32_t memaddr, uint64_t *size_bytes);
bool     wasm_memory_type(const wasm_store *s, uint32_t memaddr, wasm_limits *out);
bool     wasm_table_type(const wasm_store *s, uint32_t tableaddr, wasm_tabletype *out);
bool     wasm_global_type(const wasm_store *s, uint32_t globaladdr, wasm_globaltype *out);

/* ---- execution --------------------------------------------------------------------------- */
typedef enum {
    WASM_RUN_DONE,        /* the invoked function returned; fetch results */
    WASM_RUN_FUEL,        /* the fuel budget is spent; wasm_run() again continues */
    WASM_RUN_YIELD,       /* a host function yielded; wasm_run() again retries it */
    WASM_RUN_TRAP,        /* trapped; wasm_run_trap() says why; the thread is reset */
    WASM_RUN_EXIT,        /* a host function ended the program; wasm_run_exit_code() */
} wasm_run_status;

/* Push a call of funcaddr with args onto the store's thread (which must be idle). */
wasm_errcode wasm_invoke_begin(wasm_store *s, uint32_t funcaddr, const wasm_val *args,
                               uint32_t nargs, wasm_err *err);
/* Execute for at most `fuel` units (UINT64_MAX = unlimited). One unit is roughly one
 * executed instruction; fuel is checked at function entry and loop back-edges, so a
 * paused thread always stops at an instruction boundary. */
wasm_run_status wasm_run(wasm_store *s, uint64_t fuel);
uint64_t  wasm_fuel_used(const wasm_store *s);                /* total since store creation */
uint32_t  wasm_results(const wasm_store *s, wasm_val *out, uint32_t max);
wasm_trap wasm_run_trap(const wasm_store *s, const char **msg);
uint32_t  wasm_run_exit_code(const wasm_store *s);
bool      wasm_thread_idle(const wasm_store *s);

/* Convenience: begin + run to completion with unlimited fuel. */
wasm_errcode wasm_invoke(wasm_store *s, uint32_t funcaddr, const wasm_val *args, uint32_t nargs,
                         wasm_val *results, uint32_t nresults, wasm_err *err);

/* ---- snapshot ----------------------------------------------------------------------------- */
/* Serialize a store that holds exactly one instance whose imports are all host functions,
 * with its thread idle or paused (FUEL or YIELD): module hash, memories (zero pages elided),
 * globals, tables, value stack, frames, labels, fuel counters. *buf is allocated with the
 * engine allocator (free with wasm_free). The format is little-endian and versioned. */
wasm_errcode wasm_snapshot_save(const wasm_store *s, uint8_t **buf, size_t *len, wasm_err *err);
/* Rebuild such a store in a fresh store: m must be the module the snapshot names (hash
 * checked), and host_imports gives the host functions for the module's imports in order
 * (the same signatures). The restored thread continues with wasm_run(). */
wasm_errcode wasm_snapshot_restore(const wasm_module *m, const uint8_t *buf, size_t len,
                                   const wasm_extern *host_imports, uint32_t nimports,
                                   wasm_store *fresh, wasm_instance **out, wasm_err *err);

void wasm_free(void *p);

/* SHA-256 of a byte string (the content hash modules are named by across the cluster). */
void wasm_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif
