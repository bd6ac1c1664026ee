#!/usr/bin/env bash
# What an idle server costs: wakeups (voluntary and involuntary context switches) per second of each thread that wakes
# on its own, and the process's CPU, over a quiet window, for each build of the demo given and for redis-server 7.0
# beside them (its `hz 10` cron, the peer's figure). Rounds interleaved; each server started with nothing to do,
# measured WAIT seconds after it answers PING, for WINDOW seconds. Nothing connects meanwhile.
#
# usage: benchmarks/run-idle.sh ROUNDS JAR...      e.g. run-idle.sh 2 /tmp/before.jar demo-service/target/*-exec.jar
# env:   SHARDS (2), WAIT (15 s: the JIT and start-up settle), WINDOW (20 s)
#        the demo runs unpinned (overprovisioned: what a pod or a laptop runs), with its defaults otherwise
#
# The CPU figure is /proc/PID/stat's utime+stime in 10 ms ticks: over 20 s its resolution is 0.05 % of a CPU.
set -euo pipefail
rounds=$1; shift
shards=${SHARDS:-2}
wait_s=${WAIT:-15}
window=${WINDOW:-20}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
clk=$(getconf CLK_TCK)
echo "== run-idle.sh $rounds, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), shards=$shards wait=${wait_s}s window=${window}s"
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "${data:-}"' EXIT

# per thread: name|switches|ticks, one line each, sorted by thread id
threads() {
  for t in /proc/"$1"/task/*; do
    printf '%s|%s|%s|%s\n' "$(basename "$t")" "$(tr ' ' _ < "$t/comm")" \
      "$(awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s}' "$t/status")" "$(awk '{print $14 + $15}' "$t/stat")"
  done | sort
}

measure() { # NAME PID: the threads that switched more than once a second, and the process
  local name=$1 p=$2 before after c1 c2
  before=$(threads "$p"); c1=$(awk '{print $14 + $15}' "/proc/$p/stat")
  sleep "$window"
  after=$(threads "$p"); c2=$(awk '{print $14 + $15}' "/proc/$p/stat")
  join -t'|' <(echo "$before") <(echo "$after") | awk -F'|' -v w="$window" -v hz="$clk" -v n="$name" '
    { s = ($6 - $3) / w; if (s >= 1) printf "%-12s %-20s %8.1f switches/s %6.2f %% CPU\n", n, $2, s, ($7 - $4) * 100 / hz / w }'
  awk -v n="$name" -v d=$((c2 - c1)) -v w="$window" -v hz="$clk" 'BEGIN { printf "%-12s %-20s %19s %6.2f %% CPU\n", n, "(process)", "", d * 100 / hz / w }'
}

for ((r = 1; r <= rounds; r++)); do
  echo "-- round $r"
  data=$(mktemp -d); port=$(free_port)
  redis-server --port "$port" --save '' --appendonly no --dir "$data" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  sleep "$wait_s"; measure redis-server "$pid"
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$data"
  for jar in "$@"; do
    data=$(mktemp -d); port=$(free_port)
    env -u PERCORE_JAR java -Xmx256m -jar "$jar" --percore.servers.resp.port="$port" --percore.servers.http.port=0 \
      --management.server.port=0 --percore.engine.shards="$shards" --percore.demo.persistence.dir="$data" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 240); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.25; done
    sleep "$wait_s"; measure "$(basename "$jar" .jar)" "$pid"
    kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$data"
  done
done
echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
