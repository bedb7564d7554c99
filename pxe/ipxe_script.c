/* ipxe_script.c: builds the two iPXE scripts of a network boot (see ipxe_script.h) and
 * validates everything that goes into them. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pxe/ipxe_script.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int pxe_mac_canonical(const char *in, char out[18])
{
    int digits = 0;
    char hex[12];
    if (!in) return -1;
    for (const char *p = in; *p; p++) {
        if (isxdigit((unsigned char)*p)) {
            if (digits == 12) return -1;
            hex[digits++] = (char)tolower((unsigned char)*p);
        } else if (*p == ':' || *p == '-') {
            if (digits == 0 || digits % 2 || p[1] == 0) return -1;
        } else {
            return -1;
        }
    }
    if (digits != 12) return -1;
    for (int i = 0; i < 6; i++) {
        out[i * 3] = hex[i * 2];
        out[i * 3 + 1] = hex[i * 2 + 1];
        out[i * 3 + 2] = i < 5 ? ':' : 0;
    }
    return 0;
}

/* Characters allowed in one command-line word: no spaces, quotes, '$' (iPXE expansion),
 * '#' or control characters. */
static int word_ok(const char *s, const char *extra_allowed)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!isalnum(c) && !strchr("._-", c) && !strchr(extra_allowed, c)) return 0;
    }
    return 1;
}

static int hostport_ok(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !word_ok(s, ":[]")) return 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return *end == 0 && colon[1] && port > 0 && port < 65536;
}

static int url_ok(const char *s)
{
    if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) return 0;
    const char *rest = s + (s[4] == 's' ? 8 : 7);
    return *rest && *rest != '/' && word_ok(rest, ":/[]%~");
}

int pxe_params_check(const struct pxe_boot_params *p, char *err, size_t errlen)
{
    if (!p->http_base || !url_ok(p->http_base))
        return fail(err, errlen, "boot URL '%s' is not http://HOST[:PORT][/PATH]",
                    p->http_base ? p->http_base : "");
    if (p->orch && !hostport_ok(p->orch))
        return fail(err, errlen, "orchestrator address '%s' is not HOST:PORT", p->orch);
    if (p->token && !word_ok(p->token, ""))
        return fail(err, errlen, "join token may hold only letters, digits, '.', '_' and '-'");
    if (p->labels && !word_ok(p->labels, "=,/:"))
        return fail(err, errlen, "labels '%s' are not key=value[,key=value...]", p->labels);
    if (p->extra && !word_ok(p->extra, "=,/: "))
        return fail(err, errlen, "extra kernel arguments hold a forbidden character");
    return 0;
}

/* snprintf that remembers whether anything was cut. */
struct out { char *buf; size_t len, used; int cut; };

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->used < o->len ? o->len - o->used : 0;
    int n = vsnprintf(o->buf + (room ? o->used : 0), room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) o->cut = 1;
    else o->used += (size_t)n;
}

static size_t base_len(const char *base)
{
    size_t n = strlen(base);
    while (n && base[n - 1] == '/') n--;     /* "http://h:80/" and "http://h:80" alike */
    return n;
}

int pxe_script_node(char *buf, size_t len, const struct pxe_boot_params *p, const char *mac,
                    char *err, size_t errlen)
{
    char canon[18];
    if (pxe_params_check(p, err, errlen)) return -1;
    if (mac && pxe_mac_canonical(mac, canon))
        return fail(err, errlen, "'%s' is not a MAC address", mac);
    struct out o = { buf, len, 0, 0 };
    put(&o, "#!ipxe\n# Multiplicity node boot%s%s\n", mac ? " for " : "", mac ? canon : "");
    /* iPXE's EFI build starts only EFI applications: it gets the kernel in its EFI
     * stub (pxe/efistub), the BIOS build the Multiboot image. */
    put(&o, "set kernel %s\n", PXE_KERNEL_PATH);
    put(&o, "iseq ${platform} efi && set kernel %s ||\n", PXE_EFI_KERNEL_PATH);
    put(&o, "echo Multiplicity: loading the node kernel from %.*s\n",
        (int)base_len(p->http_base), p->http_base);
    put(&o, "kernel %.*s${kernel}", (int)base_len(p->http_base), p->http_base);
    if (mac) put(&o, " mac=%s", canon);
    if (p->orch) put(&o, " orch=%s", p->orch);
    if (p->token) put(&o, " token=%s", p->token);
    if (p->labels && *p->labels) put(&o, " labels=%s", p->labels);
    if (p->extra && *p->extra) put(&o, " %s", p->extra);
    put(&o, " || goto failed\nboot || goto failed\n");
    put(&o, ":failed\necho Multiplicity: network boot failed, retrying in 10 s\n"
            "sleep 10\nchain %.*s%s" PXE_MAC_QUERY "\n",
        (int)base_len(p->http_base), p->http_base, PXE_SCRIPT_PATH);
    if (o.cut) return fail(err, errlen, "script longer than %zu bytes", len);
    return (int)o.used;
}

int pxe_script_chain(char *buf, size_t len, const char *http_base, char *err, size_t errlen)
{
    struct pxe_boot_params p = { .http_base = http_base };
    if (pxe_params_check(&p, err, errlen)) return -1;
    struct out o = { buf, len, 0, 0 };
    put(&o, "#!ipxe\n# Multiplicity stage 1: get an address, then the per-node script\n"
            ":retry\nisset ${net0/ip} || dhcp || goto wait\n"
            "chain %.*s%s" PXE_MAC_QUERY " || goto wait\n"
            ":wait\necho Multiplicity: no address or boot server unreachable, retrying in 10 s\n"
            "sleep 10\ngoto retry\n",
        (int)base_len(http_base), http_base, PXE_SCRIPT_PATH);
    if (o.cut) return fail(err, errlen, "script longer than %zu bytes", len);
    return (int)o.used;
}
