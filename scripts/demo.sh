#!/usr/bin/env bash
# README command 1: install, build, generate a day of demo traffic with injected incidents,
# and analyze it. Writes out/demo/report.html and prints the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
mkdir -p out/demo
bin=build/bin/inferscope
$bin demo --duration 1d --rps 5 --seed 7 --incidents all \
  --out out/demo/requests.jsonl --labels out/demo/incidents.json
$bin analyze out/demo/requests.jsonl --report out/demo/report.html
echo
echo "report: $(pwd)/out/demo/report.html   incidents injected: $(pwd)/out/demo/incidents.json"
