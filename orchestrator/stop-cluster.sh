#!/bin/sh
# Stop the cluster orchestrator/run-cluster.sh started: every process named by a pid file
# under run/ (RUN), if that PID is still an orchd or sipnode, gets SIGTERM, then SIGKILL
# after 3 s. Pid files are removed; logs and the database stay for inspection.
cd "$(dirname "$0")/.."
RUN=${RUN:-run}
for f in "$RUN"/node1.pid "$RUN"/node2.pid "$RUN"/node3.pid "$RUN"/orchd.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    rm -f "$f"
    case "$pid" in ''|*[!0-9]*) continue ;; esac
    grep -qa -e orchd -e sipnode "/proc/$pid/cmdline" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    echo "stopped $(basename "$f" .pid) ($pid)"
done
exit 0
