/* boot.S: the Multiboot 1 entry. The loader (QEMU -kernel, iPXE, GRUB) jumps to _start
 * in 32-bit protected mode with paging off. We record the TSC, identity-map the first
 * 4 GiB with 2 MiB pages, enter long mode, enable SSE, point FS at a block holding the
 * stack-protector canary (prebuilt libraries read it at %fs:0x28) and call kmain. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003             /* page-align modules, provide memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .section .boot, "ax"
    .code32
    .globl _start
_start:
    cli
    mov %eax, mb_magic
    mov %ebx, mb_info
    rdtsc
    mov %eax, boot_tsc
    mov %edx, boot_tsc + 4
    mov $boot_stack_top, %esp

    /* zero PML4 and PDPT (the four page directories are filled entirely below) */
    mov $pml4, %edi
    xor %eax, %eax
    mov $2048, %ecx
    rep stosl

    mov $pdpt, %eax
    or $3, %eax
    mov %eax, pml4

    mov $pdpt, %edi
    mov $pd, %eax
    or $3, %eax
    mov $4, %ecx
1:  mov %eax, (%edi)
    add $4096, %eax
    add $8, %edi
    loop 1b

    mov $pd, %edi
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $0xE3, %eax                      /* present, writable, accessed, dirty, 2 MiB page */
    cmp $1536, %ecx                     /* 3 GiB and up is device memory: uncached */
    jb 6f
    or $0x18, %eax                      /* PCD | PWT */
6:
    mov %eax, (%edi,%ecx,8)
    movl $0, 4(%edi,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jne 2b

    mov $pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax                  /* PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx               /* EFER: long mode enable */
    rdmsr
    or $(1 << 8), %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax                /* paging + protection */
    mov %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack_top, %rsp

    mov %cr0, %rax                      /* SSE: clear EM, set MP */
    and $~(1 << 2), %rax
    or $(1 << 1), %rax
    mov %rax, %cr0
    mov %cr4, %rax                      /* OSFXSR, OSXMMEXCPT */
    or $(3 << 9), %rax
    mov %rax, %cr4

    mov $0xC0000100, %ecx               /* FS base -> canary block */
    mov $fs_block, %eax
    xor %edx, %edx
    wrmsr

    mov mb_magic, %edi
    mov mb_info, %esi
    call kmain
3:  cli
    hlt
    jmp 3b

    .section .rodata
    .align 8
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF            /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF            /* 0x10: data */
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt

    .data
    .align 8
    .globl boot_tsc
boot_tsc:   .quad 0
mb_magic:   .long 0
mb_info:    .long 0
    .align 64
fs_block:
    .quad 0, 0, 0, 0, 0
    .quad 0x5a3c96e1d2b4f087            /* %fs:0x28, the stack-protector canary */
    .quad 0, 0

    .bss
    .align 4096
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4 * 4096
    .align 16
boot_stack:
    .skip 65536
    .globl boot_stack_top
boot_stack_top:

    .section .note.GNU-stack,"",@progbits
