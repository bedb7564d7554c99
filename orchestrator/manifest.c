/* Cluster manifest parser and validator (see manifest.h), on libyaml's document API:
 * the whole document is loaded as a node tree, then walked field by field; each node
 * carries its line for error messages. */
#include "orchestrator/manifest.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct ctx {
    yaml_document_t *doc;
    const char *file;
    char *err; size_t errlen;
    int failed;
} ctx;

static int fail(ctx *c, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
    if (c->failed)
        return -1;
    c->failed = 1;
    int off = snprintf(c->err, c->errlen, "%s:%lu: %s: ", c->file,
                       n ? (unsigned long)n->start_mark.line + 1 : 1ul, field);
    if (off < 0 || (size_t)off >= c->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + off, c->errlen - off, fmt, ap);
    va_end(ap);
    return -1;
}

static yaml_node_t *node(ctx *c, int id) { return yaml_document_get_node(c->doc, id); }
static uint32_t line_of(const yaml_node_t *n) { return (uint32_t)n->start_mark.line + 1; }

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A scalar as a new string, or an error naming field. */
static int get_str(ctx *c, yaml_node_t *n, const char *field, char **out)
{
    const char *s = scalar(n);
    if (!s)
        return fail(c, n, field, "expected a string");
    if (strlen(s) != n->data.scalar.length)
        return fail(c, n, field, "string contains a NUL byte");
    *out = strdup(s);
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > OM_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

static int get_name(ctx *c, yaml_node_t *n, const char *field, char **out)
{
    if (get_str(c, n, field, out))
        return -1;
    if (!valid_name(*out))
        return fail(c, n, field, "'%s' is not a name (1-%d of A-Z a-z 0-9 _ -)", *out, OM_NAME_MAX);
    return 0;
}

/* A size: digits with an optional K, M or G suffix (binary units). */
static int get_size(ctx *c, yaml_node_t *n, const char *field, uint64_t max, uint64_t *out)
{
    const char *s = scalar(n);
    if (!s || !isdigit((unsigned char)s[0]))
        return fail(c, n, field, "expected a number");
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1ull << 10, end++;
    else if (*end == 'M' || *end == 'm') mul = 1ull << 20, end++;
    else if (*end == 'G' || *end == 'g') mul = 1ull << 30, end++;
    if (*end || errno || v > max / mul)
        return fail(c, n, field, "'%s' is not a number up to %llu", s, (unsigned long long)max);
    *out = v * mul;
    return 0;
}

static int get_u32(ctx *c, yaml_node_t *n, const char *field, uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (get_size(c, n, field, max, &v))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A sequence of strings (a lone scalar counts as a one-element list). */
static int get_str_list(ctx *c, yaml_node_t *n, const char *field, int names, char ***out, uint32_t *count)
{
    if (n->type == YAML_SCALAR_NODE) {
        *out = calloc(1, sizeof **out);
        *count = 1;
        return names ? get_name(c, n, field, &(*out)[0]) : get_str(c, n, field, &(*out)[0]);
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n, field, "expected a list of strings");
    size_t k = n->data.sequence.items.top - n->data.sequence.items.start;
    *out = calloc(k + 1, sizeof **out);
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *it = node(c, n->data.sequence.items.start[i]);
        (*count)++;
        if (names ? get_name(c, it, field, &(*out)[i]) : get_str(c, it, field, &(*out)[i]))
            return -1;
    }
    return 0;
}

/* A mapping of string to string. */
static int get_kv_map(ctx *c, yaml_node_t *n, const char *field, om_kv **out, uint32_t *count)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n, field, "expected a mapping of names to values");
    size_t k = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
    *out = calloc(k + 1, sizeof **out);
    for (size_t i = 0; i < k; i++) {
        yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        yaml_node_t *kn = node(c, p->key), *vn = node(c, p->value);
        om_kv *kv = &(*out)[i];
        if (get_str(c, kn, field, &kv->key))
            return -1;
        (*count)++;
        if (!kv->key[0] || strchr(kv->key, '='))
            return fail(c, kn, field, "bad key '%s'", kv->key);
        if (get_str(c, vn, field, &kv->value))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp((*out)[j].key, kv->key))
                return fail(c, kn, field, "'%s' given twice", kv->key);
    }
    return 0;
}

/* Iterate a mapping's pairs: calls fn(key, value) for each; unknown keys are refused by
 * fn itself so the message can name them. */
typedef int (*pair_fn)(ctx *c, void *obj, const char *key, yaml_node_t *kn, yaml_node_t *vn);

static int each_pair(ctx *c, yaml_node_t *n, const char *what, void *obj, pair_fn fn)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(c, n, what, "expected a mapping");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = node(c, p->key), *vn = node(c, p->value);
        const char *k = scalar(kn);
        if (!k)
            return fail(c, kn, what, "keys must be strings");
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++)
            if (scalar(node(c, q->key)) && !strcmp(scalar(node(c, q->key)), k))
                return fail(c, kn, k, "given twice");
        if (fn(c, obj, k, kn, vn))
            return -1;
    }
    return 0;
}

static int restart_pair(ctx *c, void *obj, const char *k, yaml_node_t *kn, yaml_node_t *vn)
{
    om_sip *s = obj;
    if (!strcmp(k, "policy")) {
        const char *v = scalar(vn);
        if (v && !strcmp(v, "never")) s->restart = OM_RESTART_NEVER;
        else if (v && !strcmp(v, "on-failure")) s->restart = OM_RESTART_ON_FAILURE;
        else if (v && !strcmp(v, "always")) s->restart = OM_RESTART_ALWAYS;
        else return fail(c, vn, "restart.policy", "expected never, on-failure or always");
        return 0;
    }
    if (!strcmp(k, "backoff_ms"))
        return get_u32(c, vn, "restart.backoff_ms", 3600000, &s->backoff_ms);
    if (!strcmp(k, "max_backoff_ms"))
        return get_u32(c, vn, "restart.max_backoff_ms", 3600000, &s->max_backoff_ms);
    return fail(c, kn, "restart", "unknown field '%s'", k);
}

static int placement_pair(ctx *c, void *obj, const char *k, yaml_node_t *kn, yaml_node_t *vn)
{
    om_sip *s = obj;
    if (!strcmp(k, "labels"))
        return get_kv_map(c, vn, "placement.labels", &s->labels, &s->nlabels);
    if (!strcmp(k, "affinity"))
        return get_str_list(c, vn, "placement.affinity", 1, &s->affinity, &s->naffinity);
    if (!strcmp(k, "anti_affinity"))
        return get_str_list(c, vn, "placement.anti_affinity", 1, &s->anti, &s->nanti);
    return fail(c, kn, "placement", "unknown field '%s'", k);
}

static int endpoint_pair(ctx *c, void *obj, const char *k, yaml_node_t *kn, yaml_node_t *vn)
{
    om_endpoint *e = obj;
    if (!strcmp(k, "name"))
        return get_name(c, vn, "endpoints.name", &e->name);
    if (!strcmp(k, "contract"))
        return get_name(c, vn, "endpoints.contract", &e->contract);
    return fail(c, kn, "endpoints", "unknown field '%s'", k);
}

static int sip_pair(ctx *c, void *obj, const char *k, yaml_node_t *kn, yaml_node_t *vn)
{
    om_sip *s = obj;
    if (!strcmp(k, "name")) return get_name(c, vn, "name", &s->name);
    if (!strcmp(k, "module")) return get_str(c, vn, "module", &s->module);
    if (!strcmp(k, "memory")) return get_size(c, vn, "memory", 4ull << 30, &s->memory);
    if (!strcmp(k, "fuel")) return get_size(c, vn, "fuel", 1ull << 40, &s->fuel);
    if (!strcmp(k, "replicas")) return get_u32(c, vn, "replicas", 64, &s->replicas);
    if (!strcmp(k, "args")) return get_str_list(c, vn, "args", 0, &s->args, &s->nargs);
    if (!strcmp(k, "env")) return get_kv_map(c, vn, "env", &s->env, &s->nenv);
    if (!strcmp(k, "restart")) {
        if (scalar(vn))      /* shorthand: restart: always */
            return restart_pair(c, s, "policy", kn, vn);
        return each_pair(c, vn, "restart", s, restart_pair);
    }
    if (!strcmp(k, "placement")) return each_pair(c, vn, "placement", s, placement_pair);
    if (!strcmp(k, "endpoints")) {
        if (vn->type != YAML_SEQUENCE_NODE)
            return fail(c, vn, "endpoints", "expected a list");
        size_t n = vn->data.sequence.items.top - vn->data.sequence.items.start;
        s->eps = calloc(n + 1, sizeof *s->eps);
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *en = node(c, vn->data.sequence.items.start[i]);
            s->neps++;
            if (each_pair(c, en, "endpoints", &s->eps[i], endpoint_pair))
                return -1;
            if (!s->eps[i].name || !s->eps[i].contract)
                return fail(c, en, "endpoints", "each endpoint needs a name and a contract");
            for (size_t j = 0; j < i; j++)
                if (!strcmp(s->eps[j].name, s->eps[i].name))
                    return fail(c, en, "endpoints", "'%s' given twice", s->eps[i].name);
        }
        return 0;
    }
    return fail(c, kn, "sips", "unknown field '%s'", k);
}

/* "sip.endpoint" split in two names. */
static int get_end(ctx *c, yaml_node_t *n, const char *field, char **sip, char **ep)
{
    char *s;
    if (get_str(c, n, field, &s))
        return -1;
    char *dot = strchr(s, '.');
    if (dot) {
        *dot = 0;
        *sip = strdup(s);
        *ep = strdup(dot + 1);
    }
    free(s);
    if (!dot || !valid_name(*sip) || !valid_name(*ep))
        return fail(c, n, field, "expected SIP.ENDPOINT");
    return 0;
}

static int chan_pair(ctx *c, void *obj, const char *k, yaml_node_t *kn, yaml_node_t *vn)
{
    om_channel *ch = obj;
    if (!strcmp(k, "from")) return get_end(c, vn, "channels.from", &ch->imp_sip, &ch->imp_ep);
    if (!strcmp(k, "to")) return get_end(c, vn, "channels.to", &ch->exp_sip, &ch->exp_ep);
    if (!strcmp(k, "contract")) return get_name(c, vn, "channels.contract", &ch->contract);
    return fail(c, kn, "channels", "unknown field '%s'", k);
}

static int top_pair(ctx *c, void *obj, const char *k, yaml_node_t *kn, yaml_node_t *vn)
{
    om_app *a = obj;
    if (!strcmp(k, "app"))
        return get_name(c, vn, "app", &a->name);
    if (!strcmp(k, "contracts"))
        return get_str_list(c, vn, "contracts", 0, &a->contracts, &a->ncontracts);
    if (!strcmp(k, "sips")) {
        if (vn->type != YAML_SEQUENCE_NODE)
            return fail(c, vn, "sips", "expected a list");
        size_t n = vn->data.sequence.items.top - vn->data.sequence.items.start;
        a->sips = calloc(n + 1, sizeof *a->sips);
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *sn = node(c, vn->data.sequence.items.start[i]);
            om_sip *s = &a->sips[i];
            a->nsips++;
            s->replicas = 1;
            s->line = sn ? line_of(sn) : 1;
            if (each_pair(c, sn, "sips", s, sip_pair))
                return -1;
        }
        return 0;
    }
    if (!strcmp(k, "channels")) {
        if (vn->type != YAML_SEQUENCE_NODE)
            return fail(c, vn, "channels", "expected a list");
        size_t n = vn->data.sequence.items.top - vn->data.sequence.items.start;
        a->chans = calloc(n + 1, sizeof *a->chans);
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *cn = node(c, vn->data.sequence.items.start[i]);
            a->chans[i].line = cn ? line_of(cn) : 1;
            a->nchans++;
            if (each_pair(c, cn, "channels", &a->chans[i], chan_pair))
                return -1;
        }
        return 0;
    }
    return fail(c, kn, "manifest", "unknown field '%s'", k);
}

const om_sip *om_find_sip(const om_app *a, const char *name)
{
    for (uint32_t i = 0; i < a->nsips; i++)
        if (a->sips[i].name && !strcmp(a->sips[i].name, name))
            return &a->sips[i];
    return NULL;
}

static const om_endpoint *find_ep(const om_sip *s, const char *name)
{
    for (uint32_t i = 0; i < s->neps; i++)
        if (!strcmp(s->eps[i].name, name))
            return &s->eps[i];
    return NULL;
}

/* Cross-field rules, after every field parsed. */
static int check_app(ctx *c, yaml_node_t *root, om_app *a)
{
    char at[32];
    if (!a->name)
        return fail(c, root, "app", "missing (every manifest names its application)");
    if (!a->nsips)
        return fail(c, root, "sips", "missing or empty (an application has at least one SIP)");
    for (uint32_t i = 0; i < a->nsips; i++) {
        om_sip *s = &a->sips[i];
        snprintf(at, sizeof at, "sips[%u]", i);
        yaml_node_t fake = { .start_mark.line = s->line - 1 };
        if (!s->name)
            return fail(c, &fake, at, "missing name");
        if (!s->module)
            return fail(c, &fake, s->name, "missing module");
        if (!s->replicas)
            return fail(c, &fake, "replicas", "must be at least 1");
        if (s->max_backoff_ms && s->max_backoff_ms < s->backoff_ms)
            return fail(c, &fake, "restart.max_backoff_ms", "smaller than backoff_ms");
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(a->sips[j].name, s->name))
                return fail(c, &fake, "name", "SIP '%s' defined twice", s->name);
        if (s->replicas > 1 && s->neps)
            return fail(c, &fake, "replicas", "a SIP with endpoints runs one replica");
        for (uint32_t j = 0; j < s->naffinity; j++)
            if (!om_find_sip(a, s->affinity[j]) || !strcmp(s->affinity[j], s->name))
                return fail(c, &fake, "placement.affinity", "no other SIP named '%s'", s->affinity[j]);
        for (uint32_t j = 0; j < s->nanti; j++) {
            if (!om_find_sip(a, s->anti[j]))
                return fail(c, &fake, "placement.anti_affinity", "no SIP named '%s'", s->anti[j]);
            for (uint32_t q = 0; q < s->naffinity; q++)
                if (!strcmp(s->anti[j], s->affinity[q]))
                    return fail(c, &fake, "placement", "'%s' is both affinity and anti-affinity", s->anti[j]);
        }
    }
    for (uint32_t i = 0; i < a->nchans; i++) {
        om_channel *ch = &a->chans[i];
        yaml_node_t fake = { .start_mark.line = ch->line - 1 };
        if (!ch->imp_sip || !ch->exp_sip || !ch->contract)
            return fail(c, &fake, "channels", "each channel needs from, to and contract");
        const char *ends[2][2] = { { ch->imp_sip, ch->imp_ep }, { ch->exp_sip, ch->exp_ep } };
        for (int e = 0; e < 2; e++) {
            const char *field = e ? "channels.to" : "channels.from";
            const om_sip *s = om_find_sip(a, ends[e][0]);
            if (!s)
                return fail(c, &fake, field, "no SIP named '%s'", ends[e][0]);
            const om_endpoint *ep = find_ep(s, ends[e][1]);
            if (!ep)
                return fail(c, &fake, field, "SIP '%s' declares no endpoint '%s'", ends[e][0], ends[e][1]);
            if (strcmp(ep->contract, ch->contract))
                return fail(c, &fake, field, "endpoint %s.%s has contract %s, the channel %s",
                            ends[e][0], ends[e][1], ep->contract, ch->contract);
            for (uint32_t j = 0; j < i; j++) {
                om_channel *o = &a->chans[j];
                if ((!strcmp(o->imp_sip, ends[e][0]) && !strcmp(o->imp_ep, ends[e][1])) ||
                    (!strcmp(o->exp_sip, ends[e][0]) && !strcmp(o->exp_ep, ends[e][1])))
                    return fail(c, &fake, field, "endpoint %s.%s already wired", ends[e][0], ends[e][1]);
            }
        }
        if (!strcmp(ch->imp_sip, ch->exp_sip) && !strcmp(ch->imp_ep, ch->exp_ep))
            return fail(c, &fake, "channels", "both ends are the same endpoint");
    }
    return 0;
}

int om_parse(const char *text, size_t len, const char *file, om_app *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    ctx c = { .file = file, .err = err, .errlen = errlen };
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "%s: out of memory", file);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        snprintf(err, errlen, "%s:%lu: yaml: %s", file, (unsigned long)p.problem_mark.line + 1,
                 p.problem ? p.problem : "syntax error");
        yaml_parser_delete(&p);
        return -1;
    }
    c.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc;
    if (!root)
        rc = fail(&c, NULL, "manifest", "empty document");
    else
        rc = each_pair(&c, root, "manifest", out, top_pair);
    if (!rc) {
        yaml_document_t extra;
        if (yaml_parser_load(&p, &extra)) {
            if (yaml_document_get_root_node(&extra))
                rc = fail(&c, yaml_document_get_root_node(&extra), "manifest", "one document per file");
            yaml_document_delete(&extra);
        }
    }
    if (!rc)
        rc = check_app(&c, root, out);
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    if (rc)
        om_free(out);
    return rc;
}

int om_load(const char *path, om_app *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n + 4096 > cap) {
            cap = (n + 4096) * 2;
            buf = realloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0 && n < (16u << 20));
    fclose(f);
    int rc = om_parse(buf, n, path, out, err, errlen);
    free(buf);
    return rc;
}

static void free_strs(char **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_kvs(om_kv *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].value);
    }
    free(v);
}

void om_free(om_app *a)
{
    for (uint32_t i = 0; i < a->nsips; i++) {
        om_sip *s = &a->sips[i];
        free(s->name);
        free(s->module);
        free_strs(s->args, s->nargs);
        free_kvs(s->env, s->nenv);
        for (uint32_t j = 0; j < s->neps; j++) {
            free(s->eps[j].name);
            free(s->eps[j].contract);
        }
        free(s->eps);
        free_kvs(s->labels, s->nlabels);
        free_strs(s->affinity, s->naffinity);
        free_strs(s->anti, s->nanti);
    }
    free(a->sips);
    for (uint32_t i = 0; i < a->nchans; i++) {
        om_channel *ch = &a->chans[i];
        free(ch->imp_sip); free(ch->imp_ep); free(ch->exp_sip); free(ch->exp_ep); free(ch->contract);
    }
    free(a->chans);
    free(a->name);
    free_strs(a->contracts, a->ncontracts);
    memset(a, 0, sizeof *a);
}

const char *om_restart_name(om_restart r)
{
    return r == OM_RESTART_ALWAYS ? "always" : r == OM_RESTART_ON_FAILURE ? "on-failure" : "never";
}
