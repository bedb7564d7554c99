/* Names of argument kinds in the contract language, in C stubs and in C tables. */
#include "contracts/contractc/emit.h"

static const char *const source_names[] = {
    [CONTRACT_I8] = "i8", [CONTRACT_U8] = "u8", [CONTRACT_I16] = "i16", [CONTRACT_U16] = "u16",
    [CONTRACT_I32] = "i32", [CONTRACT_U32] = "u32", [CONTRACT_I64] = "i64", [CONTRACT_U64] = "u64",
    [CONTRACT_F32] = "f32", [CONTRACT_F64] = "f64", [CONTRACT_BOOL] = "bool",
    [CONTRACT_BYTES] = "bytes", [CONTRACT_IMP_EP] = "imp", [CONTRACT_EXP_EP] = "exp",
};

static const char *const c_types[] = {
    [CONTRACT_I8] = "int8_t", [CONTRACT_U8] = "uint8_t", [CONTRACT_I16] = "int16_t",
    [CONTRACT_U16] = "uint16_t", [CONTRACT_I32] = "int32_t", [CONTRACT_U32] = "uint32_t",
    [CONTRACT_I64] = "int64_t", [CONTRACT_U64] = "uint64_t", [CONTRACT_F32] = "float",
    [CONTRACT_F64] = "double", [CONTRACT_BOOL] = "bool", [CONTRACT_BYTES] = "sip_block",
    [CONTRACT_IMP_EP] = "sip_ep", [CONTRACT_EXP_EP] = "sip_ep",
};

static const char *const enum_names[] = {
    [CONTRACT_I8] = "CONTRACT_I8", [CONTRACT_U8] = "CONTRACT_U8", [CONTRACT_I16] = "CONTRACT_I16",
    [CONTRACT_U16] = "CONTRACT_U16", [CONTRACT_I32] = "CONTRACT_I32", [CONTRACT_U32] = "CONTRACT_U32",
    [CONTRACT_I64] = "CONTRACT_I64", [CONTRACT_U64] = "CONTRACT_U64", [CONTRACT_F32] = "CONTRACT_F32",
    [CONTRACT_F64] = "CONTRACT_F64", [CONTRACT_BOOL] = "CONTRACT_BOOL",
    [CONTRACT_BYTES] = "CONTRACT_BYTES", [CONTRACT_IMP_EP] = "CONTRACT_IMP_EP",
    [CONTRACT_EXP_EP] = "CONTRACT_EXP_EP",
};

const char *kind_source_name(const contract_arg *a, char *buf, size_t n)
{
    if (!contract_kind_is_handle(a->kind) || a->kind == CONTRACT_BYTES) return source_names[a->kind];
    snprintf(buf, n, "%s<%s>", source_names[a->kind], a->peer_name);
    return buf;
}

const char *kind_c_type(contract_kind k) { return c_types[k]; }
const char *kind_enum_name(contract_kind k) { return enum_names[k]; }
