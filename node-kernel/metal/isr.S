/* isr.S: entry stubs for the vectors the kernel handles (32 exceptions, 16 legacy
 * IRQs, the local APIC timer and spurious vectors). Each pushes a uniform frame (a zero error code where the CPU pushes none, the
 * vector, then every general register) and calls isr_dispatch(struct trap_frame *). */
    .text
    .macro STUB n, has_error
    .globl isr_stub_\n
isr_stub_\n:
    .if \has_error == 0
    pushq $0
    .endif
    pushq $\n
    jmp isr_common
    .endm

    STUB 0,0;  STUB 1,0;  STUB 2,0;  STUB 3,0;  STUB 4,0;  STUB 5,0;  STUB 6,0;  STUB 7,0
    STUB 8,1;  STUB 9,0;  STUB 10,1; STUB 11,1; STUB 12,1; STUB 13,1; STUB 14,1; STUB 15,0
    STUB 16,0; STUB 17,1; STUB 18,0; STUB 19,0; STUB 20,0; STUB 21,1; STUB 22,0; STUB 23,0
    STUB 24,0; STUB 25,0; STUB 26,0; STUB 27,0; STUB 28,0; STUB 29,1; STUB 30,1; STUB 31,0
    STUB 32,0; STUB 33,0; STUB 34,0; STUB 35,0; STUB 36,0; STUB 37,0; STUB 38,0; STUB 39,0
    STUB 40,0; STUB 41,0; STUB 42,0; STUB 43,0; STUB 44,0; STUB 45,0; STUB 46,0; STUB 47,0
    STUB 48,0; STUB 63,0

isr_common:
    pushq %rax; pushq %rbx; pushq %rcx; pushq %rdx
    pushq %rsi; pushq %rdi; pushq %rbp
    pushq %r8;  pushq %r9;  pushq %r10; pushq %r11
    pushq %r12; pushq %r13; pushq %r14; pushq %r15
    cld
    movq %rsp, %rdi
    movq %rsp, %rbx                     /* callee-saved: restore rsp after aligning */
    andq $~15, %rsp
    call isr_dispatch
    movq %rbx, %rsp
    popq %r15; popq %r14; popq %r13; popq %r12
    popq %r11; popq %r10; popq %r9;  popq %r8
    popq %rbp; popq %rdi; popq %rsi
    popq %rdx; popq %rcx; popq %rbx; popq %rax
    addq $16, %rsp                      /* vector and error code */
    iretq

    .section .rodata
    .align 8
    .globl isr_stub_table
isr_stub_table:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    .quad isr_stub_\n
    .endr
    .globl isr_stub_lapic_timer, isr_stub_lapic_spurious
isr_stub_lapic_timer:    .quad isr_stub_48
isr_stub_lapic_spurious: .quad isr_stub_63

    .section .note.GNU-stack,"",@progbits
