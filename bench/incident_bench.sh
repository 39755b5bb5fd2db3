#!/usr/bin/env bash
# Incident benchmark (issue #3): `inferscope demo --incidents all` traffic for several seeds
# (2 days each, every incident kind once per seed) plus clean traffic, replayed through
# `inferscope analyze`, anomalies scored as events by bench/score_incidents.py: recall,
# precision, false positives per day, median detection delay, per incident kind.
#
#   bench/incident_bench.sh [SEEDS] [RPS]     default: 20 seeds at 5 requests/s
#
# Runs the default detectors and the naive operator rules (--detectors naive) side by side.
# PROFILES="default naive examples/multivariate.yaml" picks the runs: a name is passed to
# --detectors, a .yaml file to --detector-config. INFERSCOPE_BIN overrides the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-20}"
rps="${2:-5}"
bin="${INFERSCOPE_BIN:-build/bin/inferscope}"
[ -x "$bin" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
work="${BENCH_DIR:-/tmp/inferscope-incidents}"
mkdir -p "$work"

for profile in ${PROFILES:-default naive}; do
  runs=()
  if [[ "$profile" == *.yaml ]]; then
    how=(--detector-config "$profile")
    tag="$(basename "$profile" .yaml)"
  else
    how=(--detectors "$profile")
    tag="$profile"
  fi
  for seed in $(seq 1 "$seeds"); do
    f="$work/s${seed}_${rps}.jsonl"
    [ -s "$f" ] || $bin demo --duration 2d --rps "$rps" --seed "$seed" --incidents all \
      --out "$f" --labels "$work/s${seed}_${rps}.labels.json" 2>/dev/null
    $bin analyze "$f" --format json --no-progress "${how[@]}" -o "$work/s${seed}.$tag.json"
    runs+=("$work/s${seed}_${rps}.labels.json:$work/s${seed}.$tag.json:2")
  done
  # Clean traffic: every anomaly is a false positive.
  for seed in $(seq 101 $((100 + seeds))); do
    f="$work/clean${seed}_${rps}.jsonl"
    [ -s "$f" ] || $bin demo --duration 2d --rps "$rps" --seed "$seed" --incidents none --out "$f" 2>/dev/null
    $bin analyze "$f" --format json --no-progress "${how[@]}" -o "$work/clean${seed}.$tag.json"
    runs+=("-:$work/clean${seed}.$tag.json:2")
  done
  echo "### detectors: $profile"
  echo
  python3 bench/score_incidents.py "${runs[@]}"
  echo
done
