/* netchan in one process, step by step: two nodes (two kernels) linked over 127.0.0.1,
 * driven by hand through the `sip` system calls of body-less SIPs, so every ownership
 * state can be observed between steps: a block sent to the other node leaves the sender's
 * heap at send time, lives only in the resend buffer until acknowledged, and exists on the
 * receiver after delivery -- never on both, never lost; the invariant holds after every
 * step. Then hostile frames fed to a node: undecodable, unknown channel, wrong contract
 * fingerprint, a message its contract forbids -- each dropped with a logged reason (the
 * last two close the channel, and the local end sees it closed), never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "netchan/netchan.h"
#include "netchan/proto/node.pb-c.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/proc.h"
#include "node-kernel/core/syscall.h"

static contract_set *cset;
static char last_log[512];
static int nlogs;

static void keep_log(void *arg, const char *line)
{
    (void)arg;
    snprintf(last_log, sizeof last_log, "%s", line);
    nlogs++;
}

static int load_contracts(void)
{
    FILE *f = fopen("contracts/lib/echo.contract", "rb");
    if (!f)
        return -1;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    contract_error ce;
    return contract_parse(buf, n, "echo.contract", &cset, &ce);
}

typedef struct side {
    kernel *k;
    nc_node *n;
    sip *s;
    int32_t ep;
} side;

static void make_side(side *x, const char *id, const char *listen, const char *peer, const char *peer_addr,
                      int which)
{
    x->k = kernel_new(0);
    kernel_add_contracts(x->k, cset);
    sip_quota q = { 0 };
    x->s = sip_create(x->k, id, &q);
    nc_options o = { .node_id = id, .listen = listen, .check = true, .log = keep_log,
                     .rto_ms = 100 };
    char err[200];
    x->n = nc_new(x->k, &o, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->n);
    CU_ASSERT_EQUAL(nc_add_peer(x->n, peer, peer_addr), 0);
    CU_ASSERT_EQUAL(nc_wire(x->n, x->s, "ep", kernel_find_contract(x->k, "Echo", 4), 5, which, peer,
                            err, sizeof err), 0);
    x->ep = sys_bind(x->s, "ep", 2);
    CU_ASSERT(x->ep > 0);
}

static void free_side(side *x)
{
    if (x->n)
        nc_free(x->n);
    if (x->k)
        kernel_free(x->k);
}

static bool check(side *x)
{
    char why[256];
    bool ok = kernel_check(x->k, why, sizeof why) == 0;
    if (!ok)
        fprintf(stderr, "invariant: %s\n", why);
    return ok;
}

/* Move frames both ways until cond holds (or ~3 s pass). */
#define PUMP_UNTIL(a, b, cond)                              \
    for (int _i = 0; _i < 300 && !(cond); _i++) {           \
        nc_poll((a)->n, 5);                                 \
        nc_flush((a)->n);                                   \
        nc_poll((b)->n, 5);                                 \
        nc_flush((b)->n);                                   \
    }

static void test_block_ownership_across_nodes(void)
{
    char addr_a[48], addr_b[48];
    int base = 26000 + (getpid() % 3000) * 2;
    snprintf(addr_a, sizeof addr_a, "tcp://127.0.0.1:%d", base);
    snprintf(addr_b, sizeof addr_b, "tcp://127.0.0.1:%d", base + 1);
    side a = { 0 }, b = { 0 };
    make_side(&a, "A", addr_a, "B", addr_b, CONTRACT_IMP);
    make_side(&b, "B", addr_b, "A", addr_a, CONTRACT_EXP);

    /* B (exporter) says Ready; A receives it */
    CU_ASSERT_EQUAL(sys_send(b.s, b.ep, 2, NULL, 0, NULL, 0, false), 0);
    endpoint *a_local = htab_get(&a.s->ht, a.ep, HK_ENDPOINT);
    PUMP_UNTIL(&a, &b, a_local->qlen == 1);
    CU_ASSERT_EQUAL(a_local->qlen, 1);
    uint32_t tag, nh;
    int32_t hs[4];
    CU_ASSERT_EQUAL(sys_recv(a.s, a.ep, &tag, NULL, 0, hs, 4, &nh, false), 0);
    CU_ASSERT_EQUAL(tag, 2);

    /* A sends a 1000-byte block: gone from A's heap at once, held only by the link */
    int32_t blk = sys_block_alloc(a.s, 1000);
    CU_ASSERT(blk > 0);
    CU_ASSERT(sys_block_write(a.s, blk, 0, "ownership", 9) >= 0);
    CU_ASSERT_EQUAL(a.k->heap.used_bytes, 1000);
    CU_ASSERT_EQUAL(sys_send(a.s, a.ep, 0, NULL, 0, &blk, 1, false), 0);
    CU_ASSERT_EQUAL(a.k->heap.used_bytes, 0);
    CU_ASSERT_EQUAL(a.k->heap.live_blocks, 0);
    CU_ASSERT_EQUAL(sys_block_size(a.s, blk), SIP_EBADHANDLE);    /* the SIP lost it */
    nc_stats st;
    nc_get_stats(a.n, &st);
    CU_ASSERT_EQUAL(st.unacked_frames, 1);
    CU_ASSERT_EQUAL(b.k->heap.used_bytes, 0);                       /* not there yet */
    CU_ASSERT(check(&a) && check(&b));

    /* delivered on B: exists there, and A forgets its copy once the ack comes back */
    endpoint *b_local = htab_get(&b.s->ht, b.ep, HK_ENDPOINT);
    PUMP_UNTIL(&a, &b, b_local->qlen == 1 && (nc_get_stats(a.n, &st), st.unacked_frames == 0));
    CU_ASSERT_EQUAL(b_local->qlen, 1);
    CU_ASSERT_EQUAL(b.k->heap.used_bytes, 1000);
    CU_ASSERT_EQUAL(b.k->heap.live_blocks, 1);
    CU_ASSERT_EQUAL(a.k->heap.used_bytes, 0);
    nc_get_stats(a.n, &st);
    CU_ASSERT_EQUAL(st.unacked_frames, 0);
    CU_ASSERT(check(&a) && check(&b));
    CU_ASSERT_EQUAL(sys_recv(b.s, b.ep, &tag, NULL, 0, hs, 4, &nh, false), 0);
    CU_ASSERT_EQUAL(tag, 0);
    CU_ASSERT_EQUAL(nh, 1);
    char got[10] = "";
    CU_ASSERT(sys_block_read(b.s, hs[0], 0, got, 9) >= 0);
    CU_ASSERT_STRING_EQUAL(got, "ownership");

    /* and back (Response): the same bytes return to A; B's heap empties at send */
    CU_ASSERT_EQUAL(sys_send(b.s, b.ep, 1, NULL, 0, hs, 1, false), 0);
    CU_ASSERT_EQUAL(b.k->heap.used_bytes, 0);
    PUMP_UNTIL(&a, &b, a_local->qlen == 1);
    CU_ASSERT_EQUAL(a.k->heap.used_bytes, 1000);
    CU_ASSERT(check(&a) && check(&b));

    /* A closes its end: B sees the channel closed after the close arrives in order */
    CU_ASSERT_EQUAL(sys_close(a.s, a.ep), 0);
    CU_ASSERT_EQUAL(a.k->heap.used_bytes, 0);                       /* queued Response freed */
    PUMP_UNTIL(&a, &b, b_local->peer_closed && nc_quiescent(a.n));
    CU_ASSERT_TRUE(b_local->peer_closed);
    CU_ASSERT_TRUE(nc_quiescent(a.n));
    CU_ASSERT_EQUAL(sys_recv(b.s, b.ep, &tag, NULL, 0, hs, 4, &nh, false), SIP_ECLOSED);
    CU_ASSERT(check(&a) && check(&b));
    free_side(&a);
    free_side(&b);
}

/* ---- hostile frames ---------------------------------------------------------------- */

static void feed_data(nc_node *n, uint64_t chan, int to_side, uint64_t seq, uint64_t fp, uint32_t tag,
                      bool with_block)
{
    Netchan__NodeEnvelope env = NETCHAN__NODE_ENVELOPE__INIT;
    Netchan__ChannelData d = NETCHAN__CHANNEL_DATA__INIT;
    Netchan__EndRef to = NETCHAN__END_REF__INIT;
    Netchan__ChannelMessage cm = NETCHAN__CHANNEL_MESSAGE__INIT;
    Netchan__Block blk = NETCHAN__BLOCK__INIT;
    Netchan__Handle h = NETCHAN__HANDLE__INIT;
    Netchan__Handle *hs[1] = { &h };
    to.channel_id = chan;
    to.side = to_side;
    cm.tag = tag;
    if (with_block) {
        blk.data.data = (uint8_t *)"x";
        blk.data.len = 1;
        h.kind_case = NETCHAN__HANDLE__KIND_BLOCK;
        h.block = &blk;
        cm.n_handles = 1;
        cm.handles = hs;
    }
    d.to = &to;
    d.seq = seq;
    d.contract_fingerprint = fp;
    d.msg = &cm;
    env.from_node = "P";
    env.body_case = NETCHAN__NODE_ENVELOPE__BODY_DATA;
    env.data = &d;
    uint8_t buf[256];
    size_t len = netchan__node_envelope__pack(&env, buf);
    nc_dispatch(n, "P", buf, len);
}

static void test_hostile_frames(void)
{
    kernel *k = kernel_new(0);
    kernel_add_contracts(k, cset);
    sip_quota q = { 0 };
    sip *s = sip_create(k, "s", &q);
    nc_options o = { .node_id = "N", .check = true, .log = keep_log };
    char err[200];
    nc_node *n = nc_new(k, &o, err, sizeof err);
    const contract *echo = kernel_find_contract(k, "Echo", 4);
    CU_ASSERT_EQUAL_FATAL(nc_wire(n, s, "ep", echo, 9, CONTRACT_IMP, "P", err, sizeof err), 0);
    endpoint *local = htab_get(&s->ht, sys_bind(s, "ep", 2), HK_ENDPOINT);
    nc_stats st;

    static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0x01, 0x02 };
    nc_dispatch(n, "P", junk, sizeof junk);
    nc_get_stats(n, &st);
    CU_ASSERT_EQUAL(st.dropped, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "undecodable"));

    feed_data(n, 12345, NETCHAN__SIDE__SIDE_IMP, 1, echo->fingerprint, 2, false);
    nc_get_stats(n, &st);
    CU_ASSERT_EQUAL(st.dropped, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "unknown channel end"));

    /* Request (tag 0) travels imp -> exp: the exporter may not send it to us */
    feed_data(n, 9, NETCHAN__SIDE__SIDE_IMP, 1, echo->fingerprint, 0, true);
    nc_get_stats(n, &st);
    CU_ASSERT_EQUAL(st.dropped, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "contract violation"));
    CU_ASSERT_TRUE(local->peer_closed);                 /* the local end sees it closed */
    CU_ASSERT_EQUAL(local->qlen, 0);
    CU_ASSERT_EQUAL(k->heap.used_bytes, 0);             /* nothing was built from it */
    char why[256];
    CU_ASSERT_EQUAL(kernel_check(k, why, sizeof why), 0);
    nc_free(n);
    kernel_free(k);

    /* a fingerprint mismatch closes the channel too */
    k = kernel_new(0);
    kernel_add_contracts(k, cset);
    s = sip_create(k, "s", &q);
    n = nc_new(k, &o, err, sizeof err);
    CU_ASSERT_EQUAL_FATAL(nc_wire(n, s, "ep", echo = kernel_find_contract(k, "Echo", 4), 9, CONTRACT_IMP,
                                  "P", err, sizeof err), 0);
    local = htab_get(&s->ht, sys_bind(s, "ep", 2), HK_ENDPOINT);
    feed_data(n, 9, NETCHAN__SIDE__SIDE_IMP, 1, echo->fingerprint ^ 1, 2, false);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "fingerprint"));
    CU_ASSERT_TRUE(local->peer_closed);
    /* a correct Ready is delivered on a fresh channel end */
    CU_ASSERT_EQUAL_FATAL(nc_wire(n, s, "ep2", echo, 10, CONTRACT_IMP, "P", err, sizeof err), 0);
    endpoint *l2 = htab_get(&s->ht, sys_bind(s, "ep2", 3), HK_ENDPOINT);
    feed_data(n, 10, NETCHAN__SIDE__SIDE_IMP, 1, echo->fingerprint, 2, false);
    feed_data(n, 10, NETCHAN__SIDE__SIDE_IMP, 1, echo->fingerprint, 2, false);   /* duplicate */
    CU_ASSERT_EQUAL(l2->qlen, 1);
    nc_get_stats(n, &st);
    CU_ASSERT_EQUAL(st.duplicates, 1);
    CU_ASSERT_EQUAL(kernel_check(k, why, sizeof why), 0);
    nc_free(n);
    kernel_free(k);
}

int main(void)
{
    if (load_contracts()) {
        fprintf(stderr, "run from the repository root\n");
        return 1;
    }
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("netchan_ownership", NULL, NULL);
    CU_add_test(s, "a block crosses nodes: one owner at every step", test_block_ownership_across_nodes);
    CU_add_test(s, "hostile frames dropped with a reason", test_hostile_frames);
    int r = cunit_run_all("build/tests/netchan/test_ownership");
    contract_set_free(cset);
    return r;
}
