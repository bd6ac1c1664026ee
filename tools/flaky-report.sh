#!/usr/bin/env bash
# Runs the whole suite N times, each time in a fresh clone of this repository's HEAD (what a newcomer
# gets: no target/, nothing left by an earlier run), and prints every test that failed with the number
# of runs it failed in. A flaky test is a defect: this finds them all at once instead of one red CI run
# at a time.
#
#   tools/flaky-report.sh N [MAVEN ARGS...]     e.g. tools/flaky-report.sh 5 -Dtests.forkCount=1
#
# MAVEN ARGS go to every `./mvnw -B verify` as they are. STRESS="-c 1" runs `stress $STRESS` beside the
# runs (the loaded machine the suite must pass on; Debian: apt-get install -y stress). Each run's log and
# the reports of its failed tests are kept under OUT (default: a new directory in /tmp); the clones are
# removed. Exit status: 0 when every run was green.
set -euo pipefail

if [ $# -lt 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
runs=$1
shift
repo=$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse HEAD)
out=${OUT:-$(mktemp -d /tmp/flaky-report.XXXXXX)}
mkdir -p "$out"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "note: uncommitted changes in $repo are not part of the runs (they test HEAD, $head)" >&2
fi

stress_pid=
sampler=
clone=
cleanup() {
  if [ -n "$sampler" ]; then
    kill "$sampler" 2>/dev/null || true
  fi
  if [ -n "$stress_pid" ]; then
    kill -- "-$stress_pid" 2>/dev/null || true
  fi
  if [ -n "$clone" ]; then
    rm -rf "$clone"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "${STRESS:-}" ]; then
  command -v stress >/dev/null || { echo "STRESS is set but stress is not installed (apt-get install -y stress)" >&2; exit 2; }
  # Its own process group, so that the workers stop with it and nothing else does.
  # shellcheck disable=SC2086
  setsid stress $STRESS >/dev/null 2>&1 &
  stress_pid=$!
fi

# The machine's load while a run goes: the 1-minute load average sampled every 15 s, as mean and peak.
start_load() {
  : >"$out/load-$1"
  (while :; do cut -d' ' -f1 /proc/loadavg >>"$out/load-$1"; sleep 15; done) &
  sampler=$!
}
stop_load() {
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=
  load=$(awk '{ s += $1; if ($1 > m) m = $1 } END { if (NR) printf "load mean %.1f, peak %.1f", s / NR, m }' "$out/load-$1")
}
started=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "flaky report: $runs run(s) of ./mvnw -B verify $* on $head, $(nproc) CPUs${STRESS:+, stress $STRESS beside}; logs in $out"
declare -A failed=()
green=0
for i in $(seq 1 "$runs"); do
  clone=$(mktemp -d /tmp/flaky-clone.XXXXXX)
  git clone -q --no-checkout "$repo" "$clone"
  git -C "$clone" checkout -q --detach "$head"
  log="$out/run-$i.log"
  t0=$(date +%s)
  start_load "$i"
  status=0
  (cd "$clone" && ./mvnw -B verify "$@") >"$log" 2>&1 || status=$?
  secs=$(( $(date +%s) - t0 ))
  stop_load "$i"

  # Each failed or errored test case of every surefire and failsafe report: class.method.
  mapfile -t bad < <(find "$clone" -path '*/target/*-reports/TEST-*.xml' -print0 |
    xargs -0 -r awk '
      /<testcase / { name = $0; sub(/.* name="/, "", name); sub(/".*/, "", name)
                     cls = $0; sub(/.* classname="/, "", cls); sub(/".*/, "", cls) }
      /<(failure|error)[ >]/ { print cls "." name }' | sort -u)
  if [ "$status" -ne 0 ] && [ ${#bad[@]} -eq 0 ]; then
    # Red without a failed test: a crashed fork, a timeout, a build step. Named after the log's error.
    bad=("(build) $(grep -m1 -E '^\[ERROR\] ' "$log" | cut -c9-140 || echo "exit status $status")")
  fi
  for t in "${bad[@]}"; do
    failed[$t]=$(( ${failed[$t]:-0} + 1 ))
  done
  if [ ${#bad[@]} -gt 0 ]; then
    mkdir -p "$out/run-$i"
    find "$clone" -path '*/target/*-reports/*' \( -name 'TEST-*.xml' -o -name '*-output.txt' -o -name '*.txt' \) -print0 |
      xargs -0 -r grep -l -E '<(failure|error)[ >]|FAILURE|<<< ERROR' 2>/dev/null |
      while read -r f; do cp "$f" "$out/run-$i/"; done || true
    # What the failed classes printed (the service's and the operator's logs): often the only account of why.
    for t in "${bad[@]}"; do
      find "$clone" -path '*/target/*-reports/*' -name "${t%.*}-output.txt" -exec cp {} "$out/run-$i/" \; 2>/dev/null || true
    done
    echo "run $i: RED in ${secs}s ($load), started $(date -u -d "@$t0" '+%H:%M UTC'): ${bad[*]}"
  else
    green=$((green + 1))
    echo "run $i: green in ${secs}s ($load), started $(date -u -d "@$t0" '+%H:%M UTC')"
  fi
  rm -rf "$clone"
  clone=
done

echo
echo "flaky report, $started to $(date -u '+%H:%M UTC'): $green of $runs runs green; command: tools/flaky-report.sh $runs $*${STRESS:+ with stress $STRESS beside}"
if [ ${#failed[@]} -eq 0 ]; then
  echo "0 failures"
  exit 0
fi
echo "failing tests (runs failed in, of $runs):"
for t in "${!failed[@]}"; do
  printf '%4d  %s\n' "${failed[$t]}" "$t"
done | sort -rn
exit 1
