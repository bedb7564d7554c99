/* Private to the contracts library: the arena every set allocates from, the parse tree
 * the parser builds (linked lists, turned into the public arrays by contract_set_finish),
 * and a tiny error formatter. Nothing here is part of the kernel-facing API. */
#ifndef CONTRACTS_INTERNAL_H
#define CONTRACTS_INTERNAL_H

#include "contracts/contract.h"
#include "sips/engine/rt.h"

/* Limits that keep hostile input from costing unbounded memory or time per item. */
#define CONTRACT_MAX_NAME     64      /* identifier length */
#define CONTRACT_MAX_ARGS     64      /* arguments per message */
#define CONTRACT_MAX_MESSAGES 1024    /* messages per contract */
#define CONTRACT_MAX_STATES   1024    /* states per contract */
#define CONTRACT_MAX_TRANSITIONS 65536 /* transitions per contract */

/* ---- arena: every allocation of a set, released at once ------------------------------- */
typedef struct arena_chunk arena_chunk;
typedef struct arena { arena_chunk *head; } arena;

void *arena_alloc(arena *a, size_t n);                 /* zeroed; NULL when out of memory */
char *arena_strndup(arena *a, const char *s, size_t n);
void  arena_release(arena *a);

/* ---- parse tree ---------------------------------------------------------------------- */
typedef struct p_arg {
    struct p_arg *next;
    const char *name;
    contract_kind kind;
    const char *peer_name;
    uint32_t line;
} p_arg;

typedef struct p_message {
    struct p_message *next;
    const char *name;
    contract_dir dir;
    p_arg *args;
    uint32_t nargs;
    uint32_t line;
} p_message;

typedef struct p_transition {
    struct p_transition *next;
    const char *message;
    bool exporter_sends;            /* `M!` (true) or `M?` (false) */
    const char *to;
    uint32_t line;
} p_transition;

typedef struct p_state {
    struct p_state *next;
    const char *name;
    const char *chain_from;         /* made for a chain `M? -> N! -> S;`: the state it starts in */
    const char *chain_msg;          /* ... and the message leading into this state */
    bool final;
    p_transition *transitions, *last;
    uint32_t ntransitions;
    uint32_t line;
} p_state;

typedef struct p_contract {
    struct p_contract *next;
    const char *name;
    const char *file;
    uint32_t line;
    p_message *messages;
    uint32_t nmessages;
    p_state *states, **states_tail;
    uint32_t nstates;
    uint32_t ntransitions;
} p_contract;

struct contract_set {
    arena mem;
    p_contract *parsed, **parsed_tail;
    uint32_t nparsed;
    contract *contracts;            /* built by contract_set_finish */
    uint32_t count;
    bool finished, failed;
};

/* parser.c: parse one file, appending its contracts to the set */
int contract_parse_into(contract_set *s, const char *src, size_t len, const char *file,
                        contract_error *err);

/* build.c: turn one parsed contract into its tables, checking well-formedness */
int contract_build(contract_set *s, const p_contract *pc, contract *out, contract_error *err);
/* race.c: check that the two ends cannot disagree when they send at the same time */
int contract_check_races(const contract *c, contract_error *err);
/* build.c: resolve imp<>/exp<> names once every contract of the set is built */
int contract_resolve_peers(contract_set *s, contract *c, contract_error *err);

/* ---- errors -------------------------------------------------------------------------- */
/* Fill *err with "file:line: " followed by fmt, which knows only %s, %u and %c.
 * Returns CONTRACT_E_SYNTAX so callers can `return contract_fail(...)`. */
int contract_fail(contract_error *err, const char *file, uint32_t line, const char *fmt, ...);

/* NUL-terminated string equality */
static inline bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

/* strlen without relying on the platform providing it */
static inline size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

#endif
