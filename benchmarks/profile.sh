#!/usr/bin/env bash
# A CPU profile (and with EVENTS="cpu alloc" an allocation profile) of the demo service, or of the
# webflux-sample on the shards, under one load, with async-profiler (from Maven Central:
# tools.profiler:async-profiler, linux-x64), attached to the running server only for the measured
# runs, so start-up and warm-up are not in it. Server pinned to SERVER_CPU with one shard as
# run-peers.sh runs it, load on CLIENT_CPU. Writes the collapsed stacks (flame-graph input) and a
# summary (peers/profile-summary.py, peers/profile-categories.py) next to each other; each event is
# its own measured run of the same load on the same warm server.
#
# usage: benchmarks/profile.sh NAME [redis-benchmark arguments]
#   e.g. benchmarks/profile.sh set-get-P16 -t set,get -r 100000 -c 50 -P 16 -n 2000000
#        benchmarks/profile.sh set-get-P1  -t set,get -r 100000 -c 50 -P 1 -n 200000
#        SUBSCRIBERS=100 benchmarks/profile.sh pubsub-100 -c 1 -P 16 -n 100000 PUBLISH ch 0123456789abcdef
#        WRK_PATH=/ benchmarks/profile.sh http-plain              (the demo's HTTP server under wrk)
#        APP=webflux-sample WRK_PATH=/ PIPELINE=16 benchmarks/profile.sh webflux-pipelined16
#   With SUBSCRIBERS set, the load is a PUBLISH run as run-pubsub.sh makes it: before the warm-up
#   and before each profiled run, pubsub_subscribers.py (on CLIENT_CPU) subscribes that many
#   connections to the channel (the next-to-last argument) and checks each gets the -n messages of
#   the payload (the last argument) byte for byte; the run ends when they all have. A request is then
#   a delivered message (-n × SUBSCRIBERS), as run-pubsub.sh counts.
#   With WRK_PATH set, the load is `wrk -t1 -c64 -d WRK_SECONDS` on the server's HTTP port (PIPELINE:
#   requests per write through peers/pipeline.lua), as run-peers.sh and run-webflux.sh make it.
# env:   OUT (directory, default benchmarks/profiles), PERCORE_JAR, SERVER_CPU (1), CLIENT_CPU (0),
#        SERVER_JVM_OPTS (-XX:+UseTransparentHugePages, the demo image's default; set, even empty, it replaces that),
#        EVENT (cpu; falls back to a timer where perf events are not allowed),
#        EVENTS ("$EVENT"; "cpu alloc": also an allocation profile, NAME-alloc.txt, recorded with
#        `total` so the summary gives bytes per request by category, class and site),
#        INTERVAL (200us), ALLOC_INTERVAL (async-profiler's alloc interval in bytes, 256k),
#        PORT (the server's RESP port, or the sample's HTTP port; default: PORT_BASE, else one the kernel
#        picks), PORT_BASE (unset: ports the kernel finds free; set: PORT_BASE..PORT_BASE+2),
#        SHARDS (0: one shard pinned to SERVER_CPU; 2: two shards, overprovisioned, unpinned, as
#        run-pubsub.sh's percore-2), APP (demo; webflux-sample: SAMPLE_JAR on the shards, as
#        run-webflux.sh starts it; webflux-stock: the same jar on Reactor Netty's own server, one event loop,
#        run-webflux.sh's peer), WRK_PATH, PIPELINE, WRK_SECONDS (10), WARMUPS (1: runs of the load
#        before the first profiled one),
#        ASYNC_PROFILER_VERSION (4.2: the last with a linux-x64 jar on Central),
#        RESUMMARIZE (set: only rewrite NAME's summaries from its kept .collapsed files, headers kept),
#        SETUP (a shell command run once before the warm-up with PORT set, e.g. to SCRIPT LOAD what an
#        EVALSHA load calls: SETUP='redis-cli -p $PORT script load "return 1"')
# Every summary starts with the command, the date, the load average, and the bytes the JVM's threads
# allocated per request over the measured cpu run (`jcmd Thread.print -e`: exact, all threads).
set -euo pipefail
NAME=${1:?usage: benchmarks/profile.sh NAME [redis-benchmark arguments]}
shift
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || [ -n "${WRK_PATH:-}" ] || ARGS=(-t set,get -r 100000 -c 50 -P 16 -n 2000000)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/benchmarks/profiles}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS--XX:+UseTransparentHugePages}
EVENT=${EVENT:-cpu}
read -ra EVENTS <<<"${EVENTS:-$EVENT}"
INTERVAL=${INTERVAL:-200us}
ALLOC_INTERVAL=${ALLOC_INTERVAL:-256k}
VERSION=${ASYNC_PROFILER_VERSION:-4.2}
APP=${APP:-demo}
SHARDS=${SHARDS:-0}
WRK_PATH=${WRK_PATH:-}
WRK_SECONDS=${WRK_SECONDS:-10}
summarize() { # stacks event requests: the summary below a profile's header
  if [ "$2" = alloc ]; then
    python3 "$ROOT/benchmarks/peers/profile-categories.py" "$1" alloc "$3" 0 20
  else
    python3 "$ROOT/benchmarks/peers/profile-categories.py" "$1" cpu "$3" "${INTERVAL%us}" 20
    echo
    python3 "$ROOT/benchmarks/peers/profile-summary.py" "$1" 30
  fi
}
if [ -n "${RESUMMARIZE:-}" ]; then # the summaries again from the kept stacks, headers kept (after a change to the summary scripts)
  for stacks in "$OUT/$NAME.collapsed" "$OUT/$NAME-alloc.collapsed"; do
    [ -f "$stacks" ] || continue
    txt=${stacks%.collapsed}.txt
    requests=$(sed -n 3p "$txt" | grep -o '[0-9]* requests;' | cut -d' ' -f1)
    event=cpu; [ "$stacks" = "${stacks%-alloc.collapsed}" ] || event=alloc
    { head -3 "$txt"; summarize "$stacks" "$event" "$requests"; } > "$txt.new" && mv "$txt.new" "$txt"
  done
  exit 0
fi
WORK=$(mktemp -d /tmp/percore-profile.XXXXXX)
PID=
cleanup() {
  [ -z "${SUBS_PID:-}" ] || { kill "$SUBS_PID" 2>/dev/null; wait "$SUBS_PID" 2>/dev/null; } || true
  [ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; } || true; rm -rf "$WORK"; }
trap cleanup EXIT

for tool in redis-benchmark redis-cli taskset java jcmd python3 unzip curl; do
  command -v "$tool" >/dev/null || { echo "profile: '$tool' is required" >&2; exit 2; }
done
[ -z "$WRK_PATH" ] || command -v wrk >/dev/null || { echo "profile: 'wrk' is required" >&2; exit 2; }
LIB=$("$ROOT/benchmarks/peers/async-profiler.sh" "$VERSION" "$WORK")

built_jar() { # module artifact: the module's exec jar, built if missing
  local jar; jar=$(ls "$ROOT/$1"/target/"$2"-*-exec.jar 2>/dev/null | head -1 || true)
  [ -n "$jar" ] || { (cd "$ROOT" && ./mvnw -B -q -pl "$1" -am package -DskipTests); jar=$(ls "$ROOT/$1"/target/"$2"-*-exec.jar | head -1); }
  echo "$jar"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT=${PORT:-${PORT_BASE:-$(free_port)}}
HTTP_PORT=0; MGMT_PORT=0
[ -z "${PORT_BASE:-}" ] || { HTTP_PORT=$((PORT_BASE + 1)); MGMT_PORT=$((PORT_BASE + 2)); }
PIN=(taskset -c "$SERVER_CPU"); ENGINE=(--percore.engine.shards="$SHARDS" --percore.engine.mode=pinned --percore.engine.idle-poll=0s)
[ "$SHARDS" -le 1 ] || { PIN=(); ENGINE=(--percore.engine.shards="$SHARDS" --percore.engine.mode=overprovisioned); }
case "$APP" in
  demo)
    JAR=${PERCORE_JAR:-$(built_jar demo-service percore-demo-service)}
    [ -z "$WRK_PATH" ] || [ "$HTTP_PORT" != 0 ] || HTTP_PORT=$(free_port)
    ${PIN[@]+"${PIN[@]}"} env -u PERCORE_JAR java -Xms256m -Xmx512m ${SERVER_JVM_OPTS:-} -jar "$JAR" \
      --percore.servers.resp.port="$PORT" --percore.servers.http.port="$HTTP_PORT" --management.server.port="$MGMT_PORT" \
      "${ENGINE[@]}" > "$WORK/server.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 240); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
    redis-cli -p "$PORT" ping >/dev/null || { tail -20 "$WORK/server.log" >&2; exit 1; } ;;
  webflux-sample)
    [ -n "$WRK_PATH" ] || { echo "profile: APP=webflux-sample takes a wrk load: set WRK_PATH" >&2; exit 2; }
    JAR=${SAMPLE_JAR:-$(built_jar webflux-sample percore-webflux-sample)}
    HTTP_PORT=$PORT
    ${PIN[@]+"${PIN[@]}"} java -Xms256m -Xmx512m ${SERVER_JVM_OPTS:-} -jar "$JAR" --server.port="$HTTP_PORT" \
      "${ENGINE[@]}" > "$WORK/server.log" 2>&1 &
    PID=$! ;;
  webflux-stock) # the same jar on Spring Boot's own Reactor Netty server, one event loop, as run-webflux.sh's peer
    [ -n "$WRK_PATH" ] || { echo "profile: APP=webflux-stock takes a wrk load: set WRK_PATH" >&2; exit 2; }
    JAR=${SAMPLE_JAR:-$(built_jar webflux-sample percore-webflux-sample)}
    HTTP_PORT=$PORT
    taskset -c "$SERVER_CPU" java -Xms256m -Xmx512m ${SERVER_JVM_OPTS:-} -Dreactor.netty.ioWorkerCount=1 -jar "$JAR" \
      --server.port="$HTTP_PORT" --percore.web.enabled=false --percore.engine.shards=0 \
      --percore.engine.mode=overprovisioned > "$WORK/server.log" 2>&1 &
    PID=$! ;;
  *) echo "profile: unknown APP '$APP' (demo, webflux-sample, webflux-stock)" >&2; exit 2 ;;
esac
if [ -n "$WRK_PATH" ]; then
  URL="http://127.0.0.1:$HTTP_PORT$WRK_PATH"
  for _ in $(seq 1 240); do curl -sf "$URL" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -sf "$URL" >/dev/null || { tail -20 "$WORK/server.log" >&2; exit 1; }
fi
[ -z "${SETUP:-}" ] || PORT=$PORT bash -c "$SETUP" > /dev/null

SUBSCRIBERS=${SUBSCRIBERS:-}
SUBS_PID=
subscribe() { # starts the subscribers of a PUBLISH run and waits until they are subscribed
  [ -n "$SUBSCRIBERS" ] || return 0
  taskset -c "$CLIENT_CPU" python3 "$ROOT/benchmarks/peers/pubsub_subscribers.py" "$PORT" "$SUBSCRIBERS" \
    "${ARGS[${#ARGS[@]} - 2]}" "$(arg -n)" "${ARGS[${#ARGS[@]} - 1]}" 30 > "$WORK/subscribers.out" 2>&1 &
  SUBS_PID=$!
  for _ in $(seq 1 600); do grep -q ready "$WORK/subscribers.out" && return 0; kill -0 "$SUBS_PID" 2>/dev/null || break; sleep 0.1; done
  echo "profile: subscribers did not get ready: $(cat "$WORK/subscribers.out")" >&2; exit 1
}
delivered() { # waits for the subscribers of a PUBLISH run to get every message
  [ -n "$SUBS_PID" ] || return 0
  wait "$SUBS_PID" || { echo "profile: delivery check failed: $(cat "$WORK/subscribers.out")" >&2; exit 1; }
  SUBS_PID=
}
arg() { # option: its value in the redis-benchmark arguments (empty if absent)
  local i; for ((i = 0; i < ${#ARGS[@]} - 1; i++)); do [ "${ARGS[$i]}" = "$1" ] && echo "${ARGS[$((i + 1))]}"; done; return 0
}
LOAD_DESC="redis-benchmark ${ARGS[*]}"
[ -z "$WRK_PATH" ] || LOAD_DESC="wrk -t1 -c64 -d${WRK_SECONDS}s $URL${PIPELINE:+ (pipelined $PIPELINE deep)}"
load() { # one run of the load; prints the requests it made (a delivered message with SUBSCRIBERS)
  if [ -n "$WRK_PATH" ]; then
    local script=(); [ -z "${PIPELINE:-}" ] || script=(-s "$ROOT/benchmarks/peers/pipeline.lua")
    taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" --timeout 30s ${script[@]+"${script[@]}"} "$URL" ${PIPELINE:+-- "$PIPELINE"} > "$WORK/wrk.out" 2>&1
    grep -q "Non-2xx\|Socket errors" "$WORK/wrk.out" && { echo "profile: wrk reported errors: $(cat "$WORK/wrk.out")" >&2; exit 1; }
    grep "Requests/sec" "$WORK/wrk.out" >&2
    awk '/requests in/{print $1}' "$WORK/wrk.out"
  else
    taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -q "${ARGS[@]}" 2>&1 | tr '\r' '\n' | grep "per second" >&2 || true
    local tests; tests=$(arg -t); tests=${tests//[^,]/}
    echo $(( $(arg -n) * (${#tests} + 1) * ${SUBSCRIBERS:-1} ))
  fi
}
allocated() { # bytes the JVM's live threads have allocated so far
  jcmd "$PID" Thread.print -e | grep -o 'allocated=[0-9]*[BKMG]' | awk -F= '
    {v = $2 + 0; u = substr($2, length($2)); s += v * (u == "K" ? 1024 : u == "M" ? 1048576 : u == "G" ? 1073741824 : 1)}
    END {printf "%.0f\n", s}'  # the JVM prints whole K, M or G above 100 of them: within 1 %
}

echo "== warm-up (not profiled): $LOAD_DESC"
for ((i = 0; i < ${WARMUPS:-1}; i++)); do
  subscribe
  load > /dev/null
  delivered
done
mkdir -p "$OUT"
for event in "${EVENTS[@]}"; do
  suffix=; options="event=$event,interval=$INTERVAL"
  [ "$event" = cpu ] || [ "$event" = itimer ] || [ "$event" = wall ] || suffix=-$event
  dump=; [ "$event" != alloc ] || { options="event=alloc,alloc=$ALLOC_INTERVAL"; dump=,total; }  # bytes, not samples
  STACKS="$OUT/$NAME$suffix.collapsed"
  subscribe
  # jcmd reads key=value pairs as its own options: the agent's option string goes in quotes.
  jcmd "$PID" JVMTI.agent_load "$LIB" "\"start,$options,file=$STACKS\"" > /dev/null
  echo "== profiled ($event): $LOAD_DESC"
  before=$(allocated)
  requests=$(load)
  delivered
  after=$(allocated)
  jcmd "$PID" JVMTI.agent_load "$LIB" "\"stop,file=$STACKS$dump\"" > /dev/null
  [ -s "$STACKS" ] || { echo "profile: the profiler wrote nothing; its messages are in the server's output:" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
  {
    echo "# $(env | grep -E '^(APP|SHARDS|SUBSCRIBERS|WRK_PATH|PIPELINE|WRK_SECONDS|WARMUPS|EVENTS)=' | sort | sed -E "s/^([A-Z_]+)=(.*)$/\1='\2'/" | tr '\n' ' ')benchmarks/profile.sh $NAME ${ARGS[*]:-}"
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), async-profiler $VERSION $options, JVM options ${SERVER_JVM_OPTS:-none}, jar $(basename "$JAR") at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "# load: $LOAD_DESC: $requests requests; the JVM's threads allocated $(awk -v b=$((after - before)) -v n="$requests" 'BEGIN{printf "%.1f", b/n}') bytes per request (jcmd Thread.print -e, this $event run, profiler attached)"
    summarize "$STACKS" "$event" "$requests"
  } > "$OUT/$NAME$suffix.txt"
  cat "$OUT/$NAME$suffix.txt"
done
