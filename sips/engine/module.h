/* The decoded form of a WebAssembly binary module: what decode.c produces from the bytes
 * (every section parsed, every structural rule of the binary format checked) and what the
 * validator, compiler and instantiation consume. Function bodies and constant expressions
 * stay as byte ranges into the module's own copy of the binary; the validator/compiler
 * parses the instructions inside them. All arrays are owned by the wasm_decoded and freed by
 * wasm_decoded_free(). Internal to the engine. */
#ifndef SIPS_ENGINE_MODULE_H
#define SIPS_ENGINE_MODULE_H

#include "sips/engine/engine.h"
#include "sips/engine/rt.h"

/* A byte range of the binary: a constant expression (ending with its 0x0B) or a code body. */
typedef struct { const uint8_t *start; uint32_t len; } wasm_bytes;

typedef struct {
    uint32_t nparams, nresults;
    uint8_t *params, *results;          /* wasm_valtype each */
} wasm_decoded_type;

typedef struct {
    const char *module, *name;          /* point into the binary; lengths below; UTF-8 checked */
    uint32_t module_len, name_len;
    uint8_t kind;                       /* wasm_externkind */
    uint32_t type_index;                /* FUNC: index into types */
    wasm_tabletype table;               /* TABLE */
    wasm_limits memory;                 /* MEMORY */
    wasm_globaltype global;             /* GLOBAL */
} wasm_decoded_import;

typedef struct {
    uint32_t type_index;                /* index into types */
    uint32_t nlocals;                   /* declared locals, not counting params */
    uint8_t *local_types;               /* nlocals entries (groups expanded) */
    wasm_bytes body;                    /* instructions after the locals, ending with 0x0B */
} wasm_decoded_func;

typedef struct {
    wasm_globaltype type;
    wasm_bytes init;                    /* constant expression */
} wasm_decoded_global;

typedef struct {
    const char *name;                   /* points into the binary; UTF-8 checked */
    uint32_t name_len;
    uint8_t kind;                       /* wasm_externkind */
    uint32_t index;                     /* into the index space of that kind */
} wasm_decoded_export;

enum { WASM_SEG_ACTIVE = 0, WASM_SEG_PASSIVE = 1, WASM_SEG_DECLARATIVE = 2 };

/* One element segment item: either a function index (the legacy encodings) or a constant
 * expression (ref.func / ref.null / global.get). */
typedef struct {
    bool is_expr;
    uint32_t func_index;                /* !is_expr */
    wasm_bytes expr;                    /* is_expr */
} wasm_elem_item;

typedef struct {
    uint8_t mode;                       /* WASM_SEG_* */
    uint8_t elem_type;                  /* WASM_FUNCREF or WASM_EXTERNREF */
    uint32_t table_index;               /* active */
    wasm_bytes offset;                  /* active: constant expression */
    uint32_t nitems;
    wasm_elem_item *items;
} wasm_decoded_elem;

typedef struct {
    uint8_t mode;                       /* WASM_SEG_ACTIVE or WASM_SEG_PASSIVE */
    uint32_t memory_index;              /* active */
    wasm_bytes offset;                  /* active: constant expression */
    const uint8_t *bytes;               /* into the binary */
    uint32_t len;
} wasm_decoded_data;

typedef struct {
    uint8_t *binary;                    /* the module's own copy of the bytes */
    size_t binary_len;

    uint32_t ntypes;        wasm_decoded_type   *types;
    uint32_t nimports;      wasm_decoded_import *imports;

    /* Index spaces: imported entities come first. The counts below are the module's OWN
     * definitions; num_imported_* count the imports of each kind. */
    uint32_t num_imported_funcs, num_imported_tables, num_imported_memories, num_imported_globals;
    uint32_t nfuncs;        wasm_decoded_func   *funcs;      /* function + code sections */
    uint32_t ntables;       wasm_tabletype      *tables;
    uint32_t nmemories;     wasm_limits         *memories;
    uint32_t nglobals;      wasm_decoded_global *globals;
    uint32_t nexports;      wasm_decoded_export *exports;
    bool has_start;         uint32_t start;
    uint32_t nelems;        wasm_decoded_elem   *elems;
    uint32_t ndatas;        wasm_decoded_data   *datas;
    bool has_data_count;    uint32_t data_count;
} wasm_decoded;

/* Decode (structure only: sections, order, sizes, LEB128 bounds, UTF-8 names, counts that
 * must agree). Semantic checks (index ranges, types, constant expressions, code) belong to
 * the validator. Returns WASM_OK or WASM_ERR_MALFORMED/WASM_ERR_NOMEM with err filled; the
 * decoder copies `bytes` into d->binary. */
wasm_errcode wasm_decode(const uint8_t *bytes, size_t len, wasm_decoded *d, wasm_err *err);
void wasm_decoded_free(wasm_decoded *d);

/* LEB128 and other readers shared by the decoder and the code validator/compiler.
 * Each returns false (and leaves *p unchanged) on overrun, overlong or out-of-range
 * encodings, following the binary format's rules. */
typedef struct { const uint8_t *p, *end; } wasm_reader;
bool wasm_read_u8(wasm_reader *r, uint8_t *out);
bool wasm_read_u32(wasm_reader *r, uint32_t *out);
bool wasm_read_s32(wasm_reader *r, int32_t *out);
bool wasm_read_s33(wasm_reader *r, int64_t *out);      /* block types */
bool wasm_read_s64(wasm_reader *r, int64_t *out);
bool wasm_read_f32(wasm_reader *r, uint32_t *bits);
bool wasm_read_f64(wasm_reader *r, uint64_t *bits);

#endif
