#!/usr/bin/env bash
# Redis Cluster through cluster clients (issue 31, part 5), demo processes on 127.0.0.1 laid out with
# CLUSTER SETLAYOUT as the operator does (demo README, "Cluster"):
#  cpu:       the servers' CPU µs per request (utime+stime summed over a cluster's processes, /proc/PID/stat),
#             one node holding all 16,384 slots vs three nodes holding a third each, through redis-benchmark
#             (`--cluster` for three: it refuses a cluster of one node, where a cluster client sends what a plain
#             client sends, every slot being that node's); SET and GET, -P 1 and -P 16, 48 connections in all;
#             rounds interleaved (the order flips every round).
#  migration: KEYS keys of VALUE_SIZE bytes in slots 0-5460 (a third) of node A, moved to node B (and back to A
#             in even rounds) while ClusterLoad (Jedis's JedisCluster, following MOVED/ASK) sends GET/SET of those
#             keys at LOAD_RATE/s: keys/s and MB/s of each move, every operation that failed or read a wrong value.
# Pinning (2 CPUs): cpu: every server on SERVER_CPU, redis-benchmark on CLIENT_CPU, so 1 vs 3 nodes differ
# only in processes and connections. migration: source on CLIENT_CPU, target and third node on SERVER_CPU,
# the load client unpinned (it is rate-limited).
#
# usage: benchmarks/run-cluster.sh [rounds]   (default 3; cpu ~1 min a round plus ~1 min start, migration ~1 min a
#        round plus ~2 min start and fill; at a load of 30-50 three times that)
# env:   PERCORE_JAR, SERVER_CPU (1), CLIENT_CPU (0), BASE_PORT (7400: uses BASE_PORT..+12), PARTS ("cpu migration"),
#        REQUESTS (100000 at -P 1; 3x that at -P 16), KEYS (1000000), VALUE_SIZE (100), LOAD_RATE (2000), LOAD_THREADS (8)
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
  taskset -c "$2" env -u PERCORE_JAR java -Xms256m -Xmx"$3" -jar "$JAR" --percore.servers.resp.port="$1" \
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

cpu_part() {
  local one=$BASE_PORT a=$((BASE_PORT + 1)) b=$((BASE_PORT + 2)) c=$((BASE_PORT + 3))
  for port in $one $a $b $c; do start_node "$port" "$SERVER_CPU" 512m; done
  wait_nodes $one $a $b $c
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
  local pids1 pids3
  pids1=$(eval echo "\$PID_$one"); pids3="$(eval echo "\$PID_$a") $(eval echo "\$PID_$b") $(eval echo "\$PID_$c")"
  # CPU µs per request of the processes PIDS for TEST (set|get) at depth P through a client at PORT
  measure() {
    local pids=$1 port=$2 test=$3 depth=$4 n=$REQUESTS before after cluster=()
    [ "$port" = "$one" ] || cluster=(--cluster)
    [ "$depth" = 1 ] || n=$((REQUESTS * 3))
    # shellcheck disable=SC2086
    before=$(ticks $pids)
    taskset -c "$CLIENT_CPU" redis-benchmark "${cluster[@]}" -h 127.0.0.1 -p "$port" -n "$n" -c 48 -r 100000 -d 16 -P "$depth" -t "$test" -q \
      > "$WORK/bench.out" 2>&1 || { cat "$WORK/bench.out" >&2; exit 1; }
    # shellcheck disable=SC2086
    after=$(ticks $pids)
    grep -q 'requests per second' "$WORK/bench.out" || { echo "run-cluster: redis-benchmark gave no result" >&2; cat "$WORK/bench.out" >&2; exit 1; }
    python3 -c "import os; print(f'{($after - $before) * 1e6 / os.sysconf(\"SC_CLK_TCK\") / $n:.2f}')"
  }
  for test in set get; do for depth in 16 1; do   # JIT warm-up of every path, not measured
    measure "$pids1" $one $test $depth > /dev/null; measure "$pids3" $a $test $depth > /dev/null
  done; done
  echo "== cpu: $(stamp), $ROUNDS rounds, servers on CPU $SERVER_CPU, redis-benchmark on CPU $CLIENT_CPU"
  : > "$WORK/cpu"
  for round in $(seq 1 "$ROUNDS"); do
    for test in set get; do for depth in 1 16; do
      if [ $((round % 2)) = 1 ]; then x1=$(measure "$pids1" $one $test $depth); x3=$(measure "$pids3" $a $test $depth)
      else x3=$(measure "$pids3" $a $test $depth); x1=$(measure "$pids1" $one $test $depth); fi
      echo "round $round $test -P $depth: 1 node $x1 µs, 3 nodes $x3 µs" | tee -a "$WORK/cpu"
    done; done
  done
  echo "== cpu done: $(stamp)"
  python3 - "$WORK/cpu" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"round \d+ (\w+) -P (\d+): 1 node ([\d.]+) µs, 3 nodes ([\d.]+) µs", line)
    if m:
        r = rows.setdefault((m[1].upper(), m[2]), ([], [], []))
        r[0].append(float(m[3])); r[1].append(float(m[4])); r[2].append(float(m[4]) / float(m[3]))
fmt = lambda xs: f"{min(xs):.2f} / {statistics.median(xs):.2f} / {max(xs):.2f}"
print("| request | 1 node µs (min / median / max) | 3 nodes µs | 3 nodes / 1 node |")
for (test, depth), (one, three, ratio) in rows.items():
    print(f"| {test} -P {depth} | {fmt(one)} | {fmt(three)} | {fmt(ratio)} |")
PY
  for p in $pids1 $pids3; do kill "$p"; done
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
