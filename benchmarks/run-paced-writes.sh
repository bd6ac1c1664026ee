#!/usr/bin/env bash
# A replicated pair's CPU under an application's paced writes: one client writing SET k:i v and WAIT 1 1000 (the
# write acknowledged once the replica has it), one write at a time at RATES writes a second, against a redis-server
# primary and replica and against the demo's (its jar as a pod runs it: overprovisioned, the default shards, a
# single Tomcat on the management port), side by side in each round, the order rotated. What a write costs where the
# load is light and steady (a web app's writes, the real-node suite's writers) rather than saturated (run-peers.sh,
# run-replication.sh's cpu part): each write wakes the server from idle.
#
# Measured per server: utime+stime of the whole process (/proc/PID/stat) over SECONDS of writes at each rate, after
# WARMUP seconds at the highest rate (the JVMs' JIT), and over SECONDS of no writes (what an idle pair costs). The
# figures are percent of one CPU; the client (Python, raw RESP) is not counted. Nothing is pinned: the servers share
# the two CPUs with the client, as pods do.
#
# usage: benchmarks/run-paced-writes.sh [ROUNDS]      (3 rounds of "250 1000": about 6 minutes)
# env:   RATES ("250 1000"), MEASURE_SECONDS (20), WARMUP (15), JAR (demo-service/target/percore-demo-service-0.1.0-SNAPSHOT-exec.jar),
#        PORT (7640: primary PORT, replica PORT+1; the demo's management ports PORT+10 and PORT+11),
#        DEMO_ARGS (added to both demo servers' command lines, e.g. "--percore.engine.shards=1")
set -euo pipefail
caller_pwd=$PWD
cd "$(dirname "$0")/.."
rounds=${1:-3}
rates=${RATES:-250 1000}
seconds=${MEASURE_SECONDS:-20}
warmup=${WARMUP:-15}
jar=${JAR:-demo-service/target/percore-demo-service-0.1.0-SNAPSHOT-exec.jar}
case "$jar" in /*) ;; *) [ -f "$jar" ] || jar="$caller_pwd/$jar" ;; esac
[ -f "$jar" ] || { echo "no demo jar at $jar: ./mvnw -q -pl demo-service -am package -DskipTests" >&2; exit 1; }
port=${PORT:-7640}
read -r -a demo_args <<<"${DEMO_ARGS:-}"
work=$(mktemp -d /tmp/percore-paced.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
clk=$(getconf CLK_TCK)

# ticks of utime+stime; the command name in field 2 may hold spaces ("redis-server *:7640")
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

cat > "$work/writer.py" <<'EOF'
import socket, sys, time
port, rate, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = s.makefile("rb")
def enc(*a):
    return ("*%d\r\n" % len(a) + "".join("$%d\r\n%s\r\n" % (len(str(x)), x) for x in a)).encode()
n = acked = 0; start = time.time(); due = start
while time.time() - start < seconds:
    s.sendall(enc("SET", "k:%d" % n, "v" * 16) + enc("WAIT", 1, 1000))
    f.readline()
    if f.readline().startswith(b":1"):
        acked += 1
    n += 1; due += 1.0 / rate
    wait = due - time.time()
    if wait > 0:
        time.sleep(wait)
if acked < n:
    sys.exit("only %d of %d writes acknowledged by the replica" % (acked, n))
print(n)
EOF

answers() { redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; }
linked() { redis-cli -p "$1" info replication 2>/dev/null | grep -q "master_link_status:up"; }
await() { local what=$1; shift; for _ in $(seq 1 600); do "$@" && return 0; sleep 0.1; done; echo "$what: not within 60 s" >&2; exit 1; }

start_pair() { # kind -> sets primary, replica
  rm -rf "$work/p" "$work/r"; mkdir -p "$work/p" "$work/r"
  if [ "$1" = redis ]; then
    redis-server --port "$port" --save "" --appendonly no --dir "$work/p" > "$work/p.log" 2>&1 & primary=$!
    redis-server --port $((port + 1)) --save "" --appendonly no --dir "$work/r" --replicaof 127.0.0.1 "$port" \
      --repl-diskless-sync-delay 0 > "$work/r.log" 2>&1 & replica=$!
  else
    java -Xmx256m -jar "$jar" --percore.servers.resp.port="$port" --percore.servers.http.port=0 \
      --management.server.port=$((port + 10)) --percore.demo.persistence.dir="$work/p" ${demo_args[@]+"${demo_args[@]}"} \
      > "$work/p.log" 2>&1 & primary=$!
    java -Xmx256m -jar "$jar" --percore.servers.resp.port=$((port + 1)) --percore.servers.http.port=0 \
      --management.server.port=$((port + 11)) --percore.demo.persistence.dir="$work/r" \
      --percore.demo.replication.replicaof="127.0.0.1 $port" --percore.demo.replication.repl-diskless-sync-delay=0 \
      ${demo_args[@]+"${demo_args[@]}"} > "$work/r.log" 2>&1 & replica=$!
  fi
  pids=("$primary" "$replica")
  await "$1 primary answers" answers "$port"
  await "$1 replica linked" linked $((port + 1))
}

stop_pair() { kill "$primary" "$replica" 2>/dev/null || true; wait "$primary" "$replica" 2>/dev/null || true; pids=(); }

percent() { echo "scale=1; 100 * $1 / $clk / $seconds" | bc; }

measure() { # kind rate|idle -> "primary% replica%"
  local p0 r0
  p0=$(ticks "$primary"); r0=$(ticks "$replica")
  if [ "$2" = idle ]; then sleep "$seconds"; else python3 "$work/writer.py" "$port" "$2" "$seconds" > /dev/null; fi
  echo "$(percent $(( $(ticks "$primary") - p0 ))) $(percent $(( $(ticks "$replica") - r0 )))"
}

kinds=(redis percore)
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, jar $(basename "$jar") at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# benchmarks/run-paced-writes.sh $rounds  (RATES='$rates' MEASURE_SECONDS=$seconds WARMUP=$warmup DEMO_ARGS='${DEMO_ARGS:-}'): percent of one CPU"
results="$work/results"
for round in $(seq 1 "$rounds"); do
  order=("${kinds[@]}")
  [ $((round % 2)) = 0 ] && order=("${kinds[1]}" "${kinds[0]}")
  for kind in "${order[@]}"; do
    start_pair "$kind"
    highest=$(tr ' ' '\n' <<<"$rates" | sort -n | tail -1)
    python3 "$work/writer.py" "$port" "$highest" "$warmup" > /dev/null
    for rate in $rates idle; do
      read -r p r <<<"$(measure "$kind" "$rate")"
      echo "$kind $rate $p $r" >> "$results"
      echo "round $round $kind $rate: primary $p %, replica $r %"
    done
    stop_pair
  done
done

echo
printf "%-8s %-6s %-22s %-22s\n" server writes/s "primary % min/med/max" "replica % min/med/max"
for kind in "${kinds[@]}"; do
  for rate in $rates idle; do
    for col in 3 4; do
      awk -v k="$kind" -v r="$rate" -v c="$col" '$1 == k && $2 == r {print $c}' "$results" | sort -n |
        awk '{v[NR] = $1} END {printf "%s/%s/%s\n", v[1], v[int((NR + 1) / 2)], v[NR]}'
    done | paste -sd' ' | awk -v k="$kind" -v r="$rate" '{printf "%-8s %-6s %-22s %-22s\n", k, r, $1, $2}'
  done
done
