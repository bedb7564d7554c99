/* The target side of a migration into another process, for the tests and the benchmark:
 * a child process with its own node kernel connects back over loopback TCP, receives a
 * SIP image, fetches the module by hash from the source if it lacks it (and verifies it),
 * restores and resumes the SIP, confirms, runs it to its end and reports its log and exit
 * status. The source side (proc_source_*) pauses, sends, waits for the confirmation and
 * releases -- or resumes the SIP where it was if the target refuses, dies or times out. */
#ifndef TESTS_MIGRATE_PROC_TARGET_H
#define TESTS_MIGRATE_PROC_TARGET_H

#include <sys/types.h>
#include "node-kernel/core/migrate.h"

/* frame types */
#define XF_IMAGE    0x474D4931u  /* source -> target: a SIP image */
#define XF_FETCH    0x43544546u  /* target -> source: module by SHA-256 */
#define XF_MODULE   0x444F4D31u  /* source -> target: module bytes (empty: not found) */
#define XF_RESUMED  0x4D555352u  /* target -> source: restored and running */
#define XF_REFUSED  0x53464552u  /* target -> source: refused; the text says why */
#define XF_LOG      0x31474F4Cu  /* target -> source: everything the SIP wrote */
#define XF_EXIT     0x54495845u  /* target -> source: how it ended (int32 code, -1: trap) */
#define XF_PAGES    0x53454750u  /* source -> target: a pre-copy round of memory pages */
#define XF_RAW      0x20574152u  /* benchmark baseline: bytes to answer with XF_RESUMED */
#define XF_QUIT     0x54495551u  /* source -> target: no more images */

typedef enum {
    TARGET_RUN,          /* restore, confirm, run to the end, report */
    TARGET_STALL,        /* restore, then hang before confirming (killed by the test) */
    TARGET_DIE_EARLY,    /* die as soon as the image starts arriving */
    TARGET_SINK,         /* benchmark: restore, confirm, discard; repeat until XF_QUIT */
} target_mode;

/* Fork a target process that connects to 127.0.0.1:port (contracts are inherited). */
pid_t target_spawn(uint16_t port, target_mode mode, const contract_set *cs);

/* Source side. Looks up modules for XF_FETCH by hash among mods/paths. */
typedef struct proc_source {
    int fd;
    wasm_module **mods; char **paths; uint32_t nmods;
    int timeout_ms;
    bool keep_source;             /* benchmark: after the confirmation resume s here
                                     instead of releasing it (to measure again) */
    /* pre-copy: up to this many rounds of pages while s runs on kernel k (slices_between
     * slices after each), stopping early once a round has at most stop_dirty pages */
    int precopy_rounds;
    kernel *k;
    uint64_t slices_between;
    uint32_t stop_dirty;
} proc_source;

typedef struct proc_result {
    bool moved;                   /* the target confirmed; the source released the SIP */
    char error[256];              /* why not */
    uint64_t image_bytes;
    uint64_t downtime_ns;         /* pause -> confirmation received */
    uint64_t total_ns;            /* first pre-copy round (or pause) -> released */
    uint64_t precopy_bytes;       /* sent in pre-copy rounds */
    int rounds;
} proc_result;

/* Migrate s (on its kernel) to the target connected on ps->fd. */
void proc_source_migrate(proc_source *ps, sip *s, proc_result *r);

#endif
