/* Helpers shared by the decoder tests: decode a byte string that follows the 8-byte module
 * header, and assert success or a malformed error whose message contains some text. */
#ifndef TESTS_DECODE_DECODE_TEST_H
#define TESTS_DECODE_DECODE_TEST_H
#include <CUnit/CUnit.h>
#include <string.h>
#include "sips/engine/module.h"

#define WASM_HEADER "\0asm\1\0\0\0"

/* A module given as a string literal of sections (header added): MOD("\x01\x04...") */
#define MOD(s) (const uint8_t *)(WASM_HEADER s), (sizeof(WASM_HEADER s) - 1)

/* Decode and expect success; the caller frees d. */
static inline bool decode_ok_into(const uint8_t *b, size_t n, wasm_decoded *d)
{
    wasm_err err;
    wasm_errcode rc = wasm_decode(b, n, d, &err);
    if (rc != WASM_OK)
        fprintf(stderr, "\n  unexpected decode error: %s\n", err.msg);
    return rc == WASM_OK;
}

static inline void expect_ok(const uint8_t *b, size_t n)
{
    wasm_decoded d;
    CU_ASSERT_TRUE(decode_ok_into(b, n, &d));
    wasm_decoded_free(&d);
}

/* Expect WASM_ERR_MALFORMED with `text` in the message; the decoded struct must be empty. */
static inline void expect_malformed_at(const uint8_t *b, size_t n, const char *text, int line)
{
    wasm_decoded d;
    wasm_err err;
    wasm_errcode rc = wasm_decode(b, n, &d, &err);
    bool ok = rc == WASM_ERR_MALFORMED && strstr(err.msg, text) != NULL;
    if (!ok)
        fprintf(stderr, "\n  line %d: wanted malformed \"%s\", got rc=%d \"%s\"\n", line, text,
                (int)rc, rc == WASM_OK ? "" : err.msg);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_PTR_NULL(d.binary);
    if (rc == WASM_OK)
        wasm_decoded_free(&d);
}
#define expect_malformed(...) expect_malformed_at(__VA_ARGS__, __LINE__)

const uint8_t *full_module_bytes(size_t *len);
void register_valid_tests(void);
void register_malformed_tests(void);
void register_reader_tests(void);
void register_spec_corpus_tests(void);
void register_freestanding_tests(void);

#endif
