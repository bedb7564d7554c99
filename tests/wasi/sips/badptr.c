/* Test SIP: hands WASI calls pointers outside its linear memory and asks for things that
 * do not exist; every call must answer an errno (EFAULT, EBADF...) and the SIP keeps
 * running. Prints one "name=errno" line per probe, then "badptr done". */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <wasi/api.h>

#define FAR ((uint8_t *)0xFFFFFFF0u)

int main(void)
{
    __wasi_size_t n;
    __wasi_ciovec_t iov = {FAR, 64};
    __wasi_ciovec_t ok_iov = {(const uint8_t *)"x", 1};
    printf("fd_write_iovs=%d\n", __wasi_fd_write(1, (const __wasi_ciovec_t *)FAR, 1, &n));
    printf("fd_write_buf=%d\n", __wasi_fd_write(1, &iov, 1, &n));
    printf("fd_write_nwritten=%d\n", __wasi_fd_write(1, &ok_iov, 1, (__wasi_size_t *)FAR));
    printf("fd_write_badfd=%d\n", __wasi_fd_write(7, &ok_iov, 1, &n));
    printf("random_get=%d\n", __wasi_random_get(FAR, 100));
    printf("clock_time_get=%d\n", __wasi_clock_time_get(0, 1, (__wasi_timestamp_t *)FAR));
    printf("args_sizes_get=%d\n", __wasi_args_sizes_get((__wasi_size_t *)FAR, &n));
    printf("args_get=%d\n", __wasi_args_get((uint8_t **)FAR, FAR));
    __wasi_prestat_t pre;
    printf("fd_prestat_get=%d\n", __wasi_fd_prestat_get(3, &pre));
    __wasi_filesize_t off;
    printf("fd_seek=%d\n", __wasi_fd_seek(1, 0, __WASI_WHENCE_SET, &off));
    printf("fd_seek_badfd=%d\n", __wasi_fd_seek(9, 0, __WASI_WHENCE_SET, &off));
    __wasi_fd_t fd;
    printf("path_open=%d\n", __wasi_path_open(3, 0, "x", 0, 0, 0, 0, &fd));
    FILE *f = fopen("/etc/passwd", "r");
    printf("fopen=%s errno_set=%d\n", f ? "opened" : "failed", f ? 0 : errno != 0);
    errno = 0;
    long big = strtol("99999999999999999999999", NULL, 10);   /* libc sets errno; we read it */
    printf("errno_erange=%d\n", errno == ERANGE && big == LONG_MAX);
    char c;
    printf("read_stdin=%zd\n", read(0, &c, 1));
    printf("badptr done\n");
    return 0;
}
