/* qemu_vm.c: see qemu_vm.h. QEMU runs without a display, with its serial port written
 * to a file in a private mkdtemp directory, and is killed by its PID. KVM is used only
 * when /dev/kvm opens and a probe boot shows memory writes at a sane speed: some nested
 * hypervisors offer a /dev/kvm that traps every guest write (kernel prints its speed). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/metal/qemu_vm.h"

/* QEMUs alive right now, so that a signal (a test timeout) still kills them. */
static pid_t live[8];

static void kill_live(int sig)
{
    for (int i = 0; i < 8; i++)
        if (live[i] > 0) kill(live[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void track(pid_t pid, pid_t replace_with)
{
    static int installed;
    if (!installed) {
        signal(SIGINT, kill_live);
        signal(SIGTERM, kill_live);
        signal(SIGHUP, kill_live);
        installed = 1;
    }
    for (int i = 0; i < 8; i++)
        if (live[i] == pid) { live[i] = replace_with; return; }
}

const char *qemu_kernel_path(void)
{
    const char *k = getenv("MULT_METAL_KERNEL");
    return k && *k ? k : "build/bin/multiplicity-metal.elf";
}

#define IPXE_LKRN "/usr/lib/ipxe/ipxe.lkrn"

static int make_dir(struct qemu_vm *vm)
{
    memset(vm, 0, sizeof *vm);
    snprintf(vm->dir, sizeof vm->dir, "/tmp/mult-metal-XXXXXX");
    if (!mkdtemp(vm->dir)) return -1;
    snprintf(vm->serial, sizeof vm->serial, "%s/serial.log", vm->dir);
    return 0;
}

/* kernel and append go to -kernel/-append, or with ipxe_script to -kernel/-initrd. */
static int launch(struct qemu_vm *vm, const char *accel, const char *nic,
                  const char *kernel, const char *append, const char *initrd, const char *netdev,
                  const char *mac)
{
    char serial_arg[128], device[160];
    snprintf(serial_arg, sizeof serial_arg, "file:%s", vm->serial);
    const char *rom = initrd ? "" : ",romfile=";     /* iPXE brings its own drivers */
    char macopt[40] = "";
    if (mac) snprintf(macopt, sizeof macopt, ",mac=%s", mac);
    if (!strcmp(nic, "e1000"))
        snprintf(device, sizeof device, "e1000,netdev=n0%s%s", rom, macopt);
    else if (!strcmp(nic, "virtio-modern"))          /* virtio 1.0 only: id 1af4:1041, MMIO BARs */
        snprintf(device, sizeof device, "virtio-net-pci,netdev=n0,disable-legacy=on,disable-modern=off%s%s",
                 rom, macopt);
    else
        snprintf(device, sizeof device, "virtio-net-pci,netdev=n0,disable-modern=on%s%s", rom, macopt);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 1); }
        char log[128];
        snprintf(log, sizeof log, "%s/qemu.err", vm->dir);
        int err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (err >= 0) dup2(err, 2);
        execlp("qemu-system-x86_64", "qemu-system-x86_64", "-accel", accel, "-m", "128M",
               "-display", "none", "-monitor", "none", "-vga", "none", "-no-reboot",
               "-serial", serial_arg, "-netdev", netdev, "-device", device,
               "-kernel", kernel, initrd ? "-initrd" : "-append", initrd ? initrd : append,
               (char *)NULL);
        _exit(127);
    }
    vm->pid = pid;
    track(0, pid);
    return 0;
}

int qemu_start(struct qemu_vm *vm, const char *accel, const char *nic, const char *append)
{
    if (make_dir(vm)) return -1;
    if (launch(vm, accel, nic, qemu_kernel_path(), append, NULL, "user,id=n0", NULL)) { qemu_stop(vm); return -1; }
    return 0;
}

int qemu_start_fwd(struct qemu_vm *vm, const char *accel, const char *nic, const char *append,
                   int host_port, int guest_port, const char *mac)
{
    char netdev[96];
    snprintf(netdev, sizeof netdev, "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d", host_port, guest_port);
    if (make_dir(vm)) return -1;
    if (launch(vm, accel, nic, qemu_kernel_path(), append, NULL, netdev, mac)) { qemu_stop(vm); return -1; }
    return 0;
}

int qemu_start_ipxe(struct qemu_vm *vm, const char *accel, const char *nic, const char *script)
{
    if (make_dir(vm)) return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/boot.ipxe", vm->dir);
    FILE *f = fopen(path, "w");
    if (!f) { qemu_stop(vm); return -1; }
    fputs(script, f);
    fclose(f);
    if (launch(vm, accel, nic, IPXE_LKRN, NULL, path, "user,id=n0", NULL)) { qemu_stop(vm); return -1; }
    return 0;
}

char *qemu_output(const struct qemu_vm *vm)
{
    FILE *f = fopen(vm->serial, "rb");
    char *buf = NULL;
    size_t len = 0;
    if (f) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            char *nb = realloc(buf, len + n + 1);
            if (!nb) break;
            buf = nb;
            memcpy(buf + len, chunk, n);
            len += n;
        }
        fclose(f);
    }
    if (!buf) buf = calloc(1, 1);
    else buf[len] = 0;
    /* the serial port sends CR LF; tests match on LF */
    size_t w = 0;
    for (size_t r = 0; r < len; r++) if (buf[r] != '\r') buf[w++] = buf[r];
    buf[w] = 0;
    return buf;
}

/* The text is there and so is the end of its line: the kernel writes the console one
 * character at a time, and a caller that stops QEMU as soon as a line starts would
 * read half of it. */
static int seen_whole_line(const char *out, const char *text)
{
    const char *at = strstr(out, text);
    return at && strchr(at + strlen(text), '\n') != NULL;
}

int qemu_wait_for(struct qemu_vm *vm, const char *text, int timeout_s)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        char *out = qemu_output(vm);
        int found = seen_whole_line(out, text);
        free(out);
        if (found) return 1;
        if (vm->pid > 0 && waitpid(vm->pid, NULL, WNOHANG) == vm->pid) {
            track(vm->pid, 0);
            vm->pid = 0;                        /* exited; one last look */
            out = qemu_output(vm);
            found = strstr(out, text) != NULL;      /* a last line may lack its newline */
            free(out);
            return found;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= timeout_s) return 0;
        usleep(50 * 1000);
    }
}

void qemu_stop(struct qemu_vm *vm)
{
    if (vm->pid > 0) {
        kill(vm->pid, SIGKILL);
        waitpid(vm->pid, NULL, 0);
        track(vm->pid, 0);
        vm->pid = 0;
    }
    if (vm->dir[0]) {
        char path[128];
        unlink(vm->serial);
        snprintf(path, sizeof path, "%s/qemu.err", vm->dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/boot.ipxe", vm->dir);
        unlink(path);
        rmdir(vm->dir);
        vm->dir[0] = 0;
    }
}

static int kvm_fast_enough(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) return 0;
    close(fd);
    struct qemu_vm vm;
    if (qemu_start(&vm, "kvm", "virtio", "probe") != 0) return 0;
    int ok = 0;
    if (qemu_wait_for(&vm, "MB/s", 30)) {
        char *out = qemu_output(&vm);
        const char *p = strstr(out, "write speed ");
        if (p) ok = strtol(p + strlen("write speed "), NULL, 10) >= 20;
        free(out);
    }
    qemu_stop(&vm);
    return ok;
}

const char *qemu_accel(void)
{
    static const char *accel;
    if (accel) return accel;
    const char *env = getenv("MULT_METAL_ACCEL");
    if (env && (!strcmp(env, "kvm") || !strcmp(env, "tcg"))) return accel = env;
    accel = kvm_fast_enough() ? "kvm" : "tcg";
    if (!strcmp(accel, "tcg"))
        fprintf(stderr, "metal: using TCG (no /dev/kvm, or KVM too slow here)\n");
    return accel;
}
