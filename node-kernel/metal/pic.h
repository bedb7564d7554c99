/* pic.h: the legacy 8259 interrupt controller pair. */
#ifndef METAL_PIC_H
#define METAL_PIC_H
void pic_init(void);
void pic_unmask(int irq);
void pic_eoi(int irq);
int  pic_is_spurious(int irq);
#endif
