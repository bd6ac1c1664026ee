#!/usr/bin/env bash
# What one RESP request costs the demo in io_uring: entries into the kernel (io_uring_enter) and submissions by
# operation (RECV, SEND, TIMEOUT, POLL_ADD, ...) a request, one build or several, each in its own run of the load
# run-resp-alternating.sh uses (CPU 0, -c 50 -r 100000, SET then GET), from the kernel's tracepoints (perf record;
# root). Where a change is about system calls, this is its figure; CPU a request is run-resp-alternating.sh's.
# What it showed for issue 79 (PEERS.md, measurement 52): 0.29 TIMEOUT a request one at a time with Netty's timeout on
# every wait, 0.001 with the shard's standing timers.
#
# usage: benchmarks/run-resp-io-ops.sh JAR[@JVM-OPTIONS]...     JVM-OPTIONS comma-separated
# env:   PIPELINE (1), REQUESTS (300000 a test, so 600000 a run), WARMUPS (6 unmeasured runs first), PORT (7800)
set -euo pipefail
PIPELINE=${PIPELINE:-1}
REQUESTS=${REQUESTS:-300000}
WARMUPS=${WARMUPS:-6}
PORT=${PORT:-7800}
[ $# -ge 1 ] || { sed -n 's/^# usage: //p' "$0" >&2; exit 2; }
for tool in perf redis-benchmark redis-cli taskset java; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done

WORK=$(mktemp -d)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

load() { taskset -c 0 redis-benchmark -p "$PORT" -t set,get -r 100000 -c 50 -P "$PIPELINE" -n "$REQUESTS" -q >/dev/null 2>&1; }

echo "# $(date -u +%FT%TZ) pipeline=$PIPELINE requests=$((2 * REQUESTS)) a run (SET + GET), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for spec in "$@"; do
  jar=${spec%%@*}
  opts=()
  if [ "$spec" != "$jar" ]; then IFS=',' read -r -a opts <<<"${spec#*@}"; fi
  [ -f "$jar" ] || { echo "no such jar: $jar" >&2; exit 2; }
  taskset -c 1 env -u PERCORE_JAR java -Xms256m -Xmx512m ${opts[@]+"${opts[@]}"} -jar "$jar" \
    --percore.servers.resp.port="$PORT" --percore.servers.http.port=$((PORT + 1)) --management.server.port=$((PORT + 2)) \
    --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s >"$WORK/demo.log" 2>&1 &
  PID=$!
  for _ in $(seq 240); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -p "$PORT" ping >/dev/null 2>&1 || { echo "$spec did not answer on $PORT" >&2; cat "$WORK/demo.log" >&2; exit 1; }
  for _ in $(seq "$WARMUPS"); do load; done
  perf record -q -e io_uring:io_uring_submit_req -e syscalls:sys_enter_io_uring_enter -p "$PID" -o "$WORK/perf.data" \
    -- bash -c "$(declare -f load); PORT=$PORT PIPELINE=$PIPELINE REQUESTS=$REQUESTS load" >/dev/null 2>&1
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
  echo "$(basename "$jar" .jar)${opts[0]:+@${spec#*@}}:"
  perf script -i "$WORK/perf.data" 2>/dev/null | awk -v n=$((2 * REQUESTS)) '
    /sys_enter_io_uring_enter/ { e++ }
    /io_uring_submit_req/ { if (match($0, /opcode [A-Z_]+/)) o[substr($0, RSTART + 7, RLENGTH - 7)]++ }
    END { printf "  %-16s %.3f a request\n", "io_uring_enter", e / n; for (k in o) printf "  %-16s %.3f a request\n", k, o[k] / n }'
done
