#!/usr/bin/env bash
# Backups and restore (issue 70): the operator's backup program (io.percore.operator.backup.BackupMain) reading a
# snapshot through the replication protocol from redis-server 7.0 and from the service, side by side in the same run,
# into a real S3 API (S3Proxy, SigV4, a directory as its store); then the restore program (RestoreMain) bringing it back
# into a data directory. Per round, per data set, the two kinds in rotated order:
#
#   load      the server (pinned to SERVER_CPU; the service: one shard, pinned mode, idle-poll=0s, as run-replication.sh)
#             is loaded with the data set (redis-cli --pipe of SET key:%012d <VALUE_SIZE bytes>): "small" KEYS (100,000)
#             of VALUE_SIZE (100) bytes, "big" BIG_KEYS (1,000,000) of BIG_VALUE (1,000) bytes, about 1 GB of RDB
#   client    a client pinned to CLIENT_CPU (SCHED_FIFO when allowed, so that the backup's JVM and S3Proxy beside it on
#             that CPU do not delay it) sends SET bench:w:<i> every INTERVAL_US (1000 µs; paced, so that it leaves that
#             CPU to them), each after the last reply, and records each round trip; p99 and max over the BASELINE (3)
#             seconds before the backup, and over the backup
#   backup    BackupMain (its own JVM, pinned to TOOL_CPU with S3Proxy) from the server to S3Proxy: its wall time (JVM
#             and SDK start included), and its throughput = snapshot bytes / its transferMillis (from PSYNC to the
#             object complete in the store: the source's snapshot, the RDB check and SHA-256, the parts' upload)
#   restore   RestoreMain of the latest backup into an empty directory: bytes / its transferMillis (from the GET to the
#             file in place: download, RDB and SHA-256 checks, fsync, rename)
#
# min / median / max of each figure per data set and kind at the end, and of the per-round ratios svc / redis.
#
# Before: ./mvnw -o -q -pl demo-service,operator package -DskipTests   (the demo's jar; the operator's jar and target/lib)
# usage:  benchmarks/run-backup.sh
# env:    ROUNDS (3), SETS ("small big"), KINDS ("redis svc"), KEYS (100000), VALUE_SIZE (100), BIG_KEYS (1000000),
#         BIG_VALUE (1000), BASELINE (3 s), INTERVAL_US (1000), PART_SIZE (16Mi), PARTS_IN_FLIGHT (2), SVC_HEAP ("-Xms1g -Xmx4g"),
#         TOOL_HEAP ("-Xmx512m": the backup's and restore's JVMs, as a Job's memory limit would hold them),
#         JAR (the demo's exec jar), OPERATOR_JAR (operator/target/percore-operator-0.1.0-SNAPSHOT.jar, beside its lib/),
#         S3PROXY_JAR (operator/target/s3proxy/..., else ~/.m2's), CLIENT_PRIO ("chrt -f 10"; empty: an ordinary process),
#         SERVER_CPU (1), CLIENT_CPU (0), TOOL_CPU (0), WORK (a mktemp dir)
set -euo pipefail
caller_pwd=$PWD
cd "$(dirname "$0")/.."
. benchmarks/lib/processes.sh   # alive, stop_pid, free_port
rounds=${ROUNDS:-3}
sets=${SETS:-small big}
kinds=${KINDS:-redis svc}
keys=${KEYS:-100000}
value_size=${VALUE_SIZE:-100}
big_keys=${BIG_KEYS:-1000000}
big_value=${BIG_VALUE:-1000}
baseline=${BASELINE:-3}
interval_us=${INTERVAL_US:-1000}
part_size=${PART_SIZE:-16Mi}
parts_in_flight=${PARTS_IN_FLIGHT:-2}
svc_heap=${SVC_HEAP:--Xms1g -Xmx4g}
tool_heap=${TOOL_HEAP:--Xmx512m}
jar=${JAR:-demo-service/target/percore-demo-service-0.1.0-SNAPSHOT-exec.jar}
op_jar=${OPERATOR_JAR:-operator/target/percore-operator-0.1.0-SNAPSHOT.jar}
s3proxy_jar=${S3PROXY_JAR:-}
client_prio=${CLIENT_PRIO-chrt -f 10}
if [ -n "$client_prio" ] && ! $client_prio true 2>/dev/null; then client_prio=; fi
server_cpu=${SERVER_CPU:-1}
client_cpu=${CLIENT_CPU:-0}
tool_cpu=${TOOL_CPU:-0}

for tool in redis-server redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-backup: '$tool' is required (apt-get install redis-server redis-tools)" >&2; exit 2; }
done
case "$jar" in /*) ;; *) [ -f "$jar" ] || jar="$caller_pwd/$jar" ;; esac
[ -f "$jar" ] || { echo "run-backup: no jar $jar (./mvnw -o -q -pl demo-service package -DskipTests, or set JAR)" >&2; exit 2; }
[ -f "$op_jar" ] && [ -d "$(dirname "$op_jar")/lib" ] \
  || { echo "run-backup: no $op_jar with lib/ beside it (./mvnw -o -q -pl operator package -DskipTests)" >&2; exit 2; }
if [ -z "$s3proxy_jar" ]; then
  s3proxy_jar=$(ls operator/target/s3proxy/s3proxy-*-jar-with-dependencies.jar 2>/dev/null | head -1 || true)
  [ -n "$s3proxy_jar" ] || s3proxy_jar=$(ls ~/.m2/repository/org/gaul/s3proxy/*/s3proxy-*-jar-with-dependencies.jar 2>/dev/null | tail -1 || true)
fi
[ -f "$s3proxy_jar" ] || { echo "run-backup: no S3Proxy jar (the operator's build copies it; or set S3PROXY_JAR)" >&2; exit 2; }
jar=$(realpath "$jar")
tool_cp="$(realpath "$op_jar"):$(realpath "$(dirname "$op_jar")/lib")/*"

if [ -n "${WORK:-}" ]; then mkdir -p "$WORK"; work=$(mktemp -d "$WORK/percore-backup-XXXX"); else work=$(mktemp -d /tmp/percore-backup-XXXX); fi
pids=()
started=
log=
forget() { local p keep=(); for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; pids=("${keep[@]}"); }
stop_tracked() { stop_pid "$1" 60 run-backup; forget "$1"; }   # SIGTERM, SIGKILL after 60 s, reaped, forgotten
stop_all() { local p; for p in "${pids[@]}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do [ -n "$p" ] && stop_pid "$p" 60 run-backup; done; pids=(); }
cleanup() { stop_all; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }
fail() { echo "run-backup: $*" >&2; if [ -n "$log" ]; then echo "--- last lines of $log:" >&2; tail -n 30 "$log" >&2 || true; fi; exit 1; }
now_ns() { date +%s%N; }

helper="$work/backup.py"
cat >"$helper" <<'PY'
import json, os, socket, statistics, sys, time, signal

def gen(n, size, path):   # SET key:%012d <size bytes>, RESP, for redis-cli --pipe
    import base64
    value = base64.b64encode(os.urandom(size))[:size]   # no run LZF could shorten: the RDB is as large as the data
    with open(path, "wb") as f:
        for i in range(n):
            k = b"key:%012d" % i
            f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, size, value))

stop = False
def on_term(*_):
    global stop
    stop = True

def client(port, path, interval_us):   # SET bench:w:<i> every interval_us (each after the last reply); "end_ns latency_ns"
    signal.signal(signal.SIGTERM, on_term)
    interval = interval_us * 1000
    due = time.time_ns()
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out = open(path, "w", buffering=1 << 16)
    i = 0
    buf = b""
    while not stop:
        k = b"bench:w:%d" % i
        now = time.time_ns()
        if now < due:
            time.sleep((due - now) / 1e9)
        due += interval
        t0 = time.time_ns()
        s.sendall(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\n1\r\n" % (len(k), k))
        while b"\r\n" not in buf:
            d = s.recv(4096)
            if not d:
                raise SystemExit("connection closed")
            buf += d
        line, buf = buf.split(b"\r\n", 1)
        t1 = time.time_ns()
        if line != b"+OK":
            raise SystemExit("SET: %r" % line)
        out.write("%d %d\n" % (t1, t1 - t0))
        i += 1
    out.close()

def window(path, a, b):   # p99 and max (ms) and count of the round trips ending in [a, b)
    v = []
    with open(path) as f:
        for line in f:
            e, l = line.split()
            e = int(e)
            if a <= e < b:
                v.append(int(l) / 1e6)
    if not v:
        return "- - 0"
    v.sort()
    return "%.3f %.3f %d" % (v[min(len(v) - 1, int(len(v) * 0.99))], v[-1], len(v))

def field(line, name):
    return json.loads(line)[name]

def summary(path):
    rows = [l.split() for l in open(path) if l.strip() and not l.startswith("#")]
    # round set kind bytes keys backup_ms backup_wall_ms backup_mbs restore_ms restore_mbs p99_before max_before n_before p99_during max_during n_during
    def st(vals, fmt):
        vals = [x for x in vals if x is not None]
        if not vals:
            return "-"
        return ("min " + fmt + "  median " + fmt + "  max " + fmt + "  (%d)") % (min(vals), statistics.median(vals), max(vals), len(vals))
    def num(x):
        return None if x == "-" else float(x)
    groups = {}
    for r in rows:
        groups.setdefault((r[1], r[2]), []).append(r)
    for (st_, kind), rs in sorted(groups.items()):
        print(f"{st_} {kind}: {int(statistics.median([num(r[3]) for r in rs])):,} bytes, {int(statistics.median([num(r[4]) for r in rs])):,} keys")
        print(f"  backup MB/s        {st([num(r[7]) for r in rs], '%8.1f')}")
        print(f"  backup wall s      {st([num(r[6]) / 1000 for r in rs], '%8.2f')}")
        print(f"  restore MB/s       {st([num(r[9]) for r in rs], '%8.1f')}")
        print(f"  client p99 ms before {st([num(r[10]) for r in rs], '%7.3f')}")
        print(f"  client p99 ms during {st([num(r[13]) for r in rs], '%7.3f')}")
        print(f"  client max ms during {st([num(r[14]) for r in rs], '%7.3f')}")
    for st_ in sorted({r[1] for r in rows}):
        by = {}
        for r in rows:
            if r[1] == st_:
                by.setdefault(r[0], {})[r[2]] = r
        ratios_mbs = [num(v["svc"][7]) / num(v["redis"][7]) for v in by.values() if "svc" in v and "redis" in v]
        ratios_p99 = [num(v["svc"][13]) / num(v["redis"][13]) for v in by.values() if "svc" in v and "redis" in v
                      and num(v["svc"][13]) and num(v["redis"][13])]
        if ratios_mbs:
            print(f"{st_} svc / redis per round: backup MB/s {st(ratios_mbs, '%5.2f')}; client p99 during {st(ratios_p99, '%5.2f')}")

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif cmd == "client":
        client(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif cmd == "window":
        print(window(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    elif cmd == "field":
        print(field(sys.argv[2], sys.argv[3]))
    elif cmd == "summary":
        summary(sys.argv[2])
PY

wait_pong() { # port pid name
  for _ in $(seq 1 3000); do
    if [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; then return 0; fi
    alive "$2" || fail "$3 exited"
    sleep 0.1
  done
  fail "$3 did not answer PING in 300 s"
}
start_server() { # kind port name: $started
  local kind=$1 port=$2 name=$3 dir http mgmt
  dir=$(mktemp -d "$work/data-$name-XXXX"); log="$work/$name.log"
  if [ "$kind" = redis ]; then
    taskset -c "$server_cpu" redis-server --port "$port" --bind 127.0.0.1 --daemonize no --save '' --appendonly no \
      --repl-diskless-sync-delay 0 --dir "$dir" --logfile "$log" >/dev/null 2>&1 &
  else
    http=$(free_port); mgmt=$(free_port)
    # shellcheck disable=SC2086
    taskset -c "$server_cpu" env -u PERCORE_JAR -u PERCORE_PERSISTENCE -u PERCORE_DATA_DIR -u PERCORE_REPLICAOF \
      -u PERCORE_MASTERAUTH -u PERCORE_REQUIREPASS \
      java $svc_heap -Dio.netty.leakDetection.level=disabled -jar "$jar" \
      --percore.servers.resp.port="$port" --percore.servers.http.port="$http" --management.server.port="$mgmt" \
      --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s \
      --percore.demo.persistence.mode=none --percore.demo.persistence.save= --percore.demo.persistence.dir="$dir" \
      --percore.demo.replication.repl-diskless-sync-delay=0 >"$log" 2>&1 &
  fi
  started=$!; pids+=("$started"); disown "$started"
  wait_pong "$port" "$started" "$name"
}

s3port=$(free_port)
mkdir -p "$work/s3/store/backups"
cat >"$work/s3/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$work/s3/store
jclouds.identity=bench
jclouds.credential=bench-secret
EOF
log="$work/s3proxy.log"
taskset -c "$tool_cpu" java -Xmx1g -jar "$s3proxy_jar" --properties "$work/s3/s3proxy.properties" >"$log" 2>&1 &
s3pid=$!; pids+=("$s3pid"); disown "$s3pid"
for _ in $(seq 1 1200); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $s3port), 1).close()" 2>/dev/null; then break; fi
  alive "$s3pid" || fail "S3Proxy exited"; sleep 0.1
done
s3env=(PERCORE_S3_ENDPOINT="http://127.0.0.1:$s3port" PERCORE_S3_BUCKET=backups PERCORE_S3_PATH_STYLE=true
       PERCORE_S3_ACCESS_KEY_ID=bench PERCORE_S3_SECRET_ACCESS_KEY=bench-secret PERCORE_BACKUP_NAMESPACE=bench)

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$rounds sets=\"$sets\" kinds=\"$kinds\" keys=$keys x $value_size B, big=$big_keys x $big_value B" \
  "part=$part_size x $parts_in_flight interval=${interval_us}us server_cpu=$server_cpu client_cpu=$client_cpu tool_cpu=$tool_cpu" \
  "client_prio=\"${client_prio:-none}\" load: $(cut -d' ' -f1-3 /proc/loadavg)"
results="$work/results"
echo "# round set kind bytes keys backup_ms backup_wall_ms backup_mbs restore_ms restore_mbs p99_before max_before n_before p99_during max_during n_during" >"$results"

for set in $sets; do
  if [ "$set" = small ]; then n=$keys; size=$value_size; else n=$big_keys; size=$big_value; fi
  python3 "$helper" gen "$n" "$size" "$work/load.resp"
  order=($kinds)
  for round in $(seq 1 "$rounds"); do
    for kind in "${order[@]}"; do
      port=$(free_port)
      start_server "$kind" "$port" "$kind-$set-$round"
      spid=$started
      out=$(taskset -c "$client_cpu" redis-cli -p "$port" --pipe <"$work/load.resp" 2>&1) || fail "loading $kind: $out"
      [ "$(redis-cli -p "$port" dbsize)" = "$n" ] || fail "$kind holds $(redis-cli -p "$port" dbsize) keys, not $n"
      lat="$work/lat-$kind-$set-$round"
      # shellcheck disable=SC2086
      taskset -c "$client_cpu" $client_prio python3 "$helper" client "$port" "$lat" "$interval_us" &
      cpid=$!; pids+=("$cpid")
      sleep "$baseline"
      t0=$(now_ns)
      line=$(env "${s3env[@]}" PERCORE_BACKUP_SERVICE="$kind-$set" PERCORE_BACKUP_SOURCES="127.0.0.1:$port" \
        PERCORE_BACKUP_PART_SIZE="$part_size" PERCORE_BACKUP_PARTS_IN_FLIGHT="$parts_in_flight" PERCORE_TERMINATION_LOG="$work/termination" \
        taskset -c "$tool_cpu" java $tool_heap -cp "$tool_cp" io.percore.operator.backup.BackupMain 2>"$work/backup.err" | tail -1) \
        || fail "backup of $kind failed: $line $(tail -5 "$work/backup.err")"
      t1=$(now_ns)
      sleep 1
      stop_tracked "$cpid"
      bytes=$(python3 "$helper" field "$line" bytes); bkeys=$(python3 "$helper" field "$line" keys)
      bms=$(python3 "$helper" field "$line" transferMillis)
      rdir=$(mktemp -d "$work/restore-XXXX")
      rline=$(env "${s3env[@]}" PERCORE_BACKUP_SERVICE="$kind-$set" PERCORE_DATA_DIR="$rdir" PERCORE_TERMINATION_LOG="$work/termination" \
        taskset -c "$tool_cpu" java $tool_heap -cp "$tool_cp" io.percore.operator.backup.RestoreMain 2>"$work/restore.err" | tail -1) \
        || fail "restore of $kind failed: $rline $(tail -5 "$work/restore.err")"
      rms=$(python3 "$helper" field "$rline" transferMillis)
      [ "$(python3 "$helper" field "$rline" keys)" = "$bkeys" ] || fail "restored $(python3 "$helper" field "$rline" keys) keys, backed up $bkeys"
      before=$(python3 "$helper" window "$lat" $((t0 - baseline * 1000000000)) "$t0")
      during=$(python3 "$helper" window "$lat" "$t0" "$t1")
      row=$(python3 -c "b=$bytes; print('%s %s %s %d %s %s %d %.1f %s %.1f' % ('$round', '$set', '$kind', b, '$bkeys', '$bms', ($t1 - $t0) // 1000000, b / 1e6 / ($bms / 1000), '$rms', b / 1e6 / ($rms / 1000)))")
      echo "$row $before $during" >>"$results"
      echo "  $row $before $during"
      stop_tracked "$spid"
      rm -rf "$rdir" "$work/s3/store/backups/bench" "$lat"
    done
    order=("${order[@]:1}" "${order[0]}")
  done
  rm -f "$work/load.resp"
done
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$helper" summary "$results"
