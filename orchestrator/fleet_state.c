/* fleet_state.c: reads and writes STATE_DIR/fleet.state (see fleet_state.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "orchestrator/fleet_state.h"

void fleet_state_path(const char *dir, char *out, size_t len)
{
    snprintf(out, len, "%s/fleet.state", dir);
}

int fleet_state_save(const struct fleet_state *f, char *err, size_t errlen)
{
    char path[512], tmp[520];
    fleet_state_path(f->dir, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *o = fopen(tmp, "w");
    if (!o) { snprintf(err, errlen, "%s: %s", tmp, strerror(errno)); return -1; }
    fprintf(o, "name %s\nuri %s\nnetwork %s\nbridge %s\ngateway %s\nboot_url %s\n"
               "domain_type %s\nnic %s\nserver_pid %ld\nmemory_mib %u\n",
            f->name, f->uri, f->network, f->bridge, f->gateway, f->boot_url, f->domain_type, f->nic,
            (long)f->server_pid, f->memory_mib);
    for (int i = 0; i < f->n; i++)
        fprintf(o, "node %s %s %s\n", f->nodes[i].name, f->nodes[i].mac, f->nodes[i].serial);
    if (fclose(o) || rename(tmp, path)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src);
}

int fleet_state_load(const char *dir, struct fleet_state *f, char *err, size_t errlen)
{
    char path[512], line[1200];
    memset(f, 0, sizeof *f);
    copy(f->dir, sizeof f->dir, dir);
    fleet_state_path(dir, path, sizeof path);
    FILE *in = fopen(path, "r");
    if (!in) { snprintf(err, errlen, "no fleet here (%s: %s)", path, strerror(errno)); return -1; }
    int lineno = 0, bad = 0;
    while (fgets(line, sizeof line, in)) {
        lineno++;
        line[strcspn(line, "\n")] = 0;
        char *value = strchr(line, ' ');
        if (!value) { bad = lineno; break; }
        *value++ = 0;
        if (!strcmp(line, "name")) copy(f->name, sizeof f->name, value);
        else if (!strcmp(line, "uri")) copy(f->uri, sizeof f->uri, value);
        else if (!strcmp(line, "network")) copy(f->network, sizeof f->network, value);
        else if (!strcmp(line, "bridge")) copy(f->bridge, sizeof f->bridge, value);
        else if (!strcmp(line, "gateway")) copy(f->gateway, sizeof f->gateway, value);
        else if (!strcmp(line, "boot_url")) copy(f->boot_url, sizeof f->boot_url, value);
        else if (!strcmp(line, "domain_type")) copy(f->domain_type, sizeof f->domain_type, value);
        else if (!strcmp(line, "nic")) copy(f->nic, sizeof f->nic, value);
        else if (!strcmp(line, "server_pid")) f->server_pid = (pid_t)atol(value);
        else if (!strcmp(line, "memory_mib")) f->memory_mib = (unsigned)atoi(value);
        else if (!strcmp(line, "node") && f->n < FLEET_MAX_NODES) {
            struct fleet_node *nd = &f->nodes[f->n];
            char *mac = strchr(value, ' '), *serial = mac ? strchr(mac + 1, ' ') : NULL;
            if (!serial) { bad = lineno; break; }
            *mac++ = 0;
            *serial++ = 0;
            copy(nd->name, sizeof nd->name, value);
            copy(nd->mac, sizeof nd->mac, mac);
            copy(nd->serial, sizeof nd->serial, serial);
            f->n++;
        }
    }
    fclose(in);
    if (bad || !f->name[0] || !f->uri[0] || !f->network[0]) {
        snprintf(err, errlen, "%s: malformed (line %d)", path, bad ? bad : lineno);
        return -1;
    }
    return 0;
}
