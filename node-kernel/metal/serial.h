/* serial.h: the COM1 console. */
#ifndef METAL_SERIAL_H
#define METAL_SERIAL_H
#include <stddef.h>
void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t n);
#endif
