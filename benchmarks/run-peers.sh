#!/usr/bin/env bash
# Percore demo vs its peers on this machine: RESP vs redis-server, HTTP vs nginx.
# Server (one at a time) pinned to CPU 1 with one shard, load generator pinned to CPU 0.
# Reports the server's CPU time per request (utime+stime from /proc/PID/stat) and throughput,
# rounds interleaved, median of the per-round ratios. See benchmarks/PEERS.md.
#
# usage: benchmarks/run-peers.sh [rounds]        (default 3; about 4-6 minutes)
# env:   PERCORE_JAR (default demo-service/target/percore-demo-service-*.jar, built if missing)
#        SERVER_CPU (1) CLIENT_CPU (0) RESP_REQUESTS (100000; -P 1 runs) RESP_PIPELINED_REQUESTS (1000000; -P 16 runs)
#        WRK_SECONDS (5) SERVER_JVM_OPTS (extra JVM options for the Percore server, e.g.
#        -Dio.netty.leakDetection.level=disabled as a production deployment would set; default none)
set -euo pipefail

ROUNDS=${1:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
RESP_REQUESTS=${RESP_REQUESTS:-100000}
# Pipelined requests cost ~1 us of CPU each: 100000 of them are ~10 /proc ticks, too coarse (±10 %).
RESP_PIPELINED_REQUESTS=${RESP_PIPELINED_REQUESTS:-1000000}
WRK_SECONDS=${WRK_SECONDS:-5}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:-}
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

for tool in redis-server redis-benchmark redis-cli wrk taskset curl java; do
  command -v "$tool" >/dev/null || { echo "run-peers: '$tool' is required (apt-get install redis-server redis-tools wrk nginx-light util-linux curl)" >&2; exit 2; }
done
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || { echo "run-peers: nginx not found (apt-get install nginx-light)" >&2; exit 2; }

# the runnable Spring Boot jar: "-exec" if the build attaches it under that classifier, else the main jar
boot_jar() { ls "$ROOT"/demo-service/target/percore-demo-service-*.jar 2>/dev/null | grep -v original | sort -r | awk '/-exec\.jar$/{print; found=1; exit} {first = first ? first : $0} END{if (!found && first) print first}'; }
JAR=${PERCORE_JAR:-$(boot_jar || true)}
if [ -z "$JAR" ]; then
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

# ---------------------------------------------------------------- start the servers
RESP_PORT=$(free_port); HTTP_PORT=$(free_port); MGMT_PORT=$(free_port)
REDIS_PORT=$(free_port); NGINX_PORT=$(free_port)

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

echo "== starting nginx (1 process) pinned to CPU $SERVER_CPU"
mkdir -p "$WORK/nginx"
sed -e "s#@PREFIX@#$WORK/nginx#g" -e "s#@PORT@#$NGINX_PORT#g" "$ROOT/benchmarks/peers/nginx.conf" > "$WORK/nginx/nginx.conf"
taskset -c "$SERVER_CPU" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" > "$WORK/nginx.log" 2>&1 &
NGINX_PID=$!; PIDS+=("$NGINX_PID")
wait_for curl -sf "http://127.0.0.1:$NGINX_PORT/"

# ---------------------------------------------------------------- load runs
# Each run prints "<requests> <cpu_us_per_request> <requests_per_second>".
resp_run() { # pid port test pipeline
  local before after out n
  if [ "$4" = 1 ]; then n=$RESP_REQUESTS; else n=$RESP_PIPELINED_REQUESTS; fi
  before=$(cpu_ticks "$1")
  out=$(taskset -c "$CLIENT_CPU" redis-benchmark -p "$2" -t "$3" -r 100000 -c 50 -P "$4" -n "$n" -q 2>&1 | tr '\r' '\n')
  after=$(cpu_ticks "$1")
  if grep -qi "error" <<<"$out"; then echo "run-peers: redis-benchmark reported errors: $out" >&2; exit 1; fi
  rps=$(grep -E '^[A-Z]+: [0-9.]+ requests per second' <<<"$out" | tail -1 | awk '{print $2}')
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" -v r="$rps" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, r}'
}
http_run() { # pid url pipelined(0|1)
  local before after out n rps
  before=$(cpu_ticks "$1")
  if [ "$3" = 1 ]; then
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" -s "$ROOT/benchmarks/peers/pipeline.lua" "$2" -- 16 2>&1)
  else
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" "$2" 2>&1)
  fi
  after=$(cpu_ticks "$1")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "run-peers: wrk reported errors: $out" >&2; exit 1; fi
  n=$(awk '/requests in/{print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" -v r="$rps" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, r}'
}

echo "== warm-up (JIT) — not measured"
resp_run "$PERCORE_PID" "$RESP_PORT" set 16 >/dev/null
resp_run "$PERCORE_PID" "$RESP_PORT" get 1 >/dev/null
http_run "$PERCORE_PID" "http://127.0.0.1:$HTTP_PORT/" 1 >/dev/null
http_run "$PERCORE_PID" "http://127.0.0.1:$HTTP_PORT/" 0 >/dev/null

SCENARIOS=("resp-set-P1" "resp-get-P1" "resp-set-P16" "resp-get-P16" "resp-hset-P1" "resp-hset-P16" "http-plain" "http-pipelined16")
RESULTS="$WORK/results.txt"; : > "$RESULTS"
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

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round/$ROUNDS"
  for s in "${SCENARIOS[@]}"; do
    # alternate which server goes first, so drift on the shared machine hits both alike
    if [ $((round % 2)) = 1 ]; then order="peer percore"; else order="percore peer"; fi
    for who in $order; do
      line=$(run_scenario "$s" "$who")
      echo "$round $s $who $line" | tee -a "$RESULTS"
    done
  done
done

# ---------------------------------------------------------------- report
echo
echo "== summary: median over $ROUNDS rounds (CPU us/request of the server; ratio = Percore / peer, target <= 1.0)"
printf '%-18s %12s %12s %14s %16s %12s %12s %14s\n' scenario "percore_us" "peer_us" "ratio(median)" "ratio(min-max)" "percore_rps" "peer_rps" "rps_ratio"
for s in "${SCENARIOS[@]}"; do
  awk -v s="$s" '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                       return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $2 == s && $3 == "percore" { pu[$1] = $5; pr[$1] = $6 }
    $2 == s && $3 == "peer"    { qu[$1] = $5; qr[$1] = $6 }
    END {
      n = 0
      for (r in pu) if (r in qu) { n++; ratio[n] = pu[r] / qu[r]; rr[n] = pr[r] / qr[r]; a[n] = pu[r]; b[n] = qu[r]; c[n] = pr[r]; d[n] = qr[r] }
      lo = ratio[1]; hi = ratio[1]; for (i = 2; i <= n; i++) { if (ratio[i] < lo) lo = ratio[i]; if (ratio[i] > hi) hi = ratio[i] }
      printf "%-18s %12.2f %12.2f %14.2f %16s %12.0f %12.0f %14.2f\n", s, median(a, n), median(b, n), median(ratio, n), sprintf("%.2f-%.2f", lo, hi), median(c, n), median(d, n), median(rr, n)
    }' "$RESULTS"
done
echo "(peer = redis-server $(redis-server --version | awk '{print $3}') for resp-*, nginx $("$NGINX" -v 2>&1 | awk -F/ '{print $2}') for http-*)"
