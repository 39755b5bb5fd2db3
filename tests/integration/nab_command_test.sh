#!/usr/bin/env bash
# `inferscope nab` on the NAB subset in ../shared/data/nab: one result file per series with
# exactly one row per input row in input order, scores in [0, 1], and the normalised scores
# written to scores.json. Guards the measured quality (docs/nab.md: 75.1 standard, 67.8
# reward-low-FP) against regressions with floors of 75 and 67. Skipped (exit 0 with a
# message) when the corpus is absent.
set -euo pipefail
bin="$1"
data="../shared/data/nab"
[ -d "$data" ] || { echo "skipped: $data not found"; exit 0; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" nab --data "$data" --out "$out" > "$out/stdout.txt"
python3 - "$data" "$out" <<'PY'
import csv, json, os, sys
data, out = sys.argv[1], sys.argv[2]
files = 0
for cat in sorted(os.listdir(data)):
    if not os.path.isdir(os.path.join(data, cat)):
        continue
    for name in sorted(os.listdir(os.path.join(data, cat))):
        src = list(csv.DictReader(open(os.path.join(data, cat, name))))
        res = list(csv.DictReader(open(os.path.join(out, cat, "inferscope_" + name))))
        assert len(src) == len(res), f"{cat}/{name}: {len(src)} rows in, {len(res)} out"
        for a, b in zip(src, res):
            assert a["timestamp"] == b["timestamp"], f"{cat}/{name}: order differs at {a}"
            assert float(a["value"]) == float(b["value"])
            s = float(b["anomaly_score"])
            assert 0.0 <= s <= 1.0, f"{cat}/{name}: score {s}"
        files += 1
assert files == 35, files
scores = {p["profile"]: p["normalized"] for p in json.load(open(os.path.join(out, "scores.json")))["profiles"]}
assert scores["standard"] >= 75, scores
assert scores["reward_low_FP_rate"] >= 67, scores
print(f"ok: {files} files; scores {scores}")
PY
