#!/usr/bin/env bash
# redis-server profiled under the same load as profile.sh profiles the demo: pinned to SERVER_CPU, the load
# (redis-benchmark) on CLIENT_CPU, sampled at the same interval, written as the same collapsed stacks and summary
# (peers/profile-summary.py: kernel share, top frames), so the two servers' kernel and user parts compare sample for
# sample. redis-server has no JVM to attach to, so the sampler is `perf record -e cpu-clock` on its process for
# the measured run only; perf's stacks are folded into async-profiler's format (kernel frames marked `_[k]`).
# Why this exists: the kernel's own user/system split (/proc/PID/stat, run-user-sys.sh) is taken by tick, from the
# mode each tick finds the process in, so it is an estimate; the samplers must be compared too.
#
# APP=demo samples the demo with the same perf instead (started as profile.sh starts it: one pinned shard), so that
# both servers are measured by one sampler: async-profiler in the JVM and perf on redis-server put a request's
# kernel and user parts in different places (PEERS.md, measurement 48: async-profiler gave the demo 0.7 us of user
# space one request at a time, perf on both gives it about 1.6 against redis-server's 1.4). After the measured run
# `jcmd Compiler.perfmap` writes the JIT's symbols for perf, and the summary names each thread's part (the JIT's
# compiler threads still at work show there: give WARMUPS enough runs).
#
# usage: [APP=demo] benchmarks/profile-peer.sh NAME [redis-benchmark arguments]
#   e.g. benchmarks/profile-peer.sh redis-p1 -t set,get -r 100000 -c 50 -P 1 -n 300000
#        APP=demo WARMUPS=8 benchmarks/profile-peer.sh demo-p1 -t set,get -r 100000 -c 50 -P 1 -n 300000
# env:   OUT (directory, default benchmarks/profiles), SERVER_CPU (1), CLIENT_CPU (0), INTERVAL (200us: a number of
#        microseconds, as profile.sh's), WARMUPS (1), PORT (a free one), REDIS_SERVER (redis-server),
#        APP (redis; demo), PERCORE_JAR and SERVER_JVM_OPTS (APP=demo, as profile.sh's)
set -euo pipefail
NAME=${1:?usage: benchmarks/profile-peer.sh NAME [redis-benchmark arguments]}
shift
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(-t set,get -r 100000 -c 50 -P 16 -n 2000000)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/benchmarks/profiles}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
INTERVAL=${INTERVAL:-200us}
INTERVAL_US=${INTERVAL%us}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
APP=${APP:-redis}
case "$APP" in redis) SERVER=$REDIS_SERVER ;; demo) SERVER=java ;; *) echo "profile-peer: APP is redis or demo" >&2; exit 2 ;; esac
for tool in "$SERVER" redis-benchmark redis-cli taskset perf python3; do
  command -v "$tool" >/dev/null || { echo "profile-peer: '$tool' is required" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/percore-profile-peer.XXXXXX)
PID=
cleanup() {
  [ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -f "/tmp/perf-$PID.map"; } || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}
if [ "$APP" = demo ]; then
  JAR=${PERCORE_JAR:-$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar 2>/dev/null | head -1 || true)}
  [ -n "$JAR" ] || { echo "profile-peer: no demo jar: build it (./mvnw -pl demo-service -am package -DskipTests) or set PERCORE_JAR" >&2; exit 2; }
  taskset -c "$SERVER_CPU" env -u PERCORE_JAR java -Xms256m -Xmx512m ${SERVER_JVM_OPTS:-} -jar "$JAR" \
    --percore.servers.resp.port="$PORT" --percore.servers.http.port=0 --management.server.port=0 \
    --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s > "$WORK/server.log" 2>&1 &
  PID=$!
  SERVER_NAME="the demo ($(basename "$JAR"))"
else
  taskset -c "$SERVER_CPU" "$REDIS_SERVER" --port "$PORT" --save "" --appendonly no > "$WORK/server.log" 2>&1 &
  PID=$!
  SERVER_NAME=$("$REDIS_SERVER" --version | cut -d' ' -f1-3)
fi
for _ in $(seq 1 240); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.25; done
redis-cli -p "$PORT" ping >/dev/null || { tail -5 "$WORK/server.log" >&2; exit 1; }
arg() { local i; for ((i = 0; i < ${#ARGS[@]} - 1; i++)); do [ "${ARGS[$i]}" = "$1" ] && echo "${ARGS[$((i + 1))]}"; done; return 0; }
load() {
  taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -q "${ARGS[@]}" 2>&1 | tr '\r' '\n' | grep "per second" >&2 || true
}
echo "== warm-up (not profiled): redis-benchmark ${ARGS[*]}"
for ((i = 0; i < ${WARMUPS:-1}; i++)); do load; done
echo "== profiled: redis-benchmark ${ARGS[*]}"
perf record -q -e cpu-clock -c $((INTERVAL_US * 1000)) -g -p "$PID" -o "$WORK/perf.data" > "$WORK/perf.log" 2>&1 &
PERF=$!
sleep 0.5 # perf attached before the load starts
load
kill -INT "$PERF"; wait "$PERF" || true
[ "$APP" != demo ] || jcmd "$PID" Compiler.perfmap > "$WORK/perfmap.log" 2>&1 || { cat "$WORK/perfmap.log" >&2; exit 1; }
tests=$(arg -t); tests=${tests//[^,]/}
requests=$(( $(arg -n) * (${#tests} + 1) ))
mkdir -p "$OUT"
STACKS="$OUT/$NAME.collapsed"
# perf script prints a sample's thread on a line of its own, then its frames innermost first, one per line, then a
# blank line. The thread becomes the stack's root (a thread's name has no spaces here: they become underscores).
perf script -i "$WORK/perf.data" -F comm,ip,sym,dso 2>/dev/null | awk '
  function emit() { if (n) { s = "thread:" t; for (i = n; i >= 1; i--) s = s ";" f[i]; c[s]++ } n = 0; t = "" }
  NF == 0 { emit(); next }
  t == "" && n == 0 && $0 !~ /^[ \t]/ { t = $0; gsub(/[ \t]+$/, "", t); gsub(/[ \t;]+/, "_", t); next }
  { sym = $2; for (i = 3; i < NF; i++) sym = sym " " $i
    if (sym == "" || sym ~ /^\(/) sym = "[unknown]"; if ($0 ~ /kernel\.kallsyms/) sym = sym "_[k]"; f[++n] = sym }
  END { emit(); for (s in c) print s, c[s] }' > "$STACKS"
[ -s "$STACKS" ] || { echo "profile-peer: perf recorded nothing: $(cat "$WORK/perf.log")" >&2; exit 1; }
{
  echo "# $(env | grep -E '^(WARMUPS|INTERVAL)=' | sort | tr '\n' ' ')benchmarks/profile-peer.sh $NAME ${ARGS[*]}"
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), perf record -e cpu-clock every ${INTERVAL_US} us, $SERVER_NAME"
  echo "# load: redis-benchmark ${ARGS[*]}: $requests requests"
  awk -v n="$requests" -v us="$INTERVAL_US" '{t += $NF; if ($0 ~ /_\[k\] [0-9]+$/) k += $NF}
    END {printf "%d samples of %d us over %d requests = %.3f us per request: kernel (innermost frame a kernel one) %.3f us, user space %.3f us\n",
         t, us, n, t * us / n, k * us / n, (t - k) * us / n}' "$STACKS"
  echo
  echo "by thread (us per request: all, of which kernel):"
  awk -v n="$requests" -v us="$INTERVAL_US" '{split($1, f, ";"); th = substr(f[1], 8); a[th] += $NF; if ($0 ~ /_\[k\] [0-9]+$/) k[th] += $NF}
    END {for (th in a) printf "  %8.3f %8.3f  %s\n", a[th] * us / n, k[th] * us / n, th}' "$STACKS" | sort -rn | head -12
  echo
  python3 "$ROOT/benchmarks/peers/profile-summary.py" "$STACKS" 30 --no-parts
} > "$OUT/$NAME.txt"
cat "$OUT/$NAME.txt"
