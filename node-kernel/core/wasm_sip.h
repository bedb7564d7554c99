/* WebAssembly SIP bodies: load a module (decode + validate), check that it imports only
 * `sip` and `wasi_snapshot_preview1`, instantiate it in its own store under the SIP's
 * memory quota, and run its _start in fuel-limited slices for the scheduler. */
#ifndef NODE_KERNEL_CORE_WASM_SIP_H
#define NODE_KERNEL_CORE_WASM_SIP_H

#include "node-kernel/core/proc.h"
#include "sips/engine/engine.h"
#include "node-kernel/core/wasi.h"

/* Attach a wasm body to a SIP_NEW SIP. The module is borrowed (it must outlive the SIP
 * and may be shared by many SIPs). argv/envp are copied. Returns 0, or a negative
 * SIP_E* code with a clear message in err (bad module, forbidden import, no _start). */
int wasm_sip_attach(sip *s, const wasm_module *m, uint32_t argc, const char *const *argv,
                    uint32_t envc, const char *const *envp, char *err, size_t errlen);

/* Load a module from bytes with a clear error (convenience for platforms). */
wasm_module *wasm_sip_load_module(const uint8_t *bytes, size_t len, char *err, size_t errlen);

/* Migration (node-kernel/core/migrate.c): the parts of a wasm body that a SIP image holds.
 * Each returns NULL for a SIP whose body is not WebAssembly. */
wasm_store *wasm_sip_store(sip *s);
const wasm_module *wasm_sip_module(sip *s);
wasi_ctx *wasm_sip_wasi(sip *s);
/* Linear memory 0 and its size (NULL/0 if none); invalidated when the SIP runs. */
uint8_t *wasm_sip_memory(sip *s, uint64_t *size);
/* Attach a wasm body rebuilt from an engine snapshot of module m, its thread paused where
 * the snapshot was taken. *wasi is moved into the body (the caller's copy is left empty and
 * safe to free); its log sink is pointed at this SIP. Returns 0 or a SIP_E* code with err. */
int wasm_sip_attach_snapshot(sip *s, const wasm_module *m, const uint8_t *snap, size_t len,
                             wasi_ctx *wasi, char *err, size_t errlen);

#endif
