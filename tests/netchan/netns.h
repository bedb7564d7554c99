/* Test helper: two network namespaces joined by a veth pair, for netchan link faults over
 * real networking. Names carry the test's PID; the addresses exist only inside those
 * namespaces. Faults are iptables DROP rules on the veth (falling back to taking the link
 * down if iptables is unusable). Everything is removed at exit and on SIGTERM/SIGINT/SIGHUP. */
#ifndef TESTS_NETCHAN_NETNS_H
#define TESTS_NETCHAN_NETNS_H

#include <stdbool.h>

typedef struct netns_pair {
    char ns[2][32];               /* namespace names */
    char dev[2][16];              /* veth ends, dev[i] in ns[i] */
    char ip[2][16];               /* dev[i]'s address */
    bool made;
    bool blocked;
} netns_pair;

/* Create both namespaces and the veth; 0 on success, -1 if `ip netns add` is not
 * permitted here (why holds the reason), -2 on any later failure (cleaned up). */
int netns_pair_make(netns_pair *p, const char *tag, char *why, int whylen);
/* Remove the rules, the veth and both namespaces (safe to call twice). */
void netns_pair_destroy(netns_pair *p);
/* Drop (on) or pass again (off) every packet on the link, in both namespaces. */
int netns_pair_block(netns_pair *p, bool on);
/* "tcp://IP:port" of side i */
const char *netns_addr(const netns_pair *p, int i, int port);

#endif
