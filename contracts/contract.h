/* Channel contracts: parse the contract language into tables, check them for
 * well-formedness, and check channel traffic against them at run time.
 *
 * This is the interface the node kernel uses on every send and receive. The library is
 * freestanding (it needs only sips/engine/rt.h), so it links into the hosted node and the
 * bare-metal kernel alike. See docs/contracts.md for the language.
 *
 * Message layout on a channel (fixed; the kernel and netchan rely on it):
 *   a message is (tag, payload, handles).
 *   tag      = index of the message in its contract, in declaration order (0, 1, ...).
 *   payload  = every scalar argument packed little-endian, in declaration order, natural
 *              sizes (bool/i8/u8 1 byte, i16/u16 2, i32/u32/f32 4, i64/u64/f64 8), no padding.
 *   handles  = every bytes / imp<C> / exp<C> argument, in declaration order.
 *
 * Run-time state: each endpoint keeps its own uint32_t state, starting at
 * contract->initial, and advances it with contract_step() on each of its own sends and
 * receives. Both sides walk the same state machine, so in a correct exchange they agree.
 *
 * Lifetime: a contract_set owns everything reachable from it (contracts, messages, names);
 * contract_set_free() releases it all. A finished set is immutable and may be shared. */
#ifndef CONTRACTS_CONTRACT_H
#define CONTRACTS_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- sides, directions, argument kinds ------------------------------------------------- */

/* Which end of a channel an endpoint is. */
enum { CONTRACT_IMP = 0, CONTRACT_EXP = 1 };

/* Direction of a message: `in` travels imp -> exp, `out` travels exp -> imp. */
typedef enum { CONTRACT_IN = 0, CONTRACT_OUT = 1 } contract_dir;

typedef enum {
    CONTRACT_I8, CONTRACT_U8, CONTRACT_I16, CONTRACT_U16,
    CONTRACT_I32, CONTRACT_U32, CONTRACT_I64, CONTRACT_U64,
    CONTRACT_F32, CONTRACT_F64, CONTRACT_BOOL,
    CONTRACT_BYTES,               /* handle: an exchange-heap block */
    CONTRACT_IMP_EP,              /* handle: the imp endpoint of a channel of contract `peer` */
    CONTRACT_EXP_EP,              /* handle: the exp endpoint of a channel of contract `peer` */
} contract_kind;

/* true for the kinds that travel as handles rather than in the payload */
static inline bool contract_kind_is_handle(contract_kind k) { return k >= CONTRACT_BYTES; }

/* ---- the tables ------------------------------------------------------------------------ */

struct contract;

typedef struct contract_arg {
    const char *name;
    contract_kind kind;
    uint32_t size;                /* bytes in the payload (scalars); 0 for handles */
    uint32_t index;               /* payload offset (scalars) or handle slot (handles) */
    const char *peer_name;        /* endpoint kinds: the contract named in imp<>/exp<> */
    const struct contract *peer;  /* endpoint kinds: that contract, resolved in the set */
    uint32_t line;                /* where it is declared */
} contract_arg;

typedef struct contract_message {
    const char *name;
    uint32_t tag;                 /* == its index in contract->messages */
    contract_dir dir;
    uint32_t nargs;
    const contract_arg *args;
    uint32_t payload_size;        /* sum of scalar sizes */
    uint32_t nhandles;            /* number of handle arguments */
    const uint32_t *handle_arg;   /* handle slot -> index into args */
    uint32_t line;                /* where it is declared */
} contract_message;

typedef struct contract_transition {
    uint32_t tag;                 /* message */
    uint32_t to;                  /* target state index */
    uint32_t line;
} contract_transition;

typedef struct contract_state {
    const char *name;
    bool final;                   /* declared `final state`: no transitions out */
    uint32_t ntransitions;
    const contract_transition *transitions;
    uint32_t line;
} contract_state;

typedef struct contract {
    const char *name;
    const char *file;             /* source file name given to the parser */
    uint32_t line;
    uint32_t nmessages;
    const contract_message *messages;   /* indexed by tag */
    uint32_t nstates;
    const contract_state *states;
    uint32_t initial;             /* index of the initial state (the first declared: 0) */
    uint64_t fingerprint;         /* see contract_fingerprint() */
} contract;

typedef struct contract_set contract_set;

/* ---- errors ---------------------------------------------------------------------------- */

/* A parse or well-formedness error: the first one found. `text` is "file:line: reason". */
typedef struct contract_error {
    uint32_t line;                /* 0 if not tied to a line (e.g. out of memory) */
    char text[256];
} contract_error;

/* Return codes of the run-time checks (0 = allowed). */
enum {
    CONTRACT_OK = 0,
    CONTRACT_E_ARG = -1,          /* NULL contract/state, bad side, state out of range */
    CONTRACT_E_TAG = -2,          /* no message with that tag */
    CONTRACT_E_DIRECTION = -3,    /* this side may never send (or receive) that message */
    CONTRACT_E_STATE = -4,        /* the message is not allowed in the current state */
    CONTRACT_E_FINAL = -5,        /* the current state is final: nothing more may happen */
    CONTRACT_E_PAYLOAD = -6,      /* payload length differs from the message's payload_size */
    CONTRACT_E_NHANDLES = -7,     /* handle count differs from the message's nhandles */
    CONTRACT_E_HANDLE_KIND = -8,  /* a handle is of the wrong kind (block vs imp vs exp) */
    CONTRACT_E_HANDLE_CONTRACT = -9, /* an endpoint handle has the wrong contract */
    CONTRACT_E_NOMEM = -10,
    CONTRACT_E_SYNTAX = -11,      /* parse / well-formedness failure (see contract_error) */
};

/* A short static description of a return code, e.g. "message not allowed in this state". */
const char *contract_strerror(int code);

/* ---- parsing --------------------------------------------------------------------------- */

/* One call: parse `len` bytes of `src` (need not be NUL-terminated) as a complete set,
 * check it, and return it in *out. On failure returns CONTRACT_E_SYNTAX or
 * CONTRACT_E_NOMEM, fills *err (if not NULL) and sets *out = NULL. */
int contract_parse(const char *src, size_t len, const char *file,
                   contract_set **out, contract_error *err);

/* Several files forming one set (endpoint arguments may name contracts of any file):
 * contract_set_new(), contract_set_add() each file, then contract_set_finish(), which
 * resolves names and checks well-formedness. Only a finished set may be used for lookups
 * and checks. On error the set must still be freed with contract_set_free(). */
contract_set *contract_set_new(void);
int  contract_set_add(contract_set *s, const char *src, size_t len, const char *file,
                      contract_error *err);
int  contract_set_finish(contract_set *s, contract_error *err);
void contract_set_free(contract_set *s);

/* ---- lookups --------------------------------------------------------------------------- */

uint32_t contract_set_count(const contract_set *s);
const contract *contract_set_at(const contract_set *s, uint32_t i);    /* NULL if out of range */
const contract *contract_find(const contract_set *s, const char *name); /* NULL if absent */
/* the contract with this fingerprint (e.g. named by another node), or NULL */
const contract *contract_find_fingerprint(const contract_set *s, uint64_t fingerprint);

const contract_message *contract_message_by_tag(const contract *c, uint32_t tag);
const contract_message *contract_message_by_name(const contract *c, const char *name);
/* state index by name, or -1 */
int contract_state_by_name(const contract *c, const char *name);
/* the argument that fills handle slot `slot` of message `m` (NULL if out of range) */
const contract_arg *contract_handle_arg(const contract_message *m, uint32_t slot);

/* ---- run-time checks ------------------------------------------------------------------- */

/* Check one event on an endpoint: `side` (CONTRACT_IMP / CONTRACT_EXP) sends
 * (`sending`) or receives message `tag` while in *state. If the contract allows it,
 * advance *state and return CONTRACT_OK; otherwise return a CONTRACT_E_* code and leave
 * *state unchanged. */
int contract_step(const contract *c, uint32_t *state, int side, bool sending, uint32_t tag);

/* true if the endpoint in `state` has finished (a final state) */
bool contract_state_is_final(const contract *c, uint32_t state);

/* What the kernel knows about one handle of a message it is about to send or deliver. */
typedef struct contract_handle {
    contract_kind kind;               /* CONTRACT_BYTES, CONTRACT_IMP_EP or CONTRACT_EXP_EP */
    uint64_t fingerprint;             /* endpoints: fingerprint of the endpoint's contract,
                                         0 = do not check the contract */
} contract_handle;

/* Check a message's shape: `tag` exists, `payload_len` equals its payload_size, and the
 * `nhandles` handles have the kinds (and, for endpoints, the contracts) declared. */
int contract_check_message(const contract *c, uint32_t tag, size_t payload_len,
                           const contract_handle *handles, uint32_t nhandles);

/* ---- fingerprint ----------------------------------------------------------------------- */

/* A stable 64-bit hash of a contract's definition: its name, its messages (names,
 * directions, argument names and kinds, endpoint contract names) and its states and
 * transitions, in declaration order. Whitespace, comments, line numbers and file names do
 * not affect it, so two nodes that parsed the same definition get the same value.
 * Never 0. Also stored in contract->fingerprint. Tags and state indices are fixed by the
 * fingerprint too, so an endpoint's (fingerprint, state) pair means the same thing on
 * every node: that is what migration and netchan send. */
uint64_t contract_fingerprint(const contract *c);

#endif
