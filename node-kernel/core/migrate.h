/* Live SIP migration, the kernel side: pause a SIP at a slice boundary, serialize all of it
 * into a self-contained, versioned image (engine snapshot, WASI state, handle table with
 * exact handle numbers, owned exchange-heap blocks, endpoints with contract state and
 * queued messages, name bindings, quotas), rebuild it on another kernel, and hand its
 * channels over. Transport-neutral: the caller moves the bytes (in-process link:
 * migrate_local.h; between processes: a socket; netchan between nodes) and re-routes the
 * channel ends whose peers are not part of the image. Format: docs/migration.md.
 *
 * The protocol, on the source:
 *     migrate_pause(s);                         the SIP stops; wake-ups are ignored
 *     migrate_save(s, &img, ...);               the image (the SIP is untouched)
 *     ...send img.buf; the target restores it (migrate_restore), wires its external ends
 *        and answers...
 *     ok:     migrate_release(s, &img, &handoff)   late messages forwarded, ends re-routed,
 *                                                  the SIP freed here (SIP_END_MIGRATED)
 *     failed: migrate_resume(s)                     it runs on where it was
 *     migrate_image_free(&img);
 * and on the target:
 *     s = migrate_restore(k, buf, len, NULL, find_module, arg, &ext, &next, err, errlen);
 *     ...connect ext[i] to the peer of source end i...;  migrate_resume(s);
 *
 * Endpoints: an endpoint of the SIP whose peer is also in the image (both ends held by the
 * SIP, or carried in messages queued at its endpoints) is restored with its peer. Every
 * other one is "external": the image numbers them 0..n-1 in a fixed order, the source's
 * endpoints are listed in img.ext[] and the target's new ones in ext[], index for index. */
#ifndef NODE_KERNEL_CORE_MIGRATE_H
#define NODE_KERNEL_CORE_MIGRATE_H

#include "node-kernel/core/channel.h"
#include "node-kernel/core/proc.h"
#include "sips/engine/engine.h"

#define MIGRATE_MAGIC    0x4749534Du    /* "MSIG" little-endian */
#define MIGRATE_VERSION  1u
#define MIGRATE_HASH_LEN 32             /* SHA-256 of the module */

typedef struct migrate_image {
    uint8_t *buf;                 /* the image (plat_alloc) */
    size_t len;
    uint32_t next;                /* external endpoints */
    endpoint **ext;               /* the source's external endpoints, by index */
    uint32_t *ext_queued;         /* messages queued at ext[i] that the image holds */
    uint64_t engine_bytes;        /* size of the engine snapshot inside */
} migrate_image;

/* Stop s at a slice boundary (it is never mid-instruction between slices; a SIP blocked in
 * a host call keeps that call pending). Returns 0, or SIP_EINVAL if s is not a live SIP
 * that can be paused (already paused, dead, or not a WebAssembly body). */
int migrate_pause(sip *s);
/* Let a paused SIP run again (a failed migration, or a restored SIP once wired): it is made
 * runnable; a host call it was blocked in is retried and blocks again if still nothing to do. */
void migrate_resume(sip *s);

/* Serialize a paused SIP. The SIP is not changed. Returns 0, or a SIP_E* code with err. */
int migrate_save(sip *s, migrate_image *img, char *err, size_t errlen);

/* Iterative pre-copy of linear memory, to shorten the pause of large SIPs. While the SIP
 * still runs, the source sends rounds of pages (the first round every non-zero page, each
 * later one the pages written since, found by comparing with a shadow copy of what was
 * sent); the target accumulates them (migrate_base_apply). Then the source pauses and saves
 * with migrate_save_precopied(): the image carries only the pages changed since the last
 * round, and the target restores it on top of its base. Memory pages are 4 KiB here. */
#define MIGRATE_PAGE 4096u
typedef struct migrate_precopy {
    uint8_t *shadow;              /* linear memory as the target has it */
    uint64_t size;
    uint32_t rounds;
} migrate_precopy;
/* One round on a live (running between slices, or paused) SIP: *buf (plat_alloc) holds the
 * pages that changed since the last round, *dirty how many. Returns 0 or SIP_E*. */
int migrate_precopy_round(sip *s, migrate_precopy *pc, uint8_t **buf, size_t *len,
                          uint32_t *dirty, char *err, size_t errlen);
void migrate_precopy_free(migrate_precopy *pc);
/* migrate_save after pre-copy rounds: memory as a delta against pc's shadow. */
int migrate_save_precopied(sip *s, migrate_precopy *pc, migrate_image *img, char *err,
                           size_t errlen);

/* The target's copy of pre-copied memory. */
typedef struct migrate_base {
    uint8_t *mem;
    uint64_t size;
} migrate_base;
/* Apply one pre-copy round (checked like an image: a damaged buffer is an error). */
int migrate_base_apply(migrate_base *b, const uint8_t *buf, size_t len, char *err, size_t errlen);
void migrate_base_free(migrate_base *b);
void migrate_image_free(migrate_image *img);

/* What the source does with a SIP's external ends once the target has it. */
typedef struct migrate_handoff {
    /* A message that reached source end i after the image was taken: deliver it to the
     * target's end i (takes m). Called in arrival order, before reroute(i). */
    void (*late)(void *arg, uint32_t i, endpoint *src, message *m);
    /* Source end i now lives on the target: make its peer's traffic go there (the peer may
     * be closed: src->peer == NULL and src->peer_closed tell). Must leave src->peer NULL. */
    void (*reroute)(void *arg, uint32_t i, endpoint *src);
    void *arg;
} migrate_handoff;

/* The target confirmed: hand the external ends over and free the paused SIP here without
 * telling its peers anything (its exit hook sees end SIP_END_MIGRATED). img == NULL: the
 * caller already moved the external ends out of the SIP (netchan/nc_migrate.h). */
void migrate_release(sip *s, const migrate_image *img, const migrate_handoff *h);

/* Finds (or fetches and verifies) the module whose SHA-256 is hash; it must outlive the SIP.
 * Returns NULL with err set if it cannot. */
typedef const wasm_module *(*migrate_module_fn)(void *arg, const uint8_t hash[MIGRATE_HASH_LEN],
                                                char *err, size_t errlen);

/* Rebuild a SIP from an image on kernel k, paused. Every field is checked: a damaged or
 * hostile image gives NULL and a clear err, never a crash, and leaves k as it was.
 * *ext (plat_alloc'd, freed by the caller with plat_free) receives the new external
 * endpoints by index: no peer yet; the caller connects them before migrate_resume().
 * base: the pre-copied memory, for an image saved with migrate_save_precopied (else NULL). */
sip *migrate_restore(kernel *k, const uint8_t *buf, size_t len, const migrate_base *base,
                     migrate_module_fn find, void *find_arg, endpoint ***ext, uint32_t *next,
                     char *err, size_t errlen);

/* What an image says about itself, without building anything (checks header, checksum). */
typedef struct migrate_info {
    char name[SIP_NAME_MAX];
    uint8_t module_hash[MIGRATE_HASH_LEN];
    uint64_t engine_bytes;
    uint32_t next;
} migrate_info;
int migrate_peek(const uint8_t *buf, size_t len, migrate_info *info, char *err, size_t errlen);

/* Recompute an image's checksum after editing it (fuzzers: so that mutations reach the
 * structural checks behind it). Returns 0, or -1 if buf is not an image at all. */
int migrate_reseal(uint8_t *buf, size_t len);

#endif
