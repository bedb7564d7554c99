/* orch_agent.h: the metal node's side of orch.proto. With orch=HOST:PORT the kernel
 * connects a ZMTP DEALER to the orchestrator's ROUTER, registers (identity and MAC,
 * memory, labels, netchan address, join token, boot id), heartbeats, creates, starts
 * and stops SIPs on command -- fetching modules by SHA-256 over the same link -- and
 * reports their state changes and output. The link is re-established after a failure
 * and the node registers again with the SIPs it still runs. */
#ifndef NODE_KERNEL_METAL_ORCH_AGENT_H
#define NODE_KERNEL_METAL_ORCH_AGENT_H
#include <stdint.h>

/* Starts the agent (once the network is up). 0, or -1 if out of memory. */
int  orch_agent_start(uint32_t ip, uint16_t port, const char *token);
/* Reconnects, heartbeats; call from the poll loop. */
void orch_agent_poll(void);
#endif
