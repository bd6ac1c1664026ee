#!/usr/bin/env bash
# Servers already running (started as run-webflux.sh starts them, e.g. the sample of two builds on
# the shards and Spring Boot's own server, each pinned to CPU 1), measured side by side: rounds
# interleaved (the order reverses every round), wrk -t1 -c64 on CLIENT_CPU, server CPU µs per
# request (utime+stime from /proc ÷ requests). Prints each run, then per scenario the median
# µs per request of each server and min/median/max of its per-round ratio to the first server.
#
# With THREADS=1 each run also prints where the server's CPU went by thread (threads of the same name
# summed: the serving thread, the JIT's, the VM's), in µs per request: a difference in the totals that
# a profile of the serving thread does not show is then found in the others.
#
# usage: benchmarks/webflux/ab-servers.sh ROUNDS NAME:PID:PORT...
# env:   SCENARIOS ("plain pipelined16"; also "json"), WRK_SECONDS (5), CLIENT_CPU (0), THREADS (unset)
set -euo pipefail
ROUNDS=$1; shift
SCENARIOS=${SCENARIOS:-plain pipelined16}; WRK_SECONDS=${WRK_SECONDS:-5}; CLIENT_CPU=${CLIENT_CPU:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HZ=$(getconf CLK_TCK)
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS" "$RESULTS".threads-*' EXIT
thread_ticks() { # pid: "<thread name> <utime+stime ticks>" per name, threads of one name summed
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' _ < "$t/comm")" "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) load: $(cut -d' ' -f1-3 /proc/loadavg) servers: $*"
echo "round scenario server cpu_us_per_request requests"
for round in $(seq 1 "$ROUNDS"); do
  servers=("$@")
  [ $((round % 2)) = 0 ] && mapfile -t servers < <(printf '%s\n' "$@" | tac)
  for scenario in $SCENARIOS; do
    for server in "${servers[@]}"; do
      IFS=: read -r name pid port <<<"$server"
      before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      [ -n "${THREADS:-}" ] && thread_ticks "$pid" > "$RESULTS.threads-before"
      case "$scenario" in
        pipelined16) out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" -s "$ROOT/benchmarks/peers/pipeline.lua" "http://127.0.0.1:$port/" -- 16) ;;
        json) out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" "http://127.0.0.1:$port/json") ;;
        *) out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${WRK_SECONDS}s" "http://127.0.0.1:$port/") ;;
      esac
      after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      n=$(awk '/requests in/{print $1}' <<<"$out")
      [ -n "${THREADS:-}" ] && thread_ticks "$pid" > "$RESULTS.threads-after"
      echo "$round $scenario $name $(awk -v t=$((after - before)) -v hz="$HZ" -v n="$n" 'BEGIN{printf "%.2f", t * 1e6 / hz / n}') $n" | tee -a "$RESULTS"
      if [ -n "${THREADS:-}" ]; then
        join "$RESULTS.threads-before" "$RESULTS.threads-after" | awk -v hz="$HZ" -v n="$n" \
          '$3 > $2 { printf "    %-24s %8.3f us/request\n", $1, ($3 - $2) * 1e6 / hz / n }'
      fi
    done
  done
done
python3 - "$RESULTS" "$@" <<'PY'
import collections, statistics, sys
names = [a.split(':')[0] for a in sys.argv[2:]]
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    rnd, scenario, name, us, _ = line.split()
    runs[(scenario, rnd)][name] = float(us)
for scenario in dict.fromkeys(k[0] for k in runs):
    rounds = [v for k, v in runs.items() if k[0] == scenario]
    line = f'{scenario:12s}' + ''.join(f' {n} {statistics.median(r[n] for r in rounds):.2f} us' for n in names)
    for n in names[1:]:
        q = sorted(r[n] / r[names[0]] for r in rounds)
        line += f' | {n}/{names[0]} {q[0]:.2f}/{statistics.median(q):.2f}/{q[-1]:.2f}'
    print(line)
PY
