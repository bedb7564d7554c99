/* boot_bench.c: how long the metal kernel takes from its first instruction (TSC read at
 * the Multiboot entry) to its first netchan message confirmed delivered to a libzmq
 * ROUTER on the host (DHCP, ARP, TCP, ZMTP handshake, Hello + Heartbeat, reply). The
 * kernel measures and prints it ("BOOT-TIME"); the baseline measured in the same run is
 * the host's wall time from launching QEMU to the same point, which adds the firmware,
 * the loader and QEMU itself. Figures need KVM; without a usable KVM the benchmark says
 * "skipped" and, for information only, reports the same figures under TCG.
 * A second pair of figures compares the kernel's own time with NIC interrupts (the
 * default: the idle loop wakes when a frame arrives) against polling only (nicirq=0:
 * the idle loop wakes on the 1 ms timer tick), both measured in the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tests/metal/qemu_vm.h"
#include "tests/metal/host_peers.h"

#define RUNS 3

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One boot: kernel-reported microseconds and host-observed milliseconds; 0 on success. */
static int one_boot(const char *accel, const char *extra, double *kernel_us, double *host_ms)
{
    struct router_peer r;
    if (router_peer_start(&r) != 0) return -1;
    char append[96];
    snprintf(append, sizeof append, "peer=%d %s", r.port, extra);
    struct qemu_vm vm;
    double t0 = now_ms();
    if (qemu_start(&vm, accel, "virtio", append) != 0) { router_peer_stop(&r); return -1; }
    int ok = qemu_wait_for(&vm, "BOOT-TIME: first message delivered ", 180);
    *host_ms = now_ms() - t0;
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    router_peer_stop(&r);
    const char *p = strstr(out, "BOOT-TIME: first message delivered ");
    if (!ok || !p || r.replied != 1) { free(out); return -1; }
    *kernel_us = strtod(p + strlen("BOOT-TIME: first message delivered "), NULL);
    free(out);
    return 0;
}

static double median(double *v)
{
    qsort(v, RUNS, sizeof *v, cmp_double);
    return v[RUNS / 2];
}

/* Kernel figure with NIC interrupts against the same with polling only. */
static int measure_irq(const char *accel, const char *label)
{
    double on[RUNS], off[RUNS], h;
    for (int i = 0; i < RUNS; i++)
        if (one_boot(accel, "nicirq=1", &on[i], &h) != 0 || one_boot(accel, "nicirq=0", &off[i], &h) != 0) {
            printf("boot %s: FAILED (kernel did not deliver its first message)\n", label);
            return 1;
        }
    double a = median(on) / 1000.0, b = median(off) / 1000.0;
    printf("boot %s: kernel entry -> first message, NIC interrupts: %.1f ms (median of %d)\n", label, a, RUNS);
    printf("boot %s: baseline, the same polled only (nicirq=0): %.1f ms (median of %d)\n", label, b, RUNS);
    printf("boot %s: ratio interrupts/polled: %.3f\n", label, a / b);
    return 0;
}

static int measure(const char *accel, const char *label)
{
    double k[RUNS], h[RUNS];
    for (int i = 0; i < RUNS; i++)
        if (one_boot(accel, "", &k[i], &h[i]) != 0) {
            printf("boot %s: FAILED (kernel did not deliver its first message)\n", label);
            return 1;
        }
    qsort(k, RUNS, sizeof *k, cmp_double);
    qsort(h, RUNS, sizeof *h, cmp_double);
    double kernel_ms = k[RUNS / 2] / 1000.0, host_ms = h[RUNS / 2];
    printf("boot %s: kernel entry -> first message delivered: %.1f ms (median of %d)\n", label, kernel_ms, RUNS);
    printf("boot %s: baseline, QEMU launch -> first message delivered: %.1f ms (median of %d)\n", label, host_ms, RUNS);
    printf("boot %s: ratio kernel/baseline: %.3f\n", label, kernel_ms / host_ms);
    return 0;
}

int main(void)
{
    const char *accel = qemu_accel();
    if (strcmp(accel, "kvm") != 0) {
        printf("boot kvm: skipped: no KVM (or /dev/kvm too slow to be usable here)\n");
        const char *label = "tcg (for information, not the KVM figure)";
        return measure("tcg", label) | measure_irq("tcg", label);
    }
    return measure("kvm", "kvm") | measure_irq("kvm", "kvm");
}
