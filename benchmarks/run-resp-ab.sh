#!/usr/bin/env bash
# A/B of the demo's server CPU per request for pipelined commands between builds (SET and GET by
# default), rounds interleaved: each round starts every jar in turn (pinned to CPU 1, one shard,
# pinned mode), warms it up, then runs redis-benchmark -P 16 (pinned to CPU 0) for each test and
# reports the server's utime+stime per request. Finer than run-peers.sh for one question: did a
# change make the pipelined RESP path cost more? (PEERS.md, measurements 13-16.)
#
# usage: benchmarks/run-resp-ab.sh ROUNDS JAR...        e.g. run-resp-ab.sh 4 /tmp/before.jar demo-service/target/*-exec.jar
#        a JAR written JAR+acl runs that jar with redis-benchmark logged in as an ACL user of $ACL_RULES (the
#        cost of the permission check against the default user: run-resp-ab.sh 5 after.jar after.jar+acl)
# env:   REQUESTS (2000000 per measured run)
#        TESTS ("set get"): redis-benchmark tests, e.g. TESTS="zadd hset" (random members of one key,
#        as run-peers.sh; the warm-up run fills it, so the measured runs mostly update)
#        SHARDS (0: one shard, pinned mode): e.g. SHARDS=2 runs two overprovisioned shards on CPU 1, so
#        about half the keys live on the other shard and their replies cross shards
#        PIPELINE (16): redis-benchmark -P of the measured runs (1: one request at a time)
#        PORT_BASE (unset: ports the kernel finds free; set: the servers' three ports from there up)
#        ACL_RULES ("~a:* ~b:* ~key:* +@all"): the rules of the user of a JAR+acl run (redis-benchmark's keys are key:N,
#        so with the default every key is matched by the third pattern)
set -euo pipefail
rounds=$1; shift
requests=${REQUESTS:-2000000}
tests=${TESTS:-set get}
shards=${SHARDS:-0}
pipeline=${PIPELINE:-16}
mode=pinned
[ "$shards" -gt 1 ] && mode=overprovisioned  # two busy-polling shards on one CPU would measure the scheduler
acl_rules=${ACL_RULES:-"~a:* ~b:* ~key:* +@all"}
clk=$(getconf CLK_TCK)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$rounds requests=$requests tests=\"$tests\" shards=$shards pipeline=$pipeline load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round jar command cpu_us_per_request"
# a failed step (set -e) must not leave a server running beside the next measurements
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "${data:-}"' EXIT
for ((r = 1; r <= rounds; r++)); do
  for spec in "$@"; do
    jar=${spec%+acl}; auth=()
    if [ -n "${PORT_BASE:-}" ]; then port=$PORT_BASE; http=$((PORT_BASE + 1)); mgmt=$((PORT_BASE + 2))
    else port=$(free_port); http=$(free_port); mgmt=$(free_port); fi
    # a data directory of its own: a dump.rdb left in the working directory would be loaded (and -LOADING refuse the load)
    data=$(mktemp -d)
    taskset -c 1 env -u PERCORE_JAR java -Xms256m -Xmx512m -Dio.netty.leakDetection.level=disabled -jar "$jar" \
      --percore.servers.resp.port="$port" --percore.servers.http.port="$http" --management.server.port="$mgmt" \
      --percore.engine.shards="$shards" --percore.engine.mode="$mode" --percore.engine.idle-poll=0s \
      --percore.demo.persistence.dir="$data" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 240); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.25; done
    if [ "$spec" != "$jar" ]; then
      # shellcheck disable=SC2086  # the rules are words
      redis-cli -p "$port" ACL SETUSER bench on '>bench' $acl_rules >/dev/null
      auth=(--user bench -a bench)
    fi
    taskset -c 0 redis-benchmark -p "$port" "${auth[@]}" -t "${tests// /,}" -r 100000 -c 50 -P 16 -n 500000 -q >/dev/null 2>&1
    for t in $tests; do
      before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      taskset -c 0 redis-benchmark -p "$port" "${auth[@]}" -t "$t" -r 100000 -c 50 -P "$pipeline" -n "$requests" -q >/dev/null 2>&1
      after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      echo "$r $(basename "$spec") $t $(awk -v t=$((after - before)) -v hz="$clk" -v n="$requests" 'BEGIN{printf "%.3f", t*1e6/hz/n}')"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$data"
  done
done
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
