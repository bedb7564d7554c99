/* Two network namespaces joined by a veth pair for the link-fault test (see netns.h).
 * Commands run through fork + exec of ip(8) and iptables(8), never a shell. */
#include "tests/netchan/netns.h"
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PAIRS 4
static netns_pair *pairs[MAX_PAIRS];
static int npairs;
static struct sigaction old_act[3];
static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };

/* Run argv quietly (stdout/stderr to /dev/null); its exit status, or -1. */
static int run(const char *first, ...)
{
    const char *argv[24];
    int n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 23; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *devnull = freopen("/dev/null", "w", stdout);
        (void)devnull;
        dup2(1, 2);
        execvp(argv[0], (char **)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void destroy_all(void)
{
    while (npairs)
        netns_pair_destroy(pairs[npairs - 1]);
}

/* Killed (harness timeout, ^C): remove the namespaces, then whatever handler was there
 * before (the sipnode helper's, which kills the nodes and re-raises). */
static void on_signal(int sig)
{
    destroy_all();
    for (int i = 0; i < 3; i++)
        if (sigs[i] == sig) {
            sigaction(sig, &old_act[i], NULL);
            break;
        }
    raise(sig);
}

static void forget(netns_pair *p)
{
    for (int i = 0; i < npairs; i++)
        if (pairs[i] == p) {
            pairs[i] = pairs[--npairs];
            return;
        }
}

int netns_pair_make(netns_pair *p, const char *tag, char *why, int whylen)
{
    static bool hooked;
    memset(p, 0, sizeof *p);
    if (npairs == MAX_PAIRS) {
        snprintf(why, whylen, "too many namespace pairs");
        return -2;
    }
    int pid = (int)getpid();
    for (int i = 0; i < 2; i++) {
        snprintf(p->ns[i], sizeof p->ns[i], "ncf-%s-%d-%c", tag, pid, 'a' + i);
        snprintf(p->dev[i], sizeof p->dev[i], "ncf%d%c", pid % 1000000, 'a' + i);
        snprintf(p->ip[i], sizeof p->ip[i], "10.213.0.%d", i + 1);
    }
    if (!hooked) {
        hooked = true;
        atexit(destroy_all);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        for (int i = 0; i < 3; i++)
            sigaction(sigs[i], &sa, &old_act[i]);
    }
    if (run("ip", "netns", "add", p->ns[0], NULL) != 0) {
        snprintf(why, whylen, "`ip netns add` is not permitted here (needs root / CAP_SYS_ADMIN)");
        return -1;
    }
    p->made = true;
    pairs[npairs++] = p;
    char cidr[2][24];
    for (int i = 0; i < 2; i++)
        snprintf(cidr[i], sizeof cidr[i], "%s/24", p->ip[i]);
    if (run("ip", "netns", "add", p->ns[1], NULL) ||
        run("ip", "link", "add", p->dev[0], "netns", p->ns[0], "type", "veth", "peer", "name",
            p->dev[1], "netns", p->ns[1], NULL) ||
        run("ip", "-n", p->ns[0], "addr", "add", cidr[0], "dev", p->dev[0], NULL) ||
        run("ip", "-n", p->ns[1], "addr", "add", cidr[1], "dev", p->dev[1], NULL) ||
        run("ip", "-n", p->ns[0], "link", "set", p->dev[0], "up", NULL) ||
        run("ip", "-n", p->ns[1], "link", "set", p->dev[1], "up", NULL) ||
        run("ip", "-n", p->ns[0], "link", "set", "lo", "up", NULL) ||
        run("ip", "-n", p->ns[1], "link", "set", "lo", "up", NULL)) {
        snprintf(why, whylen, "could not set up the veth between %s and %s", p->ns[0], p->ns[1]);
        netns_pair_destroy(p);
        return -2;
    }
    return 0;
}

/* iptables rules in namespace i; add (-I) or delete (-D). */
static int rules(netns_pair *p, int i, const char *op)
{
    int r = run("ip", "netns", "exec", p->ns[i], "iptables", "-w", op, "INPUT", "-i", p->dev[i],
                "-j", "DROP", NULL);
    r |= run("ip", "netns", "exec", p->ns[i], "iptables", "-w", op, "OUTPUT", "-o", p->dev[i],
             "-j", "DROP", NULL);
    return r;
}

int netns_pair_block(netns_pair *p, bool on)
{
    if (!p->made || p->blocked == on)
        return 0;
    int r = 0;
    for (int i = 0; i < 2; i++)
        if (rules(p, i, on ? "-I" : "-D")) {
            /* no iptables: take the link itself down (or up again) */
            r |= run("ip", "-n", p->ns[i], "link", "set", p->dev[i], on ? "down" : "up", NULL);
        }
    p->blocked = on;
    return r;
}

void netns_pair_destroy(netns_pair *p)
{
    if (!p->made)
        return;
    p->made = false;
    forget(p);
    /* the rules and the veth live in the namespaces: deleting them removes everything */
    for (int i = 0; i < 2; i++)
        run("ip", "netns", "del", p->ns[i], NULL);
}

const char *netns_addr(const netns_pair *p, int i, int port)
{
    static char buf[4][48];
    static int k;
    char *s = buf[k++ & 3];
    snprintf(s, sizeof buf[0], "tcp://%s:%d", p->ip[i & 1], port);
    return s;
}
