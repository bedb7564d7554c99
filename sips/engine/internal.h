/* Internal data structures shared by the engine's files: the compiled module, the store
 * with its functions/memories/tables/globals, instances, and the execution thread.
 * Nothing here is visible outside sips/engine. */
#ifndef SIPS_ENGINE_INTERNAL_H
#define SIPS_ENGINE_INTERNAL_H

#include "sips/engine/engine.h"
#include "sips/engine/module.h"
#include "sips/engine/rt.h"
#include "sips/engine/ops.h"

#define WASM_PAGE        65536u
#define WASM_MAX_PAGES   65536u
#define WASM_SLOT        8u           /* bytes per value slot */
#define WASM_VT_UNKNOWN  0            /* polymorphic operand in the validator */

/* One compiled function body: internal code plus the frame shape. */
typedef struct {
    uint32_t type_index;
    uint32_t nparams, nresults;
    uint32_t nlocals;                 /* params + declared locals */
    uint32_t frame_slots;             /* locals + maximum operand stack height */
    uint32_t *code;
    uint32_t code_len;                /* in words */
} wasm_code;

struct wasm_module {
    wasm_decoded d;
    uint8_t hash[32];
    wasm_code *codes;                 /* d.nfuncs, for the module's own functions */
    /* whole index spaces (imports first) */
    uint32_t nfuncs_all;    uint32_t *func_types;          /* type index per function */
    uint32_t ntables_all;   wasm_tabletype *table_types;
    uint32_t nmems_all;     wasm_limits *mem_types;
    uint32_t nglobals_all;  wasm_globaltype *global_types;
    bool *func_declared;              /* may be named by ref.func in code */
};

/* ---- store objects ---- */
typedef struct {
    wasm_functype type;               /* arrays owned */
    uint32_t sig;                     /* store-wide id of the type, equal types equal ids */
    wasm_instance *inst;              /* NULL for host functions */
    const wasm_code *code;            /* NULL for host functions */
    uint32_t index;                   /* function index inside inst's module */
    wasm_host_fn host;
    void *env;
} store_func;

typedef struct {
    uint8_t *data;
    uint64_t size;                    /* bytes */
    wasm_limits lim;
} store_mem;

typedef struct {
    uint64_t *elems;
    uint32_t size;
    wasm_tabletype type;
} store_table;

typedef struct {
    uint64_t val;                     /* i32/f32 in the low 32 bits */
    wasm_globaltype type;
} store_global;

typedef struct { uint64_t *refs; uint32_t n; } elem_inst;
typedef struct { const uint8_t *bytes; uint32_t len; } data_inst;

struct wasm_instance {
    wasm_store *s;
    const wasm_module *m;
    store_func **funcs;  uint32_t *func_addrs;
    store_table **tables; uint32_t *table_addrs;
    store_mem *mem;      uint32_t mem_addr;        /* memory 0 or NULL */
    uint64_t **globals;  uint32_t *global_addrs;   /* pointers to store_global.val */
    uint32_t *type_sigs;
    elem_inst *elems;
    data_inst *datas;
    wasm_decoded_export *exports;
};

/* A call frame: where to continue the caller. */
typedef struct {
    store_func *fn;                   /* caller; NULL = return to the host */
    const uint32_t *pc;
    uint64_t *fp;
} wasm_frame;

enum { THREAD_IDLE, THREAD_READY, THREAD_HOSTCALL, THREAD_DONE };

typedef struct {
    int state;
    store_func *invoked;              /* the function wasm_invoke_begin() called */
    store_func *fn;                   /* running function (READY) or host func (HOSTCALL) */
    const uint32_t *pc;
    uint64_t *fp;
    uint32_t depth;                   /* frames in use */
    wasm_trap trap;
    char trap_msg[160];
    uint32_t exit_code;
} wasm_thread;

struct wasm_call_ctx {
    wasm_store *s;
    wasm_instance *inst;
    char msg[160];
    bool has_msg;
    uint32_t exit_code;
};

struct wasm_store {
    wasm_limits_cfg lim;
    uint64_t mem_bytes;               /* sum over memories */
    store_func **funcs;     uint32_t nfuncs, cfuncs;
    store_mem **mems;       uint32_t nmems, cmems;
    store_table **tables;   uint32_t ntables, ctables;
    store_global **globals; uint32_t nglobals, cglobals;
    wasm_instance **insts;  uint32_t ninsts, cinsts;
    wasm_functype *sigs;    uint32_t nsigs, csigs;     /* interned function types */
    uint64_t *stack;        uint32_t stack_slots;
    wasm_frame *frames;     uint32_t max_depth;
    wasm_thread th;
    uint64_t fuel_used;
};

/* ---- shared helpers ---- */
static inline size_t engine_strlen(const char *str)
{
    size_t n = 0;
    while (str[n])
        n++;
    return n;
}
wasm_errcode engine_err(wasm_err *err, wasm_errcode code, const char *msg);
bool engine_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem);

/* validate.c: module-level checks; fills the index-space arrays of m. */
wasm_errcode wasm_validate_module(wasm_module *m, wasm_err *err);
/* Check a constant expression yielding `type`; *deps_ok limits global.get to imports. */
wasm_errcode wasm_validate_const(const wasm_module *m, wasm_bytes e, uint8_t type, wasm_err *err);
/* compile.c: validate and compile one function body. */
wasm_errcode wasm_compile_func(const wasm_module *m, uint32_t func_index, wasm_code *out,
                               wasm_err *err);
/* skim.c: false (MALFORMED in err) if the body does not decode. */
bool wasm_skim_body(wasm_bytes body, wasm_err *err);
/* interp.c */
const int32_t *wasm_interp_handlers(void);
wasm_run_status wasm_interp_run(wasm_store *s, uint64_t fuel);
/* Call host function f with arguments (and results) in the slots at args. */
bool engine_host_call(wasm_store *s, store_func *f, wasm_instance *caller, char *args,
                      wasm_host_status *st);
/* store.c */
uint32_t store_intern_sig(wasm_store *s, const wasm_functype *t);  /* UINT32_MAX on OOM */
uint32_t store_add_func(wasm_store *s, const wasm_functype *t, wasm_instance *inst,
                        const wasm_code *code, uint32_t index, wasm_host_fn fn, void *env);
uint32_t store_add_memory(wasm_store *s, wasm_limits lim, bool *quota);
uint32_t store_add_table(wasm_store *s, wasm_tabletype type, uint64_t init);
uint32_t store_add_global(wasm_store *s, wasm_globaltype type, uint64_t val);
uint64_t engine_val_bits(wasm_val v);
/* A funcref from outside must name a function of the store (or be null). */
bool engine_ref_ok(const wasm_store *s, uint8_t type, uint64_t v);
wasm_val engine_bits_val(uint8_t type, uint64_t bits);
bool store_mem_grow(wasm_store *s, store_mem *mem, uint32_t delta, bool *quota_hit);
bool store_table_grow(store_table *t, uint32_t delta, uint64_t init);
bool functype_eq(const wasm_functype *a, const wasm_functype *b);
/* instance.c */
wasm_errcode instance_link(wasm_store *s, const wasm_module *m, const wasm_extern *imports,
                           uint32_t nimports, wasm_instance **out, wasm_err *err);
bool eval_const(const wasm_instance *inst, wasm_bytes e, uint64_t *out);
/* sha256.c */
void wasm_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
/* run.c */
void thread_reset(wasm_store *s);
void thread_trap(wasm_store *s, wasm_trap t, const char *msg);

#endif
