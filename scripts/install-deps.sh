#!/usr/bin/env bash
# Installs what inferscope needs to build, test and benchmark on Debian 12, with apt only.
# Idempotent: packages already present are not reinstalled, and apt-get update runs only
# when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 libclang-rt-14-dev clang-format
  libsimdjson-dev libcli11-dev libfmt-dev libspdlog-dev libyaml-cpp-dev
  libzstd-dev zstd zlib1g-dev gzip
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libcpp-httplib-dev libssl-dev libprotobuf-dev protobuf-compiler libsnappy-dev libsqlite3-dev
  python3 python3-pandas
  time
  # Real servers the integration tests start on 127.0.0.1 (never as services), and the
  # HTTP load generator of the server benchmarks.
  prometheus prometheus-alertmanager victoria-metrics clickhouse-server wrk
  # The browser the HTML report is tested in (driven by playwright-core from npm, which
  # tests/integration/html_report_chromium_test.sh installs into tests/web on first use).
  chromium nodejs
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm: Debian's own package only where no npm came with Node.js (NodeSource's nodejs bundles
# one, and Debian's npm package would conflict with it).
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing: npm" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm
fi
