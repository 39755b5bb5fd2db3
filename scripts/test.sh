#!/usr/bin/env bash
# README command 2: install, build with ASan+UBSan and warnings as errors, run every test
# (unit + integration), then a short libFuzzer run of each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/format.sh --check
./scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --preset asan
./scripts/fuzz.sh 30
