/* The hosted node's connection to the orchestrator (orchd): with --orch the sipnode runs
 * no local manifest; it registers (identity, memory, labels, netchan address), sends
 * heartbeats with the state of every SIP it was given, creates/starts/stops SIPs on
 * command, fetches their modules by SHA-256, forwards their output, and wires their
 * channel ends (locally, or across nodes with netchan).
 *
 *   --orch tcp://127.0.0.1:PORT   orchd's node address (turns the agent on)
 *   --orch-id ID                  node identity (default: node-PID)
 *   --orch-nc tcp://127.0.0.1:P   netchan listen address for cross-node channels
 *   --orch-label KEY=VALUE        a label placement can ask for (repeatable)
 *   --orch-memory SIZE            memory offered to SIPs (K/M/G suffix, default 1G)
 *   --orch-token T                join token
 *   --orch-fault freeze-after-migrate-in   (tests) SIGSTOP itself right after accepting
 *                                 a migration: a target that dies mid-migration
 *   --orch-fault ignore-migration-ends     (tests) as a target, take a SIP's image but
 *                                 never answer its channel ends (the source takes it back)
 *
 * Environment: SIPNODE_CLOCK_OFFSET_MS=N (tests) adds N ms to the times it reports.
 *
 * Every status echoes the SIP's incarnation from its create (or MigrateIn); a create with
 * a different incarnation for a SIP still running here replaces it (orchd made a new
 * instance). Contracts for the SIPs' channels come with each create (the app's contract
 * files, loaded once per content), or from sipnode's -c files. The node runs until
 * SIGTERM or SIGINT. */
#ifndef NODE_KERNEL_HOSTED_ORCH_AGENT_H
#define NODE_KERNEL_HOSTED_ORCH_AGENT_H

#include <stdbool.h>
#include <stdint.h>

/* If argv[*i] is an --orch option, consume it (and its value) and return true; a bad
 * value prints an error and exits with status 2. */
bool orch_agent_option(int argc, char **argv, int *i);
bool orch_agent_enabled(void);
/* Run the node under the orchestrator until stopped; returns the exit status. */
int  orch_agent_main(char **contract_files, uint32_t ncontract_files);

#endif
