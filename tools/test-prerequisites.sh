#!/usr/bin/env bash
# The tests run against the real thing: a real redis-server, redis-cli and redis-benchmark, redis-py, a real
# Prometheus that evaluates the dashboard's queries (demo-service's DashboardQueriesTest), curl
# as an HTTPS client (demo-service's TlsTest; redis-cli --tls is Debian's redis-tools), and nginx, the
# HTTP server's peer (demo-service's HttpPipelineParityTest).
# `./mvnw verify` calls this first (root pom, phase validate; skipped with -DskipTests): when the
# programs are missing it installs them with apt-get if it may (root, or sudo without a password),
# and otherwise stops the build with the one command that fixes it.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
{ command -v redis-cli >/dev/null 2>&1 && command -v redis-benchmark >/dev/null 2>&1; } || need+=(redis-tools)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v curl >/dev/null 2>&1 || need+=(curl)
{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || need+=(nginx)
# redis-py, from Debian's package for Debian's python3 (demo-service's AclClientsTest runs /usr/bin/python3)
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import redis' >/dev/null 2>&1; } || need+=(python3-redis)
[ ${#need[@]} -eq 0 ] && exit 0

fix="apt-get install -y ${need[*]}   (or skip the tests: ./mvnw install -DskipTests)"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need ${need[*]} (redis 7, prometheus 2, curl, nginx); install them with your package manager. Debian/Ubuntu: $fix" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "The tests need ${need[*]}; run: sudo $fix" >&2
  exit 1
fi
echo "Installing what the tests need: ${need[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# waits for the dpkg lock: .ci/run's documentation check installs its own packages beside this (a fresh machine's CI
# run of 2026-12-05 failed at once on "Could not get lock /var/lib/dpkg/lock-frontend")
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
# The packages start a system redis on 6379, a prometheus on 9090 and an nginx on 80 where services
# run; the tests start their own on free ports.
("${as_root[@]}" service redis-server stop || true) >/dev/null 2>&1
("${as_root[@]}" service prometheus stop || true) >/dev/null 2>&1
("${as_root[@]}" service nginx stop || true) >/dev/null 2>&1
