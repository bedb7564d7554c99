/* cmdline.h: the kernel command line as key=value options. */
#ifndef METAL_CMDLINE_H
#define METAL_CMDLINE_H
#include <stddef.h>

#define CMDLINE_MAX_OPTS 32
#define CMDLINE_MAX_LABELS 16

struct cmdline_label { const char *key, *value; };

void cmdline_parse(const char *raw);
const char *cmdline_get(const char *key);                 /* NULL if absent */
long cmdline_get_long(const char *key, long fallback);
size_t cmdline_labels(const struct cmdline_label **out);  /* from labels=a=b,c=d */
/* Splits "HOST:PORT"; returns 0 and fills host (NUL-terminated) and port on success. */
int cmdline_host_port(const char *value, char *host, size_t host_size, unsigned *port);
#endif
