#!/usr/bin/env bash
# The suite's waits, counted (issue 52): what makes a test flaky on a loaded machine.
#   1. Thread.sleep (and TimeUnit.X.sleep) in test sources. A poll interval inside a wait with a deadline
#      is harmless; a sleep that stands for "the other thread is done by now" or "it would have happened by
#      now" is a defect: wait for the write (a latch, a future, a condition polled with a deadline) or bound
#      the wait from an event the test can see (a later reply, a counter).
#   2. Deadlines under 10 s on a wait (future.get, await, poll, a polled condition's deadline, a socket's
#      read timeout, @Timeout): a loaded 2-core machine blows through them. What a test configures in the
#      code it tests (an interval, a lua-time-limit) is not counted.
#   3. Assertions on collections that other threads fill (collections of a concurrent type declared in the
#      test: CopyOnWriteArrayList, synchronizedList, concurrent queues, maps and sets): each must come after
#      a wait for the writes it reads (listed to be read one by one).
#   tools/test-audit.sh [-v]      -v lists every hit as file:line
set -euo pipefail
cd "$(dirname "$0")/.."
verbose=${1:-}
mapfile -t files < <(git ls-files '*/src/test/*.java')

show() {
  if [ "$verbose" = -v ]; then sed 's/^/    /'; else cat >/dev/null; fi
}

sleeps=$(grep -nE '(Thread|TimeUnit\.[A-Z]+)\.sleep\(' "${files[@]}" || true)
printf '%5d  Thread.sleep in tests\n' "$(grep -c . <<<"$sleeps" || true)"
show <<<"$sleeps"

# The forms a wait's deadline takes here: future.get(5, SECONDS), latch.await(..), queue.poll(..), process.waitFor(..),
# eventually("..", Duration.ofSeconds(5), ..), a polled deadline (nanoTime() + 5_000_000_000L, SECONDS.toNanos(5),
# Duration.ofSeconds(5).toNanos()), setSoTimeout(5000), @Timeout(5), assertTimeout*(Duration..), block(Duration..),
# Awaitility's atMost(..). Each with its number in milliseconds; a nanoTime() deadline under 100 ms is a spin, not a wait.
short=$(grep -nE '\.(get|await|poll|take|tryAcquire|waitFor|awaitTermination|join)\( *[0-9][0-9_]*L?, *(TimeUnit\.)?(SECONDS|MILLISECONDS)\)|eventually\(.*Duration\.of(Seconds|Millis)\(|nanoTime\(\) *\+ *([0-9]|[^;]*(toNanos|ofSeconds|ofMillis))|setSoTimeout\( *[0-9]|@Timeout\(|assertTimeout[A-Za-z]*\( *Duration|\.block\( *Duration|atMost\(' "${files[@]}" |
  awk '
    function ms(line,   m, n, d, i, v, u, best) {
      best = -1
      while (match(line, /(SECONDS\.toNanos\(|ofSeconds\(|ofMillis\(|setSoTimeout\(|@Timeout\(|nanoTime\(\) *\+ *)?[0-9][0-9_]*L?(, *(TimeUnit\.)?(SECONDS|MILLISECONDS))?/)) {
        m = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
        n = split(m, d, /[^0-9_]+/); v = ""
        for (i = 1; i <= n; i++) if (d[i] != "") { v = d[i]; break }
        gsub(/_/, "", v); v = v + 0
        if (m ~ /MILLISECONDS$|ofMillis|setSoTimeout/) u = v
        else if (m ~ /SECONDS$|SECONDS\.toNanos|ofSeconds|@Timeout/) u = v * 1000
        else if (m ~ /nanoTime/) { u = v / 1000000; if (u < 100) continue }
        else continue
        if (best < 0 || u < best) best = u
      }
      return best
    }
    { rest = $0; sub(/^[^:]*:[0-9]+:/, "", rest); v = ms(rest); if (v > 0 && v < 10000) print }')
printf '%5d  wait deadlines under 10 s\n' "$(grep -c . <<<"$short" || true)"
show <<<"$short"

# Names declared in a test with a concurrent collection type, then the assertions that read them.
asserts=$(for f in "${files[@]}"; do
  names=$(grep -oE '[A-Za-z_][A-Za-z0-9_]* *= *new *(java\.util\.concurrent\.)?(CopyOnWriteArrayList|CopyOnWriteArraySet|ConcurrentLinkedQueue|ConcurrentLinkedDeque|LinkedBlockingQueue|ArrayBlockingQueue|ConcurrentHashMap)|[A-Za-z_][A-Za-z0-9_]* *= *(java\.util\.)?(Collections\.synchronized(List|Set|Map)|ConcurrentHashMap\.newKeySet)' "$f" |
    sed -E 's/ *=.*//' | sort -u | paste -sd'|' -)
  [ -n "$names" ] || continue
  grep -nE "assertThat\((([A-Za-z_][A-Za-z0-9_]*\.)*)($names)\b" "$f" | sed "s|^|$f:|" || true
done)
printf '%5d  assertions on collections that other threads fill\n' "$(grep -c . <<<"$asserts" || true)"
show <<<"$asserts"
