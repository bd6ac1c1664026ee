#!/usr/bin/env bash
# usage: benchmarks/peers/jfr-profile.sh JAR OUT.jfr resp|http [pipeline]
# JFR (profile settings) of the demo pinned to CPU 1 under redis-benchmark (SET+GET, -P pipeline) or wrk
# (plain keep-alive) pinned to CPU 0; 16 s of warm-up, then two measured runs. See benchmarks/PEERS.md.
set -euo pipefail
JAR=$1; OUT=$2; KIND=$3; P=${4:-1}
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free); HPORT=$(free)
taskset -c 1 java -Xms256m -Xmx512m -XX:StartFlightRecording=filename=$OUT,settings=profile,delay=15s -jar $JAR \
  --percore.servers.resp.port=$PORT --percore.servers.http.port=$HPORT --management.server.port=0 \
  --percore.engine.shards=0 --percore.engine.mode=pinned --percore.engine.idle-poll=0s > "${OUT%.jfr}.log" 2>&1 &
PID=$!
for i in $(seq 1 120); do redis-cli -p $PORT ping >/dev/null 2>&1 && break; sleep 0.5; done
load() {
  if [ $KIND = resp ]; then taskset -c 0 redis-benchmark -p $PORT -t set,get -r 100000 -c 50 -P $P -n $1 -q | tr '\r' '\n' | grep -v '^$' | tail -1
  else taskset -c 0 wrk -t1 -c64 -d${1}s http://127.0.0.1:$HPORT/ | grep Requests/sec; fi
}
end=$((SECONDS+16)); while [ $SECONDS -lt $end ]; do load $([ $KIND = resp ] && echo 100000 || echo 4) >/dev/null; done
for i in 1 2; do load $([ $KIND = resp ] && echo 200000 || echo 6); done
jcmd $PID JFR.dump filename=$OUT >/dev/null
kill $PID; wait $PID 2>/dev/null || true
