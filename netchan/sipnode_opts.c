/* sipnode's netchan options and glue (see sipnode_opts.h). */
#include "netchan/sipnode_opts.h"
#include "netchan/netchan.h"
#include "node-kernel/core/proc.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wire_opt { char *contract, *sip, *name, *peer; unsigned long long chan; int side; } wire_opt;

static bool enabled;
static nc_options opts;
static char *peers[64];
static uint32_t npeers;
static wire_opt wires[64];
static uint32_t nwires;
static nc_node *node;

static void die(const char *what, const char *val)
{
    fprintf(stderr, "sipnode: %s: '%s'\n", what, val);
    exit(2);
}

static uint32_t number(const char *opt, const char *v)
{
    char *end;
    unsigned long x = strtoul(v, &end, 10);
    if (!*v || *end || x > 3600000)
        die(opt, v);
    return (uint32_t)x;
}

/* CONTRACT:CHAN:SIDE:SIP.NAME@PEER */
static void parse_wire(const char *v)
{
    if (nwires == sizeof wires / sizeof *wires)
        die("too many --wire options", v);
    char *s = strdup(v), *save = s;
    char *contract = strsep(&s, ":"), *chan = strsep(&s, ":"), *side = strsep(&s, ":");
    char *sipname = strsep(&s, "@"), *peer = s;
    char *dot = sipname ? strchr(sipname, '.') : NULL;
    if (!contract || !chan || !side || !sipname || !peer || !dot || !*contract || !*peer || dot == sipname || !dot[1])
        die("--wire wants CONTRACT:CHAN:imp|exp:SIP.NAME@PEER", v);
    *dot = 0;
    wire_opt *w = &wires[nwires++];
    char *end;
    w->chan = strtoull(chan, &end, 0);
    if (!*chan || *end || !w->chan)
        die("--wire: bad channel id", v);
    if (!strcmp(side, "imp"))
        w->side = CONTRACT_IMP;
    else if (!strcmp(side, "exp"))
        w->side = CONTRACT_EXP;
    else
        die("--wire: side must be imp or exp", v);
    w->contract = strdup(contract);
    w->sip = strdup(sipname);
    w->name = strdup(dot + 1);
    w->peer = strdup(peer);
    free(save);
}

static void parse_fault(const char *v)
{
    char *s = strdup(v), *save = s, *tok;
    while ((tok = strsep(&s, ","))) {
        if (!strncmp(tok, "drop=", 5))
            opts.fault_drop = number("--nc-fault drop", tok + 5);
        else if (!strncmp(tok, "reset=", 6))
            opts.fault_reset = number("--nc-fault reset", tok + 6);
        else
            die("--nc-fault wants drop=N,reset=M", v);
    }
    free(save);
}

bool sipnode_netchan_option(int argc, char **argv, int *i)
{
    const char *o = argv[*i];
    static const char *const with_value[] = { "--node", "--listen", "--peer", "--wire", "--hb-ms",
                                              "--dead-ms", "--rto-ms", "--nc-fault", NULL };
    if (!strcmp(o, "--nc-check")) {
        opts.check = true;
        enabled = true;
        return true;
    }
    bool known = false;
    for (int j = 0; with_value[j]; j++)
        known |= !strcmp(o, with_value[j]);
    if (!known)
        return false;
    if (*i + 1 >= argc)
        die("option needs a value", o);
    const char *v = argv[++*i];
    enabled = true;
    if (!strcmp(o, "--node"))
        opts.node_id = v;
    else if (!strcmp(o, "--listen"))
        opts.listen = v;
    else if (!strcmp(o, "--peer")) {
        if (!strchr(v, '=') || npeers == sizeof peers / sizeof *peers)
            die("--peer wants ID=ADDRESS", v);
        peers[npeers++] = (char *)v;
    } else if (!strcmp(o, "--wire"))
        parse_wire(v);
    else if (!strcmp(o, "--hb-ms"))
        opts.heartbeat_ms = number(o, v);
    else if (!strcmp(o, "--dead-ms"))
        opts.dead_ms = number(o, v);
    else if (!strcmp(o, "--rto-ms"))
        opts.rto_ms = number(o, v);
    else
        parse_fault(v);
    return true;
}

bool sipnode_netchan_enabled(void)
{
    return enabled;
}

int sipnode_netchan_start(kernel *k, char *err, size_t errlen)
{
    if (!enabled)
        return 0;
    if (!opts.node_id) {
        snprintf(err, errlen, "netchan options need --node ID");
        return -1;
    }
    if (!opts.listen) {
        snprintf(err, errlen, "netchan options need --listen ADDRESS");
        return -1;
    }
    /* frames and blocks come and go by the thousand: keep freed memory in the process
     * instead of returning it to the kernel and faulting it back in */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    node = nc_new(k, &opts, err, errlen);
    if (!node)
        return -1;
    for (uint32_t j = 0; j < npeers; j++) {
        char *eq = strchr(peers[j], '=');
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)(eq - peers[j]), peers[j]);
        if (nc_add_peer(node, id, eq + 1)) {
            snprintf(err, errlen, "--peer %s: bad node id or address", peers[j]);
            return -1;
        }
    }
    for (uint32_t j = 0; j < nwires; j++) {
        wire_opt *w = &wires[j];
        const contract *c = kernel_find_contract(k, w->contract, strlen(w->contract));
        if (!c) {
            snprintf(err, errlen, "--wire: unknown contract '%s' (load it with -c or the manifest)", w->contract);
            return -1;
        }
        sip *s = sip_by_name(k, w->sip);
        if (!s) {
            snprintf(err, errlen, "--wire: no SIP named '%s'", w->sip);
            return -1;
        }
        if (nc_wire(node, s, w->name, c, w->chan, w->side, w->peer, err, errlen))
            return -1;
    }
    return 0;
}

int sipnode_netchan_run(kernel *k)
{
    return nc_run(k, node, opts.dead_ms ? opts.dead_ms + 1000 : 4000);
}

void sipnode_netchan_finish(kernel *k)
{
    if (!node)
        return;
    nc_stats st;
    nc_get_stats(node, &st);
    char why[256] = "ok";
    int bad = kernel_check(k, why, sizeof why);
    fprintf(stderr,
            "netchan[%s]: stats sent=%llu delivered=%llu dup=%llu resent=%llu forwarded=%llu dropped=%llu "
            "faults=%llu blocks_out=%llu blocks_in=%llu eps_out=%llu eps_in=%llu unacked=%llu ends=%u "
            "dead_peers=%u heap_used=%llu live_blocks=%llu invariant=%s\n",
            opts.node_id, (unsigned long long)st.data_sent, (unsigned long long)st.data_delivered,
            (unsigned long long)st.duplicates, (unsigned long long)st.resent,
            (unsigned long long)st.forwarded, (unsigned long long)st.dropped,
            (unsigned long long)st.faults_injected, (unsigned long long)st.blocks_out,
            (unsigned long long)st.blocks_in, (unsigned long long)st.endpoints_out,
            (unsigned long long)st.endpoints_in, (unsigned long long)st.unacked_frames, st.ends,
            st.peers_dead, (unsigned long long)k->heap.used_bytes,
            (unsigned long long)k->heap.live_blocks, bad ? why : "ok");
    nc_free(node);
    node = NULL;
}
