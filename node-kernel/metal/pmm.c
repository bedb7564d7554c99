/* pmm.c: a bitmap of every 4 KiB page below 4 GiB (the identity-mapped range). Pages
 * start out used; the available ranges of the Multiboot memory map are freed, then
 * the first MiB, the kernel image and the boot information are taken back. */
#include <string.h>
#include "node-kernel/metal/pmm.h"
#include "node-kernel/metal/multiboot.h"
#include "node-kernel/metal/kprintf.h"

#define MAX_PAGES (1u << 20)                  /* 4 GiB */
static uint64_t bitmap[MAX_PAGES / 64];       /* 1 = used */
static size_t free_pages, hint;
extern char __kernel_start[], __kernel_end[];

static int  is_used(size_t i)  { return (bitmap[i / 64] >> (i % 64)) & 1; }
static void set_used(size_t i) { if (!is_used(i)) { bitmap[i / 64] |= 1ull << (i % 64); free_pages--; } }
static void set_free(size_t i) { if (is_used(i)) { bitmap[i / 64] &= ~(1ull << (i % 64)); free_pages++; } }

static void mark_range(uint64_t start, uint64_t end, int used)
{
    if (end > (uint64_t)MAX_PAGES * PAGE_SIZE) end = (uint64_t)MAX_PAGES * PAGE_SIZE;
    for (uint64_t a = start; a < end; a += PAGE_SIZE)
        used ? set_used(a / PAGE_SIZE) : set_free(a / PAGE_SIZE);
}

void pmm_init(const struct multiboot_info *mbi)
{
    memset(bitmap, 0xFF, sizeof bitmap);
    free_pages = 0;
    if (mbi->flags & MB_INFO_MMAP) {
        uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
        while (p < end) {
            const struct multiboot_mmap_entry *e = (const void *)p;
            if (e->type == 1) {
                uint64_t s = (e->addr + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
                uint64_t t = (e->addr + e->len) & ~(uint64_t)(PAGE_SIZE - 1);
                if (t > s) mark_range(s, t, 0);
            }
            p += e->size + 4;
        }
    } else if (mbi->flags & MB_INFO_MEMORY) {
        mark_range(0x100000, 0x100000 + (uint64_t)mbi->mem_upper * 1024, 0);
    }
    mark_range(0, 0x100000, 1);
    mark_range((uint64_t)__kernel_start, (uint64_t)__kernel_end, 1);
    uint64_t mbi_page = (uint64_t)mbi & ~(uint64_t)(PAGE_SIZE - 1);
    mark_range(mbi_page, mbi_page + 2 * PAGE_SIZE, 1);
    if (mbi->flags & MB_INFO_MMAP) {
        uint64_t mm = mbi->mmap_addr & ~(uint64_t)(PAGE_SIZE - 1);
        mark_range(mm, mbi->mmap_addr + mbi->mmap_length, 1);
    }
    hint = 0x100000 / PAGE_SIZE;
}

static void *find_run(size_t n, size_t from, size_t to, int zero)
{
    size_t run = 0;
    for (size_t i = from; i < to; i++) {
        if (!(i % 64) && bitmap[i / 64] == ~0ull && i + 64 <= to) { run = 0; i += 63; continue; }
        run = is_used(i) ? 0 : run + 1;
        if (run == n) {
            size_t first = i + 1 - n;
            for (size_t j = first; j <= i; j++) set_used(j);
            hint = i + 1;
            void *p = (void *)(first * (uint64_t)PAGE_SIZE);
            if (zero) memset(p, 0, n * PAGE_SIZE);
            return p;
        }
    }
    return NULL;
}

static void *alloc(size_t n, int zero)
{
    if (!n || n > free_pages) return NULL;
    void *p = find_run(n, hint, MAX_PAGES, zero);
    return p ? p : find_run(n, 0x100000 / PAGE_SIZE, MAX_PAGES, zero);
}

void *pmm_alloc_pages(size_t n) { return alloc(n, 1); }
void *pmm_alloc_pages_uninit(size_t n) { return alloc(n, 0); }

void pmm_free_pages(void *p, size_t n)
{
    size_t first = (uint64_t)p / PAGE_SIZE;
    for (size_t i = 0; i < n && first + i < MAX_PAGES; i++) set_free(first + i);
    if (first < hint) hint = first;
}

size_t pmm_free_count(void) { return free_pages; }

size_t pmm_largest_run(void)
{
    size_t best = 0, run = 0;
    for (size_t i = 0; i < MAX_PAGES; i++) {
        run = is_used(i) ? 0 : run + 1;
        if (run > best) best = run;
    }
    return best;
}
