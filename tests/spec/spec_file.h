/* Runs the commands of one converted spec-suite file (the .json that wast2json wrote, with
 * its .wasm files beside it) in the current process, against one engine store, and reports
 * every command's verdict to a sink. */
#ifndef TESTS_SPEC_SPEC_FILE_H
#define TESTS_SPEC_SPEC_FILE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    SPEC_PASS,
    SPEC_FAIL,
    SPEC_SKIP,
    SPEC_NOTE,      /* not a verdict: the command passed but the message wording differs */
} spec_verdict;

typedef struct spec_sink spec_sink;
struct spec_sink {
    /* Number of commands in the file, before the first one runs. */
    void (*begin)(spec_sink *k, unsigned ncommands);
    /* A command is about to run (lets a parent name the command a crash happened in). */
    void (*start)(spec_sink *k, int line, const char *type);
    /* One verdict per command (plus NOTEs); detail says what differed, "" when passed. */
    void (*verdict)(spec_sink *k, int line, const char *type, spec_verdict v, const char *detail);
};

typedef struct {
    double command_timeout_s;   /* wall-clock limit for one invoke; 0 = none */
    uint64_t fuel_slice;        /* fuel per wasm_run() call; 0 = a large default. Small
                                   slices pause and resume every call many times. */
    bool log_prints;            /* spectest.print* write their arguments to stderr */
} spec_file_options;

/* Run every command of json_path. Returns false if the file could not be read at all
 * (the reason is reported as one failed command at line 0). */
bool spec_file_run(const char *json_path, const spec_file_options *opt, spec_sink *sink);

#endif
