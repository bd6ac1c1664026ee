#!/usr/bin/env bash
# Server CPU per RESP request, redis-server and one or more builds of the demo side by side, for a change whose size is
# about the spread between runs on this machine. Unlike run-user-sys.sh and run-resp-ab.sh, which start every server
# again in each round, each server here starts once (all pinned to CPU 1, one shard, pinned mode, idle-poll 0; the ones
# not measured sit idle) and is warmed up, then the servers take turns run by run: a round is one redis-benchmark run
# (CPU 0, -c 50 -r 100000, SET then GET) against each. So a round takes seconds, not minutes, and what the host does in
# a minute falls on every server of a round alike: the per-round ratios are the figures to read (2026-12-06: 8 rounds
# one at a time in 4 minutes, where run-user-sys.sh took 6 minutes a round; PEERS.md, measurement 50).
#
# The figure is utime + stime of the server's process (/proc/PID/stat, all threads) over the run, divided by the
# requests: exact to the 10 ms tick it is counted in. The summary gives the ratios of the sum, then of each half: a
# change in user space (the JVM's work, or a page walk on its data) shows in utime, where the kernel's share of a
# request, which the host's other guests move by tens of percent from round to round here, does not drown it.
#
# usage: benchmarks/run-resp-alternating.sh ROUNDS JAR[@JVM-OPTIONS]...
#        JVM-OPTIONS comma-separated, e.g. demo.jar@-Dio.percore.iouring.receiveRing=false
# env:   PIPELINE (1), REQUESTS (200000 a run), WARMUPS (unmeasured turns of every server first: 5, and 15 when pipelined,
#        where after 5 the demo's figure still fell through the first rounds: PEERS.md, measurement 56),
#        PORT (7700: redis-server's; the demo builds take PORT+10, PORT+20, ... and the two ports after each)
#        DEMO_JVM_OPTS (-XX:+UseTransparentHugePages, the demo image's own default (images/README.md): every build gets
#        them before its own, so a build's -XX:-UseTransparentHugePages turns it off; set, even empty, it replaces that)
set -euo pipefail

ROUNDS=${1:?usage: run-resp-alternating.sh ROUNDS JAR[@JVM-OPTIONS]...}
shift
[ "$#" -ge 1 ] || { echo "name at least one jar" >&2; exit 2; }
PIPELINE=${PIPELINE:-1}
REQUESTS=${REQUESTS:-200000}
WARMUPS=${WARMUPS:-$([ "$PIPELINE" -gt 1 ] && echo 15 || echo 5)}
PORT=${PORT:-7700}
read -r -a DEMO_OPTS <<<"${DEMO_JVM_OPTS--XX:+UseTransparentHugePages}"
for tool in redis-server redis-benchmark redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

NAMES=(redis-server)
PORTS=("$PORT")
taskset -c 1 redis-server --port "$PORT" --save '' --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
i=0
for spec in "$@"; do
  i=$((i + 1))
  jar=${spec%%@*}
  opts=()
  if [ "$spec" != "$jar" ]; then IFS=',' read -r -a opts <<<"${spec#*@}"; fi
  [ -f "$jar" ] || { echo "no such jar: $jar" >&2; exit 2; }
  port=$((PORT + 10 * i))
  taskset -c 1 env -u PERCORE_JAR java -Xms256m -Xmx512m ${DEMO_OPTS[@]+"${DEMO_OPTS[@]}"} ${opts[@]+"${opts[@]}"} -jar "$jar" \
    --percore.servers.resp.port="$port" --percore.servers.http.port=$((port + 1)) --management.server.port=$((port + 2)) \
    --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s >"$WORK/demo-$i.log" 2>&1 &
  PIDS+=($!)
  NAMES+=("$i:$(basename "$jar" .jar)${opts[0]:+@${spec#*@}}")
  PORTS+=("$port")
done
for k in "${!PORTS[@]}"; do
  for _ in $(seq 240); do redis-cli -p "${PORTS[$k]}" ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -p "${PORTS[$k]}" ping >/dev/null 2>&1 || { echo "${NAMES[$k]} did not answer on ${PORTS[$k]}" >&2; cat "$WORK"/*.log >&2; exit 1; }
done

run() { taskset -c 0 redis-benchmark -p "$1" -t set,get -r 100000 -c 50 -P "$PIPELINE" -n "$REQUESTS" -q >/dev/null 2>&1; }
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }

for _ in $(seq "$WARMUPS"); do for k in "${!PORTS[@]}"; do run "${PORTS[$k]}"; done; done

echo "# $(date -u +%FT%TZ) rounds=$ROUNDS pipeline=$PIPELINE requests=$REQUESTS (SET + GET a run) load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# server CPU µs a request (utime + stime), a round's servers in this order: ${NAMES[*]}"
echo "# every build's JVM options before its own: ${DEMO_OPTS[*]:-none}"
for r in $(seq "$ROUNDS"); do
  line="$r"
  split=""
  for k in "${!PORTS[@]}"; do
    read -r ua sa <<<"$(ticks "${PIDS[$k]}")"
    run "${PORTS[$k]}"
    read -r ub sb <<<"$(ticks "${PIDS[$k]}")"
    line="$line $(( (ub - ua + sb - sa) * 10000 ))"
    split="$split $(( (ub - ua) * 10000 )) $(( (sb - sa) * 10000 ))"
  done
  echo "$r$split" >>"$WORK/split"
  echo "round $line" | awk -v n=$((2 * REQUESTS)) '{printf "%s %s", $1, $2; for (i = 3; i <= NF; i++) printf " %.2f", $i / n; print ""}'
done
echo "# ended $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$WORK/split" "$((2 * REQUESTS))" "${NAMES[@]}" <<'EOF'
import statistics, sys
# per round and server: user ticks, kernel ticks
split = [[float(x) for x in line.split()[1:]] for line in open(sys.argv[1])]
requests = int(sys.argv[2])
names = sys.argv[3:]
parts = {"utime + stime": lambda r, k: r[2 * k] + r[2 * k + 1],
         "user space only (utime)": lambda r, k: r[2 * k],
         "kernel only (stime)": lambda r, k: r[2 * k + 1]}
def spread(values):
    return "%.2f / %.2f / %.2f" % (min(values), statistics.median(values), max(values))
for part, of in parts.items():
    rows = [[of(r, k) for k in range(len(names))] for r in split]
    if part != "utime + stime":
        print("%s, median µs a request: %s" % (part, " ".join("%s %.2f" % (n, statistics.median(r[k] for r in rows) / requests)
                                                             for k, n in enumerate(names))))
    print("per-round ratio of %s, min / median / max:" % part)
    for k in range(1, len(names)):
        print("  %-40s / redis-server  %s" % (names[k], spread([r[k] / r[0] for r in rows if r[0] > 0])))
    for k in range(2, len(names)):
        below = sum(1 for r in rows if r[k] < r[1])
        print("  %-40s / %s  %s  (below it in %d of %d rounds)" % (names[k], names[1], spread([r[k] / r[1] for r in rows if r[1] > 0]), below, len(rows)))
EOF
