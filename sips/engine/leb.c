/* Readers for the primitive encodings of the WebAssembly binary format: bytes, LEB128
 * integers of each width, and little-endian IEEE floats. Shared by the section decoder and
 * the code validator/compiler. Every reader checks bounds and the LEB128 rules (at most
 * ceil(N/7) bytes; unused bits of the last byte must be zero, or copies of the sign bit for
 * signed N) and leaves the reader untouched on failure. */
#include "sips/engine/module.h"

bool wasm_read_u8(wasm_reader *r, uint8_t *out)
{
    if (r->p >= r->end)
        return false;
    *out = *r->p++;
    return true;
}

/* Read an N-bit LEB128 (N <= 64). The result is zero- or sign-extended into 64 bits. */
static bool read_leb(wasm_reader *r, unsigned bits, bool is_signed, uint64_t *out)
{
    const uint8_t *p = r->p;
    unsigned maxbytes = (bits + 6) / 7;
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t b = 0;

    for (unsigned i = 0; i < maxbytes; i++) {
        if (p >= r->end)
            return false;
        b = *p++;
        if (i == maxbytes - 1) {
            if (b & 0x80)
                return false;                       /* representation too long */
            unsigned used = bits - shift;           /* payload bits left: 1..7 */
            if (used < 7) {
                uint8_t unused = (uint8_t)((0x7Fu >> used) << used);
                uint8_t want = 0;
                if (is_signed && ((b >> (used - 1)) & 1))
                    want = unused;
                if ((b & unused) != want)
                    return false;                   /* integer too large */
            }
        }
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    if (is_signed && shift < 64 && (b & 0x40))
        result |= ~(uint64_t)0 << shift;
    r->p = p;
    *out = result;
    return true;
}

bool wasm_read_u32(wasm_reader *r, uint32_t *out)
{
    uint64_t v;
    if (!read_leb(r, 32, false, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool wasm_read_s32(wasm_reader *r, int32_t *out)
{
    uint64_t v;
    if (!read_leb(r, 32, true, &v))
        return false;
    *out = (int32_t)(uint32_t)v;
    return true;
}

bool wasm_read_s33(wasm_reader *r, int64_t *out)
{
    uint64_t v;
    if (!read_leb(r, 33, true, &v))
        return false;
    *out = (int64_t)v;
    return true;
}

bool wasm_read_s64(wasm_reader *r, int64_t *out)
{
    uint64_t v;
    if (!read_leb(r, 64, true, &v))
        return false;
    *out = (int64_t)v;
    return true;
}

bool wasm_read_f32(wasm_reader *r, uint32_t *bits)
{
    if (r->end - r->p < 4)
        return false;
    const uint8_t *p = r->p;
    *bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    r->p += 4;
    return true;
}

bool wasm_read_f64(wasm_reader *r, uint64_t *bits)
{
    if (r->end - r->p < 8)
        return false;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | r->p[i];
    *bits = v;
    r->p += 8;
    return true;
}
