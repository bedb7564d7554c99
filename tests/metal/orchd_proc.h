/* orchd_proc.h: the real orchestrator daemon (build/bin/orchd) for tests that boot the
 * metal kernel: started on free 127.0.0.1 ports with its database in a private
 * temporary directory, driven with sipctl, killed by PID and cleaned up afterwards. */
#ifndef TESTS_METAL_ORCHD_PROC_H
#define TESTS_METAL_ORCHD_PROC_H
#include <sys/types.h>

struct orchd_proc {
    pid_t pid;
    int node_port, http_port;
    char dir[64];               /* database, log, manifests */
};

int  orchd_start(struct orchd_proc *o);
void orchd_stop(struct orchd_proc *o);      /* SIGTERM, then SIGKILL; removes the directory */
/* Runs `sipctl ARGS` against it; returns its output (malloc'd) and exit status. */
char *orchd_sipctl(struct orchd_proc *o, const char *args, int *status);
/* A 127.0.0.1 TCP port nobody listens on now (a small race is accepted). */
int orchd_free_port(void);
/* Starts a hosted node (build/bin/sipnode --orch ...) registered with this orchd, with
 * netchan on 127.0.0.1:nc_port and one label; its output goes to DIR/ID.log (read it
 * with orchd_read_file). Returns its pid, or -1. Stop it with orchd_stop_pid. */
pid_t orchd_start_sipnode(struct orchd_proc *o, const char *id, int nc_port, const char *label);
void  orchd_stop_pid(pid_t pid);
/* A file of the private directory, whole (malloc'd; "" if unreadable). */
char *orchd_read_file(struct orchd_proc *o, const char *name);
/* Writes a file into the private directory; returns its path (static buffer). */
const char *orchd_write_file(struct orchd_proc *o, const char *name, const char *text);
#endif
