/* qemu_vm.h: boots the metal kernel in QEMU for tests and benchmarks: serial output to
 * a file, user-mode networking, a time limit, and cleanup by PID. */
#ifndef TESTS_METAL_QEMU_VM_H
#define TESTS_METAL_QEMU_VM_H
#include <sys/types.h>

struct qemu_vm {
    pid_t pid;
    char dir[64];               /* private temporary directory */
    char serial[96];            /* serial console log inside it */
};

/* "kvm" if KVM is present and fast enough here, else "tcg" (decided once per process;
 * MULT_METAL_ACCEL=kvm|tcg overrides). */
const char *qemu_accel(void);
/* Starts QEMU on the kernel with a NIC model ("virtio": legacy virtio-net, "virtio-modern":
 * virtio 1.0 only, or "e1000") and a command line. */
int  qemu_start(struct qemu_vm *vm, const char *accel, const char *nic, const char *append);
/* The same, with 127.0.0.1:host_port on the host forwarded to guest_port in the guest
 * (QEMU user networking's hostfwd): how host processes reach a server in the kernel.
 * mac (e.g. "52:54:00:00:00:02", NULL = QEMU's default) tells several VMs apart. */
int  qemu_start_fwd(struct qemu_vm *vm, const char *accel, const char *nic, const char *append,
                    int host_port, int guest_port, const char *mac);
/* Boots iPXE (Debian's ipxe.lkrn) instead, which runs `script` (an iPXE script, given
 * to it as an initrd) -- the network-boot path of a real node. */
int  qemu_start_ipxe(struct qemu_vm *vm, const char *accel, const char *nic, const char *script);
/* Waits until the serial log contains `text`, QEMU exits, or timeout_s passes.
 * Returns 1 if the text appeared. */
int  qemu_wait_for(struct qemu_vm *vm, const char *text, int timeout_s);
/* The serial log so far (malloc'd, NUL-terminated; "" if none). */
char *qemu_output(const struct qemu_vm *vm);
/* Kills QEMU by PID, reaps it, removes its files. Safe to call twice. */
void qemu_stop(struct qemu_vm *vm);
/* The kernel image the tests boot. */
const char *qemu_kernel_path(void);
#endif
