/* http_boot.c: serves iPXE scripts and the node kernel (see http_boot.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "orchestrator/http_boot.h"

int http_boot_init(struct http_boot *hb, const struct pxe_boot_params *params,
                   const char *kernel_path, FILE *log, char *err, size_t errlen)
{
    memset(hb, 0, sizeof *hb);
    if (pxe_params_check(params, err, errlen)) return -1;
    if (!kernel_path || access(kernel_path, R_OK)) {
        snprintf(err, errlen, "kernel image '%s': %s", kernel_path ? kernel_path : "",
                 kernel_path ? strerror(errno) : "not given");
        return -1;
    }
    hb->params = *params;
    hb->kernel_path = kernel_path;
    size_t n = strlen(kernel_path);
    if (n > 4 && n < sizeof hb->efi_path && !strcmp(kernel_path + n - 4, ".elf"))
        snprintf(hb->efi_path, sizeof hb->efi_path, "%.*s.efi", (int)(n - 4), kernel_path);
    hb->log = log;
    pthread_mutex_init(&hb->lock, NULL);
    return 0;
}

void http_boot_fini(struct http_boot *hb)
{
    pthread_mutex_destroy(&hb->lock);
}

static void client_ip(struct MHD_Connection *c, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "-");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

static void log_request(struct http_boot *hb, struct MHD_Connection *c, const char *what,
                        const char *mac, unsigned status)
{
    char ip[64];
    struct timeval tv;
    client_ip(c, ip, sizeof ip);
    gettimeofday(&tv, NULL);
    pthread_mutex_lock(&hb->lock);
    if (status >= 400) hb->errors++;
    else if (!strcmp(what, "kernel")) hb->kernels++;
    else hb->scripts++;
    if (hb->log) {
        fprintf(hb->log, "%llu %s %s %s %u\n",
                (unsigned long long)tv.tv_sec * 1000 + (unsigned long long)tv.tv_usec / 1000,
                ip, what, mac && *mac ? mac : "-", status);
        fflush(hb->log);
    }
    pthread_mutex_unlock(&hb->lock);
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Errors are iPXE scripts too, so the node's console says what went wrong. */
static enum MHD_Result send_error(struct http_boot *hb, struct MHD_Connection *c,
                                  unsigned status, const char *mac, const char *why)
{
    char body[512];
    snprintf(body, sizeof body, "#!ipxe\necho Multiplicity boot server: %s\nexit 1\n", why);
    log_request(hb, c, "bad", mac, status);
    return send_text(c, status, "text/plain", body);
}

static enum MHD_Result send_kernel(struct http_boot *hb, struct MHD_Connection *c, int efi)
{
    int fd = open(efi ? hb->efi_path : hb->kernel_path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        if (fd >= 0) close(fd);
        return send_error(hb, c, MHD_HTTP_NOT_FOUND, NULL,
                          efi ? "EFI kernel image (multiplicity-metal.efi beside the kernel) missing on the server"
                              : "kernel image missing on the server");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!r) { close(fd); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "application/octet-stream");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    log_request(hb, c, "kernel", NULL, MHD_HTTP_OK);
    return ret;
}

int http_boot_answer(struct http_boot *hb, struct MHD_Connection *c, const char *method,
                     const char *url, enum MHD_Result *result)
{
    int is_script = !strcmp(url, PXE_SCRIPT_PATH), is_chain = !strcmp(url, "/chain.ipxe");
    int is_efi = !strcmp(url, PXE_EFI_KERNEL_PATH), is_kernel = is_efi || !strcmp(url, PXE_KERNEL_PATH);
    if (!is_script && !is_chain && !is_kernel) return 0;
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        *result = send_error(hb, c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, "only GET is served here");
        return 1;
    }
    if (is_kernel) {
        *result = send_kernel(hb, c, is_efi);
        return 1;
    }
    char script[2048], err[200];
    const char *mac = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "mac");
    char canon[18] = "";
    if (is_script && mac && pxe_mac_canonical(mac, canon)) {
        *result = send_error(hb, c, MHD_HTTP_BAD_REQUEST, NULL, "mac= is not a MAC address");
        return 1;
    }
    int n = is_script ? pxe_script_node(script, sizeof script, &hb->params, mac ? canon : NULL,
                                        err, sizeof err)
                      : pxe_script_chain(script, sizeof script, hb->params.http_base, err, sizeof err);
    if (n < 0) {
        *result = send_error(hb, c, MHD_HTTP_INTERNAL_SERVER_ERROR, canon, err);
        return 1;
    }
    log_request(hb, c, is_script ? "script" : "chain", canon, MHD_HTTP_OK);
    *result = send_text(c, MHD_HTTP_OK, "text/plain", script);
    return 1;
}
