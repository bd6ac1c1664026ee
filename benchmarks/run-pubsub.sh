#!/usr/bin/env bash
# Pub/sub fan-out: 1 publisher -> SUBSCRIBERS subscribers of one channel, the Percore demo against
# redis-server, rounds interleaved. Three servers, started once, measured one at a time:
#   redis      redis-server pinned to SERVER_CPU (persistence off)
#   percore-1  the demo as run-peers.sh runs it: pinned to SERVER_CPU, 1 shard, mode=pinned, idle-poll=0s
#   percore-2  the demo unpinned: no taskset, 2 shards, mode=overprovisioned (shards sleep when idle),
#              subscribers spread over both shards by SO_REUSEPORT, every PUBLISH crosses to the
#              other shard; it shares CLIENT_CPU with the load generator, so compare its CPU per
#              delivery, not its rate, and not as a like-for-like peer of a one-CPU redis-server
# Each run: pubsub_subscribers.py (pinned to CLIENT_CPU) opens SUBSCRIBERS connections and
# subscribes them; PUBSUB NUMSUB must say SUBSCRIBERS; then redis-benchmark (pinned to CLIENT_CPU)
# sends MESSAGES x "PUBLISH ch <PAYLOAD>" on 1 connection, 16 pipelined, and the run ends when every
# subscriber has received every message, checked byte for byte (a lost, duplicated or cut message
# fails the run). Figures: the server's CPU (utime+stime from /proc/PID/stat, all threads) per
# delivered message = ticks / (MESSAGES x SUBSCRIBERS); deliveries per second = MESSAGES x
# SUBSCRIBERS / (last byte at the last subscriber - publisher start). Summary: median over rounds,
# and the per-round ratio percore-N / redis as min / median / max.
#
# usage: benchmarks/run-pubsub.sh [rounds]         (default 3; ~25 s a round, plus ~40 s start and warm-up)
# env:   SUBSCRIBERS (100) MESSAGES (100000) PAYLOAD (16 bytes: 0123456789abcdef; no spaces)
#        CONFIGS ("redis percore-1 percore-2") PERCORE_JAR SERVER_CPU (1) CLIENT_CPU (0)
#        SERVER_JVM_OPTS (JVM options for the demo, as run-peers.sh: default -XX:+UseTransparentHugePages, the demo image's own)
#        PORT_BASE (the servers listen on PORT_BASE.. PORT_BASE+8; default: ports the kernel picks)
# MESSAGES x the message frame (48 bytes with the default payload: 4.8 MB) is the most a
# subscriber can fall behind; keep it under 8 MB, Redis's (and the demo's) pubsub output buffer
# soft limit, or a subscriber slower than the publisher is disconnected and the run fails.
set -euo pipefail

ROUNDS=${1:-3}
SUBSCRIBERS=${SUBSCRIBERS:-100}
MESSAGES=${MESSAGES:-100000}
PAYLOAD=${PAYLOAD:-0123456789abcdef}
CONFIGS=${CONFIGS:-redis percore-1 percore-2}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS--XX:+UseTransparentHugePages}
PORT_BASE=${PORT_BASE:-}
CHANNEL=ch
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-pubsub.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in redis-server redis-benchmark redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-pubsub: '$tool' is required (apt-get install redis-server redis-tools util-linux)" >&2; exit 2; }
done
for c in $CONFIGS; do
  case "$c" in redis | percore-1 | percore-2) ;; *) echo "run-pubsub: unknown config '$c' (redis percore-1 percore-2)" >&2; exit 2 ;; esac
done
[[ "$PAYLOAD" =~ ^[^[:space:]]+$ ]] || { echo "run-pubsub: PAYLOAD must be one word" >&2; exit 2; }

boot_jar() { ls "$ROOT"/demo-service/target/percore-demo-service-*.jar 2>/dev/null | grep -v original | sort -r | awk '/-exec\.jar$/{print; found=1; exit} {first = first ? first : $0} END{if (!found && first) print first}'; }
JAR=${PERCORE_JAR:-$(boot_jar || true)}
if [ -z "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl demo-service -am package -DskipTests)
  JAR=$(boot_jar)
fi

free_port() { # the next port from PORT_BASE when set (a range of 9 the caller owns), else one the kernel picks
  if [ -n "$PORT_BASE" ]; then
    local n; n=$(cat "$WORK/next-port" 2>/dev/null || echo "$PORT_BASE"); echo $((n + 1)) > "$WORK/next-port"; echo "$n"
  else
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  fi
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_for() { # pid command... ; up to 180 s (a JVM starting on a loaded machine), or until pid exits
  local pid=$1; shift
  for _ in $(seq 1 360); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "run-pubsub: no answer to: $*; last lines of the server logs:" >&2
  tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
  return 1
}
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }

# ---------------------------------------------------------------- start the servers
declare -A PID PORT
start_demo() { # config shards pin(0|1)
  local port; port=$(free_port)
  local pin=(); [ "$3" = 1 ] && pin=(taskset -c "$SERVER_CPU")
  local mode=(--percore.engine.mode=overprovisioned); [ "$3" = 1 ] && mode=(--percore.engine.mode=pinned --percore.engine.idle-poll=0s)
  # env -u: Spring binds PERCORE_* environment variables to percore.* keys (see run-peers.sh)
  "${pin[@]}" env -u PERCORE_JAR java -Xms256m -Xmx512m $SERVER_JVM_OPTS -jar "$JAR" \
    --percore.servers.resp.port="$port" --percore.servers.http.port="$(free_port)" --management.server.port="$(free_port)" \
    --percore.engine.shards="$2" "${mode[@]}" > "$WORK/$1.log" 2>&1 &
  PID[$1]=$!; PORT[$1]=$port; PIDS+=("$!")
  wait_for "$!" redis-cli -p "$port" ping
  local shards; shards=$(info_field "$port" server shards)
  [ "$shards" = "$2" ] || { echo "run-pubsub: $1 should have $2 shards, INFO says '$shards'" >&2; exit 1; }
  echo "   $1: pid ${PID[$1]}, RESP $port, $shards shard(s), ${pin[*]:-not pinned}, ${mode[*]}"
}
for c in $CONFIGS; do
  case "$c" in
    redis)
      PORT[redis]=$(free_port)
      taskset -c "$SERVER_CPU" redis-server --port "${PORT[redis]}" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        > "$WORK/redis.log" 2>&1 &
      PID[redis]=$!; PIDS+=("$!")
      wait_for "$!" redis-cli -p "${PORT[redis]}" ping
      echo "   redis: pid ${PID[redis]}, port ${PORT[redis]}, taskset -c $SERVER_CPU" ;;
    percore-1) start_demo percore-1 1 1 ;;
    percore-2) start_demo percore-2 2 0 ;;
  esac
done

# ---------------------------------------------------------------- one run
# prints "<cpu_us_per_delivery> <deliveries_per_second> <publish_rps> <subscribers per shard>"
pubsub_run() { # config
  local pid=${PID[$1]} port=${PORT[$1]} subs_out="$WORK/subscribers.out" sp before after t0 out rps numsub split
  taskset -c "$CLIENT_CPU" python3 "$ROOT/benchmarks/peers/pubsub_subscribers.py" "$port" "$SUBSCRIBERS" "$CHANNEL" "$MESSAGES" "$PAYLOAD" 30 \
    > "$subs_out" 2>&1 &
  sp=$!
  for _ in $(seq 1 600); do grep -q ready "$subs_out" && break; kill -0 "$sp" 2>/dev/null || break; sleep 0.1; done
  grep -q ready "$subs_out" || { echo "run-pubsub: subscribers did not get ready on $1: $(cat "$subs_out")" >&2; kill "$sp" 2>/dev/null; exit 1; }
  numsub=$(redis-cli -p "$port" pubsub numsub "$CHANNEL" | sed -n 2p)
  [ "$numsub" = "$SUBSCRIBERS" ] || { echo "run-pubsub: PUBSUB NUMSUB $CHANNEL on $1 says '$numsub', not $SUBSCRIBERS" >&2; kill "$sp"; exit 1; }
  # connections per shard (the demo's INFO clients; this INFO's own connection included)
  split=$(redis-cli -p "$port" info clients | tr -d '\r' | awk -F'[:=,]' '/^shard_[0-9]+:connected_clients=/ {s = s (s ? "+" : "") $3} END {print s ? s : "-"}')
  before=$(cpu_ticks "$pid")
  t0=$(date +%s.%N)
  out=$({ taskset -c "$CLIENT_CPU" redis-benchmark -p "$port" -c 1 -P 16 -n "$MESSAGES" -q PUBLISH "$CHANNEL" "$PAYLOAD" 2>&1 \
    || echo "error: redis-benchmark exited with status $?"; } | tr '\r' '\n')
  if ! wait "$sp"; then echo "run-pubsub: delivery check failed on $1: $(cat "$subs_out")" >&2; exit 1; fi
  after=$(cpu_ticks "$pid")
  if grep -qi "error" <<<"$out"; then echo "run-pubsub: redis-benchmark reported errors: $out" >&2; exit 1; fi
  rps=$(grep -F "PUBLISH $CHANNEL $PAYLOAD: " <<<"$out" | grep ' requests per second' | tail -1 | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
  [ -n "$rps" ] || { echo "run-pubsub: no rate line from redis-benchmark: $out" >&2; exit 1; }
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n=$((MESSAGES * SUBSCRIBERS)) -v t0="$t0" -v r="$rps" -v s="$split" \
    '/^delivered / { printf "%.4f %.0f %.0f %s\n", t * 1e6 / hz / n, n / ($6 - t0), r, s }' "$subs_out"
}

echo "== warm-up (JIT) — not measured"
for c in $CONFIGS; do if [[ "$c" == percore-* ]]; then pubsub_run "$c" >/dev/null; fi; done

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), jar $(basename "$JAR")"
echo "== $ROUNDS rounds; $SUBSCRIBERS subscribers, $MESSAGES messages of ${#PAYLOAD} bytes, publisher -c 1 -P 16"
echo "round config cpu_us_per_delivery deliveries_per_s publish_rps connections_per_shard"
RESULTS="$WORK/results.txt"; : > "$RESULTS"
read -ra ORDER <<<"$CONFIGS"
for round in $(seq 1 "$ROUNDS"); do
  # reverse the order every other round, so drift on the shared machine hits every config alike
  if [ $((round % 2)) = 1 ]; then order=("${ORDER[@]}"); else order=(); for ((i = ${#ORDER[@]} - 1; i >= 0; i--)); do order+=("${ORDER[$i]}"); done; fi
  for c in "${order[@]}"; do
    line=$(pubsub_run "$c")
    echo "$round $c $line" | tee -a "$RESULTS"
  done
done
echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
echo
echo "== summary: median over $ROUNDS rounds; ratio = config / redis per round, min / median / max"
printf '%-10s %14s %16s %14s %22s\n' config "us/delivery" "deliveries/s" "publish/s" "cpu ratio vs redis"
for c in $CONFIGS; do
  awk -v c="$c" '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                       return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $2 == c       { n++; u[n] = $3; d[n] = $4; p[n] = $5; mine[$1] = $3 }
    $2 == "redis" { ref[$1] = $3 }
    END {
      m = 0; for (r in mine) if (r in ref) { m++; q[m] = mine[r] / ref[r] }
      ratio = "-"
      if (m > 0 && c != "redis") {
        lo = q[1]; hi = q[1]; for (i = 2; i <= m; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
        ratio = sprintf("%.2f / %.2f / %.2f", lo, median(q, m), hi)
      }
      printf "%-10s %14.4f %16.0f %14.0f %22s\n", c, median(u, n), median(d, n), median(p, n), ratio
    }' "$RESULTS"
done
echo "(redis = redis-server $(redis-server --version | awk '{print $3}'); percore-1 pinned to CPU $SERVER_CPU, 1 shard; percore-2 unpinned, 2 shards, overprovisioned)"
