#!/usr/bin/env bash
# WebSocket fan-out: one message to 1,000 sockets. The same WebFlux application (webflux-sample:
# /ws/feed, POST /broadcast, the starter's WebSocketBroadcast) on Percore's shards and on Spring
# Boot's own Reactor Netty server (percore.web.enabled=false, one event loop), side by side: each
# server pinned to one CPU, the clients (benchmarks' FanOutClient: 1,000 connections on one Netty
# event loop, then MESSAGES broadcasts, each awaited on every socket) pinned to the other; rounds
# interleaved, the order alternating. Figures: the server's CPU µs per delivered message
# (utime+stime from /proc over the broadcasts only, ÷ messages × sockets) and the fan-out time of a
# message (POST to the last socket's receipt, as the client sees it), p50 and p99.
#
# usage: benchmarks/run-websocket.sh [rounds]        (default 5; about 1 minute a round)
# env:   SERVER_CPU (1) CLIENT_CPU (0) SOCKETS (1000) MESSAGES (300) SERVER_JVM_OPTS SAMPLE_JAR
set -euo pipefail

ROUNDS=${1:-5}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
SOCKETS=${SOCKETS:-1000}
MESSAGES=${MESSAGES:-300}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:--Dio.netty.leakDetection.level=disabled}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-websocket.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
RESULTS="$WORK/results.txt"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in taskset curl java python3; do
  command -v "$tool" >/dev/null || { echo "run-websocket: '$tool' is required" >&2; exit 2; }
done
JAR=${SAMPLE_JAR:-$(ls "$ROOT"/webflux-sample/target/percore-webflux-sample-*-exec.jar 2>/dev/null | head -1 || true)}
CLIENT_JAR="$ROOT/benchmarks/target/benchmarks.jar"
if [ -z "$JAR" ] || [ ! -f "$CLIENT_JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl webflux-sample,benchmarks -am package -DskipTests)
  JAR=$(ls "$ROOT"/webflux-sample/target/percore-webflux-sample-*-exec.jar | head -1)
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_for() {
  for _ in $(seq 1 180); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "run-websocket: timed out waiting for $1" >&2; tail -n 30 "$WORK"/*.log >&2 2>/dev/null || true; exit 1
}
# 1,000 sockets and their client: more descriptors than a default 1024 soft limit leaves
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

SHARDS_PORT=$(free_port)
STOCK_PORT=$(free_port)
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$ROUNDS sockets=$SOCKETS messages=$MESSAGES load: $(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c "$SERVER_CPU" java -Xms256m -Xmx512m $SERVER_JVM_OPTS -jar "$JAR" --server.port="$SHARDS_PORT" \
  --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s > "$WORK/shards.log" 2>&1 &
SHARDS_PID=$!; PIDS+=("$SHARDS_PID")
taskset -c "$SERVER_CPU" java -Xms256m -Xmx512m $SERVER_JVM_OPTS -Dreactor.netty.ioWorkerCount=1 -jar "$JAR" \
  --server.port="$STOCK_PORT" --percore.web.enabled=false \
  --percore.engine.shards=0 --percore.engine.mode=overprovisioned > "$WORK/stock.log" 2>&1 &
STOCK_PID=$!; PIDS+=("$STOCK_PID")
wait_for "http://127.0.0.1:$SHARDS_PORT/"
wait_for "http://127.0.0.1:$STOCK_PORT/"
grep -q "on 1 shard(s)" "$WORK/shards.log" || { echo "run-websocket: the sample did not serve on one shard" >&2; exit 1; }
grep -q "on 1 shard(s)" "$WORK/stock.log" && { echo "run-websocket: the stock run served on the shards" >&2; exit 1; }

# One run: the client connects and says "ready"; the server's CPU is counted from "go" to the result.
# Prints "<deliveries> <cpu_us_per_delivery> <p50_us> <p99_us>".
run() { # pid port
  local before after line result
  coproc CLIENT { taskset -c "$CLIENT_CPU" java -Xms256m -Xmx512m -cp "$CLIENT_JAR" io.percore.benchmarks.websocket.FanOutClient \
      127.0.0.1 "$2" "$SOCKETS" "$MESSAGES" --wait 2>"$WORK/client.err"; }
  # the coproc's own descriptors go when it exits, which can be before its last line is read: keep copies
  local out in
  exec {out}<&"${CLIENT[0]}" {in}>&"${CLIENT[1]}"
  local cpid=$CLIENT_PID
  # (Netty logs a line or two to standard output before the client speaks)
  line=
  while [ "$line" != ready ]; do
    read -r -t 120 line <&"$out" || { echo "run-websocket: the client did not connect: $(cat "$WORK/client.err")" >&2; exit 1; }
  done
  before=$(cpu_ticks "$1")
  echo go >&"$in"
  result=
  until [[ "$result" =~ ^[0-9]+\ [0-9]+\ [0-9]+\  ]]; do
    read -r -t 300 result <&"$out" || { echo "run-websocket: no result: $(cat "$WORK/client.err")" >&2; exit 1; }
  done
  after=$(cpu_ticks "$1")
  wait "$cpid" || { echo "run-websocket: the client failed: $(cat "$WORK/client.err")" >&2; exit 1; }
  exec {out}<&- {in}>&-
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v r="$result" 'BEGIN{split(r, f, " "); printf "%d %.3f %s %s\n", f[3], t*1e6/hz/f[3], f[4], f[5]}'
}

echo "== warm-up (JIT), not measured"
run "$SHARDS_PID" "$SHARDS_PORT" >/dev/null
run "$STOCK_PID" "$STOCK_PORT" >/dev/null

echo "round server deliveries cpu_us_per_delivery fanout_p50_us fanout_p99_us"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="stock shards"; else order="shards stock"; fi
  for who in $order; do
    if [ "$who" = shards ]; then line=$(run "$SHARDS_PID" "$SHARDS_PORT"); else line=$(run "$STOCK_PID" "$STOCK_PORT"); fi
    echo "$round $who $line" | tee -a "$RESULTS"
  done
done
echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== summary over $ROUNDS rounds (ratio = shards / stock per round: min / median / max)"
awk '
  function sort(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } }
  function median(a, n) { sort(a, n); return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function spread(a, n,   m) { m = median(a, n); return sprintf("%.2f / %.2f / %.2f", a[1], m, a[n]) }
  $2 == "shards" { su[$1] = $4; s50[$1] = $5; s99[$1] = $6; rounds[$1] = 1 }
  $2 == "stock"  { ku[$1] = $4; k50[$1] = $5; k99[$1] = $6 }
  END {
    n = 0
    for (r in rounds) { n++; a[n] = su[r]; b[n] = ku[r]; cr[n] = su[r] / ku[r]; p[n] = s99[r]; q[n] = k99[r]; pr[n] = s99[r] / k99[r]
                        m[n] = s50[r]; o[n] = k50[r] }
    printf "cpu us per delivered message: shards %.3f, stock %.3f, ratio %s\n", median(a, n), median(b, n), spread(cr, n)
    printf "fan-out to every socket, p50: shards %.0f us, stock %.0f us\n", median(m, n), median(o, n)
    printf "fan-out to every socket, p99: shards %.0f us, stock %.0f us, ratio %s\n", median(p, n), median(q, n), spread(pr, n)
  }' "$RESULTS"
