/* sip_runner.c: the SIP engine (sips/engine) and the node kernel core's WASI layer
 * (node-kernel/core/wasi.c) running on the metal kernel: a module embedded in the image
 * is decoded, validated, instantiated and run to its end under a fuel budget. Until the
 * whole core joins (channels across nodes), this is the metal kernel's SIP demo. */
#include <stdint.h>
#include <string.h>
#include "node-kernel/core/wasi.h"
#include "node-kernel/metal/sip_runner.h"
#include "node-kernel/metal/bundle.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/serial.h"
#include "node-kernel/metal/timer.h"

/* Demo SIPs by name: their modules are embedded in the image (bundle.h). */
static const struct { const char *name, *path; } modules[] = {
    { "hello", METAL_SIP_HELLO_PATH },
};

#define SIP_FUEL 2000000000ull

static int line_start = 1;

static void log_to_console(void *user, int fd, const char *data, size_t len)
{
    const char *name = user;
    for (size_t i = 0; i < len; i++) {
        if (line_start) kprintf("[sip %s%s] ", name, fd == 2 ? " err" : "");
        serial_putc(data[i]);
        line_start = data[i] == '\n';
    }
}

int sip_run_embedded(const char *name)
{
    size_t i = 0, n = sizeof modules / sizeof *modules;
    while (i < n && strcmp(modules[i].name, name)) i++;
    const struct bundle_file *bf = i < n ? bundle_find(modules[i].path) : NULL;
    if (!bf) { kprintf("SIP %s: no such module in this kernel\n", name); return -1; }

    wasm_module *m = NULL;
    wasm_err err;
    uint64_t t0 = timer_ns();
    if (wasm_module_load(bf->data, bf->size, &m, &err) != WASM_OK) {
        kprintf("SIP %s: refused: %s\n", name, err.msg);
        return -1;
    }
    const char *argv[] = { name };
    wasi_ctx ctx;
    if (!wasi_ctx_init(&ctx, 1, argv, 0, NULL)) { wasm_module_free(m); kprintf("SIP %s: out of memory\n", name); return -1; }
    wasi_ctx_set_log(&ctx, log_to_console, (void *)name);
    wasm_store *s = wasm_store_new(NULL);
    wasi_run_result r;
    wasm_errcode rc = s ? wasi_run_command(s, m, &ctx, SIP_FUEL, &r, &err) : WASM_ERR_NOMEM;
    uint64_t us = (timer_ns() - t0) / 1000;
    if (!line_start) { serial_putc('\n'); line_start = 1; }
    int status = 0;
    if (rc != WASM_OK) { kprintf("SIP %s: refused: %s\n", name, s ? err.msg : "out of memory"); status = -1; }
    else if (r.outcome == WASI_RUN_EXITED)
        kprintf("SIP %s: exit %u (fuel used %lu, %lu us)\n", name, r.exit_code, (unsigned long)r.fuel_used, (unsigned long)us);
    else if (r.outcome == WASI_RUN_TRAPPED) kprintf("SIP %s: trap: %s\n", name, r.msg);
    else kprintf("SIP %s: out of fuel after %lu units\n", name, (unsigned long)r.fuel_used);
    if (s) wasm_store_free(s);
    wasi_ctx_free(&ctx);
    wasm_module_free(m);
    return status;
}
