#!/usr/bin/env bash
# Streams: the Percore demo against redis-server, CPU per request, memory per entry and how long
# one big command holds the server.
#
# Part 1, CPU per request (both servers started once, rounds interleaved, order reversed every
# other round): the server pinned to SERVER_CPU (the demo as run-peers.sh runs it: one shard,
# mode=pinned, idle-poll=0s), the load pinned to CLIENT_CPU. Scenarios:
#   xadd        redis-benchmark -c 50 -P 16: XADD bench:add * f 0123456789 (the stream deleted first)
#   xrange      redis-benchmark -c 50 -P 16 -r RANGE_ENTRIES: XRANGE bench:range __rand_int__ + COUNT 10
#               on a stream of RANGE_ENTRIES entries with IDs 1-0 .. N-0 (__rand_int__ is a random
#               12-digit number below N: a random start; 10 entries answered but near the end)
#   xreadgroup  peers/stream_consumer.py: GROUP_ENTRIES entries, each read by its own
#               XREADGROUP GROUP g c COUNT 1 STREAMS bench:group > and acknowledged by its own
#               XACK, 16 reads in flight, the acks of one batch sent with the next batch's reads;
#               the figure is per entry (one XREADGROUP + one XACK); XPENDING must be 0 after
# Figures: the server's CPU (utime+stime from /proc/PID/stat, all threads) per request (per entry
# for xreadgroup), requests (entries) per second; summary: median per server and the per-round
# ratio percore / redis as min / median / max.
#
# Part 2, memory and stalls (fresh servers, one at a time; the demo with -Xmx DEMO_HEAP, Serial
# GC, maxmemory DEMO_MAXMEMORY, as run-memory.sh): MEMORY_ENTRIES entries
# "XADD bench:mem * f <10 bytes>" loaded by redis-cli --pipe, then every entry read into one
# consumer's PEL by one XREADGROUP ... COUNT MEMORY_ENTRIES. Bytes per entry, loaded minus empty:
#   demo heap   the live heap after a full GC (jcmd GC.class_histogram's Total)
#   demo est.   the demo's INFO used_memory (what its maxmemory and MEMORY USAGE count)
#   redis       redis-server's INFO used_memory
# and the same per pending entry (after the XREADGROUP minus before). Stalls, by
# peers/stream_stall.py (the longest PING round trip on a second connection while the command
# runs; STALL_REPEATS times each, min / median / max): XREADGROUP of every entry (once), XRANGE of
# the whole stream, XPENDING IDLE that scans the whole PEL and matches nothing, XAUTOCLAIM
# COUNT 1000 that examines 10,000 entries and claims nothing, XPENDING of 100,000 entries, DEL of
# the stream (once). Before the empty figure, the same commands run three times on a stream a tenth
# as long (then deleted), so the demo's JIT has compiled them.
#
# usage: benchmarks/run-streams.sh [rounds]       (default 3; ~2 min a round on a quiet machine, part 2 ~2 min)
# env:   PARTS ("cpu memory") SCENARIOS ("xadd xrange xreadgroup") XADD_REQUESTS (500000)
#        XRANGE_REQUESTS (200000) RANGE_ENTRIES (100000) GROUP_ENTRIES (100000)
#        MEMORY_ENTRIES (1000000) STALL_REPEATS (3) DEMO_HEAP (2g) DEMO_MAXMEMORY (1GB)
#        PERCORE_JAR SERVER_CPU (1) CLIENT_CPU (0) SERVER_JVM_OPTS (extra JVM options for the demo)
set -euo pipefail

ROUNDS=${1:-3}
PARTS=${PARTS:-cpu memory}
SCENARIOS=${SCENARIOS:-xadd xrange xreadgroup}
XADD_REQUESTS=${XADD_REQUESTS:-500000}
XRANGE_REQUESTS=${XRANGE_REQUESTS:-200000}
RANGE_ENTRIES=${RANGE_ENTRIES:-100000}
GROUP_ENTRIES=${GROUP_ENTRIES:-100000}
MEMORY_ENTRIES=${MEMORY_ENTRIES:-1000000}
STALL_REPEATS=${STALL_REPEATS:-3}
DEMO_HEAP=${DEMO_HEAP:-2g}
DEMO_MAXMEMORY=${DEMO_MAXMEMORY:-1GB}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-streams.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in redis-server redis-benchmark redis-cli taskset java jcmd awk python3; do
  command -v "$tool" >/dev/null || { echo "run-streams: '$tool' is required (apt-get install redis-server redis-tools util-linux openjdk-17-jdk-headless)" >&2; exit 2; }
done
for p in $PARTS; do case "$p" in cpu | memory) ;; *) echo "run-streams: unknown part '$p' (cpu memory)" >&2; exit 2 ;; esac; done
for s in $SCENARIOS; do case "$s" in xadd | xrange | xreadgroup) ;; *) echo "run-streams: unknown scenario '$s' (xadd xrange xreadgroup)" >&2; exit 2 ;; esac; done

boot_jar() { ls "$ROOT"/demo-service/target/percore-demo-service-*.jar 2>/dev/null | grep -v original | sort -r | awk '/-exec\.jar$/{print; found=1; exit} {first = first ? first : $0} END{if (!found && first) print first}'; }
JAR=${PERCORE_JAR:-$(boot_jar || true)}
if [ -z "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl demo-service -am package -DskipTests)
  JAR=$(boot_jar)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_for() { # pid command... ; up to 90 s, or until pid exits
  local pid=$1; shift
  for _ in $(seq 1 180); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "run-streams: no answer to: $*; last lines of the server logs:" >&2
  tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
  return 1
}
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }
# redis-benchmark's output with its progress lines split; a failure shows as "error" in it
bench() { { taskset -c "$CLIENT_CPU" redis-benchmark "$@" 2>&1 || echo "error: redis-benchmark exited with status $?"; } | tr '\r' '\n'; }
median3() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) {print "-"; exit} printf "%s / %s / %s", a[1], (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[NR]}'; }

declare -A PID PORT
start_demo() { # name heap extra-args...
  local name=$1 heap=$2; shift 2
  local port; port=$(free_port)
  # env -u: Spring binds PERCORE_* environment variables to percore.* keys (see run-peers.sh)
  taskset -c "$SERVER_CPU" env -u PERCORE_JAR java -Xms256m -Xmx"$heap" $SERVER_JVM_OPTS "$@" -jar "$JAR" \
    --percore.servers.resp.port="$port" --percore.servers.http.port="$(free_port)" --management.server.port="$(free_port)" \
    --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s \
    ${DEMO_ARGS:-} > "$WORK/$name.log" 2>&1 &
  PID[$name]=$!; PORT[$name]=$port; PIDS+=("$!")
  wait_for "$!" redis-cli -p "$port" ping
  local shards; shards=$(info_field "$port" server shards)
  [ "$shards" = 1 ] || { echo "run-streams: expected 1 shard on one CPU, INFO says '$shards'" >&2; exit 1; }
}
start_redis() { # name
  local port; port=$(free_port)
  taskset -c "$SERVER_CPU" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    > "$WORK/$1.log" 2>&1 &
  PID[$1]=$!; PORT[$1]=$port; PIDS+=("$!")
  wait_for "$!" redis-cli -p "$port" ping
}
stop() { kill "${PID[$1]}"; wait "${PID[$1]}" 2>/dev/null || true; }

# RESP for COUNT entries of KEY: "XADD key <id> f <10 bytes>", id "*" or "N-0" (N = 1..COUNT)
entries_resp() { # key count auto(1|0)
  awk -v k="$1" -v n="$2" -v auto="$3" 'BEGIN {
    for (i = 1; i <= n; i++) { id = auto ? "*" : i "-0"; v = sprintf("%010d", i)
      printf "*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$1\r\nf\r\n$10\r\n%s\r\n", length(k), k, length(id), id, v } }'
}
load_entries() { # port key count auto
  local out
  redis-cli -p "$1" del "$2" >/dev/null
  out=$(entries_resp "$2" "$3" "$4" | taskset -c "$CLIENT_CPU" redis-cli -p "$1" --pipe 2>&1 | tr -d '\r')
  grep -q "errors: 0, replies: $3\$" <<<"$out" || { echo "run-streams: loading $2 failed: $out" >&2; exit 1; }
  [ "$(redis-cli -p "$1" xlen "$2")" = "$3" ] || { echo "run-streams: $2 loaded, but XLEN is not $3" >&2; exit 1; }
}

# ---------------------------------------------------------------- part 1: CPU per request
# each run prints "<requests> <cpu_us_per_request> <requests_per_second>"
run_xadd() { # name
  local pid=${PID[$1]} port=${PORT[$1]} before after out rps
  redis-cli -p "$port" del bench:add >/dev/null
  before=$(cpu_ticks "$pid")
  out=$(bench -p "$port" -c 50 -P 16 -n "$XADD_REQUESTS" -q XADD bench:add '*' f 0123456789)
  after=$(cpu_ticks "$pid")
  if grep -qi "error" <<<"$out"; then echo "run-streams: redis-benchmark reported errors: $out" >&2; exit 1; fi
  [ "$(redis-cli -p "$port" xlen bench:add)" = "$XADD_REQUESTS" ] || { echo "run-streams: XLEN bench:add is not $XADD_REQUESTS on $1" >&2; exit 1; }
  rps=$(grep -F 'XADD bench:add * f 0123456789: ' <<<"$out" | grep ' requests per second' | tail -1 | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
  [ -n "$rps" ] || { echo "run-streams: no rate line from redis-benchmark: $out" >&2; exit 1; }
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$XADD_REQUESTS" -v r="$rps" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, r}'
}
run_xrange() { # name
  local pid=${PID[$1]} port=${PORT[$1]} before after out rps
  before=$(cpu_ticks "$pid")
  out=$(bench -p "$port" -c 50 -P 16 -r "$RANGE_ENTRIES" -n "$XRANGE_REQUESTS" -q XRANGE bench:range __rand_int__ + COUNT 10)
  after=$(cpu_ticks "$pid")
  if grep -qi "error" <<<"$out"; then echo "run-streams: redis-benchmark reported errors: $out" >&2; exit 1; fi
  rps=$(grep -F 'XRANGE bench:range __rand_int__ + COUNT 10: ' <<<"$out" | grep ' requests per second' | tail -1 | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
  [ -n "$rps" ] || { echo "run-streams: no rate line from redis-benchmark: $out" >&2; exit 1; }
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$XRANGE_REQUESTS" -v r="$rps" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, r}'
}
run_xreadgroup() { # name
  local pid=${PID[$1]} port=${PORT[$1]} before after out secs pending
  load_entries "$port" bench:group "$GROUP_ENTRIES" 1
  redis-cli -p "$port" xgroup create bench:group g 0 >/dev/null
  before=$(cpu_ticks "$pid")
  out=$(taskset -c "$CLIENT_CPU" python3 "$ROOT/benchmarks/peers/stream_consumer.py" "$port" bench:group g c "$GROUP_ENTRIES" 16 2>&1) \
    || { echo "run-streams: the consumer failed on $1: $out" >&2; exit 1; }
  after=$(cpu_ticks "$pid")
  pending=$(redis-cli -p "$port" xpending bench:group g | head -1)
  [ "$pending" = 0 ] || { echo "run-streams: $pending entries still pending on $1 after the consumer" >&2; exit 1; }
  secs=$(awk '/^consumed /{print $6}' <<<"$out")
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$GROUP_ENTRIES" -v s="$secs" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, n/s}'
}

if [[ " $PARTS " == *" cpu "* ]]; then
  echo "== part 1: CPU per request; servers pinned to CPU $SERVER_CPU, load on CPU $CLIENT_CPU"
  start_redis redis
  start_demo percore 1g
  echo "   redis: pid ${PID[redis]}, port ${PORT[redis]}; percore: pid ${PID[percore]}, port ${PORT[percore]}, 1 shard, -Xmx1g"
  for c in redis percore; do
    [[ " $SCENARIOS " == *" xrange "* ]] && load_entries "${PORT[$c]}" bench:range "$RANGE_ENTRIES" 0
    probe=$(redis-cli -p "${PORT[$c]}" xrange bench:range 000000000005 + COUNT 10 | grep -c '^f$' || true)
    [[ " $SCENARIOS " != *" xrange "* ]] || [ "$probe" = 10 ] || { echo "run-streams: XRANGE with a 12-digit start answered $probe entries on $c" >&2; exit 1; }
  done
  echo "== warm-up (JIT) — not measured"
  for s in $SCENARIOS; do "run_$s" percore >/dev/null; done

  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), jar $(basename "$JAR")"
  echo "== $ROUNDS rounds; xadd $XADD_REQUESTS requests, xrange $XRANGE_REQUESTS requests on $RANGE_ENTRIES entries, xreadgroup $GROUP_ENTRIES entries"
  echo "round scenario server requests cpu_us_per_request requests_per_s"
  RESULTS="$WORK/results.txt"; : > "$RESULTS"
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="redis percore"; else order="percore redis"; fi
    for s in $SCENARIOS; do
      for c in $order; do
        line=$("run_$s" "$c")
        echo "$round $s $c $line" | tee -a "$RESULTS"
      done
    done
  done
  echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  stop redis; stop percore
  echo
  echo "== summary: median over $ROUNDS rounds (server CPU us per request; xreadgroup: per entry read and acknowledged)"
  printf '%-12s %12s %12s %22s %12s %12s\n' scenario percore_us redis_us "ratio min/median/max" percore_rps redis_rps
  for s in $SCENARIOS; do
    awk -v s="$s" '
      function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                         return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
      $2 == s && $3 == "percore" { pu[$1] = $5; pr[$1] = $6 }
      $2 == s && $3 == "redis"   { qu[$1] = $5; qr[$1] = $6 }
      END {
        n = 0
        for (r in pu) if (r in qu) { n++; q[n] = pu[r] / qu[r]; a[n] = pu[r]; b[n] = qu[r]; c[n] = pr[r]; d[n] = qr[r] }
        lo = q[1]; hi = q[1]; for (i = 2; i <= n; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
        printf "%-12s %12.3f %12.3f %22s %12.0f %12.0f\n", s, median(a, n), median(b, n), sprintf("%.2f / %.2f / %.2f", lo, median(q, n), hi), median(c, n), median(d, n)
      }' "$RESULTS"
  done
  echo "(redis = redis-server $(redis-server --version | awk '{print $3}'), percore = the demo, both pinned to CPU $SERVER_CPU)"
fi

# ---------------------------------------------------------------- part 2: memory per entry, stalls
stall() { # name label words... -> "label max_ping_ms command_ms reply_bytes"
  local name=$1 label=$2; shift 2
  local out
  out=$(taskset -c "$CLIENT_CPU" python3 "$ROOT/benchmarks/peers/stream_stall.py" "${PORT[$name]}" "$@") \
    || { echo "run-streams: $label on $name: $out" >&2; exit 1; }
  awk -v l="$label" -v n="$name" '{print n, l, $8, $4, $2}' <<<"$out"
}
demo_heap() { taskset -c "$CLIENT_CPU" jcmd "${PID[percore-mem]}" GC.class_histogram | awk '$1 == "Total" {print $3}'; }
memory_run() { # name (redis-mem | percore-mem) -> appends to $MEM and $STALLS
  local name=$1 port heap0=0 heap1=0 heap2=0 est0 est1 est2 usage
  if [ "$name" = percore-mem ]; then
    DEMO_ARGS="--percore.demo.maxmemory=$DEMO_MAXMEMORY" start_demo "$name" "$DEMO_HEAP" -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0
  else
    start_redis "$name"
  fi
  port=${PORT[$name]}
  # the measured commands first on a smaller stream, not measured: the demo's JIT compiles them (a
  # stall measured on a cold JVM is interpretation's), and lazily created state is in the empty figure
  load_entries "$port" bench:warm $((MEMORY_ENTRIES / 10)) 1
  redis-cli -p "$port" xgroup create bench:warm g 0 >/dev/null
  for w in 1 2 3; do
    stall "$name" warm XREADGROUP GROUP g "c$w" COUNT $((MEMORY_ENTRIES / 10)) STREAMS bench:warm '>' >/dev/null
    stall "$name" warm XRANGE bench:warm - + >/dev/null
    stall "$name" warm XPENDING bench:warm g IDLE 3600000 - + 10 >/dev/null
    stall "$name" warm XAUTOCLAIM bench:warm g c2 3600000 0-0 COUNT 1000 >/dev/null
    stall "$name" warm XPENDING bench:warm g - + 10000 >/dev/null
    redis-cli -p "$port" xgroup setid bench:warm g 0 >/dev/null
  done
  redis-cli -p "$port" del bench:warm >/dev/null
  [ "$name" = percore-mem ] && heap0=$(demo_heap)
  est0=$(info_field "$port" memory used_memory)
  load_entries "$port" bench:mem "$MEMORY_ENTRIES" 1
  [ "$name" = percore-mem ] && heap1=$(demo_heap)
  est1=$(info_field "$port" memory used_memory)
  usage=$(redis-cli -p "$port" memory usage bench:mem)
  redis-cli -p "$port" xgroup create bench:mem g 0 >/dev/null
  stall "$name" "XREADGROUP-COUNT-$MEMORY_ENTRIES" XREADGROUP GROUP g c COUNT "$MEMORY_ENTRIES" STREAMS bench:mem '>' >> "$STALLS"
  [ "$(redis-cli -p "$port" xpending bench:mem g | head -1)" = "$MEMORY_ENTRIES" ] || { echo "run-streams: the PEL on $name does not hold $MEMORY_ENTRIES entries" >&2; exit 1; }
  [ "$name" = percore-mem ] && heap2=$(demo_heap)
  est2=$(info_field "$port" memory used_memory)
  echo "$name $heap0 $heap1 $heap2 $est0 $est1 $est2 $usage" >> "$MEM"
  for _ in $(seq 1 "$STALL_REPEATS"); do
    stall "$name" "XRANGE-all" XRANGE bench:mem - + >> "$STALLS"
    stall "$name" "XPENDING-IDLE-none" XPENDING bench:mem g IDLE 3600000 - + 10 >> "$STALLS"
    stall "$name" "XAUTOCLAIM-COUNT-1000" XAUTOCLAIM bench:mem g c2 3600000 0-0 COUNT 1000 >> "$STALLS"
    stall "$name" "XPENDING-100000" XPENDING bench:mem g - + 100000 >> "$STALLS"
  done
  stall "$name" "DEL" DEL bench:mem >> "$STALLS"
  stop "$name"
}

if [[ " $PARTS " == *" memory "* ]]; then
  echo
  echo "== part 2: $MEMORY_ENTRIES entries 'XADD bench:mem * f <10 bytes>', then all of them pending; $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  MEM="$WORK/memory.txt"; STALLS="$WORK/stalls.txt"; : > "$MEM"; : > "$STALLS"
  memory_run percore-mem
  memory_run redis-mem
  echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v n="$MEMORY_ENTRIES" '
    $1 == "percore-mem" { printf "   demo : live heap %d -> %d -> %d bytes, used_memory %d -> %d -> %d, MEMORY USAGE %d (empty -> loaded -> all pending)\n", $2, $3, $4, $5, $6, $7, $8
                          dh = ($3 - $2) / n; de = ($6 - $5) / n; ph = ($4 - $3) / n; pe = ($7 - $6) / n; du = $8 / n }
    $1 == "redis-mem"   { printf "   redis: used_memory %d -> %d -> %d, MEMORY USAGE %d\n", $5, $6, $7, $8
                          re = ($6 - $5) / n; pr = ($7 - $6) / n; ru = $8 / n }
    END {
      printf "\n== bytes per entry (loaded minus empty, / %d)\n", n
      printf "%-14s %14s %14s %14s %16s\n", "", "demo_heap", "demo_used_mem", "redis_used_mem", "demo_est/redis"
      printf "%-14s %14.1f %14.1f %14.1f %16.2f\n", "entry", dh, de, re, de / re
      printf "%-14s %14.1f %14.1f %14.1f %16.2f\n", "pending entry", ph, pe, pr, pe / pr
      printf "%-14s %14s %14.1f %14.1f %16.2f\n", "MEMORY USAGE", "-", du, ru, du / ru
    }' "$MEM"
  echo
  echo "== stalls: longest PING round trip on a second connection while the command ran, ms (min / median / max over runs), the command's time, its reply"
  printf '%-26s %-26s %-26s %14s %14s\n' command "percore max_ping_ms" "redis max_ping_ms" "percore_cmd_ms" "redis_cmd_ms"
  for label in $(awk '{print $2}' "$STALLS" | awk '!seen[$0]++'); do
    p=$(awk -v l="$label" '$1 == "percore-mem" && $2 == l {print $3}' "$STALLS" | median3)
    r=$(awk -v l="$label" '$1 == "redis-mem" && $2 == l {print $3}' "$STALLS" | median3)
    pc=$(awk -v l="$label" '$1 == "percore-mem" && $2 == l {print $4}' "$STALLS" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
    rc=$(awk -v l="$label" '$1 == "redis-mem" && $2 == l {print $4}' "$STALLS" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
    printf '%-26s %-26s %-26s %14s %14s\n' "$label" "$p" "$r" "$pc" "$rc"
  done
  awk '$1 == "redis-mem" && !seen[$2]++ {printf "   %s: %s reply bytes\n", $2, $5}' "$STALLS"
fi
