#!/usr/bin/env bash
# Writes MODULE/src/test/run-order/surefire-statistics from that module's last test reports
# (MODULE/target/surefire-reports/TEST-*.xml): each test's time in surefire's statistics format
# (builds,milliseconds,class,method), plus a class's time outside its tests (@BeforeAll, @AfterAll)
# as a method named "(class)". The build copies the file to where surefire's balanced run order
# reads it, so the module's longest classes start first (root pom, execution run-order).
#   tools/run-order.sh MODULE...      e.g. tools/run-order.sh demo-service-tests operator
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

for module in "$@"; do
  shopt -s nullglob
  reports=("$module"/target/surefire-reports/TEST-*.xml)
  if [ ${#reports[@]} -eq 0 ]; then
    echo "$module: no reports under $module/target/surefire-reports: run its tests first" >&2
    exit 1
  fi
  out="$module/src/test/run-order/surefire-statistics"
  mkdir -p "$(dirname "$out")"
  for f in "${reports[@]}"; do
    awk '
      function ms(t) { gsub(/,/, "", t); return int(t * 1000) }
      function attr(s, a,   v) { v = s; if (!sub(".* " a "=\"", "", v)) return ""; sub(/".*/, "", v); return v }
      /<testsuite / && !suite { suite = 1; cls = attr($0, "name"); total = ms(attr($0, "time")) }
      /<testcase / { n = attr($0, "name"); t = ms(attr($0, "time")); sum += t; print "1," t "," attr($0, "classname") "," n }
      END { if (total > sum) print "1," total - sum "," cls ",(class)" }' "$f"
  done | sort -t, -k3,3 -k4 >"$out"
  echo "$out: $(wc -l <"$out") tests, $(awk -F, '{ s += $2 } END { printf "%.0f", s / 1000 }' "$out") s"
done
