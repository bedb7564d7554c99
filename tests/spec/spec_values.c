/* Parsing, comparing and printing spec-suite values (see spec_values.h). In the JSON every
 * number is a decimal string of the value's bits: integers unsigned, floats as their IEEE
 * bit pattern, externref as the host value N of `ref.extern N`. */
#include "tests/spec/spec_values.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; uint8_t type; } type_names[] = {
    { "i32", WASM_I32 }, { "i64", WASM_I64 }, { "f32", WASM_F32 }, { "f64", WASM_F64 },
    { "v128", WASM_V128 }, { "funcref", WASM_FUNCREF }, { "externref", WASM_EXTERNREF },
};

const char *spec_type_name(uint8_t type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == type) return type_names[i].name;
    return "?";
}

static bool type_from_name(const char *name, uint8_t *out)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (strcmp(type_names[i].name, name) == 0) { *out = type_names[i].type; return true; }
    return false;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) return false;
    *out = v;
    return true;
}

bool spec_json_is_v128(const json_t *v)
{
    const char *t = json_string_value(json_object_get(v, "type"));
    return t && strcmp(t, "v128") == 0;
}

/* Shared by arguments and expectations: the type, and the value string if present. */
static bool parse_common(const json_t *v, uint8_t *type, const char **value, char *why, size_t whylen)
{
    const char *t = json_string_value(json_object_get(v, "type"));
    if (!t) { snprintf(why, whylen, "value without a type"); return false; }
    if (!type_from_name(t, type)) { snprintf(why, whylen, "unknown value type '%s'", t); return false; }
    if (*type == WASM_V128) { snprintf(why, whylen, "v128 values are not supported"); return false; }
    *value = json_string_value(json_object_get(v, "value"));
    return true;
}

static bool parse_bits(uint8_t type, const char *s, wasm_val *out, char *why, size_t whylen)
{
    uint64_t bits;
    out->type = type;
    switch (type) {
    case WASM_I32: case WASM_F32:
        if (!parse_u64(s, UINT32_MAX, &bits)) break;
        if (type == WASM_I32) out->of.i32 = (uint32_t)bits;
        else { uint32_t b = (uint32_t)bits; memcpy(&out->of.f32, &b, 4); }
        return true;
    case WASM_I64: case WASM_F64:
        if (!parse_u64(s, UINT64_MAX, &bits)) break;
        if (type == WASM_I64) out->of.i64 = bits;
        else memcpy(&out->of.f64, &bits, 8);
        return true;
    case WASM_FUNCREF: case WASM_EXTERNREF:
        if (s && strcmp(s, "null") == 0) { out->of.ref = WASM_REF_NULL; return true; }
        /* externref N is the host value N; N must not collide with the null encoding */
        if (!parse_u64(s, UINT64_MAX - 1, &bits)) break;
        out->of.ref = bits;
        return true;
    }
    snprintf(why, whylen, "bad %s value '%s'", spec_type_name(type), s ? s : "(none)");
    return false;
}

bool spec_parse_arg(const json_t *v, wasm_val *out, char *why, size_t whylen)
{
    uint8_t type;
    const char *s;
    memset(out, 0, sizeof *out);
    if (!parse_common(v, &type, &s, why, whylen)) return false;
    return parse_bits(type, s, out, why, whylen);
}

bool spec_parse_expect(const json_t *v, spec_expect *out, char *why, size_t whylen)
{
    uint8_t type;
    const char *s;
    memset(out, 0, sizeof *out);
    if (!parse_common(v, &type, &s, why, whylen)) return false;
    out->val.type = type;
    if ((type == WASM_F32 || type == WASM_F64) && s && strncmp(s, "nan:", 4) == 0) {
        if (strcmp(s, "nan:canonical") == 0) { out->match = SPEC_MATCH_NAN_CANON; return true; }
        if (strcmp(s, "nan:arithmetic") == 0) { out->match = SPEC_MATCH_NAN_ARITH; return true; }
        snprintf(why, whylen, "unknown NaN pattern '%s'", s);
        return false;
    }
    if (type == WASM_FUNCREF && !s) { out->match = SPEC_MATCH_NONNULL; return true; }
    out->match = SPEC_MATCH_EXACT;
    return parse_bits(type, s, &out->val, why, whylen);
}

static uint32_t f32_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static uint64_t f64_bits(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }

bool spec_value_matches(const spec_expect *e, const wasm_val *got)
{
    if (got->type != e->val.type) return false;
    switch (e->match) {
    case SPEC_MATCH_NAN_CANON:
        if (got->type == WASM_F32) return (f32_bits(got->of.f32) & 0x7fffffffu) == 0x7fc00000u;
        return (f64_bits(got->of.f64) & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    case SPEC_MATCH_NAN_ARITH:
        if (got->type == WASM_F32) return (f32_bits(got->of.f32) & 0x7fc00000u) == 0x7fc00000u;
        return (f64_bits(got->of.f64) & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
    case SPEC_MATCH_NONNULL:
        return got->of.ref != WASM_REF_NULL;
    case SPEC_MATCH_EXACT:
        break;
    }
    switch (got->type) {
    case WASM_I32: return got->of.i32 == e->val.of.i32;
    case WASM_I64: return got->of.i64 == e->val.of.i64;
    case WASM_F32: return f32_bits(got->of.f32) == f32_bits(e->val.of.f32);
    case WASM_F64: return f64_bits(got->of.f64) == f64_bits(e->val.of.f64);
    case WASM_FUNCREF: case WASM_EXTERNREF: return got->of.ref == e->val.of.ref;
    }
    return false;
}

const char *spec_format_value(const wasm_val *v, char *buf, size_t len)
{
    switch (v->type) {
    case WASM_I32:
        snprintf(buf, len, "i32:%" PRIu32, v->of.i32); break;
    case WASM_I64:
        snprintf(buf, len, "i64:%" PRIu64, v->of.i64); break;
    case WASM_F32:
        snprintf(buf, len, "f32:0x%08" PRIx32 "(%.9g)", f32_bits(v->of.f32), (double)v->of.f32); break;
    case WASM_F64:
        snprintf(buf, len, "f64:0x%016" PRIx64 "(%.17g)", f64_bits(v->of.f64), v->of.f64); break;
    case WASM_FUNCREF: case WASM_EXTERNREF:
        if (v->of.ref == WASM_REF_NULL) snprintf(buf, len, "%s:null", spec_type_name(v->type));
        else snprintf(buf, len, "%s:%" PRIu64, spec_type_name(v->type), v->of.ref);
        break;
    default:
        snprintf(buf, len, "type-0x%02x", v->type); break;
    }
    return buf;
}

const char *spec_format_expect(const spec_expect *e, char *buf, size_t len)
{
    const char *t = spec_type_name(e->val.type);
    switch (e->match) {
    case SPEC_MATCH_NAN_CANON: snprintf(buf, len, "%s:nan:canonical", t); return buf;
    case SPEC_MATCH_NAN_ARITH: snprintf(buf, len, "%s:nan:arithmetic", t); return buf;
    case SPEC_MATCH_NONNULL:   snprintf(buf, len, "%s:non-null", t); return buf;
    case SPEC_MATCH_EXACT:     break;
    }
    return spec_format_value(&e->val, buf, len);
}
