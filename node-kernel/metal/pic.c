/* pic.c: remaps the two 8259 PICs to vectors 32-47 (away from CPU exceptions), masks
 * every line until a driver registers for it, and acknowledges interrupts. */
#include "node-kernel/metal/pic.h"
#include "node-kernel/metal/idt.h"
#include "node-kernel/metal/x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

void pic_init(void)
{
    outb(PIC1_CMD, 0x11); outb(PIC2_CMD, 0x11);         /* ICW1: init, expect ICW4 */
    outb(PIC1_DATA, IRQ_BASE); outb(PIC2_DATA, IRQ_BASE + 8);
    outb(PIC1_DATA, 4); outb(PIC2_DATA, 2);             /* cascade on IRQ 2 */
    outb(PIC1_DATA, 1); outb(PIC2_DATA, 1);             /* 8086 mode */
    outb(PIC1_DATA, 0xFB); outb(PIC2_DATA, 0xFF);       /* all masked but the cascade */
}

void pic_unmask(int irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
}

void pic_eoi(int irq)
{
    if (irq >= 8) outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}

/* IRQ 7 and 15 fire spuriously; the in-service register tells. */
int pic_is_spurious(int irq)
{
    if (irq == 7) { outb(PIC1_CMD, 0x0B); return !(inb(PIC1_CMD) & 0x80); }
    if (irq == 15) {
        outb(PIC2_CMD, 0x0B);
        if (!(inb(PIC2_CMD) & 0x80)) { outb(PIC1_CMD, 0x20); return 1; }
    }
    return 0;
}
