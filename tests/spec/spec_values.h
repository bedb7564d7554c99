/* Values of the spec-suite JSON (as written by wast2json): parsing arguments and expected
 * results into engine values, comparing results (exact bits, nan:canonical,
 * nan:arithmetic, reference values) and printing values for reports. */
#ifndef TESTS_SPEC_SPEC_VALUES_H
#define TESTS_SPEC_SPEC_VALUES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "sips/engine/engine.h"

typedef enum {
    SPEC_MATCH_EXACT,       /* same type and same bits (floats compared bitwise) */
    SPEC_MATCH_NAN_CANON,   /* any canonical NaN of the type, either sign */
    SPEC_MATCH_NAN_ARITH,   /* any NaN with the quiet bit set, either sign */
    SPEC_MATCH_NONNULL,     /* a reference of the type that is not null (ref.func) */
} spec_match;

typedef struct {
    spec_match match;
    wasm_val val;           /* .type always set; .of meaningful for EXACT */
} spec_expect;

/* Parse {"type": T, "value": V} as an argument. False (with why) for unknown or
 * unsupported types (v128) and unparsable values. */
bool spec_parse_arg(const json_t *v, wasm_val *out, char *why, size_t whylen);

/* Parse an expected result; also accepts nan:canonical / nan:arithmetic and, for
 * funcref, a missing value meaning "some non-null function". */
bool spec_parse_expect(const json_t *v, spec_expect *out, char *why, size_t whylen);

/* True if the result satisfies the expectation. */
bool spec_value_matches(const spec_expect *e, const wasm_val *got);

/* True if the JSON value has type v128 (used to skip SIMD commands). */
bool spec_json_is_v128(const json_t *v);

/* Print a value / an expectation as e.g. "i32:42", "f32:0x7fc00000(nan)", "externref:null",
 * "f64:nan:canonical". Returns buf. */
const char *spec_format_value(const wasm_val *v, char *buf, size_t len);
const char *spec_format_expect(const spec_expect *e, char *buf, size_t len);

/* Name of a value type ("i32", "funcref", ...), "?" if unknown. */
const char *spec_type_name(uint8_t type);

#endif
