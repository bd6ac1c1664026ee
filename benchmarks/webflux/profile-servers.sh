#!/usr/bin/env bash
# Servers already running (as for ab-servers.sh), profiled in turn under the same wrk load with
# async-profiler attached for the measured run only: one collapsed-stack file per server, with the
# requests wrk counted and the server's CPU µs per request over the profiled run (the profiler's
# own cost included, so compare servers within one call, not with ab-servers.sh's figures). Read
# them with profile-layers.py (by layer) or ../peers/profile-diff.py (frame by frame, two servers).
#
# usage: benchmarks/webflux/profile-servers.sh OUT_DIR NAME:PID:PORT...
#   e.g. benchmarks/webflux/profile-servers.sh /tmp/p shards:$SHARDS_PID:$SHARDS_PORT stock:$STOCK_PID:$STOCK_PORT
#        then benchmarks/peers/profile-diff.py /tmp/p/shards.collapsed '[percore-shard' /tmp/p/stock.collapsed '[reactor-http'
# env:   SCENARIO (pipelined16; plain), WRK_SECONDS (20), INTERVAL (1ms: a finer one costs the server more
#        than the differences looked for), CLIENT_CPU (0), ASYNC_PROFILER_VERSION (4.2, from Maven Central)
set -euo pipefail
OUT=$1; shift
SCENARIO=${SCENARIO:-pipelined16}; WRK_SECONDS=${WRK_SECONDS:-20}; INTERVAL=${INTERVAL:-1ms}; CLIENT_CPU=${CLIENT_CPU:-0}
VERSION=${ASYNC_PROFILER_VERSION:-4.2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HZ=$(getconf CLK_TCK)
mkdir -p "$OUT"
LIB_DIR=$(mktemp -d)
trap 'rm -rf "$LIB_DIR"' EXIT
LIB=$("$ROOT/benchmarks/peers/async-profiler.sh" "$VERSION" "$LIB_DIR")
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) load: $(cut -d' ' -f1-3 /proc/loadavg) scenario: $SCENARIO, ${WRK_SECONDS}s, interval $INTERVAL"
for server in "$@"; do
  IFS=: read -r name pid port <<<"$server"
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  jcmd "$pid" JVMTI.agent_load "$LIB" "\"start,event=cpu,interval=$INTERVAL,threads,file=$OUT/$name.collapsed\"" >/dev/null
  case "$SCENARIO" in
    pipelined16) out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" -s "$ROOT/benchmarks/peers/pipeline.lua" "http://127.0.0.1:$port/" -- 16) ;;
    *) out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" "http://127.0.0.1:$port/") ;;
  esac
  jcmd "$pid" JVMTI.agent_load "$LIB" "\"stop,file=$OUT/$name.collapsed\"" >/dev/null
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  n=$(awk '/requests in/{print $1}' <<<"$out")
  echo "$n" > "$OUT/$name.requests"
  echo "$name: $n requests, $(awk -v t=$((after - before)) -v hz="$HZ" -v n="$n" 'BEGIN{printf "%.2f", t * 1e6 / hz / n}') us per request (profiled), $OUT/$name.collapsed"
done
