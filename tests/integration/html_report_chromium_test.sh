#!/usr/bin/env bash
# The HTML report (`analyze --report`) of a day of demo traffic with incidents, opened in
# Debian's Chromium through playwright-core (tests/web/report_check.mjs): no console or page
# error, self-contained, every section reachable, charts readable at desktop and phone width,
# no sideways page scroll, and the anomaly blocks and incident groups matching the JSON of the
# same run. Screenshots are left in $INFERSCOPE_SHOTS when set.
set -euo pipefail
bin="$1"
web="tests/web"
[ -x /usr/bin/chromium ] || { echo "no /usr/bin/chromium: run scripts/install-deps.sh" >&2; exit 1; }
if [ ! -d "$web/node_modules/playwright-core" ]; then
  npm ci --prefix "$web" --no-audit --no-fund --loglevel=error >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shots="${INFERSCOPE_SHOTS:-$work}"
"$bin" demo --duration 1d --rps 2 --seed 11 --incidents all --out "$work/requests.jsonl" 2>/dev/null
"$bin" analyze "$work/requests.jsonl" --report "$work/report.html" --format json \
  -o "$work/analysis.json" --no-progress
node "$web/report_check.mjs" "$work/report.html" "$work/analysis.json" "$shots"
