#!/usr/bin/env bash
# gRPC on the shards against grpc-java's default server on this machine: the same unary echo (64
# bytes, no protobuf) served by Percore's ShardedGrpcServer (one shard, pinned, calls on the shard's
# loop) and by NettyServerBuilder.forPort(...) as an application starts it (grpc's own event loops,
# calls on its default executor). Each server pinned to one CPU, the client (benchmarks'
# GrpcLoadClient: CONNECTIONS channels on one event loop, CONCURRENCY calls in flight) to the other;
# rounds interleaved with the order alternating. Figures: the server's CPU µs per call
# (utime+stime from /proc over the measured calls only) and the client's p50/p99 latency; min /
# median / max of the per-round ratios shards ÷ default.
#
# usage: benchmarks/run-grpc.sh [rounds]          (default 5; about a minute a round)
# env:   SERVER_CPU (1) CLIENT_CPU (0) CONNECTIONS (16) CONCURRENCY (64) CALLS (200000) SIZE (64)
set -euo pipefail

ROUNDS=${1:-5}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
CONNECTIONS=${CONNECTIONS:-16}
CONCURRENCY=${CONCURRENCY:-64}
CALLS=${CALLS:-200000}
SIZE=${SIZE:-64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-grpc.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
RESULTS="$WORK/results.txt"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
for tool in taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-grpc: '$tool' is required" >&2; exit 2; }
done
JAR="$ROOT/benchmarks/target/benchmarks.jar"
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
JVM=(java -Xms256m -Xmx512m -Dio.netty.leakDetection.level=disabled -cp "$JAR")

start_server() { # mode -> sets <mode>_PID and <mode>_PORT
  local port pid
  port=$(free_port)
  taskset -c "$SERVER_CPU" "${JVM[@]}" io.percore.benchmarks.grpc.GrpcEchoServer "$1" "$port" >"$WORK/$1.out" 2>"$WORK/$1.err" &
  pid=$!; PIDS+=("$pid")
  for _ in $(seq 1 240); do grep -q '^ready' "$WORK/$1.out" && break; sleep 0.5; done
  grep -q '^ready' "$WORK/$1.out" || { echo "run-grpc: the $1 server did not start: $(tail -5 "$WORK/$1.err")" >&2; exit 1; }
  echo "   $1 server on port $port: $(grep '^ready' "$WORK/$1.out")"
  eval "${1}_PID=$pid ${1}_PORT=$port"
}
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$ROUNDS connections=$CONNECTIONS concurrency=$CONCURRENCY calls=$CALLS size=$SIZE load: $(cut -d' ' -f1-3 /proc/loadavg)"
start_server shards
start_server default

# Prints "<calls> <cpu_us_per_call> <p50_us> <p99_us>".
run() { # mode
  local pidv=${1}_PID portv=${1}_PORT line result before after
  coproc CLIENT { taskset -c "$CLIENT_CPU" "${JVM[@]}" io.percore.benchmarks.grpc.GrpcLoadClient 127.0.0.1 "${!portv}" \
      "$CONNECTIONS" "$CONCURRENCY" "$CALLS" "$SIZE" --wait 2>"$WORK/client.err"; }
  # the coproc's own descriptors go when it exits, which can be before its last line is read: keep copies
  local out in
  exec {out}<&"${CLIENT[0]}" {in}>&"${CLIENT[1]}"
  local cpid=$CLIENT_PID
  line=
  while [ "$line" != ready ]; do
    read -r -t 120 line <&"$out" || { echo "run-grpc: the client did not connect: $(tail -5 "$WORK/client.err")" >&2; exit 1; }
  done
  before=$(cpu_ticks "${!pidv}")
  echo go >&"$in"
  result=
  until [[ "$result" =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+\ [0-9]+$ ]]; do
    read -r -t 600 result <&"$out" || { echo "run-grpc: no result: $(tail -5 "$WORK/client.err")" >&2; exit 1; }
  done
  after=$(cpu_ticks "${!pidv}")
  wait "$cpid" || true
  exec {out}<&- {in}>&-
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v r="$result" 'BEGIN{split(r, f, " "); if (f[5] > 0) { print "errors: " f[5] > "/dev/stderr"; exit 1 }
                                                                     printf "%d %.3f %s %s\n", f[1], t*1e6/hz/f[1], f[2], f[3]}'
}

echo "== warm-up (JIT), not measured"
run shards >/dev/null
run default >/dev/null
echo "round server calls cpu_us_per_call p50_us p99_us"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="default shards"; else order="shards default"; fi
  for who in $order; do
    echo "$round $who $(run "$who")" | tee -a "$RESULTS"
  done
done
echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== summary over $ROUNDS rounds (ratio = shards / default per round: min / median / max)"
awk '
  function sort(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } }
  function median(a, n) { sort(a, n); return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function spread(a, n,   m) { m = median(a, n); return sprintf("%.2f / %.2f / %.2f", a[1], m, a[n]) }
  $2 == "shards"  { su[$1] = $4; s50[$1] = $5; s99[$1] = $6; rounds[$1] = 1 }
  $2 == "default" { du[$1] = $4; d50[$1] = $5; d99[$1] = $6 }
  END {
    n = 0
    for (r in rounds) { n++; a[n] = su[r]; b[n] = du[r]; cr[n] = su[r] / du[r]; p[n] = s99[r]; q[n] = d99[r]; pr[n] = s99[r] / d99[r]; m[n] = s50[r]; o[n] = d50[r] }
    printf "cpu us per call: shards %.2f, grpc-java default %.2f, ratio %s\n", median(a, n), median(b, n), spread(cr, n)
    printf "latency p50: shards %.0f us, default %.0f us\n", median(m, n), median(o, n)
    printf "latency p99: shards %.0f us, default %.0f us, ratio %s\n", median(p, n), median(q, n), spread(pr, n)
  }' "$RESULTS"
