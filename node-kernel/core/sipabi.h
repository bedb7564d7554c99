/* The `sip` import module: host functions that give a WebAssembly SIP the system calls
 * of syscall.h. Every guest pointer is checked against the SIP's linear memory (a bad one
 * traps the SIP); a call that must wait yields and is retried when the SIP is woken. */
#ifndef NODE_KERNEL_CORE_SIPABI_H
#define NODE_KERNEL_CORE_SIPABI_H

#include "node-kernel/core/proc.h"
#include "sips/engine/engine.h"

/* Fill every slot of imports[] whose kind is WASI_UNBOUND_KIND (a "sip" import) with the
 * host function of that name, bound to s. Returns 0, or -1 with err naming an unknown
 * function or a wrong signature. */
/* Check every "sip" import of m (name and signature) without a store. */
bool sipabi_check_imports(const wasm_module *m, char *err, size_t errlen);

int sipabi_bind(wasm_store *st, const wasm_module *m, sip *s, wasm_extern *imports,
                char *err, size_t errlen);

#endif
