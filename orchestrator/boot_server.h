/* boot_server.h: a libmicrohttpd server that carries only the network-boot routes
 * (http_boot.h). `sipctl pxe serve` and the tests run it where no orchestrator daemon
 * is running; the daemon carries the same routes in its own HTTP server. */
#ifndef ORCHESTRATOR_BOOT_SERVER_H
#define ORCHESTRATOR_BOOT_SERVER_H
#include <stdint.h>
#include "orchestrator/http_boot.h"

struct boot_server {
    struct MHD_Daemon *daemon;
    struct http_boot routes;
    uint16_t port;                  /* the port actually bound */
    char base[128];                 /* http://ADVERTISE:PORT when params gave none */
};

/* Listens on listen_ip:port (port 0: any free port) and serves the boot routes. When
 * params->http_base is NULL the nodes are sent to http://ADVERTISE:PORT with the port
 * actually bound (advertise NULL: listen_ip). 0, or -1 with a reason in err. */
int  boot_server_start(struct boot_server *s, const char *listen_ip, uint16_t port,
                       const char *advertise,
                       const struct pxe_boot_params *params, const char *kernel_path,
                       FILE *log, char *err, size_t errlen);
void boot_server_stop(struct boot_server *s);
#endif
