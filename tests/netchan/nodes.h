/* Test helper: sipnode processes for the netchan tests. Each node runs with its output in
 * a file of a private temporary directory; every process started is remembered, so a
 * test (or the suite cleanup, or exit) kills what is left by PID and removes the files. */
#ifndef TESTS_NETCHAN_NODES_H
#define TESTS_NETCHAN_NODES_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct node_proc {
    pid_t pid;
    char name[32];
    char out[256];                /* stdout + stderr */
    int status;                   /* exit status (or 128 + signal) once done */
    bool done;
} node_proc;

/* Make the temporary directory and pick a free-looking port base. */
int nodes_init(void);
/* Kill every process still running, remove the files and the directory. */
void nodes_cleanup(void);
/* tcp://127.0.0.1:(base + i) */
const char *nodes_addr(int i);
/* Start build/bin/sipnode with argv (NULL-terminated, without the program name). */
int node_start(node_proc *p, const char *name, const char *const *argv);
/* The same inside network namespace `netns` (through `ip netns exec`), or as node_start. */
int node_start_in(node_proc *p, const char *name, const char *netns, const char *const *argv);
/* Wait up to timeout_ms for it to exit: 0 if it did (p->status set), -1 if not. */
int node_wait(node_proc *p, int timeout_ms);
void node_kill(node_proc *p);
/* Everything it printed so far (malloc'd, NUL-terminated). */
char *node_output(const node_proc *p);
/* The value of "key=" in its netchan stats line, or -1. */
long long node_stat(const node_proc *p, const char *key);

#endif
