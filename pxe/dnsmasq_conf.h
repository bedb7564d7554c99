/* dnsmasq_conf.h: writes a dnsmasq configuration that network-boots Multiplicity nodes.
 *
 * By default dnsmasq runs as a proxy-DHCP server: the lab's own DHCP server keeps
 * handing out addresses and dnsmasq only adds boot information. BIOS PXE ROMs are sent
 * Debian's iPXE (undionly.kpxe) by TFTP, UEFI ROMs iPXE's snponly.efi; once iPXE runs
 * (it says so with DHCP option 175 and the user class "iPXE") it is sent the
 * orchestrator's boot script URL. DNS is switched off (port=0). */
#ifndef PXE_DNSMASQ_CONF_H
#define PXE_DNSMASQ_CONF_H
#include <stdio.h>

struct pxe_dnsmasq_opts {
    const char *interface;   /* required: the lab-facing interface */
    const char *script_url;  /* required: "http://ORCH:PORT/boot.ipxe" */
    const char *range;       /* proxy: "NET[,MASK]"; --serve-dhcp: "FIRST,LAST[,MASK]";
                                required (sipctl derives it from the interface) */
    int serve_dhcp;          /* 1: hand out addresses too (an isolated lab network) */
    const char *tftp_root;   /* default /usr/lib/ipxe */
    const char *log_file;    /* log-facility=...; NULL: syslog */
    const char *pid_file;    /* pid-file=...; NULL: none */
    const char *lease_file;  /* dhcp-leasefile=... (with serve_dhcp) */
};

#define PXE_IPXE_DIR "/usr/lib/ipxe"

/* Checks the options; 0 or -1 with a reason in err. */
int pxe_dnsmasq_check(const struct pxe_dnsmasq_opts *o, char *err, size_t errlen);
/* Writes the configuration (after checking it). 0 or -1 with a reason in err. */
int pxe_dnsmasq_write(FILE *out, const struct pxe_dnsmasq_opts *o, char *err, size_t errlen);
#endif
