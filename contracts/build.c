/* Turns a parsed contract into the public tables (arrays indexed by tag and state) and
 * checks that it is well-formed: unique names, known messages and states, directions
 * that match `!`/`?`, every state reachable, every message used, a way out of every
 * state that is not final and none out of a final one, and no race between the two
 * ends (race.c). The first problem found is reported as "file:line: reason". */
#include "contracts/internal.h"

static const uint8_t scalar_size[] = {
    [CONTRACT_I8] = 1, [CONTRACT_U8] = 1, [CONTRACT_I16] = 2, [CONTRACT_U16] = 2,
    [CONTRACT_I32] = 4, [CONTRACT_U32] = 4, [CONTRACT_I64] = 8, [CONTRACT_U64] = 8,
    [CONTRACT_F32] = 4, [CONTRACT_F64] = 8, [CONTRACT_BOOL] = 1,
};

static int out_of_memory(contract_error *err)
{
    if (err) { err->line = 0; rt_memcpy(err->text, "out of memory", 14); }
    return CONTRACT_E_NOMEM;
}

static int build_message(contract_set *s, const p_contract *pc, const p_message *pm,
                         uint32_t tag, contract_message *m, contract_error *err)
{
    m->name = pm->name;
    m->tag = tag;
    m->dir = pm->dir;
    m->line = pm->line;
    m->nargs = pm->nargs;
    contract_arg *args = arena_alloc(&s->mem, sizeof *args * (pm->nargs ? pm->nargs : 1));
    uint32_t *handle_arg = arena_alloc(&s->mem, sizeof *handle_arg * (pm->nargs ? pm->nargs : 1));
    if (!args || !handle_arg) return out_of_memory(err);
    uint32_t i = 0;
    for (const p_arg *pa = pm->args; pa; pa = pa->next, i++) {
        for (uint32_t j = 0; j < i; j++)
            if (str_eq(args[j].name, pa->name))
                return contract_fail(err, pc->file, pa->line,
                                     "duplicate argument '%s' in message '%s'", pa->name, pm->name);
        contract_arg *a = &args[i];
        a->name = pa->name;
        a->kind = pa->kind;
        a->peer_name = pa->peer_name;
        a->line = pa->line;
        if (contract_kind_is_handle(pa->kind)) {
            a->index = m->nhandles;
            handle_arg[m->nhandles++] = i;
        } else {
            a->size = scalar_size[pa->kind];
            a->index = m->payload_size;
            m->payload_size += a->size;
        }
    }
    m->args = args;
    m->handle_arg = handle_arg;
    return 0;
}

static int find_message(const contract *c, const char *name)
{
    for (uint32_t i = 0; i < c->nmessages; i++)
        if (str_eq(c->messages[i].name, name)) return (int)i;
    return -1;
}

static int build_transitions(contract_set *s, const p_contract *pc, const p_state *ps,
                             contract *c, contract_state *st, contract_error *err)
{
    contract_transition *ts = arena_alloc(&s->mem, sizeof *ts * (ps->ntransitions ? ps->ntransitions : 1));
    if (!ts) return out_of_memory(err);
    uint32_t i = 0;
    for (const p_transition *pt = ps->transitions; pt; pt = pt->next, i++) {
        int tag = find_message(c, pt->message);
        if (tag < 0)
            return contract_fail(err, pc->file, pt->line, "unknown message '%s' in state '%s'",
                                 pt->message, ps->name);
        const contract_message *m = &c->messages[tag];
        if (m->dir == CONTRACT_IN && pt->exporter_sends)
            return contract_fail(err, pc->file, pt->line,
                                 "direction mismatch: '%s' is an 'in' message (imp -> exp), "
                                 "so the exporter receives it: write '%s?'", m->name, m->name);
        if (m->dir == CONTRACT_OUT && !pt->exporter_sends)
            return contract_fail(err, pc->file, pt->line,
                                 "direction mismatch: '%s' is an 'out' message (exp -> imp), "
                                 "so the exporter sends it: write '%s!'", m->name, m->name);
        int to = contract_state_by_name(c, pt->to);
        if (to < 0)
            return contract_fail(err, pc->file, pt->line, "unknown state '%s'", pt->to);
        for (uint32_t j = 0; j < i; j++)
            if (ts[j].tag == (uint32_t)tag)
                return contract_fail(err, pc->file, pt->line,
                                     "duplicate transition on '%s' in state '%s'", m->name, ps->name);
        ts[i].tag = (uint32_t)tag;
        ts[i].to = (uint32_t)to;
        ts[i].line = pt->line;
    }
    st->transitions = ts;
    st->ntransitions = ps->ntransitions;
    return 0;
}

/* Every state must be reachable from the initial one. */
static int check_reachable(contract_set *s, const contract *c, contract_error *err)
{
    uint32_t *queue = rt_malloc(sizeof *queue * c->nstates);
    bool *seen = rt_calloc(sizeof *seen * c->nstates);
    if (!queue || !seen) { rt_free(queue); rt_free(seen); return out_of_memory(err); }
    uint32_t head = 0, tail = 0;
    queue[tail++] = c->initial;
    seen[c->initial] = true;
    while (head < tail) {
        const contract_state *st = &c->states[queue[head++]];
        for (uint32_t i = 0; i < st->ntransitions; i++) {
            uint32_t to = st->transitions[i].to;
            if (!seen[to]) { seen[to] = true; queue[tail++] = to; }
        }
    }
    int r = 0;
    for (uint32_t i = 0; i < c->nstates && !r; i++)
        if (!seen[i])
            r = contract_fail(err, c->file, c->states[i].line,
                              "state '%s' is unreachable from the initial state '%s'",
                              c->states[i].name, c->states[c->initial].name);
    rt_free(queue);
    rt_free(seen);
    (void)s;
    return r;
}

/* Two states with one name. Chains make states too (X --A--> X_A), so say which. */
static int duplicate_state(const p_contract *pc, const p_state *ps, contract_error *err)
{
    const p_state *first = pc->states;
    while (!str_eq(first->name, ps->name)) first = first->next;
    if (ps->chain_from && first->chain_from)
        return contract_fail(err, pc->file, ps->line,
                             "duplicate transition on '%s' in state '%s' (two chains start alike)",
                             ps->chain_msg, ps->chain_from);
    const p_state *chain = ps->chain_from ? ps : first;
    if (chain->chain_from)
        return contract_fail(err, pc->file, ps->line,
                             "state '%s' clashes with the state the chain through '%s' in '%s' "
                             "makes (line %u); rename it", ps->name, chain->chain_msg,
                             chain->chain_from, (unsigned)chain->line);
    return contract_fail(err, pc->file, ps->line, "duplicate state '%s'", ps->name);
}

int contract_build(contract_set *s, const p_contract *pc, contract *c, contract_error *err)
{
    c->name = pc->name;
    c->file = pc->file;
    c->line = pc->line;
    c->initial = 0;
    if (pc->nstates == 0)
        return contract_fail(err, pc->file, pc->line, "contract '%s' declares no states", pc->name);

    contract_message *msgs = arena_alloc(&s->mem, sizeof *msgs * (pc->nmessages ? pc->nmessages : 1));
    contract_state *states = arena_alloc(&s->mem, sizeof *states * pc->nstates);
    if (!msgs || !states) return out_of_memory(err);
    c->messages = msgs;
    c->states = states;

    uint32_t i = 0;
    for (const p_message *pm = pc->messages; pm; pm = pm->next, i++) {
        if (find_message(c, pm->name) >= 0)
            return contract_fail(err, pc->file, pm->line, "duplicate message '%s'", pm->name);
        int r = build_message(s, pc, pm, i, &msgs[i], err);
        if (r) return r;
        c->nmessages = i + 1;
    }

    i = 0;
    for (const p_state *ps = pc->states; ps; ps = ps->next, i++) {
        if (contract_state_by_name(c, ps->name) >= 0)
            return duplicate_state(pc, ps, err);
        states[i].name = ps->name;
        states[i].final = ps->final;
        states[i].line = ps->line;
        c->nstates = i + 1;
    }

    i = 0;
    for (const p_state *ps = pc->states; ps; ps = ps->next, i++) {
        if (ps->final && ps->transitions)
            return contract_fail(err, pc->file, ps->transitions->line,
                                 "final state '%s' has a transition", ps->name);
        if (!ps->final && !ps->transitions)
            return contract_fail(err, pc->file, ps->line,
                                 "state '%s' has no transitions and is not marked final", ps->name);
        int r = build_transitions(s, pc, ps, c, &states[i], err);
        if (r) return r;
    }

    int r = check_reachable(s, c, err);
    if (r) return r;

    bool *used = rt_calloc(sizeof *used * (c->nmessages ? c->nmessages : 1));
    if (!used) return out_of_memory(err);
    for (uint32_t k = 0; k < c->nstates; k++)
        for (uint32_t j = 0; j < c->states[k].ntransitions; j++)
            used[c->states[k].transitions[j].tag] = true;
    for (uint32_t t = 0; t < c->nmessages && !r; t++)
        if (!used[t])
            r = contract_fail(err, pc->file, msgs[t].line,
                              "message '%s' is never used in any state", msgs[t].name);
    rt_free(used);
    if (r) return r;
    if ((r = contract_check_races(c, err))) return r;
    c->fingerprint = contract_fingerprint(c);
    return 0;
}

int contract_resolve_peers(contract_set *s, contract *c, contract_error *err)
{
    for (uint32_t t = 0; t < c->nmessages; t++) {
        const contract_message *m = &c->messages[t];
        for (uint32_t i = 0; i < m->nargs; i++) {
            contract_arg *a = (contract_arg *)&m->args[i];
            if (!a->peer_name) continue;
            a->peer = contract_find(s, a->peer_name);
            if (!a->peer)
                return contract_fail(err, c->file, a->line,
                                     "unknown contract '%s' in %s<%s> (argument '%s' of '%s')",
                                     a->peer_name, a->kind == CONTRACT_IMP_EP ? "imp" : "exp",
                                     a->peer_name, a->name, m->name);
        }
    }
    return 0;
}
