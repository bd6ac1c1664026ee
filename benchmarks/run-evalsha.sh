#!/usr/bin/env bash
# EVALSHA of a 3-command script (SET, INCR, GET) against redis-server 7.0: the server's CPU µs per
# call, one at a time and 16-deep pipelined, rounds interleaved (issue 28's "EVALSHA CPU per call").
# One shard pinned to SERVER_CPU as run-peers.sh runs it, redis-benchmark pinned to CLIENT_CPU.
#
# usage: benchmarks/run-evalsha.sh [rounds]   (default 3; about 30 s a round plus ~40 s start)
# env:   PERCORE_JAR, SERVER_CPU (1), CLIENT_CPU (0), REQUESTS (100000 at -P 1; 3x that at -P 16),
#        BEFORE_JAR: a second build measured in the same rounds (A/B: "before" beside "demo", each
#        against the same redis-server figures), e.g. BEFORE_JAR=/tmp/main.jar benchmarks/run-evalsha.sh 5
set -euo pipefail
ROUNDS=${1:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
REQUESTS=${REQUESTS:-100000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-evalsha.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for tool in redis-server redis-benchmark redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-evalsha: '$tool' is required" >&2; exit 2; }
done
JAR=${PERCORE_JAR:-$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar 2>/dev/null | head -1 || true)}
[ -n "$JAR" ] || { (cd "$ROOT" && ./mvnw -B -q -pl demo-service -am package -DskipTests); JAR=$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar | head -1); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
DEMO_PORT=$(free_port); REDIS_PORT=$(free_port)
start_demo() { # jar port log
  taskset -c "$SERVER_CPU" env -u PERCORE_JAR java -Xms256m -Xmx512m -jar "$1" --percore.servers.resp.port="$2" \
    --percore.servers.http.port=0 --management.server.port=0 --percore.engine.shards=0 --percore.engine.mode=pinned \
    --percore.engine.idle-poll=0s > "$3" 2>&1 &
}
start_demo "$JAR" "$DEMO_PORT" "$WORK/demo.log"
DEMO_PID=$!; PIDS+=("$DEMO_PID")
BEFORE_PID=
if [ -n "${BEFORE_JAR:-}" ]; then
  BEFORE_PORT=$(free_port)
  start_demo "$BEFORE_JAR" "$BEFORE_PORT" "$WORK/before.log"
  BEFORE_PID=$!; PIDS+=("$BEFORE_PID")
fi
taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no > "$WORK/redis.log" 2>&1 &
REDIS_PID=$!; PIDS+=("$REDIS_PID")
for _ in $(seq 1 180); do redis-cli -p "$DEMO_PORT" ping >/dev/null 2>&1 && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 \
  && { [ -z "$BEFORE_PID" ] || redis-cli -p "$BEFORE_PORT" ping >/dev/null 2>&1; } && break; sleep 0.5; done
SCRIPT='redis.call("set", KEYS[1], ARGV[1]) redis.call("incr", KEYS[1] .. ":n") return redis.call("get", KEYS[1])'
SHA=$(redis-cli -p "$DEMO_PORT" script load "$SCRIPT")
[ "$(redis-cli -p "$REDIS_PORT" script load "$SCRIPT")" = "$SHA" ] || { echo "run-evalsha: the servers disagree on the script's SHA" >&2; exit 1; }
[ -z "$BEFORE_PID" ] || [ "$(redis-cli -p "$BEFORE_PORT" script load "$SCRIPT")" = "$SHA" ] || { echo "run-evalsha: BEFORE_JAR's server disagrees on the script's SHA" >&2; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU µs per call of server PID on PORT for N calls at depth P
measure() {
  local a b
  a=$(ticks "$1")
  taskset -c "$CLIENT_CPU" redis-benchmark -p "$2" -n "$3" -c 50 -r 100000 -P "$4" EVALSHA "$SHA" 1 key:__rand_int__ v > /dev/null 2>&1
  b=$(ticks "$1")
  python3 -c "import os; print(f'{($b - $a) * 1e6 / os.sysconf(\"SC_CLK_TCK\") / $3:.2f}')"
}
measure "$DEMO_PID" "$DEMO_PORT" "$REQUESTS" 16 > /dev/null   # JIT warm-up of both paths, not measured
measure "$DEMO_PID" "$DEMO_PORT" "$REQUESTS" 1 > /dev/null
if [ -n "$BEFORE_PID" ]; then
  measure "$BEFORE_PID" "$BEFORE_PORT" "$REQUESTS" 16 > /dev/null
  measure "$BEFORE_PID" "$BEFORE_PORT" "$REQUESTS" 1 > /dev/null
fi
echo "== $(date -u '+%Y-%m-%dT%H:%M:%SZ'), load average $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds"
RESULTS="$WORK/results"; : > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for depth in 1 16; do
    n=$REQUESTS; [ "$depth" = 16 ] && n=$((REQUESTS * 3))
    b=
    if [ $((round % 2)) = 1 ]; then
      d=$(measure "$DEMO_PID" "$DEMO_PORT" "$n" "$depth")
      [ -z "$BEFORE_PID" ] || b=$(measure "$BEFORE_PID" "$BEFORE_PORT" "$n" "$depth")
      r=$(measure "$REDIS_PID" "$REDIS_PORT" "$n" "$depth")
    else
      r=$(measure "$REDIS_PID" "$REDIS_PORT" "$n" "$depth")
      [ -z "$BEFORE_PID" ] || b=$(measure "$BEFORE_PID" "$BEFORE_PORT" "$n" "$depth")
      d=$(measure "$DEMO_PID" "$DEMO_PORT" "$n" "$depth")
    fi
    echo "round $round -P $depth: demo $d µs, ${b:+before $b µs, }redis-server $r µs" | tee -a "$RESULTS"
  done
done
echo "== done $(date -u '+%H:%M:%SZ'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$RESULTS" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"round \d+ -P (\d+): demo ([\d.]+) µs, (?:before ([\d.]+) µs, )?redis-server ([\d.]+) µs", line)
    if m:
        rows.setdefault((m[1], "demo"), []).append(float(m[2]) / float(m[4]))
        if m[3]:
            rows.setdefault((m[1], "before"), []).append(float(m[3]) / float(m[4]))
for (depth, who), ratios in sorted(rows.items()):
    print(f"EVALSHA -P {depth}: {who} / redis-server CPU per call min {min(ratios):.2f} / median {statistics.median(ratios):.2f} / max {max(ratios):.2f} (target <= 1.2)")
PY
