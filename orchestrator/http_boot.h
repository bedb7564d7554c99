/* http_boot.h: the network-boot routes of the orchestrator's HTTP server.
 *
 *   GET /boot.ipxe?mac=M        the per-node iPXE script (kernel URI + command line)
 *   GET /chain.ipxe             stage 1: dhcp, then chain to /boot.ipxe with the MAC
 *   GET /kernel/multiplicity.elf  the node kernel image (Multiboot ELF32)
 *   GET /kernel/multiplicity.efi  the same kernel as a UEFI application (pxe/efistub), the
 *                               file beside the ELF with the .efi suffix
 *
 * The routes are independent of the server that carries them: any libmicrohttpd access
 * handler calls http_boot_answer() first and handles the request itself when it returns
 * 0. Every request is written to an optional access log, one line each, which
 * `sipctl fleet` reads to show how far each node got. */
#ifndef ORCHESTRATOR_HTTP_BOOT_H
#define ORCHESTRATOR_HTTP_BOOT_H
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include "pxe/ipxe_script.h"

struct http_boot {
    struct pxe_boot_params params;  /* http_base, orch, token, labels, extra */
    const char *kernel_path;        /* the image file served at PXE_KERNEL_PATH */
    char efi_path[1024];            /* ... and at PXE_EFI_KERNEL_PATH ("" if none) */
    FILE *log;                      /* access log or NULL */
    pthread_mutex_t lock;           /* serialises log lines and counters */
    unsigned long scripts, kernels, errors;
};

/* Sets up hb (copies nothing: the strings must outlive it). 0, or -1 with err. */
int  http_boot_init(struct http_boot *hb, const struct pxe_boot_params *params,
                    const char *kernel_path, FILE *log, char *err, size_t errlen);
void http_boot_fini(struct http_boot *hb);

/* Answers url if it is a boot route: returns 1 and sets *result; returns 0 otherwise. */
int  http_boot_answer(struct http_boot *hb, struct MHD_Connection *c, const char *method,
                      const char *url, enum MHD_Result *result);

/* Log line format: "<ms since epoch> <client ip> <what> <mac or -> <HTTP status>",
 * what being script, chain, kernel or bad. */
#endif
