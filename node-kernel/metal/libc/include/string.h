/* string.h: the string and memory functions the metal kernel provides (libc.c). */
#ifndef METAL_LIBC_STRING_H
#define METAL_LIBC_STRING_H
#include <stddef.h>
void  *memcpy(void *d, const void *s, size_t n);
void  *memmove(void *d, const void *s, size_t n);
void  *memset(void *d, int c, size_t n);
int    memcmp(const void *a, const void *b, size_t n);
void  *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
int    strcmp(const char *a, const char *b);
int    strncmp(const char *a, const char *b, size_t n);
char  *strchr(const char *s, int c);
char  *strrchr(const char *s, int c);
char  *strstr(const char *h, const char *n);
char  *strncpy(char *d, const char *s, size_t n);
char  *strcpy(char *d, const char *s);
char  *strdup(const char *s);
char  *strndup(const char *s, size_t n);
char  *strtok(char *s, const char *delim);
char  *strerror(int err);
#endif
