/* orchd_boot.c: orchd's network-boot listener (see orchd_boot.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "orchestrator/boot_server.h"
#include "orchestrator/orchd_boot.h"

const char orchd_boot_usage[] =
    "             [--boot IP:PORT [--boot-advertise HOST] [--boot-kernel FILE]\n"
    "              [--boot-labels K=V,...] [--boot-log FILE]]\n";

static const char *boot_listen, *advertise, *kernel = "build/bin/multiplicity-metal.elf",
                  *labels, *log_path;
static struct boot_server server;
static FILE *log_file;
static char node_orch[300];

int orchd_boot_option(const char *opt, const char *value)
{
    if (!strcmp(opt, "--boot")) boot_listen = value;
    else if (!strcmp(opt, "--boot-advertise")) advertise = value;
    else if (!strcmp(opt, "--boot-kernel")) kernel = value;
    else if (!strcmp(opt, "--boot-labels")) labels = value;
    else if (!strcmp(opt, "--boot-log")) log_path = value;
    else return 0;
    return 1;
}

int orchd_boot_start(const char *zmq_listen, const char *join_token, char *err, size_t errlen)
{
    char ip[64];
    if (!boot_listen) return 0;
    const char *colon = strrchr(boot_listen, ':');
    char *end;
    unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (!colon || (size_t)(colon - boot_listen) >= sizeof ip || !colon[1] || *end || port > 65535) {
        snprintf(err, errlen, "--boot wants IP:PORT, not '%s'", boot_listen);
        return -1;
    }
    memcpy(ip, boot_listen, (size_t)(colon - boot_listen));
    ip[colon - boot_listen] = 0;
    const char *host = advertise ? advertise : ip;
    if (!strcmp(host, "0.0.0.0")) {
        snprintf(err, errlen, "--boot on 0.0.0.0 needs --boot-advertise HOST (the address nodes use)");
        return -1;
    }
    const char *zport = strrchr(zmq_listen, ':');
    if (!zport || !zport[1]) {
        snprintf(err, errlen, "--listen '%s' has no port to give nodes", zmq_listen);
        return -1;
    }
    snprintf(node_orch, sizeof node_orch, "%s:%s", host, zport + 1);
    if (log_path && !(log_file = fopen(log_path, "a"))) {
        snprintf(err, errlen, "--boot-log %s: cannot open", log_path);
        return -1;
    }
    struct pxe_boot_params p = { .orch = node_orch, .token = join_token, .labels = labels };
    char why[256];
    if (boot_server_start(&server, ip, (uint16_t)port, host, &p, kernel, log_file, why, sizeof why)) {
        snprintf(err, errlen, "network boot: %s", why);
        if (log_file) fclose(log_file);
        log_file = NULL;
        return -1;
    }
    fprintf(stderr, "orchd: network boot on %s:%u, nodes start at %s/boot.ipxe\n", ip,
            (unsigned)server.port, server.routes.params.http_base);
    return 0;
}

void orchd_boot_stop(void)
{
    boot_server_stop(&server);
    if (log_file) fclose(log_file);
    log_file = NULL;
}
