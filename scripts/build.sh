#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release -> build/bin/inferscope).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
# ccache hits across clones in different folders (CI clones afresh each time).
export CCACHE_BASEDIR="$(pwd)" CCACHE_NOHASHDIR=true
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
