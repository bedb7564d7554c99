/* Frames over a loopback TCP connection for the cross-process migration tests and the
 * benchmark: a frame is a 4-byte type, an 8-byte little-endian length and the bytes. */
#ifndef TESTS_MIGRATE_XFER_H
#define TESTS_MIGRATE_XFER_H

#include <stddef.h>
#include <stdint.h>

/* Listen on 127.0.0.1 at an ephemeral port; returns the socket and sets *port, or -1. */
int xfer_listen(uint16_t *port);
/* Accept one connection (waits at most timeout_ms); returns the socket or -1. */
int xfer_accept(int lsock, int timeout_ms);
int xfer_connect(uint16_t port);

int xfer_send(int fd, uint32_t type, const void *data, size_t len);
/* Receive one frame within timeout_ms (-1 = forever). *data is malloc'd (free it).
 * Returns 0, or -1 on EOF, error, timeout or a frame longer than max. */
int xfer_recv(int fd, uint32_t *type, uint8_t **data, size_t *len, size_t max, int timeout_ms);

#endif
