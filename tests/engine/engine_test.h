/* Shared helpers of the engine tests: the embedded test modules, host functions for the
 * "host" imports of prog.wat, and small wrappers to instantiate and call by export name. */
#ifndef TESTS_ENGINE_ENGINE_TEST_H
#define TESTS_ENGINE_ENGINE_TEST_H

#include "sips/engine/engine.h"
#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdint.h>

extern const uint8_t prog_wasm[], callee_wasm[], caller_wasm[];
extern const size_t prog_wasm_len, callee_wasm_len, caller_wasm_len;

/* State of the host functions of one store. */
typedef struct {
    int yield_times;       /* yieldy yields this many times before answering */
    int yieldy_calls;
    int32_t last_arg;
} host_state;

/* A store with prog.wat instantiated (host imports bound to hs). */
typedef struct {
    wasm_module *m;
    wasm_store *s;
    wasm_instance *inst;
    wasm_extern imports[3];
    host_state hs;
} prog_env;

bool prog_open(prog_env *e, const wasm_limits_cfg *lim);
void prog_close(prog_env *e);
/* Create prog.wat's host imports in s. */
void prog_host_imports(wasm_store *s, host_state *hs, wasm_extern out[3]);
uint32_t export_func(wasm_instance *inst, const char *name);
/* Call an export of prog with one argument (args may be NULL); returns the run status. */
wasm_run_status call1(prog_env *e, const char *name, const wasm_val *arg, wasm_val *result);

static inline wasm_val vi32(int32_t v) { wasm_val x; x.type = WASM_I32; x.of.i64 = 0; x.of.i32 = (uint32_t)v; return x; }
static inline wasm_val vf32(float v) { wasm_val x; x.type = WASM_F32; x.of.i64 = 0; x.of.f32 = v; return x; }
static inline wasm_val vf64(double v) { wasm_val x; x.type = WASM_F64; x.of.f64 = v; return x; }
static inline wasm_val vi64(int64_t v) { wasm_val x; x.type = WASM_I64; x.of.i64 = (uint64_t)v; return x; }

void add_basic_suite(void);
void add_trap_suite(void);
void add_fuel_suite(void);
void add_snapshot_suite(void);
void add_fused_suite(void);
void add_store_addr_suite(void);
/* This program's path (argv[0]), to re-execute it; and the child side of the
 * fresh-process snapshot test. */
extern const char *engine_test_self;
int snapshot_child(const char *path);

#endif
