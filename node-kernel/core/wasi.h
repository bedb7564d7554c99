/* The WASI preview1 subset a SIP gets (import module "wasi_snapshot_preview1"): enough for
 * ordinary C compiled against wasi-libc. fd 1 and 2 go to the SIP's log through a sink
 * callback; args and environment come from the caller (the manifest); proc_exit ends the
 * SIP; clocks and random_get come from the platform. There is no file system: no preopened
 * directories, and every file/socket call answers a WASI errno instead of doing anything.
 * Every guest pointer is checked against linear memory; a bad one answers EFAULT.
 *
 * Platform-neutral (node-kernel/core): uses only the engine API and core/platform.h.
 *
 * Typical use (see node-kernel/hosted/siprun.c):
 *     wasi_ctx c;  wasi_ctx_init(&c, argc, argv, envc, envp);  wasi_ctx_set_log(&c, fn, user);
 *     wasm_extern imp[n];  wasi_bind(store, module, &c, imp, err, sizeof err);
 *     ...fill the "sip" imports wasi_bind left unbound, instantiate, run _start...
 *     (sched_yield and sleeps answer WASM_HOST_YIELD; the scheduler retries the call later.
 *      This state lives in the ctx and is not part of an engine snapshot: after a migration
 *      a pending sleep restarts its timeout.)
 *     wasi_ctx_free(&c); */
#ifndef NODE_KERNEL_CORE_WASI_H
#define NODE_KERNEL_CORE_WASI_H

#include "sips/engine/engine.h"

#define WASI_MODULE_NAME "wasi_snapshot_preview1"
#define SIP_MODULE_NAME  "sip"

/* An import extern that wasi_bind() left for the caller ("sip" imports). */
#define WASI_UNBOUND_KIND 0xFF

/* WASI errno values used by this subset (the preview1 numbering). */
enum {
    WASI_ESUCCESS = 0, WASI_EBADF = 8, WASI_EFAULT = 21, WASI_EINVAL = 28, WASI_EIO = 29,
    WASI_ENOSYS = 52, WASI_ENOTSUP = 58, WASI_ESPIPE = 70, WASI_ENOTCAPABLE = 76,
};

/* Receives what the SIP writes to fd 1 (stdout) or 2 (stderr), unbuffered, in the order
 * written. The data is not NUL-terminated. */
typedef void (*wasi_log_fn)(void *user, int fd, const char *data, size_t len);

/* Optional: called by wasi_run_command() when the SIP waits in a sleep, with the monotonic
 * time (plat_time_ns(1)) it waits for; a hosted runner can nap instead of spinning. */
typedef void (*wasi_idle_fn)(void *user, uint64_t wake_ns);

typedef struct wasi_ctx {
    uint32_t argc, envc;
    char **argv, **envp;            /* owned copies, NUL-terminated */
    uint32_t argv_bytes, env_bytes; /* sum of strlen+1 */

    wasi_log_fn log;                /* NULL: the platform console */
    void *log_user;
    wasi_idle_fn idle;              /* NULL: wasi_run_command spins until the deadline */
    void *idle_user;
    uint64_t log_bytes;             /* total written to fd 1 and 2 */

    bool exited;                    /* proc_exit was called */
    uint32_t exit_code;

    uint8_t closed_fds;             /* bit n set: fd n (0..2) was closed by the SIP */
    bool yield_taken;               /* sched_yield: the YIELD half of yield-then-return */
    bool sleeping;                  /* poll_oneoff: a clock wait is pending; a scheduler */
    uint64_t wake_ns;               /* may park the SIP until this monotonic time */
    uint64_t start_ns;              /* monotonic time at init: base of the CPU-time clocks */
} wasi_ctx;

/* Copies argv[0..argc) and envp[0..envc) ("KEY=value" strings). Returns false on
 * allocation failure (the ctx is then empty but safe to free). */
bool wasi_ctx_init(wasi_ctx *c, uint32_t argc, const char *const *argv,
                   uint32_t envc, const char *const *envp);
void wasi_ctx_set_log(wasi_ctx *c, wasi_log_fn fn, void *user);
void wasi_ctx_free(wasi_ctx *c);

/* Checks every import of m without a store: each must come from "wasi_snapshot_preview1"
 * (a function this subset knows, with the preview1 signature) or from "sip" (checked by
 * the caller). On refusal returns false and err names the offending import. */
bool wasi_check_imports(const wasm_module *m, char *err, size_t errlen);

/* Creates host functions in s for every wasi_snapshot_preview1 import of m and stores them
 * in imports_out[i] (one slot per import of m, in order). "sip" imports are left with
 * kind WASI_UNBOUND_KIND for the caller to fill. Returns the number of slots left unbound,
 * or -1 if the module is refused (err says which import and why). The ctx must outlive
 * the store's use of these functions. */
int wasi_bind(wasm_store *s, const wasm_module *m, wasi_ctx *c, wasm_extern *imports_out,
              char *err, size_t errlen);

/* Running a WASI command (a module exporting "_start") to its end. */
typedef enum {
    WASI_RUN_EXITED,        /* _start returned (code 0) or proc_exit(code) */
    WASI_RUN_TRAPPED,       /* a trap; msg says which */
    WASI_RUN_OUT_OF_FUEL,   /* the fuel budget ran out first */
} wasi_run_outcome;

typedef struct {
    wasi_run_outcome outcome;
    uint32_t exit_code;     /* EXITED */
    wasm_trap trap;         /* TRAPPED */
    char msg[192];          /* TRAPPED: the trap message */
    uint64_t fuel_used;
} wasi_run_result;

/* Instantiates m in s (which must be fresh) with WASI bound, then runs its start function
 * and "_start" within `fuel` units in total (0 = unlimited). Host yields (sched_yield,
 * sleeps) are retried in place. A module importing from "sip" is refused here: only a
 * node kernel can provide that module. Returns WASM_OK when the program ran (see r for how
 * it ended), or an error (malformed, invalid, refused import, no _start) in err. */
wasm_errcode wasi_run_command(wasm_store *s, const wasm_module *m, wasi_ctx *c,
                              uint64_t fuel, wasi_run_result *r, wasm_err *err);

/* Between two fuel slices of a run, with the thread paused at an instruction boundary:
 * returns the store to continue in -- s itself, or a fresh store the hook rebuilt from a
 * snapshot of s (then the hook frees s) -- or NULL to abandon the run. */
typedef wasm_store *(*wasi_slice_fn)(void *user, wasm_store *s, const wasm_module *m,
                                     wasi_ctx *c);

/* wasi_run_command, pausing every `slice` fuel units (0 = never) to call `between`; *sp
 * is the store the run ends in. siprun --snapshot-every uses this to move a running SIP
 * through snapshot/restore, as a migration does. */
wasm_errcode wasi_run_command_sliced(wasm_store **sp, const wasm_module *m, wasi_ctx *c,
                                     uint64_t fuel, uint64_t slice, wasi_slice_fn between,
                                     void *user, wasi_run_result *r, wasm_err *err);

#endif
