/* Runs spec-suite files in child processes (see spec_suite.h).
 *
 * Each child converts its .wast into its own scratch subdirectory and runs the commands.
 * It publishes its counters and the command it is executing in a small shared mapping
 * (so the parent can still name the command after a crash) and streams one line per
 * failure or note through a pipe:  "F\tLINE\tTYPE\tDETAIL\n", "N\t...", or "C\tWHY\n" when
 * the conversion failed. The parent runs up to cfg->jobs children at once, drains their
 * pipes, and kills (by process group) any child past the per-file limit. */
#define _GNU_SOURCE
#include "tests/spec/spec_suite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/spec/spec_file.h"

/* ---- text buffers ---------------------------------------------------------------------- */

void spec_text_append(spec_text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + n + 1) cap *= 2;
        char *nb = realloc(t->buf, cap);
        if (!nb) { fprintf(stderr, "spec: out of memory\n"); abort(); }
        t->buf = nb;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = 0;
}

static void text_printf(spec_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(spec_text *t, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    spec_text_append(t, line, (size_t)n);
}

void spec_results_free(spec_file_result *files, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(files[i].failures.buf);
        free(files[i].note_lines.buf);
    }
    free(files);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- configuration and file list -------------------------------------------------------- */

static double env_double(const char *name, double dflt)
{
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    double d = strtod(v, &end);
    return (*end || d < 0) ? dflt : d;
}

void spec_config_init(spec_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->jobs = (unsigned)env_double("MULT_SPEC_JOBS", 2);
    if (cfg->jobs < 1) cfg->jobs = 1;
    if (cfg->jobs > 64) cfg->jobs = 64;
    cfg->file_timeout_s = env_double("MULT_SPEC_FILE_TIMEOUT", 60);
    cfg->command_timeout_s = env_double("MULT_SPEC_CMD_TIMEOUT", 20);
    cfg->fuel_slice = (uint64_t)env_double("MULT_SPEC_FUEL_SLICE", 0);
    cfg->fork_children = true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const spec_file_result *)a)->name, ((const spec_file_result *)b)->name);
}

static bool name_wanted(const char *file, char **names, int nnames, bool *used)
{
    if (nnames == 0) return true;
    for (int i = 0; i < nnames; i++) {
        size_t n = strlen(names[i]);
        if (strcmp(file, names[i]) == 0 ||
            (strncmp(file, names[i], n) == 0 && strcmp(file + n, ".wast") == 0)) {
            used[i] = true;
            return true;
        }
    }
    return false;
}

bool spec_list_files(const spec_config *cfg, char **names, int nnames,
                     spec_file_result **out, size_t *count, char *why, size_t whylen)
{
    DIR *d = opendir(cfg->suite_dir);
    if (!d) { snprintf(why, whylen, "cannot open %s: %s", cfg->suite_dir, strerror(errno)); return false; }
    bool *used = calloc((size_t)nnames + 1, sizeof *used);
    spec_file_result *files = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".wast") != 0) continue;
        if (!name_wanted(e->d_name, names, nnames, used)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 128;
            spec_file_result *nf = realloc(files, cap * sizeof *files);
            if (!nf) { closedir(d); free(files); free(used); snprintf(why, whylen, "out of memory"); return false; }
            files = nf;
        }
        spec_file_result *f = &files[n++];
        memset(f, 0, sizeof *f);
        snprintf(f->name, sizeof f->name, "%s", e->d_name);
        if (snprintf(f->path, sizeof f->path, "%s/%s", cfg->suite_dir, e->d_name) >= (int)sizeof f->path)
            continue;                           /* path too long: cannot happen in practice */
        f->outcome = spec_is_simd(f->name) && !cfg->run_simd ? SPEC_FILE_SIMD : SPEC_FILE_NOT_RUN;
    }
    closedir(d);
    for (int i = 0; i < nnames; i++) {
        if (!used[i]) {
            snprintf(why, whylen, "no file %s in %s", names[i], cfg->suite_dir);
            free(used);
            free(files);
            return false;
        }
    }
    free(used);
    if (n == 0) { snprintf(why, whylen, "no .wast files in %s", cfg->suite_dir); free(files); return false; }
    qsort(files, n, sizeof *files, cmp_names);
    *out = files;
    *count = n;
    return true;
}

/* ---- the child side ----------------------------------------------------------------------- */

typedef struct {
    volatile unsigned total, passed, failed, skipped, notes;
    volatile int line;
    char type[32];
} shared_state;

typedef struct {
    spec_sink sink;
    shared_state *sh;
    int fd;
} child_sink;

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        s += w;
        n -= (size_t)w;
    }
}

/* One protocol line; tabs and control characters inside fields become spaces. */
static void send_line(int fd, char tag, int line, const char *type, const char *detail)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "%c\t%d\t%s\t", tag, line, type);
    if (n < 0 || (size_t)n >= sizeof buf) return;
    size_t off = (size_t)n;
    for (const unsigned char *p = (const unsigned char *)detail; *p && off < sizeof buf - 2; p++)
        buf[off++] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p;
    buf[off++] = '\n';
    write_all(fd, buf, off);
}

static void child_begin(spec_sink *k, unsigned n) { ((child_sink *)k)->sh->total = n; }

static void child_start(spec_sink *k, int line, const char *type)
{
    shared_state *sh = ((child_sink *)k)->sh;
    sh->line = line;
    snprintf(sh->type, sizeof sh->type, "%s", type);
}

static void child_verdict(spec_sink *k, int line, const char *type, spec_verdict v, const char *detail)
{
    child_sink *c = (child_sink *)k;
    switch (v) {
    case SPEC_PASS: c->sh->passed++; break;
    case SPEC_SKIP: c->sh->skipped++; break;
    case SPEC_FAIL: c->sh->failed++; send_line(c->fd, 'F', line, type, detail); break;
    case SPEC_NOTE: c->sh->notes++; send_line(c->fd, 'N', line, type, detail); break;
    }
}

/* Convert and run one file; returns the child's exit status (0, or 3 for conversion). */
static int child_run(const spec_config *cfg, const spec_file_result *f, const char *workdir,
                     shared_state *sh, int fd)
{
    char json[SPEC_PATH_MAX + 300], why[1024];
    if (mkdir(workdir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, sizeof why, "cannot create %.900s: %s", workdir, strerror(errno));
        send_line(fd, 'C', 0, "file", why);
        return 3;
    }
    if (!spec_wast2json(f->path, workdir, json, sizeof json, why, sizeof why)) {
        send_line(fd, 'C', 0, "file", why);
        spec_remove_tree(workdir);
        return 3;
    }
    child_sink k = { { child_begin, child_start, child_verdict }, sh, fd };
    spec_file_options opt = { .command_timeout_s = cfg->command_timeout_s, .log_prints = cfg->log_prints,
                              .fuel_slice = cfg->fuel_slice };
    spec_file_run(json, &opt, &k.sink);
    spec_remove_tree(workdir);
    return 0;
}

/* ---- the parent side ----------------------------------------------------------------------- */

typedef struct {
    pid_t pid;
    int fd;
    spec_file_result *f;
    shared_state *sh;
    double start;
    char workdir[SPEC_PATH_MAX + 300];
    spec_text partial;              /* bytes of an unfinished protocol line */
    bool convert_failed;
} slot;

/* What the signal handler needs to clean up. */
static slot *g_slots;
static unsigned g_nslots;
static char g_tmp_dir[SPEC_PATH_MAX];

static void on_signal(int sig)
{
    for (unsigned i = 0; i < g_nslots; i++) {
        if (g_slots[i].pid > 0) {
            kill(-g_slots[i].pid, SIGKILL);
            kill(g_slots[i].pid, SIGKILL);
            waitpid(g_slots[i].pid, NULL, 0);
        }
    }
    spec_remove_tree(g_tmp_dir);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void handle_line(const spec_config *cfg, slot *s, char *line)
{
    char tag = line[0];
    if (!tag || line[1] != '\t') return;
    char *rest = line + 2;
    spec_file_result *f = s->f;
    if (tag == 'C') {
        char *detail = strchr(strchr(rest, '\t') ? strchr(rest, '\t') + 1 : rest, '\t');
        s->convert_failed = true;
        snprintf(f->outcome_detail, sizeof f->outcome_detail, "%s", detail ? detail + 1 : rest);
        return;
    }
    spec_text *t = tag == 'F' ? &f->failures : &f->note_lines;
    spec_text_append(t, rest, strlen(rest));
    spec_text_append(t, "\n", 1);
    if (cfg->verbose >= (tag == 'F' ? 1 : 2)) {
        int ln = atoi(rest);
        char *type = strchr(rest, '\t');
        printf("  %s:%d: %s%s\n", f->name, ln, tag == 'N' ? "note: " : "", type ? type + 1 : rest);
        fflush(stdout);
    }
}

static void drain(const spec_config *cfg, slot *s, bool *eof)
{
    char buf[65536];
    ssize_t n = read(s->fd, buf, sizeof buf);
    if (n < 0) { if (errno != EINTR && errno != EAGAIN) *eof = true; return; }
    if (n == 0) { *eof = true; return; }
    spec_text_append(&s->partial, buf, (size_t)n);
    char *p = s->partial.buf, *nl;
    while ((nl = memchr(p, '\n', s->partial.len - (size_t)(p - s->partial.buf)))) {
        *nl = 0;
        handle_line(cfg, s, p);
        p = nl + 1;
    }
    size_t left = s->partial.len - (size_t)(p - s->partial.buf);
    memmove(s->partial.buf, p, left);
    s->partial.len = left;
}

static bool start_child(const spec_config *cfg, slot *s, spec_file_result *f, unsigned index)
{
    int fds[2];
    memset(s, 0, sizeof *s);
    s->f = f;
    s->sh = mmap(NULL, sizeof *s->sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s->sh == MAP_FAILED) { s->sh = NULL; return false; }
    memset(s->sh, 0, sizeof *s->sh);
    if (pipe2(fds, O_CLOEXEC) != 0) { munmap(s->sh, sizeof *s->sh); s->sh = NULL; return false; }
    snprintf(s->workdir, sizeof s->workdir, "%s/%03u-%s", cfg->tmp_dir, index, f->name);
    fflush(stdout);
    fflush(stderr);
    s->start = now_s();
    pid_t pid = fork();
    if (pid < 0) { close(fds[0]); close(fds[1]); munmap(s->sh, sizeof *s->sh); s->sh = NULL; return false; }
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL); signal(SIGHUP, SIG_DFL);
        close(fds[0]);
        int rc = child_run(cfg, f, s->workdir, s->sh, fds[1]);
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    setpgid(pid, pid);
    close(fds[1]);
    s->pid = pid;
    s->fd = fds[0];
    return true;
}

/* Collect the child's counters and exit status into its result. */
static void finish_child(const spec_config *cfg, slot *s, bool timed_out)
{
    int st = 0;
    if (timed_out) { kill(-s->pid, SIGKILL); kill(s->pid, SIGKILL); }
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR) {}
    bool eof = false;
    while (!eof) drain(cfg, s, &eof);         /* whatever is still in the pipe */
    close(s->fd);

    spec_file_result *f = s->f;
    shared_state *sh = s->sh;
    f->seconds = now_s() - s->start;
    f->commands = sh->total;
    f->passed = sh->passed;
    f->failed = sh->failed;
    f->skipped = sh->skipped;
    f->notes = sh->notes;
    f->outcome = SPEC_FILE_DONE;

    bool crashed = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (s->convert_failed) {
        f->outcome = SPEC_FILE_CONVERT;
        f->failed = 1;
        text_printf(&f->failures, "0\tconvert\t%s\n", f->outcome_detail);
    } else if (timed_out || crashed) {
        char what[128];
        if (timed_out) snprintf(what, sizeof what, "killed after %.0f s (per-file limit)", cfg->file_timeout_s);
        else if (WIFSIGNALED(st)) snprintf(what, sizeof what, "crashed with signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
        else snprintf(what, sizeof what, "child exited with status %d", WEXITSTATUS(st));
        f->outcome = timed_out ? SPEC_FILE_TIMEOUT : SPEC_FILE_CRASHED;
        snprintf(f->outcome_detail, sizeof f->outcome_detail, "%s during line %d (%s)", what, sh->line, sh->type);
        text_printf(&f->failures, "%d\t%s\t%s\n", sh->line, sh->type, f->outcome_detail);
        if (cfg->verbose) printf("  %s:%d: %s\t%s\n", f->name, sh->line, sh->type, f->outcome_detail);
        /* the command that was running and every command after it did not pass */
        unsigned done = f->passed + f->failed + f->skipped;
        f->failed += f->commands > done ? f->commands - done : 0;
        if (f->failed == 0) f->failed = 1;
        if (f->commands < f->passed + f->failed + f->skipped) f->commands = f->passed + f->failed + f->skipped;
    }
    spec_remove_tree(s->workdir);
    free(s->partial.buf);
    munmap(s->sh, sizeof *s->sh);
    memset(s, 0, sizeof *s);
}

/* ---- in-process mode (no fork) ----------------------------------------------------------- */

typedef struct {
    spec_sink sink;
    const spec_config *cfg;
    spec_file_result *f;
} direct_sink;

static void direct_begin(spec_sink *k, unsigned n) { ((direct_sink *)k)->f->commands = n; }
static void direct_start(spec_sink *k, int line, const char *type) { (void)k; (void)line; (void)type; }

static void direct_verdict(spec_sink *k, int line, const char *type, spec_verdict v, const char *detail)
{
    direct_sink *d = (direct_sink *)k;
    spec_file_result *f = d->f;
    switch (v) {
    case SPEC_PASS: f->passed++; return;
    case SPEC_SKIP: f->skipped++; return;
    case SPEC_FAIL: f->failed++; text_printf(&f->failures, "%d\t%s\t%s\n", line, type, detail); break;
    case SPEC_NOTE: f->notes++; text_printf(&f->note_lines, "%d\t%s\t%s\n", line, type, detail); break;
    }
    if (d->cfg->verbose >= (v == SPEC_FAIL ? 1 : 2))
        printf("  %s:%d: %s%s\t%s\n", f->name, line, v == SPEC_NOTE ? "note: " : "", type, detail);
}

void spec_run_json(const spec_config *cfg, spec_file_result *f, const char *json_path)
{
    double start = now_s();
    direct_sink k = { { direct_begin, direct_start, direct_verdict }, cfg, f };
    spec_file_options opt = { .command_timeout_s = cfg->command_timeout_s, .log_prints = cfg->log_prints,
                              .fuel_slice = cfg->fuel_slice };
    spec_file_run(json_path, &opt, &k.sink);
    f->outcome = SPEC_FILE_DONE;
    f->seconds = now_s() - start;
}

static void run_in_process(const spec_config *cfg, spec_file_result *f, unsigned index)
{
    char workdir[SPEC_PATH_MAX + 300], json[SPEC_PATH_MAX + 600], why[1024];
    snprintf(workdir, sizeof workdir, "%s/%03u-%s", cfg->tmp_dir, index, f->name);
    mkdir(workdir, 0700);
    if (!spec_wast2json(f->path, workdir, json, sizeof json, why, sizeof why)) {
        f->outcome = SPEC_FILE_CONVERT;
        f->failed = 1;
        snprintf(f->outcome_detail, sizeof f->outcome_detail, "%.500s", why);
        text_printf(&f->failures, "0\tconvert\t%s\n", why);
    } else {
        spec_run_json(cfg, f, json);
    }
    spec_remove_tree(workdir);
}

/* ---- the scheduler -------------------------------------------------------------------------- */

bool spec_run_files(spec_config *cfg, spec_file_result *files, size_t count, char *why, size_t whylen)
{
    bool own_tmp = !cfg->tmp_dir[0];
    if (own_tmp && !spec_make_tmpdir(cfg->tmp_dir, sizeof cfg->tmp_dir)) {
        snprintf(why, whylen, "cannot create a scratch directory: %s", strerror(errno));
        return false;
    }
    slot *slots = calloc(cfg->jobs, sizeof *slots);
    if (!slots) { snprintf(why, whylen, "out of memory"); return false; }
    snprintf(g_tmp_dir, sizeof g_tmp_dir, "%s", own_tmp ? cfg->tmp_dir : "");
    g_slots = slots;
    g_nslots = cfg->jobs;
    struct sigaction sa, old_int, old_term, old_hup;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);

    bool ok = true;
    size_t next = 0;
    unsigned running = 0;
    for (;;) {
        while (next < count && files[next].outcome != SPEC_FILE_NOT_RUN) next++;
        if (!cfg->fork_children) {
            if (next == count) break;
            run_in_process(cfg, &files[next], (unsigned)next);
            next++;
            continue;
        }
        /* fill free slots */
        for (unsigned i = 0; i < cfg->jobs && next < count; i++) {
            if (slots[i].pid) continue;
            if (!start_child(cfg, &slots[i], &files[next], (unsigned)next)) {
                snprintf(why, whylen, "cannot start a child process: %s", strerror(errno));
                ok = false;
                next = count;
                break;
            }
            running++;
            next++;
            while (next < count && files[next].outcome != SPEC_FILE_NOT_RUN) next++;
        }
        if (running == 0) break;

        struct pollfd pfd[64];
        unsigned map[64], np = 0;
        for (unsigned i = 0; i < cfg->jobs; i++) {
            if (!slots[i].pid) continue;
            pfd[np].fd = slots[i].fd;
            pfd[np].events = POLLIN;
            pfd[np].revents = 0;
            map[np++] = i;
        }
        poll(pfd, np, 100);
        double now = now_s();
        for (unsigned j = 0; j < np; j++) {
            slot *s = &slots[map[j]];
            bool eof = false;
            if (pfd[j].revents) drain(cfg, s, &eof);
            bool late = cfg->file_timeout_s > 0 && now - s->start > cfg->file_timeout_s;
            if (eof || late) {
                finish_child(cfg, s, !eof && late);
                running--;
            }
        }
    }

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    g_slots = NULL;
    g_nslots = 0;
    free(slots);
    if (own_tmp) {
        spec_remove_tree(cfg->tmp_dir);
        cfg->tmp_dir[0] = 0;
        g_tmp_dir[0] = 0;
    }
    return ok;
}
