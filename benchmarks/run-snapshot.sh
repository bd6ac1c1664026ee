#!/usr/bin/env bash
# Snapshots of a large keyspace, the service beside redis-server 7.0 in one run (issue 25's figures):
#   load:   the same dump.rdb (KEYS string keys, made by redis-server's DEBUG POPULATE) loaded at start,
#           as each server logs it (redis: "DB loaded from disk", the service: "Loaded ... in N ms");
#   save:   BGSAVE of it while redis-benchmark writes (SET, pipelined 16, on the other CPU), wall time
#           until rdb_bgsave_in_progress is 0; for the service also its longest slice on a shard
#           (INFO rdb_last_save_longest_slice_usec: wall time, so a GC pause inside a slice counts; and
#           rdb_last_save_longest_slice_cpu_usec, the shard's own CPU time in that slice) and,
#           on a second save without the write load, the extra live heap while it runs (a full GC
#           half-way through the save, minus a full GC before it);
#   check:  redis-check-rdb on what the service wrote.
# Each server is pinned to CPU 1, the load to CPU 0 (so the service's JVM picks the Serial collector, as
# any JVM on one CPU does). Prints min / median / max over the rounds.
#
# usage: benchmarks/run-snapshot.sh [JAR]       (default demo-service/target/*-exec.jar)
# env:   ROUNDS (3), KEYS (5000000), SHARDS (2), HEAP (4g)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${1:-$(ls demo-service/target/percore-demo-service-*-exec.jar)}
rounds=${ROUNDS:-3}
keys=${KEYS:-5000000}
shards=${SHARDS:-2}
heap=${HEAP:-4g}
work=$(mktemp -d /tmp/percore-snapshot-XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
info_field() { redis-cli -p "$1" info persistence | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
wait_loaded() { # port: until it answers DBSIZE with the whole data set (-LOADING before)
  for _ in $(seq 1 30000); do
    [ "$(redis-cli -p "$1" dbsize 2>/dev/null)" = "$keys" ] && return 0; sleep 0.01
  done; echo "never loaded" >&2; exit 1
}
wait_saved() { # port
  sleep 0.05
  for _ in $(seq 1 60000); do
    [ "$(info_field "$1" rdb_bgsave_in_progress)" = "0" ] && return 0; sleep 0.01
  done; echo "never saved" >&2; exit 1
}
live_heap_kb() { # pid: the live objects' bytes, in one step (the histogram runs a full GC first): a GC.run and a
  # heap_info apart would count what the saving shards allocate between the two jcmd calls
  jcmd "$1" GC.class_histogram | awk '/^Total/ {printf "%d", $3 / 1024}'
}
writes() { taskset -c 0 redis-benchmark -p "$1" -t set -r "$keys" -P 16 -c 20 -n 3000000 -q >/dev/null 2>&1 & }

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) keys=$keys shards=$shards rounds=$rounds heap=$heap load: $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$work/source" "$work/redis" "$work/ours"
port=$(free_port)
redis-server --port "$port" --dir "$work/source" --save "" --daemonize no --databases 1 --enable-debug-command yes >/dev/null &
rpid=$!
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
redis-cli -p "$port" debug populate "$keys" key 16 >/dev/null
redis-cli -p "$port" save >/dev/null
kill "$rpid"; wait "$rpid" 2>/dev/null || true
echo "data set: $(du -h "$work/source/dump.rdb" | cut -f1) dump.rdb with $keys keys"

echo "round server load_ms bgsave_ms longest_slice_us extra_heap_mb longest_slice_cpu_us"
for ((r = 1; r <= rounds; r++)); do
  cp "$work/source/dump.rdb" "$work/redis/dump.rdb"   # each server starts from the same file (the writes below add keys)
  port=$(free_port)
  t0=$(now_ms)
  taskset -c 1 redis-server --port "$port" --dir "$work/redis" --dbfilename dump.rdb --save "" --databases 1 \
    --logfile "$work/redis/log" >/dev/null &
  rpid=$!
  wait_loaded "$port"
  load=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$work/redis/log" | tail -1 | awk '{printf "%d", $5 * 1000}')
  writes "$port"; bench=$!
  sleep 0.5; t0=$(now_ms); redis-cli -p "$port" bgsave >/dev/null; wait_saved "$port"; save=$(( $(now_ms) - t0 ))
  kill "$bench" 2>/dev/null || true; wait "$bench" 2>/dev/null || true
  echo "$r redis-server $load $save - - -"
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; wait "$rpid" 2>/dev/null || true

  cp "$work/source/dump.rdb" "$work/ours/dump.rdb"
  port=$(free_port); http=$(free_port); mgmt=$(free_port)
  t0=$(now_ms)
  taskset -c 1 java -Xms"$heap" -Xmx"$heap" -XX:+ExitOnOutOfMemoryError -Dio.netty.leakDetection.level=disabled -jar "$jar" \
    --percore.servers.resp.port="$port" --percore.servers.http.port="$http" --management.server.port="$mgmt" \
    --percore.engine.shards="$shards" --percore.engine.mode=overprovisioned --percore.engine.idle-poll=0s \
    --percore.demo.maxmemory=2GB --percore.demo.persistence.dir="$work/ours" >"$work/ours/log" 2>&1 &
  jpid=$!
  wait_loaded "$port"
  load=$(grep -o 'into [0-9]* shards in [0-9]* ms' "$work/ours/log" | awk '{print $5}')
  writes "$port"; bench=$!
  sleep 0.5; t0=$(now_ms); redis-cli -p "$port" bgsave >/dev/null
  wait_saved "$port"; save=$(( $(now_ms) - t0 ))
  kill "$bench" 2>/dev/null || true; wait "$bench" 2>/dev/null || true
  slice=$(info_field "$port" rdb_last_save_longest_slice_usec)
  slice_cpu=$(info_field "$port" rdb_last_save_longest_slice_cpu_usec)
  status=$(info_field "$port" rdb_last_bgsave_status)
  # the heap on its own save: the full GCs that measure it would stall the measured one
  before=$(live_heap_kb "$jpid")
  redis-cli -p "$port" bgsave >/dev/null; sleep 0.3
  during=$(live_heap_kb "$jpid")
  wait_saved "$port"
  echo "$r percore $load $save $slice $(awk -v a="$during" -v b="$before" 'BEGIN{printf "%.1f", (a - b) / 1024}') $slice_cpu"
  [ "$status" = ok ] || { echo "the service's save failed:"; tail -20 "$work/ours/log"; exit 1; }
  redis-check-rdb "$work/ours/dump.rdb" | grep -q "RDB looks OK" || { echo "redis-check-rdb refused the service's file"; exit 1; }
  kill "$jpid"; wait "$jpid" 2>/dev/null || true
done | tee "$work/results"
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/results" <<'EOF'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l[0].isdigit()]
for server in ("redis-server", "percore"):
    for col, name in ((2, "load_ms"), (3, "bgsave_ms"), (4, "longest_slice_us"), (6, "longest_slice_cpu_us"), (5, "extra_heap_mb")):
        vals = [float(r[col]) for r in rows if r[1] == server and r[col] != "-"]
        if vals:
            print(f"{server:13s} {name:17s} min {min(vals):8.0f}  median {statistics.median(vals):8.0f}  max {max(vals):8.0f}")
EOF
