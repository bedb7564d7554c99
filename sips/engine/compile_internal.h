/* State of the single-pass validator/compiler of one function body (compile.c). */
#ifndef SIPS_ENGINE_COMPILE_INTERNAL_H
#define SIPS_ENGINE_COMPILE_INTERNAL_H

#include "sips/engine/internal.h"

enum { CTRL_FUNC, CTRL_BLOCK, CTRL_LOOP, CTRL_IF, CTRL_ELSE };

/* An operand: its type (WASM_VT_UNKNOWN when polymorphic) and the frame slot (byte
 * offset) holding it: its canonical stack slot, or a local's slot for a folded local.get.
 * Constants, and i32 additions of a constant, stay lazy until an instruction needs them in
 * a slot: a memory access takes "slot + k" as its address directly. */
typedef struct {
    uint8_t type;
    bool is_const;                    /* a constant not yet written to its slot */
    bool is_addk;                     /* i32 value base + k not yet computed into its slot */
    uint32_t slot;
    uint32_t base;                    /* is_addk: the slot holding the other addend */
    uint64_t k;                       /* the constant's bits / the addend */
} operand;

typedef struct {
    uint8_t kind;
    bool unreachable;                 /* rest of this block is dead (after br/return/...) */
    bool dead_parent;                 /* the block itself lies in dead code: emit nothing */
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t height;                  /* operand stack height below the params */
    uint32_t loop_pos;                /* LOOP: where branches to it jump */
    uint32_t else_instr, else_word;   /* IF: the conditional jump to patch at else/end */
    uint32_t fix_start;               /* first fixup recorded inside this block */
} ctrl;

/* A forward branch: code[word] becomes (label position - instr) when the label is placed. */
typedef struct { uint32_t target, word, instr; } fixup;

typedef struct {
    const wasm_module *m;
    wasm_reader r;
    wasm_err *err;
    wasm_errcode fail;
    const int32_t *h;                 /* interpreter handler offsets */
    uint32_t nlocals;
    uint8_t *local_types;
    operand *stk; uint32_t nstk, cstk, max_height;
    ctrl *ctl;    uint32_t nctl, cctl;
    fixup *fix;   uint32_t nfix, cfix;
    uint32_t *code; uint32_t ncode, ccode;
    int last_op;                      /* op of the last instruction if nothing came between */
    uint32_t last_pos;
    int prev_op;                      /* the instruction right before last_op, if contiguous */
    uint32_t prev_pos;
    uint32_t fuel_word, fuel_count;   /* open FUEL instruction and wasm instructions since */
    uint32_t scratch[16];             /* emission target in dead code */
} cc;

/* Ops whose first operand is a destination slot written after all inputs are read, so
 * that local.set can redirect the result straight into the local. */
static inline bool op_has_dst(int op)
{
    return op == OP_COPY || op == OP_SELECT || op == OP_CONST32 || op == OP_CONST64 ||
           op == OP_GLOBAL_GET || op == OP_REF_IS_NULL || op == OP_REF_FUNC ||
           op == OP_MEMORY_SIZE || op == OP_TABLE_GET ||
           (op >= OP_LOAD32 && op <= OP_LOAD32_U64) ||
           (op >= OP_LOAD32_K && op <= OP_LOAD32_U64_K) ||
           (op >= OP_LOAD32_X && op <= OP_LOAD32_U64_X) ||
           (op >= OP_LOAD32_A && op <= OP_LOAD32_U64_A) || op == OP_I32_ADD_SHL_K || op == OP_F64_MUL_ADD ||
           (op >= OP_I32_EQZ && op <= OP_I64_TRUNC_SAT_F64_U) ||
           (op >= OP_I32_EQ_K && op <= OP_I64_ROTR_K) ||
           (op >= OP_F64_ADD_M && op <= OP_I32_XOR_ROTR);
}

#endif
