/* panic.c: print "PANIC: <reason>" and halt the CPU for good. */
#include <stdarg.h>
#include "node-kernel/metal/panic.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/serial.h"
#include "node-kernel/metal/x86.h"

void panic_halt(void)
{
    kprintf("PANIC: system halted\n");
    for (;;) { cpu_cli(); cpu_hlt(); }
}

void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("\nPANIC: %s\n", buf);
    panic_halt();
}
