/* Frames over loopback TCP (see xfer.h). */
#define _GNU_SOURCE
#include "tests/migrate/xfer.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int xfer_listen(uint16_t *port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 4) ||
        getsockname(s, (struct sockaddr *)&a, &al)) {
        close(s);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return s;
}

static void tune(int s)
{
    int one = 1, big = 4 << 20;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
}

int xfer_accept(int lsock, int timeout_ms)
{
    struct pollfd p = { lsock, POLLIN, 0 };
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    int s = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
    if (s >= 0)
        tune(s);
    return s;
}

int xfer_connect(uint16_t port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    tune(s);
    if (connect(s, (struct sockaddr *)&a, sizeof a)) {
        close(s);
        return -1;
    }
    return s;
}

static int write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n, int timeout_ms)
{
    uint8_t *b = p;
    while (n) {
        struct pollfd pf = { fd, POLLIN, 0 };
        int r = poll(&pf, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 1)
            return -1;
        ssize_t got = read(fd, b, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        b += got;
        n -= (size_t)got;
    }
    return 0;
}

int xfer_send(int fd, uint32_t type, const void *data, size_t len)
{
    uint8_t h[12];
    uint64_t l = len;
    memcpy(h, &type, 4);
    memcpy(h + 4, &l, 8);
    return write_all(fd, h, 12) || write_all(fd, data, len) ? -1 : 0;
}

int xfer_recv(int fd, uint32_t *type, uint8_t **data, size_t *len, size_t max, int timeout_ms)
{
    uint8_t h[12];
    uint64_t l;
    *data = NULL;
    if (read_all(fd, h, 12, timeout_ms))
        return -1;
    memcpy(type, h, 4);
    memcpy(&l, h + 4, 8);
    if (l > max)
        return -1;
    uint8_t *p = malloc(l ? l : 1);
    if (!p || read_all(fd, p, l, timeout_ms)) {
        free(p);
        return -1;
    }
    *data = p;
    *len = l;
    return 0;
}
