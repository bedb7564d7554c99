/* Running spec-suite files, each converted and executed in its own child process (so an
 * engine crash or hang costs only that file), a few at a time, under a per-file time
 * limit; and the per-file results they produce. */
#ifndef TESTS_SPEC_SPEC_SUITE_H
#define TESTS_SPEC_SPEC_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tests/spec/spec_convert.h"

typedef enum {
    SPEC_FILE_NOT_RUN,      /* not run yet */
    SPEC_FILE_DONE,         /* every command ran (some may have failed) */
    SPEC_FILE_SIMD,         /* SIMD file: listed, not run */
    SPEC_FILE_CONVERT,      /* wast2json failed */
    SPEC_FILE_CRASHED,      /* the child died of a signal or exited abnormally */
    SPEC_FILE_TIMEOUT,      /* the child ran past the per-file limit */
} spec_file_outcome;

typedef struct {
    char *buf;
    size_t len, cap;
} spec_text;

typedef struct {
    char name[256];                 /* e.g. "address.wast" */
    char path[SPEC_PATH_MAX];       /* the .wast */
    spec_file_outcome outcome;
    char outcome_detail[512];       /* conversion error, signal and command, ... */
    unsigned commands, passed, failed, skipped, notes;
    double seconds;
    spec_text failures;             /* lines "LINE\tTYPE\tDETAIL\n", in command order */
    spec_text note_lines;           /* the same for message-wording notes */
} spec_file_result;

typedef struct {
    char suite_dir[SPEC_PATH_MAX];
    char tmp_dir[SPEC_PATH_MAX];    /* scratch root; each file gets a subdirectory */
    unsigned jobs;                  /* children at once */
    double file_timeout_s;
    double command_timeout_s;
    uint64_t fuel_slice;            /* see spec_file_options; 0 = default */
    bool run_simd;                  /* also run simd_*.wast (v128 commands are skipped) */
    bool fork_children;             /* false: run in-process (for a debugger) */
    bool log_prints;
    int verbose;                    /* 1: print failures as they arrive; 2: also notes */
} spec_config;

/* Defaults, then environment overrides: MULT_SPEC_JOBS, MULT_SPEC_FILE_TIMEOUT,
 * MULT_SPEC_CMD_TIMEOUT, MULT_SPEC_FUEL_SLICE. */
void spec_config_init(spec_config *cfg);

/* List the suite's *.wast files, sorted. If names is non-empty, only those (matched with
 * or without ".wast"); unknown names are an error. *out is malloc'ed. */
bool spec_list_files(const spec_config *cfg, char **names, int nnames,
                     spec_file_result **out, size_t *count, char *why, size_t whylen);

/* Run every file that is not SIMD. Creates cfg->tmp_dir if empty and removes it at the
 * end (also on SIGINT/SIGTERM/SIGHUP, after killing the children). */
bool spec_run_files(spec_config *cfg, spec_file_result *files, size_t count, char *why, size_t whylen);

/* Run one already converted .json in this process, filling f (no fork, no time limit
 * but the per-command one). */
void spec_run_json(const spec_config *cfg, spec_file_result *f, const char *json_path);

void spec_results_free(spec_file_result *files, size_t count);

void spec_text_append(spec_text *t, const char *s, size_t n);

#endif
