/* unistd.h: the kernel is one process. */
#ifndef METAL_LIBC_UNISTD_H
#define METAL_LIBC_UNISTD_H
typedef int pid_t;
pid_t getpid(void);
#endif
