#!/usr/bin/env bash
# Checks `inferscope analyze --format json` against values computed independently, exactly,
# in Python, on a day of demo traffic with incidents (~170k records) plus injected garbage:
# counts, error rates, cost and tokens must match exactly; percentiles within the sketch's
# stated 1% relative error of the exact (lower) quantile; rejects counted with line numbers.
set -euo pipefail
bin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" demo --duration 1d --rps 2 --seed 3 --incidents all --out "$work/clean.jsonl" 2>/dev/null
# Garbage on lines 1001, 2002 (+1 for the first insertion) ... and a truncated last line.
awk 'NR % 1000 == 0 { print "{\"timestamp\": oops" } { print }' "$work/clean.jsonl" > "$work/mixed.jsonl"
printf '{"timestamp":"2026-01-05T10:00:00Z","model":"x","latency_ms":' >> "$work/mixed.jsonl"
gzip -c "$work/mixed.jsonl" > "$work/mixed.jsonl.gz"

"$bin" analyze "$work/mixed.jsonl.gz" --format json --no-progress -o "$work/out.json" 2> "$work/err.txt" || {
  echo "analyze failed:"; cat "$work/err.txt"; exit 1; }

python3 - "$work/clean.jsonl" "$work/out.json" <<'PY'
import json, math, sys
from collections import defaultdict

recs = [json.loads(l) for l in open(sys.argv[1])]
out = json.load(open(sys.argv[2]))
fails = []

def check(name, got, want, rel=0.0):
    ok = (got == want) if rel == 0 else abs(got - want) <= rel * abs(want) + 1e-12
    if not ok:
        fails.append(f"{name}: got {got}, want {want}" + (f" (±{rel:.0%})" if rel else ""))

def lower_quantile(values, q):
    v = sorted(values)
    return v[math.floor(q * (len(v) - 1))]

s = out["summary"]
check("total_requests", s["total_requests"], len(recs))
errors = sum(1 for r in recs if r["status"] != "ok")
check("error_rate", round(s["error_rate"], 12), round(errors / len(recs), 12))
check("cost_usd", s["cost_usd"], sum(r.get("cost_usd", 0) for r in recs), 1e-9)
lat = [r["latency_ms"] for r in recs]
for q, key in [(0.5, "p50"), (0.9, "p90"), (0.95, "p95"), (0.99, "p99")]:
    check(f"latency {key}", s["latency_ms"][key], lower_quantile(lat, q), 0.01)
check("latency max", s["latency_ms"]["max"], max(lat))
check("latency avg", s["latency_ms"]["avg"], sum(lat) / len(lat), 1e-9)

by_model = defaultdict(list)
for r in recs:
    by_model[r["model"]].append(r)
check("model count", sorted(out["models"].keys()), sorted(by_model.keys()))
for name, rs in by_model.items():
    m = out["models"][name]
    check(f"{name}.count", m["count"], len(rs))
    check(f"{name}.error_rate", round(m["error_rate"], 12),
          round(sum(1 for r in rs if r["status"] != "ok") / len(rs), 12))
    ml = [r["latency_ms"] for r in rs]
    for q, key in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")]:
        check(f"{name}.latency {key}", m["latency_ms"][key], lower_quantile(ml, q), 0.01)
    check(f"{name}.cost", m["cost_usd"], sum(r.get("cost_usd", 0) for r in rs), 1e-9)

inp = out["input"]
garbage = len(recs) // 1000 + 1
check("rejected", inp["rejected"], garbage)
check("accepted", inp["accepted"], len(recs))
first = inp["first_rejects"][0]
check("first reject line", first["line"], 1000)

if fails:
    print("MISMATCHES:\n  " + "\n  ".join(fails))
    sys.exit(1)
print(f"ok: {len(recs)} records, {len(by_model)} models, {garbage} rejects checked")
PY
