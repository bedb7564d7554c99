/* pmm.h: the physical page allocator (4 KiB pages, identity-mapped below 4 GiB). */
#ifndef METAL_PMM_H
#define METAL_PMM_H
#include <stddef.h>
#include <stdint.h>
#define PAGE_SIZE 4096u
struct multiboot_info;
void pmm_init(const struct multiboot_info *mbi);
void *pmm_alloc_pages(size_t n);          /* contiguous, zeroed; NULL when none */
void *pmm_alloc_pages_uninit(size_t n);   /* the same, contents left as they are */
void pmm_free_pages(void *p, size_t n);
size_t pmm_free_count(void);
size_t pmm_largest_run(void);
#endif
