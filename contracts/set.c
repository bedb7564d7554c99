/* Contract sets: creating, filling from source files, finishing (resolution and
 * well-formedness checks), freeing, and looking things up by name. */
#include "contracts/internal.h"

contract_set *contract_set_new(void)
{
    contract_set *s = rt_calloc(sizeof *s);
    if (s) s->parsed_tail = &s->parsed;
    return s;
}

void contract_set_free(contract_set *s)
{
    if (!s) return;
    arena_release(&s->mem);
    rt_free(s);
}

int contract_set_add(contract_set *s, const char *src, size_t len, const char *file,
                     contract_error *err)
{
    if (!s || (!src && len) || s->finished) {
        if (err) { err->line = 0; rt_memcpy(err->text, "bad argument", 13); }
        return CONTRACT_E_ARG;
    }
    int r = contract_parse_into(s, src ? src : "", len, file, err);
    if (r) s->failed = true;
    return r;
}

int contract_set_finish(contract_set *s, contract_error *err)
{
    if (!s || s->finished || s->failed) {
        if (err) { err->line = 0; rt_memcpy(err->text, "bad argument", 13); }
        return CONTRACT_E_ARG;
    }
    s->failed = true;       /* until everything below succeeds */
    for (const p_contract *a = s->parsed; a; a = a->next)
        for (const p_contract *b = s->parsed; b != a; b = b->next)
            if (str_eq(a->name, b->name))
                return contract_fail(err, a->file, a->line,
                                     "duplicate contract '%s' (first declared at %s:%u)",
                                     a->name, b->file, (unsigned)b->line);
    contract *cs = arena_alloc(&s->mem, sizeof *cs * (s->nparsed ? s->nparsed : 1));
    if (!cs) {
        if (err) { err->line = 0; rt_memcpy(err->text, "out of memory", 14); }
        return CONTRACT_E_NOMEM;
    }
    uint32_t i = 0;
    for (const p_contract *pc = s->parsed; pc; pc = pc->next, i++) {
        int r = contract_build(s, pc, &cs[i], err);
        if (r) return r;
    }
    s->contracts = cs;
    s->count = s->nparsed;
    for (i = 0; i < s->count; i++) {
        int r = contract_resolve_peers(s, &cs[i], err);
        if (r) return r;
    }
    s->failed = false;
    s->finished = true;
    return 0;
}

int contract_parse(const char *src, size_t len, const char *file,
                   contract_set **out, contract_error *err)
{
    *out = NULL;
    contract_set *s = contract_set_new();
    if (!s) {
        if (err) { err->line = 0; rt_memcpy(err->text, "out of memory", 14); }
        return CONTRACT_E_NOMEM;
    }
    int r = contract_set_add(s, src, len, file, err);
    if (!r) r = contract_set_finish(s, err);
    if (r) { contract_set_free(s); return r; }
    *out = s;
    return 0;
}

uint32_t contract_set_count(const contract_set *s)
{
    return s ? s->count : 0;
}

const contract *contract_set_at(const contract_set *s, uint32_t i)
{
    return s && i < s->count ? &s->contracts[i] : NULL;
}

const contract *contract_find(const contract_set *s, const char *name)
{
    if (!s || !name) return NULL;
    for (uint32_t i = 0; i < s->count; i++)
        if (str_eq(s->contracts[i].name, name)) return &s->contracts[i];
    return NULL;
}

const contract *contract_find_fingerprint(const contract_set *s, uint64_t fingerprint)
{
    if (!s) return NULL;
    for (uint32_t i = 0; i < s->count; i++)
        if (s->contracts[i].fingerprint == fingerprint) return &s->contracts[i];
    return NULL;
}

const contract_message *contract_message_by_tag(const contract *c, uint32_t tag)
{
    return c && tag < c->nmessages ? &c->messages[tag] : NULL;
}

const contract_message *contract_message_by_name(const contract *c, const char *name)
{
    if (!c || !name) return NULL;
    for (uint32_t i = 0; i < c->nmessages; i++)
        if (str_eq(c->messages[i].name, name)) return &c->messages[i];
    return NULL;
}

int contract_state_by_name(const contract *c, const char *name)
{
    if (!c || !name) return -1;
    for (uint32_t i = 0; i < c->nstates; i++)
        if (str_eq(c->states[i].name, name)) return (int)i;
    return -1;
}

const contract_arg *contract_handle_arg(const contract_message *m, uint32_t slot)
{
    return m && slot < m->nhandles ? &m->args[m->handle_arg[slot]] : NULL;
}
