/* Recursive-descent parser for the contract language. It only builds the parse tree
 * (see internal.h); names are resolved and well-formedness is checked in build.c.
 *
 *   file     := { contract }
 *   contract := "contract" NAME "{" { message | state } "}"
 *   message  := ("in" | "out") "message" NAME "(" [ arg { "," arg } ] ")" ";"
 *   arg      := type NAME
 *   type     := i8 | u8 | i16 | u16 | i32 | u32 | i64 | u64 | f32 | f64 | bool | bytes
 *             | ("imp" | "exp") "<" NAME ">"
 *   state    := [ "final" ] "state" NAME "{" { step { "->" step } "->" NAME ";" } "}"
 *   step     := NAME ("!" | "?")
 *
 * A chain `A? -> B! -> S;` in state X is shorthand for X --A?--> X_A --B!--> S: the parser
 * adds the unnamed intermediate state, named after where it comes from (X_A, X_A_B...).
 */
#include "contracts/lexer.h"

typedef struct {
    lexer lx;
    token tok;                  /* current token */
    contract_set *set;
    contract_error *err;
} parser;

static const char *const keywords[] = {
    "contract", "in", "out", "message", "state", "final", "imp", "exp", "bytes",
    "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f32", "f64", "bool", NULL,
};

/* Names that would break the generated C stubs if used for arguments. */
static const char *const c_reserved[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
    "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
    "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "true", "false",
    "ep", "tag", NULL,
};

static const struct { const char *name; contract_kind kind; } scalar_types[] = {
    { "i8", CONTRACT_I8 }, { "u8", CONTRACT_U8 }, { "i16", CONTRACT_I16 },
    { "u16", CONTRACT_U16 }, { "i32", CONTRACT_I32 }, { "u32", CONTRACT_U32 },
    { "i64", CONTRACT_I64 }, { "u64", CONTRACT_U64 }, { "f32", CONTRACT_F32 },
    { "f64", CONTRACT_F64 }, { "bool", CONTRACT_BOOL }, { "bytes", CONTRACT_BYTES },
};

static bool in_list(const token *t, const char *const *list)
{
    for (; *list; list++)
        if (token_is(t, *list)) return true;
    return false;
}

static void advance(parser *p) { p->tok = lexer_next(&p->lx); }

/* Report "expected X, found Y" at the current token (unless the lexer already failed). */
static int expected(parser *p, const char *what)
{
    if (p->tok.kind == TOK_ERROR) return CONTRACT_E_SYNTAX;
    char found[CONTRACT_MAX_NAME + 8];
    size_t n = 0;
    if (p->tok.kind == TOK_EOF) {
        rt_memcpy(found, "end of file", 12);
    } else if (p->tok.kind == TOK_ARROW) {
        rt_memcpy(found, "'->'", 5);
    } else if (p->tok.kind == TOK_PUNCT) {
        found[n++] = '\''; found[n++] = p->tok.punct; found[n++] = '\''; found[n] = 0;
    } else {
        found[n++] = '\'';
        rt_memcpy(found + n, p->tok.text, p->tok.len);
        n += p->tok.len;
        found[n++] = '\''; found[n] = 0;
    }
    return contract_fail(p->err, p->lx.file, p->tok.line, "expected %s, found %s", what, found);
}

static int nomem(parser *p)
{
    if (p->err) {
        p->err->line = 0;
        rt_memcpy(p->err->text, "out of memory", 14);
    }
    return CONTRACT_E_NOMEM;
}

static bool is_punct(const parser *p, char c) { return p->tok.kind == TOK_PUNCT && p->tok.punct == c; }

static int expect_punct(parser *p, char c, const char *what)
{
    if (!is_punct(p, c)) return expected(p, what);
    advance(p);
    return 0;
}

/* A name that is not a keyword: copied into the arena, stored in *out. */
static int expect_name(parser *p, const char *what, const char **out)
{
    if (p->tok.kind != TOK_IDENT) return expected(p, what);
    if (in_list(&p->tok, keywords)) {
        char kw[CONTRACT_MAX_NAME + 1];
        rt_memcpy(kw, p->tok.text, p->tok.len);
        kw[p->tok.len] = 0;
        return contract_fail(p->err, p->lx.file, p->tok.line,
                             "'%s' is a keyword and cannot be used as %s", kw, what);
    }
    *out = arena_strndup(&p->set->mem, p->tok.text, p->tok.len);
    if (!*out) return nomem(p);
    advance(p);
    return 0;
}

static int parse_arg(parser *p, p_message *m, p_arg ***tail)
{
    p_arg *a = arena_alloc(&p->set->mem, sizeof *a);
    if (!a) return nomem(p);
    a->line = p->tok.line;
    if (p->tok.kind != TOK_IDENT) return expected(p, "an argument type");
    bool found = false;
    for (size_t i = 0; i < sizeof scalar_types / sizeof scalar_types[0]; i++)
        if (token_is(&p->tok, scalar_types[i].name)) { a->kind = scalar_types[i].kind; found = true; }
    if (found) {
        advance(p);
    } else if (token_is(&p->tok, "imp") || token_is(&p->tok, "exp")) {
        a->kind = token_is(&p->tok, "imp") ? CONTRACT_IMP_EP : CONTRACT_EXP_EP;
        advance(p);
        int r;
        if ((r = expect_punct(p, '<', "'<' after imp/exp")) ||
            (r = expect_name(p, "a contract name", &a->peer_name)) ||
            (r = expect_punct(p, '>', "'>'")))
            return r;
    } else {
        return expected(p, "an argument type (i8..u64, f32, f64, bool, bytes, imp<C>, exp<C>)");
    }
    if (p->tok.kind == TOK_IDENT && in_list(&p->tok, c_reserved) && !in_list(&p->tok, keywords)) {
        char nm[CONTRACT_MAX_NAME + 1];
        rt_memcpy(nm, p->tok.text, p->tok.len);
        nm[p->tok.len] = 0;
        return contract_fail(p->err, p->lx.file, p->tok.line,
                             "argument name '%s' is reserved (generated C code uses it)", nm);
    }
    int r = expect_name(p, "an argument name", &a->name);
    if (r) return r;
    if (++m->nargs > CONTRACT_MAX_ARGS)
        return contract_fail(p->err, p->lx.file, a->line, "message '%s' has more than %u arguments",
                             m->name, (unsigned)CONTRACT_MAX_ARGS);
    **tail = a;
    *tail = &a->next;
    return 0;
}

static int parse_message(parser *p, p_contract *c, p_message ***tail)
{
    p_message *m = arena_alloc(&p->set->mem, sizeof *m);
    if (!m) return nomem(p);
    m->line = p->tok.line;
    m->dir = token_is(&p->tok, "in") ? CONTRACT_IN : CONTRACT_OUT;
    advance(p);
    if (!token_is(&p->tok, "message")) return expected(p, "'message' after in/out");
    advance(p);
    int r = expect_name(p, "a message name", &m->name);
    if (r) return r;
    if ((r = expect_punct(p, '(', "'(' after the message name"))) return r;
    p_arg **atail = &m->args;
    if (!is_punct(p, ')')) {
        for (;;) {
            if ((r = parse_arg(p, m, &atail))) return r;
            if (!is_punct(p, ',')) break;
            advance(p);
        }
    }
    if ((r = expect_punct(p, ')', "',' or ')' in the argument list"))) return r;
    if ((r = expect_punct(p, ';', "';' after the message declaration"))) return r;
    if (++c->nmessages > CONTRACT_MAX_MESSAGES)
        return contract_fail(p->err, p->lx.file, m->line, "more than %u messages in contract '%s'",
                             (unsigned)CONTRACT_MAX_MESSAGES, c->name);
    **tail = m;
    *tail = &m->next;
    return 0;
}

/* Append a state to the contract, in declaration order (a chain's states follow the
 * state the chain starts in). */
static int add_state(parser *p, p_contract *c, p_state *s)
{
    if (++c->nstates > CONTRACT_MAX_STATES)
        return contract_fail(p->err, p->lx.file, s->line, "more than %u states in contract '%s'",
                             (unsigned)CONTRACT_MAX_STATES, c->name);
    *c->states_tail = s;
    c->states_tail = &s->next;
    return 0;
}

static int add_transition(parser *p, p_contract *c, p_state *from, p_transition *t)
{
    if (++c->ntransitions > CONTRACT_MAX_TRANSITIONS)
        return contract_fail(p->err, p->lx.file, t->line, "more than %u transitions in contract '%s'",
                             (unsigned)CONTRACT_MAX_TRANSITIONS, c->name);
    if (from->last) from->last->next = t;
    else from->transitions = t;
    from->last = t;
    from->ntransitions++;
    return 0;
}

/* `NAME !` or `NAME ?` whose name has already been read into t->message */
static int parse_mark(parser *p, p_transition *t)
{
    if (is_punct(p, '!')) t->exporter_sends = true;
    else if (is_punct(p, '?')) t->exporter_sends = false;
    else return expected(p, "'!' (exporter sends) or '?' (exporter receives)");
    advance(p);
    if (p->tok.kind != TOK_ARROW) return expected(p, "'->'");
    advance(p);
    return 0;
}

/* The state between two steps of a chain: "<from>_<message>". */
static p_state *chain_state(parser *p, const p_state *from, const p_transition *t)
{
    size_t a = str_len(from->name), b = str_len(t->message);
    char *name = arena_alloc(&p->set->mem, a + b + 2);
    p_state *s = arena_alloc(&p->set->mem, sizeof *s);
    if (!name || !s) return NULL;
    rt_memcpy(name, from->name, a);
    name[a] = '_';
    rt_memcpy(name + a + 1, t->message, b + 1);
    s->name = name;
    s->chain_from = from->name;
    s->chain_msg = t->message;
    s->line = t->line;
    return s;
}

static int parse_transition(parser *p, p_contract *c, p_state *from)
{
    p_transition *t = arena_alloc(&p->set->mem, sizeof *t);
    if (!t) return nomem(p);
    t->line = p->tok.line;
    int r = expect_name(p, "a message name or '}'", &t->message);
    if (r || (r = parse_mark(p, t))) return r;
    for (;;) {
        const char *name;
        if ((r = expect_name(p, "a state name after '->'", &name))) return r;
        if (!is_punct(p, '!') && !is_punct(p, '?')) {      /* the target state: done */
            t->to = name;
            if ((r = expect_punct(p, ';', "';' after the transition"))) return r;
            return add_transition(p, c, from, t);
        }
        /* `name` is the next step's message: go through an unnamed state */
        p_state *mid = chain_state(p, from, t);
        if (!mid) return nomem(p);
        t->to = mid->name;
        if ((r = add_transition(p, c, from, t)) || (r = add_state(p, c, mid))) return r;
        from = mid;
        t = arena_alloc(&p->set->mem, sizeof *t);
        if (!t) return nomem(p);
        t->line = p->tok.line;
        t->message = name;
        if ((r = parse_mark(p, t))) return r;
    }
}

static int parse_state(parser *p, p_contract *c)
{
    p_state *s = arena_alloc(&p->set->mem, sizeof *s);
    if (!s) return nomem(p);
    s->line = p->tok.line;
    if (token_is(&p->tok, "final")) {
        s->final = true;
        advance(p);
        if (!token_is(&p->tok, "state")) return expected(p, "'state' after 'final'");
    }
    advance(p);
    int r = expect_name(p, "a state name", &s->name);
    if (r || (r = add_state(p, c, s))) return r;
    if ((r = expect_punct(p, '{', "'{' after the state name"))) return r;
    while (!is_punct(p, '}'))
        if ((r = parse_transition(p, c, s))) return r;
    advance(p);
    return 0;
}

static int parse_contract(parser *p)
{
    p_contract *c = arena_alloc(&p->set->mem, sizeof *c);
    if (!c) return nomem(p);
    c->line = p->tok.line;
    c->file = arena_strndup(&p->set->mem, p->lx.file, str_len(p->lx.file));
    if (!c->file) return nomem(p);
    advance(p);
    int r = expect_name(p, "a contract name", &c->name);
    if (r) return r;
    if ((r = expect_punct(p, '{', "'{' after the contract name"))) return r;
    p_message **mtail = &c->messages;
    c->states_tail = &c->states;
    while (!is_punct(p, '}')) {
        if (token_is(&p->tok, "in") || token_is(&p->tok, "out")) r = parse_message(p, c, &mtail);
        else if (token_is(&p->tok, "state") || token_is(&p->tok, "final")) r = parse_state(p, c);
        else r = expected(p, "'in', 'out', 'state', 'final' or '}'");
        if (r) return r;
    }
    advance(p);
    *p->set->parsed_tail = c;
    p->set->parsed_tail = &c->next;
    p->set->nparsed++;
    return 0;
}

int contract_parse_into(contract_set *s, const char *src, size_t len, const char *file,
                        contract_error *err)
{
    parser p = { .set = s, .err = err };
    if (!file) file = "<input>";
    lexer_init(&p.lx, src, len, file, err);
    advance(&p);
    while (p.tok.kind != TOK_EOF) {
        int r = token_is(&p.tok, "contract") ? parse_contract(&p)
                                             : expected(&p, "'contract'");
        if (r) return r;
    }
    return 0;
}
