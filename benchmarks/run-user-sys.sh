#!/usr/bin/env bash
# Where a RESP request's CPU goes, user space against kernel, redis-server beside one or more builds of
# the demo: each round starts redis-server 7.0 (no persistence) and then every jar in turn, pinned to
# CPU 1 (one shard, pinned mode, idle-poll 0, as run-resp-ab.sh), warms each up, and runs redis-benchmark
# (pinned to CPU 0, -r 100000 -c 50) once per test, reporting the server's utime and stime
# (/proc/PID/stat, all its threads) per request apart. run-peers.sh gives their sum; this says which
# half a gap is in (2026-11-25: the demo spends less in the kernel than redis-server one request at a
# time, and, warmed up, about 0.6 µs more in user space). The split is by tick (below): read the totals
# here, and the halves from one sampler on both servers (profile-peer.sh, with APP=demo for the demo; PEERS.md,
# measurement 48: the same direction, the demo's user space about 0.2 µs above redis-server's).
#
# The total is exact to the 10 ms it is counted in (the kernel scales the sampled halves to the
# scheduler's own run time); the split is not: this kernel (CONFIG_TICK_CPU_ACCOUNTING, HZ=250)
# takes user or system from the mode each tick finds, so at 200,000 requests one at a time (~400
# ticks) either half moves by 5-10 % from run to run. A fresh JVM costs more for its first runs (JIT): 2026-11-25, one shard, SET one
# at a time, 200,000 requests a run: 16.9, 9.5, 8.6, then 7.2-7.6 µs a request; hence WARMUPS.
#
# usage: benchmarks/run-user-sys.sh ROUNDS JAR[@JVM-OPTIONS]...
#        JVM-OPTIONS comma-separated, e.g. demo.jar@-XX:+UseParallelGC,-Xss1m
# env:   PIPELINE (1), REQUESTS (200000 per measured run), TESTS ("set get"),
#        WARMUPS (3: unmeasured runs of every test before the measured ones, each server),
#        PORT (7602: the demo's RESP port; +1 HTTP, +2 management; redis-server gets PORT-1),
#        PRE (a shell command run before each demo start, e.g. to empty a persistence directory)
set -euo pipefail
rounds=$1; shift
pipeline=${PIPELINE:-1}; requests=${REQUESTS:-200000}; tests=${TESTS:-set get}; port=${PORT:-7602}
clk=$(getconf CLK_TCK)

measure() { # PID PORT LABEL
  local pid=$1 p=$2 label=$3 u0 s0 u1 s1
  for t in $tests; do
    read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    taskset -c 0 redis-benchmark -p "$p" -t "$t" -r 100000 -c 50 -P "$pipeline" -n "$requests" -q >/dev/null 2>&1
    read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    awk -v r="$r" -v l="$label" -v t="$t" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$clk" -v n="$requests" \
      'BEGIN{printf "%d %s %s user %.2f sys %.2f total %.2f\n", r, l, t, u*1e6/hz/n, s*1e6/hz/n, (u+s)*1e6/hz/n}'
  done
}

warmups=${WARMUPS:-3}
warm() {
  local i
  for ((i = 0; i < warmups; i++)); do
    taskset -c 0 redis-benchmark -p "$1" -t "${tests// /,}" -r 100000 -c 50 -P "$pipeline" -n "$requests" -q >/dev/null 2>&1
  done
}

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$rounds pipeline=$pipeline requests=$requests warmups=$warmups tests=\"$tests\" load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round server test user_us sys_us total_us (per request)"
for ((r = 1; r <= rounds; r++)); do
  taskset -c 1 redis-server --port $((port - 1)) --save "" --appendonly no >/dev/null 2>&1 &
  rp=$!
  for _ in $(seq 1 40); do redis-cli -p $((port - 1)) ping >/dev/null 2>&1 && break; sleep 0.25; done
  warm $((port - 1)); measure "$rp" $((port - 1)) redis-server
  kill "$rp"; wait "$rp" 2>/dev/null || true
  for spec in "$@"; do
    jar=${spec%%@*}; opts=""; [ "$spec" != "$jar" ] && opts=${spec#*@}
    eval "${PRE:-}"
    # shellcheck disable=SC2086
    taskset -c 1 env -u PERCORE_JAR java -Xms256m -Xmx512m ${opts//,/ } -jar "$jar" --percore.servers.resp.port="$port" \
      --percore.servers.http.port=$((port + 1)) --management.server.port=$((port + 2)) --percore.engine.shards=0 \
      --percore.engine.mode=pinned --percore.engine.idle-poll=0s >/dev/null 2>&1 &
    jp=$!
    up=0
    for _ in $(seq 1 240); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && { up=1; break; }; sleep 0.25; done
    [ "$up" = 1 ] || { echo "$(basename "$jar") did not answer PING on $port" >&2; kill "$jp"; exit 1; }
    warm "$port"; measure "$jp" "$port" "$(basename "$jar" .jar)${opts:+@$opts}"
    kill "$jp"; wait "$jp" 2>/dev/null || true
  done
done
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
