/* orchd_boot.h: orchd's network-boot listener. The API server stays on 127.0.0.1; the
 * boot routes (http_boot.h) get a listener of their own on the address the lab machines
 * reach, enabled by --boot:
 *
 *   --boot IP:PORT          listen for iPXE there (off by default)
 *   --boot-advertise HOST   the address nodes use for it and for joining (default: IP)
 *   --boot-kernel FILE      the node kernel (default build/bin/multiplicity-metal.elf)
 *   --boot-labels K=V,...   labels every network-booted node gets
 *   --boot-log FILE         access log (one line a request)
 *
 * Nodes are told orch=ADVERTISE:<port of orchd's --listen> and orchd's join token. */
#ifndef ORCHESTRATOR_ORCHD_BOOT_H
#define ORCHESTRATOR_ORCHD_BOOT_H
#include <stddef.h>

/* Takes `opt value` if it is one of the options above: returns 1, else 0. */
int  orchd_boot_option(const char *opt, const char *value);
/* Starts the listener if --boot was given. Returns 0 (started or not asked for), or -1
 * with a reason in err. zmq_listen is orchd's --listen ("tcp://HOST:PORT"). */
int  orchd_boot_start(const char *zmq_listen, const char *join_token, char *err, size_t errlen);
void orchd_boot_stop(void);
/* The usage lines of the options. */
extern const char orchd_boot_usage[];
#endif
