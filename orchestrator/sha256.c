/* Content hashes for the orchestrator: the digest itself is the engine's wasm_sha256 (the
 * same function nodes use to name modules), plus hex formatting and parsing. */
#include "orchestrator/sha256.h"
#include "sips/engine/engine.h"
#include <stdio.h>
#include <string.h>

void sha256(const void *data, size_t len, uint8_t out[32])
{
    wasm_sha256(data, len, out);
}

void sha256_hex(const uint8_t d[32], char hex[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int sha256_parse(const char *hex, uint8_t out[32])
{
    for (int i = 0; i < 32; i++) {
        int hi = nibble(hex[2 * i]), lo = hi < 0 ? -1 : nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return hex[64] ? -1 : 0;
}
