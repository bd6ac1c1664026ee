#!/usr/bin/env bash
# Where async-profiler's agent is: takes tools.profiler:async-profiler:VERSION:linux-x64 from the local
# Maven repository (MAVEN_REPO, default ~/.m2/repository), or from Maven Central when it is not there yet
# (into DIR: a build may be running in this tree), unpacks it into DIR and prints the path of
# libasyncProfiler.so. Used by profile.sh, run-webflux-state.sh and webflux/profile-servers.sh.
#
# usage: benchmarks/peers/async-profiler.sh VERSION DIR
set -euo pipefail
VERSION=$1; DIR=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$DIR"
JAR=${MAVEN_REPO:-$HOME/.m2/repository}/tools/profiler/async-profiler/$VERSION/async-profiler-$VERSION-linux-x64.jar
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$VERSION:jar:linux-x64" \
    -DoutputDirectory="$DIR" -Dmdep.useBaseVersion=true) >&2
  JAR=$(ls "$DIR"/async-profiler-*.jar)
fi
unzip -q -o "$JAR" -d "$DIR/ap"
LIB=$(find "$DIR/ap" -name libasyncProfiler.so | head -1)
[ -n "$LIB" ] || { echo "async-profiler.sh: no libasyncProfiler.so in $JAR" >&2; exit 1; }
echo "$LIB"
