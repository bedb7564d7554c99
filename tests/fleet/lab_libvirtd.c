/* lab_libvirtd.c: a private libvirtd (and orchd) in a network namespace (see
 * lab_libvirtd.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/fleet/lab_libvirtd.h"
#include "tests/metal/qemu_vm.h"
#include "tests/pxe/proc.h"

const char *lab_domain_type(void)
{
    return strcmp(qemu_accel(), "kvm") ? "qemu" : "kvm";
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

int lab_libvirtd_start(struct lab_libvirtd *l, const char *tag)
{
    char path[256], text[1024];
    memset(l, 0, sizeof *l);
    if (proc_tmpdir(l->dir, sizeof l->dir)) return -1;
    snprintf(l->netns, sizeof l->netns, "m%s-%d", tag, (int)getpid());
    snprintf(path, sizeof path, "%s/etc", l->dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sock", l->dir);
    mkdir(path, 0700);
    snprintf(text, sizeof text,
             "unix_sock_dir = \"%s/sock\"\nunix_sock_rw_perms = \"0700\"\n"
             "auth_unix_rw = \"none\"\nauth_unix_ro = \"none\"\n"
             "log_outputs = \"3:file:%s/libvirtd.log\"\n", l->dir, l->dir);
    snprintf(path, sizeof path, "%s/etc/libvirtd.conf", l->dir);
    if (write_file(path, text)) return -1;
    snprintf(path, sizeof path, "%s/etc/qemu.conf", l->dir);
    if (write_file(path, "user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\nremember_owner = 0\n"
                         "security_driver = \"none\"\ncgroup_controllers = [ ]\nnamespaces = [ ]\n"
                         "stdio_handler = \"file\"\n")) return -1;
    if (proc_run("ip netns add %s", l->netns) || proc_run("ip -n %s link set lo up", l->netns)) return -1;

    char script[1024];
    snprintf(script, sizeof script,
             "mkdir -p /run/libvirt && mount -t tmpfs none /run/libvirt && "
             "mount -t tmpfs none /var/lib/libvirt && mount -t tmpfs none /var/cache/libvirt && "
             "mkdir -p /var/log/libvirt && mount -t tmpfs none /var/log/libvirt && "
             "mount --bind %s/etc /etc/libvirt && exec libvirtd -f %s/etc/libvirtd.conf -p %s/libvirtd.pid",
             l->dir, l->dir, l->dir);
    char *argv[] = { "unshare", "-m", "--propagation", "private", "sh", "-c", script, NULL };
    snprintf(path, sizeof path, "%s/libvirtd.out", l->dir);
    l->libvirtd = proc_start(l->netns, argv, path);
    if (l->libvirtd <= 0) return -1;
    snprintf(l->uri, sizeof l->uri, "qemu+unix:///system?socket=%s/sock/libvirt-sock", l->dir);
    for (int i = 0; i < 100; i++) {
        if (!proc_alive(l->libvirtd)) return -1;
        if (proc_run("virsh -c '%s' version", l->uri) == 0) return 0;
        usleep(200000);
    }
    return -1;
}

int lab_orchd_start(struct lab_libvirtd *l)
{
    char db[128], out[128];
    snprintf(db, sizeof db, "%s/orchd.db", l->dir);
    snprintf(out, sizeof out, "%s/orchd.out", l->dir);
    char *argv[] = { "build/bin/orchd", "--db", db, "--listen", "tcp://0.0.0.0:7700",
                     "--http", "7780", "--dead-ms", "60000",
                     "--boot", "0.0.0.0:8080", "--boot-advertise", LAB_ORCHD_BOOT_HOST,
                     "--boot-labels", "served=orchd", NULL };
    l->orchd = proc_start(l->netns, argv, out);
    if (l->orchd <= 0) return -1;
    for (int i = 0; i < 50; i++) {
        if (!proc_alive(l->orchd)) return -1;
        if (proc_run("ip netns exec %s curl -sf http://127.0.0.1:7780/api/v1/nodes", l->netns) == 0) return 0;
        usleep(100000);
    }
    return -1;
}

/* Kills every process still in the namespace: only what this lab started lives there. */
static void kill_namespace_pids(const char *netns)
{
    char cmd[128], line[32];
    for (int round = 0; round < 2; round++) {
        snprintf(cmd, sizeof cmd, "ip netns pids %s 2>/dev/null", netns);
        FILE *p = popen(cmd, "r");
        if (!p) return;
        int any = 0;
        while (fgets(line, sizeof line, p)) {
            pid_t pid = (pid_t)atol(line);
            if (pid > 1 && pid != getpid()) { kill(pid, round ? SIGKILL : SIGTERM); any = 1; }
        }
        pclose(p);
        if (!any) return;
        usleep(500000);
    }
}

void lab_libvirtd_stop(struct lab_libvirtd *l)
{
    if (l->orchd > 0) proc_stop(l->orchd, 3000);
    if (l->libvirtd > 0) proc_stop(l->libvirtd, 5000);
    l->orchd = l->libvirtd = 0;
    if (l->netns[0]) {
        kill_namespace_pids(l->netns);
        proc_run("ip netns del %s", l->netns);
        l->netns[0] = 0;
    }
    if (l->dir[0]) proc_rmdir(l->dir);
    l->dir[0] = 0;
}
