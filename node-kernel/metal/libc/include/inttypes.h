/* inttypes.h: printf format macros for the fixed-width types (x86_64: long is 64-bit). */
#ifndef METAL_LIBC_INTTYPES_H
#define METAL_LIBC_INTTYPES_H
#include <stdint.h>
#define PRId8 "d"
#define PRIu8 "u"
#define PRIx8 "x"
#define PRId16 "d"
#define PRIu16 "u"
#define PRIx16 "x"
#define PRId32 "d"
#define PRIu32 "u"
#define PRIx32 "x"
#define PRId64 "ld"
#define PRIu64 "lu"
#define PRIx64 "lx"
#define PRIuPTR "lu"
#define PRIxPTR "lx"
#endif
