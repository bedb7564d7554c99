/* gdt.h: the kernel's GDT (flat 64-bit code/data) and its TSS with IST stacks. */
#ifndef METAL_GDT_H
#define METAL_GDT_H
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS         0x18
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
void gdt_init(void);
#endif
