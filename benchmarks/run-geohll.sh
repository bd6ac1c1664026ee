#!/usr/bin/env bash
# Geospatial and HyperLogLog commands: the Percore demo vs redis-server on this machine (issue 30).
# Server (one at a time) pinned to CPU 1 with one shard, redis-benchmark pinned to CPU 0.
# Reports the server's CPU time per request (utime+stime from /proc/PID/stat) and throughput,
# rounds interleaved (which server goes first alternates), min / median / max of the per-round ratios.
#
# usage: benchmarks/run-geohll.sh [rounds]     (default 3; ~1 min a round, plus ~2 min start, fill and warm-up, ~3 min of bounds)
# env:   PERCORE_JAR (default demo-service/target/percore-demo-service-*-exec.jar, built if missing)
#        SERVER_CPU (1) CLIENT_CPU (0)
#
# Scenarios (redis-benchmark -c 50; __rand_int__ is a fresh 12-digit number at each place it appears):
#   geoadd-P16     GEOADD geo:add 1.<rand> 2.<rand> m:<rand>      1,000,000 requests, 16 deep, -r 1000000
#   geosearch-P1   GEOSEARCH geo:100k FROMLONLAT 2.<rand> 48.<rand> BYRADIUS 100 km
#                  over 100,000 points spread evenly on 20 x 16 degrees around Paris (about 1,100 members
#                  in each reply), 5,000 requests one at a time
#   pfadd-P16      PFADD pf:add e:<rand>                           1,000,000 requests, 16 deep (dense after the first thousands)
#   pfcount1-P16   PFCOUNT pf:a (dense, 100,000 elements: the cached cardinality), 1,000,000 requests, 16 deep
#   pfcount3-P1    PFCOUNT pf:a pf:b pf:c (three dense HLLs merged on each call), 20,000 requests one at a time
# Then the bounds (issue 30, part 4): PFMERGE of 2,000 dense HLLs, GEOSEARCH of the whole earth (COUNT 10) and of
# 500 km over 1,000,000 points, each 10 times on each server: the server's CPU per command, then, run again, the
# worst latency of another client's GET meanwhile (how long the server, one shard here, served nobody).
set -euo pipefail

ROUNDS=${1:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-geohll.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in redis-server redis-benchmark redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-geohll: '$tool' is required (apt-get install redis-server redis-tools util-linux python3)" >&2; exit 2; }
done
boot_jar() { ls "$ROOT"/demo-service/target/percore-demo-service-*.jar 2>/dev/null | grep -v original | sort -r | awk '/-exec\.jar$/{print; found=1; exit} {first = first ? first : $0} END{if (!found && first) print first}'; }
JAR=${PERCORE_JAR:-$(boot_jar || true)}
if [ -z "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl demo-service -am package -DskipTests)
  JAR=$(boot_jar)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_for() {
  for _ in $(seq 1 180); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "run-geohll: timed out waiting for: $*" >&2; tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
  return 1
}

RESP_PORT=$(free_port); HTTP_PORT=$(free_port); MGMT_PORT=$(free_port); REDIS_PORT=$(free_port)
echo "== starting Percore demo pinned to CPU $SERVER_CPU, one shard"
taskset -c "$SERVER_CPU" env -u PERCORE_JAR java -Xms512m -Xmx1g -jar "$JAR" \
  --percore.servers.resp.port="$RESP_PORT" --percore.servers.http.port="$HTTP_PORT" --management.server.port="$MGMT_PORT" \
  --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s > "$WORK/percore.log" 2>&1 &
PERCORE_PID=$!; PIDS+=("$PERCORE_PID")
wait_for redis-cli -p "$RESP_PORT" ping
echo "== starting redis-server pinned to CPU $SERVER_CPU (persistence off)"
taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$WORK/redis.log" 2>&1 &
REDIS_PID=$!; PIDS+=("$REDIS_PID")
wait_for redis-cli -p "$REDIS_PORT" ping

# ---------------------------------------------------------------- the data the reads read, the same on both
python3 - "$WORK/fill.resp" <<'EOF'
import random, sys
random.seed(30)
def cmd(*args):
    out = ['*%d\r\n' % len(args)]
    for a in args:
        a = str(a).encode()
        out.append('$%d\r\n' % len(a))
        out.append(a.decode() + '\r\n')
    return ''.join(out)
with open(sys.argv[1], 'w') as f:
    for batch in range(100):
        args = ['GEOADD', 'geo:100k']
        for i in range(1000):
            args += ['%.6f' % random.uniform(2.35 - 10, 2.35 + 10), '%.6f' % random.uniform(48.85 - 8, 48.85 + 8), 'place:%d' % (batch * 1000 + i)]
        f.write(cmd(*args))
    for key in ('pf:a', 'pf:b', 'pf:c'):
        for batch in range(100):
            f.write(cmd('PFADD', key, *('%s:%d' % (key, batch * 1000 + i) for i in range(1000))))
        f.write(cmd('PFCOUNT', key))
EOF
for port in "$RESP_PORT" "$REDIS_PORT"; do
  redis-cli -p "$port" --pipe < "$WORK/fill.resp" | grep -q "errors: 0" || { echo "run-geohll: filling port $port failed" >&2; exit 1; }
done
for port in "$RESP_PORT" "$REDIS_PORT"; do
  [ "$(redis-cli -p "$port" zcard geo:100k)" = 100000 ] && [ "$(redis-cli -p "$port" pfdebug encoding pf:c)" = dense ] \
    || { echo "run-geohll: the data is not in place on port $port" >&2; exit 1; }
done
hits=$(redis-cli -p "$REDIS_PORT" geosearch geo:100k fromlonlat 2.5 48.5 byradius 100 km | wc -l)
[ "$(redis-cli -p "$RESP_PORT" geosearch geo:100k fromlonlat 2.5 48.5 byradius 100 km | wc -l)" = "$hits" ] \
  || { echo "run-geohll: the two servers find different points" >&2; exit 1; }
[ "$(redis-cli -p "$RESP_PORT" pfcount pf:a pf:b pf:c)" = "$(redis-cli -p "$REDIS_PORT" pfcount pf:a pf:b pf:c)" ] \
  || { echo "run-geohll: the two servers count differently" >&2; exit 1; }
echo "   geo:100k: 100,000 points, a 100 km search finds about $hits; pf:a, pf:b, pf:c: dense, $(redis-cli -p "$REDIS_PORT" pfcount pf:a pf:b pf:c) together"

# ---------------------------------------------------------------- load runs
SCENARIOS=(geoadd-P16 geosearch-P1 pfadd-P16 pfcount1-P16 pfcount3-P1)
scenario() { # name -> "pipeline requests command..."
  case "$1" in
    geoadd-P16) echo "16 1000000 GEOADD geo:add 1.__rand_int__ 2.__rand_int__ m:__rand_int__" ;;
    geosearch-P1) echo "1 5000 GEOSEARCH geo:100k FROMLONLAT 2.__rand_int__ 48.__rand_int__ BYRADIUS 100 km" ;;
    pfadd-P16) echo "16 1000000 PFADD pf:add e:__rand_int__" ;;
    pfcount1-P16) echo "16 1000000 PFCOUNT pf:a" ;;
    pfcount3-P1) echo "1 20000 PFCOUNT pf:a pf:b pf:c" ;;
  esac
}
bench() { { taskset -c "$CLIENT_CPU" redis-benchmark "$@" 2>&1 || echo "error: redis-benchmark exited with status $?"; } | tr '\r' '\n'; }
run() { # pid port scenario -> "requests cpu_us_per_request rps"
  local pipeline n before after out rps
  read -r pipeline n cmd <<<"$(scenario "$3")"
  before=$(cpu_ticks "$1")
  # shellcheck disable=SC2086
  out=$(bench -p "$2" -r 1000000 -c 50 -P "$pipeline" -n "$n" -q $cmd)
  after=$(cpu_ticks "$1")
  if grep -qi "error" <<<"$out"; then echo "run-geohll: redis-benchmark reported errors: $out" >&2; exit 1; fi
  rps=$(grep ' requests per second' <<<"$out" | tail -1 | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
  [ -n "$rps" ] || { echo "run-geohll: no 'requests per second' from redis-benchmark: $out" >&2; exit 1; }
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" -v r="$rps" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, r}'
}

echo "== warm-up (JIT) — not measured"
for s in "${SCENARIOS[@]}"; do run "$PERCORE_PID" "$RESP_PORT" "$s" >/dev/null; done

RESULTS="$WORK/results.txt"; : > "$RESULTS"
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds of: ${SCENARIOS[*]}"
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round/$ROUNDS"
  for s in "${SCENARIOS[@]}"; do
    if [ $((round % 2)) = 1 ]; then order="redis percore"; else order="percore redis"; fi
    for who in $order; do
      if [ "$who" = percore ]; then line=$(run "$PERCORE_PID" "$RESP_PORT" "$s"); else line=$(run "$REDIS_PID" "$REDIS_PORT" "$s"); fi
      echo "$round $s $who $line" | tee -a "$RESULTS"
    done
  done
done
echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== summary over $ROUNDS rounds: server CPU us/request, median; ratio = Percore / redis-server per round, min / median / max"
printf '%-14s %12s %12s %22s %12s %12s\n' scenario percore_us redis_us "ratio min/median/max" percore_rps redis_rps
for s in "${SCENARIOS[@]}"; do
  awk -v s="$s" '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                       return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $2 == s && $3 == "percore" { pu[$1] = $5; pr[$1] = $6 }
    $2 == s && $3 == "redis"   { qu[$1] = $5; qr[$1] = $6 }
    END {
      n = 0
      for (r in pu) if (r in qu) { n++; ratio[n] = pu[r] / qu[r]; a[n] = pu[r]; b[n] = qu[r]; c[n] = pr[r]; d[n] = qr[r] }
      lo = ratio[1]; hi = ratio[1]; for (i = 2; i <= n; i++) { if (ratio[i] < lo) lo = ratio[i]; if (ratio[i] > hi) hi = ratio[i] }
      printf "%-14s %12.2f %12.2f %22s %12.0f %12.0f\n", s, median(a, n), median(b, n), sprintf("%.2f / %.2f / %.2f", lo, median(ratio, n), hi), median(c, n), median(d, n)
    }' "$RESULTS"
done
echo "(redis-server $(redis-server --version | awk '{print $3}'))"

# ---------------------------------------------------------------- bounds: how long one big command holds the server
# A second client GETs a key in a loop while one connection runs the big command; the worst GET
# latency is how long the server (the one shard) served nobody. Server CPU per command from /proc.
python3 - "$WORK/bounds.resp" <<'EOF2'
import random, sys
random.seed(31)
def cmd(*args):
    return '*%d\r\n' % len(args) + ''.join('$%d\r\n%s\r\n' % (len(str(a).encode()), a) for a in args)
with open(sys.argv[1], 'w') as f:
    for batch in range(1000):
        args = ['GEOADD', 'geo:1m']
        for i in range(1000):
            args += ['%.6f' % random.uniform(-180, 180), '%.6f' % random.uniform(-85, 85), 'p%d' % (batch * 1000 + i)]
        f.write(cmd(*args))
    f.write(cmd('CONFIG', 'SET', 'hll-sparse-max-bytes', '0'))
    for i in range(2000):
        f.write(cmd('PFADD', 'hll:%d' % i, 'x%d' % i, 'y%d' % (i % 101)))
    f.write(cmd('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'))
EOF2
for port in "$RESP_PORT" "$REDIS_PORT"; do
  redis-cli -p "$port" --pipe < "$WORK/bounds.resp" | grep -q "errors: 0" || { echo "run-geohll: filling the bounds data on port $port failed" >&2; exit 1; }
done
MERGE="PFMERGE hll:merged $(seq -f 'hll:%g' 0 1999 | tr '\n' ' ')"
bound_run() { # pid port label command...
  local pid=$1 port=$2 label=$3; shift 3
  local before after worst
  # first the server's CPU for 10 runs alone, then 10 runs again beside the probing client (whose GETs cost CPU too)
  before=$(cpu_ticks "$pid")
  big_command "$port" 0 "$@" >/dev/null
  after=$(cpu_ticks "$pid")
  worst=$(big_command "$port" 1 "$@")
  awk -v l="$label" -v t=$((after - before)) -v hz="$CLK_TCK" -v w="$worst" 'BEGIN{printf "%-56s %8.1f ms CPU each %8s ms worst GET meanwhile\n", l, t*1000/hz/10, w}'
}
big_command() { # port probe(0|1) command... -> the worst GET latency in ms (0 without the probe)
  taskset -c "$CLIENT_CPU" python3 - "$@" <<'EOF3'
import socket, sys, threading, time
port = int(sys.argv[1]); probing = sys.argv[2] == '1'; command = sys.argv[3:]
def conn():
    s = socket.create_connection(('127.0.0.1', port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1); return s
def send(s, args):
    s.sendall(('*%d\r\n' % len(args) + ''.join('$%d\r\n%s\r\n' % (len(a.encode()), a) for a in args)).encode())
def reply(s, buf=[b'']):
    # enough of RESP for +, -, :, $ and * of bulks/integers/arrays
    def line():
        while b'\r\n' not in buf[0]:
            buf[0] += s.recv(1 << 20)
        l, buf[0] = buf[0].split(b'\r\n', 1)
        return l
    def one():
        l = line(); t = l[:1]
        if t == b'$':
            n = int(l[1:])
            if n >= 0:
                while len(buf[0]) < n + 2:
                    buf[0] += s.recv(1 << 20)
                buf[0] = buf[0][n + 2:]
        elif t == b'*':
            for _ in range(max(0, int(l[1:]))):
                one()
        elif t == b'-':
            raise SystemExit('error reply: ' + l.decode())
    one()
done = threading.Event(); worst = [0.0]
def probe():
    s = conn(); b = [b'']
    while not done.is_set():
        t = time.perf_counter(); send(s, ['GET', 'probe']); reply(s, b); worst[0] = max(worst[0], time.perf_counter() - t)
p = threading.Thread(target=probe)
if probing:
    p.start(); time.sleep(0.2)
c = conn()
for _ in range(10):
    send(c, command); reply(c, [b''])
if probing:
    time.sleep(0.1); done.set(); p.join()
print('%.1f' % (worst[0] * 1000))
EOF3
}
echo
echo "== bounds: one big command, 10 times on each server: its CPU, then the worst latency of another client's GET meanwhile"
for who in redis percore; do
  if [ "$who" = percore ]; then pid=$PERCORE_PID; port=$RESP_PORT; else pid=$REDIS_PID; port=$REDIS_PORT; fi
  # shellcheck disable=SC2086
  bound_run "$pid" "$port" "$who PFMERGE of 2,000 dense HLLs" $MERGE
  bound_run "$pid" "$port" "$who GEOSEARCH whole earth, 1,000,000 points, COUNT 10" GEOSEARCH geo:1m FROMLONLAT 0 0 BYRADIUS 25000 km COUNT 10
  bound_run "$pid" "$port" "$who GEOSEARCH 500 km, 1,000,000 points" GEOSEARCH geo:1m FROMLONLAT 0 0 BYRADIUS 500 km
done
