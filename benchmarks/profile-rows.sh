#!/usr/bin/env bash
# A CPU and an allocation profile of our server under each row of issue 29, in one command: for each
# row, profile.sh starts the server as that row's benchmark does (run-peers.sh, run-webflux.sh,
# run-pubsub.sh), warms it up with the row's load, then profiles one run of it per event (cpu, then
# alloc) and writes profiles/ROW.txt (CPU by category, µs per request, top frames) and
# profiles/ROW-alloc.txt (bytes per request by category, class and site). The peers are not
# profiled: these say where our time goes, the ratios come from run-peers.sh.
#
# usage: benchmarks/profile-rows.sh [ROW...]      (default: every row, ~2-3 min each at load 5-10)
# rows:  resp-set-get-P1 resp-set-get-P16 http-plain webflux-plain webflux-pipelined16
#        pubsub-100-1shard pubsub-100-2shards resp-lrange_100-P16
# env:   LOCK (a file: each row runs under `flock LOCK`, so rows take turns with other measurements on
#        a shared machine), PORT_BASE (each row's ports from there up, three), and profile.sh's
#        (OUT, PERCORE_JAR, SAMPLE_JAR, SERVER_CPU, CLIENT_CPU, SERVER_JVM_OPTS, INTERVAL, ALLOC_INTERVAL)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ALL=(resp-set-get-P1 resp-set-get-P16 http-plain webflux-plain webflux-pipelined16
  pubsub-100-1shard pubsub-100-2shards resp-lrange_100-P16)
ROWS=("$@")
[ ${#ROWS[@]} -gt 0 ] || ROWS=("${ALL[@]}")
PUBLISH=(-c 1 -P 16 -n 100000 PUBLISH ch 0123456789abcdef)
FILL_LIST='redis-cli -p $PORT del mylist && redis-benchmark -p $PORT -t lpush -c 50 -P 16 -n 10000 -q && [ "$(redis-cli -p $PORT llen mylist)" = 10000 ]'

profile() { # row env... -- profile.sh arguments
  local row=$1 env=(); shift
  while [ "$1" != -- ]; do env+=("$1"); shift; done; shift
  echo "== $row: ${env[*]} profile.sh $row $*"
  ${LOCK:+flock "$LOCK"} env EVENTS="cpu alloc" "${env[@]}" "$HERE/profile.sh" "$row" "$@"
}
for row in "${ROWS[@]}"; do
  case "$row" in
    resp-set-get-P1) profile "$row" -- -t set,get -r 100000 -c 50 -P 1 -n 200000 ;;
    resp-set-get-P16) profile "$row" -- -t set,get -r 100000 -c 50 -P 16 -n 2000000 ;;
    http-plain) profile "$row" WRK_PATH=/ -- ;;
    webflux-plain) profile "$row" APP=webflux-sample WRK_PATH=/ WARMUPS=3 -- ;;
    webflux-pipelined16) profile "$row" APP=webflux-sample WRK_PATH=/ PIPELINE=16 WARMUPS=3 -- ;;
    pubsub-100-1shard) profile "$row" SUBSCRIBERS=100 -- "${PUBLISH[@]}" ;;
    pubsub-100-2shards) profile "$row" SUBSCRIBERS=100 SHARDS=2 -- "${PUBLISH[@]}" ;;
    resp-lrange_100-P16) profile "$row" SETUP="$FILL_LIST" -- -c 50 -P 16 -n 100000 LRANGE mylist 0 99 ;;
    *) echo "profile-rows: unknown row '$row' (${ALL[*]})" >&2; exit 2 ;;
  esac
done
