#!/usr/bin/env bash
# Redis Cluster through cluster clients (issue 31, part 5), demo processes on 127.0.0.1 laid out with
# CLUSTER SETLAYOUT as the operator does (docs/reference/service-cluster.md):
#  cpu:       the servers' CPU µs per request (utime+stime summed over a cluster's processes, /proc/PID/stat),
#             one node holding all 16,384 slots vs three nodes holding a third each, through redis-benchmark
#             (`--cluster` for three: it refuses a cluster of one node, where a cluster client sends what a plain
#             client sends, every slot being that node's); SET and GET, -P 1 and -P 16, 48 connections in all;
#             rounds interleaved (the order flips every round). The control: redis-server's own cluster laid out the
#             same way (three `--cluster-enabled yes` nodes joined by CLUSTER MEET vs one holding every slot, persistence
#             off), the same client, pinning and requests, in the same rounds. Also each layout's context switches per
#             request (/proc/PID/task/*/status: voluntary, an event loop going to sleep; involuntary, preempted or
#             yielding) and its idle CPU per second (IDLE_SECONDS with no requests), which a run pays for its duration.
#  migration: KEYS keys of VALUE_SIZE bytes in slots 0-5460 (a third) of node A, moved to node B (and back to A
#             in even rounds) while ClusterLoad (Jedis's JedisCluster, following MOVED/ASK) sends GET/SET of those
#             keys at LOAD_RATE/s: keys/s and MB/s of each move, every operation that failed or read a wrong value.
# Pinning (2 CPUs): cpu: every server on SERVER_CPU, redis-benchmark on CLIENT_CPU, so 1 vs 3 nodes differ
# only in processes and connections. migration: source on CLIENT_CPU, target and third node on SERVER_CPU,
# the load client unpinned (it is rate-limited).
#
# usage: benchmarks/run-cluster.sh [rounds]   (default 3; cpu ~1.5 min a round plus ~2 min start, migration ~1 min a
#        round plus ~2 min start and fill; at a load of 30-50 three times that)
# env:   PERCORE_JAR, SERVER_CPU (1), CLIENT_CPU (0), BASE_PORT (7400: uses BASE_PORT..+12, and redis-server's cluster
#        bus BASE_PORT+10004..+10007), PARTS ("cpu migration"), REQUESTS (100000 at -P 1; 3x that at -P 16), IDLE_SECONDS (10),
#        SERVER_JVM_OPTS (added to the demo nodes' java), KEYS (1000000), VALUE_SIZE (100), LOAD_RATE (2000), LOAD_THREADS (8)
set -euo pipefail
ROUNDS=${1:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
BASE_PORT=${BASE_PORT:-7400}
PARTS=${PARTS:-cpu migration}
REQUESTS=${REQUESTS:-100000}
KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-100}
LOAD_RATE=${LOAD_RATE:-2000}
LOAD_THREADS=${LOAD_THREADS:-8}
IDLE_SECONDS=${IDLE_SECONDS:-10}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-cluster.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for tool in redis-benchmark redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-cluster: '$tool' is required" >&2; exit 2; }
done
JAR=${PERCORE_JAR:-$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar 2>/dev/null | head -1 || true)}
[ -n "$JAR" ] || { echo "run-cluster: build the demo first: ./mvnw -pl demo-service -am package -DskipTests" >&2; exit 2; }
LOAD_JAR="$ROOT/benchmarks/target/benchmarks.jar"
case " $PARTS " in *" migration "*) [ -f "$LOAD_JAR" ] || { echo "run-cluster: build $LOAD_JAR first: ./mvnw -pl benchmarks -am package -DskipTests" >&2; exit 2; } ;; esac

# start_node PORT CPU HEAP: one demo process in cluster mode, one shard, sleeping when idle
start_node() {
  # shellcheck disable=SC2086
  taskset -c "$2" env -u PERCORE_JAR java -Xms256m -Xmx"$3" $SERVER_JVM_OPTS -jar "$JAR" --percore.servers.resp.port="$1" \
    --percore.servers.http.port=0 --management.server.port=0 --percore.engine.shards=1 --percore.engine.mode=pinned \
    --percore.engine.idle-poll=0s --percore.demo.cluster.enabled=true --percore.demo.persistence.dir="$WORK/node-$1" \
    > "$WORK/node-$1.log" 2>&1 &
  PIDS+=("$!"); eval "PID_$1=$!"
}
wait_nodes() {
  for port in "$@"; do
    for _ in $(seq 1 1200); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.5; done
    redis-cli -p "$port" ping >/dev/null || { echo "run-cluster: node $port did not start" >&2; cat "$WORK/node-$port.log" >&2; exit 1; }
  done
}
node_id() { redis-cli -p "$1" cluster myid; }
# set_layout EPOCH TEXT PORT...: the same layout to every node, as the control plane sends it
set_layout() {
  local epoch=$1 text=$2; shift 2
  for port in "$@"; do
    [ "$(redis-cli -p "$port" cluster setlayout "$epoch" "$text")" = OK ] || { echo "run-cluster: layout $epoch refused by $port" >&2; exit 1; }
  done
}
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
stamp() { echo "$(date -u '+%Y-%m-%dT%H:%M:%SZ'), load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

# start_redis PORT CPU: one redis-server in cluster mode (its bus on PORT+10000), persistence off
start_redis() {
  taskset -c "$2" redis-server --port "$1" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$WORK/redis-$1.conf" \
    --dir "$WORK" --save '' --appendonly no --logfile "$WORK/redis-$1.log" &
  PIDS+=("$!"); eval "PID_$1=$!"
}
# wait_redis_cluster NODES PORT...: until every node says cluster_state:ok and knows NODES nodes
wait_redis_cluster() {
  local nodes=$1 port info; shift
  for port in "$@"; do
    for _ in $(seq 1 300); do
      info=$(redis-cli -p "$port" cluster info | tr -d '\r')
      case "$info" in *cluster_state:ok*cluster_known_nodes:"$nodes"*) break ;; esac; sleep 0.2
    done
    case "$info" in *cluster_state:ok*cluster_known_nodes:"$nodes"*) ;; *) echo "run-cluster: redis-server $port: $info" >&2; exit 1 ;; esac
  done
}
# the context switches of every thread of the processes PIDS: each voluntary one is an event loop going to sleep
ctxsw() { local p; for p in "$@"; do cat /proc/"$p"/task/*/status 2>/dev/null; done | awk '/^voluntary_ctxt_switches/ { v += $2 } /^nonvoluntary_ctxt_switches/ { n += $2 } END { print v + 0, n + 0 }'; }

cpu_part() {
  local one=$BASE_PORT a=$((BASE_PORT + 1)) b=$((BASE_PORT + 2)) c=$((BASE_PORT + 3))
  local rone=$((BASE_PORT + 4)) ra=$((BASE_PORT + 5)) rb=$((BASE_PORT + 6)) rc=$((BASE_PORT + 7))
  for port in $one $a $b $c; do start_node "$port" "$SERVER_CPU" 512m; done
  for port in $rone $ra $rb $rc; do start_redis "$port" "$SERVER_CPU"; done
  wait_nodes $one $a $b $c $rone $ra $rb $rc
  local o; o=$(node_id $one)
  set_layout 1 "node $o 127.0.0.1 $one primary
slots $o 0-16383" $one
  local ia ib ic; ia=$(node_id $a); ib=$(node_id $b); ic=$(node_id $c)
  set_layout 1 "node $ia 127.0.0.1 $a primary
node $ib 127.0.0.1 $b primary
node $ic 127.0.0.1 $c primary
slots $ia 0-5460
slots $ib 5461-10922
slots $ic 10923-16383" $a $b $c
  # the control: redis-server's own cluster, the same slots, joined by its gossip
  redis-cli -p $rone cluster addslotsrange 0 16383 > /dev/null
  redis-cli -p $ra cluster addslotsrange 0 5460 > /dev/null; redis-cli -p $rb cluster addslotsrange 5461 10922 > /dev/null
  redis-cli -p $rc cluster addslotsrange 10923 16383 > /dev/null
  redis-cli -p $ra cluster meet 127.0.0.1 $rb > /dev/null; redis-cli -p $ra cluster meet 127.0.0.1 $rc > /dev/null
  wait_redis_cluster 1 $rone; wait_redis_cluster 3 $ra $rb $rc
  local pids1 pids3 rpids1 rpids3
  pids1=$(eval echo "\$PID_$one"); pids3="$(eval echo "\$PID_$a") $(eval echo "\$PID_$b") $(eval echo "\$PID_$c")"
  rpids1=$(eval echo "\$PID_$rone"); rpids3="$(eval echo "\$PID_$ra") $(eval echo "\$PID_$rb") $(eval echo "\$PID_$rc")"
  # CPU µs per request of the processes PIDS for TEST (set|get) at depth P through a client at PORT (cluster: a node
  # of three), their voluntary and involuntary context switches per 1,000 requests, the run's seconds
  measure() {
    local pids=$1 port=$2 nodes=$3 test=$4 depth=$5 n=$REQUESTS before after sw_before sw_after start cluster=()
    [ "$nodes" = 1 ] || cluster=(--cluster)
    [ "$depth" = 1 ] || n=$((REQUESTS * 3))
    # shellcheck disable=SC2086
    sw_before=$(ctxsw $pids); before=$(ticks $pids); start=$(date +%s.%N)
    taskset -c "$CLIENT_CPU" redis-benchmark "${cluster[@]}" -h 127.0.0.1 -p "$port" -n "$n" -c 48 -r 100000 -d 16 -P "$depth" -t "$test" -q \
      > "$WORK/bench.out" 2>&1 || { cat "$WORK/bench.out" >&2; exit 1; }
    # shellcheck disable=SC2086
    after=$(ticks $pids); sw_after=$(ctxsw $pids); start="$start $(date +%s.%N)"
    grep -q 'requests per second' "$WORK/bench.out" || { echo "run-cluster: redis-benchmark gave no result" >&2; cat "$WORK/bench.out" >&2; exit 1; }
    python3 -c "import os; b, a = '$sw_before'.split(), '$sw_after'.split()
t = [float(x) for x in '$start'.split()]
print(f'{($after - $before) * 1e6 / os.sysconf(\"SC_CLK_TCK\") / $n:.2f} {(int(a[0]) - int(b[0])) * 1000 / $n:.1f} {(int(a[1]) - int(b[1])) * 1000 / $n:.1f} {t[1] - t[0]:.2f}')"
  }
  for test in set get; do for depth in 16 1; do   # JIT warm-up of every path, not measured
    measure "$pids1" $one 1 $test $depth > /dev/null; measure "$pids3" $a 3 $test $depth > /dev/null
    measure "$rpids1" $rone 1 $test $depth > /dev/null; measure "$rpids3" $ra 3 $test $depth > /dev/null
  done; done
  echo "== cpu: $(stamp), $ROUNDS rounds, servers on CPU $SERVER_CPU, redis-benchmark on CPU $CLIENT_CPU"
  echo "   each figure: server CPU µs per request, voluntary / involuntary context switches per 1,000 requests, seconds"
  : > "$WORK/cpu"
  local x1 x3 r1 r3
  for round in $(seq 1 "$ROUNDS"); do
    for test in set get; do for depth in 1 16; do
      if [ $((round % 2)) = 1 ]; then
        x1=$(measure "$pids1" $one 1 $test $depth); x3=$(measure "$pids3" $a 3 $test $depth)
        r1=$(measure "$rpids1" $rone 1 $test $depth); r3=$(measure "$rpids3" $ra 3 $test $depth)
      else
        r3=$(measure "$rpids3" $ra 3 $test $depth); r1=$(measure "$rpids1" $rone 1 $test $depth)
        x3=$(measure "$pids3" $a 3 $test $depth); x1=$(measure "$pids1" $one 1 $test $depth)
      fi
      echo "round $round $test -P $depth: 1 node $x1, 3 nodes $x3; redis-server 1 node $r1, 3 nodes $r3" | tee -a "$WORK/cpu"
    done; done
  done
  # what the processes spend doing nothing (JVM threads, timers, redis-server's cron and cluster bus), per second:
  # a run of S seconds pays S times that whatever its requests
  idle() { local before; before=$(ticks "$@"); sleep "$IDLE_SECONDS"; python3 -c "import os; print(f'{($(ticks "$@") - $before) * 1e3 / os.sysconf(\"SC_CLK_TCK\") / $IDLE_SECONDS:.1f}')"; }
  # shellcheck disable=SC2086
  echo "idle ms of CPU per second over $IDLE_SECONDS s: 1 node $(idle $pids1), 3 nodes $(idle $pids3); redis-server 1 node $(idle $rpids1), 3 nodes $(idle $rpids3)" | tee -a "$WORK/cpu"
  echo "== cpu done: $(stamp)"
  python3 - "$WORK/cpu" "$REQUESTS" <<'PY'
import re, statistics, sys
num = r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)"
rows, idle = {}, None
for line in open(sys.argv[1]):
    m = re.match(r"idle ms of CPU per second over \d+ s: 1 node ([\d.]+), 3 nodes ([\d.]+); redis-server 1 node ([\d.]+), 3 nodes ([\d.]+)", line)
    if m:
        idle = [float(x) for x in m.groups()]
    m = re.match(rf"round \d+ (\w+) -P (\d+): 1 node {num}, 3 nodes {num}; redis-server 1 node {num}, 3 nodes {num}", line)
    if m:
        v = [float(x) for x in m.groups()[2:]]
        rows.setdefault((m[1].upper(), m[2]), []).append(v)
fmt = lambda xs: f"{min(xs):.2f} / {statistics.median(xs):.2f} / {max(xs):.2f}"
med = lambda xs: f"{statistics.median(xs):.1f}"
print("µs of server CPU per request, min / median / max over the rounds (the ratio per round)")
print("| request | 1 node | 3 nodes | 3 / 1 | redis-server 1 node | 3 nodes | 3 / 1 |")
print("|---|---|---|---|---|---|---|")
for (test, depth), rs in rows.items():
    col = lambda i: [r[i] for r in rs]
    ratio = lambda i, j: [r[j] / r[i] for r in rs]
    print(f"| {test} -P {depth} | {fmt(col(0))} | {fmt(col(4))} | {fmt(ratio(0, 4))} | {fmt(col(8))} | {fmt(col(12))} | {fmt(ratio(8, 12))} |")
print("context switches per 1,000 requests, voluntary (an event loop went to sleep) + involuntary, medians over the rounds")
print("| request | 1 node | 3 nodes | redis-server 1 node | 3 nodes |")
print("|---|---|---|---|---|")
for (test, depth), rs in rows.items():
    sw = lambda i: f"{med([r[i + 1] for r in rs])} + {med([r[i + 2] for r in rs])}"
    print(f"| {test} -P {depth} | {sw(0)} | {sw(4)} | {sw(8)} | {sw(12)} |")
if idle:
    print(f"idle CPU, ms per second: 1 node {idle[0]}, 3 nodes {idle[1]}; redis-server 1 node {idle[2]}, 3 nodes {idle[3]}")
    print("µs per request less the idle CPU over the run's seconds, min / median / max (the ratio per round)")
    print("| request | 1 node | 3 nodes | 3 / 1 | redis-server 1 node | 3 nodes | 3 / 1 |")
    print("|---|---|---|---|---|---|---|")
    for (test, depth), rs in rows.items():
        n = int(sys.argv[2]) * (1 if depth == "1" else 3)
        busy = lambda r, i, k: r[i] - idle[k] * 1e3 * r[i + 3] / n
        col = lambda i, k: [busy(r, i, k) for r in rs]
        ratio = lambda i, k, j, l: [busy(r, j, l) / busy(r, i, k) for r in rs]
        print(f"| {test} -P {depth} | {fmt(col(0, 0))} | {fmt(col(4, 1))} | {fmt(ratio(0, 0, 4, 1))} | {fmt(col(8, 2))} | {fmt(col(12, 3))} | {fmt(ratio(8, 2, 12, 3))} |")
PY
  for p in $pids1 $pids3 $rpids1 $rpids3; do kill "$p"; done
}

migration_part() {
  local a=$((BASE_PORT + 10)) b=$((BASE_PORT + 11)) c=$((BASE_PORT + 12))
  start_node $a "$CLIENT_CPU" 1500m; start_node $b "$SERVER_CPU" 1500m; start_node $c "$SERVER_CPU" 512m
  wait_nodes $a $b $c
  local ia ib ic; ia=$(node_id $a); ib=$(node_id $b); ic=$(node_id $c)
  local nodes="node $ia 127.0.0.1 $a primary
node $ib 127.0.0.1 $b primary
node $ic 127.0.0.1 $c primary"
  # the layout with slots 0-5460 on A, or on B (which always has 5461-10922)
  layout() { if [ "$1" = "$ia" ]; then printf '%s\nslots %s 0-5460\nslots %s 5461-10922\nslots %s 10923-16383' "$nodes" "$ia" "$ib" "$ic"
             else printf '%s\nslots %s 0-10922\nslots %s 10923-16383' "$nodes" "$ib" "$ic"; fi; }
  set_layout 1 "$(layout "$ia")" $a $b $c
  local key_bytes
  key_bytes=$(java -Xmx1g -cp "$LOAD_JAR" io.percore.benchmarks.cluster.ClusterLoad fill 127.0.0.1:$a "$KEYS" "$VALUE_SIZE" 0 5460 \
    | sed -n 's/.* keys of [0-9]* bytes, \([0-9]*\) bytes of keys$/\1/p')
  [ -n "$key_bytes" ] || { echo "run-cluster: the fill failed" >&2; exit 1; }
  [ "$(redis-cli -p $a dbsize)" = "$KEYS" ] || { echo "run-cluster: node A holds $(redis-cli -p $a dbsize) keys, not $KEYS" >&2; exit 1; }
  echo "== migration: $(stamp), $ROUNDS rounds, $KEYS keys of $VALUE_SIZE bytes in slots 0-5460 moved A (CPU $CLIENT_CPU) -> B (CPU $SERVER_CPU),"
  echo "   back in even rounds; load $LOAD_RATE ops/s asked (GET/SET of those keys, $LOAD_THREADS threads, unpinned)"
  local epoch=1 round src dst sp dp start end load lstart lend
  : > "$WORK/migration"
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then src=$ia dst=$ib sp=$a dp=$b; else src=$ib dst=$ia sp=$b dp=$a; fi
    rm -f "$WORK/stop"
    lstart=$(date +%s.%N)
    java -Xmx1g -cp "$LOAD_JAR" io.percore.benchmarks.cluster.ClusterLoad load 127.0.0.1:$c "$KEYS" "$VALUE_SIZE" 0 5460 \
      "$LOAD_RATE" "$LOAD_THREADS" "$WORK/stop" > "$WORK/load.out" 2>&1 &
    load=$!; PIDS+=("$load")
    sleep 5   # the load runs before the move starts
    start=$(date +%s.%N)
    # the target first, as the operator sends it
    set_layout $((epoch + 1)) "$(layout "$src")
migrating $src $dst 0-5460" $dp $c $sp
    until redis-cli -p $sp cluster migrations | grep -qx done; do sleep 0.1; done
    end=$(date +%s.%N)
    # the target first again, as the operator sends it: a source told first answers MOVED to the target,
    # which until told still sends a client without ASKING back to the source (Redis's rule)
    set_layout $((epoch + 2)) "$(layout "$dst")" $dp $c $sp
    epoch=$((epoch + 2))
    sleep 5   # the load goes on after the move
    touch "$WORK/stop"; wait "$load" || true
    lend=$(date +%s.%N)
    python3 - "$round" "$start" "$end" "$KEYS" "$VALUE_SIZE" "$key_bytes" "$(redis-cli -p $sp dbsize)" "$(redis-cli -p $dp dbsize)" \
      "$lstart" "$lend" "$(head -1 "$WORK/load.out")" "$(stamp)" <<'PY' | tee -a "$WORK/migration"
import re, sys
r, start, end, n, size, key_bytes, left, moved, lstart, lend, load, stamp = sys.argv[1:]
t = float(end) - float(start)
n, size, key_bytes = int(n), int(size), int(key_bytes)
m = re.match(r"ops (\d+) failed (\d+) wrong (\d+)", load)
ops = f"{int(m[1]):,} ops ({int(m[1]) / (float(lend) - float(lstart)):,.0f}/s), failed {m[2]}, wrong {m[3]}" if m else "load: " + load
print(f"round {r}: {n / t:,.0f} keys/s, {n * size / t / 1e6:.2f} MB/s of values ({(n * size + key_bytes) / t / 1e6:.2f} MB/s with the keys),"
      f" {t:.1f} s; source holds {left} keys after, target {moved}; client {ops}; {stamp}")
PY
    sed -n '2,$p' "$WORK/load.out"
  done
  python3 - "$WORK/migration" <<'PY'
import re, statistics, sys
rates = [(float(m[1].replace(",", "")), float(m[2])) for m in (re.match(r"round \d+: ([\d,]+) keys/s, ([\d.]+) MB/s", l) for l in open(sys.argv[1])) if m]
ks, mb = [r[0] for r in rates], [r[1] for r in rates]
print(f"migration: {min(ks):,.0f} / {statistics.median(ks):,.0f} / {max(ks):,.0f} keys/s, {min(mb):.2f} / {statistics.median(mb):.2f} / {max(mb):.2f} MB/s of values (min / median / max)")
PY
}

for part in $PARTS; do "${part}_part"; done
