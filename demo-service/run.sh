#!/usr/bin/env bash
# Builds (if needed) and runs the Percore demo service with its embedded defaults:
# RESP on 127.0.0.1:6380, HTTP on 127.0.0.1:8080, Actuator on 127.0.0.1:8081.
# Extra arguments are passed to the application, e.g. --percore.servers.resp.port=6390 or
# --percore.engine.mode=pinned (the engine comes from the Percore starter: percore.engine.*).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar 2>/dev/null | head -1 || true)
if [ -z "$JAR" ] || [ -n "$(find "$ROOT/demo-service/src" "$ROOT/starter-autoconfigure/src" "$ROOT/reactor-engine/src" "$ROOT/net-pooling/src" "$ROOT/config-schema/src" -newer "$JAR" -type f 2>/dev/null | head -1)" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl demo-service -am package -DskipTests)
  JAR=$(ls "$ROOT"/demo-service/target/percore-demo-service-*-exec.jar | head -1)
fi
# An OutOfMemoryError anywhere ends the process (exit 3) instead of leaving threads dead and ports open; the heap on
# huge pages where the kernel lends them, as the image runs it (images/README.md).
exec java -XX:+ExitOnOutOfMemoryError -XX:+UseTransparentHugePages ${JAVA_OPTS:-} -jar "$JAR" "$@"
