/* The run-time checker the kernel calls on every send and receive: contract_step walks
 * an endpoint's state machine, contract_check_message checks a message's shape. */
#include "contracts/internal.h"

int contract_step(const contract *c, uint32_t *state, int side, bool sending, uint32_t tag)
{
    if (!c || !state || *state >= c->nstates || (side != CONTRACT_IMP && side != CONTRACT_EXP))
        return CONTRACT_E_ARG;
    if (tag >= c->nmessages) return CONTRACT_E_TAG;
    /* an `in` message is sent by imp and received by exp; an `out` message the reverse */
    bool imp_sends = c->messages[tag].dir == CONTRACT_IN;
    bool this_side_sends = (side == CONTRACT_IMP) == imp_sends;
    if (sending != this_side_sends) return CONTRACT_E_DIRECTION;
    const contract_state *st = &c->states[*state];
    if (st->final) return CONTRACT_E_FINAL;
    for (uint32_t i = 0; i < st->ntransitions; i++)
        if (st->transitions[i].tag == tag) {
            *state = st->transitions[i].to;
            return CONTRACT_OK;
        }
    return CONTRACT_E_STATE;
}

bool contract_state_is_final(const contract *c, uint32_t state)
{
    return c && state < c->nstates && c->states[state].final;
}

int contract_check_message(const contract *c, uint32_t tag, size_t payload_len,
                           const contract_handle *handles, uint32_t nhandles)
{
    if (!c || (nhandles && !handles)) return CONTRACT_E_ARG;
    if (tag >= c->nmessages) return CONTRACT_E_TAG;
    const contract_message *m = &c->messages[tag];
    if (payload_len != m->payload_size) return CONTRACT_E_PAYLOAD;
    if (nhandles != m->nhandles) return CONTRACT_E_NHANDLES;
    for (uint32_t i = 0; i < nhandles; i++) {
        const contract_arg *a = &m->args[m->handle_arg[i]];
        if (handles[i].kind != a->kind) return CONTRACT_E_HANDLE_KIND;
        if (a->kind != CONTRACT_BYTES && handles[i].fingerprint && a->peer &&
            handles[i].fingerprint != a->peer->fingerprint)
            return CONTRACT_E_HANDLE_CONTRACT;
    }
    return CONTRACT_OK;
}
