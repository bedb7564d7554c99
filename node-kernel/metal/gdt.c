/* gdt.c: installs the final GDT (null, 64-bit code, data, a 16-byte TSS descriptor)
 * and loads a TSS whose interrupt stack table gives NMI, double fault and machine
 * check their own known-good stacks, so a kernel stack overflow still reports. */
#include <stdint.h>
#include "node-kernel/metal/gdt.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
static uint64_t gdt[5];
static uint8_t ist_stacks[3][16384] __attribute__((aligned(16)));

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00AF9A000000FFFFull;     /* code: present, ring 0, long mode */
    gdt[2] = 0x00CF92000000FFFFull;     /* data: present, writable */
    uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
    gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[4] = base >> 32;

    for (int i = 0; i < 3; i++)
        tss.ist[i] = (uint64_t)&ist_stacks[i][sizeof ist_stacks[i]];
    tss.iomap_base = sizeof tss;

    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) ptr = { sizeof gdt - 1, (uint64_t)gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "ltr %w3\n\t"
        :: "m"(ptr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS) : "rax", "memory");
}
