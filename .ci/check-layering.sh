#!/usr/bin/env bash
# Proves the layering rule bites (maven-enforcer-plugin bannedDependencies, see pom.xml): in a
# scratch copy of the poms, each forbidden arrow is added in turn and `mvnw validate` must fail
# with that rule's message; the untouched poms must pass. Needs no compiled code (validate only).
# Usage: .ci/check-layering.sh     (about a minute; downloads nothing the build does not need)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$root"
cp -r mvnw .mvn "$scratch/"
git ls-files -- 'pom.xml' '*/pom.xml' | while read -r pom; do
  mkdir -p "$scratch/$(dirname "$pom")"
  cp "$pom" "$scratch/$pom"
done
cd "$scratch"

# -DskipTests: the scratch copy has poms only, not the test-prerequisites script.
validate() { ./mvnw -B -q validate -DskipTests "$@" >"$scratch/out.log" 2>&1; }

validate || { cat "$scratch/out.log"; echo "FAIL: the untouched poms do not validate"; exit 1; }
echo "ok: the poms as committed pass the layering rule"

passed=0
failed=0
# module | projects to build with it | groupId:artifactId[:version[:type]] | words the failure must contain
cases=(
  "reactor-engine|reactor-engine|org.springframework:spring-core|reactor-engine is the runtime core"
  "reactor-engine|reactor-engine|io.fabric8:kubernetes-client|reactor-engine is the runtime core"
  "net-pooling|net-pooling|org.springframework.boot:spring-boot|net-pooling never depends on Spring or Fabric8"
  "net-pooling|net-pooling|io.fabric8:kubernetes-client|net-pooling never depends on Spring or Fabric8"
  "operator|operator,reactor-engine|io.percore:percore-reactor-engine|The operator depends on config-schema only"
  "benchmarks|benchmarks,demo-service|io.percore:percore-demo-service:\${project.version}|Nothing depends on demo-service"
  # the operator's test-scope pom of demo-service orders the reactor (its tests run the demo's jar); the jar itself is refused
  "operator|operator,demo-service|io.percore:percore-demo-service:\${project.version}|Nothing depends on demo-service"
  "benchmarks|benchmarks,demo-service|io.percore:percore-demo-service:\${project.version}:test-jar|Nothing depends on demo-service"
  "benchmarks|benchmarks,webflux-sample|io.percore:percore-webflux-sample:\${project.version}|Nothing depends on demo-service or webflux-sample"
)
for c in "${cases[@]}"; do
  IFS='|' read -r module projects coordinates expected <<<"$c"
  IFS=':' read -r group artifact version type <<<"$coordinates"
  pom="$module/pom.xml"
  cp "$pom" "$pom.orig"
  dependency="<dependency><groupId>$group</groupId><artifactId>$artifact</artifactId>${version:+<version>$version</version>}${type:+<type>$type</type>}</dependency>"
  # the module's own <dependencies> (the first one in these poms)
  awk -v dep="$dependency" '!done && /<dependencies>/ {print; print "    " dep; done=1; next} {print}' "$pom.orig" >"$pom"
  if validate -pl "$projects" -am; then
    echo "FAIL: $module -> $group:$artifact${type:+ ($type)} was accepted"
    failed=$((failed + 1))
  elif grep -q "$expected" "$scratch/out.log"; then
    echo "ok: $module -> $group:$artifact${type:+ ($type)} is refused ($expected)"
    passed=$((passed + 1))
  else
    echo "FAIL: $module -> $group:$artifact failed, but not by the layering rule:"
    tail -20 "$scratch/out.log"
    failed=$((failed + 1))
  fi
  mv "$pom.orig" "$pom"
done
echo "layering: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
