#!/usr/bin/env bash
# Replication (issue 26): the service as a Redis primary (and, where it can be one, as a replica) side by side with
# redis-server 7.0 in the same run. Four parts, each interleaved over rounds with the order of its variants rotated:
#
#   sync      full sync of SYNC_KEYS (1,000,000) string keys: a primary pinned to CPU 1 is loaded with the same keys
#             (redis-cli --pipe of SET key:%012d <VALUE_SIZE-byte value>), an empty replica pinned to CPU 0 is sent
#             REPLICAOF; measured: the time from REPLICAOF to master_link_status:up with the replica's
#             slave_repl_offset equal to the primary's master_repl_offset, and the primary's stall meanwhile: a
#             client pinned to CPU 0 sends PING every PING_INTERVAL_US and records each round trip (max, p99, p50;
#             beside them the same over the BASELINE seconds before REPLICAOF: the floor of this machine), and the
#             primary's CPU during the sync (its own utime+stime, and its reaped children's: redis forks). The
#             pinger runs SCHED_FIFO (PINGER_PRIO) when allowed: it measures the primary, not CPU 0's queue.
#             Variants primary:replica: redis:redis, svc:redis (a real redis-server judges the service as primary),
#             svc:svc and redis:svc (only when the service can be a replica, see SVC_REPLICA).
#   cpu       the primary's CPU per request (utime+stime of the whole process from /proc/PID/stat ÷ requests), as
#             run-aof.sh: primary pinned to CPU 1 (the service: one shard, pinned mode, idle-poll=0s, -Xmx512m),
#             redis-benchmark -t set -r 100000 -d 16 -c 50 at -P 16 (N) and -P 1 (N_P1) pinned to CPU 0, after a
#             warm-up; variants redis and svc alone, redis-repl and svc-repl with one redis-server replica pinned
#             to CPU 0 (beside redis-benchmark). The replica is caught up before each measured run, and the
#             measured span ends once it has caught up again (so the stream's tail is in the figure).
#   lag       during each measured run of cpu's -repl variants, every LAG_INTERVAL_MS: the primary's
#             master_repl_offset minus the replica's slave_repl_offset (INFO replication on each, primary first),
#             median and max in bytes; then how long the replica took to catch up once redis-benchmark ended.
#   failover  a primary (CPU 1) and a replica (CPU 0) of the same kind; a writer (CPU 0) sends SET k:i i + WAIT 1 100
#             and records which i were acknowledged by >= 1 replica; after FAILOVER_WARM seconds the primary is
#             SIGKILLed; a watcher that PINGs the primary every 100 ms sends REPLICAOF NO ONE to the replica once it
#             has had no PONG for FAILOVER_AFTER seconds; the writer, cut off, retries SET on the replica until one
#             is accepted. Measured: SIGKILL -> first accepted SET (and -> REPLICAOF NO ONE), and how many
#             acknowledged keys the new primary lacks (GET k:i != i). Kinds: redis, svc (svc only when it can be a
#             replica).
#
# SVC_REPLICA=auto (the default) first checks whether the service can replicate the service: REPLICAOF, then
# master_link_status:up and a key written on the primary readable on the replica within 30 s. If not, the svc:svc
# and redis:svc syncs and the svc failover are skipped (and said so); yes/no force it.
#
# usage: benchmarks/run-replication.sh
# env:   ROUNDS (3) for every part; SYNC_ROUNDS, CPU_ROUNDS, FAILOVER_ROUNDS (ROUNDS) each
#        PARTS ("sync cpu failover")
#        JAR (demo-service/target/percore-demo-service-0.1.0-SNAPSHOT-exec.jar)
#        sync:     SYNC_KEYS (1000000), VALUE_SIZE (16), SYNC_VARIANTS ("redis:redis svc:redis svc:svc redis:svc"),
#                  PING_INTERVAL_US (1000), BASELINE (2 s), SYNC_TIMEOUT (300 s), SYNC_HEAP ("-Xms512m -Xmx1g")
#        cpu:      N (1000000 requests per -P 16 run), N_P1 (N / 5), WARMUP (500000 at -P 16, a fifth at -P 1),
#                  TESTS ("set"), PIPELINES ("16 1"), CPU_VARIANTS ("redis redis-repl svc svc-repl"),
#                  LAG_INTERVAL_MS (100), HEAP ("-Xms256m -Xmx512m")
#        failover: FAILOVER_VARIANTS ("redis svc"), FAILOVER_AFTER (2 s), FAILOVER_WARM (3 s),
#                  FAILOVER_TIMEOUT (60 s)
#        SETTLE (3 s: after a replica starts, before REPLICAOF; after a failover pair is in sync, before writing),
#        PINGER_PRIO ("chrt -f 10": the pinger runs SCHED_FIFO, so that a busy replica or JVM start-up on the
#        same CPU does not delay it; empty, or not permitted: an ordinary process),
#        SVC_REPLICA (auto|yes|no), SVC_JAVA_OPTS (extra JVM flags for every service, e.g. a JFR recording),
#        REDIS_PRIMARY_FLAGS ("--repl-diskless-sync-delay 0": redis 7.0 otherwise waits 5 s for more replicas
#        before a diskless sync starts), SVC_PRIMARY_FLAGS ("--percore.demo.replication.repl-diskless-sync-delay=0":
#        the same for the service; "--percore.demo.replication.repl-diskless-sync=false" measures its disk-based
#        sync), SERVER_CPU (1), REPLICA_CPU (0), CLIENT_CPU (0), WORK (a mktemp dir)
set -euo pipefail
caller_pwd=$PWD
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
sync_rounds=${SYNC_ROUNDS:-$rounds}
cpu_rounds=${CPU_ROUNDS:-$rounds}
failover_rounds=${FAILOVER_ROUNDS:-$rounds}
parts=${PARTS:-sync cpu failover}
jar=${JAR:-demo-service/target/percore-demo-service-0.1.0-SNAPSHOT-exec.jar}
case "$jar" in /*) ;; *) [ -f "$jar" ] || jar="$caller_pwd/$jar" ;; esac
sync_keys=${SYNC_KEYS:-1000000}
value_size=${VALUE_SIZE:-16}
sync_variants=${SYNC_VARIANTS:-redis:redis svc:redis svc:svc redis:svc}
ping_interval_us=${PING_INTERVAL_US:-1000}
baseline=${BASELINE:-2}
sync_timeout=${SYNC_TIMEOUT:-300}
sync_heap=${SYNC_HEAP:--Xms512m -Xmx1g}
n=${N:-1000000}
n1=${N_P1:-$((n / 5))}
warmup=${WARMUP:-500000}
tests=${TESTS:-set}
pipelines=${PIPELINES:-16 1}
cpu_variants=${CPU_VARIANTS:-redis redis-repl svc svc-repl}
lag_interval_ms=${LAG_INTERVAL_MS:-100}
heap=${HEAP:--Xms256m -Xmx512m}
failover_variants=${FAILOVER_VARIANTS:-redis svc}
failover_after=${FAILOVER_AFTER:-2}
failover_warm=${FAILOVER_WARM:-3}
failover_timeout=${FAILOVER_TIMEOUT:-60}
svc_replica=${SVC_REPLICA:-auto}
settle=${SETTLE:-3}
pinger_prio=${PINGER_PRIO-chrt -f 10}
if [ -n "$pinger_prio" ] && ! $pinger_prio true 2>/dev/null; then pinger_prio=; fi
svc_java_opts=${SVC_JAVA_OPTS:-}
redis_primary_flags=${REDIS_PRIMARY_FLAGS:---repl-diskless-sync-delay 0}
svc_primary_flags=${SVC_PRIMARY_FLAGS:---percore.demo.replication.repl-diskless-sync-delay=0}
server_cpu=${SERVER_CPU:-1}
replica_cpu=${REPLICA_CPU:-0}
client_cpu=${CLIENT_CPU:-0}
clk=$(getconf CLK_TCK)

for tool in redis-server redis-benchmark redis-cli taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-replication: '$tool' is required (apt-get install redis-server redis-tools)" >&2; exit 2; }
done
[ -f "$jar" ] || { echo "run-replication: no jar $jar (set JAR)" >&2; exit 2; }
jar=$(realpath "$jar")

if [ -n "${WORK:-}" ]; then mkdir -p "$WORK"; work=$(mktemp -d "$WORK/percore-repl-XXXX"); else work=$(mktemp -d /tmp/percore-repl-XXXX); fi
pids=()      # every process started here that may still run: servers, pingers, samplers
started=     # the pid of the last server started
log=
alive() { local s; s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$s" ] && [ "$s" != Z ]; }
forget() { local p keep=(); for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; pids=("${keep[@]}"); }
stop_pid() { # pid: SIGTERM, SIGKILL after 60 s, reaped
  local p=$1
  [ -n "$p" ] || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 600); do alive "$p" || break; sleep 0.1; done
  if alive "$p"; then echo "run-replication: $p still running 60 s after SIGTERM, killing it" >&2; kill -KILL "$p" 2>/dev/null || true; fi
  { wait "$p"; } 2>/dev/null || true
  forget "$p"
}
stop_all() { local p; for p in "${pids[@]}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do [ -n "$p" ] && stop_pid "$p"; done; pids=(); }
cleanup() { stop_all; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ticks() { awk '{print $14 + $15, $16 + $17}' "/proc/$1/stat"; }   # own utime+stime, reaped children's
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }
fail() { echo "run-replication: $*" >&2; if [ -n "$log" ]; then echo "--- last lines of $log:" >&2; tail -n 30 "$log" >&2 || true; fi; exit 1; }

tool="$work/repl.py"   # the clients: pinger, sync timer, lag sampler, failover writer and watcher
cat >"$tool" <<'PY'
import os, sys, socket, time, signal, statistics, threading, random

class RespError(str):
    pass

class Resp:
    def __init__(self, port, timeout=10.0):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
    def close(self):
        try:
            self.s.close()
        except OSError:
            pass
    def send(self, *cmds):
        out = bytearray()
        for argv in cmds:
            out += b"*%d\r\n" % len(argv)
            for a in argv:
                a = a if isinstance(a, bytes) else str(a).encode()
                out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
    def _fill(self):
        d = self.s.recv(1 << 16)
        if not d:
            raise ConnectionError("connection closed")
        self.buf += d
    def line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                l, self.buf = self.buf[:i], self.buf[i + 2:]
                return l
            self._fill()
    def reply(self):
        l = self.line(); t, rest = l[:1], l[1:]
        if t == b"+": return rest.decode()
        if t == b"-": return RespError(rest.decode())
        if t == b":": return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0: return None
            while len(self.buf) < n + 2: self._fill()
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("bad reply %r" % l)
    def call(self, *argv):
        self.send(list(argv)); return self.reply()

def info(r, section="replication"):
    return parse_info(r.call("INFO", section))

def parse_info(text):
    d = {}
    for l in text.decode().splitlines():
        if ":" in l and not l.startswith("#"):
            k, v = l.split(":", 1); d[k] = v
    return d

def replica_offset(i):
    v = i.get("slave_repl_offset") or i.get("master_repl_offset") or "-1"
    return int(v)

stop = False
def on_term(*_):
    global stop
    stop = True

def pct(vals, q):
    s = sorted(vals)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")

def gen(keys, size, out):   # SET key:%012d <value> for every key, RESP, for redis-cli --pipe
    with open(out, "wb", buffering=1 << 20) as f:
        for i in range(keys):
            k = b"key:%012d" % i
            v = (b"%0*d" % (size, i))[-size:]
            f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))

def ping(port, interval_us, out):   # PING every interval until SIGTERM; "send_ns latency_ns" lines
    signal.signal(signal.SIGTERM, on_term)
    r = Resp(port); msg = b"*1\r\n$4\r\nPING\r\n"; samples = []; errors = 0
    interval = interval_us * 1000
    while not stop:
        t0 = time.monotonic_ns()
        try:
            r.s.sendall(msg)
            if r.line() != b"+PONG": errors += 1
        except OSError:
            errors += 1; time.sleep(0.01)
            try: r = Resp(port)
            except OSError: pass
            continue
        t1 = time.monotonic_ns()
        samples.append((t0, t1 - t0))
        rest = t0 + interval - time.monotonic_ns()
        if rest > 0: time.sleep(rest / 1e9)
    with open(out, "w") as f:
        f.write("# errors %d\n" % errors)
        for t, l in samples: f.write("%d %d\n" % (t, l))

def pingstats(path, t0, t1):   # in [t0, t1]: n p50 p99 max (ms); before t0 (the baseline): p99 max
    t0, t1 = int(t0), int(t1); during, before = [], []
    for l in open(path):
        if l.startswith("#"): continue
        t, lat = map(int, l.split())
        (during if t0 <= t <= t1 else before if t < t0 else []).append(lat / 1e6)
    print("%d %.3f %.3f %.3f %.3f %.3f" % (len(during), pct(during, .5), pct(during, .99), max(during, default=float("nan")),
                                           pct(before, .99), max(before, default=float("nan"))))

def sync(pport, rport, timeout):   # REPLICAOF, then until up with the primary's offset: t0_ns t1_ns sync_ms up_ms offset
    r = Resp(rport); p = Resp(pport)
    t0 = time.monotonic_ns()
    rep = r.call("REPLICAOF", "127.0.0.1", pport)
    if isinstance(rep, RespError): sys.exit("REPLICAOF: " + rep)
    up = None; deadline = time.monotonic() + timeout; last = {}
    while time.monotonic() < deadline:
        last = info(r)
        if last.get("master_link_status") == "up":
            if up is None: up = time.monotonic_ns()
            po = int(info(p)["master_repl_offset"])
            if replica_offset(last) == po:
                t1 = time.monotonic_ns()
                print("%d %d %.1f %.1f %d" % (t0, t1, (t1 - t0) / 1e6, (up - t0) / 1e6, po))
                return
        time.sleep(0.005)
    sys.exit("no sync in %s s; replica's INFO replication: %s" % (timeout, last))

def caughtup(pport, rport, timeout):   # until the replica is up at the primary's offset: ms waited
    r = Resp(rport); p = Resp(pport); t0 = time.monotonic(); last = {}
    while time.monotonic() - t0 < timeout:
        last = info(r)
        if last.get("master_link_status") == "up" and replica_offset(last) == int(info(p)["master_repl_offset"]):
            print("%.1f" % ((time.monotonic() - t0) * 1e3)); return
        time.sleep(0.005)
    sys.exit("replica not caught up in %s s: %s" % (timeout, last))

def lag(pport, rport, interval_ms, out):   # primary's offset - replica's, every interval, until SIGTERM
    signal.signal(signal.SIGTERM, on_term)
    p = Resp(pport); r = Resp(rport)
    with open(out, "w") as f:
        while not stop:
            t = time.monotonic()
            p.send(["INFO", "replication"]); r.send(["INFO", "replication"])   # both asked at the same moment
            po = int(parse_info(p.reply())["master_repl_offset"]); ro = replica_offset(parse_info(r.reply()))
            f.write("%d\n" % (po - ro)); f.flush()
            rest = t + interval_ms / 1e3 - time.monotonic()
            if rest > 0: time.sleep(rest)

def lagstats(path):   # median max samples; a negative sample (the replica read a little later) counts as 0
    v = [max(0, int(l)) for l in open(path) if l.strip()]
    print("%d %d %d" % (statistics.median(v), max(v), len(v)) if v else "- - 0")

def verify(pport, rport, keys, sample):   # DBSIZE of both, and sampled keys equal: "ok" or what differs
    p = Resp(pport); r = Resp(rport)
    dp, dr = p.call("DBSIZE"), r.call("DBSIZE")
    ks = ["key:%012d" % random.randrange(keys) for _ in range(sample)]
    vp, vr = p.call("MGET", *ks), r.call("MGET", *ks)
    bad = sum(1 for a, b in zip(vp, vr) if a != b or a is None)
    print("ok" if dp == dr == keys and bad == 0 else "MISMATCH dbsize primary %s replica %s (want %d), %d of %d sampled keys differ" % (dp, dr, keys, bad, sample))

def probe(pport, rport, timeout):   # the service as a replica: link up and a key through within timeout
    r = Resp(rport); p = Resp(pport)
    rep = r.call("REPLICAOF", "127.0.0.1", pport)
    if isinstance(rep, RespError): print("REPLICAOF refused: " + rep); return
    deadline = time.monotonic() + timeout; last = {}; token = "probe-%d" % time.time_ns()
    p.call("SET", "replication-probe", token)
    while time.monotonic() < deadline:
        last = info(r)
        if last.get("master_link_status") == "up" and r.call("GET", "replication-probe") == token.encode():
            print("ok"); return
        time.sleep(0.05)
    print("no: master_link_status:%s after %s s (role:%s)" % (last.get("master_link_status"), timeout, last.get("role")))

def failover(pport, ppid, rport, warm, after, timeout):
    # prints: failover_ms promote_ms acked missing sets_unacked sets_after_kill_refused detect_ms
    state = {"last_pong": time.monotonic(), "t_promote": None, "promote": None, "detect": None}
    def watcher():
        r = None
        while True:
            t = time.monotonic()
            try:
                if r is None: r = Resp(pport, timeout=0.5)
                if r.call("PING") == "PONG": state["last_pong"] = time.monotonic()
            except (OSError, ValueError):
                if r is not None: r.close()
                r = None
            if time.monotonic() - state["last_pong"] >= after:
                state["detect"] = time.monotonic_ns()
                n = Resp(rport)
                state["promote"] = n.call("REPLICAOF", "NO", "ONE")
                state["t_promote"] = time.monotonic_ns()
                return
            rest = t + 0.1 - time.monotonic()
            if rest > 0: time.sleep(rest)
    kill = {}
    def killer():
        kill["t"] = time.monotonic_ns(); os.kill(ppid, signal.SIGKILL)
    w = Resp(pport, timeout=10)
    watch = threading.Thread(target=watcher, daemon=True); watch.start()
    threading.Timer(warm, killer).start()
    acked, unacked, i = [], 0, 0
    while True:   # on the primary until it is gone
        try:
            w.send(["SET", "k:%d" % i, i], ["WAIT", 1, 100])
            a, b = w.reply(), w.reply()
        except (OSError, ConnectionError):
            break
        if a == "OK" and isinstance(b, int) and b >= 1: acked.append(i)
        else: unacked += 1
        i += 1
    w.close()
    refused, n, first = 0, None, None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:   # then on the replica until a SET is accepted
        try:
            if n is None: n = Resp(rport, timeout=2)
            x = n.call("SET", "k:%d" % i, i)
            if x == "OK": first = time.monotonic_ns(); break
            refused += 1
        except (OSError, ConnectionError):
            if n is not None: n.close()
            n = None
        time.sleep(0.005)
    if first is None: sys.exit("no SET accepted on the replica %s s after the primary was killed (promote: %r)" % (timeout, state["promote"]))
    watch.join(timeout)   # a replica may accept writes before its REPLICAOF NO ONE has answered
    missing = 0
    for c in range(0, len(acked), 1000):
        chunk = acked[c:c + 1000]
        vals = n.call("MGET", *["k:%d" % j for j in chunk])
        missing += sum(1 for j, v in zip(chunk, vals) if v != str(j).encode())
    tk = kill["t"]
    print("%.1f %.1f %d %d %d %d %.1f" % ((first - tk) / 1e6, (state["t_promote"] - tk) / 1e6 if state["t_promote"] else float("nan"),
                                       len(acked), missing, unacked, refused, (state["detect"] - tk) / 1e6 if state["detect"] else float("nan")))

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "gen": gen(int(args[0]), int(args[1]), args[2])
elif cmd == "ping": ping(int(args[0]), int(args[1]), args[2])
elif cmd == "pingstats": pingstats(*args)
elif cmd == "sync": sync(int(args[0]), int(args[1]), float(args[2]))
elif cmd == "caughtup": caughtup(int(args[0]), int(args[1]), float(args[2]))
elif cmd == "lag": lag(int(args[0]), int(args[1]), float(args[2]), args[3])
elif cmd == "lagstats": lagstats(args[0])
elif cmd == "verify": verify(int(args[0]), int(args[1]), int(args[2]), int(args[3]))
elif cmd == "probe": probe(int(args[0]), int(args[1]), float(args[2]))
elif cmd == "failover": failover(int(args[0]), int(args[1]), int(args[2]), float(args[3]), float(args[4]), float(args[5]))
else: sys.exit("unknown " + cmd)
PY
client() { taskset -c "$client_cpu" python3 "$tool" "$@"; }

wait_pong() { # port pid what: until PING answers PONG (120 s)
  local reply=
  for _ in $(seq 1 1200); do
    reply=$(redis-cli -p "$1" ping 2>&1 || true)
    [ "$reply" = PONG ] && return 0
    alive "$2" || fail "$3 exited before serving"
    sleep 0.1
  done
  fail "$3 does not answer PONG after 120 s (last reply: $reply)"
}
start_redis() { # port cpu name [flags...]: an empty redis-server in a fresh data directory; $started
  local port=$1 cpu=$2 name=$3 dir; shift 3
  dir=$(mktemp -d "$work/data-$name-XXXX"); log="$work/$name.log"
  taskset -c "$cpu" redis-server --port "$port" --bind 127.0.0.1 --daemonize no --save '' --appendonly no \
    --dir "$dir" --logfile "$log" "$@" >/dev/null 2>&1 &
  started=$!; pids+=("$started"); disown "$started"   # reaped by the shell itself: no "Killed" notice after a SIGKILL
  wait_pong "$port" "$started" "$name"
}
start_svc() { # port cpu name heap [flags...]: the service, one shard pinned on cpu, no persistence; $started
  local port=$1 cpu=$2 name=$3 jvm_heap=$4 dir http mgmt shards; shift 4
  dir=$(mktemp -d "$work/data-$name-XXXX"); log="$work/$name.log"
  http=$(free_port); mgmt=$(free_port)
  # env -u: Spring binds PERCORE_* environment variables to percore.* keys
  # shellcheck disable=SC2086
  taskset -c "$cpu" env -u PERCORE_JAR -u PERCORE_PERSISTENCE -u PERCORE_DATA_DIR -u PERCORE_REPLICAOF \
    -u PERCORE_MASTERAUTH -u PERCORE_REQUIREPASS \
    java $jvm_heap -Dio.netty.leakDetection.level=disabled $svc_java_opts -jar "$jar" \
    --percore.servers.resp.port="$port" --percore.servers.http.port="$http" --management.server.port="$mgmt" \
    --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s \
    --percore.demo.persistence.mode=none --percore.demo.persistence.save= --percore.demo.persistence.dir="$dir" \
    "$@" >"$log" 2>&1 &
  started=$!; pids+=("$started"); disown "$started"   # reaped by the shell itself: no "Killed" notice after a SIGKILL
  wait_pong "$port" "$started" "$name"
  shards=$(info_field "$port" server shards)
  [ "$shards" = 1 ] || fail "$name: expected 1 shard on CPU $cpu, INFO says '$shards'"
}
start_kind() { # kind(redis|svc) port cpu name heap role(primary|replica) [flags...]
  local kind=$1 port=$2 cpu=$3 name=$4 jvm_heap=$5 role=$6; shift 6
  if [ "$kind" = redis ]; then
    # shellcheck disable=SC2086
    if [ "$role" = primary ]; then start_redis "$port" "$cpu" "$name" $redis_primary_flags "$@"; else start_redis "$port" "$cpu" "$name" "$@"; fi
  elif [ "$role" = primary ]; then
    # shellcheck disable=SC2086
    start_svc "$port" "$cpu" "$name" "$jvm_heap" $svc_primary_flags "$@"
  else
    start_svc "$port" "$cpu" "$name" "$jvm_heap" "$@"
  fi
}

bench() { # port test pipeline requests: redis-benchmark's --csv output, failing on an error reply (or after 15 min)
  local out
  out=$(timeout 900 taskset -c "$client_cpu" redis-benchmark -p "$1" -t "$2" -r 100000 -d 16 -c 50 -P "$3" -n "$4" --csv 2>&1) \
    || fail "redis-benchmark -t $2 -P $3 failed: $out"
  if grep -qi 'error' <<<"$out"; then fail "redis-benchmark -t $2 -P $3: $out"; fi
  printf '%s\n' "$out"
}

results="$work/results"
emit() { printf '%s\n' "$*" | tee -a "$results"; }
note() { printf '# %s\n' "$*" | tee -a "$results"; }
rotated() { # round list...: the list rotated by round-1
  local r=$1; shift; local a=("$@") i out=()
  for ((i = 0; i < ${#a[@]}; i++)); do out+=("${a[$(( (i + r - 1) % ${#a[@]} ))]}"); done
  echo "${out[@]}"
}

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) parts=\"$parts\" rounds sync=$sync_rounds cpu=$cpu_rounds failover=$failover_rounds server_cpu=$server_cpu replica_cpu=$replica_cpu client_cpu=$client_cpu load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "jar: $jar"
echo "redis: $(redis-server --version | head -1); redis primaries get: $redis_primary_flags; service primaries: $svc_primary_flags; pinger: ${pinger_prio:-ordinary priority}"

# ---- can the service be a replica?
svc_ok=no
if [ "$svc_replica" = auto ]; then
  if [[ " $sync_variants " == *":svc "* || " $failover_variants " == *" svc "* ]]; then
    pport=$(free_port); rport=$(free_port)
    start_svc "$pport" "$server_cpu" probe-primary "$heap"; p1=$started
    start_svc "$rport" "$replica_cpu" probe-replica "$heap"; p2=$started
    probe=$(client probe "$pport" "$rport" 30 2>&1 || true)
    [ "$probe" = ok ] && svc_ok=yes
    note "service as a replica of the service: $probe"
    stop_pid "$p1"; stop_pid "$p2"
  fi
else
  svc_ok=$svc_replica
fi

# ---- 1. full sync
if grep -qw sync <<<"$parts"; then
  echo "generating $sync_keys keys of $value_size bytes"
  client gen "$sync_keys" "$value_size" "$work/load.resp"
  note "sync: round variant(primary:replica) sync_ms up_ms stall_max_ms stall_p99_ms stall_p50_ms base_max_ms base_p99_ms primary_cpu_ms primary_children_cpu_ms pings"
  read -r -a sv <<<"$sync_variants"
  for ((r = 1; r <= sync_rounds; r++)); do
    for v in $(rotated "$r" "${sv[@]}"); do
      pk=${v%%:*}; rk=${v##*:}
      if [ "$rk" = svc ] && [ "$svc_ok" != yes ]; then note "$r sync $v skipped: the service cannot be a replica here"; continue; fi
      pport=$(free_port); rport=$(free_port)
      start_kind "$pk" "$pport" "$server_cpu" "sync-primary-$pk" "$sync_heap" primary; ppid=$started
      out=$(taskset -c "$client_cpu" redis-cli -p "$pport" --pipe <"$work/load.resp" 2>&1) || fail "loading $pk: $out"
      grep -q "errors: 0, replies: $sync_keys" <<<"$out" || fail "loading $pk: $out"
      [ "$(redis-cli -p "$pport" dbsize)" = "$sync_keys" ] || fail "$pk primary holds $(redis-cli -p "$pport" dbsize) keys, not $sync_keys"
      start_kind "$rk" "$rport" "$replica_cpu" "sync-replica-$rk" "$sync_heap" replica; rpid=$started
      sleep "$settle"   # the JVM's start-up work (JIT, class loading) done
      pingout="$work/ping.out"
      # shellcheck disable=SC2086
      taskset -c "$client_cpu" $pinger_prio python3 "$tool" ping "$pport" "$ping_interval_us" "$pingout" & pinger=$!; pids+=("$pinger")
      sleep "$baseline"
      read -r own0 child0 < <(ticks "$ppid")
      s=$(client sync "$pport" "$rport" "$sync_timeout") || { log="$work/sync-replica-$rk.log"; fail "sync $v: $s"; }
      sleep 0.5   # children reaped, the pinger past the end
      read -r own1 child1 < <(ticks "$ppid")
      stop_pid "$pinger"
      read -r t0 t1 sync_ms up_ms offset <<<"$s"
      read -r pings p50 p99 pmax bp99 bmax < <(client pingstats "$pingout" "$t0" "$t1")
      check=$(client verify "$pport" "$rport" "$sync_keys" 1000)
      emit "$r sync $v $sync_ms $up_ms $pmax $p99 $p50 $bmax $bp99 $(( (own1 - own0) * 1000 / clk )) $(( (child1 - child0) * 1000 / clk )) $pings"
      size=$(grep -o 'receiving [0-9]* bytes\|receiving streamed RDB' "$work/sync-replica-$rk.log" 2>/dev/null | tail -1 || true)
      note "$r sync $v: offset $offset, replica check: $check${size:+, replica log: $size}"
      stop_pid "$rpid"; stop_pid "$ppid"; rm -rf "$work"/data-sync-*
    done
    awk -v r="$r" '$1 == r && $2 == "sync" {ms[$3] = $4; st[$3] = $6}
      END {b = ms["redis:redis"]; bs = st["redis:redis"]; for (v in ms) if (v != "redis:redis" && b > 0)
        printf "%s sync-ratio %s/redis:redis sync_ms %.3f stall_max %.3f\n", r, v, ms[v] / b, (bs > 0 ? st[v] / bs : 0)}' "$results" \
      | sort | while read -r line; do emit "$line"; done
  done
  rm -f "$work/load.resp"
fi

# ---- 2. and 3. CPU per request with and without a replica, and the stream's lag
if grep -qw cpu <<<"$parts"; then
  note "cpu: round variant test P primary_cpu_us_per_request primary_children_us_per_request requests_per_s lag_median_bytes lag_max_bytes lag_samples catchup_ms"
  read -r -a cv <<<"$cpu_variants"
  for ((r = 1; r <= cpu_rounds; r++)); do
    for v in $(rotated "$r" "${cv[@]}"); do
      kind=${v%-repl}; rpid=; pport=$(free_port); rport=
      start_kind "$kind" "$pport" "$server_cpu" "cpu-$kind" "$heap" primary; ppid=$started
      if [ "$v" != "$kind" ]; then
        rport=$(free_port)
        start_redis "$rport" "$replica_cpu" "cpu-replica" --replicaof 127.0.0.1 "$pport"; rpid=$started
        client caughtup "$pport" "$rport" 60 >/dev/null || fail "$v: the replica did not come up"
      fi
      bench "$pport" "${tests// /,}" 16 "$warmup" >/dev/null      # warm-up (the JIT) at both depths, not measured
      bench "$pport" "${tests// /,}" 1 $((warmup / 5)) >/dev/null
      for p in $pipelines; do
        requests=$n; [ "$p" = 1 ] && requests=$n1
        for t in $tests; do
          [ -n "$rport" ] && { client caughtup "$pport" "$rport" 120 >/dev/null || fail "$v: the replica did not catch up"; }
          read -r own0 child0 < <(ticks "$ppid")
          if [ -n "$rport" ]; then
            taskset -c "$client_cpu" python3 "$tool" lag "$pport" "$rport" "$lag_interval_ms" "$work/lag.out" & sampler=$!; pids+=("$sampler")
          fi
          out=$(bench "$pport" "$t" "$p" "$requests")
          lagf="- - 0"; catchup=-
          if [ -n "$rport" ]; then
            stop_pid "$sampler"
            catchup=$(client caughtup "$pport" "$rport" 120) || fail "$v: the replica did not catch up"
            lagf=$(client lagstats "$work/lag.out")
          fi
          read -r own1 child1 < <(ticks "$ppid")
          rps=$(awk -F'"' -v t="${t^^}" '$2 == t {printf "%.0f", $4}' <<<"$out")
          emit "$r cpu $v $t $p $(awk -v o=$((own1 - own0)) -v c=$((child1 - child0)) -v hz="$clk" -v n="$requests" \
            'BEGIN{printf "%.3f %.3f", o*1e6/hz/n, c*1e6/hz/n}') ${rps:--} $lagf $catchup"
        done
      done
      if [ -n "$rport" ]; then
        note "$r cpu $v: keys primary $(redis-cli -p "$pport" dbsize) replica $(redis-cli -p "$rport" dbsize), $(redis-cli -p "$pport" info replication | tr -d '\r' | grep -E '^slave0:')"
        stop_pid "$rpid"
      fi
      stop_pid "$ppid"; rm -rf "$work"/data-cpu-*
    done
    awk -v r="$r" '$1 == r && $2 == "cpu" {c[$3 " " $4 "-P" $5] = $6; k[$4 "-P" $5] = 1}
      END {for (s in k) {
        line = r " ratio " s
        line = line " svc/redis " ((c["svc " s] != "" && c["redis " s] > 0) ? sprintf("%.3f", c["svc " s] / c["redis " s]) : "-")
        line = line " svc-repl/redis-repl " ((c["svc-repl " s] != "" && c["redis-repl " s] > 0) ? sprintf("%.3f", c["svc-repl " s] / c["redis-repl " s]) : "-")
        line = line " svc-repl/svc " ((c["svc-repl " s] != "" && c["svc " s] > 0) ? sprintf("%.3f", c["svc-repl " s] / c["svc " s]) : "-")
        line = line " redis-repl/redis " ((c["redis-repl " s] != "" && c["redis " s] > 0) ? sprintf("%.3f", c["redis-repl " s] / c["redis " s]) : "-")
        line = line " repl_us_svc " ((c["svc-repl " s] != "" && c["svc " s] != "") ? sprintf("%.3f", c["svc-repl " s] - c["svc " s]) : "-")
        line = line " repl_us_redis " ((c["redis-repl " s] != "" && c["redis " s] != "") ? sprintf("%.3f", c["redis-repl " s] - c["redis " s]) : "-")
        print line}}' "$results" | sort | while read -r line; do emit "$line"; done
  done
fi

# ---- 4. failover
if grep -qw failover <<<"$parts"; then
  note "failover: round kind sigkill_to_first_set_ms sigkill_to_promoted_ms acked missing_acked sets_not_acked sets_refused_before_promotion sigkill_to_detected_ms"
  read -r -a fv <<<"$failover_variants"
  for ((r = 1; r <= failover_rounds; r++)); do
    for kind in $(rotated "$r" "${fv[@]}"); do
      if [ "$kind" = svc ] && [ "$svc_ok" != yes ]; then note "$r failover svc skipped: the service cannot be a replica here"; continue; fi
      pport=$(free_port); rport=$(free_port)
      start_kind "$kind" "$pport" "$server_cpu" "fo-primary-$kind" "$heap" primary; ppid=$started
      start_kind "$kind" "$rport" "$replica_cpu" "fo-replica-$kind" "$heap" replica; rpid=$started
      client sync "$pport" "$rport" 60 >/dev/null || fail "failover $kind: the replica did not come up"
      sleep "$settle"
      f=$(client failover "$pport" "$ppid" "$rport" "$failover_warm" "$failover_after" "$failover_timeout") \
        || { log="$work/fo-replica-$kind.log"; fail "failover $kind: $f"; }
      emit "$r failover $kind $f"
      stop_pid "$ppid"; stop_pid "$rpid"; rm -rf "$work"/data-fo-*
    done
  done
fi

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" <<'EOF'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l[:1].isdigit()]
def num(x):
    try: return float(x)
    except ValueError: return None
def stats(vals, f="%9.3f"):
    vals = [v for v in vals if v is not None]
    if not vals: return "-"
    return ("min " + f + "  median " + f + "  max " + f + "  (%d)") % (min(vals), statistics.median(vals), max(vals), len(vals))
sync = [r for r in rows if r[1] == "sync"]
if sync:
    print("full sync (ms; stall = PING round trips on the primary during the sync):")
    for v in dict.fromkeys(r[2] for r in sync):
        rs = [r for r in sync if r[2] == v]
        for i, name in ((3, "sync_ms"), (4, "up_ms"), (5, "stall_max_ms"), (6, "stall_p99_ms"), (8, "base_max_ms"), (9, "base_p99_ms"),
                        (10, "primary_cpu_ms"), (11, "children_cpu_ms")):
            print(f"  {v:12s} {name:16s} {stats([num(r[i]) for r in rs], '%9.1f')}")
    for v in dict.fromkeys(r[2] for r in rows if r[1] == "sync-ratio"):
        rs = [r for r in rows if r[1] == "sync-ratio" and r[2] == v]
        print(f"  {v:24s} sync_ms ratio {stats([num(r[4]) for r in rs])}   stall_max ratio {stats([num(r[6]) for r in rs])}")
cpu = [r for r in rows if r[1] == "cpu"]
if cpu:
    print("primary CPU us per request (lag: bytes, median / max of each run's samples):")
    for s in sorted({(r[3], int(r[4])) for r in cpu}, key=lambda s: (-s[1], s[0])):
        for v in ("redis", "redis-repl", "svc", "svc-repl"):
            rs = [r for r in cpu if r[2] == v and r[3] == s[0] and int(r[4]) == s[1]]
            if not rs: continue
            print(f"  {s[0]}-P{s[1]:<3d} {v:10s} cpu {stats([num(r[5]) for r in rs])}   req/s {stats([num(r[7]) for r in rs], '%9.0f')}")
            if v.endswith("-repl"):
                print(f"  {'':8s} {v:10s} lag median {stats([num(r[8]) for r in rs], '%9.0f')}")
                print(f"  {'':8s} {v:10s} lag max    {stats([num(r[9]) for r in rs], '%9.0f')}")
                print(f"  {'':8s} {v:10s} catch-up ms {stats([num(r[11]) for r in rs], '%8.1f')}")
    print("ratios (within a round):")
    rat = [r for r in rows if r[1] == "ratio"]
    for s in dict.fromkeys(r[2] for r in rat):
        rs = [r for r in rat if r[2] == s]
        for i in range(3, len(rs[0]), 2):
            print(f"  {s:8s} {rs[0][i]:20s} {stats([num(r[i + 1]) for r in rs])}")
fo = [r for r in rows if r[1] == "failover"]
if fo:
    print("failover:")
    for k in dict.fromkeys(r[2] for r in fo):
        rs = [r for r in fo if r[2] == k]
        print(f"  {k:6s} SIGKILL -> first accepted SET ms {stats([num(r[3]) for r in rs], '%8.1f')}")
        print(f"  {k:6s} SIGKILL -> REPLICAOF NO ONE done ms {stats([num(r[4]) for r in rs], '%8.1f')}")
        print(f"  {k:6s} acknowledged writes {stats([num(r[5]) for r in rs], '%8.0f')}; acknowledged keys missing: {sum(int(r[6]) for r in rs)} in all")
EOF
