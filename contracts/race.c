/* Race check. Each endpoint tracks its own copy of the contract state from its own sends
 * and receives, so when a state lets BOTH ends send (a `M?` and an `N!` transition), the
 * importer may send M while the exporter sends N: the importer then receives N in the
 * state M led to, and the exporter receives M in the state N led to. That is only safe if
 * both moves exist and meet again:  next(next(S, M), N) == next(next(S, N), M).
 * If this "diamond" holds in every state, any interleaving of the two ends' sends keeps
 * them in agreement (tile the grid of the two send sequences with diamonds), so checking
 * pairs of single messages is enough. */
#include "contracts/internal.h"

typedef struct { uint32_t tag, to; } edge;

typedef struct {
    edge *edges;            /* every state's transitions, sorted by tag within the state */
    uint32_t *first;        /* first[s] .. first[s+1]: the edges of state s */
} lookup;

static int next_state(const lookup *lk, uint32_t state, uint32_t tag)
{
    uint32_t lo = lk->first[state], hi = lk->first[state + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (lk->edges[mid].tag == tag) return (int)lk->edges[mid].to;
        if (lk->edges[mid].tag < tag) lo = mid + 1; else hi = mid;
    }
    return -1;
}

static bool build_lookup(const contract *c, lookup *lk)
{
    uint32_t total = 0;
    for (uint32_t s = 0; s < c->nstates; s++) total += c->states[s].ntransitions;
    lk->edges = rt_malloc(sizeof *lk->edges * (total ? total : 1));
    lk->first = rt_malloc(sizeof *lk->first * (c->nstates + 1));
    if (!lk->edges || !lk->first) return false;
    uint32_t n = 0;
    for (uint32_t s = 0; s < c->nstates; s++) {
        lk->first[s] = n;
        const contract_state *st = &c->states[s];
        for (uint32_t i = 0; i < st->ntransitions; i++) {
            edge e = { st->transitions[i].tag, st->transitions[i].to };
            uint32_t j = n++;                        /* insertion sort: states are small */
            while (j > lk->first[s] && lk->edges[j - 1].tag > e.tag) {
                lk->edges[j] = lk->edges[j - 1];
                j--;
            }
            lk->edges[j] = e;
        }
    }
    lk->first[c->nstates] = n;
    return true;
}

static int check_state(const contract *c, const lookup *lk, uint32_t s, contract_error *err)
{
    const contract_state *st = &c->states[s];
    for (uint32_t i = 0; i < st->ntransitions; i++) {
        const contract_transition *imp_send = &st->transitions[i];
        const contract_message *m = &c->messages[imp_send->tag];
        if (m->dir != CONTRACT_IN) continue;
        for (uint32_t j = 0; j < st->ntransitions; j++) {
            const contract_transition *exp_send = &st->transitions[j];
            const contract_message *n = &c->messages[exp_send->tag];
            if (n->dir != CONTRACT_OUT) continue;
            const char *a = c->states[imp_send->to].name, *b = c->states[exp_send->to].name;
            int x = next_state(lk, imp_send->to, exp_send->tag);
            int y = next_state(lk, exp_send->to, imp_send->tag);
            if (x < 0)
                return contract_fail(err, c->file, st->line,
                                     "race in state '%s': the importer may send '%s' while the "
                                     "exporter sends '%s', but '%s' cannot arrive in '%s'",
                                     st->name, m->name, n->name, n->name, a);
            if (y < 0)
                return contract_fail(err, c->file, st->line,
                                     "race in state '%s': the importer may send '%s' while the "
                                     "exporter sends '%s', but '%s' cannot arrive in '%s'",
                                     st->name, m->name, n->name, m->name, b);
            if (x != y)
                return contract_fail(err, c->file, st->line,
                                     "race in state '%s': if the importer sends '%s' while the "
                                     "exporter sends '%s', the ends disagree ('%s' vs '%s')",
                                     st->name, m->name, n->name, c->states[x].name,
                                     c->states[y].name);
        }
    }
    return 0;
}

int contract_check_races(const contract *c, contract_error *err)
{
    lookup lk = { 0 };
    int r = 0;
    if (!build_lookup(c, &lk)) {
        if (err) { err->line = 0; rt_memcpy(err->text, "out of memory", 14); }
        r = CONTRACT_E_NOMEM;
    }
    for (uint32_t s = 0; s < c->nstates && !r; s++)
        r = check_state(c, &lk, s, err);
    rt_free(lk.edges);
    rt_free(lk.first);
    return r;
}
