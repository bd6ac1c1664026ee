#!/usr/bin/env bash
# How long an append-only file takes to load at start, side by side: one file (written once by the first jar:
# N SETs of SIZE bytes over KEYS keys, 16-deep, no rewrite, so all of it is commands after an empty base) loaded
# by redis-server 7.0 (the reference) and by each jar given, each in a fresh copy of the data directory, one
# shard pinned to SERVER_CPU. Rounds are interleaved, the order rotated every round. The figure is the load
# time each server logs (redis: "DB loaded from append only file: S seconds"; the service: "Loaded the
# append-only file ... in MS ms"), per variant min / median / max, and each jar's median over redis's.
# The key count after the load is checked against the first load's (a load that lost commands fails the run).
#
# usage: benchmarks/run-aof-load.sh ROUNDS JAR [JAR2]   (e.g. a before and an after jar)
# env:   N (2000000), SIZE (64), KEYS (1000000), SERVER_CPU (1), CLIENT_CPU (0)
set -euo pipefail
caller_pwd=$PWD
cd "$(dirname "$0")/.."
rounds=${1:?usage: run-aof-load.sh ROUNDS JAR [JAR2]}
shift
[ $# -ge 1 ] || { echo "usage: run-aof-load.sh ROUNDS JAR [JAR2]" >&2; exit 2; }
jars=()
for j in "$@"; do
  case "$j" in /*) ;; *) j="$caller_pwd/$j" ;; esac
  [ -f "$j" ] || { echo "run-aof-load: no jar $j" >&2; exit 2; }
  jars+=("$(realpath "$j")")
done
n=${N:-2000000}
size=${SIZE:-64}
keys=${KEYS:-1000000}
server_cpu=${SERVER_CPU:-1}
client_cpu=${CLIENT_CPU:-0}
for tool in redis-server redis-benchmark redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-aof-load: '$tool' is required (apt-get install redis-server redis-tools)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/percore-aof-load-XXXX)
pid=
# shellcheck source=lib/processes.sh
source benchmarks/lib/processes.sh
stop_server() { stop_pid "$pid" 90 run-aof-load; pid=; }
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "run-aof-load: $*" >&2; echo "--- last lines of $log:" >&2; tail -n 30 "$log" >&2 || true; exit 1; }

start() { # variant dir: starts it on $port over dir, until PING answers PONG
  local variant=$1 dir=$2
  port=$(free_port)
  log="$work/$variant-$(date +%s%N).log"
  if [ "$variant" = redis ]; then
    taskset -c "$server_cpu" redis-server --port "$port" --bind 127.0.0.1 --daemonize no --save '' --appendonly yes \
      --dir "$dir" --logfile "$log" >/dev/null 2>&1 &
  else
    local jar=${jars[${variant#jar}]} http mgmt
    http=$(free_port); mgmt=$(free_port)
    # shellcheck disable=SC2086
    taskset -c "$server_cpu" env -u PERCORE_JAR -u PERCORE_PERSISTENCE -u PERCORE_DATA_DIR \
      java -Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled -jar "$jar" \
      --percore.servers.resp.port="$port" --percore.servers.http.port="$http" --management.server.port="$mgmt" \
      --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s \
      --percore.demo.persistence.mode=aof --percore.demo.persistence.save= --percore.demo.persistence.auto-aof-rewrite-percentage=0 \
      --percore.demo.persistence.dir="$dir" >"$log" 2>&1 &
  fi
  pid=$!
  local reply=
  for _ in $(seq 1 3000); do
    reply=$(redis-cli -p "$port" ping 2>&1 || true)
    [ "$reply" = PONG ] && break
    alive "$pid" || fail "$variant exited before serving"
    sleep 0.1
  done
  [ "$reply" = PONG ] || fail "$variant does not answer PONG after 300 s (last reply: $reply)"
}

load_ms() { # the load time the server logged, in ms
  if [ "${1}" = redis ]; then
    grep -o 'DB loaded from append only file: [0-9.]* seconds' "$log" | awk '{s += $7} END {printf "%d\n", s * 1000}'
  else
    grep -o 'Loaded the append-only file .* in [0-9]* ms' "$log" | tail -1 | grep -o '[0-9]* ms$' | cut -d' ' -f1
  fi
}

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$rounds n=$n size=$size keys=$keys server_cpu=$server_cpu load: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!jars[@]}"; do echo "jar$i ${jars[$i]}"; done
origin="$work/origin"
mkdir -p "$origin"
start jar0 "$origin"
taskset -c "$client_cpu" redis-benchmark -p "$port" -t set -n "$n" -r "$keys" -d "$size" -c 50 -P 16 -q >/dev/null
expected=$(redis-cli -p "$port" dbsize)
stop_server
echo "the file: $(du -sb "$origin/appendonlydir" | cut -f1) bytes, $(ls "$origin/appendonlydir" | tr '\n' ' '); $expected keys"

variants=(redis)
for i in "${!jars[@]}"; do variants+=("jar$i"); done
declare -A times
for r in $(seq 1 "$rounds"); do
  order=("${variants[@]:r % ${#variants[@]}}" "${variants[@]:0:r % ${#variants[@]}}")
  line="round $r:"
  for v in "${order[@]}"; do
    copy="$work/copy-$v"
    rm -rf "$copy"; cp -r "$origin" "$copy"
    start "$v" "$copy"
    keys_now=$(redis-cli -p "$port" dbsize)
    [ "$keys_now" = "$expected" ] || fail "$v loaded $keys_now keys, expected $expected"
    ms=$(load_ms "$v")
    [ -n "$ms" ] || fail "$v logged no load time"
    stop_server
    rm -rf "$copy"
    times[$v]="${times[$v]:-} $ms"
    line="$line $v=${ms}ms"
  done
  echo "$line"
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { local s; s=$(tr ' ' '\n' | grep -v '^$' | sort -n); echo "$(head -1 <<<"$s") / $(median <<<"$s") / $(tail -1 <<<"$s")"; }
redis_median=$(median <<<"${times[redis]}")
for v in "${variants[@]}"; do
  m=$(median <<<"${times[$v]}")
  printf '%-6s load ms min / median / max: %s   median / redis: %s\n' "$v" "$(spread <<<"${times[$v]}")" \
    "$(python3 -c "print(f'{$m / max($redis_median, 1):.2f}')")"
done
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
