/* Error text for the contracts library: "file:line: reason" messages built without
 * stdio (the library is freestanding), and the names of the run-time check codes. */
#include <stdarg.h>
#include "contracts/internal.h"

typedef struct { char *buf; size_t cap, len; } text;

static void put_char(text *t, char c)
{
    if (t->len + 1 < t->cap) t->buf[t->len++] = c;
}

static void put_str(text *t, const char *s)
{
    while (*s) put_char(t, *s++);
}

static void put_uint(text *t, unsigned v)
{
    char digits[12];
    int n = 0;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) put_char(t, digits[--n]);
}

int contract_fail(contract_error *err, const char *file, uint32_t line, const char *fmt, ...)
{
    if (!err) return CONTRACT_E_SYNTAX;
    text t = { err->text, sizeof err->text, 0 };
    err->line = line;
    put_str(&t, file ? file : "<input>");
    put_char(&t, ':');
    put_uint(&t, line);
    put_str(&t, ": ");
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || !p[1]) { put_char(&t, *p); continue; }
        p++;
        if (*p == 's') {
            const char *s = va_arg(ap, const char *);
            put_str(&t, s ? s : "(null)");
        } else if (*p == 'u') {
            put_uint(&t, va_arg(ap, unsigned));
        } else if (*p == 'c') {
            put_char(&t, (char)va_arg(ap, int));
        } else {
            put_char(&t, *p);
        }
    }
    va_end(ap);
    t.buf[t.len] = 0;
    return CONTRACT_E_SYNTAX;
}

const char *contract_strerror(int code)
{
    switch (code) {
    case CONTRACT_OK:                 return "ok";
    case CONTRACT_E_ARG:              return "bad argument to a contract check";
    case CONTRACT_E_TAG:              return "no message with that tag in the contract";
    case CONTRACT_E_DIRECTION:        return "message travels the other way on this channel";
    case CONTRACT_E_STATE:            return "message not allowed in the current state";
    case CONTRACT_E_FINAL:            return "channel is in a final state";
    case CONTRACT_E_PAYLOAD:          return "payload size does not match the message";
    case CONTRACT_E_NHANDLES:         return "handle count does not match the message";
    case CONTRACT_E_HANDLE_KIND:      return "handle of the wrong kind for the message";
    case CONTRACT_E_HANDLE_CONTRACT:  return "endpoint handle of the wrong contract";
    case CONTRACT_E_NOMEM:            return "out of memory";
    case CONTRACT_E_SYNTAX:           return "contract is not well-formed";
    default:                          return "unknown contract error";
    }
}
