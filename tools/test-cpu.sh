#!/usr/bin/env bash
# Where a module's test CPU goes, per test class: on this 2-core machine `./mvnw verify` is bound by CPU, not by waiting
# (the two forks keep both cores about 90 % busy), so a class's wall time (tools/test-times.sh) says little about what
# it costs the build. This runs the module's tests in one fork, classes one after another, and prints for each the CPU
# its JVM spent (its own threads) and its children's (child JVMs, redis-server, clients it started and reaped), then the
# module's totals.
#
#   tools/test-cpu.sh MODULE [TEST [TOP]]   e.g. tools/test-cpu.sh demo-service-tests   or   tools/test-cpu.sh operator 'Cluster*'
#
# TEST is surefire's -Dtest (default: every class); TOP the rows printed (default 30). The module is packaged first with
# what it needs (-am; the operator's tests also run the demo's jar), then only its classes run. A child still running
# when its class ends (not reaped) is counted nowhere.
set -euo pipefail

if [ $# -lt 1 ]; then
  sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
module=$1 test=${2:-} top=${3:-30}
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/test-cpu.XXXXXX)
modules=$module
[ "$module" = operator ] && modules=demo-service,operator
# Everything in reactor invocations (-am), so that nothing has to be installed in ~/.m2 (an old install there is what
# a -pl run without -am would read). First: packaged without tests, each module's test class path written.
./mvnw -B -q -pl "$modules" -am package -DskipTests dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-cpu.cp > "$out/package.log" 2>&1 || { echo "packaging failed: $out/package.log" >&2; exit 1; }

# The listener compiles against the module's JUnit Platform and the launcher of the same version (surefire's).
engine=$(tr ':' '\n' < "$module/target/test-cpu.cp" | grep '/junit-platform-engine-' | head -1)
version=$(basename "$engine" .jar); version=${version#junit-platform-engine-}
./mvnw -B -q dependency:get -Dartifact=org.junit.platform:junit-platform-launcher:"$version" >/dev/null
launcher=~/.m2/repository/org/junit/platform/junit-platform-launcher/$version/junit-platform-launcher-$version.jar
mkdir -p "$out/classes/META-INF/services"
javac -nowarn -d "$out/classes" -cp "$(cat "$module/target/test-cpu.cp"):$launcher" tools/test-cpu/ClassCpuListener.java 2>/dev/null
echo io.percore.tools.testcpu.ClassCpuListener > "$out/classes/META-INF/services/org.junit.platform.launcher.TestExecutionListener"

# Then the same reactor again with only this module's classes selected (by default every class under its test
# sources' package: the modules it needs have tests of their own packages, which this leaves out).
if [ -z "$test" ]; then
  package=$(cd "$module/src/test/java" && find . -name '*Test.java' | sed 's#^\./##; s#/[^/]*$##' |
    awk 'NR == 1 { p = $0 } { while (index($0 "/", p "/") != 1) sub(/\/?[^\/]*$/, "", p) } END { print p }')
  test="$package/**/*Test"
fi
start=$(date +%s)
status=0
./mvnw -B -pl "$modules" -am package -Dtests.forkCount=1 -Dmaven.test.additionalClasspath="$out/classes" \
  "-Dtests.jvmOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dtest.cpu.out=$out/classes.txt" \
  -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false > "$out/maven.log" 2>&1 || status=$?
[ -s "$out/classes.txt" ] || { echo "no class ran: $out/maven.log" >&2; exit 1; }

tck=$(getconf CLK_TCK)
echo "CPU seconds per test class, $module, one fork ($(date -u +%FT%TZ), $(( $(date +%s) - start )) s; load $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "   total    own  children    wall  class"
awk -v t="$tck" '{ printf "%8.1f %6.1f %9.1f %7.1f  %s\n", ($1 + $2) / t, $1 / t, $2 / t, $3 / 100, $4 }' "$out/classes.txt" | sort -rn | sed -n "1,${top}p"
awk -v t="$tck" '{ o += $1; c += $2; w += $3 } END { printf "%8.1f %6.1f %9.1f %7.1f  (%d classes)\n", (o + c) / t, o / t, c / t, w / 100, NR }' "$out/classes.txt"
grep -E '^\[(INFO|WARNING|ERROR)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$out/maven.log" | tail -1
echo "rows: $out/classes.txt; Maven's output: $out/maven.log"
exit "$status"
