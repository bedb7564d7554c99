/* proc.h: child processes for the network-boot tests: start a program (optionally inside
 * a network namespace), remember its PID so that it is killed on exit or on a signal,
 * stop it by PID, run a command to completion, wait for text in a file. */
#ifndef TESTS_PXE_PROC_H
#define TESTS_PXE_PROC_H
#include <sys/types.h>

/* Starts argv (NULL-terminated) in the background; inside netns when it is not NULL
 * (through `ip netns exec`, which execs the program, so the PID is the program's).
 * stdout/stderr go to log_path (or /dev/null). Returns the PID or -1. */
pid_t proc_start(const char *netns, char *const argv[], const char *log_path);
/* SIGTERM, then SIGKILL after grace_ms; reaps. Safe with pid <= 0. */
void  proc_stop(pid_t pid, int grace_ms);
/* 1 while the process has not exited (reaps it when it has). */
int   proc_alive(pid_t pid);
/* Runs a shell command line to completion; returns its exit status (or -1). Output goes
 * to stderr when verbose (MULT_TEST_VERBOSE), else nowhere. */
int   proc_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Waits until the file contains text, the process pid (if > 0) exits, or timeout_s
 * passes. Returns 1 if found. */
int   file_wait_for(const char *path, const char *text, pid_t pid, int timeout_s);
/* Whole file, malloc'd and NUL-terminated ("" if missing). */
char *file_read(const char *path);
/* Registers a cleanup run at exit and on SIGINT/SIGTERM/SIGHUP (at most 8). */
void  proc_on_exit(void (*fn)(void));
/* A private temporary directory /tmp/mult-pxe-XXXXXX (removed by proc_rmdir). */
int   proc_tmpdir(char *out, size_t len);
void  proc_rmdir(const char *dir);
#endif
