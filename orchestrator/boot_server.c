/* boot_server.c: the stand-alone boot HTTP server (see boot_server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include <string.h>
#include "orchestrator/boot_server.h"

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state)
{
    struct boot_server *s = cls;
    enum MHD_Result result;
    if (*upload_size) { *upload_size = 0; return MHD_YES; }    /* ignore bodies */
    if (http_boot_answer(&s->routes, c, method, url, &result)) return result;
    static const char msg[] = "not found: this server only serves the network boot "
                              "(/boot.ipxe, /chain.ipxe, /kernel/multiplicity.elf)\n";
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    result = MHD_queue_response(c, MHD_HTTP_NOT_FOUND, r);
    MHD_destroy_response(r);
    return result;
}

int boot_server_start(struct boot_server *s, const char *listen_ip, uint16_t port,
                      const char *advertise,
                      const struct pxe_boot_params *params, const char *kernel_path,
                      FILE *log, char *err, size_t errlen)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
    socklen_t alen = sizeof addr;
    int one = 1;
    memset(s, 0, sizeof *s);
    if (inet_pton(AF_INET, listen_ip, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "listen address '%s' is not an IPv4 address", listen_ip);
        return -1;
    }
    /* Bind first, so that the URL given to nodes can name the port really bound. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { snprintf(err, errlen, "socket: %s", strerror(errno)); return -1; }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) || listen(fd, 64) ||
        getsockname(fd, (struct sockaddr *)&addr, &alen)) {
        snprintf(err, errlen, "cannot listen on %s:%u: %s", listen_ip, (unsigned)port, strerror(errno));
        close(fd);
        return -1;
    }
    s->port = ntohs(addr.sin_port);
    struct pxe_boot_params p = *params;
    if (!p.http_base) {
        snprintf(s->base, sizeof s->base, "http://%s:%u", advertise ? advertise : listen_ip,
                 (unsigned)s->port);
        p.http_base = s->base;
    }
    if (http_boot_init(&s->routes, &p, kernel_path, log, err, errlen)) { close(fd); return -1; }
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "libmicrohttpd could not start on %s:%u", listen_ip, (unsigned)s->port);
        http_boot_fini(&s->routes);
        close(fd);
        return -1;
    }
    return 0;
}

void boot_server_stop(struct boot_server *s)
{
    if (s->daemon) MHD_stop_daemon(s->daemon);
    if (s->daemon) http_boot_fini(&s->routes);
    s->daemon = NULL;
}
