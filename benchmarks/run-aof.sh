#!/usr/bin/env bash
# What the append-only file costs: the server's CPU per request for SET and GET, side by side, with
#   redis   redis-server 7.0 with --appendonly yes --appendfsync everysec --save '' (the reference);
#   aof     the service with --percore.demo.persistence.mode=aof, appendfsync=everysec;
#   none    the service with no persistence (mode=none), the same jar and flags otherwise.
# Each run starts one server in a fresh data directory (removed after it stops), pinned to CPU 1 (the service
# with one shard, pinned mode, as run-resp-ab.sh), waits until PING answers PONG (not -LOADING), warms it up
# (not measured), then runs redis-benchmark (pinned to CPU 0, -r 100000 -d 16 -c 50) one test at a time, -P 1
# and -P 16, and reports the server's utime+stime (/proc/PID/stat, all its threads) per request. Rounds are
# interleaved, the order of the three rotated every round; per round the ratios aof/redis and aof/none, at the
# end min / median / max of each figure and ratio. After each run: the data directory's appendonlydir size.
#
# usage: benchmarks/run-aof.sh
# env:   ROUNDS (3), N (1000000 requests per -P 16 run), N_P1 (N / 5 per -P 1 run), WARMUP (500000 requests
#        of each test at -P 16 and a fifth of that at -P 1 before measuring)
#        JAR (demo-service/target/percore-demo-service-0.1.0-SNAPSHOT-exec.jar)
#        VARIANTS ("redis aof none"), TESTS ("set get"), PIPELINES ("1 16")
#        AOF_FLAGS ("--percore.demo.persistence.mode=aof --percore.demo.persistence.appendfsync=everysec"):
#          the aof variant's persistence flags (its --percore.demo.persistence.dir is always added);
#          e.g. AOF_FLAGS=--percore.demo.persistence.mode=none to try the script on a jar without the AOF
#        REDIS_AOF_FLAGS ("--appendonly yes --appendfsync everysec"), SERVER_CPU (1), CLIENT_CPU (0)
# Both service variants also get --percore.demo.persistence.save= (no snapshots), as redis gets --save ''.
# Not in the figure: a forked child's CPU (redis-server's BGREWRITEAOF, triggered at 64 MB of AOF by its
# default auto-aof-rewrite-* settings) is counted in the process's cutime+cstime once reaped; it is printed
# beside it (child_us) with the number of rewrites, not added.
set -euo pipefail
caller_pwd=$PWD
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
n=${N:-1000000}
n1=${N_P1:-$((n / 5))}
warmup=${WARMUP:-500000}
jar=${JAR:-demo-service/target/percore-demo-service-0.1.0-SNAPSHOT-exec.jar}
case "$jar" in /*) ;; *) [ -f "$jar" ] || jar="$caller_pwd/$jar" ;; esac
jar=$(realpath "$jar")
variants=${VARIANTS:-redis aof none}
tests=${TESTS:-set get}
pipelines=${PIPELINES:-1 16}
aof_flags=${AOF_FLAGS:---percore.demo.persistence.mode=aof --percore.demo.persistence.appendfsync=everysec}
none_flags="--percore.demo.persistence.mode=none"
redis_aof_flags=${REDIS_AOF_FLAGS:---appendonly yes --appendfsync everysec}
server_cpu=${SERVER_CPU:-1}
client_cpu=${CLIENT_CPU:-0}
clk=$(getconf CLK_TCK)

for tool in redis-server redis-benchmark redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-aof: '$tool' is required (apt-get install redis-server redis-tools)" >&2; exit 2; }
done
[ -f "$jar" ] || { echo "run-aof: no jar $jar (set JAR)" >&2; exit 2; }

work=$(mktemp -d /tmp/percore-aof-XXXX)
pid= ; dir=
# shellcheck source=lib/processes.sh
source benchmarks/lib/processes.sh
stop_server() { stop_pid "$pid" 90 run-aof; pid=; }
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ticks() { awk '{print $14 + $15, $16 + $17}' "/proc/$1/stat"; }   # own utime+stime, reaped children's
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }
fail() { echo "run-aof: $*" >&2; echo "--- last lines of $log:" >&2; tail -n 30 "$log" >&2 || true; exit 1; }

start() { # variant: starts it in a fresh $dir on $port, until PING answers PONG
  local variant=$1
  port=$(free_port)
  dir=$(mktemp -d "$work/data-$variant-XXXX")
  log="$work/$variant.log"
  if [ "$variant" = redis ]; then
    # shellcheck disable=SC2086
    taskset -c "$server_cpu" redis-server --port "$port" --bind 127.0.0.1 --daemonize no --save '' \
      $redis_aof_flags --dir "$dir" --logfile "$log" >/dev/null 2>&1 &
  else
    local flags=$aof_flags http mgmt
    [ "$variant" = none ] && flags=$none_flags
    http=$(free_port); mgmt=$(free_port)
    # env -u: Spring binds PERCORE_* environment variables to percore.* keys and rejects unknown ones
    # shellcheck disable=SC2086
    taskset -c "$server_cpu" env -u PERCORE_JAR -u PERCORE_PERSISTENCE -u PERCORE_DATA_DIR \
      java -Xms256m -Xmx512m -Dio.netty.leakDetection.level=disabled -jar "$jar" \
      --percore.servers.resp.port="$port" --percore.servers.http.port="$http" --management.server.port="$mgmt" \
      --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s \
      $flags --percore.demo.persistence.save= --percore.demo.persistence.dir="$dir" >"$log" 2>&1 &
  fi
  pid=$!
  local reply=
  for _ in $(seq 1 1200); do   # 120 s: -LOADING while a file loads, nothing before the port opens
    reply=$(redis-cli -p "$port" ping 2>&1 || true)
    [ "$reply" = PONG ] && break
    alive "$pid" || fail "$variant exited before serving"
    sleep 0.1
  done
  [ "$reply" = PONG ] || fail "$variant does not answer PONG after 120 s (last reply: $reply)"
  if [ "$variant" != redis ]; then
    local shards; shards=$(info_field "$port" server shards)
    [ "$shards" = 1 ] || fail "expected 1 shard on CPU $server_cpu, INFO says '$shards'"
  fi
  [ "$(redis-cli -p "$port" set startcheck ok)" = OK ] && [ "$(redis-cli -p "$port" get startcheck)" = ok ] \
    || fail "$variant does not SET/GET"
  redis-cli -p "$port" del startcheck >/dev/null
}

bench() { # test pipeline requests: redis-benchmark's output (--csv), failing on an error reply (or after 15 min:
  # it retries forever when the server goes away)
  local out
  out=$(timeout 900 taskset -c "$client_cpu" redis-benchmark -p "$port" -t "$1" -r 100000 -d 16 -c 50 -P "$2" -n "$3" --csv 2>&1) \
    || fail "redis-benchmark -t $1 -P $2 failed: $out"
  if grep -qi 'error' <<<"$out"; then fail "redis-benchmark -t $1 -P $2: $out"; fi
  printf '%s\n' "$out"
}

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$rounds n=$n n_p1=$n1 warmup=$warmup variants=\"$variants\" tests=\"$tests\" pipelines=\"$pipelines\" server_cpu=$server_cpu client_cpu=$client_cpu load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "jar: $jar"
echo "redis: $(redis-server --version | head -1)"
echo "aof flags: $aof_flags; redis: --save '' $redis_aof_flags"
results="$work/results"
emit() { printf '%s\n' "$*" | tee -a "$results"; }   # to the terminal and to the summary's input
emit "round variant test P cpu_us_per_request child_us_per_request requests_per_s"
read -r -a order <<<"$variants"
for ((r = 1; r <= rounds; r++)); do
  for ((i = 0; i < ${#order[@]}; i++)); do
    variant=${order[$(( (i + r - 1) % ${#order[@]} ))]}
    start "$variant"
    bench "${tests// /,}" 16 "$warmup" >/dev/null          # warm-up (the JIT) at both depths, not measured
    bench "${tests// /,}" 1 $((warmup / 5)) >/dev/null
    for p in $pipelines; do
      requests=$n; [ "$p" = 1 ] && requests=$n1
      for t in $tests; do
        read -r own0 child0 < <(ticks "$pid")
        out=$(bench "$t" "$p" "$requests")
        read -r own1 child1 < <(ticks "$pid")
        rps=$(awk -F'"' -v t="${t^^}" '$2 == t {printf "%.0f", $4}' <<<"$out")
        emit "$r $variant $t $p $(awk -v o=$((own1 - own0)) -v c=$((child1 - child0)) -v hz="$clk" -v n="$requests" \
          'BEGIN{printf "%.3f %.3f", o*1e6/hz/n, c*1e6/hz/n}') ${rps:--}"
      done
    done
    aof=$(info_field "$port" persistence aof_enabled); rewrites=$(info_field "$port" persistence aof_rewrites)
    keys=$(redis-cli -p "$port" dbsize)
    stop_server
    if [ -d "$dir/appendonlydir" ]; then
      size="appendonlydir $(du -sb "$dir/appendonlydir" | cut -f1) bytes ($(ls "$dir/appendonlydir" | tr '\n' ' ' | sed 's/ $//'))"
    else
      size="no appendonlydir (data dir: $(du -sb "$dir" | cut -f1) bytes: $(ls -A "$dir" | tr '\n' ' ' | sed 's/ $//'))"
    fi
    emit "# $r $variant stopped: keys=$keys aof_enabled=${aof:-?} aof_rewrites=${rewrites:-?}; $size"
    if [ "$variant" != none ] && [ "${aof:-}" != 1 ]; then emit "# WARNING: $variant ran without an append-only file (aof_enabled=${aof:-?})"; fi
    rm -rf "$dir"
  done
  # this round's ratios
  awk -v r="$r" '$1 == r && $2 ~ /^(redis|aof|none)$/ {cpu[$2 " " $3 "-P" $4] = $5; k[$3 "-P" $4] = 1}
    END {for (s in k) {
      a = cpu["aof " s]; line = r " ratio " s
      line = line " aof/redis " ((a != "" && cpu["redis " s] > 0) ? sprintf("%.3f", a / cpu["redis " s]) : "-")
      line = line " aof/none " ((a != "" && cpu["none " s] > 0) ? sprintf("%.3f", a / cpu["none " s]) : "-")
      print line}}' "$results" | sort | while read -r line; do emit "$line"; done
done
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" <<'EOF'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l[:1].isdigit()]
def stats(vals):
    return f"min {min(vals):7.3f}  median {statistics.median(vals):7.3f}  max {max(vals):7.3f}  ({len(vals)} rounds)"
scenarios = sorted({(r[2], int(r[3])) for r in rows if r[1] != "ratio"}, key=lambda s: (s[1], s[0]))
print("server CPU us per request:")
for t, p in scenarios:
    for v in ("redis", "aof", "none"):
        vals = [float(r[4]) for r in rows if r[1] == v and r[2] == t and int(r[3]) == p]
        if vals:
            print(f"  {t}-P{p:<3d} {v:6s} {stats(vals)}")
print("ratios (within a round):")
for t, p in scenarios:
    for i, name in ((3, "aof/redis"), (5, "aof/none")):
        vals = [float(r[i + 1]) for r in rows if r[1] == "ratio" and r[2] == f"{t}-P{p}" and r[i + 1] != "-"]
        if vals:
            print(f"  {t}-P{p:<3d} {name:9s} {stats(vals)}")
EOF
