/* sipctl_pxe.c: the `sipctl pxe` subcommands (see sipctl_pxe.h). */
#include <arpa/inet.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "orchestrator/boot_server.h"
#include "orchestrator/sipctl_pxe.h"
#include "pxe/dnsmasq_conf.h"

#define DEFAULT_HTTP_PORT 8080
#define DEFAULT_KERNEL "build/bin/multiplicity-metal.elf"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: sipctl pxe config --interface IF [--orch URL] [--range NET[,MASK]]\n"
        "                         [--serve-dhcp --range FIRST,LAST[,MASK]] [--tftp-root DIR]\n"
        "                         [--log-file F] [--pid-file F] [--lease-file F] [-o FILE]\n"
        "       sipctl pxe script [--orch URL] [--mac MAC] [--zmq HOST:PORT] [--token T] [--labels K=V,...]\n"
        "       sipctl pxe chain  --orch URL\n"
        "       sipctl pxe serve  [--listen IP:PORT] [--advertise HOST] [--kernel FILE]\n"
        "                         [--zmq HOST:PORT] [--token T] [--labels K=V,...] [--args \"K=V ...\"]\n"
        "                         [--log FILE] [--port-file FILE]\n"
        "--orch is the orchestrator's HTTP address as nodes reach it (http://HOST:PORT);\n"
        "--zmq is its ZeroMQ node endpoint, given to the node kernel as orch=HOST:PORT.\n");
}

/* The first IPv4 address of an interface, and its network "NET,MASK". */
static int iface_ipv4(const char *ifname, char *ip, size_t iplen, char *net, size_t netlen)
{
    struct ifaddrs *all, *a;
    int found = -1;
    if (getifaddrs(&all)) return -1;
    for (a = all; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || strcmp(a->ifa_name, ifname)) continue;
        struct in_addr addr = ((struct sockaddr_in *)a->ifa_addr)->sin_addr;
        struct in_addr mask = ((struct sockaddr_in *)a->ifa_netmask)->sin_addr;
        struct in_addr netw = { addr.s_addr & mask.s_addr };
        char n[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &addr, ip, (socklen_t)iplen);
        inet_ntop(AF_INET, &netw, n, sizeof n);
        inet_ntop(AF_INET, &mask, m, sizeof m);
        snprintf(net, netlen, "%s,%s", n, m);
        found = 0;
        break;
    }
    freeifaddrs(all);
    return found;
}

/* The URL iPXE is sent to: base + /boot.ipxe?mac=${net0/mac:hexhyp} (iPXE expands
 * settings in a DHCP file name, so the server learns the MAC), unless the base already
 * names a script. */
static void script_url(const char *orch, char *out, size_t len)
{
    size_t n = strlen(orch);
    while (n && orch[n - 1] == '/') n--;
    if (strstr(orch, ".ipxe")) snprintf(out, len, "%s", orch);
    else snprintf(out, len, "%.*s%s", (int)n, orch, PXE_SCRIPT_PATH PXE_MAC_QUERY);
}

enum { O_IFACE = 256, O_ORCH, O_RANGE, O_SERVE_DHCP, O_TFTP, O_LOGF, O_PIDF, O_LEASEF, O_MAC,
       O_ZMQ, O_TOKEN, O_LABELS, O_ARGS, O_LISTEN, O_ADVERTISE, O_KERNEL, O_LOG, O_PORTFILE };

static const struct option options[] = {
    { "interface", required_argument, 0, O_IFACE }, { "orch", required_argument, 0, O_ORCH },
    { "range", required_argument, 0, O_RANGE }, { "serve-dhcp", no_argument, 0, O_SERVE_DHCP },
    { "tftp-root", required_argument, 0, O_TFTP }, { "log-file", required_argument, 0, O_LOGF },
    { "pid-file", required_argument, 0, O_PIDF }, { "lease-file", required_argument, 0, O_LEASEF },
    { "mac", required_argument, 0, O_MAC }, { "zmq", required_argument, 0, O_ZMQ },
    { "token", required_argument, 0, O_TOKEN }, { "labels", required_argument, 0, O_LABELS },
    { "args", required_argument, 0, O_ARGS }, { "listen", required_argument, 0, O_LISTEN },
    { "advertise", required_argument, 0, O_ADVERTISE }, { "kernel", required_argument, 0, O_KERNEL },
    { "log", required_argument, 0, O_LOG }, { "port-file", required_argument, 0, O_PORTFILE },
    { "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
};

struct pxe_args {
    const char *iface, *orch, *range, *tftp, *logf, *pidf, *leasef, *mac, *zmq, *token, *labels,
               *args, *listen, *advertise, *kernel, *log, *port_file, *output;
    int serve_dhcp;
};

static int parse(int argc, char **argv, struct pxe_args *a)
{
    int c;
    memset(a, 0, sizeof *a);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        switch (c) {
        case O_IFACE: a->iface = optarg; break;       case O_ORCH: a->orch = optarg; break;
        case O_RANGE: a->range = optarg; break;       case O_SERVE_DHCP: a->serve_dhcp = 1; break;
        case O_TFTP: a->tftp = optarg; break;         case O_LOGF: a->logf = optarg; break;
        case O_PIDF: a->pidf = optarg; break;         case O_LEASEF: a->leasef = optarg; break;
        case O_MAC: a->mac = optarg; break;           case O_ZMQ: a->zmq = optarg; break;
        case O_TOKEN: a->token = optarg; break;       case O_LABELS: a->labels = optarg; break;
        case O_ARGS: a->args = optarg; break;         case O_LISTEN: a->listen = optarg; break;
        case O_ADVERTISE: a->advertise = optarg; break; case O_KERNEL: a->kernel = optarg; break;
        case O_LOG: a->log = optarg; break;           case O_PORTFILE: a->port_file = optarg; break;
        case 'o': a->output = optarg; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sipctl pxe: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

static int cmd_config(struct pxe_args *a)
{
    char ip[INET_ADDRSTRLEN] = "", net[64] = "", url[512], err[256];
    if (!a->iface) { fprintf(stderr, "sipctl pxe config: --interface is required\n"); return 2; }
    int have_ip = iface_ipv4(a->iface, ip, sizeof ip, net, sizeof net) == 0;
    if (!a->orch && !have_ip) {
        fprintf(stderr, "sipctl pxe config: %s has no IPv4 address; give --orch http://HOST:PORT\n", a->iface);
        return 2;
    }
    if (!a->range && !a->serve_dhcp) {
        if (!have_ip) {
            fprintf(stderr, "sipctl pxe config: %s has no IPv4 address; give --range NETWORK[,MASK]\n", a->iface);
            return 2;
        }
        a->range = net;
    }
    if (a->orch) script_url(a->orch, url, sizeof url);
    else snprintf(url, sizeof url, "http://%s:%d%s", ip, DEFAULT_HTTP_PORT, PXE_SCRIPT_PATH PXE_MAC_QUERY);
    struct pxe_dnsmasq_opts o = { .interface = a->iface, .script_url = url, .range = a->range,
                                  .serve_dhcp = a->serve_dhcp, .tftp_root = a->tftp,
                                  .log_file = a->logf, .pid_file = a->pidf, .lease_file = a->leasef };
    if (pxe_dnsmasq_check(&o, err, sizeof err)) {
        fprintf(stderr, "sipctl pxe config: %s\n", err);
        return 2;
    }
    FILE *out = a->output ? fopen(a->output, "w") : stdout;
    if (!out) { perror(a->output); return 1; }
    int rc = pxe_dnsmasq_write(out, &o, err, sizeof err);
    if (a->output && fclose(out)) rc = -1;
    if (rc) { fprintf(stderr, "sipctl pxe config: %s\n", err[0] ? err : "write failed"); return 1; }
    return 0;
}

static int cmd_script(struct pxe_args *a, int chain)
{
    char script[2048], err[256];
    const char *base = a->orch ? a->orch : "http://10.0.2.2:8080";
    struct pxe_boot_params p = { .http_base = base, .orch = a->zmq, .token = a->token,
                                 .labels = a->labels, .extra = a->args };
    int n = chain ? pxe_script_chain(script, sizeof script, base, err, sizeof err)
                  : pxe_script_node(script, sizeof script, &p, a->mac, err, sizeof err);
    if (n < 0) { fprintf(stderr, "sipctl pxe %s: %s\n", chain ? "chain" : "script", err); return 2; }
    fputs(script, stdout);
    return 0;
}

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static int cmd_serve(struct pxe_args *a)
{
    char ip[64] = "0.0.0.0", err[256];
    unsigned port = DEFAULT_HTTP_PORT;
    if (a->listen) {
        const char *colon = strrchr(a->listen, ':');
        char *end;
        if (!colon || (size_t)(colon - a->listen) >= sizeof ip) {
            fprintf(stderr, "sipctl pxe serve: --listen wants IP:PORT\n");
            return 2;
        }
        memcpy(ip, a->listen, (size_t)(colon - a->listen));
        ip[colon - a->listen] = 0;
        port = (unsigned)strtoul(colon + 1, &end, 10);
        if (*end || !colon[1] || port > 65535) {
            fprintf(stderr, "sipctl pxe serve: bad port in --listen %s\n", a->listen);
            return 2;
        }
    }
    if (!a->orch && !a->advertise && !strcmp(ip, "0.0.0.0")) {
        fprintf(stderr, "sipctl pxe serve: listening on 0.0.0.0: give --advertise HOST or --orch URL "
                        "(the address nodes use)\n");
        return 2;
    }
    FILE *log = NULL;
    if (a->log && !(log = fopen(a->log, "a"))) { perror(a->log); return 1; }
    struct pxe_boot_params p = { .http_base = a->orch, .orch = a->zmq, .token = a->token,
                                 .labels = a->labels, .extra = a->args };
    struct boot_server s;
    if (boot_server_start(&s, ip, (uint16_t)port, a->advertise, &p,
                          a->kernel ? a->kernel : DEFAULT_KERNEL, log, err, sizeof err)) {
        fprintf(stderr, "sipctl pxe serve: %s\n", err);
        if (log) fclose(log);
        return 1;
    }
    if (a->port_file) {
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s.tmp", a->port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%u\n", (unsigned)s.port) < 0 || fclose(f) || rename(tmp, a->port_file)) {
            perror(a->port_file);
            boot_server_stop(&s);
            return 1;
        }
    }
    fprintf(stderr, "sipctl pxe serve: listening on %s:%u, nodes boot from %s%s\n", ip,
            (unsigned)s.port, s.routes.params.http_base, PXE_SCRIPT_PATH);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    while (!stopping) pause();
    boot_server_stop(&s);
    if (log) fclose(log);
    return 0;
}

int sipctl_pxe(int argc, char **argv)
{
    struct pxe_args a;
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (parse(argc - 1, argv + 1, &a)) return 2;
    if (!strcmp(sub, "config")) return cmd_config(&a);
    if (!strcmp(sub, "script")) return cmd_script(&a, 0);
    if (!strcmp(sub, "chain")) return cmd_script(&a, 1);
    if (!strcmp(sub, "serve")) return cmd_serve(&a);
    fprintf(stderr, "sipctl pxe: unknown subcommand '%s'\n", sub);
    usage(stderr);
    return 2;
}
