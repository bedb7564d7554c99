/* A stable fingerprint of a contract's definition (64-bit FNV-1a over a canonical
 * encoding), so two nodes can check that they speak the same contract. */
#include "contracts/internal.h"

typedef struct { uint64_t h; } fnv;

static void mix_byte(fnv *f, uint8_t b)
{
    f->h ^= b;
    f->h *= 0x100000001b3ULL;
}

static void mix_u32(fnv *f, uint32_t v)
{
    for (int i = 0; i < 4; i++) mix_byte(f, (uint8_t)(v >> (8 * i)));
}

/* strings are terminated by their NUL so that ("ab","c") and ("a","bc") differ */
static void mix_str(fnv *f, const char *s)
{
    if (s) while (*s) mix_byte(f, (uint8_t)*s++);
    mix_byte(f, 0);
}

uint64_t contract_fingerprint(const contract *c)
{
    if (!c) return 0;
    fnv f = { 0xcbf29ce484222325ULL };
    mix_str(&f, "multiplicity-contract-v1");
    mix_str(&f, c->name);
    mix_u32(&f, c->nmessages);
    for (uint32_t t = 0; t < c->nmessages; t++) {
        const contract_message *m = &c->messages[t];
        mix_str(&f, m->name);
        mix_byte(&f, (uint8_t)m->dir);
        mix_u32(&f, m->nargs);
        for (uint32_t i = 0; i < m->nargs; i++) {
            mix_byte(&f, (uint8_t)m->args[i].kind);
            mix_str(&f, m->args[i].name);
            mix_str(&f, m->args[i].peer_name);
        }
    }
    mix_u32(&f, c->nstates);
    mix_u32(&f, c->initial);
    for (uint32_t s = 0; s < c->nstates; s++) {
        const contract_state *st = &c->states[s];
        mix_str(&f, st->name);
        mix_byte(&f, st->final);
        mix_u32(&f, st->ntransitions);
        for (uint32_t i = 0; i < st->ntransitions; i++) {
            mix_u32(&f, st->transitions[i].tag);
            mix_u32(&f, st->transitions[i].to);
        }
    }
    return f.h ? f.h : 1;
}
