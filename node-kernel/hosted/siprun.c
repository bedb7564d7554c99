/* siprun: run one SIP module as a WASI command on Linux, without a node.
 *
 *   siprun [--fuel N] [--memory BYTES] [--snapshot-every N] [--env KEY=VALUE]... [--quiet]
 *          module.wasm [args...]
 *
 * Loads and validates the module, binds the WASI subset (node-kernel/core/wasi.c), runs
 * _start, and passes the SIP's log through: its fd 1 to stdout, its fd 2 to stderr. At the
 * end it says on stderr how the SIP ended ("siprun: exit 3 (fuel used N)", "siprun: trap:
 * ..."); --quiet drops that line for normal exits.
 *   --fuel N            stop the SIP after about N instructions
 *   --memory BYTES      cap its linear memory (suffix k, m or g), as a manifest quota does
 *   --snapshot-every N  every N fuel units, serialize the store, restore it into a fresh
 *                       store and go on there: the round trip a migration makes
 * Exit status: the SIP's exit code, or 124 (fuel ran out), 125 (trap), 126 (module refused:
 * malformed, invalid, forbidden import, no _start), 2 (usage). */
#include "node-kernel/core/wasi.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_USAGE = 2, EXIT_FUEL = 124, EXIT_TRAP = 125, EXIT_REFUSED = 126 };

static void usage_to(FILE *out, int status)
{
    fprintf(out, "usage: siprun [--fuel N] [--memory BYTES[k|m|g]] [--snapshot-every N] "
                 "[--env KEY=VALUE]... [--quiet] module.wasm [args...]\n");
    if (status == 0)
        fprintf(out, "Runs one WASI module outside a node (no channels: modules importing the\n"
                     "sip ABI need sipnode). Exit status: the SIP's, 124 out of fuel, 125 trap,\n"
                     "126 module refused or unreadable, 2 usage. See docs/sdk.md.\n");
    exit(status);
}

static void usage(void) { usage_to(stderr, EXIT_USAGE); }

/* "N", "Nk", "Nm" or "Ng" (powers of 1024); 0 if malformed or zero */
static uint64_t parse_size(const char *text)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 0);
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K') shift = 10;
    else if (*end == 'm' || *end == 'M') shift = 20;
    else if (*end == 'g' || *end == 'G') shift = 30;
    if (shift) end++;
    if (errno || *end || text[0] == '-' || n > (UINT64_MAX >> shift)) return 0;
    return (uint64_t)n << shift;
}

/* --snapshot-every: the store round trip between fuel slices */
typedef struct {
    wasm_limits_cfg limits;
    unsigned long trips;
    size_t last_bytes;
} migrator;

static wasm_store *round_trip(void *user, wasm_store *s, const wasm_module *m, wasi_ctx *c)
{
    migrator *mg = user;
    uint8_t *buf = NULL;
    size_t len = 0;
    wasm_err err;
    if (wasm_snapshot_save(s, &buf, &len, &err) != WASM_OK) {
        fprintf(stderr, "siprun: snapshot: %s\n", err.msg);
        return NULL;
    }
    uint32_t n = wasm_module_num_imports(m);
    wasm_extern *imports = calloc((size_t)n + 1, sizeof *imports);
    wasm_store *fresh = wasm_store_new(&mg->limits);
    char why[200];
    wasm_instance *inst;
    bool ok = imports && fresh && wasi_bind(fresh, m, c, imports, why, sizeof why) == 0 &&
              wasm_snapshot_restore(m, buf, len, imports, n, fresh, &inst, &err) == WASM_OK;
    if (!ok) fprintf(stderr, "siprun: restore: %s\n", fresh && imports ? err.msg : "out of memory");
    free(imports);
    wasm_free(buf);
    if (!ok) {
        if (fresh) wasm_store_free(fresh);
        return NULL;
    }
    wasm_store_free(s);
    mg->trips++;
    mg->last_bytes = len;
    return fresh;
}

static bool line_open;      /* the SIP's last output did not end with a newline */

/* The SIP's log: straight through to our own stdout/stderr. */
static void pass_log(void *user, int fd, const char *data, size_t len)
{
    FILE *out = fd == 2 ? stderr : stdout;
    if (fd == 2) fflush(stdout);
    fwrite(data, 1, len, out);
    if (fd == 2) fflush(stderr);
    if (len) line_open = data[len - 1] != '\n';
}

/* A sleeping SIP: nap until its deadline instead of spinning on the CPU. */
static void nap(void *user, uint64_t wake_ns)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(wake_ns / 1000000000u);
    ts.tv_nsec = (long)(wake_ns % 1000000000u);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap *= 2);
        if (!bigger) { free(buf); buf = NULL; }
        else buf = bigger;
    }
    if (buf && ferror(f)) { free(buf); buf = NULL; }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    uint64_t fuel = 0, slice = 0;
    wasm_limits_cfg limits = {0, 0, 0};
    bool quiet = false;
    const char **env = calloc((size_t)argc, sizeof *env);
    uint32_t envc = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--fuel") && i + 1 < argc) {
            char *end;
            errno = 0;
            fuel = strtoull(argv[++i], &end, 0);
            if (errno || *end || fuel == 0) usage();
        } else if (!strcmp(argv[i], "--snapshot-every") && i + 1 < argc) {
            char *end;
            errno = 0;
            slice = strtoull(argv[++i], &end, 0);
            if (errno || *end || slice == 0) usage();
        } else if (!strcmp(argv[i], "--memory") && i + 1 < argc) {
            limits.max_memory_bytes = parse_size(argv[++i]);
            if (limits.max_memory_bytes == 0) usage();
        } else if (!strcmp(argv[i], "--env") && i + 1 < argc && strchr(argv[i + 1], '=')) {
            env[envc++] = argv[++i];
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_to(stdout, 0);
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            quiet = true;
        } else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else {
            usage();
        }
    }
    if (i >= argc) usage();
    const char *path = argv[i];

    size_t len;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "siprun: %s: %s\n", path, strerror(errno ? errno : EIO));
        return EXIT_REFUSED;
    }
    wasm_module *m = NULL;
    wasm_err err;
    if (wasm_module_load(bytes, len, &m, &err) != WASM_OK) {
        fprintf(stderr, "siprun: %s: not a valid WebAssembly module: %s\n", path, err.msg);
        free(bytes);
        return EXIT_REFUSED;
    }
    free(bytes);

    /* the SIP's argv[0] is the module path as typed, like a program's under a shell */
    wasi_ctx ctx;
    if (!wasi_ctx_init(&ctx, (uint32_t)(argc - i), (const char *const *)argv + i, envc, env)) {
        fprintf(stderr, "siprun: out of memory\n");
        return EXIT_REFUSED;
    }
    wasi_ctx_set_log(&ctx, pass_log, NULL);
    ctx.idle = nap;

    wasm_store *s = wasm_store_new(&limits);
    wasi_run_result r;
    migrator mg = {limits, 0, 0};
    wasm_errcode rc = s ? wasi_run_command_sliced(&s, m, &ctx, fuel, slice, round_trip, &mg,
                                                  &r, &err)
                        : WASM_ERR_NOMEM;
    fflush(stdout);
    if (line_open && !(quiet && rc == WASM_OK && r.outcome == WASI_RUN_EXITED))
        fputc('\n', stderr);   /* our summary line starts on a line of its own */
    int status;
    if (rc != WASM_OK) {
        fprintf(stderr, "siprun: %s: %s\n", path, s ? err.msg : "out of memory");
        status = EXIT_REFUSED;
    } else if (r.outcome == WASI_RUN_EXITED) {
        if (!quiet && slice)
            fprintf(stderr, "siprun: exit %" PRIu32 " (fuel used %" PRIu64 ", %lu snapshot "
                    "round trips, last %zu bytes)\n", r.exit_code, r.fuel_used, mg.trips,
                    mg.last_bytes);
        else if (!quiet)
            fprintf(stderr, "siprun: exit %" PRIu32 " (fuel used %" PRIu64 ")\n", r.exit_code,
                    r.fuel_used);
        status = (int)(r.exit_code & 0xFF);
    } else if (r.outcome == WASI_RUN_TRAPPED) {
        fprintf(stderr, "siprun: trap: %s\n", r.msg);
        status = EXIT_TRAP;
    } else {
        fprintf(stderr, "siprun: out of fuel after %" PRIu64 " units\n", r.fuel_used);
        status = EXIT_FUEL;
    }
    if (s) wasm_store_free(s);
    wasm_module_free(m);
    wasi_ctx_free(&ctx);
    free(env);
    return status;
}
