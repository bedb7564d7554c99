/* fleet_bench.c: seconds from `sipctl fleet up -n 4` to every node registered with the
 * orchestrator (or, with a kernel that cannot register yet, to every node's DHCP
 * address), on a private libvirtd in a network namespace (tests/fleet/lab_libvirtd.c).
 * Baseline, same run, same namespace and orchd: one QEMU booting the kernel directly
 * (-kernel, user-mode networking, no firmware network boot) to the same stage.
 * Also the fleet again with --no-ipv6 (no router advertisement on its network), to show
 * what the private IPv6 prefix saves. Prints one line per figure and the ratios. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tests/fleet/lab_libvirtd.h"
#include "tests/metal/qemu_vm.h"
#include "tests/pxe/proc.h"

#define KERNEL "build/bin/multiplicity-metal.elf"
#define NODES 4

static struct lab_libvirtd lab;
static void stop_lab(void) { lab_libvirtd_stop(&lab); }

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int kernel_can_register(void)
{
    FILE *f = fopen(KERNEL, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *buf = len > 0 ? malloc((size_t)len) : NULL;
    int found = buf && fread(buf, 1, (size_t)len, f) == (size_t)len &&
                memmem(buf, (size_t)len, "ORCH: registered as", 19) != NULL;
    fclose(f);
    free(buf);
    return found;
}

/* One QEMU -kernel boot in the lab namespace to the marker; seconds or -1. */
static double baseline(const char *marker)
{
    char serial[160], ser[200];
    snprintf(serial, sizeof serial, "%s/baseline.serial", lab.dir);
    snprintf(ser, sizeof ser, "file:%s", serial);
    char *argv[] = { "qemu-system-x86_64", "-accel", (char *)qemu_accel(), "-m", "128M", "-display", "none",
                     "-monitor", "none", "-no-reboot", "-netdev", "user,id=n0", "-device",
                     "e1000,netdev=n0,mac=52:54:00:be:0c:01", "-kernel", KERNEL,
                     "-append", "orch=10.0.2.2:7700 labels=bench=baseline", "-serial", ser, NULL };
    double t0 = now_s();
    pid_t vm = proc_start(lab.netns, argv, NULL);
    int ok = vm > 0 && file_wait_for(serial, marker, vm, 300);
    double t = now_s() - t0;
    proc_stop(vm, 500);
    return ok ? t : -1;
}

/* `sipctl fleet up -n NODES` (virtio NICs) in the lab to the stage, then down; seconds or -1. */
static double fleet_up(const char *stage, const char *type, const char *name, const char *extra)
{
    char out[160], state[160];
    snprintf(out, sizeof out, "%s/up-%s.out", lab.dir, name);
    snprintf(state, sizeof state, "%s/fleet-%s", lab.dir, name);
    double t0 = now_s();
    int rc = proc_run("ip netns exec %s build/bin/sipctl fleet up -n %d --name %s --uri '%s' "
                      "--state-dir %s --domain-type %s --wait-for %s --timeout 600 %s >%s 2>&1",
                      lab.netns, NODES, name, lab.uri, state, type, stage, extra, out);
    double t = now_s() - t0;
    char *timeline = file_read(out);            /* the per-node progress, for the reader */
    fprintf(stderr, "%s", timeline);
    free(timeline);
    proc_run("ip netns exec %s build/bin/sipctl fleet down --state-dir %s --uri '%s'", lab.netns, state, lab.uri);
    if (rc) fprintf(stderr, "fleet up %s failed\n", extra);
    return rc ? -1 : t;
}

int main(void)
{
    if (geteuid() != 0 || access("/usr/sbin/libvirtd", X_OK) || access(KERNEL, R_OK)) {
        printf("fleet: skipped: needs root, libvirtd and %s\n", KERNEL);
        return 0;
    }
    proc_on_exit(stop_lab);
    if (lab_libvirtd_start(&lab, "fbench")) { fprintf(stderr, "fleet: private libvirtd did not start\n"); return 1; }
    int reg = kernel_can_register() && access("build/bin/orchd", X_OK) == 0 && lab_orchd_start(&lab) == 0;
    const char *stage = reg ? "registered" : "dhcp";
    const char *type = lab_domain_type();
    const char *note = strcmp(type, "kvm") ? " (TCG: no usable KVM here)" : "";

    double fleet = fleet_up(stage, type, "fb", "");
    if (fleet < 0) { stop_lab(); return 1; }
    double no_ra = fleet_up(stage, type, "fn", "--no-ipv6");      /* iPXE waits for an RA here */
    if (no_ra < 0) { stop_lab(); return 1; }
    double base = baseline(reg ? "ORCH: registered as" : "DHCP: bound ");
    stop_lab();
    printf("fleet%s: sipctl fleet up -n %d -> all %s: %.2f s\n", note, NODES, stage, fleet);
    printf("fleet%s: the same with --no-ipv6 (no router advertisement for iPXE): %.2f s\n", note, no_ra);
    printf("fleet%s: ratio no-ipv6/default: %.2f\n", note, no_ra / fleet);
    if (base < 0) { printf("fleet%s: baseline failed\n", note); return 1; }
    printf("fleet%s: baseline, one QEMU -kernel boot -> %s: %.2f s\n", note, stage, base);
    printf("fleet%s: ratio fleet/baseline: %.2f\n", note, fleet / base);
    return 0;
}
