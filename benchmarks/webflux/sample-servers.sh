# Sourced by run-webflux.sh and run-webflux-state.sh, which start the webflux-sample's jar twice (on
# the shards, on Spring Boot's own server) and read their CPU. Set SCRIPT (the name errors carry)
# before sourcing. Gives ROOT, WORK (removed on exit with the servers in PIDS stopped), CLK_TCK, JAR
# (SAMPLE_JAR, else the built one, built if missing), free_port, cpu_ticks PID, wait_for URL.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "/tmp/percore-$SCRIPT.XXXXXX")
CLK_TCK=$(getconf CLK_TCK)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in wrk taskset curl java python3; do
  command -v "$tool" >/dev/null || { echo "$SCRIPT: '$tool' is required (apt-get install wrk util-linux curl)" >&2; exit 2; }
done

JAR=${SAMPLE_JAR:-$(ls "$ROOT"/webflux-sample/target/percore-webflux-sample-*-exec.jar 2>/dev/null | head -1 || true)}
if [ -z "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl webflux-sample -am package -DskipTests)
  JAR=$(ls "$ROOT"/webflux-sample/target/percore-webflux-sample-*-exec.jar | head -1)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_for() { # url ; up to 120 s
  for _ in $(seq 1 240); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$SCRIPT: timed out waiting for $1; last lines of the server logs:" >&2
  tail -n 30 "$WORK"/*.log >&2 2>/dev/null || true
  exit 1
}
