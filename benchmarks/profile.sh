#!/usr/bin/env bash
# A CPU profile of the demo service under one redis-benchmark load, with async-profiler (from
# Maven Central: tools.profiler:async-profiler, linux-x64), attached to the running server only
# for the measured run, so start-up and warm-up are not in it. Server pinned to SERVER_CPU with one
# shard as run-peers.sh runs it, load on CLIENT_CPU. Writes the collapsed stacks (flame-graph
# input) and a summary (benchmarks/peers/profile-summary.py) next to each other.
#
# usage: benchmarks/profile.sh NAME [redis-benchmark arguments]
#   e.g. benchmarks/profile.sh set-get-P16 -t set,get -r 100000 -c 50 -P 16 -n 2000000
#        benchmarks/profile.sh set-get-P1  -t set,get -r 100000 -c 50 -P 1 -n 200000
#        SUBSCRIBERS=100 benchmarks/profile.sh pubsub-100 -c 1 -P 16 -n 100000 PUBLISH ch 0123456789abcdef
#   With SUBSCRIBERS set, the load is a PUBLISH run as run-pubsub.sh makes it: before the warm-up
#   and before the profiled run, pubsub_subscribers.py (on CLIENT_CPU) subscribes that many
#   connections to the channel (the next-to-last argument) and checks each gets the -n messages of
#   the payload (the last argument) byte for byte; the run ends when they all have.
# env:   OUT (directory, default benchmarks/profiles), PERCORE_JAR, SERVER_CPU (1), CLIENT_CPU (0),
#        SERVER_JVM_OPTS, EVENT (cpu; falls back to a timer where perf events are not allowed),
#        INTERVAL (200us), PORT (the server's RESP port; default: PORT_BASE, else one the kernel picks),
#        PORT_BASE (unset: ports the kernel finds free; set: PORT_BASE..PORT_BASE+2),
#        ASYNC_PROFILER_VERSION (4.2: the last with a linux-x64 jar on Central),
#        SETUP (a shell command run once before the warm-up with PORT set, e.g. to SCRIPT LOAD what an
#        EVALSHA load calls: SETUP='redis-cli -p $PORT script load "return 1"')
set -euo pipefail
NAME=${1:?usage: benchmarks/profile.sh NAME [redis-benchmark arguments]}
shift
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(-t set,get -r 100000 -c 50 -P 16 -n 2000000)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/benchmarks/profiles}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
EVENT=${EVENT:-cpu}
INTERVAL=${INTERVAL:-200us}
VERSION=${ASYNC_PROFILER_VERSION:-4.2}
WORK=$(mktemp -d /tmp/percore-profile.XXXXXX)
PID=
cleanup() {
  [ -z "${SUBS_PID:-}" ] || { kill "$SUBS_PID" 2>/dev/null; wait "$SUBS_PID" 2>/dev/null; } || true
  [ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; } || true; rm -rf "$WORK"; }
trap cleanup EXIT

for tool in redis-benchmark redis-cli taskset java jcmd python3 unzip; do
  command -v "$tool" >/dev/null || { echo "profile: '$tool' is required" >&2; exit 2; }
done
(cd "$ROOT" && ./mvnw -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$VERSION:jar:linux-x64" \
  -DoutputDirectory="$WORK" -Dmdep.useBaseVersion=true)
unzip -q -o "$WORK"/async-profiler-*.jar -d "$WORK/ap"
LIB=$(find "$WORK/ap" -name libasyncProfiler.so | head -1)
[ -n "$LIB" ] || { echo "profile: no libasyncProfiler.so in the async-profiler jar" >&2; exit 1; }

JAR=${PERCORE_JAR:-$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar 2>/dev/null | head -1 || true)}
[ -n "$JAR" ] || { (cd "$ROOT" && ./mvnw -B -q -pl demo-service -am package -DskipTests); JAR=$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar | head -1); }
PORT=${PORT:-${PORT_BASE:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}}
HTTP_PORT=0; MGMT_PORT=0
[ -z "${PORT_BASE:-}" ] || { HTTP_PORT=$((PORT_BASE + 1)); MGMT_PORT=$((PORT_BASE + 2)); }
taskset -c "$SERVER_CPU" env -u PERCORE_JAR java -Xms256m -Xmx512m ${SERVER_JVM_OPTS:-} -jar "$JAR" \
  --percore.servers.resp.port="$PORT" --percore.servers.http.port="$HTTP_PORT" --management.server.port="$MGMT_PORT" \
  --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s > "$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 180); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
redis-cli -p "$PORT" ping >/dev/null || { tail -20 "$WORK/server.log" >&2; exit 1; }
[ -z "${SETUP:-}" ] || PORT=$PORT bash -c "$SETUP" > /dev/null

SUBSCRIBERS=${SUBSCRIBERS:-}
SUBS_PID=
subscribe() { # starts the subscribers of a PUBLISH run and waits until they are subscribed
  [ -n "$SUBSCRIBERS" ] || return 0
  local n=0 i
  for ((i = 0; i < ${#ARGS[@]} - 1; i++)); do [ "${ARGS[$i]}" = -n ] && n=${ARGS[$((i + 1))]}; done
  taskset -c "$CLIENT_CPU" python3 "$ROOT/benchmarks/peers/pubsub_subscribers.py" "$PORT" "$SUBSCRIBERS" \
    "${ARGS[${#ARGS[@]} - 2]}" "$n" "${ARGS[${#ARGS[@]} - 1]}" 30 > "$WORK/subscribers.out" 2>&1 &
  SUBS_PID=$!
  for _ in $(seq 1 600); do grep -q ready "$WORK/subscribers.out" && return 0; kill -0 "$SUBS_PID" 2>/dev/null || break; sleep 0.1; done
  echo "profile: subscribers did not get ready: $(cat "$WORK/subscribers.out")" >&2; exit 1
}
delivered() { # waits for the subscribers of a PUBLISH run to get every message
  [ -n "$SUBS_PID" ] || return 0
  wait "$SUBS_PID" || { echo "profile: delivery check failed: $(cat "$WORK/subscribers.out")" >&2; exit 1; }
  SUBS_PID=
}

echo "== warm-up (not profiled): redis-benchmark ${ARGS[*]}"
subscribe
taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -q "${ARGS[@]}" > /dev/null 2>&1
delivered
subscribe
mkdir -p "$OUT"
STACKS="$OUT/$NAME.collapsed"
# jcmd reads key=value pairs as its own options: the agent's option string goes in quotes.
jcmd "$PID" JVMTI.agent_load "$LIB" "\"start,event=$EVENT,interval=$INTERVAL,file=$STACKS\"" > /dev/null
echo "== profiled: redis-benchmark ${ARGS[*]}"
taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -q "${ARGS[@]}" 2>&1 | tr '\r' '\n' | grep "per second" || true
delivered
jcmd "$PID" JVMTI.agent_load "$LIB" "\"stop,file=$STACKS\"" > /dev/null
[ -s "$STACKS" ] || { echo "profile: the profiler wrote nothing; its messages are in the server's output:" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
{
  echo "# ${SUBSCRIBERS:+SUBSCRIBERS=$SUBSCRIBERS }benchmarks/profile.sh $NAME ${ARGS[*]}"
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), async-profiler $VERSION event=$EVENT interval=$INTERVAL, jar $(basename "$JAR") at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
  python3 "$ROOT/benchmarks/peers/profile-summary.py" "$STACKS" 30
} > "$OUT/$NAME.txt"
cat "$OUT/$NAME.txt"
