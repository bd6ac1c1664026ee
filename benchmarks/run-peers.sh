#!/usr/bin/env bash
# Percore demo vs its peers on this machine: RESP vs redis-server, HTTP vs nginx, and, through
# run-webflux.sh and run-pubsub.sh, WebFlux on the shards vs Spring Boot's own Reactor Netty server
# and pub/sub fan-out to 100 subscribers vs redis-server: every row of issue 29 in one command.
# Server (one at a time) pinned to CPU 1 with one shard, load generator pinned to CPU 0.
# Reports the server's CPU time per request (utime+stime from /proc/PID/stat) and throughput,
# rounds interleaved, min / median / max of the per-round ratios, then issue 29's table. See
# benchmarks/PEERS.md.
#
# usage: benchmarks/run-peers.sh [rounds]        (default 3; every scenario: ~75 s a round for RESP and
#                                                 HTTP, ~30 s for WebFlux, ~25 s for pub/sub, plus ~4 min
#                                                 of start-up and warm-up; SCENARIOS=issue29: see README)
# env:   SCENARIOS  which scenarios to run, default all. Words, each a scenario name
#                   (resp-lpush-P16, http-plain, webflux-plain, pubsub-100-2shards), a redis-benchmark
#                   test name (set get hset lpush lpop sadd zadd lrange_100: its -P 1 and -P 16
#                   scenarios), a family (resp, http, webflux, pubsub), or issue29 (the scenarios of
#                   issue 29's rows only). e.g. SCENARIOS="lpush lpop lrange_100" benchmarks/run-peers.sh 5
#        webflux-* run benchmarks/run-webflux.sh (SAMPLE_JAR, built if missing), pubsub-* run
#        benchmarks/run-pubsub.sh (MESSAGES), each with this script's rounds, CPUs and SERVER_JVM_OPTS.
#        PERCORE_JAR (default demo-service/target/percore-demo-service-*.jar, built if missing)
#        SERVER_CPU (1) CLIENT_CPU (0) RESP_REQUESTS (100000; -P 1 runs) RESP_PIPELINED_REQUESTS (1000000; -P 16 runs)
#        RESP_LRANGE_REQUESTS (100000; lrange_100 at -P 1 and -P 16: each reply is 100 elements)
#        PORT_BASE (unset: ports the kernel finds free; set: PORT_BASE..PORT_BASE+4 for the RESP and HTTP
#        scenarios, for a machine whose users share out port ranges)
#        WRK_SECONDS (5) WRK_TIMEOUT (2s, wrk's default) SERVER_JVM_OPTS (JVM options for the Percore server; default
#        -XX:+UseTransparentHugePages, the demo image's own default (images/README.md); set, even empty, it replaces that)
#        RESULT_DIR (benchmarks/target/results): where the run's result file goes, run-peers-<UTC start>.json in the
#        format of benchmarks/results/README.md (copy it to benchmarks/results/ to publish it); nothing is printed
# A RESP scenario whose command a server answers with "unknown command" (ZADD before sorted sets)
# is skipped with a message; the others run.
set -euo pipefail

ROUNDS=${1:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
RESP_REQUESTS=${RESP_REQUESTS:-100000}
# Pipelined requests cost ~1 us of CPU each: 100000 of them are ~10 /proc ticks, too coarse (±10 %).
RESP_PIPELINED_REQUESTS=${RESP_PIPELINED_REQUESTS:-1000000}
# LRANGE 0 99 answers 100 elements (~1 KB) and costs ~10x a SET: 100000 of them are enough ticks,
# and 1000000 pipelined would be ~1 GB of replies per run.
RESP_LRANGE_REQUESTS=${RESP_LRANGE_REQUESTS:-100000}
# lrange_100 reads the first 100 elements of a list this long (redis-benchmark's 3-byte values)
LRANGE_LIST_LENGTH=10000
WRK_SECONDS=${WRK_SECONDS:-5}
# wrk's own default; a loaded machine can serve a connection's 16 pipelined requests slower than that,
# and wrk counts a timeout as a socket error, which fails the run
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS--XX:+UseTransparentHugePages}

ALL_SCENARIOS=(resp-set-P1 resp-get-P1 resp-set-P16 resp-get-P16 resp-hset-P1 resp-hset-P16
  resp-lpush-P1 resp-lpush-P16 resp-lpop-P1 resp-lpop-P16 resp-sadd-P1 resp-sadd-P16
  resp-zadd-P1 resp-zadd-P16 resp-lrange_100-P1 resp-lrange_100-P16 http-plain http-pipelined16
  webflux-plain webflux-pipelined16 pubsub-100-1shard pubsub-100-2shards)
# issue 29's rows: "<row>|<scenarios, their CPU summed per round>|<target ratio>"
ISSUE_ROWS=(
  "RESP SET/GET one at a time vs redis-server 7.0|resp-set-P1 resp-get-P1|0.90"
  "RESP SET/GET 16-deep pipelining vs redis-server|resp-set-P16 resp-get-P16|0.80"
  "HTTP keep-alive vs nginx|http-plain|0.90"
  "WebFlux on the shards vs Reactor Netty's server, plain|webflux-plain|0.90"
  "WebFlux on the shards vs Reactor Netty's server, 16-pipelined|webflux-pipelined16|0.90"
  "pub/sub fan-out to 100 subscribers vs redis-server, 1 shard|pubsub-100-1shard|0.90"
  "pub/sub fan-out to 100 subscribers vs redis-server, 2 shards|pubsub-100-2shards|0.90"
  "LRANGE 100 vs redis-server (16-deep pipelining)|resp-lrange_100-P16|0.90"
)
ISSUE29_SCENARIOS=$(printf '%s\n' "${ISSUE_ROWS[@]}" | cut -d'|' -f2 | tr '\n' ' ')
SELECTED=()
for word in ${SCENARIOS:-${ALL_SCENARIOS[*]}}; do
  if [ "$word" = issue29 ]; then
    for s in $ISSUE29_SCENARIOS; do [[ " ${SELECTED[*]} " == *" $s "* ]] || SELECTED+=("$s"); done
    continue
  fi
  matched=0
  for s in "${ALL_SCENARIOS[@]}"; do
    case "$s" in "$word" | "resp-$word-P1" | "resp-$word-P16" | "$word"-*)
      matched=1
      [[ " ${SELECTED[*]} " == *" $s "* ]] || SELECTED+=("$s") ;;
    esac
  done
  [ "$matched" = 1 ] || { echo "run-peers: no scenario '$word' in SCENARIOS; scenarios: ${ALL_SCENARIOS[*]}" >&2; exit 2; }
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-peers.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# nginx and wrk only when an HTTP scenario runs (CI's smoke run measures RESP alone); the demo,
# redis-server and nginx here only for the RESP and HTTP scenarios (run-webflux.sh and
# run-pubsub.sh start their own servers).
selected() { [[ " ${SELECTED[*]}" == *" $1"* ]]; } # scenario prefix
HTTP_SELECTED=0; selected http- && HTTP_SELECTED=1
PEERS_SELECTED=0; { selected resp- || selected http-; } && PEERS_SELECTED=1
TOOLS="redis-server redis-benchmark redis-cli taskset curl java python3"
{ [ "$HTTP_SELECTED" = 1 ] || selected webflux-; } && TOOLS="$TOOLS wrk"
for tool in $TOOLS; do
  command -v "$tool" >/dev/null || { echo "run-peers: '$tool' is required (apt-get install redis-server redis-tools wrk nginx-light util-linux curl)" >&2; exit 2; }
done
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ "$HTTP_SELECTED" = 0 ] || [ -x "$NGINX" ] || { echo "run-peers: nginx not found (apt-get install nginx-light)" >&2; exit 2; }

# the runnable Spring Boot jar: "-exec" if the build attaches it under that classifier, else the main jar
boot_jar() { ls "$ROOT"/demo-service/target/percore-demo-service-*.jar 2>/dev/null | grep -v original | sort -r | awk '/-exec\.jar$/{print; found=1; exit} {first = first ? first : $0} END{if (!found && first) print first}'; }
JAR=${PERCORE_JAR:-$(boot_jar || true)}
if [ -z "$JAR" ] && { [ "$PEERS_SELECTED" = 1 ] || selected pubsub-; }; then
  (cd "$ROOT" && ./mvnw -B -q -pl demo-service -am package -DskipTests)
  JAR=$(boot_jar)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_for() { # command... ; up to 90 s
  for _ in $(seq 1 180); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "run-peers: timed out waiting for: $*; last lines of the server logs:" >&2
  tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
  return 1
}

# ---------------------------------------------------------------- the RESP and HTTP scenarios
port() { if [ -n "${PORT_BASE:-}" ]; then echo $((PORT_BASE + $1)); else free_port; fi; }
start_peer_servers() {
  RESP_PORT=$(port 0); HTTP_PORT=$(port 1); MGMT_PORT=$(port 2)
  REDIS_PORT=$(port 3); NGINX_PORT=$(port 4)

  echo "== starting Percore demo pinned to CPU $SERVER_CPU (taskset), shards=auto"
  # env -u: Spring binds PERCORE_* environment variables to percore.* keys, and the strict config
  # check rejects the unknown percore.jar.
  taskset -c "$SERVER_CPU" env -u PERCORE_JAR java -Xms256m -Xmx512m $SERVER_JVM_OPTS -jar "$JAR" \
    --percore.servers.resp.port="$RESP_PORT" --percore.servers.http.port="$HTTP_PORT" --management.server.port="$MGMT_PORT" \
    --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s \
    > "$WORK/percore.log" 2>&1 &
  PERCORE_PID=$!; PIDS+=("$PERCORE_PID")
  wait_for redis-cli -p "$RESP_PORT" ping
  wait_for curl -sf "http://127.0.0.1:$HTTP_PORT/"
  SHARDS=$(redis-cli -p "$RESP_PORT" info server | tr -d '\r' | awk -F: '$1=="shards"{print $2}')
  [ "$(redis-cli -p "$RESP_PORT" set startcheck ok)" = OK ] && [ "$(redis-cli -p "$RESP_PORT" get startcheck)" = ok ] \
    && [ "$(curl -sf "http://127.0.0.1:$HTTP_PORT/")" = "Hello, World!" ] \
    || { echo "run-peers: Percore does not serve correctly under taskset -c $SERVER_CPU" >&2; exit 1; }
  [ "$SHARDS" = 1 ] || { echo "run-peers: expected 1 shard on one CPU, INFO says '$SHARDS'" >&2; exit 1; }
  echo "   serving under taskset -c $SERVER_CPU with $SHARDS shard (RESP $RESP_PORT, HTTP $HTTP_PORT), JVM options: ${SERVER_JVM_OPTS:-none}"

  echo "== starting redis-server pinned to CPU $SERVER_CPU (persistence off)"
  taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    > "$WORK/redis.log" 2>&1 &
  REDIS_PID=$!; PIDS+=("$REDIS_PID")
  wait_for redis-cli -p "$REDIS_PORT" ping

  if [ "$HTTP_SELECTED" = 1 ]; then
    echo "== starting nginx (1 process) pinned to CPU $SERVER_CPU"
    mkdir -p "$WORK/nginx"
    sed -e "s#@PREFIX@#$WORK/nginx#g" -e "s#@PORT@#$NGINX_PORT#g" "$ROOT/benchmarks/peers/nginx.conf" > "$WORK/nginx/nginx.conf"
    taskset -c "$SERVER_CPU" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" > "$WORK/nginx.log" 2>&1 &
    NGINX_PID=$!; PIDS+=("$NGINX_PID")
    wait_for curl -sf "http://127.0.0.1:$NGINX_PORT/"
  fi
}

# redis-benchmark's output with its progress lines split; a failure shows in the output (the
# callers look for "error"), not as a status that would end the script without a word.
bench() { { taskset -c "$CLIENT_CPU" redis-benchmark "$@" 2>&1 || echo "error: redis-benchmark exited with status $?"; } | tr '\r' '\n'; }
# The list tests need their list in a known state before the measured run (not measured):
# lpush starts from an empty list, lpop from exactly as many elements as it pops (every LPOP
# pops one, none finds an empty list), lrange_100 from LRANGE_LIST_LENGTH elements.
# redis-benchmark's own "-t lrange_100" would measure an LPUSH run first ("LPUSH (needed to
# benchmark LRANGE)") in the same process, so lrange_100 runs LRANGE mylist 0 99 directly,
# the command "-t lrange_100" sends.
prepare_list() { # port elements
  local out len
  redis-cli -p "$1" del mylist >/dev/null
  if [ "$2" -gt 0 ]; then
    out=$(bench -p "$1" -t lpush -c 50 -P 16 -n "$2" -q)
    if grep -qi "error" <<<"$out"; then echo "run-peers: redis-benchmark reported errors filling mylist: $out" >&2; exit 1; fi
  fi
  len=$(redis-cli -p "$1" llen mylist)
  [ "$len" = "$2" ] || { echo "run-peers: expected mylist with $2 elements before the run, LLEN says '$len'" >&2; exit 1; }
}
# Each run prints "<requests> <cpu_us_per_request> <requests_per_second>".
resp_run() { # pid port test pipeline
  local before after out n title cmd
  if [ "$3" = lrange_100 ]; then n=$RESP_LRANGE_REQUESTS; elif [ "$4" = 1 ]; then n=$RESP_REQUESTS; else n=$RESP_PIPELINED_REQUESTS; fi
  case "$3" in
    lpush) prepare_list "$2" 0 ;;
    lpop) prepare_list "$2" "$n" ;;
    lrange_100) prepare_list "$2" "$LRANGE_LIST_LENGTH" ;;
  esac
  if [ "$3" = lrange_100 ]; then cmd=(LRANGE mylist 0 99); title="LRANGE mylist 0 99"; else cmd=(-t "$3"); title=${3^^}; fi
  before=$(cpu_ticks "$1")
  out=$(bench -p "$2" -r 100000 -c 50 -P "$4" -n "$n" -q "${cmd[@]}")
  after=$(cpu_ticks "$1")
  if grep -qi "error" <<<"$out"; then echo "run-peers: redis-benchmark reported errors: $out" >&2; exit 1; fi
  # the final line of a test: "<title>: <rps> requests per second, p50=..."
  rps=$(grep -F "$title: " <<<"$out" | grep ' requests per second' | tail -1 | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
  [ -n "$rps" ] || { echo "run-peers: no '$title: ... requests per second' line from redis-benchmark: $out" >&2; exit 1; }
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" -v r="$rps" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, r}'
}
http_run() { # pid url pipelined(0|1)
  local before after out n rps
  before=$(cpu_ticks "$1")
  if [ "$3" = 1 ]; then
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" --timeout "$WRK_TIMEOUT" -s "$ROOT/benchmarks/peers/pipeline.lua" "$2" -- 16 2>&1)
  else
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" --timeout "$WRK_TIMEOUT" "$2" 2>&1)
  fi
  after=$(cpu_ticks "$1")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "run-peers: wrk reported errors: $out" >&2; exit 1; fi
  n=$(awk '/requests in/{print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" -v r="$rps" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, r}'
}

# A server that does not know a scenario's command (the demo before sorted sets: ZADD) skips
# that scenario instead of failing the whole run.
probe_command() { # test key -> the command redis-benchmark's test sends, on a probe key
  case "$1" in
    set) echo "set $2 x" ;; get) echo "get $2" ;; hset) echo "hset $2 f x" ;; lpush) echo "lpush $2 x" ;;
    lpop) echo "lpop $2" ;; sadd) echo "sadd $2 x" ;; zadd) echo "zadd $2 0 x" ;; lrange_100) echo "lrange $2 0 99" ;;
    *) echo "run-peers: no probe for test '$1'" >&2; exit 2 ;;
  esac
}
run_scenario() { # scenario server -> "scenario server requests us rps"
  local s=$1 who=$2 pid port url
  case "$s" in
    resp-*)
      if [ "$who" = percore ]; then pid=$PERCORE_PID; port=$RESP_PORT; else pid=$REDIS_PID; port=$REDIS_PORT; fi
      IFS=- read -r _ test p <<<"$s"; resp_run "$pid" "$port" "$test" "${p#P}" ;;
    http-*)
      if [ "$who" = percore ]; then pid=$PERCORE_PID; url="http://127.0.0.1:$HTTP_PORT/"; else pid=$NGINX_PID; url="http://127.0.0.1:$NGINX_PORT/"; fi
      http_run "$pid" "$url" "$([ "$s" = http-plain ] && echo 0 || echo 1)" ;;
  esac
}
measure_peer_scenarios() {
  SCENARIOS_RUN=()
  SKIPPED_TESTS=" "
  for s in "${SELECTED[@]}"; do
    [[ "$s" == resp-* || "$s" == http-* ]] || continue
    if [[ "$s" == resp-* ]]; then
      IFS=- read -r _ test _ <<<"$s"
      if [[ "$SKIPPED_TESTS" == *" $test "* ]]; then continue; fi
      for target in "Percore:$RESP_PORT" "redis-server:$REDIS_PORT"; do
        reply=$(redis-cli -p "${target#*:}" $(probe_command "$test" "percore:probe:$test") 2>&1 || true)
        redis-cli -p "${target#*:}" del "percore:probe:$test" >/dev/null
        if [[ "$reply" == *"unknown command"* ]]; then
          echo "== skipping resp-$test-P1 and resp-$test-P16: ${target%%:*} answers \"$reply\" to ${test^^} (not in this build)"
          SKIPPED_TESTS+="$test "
          break
        fi
      done
      if [[ "$SKIPPED_TESTS" == *" $test "* ]]; then continue; fi
    fi
    SCENARIOS_RUN+=("$s")
  done
  [ "${#SCENARIOS_RUN[@]}" -gt 0 ] || { echo "run-peers: nothing left to run" >&2; exit 1; }

  echo "== warm-up (JIT) — not measured"
  resp_run "$PERCORE_PID" "$RESP_PORT" set 16 >/dev/null
  resp_run "$PERCORE_PID" "$RESP_PORT" get 1 >/dev/null
  warmed=" set get "
  for s in "${SCENARIOS_RUN[@]}"; do
    if [[ "$s" == resp-* ]]; then
      IFS=- read -r _ test _ <<<"$s"
      if [[ "$warmed" != *" $test "* ]]; then resp_run "$PERCORE_PID" "$RESP_PORT" "$test" 16 >/dev/null; warmed+="$test "; fi
    fi
  done
  if [[ " ${SCENARIOS_RUN[*]}" == *" http-"* ]]; then
    http_run "$PERCORE_PID" "http://127.0.0.1:$HTTP_PORT/" 1 >/dev/null
    http_run "$PERCORE_PID" "http://127.0.0.1:$HTTP_PORT/" 0 >/dev/null
  fi

  phase_start
  echo "== $PHASE_START, load average $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds of: ${SCENARIOS_RUN[*]}"
  for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS"
    for s in "${SCENARIOS_RUN[@]}"; do
      # alternate which server goes first, so drift on the shared machine hits both alike
      if [ $((round % 2)) = 1 ]; then order="peer percore"; else order="percore peer"; fi
      for who in $order; do
        line=$(run_scenario "$s" "$who")
        echo "$round $s $who $line" | tee -a "$RESULTS"
      done
    done
  done
  echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  phase_end "${SCENARIOS_RUN[@]}"
}

# ---------------------------------------------------------------- WebFlux and pub/sub
# run-webflux.sh and run-pubsub.sh measure these rows with their own servers (one phase each,
# rounds interleaved inside it); their per-run lines are read into RESULTS as this script's own.
# A script that fails costs its rows only (their completed rounds still count): the report names
# it and the script exits 1 at the end.
FAILED=()
webflux_scenarios() { local s; for s in "${SELECTED[@]}"; do if [[ "$s" == webflux-* ]]; then echo "${s#webflux-}"; fi; done; }
measure_webflux() {
  local wanted; wanted=$(webflux_scenarios | tr '\n' ' ')
  [ -n "$wanted" ] || return 0
  echo "== WebFlux: benchmarks/run-webflux.sh $ROUNDS (WEBFLUX_SCENARIOS=\"${wanted% }\")"
  phase_start
  if ! WEBFLUX_SCENARIOS="${wanted% }" SERVER_JVM_OPTS="$SERVER_JVM_OPTS" SERVER_CPU="$SERVER_CPU" CLIENT_CPU="$CLIENT_CPU" \
    WRK_SECONDS="$WRK_SECONDS" WRK_TIMEOUT="$WRK_TIMEOUT" "$ROOT/benchmarks/run-webflux.sh" "$ROUNDS" | tee "$WORK/webflux.out"; then
    FAILED+=("run-webflux.sh failed (its output above): $wanted")
  fi
  # "<round> <plain|pipelined16> <shards|stock> <requests> <us> <rps> <p99>"
  awk 'NF == 7 && $1 ~ /^[0-9]+$/ && ($3 == "shards" || $3 == "stock") {
         print $1, "webflux-" $2, ($3 == "shards" ? "percore" : "peer"), $4, $5, $6 }' "$WORK/webflux.out" >> "$RESULTS"
  phase_end $(webflux_scenarios | sed 's/^/webflux-/')
}
measure_pubsub() {
  local configs="" ran=()
  selected pubsub-100-1shard && { configs+=" percore-1"; ran+=(pubsub-100-1shard); }
  selected pubsub-100-2shards && { configs+=" percore-2"; ran+=(pubsub-100-2shards); }
  [ -n "$configs" ] || return 0
  echo "== pub/sub: benchmarks/run-pubsub.sh $ROUNDS (CONFIGS=\"redis$configs\", 100 subscribers)"
  phase_start
  if ! CONFIGS="redis$configs" SUBSCRIBERS=100 PERCORE_JAR="$JAR" SERVER_JVM_OPTS="$SERVER_JVM_OPTS" SERVER_CPU="$SERVER_CPU" \
    CLIENT_CPU="$CLIENT_CPU" "$ROOT/benchmarks/run-pubsub.sh" "$ROUNDS" | tee "$WORK/pubsub.out"; then
    FAILED+=("run-pubsub.sh failed (its output above): ${ran[*]}")
  fi
  # "<round> <redis|percore-1|percore-2> <us per delivery> <deliveries/s> <publish/s> <connections per shard>":
  # redis-server is the peer of both rows
  awk -v rows="${ran[*]}" 'BEGIN { n = split(rows, r, " ") }
       NF == 6 && $1 ~ /^[0-9]+$/ && $2 ~ /^(redis|percore-1|percore-2)$/ {
         for (i = 1; i <= n; i++) {
           mine = r[i] == "pubsub-100-1shard" ? "percore-1" : "percore-2"
           if ($2 == mine) print $1, r[i], "percore", "-", $3, $4
           else if ($2 == "redis") print $1, r[i], "peer", "-", $3, $4
         } }' "$WORK/pubsub.out" >> "$RESULTS"
  phase_end "${ran[@]}"
}

# When each scenario ran: "<scenario> <start> <end> <load at start> <load at end>" (UTC, 1-minute load)
WHEN="$WORK/when.txt"; : > "$WHEN"
phase_start() { PHASE_START=$(date -u +%Y-%m-%dT%H:%M:%SZ); PHASE_LOAD=$(cut -d' ' -f1 /proc/loadavg); }
phase_end() { # scenarios
  local end load s; end=$(date -u +%Y-%m-%dT%H:%M:%SZ); load=$(cut -d' ' -f1 /proc/loadavg)
  for s in "$@"; do echo "$s $PHASE_START $end $PHASE_LOAD $load" >> "$WHEN"; done
}
stop_peer_servers() { # the next phases start their own servers on SERVER_CPU
  local pid
  for pid in "$PERCORE_PID" "$REDIS_PID" ${NGINX_PID:-}; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

RESULTS="$WORK/results.txt"; : > "$RESULTS"
COMMAND_START="$(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== run-peers.sh $ROUNDS, $COMMAND_START, $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), scenarios: ${SELECTED[*]}"
if [ "$PEERS_SELECTED" = 1 ]; then
  start_peer_servers
  measure_peer_scenarios
  stop_peer_servers
fi
measure_webflux
measure_pubsub
COMMAND_END="$(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
echo
echo "== summary over $ROUNDS rounds: medians of the server's CPU µs per request (pub/sub: per delivered message)"
echo "   and rate (requests/s; pub/sub: deliveries/s); ratio = Percore / peer per round, min / median / max"
awk -f "$ROOT/benchmarks/peers/summary.awk" "$WHEN" <(printf '%s\n' "${ISSUE_ROWS[@]}") "$RESULTS"
echo "(peers: redis-server $(redis-server --version | awk '{print $3}') for resp-* and pubsub-*$([ "$HTTP_SELECTED" = 1 ] && echo ", nginx $("$NGINX" -v 2>&1 | awk -F/ '{print $2}') for http-*")$(selected webflux- && echo ", Spring Boot's Reactor Netty server (one event loop) for webflux-*");"
echo " Percore: one pinned shard on CPU $SERVER_CPU$(selected pubsub-100-2shards && echo ", pubsub-100-2shards two unpinned overprovisioned shards"); load on CPU $CLIENT_CPU;"
echo " JVM options: ${SERVER_JVM_OPTS:-none (Netty's and Spring Boot's defaults)})"
echo "== started $COMMAND_START; ended $COMMAND_END"
# the same figures as a result file (benchmarks/results/README.md); a failure to write it is said, not fatal
RESULT_DIR=${RESULT_DIR:-$ROOT/benchmarks/target/results}
RESULT_FILE="$RESULT_DIR/run-peers-$(tr -d ':-' <<<"${COMMAND_START%%,*}").json"
python3 "$ROOT/benchmarks/peers/result_file.py" "$RESULT_FILE" "$WHEN" <(printf '%s\n' "${ISSUE_ROWS[@]}") "$RESULTS" \
  --start "$COMMAND_START" --end "$COMMAND_END" --cpus "$(nproc)" --commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
  --redis "redis-server $(redis-server --version | awk '{print $3}' | sed 's/^v=//')" \
  --nginx "nginx$([ "$HTTP_SELECTED" = 1 ] && echo " $("$NGINX" -v 2>&1 | awk -F/ '{print $2}')")" \
  --peers "Percore: one pinned shard on CPU $SERVER_CPU$(selected pubsub-100-2shards && echo ", pubsub-100-2shards two unpinned overprovisioned shards"); load on CPU $CLIENT_CPU; JVM options: ${SERVER_JVM_OPTS:-none (Netty's and Spring Boot's defaults)}." \
  "${FAILED[@]/#/--failed=}" -- "$@" \
  || echo "run-peers: could not write the result file $RESULT_FILE" >&2
if [ "${#FAILED[@]}" -gt 0 ]; then
  printf '== not measured in full: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
