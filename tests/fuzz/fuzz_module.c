/* libFuzzer target: load arbitrary bytes as a WebAssembly module (decode, validate,
 * compile through wasm_module_load; only wasm_decode while the engine lacks it) and free
 * everything. Any crash, sanitizer report or leak is a bug. Built by tests/fuzz/build.mk
 * with clang-14 -fsanitize=fuzzer,address,undefined. */
#include <stdlib.h>
#include "sips/engine/module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const wasm_err *err)
{
    /* the message must be terminated inside its buffer */
    size_t n = 0;
    while (n < sizeof err->msg && err->msg[n])
        n++;
    if (n == sizeof err->msg || n == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasm_err err;
#ifdef FUZZ_HAVE_MODULE_LOAD
    wasm_module *m = NULL;
    if (wasm_module_load(data, size, &m, &err) == WASM_OK) {
        uint32_t ni = wasm_module_num_imports(m), ne = wasm_module_num_exports(m);
        for (uint32_t i = 0; i < ni; i++) {
            wasm_importdesc d;
            wasm_module_import(m, i, &d);
        }
        for (uint32_t i = 0; i < ne; i++) {
            wasm_exportdesc d;
            wasm_module_export(m, i, &d);
        }
        wasm_module_free(m);
    } else {
        if (m)
            abort();                                   /* failure must leave *out NULL */
        check_message(&err);
    }
#else
    wasm_decoded d;
    if (wasm_decode(data, size, &d, &err) == WASM_OK)
        wasm_decoded_free(&d);
    else
        check_message(&err);
#endif
    return 0;
}
