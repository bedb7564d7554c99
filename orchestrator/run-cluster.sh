#!/bin/sh
# Start a local Multiplicity cluster on loopback -- orchd and three hosted sipnodes, in the
# background with pid files and logs under run/ -- apply the example applications (a
# pipeline spread over the three nodes, and echo across two), wait for them to finish
# and show nodes, SIPs, channels and their output. The cluster keeps running afterwards
# (status page on http://127.0.0.1:$HTTP_PORT/); orchestrator/stop-cluster.sh ends it.
#
# Environment: RUN (default run), ORCH_PORT (7700), HTTP_PORT (7780), NC_BASE (7710:
# nodes listen for netchan on NC_BASE+1..3). Run from anywhere; paths are the repo's.
set -eu
cd "$(dirname "$0")/.."
RUN=${RUN:-run}
ORCH_PORT=${ORCH_PORT:-7700}
HTTP_PORT=${HTTP_PORT:-7780}
NC_BASE=${NC_BASE:-7710}
B=build/bin
export SIPCTL_SERVER="http://127.0.0.1:$HTTP_PORT"

for f in $B/orchd $B/sipnode $B/sipctl build/sips/pipe_source.wasm build/sips/echo_server.wasm; do
    [ -e "$f" ] || { echo "run-cluster: $f missing (make all first)" >&2; exit 1; }
done
RUN="$RUN" orchestrator/stop-cluster.sh >/dev/null 2>&1 || true
mkdir -p "$RUN"
rm -f "$RUN"/orchd.db "$RUN"/orchd.db-wal "$RUN"/orchd.db-shm

wait_until() {   # wait_until SECONDS COMMAND...: poll until the command succeeds
    t=$(( $1 * 10 )); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.1; t=$((t - 1)); done
    return 1
}
fail() {         # fail MESSAGE: stop what this script started, say why, exit 1
    RUN="$RUN" orchestrator/stop-cluster.sh >/dev/null 2>&1 || true
    echo "run-cluster: $1" >&2
    exit 1
}
other_ports="choose others with ORCH_PORT, HTTP_PORT, NC_BASE and RUN (docs/orchestrator.md)"

# Someone else's orchd on these ports would get our nodes and applications: refuse.
if $B/sipctl get nodes >/dev/null 2>&1; then
    echo "run-cluster: an orchd already answers on $SIPCTL_SERVER (another cluster or a test);" >&2
    echo "    stop it (make stop) or $other_ports" >&2
    exit 1
fi

$B/orchd --db "$RUN/orchd.db" --listen "tcp://127.0.0.1:$ORCH_PORT" --http "$HTTP_PORT" \
    >"$RUN/orchd.log" 2>&1 &
orchd_pid=$!
echo $orchd_pid >"$RUN/orchd.pid"
orchd_up() { kill -0 $orchd_pid 2>/dev/null && $B/sipctl get nodes >/dev/null 2>&1; }
wait_until 5 orchd_up && sleep 0.2 && kill -0 $orchd_pid 2>/dev/null ||
    fail "orchd did not start: $(cat "$RUN/orchd.log"); if a port is taken, $other_ports"
for i in 1 2 3; do
    zone=$(echo abc | cut -c$i)
    $B/sipnode \
        --orch "tcp://127.0.0.1:$ORCH_PORT" --orch-id "node$i" \
        --orch-nc "tcp://127.0.0.1:$((NC_BASE + i))" --orch-label "zone=$zone" --orch-memory 256M \
        >"$RUN/node$i.log" 2>&1 &
    echo $! >"$RUN/node$i.pid"
done

three_ready() { [ "$($B/sipctl get nodes 2>/dev/null | grep -c ' ready ')" = 3 ]; }
all_done() { ! $B/sipctl get sips 2>/dev/null | grep -Eq ' (pending|starting|created|running|blocked|backoff) '; }

wait_until 10 three_ready ||
    fail "nodes did not register; see $RUN/node*.log (a netchan port taken? $other_ports)"
echo "== nodes"
$B/sipctl get nodes
echo "== sipctl apply"
$B/sipctl apply -f orchestrator/examples/pipeline.yaml
$B/sipctl apply -f orchestrator/examples/echo.yaml
wait_until 30 all_done || echo "run-cluster: SIPs still running after 30 s" >&2
echo "== sips"
$B/sipctl get sips
echo "== channels"
$B/sipctl get channels
echo "== logs pipeline/sink"
$B/sipctl logs pipeline/sink
echo "== logs echo/client"
$B/sipctl logs echo/client
echo "== cluster running: status page $SIPCTL_SERVER/  metrics $SIPCTL_SERVER/metrics"
if [ "$RUN" = run ]; then stop="make stop"; else stop="RUN=$RUN orchestrator/stop-cluster.sh"; fi
echo "   try: SIPCTL_SERVER=$SIPCTL_SERVER $B/sipctl events; stop with: $stop"
