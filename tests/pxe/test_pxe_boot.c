/* test_pxe_boot.c: network boot of the metal node kernel.
 *
 *   scripts     the iPXE scripts and the dnsmasq configuration (dnsmasq --test checks it)
 *   routes      the orchestrator's boot routes over HTTP (libcurl against a boot server)
 *   qemu        QEMU -boot n, user-mode networking, once with e1000 and once with a
 *               virtio 1.0 NIC: the NIC's iPXE ROM (Debian ipxe-qemu) gets the stage-1 script by TFTP, which chains to the boot server on
 *               127.0.0.1 (10.0.2.2 in the guest) for the node script and the kernel;
 *               the kernel boots with the command line the script gave it and gets a
 *               DHCP address; and UEFI firmware (OVMF) with the EFI iPXE ROM, which
 *               boots the kernel in its EFI stub (pxe/efistub)
 *   lab         a lab in network namespaces the test creates: a bridge, an "existing"
 *               DHCP server in a second namespace, dnsmasq with `sipctl pxe config`'s
 *               proxy-DHCP configuration, the boot server, orchd, two QEMU VMs on tap
 *               devices (one e1000, one virtio 1.0), all PXE-booting the kernel and registering
 *
 * Every process is killed by PID and every namespace and file removed, also when a test
 * fails or the program is interrupted. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "orchestrator/boot_server.h"
#include "pxe/dnsmasq_conf.h"
#include "pxe/ipxe_script.h"
#include "tests/cunit_main.h"
#include "tests/metal/qemu_vm.h"
#include "tests/pxe/proc.h"

#define KERNEL      "build/bin/multiplicity-metal.elf"
#define SIPCTL      "build/bin/sipctl"
#define EFI_KERNEL  "build/bin/multiplicity-metal.efi"
#define E1000_ROM   "/usr/lib/ipxe/qemu/pxe-e1000.rom"
#define VIRTIO_ROM  "/usr/lib/ipxe/qemu/pxe-virtio.rom"    /* matches only modern virtio-net */
#define EFI_VIRTIO_ROM "/usr/lib/ipxe/qemu/efi-virtio.rom"
#define OVMF        "/usr/share/qemu/OVMF.fd"
#define BOOT_LIMIT_S 120        /* TCG on two shared cores; KVM needs a fraction */

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* ---- scripts and configuration ------------------------------------------------------ */

static void test_mac_forms(void)
{
    char mac[18];
    CU_ASSERT(pxe_mac_canonical("52:54:00:AB:cd:01", mac) == 0 && !strcmp(mac, "52:54:00:ab:cd:01"));
    CU_ASSERT(pxe_mac_canonical("52-54-00-ab-cd-01", mac) == 0 && !strcmp(mac, "52:54:00:ab:cd:01"));
    CU_ASSERT(pxe_mac_canonical("525400abcd01", mac) == 0 && !strcmp(mac, "52:54:00:ab:cd:01"));
    CU_ASSERT(pxe_mac_canonical("52:54:00:ab:cd", mac) == -1);
    CU_ASSERT(pxe_mac_canonical("52:54:00:ab:cd:01:02", mac) == -1);
    CU_ASSERT(pxe_mac_canonical("52:54:00:ab:cd:0g", mac) == -1);
    CU_ASSERT(pxe_mac_canonical("52:54:00:ab:cd:01:", mac) == -1);
    CU_ASSERT(pxe_mac_canonical("", mac) == -1);
    CU_ASSERT(pxe_mac_canonical(NULL, mac) == -1);
}

static void test_node_script(void)
{
    char s[2048], err[200];
    struct pxe_boot_params p = { .http_base = "http://10.1.2.3:8080/", .orch = "10.1.2.3:7000",
                                 .token = "s3cret", .labels = "zone=a,rack=2" };
    int n = pxe_script_node(s, sizeof s, &p, "52-54-00-00-00-07", err, sizeof err);
    CU_ASSERT_FATAL(n > 0);
    CU_ASSERT(!strncmp(s, "#!ipxe\n", 7));
    CU_ASSERT(contains(s, "\nset kernel /kernel/multiplicity.elf\n"));
    CU_ASSERT(contains(s, "\nkernel http://10.1.2.3:8080${kernel} mac=52:54:00:00:00:07 "
                          "orch=10.1.2.3:7000 token=s3cret labels=zone=a,rack=2 "));
    CU_ASSERT(contains(s, "\nboot"));
    CU_ASSERT(contains(s, "iseq ${platform} efi && set kernel /kernel/multiplicity.efi"));   /* UEFI */

    CU_ASSERT((size_t)n == strlen(s));
    /* too small a buffer is an error, not a truncated script */
    CU_ASSERT(pxe_script_node(s, 40, &p, NULL, err, sizeof err) == -1);
    CU_ASSERT(pxe_script_chain(s, sizeof s, "http://10.1.2.3:8080", err, sizeof err) > 0);
    CU_ASSERT(contains(s, "chain http://10.1.2.3:8080/boot.ipxe" PXE_MAC_QUERY));
    CU_ASSERT(contains(s, "dhcp"));
}

static void test_script_refuses_injection(void)
{
    char s[2048], err[200];
    struct pxe_boot_params ok = { .http_base = "http://h:1" };
    struct pxe_boot_params bad[] = {
        { .http_base = "http://h:1", .labels = "a=b\nshell" },
        { .http_base = "http://h:1", .labels = "a=${x}" },
        { .http_base = "http://h:1", .token = "t t" },
        { .http_base = "http://h:1", .orch = "nohostport" },
        { .http_base = "http://h:1", .orch = "h:99999" },
        { .http_base = "ftp://h/x" },
        { .http_base = "http://h:1\nboot" },
        { .http_base = NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        CU_ASSERT(pxe_script_node(s, sizeof s, &bad[i], NULL, err, sizeof err) == -1);
        CU_ASSERT(err[0] != 0);
    }
    CU_ASSERT(pxe_script_node(s, sizeof s, &ok, "not-a-mac", err, sizeof err) == -1);
    CU_ASSERT(contains(err, "MAC"));
}

static char *dnsmasq_text(const struct pxe_dnsmasq_opts *o, int *rc)
{
    char *buf = NULL, err[200];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *rc = pxe_dnsmasq_write(f, o, err, sizeof err);
    fclose(f);
    return buf;
}

static void test_dnsmasq_proxy(void)
{
    int rc;
    struct pxe_dnsmasq_opts o = { .interface = "eth1", .range = "192.168.7.0,255.255.255.0",
                                  .script_url = "http://192.168.7.2:8080/boot.ipxe" PXE_MAC_QUERY };
    char *t = dnsmasq_text(&o, &rc);
    CU_ASSERT_FATAL(rc == 0);
    const char *want[] = { "port=0\n", "interface=eth1\n", "dhcp-range=192.168.7.0,proxy,255.255.255.0\n",
        "dhcp-match=set:ipxe,175\n", "dhcp-userclass=set:ipxe,iPXE\n",
        "pxe-service=tag:!ipxe,x86PC,\"Multiplicity: load iPXE\",undionly.kpxe\n",
        "pxe-service=tag:!ipxe,x86-64_EFI,", "pxe-service=tag:ipxe,x86PC,\"Multiplicity node\",http://192.168.7.2:8080/boot.ipxe?mac=${net0/mac:hexhyp}\n",
        "enable-tftp\n", "tftp-root=/usr/lib/ipxe\n" };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (!contains(t, want[i])) fprintf(stderr, "missing: %s", want[i]);
        CU_ASSERT(contains(t, want[i]));
    }
    CU_ASSERT(!contains(t, ",1h"));           /* a proxy hands out no leases */
    /* dnsmasq itself accepts it */
    char dir[64], path[128];
    CU_ASSERT_FATAL(proc_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/pxe.conf", dir);
    FILE *f = fopen(path, "w");
    fputs(t, f);
    fclose(f);
    if (access("/usr/sbin/dnsmasq", X_OK) == 0)
        CU_ASSERT(proc_run("/usr/sbin/dnsmasq --test --conf-file=%s", path) == 0);
    proc_rmdir(dir);
    free(t);
}

static void test_dnsmasq_bad_options(void)
{
    int rc;
    struct pxe_dnsmasq_opts bad[] = {
        { .interface = NULL, .range = "10.0.0.0", .script_url = "http://a/b" },
        { .interface = "eth0 x", .range = "10.0.0.0", .script_url = "http://a/b" },
        { .interface = "eth0", .range = "10.0.0", .script_url = "http://a/b" },
        { .interface = "eth0", .range = NULL, .script_url = "http://a/b" },
        { .interface = "eth0", .range = "10.0.0.0", .script_url = "tftp://a/b" },
        { .interface = "eth0", .range = "10.0.0.0", .script_url = "http://a/b c" },
        { .interface = "eth0", .range = "10.0.0.0", .serve_dhcp = 1, .script_url = "http://a/b" },
        { .interface = "eth0", .range = "10.0.0.0", .script_url = "http://a/b", .tftp_root = "rel/dir" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *t = dnsmasq_text(&bad[i], &rc);
        CU_ASSERT(rc == -1);
        CU_ASSERT(t == NULL || t[0] == 0);    /* nothing half-written */
        free(t);
    }
    struct pxe_dnsmasq_opts own = { .interface = "br0", .range = "10.9.0.10,10.9.0.50", .serve_dhcp = 1,
                                    .script_url = "http://10.9.0.1:80/boot.ipxe" };
    char *t = dnsmasq_text(&own, &rc);
    CU_ASSERT(rc == 0 && contains(t, "dhcp-range=10.9.0.10,10.9.0.50,1h\n") && !contains(t, "proxy"));
    free(t);
}

static void test_sipctl_pxe_cli(void)
{
    /* derives the network and the script URL from the interface (lo: 127.0.0.1/8) */
    char dir[64], path[128];
    CU_ASSERT_FATAL(proc_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/out.conf", dir);
    CU_ASSERT(proc_run(SIPCTL " pxe config --interface lo -o %s", path) == 0);
    char *t = file_read(path);
    CU_ASSERT(contains(t, "dhcp-range=127.0.0.0,proxy,255.0.0.0\n"));
    CU_ASSERT(contains(t, "http://127.0.0.1:8080/boot.ipxe?mac="));
    free(t);
    CU_ASSERT(proc_run(SIPCTL " pxe config") == 2);
    CU_ASSERT(proc_run(SIPCTL " pxe config --interface lo --range nonsense") == 2);
    CU_ASSERT(proc_run(SIPCTL " pxe script --labels 'a b'") == 2);
    CU_ASSERT(proc_run(SIPCTL " pxe frobnicate") == 2);
    CU_ASSERT(proc_run(SIPCTL " pxe serve --listen 127.0.0.1:0 --advertise h --kernel /nonexistent") == 1);
    proc_rmdir(dir);
}

/* ---- the boot routes over HTTP ------------------------------------------------------ */

struct reply { char *body; size_t len; long status; };

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    struct reply *r = arg;
    char *grown = realloc(r->body, r->len + size * n + 1);
    if (!grown) return 0;
    r->body = grown;
    memcpy(r->body + r->len, data, size * n);
    r->len += size * n;
    r->body[r->len] = 0;
    return size * n;
}

static struct reply http(const char *method, uint16_t port, const char *path)
{
    struct reply r = { calloc(1, 1), 0, 0 };
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(c);
    return r;
}

static void test_boot_routes(void)
{
    char dir[64], logpath[128], err[200];
    CU_ASSERT_FATAL(proc_tmpdir(dir, sizeof dir) == 0);
    snprintf(logpath, sizeof logpath, "%s/boot.log", dir);
    FILE *log = fopen(logpath, "w");
    struct pxe_boot_params p = { .orch = "10.0.2.2:7000", .token = "tok", .labels = "zone=b" };
    struct boot_server s;
    int started = boot_server_start(&s, "127.0.0.1", 0, "10.0.2.2", &p, KERNEL, log, err, sizeof err) == 0;
    if (!started) fprintf(stderr, "boot server: %s\n", err);
    CU_ASSERT_FATAL(started);

    struct reply r = http("GET", s.port, "/boot.ipxe?mac=52-54-00-00-00-2a");
    CU_ASSERT(r.status == 200);
    char want[160];
    snprintf(want, sizeof want, "kernel http://10.0.2.2:%u${kernel} mac=52:54:00:00:00:2a orch=10.0.2.2:7000 token=tok labels=zone=b",
             (unsigned)s.port);
    CU_ASSERT(contains(r.body, want));
    free(r.body);

    r = http("GET", s.port, "/boot.ipxe?mac=52-54-00-00-00-2a%0Aboot");
    CU_ASSERT(r.status == 400 && contains(r.body, "not a MAC"));
    free(r.body);
    r = http("GET", s.port, "/chain.ipxe");
    CU_ASSERT(r.status == 200 && contains(r.body, "chain http://10.0.2.2:"));
    free(r.body);
    struct stat st;
    stat(KERNEL, &st);
    r = http("GET", s.port, "/kernel/multiplicity.elf");
    CU_ASSERT(r.status == 200 && r.len == (size_t)st.st_size);
    free(r.body);
    /* the EFI image beside the kernel, or a clear 404 without it */
    int have_efi = stat(EFI_KERNEL, &st) == 0;
    r = http("GET", s.port, "/kernel/multiplicity.efi");
    CU_ASSERT(have_efi ? r.status == 200 && r.len == (size_t)st.st_size
                       : r.status == 404 && contains(r.body, "EFI kernel image"));
    free(r.body);
    r = http("POST", s.port, "/boot.ipxe");
    CU_ASSERT(r.status == 405);
    free(r.body);
    r = http("GET", s.port, "/../etc/passwd");
    CU_ASSERT(r.status == 404 || r.status == 400);
    free(r.body);
    boot_server_stop(&s);
    fclose(log);

    char *l = file_read(logpath);
    CU_ASSERT(contains(l, " 127.0.0.1 script 52:54:00:00:00:2a 200\n"));
    CU_ASSERT(contains(l, " 127.0.0.1 kernel - 200\n"));
    CU_ASSERT(contains(l, " bad - 400\n"));
    free(l);
    proc_rmdir(dir);
}

/* ---- QEMU, user-mode networking ----------------------------------------------------- */

#define ORCHD  "build/bin/orchd"
#define TICKER_APP "orchestrator/examples/tick.yaml"
#define TICKER_WASM "build/sips/tests/orchestrator/sips/ticker.wasm"

/* A TCP port free right now on 127.0.0.1. */
static unsigned free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    unsigned port = 0;
    if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) && !getsockname(fd, (struct sockaddr *)&a, &len))
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

/* The kernel registers with orchd if it carries orch_agent's message. */
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
    return found && access(ORCHD, X_OK) == 0 && access(SIPCTL, X_OK) == 0 && access(TICKER_WASM, R_OK) == 0;
}

/* Polls `sipctl CMD` until its output holds want (or timeout_s); 1 if it did. */
static int sipctl_until(unsigned http, const char *dir, const char *cmd, const char *want, int timeout_s)
{
    char out[160];
    snprintf(out, sizeof out, "%s/sipctl.out", dir);
    for (int i = 0; i < timeout_s * 2; i++) {
        proc_run(SIPCTL " -s http://127.0.0.1:%u %s >%s 2>&1", http, cmd, out);
        char *t = file_read(out);
        int found = strstr(t, want) != NULL;
        free(t);
        if (found) return 1;
        usleep(500000);
    }
    return 0;
}

/* A VM that network-boots with the iPXE ROM of its NIC: "e1000", or "virtio" (a virtio
 * 1.0 only device, 1af4:1041, the id Debian's virtio ROM carries). */
static pid_t qemu_netboot(const char *netns, const char *nic, const char *netdev, const char *mac,
                          const char *serial)
{
    char dev[200], ser[200];
    if (!strcmp(nic, "virtio"))
        snprintf(dev, sizeof dev, "virtio-net-pci,disable-legacy=on,disable-modern=off,netdev=n0,mac=%s,"
                 "romfile=" VIRTIO_ROM, mac);
    else
        snprintf(dev, sizeof dev, "e1000,netdev=n0,mac=%s,romfile=" E1000_ROM, mac);
    snprintf(ser, sizeof ser, "file:%s", serial);
    char *argv[] = { "qemu-system-x86_64", "-accel", (char *)qemu_accel(), "-m", "128M",
                     "-display", "none", "-monitor", "none", "-no-reboot", "-boot", "n",
                     "-netdev", (char *)netdev, "-device", dev, "-serial", ser, NULL };
    return proc_start(netns, argv, NULL);
}

/* One VM with the given NIC and MAC ("52:54:00:00:70:NN") boots from the ROM. */
static void qemu_user_netboot(const char *nic, const char *mac)
{
    char mac_bare[16], node[32];                         /* "525400007001", "metal-525400007001" */
    int m = 0;
    for (const char *p = mac; *p && m < 12; p++) if (*p != ':') mac_bare[m++] = *p;
    mac_bare[m] = 0;
    snprintf(node, sizeof node, "metal-%s", mac_bare);
    char dir[64], path[160], err[200], netdev[300], orch[32];
    CU_ASSERT_FATAL(proc_tmpdir(dir, sizeof dir) == 0);

    /* With a kernel that registers, orchd itself serves the boot (--boot) and the node
     * joins it; otherwise a boot server of our own, and the boot is checked to DHCP. */
    int reg = kernel_can_register();
    unsigned zport = free_port(), http_port = free_port(), boot_port = free_port();
    char boot_log[160], base[64];
    snprintf(boot_log, sizeof boot_log, "%s/boot.log", dir);
    snprintf(base, sizeof base, "http://10.0.2.2:%u", boot_port);
    pid_t orchd = -1;
    struct boot_server s = { 0 };
    FILE *log = NULL;
    if (reg) {
        char db[128], listen[64], http_arg[16], boot_arg[32], out[128];
        snprintf(db, sizeof db, "%s/orchd.db", dir);
        snprintf(listen, sizeof listen, "tcp://127.0.0.1:%u", zport);
        snprintf(http_arg, sizeof http_arg, "%u", http_port);
        snprintf(boot_arg, sizeof boot_arg, "127.0.0.1:%u", boot_port);
        snprintf(out, sizeof out, "%s/orchd.out", dir);
        char *argv[] = { ORCHD, "--db", db, "--listen", listen, "--http", http_arg,
                         "--join-token", "qemu-token", "--boot", boot_arg, "--boot-advertise", "10.0.2.2",
                         "--boot-labels", "role=pxe-test", "--boot-log", boot_log, NULL };
        orchd = proc_start(NULL, argv, out);
        CU_ASSERT_FATAL(orchd > 0);
        snprintf(path, sizeof path, "http://127.0.0.1:%u/boot.ipxe", boot_port);
        int up = 0;
        for (int i = 0; i < 50 && !up; i++, usleep(100000))
            up = proc_run("curl -sf %s", path) == 0;
        CU_ASSERT_FATAL(up);
    } else {
        fprintf(stderr, "pxe: kernel without registration (or orchd/sipctl/ticker missing): boot checked to DHCP only\n");
        snprintf(orch, sizeof orch, "10.0.2.2:%u", zport);
        log = fopen(boot_log, "w");
        struct pxe_boot_params p = { .orch = orch, .token = "qemu-token", .labels = "role=pxe-test" };
        CU_ASSERT_FATAL(boot_server_start(&s, "127.0.0.1", 0, "10.0.2.2", &p, KERNEL, log, err, sizeof err) == 0);
        snprintf(base, sizeof base, "%s", s.routes.params.http_base);
    }

    /* the TFTP root holds only the stage-1 script */
    char tftp[100], script[1024], serial[160];
    snprintf(tftp, sizeof tftp, "%s/tftp", dir);
    mkdir(tftp, 0700);
    CU_ASSERT(pxe_script_chain(script, sizeof script, base, err, sizeof err) > 0);
    snprintf(path, sizeof path, "%s/chain.ipxe", tftp);
    FILE *f = fopen(path, "w");
    fputs(script, f);
    fclose(f);
    snprintf(netdev, sizeof netdev, "user,id=n0,tftp=%s,bootfile=chain.ipxe", tftp);
    snprintf(serial, sizeof serial, "%s/serial.log", dir);
    pid_t vm = qemu_netboot(NULL, nic, netdev, mac, serial);
    CU_ASSERT_FATAL(vm > 0);

    int bound = file_wait_for(serial, "DHCP: bound ", vm, BOOT_LIMIT_S);
    int registered = 0, deployed = 0;
    if (reg && bound) {
        char want[64];
        snprintf(want, sizeof want, "ORCH: registered as %s", node);
        registered = file_wait_for(serial, want, vm, 60);
        /* a SIP placed on the node by the orchestrator runs there and its log comes back */
        if (registered &&
            proc_run(SIPCTL " -s http://127.0.0.1:%u apply -f " TICKER_APP, http_port) == 0)
            deployed = sipctl_until(http_port, dir, "logs tick/ticker", "tick 1", 60) &&
                       sipctl_until(http_port, dir, "get sips", node, 10);
    }
    proc_stop(vm, 500);
    proc_stop(orchd, 2000);
    if (log) { boot_server_stop(&s); fclose(log); }
    char *out = file_read(serial);
    snprintf(path, sizeof path, "%s/boot.log", dir);
    char *l = file_read(path);
    CU_ASSERT(bound);
    CU_ASSERT(contains(out, "Multiplicity metal node kernel booting"));
    CU_ASSERT(contains(out, "option token=qemu-token"));
    CU_ASSERT(contains(out, "label role=pxe-test"));
    CU_ASSERT(contains(out, "DHCP: bound 10.0.2.15"));
    CU_ASSERT(!contains(out, "PANIC"));
    char script_line[64];
    snprintf(script_line, sizeof script_line, " script %s 200\n", mac);
    CU_ASSERT(contains(l, script_line));                          /* the MAC came through */
    CU_ASSERT(contains(out, !strcmp(nic, "virtio") ? "virtio-net: modern" : "e1000: mmio"));
    CU_ASSERT(contains(l, " kernel - 200\n"));
    if (reg) {
        char want[64];
        snprintf(want, sizeof want, "orchestrator host 10.0.2.2 port %u", zport);
        CU_ASSERT(contains(out, want));        /* orchd told the node where to join */
        CU_ASSERT(registered);
        CU_ASSERT(deployed);
        CU_ASSERT(contains(out, "ORCH: SIP tick/ticker/0 running"));
    }
    if (!bound || (reg && !deployed)) fprintf(stderr, "serial:\n%s\nboot log:\n%s\n", out, l);
    free(out);
    free(l);
    proc_rmdir(dir);
}

/* UEFI firmware (OVMF) with the EFI iPXE ROM runs the node script from a boot server:
 * it must fetch the kernel in its EFI stub, which starts it; the kernel then drives the
 * virtio 1.0 NIC (whose BAR OVMF puts above 4 GiB) and gets its DHCP address. */
static void test_qemu_uefi_boot(void)
{
    char dir[64], path[160], script[2048], err[200], netdev[200], serial[160], ser[200], logpath[160];
    CU_ASSERT_FATAL(proc_tmpdir(dir, sizeof dir) == 0);
    snprintf(logpath, sizeof logpath, "%s/boot.log", dir);
    FILE *log = fopen(logpath, "w");
    struct pxe_boot_params p = { .orch = "10.0.2.2:9", .labels = "boot=uefi" };
    struct boot_server bs;
    int started = boot_server_start(&bs, "127.0.0.1", 0, "10.0.2.2", &p, KERNEL, log, err, sizeof err) == 0;
    if (!started) fprintf(stderr, "boot server: %s\n", err);
    CU_ASSERT_FATAL(started);
    CU_ASSERT(pxe_script_node(script, sizeof script, &bs.routes.params, "52:54:00:00:70:0e", err, sizeof err) > 0);
    snprintf(path, sizeof path, "%s/boot.ipxe", dir);
    FILE *f = fopen(path, "w");
    if (f) { fputs(script, f); fclose(f); }
    snprintf(netdev, sizeof netdev, "user,id=n0,tftp=%s,bootfile=boot.ipxe", dir);
    snprintf(serial, sizeof serial, "%s/serial.log", dir);
    snprintf(ser, sizeof ser, "file:%s", serial);
    char *argv[] = { "qemu-system-x86_64", "-accel", (char *)qemu_accel(), "-m", "256M", "-bios", OVMF,
                     "-display", "none", "-monitor", "none", "-no-reboot", "-boot", "n", "-netdev", netdev,
                     "-device", "virtio-net-pci,disable-legacy=on,netdev=n0,mac=52:54:00:00:70:0e,"
                     "romfile=" EFI_VIRTIO_ROM, "-serial", ser, NULL };
    pid_t vm = proc_start(NULL, argv, NULL);
    CU_ASSERT(vm > 0);
    int seen = vm > 0 && file_wait_for(serial, "DHCP: bound 10.0.2.15", vm, BOOT_LIMIT_S);
    proc_stop(vm, 500);
    boot_server_stop(&bs);
    fclose(log);
    char *out = file_read(serial), *l = file_read(logpath);
    CU_ASSERT(seen);
    CU_ASSERT(contains(out, "Multiplicity EFI stub: starting the node kernel"));
    CU_ASSERT(contains(out, "label boot=uefi"));                  /* the command line came through */
    CU_ASSERT(contains(out, "virtio-net: modern"));
    CU_ASSERT(!contains(out, "Exec format error") && !contains(out, "PANIC"));
    CU_ASSERT(contains(l, " kernel - 200\n"));
    if (!seen) fprintf(stderr, "serial:\n%s\nboot log:\n%s\n", out, l);
    free(out);
    free(l);
    proc_rmdir(dir);
}

static void test_qemu_user_netboot_e1000(void)  { qemu_user_netboot("e1000", "52:54:00:00:70:01"); }
static void test_qemu_user_netboot_virtio(void) { qemu_user_netboot("virtio", "52:54:00:00:70:02"); }

/* ---- a lab in network namespaces ---------------------------------------------------- */

static char lab_ns[32], dhcp_ns[40], lab_dir[64];

static void lab_teardown(void)
{
    if (lab_ns[0]) proc_run("ip netns del %s", lab_ns);
    if (dhcp_ns[0]) proc_run("ip netns del %s", dhcp_ns);
    lab_ns[0] = dhcp_ns[0] = 0;
    if (lab_dir[0]) proc_rmdir(lab_dir);
    lab_dir[0] = 0;
}

static int lab_setup(int vms)
{
    snprintf(lab_ns, sizeof lab_ns, "mpxe-%d", (int)getpid());
    snprintf(dhcp_ns, sizeof dhcp_ns, "mpxe-%d-dhcp", (int)getpid());
    proc_on_exit(lab_teardown);
    if (proc_run("ip netns add %s", lab_ns) || proc_run("ip netns add %s", dhcp_ns)) return -1;
    int rc = proc_run("ip -n %s link set lo up", lab_ns)
          || proc_run("ip -n %s link add br0 type bridge", lab_ns)
          || proc_run("ip -n %s addr add 10.77.0.1/24 dev br0", lab_ns)
          || proc_run("ip -n %s link set br0 up", lab_ns)
          || proc_run("ip -n %s link add vd0 type veth peer name vd1 netns %s", lab_ns, dhcp_ns)
          || proc_run("ip -n %s link set vd0 master br0 up", lab_ns)
          || proc_run("ip -n %s addr add 10.77.0.2/24 dev vd1", dhcp_ns)
          /* a private IPv6 prefix whose router advertisements spare iPXE its wait */
          || proc_run("ip netns exec %s sysctl -qw net.ipv6.conf.vd1.accept_dad=0", dhcp_ns)
          || proc_run("ip -n %s addr add fd6d:756c:77::2/64 dev vd1 nodad", dhcp_ns)
          || proc_run("ip -n %s link set vd1 up", dhcp_ns);
    for (int i = 0; i < vms && !rc; i++)
        rc = proc_run("ip -n %s tuntap add dev tap%d mode tap", lab_ns, i)
          || proc_run("ip -n %s link set tap%d master br0 up", lab_ns, i);
    return rc ? -1 : 0;
}

static void test_lab_netns(void)
{
    enum { VMS = 2 };
    char path[200], conf[200], bootlog[200], serial[VMS][200];
    pid_t dhcp = -1, proxy = -1, server = -1, orchd = -1, vm[VMS] = { -1, -1 };
    int reg = kernel_can_register();
    CU_ASSERT_FATAL(proc_tmpdir(lab_dir, sizeof lab_dir) == 0);
    int up = lab_setup(VMS) == 0;
    CU_ASSERT(up);
    if (!up) { lab_teardown(); return; }

    /* the lab's existing DHCP server: addresses only, no boot information; like a lab's
     * IPv6 router it also sends router advertisements (iPXE waits for one otherwise) */
    char range[] = "--dhcp-range=10.77.0.100,10.77.0.150,1h", leases[200], pidf[200], dlog[200];
    char ra_range[] = "--dhcp-range=fd6d:756c:77::,ra-only";
    snprintf(leases, sizeof leases, "--dhcp-leasefile=%s/leases", lab_dir);
    snprintf(pidf, sizeof pidf, "--pid-file=%s/dhcp.pid", lab_dir);
    snprintf(dlog, sizeof dlog, "%s/dhcp.log", lab_dir);
    char *dhcp_argv[] = { "dnsmasq", "--no-daemon", "--port=0", "--interface=vd1", "--bind-interfaces",
                          range, "--enable-ra", ra_range, leases, pidf, NULL };
    dhcp = proc_start(dhcp_ns, dhcp_argv, dlog);

    /* the orchestrator the nodes join */
    if (reg) {
        char db[200], out[200];
        snprintf(db, sizeof db, "%s/orchd.db", lab_dir);
        snprintf(out, sizeof out, "%s/orchd.out", lab_dir);
        char *orchd_argv[] = { ORCHD, "--db", db, "--listen", "tcp://10.77.0.1:7700", "--http", "7780", NULL };
        orchd = proc_start(lab_ns, orchd_argv, out);
    }

    /* the boot server and dnsmasq in proxy-DHCP mode, configured by sipctl */
    snprintf(bootlog, sizeof bootlog, "%s/boot.log", lab_dir);
    snprintf(path, sizeof path, "%s/server.out", lab_dir);
    char *server_argv[] = { SIPCTL, "pxe", "serve", "--listen", "10.77.0.1:8080",
                            "--kernel", KERNEL, "--zmq", "10.77.0.1:7700", "--labels", "lab=netns",
                            "--log", bootlog, NULL };
    server = proc_start(lab_ns, server_argv, path);
    snprintf(conf, sizeof conf, "%s/proxy.conf", lab_dir);
    char plog[200], ppid[200];
    snprintf(plog, sizeof plog, "%s/proxy.log", lab_dir);
    snprintf(ppid, sizeof ppid, "%s/proxy.pid", lab_dir);
    CU_ASSERT(proc_run("ip netns exec %s " SIPCTL " pxe config --interface br0 "
                       "--orch http://10.77.0.1:8080 --log-file %s --pid-file %s -o %s",
                       lab_ns, plog, ppid, conf) == 0);
    char *t = file_read(conf);
    CU_ASSERT(contains(t, "dhcp-range=10.77.0.0,proxy,255.255.255.0"));   /* derived from br0 */
    free(t);
    char conf_arg[220];
    snprintf(conf_arg, sizeof conf_arg, "--conf-file=%s", conf);
    char *proxy_argv[] = { "dnsmasq", "--no-daemon", conf_arg, NULL };
    snprintf(path, sizeof path, "%s/proxy.out", lab_dir);
    proxy = proc_start(lab_ns, proxy_argv, path);
    usleep(500000);
    CU_ASSERT(proc_alive(dhcp) && proc_alive(proxy) && proc_alive(server));
    /* the TFTP side that BIOS PXE ROMs use: undionly.kpxe, byte for byte */
    char kpxe[200];
    snprintf(kpxe, sizeof kpxe, "%s/undionly.kpxe", lab_dir);
    CU_ASSERT(proc_run("ip netns exec %s curl -sf --max-time 20 -o %s tftp://10.77.0.1/undionly.kpxe",
                       lab_ns, kpxe) == 0);
    CU_ASSERT(proc_run("cmp -s %s " PXE_IPXE_DIR "/undionly.kpxe", kpxe) == 0);

    for (int i = 0; i < VMS; i++) {
        char netdev[100], mac[20];
        snprintf(netdev, sizeof netdev, "tap,id=n0,ifname=tap%d,script=no,downscript=no", i);
        snprintf(mac, sizeof mac, "52:54:00:77:00:%02x", i + 1);
        snprintf(serial[i], sizeof serial[i], "%s/vm%d.log", lab_dir, i);
        vm[i] = qemu_netboot(lab_ns, i % 2 ? "virtio" : "e1000", netdev, mac, serial[i]);   /* one of each */
        CU_ASSERT(vm[i] > 0);
    }
    int bound[VMS], registered[VMS] = { 0 };
    for (int i = 0; i < VMS; i++) bound[i] = file_wait_for(serial[i], "DHCP: bound 10.77.0.1", vm[i], BOOT_LIMIT_S);
    for (int i = 0; i < VMS && reg; i++) registered[i] = file_wait_for(serial[i], "ORCH: registered as", vm[i], 60);
    for (int i = 0; i < VMS; i++) proc_stop(vm[i], 500);
    proc_stop(orchd, 2000);
    proc_stop(proxy, 2000);
    proc_stop(dhcp, 2000);
    proc_stop(server, 2000);

    char *l = file_read(bootlog), *pl = file_read(plog);
    for (int i = 0; i < VMS; i++) {
        char *out = file_read(serial[i]), want[64];
        CU_ASSERT(bound[i]);
        CU_ASSERT(contains(out, "Multiplicity metal node kernel booting"));
        CU_ASSERT(contains(out, "label lab=netns"));
        CU_ASSERT(contains(out, "orchestrator host 10.77.0.1 port 7700"));
        if (reg) CU_ASSERT(registered[i]);
        CU_ASSERT(!contains(out, "PANIC"));
        snprintf(want, sizeof want, " script 52:54:00:77:00:%02x 200\n", i + 1);
        CU_ASSERT(contains(l, want));
        if (!bound[i]) fprintf(stderr, "vm%d serial:\n%s\n", i, out);
        free(out);
    }
    CU_ASSERT(contains(pl, "user class: iPXE"));      /* the proxy answered iPXE, */
    CU_ASSERT(contains(pl, "proxy"));                 /* as a proxy */
    free(l);
    free(pl);
    lab_teardown();
    /* nothing left behind */
    CU_ASSERT(proc_run("ip netns list | grep -q mpxe-%d", (int)getpid()) != 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    proc_on_exit(NULL);
    CU_pSuite s = CU_add_suite("pxe scripts", NULL, NULL);
    CU_add_test(s, "MAC address forms", test_mac_forms);
    CU_add_test(s, "node and chain scripts", test_node_script);
    CU_add_test(s, "scripts refuse injected commands", test_script_refuses_injection);
    CU_add_test(s, "dnsmasq proxy-DHCP configuration", test_dnsmasq_proxy);
    CU_add_test(s, "dnsmasq configuration refuses bad options", test_dnsmasq_bad_options);
    CU_add_test(s, "sipctl pxe command line", test_sipctl_pxe_cli);
    s = CU_add_suite("boot routes", NULL, NULL);
    CU_add_test(s, "script, chain, kernel, errors, access log", test_boot_routes);
    const char *only = getenv("MULT_PXE_ONLY");         /* "unit" skips the VMs */
    int have_qemu = access(KERNEL, R_OK) == 0 && access(E1000_ROM, R_OK) == 0 &&
                    !(only && !strcmp(only, "unit"));
    if (have_qemu) {
        s = CU_add_suite("qemu network boot", NULL, NULL);
        CU_add_test(s, "e1000 iPXE ROM: TFTP stage 1, script and kernel over HTTP from orchd, DHCP, registration, a SIP deployed", test_qemu_user_netboot_e1000);
        if (access(VIRTIO_ROM, R_OK) == 0)
            CU_add_test(s, "virtio-net 1.0 iPXE ROM: the same boot, the kernel's modern virtio driver", test_qemu_user_netboot_virtio);
        if (access(OVMF, R_OK) == 0 && access(EFI_VIRTIO_ROM, R_OK) == 0 && access(EFI_KERNEL, R_OK) == 0)
            CU_add_test(s, "UEFI (OVMF) iPXE: the kernel in its EFI stub, virtio 1.0 above 4 GiB, DHCP", test_qemu_uefi_boot);
        if (geteuid() == 0 && access("/usr/sbin/dnsmasq", X_OK) == 0) {
            s = CU_add_suite("lab in network namespaces", NULL, NULL);
            CU_add_test(s, "proxy-DHCP beside an existing DHCP server, two VMs boot and register", test_lab_netns);
        } else {
            fprintf(stderr, "pxe: lab test needs root and dnsmasq: not run\n");
        }
    } else {
        fprintf(stderr, "pxe: kernel image or %s missing: QEMU tests not run\n", E1000_ROM);
    }
    int rc = cunit_run_all("build/tests/pxe/test_pxe_boot");
    curl_global_cleanup();
    return rc;
}
