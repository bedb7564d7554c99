/* errno.h: one errno for the whole kernel (it has one thread) and the few codes the
 * kernel's own C library sets. lwIP defines the same codes with the same values
 * (LWIP_PROVIDE_ERRNO), so the definitions agree. */
#ifndef METAL_LIBC_ERRNO_H
#define METAL_LIBC_ERRNO_H
extern int errno;
#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef EAGAIN
#define EAGAIN 11
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ERANGE
#define ERANGE 34
#endif
#endif
