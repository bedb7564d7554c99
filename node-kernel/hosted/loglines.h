/* Line assembly for SIP logs: a SIP's writes to stdout/stderr arrive in arbitrary pieces;
 * this joins them into whole lines (kept per SIP in s->user) so a platform can print each
 * line with the SIP's name in front. */
#ifndef NODE_KERNEL_HOSTED_LOGLINES_H
#define NODE_KERNEL_HOSTED_LOGLINES_H

#include "node-kernel/core/proc.h"

typedef void (*logline_fn)(void *arg, const sip *s, const char *line, size_t len);

/* Feed a piece of output; emits every completed line (without its newline). Lines longer
 * than 1 KiB are cut. */
void loglines_feed(sip *s, const char *text, size_t n, logline_fn emit, void *arg);
/* Emit what is left (a last line without newline) and free the buffer: call at SIP exit. */
void loglines_flush(sip *s, logline_fn emit, void *arg);

#endif
