/* heap.h: the kernel heap (malloc/realloc/free over one arena of physical pages). */
#ifndef METAL_HEAP_H
#define METAL_HEAP_H
#include <stddef.h>
int    heap_init(size_t bytes);            /* 0 on success */
void  *heap_alloc(size_t n);
void  *heap_realloc(void *p, size_t n);
void   heap_free(void *p);
size_t heap_used(void);
size_t heap_size(void);
#endif
