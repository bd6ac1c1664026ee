#!/usr/bin/env bash
# redis-server profiled under the same load as profile.sh profiles the demo: pinned to SERVER_CPU, the load
# (redis-benchmark) on CLIENT_CPU, sampled at the same interval, written as the same collapsed stacks and summary
# (peers/profile-summary.py: kernel share, top frames), so the two servers' kernel and user parts compare sample for
# sample. redis-server has no JVM to attach to, so the sampler is `perf record -e cpu-clock` on its process for
# the measured run only; perf's stacks are folded into async-profiler's format (kernel frames marked `_[k]`).
# Why this exists: the kernel's own user/system split (/proc/PID/stat, run-user-sys.sh) is taken by tick, from the
# mode each tick finds the process in, and on 2026-12-05 it put the demo's user time above redis-server's where
# both servers' sampled stacks put it below (benchmarks/PEERS.md, measurement 47).
#
# usage: benchmarks/profile-peer.sh NAME [redis-benchmark arguments]
#   e.g. benchmarks/profile-peer.sh redis-p1 -t set,get -r 100000 -c 50 -P 1 -n 300000
# env:   OUT (directory, default benchmarks/profiles), SERVER_CPU (1), CLIENT_CPU (0), INTERVAL (200us: a number of
#        microseconds, as profile.sh's), WARMUPS (1), PORT (a free one), REDIS_SERVER (redis-server)
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
for tool in "$REDIS_SERVER" redis-benchmark redis-cli taskset perf python3; do
  command -v "$tool" >/dev/null || { echo "profile-peer: '$tool' is required" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/percore-profile-peer.XXXXXX)
PID=
cleanup() { [ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; } || true; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}
taskset -c "$SERVER_CPU" "$REDIS_SERVER" --port "$PORT" --save "" --appendonly no > "$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 40); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.25; done
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
tests=$(arg -t); tests=${tests//[^,]/}
requests=$(( $(arg -n) * (${#tests} + 1) ))
mkdir -p "$OUT"
STACKS="$OUT/$NAME.collapsed"
# perf script prints a sample's frames innermost first, one per line, and a blank line after it.
perf script -i "$WORK/perf.data" -F ip,sym,dso 2>/dev/null | awk '
  NF == 0 { if (n) { s = f[n]; for (i = n - 1; i >= 1; i--) s = s ";" f[i]; c[s]++ } n = 0; next }
  { sym = $2; if (sym == "" || sym ~ /^\(/) sym = "[unknown]"; if ($0 ~ /kernel\.kallsyms/) sym = sym "_[k]"; f[++n] = sym }
  END { if (n) { s = f[n]; for (i = n - 1; i >= 1; i--) s = s ";" f[i]; c[s]++ } for (s in c) print s, c[s] }' > "$STACKS"
[ -s "$STACKS" ] || { echo "profile-peer: perf recorded nothing: $(cat "$WORK/perf.log")" >&2; exit 1; }
{
  echo "# $(env | grep -E '^(WARMUPS|INTERVAL)=' | sort | tr '\n' ' ')benchmarks/profile-peer.sh $NAME ${ARGS[*]}"
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), perf record -e cpu-clock every ${INTERVAL_US} us, $("$REDIS_SERVER" --version | cut -d' ' -f1-3)"
  echo "# load: redis-benchmark ${ARGS[*]}: $requests requests"
  awk -v n="$requests" -v us="$INTERVAL_US" '{t += $NF; if ($0 ~ /_\[k\] [0-9]+$/) k += $NF}
    END {printf "%d samples of %d us over %d requests = %.3f us per request: kernel (innermost frame a kernel one) %.3f us, user space %.3f us\n",
         t, us, n, t * us / n, k * us / n, (t - k) * us / n}' "$STACKS"
  echo
  python3 "$ROOT/benchmarks/peers/profile-summary.py" "$STACKS" 30
} > "$OUT/$NAME.txt"
cat "$OUT/$NAME.txt"
