#!/usr/bin/env bash
# A start's load of a snapshot of small hashes, between builds of the demo (A/B): redis-server writes a dump.rdb of
# HASHES hashes of FIELDS fields (10-byte values, the keys and fields of run-memory.sh's hashes), then each round
# starts every jar in turn on a copy of it, one shard pinned to CPU 1, and prints the time its log gives ("into 1
# shards in N ms"), DBSIZE and one loaded key's MEMORY USAGE (what the budget counts for it). run-snapshot.sh loads
# string keys against redis-server; this is for changes to how loaded aggregates are kept (PEERS.md, measurement 41).
#
# usage: benchmarks/run-load-ab.sh ROUNDS JAR...
# env:   HASHES (200000), FIELDS (10), PORT (7930)
# out:   one line per round and jar: ROUND JAR MS dbsize N usage BYTES
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 ROUNDS JAR..." >&2
  exit 2
fi
rounds=$1; shift
hashes=${HASHES:-200000}; fields=${FIELDS:-10}; port=${PORT:-7930}
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
redis-server --port "$port" --save '' --appendonly no --dir "$src" --daemonize yes > /dev/null
for _ in $(seq 1 40); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.25; done
awk -v n="$hashes" -v f="$fields" 'BEGIN {
  for (i = 0; i < n; i++) {
    k = "hash:" i; printf "*%d\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", 2 + 2 * f, length(k), k
    for (j = 0; j < f; j++) { name = "field:" j; printf "$%d\r\n%s\r\n$10\r\n%010d\r\n", length(name), name, j }
  } }' | redis-cli -p "$port" --pipe > /dev/null
redis-cli -p "$port" save > /dev/null
redis-cli -p "$port" shutdown nosave > /dev/null 2>&1 || true
echo "== $(du -h "$src/dump.rdb" | cut -f1) dump.rdb: $hashes hashes of $fields fields"
for ((r = 1; r <= rounds; r++)); do
  for jar in "$@"; do
    d=$(mktemp -d); cp "$src/dump.rdb" "$d/"
    taskset -c 1 java -Xmx1g -jar "$jar" --percore.servers.resp.port="$port" --percore.servers.http.port=0 --management.server.port=0 \
      --percore.engine.shards=1 --percore.demo.persistence.dir="$d" > "$d/log" 2>&1 &
    pid=$!
    for _ in $(seq 1 400); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.25; done
    ms=$(grep -o 'into 1 shards in [0-9]* ms' "$d/log" | grep -o '[0-9]* ms' || echo "no load logged")
    echo "$r $(basename "$jar" .jar) $ms dbsize $(redis-cli -p "$port" dbsize) usage $(redis-cli -p "$port" memory usage hash:7)"
    kill $pid; wait $pid 2> /dev/null || true
    rm -rf "$d"
  done
done
