/* files.c: read-only stdio files over the files embedded in the kernel image
 * (bundle.h). Paths are the repository paths the build embedded them under. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "node-kernel/metal/bundle.h"
#include "node-kernel/metal/kprintf.h"

struct metal_file {
    const uint8_t *data;
    size_t size, pos;
};

FILE *fopen(const char *path, const char *mode)
{
    if (!mode || mode[0] != 'r' || strchr(mode, '+')) { errno = EINVAL; return NULL; }
    const struct bundle_file *bf = bundle_find(path);
    if (!bf) { errno = ENOENT; return NULL; }
    FILE *f = malloc(sizeof *f);
    if (!f) { errno = ENOMEM; return NULL; }
    f->data = bf->data;
    f->size = bf->size;
    f->pos = 0;
    return f;
}

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
    if (!size || !n) return 0;
    size_t items = (f->size - f->pos) / size;
    if (items > n) items = n;
    memcpy(buf, f->data + f->pos, items * size);
    f->pos += items * size;
    return items;
}

int fclose(FILE *f) { if (f != stderr) free(f); return 0; }

/* stderr is a FILE only in name: fprintf to it goes to the console. */
static struct metal_file console_file;
FILE *const stderr = &console_file;

int fprintf(FILE *f, const char *fmt, ...)
{
    if (f != stderr) return -1;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("%s", buf);
    return n;
}
