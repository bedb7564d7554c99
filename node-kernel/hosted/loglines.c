/* Joining SIP log output into lines (see loglines.h). */
#include "node-kernel/hosted/loglines.h"
#include <stdlib.h>

typedef struct line_buf {
    size_t n;
    char buf[1024];
} line_buf;

void loglines_feed(sip *s, const char *text, size_t n, logline_fn emit, void *arg)
{
    line_buf *lb = s->user;
    if (!lb && !(lb = s->user = calloc(1, sizeof *lb)))
        return;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\n') {
            emit(arg, s, lb->buf, lb->n);
            lb->n = 0;
            continue;
        }
        if (lb->n == sizeof lb->buf) {
            emit(arg, s, lb->buf, lb->n);
            lb->n = 0;
        }
        lb->buf[lb->n++] = text[i];
    }
}

void loglines_flush(sip *s, logline_fn emit, void *arg)
{
    line_buf *lb = s->user;
    if (!lb)
        return;
    if (lb->n)
        emit(arg, s, lb->buf, lb->n);
    free(lb);
    s->user = NULL;
}
