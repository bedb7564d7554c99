/* fleet_progress.c: each node's boot stage from the boot log and its serial console
 * (see fleet_progress.h). The kernel's lines it looks for are those of
 * node-kernel/metal (kmain.c, net.c, orch_agent.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "orchestrator/fleet_progress.h"

#define BANNER      "Multiplicity metal node kernel booting"
#define DHCP_LINE   "DHCP: bound "
#define REGISTERED  "ORCH: registered as "
#define REFUSED     "ORCH: registration refused"
#define PANIC       "PANIC"

static const char *names[] = { "started (firmware, iPXE)", "boot script fetched", "kernel fetched",
                               "kernel running", "DHCP address", "registered", "FAILED" };

const char *fleet_stage_name(enum fleet_stage s) { return names[s]; }

int fleet_stage_parse(const char *s)
{
    if (!strcmp(s, "booted")) return STAGE_BOOTING;
    if (!strcmp(s, "dhcp")) return STAGE_DHCP;
    if (!strcmp(s, "registered")) return STAGE_REGISTERED;
    return -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 8192, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *g = realloc(buf, cap * 2);
            if (!g) { free(buf); buf = NULL; break; }
            buf = g;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return NULL;
    for (size_t i = 0; i < len; i++) if (!buf[i]) buf[i] = ' ';
    buf[len] = 0;
    return buf;
}

/* From the boot log: did the node with this MAC fetch its script, and the kernel after
 * it from the same address? */
static enum fleet_stage from_boot_log(const char *log, const char *mac)
{
    enum fleet_stage s = STAGE_STARTED;
    char ip[64] = "";
    for (const char *line = log; line && *line;) {
        const char *end = strchr(line, '\n');
        char l[256], lip[64], what[16], lmac[32];
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n < sizeof l) {
            memcpy(l, line, n);
            l[n] = 0;
            unsigned status;
            if (sscanf(l, "%*s %63s %15s %31s %u", lip, what, lmac, &status) == 4 && status == 200) {
                if (!strcmp(what, "script") && !strcmp(lmac, mac)) {
                    snprintf(ip, sizeof ip, "%s", lip);
                    if (s < STAGE_SCRIPT) s = STAGE_SCRIPT;
                } else if (!strcmp(what, "kernel") && ip[0] && !strcmp(lip, ip)) {
                    s = STAGE_KERNEL;
                }
            }
        }
        line = end ? end + 1 : NULL;
    }
    return s;
}

void fleet_progress_read(const struct fleet_state *f, struct fleet_progress *p)
{
    char path[512];
    snprintf(path, sizeof path, "%s/boot.log", f->dir);
    char *log = slurp(path);
    for (int i = 0; i < f->n; i++) {
        struct fleet_progress *q = &p[i];
        memset(q, 0, sizeof *q);
        q->stage = log ? from_boot_log(log, f->nodes[i].mac) : STAGE_STARTED;
        char *serial = slurp(f->nodes[i].serial), *hit;
        if (!serial) continue;
        if (strstr(serial, BANNER) && q->stage < STAGE_BOOTING) q->stage = STAGE_BOOTING;
        if ((hit = strstr(serial, DHCP_LINE))) {
            q->stage = STAGE_DHCP;
            sscanf(hit + strlen(DHCP_LINE), "%15s", q->address);
        }
        if (strstr(serial, REGISTERED)) q->stage = STAGE_REGISTERED;
        if ((hit = strstr(serial, REFUSED)) || (hit = strstr(serial, PANIC))) {
            q->stage = STAGE_FAILED;
            size_t n = strcspn(hit, "\n");
            snprintf(q->detail, sizeof q->detail, "%.*s", (int)(n < 150 ? n : 150), hit);
        }
        free(serial);
    }
    free(log);
}
