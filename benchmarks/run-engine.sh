#!/usr/bin/env bash
# Runs the engine micro-benchmarks side by side, ROUNDS times (default 5), each round one JMH run of
# every benchmark, and prints min / median / max of each score and of each ratio (ratios are taken
# within a round, so the systems are compared under the same machine conditions). About 6 minutes
# on 2 cores with the default 5 rounds.
#
#   benchmarks/run-engine.sh                                # build if needed, run, print the spread
#   ROUNDS=3 benchmarks/run-engine.sh                       # fewer rounds
#   PERCORE_MODE=OVERPROVISIONED benchmarks/run-engine.sh   # shards sleep when idle, no pinning
#
# PERCORE_MODE defaults to PINNED, the engine's default: busy-polling shards on their own cores.
# On a loaded machine pinned shards fight other processes for the same CPUs; run it on a quiet
# one (see README.md) and check the load average it prints first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
mode="${PERCORE_MODE:-PINNED}"
rounds="${ROUNDS:-5}"
out="${RESULTS:-$here/target/engine-results}"

if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
fi
mkdir -p "$out"
rm -f "$out"/round-*.json
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) mode=$mode rounds=$rounds cpus=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"

for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds"
  java -jar "$jar" 'CrossShardRoundTripBenchmark|CrossShardLatencyBenchmark|SameShardSpawnBenchmark' \
    -f 1 -wi 1 -w 1s -i 2 -r 2s -prof gc \
    -jvmArgsAppend "-Dpercore.mode=$mode -Xms512m -Xmx512m" \
    -rf json -rff "$out/round-$r.json" >"$out/round-$r.log" 2>&1 \
    || { tail -30 "$out/round-$r.log"; exit 1; }
done

python3 - "$out" "$mode" <<'PY'
import glob, json, statistics, sys
rounds = []
for path in sorted(glob.glob(sys.argv[1] + "/round-*.json")):
    score, alloc, pct = {}, {}, {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 2)
        key = name[-2] + "." + name[-1] + "".join("[%s=%s]" % kv for kv in sorted(r.get("params", {}).items()))
        score[key] = r["primaryMetric"]["score"]
        sec = r.get("secondaryMetrics", {})
        if "gc.alloc.rate.norm" in sec:
            alloc[key] = sec["gc.alloc.rate.norm"]["score"]
        if r["mode"] == "sample":
            p = r["primaryMetric"]["scorePercentiles"]
            pct[key] = (p["50.0"], p["99.0"], p["99.9"])
    rounds.append((score, alloc, pct))

def spread(values):
    values = [v for v in values if v == v]
    if not values:
        return "n/a"
    return "%s / %s / %s" % tuple(fmt(v) for v in (min(values), statistics.median(values), max(values)))

def fmt(v):
    return "%.3g" % v if abs(v) < 100 else "{:,.0f}".format(v)

print("\nmode: %s, %d rounds; min / median / max over rounds" % (sys.argv[2], len(rounds)))
keys = sorted(rounds[0][0])
print("%-66s %34s %8s" % ("benchmark", "score", "B/op"))
for k in keys:
    unit = "ns/op" if k in rounds[0][2] else "ops/s"
    b = statistics.median([a.get(k, float("nan")) for _, a, _ in rounds])
    print("%-66s %34s %8.1f  %s" % (k, spread([s[k] for s, _, _ in rounds]), b, unit))
lat = [k for k in keys if k in rounds[0][2]]
if lat:
    print("\nlatency per round trip (batches of 100, one outstanding), ns, median over rounds: p50 / p99 / p99.9")
    for k in lat:
        print("  %-60s %8.0f %8.0f %8.0f" % ((k,) + tuple(statistics.median(p[k][i] for _, _, p in rounds) for i in range(3))))

def ratios(a, b):
    return [s[a] / s[b] for s, _, _ in rounds if a in s and b in s and s[b]]

print("\nratios within each round, min / median / max (targets in brackets)")
for w in ("1", "64"):
    p = "CrossShardRoundTripBenchmark.percoreSubmitTo[window=%s]" % w
    n = "CrossShardRoundTripBenchmark.nettyExecutePingPong[window=%s]" % w
    e = "CrossShardRoundTripBenchmark.executorCompletableFuture[window=%s]" % w
    print("  cross-shard window %-3s percore/netty    = %s %s" % (w, spread(ratios(p, n)), "[>= 5x]" if w == "64" else ""))
    print("  cross-shard window %-3s percore/executor = %s %s" % (w, spread(ratios(p, e)), "[>= 10x]" if w == "64" else ""))
print("  same-shard spawn       percore/netty    = %s [>= 2x]" % spread(ratios(
    "SameShardSpawnBenchmark.percoreExecute", "SameShardSpawnBenchmark.nettyExecute")))
for w in ("1", "64"):
    k = "CrossShardRoundTripBenchmark.percoreSubmitTo[window=%s]" % w
    vals = [a[k] for _, a, _ in rounds if k in a]
    if vals:
        print("  percore allocation per round trip, window %-3s = %5.1f B [<= 64 B]" % (w, statistics.median(vals)))
PY
