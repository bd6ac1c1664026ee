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
#        SHARDS_PORT, STOCK_PORT,
#        SHARDS_JARS (name=jar ...: several builds on the shards side by side, e.g. before=a.jar after=b.jar,
#        each against stock and against the first; their ports SHARDS_PORT, SHARDS_PORT+1, ...),
#        PROFILE (a name: after the warm-up, one run per scenario and server under perf stat, counting per
#        request the system calls a hop can cost, and one under async-profiler 4.2, summarised by layer
#        with webflux/profile-layers.py into benchmarks/profiles/webflux-state-NAME.txt; then the rounds)
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

# The servers: stock, then one on the shards per SHARDS_JARS entry (name=jar; default: shards=the sample's jar).
read -r -a SHARDS_ENTRIES <<<"${SHARDS_JARS:-shards=$JAR}"
SHARDS_PORT=${SHARDS_PORT:-$(free_port)}
STOCK_PORT=${STOCK_PORT:-$(free_port)}
declare -A SERVER_PID SERVER_PORT
SERVERS=(stock)
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$ROUNDS load: $(cut -d' ' -f1-3 /proc/loadavg) stock jar: $(basename "$JAR") on the shards: ${SHARDS_ENTRIES[*]}"

echo "== starting the sample on Spring Boot's Reactor Netty server with two event loops, on CPUs $SERVER_CPUS"
taskset -c "$SERVER_CPUS" java -Xms256m -Xmx512m $SERVER_JVM_OPTS -Dreactor.netty.ioWorkerCount=2 -jar "$JAR" \
  --server.port="$STOCK_PORT" --percore.web.enabled=false \
  --percore.engine.shards=1 --percore.engine.mode=overprovisioned > "$WORK/stock.log" 2>&1 &
SERVER_PID[stock]=$!; SERVER_PORT[stock]=$STOCK_PORT; PIDS+=($!)
port=$SHARDS_PORT
for entry in "${SHARDS_ENTRIES[@]}"; do
  name=${entry%%=*}
  echo "== starting $name (${entry#*=}) on two shards (overprovisioned) on CPUs $SERVER_CPUS"
  taskset -c "$SERVER_CPUS" java -Xms256m -Xmx512m $SERVER_JVM_OPTS -jar "${entry#*=}" --server.port="$port" \
    --percore.engine.shards=2 --percore.engine.mode=overprovisioned > "$WORK/$name.log" 2>&1 &
  SERVER_PID[$name]=$!; SERVER_PORT[$name]=$port; PIDS+=($!); SERVERS+=("$name")
  port=$((port + 1))
done
for who in "${SERVERS[@]}"; do wait_for "http://127.0.0.1:${SERVER_PORT[$who]}/"; done
grep -q "shard(s)" "$WORK/stock.log" && { echo "run-webflux-state: the stock run served on the shards" >&2; exit 1; }
for who in "${SERVERS[@]}"; do
  [ "$who" = stock ] || grep -q "on 2 shard(s)" "$WORK/$who.log" \
    || { echo "run-webflux-state: $who did not start its web server on two shards" >&2; tail -20 "$WORK/$who.log" >&2; exit 1; }
  port=${SERVER_PORT[$who]}
  [ "$(curl -sf -X POST "http://127.0.0.1:$port/counters/probe")" = 1 ] && [ "$(curl -sf -X POST "http://127.0.0.1:$port/counters/probe")" = 2 ] \
    && [ "$(curl -sf "http://127.0.0.1:$port/counters/probe")" = 2 ] \
    || { echo "run-webflux-state: $who (port $port) does not count correctly" >&2; exit 1; }
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
scenario_keys() { case "$1" in uniform) echo 10000 ;; hot) echo 1 ;; esac; }
run_scenario() { # scenario server
  run "${SERVER_PID[$2]}" "${SERVER_PORT[$2]}" "$(scenario_keys "$1")"
}

# PROFILE: on the warm servers, per scenario and server, one run under perf stat (system calls and
# context switches per request: an eventfd write is how a shard wakes a sleeping one) and one under
# async-profiler (the serving threads' CPU per request by layer).
profile_servers() { # name
  local out="$ROOT/benchmarks/profiles/webflux-state-$1.txt" lib s who prefix result stacks
  lib=$("$ROOT/benchmarks/peers/async-profiler.sh" 4.2 "$WORK")
  {
    echo "# PROFILE=$1 benchmarks/run-webflux-state.sh (wrk -t2 -c64 -d${WRK_SECONDS}s per run, servers on CPUs $SERVER_CPUS)"
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), servers: stock ${SHARDS_ENTRIES[*]}, async-profiler 4.2 event=cpu interval=200us"
    for s in "${SCENARIOS[@]}"; do
      for who in "${SERVERS[@]}"; do
        if [ "$who" = stock ]; then prefix='[reactor-http'; else prefix='[percore-shard'; fi
        perf stat -x, -o "$WORK/perf.txt" -p "${SERVER_PID[$who]}" -e syscalls:sys_enter_io_uring_enter -e syscalls:sys_enter_write \
          -e syscalls:sys_enter_sched_yield -e syscalls:sys_enter_futex -e context-switches -- sleep $((WRK_SECONDS + 1)) &
        sleep 0.5
        result=$(run_scenario "$s" "$who")
        wait $!
        echo "== $s, $who: $result (requests, process CPU us per request, requests/s, p99 ms) under perf stat; per request:"
        awk -F, -v n="${result%% *}" 'NF > 3 && $1 ~ /^[0-9]/ {printf "  %8.3f  %s\n", $1 / n, $3}' "$WORK/perf.txt"
        # The stacks stay in benchmarks/profiles (not committed: megabytes) for a closer look.
        stacks="$ROOT/benchmarks/profiles/webflux-state-$1-$s-$who.collapsed"
        jcmd "${SERVER_PID[$who]}" JVMTI.agent_load "$lib" "\"start,event=cpu,interval=200us,threads,file=$stacks\"" > /dev/null
        result=$(run_scenario "$s" "$who")
        jcmd "${SERVER_PID[$who]}" JVMTI.agent_load "$lib" "\"stop,file=$stacks\"" > /dev/null
        echo "== $s, $who: $result profiled; the serving threads ($prefix) by layer:"
        python3 "$ROOT/benchmarks/webflux/profile-layers.py" "$stacks" "$prefix" "${result%% *}"
      done
    done
  } | tee "$out"
}

# Two warm-up runs per scenario left Spring Boot's server 4-10x slower than warm for three more rounds
# on a machine at load 15 (its JIT still compiling): warm both longer, interleaved.
echo "== warm-up (JIT), not measured: $WARMUP_RUNS runs per scenario and server"
WARMING=1
for _ in $(seq 1 "$WARMUP_RUNS"); do for who in "${SERVERS[@]}"; do for s in "${SCENARIOS[@]}"; do run_scenario "$s" "$who" >/dev/null; done; done; done
WARMING=0
[ -z "${PROFILE:-}" ] || profile_servers "$PROFILE"

echo "round scenario server requests cpu_us_per_request requests_per_second p99_ms"
for round in $(seq 1 "$ROUNDS"); do
  for s in "${SCENARIOS[@]}"; do
    order=("${SERVERS[@]}")
    [ $((round % 2)) = 1 ] || mapfile -t order < <(printf '%s\n' "${SERVERS[@]}" | tac)
    for who in "${order[@]}"; do
      echo "$round $s $who $(run_scenario "$s" "$who")" | tee -a "$RESULTS"
    done
  done
done

echo
echo "== summary: medians over $ROUNDS rounds (ratio: per round, to stock; with several servers on the shards, also to the first)"
python3 - "$RESULTS" "${SERVERS[@]}" <<'PY'
import sys, statistics, collections
servers = sys.argv[2:]
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    rnd, scen, who, n, us, rps, p99 = line.split()
    rows[(scen, rnd)][who] = (float(us), float(rps), float(p99))
med = statistics.median
def spread(xs):
    xs = sorted(xs)
    return f"{xs[0]:.2f}/{med(xs):.2f}/{xs[-1]:.2f}"
print(f"{'scenario':10s} {'server':10s} {'cpu_us':>8s} {'rps':>7s} {'p99_ms':>8s} {'cpu ratio to stock min/med/max':>31s} {'p99 ratio med':>14s} {'cpu ratio to ' + servers[1]:>24s}")
for scen in ('uniform', 'hot'):
    for who in servers:
        rs = [v for k, v in rows.items() if k[0] == scen and all(s in v for s in servers)]
        if not rs:
            continue
        line = f"{scen:10s} {who:10s} {med([r[who][0] for r in rs]):8.2f} {med([r[who][1] for r in rs]):7.0f} {med([r[who][2] for r in rs]):8.2f}"
        if who != 'stock':
            line += f" {spread([r[who][0] / r['stock'][0] for r in rs]):>31s} {med([r[who][2] / r['stock'][2] for r in rs]):14.2f}"
            if who != servers[1]:
                line += f" {spread([r[who][0] / r[servers[1]][0] for r in rs]):>24s}"
        print(line)
PY
