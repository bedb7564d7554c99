/* Hostile SIP: a storm of `sip` calls with random arguments -- random sizes, offsets,
 * tags, payload lengths and handle lists (blocks and endpoints mixed), and, rarely, a
 * handle of the wrong kind or a number it made up -- seeded by argv[1]. It ends by exiting
 * or by a trap; either way the node and the other SIPs must not notice, and nothing may
 * leak. */
#include <stdio.h>
#include <stdlib.h>
#include "sips/sdk/sip.h"

static unsigned seed;
static unsigned rnd(unsigned n)
{
    seed = seed * 1103515245u + 12345u;
    return n ? (seed >> 8) % n : 0;
}

typedef struct { int32_t h[64]; unsigned n; } handle_list;
static handle_list blocks, eps;

static void keep(handle_list *l, int32_t h)
{
    if (h > 0 && l->n < 64)
        l->h[l->n++] = h;
}

static void forget(int32_t h)
{
    handle_list *ls[2] = { &blocks, &eps };
    for (int k = 0; k < 2; k++)
        for (unsigned i = 0; i < ls[k]->n; i++)
            if (ls[k]->h[i] == h) {
                ls[k]->h[i] = ls[k]->h[--ls[k]->n];
                return;
            }
}

/* Usually one of the list's handles; rarely anything (which traps the SIP). */
static int32_t pick(const handle_list *l)
{
    unsigned r = rnd(1000);
    if (r == 0)
        return (int32_t)rnd(0x30000);                    /* made up */
    if (r == 1 || l->n == 0) {
        const handle_list *other = l == &blocks ? &eps : &blocks;
        return other->n ? other->h[rnd(other->n)] : (int32_t)seed;   /* wrong kind */
    }
    return l->h[rnd(l->n)];
}

int main(int argc, char **argv)
{
    seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
    static char buf[70000];
    unsigned ops = 0;
    int32_t a, b;
    for (int i = 0; i < 4; i++)
        keep(&blocks, sip_block_alloc(100));
    if (sip_chan_create("Echo", &a, &b) == 0) {
        keep(&eps, a);
        keep(&eps, b);
    }
    for (; ops < 5000; ops++) {
        uint32_t tag;
        switch (rnd(10)) {
        case 0:
            keep(&blocks, sip_block_alloc(rnd(3) ? rnd(4096) : rnd(200000)));
            break;
        case 1:
            a = pick(&blocks);
            if (sip_block_free(a) == 0)
                forget(a);
            break;
        case 2:
            sip_block_write(pick(&blocks), rnd(5000), buf, rnd(5000));
            break;
        case 3:
            sip_block_read(pick(&blocks), rnd(5000), buf, rnd(5000));
            break;
        case 4:
            if (sip_chan_create(rnd(2) ? "Echo" : "KeyValue", &a, &b) == 0) {
                keep(&eps, a);
                keep(&eps, b);
            }
            break;
        case 5: {
            int32_t hs[4];
            uint32_t nh = rnd(3);
            for (uint32_t i = 0; i < nh; i++)
                hs[i] = rnd(4) ? pick(&blocks) : pick(&eps);
            /* a random tag and shape: usually a contract violation, so rarer */
            if (rnd(20) == 0 && sip_try_send(pick(&eps), rnd(5), buf, rnd(3) ? 0 : rnd(16), hs, nh) == 0)
                for (uint32_t i = 0; i < nh; i++)
                    forget(hs[i]);
            break;
        }
        case 6: {
            int32_t hs[4] = { 0, 0, 0, 0 };
            if (sip_try_recv(pick(&eps), &tag, buf, rnd(64), hs, 4) >= 0)
                for (int i = 0; i < 4; i++)
                    keep(rnd(2) ? &blocks : &eps, hs[i]);   /* may misfile: wrong kind later */
            break;
        }
        case 7: {
            int32_t set[3] = { pick(&eps), pick(&eps), pick(&eps) };
            sip_try_select(set, 1 + rnd(3));
            break;
        }
        case 8:
            if (rnd(4) == 0) {
                a = pick(&eps);
                if (sip_close(a) == 0)
                    forget(a);
            }
            break;
        default:
            sip_bind_n(buf, rnd(8));
            break;
        }
    }
    printf("chaos %u: survived %u calls\n", seed, ops);
    return 0;
}
