#!/usr/bin/env bash
# What atomic multi-key commands cost (issue 27): MSET and MGET of 10 keys whose keys lie on both of the
# service's 2 shards, the server's CPU per command (utime+stime from /proc/PID/stat), side by side with
# redis-server and with other builds of the service (e.g. the one before commands spanning shards held
# their shards), rounds interleaved, each server pinned to CPU 1 (the service's two shards
# overprovisioned on it), redis-benchmark pinned to CPU 0. XREAD too (issue 27): COUNT 1 of two streams
# of one entry each, both on one shard (xread1: "{s0}:a {s0}:b") or one on each (xread2: "{s0}:a {s1}:b").
#
# usage: benchmarks/run-multikey.sh ROUNDS JAR...     e.g. run-multikey.sh 3 /tmp/before.jar demo-service/target/*-exec.jar
# env:   REQUESTS (400000 commands per measured run), PIPELINES ("16 1"), SHARDS (2), CLIENTS (50),
#        COMMANDS ("mset mget"; also xread1 xread2), BASEPORT (unset: free ports; else BASEPORT, BASEPORT+1, ...)
# out:   one line per round, server, command and pipeline depth; then min/median/max of each server's
#        CPU per command and of its ratio to redis-server's in the same round
set -euo pipefail
rounds=$1; shift
requests=${REQUESTS:-400000}
pipelines=${PIPELINES:-16 1}
shards=${SHARDS:-2}
clients=${CLIENTS:-50}
commands=${COMMANDS:-mset mget}
next_port=${BASEPORT:-}
clk=$(getconf CLK_TCK)
take_port() { # sets $taken (not echoed: BASEPORT's counter must advance in this shell, not in a subshell)
  if [ -n "$next_port" ]; then taken=$next_port; next_port=$((next_port + 1)); return; fi
  taken=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
}
keys() { local out="" i; for i in $(seq 1 10); do out="$out key:{$i}__rand_int__"; done; echo "$out"; }
# ten keys: "key:{1}<n>" ... "key:{10}<n>": the hash tags spread them over the slots, so over both shards
mget="MGET$(keys)"
mset="MSET"; for k in $(keys); do mset="$mset $k v"; done
# slot("s0") is odd, slot("s1") even: with 2 shards (slot mod shards) they are on different shards
xread1="XREAD COUNT 1 STREAMS {s0}:a {s0}:b 0-0 0-0"
xread2="XREAD COUNT 1 STREAMS {s0}:a {s1}:b 0-0 0-0"
results=$(mktemp)
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$rounds requests=$requests pipelines=\"$pipelines\" shards=$shards load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round server command pipeline cpu_us_per_command"
start_server() { # name port http mgmt: prints pid
  local name=$1 port=$2 http=$3 mgmt=$4
  if [ "$name" = redis-server ]; then
    taskset -c 1 redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
  else
    taskset -c 1 env -u PERCORE_JAR java -Xms256m -Xmx512m -Dio.netty.leakDetection.level=disabled -jar "$name" \
      --percore.servers.resp.port="$port" --percore.servers.http.port="$http" --management.server.port="$mgmt" \
      --percore.engine.shards="$shards" --percore.engine.mode=overprovisioned --percore.engine.idle-poll=0s >/dev/null 2>&1 &
  fi
  local pid=$!
  for _ in $(seq 1 240); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.25; done
  echo "$pid"
}
measure() { # pid port pipeline command...: CPU µs per command
  local pid=$1 port=$2 p=$3; shift 3
  local before after
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  # shellcheck disable=SC2068
  taskset -c 0 redis-benchmark -p "$port" -r 100000 -c "$clients" -P "$p" -n "$requests" -q $@ >/dev/null 2>&1
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  awk -v t=$((after - before)) -v hz="$clk" -v n="$requests" 'BEGIN{printf "%.3f", t*1e6/hz/n}'
}
for ((r = 1; r <= rounds; r++)); do
  for server in redis-server "$@"; do
    take_port; port=$taken; take_port; http=$taken; take_port; mgmt=$taken
    pid=$(start_server "$server" "$port" "$http" "$mgmt")
    # shellcheck disable=SC2086
    taskset -c 0 redis-benchmark -p "$port" -r 100000 -c "$clients" -P 16 -n 200000 -q $mset >/dev/null 2>&1  # warm-up, fills the keys
    for s in {s0}:a {s0}:b {s1}:b; do redis-cli -p "$port" XADD "$s" 1-1 f v >/dev/null; done
    for x in "$xread1" "$xread2"; do
      # shellcheck disable=SC2086
      case " $commands " in *" xread"*) taskset -c 0 redis-benchmark -p "$port" -c "$clients" -P 16 -n 200000 -q $x >/dev/null 2>&1 ;; esac # warm-up
    done
    for p in $pipelines; do
      for cmd in $commands; do
        case "$cmd" in
          mset) v=$(measure "$pid" "$port" "$p" $mset) ;;
          mget) v=$(measure "$pid" "$port" "$p" $mget) ;;
          xread1) v=$(measure "$pid" "$port" "$p" $xread1) ;;
          xread2) v=$(measure "$pid" "$port" "$p" $xread2) ;;
          *) echo "unknown command $cmd" >&2; exit 2 ;;
        esac
        label=$(basename "$server")
        echo "$r $label $cmd $p $v" | tee -a "$results"
      done
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
echo "# server command pipeline: cpu_us min/median/max, ratio to redis-server min/median/max"
awk '
  { v[$2" "$3" "$4, $1] = $5; keys[$2" "$3" "$4] = 1; if ($2 == "redis-server") redis[$3" "$4, $1] = $5; rounds[$1] = 1 }
  function stats(arr, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
    return sprintf("%.3f/%.3f/%.3f", arr[1], (n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2), arr[n]) }
  END { for (k in keys) { split(k, p, " "); n = 0; m = 0; delete a; delete q
          for (r in rounds) { if ((k, r) in v) { a[++n] = v[k, r]; if ((p[2]" "p[3], r) in redis && redis[p[2]" "p[3], r] > 0) q[++m] = v[k, r] / redis[p[2]" "p[3], r] } }
          printf "%s: %s us, ratio %s\n", k, stats(a, n), (m ? stats(q, m) : "-") } }' "$results" | sort
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$results"
