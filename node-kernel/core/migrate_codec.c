/* Byte buffers for SIP images (see migrate_codec.h). */
#include "node-kernel/core/migrate_codec.h"
#include "node-kernel/core/kstring.h"
#include "node-kernel/core/platform.h"

void migw_bytes(mig_writer *w, const void *src, size_t n)
{
    if (w->oom || !n)
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 1024;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *p = plat_realloc(w->p, cap);
        if (!p) {
            w->oom = true;
            return;
        }
        w->p = p;
        w->cap = cap;
    }
    __builtin_memcpy(w->p + w->len, src, n);
    w->len += n;
}

void migw_u8(mig_writer *w, uint8_t v) { migw_bytes(w, &v, 1); }

void migw_u16(mig_writer *w, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    migw_bytes(w, b, 2);
}

void migw_u32(mig_writer *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    migw_bytes(w, b, 4);
}

void migw_u64(mig_writer *w, uint64_t v)
{
    migw_u32(w, (uint32_t)v);
    migw_u32(w, (uint32_t)(v >> 32));
}

void migw_blob(mig_writer *w, const void *src, uint32_t n)
{
    migw_u32(w, n);
    migw_bytes(w, src, n);
}

void migw_str(mig_writer *w, const char *s)
{
    migw_blob(w, s, s ? (uint32_t)k_strlen(s) : 0);
}

size_t migw_reserve(mig_writer *w, size_t n)
{
    static const uint8_t zeros[8];
    size_t off = w->len;
    while (n) {
        size_t k = n < 8 ? n : 8;
        migw_bytes(w, zeros, k);
        n -= k;
    }
    return off;
}

void migw_patch32(mig_writer *w, size_t off, uint32_t v)
{
    if (w->oom || off + 4 > w->len)
        return;
    for (int i = 0; i < 4; i++)
        w->p[off + i] = (uint8_t)(v >> (8 * i));
}

void migw_patch64(mig_writer *w, size_t off, uint64_t v)
{
    migw_patch32(w, off, (uint32_t)v);
    migw_patch32(w, off + 4, (uint32_t)(v >> 32));
}

void migr_fail(mig_reader *r, const char *why)
{
    if (r->bad)
        return;
    r->bad = true;
    size_t n = k_strlen(why);
    if (n >= sizeof r->why)
        n = sizeof r->why - 1;
    __builtin_memcpy(r->why, why, n);
    r->why[n] = 0;
}

bool migr_bytes(mig_reader *r, void *dst, size_t n)
{
    if (r->bad)
        return false;
    if (migr_left(r) < n) {
        migr_fail(r, "truncated");
        return false;
    }
    if (n)
        __builtin_memcpy(dst, r->p, n);
    r->p += n;
    return true;
}

uint8_t migr_u8(mig_reader *r)
{
    uint8_t v = 0;
    migr_bytes(r, &v, 1);
    return v;
}

uint16_t migr_u16(mig_reader *r)
{
    uint8_t b[2] = { 0, 0 };
    migr_bytes(r, b, 2);
    return (uint16_t)(b[0] | b[1] << 8);
}

uint32_t migr_u32(mig_reader *r)
{
    uint8_t b[4] = { 0, 0, 0, 0 };
    migr_bytes(r, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint64_t migr_u64(mig_reader *r)
{
    uint64_t lo = migr_u32(r);
    return lo | (uint64_t)migr_u32(r) << 32;
}

const uint8_t *migr_blob(mig_reader *r, uint32_t max, uint32_t *len)
{
    uint32_t n = migr_u32(r);
    *len = 0;
    if (r->bad)
        return NULL;
    if (n > max) {
        migr_fail(r, "length out of range");
        return NULL;
    }
    if (migr_left(r) < n) {
        migr_fail(r, "truncated");
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    *len = n;
    return p;
}

bool migr_str(mig_reader *r, char *dst, uint32_t max)
{
    uint32_t n;
    const uint8_t *p = migr_blob(r, max - 1, &n);
    dst[0] = 0;
    if (!p && n == 0 && r->bad)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!p[i]) {
            migr_fail(r, "NUL inside a string");
            return false;
        }
    if (n)
        __builtin_memcpy(dst, p, n);
    dst[n] = 0;
    return true;
}

/* Four independent multiply-xor lanes over 8-byte words (a memory-speed checksum: images
 * carry megabytes of pages), folded together with the tail bytes and the length. */
uint64_t mig_checksum(const uint8_t *p, size_t n)
{
    const uint64_t K = 0x9E3779B97F4A7C15ull;
    uint64_t a = 0x243F6A8885A308D3ull, b = 0x13198A2E03707344ull,
             c = 0xA4093822299F31D0ull, d = 0x082EFA98EC4E6C89ull;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        __builtin_memcpy(w, p + i, 32);
        a = (a ^ w[0]) * K; a ^= a >> 29;
        b = (b ^ w[1]) * K; b ^= b >> 29;
        c = (c ^ w[2]) * K; c ^= c >> 29;
        d = (d ^ w[3]) * K; d ^= d >> 29;
    }
    uint64_t h = a ^ (b * 3) ^ (c * 5) ^ (d * 7) ^ n;
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 31;
    h *= K;
    return h ^ (h >> 29);
}
