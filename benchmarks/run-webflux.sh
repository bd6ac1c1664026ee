#!/usr/bin/env bash
# The same WebFlux application (webflux-sample: GET / returns "Hello, World!", GET /json a small
# JSON object) on Spring Boot's own Reactor Netty server and on Percore's shards, side by side:
# each server pinned to one CPU (one shard / one Reactor Netty event loop), wrk -t1 -c64 on the
# other CPU, plain keep-alive and 16-deep pipelined, rounds interleaved (the order alternates).
# Figure of merit: the server's CPU µs per request (utime+stime from /proc over the run ÷ requests),
# the median of the per-round ratios shards ÷ stock with its min-max, and wrk's p99 latency.
#
# usage: benchmarks/run-webflux.sh [rounds]          (default 5; about 4 minutes)
# env:   SERVER_CPU (1), CLIENT_CPU (0), WRK_SECONDS (5), WRK_TIMEOUT (2s), SAMPLE_JAR, SHARDS_PORT, STOCK_PORT,
#        WARMUP_MIN_RUNS (2), WARMUP_MAX_RUNS (24): 5 s warm-up runs of each scenario on each server before
#        the rounds, not measured, until the JIT compiler threads took under 3 % of the server's CPU in one
#        SERVER_JVM_OPTS (default -Dio.netty.leakDetection.level=disabled; set, even empty, it replaces that:
#        run-peers.sh passes its own, Netty's defaults), WEBFLUX_SCENARIOS ("plain json pipelined16")
set -euo pipefail

ROUNDS=${1:-5}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
WRK_SECONDS=${WRK_SECONDS:-5}
# wrk's own default; a loaded machine can serve a connection's 16 pipelined requests slower than that,
# and wrk counts a timeout as a socket error, which fails the run
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}
WARMUP_MIN_RUNS=${WARMUP_MIN_RUNS:-2}
WARMUP_MAX_RUNS=${WARMUP_MAX_RUNS:-24}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS--Dio.netty.leakDetection.level=disabled}
read -ra SCENARIOS <<<"${WEBFLUX_SCENARIOS:-plain json pipelined16}"
for s in "${SCENARIOS[@]}"; do
  case "$s" in plain | json | pipelined16) ;; *) echo "run-webflux: unknown scenario '$s' (plain json pipelined16)" >&2; exit 2 ;; esac
done
SCRIPT=run-webflux
source "$(dirname "$0")/webflux/sample-servers.sh"
RESULTS="$WORK/results.txt"

SHARDS_PORT=${SHARDS_PORT:-$(free_port)}
STOCK_PORT=${STOCK_PORT:-$(free_port)}
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$ROUNDS load: $(cut -d' ' -f1-3 /proc/loadavg) jar: $(basename "$JAR")"

echo "== starting the sample on the shards, pinned to CPU $SERVER_CPU (one shard, pinned mode, no idle spinning)"
taskset -c "$SERVER_CPU" java -Xms256m -Xmx512m $SERVER_JVM_OPTS -jar "$JAR" --server.port="$SHARDS_PORT" \
  --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s > "$WORK/shards.log" 2>&1 &
SHARDS_PID=$!; PIDS+=("$SHARDS_PID")
echo "== starting the sample on Spring Boot's Reactor Netty server, pinned to CPU $SERVER_CPU (one event loop)"
taskset -c "$SERVER_CPU" java -Xms256m -Xmx512m $SERVER_JVM_OPTS -Dreactor.netty.ioWorkerCount=1 -jar "$JAR" \
  --server.port="$STOCK_PORT" --percore.web.enabled=false \
  --percore.engine.shards=0 --percore.engine.mode=overprovisioned > "$WORK/stock.log" 2>&1 &
STOCK_PID=$!; PIDS+=("$STOCK_PID")
wait_for "http://127.0.0.1:$SHARDS_PORT/"
wait_for "http://127.0.0.1:$STOCK_PORT/"
grep -q "on 1 shard(s)" "$WORK/shards.log" || { echo "run-webflux: the sample did not start its web server on one shard" >&2; tail -20 "$WORK/shards.log" >&2; exit 1; }
grep -q "on 1 shard(s)" "$WORK/stock.log" && { echo "run-webflux: the stock run served on the shards" >&2; exit 1; }
for port in "$SHARDS_PORT" "$STOCK_PORT"; do
  [ "$(curl -sf "http://127.0.0.1:$port/")" = "Hello, World!" ] && [ "$(curl -sf "http://127.0.0.1:$port/json")" = '{"message":"Hello, World!"}' ] \
    || { echo "run-webflux: the server on port $port does not answer correctly" >&2; exit 1; }
done

# Each run prints "<requests> <cpu_us_per_request> <requests_per_second> <p99_ms>".
run() { # pid url pipelined(0|1)
  local before after out n rps p99
  before=$(cpu_ticks "$1")
  if [ "$3" = 1 ]; then
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" --timeout "$WRK_TIMEOUT" --latency -s "$ROOT/benchmarks/peers/pipeline.lua" "$2" -- 16 2>&1)
  else
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" --timeout "$WRK_TIMEOUT" --latency "$2" 2>&1)
  fi
  after=$(cpu_ticks "$1")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "run-webflux: wrk reported errors: $out" >&2; exit 1; fi
  n=$(awk '/requests in/{print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  # wrk times only the first response of a pipelined batch: no p99 for those runs (-1).
  p99=-1
  [ "$3" = 1 ] || p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" -v r="$rps" -v p="$p99" 'BEGIN{printf "%d %.3f %.0f %.3f\n", n, t*1e6/hz/n, r, p}'
}

run_scenario() { # scenario server
  local pid port path pipelined=0
  if [ "$2" = shards ]; then pid=$SHARDS_PID; port=$SHARDS_PORT; else pid=$STOCK_PID; port=$STOCK_PORT; fi
  case "$1" in plain) path=/ ;; json) path=/json ;; pipelined16) path=/; pipelined=1 ;; esac
  run "$pid" "http://127.0.0.1:$port$path" "$pipelined"
}

# A JVM pinned to one CPU compiles on the CPU it serves from: its rate went on rising for some 35-45 s of load
# (2026-12-02: 217, 575, 1,482, 2,083, 4,233, 9,533, 16,198 requests/s in 5 s runs, both servers alike), with
# plateaus on the way (262, 912, 1,458, 1,353), and a cold server's first seconds can exceed wrk's timeout. So
# each server is warmed with 5 s runs of each scenario until its JIT compiler threads took under 3 % of its CPU
# in a run (at least WARMUP_MIN_RUNS, at most WARMUP_MAX_RUNS); a warm-up run's errors are not the measurement's.
jit_and_all_ticks() { # pid: "<compiler threads' ticks> <all threads' ticks>" so far
  local t jit=0 all=0 n
  for t in /proc/"$1"/task/*; do
    n=$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null) || continue
    all=$((all + n))
    case "$(cat "$t/comm" 2>/dev/null)" in C1\ CompilerThre* | C2\ CompilerThre*) jit=$((jit + n)) ;; esac
  done
  echo "$jit $all"
}
warm_until_steady() { # server scenario
  local pid port path script=() rps i rates="" j0 a0 j1 a1 share
  if [ "$1" = shards ]; then pid=$SHARDS_PID; port=$SHARDS_PORT; else pid=$STOCK_PID; port=$STOCK_PORT; fi
  path=/; [ "$2" = json ] && path=/json
  [ "$2" = pipelined16 ] && script=(-s "$ROOT/benchmarks/peers/pipeline.lua")
  for ((i = 1; i <= WARMUP_MAX_RUNS; i++)); do
    read -r j0 a0 < <(jit_and_all_ticks "$pid")
    rps=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d5s --timeout "$WRK_TIMEOUT" "${script[@]}" "http://127.0.0.1:$port$path" \
      ${script[0]:+-- 16} 2>/dev/null | awk '/Requests\/sec/{printf "%.0f", $2}')
    read -r j1 a1 < <(jit_and_all_ticks "$pid")
    share=$(( (j1 - j0) * 100 / (a1 - a0 > 0 ? a1 - a0 : 1) ))
    rates+=" ${rps:-0} (JIT ${share} %)"
    if [ "$i" -ge "$WARMUP_MIN_RUNS" ] && [ "$share" -lt 3 ]; then break; fi
  done
  echo "   $1 $2: requests/s of the warm-up runs:$rates"
}
echo "== warm-up (JIT), not measured: 5 s runs until the compiler threads are quiet"
for who in shards stock; do for s in "${SCENARIOS[@]}"; do warm_until_steady "$who" "$s"; done; done

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
echo "== summary: medians over $ROUNDS rounds (ratio = shards / stock per round; target <= 0.9 for CPU, p99 no worse)"
printf '%-12s %10s %10s %14s %14s %12s %12s\n' scenario shards_us stock_us "cpu_ratio(med)" "cpu_ratio(min-max)" shards_p99ms stock_p99ms
for s in "${SCENARIOS[@]}"; do
  awk -v s="$s" '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                       return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $2 == s && $3 == "shards" { su[$1] = $5; sp[$1] = $7 }
    $2 == s && $3 == "stock"  { ku[$1] = $5; kp[$1] = $7 }
    END {
      n = 0
      for (r in su) if (r in ku) { n++; ratio[n] = su[r] / ku[r]; a[n] = su[r]; b[n] = ku[r]; c[n] = sp[r]; d[n] = kp[r] }
      lo = ratio[1]; hi = ratio[1]; for (i = 2; i <= n; i++) { if (ratio[i] < lo) lo = ratio[i]; if (ratio[i] > hi) hi = ratio[i] }
      pc = median(c, n); pd = median(d, n)
      printf "%-12s %10.2f %10.2f %14.2f %14s %12s %12s\n", s, median(a, n), median(b, n), median(ratio, n), sprintf("%.2f-%.2f", lo, hi), (pc < 0 ? "n/a" : sprintf("%.2f", pc)), (pd < 0 ? "n/a" : sprintf("%.2f", pd))
    }' "$RESULTS"
done
