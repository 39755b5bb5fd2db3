#!/usr/bin/env bash
# Incident benchmark (issue #3): `inferscope demo --incidents all` traffic for several seeds
# (2 days each, every incident kind once per seed) plus clean traffic, replayed through
# `inferscope analyze`, anomalies scored as events by bench/score_incidents.py: recall,
# precision, false positives per day, median detection delay, per incident kind.
#
#   bench/incident_bench.sh [SEEDS] [RPS]     default: 5 seeds at 5 requests/s
#
# Runs the default detectors and the naive operator rules (--detectors naive) side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-5}"
rps="${2:-5}"
bin=build/bin/inferscope
[ -x "$bin" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
work="${BENCH_DIR:-/tmp/inferscope-incidents}"
mkdir -p "$work"

for profile in default naive; do
  runs=()
  for seed in $(seq 1 "$seeds"); do
    f="$work/s${seed}_${rps}.jsonl"
    [ -s "$f" ] || $bin demo --duration 2d --rps "$rps" --seed "$seed" --incidents all \
      --out "$f" --labels "$work/s${seed}_${rps}.labels.json" 2>/dev/null
    $bin analyze "$f" --format json --no-progress --detectors "$profile" -o "$work/s${seed}.$profile.json"
    runs+=("$work/s${seed}_${rps}.labels.json:$work/s${seed}.$profile.json:2")
  done
  # Clean traffic: every anomaly is a false positive.
  for seed in $(seq 101 $((100 + seeds))); do
    f="$work/clean${seed}_${rps}.jsonl"
    [ -s "$f" ] || $bin demo --duration 2d --rps "$rps" --seed "$seed" --incidents none --out "$f" 2>/dev/null
    $bin analyze "$f" --format json --no-progress --detectors "$profile" -o "$work/clean${seed}.$profile.json"
    runs+=("-:$work/clean${seed}.$profile.json:2")
  done
  echo "### detectors: $profile"
  echo
  python3 bench/score_incidents.py "${runs[@]}"
  echo
done
