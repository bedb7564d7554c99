/* A thin driver that runs a zmtp_conn over a POSIX TCP socket: connect or accept, then
 * wait for events (flushing output, reading input and ticking the heartbeat clock as
 * needed) and send messages. Used by tests and Linux tools; the bare-metal kernel has
 * its own driver over lwIP. Single-threaded; one driver per connection. */
#ifndef NETCHAN_ZMTP_ZMTP_POSIX_H
#define NETCHAN_ZMTP_ZMTP_POSIX_H

#include "netchan/zmtp/zmtp.h"

typedef struct zmtp_posix zmtp_posix;

/* A listening TCP socket on ip:port (port 0 picks one; *bound_port gets it). -1 on error. */
int zmtp_posix_listen(const char *ip, uint16_t port, uint16_t *bound_port);

/* Connects to ip:port (numeric IPv4 or IPv6). NULL on error. */
zmtp_posix *zmtp_posix_connect(const char *ip, uint16_t port, const zmtp_config *cfg);

/* Accepts one connection within timeout_ms. NULL on timeout or error. */
zmtp_posix *zmtp_posix_accept(int listen_fd, const zmtp_config *cfg, int timeout_ms);

/* Waits up to timeout_ms for the next event. Returns 1 with *ev filled, 0 on timeout,
 * -1 when nothing more can arrive (transport closed, or the connection ended and its
 * ERROR event was already returned). */
int zmtp_posix_next(zmtp_posix *s, zmtp_event *ev, int timeout_ms);

/* Waits for the handshake; true once READY arrived (*ev gets it if ev != NULL). Events
 * other than READY that arrive first (none should) are dropped. */
bool zmtp_posix_wait_ready(zmtp_posix *s, zmtp_event *ev, int timeout_ms);

/* Queues a message and writes as much output as the socket takes without blocking. */
zmtp_error zmtp_posix_send(zmtp_posix *s, const zmtp_iov *frames, size_t nframes);

/* Queues a message without writing: many small messages then go out in few system
 * calls. Output leaves on the next zmtp_posix_send, _flush or _next. */
zmtp_error zmtp_posix_queue(zmtp_posix *s, const zmtp_iov *frames, size_t nframes);

/* Writes all queued output, waiting up to timeout_ms. True when everything went out. */
bool zmtp_posix_flush(zmtp_posix *s, int timeout_ms);

zmtp_conn *zmtp_posix_conn(zmtp_posix *s);
int zmtp_posix_fd(zmtp_posix *s);

/* Flushes briefly, closes the socket and frees everything. */
void zmtp_posix_close(zmtp_posix *s);

#endif
