#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for N seconds (default 30) from the
# seed corpus in fuzz/corpus/<target>. Fails on any crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
./scripts/build.sh fuzz
for bin in build-fuzz/bin/fuzz_*; do
  name=$(basename "$bin")
  corpus="fuzz/corpus/${name#fuzz_}"
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  echo "fuzzing $name for ${secs}s"
  "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=0 "$work" 2>&1 | tail -3
  rm -rf "$work"
done
echo "fuzz: all targets ran clean"
