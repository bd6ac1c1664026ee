# run-peers.sh's report, from three files given in this order:
#   when     "<scenario> <start> <end> <load at start> <load at end>"  the scenarios that ran, in run order,
#            with the UTC time and 1-minute load average at the start and end of their phase
#   rows     "<name>|<scenarios>|<target ratio>"  issue 29's rows
#   results  "<round> <scenario> percore|peer <requests> <cpu_us_per_request> <rate>"
# Prints a table per scenario (medians, and the per-round ratio Percore / peer as min-max), then
# issue 29's table: per row, the per-round ratio of the CPU summed over the row's scenarios (SET
# and GET alike: both are run with the same requests), min / median / max. A row shows only when
# all its scenarios ran.
function median(a, n,   i, j, t) {
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function spread(a, n,   i, lo, hi) { # "min / median / max"
  lo = a[1]; hi = a[1]
  for (i = 2; i <= n; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
  return sprintf("%.2f / %.2f / %.2f", lo, median(a, n), hi)
}
FILENAME == ARGV[1] { order[++scenarios] = $1; ran[$1] = $2 " " $3 " " $4 " " $5; next }
FILENAME == ARGV[2] { rows++; split($0, f, "|"); row_name[rows] = f[1]; row_scenarios[rows] = f[2]; row_target[rows] = f[3]; next }
{
  key = $1 SUBSEP $2
  if ($3 == "percore") { us_mine[key] = $5; rate_mine[key] = $6 } else { us_peer[key] = $5; rate_peer[key] = $6 }
  if (!($1 in seen_round)) { seen_round[$1] = 1; round_list[++round_count] = $1 }
}
END {
  printf "%-22s %11s %11s %20s %13s %13s %10s\n", "scenario", "percore_us", "peer_us", "ratio min/med/max", "percore_rate", "peer_rate", "rate_ratio"
  for (i = 1; i <= scenarios; i++) {
    s = order[i]; n = 0
    for (k = 1; k <= round_count; k++) {
      key = round_list[k] SUBSEP s
      if ((key in us_mine) && (key in us_peer)) {
        n++; a[n] = us_mine[key]; b[n] = us_peer[key]; ratio[n] = us_mine[key] / us_peer[key]
        c[n] = rate_mine[key]; d[n] = rate_peer[key]; rr[n] = rate_mine[key] / rate_peer[key]
      }
    }
    if (n == 0) continue
    printf "%-22s %11.3f %11.3f %20s %13.0f %13.0f %10.2f\n", s, median(a, n), median(b, n), spread(ratio, n), median(c, n), median(d, n), median(rr, n)
  }
  print ""
  print "== issue 29: CPU per request (pub/sub: per delivered message), Percore / peer, per-round ratio"
  printf "%-62s %6s %20s %7s %-5s %-43s %s\n", "row", "rounds", "min / median / max", "target", "met", "UTC start - end", "load (1 min) start - end"
  for (r = 1; r <= rows; r++) {
    m = split(row_scenarios[r], members, " ")
    complete = 1
    for (j = 1; j <= m; j++) if (!(members[j] in ran)) complete = 0
    if (!complete) continue
    n = 0
    for (k = 1; k <= round_count; k++) {
      mine = 0; peer = 0; whole = 1
      for (j = 1; j <= m; j++) {
        key = round_list[k] SUBSEP members[j]
        if ((key in us_mine) && (key in us_peer)) { mine += us_mine[key]; peer += us_peer[key] } else whole = 0
      }
      if (whole && peer > 0) ratio[++n] = mine / peer
    }
    if (n == 0) continue
    split(ran[members[1]], w, " ")
    met = median(ratio, n) <= row_target[r] ? "yes" : "no"
    printf "%-62s %6d %20s %7s %-5s %-43s %s - %s\n", row_name[r], n, spread(ratio, n), "<= " row_target[r], met, w[1] " - " w[2], w[3], w[4]
  }
}
