#!/usr/bin/env bash
# Runs one test class (or method) N times in a row on this checkout, with `stress -c 2` beside it: the loaded 2-core
# machine every test must pass on. Use it on each new process-level test before it lands; a flaky test found here costs
# minutes, in CI a 30-minute run.
#
#   tools/repeat-test.sh MODULE TEST N     e.g. tools/repeat-test.sh demo-service-tests StopClosesClientsTest 5
#
# TEST is surefire's -Dtest (Class, Class#method, patterns). STRESS="-c 2" is the default load (STRESS= for none; Debian:
# apt-get install -y stress). MODULE is packaged first with what it needs (-am, no tests: tests that start the app's jar
# find it), then only TEST runs, N times; a run in which nothing ran or every test skipped counts as failed. Each failed
# run's reports are kept under OUT (default: a new directory in /tmp). Exit status: 0 when every run was green.
set -euo pipefail

if [ $# -ne 3 ] || ! [[ $3 =~ ^[1-9][0-9]*$ ]]; then
  sed -n '6,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
module=$1 test=$2 runs=$3
cd "$(dirname "$0")/.."
out=${OUT:-$(mktemp -d /tmp/repeat-test.XXXXXX)}
mkdir -p "$out"
# The operator's process tests run the demo's jar; every run is a reactor run (-am), so that nothing has to be installed
# in ~/.m2 (a fresh machine has none of the project's modules there, and an old install is what a -pl run would read).
modules=$module
[ "$module" = operator ] && modules=demo-service,operator
./mvnw -B -q -pl "$modules" -am package -DskipTests

load=${STRESS-"-c 2"}
stress_pid=
if [ -n "$load" ]; then
  command -v stress >/dev/null || { echo "stress is not installed (apt-get install -y stress), or run with STRESS=" >&2; exit 2; }
  # shellcheck disable=SC2086
  stress $load >/dev/null 2>&1 &
  stress_pid=$!
fi
trap '[ -n "$stress_pid" ] && kill "$stress_pid" 2>/dev/null || true' EXIT

failed=0
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  touch "$out/started-$i"
  if ./mvnw -B -q -pl "$modules" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false > "$out/run-$i.log" 2>&1; then
    # a run whose every test skipped (a prerequisite missing) says nothing about flakiness: not counted green
    counts=$({ find "$module"/target/surefire-reports -name '*.txt' -newer "$out/started-$i" -exec grep -ho 'Tests run: [0-9]*, Failures: [0-9]*, Errors: [0-9]*, Skipped: [0-9]*' {} + || true; } |
      awk -F'[:,] *' '{ run += $2; skipped += $8 } END { print run + 0, skipped + 0 }')
    if [ "${counts% *}" -gt 0 ] && [ "${counts% *}" -gt "${counts#* }" ]; then
      echo "run $i/$runs: green in $(( $(date +%s) - started )) s"
    else
      failed=$((failed + 1))
      echo "run $i/$runs: nothing ran or every test skipped (tests run, skipped: $counts; log: $out/run-$i.log)"
    fi
  else
    failed=$((failed + 1))
    mkdir -p "$out/run-$i"
    cp "$module"/target/surefire-reports/*.txt "$out/run-$i/" 2>/dev/null || true
    echo "run $i/$runs: RED in $(( $(date +%s) - started )) s (log and reports: $out/run-$i.log, $out/run-$i/)"
  fi
done
echo "$test: $failed of $runs runs failed${load:+ (under stress $load)}"
[ "$failed" -eq 0 ]
