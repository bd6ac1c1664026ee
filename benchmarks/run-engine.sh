#!/usr/bin/env bash
# Runs the engine micro-benchmarks side by side in one JMH run and prints the ratios.
# Finishes in about 3-4 minutes on 2 cores.
#
#   benchmarks/run-engine.sh                                # build if needed, run, print ratios
#   PERCORE_MODE=OVERPROVISIONED benchmarks/run-engine.sh   # shards sleep when idle, no pinning
#
# PERCORE_MODE defaults to PINNED, the engine's default: busy-polling shards on their own cores.
# On a loaded machine pinned shards fight other processes for the same CPUs; run it on a quiet
# one (see README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
mode="${PERCORE_MODE:-PINNED}"
out="${RESULTS:-$here/target/engine-results.json}"

if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
fi

java -jar "$jar" 'CrossShardRoundTripBenchmark|CrossShardLatencyBenchmark|SameShardSpawnBenchmark' \
  -f 1 -wi 2 -w 1s -i 3 -r 2s -prof gc \
  -jvmArgsAppend "-Dpercore.mode=$mode -Xms512m -Xmx512m" \
  -rf json -rff "$out"

python3 - "$out" "$mode" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
score, alloc, pct = {}, {}, {}
for r in results:
    name = r["benchmark"].rsplit(".", 2)
    key = name[-2] + "." + name[-1] + "".join("[%s=%s]" % kv for kv in sorted(r.get("params", {}).items()))
    score[key] = r["primaryMetric"]["score"]
    sec = r.get("secondaryMetrics", {})
    if "gc.alloc.rate.norm" in sec:
        alloc[key] = sec["gc.alloc.rate.norm"]["score"]
    if r["mode"] == "sample":
        p = r["primaryMetric"]["scorePercentiles"]
        pct[key] = (p["50.0"], p["99.0"], p["99.9"])

print("\nmode: %s" % sys.argv[2])
print("%-70s %16s %10s" % ("benchmark", "score", "B/op"))
for k in sorted(score):
    unit = "ns/op (mean)" if k in pct else "ops/s"
    print("%-70s %16.1f %10.1f  %s" % (k, score[k], alloc.get(k, float("nan")), unit))
if pct:
    print("\nlatency per round trip (batches of 100, one outstanding), ns: p50 / p99 / p99.9")
    for k in sorted(pct):
        print("  %-60s %8.0f %8.0f %8.0f" % ((k,) + pct[k]))

def ratio(a, b):
    return score[a] / score[b] if a in score and b in score and score[b] else float("nan")

print("\nratios (targets in brackets)")
for w in ("1", "64"):
    p = "CrossShardRoundTripBenchmark.percoreSubmitTo[window=%s]" % w
    n = "CrossShardRoundTripBenchmark.nettyExecutePingPong[window=%s]" % w
    e = "CrossShardRoundTripBenchmark.executorCompletableFuture[window=%s]" % w
    print("  cross-shard window %-3s percore/netty    = %6.2fx %s" % (w, ratio(p, n), "[>= 5x]" if w == "64" else ""))
    print("  cross-shard window %-3s percore/executor = %6.2fx %s" % (w, ratio(p, e), "[>= 10x]" if w == "64" else ""))
print("  same-shard spawn       percore/netty    = %6.2fx [>= 2x]" % ratio(
    "SameShardSpawnBenchmark.percoreExecute", "SameShardSpawnBenchmark.nettyExecute"))
for w in ("1", "64"):
    k = "CrossShardRoundTripBenchmark.percoreSubmitTo[window=%s]" % w
    if k in alloc:
        print("  percore allocation per round trip, window %-3s = %5.1f B [<= 64 B]" % (w, alloc[k]))
PY
