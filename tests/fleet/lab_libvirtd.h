/* lab_libvirtd.h: a private libvirtd for tests and benchmarks, never the system's: it runs
 * inside a network namespace the caller names, in a mount namespace of its own where
 * /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt are empty
 * tmpfs and /etc/libvirt is a generated configuration (QEMU as root, no security driver,
 * no cgroups), with its socket in a temporary directory. Also an orchd in the same
 * namespace, listening for nodes on every address. Everything is stopped by PID and
 * the namespace deleted by lab_libvirtd_stop(), also from an exit or signal handler. */
#ifndef TESTS_FLEET_LAB_LIBVIRTD_H
#define TESTS_FLEET_LAB_LIBVIRTD_H
#include <sys/types.h>

struct lab_libvirtd {
    char netns[32];
    char dir[64];               /* temporary directory (configs, socket, fleet state) */
    char uri[160];              /* qemu+unix:///system?socket=... */
    pid_t libvirtd;
    pid_t orchd;                /* 0 when not started */
};

/* Creates the namespace and starts libvirtd; 0 when its socket answers. */
int  lab_libvirtd_start(struct lab_libvirtd *l, const char *tag);
/* Starts build/bin/orchd in the namespace: nodes on tcp://0.0.0.0:7700, HTTP API on
 * 127.0.0.1:7780 there, network boot on 0.0.0.0:8080 for nodes that reach it at
 * LAB_ORCHD_BOOT_HOST (a fleet on subnet LAB_ORCHD_SUBNET). 0 or -1. */
#define LAB_ORCHD_SUBNET    "10.124.0"
#define LAB_ORCHD_BOOT_HOST "10.124.0.1"
int  lab_orchd_start(struct lab_libvirtd *l);
/* Kills orchd, libvirtd and anything left in the namespace (QEMU, dnsmasq) by PID,
 * deletes the namespace and the directory. Safe to call twice. */
void lab_libvirtd_stop(struct lab_libvirtd *l);
/* "kvm" or "qemu" for libvirt's domain type: KVM only where the metal tests found it
 * usable (tests/metal/qemu_vm.c). */
const char *lab_domain_type(void);
#endif
