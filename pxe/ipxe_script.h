/* ipxe_script.h: the iPXE scripts of a Multiplicity network boot, as text.
 *
 *   stage 1 (the "chain" script, served by TFTP or given as a DHCP boot file): get an
 *            address, then chain to the orchestrator's per-node script, passing the MAC;
 *   stage 2 (the "node" script, GET /boot.ipxe?mac=...): `kernel URI args...` and `boot`,
 *            where args carry the node's identity, the orchestrator address, the join
 *            token and the labels on the kernel command line (node-kernel/metal/cmdline.c).
 *
 * Everything that ends up in a script is checked first, so a hostile query string can
 * never inject iPXE commands. */
#ifndef PXE_IPXE_SCRIPT_H
#define PXE_IPXE_SCRIPT_H
#include <stddef.h>

/* What a node is told when it boots. Every pointer may be NULL (left out) except
 * http_base. */
struct pxe_boot_params {
    const char *http_base;   /* "http://10.0.2.2:8080", as the node reaches the server */
    const char *orch;        /* "HOST:PORT": the orchestrator's ZeroMQ node endpoint */
    const char *token;       /* join token */
    const char *labels;      /* "zone=a,rack=3" */
    const char *extra;       /* further kernel arguments, "key=value key=value" */
};

/* The path the kernel image is served at, below http_base. */
#define PXE_KERNEL_PATH "/kernel/multiplicity.elf"
#define PXE_EFI_KERNEL_PATH "/kernel/multiplicity.efi"   /* the same kernel in its EFI stub */
#define PXE_SCRIPT_PATH "/boot.ipxe"
/* iPXE expands ${...} in scripts and in DHCP file names: the node's MAC, with '-'. */
#define PXE_MAC_QUERY "?mac=${net0/mac:hexhyp}"

/* Parses "52:54:00:12:34:56", "52-54-00-12-34-56" or "525400123456" into the canonical
 * lower-case colon form (18 bytes with the NUL). Returns 0, or -1 if malformed. */
int pxe_mac_canonical(const char *in, char out[18]);

/* Checks the parameters (URL scheme, HOST:PORT, token and label characters). Returns 0
 * or -1 with a reason in err. */
int pxe_params_check(const struct pxe_boot_params *p, char *err, size_t errlen);

/* Writes the stage-2 script for one node (mac may be NULL: no mac= argument). Returns
 * the length, or -1 with a reason in err (bad parameter, or buf too small). */
int pxe_script_node(char *buf, size_t len, const struct pxe_boot_params *p, const char *mac,
                    char *err, size_t errlen);

/* Writes the stage-1 script that chains to http_base/boot.ipxe?mac=${net0/mac}. */
int pxe_script_chain(char *buf, size_t len, const char *http_base, char *err, size_t errlen);
#endif
