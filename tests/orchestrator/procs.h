/* Helpers for the orchestrator's process tests: a temporary directory, child processes
 * started with their output in files there and ended by PID (always, pass or fail), free
 * loopback ports, HTTP GETs that return JSON, and polling with a deadline. */
#ifndef TESTS_ORCHESTRATOR_PROCS_H
#define TESTS_ORCHESTRATOR_PROCS_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>

/* Create the temporary directory (returns its path) / remove it and everything in it. */
const char *tp_tmpdir(void);
void tp_cleanup(void);

/* Start argv[0] with stdout and stderr to TMPDIR/NAME.out and NAME.err; returns the PID. */
pid_t tp_spawn(const char *name, char *const argv[]);
/* Signal a PID we started and reap it (SIGKILL if it has not exited after 2 s). */
void tp_kill(pid_t pid, int sig);
/* End every process still running that tp_spawn started. */
void tp_kill_all(void);

/* A TCP port on 127.0.0.1 nobody listens on right now. */
int tp_free_port(void);

/* GET http://127.0.0.1:PORT/PATH: the body as JSON (NULL on failure), or as text. */
json_t *tp_get_json(int port, const char *path);
char *tp_get_text(int port, const char *path);

/* Run a command line through sh; its stdout into *out (malloc'd); returns the exit status. */
int tp_run(const char *cmd, char **out);

/* Read TMPDIR/NAME (malloc'd text, "" if missing). */
char *tp_read(const char *name);

/* Milliseconds on a monotonic clock. */
long long tp_ms(void);

#endif
