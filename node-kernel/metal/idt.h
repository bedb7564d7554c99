/* idt.h: interrupt descriptor table, the trap frame, and IRQ handler registration. */
#ifndef METAL_IDT_H
#define METAL_IDT_H
#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;          /* pushed by the CPU */
};

#define IRQ_BASE 32
typedef void (*irq_handler_fn)(void);

void idt_init(void);
void irq_register(int irq, irq_handler_fn fn);       /* legacy PIC line */
void lapic_timer_register(irq_handler_fn fn);
#endif
