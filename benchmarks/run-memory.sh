#!/usr/bin/env bash
# Memory per key: the Percore demo against redis-server, one server at a time, on the same data.
#
# Datasets (each loaded into a freshly started server with redis-cli --pipe, from RESP that awk
# writes):
#   strings  STRINGS keys "key:N" -> 10-byte values "000000000N"          (SET)
#   hashes   HASHES keys "hash:N", FIELDS fields "field:J" -> 10-byte values (one HSET per key)
#   zsets    ZSETS keys "zset:N", FIELDS members "member:J", scores 1.5 .. (one ZADD per key);
#            skipped, with a message, while the demo answers ZADD with "unknown command"
#   sets     SETS keys "set:N", FIELDS integer members N*FIELDS+J (one SADD per key): Redis's intset
# Figures per key (loaded minus empty, divided by the keys):
#   demo heap   live heap of the demo's JVM after a full GC: the "Total" bytes of
#               jcmd GC.class_histogram (which runs a full GC first), loaded minus empty
#   demo est.   the demo's own INFO memory used_memory (the estimate its maxmemory is enforced on)
#   redis       redis-server's INFO memory used_memory (jemalloc's allocated bytes), loaded minus empty
# The demo runs as run-peers.sh runs it (pinned to SERVER_CPU, one shard, pinned mode) with
# -Xmx DEMO_HEAP and percore.demo.maxmemory DEMO_MAXMEMORY set explicitly, so its budget does not
# refuse the load (noeviction would answer -OOM, which fails the run).
#
# usage: benchmarks/run-memory.sh                  (all datasets: about 1 minute)
# env:   DATASETS ("strings hashes zsets sets") STRINGS (1000000) HASHES (100000) ZSETS (100000) SETS (100000) FIELDS (10)
#        DEMO_HEAP (2g) DEMO_MAXMEMORY (1GB; Spring DataSize: 1GB, 1536MB or bytes) PERCORE_JAR (as run-peers.sh) SERVER_CPU (1) CLIENT_CPU (0)
#        RESULT_DIR (benchmarks/target/results): where the run's result file goes, run-memory-<UTC start>.json in the
#        format of benchmarks/results/README.md (copy it to benchmarks/results/ to publish it); nothing is printed
set -euo pipefail

DATASETS=${DATASETS:-strings hashes zsets sets}
STRINGS=${STRINGS:-1000000}
HASHES=${HASHES:-100000}
ZSETS=${ZSETS:-100000}
SETS=${SETS:-100000}
FIELDS=${FIELDS:-10}
DEMO_HEAP=${DEMO_HEAP:-2g}
DEMO_MAXMEMORY=${DEMO_MAXMEMORY:-1GB}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-memory.XXXXXX)
SERVER_PID=

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in redis-server redis-cli taskset java jcmd awk python3; do
  command -v "$tool" >/dev/null || { echo "run-memory: '$tool' is required (apt-get install redis-server redis-tools util-linux openjdk-17-jdk-headless)" >&2; exit 2; }
done
for d in $DATASETS; do
  case "$d" in strings | hashes | zsets | sets) ;; *) echo "run-memory: unknown dataset '$d' (strings hashes zsets sets)" >&2; exit 2 ;; esac
done

boot_jar() { ls "$ROOT"/demo-service/target/percore-demo-service-*.jar 2>/dev/null | grep -v original | sort -r | awk '/-exec\.jar$/{print; found=1; exit} {first = first ? first : $0} END{if (!found && first) print first}'; }
JAR=${PERCORE_JAR:-$(boot_jar || true)}
if [ -z "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl demo-service -am package -DskipTests)
  JAR=$(boot_jar)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { # command... ; up to 90 s, or until the server exits
  for _ in $(seq 1 180); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "run-memory: the server did not answer: $*; last lines of its log:" >&2
  tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
  return 1
}
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }

start_demo() { # -> PORT, SERVER_PID
  PORT=$(free_port)
  # env -u: Spring binds PERCORE_* environment variables to percore.* keys (see run-peers.sh)
  # Serial GC is what the JVM picks on one CPU anyway; MarkSweepDeadRatio=0 makes its full GC
  # compact everything: by default it leaves up to 5 % of the old generation as dead "filler"
  # int[]s, which the histogram counts (13 MB of them after a FLUSHALL in a 2 GB heap).
  taskset -c "$SERVER_CPU" env -u PERCORE_JAR java -Xms256m -Xmx"$DEMO_HEAP" -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0 -jar "$JAR" \
    --percore.servers.resp.port="$PORT" --percore.servers.http.port="$(free_port)" --management.server.port="$(free_port)" \
    --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s \
    --percore.demo.maxmemory="$DEMO_MAXMEMORY" > "$WORK/percore.log" 2>&1 &
  SERVER_PID=$!
  wait_for redis-cli -p "$PORT" ping
  local shards; shards=$(info_field "$PORT" server shards)
  [ "$shards" = 1 ] || { echo "run-memory: expected 1 shard on one CPU, INFO says '$shards'" >&2; exit 1; }
}
start_redis() { # -> PORT, SERVER_PID
  PORT=$(free_port)
  taskset -c "$SERVER_CPU" redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    > "$WORK/redis.log" 2>&1 &
  SERVER_PID=$!
  wait_for redis-cli -p "$PORT" ping
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

# live heap bytes after a full GC (GC.class_histogram collects before it counts)
demo_heap() { taskset -c "$CLIENT_CPU" jcmd "$SERVER_PID" GC.class_histogram | awk '$1 == "Total" {print $3}'; }

# RESP for one dataset on stdout
generate() { # dataset
  case "$1" in
    strings) awk -v n="$STRINGS" 'BEGIN {
        for (i = 0; i < n; i++) { k = "key:" i; v = sprintf("%010d", i)
          printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$10\r\n%s\r\n", length(k), k, v } }' ;;
    hashes) awk -v n="$HASHES" -v f="$FIELDS" 'BEGIN {
        for (i = 0; i < n; i++) { k = "hash:" i
          printf "*%d\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", 2 + 2 * f, length(k), k
          for (j = 0; j < f; j++) { fl = "field:" j; v = sprintf("%010d", i * f + j)
            printf "$%d\r\n%s\r\n$10\r\n%s\r\n", length(fl), fl, v } } }' ;;
    zsets) awk -v n="$ZSETS" -v f="$FIELDS" 'BEGIN {
        for (i = 0; i < n; i++) { k = "zset:" i
          printf "*%d\r\n$4\r\nZADD\r\n$%d\r\n%s\r\n", 2 + 2 * f, length(k), k
          for (j = 0; j < f; j++) { s = sprintf("%d.5", j + 1); m = "member:" j
            printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(m), m } } }' ;;
    sets) awk -v n="$SETS" -v f="$FIELDS" 'BEGIN {
        for (i = 0; i < n; i++) { k = "set:" i
          printf "*%d\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n", 2 + f, length(k), k
          for (j = 0; j < f; j++) { m = sprintf("%d", i * f + j)
            printf "$%d\r\n%s\r\n", length(m), m } } }' ;;
  esac
}
keys_of() { case "$1" in strings) echo "$STRINGS" ;; hashes) echo "$HASHES" ;; zsets) echo "$ZSETS" ;; sets) echo "$SETS" ;; esac; }

load() { # dataset
  local out keys; keys=$(keys_of "$1")
  out=$(generate "$1" | taskset -c "$CLIENT_CPU" redis-cli -p "$PORT" --pipe 2>&1 | tr -d '\r')
  grep -q "errors: 0, replies: $keys\$" <<<"$out" || { echo "run-memory: loading $1 failed: $out" >&2; exit 1; }
  local size; size=$(redis-cli -p "$PORT" dbsize)
  [ "$size" = "$keys" ] || { echo "run-memory: $1 loaded, but DBSIZE is $size, not $keys" >&2; exit 1; }
}

# The demo before sorted sets answers ZADD with "unknown command": skip that dataset, say why.
probe_zadd() {
  local reply; reply=$(redis-cli -p "$PORT" zadd percore:probe 1 m 2>&1 || true)
  redis-cli -p "$PORT" del percore:probe >/dev/null
  if [[ "$reply" == *"unknown command"* ]]; then echo "$reply"; fi
}

START="$(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
echo "== $START, $COMMIT, jar $(basename "$JAR")"
echo "== datasets: $DATASETS; strings $STRINGS, hashes $HASHES x $FIELDS fields, zsets $ZSETS x $FIELDS members, sets $SETS x $FIELDS integers; demo -Xmx$DEMO_HEAP maxmemory $DEMO_MAXMEMORY"
RESULTS="$WORK/results.txt"; : > "$RESULTS"
for d in $DATASETS; do
  keys=$(keys_of "$d")
  start_demo
  if [ "$d" = zsets ] && unknown=$(probe_zadd) && [ -n "$unknown" ]; then
    echo "== skipping zsets: the demo answers \"$unknown\" to ZADD (sorted sets not in this build)"
    stop_server
    continue
  fi
  # a few commands of the dataset's type first, so lazily created state is in the empty figure
  case "$d" in strings) warm=(set percore:warm x) ;; hashes) warm=(hset percore:warm f x) ;; zsets) warm=(zadd percore:warm 1 m) ;; sets) warm=(sadd percore:warm 1) ;; esac
  redis-cli -p "$PORT" "${warm[@]}" >/dev/null; redis-cli -p "$PORT" del percore:warm >/dev/null
  heap0=$(demo_heap); est0=$(info_field "$PORT" memory used_memory)
  load "$d"
  heap1=$(demo_heap); est1=$(info_field "$PORT" memory used_memory)
  # what is left after FLUSHALL is heap the load grew that is not the keys (e.g. a key table
  # that does not shrink): shown, not subtracted
  redis-cli -p "$PORT" flushall >/dev/null
  heap2=$(demo_heap)
  stop_server
  echo "   demo   $d: live heap $heap0 -> $heap1 bytes ($heap2 after FLUSHALL), used_memory $est0 -> $est1"

  start_redis
  red0=$(info_field "$PORT" memory used_memory)
  load "$d"
  red1=$(info_field "$PORT" memory used_memory)
  stop_server
  echo "   redis  $d: used_memory $red0 -> $red1"
  echo "$d $keys $((heap1 - heap0)) $((est1 - est0)) $((red1 - red0))" >> "$RESULTS"
done

echo
echo "== bytes per key (loaded minus empty, / keys); ratio = demo / redis-server $(redis-server --version | awk '{print $3}')"
printf '%-8s %9s %14s %14s %12s %12s %14s\n' dataset keys demo_heap/key demo_est/key redis/key heap/redis estimate/redis
awk '{ printf "%-8s %9d %14.1f %14.1f %12.1f %12.2f %14.2f\n", $1, $2, $3 / $2, $4 / $2, $5 / $2, $3 / $5, $4 / $5 }' "$RESULTS"

# the same figures as a result file (benchmarks/results/README.md); a failure to write it is said, not fatal
END="$(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
RESULT_DIR=${RESULT_DIR:-$ROOT/benchmarks/target/results}
RESULT_FILE="$RESULT_DIR/run-memory-$(tr -d ':-' <<<"${START%%,*}").json"
python3 "$ROOT/benchmarks/peers/memory_result_file.py" "$RESULT_FILE" "$RESULTS" --start "$START" --end "$END" --cpus "$(nproc)" \
  --commit "$COMMIT" --redis "redis-server $(redis-server --version | awk '{print $3}' | sed 's/^v=//')" --jar "$(basename "$JAR")" \
  --fields "$FIELDS" -- "$@" || echo "run-memory: could not write the result file $RESULT_FILE" >&2
