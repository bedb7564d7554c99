/* Turns contract source text into tokens, tracking line numbers for error messages. */
#include "contracts/lexer.h"

void lexer_init(lexer *lx, const char *src, size_t len, const char *file, contract_error *err)
{
    lx->src = lx->p = src;
    lx->end = src + len;
    lx->file = file;
    lx->line = 1;
    lx->err = err;
}

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Skip whitespace and comments; false (with the error set) on an unterminated comment. */
static bool skip_space(lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == '\n') { lx->line++; lx->p++; }
        else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') lx->p++;
        else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/') {
            while (lx->p < lx->end && *lx->p != '\n') lx->p++;
        } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
            uint32_t start = lx->line;
            lx->p += 2;
            for (;;) {
                if (lx->p + 1 >= lx->end) {
                    contract_fail(lx->err, lx->file, start, "unterminated /* comment");
                    return false;
                }
                if (lx->p[0] == '*' && lx->p[1] == '/') { lx->p += 2; break; }
                if (*lx->p == '\n') lx->line++;
                lx->p++;
            }
        } else break;
    }
    return true;
}

token lexer_next(lexer *lx)
{
    token t = { .kind = TOK_ERROR, .line = lx->line };
    if (!skip_space(lx)) return t;
    t.line = lx->line;
    if (lx->p >= lx->end) { t.kind = TOK_EOF; return t; }
    char c = *lx->p;
    if (is_alpha(c)) {
        const char *start = lx->p;
        while (lx->p < lx->end && (is_alpha(*lx->p) || is_digit(*lx->p) || *lx->p == '_')) lx->p++;
        t.kind = TOK_IDENT;
        t.text = start;
        t.len = (size_t)(lx->p - start);
        if (t.len > CONTRACT_MAX_NAME) {
            contract_fail(lx->err, lx->file, t.line, "name longer than %u characters",
                          (unsigned)CONTRACT_MAX_NAME);
            t.kind = TOK_ERROR;
        }
        return t;
    }
    if (c == '-' && lx->p + 1 < lx->end && lx->p[1] == '>') {
        lx->p += 2;
        t.kind = TOK_ARROW;
        return t;
    }
    switch (c) {
    case '{': case '}': case '(': case ')': case ';': case ',':
    case '<': case '>': case '!': case '?':
        lx->p++;
        t.kind = TOK_PUNCT;
        t.punct = c;
        return t;
    }
    if (c == '_' || is_digit(c))
        contract_fail(lx->err, lx->file, t.line, "names must start with a letter");
    else if (c > ' ' && c < 127)
        contract_fail(lx->err, lx->file, t.line, "unexpected character '%c'", c);
    else
        contract_fail(lx->err, lx->file, t.line, "unexpected byte %u", (unsigned)(unsigned char)c);
    return t;
}

bool token_is(const token *t, const char *word)
{
    if (t->kind != TOK_IDENT) return false;
    size_t i = 0;
    for (; i < t->len; i++)
        if (word[i] != t->text[i]) return false;
    return word[i] == 0;
}
