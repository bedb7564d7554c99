#!/usr/bin/env bash
# Runs every CUnit test program given on the command line, each under a time limit,
# and ends with one total line "N passed, N failed" summed over all programs.
set -u
counts=$(mktemp); trap 'rm -f "$counts"' EXIT
export MULT_TEST_COUNTS="$counts"
status=0
for t in "$@"; do
    echo "=== $t"
    start=$(date +%s)
    timeout --kill-after=10 "${TEST_TIMEOUT:-1200}" "./$t"
    rc=$?
    echo "=== $t: exit $rc in $(( $(date +%s) - start ))s"
    if [ $rc -ne 0 ]; then
        status=1
        # a program that crashed or timed out before reporting counts as one failure
        grep -q "^$t " "$counts" || echo "$t 0 1" >> "$counts"
    fi
done
awk '{p+=$2; f+=$3} END {printf "\nTests: %d passed, %d failed\n", p, f}' "$counts"
awk '{f+=$3} END {exit f>0}' "$counts" || status=1
exit $status
