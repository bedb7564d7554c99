/* Finding the spec suite and the repository, converting a .wast with Debian's wast2json
 * into a scratch directory, and removing scratch directories again. */
#ifndef TESTS_SPEC_SPEC_CONVERT_H
#define TESTS_SPEC_SPEC_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#define SPEC_PATH_MAX 4096

/* The repository root: two levels above the running program (build/bin/X), else the
 * current directory. Always succeeds. */
void spec_repo_root(char *out, size_t len);

/* The suite directory: $MULT_WASM_TESTSUITE, else <root>/../shared/wasm-testsuite, else
 * ./../shared/wasm-testsuite. False (with why) if none is a directory. */
bool spec_find_suite(const char *root, char *out, size_t len, char *why, size_t whylen);

/* Convert wast into <outdir>/<stem>.json (+ its .wasm/.wat files): first with no feature
 * flags, then with --enable-all. Writes the json path to json_out. On failure, why holds
 * wast2json's first error line. */
bool spec_wast2json(const char *wast, const char *outdir, char *json_out, size_t json_len,
                    char *why, size_t whylen);

/* mkdtemp under $TMPDIR (or /tmp) named mult-spec-XXXXXX. */
bool spec_make_tmpdir(char *out, size_t len);

/* rm -rf dir (no symlinks followed). */
void spec_remove_tree(const char *dir);

/* True if the name is a SIMD file (simd_*.wast), which is listed but not run. */
bool spec_is_simd(const char *name);

#endif
