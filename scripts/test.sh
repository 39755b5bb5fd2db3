#!/usr/bin/env bash
# README command 2: install, build with ASan+UBSan and warnings as errors, run every test
# (unit + integration), the unit tests again in the release build, then a short libFuzzer
# run of each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/format.sh --check
./scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --preset asan
# The unit tests again in the optimised build users run: a bug that ASan's allocator hides
# (its quarantine never hands a freed address back soon) shows there.
./scripts/build.sh release
ctest --preset release
./scripts/fuzz.sh 30
