#!/usr/bin/env bash
# End-to-end benchmark of `inferscope analyze` (all sections, --format json) against the
# pandas equivalent (bench/pandas_summary.py) on the same generated file, in the same run.
#
#   bench/analyze_e2e.sh [DAYS] [RPS]      default: 2 days at 20 requests/s (~3.5M lines)
#
# Needs a release build (scripts/build.sh release) and python3-pandas. Times the binary twice,
# with `--threads 1` (the single-threaded reader) and with its default thread count (one per
# hardware thread, docs/analyze.md), and prints a Markdown table for both: wall-clock time and
# MB/s, CPU seconds, MB/s and lines/s per core (bytes / CPU seconds), peak RSS, and the ratio
# to pandas' wall-clock time. Set SKIP_PANDAS=1 to skip the baseline, INFERSCOPE_BIN=path to
# time another build of the binary (e.g. the previous one, for a before/after in the same run;
# a binary without --threads gets one column), RUNS=n for more than 3 runs (the machine is
# shared: each figure is the best of the runs), BENCH_DIR for the data directory.
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
bytes=$(stat -L -c %s "$data")
lines=$(wc -l < "$data")
timefile=$(mktemp)
trap 'rm -f "$timefile"' EXIT

# /usr/bin/time -f: elapsed, user, sys, max RSS (kB).
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$timefile" "$@" > /dev/null
  cat "$timefile"
}

# best_of FLAGS...: sets wall (best), cpu (best user+sys), rss (largest) over $runs runs.
best_of() {
  wall=999999; cpu=999999; rss=0
  for _ in $(seq "$runs"); do
    read -r w u s r < <(measure "$bin" analyze "$data" --format json --no-progress "$@")
    c=$(awk "BEGIN{print $u + $s}")
    if awk "BEGIN{exit !($w < $wall)}"; then wall=$w; fi
    if awk "BEGIN{exit !($c < $cpu)}"; then cpu=$c; fi
    if [ "$r" -gt "$rss" ]; then rss=$r; fi
  done
}

names=(); walls=(); cpus=(); rsss=()
if "$bin" analyze --help 2>/dev/null | grep -q -- '--threads'; then
  best_of --threads 1
  names+=("--threads 1"); walls+=("$wall"); cpus+=("$cpu"); rsss+=("$rss")
  default_threads=$(nproc)
  [ "$default_threads" -gt 16 ] && default_threads=16
  best_of
  names+=("default ($default_threads threads)"); walls+=("$wall"); cpus+=("$cpu"); rsss+=("$rss")
else
  best_of
  names+=("default (single-threaded binary)"); walls+=("$wall"); cpus+=("$cpu"); rsss+=("$rss")
fi

pwall=""
if [ "${SKIP_PANDAS:-0}" != "1" ]; then
  read -r pwall _ _ prss < <(measure /usr/bin/python3 bench/pandas_summary.py "$data")
fi

row() {  # row LABEL AWK_EXPR_USING_w_c_r
  local label=$1 expr=$2
  local line="| $label |"
  for i in "${!names[@]}"; do
    line+=" $(awk -v b="$bytes" -v l="$lines" -v w="${walls[$i]}" -v c="${cpus[$i]}" \
      -v r="${rsss[$i]}" -v p="${pwall:-0}" "BEGIN{$expr}") |"
  done
  echo "$line"
}

echo "binary: $bin (best of $runs runs); input: $days d at $rps req/s: $lines lines," \
  "$(awk "BEGIN{printf \"%.0f\", $bytes/1e6}") MB; $(nproc) CPUs; load average:" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
echo
header="| inferscope analyze |"; rule="|---|"
for n in "${names[@]}"; do header+=" $n |"; rule+="---|"; done
echo "$header"
echo "$rule"
row "wall-clock" 'printf "%.2f s (%.0f MB/s, %.2f M lines/s)", w, b/1e6/w, l/1e6/w'
row "CPU (user + sys)" 'printf "%.2f s", c'
row "per core (bytes / CPU s)" 'printf "%.0f MB/s, %.2f M lines/s", b/1e6/c, l/1e6/c'
row "peak RSS" 'printf "%.0f MB", r/1024'
if [ -n "$pwall" ]; then
  row "speed-up (pandas wall / inferscope wall)" 'printf "%.0fx", p/w'
  echo
  awk -v b="$bytes" -v w="$pwall" -v r="$prss" 'BEGIN{
    printf "pandas: %.2f s wall (%.0f MB/s), peak RSS %.0f MB\n", w, b/1e6/w, r/1024 }'
fi
