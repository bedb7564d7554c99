/* serial.c: COM1 (16550 UART at I/O port 0x3F8) as the kernel console, polled,
 * 115200 8N1. Newlines go out as CR LF. */
#include "node-kernel/metal/serial.h"
#include "node-kernel/metal/x86.h"

#define COM1 0x3F8

void serial_init(void)
{
    outb(COM1 + 1, 0x00);   /* no UART interrupts */
    outb(COM1 + 3, 0x80);   /* DLAB on to set the divisor */
    outb(COM1 + 0, 0x01);   /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8 bits, no parity, one stop bit */
    outb(COM1 + 2, 0xC7);   /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

static void put_raw(char c)
{
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        cpu_pause();
    outb(COM1, (uint8_t)c);
}

void serial_putc(char c)
{
    if (c == '\n') put_raw('\r');
    put_raw(c);
}

void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) serial_putc(s[i]);
}
