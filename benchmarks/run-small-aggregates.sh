#!/usr/bin/env bash
# CPU per request on small hashes, sets and sorted sets (their compact forms), between builds of the demo (A/B):
# each round starts every jar in turn pinned to CPU 1 (one shard, pinned mode, idle-poll 0, as run-user-sys.sh)
# and, per type, warms it up, empties it, then runs redis-benchmark (pinned to CPU 0, -c 50 -P 1) with REQUESTS
# writes over -r 100000 random keys (HSET, SADD, ZADD: most keys new and small) and as many reads of the same keys
# (HGET, SISMEMBER, ZSCORE), printing the server's utime+stime (/proc/PID/stat, all threads) per request.
# run-user-sys.sh measures SET and GET only; this is for changes to how small aggregates are kept (PEERS.md,
# measurement 41).
#
# usage: benchmarks/run-small-aggregates.sh ROUNDS JAR...
# env:   REQUESTS (200000 per measured run), PORT (7702: RESP; +1 HTTP, +2 management)
# out:   one line per round, jar and type: ROUND JAR TYPE write US read US
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 ROUNDS JAR..." >&2
  exit 2
fi
rounds=$1; shift
n=${REQUESTS:-200000}; port=${PORT:-7702}
clk=$(getconf CLK_TCK)
writes=("HSET h:__rand_int__ f:__rand_int__ 0123456789" "SADD s:__rand_int__ __rand_int__" "ZADD z:__rand_int__ 1.5 m:__rand_int__")
reads=("HGET h:__rand_int__ f:__rand_int__" "SISMEMBER s:__rand_int__ __rand_int__" "ZSCORE z:__rand_int__ m:__rand_int__")
names=(hash set zset)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
bench() { # RANGE COUNT COMMAND...: the words of COMMAND as redis-benchmark's arguments
  local range=$1 count=$2; shift 2
  # shellcheck disable=SC2086 # the command's words are meant to split
  taskset -c 0 redis-benchmark -p "$port" -r "$range" -c 50 -P 1 -n "$count" -q $* > /dev/null 2>&1
}
per() { awk -v t="$1" -v n="$n" -v hz="$clk" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }'; }
for ((r = 1; r <= rounds; r++)); do
  for jar in "$@"; do
    taskset -c 1 java -Xms256m -Xmx512m -jar "$jar" --percore.servers.resp.port="$port" --percore.servers.http.port=$((port + 1)) \
      --management.server.port=$((port + 2)) --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s > /dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 240); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.25; done
    for i in 0 1 2; do
      bench 1000 100000 "${writes[$i]}"
      bench 1000 100000 "${reads[$i]}"
      redis-cli -p "$port" flushall > /dev/null
      a=$(ticks $pid); bench 100000 "$n" "${writes[$i]}"; b=$(ticks $pid)
      bench 100000 "$n" "${reads[$i]}"; c=$(ticks $pid)
      echo "$r $(basename "$jar" .jar) ${names[$i]} write $(per $((b - a))) read $(per $((c - b)))"
    done
    kill $pid; wait $pid 2> /dev/null || true
  done
done
