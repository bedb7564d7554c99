/* Little-endian byte buffers for SIP images (migrate.c): a growing writer and a
 * bounds-checked reader that turns every short or out-of-range read into a sticky error
 * flag instead of touching memory it does not own. Freestanding (plat_* allocator). */
#ifndef NODE_KERNEL_CORE_MIGRATE_CODEC_H
#define NODE_KERNEL_CORE_MIGRATE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mig_writer {
    uint8_t *p;
    size_t len, cap;
    bool oom;                     /* an allocation failed: the buffer is incomplete */
} mig_writer;

void migw_bytes(mig_writer *w, const void *src, size_t n);
void migw_u8(mig_writer *w, uint8_t v);
void migw_u16(mig_writer *w, uint16_t v);
void migw_u32(mig_writer *w, uint32_t v);
void migw_u64(mig_writer *w, uint64_t v);
/* u32 length, then the bytes */
void migw_blob(mig_writer *w, const void *src, uint32_t n);
void migw_str(mig_writer *w, const char *s);
/* Reserve n bytes and return their offset (filled later with migw_patch32/64). */
size_t migw_reserve(mig_writer *w, size_t n);
void migw_patch32(mig_writer *w, size_t off, uint32_t v);
void migw_patch64(mig_writer *w, size_t off, uint64_t v);

typedef struct mig_reader {
    const uint8_t *p, *end;
    bool bad;                     /* a read ran past the end or a value was out of range */
    char why[96];                 /* the first reason (for the error message) */
} mig_reader;

void     migr_fail(mig_reader *r, const char *why);
bool     migr_bytes(mig_reader *r, void *dst, size_t n);
uint8_t  migr_u8(mig_reader *r);
uint16_t migr_u16(mig_reader *r);
uint32_t migr_u32(mig_reader *r);
uint64_t migr_u64(mig_reader *r);
/* A u32 length (at most max) followed by that many bytes, returned in place (not copied). */
const uint8_t *migr_blob(mig_reader *r, uint32_t max, uint32_t *len);
/* A string of at most max-1 bytes copied into dst (NUL-terminated); no NUL inside. */
bool     migr_str(mig_reader *r, char *dst, uint32_t max);
static inline size_t migr_left(const mig_reader *r) { return (size_t)(r->end - r->p); }

/* A fast 64-bit checksum over a buffer (the image's own sections; the engine snapshot carries its own
 * SHA-256). Detects damage, not tampering: a node verifies what it can (module hash,
 * contracts, bounds) and trusts its peers no further than that. */
uint64_t mig_checksum(const uint8_t *p, size_t n);

#endif
