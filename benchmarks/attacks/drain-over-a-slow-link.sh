#!/usr/bin/env bash
# A graceful stop (SIGTERM) while a client pipelines over a slow link: every command the server ran must have its reply
# reach the client, then the end of stream. The client sits in a network namespace behind a veth pair whose server side
# sends at 1 Mbit/s (tc tbf; this machine's kernel has no netem), so replies the server has written still wait in its
# socket when it closes. The demo logs every write (AOF, appendfsync always); after the stop it is started again on the
# same files and its counter is the number of INCRs it ran. Before 2026-12-06 the drain closed such a connection with
# the client's next batch unread, the kernel reset it, and 33-36 replies of commands run were lost at every stop
# (docs/reference/net-pooling-behaviour.md, "Graceful shutdown").
#
# usage: sudo benchmarks/attacks/drain-over-a-slow-link.sh [rounds]    (default 2; about 20 s a round)
# env:   PERCORE_JAR (default: demo-service/target/percore-demo-service-*-exec.jar), RATE (1mbit), PORT (7651)
# Needs root (ip netns, tc), iproute2, redis-cli, python3. Exits non-zero if any round lost a reply.
set -euo pipefail
ROUNDS=${1:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${PERCORE_JAR:-$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar | head -1)}
RATE=${RATE:-1mbit}
PORT=${PORT:-7651}
NS=percore-slow-link
WORK=$(mktemp -d /tmp/percore-drain-link.XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  ip link del pcslow0 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for tool in ip tc redis-cli python3 java; do
  command -v "$tool" >/dev/null || { echo "drain-over-a-slow-link: '$tool' is required" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "drain-over-a-slow-link: needs root (a network namespace and tc)" >&2; exit 2; }

ip netns add "$NS"
ip link add pcslow0 type veth peer name pcslow1
ip link set pcslow1 netns "$NS"
ip addr add 10.201.0.1/24 dev pcslow0 && ip link set pcslow0 up
ip netns exec "$NS" ip addr add 10.201.0.2/24 dev pcslow1
ip netns exec "$NS" ip link set pcslow1 up
tc qdisc add dev pcslow0 root tbf rate "$RATE" burst 4kb latency 400ms   # the server's side: what it sends
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) jar $(basename "$JAR"), link $RATE toward the client, load $(cut -d' ' -f1-3 /proc/loadavg)"

failed=0
for round in $(seq 1 "$ROUNDS"); do
  dir="$WORK/data-$round"; mkdir -p "$dir"
  common=(--percore.demo.protected-mode=false --percore.servers.resp.port="$PORT" --percore.servers.http.port=$((PORT + 1))
          --management.server.port=$((PORT + 2)) --percore.engine.shards=1 --percore.demo.persistence.dir="$dir"
          --percore.demo.persistence.mode=aof --percore.demo.persistence.appendfsync=always)
  java -Xmx512m -jar "$JAR" "${common[@]}" --percore.servers.resp.bind-address=10.201.0.1 > "$dir/first.log" 2>&1 & PID=$!
  for _ in $(seq 120); do [ "$(redis-cli -h 10.201.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.5; done
  [ "$(redis-cli -h 10.201.0.1 -p "$PORT" set big "$(head -c 2000 /dev/zero | tr '\0' v)")" = OK ] \
    || { echo "drain-over-a-slow-link: the demo did not start; its log:" >&2; tail -20 "$dir/first.log" >&2; exit 1; }
  ip netns exec "$NS" python3 "$ROOT/benchmarks/attacks/pipelining_client.py" 10.201.0.1 "$PORT" > "$dir/client.txt" 2>&1 & client=$!
  sleep 6
  kill -TERM "$PID"; wait "$PID" || true; PID=
  wait "$client" || true
  java -Xmx512m -jar "$JAR" "${common[@]}" > "$dir/second.log" 2>&1 & PID=$!
  ran=
  for _ in $(seq 240); do ran=$(redis-cli -p "$PORT" get ctr 2>/dev/null || true); [ -n "$ran" ] && [ "${ran#LOADING}" = "$ran" ] && break; sleep 0.5; done
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  got=$(sed -n 's/.*incr_replies=\([0-9]*\).*/\1/p' "$dir/client.txt")
  if [ -n "$got" ] && [ "$got" = "$ran" ] && grep -q "end=end of stream" "$dir/client.txt"; then verdict=PASS; else verdict=FAIL; failed=1; fi
  echo "$verdict round $round: INCRs run $ran, replies received $got; client: $(cat "$dir/client.txt")"
done
exit "$failed"
