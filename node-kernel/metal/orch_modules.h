/* orch_modules.h: WebAssembly modules for the orchestrator agent, by SHA-256: a cache
 * of verified modules and fetches over the orchestrator link (orch.proto ModuleFetch /
 * ModuleData). */
#ifndef NODE_KERNEL_METAL_ORCH_MODULES_H
#define NODE_KERNEL_METAL_ORCH_MODULES_H
#include <stdint.h>
#include "sips/engine/engine.h"
#include "netchan/proto/orch.pb-c.h"

/* A fetch ended: the module (cached, owned by the cache), or NULL and why not. */
typedef void (*orch_module_done_fn)(const uint8_t *hash, const wasm_module *m, const char *why);

const wasm_module *orch_module_cached(const uint8_t *hash);
/* Asks for the module unless it is on its way already. */
void orch_module_want(const uint8_t *hash);
/* A ModuleData arrived: continues the fetch, or ends it through done. */
void orch_module_data(const Orch__ModuleData *d, orch_module_done_fn done);
/* The link dropped: fetches start over; after registering again, ask again. */
void orch_module_link_lost(void);
void orch_module_refetch(void);

/* orch_agent.c: sends one message to the orchestrator (dropped if the link is down). */
void orch_agent_send(Orch__NodeToOrch *msg);
#endif
