#!/usr/bin/env bash
# Where the suite's time goes, from the reports of the last run (surefire and failsafe XML under
# */target/*-reports): the slowest test classes and each module's total. A class's time is what its
# report says (its tests and its @BeforeAll/@AfterAll); a module's is the sum over its classes, which
# is its wall time only while its classes run one after another.
#   tools/test-times.sh [TOP [DIR]]   TOP slowest classes (default 30) of the clone at DIR (default: this one)
set -euo pipefail
top=${1:-30}
cd "${2:-$(dirname "$0")/..}"

shopt -s nullglob
reports=(*/target/surefire-reports/TEST-*.xml */target/failsafe-reports/TEST-*.xml */*/target/failsafe-reports/TEST-*.xml)
if [ ${#reports[@]} -eq 0 ]; then
  echo "no test reports under */target: run ./mvnw verify first" >&2
  exit 1
fi

# One line per class: seconds, tests, module, class (the attributes of its <testsuite> element).
rows=$(for f in "${reports[@]}"; do
  module=${f%%/target/*}
  head -c 4000 "$f" | tr '\n' ' ' | grep -o '<testsuite [^>]*>' | head -1 |
    awk -v m="$module" '{
      t = $0; sub(/.* time="/, "", t); sub(/".*/, "", t); gsub(/,/, "", t)
      n = $0; sub(/.* tests="/, "", n); sub(/".*/, "", n)
      c = $0; sub(/.* name="/, "", c); sub(/".*/, "", c)
      printf "%.1f %s %s %s\n", t, n, m, c }'
done)

echo "Slowest $top test classes (seconds, tests, module, class):"
sort -rn <<<"$rows" | head -"$top" | awk '{ printf "%8.1f %4d  %-26s %s\n", $1, $2, $3, $4 }'
echo
echo "Per module (seconds in test classes, classes, tests):"
awk '{ s[$3] += $1; c[$3]++; n[$3] += $2; total += $1; tests += $2 }
     END { for (m in s) printf "%8.1f %4d %5d  %s\n", s[m], c[m], n[m], m
           printf "%8.1f %4d %5d  %s\n", total, NR, tests, "(all)" }' <<<"$rows" | sort -rn
