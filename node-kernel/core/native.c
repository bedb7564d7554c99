/* Native (C function) SIP bodies; see native.h. */
#include "node-kernel/core/native.h"
#include "node-kernel/core/platform.h"

typedef struct native_body {
    native_step_fn step;
    void *arg;
} native_body;

static sip_run_result native_run(sip *s, uint64_t fuel)
{
    native_body *b = s->body;
    return b->step(s, b->arg, fuel);
}

static void native_destroy(sip *s)
{
    plat_free(s->body);
    s->body = NULL;
}

static const sip_body_ops native_ops = { "native", native_run, native_destroy };

void native_attach(sip *s, native_step_fn step, void *arg)
{
    native_body *b = plat_alloc(sizeof *b);
    if (!b)
        return;                   /* the SIP has no body; sip_start() refuses it */
    b->step = step;
    b->arg = arg;
    sip_set_body(s, &native_ops, b);
}
