/* The interpreter: executes compiled slot code (ops.h) with computed-goto dispatch.
 * All state lives in the store's thread (value stack, frames): wasm calls push a frame
 * record and never recurse on the C stack, so execution can stop at any FUEL point or
 * pending host call and continue later, possibly after a snapshot/restore.
 * Code words hold each handler as an offset from a base label (see wasm_interp_handlers). */
#include "sips/engine/internal.h"
#include "sips/engine/fmath.h"

static const int32_t *handler_table;

const int32_t *wasm_interp_handlers(void)
{
    if (!handler_table)
        wasm_interp_run(NULL, 0);
    return handler_table;
}

#define I32(o) (*(int32_t *)(fp + (o)))
#define U32(o) (*(uint32_t *)(fp + (o)))
#define I64(o) (*(int64_t *)(fp + (o)))
#define U64(o) (*(uint64_t *)(fp + (o)))
#define F32(o) (*(float *)(fp + (o)))
#define F64(o) (*(double *)(fp + (o)))

#ifdef ENGINE_PROFILE
void engine_prof_hit(const uint32_t *pc);   /* supplied by a profiling build, never the library */
#define PROF() engine_prof_hit(pc)
#else
#define PROF() ((void)0)
#endif
#define NEXT() do { PROF(); goto *(void *)((char *)&&L_UNREACHABLE + (int32_t)*pc); } while (0)
#define TRAP(t) do { trap = (t); goto do_trap; } while (0)
/* Branch by rel words. A backward (or self) branch goes to a loop body, just past the loop's FUEL
 * instruction, and does that instruction's work itself (its cost is the word before). */
#define JUMP(r) do { int32_t rel_ = (int32_t)(r); pc += rel_; \
        if (rel_ <= 0) { if (fuel <= 0) { pc -= 2; goto pause_fuel; } fuel -= pc[-1]; } \
        NEXT(); } while (0)
#define RELOAD_MEM() do { if (inst->mem) { mem = inst->mem->data; memsize = inst->mem->size; } \
                          else { mem = NULL; memsize = 0; } } while (0)
#define SAVE() do { s->th.pc = pc; s->th.fp = (uint64_t *)fp; s->th.fn = fn; s->th.depth = depth; } while (0)

#define BIN(name, T, expr) L_##name: { T a = T##_(pc[2]), b = T##_(pc[3]); (void)a; (void)b; \
        T##_(pc[1]) = (expr); pc += 4; NEXT(); }
#define CMP(name, T, expr) L_##name: { T a = T##_(pc[2]), b = T##_(pc[3]); \
        U32(pc[1]) = (expr); pc += 4; NEXT(); }
#define UN(name, TI, TO, expr) L_##name: { TI a = TI##_(pc[2]); TO##_(pc[1]) = (expr); pc += 3; NEXT(); }
/* Division and remainder: B is the divisor's source (a slot or an immediate), LEN the
 * instruction length, OVF the signed-overflow condition (0 where there is none). */
#define DIVOP(name, T, B, LEN, OVF, expr) L_##name: { T a = T##_(pc[2]), b = (T)(B); \
        if (b == 0) TRAP(WASM_TRAP_DIV_ZERO); \
        if (OVF) TRAP(WASM_TRAP_INT_OVERFLOW); \
        T##_(pc[1]) = (expr); pc += (LEN); NEXT(); }
#define BRCMP(name, T, expr) L_##name: { T a = T##_(pc[1]), b = T##_(pc[2]); \
        if (expr) { JUMP(pc[3]); } pc += 4; NEXT(); }

/* typed slot accessors by C type name, for the macros above */
#define uint32_t_(o) U32(o)
#define int32_t_(o)  I32(o)
#define uint64_t_(o) U64(o)
#define int64_t_(o)  I64(o)
#define float_(o)    F32(o)
#define double_(o)   F64(o)

/* Memory access: EA is the 64-bit effective address, LEN the instruction length. */
#define LOADG(label, T, SET, conv, EA, LEN) label: { \
        uint64_t ea = (EA); \
        if (__builtin_expect(ea + sizeof(T) > memsize, 0)) TRAP(WASM_TRAP_MEMORY_OOB); \
        T v; __builtin_memcpy(&v, mem + ea, sizeof v); SET(pc[1]) = conv v; pc += LEN; NEXT(); }
#define STOREG(label, T, GET, EA, LEN) label: { \
        uint64_t ea = (EA); \
        if (__builtin_expect(ea + sizeof(T) > memsize, 0)) TRAP(WASM_TRAP_MEMORY_OOB); \
        T v = (T)GET(pc[2]); __builtin_memcpy(mem + ea, &v, sizeof v); pc += LEN; NEXT(); }
#define EA_PLAIN ((uint64_t)U32(pc[2]) + pc[3])
#define EA_K     ((uint64_t)(uint32_t)(U32(pc[2]) + pc[4]) + pc[3])
#define EA_X     ((uint64_t)(uint32_t)(U32(pc[2]) + U32(pc[4])) + pc[3])
#define EA_LA    ((uint64_t)pc[2] | ((uint64_t)pc[3] << 32))
#define SEA_PLAIN ((uint64_t)U32(pc[1]) + pc[3])
#define SEA_K     ((uint64_t)(uint32_t)(U32(pc[1]) + pc[4]) + pc[3])
#define SEA_X     ((uint64_t)(uint32_t)(U32(pc[1]) + U32(pc[4])) + pc[3])
#define SEA_A     ((uint64_t)pc[1] | ((uint64_t)pc[3] << 32))
#define LOAD(name, T, SET, conv) \
    LOADG(L_##name, T, SET, conv, EA_PLAIN, 4) \
    LOADG(L_##name##_K, T, SET, conv, EA_K, 5) \
    LOADG(L_##name##_X, T, SET, conv, EA_X, 5) \
    LOADG(L_##name##_A, T, SET, conv, EA_LA, 4)
#define STORE(name, T, GET) \
    STOREG(L_##name, T, GET, SEA_PLAIN, 4) \
    STOREG(L_##name##_K, T, GET, SEA_K, 5) \
    STOREG(L_##name##_X, T, GET, SEA_X, 5) \
    STOREG(L_##name##_A, T, GET, SEA_A, 4)

wasm_run_status wasm_interp_run(wasm_store *s, uint64_t budget)
{
    static const int32_t table[] = {
#define WASM_OP_LABEL(name) (int32_t)(&&L_##name - &&L_UNREACHABLE),
        WASM_OPS(WASM_OP_LABEL)
#undef WASM_OP_LABEL
    };
    if (!s) {
        handler_table = table;
        return WASM_RUN_DONE;
    }

    int64_t fuel = budget > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)budget;
    const int64_t fuel_start = fuel;
    wasm_trap trap = WASM_TRAP_NONE;
    store_func *fn = s->th.fn;
    const uint32_t *pc = s->th.pc;
    char *fp = (char *)s->th.fp;
    uint32_t depth = s->th.depth;
    wasm_frame *frames = s->frames;
    const uint32_t max_depth = s->max_depth;
    const char *stack_end = (const char *)(s->stack + s->stack_slots);
    wasm_instance *inst = fn->inst;
    uint8_t *mem;
    uint64_t memsize;
    store_func *callee;
    char *nfp;
    const uint32_t *ret_pc, *call_pc;
    RELOAD_MEM();

    if (!pc) {
        /* first entry into the invoked function: set up its frame like a call from the host */
        callee = fn;
        fn = NULL;
        nfp = fp;
        ret_pc = NULL;
        call_pc = NULL;
        goto do_call;
    }
    NEXT();

L_UNREACHABLE:
    TRAP(WASM_TRAP_UNREACHABLE);
L_FUEL:
    if (fuel <= 0) {
pause_fuel:
        SAVE();
        s->fuel_used += (uint64_t)(fuel_start - fuel);
        return WASM_RUN_FUEL;
    }
    fuel -= pc[1];
    pc += 2;
    NEXT();
L_BR:
    JUMP(pc[1]);
L_BR_IF:
    if (U32(pc[1])) JUMP(pc[2]);
    pc += 3;
    NEXT();
L_BR_UNLESS:
    if (!U32(pc[1])) JUMP(pc[2]);
    pc += 3;
    NEXT();
L_BR_TABLE: {
    uint32_t i = U32(pc[1]), n = pc[2];
    if (i > n) i = n;
    JUMP(pc[3 + i]);
}
L_BR_TABLE_L8K: {
    uint64_t ea = (uint64_t)(uint32_t)(U32(pc[1]) + pc[3]) + pc[2];
    if (__builtin_expect(ea + 1 > memsize, 0)) TRAP(WASM_TRAP_MEMORY_OOB);
    uint32_t i = mem[ea], n = pc[4];
    if (i > n) i = n;
    JUMP(pc[5 + i]);
}
L_RETURN: {
    wasm_frame *fr = &frames[--depth];
    if (!fr->fn) {
        s->th.depth = depth;
        s->th.state = THREAD_DONE;
        s->th.fp = (uint64_t *)fp;
        s->fuel_used += (uint64_t)(fuel_start - fuel);
        return WASM_RUN_DONE;
    }
    fn = fr->fn;
    pc = fr->pc;
    fp = (char *)fr->fp;
    if (fn->inst != inst)
        inst = fn->inst;
    RELOAD_MEM();
    NEXT();
}
L_CALL:
    callee = inst->funcs[pc[1]];
    nfp = fp + pc[2];
    call_pc = pc;
    ret_pc = pc + 3;
    goto do_call;
L_CALL_INDIRECT: {
    store_table *t = inst->tables[pc[2]];
    uint32_t i = U32(pc[3]);
    if (i >= t->size) TRAP(WASM_TRAP_UNDEFINED_ELEMENT);
    uint64_t r = t->elems[i];
    if (r == WASM_REF_NULL) TRAP(WASM_TRAP_UNINITIALIZED);
    callee = s->funcs[r];
    if (callee->sig != inst->type_sigs[pc[1]]) TRAP(WASM_TRAP_INDIRECT_MISMATCH);
    nfp = fp + pc[4];
    call_pc = pc;
    ret_pc = pc + 5;
    goto do_call;
}
do_call: {
    if (!callee->code) {
        wasm_host_status st;
        pc = call_pc;
        SAVE();
        if (!engine_host_call(s, callee, inst, nfp, &st))
            TRAP(WASM_TRAP_HOST);
        if (st == WASM_HOST_YIELD) {
            s->fuel_used += (uint64_t)(fuel_start - fuel);
            return WASM_RUN_YIELD;
        }
        if (st == WASM_HOST_EXIT) {
            s->fuel_used += (uint64_t)(fuel_start - fuel);
            thread_reset(s);
            s->th.trap = WASM_TRAP_EXIT;
            return WASM_RUN_EXIT;
        }
        if (st != WASM_HOST_OK)
            TRAP(WASM_TRAP_HOST);
        RELOAD_MEM();
        pc = ret_pc;
        NEXT();
    }
    const wasm_code *code = callee->code;
    if (depth >= max_depth || nfp + (size_t)code->frame_slots * WASM_SLOT > stack_end)
        TRAP(WASM_TRAP_STACK_EXHAUSTED);
    frames[depth].fn = fn;
    frames[depth].pc = ret_pc;
    frames[depth].fp = (uint64_t *)fp;
    depth++;
    __builtin_memset(nfp + code->nparams * WASM_SLOT, 0,
                     (size_t)(code->nlocals - code->nparams) * WASM_SLOT);
    fn = callee;
    fp = nfp;
    if (callee->inst != inst) {
        inst = callee->inst;
        RELOAD_MEM();
    }
    pc = code->code;
    NEXT();
}
L_COPY:
    U64(pc[1]) = U64(pc[2]);
    pc += 3;
    NEXT();
L_COPY2:
    U64(pc[1]) = U64(pc[2]);
    U64(pc[3]) = U64(pc[4]);
    pc += 5;
    NEXT();
L_COPYN: {
    uint32_t n = pc[1];
    const uint32_t *p = pc + 2;
    do {
        U64(p[0]) = U64(p[1]);
        p += 2;
    } while (--n);
    pc = p;
    NEXT();
}
L_COPYN_BR: {
    uint32_t n = pc[1];
    const uint32_t *p = pc + 2;
    do {
        U64(p[0]) = U64(p[1]);
        p += 2;
    } while (--n);
    JUMP(*p);
}
L_SELECT:
    U64(pc[1]) = U32(pc[4]) ? U64(pc[2]) : U64(pc[3]);
    pc += 5;
    NEXT();
L_CONST32:
    U32(pc[1]) = pc[2];
    pc += 3;
    NEXT();
L_CONST64:
    U64(pc[1]) = (uint64_t)pc[2] | ((uint64_t)pc[3] << 32);
    pc += 4;
    NEXT();
L_GLOBAL_GET:
    U64(pc[1]) = *inst->globals[pc[2]];
    pc += 3;
    NEXT();
L_GLOBAL_SET:
    *inst->globals[pc[1]] = U64(pc[2]);
    pc += 3;
    NEXT();
L_TABLE_GET: {
    store_table *t = inst->tables[pc[2]];
    uint32_t i = U32(pc[3]);
    if (i >= t->size) TRAP(WASM_TRAP_TABLE_OOB);
    U64(pc[1]) = t->elems[i];
    pc += 4;
    NEXT();
}
L_TABLE_SET: {
    store_table *t = inst->tables[pc[1]];
    uint32_t i = U32(pc[2]);
    if (i >= t->size) TRAP(WASM_TRAP_TABLE_OOB);
    t->elems[i] = U64(pc[3]);
    pc += 4;
    NEXT();
}
L_REF_IS_NULL:
    U32(pc[1]) = U64(pc[2]) == WASM_REF_NULL;
    pc += 3;
    NEXT();
L_REF_FUNC:
    U64(pc[1]) = inst->func_addrs[pc[2]];
    pc += 3;
    NEXT();
L_MEMORY_SIZE:
    U32(pc[1]) = (uint32_t)(memsize / WASM_PAGE);
    pc += 2;
    NEXT();
L_MEMORY_GROW: {
    uint32_t old = (uint32_t)(memsize / WASM_PAGE);
    bool quota = false;
    if (store_mem_grow(s, inst->mem, U32(pc[2]), &quota)) {
        U32(pc[1]) = old;
    } else {
        if (quota) TRAP(WASM_TRAP_MEMORY_LIMIT);
        U32(pc[1]) = UINT32_MAX;
    }
    RELOAD_MEM();
    pc += 3;
    NEXT();
}
    LOAD(LOAD32, uint32_t, U64, (uint64_t))
    LOAD(LOAD64, uint64_t, U64, )
    LOAD(LOAD8_S32, int8_t, U64, (uint64_t)(uint32_t)(int32_t))
    LOAD(LOAD8_U32, uint8_t, U64, (uint64_t))
    LOAD(LOAD16_S32, int16_t, U64, (uint64_t)(uint32_t)(int32_t))
    LOAD(LOAD16_U32, uint16_t, U64, (uint64_t))
    LOAD(LOAD8_S64, int8_t, I64, (int64_t))
    LOAD(LOAD8_U64, uint8_t, U64, (uint64_t))
    LOAD(LOAD16_S64, int16_t, I64, (int64_t))
    LOAD(LOAD16_U64, uint16_t, U64, (uint64_t))
    LOAD(LOAD32_S64, int32_t, I64, (int64_t))
    LOAD(LOAD32_U64, uint32_t, U64, (uint64_t))
    STORE(STORE32, uint32_t, U32)
    STORE(STORE64, uint64_t, U64)
    STORE(STORE8, uint8_t, U32)
    STORE(STORE16, uint16_t, U32)

    UN(I32_EQZ, uint32_t, uint32_t, a == 0)
    CMP(I32_EQ, uint32_t, a == b)
    CMP(I32_NE, uint32_t, a != b)
    CMP(I32_LT_S, int32_t, a < b)
    CMP(I32_LT_U, uint32_t, a < b)
    CMP(I32_GT_S, int32_t, a > b)
    CMP(I32_GT_U, uint32_t, a > b)
    CMP(I32_LE_S, int32_t, a <= b)
    CMP(I32_LE_U, uint32_t, a <= b)
    CMP(I32_GE_S, int32_t, a >= b)
    CMP(I32_GE_U, uint32_t, a >= b)
    UN(I64_EQZ, uint64_t, uint32_t, a == 0)
    CMP(I64_EQ, uint64_t, a == b)
    CMP(I64_NE, uint64_t, a != b)
    CMP(I64_LT_S, int64_t, a < b)
    CMP(I64_LT_U, uint64_t, a < b)
    CMP(I64_GT_S, int64_t, a > b)
    CMP(I64_GT_U, uint64_t, a > b)
    CMP(I64_LE_S, int64_t, a <= b)
    CMP(I64_LE_U, uint64_t, a <= b)
    CMP(I64_GE_S, int64_t, a >= b)
    CMP(I64_GE_U, uint64_t, a >= b)
    CMP(F32_EQ, float, a == b)
    CMP(F32_NE, float, a != b)
    CMP(F32_LT, float, a < b)
    CMP(F32_GT, float, a > b)
    CMP(F32_LE, float, a <= b)
    CMP(F32_GE, float, a >= b)
    CMP(F64_EQ, double, a == b)
    CMP(F64_NE, double, a != b)
    CMP(F64_LT, double, a < b)
    CMP(F64_GT, double, a > b)
    CMP(F64_LE, double, a <= b)
    CMP(F64_GE, double, a >= b)
    UN(I32_CLZ, uint32_t, uint32_t, fm_clz32(a))
    UN(I32_CTZ, uint32_t, uint32_t, fm_ctz32(a))
    UN(I32_POPCNT, uint32_t, uint32_t, fm_popcnt64(a))
    BIN(I32_ADD, uint32_t, a + b)
    BIN(I32_SUB, uint32_t, a - b)
    BIN(I32_MUL, uint32_t, a * b)
    DIVOP(I32_DIV_S, int32_t, I32(pc[3]), 4, a == INT32_MIN && b == -1, a / b)
    DIVOP(I32_DIV_U, uint32_t, U32(pc[3]), 4, 0, a / b)
    DIVOP(I32_REM_S, int32_t, I32(pc[3]), 4, 0, b == -1 ? 0 : a % b)
    DIVOP(I32_REM_U, uint32_t, U32(pc[3]), 4, 0, a % b)
    BIN(I32_AND, uint32_t, a & b)
    BIN(I32_OR, uint32_t, a | b)
    BIN(I32_XOR, uint32_t, a ^ b)
    BIN(I32_SHL, uint32_t, a << (b & 31))
    BIN(I32_SHR_S, int32_t, a >> (b & 31))
    BIN(I32_SHR_U, uint32_t, a >> (b & 31))
    BIN(I32_ROTL, uint32_t, (a << (b & 31)) | (a >> ((32 - b) & 31)))
    BIN(I32_ROTR, uint32_t, (a >> (b & 31)) | (a << ((32 - b) & 31)))
    UN(I64_CLZ, uint64_t, uint64_t, fm_clz64(a))
    UN(I64_CTZ, uint64_t, uint64_t, fm_ctz64(a))
    UN(I64_POPCNT, uint64_t, uint64_t, fm_popcnt64(a))
    BIN(I64_ADD, uint64_t, a + b)
    BIN(I64_SUB, uint64_t, a - b)
    BIN(I64_MUL, uint64_t, a * b)
    DIVOP(I64_DIV_S, int64_t, I64(pc[3]), 4, a == INT64_MIN && b == -1, a / b)
    DIVOP(I64_DIV_U, uint64_t, U64(pc[3]), 4, 0, a / b)
    DIVOP(I64_REM_S, int64_t, I64(pc[3]), 4, 0, b == -1 ? 0 : a % b)
    DIVOP(I64_REM_U, uint64_t, U64(pc[3]), 4, 0, a % b)
    BIN(I64_AND, uint64_t, a & b)
    BIN(I64_OR, uint64_t, a | b)
    BIN(I64_XOR, uint64_t, a ^ b)
    BIN(I64_SHL, uint64_t, a << (b & 63))
    BIN(I64_SHR_S, int64_t, a >> (b & 63))
    BIN(I64_SHR_U, uint64_t, a >> (b & 63))
    BIN(I64_ROTL, uint64_t, (a << (b & 63)) | (a >> ((64 - b) & 63)))
    BIN(I64_ROTR, uint64_t, (a >> (b & 63)) | (a << ((64 - b) & 63)))
    UN(F32_ABS, uint32_t, uint32_t, a & 0x7FFFFFFFu)
    UN(F32_NEG, uint32_t, uint32_t, a ^ 0x80000000u)
    UN(F32_CEIL, float, float, fm_ceilf(a))
    UN(F32_FLOOR, float, float, fm_floorf(a))
    UN(F32_TRUNC, float, float, fm_truncf(a))
    UN(F32_NEAREST, float, float, fm_nearestf(a))
    UN(F32_SQRT, float, float, __builtin_sqrtf(a))
    BIN(F32_ADD, float, a + b)
    BIN(F32_SUB, float, a - b)
    BIN(F32_MUL, float, a * b)
    BIN(F32_DIV, float, a / b)
    BIN(F32_MIN, float, fm_minf(a, b))
    BIN(F32_MAX, float, fm_maxf(a, b))
    BIN(F32_COPYSIGN, uint32_t, (a & 0x7FFFFFFFu) | (b & 0x80000000u))
    UN(F64_ABS, uint64_t, uint64_t, a & 0x7FFFFFFFFFFFFFFFull)
    UN(F64_NEG, uint64_t, uint64_t, a ^ 0x8000000000000000ull)
    UN(F64_CEIL, double, double, fm_ceil(a))
    UN(F64_FLOOR, double, double, fm_floor(a))
    UN(F64_TRUNC, double, double, fm_trunc(a))
    UN(F64_NEAREST, double, double, fm_nearest(a))
    UN(F64_SQRT, double, double, __builtin_sqrt(a))
    BIN(F64_ADD, double, a + b)
    BIN(F64_SUB, double, a - b)
    BIN(F64_MUL, double, a * b)
    BIN(F64_DIV, double, a / b)
    BIN(F64_MIN, double, fm_min(a, b))
    BIN(F64_MAX, double, fm_max(a, b))
    BIN(F64_COPYSIGN, uint64_t, (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull))
    UN(I32_WRAP_I64, uint64_t, uint32_t, (uint32_t)a)
#define TRUNC(name, TI, TO, fits) L_##name: { TI a = TI##_(pc[2]); \
        if (a != a) TRAP(WASM_TRAP_INVALID_CONVERSION); \
        if (!fits(a)) TRAP(WASM_TRAP_INT_OVERFLOW); \
        TO##_(pc[1]) = (TO)a; pc += 3; NEXT(); }
    TRUNC(I32_TRUNC_F32_S, float, int32_t, fm_fits_i32_f32)
    TRUNC(I32_TRUNC_F32_U, float, uint32_t, fm_fits_u32_f32)
    TRUNC(I32_TRUNC_F64_S, double, int32_t, fm_fits_i32_f64)
    TRUNC(I32_TRUNC_F64_U, double, uint32_t, fm_fits_u32_f64)
    UN(I64_EXTEND_I32_S, int32_t, int64_t, (int64_t)a)
    UN(I64_EXTEND_I32_U, uint32_t, uint64_t, (uint64_t)a)
    TRUNC(I64_TRUNC_F32_S, float, int64_t, fm_fits_i64_f32)
    TRUNC(I64_TRUNC_F32_U, float, uint64_t, fm_fits_u64_f32)
    TRUNC(I64_TRUNC_F64_S, double, int64_t, fm_fits_i64_f64)
    TRUNC(I64_TRUNC_F64_U, double, uint64_t, fm_fits_u64_f64)
    UN(F32_CONVERT_I32_S, int32_t, float, (float)a)
    UN(F32_CONVERT_I32_U, uint32_t, float, (float)a)
    UN(F32_CONVERT_I64_S, int64_t, float, (float)a)
    UN(F32_CONVERT_I64_U, uint64_t, float, (float)a)
    UN(F32_DEMOTE_F64, double, float, (float)a)
    UN(F64_CONVERT_I32_S, int32_t, double, (double)a)
    UN(F64_CONVERT_I32_U, uint32_t, double, (double)a)
    UN(F64_CONVERT_I64_S, int64_t, double, (double)a)
    UN(F64_CONVERT_I64_U, uint64_t, double, (double)a)
    UN(F64_PROMOTE_F32, float, double, (double)a)
    UN(I32_REINTERPRET_F32, uint32_t, uint32_t, a)
    UN(I64_REINTERPRET_F64, uint64_t, uint64_t, a)
    UN(F32_REINTERPRET_I32, uint32_t, uint32_t, a)
    UN(F64_REINTERPRET_I64, uint64_t, uint64_t, a)
    UN(I32_EXTEND8_S, uint32_t, int32_t, (int32_t)(int8_t)a)
    UN(I32_EXTEND16_S, uint32_t, int32_t, (int32_t)(int16_t)a)
    UN(I64_EXTEND8_S, uint64_t, int64_t, (int64_t)(int8_t)a)
    UN(I64_EXTEND16_S, uint64_t, int64_t, (int64_t)(int16_t)a)
    UN(I64_EXTEND32_S, uint64_t, int64_t, (int64_t)(int32_t)a)
    UN(I32_TRUNC_SAT_F32_S, float, int32_t, fm_sat_i32(a))
    UN(I32_TRUNC_SAT_F32_U, float, uint32_t, fm_sat_u32(a))
    UN(I32_TRUNC_SAT_F64_S, double, int32_t, fm_sat_i32(a))
    UN(I32_TRUNC_SAT_F64_U, double, uint32_t, fm_sat_u32(a))
    UN(I64_TRUNC_SAT_F32_S, float, int64_t, fm_sat_i64(a))
    UN(I64_TRUNC_SAT_F32_U, float, uint64_t, fm_sat_u64(a))
    UN(I64_TRUNC_SAT_F64_S, double, int64_t, fm_sat_i64(a))
    UN(I64_TRUNC_SAT_F64_U, double, uint64_t, fm_sat_u64(a))

L_MEMORY_INIT: {
    data_inst *seg = &inst->datas[pc[1]];
    uint32_t d = U32(pc[2]), src = U32(pc[3]), n = U32(pc[4]);
    if ((uint64_t)src + n > seg->len || (uint64_t)d + n > memsize) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n) __builtin_memcpy(mem + d, seg->bytes + src, n);
    pc += 5;
    NEXT();
}
L_DATA_DROP:
    inst->datas[pc[1]].len = 0;
    pc += 2;
    NEXT();
L_MEMORY_COPY: {
    uint32_t d = U32(pc[1]), src = U32(pc[2]), n = U32(pc[3]);
    if ((uint64_t)src + n > memsize || (uint64_t)d + n > memsize) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n) __builtin_memmove(mem + d, mem + src, n);
    pc += 4;
    NEXT();
}
L_MEMORY_FILL: {
    uint32_t d = U32(pc[1]), v = U32(pc[2]), n = U32(pc[3]);
    if ((uint64_t)d + n > memsize) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n) __builtin_memset(mem + d, (int)(uint8_t)v, n);
    pc += 4;
    NEXT();
}
L_TABLE_INIT: {
    store_table *t = inst->tables[pc[1]];
    elem_inst *seg = &inst->elems[pc[2]];
    uint32_t d = U32(pc[3]), src = U32(pc[4]), n = U32(pc[5]);
    if ((uint64_t)src + n > seg->n || (uint64_t)d + n > t->size) TRAP(WASM_TRAP_TABLE_OOB);
    if (n) __builtin_memcpy(t->elems + d, seg->refs + src, (size_t)n * 8);
    pc += 6;
    NEXT();
}
L_ELEM_DROP:
    inst->elems[pc[1]].n = 0;
    pc += 2;
    NEXT();
L_TABLE_COPY: {
    store_table *td = inst->tables[pc[1]], *ts = inst->tables[pc[2]];
    uint32_t d = U32(pc[3]), src = U32(pc[4]), n = U32(pc[5]);
    if ((uint64_t)src + n > ts->size || (uint64_t)d + n > td->size) TRAP(WASM_TRAP_TABLE_OOB);
    if (n) __builtin_memmove(td->elems + d, ts->elems + src, (size_t)n * 8);
    pc += 6;
    NEXT();
}
L_TABLE_GROW: {
    store_table *t = inst->tables[pc[2]];
    uint32_t old = t->size;
    U32(pc[1]) = store_table_grow(t, U32(pc[4]), U64(pc[3])) ? old : UINT32_MAX;
    pc += 5;
    NEXT();
}
L_TABLE_SIZE:
    U32(pc[1]) = inst->tables[pc[2]]->size;
    pc += 3;
    NEXT();
L_TABLE_FILL: {
    store_table *t = inst->tables[pc[1]];
    uint32_t i = U32(pc[2]), n = U32(pc[4]);
    uint64_t v = U64(pc[3]);
    if ((uint64_t)i + n > t->size) TRAP(WASM_TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < n; k++)
        t->elems[i + k] = v;
    pc += 5;
    NEXT();
}
    BRCMP(BR_I32_EQ, uint32_t, a == b)
    BRCMP(BR_I32_NE, uint32_t, a != b)
    BRCMP(BR_I32_LT_S, int32_t, a < b)
    BRCMP(BR_I32_LT_U, uint32_t, a < b)
    BRCMP(BR_I32_GT_S, int32_t, a > b)
    BRCMP(BR_I32_GT_U, uint32_t, a > b)
    BRCMP(BR_I32_LE_S, int32_t, a <= b)
    BRCMP(BR_I32_LE_U, uint32_t, a <= b)
    BRCMP(BR_I32_GE_S, int32_t, a >= b)
    BRCMP(BR_I32_GE_U, uint32_t, a >= b)
#define CMPK32(name, T, expr) L_##name: { T a = T##_(pc[2]), b = (T)pc[3]; \
        U32(pc[1]) = (expr); pc += 4; NEXT(); }
#define BINK32(name, T, expr) L_##name: { T a = T##_(pc[2]), b = (T)pc[3]; \
        T##_(pc[1]) = (expr); pc += 4; NEXT(); }
#define K64 ((uint64_t)pc[3] | ((uint64_t)pc[4] << 32))
#define CMPK64(name, T, expr) L_##name: { T a = T##_(pc[2]), b = (T)K64; \
        U32(pc[1]) = (expr); pc += 5; NEXT(); }
#define BINK64(name, T, expr) L_##name: { T a = T##_(pc[2]), b = (T)K64; \
        T##_(pc[1]) = (expr); pc += 5; NEXT(); }
    CMPK32(I32_EQ_K, uint32_t, a == b)
    CMPK32(I32_NE_K, uint32_t, a != b)
    CMPK32(I32_LT_S_K, int32_t, a < b)
    CMPK32(I32_LT_U_K, uint32_t, a < b)
    CMPK32(I32_GT_S_K, int32_t, a > b)
    CMPK32(I32_GT_U_K, uint32_t, a > b)
    CMPK32(I32_LE_S_K, int32_t, a <= b)
    CMPK32(I32_LE_U_K, uint32_t, a <= b)
    CMPK32(I32_GE_S_K, int32_t, a >= b)
    CMPK32(I32_GE_U_K, uint32_t, a >= b)
    CMPK64(I64_EQ_K, uint64_t, a == b)
    CMPK64(I64_NE_K, uint64_t, a != b)
    CMPK64(I64_LT_S_K, int64_t, a < b)
    CMPK64(I64_LT_U_K, uint64_t, a < b)
    CMPK64(I64_GT_S_K, int64_t, a > b)
    CMPK64(I64_GT_U_K, uint64_t, a > b)
    CMPK64(I64_LE_S_K, int64_t, a <= b)
    CMPK64(I64_LE_U_K, uint64_t, a <= b)
    CMPK64(I64_GE_S_K, int64_t, a >= b)
    CMPK64(I64_GE_U_K, uint64_t, a >= b)
    BINK32(I32_ADD_K, uint32_t, a + b)
L_F64_MUL_ADD: {
    double m = F64(pc[2]) * F64(pc[3]);
    F64(pc[1]) = m + F64(pc[4]);
    pc += 5;
    NEXT();
}
L_I32_ADD_K2:
    U32(pc[1]) = U32(pc[2]) + pc[3];
    U32(pc[4]) = U32(pc[5]) + pc[6];
    pc += 7;
    NEXT();
L_I32_ADD_K_BR:
    U32(pc[1]) = U32(pc[2]) + pc[3];
    JUMP(pc[4]);
L_I32_ADD_SHL_K:
    U32(pc[1]) = U32(pc[2]) + (U32(pc[3]) << (pc[4] & 31)) + pc[5];
    pc += 6;
    NEXT();
    BINK32(I32_SUB_K, uint32_t, a - b)
    BINK32(I32_MUL_K, uint32_t, a * b)
    DIVOP(I32_DIV_S_K, int32_t, pc[3], 4, a == INT32_MIN && b == -1, a / b)
    DIVOP(I32_DIV_U_K, uint32_t, pc[3], 4, 0, a / b)
    DIVOP(I32_REM_S_K, int32_t, pc[3], 4, 0, b == -1 ? 0 : a % b)
    DIVOP(I32_REM_U_K, uint32_t, pc[3], 4, 0, a % b)
    BINK32(I32_AND_K, uint32_t, a & b)
    BINK32(I32_OR_K, uint32_t, a | b)
    BINK32(I32_XOR_K, uint32_t, a ^ b)
    BINK32(I32_SHL_K, uint32_t, a << (b & 31))
    BINK32(I32_SHR_S_K, int32_t, a >> (b & 31))
    BINK32(I32_SHR_U_K, uint32_t, a >> (b & 31))
    BINK32(I32_ROTL_K, uint32_t, (a << (b & 31)) | (a >> ((32 - b) & 31)))
    BINK32(I32_ROTR_K, uint32_t, (a >> (b & 31)) | (a << ((32 - b) & 31)))
    BINK64(I64_ADD_K, uint64_t, a + b)
    BINK64(I64_SUB_K, uint64_t, a - b)
    BINK64(I64_MUL_K, uint64_t, a * b)
    DIVOP(I64_DIV_S_K, int64_t, K64, 5, a == INT64_MIN && b == -1, a / b)
    DIVOP(I64_DIV_U_K, uint64_t, K64, 5, 0, a / b)
    DIVOP(I64_REM_S_K, int64_t, K64, 5, 0, b == -1 ? 0 : a % b)
    DIVOP(I64_REM_U_K, uint64_t, K64, 5, 0, a % b)
    BINK64(I64_AND_K, uint64_t, a & b)
    BINK64(I64_OR_K, uint64_t, a | b)
    BINK64(I64_XOR_K, uint64_t, a ^ b)
    BINK64(I64_SHL_K, uint64_t, a << (b & 63))
    BINK64(I64_SHR_S_K, int64_t, a >> (b & 63))
    BINK64(I64_SHR_U_K, uint64_t, a >> (b & 63))
    BINK64(I64_ROTL_K, uint64_t, (a << (b & 63)) | (a >> ((64 - b) & 63)))
    BINK64(I64_ROTR_K, uint64_t, (a >> (b & 63)) | (a << ((64 - b) & 63)))
#define BRK(name, T, expr) L_##name: { T a = T##_(pc[1]), b = (T)pc[2]; \
        if (expr) { JUMP(pc[3]); } pc += 4; NEXT(); }
    BRK(BR_I32_EQ_K, uint32_t, a == b)
    BRK(BR_I32_NE_K, uint32_t, a != b)
    BRK(BR_I32_LT_S_K, int32_t, a < b)
    BRK(BR_I32_LT_U_K, uint32_t, a < b)
    BRK(BR_I32_GT_S_K, int32_t, a > b)
    BRK(BR_I32_GT_U_K, uint32_t, a > b)
    BRK(BR_I32_LE_S_K, int32_t, a <= b)
    BRK(BR_I32_LE_U_K, uint32_t, a <= b)
    BRK(BR_I32_GE_S_K, int32_t, a >= b)
    BRK(BR_I32_GE_U_K, uint32_t, a >= b)

#define ADDK_BR(name, T, expr) L_ADDK_##name: { U32(pc[1]) = U32(pc[2]) + pc[3]; \
        T a = T##_(pc[4]), b = T##_(pc[5]); if (expr) { JUMP(pc[6]); } pc += 7; NEXT(); } \
    L_ADDK_##name##_K: { U32(pc[1]) = U32(pc[2]) + pc[3]; \
        T a = T##_(pc[4]), b = (T)pc[5]; if (expr) { JUMP(pc[6]); } pc += 7; NEXT(); }
    ADDK_BR(BR_I32_EQ, uint32_t, a == b)
    ADDK_BR(BR_I32_NE, uint32_t, a != b)
    ADDK_BR(BR_I32_LT_S, int32_t, a < b)
    ADDK_BR(BR_I32_LT_U, uint32_t, a < b)
    ADDK_BR(BR_I32_GT_S, int32_t, a > b)
    ADDK_BR(BR_I32_GT_U, uint32_t, a > b)
    ADDK_BR(BR_I32_LE_S, int32_t, a <= b)
    ADDK_BR(BR_I32_LE_U, uint32_t, a <= b)
    ADDK_BR(BR_I32_GE_S, int32_t, a >= b)
    ADDK_BR(BR_I32_GE_U, uint32_t, a >= b)

#define F64M(name, op) \
    LOADG(L_F64_##name##_M, double, F64, F64(pc[2]) op, EA_PLAIN_M, 5) \
    LOADG(L_F64_##name##_MK, double, F64, F64(pc[2]) op, EA_K_M, 6)
#define EA_PLAIN_M ((uint64_t)U32(pc[3]) + pc[4])
#define EA_K_M     ((uint64_t)(uint32_t)(U32(pc[3]) + pc[5]) + pc[4])
    F64M(ADD, +)
    F64M(SUB, -)
    F64M(MUL, *)
    F64M(DIV, /)
#define SHOP(name, expr) L_##name: { uint32_t x = U32(pc[2]), a = U32(pc[3]), b = pc[4]; \
        U32(pc[1]) = (expr); pc += 5; NEXT(); }
#define SHOPS(OP, op) \
    SHOP(I32_##OP##_SHL, x op (a << (b & 31))) \
    SHOP(I32_##OP##_SHR_U, x op (a >> (b & 31))) \
    SHOP(I32_##OP##_ROTL, x op ((a << (b & 31)) | (a >> ((32 - b) & 31)))) \
    SHOP(I32_##OP##_ROTR, x op ((a >> (b & 31)) | (a << ((32 - b) & 31))))
    SHOPS(ADD, +)
    SHOPS(AND, &)
    SHOPS(OR, |)
    SHOPS(XOR, ^)

do_trap:
    s->fuel_used += (uint64_t)(fuel_start - fuel);
    s->th.depth = depth;
    thread_trap(s, trap, NULL);
    return WASM_RUN_TRAP;
}

/* Call host function f with arguments in the slots at args; results go to the same slots.
 * Returns false (trap already described in the thread) only on allocation failure. */
bool engine_host_call(wasm_store *s, store_func *f, wasm_instance *caller, char *args,
                      wasm_host_status *st)
{
    wasm_val in_buf[16], out_buf[16];
    uint32_t np = f->type.nparams, nr = f->type.nresults;
    wasm_val *in = np <= 16 ? in_buf : rt_malloc(sizeof(wasm_val) * np);
    wasm_val *out = nr <= 16 ? out_buf : rt_malloc(sizeof(wasm_val) * nr);
    if (!in || !out) {
        if (in != in_buf) rt_free(in);
        if (out != out_buf) rt_free(out);
        s->th.trap = WASM_TRAP_HOST;
        rt_memcpy(s->th.trap_msg, "out of memory", 14);
        *st = WASM_HOST_TRAP;
        return true;
    }
    for (uint32_t i = 0; i < np; i++) {
        uint64_t v;
        rt_memcpy(&v, args + i * WASM_SLOT, 8);
        in[i].type = f->type.params[i];
        if (in[i].type == WASM_I32 || in[i].type == WASM_F32)
            in[i].of.i64 = 0, in[i].of.i32 = (uint32_t)v;
        else
            in[i].of.i64 = v;
    }
    for (uint32_t i = 0; i < nr; i++) {
        out[i].type = f->type.results[i];
        out[i].of.i64 = 0;
    }
    wasm_call_ctx ctx;
    rt_memset(&ctx, 0, sizeof ctx);
    ctx.s = s;
    ctx.inst = caller;
    *st = f->host(&ctx, f->env, in, out);
    if (*st == WASM_HOST_OK) {
        for (uint32_t i = 0; i < nr; i++)
            if (!engine_ref_ok(s, f->type.results[i], out[i].of.ref)) {
                wasm_host_set_trap(&ctx, "host returned an invalid function reference");
                *st = WASM_HOST_TRAP;
            }
    }
    if (*st == WASM_HOST_OK) {
        for (uint32_t i = 0; i < nr; i++) {
            uint8_t t = f->type.results[i];
            uint64_t v = (t == WASM_I32 || t == WASM_F32) ? out[i].of.i32 : out[i].of.i64;
            rt_memcpy(args + i * WASM_SLOT, &v, 8);
        }
    } else if (*st == WASM_HOST_TRAP) {
        const char *msg = ctx.has_msg ? ctx.msg : "host trap";
        size_t n = engine_strlen(msg);
        if (n >= sizeof s->th.trap_msg) n = sizeof s->th.trap_msg - 1;
        rt_memcpy(s->th.trap_msg, msg, n);
        s->th.trap_msg[n] = 0;
    } else if (*st == WASM_HOST_EXIT) {
        s->th.exit_code = ctx.exit_code;
    }
    if (in != in_buf) rt_free(in);
    if (out != out_buf) rt_free(out);
    return *st != WASM_HOST_TRAP;
}
