#!/usr/bin/env bash
# End-to-end benchmark of `inferscope analyze` (all sections, --format json) against the
# pandas equivalent (bench/pandas_summary.py) on the same generated file, in the same run.
#
#   bench/analyze_e2e.sh [DAYS] [RPS]      default: 2 days at 20 requests/s (~3.5M lines)
#
# Needs a release build (scripts/build.sh release) and python3-pandas. Prints a Markdown
# table: MB/s and lines/s per core (bytes / CPU seconds) and wall-clock, peak RSS, and the
# ratio to pandas. Set SKIP_PANDAS=1 to skip the baseline, INFERSCOPE_BIN=path to time another
# build of the binary (e.g. the previous one, for a before/after in the same run), RUNS=n for
# more than 3 runs (the machine is shared: the per-core figure is the lowest CPU time).
set -euo pipefail
cd "$(dirname "$0")/.."
days="${1:-2}"
rps="${2:-20}"
bin="${INFERSCOPE_BIN:-build/bin/inferscope}"
runs="${RUNS:-3}"
[ -x "$bin" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
work="${BENCH_DIR:-/tmp/inferscope-bench}"
mkdir -p "$work"
data="$work/requests_${days}d_${rps}rps.jsonl"
if [ ! -s "$data" ]; then
  echo "generating $data ..." >&2
  $bin demo --duration "${days}d" --rps "$rps" --seed 1 --incidents all --out "$data"
fi
bytes=$(stat -c %s "$data")
lines=$(wc -l < "$data")

# /usr/bin/time -f: elapsed, user, sys, max RSS (kB).
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" > /dev/null
  cat "$work/time.txt"
}

best_wall=999999; best_cpu=999999; rss=0
for i in $(seq "$runs"); do
  read -r w u s r < <(measure "$bin" analyze "$data" --format json --no-progress)
  c=$(awk "BEGIN{print $u + $s}")
  if awk "BEGIN{exit !($w < $best_wall)}"; then best_wall=$w; fi
  if awk "BEGIN{exit !($c < $best_cpu)}"; then best_cpu=$c; fi
  if [ "$r" -gt "$rss" ]; then rss=$r; fi
done
wall=$best_wall
cpu=$best_cpu

echo "| what | value |"
echo "|---|---|"
echo "| binary | $bin (best of $runs runs) |"
echo "| input | $days d at $rps req/s: $lines lines, $(awk "BEGIN{printf \"%.0f\", $bytes/1e6}") MB |"
awk -v b="$bytes" -v l="$lines" -v w="$wall" -v c="$cpu" -v r="$rss" 'BEGIN{
  printf "| inferscope wall | %.2f s (%.0f MB/s, %.2f M lines/s) |\n", w, b/1e6/w, l/1e6/w;
  printf "| inferscope per core (CPU s = %.2f) | %.0f MB/s, %.2f M lines/s |\n", c, b/1e6/c, l/1e6/c;
  printf "| inferscope peak RSS | %.0f MB |\n", r/1024 }'

if [ "${SKIP_PANDAS:-0}" != "1" ]; then
  read -r pwall puser psys prss < <(measure /usr/bin/python3 bench/pandas_summary.py "$data")
  awk -v b="$bytes" -v w="$pwall" -v r="$prss" -v iw="$wall" 'BEGIN{
    printf "| pandas wall | %.2f s (%.0f MB/s) |\n", w, b/1e6/w;
    printf "| pandas peak RSS | %.0f MB |\n", r/1024;
    printf "| speed-up (pandas wall / inferscope wall) | %.0fx |\n", w/iw }'
fi
