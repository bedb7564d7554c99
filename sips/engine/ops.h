/* The engine's internal instruction set, as one X-macro list shared by the compiler
 * (compile*.c, which emits it) and the interpreter (interp.c, which executes it).
 * Every internal instruction is a run of 32-bit words: the handler word, then operands.
 * Operands named like "dst"/"a"/"b" are byte offsets of 8-byte value slots from the
 * frame pointer; "rel" is a signed word offset from the start of the instruction.
 * The numeric block (I32_EQZ .. I64_EXTEND32_S) follows wasm opcodes 0x45..0xC4 in order,
 * so the compiler maps those by arithmetic. */
#ifndef SIPS_ENGINE_OPS_H
#define SIPS_ENGINE_OPS_H

#define WASM_OPS(X) \
    /* control */ \
    X(UNREACHABLE)      /* */ \
    X(FUEL)             /* cost */ \
    X(BR)               /* rel */ \
    X(BR_IF)            /* cond rel */ \
    X(BR_UNLESS)        /* cond rel */ \
    X(BR_TABLE)         /* idx n rel[0..n] */ \
    X(BR_TABLE_L8K)     /* a offset k n rel[0..n]: the index is the byte loaded from \
                         * (uint32)(a + k) + offset (a bytecode interpreter's dispatch) */ \
    X(RETURN)           /* */ \
    X(CALL)             /* funcidx argoff */ \
    X(CALL_INDIRECT)    /* typeidx table idx argoff */ \
    X(COPY)             /* dst src */ \
    X(COPY2)            /* dst src dst2 src2, in that order */ \
    X(COPYN)            /* n dst1 src1 ... dstn srcn, in that order (n >= 3) */ \
    X(COPYN_BR)         /* n dst1 src1 ... dstn srcn rel: the copies, then a branch */ \
    X(SELECT)           /* dst a b cond */ \
    X(CONST32)          /* dst v */ \
    X(CONST64)          /* dst lo hi */ \
    X(GLOBAL_GET)       /* dst idx */ \
    X(GLOBAL_SET)       /* idx src */ \
    X(TABLE_GET)        /* dst table idx */ \
    X(TABLE_SET)        /* table idx val */ \
    X(REF_IS_NULL)      /* dst a */ \
    X(REF_FUNC)         /* dst funcidx */ \
    X(MEMORY_SIZE)      /* dst */ \
    X(MEMORY_GROW)      /* dst a */ \
    /* memory: loads dst addr offset; stores addr val offset */ \
    X(LOAD32) X(LOAD64) X(LOAD8_S32) X(LOAD8_U32) X(LOAD16_S32) X(LOAD16_U32) \
    X(LOAD8_S64) X(LOAD8_U64) X(LOAD16_S64) X(LOAD16_U64) X(LOAD32_S64) X(LOAD32_U64) \
    X(STORE32) X(STORE64) X(STORE8) X(STORE16) \
    /* the same with the address computed in the instruction: _K (uint32)(a + k), operands \
     * dst|a a|val offset k; _X (uint32)(a + b), operands dst|a a|val offset b; \
     * _A a constant address: loads dst ealo eahi, stores ealo val eahi */ \
    X(LOAD32_K) X(LOAD64_K) X(LOAD8_S32_K) X(LOAD8_U32_K) X(LOAD16_S32_K) X(LOAD16_U32_K) \
    X(LOAD8_S64_K) X(LOAD8_U64_K) X(LOAD16_S64_K) X(LOAD16_U64_K) X(LOAD32_S64_K) X(LOAD32_U64_K) \
    X(STORE32_K) X(STORE64_K) X(STORE8_K) X(STORE16_K) \
    X(LOAD32_X) X(LOAD64_X) X(LOAD8_S32_X) X(LOAD8_U32_X) X(LOAD16_S32_X) X(LOAD16_U32_X) \
    X(LOAD8_S64_X) X(LOAD8_U64_X) X(LOAD16_S64_X) X(LOAD16_U64_X) X(LOAD32_S64_X) X(LOAD32_U64_X) \
    X(STORE32_X) X(STORE64_X) X(STORE8_X) X(STORE16_X) \
    X(LOAD32_A) X(LOAD64_A) X(LOAD8_S32_A) X(LOAD8_U32_A) X(LOAD16_S32_A) X(LOAD16_U32_A) \
    X(LOAD8_S64_A) X(LOAD8_U64_A) X(LOAD16_S64_A) X(LOAD16_U64_A) X(LOAD32_S64_A) X(LOAD32_U64_A) \
    X(STORE32_A) X(STORE64_A) X(STORE8_A) X(STORE16_A) \
    /* dst = a + (b << k) + addend: dst a b k addend */ \
    X(I32_ADD_SHL_K) \
    /* two updates in order: dst a k dst2 a2 k2 */ \
    X(I32_ADD_K2) \
    /* a local update, then an unconditional branch: dst a k rel */ \
    X(I32_ADD_K_BR) \
    /* dst = a * b + c, rounded after each step as the two instructions would: dst a b c */ \
    X(F64_MUL_ADD) \
    /* numeric, in wasm opcode order 0x45..0xC4: unary dst a; binary dst a b */ \
    X(I32_EQZ) X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) \
    X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) \
    X(I64_EQZ) X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) \
    X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U) \
    X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE) \
    X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE) \
    X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) \
    X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_DIV_S) X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U) \
    X(I32_AND) X(I32_OR) X(I32_XOR) X(I32_SHL) X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR) \
    X(I64_CLZ) X(I64_CTZ) X(I64_POPCNT) \
    X(I64_ADD) X(I64_SUB) X(I64_MUL) X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U) \
    X(I64_AND) X(I64_OR) X(I64_XOR) X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR) \
    X(F32_ABS) X(F32_NEG) X(F32_CEIL) X(F32_FLOOR) X(F32_TRUNC) X(F32_NEAREST) X(F32_SQRT) \
    X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) X(F32_MIN) X(F32_MAX) X(F32_COPYSIGN) \
    X(F64_ABS) X(F64_NEG) X(F64_CEIL) X(F64_FLOOR) X(F64_TRUNC) X(F64_NEAREST) X(F64_SQRT) \
    X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV) X(F64_MIN) X(F64_MAX) X(F64_COPYSIGN) \
    X(I32_WRAP_I64) \
    X(I32_TRUNC_F32_S) X(I32_TRUNC_F32_U) X(I32_TRUNC_F64_S) X(I32_TRUNC_F64_U) \
    X(I64_EXTEND_I32_S) X(I64_EXTEND_I32_U) \
    X(I64_TRUNC_F32_S) X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S) X(I64_TRUNC_F64_U) \
    X(F32_CONVERT_I32_S) X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S) X(F32_CONVERT_I64_U) \
    X(F32_DEMOTE_F64) \
    X(F64_CONVERT_I32_S) X(F64_CONVERT_I32_U) X(F64_CONVERT_I64_S) X(F64_CONVERT_I64_U) \
    X(F64_PROMOTE_F32) \
    X(I32_REINTERPRET_F32) X(I64_REINTERPRET_F64) X(F32_REINTERPRET_I32) X(F64_REINTERPRET_I64) \
    X(I32_EXTEND8_S) X(I32_EXTEND16_S) X(I64_EXTEND8_S) X(I64_EXTEND16_S) X(I64_EXTEND32_S) \
    /* 0xFC 0..7: saturating truncation, dst a */ \
    X(I32_TRUNC_SAT_F32_S) X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S) X(I32_TRUNC_SAT_F64_U) \
    X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U) X(I64_TRUNC_SAT_F64_S) X(I64_TRUNC_SAT_F64_U) \
    /* bulk memory and tables */ \
    X(MEMORY_INIT)      /* seg d s n */ \
    X(DATA_DROP)        /* seg */ \
    X(MEMORY_COPY)      /* d s n */ \
    X(MEMORY_FILL)      /* d v n */ \
    X(TABLE_INIT)       /* table seg d s n */ \
    X(ELEM_DROP)        /* seg */ \
    X(TABLE_COPY)       /* dtable stable d s n */ \
    X(TABLE_GROW)       /* dst table init n */ \
    X(TABLE_SIZE)       /* dst table */ \
    X(TABLE_FILL)       /* table i v n */ \
    /* superinstructions: compare two i32 slots and branch: a b rel */ \
    X(BR_I32_EQ) X(BR_I32_NE) X(BR_I32_LT_S) X(BR_I32_LT_U) X(BR_I32_GT_S) X(BR_I32_GT_U) \
    X(BR_I32_LE_S) X(BR_I32_LE_U) X(BR_I32_GE_S) X(BR_I32_GE_U) \
    /* binary ops with a constant right operand, in wasm opcode order (i32: dst a k;
     * i64: dst a klo khi) */ \
    X(I32_EQ_K) X(I32_NE_K) X(I32_LT_S_K) X(I32_LT_U_K) X(I32_GT_S_K) X(I32_GT_U_K) \
    X(I32_LE_S_K) X(I32_LE_U_K) X(I32_GE_S_K) X(I32_GE_U_K) \
    X(I64_EQ_K) X(I64_NE_K) X(I64_LT_S_K) X(I64_LT_U_K) X(I64_GT_S_K) X(I64_GT_U_K) \
    X(I64_LE_S_K) X(I64_LE_U_K) X(I64_GE_S_K) X(I64_GE_U_K) \
    X(I32_ADD_K) X(I32_SUB_K) X(I32_MUL_K) X(I32_DIV_S_K) X(I32_DIV_U_K) X(I32_REM_S_K) X(I32_REM_U_K) \
    X(I32_AND_K) X(I32_OR_K) X(I32_XOR_K) X(I32_SHL_K) X(I32_SHR_S_K) X(I32_SHR_U_K) X(I32_ROTL_K) X(I32_ROTR_K) \
    X(I64_ADD_K) X(I64_SUB_K) X(I64_MUL_K) X(I64_DIV_S_K) X(I64_DIV_U_K) X(I64_REM_S_K) X(I64_REM_U_K) \
    X(I64_AND_K) X(I64_OR_K) X(I64_XOR_K) X(I64_SHL_K) X(I64_SHR_S_K) X(I64_SHR_U_K) X(I64_ROTL_K) X(I64_ROTR_K) \
    /* compare an i32 slot with a constant and branch: a k rel */ \
    X(BR_I32_EQ_K) X(BR_I32_NE_K) X(BR_I32_LT_S_K) X(BR_I32_LT_U_K) X(BR_I32_GT_S_K) X(BR_I32_GT_U_K) \
    X(BR_I32_LE_S_K) X(BR_I32_LE_U_K) X(BR_I32_GE_S_K) X(BR_I32_GE_U_K) \
    /* an i32 local update, then compare-and-branch (a counted loop's closing branch): \
     * dst a k x y rel (slots), and the same with a constant y: dst a k x ky rel */ \
    X(ADDK_BR_I32_EQ) X(ADDK_BR_I32_NE) X(ADDK_BR_I32_LT_S) X(ADDK_BR_I32_LT_U) \
    X(ADDK_BR_I32_GT_S) X(ADDK_BR_I32_GT_U) X(ADDK_BR_I32_LE_S) X(ADDK_BR_I32_LE_U) \
    X(ADDK_BR_I32_GE_S) X(ADDK_BR_I32_GE_U) \
    X(ADDK_BR_I32_EQ_K) X(ADDK_BR_I32_NE_K) X(ADDK_BR_I32_LT_S_K) X(ADDK_BR_I32_LT_U_K) \
    X(ADDK_BR_I32_GT_S_K) X(ADDK_BR_I32_GT_U_K) X(ADDK_BR_I32_LE_S_K) X(ADDK_BR_I32_LE_U_K) \
    X(ADDK_BR_I32_GE_S_K) X(ADDK_BR_I32_GE_U_K) \
    /* f64 add/sub/mul/div with an operand loaded from memory (in that order): \
     * _M dst x addr offset; _MK dst x a offset k with the address (uint32)(a + k); \
     * dst = x op mem[address + offset] */ \
    X(F64_ADD_M) X(F64_SUB_M) X(F64_MUL_M) X(F64_DIV_M) \
    X(F64_ADD_MK) X(F64_SUB_MK) X(F64_MUL_MK) X(F64_DIV_MK) \
    /* i32 add/and/or/xor of a slot and a shifted or rotated slot: dst x y k, \
     * dst = x op (y shift k); shifts in the order shl, shr_u, rotl, rotr */ \
    X(I32_ADD_SHL) X(I32_ADD_SHR_U) X(I32_ADD_ROTL) X(I32_ADD_ROTR) \
    X(I32_AND_SHL) X(I32_AND_SHR_U) X(I32_AND_ROTL) X(I32_AND_ROTR) \
    X(I32_OR_SHL) X(I32_OR_SHR_U) X(I32_OR_ROTL) X(I32_OR_ROTR) \
    X(I32_XOR_SHL) X(I32_XOR_SHR_U) X(I32_XOR_ROTL) X(I32_XOR_ROTR)

enum {
#define WASM_OP_ENUM(name) OP_##name,
    WASM_OPS(WASM_OP_ENUM)
#undef WASM_OP_ENUM
    OP_COUNT
};

#endif
