/* libFuzzer target for the contract parser: any bytes must parse or fail with an error
 * text naming a line, never crash or leak; a parsed set must also survive the run-time
 * checker driven by the input's own bytes. Built with clang-14 -fsanitize=fuzzer,address. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "contracts/contract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    contract_set *s = NULL;
    contract_error err;
    int r = contract_parse((const char *)data, size, "fuzz.contract", &s, &err);
    if (r) {
        if (!s && strncmp(err.text, "fuzz.contract:", 14) && strcmp(err.text, "out of memory"))
            __builtin_trap();
        return 0;
    }
    for (uint32_t i = 0; i < contract_set_count(s); i++) {
        const contract *c = contract_set_at(s, i);
        if (contract_fingerprint(c) != c->fingerprint) __builtin_trap();
        uint32_t st[2] = { c->initial, c->initial };
        for (size_t k = 0; k < size && k < 256; k++) {
            uint8_t b = data[k];
            contract_step(c, &st[b & 1], b & 1, (b >> 1) & 1, (uint32_t)(b >> 2) % (c->nmessages + 1));
            if (st[0] >= c->nstates || st[1] >= c->nstates) __builtin_trap();
            contract_check_message(c, b % (c->nmessages + 1), b >> 4, NULL, 0);
        }
    }
    contract_set_free(s);
    return 0;
}
