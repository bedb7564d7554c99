/* Tokens of the contract language: identifiers, the punctuation { } ( ) ; , < > ! ?
 * and the arrow ->. Line and block comments and whitespace are skipped. */
#ifndef CONTRACTS_LEXER_H
#define CONTRACTS_LEXER_H

#include "contracts/internal.h"

typedef enum { TOK_EOF, TOK_IDENT, TOK_PUNCT, TOK_ARROW, TOK_ERROR } tok_kind;

typedef struct {
    tok_kind kind;
    char punct;                 /* TOK_PUNCT: the character */
    const char *text;           /* TOK_IDENT: points into the source */
    size_t len;
    uint32_t line;
} token;

typedef struct {
    const char *src, *end, *p;
    const char *file;
    uint32_t line;
    contract_error *err;
} lexer;

void lexer_init(lexer *lx, const char *src, size_t len, const char *file, contract_error *err);
/* The next token; TOK_ERROR after filling lx->err (bad character, open comment, long name). */
token lexer_next(lexer *lx);
/* true if the identifier token spells `word` */
bool token_is(const token *t, const char *word);

#endif
