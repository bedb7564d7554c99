/* The WASI preview1 subset of a SIP (see wasi.h): the host functions, the table that binds
 * a module's wasi_snapshot_preview1 imports to them, and a runner for WASI commands.
 * Guest memory is reached only through mem_at(), which bounds-checks every range. */
#include "node-kernel/core/wasi.h"
#include "node-kernel/core/platform.h"

/* The core may use only memcpy/memmove/memset/memcmp from its platform (see rt.h). */
#define copy_bytes(d, s, n) __builtin_memcpy((d), (s), (n))

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* ---- guest memory ---------------------------------------------------------------------- */

typedef struct { uint8_t *base; uint64_t size; } guest_mem;

static guest_mem mem_of(wasm_call_ctx *cc)
{
    guest_mem g;
    g.base = wasm_ctx_memory(cc, &g.size);
    if (!g.base) g.size = 0;
    return g;
}

/* The host address of guest range [ptr, ptr+len), or NULL if any of it is outside memory. */
static uint8_t *mem_at(const guest_mem *g, uint32_t ptr, uint64_t len)
{
    if (!g->base || (uint64_t)ptr + len > g->size) return NULL;
    return g->base + ptr;
}

static uint32_t load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load_u64(const uint8_t *p)
{
    return (uint64_t)load_u32(p) | (uint64_t)load_u32(p + 4) << 32;
}

static void store_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void store_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void store_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Writes a u32/u64 result to guest memory; false if the pointer is bad. */
static bool put_u32(const guest_mem *g, uint32_t ptr, uint32_t v)
{
    uint8_t *p = mem_at(g, ptr, 4);
    if (p) store_u32(p, v);
    return p != NULL;
}

static bool put_u64(const guest_mem *g, uint32_t ptr, uint64_t v)
{
    uint8_t *p = mem_at(g, ptr, 8);
    if (p) store_u64(p, v);
    return p != NULL;
}

/* ---- host function helpers ------------------------------------------------------------- */

#define HOST_FN(name) \
    static wasm_host_status name(wasm_call_ctx *cc, void *env, const wasm_val *args, wasm_val *res)

static wasm_host_status answer(wasm_val *res, uint32_t errno_value)
{
    res[0].type = WASM_I32;
    res[0].of.i32 = errno_value;
    return WASM_HOST_OK;
}

#define ARG32(i) (args[i].of.i32)
#define ARG64(i) (args[i].of.i64)

static bool stdio_open(const wasi_ctx *c, uint32_t fd)
{
    return fd <= 2 && !(c->closed_fds & (1u << fd));
}

/* ---- args and environment -------------------------------------------------------------- */

/* Writes a string vector the WASI way: pointers at vec_ptr, the strings back to back at
 * buf_ptr. */
static uint32_t put_strings(const guest_mem *g, char **strs, uint32_t n, uint32_t total,
                            uint32_t vec_ptr, uint32_t buf_ptr)
{
    uint8_t *vec = mem_at(g, vec_ptr, (uint64_t)n * 4);
    uint8_t *buf = mem_at(g, buf_ptr, total);
    if (!vec || !buf) return WASI_EFAULT;
    uint32_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = (uint32_t)str_len(strs[i]) + 1;
        store_u32(vec + 4 * i, buf_ptr + off);
        copy_bytes(buf + off, strs[i], len);
        off += len;
    }
    return WASI_ESUCCESS;
}

HOST_FN(args_get)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    return answer(res, put_strings(&g, c->argv, c->argc, c->argv_bytes, ARG32(0), ARG32(1)));
}

HOST_FN(args_sizes_get)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    if (!mem_at(&g, ARG32(0), 4) || !mem_at(&g, ARG32(1), 4)) return answer(res, WASI_EFAULT);
    put_u32(&g, ARG32(0), c->argc);
    put_u32(&g, ARG32(1), c->argv_bytes);
    return answer(res, WASI_ESUCCESS);
}

HOST_FN(environ_get)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    return answer(res, put_strings(&g, c->envp, c->envc, c->env_bytes, ARG32(0), ARG32(1)));
}

HOST_FN(environ_sizes_get)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    if (!mem_at(&g, ARG32(0), 4) || !mem_at(&g, ARG32(1), 4)) return answer(res, WASI_EFAULT);
    put_u32(&g, ARG32(0), c->envc);
    put_u32(&g, ARG32(1), c->env_bytes);
    return answer(res, WASI_ESUCCESS);
}

/* ---- clocks, randomness, scheduling, exit --------------------------------------------- */

enum { CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPU = 2, CLOCK_THREAD_CPU = 3 };

/* The CPU-time clocks count monotonic time since the SIP started: a SIP cannot observe how
 * the node shares the CPU among SIPs, and this keeps clock() meaningful. */
static bool clock_now(const wasi_ctx *c, uint32_t id, uint64_t *out)
{
    switch (id) {
    case CLOCK_REALTIME:    *out = plat_time_ns(0); return true;
    case CLOCK_MONOTONIC:   *out = plat_time_ns(1); return true;
    case CLOCK_PROCESS_CPU:
    case CLOCK_THREAD_CPU:  *out = plat_time_ns(1) - c->start_ns; return true;
    default:                return false;
    }
}

HOST_FN(clock_res_get)
{
    guest_mem g = mem_of(cc);
    if (ARG32(0) > CLOCK_THREAD_CPU) return answer(res, WASI_EINVAL);
    return answer(res, put_u64(&g, ARG32(1), 1000) ? WASI_ESUCCESS : WASI_EFAULT);
}

HOST_FN(clock_time_get)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    uint64_t now;
    if (!clock_now(c, ARG32(0), &now)) return answer(res, WASI_EINVAL);
    return answer(res, put_u64(&g, ARG32(2), now) ? WASI_ESUCCESS : WASI_EFAULT);
}

HOST_FN(random_get)
{
    guest_mem g = mem_of(cc);
    uint8_t *p = mem_at(&g, ARG32(0), ARG32(1));
    if (!p) return answer(res, WASI_EFAULT);
    if (ARG32(1)) plat_random(p, ARG32(1));
    return answer(res, WASI_ESUCCESS);
}

/* Yield, then return: the first call hands the CPU back (WASM_HOST_YIELD); the engine
 * retries the call on the next run, which completes it. */
HOST_FN(sched_yield)
{
    wasi_ctx *c = env;
    if (!c->yield_taken) {
        c->yield_taken = true;
        return WASM_HOST_YIELD;
    }
    c->yield_taken = false;
    return answer(res, WASI_ESUCCESS);
}

HOST_FN(proc_exit)
{
    wasi_ctx *c = env;
    c->exited = true;
    c->exit_code = ARG32(0);
    wasm_host_set_exit(cc, ARG32(0));
    return WASM_HOST_EXIT;
}

/* ---- file descriptors: only stdin (empty), stdout and stderr exist ------------------- */

enum { FILETYPE_CHARACTER_DEVICE = 2 };
enum {
    RIGHT_FD_READ = 1u << 1, RIGHT_FD_WRITE = 1u << 6, RIGHT_FD_FILESTAT_GET = 1u << 21,
    RIGHT_POLL_FD_READWRITE = 1u << 27,
};

static uint64_t stdio_rights(uint32_t fd)
{
    return (fd == 0 ? RIGHT_FD_READ : RIGHT_FD_WRITE) | RIGHT_FD_FILESTAT_GET |
           RIGHT_POLL_FD_READWRITE;
}

HOST_FN(fd_write)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    uint32_t fd = ARG32(0), iovs = ARG32(1), n = ARG32(2);
    if (fd == 0 || !stdio_open(c, fd)) return answer(res, WASI_EBADF);
    const uint8_t *iov = mem_at(&g, iovs, (uint64_t)n * 8);
    if (!iov || !mem_at(&g, ARG32(3), 4)) return answer(res, WASI_EFAULT);
    /* check every buffer before writing any, so a bad iovec writes nothing */
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = load_u32(iov + 8 * i + 4);
        if (!mem_at(&g, load_u32(iov + 8 * i), len)) return answer(res, WASI_EFAULT);
        total += len;
    }
    if (total > UINT32_MAX) return answer(res, WASI_EINVAL);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = load_u32(iov + 8 * i + 4);
        if (len == 0) continue;
        const char *data = (const char *)mem_at(&g, load_u32(iov + 8 * i), len);
        if (c->log) c->log(c->log_user, (int)fd, data, len);
        else plat_console_write(data, len);
    }
    c->log_bytes += total;
    put_u32(&g, ARG32(3), (uint32_t)total);
    return answer(res, WASI_ESUCCESS);
}

/* stdin is empty: reads see end of file. */
HOST_FN(fd_read)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    if (ARG32(0) != 0 || !stdio_open(c, 0)) return answer(res, WASI_EBADF);
    if (!mem_at(&g, ARG32(1), (uint64_t)ARG32(2) * 8)) return answer(res, WASI_EFAULT);
    return answer(res, put_u32(&g, ARG32(3), 0) ? WASI_ESUCCESS : WASI_EFAULT);
}

HOST_FN(fd_close)
{
    wasi_ctx *c = env;
    if (!stdio_open(c, ARG32(0))) return answer(res, WASI_EBADF);
    c->closed_fds |= (uint8_t)(1u << ARG32(0));
    return answer(res, WASI_ESUCCESS);
}

HOST_FN(fd_fdstat_get)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    uint32_t fd = ARG32(0);
    if (!stdio_open(c, fd)) return answer(res, WASI_EBADF);
    uint8_t *p = mem_at(&g, ARG32(1), 24);
    if (!p) return answer(res, WASI_EFAULT);
    __builtin_memset(p, 0, 24);
    p[0] = FILETYPE_CHARACTER_DEVICE;        /* no seek/tell rights: libc sees a tty */
    store_u16(p + 2, 0);                     /* fdflags */
    store_u64(p + 8, stdio_rights(fd));      /* rights_base */
    store_u64(p + 16, 0);                    /* rights_inheriting */
    return answer(res, WASI_ESUCCESS);
}

HOST_FN(fd_filestat_get)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    if (!stdio_open(c, ARG32(0))) return answer(res, WASI_EBADF);
    uint8_t *p = mem_at(&g, ARG32(1), 64);
    if (!p) return answer(res, WASI_EFAULT);
    __builtin_memset(p, 0, 64);
    p[16] = FILETYPE_CHARACTER_DEVICE;       /* dev, ino, size and times stay 0 */
    store_u64(p + 24, 1);                    /* nlink */
    return answer(res, WASI_ESUCCESS);
}

/* No preopened directories: libc's preopen scan stops at the first EBADF. */
HOST_FN(fd_prestat_get)
{
    return answer(res, WASI_EBADF);
}

/* Calls with nothing behind them. For an open stdio fd each answers what a character
 * device would; for every other fd, EBADF (there are no other fds). */
static wasm_host_status stdio_or_badf(wasm_call_ctx *cc, void *env, const wasm_val *args,
                                      wasm_val *res, uint32_t stdio_errno)
{
    return answer(res, stdio_open(env, ARG32(0)) ? stdio_errno : WASI_EBADF);
}

enum { WASI_ENOTDIR = 54, WASI_ENOTSOCK = 57 };

HOST_FN(stub_spipe)   { return stdio_or_badf(cc, env, args, res, WASI_ESPIPE); }
HOST_FN(stub_notsup)  { return stdio_or_badf(cc, env, args, res, WASI_ENOTSUP); }
HOST_FN(stub_notdir)  { return stdio_or_badf(cc, env, args, res, WASI_ENOTDIR); }
HOST_FN(stub_notsock) { return stdio_or_badf(cc, env, args, res, WASI_ENOTSOCK); }
HOST_FN(stub_nosys)   { return answer(res, WASI_ENOSYS); }

/* path_symlink(old_path, old_path_len, fd, new_path, new_path_len): its fd comes third */
HOST_FN(stub_symlink)
{
    return answer(res, stdio_open(env, ARG32(2)) ? WASI_ENOTDIR : WASI_EBADF);
}

/* ---- poll_oneoff: clock waits (sleep) and always-ready stdio -------------------------- */

enum { EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2 };
enum { SUB_SIZE = 48, EVENT_SIZE = 32, SUBCLOCK_ABSTIME = 1, EVENT_FD_HANGUP = 1 };

/* Monotonic deadline of a clock subscription, or false for an unknown clock. */
static bool clock_deadline(const wasi_ctx *c, const uint8_t *sub, uint64_t now_mono,
                           uint64_t *out)
{
    uint32_t id = load_u32(sub + 16);
    uint64_t timeout = load_u64(sub + 24);
    uint64_t now;
    if (!clock_now(c, id, &now)) return false;
    if (load_u32(sub + 40) & SUBCLOCK_ABSTIME)
        timeout = timeout > now ? timeout - now : 0;
    *out = now_mono + timeout < now_mono ? UINT64_MAX : now_mono + timeout;
    return true;
}

static void put_event(uint8_t *ev, uint64_t userdata, uint16_t error, uint8_t type,
                      uint16_t flags)
{
    __builtin_memset(ev, 0, EVENT_SIZE);
    store_u64(ev, userdata);
    store_u16(ev + 8, error);
    ev[10] = type;
    store_u16(ev + 24, flags);
}

/* Fd subscriptions are ready at once (stdout/stderr take writes, stdin is at EOF; other
 * fds report EBADF). With none of them, the call waits for the earliest clock by yielding
 * until its deadline; the wait's deadline is kept in the ctx across the retries. */
HOST_FN(poll_oneoff)
{
    wasi_ctx *c = env;
    guest_mem g = mem_of(cc);
    uint32_t n = ARG32(2);
    const uint8_t *subs = mem_at(&g, ARG32(0), (uint64_t)n * SUB_SIZE);
    uint8_t *events = mem_at(&g, ARG32(1), (uint64_t)n * EVENT_SIZE);
    if (!subs || !events || !mem_at(&g, ARG32(3), 4)) {
        c->sleeping = false;
        return answer(res, WASI_EFAULT);
    }
    if (n == 0) return answer(res, WASI_EINVAL);

    uint32_t ready = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *s = subs + (uint64_t)i * SUB_SIZE;
        uint8_t tag = s[8];
        if (tag != EVENT_FD_READ && tag != EVENT_FD_WRITE) continue;
        uint32_t fd = load_u32(s + 16);
        bool ok = stdio_open(c, fd) && (tag == EVENT_FD_READ) == (fd == 0);
        put_event(events + (uint64_t)ready++ * EVENT_SIZE, load_u64(s), ok ? 0 : WASI_EBADF,
                  tag, fd == 0 && ok ? EVENT_FD_HANGUP : 0);
    }
    if (ready) {
        c->sleeping = false;
        put_u32(&g, ARG32(3), ready);
        return answer(res, WASI_ESUCCESS);
    }

    /* only clocks: find the earliest deadline (computed once, on the first call) */
    uint64_t now = plat_time_ns(1);
    if (!c->sleeping) {
        uint64_t earliest = UINT64_MAX;
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *s = subs + (uint64_t)i * SUB_SIZE;
            uint64_t d;
            if (s[8] != EVENT_CLOCK) return answer(res, WASI_EINVAL);
            if (!clock_deadline(c, s, now, &d)) return answer(res, WASI_EINVAL);
            if (d < earliest) earliest = d;
        }
        c->wake_ns = earliest;
        c->sleeping = true;
    }
    if (now < c->wake_ns) return WASM_HOST_YIELD;
    c->sleeping = false;
    /* report the first clock subscription as fired (the one that set the deadline or an
     * equal one; preview1 allows reporting any subset of the ready events) */
    put_event(events, load_u64(subs), 0, EVENT_CLOCK, 0);
    put_u32(&g, ARG32(3), 1);
    return answer(res, WASI_ESUCCESS);
}

/* ---- the import table ------------------------------------------------------------------- */

/* Signatures: one letter per parameter (i = i32, I = i64); every function here returns an
 * i32 errno except proc_exit, which returns nothing. */
typedef struct {
    const char *name;
    const char *params;
    bool returns_errno;
    wasm_host_fn fn;
} wasi_import;

static const wasi_import wasi_imports[] = {
    {"args_get",                "ii",        true,  args_get},
    {"args_sizes_get",          "ii",        true,  args_sizes_get},
    {"environ_get",             "ii",        true,  environ_get},
    {"environ_sizes_get",       "ii",        true,  environ_sizes_get},
    {"clock_res_get",           "ii",        true,  clock_res_get},
    {"clock_time_get",          "iIi",       true,  clock_time_get},
    {"random_get",              "ii",        true,  random_get},
    {"sched_yield",             "",          true,  sched_yield},
    {"proc_exit",               "i",         false, proc_exit},
    {"proc_raise",              "i",         true,  stub_nosys},
    {"poll_oneoff",             "iiii",      true,  poll_oneoff},
    {"fd_write",                "iiii",      true,  fd_write},
    {"fd_read",                 "iiii",      true,  fd_read},
    {"fd_close",                "i",         true,  fd_close},
    {"fd_fdstat_get",           "ii",        true,  fd_fdstat_get},
    {"fd_filestat_get",         "ii",        true,  fd_filestat_get},
    {"fd_prestat_get",          "ii",        true,  fd_prestat_get},
    {"fd_prestat_dir_name",     "iii",       true,  fd_prestat_get},
    {"fd_seek",                 "iIii",      true,  stub_spipe},
    {"fd_tell",                 "ii",        true,  stub_spipe},
    {"fd_pread",                "iiiIi",     true,  stub_spipe},
    {"fd_pwrite",               "iiiIi",     true,  stub_spipe},
    {"fd_advise",               "iIIi",      true,  stub_spipe},
    {"fd_allocate",             "iII",       true,  stub_notsup},
    {"fd_datasync",             "i",         true,  stub_notsup},
    {"fd_sync",                 "i",         true,  stub_notsup},
    {"fd_fdstat_set_flags",     "ii",        true,  stub_notsup},
    {"fd_fdstat_set_rights",    "iII",       true,  stub_notsup},
    {"fd_filestat_set_size",    "iI",        true,  stub_notsup},
    {"fd_filestat_set_times",   "iIIi",      true,  stub_notsup},
    {"fd_renumber",             "ii",        true,  stub_notsup},
    {"fd_readdir",              "iiiIi",     true,  stub_notdir},
    {"path_create_directory",   "iii",       true,  stub_notdir},
    {"path_filestat_get",       "iiiii",     true,  stub_notdir},
    {"path_filestat_set_times", "iiiiIIi",   true,  stub_notdir},
    {"path_link",               "iiiiiii",   true,  stub_notdir},
    {"path_open",               "iiiiiIIii", true,  stub_notdir},
    {"path_readlink",           "iiiiii",    true,  stub_notdir},
    {"path_remove_directory",   "iii",       true,  stub_notdir},
    {"path_rename",             "iiiiii",    true,  stub_notdir},
    {"path_symlink",            "iiiii",     true,  stub_symlink},
    {"path_unlink_file",        "iii",       true,  stub_notdir},
    {"sock_accept",             "iii",       true,  stub_notsock},
    {"sock_recv",               "iiiiii",    true,  stub_notsock},
    {"sock_send",               "iiiii",     true,  stub_notsock},
    {"sock_shutdown",           "ii",        true,  stub_notsock},
};
#define NUM_WASI_IMPORTS (sizeof wasi_imports / sizeof wasi_imports[0])

static bool name_is(const char *s, uint32_t len, const char *want)
{
    return str_len(want) == len && __builtin_memcmp(s, want, len) == 0;
}

static const wasi_import *find_wasi(const char *name, uint32_t len)
{
    for (size_t i = 0; i < NUM_WASI_IMPORTS; i++)
        if (name_is(name, len, wasi_imports[i].name)) return &wasi_imports[i];
    return NULL;
}

/* The engine's type of a table entry; arrays are static (the engine copies them). */
static wasm_functype type_of(const wasi_import *w, uint8_t params[12])
{
    static const uint8_t errno_result[1] = {WASM_I32};
    wasm_functype t;
    uint32_t n = (uint32_t)str_len(w->params);
    for (uint32_t i = 0; i < n; i++) params[i] = w->params[i] == 'I' ? WASM_I64 : WASM_I32;
    t.nparams = n;
    t.params = params;
    t.nresults = w->returns_errno ? 1 : 0;
    t.results = errno_result;
    return t;
}

static bool same_type(const wasm_functype *a, const wasm_functype *b)
{
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           __builtin_memcmp(a->params, b->params, a->nparams) == 0 &&
           __builtin_memcmp(a->results, b->results, a->nresults) == 0;
}

/* ---- error messages (no libc here: a tiny bounded appender) --------------------------- */

typedef struct { char *buf; size_t cap, len; } msgbuf;

static void msg_add(msgbuf *m, const char *s, size_t n)
{
    for (size_t i = 0; i < n && m->len + 1 < m->cap; i++) {
        char ch = s[i];
        m->buf[m->len++] = (ch >= 0x20 && ch < 0x7F) ? ch : '?';
    }
    if (m->cap) m->buf[m->len] = '\0';
}

static void msg_str(msgbuf *m, const char *s) { msg_add(m, s, str_len(s)); }

static void msg_import(msgbuf *m, const wasm_importdesc *d)
{
    msg_str(m, "import \"");
    msg_add(m, d->module, d->module_len > 64 ? 64 : d->module_len);
    msg_str(m, ".");
    msg_add(m, d->name, d->name_len > 64 ? 64 : d->name_len);
    msg_str(m, "\"");
}

/* Checks one import; on refusal writes why and returns false. *w is the wasi entry for a
 * wasi import, NULL for a "sip" import. */
static bool check_import(const wasm_importdesc *d, const wasi_import **w, msgbuf *m)
{
    *w = NULL;
    if (name_is(d->module, d->module_len, SIP_MODULE_NAME)) return true;
    if (!name_is(d->module, d->module_len, WASI_MODULE_NAME)) {
        msg_import(m, d);
        msg_str(m, " is not allowed: a SIP may import only from \"" WASI_MODULE_NAME
                   "\" and \"" SIP_MODULE_NAME "\"");
        return false;
    }
    if (d->kind != WASM_EXTERN_FUNC) {
        msg_import(m, d);
        msg_str(m, " is not a function: " WASI_MODULE_NAME " provides only functions");
        return false;
    }
    *w = find_wasi(d->name, d->name_len);
    if (!*w) {
        msg_import(m, d);
        msg_str(m, " is not a " WASI_MODULE_NAME " function");
        return false;
    }
    uint8_t params[12];
    wasm_functype want = type_of(*w, params);
    if (!same_type(&want, &d->func)) {
        msg_import(m, d);
        msg_str(m, " has the wrong signature for " WASI_MODULE_NAME);
        return false;
    }
    return true;
}

bool wasi_check_imports(const wasm_module *m, char *err, size_t errlen)
{
    msgbuf mb = {err, errlen, 0};
    if (errlen) err[0] = '\0';
    uint32_t n = wasm_module_num_imports(m);
    for (uint32_t i = 0; i < n; i++) {
        wasm_importdesc d;
        const wasi_import *w;
        wasm_module_import(m, i, &d);
        if (!check_import(&d, &w, &mb)) return false;
    }
    return true;
}

int wasi_bind(wasm_store *s, const wasm_module *m, wasi_ctx *c, wasm_extern *imports_out,
              char *err, size_t errlen)
{
    msgbuf mb = {err, errlen, 0};
    if (errlen) err[0] = '\0';
    uint32_t n = wasm_module_num_imports(m);
    int unbound = 0;
    for (uint32_t i = 0; i < n; i++) {
        wasm_importdesc d;
        const wasi_import *w;
        wasm_module_import(m, i, &d);
        if (!check_import(&d, &w, &mb)) return -1;
        if (!w) {
            imports_out[i].kind = WASI_UNBOUND_KIND;
            imports_out[i].addr = 0;
            unbound++;
            continue;
        }
        uint8_t params[12];
        wasm_functype t = type_of(w, params);
        imports_out[i] = wasm_store_host_func(s, &t, w->fn, c);
        if (imports_out[i].kind == 0xFF) {
            msg_str(&mb, "out of memory creating host function ");
            msg_str(&mb, w->name);
            return -1;
        }
    }
    return unbound;
}

/* ---- the context ------------------------------------------------------------------------ */

static char **copy_strings(const char *const *src, uint32_t n, uint32_t *bytes)
{
    char **v = plat_alloc(((size_t)n + 1) * sizeof *v);
    if (!v) return NULL;
    *bytes = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = str_len(src[i]) + 1;
        v[i] = plat_alloc(len);
        if (!v[i]) {
            while (i > 0) plat_free(v[--i]);
            plat_free(v);
            return NULL;
        }
        copy_bytes(v[i], src[i], len);
        *bytes += (uint32_t)len;
    }
    v[n] = NULL;
    return v;
}

static void free_strings(char **v, uint32_t n)
{
    if (!v) return;
    for (uint32_t i = 0; i < n; i++) plat_free(v[i]);
    plat_free(v);
}

bool wasi_ctx_init(wasi_ctx *c, uint32_t argc, const char *const *argv,
                   uint32_t envc, const char *const *envp)
{
    __builtin_memset(c, 0, sizeof *c);
    c->start_ns = plat_time_ns(1);
    c->argv = copy_strings(argv, argc, &c->argv_bytes);
    c->envp = copy_strings(envp, envc, &c->env_bytes);
    if (!c->argv || !c->envp) {
        wasi_ctx_free(c);
        return false;
    }
    c->argc = argc;
    c->envc = envc;
    return true;
}

void wasi_ctx_set_log(wasi_ctx *c, wasi_log_fn fn, void *user)
{
    c->log = fn;
    c->log_user = user;
}

void wasi_ctx_free(wasi_ctx *c)
{
    free_strings(c->argv, c->argc);
    free_strings(c->envp, c->envc);
    c->argv = c->envp = NULL;
    c->argc = c->envc = 0;
}

/* ---- running a command ------------------------------------------------------------------ */

static void set_err(wasm_err *err, wasm_errcode code, const char *a, const char *b)
{
    msgbuf mb = {err->msg, sizeof err->msg, 0};
    err->code = code;
    err->msg[0] = '\0';
    msg_str(&mb, a);
    if (b) msg_str(&mb, b);
}

static void copy_msg(char *dst, size_t cap, const char *src)
{
    msgbuf mb = {dst, cap, 0};
    dst[0] = '\0';
    if (src) msg_str(&mb, src);
}

/* Binds WASI in s, instantiates m, runs its start function and pushes the call of _start.
 * WASM_OK with r->outcome set means the program already ended in its start function. */
static wasm_errcode start_command(wasm_store *s, const wasm_module *m, wasi_ctx *c,
                                  uint64_t fuel, wasi_run_result *r, bool *ended, wasm_err *err)
{
    *ended = false;
    uint32_t n = wasm_module_num_imports(m);
    wasm_extern *imports = plat_alloc(((size_t)n + 1) * sizeof *imports);
    if (!imports) {
        set_err(err, WASM_ERR_NOMEM, "out of memory", NULL);
        return WASM_ERR_NOMEM;
    }
    char why[160];
    int unbound = wasi_bind(s, m, c, imports, why, sizeof why);
    if (unbound != 0) {
        for (uint32_t i = 0; unbound > 0 && i < n; i++) {
            wasm_importdesc d;
            wasm_module_import(m, i, &d);
            if (imports[i].kind != WASI_UNBOUND_KIND) continue;
            msgbuf mb = {why, sizeof why, 0};
            msg_import(&mb, &d);
            msg_str(&mb, " needs the sip ABI, which only a node kernel (sipnode) provides");
            break;
        }
        plat_free(imports);
        set_err(err, WASM_ERR_LINK, "module refused: ", why);
        return WASM_ERR_LINK;
    }

    wasm_instance *inst = NULL;
    wasm_errcode rc = wasm_instantiate(s, m, imports, n, true, fuel, &inst, err);
    plat_free(imports);
    if (rc == WASM_ERR_TRAP) {          /* the start function trapped or exited */
        *ended = true;
        if (c->exited) {
            r->outcome = WASI_RUN_EXITED;
            r->exit_code = c->exit_code;
        } else {
            r->outcome = WASI_RUN_TRAPPED;
            r->trap = WASM_TRAP_HOST;
            copy_msg(r->msg, sizeof r->msg, err->msg);
        }
        return WASM_OK;
    }
    if (rc != WASM_OK) return rc;

    wasm_extern start;
    if (!wasm_instance_export(inst, "_start", 6, &start) || start.kind != WASM_EXTERN_FUNC) {
        set_err(err, WASM_ERR_LINK, "module refused: it exports no _start function "
                "(a WASI command is built with crt1-command.o)", NULL);
        return WASM_ERR_LINK;
    }
    return wasm_invoke_begin(s, start.addr, NULL, 0, err);
}

wasm_errcode wasi_run_command(wasm_store *s, const wasm_module *m, wasi_ctx *c,
                              uint64_t fuel, wasi_run_result *r, wasm_err *err)
{
    return wasi_run_command_sliced(&s, m, c, fuel, 0, NULL, NULL, r, err);
}

wasm_errcode wasi_run_command_sliced(wasm_store **sp, const wasm_module *m, wasi_ctx *c,
                                     uint64_t fuel, uint64_t slice, wasi_slice_fn between,
                                     void *user, wasi_run_result *r, wasm_err *err)
{
    __builtin_memset(r, 0, sizeof *r);
    uint64_t fuel_base = wasm_fuel_used(*sp);
    bool ended;
    wasm_errcode rc = start_command(*sp, m, c, fuel, r, &ended, err);
    if (rc != WASM_OK || ended) {
        r->fuel_used = wasm_fuel_used(*sp) - fuel_base;
        return rc;
    }

    for (;;) {
        uint64_t used = wasm_fuel_used(*sp) - fuel_base;
        uint64_t budget = UINT64_MAX;
        if (fuel) {
            if (used >= fuel) {
                r->outcome = WASI_RUN_OUT_OF_FUEL;
                break;
            }
            budget = fuel - used;
        }
        if (slice && between && slice < budget) budget = slice;
        wasm_run_status st = wasm_run(*sp, budget);
        if (st == WASM_RUN_YIELD) {
            if (c->sleeping && c->idle) c->idle(c->idle_user, c->wake_ns);
            continue;
        }
        if (st == WASM_RUN_FUEL) {
            if (fuel && wasm_fuel_used(*sp) - fuel_base >= fuel) {
                r->outcome = WASI_RUN_OUT_OF_FUEL;
                break;
            }
            if (slice && between) {
                wasm_store *next = between(user, *sp, m, c);
                if (!next) {
                    set_err(err, WASM_ERR_SNAPSHOT, "the slice hook could not continue the run",
                            NULL);
                    return WASM_ERR_SNAPSHOT;
                }
                *sp = next;
            }
            continue;
        }
        if (st == WASM_RUN_DONE || st == WASM_RUN_EXIT) {
            r->outcome = WASI_RUN_EXITED;
            r->exit_code = st == WASM_RUN_EXIT ? wasm_run_exit_code(*sp) : 0;
            break;
        }
        const char *msg = NULL;
        r->outcome = WASI_RUN_TRAPPED;
        r->trap = wasm_run_trap(*sp, &msg);
        copy_msg(r->msg, sizeof r->msg, msg ? msg : wasm_trap_text(r->trap));
        break;
    }
    r->fuel_used = wasm_fuel_used(*sp) - fuel_base;
    return WASM_OK;
}
