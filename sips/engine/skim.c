/* A purely syntactic pass over a function body: decodes every instruction and immediate
 * without type checking. The binary format comes first in the spec, so when validation
 * fails, a body that is also malformed further on must be reported as malformed. */
#include "sips/engine/internal.h"

static bool skim_fail(wasm_err *err, const char *msg)
{
    engine_err(err, WASM_ERR_MALFORMED, msg);
    return false;
}

static bool u32s(wasm_reader *r, int n)
{
    uint32_t v;
    while (n-- > 0)
        if (!wasm_read_u32(r, &v))
            return false;
    return true;
}

static bool zero(wasm_reader *r)
{
    uint8_t b;
    return wasm_read_u8(r, &b) && b == 0;
}

bool wasm_skim_body(wasm_bytes body, wasm_err *err)
{
    wasm_reader r = { body.start, body.start + body.len };
    uint32_t depth = 1;
    while (depth) {
        uint8_t op;
        bool ok = true;
        if (!wasm_read_u8(&r, &op))
            return skim_fail(err, "unexpected end");
        switch (op) {
        case 0x00: case 0x01: case 0x05: case 0x0F: case 0x1A: case 0x1B: case 0xD1:
            break;
        case 0x02: case 0x03: case 0x04: {
            int64_t bt;
            ok = wasm_read_s33(&r, &bt);
            depth++;
            break;
        }
        case 0x0B:
            depth--;
            break;
        case 0x0C: case 0x0D: case 0x10: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24:
        case 0x25: case 0x26: case 0xD2:
            ok = u32s(&r, 1);
            break;
        case 0x0E: {
            uint32_t n;
            ok = wasm_read_u32(&r, &n);
            for (uint64_t i = 0; ok && i <= n; i++)
                ok = u32s(&r, 1);
            break;
        }
        case 0x11:
            ok = u32s(&r, 2);
            break;
        case 0x1C: {
            uint32_t n;
            uint8_t t;
            ok = wasm_read_u32(&r, &n);
            for (uint32_t i = 0; ok && i < n; i++)
                ok = wasm_read_u8(&r, &t);
            break;
        }
        case 0x3F: case 0x40:
            ok = zero(&r);
            break;
        case 0x41: { int32_t v; ok = wasm_read_s32(&r, &v); break; }
        case 0x42: { int64_t v; ok = wasm_read_s64(&r, &v); break; }
        case 0x43: { uint32_t v; ok = wasm_read_f32(&r, &v); break; }
        case 0x44: { uint64_t v; ok = wasm_read_f64(&r, &v); break; }
        case 0xD0: { uint8_t t; ok = wasm_read_u8(&r, &t); break; }
        case 0xFC: {
            uint32_t sub;
            ok = wasm_read_u32(&r, &sub);
            if (!ok)
                break;
            if (sub <= 7) break;
            switch (sub) {
            case 8: ok = u32s(&r, 1) && zero(&r); break;
            case 9: case 13: case 15: case 16: case 17: ok = u32s(&r, 1); break;
            case 10: ok = zero(&r) && zero(&r); break;
            case 11: ok = zero(&r); break;
            case 12: case 14: ok = u32s(&r, 2); break;
            default: return skim_fail(err, "illegal opcode");
            }
            break;
        }
        default:
            if (op >= 0x28 && op <= 0x3E)
                ok = u32s(&r, 2);
            else if (op < 0x45 || op > 0xC4)
                return skim_fail(err, "illegal opcode");
        }
        if (!ok)
            return skim_fail(err, r.p >= r.end ? "unexpected end" : "malformed immediate");
    }
    if (r.p != r.end)
        return skim_fail(err, "operator after end of function");
    return true;
}
