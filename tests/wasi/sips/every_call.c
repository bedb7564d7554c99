/* Test SIP: calls every wasi_snapshot_preview1 function wasi-libc can import that has no
 * file system behind it, on a descriptor that does not exist (9) and on stdout (1). Each
 * must answer an errno -- EBADF for fd 9, some failure for stdout -- and the SIP must go on
 * running. Prints "name badfd=E stdout=E" per call, then "every call answered". */
#include <stdio.h>
#include <wasi/api.h>

static __wasi_filesize_t off;
static __wasi_size_t size;
static __wasi_fd_t newfd;
static __wasi_filestat_t st;
static __wasi_roflags_t roflags;
static uint8_t buf[16];
static __wasi_iovec_t iov = {buf, sizeof buf};
static __wasi_ciovec_t ciov = {buf, sizeof buf};

#define PROBE(name, ...)                                             \
    do {                                                             \
        __wasi_fd_t fd = 9;                                          \
        int bad = name(__VA_ARGS__);                                 \
        fd = 1;                                                      \
        int out = name(__VA_ARGS__);                                 \
        printf("%s badfd=%d stdout=%d\n", &#name[7], bad, out);      \
    } while (0)

int main(void)
{
    PROBE(__wasi_fd_advise, fd, 0, 0, __WASI_ADVICE_NORMAL);
    PROBE(__wasi_fd_allocate, fd, 0, 1);
    PROBE(__wasi_fd_datasync, fd);
    PROBE(__wasi_fd_sync, fd);
    PROBE(__wasi_fd_fdstat_set_flags, fd, 0);
    PROBE(__wasi_fd_fdstat_set_rights, fd, 0, 0);
    PROBE(__wasi_fd_filestat_set_size, fd, 0);
    PROBE(__wasi_fd_filestat_set_times, fd, 0, 0, 0);
    PROBE(__wasi_fd_pread, fd, &iov, 1, 0, &size);
    PROBE(__wasi_fd_pwrite, fd, &ciov, 1, 0, &size);
    PROBE(__wasi_fd_readdir, fd, buf, sizeof buf, 0, &size);
    PROBE(__wasi_fd_renumber, fd, 5);
    PROBE(__wasi_fd_tell, fd, &off);
    PROBE(__wasi_path_create_directory, fd, "d");
    PROBE(__wasi_path_filestat_get, fd, 0, "f", &st);
    PROBE(__wasi_path_filestat_set_times, fd, 0, "f", 0, 0, 0);
    PROBE(__wasi_path_link, fd, 0, "a", fd, "b");
    PROBE(__wasi_path_open, fd, 0, "f", 0, 0, 0, 0, &newfd);
    PROBE(__wasi_path_readlink, fd, "l", buf, sizeof buf, &size);
    PROBE(__wasi_path_remove_directory, fd, "d");
    PROBE(__wasi_path_rename, fd, "a", fd, "b");
    PROBE(__wasi_path_symlink, "a", fd, "b");
    PROBE(__wasi_path_unlink_file, fd, "f");
    PROBE(__wasi_sock_accept, fd, 0, &newfd);
    PROBE(__wasi_sock_recv, fd, &iov, 1, 0, &size, &roflags);
    PROBE(__wasi_sock_send, fd, &ciov, 1, 0, &size);
    PROBE(__wasi_sock_shutdown, fd, __WASI_SDFLAGS_RD);
    PROBE(__wasi_fd_filestat_get, fd, &st);
    printf("every call answered\n");
    return 0;
}
