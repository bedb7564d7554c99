/* trampoline.S: enter_multiboot(entry, info) -- from UEFI's 64-bit long mode to the
 * state a Multiboot loader leaves: 32-bit protected mode with flat segments, paging
 * off, EAX = the Multiboot magic, EBX = the information block. Needs to run from
 * identity-mapped memory below 4 GiB (checked by efi_main). Microsoft ABI: entry in
 * ECX, info in EDX. */
    .text
    .globl enter_multiboot
enter_multiboot:
    cli
    mov %ecx, %edi                      /* entry */
    mov %edx, %ebx                      /* info */
    lgdt gdt_pointer(%rip)
    lea compat(%rip), %rax
    pushq $0x08                         /* 32-bit code segment */
    pushq %rax
    lretq
    .code32
compat:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov %cr0, %eax
    and $0x7FFFFFFF, %eax               /* paging off: long mode is no longer active */
    mov %eax, %cr0
    mov $0xC0000080, %ecx               /* EFER: long mode off */
    rdmsr
    and $0xFFFFFEFF, %eax
    wrmsr
    mov %cr4, %eax
    and $0xFFFFFFDF, %eax               /* PAE off */
    mov %eax, %cr4
    xor %eax, %eax
    mov %eax, %cr3
    mov $0x2BADB002, %eax
    jmp *%edi

    .data
    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF            /* 0x08: 32-bit code, flat */
    .quad 0x00CF92000000FFFF            /* 0x10: data, flat */
gdt_pointer:
    .word gdt_pointer - gdt - 1
    .quad gdt
