#!/usr/bin/env bash
# The path of one command through the demo's classes, as it runs: the demo started with one shard and JFR's method
# tracing of every class of its jar (JEP 520, JDK 25 or later), the command sent after the same command 200 times on
# one connection, and the calls inside that connection's last read printed as a tree with issue 75's figures: classes
# visited, calls from one class into another, calls back up the packages' layers (into a package that depends on the
# caller's, jdeps' view), calls back into a class already on the stack.
#
#   tools/command-trace.sh [EXEC_JAR] [COMMAND ARGS...]
#       EXEC_JAR default demo-service/target/percore-demo-service-*-exec.jar; COMMAND default SET k v
#       e.g. tools/command-trace.sh /tmp/before/demo-service/target/percore-demo-service-0.1.0-SNAPSHOT-exec.jar GET k
#
# JAVA25 is a JDK 25 home (default /usr/lib/jvm/temurin-25-jdk-amd64); PORT the RESP port (default 21931). Needs
# redis-cli. The recording and the server's log stay in $OUT (default a temporary directory, printed).
set -euo pipefail
cd "$(dirname "$0")/.."

java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64}
port=${PORT:-21931}
jar=${1:-$(ls demo-service/target/percore-demo-service-*-exec.jar | head -1)}
shift || true
[ $# -gt 0 ] || set -- SET k v
out=${OUT:-$(mktemp -d /tmp/command-trace.XXXXXX)}
mkdir -p "$out/classes" "$out/data"

# the demo's own classes (the jar's BOOT-INF/classes) are the ones traced; jdeps says which package depends on which
(cd "$out/classes" && unzip -qo "$(cd - >/dev/null && realpath "$jar")" 'BOOT-INF/classes/io/percore/demo/*')
filter=$(cd "$out/classes/BOOT-INF/classes" && find io -name '*.class' ! -name 'package-info.class' | sed 's#\.class$##;s#/#.#g' | sort | paste -sd';')
sed "s|<setting name=\"filter\" control=\"method-trace\"></setting>|<setting name=\"filter\" control=\"method-trace\">$filter</setting>|" \
  "$java25/lib/jfr/default.jfc" > "$out/trace.jfc"
"$java25/bin/jdeps" -verbose:package "$out/classes/BOOT-INF/classes" > "$out/package-deps.txt"

"$java25/bin/java" -XX:StartFlightRecording:settings="$out/trace.jfc" -jar "$jar" \
  --percore.demo.persistence.dir="$out/data" --percore.servers.resp.port="$port" --percore.servers.http.port=0 \
  --management.server.port=0 --percore.engine.shards=1 --percore.engine.mode=overprovisioned > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
  kill -0 $server 2>/dev/null || { cat "$out/server.log"; exit 1; }
  sleep 0.5
done

line=$(printf '%q ' "$@")
{ for _ in $(seq 200); do echo "$line"; done; echo "$line"; } | redis-cli -p "$port" > /dev/null
"$java25/bin/jcmd" $server JFR.dump filename="$out/trace.jfr" > /dev/null
echo "command: $* (jar $jar; recording in $out)"
"$java25/bin/java" tools/command-trace/CommandTrace.java "$out/trace.jfr" "$out/package-deps.txt"
