/* mmio_map.c: identity mappings for device memory above 4 GiB (see mmio_map.h). Walks
 * the live page tables from CR3 (identity-mapped, so table addresses are usable as
 * pointers), adding a page-directory-pointer table and a page directory where missing,
 * and 2 MiB pages with caching disabled. */
#include "node-kernel/metal/mmio_map.h"
#include "node-kernel/metal/pmm.h"
#include "node-kernel/metal/x86.h"

#define PTE_PRESENT  0x01ull
#define PTE_WRITE    0x02ull
#define PTE_PWT      0x08ull
#define PTE_PCD      0x10ull
#define PTE_LARGE    0x80ull
#define PTE_ADDR     0x000FFFFFFFFFF000ull
#define LARGE        (2ull << 20)

/* The table an entry points to, made (zeroed) if absent; NULL when out of memory or
 * when the entry is a large page already. */
static uint64_t *next_table(uint64_t *entry)
{
    if (*entry & PTE_PRESENT) return *entry & PTE_LARGE ? NULL : (uint64_t *)(uintptr_t)(*entry & PTE_ADDR);
    uint64_t *t = pmm_alloc_pages(1);
    if (!t) return NULL;
    *entry = (uint64_t)(uintptr_t)t | PTE_PRESENT | PTE_WRITE;
    return t;
}

int mmio_map(uint64_t addr, uint64_t len)
{
    if (addr + len <= 0x100000000ull) return 0;
    if (addr + len > (1ull << 47) || addr + len < addr) return -1;
    uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);
    for (uint64_t a = addr & ~(LARGE - 1); a < addr + len; a += LARGE) {
        if (a < 0x100000000ull) continue;
        uint64_t *pdpt = next_table(&pml4[(a >> 39) & 511]);
        uint64_t *pd = pdpt ? next_table(&pdpt[(a >> 30) & 511]) : NULL;
        if (!pd) return -1;
        uint64_t *pde = &pd[(a >> 21) & 511];
        if (!(*pde & PTE_PRESENT))
            *pde = a | PTE_PRESENT | PTE_WRITE | PTE_PWT | PTE_PCD | PTE_LARGE;
        __asm__ volatile("invlpg (%0)" :: "r"(a) : "memory");
    }
    return 0;
}
