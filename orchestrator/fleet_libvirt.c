/* fleet_libvirt.c: libvirt network and domains of a fleet (see fleet_libvirt.h). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>
#include "orchestrator/fleet_libvirt.h"

const char *fleet_virt_error(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "unknown libvirt error";
}

/* Appends formatted text; returns -1 once the buffer is full. */
static int add(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, len - *used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len - *used) return -1;
    *used += (size_t)n;
    return 0;
}

/* Copies s with XML's special characters escaped. */
static void xml_escape(char *out, size_t len, const char *s)
{
    size_t o = 0;
    for (; *s && o + 7 < len; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
                          *s == '\'' ? "&apos;" : *s == '"' ? "&quot;" : NULL;
        if (rep) { memcpy(out + o, rep, strlen(rep)); o += strlen(rep); }
        else out[o++] = *s;
    }
    out[o] = 0;
}

static unsigned third_octet(const char *ip)
{
    unsigned a = 0, b = 0, c = 0;
    sscanf(ip, "%u.%u.%u", &a, &b, &c);
    return c;
}

int fleet_network_xml(char *buf, size_t len, const struct fleet_state *f)
{
    char url[1024], prefix[16];
    size_t used = 0;
    xml_escape(url, sizeof url, f->boot_url);
    snprintf(prefix, sizeof prefix, "%s", f->gateway);
    char *dot = strrchr(prefix, '.');
    if (!dot) return -1;
    dot[1] = 0;                                   /* "10.123.0." */
    /* iPXE waits for an IPv6 router advertisement (several seconds) before it runs the
     * boot file; a private (ULA) prefix makes libvirt's dnsmasq send one at once. */
    char ipv6[96] = "";
    if (!f->no_ipv6)
        snprintf(ipv6, sizeof ipv6, "  <ip family='ipv6' address='fd6d:756c:0:%u::1' prefix='64'/>\n",
                 third_octet(f->gateway));
    return add(buf, len, &used,
        "<network>\n"
        "  <name>%s</name>\n"
        "  <bridge name='%s' stp='off' delay='0'/>\n"
        "  <ip address='%s' netmask='255.255.255.0'>\n"
        "    <dhcp>\n"
        "      <range start='%s100' end='%s199'/>\n"
        "      <bootp file='%s'/>\n"
        "    </dhcp>\n"
        "  </ip>\n"
        "%s"
        "</network>\n",
        f->network, f->bridge, f->gateway, prefix, prefix, url, ipv6) ? -1 : (int)used;
}

int fleet_domain_xml(char *buf, size_t len, const struct fleet_state *f, int i)
{
    char serial[1100];
    size_t used = 0;
    xml_escape(serial, sizeof serial, f->nodes[i].serial);
    int e1000 = !strcmp(f->nic, "e1000");                 /* else virtio (also when unset) */
    return add(buf, len, &used,
        "<domain type='%s'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>%u</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        "    <boot dev='network'/>\n"
        "  </os>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n"
        "    <interface type='network'>\n"
        "      <source network='%s'/>\n"
        "      <mac address='%s'/>\n"
        "      <model type='%s'/>\n"
        "      <rom file='%s'/>\n"
        "    </interface>\n"
        "    <serial type='file'>\n"
        "      <source path='%s'/>\n"
        "      <target port='0'/>\n"
        "    </serial>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "</domain>\n",
        f->domain_type, f->nodes[i].name, f->memory_mib, f->network, f->nodes[i].mac,
        e1000 ? "e1000" : "virtio-non-transitional", e1000 ? FLEET_E1000_ROM : FLEET_VIRTIO_ROM, serial)
        ? -1 : (int)used;
}

const char *fleet_pick_domain_type(virConnectPtr conn)
{
    char *caps = virConnectGetCapabilities(conn);
    int kvm = caps && strstr(caps, "<domain type='kvm'") != NULL;
    free(caps);
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd >= 0) close(fd);
    return kvm && fd >= 0 ? "kvm" : "qemu";
}

int fleet_network_create(virConnectPtr conn, const struct fleet_state *f, char *err, size_t errlen)
{
    char xml[4096];
    if (fleet_network_xml(xml, sizeof xml, f) < 0) { snprintf(err, errlen, "network XML too long"); return -1; }
    virNetworkPtr net = virNetworkCreateXML(conn, xml);
    if (!net) { snprintf(err, errlen, "network %s: %s", f->network, fleet_virt_error()); return -1; }
    virNetworkFree(net);
    return 0;
}

int fleet_domain_start(virConnectPtr conn, const struct fleet_state *f, int i, char *err, size_t errlen)
{
    char xml[4096];
    if (fleet_domain_xml(xml, sizeof xml, f, i) < 0) { snprintf(err, errlen, "domain XML too long"); return -1; }
    virDomainPtr d = virDomainCreateXML(conn, xml, 0);
    if (!d) { snprintf(err, errlen, "domain %s: %s", f->nodes[i].name, fleet_virt_error()); return -1; }
    virDomainFree(d);
    return 0;
}

int fleet_domain_remove(virConnectPtr conn, const char *name, char *err, size_t errlen)
{
    virDomainPtr d = virDomainLookupByName(conn, name);
    if (!d) return 0;
    int rc = 1;
    if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0) rc = -1;
    if (rc > 0 && virDomainIsPersistent(d) == 1 && virDomainUndefine(d) < 0) rc = -1;
    if (rc < 0) snprintf(err, errlen, "domain %s: %s", name, fleet_virt_error());
    virDomainFree(d);
    return rc;
}

int fleet_network_remove(virConnectPtr conn, const char *name, char *err, size_t errlen)
{
    virNetworkPtr n = virNetworkLookupByName(conn, name);
    if (!n) return 0;
    int rc = 1;
    if (virNetworkIsActive(n) == 1 && virNetworkDestroy(n) < 0) rc = -1;
    if (rc > 0 && virNetworkIsPersistent(n) == 1 && virNetworkUndefine(n) < 0) rc = -1;
    if (rc < 0) snprintf(err, errlen, "network %s: %s", name, fleet_virt_error());
    virNetworkFree(n);
    return rc;
}

const char *fleet_domain_state(virConnectPtr conn, const char *name)
{
    virDomainPtr d = virDomainLookupByName(conn, name);
    if (!d) return "absent";
    int state = 0, reason = 0;
    const char *s = "unknown";
    if (virDomainGetState(d, &state, &reason, 0) == 0) {
        switch (state) {
        case VIR_DOMAIN_RUNNING: s = "running"; break;
        case VIR_DOMAIN_BLOCKED: s = "blocked"; break;
        case VIR_DOMAIN_PAUSED: s = "paused"; break;
        case VIR_DOMAIN_SHUTDOWN: s = "shutting down"; break;
        case VIR_DOMAIN_SHUTOFF: s = "shut off"; break;
        case VIR_DOMAIN_CRASHED: s = "crashed"; break;
        default: break;
        }
    }
    virDomainFree(d);
    return s;
}
