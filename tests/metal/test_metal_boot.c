/* test_metal_boot.c: boots the metal kernel in QEMU (KVM when usable, else TCG) and
 * checks its serial console: banner and command-line options, DHCP over virtio-net
 * (legacy and virtio 1.0) and over e1000, a raw TCP echo with a host server, a ZMTP DEALER exchanging netchan
 * protobuf messages with a libzmq ROUTER on the host, readable panics for deliberate
 * faults, refusal of bad options without crashing, a WebAssembly SIP run by the engine
 * on metal, and a network boot through iPXE over HTTP. No test may see "PANIC" unless
 * it asked for one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "tests/metal/qemu_vm.h"
#include "tests/metal/host_peers.h"

#define BOOT_TIMEOUT_S 120

static int contains(const char *out, const char *text) { return strstr(out, text) != NULL; }

/* Boots, waits for `until`, returns the serial log (caller frees); QEMU is gone after. */
static char *boot_and_collect(const char *nic, const char *append, const char *until, int *seen)
{
    struct qemu_vm vm;
    if (qemu_start(&vm, qemu_accel(), nic, append) != 0) { *seen = 0; return calloc(1, 1); }
    *seen = qemu_wait_for(&vm, until, BOOT_TIMEOUT_S);
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    if (!*seen) fprintf(stderr, "\n--- serial log (waited for \"%s\") ---\n%s\n---\n", until, out);
    return out;
}

static void test_banner_and_options(void)
{
    int seen;
    char *out = boot_and_collect("virtio",
        "http://10.0.2.2/multiplicity-metal.elf orch=10.0.2.2:7000 token=t0k3n labels=zone=lab1,rack=3",
        "DHCP: bound", &seen);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "Multiplicity metal node kernel booting"));
    CU_ASSERT(contains(out, "option token=t0k3n"));
    CU_ASSERT(contains(out, "label zone=lab1"));
    CU_ASSERT(contains(out, "label rack=3"));
    CU_ASSERT(contains(out, "orchestrator host 10.0.2.2 port 7000"));
    CU_ASSERT(contains(out, "clock: TSC"));
    CU_ASSERT(contains(out, "memory: heap"));
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static void dhcp_and_echo(const char *nic, const char *driver_line)
{
    struct echo_server es;
    CU_ASSERT_EQUAL_FATAL(echo_server_start(&es), 0);
    char append[64];
    snprintf(append, sizeof append, "echo=%d", es.port);
    int seen;
    char *out = boot_and_collect(nic, append, "ECHO ", &seen);
    echo_server_stop(&es);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, driver_line));
    CU_ASSERT(contains(out, "DHCP: bound 10.0.2.15"));
    CU_ASSERT(contains(out, "ECHO OK"));
    CU_ASSERT(contains(es.received, "hello from the Multiplicity metal kernel"));
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static void test_virtio_dhcp_echo(void) { dhcp_and_echo("virtio", "virtio-net: io"); }
static void test_e1000_dhcp_echo(void)  { dhcp_and_echo("e1000", "e1000: mmio"); }
static void test_modern_virtio_dhcp_echo(void) { dhcp_and_echo("virtio-modern", "virtio-net: modern"); }

static void test_zmtp_router(void)
{
    struct router_peer r;
    CU_ASSERT_EQUAL_FATAL(router_peer_start(&r), 0);
    char append[64];
    snprintf(append, sizeof append, "peer=%d", r.port);
    int seen;
    /* the boot-time line comes right after "ZMTP OK": waiting only for the latter raced it */
    char *out = boot_and_collect("virtio", append, "BOOT-TIME: first message delivered", &seen);
    router_peer_stop(&r);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "zmtp: handshake done"));
    CU_ASSERT(contains(out, "ZMTP OK: heartbeat reply from host-router"));
    CU_ASSERT(contains(out, "BOOT-TIME: first message delivered"));
    CU_ASSERT_STRING_EQUAL(r.identity, "metal-525400123456");
    CU_ASSERT_STRING_EQUAL(r.hello_node, "metal-525400123456");
    CU_ASSERT_EQUAL(r.hello_wire_version, 1);
    CU_ASSERT_EQUAL(r.got_heartbeat, 1);
    CU_ASSERT_EQUAL(r.replied, 1);
    CU_ASSERT_EQUAL(r.bad_messages, 0);
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static void test_panic_page_fault(void)
{
    int seen;
    char *out = boot_and_collect("virtio", "panic_test=1", "PANIC: system halted", &seen);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "PANIC: CPU exception 14 (page fault)"));
    CU_ASSERT(contains(out, "fault address 0x100000000000 (page not present on write)"));
    CU_ASSERT(contains(out, "rip="));
    CU_ASSERT(contains(out, "cr2=0000100000000000"));
    free(out);
}

static void test_panic_invalid_opcode(void)
{
    int seen;
    char *out = boot_and_collect("virtio", "panic_test=2", "PANIC: system halted", &seen);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "PANIC: CPU exception 6 (invalid opcode)"));
    CU_ASSERT(contains(out, "rax="));
    free(out);
}

static void test_bad_options(void)
{
    int seen;
    char *out = boot_and_collect("virtio", "orch=no-port-here panic_test=zzz echo=notaport = =x labels=,,=,",
                                 "DHCP: bound", &seen);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "warning: orch=no-port-here is not HOST:PORT"));
    CU_ASSERT(contains(out, "ECHO FAILED: bad echo=notaport"));
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static void test_missing_peer(void)
{
    /* nothing listens on this port: the kernel must report, not hang or crash */
    struct echo_server es;
    CU_ASSERT_EQUAL_FATAL(echo_server_start(&es), 0);
    int port = es.port;
    echo_server_stop(&es);                       /* the port is now closed */
    char append[64];
    snprintf(append, sizeof append, "peer=%d", port);
    int seen;
    char *out = boot_and_collect("virtio", append, "ZMTP FAILED", &seen);
    CU_ASSERT(seen);
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static void test_sip_on_metal(void)
{
    int seen;
    char *out = boot_and_collect("virtio", "sip=hello", "DHCP: bound", &seen);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "[sip hello] hello from SIP hello: fib(20)=6765 sqrt(2)*1e6=1414214 clock advanced yes"));
    CU_ASSERT(contains(out, "SIP hello: exit 7 (fuel used "));
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static void test_heap_selftest(void)
{
    int seen;
    char *out = boot_and_collect("virtio", "selftest=heap", "DHCP: bound", &seen);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "HEAP SELFTEST OK: 20000 operations"));
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static void test_unknown_sip(void)
{
    int seen;
    char *out = boot_and_collect("virtio", "sip=../../nothing", "DHCP: bound", &seen);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "SIP ../../nothing: no such module in this kernel"));
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

static void test_ipxe_http_boot(void)
{
    struct http_server h;
    char abs[4096];
    if (!realpath(qemu_kernel_path(), abs)) { CU_FAIL("kernel image missing"); return; }
    CU_ASSERT_EQUAL_FATAL(http_server_start(&h, "multiplicity-metal.elf", abs), 0);
    char script[512];
    snprintf(script, sizeof script,
             "#!ipxe\ndhcp\nkernel http://10.0.2.2:%d/multiplicity-metal.elf orch=10.0.2.2:7000 labels=boot=ipxe\nboot\n",
             h.port);
    struct qemu_vm vm;
    int started = qemu_start_ipxe(&vm, qemu_accel(), "virtio", script) == 0;
    int seen = started && qemu_wait_for(&vm, "DHCP: bound", BOOT_TIMEOUT_S);
    char *out = started ? qemu_output(&vm) : calloc(1, 1);
    if (started) qemu_stop(&vm);
    http_server_stop(&h);
    if (!seen) fprintf(stderr, "\n--- serial log ---\n%s\n---\n", out);
    CU_ASSERT(started);
    CU_ASSERT(seen);
    CU_ASSERT_EQUAL(h.served, 1);
    CU_ASSERT(contains(out, "label boot=ipxe"));
    CU_ASSERT(contains(out, "orchestrator host 10.0.2.2 port 7000"));
    CU_ASSERT(!contains(out, "PANIC"));
    free(out);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("metal_boot", NULL, NULL);
    CU_add_test(s, "banner and command-line options", test_banner_and_options);
    CU_add_test(s, "virtio-net: DHCP and TCP echo with the host", test_virtio_dhcp_echo);
    CU_add_test(s, "e1000: DHCP and TCP echo with the host", test_e1000_dhcp_echo);
    CU_add_test(s, "virtio-net 1.0 (modern-only device): DHCP and TCP echo", test_modern_virtio_dhcp_echo);
    CU_add_test(s, "ZMTP DEALER to a libzmq ROUTER, netchan protobuf", test_zmtp_router);
    CU_add_test(s, "panic_test=1: page fault panic is readable", test_panic_page_fault);
    CU_add_test(s, "panic_test=2: invalid opcode panic is readable", test_panic_invalid_opcode);
    CU_add_test(s, "bad options are reported, not fatal", test_bad_options);
    CU_add_test(s, "unreachable ZMTP peer is reported", test_missing_peer);
    CU_add_test(s, "a WebAssembly SIP runs on the metal kernel", test_sip_on_metal);
    CU_add_test(s, "an unknown SIP name is refused", test_unknown_sip);
    CU_add_test(s, "heap stress self-test inside the kernel", test_heap_selftest);
    if (access("/usr/lib/ipxe/ipxe.lkrn", R_OK) == 0)
        CU_add_test(s, "iPXE fetches the kernel over HTTP and boots it", test_ipxe_http_boot);
    else
        fprintf(stderr, "metal: /usr/lib/ipxe/ipxe.lkrn missing (package ipxe): iPXE boot test not run\n");
    return cunit_run_all("build/tests/metal/test_metal_boot");
}
