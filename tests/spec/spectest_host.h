/* The "spectest" host module that the spec suite imports from: print functions that do
 * nothing (or log to stderr when asked), four constant globals, a table of 10..20 funcref
 * and a memory of 1..2 pages, all created in one store. */
#ifndef TESTS_SPEC_SPECTEST_HOST_H
#define TESTS_SPEC_SPECTEST_HOST_H

#include <stdbool.h>
#include "sips/engine/engine.h"

#define SPECTEST_MAX_EXPORTS 16

typedef struct {
    const char *name;
    wasm_extern ext;
} spectest_export;

typedef struct {
    spectest_export exports[SPECTEST_MAX_EXPORTS];
    unsigned nexports;
} spectest_host;

/* Create every spectest object in store s. log_calls: print each call to stderr.
 * False (with why) if the engine refused to create one of them. */
bool spectest_create(spectest_host *h, wasm_store *s, bool log_calls, char *why, size_t whylen);

/* Find an export by name (not NUL-terminated). */
bool spectest_lookup(const spectest_host *h, const char *name, size_t len, wasm_extern *out);

#endif
