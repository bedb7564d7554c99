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
/* Writes a file into the private directory; returns its path (static buffer). */
const char *orchd_write_file(struct orchd_proc *o, const char *name, const char *text);
#endif
