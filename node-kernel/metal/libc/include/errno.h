/* errno.h: lwIP brings its own errno values (LWIP_PROVIDE_ERRNO); this stub only
 * exists so that sources including <errno.h> compile. */
#ifndef METAL_LIBC_ERRNO_H
#define METAL_LIBC_ERRNO_H
#endif
