#!/usr/bin/env bash
# Issue 29 part 4: a WebFlux handler that reads and updates per-key state (webflux-sample's
# POST /counters/{key}), served with thread-per-core state on two shards (each key in its owner
# shard's plain HashMap, Sharded<T>; a request on the other shard hops to the owner) and with
# shared state on Spring Boot's own Reactor Netty server with two event loops (a ConcurrentHashMap
# of AtomicLongs). Both servers on CPUs 0-1 (two shards / two event loops, neither pinned: wrk -t2
# -c64 shares those CPUs, so the shards run overprovisioned, as the engine's README says for
# shared cores); what is measured is the server's CPU per request, not throughput.
# Scenarios: `uniform` (10,000 keys, uniformly drawn) and `hot` (every request on one key).
# Figure of merit: server CPU µs per request (utime+stime from /proc ÷ requests), median of the
# per-round ratios shards ÷ stock with min-max, and wrk's p99 latency; rounds interleaved.
#
# usage: benchmarks/run-webflux-state.sh [rounds]     (default 5; about 3 minutes)
# env:   SERVER_CPUS (0,1), WRK_SECONDS (5), WARMUP_RUNS (4 per scenario and server), SERVER_JVM_OPTS, SAMPLE_JAR,
#        SHARDS_PORT, STOCK_PORT
set -euo pipefail

ROUNDS=${1:-5}
SERVER_CPUS=${SERVER_CPUS:-0,1}
WRK_SECONDS=${WRK_SECONDS:-5}
WARMUP_RUNS=${WARMUP_RUNS:-4}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:--Dio.netty.leakDetection.level=disabled}
SCRIPT=run-webflux-state
source "$(dirname "$0")/webflux/sample-servers.sh"
RESULTS="$WORK/results.txt"
WARMING=0

SHARDS_PORT=${SHARDS_PORT:-$(free_port)}
STOCK_PORT=${STOCK_PORT:-$(free_port)}
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$ROUNDS load: $(cut -d' ' -f1-3 /proc/loadavg) jar: $(basename "$JAR")"

echo "== starting the sample on two shards (overprovisioned) on CPUs $SERVER_CPUS"
taskset -c "$SERVER_CPUS" java -Xms256m -Xmx512m $SERVER_JVM_OPTS -jar "$JAR" --server.port="$SHARDS_PORT" \
  --percore.engine.shards=2 --percore.engine.mode=overprovisioned > "$WORK/shards.log" 2>&1 &
SHARDS_PID=$!; PIDS+=("$SHARDS_PID")
echo "== starting the sample on Spring Boot's Reactor Netty server with two event loops, on CPUs $SERVER_CPUS"
taskset -c "$SERVER_CPUS" java -Xms256m -Xmx512m $SERVER_JVM_OPTS -Dreactor.netty.ioWorkerCount=2 -jar "$JAR" \
  --server.port="$STOCK_PORT" --percore.web.enabled=false \
  --percore.engine.shards=1 --percore.engine.mode=overprovisioned > "$WORK/stock.log" 2>&1 &
STOCK_PID=$!; PIDS+=("$STOCK_PID")
wait_for "http://127.0.0.1:$SHARDS_PORT/"
wait_for "http://127.0.0.1:$STOCK_PORT/"
grep -q "on 2 shard(s)" "$WORK/shards.log" || { echo "run-webflux-state: the sample did not start its web server on two shards" >&2; tail -20 "$WORK/shards.log" >&2; exit 1; }
grep -q "shard(s)" "$WORK/stock.log" && { echo "run-webflux-state: the stock run served on the shards" >&2; exit 1; }
for port in "$SHARDS_PORT" "$STOCK_PORT"; do
  [ "$(curl -sf -X POST "http://127.0.0.1:$port/counters/probe")" = 1 ] && [ "$(curl -sf -X POST "http://127.0.0.1:$port/counters/probe")" = 2 ] \
    && [ "$(curl -sf "http://127.0.0.1:$port/counters/probe")" = 2 ] \
    || { echo "run-webflux-state: the server on port $port does not count correctly" >&2; exit 1; }
done

# Each run prints "<requests> <cpu_us_per_request> <requests_per_second> <p99_ms>".
run() { # pid port keys
  local before after out n rps p99
  before=$(cpu_ticks "$1")
  out=$(wrk -t2 -c64 -d"${WRK_SECONDS}s" --latency -s "$ROOT/benchmarks/webflux/counters.lua" "http://127.0.0.1:$2" -- "$3" 2>&1)
  after=$(cpu_ticks "$1")
  # While the JIT warms on a loaded machine a request may take wrk's 2 s timeout: an error only when measured.
  if [ "$WARMING" = 0 ] && grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "run-webflux-state: wrk reported errors: $out" >&2; exit 1; fi
  n=$(awk '/requests in/{print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" -v r="$rps" -v p="$p99" 'BEGIN{printf "%d %.3f %.0f %.3f\n", n, t*1e6/hz/n, r, p}'
}

SCENARIOS=(uniform hot)
run_scenario() { # scenario server
  local pid port keys
  if [ "$2" = shards ]; then pid=$SHARDS_PID; port=$SHARDS_PORT; else pid=$STOCK_PID; port=$STOCK_PORT; fi
  case "$1" in uniform) keys=10000 ;; hot) keys=1 ;; esac
  run "$pid" "$port" "$keys"
}

# Two warm-up runs per scenario left Spring Boot's server 4-10x slower than warm for three more rounds
# on a machine at load 15 (its JIT still compiling): warm both longer, interleaved.
echo "== warm-up (JIT), not measured: $WARMUP_RUNS runs per scenario and server"
WARMING=1
for _ in $(seq 1 "$WARMUP_RUNS"); do for who in shards stock; do for s in "${SCENARIOS[@]}"; do run_scenario "$s" "$who" >/dev/null; done; done; done
WARMING=0

echo "round scenario server requests cpu_us_per_request requests_per_second p99_ms"
for round in $(seq 1 "$ROUNDS"); do
  for s in "${SCENARIOS[@]}"; do
    if [ $((round % 2)) = 1 ]; then order="stock shards"; else order="shards stock"; fi
    for who in $order; do
      echo "$round $s $who $(run_scenario "$s" "$who")" | tee -a "$RESULTS"
    done
  done
done

echo
echo "== summary: medians over $ROUNDS rounds (ratio = shards / stock per round)"
python3 - "$RESULTS" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    rnd, scen, who, n, us, rps, p99 = line.split()
    rows[(scen, rnd)][who] = (float(us), float(rps), float(p99))
print(f"{'scenario':10s} {'shards_us':>10s} {'stock_us':>10s} {'cpu ratio min/med/max':>22s} {'shards_rps':>11s} {'stock_rps':>10s} {'shards_p99ms':>13s} {'stock_p99ms':>12s} {'p99 ratio med':>14s}")
for scen in ('uniform', 'hot'):
    rs = [v for k, v in rows.items() if k[0] == scen and 'shards' in v and 'stock' in v]
    if not rs:
        continue
    med = lambda xs: statistics.median(xs)
    q = sorted(r['shards'][0] / r['stock'][0] for r in rs)
    p = [r['shards'][2] / r['stock'][2] for r in rs]
    print(f"{scen:10s} {med([r['shards'][0] for r in rs]):10.2f} {med([r['stock'][0] for r in rs]):10.2f} "
          f"{q[0]:6.2f}/{med(q):.2f}/{q[-1]:.2f}{'':6s} {med([r['shards'][1] for r in rs]):11.0f} {med([r['stock'][1] for r in rs]):10.0f} "
          f"{med([r['shards'][2] for r in rs]):13.2f} {med([r['stock'][2] for r in rs]):12.2f} {med(p):14.2f}")
PY
