/* The rt_malloc family for hosted contracts programs (contractc, tests, fuzzer) that link
 * the contracts library without the engine: plain libc. The kernel supplies its own. */
#include <stdlib.h>
#include "sips/engine/rt.h"

void *rt_malloc(size_t n) { return malloc(n ? n : 1); }
void *rt_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void  rt_free(void *p) { free(p); }
