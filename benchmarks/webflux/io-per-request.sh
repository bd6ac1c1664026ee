#!/usr/bin/env bash
# System calls and io_uring submissions per request of a running server while wrk loads it, from
# the kernel's tracepoints (perf stat; root). What it showed for issue 29: Netty's own loop and the
# shards send once per response alike, but the shards entered io_uring three times as often per
# request under a 16-deep pipeline, with a third of the sends per entry.
#
# usage: benchmarks/webflux/io-per-request.sh PID URL [pipeline-depth]   (env: SECONDS_RUN=5, CLIENT_CPU=0)
set -euo pipefail
PID=$1; URL=$2; DEPTH=${3:-0}; SECS=${SECONDS_RUN:-5}; CLIENT_CPU=${CLIENT_CPU:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
perf stat -x, -o "$OUT" -p "$PID" \
  -e syscalls:sys_enter_io_uring_enter -e syscalls:sys_enter_sched_yield -e syscalls:sys_enter_futex \
  -e io_uring:io_uring_submit_req --filter 'opcode == 26' \
  -e io_uring:io_uring_submit_req --filter 'opcode == 27' \
  -e io_uring:io_uring_submit_req --filter 'opcode == 11' \
  -e context-switches -- sleep $((SECS + 1)) &
PERF=$!
sleep 0.5
if [ "$DEPTH" -gt 0 ]; then
  W=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${SECS}s" -s "$ROOT/benchmarks/peers/pipeline.lua" "$URL" -- "$DEPTH")
else
  W=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${SECS}s" "$URL")
fi
wait "$PERF"
N=$(awk '/requests in/{print $1}' <<<"$W")
echo "requests: $N"
paste <(awk -F, -v n="$N" 'NF > 3 && $1 ~ /^[0-9]/ {printf "%8.3f per request\n", $1 / n}' "$OUT") \
      <(printf '%s\n' io_uring_enter sched_yield futex 'SEND submitted' 'RECV submitted' 'TIMEOUT submitted' 'context switches')
