#!/usr/bin/env bash
# RESP over TLS: the Percore demo with BoringSSL (netty-tcnative), the same demo with the JDK's TLS
# engine, and redis-server 7.0 with TLS (Debian's build), side by side on this machine. Each server
# pinned to one CPU with one shard, redis-benchmark --tls pinned to the other; CPU time per request
# of the server (utime+stime from /proc/PID/stat), rounds interleaved with the order rotated,
# min/median/max of the per-round ratios to redis-server. One certificate for all three (RSA 2048,
# cert-manager's default key; KEY=ec for P-256), TLS 1.3, 50 kept-alive connections (their 50
# handshakes are in the figure, a fraction of a percent of it). The handshake scenario reconnects
# for every request (-k 0): the CPU of one full handshake plus a PING.
#
# usage: benchmarks/run-tls.sh [rounds]      (default 3; ~2 min a round plus ~1 min of start and warm-up)
# env:   SCENARIOS (default: set-P1 get-P1 set-P16 get-P16 handshake)  SERVER_CPU (1) CLIENT_CPU (0)
#        REQUESTS (100000, -P 1) PIPELINED_REQUESTS (1000000, -P 16) HANDSHAKES (5000)  KEY (rsa | ec)
#        PERCORE_JAR (default demo-service/target/percore-demo-service-*.jar, built if missing)
set -euo pipefail

ROUNDS=${1:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
REQUESTS=${REQUESTS:-100000}
PIPELINED_REQUESTS=${PIPELINED_REQUESTS:-1000000}
HANDSHAKES=${HANDSHAKES:-5000}
KEY=${KEY:-rsa}
read -r -a SELECTED <<<"${SCENARIOS:-set-P1 get-P1 set-P16 get-P16 handshake}"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/percore-tls.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in redis-server redis-benchmark redis-cli openssl taskset java python3; do
  command -v "$tool" >/dev/null || { echo "run-tls: '$tool' is required (apt-get install redis-server redis-tools openssl util-linux)" >&2; exit 2; }
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
  echo "run-tls: timed out waiting for: $*" >&2; tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true; return 1
}

# ---------------------------------------------------------------- one authority, one server certificate
if [ "$KEY" = ec ]; then keyopt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); else keyopt=(-newkey rsa:2048); fi
openssl req -x509 "${keyopt[@]}" -nodes -days 2 -subj "/CN=run-tls CA" -keyout "$WORK/ca.key" -out "$WORK/ca.crt" 2>/dev/null
openssl req "${keyopt[@]}" -nodes -subj "/CN=localhost" -keyout "$WORK/server.key" -out "$WORK/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$WORK/ext.cnf"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
  -extfile "$WORK/ext.cnf" -out "$WORK/server.crt" 2>/dev/null

# ---------------------------------------------------------------- the servers
start_percore() { # name engine-options...
  local name=$1; shift
  local resp tls mgmt http
  resp=$(free_port); tls=$(free_port); mgmt=$(free_port); http=$(free_port)
  taskset -c "$SERVER_CPU" env -u PERCORE_JAR java -Xms256m -Xmx512m -Dio.netty.leakDetection.level=disabled "$@" -jar "$JAR" \
    --percore.servers.resp.port="$resp" --percore.servers.resp.ssl.bundle=bench --percore.servers.resp.ssl.port="$tls" \
    --spring.ssl.bundle.pem.bench.keystore.certificate="file:$WORK/server.crt" \
    --spring.ssl.bundle.pem.bench.keystore.private-key="file:$WORK/server.key" \
    --percore.servers.http.port="$http" --management.server.port="$mgmt" \
    --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s > "$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  eval "${name}_PID=$! ${name}_PORT=$tls"
  wait_for redis-cli --tls --cacert "$WORK/ca.crt" -p "$tls" ping
}
echo "== starting the Percore demo twice (BoringSSL; JDK engine) and redis-server with TLS, each pinned to CPU $SERVER_CPU"
start_percore openssl
start_percore jdk -Dio.netty.handler.ssl.noOpenSsl=true
grep -q 'engine OpenSSL' "$WORK/openssl.log" || { echo "run-tls: the BoringSSL run did not get OpenSSL:" >&2; grep 'TLS from' "$WORK/openssl.log" >&2; exit 1; }
grep -q 'engine JDK' "$WORK/jdk.log" || { echo "run-tls: the JDK run did not get the JDK engine" >&2; exit 1; }
grep -h 'TLS from SSL bundle' "$WORK/openssl.log" "$WORK/jdk.log" | sed 's/^.*Server/   Server/'
redis_PORT=$(free_port)
taskset -c "$SERVER_CPU" redis-server --port 0 --tls-port "$redis_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --tls-cert-file "$WORK/server.crt" --tls-key-file "$WORK/server.key" --tls-ca-cert-file "$WORK/ca.crt" --tls-auth-clients no \
  > "$WORK/redis.log" 2>&1 &
redis_PID=$!; PIDS+=("$redis_PID")
wait_for redis-cli --tls --cacert "$WORK/ca.crt" -p "$redis_PORT" ping
for who in openssl jdk redis; do
  port=${who}_PORT
  [ "$(redis-cli --tls --cacert "$WORK/ca.crt" -p "${!port}" set k v)" = OK ] || { echo "run-tls: $who does not answer SET over TLS" >&2; exit 1; }
done
shards=$(redis-cli --tls --cacert "$WORK/ca.crt" -p "$openssl_PORT" info server | tr -d '\r' | awk -F: '$1=="shards"{print $2}')
[ "$shards" = 1 ] || { echo "run-tls: expected 1 shard on one CPU, INFO says '$shards'" >&2; exit 1; }

# ---------------------------------------------------------------- runs: "<requests> <cpu_us_per_request> <rps>"
bench() { { taskset -c "$CLIENT_CPU" redis-benchmark --tls --cacert "$WORK/ca.crt" "$@" 2>&1 || echo "error: redis-benchmark exited with status $?"; } | tr '\r' '\n'; }
run() { # who scenario
  local pidv=${1}_PID portv=${1}_PORT n title args before after out rps
  case "$2" in
    handshake) n=$HANDSHAKES; title=PING; args=(-k 0 -c 10 PING) ;;
    *-P1) n=$REQUESTS; title=${2%-P1}; title=${title^^}; args=(-c 50 -P 1 -r 100000 -t "${2%-P1}") ;;
    *-P16) n=$PIPELINED_REQUESTS; title=${2%-P16}; title=${title^^}; args=(-c 50 -P 16 -r 100000 -t "${2%-P16}") ;;
  esac
  before=$(cpu_ticks "${!pidv}")
  out=$(bench -p "${!portv}" -n "$n" -q "${args[@]}")
  after=$(cpu_ticks "${!pidv}")
  if grep -qi "error" <<<"$out"; then echo "run-tls: redis-benchmark reported errors against $1: $out" >&2; exit 1; fi
  rps=$(grep -F "$title: " <<<"$out" | grep ' requests per second' | tail -1 | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
  [ -n "$rps" ] || { echo "run-tls: no '$title: ... requests per second' from redis-benchmark: $out" >&2; exit 1; }
  awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" -v r="$rps" 'BEGIN{printf "%d %.3f %.0f\n", n, t*1e6/hz/n, r}'
}

echo "== warm-up (JIT, not measured)"
for who in openssl jdk; do run "$who" set-P16 >/dev/null; run "$who" get-P1 >/dev/null; run "$who" handshake >/dev/null; done

RESULTS="$WORK/results.txt"; : > "$RESULTS"
SERVERS=(redis openssl jdk)
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds of: ${SELECTED[*]} (key $KEY)"
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round/$ROUNDS"
  for s in "${SELECTED[@]}"; do
    # rotate who goes first, so drift on the shared machine falls on all three alike
    for i in 0 1 2; do
      who=${SERVERS[$(( (i + round) % 3 ))]}
      echo "$round $s $who $(run "$who" "$s")" | tee -a "$RESULTS"
    done
  done
done
echo "== done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== summary over $ROUNDS rounds: server CPU us/request (median), ratio to redis-server per round min/median/max, requests/s (median)"
printf '%-10s %9s %9s %9s %22s %22s %9s %9s %9s\n' scenario redis_us bssl_us jdk_us "bssl/redis min/med/max" "jdk/redis min/med/max" redis_rps bssl_rps jdk_rps
for s in "${SELECTED[@]}"; do
  awk -v s="$s" '
    function sort(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } }
    function median(a, n) { sort(a, n); return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function spread(a, n,   m) { m = median(a, n); return sprintf("%.2f / %.2f / %.2f", a[1], m, a[n]) }
    $2 == s { us[$3, $1] = $5; rps[$3, $1] = $6; rounds[$1] = 1 }
    END {
      n = 0
      for (r in rounds) { n++; ru[n] = us["redis", r]; ou[n] = us["openssl", r]; ju[n] = us["jdk", r]
                          o[n] = ou[n] / ru[n]; j[n] = ju[n] / ru[n]; rr[n] = rps["redis", r]; orr[n] = rps["openssl", r]; jr[n] = rps["jdk", r] }
      printf "%-10s %9.2f %9.2f %9.2f %22s %22s %9.0f %9.0f %9.0f\n", s, median(ru, n), median(ou, n), median(ju, n), spread(o, n), spread(j, n),
             median(rr, n), median(orr, n), median(jr, n)
    }' "$RESULTS"
done
echo "(redis-server $(redis-server --version | awk '{print $3}'), $(openssl version | awk '{print $1, $2}') in redis; bssl = the demo with netty-tcnative's BoringSSL; jdk = the demo with -Dio.netty.handler.ssl.noOpenSsl=true)"
