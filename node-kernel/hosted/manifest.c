/* Parser for sipnode's local manifest format (see manifest.h). */
#include "node-kernel/hosted/manifest.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 64

typedef struct {
    const char *file;
    uint32_t line;
    char *err;
    size_t errlen;
} parse_ctx;

static int fail(parse_ctx *p, const char *fmt, ...)
{
    int n = snprintf(p->err, p->errlen, "%s:%u: ", p->file, p->line);
    if (n < 0 || (size_t)n >= p->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - n, fmt, ap);
    va_end(ap);
    return -1;
}

static void *grow(void *arr, uint32_t n, size_t elem)
{
    return realloc(arr, (n + 1) * elem);
}

static int find_sip(const manifest *m, const char *name)
{
    for (uint32_t i = 0; i < m->nsips; i++)
        if (!strcmp(m->sips[i].name, name))
            return (int)i;
    return -1;
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) >= SIP_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

/* "16M", "4096", "1G", "64K" */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return false;
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1ull << 10, end++;
    else if (*end == 'M' || *end == 'm') mul = 1ull << 20, end++;
    else if (*end == 'G' || *end == 'g') mul = 1ull << 30, end++;
    if (*end || v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

static int do_quota(parse_ctx *p, mf_sip *s, char **w, int n)
{
    for (int i = 0; i < n; i++) {
        char *eq = strchr(w[i], '=');
        uint64_t v;
        if (!eq || !parse_size(eq + 1, &v) || v == 0)
            return fail(p, "quota: expected key=size (memory, fuel, heap, handles), got '%s'", w[i]);
        *eq = 0;
        if (!strcmp(w[i], "memory")) s->quota.memory_bytes = v;
        else if (!strcmp(w[i], "fuel")) s->quota.fuel_slice = v;
        else if (!strcmp(w[i], "heap")) s->quota.heap_bytes = v;
        else if (!strcmp(w[i], "handles") && v <= 65535) s->quota.handles = (uint32_t)v;
        else return fail(p, "quota: unknown key or value out of range '%s'", w[i]);
    }
    return 0;
}

/* "sip.name" -> index and name */
static int endpoint_ref(parse_ctx *p, const manifest *m, char *word, uint32_t *sip, char **name)
{
    char *dot = strchr(word, '.');
    if (!dot)
        return fail(p, "channel: expected SIP.endpoint, got '%s'", word);
    *dot = 0;
    int i = find_sip(m, word);
    if (i < 0)
        return fail(p, "channel: unknown SIP '%s' (declare it with `sip` first)", word);
    if (!valid_name(dot + 1))
        return fail(p, "channel: bad endpoint name '%s'", dot + 1);
    *sip = (uint32_t)i;
    *name = strdup(dot + 1);
    return 0;
}

static int do_line(parse_ctx *p, manifest *m, char **w, int n)
{
    const char *d = w[0];
    if (!strcmp(d, "contract")) {
        if (n != 2)
            return fail(p, "contract: expected one file name");
        m->contracts = grow(m->contracts, m->ncontracts, sizeof *m->contracts);
        m->contracts[m->ncontracts++] = strdup(w[1]);
        return 0;
    }
    if (!strcmp(d, "sip")) {
        if (n < 3)
            return fail(p, "sip: expected a name and a module");
        if (!valid_name(w[1]))
            return fail(p, "sip: bad name '%s' (letters, digits, _ and -; under %d chars)", w[1], SIP_NAME_MAX);
        if (find_sip(m, w[1]) >= 0)
            return fail(p, "sip: '%s' declared twice", w[1]);
        m->sips = grow(m->sips, m->nsips, sizeof *m->sips);
        mf_sip *s = &m->sips[m->nsips++];
        memset(s, 0, sizeof *s);
        s->name = strdup(w[1]);
        s->module = strdup(w[2]);
        s->argc = (uint32_t)(n - 2);
        s->argv = calloc(s->argc + 1, sizeof *s->argv);
        s->argv[0] = strdup(w[1]);
        for (int i = 3; i < n; i++)
            s->argv[i - 2] = strdup(w[i]);
        return 0;
    }
    if (!strcmp(d, "env") || !strcmp(d, "quota")) {
        if (n < 3)
            return fail(p, "%s: expected a SIP name and at least one setting", d);
        int i = find_sip(m, w[1]);
        if (i < 0)
            return fail(p, "%s: unknown SIP '%s'", d, w[1]);
        mf_sip *s = &m->sips[i];
        if (!strcmp(d, "quota"))
            return do_quota(p, s, w + 2, n - 2);
        for (int j = 2; j < n; j++) {
            if (!strchr(w[j], '=') || w[j][0] == '=')
                return fail(p, "env: expected KEY=value, got '%s'", w[j]);
            s->envp = grow(s->envp, s->envc, sizeof *s->envp);
            s->envp[s->envc++] = strdup(w[j]);
        }
        return 0;
    }
    if (!strcmp(d, "channel")) {
        if (n != 4)
            return fail(p, "channel: expected CONTRACT IMPSIP.name EXPSIP.name");
        mf_channel c = { .line = p->line };
        if (endpoint_ref(p, m, w[2], &c.imp_sip, &c.imp_name) ||
            endpoint_ref(p, m, w[3], &c.exp_sip, &c.exp_name)) {
            free(c.imp_name);
            return -1;
        }
        for (uint32_t i = 0; i < m->nchans; i++) {
            const mf_channel *o = &m->chans[i];
            if ((o->imp_sip == c.imp_sip && !strcmp(o->imp_name, c.imp_name)) ||
                (o->exp_sip == c.imp_sip && !strcmp(o->exp_name, c.imp_name)) ||
                (o->imp_sip == c.exp_sip && !strcmp(o->imp_name, c.exp_name)) ||
                (o->exp_sip == c.exp_sip && !strcmp(o->exp_name, c.exp_name))) {
                free(c.imp_name);
                free(c.exp_name);
                return fail(p, "channel: endpoint name already wired (line %u)", o->line);
            }
        }
        c.contract = strdup(w[1]);
        m->chans = grow(m->chans, m->nchans, sizeof *m->chans);
        m->chans[m->nchans++] = c;
        return 0;
    }
    return fail(p, "unknown directive '%s' (contract, sip, env, quota, channel)", d);
}

int manifest_parse(const char *text, const char *file, manifest *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    parse_ctx p = { file, 0, err, errlen };
    const char *s = text;
    while (*s) {
        p.line++;
        const char *eol = strchr(s, '\n');
        size_t len = eol ? (size_t)(eol - s) : strlen(s);
        char *line = strndup(s, len);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *w[MAX_WORDS];
        int n = 0;
        for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
            if (n == MAX_WORDS) {
                free(line);
                manifest_free(out);
                return fail(&p, "too many words on one line");
            }
            w[n++] = tok;
        }
        int r = n ? do_line(&p, out, w, n) : 0;
        free(line);
        if (r) {
            manifest_free(out);
            return -1;
        }
        s += len + (eol ? 1 : 0);
    }
    if (out->nsips == 0) {
        manifest_free(out);
        return fail(&p, "no SIPs declared");
    }
    return 0;
}

int manifest_load(const char *path, manifest *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            buf = realloc(buf, cap);
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    buf[len] = 0;
    if (strlen(buf) != len) {
        free(buf);
        snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
        return -1;
    }
    int r = manifest_parse(buf, path, out, err, errlen);
    free(buf);
    return r;
}

static void free_strv(char **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void manifest_free(manifest *m)
{
    free_strv(m->contracts, m->ncontracts);
    for (uint32_t i = 0; i < m->nsips; i++) {
        free(m->sips[i].name);
        free(m->sips[i].module);
        free_strv(m->sips[i].argv, m->sips[i].argc);
        free_strv(m->sips[i].envp, m->sips[i].envc);
    }
    free(m->sips);
    for (uint32_t i = 0; i < m->nchans; i++) {
        free(m->chans[i].contract);
        free(m->chans[i].imp_name);
        free(m->chans[i].exp_name);
    }
    free(m->chans);
    memset(m, 0, sizeof *m);
}
