/* kmain.c: the metal node kernel's C entry. Brings the machine up in order (console,
 * descriptor tables, interrupts, clock, memory, command line), then the network, and
 * runs the poll loop. */
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
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
#include "node-kernel/metal/net.h"
#include "node-kernel/metal/echo_client.h"
#include "node-kernel/metal/zmtp_client.h"
#include "node-kernel/metal/sip_runner.h"
#include "node-kernel/metal/selftest.h"
#include "node-kernel/metal/node.h"
#include "node-kernel/metal/wallclock.h"
#include "node-kernel/metal/orch_agent.h"

extern uint64_t boot_tsc;

static int parse_peer(const char *v, uint32_t *ip, uint16_t *port);

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
        uint32_t ip;
        uint16_t p;
        if (cmdline_host_port(orch, host, sizeof host, &port) == 0)
            kprintf("orchestrator host %s port %u\n", host, port);
        else if (parse_peer(orch, &ip, &p) == 0)
            kprintf("orchestrator host 10.0.2.2 port %u\n", p);
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

/* Parses "PORT" or "A.B.C.D:PORT" (host defaults to 10.0.2.2, QEMU's host alias). */
static int parse_peer(const char *v, uint32_t *ip, uint16_t *port)
{
    char host[32];
    unsigned p, a, b, c, d;
    if (!v) return -1;
    if (cmdline_host_port(v, host, sizeof host, &p) != 0) {
        char *end;
        p = (unsigned)strtoul(v, &end, 10);
        if (*end || !p || p > 65535) return -1;
        *ip = 0x0A000202u;
        *port = (uint16_t)p;
        return 0;
    }
    char *s = host, *end;
    a = (unsigned)strtoul(s, &end, 10); if (*end != '.') return -1; s = end + 1;
    b = (unsigned)strtoul(s, &end, 10); if (*end != '.') return -1; s = end + 1;
    c = (unsigned)strtoul(s, &end, 10); if (*end != '.') return -1; s = end + 1;
    d = (unsigned)strtoul(s, &end, 10); if (*end || a > 255 || b > 255 || c > 255 || d > 255) return -1;
    *ip = a << 24 | b << 16 | c << 8 | d;
    *port = (uint16_t)p;
    return 0;
}

/* The kernel's only thread: poll the network, start the configured self-tests once
 * DHCP is done, and sleep until the next timer tick when there is nothing to do. */
static void run_loop(void)
{
    int started = 0;
    uint32_t ip;
    uint16_t port;
    for (;;) {
        int work = net_poll();
        if (!started && net_is_up()) {
            started = 1;
            const char *echo = cmdline_get("echo");
            if (echo && (parse_peer(echo, &ip, &port) != 0 || echo_client_start(ip, port) != 0))
                kprintf("ECHO FAILED: bad echo=%s or no memory\n", echo);
            const char *peer = cmdline_get("peer");
            if (peer && (parse_peer(peer, &ip, &port) != 0 || zmtp_client_start(ip, port) != 0))
                kprintf("ZMTP FAILED: bad peer=%s or no memory\n", peer);
            const char *orch = cmdline_get("orch");
            if (orch && (parse_peer(orch, &ip, &port) != 0 || orch_agent_start(ip, port, cmdline_get("token")) != 0))
                kprintf("ORCH: not started: orch=%s is not [A.B.C.D:]PORT, or no memory\n", orch);
        }
        zmtp_client_poll();
        orch_agent_poll();
        wallclock_poll();
        if (node_poll()) work = 1;
        if (!work) {                    /* sleep until the next tick or a NIC interrupt */
            cpu_cli();
            if (net_irq_pending()) cpu_sti();
            else cpu_sti_hlt();
        }
    }
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
    /* Memory write speed: a sanity check for broken (nested) hypervisors. */
    uint64_t t0 = timer_ns();
    void *probe = pmm_alloc_pages(64);          /* 256 KiB, zeroed */
    uint64_t probe_ns = timer_ns() - t0;
    pmm_free_pages(probe, 64);
    kprintf("memory: write speed %lu MB/s\n",
            (unsigned long)(256ull * 1024 * 1000 / (probe_ns ? probe_ns : 1)));
    size_t heap_bytes = pmm_largest_run() * PAGE_SIZE / 2;
    while (heap_bytes >= (1u << 20) && heap_init(heap_bytes) != 0) heap_bytes /= 2;
    if (heap_bytes < (1u << 20)) panic("no memory for the kernel heap");
    kprintf("memory: heap %lu KiB, %lu KiB of pages left\n", heap_size() / 1024,
            pmm_free_count() * (PAGE_SIZE / 1024));

    print_options();
    long pt = cmdline_get_long("panic_test", 0);
    if (pt) panic_test(pt);

    const char *selftest = cmdline_get("selftest");
    if (selftest && !strcmp(selftest, "heap")) selftest_heap(20000);
    else if (selftest) kprintf("warning: unknown selftest=%s\n", selftest);

    const char *sip = cmdline_get("sip");
    if (sip) sip_run_embedded(sip);

    if (node_init() != 0) panic("no memory for the node kernel core");
    const char *app = cmdline_get("app");
    if (app) node_run_apps(app);

    if (net_init(cmdline_get("nic"), cmdline_get_long("nicirq", 1) != 0) != 0)
        panic("network initialisation failed");
    run_loop();
}
