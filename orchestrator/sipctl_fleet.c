/* sipctl_fleet.c: `sipctl fleet up|status|down` (see sipctl_fleet.h).
 *
 * up: picks names, MACs and an address plan, starts a boot server (`sipctl pxe serve`, a
 * detached child whose PID goes into the state file) unless --orch names one, creates a
 * transient libvirt network whose DHCP sends iPXE to the boot script, then N transient
 * domains that boot from it, and prints each node's progress until all reached the
 * --wait-for stage (default: registered). Anything created before a failure is removed.
 * down: destroys the domains and the network, stops the boot server, removes the files. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/virterror.h>
#include "orchestrator/fleet_libvirt.h"
#include "orchestrator/fleet_progress.h"
#include "orchestrator/fleet_state.h"
#include "orchestrator/sipctl_fleet.h"
#include "pxe/ipxe_script.h"

#define DEFAULT_KERNEL "build/bin/multiplicity-metal.elf"
#define ORCH_NODE_PORT 7700          /* orchd's default ZeroMQ port for nodes */

struct fleet_args {
    int n, timeout_s, wait_for, no_wait, no_ipv6;
    unsigned memory_mib;
    const char *uri, *name, *state_dir, *subnet, *orch, *zmq, *token, *labels, *kernel, *domain_type, *nic;
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: sipctl fleet up -n N [--memory MIB] [--uri URI] [--name NAME] [--state-dir DIR]\n"
        "                       [--subnet A.B.C] [--orch URL] [--zmq HOST:PORT] [--token T]\n"
        "                       [--labels K=V,...] [--kernel FILE] [--domain-type kvm|qemu]\n"
        "                       [--nic virtio|e1000] [--no-ipv6]\n"
        "                       [--wait-for booted|dhcp|registered] [--timeout S] [--no-wait]\n"
        "       sipctl fleet status [--name NAME] [--state-dir DIR]\n"
        "       sipctl fleet down   [--name NAME] [--state-dir DIR] [--uri URI]\n"
        "Defaults: name dev, memory 128 MiB, nic virtio (virtio 1.0), uri $LIBVIRT_DEFAULT_URI or\n"
        "qemu:///system, subnet 10.123.0 (the host is .1, nodes get .100-.199) with a private IPv6\n"
        "prefix whose router advertisements spare iPXE its wait (--no-ipv6: none), state dir\n"
        "$XDG_STATE_HOME/multiplicity/fleet-NAME, a boot server of our own unless --orch URL,\n"
        "nodes join the orchestrator at --zmq (default GATEWAY:%d), wait for registered, 600 s.\n",
        ORCH_NODE_PORT);
}

static const struct option options[] = {
    { "memory", required_argument, 0, 'm' }, { "uri", required_argument, 0, 'u' },
    { "name", required_argument, 0, 'N' }, { "state-dir", required_argument, 0, 'd' },
    { "subnet", required_argument, 0, 's' }, { "orch", required_argument, 0, 'o' },
    { "zmq", required_argument, 0, 'z' }, { "token", required_argument, 0, 't' },
    { "labels", required_argument, 0, 'l' }, { "kernel", required_argument, 0, 'k' },
    { "domain-type", required_argument, 0, 'D' }, { "wait-for", required_argument, 0, 'w' },
    { "timeout", required_argument, 0, 'T' }, { "no-wait", no_argument, 0, 'W' },
    { "nic", required_argument, 0, 'I' }, { "no-ipv6", no_argument, 0, '6' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
};

static int number(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || !*s || v < lo || v > hi) {
        fprintf(stderr, "sipctl fleet: %s wants a number from %ld to %ld, not '%s'\n", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse(int argc, char **argv, struct fleet_args *a)
{
    int c;
    long v;
    memset(a, 0, sizeof *a);
    a->memory_mib = 128;
    a->timeout_s = 600;
    a->wait_for = STAGE_REGISTERED;
    a->name = "dev";
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:h", options, NULL)) != -1) {
        switch (c) {
        case 'n': if (number("-n", optarg, 1, FLEET_MAX_NODES, &v)) return -1; a->n = (int)v; break;
        case 'm': if (number("--memory", optarg, 32, 65536, &v)) return -1; a->memory_mib = (unsigned)v; break;
        case 'T': if (number("--timeout", optarg, 1, 86400, &v)) return -1; a->timeout_s = (int)v; break;
        case 'u': a->uri = optarg; break;            case 'N': a->name = optarg; break;
        case 'd': a->state_dir = optarg; break;      case 's': a->subnet = optarg; break;
        case 'o': a->orch = optarg; break;           case 'z': a->zmq = optarg; break;
        case 't': a->token = optarg; break;          case 'l': a->labels = optarg; break;
        case 'k': a->kernel = optarg; break;         case 'W': a->no_wait = 1; break;
        case '6': a->no_ipv6 = 1; break;
        case 'D':
            if (strcmp(optarg, "kvm") && strcmp(optarg, "qemu")) {
                fprintf(stderr, "sipctl fleet: --domain-type is kvm or qemu\n");
                return -1;
            }
            a->domain_type = optarg;
            break;
        case 'I':
            if (strcmp(optarg, "virtio") && strcmp(optarg, "e1000")) {
                fprintf(stderr, "sipctl fleet: --nic is virtio or e1000\n");
                return -1;
            }
            a->nic = optarg;
            break;
        case 'w':
            if ((a->wait_for = fleet_stage_parse(optarg)) < 0) {
                fprintf(stderr, "sipctl fleet: --wait-for is booted, dhcp or registered\n");
                return -1;
            }
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) { fprintf(stderr, "sipctl fleet: unexpected argument '%s'\n", argv[optind]); return -1; }
    size_t len = strlen(a->name);
    if (!len || len > 10 || strspn(a->name, "abcdefghijklmnopqrstuvwxyz0123456789") != len) {
        fprintf(stderr, "sipctl fleet: --name is 1-10 lower-case letters and digits\n");
        return -1;
    }
    return 0;
}

static void state_dir(const struct fleet_args *a, char *out, size_t len)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (a->state_dir) snprintf(out, len, "%s", a->state_dir);
    else if (xdg && *xdg) snprintf(out, len, "%s/multiplicity/fleet-%s", xdg, a->name);
    else snprintf(out, len, "%s/.local/state/multiplicity/fleet-%s", home ? home : "/tmp", a->name);
}

static int mkdirs(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') { *p = 0; if (mkdir(tmp, 0755) && errno != EEXIST) return -1; *p = '/'; }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static const char *default_uri(const struct fleet_args *a)
{
    const char *env = getenv("LIBVIRT_DEFAULT_URI");
    return a->uri ? a->uri : env && *env ? env : "qemu:///system";
}

static void quiet_libvirt(void *data, virErrorPtr e) { (void)data; (void)e; }

static virConnectPtr connect_to(const char *uri)
{
    virSetErrorFunc(NULL, quiet_libvirt);      /* we print errors ourselves */
    virConnectPtr c = virConnectOpen(uri);
    if (!c) fprintf(stderr, "sipctl fleet: cannot connect to libvirt at %s: %s\n", uri, fleet_virt_error());
    return c;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The boot server is ours if its command line says `pxe serve`. */
static int is_our_server(pid_t pid)
{
    char path[64], cmd[512];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(cmd, 1, sizeof cmd - 1, f);
    fclose(f);
    cmd[n] = 0;
    int saw_pxe = 0;
    for (size_t i = 0; i < n; i += strlen(cmd + i) + 1) {
        if (!strcmp(cmd + i, "pxe")) saw_pxe = 1;
        else if (saw_pxe && !strcmp(cmd + i, "serve")) return 1;
    }
    return 0;
}

static void stop_server(pid_t pid)
{
    if (pid <= 0 || !is_our_server(pid)) return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 100 && kill(pid, 0) == 0; i++) {
        waitpid(pid, NULL, WNOHANG);            /* reaps it if it is our child */
        usleep(20000);
    }
    if (kill(pid, 0) == 0) kill(pid, SIGKILL);
    waitpid(pid, NULL, WNOHANG);
}

/* Starts `<this program> pxe serve` detached, listening on every address of the host
 * (the fleet network's bridge appears only later), and reads the port it bound. */
static pid_t start_server(struct fleet_state *f, const struct fleet_args *a, const char *kernel,
                          const char *zmq, const char *labels, unsigned *port)
{
    char log[512], port_file[512], out[512];
    snprintf(log, sizeof log, "%s/boot.log", f->dir);
    snprintf(port_file, sizeof port_file, "%s/http.port", f->dir);
    snprintf(out, sizeof out, "%s/boot-server.out", f->dir);
    unlink(port_file);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        setsid();
        FILE *o = freopen(out, "a", stdout);
        if (o) dup2(fileno(stdout), 2);
        char *argv[32];
        int n = 0;
        argv[n++] = "sipctl";
        argv[n++] = "pxe"; argv[n++] = "serve";
        argv[n++] = "--listen"; argv[n++] = "0.0.0.0:0";
        argv[n++] = "--advertise"; argv[n++] = f->gateway;
        argv[n++] = "--kernel"; argv[n++] = (char *)kernel;
        argv[n++] = "--zmq"; argv[n++] = (char *)zmq;
        argv[n++] = "--labels"; argv[n++] = (char *)labels;
        if (a->token) { argv[n++] = "--token"; argv[n++] = (char *)a->token; }
        argv[n++] = "--log"; argv[n++] = log;
        argv[n++] = "--port-file"; argv[n++] = port_file;
        argv[n] = NULL;
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    for (int i = 0; i < 250; i++) {
        FILE *pf = fopen(port_file, "r");
        if (pf) {
            int ok = fscanf(pf, "%u", port) == 1;
            fclose(pf);
            if (ok) return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid) break;
        usleep(20000);
    }
    fprintf(stderr, "sipctl fleet: the boot server did not start (see %s)\n", out);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* Removes what the state names; errors are reported, the rest still goes. */
static int teardown(virConnectPtr conn, struct fleet_state *f, int verbose)
{
    char err[512], path[600];
    int failed = 0, gone = 0;
    for (int i = 0; i < f->n; i++) {
        int rc = fleet_domain_remove(conn, f->nodes[i].name, err, sizeof err);
        if (rc < 0) { fprintf(stderr, "sipctl fleet: %s\n", err); failed = 1; }
        gone += rc > 0;
        unlink(f->nodes[i].serial);
    }
    int net = fleet_network_remove(conn, f->network, err, sizeof err);
    if (net < 0) { fprintf(stderr, "sipctl fleet: %s\n", err); failed = 1; }
    stop_server(f->server_pid);
    const char *files[] = { "boot.log", "http.port", "boot-server.out", "fleet.state" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (failed && !strcmp(files[i], "fleet.state")) continue;   /* keep it to retry */
        snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    if (!failed) rmdir(f->dir);                                   /* only if now empty */
    if (verbose)
        printf("fleet %s: %d domain%s and %s network removed%s\n", f->name, gone, gone == 1 ? "" : "s",
               net > 0 ? "the" : "no", f->server_pid > 0 ? ", boot server stopped" : "");
    return failed ? 1 : 0;
}

static int cmd_up(struct fleet_args *a)
{
    char err[512], dir[384], kernel[PATH_MAX], zmq[64], labels[256];
    struct fleet_state *f = calloc(1, sizeof *f);
    int rc = 1;
    if (!f) return 1;
    if (a->n < 1) { fprintf(stderr, "sipctl fleet up: -n N is required\n"); free(f); return 2; }
    state_dir(a, dir, sizeof dir);
    if (access(dir, F_OK) == 0) {
        char path[512];
        fleet_state_path(dir, path, sizeof path);
        if (access(path, F_OK) == 0) {
            fprintf(stderr, "sipctl fleet up: fleet %s exists (%s); `sipctl fleet down` first\n", a->name, dir);
            free(f);
            return 1;
        }
    }
    if (mkdirs(dir)) { fprintf(stderr, "sipctl fleet up: %s: %s\n", dir, strerror(errno)); free(f); return 1; }
    if (!realpath(dir, f->dir)) snprintf(f->dir, sizeof f->dir, "%s", dir);
    if (!a->orch && !realpath(a->kernel ? a->kernel : DEFAULT_KERNEL, kernel)) {
        fprintf(stderr, "sipctl fleet up: kernel image %s: %s\n", a->kernel ? a->kernel : DEFAULT_KERNEL,
                strerror(errno));
        rmdir(f->dir);
        free(f);
        return 1;
    }
    const char *subnet = a->subnet ? a->subnet : "10.123.0";
    int o1, o2, o3;
    char tail;
    if (sscanf(subnet, "%d.%d.%d%c", &o1, &o2, &o3, &tail) != 3 || o1 < 1 || o1 > 223 ||
        o2 < 0 || o2 > 255 || o3 < 0 || o3 > 255) {
        fprintf(stderr, "sipctl fleet up: --subnet wants the first three numbers, e.g. 10.123.0\n");
        rmdir(f->dir);
        free(f);
        return 2;
    }
    snprintf(f->name, sizeof f->name, "%s", a->name);
    snprintf(f->uri, sizeof f->uri, "%s", default_uri(a));
    snprintf(f->network, sizeof f->network, "mult-%s", a->name);
    snprintf(f->bridge, sizeof f->bridge, "mlt-%s", a->name);
    snprintf(f->gateway, sizeof f->gateway, "%d.%d.%d.1", o1, o2, o3);
    f->memory_mib = a->memory_mib;
    snprintf(f->nic, sizeof f->nic, "%s", a->nic ? a->nic : FLEET_DEFAULT_NIC);
    f->no_ipv6 = a->no_ipv6;
    f->n = a->n;
    unsigned hash = 5381;
    for (const char *p = a->name; *p; p++) hash = hash * 33 + (unsigned char)*p;
    for (int i = 0; i < f->n; i++) {
        snprintf(f->nodes[i].name, sizeof f->nodes[i].name, "mult-%s-%d", a->name, i + 1);
        snprintf(f->nodes[i].mac, sizeof f->nodes[i].mac, "52:54:00:%02x:%02x:%02x",
                 (unsigned char)(hash >> 8), (unsigned char)hash, (unsigned char)(i + 1));
        snprintf(f->nodes[i].serial, sizeof f->nodes[i].serial, "%s/%s.serial", f->dir, f->nodes[i].name);
    }
    snprintf(zmq, sizeof zmq, "%s", a->zmq ? a->zmq : "");
    if (!a->zmq) snprintf(zmq, sizeof zmq, "%s:%d", f->gateway, ORCH_NODE_PORT);
    snprintf(labels, sizeof labels, "fleet=%s%s%s", a->name, a->labels ? "," : "", a->labels ? a->labels : "");

    virConnectPtr conn = connect_to(f->uri);
    if (!conn) { rmdir(f->dir); free(f); return 1; }
    snprintf(f->domain_type, sizeof f->domain_type, "%s", a->domain_type ? a->domain_type : fleet_pick_domain_type(conn));

    /* the boot server first: its port goes into the network's DHCP boot file name */
    unsigned port = 0;
    if (a->orch) {
        size_t n = strlen(a->orch);
        while (n && a->orch[n - 1] == '/') n--;
        snprintf(f->boot_url, sizeof f->boot_url, "%.*s%s", (int)n, a->orch, PXE_SCRIPT_PATH PXE_MAC_QUERY);
    } else {
        f->server_pid = start_server(f, a, kernel, zmq, labels, &port);
        if (f->server_pid < 0) { f->server_pid = 0; goto undo; }
        snprintf(f->boot_url, sizeof f->boot_url, "http://%s:%u%s", f->gateway, port,
                 PXE_SCRIPT_PATH PXE_MAC_QUERY);
    }
    if (fleet_state_save(f, err, sizeof err)) { fprintf(stderr, "sipctl fleet up: %s\n", err); goto undo; }
    printf("fleet %s: %d node%s (%s, %s, %u MiB each) on network %s (%s.0/24), boot from %s\n", f->name, f->n,
           f->n == 1 ? "" : "s", f->domain_type, f->nic, f->memory_mib, f->network, subnet, f->boot_url);
    fflush(stdout);
    double t0 = now_s();
    /* Undo removes only what this run made: a network or domain of the same name that
     * already existed (an earlier fleet not taken down) is left alone. */
    int n_nodes = f->n;
    f->n = 0;
    if (fleet_network_create(conn, f, err, sizeof err)) {
        fprintf(stderr, "sipctl fleet up: %s\n", err);
        snprintf(f->network, sizeof f->network, "-");         /* not ours to remove */
        goto undo;
    }
    for (int i = 0; i < n_nodes; i++) {
        if (fleet_domain_start(conn, f, i, err, sizeof err)) { fprintf(stderr, "sipctl fleet up: %s\n", err); goto undo; }
        f->n = i + 1;
    }
    if (a->no_wait) { rc = 0; goto out; }

    /* watch: one line each time a node gets further */
    struct fleet_progress prog[FLEET_MAX_NODES];
    enum fleet_stage seen[FLEET_MAX_NODES];
    for (int i = 0; i < f->n; i++) seen[i] = STAGE_STARTED;
    for (;;) {
        fleet_progress_read(f, prog);
        int done = 0, failed = 0;
        double t = now_s() - t0;
        for (int i = 0; i < f->n; i++) {
            if (prog[i].stage != seen[i]) {
                seen[i] = prog[i].stage;
                printf("[%6.1fs] %s %s: %s%s%s\n", t, f->nodes[i].name, f->nodes[i].mac,
                       fleet_stage_name(prog[i].stage), prog[i].address[0] ? " " : "", prog[i].address);
                if (prog[i].detail[0]) printf("          %s\n", prog[i].detail);
                fflush(stdout);
            }
            done += prog[i].stage >= (enum fleet_stage)a->wait_for && prog[i].stage != STAGE_FAILED;
            failed += prog[i].stage == STAGE_FAILED;
        }
        if (done == f->n) {
            printf("fleet %s: all %d nodes %s in %.2f s\n", f->name, f->n,
                   fleet_stage_name((enum fleet_stage)a->wait_for), t);
            rc = 0;
            break;
        }
        if (failed || t > a->timeout_s) {
            printf("fleet %s: %d of %d nodes %s after %.1f s%s; the fleet stays up for inspection "
                   "(`sipctl fleet status`, serial logs in %s), `sipctl fleet down` removes it\n",
                   f->name, done, f->n, fleet_stage_name((enum fleet_stage)a->wait_for), t,
                   failed ? ", some failed" : ", timed out", f->dir);
            rc = 1;
            break;
        }
        usleep(200000);
    }
    goto out;
undo:
    teardown(conn, f, 0);
out:
    virConnectClose(conn);
    free(f);
    return rc;
}

static int cmd_status(struct fleet_args *a)
{
    char dir[384], err[512];
    struct fleet_state *f = calloc(1, sizeof *f);
    struct fleet_progress prog[FLEET_MAX_NODES];
    if (!f) return 1;
    state_dir(a, dir, sizeof dir);
    if (fleet_state_load(dir, f, err, sizeof err)) { fprintf(stderr, "sipctl fleet status: %s\n", err); free(f); return 1; }
    virConnectPtr conn = connect_to(f->uri);
    fleet_progress_read(f, prog);
    printf("fleet %s: network %s, boot from %s, boot server %s\n", f->name, f->network, f->boot_url,
           f->server_pid <= 0 ? "external" : is_our_server(f->server_pid) ? "running" : "NOT RUNNING");
    printf("%-16s %-17s %-10s %-15s %s\n", "NODE", "MAC", "DOMAIN", "ADDRESS", "STAGE");
    for (int i = 0; i < f->n; i++)
        printf("%-16s %-17s %-10s %-15s %s\n", f->nodes[i].name, f->nodes[i].mac,
               conn ? fleet_domain_state(conn, f->nodes[i].name) : "?",
               prog[i].address[0] ? prog[i].address : "-", fleet_stage_name(prog[i].stage));
    if (conn) virConnectClose(conn);
    free(f);
    return conn ? 0 : 1;
}

static int cmd_down(struct fleet_args *a)
{
    char dir[384], err[512];
    struct fleet_state *f = calloc(1, sizeof *f);
    if (!f) return 1;
    state_dir(a, dir, sizeof dir);
    if (fleet_state_load(dir, f, err, sizeof err)) {
        /* no state: look for what the naming scheme would have made */
        memset(f, 0, sizeof *f);
        snprintf(f->dir, sizeof f->dir, "%s", dir);
        snprintf(f->name, sizeof f->name, "%s", a->name);
        snprintf(f->uri, sizeof f->uri, "%s", default_uri(a));
        snprintf(f->network, sizeof f->network, "mult-%s", a->name);
        virConnectPtr conn = connect_to(f->uri);
        if (!conn) { free(f); return 1; }
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(conn, &doms, 0);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "mult-%s-", a->name);
        for (int i = 0; i < n; i++) {
            const char *nm = virDomainGetName(doms[i]);
            if (nm && !strncmp(nm, prefix, strlen(prefix)) && f->n < FLEET_MAX_NODES)
                snprintf(f->nodes[f->n++].name, sizeof f->nodes[0].name, "%s", nm);
            virDomainFree(doms[i]);
        }
        free(doms);
        fprintf(stderr, "sipctl fleet down: %s; removing libvirt objects named %s*\n", err, f->network);
        int rc = teardown(conn, f, 1);
        virConnectClose(conn);
        free(f);
        return rc;
    }
    virConnectPtr conn = connect_to(f->uri);
    if (!conn) { free(f); return 1; }
    int rc = teardown(conn, f, 1);
    virConnectClose(conn);
    free(f);
    return rc;
}

int sipctl_fleet(int argc, char **argv)
{
    struct fleet_args a;
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (parse(argc - 1, argv + 1, &a)) return 2;
    if (!strcmp(sub, "up")) return cmd_up(&a);
    if (!strcmp(sub, "status")) return cmd_status(&a);
    if (!strcmp(sub, "down")) return cmd_down(&a);
    fprintf(stderr, "sipctl fleet: unknown subcommand '%s'\n", sub);
    usage(stderr);
    return 2;
}
