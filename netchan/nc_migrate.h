/* Migration across nodes, the netchan half: the channel ends of a migrating SIP move to
 * the target node exactly as endpoints sent inside a message do (netchan/marshal.c) --
 * with their queued messages, sequence counters and unacknowledged frames; a peer on
 * another node is re-routed (RouteUpdate, forwarding from the source until acked), a peer
 * that stays on the source gets a fresh cross-node channel to the target.
 * The kernel half is node-kernel/core/migrate.h; the protocol and format are in
 * docs/migration.md. Sequence, once the target has restored the image:
 *     source: nc_migrate_export(src, s, &img, "target", &ends, &len, ...);
 *             migrate_release(s, NULL, NULL);        (the ends are gone from the SIP)
 *     target: nc_migrate_import(dst, "source", ends, len, ext, next, ...);
 *             migrate_resume(t);
 * Before the image is sent, nc_migrate_check() refuses what this cannot do.
 * An end whose peer lives on the target is joined to it there into one local channel
 * (the frames in flight both ways are delivered once, in order; see join_end). */
#ifndef NETCHAN_NC_MIGRATE_H
#define NETCHAN_NC_MIGRATE_H

#include "netchan/netchan.h"
#include "node-kernel/core/migrate.h"

/* 0 if the SIP's external ends can move to `target`; -1 with err if not (the target is
 * unknown to this node). Changes nothing. */
int nc_migrate_check(nc_node *n, const migrate_image *img, const char *target,
                     char *err, size_t errlen);

/* Take the external ends out of the paused SIP s and marshal them for `target` into *buf
 * (a packed netchan.ChannelMessage, one endpoint handle per end, in image order; free()).
 * The queued messages the image already holds are dropped here; those that arrived since
 * travel in the EndpointStates. Call only after the target restored the image. */
int nc_migrate_export(nc_node *n, sip *s, const migrate_image *img, const char *target,
                      uint8_t **buf, size_t *len, char *err, size_t errlen);

/* On the target: put the endpoints of buf in place of the restored SIP's external ends
 * ext[0..next) -- each keeps the image's queued messages in front of those that came
 * with it. Every field is checked first; on error nothing is changed. */
int nc_migrate_import(nc_node *n, const char *source, const uint8_t *buf, size_t len,
                      endpoint **ext, uint32_t next, char *err, size_t errlen);

/* ---- the whole migration between nodes, over netchan links ----------------------------
 * Source -> target MigrationSnapshot{engine_state = the SIP image}; the target restores it
 * paused and answers MigrationResult ok (or refused: the source resumes the SIP); the source
 * then sends a MigrationSnapshot with the same id holding the SIP's channel ends as
 * EndpointStates (OwnedEndpoint.handle = end index), keeping the paused SIP and its image;
 * the target checks the ends, holds them and answers ok; the source answers "go"
 * (MigrationResult ok) and releases the SIP; the target puts the ends in place, resumes the
 * SIP and answers ok once more. No answer to the image: the source resumes the SIP; no
 * answer to the ends (or a refusal): the source rebuilds the SIP from its image and the
 * ends it sent, re-routes the peers back and tells the target to drop its copy. After
 * "go" there is no way back: a target that dies then loses the SIP. The target drops a
 * restored SIP that never gets "go". Driven by the node's run loop: netchan's dispatcher hands
 * migration envelopes to nc_migrate_on_envelope; call nc_migrate_poll for the timeouts. */
typedef void (*nc_migrate_done_fn)(void *arg, const char *sip_name, uint64_t migration_id,
                                   bool ok, const char *error, uint64_t elapsed_ns,
                                   uint64_t image_bytes);
typedef struct nc_migrate_hooks {
    migrate_module_fn find; void *find_arg;   /* target: the module by hash (fetch+verify) */
    nc_migrate_done_fn done; void *done_arg;  /* source: the migration ended (ok or not) */
    /* target: it runs here; sip_id as the source gave it to nc_migrate_start */
    void (*arrived)(void *arg, sip *t, const char *sip_id, uint64_t migration_id);
    void *arrived_arg;
    uint32_t timeout_ms;                      /* per phase; 0 = 5000 */
    bool fault_ignore_ends;                   /* tests: as a target, ignore the ends (as if
                                               * it died right after taking the image) */
} nc_migrate_hooks;

void nc_migrate_set_hooks(nc_node *n, const nc_migrate_hooks *h);
/* Source: migrate local SIP s to node `target` (the orchestrator's MigrateOut). sip_id is
 * the cluster's name for it (MigrationSnapshot.sip_id; NULL = s->name). Returns 0 once the
 * image is on its way (the outcome comes to hooks.done), or -1 with err and s running on
 * as before. */
int nc_migrate_start(nc_node *n, sip *s, const char *target, uint64_t migration_id,
                     const char *sip_id, char *err, size_t errlen);
void nc_migrate_poll(nc_node *n);
/* Migrations under way on this node (either direction). */
uint32_t nc_migrate_pending(nc_node *n);
/* Before nc_free: outgoing SIPs not yet committed resume here, incoming ones are dropped. */
void nc_migrate_forget(nc_node *n);

struct nc_peer;
struct Netchan__NodeEnvelope;
void nc_migrate_on_envelope(nc_node *n, struct nc_peer *from, const struct Netchan__NodeEnvelope *env);

#endif
