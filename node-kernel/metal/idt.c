/* idt.c: builds the IDT over the stubs of isr.S, routes IRQs 0-15 (remapped to vectors
 * 32-47) to registered handlers, and turns every CPU exception into a readable panic:
 * vector name, error code, CR2 for page faults, and all registers.
 * Compiled with -mgeneral-regs-only: interrupt code must not touch SSE state. */
#include <stdint.h>
#include "node-kernel/metal/idt.h"
#include "node-kernel/metal/gdt.h"
#include "node-kernel/metal/pic.h"
#include "node-kernel/metal/lapic.h"
#include "node-kernel/metal/panic.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/x86.h"

struct idt_entry {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, zero;
} __attribute__((packed));

extern const uint64_t isr_stub_table[48], isr_stub_lapic_timer, isr_stub_lapic_spurious;
static struct idt_entry idt[256];
static irq_handler_fn irq_handlers[16];
static irq_handler_fn lapic_timer_handler;

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 FP error", "alignment check", "machine check",
    "SIMD FP error", "virtualization", "control protection", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved", "hypervisor injection",
    "VMM communication", "security", "reserved",
};

static void set_gate(int vec, uint64_t handler, int ist)
{
    idt[vec] = (struct idt_entry){
        .offset_lo = handler & 0xFFFF, .selector = GDT_KERNEL_CODE, .ist = (uint8_t)ist,
        .type_attr = 0x8E,              /* present, ring 0, interrupt gate */
        .offset_mid = (handler >> 16) & 0xFFFF, .offset_hi = (uint32_t)(handler >> 32),
    };
}

void idt_init(void)
{
    for (int v = 0; v < 48; v++) {
        int ist = v == 8 ? IST_DOUBLE_FAULT : v == 2 ? IST_NMI : v == 18 ? IST_MACHINE_CHECK : 0;
        set_gate(v, isr_stub_table[v], ist);
    }
    set_gate(LAPIC_TIMER_VECTOR, isr_stub_lapic_timer, 0);
    set_gate(LAPIC_SPURIOUS_VECTOR, isr_stub_lapic_spurious, 0);
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) ptr = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(ptr));
}

void lapic_timer_register(irq_handler_fn fn) { lapic_timer_handler = fn; }

void irq_register(int irq, irq_handler_fn fn)
{
    irq_handlers[irq] = fn;
    pic_unmask(irq);
}

static void dump_frame(const struct trap_frame *f)
{
    kprintf("  rip=%016lx cs=%04lx rflags=%016lx rsp=%016lx ss=%04lx\n", f->rip, f->cs, f->rflags, f->rsp, f->ss);
    kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx\n", f->rsi, f->rdi, f->rbp);
    kprintf("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", f->r8, f->r9, f->r10, f->r11);
    kprintf("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", f->r12, f->r13, f->r14, f->r15);
    kprintf("  cr2=%016lx cr3=%016lx\n", read_cr2(), read_cr3());
}

void isr_dispatch(struct trap_frame *f)
{
    if (f->vector < 32) {
        kprintf("\nPANIC: CPU exception %lu (%s), error code 0x%lx", f->vector,
                exception_names[f->vector], f->error);
        if (f->vector == 14)
            kprintf(", fault address 0x%lx (%s %s)", read_cr2(),
                    f->error & 1 ? "protection violation" : "page not present",
                    f->error & 2 ? "on write" : f->error & 16 ? "on fetch" : "on read");
        kprintf("\n");
        dump_frame(f);
        panic_halt();
    }
    if (f->vector == LAPIC_TIMER_VECTOR) {
        if (lapic_timer_handler) lapic_timer_handler();
        lapic_eoi();
        return;
    }
    if (f->vector == LAPIC_SPURIOUS_VECTOR) return;
    int irq = (int)f->vector - IRQ_BASE;
    if (irq >= 0 && irq < 16) {
        if (pic_is_spurious(irq)) return;
        if (irq_handlers[irq]) irq_handlers[irq]();
        pic_eoi(irq);
    }
}
