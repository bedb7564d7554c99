/* The POSIX socket driver for zmtp_conn (see zmtp_posix.h): non-blocking TCP socket,
 * poll(), a read buffer whose unparsed tail is kept when the event ring is full, and
 * the monotonic clock for heartbeats. */
#define _GNU_SOURCE
#include "netchan/zmtp/zmtp_posix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_BUF 65536

struct zmtp_posix {
    int        fd;
    zmtp_conn *conn;
    bool       eof;          /* peer closed or socket error */
    bool       error_seen;   /* the connection's ERROR event was handed out */
    uint8_t    in[READ_BUF];
    size_t     in_off, in_len;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Fills a sockaddr from a numeric IPv4 or IPv6 address. */
static socklen_t make_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        return sizeof *a4;
    }
    if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        return sizeof *a6;
    }
    return 0;
}

int zmtp_posix_listen(const char *ip, uint16_t port, uint16_t *bound_port)
{
    struct sockaddr_storage ss;
    socklen_t len = make_addr(&ss, ip, port);
    if (!len)
        return -1;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
        close(fd);
        return -1;
    }
    if (bound_port) {
        len = sizeof ss;
        getsockname(fd, (struct sockaddr *)&ss, &len);
        *bound_port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                     : ((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return fd;
}

static zmtp_posix *wrap(int fd, const zmtp_config *cfg)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    zmtp_posix *s = calloc(1, sizeof *s);
    if (!s || !(s->conn = zmtp_conn_new(cfg))) {
        free(s);
        close(fd);
        return NULL;
    }
    s->fd = fd;
    zmtp_tick(s->conn, now_ms());
    zmtp_posix_flush(s, 0);
    return s;
}

zmtp_posix *zmtp_posix_connect(const char *ip, uint16_t port, const zmtp_config *cfg)
{
    struct sockaddr_storage ss;
    socklen_t len = make_addr(&ss, ip, port);
    if (!len)
        return NULL;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        close(fd);
        return NULL;
    }
    return wrap(fd, cfg);
}

zmtp_posix *zmtp_posix_accept(int listen_fd, const zmtp_config *cfg, int timeout_ms)
{
    struct pollfd p = { .fd = listen_fd, .events = POLLIN };
    if (poll(&p, 1, timeout_ms) <= 0)
        return NULL;
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return NULL;
    return wrap(fd, cfg);
}

/* Writes what the socket takes now; false on a socket error. */
static bool write_some(zmtp_posix *s)
{
    for (;;) {
        const uint8_t *p;
        size_t n;
        zmtp_output(s->conn, &p, &n);
        if (n == 0)
            return true;
        ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            zmtp_consumed(s->conn, (size_t)w);
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return true;
        s->eof = true;
        return false;
    }
}

static bool output_pending(zmtp_posix *s)
{
    const uint8_t *p;
    size_t n;
    zmtp_output(s->conn, &p, &n);
    return n > 0;
}

bool zmtp_posix_flush(zmtp_posix *s, int timeout_ms)
{
    uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        if (!write_some(s))
            return false;
        if (!output_pending(s))
            return true;
        uint64_t now = now_ms();
        if (now >= deadline)
            return false;
        struct pollfd p = { .fd = s->fd, .events = POLLOUT };
        poll(&p, 1, (int)(deadline - now));
    }
}

/* Reads what is available into the buffer; false if nothing could be read. */
static bool read_some(zmtp_posix *s)
{
    if (s->in_off == s->in_len)
        s->in_off = s->in_len = 0;
    if (s->in_len == sizeof s->in) {
        if (s->in_off == 0)
            return false;            /* full and unparsed: events must drain first */
        memmove(s->in, s->in + s->in_off, s->in_len - s->in_off);
        s->in_len -= s->in_off;
        s->in_off = 0;
    }
    ssize_t r = recv(s->fd, s->in + s->in_len, sizeof s->in - s->in_len, 0);
    if (r > 0) {
        s->in_len += (size_t)r;
        return true;
    }
    if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        s->eof = true;
    return false;
}

int zmtp_posix_next(zmtp_posix *s, zmtp_event *ev, int timeout_ms)
{
    uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        if (s->in_off < s->in_len)
            s->in_off += zmtp_feed(s->conn, s->in + s->in_off, s->in_len - s->in_off);
        uint32_t tick_wait = zmtp_tick(s->conn, now_ms());
        if (zmtp_next_event(s->conn, ev)) {
            if (ev->type == ZMTP_EV_ERROR)
                s->error_seen = true;
            write_some(s);           /* PONGs, ERROR: out as soon as possible */
            return 1;
        }
        if (s->error_seen || zmtp_is_closed(s->conn)) {
            zmtp_posix_flush(s, 100);
            return -1;
        }
        if (s->eof)
            return -1;
        write_some(s);
        uint64_t now = now_ms();
        if (now >= deadline)
            return 0;
        uint64_t wait = deadline - now;
        if (tick_wait < wait)
            wait = tick_wait;
        struct pollfd p = { .fd = s->fd, .events = POLLIN };
        if (output_pending(s))
            p.events |= POLLOUT;
        int r = poll(&p, 1, (int)wait);
        if (r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)))
            read_some(s);
    }
}

bool zmtp_posix_wait_ready(zmtp_posix *s, zmtp_event *ev, int timeout_ms)
{
    uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    zmtp_event e;
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline)
            return false;
        int r = zmtp_posix_next(s, &e, (int)(deadline - now));
        if (r < 0)
            return false;
        if (r == 0)
            continue;
        if (e.type == ZMTP_EV_READY) {
            if (ev)
                *ev = e;
            return true;
        }
        if (e.type == ZMTP_EV_MESSAGE)
            zmtp_msg_free(&e.msg);
        if (e.type == ZMTP_EV_ERROR) {
            if (ev)
                *ev = e;
            return false;
        }
    }
}

zmtp_error zmtp_posix_queue(zmtp_posix *s, const zmtp_iov *frames, size_t nframes)
{
    zmtp_error e = zmtp_send(s->conn, frames, nframes);
    if (e == ZMTP_E_BACKLOG) {         /* make room by waiting for the socket, once */
        zmtp_posix_flush(s, 1000);
        e = zmtp_send(s->conn, frames, nframes);
    }
    return e;
}

zmtp_error zmtp_posix_send(zmtp_posix *s, const zmtp_iov *frames, size_t nframes)
{
    zmtp_error e = zmtp_posix_queue(s, frames, nframes);
    if (e == ZMTP_OK)
        write_some(s);
    return e;
}

zmtp_conn *zmtp_posix_conn(zmtp_posix *s)
{
    return s->conn;
}

int zmtp_posix_fd(zmtp_posix *s)
{
    return s->fd;
}

void zmtp_posix_close(zmtp_posix *s)
{
    if (!s)
        return;
    if (!s->eof)
        zmtp_posix_flush(s, 100);
    close(s->fd);
    zmtp_conn_free(s->conn);
    free(s);
}
