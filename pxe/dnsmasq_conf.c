/* dnsmasq_conf.c: the dnsmasq configuration for proxy-DHCP network boot (see
 * dnsmasq_conf.h). Each line is commented, because people read and adapt these files. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pxe/dnsmasq_conf.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int ipv4_ok(const char *s, size_t n)
{
    char tmp[16];
    struct in_addr a;
    if (n == 0 || n >= sizeof tmp) return 0;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    return inet_pton(AF_INET, tmp, &a) == 1;
}

/* "A,B[,C...]" where every part is an IPv4 address; counts the parts. */
static int address_list(const char *s, int *parts)
{
    *parts = 0;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (!ipv4_ok(s, n)) return 0;
        (*parts)++;
        s += n;
        if (*s == ',') { s++; if (!*s) return 0; }
    }
    return *parts > 0;
}

static int simple_word(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._-@:", *s)) return 0;
    return 1;
}

static int path_ok(const char *s)
{
    if (*s != '/') return 0;
    for (; *s; s++)
        if (isspace((unsigned char)*s) || *s == ',' || *s == '"') return 0;
    return 1;
}

int pxe_dnsmasq_check(const struct pxe_dnsmasq_opts *o, char *err, size_t errlen)
{
    int parts;
    if (!o->interface || !simple_word(o->interface) || strlen(o->interface) > 15)
        return fail(err, errlen, "--interface needs a network interface name");
    if (!o->script_url || (strncmp(o->script_url, "http://", 7) && strncmp(o->script_url, "https://", 8)))
        return fail(err, errlen, "boot script URL '%s' is not http://...",
                    o->script_url ? o->script_url : "");
    for (const char *p = o->script_url; *p; p++)
        if (isspace((unsigned char)*p) || *p == ',' || *p == '"' || *p == '#')
            return fail(err, errlen, "boot script URL holds a space, comma, quote or '#'");
    if (o->serve_dhcp) {
        if (!o->range || !address_list(o->range, &parts) || parts < 2 || parts > 3)
            return fail(err, errlen, "--serve-dhcp needs --range FIRST,LAST[,NETMASK], got '%s'",
                        o->range ? o->range : "");
    } else if (!o->range || !address_list(o->range, &parts) || parts > 2) {
        return fail(err, errlen, "--range for proxy-DHCP is NETWORK[,NETMASK] (e.g. 192.168.1.0), got '%s'",
                    o->range ? o->range : "(none)");
    }
    const char *paths[] = { o->tftp_root, o->log_file, o->pid_file, o->lease_file };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (paths[i] && !path_ok(paths[i]))
            return fail(err, errlen, "'%s' is not an absolute path without spaces or commas", paths[i]);
    return 0;
}

int pxe_dnsmasq_write(FILE *out, const struct pxe_dnsmasq_opts *o, char *err, size_t errlen)
{
    if (pxe_dnsmasq_check(o, err, errlen)) return -1;
    const char *tftp = o->tftp_root ? o->tftp_root : PXE_IPXE_DIR;
    fprintf(out,
        "# dnsmasq configuration for Multiplicity network boot, written by `sipctl pxe config`.\n"
        "# Run it with: dnsmasq --no-daemon --conf-file=THIS_FILE (as root, or with CAP_NET_ADMIN,\n"
        "# CAP_NET_BIND_SERVICE and CAP_NET_RAW).\n\n"
        "# No DNS service, only DHCP and TFTP.\nport=0\n\n"
        "# Listen on the lab interface only.\ninterface=%s\nbind-interfaces\n\n",
        o->interface);
    if (o->serve_dhcp) {
        fprintf(out, "# This network has no other DHCP server: hand out addresses too.\n"
                     "dhcp-range=%s,1h\n", o->range);
        if (o->lease_file) fprintf(out, "dhcp-leasefile=%s\n", o->lease_file);
        fprintf(out, "\n");
    } else {
        /* dnsmasq wants NETWORK,proxy[,MASK] */
        const char *comma = strchr(o->range, ',');
        fprintf(out, "# Proxy-DHCP: the existing DHCP server hands out the addresses; dnsmasq\n"
                     "# only adds boot information for PXE clients.\n"
                     "dhcp-range=%.*s,proxy%s\n\n",
                (int)(comma ? (size_t)(comma - o->range) : strlen(o->range)), o->range,
                comma ? comma : "");
    }
    fprintf(out,
        "# Keep the server name and file fields for what they are meant for (old PXE ROMs).\n"
        "dhcp-no-override\n\n"
        "# iPXE identifies itself with DHCP option 175 and the user class \"iPXE\".\n"
        "dhcp-match=set:ipxe,175\ndhcp-userclass=set:ipxe,iPXE\n\n"
        "# Firmware PXE ROMs load iPXE by TFTP: BIOS undionly.kpxe, UEFI snponly.efi.\n"
        "pxe-prompt=\"Multiplicity network boot\",0\n"
        "pxe-service=tag:!ipxe,x86PC,\"Multiplicity: load iPXE\",undionly.kpxe\n"
        "pxe-service=tag:!ipxe,x86-64_EFI,\"Multiplicity: load iPXE\",snponly.efi\n"
        "pxe-service=tag:!ipxe,BC_EFI,\"Multiplicity: load iPXE\",snponly.efi\n\n"
        "# iPXE itself is sent to the orchestrator's boot script.\n"
        "pxe-service=tag:ipxe,x86PC,\"Multiplicity node\",%s\n"
        "pxe-service=tag:ipxe,x86-64_EFI,\"Multiplicity node\",%s\n"
        "dhcp-boot=tag:ipxe,%s\n\n"
        "# TFTP for the iPXE images (Debian package ipxe).\n"
        "enable-tftp\ntftp-root=%s\n",
        o->script_url, o->script_url, o->script_url, tftp);
    if (o->log_file) fprintf(out, "\nlog-dhcp\nlog-facility=%s\n", o->log_file);
    if (o->pid_file) fprintf(out, "pid-file=%s\n", o->pid_file);
    return ferror(out) ? fail(err, errlen, "write error") : 0;
}
