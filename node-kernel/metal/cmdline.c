/* cmdline.c: splits the Multiboot command line into words and keeps every word of the
 * form key=value (split at the first '='). Words without '=' are ignored: loaders put
 * the image name or URI first (iPXE, QEMU). The value of labels= is split once more
 * into a list of key=value labels separated by commas. Everything is copied into
 * static storage, so the loader's memory may be reused afterwards. */
#include <string.h>
#include <stdlib.h>
#include "node-kernel/metal/cmdline.h"

static char text[2048];
static struct { const char *key, *value; } opts[CMDLINE_MAX_OPTS];
static size_t n_opts;
static char label_text[512];
static struct cmdline_label labels[CMDLINE_MAX_LABELS];
static size_t n_labels;

static void parse_labels(const char *v)
{
    strncpy(label_text, v, sizeof label_text - 1);
    char *p = label_text;
    while (*p && n_labels < CMDLINE_MAX_LABELS) {
        char *item = p;
        char *comma = strchr(p, ',');
        if (comma) { *comma = 0; p = comma + 1; } else p += strlen(p);
        char *eq = strchr(item, '=');
        if (!*item || eq == item) continue;       /* empty item or empty key */
        if (eq) { *eq = 0; labels[n_labels++] = (struct cmdline_label){ item, eq + 1 }; }
        else labels[n_labels++] = (struct cmdline_label){ item, "" };
    }
}

void cmdline_parse(const char *raw)
{
    n_opts = n_labels = 0;
    strncpy(text, raw ? raw : "", sizeof text - 1);
    char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t') *p++ = 0;
        if (!*p) break;
        char *word = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (*p) *p++ = 0;
        char *eq = strchr(word, '=');
        if (!eq || eq == word || n_opts == CMDLINE_MAX_OPTS) continue;
        *eq = 0;
        opts[n_opts].key = word;
        opts[n_opts].value = eq + 1;
        n_opts++;
        if (!strcmp(word, "labels")) parse_labels(eq + 1);
    }
}

const char *cmdline_get(const char *key)
{
    for (size_t i = n_opts; i-- > 0;)         /* the last occurrence wins */
        if (!strcmp(opts[i].key, key)) return opts[i].value;
    return NULL;
}

long cmdline_get_long(const char *key, long fallback)
{
    const char *v = cmdline_get(key);
    if (!v || !*v) return fallback;
    char *end;
    long n = strtol(v, &end, 0);
    return *end ? fallback : n;
}

size_t cmdline_labels(const struct cmdline_label **out)
{
    *out = labels;
    return n_labels;
}

int cmdline_host_port(const char *value, char *host, size_t host_size, unsigned *port)
{
    if (!value) return -1;
    const char *colon = strrchr(value, ':');
    if (!colon || colon == value || (size_t)(colon - value) >= host_size) return -1;
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p == 0 || p > 65535) return -1;
    memcpy(host, value, (size_t)(colon - value));
    host[colon - value] = 0;
    *port = (unsigned)p;
    return 0;
}
