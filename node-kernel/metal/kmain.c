/* kmain.c: the metal node kernel's C entry. Brings the machine up in order (console,
 * descriptor tables, interrupts, clock, memory, command line), then the network, and
 * runs the poll loop. */
#include <stdint.h>
#include <string.h>
#include "node-kernel/metal/multiboot.h"
#include "node-kernel/metal/serial.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/gdt.h"
#include "node-kernel/metal/idt.h"
#include "node-kernel/metal/pic.h"
#include "node-kernel/metal/timer.h"
#include "node-kernel/metal/pmm.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/cmdline.h"
#include "node-kernel/metal/panic.h"
#include "node-kernel/metal/x86.h"

extern uint64_t boot_tsc;

static void print_options(void)
{
    static const char *const known[] = { "orch", "token", "labels" };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        const char *v = cmdline_get(known[i]);
        if (v) kprintf("option %s=%s\n", known[i], v);
    }
    const struct cmdline_label *labels;
    size_t n = cmdline_labels(&labels);
    for (size_t i = 0; i < n; i++) kprintf("label %s=%s\n", labels[i].key, labels[i].value);
    char host[64];
    unsigned port;
    const char *orch = cmdline_get("orch");
    if (orch) {
        if (cmdline_host_port(orch, host, sizeof host, &port) == 0)
            kprintf("orchestrator host %s port %u\n", host, port);
        else
            kprintf("warning: orch=%s is not HOST:PORT, ignored\n", orch);
    }
}

/* A deliberate fault, to show what a panic looks like (panic_test=1 pf, 2 ud2, 3 div0). */
static void panic_test(long kind)
{
    kprintf("panic_test=%ld: causing a fault on purpose\n", kind);
    if (kind == 2) __asm__ volatile("ud2");
    if (kind == 3) { volatile int z = 0; volatile int r = 1 / z; (void)r; }
    volatile uint64_t *bad = (volatile uint64_t *)0x100000000000ull;
    *bad = 1;
}

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    serial_init();
    kprintf("\nMultiplicity metal node kernel booting\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not loaded by a Multiboot loader (magic 0x%x)", magic);
    const struct multiboot_info *mbi = (const void *)(uintptr_t)mbi_addr;
    cmdline_parse(mbi->flags & MB_INFO_CMDLINE ? (const char *)(uintptr_t)mbi->cmdline : "");

    gdt_init();
    idt_init();
    pic_init();
    timer_init();
    cpu_sti();
    kprintf("clock: TSC %lu kHz\n", timer_tsc_hz() / 1000);

    pmm_init(mbi);
    size_t heap_bytes = pmm_largest_run() * PAGE_SIZE / 2;
    while (heap_bytes >= (1u << 20) && heap_init(heap_bytes) != 0) heap_bytes /= 2;
    if (heap_bytes < (1u << 20)) panic("no memory for the kernel heap");
    kprintf("memory: heap %lu KiB, %lu KiB of pages left\n", heap_size() / 1024,
            pmm_free_count() * (PAGE_SIZE / 1024));

    print_options();
    long pt = cmdline_get_long("panic_test", 0);
    if (pt) panic_test(pt);

    timer_sleep_ms(20);
    kprintf("Multiplicity metal kernel ready (%lu timer ticks)\n", timer_ticks());
    for (;;) cpu_hlt();
}
