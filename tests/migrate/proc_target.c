/* Migration into another process over loopback TCP (see proc_target.h). */
#include "tests/migrate/proc_target.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "node-kernel/core/platform.h"
#include "node-kernel/core/wasm_sip.h"
#include "node-kernel/hosted/deploy.h"
#include "tests/migrate/xfer.h"

#define MAX_FRAME (1ull << 30)

static char *tlog;
static size_t tlog_len;

static void t_on_log(void *arg, sip *s, int fd, const char *text, size_t n)
{
    char *p = realloc(tlog, tlog_len + n + 1);
    if (!p)
        return;
    memcpy(p + tlog_len, text, n);
    tlog_len += n;
    p[tlog_len] = 0;
    tlog = p;
}

static int32_t t_code;
static void t_on_exit(void *arg, sip *s)
{
    t_code = s->end == SIP_END_EXIT ? s->exit_code : -1;
}

typedef struct fetch_ctx { int fd; wasm_module *got; } fetch_ctx;

/* The target has no module store of its own here: every module is fetched and verified. */
static const wasm_module *fetch_module(void *arg, const uint8_t *hash, char *err, size_t errlen)
{
    fetch_ctx *fc = arg;
    if (fc->got && !memcmp(wasm_module_hash(fc->got), hash, 32))
        return fc->got;
    uint32_t type;
    uint8_t *data;
    size_t len;
    if (xfer_send(fc->fd, XF_FETCH, hash, 32) ||
        xfer_recv(fc->fd, &type, &data, &len, MAX_FRAME, 10000) || type != XF_MODULE) {
        snprintf(err, errlen, "module fetch failed");
        return NULL;
    }
    wasm_module *m = len ? wasm_sip_load_module(data, len, err, errlen) : NULL;
    free(data);
    if (!len)
        snprintf(err, errlen, "the source has no module with that hash");
    if (m && memcmp(wasm_module_hash(m), hash, 32)) {
        snprintf(err, errlen, "fetched module does not match the hash");
        wasm_module_free(m);
        m = NULL;
    }
    fc->got = m;
    return m;
}

static int target_main(uint16_t port, target_mode mode, const contract_set *cs)
{
    int fd = xfer_connect(port);
    if (fd < 0)
        return 2;
    fetch_ctx fc = { fd, NULL };
    migrate_base base = { 0 };
    bool base_bad = false;
    for (;;) {
        if (mode == TARGET_DIE_EARLY) {
            uint8_t b;
            if (read(fd, &b, 1) == 1)
                _exit(9);
        }
        uint32_t type;
        uint8_t *img;
        size_t len;
        if (xfer_recv(fd, &type, &img, &len, MAX_FRAME, -1))
            return 3;
        if (type == XF_PAGES) {                     /* pre-copy: accumulate the base */
            char err[256];
            if (migrate_base_apply(&base, img, len, err, sizeof err) < 0)
                base_bad = true;
            free(img);
            continue;
        }
        if (type == XF_RAW) {                       /* the benchmark's baseline transfer */
            free(img);
            xfer_send(fd, XF_RESUMED, NULL, 0);
            continue;
        }
        if (type != XF_IMAGE) {
            free(img);
            return type == XF_QUIT ? 0 : 3;
        }
        kernel *k = kernel_new(0);
        k->on_log = t_on_log;
        k->on_exit = t_on_exit;
        if (cs)
            kernel_add_contracts(k, cs);
        char err[256];
        endpoint **ext;
        uint32_t next;
        sip *s = base_bad ? NULL
               : migrate_restore(k, img, len, &base, fetch_module, &fc, &ext, &next, err, sizeof err);
        if (base_bad)
            snprintf(err, sizeof err, "a pre-copy round was damaged");
        free(img);
        migrate_base_free(&base);
        base_bad = false;
        if (!s) {
            xfer_send(fd, XF_REFUSED, err, strlen(err));
            kernel_free(k);
            continue;
        }
        for (uint32_t i = 0; i < next; i++)       /* no channels across processes here */
            chan_peer_closed(ext[i]);
        free(ext);
        if (mode == TARGET_STALL)
            for (;;)
                pause();
        migrate_resume(s);
        xfer_send(fd, XF_RESUMED, NULL, 0);
        if (mode == TARGET_SINK) {
            sip_kill(s, "benchmark");
            kernel_free(k);
            continue;
        }
        while (k->nsips_live) {
            if (!kernel_run(k, 256)) {
                struct timespec ts = { 0, 100000 };
                nanosleep(&ts, NULL);
            }
        }
        kernel_free(k);
        xfer_send(fd, XF_LOG, tlog ? tlog : "", tlog_len);
        xfer_send(fd, XF_EXIT, &t_code, sizeof t_code);
        return 0;
    }
}

pid_t target_spawn(uint16_t port, target_mode mode, const contract_set *cs)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(target_main(port, mode, cs));
    return pid;
}

static void send_module(proc_source *ps, const uint8_t *hash)
{
    for (uint32_t i = 0; i < ps->nmods; i++) {
        if (memcmp(wasm_module_hash(ps->mods[i]), hash, 32))
            continue;
        char err[256];
        size_t len;
        uint8_t *bytes = deploy_read_file(ps->paths[i], &len, err, sizeof err);
        if (bytes) {
            xfer_send(ps->fd, XF_MODULE, bytes, len);
            free(bytes);
            return;
        }
    }
    xfer_send(ps->fd, XF_MODULE, NULL, 0);
}

void proc_source_migrate(proc_source *ps, sip *s, proc_result *r)
{
    memset(r, 0, sizeof *r);
    uint64_t start = plat_time_ns(1);
    uint32_t id = s->id;
    migrate_precopy pc = { 0 };
    for (int i = 0; i < ps->precopy_rounds; i++) {
        uint8_t *buf;
        size_t len;
        uint32_t dirty;
        if (migrate_precopy_round(s, &pc, &buf, &len, &dirty, r->error, sizeof r->error) < 0) {
            migrate_precopy_free(&pc);
            return;
        }
        int sent = xfer_send(ps->fd, XF_PAGES, buf, len);
        plat_free(buf);
        if (sent) {
            snprintf(r->error, sizeof r->error, "the target went away during pre-copy");
            migrate_precopy_free(&pc);
            return;
        }
        r->precopy_bytes += len;
        r->rounds++;
        if (dirty <= ps->stop_dirty)
            break;
        kernel_run(ps->k, ps->slices_between);     /* it runs on meanwhile */
        if (sip_by_id(ps->k, id) != s) {
            snprintf(r->error, sizeof r->error, "the SIP ended during pre-copy");
            migrate_precopy_free(&pc);
            return;
        }
    }
    uint64_t t0 = plat_time_ns(1);
    if (migrate_pause(s) < 0) {
        snprintf(r->error, sizeof r->error, "cannot pause");
        migrate_precopy_free(&pc);
        return;
    }
    migrate_image img;
    int saved = r->rounds ? migrate_save_precopied(s, &pc, &img, r->error, sizeof r->error)
                          : migrate_save(s, &img, r->error, sizeof r->error);
    migrate_precopy_free(&pc);
    if (saved < 0) {
        migrate_resume(s);
        return;
    }
    r->image_bytes = img.len;
    if (xfer_send(ps->fd, XF_IMAGE, img.buf, img.len)) {
        snprintf(r->error, sizeof r->error, "the target went away during the transfer");
        goto resume;
    }
    for (;;) {
        uint32_t type;
        uint8_t *data;
        size_t len;
        if (xfer_recv(ps->fd, &type, &data, &len, 1 << 20, ps->timeout_ms)) {
            snprintf(r->error, sizeof r->error, "no answer from the target (dead or timed out)");
            goto resume;
        }
        if (type == XF_FETCH && len == 32) {
            send_module(ps, data);
            free(data);
            continue;
        }
        if (type == XF_RESUMED) {
            free(data);
            r->downtime_ns = plat_time_ns(1) - t0;
            if (ps->keep_source)
                migrate_resume(s);
            else
                migrate_release(s, &img, NULL);
            migrate_image_free(&img);
            r->total_ns = plat_time_ns(1) - start;
            r->moved = true;
            return;
        }
        snprintf(r->error, sizeof r->error, "refused: %.*s", (int)(len < 200 ? len : 200),
                 type == XF_REFUSED ? (char *)data : "unexpected answer");
        free(data);
        goto resume;
    }
resume:
    migrate_image_free(&img);
    migrate_resume(s);
}
