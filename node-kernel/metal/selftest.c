/* selftest.c: a heap stress test run inside the kernel. Up to 256 live blocks of random
 * sizes (1 byte to 64 KiB) are allocated, grown, shrunk and freed at random; each block
 * is filled with a pattern derived from its slot and checked before every change, so an
 * allocator that hands out overlapping memory or loses data on realloc is caught. At the
 * end every block is freed and the heap must account zero bytes in use again. */
#include <stdint.h>
#include <string.h>
#include "node-kernel/metal/selftest.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/kprintf.h"

#define SLOTS 256

static uint32_t rng = 2463534242u;
static uint32_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static void fill(uint8_t *p, size_t n, unsigned slot, unsigned gen)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(slot * 31 + gen * 7 + i);
}

static int intact(const uint8_t *p, size_t n, unsigned slot, unsigned gen)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(slot * 31 + gen * 7 + i)) return 0;
    return 1;
}

int selftest_heap(unsigned ops)
{
    static uint8_t *ptr[SLOTS];
    static size_t len[SLOTS];
    static unsigned gen[SLOTS];
    size_t used_before = heap_used();
    const char *failure = NULL;
    unsigned done = 0;
    for (; done < ops && !failure; done++) {
        unsigned s = next_rand() % SLOTS;
        size_t n = 1 + next_rand() % (next_rand() % 8 ? 512 : 65536);
        if (ptr[s] && !intact(ptr[s], len[s], s, gen[s])) { failure = "block contents changed"; break; }
        switch (next_rand() % 3) {
        case 0:                                     /* free (or allocate into an empty slot) */
            if (ptr[s]) { heap_free(ptr[s]); ptr[s] = NULL; break; }
            /* fall through */
        case 1:
            if (ptr[s]) heap_free(ptr[s]);
            ptr[s] = heap_alloc(n);
            if (!ptr[s]) { failure = "allocation failed"; break; }
            if ((uintptr_t)ptr[s] % 16) { failure = "misaligned block"; break; }
            len[s] = n;
            fill(ptr[s], n, s, ++gen[s]);
            break;
        case 2: {                                   /* realloc keeps the common prefix */
            uint8_t *q = heap_realloc(ptr[s], n);
            if (!q) { failure = "realloc failed"; break; }
            size_t keep = ptr[s] ? (len[s] < n ? len[s] : n) : 0;
            if (!intact(q, keep, s, gen[s])) { failure = "realloc lost data"; break; }
            ptr[s] = q;
            len[s] = n;
            fill(q, n, s, ++gen[s]);
            break;
        }
        }
    }
    for (unsigned s = 0; s < SLOTS; s++) {
        if (ptr[s] && !failure && !intact(ptr[s], len[s], s, gen[s])) failure = "block contents changed";
        heap_free(ptr[s]);
        ptr[s] = NULL;
    }
    if (!failure && heap_used() != used_before) failure = "bytes in use not back to the start value";
    if (!failure) {                                 /* everything merged back: one big block fits */
        void *big = heap_alloc(heap_size() / 2);
        if (!big) failure = "free blocks were not merged";
        heap_free(big);
    }
    if (failure) kprintf("HEAP SELFTEST FAILED: %s after %u operations\n", failure, done);
    else kprintf("HEAP SELFTEST OK: %u operations, %lu bytes in use before and after\n", done, (unsigned long)used_before);
    return failure ? -1 : 0;
}
